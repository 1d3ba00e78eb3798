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

    /// Checks `password` against `hash`, or against a dummy hash when there is no user, so
    /// that an unknown username costs the same Argon2 work as a wrong password (AUTH-03).
    pub async fn verify(&self, password: String, hash: Option<String>) -> Verification {
        let refused = Verification {
            matches: false,
            cost: None,
        };
        let Ok(_permit) = self.permits.acquire().await else {
            return refused;
        };
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy.to_string());
        let params = self.params.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            let parsed = PasswordHash::new(&hash).ok()?;
            let cost = Cost::of(&parsed)?;
            let matches = Self::argon(&params)
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            Some(Verification {
                matches,
                cost: Some(cost),
            })
        })
        .await
        .ok()
        .flatten()
        .unwrap_or(refused);
        Verification {
            matches: outcome.matches && known,
            ..outcome
        }
    }
}

/// What checking a password did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verification {
    /// The password is the user's (never for an unknown user).
    pub matches: bool,
    /// The Argon2 parameters the check ran with; `None` when no hash was computed at all.
    pub cost: Option<Cost>,
}

/// Argon2 parameters as a PHC string records them: memory in KiB, passes, lanes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cost {
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

impl Cost {
    fn of(hash: &PasswordHash<'_>) -> Option<Cost> {
        let params = Params::try_from(hash).ok()?;
        Some(Cost {
            m_kib: params.m_cost(),
            t: params.t_cost(),
            p: params.p_cost(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost_of(hash: &str) -> (Cost, String, Option<u32>) {
        let parsed = PasswordHash::new(hash).expect("a PHC string");
        let (algorithm, version) = (parsed.algorithm.to_string(), parsed.version);
        (
            Cost::of(&parsed).expect("argon2 parameters"),
            algorithm,
            version,
        )
    }

    /// The timing of an unknown username and of a wrong password are alike only if the dummy
    /// is hashed exactly as a user's password is.
    #[tokio::test]
    async fn the_dummy_hash_has_the_algorithm_and_parameters_of_a_real_one() {
        for cost in [PasswordCost::Owasp, PasswordCost::Fast] {
            let hasher = Hasher::new(cost);

            let real = hasher.hash("Passw0rd!".into()).await.unwrap();

            assert_eq!(cost_of(&hasher.dummy), cost_of(&real), "{cost:?}");
        }
        let shipped = cost_of(&Hasher::new(PasswordCost::Owasp).dummy);
        assert_eq!(
            shipped,
            (
                Cost {
                    m_kib: 19 * 1024,
                    t: 2,
                    p: 1
                },
                "argon2id".into(),
                Some(19)
            )
        );
    }

    #[tokio::test]
    async fn an_unknown_user_and_a_wrong_password_run_the_same_verification() {
        let hasher = Hasher::new(PasswordCost::Fast);
        let hash = hasher.hash("Passw0rd!".into()).await.unwrap();

        let unknown = hasher.verify("Passw0rd!".into(), None).await;
        let wrong = hasher
            .verify("Wrong-passw0rd".into(), Some(hash.clone()))
            .await;
        let right = hasher.verify("Passw0rd!".into(), Some(hash)).await;

        assert_eq!(unknown, wrong);
        assert!(unknown.cost.is_some(), "no Argon2 ran for the unknown user");
        assert!(right.matches && right.cost == wrong.cost);
    }
}
