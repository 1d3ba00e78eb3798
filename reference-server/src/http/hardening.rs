//! Fields every response carries whatever route made it: caching rules (HTTP-04) and the
//! security headers OWASP's REST Security Cheat Sheet lists for APIs (HTTP-11).

use http::{HeaderMap, HeaderName, HeaderValue, Method, header};

use crate::response::Reply;
use crate::violations::Violations;

/// Built at compile time: a name given as a string is parsed again at every insert.
const SECURITY: [(HeaderName, HeaderValue); 4] = [
    (
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ),
    (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    (
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=31536000; includeSubDomains"),
    ),
    // No response is meant to be rendered: nothing may load, and nothing may frame it.
    (
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
    ),
];

/// `Cache-Control` unless the route set its own: errors and the answers to writes (a token, a
/// new user) are never stored, what answers a credential is `private` and revalidated with its
/// `ETag` every time, and what is public (the OpenAPI document) may be cached for a few minutes.
fn cache_control(
    method: &Method,
    request: &HeaderMap,
    reply: &Reply,
    v: &Violations,
) -> &'static str {
    let status = reply.status();
    let read = method == Method::GET || method == Method::HEAD;
    if status.is_client_error() || status.is_server_error() || !read {
        return "no-store";
    }
    if request.contains_key(header::AUTHORIZATION) {
        return if v.breaks("HTTP-04") {
            "public, max-age=300"
        } else {
            "private, no-cache"
        };
    }
    if reply.headers().contains_key(header::ETAG) {
        return "public, max-age=300";
    }
    "no-cache"
}

pub fn harden(method: &Method, request: &HeaderMap, reply: &mut Reply, v: &Violations) {
    if !reply.headers().contains_key(header::CACHE_CONTROL) {
        let value = cache_control(method, request, reply, v);
        reply
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    if v.breaks("HTTP-11") {
        return;
    }
    for (name, value) in SECURITY {
        // A page meant to be rendered (DOC-01) sets a policy of its own, `default-src 'none'`
        // still its fallback.
        if name == header::CONTENT_SECURITY_POLICY && reply.headers().contains_key(&name) {
            continue;
        }
        reply.headers_mut().insert(name, value);
    }
}
