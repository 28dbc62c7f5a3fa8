//! The body of `POST /{uuid}/run`: optional arguments for that one run.

use domain::{RunArgs, TaskConfig, ValidationErrors, run_args::ARGS_FIELD};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::ApiError;
use crate::extract::from_value;

/// Body of `POST /{uuid}/run`; leaving it out (or `{}`) runs the task as configured.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"args": {"date": "2026-12-01", "dry_run": true}}))]
pub struct RunNowRequest {
    /// Arguments for this run only, in place of the task's own: a JSON object of at most
    /// 65536 bytes serialized. A `python_script` reads them as `args` in `SUNDIAL_CONTEXT`; an
    /// `api_call` with method POST, PUT or PATCH gets them merged at the top level of its JSON
    /// body (`data`, which must then be an object or absent), a key in both taking the run's
    /// value. Other `api_call` methods send no body and refuse arguments (422
    /// `args_not_accepted`).
    #[schema(value_type = Option<Object>)]
    pub args: Option<Value>,
}

/// The run arguments a `POST /{uuid}/run` body asks for (`None`: `{}` or `args` null),
/// checked against the task's configuration as it is now.
pub fn parse(body: Value, config: &TaskConfig) -> Result<Option<RunArgs>, ApiError> {
    // serde would read a list as the struct's fields in order: `[{…}]` must not pass as args.
    if !body.is_object() {
        return Err(ValidationErrors::one("", "must be a JSON object").into());
    }
    let request: RunNowRequest = from_value(body, "")?;
    let Some(args) = request.args.filter(|a| !a.is_null()) else {
        return Ok(None);
    };
    let args = RunArgs::parse(args)?;
    config
        .with_run_args(&args)
        .map_err(|refused| ValidationErrors::one(ARGS_FIELD, refused.to_string()))?;
    Ok(Some(args))
}
