//! CONTRACT §4, Authentication: login, the token's form, and every way a credential is refused.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

use super::{Check, Needs, Outcome};
use crate::context::{Ctx, Session};
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::http::{Exchange, Request};
use crate::inputs;
use crate::property::{Budget, for_all};

mod forged;

pub const CHECKS: &[Check] = &[
    Check {
        id: "AUTH-01",
        section: "auth",
        title: "login answers a bearer token for an active user",
        hint: "answer {access_token, token_type: bearer, expires_in}; match the username ignoring case",
        needs: Needs::Nothing,
        run: auth_01,
    },
    Check {
        id: "AUTH-02",
        section: "auth",
        title: "the token is an HS256 JWT with sub, iat and exp",
        hint: "sign with HS256; sub is the id as a string; exp - iat equals expires_in",
        needs: Needs::Nothing,
        run: auth_02,
    },
    Check {
        id: "AUTH-03",
        section: "auth",
        title: "unknown user and wrong password are the same 401",
        hint: "answer one problem for every failed login",
        needs: Needs::Nothing,
        run: auth_03,
    },
    Check {
        id: "AUTH-04",
        section: "auth",
        title: "a login body without string credentials is 422",
        hint: "validate the login body before checking credentials",
        needs: Needs::Nothing,
        run: auth_04,
    },
    Check {
        id: "AUTH-05",
        section: "auth",
        title: "no Authorization is 401 with WWW-Authenticate: Bearer",
        hint: "send WWW-Authenticate: Bearer with every 401",
        needs: Needs::Nothing,
        run: auth_05,
    },
    Check {
        id: "AUTH-06",
        section: "auth",
        title: "a malformed credential is 401",
        hint: "accept only `Bearer <jwt>`; anything else is 401 with WWW-Authenticate",
        needs: Needs::Nothing,
        run: auth_06,
    },
    Check {
        id: "AUTH-07",
        section: "auth",
        title: "a tampered token is 401",
        hint: "verify the signature over header and payload",
        needs: Needs::Nothing,
        run: forged::auth_07,
    },
    Check {
        id: "AUTH-08",
        section: "auth",
        title: "an unsigned (alg none) token is 401",
        hint: "accept only HS256; never alg none",
        needs: Needs::Nothing,
        run: forged::auth_08,
    },
    Check {
        id: "AUTH-09",
        section: "auth",
        title: "an expired token is 401",
        hint: "validate exp with no leeway",
        needs: Needs::Secret,
        run: forged::auth_09,
    },
    Check {
        id: "AUTH-10",
        section: "auth",
        title: "a token signed with another key is 401",
        hint: "verify with the server's own key and algorithm only, whatever the token's header names",
        needs: Needs::Nothing,
        run: forged::auth_10,
    },
    Check {
        id: "AUTH-11",
        section: "auth",
        title: "a deleted or deactivated user's tokens and logins are refused",
        hint: "load the user on every request and refuse inactive or missing ones",
        needs: Needs::Nothing,
        run: auth_11,
    },
];

fn login(ctx: &Ctx, username: &str, password: &str) -> Result<Exchange, Failure> {
    ctx.send(
        Request::post("/auth/login").json(&json!({"username": username, "password": password})),
    )
}

/// `GET /users/me` with this `Authorization` header value.
fn me_with(ctx: &Ctx, authorization: &str) -> Result<Exchange, Failure> {
    ctx.send(Request::get("/users/me").header("Authorization", authorization))
}

/// A 401 problem with a `WWW-Authenticate` challenge of the Bearer scheme.
fn refused(exchange: &Exchange, what: &str) -> Outcome {
    expect::problem(exchange, 401, what)?;
    let challenge = exchange.header("www-authenticate").unwrap_or("");
    let scheme = challenge.split_whitespace().next().unwrap_or("");
    ensure(scheme.eq_ignore_ascii_case("bearer"), || {
        exchange.fail(
            format!("{what}: the 401 has no Bearer challenge"),
            "WWW-Authenticate: Bearer …",
            format!(
                "WWW-Authenticate: {}",
                exchange.header("www-authenticate").unwrap_or("(none)")
            ),
        )
    })
}

/// The control that keeps a refusal meaningful: this token is accepted before it is altered.
fn accepted(ctx: &Ctx, token: &str) -> Outcome {
    let exchange = me_with(ctx, &format!("Bearer {token}"))?;
    expect::ok_json(&exchange, 200, "GET /users/me with a valid token").map(drop)
}

fn auth_01(ctx: &Ctx) -> Outcome {
    for_all(ctx.budget, [vec![true; 64]], inputs::case_mask(), |mask| {
        let user = ctx.member("user")?;
        let exchange = login(ctx, &inputs::recase(&user.username, mask), &user.password)?;
        let body = expect::ok_json(&exchange, 200, "a login with the username in another case")?;
        let token = body["access_token"].as_str().filter(|t| !t.is_empty());
        let kind = body["token_type"].as_str().unwrap_or("");
        let lifetime = body["expires_in"].as_f64().filter(|&s| s > 0.0);
        ensure(
            token.is_some() && kind.eq_ignore_ascii_case("bearer") && lifetime.is_some(),
            || {
                exchange.fail(
                "the login's answer is not a bearer token",
                "{\"access_token\": a string, \"token_type\": \"bearer\", \"expires_in\": seconds > 0}",
                exchange.summary(),
            )
            },
        )?;
        let me = me_with(ctx, &format!("Bearer {}", token.unwrap_or("")))?;
        let me = expect::ok_json(&me, 200, "GET /users/me with the new token")?;
        ensure(me["id"].as_u64() == Some(user.id), || {
            exchange.fail(
                "the token authenticates someone else",
                format!("\"id\": {}", user.id),
                format!("\"id\": {}", me["id"]),
            )
        })
    })
}

/// The header and claims of a compact JWS, unverified.
fn parts(token: &str) -> Option<(Value, Value, String)> {
    let mut it = token.split('.');
    let (h, p, s) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() {
        return None;
    }
    let decode = |s: &str| {
        URL_SAFE_NO_PAD
            .decode(s)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
    };
    Some((decode(h)?, decode(p)?, s.to_owned()))
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn auth_02(ctx: &Ctx) -> Outcome {
    let budget = Budget {
        cases: ctx.budget.cases.min(4),
        ..ctx.budget
    };
    for_all(budget, [()], Just(()), |()| {
        let user = ctx.member("user")?;
        let exchange = login(ctx, &user.username, &user.password)?;
        let body = expect::ok_json(&exchange, 200, "a login")?;
        let token = body["access_token"].as_str().unwrap_or("");
        let Some((header, claims, _)) = parts(token) else {
            return Err(exchange.fail(
                "the access token is not a JWT",
                "header.payload.signature, base64url JSON",
                token.to_owned(),
            ));
        };
        ensure(header["alg"] == "HS256", || {
            exchange.fail(
                "the token is not signed with HS256",
                "\"alg\": \"HS256\"",
                format!("header {header}"),
            )
        })?;
        ensure(claims["sub"] == json!(user.id.to_string()), || {
            exchange.fail(
                "the token's sub is not the user's id as a string",
                format!("\"sub\": \"{}\"", user.id),
                format!("claims {claims}"),
            )
        })?;
        let (iat, exp) = (claims["iat"].as_i64(), claims["exp"].as_i64());
        let lifetime = body["expires_in"].as_i64();
        ensure(
            iat.is_some() && exp.is_some() && exp.zip(iat).map(|(e, i)| e - i) == lifetime,
            || {
                exchange.fail(
                    "the token's lifetime is not expires_in",
                    format!("exp - iat = {}", body["expires_in"]),
                    format!("claims {claims}"),
                )
            },
        )
    })
}

fn auth_03(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let wrong = inputs::password().prop_filter("not the password", |p| *p != user.password);
    for_all(ctx.budget, [], wrong, |password| {
        let unknown = login(ctx, &ctx.unique(), password)?;
        let mistaken = login(ctx, &user.username, password)?;
        let a = expect::problem(&unknown, 401, "a login with an unknown username")?;
        let b = expect::problem(&mistaken, 401, "a login with a wrong password")?;
        for member in ["type", "title", "detail"] {
            ensure(a[member] == b[member], || {
                mistaken.fail(
                    format!("the failed logins differ in `{member}`, which tells a client whether the username exists"),
                    format!("\"{member}\": {} for both", a[member]),
                    format!("unknown user: {}, wrong password: {}", a[member], b[member]),
                )
            })?;
        }
        Ok(())
    })
}

fn auth_04(ctx: &Ctx) -> Outcome {
    let s = || "[A-Za-z0-9]{1,12}";
    let not_string = || inputs::json_value().prop_filter("not a string", |v| !v.is_string());
    let bodies = prop_oneof![
        Just(json!({})),
        s().prop_map(|u| json!({"username": u})),
        s().prop_map(|p| json!({"password": p})),
        (not_string(), s()).prop_map(|(u, p)| json!({"username": u, "password": p})),
        (s(), not_string()).prop_map(|(u, p)| json!({"username": u, "password": p})),
        prop_oneof![
            Just(json!([])),
            Just(json!(1)),
            Just(json!("admin")),
            Just(Value::Null)
        ],
    ]
    .prop_map(|v| v.to_string());
    let malformed = inputs::malformed_json().prop_map(|s| (s, 400u16));
    let strategy = prop_oneof![3 => bodies.prop_map(|b| (b, 422u16)), 1 => malformed];
    let edges = [
        ("{}".to_owned(), 422),
        (json!({"username": "admin"}).to_string(), 422),
        (json!({"username": 1, "password": "x"}).to_string(), 422),
        ("[]".to_owned(), 422),
        ("{\"username\":".to_owned(), 400),
    ];
    for_all(ctx.budget, edges, strategy, |(body, status)| {
        let exchange =
            ctx.send(Request::post("/auth/login").raw("application/json", body.clone()))?;
        expect::problem(
            &exchange,
            *status,
            "a login body that does not hold credentials",
        )
        .map(drop)
    })
}

fn auth_05(ctx: &Ctx) -> Outcome {
    let routes = (0..6usize, 1..100_000u64);
    let edges = (0..6).map(|r| (r, 1));
    for_all(ctx.budget, edges, routes, |(route, id)| {
        let request = match route {
            0 => Request::get("/users"),
            1 => Request::get("/users/me"),
            2 => Request::get(format!("/users/{id}")),
            3 => Request::put(format!("/users/{id}")).json(&json!({})),
            4 => Request::patch(format!("/users/{id}")).json(&json!({})),
            _ => Request::delete(format!("/users/{id}")),
        };
        refused(
            &ctx.send(request)?,
            "a protected route without Authorization",
        )
    })
}

fn auth_06(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    accepted(ctx, &user.token)?;
    let basic = URL_SAFE_NO_PAD.encode(format!("{}:{}", user.username, user.password));
    let credentials = prop_oneof![
        (
            select(vec![
                "Basic", "Token", "Digest", "JWT", "Bearer:", "Bearerx"
            ]),
            "[A-Za-z0-9+/=._-]{0,40}"
        )
            .prop_map(|(scheme, c)| format!("{scheme} {c}")),
        Just("Bearer".to_owned()),
        "[A-Za-z0-9_-]{1,40}".prop_map(|t| format!("Bearer {t}")),
        ("[A-Za-z0-9_-]{1,20}", "[A-Za-z0-9_-]{1,20}").prop_map(|(a, b)| format!("Bearer {a}.{b}")),
        "[A-Za-z0-9_-]{1,10}(\\.[A-Za-z0-9_-]{1,10}){3,5}".prop_map(|t| format!("Bearer {t}")),
    ];
    let edges = [
        format!("Basic {basic}"),
        format!("Token {}", user.token),
        user.token.clone(),
        "Bearer".into(),
        "Bearer not-a-jwt".into(),
    ];
    for_all(ctx.budget, edges, credentials, |authorization| {
        refused(&me_with(ctx, authorization)?, "a malformed credential")
    })
}

fn auth_11(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    let budget = Budget {
        cases: ctx.budget.cases.min(6),
        ..ctx.budget
    };
    for_all(budget, [true, false], any::<bool>(), |deactivate| {
        let user = ctx.user("user")?;
        accepted(ctx, &user.token)?;
        let path = format!("/users/{}", user.id);
        if *deactivate {
            let off = ctx.send(
                Request::patch(path)
                    .bearer(&admin.token)
                    .json(&json!({"is_active": false})),
            )?;
            expect::ok_json(&off, 200, "an admin deactivating a user")?;
        } else {
            let gone = ctx.send(Request::delete(path).bearer(&admin.token))?;
            expect::status(&gone, &[204], "an admin deleting a user")?;
        }
        let what = if *deactivate {
            "a deactivated user's token"
        } else {
            "a deleted user's token"
        };
        refused(&me_with(ctx, &format!("Bearer {}", user.token))?, what)?;
        if !*deactivate {
            return Ok(());
        }
        let right = login(ctx, &user.username, &user.password)?;
        let wrong = login(ctx, &user.username, "Wrong-passw0rd")?;
        let a = expect::problem(&right, 401, "a deactivated user's login")?;
        let b = expect::problem(&wrong, 401, "a login with a wrong password")?;
        ensure(
            a["type"] == b["type"] && a["title"] == b["title"] && a["detail"] == b["detail"],
            || {
                right.fail(
                    "a deactivated user's login is told apart from a wrong password",
                    b.to_string(),
                    a.to_string(),
                )
            },
        )
    })
}
