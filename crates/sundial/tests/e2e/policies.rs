//! Task policies end to end through the real binary: every overlap policy, timeouts, date
//! tasks, cancelling through the API (queued and running), and stop with `cancel_running`;
//! on SQLite and on PostgreSQL.

use std::time::Duration;
use store::on_both_databases;

use jiff::{SignedDuration, Timestamp};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common;
use common::{Node, Sink, TestDb, api_task, assert_each_second_once, engine_env, poll, ts};

/// Each occurrence's call takes 2.5 s while the task fires every second, so occurrences
/// always meet a running run.
const SLOW: &str = "/slow/2500";

async fn start(db: &TestDb, sink: &Sink) -> (Node, tempfile::TempDir) {
    let data = tempfile::tempdir().unwrap();
    let node = Node::start(data.path(), &engine_env(db, sink)).await;
    (node, data)
}

fn rarely() -> Value {
    json!({"cron": "0 0 1 1 *"})
}

fn uuid_of(run: &Value) -> String {
    run["uuid"].as_str().unwrap().to_owned()
}

/// The executed runs' [start, end] intervals, in start order.
fn executions(runs: &[Value]) -> Vec<(Timestamp, Timestamp)> {
    let mut spans: Vec<(Timestamp, Timestamp)> = runs
        .iter()
        .filter(|r| !r["started_at"].is_null())
        .map(|r| (ts(&r["started_at"]), ts(&r["finished_at"])))
        .collect();
    spans.sort();
    spans
}

fn never_two_at_once(policy: &str, runs: &[Value]) {
    for pair in executions(runs).windows(2) {
        assert!(
            pair[1].0 >= pair[0].1,
            "{policy}: a run started at {} while another ran until {}: {runs:#?}",
            pair[1].0,
            pair[0].1
        );
    }
}

async fn overlap(db: TestDb, policy: &str) {
    let sink = Sink::start().await;
    let (mut node, _data) = start(&db, &sink).await;
    let mut body = api_task(policy, "interval", json!({"seconds": 1}), &sink.url(SLOW));
    body["overlap_policy"] = json!(policy);
    let task = node.create(body).await;
    poll("six occurrences", Duration::from_secs(30), || async {
        common::occurrences_per_second(&node.runs(&task).await).len() >= 6
    })
    .await;
    node.ok(Method::POST, &format!("/{task}/stop"), None, 200)
        .await;
    let runs = node.settled_runs(&task).await;
    assert_each_second_once(policy, &runs);
    let overlap_skips = runs
        .iter()
        .filter(|r| r["skip_reason"] == "overlap")
        .count();
    let status = |s: &str| runs.iter().filter(|r| r["status"] == s).count();
    let executed = executions(&runs).len();
    assert_eq!(
        sink.hits_on(SLOW).len(),
        executed,
        "{policy}: one call per execution"
    );
    match policy {
        "skip" => {
            assert!(overlap_skips >= 2, "{policy}: {runs:#?}");
            never_two_at_once(policy, &runs);
            assert_eq!(status("succeeded"), executed);
        }
        "allow" => {
            assert_eq!(overlap_skips, 0);
            assert_eq!(status("succeeded"), executed, "{runs:#?}");
            // The stop may come between the newest occurrence's firing and its start (the
            // poll above sees its row at once): that run is cancelled unstarted, the others
            // all ran.
            assert!(
                runs.iter().all(|r| r["status"] == "succeeded"
                    || (r["status"] == "cancelled" && r["started_at"].is_null())),
                "{runs:#?}"
            );
            let spans = executions(&runs);
            assert!(
                spans.windows(2).any(|p| p[1].0 < p[0].1),
                "allow runs occurrences side by side: {spans:?}"
            );
        }
        "queue_one" => {
            assert!(overlap_skips >= 1, "{policy}: {runs:#?}");
            never_two_at_once(policy, &runs);
            assert_eq!(status("succeeded"), executed);
            // The buffered occurrence starts only when the running one has finished.
            assert!(executed >= 2, "{runs:#?}");
        }
        "replace" => {
            let replaced = runs.iter().filter(|r| r["status"] == "cancelled").count();
            assert!(
                replaced >= 1,
                "a newer occurrence replaced a running one: {runs:#?}"
            );
            never_two_at_once(policy, &runs);
        }
        _ => unreachable!(),
    }
    assert!(node.terminate().await.success());
}

async fn overlap_skip(db: TestDb) {
    overlap(db, "skip").await;
}

async fn overlap_allow(db: TestDb) {
    overlap(db, "allow").await;
}

async fn overlap_queue_one(db: TestDb) {
    overlap(db, "queue_one").await;
}

async fn overlap_replace(db: TestDb) {
    overlap(db, "replace").await;
}

/// Timeouts, date tasks, cancelling and stop with `cancel_running`.
async fn lifecycle(db: TestDb) {
    let sink = Sink::start().await;
    let (mut node, _data) = start(&db, &sink).await;

    // A 1 s timeout against a 3 s call, retried once: both attempts time out.
    let mut body = api_task("timeout", "cron", rarely(), &sink.url("/slow/3000"));
    body["timeout_seconds"] = json!(1);
    body["retry_policy"] = json!({"max_retries": 1, "retry_delay_seconds": 1});
    let timeout = node.create(body).await;
    let timed = uuid_of(
        &node
            .ok(Method::POST, &format!("/{timeout}/run"), None, 202)
            .await,
    );

    // A date task one and a half seconds ahead.
    let at = Timestamp::now() + SignedDuration::from_millis(1500);
    let date = node
        .create(api_task(
            "once",
            "date",
            json!({"at": at.to_string()}),
            &sink.url("/once"),
        ))
        .await;

    // Cancel: a running run stops at once; a queued one (waiting behind it, queue_one) is
    // cancelled without ever starting.
    let mut body = api_task("long", "cron", rarely(), &sink.url("/slow/20000"));
    body["timeout_seconds"] = json!(30);
    body["overlap_policy"] = json!("queue_one");
    let long = node.create(body).await;
    let first = uuid_of(
        &node
            .ok(Method::POST, &format!("/{long}/run"), None, 202)
            .await,
    );
    poll(
        "the long call to arrive",
        Duration::from_secs(20),
        || async { sink.hits_on("/slow/20000").len() == 1 },
    )
    .await;
    let second = uuid_of(
        &node
            .ok(Method::POST, &format!("/{long}/run"), None, 202)
            .await,
    );
    let asked = node
        .ok(Method::POST, &format!("/runs/{second}/cancel"), None, 200)
        .await;
    assert_eq!(
        asked["status"], "cancelled",
        "a queued run is cancelled at once"
    );
    let asked = node
        .ok(Method::POST, &format!("/runs/{first}/cancel"), None, 200)
        .await;
    assert_eq!(asked["status"], "running", "a running run is asked to stop");
    let cancelled_at = std::time::Instant::now();
    poll(
        "the running run to stop",
        Duration::from_secs(15),
        || async { node.run(&first).await["status"] == "cancelled" },
    )
    .await;
    assert!(
        cancelled_at.elapsed() < Duration::from_secs(5),
        "the attempt on this node stopped when asked, not at the end of its call"
    );
    assert_eq!(
        node.run(&first).await["attempt"],
        1,
        "a cancelled run is not retried"
    );
    assert_eq!(
        sink.hits_on("/slow/20000").len(),
        1,
        "the queued one never ran"
    );

    // Stop with cancel_running: the running run ends cancelled.
    let third = uuid_of(
        &node
            .ok(Method::POST, &format!("/{long}/run"), None, 202)
            .await,
    );
    poll(
        "the third call to arrive",
        Duration::from_secs(20),
        || async { sink.hits_on("/slow/20000").len() == 2 },
    )
    .await;
    let (status, problem) = node
        .call(
            Method::POST,
            &format!("/{long}/stop?cancel_running=maybe"),
            None,
        )
        .await;
    assert_eq!(status, 400, "{problem}");
    node.ok(
        Method::POST,
        &format!("/{long}/stop?cancel_running=true"),
        None,
        200,
    )
    .await;
    poll(
        "stop to cancel the running run",
        Duration::from_secs(5),
        || async { node.run(&third).await["status"] == "cancelled" },
    )
    .await;

    // The timed-out run.
    poll(
        "the timed-out run to give up",
        Duration::from_secs(30),
        || async { node.run(&timed).await["status"] == "timed_out" },
    )
    .await;
    let run = node.run(&timed).await;
    assert_eq!(run["attempt"], 2, "{run}");
    assert!(
        run["error"].as_str().unwrap().contains("timed out"),
        "{run}"
    );
    assert_eq!(sink.hits_on("/slow/3000").len(), 2);

    // The date task ran once, on time, and is finished.
    poll(
        "the date task to finish",
        Duration::from_secs(20),
        || async {
            let task = node.ok(Method::GET, &format!("/{date}"), None, 200).await;
            task["last_run_outcome"] == "succeeded"
        },
    )
    .await;
    let task = node.ok(Method::GET, &format!("/{date}"), None, 200).await;
    assert_eq!(task["is_active"], false, "{task}");
    assert!(task["next_run_at"].is_null(), "{task}");
    let runs = node.runs(&date).await;
    assert_eq!(runs.len(), 1);
    let hits = sink.hits_on("/once");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].key, uuid_of(&runs[0]));
    assert!(hits[0].at >= at, "never early");
    assert_eq!(
        ts(&runs[0]["scheduled_for"]).as_millisecond(),
        at.as_millisecond()
    );
    assert!(node.terminate().await.success());
}

async fn timeouts_dates_and_cancel(db: TestDb) {
    lifecycle(db).await;
}

on_both_databases!(
    overlap_skip,
    overlap_allow,
    overlap_queue_one,
    overlap_replace,
    timeouts_dates_and_cancel,
);
