//! The claimer: takes queued runs under a lease for the free worker slots and starts them.
//! With one writer (SQLite) the firing loop and the finisher claim most runs in their own
//! transactions, and this loop takes what they left queued (runs queued by the API, retries
//! coming due).

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
#[derive(Clone)]
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
    /// Claims runs for the free worker slots when woken (runs were queued or outcomes
    /// recorded) and when the earliest queued run comes due, until shutdown.
    ///
    /// It is not woken by each slot that frees: a slot frees when its attempt stops
    /// executing, before its outcome is recorded, and the run still counts as running for its
    /// task's overlap policy and its tenant's cap until then. Claiming after the finisher's
    /// commit takes the slots a whole batch freed in one transaction, instead of one
    /// transaction per slot.
    pub(crate) async fn run(self) {
        let mut backoff = Backoff::default();
        // Runs may wait from before the start.
        let mut wait = Duration::ZERO;
        loop {
            if !wait.is_zero() {
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = self.wake.runs() => {}
                    () = self.stop.stopping() => return,
                }
            }
            if self.stop.is_stopping() {
                return;
            }
            let taken = self.pool.free_capacity();
            let now = self.clock.now();
            if taken.workers() == 0 {
                // Every slot is busy; recording their outcomes wakes this loop (or, with one
                // writer, claims for the slots itself) for the runs due by then. A run that
                // comes due later, fired ahead of its instant, is this loop's to claim then.
                wait = self.until_next_queued(now, &mut backoff).await;
                continue;
            }
            let free = taken.workers();
            wait = match self.store.claim(now, self.terms.request(&taken)).await {
                Ok(runs) => {
                    backoff.succeeded();
                    let claimed = runs.len();
                    self.pool.start_all(runs, taken);
                    if claimed == free {
                        // More may wait: look again (with the slots still free, if any).
                        Duration::ZERO
                    } else {
                        self.until_next_queued(now, &mut backoff).await
                    }
                }
                Err(e) => {
                    drop(taken);
                    let wait = backoff.failed();
                    tracing::warn!(error = %e, retry_in = ?wait, "claiming runs failed");
                    // The whole backoff, whatever wakes this loop meanwhile.
                    self.stop.pause(wait).await;
                    Duration::ZERO
                }
            };
        }
    }

    /// How long to wait after a claim that left slots free: until the earliest queued run
    /// comes due, or, when one is due but was not claimable (its tenant at its cap, no free
    /// sandbox, only reserved room left), until a finishing run wakes this loop.
    async fn until_next_queued(&self, now: jiff::Timestamp, backoff: &mut Backoff) -> Duration {
        match self.store.next_queued().await {
            Ok(Some(next)) if next <= now => self.max_idle,
            Ok(next) => wait_for(&*self.clock, next, self.max_idle),
            Err(e) => {
                let wait = backoff.failed();
                tracing::warn!(error = %e, retry_in = ?wait, "reading the next queued instant failed");
                wait
            }
        }
    }
}
