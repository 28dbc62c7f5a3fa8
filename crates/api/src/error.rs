//! The one error type of the HTTP edge, rendered as RFC 9457 problem+json.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::{FieldError, ValidationErrors};
use serde::Serialize;
use store::StoreError;

use crate::request_id::RequestId;
use utoipa::ToSchema;

/// Everything a handler can answer besides success. Internal details are logged, never sent.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body is not JSON.
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    /// 400: a field the API does not know, or one only the server may set.
    #[error("field not allowed: {field}")]
    UnknownField {
        /// The field's name.
        field: String,
        /// Whether only the server may set it (as opposed to not existing at all).
        server_owned: bool,
    },
    /// 400: a query parameter is invalid.
    #[error("invalid query: {0}")]
    InvalidQuery(ValidationErrors),
    /// 401: no valid token.
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    /// 403: the token's role may not do this.
    #[error("forbidden")]
    Forbidden,
    /// 404: no such object for this tenant (also for another tenant's object).
    #[error("not found")]
    NotFound,
    /// 405: the path exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409: a live task of the tenant already has the code.
    #[error("duplicate code {0}")]
    DuplicateCode(String),
    /// 409: the task changed since the caller read it.
    #[error("version conflict: expected {expected}, current {current}")]
    VersionConflict {
        /// The version the caller named.
        expected: i64,
        /// The stored version.
        current: i64,
    },
    /// 413: the body is larger than the API accepts.
    #[error("payload larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// 422: the request is well-formed but describes an invalid task.
    #[error("validation failed: {0}")]
    Validation(ValidationErrors),
    /// 429: the tenant would have more live tasks than its quota allows.
    #[error("task quota of {limit} reached")]
    TaskQuota {
        /// The tenant's most live tasks.
        limit: u32,
    },
    /// 503: the database cannot take requests right now (down, restarting, out of disk);
    /// the cause is logged.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// 500: something failed inside; the cause is logged.
    #[error("internal: {0}")]
    Internal(String),
}

/// What a 503 asks clients to wait before trying again.
const RETRY_AFTER_SECONDS: u32 = 5;

/// A problem+json body (RFC 9457) with Sundial's stable `code` and, for validation, the fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URN naming the problem kind.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the problem kind.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// What went wrong in this request.
    pub detail: String,
    /// Stable machine-readable code.
    pub code: String,
    /// Invalid fields, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// The request's id (also in the `X-Request-Id` response header); quote it when reporting
    /// a problem, it names the request in the service's logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// One invalid field of a request.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    /// Dotted path of the field, e.g. `trigger_config.cron`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl From<FieldError> for ProblemField {
    fn from(e: FieldError) -> Self {
        Self {
            field: e.field,
            message: e.message,
        }
    }
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::MalformedJson(_)
            | ApiError::UnknownField { .. }
            | ApiError::InvalidQuery(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::DuplicateCode(_) | ApiError::VersionConflict { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TaskQuota { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine-readable code of this problem.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::MalformedJson(_) => "malformed_json",
            ApiError::UnknownField {
                server_owned: true, ..
            } => "forbidden_field",
            ApiError::UnknownField { .. } => "unknown_field",
            ApiError::InvalidQuery(_) => "invalid_query",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::DuplicateCode(_) => "duplicate_code",
            ApiError::VersionConflict { .. } => "version_conflict",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::Validation(_) => "validation_failed",
            ApiError::TaskQuota { .. } => "quota_exceeded",
            ApiError::Unavailable(_) => "store_unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            ApiError::MalformedJson(_) => "Malformed JSON",
            ApiError::UnknownField { .. } => "Field not allowed",
            ApiError::InvalidQuery(_) => "Invalid query parameter",
            ApiError::Unauthorized(_) => "Authentication required",
            ApiError::Forbidden => "Permission denied",
            ApiError::NotFound => "Not found",
            ApiError::MethodNotAllowed => "Method not allowed",
            ApiError::DuplicateCode(_) => "Duplicate code",
            ApiError::VersionConflict { .. } => "Version conflict",
            ApiError::PayloadTooLarge(_) => "Request body too large",
            ApiError::Validation(_) => "Invalid task",
            ApiError::TaskQuota { .. } => "Quota exceeded",
            ApiError::Unavailable(_) => "Service unavailable",
            ApiError::Internal(_) => "Internal error",
        }
    }

    fn detail_and_fields(self) -> (String, Vec<ProblemField>) {
        match self {
            ApiError::MalformedJson(why) => {
                (format!("The request body is not valid JSON: {why}"), vec![])
            }
            ApiError::UnknownField {
                field,
                server_owned,
            } => {
                let message = if server_owned {
                    "is set by the server and may not be sent"
                } else {
                    "is not a field of this request"
                };
                (
                    format!("`{field}` {message}."),
                    vec![ProblemField {
                        field,
                        message: message.into(),
                    }],
                )
            }
            ApiError::InvalidQuery(errors) => (
                "One or more query parameters are invalid.".into(),
                errors.0.into_iter().map(Into::into).collect(),
            ),
            ApiError::Unauthorized(why) => (why.into(), vec![]),
            ApiError::Forbidden => ("Your role does not allow this action.".into(), vec![]),
            ApiError::NotFound => ("No such object.".into(), vec![]),
            ApiError::MethodNotAllowed => ("This path does not accept that method.".into(), vec![]),
            ApiError::DuplicateCode(code) => (
                format!("A task with code `{code}` already exists."),
                vec![ProblemField {
                    field: "code".into(),
                    message: "already exists".into(),
                }],
            ),
            ApiError::VersionConflict { expected, current } => (
                format!(
                    "The task is at version {current}, not {expected}; reload it and try again."
                ),
                vec![],
            ),
            ApiError::TaskQuota { limit } => (
                format!(
                    "The tenant may have at most {limit} tasks; delete some or ask the operator \
                     for a larger quota."
                ),
                vec![],
            ),
            ApiError::PayloadTooLarge(limit) => (
                format!("The request body is larger than {limit} bytes."),
                vec![],
            ),
            ApiError::Validation(errors) => (
                format!("{} field(s) are invalid.", errors.0.len()),
                errors.0.into_iter().map(Into::into).collect(),
            ),
            ApiError::Unavailable(_) => (
                format!(
                    "The database cannot take requests right now; nothing was changed. Try \
                     again in {RETRY_AFTER_SECONDS} seconds."
                ),
                vec![],
            ),
            ApiError::Internal(_) => (
                "Something went wrong on our side; it has been logged.".into(),
                vec![],
            ),
        }
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        ApiError::Validation(errors)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::DuplicateCode(code) => ApiError::DuplicateCode(code),
            StoreError::VersionConflict { expected, current } => {
                ApiError::VersionConflict { expected, current }
            }
            other if other.is_unavailable() => ApiError::Unavailable(other.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let code = self.code();
        let title = self.title();
        match &self {
            ApiError::Internal(cause) => tracing::error!(%cause, "internal error"),
            ApiError::Unavailable(cause) => tracing::warn!(%cause, "store unavailable"),
            _ => {}
        }
        let (detail, errors) = self.detail_and_fields();
        let problem = Problem {
            kind: format!("urn:sundial:problem:{code}"),
            title: title.into(),
            status: status.as_u16(),
            detail,
            code: code.into(),
            errors,
            request_id: RequestId::current(),
        };
        let mut response = (status, axum::Json(problem)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
        }
        response
    }
}
