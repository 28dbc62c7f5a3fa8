//! A dead-man deadline through the real binary on two PostgreSQL nodes: the node holding the
//! maintenance lease is killed, and the other one still records the miss, once per due instant.

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::common;
use common::{Node, Sink, TestDb, api_task, engine_env, poll};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_is_missed_aloud_when_the_maintenance_leader_is_killed() {
    let sink = Sink::start().await;
    let db = TestDb::postgres().await;
    let node_env = |name: &str| {
        let mut env = engine_env(&db, &sink);
        env.push(("SUNDIAL_NODE_ID".to_owned(), name.to_owned()));
        env.push((
            "SUNDIAL_DEADLINE_CHECK_INTERVAL_SECONDS".to_owned(),
            "1".to_owned(),
        ));
        env
    };
    let (data_a, data_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // A starts alone, so it takes the maintenance lease; B waits for it.
    let mut a = Node::start(data_a.path(), &node_env("node-a")).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut b = Node::start(data_b.path(), &node_env("node-b")).await;

    // Fires once a year: nothing will succeed.
    let task = b
        .create(api_task(
            "nightly",
            "cron",
            json!({"cron": "0 0 1 1 *"}),
            &sink.url("/nightly"),
        ))
        .await;
    let set = b
        .ok(
            Method::PUT,
            &format!("/{task}/deadlines"),
            Some(json!({"deadlines": [{"every_seconds": 10}]})),
            200,
        )
        .await;
    let since = set["deadlines"][0]["since"].as_str().unwrap().to_owned();
    a.kill9().await;

    // Due 10 s after it was set; B takes the lease once A's expires (15 s) and records it.
    let misses = || async {
        b.ok(
            Method::GET,
            &format!("/deadline-misses?task_uuid={task}"),
            None,
            200,
        )
        .await["items"]
            .as_array()
            .unwrap()
            .clone()
    };
    poll(
        "node B to record the missed deadline",
        Duration::from_secs(45),
        || async { !misses().await.is_empty() },
    )
    .await;
    let first = misses().await.last().unwrap().clone();
    assert_eq!(first["task_code"], "nightly");
    assert_eq!(first["deadline"], json!({"every_seconds": 10}));
    assert_eq!(first["last_success_at"], json!(null));
    let due: jiff::Timestamp = first["due_at"].as_str().unwrap().parse().unwrap();
    let since: jiff::Timestamp = since.parse().unwrap();
    let periods = due.duration_since(since).as_secs() / 10;
    assert!(periods >= 1 && due == since + jiff::SignedDuration::from_secs(periods * 10));
    assert_eq!(first["missed"], periods, "{first}");

    // It goes on every 10 s while nothing succeeds, each instant recorded once.
    poll("a later miss", Duration::from_secs(30), || async {
        misses().await.len() >= 2
    })
    .await;
    let recorded = misses().await;
    let instants: BTreeSet<&str> = recorded
        .iter()
        .map(|m| m["due_at"].as_str().unwrap())
        .collect();
    assert_eq!(instants.len(), recorded.len(), "{recorded:#?}");
    let state = b
        .ok(Method::GET, &format!("/{task}/deadlines"), None, 200)
        .await;
    let counted: u64 = recorded.iter().map(|m| m["missed"].as_u64().unwrap()).sum();
    assert!(state["deadlines"][0]["missed_count"].as_u64().unwrap() >= counted);
    let metrics = reqwest::get(format!("{}/metrics", b.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.lines().any(
            |l| l.starts_with("sundial_deadlines_missed_total{kind=\"every\"} ")
                && !l.ends_with(" 0")
        ),
        "{metrics}"
    );
    assert!(b.terminate().await.success());
}
