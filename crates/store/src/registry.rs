//! The task registry: tenants' task definitions, their versions and audit entries, and the
//! start-up scan over every tenant's tasks.

use std::sync::LazyLock;

use async_trait::async_trait;
use domain::{
    AuditAction, RunStatus, ScheduleNotice, Task, TaskDefinition, TaskType, TaskUuid, TaskVersion,
    TenantId, TriggerType,
};
use jiff::Timestamp;
use serde_json::{Map, Value};

use crate::backend::{Backend, Commit, Exec, PerDialect, per_dialect};
use crate::query::{Query, Stmt, sql_file};
use crate::rows::{self, LockedTask, TaskRow, VersionRow, millis};
use crate::{Page, Result, StoreError, list};

static LOCK_TASK: PerDialect = per_dialect!("registry/lock_task");
static CANCEL_QUEUED_RUNS: PerDialect = per_dialect!("registry/cancel_queued_runs");
static WITHDRAW_FIRED_AHEAD: LazyLock<Query> = sql_file!("registry/withdraw_fired_ahead.sql");
static CANCEL_UNSTARTED_RUNS: LazyLock<Query> = sql_file!("registry/cancel_unstarted_runs.sql");
static TASK_BY_ID: LazyLock<Query> = sql_file!("registry/task_by_id.sql");
static GET_TASK: LazyLock<Query> = sql_file!("registry/get_task.sql");
static LIVE_TASK_ID: LazyLock<Query> = sql_file!("registry/live_task_id.sql");
static INSERT_TASK: LazyLock<Query> = sql_file!("registry/insert_task.sql");
static UPDATE_DEFINITION: LazyLock<Query> = sql_file!("registry/update_definition.sql");
static LIVE_TASKS_AFTER: LazyLock<Query> = sql_file!("registry/live_tasks_after.sql");
static SET_SCHEDULE_NOTICE: LazyLock<Query> = sql_file!("registry/set_schedule_notice.sql");
static SCHEDULE_SCAN_KEY: LazyLock<Query> = sql_file!("registry/schedule_scan_key.sql");
static SET_SCHEDULE_SCAN_KEY: LazyLock<Query> = sql_file!("registry/set_schedule_scan_key.sql");
static SET_ACTIVE: LazyLock<Query> = sql_file!("registry/set_active.sql");
static SOFT_DELETE: LazyLock<Query> = sql_file!("registry/soft_delete.sql");
static INSERT_VERSION: LazyLock<Query> = sql_file!("registry/insert_version.sql");
pub(crate) static INSERT_AUDIT: LazyLock<Query> = sql_file!("registry/insert_audit.sql");
static COUNT_VERSIONS: LazyLock<Query> = sql_file!("registry/count_versions.sql");
static LIST_VERSIONS: LazyLock<Query> = sql_file!("registry/list_versions.sql");
static PRUNE_VERSIONS: LazyLock<Query> = sql_file!("registry/prune_versions.sql");

/// A task about to be created.
#[derive(Debug, Clone)]
pub struct NewTask {
    /// Its external id (v7).
    pub uuid: TaskUuid,
    /// Its owner.
    pub tenant: TenantId,
    /// The validated definition.
    pub definition: TaskDefinition,
    /// First occurrence, computed by the schedule crate (`None` when inactive or exhausted).
    pub next_run_at: Option<Timestamp>,
}

/// Who makes a change and when; recorded in versions and the audit log.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    /// The tenant the change is scoped to.
    pub tenant: TenantId,
    /// Token subject of the caller.
    pub actor: &'a str,
    /// Instant of the change.
    pub at: Timestamp,
}

/// Column a task list is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TaskSortField {
    /// Creation instant (default, newest first).
    #[default]
    CreatedAt,
    /// Last change instant.
    UpdatedAt,
    /// Name.
    Name,
    /// Code.
    Code,
    /// Next occurrence.
    NextRunAt,
    /// Latest run.
    LastRunAt,
}

impl TaskSortField {
    /// The API and column name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskSortField::CreatedAt => "created_at",
            TaskSortField::UpdatedAt => "updated_at",
            TaskSortField::Name => "name",
            TaskSortField::Code => "code",
            TaskSortField::NextRunAt => "next_run_at",
            TaskSortField::LastRunAt => "last_run_at",
        }
    }

    /// Every sortable field, for error messages and the OpenAPI document.
    pub const ALL: [TaskSortField; 6] = [
        TaskSortField::CreatedAt,
        TaskSortField::UpdatedAt,
        TaskSortField::Name,
        TaskSortField::Code,
        TaskSortField::NextRunAt,
        TaskSortField::LastRunAt,
    ];
}

/// Ordering of a task list: a field and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskSort {
    /// The column.
    pub field: TaskSortField,
    /// Largest first.
    pub descending: bool,
}

impl Default for TaskSort {
    fn default() -> Self {
        Self {
            field: TaskSortField::CreatedAt,
            descending: true,
        }
    }
}

/// Filters, order and page of a task list. All filters combine with AND.
#[derive(Debug, Clone, Default)]
pub struct TaskQuery {
    /// Name or code contains this, case-insensitively.
    pub keyword: Option<String>,
    /// Name contains this, case-insensitively.
    pub name: Option<String>,
    /// Code equals this.
    pub code: Option<String>,
    /// Task type equals this.
    pub task_type: Option<TaskType>,
    /// Trigger type equals this.
    pub trigger_type: Option<TriggerType>,
    /// Active or not.
    pub is_active: Option<bool>,
    /// Latest run ended in one of these states, `None` in the list standing for a task none
    /// of whose runs has ended yet (an empty list matches no task).
    pub last_run_status: Option<Vec<Option<RunStatus>>>,
    /// Order.
    pub sort: TaskSort,
    /// Which page, from 1.
    pub page: u32,
    /// Rows per page.
    pub page_size: u32,
}

/// Tenants' task definitions: create, read, change, start, stop, delete, and their history.
#[async_trait]
pub trait TaskRegistry: Send + Sync + 'static {
    /// Creates a task with version 1, writing its first version and an audit entry.
    /// Fails with [`StoreError::DuplicateCode`] when a live task of the tenant has the code.
    async fn create_task(&self, task: NewTask, change: Change<'_>) -> Result<Task>;

    /// Creates every task like [`TaskRegistry::create_task`], all or nothing in one
    /// transaction (the import path); returns their uuids in input order. Fails with
    /// [`StoreError::DuplicateCode`] if any code is taken, in the tenant or within `tasks`.
    async fn create_many(&self, tasks: Vec<NewTask>, change: Change<'_>) -> Result<Vec<TaskUuid>>;

    /// A live task of the tenant.
    async fn get_task(&self, tenant: TenantId, uuid: TaskUuid) -> Result<Option<Task>>;

    /// One page of the tenant's live tasks.
    async fn list_tasks(&self, tenant: TenantId, query: &TaskQuery) -> Result<Page<Task>>;

    /// Replaces a task's definition and next occurrence, bumping its version. With
    /// `expected_version`, fails with [`StoreError::VersionConflict`] unless it matches.
    /// A definition equal to the stored one changes nothing: the task is returned as it is,
    /// with no version or audit entry written.
    async fn update_task(
        &self,
        uuid: TaskUuid,
        expected_version: Option<i64>,
        definition: TaskDefinition,
        next_run_at: Option<Timestamp>,
        change: Change<'_>,
    ) -> Result<Task>;

    /// Starts or stops a task. Stopping cancels its queued runs (status `cancelled`).
    /// A no-op (already in that state) changes nothing and writes no version. With
    /// `expected_version`, fails with [`StoreError::VersionConflict`] unless it matches.
    async fn set_active(
        &self,
        uuid: TaskUuid,
        expected_version: Option<i64>,
        active: bool,
        next_run_at: Option<Timestamp>,
        change: Change<'_>,
    ) -> Result<Task>;

    /// Soft-deletes the tenant's live tasks among `uuids` and cancels their queued runs;
    /// returns the ones it deleted. Uuids of other tenants are ignored like unknown ones.
    async fn delete_tasks(&self, uuids: &[TaskUuid], change: Change<'_>) -> Result<Vec<TaskUuid>>;

    /// Soft-deletes one live task of the tenant like [`TaskRegistry::delete_tasks`]; `NotFound`
    /// when there is none. With `expected_version`, fails with
    /// [`StoreError::VersionConflict`] unless it matches.
    async fn delete_task(
        &self,
        uuid: TaskUuid,
        expected_version: Option<i64>,
        change: Change<'_>,
    ) -> Result<()>;

    /// A task's version history, newest first. `NotFound` for an unknown task.
    async fn task_versions(
        &self,
        tenant: TenantId,
        uuid: TaskUuid,
        page: u32,
        page_size: u32,
    ) -> Result<Page<TaskVersion>>;

    /// Up to `limit` live tasks of every tenant, in uuid order after `after` (from the first
    /// with `None`): pages of a scan that never holds the whole table.
    async fn live_tasks_after(&self, after: Option<TaskUuid>, limit: u32) -> Result<Vec<Task>>;

    /// Flags a task read at `version` with `notice` (a notice it already has stays) and sets
    /// its next occurrence, without making a version: a scan's correction, not an edit. False
    /// when the task changed or went since it was read. Editing its definition clears the flag.
    async fn set_schedule_notice(
        &self,
        task: &Task,
        notice: &ScheduleNotice,
        next_run_at: Option<Timestamp>,
    ) -> Result<bool>;

    /// What the last complete schedule notice scan checked every live task against, as the
    /// scan recorded it with [`TaskRegistry::set_schedule_scan_key`]; empty before the first.
    async fn schedule_scan_key(&self) -> Result<String>;

    /// Records that a scan checked every live task against `key` at `at`.
    async fn set_schedule_scan_key(&self, key: &str, at: Timestamp) -> Result<()>;
}

/// The partial unique index that keeps live codes unique per tenant.
const CODE_INDEX: &str = "uq_scheduled_tasks_tenant_code";
/// How SQLite names that index's columns in its error (it reports columns, not index names).
const CODE_INDEX_SQLITE: &str = "scheduled_tasks.tenant_id, scheduled_tasks.code";

/// `DuplicateCode` when `error` is a violation of the per-tenant code index; the error itself
/// otherwise. The database decides (no racy pre-check), so concurrent creates of one code
/// leave exactly one winner.
pub(crate) fn duplicate_code(error: sqlx::Error, code: &str) -> StoreError {
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
    conn.fetch_one::<TaskRow>(TASK_BY_ID.stmt().bind("id", id))
        .await?
        .into_task()
}

/// The live task of the tenant to change, locked against concurrent writers until commit.
pub(crate) async fn lock_task<B: Backend>(
    tx: &mut B::Conn,
    tenant: TenantId,
    uuid: TaskUuid,
) -> Result<LockedTask> {
    tx.fetch_optional::<LockedTask>(
        LOCK_TASK
            .of::<B>()
            .bind("tenant", tenant.get())
            .bind("uuid", uuid.0),
    )
    .await?
    .ok_or(StoreError::NotFound)
}

/// The internal id of a live task of the tenant.
pub(crate) async fn live_task_id<E: Exec + ?Sized>(
    conn: &mut E,
    tenant: TenantId,
    uuid: TaskUuid,
) -> Result<i64> {
    conn.fetch_optional::<(i64,)>(
        LIVE_TASK_ID
            .stmt()
            .bind("tenant", tenant.get())
            .bind("uuid", uuid.0),
    )
    .await?
    .map(|(id,)| id)
    .ok_or(StoreError::NotFound)
}

/// Withdraws the task's occurrences fired ahead that have not come by `at` (see
/// `registry/withdraw_fired_ahead.sql`).
pub(crate) async fn withdraw_fired_ahead<E: Exec + ?Sized>(
    tx: &mut E,
    task_id: i64,
    at: Timestamp,
) -> Result<()> {
    tx.execute(
        WITHDRAW_FIRED_AHEAD
            .stmt()
            .bind("task_id", task_id)
            .bind("at", millis(at)),
    )
    .await?;
    Ok(())
}

/// Cancels the task's queued runs, after withdrawing the ones fired ahead that have not come
/// by `at`, and asks for the cancellation of its runs claimed ahead that have not started by
/// then (the engine's cancellation wake-up tells their node); how many queued runs it
/// cancelled.
pub(crate) async fn cancel_queued_runs<B: Backend>(
    tx: &mut B::Conn,
    task_id: i64,
    at: Timestamp,
    why: &str,
) -> Result<u64> {
    withdraw_fired_ahead(&mut *tx, task_id, at).await?;
    tx.execute(
        CANCEL_UNSTARTED_RUNS
            .stmt()
            .bind("task_id", task_id)
            .bind("at", millis(at)),
    )
    .await?;
    Ok(tx
        .execute(
            CANCEL_QUEUED_RUNS
                .of::<B>()
                .bind("at", millis(at))
                .bind("why", why)
                .bind("task_id", task_id),
        )
        .await?)
}

/// One audit entry, for task changes and run actions alike.
pub(crate) struct Audit<'a> {
    /// The task's tenant.
    pub(crate) tenant: TenantId,
    /// The task.
    pub(crate) task_id: i64,
    /// The task's version after the change.
    pub(crate) version: i64,
    /// What happened.
    pub(crate) action: AuditAction,
    /// Who did it.
    pub(crate) actor: &'a str,
    /// When.
    pub(crate) at: Timestamp,
    /// Extra facts, e.g. `{"cancelled_runs": 2}`.
    pub(crate) detail: Option<serde_json::Value>,
}

impl Audit<'_> {
    /// The statement that writes it.
    pub(crate) fn stmt(self) -> Stmt {
        INSERT_AUDIT
            .stmt()
            .bind("tenant", self.tenant.get())
            .bind("task_id", self.task_id)
            .bind("version", self.version)
            .bind("action", self.action.as_str())
            .bind("actor", self.actor)
            .bind("at", millis(self.at))
            .bind("detail", self.detail.map(|d| d.to_string()))
    }
}

/// An entry in the version history and the audit log for the change that produced `version`.
pub(crate) async fn record<E: Exec + ?Sized>(
    tx: &mut E,
    task_id: i64,
    version: i64,
    action: AuditAction,
    change: &Change<'_>,
    definition: &serde_json::Value,
    detail: Option<serde_json::Value>,
) -> Result<()> {
    tx.execute(
        INSERT_VERSION
            .stmt()
            .bind("tenant", change.tenant.get())
            .bind("task_id", task_id)
            .bind("version", version)
            .bind("action", action.as_str())
            .bind("actor", change.actor)
            .bind("at", millis(change.at))
            .bind("definition", definition.to_string()),
    )
    .await?;
    let audit = Audit {
        tenant: change.tenant,
        task_id,
        version,
        action,
        actor: change.actor,
        at: change.at,
        detail,
    };
    tx.execute(audit.stmt()).await?;
    Ok(())
}

/// Keeps the `keep` newest versions of a task that has just reached `version` (0: keeps all).
///
/// Pruned in the transaction that adds a version rather than by the maintenance loop: the
/// history is never over its bound, not even for a moment, and it costs one index seek that
/// deletes the one version that fell out, where a background pass would first have to find
/// the tasks with too many versions.
pub(crate) async fn prune_versions<E: Exec + ?Sized>(
    tx: &mut E,
    task_id: i64,
    version: i64,
    keep: u32,
) -> Result<()> {
    // Versions are numbered from 1, each row its own number, so a task whose version is at
    // most `keep` cannot have more than `keep` rows.
    if keep > 0 && version > i64::from(keep) {
        tx.execute(
            PRUNE_VERSIONS
                .stmt()
                .bind("task_id", task_id)
                .bind("offset", i64::from(keep) - 1),
        )
        .await?;
    }
    Ok(())
}

/// Fails with [`StoreError::VersionConflict`] when the caller expects another version than
/// the locked row's: compared under the row lock, so no change can slip in between.
pub(crate) fn check_expected(expected: Option<i64>, locked: &LockedTask) -> Result<()> {
    match expected {
        Some(expected) if expected != locked.version => Err(StoreError::VersionConflict {
            expected,
            current: locked.version,
        }),
        _ => Ok(()),
    }
}

/// Soft-deletes the locked task, cancels its queued runs and writes its version and audit
/// entries; the audit detail is `detail` and the number of runs cancelled.
pub(crate) async fn soft_delete_locked<B: Backend>(
    tx: &mut B::Conn,
    locked: LockedTask,
    change: &Change<'_>,
    mut detail: Map<String, Value>,
    versions_kept: u32,
) -> Result<()> {
    let changed = tx
        .execute(
            SOFT_DELETE
                .stmt()
                .bind("at", millis(change.at))
                .bind("actor", change.actor)
                .bind("id", locked.id)
                .bind("version", locked.version),
        )
        .await?;
    expect_one_row(&mut *tx, changed, locked).await?;
    let cancelled = cancel_queued_runs::<B>(&mut *tx, locked.id, change.at, "task deleted").await?;
    crate::chains::unlink(&mut *tx, locked.id).await?;
    detail.insert("cancelled_runs".into(), cancelled.into());
    let task = load_task(&mut *tx, locked.id).await?;
    record(
        &mut *tx,
        locked.id,
        task.version,
        AuditAction::Delete,
        change,
        &task.definition.to_json(),
        Some(Value::Object(detail)),
    )
    .await?;
    prune_versions(&mut *tx, locked.id, task.version, versions_kept).await
}

/// Replaces a locked task's definition and next occurrence as `action`, bumping its version
/// and writing its version and audit entries. `detail` is the audit detail (none when empty),
/// to which a deactivation adds the queued runs it cancelled.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn replace_locked<B: Backend>(
    tx: &mut B::Conn,
    locked: LockedTask,
    definition: &TaskDefinition,
    next_run_at: Option<Timestamp>,
    change: &Change<'_>,
    action: AuditAction,
    mut detail: Map<String, Value>,
    versions_kept: u32,
) -> Result<()> {
    let stmt = rows::bind_definition(UPDATE_DEFINITION.stmt(), definition)?;
    let changed = tx
        .execute(
            stmt.bind("next_run_at", next_run_at.map(millis))
                .bind("at", millis(change.at))
                .bind("actor", change.actor)
                .bind("id", locked.id)
                .bind("version", locked.version),
        )
        .await
        .map_err(|e| duplicate_code(e, definition.code.as_str()))?;
    expect_one_row(&mut *tx, changed, locked).await?;
    withdraw_fired_ahead(&mut *tx, locked.id, change.at).await?;
    // Deactivating through an edit is a stop, and a stop cancels what is still waiting.
    if locked.is_active && !definition.is_active {
        let cancelled =
            cancel_queued_runs::<B>(&mut *tx, locked.id, change.at, "task stopped").await?;
        detail.insert("cancelled_runs".into(), cancelled.into());
    }
    let version = locked.version + 1;
    record(
        &mut *tx,
        locked.id,
        version,
        action,
        change,
        &definition.to_json(),
        (!detail.is_empty()).then_some(Value::Object(detail)),
    )
    .await?;
    prune_versions(&mut *tx, locked.id, version, versions_kept).await
}

/// Fails unless a guarded `UPDATE` changed exactly the locked row. Under the row lock (or
/// SQLite's single writer) it always does; this catches a broken lock rather than a race.
pub(crate) async fn expect_one_row<E: Exec + ?Sized>(
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
pub(crate) fn check_tenant(task: &NewTask, change: &Change<'_>) -> Result<()> {
    if task.tenant == change.tenant {
        return Ok(());
    }
    Err(StoreError::Corrupt(format!(
        "create: task tenant {} differs from change tenant {}",
        task.tenant, change.tenant
    )))
}

/// Inserts a task at version 1 with its version and audit entries (`detail` in the audit
/// entry), inside the caller's transaction; returns its internal id.
pub(crate) async fn insert_task<E: Exec + ?Sized>(
    tx: &mut E,
    task: &NewTask,
    change: &Change<'_>,
    detail: Option<serde_json::Value>,
) -> Result<i64> {
    let definition = &task.definition;
    let stmt = rows::bind_definition(INSERT_TASK.stmt(), definition)?
        .bind("uuid", task.uuid.0)
        .bind("tenant", task.tenant.get())
        .bind("function_id", Task::function_id(task.uuid))
        .bind("at", millis(change.at))
        .bind("next_run_at", task.next_run_at.map(millis))
        .bind("actor", change.actor);
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
        detail,
    )
    .await?;
    Ok(id)
}

#[async_trait]
impl<B: Backend> TaskRegistry for B {
    async fn create_task(&self, task: NewTask, change: Change<'_>) -> Result<Task> {
        check_tenant(&task, &change)?;
        let mut tx = self.begin_write().await?;
        let id = insert_task(&mut *tx, &task, &change, None).await?;
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
            insert_task(&mut *tx, task, &change, None).await?;
        }
        tx.commit().await?;
        Ok(tasks.into_iter().map(|t| t.uuid).collect())
    }

    async fn get_task(&self, tenant: TenantId, uuid: TaskUuid) -> Result<Option<Task>> {
        let mut conn = self.read().await?;
        conn.fetch_optional::<TaskRow>(
            GET_TASK
                .stmt()
                .bind("tenant", tenant.get())
                .bind("uuid", uuid.0),
        )
        .await?
        .map(TaskRow::into_task)
        .transpose()
    }

    async fn list_tasks(&self, tenant: TenantId, query: &TaskQuery) -> Result<Page<Task>> {
        let (count, page_stmt) = list::task_list(B::DIALECT, tenant, query);
        let (page, _, _) = list::page_window(query.page, query.page_size);
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
        let mut tx = self.begin_write().await?;
        let locked = lock_task::<B>(&mut *tx, change.tenant, uuid).await?;
        check_expected(expected_version, &locked)?;
        let stored = load_task(&mut *tx, locked.id).await?;
        if stored.definition == definition {
            // Dropping the transaction writes nothing: no version, no audit, no new instant.
            return Ok(stored);
        }
        replace_locked::<B>(
            &mut *tx,
            locked,
            &definition,
            next_run_at,
            &change,
            AuditAction::Update,
            Map::new(),
            self.versions_kept(),
        )
        .await?;
        let updated = load_task(&mut *tx, locked.id).await?;
        tx.commit().await?;
        Ok(updated)
    }

    async fn set_active(
        &self,
        uuid: TaskUuid,
        expected_version: Option<i64>,
        active: bool,
        next_run_at: Option<Timestamp>,
        change: Change<'_>,
    ) -> Result<Task> {
        let mut tx = self.begin_write().await?;
        let locked = lock_task::<B>(&mut *tx, change.tenant, uuid).await?;
        check_expected(expected_version, &locked)?;
        if locked.is_active == active {
            // Dropping the transaction rolls back nothing: no version, no audit, no new instant.
            return load_task(&mut *tx, locked.id).await;
        }
        let changed = tx
            .execute(
                SET_ACTIVE
                    .stmt()
                    .bind("active", active)
                    .bind("next_run_at", next_run_at.map(millis))
                    .bind("at", millis(change.at))
                    .bind("actor", change.actor)
                    .bind("id", locked.id)
                    .bind("version", locked.version),
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
        prune_versions(&mut *tx, locked.id, task.version, self.versions_kept()).await?;
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
        crate::chains::lock_parents_of::<B>(&mut *tx, change.tenant, &uuids).await?;
        let mut deleted = Vec::with_capacity(uuids.len());
        for uuid in uuids {
            let locked = match lock_task::<B>(&mut *tx, change.tenant, uuid).await {
                Ok(locked) => locked,
                // Unknown, already deleted or another tenant's: indistinguishable on purpose.
                Err(StoreError::NotFound) => continue,
                Err(e) => return Err(e),
            };
            soft_delete_locked::<B>(&mut *tx, locked, &change, Map::new(), self.versions_kept())
                .await?;
            deleted.push(uuid);
        }
        tx.commit().await?;
        Ok(deleted)
    }

    async fn delete_task(
        &self,
        uuid: TaskUuid,
        expected_version: Option<i64>,
        change: Change<'_>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        crate::chains::lock_parents_of::<B>(&mut *tx, change.tenant, &[uuid]).await?;
        let locked = lock_task::<B>(&mut *tx, change.tenant, uuid).await?;
        check_expected(expected_version, &locked)?;
        soft_delete_locked::<B>(&mut *tx, locked, &change, Map::new(), self.versions_kept())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn task_versions(
        &self,
        tenant: TenantId,
        uuid: TaskUuid,
        page: u32,
        page_size: u32,
    ) -> Result<Page<TaskVersion>> {
        let (page, limit, offset) = list::page_window(page, page_size);
        let mut conn = self.read().await?;
        let id = live_task_id(&mut *conn, tenant, uuid).await?;
        let (total,) = conn
            .fetch_one::<(i64,)>(COUNT_VERSIONS.stmt().bind("task_id", id))
            .await?;
        let items = conn
            .fetch_all::<VersionRow>(
                LIST_VERSIONS
                    .stmt()
                    .bind("task_id", id)
                    .bind("limit", limit)
                    .bind("offset", offset),
            )
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

    async fn live_tasks_after(&self, after: Option<TaskUuid>, limit: u32) -> Result<Vec<Task>> {
        let mut conn = self.read().await?;
        conn.fetch_all::<TaskRow>(
            LIVE_TASKS_AFTER
                .stmt()
                .bind("after", after.map_or(uuid::Uuid::nil(), |t| t.0))
                .bind("limit", i64::from(limit)),
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
                SET_SCHEDULE_NOTICE
                    .stmt()
                    .bind("notice", notice)
                    .bind("next_run_at", next_run_at.map(millis))
                    .bind("tenant", task.tenant.get())
                    .bind("uuid", task.uuid.0)
                    .bind("version", task.version),
            )
            .await?;
        tx.commit().await?;
        Ok(changed == 1)
    }

    async fn schedule_scan_key(&self) -> Result<String> {
        let mut conn = self.read().await?;
        let key: Option<(String,)> = conn.fetch_optional(SCHEDULE_SCAN_KEY.stmt()).await?;
        Ok(key.map(|(key,)| key).unwrap_or_default())
    }

    async fn set_schedule_scan_key(&self, key: &str, at: Timestamp) -> Result<()> {
        let mut tx = self.begin_write().await?;
        tx.execute(
            SET_SCHEDULE_SCAN_KEY
                .stmt()
                .bind("scan_key", key.to_owned())
                .bind("at", millis(at)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
