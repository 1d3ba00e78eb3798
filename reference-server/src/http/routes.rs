//! One filter per route, matched on path and method only; handlers decide everything else, in the
//! order CONTRACT §1 gives.

use std::convert::Infallible;

use warp::{Filter, Rejection};

use super::body::body;
use crate::error::{ApiError, Reply};
use crate::handlers::{list, login, meta, users};
use crate::state::State;

pub type Outcome = Result<Reply, ApiError>;

/// The route template a path is served by, the label of its metrics: never the raw path, whose
/// ids (and whatever else clients send) would make a series each.
pub fn template(path: &str) -> &'static str {
    let Some(rest) = path.strip_prefix("/api/v1") else {
        return match path {
            "/health" => "/health",
            "/ready" => "/ready",
            "/metrics" => "/metrics",
            _ => "unrouted",
        };
    };
    match rest.split('/').skip(1).collect::<Vec<_>>().as_slice() {
        ["openapi.json"] => "/api/v1/openapi.json",
        ["auth", "login"] => "/api/v1/auth/login",
        ["users"] => "/api/v1/users",
        ["users", "me"] => "/api/v1/users/me",
        ["users", _] => "/api/v1/users/{id}",
        _ => "/api/v1 (unrouted)",
    }
}

/// Whether a request path is under the base URL, where the contract (and the rate limit) applies.
pub fn under_base(path: &str) -> bool {
    path.strip_prefix("/api/v1")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

fn with_state(state: State) -> impl Filter<Extract = (State,), Error = Infallible> + Clone {
    warp::any().map(move || state.clone())
}

fn query() -> impl Filter<Extract = (Vec<(String, String)>,), Error = Infallible> + Clone {
    // A query string serde cannot read is treated as empty rather than failing the route.
    warp::query::<Vec<(String, String)>>()
        .or(warp::any().map(Vec::new))
        .unify()
}

macro_rules! api {
    ($($seg:tt)*) => { warp::path!("api" / "v1" / $($seg)*) };
}

pub fn all(state: State) -> impl Filter<Extract = (Outcome,), Error = Rejection> + Clone {
    openapi(state.clone())
        .or(login(state.clone()))
        .unify()
        .or(list(state.clone()))
        .unify()
        .or(create(state.clone()))
        .unify()
        .or(me(state.clone()))
        .unify()
        .or(not_allowed())
        .unify()
        .or(get(state.clone()))
        .unify()
        .or(replace(state.clone()))
        .unify()
        .or(patch(state.clone()))
        .unify()
        .or(delete(state.clone()))
        .unify()
        .or(user_not_allowed())
        .unify()
        .or(health())
        .unify()
        .or(ready(state.clone()))
        .unify()
        .or(metrics(state))
        .unify()
        .or(unrouted())
        .unify()
}

/// Any other path under the base: 404 (GEN-01), answered here rather than rejected so that it
/// carries the rate-limit headers like every response under the base.
fn unrouted() -> impl Filter<Extract = (Outcome,), Error = Rejection> + Clone {
    warp::path("api")
        .and(warp::path("v1"))
        .map(|| Err(ApiError::RouteNotFound))
}

/// GET /api/v1/openapi.json
fn openapi(state: State) -> impl Filter<Extract = (Outcome,), Error = Rejection> + Clone {
    api!("openapi.json")
        .and(warp::get())
        .and(with_state(state))
        .map(meta::openapi)
}

/// POST /api/v1/auth/login
fn login(state: State) -> impl Filter<Extract = (Outcome,), Error = Rejection> + Clone {
    api!("auth" / "login")
        .and(warp::post())
        .and(with_state(state.clone()))
        .and(super::client(state))
        .and(body())
        .then(login::login)
}

/// GET /api/v1/users
fn list(state: State) -> impl Filter<Extract = (Outcome,), Error = Rejection> + Clone {
    api!("users")
        .and(warp::get())
        .and(with_state(state))
        .and(warp::header::headers_cloned())
        .and(query())
        .then(list::list)
}

/// POST /api/v1/users
fn create(state: State) -> impl Filter<Extract = (Outcome,), Error = Rejection> + Clone {
    api!("users")
        .and(warp::post())
        .and(with_state(state))
        .and(body())
        .then(users::create)
}

/// GET /api/v1/users/me
fn me(state: State) -> impl Filter<Extract = (Outcome,), Error = Rejection> + Clone {
    api!("users" / "me")
        .and(warp::get())
        .and(with_state(state))
        .and(warp::header::headers_cloned())
        .then(users::me)
}

/// GET /api/v1/users/{id}
fn get(state: State) -> impl Filter<Extract = (Outcome,), Error = Rejection> + Clone {
    api!("users" / String)
        .and(warp::get())
        .and(with_state(state))
        .and(warp::header::headers_cloned())
        .and(query())
        .then(users::get)
}

/// PUT /api/v1/users/{id}
fn replace(state: State) -> impl Filter<Extract = (Outcome,), Error = Rejection> + Clone {
    api!("users" / String)
        .and(warp::put())
        .and(with_state(state))
        .and(warp::header::headers_cloned())
        .and(body())
        .then(users::replace)
}

/// PATCH /api/v1/users/{id}
fn patch(state: State) -> impl Filter<Extract = (Outcome,), Error = Rejection> + Clone {
    api!("users" / String)
        .and(warp::patch())
        .and(with_state(state))
        .and(warp::header::headers_cloned())
        .and(body())
        .then(users::patch)
}

/// DELETE /api/v1/users/{id}
fn delete(state: State) -> impl Filter<Extract = (Outcome,), Error = Rejection> + Clone {
    api!("users" / String)
        .and(warp::delete())
        .and(with_state(state))
        .and(warp::header::headers_cloned())
        .then(users::delete)
}

fn refuse(allow: &'static str) -> Outcome {
    Err(ApiError::MethodNotAllowed(allow))
}

/// Any other method on a known path: 405 with `Allow` (GEN-11). `/users/me` is listed before
/// `/users/{id}` so that `me` is never taken for an id.
fn not_allowed() -> impl Filter<Extract = (Outcome,), Error = Rejection> + Clone {
    let openapi = api!("openapi.json").map(|| refuse("GET"));
    let login = api!("auth" / "login").map(|| refuse("POST"));
    let users = api!("users").map(|| refuse("GET, POST"));
    let me = api!("users" / "me").map(|| refuse("GET"));
    openapi.or(login).unify().or(users).unify().or(me).unify()
}

fn user_not_allowed() -> impl Filter<Extract = (Outcome,), Error = Rejection> + Clone {
    api!("users" / String).map(|_| refuse("GET, PUT, PATCH, DELETE"))
}

/// GET /health
fn health() -> impl Filter<Extract = (Outcome,), Error = Rejection> + Clone {
    warp::path!("health").and(warp::get()).map(meta::health)
}

/// GET /metrics
fn metrics(state: State) -> impl Filter<Extract = (Outcome,), Error = Rejection> + Clone {
    warp::path!("metrics")
        .and(warp::get())
        .and(with_state(state))
        .map(meta::metrics)
}

/// GET /ready
fn ready(state: State) -> impl Filter<Extract = (Outcome,), Error = Rejection> + Clone {
    warp::path!("ready")
        .and(warp::get())
        .and(with_state(state))
        .map(meta::ready)
}
