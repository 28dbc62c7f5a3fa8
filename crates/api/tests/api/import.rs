//! `POST /import`: many tasks in one transaction, validated exactly like a single create.

use domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

use store::on_both_databases;

use crate::helpers::{TestApp, cron_task};

/// A one-shot date task due in the test clock's future.
fn date_task(code: &str) -> Value {
    json!({
        "name": format!("Burst {code}"), "code": code, "type": "api_call", "trigger_type": "date",
        "trigger_config": {"at": "2026-01-15T13:00:00Z"},
        "task_config": {"url": "https://api.example.com/endpoint", "method": "POST"}
    })
}

async fn import_creates_every_task_like_single_creates(app: TestApp) {
    let body = json!({"tasks": [cron_task("a"), date_task("b"), cron_task("c")]});
    let reply = app
        .call(1, Method::POST, "/import", Some(body))
        .await
        .expect(201);
    assert_eq!(reply["created"], 3);
    let uuids: Vec<&str> = reply["uuids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    assert_eq!(uuids.len(), 3);
    let b = app
        .call(1, Method::GET, &format!("/{}", uuids[1]), None)
        .await
        .expect(200);
    assert_eq!(b["code"], "b");
    assert_eq!(b["trigger_type"], "date");
    assert_eq!(b["next_run_at"], "2026-01-15T13:00:00Z");
    assert_eq!(b["version"], 1);
    assert_eq!(b["created_by"], "user-1");
    // The same defaults and first occurrence as `POST /` computes.
    let single = app.create(1, cron_task("d")).await;
    let a = app
        .call(1, Method::GET, &format!("/{}", uuids[0]), None)
        .await
        .expect(200);
    for field in [
        "next_run_at",
        "retry_policy",
        "timeout_seconds",
        "overlap_policy",
        "misfire_policy",
        "timezone",
    ] {
        assert_eq!(a[field], single[field], "{field}");
    }
    let versions = app
        .call(1, Method::GET, &format!("/{}/versions", uuids[2]), None)
        .await
        .expect(200);
    assert_eq!(versions["total"], 1);
    assert_eq!(versions["items"][0]["action"], "create");
    let list = app.call(1, Method::GET, "/list", None).await.expect(200);
    assert_eq!(list["total"], 4);
    // Another tenant sees none of them.
    let other = app.call(2, Method::GET, "/list", None).await.expect(200);
    assert_eq!(other["total"], 0);
}

async fn import_errors_name_the_task_and_store_nothing(app: TestApp) {
    let mut bad_trigger = date_task("late");
    bad_trigger["trigger_config"] = json!({"at": "2020-01-01T00:00:00Z"});
    let mut bad_name = cron_task("nameless");
    bad_name["name"] = json!("");
    let body = json!({"tasks": [cron_task("fine"), bad_trigger, bad_name]});
    let reply = app.call(1, Method::POST, "/import", Some(body)).await;
    let mut fields = reply.fields();
    fields.sort();
    assert_eq!(fields, ["tasks[1].trigger_config.at", "tasks[2].name"]);
    reply.problem(422, "validation_failed");

    let mut missing = cron_task("missing");
    missing.as_object_mut().unwrap().remove("trigger_type");
    let reply = app
        .call(
            1,
            Method::POST,
            "/import",
            Some(json!({"tasks": [cron_task("ok"), missing]})),
        )
        .await;
    assert_eq!(reply.fields(), ["tasks[1].trigger_type"]);
    reply.problem(422, "validation_failed");

    let mut owned = cron_task("owned");
    owned["tenant_id"] = json!(2);
    let reply = app
        .call(1, Method::POST, "/import", Some(json!({"tasks": [owned]})))
        .await;
    assert_eq!(reply.fields(), ["tasks[0].tenant_id"]);
    reply.problem(400, "forbidden_field");

    let mut unknown = cron_task("unknown");
    unknown["colour"] = json!("blue");
    let reply = app
        .call(
            1,
            Method::POST,
            "/import",
            Some(json!({"tasks": [cron_task("ok"), unknown]})),
        )
        .await;
    assert_eq!(reply.fields(), ["tasks[1].colour"]);
    reply.problem(400, "unknown_field");

    let reply = app
        .call(1, Method::POST, "/import", Some(json!({"tasks": []})))
        .await;
    assert_eq!(reply.fields(), ["tasks"]);
    reply.problem(422, "validation_failed");
    let many: Vec<Value> = (0..1001).map(|i| cron_task(&format!("t{i}"))).collect();
    let reply = app
        .call(1, Method::POST, "/import", Some(json!({"tasks": many})))
        .await;
    assert_eq!(reply.fields(), ["tasks"]);
    reply.problem(422, "validation_failed");

    let list = app.call(1, Method::GET, "/list", None).await.expect(200);
    assert_eq!(list["total"], 0);
}

async fn import_with_a_taken_code_is_a_conflict_and_stores_nothing(app: TestApp) {
    app.create(1, cron_task("taken")).await;
    let reply = app
        .call(
            1,
            Method::POST,
            "/import",
            Some(json!({"tasks": [cron_task("new"), cron_task("taken")]})),
        )
        .await;
    reply.problem(409, "duplicate_code");
    let reply = app
        .call(
            1,
            Method::POST,
            "/import",
            Some(json!({"tasks": [cron_task("twin"), cron_task("twin")]})),
        )
        .await;
    reply.problem(409, "duplicate_code");
    let list = app.call(1, Method::GET, "/list", None).await.expect(200);
    assert_eq!(list["total"], 1);
}

async fn import_needs_the_admin_role(app: TestApp) {
    let reply = app
        .call_as(
            1,
            Role::Operator,
            Method::POST,
            "/import",
            Some(json!({"tasks": [cron_task("x")]})),
        )
        .await;
    reply.problem(403, "forbidden");
    let list = app.call(1, Method::GET, "/list", None).await.expect(200);
    assert_eq!(list["total"], 0);
}

async fn import_of_a_thousand_tasks_fits_one_request(app: TestApp) {
    let tasks: Vec<Value> = (0..1000)
        .map(|i| date_task(&format!("burst-{i}")))
        .collect();
    let reply = app
        .call(1, Method::POST, "/import", Some(json!({"tasks": tasks})))
        .await
        .expect(201);
    assert_eq!(reply["created"], 1000);
    let list = app
        .call(1, Method::GET, "/list?trigger_type=date", None)
        .await
        .expect(200);
    assert_eq!(list["total"], 1000);
}

on_both_databases!(
    import_creates_every_task_like_single_creates,
    import_errors_name_the_task_and_store_nothing,
    import_with_a_taken_code_is_a_conflict_and_stores_nothing,
    import_needs_the_admin_role,
    import_of_a_thousand_tasks_fits_one_request,
);
