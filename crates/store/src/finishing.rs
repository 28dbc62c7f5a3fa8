//! Finishing: ended attempts are recorded with the rest of their logs (final, or queued again
//! for a retry), and running attempts' log lines are appended as they come.

use std::collections::HashMap;
use std::sync::LazyLock;

use async_trait::async_trait;
use domain::{
    EventKind, LogStream, ParentRun, RECENT_OUTCOMES_KEPT, RunOutcome, RunStatus, RunUuid, TaskUuid,
};
use jiff::Timestamp;
use uuid::Uuid;

use crate::backend::{Backend, Commit, Dialect, Exec};
use crate::chains::{EndedParent, queue_chained};
use crate::claiming::{ClaimRequest, ClaimedRun, claim_runs};
use crate::firing::ceil_millis;
use crate::notify::{RunEvent, record_run_events};
use crate::query::{Binds, Query, sql_file};
use crate::rows::{millis, outcome_letter};
use crate::{Result, StoreError};

static END_ATTEMPTS: LazyLock<Query> = sql_file!("finishing/end_attempts.sql");
pub(crate) static RECORD_TASK_OUTCOMES: LazyLock<Query> =
    sql_file!("finishing/record_task_outcomes.sql");
static INSERT_LOGS: LazyLock<Query> = sql_file!("finishing/insert_logs.sql");
static RUN_ID_ANY_TENANT: LazyLock<Query> = sql_file!("finishing/run_id_any_tenant.sql");
static ADD_LOG_BYTES: LazyLock<Query> = sql_file!("finishing/add_log_bytes.sql");

/// Characters of a run's error a notification event carries (the run keeps all of it).
const EVENT_ERROR_CHARS: usize = 1_000;

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
    /// to wait for. `None` for a run claimed ahead of its instant and cancelled before it.
    pub started_at: Option<Timestamp>,
    /// How long it ran.
    pub duration_ms: i64,
    /// `Some`: try again (attempt + 1) not before this instant; `None`: the run ends.
    pub retry_at: Option<Timestamp>,
}

/// An attempt that ended, for [`FinishStore::finish_many`].
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

/// One log line for [`FinishStore::append_logs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLogLine {
    /// When it was written.
    pub ts: Timestamp,
    /// Which output.
    pub stream: LogStream,
    /// The text.
    pub line: String,
}

/// Recording what attempts wrote and how they ended.
#[async_trait]
pub trait FinishStore: Send + Sync + 'static {
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
    /// attempt, in order, as [`FinishStore::finish`] gives; an attempt whose lease was lost
    /// changes nothing, its log lines included.
    async fn finish_many(
        &self,
        owner: &str,
        attempts: &[FinishedAttempt],
        now: Timestamp,
    ) -> Result<Vec<bool>>;

    /// [`FinishStore::finish_many`], then, when the store has one writer
    /// ([`Writers::One`](crate::Writers::One)), a claim as
    /// [`ClaimStore::claim`](crate::ClaimStore::claim) makes, in the same transaction: the
    /// worker slots the attempts freed take the next runs after one durable commit instead of
    /// two. With several writers the claim is left to the claimer and nothing is claimed here.
    async fn finish_and_claim(
        &self,
        owner: &str,
        attempts: &[FinishedAttempt],
        now: Timestamp,
        claim: ClaimRequest<'_>,
    ) -> Result<(Vec<bool>, Vec<ClaimedRun>)>;

    /// Appends lines to the log of an attempt, numbering them after the ones it has.
    async fn append_logs(&self, run: RunUuid, attempt: u32, lines: &[NewLogLine]) -> Result<()>;
}

/// `RETURNING` of `END_ATTEMPTS`.
#[derive(sqlx::FromRow)]
struct EndedAttempt {
    id: i64,
    uuid: Uuid,
    task_id: i64,
    cancel_requested: bool,
    task_last_status: Option<String>,
}

/// Ends attempts inside a transaction (see [`FinishStore::finish_many`]): a few statements
/// for the whole batch, whatever its size.
async fn finish_attempts<E: Exec + ?Sized>(
    tx: &mut E,
    dialect: Dialect,
    owner: &str,
    attempts: &[FinishedAttempt],
    now: Timestamp,
) -> Result<Vec<bool>> {
    let mut ended = HashMap::new();
    // In the order of the runs' uuids, the order a heartbeat locks them in (see
    // `LeaseStore::heartbeat`).
    let mut by_uuid: Vec<&FinishedAttempt> = attempts.iter().collect();
    by_uuid.sort_unstable_by_key(|a| a.run);
    let rows = by_uuid
        .into_iter()
        .map(|a| {
            Binds::default()
                .bind("run", a.run.0)
                .bind("attempt", i64::from(a.attempt))
                .bind("status", a.end.status.as_str())
                .bind("retry_at", a.end.retry_at.map(ceil_millis))
                .bind("duration_ms", a.end.duration_ms)
                .bind("result", a.end.result.as_ref().map(ToString::to_string))
                .bind("error", a.end.error.clone())
                .bind("started_at", a.end.started_at.map(millis))
                .bind("log_bytes", log_bytes(&a.logs))
        })
        .collect();
    let fixed = Binds::default()
        .bind("owner", owner)
        .bind("now", millis(now));
    for stmt in END_ATTEMPTS.rows(&fixed, rows) {
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
    let events: Vec<RunEvent> = attempts
        .iter()
        .filter_map(|a| ended.get(&a.run.0).and_then(|e| run_event(a, e)))
        .collect();
    record_run_events(tx, &events, now).await?;
    // One outcome per task, the batch's last, as if the attempts had been recorded in order.
    let mut outcomes: Vec<TaskOutcome> = Vec::new();
    for a in attempts {
        let Some(e) = ended.get(&a.run.0) else {
            continue;
        };
        let (status, error) = recorded_end(a, e);
        let (mut ended_runs, started_at) =
            match outcomes.iter().position(|o| o.task_id == e.task_id) {
                Some(i) => {
                    let earlier = outcomes.remove(i);
                    (earlier.ended_runs, earlier.started_at.max(a.end.started_at))
                }
                None => (String::new(), a.end.started_at),
            };
        if let Some(outcome) = RunOutcome::of(status).filter(|_| ended_for_good(a, e)) {
            ended_runs.insert(0, outcome_letter(outcome));
        }
        outcomes.push(TaskOutcome {
            task_id: e.task_id,
            status,
            error,
            duration_ms: a.end.duration_ms,
            started_at,
            ended_runs,
        });
    }
    // In the order of the tasks' ids, the order deletes lock chained tasks in
    // (`chains::lock_parents_of`), so two finishers or a finisher and a delete cannot deadlock.
    outcomes.sort_unstable_by_key(|o| o.task_id);
    let rows = outcomes.into_iter().map(TaskOutcome::binds).collect();
    let mut chained = HashMap::new();
    for stmt in RECORD_TASK_OUTCOMES.rows(&outcomes_kept(), rows) {
        for (id, uuid, slots) in tx.fetch_all::<(i64, Uuid, i64)>(stmt).await? {
            if slots > 0 {
                chained.insert(id, (TaskUuid(uuid), u32::try_from(slots).unwrap_or(0)));
            }
        }
    }
    if !chained.is_empty() {
        let ended = ended_parents(attempts, &ended, &chained);
        queue_chained(tx, dialect, &ended, now).await?;
    }
    Ok(attempts
        .iter()
        .map(|a| ended.contains_key(&a.run.0))
        .collect())
}

/// What RECORD_TASK_OUTCOMES writes on a task after a batch.
pub(crate) struct TaskOutcome {
    pub(crate) task_id: i64,
    /// Of its last ended attempt (as END_ATTEMPTS recorded it), as are the error and duration.
    pub(crate) status: RunStatus,
    pub(crate) error: Option<String>,
    pub(crate) duration_ms: i64,
    /// The latest start of its attempts in the batch, if any started.
    pub(crate) started_at: Option<Timestamp>,
    /// [`outcome_letter`]s of its runs that ended for good in the batch, newest first.
    pub(crate) ended_runs: String,
}

impl TaskOutcome {
    /// Its row of RECORD_TASK_OUTCOMES.
    pub(crate) fn binds(self) -> Binds {
        Binds::default()
            .bind("task_id", self.task_id)
            .bind("status", self.status.as_str())
            .bind("error", self.error)
            .bind("duration_ms", self.duration_ms)
            .bind("ended", self.ended_runs)
            .bind("started_at", self.started_at.map(millis))
    }
}

/// RECORD_TASK_OUTCOMES' own parameter: how many outcomes a task keeps.
pub(crate) fn outcomes_kept() -> Binds {
    Binds::default().bind(
        "kept",
        i64::try_from(RECENT_OUTCOMES_KEPT).unwrap_or(i64::MAX),
    )
}

/// The status and error END_ATTEMPTS records for an attempt: a cancellation asked for meanwhile
/// wins over how the attempt ended.
fn recorded_end(attempt: &FinishedAttempt, ended: &EndedAttempt) -> (RunStatus, Option<String>) {
    if ended.cancel_requested {
        let error = attempt.end.error.clone();
        (
            RunStatus::Cancelled,
            error.or_else(|| Some("cancelled".into())),
        )
    } else {
        (attempt.end.status, attempt.end.error.clone())
    }
}

/// Whether END_ATTEMPTS ended the attempt's run rather than queueing its next attempt.
fn ended_for_good(attempt: &FinishedAttempt, ended: &EndedAttempt) -> bool {
    ended.cancel_requested || attempt.end.retry_at.is_none()
}

/// The runs among `attempts` that ended for good, of tasks with chains (`chained`: uuid and
/// highest link slot by task id), with what their chained runs receive.
fn ended_parents(
    attempts: &[FinishedAttempt],
    ended: &HashMap<Uuid, EndedAttempt>,
    chained: &HashMap<i64, (TaskUuid, u32)>,
) -> Vec<EndedParent> {
    attempts
        .iter()
        .filter_map(|a| {
            let e = ended.get(&a.run.0)?;
            let (task, slots) = chained.get(&e.task_id)?;
            if !ended_for_good(a, e) {
                return None;
            }
            let (status, error) = recorded_end(a, e);
            Some(EndedParent {
                run_id: e.id,
                slots: *slots,
                parent: ParentRun {
                    run_uuid: a.run,
                    task_uuid: *task,
                    status,
                    attempt: a.attempt,
                    result: a.end.result.clone(),
                    error,
                },
            })
        })
        .collect()
}

/// The notification event an ended attempt makes, if any: a run that failed after its last
/// retry, or a success after the task's previous run failed.
fn run_event(attempt: &FinishedAttempt, ended: &EndedAttempt) -> Option<RunEvent> {
    let end = &attempt.end;
    if ended.cancel_requested || !ended_for_good(attempt, ended) {
        return None;
    }
    let failed = |status: &str| status == "failed" || status == "timed_out";
    let kind = match end.status {
        RunStatus::Failed | RunStatus::TimedOut => EventKind::RunFailed,
        RunStatus::Succeeded if ended.task_last_status.as_deref().is_some_and(failed) => {
            EventKind::RunRecovered
        }
        _ => return None,
    };
    let error = end
        .error
        .as_deref()
        .map(|e| e.chars().take(EVENT_ERROR_CHARS).collect::<String>());
    Some(RunEvent {
        run_id: ended.id,
        kind,
        payload: serde_json::json!({
            "status": end.status.as_str(),
            "attempt": attempt.attempt,
            "started_at": end.started_at.map(|at| at.to_string()),
            "duration_ms": end.duration_ms,
            "error": error,
        }),
    })
}

/// A log line as stored: bidirectional controls escaped, whoever wrote it.
fn stored_line(line: &NewLogLine) -> std::borrow::Cow<'_, str> {
    domain::escape_bidi(&line.line)
}

/// What `lines` add to their run's `log_bytes`: each stored line's UTF-8 bytes plus one for
/// its line end (migration 0008 counts existing lines the same way).
fn log_bytes(lines: &[NewLogLine]) -> i64 {
    let bytes: usize = lines.iter().map(|l| stored_line(l).len() + 1).sum();
    i64::try_from(bytes).unwrap_or(i64::MAX)
}

/// Appends log lines, each attempt's numbered after the lines it already has: `(run id,
/// attempt, lines)`. The caller adds their [`log_bytes`] to the run in the same transaction.
async fn insert_logs<E: Exec + ?Sized>(
    tx: &mut E,
    logs: &[(i64, u32, &[NewLogLine])],
) -> Result<()> {
    // Each statement numbers an attempt's lines after those already stored, which include
    // the lines the statements before it wrote; so positions count from 1 again in each.
    let per = INSERT_LOGS.rows_per_statement();
    let mut statements: Vec<Vec<Binds>> = vec![Vec::new()];
    for (run_id, attempt, lines) in logs {
        let mut position = 0_i64;
        for line in *lines {
            if statements.last().is_some_and(|rows| rows.len() == per) {
                statements.push(Vec::new());
                position = 0;
            }
            position += 1;
            if let Some(rows) = statements.last_mut() {
                rows.push(
                    Binds::default()
                        .bind("run_id", *run_id)
                        .bind("attempt", i64::from(*attempt))
                        .bind("position", position)
                        .bind("ts", millis(line.ts))
                        .bind("stream", line.stream.as_str())
                        .bind("line", stored_line(line).into_owned()),
                );
            }
        }
    }
    for rows in statements {
        for stmt in INSERT_LOGS.rows(&Binds::default(), rows) {
            tx.execute(stmt).await?;
        }
    }
    Ok(())
}

#[async_trait]
impl<B: Backend> FinishStore for B {
    async fn finish_many(
        &self,
        owner: &str,
        attempts: &[FinishedAttempt],
        now: Timestamp,
    ) -> Result<Vec<bool>> {
        let mut tx = self.begin_write().await?;
        let held = finish_attempts(&mut *tx, B::DIALECT, owner, attempts, now).await?;
        tx.commit().await?;
        Ok(held)
    }

    async fn finish_and_claim(
        &self,
        owner: &str,
        attempts: &[FinishedAttempt],
        now: Timestamp,
        claim: ClaimRequest<'_>,
    ) -> Result<(Vec<bool>, Vec<ClaimedRun>)> {
        let mut tx = self.begin_write().await?;
        let held = finish_attempts(&mut *tx, B::DIALECT, owner, attempts, now).await?;
        // As in the firing transaction: with several writers, claiming while holding the tasks
        // just marked could deadlock with another node.
        let claimed = if B::DIALECT == Dialect::Sqlite {
            claim_runs::<B, _>(&mut *tx, now, claim, self.claim_state()).await?
        } else {
            Vec::new()
        };
        tx.commit().await?;
        Ok((held, claimed))
    }

    async fn append_logs(&self, run: RunUuid, attempt: u32, lines: &[NewLogLine]) -> Result<()> {
        if lines.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        let (run_id,) = tx
            .fetch_optional::<(i64,)>(RUN_ID_ANY_TENANT.stmt().bind("uuid", run.0))
            .await?
            .ok_or(StoreError::NotFound)?;
        insert_logs(&mut *tx, &[(run_id, attempt, lines)]).await?;
        tx.execute(
            ADD_LOG_BYTES
                .stmt()
                .bind("run_id", run_id)
                .bind("bytes", log_bytes(lines)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
