//! The warp side: routes, request bodies, and what every response gets on its way out.

pub mod body;
pub mod metrics;
pub mod rate_limit;
mod request_id;
pub mod routes;

use std::convert::Infallible;
use std::net::IpAddr;
use std::time::Instant;

use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use warp::Filter;
use warp::filters::path::FullPath;

use crate::error::{ApiError, Reply};
use crate::http::rate_limit::Standing;
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

/// The whole application: the rate limit, every route, every rejection turned into a problem at
/// its path, and the request id on every response (GEN-07).
pub fn app(state: State) -> impl Filter<Extract = (Reply,), Error = Infallible> + Clone {
    let v = state.v.clone();
    let app = state.clone();
    let outcome = admission(state.clone())
        .and(routes::all(state))
        .map(|standing, outcome| Gated { standing, outcome })
        .recover(|rejection: warp::Rejection| async move {
            let gated = match rejection.find::<Throttled>() {
                Some(Throttled(standing)) => Gated {
                    standing: None,
                    outcome: Err(ApiError::TooManyRequests(standing.clone())),
                },
                None => Gated {
                    standing: None,
                    outcome: Err(from_rejection(rejection)),
                },
            };
            Ok::<Gated, Infallible>(gated)
        })
        .unify();
    warp::any()
        .map(Instant::now)
        .and(warp::method())
        .and(warp::path::full())
        .and(request_id::request_id(v.clone()))
        .and(outcome)
        .map(
            move |start: Instant, method: Method, path: FullPath, id: HeaderValue, gated: Gated| {
                let mut reply = match gated.outcome {
                    Err(ApiError::RouteNotFound) if v.breaks("GEN-01") => {
                        respond(StatusCode::OK, "application/json", b"{}".to_vec())
                    }
                    Ok(reply) => reply,
                    Err(e) => e.into_reply(path.as_str(), &v),
                };
                if let Some(standing) = gated.standing {
                    standing.write(reply.headers_mut(), &v);
                }
                let took = start.elapsed();
                app.metrics.request(
                    method.as_str(),
                    routes::template(path.as_str()),
                    reply.status().as_u16(),
                    took,
                );
                // Paths carry ids, never secrets; headers (and so tokens) are not logged.
                tracing::info!(
                    request_id = id.to_str().unwrap_or_default(),
                    %method,
                    path = path.as_str(),
                    status = reply.status().as_u16(),
                    latency_us = took.as_micros() as u64,
                    "request"
                );
                reply.headers_mut().insert(request_id::HEADER, id);
                reply
            },
        )
}

/// A route's outcome and the rate-limit standing its response reports.
struct Gated {
    standing: Option<Standing>,
    outcome: routes::Outcome,
}

/// A request refused by the rate limit before any route ran.
#[derive(Debug)]
struct Throttled(Standing);

impl warp::reject::Reject for Throttled {}

/// The client address of a request (RATE-06).
pub fn client(state: State) -> impl Filter<Extract = (IpAddr,), Error = Infallible> + Clone {
    warp::addr::remote()
        .and(warp::header::headers_cloned())
        .map(move |peer, headers: HeaderMap| state.limits.client(peer, &headers))
}

/// Takes one request from the caller's bucket: every path under the base is limited, the
/// operations endpoints are not. A refusal rejects before any route runs (RATE-03).
fn admission(
    state: State,
) -> impl Filter<Extract = (Option<Standing>,), Error = warp::Rejection> + Clone {
    warp::path::full()
        .and(client(state.clone()))
        .and(warp::header::headers_cloned())
        .and_then(move |path: FullPath, client: IpAddr, headers: HeaderMap| {
            let state = state.clone();
            async move {
                let Some(general) = state.limits.general.as_ref() else {
                    return Ok(None);
                };
                if !routes::under_base(path.as_str()) {
                    return Ok(None);
                }
                let user = bearer(&headers).and_then(|t| state.tokens.verify(t).ok());
                match general.check(&state.limits.identity(user, client)) {
                    Ok(standing) => Ok(Some(standing)),
                    // RATE-03 broken: the request goes through with nothing remaining.
                    Err(standing) if state.v.breaks("RATE-03") => Ok(Some(Standing {
                        retry_after: None,
                        ..standing
                    })),
                    Err(standing) => Err(warp::reject::custom(Throttled(standing))),
                }
            }
        })
}

/// The token of an `Authorization: Bearer` header, unchecked.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
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
