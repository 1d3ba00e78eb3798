//! Group commit: a write is acknowledged only after a sled flush that started after it, and all
//! writers waiting at the same time share one flush, so durability does not serialize writers.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sled::Db;
use tokio::sync::{Notify, watch};

/// Progress of the flusher: tickets up to `flushed` are durable; a failed flush fails the
/// tickets it would have covered.
#[derive(Clone, Copy, Default)]
struct Progress {
    flushed: u64,
    failed_through: u64,
}

pub struct Flusher {
    requested: Arc<AtomicU64>,
    /// Flushes that succeeded: against `requested`, how many writes each flush carried.
    flushes: Arc<AtomicU64>,
    wake: Arc<Notify>,
    progress: watch::Receiver<Progress>,
    task: tokio::task::JoinHandle<()>,
}

impl Flusher {
    pub fn start(db: Db) -> Flusher {
        let requested = Arc::new(AtomicU64::new(0));
        let wake = Arc::new(Notify::new());
        let (tx, progress) = watch::channel(Progress::default());
        let flushes = Arc::new(AtomicU64::new(0));
        let (req, w, done) = (requested.clone(), wake.clone(), flushes.clone());
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = w.notified() => {}
                    // The store is gone: release the database so it can be opened again.
                    _ = tx.closed() => break,
                }
                // Every ticket taken before this load was taken after its write, so this flush
                // covers all of them.
                let upto = req.load(Ordering::SeqCst);
                let result = db.flush_async().await;
                if result.is_ok() {
                    done.fetch_add(1, Ordering::Relaxed);
                }
                tx.send_modify(|p| match &result {
                    Ok(_) => p.flushed = upto,
                    Err(_) => p.failed_through = upto,
                });
                if let Err(e) = result {
                    tracing::error!(error = %e, "store flush failed");
                }
            }
        });
        Flusher {
            requested,
            flushes,
            wake,
            progress,
            task,
        }
    }

    /// Writes that asked to be durable, and the flushes that made them so: the ratio is what
    /// group commit saves.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.requested.load(Ordering::Relaxed),
            self.flushes.load(Ordering::Relaxed),
        )
    }

    /// Stops the flusher and waits until it has let go of the database.
    pub async fn close(self) {
        drop(self.progress);
        let _ = self.task.await;
    }

    /// Waits until everything written before the call is on disk.
    pub async fn durable(&self) -> Result<(), sled::Error> {
        let ticket = self.requested.fetch_add(1, Ordering::SeqCst) + 1;
        self.wake.notify_one();
        let mut rx = self.progress.clone();
        let seen = rx
            .wait_for(|p| p.flushed >= ticket || p.failed_through >= ticket)
            .await
            .map(|p| *p)
            .map_err(|_| sled::Error::ReportableBug("flusher stopped".into()))?;
        if seen.flushed >= ticket {
            Ok(())
        } else {
            Err(sled::Error::Io(std::io::Error::other("flush failed")))
        }
    }
}
