//! The heartbeat: keeps the leases of the attempts this node executes alive and notices runs
//! whose cancellation was asked for or whose lease was lost.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::Shared;

/// Extends this node's leases every `heartbeat_every` (and at once when a cancellation was
/// asked for here) until `drained`, and cancels the attempts whose run was cancelled or whose
/// lease was lost.
pub(crate) async fn heartbeat_loop(shared: Arc<Shared>, drained: CancellationToken) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(shared.config.heartbeat_every) => {}
            () = shared.wake.cancellations() => {}
            () = drained.cancelled() => return,
        }
        let runs = shared.inflight_runs();
        if runs.is_empty() {
            continue;
        }
        let until = shared
            .clock
            .now()
            .checked_add(shared.lease())
            .unwrap_or(jiff::Timestamp::MAX);
        match shared
            .store
            .heartbeat(&shared.config.node_id, &runs, until)
            .await
        {
            Ok(gone) => {
                let inflight = shared.inflight.lock().expect("inflight lock poisoned");
                for run in gone {
                    if let Some(token) = inflight.get(&run) {
                        token.cancel();
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "heartbeat failed"),
        }
    }
}
