//! COL-07: `fields` selects the members of each user answered, `id` always among them.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use serde_json::Value;

use super::{Group, id, query};
use crate::checks::Outcome;
use crate::context::Ctx;
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::http::{Exchange, Request};
use crate::property::for_all;
use crate::queries;

/// Where a selection is asked for.
#[derive(Clone, Copy, Debug)]
enum Target {
    One,
    OffsetPage,
    CursorPage,
}

fn target() -> impl Strategy<Value = Target> {
    proptest::sample::select(vec![Target::One, Target::OffsetPage, Target::CursorPage])
}

/// The answer to `fields` at `target`.
fn ask(ctx: &Ctx, group: &Group, target: Target, fields: &str) -> Result<Exchange, Failure> {
    let selected = ("fields", fields.to_owned());
    match target {
        Target::One => {
            let path = format!("/users/{}{}", id(&group.members[0]), query(&[selected]));
            ctx.send(Request::get(path).bearer(&group.lister.token))
        }
        Target::OffsetPage => group.list(ctx, &[("search", group.tag.clone()), selected]),
        Target::CursorPage => group.list(
            ctx,
            &[
                ("search", group.tag.clone()),
                ("limit", "2".into()),
                selected,
            ],
        ),
    }
}

pub fn col_07(ctx: &Ctx) -> Outcome {
    let group = Group::plain(ctx, 3)?;
    let whole: BTreeMap<u64, Value> = group
        .ids()
        .into_iter()
        .map(|i| ctx.fetch(i).map(|u| (i, u)))
        .collect::<Result<_, _>>()?;
    let edges = [
        (vec!["username"], Target::One),
        (vec!["username"], Target::OffsetPage),
        (vec!["email", "role"], Target::CursorPage),
        (vec!["id"], Target::One),
        (queries::MEMBERS.to_vec(), Target::OffsetPage),
    ];
    for_all(
        ctx.budget,
        edges,
        (queries::fields(), target()),
        |(fields, target)| {
            let list = fields.join(",");
            let exchange = ask(ctx, &group, *target, &list)?;
            let body = expect::ok_json(&exchange, 200, &format!("a selection of fields={list}"))?;
            let users = match target {
                Target::One => vec![body],
                _ => body["items"].as_array().cloned().unwrap_or_default(),
            };
            ensure(!users.is_empty(), || {
                exchange.fail(
                    "a selection answered no users",
                    "the group's users",
                    exchange.summary(),
                )
            })?;
            let mut wanted: BTreeSet<&str> = fields.iter().copied().collect();
            wanted.insert("id");
            for user in &users {
                let members: BTreeSet<&str> = user
                    .as_object()
                    .map(|o| o.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                ensure(members == wanted, || {
                    exchange.fail(
                        format!(
                            "fields={list} did not select exactly the members asked for and id"
                        ),
                        format!("members {wanted:?}"),
                        format!("members {members:?}"),
                    )
                })?;
                let full = whole.get(&id(user));
                let differs = |m: &&str| full.is_some_and(|full| full[*m] != user[*m]);
                let changed: Vec<&str> = wanted.iter().copied().filter(differs).collect();
                ensure(full.is_some() && changed.is_empty(), || {
                    exchange.fail(
                        "a selected member differs from the user's representation",
                        format!(
                            "the values of {}",
                            full.map(Value::to_string)
                                .unwrap_or_else(|| "a user of the group".into())
                        ),
                        format!("{user} (differs in {changed:?})"),
                    )
                })?;
            }
            Ok(())
        },
    )?;
    let edges = [
        ("password_hash".to_owned(), Target::One),
        (String::new(), Target::OffsetPage),
    ];
    for_all(
        ctx.budget,
        edges,
        (queries::invalid_fields(), target()),
        |(list, target)| {
            let exchange = ask(ctx, &group, *target, list)?;
            expect::names_fields(&exchange, &["fields"], &format!("fields={list:?}"))
        },
    )
}
