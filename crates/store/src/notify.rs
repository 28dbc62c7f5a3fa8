//! Notifications: the outbox producers record events in, the tenant's channels and rules, and
//! the deliveries the dispatcher makes of events.
//!
//! A producer inside the store records an event in the same transaction as the outcome it
//! reports ([`record_event_in`]; the finisher's [`record_run_events`]), so an event exists
//! exactly when that outcome was committed; anyone else records one on its own
//! ([`NotifyOutbox::record_event`]). The dispatcher routes each event to the rules that match
//! it ([`NotifyDispatch::route_events`]), within each rule's throttle window, as one delivery
//! per channel, then claims due deliveries under a lease and records each attempt.

use std::sync::LazyLock;

use async_trait::async_trait;
use domain::{AuditAction, ChannelKind, EventKind, RunUuid, SkipReason, TaskUuid, TenantId};
use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

use crate::alerts::{audit_alerts, portable_rules};
use crate::backend::{Backend, Commit, Exec, PerDialect, per_dialect};
use crate::query::{Binds, Query, sql_file};
use crate::registry::{Change, lock_task};
use crate::rows::{LockedTask, millis, parse_enum, timestamp};
use crate::{Result, StoreError};

static RECORD_EVENT: LazyLock<Query> = sql_file!("notify/record_event.sql");
static TASK_EVENTS: LazyLock<Query> = sql_file!("notify/task_events.sql");
static RECORD_RUN_EVENTS: LazyLock<Query> = sql_file!("notify/record_run_events.sql");
static RECORD_SKIP_EVENTS: LazyLock<Query> = sql_file!("notify/record_skip_events.sql");
static INSERT_CHANNEL: LazyLock<Query> = sql_file!("notify/insert_channel.sql");
static LIST_CHANNELS: LazyLock<Query> = sql_file!("notify/list_channels.sql");
static GET_CHANNEL: LazyLock<Query> = sql_file!("notify/get_channel.sql");
static CHANNEL_ID: LazyLock<Query> = sql_file!("notify/channel_id.sql");
static DELETE_CHANNEL: LazyLock<Query> = sql_file!("notify/delete_channel.sql");
static DELETE_CHANNEL_RULES: LazyLock<Query> = sql_file!("notify/delete_channel_rules.sql");
static CHANNEL_RULE_TASKS: PerDialect = per_dialect!("notify/channel_rule_tasks");
static ROTATE_SECRET: LazyLock<Query> = sql_file!("notify/rotate_secret.sql");
static INSERT_RULE: LazyLock<Query> = sql_file!("notify/insert_rule.sql");
static LIST_RULES: LazyLock<Query> = sql_file!("notify/list_rules.sql");
static DELETE_RULE: LazyLock<Query> = sql_file!("notify/delete_rule.sql");
static RULE_TASK: LazyLock<Query> = sql_file!("notify/rule_task.sql");
static LIVE_TASK_ID: LazyLock<Query> = sql_file!("notify/live_task_id.sql");
static UNROUTED_EVENTS: PerDialect = per_dialect!("notify/unrouted_events");
static RULES_FOR_EVENT: LazyLock<Query> = sql_file!("notify/rules_for_event.sql");
static CONSECUTIVE_FAILURES: LazyLock<Query> = sql_file!("notify/consecutive_failures.sql");
static TAKE_THROTTLE: LazyLock<Query> = sql_file!("notify/take_throttle.sql");
static INSERT_DELIVERY: LazyLock<Query> = sql_file!("notify/insert_delivery.sql");
static ANY_UNROUTED: LazyLock<Query> = sql_file!("notify/any_unrouted.sql");
static ANY_DUE: LazyLock<Query> = sql_file!("notify/any_due.sql");
static PRUNE_EVENTS: LazyLock<Query> = sql_file!("notify/prune_events.sql");
static MARK_ROUTED: LazyLock<Query> = sql_file!("notify/mark_routed.sql");
static CLAIM_DELIVERIES: PerDialect = per_dialect!("notify/claim_deliveries");
static CLAIMED_DELIVERY: LazyLock<Query> = sql_file!("notify/claimed_delivery.sql");
static END_DELIVERY: LazyLock<Query> = sql_file!("notify/end_delivery.sql");
static LIST_DELIVERIES: LazyLock<Query> = sql_file!("notify/list_deliveries.sql");
static TAKE_EMAIL_SLOT: LazyLock<Query> = sql_file!("notify/take_email_slot.sql");
static PRUNE_EMAIL_COUNTS: LazyLock<Query> = sql_file!("notify/prune_email_counts.sql");

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
            kind: parse_enum(&self.kind, what("kind"))?,
            payload: serde_json::from_str(&self.payload)
                .map_err(|e| StoreError::Corrupt(format!("{}: {e}", what("payload"))))?,
            occurred_at: timestamp(self.occurred_at, what("occurred_at"))?,
            routed_at: self
                .routed_at
                .map(|at| timestamp(at, what("routed_at")))
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

/// An event of a run the finisher just ended, for [`record_run_events`].
#[derive(Debug, Clone)]
pub(crate) struct RunEvent {
    /// The run's internal id.
    pub(crate) run_id: i64,
    /// What happened.
    pub(crate) kind: EventKind,
    /// The event's own fields.
    pub(crate) payload: serde_json::Value,
}

/// Records the events of runs a finish batch ended, in its transaction: one statement for the
/// whole batch, and none when it has no events. Only tasks some rule of their tenant names
/// for the kind (or a tenant default) get an event.
pub(crate) async fn record_run_events<E: Exec + ?Sized>(
    tx: &mut E,
    events: &[RunEvent],
    now: Timestamp,
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let rows = events
        .iter()
        .map(|e| {
            Binds::default()
                .bind("uuid", Uuid::now_v7())
                .bind("run_id", e.run_id)
                .bind("kind", e.kind.as_str())
                .bind("payload", e.payload.to_string())
        })
        .collect();
    let fixed = Binds::default().bind("now", millis(now));
    for stmt in RECORD_RUN_EVENTS.rows(&fixed, rows) {
        tx.execute(stmt).await?;
    }
    Ok(())
}

/// An occurrence a firing batch recorded as skipped, of a task some `occurrence.skipped` rule
/// may route, for [`record_skip_events`].
#[derive(Debug, Clone)]
pub(crate) struct SkippedOccurrence {
    /// The skip row's uuid.
    pub(crate) run: Uuid,
    /// The (first) occurrence it stands for.
    pub(crate) scheduled_at: Timestamp,
    /// The last occurrence a collapsed skip row stands for.
    pub(crate) scheduled_until: Option<Timestamp>,
    /// How many occurrences it stands for.
    pub(crate) occurrences: i64,
    /// Why they were skipped.
    pub(crate) reason: SkipReason,
}

/// Records the `occurrence.skipped` events of a firing batch, in its transaction: one
/// statement for the whole batch, and none when it has none.
pub(crate) async fn record_skip_events<E: Exec + ?Sized>(
    tx: &mut E,
    skipped: &[SkippedOccurrence],
    now: Timestamp,
) -> Result<()> {
    if skipped.is_empty() {
        return Ok(());
    }
    let rows = skipped
        .iter()
        .map(|s| {
            let payload = serde_json::json!({
                "scheduled_at": s.scheduled_at.to_string(),
                "scheduled_until": s.scheduled_until.map(|at| at.to_string()),
                "occurrences": s.occurrences,
                "reason": s.reason.as_str(),
            });
            Binds::default()
                .bind("uuid", Uuid::now_v7())
                .bind("run", s.run)
                .bind("payload", payload.to_string())
        })
        .collect();
    let fixed = Binds::default().bind("now", millis(now));
    for stmt in RECORD_SKIP_EVENTS.rows(&fixed, rows) {
        tx.execute(stmt).await?;
    }
    Ok(())
}

/// A channel to create.
#[derive(Debug, Clone)]
pub struct NewChannel<'a> {
    /// Whose channel it is.
    pub tenant: TenantId,
    /// A name for people.
    pub name: &'a str,
    /// How it delivers.
    pub kind: ChannelKind,
    /// What the kind needs, as JSON (webhook `{"url"}`, email `{"to"}`).
    pub config: &'a serde_json::Value,
    /// The webhook's signing key.
    pub secret: Option<&'a str>,
    /// Who creates it.
    pub actor: &'a str,
    /// When.
    pub at: Timestamp,
}

/// A channel as the API shows it (never its keys).
#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    /// Its id.
    pub uuid: Uuid,
    /// Its name.
    pub name: String,
    /// How it delivers.
    pub kind: ChannelKind,
    /// What the kind needs.
    pub config: serde_json::Value,
    /// After a rotation: until when the previous key still signs.
    pub previous_secret_until: Option<Timestamp>,
    /// When it was created.
    pub created_at: Timestamp,
    /// Who created it.
    pub created_by: String,
    /// When it last changed.
    pub updated_at: Timestamp,
}

#[derive(Debug, sqlx::FromRow)]
struct ChannelRow {
    uuid: Uuid,
    name: String,
    kind: String,
    config: String,
    previous_secret_until: Option<i64>,
    created_at: i64,
    created_by: String,
    updated_at: i64,
}

impl ChannelRow {
    fn into_channel(self) -> Result<Channel> {
        let what = |column: &str| format!("notify channel {} column {column}", self.uuid);
        Ok(Channel {
            uuid: self.uuid,
            kind: parse_enum(&self.kind, what("kind"))?,
            config: json_column(&self.config, &what("config"))?,
            previous_secret_until: self
                .previous_secret_until
                .map(|at| timestamp(at, what("previous_secret_until")))
                .transpose()?,
            created_at: timestamp(self.created_at, what("created_at"))?,
            updated_at: timestamp(self.updated_at, what("updated_at"))?,
            name: self.name,
            created_by: self.created_by,
        })
    }
}

fn json_column(raw: &str, what: &str) -> Result<serde_json::Value> {
    serde_json::from_str(raw).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// A rule to create.
#[derive(Debug, Clone)]
pub struct NewRule<'a> {
    /// Whose rule it is.
    pub tenant: TenantId,
    /// The task it is for; `None`: a tenant default.
    pub task: Option<TaskUuid>,
    /// The channel it routes to.
    pub channel: Uuid,
    /// The event kind it routes.
    pub event: EventKind,
    /// `run.failed`: consecutive failures from which on it notifies; `run.slow`: milliseconds
    /// a run must exceed.
    pub threshold: Option<i64>,
    /// At most one notice per task within this window.
    pub throttle: SignedDuration,
    /// Who creates it.
    pub actor: &'a str,
    /// When.
    pub at: Timestamp,
}

/// A rule routing a task's (or the tenant's) events of one kind to a channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Its id.
    pub uuid: Uuid,
    /// The task it is for; `None`: a tenant default.
    pub task: Option<TaskUuid>,
    /// The channel it routes to.
    pub channel: Uuid,
    /// The event kind it routes.
    pub event: EventKind,
    /// See [`NewRule::threshold`].
    pub threshold: Option<i64>,
    /// The throttle window in seconds.
    pub throttle_seconds: i64,
    /// When it was created.
    pub created_at: Timestamp,
    /// Who created it.
    pub created_by: String,
}

#[derive(Debug, sqlx::FromRow)]
struct RuleRow {
    uuid: Uuid,
    task_uuid: Option<Uuid>,
    channel_uuid: Uuid,
    event: String,
    threshold: Option<i64>,
    throttle_seconds: i64,
    created_at: i64,
    created_by: String,
}

impl RuleRow {
    fn into_rule(self) -> Result<Rule> {
        let what = |column: &str| format!("notify rule {} column {column}", self.uuid);
        Ok(Rule {
            uuid: self.uuid,
            task: self.task_uuid.map(TaskUuid),
            channel: self.channel_uuid,
            event: parse_enum(&self.event, what("event"))?,
            threshold: self.threshold,
            throttle_seconds: self.throttle_seconds,
            created_at: timestamp(self.created_at, what("created_at"))?,
            created_by: self.created_by,
        })
    }
}

/// Why a rule could not be created.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    /// The tenant has no live task with that uuid.
    #[error("no such task")]
    NoTask,
    /// The tenant has no live channel with that uuid.
    #[error("no such channel")]
    NoChannel,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for RuleError {
    fn from(e: sqlx::Error) -> Self {
        RuleError::Store(e.into())
    }
}

/// The state of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// A node is sending it.
    Sending,
    /// The receiver accepted it.
    Delivered,
    /// Every attempt failed, or the channel refused it for good.
    Failed,
    /// Not sent, on purpose: the tenant's email cap for the hour was reached.
    Skipped,
}

impl DeliveryStatus {
    /// The name used in JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
        }
    }
}

impl std::str::FromStr for DeliveryStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pending" => Ok(Self::Pending),
            "sending" => Ok(Self::Sending),
            "delivered" => Ok(Self::Delivered),
            "failed" => Ok(Self::Failed),
            "skipped" => Ok(Self::Skipped),
            other => Err(format!("unknown delivery status {other:?}")),
        }
    }
}

/// One event sent (or being sent) to one channel, as the API shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Its id, also the `Sundial-Delivery` header.
    pub uuid: Uuid,
    /// The event's id.
    pub event: Uuid,
    /// The event's kind.
    pub kind: EventKind,
    /// The task it is about.
    pub task: TaskUuid,
    /// The run it is about, if any.
    pub run: Option<RunUuid>,
    /// The channel.
    pub channel: Uuid,
    /// Its state.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: i64,
    /// When it is next tried, while pending.
    pub next_attempt_at: Option<Timestamp>,
    /// The receiver's last status: an HTTP status, or an SMTP relay's reply code.
    pub response_code: Option<i64>,
    /// The receiver's last answer in words (an SMTP relay's reply).
    pub response: Option<String>,
    /// What went wrong last.
    pub error: Option<String>,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it was delivered or given up.
    pub finished_at: Option<Timestamp>,
}

#[derive(Debug, sqlx::FromRow)]
struct DeliveryRow {
    uuid: Uuid,
    event_uuid: Uuid,
    kind: String,
    task_uuid: Uuid,
    run_uuid: Option<Uuid>,
    channel_uuid: Uuid,
    status: String,
    attempts: i64,
    next_attempt_at: i64,
    response_code: Option<i64>,
    response: Option<String>,
    error: Option<String>,
    created_at: i64,
    finished_at: Option<i64>,
}

impl DeliveryRow {
    fn into_delivery(self) -> Result<Delivery> {
        let what = |column: &str| format!("notify delivery {} column {column}", self.uuid);
        let status: DeliveryStatus = parse_enum(&self.status, what("status"))?;
        Ok(Delivery {
            uuid: self.uuid,
            event: self.event_uuid,
            kind: parse_enum(&self.kind, what("kind"))?,
            task: TaskUuid(self.task_uuid),
            run: self.run_uuid.map(RunUuid),
            channel: self.channel_uuid,
            next_attempt_at: (status == DeliveryStatus::Pending)
                .then(|| timestamp(self.next_attempt_at, what("next_attempt_at")))
                .transpose()?,
            status,
            attempts: self.attempts,
            response_code: self.response_code,
            response: self.response,
            error: self.error,
            created_at: timestamp(self.created_at, what("created_at"))?,
            finished_at: self
                .finished_at
                .map(|at| timestamp(at, what("finished_at")))
                .transpose()?,
        })
    }
}

/// Which deliveries to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeliveryQuery {
    /// Only those about this task.
    pub task: Option<TaskUuid>,
    /// Only those about this run.
    pub run: Option<RunUuid>,
    /// At most this many, newest first.
    pub limit: u32,
}

/// The tenant's channels and rules, and its deliveries (the API's side).
#[async_trait]
pub trait NotifySettings: Send + Sync + 'static {
    /// Creates a channel.
    async fn create_channel(&self, channel: &NewChannel<'_>) -> Result<Channel>;

    /// The tenant's live channels, oldest first.
    async fn channels(&self, tenant: TenantId) -> Result<Vec<Channel>>;

    /// One live channel of the tenant; `NotFound` otherwise.
    async fn channel(&self, tenant: TenantId, uuid: Uuid) -> Result<Channel>;

    /// Deletes a channel of the change's tenant and the rules routing to it, each task that
    /// loses rules audited as `notify_rules` (`via: delete_channel`); `NotFound` when the
    /// tenant has no such live channel.
    async fn delete_channel(&self, uuid: Uuid, change: Change<'_>) -> Result<()>;

    /// Gives a webhook channel a new signing key, the current one staying valid until
    /// `previous_until`; `NotFound` when the tenant has no such live webhook channel.
    async fn rotate_secret(
        &self,
        tenant: TenantId,
        uuid: Uuid,
        secret: &str,
        previous_until: Timestamp,
        at: Timestamp,
    ) -> Result<Channel>;

    /// Creates a rule; a task's is audited as `notify_rules`.
    async fn create_rule(&self, rule: &NewRule<'_>) -> Result<Rule, RuleError>;

    /// The rules of one live task of the tenant (`NotFound` when there is no such task), or
    /// with `None` its defaults; oldest first.
    async fn rules(&self, tenant: TenantId, task: Option<TaskUuid>) -> Result<Vec<Rule>>;

    /// Deletes a rule of the change's tenant, audited as `notify_rules` when it is a task's;
    /// `NotFound` when the tenant has none with that uuid.
    async fn delete_rule(&self, uuid: Uuid, change: Change<'_>) -> Result<()>;

    /// The tenant's newest deliveries.
    async fn deliveries(&self, tenant: TenantId, query: DeliveryQuery) -> Result<Vec<Delivery>>;
}

async fn task_id<E: Exec + ?Sized>(
    conn: &mut E,
    tenant: TenantId,
    task: TaskUuid,
) -> Result<Option<i64>> {
    Ok(conn
        .fetch_optional::<(i64,)>(
            LIVE_TASK_ID
                .stmt()
                .bind("tenant", tenant.get())
                .bind("uuid", task.0),
        )
        .await?
        .map(|(id,)| id))
}

async fn get_channel<E: Exec + ?Sized>(
    conn: &mut E,
    tenant: TenantId,
    uuid: Uuid,
) -> Result<Channel> {
    conn.fetch_optional::<ChannelRow>(
        GET_CHANNEL
            .stmt()
            .bind("tenant", tenant.get())
            .bind("uuid", uuid),
    )
    .await?
    .ok_or(StoreError::NotFound)?
    .into_channel()
}

async fn list_rules<E: Exec + ?Sized>(
    conn: &mut E,
    tenant: TenantId,
    task_id: Option<i64>,
) -> Result<Vec<Rule>> {
    conn.fetch_all::<RuleRow>(
        LIST_RULES
            .stmt()
            .bind("tenant", tenant.get())
            .bind("task_id", task_id),
    )
    .await?
    .into_iter()
    .map(RuleRow::into_rule)
    .collect()
}

#[async_trait]
impl<B: Backend> NotifySettings for B {
    async fn create_channel(&self, channel: &NewChannel<'_>) -> Result<Channel> {
        let uuid = Uuid::now_v7();
        let mut tx = self.begin_write().await?;
        tx.execute(
            INSERT_CHANNEL
                .stmt()
                .bind("uuid", uuid)
                .bind("tenant", channel.tenant.get())
                .bind("name", channel.name)
                .bind("kind", channel.kind.as_str())
                .bind("config", channel.config.to_string())
                .bind("secret", channel.secret.map(str::to_owned))
                .bind("at", millis(channel.at))
                .bind("actor", channel.actor),
        )
        .await?;
        let created = get_channel(&mut *tx, channel.tenant, uuid).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn channels(&self, tenant: TenantId) -> Result<Vec<Channel>> {
        self.read()
            .await?
            .fetch_all::<ChannelRow>(LIST_CHANNELS.stmt().bind("tenant", tenant.get()))
            .await?
            .into_iter()
            .map(ChannelRow::into_channel)
            .collect()
    }

    async fn channel(&self, tenant: TenantId, uuid: Uuid) -> Result<Channel> {
        get_channel(&mut *self.read().await?, tenant, uuid).await
    }

    async fn delete_channel(&self, uuid: Uuid, change: Change<'_>) -> Result<()> {
        let tenant = change.tenant;
        let mut tx = self.begin_write().await?;
        let (id,) = tx
            .fetch_optional::<(i64,)>(
                DELETE_CHANNEL
                    .stmt()
                    .bind("tenant", tenant.get())
                    .bind("uuid", uuid)
                    .bind("at", millis(change.at)),
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        let tasks = tx
            .fetch_all::<LockedTask>(
                CHANNEL_RULE_TASKS
                    .of::<B>()
                    .bind("tenant", tenant.get())
                    .bind("channel_id", id),
            )
            .await?;
        let mut before = Vec::with_capacity(tasks.len());
        for task in &tasks {
            before.push(portable_rules(&mut *tx, task.id).await?);
        }
        tx.execute(DELETE_CHANNEL_RULES.stmt().bind("channel_id", id))
            .await?;
        for (task, before) in tasks.into_iter().zip(before) {
            let after = portable_rules(&mut *tx, task.id).await?;
            audit_alerts(
                &mut *tx,
                task,
                AuditAction::NotifyRules,
                &change,
                before,
                after,
                Some("delete_channel"),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn rotate_secret(
        &self,
        tenant: TenantId,
        uuid: Uuid,
        secret: &str,
        previous_until: Timestamp,
        at: Timestamp,
    ) -> Result<Channel> {
        let mut tx = self.begin_write().await?;
        let changed = tx
            .execute(
                ROTATE_SECRET
                    .stmt()
                    .bind("tenant", tenant.get())
                    .bind("uuid", uuid)
                    .bind("secret", secret)
                    .bind("until", millis(previous_until))
                    .bind("at", millis(at)),
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        let channel = get_channel(&mut *tx, tenant, uuid).await?;
        tx.commit().await?;
        Ok(channel)
    }

    async fn create_rule(&self, rule: &NewRule<'_>) -> Result<Rule, RuleError> {
        let mut tx = self.begin_write().await?;
        let locked = match rule.task {
            Some(task) => match lock_task::<B>(&mut *tx, rule.tenant, task).await {
                Ok(locked) => Some(locked),
                Err(StoreError::NotFound) => return Err(RuleError::NoTask),
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        let task_id = locked.map(|l| l.id);
        let before = match locked {
            Some(locked) => Some(portable_rules(&mut *tx, locked.id).await?),
            None => None,
        };
        let (channel_id,) = tx
            .fetch_optional::<(i64,)>(
                CHANNEL_ID
                    .stmt()
                    .bind("tenant", rule.tenant.get())
                    .bind("uuid", rule.channel),
            )
            .await?
            .ok_or(RuleError::NoChannel)?;
        let uuid = Uuid::now_v7();
        tx.execute(
            INSERT_RULE
                .stmt()
                .bind("uuid", uuid)
                .bind("tenant", rule.tenant.get())
                .bind("task_id", task_id)
                .bind("channel_id", channel_id)
                .bind("event", rule.event.as_str())
                .bind("threshold", rule.threshold)
                .bind("throttle_seconds", rule.throttle.as_secs())
                .bind("at", millis(rule.at))
                .bind("actor", rule.actor),
        )
        .await?;
        let created = list_rules(&mut *tx, rule.tenant, task_id)
            .await?
            .into_iter()
            .find(|r| r.uuid == uuid)
            .ok_or(StoreError::NotFound)?;
        if let (Some(locked), Some(before)) = (locked, before) {
            let after = portable_rules(&mut *tx, locked.id).await?;
            let change = Change {
                tenant: rule.tenant,
                actor: rule.actor,
                at: rule.at,
            };
            audit_alerts(
                &mut *tx,
                locked,
                AuditAction::NotifyRules,
                &change,
                before,
                after,
                None,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(created)
    }

    async fn rules(&self, tenant: TenantId, task: Option<TaskUuid>) -> Result<Vec<Rule>> {
        let mut conn = self.read().await?;
        let task_id = match task {
            Some(task) => Some(
                task_id(&mut *conn, tenant, task)
                    .await?
                    .ok_or(StoreError::NotFound)?,
            ),
            None => None,
        };
        list_rules(&mut *conn, tenant, task_id).await
    }

    async fn delete_rule(&self, uuid: Uuid, change: Change<'_>) -> Result<()> {
        let tenant = change.tenant;
        let mut tx = self.begin_write().await?;
        let (task_id,) = tx
            .fetch_optional::<(Option<i64>,)>(
                RULE_TASK
                    .stmt()
                    .bind("tenant", tenant.get())
                    .bind("uuid", uuid),
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        let before = match task_id {
            Some(id) => Some((id, portable_rules(&mut *tx, id).await?)),
            None => None,
        };
        let deleted = tx
            .execute(
                DELETE_RULE
                    .stmt()
                    .bind("tenant", tenant.get())
                    .bind("uuid", uuid),
            )
            .await?;
        if deleted == 0 {
            return Err(StoreError::NotFound);
        }
        if let Some((id, before)) = before {
            let task = crate::registry::load_task(&mut *tx, id).await?;
            let locked = LockedTask {
                id,
                version: task.version,
                is_active: task.definition.is_active,
            };
            let after = portable_rules(&mut *tx, id).await?;
            audit_alerts(
                &mut *tx,
                locked,
                AuditAction::NotifyRules,
                &change,
                before,
                after,
                None,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn deliveries(&self, tenant: TenantId, query: DeliveryQuery) -> Result<Vec<Delivery>> {
        self.read()
            .await?
            .fetch_all::<DeliveryRow>(
                LIST_DELIVERIES
                    .stmt()
                    .bind("tenant", tenant.get())
                    .bind("task", query.task.map(|t| t.0))
                    .bind("run", query.run.map(|r| r.0))
                    .bind("limit", i64::from(query.limit)),
            )
            .await?
            .into_iter()
            .map(DeliveryRow::into_delivery)
            .collect()
    }
}

/// A delivery this node claimed, with everything sending it needs.
#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    /// Its id (the `Sundial-Delivery` header).
    pub uuid: Uuid,
    /// The tenant (whose egress allow-list applies).
    pub tenant: TenantId,
    /// This attempt's number, from 1.
    pub attempt: i64,
    /// The event's id.
    pub event: Uuid,
    /// The event's kind.
    pub kind: EventKind,
    /// The event's own fields.
    pub payload: serde_json::Value,
    /// When it happened.
    pub occurred_at: Timestamp,
    /// The run it is about, if any.
    pub run: Option<RunUuid>,
    /// The task's uuid, code and name.
    pub task: (TaskUuid, String, String),
    /// The channel's kind.
    pub channel_kind: ChannelKind,
    /// The channel's configuration.
    pub channel_config: serde_json::Value,
    /// The keys it is signed with: the current one, then the previous one while valid.
    pub secrets: Vec<String>,
    /// Whether the channel was deleted since the delivery was made.
    pub channel_deleted: bool,
}

#[derive(Debug, sqlx::FromRow)]
struct ClaimedRow {
    uuid: Uuid,
    tenant_id: i64,
    attempts: i64,
    event_uuid: Uuid,
    kind: String,
    payload: String,
    occurred_at: i64,
    run_uuid: Option<Uuid>,
    task_uuid: Uuid,
    task_code: String,
    task_name: String,
    channel_kind: String,
    channel_config: String,
    secret: Option<String>,
    previous_secret: Option<String>,
    previous_secret_until: Option<i64>,
    channel_deleted_at: Option<i64>,
}

impl ClaimedRow {
    fn into_claimed(self, now: Timestamp) -> Result<ClaimedDelivery> {
        let what = |column: &str| format!("notify delivery {} column {column}", self.uuid);
        let previous = self
            .previous_secret
            .filter(|_| self.previous_secret_until.is_some_and(|u| u > millis(now)));
        Ok(ClaimedDelivery {
            uuid: self.uuid,
            tenant: TenantId::new(self.tenant_id)
                .ok_or_else(|| StoreError::Corrupt(what("tenant_id")))?,
            attempt: self.attempts,
            event: self.event_uuid,
            kind: parse_enum(&self.kind, what("kind"))?,
            payload: json_column(&self.payload, &what("payload"))?,
            occurred_at: timestamp(self.occurred_at, what("occurred_at"))?,
            run: self.run_uuid.map(RunUuid),
            task: (TaskUuid(self.task_uuid), self.task_code, self.task_name),
            channel_kind: parse_enum(&self.channel_kind, what("channel kind"))?,
            channel_config: json_column(&self.channel_config, &what("channel config"))?,
            secrets: self.secret.into_iter().chain(previous).collect(),
            channel_deleted: self.channel_deleted_at.is_some(),
        })
    }
}

/// How an attempt of a delivery ended.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryAttempt {
    /// `Delivered`, `Failed` (for good) or `Pending` (tried again at `retry_at`).
    pub status: DeliveryStatus,
    /// When to try again, for `Pending`.
    pub retry_at: Option<Timestamp>,
    /// The receiver's status, if it answered: HTTP, or an SMTP relay's reply code.
    pub response_code: Option<i64>,
    /// The receiver's answer in words, where it gives one (an SMTP relay's reply).
    pub response: Option<String>,
    /// What went wrong.
    pub error: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct UnroutedRow {
    id: i64,
    tenant_id: i64,
    task_id: i64,
    kind: String,
    payload: String,
    occurred_at: i64,
}

#[derive(Debug, sqlx::FromRow)]
struct MatchedRule {
    id: i64,
    channel_id: i64,
    threshold: Option<i64>,
    throttle_seconds: i64,
}

/// A rule an event of a routing batch is over the threshold of: a delivery if the rule's
/// throttle window for the event's task is open.
#[derive(Debug)]
struct Notice {
    /// The event's index in the batch.
    event: usize,
    rule: MatchedRule,
}

/// The dispatcher's side: routing events to deliveries, claiming and recording them.
#[async_trait]
pub trait NotifyDispatch: Send + Sync + 'static {
    /// Matches up to `limit` unrouted events to the rules, making one delivery per channel a
    /// matching rule names whose throttle window for the task is open (and taking it); the
    /// number of events routed.
    async fn route_events(&self, now: Timestamp, limit: u32) -> Result<usize>;

    /// Claims up to `limit` due deliveries (or ones whose sender's lease expired) for
    /// `owner` until `now + lease`.
    async fn claim_deliveries(
        &self,
        owner: &str,
        now: Timestamp,
        lease: SignedDuration,
        limit: u32,
    ) -> Result<Vec<ClaimedDelivery>>;

    /// Deletes up to `limit` events that occurred before `before`, with their deliveries, once
    /// nothing about them is left to send; how many.
    async fn prune_events(&self, before: Timestamp, limit: u32) -> Result<u64>;

    /// Records how an attempt of a delivery `owner` holds ended; false when the lease was lost.
    async fn end_delivery(
        &self,
        owner: &str,
        delivery: Uuid,
        attempt: &DeliveryAttempt,
        now: Timestamp,
    ) -> Result<bool>;

    /// Takes one of the `cap` emails `tenant` may be sent in the clock hour (UTC) holding
    /// `now`; false once the hour's cap is reached. Counted in the database, so the cap holds
    /// across nodes.
    async fn take_email_slot(&self, tenant: TenantId, now: Timestamp, cap: u32) -> Result<bool>;
}

/// The first instant of the clock hour holding `now`, in epoch milliseconds.
fn hour_start(now: Timestamp) -> i64 {
    millis(now).div_euclid(3_600_000) * 3_600_000
}

#[async_trait]
impl<B: Backend> NotifyDispatch for B {
    async fn route_events(&self, now: Timestamp, limit: u32) -> Result<usize> {
        // Looked for with a read first: on SQLite a write transaction holds the whole
        // database, and the notifier asks every second.
        let waiting = self
            .read()
            .await?
            .fetch_optional::<(i64,)>(ANY_UNROUTED.stmt())
            .await?;
        if waiting.is_none() {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        let events = tx
            .fetch_all::<UnroutedRow>(UNROUTED_EVENTS.of::<B>().bind("limit", i64::from(limit)))
            .await?;
        let mut payloads = Vec::with_capacity(events.len());
        let mut notices = Vec::new();
        for (index, event) in events.iter().enumerate() {
            let kind: EventKind = parse_enum(&event.kind, "notify event kind")?;
            let mut payload = json_column(&event.payload, "notify event payload")?;
            let rules = tx
                .fetch_all::<MatchedRule>(
                    RULES_FOR_EVENT
                        .stmt()
                        .bind("tenant", event.tenant_id)
                        .bind("kind", kind.as_str())
                        .bind("task_id", event.task_id),
                )
                .await?;
            let measure = match kind {
                EventKind::RunFailed if !rules.is_empty() => {
                    let (failures,) = tx
                        .fetch_one::<(i64,)>(
                            CONSECUTIVE_FAILURES
                                .stmt()
                                .bind("task_id", event.task_id)
                                .bind("until", event.occurred_at),
                        )
                        .await?;
                    if let Some(fields) = payload.as_object_mut() {
                        fields.insert("consecutive_failures".into(), failures.into());
                    }
                    Some(failures)
                }
                EventKind::RunSlow => payload.get("duration_ms").and_then(|d| d.as_i64()),
                _ => None,
            };
            payloads.push(payload);
            for rule in rules {
                let over = match (kind, rule.threshold, measure) {
                    (EventKind::RunFailed, Some(n), Some(failures)) => failures >= n,
                    (EventKind::RunSlow, Some(ms), Some(duration)) => duration > ms,
                    (EventKind::RunSlow, _, _) => false,
                    _ => true,
                };
                if over {
                    notices.push(Notice { event: index, rule });
                }
            }
        }
        // The throttle rows are taken in (rule, task) order, not event order: another node
        // routing other events of the same tasks takes them in the same order, so neither
        // holds a row the other waits for while waiting for one it holds (PostgreSQL would
        // abort one after `deadlock_timeout`). The sort is stable: of two events of a task
        // and rule, the earlier one takes the window.
        let mut order: Vec<usize> = (0..notices.len()).collect();
        order.sort_by_key(|&i| (notices[i].rule.id, events[notices[i].event].task_id));
        let mut open = Vec::new();
        for i in order {
            let notice = &notices[i];
            let cutoff = now - SignedDuration::from_secs(notice.rule.throttle_seconds);
            let taken = tx
                .fetch_optional::<(i64,)>(
                    TAKE_THROTTLE
                        .stmt()
                        .bind("rule_id", notice.rule.id)
                        .bind("task_id", events[notice.event].task_id)
                        .bind("now", millis(now))
                        .bind("cutoff", millis(cutoff)),
                )
                .await?;
            if taken.is_some() {
                open.push(i);
            }
        }
        // Deliveries are made in event order whatever order the windows were taken in: of an
        // event's rules naming one channel, the first rule's makes the delivery.
        open.sort_unstable();
        for i in open {
            let notice = &notices[i];
            let event = &events[notice.event];
            tx.execute(
                INSERT_DELIVERY
                    .stmt()
                    .bind("uuid", Uuid::now_v7())
                    .bind("tenant", event.tenant_id)
                    .bind("event_id", event.id)
                    .bind("channel_id", notice.rule.channel_id)
                    .bind("rule_id", notice.rule.id)
                    .bind("now", millis(now)),
            )
            .await?;
        }
        for (event, payload) in events.iter().zip(payloads) {
            tx.execute(
                MARK_ROUTED
                    .stmt()
                    .bind("id", event.id)
                    .bind("payload", payload.to_string())
                    .bind("now", millis(now)),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(events.len())
    }

    async fn claim_deliveries(
        &self,
        owner: &str,
        now: Timestamp,
        lease: SignedDuration,
        limit: u32,
    ) -> Result<Vec<ClaimedDelivery>> {
        let due = self
            .read()
            .await?
            .fetch_optional::<(i64,)>(ANY_DUE.stmt().bind("now", millis(now)))
            .await?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin_write().await?;
        let ids = tx
            .fetch_all::<(i64,)>(
                CLAIM_DELIVERIES
                    .of::<B>()
                    .bind("owner", owner)
                    .bind("lease_until", millis(now + lease))
                    .bind("now", millis(now))
                    .bind("limit", i64::from(limit)),
            )
            .await?;
        let mut claimed = Vec::with_capacity(ids.len());
        for (id,) in ids {
            let row = tx
                .fetch_one::<ClaimedRow>(CLAIMED_DELIVERY.stmt().bind("id", id))
                .await?;
            claimed.push(row.into_claimed(now)?);
        }
        tx.commit().await?;
        Ok(claimed)
    }

    async fn prune_events(&self, before: Timestamp, limit: u32) -> Result<u64> {
        crate::maintenance::prune_older(self, &PRUNE_EVENTS, before, limit).await
    }

    async fn end_delivery(
        &self,
        owner: &str,
        delivery: Uuid,
        attempt: &DeliveryAttempt,
        now: Timestamp,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let changed = tx
            .execute(
                END_DELIVERY
                    .stmt()
                    .bind("uuid", delivery)
                    .bind("owner", owner)
                    .bind("status", attempt.status.as_str())
                    .bind("retry_at", attempt.retry_at.map(millis))
                    .bind("response_code", attempt.response_code)
                    .bind("response", attempt.response.clone())
                    .bind("error", attempt.error.clone())
                    .bind("now", millis(now)),
            )
            .await?;
        tx.commit().await?;
        Ok(changed == 1)
    }

    async fn take_email_slot(&self, tenant: TenantId, now: Timestamp, cap: u32) -> Result<bool> {
        let hour = hour_start(now);
        let mut tx = self.begin_write().await?;
        tx.execute(
            PRUNE_EMAIL_COUNTS
                .stmt()
                .bind("tenant", tenant.get())
                .bind("hour", hour),
        )
        .await?;
        let taken = tx
            .fetch_optional::<(i64,)>(
                TAKE_EMAIL_SLOT
                    .stmt()
                    .bind("tenant", tenant.get())
                    .bind("hour", hour)
                    .bind("cap", i64::from(cap)),
            )
            .await?;
        tx.commit().await?;
        Ok(taken.is_some())
    }
}
