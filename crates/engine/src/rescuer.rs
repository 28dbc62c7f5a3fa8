//! The rescuer: runs whose node stopped heartbeating go back to the queue (at-least-once),
//! without using up their task's retries: losing a node is not a failure of the task. A run
//! rescued `max_rescues` times fails instead, so one that kills its node every time stops.

use domain::Metrics;
use domain::metrics::RESCUES;
use jiff::Timestamp;
use store::MaintenanceStore;

use crate::Wakeup;

/// One pass at `now`: requeues every run whose lease has expired (counting them in
/// `metrics`), and wakes the claimer for them.
pub(crate) async fn rescue(
    store: &dyn MaintenanceStore,
    wake: &Wakeup,
    metrics: &Metrics,
    now: Timestamp,
    max_rescues: u32,
) {
    match store.rescue(now, max_rescues).await {
        Ok(0) => {}
        Ok(n) => {
            metrics.add(&RESCUES, "", n);
            tracing::warn!(runs = n, "requeued runs whose lease expired");
            wake.runs_queued();
        }
        Err(e) => tracing::warn!(error = %e, "rescuing expired leases failed"),
    }
}
