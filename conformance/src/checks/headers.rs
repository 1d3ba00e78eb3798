//! CONTRACT §8, HTTP semantics: negotiation (`Accept`, `Accept-Encoding`), CORS and the
//! security headers.

use std::io::Read;

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::json;

use super::{Check, Needs, Outcome};
use crate::context::Ctx;
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::http::{Exchange, Request};
use crate::property::for_all;

pub const CHECKS: &[Check] = &[
    Check {
        id: "HTTP-07",
        section: "http",
        title: "an Accept that rules out JSON is 406",
        hint: "match Accept's most specific range against application/json before running the handler",
        needs: Needs::Nothing,
        run: http_07,
    },
    Check {
        id: "HTTP-10",
        section: "http",
        title: "CORS grants allowed origins only, never * with credentials",
        hint: "echo Access-Control-Allow-Origin only for configured origins; answer preflights with methods and headers",
        needs: Needs::Origin,
        run: http_10,
    },
    Check {
        id: "HTTP-11",
        section: "http",
        title: "security headers on every response",
        hint: "add nosniff, X-Frame-Options DENY, HSTS and a default-src 'none' CSP where responses leave",
        needs: Needs::Nothing,
        run: http_11,
    },
    Check {
        id: "HTTP-12",
        section: "http",
        title: "bodies over 1 KiB are compressed when the client accepts it",
        hint: "gzip or brotli a body over 1024 bytes when Accept-Encoding allows, with Vary: Accept-Encoding",
        needs: Needs::Nothing,
        run: http_12,
    },
];

/// `Accept` fields that admit no JSON, and ones that do.
const REFUSING: [&str; 7] = [
    "text/html",
    "application/xml",
    "image/png, text/*",
    "application/json;q=0, */*",
    "application/problem+json",
    // A vendor media type does not choose a version (CONTRACT §12): it is not JSON's.
    "application/vnd.touchstone.v1+json",
    "application/vnd.api.v2+json",
];
const ADMITTING: [&str; 4] = [
    "application/json",
    "*/*",
    "application/*;q=0.5",
    "text/html, application/json;q=0.1",
];

fn http_07(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let types = select(vec!["text", "image", "audio", "application", "font"]);
    let subtypes = select(vec!["html", "plain", "png", "xml", "csv", "octet-stream"]);
    let refusing = (types, subtypes).prop_map(|(t, s)| format!("{t}/{s}"));
    let edges = REFUSING
        .iter()
        .map(|a| (a.to_string(), false))
        .chain(ADMITTING.iter().map(|a| (a.to_string(), true)));
    for_all(
        ctx.budget,
        edges,
        refusing.prop_map(|a| (a, false)),
        |(accept, admits)| {
            let request = Request::get("/users/me")
                .bearer(&user.token)
                .header("Accept", accept.clone());
            let exchange = ctx.send(request)?;
            if *admits {
                return expect::ok_json(&exchange, 200, "an Accept that admits JSON").map(drop);
            }
            expect::problem(&exchange, 406, "an Accept without JSON").map(drop)
        },
    )?;
    // Refused before anything is done: the sign-up can be made again afterwards.
    let body = ctx.sign_up_body();
    let refused = ctx.send(
        Request::post("/users")
            .header("Accept", "text/html")
            .json(&body),
    )?;
    expect::problem(&refused, 406, "a sign-up with Accept: text/html")?;
    ctx.create(&body).map(drop).map_err(Failure::violation)
}

/// Whether a comma-separated field lists `item`, ignoring case, or is `*`.
fn lists(field: Option<&str>, item: &str) -> bool {
    field.is_some_and(|f| {
        f.split(',')
            .map(str::trim)
            .any(|m| m == "*" || m.eq_ignore_ascii_case(item))
    })
}

/// No `Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true`.
fn never_wildcard_with_credentials(exchange: &Exchange) -> Result<(), Failure> {
    let wildcard = exchange.header("access-control-allow-origin") == Some("*");
    let credentials = exchange
        .header("access-control-allow-credentials")
        .is_some_and(|c| c.trim().eq_ignore_ascii_case("true"));
    ensure(!(wildcard && credentials), || {
        exchange.fail(
            "Access-Control-Allow-Origin: * comes with credentials",
            "no Access-Control-Allow-Credentials: true beside *",
            "Access-Control-Allow-Origin: *, Access-Control-Allow-Credentials: true",
        )
    })
}

fn http_10(ctx: &Ctx) -> Outcome {
    let origin = ctx.target.cors_origin.clone().unwrap_or_default();
    let user = ctx.user("user")?;
    let preflight = Request::new("OPTIONS", format!("/users/{}", user.id))
        .header("Origin", origin.clone())
        .header("Access-Control-Request-Method", "PATCH")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type",
        );
    let exchange = ctx.send(preflight)?;
    expect::status(
        &exchange,
        &[200, 204],
        "a CORS preflight from an allowed origin",
    )?;
    let granted = exchange.header("access-control-allow-origin");
    ensure(
        granted == Some(origin.as_str()) || granted == Some("*"),
        || {
            exchange.fail(
                "a preflight from an allowed origin is not granted",
                format!("Access-Control-Allow-Origin: {origin}"),
                format!(
                    "Access-Control-Allow-Origin: {}",
                    granted.unwrap_or("(none)")
                ),
            )
        },
    )?;
    let methods = exchange.header("access-control-allow-methods");
    let headers = exchange.header("access-control-allow-headers");
    ensure(
        lists(methods, "PATCH")
            && lists(headers, "authorization")
            && lists(headers, "content-type"),
        || {
            exchange.fail(
                "a preflight does not allow the method and headers it asked for",
                "Access-Control-Allow-Methods with PATCH; Access-Control-Allow-Headers with authorization, content-type",
                format!("methods: {}; headers: {}", methods.unwrap_or("(none)"), headers.unwrap_or("(none)")),
            )
        },
    )?;
    never_wildcard_with_credentials(&exchange)?;
    // A small answer, and one large enough to be compressed: the Vary a later stage adds (for
    // Accept-Encoding) must keep the Origin that CORS put there.
    let requests = [
        Request::get("/users/me").bearer(&user.token),
        Request::get("/openapi.json").header("Accept-Encoding", "gzip, br"),
    ];
    for request in requests {
        let actual = ctx.send(request.header("Origin", origin.clone()))?;
        let granted = actual.header("access-control-allow-origin");
        ensure(
            granted == Some(origin.as_str()) || granted == Some("*"),
            || {
                actual.fail(
                    "a request from an allowed origin is not granted",
                    format!("Access-Control-Allow-Origin: {origin}"),
                    format!(
                        "Access-Control-Allow-Origin: {}",
                        granted.unwrap_or("(none)")
                    ),
                )
            },
        )?;
        if granted == Some(origin.as_str()) {
            ensure(lists(Some(&actual.header_list("vary")), "origin"), || {
                actual.fail(
                    "an answer naming the origin does not vary by Origin",
                    "Vary: Origin",
                    format!("Vary: {}", actual.header_list("vary")),
                )
            })?;
        }
    }
    let strangers = "[a-z]{3,12}".prop_map(|h| format!("https://{h}.untrusted.example"));
    let edges = ["https://evil.example".to_owned(), "null".to_owned()];
    for_all(ctx.budget, edges, strangers, |stranger| {
        not_granted(ctx, &user.token, &origin, stranger)
    })?;
    // Other origins that an origin check by prefix, suffix, pattern or host alone would let in.
    let Some(allowed) = Parts::parse(&origin) else {
        return Ok(());
    };
    let edges: Vec<String> = (0..LOOKALIKES)
        .map(|k| allowed.lookalike(k, "evil"))
        .collect();
    let lookalikes = (0..LOOKALIKES, "[a-z]{1,8}").prop_map(move |(k, l)| allowed.lookalike(k, &l));
    for_all(ctx.budget, edges, lookalikes, |lookalike| {
        not_granted(ctx, &user.token, &origin, lookalike).map_err(|f| {
            let title = format!("an origin resembling {origin}: {}", f.title);
            f.retitled(title).with_hint(SAME_ORIGIN)
        })
    })
}

/// The clause sentence of HTTP-10 that the look-alike origins test.
const SAME_ORIGIN: &str = "HTTP-10: \"An origin is allowed only when it is the same origin as a configured one: the same scheme, host and port, compared as whole serialisations scheme://host[:port]\" — compare the Origin header with each configured origin for equality, never by prefix, suffix or an unescaped pattern";

/// Neither a request nor a preflight from `stranger` is granted access, nor `*` with credentials.
fn not_granted(ctx: &Ctx, token: &str, origin: &str, stranger: &str) -> Outcome {
    if stranger.eq_ignore_ascii_case(origin) {
        return Ok(());
    }
    for request in [
        Request::get("/users/me").bearer(token),
        Request::new("OPTIONS", "/users/me").header("Access-Control-Request-Method", "GET"),
    ] {
        let exchange = ctx.send(request.header("Origin", stranger))?;
        ensure(
            !exchange
                .header("access-control-allow-origin")
                .is_some_and(|granted| granted.trim().eq_ignore_ascii_case(stranger)),
            || {
                exchange.fail(
                    "an origin that is not allowed is granted access",
                    format!("no Access-Control-Allow-Origin: {stranger}"),
                    format!("Access-Control-Allow-Origin: {stranger}"),
                )
            },
        )?;
        never_wildcard_with_credentials(&exchange)?;
    }
    Ok(())
}

/// How many kinds of look-alike `Parts::lookalike` makes.
const LOOKALIKES: usize = 7;

/// An origin's serialisation, taken apart.
#[derive(Clone, Debug)]
struct Parts {
    scheme: String,
    host: String,
    port: Option<u16>,
}

impl Parts {
    fn parse(origin: &str) -> Option<Parts> {
        let (scheme, rest) = origin.trim().trim_end_matches('/').split_once("://")?;
        let (host, port) = match rest.rsplit_once(':') {
            // A colon inside `[…]` belongs to an IPv6 address.
            Some((h, p)) if !p.contains(']') => (h, Some(p.parse().ok()?)),
            _ => (rest, None),
        };
        (!host.is_empty() && !scheme.is_empty()).then(|| Parts {
            scheme: scheme.to_ascii_lowercase(),
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    fn port(&self) -> String {
        self.port.map(|p| format!(":{p}")).unwrap_or_default()
    }

    /// Another origin that resembles this one, of kind `k`, made with `label`.
    fn lookalike(&self, k: usize, label: &str) -> String {
        let (scheme, host, port) = (&self.scheme, &self.host, self.port());
        match k {
            // A longer host: passes a prefix match.
            0 => format!("{scheme}://{host}.{label}.com{port}"),
            // A host that ends with this one: passes a suffix match.
            1 => format!("{scheme}://{label}{host}{port}"),
            // A subdomain: passes a suffix match on the dotted host.
            2 => format!("{scheme}://{label}.{host}{port}"),
            // Another scheme: passes a comparison of hosts alone.
            3 => {
                let other = if scheme == "https" { "http" } else { "https" };
                format!("{other}://{host}{port}")
            }
            // Another port: passes a comparison of scheme and host.
            4 => {
                let other = match self.port {
                    Some(p) => p.wrapping_add(1).max(1),
                    None => 8000 + label.len() as u16,
                };
                format!("{scheme}://{host}:{other}")
            }
            // A dot taken as any character: passes a pattern made of the origin unescaped.
            5 => {
                let letter = label.chars().next().unwrap_or('x');
                format!(
                    "{scheme}://{}{port}",
                    host.replacen('.', &letter.to_string(), 1)
                )
            }
            // The allowed origin inside a longer one: passes a substring match.
            _ => format!("{scheme}://{label}-{host}.{label}.net{port}"),
        }
    }
}

fn http_11(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let requests = [
        Request::get("/users/me").bearer(&user.token),
        Request::get("/users/me"),
        Request::get("/no-such-route"),
        Request::post("/users").json(&json!({"username": ""})),
        Request::new("OPTIONS", "/users"),
        Request::new("HEAD", "/openapi.json"),
        Request::get("/openapi.json"),
    ];
    for request in requests {
        let exchange = ctx.send(request)?;
        let what = format!("{} {}", exchange.request.method, exchange.request.path);
        let header = |n: &str| {
            exchange
                .header(n)
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        };
        let hsts_age = header("strict-transport-security")
            .split(';')
            .find_map(|d| {
                d.trim()
                    .strip_prefix("max-age=")
                    .map(|a| a.trim_matches('"').parse::<u64>())
            })
            .and_then(Result::ok)
            .unwrap_or(0);
        let csp = header("content-security-policy");
        let failing = [
            (
                header("x-content-type-options") == "nosniff",
                "X-Content-Type-Options: nosniff",
            ),
            (header("x-frame-options") == "deny", "X-Frame-Options: DENY"),
            (
                hsts_age > 0,
                "Strict-Transport-Security: max-age=<positive>",
            ),
            (
                csp.split(';').any(|d| d.trim() == "default-src 'none'"),
                "Content-Security-Policy: default-src 'none'",
            ),
        ]
        .into_iter()
        .filter(|(ok, _)| !ok)
        .map(|(_, wanted)| wanted)
        .collect::<Vec<_>>();
        ensure(failing.is_empty(), || {
            exchange.fail(
                format!("{what}: security headers missing"),
                failing.join("; "),
                exchange.response_text(),
            )
        })?;
    }
    Ok(())
}

fn decode(exchange: &Exchange) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    match exchange.header("content-encoding").map(str::trim) {
        Some("gzip") => flate2::read::GzDecoder::new(&exchange.body[..]).read_to_end(&mut out)?,
        Some("br") => brotli::Decompressor::new(&exchange.body[..], 4096).read_to_end(&mut out)?,
        _ => return Ok(exchange.body.clone()),
    };
    Ok(out)
}

fn http_12(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let identity = ctx.send(Request::get("/openapi.json"))?;
    let document = expect::ok_json(&identity, 200, "GET /openapi.json")?;
    ensure(identity.header("content-encoding").is_none(), || {
        identity.fail(
            "a body is encoded although the request has no Accept-Encoding",
            "no Content-Encoding",
            format!(
                "Content-Encoding: {}",
                identity.header("content-encoding").unwrap_or("")
            ),
        )
    })?;
    // (Accept-Encoding, the codings that answer it)
    let cases: [(&str, &[&str]); 4] = [
        ("gzip", &["gzip"]),
        ("br", &["br"]),
        ("gzip, br", &["gzip", "br"]),
        ("br;q=0, gzip", &["gzip"]),
    ];
    for (accept, codings) in cases {
        let exchange = ctx.send(Request::get("/openapi.json").header("Accept-Encoding", accept))?;
        let coding = exchange
            .header("content-encoding")
            .unwrap_or("(none)")
            .trim()
            .to_owned();
        ensure(codings.contains(&coding.as_str()), || {
            exchange.fail(
                format!(
                    "a {} byte body is not compressed for Accept-Encoding: {accept}",
                    identity.body.len()
                ),
                format!("Content-Encoding: {}", codings.join(" or ")),
                format!("Content-Encoding: {coding}"),
            )
        })?;
        ensure(
            lists(Some(&exchange.header_list("vary")), "accept-encoding"),
            || {
                exchange.fail(
                    "a compressed answer does not vary by Accept-Encoding",
                    "Vary: Accept-Encoding",
                    format!("Vary: {}", exchange.header_list("vary")),
                )
            },
        )?;
        let decoded = decode(&exchange)
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
        ensure(decoded.as_ref() == Some(&document), || {
            exchange.fail(
                format!("the {coding} body does not decode to the document"),
                "the identity body, once decoded",
                "another body, or one that does not decode",
            )
        })?;
    }
    let small = ctx.send(
        Request::get("/users/me")
            .bearer(&user.token)
            .header("Accept-Encoding", "gzip, br"),
    )?;
    expect::status(&small, &[200], "GET /users/me")?;
    ensure(
        small.body.len() <= 1024 && small.header("content-encoding").is_none(),
        || {
            small.fail(
                "a body of 1 KiB or less is compressed",
                "no Content-Encoding",
                format!(
                    "Content-Encoding: {}",
                    small.header("content-encoding").unwrap_or("")
                ),
            )
        },
    )
}
