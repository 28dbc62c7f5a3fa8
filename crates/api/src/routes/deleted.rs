//! Deleted tasks: the tenant's tasks deleted within the run-retention period, and restoring
//! one as a live, stopped task.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use domain::ValidationErrors;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use store::DeletedTask;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::dto::{PageResponse, TaskResponse};
use crate::error::Problem;
use crate::etag::TaggedTask;
use crate::routes::tasks::{change, page_params, parse_query, task_uuid};
use crate::{ApiError, AppState, openapi};

/// The deleted tasks and their restore.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(deleted_tasks))
        .routes(routes!(restore_deleted))
}

/// Query of `GET /deleted`. Unknown parameters (including `tenant_id`) are ignored.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DeletedParams {
    /// Page, from 1 (default 1).
    #[param(schema_with = openapi::page_number)]
    page: Option<String>,
    /// Rows per page, 1-100 (default 20).
    #[param(schema_with = openapi::page_size)]
    page_size: Option<String>,
}

/// A deleted task: the task as it was deleted, and when and by whom.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeletedTaskResponse {
    /// The task as it was deleted (stopped, no next run).
    #[serde(flatten)]
    pub task: TaskResponse,
    /// When it was deleted.
    #[schema(value_type = String, format = DateTime)]
    pub deleted_at: Timestamp,
    /// Who deleted it (token subject).
    pub deleted_by: String,
}

impl From<DeletedTask> for DeletedTaskResponse {
    fn from(deleted: DeletedTask) -> Self {
        Self {
            deleted_by: deleted.task.updated_by.clone(),
            task: deleted.task.into(),
            deleted_at: deleted.deleted_at,
        }
    }
}

/// The earliest deletion instant still listed and restorable: the run-retention period back
/// from `now` (a deleted task's runs are kept as long), or every deletion when runs are kept
/// for ever.
fn restorable_since(state: &AppState, now: Timestamp) -> Timestamp {
    state
        .run_retention
        .and_then(|keep| jiff::SignedDuration::try_from(keep).ok())
        .and_then(|keep| now.checked_sub(keep).ok())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// List the tenant's deleted tasks that can still be restored (deleted within the
/// run-retention period, `SUNDIAL_RUN_RETENTION_DAYS`), the most recently deleted first.
#[utoipa::path(get, path = "/deleted", tag = "tasks", params(DeletedParams),
    responses(
        (status = 200, body = PageResponse<DeletedTaskResponse>),
        (status = 400, description = "Invalid query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
async fn deleted_tasks(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<PageResponse<DeletedTaskResponse>>, ApiError> {
    let params: DeletedParams = parse_query(raw)?;
    let mut errors = ValidationErrors::default();
    let (page, page_size) = page_params(
        params.page.as_deref(),
        params.page_size.as_deref(),
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(ApiError::InvalidQuery(errors));
    }
    let since = restorable_since(&state, state.clock.now());
    let found = state
        .store
        .deleted_tasks(caller.0.tenant, since, page, page_size)
        .await?;
    Ok(Json(PageResponse::from_page(
        found,
        DeletedTaskResponse::from,
    )))
}

/// Restore a deleted task: it is live again under its uuid and code, stopped (start it to
/// have it fire), as a new version audited as `restore`. Its runs and history are as they
/// were. Only tasks `GET /deleted` lists can be restored.
#[utoipa::path(post, path = "/{uuid}/restore", tag = "tasks",
    params(("uuid" = String, Path, description = "Uuid of the deleted task")),
    responses(
        (status = 200, description = "The task, live and stopped", body = TaskResponse, headers(("ETag" = String, description = "The task's version, quoted"))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No task of your tenant deleted within the retention period has this uuid (a live task included)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A live task has taken the deleted task's code (`duplicate_code`): rename or delete that one first", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The tenant already has its quota of live tasks", body = Problem, content_type = "application/problem+json"),
    ))]
async fn restore_deleted(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<TaggedTask, ApiError> {
    caller.require_admin()?;
    let uuid = task_uuid(&uuid)?;
    state.quotas.check_room(&state, caller.0.tenant, 1).await?;
    let now = state.clock.now();
    let task = state
        .store
        .restore_deleted(uuid, restorable_since(&state, now), change(&caller, now))
        .await?;
    Ok(TaggedTask(task))
}
