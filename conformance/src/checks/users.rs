//! CONTRACT §3, Users: the resource's life cycle, uniqueness, pages and timestamps.

mod lifecycle;
mod listing;
pub(super) mod ops;
mod uniqueness;

use lifecycle::*;
use listing::*;
use uniqueness::*;

use std::sync::Barrier;

use proptest::prelude::*;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Check, Needs, Outcome};
use crate::context::{Ctx, Session};
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::http::{Exchange, Request};
use crate::inputs;
use crate::property::{Budget, for_all};

pub const CHECKS: &[Check] = &[
    Check {
        id: "USR-01",
        section: "users",
        title: "a valid sign-up is 201 with Location and the user",
        hint: "answer 201, a Location of /users/{id}, role user, is_active true, the email lowercased",
        needs: Needs::Nothing,
        run: usr_01,
    },
    Check {
        id: "USR-02",
        section: "users",
        title: "GET /users/{id} is the user, or 404 when there is none",
        hint: "USR-02: an id that names no user (including one that is not a number) is answered 404 with a problem; read ids of any size (2^64 too) without 400, 5xx or wrapping to another user",
        needs: Needs::Nothing,
        run: usr_02,
    },
    Check {
        id: "USR-03",
        section: "users",
        title: "no response contains a password or its hash",
        hint: "USR-03: no response ever contains a password, its hash, or a member whose name contains password; error answers (422, 409, 401) included: never echo a rejected value",
        needs: Needs::Nothing,
        run: usr_03,
    },
    Check {
        id: "USR-04",
        section: "users",
        title: "a username taken in any case is 409",
        hint: "USR-04: a sign-up or update (PUT, PATCH, merge patch) with a username another user holds, ignoring case, is 409 and changes nothing; compare lowercased keys on every path",
        needs: Needs::Nothing,
        run: usr_04,
    },
    Check {
        id: "USR-05",
        section: "users",
        title: "an email taken in any case is 409",
        hint: "USR-05: a sign-up or update (PUT, PATCH, merge patch) with an email another user holds, ignoring case, is 409 and changes nothing",
        needs: Needs::Nothing,
        run: usr_05,
    },
    Check {
        id: "USR-11",
        section: "users",
        title: "GET /users is a bounded page in id order",
        hint: "USR-11: a page or page_size that is out of range or not an integer is answered 422 naming the parameter (page_size 1-100, 2^32 + 10 and 2^64 included); slice the id-ordered collection",
        needs: Needs::Nothing,
        run: usr_11,
    },
    Check {
        id: "USR-12",
        section: "users",
        title: "PUT replaces the mutable fields",
        hint: "require username and email on PUT and set absent full_name and age to null",
        needs: Needs::Nothing,
        run: usr_12,
    },
    Check {
        id: "USR-13",
        section: "users",
        title: "PATCH changes only the members it is given",
        hint: "tell an absent member (keep) from a null one (clear)",
        needs: Needs::Nothing,
        run: usr_13,
    },
    Check {
        id: "USR-15",
        section: "users",
        title: "DELETE is 204, then the user is gone",
        hint: "answer 204 with no body; afterwards GET and DELETE of the id are 404",
        needs: Needs::Nothing,
        run: usr_15,
    },
    Check {
        id: "USR-16",
        section: "users",
        title: "GET /users/me is the caller",
        hint: "look the caller up by the token's subject",
        needs: Needs::Nothing,
        run: usr_16,
    },
    Check {
        id: "USR-17",
        section: "users",
        title: "created_at is fixed; updated_at moves forward on every change",
        hint: "USR-17: created_at never changes; updated_at does not go backwards and changes with every update that changes a field: each field, through PUT, PATCH and merge patch alike",
        needs: Needs::Nothing,
        run: usr_17,
    },
    Check {
        id: "USR-18",
        section: "users",
        title: "uniqueness holds under concurrent sign-ups",
        hint: "check and insert the unique keys in one transaction (or with a unique index)",
        needs: Needs::Nothing,
        run: usr_18,
    },
];

/// A sign-up body from generated parts: a fresh username and email with generated tails.
pub fn sign_up(ctx: &Ctx, tail: &str, (local, domain): &(String, String)) -> Value {
    let base = ctx.unique();
    json!({
        "username": format!("{base}{tail}"),
        "email": format!("{base}{local}@{domain}"),
        "password": ctx.password(),
    })
}

/// `actual` equals `expected` member by member, with a failure naming the first difference.
pub fn same_members(
    exchange: &Exchange,
    what: &str,
    expected: &Value,
    actual: &Value,
    members: &[&str],
) -> Outcome {
    for member in members {
        ensure(expected[member] == actual[member], || {
            exchange.fail(
                format!("{what}: `{member}` is not as expected"),
                format!("\"{member}\": {}", expected[member]),
                format!("\"{member}\": {}", actual[member]),
            )
        })?;
    }
    Ok(())
}

/// Every member of the user representation.
const ALL_MEMBERS: [&str; 9] = crate::queries::MEMBERS;

fn usr_01(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    let strategy = (
        inputs::username_tail(),
        inputs::email_parts(),
        inputs::case_mask(),
        inputs::password(),
        proptest::option::of(inputs::full_name()),
        proptest::option::of(inputs::age()),
    );
    let edge = |name: Value, age: Value| {
        (
            String::new(),
            ("".to_owned(), "Example.COM".to_owned()),
            vec![true; 8],
            "Passw0rd".to_owned(),
            Some(name),
            Some(age),
        )
    };
    let edges = [
        edge(json!("n".repeat(100)), json!(0)),
        edge(Value::Null, json!(150)),
    ];
    for_all(
        ctx.budget,
        edges,
        strategy,
        |(tail, email, mask, password, full_name, age)| {
            let mut body = sign_up(ctx, tail, email);
            body["email"] = json!(inputs::recase(body["email"].as_str().unwrap_or(""), mask));
            body["password"] = json!(password);
            if let Some(v) = full_name {
                body["full_name"] = v.clone();
            }
            if let Some(v) = age {
                body["age"] = v.clone();
            }
            let exchange = ctx.send(Request::post("/users").json(&body))?;
            let user = expect::ok_json(&exchange, 201, "a valid sign-up")?;
            let expected = json!({
                "username": body["username"],
                "email": body["email"].as_str().unwrap_or("").to_lowercase(),
                "full_name": full_name.clone().unwrap_or(Value::Null),
                "age": age.clone().unwrap_or(Value::Null),
                "role": "user",
                "is_active": true,
            });
            same_members(
                &exchange,
                "the created user",
                &expected,
                &user,
                &["username", "email", "full_name", "age", "role", "is_active"],
            )?;
            let id = user["id"].as_u64().filter(|&id| id > 0).ok_or_else(|| {
                exchange.fail(
                    "the created user has no positive id",
                    "\"id\": a positive integer",
                    format!("\"id\": {}", user["id"]),
                )
            })?;
            let location = exchange.header("location").ok_or_else(|| {
                exchange.fail(
                    "a sign-up answered no Location",
                    format!("Location: …/users/{id}"),
                    "no Location header",
                )
            })?;
            let resolved = reqwest::Url::parse(&exchange.url)
                .and_then(|u| u.join(location))
                .map_err(|e| {
                    exchange.fail(
                        "the Location is not a URI reference",
                        "a URI",
                        format!("{location}: {e}"),
                    )
                })?;
            ensure(resolved.path().ends_with(&format!("/users/{id}")), || {
                exchange.fail(
                    "the Location does not name the new user",
                    format!("a URL ending /users/{id}"),
                    format!("Location: {location}"),
                )
            })?;
            let followed = ctx.send(Request::get(resolved.to_string()).bearer(&admin.token))?;
            let fetched = expect::ok_json(&followed, 200, "following the sign-up's Location")?;
            same_members(
                &followed,
                "the user at the Location",
                &user,
                &fetched,
                &["id", "username"],
            )
        },
    )
}

/// An id that names no user: not a number, out of range, negative, or fractional.
fn absent_id() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z][a-zA-Z0-9_-]{0,10}".prop_filter("not me", |s| s != "me"),
        "[1-9][0-9]{20,25}",
        "-[1-9][0-9]{0,5}",
        "[1-9][0-9]{0,3}\\.[0-9]{1,2}",
        Just("0".to_owned()),
    ]
}

fn usr_02(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    let created = ctx.create(&ctx.sign_up_body())?;
    let id = created["id"].as_u64().unwrap_or_default();
    let exchange = ctx.send(Request::get(format!("/users/{id}")).bearer(&admin.token))?;
    let fetched = expect::ok_json(&exchange, 200, "GET of a user just created")?;
    same_members(
        &exchange,
        "GET /users/{id}",
        &created,
        &fetched,
        &ALL_MEMBERS,
    )?;
    // The id of a deleted user names no user either.
    let gone = ctx.user("user")?;
    let deleted = ctx.send(Request::delete(format!("/users/{}", gone.id)).bearer(&gone.token))?;
    expect::status(&deleted, &[204], "a user deleting themself")?;
    // Numbers past 2^32, 2^63 and 2^64 name no user here, or only the user of exactly that id: an
    // id read into a narrower integer is neither refused (400) nor a 5xx nor another user.
    let huge = [
        (id + (1 << 32)).to_string(),
        "9223372036854775807".into(),
        "9223372036854775808".into(),
        "18446744073709551615".into(),
        "18446744073709551616".into(),
        "1000000000000000000".into(),
        "99999999999999999999999".into(),
    ];
    for huge in huge {
        let exchange = ctx.send(Request::get(format!("/users/{huge}")).bearer(&admin.token))?;
        if exchange.status == 200 {
            let named = exchange
                .json()
                .and_then(|u| u["id"].as_u64())
                .map(|n| n.to_string());
            ensure(named.as_deref() == Some(huge.as_str()), || {
                exchange.fail(
                    format!("GET /users/{huge} answered another user"),
                    format!("404, or the user whose id is {huge}"),
                    exchange.summary(),
                )
            })?;
            continue;
        }
        expect::problem(&exchange, 404, "GET of an id past 32 or 64 bits").map(drop)?;
    }
    let edges = [gone.id.to_string(), "abc".into(), "0".into()];
    for_all(ctx.budget, edges, absent_id(), |id| {
        let exchange = ctx.send(Request::get(format!("/users/{id}")).bearer(&admin.token))?;
        expect::problem(&exchange, 404, "GET of an id that names no user").map(drop)
    })
}

/// Every member name in `value` that mentions a password, at any depth.
fn password_members(value: &Value, path: &str, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let here = format!("{path}.{k}");
                if k.to_ascii_lowercase().contains("password") {
                    found.push(here.clone());
                }
                password_members(v, &here, found);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                password_members(v, &format!("{path}[{i}]"), found);
            }
        }
        _ => {}
    }
}

fn no_password(exchange: &Exchange, password: &str) -> Outcome {
    let mut found = Vec::new();
    if let Some(body) = exchange.json() {
        password_members(&body, "$", &mut found);
    }
    let text = String::from_utf8_lossy(&exchange.body);
    if text.contains(password) {
        found.push("the password itself".into());
    }
    let hashes = ["$argon2", "$2a$", "$2b$", "$2y$", "$scrypt$", "$pbkdf2"];
    if hashes.iter().any(|h| text.contains(h)) {
        found.push("a password hash".into());
    }
    ensure(found.is_empty(), || {
        exchange.fail(
            "a response gives away a password",
            "no password, hash, or member named like one",
            found.join(", "),
        )
    })
}

/// Random letters and digits: a password made of them appears in a response only if it was echoed.
fn marker(len: usize) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// Error answers carry no password either: invalid sign-ups of each kind, a sign-up refused for
/// another field or a taken username, updates naming `password` on every operation, a failed
/// login. Each password is random, so finding it in a body means it was echoed.
fn error_bodies(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let m = marker(12);
    let refused = [
        format!("Q7{}", &m[..5]),
        format!("Pw{}", m.replace(char::is_numeric, "x")),
        format!("pw7{m}"),
        format!("PW7{}", m.to_uppercase()),
        format!("Pw7{}", marker(130)),
    ];
    for password in &refused {
        let mut body = ctx.sign_up_body();
        body["password"] = json!(password);
        no_password(&ctx.send(Request::post("/users").json(&body))?, password)?;
    }
    let password = format!("Pw7{m}");
    let mut body = ctx.sign_up_body();
    body["password"] = json!(password);
    for (member, value) in [("username", json!("a b")), ("age", json!(-1))] {
        let mut bad = body.clone();
        bad[member] = value;
        no_password(&ctx.send(Request::post("/users").json(&bad))?, &password)?;
    }
    body["username"] = json!(user.username);
    no_password(&ctx.send(Request::post("/users").json(&body))?, &password)?;
    let mut members = serde_json::Map::new();
    members.insert("password".into(), json!(password));
    members.insert("age".into(), json!(-1));
    for op in ops::UPDATES {
        no_password(
            &ctx.send(ops::request(ctx, op, &user, &members))?,
            &password,
        )?;
    }
    let login = json!({"username": user.username, "password": password});
    no_password(
        &ctx.send(Request::post("/auth/login").json(&login))?,
        &password,
    )
}

fn usr_03(ctx: &Ctx) -> Outcome {
    error_bodies(ctx)?;
    let admin = ctx.admin()?;
    for_all(ctx.budget, [], inputs::password(), |password| {
        let mut body = ctx.sign_up_body();
        body["password"] = json!(password);
        let created = ctx.send(Request::post("/users").json(&body))?;
        no_password(&created, password)?;
        let user = expect::ok_json(&created, 201, "a valid sign-up")?;
        let id = user["id"].as_u64().unwrap_or_default();
        let login = ctx.send(
            Request::post("/auth/login")
                .json(&json!({"username": body["username"], "password": password})),
        )?;
        no_password(&login, password)?;
        let token = expect::ok_json(&login, 200, "logging in")?["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let total = ctx.send(Request::get("/users?page_size=1").bearer(&admin.token))?;
        let last = expect::ok_json(&total, 200, "GET /users")?["total"]
            .as_u64()
            .unwrap_or(1);
        let requests = [
            Request::get(format!("/users/{id}")).bearer(&token),
            Request::get("/users/me").bearer(&token),
            Request::get(format!("/users?page={}&page_size=1", last.max(1))).bearer(&token),
            Request::get("/users?page_size=100").bearer(&token),
            Request::patch(format!("/users/{id}"))
                .bearer(&token)
                .json(&json!({"full_name": "Pass Word"})),
            Request::patch(format!("/users/{id}"))
                .bearer(&token)
                .json(&json!({"password": password})),
            Request::post("/users").json(&body),
        ];
        for request in requests {
            no_password(&ctx.send(request)?, password)?;
        }
        Ok(())
    })
}
