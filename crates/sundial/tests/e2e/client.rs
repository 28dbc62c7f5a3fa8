//! `sundial tasks …`, the command-line client, against a real server: apply a file, list, get,
//! export, run with the log followed, read logs, and a refused file.

use std::process::Output;

use reqwest::Method;
use serde_json::{Value, json};
use tokio::process::Command;

use crate::common;
use common::{BIN, Node, Sink, TestDb, api_task, engine_env};

/// Runs `sundial tasks ARGS` against `node` as its tenant-1 admin, from a clean environment.
async fn tasks(node: &Node, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("tasks")
        .args(args)
        .env_clear()
        .env("SUNDIAL_SERVER", &node.base)
        .env("SUNDIAL_TOKEN", &node.token)
        .output()
        .await
        .expect("run sundial tasks")
}

/// stdout of a command that must succeed.
#[track_caller]
fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{:?}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[tokio::test]
async fn the_client_applies_lists_exports_runs_and_follows_a_log() {
    let sink = Sink::start().await;
    let data = tempfile::tempdir().unwrap();
    let node = Node::start(data.path(), &engine_env(&TestDb::sqlite(), &sink)).await;
    let daily = api_task(
        "daily",
        "cron",
        json!({"cron": "0 9 * * *"}),
        &sink.url("/daily"),
    );
    let hourly = api_task(
        "hourly",
        "cron",
        json!({"cron": "0 * * * *"}),
        &sink.url("/hourly"),
    );
    let file = data.path().join("tasks.json");
    std::fs::write(&file, json!({"tasks": [daily, hourly]}).to_string()).unwrap();
    let file = file.to_str().unwrap();

    let applied = ok(&tasks(&node, &["apply", "-f", file]).await);
    let lines: Vec<&str> = applied.lines().collect();
    assert_eq!(lines.len(), 3, "{applied}");
    assert!(lines[0].starts_with("created\tdaily\t"), "{applied}");
    assert!(lines[1].starts_with("created\thourly\t"), "{applied}");
    assert_eq!(lines[2], "2 created, 0 updated, 0 unchanged, 0 deleted");
    let again = ok(&tasks(&node, &["apply", "--file", file]).await);
    assert!(
        again.ends_with("0 created, 0 updated, 2 unchanged, 0 deleted\n"),
        "{again}"
    );

    let listed = ok(&tasks(&node, &["list"]).await);
    let codes: Vec<&str> = listed
        .lines()
        .map(|l| l.split('\t').nth(1).unwrap())
        .collect();
    assert_eq!(codes, ["daily", "hourly"]);
    assert!(listed.lines().all(|l| l.contains("\tactive\t")), "{listed}");

    let got: Value = serde_json::from_str(&ok(&tasks(&node, &["get", "daily"]).await)).unwrap();
    assert_eq!(got["code"], "daily");
    let uuid = got["uuid"].as_str().unwrap().to_owned();
    let by_uuid: Value = serde_json::from_str(&ok(&tasks(&node, &["get", &uuid]).await)).unwrap();
    assert_eq!(by_uuid["code"], "daily");

    // The export is the server's, and applies back unchanged.
    let exported: Value = serde_json::from_str(&ok(&tasks(&node, &["export"]).await)).unwrap();
    assert_eq!(exported, node.ok(Method::GET, "/export", None, 200).await);
    let copy = data.path().join("export.json");
    let copy = copy.to_str().unwrap();
    ok(&tasks(&node, &["export", "--code", "hourly", "-o", copy]).await);
    let only: Value = serde_json::from_str(&std::fs::read_to_string(copy).unwrap()).unwrap();
    assert_eq!(only["tasks"].as_array().unwrap().len(), 1);
    let dry = ok(&tasks(&node, &["apply", "-f", copy, "--prune", "--dry-run"]).await);
    assert!(dry.contains("deleted\tdaily\t"), "{dry}");
    assert!(
        dry.ends_with("dry run: 0 created, 0 updated, 1 unchanged, 1 deleted\n"),
        "{dry}"
    );

    // Run now, following the log until the run ends.
    let followed = ok(&tasks(&node, &["run", "daily", "--follow"]).await);
    let mut lines = followed.lines();
    let run = lines.next().unwrap().to_owned();
    let log: Vec<&str> = lines.collect();
    assert!(!log.is_empty(), "{followed}");
    assert_eq!(node.run(&run).await["status"], "succeeded");
    assert_eq!(sink.hits_on("/daily").len(), 1);
    let logs = ok(&tasks(&node, &["logs", "daily"]).await);
    assert_eq!(logs.lines().collect::<Vec<_>>(), log);
    let by_run = ok(&tasks(&node, &["logs", "--run", &run]).await);
    assert_eq!(by_run, logs);

    // A refused file: the server's problem, every field, and a failing exit.
    std::fs::write(
        data.path().join("bad.json"),
        json!({"tasks": [{"name": "", "code": "bad"}]}).to_string(),
    )
    .unwrap();
    let refused = tasks(
        &node,
        &[
            "apply",
            "-f",
            data.path().join("bad.json").to_str().unwrap(),
        ],
    )
    .await;
    assert!(!refused.status.success());
    let stderr = String::from_utf8(refused.stderr).unwrap();
    assert!(stderr.contains("422"), "{stderr}");
    assert!(stderr.contains("tasks[0].name"), "{stderr}");
    assert!(stderr.contains("tasks[0].trigger_type"), "{stderr}");
    let unknown = tasks(&node, &["get", "nothing-has-this-code"]).await;
    assert!(!unknown.status.success());
    let list = node.ok(Method::GET, "/list", None, 200).await;
    assert_eq!(list["total"], 2);
}
