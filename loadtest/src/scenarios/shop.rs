//! Shop: sign up and log in once, then place orders, list them and read them back (CONTRACT
//! §11); the account, and its orders with it, is deleted when the user stops.

use std::sync::Arc;

use goose::prelude::*;
use rand::Rng;
use serde_json::{Value, json};

use super::step;
use crate::account::{self, Account};
use crate::api::{Call, Failure, route};
use crate::run::{Kind, Run};

#[derive(Clone)]
struct Shopper {
    account: Account,
    /// The orders placed and their totals, newest last.
    placed: Vec<(u64, u64)>,
}

pub fn scenario(run: &Arc<Run>) -> Result<Scenario, GooseError> {
    Ok(Scenario::new("shop")
        .set_weight(3)?
        .register_transaction(step!(run, log_in).set_on_start())
        .register_transaction(step!(run, place_order).set_weight(2)?)
        .register_transaction(step!(run, list_orders))
        .register_transaction(step!(run, get_order).set_weight(2)?)
        .register_transaction(step!(run, leave).set_on_stop()))
}

async fn log_in(user: &mut GooseUser, run: &Run) -> TransactionResult {
    let account = account::join(user, run, Kind::Shopper).await?;
    user.set_session_data(Shopper {
        account,
        placed: Vec::new(),
    });
    Ok(())
}

fn shopper(user: &GooseUser) -> Result<Shopper, Failure> {
    user.get_session_data::<Shopper>().cloned().ok_or_else(|| {
        Box::new(TransactionError::Custom(
            "the shopper never logged in".into(),
        ))
    })
}

fn orders_path(user: u64) -> String {
    format!("/api/v1/users/{user}/orders")
}

/// The order's `id` when it is `user`'s and totals `total`.
fn order(body: &Value, user: u64, total: u64) -> Result<u64, String> {
    let id = body["id"].as_u64().ok_or("an order without an id")?;
    if body["user_id"].as_u64() != Some(user) {
        return Err(format!(
            "order {id} names user {}, not {user}",
            body["user_id"]
        ));
    }
    match body["total"].as_u64() == Some(total) {
        true => Ok(id),
        false => Err(format!("order {id} totals {}, not {total}", body["total"])),
    }
}

/// The most orders one shopper places: a customer's history, not a generator's, so that the
/// pages they read and the account they delete stay the size real ones are.
const MOST_ORDERS: usize = 20;

/// `POST /users/{id}/orders` of one to five items (ORD-01), until the shopper has placed enough.
async fn place_order(user: &mut GooseUser, _run: &Run) -> TransactionResult {
    let mut me = shopper(user)?;
    if me.placed.len() >= MOST_ORDERS {
        return Ok(());
    }
    let items: Vec<(u64, u64)> = {
        let mut rng = rand::rng();
        (0..rng.random_range(1..=5))
            .map(|_| (rng.random_range(1..=10), rng.random_range(100..=100_000)))
            .collect()
    };
    let total = items.iter().map(|(q, p)| q * p).sum();
    let body = json!({"items": items
        .iter()
        .enumerate()
        .map(|(i, (quantity, unit_price))| json!({"sku": format!("LT-{i}"), "quantity": quantity, "unit_price": unit_price}))
        .collect::<Vec<_>>()});
    let path = orders_path(me.account.id);
    let mut id = 0;
    Call::new(GooseMethod::Post, &path, route::ORDERS, 201)
        .token(&me.account.token)
        .json(&body)
        .send(user)
        .await?
        .check(user, |r| {
            order(&r.body, me.account.id, total).map(|i| id = i)
        })?;
    me.placed.push((id, total));
    user.set_session_data(me);
    Ok(())
}

/// `GET /users/{id}/orders` (ORD-05): the first page holds the oldest orders placed.
async fn list_orders(user: &mut GooseUser, _run: &Run) -> TransactionResult {
    let me = shopper(user)?;
    let path = orders_path(me.account.id);
    let placed = me.placed.len() as u64;
    Call::get(&path, route::ORDERS)
        .token(&me.account.token)
        .send(user)
        .await?
        .check(user, |r| match r.body["total"].as_u64() {
            Some(total) if total == placed => Ok(()),
            other => Err(format!("{placed} orders placed, the page counts {other:?}")),
        })
}

/// `GET /users/{id}/orders/{order_id}` of an order placed before (ORD-01).
async fn get_order(user: &mut GooseUser, _run: &Run) -> TransactionResult {
    let me = shopper(user)?;
    if me.placed.is_empty() {
        return Ok(());
    }
    let (id, total) = me.placed[rand::rng().random_range(0..me.placed.len())];
    let path = format!("{}/{id}", orders_path(me.account.id));
    Call::get(&path, route::ORDER)
        .token(&me.account.token)
        .send(user)
        .await?
        .check(user, |r| order(&r.body, me.account.id, total).map(drop))
}

/// Deletes the account, and its orders with it (ORD-06).
async fn leave(user: &mut GooseUser, run: &Run) -> TransactionResult {
    let me = shopper(user)?;
    account::delete(user, run, &me.account.token, me.account.id).await
}
