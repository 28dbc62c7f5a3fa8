//! Run logs: the bounded views (`/{uuid}/logs`, `/runs/{run_uuid}`) and the paged whole log
//! (`/runs/{run_uuid}/logs`), whatever a run stored.

use std::sync::atomic::{AtomicI64, Ordering};

use domain::{Run, RunStatus, RunTrigger, RunUuid, TaskUuid, TenantId};
use reqwest::Method;
use serde_json::{Value, json};
use store::on_both_databases;

use crate::helpers::{TestApp, cron_task};

const A: i64 = 1;
const B: i64 = 2;
/// No response may be larger, whatever was stored.
const FIVE_MB: usize = 5_000_000;

/// Records a finished run of `task` for `tenant` with `lines` lines of attempt 1, numbered from
/// 1, each `prefix` followed by its number; returns the run's uuid.
async fn run_with_lines(
    app: &TestApp,
    tenant: i64,
    task: &Value,
    lines: u32,
    prefix: &str,
) -> String {
    // Each run its own occurrence: a task has one run per scheduled instant.
    static OCCURRENCE: AtomicI64 = AtomicI64::new(0);
    let at: jiff::Timestamp = "2026-01-15T16:00:00Z".parse().unwrap();
    let at = at + jiff::SignedDuration::from_secs(OCCURRENCE.fetch_add(1, Ordering::Relaxed));
    let run = Run {
        uuid: RunUuid::new_v7(),
        task_uuid: TaskUuid(task["uuid"].as_str().unwrap().parse().unwrap()),
        task_version: 1,
        trigger: RunTrigger::Schedule,
        scheduled_for: at,
        occurrences: 1,
        status: RunStatus::Succeeded,
        skip_reason: None,
        attempt: 1,
        max_attempts: 4,
        rescues: 0,
        requeues: 0,
        queued_at: at,
        started_at: Some(at),
        finished_at: Some(at),
        duration_ms: Some(12),
        result: None,
        error: None,
        logs_pruned_at: None,
        args: None,
        parent: None,
        next_attempt_at: None,
    };
    app.support
        .insert_run_for_tests(TenantId::new(tenant).unwrap(), &run)
        .await
        .unwrap();
    if lines > 0 {
        // The newest run is this one; one statement writes the whole log, as a flood would.
        app.support
            .execute_sql_for_tests(&format!(
                "INSERT INTO task_run_logs (run_id, attempt, seq, ts, stream, line) \
                 SELECT (SELECT MAX(id) FROM task_runs), 1, c.i, 1768492800000, 'stdout', \
                        '{prefix}' || c.i \
                 FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n \
                       WHERE i < {lines}) SELECT i FROM n) c"
            ))
            .await
            .unwrap();
    }
    run.uuid.to_string()
}

fn texts(lines: &Value) -> Vec<String> {
    lines
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["line"].as_str().unwrap().to_owned())
        .collect()
}

fn size(body: &Value) -> usize {
    serde_json::to_vec(body).unwrap().len()
}

async fn a_runs_whole_log_is_paged_in_order_by_cursor(app: TestApp) {
    let task = app.create(A, cron_task("paged")).await;
    let run = run_with_lines(&app, A, &task, 2_500, "line ").await;
    let mut after = json!(null);
    let mut read = Vec::new();
    let mut pages = Vec::new();
    loop {
        let path = match after.as_i64() {
            None => format!("/runs/{run}/logs"),
            Some(after) => format!("/runs/{run}/logs?after_seq={after}"),
        };
        let page = app.call(A, Method::GET, &path, None).await.expect(200);
        assert_eq!(page["run_uuid"], run.as_str());
        assert_eq!(page["status"], "succeeded");
        pages.push((
            page["lines"].as_array().unwrap().len(),
            page["has_more"].clone(),
        ));
        read.extend(texts(&page["lines"]));
        let next = page["next_after_seq"].as_i64().unwrap();
        assert!(after.as_i64().is_none_or(|a| next > a), "{page:#}");
        after = json!(next);
        if page["has_more"] == false {
            break;
        }
    }
    assert_eq!(
        pages,
        [
            (1000, json!(true)),
            (1000, json!(true)),
            (500, json!(false))
        ]
    );
    let expected: Vec<String> = (1..=2_500).map(|i| format!("line {i}")).collect();
    assert_eq!(read, expected);
    assert_eq!(
        app.call(
            A,
            Method::GET,
            &format!("/runs/{run}/logs?after_seq={after}"),
            None
        )
        .await
        .expect(200)
        .get("lines"),
        Some(&json!([])),
        "polling at the end finds nothing new"
    );
    let again = app
        .call(
            A,
            Method::GET,
            &format!("/runs/{run}/logs?after_seq={after}"),
            None,
        )
        .await
        .expect(200);
    assert_eq!(
        again["next_after_seq"], after,
        "an empty page keeps the cursor"
    );
    let small = app
        .call(A, Method::GET, &format!("/runs/{run}/logs?limit=3"), None)
        .await
        .expect(200);
    assert_eq!(texts(&small["lines"]), ["line 1", "line 2", "line 3"]);
    assert_eq!(
        small["lines"][0],
        json!({"attempt": 1, "seq": 1, "ts": "2026-01-15T16:00:00Z", "stream": "stdout", "line": "line 1"})
    );
    // A run without any line answers an empty page.
    let quiet = run_with_lines(&app, A, &task, 0, "").await;
    let empty = app
        .call(A, Method::GET, &format!("/runs/{quiet}/logs"), None)
        .await
        .expect(200);
    assert_eq!(
        (
            empty["lines"].clone(),
            empty["next_after_seq"].clone(),
            empty["has_more"].clone()
        ),
        (json!([]), json!(0), json!(false))
    );
}

async fn bounded_views_carry_the_newest_200_lines_and_say_so(app: TestApp) {
    let task = app.create(A, cron_task("tail")).await;
    let uuid = task["uuid"].as_str().unwrap();
    let short = run_with_lines(&app, A, &task, 2, "short ").await;
    let long = run_with_lines(&app, A, &task, 2_500, "line ").await;
    let newest: Vec<String> = (2_301..=2_500).map(|i| format!("line {i}")).collect();

    let detail = app
        .call(A, Method::GET, &format!("/runs/{long}"), None)
        .await
        .expect(200);
    assert_eq!(texts(&detail["logs"]), newest);
    assert_eq!(detail["logs_truncated"], true);
    let whole = app
        .call(A, Method::GET, &format!("/runs/{short}"), None)
        .await
        .expect(200);
    assert_eq!(texts(&whole["logs"]), ["short 1", "short 2"]);
    assert_eq!(whole["logs_truncated"], false);

    let page = app
        .call(A, Method::GET, &format!("/{uuid}/logs"), None)
        .await
        .expect(200);
    assert_eq!(page["total"], 2);
    // Newest run first, as before; each with its newest lines.
    let by_uuid = |u: &str| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["uuid"] == u)
            .unwrap()
            .clone()
    };
    assert_eq!(texts(&by_uuid(&long)["logs"]), newest);
    assert_eq!(by_uuid(&long)["logs_truncated"], true);
    assert_eq!(texts(&by_uuid(&short)["logs"]), ["short 1", "short 2"]);
    assert_eq!(by_uuid(&short)["logs_truncated"], false);
    // Run lists without logs say nothing about them.
    let runs = app
        .call(A, Method::GET, &format!("/{uuid}/runs"), None)
        .await
        .expect(200);
    assert!(runs["items"][0].get("logs").is_none());
    assert!(runs["items"][0].get("logs_truncated").is_none());
}

async fn huge_stored_logs_are_served_within_five_megabytes(app: TestApp) {
    let task = app.create(A, cron_task("bombs")).await;
    let uuid = task["uuid"].as_str().unwrap();
    // Lines that double in JSON: what a log stored before the caps could hold, many times.
    let quotes = "\"".repeat(500);
    let mut runs = Vec::new();
    for _ in 0..2 {
        runs.push(run_with_lines(&app, A, &task, 10_000, &quotes).await);
    }
    let page = app
        .call(A, Method::GET, &format!("/{uuid}/logs?page_size=100"), None)
        .await
        .expect(200);
    assert!(size(&page) < FIVE_MB, "{}", size(&page));
    for run in page["items"].as_array().unwrap() {
        assert!(run["logs"].as_array().unwrap().len() <= 200);
        assert_eq!(run["logs_truncated"], true);
    }
    let detail = app
        .call(A, Method::GET, &format!("/runs/{}", runs[0]), None)
        .await
        .expect(200);
    assert!(size(&detail) < FIVE_MB, "{}", size(&detail));
    assert_eq!(detail["logs"].as_array().unwrap().len(), 200);
    // The largest page: cut short of the budget, and the next one goes on where it stopped.
    let first = app
        .call(
            A,
            Method::GET,
            &format!("/runs/{}/logs?limit=10000", runs[0]),
            None,
        )
        .await
        .expect(200);
    assert!(size(&first) < FIVE_MB, "{}", size(&first));
    assert_eq!(first["has_more"], true);
    let got = first["lines"].as_array().unwrap().len();
    assert!(got > 1_000 && got < 10_000, "{got}");
    let next = app
        .call(
            A,
            Method::GET,
            &format!(
                "/runs/{}/logs?limit=10&after_seq={}",
                runs[0], first["next_after_seq"]
            ),
            None,
        )
        .await
        .expect(200);
    assert_eq!(next["lines"][0]["seq"], got + 1);
}

async fn pages_of_runs_with_large_results_and_arguments_stay_within_five_megabytes(app: TestApp) {
    let task = app.create(A, cron_task("results")).await;
    let uuid = task["uuid"].as_str().unwrap();
    let mut runs = Vec::new();
    for _ in 0..100 {
        runs.push(run_with_lines(&app, A, &task, 1, "x").await);
    }
    // The largest result a python run can have (64 KiB), on every run of a full page.
    let result = json!({"blob": "r".repeat(64 * 1024 - 16)}).to_string();
    // And the largest arguments a run can be started with (64 KiB).
    let args = json!({"blob": "a".repeat(64 * 1024 - 16)}).to_string();
    app.support
        .execute_sql_for_tests(&format!(
            "UPDATE task_runs SET result = '{result}', args = '{args}'"
        ))
        .await
        .unwrap();
    for path in [
        format!("/{uuid}/runs?page_size=100"),
        format!("/{uuid}/logs?page_size=100"),
    ] {
        let page = app.call(A, Method::GET, &path, None).await.expect(200);
        assert!(size(&page) < FIVE_MB, "{path}: {}", size(&page));
        let items = page["items"].as_array().unwrap();
        assert_eq!(items.len(), 100, "{path}");
        // The newest runs keep their results; the older ones say theirs was left out.
        assert!(items[0]["result"]["blob"].is_string(), "{path}");
        assert!(items[0].get("result_omitted").is_none(), "{path}");
        assert!(items[0]["args"]["blob"].is_string(), "{path}");
        assert!(items[0].get("args_omitted").is_none(), "{path}");
        let last = &items[99];
        assert_eq!(last["result"], Value::Null, "{path}");
        assert_eq!(last["result_omitted"], true, "{path}");
        assert_eq!(last["args"], Value::Null, "{path}");
        assert_eq!(last["args_omitted"], true, "{path}");
    }
    // One run by itself has its result.
    let detail = app
        .call(A, Method::GET, &format!("/runs/{}", runs[0]), None)
        .await
        .expect(200);
    assert!(detail["result"]["blob"].is_string());
    assert!(detail["args"]["blob"].is_string());
}

async fn another_tenants_run_log_is_a_404_like_a_missing_one(app: TestApp) {
    let task = app.create(B, cron_task("theirs")).await;
    let run = run_with_lines(&app, B, &task, 5, "secret ").await;
    let theirs = app
        .call(A, Method::GET, &format!("/runs/{run}/logs"), None)
        .await;
    let missing = app
        .call(
            A,
            Method::GET,
            &format!("/runs/{}/logs", uuid::Uuid::now_v7()),
            None,
        )
        .await;
    assert_eq!(theirs.body, missing.body);
    theirs.problem(404, "not_found");
    app.call(A, Method::GET, "/runs/not-a-uuid/logs", None)
        .await
        .problem(404, "not_found");
    let own = app
        .call(B, Method::GET, &format!("/runs/{run}/logs"), None)
        .await
        .expect(200);
    assert_eq!(own["lines"].as_array().unwrap().len(), 5);
}

async fn bad_log_page_parameters_are_a_400_naming_them(app: TestApp) {
    let task = app.create(A, cron_task("params")).await;
    let run = run_with_lines(&app, A, &task, 1, "x").await;
    for (query, field, params) in [
        ("after_seq=-1", "after_seq", json!({"min": 0})),
        ("after_seq=abc", "after_seq", json!({"min": 0})),
        ("after_seq=1.5", "after_seq", json!({"min": 0})),
        ("limit=0", "limit", json!({"min": 1, "max": 10000})),
        ("limit=10001", "limit", json!({"min": 1, "max": 10000})),
        ("limit=ten", "limit", json!({"min": 1, "max": 10000})),
    ] {
        let reply = app
            .call(A, Method::GET, &format!("/runs/{run}/logs?{query}"), None)
            .await;
        let body = reply.problem(400, "invalid_query");
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body:#}");
        assert_eq!(
            body["errors"][0]["code"], "out_of_range",
            "{query}: {body:#}"
        );
        for (key, value) in params.as_object().unwrap() {
            assert_eq!(&body["errors"][0][key], value, "{query}: {body:#}");
        }
    }
    let both = app
        .call(
            A,
            Method::GET,
            &format!("/runs/{run}/logs?after_seq=-5&limit=0"),
            None,
        )
        .await;
    assert_eq!(both.fields(), ["after_seq", "limit"]);
    both.problem(400, "invalid_query");
    // The largest page is allowed.
    app.call(
        A,
        Method::GET,
        &format!("/runs/{run}/logs?limit=10000&after_seq=0"),
        None,
    )
    .await
    .expect(200);
}

on_both_databases!(
    a_runs_whole_log_is_paged_in_order_by_cursor,
    bounded_views_carry_the_newest_200_lines_and_say_so,
    huge_stored_logs_are_served_within_five_megabytes,
    pages_of_runs_with_large_results_and_arguments_stay_within_five_megabytes,
    another_tenants_run_log_is_a_404_like_a_missing_one,
    bad_log_page_parameters_are_a_400_naming_them,
);
