//! Listen: a service that follows the users' events (CONTRACT §16) while the others write. It
//! signs up and logs in once and keeps one subscription, read by a task of its own so that it
//! never falls behind; each iteration changes its own name and times how long the event of that
//! write takes to arrive, and every event it reads must have the contract's shape. The account
//! is deleted when the user stops.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use goose::prelude::*;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::step;
use crate::account::{self, Account};
use crate::api::{Call, Failure, route, user_path};
use crate::run::{Kind, Run};

/// How long a write's event may take (EVT-03).
const BOUND: Duration = Duration::from_secs(5);

/// What the reading task shares with the transactions.
#[derive(Default)]
struct Feed {
    /// The name of the listener's own write being waited for, and who waits.
    awaited: Option<(String, oneshot::Sender<Instant>)>,
    /// The first event that broke the contract's shape, once one has.
    malformed: Option<String>,
    /// Why the subscription ended, once it has.
    ended: Option<String>,
}

#[derive(Clone)]
struct Listener {
    account: Account,
    feed: Arc<Mutex<Feed>>,
    reading: Arc<Mutex<Option<JoinHandle<()>>>>,
}

pub fn scenario(run: &Arc<Run>) -> Result<Scenario, GooseError> {
    Ok(Scenario::new("listen")
        .set_weight(1)?
        .register_transaction(step!(run, log_in).set_on_start())
        .register_transaction(step!(run, follow_own_write))
        .register_transaction(step!(run, leave).set_on_stop()))
}

async fn log_in(user: &mut GooseUser, run: &Run) -> TransactionResult {
    let account = account::join(user, run, Kind::Listener).await?;
    let listener = Listener {
        account,
        feed: Arc::default(),
        reading: Arc::default(),
    };
    subscribe(user, &listener).await?;
    user.set_session_data(listener);
    Ok(())
}

fn listener(user: &GooseUser) -> Result<Listener, Failure> {
    user.get_session_data::<Listener>().cloned().ok_or_else(|| {
        Box::new(TransactionError::Custom(
            "the listener never logged in".into(),
        ))
    })
}

fn lock(feed: &Mutex<Feed>) -> std::sync::MutexGuard<'_, Feed> {
    feed.lock().unwrap_or_else(PoisonError::into_inner)
}

fn failed(why: impl Into<String>) -> Failure {
    Box::new(TransactionError::Custom(why.into()))
}

/// Opens the subscription, recorded as a request of its own, and starts reading it.
async fn subscribe(user: &mut GooseUser, listener: &Listener) -> TransactionResult {
    let mut url = user.base_url.clone();
    let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
    let _ = url.set_scheme(scheme);
    let url = url.join(route::EVENTS.trim_start_matches('/'));
    let request = url
        .map_err(|e| e.to_string())
        .and_then(|url| {
            url.as_str()
                .into_client_request()
                .map_err(|e| e.to_string())
        })
        .and_then(|mut request| {
            let bearer = format!("Bearer {}", listener.account.token);
            let value = bearer
                .parse()
                .map_err(|_| "a token that is no header value")?;
            request.headers_mut().insert("authorization", value);
            Ok(request)
        });
    let started = Instant::now();
    let opened = match request {
        Ok(request) => tokio_tungstenite::connect_async(request)
            .await
            .map_err(|e| e.to_string()),
        Err(why) => Err(why),
    };
    let took = started.elapsed();
    let (socket, why) = match opened {
        Ok((socket, _)) => (Some(socket), None),
        Err(why) => (None, Some(why)),
    };
    let status = why.is_none().then_some(101);
    user.record_custom_request_duration(
        "GET",
        route::EVENTS,
        took,
        why.is_none(),
        status,
        why.as_deref(),
    )
    .await?;
    let Some(socket) = socket else {
        return Err(failed(format!(
            "the events' handshake failed: {}",
            why.unwrap_or_default()
        )));
    };
    *lock(&listener.feed) = Feed::default();
    let feed = listener.feed.clone();
    let own = listener.account.id;
    let reading = tokio::spawn(async move {
        let mut socket = socket;
        let ended = loop {
            match socket.next().await {
                Some(Ok(Message::Text(text))) => received(&feed, own, &text),
                Some(Ok(Message::Close(frame))) => break format!("closed: {frame:?}"),
                Some(Ok(_)) => {}
                Some(Err(e)) => break e.to_string(),
                None => break "the connection ended".to_owned(),
            }
        };
        lock(&feed).ended = Some(ended);
    });
    if let Some(old) = listener
        .reading
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .replace(reading)
    {
        old.abort();
    }
    Ok(())
}

/// Checks one event's shape, and hands the listener's own awaited write to its waiter.
fn received(feed: &Mutex<Feed>, own: u64, text: &str) {
    let event: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let mut feed = lock(feed);
    if let Err(why) = shape(&event) {
        feed.malformed.get_or_insert(format!("{why}: {text}"));
        return;
    }
    let name = event["user"]["full_name"].as_str();
    let awaited = feed.awaited.as_ref().map(|(n, _)| n.as_str());
    if event["id"].as_u64() == Some(own)
        && name.is_some()
        && name == awaited
        && let Some((_, waiter)) = feed.awaited.take()
    {
        let _ = waiter.send(Instant::now());
    }
}

/// An event as EVT-02 shapes it: a known type, the user's id, and the user unless deleted.
fn shape(event: &Value) -> Result<(), String> {
    let id = event["id"].as_u64().ok_or("an event without an id")?;
    match event["type"].as_str() {
        Some("user.deleted") if event["user"].is_null() => Ok(()),
        Some("user.created" | "user.updated") if event["user"]["id"].as_u64() == Some(id) => Ok(()),
        Some("user.created" | "user.updated" | "user.deleted") => {
            Err("an event whose user is not the one it names".into())
        }
        _ => Err("an event of no known type".into()),
    }
}

/// Renames itself and times the event of that write; a subscription that broke or ended is
/// reported and opened again.
async fn follow_own_write(user: &mut GooseUser, _run: &Run) -> TransactionResult {
    let me = listener(user)?;
    let (malformed, ended) = {
        let mut feed = lock(&me.feed);
        (feed.malformed.take(), feed.ended.take())
    };
    if let Some(why) = malformed {
        return Err(failed(format!("a malformed event: {why}")));
    }
    if let Some(why) = ended {
        subscribe(user, &me).await?;
        return Err(failed(format!("the subscription ended: {why}")));
    }
    let name = format!("Listener {}", rand::random::<u32>());
    let (waiter, arrival) = oneshot::channel();
    lock(&me.feed).awaited = Some((name.clone(), waiter));
    let started = Instant::now();
    let path = user_path(me.account.id);
    let body = json!({"full_name": name});
    Call::new(GooseMethod::Patch, &path, route::USER, 200)
        .token(&me.account.token)
        .json(&body)
        .send(user)
        .await?;
    let arrived = tokio::time::timeout(BOUND, arrival).await;
    let (took, why) = match arrived {
        Ok(Ok(at)) => (at - started, None),
        _ => (
            started.elapsed(),
            Some("the write's event did not arrive within 5 s"),
        ),
    };
    lock(&me.feed).awaited = None;
    user.record_custom_request_duration(
        "WS",
        route::EVENT_OF_WRITE,
        took,
        why.is_none(),
        None,
        why,
    )
    .await?;
    match why {
        Some(why) => Err(failed(why)),
        None => Ok(()),
    }
}

/// Stops reading and deletes the account.
async fn leave(user: &mut GooseUser, run: &Run) -> TransactionResult {
    let me = listener(user)?;
    if let Some(reading) = me
        .reading
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
    {
        reading.abort();
    }
    account::delete(user, run, &me.account.token, me.account.id).await
}
