//! GEN-09..11: no 5xx for junk, the OpenAPI document, and 405 with Allow.

use super::*;

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

pub(super) fn gen_09(ctx: &Ctx) -> Outcome {
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
pub(crate) const ROUTES: [(&str, &[&str]); 16] = [
    ("/", &["GET"]),
    ("/users", &["GET", "POST"]),
    ("/users/{id}", &["DELETE", "GET", "PATCH", "PUT"]),
    ("/users/me", &["GET"]),
    ("/users/{id}/orders", &["GET", "POST"]),
    ("/users/{id}/orders/{order_id}", &["GET"]),
    ("/users/{id}/avatar", &["DELETE", "GET", "PUT"]),
    ("/users/{id}/exports", &["POST"]),
    ("/users/{id}/notifications", &["GET"]),
    ("/events", &["GET"]),
    ("/jobs/{id}", &["GET"]),
    ("/jobs/{id}/result", &["GET"]),
    ("/auth/login", &["POST"]),
    ("/api-keys", &["GET", "POST"]),
    ("/api-keys/{id}", &["DELETE"]),
    ("/openapi.json", &["GET"]),
];

pub(super) fn gen_10(ctx: &Ctx) -> Outcome {
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

pub(super) fn gen_11(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    for (path, supported) in ROUTES {
        let concrete = path
            .replace("{id}", &user.id.to_string())
            .replace("{order_id}", "1");
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
