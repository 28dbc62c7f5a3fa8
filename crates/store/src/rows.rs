//! Rows as the databases return them, and their conversion to and from domain types.
//!
//! Row structs hold only types both drivers decode identically; turning them into domain
//! values re-parses the stored JSON and names through the domain's own parsers, so a row that
//! was edited by hand (or written by a buggy version) surfaces as [`StoreError::Corrupt`]
//! instead of a panic or a silently wrong task.

use std::fmt::Display;
use std::str::FromStr;

use domain::{
    AuditAction, Description, LogStream, MisfirePolicy, OverlapPolicy, ParentRun, RetryPolicy, Run,
    RunArgs, RunLogLine, RunOutcome, RunStatus, RunTrigger, RunUuid, ScheduleNotice, SkipReason,
    Task, TaskCode, TaskConfig, TaskDefinition, TaskName, TaskType, TaskUuid, TaskVersion,
    TenantId, Trigger, TriggerType,
};
use jiff::Timestamp;
use uuid::Uuid;

use crate::query::Stmt;
use crate::{Result, StoreError};

/// The `scheduled_tasks` columns of the `{task_columns}` fragment.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub(crate) struct TaskRow {
    pub(crate) id: i64,
    pub(crate) uuid: Uuid,
    pub(crate) tenant_id: i64,
    pub(crate) name: String,
    pub(crate) code: String,
    pub(crate) description: Option<String>,
    #[sqlx(rename = "type")]
    pub(crate) task_type: String,
    pub(crate) trigger_type: String,
    pub(crate) trigger_config: String,
    pub(crate) task_config: String,
    pub(crate) inngest_function_id: String,
    pub(crate) is_active: bool,
    /// When the task's latest running run started (derived, see `query::TASK_COLUMNS`).
    pub(crate) running_since: Option<i64>,
    /// When its latest ended run started.
    pub(crate) last_run_at: Option<i64>,
    pub(crate) last_run_status: Option<String>,
    pub(crate) last_error: Option<String>,
    pub(crate) last_run_duration_ms: Option<i64>,
    pub(crate) recent_outcomes: String,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
    pub(crate) next_run_at: Option<i64>,
    pub(crate) retry_policy: String,
    pub(crate) timeout_seconds: i64,
    pub(crate) overlap_policy: String,
    pub(crate) misfire_policy: String,
    pub(crate) misfire_grace_seconds: i64,
    pub(crate) version: i64,
    pub(crate) created_by: String,
    pub(crate) updated_by: String,
    pub(crate) schedule_notice: Option<String>,
}

/// What a write needs to know about the task it locked.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub(crate) struct LockedTask {
    pub(crate) id: i64,
    pub(crate) version: i64,
    pub(crate) is_active: bool,
}

/// The `task_runs` columns of the `{run_columns}` fragment.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct RunRow {
    pub(crate) uuid: Uuid,
    pub(crate) task_uuid: Uuid,
    pub(crate) task_version: i64,
    pub(crate) trigger: String,
    pub(crate) scheduled_for: i64,
    pub(crate) occurrences: i64,
    pub(crate) status: String,
    pub(crate) skip_reason: Option<String>,
    pub(crate) attempt: i32,
    pub(crate) max_attempts: i32,
    pub(crate) rescues: i32,
    pub(crate) requeues: i32,
    pub(crate) queued_at: i64,
    pub(crate) started_at: Option<i64>,
    pub(crate) finished_at: Option<i64>,
    pub(crate) duration_ms: Option<i64>,
    pub(crate) result: Option<String>,
    pub(crate) error: Option<String>,
    pub(crate) logs_pruned_at: Option<i64>,
    pub(crate) args: Option<String>,
    pub(crate) parent: Option<String>,
    pub(crate) next_attempt_at: Option<i64>,
}

/// One `task_run_logs` row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct LogRow {
    pub(crate) attempt: i32,
    pub(crate) seq: i64,
    pub(crate) ts: i64,
    pub(crate) stream: String,
    pub(crate) line: String,
}

/// One `task_run_logs` row of a bounded read: its id and, within the read's byte budget, its
/// text.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct BoundedLogRow {
    pub(crate) id: i64,
    pub(crate) attempt: i32,
    pub(crate) seq: i64,
    pub(crate) ts: i64,
    pub(crate) stream: String,
    pub(crate) line: Option<String>,
}

/// One `task_versions` row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct VersionRow {
    pub(crate) version: i64,
    pub(crate) action: String,
    pub(crate) actor: String,
    pub(crate) at: i64,
    pub(crate) definition: String,
}

/// One `audit_log` row with its task's uuid and code.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct AuditRow {
    pub(crate) task_uuid: Uuid,
    pub(crate) task_code: String,
    pub(crate) action: String,
    pub(crate) actor: String,
    pub(crate) at: i64,
    pub(crate) version: i64,
    pub(crate) detail: Option<String>,
}

/// One `tenant_settings` row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct TenantSettingsRow {
    pub(crate) egress_allow: Option<String>,
    pub(crate) updated_at: i64,
    pub(crate) updated_by: String,
}

impl TenantSettingsRow {
    /// The settings this row stores.
    pub(crate) fn into_settings(self) -> Result<crate::TenantSettings> {
        Ok(crate::TenantSettings {
            egress_allow: self.egress_allow,
            updated_at: timestamp(self.updated_at, "tenant_settings column updated_at")?,
            updated_by: self.updated_by,
        })
    }
}

fn corrupt(what: impl Display, detail: impl Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {detail}"))
}

/// Names a stored row (and one of its columns) in a corruption error. Formatted only when
/// there is one: rows are read by the thousand in a burst, and a label formatted per column
/// cost more than parsing the column.
#[derive(Clone, Copy)]
pub(crate) struct RowLabel<'a> {
    /// What the row is: "task", "run".
    pub(crate) kind: &'static str,
    /// Its id.
    pub(crate) id: &'a Uuid,
    /// The column, if one.
    pub(crate) column: Option<&'static str>,
}

impl Display for RowLabel<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind, self.id)?;
        match self.column {
            Some(column) => write!(f, " column {column}"),
            None => Ok(()),
        }
    }
}

/// A stored instant.
pub(crate) fn timestamp(millis: i64, what: impl Display) -> Result<Timestamp> {
    Timestamp::from_millisecond(millis).map_err(|e| corrupt(what, e))
}

fn opt_timestamp(millis: Option<i64>, what: impl Display) -> Result<Option<Timestamp>> {
    millis.map(|m| timestamp(m, what)).transpose()
}

/// An instant as stored: epoch milliseconds (sub-millisecond digits are dropped).
pub(crate) fn millis(at: Timestamp) -> i64 {
    at.as_millisecond()
}

/// A stored enum column, or the row reported as corrupt.
pub(crate) fn parse_enum<T: FromStr<Err = String>>(raw: &str, what: impl Display) -> Result<T> {
    raw.parse().map_err(|e: String| corrupt(what, e))
}

fn parse_json(raw: &str, what: impl Display) -> Result<serde_json::Value> {
    serde_json::from_str(raw).map_err(|e| corrupt(what, e))
}

/// Stored run arguments (see `RunArgs`), as the API accepted them.
pub(crate) fn run_args(raw: &str, what: impl Display + Copy) -> Result<RunArgs> {
    RunArgs::parse(parse_json(raw, what)?).map_err(|e| corrupt(what, e))
}

/// A chained run's stored parent context (see `ParentRun`).
pub(crate) fn parent_run(raw: &str, what: impl Display) -> Result<ParentRun> {
    serde_json::from_str(raw).map_err(|e| corrupt(what, e))
}

/// A run's outcome as `recent_outcomes` stores it: one letter, so keeping the newest few is a
/// `SUBSTR` both databases do alike.
pub(crate) fn outcome_letter(outcome: RunOutcome) -> char {
    match outcome {
        RunOutcome::Succeeded => 's',
        RunOutcome::Failed => 'f',
        RunOutcome::TimedOut => 't',
        RunOutcome::Cancelled => 'c',
    }
}

/// Stored `recent_outcomes`, read with [`outcome_letter`]'s code.
fn recent_outcomes(letters: &str, what: impl Display + Copy) -> Result<Vec<RunOutcome>> {
    letters
        .chars()
        .map(|letter| match letter {
            's' => Ok(RunOutcome::Succeeded),
            'f' => Ok(RunOutcome::Failed),
            't' => Ok(RunOutcome::TimedOut),
            'c' => Ok(RunOutcome::Cancelled),
            other => Err(corrupt(what, format!("unknown outcome letter {other:?}"))),
        })
        .collect()
}

fn u32_column(value: i64, what: impl Display) -> Result<u32> {
    u32::try_from(value).map_err(|_| corrupt(what, format!("{value} is out of range")))
}

impl TaskRow {
    /// The domain task this row stores.
    pub(crate) fn into_task(self) -> Result<Task> {
        let ctx = |column: &'static str| RowLabel {
            kind: "task",
            id: &self.uuid,
            column: Some(column),
        };
        let tenant = TenantId::new(self.tenant_id)
            .ok_or_else(|| corrupt(ctx("tenant_id"), self.tenant_id))?;
        let task_type: TaskType = parse_enum(&self.task_type, ctx("type"))?;
        let trigger_type: TriggerType = parse_enum(&self.trigger_type, ctx("trigger_type"))?;
        let trigger = Trigger::parse(
            trigger_type,
            &parse_json(&self.trigger_config, ctx("trigger_config"))?,
        )
        .map_err(|e| corrupt(ctx("trigger_config"), e))?;
        let config = TaskConfig::parse(
            task_type,
            &parse_json(&self.task_config, ctx("task_config"))?,
        )
        .map_err(|e| corrupt(ctx("task_config"), e))?;
        let retry_policy: RetryPolicy = serde_json::from_str(&self.retry_policy)
            .map_err(|e| corrupt(ctx("retry_policy"), e))?;
        let definition = TaskDefinition {
            name: TaskName::parse(&self.name).map_err(|e| corrupt(ctx("name"), e))?,
            code: TaskCode::parse(&self.code).map_err(|e| corrupt(ctx("code"), e))?,
            description: self
                .description
                .as_deref()
                .map(Description::parse)
                .transpose()
                .map_err(|e| corrupt(ctx("description"), e))?,
            trigger,
            config,
            is_active: self.is_active,
            retry_policy,
            timeout_seconds: u32_column(self.timeout_seconds, ctx("timeout_seconds"))?,
            overlap_policy: parse_enum::<OverlapPolicy>(
                &self.overlap_policy,
                &ctx("overlap_policy"),
            )?,
            misfire_policy: parse_enum::<MisfirePolicy>(
                &self.misfire_policy,
                &ctx("misfire_policy"),
            )?,
            misfire_grace_seconds: u32_column(
                self.misfire_grace_seconds,
                ctx("misfire_grace_seconds"),
            )?,
        };
        Ok(Task {
            uuid: TaskUuid(self.uuid),
            tenant,
            definition,
            inngest_function_id: self.inngest_function_id,
            is_running: self.running_since.is_some(),
            next_run_at: opt_timestamp(self.next_run_at, ctx("next_run_at"))?,
            last_run_at: opt_timestamp(
                self.running_since.max(self.last_run_at),
                ctx("last_run_at"),
            )?,
            last_run_status: self
                .last_run_status
                .as_deref()
                .map(|s| parse_enum::<RunStatus>(s, &ctx("last_run_status")))
                .transpose()?,
            last_error: self.last_error,
            last_run_duration_ms: self.last_run_duration_ms,
            recent_outcomes: recent_outcomes(&self.recent_outcomes, ctx("recent_outcomes"))?,
            version: self.version,
            created_at: timestamp(self.created_at, ctx("created_at"))?,
            updated_at: timestamp(self.updated_at, ctx("updated_at"))?,
            created_by: self.created_by,
            updated_by: self.updated_by,
            schedule_notice: self
                .schedule_notice
                .as_deref()
                .map(serde_json::from_str::<ScheduleNotice>)
                .transpose()
                .map_err(|e| corrupt(ctx("schedule_notice"), e))?,
        })
    }
}

impl RunRow {
    /// The domain run this row stores.
    pub(crate) fn into_run(self) -> Result<Run> {
        let ctx = |column: &'static str| RowLabel {
            kind: "run",
            id: &self.uuid,
            column: Some(column),
        };
        Ok(Run {
            uuid: RunUuid(self.uuid),
            task_uuid: TaskUuid(self.task_uuid),
            task_version: self.task_version,
            trigger: parse_enum::<RunTrigger>(&self.trigger, ctx("trigger"))?,
            scheduled_for: timestamp(self.scheduled_for, ctx("scheduled_for"))?,
            occurrences: self.occurrences,
            status: parse_enum::<RunStatus>(&self.status, ctx("status"))?,
            skip_reason: self
                .skip_reason
                .as_deref()
                .map(|s| parse_enum::<SkipReason>(s, ctx("skip_reason")))
                .transpose()?,
            attempt: self.attempt,
            max_attempts: self.max_attempts,
            rescues: self.rescues,
            requeues: self.requeues,
            queued_at: timestamp(self.queued_at, ctx("queued_at"))?,
            started_at: opt_timestamp(self.started_at, ctx("started_at"))?,
            finished_at: opt_timestamp(self.finished_at, ctx("finished_at"))?,
            next_attempt_at: opt_timestamp(self.next_attempt_at, ctx("next_attempt_at"))?,
            duration_ms: self.duration_ms,
            result: self
                .result
                .as_deref()
                .map(|r| parse_json(r, ctx("result")))
                .transpose()?,
            logs_pruned_at: opt_timestamp(self.logs_pruned_at, ctx("logs_pruned_at"))?,
            args: self
                .args
                .as_deref()
                .map(|a| run_args(a, ctx("args")))
                .transpose()?,
            parent: self
                .parent
                .as_deref()
                .map(|p| parent_run(p, ctx("parent")))
                .transpose()?,
            error: self.error,
        })
    }
}

impl LogRow {
    /// The domain log line this row stores.
    pub(crate) fn into_line(self) -> Result<RunLogLine> {
        Ok(RunLogLine {
            attempt: self.attempt,
            seq: self.seq,
            ts: timestamp(self.ts, "log line ts")?,
            stream: parse_enum::<LogStream>(&self.stream, "log line stream")?,
            line: self.line,
        })
    }
}

impl BoundedLogRow {
    /// The domain log line this row stores; `None` when its text was beyond the byte budget.
    pub(crate) fn into_line(self) -> Result<Option<RunLogLine>> {
        let Some(line) = self.line else {
            return Ok(None);
        };
        LogRow {
            attempt: self.attempt,
            seq: self.seq,
            ts: self.ts,
            stream: self.stream,
            line,
        }
        .into_line()
        .map(Some)
    }
}

impl VersionRow {
    /// The domain version entry this row stores.
    pub(crate) fn into_version(self) -> Result<TaskVersion> {
        let ctx = |column: &str| format!("task version {} column {column}", self.version);
        Ok(TaskVersion {
            version: self.version,
            action: parse_enum::<AuditAction>(&self.action, &ctx("action"))?,
            actor: self.actor,
            at: timestamp(self.at, ctx("at"))?,
            definition: parse_json(&self.definition, ctx("definition"))?,
        })
    }
}

impl AuditRow {
    /// The audit entry this row stores.
    pub(crate) fn into_record(self) -> Result<crate::AuditRecord> {
        let ctx = |column: &str| format!("audit entry of task {} column {column}", self.task_uuid);
        Ok(crate::AuditRecord {
            task_uuid: TaskUuid(self.task_uuid),
            task_code: self.task_code,
            action: parse_enum::<AuditAction>(&self.action, &ctx("action"))?,
            actor: self.actor,
            at: timestamp(self.at, ctx("at"))?,
            version: self.version,
            detail: self
                .detail
                .as_deref()
                .map(|raw| parse_json(raw, ctx("detail")))
                .transpose()?,
        })
    }
}

/// Rust's Unicode lower-casing of name and code, joined by one space: what keyword and name
/// filters match with a lower-cased `LIKE` pattern (see `list::NAME_PART`).
pub(crate) fn search_text(name: &TaskName, code: &TaskCode) -> String {
    format!(
        "{} {}",
        name.as_str().to_lowercase(),
        code.as_str().to_lowercase()
    )
}

/// Binds a definition's columns to `stmt` by their column names (see
/// `sql/registry/insert_task.sql`).
pub(crate) fn bind_definition(stmt: Stmt, definition: &TaskDefinition) -> Result<Stmt> {
    let trigger = &definition.trigger;
    let retry_policy = serde_json::to_string(&definition.retry_policy)
        .map_err(|e| StoreError::Corrupt(format!("cannot serialize retry_policy: {e}")))?;
    Ok(stmt
        .bind("name", definition.name.as_str())
        .bind("code", definition.code.as_str())
        .bind(
            "description",
            definition
                .description
                .as_ref()
                .map(|d| d.as_str().to_owned()),
        )
        .bind("type", definition.task_type().as_str())
        .bind("trigger_type", trigger.trigger_type().as_str())
        .bind("trigger_config", trigger.to_config_json().to_string())
        .bind("task_config", definition.config.to_json().to_string())
        .bind("is_active", definition.is_active)
        .bind("timezone", trigger.timezone_name())
        .bind("retry_policy", retry_policy)
        .bind("timeout_seconds", i64::from(definition.timeout_seconds))
        .bind("overlap_policy", definition.overlap_policy.as_str())
        .bind("misfire_policy", definition.misfire_policy.as_str())
        .bind(
            "misfire_grace_seconds",
            i64::from(definition.misfire_grace_seconds),
        )
        .bind("start_at", trigger.start_at.map(millis))
        .bind("end_at", trigger.end_at.map(millis))
        .bind("jitter_seconds", i64::from(trigger.jitter_seconds))
        .bind(
            "search_text",
            search_text(&definition.name, &definition.code),
        ))
}

/// A valid task, for unit tests elsewhere in the crate.
#[cfg(test)]
pub(crate) fn sample_task_for_tests() -> Task {
    tests::row().into_task().expect("the sample row is valid")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    pub(super) fn row() -> TaskRow {
        TaskRow {
            id: 1,
            uuid: Uuid::nil(),
            tenant_id: 7,
            name: "Daily report".into(),
            code: "daily-report".into(),
            description: None,
            task_type: "api_call".into(),
            trigger_type: "cron".into(),
            trigger_config: json!({"cron": "0 0 * * *", "timezone": "Asia/Shanghai"}).to_string(),
            task_config: json!({"url": "https://example.com/", "method": "GET"}).to_string(),
            inngest_function_id: "scheduled-task-x".into(),
            is_active: true,
            running_since: None,
            last_run_at: None,
            last_run_status: None,
            last_error: None,
            last_run_duration_ms: None,
            recent_outcomes: "sfc".into(),
            created_at: 1_700_000_000_000,
            updated_at: 1_700_000_000_000,
            next_run_at: None,
            retry_policy: json!({"max_retries": 3, "retry_delay_seconds": 60, "backoff": "fixed"})
                .to_string(),
            timeout_seconds: 30,
            overlap_policy: "skip".into(),
            misfire_policy: "fire_once".into(),
            misfire_grace_seconds: 60,
            version: 1,
            created_by: "alice".into(),
            updated_by: "alice".into(),
            schedule_notice: None,
        }
    }

    fn corrupt_column(mutate: impl FnOnce(&mut TaskRow)) -> String {
        let mut r = row();
        mutate(&mut r);
        match r.into_task() {
            Err(StoreError::Corrupt(message)) => message,
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }

    #[test]
    fn a_valid_row_maps() {
        let task = row().into_task().expect("valid row");
        assert_eq!(task.definition.trigger.timezone_name(), "Asia/Shanghai");
        assert_eq!(task.tenant.get(), 7);
        assert_eq!(
            task.recent_outcomes,
            [
                RunOutcome::Succeeded,
                RunOutcome::Failed,
                RunOutcome::Cancelled
            ]
        );
    }

    #[test]
    fn every_kind_of_damage_is_corrupt_not_a_panic() {
        assert!(corrupt_column(|r| r.trigger_config = "{".into()).contains("trigger_config"));
        assert!(
            corrupt_column(|r| r.trigger_config = json!({"cron": "nope"}).to_string())
                .contains("trigger_config")
        );
        assert!(corrupt_column(|r| r.task_config = json!({}).to_string()).contains("task_config"));
        assert!(corrupt_column(|r| r.task_type = "shell".into()).contains("type"));
        assert!(corrupt_column(|r| r.trigger_type = "weekly".into()).contains("trigger_type"));
        assert!(
            corrupt_column(|r| r.retry_policy = r#"{"max_retries": -1}"#.into())
                .contains("retry_policy")
        );
        assert!(corrupt_column(|r| r.name = " ".into()).contains("name"));
        assert!(corrupt_column(|r| r.code = "no spaces".into()).contains("code"));
        assert!(corrupt_column(|r| r.tenant_id = 0).contains("tenant_id"));
        assert!(corrupt_column(|r| r.timeout_seconds = -1).contains("timeout_seconds"));
        assert!(
            corrupt_column(|r| r.last_run_status = Some("meh".into())).contains("last_run_status")
        );
        assert!(corrupt_column(|r| r.created_at = i64::MAX).contains("created_at"));
        assert!(corrupt_column(|r| r.recent_outcomes = "sx".into()).contains("recent_outcomes"));
        assert!(
            corrupt_column(|r| r.schedule_notice = Some(r#"{"reason": "whim"}"#.into()))
                .contains("schedule_notice")
        );
    }

    #[test]
    fn search_text_folds_unicode() {
        let name = TaskName::parse("Überweisung ÄÖÜ").expect("valid");
        let code = TaskCode::parse("Pay-1").expect("valid");
        assert_eq!(search_text(&name, &code), "überweisung äöü pay-1");
    }
}
