//! `/api/tree-root/scheduled-tasks`: task definitions, their state, runs, logs and versions.

use std::collections::{HashMap, HashSet};

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use domain::{
    RunStatus, RunUuid, Task, TaskDefinition, TaskType, TaskUuid, TenantId, TriggerType,
    ValidationErrors,
};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;
use store::{
    ApplyStep, Change, LogTail, LogWindow, NewTask, RunQuery, TaskQuery, TaskSort, TaskSortField,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::definitions::ApplyResponse;
use crate::auth::Caller;
use crate::dto::*;
use crate::error::Problem;
use crate::etag::{TaggedTask, check_if_match};
use crate::extract::{JsonBody, JsonValue, OptionalJsonValue};
use crate::run_args::{self, RunNowRequest};
use crate::update::{self, UpdateKind};
use crate::{ApiError, AppState, openapi};

/// Largest page a list returns.
pub(crate) const MAX_PAGE_SIZE: u32 = 100;
/// Most uuids one batch delete takes, and most tasks one import takes.
pub(crate) const MAX_BATCH: usize = 1000;
/// Most instants one preview returns.
pub(crate) const MAX_PREVIEW: u32 = 100;
/// Most lines one page of a run's log holds.
pub(crate) const MAX_LOG_PAGE: u32 = 10_000;
/// Lines a page of a run's log holds unless the request says otherwise.
pub(crate) const DEFAULT_LOG_PAGE: u32 = 1_000;
/// What of each run's log `/{uuid}/logs` shows: its newest lines, few enough bytes that a
/// page of 100 runs stays small.
const LIST_TAIL: LogWindow = LogWindow {
    lines: 200,
    bytes: 32 * 1024,
};
/// What of a run's log `/runs/{run_uuid}` shows: its newest lines.
const DETAIL_TAIL: LogWindow = LogWindow {
    lines: 200,
    bytes: 1024 * 1024,
};
/// Most bytes of line text one page of a run's log reads.
const PAGE_BYTES: u64 = 2 * 1024 * 1024;
/// Largest JSON a response carrying log lines builds, whatever the runs stored: lines that
/// would pass it are left out (flagged, or left for the next page).
const LOG_RESPONSE_BUDGET: usize = 4 * 1024 * 1024;

/// The task endpoints: the original nine and the per-task and per-run ones.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_task))
        .routes(routes!(list_tasks))
        .routes(routes!(batch_delete))
        .routes(routes!(import_tasks))
        .routes(routes!(preview))
        .routes(routes!(get_run))
        .routes(routes!(run_log_page))
        .routes(routes!(get_task, update_task, patch_task, delete_task))
        .routes(routes!(start_task))
        .routes(routes!(stop_task))
        .routes(routes!(run_now))
        .routes(routes!(cancel_run))
        .routes(routes!(task_status))
        .routes(routes!(task_logs))
        .routes(routes!(task_runs))
        .routes(routes!(task_versions))
}

/// `POST {prefix}/`: the create route with the trailing slash the original design writes.
pub fn create_with_trailing_slash() -> axum::routing::MethodRouter<AppState> {
    axum::routing::post(create_task)
}

/// A path uuid; one that does not parse cannot exist, so it is a 404 like any unknown one.
pub(crate) fn task_uuid(raw: &str) -> Result<TaskUuid, ApiError> {
    raw.parse().map(TaskUuid).map_err(|_| ApiError::NotFound)
}

/// A run uuid from the path: one that does not parse names no run of the caller (404).
fn parse_run_uuid(raw: &str) -> Result<RunUuid, ApiError> {
    raw.parse().map(RunUuid).map_err(|_| ApiError::NotFound)
}

/// The caller's run, or 404 (another tenant's run included).
async fn load_run(
    state: &AppState,
    tenant: TenantId,
    run: RunUuid,
) -> Result<domain::Run, ApiError> {
    state
        .store
        .get_run(tenant, run)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The next occurrence of an active definition after `now` (`None` when inactive or done).
pub(crate) fn next_run(definition: &TaskDefinition, now: Timestamp) -> Option<Timestamp> {
    definition
        .is_active
        .then(|| schedule::next_after(&definition.trigger, now))
        .flatten()
}

/// Who changes a tenant's tasks, and when, as the store records it.
pub(crate) fn change<'a>(caller: &'a Caller, at: Timestamp) -> Change<'a> {
    Change {
        tenant: caller.0.tenant,
        actor: &caller.0.subject,
        at,
    }
}

/// The caller's task `uuid`, or a 404 (another tenant's task included).
pub(crate) async fn load(
    state: &AppState,
    tenant: TenantId,
    uuid: TaskUuid,
) -> Result<Task, ApiError> {
    state
        .store
        .get_task(tenant, uuid)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Create a task.
#[utoipa::path(post, path = "/", tag = "tasks", request_body = TaskRequest,
    responses(
        (status = 201, description = "Created", body = TaskResponse),
        (status = 400, description = "Malformed JSON or a field that may not be sent", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Duplicate code", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid task; `errors` names each field", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The tenant is at its task quota", body = Problem, content_type = "application/problem+json"),
    ))]
async fn create_task(
    State(state): State<AppState>,
    caller: Caller,
    JsonValue(body): JsonValue,
) -> Result<(StatusCode, Json<TaskResponse>), ApiError> {
    caller.require_admin()?;
    let now = state.clock.now();
    let definition = new_definition(&state, body, now).map_err(|e| e.at(""))?;
    state.quotas.check_room(&state, caller.0.tenant, 1).await?;
    let next_run_at = next_run(&definition, now);
    let task = NewTask {
        uuid: TaskUuid::new_v7(),
        tenant: caller.0.tenant,
        definition,
        next_run_at,
    };
    let created = state.store.create_task(task, change(&caller, now)).await?;
    state.wake.tasks_changed();
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// Why a task definition in a request cannot be taken.
pub(crate) enum Refused {
    /// Fields it may not have (400).
    Fields(Vec<crate::error::UnknownField>),
    /// Every invalid value (422).
    Values(ValidationErrors),
}

impl Refused {
    /// The error, its fields under `prefix` (e.g. `tasks[3]`).
    pub(crate) fn at(self, prefix: &str) -> ApiError {
        match self {
            Refused::Fields(mut fields) => {
                for field in &mut fields {
                    field.field = crate::extract::prefixed(prefix, &field.field);
                }
                ApiError::UnknownFields(fields)
            }
            Refused::Values(errors) if prefix.is_empty() => errors.into(),
            Refused::Values(errors) => errors.prefixed(prefix).into(),
        }
    }
}

impl From<ValidationErrors> for Refused {
    fn from(errors: ValidationErrors) -> Self {
        match crate::error::split_unknown(errors) {
            Ok(errors) => Refused::Values(errors),
            Err(fields) => Refused::Fields(fields),
        }
    }
}

/// A new task's definition from its JSON, as `POST /` and `POST /import` take it: fields it
/// may not have first, else every invalid value at once. A masked secret has no stored value
/// behind it here, so it is refused.
fn new_definition(
    state: &AppState,
    body: Value,
    now: Timestamp,
) -> Result<TaskDefinition, Refused> {
    let Read {
        fields: mut request,
        unknown,
        mut errors,
    } = TaskRequest::read(body);
    if let Some(config) = request.task_config.as_mut() {
        errors.collect(
            domain::secrets::restore_masked(config, None).map_err(|e| e.prefixed("task_config")),
        );
    }
    let definition = request
        .into_definition(errors, now, true, Some(state.egress.as_ref()))
        .map_err(|errors| with_unknown(unknown.clone(), errors))?;
    if !unknown.is_empty() {
        return Err(Refused::Fields(unknown));
    }
    state.quotas.check_limits(&definition, now, true)?;
    Ok(definition)
}

/// The problems of a definition that did not parse: with the fields `unknown` the body
/// may not have, those and the unknown keys its configurations hold (a 400); else every one.
pub(crate) fn with_unknown(
    mut unknown: Vec<crate::error::UnknownField>,
    errors: ValidationErrors,
) -> Refused {
    match Refused::from(errors) {
        Refused::Fields(nested) => {
            unknown.extend(nested);
            Refused::Fields(unknown)
        }
        values if unknown.is_empty() => values,
        Refused::Values(_) => Refused::Fields(unknown),
    }
}

/// Query of `POST /import`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ImportParams {
    /// `create` (the default): create every task. `apply`: create or update by `code`, exactly
    /// as `POST /apply` (which also takes `dry_run` and `prune` then).
    mode: Option<String>,
    /// With `mode=apply`: as `POST /apply`'s.
    #[param(value_type = Option<bool>)]
    dry_run: Option<String>,
    /// With `mode=apply`: as `POST /apply`'s.
    #[param(value_type = Option<bool>)]
    prune: Option<String>,
}

/// Create up to 1,000 tasks in one transaction: all of them, or none. Each is validated exactly
/// like `POST /`; errors name the task, e.g. `tasks[3].trigger_config.seconds`. With
/// `mode=apply` it is `POST /apply` (create or update by `code`).
#[utoipa::path(post, path = "/import", tag = "tasks", request_body = ImportRequest, params(ImportParams),
    responses(
        (status = 201, description = "Created, uuids in request order", body = ImportResponse),
        (status = 200, description = "With `mode=apply`: applied (or, with `dry_run=true`, what would be)", body = ApplyResponse),
        (status = 400, description = "Malformed JSON or a field that may not be sent", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A code is taken, in the tenant or twice in the request", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An invalid task; `errors` names each `tasks[i].field`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The tasks would take the tenant past its task quota", body = Problem, content_type = "application/problem+json"),
    ))]
async fn import_tasks(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
    JsonBody(request): JsonBody<ImportRequest>,
) -> Result<axum::response::Response, ApiError> {
    caller.require_admin()?;
    let params: ImportParams = parse_query(raw.clone())?;
    let mut errors = ValidationErrors::default();
    match params.mode.as_deref() {
        Some("apply") => {
            // The rest of the query is `POST /apply`'s.
            let rest = raw.map(|raw| {
                raw.split('&')
                    .filter(|pair| !pair.starts_with("mode="))
                    .collect::<Vec<_>>()
                    .join("&")
            });
            let applied = super::definitions::apply_tasks(
                State(state),
                caller,
                RawQuery(rest),
                JsonBody(request),
            )
            .await?;
            return Ok(applied.into_response());
        }
        None | Some("create") => {
            for (field, given) in [("dry_run", &params.dry_run), ("prune", &params.prune)] {
                if given.is_some() {
                    errors.push(field, "applies only with mode=apply");
                }
            }
        }
        Some(_) => errors.push("mode", "must be create or apply"),
    }
    if !errors.is_empty() {
        return Err(ApiError::InvalidQuery(errors));
    }
    check_count("tasks", request.tasks.len(), "tasks")?;
    let now = state.clock.now();
    // Every task is read before any is judged: fields they may not have (400) come first.
    let mut unknown = Vec::new();
    let mut errors = ValidationErrors::default();
    let mut tasks = Vec::with_capacity(request.tasks.len());
    let mut alert_items = Vec::new();
    for (i, mut value) in request.tasks.into_iter().enumerate() {
        let prefix = format!("tasks[{i}]");
        let given = super::definitions::take_alerts(
            &mut value,
            &caller,
            now,
            &prefix,
            &mut unknown,
            &mut errors,
        );
        match new_definition(&state, value, now).map_err(|e| e.at(&prefix)) {
            Ok(definition) => {
                let uuid = TaskUuid::new_v7();
                if given.is_given() {
                    alert_items.push(super::definitions::AlertItem {
                        prefix,
                        task: uuid,
                        given,
                    });
                }
                tasks.push(NewTask {
                    uuid,
                    tenant: caller.0.tenant,
                    next_run_at: next_run(&definition, now),
                    definition,
                });
            }
            Err(ApiError::UnknownFields(fields)) => unknown.extend(fields),
            Err(ApiError::Validation(invalid)) => errors.0.extend(invalid.0),
            Err(other) => return Err(other),
        }
    }
    if !unknown.is_empty() {
        return Err(ApiError::UnknownFields(unknown));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    state
        .quotas
        .check_room(&state, caller.0.tenant, tasks.len())
        .await?;
    let uuids: Vec<TaskUuid> = tasks.iter().map(|t| t.uuid).collect();
    let codes: HashMap<String, TaskUuid> = tasks
        .iter()
        .map(|t| (t.definition.code.as_str().to_owned(), t.uuid))
        .collect();
    let alerts = if alert_items.is_empty() {
        Vec::new()
    } else {
        let current = state.store.tenant_alerts(caller.0.tenant).await?;
        super::definitions::plan_alerts(
            &state,
            &caller,
            alert_items,
            &codes,
            &HashSet::new(),
            &current,
        )
        .await?
    };
    if alerts.is_empty() {
        state.store.create_many(tasks, change(&caller, now)).await?;
    } else {
        // One transaction: the tasks, then the chains, deadlines and rules that name them.
        let steps = tasks
            .into_iter()
            .map(ApplyStep::Import)
            .chain(alerts.into_iter().map(ApplyStep::Alerts))
            .collect();
        state
            .store
            .apply_definitions(steps, change(&caller, now))
            .await?;
    }
    state.wake.tasks_changed();
    Ok((
        StatusCode::CREATED,
        Json(ImportResponse {
            created: uuids.len(),
            uuids: uuids.into_iter().map(|u| u.0).collect(),
        }),
    )
        .into_response())
}

/// Query of `GET /list`. Unknown parameters (including `tenant_id`) are ignored.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Page, from 1 (default 1).
    #[param(schema_with = openapi::page_number)]
    page: Option<String>,
    /// Rows per page, 1-100 (default 20).
    #[param(schema_with = openapi::page_size)]
    page_size: Option<String>,
    /// Name or code contains this, case-insensitively.
    keyword: Option<String>,
    /// Name contains this, case-insensitively.
    name: Option<String>,
    /// Code equals this.
    code: Option<String>,
    /// Only tasks of this type.
    #[serde(rename = "type")]
    #[param(rename = "type", schema_with = openapi::type_filter)]
    task_type: Option<String>,
    /// Only tasks with this trigger type.
    #[param(schema_with = openapi::trigger_type_filter)]
    trigger_type: Option<String>,
    /// Only active or only inactive tasks.
    #[param(schema_with = openapi::is_active_filter)]
    is_active: Option<String>,
    /// Only tasks whose latest run ended so, in the design's words.
    #[param(schema_with = openapi::last_run_status_filter)]
    last_run_status: Option<String>,
    /// Only tasks whose latest run ended exactly so.
    #[param(schema_with = openapi::last_run_outcome_filter)]
    last_run_outcome: Option<String>,
    /// A field, `-` in front for descending (default `-created_at`).
    #[param(schema_with = openapi::sort_order)]
    sort: Option<String>,
}

/// A query string read into `T`; one that does not parse is a 400 `invalid_query`.
pub(crate) fn parse_query<T: for<'de> Deserialize<'de> + Default>(
    raw: Option<String>,
) -> Result<T, ApiError> {
    match raw {
        None => Ok(T::default()),
        Some(raw) => serde_urlencoded::from_str(&raw)
            .map_err(|e| ApiError::InvalidQuery(ValidationErrors::one("", e.to_string()))),
    }
}

/// `page` and `page_size` (defaults 1 and 20), their problems added to `errors`.
pub(crate) fn page_params(
    page: Option<&str>,
    page_size: Option<&str>,
    errors: &mut ValidationErrors,
) -> (u32, u32) {
    let page = match page.map(str::parse::<u32>) {
        None => 1,
        Some(Ok(page)) if page >= 1 => page,
        Some(_) => {
            errors.push("page", "must be a whole number from 1");
            1
        }
    };
    let page_size = match page_size.map(str::parse::<u32>) {
        None => 20,
        Some(Ok(size)) if (1..=MAX_PAGE_SIZE).contains(&size) => size,
        Some(_) => {
            errors.push(
                "page_size",
                format!("must be a whole number from 1 to {MAX_PAGE_SIZE}"),
            );
            20
        }
    };
    (page, page_size)
}

/// An optional parameter parsed into `T` (empty counts as absent), its problem added to `errors`.
pub(crate) fn optional<T: std::str::FromStr<Err = String>>(
    raw: Option<&str>,
    field: &str,
    errors: &mut ValidationErrors,
) -> Option<T> {
    raw.filter(|s| !s.is_empty())?
        .parse()
        .map_err(|m| errors.push(field, m))
        .ok()
}

/// The outcomes the latest run of a listed task may have had: those both filters allow.
fn last_run_filter(
    status: Option<&str>,
    outcome: Option<&str>,
    errors: &mut ValidationErrors,
) -> Option<Vec<Option<RunStatus>>> {
    let status = status
        .filter(|s| !s.is_empty())
        .map(|raw| last_run_status_filter(raw).map_err(|m| errors.push("last_run_status", m)));
    let outcome = outcome
        .filter(|s| !s.is_empty())
        .map(|raw| last_run_outcome_filter(raw).map_err(|m| errors.push("last_run_outcome", m)));
    match (status, outcome) {
        (Some(Ok(statuses)), Some(Ok(outcome))) => {
            Some(statuses.into_iter().filter(|s| *s == outcome).collect())
        }
        (Some(Ok(statuses)), None) => Some(statuses),
        (None, Some(Ok(outcome))) => Some(vec![outcome]),
        _ => None,
    }
}

fn parse_sort(raw: Option<&str>, errors: &mut ValidationErrors) -> TaskSort {
    let Some(raw) = raw.filter(|s| !s.is_empty()) else {
        return TaskSort::default();
    };
    let (descending, name) = match raw.strip_prefix('-') {
        Some(name) => (true, name),
        None => (false, raw),
    };
    match TaskSortField::ALL.into_iter().find(|f| f.as_str() == name) {
        Some(field) => TaskSort { field, descending },
        None => {
            let allowed: Vec<String> = TaskSortField::ALL
                .iter()
                .flat_map(|f| [f.as_str().to_owned(), format!("-{}", f.as_str())])
                .collect();
            errors.push(
                "sort",
                format!(
                    "unknown sort {raw:?}; expected one of: {}",
                    allowed.join(", ")
                ),
            );
            TaskSort::default()
        }
    }
}

/// List the tenant's tasks: paged, searched, filtered and sorted.
#[utoipa::path(get, path = "/list", tag = "tasks", params(ListParams),
    responses(
        (status = 200, body = PageResponse<TaskResponse>),
        (status = 400, description = "Invalid query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_tasks(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<PageResponse<TaskResponse>>, ApiError> {
    let params: ListParams = parse_query(raw)?;
    let mut errors = ValidationErrors::default();
    let (page, page_size) = page_params(
        params.page.as_deref(),
        params.page_size.as_deref(),
        &mut errors,
    );
    let is_active = match params.is_active.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => {
            errors.push("is_active", "must be true or false");
            None
        }
    };
    let query = TaskQuery {
        keyword: params.keyword.filter(|s| !s.is_empty()),
        name: params.name.filter(|s| !s.is_empty()),
        code: params.code.filter(|s| !s.is_empty()),
        task_type: optional::<TaskType>(params.task_type.as_deref(), "type", &mut errors),
        trigger_type: optional::<TriggerType>(
            params.trigger_type.as_deref(),
            "trigger_type",
            &mut errors,
        ),
        is_active,
        last_run_status: last_run_filter(
            params.last_run_status.as_deref(),
            params.last_run_outcome.as_deref(),
            &mut errors,
        ),
        sort: parse_sort(params.sort.as_deref(), &mut errors),
        page,
        page_size,
    };
    if !errors.is_empty() {
        return Err(ApiError::InvalidQuery(errors));
    }
    let found = state.store.list_tasks(caller.0.tenant, &query).await?;
    Ok(Json(PageResponse::from_page(found, TaskResponse::from)))
}

/// Get one task, with its version as `ETag`.
#[utoipa::path(get, path = "/{uuid}", tag = "tasks", params(("uuid" = String, Path, description = "Task uuid")),
    responses(
        (status = 200, body = TaskResponse, headers(("ETag" = String, description = "The task's version, quoted: `\"3\"`; send it as `If-Match` to make a write conditional"))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such task in your tenant", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_task(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<TaggedTask, ApiError> {
    let task = load(&state, caller.0.tenant, task_uuid(&uuid)?).await?;
    Ok(TaggedTask(task))
}

/// Update a task: the fields given replace the stored ones, `null` resets an optional one to
/// its default, and a `trigger_config` of the stored trigger type that does not mention
/// `timezone` keeps the stored zone; the next occurrence is recomputed. The representation
/// `GET` returns may be sent back as it is: the fields the server maintains are ignored, and a
/// masked secret keeps the stored value. An update that changes nothing writes nothing and
/// keeps the version.
#[utoipa::path(put, path = "/{uuid}", tag = "tasks", request_body = TaskPatch,
    params(("uuid" = String, Path, description = "Task uuid"),
           ("If-Match" = Option<String>, Header, description = "Apply only if the task is at this `ETag` (or `*`); 412 otherwise")),
    responses(
        (status = 200, body = TaskResponse, headers(("ETag" = String, description = "The task's version after the update, quoted"))),
        (status = 400, description = "Malformed JSON, an unknown field, or a `tenant_id` or `uuid` of another task", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Duplicate code or stale body `version`", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names another version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The updated task would be invalid; `errors` names each field", body = Problem, content_type = "application/problem+json"),
    ))]
async fn update_task(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
    headers: HeaderMap,
    JsonValue(body): JsonValue,
) -> Result<TaggedTask, ApiError> {
    update(state, caller, &uuid, &headers, body, UpdateKind::Replace).await
}

/// Change a task with a JSON Merge Patch (RFC 7396, `application/merge-patch+json`): objects
/// merge at every depth and `null` removes a field (an optional one takes its default, e.g.
/// `{"task_config": {"headers": {"X-A": null}}}` removes one header); the result is validated
/// like a `PUT`.
#[utoipa::path(patch, path = "/{uuid}", tag = "tasks",
    request_body(content = TaskPatch, content_type = "application/merge-patch+json"),
    params(("uuid" = String, Path, description = "Task uuid"),
           ("If-Match" = Option<String>, Header, description = "Apply only if the task is at this `ETag` (or `*`); 412 otherwise")),
    responses(
        (status = 200, body = TaskResponse, headers(("ETag" = String, description = "The task's version after the update, quoted"))),
        (status = 400, description = "Malformed JSON, an unknown field, or a `tenant_id` or `uuid` of another task", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Duplicate code or stale body `version`", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names another version", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/merge-patch+json` (or `application/json`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The patched task would be invalid; `errors` names each field", body = Problem, content_type = "application/problem+json"),
    ))]
async fn patch_task(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
    headers: HeaderMap,
    JsonValue(body): JsonValue,
) -> Result<TaggedTask, ApiError> {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if !matches!(
        media_type.as_deref(),
        Some("application/merge-patch+json" | "application/json")
    ) {
        return Err(ApiError::UnsupportedMediaType);
    }
    update(state, caller, &uuid, &headers, body, UpdateKind::MergePatch).await
}

/// `PUT` and `PATCH`: the body laid over the stored task, validated as a whole like a create
/// (fields it may not have first, else every invalid value), then stored unless it changes
/// nothing.
async fn update(
    state: AppState,
    caller: Caller,
    uuid: &str,
    headers: &HeaderMap,
    body: Value,
    kind: UpdateKind,
) -> Result<TaggedTask, ApiError> {
    caller.require_admin()?;
    let uuid = task_uuid(uuid)?;
    let current = load(&state, caller.0.tenant, uuid).await?;
    let if_match = check_if_match(headers, current.version)?;
    let now = state.clock.now();
    let base = update::base(&current.definition);
    let owner = update::Owner {
        tenant: caller.0.tenant,
        uuid,
    };
    let laid = update::lay_over(kind, body, &base, owner);
    let Read {
        fields: mut request,
        mut unknown,
        errors: read_errors,
    } = TaskRequest::read(laid.merged);
    unknown.splice(0..0, laid.refused);
    let mut errors = laid.errors;
    errors.0.extend(read_errors.0);
    // A masked secret sent back (the client read the task and returns it) keeps the stored one.
    if let Some(config) = request.task_config.as_mut() {
        errors.collect(
            domain::secrets::restore_masked(config, Some(&current.definition.config))
                .map_err(|e| e.prefixed("task_config")),
        );
    }
    let changes_trigger = request.trigger_type.as_deref()
        != base.get("trigger_type").and_then(Value::as_str)
        || request.trigger_config.as_ref() != base.get("trigger_config");
    // The URL is judged when the configuration changes: a task saved under a wider policy
    // can still be renamed (its runs are refused at execution all the same).
    let egress =
        (request.task_config.as_ref() != base.get("task_config")).then_some(state.egress.as_ref());
    let definition = request
        .into_definition(errors, now, changes_trigger, egress)
        .map_err(|errors| with_unknown(unknown.clone(), errors).at(""))?;
    if !unknown.is_empty() {
        return Err(ApiError::UnknownFields(unknown));
    }
    state
        .quotas
        .check_limits(&definition, now, changes_trigger)?;
    let next_run_at = next_run(&definition, now);
    // Activating, or moving the trigger of an active task, is refused as `start` refuses it
    // when nothing would ever fire.
    if definition.is_active
        && next_run_at.is_none()
        && (!current.definition.is_active || changes_trigger)
    {
        return Err(no_future_occurrence());
    }
    let updated = state
        .store
        .update_task(
            uuid,
            laid.version.or(if_match),
            definition,
            next_run_at,
            change(&caller, now),
        )
        .await
        .map_err(|e| match e {
            // Without a body version, only If-Match can have named the version.
            e @ store::StoreError::VersionConflict { .. } if laid.version.is_none() => {
                if_match_failed(e)
            }
            other => other.into(),
        })?;
    if current.definition.is_active && !updated.definition.is_active {
        state.wake.tasks_stopped();
    } else if updated.version != current.version {
        state.wake.tasks_changed();
    }
    Ok(TaggedTask(updated))
}

/// The 422 of a task that is to be active but has no future occurrence.
fn no_future_occurrence() -> ApiError {
    ValidationErrors::one(
        "trigger_config",
        "has no future occurrence; change the trigger to run it again",
    )
    .into()
}

/// Delete a task (soft delete: its code becomes free, its history stays).
#[utoipa::path(delete, path = "/{uuid}", tag = "tasks",
    params(("uuid" = String, Path, description = "Task uuid"),
           ("If-Match" = Option<String>, Header, description = "Delete only if the task is at this `ETag` (or `*`); 412 otherwise")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names another version", body = Problem, content_type = "application/problem+json"),
    ))]
async fn delete_task(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    let uuid = task_uuid(&uuid)?;
    let expected = if headers.contains_key(header::IF_MATCH) {
        let current = load(&state, caller.0.tenant, uuid).await?;
        check_if_match(&headers, current.version)?
    } else {
        None
    };
    state
        .store
        .delete_task(uuid, expected, change(&caller, state.clock.now()))
        .await
        .map_err(if_match_failed)?;
    state.wake.tasks_stopped();
    Ok(StatusCode::NO_CONTENT)
}

/// The answer to a store error of a write whose only expected version came from `If-Match`:
/// a conflict found under the row lock (the task changed after it was read) is a 412.
fn if_match_failed(error: store::StoreError) -> ApiError {
    match error {
        store::StoreError::VersionConflict { current, .. } => {
            ApiError::PreconditionFailed { current }
        }
        other => other.into(),
    }
}

/// Delete several tasks. Uuids that are unknown (or another tenant's) are ignored.
#[utoipa::path(post, path = "/batch-delete", tag = "tasks", request_body = BatchDeleteRequest,
    responses(
        (status = 200, body = BatchDeleteResponse),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
async fn batch_delete(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<BatchDeleteRequest>,
) -> Result<Json<BatchDeleteResponse>, ApiError> {
    caller.require_admin()?;
    check_count("uuids", request.uuids.len(), "uuids")?;
    let uuids: Vec<TaskUuid> = request.uuids.into_iter().map(TaskUuid).collect();
    let deleted = state
        .store
        .delete_tasks(&uuids, change(&caller, state.clock.now()))
        .await?;
    state.wake.tasks_stopped();
    Ok(Json(BatchDeleteResponse {
        deleted: deleted.len(),
    }))
}

/// A list of 1 to [`MAX_BATCH`] items, or a 422 naming `field`.
pub(crate) fn check_count(field: &str, count: usize, items: &str) -> Result<(), ApiError> {
    if count == 0 {
        return Err(
            ValidationErrors::one(field, format!("must hold at least 1 of the {items}")).into(),
        );
    }
    if count > MAX_BATCH {
        return Err(ValidationErrors::one(field, format!("at most {MAX_BATCH} {items}")).into());
    }
    Ok(())
}

async fn set_active(
    state: &AppState,
    caller: &Caller,
    uuid: &str,
    headers: &HeaderMap,
    active: bool,
) -> Result<Task, ApiError> {
    caller.require_operator()?;
    let uuid = task_uuid(uuid)?;
    let current = load(state, caller.0.tenant, uuid).await?;
    let expected = check_if_match(headers, current.version)?;
    let now = state.clock.now();
    // Starting resumes from now: occurrences of the stopped period are not caught up.
    let next_run_at = if active {
        let next = schedule::next_after(&current.definition.trigger, now);
        if next.is_none() {
            return Err(no_future_occurrence());
        }
        next
    } else {
        None
    };
    let task = state
        .store
        .set_active(uuid, expected, active, next_run_at, change(caller, now))
        .await
        .map_err(if_match_failed)?;
    if active {
        state.wake.tasks_changed();
    } else {
        state.wake.tasks_stopped();
    }
    Ok(task)
}

/// Start a task: it fires again from now on (no catch-up of the stopped period).
#[utoipa::path(post, path = "/{uuid}/start", tag = "tasks",
    params(("uuid" = String, Path, description = "Task uuid"),
           ("If-Match" = Option<String>, Header, description = "Start only if the task is at this `ETag` (or `*`); 412 otherwise")),
    responses(
        (status = 200, body = TaskResponse, headers(("ETag" = String, description = "The task's version, quoted"))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names another version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The trigger has no future occurrence", body = Problem, content_type = "application/problem+json"),
    ))]
async fn start_task(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
    headers: HeaderMap,
) -> Result<TaggedTask, ApiError> {
    set_active(&state, &caller, &uuid, &headers, true)
        .await
        .map(TaggedTask)
}

/// Query of `POST /{uuid}/stop`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct StopParams {
    /// `true`: also ask the task's running runs to stop (they end `cancelled`); default
    /// `false`: running runs finish.
    #[param(schema_with = openapi::cancel_running)]
    cancel_running: Option<String>,
}

/// Stop a task: it no longer fires and its queued runs are cancelled; running runs finish, or
/// are cancelled with `?cancel_running=true`.
#[utoipa::path(post, path = "/{uuid}/stop", tag = "tasks",
    params(("uuid" = String, Path, description = "Task uuid"), StopParams,
           ("If-Match" = Option<String>, Header, description = "Stop only if the task is at this `ETag` (or `*`); 412 otherwise")),
    responses(
        (status = 200, body = TaskResponse, headers(("ETag" = String, description = "The task's version, quoted"))),
        (status = 400, description = "Invalid query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names another version", body = Problem, content_type = "application/problem+json"),
    ))]
async fn stop_task(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<TaggedTask, ApiError> {
    let params: StopParams = parse_query(raw)?;
    let cancel_running = match params.cancel_running.as_deref() {
        None | Some("" | "false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(ApiError::InvalidQuery(ValidationErrors::one(
                "cancel_running",
                "must be true or false",
            )));
        }
    };
    let task = set_active(&state, &caller, &uuid, &headers, false).await?;
    if cancel_running && state.store.cancel_running(task.tenant, task.uuid).await? > 0 {
        state.wake.cancel_requested();
    }
    Ok(TaggedTask(task))
}

/// Run a task now: queue a manual run at once, whatever its schedule and active state,
/// optionally with arguments for that run in place of the task's own.
#[utoipa::path(post, path = "/{uuid}/run", tag = "runs", params(("uuid" = String, Path, description = "Task uuid")),
    request_body(content = Option<RunNowRequest>, description = "Optional; no body or `{}` runs the task as configured"),
    responses(
        (status = 202, description = "Queued", body = RunResponse),
        (status = 400, description = "Malformed JSON or a field other than `args`", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`args` is not a JSON object, is too large, or the task cannot take arguments", body = Problem, content_type = "application/problem+json"),
    ))]
async fn run_now(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
    OptionalJsonValue(body): OptionalJsonValue,
) -> Result<(StatusCode, Json<RunResponse>), ApiError> {
    caller.require_operator()?;
    let uuid = task_uuid(&uuid)?;
    let args = match body {
        None => None,
        Some(body) => {
            let task = load(&state, caller.0.tenant, uuid).await?;
            run_args::parse(body, &task.definition.config)?
        }
    };
    let run = state
        .store
        .enqueue_manual_with_args(
            caller.0.tenant,
            uuid,
            args.as_ref(),
            &caller.0.subject,
            state.clock.now(),
        )
        .await?;
    state.wake.runs_queued();
    Ok((StatusCode::ACCEPTED, Json(run.into())))
}

/// Cancel a run: a queued run is cancelled at once; a running one is asked to stop (its worker
/// cancels the attempt within a heartbeat) and is returned still `running`. A finished run is
/// returned unchanged.
#[utoipa::path(post, path = "/runs/{run_uuid}/cancel", tag = "runs", params(("run_uuid" = String, Path, description = "Run uuid")),
    responses(
        (status = 200, body = RunResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn cancel_run(
    State(state): State<AppState>,
    caller: Caller,
    Path(run_uuid): Path<String>,
) -> Result<Json<RunResponse>, ApiError> {
    caller.require_operator()?;
    let run_uuid = parse_run_uuid(&run_uuid)?;
    let run = state
        .store
        .cancel_run(
            caller.0.tenant,
            run_uuid,
            &caller.0.subject,
            state.clock.now(),
        )
        .await?;
    if run.status == RunStatus::Running {
        state.wake.cancel_requested();
    }
    Ok(Json(run.into()))
}

/// Execution state of a task: next and last run, the current and latest run, counts by state.
#[utoipa::path(get, path = "/{uuid}/status", tag = "runs", params(("uuid" = String, Path, description = "Task uuid")),
    responses(
        (status = 200, body = StatusResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn task_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Json<StatusResponse>, ApiError> {
    let tenant = caller.0.tenant;
    let task = load(&state, tenant, task_uuid(&uuid)?).await?;
    let newest = |status| RunQuery {
        status,
        run_uuid: None,
        page: 1,
        page_size: 1,
    };
    let latest_run = state
        .store
        .list_runs(tenant, task.uuid, &newest(None))
        .await?
        .items
        .pop();
    let current_run = state
        .store
        .list_runs(tenant, task.uuid, &newest(Some(RunStatus::Running)))
        .await?
        .items
        .pop();
    let stats = state.store.run_stats(tenant, task.uuid).await?;
    Ok(Json(StatusResponse {
        is_active: task.definition.is_active,
        is_running: task.is_running,
        next_run_at: task.next_run_at,
        last_run_at: task.last_run_at,
        last_run_status: task.last_run_status.and_then(last_run_status),
        last_run_outcome: task.last_run_status.and_then(last_run_outcome),
        last_error: task.last_error,
        current_run: current_run.map(Into::into),
        latest_run: latest_run.map(Into::into),
        stats: stats.into(),
    }))
}

/// Query of run lists.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct RunParams {
    /// Page, from 1 (default 1).
    #[param(schema_with = openapi::page_number)]
    page: Option<String>,
    /// Rows per page, 1-100 (default 20).
    #[param(schema_with = openapi::page_size)]
    page_size: Option<String>,
    /// Only runs in this state.
    #[param(schema_with = openapi::run_status_filter)]
    status: Option<String>,
    /// Only this run.
    #[param(schema_with = openapi::run_uuid_filter)]
    run_uuid: Option<String>,
}

/// Query of `GET /{uuid}/versions`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PageParams {
    /// Page, from 1 (default 1).
    #[param(schema_with = openapi::page_number)]
    page: Option<String>,
    /// Rows per page, 1-100 (default 20).
    #[param(schema_with = openapi::page_size)]
    page_size: Option<String>,
}

fn run_query(raw: Option<String>) -> Result<RunQuery, ApiError> {
    let params: RunParams = parse_query(raw)?;
    let mut errors = ValidationErrors::default();
    let (page, page_size) = page_params(
        params.page.as_deref(),
        params.page_size.as_deref(),
        &mut errors,
    );
    let status = optional::<RunStatus>(params.status.as_deref(), "status", &mut errors);
    let run_uuid = match params.run_uuid.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => raw
            .parse()
            .map(RunUuid)
            .map_err(|_| errors.push("run_uuid", "must be a uuid"))
            .ok(),
    };
    if errors.is_empty() {
        Ok(RunQuery {
            status,
            run_uuid,
            page,
            page_size,
        })
    } else {
        Err(ApiError::InvalidQuery(errors))
    }
}

/// Runs of a task, newest first, each with its newest log lines (at most 200, `logs_truncated`
/// when it has more).
#[utoipa::path(get, path = "/{uuid}/logs", tag = "runs", params(("uuid" = String, Path, description = "Task uuid"), RunParams),
    responses(
        (status = 200, body = PageResponse<RunResponse>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn task_logs(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<PageResponse<RunResponse>>, ApiError> {
    let tenant = caller.0.tenant;
    let uuid = task_uuid(&uuid)?;
    let query = run_query(raw)?;
    let runs = state.store.list_runs(tenant, uuid, &query).await?;
    let uuids: Vec<RunUuid> = runs.items.iter().map(|run| run.uuid).collect();
    let tails = state.store.log_tails(tenant, &uuids, LIST_TAIL).await?;
    let mut page = PageResponse::from_page(runs, RunResponse::from);
    let mut budget = fit_results(&mut page.items);
    // Newest runs first: when the budget runs short, older runs show fewer lines.
    for (run, tail) in page.items.iter_mut().zip(tails) {
        attach_tail(run, tail, &mut budget);
    }
    Ok(Json(page))
}

/// Keeps a page of runs (newest first) within [`LOG_RESPONSE_BUDGET`]: once the runs so far
/// fill it, the older runs' results are left out (`result_omitted`), then their arguments
/// (`args_omitted`), so a page of runs with large python results or run arguments stays
/// bounded too. Returns what is left of the budget.
pub(crate) fn fit_results(runs: &mut [RunResponse]) -> usize {
    let mut budget = LOG_RESPONSE_BUDGET;
    for run in runs {
        let mut size = json_size(run) + 1;
        if size > budget && run.result.is_some() {
            run.result = None;
            run.result_omitted = Some(true);
            size = json_size(run) + 1;
        }
        if size > budget && run.args.is_some() {
            run.args = None;
            run.args_omitted = Some(true);
            size = json_size(run) + 1;
        }
        budget = budget.saturating_sub(size);
    }
    budget
}

/// Bytes of `value` as JSON, counted without building it.
fn json_size(value: &impl serde::Serialize) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Plain data always serializes; a failure would only under-count to zero.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

/// Gives `run` the newest lines of `tail` whose JSON fits in `budget`, and spends it.
fn attach_tail(run: &mut RunResponse, tail: LogTail, budget: &mut usize) {
    let mut truncated = tail.truncated;
    let mut lines = Vec::with_capacity(tail.lines.len());
    for line in tail.lines.into_iter().rev() {
        let line = LogLineResponse::from(line);
        // The separating comma.
        let size = json_size(&line) + 1;
        if size > *budget {
            truncated = true;
            break;
        }
        *budget -= size;
        lines.push(line);
    }
    lines.reverse();
    run.logs = Some(lines);
    run.logs_truncated = Some(truncated);
}

/// Runs of a task, newest first.
#[utoipa::path(get, path = "/{uuid}/runs", tag = "runs", params(("uuid" = String, Path, description = "Task uuid"), RunParams),
    responses(
        (status = 200, body = PageResponse<RunResponse>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn task_runs(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<PageResponse<RunResponse>>, ApiError> {
    let query = run_query(raw)?;
    let runs = state
        .store
        .list_runs(caller.0.tenant, task_uuid(&uuid)?, &query)
        .await?;
    let mut page = PageResponse::from_page(runs, RunResponse::from);
    fit_results(&mut page.items);
    Ok(Json(page))
}

/// One run with its newest log lines (at most 200, `logs_truncated` when it has more).
#[utoipa::path(get, path = "/runs/{run_uuid}", tag = "runs", params(("run_uuid" = String, Path, description = "Run uuid")),
    responses(
        (status = 200, body = RunResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_run(
    State(state): State<AppState>,
    caller: Caller,
    Path(run_uuid): Path<String>,
) -> Result<Json<RunResponse>, ApiError> {
    let run_uuid = parse_run_uuid(&run_uuid)?;
    let tenant = caller.0.tenant;
    let run = load_run(&state, tenant, run_uuid).await?;
    let tail = state
        .store
        .log_tails(tenant, &[run_uuid], DETAIL_TAIL)
        .await?
        .pop()
        .unwrap_or_default();
    let mut response = RunResponse::from(run);
    let mut budget = LOG_RESPONSE_BUDGET.saturating_sub(json_size(&response));
    attach_tail(&mut response, tail, &mut budget);
    Ok(Json(response))
}

/// Query of `GET /runs/{run_uuid}/logs`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct LogPageParams {
    /// Lines after this cursor (default 0: from the start).
    #[param(schema_with = openapi::after_seq)]
    after_seq: Option<String>,
    /// Most lines, 1-10000 (default 1000).
    #[param(schema_with = openapi::log_page_limit)]
    limit: Option<String>,
}

/// The whole log of one run, a page at a time, in the order it was written. Start with no
/// `after_seq` and pass each page's `next_after_seq` to the next request; to follow a live run,
/// ask again with the same cursor until `status` is final and `has_more` is false.
#[utoipa::path(get, path = "/runs/{run_uuid}/logs", tag = "runs", params(("run_uuid" = String, Path, description = "Run uuid"), LogPageParams),
    responses(
        (status = 200, body = RunLogPageResponse),
        (status = 400, description = "`after_seq` or `limit` is invalid; `errors` names it", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn run_log_page(
    State(state): State<AppState>,
    caller: Caller,
    Path(run_uuid): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<RunLogPageResponse>, ApiError> {
    let params: LogPageParams = parse_query(raw)?;
    let mut errors = ValidationErrors::default();
    let after = match params.after_seq.as_deref().filter(|s| !s.is_empty()) {
        None => 0,
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|after| *after >= 0)
            .unwrap_or_else(|| {
                errors.push("after_seq", "must be a whole number from 0");
                0
            }),
    };
    let limit = match params.limit.as_deref().filter(|s| !s.is_empty()) {
        None => DEFAULT_LOG_PAGE,
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|limit| (1..=MAX_LOG_PAGE).contains(limit))
            .unwrap_or_else(|| {
                errors.push(
                    "limit",
                    format!("must be a whole number from 1 to {MAX_LOG_PAGE}"),
                );
                DEFAULT_LOG_PAGE
            }),
    };
    if !errors.is_empty() {
        return Err(ApiError::InvalidQuery(errors));
    }
    let run_uuid = parse_run_uuid(&run_uuid)?;
    let tenant = caller.0.tenant;
    let run = load_run(&state, tenant, run_uuid).await?;
    let window = LogWindow {
        lines: limit,
        bytes: PAGE_BYTES,
    };
    let page = state
        .store
        .log_page(tenant, run_uuid, after, window)
        .await?;
    let mut response = RunLogPageResponse {
        run_uuid: run_uuid.0,
        status: run.status.as_str().to_owned(),
        lines: Vec::with_capacity(page.lines.len()),
        next_after_seq: after,
        has_more: page.has_more,
    };
    let mut budget = LOG_RESPONSE_BUDGET.saturating_sub(json_size(&response));
    for paged in page.lines {
        let mut line = LogLineResponse::from(paged.line);
        let mut size = json_size(&line) + 1;
        if size > budget {
            if !response.lines.is_empty() {
                response.has_more = true;
                break;
            }
            // One line too long for any page: shown cut rather than blocking the log.
            cut_to_fit(&mut line.line, budget / 2);
            size = json_size(&line) + 1;
        }
        budget = budget.saturating_sub(size);
        response.next_after_seq = paged.cursor;
        response.lines.push(line);
    }
    Ok(Json(response))
}

/// Shortens `text` to at most `max` bytes of JSON string content, at a character boundary,
/// saying so at its end.
fn cut_to_fit(text: &mut String, max: usize) {
    const NOTE: &str = " [line cut: too long to show]";
    // Every character costs at most 6 bytes escaped.
    let mut end = (max.saturating_sub(NOTE.len()) / 6).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push_str(NOTE);
}

/// Version history of a task, newest first: the definition after each change, with who and when.
#[utoipa::path(get, path = "/{uuid}/versions", tag = "tasks", params(("uuid" = String, Path, description = "Task uuid"), PageParams),
    responses(
        (status = 200, body = PageResponse<VersionResponse>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn task_versions(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<PageResponse<VersionResponse>>, ApiError> {
    let params: PageParams = parse_query(raw)?;
    let mut errors = ValidationErrors::default();
    let (page, page_size) = page_params(
        params.page.as_deref(),
        params.page_size.as_deref(),
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(ApiError::InvalidQuery(errors));
    }
    let versions = state
        .store
        .task_versions(caller.0.tenant, task_uuid(&uuid)?, page, page_size)
        .await?;
    Ok(Json(PageResponse::from_page(
        versions,
        VersionResponse::from,
    )))
}

/// The next instants of any trigger, computed by the engine's own schedule code.
#[utoipa::path(post, path = "/preview", tag = "tasks", request_body = PreviewRequest,
    responses(
        (status = 200, body = PreviewResponse),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
async fn preview(
    State(state): State<AppState>,
    _caller: Caller,
    JsonBody(request): JsonBody<PreviewRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let mut errors = ValidationErrors::default();
    let count = request.count.unwrap_or(5);
    if !(1..=MAX_PREVIEW).contains(&count) {
        errors.push("count", format!("must be between 1 and {MAX_PREVIEW}"));
    }
    let from = match request.from.as_deref() {
        None => Some(state.clock.now()),
        Some(raw) => raw
            .parse::<Timestamp>()
            .map_err(|_| {
                "must be an RFC 3339 instant with an offset, e.g. 2026-03-08T00:00:00Z".to_owned()
            })
            .and_then(|from| domain::trigger::check_supported_instant(from).map(|()| from))
            .map_err(|message| errors.push("from", message))
            .ok(),
    };
    let trigger = match request.trigger_type.parse::<TriggerType>() {
        Ok(tt) => errors.collect(
            domain::Trigger::parse(tt, &request.trigger_config)
                .and_then(|trigger| trigger.check_bounds().map(|()| trigger))
                .map_err(|e| e.prefixed("trigger_config")),
        ),
        Err(message) => {
            errors.push("trigger_type", message);
            None
        }
    };
    match (trigger, from) {
        (Some(trigger), Some(from)) if errors.is_empty() => {
            let trigger = trigger.anchored_at(from);
            Ok(Json(PreviewResponse {
                timezone: trigger.timezone_name().to_owned(),
                occurrences: schedule::preview(&trigger, from, count as usize),
            }))
        }
        _ => Err(errors.into()),
    }
}
