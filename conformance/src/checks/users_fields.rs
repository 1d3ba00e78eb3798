//! CONTRACT §3, Users: the field rules, applied on sign-up and on every update.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::users::sign_up;
use super::{Check, Needs, Outcome};
use crate::context::{Ctx, Session};
use crate::expect;
use crate::failure::ensure;
use crate::http::Request;
use crate::inputs;
use crate::property::for_all;

pub const CHECKS: &[Check] = &[
    Check {
        id: "USR-06",
        section: "users",
        title: "an invalid username is 422 naming username",
        hint: "accept 3-50 characters of A-Z a-z 0-9 _ only",
        needs: Needs::Nothing,
        run: usr_06,
    },
    Check {
        id: "USR-07",
        section: "users",
        title: "an invalid email is 422; a valid one is stored lowercase",
        hint: "apply the contract's email grammar and lowercase before storing",
        needs: Needs::Nothing,
        run: usr_07,
    },
    Check {
        id: "USR-08",
        section: "users",
        title: "an invalid password is 422 naming password",
        hint: "require 8-128 characters with an uppercase letter, a lowercase letter and a digit",
        needs: Needs::Nothing,
        run: usr_08,
    },
    Check {
        id: "USR-09",
        section: "users",
        title: "an invalid full_name or age is 422 naming it",
        hint: "full_name: null or at most 100 characters; age: null or an integer 0-150",
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
        hint: "validate updates like sign-ups and reject members they do not know",
        needs: Needs::Nothing,
        run: usr_14,
    },
];

/// Sends `member: value` in a sign-up, and as a `PATCH` of the session's own user, and expects
/// both to be refused naming the member.
fn refused_everywhere(ctx: &Ctx, user: &Session, member: &str, value: &Value) -> Outcome {
    let mut body = ctx.sign_up_body();
    body[member] = value.clone();
    let exchange = ctx.send(Request::post("/users").json(&body))?;
    expect::names_fields(
        &exchange,
        &[member],
        &format!("a sign-up with an invalid {member}"),
    )?;
    if member == "password" {
        return Ok(());
    }
    let patch = Request::patch(format!("/users/{}", user.id))
        .bearer(&user.token)
        .json(&json!({ member: value }));
    let exchange = ctx.send(patch)?;
    expect::names_fields(
        &exchange,
        &[member],
        &format!("a PATCH with an invalid {member}"),
    )
}

fn usr_06(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let edges = inputs::INVALID_USERNAME_EDGES.map(str::to_owned);
    for_all(ctx.budget, edges, inputs::invalid_username(), |name| {
        refused_everywhere(ctx, &user, "username", &json!(name))
    })
}

fn usr_07(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let edges = inputs::INVALID_EMAIL_EDGES.map(str::to_owned);
    for_all(ctx.budget, edges, inputs::invalid_email(), |email| {
        refused_everywhere(ctx, &user, "email", &json!(email))
    })?;
    let edges = [(("".to_owned(), "Example.COM".to_owned()), vec![true; 64])];
    for_all(
        ctx.budget,
        edges,
        (inputs::email_parts(), inputs::case_mask()),
        |(parts, mask)| {
            let mut body = sign_up(ctx, "", parts);
            let given = inputs::recase(body["email"].as_str().unwrap_or(""), mask);
            body["email"] = json!(given);
            let created = ctx.create(&body)?;
            let stored = ctx.fetch(created["id"].as_u64().unwrap_or_default())?;
            let lower = given.to_lowercase();
            ensure(
                stored["email"] == json!(lower) && created["email"] == json!(lower),
                || {
                    crate::failure::Failure::new(
                        "a valid email was not stored and returned lowercase",
                        format!("\"email\": \"{lower}\""),
                        format!("created {}, stored {}", created["email"], stored["email"]),
                    )
                },
            )
        },
    )
}

fn usr_08(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let edges = inputs::INVALID_PASSWORD_EDGES.map(str::to_owned);
    for_all(ctx.budget, edges, inputs::invalid_password(), |password| {
        refused_everywhere(ctx, &user, "password", &json!(password))
    })
}

fn usr_09(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let mut edges: Vec<(&str, Value)> = inputs::invalid_age_edges()
        .into_iter()
        .map(|v| ("age", v))
        .collect();
    edges.push(("full_name", json!("n".repeat(101))));
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
    let unknown = |m: &str, v: Value| (true, Bad::Unknown(m.to_owned(), v));
    let edges = [
        unknown("password", json!("N3w-password")),
        unknown("id", json!(1)),
        unknown("created_at", json!("2020-01-01T00:00:00Z")),
        (
            false,
            Bad::Unknown("password".into(), json!("N3w-password")),
        ),
        (false, Bad::Field("age", json!(151))),
    ];
    for_all(
        ctx.budget,
        edges,
        (any::<bool>(), bad_update()),
        |(put, bad)| {
            let (member, value) = match bad {
                Bad::Unknown(m, v) => (m.as_str(), v),
                Bad::Field(m, v) => (*m, v),
            };
            let (request, mut body) = if *put {
                let request = Request::put(format!("/users/{}", user.id));
                (
                    request,
                    json!({"username": user.username, "email": user.email}),
                )
            } else {
                (Request::patch(format!("/users/{}", user.id)), json!({}))
            };
            body[member] = value.clone();
            let exchange = ctx.send(request.bearer(&user.token).json(&body))?;
            let method = if *put { "PUT" } else { "PATCH" };
            expect::names_fields(
                &exchange,
                &[member],
                &format!("a {method} breaking the rules"),
            )
        },
    )
}
