//! Before any check: the target answers, the base URL is the API's, and the admin logs in and
//! holds the admin role. A failure is one line saying what failed and what to pass; nothing has
//! been created, and no check runs.

use serde_json::{Value, json};

use crate::context::{Ctx, Session};
use crate::http::{Exchange, Request};
use crate::target::Admin;

/// Makes sure the checks can run against `ctx`'s target and logs the admin in (once: a wrong
/// password costs one failed login). `Err` is the reason, to print as it is.
pub fn preflight(ctx: &Ctx) -> Result<(), String> {
    let http = ctx.http.unjudged();
    let base = http.base().to_owned();
    let (token, password) = match &ctx.target.admin {
        Admin::Token(token) => {
            reachable(ctx, &base)?;
            (token.clone(), String::new())
        }
        Admin::Login { username, password } => {
            let login = Request::post("/auth/login")
                .json(&json!({"username": username, "password": password}));
            let answer = http
                .send(login)
                .map_err(|f| unreachable(&base, &f.actual))?;
            (
                admin_token(ctx, &base, username, &answer)?,
                password.clone(),
            )
        }
    };
    ctx.redactor.add(&token);
    let me = http
        .send(Request::get("/users/me").bearer(&token))
        .map_err(|f| unreachable(&base, &f.actual))?;
    let body = match (me.status, me.json()) {
        (200, Some(body)) if body.is_object() => body,
        (401, _) if matches!(ctx.target.admin, Admin::Token(_)) => {
            return Err(format!(
                "the target refused the --admin-token (GET {base}/users/me answered 401): pass a current admin token, or --admin-username and --admin-password"
            ));
        }
        _ => {
            return Err(format!(
                "GET {base}/users/me with the admin's token answered {}, not 200 with the user: {}",
                me.status,
                shape(&me)
            ));
        }
    };
    let role = body["role"].as_str().unwrap_or("");
    let username = body["username"].as_str().unwrap_or("").to_owned();
    if role != "admin" {
        return Err(format!(
            "the account `{username}` holds the role {:?}, not \"admin\": the suite needs an admin account to promote its test users and remove them",
            body["role"]
        ));
    }
    ctx.set_admin(Session {
        id: body["id"].as_u64().unwrap_or_default(),
        email: body["email"].as_str().unwrap_or_default().to_owned(),
        username,
        password,
        token,
    });
    Ok(())
}

/// The token a login answered, or why there is none.
fn admin_token(ctx: &Ctx, base: &str, username: &str, answer: &Exchange) -> Result<String, String> {
    let body = answer.json();
    if body.is_none() && answer.status < 500 && answer.status != 429 {
        // Not JSON at all (an HTML page, a proxy's text): not this API's login.
        return Err(wrong_base(ctx, base, answer));
    }
    match answer.status {
        200 => body
            .as_ref()
            .and_then(|b| b["access_token"].as_str())
            .map(str::to_owned)
            .ok_or_else(|| {
                format!(
                    "POST {base}/auth/login answered 200 without an `access_token`: {}",
                    shape(answer)
                )
            }),
        401 | 403 => Err(format!(
            "the target refused the admin login for `{username}` ({}): check --admin-username and --admin-password (one attempt was made)",
            answer.status
        )),
        404 | 405 => Err(wrong_base(ctx, base, answer)),
        429 => Err(format!(
            "the target's login is rate limited (429, Retry-After {}): try again later",
            answer.header("retry-after").unwrap_or("not given")
        )),
        400 | 415 | 422 => Err(format!(
            "POST {base}/auth/login refused a JSON login ({}): the target does not take {{\"username\", \"password\"}} as the contract's AUTH-01 says: {}",
            answer.status,
            shape(answer)
        )),
        status if status >= 500 => Err(format!(
            "POST {base}/auth/login answered {status} ({}): the target fails before any check can run, or --target is not the API's base URL",
            shape(answer)
        )),
        status => Err(format!(
            "POST {base}/auth/login answered {status}: {}",
            shape(answer)
        )),
    }
}

/// With a token there is no login to try: a request that must be answered, whatever it is.
fn reachable(ctx: &Ctx, base: &str) -> Result<(), String> {
    ctx.http
        .unjudged()
        .send(Request::get("/openapi.json"))
        .map(drop)
        .map_err(|f| unreachable(base, &f.actual))
}

fn unreachable(base: &str, error: &str) -> String {
    let cause = if error.contains("Connection refused") || error.contains("ConnectionRefused") {
        "connection refused".to_owned()
    } else if error.contains("dns error") || error.contains("failed to lookup") {
        "its host name does not resolve".to_owned()
    } else if error.contains("timed out") || error.contains("TimedOut") {
        "it did not answer within 30 s".to_owned()
    } else {
        error.chars().take(200).collect()
    };
    format!(
        "the target {base} does not answer ({cause}): is the server running, and is --target its base URL?"
    )
}

/// Why the base URL is not the API's, from what it and its neighbours answer.
fn wrong_base(ctx: &Ctx, base: &str, login: &Exchange) -> String {
    let media = login.media_type();
    let said = format!(
        "POST {base}/auth/login answered {} ({}), so --target is not the API's base URL",
        login.status,
        if media.is_empty() {
            "no Content-Type"
        } else {
            media.as_str()
        }
    );
    if let Some(servers) = openapi_at(ctx, "") {
        let hint = servers
            .map(|url| format!(": pass the base URL it names, {url}"))
            .unwrap_or_else(|| ": pass the base URL of the API it describes".into());
        return format!("{said}; --target is an OpenAPI document{hint}");
    }
    if let Ok(root) = ctx.http.unjudged().send(Request::get("")) {
        let media = root.media_type();
        if media == "text/html" || root.body.starts_with(b"<!") || root.body.starts_with(b"<html") {
            let title = title(&root.body);
            // The contract's base is often a path below a site: look where it usually is.
            for guess in ["/api/v1", "/v1", "/api"] {
                if openapi_at(ctx, guess).is_some() {
                    return format!(
                        "{said}; it serves an HTML page{title}, and {base}{guess} serves an OpenAPI document: pass --target {base}{guess}"
                    );
                }
            }
            return format!(
                "{said}; it serves an HTML page{title}: pass the URL the contract's paths are relative to (such as https://host/api/v1)"
            );
        }
    }
    for guess in ["/api/v1", "/v1"] {
        if openapi_at(ctx, guess).is_some() {
            return format!(
                "{said}; {base}{guess} serves an OpenAPI document: pass --target {base}{guess}"
            );
        }
    }
    format!(
        "{said}: pass the URL the contract's paths are relative to (such as https://host/api/v1)"
    )
}

/// `Some` when `base + path` (or the base itself when `path` is empty) is an OpenAPI document,
/// with the URL of its first server when it names one.
fn openapi_at(ctx: &Ctx, path: &str) -> Option<Option<String>> {
    let path = if path.is_empty() {
        String::new()
    } else {
        format!("{path}/openapi.json")
    };
    let answer = ctx.http.unjudged().send(Request::get(path)).ok()?;
    let doc: Value = answer.json()?;
    doc.get("openapi")?;
    let server = doc["servers"][0]["url"].as_str().map(|url| {
        reqwest::Url::parse(&answer.url)
            .and_then(|u| u.join(url))
            .map(|u| u.to_string().trim_end_matches('/').to_owned())
            .unwrap_or_else(|_| url.to_owned())
    });
    Some(server)
}

/// ` ("Title")` of an HTML page, when it has one.
fn title(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let lower = text.to_ascii_lowercase();
    lower
        .find("<title>")
        .and_then(|start| {
            let rest = &text[start + 7..];
            rest.to_ascii_lowercase().find("</title>").map(|end| {
                format!(
                    " (\"{}\")",
                    rest[..end].trim().chars().take(80).collect::<String>()
                )
            })
        })
        .unwrap_or_default()
}

/// A short description of an answer for a message: its media type and the start of its body.
fn shape(answer: &Exchange) -> String {
    let body: String = String::from_utf8_lossy(&answer.body)
        .chars()
        .take(120)
        .collect();
    let media = answer.media_type();
    let media = if media.is_empty() {
        "no Content-Type".to_owned()
    } else {
        media
    };
    format!("{media}, {}", body.trim())
}
