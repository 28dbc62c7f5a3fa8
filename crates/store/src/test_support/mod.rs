//! Direct access for tests (cargo feature `test-support`): insert runs, log lines and engine
//! state that only the engine will write, and read raw rows, the audit log and query plans;
//! and fresh test databases with one way to run a case on both (`databases`).
//!
//! Nothing here checks what the engine will check (state transitions, leases, quotas); it
//! writes what it is given. Never enable this feature in a shipped binary.

use async_trait::async_trait;
use domain::{AuditAction, Run, RunLogLine, RunOutcome, RunStatus, RunUuid, TaskUuid, TenantId};
use jiff::Timestamp;
use std::sync::LazyLock;

use uuid::Uuid;

mod databases;

pub use databases::{
    DATABASE_URL_VAR, Database, PostgresDb, SKIP_VAR, SqliteFile, StoreGuard, TestFixture,
    TestStore, postgres_admin_url, run_case,
};

use crate::backend::{Backend, Commit, Exec};
use crate::history::run_id;
use crate::query::{Query, Stmt};
use crate::registry::live_task_id;
use crate::rows::{millis, outcome_letter, timestamp};
use crate::{Result, RunHistory, Store, StoreError, TaskQuery, list};

/// A statement of this module's own.
macro_rules! test_sql {
    ($name:literal, $text:literal) => {
        LazyLock::new(|| Query::parse(concat!("test_support: ", $name), $text))
    };
}

static INSERT_RUN: LazyLock<Query> = test_sql!(
    "insert run",
    "INSERT INTO task_runs (uuid, tenant_id, task_id, task_version, trigger, scheduled_for, \
     occurrences, status, skip_reason, attempt, max_attempts, not_before, queued_at, \
     started_at, finished_at, duration_ms, result, error, rescues, requeues, logs_pruned_at, \
     args) \
     VALUES (:uuid, :tenant, :task_id, :task_version, :trigger, :scheduled_for, :occurrences, \
     :status, :skip_reason, :attempt, :max_attempts, :not_before, :queued_at, :started_at, \
     :finished_at, :duration_ms, :result, :error, :rescues, :requeues, :logs_pruned_at, :args)"
);
static INSERT_LOG_LINE: LazyLock<Query> = test_sql!(
    "insert log line",
    "INSERT INTO task_run_logs (run_id, attempt, seq, ts, stream, line) \
     VALUES (:run_id, :attempt, :seq, :ts, :stream, :line)"
);
static ADD_LOG_BYTES: LazyLock<Query> = test_sql!(
    "add log bytes",
    "UPDATE task_runs SET log_bytes = log_bytes + :bytes WHERE id = :run_id"
);
static SET_RUN_STATE: LazyLock<Query> = test_sql!(
    "set run state",
    "UPDATE scheduled_tasks SET last_run_at = :last_run_at, \
     last_run_status = :last_run_status, last_error = :last_error, \
     last_run_duration_ms = :last_run_duration_ms, recent_outcomes = :recent_outcomes \
     WHERE id = :id"
);
static AUDIT_LOG: LazyLock<Query> = test_sql!(
    "audit log",
    "SELECT a.action, a.actor, a.at, a.version, a.detail FROM audit_log a \
     JOIN scheduled_tasks t ON t.id = a.task_id \
     WHERE a.tenant_id = :tenant AND t.uuid = :uuid ORDER BY a.id"
);
static TASK_ROW: LazyLock<Query> = test_sql!(
    "task row",
    "SELECT * FROM scheduled_tasks WHERE uuid = :uuid"
);

/// The engine-maintained state of a task, as the engine will set it after runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskRunState {
    /// When the latest ended run started.
    pub last_run_at: Option<Timestamp>,
    /// How the latest run ended.
    pub last_run_status: Option<RunStatus>,
    /// The latest run's error.
    pub last_error: Option<String>,
    /// How long the latest attempt ran.
    pub last_run_duration_ms: Option<i64>,
    /// How the latest runs ended, newest first.
    pub recent_outcomes: Vec<RunOutcome>,
}

/// One row of `audit_log`.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// What happened.
    pub action: AuditAction,
    /// Who did it.
    pub actor: String,
    /// When.
    pub at: Timestamp,
    /// The task version the change produced.
    pub version: i64,
    /// Extra facts, e.g. `{"cancelled_runs": 2}`.
    pub detail: Option<serde_json::Value>,
}

/// Every column of one `scheduled_tasks` row, to prove a row did not change at all.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RawTaskRow {
    /// Internal id.
    pub id: i64,
    /// External id.
    pub uuid: Uuid,
    /// Owner.
    pub tenant_id: i64,
    /// Name.
    pub name: String,
    /// Code.
    pub code: String,
    /// Description.
    pub description: Option<String>,
    /// Task type.
    #[sqlx(rename = "type")]
    pub task_type: String,
    /// Trigger type.
    pub trigger_type: String,
    /// Trigger JSON.
    pub trigger_config: String,
    /// Task config JSON.
    pub task_config: String,
    /// Function id.
    pub inngest_function_id: String,
    /// Active flag.
    pub is_active: bool,
    /// Latest ended run's start, epoch ms.
    pub last_run_at: Option<i64>,
    /// Latest run status.
    pub last_run_status: Option<String>,
    /// Latest run error.
    pub last_error: Option<String>,
    /// Creation, epoch ms.
    pub created_at: i64,
    /// Last change, epoch ms.
    pub updated_at: i64,
    /// Soft deletion, epoch ms.
    pub deleted_at: Option<i64>,
    /// Next occurrence, epoch ms.
    pub next_run_at: Option<i64>,
    /// Trigger zone.
    pub timezone: String,
    /// Retry policy JSON.
    pub retry_policy: String,
    /// Attempt timeout.
    pub timeout_seconds: i64,
    /// Overlap policy.
    pub overlap_policy: String,
    /// Misfire policy.
    pub misfire_policy: String,
    /// Misfire grace.
    pub misfire_grace_seconds: i64,
    /// Trigger start, epoch ms.
    pub start_at: Option<i64>,
    /// Trigger end, epoch ms.
    pub end_at: Option<i64>,
    /// Trigger jitter.
    pub jitter_seconds: i64,
    /// Optimistic-lock version.
    pub version: i64,
    /// Creator.
    pub created_by: String,
    /// Last changer.
    pub updated_by: String,
    /// Lower-cased name and code.
    pub search_text: String,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    action: String,
    actor: String,
    at: i64,
    version: i64,
    detail: Option<String>,
}

/// Test-only writes and reads beside the [`Store`] interface.
#[async_trait]
pub trait TestSupport: Store {
    /// Inserts `run` for its task (a live task of `tenant`) exactly as given; the run as stored.
    async fn insert_run_for_tests(&self, tenant: TenantId, run: &Run) -> Result<Run>;

    /// Appends log lines to a run of `tenant`, counting them in its stored log bytes.
    async fn insert_run_logs_for_tests(
        &self,
        tenant: TenantId,
        run: RunUuid,
        lines: &[RunLogLine],
    ) -> Result<()>;

    /// Sets the engine-maintained state of a live task of `tenant`, without a new version.
    async fn set_run_state_for_tests(
        &self,
        tenant: TenantId,
        task: TaskUuid,
        state: &TaskRunState,
    ) -> Result<()>;

    /// A task's audit entries in the order they were written, deleted tasks included.
    async fn audit_log_for_tests(
        &self,
        tenant: TenantId,
        task: TaskUuid,
    ) -> Result<Vec<AuditEntry>>;

    /// The whole row of a task of any tenant, deleted or not.
    async fn task_row_for_tests(&self, task: TaskUuid) -> Result<Option<RawTaskRow>>;

    /// Runs one statement in a write transaction (bulk loads, deliberate corruption).
    async fn execute_sql_for_tests(&self, sql: &str) -> Result<u64>;

    /// The plans of the count and page queries `list_tasks` runs for `query`: `EXPLAIN QUERY
    /// PLAN` on SQLite, `EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL.
    async fn explain_list_tasks_for_tests(
        &self,
        tenant: TenantId,
        query: &TaskQuery,
    ) -> Result<(String, String)>;

    /// The plans of the count and page queries `audit_entries` runs for `query`, as
    /// [`TestSupport::explain_list_tasks_for_tests`] gives them.
    async fn explain_audit_entries_for_tests(
        &self,
        tenant: TenantId,
        query: &crate::AuditQuery,
    ) -> Result<(String, String)>;

    /// The plans of the statements the engine runs at every claim and every recorded batch
    /// of outcomes, with the file each comes from.
    async fn explain_engine_statements_for_tests(&self) -> Result<Vec<(&'static str, String)>>;
}

#[async_trait]
impl<B: Backend> TestSupport for B {
    async fn insert_run_for_tests(&self, tenant: TenantId, run: &Run) -> Result<Run> {
        let mut tx = self.begin_write().await?;
        let task_id = live_task_id(&mut *tx, tenant, run.task_uuid).await?;
        tx.execute(
            INSERT_RUN
                .stmt()
                .bind("uuid", run.uuid.0)
                .bind("tenant", tenant.get())
                .bind("task_id", task_id)
                .bind("task_version", run.task_version)
                .bind("trigger", run.trigger.as_str())
                .bind("scheduled_for", millis(run.scheduled_for))
                .bind(
                    "not_before",
                    millis(run.next_attempt_at.unwrap_or(run.scheduled_for)),
                )
                .bind("occurrences", run.occurrences)
                .bind("status", run.status.as_str())
                .bind(
                    "skip_reason",
                    run.skip_reason.map(|r| r.as_str().to_owned()),
                )
                .bind("attempt", i64::from(run.attempt))
                .bind("max_attempts", i64::from(run.max_attempts))
                .bind("queued_at", millis(run.queued_at))
                .bind("started_at", run.started_at.map(millis))
                .bind("finished_at", run.finished_at.map(millis))
                .bind("duration_ms", run.duration_ms)
                .bind("result", run.result.as_ref().map(|r| r.to_string()))
                .bind("error", run.error.clone())
                .bind("rescues", i64::from(run.rescues))
                .bind("requeues", i64::from(run.requeues))
                .bind("logs_pruned_at", run.logs_pruned_at.map(millis))
                .bind("args", run.args.as_ref().map(|a| a.to_value().to_string())),
        )
        .await?;
        tx.commit().await?;
        self.get_run(tenant, run.uuid)
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn insert_run_logs_for_tests(
        &self,
        tenant: TenantId,
        run: RunUuid,
        lines: &[RunLogLine],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let run_id = run_id(&mut *tx, tenant, run).await?;
        for line in lines {
            tx.execute(
                INSERT_LOG_LINE
                    .stmt()
                    .bind("run_id", run_id)
                    .bind("attempt", i64::from(line.attempt))
                    .bind("seq", line.seq)
                    .bind("ts", millis(line.ts))
                    .bind("stream", line.stream.as_str())
                    .bind("line", line.line.clone()),
            )
            .await?;
        }
        let bytes: usize = lines.iter().map(|l| l.line.len() + 1).sum();
        tx.execute(
            ADD_LOG_BYTES
                .stmt()
                .bind("run_id", run_id)
                .bind("bytes", i64::try_from(bytes).unwrap_or(i64::MAX)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_run_state_for_tests(
        &self,
        tenant: TenantId,
        task: TaskUuid,
        state: &TaskRunState,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let task_id = live_task_id(&mut *tx, tenant, task).await?;
        tx.execute(
            SET_RUN_STATE
                .stmt()
                .bind("last_run_at", state.last_run_at.map(millis))
                .bind(
                    "last_run_status",
                    state.last_run_status.map(|s| s.as_str().to_owned()),
                )
                .bind("last_error", state.last_error.clone())
                .bind("last_run_duration_ms", state.last_run_duration_ms)
                .bind(
                    "recent_outcomes",
                    state
                        .recent_outcomes
                        .iter()
                        .map(|o| outcome_letter(*o))
                        .collect::<String>(),
                )
                .bind("id", task_id),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn audit_log_for_tests(
        &self,
        tenant: TenantId,
        task: TaskUuid,
    ) -> Result<Vec<AuditEntry>> {
        let mut conn = self.read().await?;
        let rows = conn
            .fetch_all::<AuditRow>(
                AUDIT_LOG
                    .stmt()
                    .bind("tenant", tenant.get())
                    .bind("uuid", task.0),
            )
            .await?;
        rows.into_iter()
            .map(|row| {
                Ok(AuditEntry {
                    action: row
                        .action
                        .parse()
                        .map_err(|e: String| StoreError::Corrupt(format!("audit action: {e}")))?,
                    actor: row.actor,
                    at: timestamp(row.at, "audit at")?,
                    version: row.version,
                    detail: row
                        .detail
                        .map(|d| serde_json::from_str(&d))
                        .transpose()
                        .map_err(|e| StoreError::Corrupt(format!("audit detail: {e}")))?,
                })
            })
            .collect()
    }

    async fn task_row_for_tests(&self, task: TaskUuid) -> Result<Option<RawTaskRow>> {
        let mut conn = self.read().await?;
        Ok(conn
            .fetch_optional::<RawTaskRow>(TASK_ROW.stmt().bind("uuid", task.0))
            .await?)
    }

    async fn execute_sql_for_tests(&self, sql: &str) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let n = tx
            .execute(Stmt::built(
                "execute_sql_for_tests",
                sql.to_owned(),
                Vec::new(),
            ))
            .await?;
        tx.commit().await?;
        Ok(n)
    }

    async fn explain_list_tasks_for_tests(
        &self,
        tenant: TenantId,
        query: &TaskQuery,
    ) -> Result<(String, String)> {
        let (count, page) = list::task_list(B::DIALECT, tenant, query);
        Ok((self.explain(count).await?, self.explain(page).await?))
    }

    async fn explain_audit_entries_for_tests(
        &self,
        tenant: TenantId,
        query: &crate::AuditQuery,
    ) -> Result<(String, String)> {
        let (count, page) = crate::audit::audit_list(tenant, query);
        Ok((self.explain(count).await?, self.explain(page).await?))
    }

    async fn explain_engine_statements_for_tests(&self) -> Result<Vec<(&'static str, String)>> {
        use crate::claiming::{CLAIM_CANDIDATES, NEXT_QUEUED, TASK_ROWS};
        use crate::finishing::{RECORD_TASK_OUTCOMES, TaskOutcome, outcomes_kept};
        use crate::query::Binds;
        let outcome = TaskOutcome {
            task_id: 1,
            status: RunStatus::Succeeded,
            error: None,
            duration_ms: 5,
            started_at: Some(Timestamp::UNIX_EPOCH),
            ended_runs: "s".into(),
        }
        .binds();
        let statements = [
            (
                "claiming/claim_candidates",
                CLAIM_CANDIDATES
                    .of::<B>()
                    .bind("due_by", 0_i64)
                    .bind("limit", 10_i64)
                    .bind("per_tenant", 10_i64)
                    .bind("after", 0_i64)
                    .bind("window", 256_i64),
            ),
            ("claiming/next_queued", NEXT_QUEUED.stmt()),
            (
                "claiming/task_rows",
                TASK_ROWS
                    .rows(&Binds::default(), vec![Binds::default().bind("id", 1_i64)])
                    .remove(0),
            ),
            (
                "finishing/record_task_outcomes",
                RECORD_TASK_OUTCOMES
                    .rows(&outcomes_kept(), vec![outcome])
                    .remove(0),
            ),
        ];
        let mut plans = Vec::new();
        for (file, stmt) in statements {
            plans.push((file, self.explain(stmt).await?));
        }
        Ok(plans)
    }
}
