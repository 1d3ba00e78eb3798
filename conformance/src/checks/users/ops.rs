//! The operations that carry the field rules (CONTRACT §1: "applied on sign-up and on every
//! update"): `POST /users`, `PUT`, `PATCH` with `application/json` and with
//! `application/merge-patch+json`. Every field rule is checked on each of them.

use serde_json::{Map, Value, json};

use crate::context::{Ctx, Session};
use crate::failure::{Failure, ensure};
use crate::http::{Exchange, Request};
use crate::inputs::{self, Bound};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    SignUp,
    Put,
    Patch,
    MergePatch,
}

pub const OPS: [Op; 4] = [Op::SignUp, Op::Put, Op::Patch, Op::MergePatch];
pub const UPDATES: [Op; 3] = [Op::Put, Op::Patch, Op::MergePatch];

impl Op {
    pub fn name(self) -> &'static str {
        match self {
            Op::SignUp => "a sign-up",
            Op::Put => "a PUT",
            Op::Patch => "a PATCH",
            Op::MergePatch => "a merge patch",
        }
    }

    /// The status of a success.
    pub fn ok(self) -> u16 {
        if self == Op::SignUp { 201 } else { 200 }
    }
}

/// `members` sent through `op`: a sign-up of a fresh user with them (over a valid body), or an
/// update of `user`, a `PUT` carrying the user's current username and email beside them unless
/// `members` names them. The body may hold `inputs::literal` numbers.
pub fn request(ctx: &Ctx, op: Op, user: &Session, members: &Map<String, Value>) -> Request {
    let mut body = match op {
        Op::SignUp => ctx.sign_up_body(),
        Op::Put => json!({"username": user.username, "email": user.email}),
        Op::Patch | Op::MergePatch => json!({}),
    };
    for (k, v) in members {
        body[k] = v.clone();
    }
    let text = inputs::to_body(&body);
    let path = format!("/users/{}", user.id);
    match op {
        Op::SignUp => Request::post("/users").raw("application/json", text),
        Op::Put => Request::put(path)
            .bearer(&user.token)
            .raw("application/json", text),
        Op::Patch => Request::patch(path)
            .bearer(&user.token)
            .raw("application/json", text),
        Op::MergePatch => Request::patch(path)
            .bearer(&user.token)
            .raw("application/merge-patch+json", text),
    }
}

/// One member sent through `op`.
pub fn send_one(ctx: &Ctx, op: Op, user: &Session, field: &str, value: &Value) -> Request {
    let mut members = Map::new();
    members.insert(field.to_owned(), value.clone());
    request(ctx, op, user, &members)
}

/// Two JSON values are the same, numbers compared by value (`100` and `100.0`).
pub fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// `bound` sent through `op` is refused naming its field if it breaks the rule, and otherwise
/// accepted and stored as sent. A valid username or email already held elsewhere (`409`, which
/// comes only after the body was found valid) is `Ok(false)`: not known to be stored.
pub fn judged(ctx: &Ctx, op: Op, user: &Session, bound: &Bound) -> Result<bool, Failure> {
    let exchange = ctx.send(send_one(ctx, op, user, bound.field, &bound.value))?;
    let what = format!("{} with {}", op.name(), bound.what);
    if !bound.valid {
        crate::expect::names_fields(&exchange, &[bound.field], &what)?;
        return Ok(true);
    }
    if exchange.status == 409 && ["username", "email"].contains(&bound.field) {
        return Ok(false);
    }
    let answered = crate::expect::ok_json(&exchange, op.ok(), &format!("{what}, which is valid"))?;
    stored_as_sent(&exchange, &what, bound, &answered)?;
    let id = answered["id"].as_u64().unwrap_or(user.id);
    let fetched = ctx.fetch(id)?;
    stored_as_sent(&exchange, &format!("a GET after {what}"), bound, &fetched)?;
    Ok(true)
}

fn stored_as_sent(
    exchange: &Exchange,
    what: &str,
    bound: &Bound,
    user: &Value,
) -> Result<(), Failure> {
    let field = bound.field;
    if field == "password" {
        return Ok(());
    }
    ensure(same(&user[field], &bound.stored), || {
        exchange.fail(
            format!("{what}: `{field}` is not stored as sent"),
            format!("\"{field}\": {}", bound.stored),
            format!("\"{field}\": {}", user[field]),
        )
    })
}
