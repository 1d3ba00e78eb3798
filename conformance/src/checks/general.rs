//! CONTRACT §2, General: routing, problem documents, bodies, request ids, schemas, robustness.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use proptest::collection::vec;
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
        hint: "collect every field's error before answering instead of stopping at the first",
        needs: Needs::Nothing,
        run: gen_04,
    },
    Check {
        id: "GEN-05",
        section: "general",
        title: "a body that is not of a JSON media type is 415",
        hint: "check Content-Type before parsing: application/json or a +json type",
        needs: Needs::Nothing,
        run: gen_05,
    },
    Check {
        id: "GEN-06",
        section: "general",
        title: "a body over 64 KiB is 413",
        hint: "limit the body to 65536 bytes while reading it",
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
        !["users", "auth", "openapi.json"].contains(&s.as_str())
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

/// Which sign-up fields to break, and the values to use.
type Breakage = (Vec<bool>, String, String, String, Value, Value);

fn breakage() -> impl Strategy<Value = Breakage> {
    (
        vec(any::<bool>(), 5).prop_filter("at least one field fails", |m| m.contains(&true)),
        inputs::invalid_username(),
        inputs::invalid_email(),
        inputs::invalid_password(),
        inputs::invalid_full_name(),
        inputs::invalid_age(),
    )
}

fn gen_04(ctx: &Ctx) -> Outcome {
    let all_broken: Breakage = (
        vec![true; 5],
        "a".into(),
        "x".into(),
        "short".into(),
        json!("n".repeat(101)),
        json!(200),
    );
    let first_two = (
        vec![true, true, false, false, false],
        "a b".into(),
        "@x".into(),
        String::new(),
        Value::Null,
        Value::Null,
    );
    for_all(
        ctx.budget,
        [all_broken, first_two],
        breakage(),
        |(mask, username, email, password, full_name, age)| {
            let mut body = ctx.sign_up_body();
            let bad = [
                ("username", json!(username)),
                ("email", json!(email)),
                ("password", json!(password)),
                ("full_name", full_name.clone()),
                ("age", age.clone()),
            ];
            let mut broken = Vec::new();
            for ((field, value), on) in bad.into_iter().zip(mask) {
                if *on {
                    body[field] = value;
                    broken.push(field);
                }
            }
            let exchange = ctx.send(Request::post("/users").json(&body))?;
            expect::names_fields(&exchange, &broken, "a sign-up with several invalid fields")?;
            let problem = exchange.json().unwrap_or_default();
            let named = expect::error_fields(&problem);
            let extra: Vec<&String> = named
                .iter()
                .filter(|n| !broken.contains(&n.as_str()))
                .collect();
            ensure(extra.is_empty(), || {
                exchange.fail(
                    "the validation problem names fields that are valid",
                    format!("only {broken:?}"),
                    format!("also {extra:?}"),
                )
            })
        },
    )
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
    let edges = [
        (0, "text/plain".to_owned()),
        (1, "application/xml".to_owned()),
    ];
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
            expect::problem(&exchange, 415, "a JSON body sent as another media type").map(drop)
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
    let user = ctx.user("user")?;
    for_all(
        ctx.budget,
        [(0, LIMIT + 1)],
        (0..3usize, (LIMIT + 1)..(8 * LIMIT)),
        |(route, size)| {
            let request = match route {
                0 => Request::post("/users"),
                1 => Request::post("/auth/login"),
                _ => Request::patch(format!("/users/{}", user.id)).bearer(&user.token),
            };
            let exchange = ctx.send(request.raw("application/json", padded_body(ctx, *size)))?;
            expect::problem(&exchange, 413, "a body over 64 KiB").map(drop)
        },
    )
}

#[derive(Clone, Debug)]
enum RequestId {
    Absent,
    Sane(String),
    Insane(String),
}

fn gen_07(ctx: &Ctx) -> Outcome {
    let ids = prop_oneof![
        Just(RequestId::Absent),
        "[!-~]{1,128}".prop_map(RequestId::Sane),
        "[!-~]{129,160}".prop_map(RequestId::Insane),
        "[!-~]{1,10} [!-~]{1,10}".prop_map(RequestId::Insane),
    ];
    let edges = [
        (0, RequestId::Sane("abc-123".into())),
        (1, RequestId::Sane("x".repeat(128))),
        (2, RequestId::Insane("y".repeat(129))),
        (0, RequestId::Absent),
    ];
    for_all(ctx.budget, edges, (0..3usize, ids), |(route, id)| {
        let mut request = match route {
            0 => Request::get("/openapi.json"),
            1 => Request::get("/users"),
            _ => Request::get("/no-such-route"),
        };
        if let RequestId::Sane(v) | RequestId::Insane(v) = id {
            request = request.header("X-Request-Id", v.clone());
        }
        let exchange = ctx.send(request)?;
        let seen = exchange.header("x-request-id");
        let sane =
            |v: &str| (1..=128).contains(&v.len()) && v.bytes().all(|b| (0x21..=0x7e).contains(&b));
        match (id, seen) {
            (_, None) => Err(exchange.fail(
                "the response has no X-Request-Id",
                "an X-Request-Id header",
                "none",
            )),
            (RequestId::Sane(sent), Some(seen)) => ensure(seen == sent, || {
                exchange.fail(
                    "a valid X-Request-Id was not echoed unchanged",
                    format!("X-Request-Id: {sent}"),
                    format!("X-Request-Id: {seen}"),
                )
            }),
            (RequestId::Insane(sent), Some(seen)) => ensure(seen != sent && sane(seen), || {
                exchange.fail(
                    "an invalid X-Request-Id was echoed instead of replaced",
                    "a newly generated id of 1-128 visible characters",
                    format!("X-Request-Id: {seen}"),
                )
            }),
            (RequestId::Absent, Some(seen)) => ensure(sane(seen), || {
                exchange.fail(
                    "the generated X-Request-Id is not 1-128 visible characters",
                    "1-128 visible ASCII characters",
                    format!("X-Request-Id: {seen}"),
                )
            }),
        }
    })
}

/// The body is `application/json` and matches `shape`.
fn matches(exchange: &Exchange, status: u16, shape: Shape, what: &str) -> Result<Value, Failure> {
    let body = expect::ok_json(exchange, status, what)?;
    ensure(exchange.media_type() == "application/json", || {
        exchange.fail(
            format!("{what}: the body is not application/json"),
            "Content-Type: application/json",
            format!(
                "Content-Type: {}",
                exchange.header("content-type").unwrap_or("(none)")
            ),
        )
    })?;
    let violations = shape.violations(&body);
    ensure(violations.is_empty(), || {
        exchange.fail(
            format!("{what}: the body does not match the {shape:?} schema"),
            format!("a body valid against #/components/schemas/{shape:?}"),
            violations.join("; "),
        )
    })?;
    Ok(body)
}

fn gen_08(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    let strategy = (
        inputs::username_tail(),
        inputs::full_name(),
        inputs::age(),
        1..=100u32,
    );
    for_all(
        ctx.budget,
        [],
        strategy,
        |(tail, full_name, age, page_size)| {
            let mut body = ctx.sign_up_body();
            body["username"] = json!(format!("{}{tail}", body["username"].as_str().unwrap_or("")));
            body["full_name"] = full_name.clone();
            body["age"] = age.clone();
            let created = ctx.send(Request::post("/users").json(&body))?;
            let user = matches(&created, 201, Shape::User, "POST /users")?;
            let id = user["id"].as_u64().unwrap_or_default();
            let username = user["username"].as_str().unwrap_or_default().to_owned();
            let login = ctx.send(
                Request::post("/auth/login")
                    .json(&json!({"username": username, "password": body["password"]})),
            )?;
            let token = matches(&login, 200, Shape::Token, "POST /auth/login")?;
            let token = token["access_token"].as_str().unwrap_or_default();
            let one = ctx.send(Request::get(format!("/users/{id}")).bearer(token))?;
            matches(&one, 200, Shape::User, "GET /users/{id}")?;
            let me = ctx.send(Request::get("/users/me").bearer(token))?;
            matches(&me, 200, Shape::User, "GET /users/me")?;
            let page = ctx
                .send(Request::get(format!("/users?page_size={page_size}")).bearer(&admin.token))?;
            matches(&page, 200, Shape::UserPage, "GET /users")?;
            let listed = [
                (format!("limit={page_size}"), Shape::CursorPage),
                (
                    format!("page_size={page_size}&fields=email,age"),
                    Shape::PartialUserPage,
                ),
                (
                    format!("limit={page_size}&fields=role"),
                    Shape::PartialCursorPage,
                ),
            ];
            for (query, shape) in listed {
                let page =
                    ctx.send(Request::get(format!("/users?{query}")).bearer(&admin.token))?;
                matches(&page, 200, shape, &format!("GET /users?{query}"))?;
            }
            let partial =
                ctx.send(Request::get(format!("/users/{id}?fields=username")).bearer(token))?;
            matches(
                &partial,
                200,
                Shape::PartialUser,
                "GET /users/{id}?fields=username",
            )?;
            let patched = ctx.send(
                Request::patch(format!("/users/{id}"))
                    .bearer(token)
                    .json(&json!({"full_name": "Schema Check"})),
            )?;
            matches(&patched, 200, Shape::User, "PATCH /users/{id}")?;
            let put = ctx.send(
                Request::put(format!("/users/{id}"))
                    .bearer(token)
                    .json(&json!({"username": username, "email": body["email"]})),
            )?;
            matches(&put, 200, Shape::User, "PUT /users/{id}").map(drop)
        },
    )
}

/// A malformed request: any method, a junk path, query, headers and body.
#[derive(Clone, Debug)]
struct Junk {
    method: &'static str,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    authenticated: bool,
}

fn junk() -> impl Strategy<Value = Junk> {
    let bytes = || vec(any::<u8>(), 0..24);
    // A leading letter keeps a junk id from ever naming a real user.
    let id = bytes().prop_map(|b| {
        let mut s = vec![b'x'];
        s.extend(b);
        percent_encoding::percent_encode(&s, KEEP).to_string()
    });
    let path = prop_oneof![
        id.clone().prop_map(|s| format!("/users/{s}")),
        id.clone().prop_map(|s| format!("/{s}")),
        (id.clone(), id).prop_map(|(a, b)| format!("/users/{a}/{b}")),
        select(vec![
            "/users",
            "/users/me",
            "/auth/login",
            "/openapi.json",
            "/users/"
        ])
        .prop_map(str::to_owned),
    ];
    let header_names = prop_oneof![
        select(vec![
            "Accept",
            "Content-Type",
            "If-None-Match",
            "If-Match",
            "X-Request-Id",
            "Authorization",
            "Accept-Encoding",
            "Range",
            "X-Forwarded-For",
            "Origin",
        ])
        .prop_map(str::to_owned),
        "[A-Za-z][A-Za-z0-9-]{0,15}",
    ];
    let body = prop_oneof![
        Just(None),
        bytes().prop_map(Some),
        inputs::json_value().prop_map(|v| Some(v.to_string().into_bytes())),
    ];
    (
        select(vec![
            "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "FOO",
        ]),
        path,
        "[ -~]{0,30}",
        vec((header_names, "[!-~][ -~]{0,38}[!-~]"), 0..4),
        body,
        any::<bool>(),
    )
        .prop_map(|(method, path, query, headers, body, authenticated)| Junk {
            method,
            path,
            query: utf8_percent_encode(&query, KEEP_QUERY).to_string(),
            headers,
            body,
            authenticated,
        })
}

fn gen_09(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let edge = |method: &'static str, path: &str| Junk {
        method,
        path: path.to_owned(),
        query: String::new(),
        headers: Vec::new(),
        body: None,
        authenticated: true,
    };
    let edges = [
        edge("GET", "/users/abc"),
        edge("GET", "/users/-1"),
        edge("GET", "/users/99999999999999999999999"),
        edge("PATCH", "/users/x%00"),
        edge("DELETE", "/users/%E2%82%AC"),
    ];
    for_all(ctx.budget, edges, junk(), |j| {
        let path = if j.query.is_empty() {
            j.path.clone()
        } else {
            format!("{}?{}", j.path, j.query)
        };
        let mut request = Request::new(j.method, path);
        for (name, value) in &j.headers {
            request = request.header(name, value.clone());
        }
        if j.authenticated {
            request = request.bearer(&user.token);
        }
        request.body = j.body.clone();
        let exchange = ctx.send(request)?;
        ensure(exchange.status < 500, || {
            exchange.fail(
                "a malformed request was answered with a server error",
                "a 4xx (or a success)",
                exchange.summary(),
            )
        })
    })
}

/// The paths and methods the contract defines, relative to the base URL.
pub(super) const ROUTES: [(&str, &[&str]); 5] = [
    ("/users", &["GET", "POST"]),
    ("/users/{id}", &["DELETE", "GET", "PATCH", "PUT"]),
    ("/users/me", &["GET"]),
    ("/auth/login", &["POST"]),
    ("/openapi.json", &["GET"]),
];

fn gen_10(ctx: &Ctx) -> Outcome {
    let exchange = ctx.send(Request::get("/openapi.json"))?;
    let doc = expect::ok_json(&exchange, 200, "GET /openapi.json")?;
    let version = doc["openapi"].as_str().unwrap_or_default();
    ensure(version.starts_with("3.1"), || {
        exchange.fail(
            "the document is not OpenAPI 3.1",
            "\"openapi\": \"3.1.x\"",
            format!("\"openapi\": {}", doc["openapi"]),
        )
    })?;
    // Path parameters may have any name; paths may carry the base path or not.
    let normal = |p: &str| {
        let mut out = String::new();
        let mut in_param = false;
        for c in p.chars() {
            match c {
                '{' => {
                    in_param = true;
                    out.push_str("{}");
                }
                '}' => in_param = false,
                _ if !in_param => out.push(c),
                _ => {}
            }
        }
        out
    };
    let base_path = reqwest::Url::parse(ctx.http.base())
        .map(|u| u.path().trim_end_matches('/').to_owned())
        .unwrap_or_default();
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    let find = |path: &str| {
        paths.iter().find(|(p, _)| {
            let p = normal(p);
            p == normal(path) || p == normal(&format!("{base_path}{path}"))
        })
    };
    for (path, methods) in ROUTES {
        let Some((_, item)) = find(path) else {
            return Err(exchange.fail(
                format!("the document does not describe {path}"),
                format!("a path item for {path}"),
                format!("paths: {:?}", paths.keys().collect::<Vec<_>>()),
            ));
        };
        for method in methods {
            ensure(item.get(method.to_ascii_lowercase()).is_some(), || {
                exchange.fail(
                    format!("the document does not describe {method} {path}"),
                    format!(
                        "an operation `{}` under {path}",
                        method.to_ascii_lowercase()
                    ),
                    format!(
                        "operations: {:?}",
                        item.as_object().map(|o| o.keys().collect::<Vec<_>>())
                    ),
                )
            })?;
        }
    }
    // The contract's own document must be one the suite can read too.
    ensure(document()["paths"].is_object(), || {
        Failure::new("the contract's document has no paths", "paths", "none")
    })
}

fn gen_11(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    for (path, supported) in ROUTES {
        let concrete = path.replace("{id}", &user.id.to_string());
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            if supported.contains(&method) {
                continue;
            }
            let request = Request::new(method, concrete.clone())
                .bearer(&user.token)
                .json(&json!({}));
            let exchange = ctx.send(request)?;
            expect::problem(&exchange, 405, &format!("{method} {path}"))?;
            let mut allowed = expect::allowed_methods(&exchange).unwrap_or_default();
            // HEAD and OPTIONS are often allowed implicitly; the contract does not rule on them.
            allowed.retain(|m| m != "HEAD" && m != "OPTIONS");
            ensure(allowed == supported, || {
                exchange.fail(
                    format!("the Allow header of {path} does not list its methods"),
                    format!("Allow: {}", supported.join(", ")),
                    format!("Allow: {}", exchange.header("allow").unwrap_or("(none)")),
                )
            })?;
        }
    }
    Ok(())
}
