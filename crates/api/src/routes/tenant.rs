//! `/api/tree-root/tenant`: the caller's tenant's own settings.

use axum::Json;
use axum::extract::State;
use domain::ValidationErrors;
use store::Change;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::dto::{TenantSettingsRequest, TenantSettingsResponse};
use crate::error::Problem;
use crate::extract::JsonBody;
use crate::{ApiError, AppState};

/// Most entries a tenant allow-list may have.
pub(crate) const MAX_ALLOW_ENTRIES: usize = 100;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_settings, put_settings))
}

/// The settings of your tenant (defaults when never set).
#[utoipa::path(get, path = "/settings", tag = "tenant",
    responses(
        (status = 200, body = TenantSettingsResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_settings(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<TenantSettingsResponse>, ApiError> {
    let tenant = caller.0.tenant;
    let settings = state.store.tenant_settings(tenant).await?;
    Ok(Json(TenantSettingsResponse::new(tenant, settings)))
}

/// Change the settings of your tenant (admins only); fields left out stay as they are.
/// The egress allow-list only narrows what the deployment allows; it applies to every attempt
/// that starts a few seconds after the change.
#[utoipa::path(put, path = "/settings", tag = "tenant", request_body = TenantSettingsRequest,
    responses(
        (status = 200, body = TenantSettingsResponse),
        (status = 400, description = "Malformed JSON or an unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An invalid entry; `errors` names it, e.g. `egress_allow[2]`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn put_settings(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<TenantSettingsRequest>,
) -> Result<Json<TenantSettingsResponse>, ApiError> {
    caller.require_admin()?;
    let tenant = caller.0.tenant;
    if let Some(list) = request.egress_allow {
        let canonical = list
            .map(|entries| canonical_allow_list(&state, &entries))
            .transpose()?;
        let change = Change {
            tenant,
            actor: &caller.0.subject,
            at: state.clock.now(),
        };
        state
            .store
            .set_tenant_egress_allow(canonical.as_deref(), change)
            .await?;
    }
    let settings = state.store.tenant_settings(tenant).await?;
    Ok(Json(TenantSettingsResponse::new(tenant, settings)))
}

/// The entries parsed one by one, each error naming its entry; joined in canonical form.
fn canonical_allow_list(state: &AppState, entries: &[String]) -> Result<String, ApiError> {
    if entries.len() > MAX_ALLOW_ENTRIES {
        return Err(ValidationErrors::one(
            "egress_allow",
            format!("at most {MAX_ALLOW_ENTRIES} entries"),
        )
        .into());
    }
    let mut errors = ValidationErrors::default();
    let mut canonical = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        match state.egress.parse_allow_entry(entry.trim()) {
            Ok(entry) => canonical.push(entry),
            Err(reason) => errors.push(format!("egress_allow[{index}]"), reason),
        }
    }
    Ok(errors.into_result(|| canonical.join(","))?)
}
