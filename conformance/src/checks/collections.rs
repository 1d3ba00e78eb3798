//! CONTRACT §7, Collections: pages, cursors, filters, sort and field selection of `GET /users`.
//!
//! The target may be shared: other clients, and the suite's other checks, create and delete users
//! while these run. So every walk lists only the check's own group of users, whose usernames,
//! emails or full names hold a tag no one else's can (`ctx.unique()`), with `search=<tag>`.

mod cursor;
mod fields;
mod filters;
mod order;
mod pages;
mod walk;

use proptest::prelude::*;
use serde_json::Value;

use super::{Check, Needs};
use crate::context::{Ctx, Session};
use crate::failure::Failure;
use crate::http::{Exchange, Request};

pub use pages::parse_links;
pub use walk::{items, walk, walk_cursor, walk_pages};

pub const CHECKS: &[Check] = &[
    Check {
        id: "COL-01",
        section: "collections",
        title: "offset pages carry X-Total-Count and Link",
        hint: "link first, prev, next and last with the request's own query, only page changed; \
               \"a page past the last, up to 2^63 − 1, is answered 200 with empty items; a page or \
               page_size that is not an integer in its range is answered 422 naming it\": digits \
               alone, no sign or leading zero, and offsets that cannot overflow",
        needs: Needs::Nothing,
        run: pages::col_01,
    },
    Check {
        id: "COL-02",
        section: "collections",
        title: "offset pages partition the collection",
        hint: "slice the sorted, filtered collection at (page - 1) * page_size; \"every page, the \
               last of a walk as much as the first, matches its schema\"",
        needs: Needs::Nothing,
        run: pages::col_02,
    },
    Check {
        id: "COL-03",
        section: "collections",
        title: "a cursor walk sees each lasting user once while others come and go",
        hint: "resume after the last item's (sort key, id), never at an offset; fetch limit + 1 \
               to know: \"has_next true exactly when more users follow this page ... otherwise \
               has_next false and next_cursor null, a member that is present\"; mixed paging names \
               \"every one of cursor, limit, page and page_size that the request gives, and none \
               that it does not\"",
        needs: Needs::Nothing,
        run: cursor::col_03,
    },
    Check {
        id: "COL-04",
        section: "collections",
        title: "a forged, altered or mismatched cursor is 422 naming cursor",
        hint: "sign cursors (HMAC) and keep the sort and filters they were issued for in them",
        needs: Needs::Nothing,
        run: cursor::col_04,
    },
    Check {
        id: "COL-05",
        section: "collections",
        title: "role, is_active and search filter, together with AND",
        hint: "match search against username, email and full_name, all lowercased",
        needs: Needs::Nothing,
        run: filters::col_05,
    },
    Check {
        id: "COL-06",
        section: "collections",
        title: "sort by an allowed key in either direction, ties by id",
        hint: "order by (lowercased key, id), reversed as a whole for descending",
        needs: Needs::Nothing,
        run: order::col_06,
    },
    Check {
        id: "COL-07",
        section: "collections",
        title: "fields selects the members answered, and id always",
        hint: "keep exactly the listed members plus id; refuse names outside the representation",
        needs: Needs::Nothing,
        run: fields::col_07,
    },
];

/// A query string (`?a=1&b=2`) of `params`, percent-encoded; empty without any.
pub fn query(params: &[(&str, String)]) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let pairs: Vec<String> = params
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, NON_ALPHANUMERIC),
                utf8_percent_encode(v, NON_ALPHANUMERIC)
            )
        })
        .collect();
    if pairs.is_empty() {
        String::new()
    } else {
        format!("?{}", pairs.join("&"))
    }
}

/// The users a check lists, all found by `search=<tag>` and by no one else's search for it.
pub struct Group {
    pub tag: String,
    /// A user of the check's own who sends the listing requests, with a rate-limit bucket of
    /// its own.
    pub lister: Session,
    /// The members as the target last answered them.
    pub members: Vec<Value>,
}

impl Group {
    /// Signs up `n` members, member `i` from `body(i, tag)`.
    pub fn new(ctx: &Ctx, n: usize, body: impl Fn(usize, &str) -> Value) -> Result<Group, Failure> {
        let tag = ctx.unique();
        let members = (0..n)
            .map(|i| ctx.create(&body(i, &tag)))
            .collect::<Result<_, _>>()?;
        Ok(Group {
            tag,
            lister: ctx.user("user")?,
            members,
        })
    }

    /// Members named `{tag}{i}` with an email to match.
    pub fn plain(ctx: &Ctx, n: usize) -> Result<Group, Failure> {
        Group::new(ctx, n, |i, tag| member(ctx, &format!("{tag}{i}")))
    }

    pub fn ids(&self) -> Vec<u64> {
        self.members.iter().map(id).collect()
    }

    pub fn list(&self, ctx: &Ctx, params: &[(&str, String)]) -> Result<Exchange, Failure> {
        ctx.send(Request::get(format!("/users{}", query(params))).bearer(&self.lister.token))
    }
}

/// A sign-up body whose username is `name` and whose email is `name@example.com`.
pub fn member(ctx: &Ctx, name: &str) -> Value {
    serde_json::json!({
        "username": name,
        "email": format!("{}@example.com", name.to_lowercase()),
        "password": ctx.password(),
    })
}

pub fn id(user: &Value) -> u64 {
    user["id"].as_u64().unwrap_or_default()
}

/// How a walk pages.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    /// Offset pages of this `page_size`.
    Offset(u64),
    /// Cursor pages of this `limit`.
    Cursor(u64),
}

pub fn mode() -> impl Strategy<Value = Mode> {
    prop_oneof![
        (1..=4u64).prop_map(Mode::Offset),
        (1..=4u64).prop_map(Mode::Cursor)
    ]
}

/// The ids that occur more than once in `users`.
pub fn repeated(users: &[Value]) -> Vec<u64> {
    let mut ids: Vec<u64> = users.iter().map(id).collect();
    ids.sort_unstable();
    let mut twice: Vec<u64> = ids
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    twice.dedup();
    twice
}
