//! The sled store: users keyed by big-endian id (so iteration is id order) with two unique
//! indexes, kept consistent by multi-tree transactions (USR-04, USR-05, USR-18), and an in-memory
//! catalog that lists pages without scanning (CONTRACT §7).

mod api_keys;
mod avatars;
mod catalog;
mod flusher;
mod idempotency;
mod jobs;
mod listing;
mod orders;
mod recent;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};
use sled::{Db, Tree};

use crate::domain::job::{Job, Kind as JobKind};
use crate::domain::{Filter, Sort, User};
use crate::violations::Violations;
use catalog::Catalog;
use flusher::Flusher;
pub use idempotency::Idempotency;
pub use listing::Listing;
use recent::Recent;

/// Which unique index a write collided with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unique {
    Username,
    Email,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the {0:?} is taken")]
    Conflict(Unique),
    #[error("sled: {0}")]
    Sled(#[from] sled::Error),
    #[error("corrupt record: {0}")]
    Codec(#[from] serde_json::Error),
    /// The record is not in the state the request was conditional on (HTTP-03).
    #[error("the precondition failed")]
    Precondition,
    /// The idempotency key was already used for a sign-up, which is returned (HTTP-09).
    #[error("the idempotency key was used before")]
    Replay(Box<User>),
    /// The idempotency key was already used with another body (HTTP-09).
    #[error("the idempotency key was used with another body")]
    KeyReused,
}

impl From<TransactionError<StoreError>> for StoreError {
    fn from(e: TransactionError<StoreError>) -> StoreError {
        match e {
            TransactionError::Abort(e) => e,
            TransactionError::Storage(e) => StoreError::Sled(e),
        }
    }
}

pub struct Store {
    db: Db,
    users: Tree,
    by_username: Tree,
    by_email: Tree,
    idempotency: Tree,
    orders: Tree,
    api_keys: Tree,
    api_key_digests: Tree,
    avatars: Tree,
    jobs: Tree,
    job_queue: Tree,
    user_jobs: Tree,
    count: AtomicU64,
    catalog: Catalog,
    recent: Recent,
    flusher: Flusher,
    v: Violations,
}

fn abort(e: StoreError) -> ConflictableTransactionError<StoreError> {
    ConflictableTransactionError::Abort(e)
}

fn encode(user: &User) -> Result<Vec<u8>, ConflictableTransactionError<StoreError>> {
    serde_json::to_vec(user).map_err(|e| abort(e.into()))
}

/// Whether `new` differs from `old` only in the case of its username (a breach's dirty check).
fn only_recased(old: &User, new: &User) -> bool {
    old.username != new.username
        && old.username.key() == new.username.key()
        && old.email == new.email
        && old.full_name == new.full_name
        && old.age == new.age
        && old.role == new.role
        && old.is_active == new.is_active
}

fn decode(bytes: &[u8]) -> Result<User, StoreError> {
    Ok(serde_json::from_slice(bytes)?)
}

impl Store {
    /// Opens (or creates) the store; must run inside a tokio runtime, which hosts the flusher.
    pub fn open(dir: &Path, v: Violations) -> Result<Store, StoreError> {
        // 16 MiB rather than 32: at 100,000 users sled's own structures take some 60 MiB whatever
        // its cache, and the catalog about 11 MiB, so the cache is what can give.
        let db = sled::Config::new()
            .path(dir.join("store"))
            .cache_capacity(16 * 1024 * 1024)
            .open()?;
        let users = db.open_tree("users")?;
        // One scan of the tree builds the catalog and counts the users (`Tree::len` scans too).
        let catalog = Catalog::build(users.iter().values().map(|v| decode(&v?)))?;
        let count = AtomicU64::new(catalog.len() as u64);
        Ok(Store {
            by_username: db.open_tree("by_username")?,
            by_email: db.open_tree("by_email")?,
            idempotency: db.open_tree("idempotency")?,
            orders: db.open_tree("orders")?,
            api_keys: db.open_tree("api_keys")?,
            api_key_digests: db.open_tree("api_key_digests")?,
            avatars: db.open_tree("avatars")?,
            jobs: db.open_tree("jobs")?,
            job_queue: db.open_tree("job_queue")?,
            user_jobs: db.open_tree("user_jobs")?,
            users,
            count,
            catalog,
            recent: Recent::default(),
            flusher: Flusher::start(db.clone()),
            db,
            v,
        })
    }

    fn username_key(&self, user: &User) -> String {
        if self.v.breaks("USR-04") {
            user.username.as_str().to_owned()
        } else {
            user.username.key()
        }
    }

    /// Inserts a new user built from the id the store allocates; answered once durable. With an
    /// idempotency key, the key is recorded in the same transaction, so a sign-up and its key are
    /// durable together or not at all.
    pub async fn create(
        &self,
        build: impl FnOnce(u64) -> User,
        key: Option<&Idempotency>,
    ) -> Result<User, StoreError> {
        self.insert(build, key, true).await
    }

    /// Inserts a user made elsewhere, as an import of existing accounts (or a benchmark's seed)
    /// does: without the welcome a sign-up queues, since the user has not just signed up.
    pub async fn import(&self, build: impl FnOnce(u64) -> User) -> Result<User, StoreError> {
        self.insert(build, None, false).await
    }

    async fn insert(
        &self,
        build: impl FnOnce(u64) -> User,
        key: Option<&Idempotency>,
        welcomed: bool,
    ) -> Result<User, StoreError> {
        let user = build(self.db.generate_id()? + 1);
        let (name, mail) = (self.username_key(&user), user.email.key());
        let email_unique = !self.v.breaks("USR-05");
        if self.v.breaks("USR-18") {
            // Check-then-insert with a gap: the race the transaction exists to prevent.
            if self.by_username.contains_key(&name)? || self.by_email.contains_key(&mail)? {
                return Err(StoreError::Conflict(Unique::Username));
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let racy = self.v.breaks("USR-18");
        let value = serde_json::to_vec(&user)?;
        let id = user.id.to_be_bytes();
        let record = key.map(|k| k.record(&user)).transpose()?;
        // The welcome notification goes into the job queue in the sign-up's own transaction (an
        // outbox): a user is never made without it, nor it without the user.
        let welcome_id = if welcomed {
            self.db.generate_id()? + 1
        } else {
            0
        };
        let welcome = Job::new(welcome_id, user.id, JobKind::Welcome);
        let (welcome_key, welcome_value) =
            (welcome.id.to_be_bytes(), serde_json::to_vec(&welcome)?);
        let welcome_owner = jobs::user_job_key(&welcome);
        let outbox = welcomed && !self.v.breaks("JOB-04");
        let trees = (
            &self.users,
            &self.by_username,
            &self.by_email,
            &self.idempotency,
            &self.jobs,
            &self.job_queue,
            &self.user_jobs,
        );
        trees.transaction(|(users, names, mails, keys, jobs, queue, owners)| {
            if outbox {
                jobs.insert(&welcome_key, welcome_value.as_slice())?;
                queue.insert(&welcome_key, &[])?;
                owners.insert(&welcome_owner, &[])?;
            }
            if let (Some(key), Some(record)) = (key, &record) {
                let earlier = keys.get(key.key())?;
                let replay = earlier.map(|e| key.replay(&e)).transpose().map_err(abort)?;
                if let Some(user) = replay.flatten() {
                    return Err(abort(StoreError::Replay(Box::new(user))));
                }
                keys.insert(key.key(), record.as_slice())?;
            }
            if !racy && names.get(name.as_bytes())?.is_some() {
                return Err(abort(StoreError::Conflict(Unique::Username)));
            }
            if !racy && email_unique && mails.get(mail.as_bytes())?.is_some() {
                return Err(abort(StoreError::Conflict(Unique::Email)));
            }
            names.insert(name.as_bytes(), &id)?;
            mails.insert(mail.as_bytes(), &id)?;
            users.insert(&id, value.as_slice())?;
            Ok(())
        })?;
        self.recent.forget(user.id);
        self.catalog.refresh(user.id, || self.get(user.id))?;
        self.count.fetch_add(1, Ordering::Relaxed);
        self.flusher.durable().await?;
        Ok(user)
    }

    pub fn get(&self, id: u64) -> Result<Option<User>, StoreError> {
        self.recent.get(id, || {
            self.users
                .get(id.to_be_bytes())?
                .map(|b| decode(&b))
                .transpose()
        })
    }

    pub fn find_by_username(&self, username: &str) -> Result<Option<User>, StoreError> {
        match self.by_username.get(username.to_ascii_lowercase())? {
            Some(id) => self.users.get(id)?.map(|b| decode(&b)).transpose(),
            None => Ok(None),
        }
    }

    /// Applies `change` to the current record atomically with its index moves; `None` when the
    /// user no longer exists. `change` may refuse (a failed precondition) and may run more than
    /// once, so it must be pure.
    pub async fn update(
        &self,
        id: u64,
        change: impl Fn(&User) -> Result<User, StoreError>,
    ) -> Result<Option<User>, StoreError> {
        let key = id.to_be_bytes();
        let email_unique = !self.v.breaks("USR-05");
        let updated = (&self.users, &self.by_username, &self.by_email).transaction(
            |(users, names, mails)| {
                let Some(old) = users.get(key)? else {
                    return Ok(None);
                };
                let old = decode(&old).map_err(abort)?;
                let new = change(&old).map_err(abort)?;
                let moves = [
                    (
                        names,
                        self.username_key(&old),
                        // The update's uniqueness lookup compares the name as given.
                        match self.v.breaks("unique-case-sensitive-on-update") {
                            true => new.username.as_str().to_owned(),
                            false => self.username_key(&new),
                        },
                        Unique::Username,
                        true,
                    ),
                    (
                        mails,
                        old.email.key(),
                        new.email.key(),
                        Unique::Email,
                        email_unique,
                    ),
                ];
                for (tree, before, after, which, unique) in moves {
                    if before == after {
                        continue;
                    }
                    if unique && tree.get(after.as_bytes())?.is_some() {
                        return Err(abort(StoreError::Conflict(which)));
                    }
                    // Bug `email-change-keeps-old-email`: the old email's index entry stays.
                    if !(which == Unique::Email && self.v.breaks("email-change-keeps-old-email")) {
                        tree.remove(before.as_bytes())?;
                    }
                    tree.insert(after.as_bytes(), &key)?;
                }
                // Bug `username-case-change-not-stored`: a dirty check on the normalized
                // fields sees no change and skips the write, yet answers the new record.
                if self.v.breaks("username-case-change-not-stored") && only_recased(&old, &new) {
                    return Ok(Some(new));
                }
                users.insert(&key, encode(&new)?)?;
                Ok(Some(new))
            },
        )?;
        self.recent.forget(id);
        // Bug `list-index-stale-on-update`: the catalog learns of sign-ups and deletes only.
        if !self.v.breaks("list-index-stale-on-update") {
            self.catalog.refresh(id, || self.get(id))?;
        }
        if updated.is_some() {
            self.flusher.durable().await?;
        }
        Ok(updated)
    }

    /// Removes a user and its index entries if `allow` accepts the current record (a
    /// precondition); false when there was none.
    pub async fn delete(
        &self,
        id: u64,
        allow: impl Fn(&User) -> Result<(), StoreError>,
    ) -> Result<bool, StoreError> {
        let key = id.to_be_bytes();
        let removed = (&self.users, &self.by_username, &self.by_email).transaction(
            |(users, names, mails)| {
                let Some(old) = users.remove(&key)? else {
                    return Ok(false);
                };
                let old = decode(&old).map_err(abort)?;
                allow(&old).map_err(abort)?;
                // USR-19 broken: a soft delete whose unique indexes still hold the user's
                // username and email, so no one can take them again.
                if !self.v.breaks("USR-19") {
                    names.remove(self.username_key(&old).as_bytes())?;
                    mails.remove(old.email.key().as_bytes())?;
                }
                Ok(true)
            },
        )?;
        self.recent.forget(id);
        // Bug `delete-stays-listed`: the catalog keeps a deleted user's entry.
        if !self.v.breaks("delete-stays-listed") {
            self.catalog.refresh(id, || self.get(id))?;
        }
        if removed {
            self.count.fetch_sub(1, Ordering::Relaxed);
            if !self.v.breaks("ORD-06") {
                self.drop_orders(id)?;
            }
            self.avatars.remove(id.to_be_bytes())?;
            self.drop_jobs(id)?;
            self.flusher.durable().await?;
        }
        Ok(removed)
    }

    /// The sign-up an idempotency key was first used for, if the key is still remembered.
    pub fn idempotent(&self, key: &Idempotency) -> Result<Option<User>, StoreError> {
        match self.idempotency.get(key.key())? {
            Some(earlier) => key.replay(&earlier),
            None => Ok(None),
        }
    }

    /// Number of users.
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// The users at positions `offset..offset + limit` in id order.
    pub fn page(&self, offset: u64, limit: usize) -> Result<Vec<User>, StoreError> {
        let slice = self
            .catalog
            .page(Sort::default(), &Filter::default(), offset, limit);
        self.fetch(&slice.ids)
    }

    /// When the collection last changed (`Last-Modified`): the newest `updated_at` of a user, or
    /// the time of a later delete.
    pub fn last_modified(&self) -> time::OffsetDateTime {
        self.catalog.last_modified()
    }

    /// Durable writes so far and the flushes that carried them (group commit, see `flusher`).
    pub fn durability(&self) -> (u64, u64) {
        self.flusher.counts()
    }

    /// Whether the store answers reads.
    pub fn ready(&self) -> bool {
        self.users.first().is_ok()
    }

    /// Flushes everything written so far and closes the database (shutdown).
    pub async fn close(self) -> Result<(), StoreError> {
        self.db.flush_async().await?;
        self.flusher.close().await;
        Ok(())
    }
}
