//! W3, scale of definitions: N active daily cron tasks across T tenants (one of them holding
//! `--big`), written straight into the server's database, then a restart timed to `/readyz`,
//! the server's memory, `/list` latency for the big tenant with a keyword, a filter and a sort,
//! and create latency at a fixed request rate.
//!
//! The tasks are copies of one template task created through the API (so every column holds
//! what the API writes), inserted by one `INSERT … SELECT` with the server stopped: loading a
//! million through `POST /import` would take tens of minutes on this machine and measure the
//! import, not the scale. The copies have no version or audit entries, which W3 never reads.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use reqwest::Method;
use serde_json::json;
use sqlx::{Connection, Executor};

use crate::report::{Metrics, quantile};
use crate::server::{Api, Server};
use crate::sink::Sink;
use crate::w1::field;
use crate::{BenchError, Db, Result, ServerOptions};

/// Options of W3.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Active tasks in all.
    #[arg(long, default_value_t = 1_000_000)]
    tasks: u64,
    /// Tenants they are spread over (tenant 1 holds `--big`, the rest share the others evenly).
    #[arg(long, default_value_t = 10_000)]
    tenants: u64,
    /// Tasks of tenant 1, the big tenant.
    #[arg(long, default_value_t = 100_000)]
    big: u64,
    /// `/list` requests for the big tenant, one after another.
    #[arg(long, default_value_t = 300)]
    list_requests: usize,
    /// Create requests per second (open loop: one starts every 1/rate s, whatever the answers).
    #[arg(long, default_value_t = 200)]
    create_rate: u64,
    /// Seconds of creating.
    #[arg(long, default_value_t = 10)]
    create_seconds: u64,
    /// Seconds between the restart and the measurements, so start-up work settles.
    #[arg(long, default_value_t = 5)]
    settle: u64,
}

/// The first word of task `i`'s name: `i % 10`.
const AREAS: [&str; 10] = [
    "billing", "report", "sync", "backup", "cleanup", "email", "export", "import", "index",
    "notify",
];

/// The second word: `(i / 10) % 10`.
const ACTIONS: [&str; 10] = [
    "daily", "weekly", "invoice", "ledger", "audit", "digest", "archive", "rollup", "refresh",
    "purge",
];

/// The `/list` queries, taken in turn: a keyword (one matching a tenth of the big tenant's
/// tasks, one a hundredth, one a handful), the filter `type` + `is_active`, and a sort.
const LIST_QUERIES: [&str; 3] = [
    "keyword=billing&type=api_call&is_active=true&sort=name",
    "keyword=report%20ledger&type=api_call&is_active=true&sort=-next_run_at",
    "keyword=4242&type=api_call&is_active=true&sort=-created_at",
];

/// `CASE {expr} WHEN 0 THEN 'w0' … END` over `words`.
fn case_of(expr: &str, words: &[&str]) -> String {
    let arms: String = words
        .iter()
        .enumerate()
        .map(|(i, w)| format!(" WHEN {i} THEN '{w}'"))
        .collect();
    format!("CASE {expr}{arms} END")
}

/// The load: row `i` (1-based) copies the template row `template` with its own uuid, tenant,
/// name, code, cron minute and hour, and the next occurrence of that cron after `now_ms`.
fn load_sql(db: Db, args: &Args, template: i64, now_ms: i64) -> String {
    let day_ms = 86_400_000;
    let midnight = now_ms - now_ms.rem_euclid(day_ms);
    let (with, uuid, series) = match db {
        Db::Sqlite => (
            format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {})",
                args.tasks
            ),
            "randomblob(16)",
            "n".to_owned(),
        ),
        Db::Postgres => (
            String::new(),
            "gen_random_uuid()",
            format!("generate_series(CAST(1 AS BIGINT), {}) AS g(i)", args.tasks),
        ),
    };
    let big = args.big.min(args.tasks);
    let others = args.tenants.saturating_sub(1).max(1);
    let area = case_of("i % 10", &AREAS);
    let action = case_of("(i / 10) % 10", &ACTIONS);
    let at = format!("{midnight} + ((i / 60) % 24) * 3600000 + (i % 60) * 60000");
    format!(
        "{with} INSERT INTO scheduled_tasks (uuid, tenant_id, name, code, description, type, \
         trigger_type, trigger_config, task_config, inngest_function_id, is_active, is_running, \
         created_at, updated_at, next_run_at, timezone, retry_policy, timeout_seconds, \
         overlap_policy, misfire_policy, misfire_grace_seconds, start_at, end_at, jitter_seconds, \
         version, created_by, updated_by, search_text) \
         SELECT {uuid}, CASE WHEN i <= {big} THEN 1 ELSE 2 + (i - {big} - 1) % {others} END, \
           s.name, s.code, t.description, t.type, t.trigger_type, \
           REPLACE(t.trigger_config, '0 0 * * *', \
             CAST(i % 60 AS TEXT) || ' ' || CAST((i / 60) % 24 AS TEXT) || ' * * *'), \
           t.task_config, s.code, TRUE, FALSE, {now_ms} - i, {now_ms} - i, \
           CASE WHEN {at} <= {now_ms} THEN {at} + {day_ms} ELSE {at} END, \
           t.timezone, t.retry_policy, t.timeout_seconds, t.overlap_policy, t.misfire_policy, \
           t.misfire_grace_seconds, t.start_at, t.end_at, t.jitter_seconds, 1, 'bench', 'bench', \
           LOWER(s.name) || ' ' || s.code \
         FROM (SELECT i, {area} || ' ' || {action} || ' ' || CAST(i AS TEXT) AS name, \
               'w3-' || CAST(i AS TEXT) AS code \
               FROM {series}) AS s, scheduled_tasks t WHERE t.id = {template}"
    )
}

/// Writes the tasks into the stopped server's database; the seconds it took.
async fn load(server: &Server, db: Db, args: &Args, template: i64) -> Result<f64> {
    let started = Instant::now();
    let sql = load_sql(db, args, template, Timestamp::now().as_millisecond());
    let url = server.database_url();
    match db {
        Db::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&url).await?;
            conn.execute(sqlx::AssertSqlSafe(sql)).await?;
            conn.close().await?;
        }
        Db::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&url).await?;
            conn.execute(sqlx::AssertSqlSafe(sql)).await?;
            // Autovacuum would analyze the table soon after such a load; the bench does not
            // wait for it.
            conn.execute("ANALYZE scheduled_tasks").await?;
            conn.close().await?;
        }
    }
    Ok(started.elapsed().as_secs_f64())
}

/// A daily cron task to the sink, as W3 creates them.
fn task_body(sink: &Sink, code: &str) -> serde_json::Value {
    json!({
        "name": format!("billing daily {code}"), "code": code,
        "type": "api_call", "trigger_type": "cron",
        "trigger_config": {"cron": "0 0 * * *", "timezone": "UTC"},
        "task_config": {"url": sink.url(0), "method": "POST"},
    })
}

/// Runs W3 once on a fresh server and database.
pub async fn run(options: &ServerOptions, args: &Args) -> Result<Metrics> {
    let sink = Sink::start().await?;
    // The big tenant holds the default quota's 100,000 tasks before the creates begin.
    let mut options = options.clone();
    options
        .env
        .insert(0, ("SUNDIAL_TENANT_MAX_TASKS".to_owned(), "0".to_owned()));
    let options = &options;
    let mut server = Server::start(options, sink.port).await?;
    let result = measure(&mut server, &sink, options.db, args).await;
    server.stop(options.keep).await?;
    result
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn measure(server: &mut Server, sink: &Sink, db: Db, args: &Args) -> Result<Metrics> {
    let template = server
        .api
        .call(Method::POST, "/", Some(&task_body(sink, "w3-template")))
        .await?;
    let template_uuid = field(&template, "uuid")?.to_owned();
    let template_id = template_row_id(server, db, &template_uuid).await?;
    server.halt().await?;
    let load_s = load(server, db, args, template_id).await?;
    eprintln!("loaded {} tasks in {load_s:.1} s", args.tasks);

    let ready = server.resume().await?;
    let rss_ready = server.stats()?.rss_mib;
    eprintln!("serving {:.2} s after the start", ready.as_secs_f64());
    tokio::time::sleep(Duration::from_secs(args.settle)).await;
    let settled = server.stats()?;

    // One round unmeasured: the first of each query reads its pages from disk and prepares it.
    for query in LIST_QUERIES {
        server
            .api
            .call(Method::GET, &format!("/list?{query}"), None)
            .await?;
    }
    let mut list_ms = Vec::with_capacity(args.list_requests);
    let mut totals = [0u64; LIST_QUERIES.len()];
    for i in 0..args.list_requests {
        let query = LIST_QUERIES[i % LIST_QUERIES.len()];
        let started = Instant::now();
        let page = server
            .api
            .call(Method::GET, &format!("/list?{query}"), None)
            .await?;
        list_ms.push(millis(started.elapsed()));
        totals[i % LIST_QUERIES.len()] = page["total"].as_u64().unwrap_or(0);
    }
    eprintln!("list totals per query: {totals:?}");
    list_ms.sort_by(f64::total_cmp);

    let create_ms = create_at_rate(&server.api, sink, args).await?;
    let end = server.stats()?;

    let mut m = Metrics::default();
    m.push("tasks", args.tasks as f64);
    m.push("load_s", load_s);
    m.push("ready_s", ready.as_secs_f64());
    m.push("rss_ready_mib", rss_ready);
    m.push("rss_mib", settled.rss_mib);
    m.push("list_p50_ms", quantile(&list_ms, 0.5));
    m.push("list_p99_ms", quantile(&list_ms, 0.99));
    m.push("list_max_ms", quantile(&list_ms, 1.0));
    m.push("create_p50_ms", quantile(&create_ms, 0.5));
    m.push("create_p99_ms", quantile(&create_ms, 0.99));
    m.push("create_max_ms", quantile(&create_ms, 1.0));
    m.push("created", create_ms.len() as f64);
    m.push("rss_end_mib", end.rss_mib);
    m.push("peak_rss_mib", end.peak_rss_mib);
    Ok(m)
}

/// The template's row id, read from the database the server uses.
async fn template_row_id(server: &Server, db: Db, uuid: &str) -> Result<i64> {
    let uuid: uuid::Uuid = uuid
        .parse()
        .map_err(|e| BenchError::Http(format!("task uuid: {e}")))?;
    let url = server.database_url();
    let sql = "SELECT id FROM scheduled_tasks WHERE uuid = $1";
    let id = match db {
        Db::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&url).await?;
            sqlx::query_scalar(sql)
                .bind(uuid)
                .fetch_one(&mut conn)
                .await?
        }
        Db::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&url).await?;
            sqlx::query_scalar(sql)
                .bind(uuid)
                .fetch_one(&mut conn)
                .await?
        }
    };
    Ok(id)
}

/// Creates tasks in the big tenant at `create_rate` per second for `create_seconds`, each
/// request started on its tick whether or not the earlier ones have answered; every
/// request's latency in milliseconds, sorted.
async fn create_at_rate(api: &Api, sink: &Sink, args: &Args) -> Result<Vec<f64>> {
    let count = args.create_rate * args.create_seconds;
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(
        1.0 / args.create_rate.max(1) as f64,
    ));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut set = tokio::task::JoinSet::new();
    let bodies: Arc<Vec<serde_json::Value>> = Arc::new(
        (0..count)
            .map(|i| task_body(sink, &format!("w3-new-{i}")))
            .collect(),
    );
    for i in 0..count as usize {
        ticker.tick().await;
        let (api, bodies) = (api.clone(), bodies.clone());
        set.spawn(async move {
            let started = Instant::now();
            api.call(Method::POST, "/", Some(&bodies[i])).await?;
            Ok::<_, BenchError>(millis(started.elapsed()))
        });
    }
    let mut latencies = Vec::with_capacity(count as usize);
    while let Some(joined) = set.join_next().await {
        latencies.push(joined.map_err(|e| BenchError::Setup(format!("create task: {e}")))??);
    }
    latencies.sort_by(f64::total_cmp);
    Ok(latencies)
}
