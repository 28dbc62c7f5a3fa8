//! W1, fire precision: N interval tasks of 1 s, measured over a window after a warm-up.
//!
//! Each task is anchored explicitly (`start_at`), so its occurrences are known in advance:
//! `anchor + k s`. After the window the bench reads every run row through the API and matches
//! it to the sink's arrivals by `Idempotency-Key` (the run uuid): lag is arrival minus the
//! run's `scheduled_for`; an expected occurrence without an arrival is missed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use reqwest::Method;
use serde_json::{Value, json};

use crate::report::{Metrics, quantile};
use crate::server::{Api, Server, concurrently, sleep_until};
use crate::sink::Sink;
use crate::{BenchError, Result, ServerOptions};

/// Options of W1.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Nodes sharing the database (more than one needs `--db postgres`); the CPU reported is
    /// theirs summed.
    #[arg(long, default_value_t = 1)]
    nodes: usize,
    /// Interval tasks of 1 s.
    #[arg(long, default_value_t = 1000)]
    tasks: usize,
    /// Measurement window, seconds.
    #[arg(long, default_value_t = 60)]
    duration: u64,
    /// Seconds between the last task created and the window.
    #[arg(long, default_value_t = 10)]
    warmup: u64,
    /// Seconds after the window that arrivals of its occurrences may still come.
    #[arg(long, default_value_t = 5)]
    grace: u64,
    /// Anchor every task on the same instant, so all N fire together each second, instead of
    /// spreading the anchors evenly over the second (as creating them one by one would).
    #[arg(long)]
    aligned: bool,
    /// Create requests in flight at once.
    #[arg(long, default_value_t = 16)]
    create_concurrency: usize,
}

/// One run row, as far as W1 needs it.
pub(crate) struct RunRow {
    /// The bench's index of its task.
    pub(crate) task: usize,
    /// The run.
    pub(crate) uuid: uuid::Uuid,
    /// Its occurrence, in milliseconds.
    pub(crate) scheduled_ms: i64,
}

/// `t` in milliseconds since the epoch.
pub(crate) fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

/// The text field `name` of an answer.
pub(crate) fn field<'a>(value: &'a Value, name: &str) -> Result<&'a str> {
    value[name]
        .as_str()
        .ok_or_else(|| BenchError::Http(format!("answer without `{name}`: {value}")))
}

/// Occurrences `anchor + k s` (k ≥ 0) in `[from, to)`, all in milliseconds.
pub(crate) fn occurrences_in(anchor: i64, from: i64, to: i64) -> i64 {
    let first = anchor + ((from - anchor).max(0) + 999) / 1000 * 1000;
    if first >= to {
        0
    } else {
        (to - 1 - first) / 1000 + 1
    }
}

/// The task's runs scheduled at or after `from`, newest first, page by page.
pub(crate) async fn runs_since(
    api: &Api,
    task: usize,
    uuid: &str,
    from: i64,
) -> Result<Vec<RunRow>> {
    let mut rows = Vec::new();
    for page in 1u64.. {
        let answer = api
            .call(
                Method::GET,
                &format!("/{uuid}/runs?page={page}&page_size=100"),
                None,
            )
            .await?;
        let items = answer["items"].as_array().cloned().unwrap_or_default();
        let mut older = false;
        for item in &items {
            let scheduled: Timestamp = field(item, "scheduled_for")?
                .parse()
                .map_err(|e| BenchError::Http(format!("scheduled_for: {e}")))?;
            older |= ms(scheduled) < from;
            let run: uuid::Uuid = field(item, "uuid")?
                .parse()
                .map_err(|e| BenchError::Http(format!("run uuid: {e}")))?;
            rows.push(RunRow {
                task,
                uuid: run,
                scheduled_ms: ms(scheduled),
            });
        }
        let total = answer["total"].as_u64().unwrap_or(0);
        if older || items.is_empty() || page * 100 >= total {
            break;
        }
    }
    Ok(rows)
}

/// Runs W1 once on a fresh server and database.
pub async fn run(options: &ServerOptions, args: &Args) -> Result<Metrics> {
    let sink = Sink::start().await?;
    let server = Server::start_nodes(options, sink.port, args.nodes).await?;
    let result = measure(&server, &sink, args).await;
    server.stop(options.keep).await?;
    result
}

async fn measure(server: &Server, sink: &Sink, args: &Args) -> Result<Metrics> {
    let n = args.tasks.max(1);
    let base = Timestamp::from_second(Timestamp::now().as_second() + 2)
        .map_err(|e| BenchError::Setup(e.to_string()))?;
    let anchors: Arc<Vec<Timestamp>> = Arc::new(
        (0..n)
            .map(|i| {
                let offset = if args.aligned { 0 } else { i * 1000 / n };
                base + SignedDuration::from_millis(offset as i64)
            })
            .collect(),
    );
    let urls: Arc<Vec<String>> = Arc::new((0..n).map(|i| sink.url(i)).collect());
    let started = std::time::Instant::now();
    let api = server.api.clone();
    let uuids = concurrently(n, args.create_concurrency, {
        let (anchors, urls) = (anchors.clone(), urls.clone());
        move |i| {
            let api = api.clone();
            let body = json!({
                "name": format!("w1 {i}"), "code": format!("w1-{i}"),
                "type": "api_call", "trigger_type": "interval",
                "trigger_config": {"seconds": 1, "start_at": anchors[i].to_string()},
                "task_config": {"url": urls[i], "method": "POST"},
            });
            async move {
                let task = api.call(Method::POST, "/", Some(&body)).await?;
                Ok(field(&task, "uuid")?.to_owned())
            }
        }
    })
    .await?;
    let create_seconds = started.elapsed().as_secs_f64();
    eprintln!("created {n} tasks in {create_seconds:.1} s");

    let window_start = Timestamp::now() + SignedDuration::from_secs(args.warmup as i64);
    let window_end = window_start + SignedDuration::from_secs(args.duration as i64);
    sleep_until(window_start).await;
    let before = server.stats()?;
    sleep_until(window_end).await;
    let after = server.stats()?;
    tokio::time::sleep(Duration::from_secs(args.grace)).await;
    let end = server.stats()?;
    let (from, to) = (ms(window_start), ms(window_end));

    let api = server.api.clone();
    let uuids = Arc::new(uuids);
    let rows: Vec<RunRow> = concurrently(n, 16, {
        let uuids = uuids.clone();
        move |i| {
            let (api, uuids) = (api.clone(), uuids.clone());
            async move { runs_since(&api, i, &uuids[i], from).await }
        }
    })
    .await?
    .into_iter()
    .flatten()
    .filter(|r| (from..to).contains(&r.scheduled_ms))
    .collect();

    let arrivals = sink.arrivals();
    let mut by_key: HashMap<uuid::Uuid, Vec<Timestamp>> = HashMap::new();
    let mut without_key = 0;
    for arrival in &arrivals {
        match arrival.key {
            Some(key) => by_key.entry(key).or_default().push(arrival.at),
            None => without_key += 1,
        }
    }
    let expected: i64 = anchors
        .iter()
        .map(|a| occurrences_in(ms(*a), from, to))
        .sum();
    let mut rows_per_occurrence: HashMap<(usize, i64), usize> = HashMap::new();
    let mut arrived: HashMap<(usize, i64), ()> = HashMap::new();
    let (mut lags, mut early, mut duplicate_keys, mut off_grid) = (Vec::new(), 0, 0, 0);
    for row in &rows {
        *rows_per_occurrence
            .entry((row.task, row.scheduled_ms))
            .or_default() += 1;
        if (row.scheduled_ms - ms(anchors[row.task])).rem_euclid(1000) != 0 {
            off_grid += 1;
        }
        let Some(times) = by_key.get(&row.uuid) else {
            continue;
        };
        duplicate_keys += times.len() - 1;
        let first = times.iter().min().copied().unwrap_or(Timestamp::MAX);
        let lag =
            first.duration_since(Timestamp::from_millisecond(row.scheduled_ms).unwrap_or(first));
        if lag.is_negative() {
            early += 1;
        }
        lags.push(lag.as_secs_f64() * 1000.0);
        arrived.insert((row.task, row.scheduled_ms), ());
    }
    let duplicate_rows: usize = rows_per_occurrence.values().map(|c| c - 1).sum();
    lags.sort_by(f64::total_cmp);

    let mut m = Metrics::default();
    m.push("tasks", n as f64);
    m.push("nodes", args.nodes.max(1) as f64);
    m.push("create_s", create_seconds);
    m.push("expected", expected as f64);
    m.push("arrived", arrived.len() as f64);
    m.push("missed", (expected - arrived.len() as i64) as f64);
    m.push("duplicates", (duplicate_rows + duplicate_keys) as f64);
    m.push("early", f64::from(early));
    m.push("off_grid", f64::from(off_grid));
    m.push("no_key", f64::from(without_key));
    m.push("lag_p50_ms", quantile(&lags, 0.5));
    m.push("lag_p99_ms", quantile(&lags, 0.99));
    m.push("lag_max_ms", quantile(&lags, 1.0));
    m.push(
        "cpu_pct_of_core",
        (after.cpu_seconds - before.cpu_seconds) / args.duration.max(1) as f64 * 100.0,
    );
    m.push("peak_rss_mib", end.peak_rss_mib);
    m.push("rss_mib", end.rss_mib);
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::occurrences_in;

    #[test]
    fn occurrences_count_the_grid_points_in_a_half_open_window() {
        assert_eq!(occurrences_in(0, 0, 60_000), 60);
        assert_eq!(occurrences_in(250, 0, 60_000), 60);
        assert_eq!(occurrences_in(250, 300, 60_000), 59);
        assert_eq!(occurrences_in(70_000, 0, 60_000), 0);
        assert_eq!(occurrences_in(0, 1, 1000), 0);
        assert_eq!(occurrences_in(0, 1, 1001), 1);
    }
}
