//! EVT-04: one subscription stops reading while another reads and writers publish more events
//! than the stopped one's socket buffers and the allowed backlog can hold together.

use std::time::Duration;

use serde_json::json;

use super::{PATIENCE, Recorder, Watch, subscribe};
use crate::checks::Outcome;
use crate::context::{Ctx, Session};
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::http::Request;
use crate::http::socket::{Read, Subscription, Window};

/// Events the writers publish in all.
const EVENTS: usize = 1600;

/// Users writing at once, each to itself, each with a rate-limit bucket of its own.
const WRITERS: usize = 16;

/// What the contract lets a server hold for a subscription that stopped reading: its socket
/// buffers (at most this, for a peer with the check's small window) and this many events.
const BUFFERS: usize = 1 << 20;
const BACKLOG: usize = 256;

/// The longest round trip of a direct connection: a longer path may buffer what the check
/// counts on its target's holding.
const DIRECT: Duration = Duration::from_millis(5);

/// The shortest of a few round trips to the target (the base URL's root, which needs no
/// credential): the least the path adds, whatever the load of the moment.
fn round_trip(ctx: &Ctx) -> Result<Duration, Failure> {
    let mut shortest = Duration::MAX;
    for _ in 0..5 {
        let started = std::time::Instant::now();
        ctx.send(Request::get("/"))?;
        shortest = shortest.min(started.elapsed());
    }
    Ok(shortest)
}

/// How long the stopped subscription may be silent before it counts as left open.
const SILENCE: Duration = Duration::from_secs(5);

pub fn evt_04(ctx: &Ctx) -> Outcome {
    let watcher = ctx.user("user")?;
    let direct = round_trip(ctx)? <= DIRECT;
    // Made side by side: over a network each costs a few round trips.
    let writers = std::thread::scope(|s| {
        let making: Vec<_> = (0..WRITERS).map(|_| s.spawn(|| large(ctx))).collect();
        making
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(panicked())))
            .collect::<Result<Vec<_>, _>>()
    })?;
    let ids = writers.iter().map(|w| w.id);
    // Opened before any of the writes, so that every event is owed to both.
    let stopped = subscribe(ctx, &watcher.token, Window { small: true })?;
    let reading = subscribe(ctx, &watcher.token, Window::default())?;
    let recorder = Recorder::start(reading, Watch::ids(ids.clone()), EVENTS);
    let written = std::thread::scope(|s| {
        let each = EVENTS / WRITERS;
        let handles: Vec<_> = writers
            .iter()
            .map(|writer| s.spawn(move || write(ctx, writer, each)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(panicked())))
            .collect::<Result<Vec<()>, Failure>>()
    });
    let recording = recorder.finish(if written.is_ok() {
        PATIENCE
    } else {
        Duration::ZERO
    });
    written?;
    let received = recording.events.len();
    if let Some(code) = recording.closed {
        return Err(Failure::inconclusive(
            "the subscription that kept reading was closed too",
            format!(
                "closed ({code:?}) after {received} of {EVENTS} events: this machine may have \
                 read it more slowly than the target wrote"
            ),
        ));
    }
    ensure(received >= EVENTS, || {
        Failure::new(
            "a subscription that kept reading missed events while another had stopped",
            format!(
                "all {EVENTS} events of the writes within {} s",
                PATIENCE.as_secs()
            ),
            format!("{received} events"),
        )
    })?;
    let mut sizes: Vec<usize> = recording.events.iter().map(|(_, _, n)| *n).collect();
    let total: usize = sizes.iter().sum();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    let allowed = BUFFERS + sizes.iter().take(BACKLOG).sum::<usize>();
    let (got, closed) = drain(stopped, &Watch::ids(ids));
    match closed {
        _ if got >= EVENTS && total > allowed && !direct => Err(Failure::inconclusive(
            "a subscription that stopped reading was held every event, over a path longer than \
             a direct connection",
            format!(
                "all {EVENTS} events ({} KiB) were delivered once it read again, but the round \
                 trip is over {} ms: buffers along the path (a proxy's, a network's) may have \
                 held them rather than the target",
                total / 1024,
                DIRECT.as_millis()
            ),
        )),
        _ if got >= EVENTS && total > allowed => Err(Failure::new(
            "a subscription that stopped reading was held every event rather than dropped",
            format!(
                "closed (1008, or the connection ended) after at most {BACKLOG} events beyond \
                 its socket buffers ({} KiB allowed)",
                allowed / 1024
            ),
            format!(
                "all {EVENTS} events ({} KiB) delivered once it read again",
                total / 1024
            ),
        )),
        _ if got >= EVENTS => Err(Failure::inconclusive(
            "a subscription that stopped reading was held every event",
            format!(
                "the events came to {} KiB, within what socket buffers and the backlog may \
                 hold ({} KiB); larger events would tell",
                total / 1024,
                allowed / 1024
            ),
        )),
        Some(_) => Ok(()),
        None => Err(Failure::new(
            "a subscription that fell behind was left open without the events it missed",
            "closed (1008, or the connection ended) once more than 256 events behind",
            format!(
                "{got} of {EVENTS} events, then open and silent for {} s",
                SILENCE.as_secs()
            ),
        )),
    }
}

fn panicked() -> Failure {
    Failure::new("a thread of EVT-04 panicked", "no panic", "a panic")
}

/// A new user whose events are as large as the field rules allow: 254 characters of email and
/// 100 four-byte characters of name, so that fewer writes fill the buffers.
fn large(ctx: &Ctx) -> Result<Session, Failure> {
    let user = ctx.user("user")?;
    let local = format!(
        "{}{}",
        user.username,
        "e".repeat(64 - user.username.len().min(64))
    );
    let domain = format!(
        "{}.{}.{}.com",
        "d".repeat(63),
        "e".repeat(63),
        "f".repeat(57)
    );
    let email = format!("{}@{domain}", local.to_lowercase());
    let change = json!({"email": email, "full_name": name(0)});
    let exchange = ctx.send(
        Request::patch(format!("/users/{}", user.id))
            .bearer(&user.token)
            .json(&change),
    )?;
    expect::ok_json(&exchange, 200, "a user's PATCH of its own email and name")
        .map_err(|f| f.blocked("making a writer's events large"))?;
    Ok(user)
}

/// A full name of 100 characters, 396 bytes in UTF-8, different for each `n`.
fn name(n: usize) -> String {
    format!("{:04}{}", n % 10_000, "\u{1F600}".repeat(96))
}

/// `count` changes of `writer`'s own name, one after another.
fn write(ctx: &Ctx, writer: &Session, count: usize) -> Result<(), Failure> {
    let path = format!("/users/{}", writer.id);
    for n in 1..=count {
        let change = json!({"full_name": name(n)});
        let exchange = ctx.send(Request::patch(&path).bearer(&writer.token).json(&change))?;
        expect::ok_json(&exchange, 200, "a user's PATCH of its own name")?;
    }
    Ok(())
}

/// Reads a subscription that had stopped until it is closed, silent, or has given every event:
/// how many of the watched events it held, and whether (with what code) the server closed it.
fn drain(mut stopped: Subscription, watch: &Watch) -> (usize, Option<Option<u16>>) {
    let mut got = 0;
    while got < EVENTS {
        match stopped.next(SILENCE) {
            Read::Event(event, _) => {
                if event["id"]
                    .as_u64()
                    .is_some_and(|id| watch.ids.contains(&id))
                {
                    got += 1;
                }
            }
            Read::Closed(code) => return (got, Some(code)),
            Read::Silent => break,
        }
    }
    stopped.close();
    (got, None)
}
