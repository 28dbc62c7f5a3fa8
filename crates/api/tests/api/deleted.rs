//! Deleted tasks: `GET /deleted` lists the tenant's tasks deleted within the run-retention
//! period, `POST /{uuid}/restore` makes one live again, stopped.

use domain::Role;
use reqwest::Method;
use serde_json::json;

use store::on_both_databases;

use crate::helpers::{RUN_RETENTION_DAYS, TestApp, cron_task, start_instant};

const A: i64 = 1;
const B: i64 = 2;

fn uuid(task: &serde_json::Value) -> String {
    task["uuid"].as_str().unwrap().to_owned()
}

async fn delete(app: &TestApp, tenant: i64, task: &str) {
    app.call(tenant, Method::DELETE, &format!("/{task}"), None)
        .await
        .expect(204);
}

async fn deleted_codes(app: &TestApp, tenant: i64) -> Vec<String> {
    let page = app
        .call(tenant, Method::GET, "/deleted", None)
        .await
        .expect(200);
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn deleted_tasks_are_listed_within_retention_and_restored_stopped(app: TestApp) {
    let live = uuid(&app.create(A, cron_task("live")).await);
    let gone = uuid(&app.create(A, cron_task("gone")).await);
    let old = uuid(&app.create(A, cron_task("old")).await);
    let theirs = uuid(&app.create(B, cron_task("theirs")).await);
    for task in [&gone, &old] {
        delete(&app, A, task).await;
    }
    delete(&app, B, &theirs).await;
    // Deleted one day longer ago than runs are kept.
    let too_old =
        start_instant() - jiff::SignedDuration::from_hours(24 * (RUN_RETENTION_DAYS as i64 + 1));
    app.support
        .execute_sql_for_tests(&format!(
            "UPDATE scheduled_tasks SET deleted_at = {} WHERE code = 'old'",
            too_old.as_millisecond()
        ))
        .await
        .unwrap();

    let page = app
        .call(A, Method::GET, "/deleted?page_size=10", None)
        .await
        .expect(200);
    assert_eq!(
        (page["total"].clone(), page["page_size"].clone()),
        (json!(1), json!(10))
    );
    let listed = &page["items"][0];
    assert_eq!(listed["uuid"], gone.as_str());
    assert_eq!(listed["deleted_at"], start_instant().to_string());
    assert_eq!(listed["deleted_by"], listed["updated_by"]);
    assert_eq!(
        (&listed["is_active"], &listed["next_run_at"]),
        (&json!(false), &json!(null))
    );
    assert_eq!(deleted_codes(&app, B).await, ["theirs"]);
    app.call(A, Method::GET, "/deleted?page=0", None)
        .await
        .problem(400, "invalid_query");

    // Outside the period, live, another tenant's, or no uuid at all: nothing to restore.
    for (tenant, task) in [
        (A, old.as_str()),
        (A, live.as_str()),
        (B, gone.as_str()),
        (A, "nope"),
    ] {
        app.call(tenant, Method::POST, &format!("/{task}/restore"), None)
            .await
            .problem(404, "not_found");
    }
    app.call_as(
        A,
        Role::Operator,
        Method::POST,
        &format!("/{gone}/restore"),
        None,
    )
    .await
    .problem(403, "forbidden");

    // A live task took the code again: the restore says so and changes nothing.
    let taken = uuid(&app.create(A, cron_task("gone")).await);
    let conflict = app
        .call(A, Method::POST, &format!("/{gone}/restore"), None)
        .await
        .problem(409, "duplicate_code");
    assert!(
        conflict["detail"].as_str().unwrap().contains("`gone`"),
        "{conflict:#}"
    );
    assert_eq!(deleted_codes(&app, A).await, ["gone"]);

    delete(&app, A, &taken).await;
    let before = listed["version"].as_i64().unwrap();
    let restored = app
        .call(A, Method::POST, &format!("/{gone}/restore"), None)
        .await
        .expect(200);
    assert_eq!(restored["version"], before + 1);
    assert_eq!(
        (&restored["is_active"], &restored["next_run_at"]),
        (&json!(false), &json!(null))
    );
    let fetched = app
        .call(A, Method::GET, &format!("/{gone}"), None)
        .await
        .expect(200);
    assert_eq!(fetched, restored);
    // The copy that took the code is the deleted one now.
    assert_eq!(deleted_codes(&app, A).await, ["gone"]);
    let deleted = app.call(A, Method::GET, "/deleted", None).await.expect(200);
    assert_eq!(deleted["items"][0]["uuid"], taken.as_str());

    let audit = app
        .call(A, Method::GET, &format!("/audit?task_uuid={gone}"), None)
        .await
        .expect(200);
    assert_eq!(audit["items"][0]["action"], "restore");
    assert_eq!(audit["items"][0]["version"], before + 1);
    assert_eq!(
        audit["items"][0]["detail"],
        json!({"deleted_at": start_instant().to_string()})
    );
    // Started again, it fires.
    let started = app
        .call(A, Method::POST, &format!("/{gone}/start"), None)
        .await
        .expect(200);
    assert!(started["next_run_at"].is_string());
}

on_both_databases!(deleted_tasks_are_listed_within_retention_and_restored_stopped);
