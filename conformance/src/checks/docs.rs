//! CONTRACT §9, Documentation: the page that renders the OpenAPI document for people.

use reqwest::Url;
use scraper::{Html, Selector};

use super::{Check, Needs, Outcome};
use crate::context::Ctx;
use crate::failure::ensure;
use crate::http::{Exchange, Request};

pub const CHECKS: &[Check] = &[Check {
    id: "DOC-01",
    section: "documentation",
    title: "GET /docs is a page whose assets are all served by the target",
    hint: "serve the docs page's scripts and style sheets yourself (vendored, not from a CDN), each with its media type",
    needs: Needs::Nothing,
    run: doc_01,
}];

/// What a browser asks for when it navigates to a page.
const NAVIGATION: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// The HTML standard's JavaScript MIME type essences: a browser runs a script served as any.
const JAVASCRIPT: [&str; 16] = [
    "application/ecmascript",
    "application/javascript",
    "application/x-ecmascript",
    "application/x-javascript",
    "text/ecmascript",
    "text/javascript",
    "text/javascript1.0",
    "text/javascript1.1",
    "text/javascript1.2",
    "text/javascript1.3",
    "text/javascript1.4",
    "text/javascript1.5",
    "text/jscript",
    "text/livescript",
    "text/x-ecmascript",
    "text/x-javascript",
];

/// A resource the page's markup makes a browser load, and the kind it must be.
struct Asset {
    url: Url,
    markup: String,
    kind: Kind,
}

#[derive(Clone, Copy)]
enum Kind {
    Script,
    Style,
    Image,
}

impl Kind {
    fn admits(self, media: &str) -> bool {
        match self {
            Kind::Script => JAVASCRIPT.contains(&media),
            Kind::Style => media == "text/css",
            Kind::Image => media.starts_with("image/"),
        }
    }

    fn wanted(self) -> &'static str {
        match self {
            Kind::Script => "a JavaScript type (text/javascript)",
            Kind::Style => "text/css",
            Kind::Image => "an image/* type",
        }
    }
}

/// Every script, style sheet, icon and image the page loads, resolved against its URL (or its
/// `<base href>`); `data:` URLs load nothing and are left out.
fn assets(page: &Url, html: &str) -> Vec<Asset> {
    let document = Html::parse_document(html);
    let select = |s: &str| Selector::parse(s).expect("a valid selector");
    let base = document
        .select(&select("base[href]"))
        .next()
        .and_then(|b| page.join(b.value().attr("href")?).ok())
        .unwrap_or_else(|| page.clone());
    let wanted = [
        ("script[src]", "src", Kind::Script),
        ("link[rel~=stylesheet i][href]", "href", Kind::Style),
        ("link[rel~=icon i][href]", "href", Kind::Image),
        ("img[src]", "src", Kind::Image),
    ];
    let mut found = Vec::new();
    for (selector, attribute, kind) in wanted {
        for element in document.select(&select(selector)) {
            let Some(reference) = element.value().attr(attribute) else {
                continue;
            };
            let Ok(url) = base.join(reference.trim()) else {
                continue;
            };
            if url.scheme() != "data" {
                found.push(Asset {
                    url,
                    markup: element.html(),
                    kind,
                });
            }
        }
    }
    found
}

fn doc_01(ctx: &Ctx) -> Outcome {
    let exchange = ctx.send(Request::get("/docs").header("Accept", NAVIGATION))?;
    ensure(exchange.status == 200, || {
        exchange.fail(
            "GET /docs did not answer 200",
            "200 with an HTML page",
            exchange.summary(),
        )
    })?;
    ensure(exchange.media_type() == "text/html", || {
        exchange.fail(
            "GET /docs is not an HTML page",
            "Content-Type: text/html",
            format!(
                "Content-Type: {}",
                exchange.header("content-type").unwrap_or("(none)")
            ),
        )
    })?;
    let page = Url::parse(&exchange.url)
        .map_err(|e| exchange.fail("the page's URL does not parse", "a URL", e.to_string()))?;
    let html = String::from_utf8_lossy(&exchange.body);
    for asset in assets(&page, &html) {
        ensure(asset.url.origin() == page.origin(), || {
            exchange.fail(
                "the page loads a resource from another origin, so it fails without that network",
                format!(
                    "every script and style sheet served from {}",
                    page.origin().ascii_serialization()
                ),
                asset.markup.clone(),
            )
        })?;
        let fetched = ctx.send(Request::get(asset.url.as_str()))?;
        served(&fetched, &asset)?;
    }
    Ok(())
}

/// The asset answers `200` with a type a browser uses it as.
fn served(fetched: &Exchange, asset: &Asset) -> Outcome {
    ensure(fetched.status == 200, || {
        fetched.fail(
            format!("a resource the page loads answered {}", fetched.status),
            format!("200 for {}", asset.markup),
            fetched.summary(),
        )
    })?;
    let media = fetched.media_type();
    ensure(asset.kind.admits(&media), || {
        fetched.fail(
            "a resource the page loads is not served with its type, so a browser refuses it",
            format!("Content-Type: {} for {}", asset.kind.wanted(), asset.markup),
            format!(
                "Content-Type: {}",
                fetched.header("content-type").unwrap_or("(none)")
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(page: &str, html: &str) -> Vec<String> {
        let page = Url::parse(page).unwrap();
        assets(&page, html)
            .into_iter()
            .map(|a| a.url.to_string())
            .collect()
    }

    #[test]
    fn assets_resolve_against_the_page_or_its_base_and_skip_data_urls() {
        let html = r#"<html><head>
            <link rel="stylesheet" href="docs/ui.css"><link rel="preconnect" href="https://cdn.example">
            <link rel="Shortcut Icon" href="data:image/png;base64,AA==">
            </head><body><script>inline()</script><script src="https://cdn.example/ui.js"></script>
            <img src="/logo.png"></body></html>"#;
        assert_eq!(
            found("http://h:8080/api/v1/docs", html),
            [
                "https://cdn.example/ui.js",
                "http://h:8080/api/v1/docs/ui.css",
                "http://h:8080/logo.png",
            ]
        );
        let based = r#"<head><base href="/static/"><script src="a.js"></script></head>"#;
        assert_eq!(
            found("http://h/api/v1/docs", based),
            ["http://h/static/a.js"]
        );
    }
}
