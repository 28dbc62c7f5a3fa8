//! Runs with arguments end to end through the real binary, on SQLite and on PostgreSQL:
//! `POST /{uuid}/run {"args": …}` reaches a python script in the real sandbox as `args` in
//! `SUNDIAL_CONTEXT` and an `api_call`'s JSON body on a loopback target (merged at its top
//! level, on every retry); the run shows its arguments in every run answer; bodies the API
//! cannot honour are refused with a precise problem, and viewers cannot run at all.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use store::on_both_databases;

use crate::common;
use common::{Node, Sink, TASKS, TestDb, engine_env, poll};

/// A task that only runs when asked (its cron fires once a year).
fn task(code: &str, kind: &str, task_config: Value, retry_policy: Value) -> Value {
    json!({
        "name": code, "code": code, "type": kind,
        "trigger_type": "cron", "trigger_config": {"cron": "0 0 1 1 *"},
        "task_config": task_config, "retry_policy": retry_policy, "timeout_seconds": 30,
    })
}

/// Runs `task` now with `body` and returns the queued run.
async fn run_now(node: &Node, task: &str, body: Option<Value>) -> Value {
    node.ok(Method::POST, &format!("/{task}/run"), body, 202)
        .await
}

/// Waits until the run has ended and returns it.
async fn finished(node: &Node, run: &str) -> Value {
    poll("the run to end", Duration::from_secs(60), || async {
        let status = node.run(run).await["status"].clone();
        status != "queued" && status != "running"
    })
    .await;
    node.run(run).await
}

/// The stdout lines of a run, from the task's `/logs`, which must show the run's arguments.
async fn stdout(node: &Node, task: &str, run: &str, args: &Value) -> Vec<String> {
    let page = node
        .ok(
            Method::GET,
            &format!("/{task}/logs?run_uuid={run}"),
            None,
            200,
        )
        .await;
    let item = &page["items"][0];
    assert_eq!(&item["args"], args, "{item}");
    item["logs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["stream"] == "stdout")
        .map(|l| l["line"].as_str().unwrap().to_owned())
        .collect()
}

/// The problem a refused `POST /{uuid}/run` answers with: its status, its code and its one
/// field's `field` and `code`.
async fn refused(node: &Node, token: &str, task: &str, body: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}{TASKS}/{task}/run", node.base))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    (status, response.json().await.unwrap())
}

fn field_error(problem: &Value) -> (&str, &str) {
    assert_eq!(problem["errors"].as_array().unwrap().len(), 1, "{problem}");
    let error = &problem["errors"][0];
    (
        error["field"].as_str().unwrap(),
        error["code"].as_str().unwrap(),
    )
}

const ECHO_ARGS: &str = r#"
import json, os
print(json.dumps(json.loads(os.environ["SUNDIAL_CONTEXT"])["args"], sort_keys=True))
"#;

async fn runs_carry_their_arguments(db: TestDb) {
    let sink = Sink::start().await;
    let data = tempfile::tempdir().unwrap();
    let node = Node::start(data.path(), &engine_env(&db, &sink)).await;

    // A script reads the run's arguments in place of the task's own.
    let script = node
        .create(task(
            "echo-args",
            "python_script",
            json!({"script": ECHO_ARGS, "args": {"who": "task", "keep": 1}}),
            json!({"max_retries": 0}),
        ))
        .await;
    let args = json!({"who": "run", "date": "2026-12-01", "nested": {"n": [1, 2]}});
    let run = run_now(&node, &script, Some(json!({ "args": args }))).await;
    assert_eq!(run["args"], args, "the 202 shows the arguments: {run}");
    assert_eq!(run["trigger"], "manual");
    let uuid = run["uuid"].as_str().unwrap();
    let ended = finished(&node, uuid).await;
    assert_eq!(ended["status"], "succeeded", "{ended}");
    assert_eq!(ended["args"], args, "/runs/{{run_uuid}} shows them");
    assert_eq!(
        stdout(&node, &script, uuid, &args).await,
        [r#"{"date": "2026-12-01", "nested": {"n": [1, 2]}, "who": "run"}"#]
    );
    let across = node
        .ok(
            Method::GET,
            &format!("/runs?task_uuid={script}&page_size=100"),
            None,
            200,
        )
        .await;
    assert_eq!(
        across["items"][0]["args"], args,
        "/runs shows them: {across}"
    );

    // No body, and an empty object, run the task as configured.
    for body in [None, Some(json!({}))] {
        let plain = run_now(&node, &script, body).await;
        assert_eq!(plain["args"], Value::Null, "{plain}");
        let plain = plain["uuid"].as_str().unwrap();
        assert_eq!(finished(&node, plain).await["status"], "succeeded");
        assert_eq!(
            stdout(&node, &script, plain, &Value::Null).await,
            [r#"{"keep": 1, "who": "task"}"#]
        );
    }

    // An api_call's JSON body gets them at its top level, on the retry too.
    let call = node
        .create(task(
            "post-args",
            "api_call",
            json!({"url": sink.url("/fail/args"), "method": "POST",
                   "data": {"report": "daily", "date": "yesterday"}}),
            json!({"max_retries": 1, "retry_delay_seconds": 1}),
        ))
        .await;
    let args = json!({"date": "2026-12-01", "force": true});
    let run = run_now(&node, &call, Some(json!({ "args": args }))).await;
    let uuid = run["uuid"].as_str().unwrap();
    let ended = finished(&node, uuid).await;
    assert_eq!(ended["status"], "failed", "the target answers 500: {ended}");
    assert_eq!(ended["attempt"], 2, "retried once: {ended}");
    assert_eq!(ended["args"], args, "the retried run keeps its arguments");
    let hits = sink.hits_on("/fail/args");
    assert_eq!(hits.len(), 2, "both attempts reached the target");
    for hit in hits {
        assert_eq!(hit.key, uuid);
        let body: Value = serde_json::from_slice(&hit.body).unwrap();
        assert_eq!(
            body,
            json!({"report": "daily", "date": "2026-12-01", "force": true})
        );
    }

    // What the API cannot honour is refused before anything is queued.
    let token = node.token.clone();
    let big = format!(r#"{{"args": {{"k": "{}"}}}}"#, "x".repeat(64 * 1024));
    let get = node
        .create(task(
            "get-no-args",
            "api_call",
            json!({"url": sink.url("/get")}),
            json!({"max_retries": 0}),
        ))
        .await;
    let list_body = node
        .create(task(
            "list-body",
            "api_call",
            json!({"url": sink.url("/list"), "method": "PUT", "data": [1, 2]}),
            json!({"max_retries": 0}),
        ))
        .await;
    for (target, body, status, field, code) in [
        (&script, r#"{"args": [1, 2]}"#, 422, "args", "invalid_type"),
        (&script, r#"{"args": "x"}"#, 422, "args", "invalid_type"),
        (&script, big.as_str(), 422, "args", "too_long"),
        (&script, r#"{"argz": {}}"#, 400, "argz", "unknown_field"),
        (&script, r#"[1]"#, 422, "", "invalid_type"),
        (&script, r#"[{"a": 1}]"#, 422, "", "invalid_type"),
        (
            &get,
            r#"{"args": {"a": 1}}"#,
            422,
            "args",
            "args_not_accepted",
        ),
        (
            &list_body,
            r#"{"args": {"a": 1}}"#,
            422,
            "args",
            "args_not_accepted",
        ),
    ] {
        let (got, problem) = refused(&node, &token, target, body).await;
        assert_eq!(got, status, "{problem}");
        assert_eq!(field_error(&problem), (field, code), "{problem}");
    }
    let (_, too_long) = refused(&node, &token, &script, &big).await;
    assert_eq!(too_long["errors"][0]["max"], 65536, "{too_long}");
    let (got, malformed) = refused(&node, &token, &script, r#"{"args": "#).await;
    assert_eq!(
        (got, malformed["code"].as_str()),
        (400, Some("malformed_json"))
    );
    let viewer = node.token(&["--tenant", "1", "--role", "viewer"]).await;
    let (got, forbidden) = refused(&node, &viewer, &script, r#"{"args": {"a": 1}}"#).await;
    assert_eq!((got, forbidden["code"].as_str()), (403, Some("forbidden")));
    let operator = node.token(&["--tenant", "1", "--role", "operator"]).await;
    let (got, run) = node
        .call_as(
            &operator,
            Method::POST,
            &format!("/{script}/run"),
            Some(json!({"args": {"by": "operator"}})),
        )
        .await;
    assert_eq!(got, 202, "operators may pass arguments: {run}");
    assert_eq!(run["args"], json!({"by": "operator"}));
    for task in [&get, &list_body] {
        assert!(node.runs(task).await.is_empty(), "nothing was queued");
    }
}

on_both_databases!(runs_carry_their_arguments,);
