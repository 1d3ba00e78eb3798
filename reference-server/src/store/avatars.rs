//! Avatars (CONTRACT §14), keyed by their user's id: one type tag and the image's bytes. The
//! store holds them itself, so nothing a client names ever reaches the file system.

use sled::transaction::{ConflictableTransactionError, Transactional};

use super::{Store, StoreError};
use crate::domain::avatar::Image;

impl Store {
    /// Stores a user's avatar in place of any other; false when there is no such user.
    /// Answered once durable.
    pub async fn put_avatar(
        &self,
        user_id: u64,
        image: Image,
        bytes: &[u8],
    ) -> Result<bool, StoreError> {
        let mut value = Vec::with_capacity(bytes.len() + 1);
        value.push(image.tag());
        value.extend_from_slice(bytes);
        let key = user_id.to_be_bytes();
        let stored = (&self.users, &self.avatars).transaction(|(users, avatars)| {
            if users.get(key)?.is_none() {
                return Ok(false);
            }
            avatars.insert(&key, value.as_slice())?;
            Ok::<_, ConflictableTransactionError<StoreError>>(true)
        })?;
        if stored {
            self.flusher.durable().await?;
        }
        Ok(stored)
    }

    /// A user's avatar: its type and bytes.
    pub fn avatar(&self, user_id: u64) -> Result<Option<(Image, Vec<u8>)>, StoreError> {
        let Some(value) = self.avatars.get(user_id.to_be_bytes())? else {
            return Ok(None);
        };
        let image = value.first().and_then(|t| Image::from_tag(*t));
        Ok(image.map(|image| (image, value[1..].to_vec())))
    }

    /// Removes a user's avatar; false when there was none. Answered once durable.
    pub async fn delete_avatar(&self, user_id: u64) -> Result<bool, StoreError> {
        let removed = self.avatars.remove(user_id.to_be_bytes())?.is_some();
        if removed {
            self.flusher.durable().await?;
        }
        Ok(removed)
    }
}
