//! `GET /export` and `POST /apply`: a tenant's task definitions as a set, for backups,
//! copies between tenants or deployments, and definitions kept in version control.

use std::collections::{BTreeMap, HashMap};

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::IntoResponse;
use domain::{Task, TaskConfig, TaskDefinition, TaskUuid, TriggerKind, ValidationErrors};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::{ApplyStep, NewTask, TaskQuery, TaskSort, TaskSortField};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::dto::{ImportRequest, Read, TaskRequest};
use crate::error::Problem;
use crate::extract::JsonBody;
use crate::routes::tasks::{
    MAX_BATCH, Refused, change, check_count, next_run, parse_query, with_unknown,
};
use crate::{ApiError, AppState, TASKS_PREFIX};

/// Export and apply: `GET /export`, `POST /apply`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(export_tasks))
        .routes(routes!(apply_tasks))
}

/// Query of `GET /export`. Unknown parameters are ignored.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ExportParams {
    /// Page, from 1 (default 1).
    #[param(value_type = Option<u32>, minimum = 1)]
    page: Option<String>,
    /// Tasks per page, 1-1000 (default 1000: the most one import or apply takes).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    page_size: Option<String>,
    /// Only the task with this code.
    code: Option<String>,
}

/// Task definitions, exactly as `POST /import` and `POST /apply` take them.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportResponse {
    /// The definitions, ordered by code. Secret header and query values are masked as in
    /// `GET /{uuid}`.
    #[schema(value_type = Vec<TaskRequest>)]
    pub tasks: Vec<Value>,
}

/// A task's definition as a create takes it: what `GET /{uuid}` shows minus the fields the
/// server maintains, secrets masked the same way.
fn exported(definition: &TaskDefinition) -> Value {
    let mut value = definition.to_json();
    if let Some(object) = value.as_object_mut() {
        // The zone is part of `trigger_config`; the top-level copy is read-only.
        object.remove("timezone");
        if object.get("description").is_some_and(Value::is_null) {
            object.remove("description");
        }
        if let Some(config) = object.get_mut("task_config") {
            domain::secrets::mask_config_json(config);
        }
    }
    value
}

/// A whole number query parameter in `range`, `default` when absent.
fn whole(
    raw: Option<&str>,
    field: &str,
    range: std::ops::RangeInclusive<u32>,
    default: u32,
    errors: &mut ValidationErrors,
) -> u32 {
    match raw.filter(|s| !s.is_empty()).map(str::parse::<u32>) {
        None => default,
        Some(Ok(n)) if range.contains(&n) => n,
        Some(_) => {
            let message = if *range.end() == u32::MAX {
                format!("must be a whole number from {}", range.start())
            } else {
                format!(
                    "must be a whole number from {} to {}",
                    range.start(),
                    range.end()
                )
            };
            errors.push(field, message);
            default
        }
    }
}

/// The tenant's definitions, ordered by code, a page at a time; each page is a body
/// `POST /import` and `POST /apply` accept as it is. Secret header and query values are masked
/// exactly as `GET /{uuid}` masks them: applying the export back keeps the stored secrets,
/// while importing it elsewhere needs the real values put in. `X-Total-Count` gives the
/// number of tasks; `Link` (`rel="next"`) the next page while there is one.
#[utoipa::path(get, path = "/export", tag = "tasks", params(ExportParams),
    responses(
        (status = 200, body = ExportResponse,
            headers(
                ("X-Total-Count" = u64, description = "Tasks in the whole export"),
                ("Link" = String, description = "`<…>; rel=\"next\"`: the next page, while there is one")
            )),
        (status = 400, description = "Invalid query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
async fn export_tasks(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let params: ExportParams = parse_query(raw)?;
    let mut errors = ValidationErrors::default();
    let page = whole(params.page.as_deref(), "page", 1..=u32::MAX, 1, &mut errors);
    let max = MAX_BATCH as u32;
    let page_size = whole(
        params.page_size.as_deref(),
        "page_size",
        1..=max,
        max,
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(ApiError::InvalidQuery(errors));
    }
    let code = params.code.filter(|s| !s.is_empty());
    let query = TaskQuery {
        code: code.clone(),
        sort: by_code(),
        page,
        page_size,
        ..TaskQuery::default()
    };
    let found = state.store.list_tasks(caller.0.tenant, &query).await?;
    let mut headers = HeaderMap::new();
    headers.insert("x-total-count", HeaderValue::from(found.total));
    if u64::from(page) * u64::from(page_size) < found.total {
        let mut query = vec![
            ("page", (page + 1).to_string()),
            ("page_size", page_size.to_string()),
        ];
        if let Some(code) = code {
            query.push(("code", code));
        }
        let next = serde_urlencoded::to_string(&query).unwrap_or_default();
        if let Ok(link) =
            HeaderValue::from_str(&format!("<{TASKS_PREFIX}/export?{next}>; rel=\"next\""))
        {
            headers.insert(header::LINK, link);
        }
    }
    let tasks = found
        .items
        .iter()
        .map(|task| exported(&task.definition))
        .collect();
    Ok((headers, Json(ExportResponse { tasks })))
}

fn by_code() -> TaskSort {
    TaskSort {
        field: TaskSortField::Code,
        descending: false,
    }
}

/// Query of `POST /apply`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ApplyParams {
    /// `true`: answer what would happen, change nothing (default `false`).
    #[param(value_type = Option<bool>)]
    dry_run: Option<String>,
    /// `true`: also delete the live tasks whose code is not in the request (default `false`:
    /// they are left alone).
    #[param(value_type = Option<bool>)]
    prune: Option<String>,
}

/// What apply did, or would do, to one code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplyAction {
    /// No live task had the code: created.
    Created,
    /// The task's definition differed: replaced, as a new version.
    Updated,
    /// The task's definition was the same: nothing written, version kept.
    Unchanged,
    /// The task's code was not in the request, and `prune=true`: deleted.
    Deleted,
}

/// One code's outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplyResult {
    /// The task's code.
    pub code: String,
    /// What happened to it.
    pub action: ApplyAction,
    /// The task; null for a dry run's `created` (no task exists yet).
    #[schema(value_type = Option<String>, format = Uuid, required = true)]
    pub uuid: Option<uuid::Uuid>,
}

/// The outcome of an apply: per code, in request order, then the deleted tasks by code.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplyResponse {
    /// Whether this was a dry run (nothing was written).
    pub dry_run: bool,
    /// Tasks created.
    pub created: usize,
    /// Tasks updated.
    pub updated: usize,
    /// Tasks left as they were.
    pub unchanged: usize,
    /// Tasks deleted.
    pub deleted: usize,
    /// Each code's outcome.
    pub results: Vec<ApplyResult>,
}

/// A `true`/`false` query flag.
fn flag(raw: Option<&str>, field: &str, errors: &mut ValidationErrors) -> bool {
    match raw {
        None | Some("" | "false") => false,
        Some("true") => true,
        Some(_) => {
            errors.push(field, "must be true or false");
            false
        }
    }
}

/// The tenant's live tasks an apply concerns, by code: those of `codes`, or with `prune`
/// every one (the ones not named are to be deleted).
async fn live_tasks(
    state: &AppState,
    caller: &Caller,
    codes: &[String],
    prune: bool,
) -> Result<BTreeMap<String, Task>, ApiError> {
    let tenant = caller.0.tenant;
    let keyed = |tasks: Vec<Task>| {
        tasks
            .into_iter()
            .map(|task| (task.definition.code.as_str().to_owned(), task))
    };
    if !prune {
        let tasks = state.store.live_tasks_with_codes(tenant, codes).await?;
        return Ok(keyed(tasks).collect());
    }
    let mut tasks = BTreeMap::new();
    let mut query = TaskQuery {
        sort: by_code(),
        page: 1,
        page_size: MAX_BATCH as u32,
        ..TaskQuery::default()
    };
    loop {
        let page = state.store.list_tasks(tenant, &query).await?;
        let last = page.items.len() < MAX_BATCH;
        tasks.extend(keyed(page.items));
        if last {
            return Ok(tasks);
        }
        query.page += 1;
    }
}

/// An interval trigger sent without `start_at` keeps the anchor the task has: the server
/// chose it at creation, so a definition file need not carry it to stay unchanged.
fn keep_interval_anchor(request: &mut TaskRequest, current: &TaskDefinition) {
    let TriggerKind::Interval { .. } = current.trigger.kind else {
        return;
    };
    if request.trigger_type.as_deref() != Some("interval") {
        return;
    }
    let Some(Value::Object(config)) = request.trigger_config.as_mut() else {
        return;
    };
    if let (false, Some(start)) = (
        config.contains_key("start_at"),
        current.trigger.to_config_json().get("start_at").cloned(),
    ) {
        config.insert("start_at".into(), start);
    }
}

/// A whole definition from `body`, as it would replace `current` (`None`: a new task). It is
/// validated like a create: fields left out take their defaults. The trigger is judged (future
/// occurrence, bounds, tenant minimum interval) and the URL against the egress policy only
/// when they differ from `current`'s, as an update judges them, and turning a task on that
/// has no future occurrence is refused as `POST /start` refuses it; a masked secret stands for
/// `current`'s stored value, and for a new task is an error naming the header.
pub(crate) fn definition_over(
    state: &AppState,
    body: Value,
    current: Option<&TaskDefinition>,
    now: Timestamp,
) -> Result<TaskDefinition, Refused> {
    let Read {
        fields: mut request,
        unknown,
        mut errors,
    } = TaskRequest::read(body);
    if let Some(current) = current {
        keep_interval_anchor(&mut request, current);
    }
    if let Some(config) = request.task_config.as_mut() {
        errors.collect(
            domain::secrets::restore_masked(config, current.map(|c| &c.config))
                .map_err(|e| e.prefixed("task_config")),
        );
    }
    let new = current.is_none();
    let definition = request
        .into_definition(errors, now, new, new.then_some(state.egress.as_ref()))
        .map_err(|errors| with_unknown(unknown.clone(), errors))?;
    if !unknown.is_empty() {
        return Err(Refused::Fields(unknown));
    }
    let trigger_changed = current.is_none_or(|c| c.trigger != definition.trigger);
    if let Some(current) = current {
        let mut errors = ValidationErrors::default();
        if trigger_changed {
            let trigger = &definition.trigger;
            errors.collect(
                trigger
                    .check_not_expired(now)
                    .and_then(|()| trigger.check_bounds())
                    .map_err(|e| e.prefixed("trigger_config")),
            );
        }
        // Turning a task on that has nothing left to fire is refused, as `POST /start` refuses it.
        if definition.is_active
            && !current.is_active
            && !trigger_changed
            && schedule::next_after(&definition.trigger, now).is_none()
        {
            errors.push(
                "trigger_config",
                "has no future occurrence; change the trigger to run it again",
            );
        }
        if let TaskConfig::ApiCall(api) = &definition.config
            && definition.config != current.config
            && let Some(reason) = state.egress.refuse_url(&api.url)
        {
            errors.push(
                "task_config.url",
                format!("is refused by the egress policy: {reason}"),
            );
        }
        if !errors.is_empty() {
            return Err(Refused::Values(errors));
        }
    }
    state
        .quotas
        .check_limits(&definition, now, trigger_changed)?;
    Ok(definition)
}

/// The next occurrence of `definition` replacing `current`: kept when neither the trigger nor
/// the active state changes (an edit of a name does not move or drop a due occurrence), else
/// computed from now.
pub(crate) fn next_run_over(
    current: &Task,
    definition: &TaskDefinition,
    now: Timestamp,
) -> Option<Timestamp> {
    let old = &current.definition;
    if old.trigger == definition.trigger && old.is_active == definition.is_active {
        current.next_run_at
    } else {
        next_run(definition, now)
    }
}

/// Create or update the tenant's tasks by `code`, all or nothing in one transaction: a code no
/// live task has is created; a task whose definition differs is updated (one new version); an
/// identical one is left alone (no version, no audit entry). Each item is a whole definition,
/// validated like `POST /` (fields left out take their defaults); a masked secret keeps the
/// stored value (on a create it is a 422 naming the header). With `prune=true` the live tasks
/// whose code is not in the request are deleted; with `dry_run=true` nothing is written.
/// Errors name every problem, `tasks[i].<field>`.
#[utoipa::path(post, path = "/apply", tag = "tasks", request_body = ImportRequest, params(ApplyParams),
    responses(
        (status = 200, description = "Applied (or, with `dry_run=true`, what would be)", body = ApplyResponse),
        (status = 400, description = "Malformed JSON, a field that may not be sent, or an invalid query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A task changed while the apply ran, or a code was taken meanwhile; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid definitions; `errors` names each `tasks[i].field`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The creates would take the tenant past its task quota", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn apply_tasks(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
    JsonBody(request): JsonBody<ImportRequest>,
) -> Result<Json<ApplyResponse>, ApiError> {
    caller.require_admin()?;
    let params: ApplyParams = parse_query(raw)?;
    let mut errors = ValidationErrors::default();
    let dry_run = flag(params.dry_run.as_deref(), "dry_run", &mut errors);
    let prune = flag(params.prune.as_deref(), "prune", &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::InvalidQuery(errors));
    }
    check_count("tasks", request.tasks.len(), "tasks")?;
    let now = state.clock.now();
    let codes: Vec<String> = request
        .tasks
        .iter()
        .filter_map(|task| task.get("code").and_then(Value::as_str).map(str::to_owned))
        .collect();
    let mut live = live_tasks(&state, &caller, &codes, prune).await?;

    // Every item is read before any is judged: fields they may not have (400) come first.
    let mut unknown = Vec::new();
    let mut first_index: HashMap<String, usize> = HashMap::new();
    let mut planned = Vec::with_capacity(request.tasks.len());
    for (i, value) in request.tasks.into_iter().enumerate() {
        let prefix = format!("tasks[{i}]");
        let code = value.get("code").and_then(Value::as_str).map(str::to_owned);
        if let Some(code) = &code
            && let Some(first) = first_index.insert(code.clone(), i)
        {
            errors.push(
                format!("{prefix}.code"),
                format!("is given twice in the request (also tasks[{first}])"),
            );
            first_index.insert(code.clone(), first);
        }
        let current = code.as_deref().and_then(|code| live.get(code));
        match definition_over(&state, value, current.map(|t| &t.definition), now)
            .map_err(|e| e.at(&prefix))
        {
            Ok(definition) => planned.push(definition),
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

    let mut steps = Vec::new();
    let mut results = Vec::with_capacity(planned.len());
    for definition in planned {
        let code = definition.code.as_str().to_owned();
        let (action, uuid) = match live.remove(&code) {
            Some(task) if task.definition == definition => (ApplyAction::Unchanged, task.uuid),
            Some(task) => {
                steps.push(ApplyStep::Update {
                    uuid: task.uuid,
                    expected_version: task.version,
                    next_run_at: next_run_over(&task, &definition, now),
                    definition,
                });
                (ApplyAction::Updated, task.uuid)
            }
            None => {
                let uuid = TaskUuid::new_v7();
                steps.push(ApplyStep::Create(NewTask {
                    uuid,
                    tenant: caller.0.tenant,
                    next_run_at: next_run(&definition, now),
                    definition,
                }));
                (ApplyAction::Created, uuid)
            }
        };
        results.push(ApplyResult {
            code,
            action,
            uuid: (!(dry_run && action == ApplyAction::Created)).then_some(uuid.0),
        });
    }
    if prune {
        // What is left of the live tasks is what the request does not name.
        for (code, task) in live {
            steps.push(ApplyStep::Delete {
                uuid: task.uuid,
                expected_version: task.version,
            });
            results.push(ApplyResult {
                code,
                action: ApplyAction::Deleted,
                uuid: Some(task.uuid.0),
            });
        }
    }
    let count = |action| results.iter().filter(|r| r.action == action).count();
    let (created, deleted) = (count(ApplyAction::Created), count(ApplyAction::Deleted));
    if created > deleted {
        state
            .quotas
            .check_room(&state, caller.0.tenant, created - deleted)
            .await?;
    }
    if !dry_run && !steps.is_empty() {
        state
            .store
            .apply_definitions(steps, change(&caller, now))
            .await?;
        state.wake.tasks_changed();
    }
    Ok(Json(ApplyResponse {
        dry_run,
        created,
        updated: count(ApplyAction::Updated),
        unchanged: count(ApplyAction::Unchanged),
        deleted,
        results,
    }))
}
