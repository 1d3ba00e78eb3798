//! HTTP-01 and HTTP-02: the tags a GET carries, and `If-None-Match` answered from them, on
//! `GET /users/{id}` and on both kinds of page.

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

use crate::checks::Outcome;
use crate::context::Ctx;
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::http::{Exchange, Request};
use crate::inputs;
use crate::property::for_all;

/// The `ETag` of a response, which must be a strong tag.
pub fn strong_tag(exchange: &Exchange, what: &str) -> Result<String, Failure> {
    let tag = exchange.header("etag").unwrap_or_default().trim();
    let strong = tag.len() >= 2 && tag.starts_with('"') && tag.ends_with('"');
    ensure(strong, || {
        exchange.fail(
            format!("{what}: no strong ETag"),
            "ETag: \"<opaque>\" (quoted, without W/)",
            format!("ETag: {}", exchange.header("etag").unwrap_or("(none)")),
        )
    })?;
    Ok(tag.to_owned())
}

fn last_modified(exchange: &Exchange, what: &str) -> Result<(), Failure> {
    let value = exchange.header("last-modified").unwrap_or_default();
    ensure(httpdate::parse_http_date(value).is_ok(), || {
        exchange.fail(
            format!("{what}: no Last-Modified HTTP-date"),
            "Last-Modified: <IMF-fixdate>, e.g. Sun, 06 Nov 1994 08:49:37 GMT",
            format!(
                "Last-Modified: {}",
                exchange.header("last-modified").unwrap_or("(none)")
            ),
        )
    })
}

pub fn http_01(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    // A user on none of the pages read, changed at the end: the pages' tags must stay.
    let bystander = ctx.user("user")?;
    // The user alone and a page holding only the user: both must follow its changes.
    let paths = [
        format!("/users/{}", user.id),
        format!("/users?search={}", user.username),
    ];
    let read = |path: &str, what: &str| -> Result<(Exchange, String), Failure> {
        let exchange = ctx.send(Request::get(path).bearer(&user.token))?;
        expect::ok_json(&exchange, 200, what)?;
        last_modified(&exchange, what)?;
        let tag = strong_tag(&exchange, what)?;
        Ok((exchange, tag))
    };
    let first = paths
        .iter()
        .map(|p| read(p, &format!("GET {p}")))
        .collect::<Result<Vec<_>, _>>()?;
    let last = std::sync::Mutex::new(first);
    // The same value twice in a row must keep the tag: nothing changed, so nor may the tag. Names
    // of one length, one after the other, must each move it: a tag from the size and the second
    // the representation last changed in stays. Six such changes in a row: on a loaded machine a
    // pair may fall on either side of a second, but not every pair can.
    let names = prop_oneof![inputs::full_name(), select(vec![json!("Same Name")])];
    let edges = [
        json!("Same Name"),
        json!("Same Name"),
        json!("Same Nbme"),
        json!("Same Ncme"),
        json!("Same Ndme"),
        json!("Same Neme"),
        json!("Same Nfme"),
        json!("Same Ngme"),
        Value::Null,
    ];
    let compare = |after: &Exchange, next: &str, before: &Exchange, tag: &str| {
        let same_body = after.json() == before.json();
        ensure((next == tag) == same_body, || {
            after.fail(
                if same_body {
                    "the ETag changed although the representation did not"
                } else {
                    "the ETag stayed the same although the representation changed"
                },
                format!(
                    "an ETag {} {tag}",
                    if same_body { "equal to" } else { "other than" }
                ),
                format!("ETag: {next}; body before: {}", before.summary()),
            )
        })
    };
    for_all(ctx.budget, edges, names, |name| {
        let patch = Request::patch(paths[0].clone())
            .bearer(&user.token)
            .json(&json!({ "full_name": name }));
        expect::ok_json(&ctx.send(patch)?, 200, "PATCH of full_name")?;
        let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
        for (path, (before, tag)) in paths.iter().zip(last.iter_mut()) {
            let (after, next) = read(path, &format!("GET {path} after a PATCH"))?;
            compare(&after, &next, before, tag)?;
            (*before, *tag) = (after, next);
        }
        Ok(())
    })?;
    let elsewhere = Request::patch(format!("/users/{}", bystander.id))
        .bearer(&bystander.token)
        .json(&json!({"full_name": "Changed Elsewhere"}));
    expect::ok_json(&ctx.send(elsewhere)?, 200, "PATCH of another user")?;
    let last = last.into_inner().unwrap_or_else(|e| e.into_inner());
    for (path, (before, tag)) in paths.iter().zip(&last) {
        let (after, next) = read(
            path,
            &format!("GET {path} after a change to a user not on it"),
        )?;
        compare(&after, &next, before, tag)?;
    }
    Ok(())
}

/// An `If-None-Match` built from the current tag, and whether it names the current tag.
#[derive(Clone, Debug)]
enum NoneMatch {
    Current,
    Star,
    Weak,
    InList,
    Other(String),
}

pub fn http_02(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    // The user, an offset page and a cursor page: every representation a GET tags revalidates.
    let paths = [
        format!("/users/{}", user.id),
        format!("/users?search={}", user.username),
        format!("/users?search={}&limit=1", user.username),
    ];
    let tags = paths
        .iter()
        .map(|path| {
            let first = ctx.send(Request::get(path.clone()).bearer(&user.token))?;
            expect::ok_json(&first, 200, &format!("GET {path}"))?;
            strong_tag(&first, &format!("GET {path}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let conditions = [
        NoneMatch::Current,
        NoneMatch::Star,
        NoneMatch::Weak,
        NoneMatch::InList,
        NoneMatch::Other("\"stale\"".into()),
    ];
    let edges: Vec<(usize, NoneMatch)> = (0..paths.len())
        .flat_map(|p| conditions.iter().map(move |c| (p, c.clone())))
        .collect();
    let others = (
        0..paths.len(),
        "[0-9a-f]{1,24}".prop_map(|t| NoneMatch::Other(format!("\"{t}\""))),
    );
    for_all(ctx.budget, edges, others, |(at, condition)| {
        let (path, tag) = (&paths[*at], &tags[*at]);
        let (field, fresh) = match condition {
            NoneMatch::Current => (tag.clone(), true),
            NoneMatch::Star => ("*".into(), true),
            NoneMatch::Weak => (format!("W/{tag}"), true),
            NoneMatch::InList => (format!("\"x1\", {tag}"), true),
            NoneMatch::Other(t) => (t.clone(), t == tag),
        };
        let request = Request::get(path.clone())
            .bearer(&user.token)
            .header("If-None-Match", field);
        let exchange = ctx.send(request)?;
        if !fresh {
            return expect::ok_json(&exchange, 200, "If-None-Match with another tag").map(drop);
        }
        not_modified(
            &exchange,
            tag,
            &format!("GET {path} with If-None-Match naming the current tag"),
        )
    })
}

/// `exchange` is a `304` with no body and the current `tag` (HTTP-02).
pub fn not_modified(exchange: &Exchange, tag: &str, what: &str) -> Result<(), Failure> {
    expect::status(exchange, &[304], what)?;
    ensure(exchange.body.is_empty(), || {
        exchange.fail("a 304 carries a body", "no body", exchange.summary())
    })?;
    let echoed = exchange.header("etag").map(str::trim);
    ensure(echoed == Some(tag), || {
        exchange.fail(
            format!("{what}: the 304 does not carry the current ETag"),
            format!("ETag: {tag}"),
            format!("ETag: {}", echoed.unwrap_or("(none)")),
        )
    })
}
