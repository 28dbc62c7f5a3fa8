//! Resource isolation between tenants through the real binary, on SQLite and PostgreSQL: a
//! tenant that fills every slot it can (sleeping python scripts and calls to a target that
//! does not answer, every second, overlapping) holds no more than its cap, and another
//! tenant's python run and every-second call start at once.

use std::time::Duration;

use jiff::Timestamp;
use reqwest::Method;
use serde_json::{Value, json};
use store::on_both_databases;

use crate::common;
use common::{Node, Sink, TestDb, api_task, engine_env, poll, ts};

on_both_databases!(a_hog_cannot_delay_another_tenants_runs,);

/// A task every second whose runs overlap.
fn every_second(mut task: Value) -> Value {
    task["trigger_type"] = json!("interval");
    task["trigger_config"] = json!({"seconds": 1});
    task["overlap_policy"] = json!("allow");
    task["timeout_seconds"] = json!(120);
    task["retry_policy"] = json!({"max_retries": 0});
    task
}

fn python(code: &str, script: &str) -> Value {
    json!({
        "name": code, "code": code, "type": "python_script",
        "trigger_type": "cron", "trigger_config": {"cron": "0 0 1 1 *"},
        "task_config": {"script": script},
        "retry_policy": {"max_retries": 0},
    })
}

async fn create(node: &Node, token: &str, task: Value) -> String {
    let (status, body) = node.call_as(token, Method::POST, "/", Some(task)).await;
    assert_eq!(status, 201, "{body}");
    body["uuid"].as_str().unwrap().to_owned()
}

async fn runs(node: &Node, token: &str, task: &str) -> Vec<Value> {
    let path = format!("/{task}/runs?page_size=100");
    let (status, body) = node.call_as(token, Method::GET, &path, None).await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

async fn running(node: &Node, token: &str, tasks: &[String]) -> usize {
    let mut n = 0;
    for task in tasks {
        n += runs(node, token, task)
            .await
            .iter()
            .filter(|r| r["status"] == "running")
            .count();
    }
    n
}

/// How long after its occurrence a run started.
fn lag(run: &Value) -> Duration {
    let started: Timestamp = ts(&run["started_at"]);
    let due: Timestamp = ts(&run["scheduled_for"]);
    Duration::try_from(started.duration_since(due)).unwrap_or_default()
}

async fn a_hog_cannot_delay_another_tenants_runs(db: TestDb) {
    let sink = Sink::start().await;
    let data = tempfile::tempdir().unwrap();
    // 8 workers: a tenant runs at most 4 at once (half), and 1 slot and 1 of the 4 sandboxes
    // are kept for tenants running nothing: the defaults for that many.
    let node = Node::start(data.path(), &engine_env(&db, &sink)).await;
    let hog = node.token(&["--tenant", "7"]).await;
    let victim = node.token(&["--tenant", "8"]).await;

    let mut hogging = vec![
        create(
            &node,
            &hog,
            every_second(python("sleeper", "import time; time.sleep(60)")),
        )
        .await,
    ];
    for i in 0..6 {
        let code = format!("hang{i}");
        let task = api_task(&code, "interval", json!({}), &sink.url("/slow/60000"));
        hogging.push(create(&node, &hog, every_second(task)).await);
    }
    poll(
        "the hog to reach its cap",
        Duration::from_secs(20),
        || async { running(&node, &hog, &hogging).await >= 4 },
    )
    .await;

    let script = create(&node, &victim, python("b", "print('B')")).await;
    let call = create(
        &node,
        &victim,
        every_second(api_task("fast", "interval", json!({}), &sink.url("/fast"))),
    )
    .await;
    let (status, run) = node
        .call_as(&victim, Method::POST, &format!("/{script}/run"), None)
        .await;
    assert_eq!(status, 202, "{run}");
    let run = run["uuid"].as_str().unwrap().to_owned();
    poll(
        "the victim's python run to end",
        Duration::from_secs(20),
        || async {
            let (_, body) = node
                .call_as(&victim, Method::GET, &format!("/runs/{run}"), None)
                .await;
            body["status"] == "succeeded"
        },
    )
    .await;
    let (_, done) = node
        .call_as(&victim, Method::GET, &format!("/runs/{run}"), None)
        .await;
    assert!(
        lag(&done) < Duration::from_secs(1),
        "the python run waited: {done}"
    );
    poll(
        "three of the victim's calls",
        Duration::from_secs(20),
        || async {
            runs(&node, &victim, &call)
                .await
                .iter()
                .filter(|r| r["status"] == "succeeded")
                .count()
                >= 3
        },
    )
    .await;
    for run in runs(&node, &victim, &call).await {
        if run["status"] == "succeeded" {
            assert!(lag(&run) < Duration::from_secs(1), "a call waited: {run}");
        }
    }
    // All the while, the hog never ran more than its cap.
    assert_eq!(running(&node, &hog, &hogging).await, 4);
}
