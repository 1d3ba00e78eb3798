//! Browse: log in once, then read pages of users and single users, and revalidate the users
//! already read with their ETags, as most traffic does. Single reads go to this run's seeds (or
//! the reader itself), which nothing changes or deletes while the load runs: each read has one
//! right answer, `200` or `304`, and anything else is a failure.

use std::collections::HashMap;
use std::sync::Arc;

use goose::prelude::*;
use rand::Rng;
use rand::seq::IndexedRandom;

use super::step;
use crate::account::{self, Account};
use crate::api::{Call, Failure, route, user_path};
use crate::checks::{self, Order, Seen};
use crate::run::{Kind, Run};

/// Page sizes as clients ask for them: the default most often.
const PAGE_SIZES: [u64; 6] = [10, 20, 20, 20, 50, 100];

/// How many ETags a reader keeps, as a bounded client cache does.
const CACHED_TAGS: usize = 256;

#[derive(Clone)]
struct Reader {
    account: Account,
    /// Seeds seen on the last page read: what the reader clicks on next.
    seen: Vec<Seen>,
    total: u64,
    /// The ETag of every user read, as a client cache keeps them.
    tags: HashMap<u64, String>,
}

pub fn scenario(run: &Arc<Run>) -> Result<Scenario, GooseError> {
    Ok(Scenario::new("browse")
        .set_weight(12)?
        .register_transaction(step!(run, log_in).set_on_start())
        .register_transaction(step!(run, list_page).set_weight(2)?)
        .register_transaction(step!(run, get_user).set_weight(4)?)
        .register_transaction(step!(run, revalidate_user).set_weight(2)?)
        .register_transaction(step!(run, leave).set_on_stop()))
}

async fn log_in(user: &mut GooseUser, run: &Run) -> TransactionResult {
    let account = account::join(user, run, Kind::Reader).await?;
    user.set_session_data(Reader {
        seen: Vec::new(),
        total: 1,
        tags: HashMap::new(),
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

/// Orders as clients ask for them: the default most often.
const ORDERS: [Order; 4] = [Order::Id, Order::Id, Order::IdDescending, Order::Username];

/// `GET /users?page=P&page_size=S&sort=…` over the whole range of pages.
async fn list_page(user: &mut GooseUser, run: &Run) -> TransactionResult {
    let mut me = reader(user)?;
    let (page, size, order) = {
        let mut rng = rand::rng();
        let size = *PAGE_SIZES.choose(&mut rng).expect("not empty");
        let order = *ORDERS.choose(&mut rng).expect("not empty");
        (
            rng.random_range(1..=me.total.div_ceil(size).max(1)),
            size,
            order,
        )
    };
    let path = format!(
        "{}?page={page}&page_size={size}&{}",
        route::USERS,
        order.query()
    );
    let (seen, total) = Call::get(&path, route::USERS)
        .token(&me.account.token)
        .send(user)
        .await?
        .check(user, |r| checks::page(&r.body, page, size, order))?;
    me.total = total;
    let seeds: Vec<Seen> = seen
        .into_iter()
        .filter(|s| run.is_seed(&s.username))
        .collect();
    if !seeds.is_empty() {
        me.seen = seeds;
    }
    user.set_session_data(me);
    Ok(())
}

/// `GET /users/{id}` of a seed from the last page read.
async fn get_user(user: &mut GooseUser, _run: &Run) -> TransactionResult {
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
    let reply = Call::get(&path, route::USER)
        .token(&me.account.token)
        .send(user)
        .await?;
    let mut me = me;
    if let Some(tag) = reply.etag.clone()
        && me.tags.len() < CACHED_TAGS
    {
        me.tags.insert(target.id, tag);
        user.set_session_data(me);
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

/// `GET /users/{id}` with `If-None-Match` of a user read before: `304`, since none changes.
async fn revalidate_user(user: &mut GooseUser, run: &Run) -> TransactionResult {
    let me = reader(user)?;
    let pick = rand::rng().random_range(0..me.tags.len().max(1));
    let Some((id, tag)) = me.tags.iter().nth(pick).map(|(k, v)| (*k, v.clone())) else {
        return get_user(user, run).await;
    };
    let path = user_path(id);
    Call::new(GooseMethod::Get, &path, route::USER_REVALIDATE, 304)
        .token(&me.account.token)
        .if_none_match(&tag)
        .send(user)
        .await?;
    Ok(())
}

async fn leave(user: &mut GooseUser, run: &Run) -> TransactionResult {
    let me = reader(user)?;
    account::delete(user, run, &me.account.token, me.account.id).await
}
