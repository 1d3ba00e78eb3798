//! Validators on the way out (RFC 9110 §8.8, §13.1.2): a strong `ETag` on every successful GET,
//! and `If-None-Match` answered `304` (HTTP-02). The tags themselves and `If-Match` are
//! `crate::validators`'.

use http::{HeaderMap, HeaderValue, Method, StatusCode, header};

use crate::response::Reply;
use crate::validators::{etag, lists};
use crate::violations::Violations;

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
