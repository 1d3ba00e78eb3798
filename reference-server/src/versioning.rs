//! Versions (CONTRACT §12): the one this server serves, the `X-API-Version` values that name it,
//! and what version 1 deprecates, with the fields that say so on the answers that use it.

use http::{HeaderMap, HeaderValue};

use crate::violations::Violations;

/// The field a client names the version it was written for in (VER-02).
pub const HEADER: &str = "x-api-version";

/// The version segment of the base URL (GEN-01).
pub const SEGMENT: &str = "v1";

/// The `X-API-Version` values that name version 1.
const NAMES: [&str; 2] = ["1", "1.0"];

/// Whether every `X-API-Version` of the request, if any, names the version served.
pub fn supported(headers: &HeaderMap, v: &Violations) -> bool {
    v.breaks("VER-02")
        || v.breaks("version-header-ignored")
        || headers
            .get_all(HEADER)
            .iter()
            .all(|value| value.to_str().is_ok_and(|s| NAMES.contains(&s.trim())))
}

/// `order` (COL-06), deprecated on 2027-01-01T00:00:00Z: RFC 9745's `@` and the Unix time.
const ORDER_DEPRECATED: &str = "@1798761600";
/// The earliest day `order` may stop working, 181 days after its deprecation (RFC 8594).
const ORDER_SUNSET: &str = "Thu, 01 Jul 2027 00:00:00 GMT";

/// Marks an answer to a `GET /users` as using the deprecated `order` when its query does (VER-03).
pub fn mark_deprecated(query: &[(String, String)], headers: &mut HeaderMap, v: &Violations) {
    let uses_order = query.iter().any(|(k, _)| k == "order");
    if (uses_order && !v.breaks("VER-03")) || v.breaks("deprecation-on-every-page") {
        headers.insert("deprecation", HeaderValue::from_static(ORDER_DEPRECATED));
        headers.insert("sunset", HeaderValue::from_static(ORDER_SUNSET));
    }
}
