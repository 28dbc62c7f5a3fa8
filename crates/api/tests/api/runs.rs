//! Run now and cancel.

use domain::Role;
use reqwest::Method;

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

on_both_databases!(
    run_now_queues_a_manual_run_visible_in_the_runs,
    cancel_ends_a_queued_run_and_leaves_a_finished_one,
    another_tenants_task_and_run_are_404s,
    viewers_may_neither_run_nor_cancel,
);
