//! Jobs (CONTRACT §15), by id, and the queue of those not finished: written through like every
//! other record, so a job that was accepted is still there, to be run, after a crash, and the
//! worker finds what is left to do without reading the jobs that are done.

use sled::transaction::{ConflictableTransactionError, Transactional};

use super::{Store, StoreError};
use crate::domain::job::{Job, Kind};

/// The index entry that lists a job under its user: the big-endian pair (user id, job id).
pub(super) fn user_job_key(job: &Job) -> [u8; 16] {
    let mut key = [0; 16];
    key[..8].copy_from_slice(&job.user_id.to_be_bytes());
    key[8..].copy_from_slice(&job.id.to_be_bytes());
    key
}

fn decode(bytes: &[u8]) -> Result<Job, StoreError> {
    Ok(serde_json::from_slice(bytes)?)
}

impl Store {
    /// A new pending job for `user_id`, built from the id the store allocates; answered once
    /// durable.
    pub async fn create_job(&self, user_id: u64, kind: Kind) -> Result<Job, StoreError> {
        let job = Job::new(self.db.generate_id()? + 1, user_id, kind);
        self.put_job(&job).await?;
        Ok(job)
    }

    /// Removes a deleted user's jobs, whose exports hold the user's data, with their queue and
    /// index entries.
    pub(super) fn drop_jobs(&self, user_id: u64) -> Result<(), StoreError> {
        let (mut jobs, mut owners) = (sled::Batch::default(), sled::Batch::default());
        let mut queue = sled::Batch::default();
        for key in self.user_jobs.scan_prefix(user_id.to_be_bytes()).keys() {
            let key = key?;
            jobs.remove(&key[8..]);
            queue.remove(&key[8..]);
            owners.remove(key);
        }
        self.jobs.apply_batch(jobs)?;
        self.job_queue.apply_batch(queue)?;
        self.user_jobs.apply_batch(owners)?;
        Ok(())
    }

    /// The jobs of one user of one kind, oldest first.
    pub fn jobs_of(&self, user_id: u64, kind: Kind) -> Result<Vec<Job>, StoreError> {
        let mut jobs = Vec::new();
        for key in self.user_jobs.scan_prefix(user_id.to_be_bytes()).keys() {
            let key = key?;
            if let Some(job) = self.jobs.get(&key[8..])? {
                let job = decode(&job)?;
                if job.kind == kind {
                    jobs.push(job);
                }
            }
        }
        Ok(jobs)
    }

    /// Writes a job as it now stands, in the queue until it is finished; answered once durable.
    pub async fn put_job(&self, job: &Job) -> Result<(), StoreError> {
        let key = job.id.to_be_bytes();
        let value = serde_json::to_vec(job)?;
        let owned = user_job_key(job);
        let trees = (&self.users, &self.jobs, &self.job_queue, &self.user_jobs);
        trees.transaction(|(users, jobs, queue, owners)| {
            // A job whose user was deleted meanwhile goes with the user, as the user's data.
            if users.get(job.user_id.to_be_bytes())?.is_none() {
                jobs.remove(&key)?;
                queue.remove(&key)?;
                owners.remove(&owned)?;
                return Ok(());
            }
            jobs.insert(&key, value.as_slice())?;
            owners.insert(&owned, &[])?;
            match job.status.finished() {
                true => queue.remove(&key)?,
                false => queue.insert(&key, &[])?,
            };
            Ok::<_, ConflictableTransactionError<StoreError>>(())
        })?;
        self.flusher.durable().await?;
        Ok(())
    }

    pub fn job(&self, id: u64) -> Result<Option<Job>, StoreError> {
        self.jobs
            .get(id.to_be_bytes())?
            .map(|b| decode(&b))
            .transpose()
    }

    /// Every job not yet finished, oldest first: those still pending, and those a crash cut
    /// short while running.
    pub fn unfinished(&self) -> Result<Vec<Job>, StoreError> {
        let mut jobs = Vec::new();
        for id in self.job_queue.iter().keys() {
            if let Some(job) = self.jobs.get(id?)? {
                jobs.push(decode(&job)?);
            }
        }
        Ok(jobs)
    }
}
