//! Chains end to end through the real binary, on SQLite and on PostgreSQL: each success of A
//! runs B exactly once with A's run uuid and result in B's `SUNDIAL_CONTEXT`, an `api_call`
//! child gets `parent` in its JSON body, a failure after the last retry runs the failure link
//! once, a stopped child records a skipped run, runs link both ways, and a cycle is refused at
//! save so a chain never loops.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use store::on_both_databases;

use crate::common;
use common::{Node, Sink, TestDb, engine_env, poll};

/// A task that only runs when asked or chained (its cron fires once a year).
fn task(code: &str, kind: &str, task_config: Value, retries: u32) -> Value {
    json!({
        "name": code, "code": code, "type": kind,
        "trigger_type": "cron", "trigger_config": {"cron": "0 0 1 1 *"},
        "task_config": task_config, "timeout_seconds": 30,
        "retry_policy": {"max_retries": retries, "retry_delay_seconds": 1},
    })
}

fn script(code: &str, source: &str, retries: u32) -> Value {
    task(code, "python_script", json!({ "script": source }), retries)
}

/// Writes `{"rows": 1200}` as its result and succeeds.
const PRODUCE: &str = r#"
import os
os.write(3, b'{"rows": 1200}')
print("produced")
"#;

/// Prints what it received of its parent.
const CONSUME: &str = r#"
import json, os
print(json.dumps(json.loads(os.environ["SUNDIAL_CONTEXT"])["parent"], sort_keys=True))
"#;

const FAIL: &str = "import sys\nsys.exit(3)\n";

async fn chain(node: &Node, parent: &str, children: &[(&str, &str)]) -> Value {
    let children: Vec<Value> = children
        .iter()
        .map(|(task, on)| json!({"task_uuid": task, "on": on}))
        .collect();
    node.ok(
        Method::PUT,
        &format!("/{parent}/chains"),
        Some(json!({ "children": children })),
        200,
    )
    .await
}

async fn run_now(node: &Node, task: &str) -> String {
    let run = node
        .ok(Method::POST, &format!("/{task}/run"), None, 202)
        .await;
    run["uuid"].as_str().unwrap().to_owned()
}

async fn finished(node: &Node, run: &str) -> Value {
    poll("the run to end", Duration::from_secs(60), || async {
        let status = node.run(run).await["status"].clone();
        status != "queued" && status != "running"
    })
    .await;
    node.run(run).await
}

/// The runs `run` queued through its chains.
async fn children(node: &Node, run: &str) -> Vec<Value> {
    node.ok(Method::GET, &format!("/runs/{run}/children"), None, 200)
        .await["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// The chained runs of `task` whose parent is `parent`.
async fn runs_of_parent(node: &Node, task: &str, parent: &str) -> Vec<Value> {
    node.runs(task)
        .await
        .into_iter()
        .filter(|r| r["parent"]["run_uuid"] == parent)
        .collect()
}

/// The one chained run of `task` whose parent is `parent`, once it has ended.
async fn chained_run_of(node: &Node, task: &str, parent: &str) -> Value {
    poll(
        "the chained run to end",
        Duration::from_secs(60),
        || async {
            runs_of_parent(node, task, parent)
                .await
                .iter()
                .any(|r| !matches!(r["status"].as_str(), Some("queued" | "running")))
        },
    )
    .await;
    let runs = runs_of_parent(node, task, parent).await;
    assert_eq!(runs.len(), 1, "one run per parent run: {runs:?}");
    runs[0].clone()
}

async fn stdout(node: &Node, task: &str, run: &str) -> Vec<String> {
    let page = node
        .ok(
            Method::GET,
            &format!("/{task}/logs?run_uuid={run}"),
            None,
            200,
        )
        .await;
    page["items"][0]["logs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["stream"] == "stdout")
        .map(|l| l["line"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_chain_runs_its_child_once_per_outcome_and_never_loops(db: TestDb) {
    let sink = Sink::start().await;
    let data = tempfile::tempdir().unwrap();
    let node = Node::start(data.path(), &engine_env(&db, &sink)).await;

    let a = node.create(script("produce", PRODUCE, 0)).await;
    let b = node.create(script("consume", CONSUME, 0)).await;
    let on_fail = node.create(script("on-fail", CONSUME, 0)).await;
    let post = node
        .create(task(
            "post-parent",
            "api_call",
            json!({"url": sink.url("/chained"), "method": "POST", "data": {"k": "v"}}),
            0,
        ))
        .await;
    let stopped = node.create(script("stopped", CONSUME, 0)).await;
    node.ok(Method::POST, &format!("/{stopped}/stop"), None, 200)
        .await;
    let saved = chain(
        &node,
        &a,
        &[
            (&b, "success"),
            (&on_fail, "failure"),
            (&post, "completion"),
            (&stopped, "success"),
        ],
    )
    .await;
    assert_eq!(saved["children"].as_array().unwrap().len(), 4, "{saved}");
    // b → a would close a cycle: refused at save, naming the field.
    let (status, cycle) = node
        .call(
            Method::PUT,
            &format!("/{b}/chains"),
            Some(json!({"children": [{"task_uuid": a, "on": "completion"}]})),
        )
        .await;
    assert_eq!(status, 422, "{cycle}");
    assert_eq!(cycle["errors"][0]["field"], "children[0].task_uuid");
    assert_eq!(cycle["errors"][0]["code"], "chain_cycle");

    // Two successes of A: B runs once for each, with that run's uuid and result.
    for _ in 0..2 {
        let parent = run_now(&node, &a).await;
        assert_eq!(finished(&node, &parent).await["status"], "succeeded");
        let child = chained_run_of(&node, &b, &parent).await;
        assert_eq!(
            (&child["trigger"], &child["status"]),
            (&json!("chain"), &json!("succeeded")),
            "{child}"
        );
        assert_eq!(child["parent"]["task_uuid"], a.as_str());
        assert_eq!(child["parent"]["status"], "succeeded");
        let received: Value =
            serde_json::from_str(&stdout(&node, &b, child["uuid"].as_str().unwrap()).await[0])
                .unwrap();
        assert_eq!(
            received,
            json!({"run_uuid": parent, "task_uuid": a, "status": "succeeded", "attempt": 1,
                   "result": {"rows": 1200}, "error": null})
        );
        // The api_call child got the parent merged into its body.
        let call = chained_run_of(&node, &post, &parent).await;
        assert_eq!(call["status"], "succeeded", "{call}");
        let hit = sink
            .hits_on("/chained")
            .into_iter()
            .find(|h| h.key == call["uuid"].as_str().unwrap())
            .expect("the chained call reached the sink");
        let body: Value = serde_json::from_slice(&hit.body).unwrap();
        assert_eq!(body["k"], "v");
        assert_eq!(body["parent"]["run_uuid"], parent.as_str());
        assert_eq!(body["parent"]["result"], json!({"rows": 1200}));
        // The stopped child recorded a skipped run instead of running.
        let skipped = chained_run_of(&node, &stopped, &parent).await;
        assert_eq!(
            (&skipped["status"], &skipped["skip_reason"]),
            (&json!("skipped"), &json!("stopped")),
            "{skipped}"
        );
        // The parent links to every run it queued, and B's run queued nothing: no loop.
        let mut queued: Vec<String> = children(&node, &parent)
            .await
            .iter()
            .map(|r| r["uuid"].as_str().unwrap().to_owned())
            .collect();
        queued.sort();
        let mut want = [&child, &call, &skipped]
            .map(|r| r["uuid"].as_str().unwrap().to_owned())
            .to_vec();
        want.sort();
        assert_eq!(queued, want);
        assert!(
            children(&node, child["uuid"].as_str().unwrap())
                .await
                .is_empty()
        );
    }
    assert_eq!(
        node.settled_runs(&b).await.len(),
        2,
        "B ran once per success of A"
    );
    assert_eq!(node.runs(&a).await.len(), 2, "A ran only when asked");
    assert!(node.runs(&on_fail).await.is_empty(), "no failure yet");

    // A failure after the last retry runs the failure link once, with the error.
    let flaky = node.create(script("flaky", FAIL, 1)).await;
    chain(&node, &flaky, &[(&on_fail, "failure"), (&b, "success")]).await;
    let parent = run_now(&node, &flaky).await;
    let ended = finished(&node, &parent).await;
    assert_eq!(
        (&ended["status"], &ended["attempt"]),
        (&json!("failed"), &json!(2))
    );
    let child = chained_run_of(&node, &on_fail, &parent).await;
    let received: Value =
        serde_json::from_str(&stdout(&node, &on_fail, child["uuid"].as_str().unwrap()).await[0])
            .unwrap();
    assert_eq!(
        (
            &received["status"],
            &received["attempt"],
            &received["error"]
        ),
        (&json!("failed"), &json!(2), &json!("exit 3"))
    );
    assert_eq!(node.settled_runs(&on_fail).await.len(), 1);
    assert_eq!(node.settled_runs(&b).await.len(), 2, "not on failure");
}

on_both_databases!(a_chain_runs_its_child_once_per_outcome_and_never_loops,);
