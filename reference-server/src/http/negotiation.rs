//! Content negotiation on the way out: `Accept-Encoding` and the compression of larger bodies
//! (HTTP-12), per RFC 9110 §12. What `Accept` admits is read in `crate::request`.

use std::io::Write;

use http::{HeaderMap, HeaderValue, StatusCode, header};

use crate::request::weighted;
use crate::response::Reply;
use crate::violations::Violations;

/// Bodies this size or smaller go out as they are: compressing them saves less than its cost.
pub const COMPRESS_ABOVE: usize = 1024;

/// A content coding the server can apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    Brotli,
    Gzip,
}

impl Coding {
    fn token(self) -> &'static str {
        match self {
            Coding::Brotli => "br",
            Coding::Gzip => "gzip",
        }
    }
}

/// The coding to use for a response to this request: brotli, then gzip, among those the client
/// accepts with a weight above 0 (`*` stands for both); none without `Accept-Encoding`.
pub fn coding(headers: &HeaderMap) -> Option<Coding> {
    let field = headers.get(header::ACCEPT_ENCODING)?.to_str().ok()?;
    let members: Vec<(String, f32)> = weighted(field).collect();
    let weight = |token: &str| {
        members
            .iter()
            .find(|(c, _)| c == token)
            .or_else(|| members.iter().find(|(c, _)| c == "*"))
            .map_or(0.0, |(_, q)| *q)
    };
    // The higher weight wins; on a tie the first, brotli, as it is the smaller.
    [Coding::Brotli, Coding::Gzip]
        .into_iter()
        .filter(|c| weight(c.token()) > 0.0)
        .fold(None, |best: Option<Coding>, c| match best {
            Some(b) if weight(b.token()) >= weight(c.token()) => Some(b),
            _ => Some(c),
        })
}

fn encode(coding: Coding, body: &[u8]) -> std::io::Result<Vec<u8>> {
    match coding {
        // Level 4 and quality 4: most of the saving on JSON for a small share of the CPU time of
        // the defaults (6 and 11).
        Coding::Gzip => {
            let mut out = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(4));
            out.write_all(body)?;
            out.finish()
        }
        Coding::Brotli => {
            let mut out = Vec::new();
            let params = brotli::enc::BrotliEncoderParams {
                quality: 4,
                ..Default::default()
            };
            brotli::BrotliCompress(&mut &body[..], &mut out, &params)?;
            Ok(out)
        }
    }
}

/// An avatar (CONTRACT §14): its formats are compressed already, so coding it again costs time
/// and saves nothing.
fn is_image(reply: &Reply) -> bool {
    reply
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|t| t.to_str().ok())
        .is_some_and(|t| t.starts_with("image/"))
}

/// Compresses a body over the threshold in the coding the client prefers, and says that the
/// response varies with `Accept-Encoding` whenever it could have been compressed.
pub fn compress(request: &HeaderMap, reply: &mut Reply, v: &Violations) {
    let status = reply.status();
    if status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED
        || reply.headers().contains_key(header::CONTENT_ENCODING)
        || reply.body().len() <= COMPRESS_ABOVE
        || v.breaks("HTTP-12")
        || is_image(reply)
    {
        return;
    }
    super::vary(reply.headers_mut(), "accept-encoding");
    let Some(coding) = coding(request) else {
        return;
    };
    let Ok(encoded) = encode(coding, reply.body()) else {
        return;
    };
    // Each coding is another representation, so it gets its own strong tag (RFC 9110 §8.8.3).
    let tagged = reply
        .headers()
        .get(header::ETAG)
        .and_then(|t| t.to_str().ok())
        .map(|t| format!("{}-{}\"", t.trim_end_matches('"'), coding.token()))
        .and_then(|t| HeaderValue::from_str(&t).ok());
    let headers = reply.headers_mut();
    if let Some(tag) = tagged {
        headers.insert(header::ETAG, tag);
    }
    headers.insert(
        header::CONTENT_ENCODING,
        HeaderValue::from_static(coding.token()),
    );
    headers.remove(header::CONTENT_LENGTH);
    *reply.body_mut() = encoded.into();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: header::HeaderName, value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_static(value));
        h
    }

    #[test]
    fn brotli_is_preferred_and_a_zero_weight_refuses_a_coding() {
        let h = |v| with(header::ACCEPT_ENCODING, v);
        assert_eq!(coding(&h("gzip, br")), Some(Coding::Brotli));
        assert_eq!(coding(&h("gzip, br;q=0")), Some(Coding::Gzip));
        assert_eq!(coding(&h("br;q=0.5, gzip")), Some(Coding::Gzip));
        assert_eq!(coding(&h("identity")), None);
        assert_eq!(coding(&h("*")), Some(Coding::Brotli));
        assert_eq!(coding(&HeaderMap::new()), None);
    }
}
