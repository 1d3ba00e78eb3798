//! CONTRACT §13, API keys: made and revoked by admins, shown once, acting for their creator
//! within their scope, each its own rate-limit identity.
//!
//! Every key the suite makes is named with the run's prefix, so that the clean-up finds and
//! revokes it (`Ctx::cleanup`), and its secret is redacted from everything the suite prints.

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

use super::rate::flood::drain_by;
use super::{Check, Needs, Outcome};
use crate::context::{Ctx, Session};
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::http::{Exchange, Request};
use crate::property::for_all;

pub const CHECKS: &[Check] = &[
    Check {
        id: "KEY-01",
        section: "api keys",
        title: "an admin's new key is shown once and acts for its creator",
        hint: "generate a long random secret, store only its digest, answer it in the 201 alone, \
               and authenticate X-API-Key as the key's creator",
        needs: Needs::Nothing,
        run: key_01,
    },
    Check {
        id: "KEY-02",
        section: "api keys",
        title: "only an admin with a token manages keys",
        hint: "refuse non-admins and every key with 403 on /api-keys, and validate name and scope",
        needs: Needs::Nothing,
        run: key_02,
    },
    Check {
        id: "KEY-03",
        section: "api keys",
        title: "a read key may only GET and HEAD",
        hint: "check a key's scope against the method with authentication, before anything runs",
        needs: Needs::Nothing,
        run: key_03,
    },
    Check {
        id: "KEY-04",
        section: "api keys",
        title: "a revoked, unknown or altered key, or one whose creator is gone, is 401",
        hint: "look keys up by the digest of the whole secret, delete it on revocation, and check \
               the creator is still an active user on every request",
        needs: Needs::Nothing,
        run: key_04,
    },
    Check {
        id: "KEY-05",
        section: "api keys",
        title: "each key has a rate-limit bucket of its own",
        hint: "key the rate limiter by the API key, not by the user it acts for",
        needs: Needs::Nothing,
        run: key_05,
    },
];

/// A key made for a check, with its secret.
struct Key {
    id: u64,
    secret: String,
}

/// Makes a key as `admin` (a check's setup: a refusal blocks the check); its answer and the key.
fn issue(ctx: &Ctx, admin: &Session, scope: &str) -> Result<(Exchange, Value, Key), Failure> {
    let body = json!({"name": format!("{}key", ctx.unique()), "scope": scope});
    let exchange = ctx.send(Request::post("/api-keys").bearer(&admin.token).json(&body))?;
    let issued = expect::ok_json(&exchange, 201, "an admin making an API key")
        .map_err(|f| f.blocked("making a test API key"))?;
    let secret = issued["key"].as_str().unwrap_or_default().to_owned();
    ctx.redactor.add(&secret);
    let key = Key {
        id: issued["id"].as_u64().unwrap_or_default(),
        secret,
    };
    Ok((exchange, issued, key))
}

/// A request made with a key alone.
fn with_key(request: Request, key: &str) -> Request {
    request.header("X-API-Key", key)
}

/// `GET /users/me` with a key: whom it acts for.
fn me(ctx: &Ctx, key: &str) -> Result<Exchange, Failure> {
    ctx.send(with_key(Request::get("/users/me"), key))
}

fn key_01(ctx: &Ctx) -> Outcome {
    let admin = ctx.user("admin")?;
    for scope in ["read", "write"] {
        let (created, issued, key) = issue(ctx, &admin, scope)?;
        let what = format!("the answer that made a {scope} key");
        ensure(key.id > 0 && key.secret.chars().count() >= 32, || {
            created.fail(
                format!("{what} has no positive id or no secret of 32 characters or more"),
                "\"id\": a positive integer, \"key\": the secret",
                format!(
                    "\"id\": {}, \"key\" of {} characters",
                    issued["id"],
                    key.secret.chars().count()
                ),
            )
        })?;
        ensure(
            issued["scope"] == scope && issued["name"].is_string(),
            || {
                created.fail(
                    format!("{what} does not give the key's name and scope"),
                    format!("\"scope\": \"{scope}\" and its name"),
                    created.summary(),
                )
            },
        )?;
        let acting = me(ctx, &key.secret)?;
        let body = expect::ok_json(
            &acting,
            200,
            &format!("GET /users/me with a new {scope} key"),
        )?;
        ensure(body["id"].as_u64() == Some(admin.id), || {
            acting.fail(
                "a key does not act for the admin who made it",
                format!("the creator, id {}", admin.id),
                format!("\"id\": {}", body["id"]),
            )
        })?;
        let listing = ctx.send(Request::get("/api-keys").bearer(&admin.token))?;
        let keys = expect::ok_json(&listing, 200, "GET /api-keys as an admin")?;
        let listed = keys["items"]
            .as_array()
            .and_then(|items| items.iter().find(|k| k["id"].as_u64() == Some(key.id)));
        ensure(
            listed.is_some_and(|k| k["name"] == issued["name"] && k["scope"] == scope),
            || {
                listing.fail(
                    "GET /api-keys does not list the new key by its id, name and scope",
                    format!(
                        "an item {{\"id\": {}, \"name\": {}, \"scope\": \"{scope}\"}}",
                        key.id, issued["name"]
                    ),
                    format!("{listed:?}"),
                )
            },
        )?;
        for (exchange, what) in [
            (&listing, "GET /api-keys"),
            (&acting, "GET /users/me with the key"),
        ] {
            let body = String::from_utf8_lossy(&exchange.body);
            let holds = body.contains(&key.secret)
                || exchange
                    .headers
                    .iter()
                    .any(|(_, v)| v.contains(&key.secret));
            ensure(!holds, || {
                exchange.fail(
                    format!("{what} shows the key's secret, which only its creation may"),
                    "no member holding the secret",
                    "the secret, in the answer (redacted here)",
                )
            })?;
        }
    }
    Ok(())
}

/// A `POST /api-keys` body that breaks the rules, and the field its problem must name.
fn invalid_body() -> impl Strategy<Value = (Value, &'static str)> {
    let name = prop_oneof![
        Just(json!("")),
        Just(json!("n".repeat(101))),
        Just(json!(7)),
        Just(Value::Null),
    ];
    let scope = select(vec![
        json!("admin"),
        json!(""),
        json!("READ"),
        json!(["read"]),
        Value::Null,
    ]);
    prop_oneof![
        name.prop_map(|n| (json!({"name": n, "scope": "read"}), "name")),
        scope.prop_map(|s| (json!({"name": "svc", "scope": s}), "scope")),
        Just((json!({"scope": "read"}), "name")),
        Just((json!({"name": "svc"}), "scope")),
        Just((
            json!({"name": "svc", "scope": "read", "creator": 1}),
            "creator"
        )),
    ]
}

fn key_02(ctx: &Ctx) -> Outcome {
    let admin = ctx.user("admin")?;
    let (_, _, held) = issue(ctx, &admin, "write")?;
    let one = format!("/api-keys/{}", held.id);
    let body = json!({"name": format!("{}key", ctx.unique()), "scope": "read"});
    let routes = || {
        [
            (Request::post("/api-keys").json(&body), "POST /api-keys"),
            (Request::get("/api-keys"), "GET /api-keys"),
            (Request::delete(one.clone()), "DELETE /api-keys/{id}"),
        ]
    };
    for role in ["user", "moderator"] {
        let caller = ctx.user(role)?;
        for (request, route) in routes() {
            let exchange = ctx.send(request.bearer(&caller.token))?;
            expect::problem(&exchange, 403, &format!("{route} by a {role}"))?;
        }
    }
    for (request, route) in routes() {
        let exchange = ctx.send(with_key(request, &held.secret))?;
        expect::problem(
            &exchange,
            403,
            &format!("{route} with an admin's write key"),
        )?;
    }
    for (request, route) in routes() {
        let exchange = ctx.send(request)?;
        expect::problem(&exchange, 401, &format!("{route} without a credential"))?;
    }
    let edges = [(json!({"name": "svc", "scope": "admin"}), "scope")];
    for_all(ctx.budget, edges, invalid_body(), |(body, field)| {
        let exchange = ctx.send(Request::post("/api-keys").bearer(&admin.token).json(body))?;
        expect::names_fields(&exchange, &[field], "a key body that breaks the rules")
    })?;
    // Still there: no refused DELETE took it.
    let acting = me(ctx, &held.secret)?;
    expect::ok_json(
        &acting,
        200,
        "the admin's write key after refused revocations",
    )
    .map(drop)
}

fn key_03(ctx: &Ctx) -> Outcome {
    let admin = ctx.user("admin")?;
    let (_, _, read) = issue(ctx, &admin, "read")?;
    let (_, _, write) = issue(ctx, &admin, "write")?;
    let target = ctx.member("user")?;
    let path = format!("/users/{}", target.id);
    for method in ["GET", "HEAD"] {
        let exchange = ctx.send(with_key(Request::new(method, path.clone()), &read.secret))?;
        expect::status(
            &exchange,
            &[200],
            &format!("{method} {path} with a read key"),
        )?;
    }
    let before = ctx.fetch(target.id)?;
    let writes = [
        (
            Request::patch(path.clone()).json(&json!({"full_name": "Keyed"})),
            "PATCH /users/{id}",
        ),
        (
            Request::put(path.clone()).json(
                &json!({"username": target.username, "email": target.email, "full_name": "Keyed"}),
            ),
            "PUT /users/{id}",
        ),
        (Request::delete(path.clone()), "DELETE /users/{id}"),
        (
            Request::post(format!("/users/{}/orders", admin.id))
                .json(&json!({"items": [{"sku": "K", "quantity": 1, "unit_price": 1}]})),
            "POST /users/{id}/orders",
        ),
    ];
    for (request, route) in writes {
        let exchange = ctx.send(with_key(request, &read.secret))?;
        expect::problem(&exchange, 403, &format!("{route} with a read key"))?;
    }
    let after = ctx.fetch(target.id)?;
    ensure(after == before, || {
        Failure::new(
            "a write refused to a read key took effect all the same",
            before.to_string(),
            after.to_string(),
        )
    })?;
    let orders =
        ctx.send(Request::get(format!("/users/{}/orders", admin.id)).bearer(&admin.token))?;
    let page = expect::ok_json(&orders, 200, "the creator's orders")?;
    ensure(page["total"] == 0, || {
        orders.fail(
            "an order refused to a read key was placed all the same",
            "\"total\": 0",
            format!("\"total\": {}", page["total"]),
        )
    })?;
    let patch = Request::patch(path.clone()).json(&json!({"full_name": "Keyed"}));
    let exchange = ctx.send(with_key(patch, &write.secret))?;
    let changed = expect::ok_json(&exchange, 200, "PATCH /users/{id} with a write key")?;
    ensure(changed["full_name"] == "Keyed", || {
        exchange.fail(
            "a write key's PATCH did not apply",
            "\"full_name\": \"Keyed\"",
            format!("\"full_name\": {}", changed["full_name"]),
        )
    })
}

/// A key is refused as not authenticated.
fn refused(ctx: &Ctx, key: &str, what: &str) -> Outcome {
    let exchange = me(ctx, key)?;
    expect::problem(&exchange, 401, &format!("GET /users/me with {what}")).map(drop)
}

/// `secret` with its character at `at` changed.
fn altered(secret: &str, at: usize) -> String {
    let mut chars: Vec<char> = secret.chars().collect();
    if let Some(c) = chars.get_mut(at % secret.chars().count().max(1)) {
        *c = if *c == 'A' { 'B' } else { 'A' };
    }
    chars.into_iter().collect()
}

fn key_04(ctx: &Ctx) -> Outcome {
    let run_admin = ctx.admin()?;
    let admin = ctx.user("admin")?;
    let (_, _, key) = issue(ctx, &admin, "read")?;
    expect::ok_json(&me(ctx, &key.secret)?, 200, "GET /users/me with a new key")?;
    let edges = [0, key.secret.chars().count() - 1];
    for_all(ctx.budget, edges, any::<usize>(), |at| {
        refused(
            ctx,
            &altered(&key.secret, *at),
            "the key altered in one character",
        )
    })?;
    refused(
        ctx,
        &format!("{}x", key.secret),
        "the key with a character more",
    )?;
    refused(
        ctx,
        &key.secret[..key.secret.len() - 1],
        "the key without its last character",
    )?;
    refused(
        ctx,
        "tsk_0123456789abcdefghijklmnopqrstuvwxyzABCDEF",
        "a key never issued",
    )?;
    let revoke = Request::delete(format!("/api-keys/{}", key.id)).bearer(&admin.token);
    expect::status(&ctx.send(revoke.clone())?, &[204], "revoking a key")?;
    refused(ctx, &key.secret, "a revoked key")?;
    expect::problem(&ctx.send(revoke)?, 404, "revoking a key again")?;
    // A key stops with its creator.
    for what in ["deactivated", "deleted"] {
        let creator = ctx.user("admin")?;
        let (_, _, key) = issue(ctx, &creator, "write")?;
        let path = format!("/users/{}", creator.id);
        let change = match what {
            "deactivated" => Request::patch(path).json(&json!({"is_active": false})),
            _ => Request::delete(path),
        };
        let exchange = ctx.send(change.bearer(&run_admin.token))?;
        expect::status(
            &exchange,
            &[200, 204],
            &format!("the creator of a key {what}"),
        )?;
        refused(ctx, &key.secret, &format!("a key whose creator was {what}"))?;
    }
    Ok(())
}

fn key_05(ctx: &Ctx) -> Outcome {
    let admin = ctx.user("admin")?;
    let (_, _, spent) = issue(ctx, &admin, "read")?;
    let (_, _, other) = issue(ctx, &admin, "read")?;
    let ask = || with_key(Request::get("/users/me"), &spent.secret);
    let (drained, asked) = drain_by(ctx, &ask, || {
        for (request, who) in [
            (
                Request::get("/users/me").bearer(&admin.token),
                "the key's creator, by token",
            ),
            (
                with_key(Request::get("/users/me"), &other.secret),
                "another key of the same creator",
            ),
        ] {
            let exchange = ctx.http.send_once(request)?;
            ensure(exchange.status != 429, || {
                exchange.fail(
                    format!("{who} was refused while one key was over its limit"),
                    "a request that is not 429",
                    exchange.summary(),
                )
            })?;
            expect::ok_json(&exchange, 200, &format!("GET /users/me as {who}"))?;
        }
        Ok(())
    })?;
    drained.refusal()?;
    asked
}
