//! Validators and conditional requests (RFC 9110 §8.8, §13): a strong `ETag` on every successful
//! GET, `If-None-Match` answered `304` (HTTP-02), `If-Match` checked against the current record
//! before a write (HTTP-03).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use sha2::{Digest, Sha256};

use crate::response::Reply;
use crate::violations::Violations;

/// A strong entity tag of a representation: a digest of its bytes, so it changes exactly when
/// the representation does (HTTP-01).
pub fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("\"{}\"", hex::encode(&digest[..12]))
}

/// The tag a representation is known by in a precondition. Compressed variants carry a suffix
/// of their coding (`"…-gzip"`, as RFC 9110 §8.8.3 wants a distinct strong tag per coding), and a
/// client may send any variant back.
fn opaque(tag: &str) -> &str {
    let tag = tag.trim();
    let tag = tag.strip_prefix("W/").unwrap_or(tag);
    let inner = tag.trim_matches('"');
    inner
        .strip_suffix("-gzip")
        .or_else(|| inner.strip_suffix("-br"))
        .unwrap_or(inner)
}

/// Whether a list of entity tags names `current`; `*` names any. `If-None-Match` compares
/// weakly, `If-Match` strongly: a weak tag never satisfies it (RFC 9110 §8.8.3.2).
fn lists(field: &str, current: &str, strong: bool) -> bool {
    let current = opaque(current);
    field.split(',').map(str::trim).any(|t| {
        let refused = t.is_empty() || (strong && t.starts_with("W/"));
        t == "*" || (!refused && opaque(t) == current)
    })
}

/// The tag of a user's full representation, as `GET /users/{id}` would answer it.
pub fn tag_of(view: &impl serde::Serialize) -> String {
    etag(&serde_json::to_vec(view).unwrap_or_default())
}

/// The `If-Match` of a write: what the current representation's tag must be.
#[derive(Clone, Debug, Default)]
pub struct Precondition {
    field: Option<String>,
    /// Whether `holds` has been asked yet: only the realistic bug that checks `If-Match` in the
    /// write alone, after the body, reads it.
    asked: Arc<AtomicBool>,
}

impl Precondition {
    pub fn of(headers: &HeaderMap) -> Precondition {
        Precondition {
            field: headers
                .get(header::IF_MATCH)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
            asked: Arc::default(),
        }
    }

    /// Whether a write may proceed on the representation whose tag is `current()` (computed
    /// only when there is a precondition). Asked before the body is read and again inside the
    /// write (CONTRACT §1: 412 before 415, 413, 400 and 422).
    pub fn holds(&self, current: impl FnOnce() -> String, v: &Violations) -> bool {
        let first = !self.asked.swap(true, Ordering::Relaxed);
        let late = v.breaks("GEN-12") || v.breaks("if-match-after-validation");
        match &self.field {
            None => true,
            Some(_) if v.breaks("HTTP-03") => true,
            Some(_) if first && late => true,
            Some(field) => lists(field, &current(), !v.breaks("if-match-weak")),
        }
    }
}

/// Tags a successful GET or HEAD and answers `304 Not Modified` when the client's
/// `If-None-Match` already names the tag.
pub fn revalidate(method: &Method, request: &HeaderMap, reply: &mut Reply, v: &Violations) {
    if (method != Method::GET && method != Method::HEAD) || reply.status() != StatusCode::OK {
        return;
    }
    if v.breaks("HTTP-01") {
        return;
    }
    // A tag set before this layer is kept: the only ones are the breaches' (`http::breaches`).
    let kept = reply
        .headers()
        .get(header::ETAG)
        .and_then(|t| t.to_str().ok());
    let tag = match kept.map(str::to_owned) {
        Some(tag) => tag,
        None => shipped_tag(reply, v).unwrap_or_else(|| etag(reply.body())),
    };
    let Ok(value) = HeaderValue::from_str(&tag) else {
        return;
    };
    reply.headers_mut().insert(header::ETAG, value);
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|field| lists(field, &tag, false));
    let collection = reply.body().starts_with(b"{\"items\"");
    let skipped = collection && v.breaks("page-ignores-if-none-match");
    if fresh && !v.breaks("HTTP-02") && !skipped {
        *reply.status_mut() = StatusCode::NOT_MODIFIED;
        *reply.body_mut() = Vec::new().into();
        // A 304 carries the validators and caching fields of the 200 it stands for, not the
        // description of a body it does not have (RFC 9110 §15.4.5).
        reply.headers_mut().remove(header::CONTENT_TYPE);
        reply.headers_mut().remove(header::CONTENT_LENGTH);
    }
}

/// Tags as implementations have been seen to make them, each a realistic bug by its name: from
/// `Last-Modified` and the size, as static file servers do (two changes of one size within a
/// second share a tag); for a page, from the collection's `Last-Modified` alone (a change to a
/// user on no page moves every page's tag); or with the time of the response in it.
fn shipped_tag(reply: &Reply, v: &Violations) -> Option<String> {
    let modified = || {
        reply
            .headers()
            .get(header::LAST_MODIFIED)
            .map(|m| m.as_bytes().to_vec())
            .unwrap_or_default()
    };
    if v.breaks("etag-of-mtime-and-size") {
        let secs = httpdate::parse_http_date(&String::from_utf8_lossy(&modified()))
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_secs();
        return Some(format!("\"{secs:x}-{:x}\"", reply.body().len()));
    }
    let collection = reply.body().starts_with(b"{\"items\"");
    if collection && v.breaks("page-etag-from-collection-time") {
        return Some(etag(&modified()));
    }
    if v.breaks("etag-from-clock") {
        let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
        return Some(etag(&[reply.body().as_ref(), &now.to_be_bytes()].concat()));
    }
    None
}

/// The HTTP-date of a timestamp, for `Last-Modified`.
pub fn http_date(at: time::OffsetDateTime) -> HeaderValue {
    let system = std::time::SystemTime::from(at);
    HeaderValue::from_str(&httpdate::fmt_http_date(system)).expect("an HTTP-date is a valid header")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_list_matches_any_coding_variant_and_star() {
        let tag = etag(b"{}");
        let gz = format!("{}-gzip\"", tag.trim_end_matches('"'));
        assert!(lists(&tag, &tag, true));
        assert!(lists(&format!("\"x\", {gz}"), &tag, true));
        assert!(lists("*", &tag, true));
        assert!(lists(&format!("W/{tag}"), &tag, false));
        assert!(!lists(&format!("W/{tag}"), &tag, true));
        assert!(!lists("\"other\"", &tag, false));
        assert!(!lists("", &tag, false));
    }
}
