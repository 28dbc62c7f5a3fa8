//! The SQL text of every query, written once for both databases.
//!
//! `$n` placeholders, `RETURNING`, `NULLS LAST`, `LIKE … ESCAPE`, `SUBSTR`/`LENGTH` and
//! `CAST(… AS BIGINT)` mean the same on SQLite and PostgreSQL, so one text serves both. The only
//! backend-specific text is the row lock of [`LOCK_TASK_POSTGRES`]. Timestamps are bound as epoch
//! milliseconds (`i64`), uuids as `uuid::Uuid`.
//!
//! The two list queries are assembled at run time, but only from the constant fragments in
//! this file; every value a caller supplies is bound, never spliced into the text.

use domain::TenantId;
use sqlx::{AssertSqlSafe, SqlSafeStr};

use crate::exec::{Arg, Args, Stmt};
use crate::{RunQuery, TaskQuery, TaskSortField};

/// The `scheduled_tasks` columns `rows::TaskRow` reads.
macro_rules! task_columns {
    () => {
        "id, uuid, tenant_id, name, code, description, type, trigger_type, trigger_config, \
         task_config, inngest_function_id, is_active, is_running, last_run_at, last_run_status, \
         last_error, created_at, updated_at, next_run_at, retry_policy, timeout_seconds, \
         overlap_policy, misfire_policy, misfire_grace_seconds, version, created_by, updated_by, \
         schedule_notice"
    };
}

/// The `task_runs` columns `rows::RunRow` reads, joined to the task for its uuid.
macro_rules! run_columns_from {
    () => {
        "SELECT r.id, r.uuid, t.uuid AS task_uuid, r.task_version, r.trigger, r.scheduled_for, \
         r.occurrences, r.status, r.skip_reason, r.attempt, r.max_attempts, r.rescues, \
         r.requeues, r.queued_at, r.started_at, r.finished_at, r.duration_ms, r.result, r.error \
         FROM task_runs r JOIN scheduled_tasks t ON t.id = r.task_id"
    };
}

/// Locates the live task to change, for the write that follows in the same transaction.
macro_rules! lock_task {
    () => {
        "SELECT id, version, is_active FROM scheduled_tasks \
         WHERE tenant_id = $1 AND uuid = $2 AND deleted_at IS NULL"
    };
}

/// SQLite: `BEGIN IMMEDIATE` already holds the database's only write lock, so no row lock.
pub(crate) const LOCK_TASK_SQLITE: &str = lock_task!();
/// PostgreSQL: concurrent writers of the same task queue here instead of racing the version.
pub(crate) const LOCK_TASK_POSTGRES: &str = concat!(lock_task!(), " FOR UPDATE");

/// One task by internal id, whether deleted or not (the caller already scoped it).
pub(crate) const TASK_BY_ID: &str = concat!(
    "SELECT ",
    task_columns!(),
    " FROM scheduled_tasks WHERE id = $1"
);

/// One live task of a tenant.
pub(crate) const GET_TASK: &str = concat!(
    "SELECT ",
    task_columns!(),
    " FROM scheduled_tasks WHERE tenant_id = $1 AND uuid = $2 AND deleted_at IS NULL"
);

/// The internal id of a live task of a tenant.
pub(crate) const LIVE_TASK_ID: &str =
    "SELECT id FROM scheduled_tasks WHERE tenant_id = $1 AND uuid = $2 AND deleted_at IS NULL";

/// A new task at version 1. `$3..$20` are the definition columns in `rows::definition_args`
/// order.
pub(crate) const INSERT_TASK: &str = "INSERT INTO scheduled_tasks (\
     uuid, tenant_id, \
     name, code, description, type, trigger_type, trigger_config, task_config, is_active, \
     timezone, retry_policy, timeout_seconds, overlap_policy, misfire_policy, \
     misfire_grace_seconds, start_at, end_at, jitter_seconds, search_text, \
     inngest_function_id, created_at, updated_at, next_run_at, created_by, updated_by, \
     version, is_running) \
     VALUES ($1, $2, \
     $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
     $21, $22, $22, $23, $24, $24, 1, FALSE) \
     RETURNING id";

/// Replaces the definition of a locked task; `$1..$18` are the definition columns in
/// `rows::definition_args` order. The version guard is redundant under the lock and kept as
/// a tripwire.
pub(crate) const UPDATE_DEFINITION: &str = "UPDATE scheduled_tasks SET \
     name = $1, code = $2, description = $3, type = $4, trigger_type = $5, trigger_config = $6, \
     task_config = $7, is_active = $8, timezone = $9, retry_policy = $10, timeout_seconds = $11, \
     overlap_policy = $12, misfire_policy = $13, misfire_grace_seconds = $14, start_at = $15, \
     end_at = $16, jitter_seconds = $17, search_text = $18, \
     next_run_at = $19, updated_at = $20, updated_by = $21, version = version + 1, \
     schedule_notice = NULL \
     WHERE id = $22 AND version = $23";

/// One page of every tenant's live tasks, in uuid order after `$1` (keyset paging, so a scan
/// never holds more than a page).
pub(crate) const LIVE_TASKS_AFTER: &str = concat!(
    "SELECT ",
    task_columns!(),
    " FROM scheduled_tasks WHERE deleted_at IS NULL AND uuid > $1 ORDER BY uuid LIMIT $2"
);

/// Flags a live task unless it changed since it was read (`$5`, its version): keeps a notice it
/// already has, and moves its next occurrence to `$2`. Neither is an edit, so the version and
/// `updated_at` stay.
pub(crate) const SET_SCHEDULE_NOTICE: &str = "UPDATE scheduled_tasks SET \
     schedule_notice = COALESCE(schedule_notice, $1), next_run_at = $2 \
     WHERE tenant_id = $3 AND uuid = $4 AND version = $5 AND deleted_at IS NULL";

/// Starts or stops a locked task.
pub(crate) const SET_ACTIVE: &str = "UPDATE scheduled_tasks SET \
     is_active = $1, next_run_at = $2, updated_at = $3, updated_by = $4, version = version + 1 \
     WHERE id = $5 AND version = $6";

/// Soft-deletes a locked task; its code becomes free (the unique index skips deleted rows).
pub(crate) const SOFT_DELETE: &str = "UPDATE scheduled_tasks SET \
     deleted_at = $1, is_active = FALSE, next_run_at = NULL, updated_at = $1, updated_by = $2, \
     version = version + 1 \
     WHERE id = $3 AND version = $4";

macro_rules! cancel_queued_runs {
    () => {
        "UPDATE task_runs SET status = 'cancelled', finished_at = $1, error = $2 \
         WHERE task_id = $3 AND status = 'queued'"
    };
}

/// Cancels a task's queued runs (stop, delete, overlap `replace`). SQLite: under the single
/// writer nothing else is claiming.
pub(crate) const CANCEL_QUEUED_RUNS_SQLITE: &str = cancel_queued_runs!();
/// PostgreSQL: runs a claimer has locked are left to it (they are starting, as if claimed just
/// before). Waiting for them would deadlock: the claimer, holding them, waits for the task
/// row this transaction holds.
pub(crate) const CANCEL_QUEUED_RUNS_POSTGRES: &str = concat!(
    cancel_queued_runs!(),
    " AND id IN (SELECT id FROM task_runs WHERE task_id = $3 AND status = 'queued' \
     FOR UPDATE SKIP LOCKED)"
);

/// One entry of a task's version history.
pub(crate) const INSERT_VERSION: &str = "INSERT INTO task_versions \
     (tenant_id, task_id, version, action, actor, at, definition) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// One audit entry.
pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_log \
     (tenant_id, task_id, action, actor, at, version, detail) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// Size of a task's version history.
pub(crate) const COUNT_VERSIONS: &str = "SELECT COUNT(*) FROM task_versions WHERE task_id = $1";

/// One page of a task's version history, newest first.
pub(crate) const LIST_VERSIONS: &str = "SELECT version, action, actor, at, definition \
     FROM task_versions WHERE task_id = $1 ORDER BY version DESC LIMIT $2 OFFSET $3";

/// One run of a tenant whose task is live.
pub(crate) const GET_RUN: &str = concat!(
    run_columns_from!(),
    " WHERE r.uuid = $1 AND r.tenant_id = $2 AND t.tenant_id = $2 AND t.deleted_at IS NULL"
);

/// The internal id of a run of a tenant whose task is live.
pub(crate) const RUN_ID: &str = "SELECT r.id FROM task_runs r JOIN scheduled_tasks t ON t.id = r.task_id \
     WHERE r.uuid = $1 AND r.tenant_id = $2 AND t.tenant_id = $2 AND t.deleted_at IS NULL";

/// A run's log, in the order it was written.
pub(crate) const RUN_LOGS: &str = "SELECT attempt, seq, ts, stream, line FROM task_run_logs \
     WHERE run_id = $1 ORDER BY attempt, seq";

/// A task's runs per state; a collapsed row of skipped occurrences counts as many as it holds.
pub(crate) const RUN_STATS: &str = "SELECT status, \
     CAST(SUM(CASE WHEN status = 'skipped' THEN occurrences ELSE 1 END) AS BIGINT) \
     FROM task_runs WHERE task_id = $1 GROUP BY status";

// ----- engine ------------------------------------------------------------------------------

/// Due active tasks, earliest first; served by the partial index `ix_scheduled_tasks_due`.
macro_rules! due_tasks {
    () => {
        concat!(
            "SELECT ",
            task_columns!(),
            " FROM scheduled_tasks WHERE next_run_at <= $1 AND deleted_at IS NULL AND is_active \
             AND next_run_at IS NOT NULL ORDER BY next_run_at LIMIT CAST($2 AS BIGINT)"
        )
    };
}

/// SQLite: the firing transaction holds the database's only write lock.
pub(crate) const DUE_TASKS_SQLITE: &str = due_tasks!();
/// PostgreSQL: each node locks the tasks it fires and skips the ones another node is firing.
pub(crate) const DUE_TASKS_POSTGRES: &str = concat!(due_tasks!(), " FOR UPDATE SKIP LOCKED");

/// A queued run `$alias` of a `queue_one` or `replace` task waits while another run of the task
/// is running, so those policies never run two at once (for `replace`, the running one has
/// been asked to stop).
macro_rules! claimable {
    ($alias:literal) => {
        concat!(
            "NOT EXISTS (SELECT 1 FROM task_runs x JOIN scheduled_tasks s ON s.id = x.task_id \
             WHERE x.task_id = ",
            $alias,
            ".task_id AND x.status = 'running' \
             AND s.overlap_policy IN ('queue_one', 'replace'))"
        )
    };
}

/// A tenant's queued runs whose time has come, earliest first, leaving out the ones waiting for
/// a running run; the tenant is `t.tenant_id`, the instant `$1`, and at most `$limit` are
/// wanted.
macro_rules! tenant_due_runs {
    ($columns:literal, $limit:literal) => {
        concat!(
            "SELECT ",
            $columns,
            " FROM task_runs p \
             WHERE p.status = 'queued' AND p.tenant_id = t.tenant_id AND p.not_before <= $1 AND ",
            claimable!("p"),
            " ORDER BY p.not_before, p.id LIMIT ",
            $limit
        )
    };
}

/// Takes queued runs whose time has come under this node's lease (`$4` owner, `$5` lease end,
/// `$1` now), at most `$2`, fair across tenants: every tenant's oldest run ranks before any
/// tenant's second, so one tenant's flood cannot starve another. A tenant's runs rank after the
/// ones it already has running, and none ranks past `$3` (the most runs a tenant may have
/// running at once). The tenants with queued runs are found by skipping through
/// `ix_task_runs_queued_tenant` one tenant at a time, and each gives at most `$2` candidates,
/// so a claim costs what it takes, not the length of the queue. `$per_tenant` joins a tenant
/// `t` to its candidates `c` (see `tenant_due_runs!`).
macro_rules! claim_runs {
    ($per_tenant:expr) => {
        concat!(
            "UPDATE task_runs SET status = 'running', lease_owner = $4, lease_expires_at = $5, \
             started_at = $1, finished_at = NULL WHERE id IN (\
             WITH RECURSIVE tenants(tenant_id) AS (\
             SELECT MIN(tenant_id) FROM task_runs WHERE status = 'queued' \
             UNION ALL \
             SELECT (SELECT MIN(q.tenant_id) FROM task_runs q \
             WHERE q.status = 'queued' AND q.tenant_id > t.tenant_id) \
             FROM tenants t WHERE t.tenant_id IS NOT NULL), \
             busy AS (SELECT tenant_id, COUNT(*) AS n FROM task_runs WHERE status = 'running' \
             GROUP BY tenant_id), \
             ranked AS (SELECT c.id, c.tenant_id, c.not_before, \
             ROW_NUMBER() OVER (PARTITION BY c.tenant_id ORDER BY c.not_before, c.id) AS rnk \
             FROM tenants t ",
            $per_tenant,
            ") SELECT k.id FROM ranked k LEFT JOIN busy ON busy.tenant_id = k.tenant_id \
             WHERE k.rnk + COALESCE(busy.n, 0) <= $3 ORDER BY k.rnk, k.not_before, k.id \
             LIMIT CAST($2 AS BIGINT)) \
             RETURNING uuid, tenant_id, task_id, trigger, scheduled_for, attempt, max_attempts, \
             rescues + requeues AS not_failures"
        )
    };
}

/// SQLite: the claiming transaction holds the database's only write lock. Its planner runs the
/// correlated `IN` once per tenant and looks the rows up by id.
///
/// Its limits are cast, as in every statement the engine runs in a loop: SQLite's planner reads
/// a bare `LIMIT $n`, so binding it again (even to the same value) makes SQLite re-prepare the
/// whole statement at its next step. Re-preparing the claim was a third of the writer's CPU.
pub(crate) const CLAIM_RUNS_SQLITE: &str = claim_runs!(concat!(
    "JOIN task_runs c ON c.id IN (",
    tenant_due_runs!("p.id", "CAST($2 AS BIGINT)"),
    ")"
));
/// PostgreSQL: two claimers never take the same run; each skips what the other holds. Every
/// candidate is locked, so a tenant offers no more than its fair share of `$2` and its room
/// under `$3`: a run locked here and then not taken would be skipped by another node's claim.
pub(crate) const CLAIM_RUNS_POSTGRES: &str = claim_runs!(concat!(
    "CROSS JOIN LATERAL (",
    tenant_due_runs!(
        "p.id, p.tenant_id, p.not_before",
        "GREATEST(0, LEAST(\
         (SELECT ($2 + COUNT(*) - 1) / NULLIF(COUNT(*), 0) FROM tenants WHERE tenant_id IS NOT NULL), \
         $3 - COALESCE((SELECT n FROM busy WHERE busy.tenant_id = t.tenant_id), 0)))"
    ),
    " FOR UPDATE SKIP LOCKED) c"
));

/// PostgreSQL: locks the tasks of the runs this node (`$2`) just claimed (at `$1`) in id
/// order before [`MARK_CLAIMED_TASKS`] changes them. The update alone locks them in whatever
/// order its plan visits them, and two nodes claiming runs of the same tasks then deadlock.
pub(crate) const LOCK_CLAIMED_TASKS_POSTGRES: &str = "SELECT id FROM scheduled_tasks WHERE id IN (\
     SELECT task_id FROM task_runs WHERE status = 'running' AND lease_owner = $2 \
     AND started_at = $1) ORDER BY id FOR UPDATE";

/// Marks the tasks of the runs this node (`$2`) just claimed (at `$1`) running and reads them.
pub(crate) const MARK_CLAIMED_TASKS: &str = concat!(
    "UPDATE scheduled_tasks SET is_running = TRUE, last_run_at = $1 WHERE id IN (\
     SELECT task_id FROM task_runs WHERE status = 'running' AND lease_owner = $2 \
     AND started_at = $1) RETURNING ",
    task_columns!()
);

/// The earliest next occurrences of active tasks, earliest first; served by `ix_scheduled_tasks_due`.
pub(crate) const UPCOMING: &str = "SELECT next_run_at FROM scheduled_tasks \
     WHERE deleted_at IS NULL AND is_active AND next_run_at IS NOT NULL \
     ORDER BY next_run_at LIMIT CAST($1 AS BIGINT)";

/// Earliest instant a queued run may start, leaving out the ones waiting for a running run.
pub(crate) const NEXT_QUEUED: &str = concat!(
    "SELECT MIN(q.not_before) FROM task_runs q WHERE q.status = 'queued' AND ",
    claimable!("q")
);

/// How many of each task's runs are queued and running, for the task ids in the `VALUES` rows
/// that follow (one parameter each); a task with neither has no row.
pub(crate) const LIVE_RUN_COUNTS: &str = "SELECT task_id, \
     CAST(SUM(CASE WHEN status = 'queued' THEN 1 ELSE 0 END) AS BIGINT), \
     CAST(SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END) AS BIGINT) \
     FROM task_runs WHERE status IN ('queued', 'running') AND task_id IN (VALUES ";

/// The end of [`LIVE_RUN_COUNTS`], after its rows.
pub(crate) const LIVE_RUN_COUNTS_TAIL: &str = ") GROUP BY task_id";

/// Ledger rows, sixteen parameters each in the column order of [`INSERT_RUN`]; an occurrence
/// that already has one (another node fired it) is left alone. Returns the inserted rows'
/// status.
pub(crate) const INSERT_RUNS: &str = "INSERT INTO task_runs (\
     uuid, tenant_id, task_id, task_version, trigger, scheduled_for, scheduled_until, occurrences, \
     status, skip_reason, attempt, max_attempts, not_before, queued_at, finished_at, error) \
     VALUES ";

/// The end of [`INSERT_RUNS`], after its rows.
pub(crate) const INSERT_RUNS_TAIL: &str = " ON CONFLICT DO NOTHING RETURNING status, uuid";

/// One ledger row. An occurrence that already has one (another node fired it) is left alone.
pub(crate) const INSERT_RUN: &str = "INSERT INTO task_runs (\
     uuid, tenant_id, task_id, task_version, trigger, scheduled_for, scheduled_until, occurrences, \
     status, skip_reason, attempt, max_attempts, not_before, queued_at, finished_at, error) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $12, $13, $14, $15) \
     ON CONFLICT DO NOTHING";

/// Advances fired tasks; the `VALUES` rows that follow are (task id, next occurrence, whether
/// there is one), three parameters each. A task with no next occurrence is finished and stops
/// being active.
pub(crate) const ADVANCE_TASKS: &str = "UPDATE scheduled_tasks SET \
     next_run_at = v.column2, is_active = (is_active AND v.column3) FROM (VALUES ";

/// The end of [`ADVANCE_TASKS`], after its rows.
pub(crate) const ADVANCE_TASKS_TAIL: &str = ") v WHERE scheduled_tasks.id = v.column1";

/// The running runs of a task are asked to stop (overlap policy `replace`; stop with
/// `cancel_running`).
pub(crate) const REQUEST_CANCEL_RUNNING: &str = "UPDATE task_runs SET cancel_requested = TRUE \
     WHERE task_id = $1 AND status = 'running'";

/// Extends the lease of one run this node (`$3`) is executing, and tells whether somebody
/// asked to cancel it; no row: the lease was lost. Only the attempts the node is executing are
/// renewed, so a run whose outcome could not be recorded is rescued once its lease expires.
pub(crate) const EXTEND_LEASE: &str = "UPDATE task_runs SET lease_expires_at = $1 \
     WHERE uuid = $2 AND lease_owner = $3 AND status = 'running' RETURNING cancel_requested";

/// Ends attempts of runs this node (`$1`) still holds, at `$2`; the `VALUES` rows that follow
/// are (run uuid, attempt, status, retry at, duration, result, error, started at), eight
/// parameters each from `$3`. An attempt with a retry instant queues the run's next attempt
/// then; the others end the run with their status. A run somebody asked to cancel ends
/// `cancelled` whatever its attempt did.
pub(crate) const END_ATTEMPTS: &str = "UPDATE task_runs SET \
     status = CASE WHEN cancel_requested THEN 'cancelled' \
                   WHEN v.column4 IS NOT NULL THEN 'queued' ELSE v.column3 END, \
     attempt = CASE WHEN NOT cancel_requested AND v.column4 IS NOT NULL \
                    THEN attempt + 1 ELSE attempt END, \
     not_before = CASE WHEN NOT cancel_requested AND v.column4 IS NOT NULL \
                       THEN v.column4 ELSE not_before END, \
     finished_at = CASE WHEN NOT cancel_requested AND v.column4 IS NOT NULL \
                        THEN NULL ELSE $2 END, \
     started_at = v.column8, duration_ms = v.column5, result = v.column6, \
     error = CASE WHEN cancel_requested THEN COALESCE(v.column7, 'cancelled') ELSE v.column7 END, \
     lease_owner = NULL, lease_expires_at = NULL \
     FROM (VALUES ";

/// The end of [`END_ATTEMPTS`], after its rows.
pub(crate) const END_ATTEMPTS_TAIL: &str = ") v \
     WHERE task_runs.uuid = v.column1 AND task_runs.attempt = v.column2 \
     AND task_runs.lease_owner = $1 AND task_runs.status = 'running' \
     RETURNING task_runs.id, task_runs.uuid, task_runs.task_id, task_runs.cancel_requested";

/// The task's state after one of its runs changed: running while any run is.
pub(crate) const REFRESH_TASK_RUNNING: &str = "UPDATE scheduled_tasks SET \
     is_running = EXISTS (SELECT 1 FROM task_runs WHERE task_id = $1 AND status = 'running') \
     WHERE id = $1";

/// Tasks' latest outcomes, and whether a run of each is still running; the `VALUES` rows
/// that follow are (task id, status, error), three parameters each from `$1`.
pub(crate) const RECORD_TASK_OUTCOMES: &str = "UPDATE scheduled_tasks SET \
     last_run_status = v.column2, last_error = v.column3, \
     is_running = EXISTS (SELECT 1 FROM task_runs r \
     WHERE r.task_id = scheduled_tasks.id AND r.status = 'running') \
     FROM (VALUES ";

/// The end of [`RECORD_TASK_OUTCOMES`], after its rows.
pub(crate) const RECORD_TASK_OUTCOMES_TAIL: &str = ") v WHERE scheduled_tasks.id = v.column1";

/// Runs whose node stopped heartbeating (`$1` is now): each is run again as a new attempt
/// that does not use up the task's retries (at-least-once), unless a cancellation was asked
/// for or it was already rescued `$2` times (a run that kills its node every time), which
/// fails it with the error `$4`; a rescued run carries the error `$3` until its next attempt
/// ends.
pub(crate) const RESCUE_EXPIRED: &str = "UPDATE task_runs SET \
     status = CASE WHEN cancel_requested THEN 'cancelled' \
                   WHEN rescues < $2 THEN 'queued' ELSE 'failed' END, \
     attempt = CASE WHEN NOT cancel_requested AND rescues < $2 THEN attempt + 1 ELSE attempt END, \
     max_attempts = CASE WHEN NOT cancel_requested AND rescues < $2 \
                         THEN max_attempts + 1 ELSE max_attempts END, \
     finished_at = CASE WHEN NOT cancel_requested AND rescues < $2 THEN NULL ELSE $1 END, \
     error = CASE WHEN rescues < $2 THEN $3 ELSE $4 END, \
     rescues = CASE WHEN NOT cancel_requested AND rescues < $2 THEN rescues + 1 ELSE rescues END, \
     not_before = $1, lease_owner = NULL, lease_expires_at = NULL \
     WHERE status = 'running' AND lease_expires_at < $1 \
     RETURNING task_id";

/// Hands a run this node holds back to the queue (graceful shutdown): it runs again as a new
/// attempt that does not use up the task's retries, counted in `requeues`.
pub(crate) const RELEASE_RUN: &str = "UPDATE task_runs SET \
     status = 'queued', not_before = $1, lease_owner = NULL, lease_expires_at = NULL, \
     attempt = attempt + 1, max_attempts = max_attempts + 1, requeues = requeues + 1 \
     WHERE uuid = $2 AND lease_owner = $3 AND status = 'running' RETURNING task_id";

/// Rewrites the readiness row: succeeds only while the store accepts writes.
pub(crate) const PROBE_WRITE: &str = "UPDATE readiness_probe SET at = $1 WHERE id = 1";

/// The internal id of a run, by uuid, whatever its tenant (the engine already holds it).
pub(crate) const RUN_ID_ANY_TENANT: &str = "SELECT id FROM task_runs WHERE uuid = $1";

/// Log lines, each numbered after the last line its attempt already has; the `VALUES` rows that
/// follow are (run id, attempt, position among the statement's lines of that attempt, ts,
/// stream, line), six parameters each from `$1`.
pub(crate) const INSERT_LOGS: &str = "INSERT INTO task_run_logs \
     (run_id, attempt, seq, ts, stream, line) \
     SELECT v.column1, v.column2, (SELECT COALESCE(MAX(l.seq), 0) FROM task_run_logs l \
     WHERE l.run_id = v.column1 AND l.attempt = v.column2) + v.column3, \
     v.column4, v.column5, v.column6 \
     FROM (VALUES ";

/// A run of a live task of the tenant, with what a cancellation needs.
pub(crate) const RUN_FOR_CANCEL: &str = "SELECT r.id, r.task_id, t.version, r.status \
     FROM task_runs r JOIN scheduled_tasks t ON t.id = r.task_id \
     WHERE r.uuid = $1 AND r.tenant_id = $2 AND t.tenant_id = $2 AND t.deleted_at IS NULL";

/// Cancels a run that has not started.
pub(crate) const CANCEL_QUEUED_RUN: &str = "UPDATE task_runs SET \
     status = 'cancelled', finished_at = $1, error = 'cancelled' WHERE id = $2 AND status = 'queued'";

/// Asks the worker of a running run to cancel it.
pub(crate) const REQUEST_CANCEL: &str = "UPDATE task_runs SET cancel_requested = TRUE \
     WHERE id = $1 AND status = 'running'";

/// `%keyword%` for `LIKE … ESCAPE '\'`: lower-cased the way `search_text` is, with the
/// pattern characters taken literally.
pub(crate) fn contains_pattern(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// `search_text` without the trailing `' ' || lower(code)`: the lower-cased name. Codes are
/// ASCII, so `LENGTH(code)` counts the same characters in the code and in its lower-cased copy,
/// and both databases count characters, not bytes.
const NAME_PART: &str = "SUBSTR(search_text, 1, LENGTH(search_text) - LENGTH(code) - 1)";

/// Backslash escapes `%`, `_` and itself in [`contains_pattern`]'s output.
const LIKE_ESCAPE: &str = " ESCAPE '\\'";

/// Offset and limit of a page; page 0 is read as page 1.
pub(crate) fn page_window(page: u32, page_size: u32) -> (u32, i64, i64) {
    let page = page.max(1);
    let offset = u64::from(page - 1) * u64::from(page_size);
    (
        page,
        i64::from(page_size),
        i64::try_from(offset).unwrap_or(i64::MAX),
    )
}

/// A `WHERE` clause assembled from constant fragments, with its bound values.
struct Filter {
    sql: String,
    args: Args,
}

impl Filter {
    fn new(base: &'static str, args: Args) -> Self {
        Self {
            sql: base.to_owned(),
            args,
        }
    }

    /// Appends `AND {before}$n{after}` with `$n` bound to `value`.
    fn and(&mut self, before: &str, value: Arg, after: &str) {
        self.args.push(value);
        self.sql
            .push_str(&format!(" AND {before}${}{after}", self.args.len()));
    }

    /// The `COUNT(*)` query and the page query ordered by `order_by`.
    fn into_queries(
        self,
        select: &str,
        count: &str,
        order_by: &str,
        page: u32,
        page_size: u32,
    ) -> (Stmt, Stmt) {
        let (_, limit, offset) = page_window(page, page_size);
        let n = self.args.len();
        // Safe to assert: `select`, `count`, `order_by` and every fragment of `self.sql` are
        // constants of this module; values only ever travel as bound arguments.
        let count = Stmt::with_args(
            AssertSqlSafe(format!("{count}{}", self.sql)).into_sql_str(),
            self.args.clone(),
        );
        let page = Stmt::with_args(
            AssertSqlSafe(format!(
                "{select}{} ORDER BY {order_by} LIMIT ${} OFFSET ${}",
                self.sql,
                n + 1,
                n + 2
            ))
            .into_sql_str(),
            self.args.int(limit).int(offset),
        );
        (count, page)
    }
}

/// The `COUNT(*)` and the page query of a task list, with the same filters.
pub(crate) fn task_list(tenant: TenantId, query: &TaskQuery) -> (Stmt, Stmt) {
    let mut filter = Filter::new(
        " FROM scheduled_tasks WHERE tenant_id = $1 AND deleted_at IS NULL",
        Args::default().int(tenant.get()),
    );
    if let Some(keyword) = &query.keyword {
        // No code contains a space, so a keyword with one can only match inside the name;
        // matching the whole search_text would let it straddle the name/code separator.
        let column = if keyword.contains(' ') {
            NAME_PART
        } else {
            "search_text"
        };
        filter.and(
            &format!("{column} LIKE "),
            Arg::Text(contains_pattern(keyword)),
            LIKE_ESCAPE,
        );
    }
    if let Some(name) = &query.name {
        filter.and(
            &format!("{NAME_PART} LIKE "),
            Arg::Text(contains_pattern(name)),
            LIKE_ESCAPE,
        );
    }
    if let Some(code) = &query.code {
        filter.and("code = ", Arg::Text(code.clone()), "");
    }
    if let Some(task_type) = query.task_type {
        filter.and("type = ", Arg::Text(task_type.as_str().to_owned()), "");
    }
    if let Some(trigger_type) = query.trigger_type {
        filter.and(
            "trigger_type = ",
            Arg::Text(trigger_type.as_str().to_owned()),
            "",
        );
    }
    if let Some(is_active) = query.is_active {
        filter.and("is_active = ", Arg::Bool(is_active), "");
    }
    if let Some(status) = query.last_run_status {
        filter.and(
            "last_run_status = ",
            Arg::Text(status.as_str().to_owned()),
            "",
        );
    }

    let column = match query.sort.field {
        TaskSortField::CreatedAt => "created_at",
        TaskSortField::UpdatedAt => "updated_at",
        TaskSortField::Name => "name",
        TaskSortField::Code => "code",
        TaskSortField::NextRunAt => "next_run_at",
        TaskSortField::LastRunAt => "last_run_at",
    };
    let direction = if query.sort.descending { "DESC" } else { "ASC" };
    // SQLite puts NULLs first ascending and PostgreSQL last; saying it makes both agree. Only
    // the nullable columns get it, so the others keep a plain order any index can serve.
    let nulls = match query.sort.field {
        TaskSortField::NextRunAt | TaskSortField::LastRunAt => " NULLS LAST",
        _ => "",
    };
    let order_by = format!("{column} {direction}{nulls}, id {direction}");
    filter.into_queries(
        concat!("SELECT ", task_columns!()),
        "SELECT COUNT(*)",
        &order_by,
        query.page,
        query.page_size,
    )
}

/// The `COUNT(*)` and the page query of a task's run list, newest occurrence first.
pub(crate) fn run_list(task_id: i64, query: &RunQuery) -> (Stmt, Stmt) {
    let mut filter = Filter::new(" WHERE r.task_id = $1", Args::default().int(task_id));
    if let Some(status) = query.status {
        filter.and("r.status = ", Arg::Text(status.as_str().to_owned()), "");
    }
    if let Some(run) = query.run_uuid {
        filter.and("r.uuid = ", Arg::Uuid(run.0), "");
    }
    filter.into_queries(
        run_columns_from!(),
        "SELECT COUNT(*) FROM task_runs r",
        "r.scheduled_for DESC, r.id DESC",
        query.page,
        query.page_size,
    )
}

// ----- maintenance -------------------------------------------------------------------------

/// Takes or renews a lease of a cluster-wide duty: succeeds (one row) when `$1` holds it
/// already or nobody does any more.
pub(crate) const HOLD_LEASE: &str = "UPDATE engine_leases SET owner = $1, expires_at = $2 \
     WHERE name = $3 AND (owner = $1 OR expires_at <= $4)";

/// Gives a lease up, so another node takes the duty over at once.
pub(crate) const DROP_LEASE: &str =
    "UPDATE engine_leases SET expires_at = 0 WHERE name = $1 AND owner = $2";

/// Deletes the oldest finished runs (and, by cascade, their log lines) finished before `$1`.
pub(crate) const PRUNE_RUNS: &str = "DELETE FROM task_runs WHERE id IN (\
     SELECT id FROM task_runs WHERE status NOT IN ('queued', 'running') AND finished_at < $1 \
     ORDER BY finished_at LIMIT $2)";

/// A tenant's settings row.
pub(crate) const GET_TENANT_SETTINGS: &str = "SELECT egress_allow, updated_at, updated_by \
     FROM tenant_settings WHERE tenant_id = $1";

/// Sets a tenant's egress allow-list, creating its settings row if needed (SQLite 3.24+ and
/// PostgreSQL share `ON CONFLICT … DO UPDATE`).
pub(crate) const UPSERT_TENANT_EGRESS_ALLOW: &str = "INSERT INTO tenant_settings \
     (tenant_id, egress_allow, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (tenant_id) DO UPDATE SET egress_allow = excluded.egress_allow, \
     updated_at = excluded.updated_at, updated_by = excluded.updated_by \
     RETURNING egress_allow, updated_at, updated_by";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_lower_cased_and_literal() {
        assert_eq!(contains_pattern("Über"), "%über%");
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }

    #[test]
    fn pages_start_at_one_and_do_not_overflow() {
        assert_eq!(page_window(0, 20), (1, 20, 0));
        assert_eq!(page_window(3, 20), (3, 20, 40));
        assert_eq!(page_window(u32::MAX, u32::MAX).2, i64::MAX);
    }

    #[test]
    fn list_placeholders_match_their_arguments() {
        let query = TaskQuery {
            keyword: Some("a b".into()),
            name: Some("x".into()),
            code: Some("c".into()),
            is_active: Some(true),
            page: 2,
            page_size: 10,
            ..TaskQuery::default()
        };
        let (count, page) = task_list(TenantId::new(1).expect("positive"), &query);
        assert_eq!(count.args.len(), 5);
        assert!(
            count.sql.as_str().contains("is_active = $5"),
            "{}",
            count.sql.as_str()
        );
        assert!(
            page.sql.as_str().ends_with("LIMIT $6 OFFSET $7"),
            "{}",
            page.sql.as_str()
        );
        assert_eq!(page.args.len(), 7);
        assert!(
            page.sql
                .as_str()
                .contains("SUBSTR(search_text, 1, LENGTH(search_text) - LENGTH(code) - 1) LIKE $2")
        );
    }
}
