//! The rescuer: runs whose node stopped heartbeating go back to the queue (at-least-once),
//! without using up their task's retries: losing a node is not a failure of the task. A run
//! rescued `max_rescues` times fails instead, so one that kills its node every time stops.

use crate::Shared;

/// One pass: requeues every run whose lease has expired.
pub(crate) async fn rescue(shared: &Shared) {
    match shared
        .store
        .rescue(shared.clock.now(), shared.config.max_rescues)
        .await
    {
        Ok(0) => {}
        Ok(n) => {
            tracing::warn!(runs = n, "requeued runs whose lease expired");
            shared.wake.runs_queued();
        }
        Err(e) => tracing::warn!(error = %e, "rescuing expired leases failed"),
    }
}
