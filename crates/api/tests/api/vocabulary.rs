//! The design document's vocabulary: `last_run_status` is `success`, `failed` or `cancelled`,
//! the detail is `last_run_outcome`, and a client written against the design works on the
//! nine endpoints as the document describes them.

use domain::{Clock, RunStatus, TaskUuid, TenantId};
use reqwest::Method;
use serde_json::{Value, json};
use store::test_support::TaskRunState;

use store::on_both_databases;

use crate::helpers::{TestApp, cron_task};

/// Creates a task `code` whose latest run ended `outcome`.
async fn task_that_ended(app: &TestApp, code: &str, outcome: Option<RunStatus>) -> String {
    let task = app.create(1, cron_task(code)).await;
    let uuid = task["uuid"].as_str().unwrap().to_owned();
    let state = TaskRunState {
        last_run_at: outcome.map(|_| app.clock.now()),
        last_run_status: outcome,
        ..TaskRunState::default()
    };
    app.support
        .set_run_state_for_tests(
            TenantId::new(1).unwrap(),
            TaskUuid(uuid.parse().unwrap()),
            &state,
        )
        .await
        .unwrap();
    uuid
}

async fn codes(app: &TestApp, query: &str) -> Vec<String> {
    let page = app
        .call(1, Method::GET, &format!("/list?sort=code&{query}"), None)
        .await
        .expect(200);
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn last_run_status_speaks_the_designs_words(app: TestApp) {
    let cases = [
        ("a-ok", Some(RunStatus::Succeeded), "success"),
        ("b-failed", Some(RunStatus::Failed), "failed"),
        ("c-slow", Some(RunStatus::TimedOut), "failed"),
        ("d-cancelled", Some(RunStatus::Cancelled), "cancelled"),
    ];
    for (code, outcome, status) in cases {
        let uuid = task_that_ended(&app, code, outcome).await;
        let outcome = outcome.unwrap().as_str();
        let task = app
            .call(1, Method::GET, &format!("/{uuid}"), None)
            .await
            .expect(200);
        assert_eq!(
            (&task["last_run_status"], &task["last_run_outcome"]),
            (&json!(status), &json!(outcome)),
            "{code}"
        );
        let state = app
            .call(1, Method::GET, &format!("/{uuid}/status"), None)
            .await
            .expect(200);
        assert_eq!(
            (&state["last_run_status"], &state["last_run_outcome"]),
            (&json!(status), &json!(outcome)),
            "{code}"
        );
    }
    task_that_ended(&app, "e-never", None).await;
    // A first run that started has not ended: the task has still never run to an end.
    let running = app.create(1, cron_task("f-first-running")).await;
    app.support
        .set_run_state_for_tests(
            TenantId::new(1).unwrap(),
            TaskUuid(running["uuid"].as_str().unwrap().parse().unwrap()),
            &TaskRunState {
                last_run_at: Some(app.clock.now()),
                ..TaskRunState::default()
            },
        )
        .await
        .unwrap();

    assert_eq!(codes(&app, "last_run_status=success").await, ["a-ok"]);
    assert_eq!(
        codes(&app, "last_run_status=failed").await,
        ["b-failed", "c-slow"]
    );
    assert_eq!(
        codes(&app, "last_run_status=cancelled").await,
        ["d-cancelled"]
    );
    // The detailed words of earlier clients are understood too.
    assert_eq!(codes(&app, "last_run_status=succeeded").await, ["a-ok"]);
    assert_eq!(codes(&app, "last_run_status=timed_out").await, ["c-slow"]);
    assert_eq!(codes(&app, "last_run_outcome=failed").await, ["b-failed"]);
    assert_eq!(codes(&app, "last_run_outcome=timed_out").await, ["c-slow"]);
    assert_eq!(
        codes(&app, "last_run_status=failed&last_run_outcome=timed_out").await,
        ["c-slow"]
    );
    assert_eq!(
        codes(&app, "last_run_status=success&last_run_outcome=failed").await,
        Vec::<String>::new()
    );
    // `none`: no run has ended yet (the console's "Never run"), in either vocabulary.
    for query in [
        "last_run_outcome=none",
        "last_run_status=none",
        "last_run_status=none&last_run_outcome=none",
    ] {
        assert_eq!(
            codes(&app, query).await,
            ["e-never", "f-first-running"],
            "{query}"
        );
    }
    assert_eq!(
        codes(&app, "last_run_status=failed&last_run_outcome=none").await,
        Vec::<String>::new()
    );
    let doc = api::openapi();
    let allowed = |name: &str| doc["components"]["schemas"][name]["enum"].clone();
    for (query, field, schema) in [
        (
            "last_run_status=skipped",
            "last_run_status",
            "LastRunStatusFilter",
        ),
        (
            "last_run_outcome=success",
            "last_run_outcome",
            "RunOutcomeFilter",
        ),
    ] {
        let problem = app
            .call(1, Method::GET, &format!("/list?{query}"), None)
            .await
            .problem(400, "invalid_query");
        assert_eq!(problem["errors"][0]["field"], field);
        assert_eq!(problem["errors"][0]["code"], "not_one_of");
        assert_eq!(problem["errors"][0]["allowed"], allowed(schema), "{query}");
    }
}

/// A client written against the design document (§6), speaking to the nine endpoints exactly
/// as it describes them.
async fn a_client_of_the_design_document_works_on_the_nine_endpoints(app: TestApp) {
    let body = json!({"name": "Daily report", "code": "daily-report", "description": "…",
        "type": "api_call", "trigger_type": "cron",
        "trigger_config": {"cron": "0 0 * * *", "timezone": "Asia/Shanghai"},
        "task_config": {"url": "https://api.example.com/endpoint", "method": "POST",
                        "headers": {"Content-Type": "application/json"}, "data": {"key": "value"}},
        "is_active": true,
        "retry_policy": {"max_retries": 3, "retry_delay_seconds": 60, "backoff": "fixed"},
        "timeout_seconds": 30, "overlap_policy": "skip",
        "misfire_policy": "fire_once", "misfire_grace_seconds": 60});
    // 1. POST / → 201 with uuid and next_run_at.
    let created = app
        .call(1, Method::POST, "/", Some(body.clone()))
        .await
        .expect(201);
    let uuid = created["uuid"].as_str().unwrap().to_owned();
    assert!(created["next_run_at"].is_string());
    for field in [
        "uuid",
        "tenant_id",
        "inngest_function_id",
        "is_running",
        "next_run_at",
        "last_run_at",
        "last_run_status",
        "last_error",
        "version",
        "created_at",
        "updated_at",
    ] {
        assert!(created.get(field).is_some(), "the task has {field}");
    }
    // 2. GET /list with the design's query, including last_run_status=success.
    let state = TaskRunState {
        last_run_at: Some(app.clock.now()),
        last_run_status: Some(RunStatus::Succeeded),
        ..TaskRunState::default()
    };
    app.support
        .set_run_state_for_tests(
            TenantId::new(1).unwrap(),
            TaskUuid(uuid.parse().unwrap()),
            &state,
        )
        .await
        .unwrap();
    let list = app
        .call(
            1,
            Method::GET,
            "/list?page=1&page_size=20&keyword=daily&type=api_call&trigger_type=cron&is_active=true&last_run_status=success&sort=-created_at",
            None,
        )
        .await
        .expect(200);
    assert_eq!(list["total"], 1);
    assert_eq!((&list["page"], &list["page_size"]), (&json!(1), &json!(20)));
    assert_eq!(list["items"][0]["last_run_status"], "success");
    // 3. GET /{uuid}.
    let task = app
        .call(1, Method::GET, &format!("/{uuid}"), None)
        .await
        .expect(200);
    // 4. PUT /{uuid} with the version read; a stale one is a 409.
    let mut edit = body.clone();
    edit["name"] = json!("Daily report v2");
    edit["version"] = task["version"].clone();
    let updated = app
        .call(1, Method::PUT, &format!("/{uuid}"), Some(edit.clone()))
        .await
        .expect(200);
    assert_eq!(updated["name"], "Daily report v2");
    edit["name"] = json!("Daily report v3");
    app.call(1, Method::PUT, &format!("/{uuid}"), Some(edit))
        .await
        .problem(409, "version_conflict");
    // 6, 7. stop and start answer the task.
    let stopped = app
        .call(1, Method::POST, &format!("/{uuid}/stop"), None)
        .await
        .expect(200);
    assert_eq!(stopped["is_active"], false);
    let started = app
        .call(1, Method::POST, &format!("/{uuid}/start"), None)
        .await
        .expect(200);
    assert_eq!(started["is_active"], true);
    // 8. GET /{uuid}/status with the design's fields.
    let status = app
        .call(1, Method::GET, &format!("/{uuid}/status"), None)
        .await
        .expect(200);
    for field in [
        "is_active",
        "is_running",
        "next_run_at",
        "last_run_at",
        "last_run_status",
        "last_error",
        "current_run",
        "latest_run",
        "stats",
    ] {
        assert!(status.get(field).is_some(), "status has {field}");
    }
    assert_eq!(status["last_run_status"], "success");
    // 9. GET /{uuid}/logs, paged, filtered by status.
    let logs = app
        .call(
            1,
            Method::GET,
            &format!("/{uuid}/logs?page=1&page_size=10&status=succeeded"),
            None,
        )
        .await
        .expect(200);
    assert_eq!(logs["items"], Value::Array(vec![]));
    // 5. DELETE /{uuid} → 204, then 404 everywhere.
    let deleted = app.call(1, Method::DELETE, &format!("/{uuid}"), None).await;
    assert_eq!(deleted.status.as_u16(), 204);
    app.call(1, Method::GET, &format!("/{uuid}"), None)
        .await
        .problem(404, "not_found");
}

on_both_databases!(
    last_run_status_speaks_the_designs_words,
    a_client_of_the_design_document_works_on_the_nine_endpoints,
);
