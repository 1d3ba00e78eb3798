//! Validators (RFC 9110 §8.8): the strong entity tag of a representation (HTTP-01), and the
//! `If-Match` a write must satisfy (HTTP-03), checked before the body is read and again inside
//! the write. Below both the handlers and the HTTP layer, which tags what goes out.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use http::{HeaderMap, HeaderValue, header};
use sha2::{Digest, Sha256};

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
pub(crate) fn lists(field: &str, current: &str, strong: bool) -> bool {
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
