//! The history of a tenant's tasks: the audit log, the difference between two versions of a
//! task, and restoring an earlier version.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use domain::{AuditAction, TaskUuid, TaskVersion, ValidationErrors};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::{AuditQuery, AuditRecord};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::dto::{PageResponse, TaskResponse};
use crate::error::Problem;
use crate::routes::definitions::{definition_over, next_run_over};
use crate::routes::tasks::{change, load, page_params, parse_query, task_uuid};
use crate::{ApiError, AppState, openapi};

/// The audit log, version diffs and restores.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(audit_log))
        .routes(routes!(version_diff))
        .routes(routes!(restore_version))
}

/// Query of `GET /audit`. Unknown parameters (including `tenant_id`) are ignored.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditParams {
    /// Page, from 1 (default 1).
    #[param(schema_with = openapi::page_number)]
    page: Option<String>,
    /// Rows per page, 1-100 (default 20).
    #[param(schema_with = openapi::page_size)]
    page_size: Option<String>,
    /// Only entries of this task (deleted tasks included).
    #[param(value_type = Option<String>, format = Uuid)]
    task_uuid: Option<String>,
    /// Only entries by this actor (token subject), exactly.
    actor: Option<String>,
    /// Only entries of this action.
    #[param(schema_with = openapi::audit_action)]
    action: Option<String>,
    /// Only entries at or after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    since: Option<String>,
    /// Only entries before this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    until: Option<String>,
}

/// One entry of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryResponse {
    /// The task it concerns.
    #[schema(value_type = String, format = Uuid)]
    pub task_uuid: uuid::Uuid,
    /// The task's code (its current one; a deleted task's last).
    pub task_code: String,
    /// What happened.
    #[schema(schema_with = openapi::audit_action)]
    pub action: String,
    /// Who did it (token subject).
    pub actor: String,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// The task's version after it.
    pub version: i64,
    /// Extra facts: `cancelled_runs` (a stop or delete), `via: "apply"` (written by
    /// `POST /apply`), `restored_from` (a restore), `deleted_at` (a deleted task restored),
    /// `run_uuid` (a run action).
    #[schema(value_type = Option<Object>, required = true)]
    pub detail: Option<Value>,
}

impl From<AuditRecord> for AuditEntryResponse {
    fn from(entry: AuditRecord) -> Self {
        Self {
            task_uuid: entry.task_uuid.0,
            task_code: entry.task_code,
            action: entry.action.as_str().to_owned(),
            actor: entry.actor,
            at: entry.at,
            version: entry.version,
            detail: entry.detail,
        }
    }
}

/// An RFC 3339 instant query parameter.
fn instant(raw: Option<&str>, field: &str, errors: &mut ValidationErrors) -> Option<Timestamp> {
    raw.filter(|s| !s.is_empty())?
        .parse::<Timestamp>()
        .map_err(|_| {
            errors.push(
                field,
                "must be an RFC 3339 instant with an offset, e.g. 2026-03-08T00:00:00Z",
            )
        })
        .ok()
}

/// The tenant's audit log, newest first: every create, update, start, stop, delete, restore,
/// run now and cancel, with who did it and when; filtered by task, actor, action and time.
#[utoipa::path(get, path = "/audit", tag = "tasks", params(AuditParams),
    responses(
        (status = 200, body = PageResponse<AuditEntryResponse>),
        (status = 400, description = "Invalid query parameter; `errors` names each", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
async fn audit_log(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<PageResponse<AuditEntryResponse>>, ApiError> {
    let params: AuditParams = parse_query(raw)?;
    let mut errors = ValidationErrors::default();
    let (page, page_size) = page_params(
        params.page.as_deref(),
        params.page_size.as_deref(),
        &mut errors,
    );
    let task = match params.task_uuid.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => raw
            .parse()
            .map(TaskUuid)
            .map_err(|_| errors.push("task_uuid", "must be a uuid"))
            .ok(),
    };
    let action = match params.action.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => raw
            .parse::<AuditAction>()
            .map_err(|m| errors.push("action", m))
            .ok(),
    };
    let since = instant(params.since.as_deref(), "since", &mut errors);
    let until = instant(params.until.as_deref(), "until", &mut errors);
    if let (Some(since), Some(until)) = (since, until)
        && until <= since
    {
        errors.push("until", "must be after `since`");
    }
    if !errors.is_empty() {
        return Err(ApiError::InvalidQuery(errors));
    }
    let query = AuditQuery {
        task,
        actor: params.actor.filter(|s| !s.is_empty()),
        action,
        since,
        until,
        page,
        page_size,
    };
    let entries = state.store.audit_entries(caller.0.tenant, &query).await?;
    Ok(Json(PageResponse::from_page(
        entries,
        AuditEntryResponse::from,
    )))
}

/// A version number from the path: one that does not parse names no version (404).
fn version_number(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or(ApiError::NotFound)
}

/// Version `n` of the caller's task, or 404 (unknown task, another tenant's, or a version it
/// never had or no longer keeps).
async fn load_version(
    state: &AppState,
    caller: &Caller,
    uuid: TaskUuid,
    n: i64,
) -> Result<TaskVersion, ApiError> {
    state
        .store
        .task_version(caller.0.tenant, uuid, n)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Who made a version and when.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionSummary {
    /// The version.
    pub version: i64,
    /// The change that produced it.
    #[schema(schema_with = openapi::audit_action)]
    pub action: String,
    /// Who (token subject).
    pub actor: String,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
}

impl From<&TaskVersion> for VersionSummary {
    fn from(v: &TaskVersion) -> Self {
        Self {
            version: v.version,
            action: v.action.as_str().to_owned(),
            actor: v.actor.clone(),
            at: v.at,
        }
    }
}

/// How one field differs between two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldChangeKind {
    /// Only the newer side has the field.
    Added,
    /// Only the older side has it.
    Removed,
    /// Both have it, with different values.
    Changed,
}

/// One field that differs.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldChange {
    /// The field's path in the definition, e.g. `trigger_config.cron` or
    /// `task_config.headers.authorization`.
    pub field: String,
    /// How it differs.
    pub change: FieldChangeKind,
    /// Its value in `from` (absent when added). Secret values are masked: a changed secret
    /// is listed even when both masks read the same.
    #[schema(value_type = Option<Object>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_value: Option<Value>,
    /// Its value in `to` (absent when removed), masked the same way.
    #[schema(value_type = Option<Object>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_value: Option<Value>,
}

/// The difference between two versions of a task's definition.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionDiffResponse {
    /// The version compared from.
    pub from: VersionSummary,
    /// The version compared to.
    pub to: VersionSummary,
    /// Every field that differs, by path; empty when the definitions are the same.
    pub changes: Vec<FieldChange>,
}

/// The leaves of a definition by dotted path; arrays and scalars are leaves.
fn leaves(prefix: &str, value: &Value, out: &mut BTreeMap<String, Value>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, value) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                leaves(&path, value, out);
            }
        }
        other => {
            out.insert(prefix.to_owned(), other.clone());
        }
    }
}

/// A definition's leaves, and the same leaves as shown to clients (secrets masked).
fn compared(definition: &Value) -> (BTreeMap<String, Value>, BTreeMap<String, Value>) {
    let mut real = BTreeMap::new();
    leaves("", definition, &mut real);
    let mut masked = definition.clone();
    if let Some(config) = masked.get_mut("task_config") {
        domain::secrets::mask_config_json(config);
    }
    let mut shown = BTreeMap::new();
    leaves("", &masked, &mut shown);
    (real, shown)
}

/// The per-field difference of two definitions as stored.
fn diff(from: &Value, to: &Value) -> Vec<FieldChange> {
    let (from_real, mut from_shown) = compared(from);
    let (to_real, mut to_shown) = compared(to);
    let fields: std::collections::BTreeSet<&String> =
        from_real.keys().chain(to_real.keys()).collect();
    fields
        .into_iter()
        .filter(|field| from_real.get(*field) != to_real.get(*field))
        .map(|field| {
            let from_value = from_shown.remove(field);
            let to_value = to_shown.remove(field);
            let change = match (&from_value, &to_value) {
                (None, _) => FieldChangeKind::Added,
                (_, None) => FieldChangeKind::Removed,
                _ => FieldChangeKind::Changed,
            };
            FieldChange {
                field: field.clone(),
                change,
                from_value,
                to_value,
            }
        })
        .collect()
}

/// What changed between two versions of a task, field by field (either order; secret values
/// masked as in a task).
#[utoipa::path(get, path = "/{uuid}/versions/{from}/diff/{to}", tag = "tasks",
    params(
        ("uuid" = String, Path, description = "Task uuid"),
        ("from" = i64, Path, description = "The version to compare from", minimum = 1),
        ("to" = i64, Path, description = "The version to compare to", minimum = 1),
    ),
    responses(
        (status = 200, body = VersionDiffResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such task in your tenant, or it has no such version (never had it, or no longer keeps it)", body = Problem, content_type = "application/problem+json"),
    ))]
async fn version_diff(
    State(state): State<AppState>,
    caller: Caller,
    Path((uuid, from, to)): Path<(String, String, String)>,
) -> Result<Json<VersionDiffResponse>, ApiError> {
    let uuid = task_uuid(&uuid)?;
    let (from, to) = (version_number(&from)?, version_number(&to)?);
    let from = load_version(&state, &caller, uuid, from).await?;
    let to = load_version(&state, &caller, uuid, to).await?;
    Ok(Json(VersionDiffResponse {
        changes: diff(&from.definition, &to.definition),
        from: (&from).into(),
        to: (&to).into(),
    }))
}

/// A stored version's definition as a request body: the top-level `timezone` is a read-only
/// copy of `trigger_config`'s.
fn as_request(mut definition: Value) -> Value {
    if let Some(object) = definition.as_object_mut() {
        object.remove("timezone");
        if object.get("description").is_some_and(Value::is_null) {
            object.remove("description");
        }
    }
    definition
}

/// Make an earlier version's definition the task's current one, as a new version (audited as
/// `restore`, with `restored_from`). It is validated as an update of the current definition:
/// a restored trigger must still have a future occurrence, a restored URL must pass today's
/// egress policy. A version identical to the current definition writes nothing and answers the
/// task as it is.
#[utoipa::path(post, path = "/{uuid}/versions/{version}/restore", tag = "tasks",
    params(
        ("uuid" = String, Path, description = "Task uuid"),
        ("version" = i64, Path, description = "The version to restore", minimum = 1),
    ),
    responses(
        (status = 200, description = "The task after the restore", body = TaskResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such task in your tenant, or it has no such version", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The version's code is now another live task's, or the task changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The version's definition is no longer valid (e.g. its date is past); `errors` names each field", body = Problem, content_type = "application/problem+json"),
    ))]
async fn restore_version(
    State(state): State<AppState>,
    caller: Caller,
    Path((uuid, version)): Path<(String, String)>,
) -> Result<Json<TaskResponse>, ApiError> {
    caller.require_admin()?;
    let uuid = task_uuid(&uuid)?;
    let version = version_number(&version)?;
    let current = load(&state, caller.0.tenant, uuid).await?;
    let stored = load_version(&state, &caller, uuid, version).await?;
    let now = state.clock.now();
    let definition = definition_over(
        &state,
        as_request(stored.definition),
        Some(&current.definition),
        now,
    )
    .map_err(|e| e.at(""))?;
    if definition == current.definition {
        return Ok(Json(current.into()));
    }
    let next_run_at = next_run_over(&current, &definition, now);
    let restored = state
        .store
        .restore_version(
            uuid,
            current.version,
            version,
            definition,
            next_run_at,
            change(&caller, now),
        )
        .await?;
    state.wake.tasks_changed();
    Ok(Json(restored.into()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn diff_lists_changed_added_and_removed_leaves_with_secrets_masked() {
        let from = json!({
            "name": "a", "trigger_config": {"cron": "0 9 * * *", "timezone": "UTC"},
            "task_config": {"url": "https://x", "headers": {"Authorization": "Bearer one-long-secret-1", "X-Old": "o"}}
        });
        let to = json!({
            "name": "a", "trigger_config": {"cron": "0 10 * * *", "timezone": "UTC"},
            "task_config": {"url": "https://x", "headers": {"Authorization": "Bearer two-long-secret-1", "X-New": "n"}}
        });
        let changes = serde_json::to_value(diff(&from, &to)).unwrap();
        assert_eq!(
            changes,
            json!([
                {"field": "task_config.headers.Authorization", "change": "changed",
                 "from_value": "••••-1", "to_value": "••••-1"},
                {"field": "task_config.headers.X-New", "change": "added", "to_value": "n"},
                {"field": "task_config.headers.X-Old", "change": "removed", "from_value": "o"},
                {"field": "trigger_config.cron", "change": "changed",
                 "from_value": "0 9 * * *", "to_value": "0 10 * * *"},
            ])
        );
        assert!(diff(&from, &from).is_empty());
    }
}
