//! ORD-02: order bodies that break the rules, one breach or two at a time.

use std::collections::BTreeSet;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

use super::{Item, body, count, place, small};
use crate::checks::Outcome;
use crate::context::Ctx;
use crate::expect;
use crate::failure::ensure;
use crate::property::for_all;

/// A way to break an order body, and the field its problem must name.
#[derive(Clone, Debug)]
enum Breach {
    /// The body's `items` replaced by this.
    Items(Value),
    /// A body member other than `items`.
    BodyMember,
    /// Item `at` replaced by a non-object.
    NotObject(usize),
    /// Item `at`'s member set to a value that breaks its rule.
    Member(usize, &'static str, Value),
    /// Item `at` given a member it must not have.
    Extra(usize),
}

fn breach(len: usize) -> impl Strategy<Value = Breach> {
    let at = 0..len;
    let sku = prop_oneof![
        Just(json!("")),
        Just(json!("A".repeat(65))),
        Just(json!("book one")),
        Just(json!("é")),
        Just(json!(12)),
        Just(Value::Null),
    ];
    let quantity = prop_oneof![
        Just(json!(0)),
        Just(json!(1001)),
        Just(json!(-1)),
        Just(json!(1.5)),
        Just(json!("2")),
        Just(Value::Null),
        (1001u64..=u64::MAX).prop_map(Value::from),
    ];
    let price = prop_oneof![
        Just(json!(0)),
        Just(json!(10_000_001)),
        Just(json!(-5)),
        Just(json!(12.5)),
        Just(json!("100")),
        Just(Value::from(u64::MAX)),
    ];
    prop_oneof![
        select(vec![json!([]), json!({}), json!("items"), Value::Null]).prop_map(Breach::Items),
        Just(Breach::Items(Value::from(vec![
            small()["items"][0].clone();
            51
        ]))),
        Just(Breach::BodyMember),
        at.clone().prop_map(Breach::NotObject),
        (at.clone(), sku).prop_map(|(i, v)| Breach::Member(i, "sku", v)),
        (at.clone(), quantity).prop_map(|(i, v)| Breach::Member(i, "quantity", v)),
        (at.clone(), price).prop_map(|(i, v)| Breach::Member(i, "unit_price", v)),
        at.prop_map(Breach::Extra),
    ]
}

impl Breach {
    /// Breaks `body`; the field the problem must name.
    fn apply(&self, body: &mut Value) -> String {
        match self {
            Breach::Items(items) => {
                body["items"] = items.clone();
                "items".into()
            }
            Breach::BodyMember => {
                body["note"] = json!("gift");
                "note".into()
            }
            Breach::NotObject(at) => {
                body["items"][*at] = json!(7);
                format!("items[{at}]")
            }
            Breach::Member(at, member, value) => {
                body["items"][*at][*member] = value.clone();
                format!("items[{at}].{member}")
            }
            Breach::Extra(at) => {
                body["items"][*at]["discount"] = json!(10);
                format!("items[{at}].discount")
            }
        }
    }
}

/// The breaches that can be made together: one that replaces `items` alone, else at most one
/// per item (and the body member).
fn distinct(breaches: &[Breach]) -> Vec<Breach> {
    if let Some(whole) = breaches.iter().find(|b| matches!(b, Breach::Items(_))) {
        return vec![whole.clone()];
    }
    let mut items = BTreeSet::new();
    let mut kept = Vec::new();
    for breach in breaches {
        let fresh = match breach {
            Breach::NotObject(at) | Breach::Member(at, ..) | Breach::Extra(at) => items.insert(*at),
            Breach::BodyMember => !kept.iter().any(|b| matches!(b, Breach::BodyMember)),
            Breach::Items(_) => false,
        };
        if fresh {
            kept.push(breach.clone());
        }
    }
    kept
}

pub(super) fn ord_02(ctx: &Ctx) -> Outcome {
    let owner = ctx.user("user")?;
    let edges = [
        (
            2,
            vec![Breach::Items(Value::from(vec![
                small()["items"][0].clone();
                51
            ]))],
        ),
        (1, vec![Breach::Items(json!([]))]),
        (2, vec![Breach::Member(1, "quantity", json!(0))]),
        (
            3,
            vec![
                Breach::Member(0, "unit_price", json!(10_000_001)),
                Breach::Member(2, "sku", json!("")),
            ],
        ),
        (1, vec![Breach::Extra(0), Breach::BodyMember]),
    ];
    let strategy = (1..=4usize).prop_flat_map(|len| (Just(len), vec(breach(len), 1..=2)));
    for_all(ctx.budget, edges, strategy, |(len, breaches)| {
        let mut sent = body(&vec![
            Item {
                sku: "TS-1".into(),
                quantity: 2,
                unit_price: 100,
            };
            *len
        ]);
        let fields: Vec<String> = distinct(breaches)
            .iter()
            .map(|b| b.apply(&mut sent))
            .collect();
        let exchange = place(ctx, &owner.token, owner.id, &sent)?;
        let names: Vec<&str> = fields.iter().map(String::as_str).collect();
        expect::names_fields(&exchange, &names, "an order that breaks the rules")?;
        let (listing, total) = count(ctx, owner.id)?;
        ensure(total == 0, || {
            listing.fail(
                "a refused order was created all the same",
                "\"total\": 0 orders for a user whose every order was refused",
                format!("\"total\": {total}"),
            )
        })
    })
}
