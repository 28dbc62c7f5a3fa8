//! Health and fallback routes.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::{ApiError, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
}

/// Liveness and readiness report.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `unavailable` (the database). A python sandbox that is unavailable does not
    /// make the service unhealthy: only python tasks fail, see `sandbox`.
    pub status: &'static str,
    /// Whether the database answered.
    pub database: bool,
    /// Sundial's version.
    pub version: &'static str,
    /// Whether this node can run `python_script` tasks, as found by the start-up probe.
    pub sandbox: SandboxHealth,
}

/// Whether `python_script` tasks can run on this node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SandboxStatus {
    /// Every sandbox layer is in place.
    Ready,
    /// Python tasks run, without the optional layers listed in `degraded` (the operator
    /// allowed it with `SUNDIAL_SANDBOX_ALLOW_DEGRADED`).
    Degraded,
    /// Python tasks fail closed with `error`; everything else works.
    Unavailable,
}

/// One isolation layer of the python sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SandboxLayer {
    /// Whether it is in place.
    pub ok: bool,
    /// What the probe found.
    pub detail: String,
}

/// The python sandbox as the start-up probe found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SandboxHealth {
    /// `ready`, `degraded` or `unavailable`.
    pub status: SandboxStatus,
    /// Why python tasks cannot run, when they cannot.
    pub error: Option<String>,
    /// Optional layers missing with the operator's consent (`landlock`, `cgroups`).
    pub degraded: Vec<String>,
    /// Warnings an operator must see (degraded layers, partial kernel support).
    pub warnings: Vec<String>,
    /// The interpreter's version inside the sandbox.
    pub python: Option<String>,
    /// Each layer by name (`user_ns`, `pid_ns`, `seccomp`, `landlock`, `cgroups`, ...).
    pub layers: BTreeMap<String, SandboxLayer>,
}

impl SandboxHealth {
    /// No sandbox was set up (a deployment or test without python execution).
    pub fn not_configured() -> Self {
        Self {
            status: SandboxStatus::Unavailable,
            error: Some("the python sandbox is not configured on this node".into()),
            degraded: Vec::new(),
            warnings: Vec::new(),
            python: None,
            layers: BTreeMap::new(),
        }
    }
}

async fn health(state: &AppState) -> (StatusCode, Json<Health>) {
    let database = match state.store.ping().await {
        Ok(()) => true,
        Err(error) => {
            tracing::warn!(%error, "database ping failed");
            false
        }
    };
    let status = if database {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = Health {
        status: if database { "ok" } else { "unavailable" },
        database,
        version: env!("CARGO_PKG_VERSION"),
        sandbox: (*state.sandbox).clone(),
    };
    (status, Json(body))
}

/// Health of the service, its database and the python sandbox. Needs no token.
///
/// 503 only when the database is down; an unavailable sandbox shows in `sandbox` with a 200.
#[utoipa::path(get, path = "/healthz", tag = "system", security(()),
    responses((status = 200, body = Health), (status = 503, body = Health)))]
async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    health(&state).await
}

/// Whether this node can serve requests. Needs no token.
#[utoipa::path(get, path = "/readyz", tag = "system", security(()),
    responses((status = 200, body = Health), (status = 503, body = Health)))]
async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    health(&state).await
}

/// The service's counters in the Prometheus text format. Needs no token: no label names a
/// tenant, task or destination.
#[utoipa::path(get, path = "/metrics", tag = "system", security(()),
    responses((status = 200, description = "Counters such as `sundial_egress_refused_total{reason=\"address\"}`",
        body = String, content_type = "text/plain; version=0.0.4")))]
async fn metrics(State(state): State<AppState>) -> impl axum::response::IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

/// Unknown paths answer problem+json like everything else.
pub async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// A known path with the wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
