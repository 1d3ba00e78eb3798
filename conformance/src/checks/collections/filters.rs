//! COL-05: `role`, `is_active` and `search`, alone and together.

use std::collections::BTreeSet;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::{Group, Mode, id, mode, repeated, walk};
use crate::checks::Outcome;
use crate::context::Ctx;
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::http::Request;
use crate::inputs;
use crate::property::for_all;
use crate::queries;

const ROLES: [&str; 3] = ["user", "moderator", "admin"];

/// Nine members of every role, active or not, whose tag is in the username, only in the email, or
/// only in the full name, in upper case where the field keeps case.
fn group(ctx: &Ctx) -> Result<Group, Failure> {
    let mut group = Group::new(ctx, 9, |i, tag| {
        let other = ctx.unique();
        let (username, email, full_name) = match i % 3 {
            0 => (
                format!("{}{i}", tag.to_uppercase()),
                format!("{other}@example.com"),
                None,
            ),
            1 => (other, format!("{tag}{i}@example.com"), None),
            _ => (
                other.clone(),
                format!("{other}@example.com"),
                Some(format!("Member {} {i}", tag.to_uppercase())),
            ),
        };
        json!({"username": username, "email": email, "full_name": full_name, "password": ctx.password()})
    })?;
    let admin = ctx.admin()?;
    for (i, member) in group.members.iter_mut().enumerate() {
        let change = json!({"role": ROLES[(i / 3) % 3], "is_active": i % 2 == 0});
        if member["role"] == change["role"] && member["is_active"] == change["is_active"] {
            continue;
        }
        let exchange = ctx.send(
            Request::patch(format!("/users/{}", id(member)))
                .bearer(&admin.token)
                .json(&change),
        )?;
        *member = expect::ok_json(&exchange, 200, "an admin setting role and is_active")?;
    }
    Ok(group)
}

/// Whether `user` passes the filters, as COL-05 defines them.
fn passes(user: &Value, role: Option<&str>, active: Option<bool>, search: &str) -> bool {
    let search = search.to_lowercase();
    role.is_none_or(|r| user["role"] == r)
        && active.is_none_or(|a| user["is_active"] == a)
        && ["username", "email", "full_name"].iter().any(|m| {
            user[*m]
                .as_str()
                .is_some_and(|s| s.to_lowercase().contains(&search))
        })
}

type Filters = (
    Option<&'static str>,
    Option<bool>,
    Option<u8>,
    Vec<bool>,
    Mode,
);

pub fn col_05(ctx: &Ctx) -> Outcome {
    let group = group(ctx)?;
    let upper = vec![true; 16];
    let edges: [Filters; 5] = [
        (None, None, None, upper.clone(), Mode::Offset(4)),
        (None, None, None, Vec::new(), Mode::Cursor(2)),
        (
            Some("moderator"),
            None,
            None,
            upper.clone(),
            Mode::Cursor(1),
        ),
        (
            Some("admin"),
            Some(false),
            None,
            Vec::new(),
            Mode::Offset(1),
        ),
        (None, Some(true), Some(1), upper, Mode::Cursor(3)),
    ];
    let strategy = (
        proptest::option::of(inputs::role()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(0..10u8),
        inputs::case_mask(),
        mode(),
    );
    for_all(
        ctx.budget,
        edges,
        strategy,
        |(role, active, digit, mask, mode)| {
            let term = format!(
                "{}{}",
                group.tag,
                digit.map(|d| d.to_string()).unwrap_or_default()
            );
            let search = inputs::recase(&term, mask);
            let mut params = vec![("search", search.clone())];
            if let Some(role) = role {
                params.push(("role", role.to_string()));
            }
            if let Some(active) = active {
                params.push(("is_active", active.to_string()));
            }
            let users = walk(ctx, &group, &params, *mode)?;
            let walked: Vec<u64> = users.iter().map(id).collect();
            let expected: BTreeSet<u64> = group
                .members
                .iter()
                .filter(|u| passes(u, *role, *active, &search))
                .map(id)
                .collect();
            let what = format!("a walk of {params:?} in {mode:?}");
            let twice = repeated(&users);
            let got: BTreeSet<u64> = walked.iter().copied().collect();
            ensure(twice.is_empty() && got == expected, || {
                let missing: Vec<&u64> = expected.difference(&got).collect();
                let extra: Vec<&u64> = got.difference(&expected).collect();
                Failure::new(
                    format!("{what} is not the users that match"),
                    format!("exactly the users {expected:?}"),
                    format!(
                        "{walked:?}: missing {missing:?}, not matching {extra:?}, twice {twice:?}"
                    ),
                )
            })
        },
    )?;
    let invalid = prop_oneof![
        inputs::invalid_role().prop_map(|v| ("role", v)),
        queries::invalid_is_active().prop_map(|v| ("is_active", v)),
    ];
    let edges = [
        ("role", "Admin".to_owned()),
        ("is_active", "yes".to_owned()),
    ];
    for_all(ctx.budget, edges, invalid, |(name, value)| {
        let params = [("search", group.tag.clone()), (*name, value.clone())];
        let exchange = group.list(ctx, &params)?;
        expect::names_fields(&exchange, &[name], &format!("a {name} of another value"))
    })
}
