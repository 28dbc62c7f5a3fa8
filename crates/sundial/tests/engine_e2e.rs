//! The engine end to end: the real binary fires interval tasks at a loopback HTTP sink, retries a
//! failing target, runs a task now and stops a task, on SQLite and on PostgreSQL.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use jiff::Timestamp;
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::Connection;
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_sundial");
const TASKS: &str = "/api/tree-root/scheduled-tasks";
const SECRET: &str = "0123456789abcdef0123456789abcdef-engine-e2e";

/// One request that reached the sink.
#[derive(Debug, Clone)]
struct Hit {
    path: String,
    key: String,
    at: Timestamp,
}

type Hits = Arc<Mutex<Vec<Hit>>>;

/// Records every request; answers 500 under `/fail`, 200 elsewhere.
async fn record(State(hits): State<Hits>, uri: Uri, headers: HeaderMap) -> StatusCode {
    let at = Timestamp::now();
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let path = uri.path().to_owned();
    let status = if path.starts_with("/fail") {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    hits.lock().unwrap().push(Hit { path, key, at });
    status
}

async fn sink() -> (u16, Hits) {
    let hits = Hits::default();
    let app = axum::Router::new()
        .fallback(record)
        .with_state(hits.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, hits)
}

fn hits_on(hits: &Hits, path: &str) -> Vec<Hit> {
    hits.lock()
        .unwrap()
        .iter()
        .filter(|h| h.path == path)
        .cloned()
        .collect()
}

struct Sundial {
    child: Child,
    base: String,
    token: String,
    client: reqwest::Client,
}

impl Sundial {
    async fn start(database_url: Option<&str>, sink_port: u16) -> (Sundial, tempfile::TempDir) {
        let data = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut env = vec![
            ("SUNDIAL_DATA_DIR", data.path().display().to_string()),
            ("SUNDIAL_LISTEN", format!("127.0.0.1:{port}")),
            ("SUNDIAL_JWT_SECRET", SECRET.to_owned()),
            ("SUNDIAL_EGRESS_ALLOW", format!("127.0.0.1/32:{sink_port}")),
            ("SUNDIAL_WORKERS", "8".to_owned()),
            ("SUNDIAL_SHUTDOWN_GRACE_SECONDS", "2".to_owned()),
        ];
        if let Some(url) = database_url {
            env.push(("SUNDIAL_DATABASE_URL", url.to_owned()));
        }
        let child = Command::new(BIN)
            .arg("serve")
            .env_clear()
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("start sundial");
        let output = Command::new(BIN)
            .args(["token", "--tenant", "1"])
            .env_clear()
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .output()
            .await
            .unwrap();
        assert!(output.status.success());
        let token = String::from_utf8(output.stdout).unwrap().trim().to_owned();
        let server = Sundial {
            child,
            base: format!("http://127.0.0.1:{port}"),
            token,
            client: reqwest::Client::new(),
        };
        let base = server.base.clone();
        let client = server.client.clone();
        poll(
            "sundial to answer /healthz",
            Duration::from_secs(60),
            || {
                let (client, base) = (client.clone(), base.clone());
                async move {
                    client
                        .get(format!("{base}/healthz"))
                        .send()
                        .await
                        .is_ok_and(|r| r.status() == 200)
                }
            },
        )
        .await;
        (server, data)
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{TASKS}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn ok(&self, method: Method, path: &str, body: Option<Value>, want: u16) -> Value {
        let (status, body) = self.call(method, path, body).await;
        assert_eq!(status, want, "{path}: {body}");
        body
    }

    async fn runs(&self, task: &str) -> Vec<Value> {
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

    /// SIGTERM, then wait for a graceful exit.
    async fn terminate(mut self) {
        let pid = self.child.id().expect("running") as i32;
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = tokio::time::timeout(Duration::from_secs(20), self.child.wait())
            .await
            .expect("sundial exits after SIGTERM")
            .unwrap();
        assert!(exit.success(), "{exit:?}");
    }
}

/// Polls `check` every 50 ms until it holds; fails after `within`.
async fn poll<F, Fut>(what: &str, within: Duration, mut check: F)
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

fn ts(v: &Value) -> Timestamp {
    v.as_str().unwrap().parse().unwrap()
}

fn api_task(code: &str, trigger: Value, url: String, retry: Value) -> Value {
    json!({
        "name": code, "code": code, "type": "api_call",
        "trigger_type": trigger["type"], "trigger_config": trigger["config"],
        "task_config": {"url": url, "method": "POST", "data": {"code": code}},
        "retry_policy": retry,
        "timeout_seconds": 5,
    })
}

async fn scenario(database_url: Option<&str>) {
    let (port, hits) = sink().await;
    let (sundial, _data) = Sundial::start(database_url, port).await;
    let sink_url = |path: &str| format!("http://127.0.0.1:{port}{path}");
    let every_second = json!({"type": "interval", "config": {"seconds": 1}});
    let rarely = json!({"type": "cron", "config": {"cron": "0 0 1 1 *"}});
    let retry = json!({"max_retries": 2, "retry_delay_seconds": 1});

    let tick = sundial
        .ok(
            Method::POST,
            "/",
            Some(api_task(
                "tick",
                every_second.clone(),
                sink_url("/tick"),
                retry.clone(),
            )),
            201,
        )
        .await;
    let tick = tick["uuid"].as_str().unwrap().to_owned();
    let failing = sundial
        .ok(
            Method::POST,
            "/",
            Some(api_task(
                "failing",
                rarely.clone(),
                sink_url("/fail"),
                retry.clone(),
            )),
            201,
        )
        .await;
    let failing = failing["uuid"].as_str().unwrap().to_owned();
    let manual = sundial
        .ok(
            Method::POST,
            "/",
            Some(api_task("manual", rarely, sink_url("/manual"), retry)),
            201,
        )
        .await;
    let manual = manual["uuid"].as_str().unwrap().to_owned();

    // Run now: one succeeds at once, one fails and is retried 1 s apart until it gives up.
    let now_run = sundial
        .ok(Method::POST, &format!("/{manual}/run"), None, 202)
        .await;
    let failing_run = sundial
        .ok(Method::POST, &format!("/{failing}/run"), None, 202)
        .await;
    assert_eq!(now_run["trigger"], "manual");

    // Ten occurrences of the 1-s task.
    poll("ten succeeded ticks", Duration::from_secs(30), || async {
        sundial
            .runs(&tick)
            .await
            .iter()
            .filter(|r| r["status"] == "succeeded")
            .count()
            >= 10
    })
    .await;

    let manual_run = sundial
        .ok(
            Method::GET,
            &format!("/runs/{}", now_run["uuid"].as_str().unwrap()),
            None,
            200,
        )
        .await;
    assert_eq!(manual_run["status"], "succeeded");
    let manual_hits = hits_on(&hits, "/manual");
    assert_eq!(manual_hits.len(), 1);
    assert_eq!(manual_hits[0].key, now_run["uuid"].as_str().unwrap());

    let failing_uuid = failing_run["uuid"].as_str().unwrap().to_owned();
    poll(
        "the failing run to give up",
        Duration::from_secs(30),
        || async {
            let (_, run) = sundial
                .call(Method::GET, &format!("/runs/{failing_uuid}"), None)
                .await;
            run["status"] == "failed"
        },
    )
    .await;
    let failed = sundial
        .ok(Method::GET, &format!("/runs/{failing_uuid}"), None, 200)
        .await;
    assert_eq!(failed["attempt"], 3, "max_retries + 1 attempts: {failed}");
    let fail_hits = hits_on(&hits, "/fail");
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

    // Stop the 1-s task: nothing queued is left and nothing arrives any more.
    sundial
        .ok(Method::POST, &format!("/{tick}/stop"), None, 200)
        .await;
    poll(
        "the last tick to finish",
        Duration::from_secs(10),
        || async {
            sundial
                .runs(&tick)
                .await
                .iter()
                .all(|r| r["status"] != "queued" && r["status"] != "running")
        },
    )
    .await;
    let arrived = hits_on(&hits, "/tick").len();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        hits_on(&hits, "/tick").len(),
        arrived,
        "no arrival after stop"
    );

    // Exactly once, never early, one Idempotency-Key per run.
    let runs = sundial.runs(&tick).await;
    let by_key: HashMap<String, Vec<Hit>> =
        hits_on(&hits, "/tick")
            .into_iter()
            .fold(HashMap::new(), |mut map, hit| {
                map.entry(hit.key.clone()).or_default().push(hit);
                map
            });
    let succeeded: Vec<&Value> = runs.iter().filter(|r| r["status"] == "succeeded").collect();
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
    sundial.terminate().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engine_end_to_end_on_sqlite() {
    scenario(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engine_end_to_end_on_postgresql() {
    let admin = std::env::var("SUNDIAL_TEST_DATABASE_URL").expect(
        "SUNDIAL_TEST_DATABASE_URL must point at a PostgreSQL server (scripts/test starts one)",
    );
    let name = format!("sundial_e2e_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    scenario(Some(&url)).await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await
    .unwrap();
}
