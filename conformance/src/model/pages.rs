//! `GET /users` against the model: an offset page, or a walk of cursor pages, of the sequence's
//! own users (found by its tag), filtered and sorted as the model says (USR-11, COL-01..06).

use serde_json::Value;
use time::OffsetDateTime;

use super::run::Run;
use super::{Actor, Paging, Query, Sorting};
use crate::failure::{Failure, ensure};
use crate::http::{Exchange, Request};

/// What a sort compares of a user (COL-06): nothing (ties by id alone), lowercased text, or an
/// instant.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    None,
    Text(String),
    Time(OffsetDateTime),
}

/// A query string (`?a=1&b=2`) of `params`, percent-encoded.
fn query_string(params: &[(&str, String)]) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let pairs: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC)))
        .collect();
    format!("?{}", pairs.join("&"))
}

impl Run<'_> {
    fn key(&self, sort: &str, i: usize) -> Key {
        let user = &self.model.users[i];
        match sort {
            "username" => Key::Text(self.names.username(user.name).to_lowercase()),
            "email" => Key::Text(self.names.email(user.mail).to_lowercase()),
            "created_at" => Key::Time(self.slots[i].created_at),
            _ => Key::None,
        }
    }

    /// The slots `query` lists, in its order.
    fn listed(&self, query: &Query) -> Vec<usize> {
        let search = self.names.search(query.search, query.shout);
        let mut users: Vec<usize> = self
            .model
            .live()
            .filter(|&i| {
                let user = &self.model.users[i];
                query.role.is_none_or(|r| user.role == r)
                    && query.is_active.is_none_or(|a| user.active == a)
                    && self.names.found(user, &search)
            })
            .collect();
        let (sort, descending) = match query.sorting {
            Sorting::Default => ("id", false),
            Sorting::Desc => ("id", true),
            Sorting::Key(key, form) => (key, form.descending()),
        };
        users.sort_by(|&a, &b| {
            let by_key = self.key(sort, a).cmp(&self.key(sort, b));
            by_key.then(self.slots[a].id.cmp(&self.slots[b].id))
        });
        if descending {
            users.reverse();
        }
        users
    }

    fn params(&self, query: &Query) -> Vec<(&'static str, String)> {
        let mut params = vec![("search", self.names.search(query.search, query.shout))];
        if let Some(role) = query.role {
            params.push(("role", role.as_str().to_owned()));
        }
        if let Some(active) = query.is_active {
            params.push(("is_active", active.to_string()));
        }
        match query.sorting {
            Sorting::Default => {}
            Sorting::Desc => params.push(("order", "desc".to_owned())),
            Sorting::Key(key, form) => params.extend(form.params(key)),
        }
        params
    }

    pub(super) fn list(
        &mut self,
        actor: Actor,
        query: &Query,
        allowed: &[u16],
    ) -> Result<Option<u16>, Failure> {
        let Some(token) = self.token(actor)? else {
            return Ok(None);
        };
        let expected = self.listed(query);
        let mut params = self.params(query);
        match query.paging {
            Paging::Offset { page, size } => {
                params.extend([("page", page.to_string()), ("page_size", size.to_string())]);
                let exchange = self.send(
                    Request::get(format!("/users{}", query_string(&params))).bearer(&token),
                )?;
                let status = self.answered(&exchange, allowed, "an offset page")?;
                if status == 200 {
                    let body = self.page_tag(&exchange)?;
                    self.offset_page(&exchange, &body, &expected, page.into(), size.into())?;
                }
                Ok(Some(status))
            }
            Paging::Cursor { limit, pages } => {
                params.push(("limit", limit.to_string()));
                let mut request =
                    Request::get(format!("/users{}", query_string(&params))).bearer(&token);
                for n in 0..usize::from(pages) {
                    let exchange = self.send(request)?;
                    let status = self.answered(&exchange, allowed, "a cursor page")?;
                    if status != 200 {
                        return Ok(Some(status));
                    }
                    let body = match n {
                        0 => self.page_tag(&exchange)?,
                        _ => Run::page_body(&exchange)?,
                    };
                    let from = n * usize::from(limit);
                    let Some(cursor) =
                        self.cursor_page(&exchange, &body, &expected, from, limit)?
                    else {
                        break;
                    };
                    let next = [("cursor", cursor), ("limit", limit.to_string())];
                    request = Request::get(format!("/users{}", query_string(&next))).bearer(&token);
                }
                Ok(Some(200))
            }
        }
    }

    fn page_body(exchange: &Exchange) -> Result<Value, Failure> {
        exchange
            .json()
            .filter(|b| b["items"].is_array())
            .ok_or_else(|| {
                exchange.fail(
                    "a page has no items array",
                    "\"items\": [...]",
                    exchange.summary(),
                )
            })
    }

    /// The page's body; a URL read before keeps its tag exactly while its body stays the same
    /// (HTTP-01).
    fn page_tag(&mut self, exchange: &Exchange) -> Result<Value, Failure> {
        let body = Run::page_body(exchange)?;
        let Some(tag) = exchange.header("etag").map(str::to_owned) else {
            return Ok(body);
        };
        if let Some((before, seen)) = self.pages.get(&exchange.url) {
            let same = *before == body;
            ensure(same == (*seen == tag), || {
                exchange.fail(
                    match same {
                        true => "a page's ETag changed although its body did not",
                        false => "a page's ETag stayed the same although its body changed",
                    },
                    format!(
                        "an ETag {} {seen}",
                        if same { "equal to" } else { "other than" }
                    ),
                    format!("ETag: {tag}"),
                )
            })?;
        }
        self.pages.insert(exchange.url.clone(), (body.clone(), tag));
        Ok(body)
    }

    /// The items of a page are the model's users `expected[from..from + most]`, each as the
    /// model holds it.
    fn items(
        &self,
        exchange: &Exchange,
        body: &Value,
        expected: &[usize],
        from: usize,
        most: usize,
    ) -> Result<(), Failure> {
        let items = body["items"].as_array().cloned().unwrap_or_default();
        let wanted = &expected[from.min(expected.len())..(from + most).min(expected.len())];
        let ids: Vec<u64> = items
            .iter()
            .map(|u| u["id"].as_u64().unwrap_or(0))
            .collect();
        let wanted_ids: Vec<u64> = wanted.iter().map(|&i| self.slots[i].id).collect();
        ensure(ids == wanted_ids, || {
            let slots: Vec<String> = wanted.iter().map(|i| format!("user {}", i + 1)).collect();
            exchange.fail(
                "a page does not hold the users the model lists, in its order",
                format!("ids {wanted_ids:?} ({})", slots.join(", ")),
                format!("ids {ids:?}"),
            )
        })?;
        for (item, &who) in items.iter().zip(wanted) {
            self.is_current(exchange, "a listed user", who, item)?;
        }
        Ok(())
    }

    fn offset_page(
        &self,
        exchange: &Exchange,
        body: &Value,
        expected: &[usize],
        page: u64,
        size: u64,
    ) -> Result<(), Failure> {
        let total = expected.len() as u64;
        let pages = total.div_ceil(size);
        let counts = [
            ("total", body["total"].as_u64() == Some(total), total),
            ("page", body["page"].as_u64() == Some(page), page),
            ("page_size", body["page_size"].as_u64() == Some(size), size),
            (
                "total_pages",
                // An empty collection has no pages; a server may still call it one page.
                body["total_pages"]
                    .as_u64()
                    .is_some_and(|p| p == pages || (total == 0 && p == 1)),
                pages,
            ),
        ];
        for (member, ok, wanted) in counts {
            ensure(ok, || {
                exchange.fail(
                    format!("an offset page's `{member}` disagrees with the model"),
                    format!("\"{member}\": {wanted}"),
                    format!("\"{member}\": {}", body[member]),
                )
            })?;
        }
        let from = (page - 1) * size;
        self.items(exchange, body, expected, from as usize, size as usize)
    }

    /// Checks a cursor page; the cursor of the next page when there is one.
    fn cursor_page(
        &self,
        exchange: &Exchange,
        body: &Value,
        expected: &[usize],
        from: usize,
        limit: u8,
    ) -> Result<Option<String>, Failure> {
        let limit = usize::from(limit);
        self.items(exchange, body, expected, from, limit)?;
        let more = from + limit < expected.len();
        let cursor = body["next_cursor"].as_str();
        ensure(
            body["has_next"] == Value::Bool(more) && cursor.is_some() == more,
            || {
                exchange.fail(
                    "a cursor page's has_next or next_cursor disagrees with the model",
                    format!(
                        "\"has_next\": {more} with {} next_cursor ({} users match, this page ends at {})",
                        if more { "a" } else { "a null" },
                        expected.len(),
                        (from + limit).min(expected.len())
                    ),
                    format!(
                        "\"has_next\": {}, \"next_cursor\": {}",
                        body["has_next"], body["next_cursor"]
                    ),
                )
            },
        )?;
        Ok(cursor.map(str::to_owned))
    }
}
