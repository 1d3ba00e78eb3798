//! Before any load, as a conformance suite does: the host answers, it is this API, and the admin
//! logs in. Each failure is one line naming what was found; nothing has been created by then.

use reqwest::Method;
use serde_json::Value;

use crate::client::{Client, LoginError};

/// Paths the personas use, which the target's OpenAPI document must describe (GEN-10).
const PATHS: [&str; 5] = [
    "/users",
    "/users/{id}",
    "/users/{id}/orders",
    "/users/{id}/orders/{order_id}",
    "/auth/login",
];

/// Checks the target; `Err` is the one line to print.
pub async fn check(client: &Client, admin: (&str, &str), capacity: bool) -> Result<(), String> {
    if capacity {
        return health(client).await;
    }
    openapi(client).await?;
    let (username, password) = admin;
    let token = match client.log_in(username, password).await {
        Ok(token) => token,
        Err(LoginError::Transport(e)) => return Err(e),
        Err(LoginError::Refused(answer, why)) => {
            return Err(match answer.status {
                401 | 403 => format!(
                    "the admin {username:?} cannot log in ({} {}): check --admin-username and \
                     --admin-password (or TOUCHSTONE_ADMIN_PASSWORD)",
                    answer.status,
                    answer.problem()
                ),
                429 => format!(
                    "the admin's login is rate limited ({}): wait, or raise the target's login limit",
                    answer.problem()
                ),
                200 => format!("POST {} answered 200 but {why}", crate::client::ROUTE_LOGIN),
                _ => format!(
                    "{} does not look like a Touchstone API: POST {} answered {}",
                    client.host(),
                    crate::client::ROUTE_LOGIN,
                    answer.describe()
                ),
            });
        }
    };
    let me = client
        .call(Method::GET, "/api/v1/users/me", Some(&token), None)
        .await?;
    match me.json.get("role").and_then(Value::as_str) {
        Some("admin") => Ok(()),
        Some(role) => Err(format!(
            "{username:?} logs in but holds the role {role:?}; the load test needs an admin"
        )),
        None => Err(format!(
            "GET /api/v1/users/me answered {} to the admin",
            me.describe()
        )),
    }
}

/// `GET /api/v1/openapi.json`: a JSON OpenAPI 3 document describing the personas' paths.
async fn openapi(client: &Client) -> Result<(), String> {
    let path = "/api/v1/openapi.json";
    let answer = client.call(Method::GET, path, None, None).await?;
    let not_api = |what: String| {
        format!(
            "{} does not look like a Touchstone API: GET {path} answered {what}",
            client.host()
        )
    };
    if answer.status != 200 {
        return Err(not_api(answer.describe()));
    }
    let doc = &answer.json;
    if !doc
        .get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with('3'))
    {
        return Err(not_api(format!(
            "{}, not an OpenAPI 3 document",
            answer.describe()
        )));
    }
    let missing: Vec<&str> = PATHS
        .into_iter()
        .filter(|p| doc.get("paths").and_then(|paths| paths.get(*p)).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(not_api(format!(
            "an OpenAPI document without the paths {}",
            missing.join(", ")
        )));
    }
    Ok(())
}

/// `GET /health` answers 200: all the capacity persona requests.
async fn health(client: &Client) -> Result<(), String> {
    let answer = client.call(Method::GET, "/health", None, None).await?;
    match answer.status {
        200 => Ok(()),
        _ => Err(format!(
            "GET {}/health answered {}, expected 200",
            client.host(),
            answer.describe()
        )),
    }
}
