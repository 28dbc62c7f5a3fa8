//! The firing loop: due occurrences become ledger rows, one transaction per batch.

use std::sync::Arc;
use std::time::Duration;

use crate::Shared;
use crate::policy::Planner;

/// Pause after a store error before trying again, so a database outage is not a busy loop.
const ERROR_BACKOFF: Duration = Duration::from_millis(500);

/// Fires due tasks until shutdown; sleeps until the earliest `next_run_at` (at most
/// `max_idle`), woken early by task changes.
pub(crate) async fn run(shared: Arc<Shared>) {
    let batch = shared.config.fire_batch.max(1);
    while !shared.stop.is_cancelled() {
        let now = shared.clock.now();
        match shared.store.fire(now, batch, &Planner).await {
            Ok(report) => {
                if report.queued > 0 {
                    shared.wake.runs_queued();
                }
                if report.replaced > 0 {
                    shared.wake.cancel_requested();
                }
                if report.tasks >= u64::from(batch) {
                    // A full batch: more may be due right now.
                    continue;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "firing failed; retrying");
                pause(&shared, ERROR_BACKOFF).await;
                continue;
            }
        }
        let wait = match shared.store.next_due().await {
            Ok(next) => shared.wait_for(next),
            Err(e) => {
                tracing::warn!(error = %e, "reading the next due instant failed");
                ERROR_BACKOFF
            }
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = shared.wake.tasks() => {}
            () = shared.stop.cancelled() => {}
        }
    }
}

/// Sleeps for `d` unless shutdown starts.
pub(crate) async fn pause(shared: &Shared, d: Duration) {
    tokio::select! {
        () = tokio::time::sleep(d) => {}
        () = shared.stop.cancelled() => {}
    }
}
