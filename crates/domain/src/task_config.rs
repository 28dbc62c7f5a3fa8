//! What a task does when it runs: call an HTTP endpoint or run a Python script.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use url::Url;

use crate::ValidationErrors;
use crate::policy::snake_case_str;
use crate::task::TaskType;

/// Longest URL accepted.
pub const MAX_URL_LEN: usize = 4096;
/// Most headers on one request.
pub const MAX_HEADERS: usize = 64;
/// Longest header value.
pub const MAX_HEADER_VALUE_LEN: usize = 8192;
/// Largest JSON body, serialized.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Deepest nesting of a JSON body or of script args.
pub const MAX_JSON_DEPTH: usize = 32;
/// Largest Python script.
pub const MAX_SCRIPT_BYTES: usize = 64 * 1024;
/// Largest serialized `args` of a script.
pub const MAX_ARGS_BYTES: usize = 64 * 1024;
/// Most environment variables a script may set.
pub const MAX_ENV_VARS: usize = 32;

/// The HTTP methods an `api_call` may use. CONNECT and TRACE are never allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HttpMethod {
    /// GET, the default.
    #[default]
    Get,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// PATCH.
    Patch,
    /// DELETE.
    Delete,
    /// HEAD.
    Head,
    /// OPTIONS.
    Options,
}

snake_case_str!(HttpMethod {
    Get => "GET", Post => "POST", Put => "PUT", Patch => "PATCH",
    Delete => "DELETE", Head => "HEAD", Options => "OPTIONS",
});

/// Configuration of an `api_call` task.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiCallConfig {
    /// Absolute http(s) URL without credentials, as parsed by the WHATWG URL parser.
    pub url: Url,
    /// Request method.
    pub method: HttpMethod,
    /// Request headers, names lower-cased.
    pub headers: BTreeMap<String, String>,
    /// JSON body, sent with `Content-Type: application/json` unless a header says otherwise.
    pub data: Option<Value>,
    /// Extra query parameters appended to the URL.
    pub query: BTreeMap<String, String>,
    /// Status codes counted as success; empty means any 2xx.
    pub expected_status: Vec<u16>,
    /// Whether up to three re-validated redirects are followed (off: the 3xx is the result).
    pub follow_redirects: bool,
}

/// Configuration of a `python_script` task.
#[derive(Debug, Clone, PartialEq)]
pub struct PythonScriptConfig {
    /// Python source, UTF-8 without NUL bytes.
    pub script: String,
    /// Arbitrary JSON handed to the script in its run context.
    pub args: Option<Value>,
    /// Non-secret environment variables for the script.
    pub env: BTreeMap<String, String>,
}

/// A task's type-specific configuration.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskConfig {
    /// Call an HTTP endpoint.
    ApiCall(ApiCallConfig),
    /// Run a Python script in the sandbox.
    PythonScript(PythonScriptConfig),
}

/// Headers a tenant may not set: they belong to the connection, not the request.
const FORBIDDEN_HEADERS: &[&str] = &[
    "host",
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "expect",
    "idempotency-key",
];

impl TaskConfig {
    /// Parses `task_config` JSON for `task_type`. Field paths are relative to `task_config`.
    pub fn parse(task_type: TaskType, config: &Value) -> Result<TaskConfig, ValidationErrors> {
        let Some(object) = config.as_object() else {
            return Err(ValidationErrors::one("", "must be a JSON object"));
        };
        match task_type {
            TaskType::ApiCall => parse_api_call(object).map(TaskConfig::ApiCall),
            TaskType::PythonScript => parse_python(object).map(TaskConfig::PythonScript),
        }
    }

    /// The task type this configuration belongs to.
    pub fn task_type(&self) -> TaskType {
        match self {
            TaskConfig::ApiCall(_) => TaskType::ApiCall,
            TaskConfig::PythonScript(_) => TaskType::PythonScript,
        }
    }

    /// Canonical JSON in the original shape, for storage and API output.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        match self {
            TaskConfig::ApiCall(c) => {
                out.insert("url".into(), c.url.as_str().into());
                out.insert("method".into(), c.method.as_str().into());
                if !c.headers.is_empty() {
                    out.insert("headers".into(), string_map(&c.headers));
                }
                if let Some(data) = &c.data {
                    out.insert("data".into(), data.clone());
                }
                if !c.query.is_empty() {
                    out.insert("query".into(), string_map(&c.query));
                }
                if !c.expected_status.is_empty() {
                    out.insert("expected_status".into(), c.expected_status.clone().into());
                }
                if c.follow_redirects {
                    out.insert("follow_redirects".into(), true.into());
                }
            }
            TaskConfig::PythonScript(c) => {
                out.insert("script".into(), c.script.clone().into());
                if let Some(args) = &c.args {
                    out.insert("args".into(), args.clone());
                }
                if !c.env.is_empty() {
                    out.insert("env".into(), string_map(&c.env));
                }
            }
        }
        Value::Object(out)
    }
}

fn string_map(map: &BTreeMap<String, String>) -> Value {
    Value::Object(
        map.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// Rejects keys outside `known`, naming each.
fn reject_unknown(object: &Map<String, Value>, known: &[&str], errors: &mut ValidationErrors) {
    for key in object.keys() {
        if !known.contains(&key.as_str()) {
            errors.push(
                key.clone(),
                format!("unknown field; expected one of: {}", known.join(", ")),
            );
        }
    }
}

fn parse_api_call(object: &Map<String, Value>) -> Result<ApiCallConfig, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    reject_unknown(
        object,
        &[
            "url",
            "method",
            "headers",
            "data",
            "query",
            "expected_status",
            "follow_redirects",
            "timeout_seconds",
        ],
        &mut errors,
    );
    let url = match object.get("url") {
        None | Some(Value::Null) => {
            errors.push("url", "is required");
            None
        }
        Some(Value::String(raw)) => errors.collect(parse_url(raw)),
        Some(_) => {
            errors.push("url", "must be a string");
            None
        }
    };
    let method = match object.get("method") {
        None | Some(Value::Null) => Some(HttpMethod::Get),
        Some(Value::String(raw)) => match raw.to_ascii_uppercase().parse::<HttpMethod>() {
            Ok(method) => Some(method),
            Err(message) => {
                errors.push("method", message);
                None
            }
        },
        Some(_) => {
            errors.push("method", "must be a string");
            None
        }
    };
    let headers =
        errors.collect(parse_headers(object.get("headers")).map_err(|e| e.prefixed("headers")));
    let data = match object.get("data") {
        None | Some(Value::Null) => None,
        Some(value) => {
            if let Err(message) = check_json_size(value, MAX_BODY_BYTES) {
                errors.push("data", message);
            }
            Some(value.clone())
        }
    };
    let query = errors.collect(parse_query(object.get("query")).map_err(|e| e.prefixed("query")));
    let expected_status = errors.collect(parse_expected_status(object.get("expected_status")));
    let follow_redirects = match object.get("follow_redirects") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            errors.push("follow_redirects", "must be true or false");
            false
        }
    };
    match (url, method, headers, query, expected_status) {
        (Some(url), Some(method), Some(headers), Some(query), Some(expected_status))
            if errors.is_empty() =>
        {
            Ok(ApiCallConfig {
                url,
                method,
                headers,
                data,
                query,
                expected_status,
                follow_redirects,
            })
        }
        _ => Err(errors),
    }
}

fn parse_url(raw: &str) -> Result<Url, ValidationErrors> {
    let fail = |message: &str| Err(ValidationErrors::one("url", message));
    if raw.len() > MAX_URL_LEN {
        return fail(&format!("must be at most {MAX_URL_LEN} characters"));
    }
    // Scheme first: non-special schemes parse hosts as opaque strings, so nothing else about
    // them can be trusted.
    let scheme_end = raw.find(':').unwrap_or(0);
    let scheme = raw[..scheme_end].to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return fail("must be an absolute http:// or https:// URL");
    }
    let url = match Url::parse(raw) {
        Ok(url) => url,
        Err(e) => return fail(&format!("is not a valid URL: {e}")),
    };
    if !url.username().is_empty() || url.password().is_some() {
        return fail("must not contain credentials (user:password@); send them in a header");
    }
    if url.host().is_none() {
        return fail("must have a host");
    }
    Ok(url)
}

fn valid_header_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 256
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn parse_headers(value: Option<&Value>) -> Result<BTreeMap<String, String>, ValidationErrors> {
    let object = match value {
        None | Some(Value::Null) => return Ok(BTreeMap::new()),
        Some(Value::Object(object)) => object,
        Some(_) => {
            return Err(ValidationErrors::one(
                "",
                "must be an object of header names to string values",
            ));
        }
    };
    let mut errors = ValidationErrors::default();
    if object.len() > MAX_HEADERS {
        errors.push("", format!("at most {MAX_HEADERS} headers"));
    }
    let mut headers = BTreeMap::new();
    for (name, value) in object {
        let lower = name.to_ascii_lowercase();
        if !valid_header_name(name) {
            errors.push(name.clone(), "is not a valid header name");
            continue;
        }
        if FORBIDDEN_HEADERS.contains(&lower.as_str()) || lower.starts_with("proxy-") {
            errors.push(name.clone(), "is set by Sundial and may not be overridden");
            continue;
        }
        let Value::String(value) = value else {
            errors.push(name.clone(), "must be a string");
            continue;
        };
        if value.len() > MAX_HEADER_VALUE_LEN {
            errors.push(
                name.clone(),
                format!("value must be at most {MAX_HEADER_VALUE_LEN} bytes"),
            );
        } else if value.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
            errors.push(
                name.clone(),
                "value must not contain control characters (CR, LF, NUL, …)",
            );
        } else if headers.insert(lower, value.clone()).is_some() {
            errors.push(
                name.clone(),
                "is given twice (header names are case-insensitive)",
            );
        }
    }
    errors.into_result(|| headers)
}

fn parse_query(value: Option<&Value>) -> Result<BTreeMap<String, String>, ValidationErrors> {
    let object = match value {
        None | Some(Value::Null) => return Ok(BTreeMap::new()),
        Some(Value::Object(object)) => object,
        Some(_) => {
            return Err(ValidationErrors::one(
                "",
                "must be an object of names to string values",
            ));
        }
    };
    let mut errors = ValidationErrors::default();
    let mut query = BTreeMap::new();
    for (name, value) in object {
        match value {
            Value::String(s) => {
                query.insert(name.clone(), s.clone());
            }
            Value::Number(n) => {
                query.insert(name.clone(), n.to_string());
            }
            Value::Bool(b) => {
                query.insert(name.clone(), b.to_string());
            }
            _ => errors.push(name.clone(), "must be a string, number or boolean"),
        }
    }
    errors.into_result(|| query)
}

fn parse_expected_status(value: Option<&Value>) -> Result<Vec<u16>, ValidationErrors> {
    let items: Vec<&Value> = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(single) => vec![single],
    };
    let mut codes = Vec::with_capacity(items.len());
    for item in items {
        match item.as_u64() {
            Some(code @ 100..=599) => codes.push(code as u16),
            _ => {
                return Err(ValidationErrors::one(
                    "expected_status",
                    "must be an HTTP status code (100-599) or a list of them",
                ));
            }
        }
    }
    codes.sort_unstable();
    codes.dedup();
    Ok(codes)
}

/// Checks a JSON value's nesting depth and serialized size.
pub fn check_json_size(value: &Value, max_bytes: usize) -> Result<(), String> {
    fn depth(value: &Value) -> usize {
        match value {
            Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
            Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
            _ => 0,
        }
    }
    if depth(value) > MAX_JSON_DEPTH {
        return Err(format!(
            "must not be nested deeper than {MAX_JSON_DEPTH} levels"
        ));
    }
    let size = serde_json::to_vec(value)
        .map(|v| v.len())
        .unwrap_or(usize::MAX);
    if size > max_bytes {
        return Err(format!(
            "must be at most {max_bytes} bytes as JSON (is {size})"
        ));
    }
    Ok(())
}

fn parse_python(object: &Map<String, Value>) -> Result<PythonScriptConfig, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    reject_unknown(
        object,
        &["script", "args", "env", "timeout_seconds"],
        &mut errors,
    );
    let script = match object.get("script") {
        None | Some(Value::Null) => {
            errors.push("script", "is required");
            None
        }
        Some(Value::String(script)) if script.trim().is_empty() => {
            errors.push("script", "must not be empty");
            None
        }
        Some(Value::String(script)) if script.len() > MAX_SCRIPT_BYTES => {
            errors.push(
                "script",
                format!(
                    "must be at most {MAX_SCRIPT_BYTES} bytes (is {})",
                    script.len()
                ),
            );
            None
        }
        Some(Value::String(script)) if script.contains('\0') => {
            errors.push("script", "must not contain NUL bytes");
            None
        }
        Some(Value::String(script)) => Some(script.clone()),
        Some(_) => {
            errors.push("script", "must be a string");
            None
        }
    };
    let args = match object.get("args") {
        None | Some(Value::Null) => None,
        Some(args) => {
            if let Err(message) = check_json_size(args, MAX_ARGS_BYTES) {
                errors.push("args", message);
            }
            Some(args.clone())
        }
    };
    let env = errors.collect(parse_env(object.get("env")).map_err(|e| e.prefixed("env")));
    match (script, env) {
        (Some(script), Some(env)) if errors.is_empty() => {
            Ok(PythonScriptConfig { script, args, env })
        }
        _ => Err(errors),
    }
}

fn parse_env(value: Option<&Value>) -> Result<BTreeMap<String, String>, ValidationErrors> {
    let object = match value {
        None | Some(Value::Null) => return Ok(BTreeMap::new()),
        Some(Value::Object(object)) => object,
        Some(_) => {
            return Err(ValidationErrors::one(
                "",
                "must be an object of names to string values",
            ));
        }
    };
    let mut errors = ValidationErrors::default();
    if object.len() > MAX_ENV_VARS {
        errors.push("", format!("at most {MAX_ENV_VARS} variables"));
    }
    let mut env = BTreeMap::new();
    for (name, value) in object {
        let well_formed = name.len() <= 128
            && name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !well_formed {
            errors.push(name.clone(), "must match [A-Za-z_][A-Za-z0-9_]*");
        } else if name.starts_with("SUNDIAL_")
            || name.starts_with("PYTHON")
            || name.starts_with("LD_")
        {
            errors.push(name.clone(), "is reserved (SUNDIAL_*, PYTHON*, LD_*)");
        } else {
            match value {
                Value::String(v) if v.contains('\0') => {
                    errors.push(name.clone(), "must not contain NUL bytes")
                }
                Value::String(v) if v.len() > 4096 => {
                    errors.push(name.clone(), "must be at most 4096 bytes")
                }
                Value::String(v) => {
                    env.insert(name.clone(), v.clone());
                }
                _ => errors.push(name.clone(), "must be a string"),
            }
        }
    }
    errors.into_result(|| env)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn api(config: Value) -> Result<TaskConfig, ValidationErrors> {
        TaskConfig::parse(TaskType::ApiCall, &config)
    }

    fn fields(result: Result<TaskConfig, ValidationErrors>) -> Vec<String> {
        result
            .expect_err("should be rejected")
            .0
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn api_call_in_the_original_shape_round_trips() {
        let config = json!({"url": "https://api.example.com/endpoint", "method": "POST",
            "headers": {"Content-Type": "application/json"}, "data": {"key": "value"}});
        let parsed = api(config).unwrap();
        let again = api(parsed.to_json()).unwrap();
        assert_eq!(parsed, again);
        let TaskConfig::ApiCall(c) = parsed else {
            panic!()
        };
        assert_eq!(c.method, HttpMethod::Post);
        assert_eq!(c.headers["content-type"], "application/json");
    }

    #[test]
    fn method_defaults_to_get_and_is_case_insensitive() {
        let TaskConfig::ApiCall(c) = api(json!({"url": "http://example.com"})).unwrap() else {
            panic!()
        };
        assert_eq!(c.method, HttpMethod::Get);
        let TaskConfig::ApiCall(c) =
            api(json!({"url": "http://example.com", "method": "patch"})).unwrap()
        else {
            panic!()
        };
        assert_eq!(c.method, HttpMethod::Patch);
    }

    #[test]
    fn dangerous_urls_are_rejected_on_the_url_field() {
        for url in [
            "file:///etc/passwd",
            "gopher://127.0.0.1:6379/_INFO",
            "ftp://example.com/",
            "ws://example.com/",
            "data:text/plain,hi",
            "//example.com/",
            "example.com",
            "http://127.0.0.1:65536/",
            "http://user:pass@example.com/",
            "http://evil.com@example.com/",
            "http://[fe80::1%25eth0]/",
        ] {
            assert_eq!(fields(api(json!({ "url": url }))), vec!["url"], "{url}");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_LEN));
        assert_eq!(fields(api(json!({ "url": long }))), vec!["url"]);
    }

    #[test]
    fn crlf_in_a_url_cannot_inject_headers() {
        let TaskConfig::ApiCall(c) =
            api(json!({"url": "http://example.com/\r\nX-Injected: 1"})).unwrap()
        else {
            panic!()
        };
        assert!(!c.url.as_str().contains('\n') && !c.url.as_str().contains('\r'));
    }

    #[test]
    fn methods_outside_the_list_are_rejected() {
        for method in ["CONNECT", "TRACE", "GET / HTTP/1.1\r\nX:", ""] {
            assert_eq!(
                fields(api(json!({"url": "http://example.com", "method": method}))),
                vec!["method"]
            );
        }
    }

    #[test]
    fn forbidden_and_malformed_headers_are_named() {
        let config = json!({"url": "http://example.com", "headers": {
            "Host": "169.254.169.254", "Transfer-Encoding": "chunked", "Connection": "Upgrade",
            "X-Ok": "fine", "Bad Name": "x", "X-Crlf": "a\r\nb", "X-Nul": "a\u{0}b", "X-Num": 5}});
        let mut got = fields(api(config));
        got.sort();
        assert_eq!(
            got,
            vec![
                "headers.Bad Name",
                "headers.Connection",
                "headers.Host",
                "headers.Transfer-Encoding",
                "headers.X-Crlf",
                "headers.X-Nul",
                "headers.X-Num",
            ]
        );
    }

    #[test]
    fn oversized_and_deep_bodies_are_rejected() {
        let big = "x".repeat(MAX_BODY_BYTES + 1);
        assert_eq!(
            fields(api(json!({"url": "http://example.com", "data": big}))),
            vec!["data"]
        );
        let mut deep = json!(1);
        for _ in 0..=MAX_JSON_DEPTH {
            deep = json!([deep]);
        }
        assert_eq!(
            fields(api(json!({"url": "http://example.com", "data": deep}))),
            vec!["data"]
        );
    }

    #[test]
    fn unknown_keys_are_named() {
        assert_eq!(
            fields(api(json!({"url": "http://example.com", "proxy": "x"}))),
            vec!["proxy"]
        );
    }

    #[test]
    fn python_scripts_are_checked() {
        let py = |config: Value| TaskConfig::parse(TaskType::PythonScript, &config);
        assert!(py(json!({"script": "print('Hello, World!')"})).is_ok());
        assert_eq!(fields(py(json!({}))), vec!["script"]);
        assert_eq!(fields(py(json!({"script": "  "}))), vec!["script"]);
        assert_eq!(
            fields(py(json!({"script": "print(1)\u{0}"}))),
            vec!["script"]
        );
        assert_eq!(
            fields(py(json!({"script": "#".repeat(MAX_SCRIPT_BYTES + 1)}))),
            vec!["script"]
        );
        assert_eq!(
            fields(py(json!({"script": "x", "env": {"LD_PRELOAD": "/x"}}))),
            vec!["env.LD_PRELOAD"]
        );
        assert_eq!(
            fields(py(json!({"script": "x", "env": {"1BAD": "x"}}))),
            vec!["env.1BAD"]
        );
        let ok = py(json!({"script": "x", "args": {"n": 1}, "env": {"MODE": "fast"}})).unwrap();
        assert_eq!(py(ok.to_json()).unwrap(), ok);
    }

    #[test]
    fn a_config_must_be_an_object() {
        assert_eq!(fields(api(json!("http://example.com"))), vec![""]);
    }
}
