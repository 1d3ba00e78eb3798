//! What a request's `Accept` admits (HTTP-07), per RFC 9110 §12.5.1.

use http::{HeaderMap, header};

/// The members of a list field (`Accept`, `Accept-Encoding`) with their weights, `q=1` unless
/// given; a weight that does not parse counts as 0, so a garbled member never widens the list.
pub(crate) fn weighted(field: &str) -> impl Iterator<Item = (String, f32)> + '_ {
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

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn accept(value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_static(value));
        h
    }

    #[test]
    fn accept_admits_json_unless_the_most_specific_range_refuses_it() {
        assert!(accepts_json(&HeaderMap::new()));
        assert!(accepts_json(&accept("text/html, */*;q=0.1")));
        assert!(accepts_json(&accept("application/*")));
        assert!(!accepts_json(&accept("text/html")));
        assert!(!accepts_json(&accept("application/json;q=0, */*")));
        assert!(!accepts_json(&accept("application/xml")));
    }
}
