//! The OpenAPI document is generated from the handlers; a snapshot makes every change to it
//! visible, and the server is held to every bound the document states.

use std::collections::BTreeSet;
use std::str::FromStr;

use domain::{
    AuditAction, MisfirePolicy, OverlapPolicy, RunStatus, RunTrigger, SkipReason, TaskType,
    TriggerType,
};
use reqwest::Method;
use serde_json::{Value, json};

use store::test_support::Database;

use crate::helpers::{TestApp, cron_task};

#[test]
fn the_openapi_document_matches_its_snapshot() {
    insta::assert_json_snapshot!("openapi", api::openapi());
}

#[tokio::test]
async fn the_served_document_and_docs_page_are_the_generated_ones() {
    let app = TestApp::spawn(Database::Sqlite).await;
    let served = app
        .raw(reqwest::Method::GET, "/api/openapi.json", None, None)
        .await
        .expect(200);
    assert_eq!(served, api::openapi());
    let paths = served["paths"].as_object().unwrap();
    for path in [
        "",
        "/list",
        "/{uuid}",
        "/{uuid}/start",
        "/{uuid}/stop",
        "/{uuid}/status",
        "/{uuid}/logs",
        "/batch-delete",
        "/preview",
        "/{uuid}/versions",
        "/{uuid}/runs",
        "/runs/{run_uuid}",
        "/runs/{run_uuid}/logs",
    ] {
        assert!(
            paths.contains_key(&format!("{}{path}", api::TASKS_PREFIX)),
            "{path} missing"
        );
    }
    let docs = app
        .client
        .get(format!("{}/api/docs/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("swagger"));
}

/// The values the server's parser accepts, read from its error for an unknown one
/// ("…; expected one of: a, b, c").
fn accepted_values<T: FromStr<Err = String>>() -> BTreeSet<String> {
    let message = T::from_str("\u{1}")
        .err()
        .expect("an unknown value is refused");
    let (_, list) = message
        .rsplit_once("expected one of: ")
        .expect("the error lists the accepted values");
    list.split(", ").map(str::to_owned).collect()
}

fn schema_enum(doc: &Value, name: &str) -> BTreeSet<String> {
    doc["components"]["schemas"][name]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{name} is an enum"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn every_enum_in_the_document_is_the_servers() {
    let doc = api::openapi();
    let cases = [
        ("TaskType", accepted_values::<TaskType>()),
        ("TriggerType", accepted_values::<TriggerType>()),
        ("OverlapPolicy", accepted_values::<OverlapPolicy>()),
        ("MisfirePolicy", accepted_values::<MisfirePolicy>()),
        ("Backoff", accepted_values::<domain::Backoff>()),
        ("HttpMethod", accepted_values::<domain::HttpMethod>()),
        ("RunStatus", accepted_values::<RunStatus>()),
        ("RunTrigger", accepted_values::<RunTrigger>()),
        ("SkipReason", accepted_values::<SkipReason>()),
        ("LogStream", accepted_values::<domain::LogStream>()),
        ("AuditAction", accepted_values::<AuditAction>()),
    ];
    for (name, accepted) in cases {
        assert_eq!(schema_enum(&doc, name), accepted, "{name}");
    }
    let sorts = schema_enum(&doc, "TaskSort");
    let fields: BTreeSet<String> = store::TaskSortField::ALL
        .iter()
        .flat_map(|f| [f.as_str().to_owned(), format!("-{}", f.as_str())])
        .collect();
    assert_eq!(sorts, fields);
}

/// The keywords that bound a value.
const BOUNDS: [&str; 8] = [
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "minProperties",
    "maxProperties",
    "minItems",
    "maxItems",
];

/// The component schemas of request bodies and query parameters.
const REQUEST_SCHEMAS: [&str; 15] = [
    "TaskRequest",
    "RetryPolicyRequest",
    "CronTriggerConfig",
    "IntervalTriggerConfig",
    "DateTriggerConfig",
    "ApiCallConfig",
    "PythonScriptConfig",
    "PreviewRequest",
    "BatchDeleteRequest",
    "ImportRequest",
    "TenantSettingsRequest",
    "PageNumber",
    "PageSize",
    "LogCursor",
    "LogPageLimit",
];

/// Every (schema pointer, keyword) of a bound under `pointer`.
fn bounds_under(value: &Value, pointer: &str, found: &mut BTreeSet<(String, String)>) {
    let Some(object) = value.as_object() else {
        return;
    };
    for keyword in BOUNDS {
        if object.contains_key(keyword) {
            found.insert((pointer.to_owned(), keyword.to_owned()));
        }
    }
    for (key, child) in object {
        if matches!(key.as_str(), "example" | "examples" | "default" | "enum") {
            continue;
        }
        if let Some(items) = child.as_array() {
            for (i, item) in items.iter().enumerate() {
                bounds_under(item, &format!("{pointer}/{key}/{i}"), found);
            }
        } else {
            bounds_under(child, &format!("{pointer}/{key}"), found);
        }
    }
}

/// How a probe reaches the server.
#[derive(Clone, Copy)]
enum Send {
    /// `POST /` with the body.
    Create,
    /// `POST /preview` with the body.
    Preview,
    /// `POST /batch-delete` with the body.
    BatchDelete,
    /// `POST /import` with the body.
    Import,
    /// `PUT` of the tenant settings with the body.
    TenantSettings,
    /// `GET /list` with the query parameter named by the probe's `at`.
    ListQuery,
    /// `GET /runs/{run_uuid}/logs` of a fresh run with the query parameter named by `at`.
    RunLogQuery,
}

/// One bounded property, tried at its bound (accepted) and one past it (refused naming it).
struct Probe {
    /// The property's schema in the document.
    schema: &'static str,
    /// Where the value goes: a JSON pointer into the body, or a query parameter's name.
    at: &'static str,
    send: Send,
    /// A valid request to put the value in.
    base: fn() -> Value,
    /// The value of a given size (length, count or number) for this property.
    value: fn(i64) -> Value,
    /// The field the server's error names, when not the one at `at`.
    field: Option<&'static str>,
    /// Keywords whose bound has no valid value of exactly its size (no time zone name has
    /// one character), so only the value past them is tried.
    only_past: &'static [&'static str],
}

fn api_call() -> Value {
    let mut body = cron_task("probe");
    body["retry_policy"] = json!({"max_retries": 3, "retry_delay_seconds": 0, "backoff": "fixed"});
    body
}

fn python_interval() -> Value {
    json!({
        "name": "Probe", "code": "probe", "type": "python_script", "trigger_type": "interval",
        "trigger_config": {"seconds": 300}, "task_config": {"script": "print(1)"},
    })
}

fn preview_body() -> Value {
    json!({"trigger_type": "cron", "trigger_config": {"cron": "0 0 * * *"}})
}

fn empty() -> Value {
    json!({})
}

fn number(n: i64) -> Value {
    json!(n)
}

fn text(c: char) -> impl Fn(i64) -> Value {
    move |n| Value::String(c.to_string().repeat(n.max(0) as usize))
}

fn probes() -> Vec<Probe> {
    let probe = |schema, at, send, base, value| Probe {
        schema,
        at,
        send,
        base,
        value,
        field: None,
        only_past: &[],
    };
    vec![
        probe(
            "/components/schemas/TaskRequest/properties/name",
            "/name",
            Send::Create,
            api_call,
            |n| text('n')(n),
        ),
        probe(
            "/components/schemas/TaskRequest/properties/code",
            "/code",
            Send::Create,
            api_call,
            |n| text('c')(n),
        ),
        probe(
            "/components/schemas/TaskRequest/properties/description",
            "/description",
            Send::Create,
            api_call,
            |n| text('d')(n),
        ),
        Probe {
            // The deployment's maximum may be lower (described, not encoded).
            only_past: &["maximum"],
            ..probe(
                "/components/schemas/TaskRequest/properties/timeout_seconds",
                "/timeout_seconds",
                Send::Create,
                api_call,
                number,
            )
        },
        probe(
            "/components/schemas/TaskRequest/properties/misfire_grace_seconds",
            "/misfire_grace_seconds",
            Send::Create,
            api_call,
            number,
        ),
        probe(
            "/components/schemas/RetryPolicyRequest/properties/max_retries",
            "/retry_policy/max_retries",
            Send::Create,
            api_call,
            number,
        ),
        probe(
            "/components/schemas/RetryPolicyRequest/properties/retry_delay_seconds",
            "/retry_policy/retry_delay_seconds",
            Send::Create,
            api_call,
            number,
        ),
        probe(
            "/components/schemas/RetryPolicyRequest/properties/max_delay_seconds",
            "/retry_policy/max_delay_seconds",
            Send::Create,
            api_call,
            number,
        ),
        // Trailing blanks are not part of the expression but count towards its length.
        Probe {
            only_past: &["minLength"],
            ..probe(
                "/components/schemas/CronTriggerConfig/properties/cron",
                "/trigger_config/cron",
                Send::Create,
                api_call,
                |n| {
                    Value::String(
                        format!("{:<width$}", "0 0 * * *", width = n.max(0) as usize)
                            .chars()
                            .take(n.max(0) as usize)
                            .collect(),
                    )
                },
            )
        },
        Probe {
            only_past: &["minLength", "maxLength"],
            ..probe(
                "/components/schemas/CronTriggerConfig/properties/timezone",
                "/trigger_config/timezone",
                Send::Create,
                api_call,
                |n| text('Z')(n),
            )
        },
        probe(
            "/components/schemas/CronTriggerConfig/properties/jitter_seconds",
            "/trigger_config/jitter_seconds",
            Send::Create,
            api_call,
            number,
        ),
        probe(
            "/components/schemas/IntervalTriggerConfig/properties/seconds",
            "/trigger_config/seconds",
            Send::Create,
            python_interval,
            number,
        ),
        Probe {
            field: Some("trigger_config.jitter_seconds"),
            ..probe(
                "/components/schemas/IntervalTriggerConfig/properties/jitter_seconds",
                "/trigger_config/jitter_seconds",
                Send::Create,
                || {
                    let mut b = python_interval();
                    b["trigger_config"]["seconds"] = json!(86_400);
                    b
                },
                number,
            )
        },
        probe(
            "/components/schemas/DateTriggerConfig/properties/jitter_seconds",
            "/trigger_config/jitter_seconds",
            Send::Create,
            || {
                let mut b = api_call();
                b["trigger_type"] = json!("date");
                b["trigger_config"] = json!({"at": "2030-01-01T00:00:00Z"});
                b
            },
            number,
        ),
        Probe {
            only_past: &["minLength"],
            ..probe(
                "/components/schemas/ApiCallConfig/properties/url",
                "/task_config/url",
                Send::Create,
                api_call,
                |n| match usize::try_from(n).unwrap_or(0) {
                    short @ 0..24 => text('h')(short as i64),
                    n => Value::String(format!("https://api.example.com/{}", "a".repeat(n - 24))),
                },
            )
        },
        probe(
            "/components/schemas/ApiCallConfig/properties/headers",
            "/task_config/headers",
            Send::Create,
            api_call,
            |n| Value::Object((0..n).map(|i| (format!("X-H{i}"), json!("v"))).collect()),
        ),
        probe(
            "/components/schemas/ApiCallConfig/properties/headers/propertyNames",
            "/task_config/headers",
            Send::Create,
            api_call,
            |n| json!({"X".repeat(n.max(0) as usize): "v"}),
        ),
        Probe {
            field: Some("task_config.headers.X-V"),
            ..probe(
                "/components/schemas/ApiCallConfig/properties/headers/additionalProperties",
                "/task_config/headers",
                Send::Create,
                api_call,
                |n| json!({"X-V": "v".repeat(n.max(0) as usize)}),
            )
        },
        probe(
            "/components/schemas/ApiCallConfig/properties/expected_status/oneOf/0",
            "/task_config/expected_status",
            Send::Create,
            api_call,
            number,
        ),
        probe(
            "/components/schemas/ApiCallConfig/properties/expected_status/oneOf/1/items",
            "/task_config/expected_status",
            Send::Create,
            api_call,
            |n| json!([n]),
        ),
        Probe {
            field: Some("timeout_seconds"),
            only_past: &["maximum"],
            ..probe(
                "/components/schemas/ApiCallConfig/properties/timeout_seconds",
                "/task_config/timeout_seconds",
                Send::Create,
                api_call,
                number,
            )
        },
        probe(
            "/components/schemas/PythonScriptConfig/properties/script",
            "/task_config/script",
            Send::Create,
            python_interval,
            |n| text('#')(n),
        ),
        probe(
            "/components/schemas/PythonScriptConfig/properties/env",
            "/task_config/env",
            Send::Create,
            python_interval,
            |n| Value::Object((0..n).map(|i| (format!("V{i}"), json!("v"))).collect()),
        ),
        probe(
            "/components/schemas/PythonScriptConfig/properties/env/propertyNames",
            "/task_config/env",
            Send::Create,
            python_interval,
            |n| json!({"V".repeat(n.max(0) as usize): "v"}),
        ),
        Probe {
            field: Some("task_config.env.V"),
            ..probe(
                "/components/schemas/PythonScriptConfig/properties/env/additionalProperties",
                "/task_config/env",
                Send::Create,
                python_interval,
                |n| json!({"V": "v".repeat(n.max(0) as usize)}),
            )
        },
        Probe {
            field: Some("timeout_seconds"),
            only_past: &["maximum"],
            ..probe(
                "/components/schemas/PythonScriptConfig/properties/timeout_seconds",
                "/task_config/timeout_seconds",
                Send::Create,
                python_interval,
                number,
            )
        },
        probe(
            "/components/schemas/PreviewRequest/properties/count",
            "/count",
            Send::Preview,
            preview_body,
            number,
        ),
        probe(
            "/components/schemas/BatchDeleteRequest/properties/uuids",
            "/uuids",
            Send::BatchDelete,
            empty,
            |n| Value::Array((0..n).map(|_| json!(uuid::Uuid::now_v7())).collect()),
        ),
        probe(
            "/components/schemas/ImportRequest/properties/tasks",
            "/tasks",
            Send::Import,
            empty,
            |n| {
                Value::Array(
                    (0..n)
                        .map(|i| cron_task(&format!("i{i}-{}", uuid::Uuid::now_v7().simple())))
                        .collect(),
                )
            },
        ),
        probe(
            "/components/schemas/TenantSettingsRequest/properties/egress_allow",
            "/egress_allow",
            Send::TenantSettings,
            empty,
            |n| {
                Value::Array(
                    (0..n)
                        .map(|i| json!(format!("api{i}.partner.example")))
                        .collect(),
                )
            },
        ),
        probe(
            "/components/schemas/PageNumber",
            "page",
            Send::ListQuery,
            empty,
            number,
        ),
        probe(
            "/components/schemas/PageSize",
            "page_size",
            Send::ListQuery,
            empty,
            number,
        ),
        probe(
            "/components/schemas/LogCursor",
            "after_seq",
            Send::RunLogQuery,
            empty,
            number,
        ),
        probe(
            "/components/schemas/LogPageLimit",
            "limit",
            Send::RunLogQuery,
            empty,
            number,
        ),
    ]
}

/// A run of tenant 1 to read the log of (queued: the test app runs no engine).
async fn log_probe_run(app: &TestApp) -> String {
    let list = app
        .call(1, Method::GET, "/list?code=log-probe", None)
        .await
        .expect(200);
    let task = match list["items"][0]["uuid"].as_str() {
        Some(uuid) => uuid.to_owned(),
        None => app.create(1, cron_task("log-probe")).await["uuid"]
            .as_str()
            .unwrap()
            .to_owned(),
    };
    let run = app
        .call(1, Method::POST, &format!("/{task}/run"), None)
        .await
        .expect(202);
    run["uuid"].as_str().unwrap().to_owned()
}

/// The value of the JSON pointer `at` in `body` set, creating the parent objects.
fn put(body: &mut Value, at: &str, value: Value) {
    let (parent, key) = at.rsplit_once('/').expect("a pointer");
    let parent = if parent.is_empty() {
        body
    } else {
        body.pointer_mut(parent)
            .unwrap_or_else(|| panic!("{parent} exists"))
    };
    parent[key] = value;
}

/// The status and the fields named of the server's answer to `probe` with `value`.
async fn answer(app: &TestApp, probe: &Probe, value: Value) -> (u16, Vec<String>) {
    let mut body = (probe.base)();
    let reply = match probe.send {
        Send::ListQuery => {
            let path = format!("/list?{}={value}", probe.at);
            app.call(1, Method::GET, &path, None).await
        }
        Send::RunLogQuery => {
            let run = log_probe_run(app).await;
            let path = format!("/runs/{run}/logs?{}={value}", probe.at);
            app.call(1, Method::GET, &path, None).await
        }
        send => {
            put(&mut body, probe.at, value);
            let path = match send {
                Send::Create => "/",
                Send::Preview => "/preview",
                Send::BatchDelete => "/batch-delete",
                Send::Import => "/import",
                Send::TenantSettings | Send::ListQuery | Send::RunLogQuery => "",
            };
            let reply = if matches!(send, Send::TenantSettings) {
                let token = app.token(1, domain::Role::Admin);
                let path = format!("{}/settings", api::TENANT_PREFIX);
                let body = serde_json::to_vec(&body).unwrap();
                app.raw(Method::PUT, &path, Some(&token), Some(body)).await
            } else {
                app.call(1, Method::POST, path, Some(body)).await
            };
            // A task that was created is deleted again, so the code stays free.
            if reply.status == 201 && matches!(send, Send::Create) {
                let uuid = reply.body["uuid"].as_str().unwrap().to_owned();
                app.call(1, Method::DELETE, &format!("/{uuid}"), None)
                    .await
                    .expect(204);
            }
            reply
        }
    };
    let status = reply.status.as_u16();
    (status, reply.fields())
}

#[tokio::test]
async fn every_bound_in_the_document_is_the_one_the_server_enforces() {
    let doc = api::openapi();
    let mut stated = BTreeSet::new();
    for name in REQUEST_SCHEMAS {
        let pointer = format!("/components/schemas/{name}");
        bounds_under(doc.pointer(&pointer).unwrap(), &pointer, &mut stated);
    }
    let probes = probes();
    let probed: BTreeSet<(String, String)> = probes
        .iter()
        .flat_map(|p| {
            let schema = doc
                .pointer(p.schema)
                .unwrap_or_else(|| panic!("{}", p.schema));
            BOUNDS
                .iter()
                .filter(|k| schema.get(**k).is_some())
                .map(|k| (p.schema.to_owned(), (*k).to_owned()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(
        stated.difference(&probed).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "every bound the document states has a probe"
    );

    let app = TestApp::spawn(Database::Sqlite).await;
    for probe in &probes {
        let schema = doc.pointer(probe.schema).unwrap();
        let field = probe
            .field
            .map(str::to_owned)
            .unwrap_or_else(|| probe.at.trim_start_matches('/').replace('/', "."));
        for keyword in BOUNDS {
            let Some(bound) = schema.get(keyword).and_then(Value::as_i64) else {
                continue;
            };
            let past = if keyword.starts_with("min") {
                bound - 1
            } else {
                bound + 1
            };
            let context = format!("{} {keyword} {bound}", probe.schema);
            if !probe.only_past.contains(&keyword) {
                let (status, fields) = answer(&app, probe, (probe.value)(bound)).await;
                assert!(
                    (200..300).contains(&status),
                    "{context}: the bound itself is refused ({status}, {fields:?})"
                );
            }
            let (status, fields) = answer(&app, probe, (probe.value)(past)).await;
            let expected = if matches!(probe.send, Send::ListQuery | Send::RunLogQuery) {
                400
            } else {
                422
            };
            assert_eq!(
                status, expected,
                "{context}: {past} is not refused ({fields:?})"
            );
            assert!(
                fields
                    .iter()
                    .any(|f| f == &field || f.starts_with(&format!("{field}."))),
                "{context}: the error for {past} names {fields:?}, not {field}"
            );
        }
    }
}

#[test]
fn an_update_has_the_bounds_of_a_create() {
    let doc = api::openapi();
    let create = &doc["components"]["schemas"]["TaskRequest"]["properties"];
    let update = &doc["components"]["schemas"]["TaskPatch"]["properties"];
    for (name, schema) in create.as_object().unwrap() {
        for keyword in BOUNDS {
            assert_eq!(
                schema.get(keyword),
                update[name].get(keyword),
                "{name} {keyword}"
            );
        }
    }
}

#[test]
fn every_field_error_code_is_documented_for_clients() {
    let doc = api::openapi();
    let codes = schema_enum(&doc, "FieldErrorCode");
    let guide = include_str!("../../../../docs/api.md");
    for code in &codes {
        assert!(
            guide.contains(&format!("| `{code}` |")),
            "docs/api.md's table of field error codes lacks {code}"
        );
    }
    assert!(codes.contains("too_long") && codes.contains("required"));
}
