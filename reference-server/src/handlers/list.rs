//! `GET /users` (USR-11, CONTRACT §7): offset and cursor pages of the filtered, sorted collection.

use http::{HeaderValue, header};
use serde::Serialize;
use serde_json::Value;

use super::access::authenticate;
use crate::auth::Credential;
use crate::domain::links::{USERS, href};
use crate::domain::{Cursor, Fields, ListQuery, Paging, User, UserView};
use crate::error::ApiError;
use crate::http::conditional::http_date;
use crate::response::Outcome;
use crate::state::{App, State};
use crate::store::Listing;
use crate::violations::Violations;

mod shipped;

#[derive(Serialize)]
struct Page<'a> {
    items: Items<'a>,
    total: u64,
    page: u64,
    page_size: u64,
    total_pages: u64,
    links: PageLinks,
}

#[derive(Serialize)]
struct Run<'a> {
    items: Items<'a>,
    next_cursor: Option<String>,
    has_next: bool,
    links: RunLinks,
}

/// The links of an offset page (COL-01, LNK-03): the request's own URL, and the pages around it.
#[derive(Serialize)]
struct PageLinks {
    #[serde(rename = "self")]
    this: String,
    first: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    prev: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
    last: String,
}

/// The links of a cursor page (LNK-03): the request's own URL, and the page after it if any.
#[derive(Serialize)]
struct RunLinks {
    #[serde(rename = "self")]
    this: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

/// The users of a page, whole or with only the selected members (COL-07).
#[derive(Serialize)]
#[serde(untagged)]
enum Items<'a> {
    Whole(Vec<UserView<'a>>),
    Selected(Vec<Value>),
}

fn items<'a>(app: &App, users: &'a [User], fields: Option<Fields>) -> Result<Items<'a>, ApiError> {
    let views = users.iter().map(|u| u.view(&app.v));
    match fields {
        None => Ok(Items::Whole(views.collect())),
        Some(fields) => views
            .map(|view| fields.select(&view))
            .collect::<Result<_, _>>()
            .map(Items::Selected)
            .map_err(|e| ApiError::Internal(e.to_string())),
    }
}

/// `GET /users` (USR-11, COL-01..07).
pub async fn list(state: State, caller: Credential, query: Vec<(String, String)>) -> Outcome {
    authenticate(&state, &caller)?;
    shipped::narrow(&state.v, &query)?;
    let parsed =
        ListQuery::parse(&query, &state.cursors, &state.v).map_err(ApiError::Validation)?;
    shipped::overflow(&state.v, &parsed)?;
    let mut reply = match state.store.list(&parsed)? {
        Listing::Page { mut users, total } => {
            shipped::short_last_page(&state.v, &parsed, &mut users, total);
            page(&state, &parsed, &query, &users, total)?
        }
        Listing::Run { users, next } => {
            let next = shipped::full_page_continues(&state.v, &parsed, &users, next);
            run(&state, &parsed, &query, &users, next)?
        }
    };
    let modified = http_date(state.store.last_modified());
    reply.headers_mut().insert(header::LAST_MODIFIED, modified);
    Ok(reply)
}

fn page(
    app: &App,
    parsed: &ListQuery,
    query: &[(String, String)],
    users: &[User],
    total: u64,
) -> Outcome {
    let Paging::Offset { page, page_size } = parsed.paging else {
        return Err(ApiError::Internal(
            "an offset listing of a cursor query".into(),
        ));
    };
    let total_pages = total.div_ceil(page_size);
    let body = Page {
        items: items(app, users, parsed.fields)?,
        total,
        page,
        page_size,
        total_pages,
        links: PageLinks::new(&app.v, query, page, total_pages, app.v.breaks("LNK-03")),
    };
    let mut reply = shipped::page(&app.v, &body, page >= total_pages)?;
    let headers = reply.headers_mut();
    headers.insert("x-total-count", HeaderValue::from(total));
    let links = PageLinks::new(&app.v, query, page, total_pages, app.v.breaks("COL-01"));
    headers.insert(header::LINK, header_value(&links.header())?);
    Ok(reply)
}

fn run(
    app: &App,
    parsed: &ListQuery,
    query: &[(String, String)],
    users: &[User],
    next: Option<crate::domain::Position>,
) -> Outcome {
    let Paging::Cursor { served, .. } = parsed.paging else {
        return Err(ApiError::Internal(
            "a cursor listing of an offset query".into(),
        ));
    };
    let next_cursor = next.map(|after| {
        app.cursors.issue(&Cursor {
            sort: parsed.sort,
            filter: parsed.filter.clone(),
            after,
            served: app
                .v
                .breaks("COL-03")
                .then_some(served + users.len() as u64),
        })
    });
    let only_paging = app.v.breaks("LNK-03");
    let body = Run {
        items: items(app, users, parsed.fields)?,
        has_next: next_cursor.is_some(),
        links: RunLinks {
            this: shipped::this(&app.v, url(&app.v, query, None, false)),
            next: next_cursor
                .as_deref()
                .map(|cursor| url(&app.v, query, Some(("cursor", cursor)), only_paging)),
        },
        next_cursor,
    };
    shipped::run(&app.v, &body)
}

impl PageLinks {
    /// Each link is the request's own query with only `page` changed, so that filters, sort and
    /// field selection carry over.
    fn new(
        v: &Violations,
        query: &[(String, String)],
        page: u64,
        total_pages: u64,
        only_paging: bool,
    ) -> Self {
        let to = |page: u64| url(v, query, Some(("page", &page.to_string())), only_paging);
        PageLinks {
            this: shipped::this(v, url(v, query, None, false)),
            first: to(1),
            prev: (page > 1).then(|| to(page - 1)),
            next: (page < total_pages).then(|| to(page + 1)),
            last: to(total_pages.max(1)),
        }
    }

    /// The RFC 8288 `Link` field of the same links (COL-01).
    fn header(&self) -> String {
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

/// The collection's URL with the request's query: `set` replaces the parameter it names (or
/// follows the others), and every other parameter is kept, or only the paging ones.
fn url(
    v: &Violations,
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
        href(v, USERS.to_owned())
    } else {
        href(v, format!("{USERS}?{query}"))
    }
}

fn header_value(text: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(text).map_err(|e| ApiError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::OffsetDateTime;

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
            PageLinks::new(&Violations::default(), &q, 2, 3, false).header(),
            "</api/v1/users?search=a+b%26c&page=1&page_size=5>; rel=\"first\", \
             </api/v1/users?search=a+b%26c&page=1&page_size=5>; rel=\"prev\", \
             </api/v1/users?search=a+b%26c&page=3&page_size=5>; rel=\"next\", \
             </api/v1/users?search=a+b%26c&page=3&page_size=5>; rel=\"last\""
        );
    }

    #[test]
    fn the_first_page_has_no_prev_and_the_last_no_next() {
        assert_eq!(
            PageLinks::new(&Violations::default(), &[], 1, 1, false).header(),
            "</api/v1/users?page=1>; rel=\"first\", </api/v1/users?page=1>; rel=\"last\""
        );
    }

    #[test]
    fn last_modified_is_an_http_date() {
        let at = OffsetDateTime::from_unix_timestamp(784_111_777).expect("a time");
        assert_eq!(http_date(at), "Sun, 06 Nov 1994 08:49:37 GMT");
    }
}
