//! CONTRACT §16, Events: a WebSocket of the users' writes, each subscription read by a thread of
//! its own from the moment it opens, so that none falls behind while the check writes.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::links::under_base;
use super::{Check, Needs, Outcome};
use crate::context::Ctx;
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::http::Request;
use crate::http::socket::{self, Read, Subscription, Window};
use crate::queries::MEMBERS;

mod slow;

pub const CHECKS: &[Check] = &[
    Check {
        id: "EVT-01",
        section: "events",
        title: "the events route upgrades an authenticated caller, and only one",
        hint: "authenticate the handshake before answering 101, refuse it with a 401 problem, and \
               answer a GET that is not an upgrade 426 with Upgrade: websocket",
        needs: Needs::Nothing,
        run: evt_01,
    },
    Check {
        id: "EVT-02",
        section: "events",
        title: "every successful user write is sent as one event of what it answered",
        hint: "publish after the write is stored, from the representation it answers, and only \
               for writes that succeed",
        needs: Needs::Nothing,
        run: evt_02,
    },
    Check {
        id: "EVT-03",
        section: "events",
        title: "events arrive in the order of their writes, each within 5 seconds",
        hint: "publish in the handler before answering, into one queue each subscription reads \
               in order, rather than from tasks of their own",
        needs: Needs::Nothing,
        run: evt_03,
    },
    Check {
        id: "EVT-04",
        section: "events",
        title: "a subscriber that stops reading is dropped, not buffered for",
        hint: "give every subscription a bounded queue (a broadcast ring) and close one that \
               falls behind it with 1008, so that a write never waits and memory stays bounded",
        needs: Needs::Nothing,
        run: slow::evt_04,
    },
    Check {
        id: "EVT-05",
        section: "events",
        title: "a subscription ends when its credential stops authenticating",
        hint: "authenticate the subscription's credential again before sending each event, and \
               close it with 1008 once it fails",
        needs: Needs::Nothing,
        run: evt_05,
    },
];

/// How long an event may take after its write's answer (EVT-03).
const BOUND: Duration = Duration::from_secs(5);

/// How long the check waits for what a correct server sends within the bound, on a machine
/// that may be loaded: a later arrival is inconclusive, none at all a failure.
const PATIENCE: Duration = Duration::from_secs(30);

/// The members of a user that an event and an answer must agree on.
fn members(user: &Value) -> Value {
    Value::Object(
        MEMBERS
            .iter()
            .map(|m| ((*m).to_owned(), user[*m].clone()))
            .collect(),
    )
}

/// The handshake's headers: the target's own, and `token` as a bearer credential.
fn headers(ctx: &Ctx, token: Option<&str>) -> Vec<(String, String)> {
    let mut headers = ctx.target.headers.clone();
    if let Some(token) = token {
        headers.push(("Authorization".to_owned(), format!("Bearer {token}")));
    }
    headers
}

/// Opens a subscription as `token`; a refusal is the clause's breach.
fn subscribe(ctx: &Ctx, token: &str, window: Window) -> Result<Subscription, Failure> {
    let url = under_base(ctx, "/events")?;
    match socket::open(&url, &headers(ctx, Some(token)), window)? {
        Ok(subscription) => Ok(subscription),
        Err(refused) => Err(Failure::new(
            "an authenticated WebSocket handshake of GET /events was refused",
            "101 Switching Protocols",
            format!("{} {}", refused.status, refused.body),
        )),
    }
}

/// What a subscription received, each event with when it arrived and its size in bytes.
#[derive(Debug, Default)]
pub struct Recording {
    pub events: Vec<(Instant, Value, usize)>,
    /// The server closed it: with the close code it sent, if any.
    pub closed: Option<Option<u16>>,
}

impl Recording {
    /// The events about user `id`, in the order they arrived.
    fn of(&self, id: u64) -> Vec<(Instant, &Value)> {
        self.events
            .iter()
            .filter(|(_, e, _)| e["id"].as_u64() == Some(id))
            .map(|(at, e, _)| (*at, e))
            .collect()
    }
}

/// Which events a recording keeps: those about `ids`, and those whose user is one of
/// `usernames`, whose ids it learns from them (a sign-up's id is known only once it is sent).
#[derive(Clone, Debug, Default)]
pub struct Watch {
    pub ids: BTreeSet<u64>,
    pub usernames: BTreeSet<String>,
}

impl Watch {
    pub fn ids(ids: impl IntoIterator<Item = u64>) -> Watch {
        Watch {
            ids: ids.into_iter().collect(),
            usernames: BTreeSet::new(),
        }
    }

    fn keeps(&mut self, event: &Value) -> bool {
        let id = event["id"].as_u64();
        if let (Some(name), Some(id)) = (event["user"]["username"].as_str(), id)
            && self.usernames.contains(name)
        {
            self.ids.insert(id);
        }
        id.is_some_and(|id| self.ids.contains(&id))
    }
}

/// A subscription read by a thread of its own from the moment it opens, keeping the events its
/// watch names, until it has `enough` of them or a deletion's, is closed, or its deadline
/// passes.
pub struct Recorder {
    deadline: Arc<Mutex<Instant>>,
    reading: JoinHandle<Recording>,
}

impl Recorder {
    pub fn start(mut subscription: Subscription, mut watch: Watch, enough: usize) -> Recorder {
        let deadline = Arc::new(Mutex::new(Instant::now() + Duration::from_secs(600)));
        let until = deadline.clone();
        let reading = std::thread::spawn(move || {
            let mut recording = Recording::default();
            loop {
                let due = *until.lock().unwrap_or_else(PoisonError::into_inner);
                let now = Instant::now();
                let deleted = recording
                    .events
                    .last()
                    .is_some_and(|(_, e, _)| e["type"] == "user.deleted");
                if now >= due || recording.events.len() >= enough || deleted {
                    break;
                }
                match subscription.next((due - now).min(Duration::from_millis(100))) {
                    Read::Event(event, text) if watch.keeps(&event) => {
                        recording.events.push((Instant::now(), event, text.len()));
                    }
                    Read::Event(..) | Read::Silent => {}
                    Read::Closed(code) => {
                        recording.closed = Some(code);
                        return recording;
                    }
                }
            }
            subscription.close();
            recording
        });
        Recorder { deadline, reading }
    }

    /// Waits at most `grace` more for the rest; what was received.
    pub fn finish(self, grace: Duration) -> Recording {
        *self.deadline.lock().unwrap_or_else(PoisonError::into_inner) = Instant::now() + grace;
        self.reading.join().unwrap_or_default()
    }
}

fn evt_01(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let url = under_base(ctx, "/events")?;
    let refusals = [
        (None, "without a credential"),
        (Some("not-a-token"), "with a token that is not one"),
    ];
    for (token, how) in refusals {
        match socket::open(&url, &headers(ctx, token), Window::default())? {
            Ok(subscription) => {
                subscription.close();
                return Err(Failure::new(
                    format!("a WebSocket handshake of GET /events {how} was upgraded"),
                    "401 with a problem, and no upgrade",
                    "101 Switching Protocols",
                ));
            }
            Err(refused) => ensure(refused.status == 401, || {
                Failure::new(
                    format!("a WebSocket handshake of GET /events {how} was not answered 401"),
                    "401 with a problem",
                    format!("{} {}", refused.status, refused.body),
                )
            })?,
        }
    }
    let exchange = ctx.send(Request::get("/events").bearer(&user.token))?;
    expect::problem(&exchange, 426, "GET /events without an upgrade")?;
    let upgrade = exchange.header("upgrade").unwrap_or_default();
    let names_websocket = upgrade
        .split(',')
        .any(|p| p.trim().eq_ignore_ascii_case("websocket"));
    ensure(names_websocket, || {
        exchange.fail(
            "a 426 of GET /events does not name the protocol to upgrade to",
            "Upgrade: websocket",
            format!("Upgrade: {upgrade}"),
        )
    })?;
    subscribe(ctx, &user.token, Window::default())?.close();
    Ok(())
}

/// A write the check made and the event it must have sent.
struct Sent {
    what: &'static str,
    kind: &'static str,
    /// The write's answer; `null` for a delete.
    user: Value,
}

/// Signs up, patches, replaces and deletes one user, with a refused write of each kind between;
/// what each successful one must send.
fn writes(ctx: &Ctx, body: &Value, taken: &str) -> Result<(u64, Vec<Sent>), Failure> {
    let admin = ctx.admin()?;
    let created = ctx.create(body)?;
    let id = created["id"].as_u64().unwrap_or_default();
    let path = format!("/users/{id}");
    let mut sent = vec![Sent {
        what: "a sign-up",
        kind: "user.created",
        user: created,
    }];
    let patch = json!({"full_name": "Event Patched"});
    let exchange = ctx.send(Request::patch(&path).bearer(&admin.token).json(&patch))?;
    sent.push(Sent {
        what: "a PATCH",
        kind: "user.updated",
        user: expect::ok_json(&exchange, 200, "an admin's PATCH of a user")?,
    });
    // Refused by uniqueness, which a store decides, and by validation: neither is sent.
    let taken = json!({"username": taken});
    let exchange = ctx.send(Request::patch(&path).bearer(&admin.token).json(&taken))?;
    expect::problem(&exchange, 409, "a PATCH to a username another user holds")?;
    let invalid = json!({"age": 151});
    let exchange = ctx.send(Request::patch(&path).bearer(&admin.token).json(&invalid))?;
    expect::problem(&exchange, 422, "a PATCH with an age out of range")?;
    let put = json!({"username": body["username"], "email": body["email"],
                     "full_name": "Event Replaced", "age": 40});
    let exchange = ctx.send(Request::put(&path).bearer(&admin.token).json(&put))?;
    sent.push(Sent {
        what: "a PUT",
        kind: "user.updated",
        user: expect::ok_json(&exchange, 200, "an admin's PUT of a user")?,
    });
    let exchange = ctx.send(Request::delete(&path).bearer(&admin.token))?;
    expect::status(&exchange, &[204], "an admin's DELETE of a user")?;
    sent.push(Sent {
        what: "a DELETE",
        kind: "user.deleted",
        user: Value::Null,
    });
    Ok((id, sent))
}

fn evt_02(ctx: &Ctx) -> Outcome {
    let watcher = ctx.user("user")?;
    let body = ctx.sign_up_body();
    let watch = Watch {
        ids: BTreeSet::new(),
        usernames: [body["username"].as_str().unwrap_or_default().to_owned()].into(),
    };
    let subscription = subscribe(ctx, &watcher.token, Window::default())?;
    // Until the deletion's event, the last.
    let recorder = Recorder::start(subscription, watch, usize::MAX);
    let written = writes(ctx, &body, &watcher.username);
    let recording = recorder.finish(if written.is_ok() {
        PATIENCE
    } else {
        Duration::ZERO
    });
    let (id, sent) = written?;
    let received = recording.of(id);
    let shown = |events: &[(Instant, &Value)]| {
        events
            .iter()
            .map(|(_, e)| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    // A refused write's event is one more than the writes that succeeded.
    ensure(received.len() <= sent.len(), || {
        Failure::new(
            "a user's writes sent more events than succeeded",
            format!(
                "{} events, one per successful write: none for the 409 and the 422",
                sent.len()
            ),
            format!("every event of the user's, in order:\n{}", shown(&received)),
        )
    })?;
    for (n, sent) in sent.iter().enumerate() {
        let Some((_, event)) = received.get(n) else {
            return Err(Failure::new(
                format!("{} answered with success sent no event", sent.what),
                format!("a `{}` event for user {id}", sent.kind),
                match recording.closed {
                    Some(code) => format!(
                        "the subscription was closed ({code:?}) after:\n{}",
                        shown(&received)
                    ),
                    None => format!(
                        "within {} s, only:\n{}",
                        PATIENCE.as_secs(),
                        shown(&received)
                    ),
                },
            ));
        };
        let user_matches = match sent.user {
            Value::Null => event["user"].is_null(),
            ref user => members(&event["user"]) == members(user),
        };
        ensure(
            event["type"] == sent.kind && event["id"].as_u64() == Some(id) && user_matches,
            || {
                Failure::new(
                    format!(
                        "the event of {} is not the one it answered (event {} of the user's)",
                        sent.what,
                        n + 1
                    ),
                    format!(
                        "{}",
                        json!({"type": sent.kind, "id": id, "user": match sent.user {
                            Value::Null => Value::Null,
                            ref user => members(user),
                        }})
                    ),
                    format!("every event of the user's, in order:\n{}", shown(&received)),
                )
            },
        )?;
    }
    Ok(())
}

fn evt_03(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    let watcher = ctx.user("user")?;
    let member = ctx.member("user")?;
    const WRITES: usize = 20;
    let subscription = subscribe(ctx, &watcher.token, Window::default())?;
    let recorder = Recorder::start(subscription, Watch::ids([member.id]), WRITES);
    let path = format!("/users/{}", member.id);
    let mut answered = Vec::with_capacity(WRITES);
    let written = (0..WRITES).try_for_each(|n| {
        let patch = json!({"full_name": format!("Order {n}")});
        let exchange = ctx.send(Request::patch(&path).bearer(&admin.token).json(&patch))?;
        expect::ok_json(&exchange, 200, "an admin's PATCH of a user")?;
        answered.push(Instant::now());
        Ok::<(), Failure>(())
    });
    let recording = recorder.finish(if written.is_ok() {
        PATIENCE
    } else {
        Duration::ZERO
    });
    written?;
    let received = recording.of(member.id);
    let names: Vec<String> = received
        .iter()
        .map(|(_, e)| e["user"]["full_name"].as_str().unwrap_or("?").to_owned())
        .collect();
    let want: Vec<String> = (0..WRITES).map(|n| format!("Order {n}")).collect();
    ensure(names == want, || {
        Failure::new(
            format!(
                "the events of {WRITES} writes, each begun after the last was answered, are not in their order"
            ),
            format!("full_name {want:?}"),
            format!("full_name {names:?}"),
        )
    })?;
    let latest = received
        .iter()
        .zip(&answered)
        .map(|((arrived, _), answered)| arrived.saturating_duration_since(*answered))
        .max()
        .unwrap_or_default();
    if latest > BOUND {
        return Err(Failure::inconclusive(
            format!(
                "an event arrived {:.1} s after its write's answer, beyond the {} s bound",
                latest.as_secs_f64(),
                BOUND.as_secs()
            ),
            "it arrived within the check's patience, so the delay may be this machine's load rather than the target's",
        ));
    }
    Ok(())
}

fn evt_05(ctx: &Ctx) -> Outcome {
    let admin = ctx.admin()?;
    let watcher = ctx.user("user")?;
    let marker = ctx.member("user")?;
    let subscription = subscribe(ctx, &watcher.token, Window::default())?;
    let recorder = Recorder::start(subscription, Watch::ids([marker.id]), 1);
    let deactivate = json!({"is_active": false});
    let written = ctx
        .send(
            Request::patch(format!("/users/{}", watcher.id))
                .bearer(&admin.token)
                .json(&deactivate),
        )
        .and_then(|e| expect::ok_json(&e, 200, "an admin deactivating a user"))
        .and_then(|_| {
            let after = json!({"full_name": "After Deactivation"});
            let e = ctx.send(
                Request::patch(format!("/users/{}", marker.id))
                    .bearer(&admin.token)
                    .json(&after),
            )?;
            expect::ok_json(&e, 200, "an admin's PATCH of a user")
        });
    let recording = recorder.finish(if written.is_ok() {
        PATIENCE
    } else {
        Duration::ZERO
    });
    written?;
    if let Some((_, event, _)) = recording.events.first() {
        return Err(Failure::new(
            "a subscription whose user was deactivated was sent an event of a later write",
            "the subscription closed (1008), and no event of writes after the deactivation",
            format!("{event}"),
        ));
    }
    ensure(recording.closed.is_some(), || {
        Failure::new(
            "a subscription whose user was deactivated was left open",
            "the subscription closed (1008) at the latest when the next event would be sent",
            format!(
                "open and silent {} s after a later write",
                PATIENCE.as_secs()
            ),
        )
    })
}
