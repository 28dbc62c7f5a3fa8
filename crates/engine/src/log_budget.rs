//! The per-tenant budget of stored log bytes: a tenant over it loses the logs of its oldest
//! finished runs, oldest first, until it is back within it. Nothing else happens to the tenant:
//! runs go on, and a run never fails because of the budget.

use jiff::Timestamp;
use store::{MaintenanceStore, PrunedLogs};

/// Runs looked at per transaction: small enough not to hold SQLite's writer for long.
const PRUNE_BATCH: u32 = 500;
/// Batches per tenant and pass; the rest waits for the next pass so firing is never starved.
const MAX_BATCHES: u32 = 20;

/// One pass at `now`: prunes the oldest logs of every tenant whose stored log bytes are over
/// `budget`, until each is within it (or has no finished run with a log left).
pub(crate) async fn enforce(store: &dyn MaintenanceStore, now: Timestamp, budget: u64) {
    let over = match store.tenants_log_bytes(budget).await {
        Ok(over) => over,
        Err(e) => {
            tracing::warn!(error = %e, "summing the tenants' stored log bytes failed");
            return;
        }
    };
    for usage in over {
        let mut excess = usage.bytes.saturating_sub(budget);
        let mut pruned = PrunedLogs::default();
        for _ in 0..MAX_BATCHES {
            match store
                .prune_oldest_logs(usage.tenant, excess, now, PRUNE_BATCH)
                .await
            {
                Ok(batch) => {
                    pruned.runs += batch.runs;
                    pruned.bytes += batch.bytes;
                    excess = excess.saturating_sub(batch.bytes);
                    if excess == 0 || batch.runs < u64::from(PRUNE_BATCH) {
                        break;
                    }
                }
                Err(e) => {
                    tracing::warn!(tenant = %usage.tenant, error = %e, "pruning a tenant's oldest logs failed");
                    break;
                }
            }
        }
        if pruned.runs > 0 {
            tracing::info!(
                tenant = %usage.tenant,
                runs = pruned.runs,
                bytes = pruned.bytes,
                stored = usage.bytes,
                budget,
                "pruned the logs of the tenant's oldest runs: its stored logs were over \
                 SUNDIAL_TENANT_LOG_BUDGET_BYTES"
            );
        }
    }
}
