//! `/api/tree-root/scheduled-tasks/runs` and `/stats`: runs across the tenant's tasks.

use axum::Json;
use axum::extract::{RawQuery, State};
use domain::{RunStatus, TaskCode, TaskUuid, ValidationErrors};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use store::{RunBucket, RunBucketsQuery, RunSearchQuery, TaskRef, TaskRun};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::tasks::{fit_results, optional, page_params, parse_query};
use crate::auth::Caller;
use crate::dto::{PageResponse, RunResponse, RunStatsResponse};
use crate::error::Problem;
use crate::{ApiError, AppState, openapi};

/// Most buckets one `/stats` answer holds.
const MAX_BUCKETS: i64 = 1_000;

/// The bucket widths `/stats` offers, by name.
const BUCKETS: [(&str, i64); 6] = [
    ("1m", 60),
    ("5m", 5 * 60),
    ("15m", 15 * 60),
    ("1h", 3_600),
    ("6h", 6 * 3_600),
    ("1d", 86_400),
];

/// Runs across a tenant's tasks: `GET /runs`, `GET /stats`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_runs))
        .routes(routes!(run_stats))
}

/// A run with the task it belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskRunResponse {
    /// The run.
    #[serde(flatten)]
    pub run: RunResponse,
    /// Its task's code.
    pub task_code: String,
    /// Its task's name.
    pub task_name: String,
}

/// The runs scheduled within one bucket of time.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunBucketResponse {
    /// Start of the bucket; it ends where the next begins.
    #[schema(value_type = String, format = DateTime)]
    pub start: Timestamp,
    /// How many runs are in each state (skipped occurrences each count).
    pub counts: RunStatsResponse,
    /// Mean duration of the bucket's runs that ran (ended attempts), in milliseconds; null when
    /// none did.
    #[schema(required = true)]
    pub duration_avg_ms: Option<i64>,
    /// Longest duration among them, in milliseconds.
    #[schema(required = true)]
    pub duration_max_ms: Option<i64>,
}

impl From<RunBucket> for RunBucketResponse {
    fn from(bucket: RunBucket) -> Self {
        Self {
            start: bucket.start,
            counts: bucket.counts.into(),
            duration_avg_ms: bucket.duration_avg_ms,
            duration_max_ms: bucket.duration_max_ms,
        }
    }
}

/// Run counts over time.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunStatsOverTimeResponse {
    /// Start of the range (of the first bucket).
    #[schema(value_type = String, format = DateTime)]
    pub from: Timestamp,
    /// End of the range (exclusive).
    #[schema(value_type = String, format = DateTime)]
    pub to: Timestamp,
    /// The bucket width, as asked.
    pub bucket: String,
    /// One entry per bucket from `from`, oldest first, empty buckets included.
    pub buckets: Vec<RunBucketResponse>,
}

/// Query of `GET /runs`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SearchParams {
    /// Page, from 1 (default 1).
    #[param(schema_with = openapi::page_number)]
    page: Option<String>,
    /// Rows per page, 1-100 (default 20).
    #[param(schema_with = openapi::page_size)]
    page_size: Option<String>,
    /// Only runs in this state.
    #[param(schema_with = openapi::run_status_filter)]
    status: Option<String>,
    /// Only runs of the task with this uuid (none when the tenant has no such task).
    #[param(value_type = Option<String>, format = Uuid)]
    task_uuid: Option<String>,
    /// Only runs of the task with this code (instead of `task_uuid`).
    task_code: Option<String>,
    /// Only runs scheduled for this instant or later (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    from: Option<String>,
    /// Only runs scheduled for before this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    to: Option<String>,
}

/// Query of `GET /stats`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct StatsParams {
    /// Start of the range (RFC 3339; default 24 hours before `to`).
    #[param(value_type = Option<String>, format = DateTime)]
    from: Option<String>,
    /// End of the range, exclusive (RFC 3339; default now).
    #[param(value_type = Option<String>, format = DateTime)]
    to: Option<String>,
    /// Bucket width: `1m`, `5m`, `15m`, `1h` (default), `6h` or `1d`; buckets start at `from`.
    bucket: Option<String>,
    /// Only runs of the task with this uuid.
    #[param(value_type = Option<String>, format = Uuid)]
    task_uuid: Option<String>,
    /// Only runs of the task with this code (instead of `task_uuid`).
    task_code: Option<String>,
}

/// An RFC 3339 instant of the query.
fn instant(raw: Option<&str>, field: &str, errors: &mut ValidationErrors) -> Option<Timestamp> {
    raw.filter(|s| !s.is_empty())?
        .parse()
        .map_err(|_| errors.push(field, "must be an RFC 3339 instant with an offset"))
        .ok()
}

/// The task `task_uuid` or `task_code` names, if either.
fn task_ref(
    uuid: Option<&str>,
    code: Option<&str>,
    errors: &mut ValidationErrors,
) -> Option<TaskRef> {
    match (
        uuid.filter(|s| !s.is_empty()),
        code.filter(|s| !s.is_empty()),
    ) {
        (None, None) => None,
        (Some(_), Some(_)) => {
            errors.push("task_code", "must not be given with task_uuid");
            None
        }
        (Some(uuid), None) => uuid
            .parse()
            .map(|uuid| TaskRef::Uuid(TaskUuid(uuid)))
            .map_err(|_| errors.push("task_uuid", "must be a uuid"))
            .ok(),
        (None, Some(code)) => TaskCode::parse(code)
            .map(TaskRef::Code)
            .map_err(|e| errors.push("task_code", e))
            .ok(),
    }
}

/// 422 unless `from` is before `to`.
fn ordered(from: Timestamp, to: Timestamp) -> Result<(), ApiError> {
    if from < to {
        Ok(())
    } else {
        Err(ApiError::InvalidRange(ValidationErrors::one(
            "to",
            "must be later than from",
        )))
    }
}

/// Runs across the tenant's tasks, newest occurrence first, each with its task's code and
/// name; filtered by state, task and a range of `scheduled_for`.
#[utoipa::path(get, path = "/runs", tag = "runs", params(SearchParams),
    responses(
        (status = 200, body = PageResponse<TaskRunResponse>),
        (status = 400, description = "Invalid query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`to` is not later than `from`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn search_runs(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<PageResponse<TaskRunResponse>>, ApiError> {
    let params: SearchParams = parse_query(raw)?;
    let mut errors = ValidationErrors::default();
    let (page, page_size) = page_params(
        params.page.as_deref(),
        params.page_size.as_deref(),
        &mut errors,
    );
    let query = RunSearchQuery {
        status: optional::<RunStatus>(params.status.as_deref(), "status", &mut errors),
        task: task_ref(
            params.task_uuid.as_deref(),
            params.task_code.as_deref(),
            &mut errors,
        ),
        from: instant(params.from.as_deref(), "from", &mut errors),
        to: instant(params.to.as_deref(), "to", &mut errors),
        page,
        page_size,
    };
    if !errors.is_empty() {
        return Err(ApiError::InvalidQuery(errors));
    }
    if let (Some(from), Some(to)) = (query.from, query.to) {
        ordered(from, to)?;
    }
    let found = state.store.search_runs(caller.0.tenant, &query).await?;
    let (mut runs, tasks): (Vec<RunResponse>, Vec<(String, String)>) = found
        .items
        .into_iter()
        .map(
            |TaskRun {
                 run,
                 task_code,
                 task_name,
             }| (run.into(), (task_code, task_name)),
        )
        .unzip();
    // The same answer bound as a task's run pages: older runs' results left out past it.
    fit_results(&mut runs);
    Ok(Json(PageResponse {
        items: runs
            .into_iter()
            .zip(tasks)
            .map(|(run, (task_code, task_name))| TaskRunResponse {
                run,
                task_code,
                task_name,
            })
            .collect(),
        total: found.total,
        page: found.page,
        page_size: found.page_size,
    }))
}

/// Counts of the tenant's runs per state per time bucket over a range (by `scheduled_for`),
/// with each bucket's mean and longest duration. At most 1,000 buckets.
#[utoipa::path(get, path = "/stats", tag = "runs", params(StatsParams),
    responses(
        (status = 200, body = RunStatsOverTimeResponse),
        (status = 400, description = "Invalid query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`to` is not later than `from`, or the range holds more than 1,000 buckets", body = Problem, content_type = "application/problem+json"),
    ))]
async fn run_stats(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<RunStatsOverTimeResponse>, ApiError> {
    let params: StatsParams = parse_query(raw)?;
    let mut errors = ValidationErrors::default();
    let from = instant(params.from.as_deref(), "from", &mut errors);
    let to = instant(params.to.as_deref(), "to", &mut errors);
    let bucket = params
        .bucket
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "1h".to_owned());
    let width = BUCKETS
        .iter()
        .find(|(name, _)| *name == bucket)
        .map(|b| b.1);
    if width.is_none() {
        let names: Vec<&str> = BUCKETS.iter().map(|b| b.0).collect();
        errors.push(
            "bucket",
            format!(
                "unknown bucket {bucket:?}; expected one of: {}",
                names.join(", ")
            ),
        );
    }
    let task = task_ref(
        params.task_uuid.as_deref(),
        params.task_code.as_deref(),
        &mut errors,
    );
    let (Some(width), true) = (width, errors.is_empty()) else {
        return Err(ApiError::InvalidQuery(errors));
    };
    let to = to.unwrap_or_else(|| state.clock.now());
    let from = from.unwrap_or_else(|| to - SignedDuration::from_hours(24));
    ordered(from, to)?;
    let width_ms = width * 1_000;
    let span = to.duration_since(from).as_millis();
    let buckets = (span + i128::from(width_ms) - 1) / i128::from(width_ms);
    if buckets > i128::from(MAX_BUCKETS) {
        return Err(ApiError::InvalidRange(ValidationErrors::one(
            "bucket",
            format!(
                "makes {buckets} buckets of the range; at most {MAX_BUCKETS}: take a wider \
                 bucket or a shorter range"
            ),
        )));
    }
    let query = RunBucketsQuery {
        from,
        to,
        width_ms,
        task,
    };
    let found = state.store.run_buckets(caller.0.tenant, &query).await?;
    Ok(Json(RunStatsOverTimeResponse {
        from,
        to,
        bucket,
        buckets: found.into_iter().map(Into::into).collect(),
    }))
}
