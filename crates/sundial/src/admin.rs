//! The admin listener (`SUNDIAL_ADMIN_LISTEN`, off by default): what only operators may see,
//! on an address they keep off the tenants' network. `/metrics` with every sandbox layer, and
//! `/sandbox`, the start-up probe's report (helper paths, the sandbox user, each layer's
//! finding).

use std::sync::Arc;

use api::{ApiError, SandboxHealth};
use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::Metrics;
use exec::python::ProbeReport;

/// What the admin routes read.
#[derive(Clone)]
pub struct Admin {
    /// The service's counters.
    pub metrics: Arc<Metrics>,
    /// The sandbox's state, for the gauges.
    pub sandbox: Arc<SandboxHealth>,
    /// The start-up probe's findings.
    pub probe: Arc<ProbeReport>,
}

/// `/metrics` and `/sandbox`; anything else is a problem+json 404.
pub fn router(admin: Admin) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/sandbox", get(sandbox))
        .fallback(|| async { ApiError::NotFound })
        .with_state(admin)
}

async fn metrics(axum::extract::State(admin): axum::extract::State<Admin>) -> Response {
    let mut text = admin.metrics.render();
    admin.sandbox.render_metrics(&mut text);
    api::prometheus_text(text)
}

async fn sandbox(axum::extract::State(admin): axum::extract::State<Admin>) -> Response {
    axum::Json(admin.probe.as_ref().clone()).into_response()
}
