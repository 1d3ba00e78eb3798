//! The bound on a request's header section (GEN-14): what a client may make the server hold of
//! one request before any route runs.

use http::{HeaderMap, Method};
use warp::Filter;
use warp::filters::path::FullPath;

use crate::violations::Violations;

/// The largest header section (request line and fields) served; larger ones are answered `431`.
pub const LIMIT: usize = 32 * 1024;

/// A request refused for the size of its header section.
#[derive(Debug)]
pub struct TooLarge;

impl warp::reject::Reject for TooLarge {}

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

/// Rejects with `TooLarge` a request whose header section is over `LIMIT`.
pub fn within_limit(v: Violations) -> impl Filter<Extract = (), Error = warp::Rejection> + Clone {
    let query = warp::query::raw().or(warp::any().map(String::new)).unify();
    warp::method()
        .and(warp::path::full())
        .and(query)
        .and(warp::header::headers_cloned())
        .and_then(
            move |method: Method, path: FullPath, query: String, headers: HeaderMap| {
                let over = section_size(&method, path.as_str(), &query, &headers) > LIMIT
                    && !v.breaks("GEN-14");
                async move {
                    if over {
                        Err(warp::reject::custom(TooLarge))
                    } else {
                        Ok(())
                    }
                }
            },
        )
        .untuple_one()
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
