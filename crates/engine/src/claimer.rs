//! The claimer: while a worker slot is free, takes queued runs under a lease and starts them.
//! With one writer (SQLite) the firing loop claims most runs itself and wakes this loop only
//! for those it left queued.

use std::sync::Arc;
use std::time::Duration;

use domain::Clock;
use jiff::SignedDuration;
use store::{ClaimRequest, ClaimStore, FairShare};

use crate::Wakeup;
use crate::backoff::Backoff;
use crate::pool::{Capacity, WorkerPool};
use crate::stop::{Stop, wait_for};

/// Whose leases claimed runs are held under, for how long, and how they are shared.
#[derive(Debug, Clone)]
pub(crate) struct ClaimTerms {
    /// This node.
    pub(crate) owner: String,
    /// How long a lease lasts without a heartbeat.
    pub(crate) lease: SignedDuration,
    /// How the node's capacity is shared between tenants.
    pub(crate) share: FairShare,
}

impl ClaimTerms {
    /// A claim on these terms of as many runs as `capacity` has room for.
    pub(crate) fn request(&self, capacity: &Capacity) -> ClaimRequest<'_> {
        ClaimRequest {
            owner: &self.owner,
            lease: self.lease,
            limit: u32::try_from(capacity.workers()).unwrap_or(u32::MAX),
            sandboxes: u32::try_from(capacity.sandboxes()).unwrap_or(u32::MAX),
            share: &self.share,
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
            let taken = self.pool.free_capacity(Some(first));
            let now = self.clock.now();
            match self.store.claim(now, self.terms.request(&taken)).await {
                Ok(runs) if !runs.is_empty() => {
                    backoff.succeeded();
                    self.pool.start_all(runs, taken);
                }
                Ok(_) => {
                    backoff.succeeded();
                    drop(taken);
                    let wait = match self.store.next_queued().await {
                        // Due but not claimable (its tenant at its cap, no free sandbox or only
                        // reserved room left): a finishing run wakes this loop, so wait for
                        // that, not for the instant.
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
