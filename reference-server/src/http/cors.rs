//! Cross-origin resource sharing (HTTP-10, the Fetch standard's CORS protocol): only configured
//! origins are granted access, each by name. The API authenticates with bearer tokens, not
//! cookies, so it never asks browsers to send credentials.

use http::{HeaderMap, HeaderValue, Method, header};

use crate::response::Reply;
use crate::violations::Violations;

/// Request headers a browser may send cross-origin beyond the CORS-safelisted ones.
const ALLOW_HEADERS: &str =
    "authorization, content-type, if-match, if-none-match, idempotency-key, x-request-id";
/// Response headers scripts of another origin may read.
const EXPOSE_HEADERS: &str = "etag, last-modified, link, location, retry-after, x-request-id, \
     x-total-count, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, ratelimit, \
     ratelimit-policy";
/// How long a browser may cache a preflight's answer, in seconds.
const MAX_AGE: &str = "600";

#[derive(Clone, Debug, Default)]
pub struct Cors {
    origins: Vec<String>,
}

impl Cors {
    /// Origins as `scheme://host[:port]`; `*` grants every origin (without credentials).
    pub fn new(origins: &[String]) -> Cors {
        Cors {
            origins: origins
                .iter()
                .map(|o| o.trim().trim_end_matches('/').to_ascii_lowercase())
                .filter(|o| !o.is_empty())
                .collect(),
        }
    }

    /// The `Access-Control-Allow-Origin` value for a request from `origin`, if it is allowed.
    fn grant(&self, origin: &str, v: &Violations) -> Option<HeaderValue> {
        if v.breaks("HTTP-10") {
            // The misconfiguration CORS exists to prevent: every origin reflected, with
            // credentials.
            return HeaderValue::from_str(origin).ok();
        }
        if self.origins.iter().any(|o| o == "*") {
            return Some(HeaderValue::from_static("*"));
        }
        let wanted = origin.to_ascii_lowercase();
        // Origins are the same when their serialisations are (ASCII case aside: browsers send
        // them lowercase).
        self.origins
            .iter()
            .any(|o| *o == wanted || loosely(o, &wanted, v))
            .then(|| HeaderValue::from_str(origin).ok())
            .flatten()
    }

    /// Adds the CORS fields to a response; `allow` is the path's `Allow`, which answers a
    /// preflight's method question.
    pub fn apply(&self, method: &Method, request: &HeaderMap, reply: &mut Reply, v: &Violations) {
        if self.origins.is_empty() && !v.breaks("HTTP-10") {
            return;
        }
        let headers = reply.headers_mut();
        // The answer depends on Origin whenever origins are configured, so caches must key on it.
        super::vary(headers, "origin");
        let Some(origin) = request.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
            return;
        };
        let Some(granted) = self.grant(origin, v) else {
            return;
        };
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, granted);
        if v.breaks("HTTP-10") {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        let preflight = method == Method::OPTIONS
            && request.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        if !preflight {
            headers.insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static(EXPOSE_HEADERS),
            );
            return;
        }
        if let Some(allow) = headers.get(header::ALLOW).cloned() {
            headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, allow);
        }
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOW_HEADERS),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(MAX_AGE),
        );
    }
}

/// The origin comparisons real CORS policies get wrong, each a named bug (`--violate NAME`):
/// whether `origin` passes for the `allowed` one under them.
fn loosely(allowed: &str, origin: &str, v: &Violations) -> bool {
    let host = |o: &str| o.split_once("://").map_or(o, |(_, h)| h).to_owned();
    let without_port = |o: &str| match o.rsplit_once(':') {
        Some((rest, port)) if port.chars().all(|c| c.is_ascii_digit()) => rest.to_owned(),
        _ => o.to_owned(),
    };
    (v.breaks("cors-prefix-match") && origin.starts_with(allowed))
        || (v.breaks("cors-suffix-match") && origin.ends_with(&host(allowed)))
        || (v.breaks("cors-unescaped-pattern")
            && origin.len() == allowed.len()
            && allowed
                .chars()
                .zip(origin.chars())
                .all(|(a, o)| a == '.' || a == o))
        || (v.breaks("cors-host-only") && host(origin) == host(allowed))
        || (v.breaks("cors-ignores-port") && without_port(origin) == without_port(allowed))
}
