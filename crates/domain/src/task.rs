//! Task definitions and stored tasks.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::policy::snake_case_str;
use crate::{
    MisfirePolicy, OverlapPolicy, RetryPolicy, RunOutcome, RunStatus, TaskConfig, TaskUuid,
    TenantId, Trigger, ValidationErrors,
};

/// What kind of work a task does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskType {
    /// Call an HTTP endpoint.
    ApiCall,
    /// Run a Python script in the sandbox.
    PythonScript,
}

snake_case_str!(TaskType { ApiCall => "api_call", PythonScript => "python_script" });

impl TaskType {
    /// Timeout used when a task does not set one.
    pub fn default_timeout_seconds(self) -> u32 {
        match self {
            TaskType::ApiCall => 30,
            TaskType::PythonScript => 60,
        }
    }
}

/// Longest a single attempt may be allowed to run: one day.
pub const MAX_TIMEOUT_SECONDS: u32 = 86_400;
/// Longest misfire grace period: one day.
pub const MAX_MISFIRE_GRACE_SECONDS: u32 = 86_400;
/// Outcomes a task keeps in [`Task::recent_outcomes`]: the console list's strip.
pub const RECENT_OUTCOMES_KEPT: usize = 10;

/// A task's display name: 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct TaskName(String);

impl TaskName {
    /// Longest name, in characters (the original schema's VARCHAR(100)).
    pub const MAX_CHARS: usize = 100;

    /// Parses a name, trimming surrounding white space.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("must not be empty".into());
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        if trimmed.chars().any(char::is_control) {
            return Err("must not contain control characters".into());
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A task's code: unique per tenant among live tasks, used by programs to find it.
/// 1 to 50 characters of `A-Z a-z 0-9 _ - .`, starting with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct TaskCode(String);

impl TaskCode {
    /// Longest code (the original schema's VARCHAR(50)).
    pub const MAX_LEN: usize = 50;

    /// Parses a code; codes are case-sensitive and never trimmed.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let valid_chars = raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        let valid_start = raw
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        if raw.is_empty() || raw.len() > Self::MAX_LEN || !valid_chars || !valid_start {
            return Err(format!(
                "must be 1-{} characters of letters, digits, '_', '-' or '.', starting with a letter or digit",
                Self::MAX_LEN
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TaskCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Free-text description, at most 2,000 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Description(String);

impl Description {
    /// Longest description, in characters.
    pub const MAX_CHARS: usize = 2000;

    /// Parses a description; an empty one is kept as empty.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.chars().count() > Self::MAX_CHARS {
            return Err(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        if raw.contains('\0') {
            return Err("must not contain NUL bytes".into());
        }
        Ok(Self(raw.to_owned()))
    }

    /// The description.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Everything a tenant decides about a task: a complete, valid definition.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskDefinition {
    /// Display name.
    pub name: TaskName,
    /// Per-tenant unique code.
    pub code: TaskCode,
    /// Optional description.
    pub description: Option<Description>,
    /// When it fires.
    pub trigger: Trigger,
    /// What it does; also decides the task type.
    pub config: TaskConfig,
    /// Whether it fires at all.
    pub is_active: bool,
    /// Retries after failure.
    pub retry_policy: RetryPolicy,
    /// Longest one attempt may run.
    pub timeout_seconds: u32,
    /// What to do when an occurrence comes due while a run is still running.
    pub overlap_policy: OverlapPolicy,
    /// What to do with occurrences missed by more than the grace.
    pub misfire_policy: MisfirePolicy,
    /// How late an occurrence may fire before it counts as missed.
    pub misfire_grace_seconds: u32,
}

impl TaskDefinition {
    /// The task type, derived from its configuration.
    pub fn task_type(&self) -> TaskType {
        self.config.task_type()
    }

    /// The definition as JSON in the API's shape; recorded in the version history.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.name,
            "code": self.code,
            "description": self.description,
            "type": self.task_type().as_str(),
            "trigger_type": self.trigger.trigger_type().as_str(),
            "trigger_config": self.trigger.to_config_json(),
            "task_config": self.config.to_json(),
            "timezone": self.trigger.timezone_name(),
            "is_active": self.is_active,
            "retry_policy": self.retry_policy,
            "timeout_seconds": self.timeout_seconds,
            "overlap_policy": self.overlap_policy.as_str(),
            "misfire_policy": self.misfire_policy.as_str(),
            "misfire_grace_seconds": self.misfire_grace_seconds,
        })
    }

    /// Checks the numeric ranges of the scalar policies.
    pub fn check_ranges(
        timeout_seconds: u32,
        misfire_grace_seconds: u32,
    ) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if !(1..=MAX_TIMEOUT_SECONDS).contains(&timeout_seconds) {
            errors.push(
                "timeout_seconds",
                format!("must be between 1 and {MAX_TIMEOUT_SECONDS}"),
            );
        }
        if misfire_grace_seconds > MAX_MISFIRE_GRACE_SECONDS {
            errors.push(
                "misfire_grace_seconds",
                format!("must be at most {MAX_MISFIRE_GRACE_SECONDS}"),
            );
        }
        errors.into_result(|| ())
    }
}

/// A stored, live (not deleted) task with its engine-maintained state.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// External id.
    pub uuid: TaskUuid,
    /// Owning tenant.
    pub tenant: TenantId,
    /// The tenant's definition.
    pub definition: TaskDefinition,
    /// The function id the task runs under (`scheduled-task-{uuid}`).
    pub inngest_function_id: String,
    /// True while any run of the task is running.
    pub is_running: bool,
    /// The next scheduled occurrence, if any.
    pub next_run_at: Option<Timestamp>,
    /// When the latest run started.
    pub last_run_at: Option<Timestamp>,
    /// How the latest finished run ended.
    pub last_run_status: Option<RunStatus>,
    /// The latest run's error, if it failed.
    pub last_error: Option<String>,
    /// How long the attempt `last_run_status` describes ran, in milliseconds.
    pub last_run_duration_ms: Option<i64>,
    /// How the task's latest runs ended for good, newest first: at most
    /// [`RECENT_OUTCOMES_KEPT`], runs waiting for a retry and skipped occurrences left out.
    pub recent_outcomes: Vec<RunOutcome>,
    /// Bumped on every change; updates may name the version they expect.
    pub version: i64,
    /// Creation instant.
    pub created_at: Timestamp,
    /// Last change instant.
    pub updated_at: Timestamp,
    /// Subject that created the task.
    pub created_by: String,
    /// Subject that last changed the task.
    pub updated_by: String,
    /// Why this task's schedule changed under it or no longer passes the checks of an edit,
    /// found by the start-up scan; cleared by the next edit of its definition.
    pub schedule_notice: Option<ScheduleNotice>,
}

/// Why a task carries a [`ScheduleNotice`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeReason {
    /// Its cron expression's next occurrence moved with the corrected (Vixie cron) rules.
    CronRulesChanged,
    /// Its trigger has a value an edit would refuse (an instant past the supported range, a
    /// jitter not shorter than the trigger's period); it keeps running as stored.
    OutOfBounds,
    /// Its `timeout_seconds` is above the deployment's maximum (`SUNDIAL_MAX_TIMEOUT_SECONDS`);
    /// its runs stop at the maximum.
    TimeoutCapped,
}

/// A flag on a stored task whose schedule changed without an edit by its owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleNotice {
    /// What happened.
    pub reason: NoticeReason,
    /// The explanation shown to the tenant.
    pub message: String,
    /// The next occurrence stored before the change (`None`: none was due).
    pub previous_next_run_at: Option<Timestamp>,
    /// The next occurrence as now computed (`None`: none any more).
    pub next_run_at: Option<Timestamp>,
    /// When the node that found it started.
    pub noticed_at: Timestamp,
}

impl Task {
    /// The function id for a task uuid.
    pub fn function_id(uuid: TaskUuid) -> String {
        format!("scheduled-task-{uuid}")
    }
}

/// A change to a task, as recorded in its version history and the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// Created.
    Create,
    /// Definition changed.
    Update,
    /// Activated.
    Start,
    /// Deactivated.
    Stop,
    /// Soft-deleted.
    Delete,
    /// Run started by hand.
    RunNow,
    /// Run cancelled by hand.
    Cancel,
    /// An earlier version's definition made current again.
    Restore,
    /// The tasks its runs chain to replaced (not a new version).
    Chains,
    /// Its dead-man deadlines replaced (not a new version).
    Deadlines,
    /// Its own notification rules changed (not a new version).
    NotifyRules,
}

snake_case_str!(AuditAction {
    Create => "create", Update => "update", Start => "start", Stop => "stop",
    Delete => "delete", RunNow => "run_now", Cancel => "cancel", Restore => "restore",
    Chains => "chains", Deadlines => "deadlines", NotifyRules => "notify_rules",
});

/// One entry of a task's version history: the definition after a change.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskVersion {
    /// The task version this change produced.
    pub version: i64,
    /// What changed.
    pub action: AuditAction,
    /// Who changed it (token subject).
    pub actor: String,
    /// When.
    pub at: Timestamp,
    /// The task as JSON after the change.
    pub definition: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            TaskName::parse("  Daily report ").unwrap().as_str(),
            "Daily report"
        );
        assert!(TaskName::parse("   ").is_err());
        assert!(TaskName::parse(&"é".repeat(100)).is_ok());
        assert!(TaskName::parse(&"é".repeat(101)).is_err());
        assert!(TaskName::parse("a\nb").is_err());
    }

    #[test]
    fn codes_follow_the_documented_alphabet() {
        for ok in ["daily-report", "a", "A.b_c-1", &"x".repeat(50)] {
            assert!(TaskCode::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-lead",
            ".dot",
            "has space",
            "ünï",
            &"x".repeat(51),
            "a/b",
        ] {
            assert!(TaskCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scalar_ranges_name_their_field() {
        let errors = TaskDefinition::check_ranges(0, MAX_MISFIRE_GRACE_SECONDS + 1).unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["timeout_seconds", "misfire_grace_seconds"]);
        assert!(TaskDefinition::check_ranges(30, 60).is_ok());
    }
}
