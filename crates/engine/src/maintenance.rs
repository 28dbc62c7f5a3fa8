//! Cluster-wide maintenance (rescuer, retention) runs on one node at a time: the holder of
//! the `maintenance` lease. Every node tries to take or renew it each `rescue_every`; when the
//! leader dies, another takes over once its lease has expired.

use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;

use crate::{Shared, rescuer, retention};

/// The lease's name in `engine_leases`.
const LEASE: &str = "maintenance";
/// A leader holds the lease for this many passes without renewing it before others take over.
const LEASE_PASSES: u32 = 3;

/// Holds or waits for the maintenance lease and, while holding it, rescues expired runs every
/// pass and prunes old runs every `prune_every`, until shutdown; then gives the lease up.
pub(crate) async fn run(shared: Arc<Shared>) {
    let node = shared.config.node_id.clone();
    let mut last_prune: Option<Timestamp> = None;
    while !shared.stop.is_cancelled() {
        let now = shared.clock.now();
        let until = now
            .checked_add(lease_length(&shared))
            .unwrap_or(Timestamp::MAX);
        match shared.store.hold_lease(LEASE, &node, now, until).await {
            Ok(true) => {
                rescuer::rescue(&shared).await;
                if let Some(keep) = shared.config.retention {
                    let due = last_prune.is_none_or(|at| {
                        now.duration_since(at)
                            >= SignedDuration::try_from(shared.config.prune_every)
                                .unwrap_or(SignedDuration::MAX)
                    });
                    if due {
                        retention::prune(&shared, keep).await;
                        last_prune = Some(now);
                    }
                }
            }
            Ok(false) => last_prune = None,
            Err(e) => tracing::warn!(error = %e, "renewing the maintenance lease failed"),
        }
        shared.pause(shared.config.rescue_every).await;
    }
    if let Err(e) = shared.store.drop_lease(LEASE, &node).await {
        tracing::warn!(error = %e, "giving up the maintenance lease failed");
    }
}

fn lease_length(shared: &Shared) -> SignedDuration {
    SignedDuration::try_from(shared.config.rescue_every * LEASE_PASSES)
        .unwrap_or(SignedDuration::MAX)
}
