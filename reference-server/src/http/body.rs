//! Request bodies as warp delivers them, handed to the handlers as a `crate::request::Body`: read
//! only when a handler is ready for them, so that authentication and permission failures answer
//! first (CONTRACT §1).

use std::time::Duration;

use bytes::Buf;
use futures_util::TryStreamExt;
use tokio::time::Instant;
use warp::Filter;

use crate::request::Body;

/// The request's body, which must arrive within `timeout` of its header section.
pub fn body(timeout: Duration) -> impl Filter<Extract = (Body,), Error = warp::Rejection> + Clone {
    warp::header::headers_cloned()
        .and(warp::body::stream())
        .map(move |headers, stream: _| {
            let chunks = TryStreamExt::map_ok(stream, |mut b: _| {
                let n = Buf::remaining(&b);
                Buf::copy_to_bytes(&mut b, n)
            })
            .map_err(std::io::Error::other);
            Body::new(headers, Box::pin(chunks), Instant::now() + timeout)
        })
}
