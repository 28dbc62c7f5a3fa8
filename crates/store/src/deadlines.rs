//! Dead-man deadlines: a task's deadlines with their state, the checks the maintenance leader
//! makes of them, and the misses those checks record.
//!
//! A miss is recorded once per task, deadline and due instant: the check that moves the
//! deadline's `checked_through` to the instant is the only one that records it (see
//! `deadlines/mark_checked.sql`), and the misses' unique key refuses a second row whatever
//! happens. The miss's `deadline.missed` event goes into the notification outbox in the same
//! transaction, so it exists exactly when the miss does.

use std::sync::LazyLock;

use async_trait::async_trait;
use domain::{AuditAction, Deadline, EventKind, TaskUuid, TenantId};
use jiff::Timestamp;
use uuid::Uuid;

use crate::backend::{Backend, Commit, Exec};
use crate::notify::{NewEvent, record_event_in};
use crate::query::{Query, sql_file};
use crate::registry::{Change, live_task_id, lock_task};
use crate::rows::{LockedTask, millis, timestamp};
use crate::{Result, StoreError};

static TASK_DEADLINES: LazyLock<Query> = sql_file!("deadlines/task_deadlines.sql");
static DELETE_DEADLINE: LazyLock<Query> = sql_file!("deadlines/delete_deadline.sql");
static UPSERT_DEADLINE: LazyLock<Query> = sql_file!("deadlines/upsert_deadline.sql");
static DEADLINES_TO_CHECK: LazyLock<Query> = sql_file!("deadlines/deadlines_to_check.sql");
static LATEST_SUCCESS: LazyLock<Query> = sql_file!("deadlines/latest_success.sql");
static MARK_CHECKED: LazyLock<Query> = sql_file!("deadlines/mark_checked.sql");
static INSERT_MISS: LazyLock<Query> = sql_file!("deadlines/insert_miss.sql");
static RECENT_MISSES: LazyLock<Query> = sql_file!("deadlines/recent_misses.sql");
static TASK_MISSES: LazyLock<Query> = sql_file!("deadlines/task_misses.sql");
static PRUNE_MISSES: LazyLock<Query> = sql_file!("deadlines/prune_misses.sql");
static TENANT_DEADLINES: LazyLock<Query> = sql_file!("deadlines/tenant_deadlines.sql");

/// One of a task's deadlines and what its checks found so far.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadlineState {
    /// The deadline.
    pub deadline: Deadline,
    /// When it was set; nothing before it is due.
    pub since: Timestamp,
    /// The latest due instant examined.
    pub checked_through: Option<Timestamp>,
    /// The latest due instant found met.
    pub last_met_at: Option<Timestamp>,
    /// The latest due instant found missed.
    pub last_missed_at: Option<Timestamp>,
    /// Due instants missed since it was set.
    pub missed_count: u64,
    /// The task's latest success at or before the time of reading.
    pub last_success_at: Option<Timestamp>,
}

/// A deadline of a live task, as a check needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadlineToCheck {
    /// Its row, the cursor of [`DeadlineStore::deadlines_to_check`].
    pub id: i64,
    /// The task's tenant.
    pub tenant: TenantId,
    /// The task's internal id.
    pub task_id: i64,
    /// The task.
    pub task: TaskUuid,
    /// Whether the task is active: a stopped task's instants are passed over, not missed.
    pub active: bool,
    /// The deadline.
    pub deadline: Deadline,
    /// When it was set.
    pub since: Timestamp,
    /// The latest due instant examined.
    pub checked_through: Option<Timestamp>,
    /// The task's latest success at or before the check's `now`.
    pub last_success_at: Option<Timestamp>,
}

/// What a check found about one due instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlineFinding {
    /// The due instant examined.
    pub due: Timestamp,
    /// Due instants it found missed (this one and earlier unexamined ones); 0: met, or passed
    /// over.
    pub missed: u64,
    /// Passed over: the task was stopped, so the instant is neither met nor missed.
    pub stopped: bool,
    /// The task's latest success at or before `due`.
    pub last_success_at: Option<Timestamp>,
}

/// One recorded miss.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadlineMiss {
    /// The task.
    pub task: TaskUuid,
    /// The task's code.
    pub task_code: String,
    /// The deadline missed.
    pub deadline: Deadline,
    /// The latest due instant missed.
    pub due_at: Timestamp,
    /// Due instants this record stands for (more than 1 when several passed unchecked).
    pub missed: u64,
    /// The task's latest success before `due_at`.
    pub last_success_at: Option<Timestamp>,
    /// When the miss was recorded.
    pub recorded_at: Timestamp,
}

/// A task's deadlines and their checks.
#[async_trait]
pub trait DeadlineStore: Send + Sync + 'static {
    /// Replaces the deadlines of a live task of the change's tenant with `deadlines`, in that
    /// order: one it already has keeps its state, a new one counts from the change's instant.
    /// A change is audited as `deadlines` (the task's version stays); the same deadlines again
    /// write nothing. `NotFound` for an unknown task.
    async fn set_deadlines(
        &self,
        task: TaskUuid,
        deadlines: &[Deadline],
        change: Change<'_>,
    ) -> Result<Vec<DeadlineState>>;

    /// The deadlines of the tenant's live task with their state at `now`; `NotFound` for an
    /// unknown task.
    async fn deadlines(
        &self,
        tenant: TenantId,
        task: TaskUuid,
        now: Timestamp,
    ) -> Result<Vec<DeadlineState>>;

    /// The tenant's most recent misses (of `task` only, when given), newest first; `NotFound`
    /// for an unknown task.
    async fn deadline_misses(
        &self,
        tenant: TenantId,
        task: Option<TaskUuid>,
        limit: u32,
    ) -> Result<Vec<DeadlineMiss>>;

    /// Up to `limit` deadlines of live tasks with ids after `after`, by id, each with its
    /// task's latest success at or before `now`.
    async fn deadlines_to_check(
        &self,
        after: i64,
        limit: u32,
        now: Timestamp,
    ) -> Result<Vec<DeadlineToCheck>>;

    /// The task's latest success at or before `at`.
    async fn latest_success(&self, task_id: i64, at: Timestamp) -> Result<Option<Timestamp>>;

    /// Records what a check found about `finding.due` unless a check already examined it (or a
    /// later instant); true when this call recorded a miss (and its `deadline.missed` event).
    async fn record_finding(
        &self,
        checked: &DeadlineToCheck,
        finding: DeadlineFinding,
        now: Timestamp,
    ) -> Result<bool>;

    /// Deletes at most `limit` misses recorded before `before`, oldest first; how many.
    async fn prune_misses(&self, before: Timestamp, limit: u32) -> Result<u64>;
}

#[derive(sqlx::FromRow)]
struct StateRow {
    id: i64,
    spec: String,
    since: i64,
    checked_through: Option<i64>,
    last_met_at: Option<i64>,
    last_missed_at: Option<i64>,
    missed_count: i64,
    last_success_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct CheckRow {
    id: i64,
    tenant_id: i64,
    task_id: i64,
    uuid: Uuid,
    is_active: bool,
    spec: String,
    since: i64,
    checked_through: Option<i64>,
    last_success_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct MissRow {
    uuid: Uuid,
    code: String,
    spec: String,
    due_at: i64,
    missed: i64,
    last_success_at: Option<i64>,
    recorded_at: i64,
}

fn deadline(spec: &str) -> Result<Deadline> {
    let value: serde_json::Value = serde_json::from_str(spec)
        .map_err(|e| StoreError::Corrupt(format!("deadline spec {spec:?}: {e}")))?;
    Deadline::parse(&value).map_err(|e| StoreError::Corrupt(format!("deadline spec {spec:?}: {e}")))
}

fn opt(millis: Option<i64>, what: &str) -> Result<Option<Timestamp>> {
    millis.map(|m| timestamp(m, what)).transpose()
}

impl StateRow {
    fn into_state(self) -> Result<DeadlineState> {
        Ok(DeadlineState {
            deadline: deadline(&self.spec)?,
            since: timestamp(self.since, "task_deadlines since")?,
            checked_through: opt(self.checked_through, "task_deadlines checked_through")?,
            last_met_at: opt(self.last_met_at, "task_deadlines last_met_at")?,
            last_missed_at: opt(self.last_missed_at, "task_deadlines last_missed_at")?,
            missed_count: u64::try_from(self.missed_count).unwrap_or(0),
            last_success_at: opt(self.last_success_at, "task_runs finished_at")?,
        })
    }
}

async fn states<E: Exec + ?Sized>(
    conn: &mut E,
    task_id: i64,
    now: Timestamp,
) -> Result<Vec<StateRow>> {
    Ok(conn
        .fetch_all::<StateRow>(
            TASK_DEADLINES
                .stmt()
                .bind("task_id", task_id)
                .bind("now", millis(now)),
        )
        .await?)
}

/// Replaces the locked task's deadlines with `deadlines` unless they are the ones it has (in
/// that order), keeping the state of those it keeps, then audits the change as `deadlines`
/// (with `via` in the detail, when given); whether anything changed.
pub(crate) async fn replace_deadlines<E: Exec + ?Sized>(
    tx: &mut E,
    locked: LockedTask,
    deadlines: &[Deadline],
    change: &Change<'_>,
    via: Option<&str>,
) -> Result<bool> {
    let before = states(&mut *tx, locked.id, change.at).await?;
    let before: Vec<Deadline> = before
        .iter()
        .map(|row| deadline(&row.spec))
        .collect::<Result<_>>()?;
    let keys: Vec<String> = deadlines.iter().map(Deadline::key).collect();
    if before.iter().map(Deadline::key).eq(keys.iter().cloned()) {
        return Ok(false);
    }
    for row in states(&mut *tx, locked.id, change.at).await? {
        let kept = deadline(&row.spec).is_ok_and(|d| keys.contains(&d.key()));
        if !kept {
            tx.execute(
                DELETE_DEADLINE
                    .stmt()
                    .bind("id", row.id)
                    .bind("task_id", locked.id),
            )
            .await?;
        }
    }
    for (position, (deadline, key)) in deadlines.iter().zip(keys).enumerate() {
        tx.execute(
            UPSERT_DEADLINE
                .stmt()
                .bind("tenant", change.tenant.get())
                .bind("task_id", locked.id)
                .bind("position", position as i64)
                .bind("key", key)
                .bind("spec", deadline.to_json().to_string())
                .bind("now", millis(change.at)),
        )
        .await?;
    }
    let listed = |list: &[Deadline]| list.iter().map(Deadline::to_json).collect();
    crate::alerts::audit_alerts(
        tx,
        locked,
        AuditAction::Deadlines,
        change,
        listed(&before),
        listed(deadlines),
        via,
    )
    .await?;
    Ok(true)
}

/// Every deadline of the tenant's live tasks, by task, each task's in order.
pub(crate) async fn tenant_deadlines<E: Exec + ?Sized>(
    conn: &mut E,
    tenant: TenantId,
) -> Result<Vec<(TaskUuid, Deadline)>> {
    conn.fetch_all::<(Uuid, String)>(TENANT_DEADLINES.stmt().bind("tenant", tenant.get()))
        .await?
        .into_iter()
        .map(|(task, spec)| Ok((TaskUuid(task), deadline(&spec)?)))
        .collect()
}

#[async_trait]
impl<B: Backend> DeadlineStore for B {
    async fn set_deadlines(
        &self,
        task: TaskUuid,
        deadlines: &[Deadline],
        change: Change<'_>,
    ) -> Result<Vec<DeadlineState>> {
        let mut tx = self.begin_write().await?;
        let locked = lock_task::<B>(&mut *tx, change.tenant, task).await?;
        replace_deadlines(&mut *tx, locked, deadlines, &change, None).await?;
        let rows = states(&mut *tx, locked.id, change.at).await?;
        tx.commit().await?;
        rows.into_iter().map(StateRow::into_state).collect()
    }

    async fn deadlines(
        &self,
        tenant: TenantId,
        task: TaskUuid,
        now: Timestamp,
    ) -> Result<Vec<DeadlineState>> {
        let mut conn = self.read().await?;
        let task_id = live_task_id(&mut *conn, tenant, task).await?;
        states(&mut *conn, task_id, now)
            .await?
            .into_iter()
            .map(StateRow::into_state)
            .collect()
    }

    async fn deadline_misses(
        &self,
        tenant: TenantId,
        task: Option<TaskUuid>,
        limit: u32,
    ) -> Result<Vec<DeadlineMiss>> {
        let mut conn = self.read().await?;
        let stmt = match task {
            Some(task) => TASK_MISSES
                .stmt()
                .bind("task_id", live_task_id(&mut *conn, tenant, task).await?),
            None => RECENT_MISSES.stmt().bind("tenant", tenant.get()),
        };
        conn.fetch_all::<MissRow>(stmt.bind("limit", i64::from(limit)))
            .await?
            .into_iter()
            .map(|row| {
                Ok(DeadlineMiss {
                    task: TaskUuid(row.uuid),
                    task_code: row.code,
                    deadline: deadline(&row.spec)?,
                    due_at: timestamp(row.due_at, "deadline_misses due_at")?,
                    missed: u64::try_from(row.missed).unwrap_or(0),
                    last_success_at: opt(row.last_success_at, "deadline_misses last_success_at")?,
                    recorded_at: timestamp(row.recorded_at, "deadline_misses recorded_at")?,
                })
            })
            .collect()
    }

    async fn deadlines_to_check(
        &self,
        after: i64,
        limit: u32,
        now: Timestamp,
    ) -> Result<Vec<DeadlineToCheck>> {
        let mut conn = self.read().await?;
        conn.fetch_all::<CheckRow>(
            DEADLINES_TO_CHECK
                .stmt()
                .bind("after", after)
                .bind("limit", i64::from(limit))
                .bind("now", millis(now)),
        )
        .await?
        .into_iter()
        .map(|row| {
            Ok(DeadlineToCheck {
                id: row.id,
                tenant: TenantId::new(row.tenant_id).ok_or_else(|| {
                    StoreError::Corrupt(format!("task_deadlines tenant_id {}", row.tenant_id))
                })?,
                task_id: row.task_id,
                task: TaskUuid(row.uuid),
                active: row.is_active,
                deadline: deadline(&row.spec)?,
                since: timestamp(row.since, "task_deadlines since")?,
                checked_through: opt(row.checked_through, "task_deadlines checked_through")?,
                last_success_at: opt(row.last_success_at, "task_runs finished_at")?,
            })
        })
        .collect()
    }

    async fn latest_success(&self, task_id: i64, at: Timestamp) -> Result<Option<Timestamp>> {
        let mut conn = self.read().await?;
        let (latest,) = conn
            .fetch_one::<(Option<i64>,)>(
                LATEST_SUCCESS
                    .stmt()
                    .bind("task_id", task_id)
                    .bind("at", millis(at)),
            )
            .await?;
        opt(latest, "task_runs finished_at")
    }

    async fn record_finding(
        &self,
        checked: &DeadlineToCheck,
        finding: DeadlineFinding,
        now: Timestamp,
    ) -> Result<bool> {
        let missed = if finding.stopped {
            0
        } else {
            i64::try_from(finding.missed).unwrap_or(i64::MAX)
        };
        let mut tx = self.begin_write().await?;
        let first = tx
            .execute(
                MARK_CHECKED
                    .stmt()
                    .bind("id", checked.id)
                    .bind("due", millis(finding.due))
                    .bind("missed", missed)
                    .bind("stopped", finding.stopped),
            )
            .await?
            == 1;
        let recorded = if first && missed > 0 {
            tx.execute(
                INSERT_MISS
                    .stmt()
                    .bind("tenant", checked.tenant.get())
                    .bind("task_id", checked.task_id)
                    .bind("key", checked.deadline.key())
                    .bind("spec", checked.deadline.to_json().to_string())
                    .bind("due", millis(finding.due))
                    .bind("missed", missed)
                    .bind("last_success", finding.last_success_at.map(millis))
                    .bind("now", millis(now)),
            )
            .await?
                == 1
        } else {
            false
        };
        if recorded {
            let payload = serde_json::json!({
                "deadline": checked.deadline.to_json(),
                "deadline_key": checked.deadline.key(),
                "due_at": finding.due.to_string(),
                "missed": finding.missed,
                "last_success_at": finding.last_success_at.map(|at| at.to_string()),
            });
            record_event_in(
                &mut *tx,
                &NewEvent {
                    tenant: checked.tenant,
                    task: checked.task,
                    run: None,
                    kind: EventKind::DeadlineMissed,
                    payload: &payload,
                    occurred_at: finding.due,
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(recorded)
    }

    async fn prune_misses(&self, before: Timestamp, limit: u32) -> Result<u64> {
        crate::maintenance::prune_older(self, &PRUNE_MISSES, before, limit).await
    }
}
