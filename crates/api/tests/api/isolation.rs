//! Tenant isolation: another tenant's object is indistinguishable from a missing one and never changes.

use reqwest::Method;
use serde_json::{Value, json};

use store::on_both_databases;

use crate::helpers::{TestApp, cron_task};

const A: i64 = 1;
const B: i64 = 2;

/// Everything observable about B's task: its JSON, versions and runs, read as B.
async fn snapshot(app: &TestApp, uuid: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    for path in ["", "/versions", "/runs", "/status"] {
        seen.push(
            app.call(B, Method::GET, &format!("/{uuid}{path}"), None)
                .await
                .expect(200),
        );
    }
    seen
}

async fn another_tenants_task_is_a_404_like_a_missing_one_and_stays_unchanged(app: TestApp) {
    let theirs = app.create(B, cron_task("theirs")).await;
    let uuid = theirs["uuid"].as_str().unwrap();
    let missing = uuid::Uuid::now_v7().to_string();
    let before = snapshot(&app, uuid).await;
    let calls: Vec<(Method, &str, Option<Value>)> = vec![
        (Method::GET, "", None),
        (Method::PUT, "", Some(json!({"name": "pwned"}))),
        (
            Method::PUT,
            "",
            Some(json!({"version": 1, "is_active": false})),
        ),
        (Method::DELETE, "", None),
        (Method::POST, "/start", None),
        (Method::POST, "/stop", None),
        (Method::GET, "/status", None),
        (Method::GET, "/logs", None),
        (Method::GET, "/runs", None),
        (Method::GET, "/versions", None),
    ];
    for (method, suffix, body) in calls {
        let theirs = app
            .call(A, method.clone(), &format!("/{uuid}{suffix}"), body.clone())
            .await;
        let absent = app
            .call(A, method.clone(), &format!("/{missing}{suffix}"), body)
            .await;
        assert_eq!(theirs.status, absent.status, "{method} {suffix}");
        assert_eq!(theirs.body, absent.body, "{method} {suffix}");
        theirs.problem(404, "not_found");
    }
    assert_eq!(snapshot(&app, uuid).await, before);
}

async fn lists_never_show_another_tenants_rows(app: TestApp) {
    app.create(A, cron_task("mine")).await;
    for code in ["theirs", "mine-too", "other"] {
        app.create(B, cron_task(code)).await;
    }
    for query in [
        "",
        "?tenant_id=2",
        "?keyword=the",
        "?keyword=task",
        "?code=theirs",
        "?page_size=100&sort=name",
        "?type=api_call&trigger_type=cron&is_active=true",
        "?page=2&page_size=1",
    ] {
        let list = app
            .call(A, Method::GET, &format!("/list{query}"), None)
            .await
            .expect(200);
        for item in list["items"].as_array().unwrap() {
            assert_eq!(item["tenant_id"], A, "{query}: {item}");
        }
        assert!(list["total"].as_u64().unwrap() <= 1, "{query}: {list}");
    }
    let list = app
        .call(A, Method::GET, "/list?tenant_id=2", None)
        .await
        .expect(200);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["code"], "mine");
}

async fn batch_delete_touches_only_the_callers_tasks_and_reveals_nothing(app: TestApp) {
    let mine = app.create(A, cron_task("mine")).await;
    let theirs = app.create(B, cron_task("theirs")).await;
    let their_uuid = theirs["uuid"].as_str().unwrap();
    let before = snapshot(&app, their_uuid).await;
    let reply = app
        .call(
            A,
            Method::POST,
            "/batch-delete",
            Some(json!({"uuids": [their_uuid]})),
        )
        .await
        .expect(200);
    let unknown = app
        .call(
            A,
            Method::POST,
            "/batch-delete",
            Some(json!({"uuids": [uuid::Uuid::now_v7()]})),
        )
        .await
        .expect(200);
    assert_eq!(reply, unknown);
    let mixed = app
        .call(
            A,
            Method::POST,
            "/batch-delete",
            Some(json!({"uuids": [their_uuid, mine["uuid"]]})),
        )
        .await
        .expect(200);
    assert_eq!(mixed, json!({"deleted": 1}));
    assert_eq!(snapshot(&app, their_uuid).await, before);
}

async fn codes_are_unique_per_tenant_only(app: TestApp) {
    app.create(B, cron_task("shared-code")).await;
    let mine = app.create(A, cron_task("shared-code")).await;
    assert_eq!(mine["tenant_id"], A);
}

async fn a_tenant_id_in_the_body_is_refused_not_honoured(app: TestApp) {
    let mut body = cron_task("sneaky");
    body["tenant_id"] = json!(B);
    app.call(A, Method::POST, "/", Some(body))
        .await
        .problem(400, "forbidden_field");
    assert_eq!(
        app.call(B, Method::GET, "/list", None).await.expect(200)["total"],
        0
    );
    assert_eq!(
        app.call(A, Method::GET, "/list", None).await.expect(200)["total"],
        0
    );
}

/// Records a finished run with two log lines for `task` of `tenant`, as the engine will.
async fn record_run(app: &TestApp, tenant: i64, task: &Value) -> String {
    use domain::{LogStream, Run, RunLogLine, RunStatus, RunTrigger, RunUuid, TaskUuid, TenantId};
    let at: jiff::Timestamp = "2026-01-15T16:00:00Z".parse().unwrap();
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
        result: Some(json!({"status": 200})),
        error: None,
        logs_pruned_at: None,
        args: None,
        parent: None,
        next_attempt_at: None,
    };
    let tenant = TenantId::new(tenant).unwrap();
    app.support
        .insert_run_for_tests(tenant, &run)
        .await
        .unwrap();
    let line = |seq, stream, text: &str| RunLogLine {
        attempt: 1,
        seq,
        ts: at,
        stream,
        line: text.into(),
    };
    let lines = [
        line(
            1,
            LogStream::System,
            "POST https://api.example.com/endpoint",
        ),
        line(2, LogStream::Stdout, "200 OK"),
    ];
    app.support
        .insert_run_logs_for_tests(tenant, run.uuid, &lines)
        .await
        .unwrap();
    run.uuid.to_string()
}

async fn runs_and_logs_are_read_only_by_their_tenant(app: TestApp) {
    let task = app.create(B, cron_task("theirs")).await;
    let task_uuid = task["uuid"].as_str().unwrap();
    let run_uuid = record_run(&app, B, &task).await;

    let run = app
        .call(B, Method::GET, &format!("/runs/{run_uuid}"), None)
        .await
        .expect(200);
    assert_eq!(run["status"], "succeeded");
    assert_eq!(run["task_uuid"], task_uuid);
    assert_eq!(run["logs"].as_array().unwrap().len(), 2);
    assert_eq!(
        run["logs"][1],
        json!({"attempt": 1, "seq": 2, "ts": "2026-01-15T16:00:00Z", "stream": "stdout", "line": "200 OK"})
    );
    let logs = app
        .call(
            B,
            Method::GET,
            &format!("/{task_uuid}/logs?status=succeeded"),
            None,
        )
        .await
        .expect(200);
    assert_eq!(logs["total"], 1);
    assert_eq!(
        logs["items"][0]["logs"][0]["line"],
        "POST https://api.example.com/endpoint"
    );
    let filtered = app
        .call(
            B,
            Method::GET,
            &format!("/{task_uuid}/logs?status=failed"),
            None,
        )
        .await
        .expect(200);
    assert_eq!(filtered["total"], 0);
    let by_uuid = app
        .call(
            B,
            Method::GET,
            &format!("/{task_uuid}/runs?run_uuid={run_uuid}"),
            None,
        )
        .await
        .expect(200);
    assert_eq!(by_uuid["items"][0]["uuid"], run_uuid.as_str());
    let status = app
        .call(B, Method::GET, &format!("/{task_uuid}/status"), None)
        .await
        .expect(200);
    assert_eq!(status["latest_run"]["uuid"], run_uuid.as_str());
    assert_eq!(status["current_run"], Value::Null);
    assert_eq!(status["stats"]["succeeded"], 1);
    assert_eq!(status["stats"]["total"], 1);

    let before = app
        .call(B, Method::GET, &format!("/runs/{run_uuid}"), None)
        .await
        .expect(200);
    let missing = uuid::Uuid::now_v7();
    let theirs = app
        .call(A, Method::GET, &format!("/runs/{run_uuid}"), None)
        .await;
    let absent = app
        .call(A, Method::GET, &format!("/runs/{missing}"), None)
        .await;
    assert_eq!(theirs.body, absent.body);
    theirs.problem(404, "not_found");
    app.call(
        A,
        Method::GET,
        &format!("/{task_uuid}/logs?run_uuid={run_uuid}"),
        None,
    )
    .await
    .problem(404, "not_found");
    assert_eq!(
        app.call(B, Method::GET, &format!("/runs/{run_uuid}"), None)
            .await
            .expect(200),
        before
    );
}

on_both_databases!(
    another_tenants_task_is_a_404_like_a_missing_one_and_stays_unchanged,
    lists_never_show_another_tenants_rows,
    batch_delete_touches_only_the_callers_tasks_and_reveals_nothing,
    codes_are_unique_per_tenant_only,
    a_tenant_id_in_the_body_is_refused_not_honoured,
    runs_and_logs_are_read_only_by_their_tenant,
);
