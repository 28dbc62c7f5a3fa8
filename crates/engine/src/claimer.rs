//! The claimer: while a worker slot is free, takes queued runs under a lease and starts them.
//! With one writer (SQLite) the firing loop claims most runs itself and wakes this loop only
//! for those it left queued.

use std::sync::Arc;
use std::time::Duration;

use domain::Clock;
use jiff::SignedDuration;
use store::{ClaimRequest, ClaimStore};

use crate::Wakeup;
use crate::backoff::Backoff;
use crate::pool::WorkerPool;
use crate::stop::{Stop, wait_for};

/// Whose leases claimed runs are held under, for how long, and the per-tenant cap.
#[derive(Debug, Clone)]
pub(crate) struct ClaimTerms {
    /// This node.
    pub(crate) owner: String,
    /// How long a lease lasts without a heartbeat.
    pub(crate) lease: SignedDuration,
    /// Most runs one tenant may have running at once (`None`: no cap).
    pub(crate) per_tenant: Option<u32>,
}

impl ClaimTerms {
    /// A claim of at most `limit` runs on these terms.
    pub(crate) fn request(&self, limit: usize) -> ClaimRequest<'_> {
        ClaimRequest {
            owner: &self.owner,
            lease: self.lease,
            limit: u32::try_from(limit).unwrap_or(u32::MAX),
            per_tenant: self.per_tenant,
        }
    }
}

/// What the claimer uses.
pub(crate) struct Claimer {
    pub(crate) store: Arc<dyn ClaimStore>,
    pub(crate) pool: WorkerPool,
    pub(crate) terms: ClaimTerms,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) wake: Wakeup,
    pub(crate) stop: Stop,
    /// Longest sleep without a wake-up.
    pub(crate) max_idle: Duration,
}

impl Claimer {
    /// Claims runs while a worker slot is free, until shutdown.
    pub(crate) async fn run(self) {
        let mut backoff = Backoff::default();
        loop {
            let first = tokio::select! {
                slot = self.pool.slot() => match slot {
                    Some(slot) => slot,
                    None => return,
                },
                () = self.stop.stopping() => return,
            };
            let mut taken = vec![first];
            taken.extend(self.pool.free_slots());
            let now = self.clock.now();
            match self.store.claim(now, self.terms.request(taken.len())).await {
                Ok(runs) if !runs.is_empty() => {
                    backoff.succeeded();
                    self.pool.start_all(runs, taken);
                }
                Ok(_) => {
                    backoff.succeeded();
                    drop(taken);
                    let wait = match self.store.next_queued().await {
                        // Due but not claimable (its tenant is at its cap of running runs): a
                        // finishing run wakes this loop, so wait for that, not for the instant.
                        Ok(Some(next)) if next <= now => self.max_idle,
                        Ok(next) => wait_for(&*self.clock, next, self.max_idle),
                        Err(e) => {
                            let wait = backoff.failed();
                            tracing::warn!(error = %e, retry_in = ?wait, "reading the next queued instant failed");
                            wait
                        }
                    };
                    tokio::select! {
                        () = tokio::time::sleep(wait) => {}
                        () = self.wake.runs() => {}
                        () = self.stop.stopping() => return,
                    }
                }
                Err(e) => {
                    drop(taken);
                    let wait = backoff.failed();
                    tracing::warn!(error = %e, retry_in = ?wait, "claiming runs failed");
                    self.stop.pause(wait).await;
                }
            }
        }
    }
}
