//! API keys (CONTRACT §13), by id, with an index from the secret's digest to the id.

use sled::transaction::{ConflictableTransactionError, Transactional};

use super::{Store, StoreError};
use crate::domain::api_key::ApiKey;

fn decode(bytes: &[u8]) -> Result<ApiKey, StoreError> {
    Ok(serde_json::from_slice(bytes)?)
}

impl Store {
    /// Adds a key built from the id the store allocates; answered once durable.
    pub async fn create_key(
        &self,
        build: impl FnOnce(u64) -> ApiKey,
    ) -> Result<ApiKey, StoreError> {
        let key = build(self.db.generate_id()? + 1);
        let value = serde_json::to_vec(&key)?;
        let id = key.id.to_be_bytes();
        (&self.api_keys, &self.api_key_digests).transaction(|(keys, digests)| {
            keys.insert(&id, value.as_slice())?;
            digests.insert(key.digest.as_bytes(), &id)?;
            Ok::<_, ConflictableTransactionError<StoreError>>(())
        })?;
        self.flusher.durable().await?;
        Ok(key)
    }

    /// The key whose secret has this digest, unless revoked.
    pub fn key_by_digest(&self, digest: &str) -> Result<Option<ApiKey>, StoreError> {
        match self.api_key_digests.get(digest.as_bytes())? {
            Some(id) => self.api_keys.get(id)?.map(|b| decode(&b)).transpose(),
            None => Ok(None),
        }
    }

    /// Every key, in id order.
    pub fn keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        self.api_keys.iter().values().map(|v| decode(&v?)).collect()
    }

    /// Revokes a key; false when there was none. Answered once durable.
    pub async fn revoke_key(&self, id: u64) -> Result<bool, StoreError> {
        // KEY-04 broken: the revocation is acknowledged and never made.
        if self.v.breaks("KEY-04") {
            return Ok(self.api_keys.contains_key(id.to_be_bytes())?);
        }
        let id = id.to_be_bytes();
        let revoked = (&self.api_keys, &self.api_key_digests).transaction(|(keys, digests)| {
            let Some(old) = keys.remove(&id)? else {
                return Ok(false);
            };
            let old = decode(&old).map_err(ConflictableTransactionError::Abort)?;
            digests.remove(old.digest.as_bytes())?;
            Ok(true)
        })?;
        if revoked {
            self.flusher.durable().await?;
        }
        Ok(revoked)
    }
}
