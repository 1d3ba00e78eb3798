//! The events of CONTRACT §16. Every user write that succeeds is published once, already as the
//! JSON its subscribers are sent, into one bounded ring that every subscription reads at its own
//! pace: a write never waits for a subscriber, and a subscriber that falls behind the ring is
//! closed rather than buffered for (EVT-04).

use std::sync::{Mutex, PoisonError, Weak};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::sync::broadcast::{self, error::RecvError};
use warp::ws::{Message, WebSocket};

use crate::auth::Credential;
use crate::domain::User;
use crate::state::App;
use crate::violations::Violations;

/// How many events a subscription may fall behind before it is closed (EVT-04).
pub const BACKLOG: usize = 256;

/// How long one event may take to be taken by a subscriber's connection before it is dropped:
/// a peer that reads nothing at all never lets the ring's lag show.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// How often an idle subscription is pinged, so that proxies keep it and a vanished peer is
/// noticed.
const PING_EVERY: Duration = Duration::from_secs(30);

/// WebSocket close codes (RFC 6455 §7.4.1).
const GOING_AWAY: u16 = 1001;
const POLICY: u16 = 1008;

/// Where writes publish their events and subscriptions read them.
pub struct Hub {
    /// `None` once the server is stopping: subscriptions end, and no new one starts.
    ring: Mutex<Option<broadcast::Sender<Event>>>,
    v: Violations,
}

/// One event, serialized once for every subscriber.
#[derive(Clone, Debug)]
pub struct Event(String);

impl Hub {
    pub fn new(v: Violations) -> Hub {
        // EVT-04 broken: a ring so long that no subscriber falls behind it, which is a buffer
        // without bound to a peer that stops reading.
        let backlog = if v.breaks("EVT-04") { 1 << 16 } else { BACKLOG };
        Hub {
            ring: Mutex::new(Some(broadcast::channel(backlog).0)),
            v,
        }
    }

    /// A sign-up answered `201` (EVT-02).
    pub fn created(&self, user: &User) {
        self.publish("user.created", user.id, Some(user));
    }

    /// An update answered `200`, with the representation it answered.
    pub fn updated(&self, user: &User) {
        self.publish("user.updated", user.id, Some(user));
    }

    /// A delete answered `204`.
    pub fn deleted(&self, id: u64) {
        if !self.v.breaks("EVT-02") {
            self.publish("user.deleted", id, None);
        }
    }

    fn publish(&self, kind: &str, id: u64, user: Option<&User>) {
        let Some(ring) = self.sender() else { return };
        let event = json!({"type": kind, "id": id, "user": user.map(|u| u.view(&self.v))});
        let event = Event(event.to_string());
        if self.v.breaks("EVT-03") {
            // Published from a task of its own after a lookup of varying length: events overtake
            // each other.
            let jitter = Duration::from_millis(rand::random_range(0..20));
            tokio::spawn(async move {
                tokio::time::sleep(jitter).await;
                let _ = ring.send(event);
            });
            return;
        }
        // No subscriber is not an error: the event is simply not seen.
        let _ = ring.send(event);
    }

    /// A new subscription's view of the ring, from the next event on; `None` once stopping.
    pub fn subscribe(&self) -> Option<broadcast::Receiver<Event>> {
        self.sender().map(|ring| ring.subscribe())
    }

    /// Ends every subscription, as the server stops.
    pub fn close(&self) {
        self.ring
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    fn sender(&self) -> Option<broadcast::Sender<Event>> {
        self.ring
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Why a subscription ended, as its close frame says.
enum Ending {
    /// The peer closed it, or its connection failed: nothing more to say.
    Peer,
    Close(u16, &'static str),
}

/// Delivers `events` over `socket` until the peer leaves, the server stops, the subscription
/// falls behind (EVT-04) or its credential stops authenticating (EVT-05).
pub async fn deliver(
    socket: WebSocket,
    mut events: broadcast::Receiver<Event>,
    app: Weak<App>,
    credential: Credential,
) {
    let (mut outgoing, mut incoming) = socket.split();
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.reset();
    let ending = loop {
        let message = tokio::select! {
            event = events.recv() => match event {
                Ok(Event(json)) => match still_authenticated(&app, &credential) {
                    Some(true) => Message::text(json),
                    Some(false) => break Ending::Close(POLICY, "the credential no longer authenticates"),
                    None => break Ending::Close(GOING_AWAY, "the server is stopping"),
                },
                Err(RecvError::Lagged(_)) if skips_lag(&app) => continue,
                Err(RecvError::Lagged(_)) => break Ending::Close(POLICY, "the subscription fell behind"),
                Err(RecvError::Closed) => break Ending::Close(GOING_AWAY, "the server is stopping"),
            },
            // Pings are answered by the socket as it reads; anything else a client sends is
            // ignored.
            read = incoming.next() => match read {
                Some(Ok(message)) if !message.is_close() => continue,
                _ => break Ending::Peer,
            },
            _ = ping.tick() => Message::ping(Vec::new()),
        };
        match tokio::time::timeout(SEND_TIMEOUT, outgoing.send(message)).await {
            Ok(Ok(())) => {}
            // Gone, or not reading: the connection is dropped without a close frame, which
            // could not be sent either.
            _ => break Ending::Peer,
        }
    };
    if let Ending::Close(code, reason) = ending {
        let close = outgoing.send(Message::close_with(code, reason));
        let _ = tokio::time::timeout(Duration::from_secs(1), close).await;
    }
}

/// Whether the subscription's credential still names an active user, verified afresh: a token
/// expires, a key is revoked, a user is deactivated or deleted (EVT-05). `None` once the server
/// has gone.
fn still_authenticated(app: &Weak<App>, credential: &Credential) -> Option<bool> {
    let app = app.upgrade()?;
    let v = &app.v;
    if v.breaks("EVT-05") {
        return Some(true);
    }
    // Bug `events-token-only`: the token is verified again, but not whom it names.
    if v.breaks("events-token-only") {
        return Some(
            credential
                .renewed()
                .principal(&app.tokens, |_| None)
                .is_ok(),
        );
    }
    Some(crate::handlers::access::authenticate(&app, &credential.renewed()).is_ok())
}

/// Bug `lagged-events-skipped`: a subscription that fell behind skips what it missed and goes on,
/// so its client never learns that it has a gap.
fn skips_lag(app: &Weak<App>) -> bool {
    app.upgrade()
        .is_some_and(|app| app.v.breaks("lagged-events-skipped"))
}
