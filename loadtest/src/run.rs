//! What every persona of one run shares: a run prefix that marks the users it creates, so that
//! they can be told apart on a shared server and removed at the end, and the admin account.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use rand::Rng;
use rand::distr::Alphanumeric;
use serde_json::{Value, json};

/// The password of every user a run creates: it meets the contract's rule (§1).
pub const PASSWORD: &str = "Load-Test-Passw0rd";

/// Kinds of user, in the username after the prefix. Readers and seeds live for the whole run;
/// joiners and made users are deleted while it goes on, so a read of one may find it gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Seed,
    Reader,
    Joiner,
    Made,
    Shopper,
    Listener,
}

impl Kind {
    fn tag(self) -> &'static str {
        match self {
            Kind::Seed => "seed",
            Kind::Reader => "read",
            Kind::Joiner => "join",
            Kind::Made => "made",
            Kind::Shopper => "shop",
            Kind::Listener => "listen",
        }
    }
}

pub struct Run {
    /// `lt` and six random lowercase letters or digits.
    pub prefix: String,
    pub admin_username: String,
    pub admin_password: String,
    pub seed_users: usize,
    next: AtomicU64,
    /// Users this run created (a `201` seen) and removed (a `204` seen), by anyone.
    pub created: AtomicUsize,
    pub removed: AtomicUsize,
    /// Why seeding failed, when it did: goose only says that `test_start` failed.
    pub setup_error: Mutex<Option<String>>,
}

impl Run {
    pub fn new(admin_username: String, admin_password: String, seed_users: usize) -> Run {
        let random: String = rand::rng()
            .sample_iter(Alphanumeric)
            .take(6)
            .map(|c| char::from(c).to_ascii_lowercase())
            .collect();
        Run {
            prefix: format!("lt{random}"),
            admin_username,
            admin_password,
            seed_users,
            next: AtomicU64::new(1),
            created: AtomicUsize::new(0),
            removed: AtomicUsize::new(0),
            setup_error: Mutex::new(None),
        }
    }

    /// A username no other user of this run (or of another run) holds.
    pub fn username(&self, kind: Kind) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        format!("{}_{}{n}", self.prefix, kind.tag())
    }

    /// Whether this run created the user of that name.
    pub fn owns(&self, username: &str) -> bool {
        username
            .strip_prefix(&self.prefix)
            .is_some_and(|rest| rest.starts_with('_'))
    }

    /// Whether a user is one of this run's seeds, which nobody changes or deletes until the
    /// clean-up: a read of one has exactly one right answer.
    pub fn is_seed(&self, username: &str) -> bool {
        username.starts_with(&format!("{}_{}", self.prefix, Kind::Seed.tag()))
    }

    pub fn count(counter: &AtomicUsize) -> usize {
        counter.load(Ordering::Relaxed)
    }

    pub fn add(counter: &AtomicUsize, n: usize) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}

/// The body of a sign-up of `username`, with every optional field set.
pub fn sign_up_body(username: &str) -> Value {
    json!({
        "username": username,
        "email": format!("{username}@loadtest.example.com"),
        "password": PASSWORD,
        "full_name": "Load Test User",
        "age": 33,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_carry_the_prefix_and_never_repeat() {
        let run = Run::new("admin".into(), "x".into(), 0);

        let (a, b) = (run.username(Kind::Joiner), run.username(Kind::Joiner));

        assert_ne!(a, b);
        assert!(run.owns(&a) && !run.is_seed(&a));
        assert!(run.is_seed(&run.username(Kind::Seed)));
        assert!(!run.owns("admin"));
        assert!(a.len() <= 50);
    }
}
