//! The users read lately, decoded: most requests read their caller's record and often the same
//! few others, and decoding a record is most of what a read of sled costs.
//!
//! A write forgets its user once it has committed, before it is acknowledged, so a read that
//! starts after the acknowledgement never sees the old record. A read that raced a write could
//! still put back what it decoded before the write: so a read keeps its record only if no write
//! committed between the read's start and the moment its record is in, and takes it out again
//! otherwise (a write after that point forgets it itself).

use std::sync::atomic::{AtomicU64, Ordering};

use quick_cache::sync::Cache;

use crate::domain::User;

/// About one per client active at once, as for verified tokens: a few MiB.
const KEPT: usize = 4096;

pub struct Recent {
    users: Cache<u64, User>,
    /// Writes committed so far, to any user.
    writes: AtomicU64,
}

impl Default for Recent {
    fn default() -> Recent {
        Recent {
            users: Cache::new(KEPT),
            writes: AtomicU64::new(0),
        }
    }
}

impl Recent {
    /// The user `id`, from memory or else from `read`.
    pub fn get<E>(
        &self,
        id: u64,
        read: impl FnOnce() -> Result<Option<User>, E>,
    ) -> Result<Option<User>, E> {
        if let Some(user) = self.users.get(&id) {
            return Ok(Some(user));
        }
        let before = self.writes.load(Ordering::SeqCst);
        let Some(user) = read()? else {
            return Ok(None);
        };
        self.users.insert(id, user.clone());
        if self.writes.load(Ordering::SeqCst) != before {
            self.users.remove(&id);
        }
        Ok(Some(user))
    }

    /// Called once a write to user `id` has committed.
    pub fn forget(&self, id: u64) {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.users.remove(&id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str) -> User {
        serde_json::from_value(serde_json::json!({
            "id": 1, "username": name, "email": format!("{name}@example.com"),
            "full_name": null, "age": null, "role": "user", "is_active": true,
            "password_hash": "x", "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z"
        }))
        .unwrap()
    }

    fn name(found: Result<Option<User>, ()>) -> String {
        found.unwrap().unwrap().username.as_str().to_owned()
    }

    #[test]
    fn a_read_that_raced_a_write_keeps_nothing() {
        let recent = Recent::default();
        // The read decoded the record as it was before the write, which committed meanwhile.
        let raced = recent.get(1, || {
            recent.forget(1);
            Ok::<_, ()>(Some(user("before")))
        });
        assert_eq!(name(raced), "before");
        assert_eq!(name(recent.get(1, || Ok(Some(user("after"))))), "after");
    }

    #[test]
    fn a_write_forgets_what_was_read_before_it() {
        let recent = Recent::default();
        assert_eq!(name(recent.get(1, || Ok(Some(user("before"))))), "before");
        assert_eq!(name(recent.get(1, || Ok(Some(user("unread"))))), "before");
        recent.forget(1);
        assert_eq!(name(recent.get(1, || Ok(Some(user("after"))))), "after");
    }
}
