//! `Retry-After` of a `429` (RATE-03): present, whole seconds, at least 1, and no longer than it
//! takes until the identity is served again.

use std::time::{Duration, Instant};

use super::flood::timed;
use super::standing::{Timed, integer, me, standing};
use crate::checks::Outcome;
use crate::context::Ctx;
use crate::expect;
use crate::failure::{Failure, ensure};

/// The clause sentence of RATE-03 that bounds `Retry-After` from above.
pub const HINT: &str = "RATE-03: \"Retry-After is at most the seconds until the identity's next request would be served, rounded up, plus 1 (for a limiter that refills continuously about w ÷ Limit seconds; at a window boundary the time until it), and never more than Reset plus 2\"";

/// The longest `Retry-After` the checks wait out or probe.
pub const LONGEST_WAIT: u64 = 120;

/// RATE-03's requirements of a `429` that its headers alone show: a problem, the standing, and
/// `Retry-After` of at least 1 and at most `Reset` + 2.
pub fn retry_after(exchange: &crate::http::Exchange) -> Result<u64, Failure> {
    expect::problem(exchange, 429, "a request over the limit")?;
    let s = standing(exchange)?;
    let secs = integer(exchange, "Retry-After")?;
    ensure(secs >= 1, || {
        exchange.fail("Retry-After is 0", "Retry-After of at least 1 second", "0")
    })?;
    if let Some(reset) = s.reset {
        ensure(secs <= reset + 2, || {
            exchange
                .fail(
                    format!(
                        "Retry-After is {secs} s, but X-RateLimit-Reset says the bucket is full in {reset} s"
                    ),
                    format!("Retry-After of at most {}", reset + 2),
                    format!("Retry-After: {secs}"),
                )
                .with_hint(HINT)
        })?;
    }
    Ok(secs)
}

/// RATE-03's bound on `Retry-After` from what happens next: a request served `t` seconds after a
/// refusal was sent shows that refusal's `Retry-After` may be at most `⌈t⌉ + 1`. Every refusal
/// among `seen` counts, and the answers after it; then `token` sends one request per `interval`
/// seconds until one is served, or until no answer could show a bound broken.
pub fn not_overstated(ctx: &Ctx, token: &str, seen: &[Timed], interval: f64) -> Outcome {
    let mut refusals: Vec<(Timed, u64)> = Vec::new();
    for t in seen.iter().filter(|t| !t.served()) {
        refusals.push((t.clone(), retry_after(&t.exchange)?));
    }
    let overstated = |refusals: &[(Timed, u64)], t: &Timed| {
        for (refused, secs) in refusals.iter().filter(|(r, _)| t.served() && t.after(r)) {
            let after = (t.received - refused.sent).as_secs_f64();
            let most = after.ceil() as u64 + 1;
            ensure(*secs <= most, || {
                refused
                    .exchange
                    .fail(
                        format!(
                            "Retry-After is {secs} s, but a request sent after this 429 was served {after:.2} s after it"
                        ),
                        format!("Retry-After of at most {most}"),
                        format!("Retry-After: {secs}; then {}", t.exchange.summary()),
                    )
                    .with_hint(HINT)
            })?;
        }
        Ok(())
    };
    for t in seen {
        overstated(&refusals, t)?;
    }
    // Past this no answer could show the drain's bounds broken: any served answer comes back
    // after a refusal was sent, so ⌈t⌉ + 1 ≥ 2, and once t ≥ Retry-After − 1 the bound holds.
    // The probes' own refusals do not extend it, so a limiter that counts them cannot either.
    let give_up = refusals
        .iter()
        .map(|(r, secs)| r.sent + Duration::from_secs(secs.saturating_sub(1).min(LONGEST_WAIT)))
        .max();
    let period = Duration::from_secs_f64(interval.clamp(0.02, 1.0));
    while give_up.is_some_and(|g| Instant::now() < g) {
        let t = timed(ctx, me(token))?;
        if t.served() {
            return overstated(&refusals, &t);
        }
        let secs = retry_after(&t.exchange)?;
        refusals.push((t, secs));
        std::thread::sleep(period);
    }
    Ok(())
}
