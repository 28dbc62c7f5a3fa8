//! The real binary: first start on SQLite, generated secret and console link, tokens, restarts,
//! PostgreSQL, and refusing a weak secret.

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use tokio::process::Command;

mod common;
use common::{BIN, Node, TestDb, poll};

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn task(code: &str) -> Value {
    json!({"name": code, "code": code, "type": "api_call", "trigger_type": "cron",
           "trigger_config": {"cron": "*/5 * * * *"}, "task_config": {"url": "https://example.com/"}})
}

#[tokio::test]
async fn first_start_generates_a_secret_and_prints_a_working_console_link() {
    let data = tempfile::tempdir().unwrap();
    let mut server = Node::start(data.path(), &[]).await;
    let has_link = |lines: Vec<String>| lines.into_iter().find(|l| l.contains("#token="));
    poll("the console link", Duration::from_secs(10), || async {
        has_link(server.printed()).is_some()
    })
    .await;
    let link = has_link(server.printed()).expect("a console link is printed");
    let console_token = link.split("#token=").nth(1).unwrap().trim().to_owned();
    assert!(link.contains(&format!("{}/#token=", server.base)), "{link}");
    let secret = data.path().join("jwt-secret");
    assert_eq!(
        std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(data.path().join("sundial.db").exists());

    let (status, created) = server
        .call_as(&console_token, Method::POST, "/", Some(task("first")))
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["tenant_id"], 1);

    let viewer = server
        .token(&["--tenant", "1", "--role", "viewer", "--ttl", "10m"])
        .await;
    assert_eq!(
        server.call_as(&viewer, Method::GET, "/list", None).await.1["total"],
        1
    );
    assert_eq!(
        server
            .call_as(&viewer, Method::POST, "/", Some(task("second")))
            .await
            .0,
        403
    );
    let other = server.token(&["--tenant", "7"]).await;
    assert_eq!(
        server.call_as(&other, Method::GET, "/list", None).await.1["total"],
        0
    );
    server.kill9().await;

    // The generated secret and the data survive a restart: the old token still works.
    let mut server = Node::start(data.path(), &[]).await;
    let (status, list) = server
        .call_as(&console_token, Method::GET, "/list", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["items"][0]["code"], "first");
    server.kill9().await;
}

#[tokio::test]
async fn a_configured_secret_prints_no_link_and_a_weak_one_is_refused() {
    let data = tempfile::tempdir().unwrap();
    let secret = env(&[(
        "SUNDIAL_JWT_SECRET",
        "0123456789abcdef0123456789abcdef-strong",
    )]);
    let mut server = Node::start(data.path(), &secret).await;
    assert!(!data.path().join("jwt-secret").exists());
    let admin = server.token(&["--tenant", "3"]).await;
    assert_eq!(
        server
            .call_as(&admin, Method::POST, "/", Some(task("x")))
            .await
            .0,
        201
    );
    server.kill9().await;
    let printed = server.printed_until_exit().await;
    assert!(
        !printed.iter().any(|l| l.contains("#token=")),
        "{printed:?}"
    );

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
    let data = tempfile::tempdir().unwrap();
    let mut env = TestDb::postgres().await.env();
    env.extend(self::env(&[(
        "SUNDIAL_JWT_SECRET",
        "0123456789abcdef0123456789abcdef-pg",
    )]));

    let mut server = Node::start(data.path(), &env).await;
    let admin_token = server.token.clone();
    assert_eq!(
        server
            .call_as(&admin_token, Method::POST, "/", Some(task("pg")))
            .await
            .0,
        201
    );
    server.kill9().await;
    assert!(
        !data.path().join("sundial.db").exists(),
        "no SQLite file when PostgreSQL is configured"
    );

    let mut server = Node::start(data.path(), &env).await;
    let (_, list) = server
        .call_as(&admin_token, Method::GET, "/list", None)
        .await;
    assert_eq!(list["items"][0]["code"], "pg");
    server.kill9().await;
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
