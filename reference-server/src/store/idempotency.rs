//! Idempotency keys of sign-ups (HTTP-09): a key remembers the body it came with (as a
//! fingerprint) and the user it created, for a day.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use super::StoreError;
use crate::domain::User;

/// How long a key is remembered: a client retrying a lost response does so within minutes; a
/// day is what the IETF Idempotency-Key draft and the public APIs that use it suggest.
const KEPT_FOR: Duration = Duration::hours(24);

/// An `Idempotency-Key` and the fingerprint of the request body it came with.
#[derive(Clone, Debug)]
pub struct Idempotency {
    key: String,
    fingerprint: String,
}

#[derive(Serialize, Deserialize)]
struct Record {
    fingerprint: String,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
    user: User,
}

impl Idempotency {
    /// A key and the body it came with, canonicalised (parsed and re-encoded) so that spacing and
    /// member order do not make the same body look different.
    pub fn new(key: &str, body: &serde_json::Value) -> Idempotency {
        let canonical = serde_json::to_vec(body).unwrap_or_default();
        Idempotency {
            key: key.to_owned(),
            fingerprint: hex::encode(Sha256::digest(&canonical)),
        }
    }

    pub(super) fn key(&self) -> &[u8] {
        self.key.as_bytes()
    }

    pub(super) fn record(&self, user: &User) -> Result<Vec<u8>, StoreError> {
        Ok(serde_json::to_vec(&Record {
            fingerprint: self.fingerprint.clone(),
            at: OffsetDateTime::now_utc(),
            user: user.clone(),
        })?)
    }

    /// What an earlier use of this key means now: the user it created when the body is the same,
    /// `KeyReused` when it is not, nothing once the key has expired.
    pub(super) fn replay(&self, earlier: &[u8]) -> Result<Option<User>, StoreError> {
        let record: Record = serde_json::from_slice(earlier)?;
        if OffsetDateTime::now_utc() - record.at > KEPT_FOR {
            return Ok(None);
        }
        if record.fingerprint != self.fingerprint {
            return Err(StoreError::KeyReused);
        }
        Ok(Some(record.user))
    }
}
