//! CONTRACT §8, HTTP semantics: validators, conditional requests and caching (RFC 9110 §8.8,
//! §13; RFC 9111).

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

use super::{Check, Needs, Outcome};
use crate::context::Ctx;
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::http::{Exchange, Request};
use crate::inputs;
use crate::property::for_all;

pub const CHECKS: &[Check] = &[
    Check {
        id: "HTTP-01",
        section: "http",
        title: "a strong ETag and Last-Modified that change with the representation",
        hint: "derive the ETag from the representation's bytes (a digest) and send it quoted, without W/: \
               \"two answers for the same URL carry the same ETag exactly when their bodies are the \
               same representation\", so never from sizes, clocks or the collection's time",
        needs: Needs::Nothing,
        run: http_01,
    },
    Check {
        id: "HTTP-02",
        section: "http",
        title: "If-None-Match with the current tag is 304",
        hint: "compare If-None-Match weakly against the current ETag (and `*`) and answer 304 without a body, \
               on GET /users/{id} and on both kinds of page alike",
        needs: Needs::Nothing,
        run: http_02,
    },
    Check {
        id: "HTTP-03",
        section: "http",
        title: "If-Match with a stale tag is 412 and changes nothing",
        hint: "compare If-Match strongly with the current ETag inside the write's transaction",
        needs: Needs::Nothing,
        run: http_03,
    },
    Check {
        id: "HTTP-04",
        section: "http",
        title: "Cache-Control everywhere; private or no-store for credentials",
        hint: "set Cache-Control on every response: private for authenticated reads, no-store for errors and writes",
        needs: Needs::Nothing,
        run: http_04,
    },
];

/// The `ETag` of a response, which must be a strong tag.
fn strong_tag(exchange: &Exchange, what: &str) -> Result<String, Failure> {
    let tag = exchange.header("etag").unwrap_or_default().trim();
    let strong = tag.len() >= 2 && tag.starts_with('"') && tag.ends_with('"');
    ensure(strong, || {
        exchange.fail(
            format!("{what}: no strong ETag"),
            "ETag: \"<opaque>\" (quoted, without W/)",
            format!("ETag: {}", exchange.header("etag").unwrap_or("(none)")),
        )
    })?;
    Ok(tag.to_owned())
}

fn last_modified(exchange: &Exchange, what: &str) -> Result<(), Failure> {
    let value = exchange.header("last-modified").unwrap_or_default();
    ensure(httpdate::parse_http_date(value).is_ok(), || {
        exchange.fail(
            format!("{what}: no Last-Modified HTTP-date"),
            "Last-Modified: <IMF-fixdate>, e.g. Sun, 06 Nov 1994 08:49:37 GMT",
            format!(
                "Last-Modified: {}",
                exchange.header("last-modified").unwrap_or("(none)")
            ),
        )
    })
}

fn http_01(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    // A user on none of the pages read, changed at the end: the pages' tags must stay.
    let bystander = ctx.user("user")?;
    // The user alone and a page holding only the user: both must follow its changes.
    let paths = [
        format!("/users/{}", user.id),
        format!("/users?search={}", user.username),
    ];
    let read = |path: &str, what: &str| -> Result<(Exchange, String), Failure> {
        let exchange = ctx.send(Request::get(path).bearer(&user.token))?;
        expect::ok_json(&exchange, 200, what)?;
        last_modified(&exchange, what)?;
        let tag = strong_tag(&exchange, what)?;
        Ok((exchange, tag))
    };
    let first = paths
        .iter()
        .map(|p| read(p, &format!("GET {p}")))
        .collect::<Result<Vec<_>, _>>()?;
    let last = std::sync::Mutex::new(first);
    // The same value twice in a row must keep the tag: nothing changed, so nor may the tag. Names
    // of one length, one after the other, must each move it: a tag from the size and the second
    // the representation last changed in stays.
    let names = prop_oneof![inputs::full_name(), select(vec![json!("Same Name")])];
    let edges = [
        json!("Same Name"),
        json!("Same Name"),
        json!("Same Nbme"),
        json!("Same Ncme"),
        Value::Null,
    ];
    let compare = |after: &Exchange, next: &str, before: &Exchange, tag: &str| {
        let same_body = after.json() == before.json();
        ensure((next == tag) == same_body, || {
            after.fail(
                if same_body {
                    "the ETag changed although the representation did not"
                } else {
                    "the ETag stayed the same although the representation changed"
                },
                format!(
                    "an ETag {} {tag}",
                    if same_body { "equal to" } else { "other than" }
                ),
                format!("ETag: {next}; body before: {}", before.summary()),
            )
        })
    };
    for_all(ctx.budget, edges, names, |name| {
        let patch = Request::patch(paths[0].clone())
            .bearer(&user.token)
            .json(&json!({ "full_name": name }));
        expect::ok_json(&ctx.send(patch)?, 200, "PATCH of full_name")?;
        let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
        for (path, (before, tag)) in paths.iter().zip(last.iter_mut()) {
            let (after, next) = read(path, &format!("GET {path} after a PATCH"))?;
            compare(&after, &next, before, tag)?;
            (*before, *tag) = (after, next);
        }
        Ok(())
    })?;
    let elsewhere = Request::patch(format!("/users/{}", bystander.id))
        .bearer(&bystander.token)
        .json(&json!({"full_name": "Changed Elsewhere"}));
    expect::ok_json(&ctx.send(elsewhere)?, 200, "PATCH of another user")?;
    let last = last.into_inner().unwrap_or_else(|e| e.into_inner());
    for (path, (before, tag)) in paths.iter().zip(&last) {
        let (after, next) = read(
            path,
            &format!("GET {path} after a change to a user not on it"),
        )?;
        compare(&after, &next, before, tag)?;
    }
    Ok(())
}

/// An `If-None-Match` built from the current tag, and whether it names the current tag.
#[derive(Clone, Debug)]
enum NoneMatch {
    Current,
    Star,
    Weak,
    InList,
    Other(String),
}

fn http_02(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    // The user, an offset page and a cursor page: every representation a GET tags revalidates.
    let paths = [
        format!("/users/{}", user.id),
        format!("/users?search={}", user.username),
        format!("/users?search={}&limit=1", user.username),
    ];
    let tags = paths
        .iter()
        .map(|path| {
            let first = ctx.send(Request::get(path.clone()).bearer(&user.token))?;
            expect::ok_json(&first, 200, &format!("GET {path}"))?;
            strong_tag(&first, &format!("GET {path}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let conditions = [
        NoneMatch::Current,
        NoneMatch::Star,
        NoneMatch::Weak,
        NoneMatch::InList,
        NoneMatch::Other("\"stale\"".into()),
    ];
    let edges: Vec<(usize, NoneMatch)> = (0..paths.len())
        .flat_map(|p| conditions.iter().map(move |c| (p, c.clone())))
        .collect();
    let others = (
        0..paths.len(),
        "[0-9a-f]{1,24}".prop_map(|t| NoneMatch::Other(format!("\"{t}\""))),
    );
    for_all(ctx.budget, edges, others, |(at, condition)| {
        let (path, tag) = (&paths[*at], &tags[*at]);
        let (field, fresh) = match condition {
            NoneMatch::Current => (tag.clone(), true),
            NoneMatch::Star => ("*".into(), true),
            NoneMatch::Weak => (format!("W/{tag}"), true),
            NoneMatch::InList => (format!("\"x1\", {tag}"), true),
            NoneMatch::Other(t) => (t.clone(), t == tag),
        };
        let request = Request::get(path.clone())
            .bearer(&user.token)
            .header("If-None-Match", field);
        let exchange = ctx.send(request)?;
        if !fresh {
            return expect::ok_json(&exchange, 200, "If-None-Match with another tag").map(drop);
        }
        expect::status(
            &exchange,
            &[304],
            &format!("GET {path} with If-None-Match naming the current tag"),
        )?;
        ensure(exchange.body.is_empty(), || {
            exchange.fail("a 304 carries a body", "no body", exchange.summary())
        })?;
        let echoed = exchange.header("etag").map(str::trim);
        ensure(echoed == Some(tag.as_str()), || {
            exchange.fail(
                "a 304 does not carry the current ETag",
                format!("ETag: {tag}"),
                format!("ETag: {}", echoed.unwrap_or("(none)")),
            )
        })
    })
}

/// An `If-Match` of a write, and whether it should let the write through.
#[derive(Clone, Copy, Debug)]
enum IfMatch {
    Current,
    Star,
    /// The tag from before the last change.
    Stale,
    /// The current tag, weak: `If-Match` compares strongly, so it never matches.
    Weak,
    Unknown,
}

fn http_03(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    let methods = ["PUT", "PATCH", "DELETE"];
    let conditions = [
        IfMatch::Current,
        IfMatch::Star,
        IfMatch::Stale,
        IfMatch::Weak,
        IfMatch::Unknown,
    ];
    let edges: Vec<(&str, IfMatch)> = methods
        .iter()
        .flat_map(|m| conditions.iter().map(move |c| (*m, *c)))
        .collect();
    let strategy = (select(methods.to_vec()), select(conditions.to_vec()));
    let budget = crate::property::Budget {
        cases: ctx.budget.cases.min(4),
        ..ctx.budget
    };
    for_all(budget, edges, strategy, |(method, condition)| {
        let body = ctx.sign_up_body();
        let created = ctx.create(&body)?;
        let path = format!("/users/{}", created["id"]);
        let get = || ctx.send(Request::get(path.clone()).bearer(&admin.token));
        let stale = strong_tag(&get()?, "GET /users/{id}")?;
        let change = Request::patch(path.clone())
            .bearer(&admin.token)
            .json(&json!({"full_name": "Changed Once"}));
        expect::ok_json(&ctx.send(change)?, 200, "PATCH of full_name")?;
        let current = get()?;
        let tag = strong_tag(&current, "GET /users/{id} after a PATCH")?;
        let (field, passes) = match condition {
            IfMatch::Current => (tag.clone(), true),
            IfMatch::Star => ("*".to_owned(), true),
            IfMatch::Stale => (stale, false),
            IfMatch::Weak => (format!("W/{tag}"), false),
            IfMatch::Unknown => ("\"no-such-tag\"".to_owned(), false),
        };
        let request = Request::new(method, path.clone())
            .bearer(&admin.token)
            .header("If-Match", field);
        let request = match *method {
            "PUT" => request.json(&json!({"username": body["username"], "email": body["email"], "full_name": "Put Name"})),
            "PATCH" => request.json(&json!({"full_name": "Patched Name"})),
            _ => request,
        };
        let exchange = ctx.send(request)?;
        let what = format!("{method} with If-Match {condition:?}");
        if passes {
            let wanted: &[u16] = if *method == "DELETE" { &[204] } else { &[200] };
            return expect::status(&exchange, wanted, &what);
        }
        expect::problem(&exchange, 412, &what)?;
        let after = get()?;
        ensure(
            after.status == 200 && after.json() == current.json(),
            || {
                after.fail(
                    format!("{method} refused with 412 still changed the user"),
                    current.summary(),
                    after.summary(),
                )
            },
        )
    })
}

fn directives(exchange: &Exchange) -> Vec<String> {
    exchange
        .header("cache-control")
        .unwrap_or_default()
        .split(',')
        .map(|d| {
            d.split('=')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|d| !d.is_empty())
        .collect()
}

fn http_04(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let bearer = |r: Request| r.bearer(&user.token);
    let login = Request::post("/auth/login")
        .json(&json!({"username": user.username, "password": user.password}));
    // (request, has credentials, must be no-store)
    let cases = [
        (bearer(Request::get("/users/me")), true, false),
        (
            bearer(Request::get(format!("/users/{}", user.id))),
            true,
            false,
        ),
        (bearer(Request::get("/users?page_size=2")), true, false),
        (bearer(Request::get("/users/0")), true, true),
        (Request::get("/users/me"), false, true),
        (Request::get("/openapi.json"), false, false),
        (login, false, true),
        (Request::post("/users").json(&json!({})), false, true),
    ];
    for (request, credentials, no_store) in cases {
        let exchange = ctx.send(request)?;
        let found = directives(&exchange);
        let what = format!("{} {}", exchange.request.method, exchange.request.path);
        ensure(!found.is_empty(), || {
            exchange.fail(
                format!("{what}: no Cache-Control"),
                "a Cache-Control header",
                "(none)",
            )
        })?;
        let has = |d: &str| found.iter().any(|f| f == d);
        if credentials {
            ensure(
                !has("public") && (has("private") || has("no-store")),
                || {
                    exchange.fail(
                        format!("{what}: an answer to a credential may be stored by shared caches"),
                        "Cache-Control with private or no-store, never public",
                        format!(
                            "Cache-Control: {}",
                            exchange.header("cache-control").unwrap_or("")
                        ),
                    )
                },
            )?;
        }
        if no_store {
            ensure(has("no-store"), || {
                exchange.fail(
                    format!("{what}: an error or a token may be stored"),
                    "Cache-Control: no-store",
                    format!(
                        "Cache-Control: {}",
                        exchange.header("cache-control").unwrap_or("")
                    ),
                )
            })?;
        }
    }
    Ok(())
}
