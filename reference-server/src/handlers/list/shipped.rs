//! Pages as implementations of the contract have been seen to ship them: the realistic bugs of
//! the collection (`conformance/tests/bugs/collections.rs`), each behind its name. The intact path
//! through every function here is the plain one.

use http::StatusCode;
use serde_json::Value;

use super::{Page, Run};
use crate::domain::{ListQuery, Paging, Position, SortKey, SortValue, User};
use crate::error::ApiError;
use crate::response::Reply;
use crate::response::json;
use crate::violations::Violations;

/// `page_size` or `limit` parsed as `i32` before its range is checked: a number past what `i32`
/// holds fails with an error that nothing maps to a 422.
pub(super) fn narrow(v: &Violations, query: &[(String, String)]) -> Result<(), ApiError> {
    let i32_overflow = |name: &str| {
        query
            .iter()
            .filter(|(k, _)| k == name)
            .any(|(_, raw)| raw.bytes().all(|b| b.is_ascii_digit()) && raw.parse::<i32>().is_err())
    };
    if v.breaks("page-size-i32") && (i32_overflow("page_size") || i32_overflow("limit")) {
        return Err(ApiError::Internal(
            "number too large to fit in target type".into(),
        ));
    }
    Ok(())
}

/// The offset of a page computed in `i64`: a page far past the last overflows it.
pub(super) fn overflow(v: &Violations, parsed: &ListQuery) -> Result<(), ApiError> {
    if let Paging::Offset { page, page_size } = parsed.paging
        && v.breaks("page-offset-overflow")
        && (page - 1)
            .checked_mul(page_size)
            .is_none_or(|offset| offset > i64::MAX as u64)
    {
        return Err(ApiError::Internal(
            "attempt to multiply with overflow".into(),
        ));
    }
    Ok(())
}

/// The last page of an offset walk one user short: the end of the final slice off by one.
pub(super) fn short_last_page(
    v: &Violations,
    parsed: &ListQuery,
    users: &mut Vec<User>,
    total: u64,
) {
    if let Paging::Offset { page, page_size } = parsed.paging
        && v.breaks("page-drops-last-item")
        && (page - 1).saturating_mul(page_size) + users.len() as u64 == total
    {
        users.pop();
    }
}

/// A cursor page that is full says more follow, whether or not any do: `has_next` computed as
/// `len == limit` instead of fetching one more.
pub(super) fn full_page_continues(
    v: &Violations,
    parsed: &ListQuery,
    users: &[User],
    next: Option<Position>,
) -> Option<Position> {
    let Paging::Cursor { limit, .. } = parsed.paging else {
        return next;
    };
    let last = users.last().filter(|_| users.len() as u64 == limit);
    match last {
        Some(user) if next.is_none() && v.breaks("full-last-page-has-next") => Some(Position {
            key: match parsed.sort.key {
                SortKey::Id => SortValue::Id,
                SortKey::Username => SortValue::Text(user.username.as_str().to_lowercase()),
                SortKey::Email => SortValue::Text(user.email.as_str().to_lowercase()),
                SortKey::CreatedAt => SortValue::Time(
                    i64::try_from(user.created_at.unix_timestamp_nanos()).unwrap_or(i64::MAX),
                ),
            },
            id: user.id,
        }),
        _ => next,
    }
}

/// A page's `self` link without the request's query, the collection's bare path.
pub(super) fn this(v: &Violations, this: String) -> String {
    match this.split_once('?') {
        Some((path, _)) if v.breaks("page-self-without-query") => path.to_owned(),
        _ => this,
    }
}

const PAGE_BUGS: [&str; 2] = ["empty-page-items-null", "last-page-next-page-null"];
const RUN_BUGS: [&str; 3] = [
    "empty-page-items-null",
    "next-cursor-omitted",
    "next-cursor-empty-string",
];

/// `items: null` for no users, the way a nil slice serializes.
fn nil_items(v: &Violations, body: &mut Value) {
    if v.breaks("empty-page-items-null") && body["items"].as_array().is_some_and(Vec::is_empty) {
        body["items"] = Value::Null;
    }
}

/// An offset page; the last one with a `next_page: null` that the others leave out.
pub(super) fn page(v: &Violations, page: &Page, last: bool) -> Result<Reply, ApiError> {
    if !PAGE_BUGS.iter().any(|b| v.breaks(b)) {
        return json(StatusCode::OK, page);
    }
    let mut body = serde_json::to_value(page).map_err(|e| ApiError::Internal(e.to_string()))?;
    nil_items(v, &mut body);
    if last && v.breaks("last-page-next-page-null") {
        body["next_page"] = Value::Null;
    }
    json(StatusCode::OK, &body)
}

/// A cursor page; the last one without `next_cursor`, or with an empty one, instead of `null`.
pub(super) fn run(v: &Violations, run: &Run) -> Result<Reply, ApiError> {
    if !RUN_BUGS.iter().any(|b| v.breaks(b)) {
        return json(StatusCode::OK, run);
    }
    let mut body = serde_json::to_value(run).map_err(|e| ApiError::Internal(e.to_string()))?;
    nil_items(v, &mut body);
    if let Some(members) = body.as_object_mut()
        && members.get("next_cursor") == Some(&Value::Null)
    {
        if v.breaks("next-cursor-omitted") {
            members.remove("next_cursor");
        } else if v.breaks("next-cursor-empty-string") {
            members.insert("next_cursor".into(), Value::from(""));
        }
    }
    json(StatusCode::OK, &body)
}
