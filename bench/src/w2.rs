//! W2, burst: N one-shot `date` tasks due at one instant T, loaded through `POST /import`.
//! Reports the time from T until every call arrived at the sink and until every task is
//! recorded `succeeded`, and the executions per second that makes.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use reqwest::Method;
use serde_json::{Value, json};

use crate::report::{Metrics, quantile};
use crate::server::{Server, concurrently, sleep_until};
use crate::sink::Sink;
use crate::{BenchError, Result, ServerOptions};

/// Options of W2.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Nodes sharing the database (more than one needs `--db postgres`); the CPU reported is
    /// theirs summed.
    #[arg(long, default_value_t = 1)]
    nodes: usize,
    /// One-shot tasks due at the same instant.
    #[arg(long, default_value_t = 10_000)]
    tasks: usize,
    /// Seconds from start until the instant; it must leave time to load every task
    /// (default 10 + 1 per 2,500 tasks).
    #[arg(long)]
    lead: Option<u64>,
    /// Tasks per import request (the API takes at most 1,000).
    #[arg(long, default_value_t = 1000)]
    batch: usize,
    /// Import requests in flight at once.
    #[arg(long, default_value_t = 2)]
    import_concurrency: usize,
    /// Give up this many seconds after the instant.
    #[arg(long, default_value_t = 300)]
    timeout: u64,
    /// How often to poll the count of succeeded tasks, milliseconds.
    #[arg(long, default_value_t = 100)]
    poll_ms: u64,
}

/// Runs W2 once on a fresh server and database.
pub async fn run(options: &ServerOptions, args: &Args) -> Result<Metrics> {
    let sink = Sink::start().await?;
    let server = Server::start_nodes(options, sink.port, args.nodes).await?;
    let result = measure(&server, &sink, args).await;
    server.stop(options.keep).await?;
    result
}

async fn succeeded(server: &Server) -> Result<u64> {
    let page = server
        .api
        .call(
            Method::GET,
            "/list?last_run_status=success&page_size=1",
            None,
        )
        .await?;
    Ok(page["total"].as_u64().unwrap_or(0))
}

fn seconds_after(t: Timestamp, instant: Timestamp) -> f64 {
    t.duration_since(instant).as_secs_f64()
}

async fn measure(server: &Server, sink: &Sink, args: &Args) -> Result<Metrics> {
    let n = args.tasks.max(1);
    let lead = args.lead.unwrap_or(10 + n as u64 / 2500);
    let instant = Timestamp::from_second(Timestamp::now().as_second() + lead as i64)
        .map_err(|e| BenchError::Setup(e.to_string()))?;
    let batch = args.batch.clamp(1, 1000);
    let batches: Arc<Vec<Value>> = Arc::new(
        (0..n)
            .collect::<Vec<_>>()
            .chunks(batch)
            .map(|chunk| {
                let tasks: Vec<Value> = chunk
                    .iter()
                    .map(|&i| {
                        json!({
                            "name": format!("w2 {i}"), "code": format!("w2-{i}"),
                            "type": "api_call", "trigger_type": "date",
                            "trigger_config": {"at": instant.to_string()},
                            "task_config": {"url": sink.url(i), "method": "POST"},
                        })
                    })
                    .collect();
                json!({ "tasks": tasks })
            })
            .collect(),
    );
    let started = std::time::Instant::now();
    let api = server.api.clone();
    concurrently(batches.len(), args.import_concurrency, {
        let batches = batches.clone();
        move |b| {
            let (api, batches) = (api.clone(), batches.clone());
            async move {
                api.call(Method::POST, "/import", Some(&batches[b])).await?;
                Ok(())
            }
        }
    })
    .await?;
    let create_seconds = started.elapsed().as_secs_f64();
    eprintln!("imported {n} tasks in {create_seconds:.1} s");
    if Timestamp::now() + SignedDuration::from_millis(500) > instant {
        return Err(BenchError::Setup(format!(
            "loading {n} tasks took {create_seconds:.1} s, past the instant; raise --lead above {lead}"
        )));
    }

    sleep_until(instant - SignedDuration::from_millis(200)).await;
    let before = server.stats()?;
    let deadline = instant + SignedDuration::from_secs(args.timeout as i64);
    while sink.count() < n && Timestamp::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Every success follows its arrival, so the (heavier) count query waits until then.
    let mut all_succeeded = None;
    while Timestamp::now() < deadline {
        if succeeded(server).await? >= n as u64 {
            all_succeeded = Some(Timestamp::now());
            break;
        }
        tokio::time::sleep(Duration::from_millis(args.poll_ms)).await;
    }
    let after = server.stats()?;

    let arrivals = sink.arrivals();
    let mut tasks: HashSet<usize> = HashSet::new();
    let mut lags = Vec::with_capacity(arrivals.len());
    let mut early = 0;
    for arrival in &arrivals {
        tasks.insert(arrival.task);
        let lag = seconds_after(arrival.at, instant);
        early += usize::from(lag < 0.0);
        lags.push(lag * 1000.0);
    }
    lags.sort_by(f64::total_cmp);
    // Each task has one occurrence: any second call for a task is a duplicate, whether it
    // carried the same key (a re-delivery) or another (a second run).
    let duplicates = arrivals.len() - tasks.len();
    let all_arrived = (tasks.len() == n).then(|| quantile(&lags, 1.0) / 1000.0);
    let all_succeeded = all_succeeded.map(|t| seconds_after(t, instant));

    let mut m = Metrics::default();
    m.push("tasks", n as f64);
    m.push("nodes", args.nodes.max(1) as f64);
    m.push("create_s", create_seconds);
    m.push("first_arrival_ms", quantile(&lags, 0.0));
    m.push("lag_p50_ms", quantile(&lags, 0.5));
    m.push("lag_p99_ms", quantile(&lags, 0.99));
    m.push("all_arrived_s", all_arrived.unwrap_or(f64::NAN));
    m.push("all_succeeded_s", all_succeeded.unwrap_or(f64::NAN));
    m.push(
        "arrivals_per_s",
        all_arrived.map_or(f64::NAN, |s| n as f64 / s),
    );
    m.push(
        "exec_per_s",
        all_succeeded.map_or(f64::NAN, |s| n as f64 / s),
    );
    m.push("missed", (n - tasks.len().min(n)) as f64);
    m.push("duplicates", duplicates as f64);
    m.push("early", early as f64);
    m.push("cpu_s", after.cpu_seconds - before.cpu_seconds);
    m.push("peak_rss_mib", after.peak_rss_mib);
    Ok(m)
}
