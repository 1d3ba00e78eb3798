//! Pages of the collection (USR-11, CONTRACT §7): the catalog picks the ids, sled holds the records.

use super::{Store, StoreError};
use crate::domain::{ListQuery, Paging, Position, User};

/// A page as `GET /users` answers it.
#[derive(Debug)]
pub enum Listing {
    /// An offset page and how many users match in all (USR-11, COL-01).
    Page { users: Vec<User>, total: u64 },
    /// A cursor page and, when more follow, the position to resume after (COL-03).
    Run {
        users: Vec<User>,
        next: Option<Position>,
    },
}

impl Store {
    pub fn list(&self, query: &ListQuery) -> Result<Listing, StoreError> {
        let (sort, filter) = (query.sort, &query.filter);
        match query.paging {
            Paging::Offset { page, page_size } => {
                let mut offset = (page - 1).saturating_mul(page_size);
                if self.v.breaks("COL-02") && page > 1 {
                    offset -= 1;
                }
                let slice = self.catalog.page(sort, filter, offset, page_size as usize);
                Ok(Listing::Page {
                    users: self.fetch(&slice.ids)?,
                    total: slice.total,
                })
            }
            Paging::Cursor { served, limit, .. } if self.v.breaks("COL-03") => {
                // The cursor as an offset: a delete before it skips a user, an insert repeats one.
                let slice = self.catalog.page(sort, filter, served, limit as usize);
                let more = served + (slice.ids.len() as u64) < slice.total;
                let next = slice
                    .ids
                    .last()
                    .filter(|_| more)
                    .and_then(|&id| self.catalog.position(sort.key, id));
                Ok(Listing::Run {
                    users: self.fetch(&slice.ids)?,
                    next,
                })
            }
            Paging::Cursor {
                ref after, limit, ..
            } => {
                let run = self
                    .catalog
                    .after(sort, filter, after.as_ref(), limit as usize);
                Ok(Listing::Run {
                    users: self.fetch(&run.ids)?,
                    next: run.last.filter(|_| run.more),
                })
            }
        }
    }

    /// The records of `ids`, in that order. A user deleted since the catalog was read is left
    /// out rather than failing the page; the position of the next page comes from the catalog,
    /// so nothing after it is skipped.
    pub(super) fn fetch(&self, ids: &[u64]) -> Result<Vec<User>, StoreError> {
        ids.iter()
            .filter_map(|&id| self.get(id).transpose())
            .collect()
    }
}
