//! Firing: due occurrences become ledger rows, and each fired task moves to its next
//! occurrence, all in one transaction per batch (group commit: a durable commit costs a few
//! milliseconds on a real disk, so one per firing would cap the engine near 300 a second).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock};

use async_trait::async_trait;
use domain::{RunStatus, RunTrigger, RunUuid, SkipReason, Task};
use jiff::Timestamp;
use uuid::Uuid;

use crate::backend::{Backend, Commit, Dialect, Exec, PerDialect, per_dialect};
use crate::claiming::{ClaimRequest, ClaimedRun, claim_runs};
use crate::notify::{SkippedOccurrence, record_skip_events};
use crate::query::{Binds, Query, sql_file};
use crate::registry::cancel_queued_runs;
use crate::rows::{millis, parse_enum, timestamp};
use crate::{Result, StoreError};

static DUE_TASKS: PerDialect = per_dialect!("firing/due_tasks");
static UPCOMING: LazyLock<Query> = sql_file!("firing/upcoming.sql");
static LIVE_RUN_COUNTS: LazyLock<Query> = sql_file!("firing/live_run_counts.sql");
pub(crate) static INSERT_RUNS: LazyLock<Query> = sql_file!("firing/insert_runs.sql");
static ADVANCE_TASKS: LazyLock<Query> = sql_file!("firing/advance_tasks.sql");
pub(crate) static REQUEST_CANCEL_RUNNING: LazyLock<Query> =
    sql_file!("firing/request_cancel_running.sql");

/// A row `INSERT_RUNS` returns: status, uuid, skip reason, occurrences, first and last
/// occurrence, and whether a skip row's tenant has an `occurrence.skipped` rule for it.
type InsertedRun = (String, Uuid, Option<String>, i64, i64, Option<i64>, bool);

/// A due task as the firing transaction sees it, locked until the transaction ends.
#[derive(Debug, Clone)]
pub struct DueTask {
    /// The task's definition in force (from the task cache: its `next_run_at` and latest
    /// outcome may be older than the row's).
    pub task: Arc<Task>,
    /// Its next occurrence as stored (cut to the millisecond): it is due.
    pub next_run_at: Timestamp,
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
    /// The occurrences those skip rows stand for, one entry per row, with why they were skipped.
    pub skipped_occurrences: Vec<(SkipReason, u64)>,
    /// Tasks whose live runs it replaced (overlap policy `replace`): running ones were asked
    /// to stop.
    pub replaced: u64,
    /// The next occurrences of the tasks it advanced, as stored, for the engine's timing index.
    pub next_instants: Vec<Timestamp>,
    /// The occurrences it fired ahead of their instant, as they were stored.
    pub fired_ahead: Vec<Timestamp>,
    /// Runs claimed in the same transaction (see [`ClaimRequest`]).
    pub claimed: Vec<ClaimedRun>,
    /// Runs it queued that are still queued when it commits.
    pub unclaimed: u64,
}

/// Turning due occurrences into ledger rows.
#[async_trait]
pub trait FiringStore: Send + Sync + 'static {
    /// Fires at most `batch_limit` due tasks in one transaction: inserts the ledger rows
    /// `planner` decides and advances each task's `next_run_at`. On PostgreSQL, tasks another
    /// node is firing are skipped; an occurrence that already has a row is never written twice.
    ///
    /// Tasks due after `now` but by `ahead_until` are fired ahead when nothing of theirs is
    /// queued or running (so their overlap policy decides as it would at the instant): they are
    /// planned at their occurrence, and their runs wait queued until it (`not_before`), so only
    /// claiming and dispatch are left when it comes. Busy ones are left for their instant.
    ///
    /// With `claim`, when it queued runs and the store has one writer
    /// ([`Writers::One`](crate::Writers::One)), the same transaction then claims queued runs
    /// as [`ClaimStore::claim`](crate::ClaimStore::claim) does, so a fired run reaches a
    /// worker after one durable commit instead of two. With several writers the request is
    /// ignored: claiming while holding the fired tasks could deadlock with another node's
    /// firing.
    async fn fire(
        &self,
        now: Timestamp,
        ahead_until: Timestamp,
        batch_limit: u32,
        planner: &dyn FirePlanner,
        claim: Option<ClaimRequest<'_>>,
    ) -> Result<FireReport>;

    /// The `limit` earliest `next_run_at` instants of active tasks, earliest first (repeats
    /// kept: two tasks due at one instant give it twice).
    async fn upcoming(&self, limit: u32) -> Result<Vec<Timestamp>>;
}

/// Milliseconds rounded up: stored start instants may be late by a fraction of a millisecond,
/// never early.
pub(crate) fn ceil_millis(at: Timestamp) -> i64 {
    let ms = at.as_millisecond();
    if at.subsec_nanosecond().rem_euclid(1_000_000) == 0 {
        ms
    } else {
        ms + 1
    }
}

/// When a task fired ahead is planned: at its occurrence. The stored `next_run_at` is the
/// occurrence cut to the millisecond, so the occurrence itself lies within the millisecond
/// that follows.
fn planned_at(stored: Timestamp) -> Timestamp {
    stored
        .checked_add(jiff::SignedDuration::from_nanos(999_999))
        .unwrap_or(stored)
}

/// An instant as `next_run_at` stores it (cut to the millisecond).
fn stored(at: Timestamp) -> Timestamp {
    Timestamp::from_millisecond(millis(at)).unwrap_or(at)
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The ledger row of a planned occurrence (or a manual run) of `task`, for `INSERT_RUNS`.
pub(crate) fn ledger_row(task_id: i64, task: &Task, run: &PlannedRun, now: Timestamp) -> Binds {
    let (status, finished_at, error) = match run.skip {
        Some(reason) => (
            RunStatus::Skipped,
            Some(millis(now)),
            Some(format!("skipped: {}", reason.as_str())),
        ),
        None => (RunStatus::Queued, None, None),
    };
    Binds::default()
        .bind("uuid", RunUuid::new_v7().0)
        .bind("tenant", task.tenant.get())
        .bind("task_id", task_id)
        .bind("task_version", task.version)
        .bind("trigger", run.trigger.as_str())
        .bind("scheduled_for", millis(run.scheduled_for))
        .bind("scheduled_until", run.scheduled_until.map(millis))
        .bind("occurrences", run.occurrences)
        .bind("status", status.as_str())
        .bind("skip_reason", run.skip.map(|r| r.as_str().to_owned()))
        .bind(
            "max_attempts",
            i64::from(task.definition.retry_policy.max_attempts()),
        )
        .bind("not_before", ceil_millis(run.not_before))
        .bind("queued_at", millis(now))
        .bind("finished_at", finished_at)
        .bind("error", error)
}

/// The row of `ADVANCE_TASKS` that moves a task to `next` (`None` finishes it).
fn advance(task_id: i64, next: Option<Timestamp>) -> Binds {
    Binds::default()
        .bind("task_id", task_id)
        .bind("next_run_at", next.map(millis))
        .bind("has_next", next.is_some())
}

#[async_trait]
impl<B: Backend> FiringStore for B {
    async fn fire(
        &self,
        now: Timestamp,
        ahead_until: Timestamp,
        batch_limit: u32,
        planner: &dyn FirePlanner,
        claim: Option<ClaimRequest<'_>>,
    ) -> Result<FireReport> {
        let mut report = FireReport::default();
        let mut tx = self.begin_write().await?;
        let due = tx
            .fetch_all::<(i64, i64, i64)>(
                DUE_TASKS
                    .of::<B>()
                    .bind("now", millis(now))
                    .bind("ahead_until", millis(ahead_until.max(now)))
                    .bind("limit", i64::from(batch_limit)),
            )
            .await?;
        report.tasks = due.len() as u64;
        // A run queued here is most often claimed next, on this node, from the same cache.
        let mut definitions = self
            .claim_state()
            .tasks
            .tasks(&mut *tx, due.iter().map(|(id, version, _)| (*id, *version)))
            .await?;
        let mut tasks = Vec::with_capacity(due.len());
        let mut advances = Vec::with_capacity(due.len());
        for (id, _, next_run_at) in due {
            let task = definitions.remove(&id).unwrap_or_else(|| {
                Err(StoreError::Corrupt(format!(
                    "task {id}: its row is missing"
                )))
            });
            match task.and_then(|task| Ok((task, timestamp(next_run_at, "next_run_at")?))) {
                Ok(task) => tasks.push((id, task)),
                Err(e) => {
                    // One damaged row must not stop the others firing, nor stay due and spin
                    // the loop: it is finished (no next occurrence) and reported.
                    tracing::error!(task_id = id, error = %e, "cannot fire a corrupt task; stopped it");
                    advances.push(advance(id, None));
                }
            }
        }
        // A task fired ahead has nothing queued or running (DUE_TASKS reads only such ones),
        // so only the tasks due now are counted.
        let mut live = HashMap::new();
        let ids = tasks
            .iter()
            .filter(|(_, (_, next_run_at))| *next_run_at <= now)
            .map(|(id, _)| Binds::default().bind("task_id", *id))
            .collect();
        for stmt in LIVE_RUN_COUNTS.rows(&Binds::default(), ids) {
            for (task_id, queued, running) in tx.fetch_all::<(i64, i64, i64)>(stmt).await? {
                live.insert(task_id, (queued, running));
            }
        }
        let mut inserts = Vec::new();
        for (id, (task, next_run_at)) in tasks {
            let (queued, running) = live.get(&id).copied().unwrap_or((0, 0));
            let due = DueTask {
                task,
                next_run_at,
                queued: count(queued),
                running: count(running),
            };
            let at = if next_run_at > now {
                report.fired_ahead.push(next_run_at);
                planned_at(next_run_at)
            } else {
                now
            };
            let plan = planner.plan(&due, at);
            if plan.replace_live_runs {
                cancel_queued_runs::<B>(&mut *tx, id, now, "replaced by a newer occurrence")
                    .await?;
                tx.execute(REQUEST_CANCEL_RUNNING.stmt().bind("task_id", id))
                    .await?;
                report.replaced += 1;
            }
            inserts.extend(
                plan.runs
                    .iter()
                    .map(|run| ledger_row(id, &due.task, run, now)),
            );
            report.next_instants.extend(plan.next_run_at.map(stored));
            advances.push(advance(id, plan.next_run_at));
        }
        let mut queued = HashSet::new();
        let mut notify_skips = Vec::new();
        for stmt in INSERT_RUNS.rows(&Binds::default(), inserts) {
            let inserted = tx.fetch_all::<InsertedRun>(stmt).await?;
            for (status, uuid, reason, occurrences, first, last, notify) in inserted {
                if status == RunStatus::Skipped.as_str() {
                    report.skipped += 1;
                    let reason = parse_enum(reason.as_deref().unwrap_or_default(), "skip_reason")?;
                    report
                        .skipped_occurrences
                        .push((reason, u64::try_from(occurrences).unwrap_or(0)));
                    if notify {
                        notify_skips.push(SkippedOccurrence {
                            run: uuid,
                            scheduled_at: timestamp(first, "scheduled_for")?,
                            scheduled_until: last
                                .map(|at| timestamp(at, "scheduled_until"))
                                .transpose()?,
                            occurrences,
                            reason,
                        });
                    }
                } else {
                    queued.insert(uuid);
                }
            }
        }
        record_skip_events(&mut *tx, &notify_skips, now).await?;
        for stmt in ADVANCE_TASKS.rows(&Binds::default(), advances) {
            tx.execute(stmt).await?;
        }
        report.queued = queued.len() as u64;
        // Claiming while holding the fired tasks could deadlock with another node's firing,
        // so with several writers the claimer alone claims.
        if let Some(request) = claim.filter(|_| B::DIALECT == Dialect::Sqlite && !queued.is_empty())
        {
            report.claimed = claim_runs::<B, _>(&mut *tx, now, request, self.claim_state()).await?;
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
        conn.fetch_all::<(i64,)>(UPCOMING.stmt().bind("limit", i64::from(limit)))
            .await?
            .into_iter()
            .map(|(ms,)| timestamp(ms, "next_run_at"))
            .collect()
    }
}
