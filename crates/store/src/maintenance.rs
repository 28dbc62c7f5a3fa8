//! Maintenance, done by the node holding the maintenance lease: rescuing runs whose node
//! stopped, and pruning runs past the retention period.

use std::sync::LazyLock;

use async_trait::async_trait;
use jiff::Timestamp;

use crate::Result;
use crate::backend::{Backend, Commit, Exec};
use crate::leases::refresh_tasks_running;
use crate::query::{Query, sql_file};
use crate::rows::millis;

static RESCUE_EXPIRED: LazyLock<Query> = sql_file!("maintenance/rescue_expired.sql");
static PRUNE_RUNS: LazyLock<Query> = sql_file!("maintenance/prune_runs.sql");

/// The error a rescued run carries until its next attempt ends.
const RESCUED: &str = "lease expired: the node running it stopped; running it again";

/// The cluster-wide duties of the maintenance lease holder.
#[async_trait]
pub trait MaintenanceStore: Send + Sync + 'static {
    /// Requeues running runs whose lease expired as a new attempt that does not use up the
    /// task's retries (`rescues` + 1), or fails those already rescued `max_rescues` times;
    /// how many.
    async fn rescue(&self, now: Timestamp, max_rescues: u32) -> Result<u64>;

    /// Deletes at most `limit` finished runs (with their logs) that finished before `before`,
    /// oldest first; how many.
    async fn prune_runs(&self, before: Timestamp, limit: u32) -> Result<u64>;
}

#[async_trait]
impl<B: Backend> MaintenanceStore for B {
    async fn rescue(&self, now: Timestamp, max_rescues: u32) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let tasks = tx
            .fetch_all::<(i64,)>(
                RESCUE_EXPIRED
                    .stmt()
                    .bind("now", millis(now))
                    .bind("max_rescues", i64::from(max_rescues))
                    .bind("rescued", RESCUED)
                    .bind(
                        "gave_up",
                        format!(
                            "lease expired: the node running it stopped {max_rescues} times \
                             after it was rescued; not run again (SUNDIAL_MAX_RESCUES)"
                        ),
                    ),
            )
            .await?;
        refresh_tasks_running(&mut *tx, tasks.iter().map(|(task_id,)| *task_id)).await?;
        tx.commit().await?;
        Ok(tasks.len() as u64)
    }

    async fn prune_runs(&self, before: Timestamp, limit: u32) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let pruned = tx
            .execute(
                PRUNE_RUNS
                    .stmt()
                    .bind("before", millis(before))
                    .bind("limit", i64::from(limit)),
            )
            .await?;
        tx.commit().await?;
        Ok(pruned)
    }
}
