//! Request extractors that turn every malformed input into a precise problem+json error.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{ApiError, AppState};

/// Largest request body the API reads; larger ones answer 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Fields only the server sets. Sending one is a mass-assignment attempt, answered with 400.
const SERVER_OWNED: &[&str] = &[
    "id",
    "uuid",
    "tenant_id",
    "inngest_function_id",
    "is_running",
    "next_run_at",
    "last_run_at",
    "last_run_status",
    "last_error",
    "created_at",
    "updated_at",
    "deleted_at",
    "created_by",
    "updated_by",
    "timezone",
];

/// A JSON body: 400 for bad syntax, unknown or server-owned fields; 422 naming the field for
/// values of the wrong type; 413 when too large.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge(MAX_BODY_BYTES)
                } else {
                    ApiError::MalformedJson(rejection.body_text())
                }
            })?;
        let value: Value =
            serde_json::from_slice(&bytes).map_err(|e| ApiError::MalformedJson(e.to_string()))?;
        from_value(value, "").map(JsonBody)
    }
}

/// A JSON value as `T`, with [`JsonBody`]'s errors; `prefix` (e.g. `tasks[3]`) goes in front
/// of every field the errors name, for values nested in a larger body.
pub fn from_value<T: DeserializeOwned>(value: Value, prefix: &str) -> Result<T, ApiError> {
    let at = |field: String| match (prefix.is_empty(), field.is_empty()) {
        (true, _) => field,
        (false, true) => prefix.to_owned(),
        (false, false) => format!("{prefix}.{field}"),
    };
    if let Value::Object(object) = &value
        && let Some(field) = object.keys().find(|k| SERVER_OWNED.contains(&k.as_str()))
    {
        return Err(ApiError::UnknownField {
            field: at(field.clone()),
            server_owned: true,
        });
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let quoted = |prefix: &str| {
            message
                .strip_prefix(prefix)
                .and_then(|rest| rest.split('`').next())
                .map(str::to_owned)
        };
        if let Some(field) = quoted("unknown field `") {
            return ApiError::UnknownField {
                field: at(field),
                server_owned: false,
            };
        }
        if let Some(field) = quoted("missing field `") {
            return ApiError::Validation(domain::ValidationErrors::one(at(field), "is required"));
        }
        let field = if path == "." { String::new() } else { path };
        ApiError::Validation(domain::ValidationErrors::one(at(field), message))
    })
}
