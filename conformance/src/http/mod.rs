//! The client every check sends through: it counts requests and logins, waits out a `429`, can
//! be stopped at once, and has every response judged against the OpenAPI document.

mod exchange;
pub mod socket;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;

pub use exchange::{Exchange, Request, set_bodies_dir};

use crate::failure::Failure;

/// The longest `Retry-After` the suite waits out before it reports the `429` instead.
const LONGEST_WAIT: Duration = Duration::from_secs(60);
/// How many `429`s in a row one request waits out.
const MOST_WAITS: u32 = 8;

/// The HTTP client of one run: no redirects followed, nothing retried but a `429` (which `send`
/// waits out, so a rate-limited target slows the suite rather than failing it), every request
/// counted. Clones share the connections and the run's counts; `for_check` gives a clone that
/// also counts one check's requests.
#[derive(Clone)]
pub struct Http {
    client: Client,
    /// Connections kept open, for bursts of bodiless requests (draining a rate-limit bucket).
    keep_alive: Client,
    base: String,
    /// Headers every request carries (`--header`).
    extra: Arc<Vec<(String, String)>>,
    counts: Arc<Counts>,
    /// The requests and the logins of the check this clone serves.
    check_sent: Arc<AtomicU64>,
    check_logins: Arc<AtomicU64>,
    /// Whether every response is held to the OpenAPI document (`openapi::judge`).
    judged: bool,
}

/// What every clone of one run's client adds to.
#[derive(Default)]
struct Counts {
    sent: AtomicU64,
    logins: AtomicU64,
    throttled: AtomicU64,
    /// Set once the run is interrupted: every request from then on is refused unsent.
    stopped: AtomicBool,
    /// How many senders are waiting out a `429` now, since when, and the wall time during which
    /// at least one was (so waits on several threads at once count once).
    waiting: Mutex<(usize, Option<Instant>, Duration)>,
}

impl Http {
    pub fn new(base: &str) -> Http {
        Http::with_headers(base, Vec::new())
    }

    /// A client whose every request also carries `headers`.
    pub fn with_headers(base: &str, headers: Vec<(String, String)>) -> Http {
        // Bodies exactly as sent: the checks read Content-Encoding and decode it themselves
        // (HTTP-12), whatever codecs another crate of the build switches on in reqwest.
        let raw = || {
            Client::builder()
                .no_gzip()
                .no_brotli()
                .no_deflate()
                .no_zstd()
        };
        let client = raw()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            // Every request on a connection of its own: a server may close a connection after
            // refusing a body it did not read, and a reused one would then fail a later request
            // that is not at fault.
            .pool_max_idle_per_host(0)
            .build()
            .expect("a plain HTTP client builds");
        let keep_alive = raw()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("a plain HTTP client builds");
        Http {
            client,
            keep_alive,
            base: base.trim_end_matches('/').to_owned(),
            extra: Arc::new(headers),
            counts: Arc::default(),
            check_sent: Arc::default(),
            check_logins: Arc::default(),
            judged: true,
        }
    }

    /// A clone whose responses are taken as they come, for the suite's own steps before and
    /// after the checks (the preflight, the clean-up), which report a target's state rather
    /// than judge it.
    pub fn unjudged(&self) -> Http {
        Http {
            judged: false,
            ..self.clone()
        }
    }

    /// A clone that counts the requests of one check apart.
    pub fn for_check(&self) -> Http {
        Http {
            check_sent: Arc::default(),
            check_logins: Arc::default(),
            ..self.clone()
        }
    }

    /// How many requests this clone's check has sent.
    pub fn check_sent(&self) -> u64 {
        self.check_sent.load(Ordering::Relaxed)
    }

    /// How many logins this clone's check has sent.
    pub fn check_logins(&self) -> u64 {
        self.check_logins.load(Ordering::Relaxed)
    }

    /// How many logins (`POST …/auth/login`) the run has sent.
    pub fn logins(&self) -> u64 {
        self.counts.logins.load(Ordering::Relaxed)
    }

    /// From now on every request fails unsent, so that running checks end quickly.
    pub fn stop(&self) {
        self.counts.stopped.store(true, Ordering::SeqCst);
    }

    pub fn stopped(&self) -> bool {
        self.counts.stopped.load(Ordering::SeqCst)
    }

    /// How many `429`s `send` waited out, and the wall time spent waiting.
    pub fn throttled(&self) -> (u64, Duration) {
        let waiting = self
            .counts
            .waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let ongoing = waiting.1.map(|since| since.elapsed()).unwrap_or_default();
        (
            self.counts.throttled.load(Ordering::Relaxed),
            waiting.2 + ongoing,
        )
    }

    /// Sleeps `wait`, counted as wall time spent waiting out `429`s.
    fn wait_out(&self, wait: Duration) {
        {
            let mut w = self
                .counts
                .waiting
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if w.0 == 0 {
                w.1 = Some(Instant::now());
            }
            w.0 += 1;
        }
        std::thread::sleep(wait);
        let mut w = self
            .counts
            .waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        w.0 -= 1;
        if w.0 == 0
            && let Some(since) = w.1.take()
        {
            w.2 += since.elapsed();
        }
    }

    /// Sends a request, waiting out a `429` as its `Retry-After` says (up to a minute, eight
    /// times); the `429` itself is returned past that.
    pub fn send(&self, request: Request) -> Result<Exchange, Failure> {
        let mut waits = 0;
        loop {
            let exchange = self.send_once(request.clone())?;
            let wait = match exchange.header("retry-after").map(str::trim) {
                _ if exchange.status != 429 || waits == MOST_WAITS => return Ok(exchange),
                Some(secs) => match secs.parse::<u64>() {
                    Ok(secs) if secs <= LONGEST_WAIT.as_secs() => Duration::from_secs(secs),
                    _ => return Ok(exchange),
                },
                None => Duration::from_secs(1),
            };
            waits += 1;
            self.counts.throttled.fetch_add(1, Ordering::Relaxed);
            // A little past the promise: a second rounded down must not land a request early.
            self.wait_out(wait + Duration::from_millis(50));
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// How many requests the run has sent.
    pub fn sent(&self) -> u64 {
        self.counts.sent.load(Ordering::Relaxed)
    }

    /// Sends a request once and returns whatever came back, a `429` included.
    pub fn send_once(&self, request: Request) -> Result<Exchange, Failure> {
        self.send_on(false, request)
    }

    /// `send_once` on a kept-alive connection: for requests without a body only.
    pub fn send_kept_alive(&self, request: Request) -> Result<Exchange, Failure> {
        debug_assert!(request.body.is_none());
        self.send_on(true, request)
    }

    /// Sends `request` on a connection of its own, or on a kept-alive one.
    fn send_on(&self, kept_alive: bool, request: Request) -> Result<Exchange, Failure> {
        let client = if kept_alive {
            &self.keep_alive
        } else {
            &self.client
        };
        // An absolute URL (a `Location` to follow) is sent as it is.
        let url = if request.path.starts_with("http://") || request.path.starts_with("https://") {
            request.path.clone()
        } else {
            format!("{}{}", self.base, request.path)
        };
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|e| {
            Failure::new("the request could not be built", "a method", e.to_string())
        })?;
        if self.stopped() {
            return Err(Failure::new(
                format!("{} {url} was not sent", request.method),
                "",
                "the run was stopped (interrupted, or --exitfirst after a failure)",
            )
            .blocked("the run was stopped"));
        }
        let mut builder = client.request(method, &url);
        // Recorded with the request, so that its curl command sends them too.
        let mut request = request;
        request.headers.splice(0..0, self.extra.iter().cloned());
        for (name, value) in &request.headers {
            // As bytes, so that a check can send obs-text (non-ASCII) where it tests a refusal.
            let value =
                reqwest::header::HeaderValue::from_bytes(value.as_bytes()).map_err(|e| {
                    Failure::new(
                        "the request could not be built",
                        "a header value",
                        e.to_string(),
                    )
                })?;
            builder = builder.header(name.as_str(), value);
        }
        match &request.body {
            // A reader's length is unknown to reqwest, so it sends the body chunked.
            Some(body) if request.chunked => {
                let reader = std::io::Cursor::new(body.clone());
                builder = builder.body(reqwest::blocking::Body::new(reader));
            }
            Some(body) => builder = builder.body(body.clone()),
            None => {}
        }
        self.counts.sent.fetch_add(1, Ordering::Relaxed);
        self.check_sent.fetch_add(1, Ordering::Relaxed);
        if request.method == "POST" && request.path.ends_with("/auth/login") {
            self.counts.logins.fetch_add(1, Ordering::Relaxed);
            self.check_logins.fetch_add(1, Ordering::Relaxed);
        }
        let unanswered = |e: reqwest::Error| {
            Failure::new(
                format!("{} {url} got no response", request.method),
                "an HTTP response",
                format!("{e} ({e:?})"),
            )
        };
        // A kept-alive connection that the target closed as it was reused (its idle timeout
        // racing the request, a round trip wider over a network) fails the request before any
        // answer: a request that changes nothing is sent again, as clients do (RFC 9110 §9.2.2).
        let safe = ["GET", "HEAD", "OPTIONS"].contains(&request.method.as_str());
        let again = (kept_alive && safe).then(|| builder.try_clone()).flatten();
        let response = match (builder.send(), again) {
            (Err(e), Some(again)) if e.is_request() && !e.is_timeout() => {
                self.counts.sent.fetch_add(1, Ordering::Relaxed);
                again.send()
            }
            (sent, _) => sent,
        }
        .map_err(unanswered)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response.bytes().map_err(unanswered)?.to_vec();
        let exchange = Exchange {
            url,
            request,
            status,
            headers,
            body,
        };
        if self.judged {
            crate::openapi::judge(&self.base, &exchange).map_err(Failure::undocumented)?;
        }
        Ok(exchange)
    }
}
