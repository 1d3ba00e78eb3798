//! The routes of exports and their jobs, and of the notifications the queue delivers (CONTRACT
//! §15).

use warp::filters::BoxedFilter;
use warp::{Filter, Rejection};

use super::{Handler, read, with_state};
use crate::handlers::jobs;
use crate::state::State;

/// Every route of the jobs.
pub fn all(state: State) -> BoxedFilter<(Handler,)> {
    export(state.clone())
        .or(get(state.clone()))
        .unify()
        .or(result(state.clone()))
        .unify()
        .or(notifications(state))
        .unify()
        .boxed()
}

/// POST /api/v1/users/{id}/exports
fn export(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    api!("users" / String / "exports")
        .and(warp::post())
        .and(with_state(state))
        .map(|id, state| Handler::new(move |caller| jobs::export(state, caller, id)))
}

/// GET /api/v1/jobs/{id}
fn get(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    api!("jobs" / String)
        .and(read())
        .and(with_state(state))
        .map(|id, state| Handler::new(move |caller| jobs::get(state, caller, id)))
}

/// GET /api/v1/jobs/{id}/result
fn result(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    api!("jobs" / String / "result")
        .and(read())
        .and(with_state(state))
        .map(|id, state| Handler::new(move |caller| jobs::result(state, caller, id)))
}

/// GET /api/v1/users/{id}/notifications
fn notifications(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    api!("users" / String / "notifications")
        .and(read())
        .and(with_state(state))
        .map(|id, state| Handler::new(move |caller| jobs::notifications(state, caller, id)))
}
