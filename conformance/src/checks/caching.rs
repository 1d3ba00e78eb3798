//! CONTRACT §8, HTTP semantics: validators, conditional requests and caching (RFC 9110 §8.8,
//! §13; RFC 9111).

use proptest::sample::select;
use serde_json::json;

mod nested;
mod tags;

use super::{Check, Needs, Outcome};
use crate::context::Ctx;
use crate::expect;
use crate::failure::ensure;
use crate::http::{Exchange, Request};
use crate::property::for_all;
use nested::http_13;
use tags::{http_01, http_02, strong_tag};

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
    Check {
        id: "HTTP-13",
        section: "http",
        title: "orders, jobs and notifications carry strong ETags that follow them",
        hint: "tag every successful GET from its representation's bytes, the routes below a user and \
               the jobs as well as the users, so that a new order moves its page's tag and a job's \
               progress moves the job's",
        needs: Needs::Nothing,
        run: http_13,
    },
];

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
