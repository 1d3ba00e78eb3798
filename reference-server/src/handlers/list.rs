//! `GET /users` (USR-11, CONTRACT §7): offset and cursor pages of the filtered, sorted collection.

use http::{HeaderValue, header};
use serde::Serialize;
use serde_json::Value;

use super::access::authenticate;
use crate::auth::Credential;
use crate::domain::{Cursor, Fields, ListQuery, Paging, User, UserView};
use crate::error::ApiError;
use crate::http::conditional::http_date;
use crate::response::Outcome;
use crate::state::{App, State};
use crate::store::Listing;

mod shipped;

/// Where the collection is served, for the links of COL-01.
const PATH: &str = "/api/v1/users";

#[derive(Serialize)]
struct Page<'a> {
    items: Items<'a>,
    total: u64,
    page: u64,
    page_size: u64,
    total_pages: u64,
}

#[derive(Serialize)]
struct Run<'a> {
    items: Items<'a>,
    next_cursor: Option<String>,
    has_next: bool,
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
            run(&state, &parsed, &users, next)?
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
    };
    let mut reply = shipped::page(&app.v, &body, page >= total_pages)?;
    let headers = reply.headers_mut();
    headers.insert("x-total-count", HeaderValue::from(total));
    let links = links(query, page, total_pages, app.v.breaks("COL-01"));
    headers.insert(header::LINK, header_value(&links)?);
    Ok(reply)
}

fn run(
    app: &App,
    parsed: &ListQuery,
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
    let body = Run {
        items: items(app, users, parsed.fields)?,
        has_next: next_cursor.is_some(),
        next_cursor,
    };
    shipped::run(&app.v, &body)
}

/// The RFC 8288 links of an offset page (COL-01). Each is the request's own query with only
/// `page` changed, so that filters, sort and field selection carry over.
fn links(query: &[(String, String)], page: u64, total_pages: u64, drop_others: bool) -> String {
    let url = |to: u64| {
        let mut out = form_urlencoded::Serializer::new(String::new());
        let mut placed = false;
        for (name, value) in query {
            if name == "page" {
                if !placed {
                    out.append_pair("page", &to.to_string());
                    placed = true;
                }
            } else if !drop_others || name == "page_size" {
                out.append_pair(name, value);
            }
        }
        if !placed {
            out.append_pair("page", &to.to_string());
        }
        format!("<{PATH}?{}>", out.finish())
    };
    let mut links = vec![format!(r#"{}; rel="first""#, url(1))];
    if page > 1 {
        links.push(format!(r#"{}; rel="prev""#, url(page - 1)));
    }
    if page < total_pages {
        links.push(format!(r#"{}; rel="next""#, url(page + 1)));
    }
    links.push(format!(r#"{}; rel="last""#, url(total_pages.max(1))));
    links.join(", ")
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
            links(&q, 2, 3, false),
            "</api/v1/users?search=a+b%26c&page=1&page_size=5>; rel=\"first\", \
             </api/v1/users?search=a+b%26c&page=1&page_size=5>; rel=\"prev\", \
             </api/v1/users?search=a+b%26c&page=3&page_size=5>; rel=\"next\", \
             </api/v1/users?search=a+b%26c&page=3&page_size=5>; rel=\"last\""
        );
    }

    #[test]
    fn the_first_page_has_no_prev_and_the_last_no_next() {
        assert_eq!(
            links(&[], 1, 1, false),
            "</api/v1/users?page=1>; rel=\"first\", </api/v1/users?page=1>; rel=\"last\""
        );
    }

    #[test]
    fn last_modified_is_an_http_date() {
        let at = OffsetDateTime::from_unix_timestamp(784_111_777).expect("a time");
        assert_eq!(http_date(at), "Sun, 06 Nov 1994 08:49:37 GMT");
    }
}
