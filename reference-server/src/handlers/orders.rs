//! A user's orders (CONTRACT §11): `POST` and `GET /users/{id}/orders`, and
//! `GET /users/{id}/orders/{order_id}`. Each finds the user first, then whether the caller may
//! reach the user's orders, in the order CONTRACT §1 gives.

use http::{HeaderValue, StatusCode, header};
use serde::Serialize;
use time::OffsetDateTime;

use super::access::{authenticate, owner_or_admin};
use super::page_links::PageLinks;
use super::users::{existing, user_id};
use crate::auth::Credential;
use crate::domain::order::{OrderPaging, OrderView, order_path, orders_path};
use crate::domain::{NewOrder, Order, Role, User};
use crate::error::ApiError;
use crate::request::Body;
use crate::response::{Outcome, json};
use crate::state::{App, State};

#[derive(Serialize)]
struct OrderPage<'a> {
    items: Vec<OrderView<'a>>,
    total: u64,
    page: u64,
    page_size: u64,
    total_pages: u64,
    links: PageLinks,
}

/// The user whose orders the path names, once the caller is known to be that user or an admin.
fn owner(app: &App, caller: &Credential, raw_id: &str) -> Result<User, ApiError> {
    let actor = authenticate(app, caller)?;
    let id = user_id(app, raw_id)?;
    // Bug ORD-06: the orders are read by key alone, so a deleted user's orders still answer.
    let user = match existing(app, id) {
        Err(ApiError::UserNotFound) if app.v.breaks("ORD-06") && actor.role == Role::Admin => {
            User {
                id,
                ..actor.clone()
            }
        }
        found => found?,
    };
    let why = "only the user and admins may reach the user's orders";
    owner_or_admin(app, &actor, user.id, "ORD-03", why)?;
    Ok(user)
}

/// An `{order_id}` path segment: a positive integer, or no order.
fn order_id(raw: &str) -> Result<u64, ApiError> {
    match raw.parse::<u64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(ApiError::OrderNotFound),
    }
}

/// `POST /users/{id}/orders` (ORD-01, ORD-02).
pub async fn create(state: State, caller: Credential, id: String, body: Body) -> Outcome {
    let user = owner(&state, &caller, &id)?;
    let value = body.json(&state.v).await?;
    let new = NewOrder::parse(&value, &state.v).map_err(ApiError::Validation)?;
    let build = |order_id| Order {
        id: order_id,
        user_id: user.id,
        items: new.items,
        created_at: OffsetDateTime::now_utc(),
    };
    let order = state
        .store
        .create_order(user.id, build)
        .await?
        .ok_or(ApiError::UserNotFound)?;
    let mut reply = json(StatusCode::CREATED, &order.view(&state.v))?;
    if state.v.breaks("ORD-01") {
        return Ok(reply);
    }
    let location = HeaderValue::from_str(&order_path(order.user_id, order.id))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    reply.headers_mut().insert(header::LOCATION, location);
    Ok(reply)
}

/// `GET /users/{id}/orders/{order_id}` (ORD-01, ORD-04).
pub async fn get(state: State, caller: Credential, id: String, raw_order: String) -> Outcome {
    let user = owner(&state, &caller, &id)?;
    let order_id = order_id(&raw_order)?;
    let v = &state.v;
    // Bug `order-of-another-user-forbidden`: the order found by its id alone, then its owner
    // compared with the path's user and a mismatch refused as forbidden rather than not found.
    let order = if v.breaks("ORD-04") || v.breaks("order-of-another-user-forbidden") {
        match state.store.order_by_id(order_id)? {
            Some(o) if o.user_id != user.id && v.breaks("order-of-another-user-forbidden") => {
                return Err(ApiError::Forbidden("the order belongs to another user"));
            }
            found => found,
        }
    } else {
        state.store.order(user.id, order_id)?
    };
    json(
        StatusCode::OK,
        &order.ok_or(ApiError::OrderNotFound)?.view(v),
    )
}

/// `GET /users/{id}/orders` (ORD-05): an offset page of the user's orders in id order.
pub async fn list(
    state: State,
    caller: Credential,
    id: String,
    query: Vec<(String, String)>,
) -> Outcome {
    let user = owner(&state, &caller, &id)?;
    let paging = OrderPaging::parse(&query).map_err(ApiError::Validation)?;
    let size = usize::try_from(paging.page_size).unwrap_or(usize::MAX);
    let offset = if state.v.breaks("ORD-05") {
        paging.offset().saturating_sub(1)
    } else {
        paging.offset()
    };
    let (orders, total) = state.store.orders_of(user.id, offset, size)?;
    let total_pages = total.div_ceil(paging.page_size);
    let path = orders_path(user.id);
    let page = OrderPage {
        items: orders.iter().map(|o| o.view(&state.v)).collect(),
        total,
        page: paging.page,
        page_size: paging.page_size,
        total_pages,
        links: PageLinks::new(&state.v, &path, &query, paging.page, total_pages, false),
    };
    json(StatusCode::OK, &page)
}
