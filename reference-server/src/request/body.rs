//! Request bodies, read only when a handler is ready for them so that authentication and
//! permission failures answer first (CONTRACT §1), and never read past the limit (GEN-06).

use std::pin::Pin;

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use http::{HeaderMap, header};
use serde_json::Value;
use tokio::time::Instant;

use crate::error::ApiError;
use crate::violations::Violations;

/// The documented limit of a request body.
pub const LIMIT: usize = 64 * 1024;

/// Reads a whole body as JSON.
type Parse = fn(&[u8]) -> serde_json::Result<Value>;

/// The body as it arrives, in chunks; an error ends it (a connection that broke).
pub type Chunks = Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send>>;

pub struct Body {
    headers: HeaderMap,
    chunks: Chunks,
    /// When the whole body must have arrived: a client that sends it a byte at a time must not
    /// hold the connection and the handler's resources for ever.
    deadline: Instant,
}

/// `application/json` or any `+json` type (RFC 6839, which covers RFC 7396's
/// `application/merge-patch+json`), parameters allowed.
fn is_json(headers: &HeaderMap, v: &Violations) -> bool {
    let Some(essence) = essence(headers) else {
        // No Content-Type taken to mean JSON, as a framework's default decoder does.
        return v.breaks("missing-content-type-read-as-json");
    };
    if essence == "application/merge-patch+json" && v.breaks("HTTP-08") {
        return false;
    }
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The media type of the body without parameters, lowercased.
fn essence(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(
        value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
    )
}

impl Body {
    /// The body of a request with `headers`, arriving as `chunks` until `deadline`.
    pub fn new(headers: HeaderMap, chunks: Chunks, deadline: Instant) -> Body {
        Body {
            headers,
            chunks,
            deadline,
        }
    }

    /// The body's media type without parameters, lowercased.
    pub fn media_type(&self) -> Option<String> {
        essence(&self.headers)
    }

    /// The body's `Content-Length`, if it has one.
    fn declared(&self) -> Option<u64> {
        self.headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
    }

    /// The whole body, of at most `limit` bytes (413 past it): refused on its `Content-Length`
    /// before any of it is read, or once a chunked body passes the limit, never read to its end.
    pub async fn bytes(self, limit: usize) -> Result<Bytes, ApiError> {
        if self.declared().is_some_and(|n| n > limit as u64) {
            return Err(ApiError::PayloadTooLarge(limit));
        }
        Ok(self.read(limit, limit).await?.freeze())
    }

    /// Reads the body until its end, `limit` bytes at most (413 naming `documented` past it), by
    /// the deadline (408).
    async fn read(mut self, limit: usize, documented: usize) -> Result<BytesMut, ApiError> {
        let chunks = &mut self.chunks;
        let read = async move {
            let mut buf = BytesMut::new();
            while let Some(chunk) = chunks.next().await {
                let chunk = chunk.map_err(|e| {
                    ApiError::MalformedJson(format!("the body could not be read: {e}"))
                })?;
                if buf.len() + chunk.len() > limit {
                    return Err(ApiError::PayloadTooLarge(documented));
                }
                buf.extend_from_slice(&chunk);
            }
            Ok(buf)
        };
        tokio::time::timeout_at(self.deadline, read)
            .await
            .map_err(|_| ApiError::RequestTimeout)?
    }

    /// Whether the body is an RFC 7396 merge patch.
    pub fn is_merge_patch(&self) -> bool {
        essence(&self.headers).as_deref() == Some("application/merge-patch+json")
    }

    /// The body as a JSON value: 415, 413 or 400 when it is not one.
    pub async fn json(self, v: &Violations) -> Result<Value, ApiError> {
        if !is_json(&self.headers, v) && !v.breaks("GEN-05") {
            return Err(ApiError::UnsupportedMediaType);
        }
        let limit = if v.breaks("GEN-06") {
            16 * LIMIT
        } else {
            LIMIT
        };
        let declared = self.declared();
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(ApiError::PayloadTooLarge(LIMIT));
        }
        // The limit enforced on Content-Length alone: a chunked body is read whole.
        let limit = match declared {
            None if v.breaks("chunked-body-over-limit-accepted") => 256 * LIMIT,
            _ => limit,
        };
        let buf = self.read(limit, LIMIT).await?;
        // GEN-13 broken: the last of repeated members wins, as serde_json reads them.
        let parse: Parse = if v.breaks("GEN-13") {
            |bytes| serde_json::from_slice(bytes)
        } else {
            super::unique::from_slice
        };
        let parsed = parse(&buf);
        let parsed = match parsed {
            Err(_) if !v.breaks("number-out-of-range-400") => {
                parsed.or_else(|e| beyond_range(&buf, e, parse))
            }
            parsed => parsed,
        };
        parsed.map_err(|e| {
            if v.breaks("GEN-03") {
                ApiError::Validation(vec![crate::domain::FieldError::new("body", e.to_string())])
            } else {
                ApiError::MalformedJson(e.to_string())
            }
        })
    }
}

/// A well-formed body with a number past the range of a double (`1e400`), which serde_json does
/// not parse: read with each such number as the largest double of its sign, so that the field
/// rules refuse it (422) instead of the body being called malformed (400). Any other error stands.
fn beyond_range(
    buf: &[u8],
    error: serde_json::Error,
    parse: Parse,
) -> Result<Value, serde_json::Error> {
    if serde_json::from_slice::<serde::de::IgnoredAny>(buf).is_err() {
        return Err(error);
    }
    let text = std::str::from_utf8(buf).map_err(|_| error)?;
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let starts_number = !in_string && (c == '-' || c.is_ascii_digit());
        if !starts_number {
            match c {
                _ if escaped => escaped = false,
                '\\' if in_string => escaped = true,
                '"' => in_string = !in_string,
                _ => {}
            }
            out.push(c);
            continue;
        }
        let mut end = at + c.len_utf8();
        while let Some(&(i, d)) = chars.peek() {
            if !(d.is_ascii_digit() || "+-.eE".contains(d)) {
                break;
            }
            end = i + d.len_utf8();
            chars.next();
        }
        let number = &text[at..end];
        match number.parse::<f64>() {
            Ok(f) if f.is_infinite() => out.push_str(&format!("{:e}", f.signum() * f64::MAX)),
            _ => out.push_str(number),
        }
    }
    parse(out.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::beyond_range;

    fn read(text: &str) -> Result<serde_json::Value, serde_json::Error> {
        let parse = super::super::unique::from_slice;
        parse(text.as_bytes()).or_else(|e| beyond_range(text.as_bytes(), e, parse))
    }

    #[test]
    fn a_number_past_a_doubles_range_reads_as_the_largest_double() {
        let body = read(r#"{"age": 1e400, "n": -1E999, "s": "1e400 \" 2e999"}"#).expect("JSON");
        assert_eq!(body["age"].as_f64(), Some(f64::MAX));
        assert_eq!(body["n"].as_f64(), Some(-f64::MAX));
        assert_eq!(body["s"], r#"1e400 " 2e999"#);
    }

    #[test]
    fn a_malformed_body_with_a_huge_number_stays_malformed() {
        assert!(read(r#"{"age": 01e400}"#).is_err());
        assert!(read(r#"{"age": 1e400"#).is_err());
    }
}
