//! Browse: log in once, then read pages of users and single users, as most traffic does.

use std::sync::Arc;

use goose::prelude::*;
use rand::Rng;
use rand::seq::IndexedRandom;

use super::step;
use crate::account::{self, Account};
use crate::api::{Call, Failure, route, user_path};
use crate::checks::{self, Seen};
use crate::run::{Kind, Run};

/// Page sizes as clients ask for them: the default most often.
const PAGE_SIZES: [u64; 6] = [10, 20, 20, 20, 50, 100];

#[derive(Clone)]
struct Reader {
    account: Account,
    /// Users seen on the last page read: what the reader clicks on next.
    seen: Vec<Seen>,
    total: u64,
}

pub fn scenario(run: &Arc<Run>) -> Result<Scenario, GooseError> {
    Ok(Scenario::new("browse")
        .set_weight(12)?
        .register_transaction(step!(run, log_in).set_on_start())
        .register_transaction(step!(run, list_page).set_weight(2)?)
        .register_transaction(step!(run, get_user).set_weight(5)?)
        .register_transaction(step!(run, leave).set_on_stop()))
}

async fn log_in(user: &mut GooseUser, run: &Run) -> TransactionResult {
    let account = account::join(user, run, Kind::Reader).await?;
    user.set_session_data(Reader {
        seen: Vec::new(),
        total: 1,
        account,
    });
    Ok(())
}

fn reader(user: &GooseUser) -> Result<Reader, Failure> {
    user.get_session_data::<Reader>().cloned().ok_or_else(|| {
        Box::new(TransactionError::Custom(
            "the reader never logged in".into(),
        ))
    })
}

/// `GET /users?page=P&page_size=S` over the whole range of pages.
async fn list_page(user: &mut GooseUser, _run: &Run) -> TransactionResult {
    let mut me = reader(user)?;
    let (page, size) = {
        let mut rng = rand::rng();
        let size = *PAGE_SIZES.choose(&mut rng).expect("not empty");
        (rng.random_range(1..=me.total.div_ceil(size).max(1)), size)
    };
    let path = format!("{}?page={page}&page_size={size}", route::USERS);
    let (seen, total) = Call::get(&path, route::USERS)
        .token(&me.account.token)
        .send(user)
        .await?
        .check(user, |r| checks::page(&r.body, page, size))?;
    me.total = total;
    if !seen.is_empty() {
        me.seen = seen;
    }
    user.set_session_data(me);
    Ok(())
}

/// `GET /users/{id}` of a user from the last page read.
async fn get_user(user: &mut GooseUser, run: &Run) -> TransactionResult {
    let me = reader(user)?;
    let target = me
        .seen
        .choose(&mut rand::rng())
        .cloned()
        .unwrap_or_else(|| Seen {
            id: me.account.id,
            username: me.account.username.clone(),
        });
    let path = user_path(target.id);
    let mut call = Call::get(&path, route::USER).token(&me.account.token);
    // Sign-ups and admins delete their users while the run goes on.
    if run.is_transient(&target.username) {
        call = call.also(404);
    }
    let reply = call.send(user).await?;
    if reply.status == 404 {
        return Ok(());
    }
    reply.check(user, |r| {
        let seen = checks::user_with_id(&r.body, target.id)?;
        match seen.username == target.username {
            true => Ok(()),
            false => Err(format!(
                "user {} was listed as {}",
                seen.username, target.username
            )),
        }
    })
}

async fn leave(user: &mut GooseUser, _run: &Run) -> TransactionResult {
    let me = reader(user)?;
    account::delete(user, &me.account.token, me.account.id).await
}
