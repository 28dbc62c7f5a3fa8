//! The notification events beyond failures, through the real binary on SQLite and PostgreSQL:
//! a tenant default rule notifies for a task without rules of its own and a task's own rules
//! replace the defaults; a run still executing past its `run.slow` threshold notifies once,
//! while it runs; an occurrence skipped for overlap notifies with its instant and reason.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use store::on_both_databases;

use crate::common;
use crate::notify::{Receiver, call};
use common::{Node, Sink, TestDb, api_task, engine_env, poll, ts};

on_both_databases!(events_beyond_failures_reach_the_webhook,);

/// The bodies of the notices received of `event` about the task with `code`.
fn notices(receiver: &Receiver, event: &str, code: &str) -> Vec<Value> {
    receiver
        .received()
        .iter()
        .filter(|r| r.header("sundial-event") == event)
        .map(|r| r.json())
        .filter(|body| body["task"]["code"] == code)
        .collect()
}

/// A task calling `path` on the sink, fired once a year (run by hand), failing at once.
fn yearly(code: &str, url: &str) -> Value {
    let mut task = api_task(code, "cron", json!({"cron": "0 0 1 1 *"}), url);
    task["retry_policy"] = json!({"max_retries": 0});
    task
}

async fn rule(node: &Node, task: &str, body: Value) {
    node.ok(
        Method::POST,
        &format!("/{task}/notify-rules"),
        Some(body),
        201,
    )
    .await;
}

/// Runs `task` by hand and waits for the run to end `status`; its uuid.
async fn run_until(node: &Node, task: &str, status: &str) -> String {
    let run = node
        .ok(Method::POST, &format!("/{task}/run"), None, 202)
        .await;
    let uuid = run["uuid"].as_str().unwrap().to_owned();
    poll("the run to end", Duration::from_secs(30), || async {
        node.run(&uuid).await["status"] == status
    })
    .await;
    uuid
}

async fn events_beyond_failures_reach_the_webhook(db: TestDb) {
    let sink = Sink::start().await;
    let receiver = Receiver::start().await;
    let mut env = engine_env(&db, &sink);
    for (name, value) in &mut env {
        if name == "SUNDIAL_EGRESS_ALLOW" {
            *value = format!("{value},127.0.0.1/32:{}", receiver.port);
        }
    }
    env.push((
        "SUNDIAL_SLOW_RUN_CHECK_INTERVAL_SECONDS".to_owned(),
        "1".to_owned(),
    ));
    let data = tempfile::tempdir().unwrap();
    let node = Node::start(data.path(), &env).await;
    let admin = node.token.clone();
    let hook = format!("http://127.0.0.1:{}/hook", receiver.port);
    let (got, channel) = call(
        &node,
        &admin,
        Method::POST,
        "/channels",
        Some(json!({"name": "ops", "kind": "webhook", "url": hook})),
    )
    .await;
    assert_eq!(got, 201, "{channel}");
    let channel = channel["uuid"].as_str().unwrap().to_owned();

    // A run that takes 6 s against a task rule of 1 s; and a task firing every second whose
    // calls take 2.5 s, skipping the occurrences that come while one runs.
    let mut slow = yearly("slow", &sink.url("/slow/6000"));
    slow["timeout_seconds"] = json!(15);
    let slow = node.create(slow).await;
    rule(
        &node,
        &slow,
        json!({"channel": channel, "event": "run.slow", "threshold": 1000}),
    )
    .await;
    let mut overlapping = api_task(
        "overlapping",
        "interval",
        json!({"seconds": 1}),
        &sink.url("/slow/2500"),
    );
    overlapping["overlap_policy"] = json!("skip");
    overlapping["is_active"] = json!(false);
    let overlapping = node.create(overlapping).await;
    rule(
        &node,
        &overlapping,
        json!({"channel": channel, "event": "occurrence.skipped"}),
    )
    .await;
    let slow_run = node
        .ok(Method::POST, &format!("/{slow}/run"), None, 202)
        .await["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    node.ok(Method::POST, &format!("/{overlapping}/start"), None, 200)
        .await;

    // The slow run is reported while it still runs.
    poll("the run.slow notice", Duration::from_secs(30), || async {
        !notices(&receiver, "run.slow", "slow").is_empty()
    })
    .await;
    assert_eq!(node.run(&slow_run).await["status"], "running");
    let notice = notices(&receiver, "run.slow", "slow").remove(0);
    assert_eq!(notice["run"], json!(slow_run));
    assert_eq!(notice["data"]["status"], "running");
    assert_eq!(notice["data"]["threshold_ms"], 1000);
    assert!(
        notice["data"]["duration_ms"].as_i64().unwrap() > 1000,
        "{notice}"
    );

    // A skipped occurrence is reported with its instant and why.
    poll(
        "the occurrence.skipped notice",
        Duration::from_secs(30),
        || async { !notices(&receiver, "occurrence.skipped", "overlapping").is_empty() },
    )
    .await;
    node.ok(Method::POST, &format!("/{overlapping}/stop"), None, 200)
        .await;
    let notice = notices(&receiver, "occurrence.skipped", "overlapping").remove(0);
    assert_eq!(notice["data"]["reason"], "overlap");
    let skipped = node.run(notice["run"].as_str().unwrap()).await;
    assert_eq!(
        (&skipped["status"], &skipped["skip_reason"]),
        (&json!("skipped"), &json!("overlap"))
    );
    assert_eq!(
        ts(&notice["data"]["scheduled_at"]),
        ts(&skipped["scheduled_for"])
    );

    // A tenant default applies to a task without rules of its own...
    let (got, default) = call(
        &node,
        &admin,
        Method::POST,
        "/rules",
        Some(json!({"channel": channel, "event": "run.failed"})),
    )
    .await;
    assert_eq!(got, 201, "{default}");
    assert_eq!(default["task_uuid"], Value::Null, "{default}");
    let defaulted = node.create(yearly("defaulted", &sink.url("/fail"))).await;
    let failed = run_until(&node, &defaulted, "failed").await;
    poll(
        "the default rule's notice",
        Duration::from_secs(30),
        || async { !notices(&receiver, "run.failed", "defaulted").is_empty() },
    )
    .await;
    assert_eq!(
        notices(&receiver, "run.failed", "defaulted")[0]["run"],
        json!(failed)
    );
    // ...and a task's own rules replace the defaults: this one notifies of its recovery only.
    let own = node.create(yearly("own", &sink.url("/fail"))).await;
    rule(
        &node,
        &own,
        json!({"channel": channel, "event": "run.recovered"}),
    )
    .await;
    run_until(&node, &own, "failed").await;
    let mut fixed = node.ok(Method::GET, &format!("/{own}"), None, 200).await;
    fixed["task_config"]["url"] = json!(sink.url("/ok"));
    node.ok(Method::PUT, &format!("/{own}"), Some(fixed), 200)
        .await;
    let recovered = run_until(&node, &own, "succeeded").await;
    // Events are routed in order: once the recovery is in, the failure before it was routed.
    poll("the recovery notice", Duration::from_secs(30), || async {
        !notices(&receiver, "run.recovered", "own").is_empty()
    })
    .await;
    assert_eq!(
        notices(&receiver, "run.recovered", "own")[0]["run"],
        json!(recovered)
    );
    assert!(notices(&receiver, "run.failed", "own").is_empty());

    // Once the slow run has ended, another task's slow run is reported: a check looked at
    // the ended one since (it looks at the runs that ended since the one before), and it was
    // still reported once.
    poll("the slow run to end", Duration::from_secs(30), || async {
        node.run(&slow_run).await["status"] == "succeeded"
    })
    .await;
    let mut later = yearly("later", &sink.url("/slow/2000"));
    later["timeout_seconds"] = json!(15);
    let later = node.create(later).await;
    rule(
        &node,
        &later,
        json!({"channel": channel, "event": "run.slow", "threshold": 1000}),
    )
    .await;
    node.ok(Method::POST, &format!("/{later}/run"), None, 202)
        .await;
    poll(
        "the later run.slow notice",
        Duration::from_secs(30),
        || async { !notices(&receiver, "run.slow", "later").is_empty() },
    )
    .await;
    assert_eq!(notices(&receiver, "run.slow", "slow").len(), 1);
    let (_, deliveries) = call(
        &node,
        &admin,
        Method::GET,
        &format!("/deliveries?run_uuid={slow_run}"),
        None,
    )
    .await;
    assert_eq!(deliveries.as_array().unwrap().len(), 1, "{deliveries}");
}
