//! The warp side: routes, request bodies, and what every response gets on its way out.

pub mod body;
mod breaches;
pub mod conditional;
pub mod cors;
mod hardening;
mod header_limit;
pub mod negotiation;
mod request_id;
pub mod routes;

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use warp::Filter;
use warp::filters::path::FullPath;

use crate::auth::Credential;
use crate::error::ApiError;
use crate::rate_limit::Standing;
use crate::response::{Outcome, respond};
use crate::state::{App, State};
use crate::versioning;

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

/// The whole application: every route matched, then the rate limit and content negotiation
/// decide whether its handler runs; every rejection turned into a problem at its path, then what
/// every response gets on its way out: the request id (GEN-07), validators (HTTP-01, HTTP-02),
/// caching and security fields (HTTP-04, HTTP-11), CORS (HTTP-10) and compression (HTTP-12).
/// The request's headers are copied out of warp once, here, and its token verified at most once.
pub fn app(
    state: State,
) -> impl Filter<Extract = (warp::reply::Response,), Error = Infallible> + Clone {
    let v = state.v.clone();
    // Matching has no effects, so a request refused below has run nothing of its route.
    let routed = routes::all(state.clone()).or_else(|rejection: warp::Rejection| async move {
        Ok::<_, Infallible>((routes::Handler::Ready(Err(from_rejection(rejection))),))
    });
    let query = warp::query::raw().or(warp::any().map(String::new)).unify();
    warp::any()
        .map(Instant::now)
        .and(warp::method())
        .and(warp::path::full())
        .and(request_id::request_id(v))
        .and(warp::header::headers_cloned())
        .and(warp::ext::optional::<Peer>().map(|peer: Option<Peer>| peer.map(|Peer(addr)| addr)))
        .and(query)
        .and(routed)
        .then(
            move |start: Instant,
                  method: Method,
                  path: FullPath,
                  id: HeaderValue,
                  request: HeaderMap,
                  peer: Option<SocketAddr>,
                  query: String,
                  handler: routes::Handler| {
                let app = state.clone();
                async move {
                    let caller = Credential::of(&request, &method);
                    // A header section over the limit is refused before anything else reads
                    // it (GEN-14), from the one copy of the headers every step uses.
                    let over = header_limit::over(&method, path.as_str(), &query, &request, &app.v);
                    let admitted = if !over {
                        admit(&app, &method, path.as_str(), peer, &request, &caller)
                    } else {
                        let limit = ApiError::HeaderFieldsTooLarge(header_limit::LIMIT);
                        Err((None, limit))
                    };
                    let gated = match admitted {
                        Ok(standing) => Gated {
                            standing,
                            outcome: handler.run(caller).await,
                        },
                        Err((standing, refusal)) => Gated {
                            standing,
                            outcome: Err(refusal),
                        },
                    };
                    finish(&app, start, &method, &path, id, &request, gated)
                }
            },
        )
}

/// What every response gets on its way out, and the request's metrics and log line.
fn finish(
    app: &App,
    start: Instant,
    method: &Method,
    path: &FullPath,
    id: HeaderValue,
    request: &HeaderMap,
    gated: Gated,
) -> warp::reply::Response {
    let v = &app.v;
    let mut reply = match gated.outcome {
        Err(ApiError::RouteNotFound) if v.breaks("GEN-01") => {
            respond(StatusCode::OK, "application/json", b"{}".to_vec())
        }
        Ok(reply) => reply,
        Err(e) => e.into_reply(path.as_str(), v),
    };
    breaches::apply(method, routes::template(path.as_str()), &mut reply, v);
    if let Some(standing) = gated.standing {
        standing.write(reply.headers_mut(), v);
    }
    if routes::under_base(path.as_str()) {
        conditional::revalidate(method, request, &mut reply, v);
    }
    hardening::harden(method, request, &mut reply, v);
    app.cors.apply(method, request, &mut reply, v);
    negotiation::compress(request, &mut reply, v);
    if method == Method::HEAD && v.breaks("HTTP-05") {
        reply.headers_mut().remove(header::CONTENT_TYPE);
    }
    let took = start.elapsed();
    app.metrics.request(
        method,
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
    reply.headers_mut().insert(request_id::NAME, id);
    let (parts, body) = reply.into_parts();
    warp::reply::Response::from_parts(parts, body.into())
}

/// A route's outcome and the rate-limit standing its response reports.
struct Gated {
    standing: Option<Standing>,
    outcome: Outcome,
}

/// Admits a request: takes one from the caller's bucket (every path under the base is limited,
/// the operations endpoints are not), then refuses it if its `Accept` rules out every response
/// the API has, or its `X-API-Version` names another version. A refusal comes before any handler
/// runs (RATE-03, HTTP-07, VER-02), as the error it is
/// answered with and the standing its response reports. OPTIONS has no body to negotiate, and the
/// operations endpoints are not JSON.
fn admit(
    app: &App,
    method: &Method,
    path: &str,
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
    caller: &Credential,
) -> Result<Option<Standing>, (Option<Standing>, ApiError)> {
    let v = &app.v;
    let standing = match app.limits.general.as_ref() {
        Some(general) if routes::under_base(path) => {
            let client = app.limits.client(peer, headers);
            let principal = caller
                .principal(&app.tokens, |secret| {
                    crate::handlers::access::grant(app, secret)
                })
                .ok();
            match general.check(&app.limits.identity(principal, client)) {
                Ok(standing) => Some(standing),
                // RATE-03 broken: the request goes through with nothing remaining.
                Err(standing) if v.breaks("RATE-03") => Some(Standing {
                    retry_after: None,
                    ..standing
                }),
                // The problem carries the standing itself.
                Err(standing) => return Err((None, ApiError::TooManyRequests(standing))),
            }
        }
        _ => None,
    };
    let negotiated = *method == Method::OPTIONS || !routes::under_base(path);
    // An avatar is an image: its handler negotiates its type.
    let image = routes::template(path) == routes::AVATAR;
    if !(negotiated || image || v.breaks("HTTP-07") || crate::request::accepts_json(headers)) {
        return Err((standing, ApiError::NotAcceptable));
    }
    if !(negotiated || versioning::supported(headers, v)) {
        return Err((standing, ApiError::UnsupportedVersion));
    }
    Ok(standing)
}

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
