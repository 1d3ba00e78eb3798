//! Before the run: users for browsing to find. After it: every user this run created and did
//! not delete is removed, whatever stopped the personas halfway.

use goose::prelude::*;

use crate::account;
use crate::api::{Call, route};
use crate::checks;
use crate::run::{Kind, Run};

/// Users the sweep reads per page; the contract's largest page (USR-11).
const PAGE_SIZE: u64 = 100;

pub async fn seed(user: &mut GooseUser, run: &Run) -> TransactionResult {
    for _ in 0..run.seed_users {
        account::sign_up(user, run, Kind::Seed).await?;
    }
    Ok(())
}

/// Lists every user as the admin, then deletes the ones carrying this run's prefix. Listing
/// first: deleting while paging would shift the pages under the reader.
pub async fn sweep(user: &mut GooseUser, run: &Run) -> TransactionResult {
    let token = account::log_in(user, &run.admin_username, &run.admin_password).await?;
    let mut ours = Vec::new();
    let mut page = 1;
    loop {
        let path = format!("{}?page={page}&page_size={PAGE_SIZE}", route::USERS);
        let (seen, total) = Call::get(&path, route::USERS)
            .token(&token)
            .send(user)
            .await?
            .check(user, |r| {
                checks::page(&r.body, page, PAGE_SIZE, checks::Order::Id)
            })?;
        ours.extend(seen.into_iter().filter(|s| run.owns(&s.username)));
        if page * PAGE_SIZE >= total {
            break;
        }
        page += 1;
    }
    let count = ours.len();
    for seen in ours {
        account::delete(user, &token, seen.id).await?;
    }
    println!(
        "removed the {count} users this run left (prefix {})",
        run.prefix
    );
    Ok(())
}
