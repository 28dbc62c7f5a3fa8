//! The engine's persistence: firing occurrences into the ledger, claiming runs under a lease,
//! heartbeats, finishing attempts, rescuing expired leases, run-now and cancel.
//!
//! Written once for every [`Backend`], like [`Store`](crate::Store). Each call is one
//! transaction however many rows it touches (group commit): a durable commit costs a few
//! milliseconds on a real disk, so one commit per firing or per run would cap the engine near
//! 300 per second.

use std::sync::Arc;

use async_trait::async_trait;
use domain::{
    AuditAction, LogStream, Run, RunStatus, RunTrigger, RunUuid, SkipReason, Task, TaskUuid,
    TenantId,
};
use jiff::{SignedDuration, Timestamp};
use sqlx::{AssertSqlSafe, SqlSafeStr};
use uuid::Uuid;

use crate::exec::{Args, Backend, Commit, Exec, Stmt};
use crate::ops::{cancel_queued_runs, live_task_id, load_task};
use crate::rows::{RunRow, TaskRow, millis, timestamp};
use crate::{Result, StoreError, sql};

/// A due task as the firing transaction sees it, locked until the transaction ends.
#[derive(Debug, Clone)]
pub struct DueTask {
    /// The task, with `next_run_at` set (it is due).
    pub task: Task,
    /// Its runs waiting for a worker.
    pub queued: u32,
    /// Its runs executing now.
    pub running: u32,
}

/// One ledger row the firing loop writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRun {
    /// Scheduled or catch-up.
    pub trigger: RunTrigger,
    /// The occurrence (the first one for a collapsed skip row).
    pub scheduled_for: Timestamp,
    /// The last occurrence a collapsed skip row stands for.
    pub scheduled_until: Option<Timestamp>,
    /// How many occurrences the row stands for.
    pub occurrences: i64,
    /// `Some` for a skipped occurrence, `None` for one to run.
    pub skip: Option<SkipReason>,
    /// Earliest start: the occurrence plus its jitter.
    pub not_before: Timestamp,
}

/// What firing one due task does, decided by a [`FirePlanner`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FirePlan {
    /// Ledger rows to insert, in occurrence order.
    pub runs: Vec<PlannedRun>,
    /// The task's next occurrence; `None` finishes the task (it stops being active).
    pub next_run_at: Option<Timestamp>,
    /// Overlap policy `replace`: cancel the queued runs and ask the running ones to stop.
    pub replace_live_runs: bool,
}

/// Turns a due task into ledger rows (misfire and overlap policies). Pure: the store calls it
/// inside the firing transaction.
pub trait FirePlanner: Send + Sync {
    /// The plan for `due` at `now`.
    fn plan(&self, due: &DueTask, now: Timestamp) -> FirePlan;
}

/// What one firing batch did.
#[derive(Debug, Clone, Default)]
pub struct FireReport {
    /// Due tasks it handled (a full batch means more may be due).
    pub tasks: u64,
    /// Runs it queued.
    pub queued: u64,
    /// Skip rows it wrote.
    pub skipped: u64,
    /// Tasks whose live runs it replaced (overlap policy `replace`): running ones were asked
    /// to stop.
    pub replaced: u64,
    /// The next occurrences of the tasks it advanced, for the engine's timing index.
    pub next_instants: Vec<Timestamp>,
    /// Runs claimed in the same transaction (see [`ClaimRequest`]).
    pub claimed: Vec<ClaimedRun>,
    /// Runs it queued that are still queued when it commits.
    pub unclaimed: u64,
}

/// Who claims runs, for how long and how many.
#[derive(Debug, Clone, Copy)]
pub struct ClaimRequest<'a> {
    /// The node taking the leases.
    pub owner: &'a str,
    /// How long a lease lasts without a heartbeat.
    pub lease: SignedDuration,
    /// Most runs to take.
    pub limit: u32,
    /// Most runs one tenant may have running (`None`: no cap).
    pub per_tenant: Option<u32>,
}

/// A run a worker claimed: everything the executor needs.
#[derive(Debug, Clone)]
pub struct ClaimedRun {
    /// The run.
    pub run: RunUuid,
    /// Its tenant.
    pub tenant: TenantId,
    /// The task as it is now (definition changes apply to runs not yet started).
    pub task: Task,
    /// Why the run exists.
    pub trigger: RunTrigger,
    /// The occurrence.
    pub scheduled_for: Timestamp,
    /// This attempt, from 1.
    pub attempt: u32,
    /// Attempts allowed in all.
    pub max_attempts: u32,
    /// Earlier executions that were not failures of the task (rescues and requeues): they
    /// count in `attempt` and `max_attempts` but not in the retry backoff.
    pub not_failures: u32,
}

/// How an attempt ended, as the engine decided it.
#[derive(Debug, Clone, PartialEq)]
pub struct AttemptEnd {
    /// The attempt's status: succeeded, failed, timed_out or cancelled.
    pub status: RunStatus,
    /// Structured result of the attempt.
    pub result: Option<serde_json::Value>,
    /// Error of the attempt.
    pub error: Option<String>,
    /// When it began executing: after its claim committed, so after the end of any run it had
    /// to wait for.
    pub started_at: Timestamp,
    /// How long it ran.
    pub duration_ms: i64,
    /// `Some`: try again (attempt + 1) not before this instant; `None`: the run ends.
    pub retry_at: Option<Timestamp>,
}

/// An attempt that ended, for [`EngineStore::finish_many`].
#[derive(Debug, Clone, PartialEq)]
pub struct FinishedAttempt {
    /// The run.
    pub run: RunUuid,
    /// The attempt that ended.
    pub attempt: u32,
    /// Its log lines not written yet.
    pub logs: Vec<NewLogLine>,
    /// How it ended.
    pub end: AttemptEnd,
}

/// One log line for [`EngineStore::append_logs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLogLine {
    /// When it was written.
    pub ts: Timestamp,
    /// Which output.
    pub stream: LogStream,
    /// The text.
    pub line: String,
}

/// The engine's persistence interface.
#[async_trait]
pub trait EngineStore: Send + Sync + 'static {
    /// Fires at most `batch_limit` due tasks in one transaction: inserts the ledger rows
    /// `planner` decides and advances each task's `next_run_at`. On PostgreSQL, tasks another
    /// node is firing are skipped; an occurrence that already has a row is never written twice.
    ///
    /// With `claim`, when [`EngineStore::claims_while_firing`] and it queued runs, the same
    /// transaction then claims queued runs as [`EngineStore::claim`] does, so a fired run
    /// reaches a worker after one durable commit instead of two.
    async fn fire(
        &self,
        now: Timestamp,
        batch_limit: u32,
        planner: &dyn FirePlanner,
        claim: Option<ClaimRequest<'_>>,
    ) -> Result<FireReport>;

    /// The `limit` earliest `next_run_at` instants of active tasks, earliest first (repeats
    /// kept: two tasks due at one instant give it twice).
    async fn upcoming(&self, limit: u32) -> Result<Vec<Timestamp>>;

    /// The earliest instant a queued run may start.
    async fn next_queued(&self) -> Result<Option<Timestamp>>;

    /// Wake-ups between nodes sharing the database (PostgreSQL); `None` on SQLite.
    fn signals(&self) -> Option<Arc<dyn crate::Signals>>;

    /// Whether [`EngineStore::fire`] claims runs in its transaction. Only with one writer
    /// (SQLite), where the firing and the claim would queue for the same lock anyway. On
    /// PostgreSQL the claimer runs beside the firing instead, and claiming while holding the
    /// fired tasks could deadlock with another node's firing.
    fn claims_while_firing(&self) -> bool;

    /// Claims up to `limit` queued runs whose `not_before` has passed, fairly across tenants,
    /// under a lease held by `owner` until `now + lease`; a tenant with `per_tenant` runs
    /// running gets no more (`None`: no cap).
    async fn claim(
        &self,
        owner: &str,
        now: Timestamp,
        lease: SignedDuration,
        limit: u32,
        per_tenant: Option<u32>,
    ) -> Result<Vec<ClaimedRun>>;

    /// Extends the leases of `runs`, the attempts `owner` is executing, until `until`; returns
    /// those it no longer holds or whose cancellation was asked for. Other runs `owner` holds
    /// are left to expire: their attempts ended without an outcome recorded.
    async fn heartbeat(
        &self,
        owner: &str,
        runs: &[RunUuid],
        until: Timestamp,
    ) -> Result<Vec<RunUuid>>;

    /// Ends attempt `attempt` of a run `owner` holds: final, or queued again for a retry.
    /// A cancellation asked for meanwhile wins over a retry. Returns false (and changes
    /// nothing) when the lease was lost.
    async fn finish(
        &self,
        owner: &str,
        run: RunUuid,
        attempt: u32,
        end: AttemptEnd,
        now: Timestamp,
    ) -> Result<bool> {
        let ended = FinishedAttempt {
            run,
            attempt,
            logs: Vec::new(),
            end,
        };
        let held = self.finish_many(owner, &[ended], now).await?;
        Ok(held.first().copied().unwrap_or(false))
    }

    /// Ends several attempts `owner` holds, each with the rest of its log, in one transaction
    /// (group commit: one disk flush for a whole batch of finished attempts). One answer per
    /// attempt, in order, as [`EngineStore::finish`] gives; an attempt whose lease was lost
    /// changes nothing, its log lines included.
    async fn finish_many(
        &self,
        owner: &str,
        attempts: &[FinishedAttempt],
        now: Timestamp,
    ) -> Result<Vec<bool>>;

    /// Appends lines to the log of an attempt, numbering them after the ones it has.
    async fn append_logs(&self, run: RunUuid, attempt: u32, lines: &[NewLogLine]) -> Result<()>;

    /// Requeues running runs whose lease expired as a new attempt that does not use up the
    /// task's retries (`rescues` + 1), or fails those already rescued `max_rescues` times;
    /// how many.
    async fn rescue(&self, now: Timestamp, max_rescues: u32) -> Result<u64>;

    /// Hands runs `owner` still holds back to the queue (graceful shutdown) as a new attempt
    /// that does not use up the task's retries (`requeues` + 1); how many.
    async fn release(&self, owner: &str, runs: &[RunUuid], now: Timestamp) -> Result<u64>;

    /// Queues a manual run of a live task of the tenant (run now) and audits it.
    async fn enqueue_manual(
        &self,
        tenant: TenantId,
        task: TaskUuid,
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

    /// Takes or renews the lease `name` of a cluster-wide duty for `owner` until `until`;
    /// false when another owner holds it unexpired at `now`.
    async fn hold_lease(
        &self,
        name: &str,
        owner: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<bool>;

    /// Gives up the lease `name` if `owner` holds it.
    async fn drop_lease(&self, name: &str, owner: &str) -> Result<()>;

    /// Deletes at most `limit` finished runs (with their logs) that finished before `before`,
    /// oldest first; how many.
    async fn prune_runs(&self, before: Timestamp, limit: u32) -> Result<u64>;
}

/// `RETURNING` of the claim (`sql::claim_runs`).
#[derive(sqlx::FromRow)]
struct TakenRun {
    uuid: Uuid,
    tenant_id: i64,
    task_id: i64,
    trigger: String,
    scheduled_for: i64,
    attempt: i32,
    max_attempts: i32,
    not_failures: i32,
}

/// `RETURNING` of [`sql::END_ATTEMPTS`].
#[derive(sqlx::FromRow)]
struct EndedAttempt {
    id: i64,
    uuid: Uuid,
    task_id: i64,
    cancel_requested: bool,
}

/// [`sql::RUN_FOR_CANCEL`].
#[derive(sqlx::FromRow)]
struct CancelTarget {
    id: i64,
    task_id: i64,
    version: i64,
    status: String,
}

/// Parameters of one multi-row statement (`VALUES` lists). The SQLite driver binds by
/// parameter name, at a cost that grows with the square of a statement's parameters, so many
/// small statements beat one huge one.
const PARAMS_PER_STATEMENT: usize = 800;

/// The error a rescued run carries until its next attempt ends.
const RESCUED: &str = "lease expired: the node running it stopped; running it again";

/// How many rows of `width` parameters one statement takes.
fn rows_per_statement(width: usize) -> usize {
    (PARAMS_PER_STATEMENT / width.max(1)).max(1)
}

/// `head (row), (row), … tail`, where each row's values are numbered after the `fixed` ones.
fn values_stmt(head: &str, tail: &str, fixed: Args, rows: Vec<Args>) -> Stmt {
    let mut text = String::from(head);
    let mut args = fixed;
    for (i, row) in rows.into_iter().enumerate() {
        if i > 0 {
            text.push_str(", ");
        }
        text.push('(');
        for j in 0..row.len() {
            if j > 0 {
                text.push_str(", ");
            }
            text.push_str(&format!("${}", args.len() + 1 + j));
        }
        text.push(')');
        args = args.append(row);
    }
    text.push_str(tail);
    Stmt::with_args(AssertSqlSafe(text).into_sql_str(), args).uncached()
}

/// [`values_stmt`] for any number of rows: as many statements as they need, each with the
/// `fixed` values first.
fn values_stmts(head: &str, tail: &str, fixed: &Args, rows: Vec<Args>) -> Vec<Stmt> {
    let per = rows_per_statement(rows.first().map_or(1, Args::len));
    let mut stmts = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Args> = rows.by_ref().take(per).collect();
        stmts.push(values_stmt(head, tail, fixed.clone(), chunk));
    }
    stmts
}

/// Runs a multi-row statement that returns nothing, in as many statements as its rows need.
async fn execute_values<E: Exec + ?Sized>(
    tx: &mut E,
    head: &str,
    tail: &str,
    rows: Vec<Args>,
) -> Result<()> {
    for stmt in values_stmts(head, tail, &Args::default(), rows) {
        tx.execute(stmt).await?;
    }
    Ok(())
}

/// Ends attempts inside a transaction (see [`EngineStore::finish_many`]): a few statements
/// for the whole batch, whatever its size.
async fn finish_attempts<E: Exec + ?Sized>(
    tx: &mut E,
    owner: &str,
    attempts: &[FinishedAttempt],
    now: Timestamp,
) -> Result<Vec<bool>> {
    let mut ended = std::collections::HashMap::new();
    let rows = attempts
        .iter()
        .map(|a| {
            Args::default()
                .uuid(a.run.0)
                .int(i64::from(a.attempt))
                .text(a.end.status.as_str())
                .opt_int(a.end.retry_at.map(ceil_millis))
                .int(a.end.duration_ms)
                .opt_text(a.end.result.as_ref().map(ToString::to_string))
                .opt_text(a.end.error.clone())
                .int(millis(a.end.started_at))
        })
        .collect();
    for stmt in values_stmts(
        sql::END_ATTEMPTS,
        sql::END_ATTEMPTS_TAIL,
        &Args::default().text(owner).int(millis(now)),
        rows,
    ) {
        for row in tx.fetch_all::<EndedAttempt>(stmt).await? {
            ended.insert(row.uuid, row);
        }
    }
    let logs: Vec<(i64, u32, &[NewLogLine])> = attempts
        .iter()
        .filter_map(|a| {
            ended
                .get(&a.run.0)
                .map(|e| (e.id, a.attempt, a.logs.as_slice()))
        })
        .collect();
    insert_logs(tx, &logs).await?;
    // One outcome per task, the batch's last, as if the attempts had been recorded in order.
    let mut outcomes: Vec<(i64, RunStatus, Option<String>)> = Vec::new();
    for a in attempts {
        let Some(e) = ended.get(&a.run.0) else {
            continue;
        };
        let outcome = if e.cancel_requested {
            (
                RunStatus::Cancelled,
                a.end.error.clone().or_else(|| Some("cancelled".into())),
            )
        } else {
            (a.end.status, a.end.error.clone())
        };
        outcomes.retain(|(task, _, _)| *task != e.task_id);
        outcomes.push((e.task_id, outcome.0, outcome.1));
    }
    let rows = outcomes
        .into_iter()
        .map(|(task, status, error)| {
            Args::default()
                .int(task)
                .text(status.as_str())
                .opt_text(error)
        })
        .collect();
    execute_values(
        tx,
        sql::RECORD_TASK_OUTCOMES,
        sql::RECORD_TASK_OUTCOMES_TAIL,
        rows,
    )
    .await?;
    Ok(attempts
        .iter()
        .map(|a| ended.contains_key(&a.run.0))
        .collect())
}

/// Appends log lines, each attempt's numbered after the lines it already has: `(run id,
/// attempt, lines)`.
async fn insert_logs<E: Exec + ?Sized>(
    tx: &mut E,
    logs: &[(i64, u32, &[NewLogLine])],
) -> Result<()> {
    // Six parameters a line.
    let per = rows_per_statement(6);
    let mut statements: Vec<Vec<Args>> = vec![Vec::new()];
    for (run_id, attempt, lines) in logs {
        let mut position = 0;
        for line in *lines {
            if statements.last().is_some_and(|rows| rows.len() == per) {
                statements.push(Vec::new());
                // The next statement numbers after the lines this one wrote.
                position = 0;
            }
            position += 1;
            if let Some(rows) = statements.last_mut() {
                rows.push(
                    Args::default()
                        .int(*run_id)
                        .int(i64::from(*attempt))
                        .int(position)
                        .int(millis(line.ts))
                        .text(line.stream.as_str())
                        .text(line.line.as_str()),
                );
            }
        }
    }
    for rows in statements.into_iter().filter(|rows| !rows.is_empty()) {
        tx.execute(values_stmt(sql::INSERT_LOGS, ") v", Args::default(), rows))
            .await?;
    }
    Ok(())
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn attempts(n: i32, what: &str) -> Result<u32> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("{what}: {n} is out of range")))
}

/// An audit entry of a run action (no new task version: the definition did not change).
async fn audit_run<E: Exec + ?Sized>(
    tx: &mut E,
    (tenant, task_id, version): (TenantId, i64, i64),
    action: AuditAction,
    actor: &str,
    at: Timestamp,
    run: RunUuid,
) -> Result<()> {
    tx.execute(
        Stmt::new(sql::INSERT_AUDIT)
            .int(tenant.get())
            .int(task_id)
            .text(action.as_str())
            .text(actor)
            .int(millis(at))
            .int(version)
            .opt_text(Some(serde_json::json!({ "run_uuid": run.0 }).to_string())),
    )
    .await?;
    Ok(())
}

async fn get_run<E: Exec + ?Sized>(conn: &mut E, tenant: TenantId, run: RunUuid) -> Result<Run> {
    conn.fetch_optional::<RunRow>(Stmt::new(sql::GET_RUN).uuid(run.0).int(tenant.get()))
        .await?
        .ok_or(StoreError::NotFound)?
        .into_run()
}

/// The ledger row of a planned occurrence, as [`sql::INSERT_RUNS`] takes it.
fn planned_row(task_id: i64, task: &Task, run: &PlannedRun, now: Timestamp) -> Args {
    let (status, finished_at, error) = match run.skip {
        Some(reason) => (
            RunStatus::Skipped,
            Some(millis(now)),
            Some(format!("skipped: {}", reason.as_str())),
        ),
        None => (RunStatus::Queued, None, None),
    };
    Args::default()
        .uuid(RunUuid::new_v7().0)
        .int(task.tenant.get())
        .int(task_id)
        .int(task.version)
        .text(run.trigger.as_str())
        .int(millis(run.scheduled_for))
        .opt_int(run.scheduled_until.map(millis))
        .int(run.occurrences)
        .text(status.as_str())
        .opt_text(run.skip.map(|r| r.as_str().to_owned()))
        .int(1)
        .int(i64::from(task.definition.retry_policy.max_attempts()))
        .int(ceil_millis(run.not_before))
        .int(millis(now))
        .opt_int(finished_at)
        .opt_text(error)
}

/// Claims queued runs inside the caller's write transaction (see [`EngineStore::claim`]).
async fn claim_runs<B: Backend, E: Exec + ?Sized>(
    tx: &mut E,
    now: Timestamp,
    request: ClaimRequest<'_>,
) -> Result<Vec<ClaimedRun>> {
    let ClaimRequest {
        owner,
        lease,
        limit,
        per_tenant,
    } = request;
    if limit == 0 {
        return Ok(Vec::new());
    }
    let expires = now
        .checked_add(lease)
        .map_err(|e| StoreError::Corrupt(format!("lease end: {e}")))?;
    let taken = tx
        .fetch_all::<TakenRun>(
            Stmt::new(B::CLAIM_RUNS)
                .int(millis(now))
                .int(i64::from(limit))
                .int(per_tenant.map_or(i64::MAX, i64::from))
                .text(owner)
                .int(millis(expires))
                .uncached(),
        )
        .await?;
    if taken.is_empty() {
        return Ok(Vec::new());
    }
    if let Some(lock) = B::LOCK_CLAIMED_TASKS {
        tx.fetch_all::<(i64,)>(Stmt::new(lock).int(millis(now)).text(owner).uncached())
            .await?;
    }
    let mut tasks = std::collections::HashMap::new();
    for row in tx
        .fetch_all::<TaskRow>(
            Stmt::new(sql::MARK_CLAIMED_TASKS)
                .int(millis(now))
                .text(owner)
                .uncached(),
        )
        .await?
    {
        tasks.insert(row.id, row.into_task()?);
    }
    let mut claimed = Vec::with_capacity(taken.len());
    for taken in taken {
        let ctx = format!("run {}", taken.uuid);
        let task = tasks
            .get(&taken.task_id)
            .cloned()
            .ok_or_else(|| StoreError::Corrupt(format!("{ctx}: its task is missing")))?;
        claimed.push(ClaimedRun {
            run: RunUuid(taken.uuid),
            tenant: TenantId::new(taken.tenant_id)
                .ok_or_else(|| StoreError::Corrupt(format!("{ctx}: tenant_id")))?,
            task,
            trigger: taken
                .trigger
                .parse()
                .map_err(|e: String| StoreError::Corrupt(format!("{ctx}: {e}")))?,
            scheduled_for: timestamp(taken.scheduled_for, &ctx)?,
            attempt: attempts(taken.attempt, &ctx)?,
            max_attempts: attempts(taken.max_attempts, &ctx)?,
            not_failures: u32::try_from(taken.not_failures)
                .map_err(|e| StoreError::Corrupt(format!("{ctx}: rescues and requeues: {e}")))?,
        });
    }
    Ok(claimed)
}

/// Milliseconds rounded up: stored start instants may be late by a fraction of a millisecond,
/// never early.
fn ceil_millis(at: Timestamp) -> i64 {
    let ms = at.as_millisecond();
    if at.subsec_nanosecond().rem_euclid(1_000_000) == 0 {
        ms
    } else {
        ms + 1
    }
}

#[async_trait]
impl<B: Backend> EngineStore for B {
    fn signals(&self) -> Option<Arc<dyn crate::Signals>> {
        Backend::signals(self)
    }

    fn claims_while_firing(&self) -> bool {
        B::ONE_WRITER
    }

    async fn fire(
        &self,
        now: Timestamp,
        batch_limit: u32,
        planner: &dyn FirePlanner,
        claim: Option<ClaimRequest<'_>>,
    ) -> Result<FireReport> {
        let mut report = FireReport::default();
        let mut tx = self.begin_write().await?;
        let rows = tx
            .fetch_all::<TaskRow>(
                Stmt::new(B::DUE_TASKS)
                    .int(millis(now))
                    .int(i64::from(batch_limit)),
            )
            .await?;
        report.tasks = rows.len() as u64;
        let mut tasks = Vec::with_capacity(rows.len());
        let mut advances = Vec::with_capacity(rows.len());
        for row in rows {
            let id = row.id;
            match row.into_task() {
                Ok(task) => tasks.push((id, task)),
                Err(e) => {
                    // One damaged row must not stop the others firing, nor stay due and spin
                    // the loop: it is finished (no next occurrence) and reported.
                    tracing::error!(task_id = id, error = %e, "cannot fire a corrupt task; stopped it");
                    advances.push(Args::default().int(id).opt_int(None).bool(false));
                }
            }
        }
        let mut live = std::collections::HashMap::new();
        for stmt in values_stmts(
            sql::LIVE_RUN_COUNTS,
            sql::LIVE_RUN_COUNTS_TAIL,
            &Args::default(),
            tasks
                .iter()
                .map(|(id, _)| Args::default().int(*id))
                .collect(),
        ) {
            for (task_id, queued, running) in tx.fetch_all::<(i64, i64, i64)>(stmt).await? {
                live.insert(task_id, (queued, running));
            }
        }
        let mut inserts = Vec::new();
        for (id, task) in tasks {
            let (queued, running) = live.get(&id).copied().unwrap_or((0, 0));
            let due = DueTask {
                task,
                queued: count(queued),
                running: count(running),
            };
            let plan = planner.plan(&due, now);
            if plan.replace_live_runs {
                cancel_queued_runs::<B>(&mut *tx, id, now, "replaced by a newer occurrence")
                    .await?;
                tx.execute(Stmt::new(sql::REQUEST_CANCEL_RUNNING).int(id))
                    .await?;
                report.replaced += 1;
            }
            inserts.extend(
                plan.runs
                    .iter()
                    .map(|run| planned_row(id, &due.task, run, now)),
            );
            report.next_instants.extend(plan.next_run_at);
            advances.push(
                Args::default()
                    .int(id)
                    .opt_int(plan.next_run_at.map(millis))
                    .bool(plan.next_run_at.is_some()),
            );
        }
        let mut queued = std::collections::HashSet::new();
        for stmt in values_stmts(
            sql::INSERT_RUNS,
            sql::INSERT_RUNS_TAIL,
            &Args::default(),
            inserts,
        ) {
            for (status, uuid) in tx.fetch_all::<(String, Uuid)>(stmt).await? {
                if status == RunStatus::Skipped.as_str() {
                    report.skipped += 1;
                } else {
                    queued.insert(uuid);
                }
            }
        }
        execute_values(
            &mut *tx,
            sql::ADVANCE_TASKS,
            sql::ADVANCE_TASKS_TAIL,
            advances,
        )
        .await?;
        report.queued = queued.len() as u64;
        if let Some(request) = claim.filter(|_| B::ONE_WRITER && !queued.is_empty()) {
            report.claimed = claim_runs::<B, _>(&mut *tx, now, request).await?;
            for run in &report.claimed {
                queued.remove(&run.run.0);
            }
        }
        report.unclaimed = queued.len() as u64;
        tx.commit().await?;
        Ok(report)
    }

    async fn upcoming(&self, limit: u32) -> Result<Vec<Timestamp>> {
        let mut conn = self.read().await?;
        conn.fetch_all::<(i64,)>(Stmt::new(sql::UPCOMING).int(i64::from(limit)))
            .await?
            .into_iter()
            .map(|(ms,)| timestamp(ms, "next_run_at"))
            .collect()
    }

    async fn next_queued(&self) -> Result<Option<Timestamp>> {
        let mut conn = self.read().await?;
        let (next,) = conn
            .fetch_one::<(Option<i64>,)>(Stmt::new(sql::NEXT_QUEUED).uncached())
            .await?;
        next.map(|ms| timestamp(ms, "not_before")).transpose()
    }

    async fn claim(
        &self,
        owner: &str,
        now: Timestamp,
        lease: SignedDuration,
        limit: u32,
        per_tenant: Option<u32>,
    ) -> Result<Vec<ClaimedRun>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut tx = self.begin_write().await?;
        let request = ClaimRequest {
            owner,
            lease,
            limit,
            per_tenant,
        };
        let claimed = claim_runs::<B, _>(&mut *tx, now, request).await?;
        tx.commit().await?;
        Ok(claimed)
    }

    async fn heartbeat(
        &self,
        owner: &str,
        runs: &[RunUuid],
        until: Timestamp,
    ) -> Result<Vec<RunUuid>> {
        let mut tx = self.begin_write().await?;
        let mut gone = Vec::new();
        for run in runs {
            let held = tx
                .fetch_optional::<(bool,)>(
                    Stmt::new(sql::EXTEND_LEASE)
                        .int(millis(until))
                        .uuid(run.0)
                        .text(owner),
                )
                .await?;
            if !matches!(held, Some((false,))) {
                gone.push(*run);
            }
        }
        tx.commit().await?;
        Ok(gone)
    }

    async fn finish_many(
        &self,
        owner: &str,
        attempts: &[FinishedAttempt],
        now: Timestamp,
    ) -> Result<Vec<bool>> {
        let mut tx = self.begin_write().await?;
        let held = finish_attempts(&mut *tx, owner, attempts, now).await?;
        tx.commit().await?;
        Ok(held)
    }

    async fn append_logs(&self, run: RunUuid, attempt: u32, lines: &[NewLogLine]) -> Result<()> {
        if lines.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        let (run_id,) = tx
            .fetch_optional::<(i64,)>(Stmt::new(sql::RUN_ID_ANY_TENANT).uuid(run.0))
            .await?
            .ok_or(StoreError::NotFound)?;
        insert_logs(&mut *tx, &[(run_id, attempt, lines)]).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn rescue(&self, now: Timestamp, max_rescues: u32) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let tasks = tx
            .fetch_all::<(i64,)>(
                Stmt::new(sql::RESCUE_EXPIRED)
                    .int(millis(now))
                    .int(i64::from(max_rescues))
                    .text(RESCUED)
                    .text(format!(
                        "lease expired: the node running it stopped {max_rescues} times \
                         after it was rescued; not run again (SUNDIAL_MAX_RESCUES)"
                    )),
            )
            .await?;
        let mut refreshed = std::collections::BTreeSet::new();
        for (task_id,) in &tasks {
            if refreshed.insert(*task_id) {
                tx.execute(Stmt::new(sql::REFRESH_TASK_RUNNING).int(*task_id))
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(tasks.len() as u64)
    }

    async fn release(&self, owner: &str, runs: &[RunUuid], now: Timestamp) -> Result<u64> {
        if runs.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        let mut released = 0;
        for run in runs {
            let task = tx
                .fetch_optional::<(i64,)>(
                    Stmt::new(sql::RELEASE_RUN)
                        .int(millis(now))
                        .uuid(run.0)
                        .text(owner),
                )
                .await?;
            if let Some((task_id,)) = task {
                released += 1;
                tx.execute(Stmt::new(sql::REFRESH_TASK_RUNNING).int(task_id))
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(released)
    }

    async fn enqueue_manual(
        &self,
        tenant: TenantId,
        task: TaskUuid,
        actor: &str,
        now: Timestamp,
    ) -> Result<Run> {
        let mut tx = self.begin_write().await?;
        let (id, version, _) = tx
            .fetch_optional::<(i64, i64, bool)>(
                Stmt::new(B::LOCK_TASK).int(tenant.get()).uuid(task.0),
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        let task = load_task(&mut *tx, id).await?;
        let run = RunUuid::new_v7();
        tx.execute(
            Stmt::new(sql::INSERT_RUN)
                .uuid(run.0)
                .int(tenant.get())
                .int(id)
                .int(version)
                .text(RunTrigger::Manual.as_str())
                .int(millis(now))
                .opt_int(None)
                .int(1)
                .text(RunStatus::Queued.as_str())
                .opt_text(None)
                .int(i64::from(task.definition.retry_policy.max_attempts()))
                .int(millis(now))
                .int(millis(now))
                .opt_int(None)
                .opt_text(None),
        )
        .await?;
        audit_run(
            &mut *tx,
            (tenant, id, version),
            AuditAction::RunNow,
            actor,
            now,
            run,
        )
        .await?;
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
                Stmt::new(sql::RUN_FOR_CANCEL).uuid(run.0).int(tenant.get()),
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        let changed = match target.status.as_str() {
            "queued" => {
                tx.execute(
                    Stmt::new(sql::CANCEL_QUEUED_RUN)
                        .int(millis(now))
                        .int(target.id),
                )
                .await?
            }
            "running" => {
                tx.execute(Stmt::new(sql::REQUEST_CANCEL).int(target.id))
                    .await?
            }
            _ => 0,
        };
        if changed == 1 {
            audit_run(
                &mut *tx,
                (tenant, target.task_id, target.version),
                AuditAction::Cancel,
                actor,
                now,
                run,
            )
            .await?;
        }
        let current = get_run(&mut *tx, tenant, run).await?;
        tx.commit().await?;
        Ok(current)
    }

    async fn cancel_running(&self, tenant: TenantId, task: TaskUuid) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let id = live_task_id(&mut *tx, tenant, task).await?;
        let asked = tx
            .execute(Stmt::new(sql::REQUEST_CANCEL_RUNNING).int(id))
            .await?;
        tx.commit().await?;
        Ok(asked)
    }

    async fn hold_lease(
        &self,
        name: &str,
        owner: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let held = tx
            .execute(
                Stmt::new(sql::HOLD_LEASE)
                    .text(owner)
                    .int(millis(until))
                    .text(name)
                    .int(millis(now)),
            )
            .await?;
        tx.commit().await?;
        Ok(held == 1)
    }

    async fn drop_lease(&self, name: &str, owner: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        tx.execute(Stmt::new(sql::DROP_LEASE).text(name).text(owner))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn prune_runs(&self, before: Timestamp, limit: u32) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let pruned = tx
            .execute(
                Stmt::new(sql::PRUNE_RUNS)
                    .int(millis(before))
                    .int(i64::from(limit)),
            )
            .await?;
        tx.commit().await?;
        Ok(pruned)
    }
}
