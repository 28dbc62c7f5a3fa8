//! The one error type of the HTTP edge, rendered as RFC 9457 problem+json.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::{FieldError, ValidationErrors};
use serde::Serialize;
use store::StoreError;

use crate::rate_limit::Limited;
use crate::request_id::RequestId;
use utoipa::ToSchema;

/// Everything a handler can answer besides success. Internal details are logged, never sent.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body is not JSON.
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    /// 400: fields the API does not know, or ones only the server may set; every one of
    /// them, found before any value is judged.
    #[error("fields not allowed: {0:?}")]
    UnknownFields(Vec<UnknownField>),
    /// 400: a query parameter is invalid.
    #[error("invalid query: {0}")]
    InvalidQuery(ValidationErrors),
    /// 422: query parameters that parse but ask for a range the API does not serve.
    #[error("invalid range: {0}")]
    InvalidRange(ValidationErrors),
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
    /// 412: `If-Match` names no version the task is at.
    #[error("precondition failed: current version {current}")]
    PreconditionFailed {
        /// The stored version.
        current: i64,
    },
    /// 415: a `PATCH` whose body is not a JSON Merge Patch.
    #[error("unsupported media type")]
    UnsupportedMediaType,
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
    /// 429: the tenant, the client or the address sent more requests than its rate allows.
    #[error("rate limited ({})", .0.scope.as_str())]
    RateLimited(Limited),
    /// 408: the request body did not arrive in time.
    #[error("request body timeout")]
    BodyTimeout,
    /// 503: the database cannot take requests right now (down, restarting, out of disk);
    /// the cause is logged.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// 500: something failed inside; the cause is logged.
    #[error("internal: {0}")]
    Internal(String),
}

/// A field a request may not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownField {
    /// The field's path, e.g. `trigger_config.colour`.
    pub field: String,
    /// Whether only the server may set it (as opposed to not existing at all).
    pub server_owned: bool,
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

/// One invalid field of a request: a stable `code` with its parameters (e.g. `max`), so a
/// client can say it in its own words, and the server's English `message`.
/// Its OpenAPI schema, which lists the parameters, is the one of [`crate::openapi`].
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    /// Dotted path of the field, e.g. `trigger_config.cron` or `tasks[3].name`.
    pub field: String,
    /// What is wrong, one of the codes of `FieldErrorCode`.
    pub code: &'static str,
    /// What is wrong, in English.
    pub message: String,
    /// The code's parameters: `min` and `max` (numbers, lengths, counts or instants),
    /// `expected` (a JSON type), `allowed` (the values of an enum), `period` (seconds).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub params: serde_json::Map<String, serde_json::Value>,
}

impl From<FieldError> for ProblemField {
    fn from(e: FieldError) -> Self {
        let (code, params) = crate::field_codes::classify(&e.field, &e.message);
        Self {
            field: e.field,
            code,
            message: e.message,
            params,
        }
    }
}

impl From<UnknownField> for ProblemField {
    fn from(unknown: UnknownField) -> Self {
        let (code, message) = if unknown.server_owned {
            (
                "forbidden_field",
                "is set by the server and may not be sent",
            )
        } else {
            ("unknown_field", "is not a field of this request")
        };
        Self {
            field: unknown.field,
            code,
            message: message.into(),
            params: serde_json::Map::new(),
        }
    }
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::MalformedJson(_) | ApiError::UnknownFields(_) | ApiError::InvalidQuery(_) => {
                StatusCode::BAD_REQUEST
            }
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::DuplicateCode(_) | ApiError::VersionConflict { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) | ApiError::InvalidRange(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TaskQuota { .. } | ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine-readable code of this problem.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::MalformedJson(_) => "malformed_json",
            // A field that exists nowhere is the likelier mistake; it names the problem.
            ApiError::UnknownFields(fields) if fields.iter().all(|f| f.server_owned) => {
                "forbidden_field"
            }
            ApiError::UnknownFields(_) => "unknown_field",
            ApiError::InvalidQuery(_) => "invalid_query",
            ApiError::InvalidRange(_) => "invalid_range",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::DuplicateCode(_) => "duplicate_code",
            ApiError::VersionConflict { .. } => "version_conflict",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::PreconditionFailed { .. } => "precondition_failed",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::Validation(_) => "validation_failed",
            ApiError::TaskQuota { .. } => "quota_exceeded",
            ApiError::RateLimited(_) => "rate_limited",
            ApiError::BodyTimeout => "request_timeout",
            ApiError::Unavailable(_) => "store_unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            ApiError::MalformedJson(_) => "Malformed JSON",
            ApiError::UnknownFields(_) => "Field not allowed",
            ApiError::InvalidQuery(_) => "Invalid query parameter",
            ApiError::InvalidRange(_) => "Range not served",
            ApiError::Unauthorized(_) => "Authentication required",
            ApiError::Forbidden => "Permission denied",
            ApiError::NotFound => "Not found",
            ApiError::MethodNotAllowed => "Method not allowed",
            ApiError::DuplicateCode(_) => "Duplicate code",
            ApiError::VersionConflict { .. } => "Version conflict",
            ApiError::PayloadTooLarge(_) => "Request body too large",
            ApiError::PreconditionFailed { .. } => "Precondition failed",
            ApiError::UnsupportedMediaType => "Unsupported media type",
            ApiError::Validation(_) => "Invalid task",
            ApiError::TaskQuota { .. } => "Quota exceeded",
            ApiError::RateLimited(_) => "Too many requests",
            ApiError::BodyTimeout => "Request timeout",
            ApiError::Unavailable(_) => "Service unavailable",
            ApiError::Internal(_) => "Internal error",
        }
    }

    fn detail_and_fields(self) -> (String, Vec<ProblemField>) {
        match self {
            ApiError::MalformedJson(why) => {
                (format!("The request body is not valid JSON: {why}"), vec![])
            }
            ApiError::UnknownFields(fields) => {
                let fields: Vec<ProblemField> = fields.into_iter().map(Into::into).collect();
                let detail = match fields.as_slice() {
                    [one] => format!("`{}` {}.", one.field, one.message),
                    many => format!("{} fields may not be sent.", many.len()),
                };
                (detail, fields)
            }
            ApiError::InvalidQuery(errors) => (
                "One or more query parameters are invalid.".into(),
                errors.0.into_iter().map(Into::into).collect(),
            ),
            ApiError::InvalidRange(errors) => (
                "The range asked for is empty or holds too many buckets.".into(),
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
                    code: "duplicate_code",
                    message: "already exists".into(),
                    params: serde_json::Map::new(),
                }],
            ),
            ApiError::VersionConflict { expected, current } => (
                format!(
                    "The task is at version {current}, not {expected}; reload it and try again."
                ),
                vec![],
            ),
            ApiError::PreconditionFailed { current } => (
                format!(
                    "The task is at version {current} (ETag \"{current}\"), which If-Match does not \
                     name; reload it and try again."
                ),
                vec![],
            ),
            ApiError::UnsupportedMediaType => (
                "PATCH takes a JSON Merge Patch: send Content-Type: application/merge-patch+json."
                    .into(),
                vec![],
            ),
            ApiError::TaskQuota { limit } => (
                format!(
                    "The tenant may have at most {limit} tasks; delete some or ask the operator \
                     for a larger quota."
                ),
                vec![],
            ),
            ApiError::RateLimited(limited) => (
                format!(
                    "Too many requests for this {}; try again in {} second(s).",
                    limited.scope.as_str(),
                    limited.retry_after_seconds
                ),
                vec![],
            ),
            ApiError::BodyTimeout => (
                "The request body did not arrive in time; nothing was changed.".into(),
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
    /// A 422 listing every error; but when some of them are fields the request may not have
    /// (an unknown key of a `trigger_config`, say), a 400 listing those, which come first.
    fn from(errors: ValidationErrors) -> Self {
        match split_unknown(errors) {
            Ok(errors) => ApiError::Validation(errors),
            Err(unknown) => ApiError::UnknownFields(unknown),
        }
    }
}

/// The errors, or the fields among them that the request may not have (a key a
/// configuration does not know), which take precedence.
pub(crate) fn split_unknown(
    errors: ValidationErrors,
) -> Result<ValidationErrors, Vec<UnknownField>> {
    let unknown: Vec<UnknownField> = errors
        .0
        .iter()
        .filter(|e| crate::field_codes::classify(&e.field, &e.message).0 == "unknown_field")
        .map(|e| UnknownField {
            field: e.field.clone(),
            server_owned: false,
        })
        .collect();
    if unknown.is_empty() {
        Ok(errors)
    } else {
        Err(unknown)
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
            StoreError::Invalid(errors) => ApiError::Validation(errors),
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
        let retry_after = match &self {
            ApiError::RateLimited(limited) => Some(limited.retry_after_seconds),
            _ => None,
        };
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
        if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
            headers.insert(
                "accept-patch",
                HeaderValue::from_static("application/merge-patch+json"),
            );
        }
        if let Some(seconds) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        // The rest of the body was never read, so the server closes the connection after this
        // answer; saying so keeps a client from sending its next request down a closing one.
        if matches!(
            status,
            StatusCode::PAYLOAD_TOO_LARGE | StatusCode::REQUEST_TIMEOUT
        ) {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}
