//! The links of a page (COL-01, LNK-03, ORD-05): each the request's own URL with only the page
//! or the cursor changed, so that filters, sort and field selection carry over.

use serde::Serialize;

use crate::domain::links::href;
use crate::violations::Violations;

/// The links of an offset page (COL-01, LNK-03): the request's own URL, and the pages around it.
#[derive(Serialize)]
pub struct PageLinks {
    #[serde(rename = "self")]
    this: String,
    first: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    prev: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
    last: String,
}

impl PageLinks {
    /// Each link is the request's own query with only `page` changed, so that filters, sort and
    /// field selection carry over.
    pub fn new(
        v: &Violations,
        path: &str,
        query: &[(String, String)],
        page: u64,
        total_pages: u64,
        only_paging: bool,
    ) -> Self {
        let to = |page: u64| {
            url(
                v,
                path,
                query,
                Some(("page", &page.to_string())),
                only_paging,
            )
        };
        PageLinks {
            this: url(v, path, query, None, false),
            first: to(1),
            prev: (page > 1).then(|| to(page - 1)),
            next: (page < total_pages).then(|| to(page + 1)),
            last: to(total_pages.max(1)),
        }
    }

    /// The same links with `self` made over by `f`.
    pub fn map_self(mut self, f: impl FnOnce(String) -> String) -> Self {
        self.this = f(self.this);
        self
    }

    /// The RFC 8288 `Link` field of the same links (COL-01).
    pub fn header(&self) -> String {
        let mut links = vec![format!(r#"<{}>; rel="first""#, self.first)];
        if let Some(prev) = &self.prev {
            links.push(format!(r#"<{prev}>; rel="prev""#));
        }
        if let Some(next) = &self.next {
            links.push(format!(r#"<{next}>; rel="next""#));
        }
        links.push(format!(r#"<{}>; rel="last""#, self.last));
        links.join(", ")
    }
}

/// The URL of the collection at `path` with the request's query: `set` replaces the parameter it names (or
/// follows the others), and every other parameter is kept, or only the paging ones.
pub fn url(
    v: &Violations,
    path: &str,
    query: &[(String, String)],
    set: Option<(&str, &str)>,
    only_paging: bool,
) -> String {
    const PAGING: [&str; 4] = ["page", "page_size", "limit", "cursor"];
    let mut out = form_urlencoded::Serializer::new(String::new());
    let mut placed = set.is_none();
    for (name, value) in query {
        match set {
            // The first occurrence takes the new value; any repetition goes.
            Some((set, to)) if *name == set && !placed => {
                out.append_pair(set, to);
                placed = true;
            }
            Some((set, _)) if *name == set => {}
            _ if !only_paging || PAGING.contains(&name.as_str()) => {
                out.append_pair(name, value);
            }
            _ => {}
        }
    }
    if let Some((set, to)) = set.filter(|_| !placed) {
        out.append_pair(set, to);
    }
    let query = out.finish();
    if query.is_empty() {
        href(v, path.to_owned())
    } else {
        href(v, format!("{path}?{query}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::links::USERS;

    fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn links_keep_every_other_parameter_and_change_only_the_page() {
        let q = query(&[("search", "a b&c"), ("page", "2"), ("page_size", "5")]);
        assert_eq!(
            PageLinks::new(&Violations::default(), USERS, &q, 2, 3, false).header(),
            "</api/v1/users?search=a+b%26c&page=1&page_size=5>; rel=\"first\", \
             </api/v1/users?search=a+b%26c&page=1&page_size=5>; rel=\"prev\", \
             </api/v1/users?search=a+b%26c&page=3&page_size=5>; rel=\"next\", \
             </api/v1/users?search=a+b%26c&page=3&page_size=5>; rel=\"last\""
        );
    }

    #[test]
    fn the_first_page_has_no_prev_and_the_last_no_next() {
        assert_eq!(
            PageLinks::new(&Violations::default(), USERS, &[], 1, 1, false).header(),
            "</api/v1/users?page=1>; rel=\"first\", </api/v1/users?page=1>; rel=\"last\""
        );
    }

    #[test]
    fn a_cursor_replaces_the_requests_own_in_place_and_keeps_the_rest() {
        let q = query(&[
            ("cursor", "a"),
            ("limit", "2"),
            ("search", "x"),
            ("cursor", "c"),
        ]);
        let v = Violations::default();
        assert_eq!(
            url(&v, USERS, &q, Some(("cursor", "b")), false),
            "/api/v1/users?cursor=b&limit=2&search=x"
        );
        assert_eq!(
            url(&v, USERS, &q, Some(("cursor", "b")), true),
            "/api/v1/users?cursor=b&limit=2"
        );
        assert_eq!(url(&v, USERS, &[], None, false), "/api/v1/users");
    }
}
