//! Sundial's HTTP API.
//!
//! Every route under `/api/tree-root/scheduled-tasks` and `/api/tree-root/tenant` is
//! authenticated by [`auth::Caller`], scoped to the caller's tenant, and answers errors as
//! problem+json ([`ApiError`]). `/livez`, `/readyz`, `/healthz` and `/metrics` need no token.
//! Every request but the health probes is rate limited ([`rate_limit`]); every response
//! carries the browser security headers ([`with_security_headers`]).

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use domain::{Clock, EgressRules, Metrics};
use engine::{Liveness, Wakeup};
use store::Store;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

pub mod auth;
mod dto;
mod error;
mod etag;
mod extract;
mod field_codes;
mod http_metrics;
mod openapi;
mod quotas;
pub mod rate_limit;
mod request_id;
mod routes;
mod run_args;
mod security_headers;
mod update;

pub use auth::Auth;
pub use error::{ApiError, Problem};
pub use quotas::TenantQuotas;
pub use rate_limit::{RateLimitSettings, RateLimits};
pub use request_id::with_request_ids;
pub use routes::system::prometheus_text;
pub use routes::system::{SandboxHealth, SandboxStatus};
pub use security_headers::with_security_headers;

/// The path prefix of the task API, as in the original design.
pub const TASKS_PREFIX: &str = "/api/tree-root/scheduled-tasks";

/// The path prefix of the caller's tenant's own resources (its settings).
pub const TENANT_PREFIX: &str = "/api/tree-root/tenant";

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// Persistence: tasks, runs, run control, tenant settings, readiness.
    pub store: Arc<dyn Store>,
    /// Token verification.
    pub auth: Auth,
    /// Source of "now" for validation and next-fire computation.
    pub clock: Arc<dyn Clock>,
    /// Pokes the engine after every task change and queued run, so it reacts at once.
    pub wake: Wakeup,
    /// The python sandbox's state, for `/metrics`.
    pub sandbox: Arc<SandboxHealth>,
    /// Whether the engine's loops are alive, for `/livez`.
    pub liveness: Liveness,
    /// The egress policy's input-only checks: `api_call` URLs at create and update, tenant
    /// allow-list entries.
    pub egress: Arc<dyn EgressRules>,
    /// The service's counters, served on `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Per-tenant limits on tasks and how often they fire.
    pub quotas: TenantQuotas,
    /// Request rates per tenant, client and address.
    pub rate_limits: Arc<RateLimits>,
    /// Whether `/metrics` is served here; false when the admin listener serves it.
    pub public_metrics: bool,
    /// How long finished runs are kept (`SUNDIAL_RUN_RETENTION_DAYS`; `None`: for ever);
    /// deleted tasks stay restorable as long.
    pub run_retention: Option<std::time::Duration>,
    /// Whether an SMTP relay is configured (`SUNDIAL_SMTP_HOST`): without one, email channels
    /// are refused.
    pub email_relay: bool,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sundial",
        description = "Multi-tenant scheduled tasks: define HTTP calls and Python scripts on cron, interval or date triggers; read their runs and logs.",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "tasks", description = "Task definitions"),
        (name = "runs", description = "Runs and their logs"),
        (name = "tenant", description = "Settings of the caller's tenant"),
        (name = "notifications", description = "Notification channels, rules and deliveries"),
        (name = "system", description = "Health and documentation")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("JWT (HS256 with the deployment's secret, or RS256/ES256/EdDSA with a key of the identity provider's JWKS) with an integer `tenant_id` claim, `sub`, `exp` and optional `roles`; claim names are configurable."))
                    .build(),
            ),
        );
    }
}

/// The router and the OpenAPI document generated from its handlers.
fn api_router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest(
            TASKS_PREFIX,
            routes::tasks::router()
                .merge(routes::definitions::router())
                .merge(routes::history::router())
                .merge(routes::runs::router())
                .merge(routes::deleted::router())
                .merge(routes::chains::router())
                .merge(routes::deadlines::router())
                .merge(routes::notify::task_router()),
        )
        .nest(
            TENANT_PREFIX,
            routes::tenant::router().merge(routes::notify::router()),
        )
        .merge(routes::system::router())
        .split_for_parts()
}

/// The OpenAPI document of this API (`sundial openapi`, `/api/openapi.json`).
pub fn openapi() -> serde_json::Value {
    openapi::document(api_router().1)
}

/// The complete HTTP application.
pub fn app(state: AppState) -> Router {
    let (router, generated) = api_router();
    router
        .route(
            &format!("{TASKS_PREFIX}/"),
            routes::tasks::create_with_trailing_slash(),
        )
        .merge(
            SwaggerUi::new("/api/docs")
                .external_url_unchecked("/api/openapi.json", openapi::document(generated)),
        )
        .fallback(routes::system::not_found)
        .method_not_allowed_fallback(routes::system::method_not_allowed)
        .layer(DefaultBodyLimit::max(extract::MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit::limit,
        ))
        // Outermost, so that refused (rate-limited, oversized) requests are counted too.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http_metrics::record,
        ))
        .with_state(state)
}
