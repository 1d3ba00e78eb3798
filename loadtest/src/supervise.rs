//! The load runs on a runtime of its own, watched from the main thread: it is stopped at its
//! time bound whatever the host does, and abandoned if it has not stopped a grace period later.
//! Ctrl-C (SIGINT) or SIGTERM stops it the same way; a second one abandons it at once. Either way
//! the caller goes on to remove the run's users (bounded too); a third exits at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use goose::prelude::*;

enum Event {
    Done(Box<Result<GooseMetrics, GooseError>>),
    Signal,
}

static EVENTS: OnceLock<Mutex<Sender<Event>>> = OnceLock::new();
static SIGNALS: AtomicUsize = AtomicUsize::new(0);

/// Whether SIGINT or SIGTERM arrived.
pub fn interrupted() -> bool {
    SIGNALS.load(Ordering::Relaxed) > 0
}

/// Receives this process's signals from now on. Installed before goose starts, so goose's own
/// handler (which exits the process on a second Ctrl-C, users left behind) is never set.
pub struct Signals(Receiver<Event>);

impl Signals {
    pub fn install() -> Result<Signals, String> {
        let (tx, rx) = channel();
        let _ = EVENTS.set(Mutex::new(tx));
        ctrlc::set_handler(|| {
            match SIGNALS.fetch_add(1, Ordering::Relaxed) {
                0 => {
                    eprintln!(
                        "loadtest: interrupted: stopping the users, then removing this run's \
                         users (interrupt again to skip the wait)"
                    );
                    goose::trigger_killswitch("interrupted");
                }
                1 => eprintln!("loadtest: interrupted again: removing this run's users now"),
                _ => std::process::exit(130),
            }
            send(Event::Signal);
        })
        .map_err(|e| format!("cannot handle Ctrl-C: {e}"))?;
        Ok(Signals(rx))
    }
}

fn send(event: Event) {
    if let Some(tx) = EVENTS.get() {
        let _ = tx.lock().unwrap_or_else(|e| e.into_inner()).send(event);
    }
}

/// Waits until `future` ends or a signal arrives (`None`), checking a few times a second.
pub async fn unless_interrupted<T>(future: impl Future<Output = T>) -> Option<T> {
    let watch = async {
        while !interrupted() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::select! {
        value = future => Some(value),
        () = watch => None,
    }
}

/// How the load ended.
pub enum Ended {
    /// Goose returned, by itself or after being stopped.
    Returned(Box<Result<GooseMetrics, GooseError>>),
    /// Goose did not return within the grace period after being stopped.
    Abandoned,
}

pub struct Load {
    pub ended: Ended,
    /// The load reached its time bound and was stopped there.
    pub overran: bool,
}

/// Runs the attack, stopping it at `bound` (if any) and abandoning it `grace` after a stop.
pub fn run(
    attack: GooseAttack,
    signals: &Signals,
    bound: Option<Duration>,
    grace: Duration,
) -> Result<Load, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("load")
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    runtime.spawn(async move {
        let result = attack.execute().await;
        send(Event::Done(Box::new(result)));
    });
    let started = Instant::now();
    let mut stop_by: Option<Instant> = interrupted().then(|| Instant::now() + grace);
    let mut overran = false;
    let ended = loop {
        let until = stop_by.or(bound.map(|b| started + b));
        let event = match until {
            Some(at) => signals
                .0
                .recv_timeout(at.saturating_duration_since(Instant::now())),
            None => signals.0.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match event {
            Ok(Event::Done(result)) => break Ended::Returned(result),
            Ok(Event::Signal) if stop_by.is_none() => stop_by = Some(Instant::now() + grace),
            Ok(Event::Signal) => break Ended::Abandoned,
            Err(RecvTimeoutError::Timeout) if stop_by.is_none() => {
                overran = true;
                goose::trigger_killswitch("the run's time bound was reached");
                stop_by = Some(Instant::now() + grace);
            }
            Err(_) => break Ended::Abandoned,
        }
    };
    // Users still running are dropped at their next await; none is waited for.
    runtime.shutdown_background();
    Ok(Load { ended, overran })
}
