//! `GET /users` (USR-11, CONTRACT §7): offset and cursor pages of the filtered, sorted collection.

use http::{HeaderValue, header};
use serde::Serialize;
use serde_json::Value;

use super::access::authenticate;
use super::page_links::{PageLinks, url};
use crate::auth::Credential;
use crate::domain::links::USERS;
use crate::domain::{Cursor, Fields, ListQuery, Paging, User, UserView};
use crate::error::ApiError;
use crate::response::Outcome;
use crate::state::{App, State};
use crate::store::Listing;
use crate::validators::http_date;
use crate::versioning;

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
    versioning::mark_deprecated(&query, reply.headers_mut(), &state.v);
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
        links: PageLinks::new(
            &app.v,
            USERS,
            query,
            page,
            total_pages,
            app.v.breaks("LNK-03"),
        )
        .map_self(|this| shipped::this(&app.v, this)),
    };
    let mut reply = shipped::page(&app.v, &body, page >= total_pages)?;
    let headers = reply.headers_mut();
    headers.insert("x-total-count", HeaderValue::from(total));
    let links = PageLinks::new(
        &app.v,
        USERS,
        query,
        page,
        total_pages,
        app.v.breaks("COL-01"),
    );
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
            this: shipped::this(&app.v, url(&app.v, USERS, query, None, false)),
            next: next_cursor
                .as_deref()
                .map(|cursor| url(&app.v, USERS, query, Some(("cursor", cursor)), only_paging)),
        },
        next_cursor,
    };
    shipped::run(&app.v, &body)
}

fn header_value(text: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(text).map_err(|e| ApiError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::OffsetDateTime;

    #[test]
    fn last_modified_is_an_http_date() {
        let at = OffsetDateTime::from_unix_timestamp(784_111_777).expect("a time");
        assert_eq!(http_date(at), "Sun, 06 Nov 1994 08:49:37 GMT");
    }
}
