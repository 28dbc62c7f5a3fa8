//! Two real nodes on one PostgreSQL database: no occurrence fired twice, both nodes execute,
//! and when one dies with a run in flight the other runs it again.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::common;
use common::{Node, Sink, TestDb, api_task, assert_each_second_once, engine_env, poll};

const TASKS: usize = 8;

/// The node named in each attempt's "attempt n/m started on <node>" log line.
async fn executing_nodes(node: &Node, task: &str) -> BTreeSet<String> {
    let logs = node
        .ok(
            Method::GET,
            &format!("/{task}/logs?page_size=100"),
            None,
            200,
        )
        .await;
    logs["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|run| run["logs"].as_array().unwrap().clone())
        .filter_map(|line| {
            let line = line["line"].as_str()?;
            line.split(" started on ").nth(1).map(str::to_owned)
        })
        .collect()
}

/// The node a run's attempt started on, from its log.
fn started_on(run: &serde_json::Value) -> Option<String> {
    run["logs"].as_array()?.iter().find_map(|line| {
        let line = line["line"].as_str()?;
        line.split(" started on ").nth(1).map(str::to_owned)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_share_one_postgresql() {
    let sink = Sink::start().await;
    let db = TestDb::postgres().await;
    let node_env = |name: &str| {
        let mut env = engine_env(&db, &sink);
        env.push(("SUNDIAL_NODE_ID".to_owned(), name.to_owned()));
        env
    };
    let (data_a, data_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut a = Node::start(data_a.path(), &node_env("node-a")).await;
    let mut b = Node::start(data_b.path(), &node_env("node-b")).await;

    // Created through node B, fired and executed by both.
    let mut tasks = Vec::new();
    for i in 0..TASKS {
        let code = format!("tick-{i}");
        tasks.push(
            b.create(api_task(
                &code,
                "interval",
                json!({"seconds": 1}),
                &sink.url(&format!("/{code}")),
            ))
            .await,
        );
    }
    poll(
        "ten occurrences of every task",
        Duration::from_secs(60),
        || async {
            let mut all = true;
            for task in &tasks {
                all &= a
                    .runs(task)
                    .await
                    .iter()
                    .filter(|r| r["status"] == "succeeded")
                    .count()
                    >= 10;
            }
            all
        },
    )
    .await;

    // A run in flight on node A when it dies is run again by node B.
    let slow = a
        .create(api_task(
            "slow",
            "cron",
            json!({"cron": "0 0 1 1 *"}),
            &sink.url("/slow/3000"),
        ))
        .await;
    let mut in_flight = None;
    for _ in 0..20 {
        let run = a.ok(Method::POST, &format!("/{slow}/run"), None, 202).await;
        let run = run["uuid"].as_str().unwrap().to_owned();
        poll("the slow run to start", Duration::from_secs(20), || async {
            a.run(&run).await["status"] == "running"
        })
        .await;
        // Which node runs it: its own log says, once the line is written (a running
        // attempt's log is written every half second).
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let node = loop {
            if let Some(node) = started_on(&a.run(&run).await) {
                break node;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the slow run's log never said where it started"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        if node == "node-a" {
            in_flight = Some(run);
            break;
        }
        // Node B took it: let it finish and try again.
        poll(
            "the slow run to finish",
            Duration::from_secs(20),
            || async { a.run(&run).await["status"] == "succeeded" },
        )
        .await;
    }
    let in_flight = in_flight.expect("node A claimed one of the slow runs");
    a.kill9().await;
    poll(
        "node B to run the dead node's run again",
        Duration::from_secs(30),
        || async { b.run(&in_flight).await["status"] == "succeeded" },
    )
    .await;
    assert_eq!(b.run(&in_flight).await["attempt"], 2);

    for task in &tasks {
        b.ok(Method::POST, &format!("/{task}/stop"), None, 200)
            .await;
    }
    let mut nodes = BTreeSet::new();
    for (i, task) in tasks.iter().enumerate() {
        let runs: Vec<Value> = b.settled_runs(task).await;
        assert_each_second_once(&format!("tick-{i}"), &runs);
        let arrivals: HashMap<String, usize> = sink
            .hits_on(&format!("/tick-{i}"))
            .into_iter()
            .fold(HashMap::new(), |mut m, h| {
                *m.entry(h.key).or_default() += 1;
                m
            });
        // Runs queued when the task was stopped were cancelled without starting.
        for run in runs.iter().filter(|r| !r["started_at"].is_null()) {
            let n = arrivals.get(run["uuid"].as_str().unwrap()).copied();
            // Only a tick in flight on node A at the kill may arrive twice (same key).
            let most = if run["attempt"] == 1 { 1 } else { 2 };
            assert!(
                n.is_some_and(|n| n <= most),
                "tick-{i}: {run}: {n:?} arrivals"
            );
        }
        nodes.extend(executing_nodes(&b, task).await);
    }
    assert_eq!(
        nodes,
        BTreeSet::from(["node-a".to_owned(), "node-b".to_owned()]),
        "both nodes executed"
    );
    assert!(b.terminate().await.success());
}
