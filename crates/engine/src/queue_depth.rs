//! The `sundial_runs_queued` gauge: the maintenance leader counts the queued runs whose start
//! time has come once per pass; the other nodes show 0, so the sum over the nodes is the
//! cluster's queue, as fresh as the rescue interval.

use domain::Metrics;
use domain::metrics::RUNS_QUEUED;
use jiff::Timestamp;
use store::QueueDepth;

/// The leader's count at `now`. After a failed count the gauge keeps its last value: a store
/// that fails is reported by `/readyz`, not by a queue that seems to empty.
pub(crate) async fn count(queue: &dyn QueueDepth, metrics: &Metrics, now: Timestamp) {
    match queue.queued_due(now).await {
        Ok(n) => metrics.set(&RUNS_QUEUED, i64::try_from(n).unwrap_or(i64::MAX)),
        Err(e) => tracing::warn!(error = %e, "counting the queued runs failed"),
    }
}

/// This node does not hold the maintenance lease: another node counts.
pub(crate) fn not_counting(metrics: &Metrics) {
    metrics.set(&RUNS_QUEUED, 0);
}
