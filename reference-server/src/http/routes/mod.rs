//! One filter per route, matched on path and method only; handlers decide everything else, in the
//! order CONTRACT §1 gives. A route only says which handler a request is for: the handler runs
//! once the request is admitted (`super::app`), with the credential the admission already read.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;

use http::{HeaderValue, StatusCode, header};
use warp::filters::BoxedFilter;
use warp::filters::path::FullPath;
use warp::{Filter, Rejection};

use super::body::body;
use crate::auth::Credential;
use crate::error::ApiError;
use crate::handlers::{docs, events, list, login, meta, users};
use crate::response::{Outcome, Reply};
use crate::state::State;
use crate::violations::Violations;

type Pending = Box<dyn FnOnce(Credential) -> Pin<Box<dyn Future<Output = Outcome> + Send>> + Send>;

/// The handler a request was routed to, not yet run.
pub enum Handler {
    /// Answers that need nothing of the request beyond its route.
    Ready(Outcome),
    Pending(Pending),
}

impl Handler {
    fn new<F, Fut>(handler: F) -> Handler
    where
        F: FnOnce(Credential) -> Fut + Send + 'static,
        Fut: Future<Output = Outcome> + Send + 'static,
    {
        Handler::Pending(Box::new(move |caller| Box::pin(handler(caller))))
    }

    pub async fn run(self, caller: Credential) -> Outcome {
        match self {
            Handler::Ready(outcome) => outcome,
            Handler::Pending(handler) => handler(caller).await,
        }
    }
}

/// The route template a path is served by, the label of its metrics: never the raw path, whose
/// ids (and whatever else clients send) would make a series each.
pub fn template(path: &str) -> &'static str {
    let rest = path.strip_prefix("/api/v1");
    // `/api/v10` is not under `/api/v1`: the prefix must end at a segment's end.
    let Some(rest) = rest.filter(|r| r.is_empty() || r.starts_with('/')) else {
        return match path {
            "/health" => "/health",
            "/ready" => "/ready",
            "/metrics" => "/metrics",
            "/docs" => "/docs",
            _ => "unrouted",
        };
    };
    match rest.split('/').skip(1).collect::<Vec<_>>().as_slice() {
        [] | [""] => "/api/v1/",
        ["openapi.json"] => "/api/v1/openapi.json",
        ["docs"] => "/api/v1/docs",
        ["docs", asset] if !asset.is_empty() => "/api/v1/docs/{asset}",
        ["auth", "login"] => "/api/v1/auth/login",
        ["api-keys"] => "/api/v1/api-keys",
        ["events"] => "/api/v1/events",
        ["api-keys", id] if !id.is_empty() => "/api/v1/api-keys/{id}",
        ["users"] => "/api/v1/users",
        ["users", "me"] => "/api/v1/users/me",
        ["users", id] if !id.is_empty() => "/api/v1/users/{id}",
        ["users", id, "orders"] if !id.is_empty() => "/api/v1/users/{id}/orders",
        ["users", id, "avatar"] if !id.is_empty() => AVATAR,
        ["users", id, "exports"] if !id.is_empty() => "/api/v1/users/{id}/exports",
        ["users", id, "notifications"] if !id.is_empty() => "/api/v1/users/{id}/notifications",
        ["jobs", id] if !id.is_empty() => "/api/v1/jobs/{id}",
        ["jobs", id, "result"] if !id.is_empty() => "/api/v1/jobs/{id}/result",
        ["users", id, "orders", order] if !id.is_empty() && !order.is_empty() => {
            "/api/v1/users/{id}/orders/{order_id}"
        }
        _ => "/api/v1 (unrouted)",
    }
}

/// The route of avatars, whose answers are images rather than JSON (CONTRACT §14).
pub const AVATAR: &str = "/api/v1/users/{id}/avatar";

/// The methods a route template supports, as its `Allow` lists them (GEN-11, HTTP-06): HEAD
/// wherever GET is, OPTIONS everywhere.
pub fn allowed(template: &str) -> Option<&'static str> {
    Some(match template {
        "/api/v1/" | "/api/v1/openapi.json" | "/api/v1/users/me" => "GET, HEAD, OPTIONS",
        "/api/v1/docs" | "/api/v1/docs/{asset}" => "GET, HEAD, OPTIONS",
        "/api/v1/auth/login" => "POST, OPTIONS",
        "/api/v1/events" => "GET, HEAD, OPTIONS",
        "/api/v1/api-keys" => "GET, HEAD, POST, OPTIONS",
        "/api/v1/api-keys/{id}" => "DELETE, OPTIONS",
        "/api/v1/users" => "GET, HEAD, POST, OPTIONS",
        "/api/v1/users/{id}" => "GET, HEAD, PUT, PATCH, DELETE, OPTIONS",
        "/api/v1/users/{id}/orders" => "GET, HEAD, POST, OPTIONS",
        AVATAR => "GET, HEAD, PUT, DELETE, OPTIONS",
        "/api/v1/users/{id}/exports" => "POST, OPTIONS",
        "/api/v1/jobs/{id}" | "/api/v1/jobs/{id}/result" => "GET, HEAD, OPTIONS",
        "/api/v1/users/{id}/notifications" => "GET, HEAD, OPTIONS",
        "/api/v1/users/{id}/orders/{order_id}" => "GET, HEAD, OPTIONS",
        _ => return None,
    })
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

mod api_keys;
mod avatars;
mod jobs;
mod orders;

/// Every route. Boxed: the chain's type nests deeper than the compiler's default recursion limit
/// allows once the outbound layers wrap it, and one allocation per request is nothing beside it.
pub fn all(state: State) -> BoxedFilter<(Handler,)> {
    // The operations endpoints first, then a user's own routes: they are polled and read the
    // most, and each route tried before the one that matches costs a request a failed match.
    health()
        .or(ready(state.clone()))
        .unify()
        .or(metrics(state.clone()))
        .unify()
        .or(options(state.v.clone()))
        .unify()
        .or(me(state.clone()))
        .unify()
        // Before the `{id}` routes, so that `me` is never taken for an id.
        .or(api!("users" / "me").and(not_allowed()))
        .unify()
        .or(get(state.clone()))
        .unify()
        .or(replace(state.clone()))
        .unify()
        .or(patch(state.clone()))
        .unify()
        .or(delete(state.clone()))
        .unify()
        .or(root(state.v.clone()))
        .unify()
        .or(openapi(state.clone()))
        .unify()
        .or(documentation())
        .unify()
        .or(login(state.clone()))
        .unify()
        .or(list(state.clone()))
        .unify()
        .or(create(state.clone()))
        .unify()
        .or(orders::all(state.clone()))
        .unify()
        .or(api_keys::all(state.clone()))
        .unify()
        .or(avatars::all(state.clone()))
        .unify()
        .or(jobs::all(state.clone()))
        .unify()
        .or(events(state.clone()))
        .unify()
        .or(not_allowed())
        .unify()
        .or(unrouted())
        .unify()
        .boxed()
}

/// Any other path under the base: 404 (GEN-01), answered here rather than rejected so that it
/// carries the rate-limit headers like every response under the base.
fn unrouted() -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    warp::path("api")
        .and(warp::path("v1"))
        .map(|| Handler::Ready(Err(ApiError::RouteNotFound)))
}

/// GET /api/v1/ (and /api/v1)
fn root(v: Violations) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    // VER-01 broken: any version's root is answered as this one's.
    let any_version = v.breaks("VER-01");
    warp::path!("api" / String)
        .and_then(move |version: String| async move {
            match version == crate::versioning::SEGMENT || any_version {
                true => Ok(()),
                false => Err(warp::reject::not_found()),
            }
        })
        .untuple_one()
        .and(read())
        .map(move || Handler::Ready(meta::root(&v)))
}

/// GET /api/v1/openapi.json
fn openapi(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    api!("openapi.json")
        .and(read())
        .and(with_state(state))
        .map(|state| Handler::Ready(meta::openapi(state)))
}

/// GET /api/v1/docs, GET /api/v1/docs/{asset}, and GET /docs sent on to the first (DOC-01).
fn documentation() -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    let page = api!("docs")
        .and(read())
        .and(warp::path::full())
        .map(|path: FullPath| docs::page(path.as_str().ends_with('/')));
    let asset = api!("docs" / String).and(read()).map(docs::asset);
    let root = warp::path!("docs").and(read()).map(docs::root);
    page.or(asset).unify().or(root).unify().map(Handler::Ready)
}

/// POST /api/v1/auth/login
fn login(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    let timeout = state.body_read_timeout;
    api!("auth" / "login")
        .and(warp::post())
        .and(with_state(state.clone()))
        .and(super::client(state))
        .and(body(timeout))
        .map(|state, client, body| Handler::new(move |_| login::login(state, client, body)))
}

/// GET /api/v1/users
fn list(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    api!("users")
        .and(read())
        .and(with_state(state))
        .and(query())
        .map(|state, query| Handler::new(move |caller| list::list(state, caller, query)))
}

/// POST /api/v1/users
fn create(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    let timeout = state.body_read_timeout;
    api!("users")
        .and(warp::post())
        .and(with_state(state))
        .and(warp::header::headers_cloned())
        .and(body(timeout))
        .map(|state, headers, body| Handler::new(move |_| users::create(state, headers, body)))
}

/// GET /api/v1/users/me
fn me(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    api!("users" / "me")
        .and(read())
        .and(with_state(state))
        .map(|state| Handler::new(move |caller| users::me(state, caller)))
}

/// GET /api/v1/users/{id}
fn get(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    api!("users" / String)
        .and(read())
        .and(with_state(state))
        .and(query())
        .map(|id, state, query| Handler::new(move |caller| users::get(id, state, caller, query)))
}

/// PUT /api/v1/users/{id}
fn replace(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    let timeout = state.body_read_timeout;
    api!("users" / String)
        .and(warp::put())
        .and(with_state(state))
        .and(warp::header::headers_cloned())
        .and(body(timeout))
        .map(|id, state, headers, body| {
            Handler::new(move |caller| users::replace(id, state, caller, headers, body))
        })
}

/// PATCH /api/v1/users/{id}
fn patch(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    let timeout = state.body_read_timeout;
    api!("users" / String)
        .and(warp::patch())
        .and(with_state(state))
        .and(warp::header::headers_cloned())
        .and(body(timeout))
        .map(|id, state, headers, body| {
            Handler::new(move |caller| users::patch(id, state, caller, headers, body))
        })
}

/// DELETE /api/v1/users/{id}
fn delete(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    api!("users" / String)
        .and(warp::delete())
        .and(with_state(state))
        .and(warp::header::headers_cloned())
        .map(|id, state, headers| {
            Handler::new(move |caller| users::delete(id, state, caller, headers))
        })
}

/// GET /api/v1/events, a WebSocket when asked as an upgrade (CONTRACT §16).
fn events(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    // Not an upgrade is the handler's to answer (426), after authentication.
    let upgrade = warp::ws().map(Some).or(warp::any().map(|| None)).unify();
    api!("events")
        .and(read())
        .and(with_state(state))
        .and(upgrade)
        .map(|state, upgrade| Handler::new(move |caller| events::subscribe(state, caller, upgrade)))
}

/// The `Allow` of the known path a request is for; rejects (on to the next route) otherwise.
fn known_path() -> impl Filter<Extract = (&'static str,), Error = Rejection> + Clone {
    warp::path::full().and_then(|path: FullPath| async move {
        allowed(template(path.as_str())).ok_or_else(warp::reject::not_found)
    })
}

/// OPTIONS of a known path: `204` with `Allow`, no authentication needed (HTTP-06). A CORS
/// preflight is this request with an `Origin`; the CORS layer adds its fields.
fn options(v: Violations) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    warp::options()
        .and(known_path())
        .map(move |allow: &'static str| {
            if v.breaks("HTTP-06") {
                return Handler::Ready(Err(ApiError::MethodNotAllowed(allow)));
            }
            let mut reply = Reply::new(Vec::new().into());
            *reply.status_mut() = StatusCode::NO_CONTENT;
            reply
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allow));
            Handler::Ready(Ok(reply))
        })
}

/// Any other method on a known path: 405 with `Allow` (GEN-11), after every route has had its
/// turn.
fn not_allowed() -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    known_path().map(|allow| Handler::Ready(Err(ApiError::MethodNotAllowed(allow))))
}

/// GET, and HEAD as GET (HTTP-05): hyper sends a HEAD's answer without its body.
fn read() -> impl Filter<Extract = (), Error = Rejection> + Clone {
    warp::get().or(warp::head()).unify()
}

/// GET /health
fn health() -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    warp::path!("health")
        .and(read())
        .map(|| Handler::Ready(meta::health()))
}

/// GET /metrics
fn metrics(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    warp::path!("metrics")
        .and(read())
        .and(with_state(state))
        .map(|state| Handler::new(move |_| async move { meta::metrics(state) }))
}

/// GET /ready
fn ready(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    warp::path!("ready")
        .and(read())
        .and(with_state(state))
        .map(|state| Handler::new(move |_| async move { meta::ready(state) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_names_a_route_of_the_base_and_nothing_beside_it() {
        assert_eq!(template("/api/v1/"), "/api/v1/");
        assert_eq!(
            template("/api/v1/users/7/orders/9"),
            "/api/v1/users/{id}/orders/{order_id}"
        );
        assert_eq!(template("/api/v10/users"), "unrouted");
        assert_eq!(template("/api/v1x"), "unrouted");
    }
}
