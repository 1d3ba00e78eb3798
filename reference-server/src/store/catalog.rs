//! The in-memory catalog behind `GET /users`: per user only what filters and sorts read, and the
//! ids in each sort order, so that a page is a slice or a binary search instead of a scan of sled.
//! The records stay in sled and a page fetches its own by id.
//!
//! At n users: an unfiltered offset page costs O(page_size) (a slice of an ordered id list), a
//! cursor page a binary search plus O(limit), a filtered page a scan of the entries in memory,
//! O(n): at 100,000 users a few milliseconds for `role` or `is_active`, 10 to 20 for a `search`.
//! A write moves its id in each list, a memmove of up to n ids (tens of microseconds at 100,000),
//! small beside the flush it waits for. Memory is about 110 bytes a user.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::RwLock;

use time::OffsetDateTime;

use super::StoreError;
use crate::domain::{Direction, Filter, Position, Sort, SortKey, User};
use entry::{Entry, Matcher};

mod entry;

/// Ids are assigned by the store, never chosen by clients, so they need no protection against
/// hash flooding: a multiplicative hash spreads them over the table for a fraction of SipHash's
/// cost, which a filtered scan pays once per user.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64((self.0 << 8) | u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

struct Index {
    entries: HashMap<u64, Entry, BuildHasherDefault<IdHasher>>,
    /// The ids in ascending order of each sort key (`SortKey as usize`), ties by id.
    lists: [Vec<u64>; 4],
    changed: OffsetDateTime,
}

impl Index {
    fn entry(&self, id: u64) -> &Entry {
        self.entries.get(&id).expect("every listed id has an entry")
    }

    fn cmp(&self, key: SortKey, a: u64, b: u64) -> Ordering {
        self.entry(a).cmp_entry(key, self.entry(b)).then(a.cmp(&b))
    }

    fn cmp_position(&self, key: SortKey, id: u64, at: &Position) -> Ordering {
        self.entry(id).cmp_value(key, &at.key).then(id.cmp(&at.id))
    }

    fn insert(&mut self, id: u64, entry: Entry) {
        self.entries.insert(id, entry);
        for key in SortKey::ALL {
            let list = &self.lists[key as usize];
            let at = list.partition_point(|&other| self.cmp(key, other, id) == Ordering::Less);
            self.lists[key as usize].insert(at, id);
        }
    }

    fn remove(&mut self, id: u64) {
        if !self.entries.contains_key(&id) {
            return;
        }
        for key in SortKey::ALL {
            let list = &self.lists[key as usize];
            let at = list.partition_point(|&other| self.cmp(key, other, id) == Ordering::Less);
            if list.get(at) == Some(&id) {
                self.lists[key as usize].remove(at);
            }
        }
        self.entries.remove(&id);
    }

    /// The ids of `list` from index `from` on in the sort's direction (backwards from `from`, not
    /// including it, when descending).
    fn walk<'a>(&'a self, sort: Sort, from: usize) -> Box<dyn Iterator<Item = u64> + 'a> {
        let list = &self.lists[sort.key as usize];
        match sort.direction {
            Direction::Asc => Box::new(list[from..].iter().copied()),
            Direction::Desc => Box::new(list[..from].iter().rev().copied()),
        }
    }
}

/// The ids of an offset page and the number of users that match in all.
pub struct Slice {
    pub ids: Vec<u64>,
    pub total: u64,
}

/// The ids of a cursor page, the position of its last, and whether more follow.
pub struct Run {
    pub ids: Vec<u64>,
    pub last: Option<Position>,
    pub more: bool,
}

pub struct Catalog(RwLock<Index>);

impl Catalog {
    /// The catalog of `users`, read one at a time so that opening a large store does not hold
    /// every record in memory at once.
    pub fn build(
        users: impl IntoIterator<Item = Result<User, StoreError>>,
    ) -> Result<Catalog, StoreError> {
        let mut entries = HashMap::default();
        let mut changed = OffsetDateTime::UNIX_EPOCH;
        for user in users {
            let user = user?;
            changed = changed.max(user.updated_at);
            entries.insert(user.id, Entry::of(&user));
        }
        let mut index = Index {
            entries,
            lists: Default::default(),
            changed,
        };
        let mut ids: Vec<u64> = index.entries.keys().copied().collect();
        for key in SortKey::ALL {
            ids.sort_unstable_by(|&a, &b| index.cmp(key, a, b));
            index.lists[key as usize] = ids.clone();
        }
        Ok(Catalog(RwLock::new(index)))
    }

    /// Sets user `id`'s entry from what `read` finds in the store now. It reads under the write
    /// lock, so of two racing writes to one user the later refresh reads the later record: the
    /// catalog ends with the latest whatever order the writers commit and refresh in.
    pub fn refresh(
        &self,
        id: u64,
        read: impl FnOnce() -> Result<Option<User>, StoreError>,
    ) -> Result<(), StoreError> {
        let mut index = self.0.write().unwrap_or_else(|e| e.into_inner());
        let user = read()?;
        // A write's own time is its record's `updated_at`, which every change moves (USR-17); a
        // write that changed nothing leaves the collection's time alone.
        let changed = match &user {
            Some(user) => user.updated_at,
            None if index.entries.contains_key(&id) => OffsetDateTime::now_utc(),
            None => return Ok(()),
        };
        index.changed = index.changed.max(changed);
        match user.map(|user| Entry::of(&user)) {
            // Nothing a sort reads changed: the lists stay as they are.
            Some(new)
                if index
                    .entries
                    .get(&id)
                    .is_some_and(|old| old.same_order(&new)) =>
            {
                index.entries.insert(id, new);
            }
            current => {
                index.remove(id);
                if let Some(entry) = current {
                    index.insert(id, entry);
                }
            }
        }
        Ok(())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Index> {
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }

    /// How many users the catalog holds.
    pub fn len(&self) -> usize {
        self.read().entries.len()
    }

    /// When the collection last changed: the latest `updated_at` of a user written, or the time
    /// of the latest delete.
    pub fn last_modified(&self) -> OffsetDateTime {
        self.read().changed
    }

    /// `limit` matching ids from the `offset`-th on, in the sort's order.
    pub fn page(&self, sort: Sort, filter: &Filter, offset: u64, limit: usize) -> Slice {
        let index = self.read();
        let list = &index.lists[sort.key as usize];
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        if *filter == Filter::default() {
            let end = offset.saturating_add(limit).min(list.len());
            let ids = (offset.min(end)..end)
                .map(|i| match sort.direction {
                    Direction::Asc => list[i],
                    Direction::Desc => list[list.len() - 1 - i],
                })
                .collect();
            return Slice {
                ids,
                total: list.len() as u64,
            };
        }
        let from = match sort.direction {
            Direction::Asc => 0,
            Direction::Desc => list.len(),
        };
        let (mut ids, mut total) = (Vec::with_capacity(limit), 0usize);
        let matcher = Matcher::new(filter);
        for id in index.walk(sort, from) {
            if !index.entry(id).matches(&matcher) {
                continue;
            }
            if total >= offset && ids.len() < limit {
                ids.push(id);
            }
            total += 1;
        }
        Slice {
            ids,
            total: total as u64,
        }
    }

    /// Up to `limit` matching ids after `after` (from the start without one), in the sort's order.
    pub fn after(
        &self,
        sort: Sort,
        filter: &Filter,
        after: Option<&Position>,
        limit: usize,
    ) -> Run {
        let index = self.read();
        let list = &index.lists[sort.key as usize];
        let from = match (sort.direction, after) {
            (Direction::Asc, None) => 0,
            (Direction::Desc, None) => list.len(),
            (Direction::Asc, Some(at)) => list
                .partition_point(|&id| index.cmp_position(sort.key, id, at) != Ordering::Greater),
            (Direction::Desc, Some(at)) => {
                list.partition_point(|&id| index.cmp_position(sort.key, id, at) == Ordering::Less)
            }
        };
        let matcher = Matcher::new(filter);
        let mut ids: Vec<u64> = index
            .walk(sort, from)
            .filter(|&id| index.entry(id).matches(&matcher))
            .take(limit + 1)
            .collect();
        let more = ids.len() > limit;
        ids.truncate(limit);
        let last = ids.last().map(|&id| Position {
            key: index.entry(id).value(sort.key),
            id,
        });
        Run { ids, last, more }
    }

    /// Where user `id` stands in `key`'s order, if the catalog holds it.
    pub fn position(&self, key: SortKey, id: u64) -> Option<Position> {
        let index = self.read();
        index.entries.get(&id).map(|entry| Position {
            key: entry.value(key),
            id,
        })
    }
}

#[cfg(test)]
mod tests;
