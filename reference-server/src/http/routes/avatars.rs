//! The routes of avatars (CONTRACT §14).

use warp::filters::BoxedFilter;
use warp::{Filter, Rejection};

use super::{Handler, body, read, with_state};
use crate::handlers::avatars;
use crate::state::State;

/// Every route of the avatars.
pub fn all(state: State) -> BoxedFilter<(Handler,)> {
    put(state.clone())
        .or(get(state.clone()))
        .unify()
        .or(delete(state))
        .unify()
        .boxed()
}

/// PUT /api/v1/users/{id}/avatar
fn put(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    let timeout = state.body_read_timeout;
    api!("users" / String / "avatar")
        .and(warp::put())
        .and(with_state(state))
        .and(body(timeout))
        .map(|id, state, body| Handler::new(move |caller| avatars::put(state, caller, id, body)))
}

/// GET /api/v1/users/{id}/avatar
fn get(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    api!("users" / String / "avatar")
        .and(read())
        .and(with_state(state))
        .and(warp::header::headers_cloned())
        .map(|id, state, headers| {
            Handler::new(move |caller| avatars::get(state, caller, id, headers))
        })
}

/// DELETE /api/v1/users/{id}/avatar
fn delete(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    api!("users" / String / "avatar")
        .and(warp::delete())
        .and(with_state(state))
        .map(|id, state| Handler::new(move |caller| avatars::delete(state, caller, id)))
}
