//! `X-Request-Id` (GEN-07): echo a sane one, otherwise make one, so a client can correlate logs.

use http::{HeaderName, HeaderValue};
use warp::Filter;

use crate::violations::Violations;

pub const HEADER: &str = "x-request-id";
/// The same, parsed once.
pub const NAME: HeaderName = HeaderName::from_static(HEADER);

fn acceptable(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    (1..=128).contains(&bytes.len()) && bytes.iter().all(|b| (0x21..=0x7e).contains(b))
}

pub fn request_id(
    v: Violations,
) -> impl Filter<Extract = (HeaderValue,), Error = std::convert::Infallible> + Clone {
    warp::header::value(HEADER)
        .or_else(|_| async { Ok::<_, std::convert::Infallible>((HeaderValue::from_static(""),)) })
        .map(move |given: HeaderValue| {
            if acceptable(&given) && !v.breaks("GEN-07") {
                given
            } else {
                HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
                    .expect("a uuid is a valid header")
            }
        })
}
