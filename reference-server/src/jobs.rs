//! The background worker (CONTRACT §15): runs each job that is not finished, those a crash left
//! behind first, and then each new one as it is accepted: exports, and the welcomes sign-ups put
//! in the queue. A handler only records a job durably
//! and wakes the worker, so the answer (202) never waits for the work.

use std::sync::{Arc, Weak};
use std::time::Duration;

use serde_json::{Value, json};
use time::OffsetDateTime;
use tokio::sync::Notify;

use crate::domain::job::{Kind, Status};
use crate::state::App;
use crate::store::StoreError;

/// How long the worker sleeps when nothing wakes it: it also looks again then, and notices that
/// the server has gone.
const IDLE: Duration = Duration::from_secs(1);

/// Runs jobs until the app is dropped.
pub async fn work(app: Weak<App>, wake: Arc<Notify>) {
    loop {
        let Some(state) = app.upgrade() else { return };
        if let Err(e) = run_unfinished(&state).await {
            tracing::error!(error = %e, "running jobs failed");
        }
        drop(state);
        let _ = tokio::time::timeout(IDLE, wake.notified()).await;
    }
}

async fn run_unfinished(app: &App) -> Result<(), StoreError> {
    for mut job in app.store.unfinished()? {
        job.status = Status::Running;
        app.store.put_job(&job).await?;
        let outcome = match job.kind {
            Kind::Export => export(app, job.user_id),
            Kind::Welcome => welcome(app, job.user_id),
        };
        // Bug `welcome-sent-twice`: the worker puts a welcome it runs back in the queue as new.
        if job.kind == Kind::Welcome && app.v.breaks("welcome-sent-twice") && job.result.is_none() {
            let mut again = app.store.create_job(job.user_id, Kind::Welcome).await?;
            again.result = Some(Value::Bool(true));
            app.store.put_job(&again).await?;
        }
        match outcome {
            Ok(result) => {
                job.status = Status::Done;
                job.result = Some(result);
            }
            Err(why) => {
                job.status = Status::Failed;
                job.error = Some(why);
            }
        }
        job.finished_at = Some(OffsetDateTime::now_utc());
        app.store.put_job(&job).await?;
    }
    Ok(())
}

/// Delivers a new user's welcome. The server has no mail to send it by, so delivering it is
/// recording that it went: the log line is the message.
fn welcome(app: &App, user_id: u64) -> Result<Value, String> {
    let user = app
        .store
        .get(user_id)
        .map_err(|e| e.to_string())?
        .ok_or("the user no longer exists")?;
    tracing::info!(user = user.id, "welcome notification sent");
    Ok(Value::Null)
}

/// A user's data as it stands: their representation and every order of theirs.
pub fn export(app: &App, user_id: u64) -> Result<Value, String> {
    let user = app
        .store
        .get(user_id)
        .map_err(|e| e.to_string())?
        .ok_or("the user no longer exists")?;
    let (orders, _) = app
        .store
        .orders_of(user_id, 0, usize::MAX)
        .map_err(|e| e.to_string())?;
    let orders: Vec<_> = match app.v.breaks("JOB-02") {
        true => Vec::new(),
        false => orders.iter().map(|o| o.view(&app.v)).collect(),
    };
    Ok(json!({"user": user.view(&app.v), "orders": orders}))
}
