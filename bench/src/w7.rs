//! W7, noisy neighbour: tenant A (7) fills every slot it can — python scripts that sleep, calls
//! to a target that never answers, and a flood of every-second calls, all overlapping — while
//! tenant B (8) runs every-second calls and a python task. Measured for B only: the lag of its
//! calls (arrival at the sink minus `scheduled_for`, as in W1), its missed occurrences, and how
//! long its python runs waited to start.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use reqwest::Method;
use serde_json::{Value, json};

use crate::report::{Metrics, quantile};
use crate::server::{Api, Server, concurrently, sleep_until};
use crate::sink::Sink;
use crate::w1::{field, ms, occurrences_in, runs_since};
use crate::{BenchError, Result, ServerOptions};

/// The hog's tenant.
const HOG: u32 = 7;
/// The victim's tenant.
const VICTIM: u32 = 8;
/// Sink indexes of the hog's flood start here, so its arrivals are told from the victim's.
const FLOOD_INDEX: usize = 100_000;

/// Options of W7.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Nodes sharing the database (more than one needs `--db postgres`).
    #[arg(long, default_value_t = 1)]
    nodes: usize,
    /// The hog's every-second python tasks that sleep ten minutes.
    #[arg(long, default_value_t = 4)]
    hog_python: usize,
    /// The hog's every-second calls to a target that never answers.
    #[arg(long, default_value_t = 70)]
    hog_hang: usize,
    /// The hog's every-second calls to the sink.
    #[arg(long, default_value_t = 100)]
    hog_flood: usize,
    /// The victim's every-second calls.
    #[arg(long, default_value_t = 10)]
    victim_calls: usize,
    /// Seconds between two runs of the victim's python task.
    #[arg(long, default_value_t = 5)]
    victim_python_every: u64,
    /// Measurement window, seconds.
    #[arg(long, default_value_t = 30)]
    duration: u64,
    /// Seconds between the last task created and the window: the hog fills its slots.
    #[arg(long, default_value_t = 15)]
    warmup: u64,
    /// Seconds after the window that arrivals of its occurrences may still come.
    #[arg(long, default_value_t = 5)]
    grace: u64,
}

/// Runs W7 once on fresh servers and database.
pub async fn run(options: &ServerOptions, args: &Args) -> Result<Metrics> {
    let sink = Sink::start().await?;
    let server = Server::start_nodes(options, sink.port, args.nodes).await?;
    let result = measure(&server, &sink, args).await;
    server.stop(options.keep).await?;
    result
}

/// Every second from `start`, overlapping, one attempt of at most ten minutes.
fn every_second(code: String, start: Timestamp, task_config: Value, kind: &str) -> Value {
    json!({
        "name": code, "code": code, "type": kind,
        "trigger_type": "interval",
        "trigger_config": {"seconds": 1, "start_at": start.to_string()},
        "task_config": task_config,
        "overlap_policy": "allow", "timeout_seconds": 600,
        "retry_policy": {"max_retries": 0},
    })
}

async fn create_all(api: &Api, bodies: Vec<Value>) -> Result<Vec<String>> {
    let (api, bodies) = (api.clone(), Arc::new(bodies));
    concurrently(bodies.len(), 16, move |i| {
        let (api, bodies) = (api.clone(), bodies.clone());
        async move {
            let task = api.call(Method::POST, "/", Some(&bodies[i])).await?;
            Ok(field(&task, "uuid")?.to_owned())
        }
    })
    .await
}

async fn measure(server: &Server, sink: &Sink, args: &Args) -> Result<Metrics> {
    let hog = server.api_of(HOG).await?;
    let victim = server.api_of(VICTIM).await?;
    let base = Timestamp::from_second(Timestamp::now().as_second() + 2)
        .map_err(|e| BenchError::Setup(e.to_string()))?;

    let mut hogging = Vec::new();
    for i in 0..args.hog_python {
        let config = json!({"script": "import time; time.sleep(600)"});
        hogging.push(every_second(
            format!("sleep-{i}"),
            base,
            config,
            "python_script",
        ));
    }
    for i in 0..args.hog_hang {
        let config = json!({"url": sink.hang_url(i), "method": "POST"});
        hogging.push(every_second(format!("hang-{i}"), base, config, "api_call"));
    }
    for i in 0..args.hog_flood {
        let config = json!({"url": sink.url(FLOOD_INDEX + i), "method": "POST"});
        hogging.push(every_second(format!("flood-{i}"), base, config, "api_call"));
    }
    create_all(&hog, hogging).await?;

    let calls: Vec<Value> = (0..args.victim_calls)
        .map(|i| {
            let config = json!({"url": sink.url(i), "method": "POST"});
            let mut task = every_second(format!("call-{i}"), base, config, "api_call");
            task["overlap_policy"] = json!("skip");
            task["timeout_seconds"] = json!(30);
            task
        })
        .collect();
    let calls = create_all(&victim, calls).await?;
    let script = json!({
        "name": "b-python", "code": "b-python", "type": "python_script",
        "trigger_type": "interval",
        "trigger_config": {"seconds": args.victim_python_every, "start_at": base.to_string()},
        "task_config": {"script": "print('B')"},
        "timeout_seconds": 60, "retry_policy": {"max_retries": 0},
    });
    let script = victim.call(Method::POST, "/", Some(&script)).await?;
    let script = field(&script, "uuid")?.to_owned();

    let window_start = Timestamp::now() + SignedDuration::from_secs(args.warmup as i64);
    let window_end = window_start + SignedDuration::from_secs(args.duration as i64);
    sleep_until(window_end).await;
    tokio::time::sleep(Duration::from_secs(args.grace)).await;
    let (from, to) = (ms(window_start), ms(window_end));

    // The victim's calls: matched to their arrivals by run uuid, as in W1.
    let mut rows = Vec::new();
    for (i, uuid) in calls.iter().enumerate() {
        rows.extend(
            runs_since(&victim, i, uuid, from)
                .await?
                .into_iter()
                .filter(|r| (from..to).contains(&r.scheduled_ms)),
        );
    }
    let arrivals = sink.arrivals();
    let mut first_arrival: HashMap<uuid::Uuid, Timestamp> = HashMap::new();
    for arrival in arrivals.iter().filter(|a| a.task < FLOOD_INDEX) {
        if let Some(key) = arrival.key {
            let at = first_arrival.entry(key).or_insert(arrival.at);
            *at = (*at).min(arrival.at);
        }
    }
    let mut lags: Vec<f64> = rows
        .iter()
        .filter_map(|row| {
            let at = first_arrival.get(&row.uuid)?;
            let due = Timestamp::from_millisecond(row.scheduled_ms).ok()?;
            Some(at.duration_since(due).as_secs_f64() * 1000.0)
        })
        .collect();
    lags.sort_by(f64::total_cmp);
    let expected = occurrences_in(ms(base), from, to) * args.victim_calls as i64;
    let flood = arrivals
        .iter()
        .filter(|a| a.task >= FLOOD_INDEX && (from..to).contains(&ms(a.at)))
        .count();

    // The victim's python runs: how long each waited to start, and how it ended.
    let page = victim
        .call(Method::GET, &format!("/{script}/runs?page_size=100"), None)
        .await?;
    let (mut waits, mut unfinished, mut failed) = (Vec::new(), 0, 0);
    for run in page["items"].as_array().cloned().unwrap_or_default() {
        let due: Timestamp = field(&run, "scheduled_for")?
            .parse()
            .map_err(|e| BenchError::Http(format!("scheduled_for: {e}")))?;
        if !(from..to).contains(&ms(due)) {
            continue;
        }
        match (run["status"].as_str(), run["started_at"].as_str()) {
            (Some("succeeded"), Some(started)) => {
                let started: Timestamp = started
                    .parse()
                    .map_err(|e| BenchError::Http(format!("started_at: {e}")))?;
                waits.push(started.duration_since(due).as_secs_f64() * 1000.0);
            }
            (Some("queued" | "running"), _) => unfinished += 1,
            _ => failed += 1,
        }
    }
    waits.sort_by(f64::total_cmp);

    let mut m = Metrics::default();
    m.push("nodes", args.nodes.max(1) as f64);
    m.push("b_expected", expected as f64);
    m.push("b_arrived", lags.len() as f64);
    m.push("b_missed", (expected - lags.len() as i64) as f64);
    m.push("b_lag_p50_ms", quantile(&lags, 0.5));
    m.push("b_lag_p99_ms", quantile(&lags, 0.99));
    m.push("b_lag_max_ms", quantile(&lags, 1.0));
    m.push("b_python_runs", waits.len() as f64);
    m.push("b_python_wait_p50_ms", quantile(&waits, 0.5));
    m.push("b_python_wait_max_ms", quantile(&waits, 1.0));
    m.push("b_python_unfinished", f64::from(unfinished));
    m.push("b_python_failed", f64::from(failed));
    m.push(
        "a_flood_calls_per_s",
        flood as f64 / args.duration.max(1) as f64,
    );
    Ok(m)
}
