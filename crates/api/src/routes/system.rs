//! Health, metrics and fallback routes.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::{ApiError, AppState, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(livez))
        .routes(routes!(readyz))
        .routes(routes!(healthz))
        .routes(routes!(metrics))
}

/// How long `/readyz` waits for the store's answer: an orchestrator's probe gets a clear 503
/// within a second whatever the database does (an unreachable PostgreSQL would otherwise hold
/// the request for the pool's acquire timeout).
const READINESS_TIMEOUT: Duration = Duration::from_millis(900);

/// Up or down, nothing more: these routes need no token.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `unavailable` (with a 503).
    pub status: &'static str,
}

impl Health {
    fn answer(up: bool) -> (StatusCode, Json<Health>) {
        if up {
            (StatusCode::OK, Json(Health { status: "ok" }))
        } else {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                }),
            )
        }
    }
}

/// Whether the process and the engine's loops are alive; never looks at the database. Needs
/// no token. A 503 means a loop stopped: restart the process.
#[utoipa::path(get, path = "/livez", tag = "system", security(()),
    responses((status = 200, body = Health), (status = 503, body = Health)))]
async fn livez(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    Health::answer(state.liveness.stopped_loops().is_empty())
}

/// Whether the store accepts writes now (a write is made, bounded to under a second). Needs no
/// token. A 503 means this node can neither fire nor record: send no traffic to it.
#[utoipa::path(get, path = "/readyz", tag = "system", security(()),
    responses((status = 200, body = Health), (status = 503, body = Health)))]
async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    ready(&state).await
}

/// The same as `/readyz`. Needs no token.
#[utoipa::path(get, path = "/healthz", tag = "system", security(()),
    responses((status = 200, body = Health), (status = 503, body = Health)))]
async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    ready(&state).await
}

async fn ready(state: &AppState) -> (StatusCode, Json<Health>) {
    let probe = state.store.probe_write(state.clock.now());
    let up = match tokio::time::timeout(READINESS_TIMEOUT, probe).await {
        Ok(Ok(())) => true,
        Ok(Err(error)) => {
            tracing::warn!(%error, "not ready: the store refused a write");
            false
        }
        Err(_) => {
            tracing::warn!(
                timeout = ?READINESS_TIMEOUT,
                "not ready: the store did not take a write in time"
            );
            false
        }
    };
    Health::answer(up)
}

/// Whether `python_script` tasks can run on this node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxStatus {
    /// Every sandbox layer is in place.
    Ready,
    /// Python tasks run, without the optional layers listed in `degraded` (the operator
    /// allowed it with `SUNDIAL_SANDBOX_ALLOW_DEGRADED`).
    Degraded,
    /// Python tasks fail closed with `error`; everything else works.
    Unavailable,
}

impl SandboxStatus {
    /// Its name in the metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            SandboxStatus::Ready => "ready",
            SandboxStatus::Degraded => "degraded",
            SandboxStatus::Unavailable => "unavailable",
        }
    }
}

/// The python sandbox as the start-up probe found it, as far as `/metrics` shows it (the
/// details, with host paths, are in the start-up log and the admin listener's `/sandbox`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxHealth {
    /// `ready`, `degraded` or `unavailable`.
    pub status: SandboxStatus,
    /// Each layer by name (`user_ns`, `pid_ns`, `seccomp`, `landlock`, `cgroups`, ...): whether
    /// it is in place.
    pub layers: BTreeMap<String, bool>,
}

impl SandboxHealth {
    /// Appends the sandbox's state as gauges: `sundial_sandbox_status{status}` is 1 for the
    /// current status, `sundial_sandbox_layer_ok{layer}` 1 for each layer in place (which
    /// tells an attacker which layer to go around: only for the admin listener).
    pub fn render_metrics(&self, out: &mut String) {
        self.render_status(out);
        self.render_layers(out);
    }

    /// Appends `sundial_sandbox_status{status}`, 1 for the current status: what the public
    /// `/metrics` shows of the sandbox.
    pub fn render_status(&self, out: &mut String) {
        use std::fmt::Write as _;
        let _ = writeln!(
            out,
            "# HELP sundial_sandbox_status Whether python_script tasks can run on this node: 1 for its current status.\n\
             # TYPE sundial_sandbox_status gauge"
        );
        for status in [
            SandboxStatus::Ready,
            SandboxStatus::Degraded,
            SandboxStatus::Unavailable,
        ] {
            let _ = writeln!(
                out,
                "sundial_sandbox_status{{status=\"{}\"}} {}",
                status.as_str(),
                u8::from(self.status == status)
            );
        }
    }

    /// Appends `sundial_sandbox_layer_ok{layer}`, 1 for each isolation layer in place.
    pub fn render_layers(&self, out: &mut String) {
        use std::fmt::Write as _;
        let _ = writeln!(
            out,
            "# HELP sundial_sandbox_layer_ok Whether each isolation layer of the python sandbox is in place.\n\
             # TYPE sundial_sandbox_layer_ok gauge"
        );
        for (name, ok) in &self.layers {
            let _ = writeln!(
                out,
                "sundial_sandbox_layer_ok{{layer=\"{name}\"}} {}",
                u8::from(*ok)
            );
        }
    }

    /// No sandbox was set up (a deployment or test without python execution).
    pub fn not_configured() -> Self {
        Self {
            status: SandboxStatus::Unavailable,
            layers: BTreeMap::new(),
        }
    }
}

/// The service's counters and the python sandbox's status in the Prometheus text format. Needs
/// no token: no label names a tenant, task or destination, and nothing says which sandbox
/// layer is missing or where anything is on the host (the admin listener,
/// `SUNDIAL_ADMIN_LISTEN`, has those; when it is set, this path answers 404 and `/metrics` is
/// there).
#[utoipa::path(get, path = "/metrics", tag = "system", security(()),
    responses((status = 200, description = "Counters such as `sundial_egress_refused_total{reason=\"address\"}`",
        body = String, content_type = "text/plain; version=0.0.4"),
        (status = 404, description = "The admin listener serves `/metrics`", body = Problem, content_type = "application/problem+json")))]
async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    if !state.public_metrics {
        return Err(ApiError::NotFound);
    }
    let mut text = state.metrics.render();
    state.sandbox.render_status(&mut text);
    Ok(prometheus_text(text))
}

/// A Prometheus text exposition.
pub fn prometheus_text(text: String) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// Unknown paths answer problem+json like everything else.
pub async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// A known path with the wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
