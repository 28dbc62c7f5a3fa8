//! What the binary's end-to-end suites share: the real `sundial` process on SQLite or a fresh
//! PostgreSQL database, a loopback HTTP sink that records every call, the task API, and the
//! ways a process ends (SIGTERM, kill -9).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use jiff::{SignedDuration, Timestamp};
use reqwest::Method;
use serde_json::Value;
use store::test_support::{Database, PostgresDb, TestFixture};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_sundial");
/// The task API's prefix.
pub const TASKS: &str = "/api/tree-root/scheduled-tasks";
/// A token secret strong enough for the binary to accept.
pub const SECRET: &str = "0123456789abcdef0123456789abcdef-e2e-secret";

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Where a node keeps its data: the default SQLite file in its data directory, or a database
/// of its own on the test PostgreSQL server.
#[derive(Debug, Clone)]
pub struct TestDb {
    /// `SUNDIAL_DATABASE_URL`, unset for SQLite.
    pub url: Option<String>,
}

impl TestDb {
    /// The embedded default.
    pub fn sqlite() -> Self {
        Self { url: None }
    }

    /// A fresh database on the server `SUNDIAL_TEST_DATABASE_URL` points at (`scripts/test`
    /// starts a throwaway one, removed with everything in it when the run ends).
    pub async fn postgres() -> Self {
        let db = PostgresDb::create()
            .await
            .expect("this test needs PostgreSQL (scripts/test starts one)");
        Self { url: Some(db.url) }
    }

    /// The variables that point a node at this database.
    pub fn env(&self) -> Vec<(String, String)> {
        self.url
            .iter()
            .map(|url| ("SUNDIAL_DATABASE_URL".to_owned(), url.clone()))
            .collect()
    }
}

/// A case of `on_both_databases!` gets a node database; a PostgreSQL one is dropped when the
/// case passes.
impl TestFixture for TestDb {
    type Guard = Option<PostgresDb>;

    async fn open(database: Database) -> Option<(Self, Self::Guard)> {
        match database {
            Database::Sqlite => Some((Self::sqlite(), None)),
            Database::Postgres => {
                let db = PostgresDb::create().await?;
                let url = Some(db.url.clone());
                Some((Self { url }, Some(db)))
            }
        }
    }

    async fn finish(guard: Self::Guard) {
        if let Some(db) = guard {
            db.drop_database().await;
        }
    }
}

/// One request that reached the sink.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Request path.
    pub path: String,
    /// Its `Idempotency-Key` (the run uuid).
    pub key: String,
    /// Arrival instant.
    pub at: Timestamp,
    /// The request body.
    pub body: Vec<u8>,
}

/// A loopback HTTP target. Answers 500 under `/fail`, waits `<ms>` before answering 200 under
/// `/slow/<ms>`, and answers 200 elsewhere; records every arrival before answering.
#[derive(Clone)]
pub struct Sink {
    /// Its port on 127.0.0.1.
    pub port: u16,
    hits: Arc<Mutex<Vec<Hit>>>,
}

async fn record(
    State(hits): State<Arc<Mutex<Vec<Hit>>>>,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    let at = Timestamp::now();
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let path = uri.path().to_owned();
    hits.lock().unwrap().push(Hit {
        path: path.clone(),
        key,
        at,
        body: body.to_vec(),
    });
    if path.starts_with("/fail") {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    if let Some(ms) = path
        .strip_prefix("/slow/")
        .and_then(|rest| rest.split('/').next())
        .and_then(|ms| ms.parse().ok())
    {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    StatusCode::OK
}

impl Sink {
    /// Starts a sink on a free loopback port.
    pub async fn start() -> Self {
        let hits = Arc::new(Mutex::new(Vec::new()));
        let app = axum::Router::new()
            .fallback(record)
            .with_state(hits.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { port, hits }
    }

    /// The URL of `path` on this sink.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Arrivals on exactly `path`, in order.
    pub fn hits_on(&self, path: &str) -> Vec<Hit> {
        self.hits
            .lock()
            .unwrap()
            .iter()
            .filter(|h| h.path == path)
            .cloned()
            .collect()
    }
}

/// The variables an engine test node runs with: the known secret, the sink opened in the
/// egress guard, a short shutdown grace and lease, no request rate limit, and the database.
pub fn engine_env(db: &TestDb, sink: &Sink) -> Vec<(String, String)> {
    let mut env = vec![
        ("SUNDIAL_JWT_SECRET".to_owned(), SECRET.to_owned()),
        (
            "SUNDIAL_EGRESS_ALLOW".to_owned(),
            format!("127.0.0.1/32:{}", sink.port),
        ),
        ("SUNDIAL_WORKERS".to_owned(), "8".to_owned()),
        ("SUNDIAL_SHUTDOWN_GRACE_SECONDS".to_owned(), "2".to_owned()),
        ("SUNDIAL_LEASE_SECONDS".to_owned(), "5".to_owned()),
        // These suites poll every task's runs every 50 ms, faster than a tenant may send;
        // the rate limits have a suite of their own (edge).
        ("SUNDIAL_RATE_LIMIT_BURST".to_owned(), "0".to_owned()),
    ];
    env.extend(db.env());
    env
}

/// A running `sundial serve`, with an admin token of tenant 1.
pub struct Node {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// Admin of tenant 1.
    pub token: String,
    /// Lines printed on stdout so far: read until the process exits.
    stdout: Arc<Mutex<Vec<String>>>,
    /// Ends when stdout closed (the process exited) and every line is in `stdout`.
    stdout_read: Option<tokio::task::JoinHandle<()>>,
    data_dir: PathBuf,
    env: Vec<(String, String)>,
    client: reqwest::Client,
}

impl Node {
    /// Starts `sundial serve` over `data_dir` with only these variables (plus the data
    /// directory and a free listen port) and waits until `/healthz` answers.
    pub async fn start(data_dir: &Path, env: &[(String, String)]) -> Node {
        Node::start_binary(Path::new(BIN), data_dir, env).await
    }

    /// Like [`Node::start`], with another `sundial` executable (a link to it elsewhere, say).
    pub async fn start_binary(bin: &Path, data_dir: &Path, env: &[(String, String)]) -> Node {
        Node::start_command(Command::new(bin), data_dir, env).await
    }

    /// Like [`Node::start`], with the log (stderr) sent to stdout, so that [`Node::printed`]
    /// has the log lines too.
    pub async fn start_logging_to_stdout(data_dir: &Path, env: &[(String, String)]) -> Node {
        let mut command = Command::new("sh");
        command.args(["-c", "exec \"$0\" \"$@\" 2>&1", BIN]);
        Node::start_command(command, data_dir, env).await
    }

    /// Like [`Node::start`], with its data directory on a tmpfs of `size` (e.g. `8m`) that only
    /// this process sees: it runs in a user and mount namespace of its own (`unshare -Urm`), so
    /// no privilege is needed. The test fills the tmpfs through [`Node::data_path`].
    pub async fn start_on_small_disk(
        size: &str,
        data_dir: &Path,
        env: &[(String, String)],
    ) -> Node {
        let mut command = Command::new("unshare");
        command.args([
            "-Urm",
            "sh",
            "-c",
            &format!("mount -t tmpfs -o size={size} sundial-test \"$0\" && exec \"$@\""),
        ]);
        command.arg(data_dir).arg(BIN);
        Node::start_command(command, data_dir, env).await
    }

    /// A path in the data directory as the node sees it (through `/proc/<pid>/root`, so a
    /// node in a mount namespace of its own is reached too).
    pub fn data_path(&self, name: &str) -> PathBuf {
        let inside = self.data_dir.strip_prefix("/").unwrap_or(&self.data_dir);
        PathBuf::from(format!("/proc/{}/root", self.pid()))
            .join(inside)
            .join(name)
    }

    /// Like [`Node::start`], with `command` (a wrapper around some `sundial`) given `serve`
    /// and the variables.
    pub async fn start_command(
        mut command: Command,
        data_dir: &Path,
        env: &[(String, String)],
    ) -> Node {
        let port = free_port();
        command
            .arg("serve")
            .env_clear()
            .env("SUNDIAL_DATA_DIR", data_dir)
            .env("SUNDIAL_LISTEN", format!("127.0.0.1:{port}"))
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let mut child = command.spawn().expect("start sundial");
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut stdout = Vec::new();
        let ready = async {
            loop {
                tokio::select! {
                    line = lines.next_line() => match line.unwrap() {
                        Some(line) => stdout.push(line),
                        None => tokio::time::sleep(Duration::from_millis(20)).await,
                    },
                    () = tokio::time::sleep(Duration::from_millis(50)) => {
                        if let Ok(r) = client.get(format!("{base}/healthz")).send().await
                            && r.status() == 200
                        {
                            break;
                        }
                    }
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(60), ready)
            .await
            .expect("sundial did not become healthy");
        // Keep reading stdout, so a chatty server never blocks on a full pipe and lines the
        // health check overtook are still seen.
        let stdout = Arc::new(Mutex::new(stdout));
        let collected = stdout.clone();
        let stdout_read = tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                collected.lock().unwrap().push(line);
            }
        });
        let token = mint(data_dir, env, &["--tenant", "1"]).await;
        Node {
            child,
            base,
            token,
            stdout,
            stdout_read: Some(stdout_read),
            data_dir: data_dir.to_owned(),
            env: env.to_vec(),
            client,
        }
    }

    /// A second process over the same data directory and variables (a restart after this one
    /// has ended).
    pub async fn restart(&self) -> Node {
        Node::start(&self.data_dir, &self.env).await
    }

    /// The lines printed on stdout so far.
    pub fn printed(&self) -> Vec<String> {
        self.stdout.lock().unwrap().clone()
    }

    /// Every line printed on stdout, once the process has exited.
    pub async fn printed_until_exit(&mut self) -> Vec<String> {
        if let Some(read) = self.stdout_read.take() {
            read.await.unwrap();
        }
        self.printed()
    }

    /// A token minted by `sundial token` with this node's configuration.
    pub async fn token(&self, args: &[&str]) -> String {
        mint(&self.data_dir, &self.env, args).await
    }

    /// Calls the task API as tenant 1's admin.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call_as(&self.token, method, path, body).await
    }

    /// Calls the task API with `token`.
    pub async fn call_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{TASKS}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Calls the task API and asserts the status.
    pub async fn ok(&self, method: Method, path: &str, body: Option<Value>, want: u16) -> Value {
        let (status, body) = self.call(method, path, body).await;
        assert_eq!(status, want, "{path}: {body}");
        body
    }

    /// Creates a task and returns its uuid.
    pub async fn create(&self, task: Value) -> String {
        let created = self.ok(Method::POST, "/", Some(task), 201).await;
        created["uuid"].as_str().unwrap().to_owned()
    }

    /// A task's runs, newest first (the first 100).
    pub async fn runs(&self, task: &str) -> Vec<Value> {
        let page = self
            .ok(
                Method::GET,
                &format!("/{task}/runs?page_size=100"),
                None,
                200,
            )
            .await;
        page["items"].as_array().unwrap().clone()
    }

    /// A task's runs once none is queued or running any more (the first 100, newest first).
    pub async fn settled_runs(&self, task: &str) -> Vec<Value> {
        poll(
            "the task's runs to settle",
            Duration::from_secs(30),
            || async {
                self.runs(task)
                    .await
                    .iter()
                    .all(|r| !matches!(r["status"].as_str(), Some("queued" | "running")))
            },
        )
        .await;
        self.runs(task).await
    }

    /// One run.
    pub async fn run(&self, run: &str) -> Value {
        self.ok(Method::GET, &format!("/runs/{run}"), None, 200)
            .await
    }

    /// Closes the kept-alive connections of this node's own client (the start-up health
    /// checks'), for tests that count the server's connections.
    pub fn forget_connections(&mut self) {
        self.client = reqwest::Client::new();
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id().expect("running")
    }

    /// SIGTERM, then the exit status of the graceful exit.
    pub async fn terminate(&mut self) -> ExitStatus {
        signal(self.pid(), "-TERM");
        tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("sundial exits after SIGTERM")
            .unwrap()
    }

    /// kill -9: no chance to release anything.
    pub async fn kill9(&mut self) {
        signal(self.pid(), "-KILL");
        self.child.wait().await.unwrap();
    }
}

fn signal(pid: u32, which: &str) {
    let status = std::process::Command::new("kill")
        .args([which, &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill {which} {pid}");
}

/// Runs `sundial token` over `data_dir` with `env` and returns the token.
pub async fn mint(data_dir: &Path, env: &[(String, String)], args: &[&str]) -> String {
    let output = Command::new(BIN)
        .arg("token")
        .args(args)
        .env_clear()
        .env("SUNDIAL_DATA_DIR", data_dir)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// A PostgreSQL server of a test's own, for tests that stop and start it (the shared server of
/// `scripts/test` serves every other test). Loopback only, a free port, trust auth; stopped
/// and removed on drop. Started as the `postgres` user when the test runs as root.
pub struct PrivatePostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

impl PrivatePostgres {
    /// initdb and start, with the server binaries `scripts/lib/postgres.sh` installs.
    pub fn start() -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect(
                "PostgreSQL server binaries in /usr/lib/postgresql (scripts/test installs them)",
            )
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|b| b.join("initdb").exists())
            .max()
            .expect("an initdb under /usr/lib/postgresql/*/bin");
        let dir = tempfile::tempdir().unwrap();
        let server = Self {
            port: free_port(),
            dir,
            bin,
        };
        if is_root() {
            let chown = std::process::Command::new("chown")
                .args(["postgres:", server.path_str()])
                .status()
                .unwrap();
            assert!(chown.success(), "chown the server's directory to postgres");
        }
        let data = server.data();
        server.pg(
            "initdb",
            &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync"],
        );
        server.up();
        server
    }

    fn path_str(&self) -> &str {
        self.dir.path().to_str().unwrap()
    }

    fn data(&self) -> String {
        format!("{}/data", self.path_str())
    }

    /// The URL of its `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the server (again) and waits until it accepts connections.
    pub fn up(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.path_str()
        );
        let log = format!("{}/server.log", self.path_str());
        let data = self.data();
        self.pg(
            "pg_ctl",
            &[
                "-D", &data, "-l", &log, "-w", "-t", "60", "-o", &options, "start",
            ],
        );
    }

    /// Stops the server the way an operator's restart does (`pg_ctl stop -m fast`: every
    /// session is terminated).
    pub fn down(&self) {
        let data = self.data();
        self.pg("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"]);
    }

    fn pg(&self, program: &str, args: &[&str]) {
        let output = as_pg_owner(&self.bin.join(program))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{program} {args:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let data = self.data();
        let _ = as_pg_owner(&self.bin.join("pg_ctl"))
            .args(["-D", &data, "-m", "immediate", "stop"])
            .output();
    }
}

/// `program` run as the server's owner: initdb and postgres refuse to run as root. From `/`,
/// which the `postgres` user may enter.
fn as_pg_owner(program: &Path) -> std::process::Command {
    let mut command = if is_root() {
        let mut c = std::process::Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        std::process::Command::new(program)
    };
    command.current_dir("/");
    command
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// Polls `check` every 50 ms until it holds; fails after `within`.
pub async fn poll<F, Fut>(what: &str, within: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// An RFC 3339 field as an instant.
pub fn ts(v: &Value) -> Timestamp {
    v.as_str().unwrap().parse().unwrap()
}

/// An `api_call` task body posting to `url` with 5 s timeout and the given retry policy.
pub fn api_task(code: &str, trigger_type: &str, trigger_config: Value, url: &str) -> Value {
    serde_json::json!({
        "name": code, "code": code, "type": "api_call",
        "trigger_type": trigger_type, "trigger_config": trigger_config,
        "task_config": {"url": url, "method": "POST", "data": {"code": code}},
        "timeout_seconds": 5,
    })
}

/// Every occurrence a task's ledger rows stand for (a collapsed skip row stands for
/// `occurrences` consecutive seconds), counted per instant.
pub fn occurrences_per_second(runs: &[Value]) -> BTreeMap<Timestamp, usize> {
    let mut seen = BTreeMap::new();
    for run in runs {
        let first = ts(&run["scheduled_for"]);
        for k in 0..run["occurrences"].as_i64().unwrap() {
            *seen
                .entry(first + SignedDuration::from_secs(k))
                .or_default() += 1;
        }
    }
    seen
}

/// Every second from the first to the last occurrence has exactly one ledger row.
pub fn assert_each_second_once(what: &str, runs: &[Value]) {
    let seen = occurrences_per_second(runs);
    let (first, last) = (
        *seen.keys().next().unwrap(),
        *seen.keys().next_back().unwrap(),
    );
    let span = last.duration_since(first).as_secs();
    assert_eq!(
        seen.len() as i64,
        span + 1,
        "{what}: a second is missing: {runs:#?}"
    );
    assert!(
        seen.values().all(|n| *n == 1),
        "{what}: a second twice: {seen:?}"
    );
}
