//! ORD-05: the offset pages of a user's orders, and their links.

use proptest::prelude::*;
use serde_json::json;

use super::{id, orders_of, placed};
use crate::checks::Outcome;
use crate::checks::links::{links_of, points_to, request_url, with_param};
use crate::context::Ctx;
use crate::expect;
use crate::failure::ensure;
use crate::http::Request;
use crate::property::for_all;
use crate::queries;

pub(super) fn ord_05(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    let (owner, neighbour) = (ctx.member("user")?, ctx.member("user")?);
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(id(&placed(ctx, &admin.token, owner.id)?));
        if n == 2 {
            placed(ctx, &admin.token, neighbour.id)?;
        }
    }
    let edges = [
        (None, None),
        (Some(2), Some(1)),
        (Some(2), Some(3)),
        (Some(5), Some(1)),
        (Some(2), Some(9)),
    ];
    let strategy = (
        proptest::option::of(1..=6u64),
        proptest::option::of(1..=8u64),
    );
    for_all(ctx.budget, edges, strategy, |(size, page)| {
        let mut query = Vec::new();
        if let Some(size) = size {
            query.push(format!("page_size={size}"));
        }
        if let Some(page) = page {
            query.push(format!("page={page}"));
        }
        let path = match query.is_empty() {
            true => orders_of(owner.id),
            false => format!("{}?{}", orders_of(owner.id), query.join("&")),
        };
        let exchange = ctx.send(Request::get(path.clone()).bearer(&admin.token))?;
        let what = format!("GET {path}");
        let body = expect::ok_json(&exchange, 200, &what)?;
        let (size, page) = (size.unwrap_or(20), page.unwrap_or(1));
        let start = usize::try_from((page - 1) * size).unwrap_or(usize::MAX);
        let want: Vec<u64> = ids
            .iter()
            .copied()
            .skip(start)
            .take(size as usize)
            .collect();
        let got: Vec<u64> = body["items"]
            .as_array()
            .map(|items| items.iter().map(id).collect())
            .unwrap_or_default();
        let pages = (ids.len() as u64).div_ceil(size);
        let header =
            json!({"total": ids.len(), "page": page, "page_size": size, "total_pages": pages});
        let shown = json!({"total": body["total"], "page": body["page"], "page_size": body["page_size"], "total_pages": body["total_pages"]});
        ensure(got == want && shown == header, || {
            exchange.fail(
                format!("{what} is not that page of the user's orders in id order"),
                format!("ids {want:?}, {header}"),
                format!("ids {got:?}, {shown}"),
            )
        })?;
        let links = links_of(&exchange, &body, &what)?;
        let request = request_url(&exchange)?;
        points_to(&exchange, links, "self", &request, &what)?;
        let to = |n: u64| with_param(&request, "page", &n.to_string());
        points_to(&exchange, links, "first", &to(1), &what)?;
        points_to(&exchange, links, "last", &to(pages.max(1)), &what)?;
        for (rel, exists, n) in [
            ("prev", page > 1, page.saturating_sub(1)),
            ("next", page < pages, page + 1),
        ] {
            if exists {
                points_to(&exchange, links, rel, &to(n), &what)?;
            } else {
                ensure(links.get(rel).is_none(), || {
                    exchange.fail(
                        format!("{what}: links.{rel} names a page that does not exist"),
                        format!("no \"{rel}\" on page {page} of {pages}"),
                        format!("\"links\": {links}"),
                    )
                })?;
            }
        }
        Ok(())
    })?;
    let edges: Vec<(&str, String)> = queries::integer_edges(100)
        .into_iter()
        .map(|v| ("page_size", v))
        .collect();
    let bad = prop_oneof![
        queries::invalid_integer(queries::MOST_PAGE).prop_map(|v| ("page", v)),
        queries::invalid_integer(100).prop_map(|v| ("page_size", v)),
    ];
    for_all(ctx.budget, edges, bad, |(name, value)| {
        let encoded =
            percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC);
        let path = format!("{}?{name}={encoded}", orders_of(owner.id));
        let exchange = ctx.send(Request::get(path).bearer(&admin.token))?;
        expect::names_fields(
            &exchange,
            &[name],
            &format!("a {name} that is not an integer of its range"),
        )
    })
}
