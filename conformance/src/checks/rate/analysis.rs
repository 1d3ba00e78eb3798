//! RATE-02 read off answers sent over several connections at once: between two answers of which
//! one was sent after the other came back, `Remaining` falls by one for each request decided in
//! between, less what the time between them earns.

use super::standing::{Standing, Timed, standing};
use crate::checks::Outcome;
use crate::failure::Failure;

/// The clause sentence RATE-02 enforces.
pub const HINT: &str = "RATE-02: \"a response's Remaining is at most that of a response it follows less one for itself and one for each request decided between them, plus what the time between them earns\"";

/// Checks that the served `answers` of one identity each took one from `Remaining`; when a
/// server whose `Remaining` never moved would have passed too, the answers could not tell.
pub fn takes_one_each(answers: &[Timed]) -> Outcome {
    let seen: Vec<(Standing, &Timed)> = answers
        .iter()
        .filter(|t| t.served())
        .map(|t| standing(&t.exchange).map(|s| (s, t)))
        .collect::<Result<_, _>>()?;
    if let Some(f) = kept_too_much(&seen, |s| s.remaining) {
        return Err(f.with_hint(HINT));
    }
    if kept_too_much(&seen, |s| s.limit - 1).is_none() {
        let span = span(&seen);
        return Err(Failure::inconclusive(
            "the requests came too slowly to tell whether each takes one",
            format!(
                "{} answers in {span:.2} s: one that never moved from Limit − 1 would have passed too",
                seen.len()
            ),
        ));
    }
    Ok(())
}

fn span(seen: &[(Standing, &Timed)]) -> f64 {
    let first = seen.iter().map(|(_, t)| t.sent).min();
    let last = seen.iter().map(|(_, t)| t.received).max();
    match (first, last) {
        (Some(f), Some(l)) => (l - f).as_secs_f64(),
        _ => 0.0,
    }
}

/// The breach of RATE-02 among `seen`, reading each answer's `Remaining` with `remaining`.
///
/// A pair of answers `a`, `b` (b sent after a came back) keeps too much when `b` reports more
/// than `a` less every request decided between them, plus one request per `w ÷ Limit` seconds
/// from `a`'s sending to `b`'s arrival. A fixed window refills once at its end, so pairs that all
/// span a few points in time (one per window the answers cover) are that refill.
fn kept_too_much(
    seen: &[(Standing, &Timed)],
    remaining: impl Fn(&Standing) -> u64,
) -> Option<Failure> {
    let mut spans = Vec::new();
    let mut first = None;
    for (a, ta) in seen {
        // When each answer sent after `a` came back arrived, in order: those that arrived before
        // `b` was sent were decided between the two.
        let mut arrivals: Vec<_> = seen
            .iter()
            .filter(|(_, c)| c.after(ta))
            .map(|(_, c)| c.received)
            .collect();
        arrivals.sort();
        for (b, tb) in seen {
            if !tb.after(ta) {
                continue;
            }
            let between = arrivals.partition_point(|&r| r <= tb.sent) as i64;
            let elapsed = (tb.received - ta.sent).as_secs_f64();
            let earned = (elapsed / a.interval()).floor() as i64 + 1;
            let most = remaining(a) as i64 - (between + 1) + earned;
            if remaining(b) as i64 > most {
                spans.push((ta.sent, tb.received));
                first.get_or_insert((remaining(a), remaining(b), between + 1, most, a, *tb));
            }
        }
    }
    let (from, to, taken, most, a, tb) = first?;
    // The fewest points in time that every pair spans (greedily, by the earliest end).
    spans.sort_by_key(|&(_, end)| end);
    let mut points = 0;
    let mut last = None;
    for (start, end) in spans {
        if last.is_none_or(|p| start > p) {
            points += 1;
            last = Some(end);
        }
    }
    let windows = (span(seen) / a.window).floor() as usize + 1;
    if points <= windows {
        return None;
    }
    Some(tb.exchange.fail(
        format!("X-RateLimit-Remaining went from {from} to {to} over {taken} requests"),
        format!(
            "at most {most}: one less per request, plus one per {:.3} s",
            a.interval()
        ),
        to.to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::failure::Kind;
    use crate::http::{Exchange, Request};

    /// An answer of a limit of 100 per 60 s, sent and received at these milliseconds after `at`.
    fn answer(at: Instant, sent: u64, received: u64, remaining: u64) -> Timed {
        let headers = [
            ("x-ratelimit-limit", "100".to_owned()),
            ("x-ratelimit-remaining", remaining.to_string()),
            ("ratelimit-policy", "\"general\";q=100;w=60".to_owned()),
        ];
        Timed {
            exchange: Exchange {
                url: "http://target/api/v1/users/me".into(),
                request: Request::get("/users/me"),
                status: 200,
                headers: headers.map(|(n, v)| (n.to_owned(), v)).to_vec(),
                body: Vec::new(),
            },
            sent: at + Duration::from_millis(sent),
            received: at + Duration::from_millis(received),
        }
    }

    /// One after another, 10 ms apart, each taking 5 ms.
    fn sequential(remaining: &[u64]) -> Vec<Timed> {
        let at = Instant::now();
        (0..remaining.len() as u64)
            .map(|n| answer(at, n * 10, n * 10 + 5, remaining[n as usize]))
            .collect()
    }

    #[test]
    fn a_fixed_window_that_refills_at_its_end_passes() {
        let mut remaining: Vec<u64> = (0..20).rev().collect();
        remaining.extend((80..100).rev());

        assert!(takes_one_each(&sequential(&remaining)).is_ok());
    }

    #[test]
    fn a_remaining_that_never_moves_is_a_breach() {
        let outcome = takes_one_each(&sequential(&[99; 40]));

        assert_eq!(outcome.unwrap_err().kind, Kind::Violation);
    }

    #[test]
    fn answers_slower_than_the_refill_cannot_tell() {
        let at = Instant::now();
        let slow: Vec<Timed> = (0..10)
            .map(|n| answer(at, n * 1000, n * 1000 + 5, 99))
            .collect();

        assert_eq!(takes_one_each(&slow).unwrap_err().kind, Kind::Inconclusive);
    }

    #[test]
    fn overlapping_answers_in_any_order_pass() {
        let at = Instant::now();
        // Four connections: requests overlap, and their Remaining arrive out of order.
        let answers: Vec<Timed> = (0..40u64)
            .map(|n| {
                let wave = n / 4;
                let remaining = 99 - (wave * 4 + (3 - n % 4));
                answer(at, wave * 10, wave * 10 + 8, remaining)
            })
            .collect();

        assert!(takes_one_each(&answers).is_ok());
    }
}
