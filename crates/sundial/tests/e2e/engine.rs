//! The engine end to end: the real binary fires interval tasks at a loopback HTTP sink, retries a
//! failing target, runs a task now and stops a task, on SQLite and on PostgreSQL.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;
use store::on_both_databases;

use jiff::Timestamp;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common;
use common::{Hit, Node, Sink, TestDb, api_task, engine_env, poll, ts};

/// How long the every-second task runs: the exactly-once check covers at least this many
/// occurrences.
const TICKS: usize = 30;

/// A task body with the retry policy the scenario uses: two retries, 1 s apart.
fn task(code: &str, trigger_type: &str, trigger_config: Value, url: &str) -> Value {
    let mut task = api_task(code, trigger_type, trigger_config, url);
    task["retry_policy"] = json!({"max_retries": 2, "retry_delay_seconds": 1});
    task
}

async fn scenario(db: TestDb) {
    let sink = Sink::start().await;
    let data = tempfile::tempdir().unwrap();
    let mut sundial = Node::start(data.path(), &engine_env(&db, &sink)).await;
    let every_second = json!({"seconds": 1});
    let rarely = json!({"cron": "0 0 1 1 *"});

    let tick = sundial
        .create(task("tick", "interval", every_second, &sink.url("/tick")))
        .await;
    let failing = sundial
        .create(task("failing", "cron", rarely.clone(), &sink.url("/fail")))
        .await;
    let manual = sundial
        .create(task("manual", "cron", rarely, &sink.url("/manual")))
        .await;

    // Run now: one succeeds at once, one fails and is retried 1 s apart until it gives up.
    let now_run = sundial
        .ok(Method::POST, &format!("/{manual}/run"), None, 202)
        .await;
    let failing_run = sundial
        .ok(Method::POST, &format!("/{failing}/run"), None, 202)
        .await;
    assert_eq!(now_run["trigger"], "manual");

    let failing_uuid = failing_run["uuid"].as_str().unwrap().to_owned();
    poll(
        "the failing run to give up",
        Duration::from_secs(30),
        || async { sundial.run(&failing_uuid).await["status"] == "failed" },
    )
    .await;
    let failed = sundial.run(&failing_uuid).await;
    assert_eq!(failed["attempt"], 3, "max_retries + 1 attempts: {failed}");
    let fail_hits = sink.hits_on("/fail");
    assert_eq!(fail_hits.len(), 3, "{fail_hits:?}");
    assert!(fail_hits.iter().all(|h| h.key == failing_uuid));
    for pair in fail_hits.windows(2) {
        let gap = pair[1].at.duration_since(pair[0].at);
        assert!(gap.as_millis() >= 990, "retries wait their delay: {gap}");
    }
    let logs = sundial
        .ok(
            Method::GET,
            &format!("/{failing}/logs?run_uuid={failing_uuid}"),
            None,
            200,
        )
        .await;
    let lines = logs["items"][0]["logs"].as_array().unwrap();
    let attempts: BTreeSet<i64> = lines
        .iter()
        .map(|l| l["attempt"].as_i64().unwrap())
        .collect();
    assert_eq!(attempts, BTreeSet::from([1, 2, 3]), "{logs}");

    let manual_run = sundial.run(now_run["uuid"].as_str().unwrap()).await;
    assert_eq!(manual_run["status"], "succeeded");
    let manual_hits = sink.hits_on("/manual");
    assert_eq!(manual_hits.len(), 1);
    assert_eq!(manual_hits[0].key, now_run["uuid"].as_str().unwrap());

    // At least TICKS occurrences of the 1-s task.
    poll(
        "the every-second task's occurrences",
        Duration::from_secs(TICKS as u64 + 30),
        || async {
            sundial
                .runs(&tick)
                .await
                .iter()
                .filter(|r| r["status"] == "succeeded")
                .count()
                >= TICKS
        },
    )
    .await;

    // Stop the 1-s task: nothing queued is left and nothing arrives any more.
    sundial
        .ok(Method::POST, &format!("/{tick}/stop"), None, 200)
        .await;
    sundial.settled_runs(&tick).await;
    let arrived = sink.hits_on("/tick").len();
    // Two periods of the stopped task: any occurrence fired after the stop would arrive here.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        sink.hits_on("/tick").len(),
        arrived,
        "no arrival after stop"
    );

    // Exactly once, never early, one Idempotency-Key per run.
    let runs = sundial.runs(&tick).await;
    let by_key: HashMap<String, Vec<Hit>> =
        sink.hits_on("/tick")
            .into_iter()
            .fold(HashMap::new(), |mut map, hit| {
                map.entry(hit.key.clone()).or_default().push(hit);
                map
            });
    let succeeded: Vec<&Value> = runs.iter().filter(|r| r["status"] == "succeeded").collect();
    assert!(succeeded.len() >= TICKS);
    assert_eq!(
        by_key.len(),
        succeeded.len(),
        "one arrival per succeeded run"
    );
    let mut lags = Vec::new();
    for run in &succeeded {
        let key = run["uuid"].as_str().unwrap();
        let arrivals = by_key.get(key).expect("the run's call arrived");
        assert_eq!(arrivals.len(), 1, "exactly once: {arrivals:?}");
        let scheduled = ts(&run["scheduled_for"]);
        let lag = arrivals[0].at.duration_since(scheduled);
        assert!(!lag.is_negative(), "arrived {lag} before its instant");
        lags.push(lag.as_millis());
    }
    // Every occurrence from the first to the last has a ledger row, one second apart.
    let mut scheduled: Vec<Timestamp> = runs.iter().map(|r| ts(&r["scheduled_for"])).collect();
    scheduled.sort();
    for pair in scheduled.windows(2) {
        assert_eq!(pair[1].duration_since(pair[0]).as_millis(), 1000);
    }
    lags.sort();
    eprintln!(
        "tick lag over {} runs: p50 {} ms, max {} ms",
        lags.len(),
        lags[lags.len() / 2],
        lags[lags.len() - 1]
    );
    assert!(sundial.terminate().await.success());
}

async fn engine_end_to_end(db: TestDb) {
    scenario(db).await;
}

on_both_databases!(engine_end_to_end,);
