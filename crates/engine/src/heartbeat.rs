//! The heartbeat: keeps the leases of the attempts this node executes alive and notices runs
//! whose cancellation was asked for or whose lease was lost.

use std::sync::Arc;
use std::time::Duration;

use domain::Clock;
use jiff::SignedDuration;
use store::LeaseStore;
use tokio_util::sync::CancellationToken;

use crate::Wakeup;
use crate::pool::Inflight;

/// What the heartbeat uses.
#[derive(Clone)]
pub(crate) struct Heartbeat {
    pub(crate) store: Arc<dyn LeaseStore>,
    pub(crate) inflight: Inflight,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) wake: Wakeup,
    /// The node holding the leases.
    pub(crate) owner: String,
    /// How long a lease lasts without a heartbeat.
    pub(crate) lease: SignedDuration,
    /// How often leases are extended.
    pub(crate) every: Duration,
}

/// Extends this node's leases every `heartbeat_every` (and at once when a cancellation was
/// asked for here) until `drained`, and cancels the attempts whose run was cancelled or whose
/// lease was lost.
pub(crate) async fn run(heartbeat: Heartbeat, drained: CancellationToken) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(heartbeat.every) => {}
            () = heartbeat.wake.cancellations() => {}
            () = drained.cancelled() => return,
        }
        let runs = heartbeat.inflight.runs();
        if runs.is_empty() {
            continue;
        }
        let until = heartbeat
            .clock
            .now()
            .checked_add(heartbeat.lease)
            .unwrap_or(jiff::Timestamp::MAX);
        match heartbeat
            .store
            .heartbeat(&heartbeat.owner, &runs, until)
            .await
        {
            Ok(gone) => heartbeat.inflight.cancel(&gone),
            Err(e) => tracing::warn!(error = %e, "heartbeat failed"),
        }
    }
}
