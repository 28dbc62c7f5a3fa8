//! Cluster-wide maintenance (rescuer, retention, the log budget, the queued-runs gauge, dead-man
//! deadlines, slow runs) runs on one node at a time: the holder of
//! the `maintenance` lease. Every node tries to take or renew it each `rescue_every`; when the
//! leader dies, another takes over once its lease has expired.

use std::sync::Arc;
use std::time::Duration;

use domain::{Clock, Metrics};
use jiff::{SignedDuration, Timestamp};
use store::{DeadlineStore, LeaseStore, MaintenanceStore, QueueDepth, SlowRunStore};

use crate::stop::Stop;
use crate::{Wakeup, deadlines, log_budget, queue_depth, rescuer, retention, slow_runs};

/// The lease's name in `engine_leases`.
const LEASE: &str = "maintenance";
/// A leader holds the lease for this many passes without renewing it before others take over.
const LEASE_PASSES: u32 = 3;

/// What maintenance uses.
#[derive(Clone)]
pub(crate) struct Maintenance {
    pub(crate) leases: Arc<dyn LeaseStore>,
    pub(crate) store: Arc<dyn MaintenanceStore>,
    /// Where the leader counts the queued runs.
    pub(crate) queue: Arc<dyn QueueDepth>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) wake: Wakeup,
    pub(crate) stop: Stop,
    /// This node, as the lease's owner.
    pub(crate) node: String,
    /// How often a pass runs (and rescues).
    pub(crate) rescue_every: Duration,
    /// Rescues of one run before it fails.
    pub(crate) max_rescues: u32,
    /// How long finished runs are kept; `None`: forever.
    pub(crate) retention: Option<Duration>,
    /// Most stored log bytes per tenant; `None`: no budget.
    pub(crate) log_budget: Option<u64>,
    /// How often the leader prunes.
    pub(crate) prune_every: Duration,
    /// Where rescued and queued runs are counted.
    pub(crate) metrics: Arc<Metrics>,
    /// Where the leader checks dead-man deadlines.
    pub(crate) deadlines: Arc<dyn DeadlineStore>,
    /// How often the leader checks them.
    pub(crate) deadline_every: Duration,
    /// Where the leader looks for slow runs.
    pub(crate) slow_runs: Arc<dyn SlowRunStore>,
    /// How often it looks.
    pub(crate) slow_every: Duration,
}

/// Holds or waits for the maintenance lease and, while holding it, rescues expired runs every
/// pass and, every `prune_every`, prunes old runs and then the oldest logs of tenants over the
/// log budget, until shutdown; then gives the lease up.
pub(crate) async fn run(m: Maintenance) {
    let mut last_prune: Option<Timestamp> = None;
    let mut last_deadlines: Option<Timestamp> = None;
    let mut last_slow: Option<Timestamp> = None;
    let slow_every = SignedDuration::try_from(m.slow_every).unwrap_or(SignedDuration::MAX);
    let deadline_every = SignedDuration::try_from(m.deadline_every).unwrap_or(SignedDuration::MAX);
    let lease =
        SignedDuration::try_from(m.rescue_every * LEASE_PASSES).unwrap_or(SignedDuration::MAX);
    let prune_every = SignedDuration::try_from(m.prune_every).unwrap_or(SignedDuration::MAX);
    while !m.stop.is_stopping() {
        let now = m.clock.now();
        let until = now.checked_add(lease).unwrap_or(Timestamp::MAX);
        match m.leases.hold_lease(LEASE, &m.node, now, until).await {
            Ok(true) => {
                rescuer::rescue(&*m.store, &m.wake, &m.metrics, m.clock.now(), m.max_rescues).await;
                queue_depth::count(&*m.queue, &m.metrics, m.clock.now()).await;
                let due = last_prune.is_none_or(|at| now.duration_since(at) >= prune_every);
                if due {
                    // Retention first: the runs it deletes take their logs off the budget.
                    if let Some(keep) = m.retention {
                        retention::prune(&*m.store, m.clock.now(), keep).await;
                        deadlines::prune_misses(&*m.deadlines, m.clock.now(), keep).await;
                    }
                    if let Some(budget) = m.log_budget {
                        log_budget::enforce(&*m.store, m.clock.now(), budget).await;
                    }
                    last_prune = Some(now);
                }
                if last_deadlines.is_none_or(|at| now.duration_since(at) >= deadline_every) {
                    deadlines::check(&*m.deadlines, &m.metrics, m.clock.now()).await;
                    last_deadlines = Some(now);
                }
                if last_slow.is_none_or(|at| now.duration_since(at) >= slow_every) {
                    // A new leader looks back over the longest a lease can pass unheld, so
                    // the runs that ended while no one checked are looked at too.
                    let since = last_slow.unwrap_or_else(|| {
                        lease
                            .checked_add(slow_every)
                            .and_then(|back| now.checked_sub(back).ok())
                            .unwrap_or(now)
                    });
                    if slow_runs::check(&*m.slow_runs, now, since).await {
                        last_slow = Some(now);
                    }
                }
            }
            Ok(false) => {
                last_prune = None;
                last_deadlines = None;
                last_slow = None;
                queue_depth::not_counting(&m.metrics);
            }
            Err(e) => tracing::warn!(error = %e, "renewing the maintenance lease failed"),
        }
        // Pruning, deadline and slow-run intervals shorter than the rescue interval are
        // honoured too.
        m.stop
            .pause(
                m.rescue_every
                    .min(m.prune_every)
                    .min(m.deadline_every)
                    .min(m.slow_every),
            )
            .await;
    }
    if let Err(e) = m.leases.drop_lease(LEASE, &m.node).await {
        tracing::warn!(error = %e, "giving up the maintenance lease failed");
    }
}
