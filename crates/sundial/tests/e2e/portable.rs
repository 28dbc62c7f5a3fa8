//! Alert configuration travels with a task, through the real binary on SQLite and on
//! PostgreSQL: an export carries a task's chains (children by code), deadlines and own rules
//! (channels by name); an import into another tenant recreates them once that tenant has a
//! channel of the name (a missing channel or child is a 422 naming the field, and nothing is
//! created); applying the export again is `unchanged`; every change is in the audit log with
//! who, when and what, and none makes a new version.

use reqwest::Method;
use serde_json::{Value, json};
use store::on_both_databases;

use crate::common;
use common::{Node, Sink, TestDb, engine_env};

const NOTIFY: &str = "/api/tree-root/tenant/notify";

on_both_databases!(alerts_travel_with_an_export_and_are_audited,);

/// A task that runs only when asked (its cron fires once a year).
fn task(code: &str) -> Value {
    json!({
        "name": code, "code": code, "type": "api_call",
        "trigger_type": "cron", "trigger_config": {"cron": "0 0 1 1 *"},
        "task_config": {"url": "https://api.example.com/run", "method": "POST"},
    })
}

async fn channel(node: &Node, token: &str, name: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{}{NOTIFY}/channels", node.base))
        .bearer_auth(token)
        .json(&json!({"name": name, "kind": "webhook", "url": "https://hooks.example.com/in"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let created: Value = response.json().await.unwrap();
    created["uuid"].as_str().unwrap().to_owned()
}

/// Calls as `token` and asserts the status; a refusal must be problem+json.
async fn expect(
    node: &Node,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
    want: u16,
) -> Value {
    let (status, answer) = node.call_as(token, method, path, body).await;
    assert_eq!(status, want, "{path}: {answer}");
    answer
}

/// The fields a 422 names.
fn fields(problem: &Value) -> Vec<String> {
    assert_eq!(problem["code"], "validation_failed", "{problem}");
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

/// The audit entries of one task, newest first.
async fn audit(node: &Node, token: &str, task: &str) -> Vec<Value> {
    let page = expect(
        node,
        token,
        Method::GET,
        &format!("/audit?task_uuid={task}"),
        None,
        200,
    )
    .await;
    page["items"].as_array().unwrap().clone()
}

/// A task's uuid by code in the caller's tenant.
async fn uuid_of(node: &Node, token: &str, code: &str) -> String {
    let list = expect(
        node,
        token,
        Method::GET,
        &format!("/list?code={code}"),
        None,
        200,
    )
    .await;
    list["items"][0]["uuid"].as_str().unwrap().to_owned()
}

async fn alerts_travel_with_an_export_and_are_audited(db: TestDb) {
    let sink = Sink::start().await;
    let data = tempfile::tempdir().unwrap();
    let node = Node::start(data.path(), &engine_env(&db, &sink)).await;
    let alice = node
        .token(&["--tenant", "1", "--sub", "alice", "--role", "admin"])
        .await;
    let bob = node
        .token(&["--tenant", "2", "--sub", "bob", "--role", "admin"])
        .await;

    // Tenant 1 configures `extract`: a chain to `load`, a deadline and a rule.
    let ops = channel(&node, &alice, "ops").await;
    let extract = node.create(task("extract")).await;
    let load = node.create(task("load")).await;
    expect(
        &node,
        &alice,
        Method::PUT,
        &format!("/{extract}/chains"),
        Some(json!({"children": [{"task_uuid": load, "on": "success"}]})),
        200,
    )
    .await;
    expect(
        &node,
        &alice,
        Method::PUT,
        &format!("/{extract}/deadlines"),
        Some(json!({"deadlines": [{"every_seconds": 3600}]})),
        200,
    )
    .await;
    expect(
        &node,
        &alice,
        Method::POST,
        &format!("/{extract}/notify-rules"),
        Some(json!({"channel": ops, "event": "run.failed", "threshold": 2})),
        201,
    )
    .await;

    // Each change is audited with who, when and what, at the task's version, which stays.
    let entries = audit(&node, &alice, &extract).await;
    let actions: Vec<_> = entries.iter().map(|e| e["action"].clone()).collect();
    assert_eq!(
        actions,
        vec![
            json!("notify_rules"),
            json!("deadlines"),
            json!("chains"),
            json!("create")
        ]
    );
    for entry in &entries[..3] {
        assert_eq!(
            (&entry["actor"], &entry["version"]),
            (&json!("alice"), &json!(1))
        );
        assert!(entry["at"].is_string());
    }
    assert_eq!(
        entries[2]["detail"],
        json!({"from": [], "to": [{"task_code": "load", "on": "success"}]})
    );
    let (_, got) = node
        .call_as(&alice, Method::GET, &format!("/{extract}"), None)
        .await;
    assert_eq!(got["version"], 1, "alert changes make no version");

    // The export carries them in terms another tenant can resolve.
    let export = expect(&node, &alice, Method::GET, "/export", None, 200).await;
    let exported = &export["tasks"][0];
    assert_eq!(exported["code"], "extract");
    assert_eq!(
        exported["chains"],
        json!([{"task_code": "load", "on": "success"}])
    );
    assert_eq!(exported["deadlines"], json!([{"every_seconds": 3600}]));
    assert_eq!(
        exported["notify_rules"],
        json!([{"channel_name": "ops", "event": "run.failed", "threshold": 2, "throttle_seconds": 900}])
    );
    assert_eq!(export["tasks"][1]["chains"], json!([]));

    // Tenant 2 has no channel named `ops` yet: a 422 naming the field, and nothing created.
    let refused = expect(
        &node,
        &bob,
        Method::POST,
        "/import",
        Some(export.clone()),
        422,
    )
    .await;
    assert_eq!(
        fields(&refused),
        vec!["tasks[0].notify_rules[0].channel_name"]
    );
    let list = expect(&node, &bob, Method::GET, "/list", None, 200).await;
    assert_eq!(list["total"], 0);
    let bobs_ops = channel(&node, &bob, "ops").await;

    // A child that is neither in the tenant nor in the request is named the same way.
    let alone = json!({"tasks": [export["tasks"][0].clone()]});
    let refused = expect(&node, &bob, Method::POST, "/apply", Some(alone), 422).await;
    assert_eq!(fields(&refused), vec!["tasks[0].chains[0].task_code"]);

    // The whole export imports, with its configuration resolved in tenant 2.
    let imported = expect(
        &node,
        &bob,
        Method::POST,
        "/import",
        Some(export.clone()),
        201,
    )
    .await;
    assert_eq!(imported["created"], 2);
    let copy = uuid_of(&node, &bob, "extract").await;
    let copy_load = uuid_of(&node, &bob, "load").await;
    let chains = expect(
        &node,
        &bob,
        Method::GET,
        &format!("/{copy}/chains"),
        None,
        200,
    )
    .await;
    assert_eq!(chains["children"][0]["task_uuid"], json!(copy_load));
    assert_eq!(chains["children"][0]["on"], "success");
    let deadlines = expect(
        &node,
        &bob,
        Method::GET,
        &format!("/{copy}/deadlines"),
        None,
        200,
    )
    .await;
    assert_eq!(deadlines["deadlines"][0]["key"], "every 3600s");
    let rules = expect(
        &node,
        &bob,
        Method::GET,
        &format!("/{copy}/notify-rules"),
        None,
        200,
    )
    .await;
    assert_eq!(
        (
            &rules[0]["channel"],
            &rules[0]["event"],
            &rules[0]["threshold"]
        ),
        (&json!(bobs_ops), &json!("run.failed"), &json!(2))
    );
    let copy_audit = audit(&node, &bob, &copy).await;
    assert_eq!(copy_audit[0]["actor"], "bob");
    assert_eq!(copy_audit[0]["detail"]["via"], "import");

    // Applying the export, twice, changes nothing.
    for _ in 0..2 {
        let applied = expect(
            &node,
            &bob,
            Method::POST,
            "/apply",
            Some(export.clone()),
            200,
        )
        .await;
        assert_eq!(
            (applied["unchanged"].clone(), applied["updated"].clone()),
            (json!(2), json!(0)),
            "{applied}"
        );
    }
    assert_eq!(audit(&node, &bob, &copy).await.len(), copy_audit.len());

    // A changed deadline is an update of the task, without a new version.
    let mut changed = export.clone();
    changed["tasks"][0]["deadlines"] = json!([{"every_seconds": 7200}]);
    let applied = expect(&node, &bob, Method::POST, "/apply", Some(changed), 200).await;
    assert_eq!(applied["results"][0]["action"], "updated");
    let latest = &audit(&node, &bob, &copy).await[0];
    assert_eq!(
        (&latest["action"], &latest["version"], &latest["detail"]),
        (
            &json!("deadlines"),
            &json!(1),
            &json!({"via": "apply", "from": [{"every_seconds": 3600}], "to": [{"every_seconds": 7200}]})
        )
    );

    // A chain back from `load` to `extract` would loop: refused at apply as at save.
    let mut looping = export.clone();
    looping["tasks"][1]["chains"] = json!([{"task_code": "extract", "on": "completion"}]);
    let refused = expect(
        &node,
        &bob,
        Method::POST,
        "/apply?dry_run=true",
        Some(looping.clone()),
        422,
    )
    .await;
    assert_eq!(fields(&refused), vec!["tasks[1].chains[0].task_code"]);
    let refused = expect(&node, &bob, Method::POST, "/apply", Some(looping), 422).await;
    assert_eq!(refused["errors"][0]["code"], "chain_cycle");

    // An export from before alerts travelled (no such fields) still imports.
    let carol = node
        .token(&["--tenant", "3", "--sub", "carol", "--role", "admin"])
        .await;
    let mut old = export.clone();
    for task in old["tasks"].as_array_mut().unwrap() {
        let task = task.as_object_mut().unwrap();
        for field in ["chains", "deadlines", "notify_rules"] {
            task.remove(field);
        }
    }
    let imported = expect(&node, &carol, Method::POST, "/import", Some(old), 201).await;
    assert_eq!(imported["created"], 2);
}
