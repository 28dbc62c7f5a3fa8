//! Crash and fault safety with the real binary: kill -9 in the middle of a run (its last
//! allowed attempt), an outage under each misfire policy, repeated SIGTERM with runs in
//! flight, a full disk under SQLite, and PostgreSQL restarted under load.

use std::collections::HashMap;
use std::time::Duration;
use store::on_both_databases;

use jiff::Timestamp;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common;
use common::{
    Node, PrivatePostgres, Sink, TestDb, api_task, assert_each_second_once, engine_env, poll, ts,
};

const RARELY: &str = "0 0 1 1 *";

fn rarely() -> Value {
    json!({"cron": RARELY})
}

/// A retry policy that allows no retry: any further execution is a rescue or a requeue.
fn no_retries() -> Value {
    json!({"max_retries": 0, "retry_delay_seconds": 1, "backoff": "fixed"})
}

async fn kill_nine_mid_run(db: TestDb) {
    let sink = Sink::start().await;
    let data = tempfile::tempdir().unwrap();
    let mut node = Node::start(data.path(), &engine_env(&db, &sink)).await;
    // Its only allowed attempt is in flight at the kill: losing the node is not a failure of
    // the task, so it runs again all the same.
    let mut slow = api_task("slow", "cron", rarely(), &sink.url("/slow/3000"));
    slow["retry_policy"] = no_retries();
    let slow = node.create(slow).await;
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
    assert_eq!(done["rescues"], 1, "{done}");
    assert_eq!(done["max_attempts"], 2, "no retry used up: {done}");
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

async fn outage_follows_each_misfire_policy(db: TestDb) {
    outage(db).await;
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
    let mut long = task("long", "/slow/4000");
    long["retry_policy"] = no_retries();
    let long = node.create(long).await;
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
    // A rolling restart again while the released run is in flight: requeues are counted and
    // never fail the run, whatever its retry policy.
    poll(
        "the released run to run again",
        Duration::from_secs(30),
        || async { sink.hits_on("/slow/4000").len() == 2 },
    )
    .await;
    assert!(node.terminate().await.success());
    let mut node = node.restart().await;
    poll(
        "the run released twice to succeed",
        Duration::from_secs(30),
        || async { node.run(&long_run).await["status"] == "succeeded" },
    )
    .await;
    let done = node.run(&long_run).await;
    assert_eq!(
        (
            &done["attempt"],
            &done["requeues"],
            &done["rescues"],
            &done["max_attempts"]
        ),
        (&json!(3), &json!(2), &json!(0), &json!(3)),
        "{done}"
    );
    let calls = sink.hits_on("/slow/4000");
    assert_eq!(calls.len(), 3, "{calls:?}");
    assert!(calls.iter().all(|c| c.key == long_run));
    assert!(node.terminate().await.success());
}

async fn sigterm_finishes_or_releases_in_flight_runs(db: TestDb) {
    sigterm_in_flight(db).await;
}

/// `/readyz` and `/livez` with a client that waits at most a second, as an orchestrator's
/// probe does: the status, or `None` when no answer came in time.
async fn probe(node: &Node, path: &str) -> Option<u16> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let response = client.get(format!("{}{path}", node.base)).send().await;
    response.ok().map(|r| r.status().as_u16())
}

/// `n` every-second tasks, task `i` calling `<path>/t<i>` on the sink, with this overlap policy.
async fn every_second(
    node: &Node,
    sink: &Sink,
    n: usize,
    path: &str,
    overlap: &str,
) -> Vec<String> {
    let mut tasks = Vec::new();
    for i in 0..n {
        let mut body = api_task(
            &format!("t{i}"),
            "interval",
            json!({"seconds": 1}),
            &sink.url(&format!("{path}/t{i}")),
        );
        body["overlap_policy"] = json!(overlap);
        tasks.push(node.create(body).await);
    }
    tasks
}

/// Stops the tasks, waits for their runs to settle, and checks the ledger: every second has
/// exactly one row, and every call that reached the sink belongs to an executed run.
async fn assert_ledger_complete(
    node: &Node,
    sink: &Sink,
    tasks: &[String],
    path_of: impl Fn(usize) -> String,
) {
    for task in tasks {
        node.ok(Method::POST, &format!("/{task}/stop"), None, 200)
            .await;
    }
    for (i, task) in tasks.iter().enumerate() {
        let runs = node.settled_runs(task).await;
        assert_each_second_once(task, &runs);
        let executed: std::collections::HashSet<&str> = runs
            .iter()
            .filter(|r| !r["started_at"].is_null())
            .map(|r| r["uuid"].as_str().unwrap())
            .collect();
        for hit in sink.hits_on(&path_of(i)) {
            assert!(
                executed.contains(hit.key.as_str()),
                "an arrival without a run: {hit:?}"
            );
        }
    }
}

/// Writes zeros to `path` until the disk is full.
fn fill_disk(path: &std::path::Path) {
    use std::io::Write;
    let mut file = std::fs::File::create(path).unwrap();
    let chunk = vec![0u8; 1 << 20];
    loop {
        if let Err(e) = file.write_all(&chunk).and_then(|()| file.sync_all()) {
            assert_eq!(e.raw_os_error(), Some(28), "ENOSPC expected: {e}");
            return;
        }
    }
}

/// A full disk under SQLite (its data directory on a small tmpfs): writes fail while it
/// lasts and `/readyz` says so; once space is back the service takes writes again on its own
/// within seconds, no restart, with every occurrence of the outage in the ledger.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_heals_without_a_restart_on_sqlite() {
    let sink = Sink::start().await;
    let data = tempfile::tempdir().unwrap();
    let mut node =
        Node::start_on_small_disk("16m", data.path(), &engine_env(&TestDb::sqlite(), &sink)).await;
    let tasks = every_second(&node, &sink, 10, "/disk", "allow").await;
    poll("the tasks to run", Duration::from_secs(20), || async {
        sink.hits_on("/disk/t0").len() >= 2
    })
    .await;

    let filler = node.data_path("filler");
    fill_disk(&filler);
    poll("/readyz to fail", Duration::from_secs(30), || async {
        probe(&node, "/readyz").await == Some(503)
    })
    .await;
    assert_eq!(probe(&node, "/healthz").await, Some(503));
    assert_eq!(probe(&node, "/livez").await, Some(200), "the loops live on");
    let (status, body) = node
        .call(
            Method::POST,
            "/",
            Some(api_task("during", "cron", rarely(), &sink.url("/x"))),
        )
        .await;
    assert_eq!(status, 503, "a write refused for lack of space: {body}");
    assert_eq!(body["code"], "store_unavailable", "{body}");
    tokio::time::sleep(Duration::from_secs(3)).await;

    std::fs::remove_file(&filler).unwrap();
    let freed = tokio::time::Instant::now();
    poll("/readyz to recover", Duration::from_secs(10), || async {
        probe(&node, "/readyz").await == Some(200)
    })
    .await;
    let arrived = sink.hits_on("/disk/t0").len();
    poll("firing to resume", Duration::from_secs(10), || async {
        sink.hits_on("/disk/t0").len() > arrived
    })
    .await;
    assert!(freed.elapsed() < Duration::from_secs(10));
    node.create(api_task("after", "cron", rarely(), &sink.url("/after")))
        .await;
    assert_ledger_complete(&node, &sink, &tasks, |i| format!("/disk/t{i}")).await;
    assert!(node.terminate().await.success());
}

/// PostgreSQL restarted several times under load (`pg_ctl stop -m fast`: every session is
/// cut, outcome writes in flight fail): `/readyz` answers 503 within a second while it is down
/// and `/livez` stays up; outcomes that could not be written are kept and recorded; no run is
/// left `running` once lease and rescue interval have passed; every occurrence is in the
/// ledger.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_restarts_under_load_lose_nothing() {
    let pg = PrivatePostgres::start();
    let sink = Sink::start().await;
    let data = tempfile::tempdir().unwrap();
    let db = TestDb {
        url: Some(pg.url()),
    };
    let mut node = Node::start(data.path(), &engine_env(&db, &sink)).await;
    // Calls that take 0.8 s: an outcome write is in flight most of the time.
    let tasks = every_second(&node, &sink, 8, "/slow/800", "skip").await;
    poll("the tasks to run", Duration::from_secs(20), || async {
        sink.hits_on("/slow/800/t0").len() >= 2
    })
    .await;
    for _ in 0..3 {
        pg.down();
        assert_eq!(
            probe(&node, "/readyz").await,
            Some(503),
            "answered within 1 s"
        );
        assert_eq!(probe(&node, "/livez").await, Some(200));
        tokio::time::sleep(Duration::from_secs(2)).await;
        pg.up();
        poll("/readyz to recover", Duration::from_secs(10), || async {
            probe(&node, "/readyz").await == Some(200)
        })
        .await;
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let back = Timestamp::now();
    // The lease is 5 s and the rescuer looks every 5 s: nothing that started before the last
    // restart may still be running after both.
    poll(
        "the runs from before the last restart to end",
        Duration::from_secs(12),
        || async {
            let mut stuck = 0;
            for task in &tasks {
                stuck += node
                    .runs(task)
                    .await
                    .iter()
                    .filter(|r| r["status"] == "running" && ts(&r["scheduled_for"]) < back)
                    .count();
            }
            stuck == 0
        },
    )
    .await;
    let arrived = sink.hits_on("/slow/800/t0").len();
    poll("the tasks to go on", Duration::from_secs(10), || async {
        sink.hits_on("/slow/800/t0").len() > arrived
    })
    .await;
    assert_ledger_complete(&node, &sink, &tasks, |i| format!("/slow/800/t{i}")).await;
    assert!(node.terminate().await.success());
}

on_both_databases!(
    kill_nine_mid_run,
    outage_follows_each_misfire_policy,
    sigterm_finishes_or_releases_in_flight_runs,
);
