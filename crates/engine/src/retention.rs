//! Retention: finished runs and their logs are deleted once older than the configured period.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use store::MaintenanceStore;

/// Runs deleted per transaction: small enough not to hold SQLite's writer for long.
const PRUNE_BATCH: u32 = 1_000;
/// Batches per pass; the rest waits for the next pass so firing is never starved.
const MAX_BATCHES: u32 = 20;

/// One pass at `now`: deletes runs that finished more than `keep` ago, oldest first.
pub(crate) async fn prune(store: &dyn MaintenanceStore, now: Timestamp, keep: Duration) {
    let Ok(keep) = SignedDuration::try_from(keep) else {
        return;
    };
    let Ok(before) = now.checked_sub(keep) else {
        return;
    };
    let mut total = 0;
    for _ in 0..MAX_BATCHES {
        match store.prune_runs(before, PRUNE_BATCH).await {
            Ok(n) => {
                total += n;
                if n < u64::from(PRUNE_BATCH) {
                    break;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "pruning old runs failed");
                break;
            }
        }
    }
    if total > 0 {
        tracing::info!(runs = total, %before, "pruned runs past the retention period");
    }
}
