//! `GET /export` and `POST /apply`: a tenant's task definitions as a set, for backups,
//! copies between tenants or deployments, and definitions kept in version control.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::IntoResponse;
use domain::{
    ChainLink, ChainOn, Deadline, EventKind, Task, TaskConfig, TaskDefinition, TaskUuid,
    TriggerKind, ValidationErrors,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use store::{
    AlertChange, AlertStep, ApplyStep, MAX_CHAIN_LINKS, NewTask, RuleSpec, TaskAlerts, TaskQuery,
    TaskRule, TaskSort, TaskSortField, leads_to,
};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::dto::{ImportRequest, Read, TaskRequest};
use crate::error::{Problem, UnknownField};
use crate::extract::JsonBody;
use crate::routes::deadlines::DEADLINE_FIELDS;
use crate::routes::notify::{RuleRequest, parse_rule};
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
    let alerts = state.store.tenant_alerts(caller.0.tenant).await?;
    let tasks = found
        .items
        .iter()
        .map(|task| with_alerts(exported(&task.definition), alerts.get(&task.uuid)))
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
    /// The task's definition differed (replaced, as a new version), or only its chains,
    /// deadlines or own rules did (replaced, version kept).
    Updated,
    /// The task's definition and alert configuration were the same: nothing written, version
    /// kept.
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
/// identical one is left alone (no version, no audit entry). An item's `chains`, `deadlines`
/// and `notify_rules` (as `GET /export` writes them) replace the task's, children by code and
/// channels by name; left out, they stay as they are. Each item is a whole definition,
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
    for (i, mut value) in request.tasks.into_iter().enumerate() {
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
        let given = take_alerts(&mut value, &caller, now, &prefix, &mut unknown, &mut errors);
        let current = code.as_deref().and_then(|code| live.get(code));
        match definition_over(&state, value, current.map(|t| &t.definition), now)
            .map_err(|e| e.at(&prefix))
        {
            Ok(definition) => planned.push((definition, given)),
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
    let mut codes = HashMap::new();
    let mut alert_items = Vec::new();
    for (i, (definition, given)) in planned.into_iter().enumerate() {
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
        codes.insert(code.clone(), uuid);
        if given.is_given() {
            alert_items.push(AlertItem {
                prefix: format!("tasks[{i}]"),
                task: uuid,
                given,
            });
        }
        results.push(ApplyResult {
            code,
            action,
            uuid: (!(dry_run && action == ApplyAction::Created)).then_some(uuid.0),
        });
    }
    let mut gone = HashSet::new();
    if prune {
        // What is left of the live tasks is what the request does not name.
        for (code, task) in live {
            gone.insert(task.uuid);
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
    if !alert_items.is_empty() {
        let current = state.store.tenant_alerts(caller.0.tenant).await?;
        let alert_steps =
            plan_alerts(&state, &caller, alert_items, &codes, &gone, &current).await?;
        for step in alert_steps {
            // A task whose definition stays but whose alerts change is updated all the same.
            if let Some(result) = results.iter_mut().find(|r| {
                r.action == ApplyAction::Unchanged && codes.get(&r.code) == Some(&step.task)
            }) {
                result.action = ApplyAction::Updated;
            }
            steps.push(ApplyStep::Alerts(step));
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
        // It may delete or stop tasks.
        state.wake.tasks_stopped();
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

/// The fields of an exported task that hold its alert configuration, not its definition.
const ALERT_FIELDS: [&str; 3] = ["chains", "deadlines", "notify_rules"];
/// The fields of one exported chain link.
const LINK_FIELDS: [&str; 2] = ["task_code", "on"];
/// The fields of one exported rule.
const RULE_FIELDS: [&str; 4] = ["channel_name", "event", "threshold", "throttle_seconds"];

/// Adds a task's alert configuration to its exported definition, in terms that hold in
/// another tenant: children by code, channels by name.
fn with_alerts(mut value: Value, alerts: Option<&TaskAlerts>) -> Value {
    let empty = TaskAlerts::default();
    let alerts = alerts.unwrap_or(&empty);
    if let Some(object) = value.as_object_mut() {
        let chains = alerts
            .chains
            .iter()
            .map(|c| serde_json::json!({"task_code": c.code, "on": c.on.as_str()}))
            .collect();
        object.insert("chains".into(), Value::Array(chains));
        let deadlines = alerts.deadlines.iter().map(Deadline::to_json).collect();
        object.insert("deadlines".into(), Value::Array(deadlines));
        let rules = alerts.rules.iter().map(TaskRule::to_portable).collect();
        object.insert("notify_rules".into(), Value::Array(rules));
    }
    value
}

/// A rule as a request gives it, its channel by name, its values validated.
#[derive(Debug)]
struct GivenRule {
    channel_name: String,
    event: EventKind,
    threshold: Option<i64>,
    throttle_seconds: i64,
}

/// The alert configuration a request item gives; a part left out (or `null`) is `None`.
#[derive(Debug, Default)]
pub(crate) struct GivenAlerts {
    chains: Option<Vec<(String, ChainOn)>>,
    deadlines: Option<Vec<Deadline>>,
    rules: Option<Vec<GivenRule>>,
}

impl GivenAlerts {
    /// Whether the item gives any part.
    pub(crate) fn is_given(&self) -> bool {
        self.chains.is_some() || self.deadlines.is_some() || self.rules.is_some()
    }
}

/// The items of a list field of an alert part, each an object whose keys are among `known`;
/// other keys are added to `unknown`, other problems to `errors`.
fn alert_items(
    value: Value,
    field: &str,
    known: &[&str],
    unknown: &mut Vec<UnknownField>,
    errors: &mut ValidationErrors,
) -> Option<Vec<Map<String, Value>>> {
    let Value::Array(items) = value else {
        errors.push(field, "must be an array");
        return None;
    };
    let mut objects = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let Value::Object(object) = item else {
            errors.push(format!("{field}[{i}]"), "must be an object");
            continue;
        };
        unknown.extend(
            object
                .keys()
                .filter(|key| !known.contains(&key.as_str()))
                .map(|key| UnknownField {
                    field: format!("{field}[{i}].{key}"),
                    server_owned: false,
                }),
        );
        objects.push(object);
    }
    Some(objects)
}

/// A string field of an alert item, or an error on it.
fn text(
    object: &Map<String, Value>,
    key: &str,
    field: &str,
    errors: &mut ValidationErrors,
) -> Option<String> {
    match object.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        None | Some(Value::Null) => {
            errors.push(format!("{field}.{key}"), "is required");
            None
        }
        Some(_) => {
            errors.push(format!("{field}.{key}"), "must be a string");
            None
        }
    }
}

/// A whole number field of an alert item (`None` when absent or null), or an error on it.
fn number(
    object: &Map<String, Value>,
    key: &str,
    field: &str,
    errors: &mut ValidationErrors,
) -> Option<i64> {
    match object.get(key) {
        None | Some(Value::Null) => None,
        Some(value) => value.as_i64().or_else(|| {
            errors.push(format!("{field}.{key}"), "must be a whole number");
            None
        }),
    }
}

/// Takes the alert fields (`chains`, `deadlines`, `notify_rules`) out of a request item and
/// reads them; fields they may not have go to `unknown`, invalid values to `errors`, each
/// named under `prefix` (e.g. `tasks[2]`).
pub(crate) fn take_alerts(
    item: &mut Value,
    caller: &Caller,
    now: Timestamp,
    prefix: &str,
    unknown: &mut Vec<UnknownField>,
    errors: &mut ValidationErrors,
) -> GivenAlerts {
    let mut given = GivenAlerts::default();
    let Some(object) = item.as_object_mut() else {
        return given;
    };
    let mut taken = ALERT_FIELDS.map(|key| object.remove(key).filter(|v| !v.is_null()));
    if let Some(value) = taken[0].take() {
        let field = format!("{prefix}.chains");
        if let Some(items) = alert_items(value, &field, &LINK_FIELDS, unknown, errors) {
            if items.len() > MAX_CHAIN_LINKS {
                errors.push(&field, format!("at most {MAX_CHAIN_LINKS} links"));
            }
            let mut links = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let at = format!("{field}[{i}]");
                let code = text(item, "task_code", &at, errors);
                let on = text(item, "on", &at, errors).and_then(|on| {
                    on.parse::<ChainOn>()
                        .map_err(|message| errors.push(format!("{at}.on"), message))
                        .ok()
                });
                if let (Some(code), Some(on)) = (code, on) {
                    links.push((code, on));
                }
            }
            given.chains = Some(links);
        }
    }
    if let Some(value) = taken[1].take() {
        let field = format!("{prefix}.deadlines");
        if let Some(items) = alert_items(value, &field, &DEADLINE_FIELDS, unknown, errors) {
            let list = Value::Array(items.into_iter().map(Value::Object).collect());
            given.deadlines =
                errors.collect(Deadline::parse_list(&list).map_err(|e| e.prefixed(prefix)));
        }
    }
    if let Some(value) = taken[2].take() {
        let field = format!("{prefix}.notify_rules");
        if let Some(items) = alert_items(value, &field, &RULE_FIELDS, unknown, errors) {
            let mut rules = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let at = format!("{field}[{i}]");
                let channel_name = text(item, "channel_name", &at, errors);
                let event = text(item, "event", &at, errors);
                let threshold = number(item, "threshold", &at, errors);
                let throttle_seconds = number(item, "throttle_seconds", &at, errors);
                let (Some(channel_name), Some(event)) = (channel_name, event) else {
                    continue;
                };
                // Judged as `POST /{uuid}/notify-rules` judges it; the channel is resolved
                // once every value is valid.
                let request = RuleRequest {
                    channel: uuid::Uuid::nil(),
                    event,
                    threshold,
                    throttle_seconds,
                };
                match parse_rule(caller, None, &request, now) {
                    Ok(rule) => rules.push(GivenRule {
                        channel_name,
                        event: rule.event,
                        threshold: rule.threshold,
                        throttle_seconds: rule.throttle.as_secs(),
                    }),
                    Err(ApiError::Validation(invalid)) => errors.0.extend(invalid.prefixed(&at).0),
                    Err(_) => errors.push(at, "is not a valid rule"),
                }
            }
            given.rules = Some(rules);
        }
    }
    given
}

/// One request item's alert configuration to plan: where it is, the task it is for.
pub(crate) struct AlertItem {
    /// Its place in the request, e.g. `tasks[2]`.
    pub(crate) prefix: String,
    /// The task (existing, or to be created).
    pub(crate) task: TaskUuid,
    /// What the item gives.
    pub(crate) given: GivenAlerts,
}

/// Whether two rule lists hold the same rules, in whatever order.
fn same_rules(a: &[RuleSpec], b: &[RuleSpec]) -> bool {
    a.len() == b.len()
        && a.iter().all(|rule| {
            a.iter().filter(|r| *r == rule).count() == b.iter().filter(|r| *r == rule).count()
        })
}

/// Resolves the items' alert configuration in the caller's tenant: child codes to tasks
/// (`codes`: the tasks the request creates or keeps, by code; other codes are looked up among
/// the live tasks not in `gone`) and channel names to channels, and the tenant's chains as
/// they would be checked for cycles. Every problem is a 422 naming
/// `tasks[i].chains[j].task_code` or `tasks[i].notify_rules[j].channel_name`. Answers the
/// steps that change something (`current`: the tenant's configuration now).
pub(crate) async fn plan_alerts(
    state: &AppState,
    caller: &Caller,
    items: Vec<AlertItem>,
    codes: &HashMap<String, TaskUuid>,
    gone: &HashSet<TaskUuid>,
    current: &HashMap<TaskUuid, TaskAlerts>,
) -> Result<Vec<AlertStep>, ApiError> {
    let tenant = caller.0.tenant;
    let mut errors = ValidationErrors::default();
    let wanted: Vec<String> = items
        .iter()
        .flat_map(|item| item.given.chains.iter().flatten())
        .map(|(code, _)| code.clone())
        .filter(|code| !codes.contains_key(code))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut known = codes.clone();
    if !wanted.is_empty() {
        for task in state.store.live_tasks_with_codes(tenant, &wanted).await? {
            if !gone.contains(&task.uuid) {
                known.insert(task.definition.code.as_str().to_owned(), task.uuid);
            }
        }
    }
    let mut channels: HashMap<String, Vec<uuid::Uuid>> = HashMap::new();
    if items.iter().any(|item| item.given.rules.is_some()) {
        for channel in state.store.channels(tenant).await? {
            channels.entry(channel.name).or_default().push(channel.uuid);
        }
    }
    // The tenant's chains as they will be: without the links of the tasks whose links the
    // request sets, nor those of the tasks it deletes.
    let setting: HashSet<TaskUuid> = items
        .iter()
        .filter(|item| item.given.chains.is_some())
        .map(|item| item.task)
        .collect();
    let mut graph: HashMap<TaskUuid, Vec<TaskUuid>> = current
        .iter()
        .filter(|(task, _)| !setting.contains(task) && !gone.contains(task))
        .map(|(task, alerts)| (*task, alerts.chains.iter().map(|c| c.task).collect()))
        .collect();

    let mut steps = Vec::new();
    for item in items {
        let prefix = &item.prefix;
        let mut change = AlertChange::default();
        if let Some(links) = &item.given.chains {
            let mut resolved: Vec<ChainLink> = Vec::with_capacity(links.len());
            for (j, (code, on)) in links.iter().enumerate() {
                let field = format!("{prefix}.chains[{j}].task_code");
                let Some(child) = known.get(code).copied() else {
                    errors.push(
                        field,
                        "is not a task of the tenant: no live task has this code, and the request creates none",
                    );
                    continue;
                };
                if resolved.iter().any(|l| l.task == child) {
                    errors.push(field, "is given twice");
                } else if child == item.task {
                    errors.push(field, "would close a cycle: a task cannot chain to itself");
                } else if leads_to(&graph, child, item.task) {
                    errors.push(
                        field,
                        "would close a cycle: that task leads back to this one through its chains",
                    );
                } else {
                    resolved.push(ChainLink {
                        task: child,
                        on: *on,
                    });
                }
            }
            graph.insert(item.task, resolved.iter().map(|l| l.task).collect());
            change.chains = Some(resolved);
        }
        change.deadlines = item.given.deadlines;
        if let Some(rules) = &item.given.rules {
            let mut specs = Vec::with_capacity(rules.len());
            for (j, rule) in rules.iter().enumerate() {
                let at = format!("{prefix}.notify_rules[{j}]");
                let channel = match channels.get(&rule.channel_name).map(Vec::as_slice) {
                    Some([channel]) => *channel,
                    Some(many) if many.len() > 1 => {
                        errors.push(
                            format!("{at}.channel_name"),
                            format!(
                                "names {} channels of your tenant; give them distinct names",
                                many.len()
                            ),
                        );
                        continue;
                    }
                    _ => {
                        errors.push(
                            format!("{at}.channel_name"),
                            "no channel of your tenant has this name",
                        );
                        continue;
                    }
                };
                specs.push(RuleSpec {
                    channel,
                    event: rule.event,
                    threshold: rule.threshold,
                    throttle_seconds: rule.throttle_seconds,
                });
            }
            change.rules = Some(specs);
        }
        let now_set = current.get(&item.task);
        let empty = TaskAlerts::default();
        let now_set = now_set.unwrap_or(&empty);
        let chains_same = change.chains.as_ref().is_none_or(|links| {
            links.len() == now_set.chains.len()
                && links
                    .iter()
                    .zip(&now_set.chains)
                    .all(|(l, c)| l.task == c.task && l.on == c.on)
        });
        let deadlines_same = change.deadlines.as_ref().is_none_or(|list| {
            list.iter()
                .map(Deadline::key)
                .eq(now_set.deadlines.iter().map(Deadline::key))
        });
        let rules_same = change
            .rules
            .as_ref()
            .is_none_or(|rules| same_rules(rules, &now_set.rule_specs()));
        if !(chains_same && deadlines_same && rules_same) {
            steps.push(AlertStep {
                task: item.task,
                field: item.prefix,
                change,
            });
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    Ok(steps)
}
