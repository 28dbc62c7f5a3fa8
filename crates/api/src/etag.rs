//! Entity tags of tasks (RFC 9110): a task's `ETag` is its version as a strong validator,
//! `"<version>"`, and a write may be made conditional on it with `If-Match`.

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use domain::Task;

use crate::ApiError;
use crate::dto::TaskResponse;

/// The `ETag` of a task at `version`.
pub fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).expect("a quoted number is a header value")
}

/// A task as an answer, with its `ETag`.
#[derive(Debug)]
pub struct TaggedTask(pub Task);

impl IntoResponse for TaggedTask {
    fn into_response(self) -> Response {
        let tag = etag(self.0.version);
        let mut response = Json(TaskResponse::from(self.0)).into_response();
        response.headers_mut().insert(header::ETAG, tag);
        response
    }
}

/// Checks `If-Match` against the task's `current` version: `Ok(None)` without the header or
/// with `*` (the task exists), `Ok(Some(current))` when it names the current version, else a
/// 412. Comparison is strong, so a weak tag (`W/"3"`) never matches.
pub fn check_if_match(headers: &HeaderMap, current: i64) -> Result<Option<i64>, ApiError> {
    let mut given = false;
    let mut any = false;
    let mut matched = false;
    let wanted = format!("\"{current}\"");
    for value in headers.get_all(header::IF_MATCH) {
        given = true;
        // A value that is not text names no version, so it matches nothing.
        let Ok(text) = value.to_str() else {
            continue;
        };
        for tag in text.split(',').map(str::trim) {
            any |= tag == "*";
            matched |= tag == wanted;
        }
    }
    match (given, any, matched) {
        (false, _, _) | (true, true, _) => Ok(None),
        (true, false, true) => Ok(Some(current)),
        (true, false, false) => Err(ApiError::PreconditionFailed { current }),
    }
}
