//! Bounded storage and private files through the real binary: the data directory and the
//! SQLite files are owner-only, made so at a fresh start and fixed at the next start when
//! something opened them up; a tenant over its stored log budget loses its oldest runs' logs
//! (and only as many as needed) while its runs go on; a task keeps its newest versions.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use store::on_both_databases;

use crate::common;
use common::{Node, Sink, TestDb, api_task, engine_env, poll, ts};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

const PRIVATE_FILES: [&str; 4] = [
    "sundial.db",
    "sundial.db-wal",
    "sundial.db-shm",
    "jwt-secret",
];

#[tokio::test]
async fn the_data_directory_and_database_files_are_owner_only_and_fixed_at_start() {
    let root = tempfile::tempdir().unwrap();
    set_mode(root.path(), 0o755);
    let data = root.path().join("data");
    let mut node = Node::start(&data, &[]).await;
    let code = "private";
    node.create(
        json!({"name": code, "code": code, "type": "api_call", "trigger_type": "cron",
        "trigger_config": {"cron": "0 0 1 1 *"}, "task_config": {"url": "https://example.com/"}}),
    )
    .await;
    assert_eq!(mode(&data), 0o700, "a fresh data directory");
    for name in PRIVATE_FILES {
        assert_eq!(mode(&data.join(name)), 0o600, "fresh {name}");
    }

    // Opened up while stopped (an old version, a careless copy): fixed at the next start.
    assert!(node.terminate().await.success());
    set_mode(&data, 0o755);
    for name in PRIVATE_FILES {
        let path = data.join(name);
        if path.exists() {
            set_mode(&path, 0o644);
        }
    }
    let node = node.restart().await;
    assert_eq!(mode(&data), 0o700, "the data directory after a restart");
    for name in PRIVATE_FILES {
        let path = data.join(name);
        if path.exists() {
            assert_eq!(mode(&path), 0o600, "{name} after a restart");
        }
    }
    let (status, list) = node.call(Method::GET, "/list", None).await;
    assert_eq!((status, list["total"].clone()), (200, json!(1)), "{list}");
}

/// The budget the storage case runs with: a few runs' logs.
const BUDGET: u64 = 400;

/// Bytes a run's log counts for: each line's UTF-8 bytes and one for its line end.
fn log_bytes(run: &Value) -> u64 {
    run["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["line"].as_str().unwrap().len() as u64 + 1)
        .sum()
}

/// The runs of `task` with their logs, oldest first by their end.
async fn runs_with_logs(node: &Node, token: &str, task: &str) -> Vec<Value> {
    let (status, page) = node
        .call_as(
            token,
            Method::GET,
            &format!("/{task}/logs?page_size=100"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{page}");
    let mut runs = page["items"].as_array().unwrap().clone();
    runs.sort_by_key(|r| ts(&r["finished_at"]));
    runs
}

/// Runs `task` now, `n` times one after the other, each to its end.
async fn run_each(node: &Node, token: &str, task: &str, n: usize) {
    for _ in 0..n {
        let (status, run) = node
            .call_as(token, Method::POST, &format!("/{task}/run"), None)
            .await;
        assert_eq!(status, 202, "{run}");
        let uuid = run["uuid"].as_str().unwrap().to_owned();
        poll("the run to end", Duration::from_secs(15), || async {
            let (_, run) = node
                .call_as(token, Method::GET, &format!("/runs/{uuid}"), None)
                .await;
            run["finished_at"].is_string()
        })
        .await;
    }
}

async fn a_tenant_over_its_log_budget_loses_its_oldest_logs_and_nothing_else(db: TestDb) {
    let sink = Sink::start().await;
    let data = tempfile::tempdir().unwrap();
    let mut env = engine_env(&db, &sink);
    env.extend([
        (
            "SUNDIAL_TENANT_LOG_BUDGET_BYTES".to_owned(),
            BUDGET.to_string(),
        ),
        ("SUNDIAL_PRUNE_INTERVAL_SECONDS".to_owned(), "1".to_owned()),
        ("SUNDIAL_TASK_VERSIONS_KEPT".to_owned(), "3".to_owned()),
    ]);
    let node = Node::start(data.path(), &env).await;
    let rarely = json!({"cron": "0 0 1 1 *"});
    let chatty = node
        .create(api_task(
            "chatty",
            "cron",
            rarely.clone(),
            &sink.url("/chatty"),
        ))
        .await;
    let other_token = node.token(&["--tenant", "2"]).await;
    let (status, quiet) = node
        .call_as(
            &other_token,
            Method::POST,
            "/",
            Some(api_task("quiet", "cron", rarely, &sink.url("/quiet"))),
        )
        .await;
    assert_eq!(status, 201, "{quiet}");
    let quiet = quiet["uuid"].as_str().unwrap().to_owned();
    run_each(&node, &other_token, &quiet, 1).await;
    run_each(&node, &node.token, &chatty, 6).await;

    // Within a pass or two the tenant is back within its budget, its oldest logs gone.
    poll(
        "tenant 1 within its budget",
        Duration::from_secs(15),
        || async {
            let runs = runs_with_logs(&node, &node.token, &chatty).await;
            let kept: u64 = runs
                .iter()
                .filter(|r| r["logs_pruned_at"].is_null())
                .map(log_bytes)
                .sum();
            kept <= BUDGET
        },
    )
    .await;
    let runs = runs_with_logs(&node, &node.token, &chatty).await;
    assert_eq!(runs.len(), 6);
    assert!(
        runs.iter().all(|r| r["status"] == "succeeded"),
        "the budget fails no run: {runs:#?}"
    );
    let (pruned, kept): (Vec<&Value>, Vec<&Value>) =
        runs.iter().partition(|r| r["logs_pruned_at"].is_string());
    assert!(!pruned.is_empty() && !kept.is_empty(), "{runs:#?}");
    let newest_pruned = ts(&pruned.last().unwrap()["finished_at"]);
    assert!(
        kept.iter().all(|r| ts(&r["finished_at"]) > newest_pruned),
        "the oldest go first: {runs:#?}"
    );
    let kept_bytes: u64 = kept.iter().map(|r| log_bytes(r)).sum();
    for run in &pruned {
        let logs = run["logs"].as_array().unwrap();
        assert_eq!(logs.len(), 1, "{run:#}");
        assert_eq!(logs[0]["stream"], "system");
        let note = logs[0]["line"].as_str().unwrap();
        assert!(
            note.starts_with("log pruned at") && note.contains("SUNDIAL_TENANT_LOG_BUDGET_BYTES"),
            "{note}"
        );
    }
    // No more than needed: the newest pruned log would not have fit beside the kept ones.
    let note = pruned.last().unwrap()["logs"][0]["line"].as_str().unwrap();
    let newest_pruned_bytes: u64 = note
        .rsplit_once('(')
        .and_then(|(_, rest)| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the note names the bytes: {note}"));
    assert!(
        kept_bytes <= BUDGET && kept_bytes + newest_pruned_bytes > BUDGET,
        "kept {kept_bytes}, newest pruned {newest_pruned_bytes}"
    );

    // Tenant 2, within its own budget, keeps everything.
    let quiet_runs = runs_with_logs(&node, &other_token, &quiet).await;
    assert_eq!(quiet_runs.len(), 1);
    assert!(quiet_runs[0]["logs_pruned_at"].is_null());
    assert!(log_bytes(&quiet_runs[0]) > 0);

    // A task keeps its newest SUNDIAL_TASK_VERSIONS_KEPT versions.
    for i in 0..4 {
        node.ok(
            Method::PUT,
            &format!("/{chatty}"),
            Some(json!({"description": format!("edit {i}")})),
            200,
        )
        .await;
    }
    let versions = node
        .ok(Method::GET, &format!("/{chatty}/versions"), None, 200)
        .await;
    let numbers: Vec<i64> = versions["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(
        (versions["total"].clone(), numbers),
        (json!(3), vec![5, 4, 3])
    );
}

on_both_databases!(a_tenant_over_its_log_budget_loses_its_oldest_logs_and_nothing_else,);
