//! COL-01 and COL-02: offset pages, their headers, and that they partition the collection.

use std::collections::BTreeSet;

use proptest::prelude::*;
use reqwest::Url;

use super::{Group, id, items, repeated, walk_pages};
use crate::checks::Outcome;
use crate::context::Ctx;
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::http::Exchange;
use crate::property::for_all;
use crate::queries::{self, Form};

/// The links of an RFC 8288 `Link` field value: each target and its `rel` types, lowercased.
pub fn parse_links(field: &str) -> Option<Vec<(String, Vec<String>)>> {
    // Split at the commas outside `<…>` and quoted strings.
    let (mut parts, mut current, mut angle, mut quoted) = (Vec::new(), String::new(), false, false);
    for c in field.chars() {
        match c {
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            '"' if !angle => quoted = !quoted,
            ',' if !angle && !quoted => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    let mut links = Vec::new();
    for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let (target, params) = part.strip_prefix('<')?.split_once('>')?;
        let mut rels = Vec::new();
        for param in params.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = param.split_once('=')?;
            if name.trim().eq_ignore_ascii_case("rel") {
                let value = value.trim().trim_matches('"');
                rels.extend(value.split_whitespace().map(str::to_ascii_lowercase));
            }
        }
        links.push((target.to_owned(), rels));
    }
    Some(links)
}

/// The query pairs of `url` other than `page`, sorted, and its `page` values.
fn split_query(url: &Url) -> (Vec<(String, String)>, Vec<String>) {
    let (pages, mut others): (Vec<_>, Vec<_>) = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .partition(|(k, _)| k == "page");
    others.sort();
    (others, pages.into_iter().map(|(_, v)| v).collect())
}

/// The `Link` of an offset page names exactly `expected` (rel, page), each URL the request's with
/// only `page` changed.
fn check_links(exchange: &Exchange, expected: &[(&str, u64)]) -> Outcome {
    let field: Vec<&str> = exchange
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("link"))
        .map(|(_, v)| v.as_str())
        .collect();
    let want: Vec<String> = expected
        .iter()
        .map(|(r, p)| format!("{r}: page {p}"))
        .collect();
    let links = parse_links(&field.join(", ")).ok_or_else(|| {
        exchange.fail(
            "the Link header is not an RFC 8288 list of links",
            format!("links {want:?}"),
            format!("Link: {}", field.join(", ")),
        )
    })?;
    let request = Url::parse(&exchange.url)
        .map_err(|e| Failure::new("the request URL does not parse", "a URL", e.to_string()))?;
    let (others, _) = split_query(&request);
    for rel in ["first", "prev", "next", "last"] {
        let named: Vec<&String> = links
            .iter()
            .filter(|(_, rels)| rels.iter().any(|r| r == rel))
            .map(|(t, _)| t)
            .collect();
        let page = expected.iter().find(|(r, _)| *r == rel).map(|(_, p)| *p);
        let fail = |what: &str, actual: String| {
            exchange.fail(
                format!("the Link header's rel=\"{rel}\" {what}"),
                format!("links {want:?}, each the request's query with only page changed"),
                actual,
            )
        };
        let target = match (page, named.as_slice()) {
            (None, []) => continue,
            (None, _) => return Err(fail("should not be there", format!("{named:?}"))),
            (Some(_), [target]) => target,
            (Some(_), _) => return Err(fail("is not there exactly once", format!("{named:?}"))),
        };
        let url = request
            .join(target)
            .map_err(|e| fail("is not a URI reference", format!("{target}: {e}")))?;
        let (link_others, pages) = split_query(&url);
        ensure(url.path() == request.path(), || {
            fail("names another path", target.to_string())
        })?;
        ensure(pages == [page.unwrap_or_default().to_string()], || {
            fail("names the wrong page", target.to_string())
        })?;
        ensure(link_others == others, || {
            fail(
                "does not keep the request's other parameters",
                format!("{target} (the request's others: {others:?}, the link's: {link_others:?})"),
            )
        })?;
    }
    Ok(())
}

fn sort_params(sort: &Option<(&'static str, Form)>) -> Vec<(&'static str, String)> {
    sort.map(|(key, form)| form.params(key)).unwrap_or_default()
}

pub fn col_01(ctx: &Ctx) -> Outcome {
    let group = Group::plain(ctx, 5)?;
    let n = group.members.len() as u64;
    let edges = [
        (2, 2, None),
        (2, 1, Some(("username", Form::Minus))),
        (2, 3, None),
        (5, 1, None),
        (2, 9, None),
        (1, 5, Some(("email", Form::OrderDesc))),
    ];
    let strategy = (1..=6u64, 1..=8u64, proptest::option::of(queries::sort()));
    for_all(ctx.budget, edges, strategy, |(size, page, sort)| {
        let mut params = vec![("search", group.tag.clone())];
        params.extend(sort_params(sort));
        params.extend([("page_size", size.to_string()), ("page", page.to_string())]);
        let exchange = group.list(ctx, &params)?;
        let body = expect::ok_json(&exchange, 200, "an offset page")?;
        let total = body["total"].as_u64().unwrap_or_default();
        let count = exchange.header("x-total-count").map(str::trim);
        ensure(count == Some(total.to_string().as_str()), || {
            exchange.fail(
                "X-Total-Count is not the page's total",
                format!("X-Total-Count: {total}"),
                format!("X-Total-Count: {}", count.unwrap_or("(none)")),
            )
        })?;
        ensure(total == n, || {
            exchange.fail(
                "the total is not the number of users that match",
                format!("\"total\": {n}"),
                format!("\"total\": {total}"),
            )
        })?;
        let pages = total.div_ceil(*size);
        if *page > pages {
            let past = items(&exchange, &body, *size)?;
            ensure(past.is_empty(), || {
                exchange.fail(
                    "a page past the last holds users",
                    "\"items\": []",
                    exchange.summary(),
                )
            })?;
        }
        let mut expected = vec![("first", 1)];
        if *page > 1 {
            expected.push(("prev", page - 1));
        }
        if *page < pages {
            expected.push(("next", page + 1));
        }
        expected.push(("last", pages.max(1)));
        check_links(&exchange, &expected)
    })?;
    numbers(ctx, &group)
}

/// `page` and `page_size` as the contract writes integers (§7): a page far past the last, up to
/// 2^63 − 1, is an empty page; anything else that is not an integer of its range is 422.
fn numbers(ctx: &Ctx, group: &Group) -> Outcome {
    let tag = || ("search", group.tag.clone());
    for page in [1_000_000_000_000_000_000, 1 << 62, queries::MOST_PAGE] {
        let params = [
            tag(),
            ("page_size", "100".to_owned()),
            ("page", page.to_string()),
        ];
        let exchange = group.list(ctx, &params)?;
        let body = expect::ok_json(&exchange, 200, &format!("page {page}, far past the last"))?;
        let past = items(&exchange, &body, 100)?;
        ensure(past.is_empty(), || {
            exchange.fail(
                "a page past the last holds users",
                "\"items\": []",
                exchange.summary(),
            )
        })?;
        check_links(&exchange, &[("first", 1), ("prev", page - 1), ("last", 1)])?;
    }
    let edges: Vec<(&str, String)> = queries::integer_edges(queries::MOST_PAGE)
        .into_iter()
        .map(|v| ("page", v))
        .chain(
            queries::integer_edges(100)
                .into_iter()
                .map(|v| ("page_size", v)),
        )
        .collect();
    let bad = prop_oneof![
        queries::invalid_integer(queries::MOST_PAGE).prop_map(|v| ("page", v)),
        queries::invalid_integer(100).prop_map(|v| ("page_size", v)),
    ];
    for_all(ctx.budget, edges, bad, |(name, value)| {
        let exchange = group.list(ctx, &[tag(), (name, value.clone())])?;
        expect::names_fields(
            &exchange,
            &[name],
            &format!("a {name} that is not an integer of its range"),
        )
    })
}

pub fn col_02(ctx: &Ctx) -> Outcome {
    let group = super::order::mixed_group(ctx, 7)?;
    let ids: BTreeSet<u64> = group.ids().into_iter().collect();
    let edges = [
        (2, None),
        (3, Some(("username", Form::Minus))),
        (1, Some(("created_at", Form::OrderDesc))),
        (4, Some(("email", Form::Plain))),
    ];
    let strategy = (1..=8u64, proptest::option::of(queries::sort()));
    for_all(ctx.budget, edges, strategy, |(size, sort)| {
        let mut params = vec![("search", group.tag.clone())];
        params.extend(sort_params(sort));
        let (users, total) = walk_pages(ctx, &group, &params, *size)?;
        let shown = || format!("{:?}", users.iter().map(id).collect::<Vec<_>>());
        let walk = format!("the offset pages of {params:?} at page_size {size}");
        let twice = repeated(&users);
        ensure(twice.is_empty(), || {
            Failure::new(
                format!("{walk}: users {twice:?} are on more than one page"),
                "every matching user on exactly one page",
                format!("ids in page order: {}", shown()),
            )
        })?;
        let seen: BTreeSet<u64> = users.iter().map(id).collect();
        let missing: Vec<&u64> = ids.difference(&seen).collect();
        ensure(missing.is_empty() && seen == ids, || {
            Failure::new(
                format!("{walk}: users {missing:?} are on no page"),
                format!("exactly the users {ids:?}"),
                format!("ids in page order: {}", shown()),
            )
        })?;
        ensure(total == users.len() as u64, || {
            Failure::new(
                format!("{walk}: total is not the number of users the pages hold"),
                format!("\"total\": {}", users.len()),
                format!("\"total\": {total}"),
            )
        })
    })
}
