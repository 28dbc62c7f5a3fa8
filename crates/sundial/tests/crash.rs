//! Crash safety with the real binary: kill -9 in the middle of a run, an outage under each
//! misfire policy, and SIGTERM with runs in flight; on SQLite and on PostgreSQL.

use std::collections::HashMap;
use std::time::Duration;

use jiff::Timestamp;
use reqwest::Method;
use serde_json::{Value, json};

mod common;
use common::{Node, Sink, TestDb, api_task, assert_each_second_once, engine_env, poll, ts};

const RARELY: &str = "0 0 1 1 *";

fn rarely() -> Value {
    json!({"cron": RARELY})
}

async fn kill_nine_mid_run(db: TestDb) {
    let sink = Sink::start().await;
    let data = tempfile::tempdir().unwrap();
    let mut node = Node::start(data.path(), &engine_env(&db, &sink)).await;
    let slow = node
        .create(api_task("slow", "cron", rarely(), &sink.url("/slow/3000")))
        .await;
    let tick = node
        .create(api_task(
            "tick",
            "interval",
            json!({"seconds": 1}),
            &sink.url("/tick"),
        ))
        .await;
    poll("a few ticks", Duration::from_secs(20), || async {
        sink.hits_on("/tick").len() >= 2
    })
    .await;
    let run = node
        .ok(Method::POST, &format!("/{slow}/run"), None, 202)
        .await;
    let run = run["uuid"].as_str().unwrap().to_owned();
    poll(
        "the slow call to arrive",
        Duration::from_secs(20),
        || async { !sink.hits_on("/slow/3000").is_empty() },
    )
    .await;
    assert_eq!(node.run(&run).await["status"], "running");
    node.kill9().await;

    let mut node = node.restart().await;
    poll(
        "the interrupted run to succeed on its next attempt",
        Duration::from_secs(30),
        || async { node.run(&run).await["status"] == "succeeded" },
    )
    .await;
    let done = node.run(&run).await;
    assert_eq!(done["attempt"], 2, "{done}");
    let calls = sink.hits_on("/slow/3000");
    assert_eq!(calls.len(), 2, "executed again after the crash: {calls:?}");
    assert!(calls.iter().all(|c| c.key == run), "same Idempotency-Key");

    // The every-second task went on: after the restart every second since its first
    // occurrence has exactly one ledger row, and every run ends up succeeded.
    let restarted = Timestamp::now();
    poll(
        "ticks after the restart",
        Duration::from_secs(30),
        || async {
            node.runs(&tick)
                .await
                .iter()
                .filter(|r| r["status"] == "succeeded" && ts(&r["scheduled_for"]) > restarted)
                .count()
                >= 2
        },
    )
    .await;
    node.ok(Method::POST, &format!("/{tick}/stop"), None, 200)
        .await;
    let runs = node.settled_runs(&tick).await;
    for r in runs.iter().filter(|r| !r["started_at"].is_null()) {
        assert_eq!(r["status"], "succeeded", "{r}");
    }
    assert_each_second_once("tick across kill -9", &runs);
    let keys: HashMap<String, usize> =
        sink.hits_on("/tick")
            .into_iter()
            .fold(HashMap::new(), |mut m, h| {
                *m.entry(h.key).or_default() += 1;
                m
            });
    // Runs queued when the task was stopped were cancelled without starting.
    for r in runs.iter().filter(|r| !r["started_at"].is_null()) {
        let key = r["uuid"].as_str().unwrap();
        let arrivals = keys.get(key).copied().unwrap_or(0);
        // A tick in flight at the kill is executed again (at-least-once, same key); any
        // other arrives once.
        let want = if r["attempt"] == 1 { 1..=1 } else { 1..=2 };
        assert!(want.contains(&arrivals), "{r}: {arrivals} arrivals");
    }
    assert!(node.terminate().await.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_nine_mid_run_on_sqlite() {
    kill_nine_mid_run(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_nine_mid_run_on_postgresql() {
    kill_nine_mid_run(TestDb::postgres().await).await;
}

/// What one misfire policy must leave in the ledger for the outage.
struct Expect {
    policy: &'static str,
    catch_up_runs: fn(usize) -> usize,
    misfire_skips: fn(usize) -> usize,
}

async fn outage(db: TestDb) {
    let sink = Sink::start().await;
    let data = tempfile::tempdir().unwrap();
    let mut node = Node::start(data.path(), &engine_env(&db, &sink)).await;
    let expectations = [
        Expect {
            policy: "fire_once",
            catch_up_runs: |_| 1,
            misfire_skips: |missed| missed - 1,
        },
        Expect {
            policy: "skip",
            catch_up_runs: |_| 0,
            misfire_skips: |missed| missed,
        },
        Expect {
            policy: "fire_all",
            catch_up_runs: |missed| missed,
            misfire_skips: |_| 0,
        },
    ];
    let mut tasks = Vec::new();
    for e in &expectations {
        let mut body = api_task(
            e.policy,
            "interval",
            json!({"seconds": 1}),
            &sink.url(&format!("/{}", e.policy)),
        );
        body["misfire_policy"] = json!(e.policy);
        body["misfire_grace_seconds"] = json!(1);
        body["overlap_policy"] = json!("allow");
        tasks.push(node.create(body).await);
    }
    poll("every task to run", Duration::from_secs(20), || async {
        expectations
            .iter()
            .all(|e| sink.hits_on(&format!("/{}", e.policy)).len() >= 2)
    })
    .await;
    assert!(node.terminate().await.success());
    let down_from = Timestamp::now();
    // The outage itself: six occurrences of each task fall into it.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let mut node = node.restart().await;
    let restarted = Timestamp::now();

    for task in &tasks {
        poll(
            "the first on-time run after the restart",
            Duration::from_secs(20),
            || async {
                node.runs(task).await.iter().any(|r| {
                    r["trigger"] == "schedule"
                        && ts(&r["scheduled_for"]) > restarted
                        && r["status"] == "succeeded"
                })
            },
        )
        .await;
    }
    for task in &tasks {
        node.ok(Method::POST, &format!("/{task}/stop"), None, 200)
            .await;
    }
    for (task, e) in tasks.iter().zip(&expectations) {
        let runs = node.settled_runs(task).await;
        assert_each_second_once(e.policy, &runs);
        let missed = |r: &&Value| r["skip_reason"] == "misfire";
        let skipped: i64 = runs
            .iter()
            .filter(missed)
            .map(|r| r["occurrences"].as_i64().unwrap())
            .sum();
        let catch_up = runs.iter().filter(|r| r["trigger"] == "catch_up").count();
        // The occurrences the outage made miss their grace: the ones between the stop and a
        // second before the restart, as the ledger counts them.
        let missed_total = skipped as usize + catch_up;
        assert!(
            (5..=20).contains(&missed_total),
            "{}: {missed_total} missed in a 6 s outage: {runs:#?}",
            e.policy
        );
        assert_eq!(catch_up, (e.catch_up_runs)(missed_total), "{}", e.policy);
        assert_eq!(
            skipped as usize,
            (e.misfire_skips)(missed_total),
            "{}",
            e.policy
        );
        for r in runs.iter().filter(|r| r["trigger"] == "catch_up") {
            assert!(ts(&r["scheduled_for"]) > down_from, "{r}");
            assert_eq!(r["status"], "succeeded", "{r}");
        }
        if e.policy == "fire_once" {
            let caught = runs.iter().find(|r| r["trigger"] == "catch_up").unwrap();
            let latest_skip = runs
                .iter()
                .filter(missed)
                .map(|r| ts(&r["scheduled_for"]))
                .max()
                .unwrap();
            assert!(
                ts(&caught["scheduled_for"]) > latest_skip,
                "fire_once runs the most recent missed occurrence"
            );
        }
        let arrivals = sink.hits_on(&format!("/{}", e.policy)).len();
        let executed = runs.iter().filter(|r| r["status"] == "succeeded").count();
        assert_eq!(
            arrivals, executed,
            "{}: one call per executed run",
            e.policy
        );
    }
    assert!(node.terminate().await.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outage_follows_each_misfire_policy_on_sqlite() {
    outage(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outage_follows_each_misfire_policy_on_postgresql() {
    outage(TestDb::postgres().await).await;
}

async fn sigterm_in_flight(db: TestDb) {
    let sink = Sink::start().await;
    let data = tempfile::tempdir().unwrap();
    let mut node = Node::start(data.path(), &engine_env(&db, &sink)).await;
    // The grace is 2 s: the short call finishes inside it, the long one is handed back.
    let task = |code: &str, path: &str| {
        let mut body = api_task(code, "cron", rarely(), &sink.url(path));
        body["timeout_seconds"] = json!(15);
        body
    };
    let short = node.create(task("short", "/slow/800")).await;
    let long = node.create(task("long", "/slow/4000")).await;
    let short_run = node
        .ok(Method::POST, &format!("/{short}/run"), None, 202)
        .await["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let long_run = node
        .ok(Method::POST, &format!("/{long}/run"), None, 202)
        .await["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    poll("both calls to arrive", Duration::from_secs(20), || async {
        !sink.hits_on("/slow/800").is_empty() && !sink.hits_on("/slow/4000").is_empty()
    })
    .await;
    let exit = node.terminate().await;
    assert!(exit.success(), "{exit:?}");

    let mut node = node.restart().await;
    assert_eq!(
        node.run(&short_run).await["status"],
        "succeeded",
        "finished within the grace before the process exited"
    );
    assert_eq!(sink.hits_on("/slow/800").len(), 1);
    poll(
        "the released run to run again",
        Duration::from_secs(30),
        || async { node.run(&long_run).await["status"] == "succeeded" },
    )
    .await;
    let calls = sink.hits_on("/slow/4000");
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(calls.iter().all(|c| c.key == long_run));
    assert!(node.terminate().await.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_or_releases_in_flight_runs_on_sqlite() {
    sigterm_in_flight(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_or_releases_in_flight_runs_on_postgresql() {
    sigterm_in_flight(TestDb::postgres().await).await;
}
