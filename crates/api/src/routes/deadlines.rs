//! Dead-man deadlines: setting a task's deadlines, reading their state, and the tenant's recent
//! misses (docs/api.md, Deadlines; docs/alerts.md).

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use domain::{Deadline, ValidationErrors};
use jiff::Timestamp;
use schedule::deadline::{Standing, next_due};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use store::{DeadlineMiss, DeadlineState};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::error::{Problem, UnknownField};
use crate::extract::{JsonValue, ObjectReader};
use crate::routes::tasks::{change, parse_query, task_uuid};
use crate::{ApiError, AppState};

/// Misses `GET /deadline-misses` returns unless asked for fewer.
const DEFAULT_MISSES: u32 = 50;
/// Most misses one `GET /deadline-misses` returns.
const MAX_MISSES: u32 = 500;
/// The fields of one deadline object.
pub(crate) const DEADLINE_FIELDS: [&str; 4] = ["every_seconds", "by", "timezone", "days"];

/// A task's deadlines and the recent misses.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_deadlines, put_deadlines))
        .routes(routes!(deadline_misses))
}

/// A task's deadlines, as `GET` and `PUT /{uuid}/deadlines` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlinesResponse {
    /// The deadlines in the order they were given.
    pub deadlines: Vec<DeadlineResponse>,
}

/// One deadline and where it stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineResponse {
    /// The deadline as given: `{"every_seconds": N}` or `{"by": "HH:MM", "timezone", "days"}`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub deadline: Map<String, Value>,
    /// Its canonical text, e.g. `every 3600s` or `by 07:00 Europe/Berlin on * * MON-FRI`.
    pub key: String,
    /// When it was set; nothing before it is due.
    #[schema(value_type = String, format = DateTime)]
    pub since: Timestamp,
    /// When it falls due next unless a run succeeds first.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_due_at: Option<Timestamp>,
    /// The task's latest success.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_success_at: Option<Timestamp>,
    /// The latest due instant a success met (`by` deadlines; an `every_seconds` deadline is
    /// met by each success, see `last_success_at`).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_met_at: Option<Timestamp>,
    /// The latest due instant missed.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_missed_at: Option<Timestamp>,
    /// Due instants missed since it was set.
    pub missed_count: u64,
}

/// A recorded miss.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineMissResponse {
    /// The task.
    pub task_uuid: String,
    /// The task's code.
    pub task_code: String,
    /// The deadline missed, as given.
    #[schema(value_type = Object)]
    pub deadline: Value,
    /// The latest due instant missed.
    #[schema(value_type = String, format = DateTime)]
    pub due_at: Timestamp,
    /// Due instants this record stands for: more than 1 when several passed before a check
    /// (after an outage, say); only the latest is recorded.
    pub missed: u64,
    /// The task's latest success before `due_at`.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_success_at: Option<Timestamp>,
    /// When the miss was recorded.
    #[schema(value_type = String, format = DateTime)]
    pub recorded_at: Timestamp,
}

/// `GET /deadline-misses` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineMissesResponse {
    /// The misses, the most recently recorded first.
    pub items: Vec<DeadlineMissResponse>,
}

/// Query of `GET /deadline-misses`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct MissesParams {
    /// Only this task's misses.
    task_uuid: Option<String>,
    /// How many, 1-500 (default 50).
    limit: Option<String>,
}

fn state_response(state: DeadlineState, now: Timestamp) -> DeadlineResponse {
    let standing = Standing {
        since: state.since,
        checked_through: state.checked_through,
        last_success: state.last_success_at,
    };
    let deadline = match state.deadline.to_json() {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    DeadlineResponse {
        deadline,
        key: state.deadline.key(),
        since: state.since,
        next_due_at: next_due(&state.deadline, &standing, now),
        last_success_at: state.last_success_at,
        last_met_at: state.last_met_at,
        last_missed_at: state.last_missed_at,
        missed_count: state.missed_count,
    }
}

fn response(states: Vec<DeadlineState>, now: Timestamp) -> Json<DeadlinesResponse> {
    Json(DeadlinesResponse {
        deadlines: states.into_iter().map(|s| state_response(s, now)).collect(),
    })
}

/// Show a task's dead-man deadlines and where each stands.
#[utoipa::path(get, path = "/{uuid}/deadlines", tag = "tasks",
    params(("uuid" = String, Path, description = "Task uuid")),
    responses(
        (status = 200, body = DeadlinesResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_deadlines(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Json<DeadlinesResponse>, ApiError> {
    let uuid = task_uuid(&uuid)?;
    let now = state.clock.now();
    let states = state.store.deadlines(caller.0.tenant, uuid, now).await?;
    Ok(response(states, now))
}

/// Set a task's dead-man deadlines (admins): `{"deadlines": [...]}` replaces them all (`[]`
/// clears them). A deadline given again keeps its state and misses; a new one counts from now.
#[utoipa::path(put, path = "/{uuid}/deadlines", tag = "tasks",
    params(("uuid" = String, Path, description = "Task uuid")),
    request_body(content = Object, description = "`{\"deadlines\": [{\"every_seconds\": 3600}, {\"by\": \"07:00\", \"timezone\": \"Europe/Berlin\", \"days\": \"* * MON-FRI\"}]}`"),
    responses(
        (status = 200, body = DeadlinesResponse),
        (status = 400, description = "Malformed JSON or an unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An invalid deadline; each error names its field, e.g. `deadlines[1].days`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn put_deadlines(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
    JsonValue(body): JsonValue,
) -> Result<Json<DeadlinesResponse>, ApiError> {
    caller.require_admin()?;
    let uuid = task_uuid(&uuid)?;
    let mut reader = ObjectReader::new(body, "", &["deadlines"]).map_err(ApiError::Validation)?;
    let list = reader.required_value("deadlines");
    if let Some(Value::Array(items)) = &list {
        for (i, item) in items.iter().enumerate() {
            if let Value::Object(object) = item {
                reader.unknown.extend(
                    object
                        .keys()
                        .filter(|key| !DEADLINE_FIELDS.contains(&key.as_str()))
                        .map(|key| UnknownField {
                            field: format!("deadlines[{i}].{key}"),
                            server_owned: false,
                        }),
                );
            }
        }
    }
    if !reader.unknown.is_empty() {
        return Err(ApiError::UnknownFields(reader.unknown));
    }
    let mut errors = reader.errors;
    let deadlines = list.and_then(|list| errors.collect(Deadline::parse_list(&list)));
    let Some(deadlines) = deadlines.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    let now = state.clock.now();
    let states = state
        .store
        .set_deadlines(uuid, &deadlines, change(&caller, now))
        .await?;
    Ok(response(states, now))
}

fn miss_response(miss: DeadlineMiss) -> DeadlineMissResponse {
    DeadlineMissResponse {
        task_uuid: miss.task.to_string(),
        task_code: miss.task_code,
        deadline: miss.deadline.to_json(),
        due_at: miss.due_at,
        missed: miss.missed,
        last_success_at: miss.last_success_at,
        recorded_at: miss.recorded_at,
    }
}

/// The tenant's recently missed deadlines (of one task with `task_uuid`), the most recently
/// recorded first.
#[utoipa::path(get, path = "/deadline-misses", tag = "tasks", params(MissesParams),
    responses(
        (status = 200, body = DeadlineMissesResponse),
        (status = 400, description = "Invalid query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`task_uuid` names no task of your tenant", body = Problem, content_type = "application/problem+json"),
    ))]
async fn deadline_misses(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<DeadlineMissesResponse>, ApiError> {
    let params: MissesParams = parse_query(raw)?;
    let limit = match params.limit.as_deref() {
        None => DEFAULT_MISSES,
        Some(text) => match text.parse::<u32>() {
            Ok(n) if (1..=MAX_MISSES).contains(&n) => n,
            _ => {
                return Err(ApiError::InvalidQuery(ValidationErrors::one(
                    "limit",
                    format!("must be a whole number from 1 to {MAX_MISSES}"),
                )));
            }
        },
    };
    let task = params.task_uuid.as_deref().map(task_uuid).transpose()?;
    let misses = state
        .store
        .deadline_misses(caller.0.tenant, task, limit)
        .await?;
    Ok(Json(DeadlineMissesResponse {
        items: misses.into_iter().map(miss_response).collect(),
    }))
}
