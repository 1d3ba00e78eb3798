//! CONTRACT §3, Users: the resource's life cycle, uniqueness, pages and timestamps.

use std::sync::Barrier;

use proptest::prelude::*;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Check, Needs, Outcome};
use crate::context::Ctx;
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
        hint: "answer 404 problem+json for any id that names no user, numeric or not",
        needs: Needs::Nothing,
        run: usr_02,
    },
    Check {
        id: "USR-03",
        section: "users",
        title: "no response contains a password or its hash",
        hint: "serialize a view of the user that has no password member",
        needs: Needs::Nothing,
        run: usr_03,
    },
    Check {
        id: "USR-04",
        section: "users",
        title: "a username taken in any case is 409",
        hint: "enforce uniqueness on the lowercased username, atomically with the insert",
        needs: Needs::Nothing,
        run: usr_04,
    },
    Check {
        id: "USR-05",
        section: "users",
        title: "an email taken in any case is 409",
        hint: "enforce uniqueness on the lowercased email, atomically with the insert",
        needs: Needs::Nothing,
        run: usr_05,
    },
    Check {
        id: "USR-11",
        section: "users",
        title: "GET /users is a bounded page in id order",
        hint: "validate page (>= 1) and page_size (1-100) and slice the id-ordered collection",
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
        hint: "set updated_at on every update that changes a field, never created_at",
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

const ALL_MEMBERS: [&str; 9] = [
    "id",
    "username",
    "email",
    "full_name",
    "age",
    "role",
    "is_active",
    "created_at",
    "updated_at",
];

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
    if text.contains("$argon2") || text.contains("$2b$") || text.contains("$scrypt$") {
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

fn usr_03(ctx: &Ctx) -> Outcome {
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

/// The first case variant of `name` that differs from it, as proptest chose or by swapping all.
fn variant(name: &str, mask: &[bool]) -> String {
    let chosen = inputs::recase(name, mask);
    if chosen != name {
        chosen
    } else {
        inputs::recase(name, &vec![true; name.len()])
    }
}

fn usr_04(ctx: &Ctx) -> Outcome {
    let edges = [(String::new(), vec![true; 64])];
    for_all(
        ctx.budget,
        edges,
        (inputs::username_tail(), inputs::case_mask()),
        |(tail, mask)| {
            let mut body = ctx.sign_up_body();
            body["username"] = json!(format!("{}{tail}", body["username"].as_str().unwrap_or("")));
            let holder = ctx.create(&body)?;
            let taken = variant(holder["username"].as_str().unwrap_or(""), mask);
            let mut second = ctx.sign_up_body();
            second["username"] = json!(taken);
            let exchange = ctx.send(Request::post("/users").json(&second))?;
            expect::problem(
                &exchange,
                409,
                "a sign-up with a username taken in another case",
            )?;
            let holder_id = holder["id"].as_u64().unwrap_or_default();
            let after = ctx.fetch(holder_id)?;
            ensure(after == holder, || {
                exchange.fail(
                    "the refused sign-up changed the holder of the username",
                    holder.to_string(),
                    after.to_string(),
                )
            })?;
            // Nothing was created: the refused sign-up's email is still free.
            let mut third = ctx.sign_up_body();
            third["email"] = second["email"].clone();
            ctx.create(&third).map_err(|f| {
                let title = format!("the refused sign-up kept its email: {}", f.title);
                f.retitled(title)
            })?;
            // The same holds for an update to a taken username.
            let other = ctx.user("user")?;
            let before = ctx.fetch(other.id)?;
            let rename = ctx.send(
                Request::patch(format!("/users/{}", other.id))
                    .bearer(&other.token)
                    .json(&json!({"username": taken})),
            )?;
            expect::problem(
                &rename,
                409,
                "an update to a username taken in another case",
            )?;
            let after = ctx.fetch(other.id)?;
            ensure(after == before, || {
                rename.fail(
                    "the refused update changed the user",
                    before.to_string(),
                    after.to_string(),
                )
            })
        },
    )
}

fn usr_05(ctx: &Ctx) -> Outcome {
    let edges = [(("".to_owned(), "example.com".to_owned()), vec![true; 64])];
    for_all(
        ctx.budget,
        edges,
        (inputs::email_parts(), inputs::case_mask()),
        |(parts, mask)| {
            let body = sign_up(ctx, "", parts);
            let holder = ctx.create(&body)?;
            let taken = variant(holder["email"].as_str().unwrap_or(""), mask);
            let mut second = ctx.sign_up_body();
            second["email"] = json!(taken);
            let exchange = ctx.send(Request::post("/users").json(&second))?;
            expect::problem(
                &exchange,
                409,
                "a sign-up with an email taken in another case",
            )?;
            let after = ctx.fetch(holder["id"].as_u64().unwrap_or_default())?;
            ensure(after == holder, || {
                exchange.fail(
                    "the refused sign-up changed the holder of the email",
                    holder.to_string(),
                    after.to_string(),
                )
            })?;
            let mut third = ctx.sign_up_body();
            third["username"] = second["username"].clone();
            ctx.create(&third).map_err(|f| {
                let title = format!("the refused sign-up kept its username: {}", f.title);
                f.retitled(title)
            })?;
            let other = ctx.user("user")?;
            let before = ctx.fetch(other.id)?;
            let change = ctx.send(
                Request::patch(format!("/users/{}", other.id))
                    .bearer(&other.token)
                    .json(&json!({"email": taken})),
            )?;
            expect::problem(&change, 409, "an update to an email taken in another case")?;
            let after = ctx.fetch(other.id)?;
            ensure(after == before, || {
                change.fail(
                    "the refused update changed the user",
                    before.to_string(),
                    after.to_string(),
                )
            })
        },
    )
}

#[derive(Clone, Debug)]
enum PageQuery {
    Valid {
        page: Option<u64>,
        size: Option<u64>,
    },
    BadPage(String),
    BadSize(String),
}

fn page_query() -> impl Strategy<Value = PageQuery> {
    let bad = |range: &'static str| {
        prop_oneof![
            Just("0".to_owned()),
            "-[1-9][0-9]{0,3}".prop_map(|s| s),
            "[a-z]{1,5}",
            "[1-9]\\.[0-9]",
            Just(String::new()),
            Just(range.to_owned()),
        ]
    };
    prop_oneof![
        (
            proptest::option::of(1..=6u64),
            proptest::option::of(1..=100u64)
        )
            .prop_map(|(page, size)| PageQuery::Valid { page, size }),
        bad("0").prop_map(PageQuery::BadPage),
        prop_oneof![bad("101"), (101..5000u64).prop_map(|n| n.to_string())]
            .prop_map(PageQuery::BadSize),
    ]
}

fn usr_11(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    for _ in 0..3 {
        ctx.create(&ctx.sign_up_body())?;
    }
    let edges = [
        PageQuery::Valid {
            page: None,
            size: None,
        },
        PageQuery::Valid {
            page: Some(1),
            size: Some(1),
        },
        PageQuery::BadSize("101".into()),
        PageQuery::BadSize("1000".into()),
        PageQuery::BadPage("0".into()),
    ];
    for_all(ctx.budget, edges, page_query(), |query| {
        let mut params = Vec::new();
        let (name, bad) = match query {
            PageQuery::Valid { page, size } => {
                params.extend(page.map(|p| format!("page={p}")));
                params.extend(size.map(|s| format!("page_size={s}")));
                (None, None)
            }
            PageQuery::BadPage(v) => (Some("page"), Some(v)),
            PageQuery::BadSize(v) => (Some("page_size"), Some(v)),
        };
        if let (Some(name), Some(value)) = (name, bad) {
            let encoded =
                percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC);
            params.push(format!("{name}={encoded}"));
        }
        let path = if params.is_empty() {
            "/users".to_owned()
        } else {
            format!("/users?{}", params.join("&"))
        };
        let exchange = ctx.send(Request::get(path).bearer(&admin.token))?;
        let (page, size) = match (query, name) {
            (PageQuery::Valid { page, size }, _) => (page.unwrap_or(1), size.unwrap_or(20)),
            (_, Some(name)) => {
                return expect::names_fields(&exchange, &[name], "an out-of-range page parameter");
            }
            _ => unreachable!("every invalid query names its parameter"),
        };
        let body = expect::ok_json(&exchange, 200, "GET /users")?;
        let items = body["items"].as_array().cloned().unwrap_or_default();
        let total = body["total"].as_u64().unwrap_or_default();
        let expected =
            json!({"page": page, "page_size": size, "total_pages": total.div_ceil(size)});
        same_members(
            &exchange,
            "the page",
            &expected,
            &body,
            &["page", "page_size", "total_pages"],
        )?;
        ensure(items.len() as u64 <= size, || {
            exchange.fail(
                "the page holds more items than page_size",
                format!("at most {size} items"),
                format!("{} items", items.len()),
            )
        })?;
        let ids: Vec<u64> = items.iter().filter_map(|u| u["id"].as_u64()).collect();
        ensure(ids.windows(2).all(|w| w[0] < w[1]), || {
            exchange.fail(
                "the page is not in ascending id order",
                "ids ascending",
                format!("ids {ids:?}"),
            )
        })?;
        // Pages before the last are full; pages after it are empty.
        let full = page * size <= total;
        let past = (page - 1) * size >= total;
        let expected_len = if full {
            size
        } else if past {
            0
        } else {
            total - (page - 1) * size
        };
        ensure(items.len() as u64 == expected_len, || {
            exchange.fail(
                "the page's size disagrees with total",
                format!("{expected_len} items for page {page} of size {size} with total {total}"),
                format!("{} items", items.len()),
            )
        })
    })
}

/// Which required member a `PUT` leaves out.
#[derive(Clone, Copy, Debug)]
enum Missing {
    Nothing,
    Username,
    Email,
}

fn usr_12(ctx: &Ctx) -> Outcome {
    let strategy = (
        inputs::username_tail(),
        inputs::email_parts(),
        proptest::option::of(inputs::full_name()),
        proptest::option::of(inputs::age()),
        prop_oneof![3 => Just(Missing::Nothing), 1 => Just(Missing::Username), 1 => Just(Missing::Email)],
    );
    let parts = || ("".to_owned(), "example.com".to_owned());
    let edges = [
        (String::new(), parts(), None, None, Missing::Nothing),
        (String::new(), parts(), None, None, Missing::Username),
        (String::new(), parts(), None, None, Missing::Email),
    ];
    for_all(
        ctx.budget,
        edges,
        strategy,
        |(tail, email, full_name, age, missing)| {
            let mut body = ctx.sign_up_body();
            body["full_name"] = json!("Original Name");
            body["age"] = json!(40);
            let user = ctx.create(&body)?;
            let id = user["id"].as_u64().unwrap_or_default();
            let token = ctx.login(body["username"].as_str().unwrap_or(""), &ctx.password())?;
            let mut put = sign_up(ctx, tail, email);
            put.as_object_mut().map(|o| o.remove("password"));
            if let Some(v) = full_name {
                put["full_name"] = v.clone();
            }
            if let Some(v) = age {
                put["age"] = v.clone();
            }
            let dropped = match missing {
                Missing::Nothing => None,
                Missing::Username => Some("username"),
                Missing::Email => Some("email"),
            };
            if let Some(member) = dropped {
                put.as_object_mut().map(|o| o.remove(member));
            }
            let exchange = ctx.send(
                Request::put(format!("/users/{id}"))
                    .bearer(&token)
                    .json(&put),
            )?;
            if let Some(member) = dropped {
                return expect::names_fields(
                    &exchange,
                    &[member],
                    "a PUT without a required member",
                );
            }
            let replaced = expect::ok_json(&exchange, 200, "a valid PUT")?;
            let expected = json!({
                "id": id,
                "username": put["username"],
                "email": put["email"].as_str().unwrap_or("").to_lowercase(),
                "full_name": full_name.clone().unwrap_or(Value::Null),
                "age": age.clone().unwrap_or(Value::Null),
                "role": user["role"],
                "is_active": user["is_active"],
                "created_at": user["created_at"],
            });
            let members = [
                "id",
                "username",
                "email",
                "full_name",
                "age",
                "role",
                "is_active",
                "created_at",
            ];
            same_members(
                &exchange,
                "the replaced user",
                &expected,
                &replaced,
                &members,
            )?;
            let fetched = ctx.fetch(id)?;
            same_members(
                &exchange,
                "a GET after the PUT",
                &replaced,
                &fetched,
                &ALL_MEMBERS,
            )
        },
    )
}

/// A `PATCH` body: each member present or absent, values generated.
type Patch = (
    Option<String>,
    Option<(String, String)>,
    Option<Value>,
    Option<Value>,
    Option<&'static str>,
    Option<bool>,
);

fn patch_body() -> impl Strategy<Value = Patch> {
    use proptest::option::of;
    (
        of(inputs::username_tail()),
        of(inputs::email_parts()),
        of(inputs::full_name()),
        of(inputs::age()),
        of(inputs::role()),
        of(any::<bool>()),
    )
}

fn usr_13(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    let only_username: Patch = (Some(String::new()), None, None, None, None, None);
    let clear_name: Patch = (None, None, Some(Value::Null), None, None, None);
    for_all(
        ctx.budget,
        [only_username, clear_name],
        patch_body(),
        |patch| {
            let (username, email, full_name, age, role, is_active) = patch;
            let mut body = ctx.sign_up_body();
            body["full_name"] = json!("Original Name");
            body["age"] = json!(40);
            let user = ctx.create(&body)?;
            let id = user["id"].as_u64().unwrap_or_default();
            let fresh = sign_up(
                ctx,
                username.as_deref().unwrap_or(""),
                email
                    .as_ref()
                    .unwrap_or(&(String::new(), "example.com".into())),
            );
            let mut changes = serde_json::Map::new();
            if username.is_some() {
                changes.insert("username".into(), fresh["username"].clone());
            }
            if email.is_some() {
                changes.insert("email".into(), fresh["email"].clone());
            }
            if let Some(v) = full_name {
                changes.insert("full_name".into(), v.clone());
            }
            if let Some(v) = age {
                changes.insert("age".into(), v.clone());
            }
            if let Some(v) = role {
                changes.insert("role".into(), json!(v));
            }
            if let Some(v) = is_active {
                changes.insert("is_active".into(), json!(v));
            }
            // Role and activation are an admin's to change (ROLE-03); the rest the user's own.
            let token = if role.is_some() || is_active.is_some() {
                admin.token.clone()
            } else {
                ctx.login(body["username"].as_str().unwrap_or(""), &ctx.password())?
            };
            let changes = Value::Object(changes);
            let exchange = ctx.send(
                Request::patch(format!("/users/{id}"))
                    .bearer(&token)
                    .json(&changes),
            )?;
            let patched = expect::ok_json(&exchange, 200, "a valid PATCH")?;
            let mut expected = user.clone();
            for (member, value) in changes.as_object().into_iter().flatten() {
                expected[member] = match member.as_str() {
                    "email" => json!(value.as_str().unwrap_or("").to_lowercase()),
                    _ => value.clone(),
                };
            }
            let members = [
                "id",
                "username",
                "email",
                "full_name",
                "age",
                "role",
                "is_active",
                "created_at",
            ];
            same_members(&exchange, "the patched user", &expected, &patched, &members)?;
            let fetched = ctx.fetch(id)?;
            same_members(
                &exchange,
                "a GET after the PATCH",
                &patched,
                &fetched,
                &ALL_MEMBERS,
            )
        },
    )
}

fn usr_15(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    for_all(ctx.budget, [true, false], any::<bool>(), |by_admin| {
        let user = ctx.user("user")?;
        let token = if *by_admin { &admin.token } else { &user.token };
        let path = format!("/users/{}", user.id);
        let exchange = ctx.send(Request::delete(path.clone()).bearer(token))?;
        expect::status(&exchange, &[204], "DELETE of a user")?;
        ensure(exchange.body.is_empty(), || {
            exchange.fail("a 204 carries a body", "no body", exchange.summary())
        })?;
        let get = ctx.send(Request::get(path.clone()).bearer(&admin.token))?;
        expect::problem(&get, 404, "GET of a deleted user")?;
        let again = ctx.send(Request::delete(path).bearer(&admin.token))?;
        expect::problem(&again, 404, "a second DELETE of a user").map(drop)
    })
}

fn usr_16(ctx: &Ctx) -> Outcome {
    for_all(
        ctx.budget,
        ["user", "moderator", "admin"],
        inputs::role(),
        |role| {
            let user = ctx.user(role)?;
            let exchange = ctx.send(Request::get("/users/me").bearer(&user.token))?;
            let me = expect::ok_json(&exchange, 200, "GET /users/me")?;
            let expected = json!({"id": user.id, "username": user.username, "role": role});
            same_members(
                &exchange,
                "GET /users/me",
                &expected,
                &me,
                &["id", "username", "role"],
            )
        },
    )
}

fn timestamp(exchange: &Exchange, user: &Value, member: &str) -> Result<OffsetDateTime, Failure> {
    user[member]
        .as_str()
        .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
        .ok_or_else(|| {
            exchange.fail(
                format!("`{member}` is not an RFC 3339 timestamp"),
                "an RFC 3339 date-time",
                format!("\"{member}\": {}", user[member]),
            )
        })
}

fn usr_17(ctx: &Ctx) -> Outcome {
    let names = proptest::collection::vec("[A-Za-z ]{0,20}", 1..5);
    for_all(ctx.budget, [vec![String::new(); 3]], names, |names| {
        let user = ctx.user("user")?;
        let created = ctx.fetch(user.id)?;
        let mut previous = created.clone();
        for (n, name) in names.iter().enumerate() {
            // Numbered, so that every update changes full_name.
            let change = json!({"full_name": format!("{n} {name}")});
            let exchange = ctx.send(
                Request::patch(format!("/users/{}", user.id))
                    .bearer(&user.token)
                    .json(&change),
            )?;
            let next = expect::ok_json(&exchange, 200, "a PATCH of full_name")?;
            same_members(
                &exchange,
                "after an update",
                &created,
                &next,
                &["created_at"],
            )?;
            let (before, after) = (
                timestamp(&exchange, &previous, "updated_at")?,
                timestamp(&exchange, &next, "updated_at")?,
            );
            ensure(after > before, || {
                exchange.fail(
                    "an update that changed a field did not move updated_at forward",
                    format!("updated_at later than {}", previous["updated_at"]),
                    format!("\"updated_at\": {}", next["updated_at"]),
                )
            })?;
            previous = next;
        }
        Ok(())
    })
}

fn usr_18(ctx: &Ctx) -> Outcome {
    let budget = Budget {
        cases: ctx.budget.cases.min(4),
        ..ctx.budget
    };
    for_all(
        budget,
        [(true, 8), (false, 8)],
        (any::<bool>(), 2..=8usize),
        |(share_username, n)| {
            let shared = ctx.unique();
            let bodies: Vec<Value> = (0..*n)
                .map(|_| {
                    let mut body = ctx.sign_up_body();
                    let member = if *share_username { "username" } else { "email" };
                    body[member] = if *share_username {
                        json!(shared)
                    } else {
                        json!(format!("{shared}@example.com"))
                    };
                    body
                })
                .collect();
            let start = Barrier::new(*n);
            let outcomes: Vec<Result<Exchange, Failure>> = std::thread::scope(|s| {
                let handles: Vec<_> = bodies
                    .iter()
                    .map(|body| {
                        let start = &start;
                        s.spawn(move || {
                            start.wait();
                            ctx.send(Request::post("/users").json(body))
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join().unwrap_or_else(|_| {
                            Err(Failure::new("a request thread panicked", "", ""))
                        })
                    })
                    .collect()
            });
            let exchanges = outcomes.into_iter().collect::<Result<Vec<_>, _>>()?;
            let statuses: Vec<u16> = exchanges.iter().map(|e| e.status).collect();
            let created = statuses.iter().filter(|&&s| s == 201).count();
            let first = &exchanges[0];
            ensure(
                created == 1 && statuses.iter().all(|&s| s == 201 || s == 409),
                || {
                    let shared_member = if *share_username { "username" } else { "email" };
                    first.fail(
                        format!("{n} concurrent sign-ups sharing a {shared_member}"),
                        "exactly one 201 and every other 409",
                        format!("statuses {statuses:?}"),
                    )
                },
            )
        },
    )
}
