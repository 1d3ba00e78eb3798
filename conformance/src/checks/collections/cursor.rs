//! COL-03 and COL-04: cursor pages, walks under concurrent writes, and cursors that must not pass.

use std::collections::BTreeSet;
use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;
use serde_json::Value;

use super::{Group, id, member, repeated, walk_cursor};
use crate::checks::Outcome;
use crate::context::Ctx;
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::http::Request;
use crate::property::{Budget, for_all};
use crate::queries::{self, Form};

/// Where a first cursor page stands: its `next_cursor`, after checking the page's shape.
fn first_cursor(ctx: &Ctx, group: &Group, params: &[(&str, String)]) -> Result<String, Failure> {
    let exchange = group.list(ctx, params)?;
    let body = expect::ok_json(&exchange, 200, "a first cursor page")?;
    let cursor = body["next_cursor"].as_str();
    ensure(
        body["has_next"] == Value::Bool(true) && cursor.is_some(),
        || {
            exchange.fail(
                "a cursor page with more to follow does not say so",
                "\"has_next\": true and \"next_cursor\": a string",
                exchange.summary(),
            )
        },
    )?;
    Ok(cursor.unwrap_or_default().to_owned())
}

/// The parameters of one paging kind and of the other, given together.
const PAGING: [&str; 4] = ["cursor", "limit", "page", "page_size"];

fn refusals(ctx: &Ctx, group: &Group) -> Outcome {
    let tag = || ("search", group.tag.clone());
    let edges = queries::integer_edges(100)
        .into_iter()
        .chain(["101", "x", "2.5"].map(str::to_owned));
    for_all(ctx.budget, edges, queries::invalid_integer(100), |limit| {
        let exchange = group.list(ctx, &[tag(), ("limit", limit.clone())])?;
        expect::names_fields(
            &exchange,
            &["limit"],
            "a limit that is not an integer from 1 to 100",
        )
    })?;
    let cursor = first_cursor(ctx, group, &[tag(), ("limit", "2".into())])?;
    let given = |names: &[&str]| -> Vec<(&'static str, String)> {
        PAGING
            .into_iter()
            .filter(|n| names.contains(n))
            .map(|n| {
                (
                    n,
                    if n == "cursor" {
                        cursor.clone()
                    } else {
                        "2".into()
                    },
                )
            })
            .collect()
    };
    let mixed = [
        given(&["limit", "page"]),
        given(&["limit", "page_size"]),
        given(&["cursor", "page_size"]),
        given(&["cursor", "limit", "page"]),
        given(&["limit", "page", "page_size"]),
        given(&PAGING),
    ];
    for params in mixed {
        let exchange = group.list(ctx, &params)?;
        let names: Vec<&str> = params.iter().map(|(k, _)| *k).collect();
        let what = format!("{names:?} together");
        expect::names_fields(&exchange, &names, &what)?;
        let problem = expect::problem(&exchange, 422, &what)?;
        let named = expect::error_fields(&problem);
        let extra: Vec<&&str> = PAGING
            .iter()
            .filter(|p| !names.contains(p) && named.iter().any(|n| n == *p))
            .collect();
        ensure(extra.is_empty(), || {
            exchange.fail(
                format!("{what}: the problem names paging parameters the request did not give"),
                format!("of cursor, limit, page and page_size exactly {names:?}"),
                format!("fields named: {named:?}"),
            )
        })?;
    }
    // A walk whose last page is full (limit 2 and 3 of 6), one whose only page is (limit 6), and
    // one far from full: each page says plainly whether more follow.
    let n = group.members.len();
    for limit in [2, 3, n as u64, 100] {
        let users = walk_cursor(ctx, group, &[tag()], limit, |_| Ok(()))?;
        ensure(users.len() == n, || {
            Failure::new(
                format!("a cursor walk at limit {limit} does not hold the group"),
                format!("the {n} users of the group"),
                format!("{:?}", users.iter().map(id).collect::<Vec<_>>()),
            )
        })?;
    }
    Ok(())
}

pub fn col_03(ctx: &Ctx) -> Outcome {
    let group = Group::plain(ctx, 6)?;
    refusals(ctx, &group)?;
    let admin = ctx.admin()?;
    // The group as it stands: walks delete members and sign up new ones.
    let live = Mutex::new(group.members.clone());
    let budget = Budget {
        cases: ctx.budget.cases.min(6),
        ..ctx.budget
    };
    let strategy = (
        1..=3u64,
        proptest::option::of(queries::sort()),
        proptest::collection::vec(any::<usize>(), 1..=4),
    );
    let edges = [
        (2, None, vec![0; 4]),
        (1, Some(("username", Form::Minus)), vec![0; 4]),
        (3, Some(("created_at", Form::Plain)), vec![0; 4]),
    ];
    let live_now = || live.lock().unwrap_or_else(|e| e.into_inner());
    for_all(budget, edges, strategy, |(limit, sort, picks)| {
        let before: BTreeSet<u64> = live_now().iter().map(id).collect();
        let mut params = vec![("search", group.tag.clone())];
        params.extend(sort.map(|(key, form)| form.params(key)).unwrap_or_default());
        let (mut seen, mut deleted) = (Vec::<u64>::new(), BTreeSet::new());
        let mut picks = picks.iter();
        // Between pages, one user already seen goes and a new one comes: an offset would then skip
        // one user or show one twice.
        let users = walk_cursor(ctx, &group, &params, *limit, |page| {
            seen.extend(page.iter().map(id));
            // A fixed number of changes, so that the walk ends however the new users sort.
            let Some(pick) = picks.next() else {
                return Ok(());
            };
            let doomed: Vec<u64> = seen
                .iter()
                .copied()
                .filter(|i| !deleted.contains(i))
                .collect();
            if !doomed.is_empty() {
                let gone = doomed[pick % doomed.len()];
                let delete = Request::delete(format!("/users/{gone}")).bearer(&admin.token);
                expect::status(&ctx.send(delete)?, &[204], "deleting a user during a walk")?;
                deleted.insert(gone);
                live_now().retain(|u| id(u) != gone);
            }
            let name = format!("{}{}", group.tag, ctx.unique());
            let created = ctx.create(&member(ctx, &name))?;
            live_now().push(created);
            Ok(())
        })?;
        let order: Vec<u64> = users.iter().map(id).collect();
        let twice = repeated(&users);
        ensure(twice.is_empty(), || {
            Failure::new(
                format!("a cursor walk of limit {limit} showed users {twice:?} twice"),
                "no user twice in one walk",
                format!("ids in walk order: {order:?} (deleted during it: {deleted:?})"),
            )
        })?;
        let lasting: BTreeSet<u64> = before.difference(&deleted).copied().collect();
        let skipped: Vec<&u64> = lasting.iter().filter(|i| !order.contains(i)).collect();
        ensure(skipped.is_empty(), || {
            Failure::new(
                format!(
                    "a cursor walk of limit {limit} skipped users {skipped:?} that existed throughout"
                ),
                format!("every one of {lasting:?}"),
                format!("ids in walk order: {order:?} (deleted during it: {deleted:?})"),
            )
        })
    })
}

/// A guess at forging `cursor`: every number in each part of it that is base64url JSON moved by
/// one and the part re-encoded, the rest kept. A cursor of another format gets its last
/// character changed instead.
pub fn forge(cursor: &str) -> String {
    fn bump(value: &mut Value) {
        match value {
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    *value = Value::from(u.wrapping_add(1));
                } else if let Some(i) = n.as_i64() {
                    *value = Value::from(i.wrapping_add(1));
                }
            }
            Value::Array(items) => items.iter_mut().for_each(bump),
            Value::Object(members) => members.values_mut().for_each(bump),
            _ => {}
        }
    }
    let mut changed = false;
    let parts: Vec<String> = cursor
        .split('.')
        .map(|part| {
            let decoded = URL_SAFE_NO_PAD.decode(part).ok();
            match decoded.and_then(|b| serde_json::from_slice::<Value>(&b).ok()) {
                Some(mut json) if json.is_object() => {
                    bump(&mut json);
                    changed = true;
                    URL_SAFE_NO_PAD.encode(json.to_string())
                }
                _ => part.to_owned(),
            }
        })
        .collect();
    if changed {
        parts.join(".")
    } else {
        alter(cursor, cursor.len().saturating_sub(1), 'A')
    }
}

/// `cursor` with the character at `at` replaced by `with`, or by another when it is `with`.
fn alter(cursor: &str, at: usize, with: char) -> String {
    let mut chars: Vec<char> = cursor.chars().collect();
    if chars.is_empty() {
        return with.to_string();
    }
    let at = at.min(chars.len() - 1);
    chars[at] = if chars[at] == with {
        if with == 'A' { 'B' } else { 'A' }
    } else {
        with
    };
    chars.into_iter().collect()
}

/// What a client may send as a cursor that the server never issued.
#[derive(Clone, Debug)]
enum Bad {
    Garbage(String),
    /// The character at this index (modulo the length) replaced.
    Altered(usize, char),
    /// Only this many characters kept (modulo the length).
    Truncated(usize),
    Extended(String),
    Forged,
}

fn bad_cursor() -> impl Strategy<Value = Bad> {
    let alphabet = proptest::sample::select(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ %"
            .chars()
            .collect::<Vec<_>>(),
    );
    prop_oneof![
        "[ -~]{0,48}".prop_map(Bad::Garbage),
        (any::<usize>(), alphabet).prop_map(|(at, c)| Bad::Altered(at, c)),
        any::<usize>().prop_map(Bad::Truncated),
        "[A-Za-z0-9_.=-]{1,8}".prop_map(Bad::Extended),
        Just(Bad::Forged),
    ]
}

pub fn col_04(ctx: &Ctx) -> Outcome {
    let group = Group::plain(ctx, 5)?;
    let issued_for = vec![
        ("search", group.tag.clone()),
        ("sort", "-username".into()),
        ("limit", "2".into()),
    ];
    let cursor = first_cursor(ctx, &group, &issued_for)?;
    let next = |params: &[(&str, String)], what: &str| -> Result<Vec<u64>, Failure> {
        let mut with = vec![("cursor", cursor.clone())];
        with.extend_from_slice(params);
        let exchange = group.list(ctx, &with)?;
        let body = expect::ok_json(&exchange, 200, what)?;
        Ok(body["items"]
            .as_array()
            .map(|a| a.iter().map(id).collect())
            .unwrap_or_default())
    };
    let alone = next(&[], "the page after a cursor")?;
    let restated = next(
        &issued_for[..2],
        "a cursor with the sort and search it was issued for",
    )?;
    ensure(alone == restated && !alone.is_empty(), || {
        Failure::new(
            "a cursor answers another page when its sort and search are given again",
            format!("the same users as the cursor alone: {alone:?}"),
            format!("{restated:?}"),
        )
    })?;
    let others = [
        ("sort", "username".to_owned()),
        ("sort", "-email".to_owned()),
        ("order", "asc".to_owned()),
        ("search", format!("{}0", group.tag)),
        ("role", "admin".to_owned()),
        ("is_active", "true".to_owned()),
    ];
    for other in others {
        let exchange = group.list(ctx, &[("cursor", cursor.clone()), other.clone()])?;
        let what = format!(
            "a cursor with {}={}, which it was not issued for",
            other.0, other.1
        );
        expect::names_fields(&exchange, &["cursor"], &what)?;
    }
    let edges = [
        Bad::Forged,
        Bad::Garbage(String::new()),
        Bad::Garbage("null".into()),
        Bad::Garbage(URL_SAFE_NO_PAD.encode(r#"{"id":1}"#)),
        Bad::Truncated(cursor.chars().count().saturating_sub(1)),
        Bad::Extended("A".into()),
        Bad::Altered(0, 'A'),
        Bad::Altered(cursor.chars().count().saturating_sub(1), 'A'),
    ];
    let length = cursor.chars().count().max(1);
    for_all(ctx.budget, edges, bad_cursor(), |bad| {
        let sent = match bad {
            Bad::Garbage(s) => s.clone(),
            Bad::Altered(at, c) => alter(&cursor, at % length, *c),
            Bad::Truncated(kept) => cursor.chars().take(kept % length).collect(),
            Bad::Extended(tail) => format!("{cursor}{tail}"),
            Bad::Forged => forge(&cursor),
        };
        let exchange = group.list(ctx, &[("cursor", sent)])?;
        expect::names_fields(&exchange, &["cursor"], "a cursor the server did not issue")
    })
}
