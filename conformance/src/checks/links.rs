//! CONTRACT §10, Links: the root's entry points, each user's `self`, and the links of pages.
//!
//! A link may be absolute, a path or a relative reference: each is resolved against the URL of
//! the request it answers, and compared as the contract compares URLs (scheme, host, port, path,
//! and the query's decoded parameters in any order).

use proptest::prelude::*;
use reqwest::Url;
use serde_json::{Value, json};

use super::collections::{Group, member, parse_links};
use super::{Check, Needs, Outcome};
use crate::context::Ctx;
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::http::{Exchange, Request};
use crate::property::for_all;
use crate::queries::{self, Form};

pub const CHECKS: &[Check] = &[
    Check {
        id: "LNK-01",
        section: "links",
        title: "GET / lists the entry points",
        hint: "answer GET / without authentication with links to /users, /users/me, /auth/login \
               and /openapi.json (and /docs if served), as paths under the base URL",
        needs: Needs::Nothing,
        run: lnk_01,
    },
    Check {
        id: "LNK-02",
        section: "links",
        title: "every whole user carries links to itself, its orders and its avatar",
        hint: "build links.self, links.orders and links.avatar from the represented user's own \
               id under the base path, in the one place every answer's representation is made",
        needs: Needs::Nothing,
        run: lnk_02,
    },
    Check {
        id: "LNK-03",
        section: "links",
        title: "pages carry links: self, the Link header's, and the next cursor",
        hint: "build a page's links from the request's own query, changing only page or cursor, \
               and the Link header from the same links",
        needs: Needs::Nothing,
        run: lnk_03,
    },
];

/// The entry points the root links to, by relation, and the path each resolves to.
const ENTRY_POINTS: [(&str, &str); 5] = [
    ("self", "/"),
    ("users", "/users"),
    ("me", "/users/me"),
    ("login", "/auth/login"),
    ("openapi", "/openapi.json"),
];

/// More than a walk of the check's own users takes; a walk past it does not end.
const MOST_PAGES: usize = 50;

/// What a browser asks for when it navigates to a page.
const NAVIGATION: &str = "text/html,application/xhtml+xml,*/*;q=0.8";

/// The query of `url` as decoded name/value pairs, sorted.
fn params(url: &Url) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    pairs
}

/// Whether two URLs are the same as CONTRACT §10 compares them.
pub(super) fn same(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
        && a.path() == b.path()
        && params(a) == params(b)
}

/// The URL of `path` under the base URL.
pub(super) fn under_base(ctx: &Ctx, path: &str) -> Result<Url, Failure> {
    let url = format!("{}{path}", ctx.http.base());
    Url::parse(&url)
        .map_err(|e| Failure::new("the base URL does not parse", "a URL", e.to_string()))
}

/// The URL `exchange` was sent to.
pub(super) fn request_url(exchange: &Exchange) -> Result<Url, Failure> {
    Url::parse(&exchange.url)
        .map_err(|e| Failure::new("the request URL does not parse", "a URL", e.to_string()))
}

/// `url` with the parameter `name` set to `value`: any the query had replaced, the rest kept.
pub(super) fn with_param(url: &Url, name: &str, value: &str) -> Url {
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != name)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut out = url.clone();
    out.query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .append_pair(name, value);
    out
}

/// The `links` member of a body: an object, or a failure that says what it is instead.
pub(super) fn links_of<'a>(
    exchange: &Exchange,
    body: &'a Value,
    what: &str,
) -> Result<&'a Value, Failure> {
    let links = &body["links"];
    ensure(links.is_object(), || {
        exchange.fail(
            format!("{what} carries no links object"),
            "\"links\": {\"self\": …, …}",
            format!("\"links\": {links}"),
        )
    })?;
    Ok(links)
}

/// The link `rel` of `links`, resolved against the request's URL; `None` when it is not there.
pub(super) fn link(
    exchange: &Exchange,
    links: &Value,
    rel: &str,
    what: &str,
) -> Result<Option<Url>, Failure> {
    let Some(value) = links.get(rel) else {
        return Ok(None);
    };
    let target = value.as_str().ok_or_else(|| {
        exchange.fail(
            format!("{what}: links.{rel} is not a string"),
            "a URI reference",
            format!("\"{rel}\": {value}"),
        )
    })?;
    request_url(exchange)?.join(target).map(Some).map_err(|e| {
        exchange.fail(
            format!("{what}: links.{rel} is not a URI reference"),
            "a URI reference",
            format!("\"{rel}\": \"{target}\" ({e})"),
        )
    })
}

/// The link `rel` of `links` resolves to `want`.
pub(super) fn points_to(
    exchange: &Exchange,
    links: &Value,
    rel: &str,
    want: &Url,
    what: &str,
) -> Result<(), Failure> {
    let got = link(exchange, links, rel, what)?;
    ensure(got.as_ref().is_some_and(|got| same(got, want)), || {
        exchange.fail(
            format!("{what}: links.{rel} does not resolve to {want}"),
            format!("\"{rel}\" resolving to {want}"),
            match got {
                Some(got) => format!("\"{rel}\": {} (resolved: {got})", links[rel]),
                None => format!("no \"{rel}\" in \"links\": {links}"),
            },
        )
    })
}

fn lnk_01(ctx: &Ctx) -> Outcome {
    let exchange = ctx.send(Request::get("/"))?;
    let body = expect::ok_json(&exchange, 200, "GET / without authentication")?;
    let what = "GET /";
    let links = links_of(&exchange, &body, what)?;
    for (rel, path) in ENTRY_POINTS {
        let want = under_base(ctx, path)?;
        // The base URL names the root with its `/` or without it.
        let bare = under_base(ctx, "")?;
        let got = link(&exchange, links, rel, what)?;
        if rel == "self" && got.as_ref().is_some_and(|got| same(got, &bare)) {
            continue;
        }
        points_to(&exchange, links, rel, &want, what)?;
    }
    if let Some(docs) = link(&exchange, links, "docs", what)? {
        let page = ctx.send(Request::get(docs.to_string()).header("Accept", NAVIGATION))?;
        ensure(
            page.status == 200 && page.media_type() == "text/html",
            || {
                page.fail(
                    "the root's links.docs does not answer a page",
                    "200 with a text/html page (DOC-01)",
                    page.summary(),
                )
            },
        )?;
    }
    Ok(())
}

/// A whole user's `links.self` names that user.
fn names_itself(ctx: &Ctx, exchange: &Exchange, user: &Value, what: &str) -> Outcome {
    let id = user["id"].as_u64().unwrap_or_default();
    let links = links_of(exchange, user, what)?;
    for (rel, path) in [
        ("self", format!("/users/{id}")),
        ("orders", format!("/users/{id}/orders")),
        ("avatar", format!("/users/{id}/avatar")),
    ] {
        points_to(exchange, links, rel, &under_base(ctx, &path)?, what)?;
    }
    Ok(())
}

fn lnk_02(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    let tag = ctx.unique();
    let body = member(ctx, &format!("{tag}0"));
    let created = ctx.send(Request::post("/users").json(&body))?;
    let user = expect::ok_json(&created, 201, "signing up a valid user")
        .map_err(|f| f.blocked("signing up a test user"))?;
    names_itself(ctx, &created, &user, "the answer to POST /users")?;
    let other = ctx.create(&member(ctx, &format!("{tag}1")))?;
    let id = user["id"].as_u64().unwrap_or_default();
    let username = body["username"].as_str().unwrap_or_default();
    let token = ctx.login(username, &ctx.password())?;
    let replacement = json!({"username": username, "email": body["email"], "full_name": "Lnk"});
    let answers = [
        (
            Request::get(format!("/users/{id}")).bearer(&admin.token),
            "GET /users/{id} as the admin",
        ),
        (Request::get("/users/me").bearer(&token), "GET /users/me"),
        (
            Request::patch(format!("/users/{id}"))
                .bearer(&token)
                .json(&json!({"age": 30})),
            "the answer to PATCH /users/{id}",
        ),
        (
            Request::put(format!("/users/{id}"))
                .bearer(&admin.token)
                .json(&replacement),
            "the answer to PUT /users/{id} by the admin",
        ),
    ];
    for (request, what) in answers {
        let exchange = ctx.send(request)?;
        let answered = expect::ok_json(&exchange, 200, what)?;
        names_itself(ctx, &exchange, &answered, what)?;
    }
    // Two users on one page, listed by a third: each item names itself, not the caller or another.
    let ids = [id, other["id"].as_u64().unwrap_or_default()];
    for paging in [("page_size", "5"), ("limit", "5")] {
        let query = format!("/users?search={tag}&{}={}", paging.0, paging.1);
        let exchange = ctx.send(Request::get(query.clone()).bearer(&admin.token))?;
        let page = expect::ok_json(&exchange, 200, &format!("GET {query}"))?;
        let items = page["items"].as_array().cloned().unwrap_or_default();
        let listed: Vec<u64> = items.iter().filter_map(|u| u["id"].as_u64()).collect();
        ensure(ids.iter().all(|i| listed.contains(i)), || {
            exchange.fail(
                format!("GET {query} does not list both of the check's users"),
                format!("ids {ids:?}"),
                format!("ids {listed:?}"),
            )
        })?;
        for item in &items {
            names_itself(ctx, &exchange, item, &format!("an item of GET {query}"))?;
        }
    }
    Ok(())
}

fn lnk_03(ctx: &Ctx) -> Outcome {
    let group = Group::plain(ctx, 5)?;
    let edges = [
        (2, 2, None, None, false),
        (2, 1, Some(("username", Form::Minus)), None, true),
        (2, 3, None, Some(vec!["email"]), false),
        (5, 9, None, None, false),
        (
            2,
            1,
            Some(("email", Form::OrderDesc)),
            Some(vec!["role"]),
            true,
        ),
    ];
    let strategy = (
        1..=6u64,
        1..=8u64,
        proptest::option::of(queries::sort()),
        proptest::option::of(queries::fields()),
        any::<bool>(),
    );
    for_all(
        ctx.budget,
        edges,
        strategy,
        |(size, page, sort, fields, cursor)| {
            let mut params = vec![("search", group.tag.clone())];
            params.extend(sort.map(|(key, form)| form.params(key)).unwrap_or_default());
            if let Some(fields) = fields {
                params.push(("fields", fields.join(",")));
            }
            if *cursor {
                params.push(("limit", size.to_string()));
                cursor_links(ctx, &group, &params)
            } else {
                params.extend([("page_size", size.to_string()), ("page", page.to_string())]);
                offset_links(&group.list(ctx, &params)?)
            }
        },
    )
}

/// An offset page's `links`: `self` is the request, and the others are the `Link` header's.
fn offset_links(exchange: &Exchange) -> Outcome {
    let body = expect::ok_json(exchange, 200, "an offset page")?;
    let what = "an offset page";
    let links = links_of(exchange, &body, what)?;
    points_to(exchange, links, "self", &request_url(exchange)?, what)?;
    let field = exchange.header_list("link");
    let header = parse_links(&field).unwrap_or_default();
    for rel in ["first", "prev", "next", "last"] {
        let named: Vec<&String> = header
            .iter()
            .filter(|(_, rels)| rels.iter().any(|r| r == rel))
            .map(|(t, _)| t)
            .collect();
        let in_header = match named.as_slice() {
            [target] => request_url(exchange)?.join(target).ok(),
            _ => None,
        };
        match in_header {
            Some(want) => points_to(exchange, links, rel, &want, what)?,
            None => ensure(links.get(rel).is_none(), || {
                exchange.fail(
                    format!(
                        "{what}: links.{rel} is there, but the Link header has no rel=\"{rel}\""
                    ),
                    format!("\"{rel}\" exactly when the Link header has it"),
                    format!("\"links\": {links}; Link: {field}"),
                )
            })?,
        }
    }
    Ok(())
}

/// A cursor walk by its links: each page's `self` is the request, and its `next` is there exactly
/// when `has_next` is, naming the request with `cursor` set to `next_cursor`; it is followed.
fn cursor_links(ctx: &Ctx, group: &Group, params: &[(&str, String)]) -> Outcome {
    let mut exchange = group.list(ctx, params)?;
    for number in 1..=MOST_PAGES {
        let what = format!("cursor page {number} of a walk");
        let body = expect::ok_json(&exchange, 200, &what)?;
        let links = links_of(&exchange, &body, &what)?;
        let request = request_url(&exchange)?;
        points_to(&exchange, links, "self", &request, &what)?;
        let Some(cursor) = body["next_cursor"]
            .as_str()
            .filter(|_| body["has_next"] == true)
        else {
            return ensure(links.get("next").is_none(), || {
                exchange.fail(
                    format!("{what}: links.next is there, but has_next is not true"),
                    "\"next\" exactly when has_next is true",
                    format!("\"has_next\": {}, \"links\": {links}", body["has_next"]),
                )
            });
        };
        let want = with_param(&request, "cursor", cursor);
        points_to(&exchange, links, "next", &want, &what)?;
        let next = Request::get(want.to_string()).bearer(&group.lister.token);
        exchange = ctx.send(next)?;
    }
    Err(Failure::new(
        "a cursor walk by links.next did not end",
        format!("has_next false within {} pages", MOST_PAGES),
        "more pages",
    ))
}
