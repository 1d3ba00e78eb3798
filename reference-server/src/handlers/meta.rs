use http::StatusCode;

use crate::error::ApiError;
use crate::http::metrics::StoreFigures;
use crate::response::Outcome;
use crate::response::{json, respond};
use crate::state::State;

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
