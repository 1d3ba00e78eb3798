//! Walks of `GET /users`: the pages of an offset or a cursor walk read to the end, every page held
//! to its schema (the last as much as the first) and to what it says of the pages after it.

use serde_json::Value;

use super::{Group, Mode};
use crate::checks::Outcome;
use crate::context::Ctx;
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::http::Exchange;
use crate::schema::Shape;

/// The most pages a walk reads before it gives up on the target ever finishing.
const MOST_PAGES: usize = 200;

/// The schema a page answering `params` must match: its users partial when `fields` selects.
fn shape(params: &[(&str, String)], cursor: bool) -> Shape {
    let partial = params.iter().any(|(k, _)| *k == "fields");
    match (cursor, partial) {
        (false, false) => Shape::UserPage,
        (false, true) => Shape::PartialUserPage,
        (true, false) => Shape::CursorPage,
        (true, true) => Shape::PartialCursorPage,
    }
}

/// The page matches its schema (GEN-08's shapes, which COL-01 and COL-03 give every page).
pub fn conforms(exchange: &Exchange, body: &Value, shape: Shape, what: &str) -> Outcome {
    let broken = shape.violations(body);
    ensure(broken.is_empty(), || {
        exchange.fail(
            format!("{what} does not match the {shape:?} schema"),
            format!("a body matching the {shape:?} schema of the OpenAPI document"),
            broken.join("; "),
        )
    })
}

/// The `items` of a page, each no more than `most`.
pub fn items(exchange: &Exchange, body: &Value, most: u64) -> Result<Vec<Value>, Failure> {
    let items = body["items"].as_array().cloned().ok_or_else(|| {
        exchange.fail(
            "a page has no items array",
            "\"items\": [...]",
            exchange.summary(),
        )
    })?;
    ensure(items.len() as u64 <= most, || {
        exchange.fail(
            "a page holds more users than it may",
            format!("at most {most}"),
            format!("{} users", items.len()),
        )
    })?;
    Ok(items)
}

/// Every user of `params` in `mode`, in the order the pages give them.
pub fn walk(
    ctx: &Ctx,
    group: &Group,
    params: &[(&str, String)],
    mode: Mode,
) -> Result<Vec<Value>, Failure> {
    match mode {
        Mode::Offset(size) => walk_pages(ctx, group, params, size).map(|(users, _)| users),
        Mode::Cursor(limit) => walk_cursor(ctx, group, params, limit, |_| Ok(())),
    }
}

/// Pages 1 to `total_pages` of `params` at `size`, each matching its schema: their users in
/// order, and the `total`.
pub fn walk_pages(
    ctx: &Ctx,
    group: &Group,
    params: &[(&str, String)],
    size: u64,
) -> Result<(Vec<Value>, u64), Failure> {
    let (mut users, mut page, mut total) = (Vec::new(), 1, 0);
    loop {
        let mut with = params.to_vec();
        with.extend([("page_size", size.to_string()), ("page", page.to_string())]);
        let exchange = group.list(ctx, &with)?;
        let body = expect::ok_json(&exchange, 200, "an offset page")?;
        conforms(
            &exchange,
            &body,
            shape(&with, false),
            &format!("offset page {page}"),
        )?;
        users.extend(items(&exchange, &body, size)?);
        if page == 1 {
            total = body["total"].as_u64().unwrap_or_default();
        }
        let pages = body["total_pages"].as_u64().unwrap_or_default();
        if page >= pages || page as usize >= MOST_PAGES {
            return Ok((users, total));
        }
        page += 1;
    }
}

/// The cursor pages of `params` at `limit` until `has_next` is false, calling `between` with the
/// users of each page that has a next one; their users in order. Every page matches its schema,
/// says `has_next` and `next_cursor` (a string when more follow, `null` and present otherwise),
/// and a page that said more follow is followed by a page that holds some (COL-03): a full last
/// page must say it is the last.
pub fn walk_cursor(
    ctx: &Ctx,
    group: &Group,
    params: &[(&str, String)],
    limit: u64,
    mut between: impl FnMut(&[Value]) -> Result<(), Failure>,
) -> Result<Vec<Value>, Failure> {
    let mut users = Vec::new();
    let mut request = params.to_vec();
    request.push(("limit", limit.to_string()));
    let selection: Vec<(&str, String)> = params
        .iter()
        .filter(|(k, _)| *k == "fields")
        .cloned()
        .collect();
    for number in 1..=MOST_PAGES {
        let exchange = group.list(ctx, &request)?;
        let body = expect::ok_json(&exchange, 200, "a cursor page")?;
        let what = format!("cursor page {number} of a walk at limit {limit}");
        conforms(&exchange, &body, shape(&request, true), &what)?;
        let page = items(&exchange, &body, limit)?;
        ensure(number == 1 || !page.is_empty(), || {
            exchange.fail(
                format!("{what} is empty, yet the page before said has_next true"),
                "has_next true only when more users follow, so the next page holds some",
                format!(
                    "an empty page after {} users; a full last page must say \"has_next\": false",
                    users.len()
                ),
            )
        })?;
        users.extend(page.iter().cloned());
        let cursor = match (body.get("has_next"), body.get("next_cursor")) {
            (Some(Value::Bool(false)), Some(Value::Null)) => return Ok(users),
            (Some(Value::Bool(true)), Some(Value::String(c))) if !c.is_empty() => c.clone(),
            (has_next, next) => {
                let shown = |v: Option<&Value>| v.map_or("(absent)".to_owned(), Value::to_string);
                return Err(exchange.fail(
                    format!("{what} does not say plainly whether more follow"),
                    "\"has_next\": true with a \"next_cursor\" string, or \"has_next\": false with \"next_cursor\": null (present, not absent)",
                    format!(
                        "\"has_next\": {}, \"next_cursor\": {}",
                        shown(has_next),
                        shown(next)
                    ),
                ));
            }
        };
        between(&page)?;
        request = vec![("cursor", cursor), ("limit", limit.to_string())];
        request.extend(selection.iter().cloned());
    }
    Err(Failure::new(
        "a cursor walk did not end",
        format!("has_next false within {MOST_PAGES} pages"),
        format!("{} users and has_next still true", users.len()),
    ))
}
