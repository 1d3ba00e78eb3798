//! Admin: logs in once, then creates users, promotes them and deletes them again.

use std::sync::Arc;

use goose::prelude::*;
use serde_json::json;

use super::step;
use crate::account;
use crate::api::{Call, Failure, route, user_path};
use crate::checks;
use crate::run::{Kind, Run};

#[derive(Clone)]
struct Admin {
    token: String,
    /// Users made and not yet deleted, oldest first.
    made: Vec<u64>,
}

pub fn scenario(run: &Arc<Run>) -> Result<Scenario, GooseError> {
    Ok(Scenario::new("admin")
        .set_weight(1)?
        .register_transaction(step!(run, log_in).set_on_start())
        .register_transaction(step!(run, create_user).set_sequence(1))
        .register_transaction(step!(run, promote).set_sequence(2))
        .register_transaction(step!(run, delete_user).set_sequence(3))
        .register_transaction(step!(run, delete_all).set_on_stop()))
}

fn admin(user: &GooseUser) -> Result<Admin, Failure> {
    user.get_session_data::<Admin>()
        .cloned()
        .ok_or_else(|| Box::new(TransactionError::Custom("the admin never logged in".into())))
}

async fn log_in(user: &mut GooseUser, run: &Run) -> TransactionResult {
    let token = account::log_in(user, &run.admin_username, &run.admin_password).await?;
    user.set_session_data(Admin {
        token,
        made: Vec::new(),
    });
    Ok(())
}

async fn create_user(user: &mut GooseUser, run: &Run) -> TransactionResult {
    let mut me = admin(user)?;
    let seen = account::sign_up(user, run, Kind::Made).await?;
    me.made.push(seen.id);
    user.set_session_data(me);
    Ok(())
}

/// `PATCH /users/{id}` `{"role": "moderator"}` (ROLE-04): only an admin may.
async fn promote(user: &mut GooseUser, _run: &Run) -> TransactionResult {
    let me = admin(user)?;
    let Some(&id) = me.made.last() else {
        return Ok(());
    };
    let change = json!({"role": "moderator"});
    let path = user_path(id);
    Call::new(GooseMethod::Patch, &path, route::USER, 200)
        .token(&me.token)
        .json(&change)
        .send(user)
        .await?
        .check(user, |r| {
            checks::user_with_id(&r.body, id)?;
            checks::member(&r.body, "role", &change["role"])
        })
}

async fn delete_user(user: &mut GooseUser, run: &Run) -> TransactionResult {
    let mut me = admin(user)?;
    let Some(id) = me.made.pop() else {
        return Ok(());
    };
    user.set_session_data(me.clone());
    account::delete(user, run, &me.token, id).await
}

async fn delete_all(user: &mut GooseUser, run: &Run) -> TransactionResult {
    let me = admin(user)?;
    user.set_session_data(Admin {
        made: Vec::new(),
        ..me.clone()
    });
    for id in me.made {
        account::delete(user, run, &me.token, id).await?;
    }
    Ok(())
}
