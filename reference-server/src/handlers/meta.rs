use http::StatusCode;

use crate::error::ApiError;
use crate::metrics::StoreFigures;
use crate::response::Outcome;
use crate::response::{json, respond};
use crate::state::State;
use crate::violations::Violations;

/// `GET /api/v1/` (LNK-01): the entry points, for a client that starts from the base URL alone.
pub fn root(v: &Violations) -> Outcome {
    use crate::domain::links::{BASE, USERS, href};
    let me = if v.breaks("LNK-01") {
        USERS
    } else {
        "/api/v1/users/me"
    };
    let link = |path: &str| href(v, path.to_owned());
    json(
        StatusCode::OK,
        &serde_json::json!({"links": {
            "self": link(&format!("{BASE}/")),
            "users": link(USERS),
            "me": link(me),
            "login": link(&format!("{BASE}/auth/login")),
            "openapi": link(&format!("{BASE}/openapi.json")),
            "docs": link(&format!("{BASE}/docs")),
        }}),
    )
}

/// `GET /openapi.json` (GEN-10): the document is prepared once at start-up.
pub fn openapi(state: State) -> Outcome {
    Ok(respond(
        StatusCode::OK,
        "application/json",
        state.openapi.to_vec(),
    ))
}

/// `GET /health`: the process answers.
pub fn health() -> Outcome {
    json(StatusCode::OK, &serde_json::json!({"status": "ok"}))
}

/// `GET /metrics`: Prometheus text exposition.
pub fn metrics(state: State) -> Outcome {
    let (durable_writes, flushes) = state.store.durability();
    let text = state.metrics.render(StoreFigures {
        users: state.store.count(),
        durable_writes,
        flushes,
    });
    Ok(respond(
        StatusCode::OK,
        "text/plain; version=0.0.4; charset=utf-8",
        text.into_bytes(),
    ))
}

/// `GET /ready`: the store answers reads.
pub fn ready(state: State) -> Outcome {
    if state.store.ready() {
        json(StatusCode::OK, &serde_json::json!({"status": "ready"}))
    } else {
        Err(ApiError::NotReady)
    }
}
