//! The bound on a request's header section (GEN-14): what a client may make the server hold of
//! one request before any route runs.

use http::{HeaderMap, Method};

use crate::violations::Violations;

/// The largest header section (request line and fields) served; larger ones are answered `431`.
pub const LIMIT: usize = 32 * 1024;

/// The bytes of a header section as GEN-14 counts them:
/// `METHOD SP target SP HTTP/1.1 CRLF`, `name: value CRLF` for each field, the final CRLF.
fn section_size(method: &Method, path: &str, query: &str, headers: &HeaderMap) -> usize {
    let target = path.len() + if query.is_empty() { 0 } else { 1 + query.len() };
    let line = method.as_str().len() + 1 + target + " HTTP/1.1\r\n".len();
    let fields: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + 2 + value.len() + 2)
        .sum();
    line + fields + 2
}

/// Whether a request's header section is over `LIMIT`, and so refused (GEN-14).
pub fn over(method: &Method, path: &str, query: &str, headers: &HeaderMap, v: &Violations) -> bool {
    section_size(method, path, query, headers) > LIMIT && !v.breaks("GEN-14")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_size_is_that_of_the_section_as_sent() {
        let mut headers = HeaderMap::new();
        headers.insert("host", "a".parse().unwrap());
        let sent = "GET /x?y HTTP/1.1\r\nhost: a\r\n\r\n";
        assert_eq!(section_size(&Method::GET, "/x", "y", &headers), sent.len());
    }
}
