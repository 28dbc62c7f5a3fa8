//! Notifications: the outbox producers record events in, for the dispatcher to route to the
//! tenant's channels.
//!
//! A producer inside the store records an event in the same transaction as the outcome it
//! reports ([`record_event_in`]), so an event exists exactly when that outcome was committed;
//! anyone else records one on its own ([`NotifyOutbox::record_event`]).

use async_trait::async_trait;
use domain::{EventKind, RunUuid, TaskUuid, TenantId};
use jiff::Timestamp;
use uuid::Uuid;

use crate::backend::{Backend, Commit, Exec};
use crate::query::{Query, sql_file};
use crate::rows::{millis, parse_enum, timestamp};
use crate::{Result, StoreError};

static RECORD_EVENT: std::sync::LazyLock<Query> = sql_file!("notify/record_event.sql");
static TASK_EVENTS: std::sync::LazyLock<Query> = sql_file!("notify/task_events.sql");

/// An event to record: what happened to which task (and run), when, and the JSON payload
/// receivers get.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent<'a> {
    /// The tenant the task belongs to.
    pub tenant: TenantId,
    /// The task it is about.
    pub task: TaskUuid,
    /// The run it is about, if any (a missed deadline has none).
    pub run: Option<RunUuid>,
    /// What happened.
    pub kind: EventKind,
    /// The event's own fields, merged into the payload receivers get.
    pub payload: &'a serde_json::Value,
    /// When it happened.
    pub occurred_at: Timestamp,
}

/// An event in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedEvent {
    /// Its id.
    pub uuid: Uuid,
    /// The task it is about.
    pub task: TaskUuid,
    /// The run it is about, if any.
    pub run: Option<RunUuid>,
    /// What happened.
    pub kind: EventKind,
    /// The event's own fields.
    pub payload: serde_json::Value,
    /// When it happened.
    pub occurred_at: Timestamp,
    /// When the dispatcher matched it to the rules (`None`: not yet).
    pub routed_at: Option<Timestamp>,
}

#[derive(Debug, sqlx::FromRow)]
struct EventRow {
    uuid: Uuid,
    task_uuid: Uuid,
    run_uuid: Option<Uuid>,
    kind: String,
    payload: String,
    occurred_at: i64,
    routed_at: Option<i64>,
}

impl EventRow {
    fn into_event(self) -> Result<RecordedEvent> {
        let what = |column: &str| format!("notify event {} column {column}", self.uuid);
        Ok(RecordedEvent {
            uuid: self.uuid,
            task: TaskUuid(self.task_uuid),
            run: self.run_uuid.map(RunUuid),
            kind: parse_enum(&self.kind, &what("kind"))?,
            payload: serde_json::from_str(&self.payload)
                .map_err(|e| StoreError::Corrupt(format!("{}: {e}", what("payload"))))?,
            occurred_at: timestamp(self.occurred_at, &what("occurred_at"))?,
            routed_at: self
                .routed_at
                .map(|at| timestamp(at, &what("routed_at")))
                .transpose()?,
        })
    }
}

/// Records `event` through `tx` (a producer's open transaction, or a connection of its own);
/// its uuid, or `None` when nothing was recorded: the tenant has no task with that uuid, or
/// the run already has an event of that kind.
pub(crate) async fn record_event_in<E: Exec + ?Sized>(
    tx: &mut E,
    event: &NewEvent<'_>,
) -> Result<Option<Uuid>> {
    let uuid = Uuid::now_v7();
    let inserted = tx
        .execute(
            RECORD_EVENT
                .stmt()
                .bind("uuid", uuid)
                .bind("tenant", event.tenant.get())
                .bind("task", event.task.0)
                .bind("run", event.run.map(|run| run.0))
                .bind("kind", event.kind.as_str())
                .bind("payload", event.payload.to_string())
                .bind("occurred_at", millis(event.occurred_at)),
        )
        .await?;
    Ok((inserted == 1).then_some(uuid))
}

/// The notification outbox: recording events, and reading a task's back.
#[async_trait]
pub trait NotifyOutbox: Send + Sync + 'static {
    /// Records an event in a transaction of its own; its uuid, or `None` as
    /// [`record_event_in`] says.
    async fn record_event(&self, event: &NewEvent<'_>) -> Result<Option<Uuid>>;

    /// The newest `limit` events recorded about one of the tenant's tasks, newest first.
    async fn task_events(
        &self,
        tenant: TenantId,
        task: TaskUuid,
        limit: u32,
    ) -> Result<Vec<RecordedEvent>>;
}

#[async_trait]
impl<B: Backend> NotifyOutbox for B {
    async fn record_event(&self, event: &NewEvent<'_>) -> Result<Option<Uuid>> {
        let mut tx = self.begin_write().await?;
        let uuid = record_event_in(&mut *tx, event).await?;
        tx.commit().await?;
        Ok(uuid)
    }

    async fn task_events(
        &self,
        tenant: TenantId,
        task: TaskUuid,
        limit: u32,
    ) -> Result<Vec<RecordedEvent>> {
        self.read()
            .await?
            .fetch_all::<EventRow>(
                TASK_EVENTS
                    .stmt()
                    .bind("tenant", tenant.get())
                    .bind("task", task.0)
                    .bind("limit", i64::from(limit)),
            )
            .await?
            .into_iter()
            .map(EventRow::into_event)
            .collect()
    }
}
