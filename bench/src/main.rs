//! `sundial-bench`: workloads W1 (fire precision), W2 (burst), W3 (scale of definitions) and W7
//! (noisy neighbour) of the benchmark plan, run against the real `sundial` binary over HTTP with
//! a loopback sink as the `api_call` target.

mod report;
mod server;
mod sink;
mod w1;
mod w2;
mod w3;
mod w7;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Everything that can stop a bench run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// Starting, reading or signalling a process or file failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// Why it failed.
        source: std::io::Error,
    },
    /// An HTTP call to Sundial failed or answered unexpectedly.
    #[error("HTTP: {0}")]
    Http(String),
    /// Creating or dropping the PostgreSQL database failed.
    #[error("PostgreSQL: {0}")]
    Database(#[from] sqlx::Error),
    /// The run could not go on as planned (e.g. task creation overran the burst instant).
    #[error("{0}")]
    Setup(String),
}

impl From<reqwest::Error> for BenchError {
    fn from(e: reqwest::Error) -> Self {
        BenchError::Http(e.to_string())
    }
}

/// Result of bench steps.
pub type Result<T, E = BenchError> = std::result::Result<T, E>;

/// Which database the server under test uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Db {
    /// A fresh SQLite file in the server's data directory.
    Sqlite,
    /// A fresh database on a PostgreSQL server.
    Postgres,
}

#[derive(Debug, Parser)]
#[command(
    name = "sundial-bench",
    about = "Benchmarks W1, W2, W3 and W7 against the real sundial binary"
)]
struct Cli {
    /// The `sundial` binary; default: the release build of this workspace.
    #[arg(long, global = true)]
    binary: Option<PathBuf>,
    /// The database of the server under test.
    #[arg(long, global = true, value_enum, default_value = "sqlite")]
    db: Db,
    /// Admin URL of the PostgreSQL server (a fresh database is created on it per run);
    /// default `SUNDIAL_TEST_DATABASE_URL`.
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// `SUNDIAL_WORKERS` of the server; default: the binary's own default (so binaries of
    /// different versions are each measured as shipped).
    #[arg(long, global = true)]
    workers: Option<u32>,
    /// More settings of the server, `KEY=VALUE` (repeatable), e.g.
    /// `--server-env SUNDIAL_TENANT_MAX_RUNNING=0`.
    #[arg(long = "server-env", global = true, value_parser = parse_setting)]
    server_env: Vec<(String, String)>,
    /// `SUNDIAL_LOG` of the server (its log goes to a file in its data directory).
    #[arg(long, global = true, default_value = "info")]
    log: String,
    /// Repeat the whole workload (fresh server and database each time) and report
    /// median, min and max.
    #[arg(long, global = true, default_value_t = 1)]
    runs: usize,
    /// Keep each run's data directory (server log, SQLite file) and PostgreSQL database, and
    /// print where they are.
    #[arg(long, global = true)]
    keep: bool,
    #[command(subcommand)]
    workload: Workload,
}

#[derive(Debug, Subcommand)]
enum Workload {
    /// W1: N interval tasks of 1 s; lag, missed, duplicates, RSS and CPU over a window.
    W1(w1::Args),
    /// W2: N one-shot date tasks due at one instant; time until all arrived and succeeded.
    W2(w2::Args),
    /// W3: a million task definitions; restart, memory, list and create latency.
    W3(w3::Args),
    /// W7: one tenant hogs every slot it can; another tenant's lag, misses and python waits.
    W7(w7::Args),
}

/// How each run starts its server.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// The binary.
    pub binary: PathBuf,
    /// The database kind.
    pub db: Db,
    /// PostgreSQL admin URL.
    pub database_url: Option<String>,
    /// Worker count; `None`: the server's default.
    pub workers: Option<u32>,
    /// More `SUNDIAL_*` settings.
    pub env: Vec<(String, String)>,
    /// Log filter.
    pub log: String,
    /// Keep the data directory.
    pub keep: bool,
}

/// A `SUNDIAL_*=VALUE` server setting.
fn parse_setting(raw: &str) -> Result<(String, String), String> {
    match raw.split_once('=') {
        Some((key, value)) if key.starts_with("SUNDIAL_") => Ok((key.to_owned(), value.to_owned())),
        _ => Err(format!("{raw:?} is not SUNDIAL_KEY=VALUE")),
    }
}

fn default_binary() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("release/sundial")
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let options = ServerOptions {
        binary: cli.binary.unwrap_or_else(default_binary),
        db: cli.db,
        database_url: cli
            .database_url
            .or_else(|| std::env::var("SUNDIAL_TEST_DATABASE_URL").ok()),
        workers: cli.workers,
        env: cli.server_env,
        log: cli.log,
        keep: cli.keep,
    };
    let mut results = Vec::new();
    for run in 1..=cli.runs.max(1) {
        eprintln!("== run {run}/{}", cli.runs.max(1));
        let result = match &cli.workload {
            Workload::W1(args) => w1::run(&options, args).await,
            Workload::W2(args) => w2::run(&options, args).await,
            Workload::W3(args) => w3::run(&options, args).await,
            Workload::W7(args) => w7::run(&options, args).await,
        };
        match result {
            Ok(metrics) => {
                println!("{}", metrics.line());
                results.push(metrics);
            }
            Err(error) => {
                eprintln!("sundial-bench: run {run} failed: {error}");
                std::process::exit(1);
            }
        }
    }
    println!("{}", report::summary(&results));
}
