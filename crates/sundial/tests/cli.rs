//! The real binary: first start on SQLite, generated secret and console link, tokens, restarts,
//! PostgreSQL, and refusing a weak secret.

use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use sqlx::Connection;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_sundial");
const TASKS: &str = "/api/tree-root/scheduled-tasks";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
    base: String,
    /// Lines the server printed on stdout before it answered its first health check.
    stdout: Vec<String>,
}

impl Server {
    /// Starts `sundial serve` with these variables and waits until `/healthz` answers.
    async fn start(data_dir: &std::path::Path, env: &[(&str, &str)]) -> Server {
        let port = free_port();
        let mut command = Command::new(BIN);
        command
            .arg("serve")
            .env_clear()
            .env("SUNDIAL_DATA_DIR", data_dir)
            .env("SUNDIAL_LISTEN", format!("127.0.0.1:{port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        for (key, value) in env {
            command.env(key, value);
        }
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
                    _ = tokio::time::sleep(Duration::from_millis(50)) => {
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
        Server {
            child,
            base,
            stdout,
        }
    }

    async fn stop(mut self) {
        self.child.kill().await.unwrap();
    }
}

async fn token(data_dir: &std::path::Path, env: &[(&str, &str)], args: &[&str]) -> String {
    let output = Command::new(BIN)
        .arg("token")
        .args(args)
        .env_clear()
        .env("SUNDIAL_DATA_DIR", data_dir)
        .envs(env.iter().copied())
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

async fn call(
    base: &str,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{base}{TASKS}{path}"))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn task(code: &str) -> Value {
    json!({"name": code, "code": code, "type": "api_call", "trigger_type": "cron",
           "trigger_config": {"cron": "*/5 * * * *"}, "task_config": {"url": "https://example.com/"}})
}

#[tokio::test]
async fn first_start_generates_a_secret_and_prints_a_working_console_link() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), &[]).await;
    let link = server
        .stdout
        .iter()
        .find(|l| l.contains("#token="))
        .expect("a console link is printed");
    let console_token = link.split("#token=").nth(1).unwrap().trim().to_owned();
    assert!(link.contains(&format!("{}/#token=", server.base)), "{link}");
    let secret = data.path().join("jwt-secret");
    assert_eq!(
        std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(data.path().join("sundial.db").exists());

    let (status, created) = call(
        &server.base,
        &console_token,
        reqwest::Method::POST,
        "/",
        Some(task("first")),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["tenant_id"], 1);

    let viewer = token(
        data.path(),
        &[],
        &["--tenant", "1", "--role", "viewer", "--ttl", "10m"],
    )
    .await;
    assert_eq!(
        call(&server.base, &viewer, reqwest::Method::GET, "/list", None)
            .await
            .1["total"],
        1
    );
    assert_eq!(
        call(
            &server.base,
            &viewer,
            reqwest::Method::POST,
            "/",
            Some(task("second"))
        )
        .await
        .0,
        403
    );
    let other = token(data.path(), &[], &["--tenant", "7"]).await;
    assert_eq!(
        call(&server.base, &other, reqwest::Method::GET, "/list", None)
            .await
            .1["total"],
        0
    );
    server.stop().await;

    // The generated secret and the data survive a restart: the old token still works.
    let server = Server::start(data.path(), &[]).await;
    let (status, list) = call(
        &server.base,
        &console_token,
        reqwest::Method::GET,
        "/list",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(list["items"][0]["code"], "first");
    server.stop().await;
}

#[tokio::test]
async fn a_configured_secret_prints_no_link_and_a_weak_one_is_refused() {
    let data = tempfile::tempdir().unwrap();
    let secret = [(
        "SUNDIAL_JWT_SECRET",
        "0123456789abcdef0123456789abcdef-strong",
    )];
    let server = Server::start(data.path(), &secret).await;
    assert!(!server.stdout.iter().any(|l| l.contains("#token=")));
    assert!(!data.path().join("jwt-secret").exists());
    let admin = token(data.path(), &secret, &["--tenant", "3"]).await;
    assert_eq!(
        call(
            &server.base,
            &admin,
            reqwest::Method::POST,
            "/",
            Some(task("x"))
        )
        .await
        .0,
        201
    );
    server.stop().await;

    let output = Command::new(BIN)
        .arg("serve")
        .env_clear()
        .env("SUNDIAL_DATA_DIR", data.path())
        .env("SUNDIAL_JWT_SECRET", "short")
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("at least 32 bytes"));
}

#[tokio::test]
async fn serves_from_postgresql_and_keeps_tasks_across_restarts() {
    let admin = std::env::var("SUNDIAL_TEST_DATABASE_URL").expect(
        "SUNDIAL_TEST_DATABASE_URL must point at a PostgreSQL server (scripts/test starts one)",
    );
    let name = format!("sundial_cli_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    let data = tempfile::tempdir().unwrap();
    let env = [
        ("SUNDIAL_DATABASE_URL", url.as_str()),
        ("SUNDIAL_JWT_SECRET", "0123456789abcdef0123456789abcdef-pg"),
    ];

    let server = Server::start(data.path(), &env).await;
    let admin_token = token(data.path(), &env, &["--tenant", "1"]).await;
    assert_eq!(
        call(
            &server.base,
            &admin_token,
            reqwest::Method::POST,
            "/",
            Some(task("pg"))
        )
        .await
        .0,
        201
    );
    server.stop().await;
    assert!(
        !data.path().join("sundial.db").exists(),
        "no SQLite file when PostgreSQL is configured"
    );

    let server = Server::start(data.path(), &env).await;
    let (_, list) = call(
        &server.base,
        &admin_token,
        reqwest::Method::GET,
        "/list",
        None,
    )
    .await;
    assert_eq!(list["items"][0]["code"], "pg");
    server.stop().await;
}

#[tokio::test]
async fn openapi_prints_the_document() {
    let output = Command::new(BIN)
        .arg("openapi")
        .env_clear()
        .output()
        .await
        .unwrap();
    assert!(output.status.success());
    let doc: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        doc["paths"]
            .as_object()
            .unwrap()
            .contains_key("/api/tree-root/scheduled-tasks/list")
    );
}
