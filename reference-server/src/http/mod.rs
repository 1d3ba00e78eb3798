//! The warp side: routes, request bodies, and what every response gets on its way out.

pub mod body;
mod breaches;
pub mod conditional;
pub mod cors;
mod hardening;
mod header_limit;
pub mod metrics;
pub mod negotiation;
pub mod rate_limit;
mod request_id;
pub mod routes;
mod unique;

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
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

/// Adds `token` to the response's `Vary`, kept as one field so that every client reads it whole.
pub fn vary(headers: &mut HeaderMap, token: &'static str) {
    let joined = match headers.get(header::VARY).and_then(|v| v.to_str().ok()) {
        Some(existing) if !existing.is_empty() => format!("{existing}, {token}"),
        _ => token.to_owned(),
    };
    if let Ok(value) = HeaderValue::from_str(&joined) {
        headers.insert(header::VARY, value);
    }
}

/// A JSON response.
pub fn json(status: StatusCode, value: &impl serde::Serialize) -> Result<Reply, ApiError> {
    let body = serde_json::to_vec(value).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(respond(status, "application/json", body))
}

/// The whole application: the rate limit and content negotiation, every route, every rejection
/// turned into a problem at its path, then what every response gets on its way out: the request
/// id (GEN-07), validators (HTTP-01, HTTP-02), caching and security fields (HTTP-04, HTTP-11),
/// CORS (HTTP-10) and compression (HTTP-12).
pub fn app(
    state: State,
) -> impl Filter<Extract = (warp::reply::Response,), Error = Infallible> + Clone {
    let v = state.v.clone();
    let app = state.clone();
    let outcome = header_limit::within_limit(v.clone())
        .and(admitted(state.clone()))
        .and(routes::all(state))
        .map(|standing, outcome| Gated { standing, outcome })
        .recover(|rejection: warp::Rejection| async move {
            let outcome = if rejection.find::<header_limit::TooLarge>().is_some() {
                Err(ApiError::HeaderFieldsTooLarge(header_limit::LIMIT))
            } else if let Some(Throttled(standing)) = rejection.find::<Throttled>() {
                Err(ApiError::TooManyRequests(standing.clone()))
            } else if let Some(NotAcceptable(standing)) = rejection.find::<NotAcceptable>() {
                return Ok::<Gated, Infallible>(Gated {
                    standing: standing.clone(),
                    outcome: Err(ApiError::NotAcceptable),
                });
            } else {
                Err(from_rejection(rejection))
            };
            let gated = Gated {
                standing: None,
                outcome,
            };
            Ok::<Gated, Infallible>(gated)
        })
        .unify();
    warp::any()
        .map(Instant::now)
        .and(warp::method())
        .and(warp::path::full())
        .and(request_id::request_id(v.clone()))
        .and(warp::header::headers_cloned())
        .and(outcome)
        .map(
            move |start: Instant,
                  method: Method,
                  path: FullPath,
                  id: HeaderValue,
                  request: HeaderMap,
                  gated: Gated| {
                let mut reply = match gated.outcome {
                    Err(ApiError::RouteNotFound) if v.breaks("GEN-01") => {
                        respond(StatusCode::OK, "application/json", b"{}".to_vec())
                    }
                    Ok(reply) => reply,
                    Err(e) => e.into_reply(path.as_str(), &v),
                };
                breaches::apply(&method, routes::template(path.as_str()), &mut reply, &v);
                if let Some(standing) = gated.standing {
                    standing.write(reply.headers_mut(), &v);
                }
                if routes::under_base(path.as_str()) {
                    conditional::revalidate(&method, &request, &mut reply, &v);
                }
                hardening::harden(&method, &request, &mut reply, &v);
                app.cors.apply(&method, &request, &mut reply, &v);
                negotiation::compress(&request, &mut reply, &v);
                if method == Method::HEAD && v.breaks("HTTP-05") {
                    reply.headers_mut().remove(header::CONTENT_TYPE);
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
                let (parts, body) = reply.into_parts();
                warp::reply::Response::from_parts(parts, body.into())
            },
        )
}

/// A route's outcome and the rate-limit standing its response reports.
struct Gated {
    standing: Option<Standing>,
    outcome: routes::Outcome,
}

/// A request whose `Accept` admits no JSON, refused before any route ran (HTTP-07); it has
/// already taken its share of the rate limit.
#[derive(Debug)]
struct NotAcceptable(Option<Standing>);

impl warp::reject::Reject for NotAcceptable {}

/// Admits a request (its rate limit first) unless its `Accept` rules out every response the
/// API has. OPTIONS has no body to negotiate, and the operations endpoints are not JSON.
fn admitted(
    state: State,
) -> impl Filter<Extract = (Option<Standing>,), Error = warp::Rejection> + Clone {
    admission(state.clone())
        .and(warp::method())
        .and(warp::path::full())
        .and(warp::header::headers_cloned())
        .and_then(
            move |standing, method: Method, path: FullPath, headers: HeaderMap| {
                let v = state.v.clone();
                async move {
                    let exempt = method == Method::OPTIONS
                        || !routes::under_base(path.as_str())
                        || v.breaks("HTTP-07");
                    if exempt || negotiation::accepts_json(&headers) {
                        Ok(standing)
                    } else {
                        Err(warp::reject::custom(NotAcceptable(standing)))
                    }
                }
            },
        )
}

/// A request refused by the rate limit before any route ran.
#[derive(Debug)]
struct Throttled(Standing);

impl warp::reject::Reject for Throttled {}

/// The address of the peer a request came from, set by the server on every request.
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub SocketAddr);

/// The client address of a request (RATE-06).
pub fn client(state: State) -> impl Filter<Extract = (IpAddr,), Error = Infallible> + Clone {
    warp::ext::optional::<Peer>()
        .map(|peer: Option<Peer>| peer.map(|Peer(addr)| addr))
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
