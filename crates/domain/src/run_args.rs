//! Arguments of one run: a JSON object a manual run carries in place of the task's own `args`.

use serde_json::{Map, Value};

use crate::ValidationErrors;
use crate::task_config::{
    ApiCallConfig, HttpMethod, MAX_ARGS_BYTES, MAX_BODY_BYTES, PythonScriptConfig, TaskConfig,
    check_json_size,
};

/// The field run arguments are named by in errors (`POST /{uuid}/run {"args": …}`).
pub const ARGS_FIELD: &str = "args";

/// Arguments one run carries: a JSON object of at most [`MAX_ARGS_BYTES`] serialized and at
/// most [`MAX_JSON_DEPTH`](crate::task_config::MAX_JSON_DEPTH) levels deep.
#[derive(Debug, Clone, PartialEq)]
pub struct RunArgs(Map<String, Value>);

impl RunArgs {
    /// Parses run arguments; every problem is named on the field `args`.
    pub fn parse(value: Value) -> Result<RunArgs, ValidationErrors> {
        if !value.is_object() {
            return Err(ValidationErrors::one(ARGS_FIELD, "must be a JSON object"));
        }
        check_json_size(&value, MAX_ARGS_BYTES)
            .map_err(|message| ValidationErrors::one(ARGS_FIELD, message))?;
        match value {
            Value::Object(map) => Ok(RunArgs(map)),
            _ => Err(ValidationErrors::one(ARGS_FIELD, "must be a JSON object")),
        }
    }

    /// The arguments by name.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    /// The arguments as a JSON object.
    pub fn to_value(&self) -> Value {
        Value::Object(self.0.clone())
    }
}

/// Why a task cannot take run arguments. The messages read as errors of the field `args`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgsRefused {
    /// An `api_call` whose method sends no JSON body has nowhere to put them.
    #[error(
        "cannot be passed to an api_call with method {0}: arguments are merged into the JSON \
         body, which only POST, PUT and PATCH send"
    )]
    NoBody(&'static str),
    /// The task's `data` is a JSON value other than an object, so there are no top-level keys
    /// to merge into.
    #[error("cannot be merged into the task's body: its `data` is not a JSON object")]
    DataNotObject,
    /// The body with the arguments merged in is larger than a body may be.
    #[error(
        "must be at most {max} bytes as JSON once merged into the task's body (is {size})",
        max = MAX_BODY_BYTES
    )]
    BodyTooLarge {
        /// Size of the merged body, serialized.
        size: usize,
    },
}

impl TaskConfig {
    /// The configuration one run with `args` executes (see [`ApiCallConfig::with_run_args`]
    /// and [`PythonScriptConfig::with_run_args`]).
    pub fn with_run_args(&self, args: &RunArgs) -> Result<TaskConfig, ArgsRefused> {
        match self {
            TaskConfig::ApiCall(config) => config.with_run_args(args).map(TaskConfig::ApiCall),
            TaskConfig::PythonScript(config) => {
                Ok(TaskConfig::PythonScript(config.with_run_args(args)))
            }
        }
    }
}

impl ApiCallConfig {
    /// The call one run with `args` makes: `args` merged at the top level of the JSON body
    /// (`data`; none is an empty object), a key in both taking the run's value. Only POST, PUT
    /// and PATCH send a body, and only an object has top-level keys.
    pub fn with_run_args(&self, args: &RunArgs) -> Result<ApiCallConfig, ArgsRefused> {
        if !matches!(
            self.method,
            HttpMethod::Post | HttpMethod::Put | HttpMethod::Patch
        ) {
            return Err(ArgsRefused::NoBody(self.method.as_str()));
        }
        let mut body = match &self.data {
            None => Map::new(),
            Some(Value::Object(data)) => data.clone(),
            Some(_) => return Err(ArgsRefused::DataNotObject),
        };
        body.extend(args.as_map().clone());
        let body = Value::Object(body);
        let size = serde_json::to_vec(&body).map_or(usize::MAX, |v| v.len());
        if size > MAX_BODY_BYTES {
            return Err(ArgsRefused::BodyTooLarge { size });
        }
        Ok(ApiCallConfig {
            data: Some(body),
            ..self.clone()
        })
    }
}

impl PythonScriptConfig {
    /// The script one run with `args` executes: `args` in place of the task's own.
    pub fn with_run_args(&self, args: &RunArgs) -> PythonScriptConfig {
        PythonScriptConfig {
            args: Some(args.to_value()),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::TaskType;

    fn args(value: Value) -> RunArgs {
        RunArgs::parse(value).unwrap()
    }

    fn api(config: Value) -> ApiCallConfig {
        match TaskConfig::parse(TaskType::ApiCall, &config).unwrap() {
            TaskConfig::ApiCall(c) => c,
            TaskConfig::PythonScript(_) => unreachable!("parsed as api_call"),
        }
    }

    fn message(value: Value) -> String {
        let errors = RunArgs::parse(value).unwrap_err();
        assert_eq!(errors.0.len(), 1);
        assert_eq!(errors.0[0].field, "args");
        errors.0[0].message.clone()
    }

    #[test]
    fn only_a_bounded_object_is_run_arguments() {
        assert_eq!(message(json!([1, 2])), "must be a JSON object");
        assert_eq!(
            message(json!("x".repeat(MAX_ARGS_BYTES))),
            "must be a JSON object"
        );
        let big = json!({ "k": "x".repeat(MAX_ARGS_BYTES) });
        assert!(message(big).starts_with(&format!("must be at most {MAX_ARGS_BYTES} bytes")));
        let mut deep = json!(1);
        for _ in 0..=crate::task_config::MAX_JSON_DEPTH {
            deep = json!({ "d": deep });
        }
        assert!(message(deep).starts_with("must not be nested deeper"));
        let fits = json!({ "k": "x".repeat(MAX_ARGS_BYTES - 10) });
        assert_eq!(args(fits.clone()).to_value(), fits);
    }

    #[test]
    fn a_post_body_gets_the_arguments_at_its_top_level() {
        let config = api(json!({"url": "http://example.com", "method": "POST",
            "data": {"keep": 1, "date": "yesterday"}}));
        let run = config
            .with_run_args(&args(json!({"date": "2026-12-06", "extra": [1]})))
            .unwrap();
        assert_eq!(
            run.data,
            Some(json!({"keep": 1, "date": "2026-12-06", "extra": [1]}))
        );
        assert_eq!(run.url, config.url);
        let no_data = api(json!({"url": "http://example.com", "method": "PATCH"}));
        assert_eq!(
            no_data.with_run_args(&args(json!({"a": 1}))).unwrap().data,
            Some(json!({"a": 1}))
        );
    }

    #[test]
    fn calls_without_an_object_body_refuse_arguments() {
        for method in ["GET", "DELETE", "HEAD", "OPTIONS"] {
            let config = api(json!({"url": "http://example.com", "method": method}));
            assert_eq!(
                config.with_run_args(&args(json!({"a": 1}))),
                Err(ArgsRefused::NoBody(config.method.as_str()))
            );
        }
        let list = api(json!({"url": "http://example.com", "method": "PUT", "data": [1]}));
        assert_eq!(
            list.with_run_args(&args(json!({"a": 1}))),
            Err(ArgsRefused::DataNotObject)
        );
        let near_full = api(json!({"url": "http://example.com", "method": "POST",
            "data": {"big": "x".repeat(MAX_BODY_BYTES - 100)}}));
        let refused = near_full
            .with_run_args(&args(json!({"more": "y".repeat(200)})))
            .unwrap_err();
        assert!(matches!(refused, ArgsRefused::BodyTooLarge { size } if size > MAX_BODY_BYTES));
    }

    #[test]
    fn a_script_gets_the_arguments_in_place_of_its_own() {
        let config = TaskConfig::parse(
            TaskType::PythonScript,
            &json!({"script": "print(1)", "args": {"old": true, "n": 1}}),
        )
        .unwrap();
        let TaskConfig::PythonScript(run) = config.with_run_args(&args(json!({"n": 2}))).unwrap()
        else {
            unreachable!("a python config stays one")
        };
        assert_eq!(run.args, Some(json!({"n": 2})));
        assert_eq!(run.script, "print(1)");
    }
}
