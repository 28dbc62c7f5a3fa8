//! A task's alert configuration as a whole: the tasks its runs chain to, its dead-man
//! deadlines and its own notification rules. Export reads a tenant's at once; apply and import
//! replace a task's in the transaction that writes its definition.
//!
//! None of it is part of the versioned definition: it names other tasks and channels, whose
//! lives are their own, and deadlines carry state. A change is audited (`chains`,
//! `deadlines`, `notify_rules`, with the set before and after in the terms an export uses) at
//! the task's current version, which it leaves as it is.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use domain::{AuditAction, ChainLink, Deadline, EventKind, TaskUuid, TenantId, ValidationErrors};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::backend::{Backend, Exec};
use crate::chains::{ChainedTask, checked_links, replace_links, tenant_chains, tenant_graph};
use crate::deadlines::{replace_deadlines, tenant_deadlines};
use crate::query::{Query, sql_file};
use crate::registry::{Audit, Change, lock_task};
use crate::rows::{LockedTask, millis, parse_enum};
use crate::{Result, StoreError};

static TENANT_TASK_RULES: LazyLock<Query> = sql_file!("notify/tenant_task_rules.sql");
static TASK_RULE_ROWS: LazyLock<Query> = sql_file!("notify/task_rule_rows.sql");
static DELETE_RULE_ID: LazyLock<Query> = sql_file!("notify/delete_rule_id.sql");
static INSERT_RULE: LazyLock<Query> = sql_file!("notify/insert_rule.sql");
static CHANNEL_ID: LazyLock<Query> = sql_file!("notify/channel_id.sql");

/// One of a task's own notification rules, with its channel's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRule {
    /// The channel.
    pub channel: Uuid,
    /// The channel's name, which a copy in another tenant resolves.
    pub channel_name: String,
    /// The event kind it routes.
    pub event: EventKind,
    /// `run.failed`: consecutive failures; `run.slow`: milliseconds.
    pub threshold: Option<i64>,
    /// The throttle window in seconds.
    pub throttle_seconds: i64,
}

impl TaskRule {
    /// The rule as an export and the audit log show it: its channel by name.
    pub fn to_portable(&self) -> Value {
        let mut rule = Map::new();
        rule.insert("channel_name".into(), self.channel_name.clone().into());
        rule.insert("event".into(), self.event.as_str().into());
        if let Some(threshold) = self.threshold {
            rule.insert("threshold".into(), threshold.into());
        }
        rule.insert("throttle_seconds".into(), self.throttle_seconds.into());
        Value::Object(rule)
    }

    fn spec(&self) -> RuleSpec {
        RuleSpec {
            channel: self.channel,
            event: self.event,
            threshold: self.threshold,
            throttle_seconds: self.throttle_seconds,
        }
    }
}

/// A rule as an apply gives it: its channel resolved to a uuid of the tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleSpec {
    /// The channel.
    pub channel: Uuid,
    /// The event kind it routes.
    pub event: EventKind,
    /// `run.failed`: consecutive failures; `run.slow`: milliseconds.
    pub threshold: Option<i64>,
    /// The throttle window in seconds.
    pub throttle_seconds: i64,
}

/// A task's alert configuration as stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskAlerts {
    /// The tasks its runs chain to, in link order.
    pub chains: Vec<ChainedTask>,
    /// Its deadlines, in order.
    pub deadlines: Vec<Deadline>,
    /// Its own rules, oldest first.
    pub rules: Vec<TaskRule>,
}

impl TaskAlerts {
    /// Its rules as an apply gives them, to compare with one.
    pub fn rule_specs(&self) -> Vec<RuleSpec> {
        self.rules.iter().map(TaskRule::spec).collect()
    }
}

/// What an apply sets of a task's alert configuration; `None` leaves that part as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertChange {
    /// The links, replacing the task's.
    pub chains: Option<Vec<ChainLink>>,
    /// The deadlines, replacing the task's.
    pub deadlines: Option<Vec<Deadline>>,
    /// The rules, replacing the task's own.
    pub rules: Option<Vec<RuleSpec>>,
}

/// One task's alert configuration to set in an apply, after its definition is written.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertStep {
    /// The task (created or updated by the same apply, or left as it is).
    pub task: TaskUuid,
    /// Where the task is in the request (e.g. `tasks[3]`): a refusal names
    /// `<field>.chains[i].task_code` or `<field>.notify_rules[i].channel_name`.
    pub field: String,
    /// What to set.
    pub change: AlertChange,
}

/// [`TENANT_TASK_RULES`].
#[derive(sqlx::FromRow)]
struct TenantRuleRow {
    task_uuid: Uuid,
    channel_uuid: Uuid,
    channel_name: String,
    event: String,
    threshold: Option<i64>,
    throttle_seconds: i64,
}

/// [`TASK_RULE_ROWS`].
#[derive(sqlx::FromRow)]
struct RuleRow {
    id: i64,
    channel_id: i64,
    channel_uuid: Uuid,
    channel_name: String,
    event: String,
    threshold: Option<i64>,
    throttle_seconds: i64,
}

fn task_rule(
    channel: Uuid,
    channel_name: String,
    event: &str,
    threshold: Option<i64>,
    throttle_seconds: i64,
) -> Result<TaskRule> {
    Ok(TaskRule {
        event: parse_enum(event, format!("notify rule to {channel} column event"))?,
        channel,
        channel_name,
        threshold,
        throttle_seconds,
    })
}

/// The alert configuration of each of the tenant's live tasks that has any.
pub(crate) async fn tenant_alerts<E: Exec + ?Sized>(
    conn: &mut E,
    tenant: TenantId,
) -> Result<HashMap<TaskUuid, TaskAlerts>> {
    let mut alerts: HashMap<TaskUuid, TaskAlerts> = HashMap::new();
    for (parent, child) in tenant_chains(&mut *conn, tenant).await? {
        alerts.entry(parent).or_default().chains.push(child);
    }
    for (task, deadline) in tenant_deadlines(&mut *conn, tenant).await? {
        alerts.entry(task).or_default().deadlines.push(deadline);
    }
    for row in conn
        .fetch_all::<TenantRuleRow>(TENANT_TASK_RULES.stmt().bind("tenant", tenant.get()))
        .await?
    {
        let rule = task_rule(
            row.channel_uuid,
            row.channel_name,
            &row.event,
            row.threshold,
            row.throttle_seconds,
        )?;
        alerts
            .entry(TaskUuid(row.task_uuid))
            .or_default()
            .rules
            .push(rule);
    }
    Ok(alerts)
}

async fn rule_rows<E: Exec + ?Sized>(conn: &mut E, task_id: i64) -> Result<Vec<RuleRow>> {
    Ok(conn
        .fetch_all::<RuleRow>(TASK_RULE_ROWS.stmt().bind("task_id", task_id))
        .await?)
}

/// A task's own rules as the audit log shows them (`[{"channel_name", "event", …}]`).
pub(crate) async fn portable_rules<E: Exec + ?Sized>(conn: &mut E, task_id: i64) -> Result<Value> {
    rule_rows(conn, task_id)
        .await?
        .into_iter()
        .map(|row| {
            task_rule(
                row.channel_uuid,
                row.channel_name,
                &row.event,
                row.threshold,
                row.throttle_seconds,
            )
            .map(|rule| rule.to_portable())
        })
        .collect()
}

/// An audit entry for a change of the locked task's alert configuration: `from` and `to` in
/// the detail (and `via`, when given), at the task's version, which it does not bump.
pub(crate) async fn audit_alerts<E: Exec + ?Sized>(
    tx: &mut E,
    locked: LockedTask,
    action: AuditAction,
    change: &Change<'_>,
    from: Value,
    to: Value,
    via: Option<&str>,
) -> Result<()> {
    let mut detail = Map::new();
    if let Some(via) = via {
        detail.insert("via".into(), via.into());
    }
    detail.insert("from".into(), from);
    detail.insert("to".into(), to);
    let audit = Audit {
        tenant: change.tenant,
        task_id: locked.id,
        version: locked.version,
        action,
        actor: change.actor,
        at: change.at,
        detail: Some(Value::Object(detail)),
    };
    tx.execute(audit.stmt()).await?;
    Ok(())
}

/// The internal id of each rule's channel, a live channel of the tenant; a channel that is
/// not one is added to `errors` under `field(i)`.
async fn channel_ids<E: Exec + ?Sized>(
    tx: &mut E,
    tenant: TenantId,
    rules: &[RuleSpec],
    errors: &mut ValidationErrors,
    field: impl Fn(usize) -> String,
) -> Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(rules.len());
    for (i, rule) in rules.iter().enumerate() {
        match tx
            .fetch_optional::<(i64,)>(
                CHANNEL_ID
                    .stmt()
                    .bind("tenant", tenant.get())
                    .bind("uuid", rule.channel),
            )
            .await?
        {
            Some((id,)) => ids.push(id),
            None => errors.push(field(i), "no channel of the tenant has this uuid"),
        }
    }
    Ok(ids)
}

/// Replaces the locked task's own rules with `rules` (their channels' ids in `channels`):
/// rules it has that match one given stay (with their throttle state), the others go, the
/// missing ones are added. Audited as `notify_rules` when anything changed.
async fn replace_rules<E: Exec + ?Sized>(
    tx: &mut E,
    locked: LockedTask,
    rules: &[RuleSpec],
    channels: &[i64],
    change: &Change<'_>,
    via: Option<&str>,
) -> Result<bool> {
    let current = rule_rows(&mut *tx, locked.id).await?;
    let mut kept = vec![false; current.len()];
    let mut missing = Vec::new();
    for (rule, channel_id) in rules.iter().zip(channels) {
        let found = current.iter().enumerate().position(|(i, row)| {
            !kept[i]
                && row.channel_id == *channel_id
                && row.event == rule.event.as_str()
                && row.threshold == rule.threshold
                && row.throttle_seconds == rule.throttle_seconds
        });
        match found {
            Some(i) => kept[i] = true,
            None => missing.push((rule, *channel_id)),
        }
    }
    if missing.is_empty() && kept.iter().all(|k| *k) {
        return Ok(false);
    }
    let before = portable_rules(&mut *tx, locked.id).await?;
    for (row, _) in current.iter().zip(&kept).filter(|(_, kept)| !**kept) {
        tx.execute(
            DELETE_RULE_ID
                .stmt()
                .bind("id", row.id)
                .bind("task_id", locked.id),
        )
        .await?;
    }
    for (rule, channel_id) in missing {
        tx.execute(
            INSERT_RULE
                .stmt()
                .bind("uuid", Uuid::now_v7())
                .bind("tenant", change.tenant.get())
                .bind("task_id", Some(locked.id))
                .bind("channel_id", channel_id)
                .bind("event", rule.event.as_str())
                .bind("threshold", rule.threshold)
                .bind("throttle_seconds", rule.throttle_seconds)
                .bind("at", millis(change.at))
                .bind("actor", change.actor),
        )
        .await?;
    }
    let after = portable_rules(&mut *tx, locked.id).await?;
    audit_alerts(
        tx,
        locked,
        AuditAction::NotifyRules,
        change,
        before,
        after,
        via,
    )
    .await?;
    Ok(true)
}

/// Sets each step's alert configuration inside an apply's transaction, after every definition
/// is written; when a step sets chains, the caller took the tenant's chain lock
/// ([`lock_tenant_chains`](crate::chains::lock_tenant_chains)) before locking any task, as a save of chains does. All are checked
/// first (a child that is not a live task, or closes a cycle in
/// the tenant's chains as they will be; a channel that is not the tenant's), every problem
/// refused at once as [`StoreError::Invalid`], then the parts that differ are replaced and
/// audited with `via` in the detail.
pub(crate) async fn apply_alert_steps<B: Backend>(
    tx: &mut B::Conn,
    steps: &[AlertStep],
    change: &Change<'_>,
    via: &str,
) -> Result<()> {
    if steps.is_empty() {
        return Ok(());
    }
    let tenant = change.tenant;
    // Rows are locked in uuid order, as the apply locks the tasks it updates, so two
    // overlapping applies cannot deadlock each other on PostgreSQL.
    let mut order: Vec<usize> = (0..steps.len()).collect();
    order.sort_by_key(|&i| steps[i].task);
    let mut locked = vec![None; steps.len()];
    for i in order {
        locked[i] = Some(lock_task::<B>(&mut *tx, tenant, steps[i].task).await?);
    }
    let locked: Vec<LockedTask> = locked.into_iter().flatten().collect();
    let mut graph = HashMap::new();
    if steps.iter().any(|s| s.change.chains.is_some()) {
        let replaced: HashSet<i64> = steps
            .iter()
            .zip(&locked)
            .filter(|(step, _)| step.change.chains.is_some())
            .map(|(_, task)| task.id)
            .collect();
        graph = tenant_graph(&mut *tx, tenant, &replaced).await?;
    }
    let mut errors = ValidationErrors::default();
    let mut children = Vec::with_capacity(steps.len());
    let mut channels = Vec::with_capacity(steps.len());
    for (step, task) in steps.iter().zip(&locked) {
        let links = match &step.change.chains {
            Some(links) => {
                let checked =
                    checked_links(&mut *tx, tenant, task.id, links, &graph, &mut errors, |i| {
                        format!("{}.chains[{i}].task_code", step.field)
                    })
                    .await?;
                // Later tasks' links are checked against this one's as it will be.
                graph.insert(task.id, checked.iter().map(|(child, _)| *child).collect());
                checked
            }
            None => Vec::new(),
        };
        children.push(links);
        let ids = match &step.change.rules {
            Some(rules) => {
                channel_ids(&mut *tx, tenant, rules, &mut errors, |i| {
                    format!("{}.notify_rules[{i}].channel_name", step.field)
                })
                .await?
            }
            None => Vec::new(),
        };
        channels.push(ids);
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    for (((step, task), links), ids) in steps.iter().zip(&locked).zip(&children).zip(&channels) {
        if let Some(chains) = &step.change.chains {
            replace_links(&mut *tx, *task, chains, links, change, Some(via)).await?;
        }
        if let Some(deadlines) = &step.change.deadlines {
            replace_deadlines(&mut *tx, *task, deadlines, change, Some(via)).await?;
        }
        if let Some(rules) = &step.change.rules {
            replace_rules(&mut *tx, *task, rules, ids, change, Some(via)).await?;
        }
    }
    Ok(())
}
