//! CONTRACT §3, Users: the field rules, applied on sign-up and on every update.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::users::ops::{self, OPS, Op};
use super::users::sign_up;
use super::{Check, Needs, Outcome};
use crate::context::{Ctx, Session};
use crate::expect;
use crate::http::Request;
use crate::inputs::{self, Bound};
use crate::property::for_all;

pub const CHECKS: &[Check] = &[
    Check {
        id: "USR-06",
        section: "users",
        title: "an invalid username is 422 naming username",
        hint: "USR-06 with CONTRACT §1: a username is 3-50 characters of A-Z a-z 0-9 _, on sign-up and on every update (PUT, PATCH, merge patch); 3 and 50 are accepted, 2 and 51 refused",
        needs: Needs::Nothing,
        run: usr_06,
    },
    Check {
        id: "USR-07",
        section: "users",
        title: "an invalid email is 422; a valid one is stored lowercase",
        hint: "USR-07 with CONTRACT §1: at most 254 characters, a local part of 1-64, labels of 1-63, on sign-up and every update; each bound is accepted and stored lowercase, one past it refused",
        needs: Needs::Nothing,
        run: usr_07,
    },
    Check {
        id: "USR-08",
        section: "users",
        title: "an invalid password is 422 naming password",
        hint: "USR-08 with CONTRACT §1: 8-128 characters (not bytes) with an uppercase letter, a lowercase letter and a digit; 8 and 128 are accepted and log in, 7 and 129 refused",
        needs: Needs::Nothing,
        run: usr_08,
    },
    Check {
        id: "USR-09",
        section: "users",
        title: "an invalid full_name or age is 422 naming it",
        hint: "USR-09 with CONTRACT §1: full_name null or at most 100 characters (not bytes or UTF-16 units); age null or an integer 0-150, however written (-0, 103.0), on sign-up and every update",
        needs: Needs::Nothing,
        run: usr_09,
    },
    Check {
        id: "USR-10",
        section: "users",
        title: "an unknown sign-up member is 422 naming it",
        hint: "reject members outside username, email, password, full_name, age",
        needs: Needs::Nothing,
        run: usr_10,
    },
    Check {
        id: "USR-14",
        section: "users",
        title: "PUT and PATCH apply the field rules and refuse unknown members",
        hint: "USR-14: PUT and PATCH (application/json and merge patch) apply the field rules (422) and answer 422 naming any member they do not know (password, id, created_at included)",
        needs: Needs::Nothing,
        run: usr_14,
    },
];

/// Sends `member: value` through every operation that carries the member (a password on sign-up
/// only) and expects each to be refused naming the member.
fn refused_everywhere(ctx: &Ctx, user: &Session, member: &str, value: &Value) -> Outcome {
    let ops: &[Op] = if member == "password" {
        &[Op::SignUp]
    } else {
        &OPS
    };
    for &op in ops {
        let exchange = ctx.send(ops::send_one(ctx, op, user, member, value))?;
        expect::names_fields(
            &exchange,
            &[member],
            &format!("{} with an invalid {member}", op.name()),
        )?;
    }
    Ok(())
}

/// Every bound `bounds(op)` gives, through every operation: each valid value accepted and stored
/// as sent, each invalid one refused naming its field.
fn bounds_everywhere(
    ctx: &Ctx,
    user: &Session,
    ops: &[Op],
    bounds: impl Fn() -> Vec<Bound>,
) -> Outcome {
    for &op in ops {
        for bound in bounds() {
            ops::judged(ctx, op, user, &bound).map_err(|f| f.with_input(format!("{bound:?}")))?;
        }
    }
    Ok(())
}

/// A run-unique DNS label: the unique name without its underscores.
fn unique_label(ctx: &Ctx) -> String {
    ctx.unique().replace('_', "")
}

/// Three characters of the username alphabet, random so that they are free on the target.
fn short_username() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_";
    let mut rng = rand::rng();
    (0..3)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

fn usr_06(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    bounds_everywhere(ctx, &user, &OPS, || {
        inputs::bounds::usernames(&ctx.unique(), &short_username())
    })?;
    // The user's own name back, so that it carries the run prefix again (CONTRACT §0).
    let back = ctx.send(ops::send_one(
        ctx,
        Op::Patch,
        &user,
        "username",
        &json!(user.username),
    ))?;
    expect::ok_json(&back, 200, "renaming the test user back")
        .map_err(|f| f.blocked("clean-up"))?;
    let edges = inputs::INVALID_USERNAME_EDGES.map(str::to_owned);
    for_all(ctx.budget, edges, inputs::invalid_username(), |name| {
        refused_everywhere(ctx, &user, "username", &json!(name))
    })
}

fn usr_07(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    bounds_everywhere(ctx, &user, &OPS, || {
        inputs::bounds::emails(&unique_label(ctx))
    })?;
    let edges = inputs::INVALID_EMAIL_EDGES.map(str::to_owned);
    for_all(ctx.budget, edges, inputs::invalid_email(), |email| {
        refused_everywhere(ctx, &user, "email", &json!(email))
    })?;
    let edges = [(("".to_owned(), "Example.COM".to_owned()), vec![true; 64], 0)];
    for_all(
        ctx.budget,
        edges,
        (inputs::email_parts(), inputs::case_mask(), 0..OPS.len()),
        |(parts, mask, op)| {
            let body = sign_up(ctx, "", parts);
            let given = inputs::recase(body["email"].as_str().unwrap_or(""), mask);
            let lower = given.to_lowercase();
            let bound = Bound {
                field: "email",
                what: format!("the email {given}"),
                value: json!(given),
                stored: json!(lower),
                valid: true,
            };
            ops::judged(ctx, OPS[*op], &user, &bound).map(drop)
        },
    )
}

fn usr_08(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    for bound in inputs::bounds::passwords() {
        let exchange = ctx.send(ops::send_one(
            ctx,
            Op::SignUp,
            &user,
            "password",
            &bound.value,
        ))?;
        let what = format!("a sign-up with {}", bound.what);
        if !bound.valid {
            expect::names_fields(&exchange, &["password"], &what)?;
            continue;
        }
        let created = expect::ok_json(&exchange, 201, &format!("{what}, which is valid"))?;
        // Stored as sent: the password logs in.
        let username = created["username"].as_str().unwrap_or_default();
        ctx.login(username, bound.value.as_str().unwrap_or_default())
            .map_err(|f| {
                let title = format!("the password of {what} does not log in: {}", f.title);
                f.retitled(title)
            })?;
    }
    let edges = inputs::INVALID_PASSWORD_EDGES.map(str::to_owned);
    for_all(ctx.budget, edges, inputs::invalid_password(), |password| {
        refused_everywhere(ctx, &user, "password", &json!(password))
    })
}

fn usr_09(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    bounds_everywhere(ctx, &user, &OPS, || {
        let mut bounds = inputs::bounds::full_names();
        bounds.extend(inputs::bounds::ages());
        bounds
    })?;
    let mut edges: Vec<(&str, Value)> = inputs::invalid_age_edges()
        .into_iter()
        .map(|v| ("age", v))
        .collect();
    edges.push(("full_name", json!(42)));
    let strategy = prop_oneof![
        inputs::invalid_full_name().prop_map(|v| ("full_name", v)),
        inputs::invalid_age().prop_map(|v| ("age", v)),
    ];
    for_all(ctx.budget, edges, strategy, |(member, value)| {
        refused_everywhere(ctx, &user, member, value)
    })
}

fn usr_10(ctx: &Ctx) -> Outcome {
    let edges = [
        ("role".to_owned(), json!("admin")),
        ("is_active".to_owned(), json!(false)),
        ("id".to_owned(), json!(1)),
    ];
    let strategy = (inputs::unknown_sign_up_member(), inputs::json_value());
    for_all(ctx.budget, edges, strategy, |(member, value)| {
        let mut body = ctx.sign_up_body();
        body[member] = value.clone();
        let exchange = ctx.send(Request::post("/users").json(&body))?;
        expect::names_fields(
            &exchange,
            &[member],
            "a sign-up with a member it does not accept",
        )
    })
}

/// One way an update can break the rules.
#[derive(Clone, Debug)]
enum Bad {
    Unknown(String, Value),
    Field(&'static str, Value),
}

fn bad_update() -> impl Strategy<Value = Bad> {
    prop_oneof![
        (inputs::unknown_update_member(), inputs::json_value())
            .prop_map(|(m, v)| Bad::Unknown(m, v)),
        inputs::invalid_username().prop_map(|v| Bad::Field("username", json!(v))),
        inputs::invalid_email().prop_map(|v| Bad::Field("email", json!(v))),
        inputs::invalid_full_name().prop_map(|v| Bad::Field("full_name", v)),
        inputs::invalid_age().prop_map(|v| Bad::Field("age", v)),
        inputs::json_value()
            .prop_filter("not a boolean", |v| !v.is_boolean())
            .prop_map(|v| Bad::Field("is_active", v)),
    ]
}

fn usr_14(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let unknown = |op, m: &str, v: Value| (op, Bad::Unknown(m.to_owned(), v));
    let mut edges = Vec::new();
    for op in 0..ops::UPDATES.len() {
        edges.push(unknown(op, "password", json!("N3w-password")));
        edges.push(unknown(op, "id", json!(1)));
        edges.push(unknown(op, "created_at", json!("2020-01-01T00:00:00Z")));
        edges.push((op, Bad::Field("age", json!(151))));
    }
    for_all(
        ctx.budget,
        edges,
        (0..ops::UPDATES.len(), bad_update()),
        |(op, bad)| {
            let (member, value) = match bad {
                Bad::Unknown(m, v) => (m.as_str(), v),
                Bad::Field(m, v) => (*m, v),
            };
            let op = ops::UPDATES[*op];
            let exchange = ctx.send(ops::send_one(ctx, op, &user, member, value))?;
            expect::names_fields(
                &exchange,
                &[member],
                &format!("{} breaking the rules", op.name()),
            )
        },
    )
}
