//! The egress guard through the real binary: a run whose target the policy refuses fails after
//! one attempt with a policy error, the target sees no connection, and `/metrics` counts it.
//! Once narrowed by a tenant's own allow-list, once by the operator narrowing
//! `SUNDIAL_EGRESS_ALLOW` under an existing task; on SQLite and on PostgreSQL.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use store::on_both_databases;

use exec::test_support::{TEST_CA, tls_acceptor};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common;
use common::{Node, SECRET, TestDb, api_task, free_port, poll};

const SETTINGS: &str = "/api/tree-root/tenant/settings";
const BEARER: &str = "Bearer e2e-secret-value-0042";

/// A loopback HTTP target that counts every TCP connection it accepts (not only requests) and
/// answers each with 200.
struct Target {
    port: u16,
    connections: Arc<AtomicUsize>,
}

impl Target {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        tokio::spawn(async move {
            loop {
                let (mut socket, _) = listener.accept().await.unwrap();
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    let mut buf = vec![0; 8192];
                    let mut head = Vec::new();
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let _ = socket
                        .write_all(
                            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                        )
                        .await;
                });
            }
        });
        Self { port, connections }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

fn env(db: &TestDb, allow: &str) -> Vec<(String, String)> {
    let mut env = vec![
        ("SUNDIAL_JWT_SECRET".to_owned(), SECRET.to_owned()),
        ("SUNDIAL_EGRESS_ALLOW".to_owned(), allow.to_owned()),
        ("SUNDIAL_WORKERS".to_owned(), "4".to_owned()),
        ("SUNDIAL_SHUTDOWN_GRACE_SECONDS".to_owned(), "2".to_owned()),
    ];
    env.extend(db.env());
    env
}

/// A task calling `url` with a secret header, retried up to 3 times 1 s apart if it fails.
fn task(code: &str, url: &str) -> Value {
    let mut task = api_task(code, "cron", json!({"cron": "0 0 1 1 *"}), url);
    task["task_config"]["headers"] = json!({"Authorization": BEARER});
    task["retry_policy"] = json!({"max_retries": 3, "retry_delay_seconds": 1});
    task
}

/// Runs `task` now and waits for the run to end; returns it with its log.
async fn run_to_end(node: &Node, token: &str, task: &str) -> Value {
    let (status, run) = node
        .call_as(token, Method::POST, &format!("/{task}/run"), None)
        .await;
    assert_eq!(status, 202, "{run}");
    let path = format!("/runs/{}", run["uuid"].as_str().unwrap());
    poll("the run to end", Duration::from_secs(30), || async {
        let (_, run) = node.call_as(token, Method::GET, &path, None).await;
        ["succeeded", "failed", "timed_out", "cancelled"]
            .contains(&run["status"].as_str().unwrap_or_default())
    })
    .await;
    node.call_as(token, Method::GET, &path, None).await.1
}

async fn metrics(node: &Node) -> String {
    let response = reqwest::get(format!("{}/metrics", node.base))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

#[track_caller]
fn assert_counter(text: &str, line: &str) {
    assert!(text.lines().any(|l| l == line), "no `{line}` in:\n{text}");
}

/// A refused run: failed at its first attempt, not retried, with the policy's reason.
#[track_caller]
fn assert_refused(run: &Value, reason: &str) {
    assert_eq!(run["status"], "failed", "{run:#}");
    assert_eq!(run["attempt"], 1, "not retried: {run:#}");
    assert_eq!(run["max_attempts"], 4);
    let error = run["error"].as_str().unwrap();
    assert!(
        error.starts_with("blocked by egress policy: ") && error.contains(reason),
        "{error}"
    );
    let log: Vec<&str> = run["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["line"].as_str().unwrap())
        .collect();
    assert!(log.iter().any(|l| l.contains(error)), "{log:#?}");
    assert!(
        !run.to_string().contains("e2e-secret-value"),
        "the secret header stays out of the run: {run:#}"
    );
}

async fn scenario(db: TestDb) {
    let target = Target::start().await;
    let data = tempfile::tempdir().unwrap();
    let mut node = Node::start(
        data.path(),
        &env(&db, &format!("127.0.0.1/32:{}", target.port)),
    )
    .await;
    let admin = node.token.clone();
    let other = node.token(&["--tenant", "2"]).await;

    // Tenant 1 narrows its own egress to a port nothing of it targets.
    let elsewhere = format!("127.0.0.1/32:{}", free_port());
    let settings = reqwest::Client::new()
        .put(format!("{}{SETTINGS}", node.base))
        .bearer_auth(&admin)
        .json(&json!({"egress_allow": [elsewhere]}))
        .send()
        .await
        .unwrap();
    assert_eq!(settings.status(), 200);

    // The deployment opens the target, so both tenants may save the task.
    let narrowed = node.create(task("narrowed", &target.url("/hook"))).await;
    let (status, created) = node
        .call_as(
            &other,
            Method::POST,
            "/",
            Some(task("open", &target.url("/hook"))),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["task_config"]["headers"]["authorization"], "••••42");
    let open = created["uuid"].as_str().unwrap().to_owned();

    // Tenant 2 has no list of its own: the deployment policy lets its run through.
    let reached = run_to_end(&node, &other, &open).await;
    assert_eq!(reached["status"], "succeeded", "{reached:#}");
    assert_eq!(target.connections(), 1);
    let log = reached["logs"].to_string();
    assert!(log.contains("authorization: ••••42"), "{log}");

    // Tenant 1's list refuses the same destination, before any connection.
    let refused = run_to_end(&node, &admin, &narrowed).await;
    assert_refused(&refused, "is not in tenant 1's allow-list");
    assert_eq!(target.connections(), 1, "the refused run never connected");
    let text = metrics(&node).await;
    assert_counter(&text, "sundial_egress_refused_total{reason=\"tenant\"} 1");
    assert_counter(&text, "sundial_egress_refused_total{reason=\"address\"} 0");
    assert_counter(&text, "sundial_attempts_total{outcome=\"refused\"} 1");
    assert_counter(&text, "sundial_attempts_total{outcome=\"succeeded\"} 1");
    assert!(!text.contains("tenant_id"), "{text}");
    // Both runs started, well within a minute of their scheduled time.
    assert_counter(&text, "sundial_schedule_lag_seconds_bucket{le=\"60\"} 2");
    assert_counter(&text, "sundial_schedule_lag_seconds_count 2");
    assert_counter(
        &text,
        "sundial_attempt_duration_seconds_count{outcome=\"refused\"} 1",
    );
    assert_counter(&text, "sundial_attempts_running 0");
    assert!(text.contains("\nprocess_open_fds "), "{text}");
    assert_counter(
        &text,
        &format!(
            "sundial_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        ),
    );
    assert_counter(
        &text,
        &format!("sundial_http_requests_total{{route=\"{SETTINGS}\",status_class=\"2xx\"}} 1"),
    );

    // The operator narrows the deployment under the saved tasks: now the loopback port is
    // refused for every tenant, at execution.
    node.terminate().await;
    let other_port = format!("127.0.0.1/32:{}", free_port());
    let mut node = Node::start(data.path(), &env(&db, &other_port)).await;
    let refused = run_to_end(&node, &other, &open).await;
    assert_refused(&refused, "127.0.0.1 is loopback (127.0.0.0/8)");
    assert_eq!(target.connections(), 1, "the refused run never connected");
    let text = metrics(&node).await;
    assert_counter(&text, "sundial_egress_refused_total{reason=\"address\"} 1");
    assert_counter(&text, "sundial_attempts_total{outcome=\"refused\"} 1");
    // Saving that URL again is refused up front.
    let (status, body) = node
        .call_as(
            &other,
            Method::POST,
            "/",
            Some(task("again", &target.url("/hook"))),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "task_config.url");
    node.terminate().await;
}

async fn refused_runs_fail_once_without_connecting_and_are_counted(db: TestDb) {
    scenario(db).await;
}

/// An internal HTTPS target on 127.0.0.2 whose certificate only the test CA vouches for;
/// counts the requests it answered (a refused handshake is none).
async fn internal_https_target() -> (u16, Arc<AtomicUsize>) {
    let acceptor = tls_acceptor();
    let listener = tokio::net::TcpListener::bind("127.0.0.2:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let acceptor = acceptor.clone();
            let counter = counter.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let mut buf = vec![0; 8192];
                let mut head = Vec::new();
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = tls
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                    )
                    .await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (port, requests)
}

#[tokio::test]
async fn an_operator_ca_bundle_lets_runs_reach_an_internal_https_target() {
    let (port, requests) = internal_https_target().await;
    let data = tempfile::tempdir().unwrap();
    let ca = data.path().join("internal-ca.pem");
    std::fs::write(&ca, TEST_CA).unwrap();
    let allow = format!("127.0.0.2/32:{port}");
    let url = format!("https://127.0.0.2:{port}/internal");

    // Without the bundle, the target's certificate is not trusted.
    let mut node = Node::start(data.path(), &env(&TestDb::sqlite(), &allow)).await;
    let admin = node.token.clone();
    let mut untrusted = task("internal", &url);
    untrusted["retry_policy"] = json!({"max_retries": 0});
    let internal = node.create(untrusted).await;
    let run = run_to_end(&node, &admin, &internal).await;
    assert_eq!(run["status"], "failed", "{run:#}");
    assert_eq!(requests.load(Ordering::SeqCst), 0);
    node.terminate().await;

    // With it, the same task reaches the target.
    let mut with_ca = env(&TestDb::sqlite(), &allow);
    with_ca.push((
        "SUNDIAL_EGRESS_CA_FILE".to_owned(),
        ca.to_str().unwrap().to_owned(),
    ));
    let mut node = Node::start(data.path(), &with_ca).await;
    let run = run_to_end(&node, &admin, &internal).await;
    assert_eq!(run["status"], "succeeded", "{run:#}");
    assert_eq!(requests.load(Ordering::SeqCst), 1);

    // Trusting a CA opens no address: loopback outside the allow-list is still refused.
    let (status, refused) = node
        .call_as(
            &admin,
            Method::POST,
            "/",
            Some(task("elsewhere", &format!("https://127.0.0.3:{port}/"))),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    node.terminate().await;

    let mut bad = env(&TestDb::sqlite(), &allow);
    bad.push((
        "SUNDIAL_EGRESS_CA_FILE".to_owned(),
        data.path().join("sundial.db").to_str().unwrap().to_owned(),
    ));
    let output = tokio::process::Command::new(common::BIN)
        .arg("serve")
        .env_clear()
        .env("SUNDIAL_DATA_DIR", data.path())
        .envs(bad.iter().map(|(k, v)| (k, v)))
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("SUNDIAL_EGRESS_CA_FILE"), "{stderr}");
}

on_both_databases!(refused_runs_fail_once_without_connecting_and_are_counted,);
