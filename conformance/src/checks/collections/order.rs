//! COL-06: sorting by an allowed key, in either direction, ties broken by id.

use std::cmp::Ordering;

use proptest::prelude::*;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Group, Mode, id, mode, walk};
use crate::checks::Outcome;
use crate::context::Ctx;
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::property::for_all;
use crate::queries::{self, Form};

/// Members whose usernames sort differently with case than without, and whose emails sort in
/// another order again.
pub fn mixed_group(ctx: &Ctx, n: usize) -> Result<Group, Failure> {
    const LETTERS: [&str; 8] = ["b", "A", "d", "C", "f", "E", "h", "G"];
    Group::new(ctx, n, |i, tag| {
        let name = format!("{tag}{}{i}", LETTERS[i % LETTERS.len()]);
        json!({
            "username": name,
            "email": format!("{tag}{}@example.com", n - i),
            "password": ctx.password(),
        })
    })
}

/// What a sort compares of a user: its lowercased text, or its instant.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    None,
    Text(String),
    Time(OffsetDateTime),
}

fn key(user: &Value, sort: &str) -> Result<Key, Failure> {
    let text = || user[sort].as_str().map(str::to_lowercase);
    match sort {
        "username" | "email" => text().map(Key::Text),
        "created_at" => user[sort]
            .as_str()
            .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
            .map(Key::Time),
        _ => Some(Key::None),
    }
    .ok_or_else(|| {
        Failure::new(
            format!("a listed user's `{sort}` cannot be sorted by"),
            format!("`{sort}` as the user representation has it"),
            user.to_string(),
        )
    })
}

type Sorting = (&'static str, Form, Mode);

pub fn col_06(ctx: &Ctx) -> Outcome {
    let group = mixed_group(ctx, 6)?;
    let n = group.members.len();
    let edges: [Sorting; 6] = [
        ("username", Form::Minus, Mode::Offset(2)),
        ("username", Form::Plain, Mode::Cursor(2)),
        ("email", Form::OrderDesc, Mode::Cursor(4)),
        ("created_at", Form::MinusOrderDesc, Mode::Offset(3)),
        ("id", Form::OrderDesc, Mode::Cursor(1)),
        ("username", Form::Minus, Mode::Cursor(3)),
    ];
    let strategy = (queries::sort(), mode()).prop_map(|((key, form), mode)| (key, form, mode));
    for_all(ctx.budget, edges, strategy, |(sort, form, mode)| {
        let mut params = vec![("search", group.tag.clone())];
        params.extend(form.params(sort));
        let users = walk(ctx, &group, &params, *mode)?;
        let what = format!("a walk of {params:?} in {mode:?}");
        ensure(users.len() == n, || {
            Failure::new(
                format!("{what} does not hold the group"),
                format!("the {n} users of the group"),
                format!("{} users", users.len()),
            )
        })?;
        let want = if form.descending() {
            Ordering::Greater
        } else {
            Ordering::Less
        };
        for pair in users.windows(2) {
            let order = key(&pair[0], sort)?
                .cmp(&key(&pair[1], sort)?)
                .then(id(&pair[0]).cmp(&id(&pair[1])));
            ensure(order == want, || {
                let shown = |u: &Value| format!("{{id: {}, {sort}: {}}}", u["id"], u[*sort]);
                Failure::new(
                    format!("{what} is out of order"),
                    format!(
                        "by {sort} ({}), ties by id, {}",
                        if matches!(*sort, "username" | "email") {
                            "lowercased"
                        } else {
                            "as is"
                        },
                        if form.descending() {
                            "descending"
                        } else {
                            "ascending"
                        }
                    ),
                    format!("{} before {}", shown(&pair[0]), shown(&pair[1])),
                )
            })?;
        }
        Ok(())
    })?;
    refusals(ctx, &group)
}

fn refusals(ctx: &Ctx, group: &Group) -> Outcome {
    #[derive(Clone, Debug)]
    enum Bad {
        Sort(String),
        Order(String),
        Contradiction(&'static str),
    }
    let strategy = prop_oneof![
        queries::invalid_sort().prop_map(Bad::Sort),
        queries::invalid_order().prop_map(Bad::Order),
        proptest::sample::select(queries::SORT_KEYS.to_vec()).prop_map(Bad::Contradiction),
    ];
    let edges = [
        Bad::Sort("password_hash".into()),
        Bad::Order("DESC".into()),
        Bad::Contradiction("username"),
    ];
    for_all(ctx.budget, edges, strategy, |bad| {
        let (params, named) = match bad {
            Bad::Sort(s) => (vec![("sort", s.clone())], "sort"),
            Bad::Order(o) => (
                vec![("sort", "email".into()), ("order", o.clone())],
                "order",
            ),
            Bad::Contradiction(k) => (
                vec![("sort", format!("-{k}")), ("order", "asc".into())],
                "order",
            ),
        };
        let mut with = vec![("search", group.tag.clone())];
        with.extend(params);
        let exchange = group.list(ctx, &with)?;
        expect::names_fields(&exchange, &[named], &format!("an invalid {named}"))
    })
}
