//! Sundial's persistence.
//!
//! [`Store`] is the one interface the API and the engine use. It has two implementations,
//! [`SqliteStore`] (the embedded default) and [`PostgresStore`] (several nodes), which share
//! their SQL text wherever the two databases agree and prove it with one conformance suite.
//! Every method that touches a tenant's objects takes the [`TenantId`] and scopes by it.

use async_trait::async_trait;
use domain::{
    Run, RunLogLine, RunStatus, RunUuid, ScheduleNotice, Task, TaskDefinition, TaskType, TaskUuid,
    TaskVersion, TenantId, TriggerType,
};
use jiff::Timestamp;

mod engine;
mod error;
mod exec;
mod ops;
mod postgres;
mod rows;
mod signals;
mod sql;
mod sqlite;
#[cfg(feature = "test-support")]
pub mod test_support;

pub use engine::{
    AttemptEnd, ClaimRequest, ClaimedRun, DueTask, EngineStore, FinishedAttempt, FirePlan,
    FirePlanner, FireReport, NewLogLine, PlannedRun,
};
pub use error::StoreError;
pub use postgres::PostgresStore;
pub use signals::{Signal, Signals};
pub use sqlite::SqliteStore;

/// Result of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

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
    /// Latest run ended so.
    pub last_run_status: Option<RunStatus>,
    /// Order.
    pub sort: TaskSort,
    /// Which page, from 1.
    pub page: u32,
    /// Rows per page.
    pub page_size: u32,
}

/// Filters and page of a run list (newest first).
#[derive(Debug, Clone, Default)]
pub struct RunQuery {
    /// Only runs in this state.
    pub status: Option<RunStatus>,
    /// Only this run.
    pub run_uuid: Option<RunUuid>,
    /// Which page, from 1.
    pub page: u32,
    /// Rows per page.
    pub page_size: u32,
}

/// One page of a list and the size of the whole list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// Rows in the whole (filtered) list.
    pub total: u64,
    /// This page's number, from 1.
    pub page: u32,
    /// Rows per page.
    pub page_size: u32,
}

/// How many runs of a task ended in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Runs in all (collapsed skip rows count once per occurrence).
    pub total: u64,
    /// Waiting.
    pub queued: u64,
    /// Running now.
    pub running: u64,
    /// Succeeded.
    pub succeeded: u64,
    /// Failed.
    pub failed: u64,
    /// Timed out.
    pub timed_out: u64,
    /// Cancelled.
    pub cancelled: u64,
    /// Skipped occurrences.
    pub skipped: u64,
}

/// A tenant's own settings, kept by its admins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantSettings {
    /// The tenant's egress allow-list in canonical form; `None`: the deployment's policy alone.
    pub egress_allow: Option<String>,
    /// Last change.
    pub updated_at: Timestamp,
    /// Who made it (token subject).
    pub updated_by: String,
}

/// The persistence interface of the API and the engine.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Creates a task with version 1, writing its first version and an audit entry.
    /// Fails with [`StoreError::DuplicateCode`] when a live task of the tenant has the code.
    async fn create_task(&self, task: NewTask, change: Change<'_>) -> Result<Task>;

    /// Creates every task like [`Store::create_task`], all or nothing in one transaction (the
    /// import path); returns their uuids in input order. Fails with
    /// [`StoreError::DuplicateCode`] if any code is taken, in the tenant or within `tasks`.
    async fn create_many(&self, tasks: Vec<NewTask>, change: Change<'_>) -> Result<Vec<TaskUuid>>;

    /// A live task of the tenant.
    async fn get_task(&self, tenant: TenantId, uuid: TaskUuid) -> Result<Option<Task>>;

    /// One page of the tenant's live tasks.
    async fn list_tasks(&self, tenant: TenantId, query: &TaskQuery) -> Result<Page<Task>>;

    /// Replaces a task's definition and next occurrence, bumping its version. With
    /// `expected_version`, fails with [`StoreError::VersionConflict`] unless it matches.
    async fn update_task(
        &self,
        uuid: TaskUuid,
        expected_version: Option<i64>,
        definition: TaskDefinition,
        next_run_at: Option<Timestamp>,
        change: Change<'_>,
    ) -> Result<Task>;

    /// Starts or stops a task. Stopping cancels its queued runs (status `cancelled`).
    /// A no-op (already in that state) changes nothing and writes no version.
    async fn set_active(
        &self,
        uuid: TaskUuid,
        active: bool,
        next_run_at: Option<Timestamp>,
        change: Change<'_>,
    ) -> Result<Task>;

    /// Soft-deletes the tenant's live tasks among `uuids` and cancels their queued runs;
    /// returns the ones it deleted. Uuids of other tenants are ignored like unknown ones.
    async fn delete_tasks(&self, uuids: &[TaskUuid], change: Change<'_>) -> Result<Vec<TaskUuid>>;

    /// A task's version history, newest first. `NotFound` for an unknown task.
    async fn task_versions(
        &self,
        tenant: TenantId,
        uuid: TaskUuid,
        page: u32,
        page_size: u32,
    ) -> Result<Page<TaskVersion>>;

    /// A task's runs, newest occurrence first. `NotFound` for an unknown task.
    async fn list_runs(
        &self,
        tenant: TenantId,
        task: TaskUuid,
        query: &RunQuery,
    ) -> Result<Page<Run>>;

    /// One run of the tenant.
    async fn get_run(&self, tenant: TenantId, run: RunUuid) -> Result<Option<Run>>;

    /// The log lines of a run, in attempt and sequence order.
    async fn run_logs(&self, tenant: TenantId, run: RunUuid) -> Result<Vec<RunLogLine>>;

    /// Counts of a task's runs by state. `NotFound` for an unknown task.
    async fn run_stats(&self, tenant: TenantId, task: TaskUuid) -> Result<RunStats>;

    /// The tenant's settings; `None` when it never set any (the defaults apply).
    async fn tenant_settings(&self, tenant: TenantId) -> Result<Option<TenantSettings>>;

    /// Sets (or, with `None`, removes) the tenant's egress allow-list, given in canonical
    /// form; other settings stay as they are.
    async fn set_tenant_egress_allow(
        &self,
        egress_allow: Option<&str>,
        change: Change<'_>,
    ) -> Result<TenantSettings>;

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

    /// Rewrites one row in a write transaction: succeeds only while the store accepts writes
    /// (the readiness check).
    async fn probe_write(&self, now: Timestamp) -> Result<()>;
}
