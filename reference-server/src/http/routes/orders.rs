//! The routes of a user's orders (CONTRACT §11).

use warp::filters::BoxedFilter;
use warp::{Filter, Rejection};

use super::{Handler, body, query, read, with_state};
use crate::handlers::orders;
use crate::state::State;

/// Every route of the orders.
pub fn all(state: State) -> BoxedFilter<(Handler,)> {
    list(state.clone())
        .or(create(state.clone()))
        .unify()
        .or(get(state))
        .unify()
        .boxed()
}

/// GET /api/v1/users/{id}/orders
fn list(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    api!("users" / String / "orders")
        .and(read())
        .and(with_state(state))
        .and(query())
        .map(|id, state, query| Handler::new(move |caller| orders::list(state, caller, id, query)))
}

/// POST /api/v1/users/{id}/orders
fn create(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    let timeout = state.body_read_timeout;
    api!("users" / String / "orders")
        .and(warp::post())
        .and(with_state(state))
        .and(body(timeout))
        .map(|id, state, body| Handler::new(move |caller| orders::create(state, caller, id, body)))
}

/// GET /api/v1/users/{id}/orders/{order_id}
fn get(state: State) -> impl Filter<Extract = (Handler,), Error = Rejection> + Clone {
    api!("users" / String / "orders" / String)
        .and(read())
        .and(with_state(state))
        .map(|id, order, state| Handler::new(move |caller| orders::get(state, caller, id, order)))
}
