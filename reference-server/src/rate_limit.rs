//! Rate limits per client identity (RATE-*): GCRA buckets from `governor`, one per authenticated
//! user or client address, and a stricter one per client and account for logins.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use http::{HeaderMap, HeaderName, HeaderValue, header};

use crate::auth::Principal;
use crate::violations::Violations;

/// Every limit is expressed per minute; `X-RateLimit-Reset` counts down within it.
const WINDOW: Duration = Duration::from_secs(60);

/// Whose bucket a request draws from.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Identity {
    User(u64),
    /// An API key, whatever user it acts for (KEY-05).
    Key(u64),
    Client(IpAddr),
    /// A login attempt for one account (lowercased) from one client.
    Login(IpAddr, String),
}

/// What one decision leaves the caller with, as the response headers tell it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    pub policy: &'static str,
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the bucket is full again.
    pub reset: u64,
    /// Seconds until a request may succeed, when this one was refused.
    pub retry_after: Option<u64>,
}

type Keyed = RateLimiter<
    Identity,
    DefaultKeyedStateStore<Identity>,
    DefaultClock,
    StateInformationMiddleware,
>;

/// One named limit of `limit` requests per minute.
pub struct Limiter {
    policy: &'static str,
    limit: u32,
    /// The nominal time one request's allowance takes to come back.
    interval: Duration,
    /// RATE-04 broken: `Retry-After` promises the nominal interval, not the real wait.
    understates_wait: bool,
    buckets: Keyed,
    v: Violations,
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_nanos().div_ceil(1_000_000_000) as u64
}

impl Limiter {
    /// `None` when `limit` is 0: that limit is off.
    pub fn per_minute(policy: &'static str, limit: u32, v: &Violations) -> Option<Limiter> {
        let burst = NonZeroU32::new(limit)?;
        let interval = WINDOW / limit;
        // RATE-04 broken: allowances come back 600 times slower than Retry-After promises.
        let understates_wait = v.breaks("RATE-04");
        let actual = if understates_wait {
            interval * 600
        } else {
            interval
        };
        let quota = Quota::with_period(actual)?.allow_burst(burst);
        Some(Limiter {
            policy,
            limit,
            interval,
            understates_wait,
            buckets: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            v: v.clone(),
        })
    }

    /// Takes one request from `who`'s bucket: `Ok` when it may proceed, `Err` when it is refused.
    pub fn check(&self, who: &Identity) -> Result<Standing, Standing> {
        match self.buckets.check_key(who) {
            Ok(state) => {
                let remaining = state.remaining_burst_capacity().min(self.limit);
                Ok(Standing {
                    policy: self.policy,
                    limit: self.limit,
                    remaining,
                    reset: ceil_secs(self.interval * (self.limit - remaining)),
                    retry_after: None,
                })
            }
            Err(refused) => {
                let mut wait = refused.wait_time_from(self.buckets.clock().now());
                if self.understates_wait {
                    wait = wait.min(self.interval);
                }
                Err(Standing {
                    policy: self.policy,
                    limit: self.limit,
                    remaining: 0,
                    reset: ceil_secs(wait + self.interval * (self.limit - 1)),
                    retry_after: Some(self.retry_after(wait)),
                })
            }
        }
    }

    /// `Retry-After` for a refusal whose next allowance comes back after `wait`: in whole
    /// seconds, rounded up, at least 1 (RATE-03).
    fn retry_after(&self, wait: Duration) -> u64 {
        let v = &self.v;
        if v.breaks("retry-after-from-window") {
            // The policy's window, as if the whole window had to pass.
            WINDOW.as_secs()
        } else if v.breaks("retry-after-in-milliseconds") {
            (wait.as_millis() as u64).max(1)
        } else if v.breaks("retry-after-lockout") {
            // A lockout that is announced but not enforced.
            3600
        } else {
            ceil_secs(wait).max(1)
        }
    }

    /// Drops buckets that are full again, so memory follows the clients of the last minute.
    pub fn forget_idle(&self) {
        self.buckets.retain_recent();
        self.buckets.shrink_to_fit();
    }
}

/// The limits of one server.
pub struct Limits {
    pub general: Option<Limiter>,
    pub login: Option<Limiter>,
    trusted_proxies: Vec<IpAddr>,
    v: Violations,
}

impl Limits {
    pub fn new(general: u32, login: u32, trusted_proxies: Vec<IpAddr>, v: Violations) -> Limits {
        Limits {
            general: Limiter::per_minute("general", general, &v),
            // RATE-07 broken: logins are limited only like everything else.
            login: if v.breaks("RATE-07") {
                None
            } else {
                Limiter::per_minute("login", login, &v)
            },
            trusted_proxies,
            v,
        }
    }

    /// The client's address: the socket peer, unless the peer is a trusted proxy, in which case
    /// the nearest address in `X-Forwarded-For` that is not itself a trusted proxy.
    pub fn client(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> IpAddr {
        let peer = peer.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
        let forwarded = || {
            headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<IpAddr>().ok())
                .collect::<Vec<_>>()
        };
        // RATE-06 broken: anyone may say who they are.
        if self.v.breaks("RATE-06") {
            return forwarded().first().copied().unwrap_or(peer);
        }
        if !self.trusted_proxies.contains(&peer) {
            return peer;
        }
        forwarded()
            .into_iter()
            .rev()
            .find(|a| !self.trusted_proxies.contains(a))
            .unwrap_or(peer)
    }

    /// The identity a request is limited as: its user when the token verifies, else its client.
    pub fn identity(&self, principal: Option<Principal>, client: IpAddr) -> Identity {
        match principal {
            // RATE-05 broken: every user behind one address shares its bucket.
            _ if self.v.breaks("RATE-05") => Identity::Client(client),
            // KEY-05 broken: a key spends its creator's bucket.
            Some(Principal {
                key: Some(grant), ..
            }) if !self.v.breaks("KEY-05") => Identity::Key(grant.key),
            Some(principal) => Identity::User(principal.user),
            None => Identity::Client(client),
        }
    }

    pub fn forget_idle(&self) {
        for limiter in [&self.general, &self.login].into_iter().flatten() {
            limiter.forget_idle();
        }
    }
}

static X_LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
static X_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
static X_RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");
static POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
static RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");

impl Standing {
    /// Writes the standing as `X-RateLimit-*` and the IETF `RateLimit-Policy`/`RateLimit` fields;
    /// a header already there (set by a stricter limit) is kept.
    pub fn write(&self, headers: &mut HeaderMap, v: &Violations) {
        let remaining = if v.breaks("RATE-02") {
            self.limit - 1
        } else {
            self.remaining
        };
        let mut put = |name: &HeaderName, value: String| {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.entry(name).or_insert(value);
            }
        };
        put(&X_LIMIT, self.limit.to_string());
        put(&X_REMAINING, remaining.to_string());
        if !v.breaks("RATE-01") {
            put(&X_RESET, self.reset.to_string());
        }
        put(
            &POLICY,
            format!(
                "\"{}\";q={};w={}",
                self.policy,
                self.limit,
                WINDOW.as_secs()
            ),
        );
        put(
            &RATELIMIT,
            format!("\"{}\";r={remaining};t={}", self.policy, self.reset),
        );
        if let Some(after) = self.retry_after {
            put(&header::RETRY_AFTER, after.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(trusted: &[&str]) -> Limits {
        let trusted = trusted.iter().map(|a| a.parse().unwrap()).collect();
        Limits::new(3, 2, trusted, Violations::default())
    }

    fn peer(a: &str) -> Option<SocketAddr> {
        Some(SocketAddr::new(a.parse().unwrap(), 40000))
    }

    fn forwarded(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn remaining_counts_down_to_a_refusal_with_retry_after() {
        let general = limits(&[]).general.unwrap();
        let who = Identity::User(7);

        let seen: Vec<_> = (0..3)
            .map(|_| general.check(&who).unwrap().remaining)
            .collect();
        let refused = general.check(&who).unwrap_err();

        assert_eq!(seen, [2, 1, 0]);
        assert_eq!(refused.remaining, 0);
        assert!(refused.retry_after.unwrap() >= 1);
        assert!(refused.reset >= refused.retry_after.unwrap());
    }

    #[test]
    fn identities_have_buckets_of_their_own() {
        let login = limits(&[]).login.unwrap();
        let local = IpAddr::from([127, 0, 0, 1]);
        let alice = Identity::Login(local, "alice".into());

        login.check(&alice).unwrap();
        login.check(&alice).unwrap();

        assert!(login.check(&alice).is_err());
        assert!(login.check(&Identity::Login(local, "bob".into())).is_ok());
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_proxy() {
        let spoofed = forwarded("203.0.113.9");

        assert_eq!(
            limits(&[]).client(peer("198.51.100.1"), &spoofed),
            "198.51.100.1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            limits(&["10.0.0.2"]).client(peer("10.0.0.2"), &forwarded("1.2.3.4, 203.0.113.9")),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn a_limit_of_zero_is_off() {
        assert!(
            Limits::new(0, 0, vec![], Violations::default())
                .general
                .is_none()
        );
    }

    #[test]
    fn headers_agree_with_each_other() {
        let standing = Standing {
            policy: "general",
            limit: 100,
            remaining: 42,
            reset: 35,
            retry_after: None,
        };
        let mut h = HeaderMap::new();

        standing.write(&mut h, &Violations::default());

        assert_eq!(h["x-ratelimit-remaining"], "42");
        assert_eq!(h["ratelimit-policy"], "\"general\";q=100;w=60");
        assert_eq!(h["ratelimit"], "\"general\";r=42;t=35");
        assert!(h.get("retry-after").is_none());
    }
}
