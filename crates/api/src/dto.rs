//! The JSON shapes of the API, and their conversion to and from domain types.

use std::str::FromStr;

use domain::policy::{MAX_RETRIES, MAX_RETRY_DELAY_SECONDS};
use domain::task::{MAX_MISFIRE_GRACE_SECONDS, MAX_TIMEOUT_SECONDS};
use domain::{
    Backoff, Description, EgressRules, MisfirePolicy, NoticeReason, OverlapPolicy, RetryPolicy,
    Run, RunArgs, RunLogLine, RunStatus, ScheduleNotice, Task, TaskCode, TaskConfig,
    TaskDefinition, TaskName, TaskType, TaskVersion, Trigger, TriggerKind, TriggerType,
    ValidationErrors,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::UnknownField;
use crate::extract::ObjectReader;
use crate::openapi;

/// The fields of a task definition in a request body.
const TASK_FIELDS: [&str; 13] = [
    "name",
    "code",
    "description",
    "type",
    "trigger_type",
    "trigger_config",
    "task_config",
    "is_active",
    "retry_policy",
    "timeout_seconds",
    "overlap_policy",
    "misfire_policy",
    "misfire_grace_seconds",
];

/// The fields of a retry policy.
const RETRY_FIELDS: [&str; 4] = [
    "max_retries",
    "retry_delay_seconds",
    "backoff",
    "max_delay_seconds",
];

/// What reading a body field by field found: the fields read (`None` where absent or already
/// reported), the fields it may not have (a 400, which comes first) and every missing or
/// wrongly typed value (a 422, listed with the problems the parse into a definition finds).
#[derive(Debug)]
pub struct Read<T> {
    /// The fields read.
    pub fields: T,
    /// Fields the body may not have.
    pub unknown: Vec<UnknownField>,
    /// Values missing or of the wrong type.
    pub errors: ValidationErrors,
}

/// A task definition as sent by a client. Only name, code, type, trigger_type, trigger_config
/// and task_config are required. Fields are `None` when absent or already reported as
/// invalid. Its OpenAPI schema is the typed one of [`crate::openapi`].
#[derive(Debug, Clone, Default, ToSchema)]
pub struct TaskRequest {
    /// Display name, 1-100 characters.
    pub name: Option<String>,
    /// Per-tenant unique code: letters, digits, `_`, `-`, `.`; at most 50.
    pub code: Option<String>,
    /// Free text, at most 2,000 characters; empty: none.
    pub description: Option<String>,
    /// `api_call` or `python_script` (the field `type`).
    pub task_type: Option<String>,
    /// `cron`, `interval` or `date`.
    pub trigger_type: Option<String>,
    /// The trigger's configuration, of the shape `trigger_type` names.
    #[schema(value_type = Option<Object>)]
    pub trigger_config: Option<Value>,
    /// The task's configuration, of the shape `type` names.
    #[schema(value_type = Option<Object>)]
    pub task_config: Option<Value>,
    /// Whether the task fires (default true).
    pub is_active: Option<bool>,
    /// Retries after a failed attempt (default 3, 60 s apart).
    #[schema(value_type = Option<Object>)]
    pub retry_policy: Option<RetryPolicy>,
    /// Longest one attempt may run (default 30 for api_call, 60 for python_script).
    pub timeout_seconds: Option<u32>,
    /// `skip` (default), `allow`, `queue_one` or `replace`.
    pub overlap_policy: Option<String>,
    /// `fire_once` (default), `skip` or `fire_all`.
    pub misfire_policy: Option<String>,
    /// How late an occurrence may start before it counts as missed (default 60).
    pub misfire_grace_seconds: Option<u32>,
}

/// An update (`PUT`, or `PATCH` as a JSON Merge Patch): the fields given replace the stored
/// ones. With `version`, the update only applies if the task is still at that version (409
/// otherwise). Only the OpenAPI document uses it: its schema is the typed one of
/// [`crate::openapi`]; the body is laid over the stored task by [`crate::update`].
#[derive(Debug, ToSchema)]
pub struct TaskPatch;

fn read_retry_policy(value: Value, reader: &mut ObjectReader) -> Option<RetryPolicy> {
    let mut policy = match ObjectReader::new(value, "retry_policy", &RETRY_FIELDS) {
        Ok(policy) => policy,
        Err(errors) => {
            reader.errors.0.extend(errors.0);
            return None;
        }
    };
    let defaults = RetryPolicy::default();
    let whole = |n: i64| u32::try_from(n).ok();
    let max_retries = policy.integer("max_retries", 0, MAX_RETRIES.into());
    let retry_delay = policy.integer("retry_delay_seconds", 0, MAX_RETRY_DELAY_SECONDS.into());
    let max_delay = policy.integer("max_delay_seconds", 0, MAX_RETRY_DELAY_SECONDS.into());
    let backoff = policy.parsed::<Backoff>("backoff");
    let ok = policy.errors.is_empty() && policy.unknown.is_empty();
    reader.absorb(policy);
    ok.then(|| RetryPolicy {
        max_retries: max_retries.and_then(whole).unwrap_or(defaults.max_retries),
        retry_delay_seconds: retry_delay
            .and_then(whole)
            .unwrap_or(defaults.retry_delay_seconds),
        backoff: backoff.unwrap_or(defaults.backoff),
        max_delay_seconds: max_delay.and_then(whole),
    })
}

impl TaskRequest {
    /// Reads a whole task body (a create's, one task of an import, or an update laid over
    /// the stored task) field by field.
    fn read_fields(value: Value) -> Result<(Self, ObjectReader), ValidationErrors> {
        let mut reader = ObjectReader::new(value, "", &TASK_FIELDS)?;
        let name = reader.required_string("name");
        let code = reader.required_string("code");
        let task_type = reader.required_string("type");
        let trigger_type = reader.required_string("trigger_type");
        let trigger_config = reader.required_value("trigger_config");
        let task_config = reader.required_value("task_config");
        let whole = |n: i64| u32::try_from(n).ok();
        let request = TaskRequest {
            name,
            code,
            description: reader.string("description"),
            task_type,
            trigger_type,
            trigger_config,
            task_config,
            is_active: reader.boolean("is_active"),
            retry_policy: reader
                .value("retry_policy")
                .and_then(|value| read_retry_policy(value, &mut reader)),
            timeout_seconds: reader
                .integer("timeout_seconds", 1, MAX_TIMEOUT_SECONDS.into())
                .and_then(whole),
            overlap_policy: reader.string("overlap_policy"),
            misfire_policy: reader.string("misfire_policy"),
            misfire_grace_seconds: reader
                .integer("misfire_grace_seconds", 0, MAX_MISFIRE_GRACE_SECONDS.into())
                .and_then(whole),
        };
        Ok((request, reader))
    }

    /// Reads a task body: every field it may not have, every missing or wrongly typed value.
    /// A body that is not an object is an error on the empty field.
    pub fn read(value: Value) -> Read<TaskRequest> {
        match Self::read_fields(value) {
            Ok((fields, reader)) => Read {
                fields,
                unknown: reader.unknown,
                errors: reader.errors,
            },
            Err(errors) => Read {
                fields: TaskRequest::default(),
                unknown: Vec::new(),
                errors,
            },
        }
    }
}

fn parse_field<T: FromStr<Err = String>>(
    raw: Option<&str>,
    field: &str,
    errors: &mut ValidationErrors,
) -> Option<T> {
    raw?.parse()
        .map_err(|message| errors.push(field, message))
        .ok()
}

fn parse_optional<T: FromStr<Err = String> + Default>(
    raw: Option<&str>,
    field: &str,
    errors: &mut ValidationErrors,
) -> Option<T> {
    match raw {
        None => Some(T::default()),
        Some(raw) => parse_field(Some(raw), field, errors),
    }
}

impl TaskRequest {
    /// Parses the request into a definition, collecting every invalid field on top of
    /// `errors`, those found while reading it (whose fields are `None` here, so they are not
    /// reported twice). A trigger the caller sets now must still have a future and stay
    /// within the supported range and jitter bound (`check_trigger`); interval triggers
    /// without an anchor are anchored at `now`; with `egress`, an `api_call` URL the policy
    /// refuses on its face is an error on `task_config.url`.
    pub fn into_definition(
        self,
        mut errors: ValidationErrors,
        now: Timestamp,
        check_trigger: bool,
        egress: Option<&dyn EgressRules>,
    ) -> Result<TaskDefinition, ValidationErrors> {
        let name = self.name.as_deref().and_then(|raw| {
            TaskName::parse(raw)
                .map_err(|m| errors.push("name", m))
                .ok()
        });
        let code = self.code.as_deref().and_then(|raw| {
            TaskCode::parse(raw)
                .map_err(|m| {
                    // The length has its own code, so a client can say which bound it is.
                    let message = if raw.is_empty() {
                        "must not be empty".to_owned()
                    } else if raw.chars().count() > TaskCode::MAX_LEN {
                        format!("must be at most {} characters", TaskCode::MAX_LEN)
                    } else {
                        m
                    };
                    errors.push("code", message)
                })
                .ok()
        });
        let description = match self.description.as_deref() {
            None | Some("") => Some(None),
            Some(raw) => Description::parse(raw)
                .map(Some)
                .map_err(|m| errors.push("description", m))
                .ok(),
        };
        let task_type: Option<TaskType> =
            parse_field(self.task_type.as_deref(), "type", &mut errors);
        let trigger_type: Option<TriggerType> =
            parse_field(self.trigger_type.as_deref(), "trigger_type", &mut errors);
        let trigger = trigger_type
            .zip(self.trigger_config.as_ref())
            .and_then(|(tt, config)| {
                let parsed = Trigger::parse(tt, config).and_then(|trigger| {
                    if check_trigger {
                        trigger.check_not_expired(now)?;
                        trigger.check_bounds()?;
                    }
                    Ok(trigger.anchored_at(now))
                });
                errors.collect(parsed.map_err(|e| e.prefixed("trigger_config")))
            });
        let config = task_type
            .zip(self.task_config.as_ref())
            .and_then(|(tt, config)| {
                errors.collect(TaskConfig::parse(tt, config).map_err(|e| e.prefixed("task_config")))
            });
        // What the URL alone shows the egress policy refuses is refused now, not at 3 a.m.
        if let (Some(TaskConfig::ApiCall(api)), Some(egress)) = (&config, egress)
            && let Some(reason) = egress.refuse_url(&api.url)
        {
            errors.push(
                "task_config.url",
                format!("is refused by the egress policy: {reason}"),
            );
        }
        // `timeout_seconds` may also sit in task_config, as in the original design's examples.
        let config_timeout = match self
            .task_config
            .as_ref()
            .and_then(|c| c.get("timeout_seconds"))
        {
            None | Some(Value::Null) => None,
            Some(value) => match value.as_u64().and_then(|v| u32::try_from(v).ok()) {
                Some(seconds) => Some(seconds),
                None => {
                    errors.push(
                        "task_config.timeout_seconds",
                        "must be a whole number of seconds",
                    );
                    None
                }
            },
        };
        let retry_policy = match self.retry_policy {
            None => Some(RetryPolicy::default()),
            Some(policy) => {
                errors.collect(policy.validate().map_err(|e| e.prefixed("retry_policy")))
            }
        };
        let overlap_policy: Option<OverlapPolicy> = parse_optional(
            self.overlap_policy.as_deref(),
            "overlap_policy",
            &mut errors,
        );
        let misfire_policy: Option<MisfirePolicy> = parse_optional(
            self.misfire_policy.as_deref(),
            "misfire_policy",
            &mut errors,
        );
        let timeout_seconds = self
            .timeout_seconds
            .or(config_timeout)
            .or(task_type.map(TaskType::default_timeout_seconds));
        let misfire_grace_seconds = self
            .misfire_grace_seconds
            .unwrap_or(domain::policy::DEFAULT_MISFIRE_GRACE_SECONDS);
        if let Some(timeout) = timeout_seconds {
            errors.collect(TaskDefinition::check_ranges(timeout, misfire_grace_seconds));
        }
        match (
            name,
            code,
            description,
            trigger,
            config,
            retry_policy,
            overlap_policy,
            misfire_policy,
            timeout_seconds,
        ) {
            (
                Some(name),
                Some(code),
                Some(description),
                Some(trigger),
                Some(config),
                Some(retry_policy),
                Some(overlap_policy),
                Some(misfire_policy),
                Some(timeout_seconds),
            ) if errors.is_empty() => Ok(TaskDefinition {
                name,
                code,
                description,
                trigger,
                config,
                is_active: self.is_active.unwrap_or(true),
                retry_policy,
                timeout_seconds,
                overlap_policy,
                misfire_policy,
                misfire_grace_seconds,
            }),
            _ => Err(errors),
        }
    }
}

/// A task as the API returns it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskResponse {
    /// External id.
    #[schema(value_type = String, format = Uuid)]
    pub uuid: uuid::Uuid,
    /// Owning tenant.
    pub tenant_id: i64,
    /// Display name.
    pub name: String,
    /// Per-tenant unique code.
    pub code: String,
    /// Description.
    #[schema(required = true)]
    pub description: Option<String>,
    /// What the task does.
    #[serde(rename = "type")]
    #[schema(schema_with = openapi::task_type)]
    pub task_type: String,
    /// When it fires.
    #[schema(schema_with = openapi::trigger_type)]
    pub trigger_type: String,
    /// Canonical trigger configuration, of the shape `trigger_type` names.
    #[schema(schema_with = openapi::trigger_config)]
    pub trigger_config: Value,
    /// Canonical task configuration. Secret header and query values (names like
    /// Authorization, Cookie, *token*, *key*, *secret*, *password*, *auth*) are masked as
    /// `••••` plus, for values of 12 characters or more, their last two; sending a mask back
    /// in an update keeps the stored value.
    #[schema(schema_with = openapi::task_config)]
    pub task_config: Value,
    /// IANA zone the trigger computes in.
    pub timezone: String,
    /// How a cron task behaves across DST changes: `fixed_time` (a local time skipped by the
    /// change fires once right after the gap; a repeated one fires once, on its first pass) or
    /// `every_match` (fires at every real instant that matches, both passes of a repeated hour).
    /// Null for interval and date triggers, which are absolute instants.
    #[schema(schema_with = openapi::dst_policy, required = true)]
    pub dst_policy: Option<&'static str>,
    /// Function id the task runs under.
    pub inngest_function_id: String,
    /// Whether the task fires.
    pub is_active: bool,
    /// Whether a run of it is running now.
    pub is_running: bool,
    /// Next scheduled occurrence (RFC 3339, UTC).
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub next_run_at: Option<Timestamp>,
    /// When the latest run started.
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub last_run_at: Option<Timestamp>,
    /// How the latest run ended, in the design's words.
    #[schema(schema_with = openapi::last_run_status, required = true)]
    pub last_run_status: Option<&'static str>,
    /// How the latest run ended, in detail.
    #[schema(schema_with = openapi::last_run_outcome, required = true)]
    pub last_run_outcome: Option<&'static str>,
    /// The latest run's error.
    #[schema(required = true)]
    pub last_error: Option<String>,
    /// How long the attempt `last_run_outcome` describes ran, in milliseconds; null before the
    /// first attempt ended.
    #[schema(required = true)]
    pub last_run_duration_ms: Option<i64>,
    /// How the task's latest runs ended, newest first.
    #[schema(schema_with = openapi::recent_outcomes)]
    pub recent_outcomes: Vec<&'static str>,
    /// Retry policy.
    #[schema(schema_with = openapi::retry_policy)]
    pub retry_policy: RetryPolicy,
    /// Timeout of one attempt.
    pub timeout_seconds: u32,
    /// Overlap policy.
    #[schema(schema_with = openapi::overlap_policy)]
    pub overlap_policy: String,
    /// Misfire policy.
    #[schema(schema_with = openapi::misfire_policy)]
    pub misfire_policy: String,
    /// Misfire grace.
    pub misfire_grace_seconds: u32,
    /// Bumped on every change.
    pub version: i64,
    /// Creation instant.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Last change instant.
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// Creator (token subject).
    pub created_by: String,
    /// Last editor (token subject).
    pub updated_by: String,
    /// Set when this task's schedule changed without an edit by its owner (found when the
    /// service started): its next occurrence moved with the corrected cron rules, or its
    /// trigger has values an edit would now refuse. Null otherwise; the next `PUT` of the task
    /// clears it.
    #[schema(required = true)]
    pub schedule_notice: Option<ScheduleNoticeResponse>,
}

/// Why a task's schedule changed without an edit by its owner.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleNoticeResponse {
    /// `cron_rules_changed`: the next occurrence moved with the corrected (Vixie cron) day and
    /// fixed-time rules, and the task now follows the new one. `out_of_bounds`: an instant
    /// after the supported range or a jitter not shorter than the trigger's period; the task
    /// runs as stored, and an edit of its trigger must bring them within bounds.
    /// `timeout_capped`: `timeout_seconds` is above the deployment's maximum; runs stop at the
    /// maximum, and the next edit must bring it within.
    pub reason: ScheduleNoticeReason,
    /// What changed, in words, for the task's owner.
    pub message: String,
    /// The next occurrence stored before (RFC 3339, UTC; null: none).
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub previous_next_run_at: Option<Timestamp>,
    /// The next occurrence as computed when noticed (RFC 3339, UTC; null: none).
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub next_run_at: Option<Timestamp>,
    /// When it was noticed.
    #[schema(value_type = String, format = DateTime)]
    pub noticed_at: Timestamp,
}

/// The reason of a [`ScheduleNoticeResponse`].
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleNoticeReason {
    /// The next occurrence moved with the corrected cron rules.
    CronRulesChanged,
    /// The trigger has values an edit would refuse.
    OutOfBounds,
    /// `timeout_seconds` is above the deployment's maximum.
    TimeoutCapped,
}

impl From<ScheduleNotice> for ScheduleNoticeResponse {
    fn from(notice: ScheduleNotice) -> Self {
        Self {
            reason: match notice.reason {
                NoticeReason::CronRulesChanged => ScheduleNoticeReason::CronRulesChanged,
                NoticeReason::OutOfBounds => ScheduleNoticeReason::OutOfBounds,
                NoticeReason::TimeoutCapped => ScheduleNoticeReason::TimeoutCapped,
            },
            message: notice.message,
            previous_next_run_at: notice.previous_next_run_at,
            next_run_at: notice.next_run_at,
            noticed_at: notice.noticed_at,
        }
    }
}

impl From<Task> for TaskResponse {
    fn from(task: Task) -> Self {
        let d = &task.definition;
        Self {
            uuid: task.uuid.0,
            tenant_id: task.tenant.get(),
            name: d.name.as_str().to_owned(),
            code: d.code.as_str().to_owned(),
            description: d.description.as_ref().map(|d| d.as_str().to_owned()),
            task_type: d.task_type().as_str().to_owned(),
            trigger_type: d.trigger.trigger_type().as_str().to_owned(),
            trigger_config: d.trigger.to_config_json(),
            task_config: {
                let mut config = d.config.to_json();
                domain::secrets::mask_config_json(&mut config);
                config
            },
            timezone: d.trigger.timezone_name().to_owned(),
            dst_policy: match &d.trigger.kind {
                TriggerKind::Cron(spec) if spec.is_fixed_time() => Some("fixed_time"),
                TriggerKind::Cron(_) => Some("every_match"),
                _ => None,
            },
            inngest_function_id: task.inngest_function_id,
            is_active: d.is_active,
            is_running: task.is_running,
            next_run_at: task.next_run_at,
            last_run_at: task.last_run_at,
            last_run_status: task.last_run_status.and_then(last_run_status),
            last_run_outcome: task.last_run_status.and_then(last_run_outcome),
            last_error: task.last_error,
            last_run_duration_ms: task.last_run_duration_ms,
            recent_outcomes: task.recent_outcomes.iter().map(|o| o.as_str()).collect(),
            retry_policy: d.retry_policy,
            timeout_seconds: d.timeout_seconds,
            overlap_policy: d.overlap_policy.as_str().to_owned(),
            misfire_policy: d.misfire_policy.as_str().to_owned(),
            misfire_grace_seconds: d.misfire_grace_seconds,
            version: task.version,
            created_at: task.created_at,
            updated_at: task.updated_at,
            created_by: task.created_by,
            updated_by: task.updated_by,
            schedule_notice: task.schedule_notice.map(ScheduleNoticeResponse::from),
        }
    }
}

/// How a task's latest run ended in the original design's words: `success`, `failed` (it
/// failed or timed out) or `cancelled`; `None` for a state that ends no run (a skipped
/// occurrence never becomes a task's latest outcome).
pub fn last_run_status(outcome: RunStatus) -> Option<&'static str> {
    match outcome {
        RunStatus::Succeeded => Some("success"),
        RunStatus::Failed | RunStatus::TimedOut => Some("failed"),
        RunStatus::Cancelled => Some("cancelled"),
        RunStatus::Queued | RunStatus::Running | RunStatus::Skipped => None,
    }
}

/// How a task's latest run ended, in detail: `succeeded`, `failed`, `timed_out` or
/// `cancelled`; `None` for a state that ends no run.
pub fn last_run_outcome(outcome: RunStatus) -> Option<&'static str> {
    last_run_status(outcome).map(|_| outcome.as_str())
}

/// The outcomes a `last_run_status` filter stands for: the design's `success`, `failed` (failed
/// or timed out) and `cancelled`, the detailed `succeeded` and `timed_out` that earlier
/// clients sent, and `none` (no run has ended yet: `None`).
pub fn last_run_status_filter(raw: &str) -> Result<Vec<Option<RunStatus>>, String> {
    match raw {
        "success" | "succeeded" => Ok(vec![Some(RunStatus::Succeeded)]),
        "failed" => Ok(vec![Some(RunStatus::Failed), Some(RunStatus::TimedOut)]),
        "timed_out" => Ok(vec![Some(RunStatus::TimedOut)]),
        "cancelled" => Ok(vec![Some(RunStatus::Cancelled)]),
        NO_RUN_ENDED => Ok(vec![None]),
        other => Err(format!(
            "unknown last run status {other:?}; expected one of: success, failed, cancelled, \
             succeeded, timed_out, none"
        )),
    }
}

/// The outcome a `last_run_outcome` filter names; `none` (no run has ended yet) is `None`.
pub fn last_run_outcome_filter(raw: &str) -> Result<Option<RunStatus>, String> {
    match raw.parse::<RunStatus>() {
        Ok(status) if last_run_status(status).is_some() => Ok(Some(status)),
        _ if raw == NO_RUN_ENDED => Ok(None),
        _ => Err(format!(
            "unknown run outcome {raw:?}; expected one of: succeeded, failed, timed_out, \
             cancelled, none"
        )),
    }
}

/// The filter value for a task none of whose runs has ended yet (the console's "Never run").
const NO_RUN_ENDED: &str = "none";

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageResponse<T: ToSchema> {
    /// Rows of this page.
    pub items: Vec<T>,
    /// Rows in the whole filtered list.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Rows per page.
    pub page_size: u32,
}

impl<T: ToSchema> PageResponse<T> {
    /// Converts a store page, mapping each row.
    pub fn from_page<U>(page: store::Page<U>, map: impl FnMut(U) -> T) -> Self {
        Self {
            items: page.items.into_iter().map(map).collect(),
            total: page.total,
            page: page.page,
            page_size: page.page_size,
        }
    }
}

/// One run of a task.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunResponse {
    /// Run id; also the `Idempotency-Key` of its HTTP calls.
    #[schema(value_type = String, format = Uuid)]
    pub uuid: uuid::Uuid,
    /// The task.
    #[schema(value_type = String, format = Uuid)]
    pub task_uuid: uuid::Uuid,
    /// Task version executed.
    pub task_version: i64,
    /// Why the run exists.
    #[schema(schema_with = openapi::run_trigger)]
    pub trigger: String,
    /// The occurrence's scheduled instant.
    #[schema(value_type = String, format = DateTime)]
    pub scheduled_for: Timestamp,
    /// Occurrences this row stands for (more than 1 for a collapsed range of skips).
    pub occurrences: i64,
    /// Its state.
    #[schema(schema_with = openapi::run_status)]
    pub status: String,
    /// Why it was skipped.
    #[schema(schema_with = openapi::skip_reason, required = true)]
    pub skip_reason: Option<String>,
    /// Current attempt, from 1.
    pub attempt: i32,
    /// Attempts allowed: the task's retries plus one, plus one per rescue and requeue (neither
    /// uses up a retry).
    pub max_attempts: i32,
    /// Attempts lost with their node (killed, crashed) and run again; at most
    /// `SUNDIAL_MAX_RESCUES`.
    pub rescues: i32,
    /// Attempts a graceful shutdown handed back to the queue and run again.
    pub requeues: i32,
    /// Queue instant.
    #[schema(value_type = String, format = DateTime)]
    pub queued_at: Timestamp,
    /// Start of the current or last attempt.
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub started_at: Option<Timestamp>,
    /// End.
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub finished_at: Option<Timestamp>,
    /// When the next attempt is due, for a run `queued` to be tried again after a failed
    /// attempt (as its retry policy says) or after one lost with its node or handed back at
    /// shutdown (at once); `null` for any other run.
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub next_attempt_at: Option<Timestamp>,
    /// Duration of the last attempt.
    #[schema(required = true)]
    pub duration_ms: Option<i64>,
    /// Result of the last attempt (any JSON).
    #[schema(value_type = Option<Value>, required = true)]
    pub result: Option<Value>,
    /// Error of the last attempt.
    #[schema(required = true)]
    pub error: Option<String>,
    /// When the tenant's stored log budget (`SUNDIAL_TENANT_LOG_BUDGET_BYTES`) deleted this
    /// run's log, oldest runs first; its log then holds one system line saying so. `null`
    /// while the run has its log.
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub logs_pruned_at: Option<Timestamp>,
    /// The arguments a manual run was started with (`POST /{uuid}/run {"args": …}`), which
    /// its attempts execute in place of the task's own `args`; `null` for a run without.
    #[schema(value_type = Option<Object>, required = true)]
    pub args: Option<Value>,
    /// For a run with trigger `chain`, the run whose outcome queued it (its children are at
    /// `GET /runs/{run_uuid}/children`); `null` for any other run.
    #[schema(required = true)]
    pub parent: Option<ParentRunResponse>,
    /// The run's newest log lines (at most 200), in the order they were written; in
    /// `/{uuid}/logs` and `/runs/{run_uuid}` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logs: Option<Vec<LogLineResponse>>,
    /// Whether the run has older log lines than `logs` holds; the whole log is paged at
    /// `GET /runs/{run_uuid}/logs`. Present with `logs` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logs_truncated: Option<bool>,
    /// `true` when a page of runs left this run's `result` out (`null`) to stay within the
    /// answer's size bound (older runs first); `GET /runs/{run_uuid}` has it. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_omitted: Option<bool>,
    /// `true` when a page of runs left this run's `args` out (`null`) to stay within the
    /// answer's size bound, after the results of older runs; `GET /runs/{run_uuid}` has them.
    /// Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args_omitted: Option<bool>,
}

impl From<Run> for RunResponse {
    fn from(run: Run) -> Self {
        Self {
            uuid: run.uuid.0,
            task_uuid: run.task_uuid.0,
            task_version: run.task_version,
            trigger: run.trigger.as_str().to_owned(),
            scheduled_for: run.scheduled_for,
            occurrences: run.occurrences,
            status: run.status.as_str().to_owned(),
            skip_reason: run.skip_reason.map(|r| r.as_str().to_owned()),
            attempt: run.attempt,
            max_attempts: run.max_attempts,
            rescues: run.rescues,
            requeues: run.requeues,
            queued_at: run.queued_at,
            started_at: run.started_at,
            finished_at: run.finished_at,
            next_attempt_at: run.next_attempt_at,
            duration_ms: run.duration_ms,
            result: run.result,
            error: run.error,
            logs_pruned_at: run.logs_pruned_at,
            args: run.args.as_ref().map(RunArgs::to_value),
            parent: run.parent.map(|p| ParentRunResponse {
                run_uuid: p.run_uuid.0,
                task_uuid: p.task_uuid.0,
                status: p.status.as_str().to_owned(),
            }),
            logs: None,
            logs_truncated: None,
            result_omitted: None,
            args_omitted: None,
        }
    }
}

/// The run that queued a chained run.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParentRunResponse {
    /// The parent run.
    #[schema(value_type = String, format = Uuid)]
    pub run_uuid: uuid::Uuid,
    /// Its task.
    #[schema(value_type = String, format = Uuid)]
    pub task_uuid: uuid::Uuid,
    /// How it ended.
    #[schema(schema_with = openapi::run_status)]
    pub status: String,
}

/// One line of a run's log.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogLineResponse {
    /// Attempt that wrote it.
    pub attempt: i32,
    /// Order within the attempt.
    pub seq: i64,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub ts: Timestamp,
    /// Which output.
    #[schema(schema_with = openapi::log_stream)]
    pub stream: String,
    /// The text.
    pub line: String,
}

impl From<RunLogLine> for LogLineResponse {
    fn from(line: RunLogLine) -> Self {
        Self {
            attempt: line.attempt,
            seq: line.seq,
            ts: line.ts,
            stream: line.stream.as_str().to_owned(),
            // Lines are stored escaped; this also covers lines stored before they were.
            line: match domain::escape_bidi(&line.line) {
                std::borrow::Cow::Borrowed(_) => line.line,
                std::borrow::Cow::Owned(escaped) => escaped,
            },
        }
    }
}

/// A page of one run's whole log.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunLogPageResponse {
    /// The run.
    #[schema(value_type = String, format = Uuid)]
    pub run_uuid: uuid::Uuid,
    /// The run's state when the page was read: once it is final, no line follows the last one.
    #[schema(schema_with = openapi::run_status)]
    pub status: String,
    /// The lines after `after_seq`, in the order they were written.
    pub lines: Vec<LogLineResponse>,
    /// Pass it as `after_seq` to read on after these lines (the same value when there are none).
    pub next_after_seq: i64,
    /// Whether more lines follow already; when false, a live run may still write more.
    pub has_more: bool,
}

/// Counts of a task's runs by state.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunStatsResponse {
    /// All occurrences.
    pub total: u64,
    /// Waiting.
    pub queued: u64,
    /// Running.
    pub running: u64,
    /// Succeeded.
    pub succeeded: u64,
    /// Failed.
    pub failed: u64,
    /// Timed out.
    pub timed_out: u64,
    /// Cancelled.
    pub cancelled: u64,
    /// Skipped.
    pub skipped: u64,
}

impl From<store::RunStats> for RunStatsResponse {
    fn from(s: store::RunStats) -> Self {
        Self {
            total: s.total,
            queued: s.queued,
            running: s.running,
            succeeded: s.succeeded,
            failed: s.failed,
            timed_out: s.timed_out,
            cancelled: s.cancelled,
            skipped: s.skipped,
        }
    }
}

/// Execution state of a task.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusResponse {
    /// Whether it fires.
    pub is_active: bool,
    /// Whether a run is running.
    pub is_running: bool,
    /// Next occurrence.
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub next_run_at: Option<Timestamp>,
    /// Start of the latest run.
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub last_run_at: Option<Timestamp>,
    /// How the latest run ended, in the design's words.
    #[schema(schema_with = openapi::last_run_status, required = true)]
    pub last_run_status: Option<&'static str>,
    /// How the latest run ended, in detail.
    #[schema(schema_with = openapi::last_run_outcome, required = true)]
    pub last_run_outcome: Option<&'static str>,
    /// Error of the latest run.
    #[schema(required = true)]
    pub last_error: Option<String>,
    /// The run running now, if any.
    #[schema(required = true)]
    pub current_run: Option<RunResponse>,
    /// The newest run.
    #[schema(required = true)]
    pub latest_run: Option<RunResponse>,
    /// Counts by state.
    pub stats: RunStatsResponse,
}

/// One entry of a task's version history.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionResponse {
    /// Version produced by the change.
    pub version: i64,
    /// The change.
    #[schema(schema_with = openapi::audit_action)]
    pub action: String,
    /// Who (token subject).
    pub actor: String,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// The definition after the change, secret values masked as in a task.
    #[schema(value_type = Object)]
    pub definition: Value,
}

impl From<TaskVersion> for VersionResponse {
    fn from(v: TaskVersion) -> Self {
        let mut definition = v.definition;
        if let Some(config) = definition.get_mut("task_config") {
            domain::secrets::mask_config_json(config);
        }
        Self {
            version: v.version,
            action: v.action.as_str().to_owned(),
            actor: v.actor,
            at: v.at,
            definition,
        }
    }
}

/// Uuids to delete at once.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchDeleteRequest {
    /// At most 1,000 task uuids.
    #[schema(value_type = Vec<String>)]
    pub uuids: Vec<uuid::Uuid>,
}

/// How many of the requested tasks were deleted. Which ones is not said, so that the answer
/// reveals nothing about uuids of other tenants.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchDeleteResponse {
    /// Tasks deleted.
    pub deleted: usize,
}

/// A trigger to preview. Its OpenAPI schema is the typed one of [`crate::openapi`].
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// `cron`, `interval` or `date`.
    pub trigger_type: String,
    /// As in a task.
    #[schema(value_type = Object)]
    pub trigger_config: Value,
    /// How many instants (1-100, default 5).
    #[serde(default)]
    pub count: Option<u32>,
    /// Instants strictly after this one (RFC 3339; default now).
    #[serde(default)]
    pub from: Option<String>,
}

/// The next instants of a trigger.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewResponse {
    /// The zone the trigger computes in.
    pub timezone: String,
    /// The instants, earliest first.
    #[schema(schema_with = openapi::occurrences)]
    pub occurrences: Vec<schedule::Occurrence>,
}

/// Tasks to create at once, all or nothing.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    /// 1 to 1,000 task definitions, each exactly as `POST /` takes it. They are validated one
    /// by one, so each is kept as JSON here and errors name `tasks[i].<field>`.
    #[schema(value_type = Vec<TaskRequest>)]
    pub tasks: Vec<Value>,
}

/// The tasks an import created.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResponse {
    /// How many.
    pub created: usize,
    /// Their uuids, in the order of the request.
    #[schema(value_type = Vec<String>)]
    pub uuids: Vec<uuid::Uuid>,
}

/// A change to the caller's tenant's settings; fields left out stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantSettingsRequest {
    /// The tenant's own egress allow-list: entries in the `SUNDIAL_EGRESS_ALLOW` syntax (a CIDR
    /// or host name with an optional port). It only narrows: an `api_call` must be allowed by
    /// the deployment's policy and match an entry. `null` removes the list (the deployment's
    /// policy alone applies); `[]` refuses every destination. At most 100 entries.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<String>>)]
    pub egress_allow: Option<Option<Vec<String>>>,
}

/// `Some(value)` for a field that is present, even as `null`, so a partial update can tell
/// "remove" (`null`) from "leave alone" (absent, which `#[serde(default)]` makes `None`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// The caller's tenant's settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantSettingsResponse {
    /// The tenant.
    pub tenant_id: i64,
    /// The tenant's egress allow-list in canonical form, or `null` when it has none.
    #[schema(required = true)]
    pub egress_allow: Option<Vec<String>>,
    /// Last change (`null` if never set).
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub updated_at: Option<Timestamp>,
    /// Who made it (token subject).
    #[schema(required = true)]
    pub updated_by: Option<String>,
}

impl TenantSettingsResponse {
    /// The response for `tenant`'s stored settings, or the defaults.
    pub fn new(tenant: domain::TenantId, settings: Option<store::TenantSettings>) -> Self {
        let split = |list: String| {
            list.split(',')
                .filter(|e| !e.is_empty())
                .map(str::to_owned)
                .collect()
        };
        match settings {
            None => Self {
                tenant_id: tenant.get(),
                egress_allow: None,
                updated_at: None,
                updated_by: None,
            },
            Some(s) => Self {
                tenant_id: tenant.get(),
                egress_allow: s.egress_allow.map(split),
                updated_at: Some(s.updated_at),
                updated_by: Some(s.updated_by),
            },
        }
    }
}
