//! Maintenance, done by the node holding the maintenance lease: rescuing runs whose node
//! stopped, pruning runs past the retention period, and pruning the oldest logs of tenants
//! over their stored log budget.
//!
//! A tenant's stored log bytes are the sum of its runs' `log_bytes` (migration 0008), which
//! the statements writing log lines keep in the transaction that writes them. Per-run counts
//! rather than one counter row per tenant: every attempt's log write would otherwise update
//! its tenant's one row, serializing all of a tenant's log writes across nodes on that row's
//! lock, and every path that deletes runs (retention, the cascade) would have to correct the
//! counter. A per-run count needs no correcting: a deleted run takes its bytes with it. The sum
//! is one pass over an index of the runs that have a log, paid by the maintenance leader once
//! per pruning pass, never a read of the log lines.

use std::sync::LazyLock;

use async_trait::async_trait;
use domain::{ParentRun, RunUuid, TenantId};
use jiff::Timestamp;
use uuid::Uuid;

use crate::backend::{Backend, Commit, Exec};
use crate::chains::{EndedParent, chain_slots_of, queue_chained};
use crate::query::{Binds, Query, sql_file};
use crate::rows::{millis, parse_enum};
use crate::{Result, StoreError};

static RESCUE_EXPIRED: LazyLock<Query> = sql_file!("maintenance/rescue_expired.sql");
static PRUNE_RUNS: LazyLock<Query> = sql_file!("maintenance/prune_runs.sql");
static TENANTS_LOG_BYTES: LazyLock<Query> = sql_file!("maintenance/tenants_log_bytes.sql");
static OLDEST_LOGGED_RUNS: LazyLock<Query> = sql_file!("maintenance/oldest_logged_runs.sql");
static DELETE_RUN_LOGS: LazyLock<Query> = sql_file!("maintenance/delete_run_logs.sql");
static MARK_LOGS_PRUNED: LazyLock<Query> = sql_file!("maintenance/mark_logs_pruned.sql");
static INSERT_PRUNED_NOTES: LazyLock<Query> = sql_file!("maintenance/insert_pruned_notes.sql");

/// A tenant's stored log bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenantLogBytes {
    /// The tenant.
    pub tenant: TenantId,
    /// Bytes of all its runs' stored log lines, each counted with one byte for its line end.
    pub bytes: u64,
}

/// What one pruning of a tenant's oldest logs removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PrunedLogs {
    /// Runs whose log was deleted.
    pub runs: u64,
    /// Bytes those logs held.
    pub bytes: u64,
}

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

    /// The tenants whose stored log bytes are over `over`, with their totals, by tenant id.
    async fn tenants_log_bytes(&self, over: u64) -> Result<Vec<TenantLogBytes>>;

    /// Deletes the logs of the tenant's oldest finished runs (by `finished_at`), looking at
    /// no more than `limit` of them, until they held at least `at_least` bytes. Each pruned run
    /// gets `logs_pruned_at` = `now` and one system line saying its log was pruned and why.
    async fn prune_oldest_logs(
        &self,
        tenant: TenantId,
        at_least: u64,
        now: Timestamp,
        limit: u32,
    ) -> Result<PrunedLogs>;
}

/// The line a pruned log keeps.
fn pruned_note(bytes: u64, now: Timestamp) -> String {
    format!(
        "log pruned at {now}: this tenant's stored logs were over their budget \
         (SUNDIAL_TENANT_LOG_BUDGET_BYTES), so the logs of its oldest runs were deleted \
         ({bytes} bytes of this one)"
    )
}

/// `RETURNING` of `RESCUE_EXPIRED`.
#[derive(sqlx::FromRow)]
struct RescuedRun {
    task_id: i64,
    id: i64,
    uuid: Uuid,
    status: String,
    attempt: i32,
    result: Option<String>,
    error: Option<String>,
}

/// Deletes at most `limit` rows a pruning statement finds older than `before` (`:before`,
/// `:limit`), in a transaction of its own; how many went. Each retention (runs, events,
/// deadline misses) prunes in such bounded steps so no transaction holds the writer long.
pub(crate) async fn prune_older<B: Backend>(
    store: &B,
    statement: &'static LazyLock<Query>,
    before: Timestamp,
    limit: u32,
) -> Result<u64> {
    let mut tx = store.begin_write().await?;
    let pruned = tx
        .execute(
            statement
                .stmt()
                .bind("before", millis(before))
                .bind("limit", i64::from(limit)),
        )
        .await?;
    tx.commit().await?;
    Ok(pruned)
}

/// Queues the chained runs of the runs a rescue gave up on (it ended them for good), when
/// their tasks have chains: nothing more for a rescue that gave up on none.
async fn queue_chained_of_given_up<B: Backend>(
    tx: &mut B::Conn,
    rescued: &[RescuedRun],
    now: Timestamp,
) -> Result<()> {
    let given_up: Vec<&RescuedRun> = rescued.iter().filter(|r| r.status != "queued").collect();
    if given_up.is_empty() {
        return Ok(());
    }
    let slots = chain_slots_of(&mut *tx, given_up.iter().map(|r| r.task_id)).await?;
    let mut ended = Vec::new();
    for run in given_up {
        let Some((task, slots)) = slots.get(&run.task_id) else {
            continue;
        };
        let ctx = format!("rescued run {}", run.uuid);
        ended.push(EndedParent {
            run_id: run.id,
            slots: *slots,
            parent: ParentRun {
                run_uuid: RunUuid(run.uuid),
                task_uuid: *task,
                status: parse_enum(&run.status, &ctx)?,
                attempt: u32::try_from(run.attempt).unwrap_or(0),
                result: run
                    .result
                    .as_deref()
                    .map(serde_json::from_str)
                    .transpose()
                    .map_err(|e| StoreError::Corrupt(format!("{ctx}: result: {e}")))?,
                error: run.error.clone(),
            },
        });
    }
    queue_chained(&mut *tx, B::DIALECT, &ended, now).await?;
    Ok(())
}

#[async_trait]
impl<B: Backend> MaintenanceStore for B {
    async fn rescue(&self, now: Timestamp, max_rescues: u32) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let rescued = tx
            .fetch_all::<RescuedRun>(
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
        queue_chained_of_given_up::<B>(&mut *tx, &rescued, now).await?;
        tx.commit().await?;
        Ok(rescued.len() as u64)
    }

    async fn prune_runs(&self, before: Timestamp, limit: u32) -> Result<u64> {
        prune_older(self, &PRUNE_RUNS, before, limit).await
    }

    async fn tenants_log_bytes(&self, over: u64) -> Result<Vec<TenantLogBytes>> {
        let over = i64::try_from(over).unwrap_or(i64::MAX);
        let mut conn = self.read().await?;
        conn.fetch_all::<(i64, i64)>(TENANTS_LOG_BYTES.stmt().bind("over", over))
            .await?
            .into_iter()
            .map(|(tenant, bytes)| {
                Ok(TenantLogBytes {
                    tenant: TenantId::new(tenant).ok_or_else(|| {
                        StoreError::Corrupt(format!("task_runs tenant_id {tenant}"))
                    })?,
                    bytes: u64::try_from(bytes).unwrap_or(0),
                })
            })
            .collect()
    }

    async fn prune_oldest_logs(
        &self,
        tenant: TenantId,
        at_least: u64,
        now: Timestamp,
        limit: u32,
    ) -> Result<PrunedLogs> {
        let mut tx = self.begin_write().await?;
        let oldest = tx
            .fetch_all::<(i64, i64)>(
                OLDEST_LOGGED_RUNS
                    .stmt()
                    .bind("tenant", tenant.get())
                    .bind("limit", i64::from(limit)),
            )
            .await?;
        let mut pruned = PrunedLogs::default();
        let mut runs = Vec::new();
        for (id, bytes) in oldest {
            if pruned.bytes >= at_least {
                break;
            }
            let bytes = u64::try_from(bytes).unwrap_or(0);
            pruned.runs += 1;
            pruned.bytes += bytes;
            runs.push((id, bytes));
        }
        if runs.is_empty() {
            return Ok(pruned);
        }
        let ids = || {
            runs.iter()
                .map(|(id, _)| Binds::default().bind("run_id", *id))
                .collect()
        };
        for stmt in DELETE_RUN_LOGS.rows(&Binds::default(), ids()) {
            tx.execute(stmt).await?;
        }
        let at = Binds::default().bind("now", millis(now));
        for stmt in MARK_LOGS_PRUNED.rows(&at, ids()) {
            tx.execute(stmt).await?;
        }
        let notes = runs
            .iter()
            .map(|(id, bytes)| {
                Binds::default()
                    .bind("run_id", *id)
                    .bind("note", pruned_note(*bytes, now))
            })
            .collect();
        for stmt in INSERT_PRUNED_NOTES.rows(&at, notes) {
            tx.execute(stmt).await?;
        }
        tx.commit().await?;
        Ok(pruned)
    }
}
