//! Argon2id hashing on the blocking pool, bounded so concurrent sign-ups cannot exhaust memory
//! (each hash holds its whole memory cost).

use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::PasswordCost;

#[derive(Clone)]
pub struct Hasher {
    params: Params,
    permits: Arc<Semaphore>,
    /// Verified against when the username is unknown, so both failures cost the same (AUTH-03).
    dummy: Arc<String>,
}

impl Hasher {
    pub fn new(cost: PasswordCost) -> Hasher {
        let params = match cost {
            // OWASP's first Argon2id recommendation: 19 MiB, 2 passes, 1 lane.
            PasswordCost::Owasp => Params::new(19 * 1024, 2, 1, None),
            PasswordCost::Fast => Params::new(1024, 1, 1, None),
        }
        .expect("static argon2 parameters are valid");
        let parallel = std::thread::available_parallelism().map_or(2, |n| n.get());
        let dummy = Self::hash_with(&params, "not a password of anyone's").expect("hashing works");
        Hasher {
            params,
            permits: Arc::new(Semaphore::new(parallel * 2)),
            dummy: Arc::new(dummy),
        }
    }

    fn argon(params: &Params) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
    }

    fn hash_with(params: &Params, password: &str) -> Result<String, argon2::password_hash::Error> {
        let salt = SaltString::generate(&mut OsRng);
        Ok(Self::argon(params)
            .hash_password(password.as_bytes(), &salt)?
            .to_string())
    }

    pub async fn hash(&self, password: String) -> Result<String, String> {
        let _permit = self.permits.acquire().await.map_err(|e| e.to_string())?;
        let params = self.params.clone();
        tokio::task::spawn_blocking(move || Self::hash_with(&params, &password))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())
    }

    /// Checks `password` against `hash`, or against a dummy hash when there is no user.
    pub async fn verify(&self, password: String, hash: Option<String>) -> bool {
        let Ok(_permit) = self.permits.acquire().await else {
            return false;
        };
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy.to_string());
        let params = self.params.clone();
        let ok = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|h| {
                    Self::argon(&params)
                        .verify_password(password.as_bytes(), &h)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        ok && known
    }
}
