//! What the rate-limit headers of one response say (RATE-01), and requests timed on the wire.

use std::time::Instant;

use crate::failure::{Failure, ensure};
use crate::http::{Exchange, Request};

/// What one response says about its identity's bucket.
#[derive(Clone, Debug)]
pub struct Standing {
    pub limit: u64,
    pub remaining: u64,
    /// Seconds until the bucket is full again, when the response says (`X-RateLimit-Reset`).
    pub reset: Option<u64>,
    /// Seconds a window lasts (`w` of `RateLimit-Policy`; 60 when a target does not say).
    pub window: f64,
}

impl Standing {
    /// Seconds one request's allowance takes to come back at the rate the standing states.
    pub fn interval(&self) -> f64 {
        self.window / self.limit as f64
    }

    /// Requests per second the bucket refills at.
    pub fn rate(&self) -> f64 {
        self.limit as f64 / self.window
    }

    /// The most requests the bucket can serve over `elapsed` seconds after this answer, beyond
    /// its `remaining` (CONTRACT §6): one per `w ÷ Limit` seconds, or back to `Limit` once `Reset`
    /// may have passed (a `Reset` rounded up passes up to a second early).
    pub fn earns(&self, elapsed: f64) -> u64 {
        let by_rate = (elapsed / self.interval()).floor() as u64 + 1;
        let reset = self.reset.map_or(self.window, |r| r as f64);
        if elapsed + 1.0 > reset {
            by_rate.max(self.limit)
        } else {
            by_rate
        }
    }
}

/// A request sent and when: a bucket's decision falls between `sent` and `received`.
#[derive(Clone, Debug)]
pub struct Timed {
    pub exchange: Exchange,
    pub sent: Instant,
    pub received: Instant,
}

impl Timed {
    pub fn served(&self) -> bool {
        self.exchange.status != 429
    }

    /// Whether this request was decided after `other` was: it was sent once `other` had come
    /// back.
    pub fn after(&self, other: &Timed) -> bool {
        self.sent >= other.received
    }
}

/// `GET /users/me` as the holder of `token`: the cheapest request of one identity.
pub fn me(token: &str) -> Request {
    Request::get("/users/me").bearer(token)
}

pub fn integer(exchange: &Exchange, name: &str) -> Result<u64, Failure> {
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
pub fn standing(exchange: &Exchange) -> Result<Standing, Failure> {
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
    let reset = exchange
        .header("X-RateLimit-Reset")
        .and_then(|r| r.trim().parse().ok());
    Ok(Standing {
        limit,
        remaining,
        reset,
        window: window as f64,
    })
}

/// RATE-01 in full: both header forms, well-formed and agreeing.
pub fn full_standing(exchange: &Exchange) -> Result<Standing, Failure> {
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
