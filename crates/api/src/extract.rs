//! Request extractors that turn every malformed input into a precise problem+json error.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use domain::ValidationErrors;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::UnknownField;
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
    "last_run_outcome",
    "last_error",
    "last_run_duration_ms",
    "recent_outcomes",
    "created_at",
    "updated_at",
    "deleted_at",
    "created_by",
    "updated_by",
    "timezone",
    "dst_policy",
    "schedule_notice",
];

/// A JSON body: 400 for bad syntax, unknown or server-owned fields; 422 naming the field for
/// values of the wrong type; 413 when too large.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let JsonValue(value) = JsonValue::from_request(request, state).await?;
        from_value(value, "").map(JsonBody)
    }
}

/// Any JSON body, read as a value: 400 for bad syntax (on its own, before anything else is
/// judged), 413 when too large. For bodies read field by field ([`ObjectReader`]).
#[derive(Debug)]
pub struct JsonValue(pub Value);

impl FromRequest<AppState> for JsonValue {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = body_bytes(request, state).await?;
        serde_json::from_slice(&bytes)
            .map(JsonValue)
            .map_err(|e| ApiError::MalformedJson(e.to_string()))
    }
}

/// A JSON body that may be left out: no body (or only whitespace) is `None`; otherwise as
/// [`JsonValue`].
#[derive(Debug)]
pub struct OptionalJsonValue(pub Option<Value>);

impl FromRequest<AppState> for OptionalJsonValue {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = body_bytes(request, state).await?;
        if bytes.trim_ascii().is_empty() {
            return Ok(OptionalJsonValue(None));
        }
        serde_json::from_slice(&bytes)
            .map(|value| OptionalJsonValue(Some(value)))
            .map_err(|e| ApiError::MalformedJson(e.to_string()))
    }
}

/// The request body: 413 when too large, 408 when it does not arrive in time.
async fn body_bytes(request: Request, state: &AppState) -> Result<Bytes, ApiError> {
    Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge(MAX_BODY_BYTES)
            } else if timed_out(&rejection) {
                ApiError::BodyTimeout
            } else {
                ApiError::MalformedJson(rejection.body_text())
            }
        })
}

/// Whether reading the body failed because it did not arrive within the server's body
/// timeout (`SUNDIAL_HTTP_BODY_TIMEOUT_SECONDS`).
fn timed_out(rejection: &(dyn std::error::Error + 'static)) -> bool {
    std::iter::successors(Some(rejection), |error| error.source())
        .any(|error| error.is::<tower_http::timeout::TimeoutError>())
}

/// `field` under `prefix` (e.g. `tasks[3]`), for values nested in a larger body.
pub fn prefixed(prefix: &str, field: &str) -> String {
    match (prefix.is_empty(), field.is_empty()) {
        (true, _) => field.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) => format!("{prefix}.{field}"),
    }
}

/// Reads a JSON object field by field, recording every problem instead of stopping at the
/// first: the fields it may not have (unknown or server-owned, a 400) and the values that are
/// missing or of the wrong type (a 422), each named under `prefix`.
#[derive(Debug)]
pub struct ObjectReader {
    object: Map<String, Value>,
    prefix: String,
    /// Fields the object may not have.
    pub unknown: Vec<UnknownField>,
    /// Values that are missing or of the wrong type.
    pub errors: ValidationErrors,
}

impl ObjectReader {
    /// A reader of `value`, which may have the fields `known`. A value that is not an object
    /// is a 422 on `prefix` itself (the empty field for a whole body).
    pub fn new(value: Value, prefix: &str, known: &[&str]) -> Result<Self, ValidationErrors> {
        let Value::Object(object) = value else {
            return Err(ValidationErrors::one(prefix, "must be a JSON object"));
        };
        let unknown = object
            .keys()
            .filter(|key| !known.contains(&key.as_str()))
            .map(|key| UnknownField {
                field: prefixed(prefix, key),
                server_owned: SERVER_OWNED.contains(&key.as_str()),
            })
            .collect();
        Ok(Self {
            object,
            prefix: prefix.to_owned(),
            unknown,
            errors: ValidationErrors::default(),
        })
    }

    /// Takes over the findings of a reader of a nested object.
    pub fn absorb(&mut self, nested: ObjectReader) {
        self.unknown.extend(nested.unknown);
        self.errors.0.extend(nested.errors.0);
    }

    /// An optional string parsed into `T`; another type, or a string `T` refuses, is an
    /// error (and `None`).
    pub fn parsed<T: std::str::FromStr<Err = String>>(&mut self, key: &str) -> Option<T> {
        let text = self.string(key)?;
        text.parse()
            .map_err(|message: String| self.fail(key, &message))
            .ok()
    }

    /// The value of `key`; absent and `null` are `None`.
    fn take(&mut self, key: &str) -> Option<Value> {
        self.object.remove(key).filter(|v| !v.is_null())
    }

    fn fail(&mut self, key: &str, message: &str) {
        self.errors.push(prefixed(&self.prefix, key), message);
    }

    /// A required field's value, any JSON; missing is an error.
    pub fn required_value(&mut self, key: &str) -> Option<Value> {
        let value = self.take(key);
        if value.is_none() {
            self.fail(key, "is required");
        }
        value
    }

    /// An optional field's value, any JSON.
    pub fn value(&mut self, key: &str) -> Option<Value> {
        self.take(key)
    }

    /// A required string; missing or of another type is an error.
    pub fn required_string(&mut self, key: &str) -> Option<String> {
        match self.take(key) {
            None => {
                self.fail(key, "is required");
                None
            }
            Some(value) => self.string_of(key, value),
        }
    }

    /// An optional string; another type is an error (and `None`).
    pub fn string(&mut self, key: &str) -> Option<String> {
        let value = self.take(key)?;
        self.string_of(key, value)
    }

    fn string_of(&mut self, key: &str, value: Value) -> Option<String> {
        match value {
            Value::String(text) => Some(text),
            _ => {
                self.fail(key, "must be a string");
                None
            }
        }
    }

    /// An optional boolean; another type is an error (and `None`).
    pub fn boolean(&mut self, key: &str) -> Option<bool> {
        match self.take(key)? {
            Value::Bool(value) => Some(value),
            _ => {
                self.fail(key, "must be true or false");
                None
            }
        }
    }

    /// An optional whole number within `min..=max`; another type or a number outside is an
    /// error (and `None`).
    pub fn integer(&mut self, key: &str, min: i64, max: i64) -> Option<i64> {
        let value = self.take(key)?;
        match value.as_i64() {
            Some(n) if (min..=max).contains(&n) => Some(n),
            Some(_) => {
                self.fail(key, &format!("must be between {min} and {max}"));
                None
            }
            // Beyond i64 is out of range too, not of another type.
            None if value.is_u64() => {
                self.fail(key, &format!("must be between {min} and {max}"));
                None
            }
            None => {
                self.fail(key, "must be an integer");
                None
            }
        }
    }
}

/// A JSON value as `T`, with [`JsonBody`]'s errors; `prefix` (e.g. `tasks[3]`) goes in front
/// of every field the errors name, for values nested in a larger body.
pub fn from_value<T: DeserializeOwned>(value: Value, prefix: &str) -> Result<T, ApiError> {
    let at = |field: String| prefixed(prefix, &field);
    if let Value::Object(object) = &value {
        let owned: Vec<UnknownField> = object
            .keys()
            .filter(|k| SERVER_OWNED.contains(&k.as_str()))
            .map(|k| UnknownField {
                field: at(k.clone()),
                server_owned: true,
            })
            .collect();
        if !owned.is_empty() {
            return Err(ApiError::UnknownFields(owned));
        }
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
            return ApiError::UnknownFields(vec![UnknownField {
                field: at(field),
                server_owned: false,
            }]);
        }
        if let Some(field) = quoted("missing field `") {
            return ApiError::Validation(domain::ValidationErrors::one(at(field), "is required"));
        }
        let field = if path == "." { String::new() } else { path };
        ApiError::Validation(domain::ValidationErrors::one(at(field), message))
    })
}
