//! The rescuer: runs whose node stopped heartbeating go back to the queue (at-least-once).

use std::sync::Arc;

use crate::Shared;
use crate::firing::pause;

/// Looks for expired leases every `rescue_every` until shutdown.
pub(crate) async fn run(shared: Arc<Shared>) {
    while !shared.stop.is_cancelled() {
        match shared.store.rescue(shared.clock.now()).await {
            Ok(0) => {}
            Ok(n) => {
                tracing::warn!(runs = n, "requeued runs whose lease expired");
                shared.wake.runs_queued();
            }
            Err(e) => tracing::warn!(error = %e, "rescuing expired leases failed"),
        }
        pause(&shared, shared.config.rescue_every).await;
    }
}
