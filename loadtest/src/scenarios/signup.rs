//! Sign-up: every iteration is a new user's first visit: sign up, log in, look at themselves,
//! fill in their profile, and (so the run leaves nothing behind) delete the account.

use std::sync::Arc;

use goose::prelude::*;
use serde_json::json;

use super::step;
use crate::account::{self, Account};
use crate::api::{Call, Failure, route, user_path};
use crate::checks;
use crate::run::{Kind, PASSWORD, Run};

#[derive(Clone, Default)]
struct Joiner {
    seen: Option<(u64, String)>,
    account: Option<Account>,
}

pub fn scenario(run: &Arc<Run>) -> Result<Scenario, GooseError> {
    Ok(Scenario::new("signup")
        .set_weight(3)?
        .register_transaction(step!(run, sign_up).set_sequence(1))
        .register_transaction(step!(run, log_in).set_sequence(2))
        .register_transaction(step!(run, read_me).set_sequence(3).set_weight(2)?)
        .register_transaction(step!(run, patch_self).set_sequence(4))
        .register_transaction(step!(run, delete_self).set_sequence(5))
        .register_transaction(step!(run, delete_self).set_on_stop()))
}

fn joiner(user: &GooseUser) -> Joiner {
    user.get_session_data::<Joiner>()
        .cloned()
        .unwrap_or_default()
}

fn account(user: &GooseUser) -> Result<Account, Failure> {
    joiner(user)
        .account
        .ok_or_else(|| Box::new(TransactionError::Custom("no account logged in".into())))
}

async fn sign_up(user: &mut GooseUser, run: &Run) -> TransactionResult {
    let seen = account::sign_up(user, run, Kind::Joiner).await?;
    user.set_session_data(Joiner {
        seen: Some((seen.id, seen.username)),
        account: None,
    });
    Ok(())
}

async fn log_in(user: &mut GooseUser, _run: &Run) -> TransactionResult {
    let Some((id, username)) = joiner(user).seen else {
        return Err(Box::new(TransactionError::Custom(
            "nobody signed up".into(),
        )));
    };
    let token = account::log_in(user, &username, PASSWORD).await?;
    let account = Account {
        id,
        username,
        token,
    };
    user.set_session_data(Joiner {
        seen: None,
        account: Some(account),
    });
    Ok(())
}

/// `GET /users/me` (USR-16): the caller.
async fn read_me(user: &mut GooseUser, _run: &Run) -> TransactionResult {
    let me = account(user)?;
    Call::get(route::ME, route::ME)
        .token(&me.token)
        .send(user)
        .await?
        .check(user, |r| checks::user_with_id(&r.body, me.id).map(drop))
}

/// `PATCH /users/{id}` of oneself (USR-13): only the members sent change.
async fn patch_self(user: &mut GooseUser, _run: &Run) -> TransactionResult {
    let me = account(user)?;
    let change = json!({"full_name": "Load Test User, Profile Filled In", "age": null});
    let path = user_path(me.id);
    Call::new(GooseMethod::Patch, &path, route::USER, 200)
        .token(&me.token)
        .json(&change)
        .send(user)
        .await?
        .check(user, |r| {
            checks::user_with_id(&r.body, me.id)?;
            checks::member(&r.body, "username", &json!(me.username))?;
            checks::member(&r.body, "full_name", &change["full_name"])?;
            checks::member(&r.body, "age", &change["age"])
        })
}

/// Deletes the account this iteration made, if any (ROLE-05: deleting oneself is allowed).
async fn delete_self(user: &mut GooseUser, run: &Run) -> TransactionResult {
    let state = joiner(user);
    user.set_session_data(Joiner::default());
    match state.account {
        Some(me) => account::delete(user, run, &me.token, me.id).await,
        // Signed up but not logged in: the sweep at the end removes it.
        None => Ok(()),
    }
}
