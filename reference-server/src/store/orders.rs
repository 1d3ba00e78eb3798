//! Orders (CONTRACT §11), keyed by the big-endian pair (user id, order id): a user's orders are
//! one contiguous range of the tree, in id order, and no lookup can cross to another user's.

use sled::transaction::{ConflictableTransactionError, Transactional};

use super::{Store, StoreError};
use crate::domain::Order;

fn key(user_id: u64, id: u64) -> [u8; 16] {
    let mut key = [0; 16];
    key[..8].copy_from_slice(&user_id.to_be_bytes());
    key[8..].copy_from_slice(&id.to_be_bytes());
    key
}

fn decode(bytes: &[u8]) -> Result<Order, StoreError> {
    Ok(serde_json::from_slice(bytes)?)
}

impl Store {
    /// Adds an order, built from the id the store allocates, to a user that exists when it is
    /// written; answered once durable. `None` when there is no such user.
    pub async fn create_order(
        &self,
        user_id: u64,
        build: impl FnOnce(u64) -> Order,
    ) -> Result<Option<Order>, StoreError> {
        let order = build(self.db.generate_id()? + 1);
        let value = serde_json::to_vec(&order)?;
        let placed = (&self.users, &self.orders).transaction(|(users, orders)| {
            // In the same transaction as the insert, so a concurrent delete of the user cannot
            // leave an order behind it.
            if users.get(user_id.to_be_bytes())?.is_none() {
                return Ok(false);
            }
            orders.insert(&key(user_id, order.id), value.as_slice())?;
            Ok::<_, ConflictableTransactionError<StoreError>>(true)
        })?;
        if !placed {
            return Ok(None);
        }
        self.flusher.durable().await?;
        Ok(Some(order))
    }

    /// One order of one user; `None` for an order of another user too.
    pub fn order(&self, user_id: u64, id: u64) -> Result<Option<Order>, StoreError> {
        self.orders
            .get(key(user_id, id))?
            .map(|b| decode(&b))
            .transpose()
    }

    /// The order with this id, whoever's it is: the lookup of an implementation that forgets
    /// the user (ORD-04 broken, and a bug of `conformance/tests/bugs/orders.rs`).
    pub fn order_by_id(&self, id: u64) -> Result<Option<Order>, StoreError> {
        for value in self.orders.iter().values() {
            let order = decode(&value?)?;
            if order.id == id {
                return Ok(Some(order));
            }
        }
        Ok(None)
    }

    /// The orders of a user at positions `offset..offset + limit` in id order, and how many the
    /// user has.
    pub fn orders_of(
        &self,
        user_id: u64,
        offset: u64,
        limit: usize,
    ) -> Result<(Vec<Order>, u64), StoreError> {
        let prefix = user_id.to_be_bytes();
        let total = self.orders.scan_prefix(prefix).count() as u64;
        let orders = self
            .orders
            .scan_prefix(prefix)
            .values()
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(limit)
            .map(|v| decode(&v?))
            .collect::<Result<_, _>>()?;
        Ok((orders, total))
    }

    /// Removes the orders of a deleted user. Once the user is gone they are unreachable already
    /// (every route finds the user first), so this only reclaims their space.
    pub(super) fn drop_orders(&self, user_id: u64) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        for entry in self.orders.scan_prefix(user_id.to_be_bytes()).keys() {
            batch.remove(entry?);
        }
        self.orders.apply_batch(batch)?;
        Ok(())
    }
}
