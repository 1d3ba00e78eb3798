//! The query of `GET /users` (USR-11, CONTRACT §7): paging, sort, filters and field selection,
//! parsed once at the edge, naming every failing parameter (GEN-04). Parameters the contract does
//! not name are ignored.

use super::collection::{Direction, Filter, Position, Sort, SortKey};
use super::cursor::{Cursor, Cursors};
use super::selection::Fields;
use super::{FieldError, Role};
use crate::violations::Violations;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Paging {
    /// `page` and `page_size` (USR-11).
    Offset { page: u64, page_size: u64 },
    /// `limit` items after `after`, or from the start (COL-03). `served` counts what earlier
    /// pages of the walk served; only the COL-03 violation reads it.
    Cursor {
        after: Option<Position>,
        limit: u64,
        served: u64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListQuery {
    pub sort: Sort,
    pub filter: Filter,
    pub paging: Paging,
    pub fields: Option<Fields>,
}

/// The largest `page` (CONTRACT §7): a signed 64-bit page number holds every valid one.
pub const MOST_PAGE: u64 = i64::MAX as u64;

/// An integer as CONTRACT §7 writes one: decimal digits alone, without a sign, a leading zero, a
/// fraction, an exponent or spaces. Digits past `u64` are no integer of any range here.
pub(super) fn integer(raw: &str) -> Option<u64> {
    let canonical = raw.bytes().all(|b| b.is_ascii_digit()) && !raw.starts_with('0');
    canonical.then(|| raw.parse().ok()).flatten()
}

const CURSOR_PARAMETERS: [&str; 2] = ["cursor", "limit"];
const OFFSET_PARAMETERS: [&str; 2] = ["page", "page_size"];

/// The query string as given, and the errors found so far.
struct Params<'a> {
    query: &'a [(String, String)],
    errors: Vec<FieldError>,
}

impl<'a> Params<'a> {
    fn get(&self, name: &str) -> Option<&'a str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn fail(&mut self, name: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(name, message));
    }

    /// An integer from 1 to `max`, or `default` when absent.
    fn integer(&mut self, name: &str, default: u64, max: u64, v: &Violations) -> u64 {
        let Some(raw) = self.get(name) else {
            return default;
        };
        let parsed = if v.breaks("lenient-integers") {
            // What `parseInt` or a trimming parser accepts: a sign, spaces, leading zeros.
            raw.trim().trim_start_matches('+').parse::<u64>().ok()
        } else {
            integer(raw)
        };
        match parsed {
            Some(n) if (1..=max).contains(&n) => n,
            _ => {
                self.fail(name, format!("must be an integer from 1 to {max}"));
                default
            }
        }
    }

    /// `sort` and `order`, when either is given (COL-06).
    fn sort(&mut self, v: &Violations) -> Option<Sort> {
        let (sort, order) = (self.get("sort"), self.get("order"));
        if sort.is_none() && order.is_none() {
            return None;
        }
        let (descending, name) = match sort {
            Some(raw) => raw
                .strip_prefix('-')
                .map_or((false, raw), |name| (true, name)),
            None => (false, "id"),
        };
        let key = SortKey::ALL.into_iter().find(|k| k.name() == name);
        if key.is_none() {
            self.fail(
                "sort",
                "must be one of id, username, email, created_at, optionally prefixed with -",
            );
        }
        let descending = descending && !v.breaks("COL-06");
        let direction = match (order, descending) {
            (None | Some("asc"), false) => Some(Direction::Asc),
            (None, true) | (Some("desc"), _) => Some(Direction::Desc),
            (Some("asc"), true) => {
                self.fail("order", "asc contradicts the - that sort starts with");
                None
            }
            (Some(_), _) => {
                self.fail("order", "must be asc or desc");
                None
            }
        };
        let (key, direction) = (key?, direction?);
        Some(Sort { key, direction })
    }

    /// `role`, `is_active` and `search` (COL-05).
    fn filter(&mut self, v: &Violations) -> Filter {
        let role = self.get("role").map(Role::parse);
        let role = match role {
            Some(Err(e)) => {
                self.fail("role", e);
                None
            }
            other => other.and_then(Result::ok),
        };
        let is_active = match self.get("is_active") {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(_) => {
                self.fail("is_active", "must be true or false");
                None
            }
        };
        // An empty search matches everyone: the same as none.
        let search = self.get("search").filter(|s| !s.is_empty()).map(|s| {
            if v.breaks("COL-05") {
                s.to_owned()
            } else {
                s.to_lowercase()
            }
        });
        Filter {
            role,
            is_active,
            search,
        }
    }

    /// The cursor, which must be one this server issued for the sort and filters the request gives,
    /// if it gives any (COL-04).
    fn cursor(
        &mut self,
        cursors: &Cursors,
        v: &Violations,
        sort: Option<Sort>,
        filter: &Filter,
    ) -> Option<Cursor> {
        let raw = self.get("cursor")?;
        let Some(cursor) = cursors.open(raw, !v.breaks("COL-04")) else {
            self.fail(
                "cursor",
                "is not a cursor this server issued, or was altered",
            );
            return None;
        };
        let differs = sort.is_some_and(|s| s != cursor.sort)
            || filter.role.is_some_and(|r| Some(r) != cursor.filter.role)
            || filter
                .is_active
                .is_some_and(|a| Some(a) != cursor.filter.is_active)
            || filter
                .search
                .as_ref()
                .is_some_and(|s| Some(s) != cursor.filter.search.as_ref());
        if differs {
            self.fail(
                "cursor",
                "was issued for another sort or other filters; give the same or none",
            );
            return None;
        }
        Some(cursor)
    }

    /// Cursor and offset parameters do not mix (COL-03): each one given is named, and no other.
    fn exclusive(&mut self, v: &Violations) {
        let given = |names: [&'static str; 2]| -> Vec<&'static str> {
            names
                .into_iter()
                .filter(|n| self.get(n).is_some())
                .collect()
        };
        let (cursor, offset) = (given(CURSOR_PARAMETERS), given(OFFSET_PARAMETERS));
        if cursor.is_empty() || offset.is_empty() {
            return;
        }
        let named: Vec<&str> = if v.breaks("mixed-paging-names-all-four") {
            CURSOR_PARAMETERS
                .into_iter()
                .chain(OFFSET_PARAMETERS)
                .collect()
        } else if v.breaks("mixed-paging-names-first-pair") {
            vec![cursor[0], offset[0]]
        } else {
            cursor.into_iter().chain(offset).collect()
        };
        for name in named {
            self.fail(
                name,
                "cursor and limit cannot be combined with page and page_size",
            );
        }
    }
}

impl ListQuery {
    pub fn parse(
        query: &[(String, String)],
        cursors: &Cursors,
        v: &Violations,
    ) -> Result<ListQuery, Vec<FieldError>> {
        let mut p = Params {
            query,
            errors: Vec::new(),
        };
        let max_size = if v.breaks("USR-11") { 1000 } else { 100 };
        let page = p.integer("page", 1, MOST_PAGE, v);
        let mut page_size = p.integer("page_size", 20, max_size, v);
        // Read as u64, then narrowed to u32 before the range check: 2^32 + 10 is a page of 10.
        if v.breaks("page-size-truncated-to-u32")
            && let Some(n) = p.get("page_size").and_then(|r| r.parse::<u64>().ok())
            && (1..=100).contains(&(n as u32))
        {
            p.errors.retain(|e| e.field != "page_size");
            page_size = u64::from(n as u32);
        }
        let limit = p.integer("limit", 20, 100, v);
        let sort = p.sort(v);
        let filter = p.filter(v);
        let fields = match Fields::from_query(query, v) {
            Ok(fields) => fields,
            Err(e) => {
                p.errors.push(e);
                None
            }
        };
        let cursor = p.cursor(cursors, v, sort, &filter);
        p.exclusive(v);
        if !p.errors.is_empty() {
            return Err(p.errors);
        }
        let by_cursor = CURSOR_PARAMETERS.iter().any(|n| p.get(n).is_some());
        let (sort, filter, paging) = match cursor {
            Some(c) => (
                c.sort,
                c.filter,
                Paging::Cursor {
                    after: Some(c.after),
                    limit,
                    served: c.served.unwrap_or(0),
                },
            ),
            None if by_cursor => (
                sort.unwrap_or_default(),
                filter,
                Paging::Cursor {
                    after: None,
                    limit,
                    served: 0,
                },
            ),
            None => (
                sort.unwrap_or_default(),
                filter,
                Paging::Offset { page, page_size },
            ),
        };
        Ok(ListQuery {
            sort,
            filter,
            paging,
            fields,
        })
    }
}

#[cfg(test)]
mod tests;
