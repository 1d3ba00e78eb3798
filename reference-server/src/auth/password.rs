//! Argon2id hashing on a fixed pool of one thread per core, each hashing in memory blocks of
//! its own that it keeps from one hash to the next: the memory is the pool's threads times the
//! memory cost, whatever the load. Allocating the blocks for every hash instead left them spread
//! over the allocator's arenas (measured: a peak RSS of 1.3 GiB during sign-ups at 16
//! connections on tokio's blocking pool, 450 MiB on this pool; the figures with kept blocks are
//! in PERFORMANCE.md).

use std::cell::RefCell;
use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::oneshot;

use crate::PasswordCost;

/// Lowers the calling thread's priority below the runtime's (nice 10, `nice`'s own default), so
/// that hashing takes only the CPU that requests leave: sign-ups alone still get every core, but
/// under a mixed load they queue behind the reads instead of starving them.
fn yield_to_requests() {
    // On Linux a nice value is a thread's own, and `None` names the calling thread.
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::process::setpriority_process(None, 10) {
        tracing::warn!(error = %e, "the hashing threads keep the runtime's priority");
    }
}

#[derive(Clone)]
pub struct Hasher {
    params: Params,
    pool: Arc<rayon::ThreadPool>,
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
        let pool = rayon::ThreadPoolBuilder::new()
            .thread_name(|n| format!("argon2-{n}"))
            .start_handler(|_| yield_to_requests())
            .build()
            .expect("the hashing threads start");
        // On the pool too, so that no other thread keeps blocks.
        let dummy = pool
            .install(|| Self::hash_with(&params, "not a password of anyone's"))
            .expect("hashing works");
        Hasher {
            params,
            pool: Arc::new(pool),
            dummy: Arc::new(dummy),
        }
    }

    /// A new PHC string for `password`.
    fn hash_with(params: &Params, password: &str) -> Result<String, argon2::password_hash::Error> {
        let salt = SaltString::generate(&mut OsRng);
        let (algorithm, version) = (Algorithm::Argon2id, Version::V0x13);
        let output = compute(
            algorithm,
            version,
            params,
            password.as_bytes(),
            salt.as_salt(),
        )?;
        let hash = PasswordHash {
            algorithm: algorithm.ident(),
            version: Some(version.into()),
            params: ParamsString::try_from(params)?,
            salt: Some(salt.as_salt()),
            hash: Some(output),
        };
        Ok(hash.to_string())
    }

    /// Whether `password` is the one `hash` (a PHC string) was made from.
    fn matches(hash: &PasswordHash<'_>, password: &str) -> Option<bool> {
        let algorithm = Algorithm::try_from(hash.algorithm).ok()?;
        let version = match hash.version {
            Some(v) => Version::try_from(v).ok()?,
            None => Version::default(),
        };
        let params = Params::try_from(hash).ok()?;
        let computed =
            compute(algorithm, version, &params, password.as_bytes(), hash.salt?).ok()?;
        // `Output`'s equality takes the same time whatever the bytes.
        Some(hash.hash? == computed)
    }

    /// Runs `work` on the pool; the async side only waits, so hashing never holds the runtime.
    async fn on_pool<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let (done, outcome) = oneshot::channel();
        self.pool.spawn(move || {
            let _ = done.send(work());
        });
        outcome.await.ok()
    }

    pub async fn hash(&self, password: String) -> Result<String, String> {
        let params = self.params.clone();
        self.on_pool(move || Self::hash_with(&params, &password))
            .await
            .ok_or("the hashing thread stopped")?
            .map_err(|e| e.to_string())
    }

    /// Checks `password` against `hash`, or against a dummy hash when there is no user, so
    /// that an unknown username costs the same Argon2 work as a wrong password (AUTH-03).
    pub async fn verify(&self, password: String, hash: Option<String>) -> Verification {
        let refused = Verification {
            matches: false,
            cost: None,
        };
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy.to_string());
        let outcome = self
            .on_pool(move || {
                let parsed = PasswordHash::new(&hash).ok()?;
                let cost = Cost::of(&parsed)?;
                let matches = Self::matches(&parsed, &password).unwrap_or(false);
                Some(Verification {
                    matches,
                    cost: Some(cost),
                })
            })
            .await
            .flatten()
            .unwrap_or(refused);
        Verification {
            matches: outcome.matches && known,
            ..outcome
        }
    }
}

thread_local! {
    /// The memory blocks of the hashing thread this runs on, kept for its next hash.
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Argon2's output for `password` and the base64 `salt`, as `PasswordHasher::hash_password`
/// computes it, in the calling thread's own blocks. Every block is written before it is read, so
/// what an earlier hash left in them does not matter.
fn compute(
    algorithm: Algorithm,
    version: Version,
    params: &Params,
    password: &[u8],
    salt: Salt<'_>,
) -> argon2::password_hash::Result<Output> {
    let mut salt_bytes = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_bytes)?;
    let argon = Argon2::new(algorithm, version, params.clone());
    let length = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    BLOCKS.with_borrow_mut(|blocks| {
        blocks.resize(params.block_count(), Block::default());
        Output::init_with(length, |out| {
            argon
                .hash_password_into_with_memory(password, salt, out, &mut blocks[..])
                .map_err(Into::into)
        })
    })
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

    /// Stored hashes were made by the crate's own `hash_password`: the kept blocks must compute
    /// exactly what it computes, both ways, and refuse a wrong password.
    #[test]
    fn hashes_in_kept_blocks_are_the_crates_own() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let params = Params::new(1024, 2, 1, None).unwrap();
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let salt = SaltString::generate(&mut OsRng);
        let theirs = argon
            .hash_password(b"Passw0rd!", &salt)
            .unwrap()
            .to_string();
        let parsed = PasswordHash::new(&theirs).unwrap();
        assert_eq!(Hasher::matches(&parsed, "Passw0rd!"), Some(true));
        assert_eq!(Hasher::matches(&parsed, "Passw0rd?"), Some(false));
        // Another cost in the same thread's blocks, then this one again.
        let ours = Hasher::hash_with(&Params::new(2048, 1, 1, None).unwrap(), "x").unwrap();
        assert_eq!(
            Hasher::matches(&PasswordHash::new(&ours).unwrap(), "x"),
            Some(true)
        );
        let ours = Hasher::hash_with(&params, "Passw0rd!").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(argon.verify_password(b"Passw0rd!", &parsed).is_ok());
        assert!(argon.verify_password(b"Passw0rd?", &parsed).is_err());
    }

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
