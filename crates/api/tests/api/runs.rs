//! Run now and cancel; when a retrying run's next attempt is due.

use domain::{Role, Run, RunStatus, RunTrigger, RunUuid, TaskUuid, TenantId};
use jiff::{SignedDuration, Timestamp};
use reqwest::Method;
use serde_json::{Value, json};

use store::on_both_databases;

use crate::helpers::{TestApp, cron_task};

const A: i64 = 1;
const B: i64 = 2;

async fn run_now_queues_a_manual_run_visible_in_the_runs(app: TestApp) {
    let task = app.create(A, cron_task("now")).await;
    let uuid = task["uuid"].as_str().unwrap();
    let run = app
        .call(A, Method::POST, &format!("/{uuid}/run"), None)
        .await
        .expect(202);
    assert_eq!(run["trigger"], "manual");
    assert_eq!(run["status"], "queued");
    assert_eq!(run["attempt"], 1);
    assert_eq!(run["max_attempts"], 4);
    assert_eq!(run["task_uuid"], uuid);
    let runs = app
        .call(A, Method::GET, &format!("/{uuid}/runs"), None)
        .await
        .expect(200);
    assert_eq!(runs["total"], 1);
    assert_eq!(runs["items"][0]["uuid"], run["uuid"]);
    let versions = app
        .call(A, Method::GET, &format!("/{uuid}/versions"), None)
        .await
        .expect(200);
    assert_eq!(
        versions["total"], 1,
        "a run is not a new version of the task"
    );
}

async fn cancel_ends_a_queued_run_and_leaves_a_finished_one(app: TestApp) {
    let task = app.create(A, cron_task("cancel")).await;
    let uuid = task["uuid"].as_str().unwrap();
    let run = app
        .call(A, Method::POST, &format!("/{uuid}/run"), None)
        .await
        .expect(202);
    let run_uuid = run["uuid"].as_str().unwrap();
    let cancelled = app
        .call(A, Method::POST, &format!("/runs/{run_uuid}/cancel"), None)
        .await
        .expect(200);
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["uuid"], run_uuid);
    let again = app
        .call(A, Method::POST, &format!("/runs/{run_uuid}/cancel"), None)
        .await
        .expect(200);
    assert_eq!(again, cancelled);
}

async fn another_tenants_task_and_run_are_404s(app: TestApp) {
    let theirs = app.create(B, cron_task("theirs")).await;
    let uuid = theirs["uuid"].as_str().unwrap();
    app.call(A, Method::POST, &format!("/{uuid}/run"), None)
        .await
        .problem(404, "not_found");
    let run = app
        .call(B, Method::POST, &format!("/{uuid}/run"), None)
        .await
        .expect(202);
    let run_uuid = run["uuid"].as_str().unwrap();
    app.call(A, Method::POST, &format!("/runs/{run_uuid}/cancel"), None)
        .await
        .problem(404, "not_found");
    app.call(A, Method::POST, "/runs/not-a-uuid/cancel", None)
        .await
        .problem(404, "not_found");
    let still = app
        .call(B, Method::GET, &format!("/runs/{run_uuid}"), None)
        .await
        .expect(200);
    assert_eq!(still["status"], "queued", "unchanged");
}

async fn viewers_may_neither_run_nor_cancel(app: TestApp) {
    let task = app.create(A, cron_task("viewer")).await;
    let uuid = task["uuid"].as_str().unwrap();
    app.call_as(A, Role::Viewer, Method::POST, &format!("/{uuid}/run"), None)
        .await
        .problem(403, "forbidden");
    let run = app
        .call_as(
            A,
            Role::Operator,
            Method::POST,
            &format!("/{uuid}/run"),
            None,
        )
        .await
        .expect(202);
    let run_uuid = run["uuid"].as_str().unwrap();
    app.call_as(
        A,
        Role::Viewer,
        Method::POST,
        &format!("/runs/{run_uuid}/cancel"),
        None,
    )
    .await
    .problem(403, "forbidden");
}

/// A run of `task` scheduled `minutes` after 08:00, at `attempt` in `status`; `due` is the
/// instant the queue holds it until.
fn run_of(
    task: &Value,
    minutes: i64,
    status: RunStatus,
    attempt: i32,
    due: Option<Timestamp>,
) -> Run {
    let at: Timestamp = "2026-03-01T08:00:00Z".parse().unwrap();
    let at = at + SignedDuration::from_mins(minutes);
    Run {
        uuid: RunUuid::new_v7(),
        task_uuid: TaskUuid(task["uuid"].as_str().unwrap().parse().unwrap()),
        task_version: 1,
        trigger: RunTrigger::Schedule,
        scheduled_for: at,
        occurrences: 1,
        status,
        skip_reason: None,
        attempt,
        max_attempts: 4,
        rescues: 0,
        requeues: 0,
        queued_at: at,
        started_at: (attempt > 1).then_some(at),
        finished_at: status.is_final().then_some(at),
        duration_ms: (attempt > 1).then_some(12),
        result: None,
        error: (attempt > 1).then(|| "HTTP 500".to_owned()),
        logs_pruned_at: None,
        args: None,
        parent: None,
        next_attempt_at: due,
    }
}

async fn a_retrying_run_says_when_its_next_attempt_is_due(app: TestApp) {
    let task = app.create(A, cron_task("retrying")).await;
    let uuid = task["uuid"].as_str().unwrap();
    let due: Timestamp = "2026-03-01T08:03:30.250Z".parse().unwrap();
    let tenant = TenantId::new(A).unwrap();
    let retrying = run_of(&task, 2, RunStatus::Queued, 2, Some(due));
    // A first attempt waits for its occurrence, not for a retry; a failed run waits for nothing.
    let first = run_of(&task, 1, RunStatus::Queued, 1, Some(due));
    let failed = run_of(&task, 0, RunStatus::Failed, 4, None);
    for run in [&retrying, &first, &failed] {
        app.support.insert_run_for_tests(tenant, run).await.unwrap();
    }
    let expected = [
        (retrying.uuid.to_string(), json!("2026-03-01T08:03:30.25Z")),
        (first.uuid.to_string(), Value::Null),
        (failed.uuid.to_string(), Value::Null),
    ];
    let seen = |items: &Value| -> Vec<(String, Value)> {
        items
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["uuid"].as_str().unwrap().to_owned(),
                    r["next_attempt_at"].clone(),
                )
            })
            .collect()
    };
    for path in [
        format!("/{uuid}/logs"),
        format!("/{uuid}/runs"),
        format!("/runs?task_uuid={uuid}"),
    ] {
        let page = app.call(A, Method::GET, &path, None).await.expect(200);
        assert_eq!(seen(&page["items"]), expected, "{path}");
    }
    for (run, next) in &expected {
        let one = app
            .call(A, Method::GET, &format!("/runs/{run}"), None)
            .await
            .expect(200);
        assert_eq!(&one["next_attempt_at"], next);
    }
}

on_both_databases!(
    a_retrying_run_says_when_its_next_attempt_is_due,
    run_now_queues_a_manual_run_visible_in_the_runs,
    cancel_ends_a_queued_run_and_leaves_a_finished_one,
    another_tenants_task_and_run_are_404s,
    viewers_may_neither_run_nor_cancel,
);
