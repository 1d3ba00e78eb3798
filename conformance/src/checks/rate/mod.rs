//! CONTRACT §6, Rate limits: the standing every response reports, and that it is kept. Limits are
//! read from the target's headers; the identities drained are users made for one check each.

mod analysis;
pub(super) mod flood;
mod retry;
mod standing;

use std::time::{Duration, Instant};

use proptest::sample::select;
use serde_json::json;

use self::analysis::takes_one_each;
use self::flood::{Drained, drain, timed, timed_once};
use self::retry::{LONGEST_WAIT, not_overstated, retry_after};
use self::standing::{Timed, full_standing, me, standing};
use super::{Check, Needs, Outcome};
use crate::context::Ctx;
use crate::expect;
use crate::failure::{Failure, Kind, ensure};
use crate::http::Request;
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

/// How many requests the first run of the bucket-reading checks sends at most.
const RUN: usize = 160;

/// A run of `count` requests (`request(n)`) over `scale` times as many connections as the first
/// answer's refill rate and round trip need.
fn run_of(
    ctx: &Ctx,
    count: usize,
    scale: usize,
    request: &(impl Fn(usize) -> Request + Sync),
) -> Result<Vec<Timed>, Failure> {
    let first = timed(ctx, request(0))?;
    let s = standing(&first.exchange)?;
    let connections = flood::connections(s.limit, s.rate(), first.received - first.sent) * scale;
    let mut answers = vec![first];
    answers.extend(flood::run(ctx, connections, count, |n| request(n + 1))?);
    Ok(answers)
}

/// RATE-02 over runs of `request`: when a run was too slow to tell, a longer one over more
/// connections, twice.
fn each_takes_one(ctx: &Ctx, request: impl Fn(usize) -> Request + Sync) -> Outcome {
    let (mut count, mut scale) = (RUN, 1);
    loop {
        let answers = run_of(ctx, count, scale, &request)?;
        match takes_one_each(&answers) {
            Err(f) if f.kind == Kind::Inconclusive && scale < 4 => {
                count *= 3;
                scale *= 2;
            }
            outcome => return outcome,
        }
    }
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
    each_takes_one(ctx, |_| me(&user.token))
}

fn rate_03(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let (drained, _) = drain(ctx, &user.token, || Ok(()))?;
    let refused = drained.refusal()?;
    retry_after(&refused.exchange)?;
    let interval = standing(&refused.exchange)?.interval();
    not_overstated(ctx, &user.token, &drained.answers, interval)
}

/// When a request of a drained identity may be served again by every `Retry-After` it was given:
/// the latest promise, plus one allowance for each request that was served after the first
/// refusal was sent (it may have taken the allowance a promise counted on).
fn due(drained: &Drained, refused: &Timed) -> Result<(Instant, u64), Failure> {
    let mut due = refused.received;
    let mut longest = 0;
    for t in drained.answers.iter().filter(|t| !t.served()) {
        let secs = retry_after(&t.exchange)?;
        longest = longest.max(secs);
        due = due.max(t.received + Duration::from_secs(secs));
    }
    let taken = drained
        .answers
        .iter()
        .filter(|t| t.served() && t.received > refused.sent)
        .count() as f64;
    let interval = standing(&refused.exchange)?.interval();
    // A margin for a clock that rounds down.
    let margin = Duration::from_secs_f64(taken * interval) + Duration::from_millis(100);
    Ok((due + margin, longest))
}

fn rate_04(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let (drained, _) = drain(ctx, &user.token, || Ok(()))?;
    let refused = drained.refusal()?;
    let (due, secs) = due(&drained, refused)?;
    if secs > LONGEST_WAIT {
        return Err(Failure::inconclusive(
            "Retry-After is longer than the suite waits",
            format!("Retry-After: {secs}; the suite waits at most {LONGEST_WAIT} s"),
        ));
    }
    if secs > 5 {
        eprintln!("RATE-04: waiting the {secs} s the target's Retry-After asks");
    }
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
    // The other user asks while the spent one's bucket is kept empty, so that a shared bucket
    // cannot have refilled in between.
    let (drained, asked) = drain(ctx, &spent.token, || {
        for _ in 0..5 {
            let exchange = ctx.http.send_once(me(&other.token))?;
            ensure(exchange.status != 429, || {
                exchange.fail(
                    "another user was refused while one user was over the limit",
                    "a request that is not 429",
                    exchange.summary(),
                )
            })?;
            expect::ok_json(&exchange, 200, "GET /users/me as the other user")?;
        }
        Ok(())
    })?;
    drained.refusal()?;
    asked
}

fn rate_06(ctx: &Ctx) -> Outcome {
    // Unauthenticated, so the identity is the address; each request claims another one.
    each_takes_one(ctx, |n| {
        let claimed = format!("198.51.{}.{}", 100 + n / 250, 1 + n % 250);
        Request::get("/users/me")
            .header("X-Forwarded-For", claimed.as_str())
            .header("X-Real-Ip", claimed.as_str())
            .header("Forwarded", format!("for={claimed}"))
    })
    .map_err(|f| {
        let title = format!("with a new X-Forwarded-For on each request, {}", f.title);
        f.retitled(title)
    })
}

fn rate_07(ctx: &Ctx) -> Outcome {
    let user = ctx.user("user")?;
    let general = standing(&ctx.http.send_once(me(&user.token))?)?;
    let wrong = Request::post("/auth/login")
        .json(&json!({"username": user.username, "password": "Wrong-passw0rd1"}));
    let first = timed_once(ctx, wrong.clone())?;
    let login = standing(&first.exchange)?;
    ensure(login.limit < general.limit, || {
        first.exchange.fail(
            "POST /auth/login is limited no more strictly than other requests",
            format!("X-RateLimit-Limit below the general {}", general.limit),
            login.limit.to_string(),
        )
    })?;
    let mut attempts = 1;
    // Bounded: attempts slower than the login bucket refills could otherwise go on for ever.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if Instant::now() > deadline {
            return Err(Failure::inconclusive(
                "failed logins came too slowly to spend the login bucket",
                format!("{attempts} attempts in 60 s, none refused, within what the time earned"),
            ));
        }
        let answer = timed_once(ctx, wrong.clone())?;
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
        // Either ending (a 429, or more attempts than the bucket and the time allow) needs about
        // `limit + earned` attempts. When the pace so far would not send half of them by the
        // deadline, the deadline could only end the check as it ends it here: unable to tell.
        let elapsed = (answer.received - first.sent).as_secs_f64();
        if elapsed >= 5.0 {
            let by_deadline = attempts as f64 / elapsed * 60.0;
            let needed = login.limit as f64 + 60.0 / login.interval();
            if by_deadline < needed / 2.0 {
                return Err(Failure::inconclusive(
                    "failed logins came too slowly to spend the login bucket",
                    format!(
                        "{attempts} attempts in {elapsed:.1} s, none refused: at that pace about \
                         {by_deadline:.0} in 60 s, where spending a Limit of {} takes about \
                         {needed:.0}",
                        login.limit
                    ),
                ));
            }
        }
    }
}
