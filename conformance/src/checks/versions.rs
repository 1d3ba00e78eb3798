//! CONTRACT §12, Versioning: the path chooses the version, `X-API-Version` may only name the one
//! served, and what is deprecated says so.

use proptest::prelude::*;
use proptest::sample::select;
use reqwest::Url;

use super::{Check, Needs, Outcome};
use crate::context::Ctx;
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::http::{Exchange, Request};
use crate::property::for_all;

pub const CHECKS: &[Check] = &[
    Check {
        id: "VER-01",
        section: "versioning",
        title: "another version's paths are not found",
        hint: "route the version segment literally: /api/v2/... is 404 with a problem, never \
               version 1 under another name",
        needs: Needs::Nothing,
        run: ver_01,
    },
    Check {
        id: "VER-02",
        section: "versioning",
        title: "X-API-Version may only name the version served",
        hint: "before authentication, answer 400 with a problem for an X-API-Version other than \
               1 or 1.0, and ignore the field when it names version 1",
        needs: Needs::Nothing,
        run: ver_02,
    },
    Check {
        id: "VER-03",
        section: "versioning",
        title: "a deprecated parameter's answers carry Deprecation and Sunset",
        hint: "when GET /users is given order, add Deprecation: @<unix time> and a Sunset \
               HTTP-date at least 180 days later; leave both off otherwise",
        needs: Needs::Nothing,
        run: ver_03,
    },
];

/// The base URL with its version segment replaced by `v{n}`, when its last segment is one.
fn other_version(base: &str, n: u64) -> Option<(u64, String)> {
    let url = Url::parse(base).ok()?;
    let path = url.path().trim_end_matches('/');
    let (parent, last) = path.rsplit_once('/')?;
    let served: u64 = last.strip_prefix('v')?.parse().ok()?;
    let mut other = url.clone();
    other.set_path(&format!("{parent}/v{n}"));
    (served != n).then(|| (served, other.to_string().trim_end_matches('/').to_owned()))
}

fn ver_01(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let Some((served, _)) = other_version(ctx.http.base(), u64::MAX) else {
        return Err(Failure::inconclusive(
            "the base URL names no version",
            "VER-01 is checked only under a base whose last segment is v and a number",
        ));
    };
    let others = (0..=served + 10)
        .filter(|n| *n != served)
        .collect::<Vec<_>>();
    let edges = [served + 1, served.checked_sub(1).unwrap_or(served + 2)];
    for_all(ctx.budget, edges, select(others), |n| {
        let (_, base) = other_version(ctx.http.base(), *n).unwrap_or_default();
        for path in ["/", "/users/me", "/users", "/openapi.json", "/auth/login"] {
            let url = format!("{base}{path}");
            let request = match path {
                "/auth/login" => Request::post(url.clone()).json(&serde_json::json!({
                    "username": user.username, "password": user.password})),
                _ => Request::get(url.clone()).bearer(&user.token),
            };
            let exchange = ctx.send(request)?;
            let what = format!(
                "{} {url}, under a version the target does not serve",
                exchange.request.method
            );
            expect::problem(&exchange, 404, &what)?;
        }
        Ok(())
    })
}

/// What `X-API-Version` values a client might send that name another version than 1.
fn unsupported() -> impl Strategy<Value = String> {
    let named = select(vec![
        "2", "2.0", "0", "1.1", "v1", "01", "1.00", "latest", "1,2", "-1",
    ])
    .prop_map(str::to_owned);
    let other = "[0-9a-z.]{1,6}".prop_filter("names version 1", |s| s != "1" && s != "1.0");
    prop_oneof![named, other]
}

fn ver_02(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    for name in ["1", "1.0"] {
        let exchange = ctx.send(
            Request::get("/users/me")
                .bearer(&user.token)
                .header("X-API-Version", name),
        )?;
        let me = expect::ok_json(
            &exchange,
            200,
            &format!("GET /users/me with X-API-Version: {name}"),
        )?;
        ensure(me["id"].as_u64() == Some(user.id), || {
            exchange.fail(
                format!("X-API-Version: {name} changes the answer"),
                format!("the caller, id {}", user.id),
                exchange.summary(),
            )
        })?;
    }
    let edges = ["2", "1.1", "v1"].map(str::to_owned);
    for_all(ctx.budget, edges, unsupported(), |version| {
        let refused = |exchange: &Exchange, what: &str| {
            expect::problem(
                exchange,
                400,
                &format!("{what} with X-API-Version: {version}"),
            )
            .map(drop)
        };
        let with = |r: Request| r.header("X-API-Version", version.clone());
        refused(
            &ctx.send(with(Request::get("/users/me").bearer(&user.token)))?,
            "GET /users/me",
        )?;
        // Before authentication: the version is refused whatever the credential.
        refused(
            &ctx.send(with(Request::get("/users/me")))?,
            "GET /users/me without a credential",
        )?;
        // After Accept: a request refused for both is refused for its Accept.
        let both =
            with(Request::get("/users/me").bearer(&user.token)).header("Accept", "text/html");
        let exchange = ctx.send(both)?;
        expect::problem(
            &exchange,
            406,
            &format!("Accept: text/html and X-API-Version: {version}"),
        )
        .map(drop)
    })
}

/// RFC 9745's `Deprecation`: `@` and decimal digits, the Unix time.
fn deprecation(exchange: &Exchange) -> Option<i64> {
    let value = exchange.header("deprecation")?.trim();
    let digits = value.strip_prefix('@')?;
    digits
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| digits.parse().ok())
        .flatten()
}

fn ver_03(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let search = format!("search={}", user.username);
    let deprecated = [
        format!("/users?{search}&order=asc"),
        format!("/users?order=desc&{search}&sort=username"),
        format!("/users?{search}&limit=5&order=desc"),
    ];
    for path in deprecated {
        let exchange = ctx.send(Request::get(path.clone()).bearer(&user.token))?;
        expect::ok_json(&exchange, 200, &format!("GET {path}"))?;
        let since = deprecation(&exchange).ok_or_else(|| {
            exchange.fail(
                format!("GET {path} uses the deprecated order but carries no Deprecation date"),
                "Deprecation: @<unix time>",
                format!(
                    "Deprecation: {}",
                    exchange.header("deprecation").unwrap_or("(none)")
                ),
            )
        })?;
        let sunset = exchange.header("sunset").map(str::trim);
        let at = sunset
            .and_then(|s| httpdate::parse_http_date(s).ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs() as i64);
        ensure(at.is_some_and(|at| at >= since + 180 * 86_400), || {
            exchange.fail(
                format!(
                    "GET {path}: Sunset is not an HTTP-date 180 days or more after the deprecation"
                ),
                format!(
                    "Sunset: an HTTP-date no earlier than @{}",
                    since + 180 * 86_400
                ),
                format!("Sunset: {}", sunset.unwrap_or("(none)")),
            )
        })?;
    }
    for path in [
        format!("/users?{search}"),
        format!("/users?{search}&sort=-username"),
    ] {
        let exchange = ctx.send(Request::get(path.clone()).bearer(&user.token))?;
        expect::ok_json(&exchange, 200, &format!("GET {path}"))?;
        let marked: Vec<&str> = ["deprecation", "sunset"]
            .into_iter()
            .filter(|h| exchange.header(h).is_some())
            .collect();
        ensure(marked.is_empty(), || {
            exchange.fail(
                format!("GET {path} uses nothing deprecated, yet carries {marked:?}"),
                "neither Deprecation nor Sunset",
                exchange.summary(),
            )
        })?;
    }
    Ok(())
}
