//! The routes of API keys (CONTRACT §13).

use warp::filters::BoxedFilter;
use warp::{Filter, Rejection};

use super::{Handler, body, read, with_state};
use crate::handlers::api_keys;
use crate::state::State;

/// Every route of the API keys.
pub fn all(state: State) -> BoxedFilter<(Handler,)> {
    list(state.clone())
        .or(create(state.clone()))
        .unify()
        .or(revoke(state))
        .unify()
        .boxed()
}

/// GET /api/v1/api-keys
fn list(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    api!("api-keys")
        .and(read())
        .and(with_state(state))
        .map(|state| Handler::new(move |caller| api_keys::list(state, caller)))
}

/// POST /api/v1/api-keys
fn create(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    let timeout = state.body_read_timeout;
    api!("api-keys")
        .and(warp::post())
        .and(with_state(state))
        .and(body(timeout))
        .map(|state, body| Handler::new(move |caller| api_keys::create(state, caller, body)))
}

/// DELETE /api/v1/api-keys/{id}
fn revoke(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    api!("api-keys" / String)
        .and(warp::delete())
        .and(with_state(state))
        .map(|id, state| Handler::new(move |caller| api_keys::revoke(state, caller, id)))
}
