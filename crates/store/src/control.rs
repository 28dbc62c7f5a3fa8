//! Run control from the API: run a task now, cancel a run, stop a task's running runs.

use std::sync::LazyLock;

use async_trait::async_trait;
use domain::{AuditAction, Run, RunArgs, RunTrigger, RunUuid, TaskUuid, TenantId};
use jiff::Timestamp;
use uuid::Uuid;

use crate::backend::{Backend, Commit, Exec};
use crate::firing::{INSERT_RUNS, PlannedRun, REQUEST_CANCEL_RUNNING, ledger_row};
use crate::history::get_run;
use crate::query::{Binds, Query, sql_file};
use crate::registry::{Audit, live_task_id, load_task, lock_task};
use crate::rows::millis;
use crate::{Result, StoreError};

static RUN_FOR_CANCEL: LazyLock<Query> = sql_file!("control/run_for_cancel.sql");
static CANCEL_QUEUED_RUN: LazyLock<Query> = sql_file!("control/cancel_queued_run.sql");
static REQUEST_CANCEL: LazyLock<Query> = sql_file!("control/request_cancel.sql");
static SET_RUN_ARGS: LazyLock<Query> = sql_file!("control/set_run_args.sql");

/// What the API asks of runs: run now and cancel.
#[async_trait]
pub trait RunControl: Send + Sync + 'static {
    /// Queues a manual run of a live task of the tenant (run now) and audits it.
    async fn enqueue_manual(
        &self,
        tenant: TenantId,
        task: TaskUuid,
        actor: &str,
        now: Timestamp,
    ) -> Result<Run> {
        self.enqueue_manual_with_args(tenant, task, None, actor, now)
            .await
    }

    /// Queues a manual run as [`enqueue_manual`](Self::enqueue_manual) does, recording `args`
    /// on it: every attempt of the run executes them in place of the task's own `args`.
    async fn enqueue_manual_with_args(
        &self,
        tenant: TenantId,
        task: TaskUuid,
        args: Option<&RunArgs>,
        actor: &str,
        now: Timestamp,
    ) -> Result<Run>;

    /// Cancels a run of the tenant: a queued one at once, a running one by asking its worker.
    /// A finished run is returned unchanged.
    async fn cancel_run(
        &self,
        tenant: TenantId,
        run: RunUuid,
        actor: &str,
        now: Timestamp,
    ) -> Result<Run>;

    /// Asks every running run of a live task of the tenant to stop (stop with
    /// `cancel_running`); how many were asked.
    async fn cancel_running(&self, tenant: TenantId, task: TaskUuid) -> Result<u64>;
}

/// [`RUN_FOR_CANCEL`].
#[derive(sqlx::FromRow)]
struct CancelTarget {
    id: i64,
    task_id: i64,
    version: i64,
    status: String,
}

#[async_trait]
impl<B: Backend> RunControl for B {
    async fn enqueue_manual_with_args(
        &self,
        tenant: TenantId,
        task: TaskUuid,
        args: Option<&RunArgs>,
        actor: &str,
        now: Timestamp,
    ) -> Result<Run> {
        let mut tx = self.begin_write().await?;
        let locked = lock_task::<B>(&mut *tx, tenant, task).await?;
        let task = load_task(&mut *tx, locked.id).await?;
        // Whole milliseconds, as stored: the run may start at once.
        let at = Timestamp::from_millisecond(millis(now))
            .map_err(|e| StoreError::Corrupt(format!("manual run instant: {e}")))?;
        let manual = PlannedRun {
            trigger: RunTrigger::Manual,
            scheduled_for: at,
            scheduled_until: None,
            occurrences: 1,
            skip: None,
            not_before: at,
        };
        let row = ledger_row(locked.id, &task, &manual, now);
        let mut inserted = None;
        for stmt in INSERT_RUNS.rows(&Binds::default(), vec![row]) {
            inserted = tx.fetch_optional::<(String, Uuid)>(stmt).await?;
        }
        let (_, run) = inserted.ok_or_else(|| {
            StoreError::Corrupt(format!("manual run of task {}: not inserted", task.uuid))
        })?;
        if let Some(args) = args {
            tx.execute(
                SET_RUN_ARGS
                    .stmt()
                    .bind("args", args.to_value().to_string())
                    .bind("uuid", run),
            )
            .await?;
        }
        let run = RunUuid(run);
        let audit = Audit {
            tenant,
            task_id: locked.id,
            version: locked.version,
            action: AuditAction::RunNow,
            actor,
            at: now,
            detail: Some(serde_json::json!({ "run_uuid": run.0 })),
        };
        tx.execute(audit.stmt()).await?;
        let created = get_run(&mut *tx, tenant, run).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn cancel_run(
        &self,
        tenant: TenantId,
        run: RunUuid,
        actor: &str,
        now: Timestamp,
    ) -> Result<Run> {
        let mut tx = self.begin_write().await?;
        let target = tx
            .fetch_optional::<CancelTarget>(
                RUN_FOR_CANCEL
                    .stmt()
                    .bind("uuid", run.0)
                    .bind("tenant", tenant.get()),
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        let changed = match target.status.as_str() {
            "queued" => {
                tx.execute(
                    CANCEL_QUEUED_RUN
                        .stmt()
                        .bind("at", millis(now))
                        .bind("run_id", target.id),
                )
                .await?
            }
            "running" => {
                tx.execute(REQUEST_CANCEL.stmt().bind("run_id", target.id))
                    .await?
            }
            _ => 0,
        };
        if changed == 1 {
            let audit = Audit {
                tenant,
                task_id: target.task_id,
                version: target.version,
                action: AuditAction::Cancel,
                actor,
                at: now,
                detail: Some(serde_json::json!({ "run_uuid": run.0 })),
            };
            tx.execute(audit.stmt()).await?;
        }
        let current = get_run(&mut *tx, tenant, run).await?;
        tx.commit().await?;
        Ok(current)
    }

    async fn cancel_running(&self, tenant: TenantId, task: TaskUuid) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let id = live_task_id(&mut *tx, tenant, task).await?;
        let asked = tx
            .execute(REQUEST_CANCEL_RUNNING.stmt().bind("task_id", id))
            .await?;
        tx.commit().await?;
        Ok(asked)
    }
}
