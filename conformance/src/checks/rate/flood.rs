//! One identity's requests sent over several connections at once, so that a bucket drains faster
//! than it refills whatever the round trip or the machine's load: the rate-limit clauses are about
//! counts, and a check that sends one request at a time can only tell on a fast link.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::standing::{Standing, Timed, me, standing};
use crate::checks::Outcome;
use crate::context::Ctx;
use crate::failure::Failure;
use crate::http::Request;

/// The most connections one drain opens.
pub const MOST_CONNECTIONS: usize = 64;

/// How long one drain may take before it gives up as unable to tell.
const DRAIN_TIME: Duration = Duration::from_secs(150);

/// Connections enough, with round trips of `rtt`, to send four times the `rate` (requests a
/// second) that a bucket refills at, and to spend its `limit` in about two seconds besides.
pub fn connections(limit: u64, rate: f64, rtt: Duration) -> usize {
    let per_sec = 4.0 * rate + limit as f64 / 2.0;
    ((per_sec * rtt.as_secs_f64()).ceil() as usize + 2).clamp(2, MOST_CONNECTIONS / 2)
}

/// One request without a body on a kept-alive connection, timed.
pub fn timed(ctx: &Ctx, request: Request) -> Result<Timed, Failure> {
    let sent = Instant::now();
    let exchange = ctx.http.send_kept_alive(request)?;
    Ok(Timed {
        exchange,
        sent,
        received: Instant::now(),
    })
}

/// One request on a connection of its own, timed.
pub fn timed_once(ctx: &Ctx, request: Request) -> Result<Timed, Failure> {
    let sent = Instant::now();
    let exchange = ctx.http.send_once(request)?;
    Ok(Timed {
        exchange,
        sent,
        received: Instant::now(),
    })
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Sends `count` requests (`request(n)`) over `connections` at once, stopping at the first `429`;
/// the answers in the order they came back.
pub fn run(
    ctx: &Ctx,
    connections: usize,
    count: usize,
    request: impl Fn(usize) -> Request + Sync,
) -> Result<Vec<Timed>, Failure> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let answers = Mutex::new(Vec::new());
    let failure = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..connections {
            s.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= count {
                        break;
                    }
                    match timed(ctx, request(n)) {
                        Ok(t) => {
                            if !t.served() {
                                stop.store(true, Ordering::Relaxed);
                            }
                            lock(&answers).push(t);
                        }
                        Err(f) => {
                            *lock(&failure) = Some(f);
                            stop.store(true, Ordering::Relaxed);
                        }
                    }
                }
            });
        }
    });
    match failure.into_inner().unwrap_or_else(|e| e.into_inner()) {
        Some(f) => Err(f),
        None => Ok(answers.into_inner().unwrap_or_else(|e| e.into_inner())),
    }
}

/// What draining one identity's bucket saw.
pub struct Drained {
    /// Every answer, in the order they came back.
    pub answers: Vec<Timed>,
    /// The first served answer that reported nothing remaining.
    pub zero: Option<usize>,
    /// The first `429` to a request sent once `zero` had come back.
    pub refused: Option<usize>,
    /// More requests served after `zero` than the time since earned (RATE-03 broken).
    pub excess: Option<Failure>,
    /// Why the drain stopped without a refusal, when it did.
    pub gave_up: Option<String>,
}

struct Progress {
    answers: Vec<Timed>,
    zero: Option<(usize, Standing)>,
    served_after_zero: u64,
    refused: Option<usize>,
    excess: Option<Failure>,
    failure: Option<Failure>,
    lowest: u64,
}

impl Progress {
    fn record(&mut self, t: Timed) {
        let n = self.answers.len();
        if t.served() {
            match standing(&t.exchange) {
                Ok(s) => {
                    self.lowest = self.lowest.min(s.remaining);
                    if self.zero.is_none() && s.remaining == 0 {
                        // Answers already in that were sent after this one came back count too.
                        self.served_after_zero = self
                            .answers
                            .iter()
                            .filter(|a| a.served() && a.after(&t))
                            .count() as u64;
                        self.refused = self.answers.iter().position(|a| !a.served() && a.after(&t));
                        self.zero = Some((n, s));
                        self.answers.push(t);
                        return;
                    }
                }
                Err(f) => self.failure = Some(f),
            }
        }
        if let Some((z, zero)) = &self.zero {
            let z = &self.answers[*z];
            if t.after(z) {
                if !t.served() {
                    self.refused.get_or_insert(n);
                } else {
                    self.served_after_zero += 1;
                    let earned = zero.earns((t.received - z.sent).as_secs_f64());
                    if self.served_after_zero > earned && self.excess.is_none() {
                        self.excess = Some(t.exchange.fail(
                            format!(
                                "{} requests were served after X-RateLimit-Remaining reached 0",
                                self.served_after_zero
                            ),
                            format!("429, as the time since earned at most {earned}"),
                            t.exchange.summary(),
                        ));
                    }
                }
            }
        }
        self.answers.push(t);
    }

    fn done(&self) -> bool {
        self.refused.is_some() || self.excess.is_some() || self.failure.is_some()
    }
}

/// Spends `token`'s bucket over as many connections as its refill rate and the round trip need
/// (more when it does not go down fast enough), until a request sent after an answer reporting
/// nothing remaining is refused. `during` then runs while the bucket is kept spent; its outcome
/// is returned beside what the drain saw (`Ok` when it did not run).
pub fn drain(
    ctx: &Ctx,
    token: &str,
    during: impl FnOnce() -> Outcome,
) -> Result<(Drained, Outcome), Failure> {
    drain_by(ctx, &|| me(token), during)
}

/// `drain` of the bucket of whatever identity `ask`'s requests carry (an API key, say).
pub fn drain_by(
    ctx: &Ctx,
    ask: &(dyn Fn() -> Request + Sync),
    during: impl FnOnce() -> Outcome,
) -> Result<(Drained, Outcome), Failure> {
    let first = timed(ctx, ask())?;
    let start = standing(&first.exchange)?;
    let limit = start.limit;
    if limit > 20_000 {
        eprintln!(
            "RATE checks: draining a bucket of {limit} requests; this takes a while (at most {} s)",
            DRAIN_TIME.as_secs()
        );
    }
    let rtt = first.received - first.sent;
    let mut progress = Progress {
        answers: Vec::new(),
        zero: None,
        served_after_zero: 0,
        refused: None,
        excess: None,
        failure: None,
        lowest: limit,
    };
    progress.record(first);
    let progress = Mutex::new(progress);
    // Bounded twice: by requests (the limit four times over, as the bucket refills while it
    // drains) and by time.
    let budget = 4 * limit + 5_000;
    let began = Instant::now();
    let deadline = began + DRAIN_TIME;
    let sent = AtomicU64::new(1);
    let stop = AtomicBool::new(false);
    let mut outcome = Ok(());
    let mut during = Some(during);
    let mut gave_up = None;
    let mut threads = connections(limit, start.rate(), rtt);
    let worker = || {
        while !stop.load(Ordering::Relaxed)
            && sent.fetch_add(1, Ordering::Relaxed) < budget
            && Instant::now() < deadline
        {
            let answer = timed(ctx, ask());
            let mut p = lock(&progress);
            match answer {
                Ok(t) => p.record(t),
                Err(f) => p.failure = Some(f),
            }
            if p.failure.is_some() || p.excess.is_some() {
                stop.store(true, Ordering::Relaxed);
            }
        }
    };
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(worker);
        }
        // Lowest Remaining once a second: when it falls too slowly, more connections, as long as
        // they help.
        let mut lows: Vec<u64> = Vec::new();
        let mut tick = Instant::now();
        let mut doubled_at: Option<f64> = None;
        let mut saturated = false;
        loop {
            std::thread::sleep(Duration::from_millis(20));
            let (done, lowest, refused) = {
                let p = lock(&progress);
                (p.done(), p.lowest, p.refused.is_some())
            };
            if done {
                if let Some(during) = during.take().filter(|_| refused) {
                    outcome = during();
                }
                break;
            }
            if stop.load(Ordering::Relaxed)
                || Instant::now() >= deadline
                || sent.load(Ordering::Relaxed) >= budget
            {
                gave_up = Some(format!(
                    "{} requests in {:.1} s over up to {threads} connections",
                    sent.load(Ordering::Relaxed),
                    began.elapsed().as_secs_f64()
                ));
                break;
            }
            if tick.elapsed() < Duration::from_secs(1) {
                continue;
            }
            tick = Instant::now();
            // Readings since the connections last changed, one a second.
            lows.push(lowest);
            if lows.len() < 3 {
                continue;
            }
            let fell = |readings: &[u64]| {
                readings[0].saturating_sub(lowest) as f64 / (readings.len() - 1) as f64
            };
            // Over the last two seconds, to decide on more connections quickly.
            let per_sec = fell(&lows[lows.len() - 3..]);
            if let Some(before) = doubled_at.take()
                && per_sec < before * 1.2
            {
                // More connections did not help: the target, not the round trip, is the bound.
                saturated = true;
            }
            let left = deadline
                .saturating_duration_since(Instant::now())
                .as_secs_f64();
            if !saturated && threads < MOST_CONNECTIONS && lowest as f64 > per_sec * 10.0 {
                let more = threads.min(MOST_CONNECTIONS - threads);
                for _ in 0..more {
                    s.spawn(worker);
                }
                threads += more;
                doubled_at = Some(per_sec);
                lows.clear();
            } else if lows.len() > 5 && lowest as f64 > fell(&lows) * left {
                // Too slow over five seconds or more, not a passing stall.
                let per_sec = fell(&lows);
                gave_up = Some(format!(
                    "over {threads} connections Remaining fell by {per_sec:.0} a second and {lowest} remained after {:.1} s, too many to spend in the {} s a drain may take",
                    began.elapsed().as_secs_f64(),
                    DRAIN_TIME.as_secs()
                ));
                break;
            }
        }
        stop.store(true, Ordering::Relaxed);
    });
    let p = progress.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(f) = p.failure {
        return Err(f);
    }
    Ok((
        Drained {
            answers: p.answers,
            zero: p.zero.map(|(z, _)| z),
            refused: p.refused,
            excess: p.excess,
            gave_up,
        },
        outcome,
    ))
}

impl Drained {
    /// The refusal RATE-03 asks for, or why there is none: more served after `zero` than earned
    /// is a breach; a bucket that was never seen empty is a breach only when more requests were
    /// served than any reading of its limit allows, and otherwise the drain could not tell.
    pub fn refusal(&self) -> Result<&Timed, Failure> {
        if let Some(f) = &self.excess {
            return Err(f.clone());
        }
        if let Some(r) = self.refused {
            return Ok(&self.answers[r]);
        }
        let first = &self.answers[0];
        let s = standing(&first.exchange)?;
        let served = self.answers.iter().filter(|t| t.served()).count() as u64;
        let last = self
            .answers
            .iter()
            .map(|t| t.received)
            .max()
            .unwrap_or(first.received);
        let span = (last - first.sent).as_secs_f64();
        // A full bucket, refilled by the rate or once per window: never more than this.
        let most = s.limit * (2 + (span / s.window).floor() as u64) + 1;
        if served > most {
            return Err(first.exchange.fail(
                format!(
                    "{served} requests of one identity were served in {span:.1} s without a 429"
                ),
                format!("at most {most}: a limit of {} per {} s", s.limit, s.window),
                "no 429",
            ));
        }
        let why = self.gave_up.clone().unwrap_or_default();
        Err(Failure::inconclusive(
            "the bucket could not be drained faster than it refills",
            if self.zero.is_some() {
                format!("Remaining reached 0 but no later request was refused: {why}")
            } else {
                format!(
                    "Remaining never reached 0: {why}; a faster link or an idle target would tell"
                )
            },
        ))
    }
}
