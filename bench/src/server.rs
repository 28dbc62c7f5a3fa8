//! The server under test: a fresh database, the real binary with its own data directory, a
//! token from `sundial token`, an HTTP client for its API, and its CPU and memory from `/proc`.

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use sqlx::{Connection, Executor, PgConnection};
use tokio::process::{Child, Command};

use crate::{BenchError, Db, Result, ServerOptions};

/// The task API's path prefix.
pub const PREFIX: &str = "/api/tree-root/scheduled-tasks";

/// A PostgreSQL database created for one run and dropped after it.
struct PgDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PgDatabase {
    async fn create(admin_url: &str) -> Result<PgDatabase> {
        let name = format!("sundial_bench_{}", uuid::Uuid::now_v7().simple());
        let mut admin = PgConnection::connect(admin_url).await?;
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await?;
        admin.close().await?;
        let mut url = url::Url::parse(admin_url)
            .map_err(|e| BenchError::Setup(format!("PostgreSQL URL: {e}")))?;
        url.set_path(&name);
        Ok(PgDatabase {
            admin_url: admin_url.to_owned(),
            name,
            url: url.to_string(),
        })
    }

    async fn drop_database(&self) -> Result<()> {
        let mut admin = PgConnection::connect(&self.admin_url).await?;
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            )))
            .await?;
        admin.close().await?;
        Ok(())
    }
}

/// CPU time and peak memory of a process.
#[derive(Debug, Clone, Copy)]
pub struct ProcStats {
    /// User plus system CPU seconds so far.
    pub cpu_seconds: f64,
    /// Peak resident set (VmHWM), MiB.
    pub peak_rss_mib: f64,
    /// Resident set now (VmRSS), MiB.
    pub rss_mib: f64,
}

/// The task API of the server, as tenant 1's admin; cheap to clone.
#[derive(Clone)]
pub struct Api {
    base: String,
    token: String,
    client: reqwest::Client,
}

impl Api {
    /// A call to the task API; the answer's JSON, or an error naming the status and body.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value> {
        let mut request = self
            .client
            .request(method.clone(), format!("{}{PREFIX}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await?;
        let status = response.status();
        let bytes = response.bytes().await?;
        if !status.is_success() {
            return Err(BenchError::Http(format!(
                "{method} {path}: {status}: {}",
                String::from_utf8_lossy(&bytes)
            )));
        }
        serde_json::from_slice(&bytes)
            .map_err(|e| BenchError::Http(format!("{method} {path}: not JSON: {e}")))
    }
}

/// A running `sundial serve`.
pub struct Server {
    child: Child,
    pid: u32,
    /// Its API, authenticated as tenant 1's admin.
    pub api: Api,
    database: Option<PgDatabase>,
    data: Option<tempfile::TempDir>,
    clock_ticks: f64,
    binary: std::path::PathBuf,
    /// Its variables, for `sundial token` and for more nodes on the same database.
    env: Vec<(String, String)>,
    /// Further nodes on the same database (PostgreSQL).
    others: Vec<Server>,
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> BenchError {
    let context = context.into();
    move |source| BenchError::Io { context, source }
}

fn random_secret() -> Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(io("read /dev/urandom"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(io("find a free port"))?;
    Ok(listener.local_addr().map_err(io("free port"))?.port())
}

/// The binary with only the `SUNDIAL_*` variables of this run: unknown ones (such as the
/// bench's own `SUNDIAL_TEST_DATABASE_URL`) would make the server refuse to start.
fn command(binary: &std::path::Path, env: &[(String, String)]) -> Command {
    let mut command = Command::new(binary);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("SUNDIAL_") {
            command.env_remove(key);
        }
    }
    command.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    command
}

/// Whether `binary` accepts `key` (with `0`): `sundial token` reads the whole configuration
/// and refuses unknown settings, without touching the database.
async fn knows_setting(
    binary: &std::path::Path,
    env: &[(String, String)],
    key: &str,
) -> Result<bool> {
    let mut env = env.to_vec();
    env.push((key.to_owned(), "0".to_owned()));
    let output = command(binary, &env)
        .args(["token", "--tenant", "1"])
        .output()
        .await
        .map_err(io("sundial token"))?;
    Ok(output.status.success())
}

impl Server {
    /// Creates the database, starts the server, waits until it is ready and mints a token.
    pub async fn start(options: &ServerOptions, sink_port: u16) -> Result<Server> {
        if !options.binary.is_file() {
            return Err(BenchError::Setup(format!(
                "no sundial binary at {}; build it with `cargo build --release -p sundial` or pass --binary",
                options.binary.display()
            )));
        }
        let data = tempfile::Builder::new()
            .prefix("sundial-bench-")
            .tempdir()
            .map_err(io("create the data directory"))?;
        let database = match options.db {
            Db::Sqlite => None,
            Db::Postgres => {
                let admin = options.database_url.as_deref().ok_or_else(|| {
                    BenchError::Setup(
                        "--db postgres needs --database-url or SUNDIAL_TEST_DATABASE_URL".into(),
                    )
                })?;
                Some(PgDatabase::create(admin).await?)
            }
        };
        let secret = random_secret()?;
        let mut env = vec![
            ("SUNDIAL_JWT_SECRET".to_owned(), secret),
            (
                "SUNDIAL_EGRESS_ALLOW".to_owned(),
                format!("127.0.0.1/32:{sink_port}"),
            ),
            ("SUNDIAL_LOG".to_owned(), options.log.clone()),
        ];
        if let Some(workers) = options.workers {
            env.push(("SUNDIAL_WORKERS".to_owned(), workers.to_string()));
        }
        if let Some(db) = &database {
            env.push(("SUNDIAL_DATABASE_URL".to_owned(), db.url.clone()));
        }
        // The benchmarks measure the engine, not the rate limiter: it is turned off on binaries
        // that have it (an older one refuses settings it does not know, so it is asked first).
        if knows_setting(&options.binary, &env, "SUNDIAL_RATE_LIMIT_BURST").await? {
            env.push(("SUNDIAL_RATE_LIMIT_BURST".to_owned(), "0".to_owned()));
        }
        env.extend(options.env.iter().cloned());
        let mut server = Server::spawn(options, env, data).await?;
        server.database = database;
        Ok(server)
    }

    /// Starts `nodes` servers (at least one) on one database, the first as [`Server::start`]
    /// does and the others as [`Server::add_node`]; more than one needs PostgreSQL.
    pub async fn start_nodes(
        options: &ServerOptions,
        sink_port: u16,
        nodes: usize,
    ) -> Result<Self> {
        let mut server = Server::start(options, sink_port).await?;
        for _ in 1..nodes.max(1) {
            if let Err(error) = server.add_node(options).await {
                server.stop(options.keep).await?;
                return Err(error);
            }
        }
        Ok(server)
    }

    /// Starts another node on this server's database (PostgreSQL), with its own data
    /// directory and port; [`Server::stop`] stops it too.
    pub async fn add_node(&mut self, options: &ServerOptions) -> Result<()> {
        if self.database.is_none() {
            return Err(BenchError::Setup("several nodes need --db postgres".into()));
        }
        let data = tempfile::Builder::new()
            .prefix("sundial-bench-")
            .tempdir()
            .map_err(io("create the data directory"))?;
        let env = self
            .env
            .iter()
            .filter(|(k, _)| k != "SUNDIAL_LISTEN" && k != "SUNDIAL_DATA_DIR")
            .cloned()
            .collect();
        let node = Server::spawn(options, env, data).await?;
        self.others.push(node);
        Ok(())
    }

    /// The task API as an admin of `tenant`.
    pub async fn api_of(&self, tenant: u32) -> Result<Api> {
        Ok(Api {
            token: self.token(tenant).await?,
            ..self.api.clone()
        })
    }

    async fn token(&self, tenant: u32) -> Result<String> {
        let token = command(&self.binary, &self.env)
            .args(["token", "--tenant", &tenant.to_string(), "--ttl", "6h"])
            .output()
            .await
            .map_err(io("sundial token"))?;
        if !token.status.success() {
            return Err(BenchError::Setup(format!(
                "sundial token failed: {}",
                String::from_utf8_lossy(&token.stderr)
            )));
        }
        Ok(String::from_utf8_lossy(&token.stdout).trim().to_owned())
    }

    /// Starts the binary with `env` plus its own port and data directory, and waits until it
    /// is ready.
    async fn spawn(
        options: &ServerOptions,
        mut env: Vec<(String, String)>,
        data: tempfile::TempDir,
    ) -> Result<Server> {
        let port = free_port()?;
        env.push(("SUNDIAL_LISTEN".to_owned(), format!("127.0.0.1:{port}")));
        env.push((
            "SUNDIAL_DATA_DIR".to_owned(),
            data.path().display().to_string(),
        ));
        let log = std::fs::File::create(data.path().join("server.log"))
            .map_err(io("create the server log"))?;
        let child = command(&options.binary, &env)
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(io("server log"))?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .map_err(io(format!("start {}", options.binary.display())))?;
        let pid = child
            .id()
            .ok_or_else(|| BenchError::Setup("server exited at once".into()))?;
        let clock_ticks = std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0);
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .timeout(Duration::from_secs(120))
            .build()?;
        let mut server = Server {
            child,
            pid,
            api: Api {
                base: format!("http://127.0.0.1:{port}"),
                token: String::new(),
                client,
            },
            database: None,
            data: Some(data),
            clock_ticks,
            binary: options.binary.clone(),
            env,
            others: Vec::new(),
        };
        server.api.token = server.token(1).await?;
        server.wait_ready().await?;
        Ok(server)
    }

    async fn wait_ready(&mut self) -> Result<()> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(BenchError::Setup(format!(
                    "server exited during start-up ({status}); see {}",
                    self.log_path()
                )));
            }
            let ready = self
                .api
                .client
                .get(format!("{}/readyz", self.api.base))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                return Err(BenchError::Setup(format!(
                    "server not ready after 60 s; see {}",
                    self.log_path()
                )));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The database URL the server uses: its PostgreSQL database, or the SQLite file in its
    /// data directory.
    pub fn database_url(&self) -> String {
        match (&self.database, &self.data) {
            (Some(db), _) => db.url.clone(),
            (None, Some(data)) => format!("sqlite://{}", data.path().join("sundial.db").display()),
            (None, None) => String::new(),
        }
    }

    /// Stops the process (SIGTERM, waiting for it to exit) and keeps its database and data
    /// directory for [`Server::resume`].
    pub async fn halt(&mut self) -> Result<()> {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        if tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
        Ok(())
    }

    /// Starts the binary again on the same database, port and settings after
    /// [`Server::halt`]; the time from its start until `/readyz` answers 200.
    pub async fn resume(&mut self) -> Result<Duration> {
        let log = std::fs::OpenOptions::new()
            .append(true)
            .open(self.log_path())
            .map_err(io("open the server log"))?;
        let started = std::time::Instant::now();
        self.child = command(&self.binary, &self.env)
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(io("server log"))?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .map_err(io(format!("start {}", self.binary.display())))?;
        self.pid = self
            .child
            .id()
            .ok_or_else(|| BenchError::Setup("server exited at once".into()))?;
        self.wait_ready().await?;
        Ok(started.elapsed())
    }

    fn log_path(&self) -> String {
        self.data
            .as_ref()
            .map(|d| d.path().join("server.log").display().to_string())
            .unwrap_or_default()
    }

    /// CPU and memory of the server now: CPU summed over its nodes, memory of the largest.
    pub fn stats(&self) -> Result<ProcStats> {
        let mut total = self.process_stats()?;
        for other in &self.others {
            let node = other.process_stats()?;
            total.cpu_seconds += node.cpu_seconds;
            total.peak_rss_mib = total.peak_rss_mib.max(node.peak_rss_mib);
            total.rss_mib = total.rss_mib.max(node.rss_mib);
        }
        Ok(total)
    }

    /// CPU and memory of this node's process now.
    fn process_stats(&self) -> Result<ProcStats> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .map_err(io("read /proc/<pid>/status"))?;
        let kib = |key: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(f64::NAN)
        };
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid))
            .map_err(io("read /proc/<pid>/stat"))?;
        // Fields after the parenthesised command name, which may itself hold spaces:
        // utime and stime are fields 14 and 15 of the whole line.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(f64::NAN)
        };
        Ok(ProcStats {
            cpu_seconds: (ticks(11) + ticks(12)) / self.clock_ticks,
            peak_rss_mib: kib("VmHWM:") / 1024.0,
            rss_mib: kib("VmRSS:") / 1024.0,
        })
    }

    /// Stops the server (SIGTERM, then SIGKILL after 10 s) and, unless `keep`, removes its
    /// database and its data directory.
    pub async fn stop(mut self, keep: bool) -> Result<()> {
        for other in std::mem::take(&mut self.others) {
            Box::pin(other.stop(keep)).await?;
        }
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
        if let Some(db) = &self.database {
            if keep {
                eprintln!("kept database {}", db.name);
            } else {
                db.drop_database().await?;
            }
        }
        if let Some(data) = self.data.take()
            && keep
        {
            eprintln!("kept {}", data.keep().display());
        }
        Ok(())
    }
}

/// Runs `f(0..count)` with at most `limit` calls in flight; the results in index order.
pub async fn concurrently<T, F, Fut>(count: usize, limit: usize, f: F) -> Result<Vec<T>>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T>> + Send,
    T: Send + 'static,
{
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let f = Arc::new(f);
    let next = Arc::new(AtomicUsize::new(0));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..limit.clamp(1, count.max(1)) {
        let (f, next) = (f.clone(), next.clone());
        set.spawn(async move {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return Ok::<_, BenchError>(done);
                }
                done.push((i, f(i).await?));
            }
        });
    }
    let mut all = Vec::with_capacity(count);
    while let Some(joined) = set.join_next().await {
        all.extend(joined.map_err(|e| BenchError::Setup(format!("worker task: {e}")))??);
    }
    all.sort_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, t)| t).collect())
}

/// Sleeps until the wall-clock instant `at` (returns at once if it passed).
pub async fn sleep_until(at: jiff::Timestamp) {
    let left = at.duration_since(jiff::Timestamp::now());
    if let Ok(left) = Duration::try_from(left) {
        tokio::time::sleep(left).await;
    }
}
