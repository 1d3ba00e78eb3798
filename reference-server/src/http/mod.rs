//! The warp side: routes, request bodies, and what every response gets on its way out.

pub mod body;
mod request_id;
pub mod routes;

use std::convert::Infallible;
use std::time::Instant;

use http::{HeaderValue, Method, StatusCode, header};
use warp::Filter;
use warp::filters::path::FullPath;

use crate::error::{ApiError, Reply};
use crate::state::State;

/// A response with a body of `content_type`.
pub fn respond(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Reply {
    let mut reply = Reply::new(body.into());
    *reply.status_mut() = status;
    reply
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    reply
}

/// A JSON response.
pub fn json(status: StatusCode, value: &impl serde::Serialize) -> Result<Reply, ApiError> {
    let body = serde_json::to_vec(value).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(respond(status, "application/json", body))
}

/// The whole application: every route, every rejection turned into a problem at its path, and the
/// request id on every response (GEN-07).
pub fn app(state: State) -> impl Filter<Extract = (Reply,), Error = Infallible> + Clone {
    let v = state.v.clone();
    let outcome = routes::all(state)
        .recover(|rejection: warp::Rejection| async move {
            Ok::<Result<Reply, ApiError>, Infallible>(Err(from_rejection(rejection)))
        })
        .unify();
    warp::any()
        .map(Instant::now)
        .and(warp::method())
        .and(warp::path::full())
        .and(request_id::request_id(v.clone()))
        .and(outcome)
        .map(
            move |start: Instant, method: Method, path: FullPath, id: HeaderValue, outcome| {
                let mut reply = match outcome {
                    Err(ApiError::RouteNotFound) if v.breaks("GEN-01") => {
                        respond(StatusCode::OK, "application/json", b"{}".to_vec())
                    }
                    Ok(reply) => reply,
                    Err(e) => e.into_reply(path.as_str(), &v),
                };
                // Paths carry ids, never secrets; headers (and so tokens) are not logged.
                tracing::info!(
                    request_id = id.to_str().unwrap_or_default(),
                    %method,
                    path = path.as_str(),
                    status = reply.status().as_u16(),
                    latency_us = start.elapsed().as_micros() as u64,
                    "request"
                );
                reply.headers_mut().insert(request_id::HEADER, id);
                reply
            },
        )
}

/// Rejections that reach the end are routing failures.
fn from_rejection(rejection: warp::Rejection) -> ApiError {
    // Routes are matched on path and method only, and the last routes answer 405 for every known
    // path, so what rejects here matched no path at all.
    if rejection.is_not_found() || rejection.find::<warp::reject::MethodNotAllowed>().is_some() {
        ApiError::RouteNotFound
    } else {
        ApiError::Internal(format!("unhandled rejection: {rejection:?}"))
    }
}
