//! The [`Store`] operations, written once for every [`Backend`].

use async_trait::async_trait;
use domain::{
    AuditAction, Run, RunLogLine, RunStatus, RunUuid, ScheduleNotice, Task, TaskDefinition,
    TaskUuid, TaskVersion, TenantId,
};
use jiff::Timestamp;

use crate::exec::{Backend, Commit, Exec, Stmt};
use crate::rows::{
    self, LockedTask, LogRow, RunRow, TaskRow, TenantSettingsRow, VersionRow, millis,
};
use crate::{
    Change, NewTask, Page, Result, RunQuery, RunStats, Store, StoreError, TaskQuery,
    TenantSettings, sql,
};

/// The partial unique index that keeps live codes unique per tenant.
const CODE_INDEX: &str = "uq_scheduled_tasks_tenant_code";
/// How SQLite names that index's columns in its error (it reports columns, not index names).
const CODE_INDEX_SQLITE: &str = "scheduled_tasks.tenant_id, scheduled_tasks.code";

/// `DuplicateCode` when `error` is a violation of the per-tenant code index; the error itself
/// otherwise. The database decides (no racy pre-check), so concurrent creates of one code
/// leave exactly one winner.
fn duplicate_code(error: sqlx::Error, code: &str) -> StoreError {
    if let sqlx::Error::Database(db) = &error
        && db.is_unique_violation()
        && (db.constraint() == Some(CODE_INDEX) || db.message().contains(CODE_INDEX_SQLITE))
    {
        return StoreError::DuplicateCode(code.to_owned());
    }
    StoreError::Database(error)
}

/// A task by internal id, inside the caller's transaction.
pub(crate) async fn load_task<E: Exec + ?Sized>(conn: &mut E, id: i64) -> Result<Task> {
    conn.fetch_one::<TaskRow>(Stmt::new(sql::TASK_BY_ID).int(id))
        .await?
        .into_task()
}

/// The live task of the tenant to change, locked against concurrent writers until commit.
async fn lock_task<B: Backend>(
    tx: &mut B::Conn,
    tenant: TenantId,
    uuid: TaskUuid,
) -> Result<LockedTask> {
    tx.fetch_optional::<LockedTask>(Stmt::new(B::LOCK_TASK).int(tenant.get()).uuid(uuid.0))
        .await?
        .ok_or(StoreError::NotFound)
}

/// The internal id of a live task of the tenant.
pub(crate) async fn live_task_id<E: Exec + ?Sized>(
    conn: &mut E,
    tenant: TenantId,
    uuid: TaskUuid,
) -> Result<i64> {
    conn.fetch_optional::<(i64,)>(Stmt::new(sql::LIVE_TASK_ID).int(tenant.get()).uuid(uuid.0))
        .await?
        .map(|(id,)| id)
        .ok_or(StoreError::NotFound)
}

/// An entry in the version history and the audit log for the change that produced `version`.
async fn record<E: Exec + ?Sized>(
    tx: &mut E,
    task_id: i64,
    version: i64,
    action: AuditAction,
    change: &Change<'_>,
    definition: &serde_json::Value,
    detail: Option<serde_json::Value>,
) -> Result<()> {
    tx.execute(
        Stmt::new(sql::INSERT_VERSION)
            .int(change.tenant.get())
            .int(task_id)
            .int(version)
            .text(action.as_str())
            .text(change.actor)
            .int(millis(change.at))
            .text(definition.to_string()),
    )
    .await?;
    tx.execute(
        Stmt::new(sql::INSERT_AUDIT)
            .int(change.tenant.get())
            .int(task_id)
            .text(action.as_str())
            .text(change.actor)
            .int(millis(change.at))
            .int(version)
            .opt_text(detail.map(|d| d.to_string())),
    )
    .await?;
    Ok(())
}

/// Cancels the task's queued runs; how many.
pub(crate) async fn cancel_queued_runs<B: Backend>(
    tx: &mut B::Conn,
    task_id: i64,
    at: Timestamp,
    why: &str,
) -> Result<u64> {
    Ok(tx
        .execute(
            Stmt::new(B::CANCEL_QUEUED_RUNS)
                .int(millis(at))
                .text(why)
                .int(task_id),
        )
        .await?)
}

/// Fails unless a guarded `UPDATE` changed exactly the locked row. Under the row lock (or
/// SQLite's single writer) it always does; this catches a broken lock rather than a race.
async fn expect_one_row<E: Exec + ?Sized>(
    tx: &mut E,
    changed: u64,
    locked: LockedTask,
) -> Result<()> {
    if changed == 1 {
        return Ok(());
    }
    let current = load_task(tx, locked.id).await?.version;
    Err(StoreError::VersionConflict {
        expected: locked.version,
        current,
    })
}

/// Fails unless the task belongs to the tenant the change names: a caller that disagrees with
/// itself is a bug, and guessing which one it meant could put the task into the wrong tenant.
fn check_tenant(task: &NewTask, change: &Change<'_>) -> Result<()> {
    if task.tenant == change.tenant {
        return Ok(());
    }
    Err(StoreError::Corrupt(format!(
        "create: task tenant {} differs from change tenant {}",
        task.tenant, change.tenant
    )))
}

/// Inserts a task at version 1 with its version and audit entries, inside the caller's
/// transaction; returns its internal id.
async fn insert_task<E: Exec + ?Sized>(
    tx: &mut E,
    task: &NewTask,
    change: &Change<'_>,
) -> Result<i64> {
    let definition = &task.definition;
    let stmt = Stmt::new(sql::INSERT_TASK)
        .uuid(task.uuid.0)
        .int(task.tenant.get())
        .args(rows::definition_args(definition)?)
        .text(Task::function_id(task.uuid))
        .int(millis(change.at))
        .opt_int(task.next_run_at.map(millis))
        .text(change.actor);
    let (id,) = tx
        .fetch_one::<(i64,)>(stmt)
        .await
        .map_err(|e| duplicate_code(e, definition.code.as_str()))?;
    record(
        tx,
        id,
        1,
        AuditAction::Create,
        change,
        &definition.to_json(),
        None,
    )
    .await?;
    Ok(id)
}

#[async_trait]
impl<B: Backend> Store for B {
    async fn create_task(&self, task: NewTask, change: Change<'_>) -> Result<Task> {
        check_tenant(&task, &change)?;
        let mut tx = self.begin_write().await?;
        let id = insert_task(&mut *tx, &task, &change).await?;
        let created = load_task(&mut *tx, id).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn create_many(&self, tasks: Vec<NewTask>, change: Change<'_>) -> Result<Vec<TaskUuid>> {
        for task in &tasks {
            check_tenant(task, &change)?;
        }
        let mut tx = self.begin_write().await?;
        for task in &tasks {
            insert_task(&mut *tx, task, &change).await?;
        }
        tx.commit().await?;
        Ok(tasks.into_iter().map(|t| t.uuid).collect())
    }

    async fn get_task(&self, tenant: TenantId, uuid: TaskUuid) -> Result<Option<Task>> {
        let mut conn = self.read().await?;
        conn.fetch_optional::<TaskRow>(Stmt::new(sql::GET_TASK).int(tenant.get()).uuid(uuid.0))
            .await?
            .map(TaskRow::into_task)
            .transpose()
    }

    async fn list_tasks(&self, tenant: TenantId, query: &TaskQuery) -> Result<Page<Task>> {
        let (count, page_stmt) = sql::task_list(tenant, query);
        let (page, _, _) = sql::page_window(query.page, query.page_size);
        let mut conn = self.read().await?;
        let (total,) = conn.fetch_one::<(i64,)>(count).await?;
        let items = if query.page_size == 0 {
            Vec::new()
        } else {
            conn.fetch_all::<TaskRow>(page_stmt)
                .await?
                .into_iter()
                .map(TaskRow::into_task)
                .collect::<Result<_>>()?
        };
        Ok(Page {
            items,
            total: u64::try_from(total).unwrap_or(0),
            page,
            page_size: query.page_size,
        })
    }

    async fn update_task(
        &self,
        uuid: TaskUuid,
        expected_version: Option<i64>,
        definition: TaskDefinition,
        next_run_at: Option<Timestamp>,
        change: Change<'_>,
    ) -> Result<Task> {
        let values = rows::definition_args(&definition)?;
        let mut tx = self.begin_write().await?;
        let locked = lock_task::<B>(&mut *tx, change.tenant, uuid).await?;
        if let Some(expected) = expected_version
            && expected != locked.version
        {
            return Err(StoreError::VersionConflict {
                expected,
                current: locked.version,
            });
        }
        let changed = tx
            .execute(
                Stmt::new(sql::UPDATE_DEFINITION)
                    .args(values)
                    .opt_int(next_run_at.map(millis))
                    .int(millis(change.at))
                    .text(change.actor)
                    .int(locked.id)
                    .int(locked.version),
            )
            .await
            .map_err(|e| duplicate_code(e, definition.code.as_str()))?;
        expect_one_row(&mut *tx, changed, locked).await?;
        // Deactivating through an edit is a stop, and a stop cancels what is still waiting.
        let detail = if locked.is_active && !definition.is_active {
            let cancelled =
                cancel_queued_runs::<B>(&mut *tx, locked.id, change.at, "task stopped").await?;
            Some(serde_json::json!({ "cancelled_runs": cancelled }))
        } else {
            None
        };
        let version = locked.version + 1;
        record(
            &mut *tx,
            locked.id,
            version,
            AuditAction::Update,
            &change,
            &definition.to_json(),
            detail,
        )
        .await?;
        let updated = load_task(&mut *tx, locked.id).await?;
        tx.commit().await?;
        Ok(updated)
    }

    async fn set_active(
        &self,
        uuid: TaskUuid,
        active: bool,
        next_run_at: Option<Timestamp>,
        change: Change<'_>,
    ) -> Result<Task> {
        let mut tx = self.begin_write().await?;
        let locked = lock_task::<B>(&mut *tx, change.tenant, uuid).await?;
        if locked.is_active == active {
            // Dropping the transaction rolls back nothing: no version, no audit, no new instant.
            return load_task(&mut *tx, locked.id).await;
        }
        let changed = tx
            .execute(
                Stmt::new(sql::SET_ACTIVE)
                    .bool(active)
                    .opt_int(next_run_at.map(millis))
                    .int(millis(change.at))
                    .text(change.actor)
                    .int(locked.id)
                    .int(locked.version),
            )
            .await?;
        expect_one_row(&mut *tx, changed, locked).await?;
        let (action, detail) = if active {
            (AuditAction::Start, None)
        } else {
            let cancelled =
                cancel_queued_runs::<B>(&mut *tx, locked.id, change.at, "task stopped").await?;
            (
                AuditAction::Stop,
                Some(serde_json::json!({ "cancelled_runs": cancelled })),
            )
        };
        let task = load_task(&mut *tx, locked.id).await?;
        record(
            &mut *tx,
            locked.id,
            task.version,
            action,
            &change,
            &task.definition.to_json(),
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(task)
    }

    async fn delete_tasks(&self, uuids: &[TaskUuid], change: Change<'_>) -> Result<Vec<TaskUuid>> {
        // Locking in one global order keeps two overlapping batch deletes from deadlocking
        // each other on PostgreSQL.
        let mut uuids = uuids.to_vec();
        uuids.sort_unstable();
        uuids.dedup();
        if uuids.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin_write().await?;
        let mut deleted = Vec::with_capacity(uuids.len());
        for uuid in uuids {
            let locked = match lock_task::<B>(&mut *tx, change.tenant, uuid).await {
                Ok(locked) => locked,
                // Unknown, already deleted or another tenant's: indistinguishable on purpose.
                Err(StoreError::NotFound) => continue,
                Err(e) => return Err(e),
            };
            let changed = tx
                .execute(
                    Stmt::new(sql::SOFT_DELETE)
                        .int(millis(change.at))
                        .text(change.actor)
                        .int(locked.id)
                        .int(locked.version),
                )
                .await?;
            expect_one_row(&mut *tx, changed, locked).await?;
            let cancelled =
                cancel_queued_runs::<B>(&mut *tx, locked.id, change.at, "task deleted").await?;
            let task = load_task(&mut *tx, locked.id).await?;
            let detail = serde_json::json!({ "cancelled_runs": cancelled });
            record(
                &mut *tx,
                locked.id,
                task.version,
                AuditAction::Delete,
                &change,
                &task.definition.to_json(),
                Some(detail),
            )
            .await?;
            deleted.push(uuid);
        }
        tx.commit().await?;
        Ok(deleted)
    }

    async fn task_versions(
        &self,
        tenant: TenantId,
        uuid: TaskUuid,
        page: u32,
        page_size: u32,
    ) -> Result<Page<TaskVersion>> {
        let (page, limit, offset) = sql::page_window(page, page_size);
        let mut conn = self.read().await?;
        let id = live_task_id(&mut *conn, tenant, uuid).await?;
        let (total,) = conn
            .fetch_one::<(i64,)>(Stmt::new(sql::COUNT_VERSIONS).int(id))
            .await?;
        let items = conn
            .fetch_all::<VersionRow>(Stmt::new(sql::LIST_VERSIONS).int(id).int(limit).int(offset))
            .await?
            .into_iter()
            .map(VersionRow::into_version)
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
            total: u64::try_from(total).unwrap_or(0),
            page,
            page_size,
        })
    }

    async fn list_runs(
        &self,
        tenant: TenantId,
        task: TaskUuid,
        query: &RunQuery,
    ) -> Result<Page<Run>> {
        let (page, _, _) = sql::page_window(query.page, query.page_size);
        let mut conn = self.read().await?;
        let id = live_task_id(&mut *conn, tenant, task).await?;
        let (count, page_stmt) = sql::run_list(id, query);
        let (total,) = conn.fetch_one::<(i64,)>(count).await?;
        let items = conn
            .fetch_all::<RunRow>(page_stmt)
            .await?
            .into_iter()
            .map(RunRow::into_run)
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
            total: u64::try_from(total).unwrap_or(0),
            page,
            page_size: query.page_size,
        })
    }

    async fn get_run(&self, tenant: TenantId, run: RunUuid) -> Result<Option<Run>> {
        let mut conn = self.read().await?;
        conn.fetch_optional::<RunRow>(Stmt::new(sql::GET_RUN).uuid(run.0).int(tenant.get()))
            .await?
            .map(RunRow::into_run)
            .transpose()
    }

    async fn run_logs(&self, tenant: TenantId, run: RunUuid) -> Result<Vec<RunLogLine>> {
        let mut conn = self.read().await?;
        let (id,) = conn
            .fetch_optional::<(i64,)>(Stmt::new(sql::RUN_ID).uuid(run.0).int(tenant.get()))
            .await?
            .ok_or(StoreError::NotFound)?;
        conn.fetch_all::<LogRow>(Stmt::new(sql::RUN_LOGS).int(id))
            .await?
            .into_iter()
            .map(LogRow::into_line)
            .collect()
    }

    async fn run_stats(&self, tenant: TenantId, task: TaskUuid) -> Result<RunStats> {
        let mut conn = self.read().await?;
        let id = live_task_id(&mut *conn, tenant, task).await?;
        let counts = conn
            .fetch_all::<(String, i64)>(Stmt::new(sql::RUN_STATS).int(id))
            .await?;
        let mut stats = RunStats::default();
        for (status, n) in counts {
            let status: RunStatus = status
                .parse()
                .map_err(|e: String| StoreError::Corrupt(format!("task {task} run status: {e}")))?;
            let n = u64::try_from(n).unwrap_or(0);
            stats.total += n;
            *match status {
                RunStatus::Queued => &mut stats.queued,
                RunStatus::Running => &mut stats.running,
                RunStatus::Succeeded => &mut stats.succeeded,
                RunStatus::Failed => &mut stats.failed,
                RunStatus::TimedOut => &mut stats.timed_out,
                RunStatus::Cancelled => &mut stats.cancelled,
                RunStatus::Skipped => &mut stats.skipped,
            } += n;
        }
        Ok(stats)
    }

    async fn tenant_settings(&self, tenant: TenantId) -> Result<Option<TenantSettings>> {
        let mut conn = self.read().await?;
        conn.fetch_optional::<TenantSettingsRow>(
            Stmt::new(sql::GET_TENANT_SETTINGS).int(tenant.get()),
        )
        .await?
        .map(TenantSettingsRow::into_settings)
        .transpose()
    }

    async fn set_tenant_egress_allow(
        &self,
        egress_allow: Option<&str>,
        change: Change<'_>,
    ) -> Result<TenantSettings> {
        let mut tx = self.begin_write().await?;
        let row = tx
            .fetch_one::<TenantSettingsRow>(
                Stmt::new(sql::UPSERT_TENANT_EGRESS_ALLOW)
                    .int(change.tenant.get())
                    .opt_text(egress_allow.map(str::to_owned))
                    .int(millis(change.at))
                    .text(change.actor),
            )
            .await?;
        tx.commit().await?;
        row.into_settings()
    }

    async fn live_tasks_after(&self, after: Option<TaskUuid>, limit: u32) -> Result<Vec<Task>> {
        let mut conn = self.read().await?;
        conn.fetch_all::<TaskRow>(
            Stmt::new(sql::LIVE_TASKS_AFTER)
                .uuid(after.map_or(uuid::Uuid::nil(), |t| t.0))
                .int(i64::from(limit)),
        )
        .await?
        .into_iter()
        .map(TaskRow::into_task)
        .collect()
    }

    async fn set_schedule_notice(
        &self,
        task: &Task,
        notice: &ScheduleNotice,
        next_run_at: Option<Timestamp>,
    ) -> Result<bool> {
        let notice = serde_json::to_string(notice)
            .map_err(|e| StoreError::Corrupt(format!("schedule notice: {e}")))?;
        let mut tx = self.begin_write().await?;
        let changed = tx
            .execute(
                Stmt::new(sql::SET_SCHEDULE_NOTICE)
                    .text(notice)
                    .opt_int(next_run_at.map(millis))
                    .int(task.tenant.get())
                    .uuid(task.uuid.0)
                    .int(task.version),
            )
            .await?;
        tx.commit().await?;
        Ok(changed == 1)
    }

    async fn probe_write(&self, now: Timestamp) -> Result<()> {
        let mut tx = self.begin_write().await?;
        tx.execute(Stmt::new(sql::PROBE_WRITE).int(millis(now)))
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
