//! USR-12..18: replacing, patching, deleting, `me`, timestamps and concurrent sign-ups.

use super::*;
use crate::context::Session;
use ops::Op;

/// Which required member a `PUT` leaves out.
#[derive(Clone, Copy, Debug)]
enum Missing {
    Nothing,
    Username,
    Email,
}

pub(super) fn usr_12(ctx: &Ctx) -> Outcome {
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
            // All but updated_at, which the update moves.
            let members = &crate::queries::MEMBERS[..8];
            same_members(
                &exchange,
                "the replaced user",
                &expected,
                &replaced,
                members,
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

pub(super) fn usr_13(ctx: &Ctx) -> Outcome {
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
            // All but updated_at, which the update moves.
            let members = &crate::queries::MEMBERS[..8];
            same_members(&exchange, "the patched user", &expected, &patched, members)?;
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

pub(super) fn usr_15(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    for_all(ctx.budget, [true, false], any::<bool>(), |by_admin| {
        // Only a user deleting themself needs to be logged in.
        let user = if *by_admin {
            ctx.member("user")?
        } else {
            ctx.user("user")?
        };
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

pub(super) fn usr_16(ctx: &Ctx) -> Outcome {
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

/// The value an update sets `field` to at step `n`: always another than the one it holds.
fn change_of(ctx: &Ctx, field: &str, n: usize, name: &str) -> Value {
    match field {
        "username" => json!(ctx.unique()),
        "email" => json!(format!("{}@example.com", ctx.unique())),
        "full_name" => json!(format!("{n} {name}")),
        "age" => json!(20 + n),
        "role" => json!("moderator"),
        _ => json!(false),
    }
}

pub(super) fn usr_17(ctx: &Ctx) -> Outcome {
    const FIELDS: [&str; 6] = ["username", "email", "full_name", "age", "role", "is_active"];
    let admin = ctx.admin()?;
    let edges = (0..ops::UPDATES.len()).map(|k| (k, String::new()));
    let strategy = (0..ops::UPDATES.len(), "[A-Za-z ]{0,20}");
    // The edges meet every field on every operation; random cases only vary the values.
    let budget = Budget {
        cases: ctx.budget.cases.min(4),
        ..ctx.budget
    };
    for_all(budget, edges, strategy, |(offset, name)| {
        let user = ctx.member("user")?;
        // The admin may change every field, role and is_active included (ROLE-03).
        let actor = Session {
            token: admin.token.clone(),
            ..user.clone()
        };
        let created = ctx.fetch(user.id)?;
        let mut previous = created.clone();
        // Each field in turn, each through another operation as the offset moves.
        for (n, field) in FIELDS.iter().enumerate() {
            let op = ops::UPDATES[(n + offset) % ops::UPDATES.len()];
            let value = change_of(ctx, field, n, name);
            let exchange = ctx.send(ops::send_one(ctx, op, &actor, field, &value))?;
            let what = format!("{} of {field}", op.name());
            let next = expect::ok_json(&exchange, 200, &what)?;
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
                    format!("{what}, which changed it, did not move updated_at forward"),
                    format!("updated_at later than {}", previous["updated_at"]),
                    format!("\"updated_at\": {}", next["updated_at"]),
                )
            })?;
            previous = next;
        }
        // An update that changes nothing may leave updated_at or move it, never back.
        let same = json!(previous["full_name"]);
        let exchange = ctx.send(ops::send_one(ctx, Op::Patch, &actor, "full_name", &same))?;
        let next = expect::ok_json(&exchange, 200, "a PATCH that changes nothing")?;
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
        ensure(after >= before, || {
            exchange.fail(
                "an update that changed nothing moved updated_at backwards",
                format!("updated_at not before {}", previous["updated_at"]),
                format!("\"updated_at\": {}", next["updated_at"]),
            )
        })
    })
}

pub(super) fn usr_18(ctx: &Ctx) -> Outcome {
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
