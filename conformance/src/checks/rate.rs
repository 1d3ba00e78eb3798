//! CONTRACT §6, Rate limits: the standing every response reports, and that it is kept. Limits are
//! read from the target's headers; the identities drained are users made for one check each.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use proptest::sample::select;
use serde_json::json;

use super::{Check, Needs, Outcome};
use crate::context::Ctx;
use crate::expect;
use crate::failure::{Failure, ensure};
use crate::http::{Exchange, Request};
use crate::property::for_all;

pub const CHECKS: &[Check] = &[
    Check {
        id: "RATE-01",
        section: "rate limits",
        title: "every response reports its rate-limit standing, in both header forms",
        hint: "write X-RateLimit-Limit/Remaining/Reset and RateLimit-Policy/RateLimit on every response under the base, errors included",
        needs: Needs::Nothing,
        run: rate_01,
    },
    Check {
        id: "RATE-02",
        section: "rate limits",
        title: "each request takes one from Remaining",
        hint: "report the bucket after taking this request from it, never a constant",
        needs: Needs::Nothing,
        run: rate_02,
    },
    Check {
        id: "RATE-03",
        section: "rate limits",
        title: "a request with nothing remaining is 429 with Retry-After",
        hint: "refuse before the route runs: 429 problem+json with Retry-After in whole seconds, at least 1",
        needs: Needs::Nothing,
        run: rate_03,
    },
    Check {
        id: "RATE-04",
        section: "rate limits",
        title: "after Retry-After the identity is served again",
        hint: "compute Retry-After from the time the next allowance comes back, rounded up",
        needs: Needs::Nothing,
        run: rate_04,
    },
    Check {
        id: "RATE-05",
        section: "rate limits",
        title: "one user over the limit does not throttle another",
        hint: "key the bucket of an authenticated request by its user, not its address",
        needs: Needs::Nothing,
        run: rate_05,
    },
    Check {
        id: "RATE-06",
        section: "rate limits",
        title: "X-Forwarded-For from an untrusted peer does not change the identity",
        hint: "read X-Forwarded-For only when the socket peer is a configured trusted proxy",
        needs: Needs::Nothing,
        run: rate_06,
    },
    Check {
        id: "RATE-07",
        section: "rate limits",
        title: "logins are limited more strictly, per client and account",
        hint: "give POST /auth/login a bucket per client and account with a lower limit",
        needs: Needs::Nothing,
        run: rate_07,
    },
];

/// What one response says about its identity's bucket.
#[derive(Clone, Debug)]
struct Standing {
    limit: u64,
    remaining: u64,
    /// Seconds a window lasts (`w` of `RateLimit-Policy`; 60 when a target does not say).
    window: f64,
}

impl Standing {
    /// Seconds one request's allowance takes to come back at the rate the standing states.
    fn interval(&self) -> f64 {
        self.window / self.limit as f64
    }
}

/// A request sent and when: a bucket's decision falls between `sent` and `received`.
#[derive(Clone, Debug)]
struct Timed {
    exchange: Exchange,
    sent: Instant,
    received: Instant,
}

fn timed(ctx: &Ctx, request: Request) -> Result<Timed, Failure> {
    let sent = Instant::now();
    let exchange = ctx.http.send_once(request)?;
    Ok(Timed {
        exchange,
        sent,
        received: Instant::now(),
    })
}

fn integer(exchange: &Exchange, name: &str) -> Result<u64, Failure> {
    let value = exchange.header(name).ok_or_else(|| {
        exchange.fail(
            format!("the response has no {name}"),
            format!("a {name} header"),
            "none",
        )
    })?;
    value.trim().parse::<u64>().map_err(|_| {
        exchange.fail(
            format!("{name} is not a non-negative integer"),
            format!("{name}: <digits>"),
            format!("{name}: {value}"),
        )
    })
}

/// The `key=<integer>` parameter of a structured field such as `"general";q=100;w=60`.
fn parameter(field: &str, key: &str) -> Option<u64> {
    field
        .split(';')
        .skip(1)
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim() == key)
        .and_then(|(_, v)| v.trim().parse().ok())
}

/// The standing of the `X-RateLimit-*` headers, which every check but RATE-01 relies on.
fn standing(exchange: &Exchange) -> Result<Standing, Failure> {
    let limit = integer(exchange, "X-RateLimit-Limit")?;
    let remaining = integer(exchange, "X-RateLimit-Remaining")?;
    ensure(limit > 0, || {
        exchange.fail("X-RateLimit-Limit is 0", "a positive limit", "0")
    })?;
    ensure(remaining <= limit, || {
        exchange.fail(
            "X-RateLimit-Remaining is above X-RateLimit-Limit",
            format!("at most {limit}"),
            remaining.to_string(),
        )
    })?;
    let window = exchange
        .header("RateLimit-Policy")
        .and_then(|p| parameter(p, "w"))
        .filter(|&w| w > 0)
        .unwrap_or(60);
    Ok(Standing {
        limit,
        remaining,
        window: window as f64,
    })
}

/// RATE-01 in full: both header forms, well-formed and agreeing.
fn full_standing(exchange: &Exchange) -> Result<Standing, Failure> {
    let s = standing(exchange)?;
    let reset = integer(exchange, "X-RateLimit-Reset")?;
    let field = |name: &str| {
        exchange.header(name).ok_or_else(|| {
            exchange.fail(
                format!("the response has no {name} field"),
                format!("{name} (the IETF RateLimit fields)"),
                "none",
            )
        })
    };
    let policy = field("RateLimit-Policy")?;
    let current = field("RateLimit")?;
    let agree = |name: &str, field: &str, key: &str, want: u64| {
        ensure(parameter(field, key) == Some(want), || {
            exchange.fail(
                format!("{name} disagrees with the X-RateLimit headers"),
                format!("{name} with {key}={want}"),
                format!("{name}: {field}"),
            )
        })
    };
    agree("RateLimit-Policy", policy, "q", s.limit)?;
    ensure(parameter(policy, "w").is_some_and(|w| w > 0), || {
        exchange.fail(
            "RateLimit-Policy names no window",
            "a w=<seconds> parameter",
            policy,
        )
    })?;
    agree("RateLimit", current, "r", s.remaining)?;
    agree("RateLimit", current, "t", reset)?;
    Ok(s)
}

/// `GET /users/me` as the holder of `token`: the cheapest request of one identity.
fn me(token: &str) -> Request {
    Request::get("/users/me").bearer(token)
}

/// Checks that consecutive answers to one identity take one request each from `Remaining`:
/// between answers `i` and `j`, `Remaining` may grow only by what the time between them earns
/// (RATE-02). A bucket refilled at a window's end may jump up once, as no run spans two windows.
fn takes_one_each(answers: &[Timed]) -> Outcome {
    let seen: Vec<(Standing, &Timed)> = answers
        .iter()
        .filter(|t| t.exchange.status != 429)
        .map(|t| standing(&t.exchange).map(|s| (s, t)))
        .collect::<Result<_, _>>()?;
    // The answers between which the bucket kept more than its rate allows.
    let mut kept_too_much = Vec::new();
    for i in 0..seen.len() {
        for j in i + 1..seen.len() {
            let (a, ta) = &seen[i];
            let (b, tb) = &seen[j];
            let elapsed = (tb.received - ta.sent).as_secs_f64();
            let earned = (elapsed / a.interval()).floor() as i64 + 1;
            let most = a.remaining as i64 - (j - i) as i64 + earned;
            if (b.remaining as i64) > most {
                kept_too_much.push((i, j, most));
            }
        }
    }
    let Some(&(first_i, first_j, most)) = kept_too_much.first() else {
        return Ok(());
    };
    // A fixed window refills at its end: excesses that all span one point are that refill, as a
    // run shorter than a window holds at most one end.
    let last_start = kept_too_much.iter().map(|&(i, _, _)| i).max().unwrap_or(0);
    let first_end = kept_too_much.iter().map(|&(_, j, _)| j).min().unwrap_or(0);
    let span = seen[seen.len() - 1].1.received - seen[0].1.sent;
    if last_start < first_end && span.as_secs_f64() < seen[0].0.window {
        return Ok(());
    }
    let (a, _) = &seen[first_i];
    let (b, tb) = &seen[first_j];
    Err(tb.exchange.fail(
        format!(
            "X-RateLimit-Remaining went from {} to {} over {} requests",
            a.remaining,
            b.remaining,
            first_j - first_i
        ),
        format!(
            "at most {most}: one less per request, plus one per {:.3} s",
            a.interval()
        ),
        b.remaining.to_string(),
    ))
}

/// How many requests a run of the bucket-reading checks sends at most.
const RUN: usize = 120;

/// Sends up to `RUN` requests one after another, stopping at the first `429`.
fn run_of(ctx: &Ctx, request: impl Fn(usize) -> Request) -> Result<Vec<Timed>, Failure> {
    let mut answers = Vec::new();
    for n in 0..RUN {
        let answer = timed(ctx, request(n))?;
        let refused = answer.exchange.status == 429;
        answers.push(answer);
        if refused {
            break;
        }
    }
    Ok(answers)
}

/// Spends `token`'s bucket: many requests at once until little remains, then one at a time
/// until an answer reports 0 remaining, which is returned.
fn drain(ctx: &Ctx, token: &str) -> Result<Timed, Failure> {
    let first = timed(ctx, me(token))?;
    let limit = standing(&first.exchange)?.limit;
    // Bounded twice: by requests (the limit twice over, as the bucket refills while it drains)
    // and by time.
    let budget = 2 * limit + 2_000;
    let deadline = Instant::now() + Duration::from_secs(120);
    if limit > 20_000 {
        eprintln!(
            "RATE checks: draining a bucket of {limit} requests; this takes a while (at most 2 minutes)"
        );
    }
    let sent = AtomicU64::new(1);
    let low = AtomicBool::new(false);
    let failure: Mutex<Option<Failure>> = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                while !low.load(Ordering::Relaxed)
                    && sent.fetch_add(1, Ordering::Relaxed) < budget
                    && Instant::now() < deadline
                {
                    match ctx.http.send_kept_alive(me(token)) {
                        Ok(e) if e.status == 429 => low.store(true, Ordering::Relaxed),
                        Ok(e) => match standing(&e) {
                            Ok(st) if st.remaining <= 8 => low.store(true, Ordering::Relaxed),
                            Ok(_) => {}
                            Err(f) => {
                                *failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(f);
                                low.store(true, Ordering::Relaxed);
                            }
                        },
                        Err(f) => {
                            *failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(f);
                            low.store(true, Ordering::Relaxed);
                        }
                    }
                }
            });
        }
    });
    if let Some(f) = failure.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(f);
    }
    // One at a time from here, to catch the answer that reports nothing remaining.
    for _ in 0..200 {
        let answer = timed(ctx, me(token))?;
        if answer.exchange.status != 429 && standing(&answer.exchange)?.remaining == 0 {
            return Ok(answer);
        }
    }
    Err(first.exchange.fail(
        format!(
            "after {} requests of one user, X-RateLimit-Remaining never reached 0",
            sent.into_inner() + 200
        ),
        "Remaining to reach 0 within the limit's worth of requests",
        "it stayed above 0",
    ))
}

/// After the answer that reported nothing remaining, bursts of requests at once, faster than
/// any bucket refills: the first `429` among them, once no more were served than the time since
/// earned (RATE-03).
fn refusal(ctx: &Ctx, token: &str, zero: &Timed) -> Result<Timed, Failure> {
    let interval = standing(&zero.exchange)?.interval();
    let mut served = 0;
    for _ in 0..5 {
        let mut burst: Vec<Timed> = std::thread::scope(|s| {
            let sends: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(|| {
                        let sent = Instant::now();
                        ctx.http.send_kept_alive(me(token)).map(|exchange| Timed {
                            exchange,
                            sent,
                            received: Instant::now(),
                        })
                    })
                })
                .collect();
            sends
                .into_iter()
                .map(|h| h.join().expect("a sender does not panic"))
                .collect::<Result<_, _>>()
        })?;
        burst.sort_by_key(|t| t.received);
        let latest = burst[burst.len() - 1].received;
        served += burst.iter().filter(|t| t.exchange.status != 429).count() as u64;
        let earned = ((latest - zero.sent).as_secs_f64() / interval).floor() as u64 + 1;
        if served > earned {
            let answer = burst
                .iter()
                .rev()
                .find(|t| t.exchange.status != 429)
                .expect("served");
            return Err(answer.exchange.fail(
                format!("{served} requests were served after X-RateLimit-Remaining reached 0"),
                format!("429, as the time since earned at most {earned}"),
                answer.exchange.summary(),
            ));
        }
        if let Some(refused) = burst.into_iter().find(|t| t.exchange.status == 429) {
            return Ok(refused);
        }
    }
    Err(zero.exchange.fail(
        "no 429 came after X-RateLimit-Remaining reached 0",
        "a 429 among requests sent faster than the bucket refills",
        format!("all {served} served, each slower than the limit refills: the check cannot tell"),
    ))
}

/// RATE-03's requirements of a `429`: a problem, the standing, and `Retry-After` ≥ 1.
fn retry_after(exchange: &Exchange) -> Result<u64, Failure> {
    expect::problem(exchange, 429, "a request over the limit")?;
    standing(exchange)?;
    let secs = integer(exchange, "Retry-After")?;
    ensure(secs >= 1, || {
        exchange.fail("Retry-After is 0", "Retry-After of at least 1 second", "0")
    })?;
    Ok(secs)
}

fn rate_01(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let requests = [
        ("GET /users/me", me(&user.token)),
        ("GET /users/me without a token", Request::get("/users/me")),
        ("an unrouted path", Request::get("/no-such-resource")),
        (
            "an invalid sign-up",
            Request::post("/users").json(&json!({"username": "x"})),
        ),
        (
            "a malformed body",
            Request::post("/users").raw("application/json", "{"),
        ),
        ("a method not allowed", Request::new("DELETE", "/users")),
        (
            "a failed login",
            Request::post("/auth/login")
                .json(&json!({"username": user.username, "password": "Wrong-passw0rd"})),
        ),
    ];
    let names: Vec<&str> = requests.iter().map(|(n, _)| *n).collect();
    for_all(ctx.budget, names.clone(), select(names), |name| {
        let (_, request) = requests
            .iter()
            .find(|(n, _)| n == name)
            .expect("one of them");
        let exchange = ctx.send(request.clone())?;
        full_standing(&exchange).map(|_| ())
    })
}

fn rate_02(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let answers = run_of(ctx, |_| me(&user.token))?;
    takes_one_each(&answers)
}

fn rate_03(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let zero = drain(ctx, &user.token)?;
    retry_after(&refusal(ctx, &user.token, &zero)?.exchange).map(|_| ())
}

/// The longest `Retry-After` this check waits.
const LONGEST_WAIT: u64 = 120;

fn rate_04(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let zero = drain(ctx, &user.token)?;
    let refused = refusal(ctx, &user.token, &zero)?;
    let secs = retry_after(&refused.exchange)?;
    ensure(secs <= LONGEST_WAIT, || {
        refused.exchange.fail(
            format!("Retry-After is {secs} s, longer than the suite waits"),
            format!("at most {LONGEST_WAIT} s"),
            secs.to_string(),
        )
    })?;
    if secs > 5 {
        eprintln!("RATE-04: waiting the {secs} s the target's Retry-After asks");
    }
    // From when the refusal arrived, with a margin for a clock that rounds down.
    let due = refused.received + Duration::from_secs(secs) + Duration::from_millis(100);
    std::thread::sleep(due.saturating_duration_since(Instant::now()));
    let again = ctx.http.send_once(me(&user.token))?;
    ensure(again.status != 429, || {
        again.fail(
            format!("after waiting Retry-After ({secs} s) the user is still refused"),
            "a request that is not 429",
            again.summary(),
        )
    })
}

fn rate_05(ctx: &Ctx) -> Outcome {
    let spent = ctx.user("user")?;
    let other = ctx.user("user")?;
    let zero = drain(ctx, &spent.token)?;
    refusal(ctx, &spent.token, &zero)?;
    let exchange = ctx.http.send_once(me(&other.token))?;
    ensure(exchange.status != 429, || {
        exchange.fail(
            "another user was refused while one user was over the limit",
            "a request that is not 429",
            exchange.summary(),
        )
    })?;
    expect::ok_json(&exchange, 200, "GET /users/me as the other user").map(|_| ())
}

fn rate_06(ctx: &Ctx) -> Outcome {
    // Unauthenticated, so the identity is the address; each request claims another one.
    let answers = run_of(ctx, |n| {
        let claimed = format!("198.51.{}.{}", 100 + n / 250, 1 + n % 250);
        Request::get("/users/me")
            .header("X-Forwarded-For", claimed.as_str())
            .header("X-Real-Ip", claimed.as_str())
            .header("Forwarded", format!("for={claimed}"))
    })?;
    takes_one_each(&answers).map_err(|f| {
        let title = format!("with a new X-Forwarded-For on each request, {}", f.title);
        f.retitled(title)
    })
}

fn rate_07(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let general = standing(&ctx.http.send_once(me(&user.token))?)?;
    let wrong = Request::post("/auth/login")
        .json(&json!({"username": user.username, "password": "Wrong-passw0rd1"}));
    let first = timed(ctx, wrong.clone())?;
    let login = standing(&first.exchange)?;
    ensure(login.limit < general.limit, || {
        first.exchange.fail(
            "POST /auth/login is limited no more strictly than other requests",
            format!("X-RateLimit-Limit below the general {}", general.limit),
            login.limit.to_string(),
        )
    })?;
    let mut attempts = 1;
    loop {
        let answer = timed(ctx, wrong.clone())?;
        if answer.exchange.status == 429 {
            return retry_after(&answer.exchange).map(|_| ());
        }
        attempts += 1;
        let earned =
            ((answer.received - first.sent).as_secs_f64() / login.interval()).floor() as u64 + 1;
        ensure(attempts <= login.limit + earned, || {
            answer.exchange.fail(
                format!("{attempts} failed logins for one account were not refused"),
                format!("429 within {} attempts", login.limit + earned),
                answer.exchange.summary(),
            )
        })?;
    }
}
