//! The steps every persona builds on: sign up, log in, delete.

use goose::prelude::*;
use serde_json::json;

use crate::api::{Call, Failure, route, user_path};
use crate::checks::{self, Seen};
use crate::run::{Kind, PASSWORD, Run, sign_up_body};

/// A user this goose user created, and its token once logged in.
#[derive(Clone, Debug)]
pub struct Account {
    pub id: u64,
    pub username: String,
    pub token: String,
}

/// `POST /users` with a fresh run-prefixed username (USR-01): 201, the user as sent, and a
/// `Location` that names it.
pub async fn sign_up(user: &mut GooseUser, run: &Run, kind: Kind) -> Result<Seen, Failure> {
    let username = run.username(kind);
    let body = sign_up_body(&username);
    let reply = Call::new(GooseMethod::Post, route::USERS, route::USERS, 201)
        .json(&body)
        .send(user)
        .await?;
    Run::add(&run.created, 1);
    reply.check(user, |r| {
        let seen = checks::user(&r.body)?;
        checks::member(&r.body, "username", &body["username"])?;
        checks::member(&r.body, "email", &body["email"])?;
        checks::member(&r.body, "role", &json!("user"))?;
        checks::member(&r.body, "is_active", &json!(true))?;
        let expected = user_path(seen.id);
        match r.location.as_deref() {
            Some(l) if l.ends_with(&expected) => Ok(seen),
            other => Err(format!("`Location` is {other:?}, expected {expected}")),
        }
    })
}

/// `POST /auth/login` (AUTH-01): the bearer token.
pub async fn log_in(
    user: &mut GooseUser,
    username: &str,
    password: &str,
) -> Result<String, Failure> {
    let body = json!({"username": username, "password": password});
    Call::new(GooseMethod::Post, route::LOGIN, route::LOGIN, 200)
        .json(&body)
        .send(user)
        .await?
        .check(user, |r| checks::token(&r.body))
}

/// A new user of `kind`, logged in.
pub async fn join(user: &mut GooseUser, run: &Run, kind: Kind) -> Result<Account, Failure> {
    let seen = sign_up(user, run, kind).await?;
    let token = log_in(user, &seen.username, PASSWORD).await?;
    Ok(Account {
        id: seen.id,
        username: seen.username,
        token,
    })
}

/// `DELETE /users/{id}` (USR-15): 204 and no body.
pub async fn delete(user: &mut GooseUser, run: &Run, token: &str, id: u64) -> Result<(), Failure> {
    let path = user_path(id);
    let reply = Call::new(GooseMethod::Delete, &path, route::USER, 204)
        .token(token)
        .send(user)
        .await?;
    Run::add(&run.removed, 1);
    reply.check(user, |r| match r.body.is_null() {
        true => Ok(()),
        false => Err("a 204 came with a body".into()),
    })
}
