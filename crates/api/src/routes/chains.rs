//! Chains: the tasks a task's run outcomes queue (`/{uuid}/chains`), and the runs a run queued
//! that way (`/runs/{run_uuid}/children`).

use axum::Json;
use axum::extract::{Path, State};
use domain::{ChainLink, ChainOn, RunUuid, TaskUuid, ValidationErrors};
use serde::{Deserialize, Serialize};
use store::{ChainedTask, MAX_CHAIN_LINKS, TaskChains};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::dto::RunResponse;
use crate::error::Problem;
use crate::extract::JsonBody;
use crate::routes::tasks::{change, task_uuid};
use crate::{ApiError, AppState};

/// A task's chains and chained runs.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_chains, put_chains))
        .routes(routes!(run_children))
}

/// One link of `PUT /{uuid}/chains`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChainLinkRequest {
    /// The task to queue a run of: a live task of your tenant, not this one, and not one whose
    /// own chains lead back to this one.
    pub task_uuid: String,
    /// Which outcomes of this task's runs queue it: `success`, `failure` (failed or timed out
    /// after the last retry) or `completion` (any end, cancelled included).
    #[schema(value_type = String, example = "success")]
    pub on: ChainOn,
}

/// Body of `PUT /{uuid}/chains`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"children": [{"task_uuid": "01938f5e-7a4b-7c3d-9e2f-0123456789ab", "on": "success"}]}))]
pub struct ChainsRequest {
    /// Every link from this task (at most 20), in order; `[]` removes them all.
    pub children: Vec<ChainLinkRequest>,
}

/// A task at the other end of a link.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainedTaskResponse {
    /// The task.
    #[schema(value_type = String, format = Uuid)]
    pub task_uuid: uuid::Uuid,
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Whether it is active; a stopped child records a `skipped` chained run (reason
    /// `stopped`) instead of running.
    pub is_active: bool,
    /// Which outcomes of the parent's runs the link follows.
    #[schema(value_type = String)]
    pub on: String,
}

impl From<ChainedTask> for ChainedTaskResponse {
    fn from(task: ChainedTask) -> Self {
        Self {
            task_uuid: task.task.0,
            code: task.code,
            name: task.name,
            is_active: task.is_active,
            on: task.on.as_str().to_owned(),
        }
    }
}

/// A task's chains both ways.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainsResponse {
    /// The tasks this task's runs queue, in order.
    pub children: Vec<ChainedTaskResponse>,
    /// The tasks whose runs queue this one (deleting this task removes those links).
    pub parents: Vec<ChainedTaskResponse>,
}

impl From<TaskChains> for ChainsResponse {
    fn from(chains: TaskChains) -> Self {
        Self {
            children: chains.children.into_iter().map(Into::into).collect(),
            parents: chains.parents.into_iter().map(Into::into).collect(),
        }
    }
}

/// The chained runs a run queued.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunChildrenResponse {
    /// The runs, oldest first (each names this run as its `parent`).
    pub items: Vec<RunResponse>,
}

/// A task's chains: the tasks its runs queue, and the tasks whose runs queue it.
#[utoipa::path(get, path = "/{uuid}/chains", tag = "tasks",
    params(("uuid" = String, Path, description = "Task uuid")),
    responses(
        (status = 200, body = ChainsResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_chains(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Json<ChainsResponse>, ApiError> {
    let uuid = task_uuid(&uuid)?;
    let chains = state.store.chains(caller.0.tenant, uuid).await?;
    Ok(Json(chains.into()))
}

/// Replace the tasks this task's runs queue. Each run that ends for good (after its last
/// retry) with an outcome a link names queues one run of the linked task, exactly once,
/// with trigger `chain`.
#[utoipa::path(put, path = "/{uuid}/chains", tag = "tasks",
    params(("uuid" = String, Path, description = "Task uuid")),
    request_body = ChainsRequest,
    responses(
        (status = 200, body = ChainsResponse),
        (status = 400, description = "Malformed JSON or an unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A child that is not a live task of your tenant (`unknown_task`), one given twice (`duplicate`), one that would close a cycle (`chain_cycle`), an unknown `on`, more than 20 links", body = Problem, content_type = "application/problem+json"),
    ))]
async fn put_chains(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
    JsonBody(request): JsonBody<ChainsRequest>,
) -> Result<Json<ChainsResponse>, ApiError> {
    caller.require_admin()?;
    let uuid = task_uuid(&uuid)?;
    let links = parse_links(&request)?;
    let chains = state
        .store
        .set_chains(uuid, &links, change(&caller, state.clock.now()))
        .await?;
    Ok(Json(chains.into()))
}

/// The links of a request, or every field that is wrong with them.
fn parse_links(request: &ChainsRequest) -> Result<Vec<ChainLink>, ApiError> {
    let mut errors = ValidationErrors::default();
    if request.children.len() > MAX_CHAIN_LINKS {
        errors.push("children", format!("at most {MAX_CHAIN_LINKS} links"));
    }
    let mut links = Vec::with_capacity(request.children.len());
    for (i, child) in request.children.iter().enumerate() {
        match child.task_uuid.parse() {
            Ok(uuid) => links.push(ChainLink {
                task: TaskUuid(uuid),
                on: child.on,
            }),
            Err(_) => errors.push(format!("children[{i}].task_uuid"), "must be a uuid"),
        }
    }
    errors.into_result(|| links).map_err(ApiError::Validation)
}

/// The chained runs a run queued, oldest first: one per link of its task whose outcome
/// matched, `queued` (or run since) or `skipped` (reason `stopped`) for a stopped child.
#[utoipa::path(get, path = "/runs/{run_uuid}/children", tag = "runs",
    params(("run_uuid" = String, Path, description = "Run uuid")),
    responses(
        (status = 200, body = RunChildrenResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn run_children(
    State(state): State<AppState>,
    caller: Caller,
    Path(run_uuid): Path<String>,
) -> Result<Json<RunChildrenResponse>, ApiError> {
    let run = run_uuid
        .parse()
        .map(RunUuid)
        .map_err(|_| ApiError::NotFound)?;
    let runs = state.store.chained_runs(caller.0.tenant, run).await?;
    Ok(Json(RunChildrenResponse {
        items: runs.into_iter().map(Into::into).collect(),
    }))
}
