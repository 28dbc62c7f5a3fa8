//! The firing loop: due occurrences become ledger rows, one transaction per batch, which on
//! SQLite also hands the new runs to the free worker slots.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use store::{ClaimRequest, FireReport, StoreError};

use crate::backoff::Backoff;
use crate::policy::Planner;
use crate::pool;
use crate::timing::{TimingIndex, WINDOW};
use crate::{ClaimMode, Shared};

/// Pause before firing a task again that another transaction held (a few milliseconds).
const LOCKED_RETRY: Duration = Duration::from_millis(2);

/// Fires due tasks until shutdown. Sleeps until the earliest instant of the timing index,
/// woken early by task changes; reloads the index after a change and at least every
/// `max_idle`, which bounds how late a change made by another node is seen.
pub(crate) async fn run(shared: Arc<Shared>) {
    let batch = shared.config.fire_batch.max(1);
    let mut index = TimingIndex::new();
    let mut loaded = Instant::now();
    let mut backoff = Backoff::default();
    while !shared.stop.is_cancelled() {
        let now = shared.clock.now();
        if index.needs_load(now) || loaded.elapsed() >= shared.config.max_idle {
            match shared.store.upcoming(WINDOW).await {
                Ok(upcoming) => {
                    index.load(&upcoming, WINDOW);
                    loaded = Instant::now();
                }
                Err(e) => {
                    let wait = backoff.failed();
                    tracing::warn!(error = %e, retry_in = ?wait, "loading the upcoming occurrences failed");
                    shared.pause(wait).await;
                    continue;
                }
            }
        }
        if index.is_due(now) {
            let fired = fire(&shared, now, batch).await;
            if fired.is_ok() && backoff.succeeded() > 0 {
                tracing::info!("firing works again");
            }
            match fired {
                // A full batch: more may be due right now, so fire again before sleeping.
                Ok(report) if report.tasks >= u64::from(batch) => {
                    index.fired_some(&report.next_instants);
                }
                Ok(report)
                    if report.tasks < index.due_count(now) && still_due(&shared, now).await =>
                {
                    // On PostgreSQL a due task whose row another transaction holds (a claim
                    // or a finish marking it) is skipped, not waited for: try again shortly.
                    index.fired_some(&report.next_instants);
                    shared.pause(LOCKED_RETRY).await;
                }
                Ok(report) => index.fired_all(now, &report.next_instants),
                Err(e) => {
                    let wait = backoff.failed();
                    tracing::warn!(error = %e, retry_in = ?wait, "firing failed");
                    shared.pause(wait).await;
                }
            }
            continue;
        }
        let reload_in = shared.config.max_idle.saturating_sub(loaded.elapsed());
        let wait = shared.wait_for(index.wake_at()).min(reload_in);
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = shared.wake.tasks() => index.invalidate(),
            () = shared.stop.cancelled() => {}
        }
    }
}

/// Whether a task is still due at `now` after a firing handled fewer tasks than the index
/// expected: either some were skipped (held by another transaction) or the index was stale
/// (another node fired them). A failed look counts as due, so nothing is dropped on an error.
async fn still_due(shared: &Shared, now: Timestamp) -> bool {
    match shared.store.upcoming(1).await {
        Ok(next) => next.first().is_some_and(|at| *at <= now),
        Err(e) => {
            tracing::warn!(error = %e, "reading the next due instant failed");
            true
        }
    }
}

/// Fires one batch at `now`. Where the store claims while firing (SQLite), its transaction
/// also claims as many runs as there are free worker slots, which start at once; the claimer
/// is poked only for runs left queued.
async fn fire(shared: &Arc<Shared>, now: Timestamp, batch: u32) -> Result<FireReport, StoreError> {
    let slots = if shared.claim_mode == ClaimMode::WithFiring {
        pool::free_slots(shared)
    } else {
        Vec::new()
    };
    let claim = (!slots.is_empty()).then(|| ClaimRequest {
        owner: &shared.config.node_id,
        lease: shared.lease(),
        limit: u32::try_from(slots.len()).unwrap_or(u32::MAX),
        per_tenant: shared.config.max_running_per_tenant,
    });
    let mut report = shared.store.fire(now, batch, &Planner, claim).await?;
    pool::start_all(shared, std::mem::take(&mut report.claimed), slots);
    if report.unclaimed > 0 {
        shared.wake.runs_queued();
    }
    if report.replaced > 0 {
        shared.wake.cancel_requested();
    }
    Ok(report)
}
