//! CONTRACT §2, General: routing, problem documents, bodies, request ids, schemas, robustness.

mod limits;
mod responses;
mod robustness;

use limits::*;
use responses::*;
pub(super) use robustness::ROUTES;
use robustness::*;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

use super::users::ops::{self, OPS, Op};
use super::{Check, Needs, Outcome};
use crate::context::Ctx;
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::http::{Exchange, Request};
use crate::inputs;
use crate::property::for_all;
use crate::schema::{Shape, document};

pub const CHECKS: &[Check] = &[
    Check {
        id: "GEN-01",
        section: "general",
        title: "an unrouted path under the base is 404 with a problem",
        hint: "end the route table with a fallback that answers 404 problem+json",
        needs: Needs::Nothing,
        run: gen_01,
    },
    Check {
        id: "GEN-02",
        section: "general",
        title: "every error is an RFC 9457 problem",
        hint: "turn every error into problem+json in one place, with instance set to the request path",
        needs: Needs::Nothing,
        run: gen_02,
    },
    Check {
        id: "GEN-03",
        section: "general",
        title: "a body that is not well-formed JSON is 400",
        hint: "tell a JSON syntax error (400) from a body that parses but breaks the rules (422)",
        needs: Needs::Nothing,
        run: gen_03,
    },
    Check {
        id: "GEN-04",
        section: "general",
        title: "a validation problem names every failing field",
        hint: "GEN-04: a well-formed body that breaks the field rules is 422 whose errors name every failing field, unknown members among them, on sign-up, PUT, PATCH and merge patch alike",
        needs: Needs::Nothing,
        run: gen_04,
    },
    Check {
        id: "GEN-05",
        section: "general",
        title: "a body that is not of a JSON media type is 415",
        hint: "GEN-05: a request body whose Content-Type is not JSON (application/json or a +json type), or that has none, is answered 415 with a problem",
        needs: Needs::Nothing,
        run: gen_05,
    },
    Check {
        id: "GEN-06",
        section: "general",
        title: "a body over 64 KiB is 413",
        hint: "GEN-06: a request body larger than 64 KiB is answered 413 with a problem, chunked ones without Content-Length too (never 411): count bytes while reading",
        needs: Needs::Nothing,
        run: gen_06,
    },
    Check {
        id: "GEN-07",
        section: "general",
        title: "X-Request-Id is echoed when sane, generated otherwise",
        hint: "echo an X-Request-Id of 1-128 visible ASCII characters; otherwise generate one",
        needs: Needs::Nothing,
        run: gen_07,
    },
    Check {
        id: "GEN-08",
        section: "general",
        title: "successful bodies are JSON matching the OpenAPI schemas",
        hint: "serialize exactly the members of the schemas in fixtures/openapi.json",
        needs: Needs::Nothing,
        run: gen_08,
    },
    Check {
        id: "GEN-09",
        section: "general",
        title: "no request, however malformed, is answered 5xx",
        hint: "reject what cannot be parsed with a 4xx problem instead of failing inside a handler",
        needs: Needs::Nothing,
        run: gen_09,
    },
    Check {
        id: "GEN-10",
        section: "general",
        title: "GET /openapi.json is the OpenAPI 3.1 document of every route",
        hint: "serve the contract's document, with every path and method",
        needs: Needs::Nothing,
        run: gen_10,
    },
    Check {
        id: "GEN-11",
        section: "general",
        title: "an unsupported method on a known path is 405 with Allow",
        hint: "answer 405 with an Allow header listing the path's methods",
        needs: Needs::Nothing,
        run: gen_11,
    },
    Check {
        id: "GEN-13",
        section: "general",
        title: "a body whose object repeats a member is 400",
        hint: "GEN-13: refuse an object that names a member twice, at any depth, while parsing (a JSON parser keeps the last silently); name the member in the problem's detail",
        needs: Needs::Nothing,
        run: gen_13,
    },
    Check {
        id: "GEN-14",
        section: "general",
        title: "a header section over 32 KiB is 431",
        hint: "GEN-14: bound the header section at 32 KiB and answer 431 with a problem up to 64 KiB; let the HTTP parser refuse what is larger",
        needs: Needs::Nothing,
        run: gen_14,
    },
];

/// Characters left as they are in a generated path segment or query.
const KEEP: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
const KEEP_QUERY: &AsciiSet = &KEEP.remove(b'=').remove(b'&');

/// A path segment that names no route: URL-safe, never `.` or `..`.
fn segment() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,11}"
}

/// A path under the base that no route of the contract matches.
fn unrouted_path() -> impl Strategy<Value = String> {
    let first = segment().prop_filter("not a routed segment", |s| {
        !["users", "auth", "openapi.json", "docs"].contains(&s.as_str())
    });
    prop_oneof![
        (first, vec(segment(), 0..3)).prop_map(|(f, rest)| format!("/{f}/{}", rest.join("/"))),
        (segment(), segment(), vec(segment(), 0..2))
            .prop_map(|(a, b, rest)| format!("/users/{a}/{b}/{}", rest.join("/"))),
        segment()
            .prop_filter("not login", |s| s != "login")
            .prop_map(|s| format!("/auth/{s}")),
        segment().prop_map(|s| format!("/auth/login/{s}")),
        segment().prop_map(|s| format!("/openapi.json/{s}")),
    ]
    .prop_map(|p| p.trim_end_matches('/').to_owned())
}

fn gen_01(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    let edges = [
        "/nothing-here",
        "/users/1/extra",
        "/auth",
        "/auth/logout",
        "/v2/users",
    ]
    .map(|p| (p.to_owned(), "GET", false));
    let methods = select(vec!["GET", "POST", "DELETE"]);
    for_all(
        ctx.budget,
        edges,
        (unrouted_path(), methods, any::<bool>()),
        |(path, method, authenticated)| {
            let mut request = Request::new(method, path.clone());
            if *authenticated {
                request = request.bearer(&admin.token);
            }
            let exchange = ctx.send(request)?;
            expect::problem(&exchange, 404, "a path no route matches").map(drop)
        },
    )
}

/// Every member RFC 9457 and GEN-02 require, with the values they must have.
fn problem_shape(exchange: &Exchange) -> Outcome {
    let what = "an error response";
    ensure((400..=599).contains(&exchange.status), || {
        exchange.fail(
            format!("{what} was expected"),
            "a 4xx or 5xx",
            exchange.summary(),
        )
    })?;
    let problem = expect::problem(exchange, exchange.status, what)?;
    let absolute = problem["type"]
        .as_str()
        .and_then(|t| reqwest::Url::parse(t).ok())
        .is_some();
    ensure(absolute, || {
        exchange.fail(
            "the problem's `type` is not an absolute URI",
            "a string holding an absolute URI",
            format!("\"type\": {}", problem["type"]),
        )
    })?;
    for member in ["title", "detail"] {
        ensure(problem[member].is_string(), || {
            exchange.fail(
                format!("the problem has no string `{member}`"),
                format!("a string `{member}`"),
                exchange.summary(),
            )
        })?;
    }
    let path = reqwest::Url::parse(&exchange.url)
        .map(|u| u.path().to_owned())
        .unwrap_or_default();
    ensure(problem["instance"].as_str() == Some(path.as_str()), || {
        exchange.fail(
            "the problem's `instance` is not the request's path",
            format!("\"instance\": \"{path}\""),
            format!("\"instance\": {}", problem["instance"]),
        )
    })
}

fn gen_02(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let admin = ctx.admin()?;
    let scenario = |n: usize, junk: &str| -> Request {
        match n {
            0 => Request::get(format!("/no-route-{junk}")),
            1 => Request::get("/users"),
            2 => Request::post("/users").raw("application/json", format!("{{{junk}")),
            3 => Request::post("/users").raw("text/plain", "{}"),
            4 => Request::post("/users").json(&json!({"username": junk})),
            5 => Request::delete("/users").bearer(&user.token),
            6 => Request::get(format!("/users/x{junk}")).bearer(&user.token),
            7 => Request::post("/auth/login")
                .json(&json!({"username": user.username, "password": format!("Wrong-{junk}1")})),
            8 => Request::post("/users").json(
                &json!({"username": admin.username, "email": format!("{}@example.com", ctx.unique()), "password": "Passw0rd-1"}),
            ),
            _ => Request::patch(format!("/users/{}", admin.id))
                .bearer(&user.token)
                .json(&json!({"full_name": junk})),
        }
    };
    let edges = (0..10).map(|n| (n, "edge".to_owned()));
    for_all(
        ctx.budget,
        edges,
        (0..10usize, "[a-z0-9]{1,8}"),
        |(n, junk)| problem_shape(&ctx.send(scenario(*n, junk))?),
    )
}

fn gen_03(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let routes = move |n: usize| match n {
        0 => Request::post("/users"),
        1 => Request::post("/auth/login"),
        2 => Request::patch(format!("/users/{}", user.id)).bearer(&user.token),
        _ => Request::put(format!("/users/{}", user.id)).bearer(&user.token),
    };
    let edges = ["", "{", "not json", "{\"username\": }"].map(|b| (0, b.to_owned()));
    for_all(
        ctx.budget,
        edges,
        (0..4usize, inputs::malformed_json()),
        |(route, body)| {
            let exchange = ctx.send(routes(*route).raw("application/json", body.clone()))?;
            expect::problem(&exchange, 400, "a body that is not JSON").map(drop)
        },
    )
}

/// Which fields to break on which operation, the values to use, and an unknown member to add.
#[derive(Clone, Debug)]
struct Breakage {
    op: usize,
    mask: Vec<bool>,
    values: [Value; 5],
    unknown: Option<String>,
}

fn breakage() -> impl Strategy<Value = Breakage> {
    (
        0..OPS.len(),
        vec(any::<bool>(), 5),
        inputs::invalid_username(),
        inputs::invalid_email(),
        inputs::invalid_password(),
        (inputs::invalid_full_name(), inputs::invalid_age()),
        proptest::option::of(prop_oneof![
            inputs::unknown_sign_up_member(),
            inputs::unknown_update_member(),
        ]),
    )
        .prop_map(|(op, mask, u, e, p, (f, a), unknown)| Breakage {
            op,
            mask,
            values: [json!(u), json!(e), json!(p), f, a],
            unknown,
        })
        .prop_filter("at least two members fail", |b| {
            b.mask.iter().filter(|&&m| m).count() + usize::from(b.unknown.is_some()) >= 2
        })
}

const FIELDS: [&str; 5] = ["username", "email", "password", "full_name", "age"];

fn gen_04(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let broken = |op, mask: [bool; 5], unknown: Option<&str>| Breakage {
        op,
        mask: mask.to_vec(),
        values: [
            json!("a b"),
            json!("x"),
            json!("short"),
            json!("n".repeat(101)),
            json!(200),
        ],
        unknown: unknown.map(str::to_owned),
    };
    let mut edges = Vec::new();
    for op in 0..OPS.len() {
        edges.push(broken(op, [true; 5], None));
        edges.push(broken(
            op,
            [false, true, false, false, true],
            Some("nickname"),
        ));
        edges.push(broken(op, [true, false, false, true, false], None));
        // A number past a double's range beside another number: a server that rewrites the
        // body to read the one must keep the other.
        let mut beyond = broken(op, [false, false, false, false, true], Some("nickname"));
        beyond.values[4] = inputs::bounds::literal("1e400");
        edges.push(beyond);
    }
    for_all(ctx.budget, edges, breakage(), |b| {
        let op = OPS[b.op];
        let mut members = serde_json::Map::new();
        let mut failing = Vec::new();
        for ((field, value), on) in FIELDS.iter().zip(&b.values).zip(&b.mask) {
            // A password is a sign-up member only: on an update it is unknown, and failing too.
            if *on && (op == Op::SignUp || *field != "password") {
                members.insert(field.to_string(), value.clone());
                failing.push(field.to_string());
            }
        }
        let known_here = |m: &str| match op {
            Op::SignUp => FIELDS.contains(&m),
            _ => ["username", "email", "full_name", "age", "role", "is_active"].contains(&m),
        };
        if let Some(unknown) = b.unknown.as_deref().filter(|m| !known_here(m)) {
            members.insert(unknown.to_owned(), json!(1));
            failing.push(unknown.to_owned());
        }
        if failing.is_empty() {
            return Ok(());
        }
        let exchange = ctx.send(ops::request(ctx, op, &user, &members))?;
        let expected: Vec<&str> = failing.iter().map(String::as_str).collect();
        let what = format!("{} with several failing members", op.name());
        expect::names_fields(&exchange, &expected, &what)?;
        let problem = exchange.json().unwrap_or_default();
        let named = expect::error_fields(&problem);
        let extra: Vec<&String> = named.iter().filter(|n| !failing.contains(n)).collect();
        ensure(extra.is_empty(), || {
            exchange.fail(
                "the validation problem names fields that are valid",
                format!("only {failing:?}"),
                format!("also {extra:?}"),
            )
        })
    })
}

fn gen_05(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let content_types = prop_oneof![
        select(vec![
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/xml",
            "text/html; charset=utf-8",
            "application/octet-stream",
            "text/json",
            "application/jsonx",
        ])
        .prop_map(str::to_owned),
        ("[a-z]{1,10}", "[a-z]{1,10}")
            .prop_map(|(t, s)| format!("{t}/{s}"))
            .prop_filter("not a JSON type", |t| t != "application/json"
                && !t.ends_with("+json")),
    ];
    // No Content-Type at all is not JSON either, on every route that takes a body.
    let mut edges: Vec<(usize, String)> = (0..4).map(|r| (r, String::new())).collect();
    edges.push((0, "text/plain".to_owned()));
    edges.push((1, "application/xml".to_owned()));
    for_all(
        ctx.budget,
        edges,
        (0..4usize, content_types),
        |(route, content_type)| {
            let (request, body) = match route {
                0 => (Request::post("/users"), ctx.sign_up_body()),
                1 => (
                    Request::post("/auth/login"),
                    json!({"username": user.username, "password": user.password}),
                ),
                2 => (
                    Request::patch(format!("/users/{}", user.id)).bearer(&user.token),
                    json!({"full_name": "Content Type"}),
                ),
                _ => (
                    Request::put(format!("/users/{}", user.id)).bearer(&user.token),
                    json!({"username": user.username, "email": user.email}),
                ),
            };
            let exchange = ctx.send(request.raw(content_type, body.to_string()))?;
            let what = match content_type.as_str() {
                "" => "a JSON body sent without Content-Type",
                _ => "a JSON body sent as another media type",
            };
            expect::problem(&exchange, 415, what).map(drop)
        },
    )
}

/// A sign-up body of exactly `size` bytes, padded in `full_name`.
fn padded_body(ctx: &Ctx, size: usize) -> String {
    let mut body = ctx.sign_up_body();
    body["full_name"] = json!("");
    let bare = body.to_string().len();
    body["full_name"] = json!("x".repeat(size.saturating_sub(bare)));
    body.to_string()
}

fn gen_06(ctx: &Ctx) -> Outcome {
    const LIMIT: usize = 64 * 1024;
    // Exactly at the limit is not too large: the body must be read and judged on its fields.
    let at_limit =
        ctx.send(Request::post("/users").raw("application/json", padded_body(ctx, LIMIT)))?;
    ensure(at_limit.status != 413, || {
        at_limit.fail(
            "a body of exactly 64 KiB was refused as too large",
            "any answer but 413 (here 422: full_name is too long)",
            at_limit.summary(),
        )
    })?;
    // A chunked body, with no Content-Length, is read like any other: accepted when it is small.
    let small = ctx.send(Request::post("/users").json(&ctx.sign_up_body()).chunked())?;
    expect::ok_json(&small, 201, "a valid sign-up sent chunked")?;
    let user = ctx.user("user")?;
    let edges = [
        (0, LIMIT + 1, false),
        (0, LIMIT + 1, true),
        (1, LIMIT + 1, true),
        (2, LIMIT + 1, true),
    ];
    for_all(
        ctx.budget,
        edges,
        (0..3usize, (LIMIT + 1)..(8 * LIMIT), any::<bool>()),
        |(route, size, chunked)| {
            let request = match route {
                0 => Request::post("/users"),
                1 => Request::post("/auth/login"),
                _ => Request::patch(format!("/users/{}", user.id)).bearer(&user.token),
            };
            // A server may answer a chunked body as soon as it passes the limit and close the
            // connection: a few KiB past it, the rest is already on its way and the answer is read.
            let size = if *chunked {
                LIMIT + 1 + size % 4096
            } else {
                *size
            };
            let mut request = request.raw("application/json", padded_body(ctx, size));
            if *chunked {
                request = request.chunked();
            }
            let what = if *chunked {
                "a chunked body over 64 KiB, without Content-Length"
            } else {
                "a body over 64 KiB"
            };
            let exchange = match ctx.send(request) {
                // The connection closed under a chunked body before its answer could be read:
                // the body was not taken, but whether as 413 cannot be seen.
                Err(f) if *chunked => {
                    return Err(Failure::inconclusive(
                        "a chunked body over 64 KiB got no readable answer",
                        f.actual.clone(),
                    ));
                }
                sent => sent?,
            };
            expect::problem(&exchange, 413, what).map(drop)
        },
    )
}
