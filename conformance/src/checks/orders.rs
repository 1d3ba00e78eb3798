//! CONTRACT §11, Orders: a collection nested under each user, reached by the user and admins.
//!
//! Every check places orders only for users of its own, so that a shared target's other orders
//! never enter a count.

use std::collections::BTreeSet;
use std::sync::Mutex;

use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::{Value, json};

mod pages;
mod validation;

use super::links::{links_of, points_to, request_url, under_base};
use super::{Check, Needs, Outcome};
use crate::context::Ctx;
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::http::{Exchange, Request};
use crate::property::for_all;

pub const CHECKS: &[Check] = &[
    Check {
        id: "ORD-01",
        section: "orders",
        title: "an order is created with its items and total, and read back",
        hint: "store the items as sent, compute total as the sum of quantity × unit_price in \
               integers, and answer 201 with Location and links under /users/{id}/orders",
        needs: Needs::Nothing,
        run: ord_01,
    },
    Check {
        id: "ORD-02",
        section: "orders",
        title: "an order that breaks the rules is 422 naming each field, and not created",
        hint: "check items (1–50), and each item's sku, quantity and unit_price and its members, \
               naming a failure as items[i].member",
        needs: Needs::Nothing,
        run: validation::ord_02,
    },
    Check {
        id: "ORD-03",
        section: "orders",
        title: "only the user and admins reach the user's orders",
        hint: "after finding the user, refuse with 403 a caller who is neither that user nor an \
               admin, on every orders route",
        needs: Needs::Nothing,
        run: ord_03,
    },
    Check {
        id: "ORD-04",
        section: "orders",
        title: "an order is found only under its own user",
        hint: "look an order up by the user's id and the order's id together, and answer 404 \
               for one of another user",
        needs: Needs::Nothing,
        run: ord_04,
    },
    Check {
        id: "ORD-05",
        section: "orders",
        title: "the orders of a user come in offset pages with links",
        hint: "page the user's orders in id order with page and page_size as GET /users does, \
               links included",
        needs: Needs::Nothing,
        run: pages::ord_05,
    },
    Check {
        id: "ORD-06",
        section: "orders",
        title: "a deleted user's orders are gone",
        hint: "find the user before any order, or delete the orders with the user",
        needs: Needs::Nothing,
        run: ord_06,
    },
];

/// One item of an order body, as sent.
#[derive(Clone, Debug)]
struct Item {
    sku: String,
    quantity: u64,
    unit_price: u64,
}

impl Item {
    fn json(&self) -> Value {
        json!({"sku": self.sku, "quantity": self.quantity, "unit_price": self.unit_price})
    }
}

fn item() -> impl Strategy<Value = Item> {
    (
        "[A-Za-z0-9_-]{1,64}",
        prop_oneof![Just(1u64), Just(1000), 1..=1000u64],
        prop_oneof![Just(1u64), Just(10_000_000), 1..=10_000_000u64],
    )
        .prop_map(|(sku, quantity, unit_price)| Item {
            sku,
            quantity,
            unit_price,
        })
}

fn body(items: &[Item]) -> Value {
    json!({"items": items.iter().map(Item::json).collect::<Vec<_>>()})
}

/// A valid order of one small item.
fn small() -> Value {
    json!({"items": [{"sku": "TS-1", "quantity": 1, "unit_price": 100}]})
}

fn orders_of(user: u64) -> String {
    format!("/users/{user}/orders")
}

/// Places `body` for `user` as `token`; the exchange, whatever it answered.
fn place(ctx: &Ctx, token: &str, user: u64, body: &Value) -> Result<Exchange, Failure> {
    ctx.send(Request::post(orders_of(user)).bearer(token).json(body))
}

/// Places a valid order for `user` as `token`: a check's setup, which blocks the check if it fails.
fn placed(ctx: &Ctx, token: &str, user: u64) -> Result<Value, Failure> {
    let exchange = place(ctx, token, user, &small())?;
    expect::ok_json(&exchange, 201, "placing an order")
        .map_err(|f| f.blocked("placing a test order"))
}

fn id(value: &Value) -> u64 {
    value["id"].as_u64().unwrap_or_default()
}

/// How many orders the admin sees under `user`.
fn count(ctx: &Ctx, user: u64) -> Result<(Exchange, u64), Failure> {
    let admin = ctx.admin()?;
    let exchange = ctx.send(Request::get(orders_of(user)).bearer(&admin.token))?;
    let page = expect::ok_json(&exchange, 200, "GET /users/{id}/orders as the admin")?;
    let total = page["total"].as_u64().unwrap_or_default();
    Ok((exchange, total))
}

/// The members of an order but its links, which may be written differently in each answer.
fn without_links(order: &Value) -> Value {
    let mut order = order.clone();
    if let Some(members) = order.as_object_mut() {
        members.remove("links");
    }
    order
}

fn ord_01(ctx: &Ctx) -> Outcome {
    let owner = ctx.user("user")?;
    let admin = ctx.admin()?;
    let seen = Mutex::new(BTreeSet::new());
    let most = Item {
        sku: "Z".repeat(64),
        quantity: 1000,
        unit_price: 10_000_000,
    };
    let least = Item {
        sku: "a".into(),
        quantity: 1,
        unit_price: 1,
    };
    let edges = [
        (vec![least.clone()], false),
        (vec![most; 50], true),
        (vec![least.clone(), least], false),
    ];
    let strategy = (vec(item(), 1..=6), any::<bool>());
    for_all(ctx.budget, edges, strategy, |(items, by_admin)| {
        let token = if *by_admin {
            &admin.token
        } else {
            &owner.token
        };
        let who = if *by_admin { "the admin" } else { "the user" };
        let exchange = place(ctx, token, owner.id, &body(items))?;
        let what = format!("an order placed by {who}");
        let order = expect::ok_json(&exchange, 201, &what)?;
        let order_id = id(&order);
        let fresh = order_id > 0
            && seen
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(order_id);
        ensure(fresh, || {
            exchange.fail(
                format!("{what} has an id that is not positive, or another order's"),
                "a positive id no other order has",
                format!("\"id\": {}", order["id"]),
            )
        })?;
        ensure(order["user_id"].as_u64() == Some(owner.id), || {
            exchange.fail(
                format!("{what} names another user"),
                format!("\"user_id\": {}", owner.id),
                format!("\"user_id\": {}", order["user_id"]),
            )
        })?;
        let sent: Vec<Value> = items.iter().map(Item::json).collect();
        ensure(order["items"] == Value::from(sent.clone()), || {
            exchange.fail(
                format!("{what} does not hold the items as sent, in their order"),
                format!("\"items\": {}", Value::from(sent.clone())),
                format!("\"items\": {}", order["items"]),
            )
        })?;
        let total: u64 = items.iter().map(|i| i.quantity * i.unit_price).sum();
        ensure(order["total"].as_u64() == Some(total), || {
            exchange.fail(
                format!("{what}: total is not the sum of quantity × unit_price"),
                format!("\"total\": {total}"),
                format!("\"total\": {}", order["total"]),
            )
        })?;
        let url = under_base(ctx, &format!("/users/{}/orders/{order_id}", owner.id))?;
        let location = exchange.header("location").unwrap_or_default();
        let resolved = request_url(&exchange)?.join(location).ok();
        ensure(
            resolved
                .as_ref()
                .is_some_and(|l| super::links::same(l, &url)),
            || {
                exchange.fail(
                    format!("{what}: Location does not resolve to the order"),
                    format!("Location resolving to {url}"),
                    format!("Location: {location}"),
                )
            },
        )?;
        let links = links_of(&exchange, &order, &what)?;
        points_to(&exchange, links, "self", &url, &what)?;
        points_to(
            &exchange,
            links,
            "user",
            &under_base(ctx, &format!("/users/{}", owner.id))?,
            &what,
        )?;
        for (reader, token) in [("the user", &owner.token), ("the admin", &admin.token)] {
            let read = ctx.send(Request::get(url.to_string()).bearer(token))?;
            let again = expect::ok_json(&read, 200, &format!("GET of the new order by {reader}"))?;
            ensure(without_links(&again) == without_links(&order), || {
                read.fail(
                    format!("GET of the new order by {reader} answers another representation"),
                    without_links(&order).to_string(),
                    without_links(&again).to_string(),
                )
            })?;
        }
        Ok(())
    })
}

fn ord_03(ctx: &Ctx) -> Outcome {
    let owner = ctx.member("user")?;
    let admin = ctx.admin()?;
    let order = placed(ctx, &admin.token, owner.id)?;
    let one = format!("{}/{}", orders_of(owner.id), id(&order));
    let routes = |token: Option<&str>| {
        let with = |r: Request| match token {
            Some(t) => r.bearer(t),
            None => r,
        };
        [
            (
                with(Request::post(orders_of(owner.id)).json(&small())),
                "POST /users/{id}/orders",
            ),
            (
                with(Request::get(orders_of(owner.id))),
                "GET /users/{id}/orders",
            ),
            (
                with(Request::get(one.clone())),
                "GET /users/{id}/orders/{order_id}",
            ),
        ]
    };
    for role in ["user", "moderator"] {
        let other = ctx.user(role)?;
        for (request, route) in routes(Some(&other.token)) {
            let exchange = ctx.send(request)?;
            expect::problem(
                &exchange,
                403,
                &format!("{route} by a {role} who is another user"),
            )?;
        }
    }
    for (request, route) in routes(None) {
        let exchange = ctx.send(request)?;
        expect::problem(&exchange, 401, &format!("{route} without a credential"))?;
    }
    let (listing, total) = count(ctx, owner.id)?;
    ensure(total == 1, || {
        listing.fail(
            "an order refused to another user was created all the same",
            "\"total\": 1, the one order the admin placed",
            format!("\"total\": {total}"),
        )
    })
}

fn ord_04(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    let (a, b) = (ctx.member("user")?, ctx.member("user")?);
    let (of_a, of_b) = (
        placed(ctx, &admin.token, a.id)?,
        placed(ctx, &admin.token, b.id)?,
    );
    let absent = 1u64 << 62;
    let cases = [
        (
            format!("{}/{}", orders_of(a.id), id(&of_b)),
            "another user's order",
        ),
        (
            format!("{}/{}", orders_of(b.id), id(&of_a)),
            "another user's order",
        ),
        (
            format!("{}/{absent}", orders_of(a.id)),
            "an order that does not exist",
        ),
        (
            format!("{}/x{}", orders_of(a.id), id(&of_a)),
            "an order id that is not a number",
        ),
        (
            orders_of(absent),
            "the orders of a user that does not exist",
        ),
        (
            format!("{}/{}", orders_of(absent), id(&of_a)),
            "an order under a user that does not exist",
        ),
    ];
    for (path, what) in cases {
        let exchange = ctx.send(Request::get(path.clone()).bearer(&admin.token))?;
        expect::problem(&exchange, 404, &format!("GET {path} as the admin, {what}"))?;
    }
    let exchange = place(ctx, &admin.token, absent, &small())?;
    expect::problem(
        &exchange,
        404,
        "POST /users/{id}/orders for a user that does not exist",
    )?;
    Ok(())
}

fn ord_06(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    let owner = ctx.member("user")?;
    let orders = [
        placed(ctx, &admin.token, owner.id)?,
        placed(ctx, &admin.token, owner.id)?,
    ];
    let delete = Request::delete(format!("/users/{}", owner.id)).bearer(&admin.token);
    expect::status(&ctx.send(delete)?, &[204], "deleting a user with orders")?;
    let mut paths = vec![orders_of(owner.id)];
    paths.extend(
        orders
            .iter()
            .map(|o| format!("{}/{}", orders_of(owner.id), id(o))),
    );
    for path in paths {
        let exchange = ctx.send(Request::get(path.clone()).bearer(&admin.token))?;
        expect::problem(
            &exchange,
            404,
            &format!("GET {path} after its user was deleted"),
        )?;
    }
    Ok(())
}
