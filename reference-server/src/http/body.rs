//! Request bodies, read only when a handler is ready for them so that authentication and
//! permission failures answer first (CONTRACT §1), and never read past the limit (GEN-06).

use std::pin::Pin;

use bytes::{Buf, Bytes, BytesMut};
use futures_util::{Stream, StreamExt, TryStreamExt};
use http::{HeaderMap, header};
use serde_json::Value;
use warp::Filter;

use crate::error::ApiError;
use crate::violations::Violations;

/// The documented limit of a request body.
pub const LIMIT: usize = 64 * 1024;

type Chunks = Pin<Box<dyn Stream<Item = Result<Bytes, warp::Error>> + Send>>;

pub struct Body {
    headers: HeaderMap,
    chunks: Chunks,
}

pub fn body() -> impl Filter<Extract = (Body,), Error = warp::Rejection> + Clone {
    warp::header::headers_cloned()
        .and(warp::body::stream())
        .map(|headers, stream: _| Body {
            headers,
            chunks: Box::pin(TryStreamExt::map_ok(stream, |mut b: _| {
                let n = Buf::remaining(&b);
                Buf::copy_to_bytes(&mut b, n)
            })),
        })
}

/// `application/json` or any `+json` type (RFC 6839, which covers RFC 7396's
/// `application/merge-patch+json`), parameters allowed.
fn is_json(headers: &HeaderMap, v: &Violations) -> bool {
    let Some(Ok(value)) = headers.get(header::CONTENT_TYPE).map(|v| v.to_str()) else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/merge-patch+json" && v.breaks("HTTP-08") {
        return false;
    }
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl Body {
    /// The body as a JSON value: 415, 413 or 400 when it is not one.
    pub async fn json(mut self, v: &Violations) -> Result<Value, ApiError> {
        if !is_json(&self.headers, v) && !v.breaks("GEN-05") {
            return Err(ApiError::UnsupportedMediaType);
        }
        let limit = if v.breaks("GEN-06") {
            16 * LIMIT
        } else {
            LIMIT
        };
        let declared = self
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(ApiError::PayloadTooLarge(LIMIT));
        }
        let mut buf = BytesMut::new();
        while let Some(chunk) = self.chunks.next().await {
            let chunk = chunk
                .map_err(|e| ApiError::MalformedJson(format!("the body could not be read: {e}")))?;
            if buf.len() + chunk.len() > limit {
                return Err(ApiError::PayloadTooLarge(LIMIT));
            }
            buf.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&buf).map_err(|e| {
            if v.breaks("GEN-03") {
                ApiError::Validation(vec![crate::domain::FieldError::new("body", e.to_string())])
            } else {
                ApiError::MalformedJson(e.to_string())
            }
        })
    }
}
