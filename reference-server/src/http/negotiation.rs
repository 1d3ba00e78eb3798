//! Content negotiation: `Accept` (HTTP-07) and `Accept-Encoding` with compression of larger
//! bodies (HTTP-12), per RFC 9110 §12.

use std::io::Write;

use http::{HeaderMap, HeaderValue, StatusCode, header};

use crate::response::Reply;
use crate::violations::Violations;

/// Bodies this size or smaller go out as they are: compressing them saves less than its cost.
pub const COMPRESS_ABOVE: usize = 1024;

/// The members of a list field (`Accept`, `Accept-Encoding`) with their weights, `q=1` unless
/// given; a weight that does not parse counts as 0, so a garbled member never widens the list.
fn weighted(field: &str) -> impl Iterator<Item = (String, f32)> + '_ {
    field.split(',').filter_map(|member| {
        let mut parts = member.split(';');
        let value = parts.next()?.trim().to_ascii_lowercase();
        if value.is_empty() {
            return None;
        }
        let q = parts
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
            .map_or(1.0, |(_, q)| q.trim().parse::<f32>().unwrap_or(0.0));
        Some((value, q))
    })
}

/// Whether the request's `Accept` admits `application/json`: no `Accept` admits anything, and
/// the most specific range that matches decides (`application/json;q=0, */*` does not).
pub fn accepts_json(headers: &HeaderMap) -> bool {
    accepts(headers, "application/json")
}

/// Whether the request's `Accept` admits `media` (`type/subtype`, lowercase), as `accepts_json`
/// judges `application/json`.
pub fn accepts(headers: &HeaderMap, media: &str) -> bool {
    let kind = media.split('/').next().unwrap_or(media);
    let fields: Vec<&str> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if fields.is_empty() || fields.iter().all(|f| f.trim().is_empty()) {
        return true;
    }
    let mut best: Option<(u8, f32)> = None;
    for (range, q) in fields.iter().flat_map(|f| weighted(f)) {
        let specificity = match range.as_str() {
            exact if exact == media => 3,
            "*/*" => 1,
            wild if wild.strip_suffix("/*") == Some(kind) => 2,
            _ => continue,
        };
        if best.is_none_or(|(s, _)| specificity > s) {
            best = Some((specificity, q));
        }
    }
    best.is_some_and(|(_, q)| q > 0.0)
}

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
    fn accept_admits_json_unless_the_most_specific_range_refuses_it() {
        assert!(accepts_json(&HeaderMap::new()));
        assert!(accepts_json(&with(header::ACCEPT, "text/html, */*;q=0.1")));
        assert!(accepts_json(&with(header::ACCEPT, "application/*")));
        assert!(!accepts_json(&with(header::ACCEPT, "text/html")));
        assert!(!accepts_json(&with(
            header::ACCEPT,
            "application/json;q=0, */*"
        )));
        assert!(!accepts_json(&with(header::ACCEPT, "application/xml")));
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
