//! Before the load: users for browsing to find. After it: every user this run created and did
//! not delete is removed, however the load ended. Both use the tool's own client, so they are
//! bounded by its timeout and run even when goose's users were stopped halfway.

use std::sync::Arc;
use std::time::Duration;

use goose::prelude::*;
use reqwest::Method;

use crate::checks::{self, Order};
use crate::client::{Client, LoginError};
use crate::run::{Kind, Run, sign_up_body};

/// Users the sweep reads per page; the contract's largest page (USR-11).
const PAGE_SIZE: u64 = 100;

/// Sign-ups made at once while seeding: enough to hide a slow password hash.
const SEEDERS: usize = 4;

/// Goose's `test_start`: seeds within `bound`. Goose goes on whatever `test_start` returns, so a
/// failure is kept for the verdict and stops the run through goose's killswitch.
pub fn seed_step(run: &Arc<Run>, host: String, timeout: Duration, bound: Duration) -> Transaction {
    let run = run.clone();
    Transaction::new(Arc::new(move |_user| {
        let (run, host) = (run.clone(), host.clone());
        Box::pin(async move {
            let seeded = match Client::new(&host, timeout) {
                Ok(client) => tokio::time::timeout(bound, seed(Arc::new(client), run.clone()))
                    .await
                    .unwrap_or_else(|_| {
                        Err(format!("seeding did not end within {} s", bound.as_secs()))
                    }),
                Err(e) => Err(e),
            };
            let Err(why) = seeded else {
                return Ok(());
            };
            *run.setup_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(why.clone());
            goose::trigger_killswitch("seeding failed");
            Err(Box::new(TransactionError::Custom(why)))
        })
    }))
    .set_name("seed")
}

/// Creates `run.seed_users` users, a few at a time.
pub async fn seed(client: Arc<Client>, run: Arc<Run>) -> Result<(), String> {
    let left = Arc::new(std::sync::atomic::AtomicUsize::new(run.seed_users));
    let mut seeders = tokio::task::JoinSet::new();
    for _ in 0..SEEDERS.min(run.seed_users) {
        let (client, run, left) = (client.clone(), run.clone(), left.clone());
        seeders.spawn(async move {
            use std::sync::atomic::Ordering;
            while left
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok()
            {
                sign_up(&client, &run).await?;
            }
            Ok::<(), String>(())
        });
    }
    while let Some(done) = seeders.join_next().await {
        done.map_err(|e| e.to_string())??;
    }
    Ok(())
}

async fn sign_up(client: &Client, run: &Run) -> Result<(), String> {
    let body = sign_up_body(&run.username(Kind::Seed));
    let answer = client
        .call(Method::POST, "/api/v1/users", None, Some(&body))
        .await?;
    match answer.status {
        201 => {
            Run::add(&run.created, 1);
            Ok(())
        }
        _ => Err(format!(
            "seeding: POST /api/v1/users answered {}",
            answer.problem()
        )),
    }
}

/// What the clean-up did.
#[derive(Debug, Default)]
pub struct Cleanup {
    pub removed: usize,
    /// Users of this run still listed after it, when the last listing worked.
    pub left: Option<usize>,
    pub error: Option<String>,
}

/// Lists every user as the admin, deletes the ones carrying this run's prefix, then lists again
/// to count what is left. Listing first: deleting while paging would shift the pages.
pub async fn sweep(client: &Client, run: &Run) -> Cleanup {
    let mut done = Cleanup::default();
    let token = match client
        .log_in(&run.admin_username, &run.admin_password)
        .await
    {
        Ok(token) => token,
        Err(LoginError::Transport(e)) => {
            done.error = Some(e);
            return done;
        }
        Err(LoginError::Refused(answer, _)) => {
            done.error = Some(format!("the admin cannot log in: {}", answer.problem()));
            return done;
        }
    };
    let result = async {
        for id in ours(client, run, &token).await? {
            let path = format!("/api/v1/users/{id}");
            let answer = client
                .call(Method::DELETE, &path, Some(&token), None)
                .await?;
            match answer.status {
                204 => {
                    Run::add(&run.removed, 1);
                    done.removed += 1;
                }
                // Deleted meanwhile, by a persona still stopping.
                404 => {}
                _ => return Err(format!("DELETE {path} answered {}", answer.problem())),
            }
        }
        done.left = Some(ours(client, run, &token).await?.len());
        Ok(())
    }
    .await;
    done.error = result.err();
    done
}

/// The ids of every user this run created that the target still lists.
async fn ours(client: &Client, run: &Run, token: &str) -> Result<Vec<u64>, String> {
    let mut ids = Vec::new();
    let mut page = 1;
    loop {
        let path = format!("/api/v1/users?page={page}&page_size={PAGE_SIZE}");
        let answer = client.call(Method::GET, &path, Some(token), None).await?;
        if answer.status != 200 {
            return Err(format!("GET {path} answered {}", answer.problem()));
        }
        let (seen, total) = checks::page(&answer.json, page, PAGE_SIZE, Order::Id)
            .map_err(|why| format!("GET {path}: {why}"))?;
        ids.extend(
            seen.into_iter()
                .filter(|s| run.owns(&s.username))
                .map(|s| s.id),
        );
        if page * PAGE_SIZE >= total {
            return Ok(ids);
        }
        page += 1;
    }
}
