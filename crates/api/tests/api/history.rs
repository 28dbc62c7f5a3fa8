//! `GET /audit`, `GET /{uuid}/versions/{from}/diff/{to}` and
//! `POST /{uuid}/versions/{version}/restore`.

use domain::{Role, TenantId};
use jiff::{SignedDuration, Timestamp};
use reqwest::Method;
use serde_json::{Value, json};

use store::on_both_databases;

use crate::helpers::{TestApp, cron_task, start_instant};

/// A call as `subject` of tenant 1, with full rights.
async fn call_by(
    app: &TestApp,
    subject: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let now = Timestamp::now().as_second() as u64;
    let token = app
        .auth
        .mint(TenantId::new(1).unwrap(), subject, Role::Admin, now, 3600)
        .unwrap();
    app.raw(
        method,
        &format!("{}{path}", api::TASKS_PREFIX),
        Some(&token),
        body.map(|b| serde_json::to_vec(&b).unwrap()),
    )
    .await
    .body
}

fn summary(page: &Value) -> Vec<(String, String, String, i64)> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["task_code"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
                e["actor"].as_str().unwrap().to_owned(),
                e["version"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn entry(code: &str, action: &str, actor: &str, version: i64) -> (String, String, String, i64) {
    (code.into(), action.into(), actor.into(), version)
}

async fn audit_lists_the_tenants_changes_newest_first_and_filters_them(app: TestApp) {
    let a = call_by(&app, "alice", Method::POST, "/", Some(cron_task("a"))).await;
    let a_uuid = a["uuid"].as_str().unwrap().to_owned();
    app.clock.advance(SignedDuration::from_secs(60));
    call_by(
        &app,
        "bob",
        Method::PUT,
        &format!("/{a_uuid}"),
        Some(json!({"name": "A2"})),
    )
    .await;
    app.clock.advance(SignedDuration::from_secs(60));
    call_by(&app, "bob", Method::POST, &format!("/{a_uuid}/stop"), None).await;
    let b = call_by(&app, "carol", Method::POST, "/", Some(cron_task("b"))).await;
    call_by(
        &app,
        "carol",
        Method::DELETE,
        &format!("/{}", b["uuid"].as_str().unwrap()),
        None,
    )
    .await;
    // Another tenant's changes never show.
    let theirs = app.create(2, cron_task("a")).await;

    let all = app.call(1, Method::GET, "/audit", None).await.expect(200);
    assert_eq!(
        summary(&all),
        [
            entry("b", "delete", "carol", 2),
            entry("b", "create", "carol", 1),
            entry("a", "stop", "bob", 3),
            entry("a", "update", "bob", 2),
            entry("a", "create", "alice", 1),
        ]
    );
    assert_eq!(
        (&all["total"], &all["page"], &all["page_size"]),
        (&json!(5), &json!(1), &json!(20))
    );
    assert_eq!(all["items"][0]["detail"], json!({"cancelled_runs": 0}));
    assert_eq!(all["items"][4]["task_uuid"], a_uuid.as_str());
    assert_eq!(all["items"][4]["at"], "2026-01-15T12:00:00Z");
    assert_eq!(all["items"][4]["detail"], Value::Null);

    let get = |query: String| {
        let app = &app;
        async move {
            app.call(1, Method::GET, &format!("/audit?{query}"), None)
                .await
                .expect(200)
        }
    };
    let by_task = get(format!("task_uuid={a_uuid}")).await;
    assert_eq!(by_task["total"], 3);
    assert_eq!(get("actor=bob".into()).await["total"], 2);
    assert_eq!(
        summary(&get("action=create".into()).await),
        [
            entry("b", "create", "carol", 1),
            entry("a", "create", "alice", 1)
        ]
    );
    let window = get("since=2026-01-15T12:01:00Z&until=2026-01-15T12:02:00Z".into()).await;
    assert_eq!(summary(&window), [entry("a", "update", "bob", 2)]);
    let second = get("page=2&page_size=2".into()).await;
    assert_eq!(
        summary(&second),
        [entry("a", "stop", "bob", 3), entry("a", "update", "bob", 2)]
    );
    let foreign = get(format!("task_uuid={}", theirs["uuid"].as_str().unwrap())).await;
    assert_eq!(foreign["total"], 0);
    // Viewers read the log too; it is the tenant's, whoever asks.
    let viewed = app
        .call_as(1, Role::Viewer, Method::GET, "/audit", None)
        .await
        .expect(200);
    assert_eq!(viewed["total"], 5);
    let other = app.call(2, Method::GET, "/audit", None).await.expect(200);
    assert_eq!(summary(&other), [entry("a", "create", "user-2", 1)]);

    let reply = app
        .call(
            1,
            Method::GET,
            "/audit?task_uuid=nope&action=explode&since=yesterday&page_size=0",
            None,
        )
        .await;
    assert_eq!(
        reply.fields(),
        ["page_size", "task_uuid", "action", "since"]
    );
    reply.problem(400, "invalid_query");
    let reply = app
        .call(
            1,
            Method::GET,
            "/audit?since=2026-01-15T12:00:00Z&until=2026-01-15T12:00:00Z",
            None,
        )
        .await;
    assert_eq!(reply.fields(), ["until"]);
    reply.problem(400, "invalid_query");
}

async fn diff_compares_two_versions_field_by_field_with_secrets_masked(app: TestApp) {
    let mut body = cron_task("diffed");
    body["task_config"]["headers"]["Authorization"] = json!("Bearer first-secret-01");
    let task = app.create(1, body).await;
    let uuid = task["uuid"].as_str().unwrap();
    app.call(
        1,
        Method::PUT,
        &format!("/{uuid}"),
        Some(json!({
            "trigger_config": {"cron": "30 9 * * *", "timezone": "Asia/Shanghai"},
            "task_config": {"url": "https://api.example.com/endpoint", "method": "POST",
                            "headers": {"Authorization": "Bearer second-secret-01"}},
            "description": "now described"
        })),
    )
    .await
    .expect(200);

    let diff = app
        .call(1, Method::GET, &format!("/{uuid}/versions/1/diff/2"), None)
        .await
        .expect(200);
    assert_eq!(diff["from"]["version"], 1);
    assert_eq!(diff["to"]["version"], 2);
    assert_eq!(diff["to"]["action"], "update");
    assert_eq!(
        diff["changes"],
        json!([
            {"field": "description", "change": "changed", "from_value": null, "to_value": "now described"},
            {"field": "task_config.data.key", "change": "removed", "from_value": "value"},
            {"field": "task_config.headers.authorization", "change": "changed",
             "from_value": "••••01", "to_value": "••••01"},
            {"field": "task_config.headers.content-type", "change": "removed", "from_value": "application/json"},
            {"field": "trigger_config.cron", "change": "changed", "from_value": "0 0 * * *", "to_value": "30 9 * * *"},
        ])
    );
    let same = app
        .call(1, Method::GET, &format!("/{uuid}/versions/2/diff/2"), None)
        .await
        .expect(200);
    assert_eq!(same["changes"], json!([]));
    for path in [
        format!("/{uuid}/versions/1/diff/3"),
        format!("/{uuid}/versions/0/diff/1"),
        format!("/{uuid}/versions/one/diff/2"),
    ] {
        app.call(1, Method::GET, &path, None)
            .await
            .problem(404, "not_found");
    }
    app.call(2, Method::GET, &format!("/{uuid}/versions/1/diff/2"), None)
        .await
        .problem(404, "not_found");
}

async fn restore_makes_an_earlier_version_current_as_a_new_version(app: TestApp) {
    let task = app.create(1, cron_task("restored")).await;
    let uuid = task["uuid"].as_str().unwrap();
    app.call(
        1,
        Method::PUT,
        &format!("/{uuid}"),
        Some(json!({"name": "Second", "trigger_config": {"cron": "0 6 * * *"}})),
    )
    .await
    .expect(200);
    for role in [Role::Viewer, Role::Operator] {
        app.call_as(
            1,
            role,
            Method::POST,
            &format!("/{uuid}/versions/1/restore"),
            None,
        )
        .await
        .problem(403, "forbidden");
    }
    app.call(
        2,
        Method::POST,
        &format!("/{uuid}/versions/1/restore"),
        None,
    )
    .await
    .problem(404, "not_found");
    app.call(
        1,
        Method::POST,
        &format!("/{uuid}/versions/7/restore"),
        None,
    )
    .await
    .problem(404, "not_found");

    let restored = app
        .call(
            1,
            Method::POST,
            &format!("/{uuid}/versions/1/restore"),
            None,
        )
        .await
        .expect(200);
    assert_eq!(restored["version"], 3);
    assert_eq!(restored["name"], task["name"]);
    assert_eq!(restored["trigger_config"], task["trigger_config"]);
    assert_eq!(restored["next_run_at"], task["next_run_at"]);
    let versions = app
        .call(1, Method::GET, &format!("/{uuid}/versions"), None)
        .await
        .expect(200);
    assert_eq!(versions["total"], 3);
    assert_eq!(versions["items"][0]["action"], "restore");
    let audit = app
        .call(1, Method::GET, "/audit?action=restore", None)
        .await
        .expect(200);
    assert_eq!(audit["total"], 1);
    assert_eq!(audit["items"][0]["detail"], json!({"restored_from": 1}));

    // Restoring what is already current writes nothing.
    let same = app
        .call(
            1,
            Method::POST,
            &format!("/{uuid}/versions/3/restore"),
            None,
        )
        .await
        .expect(200);
    assert_eq!(same["version"], 3);
    // Another tenant's audit log does not see any of it.
    let other = app.call(2, Method::GET, "/audit", None).await.expect(200);
    assert_eq!(other["total"], 0);
}

async fn restore_refuses_a_taken_code_and_a_past_date(app: TestApp) {
    let task = app.create(1, cron_task("first-code")).await;
    let uuid = task["uuid"].as_str().unwrap();
    app.call(
        1,
        Method::PUT,
        &format!("/{uuid}"),
        Some(json!({"code": "second-code"})),
    )
    .await
    .expect(200);
    app.create(1, cron_task("first-code")).await;
    app.call(
        1,
        Method::POST,
        &format!("/{uuid}/versions/1/restore"),
        None,
    )
    .await
    .problem(409, "duplicate_code");

    let date = app
        .create(
            1,
            json!({
                "name": "Once", "code": "once", "type": "api_call", "trigger_type": "date",
                "trigger_config": {"at": "2026-01-15T13:00:00Z"},
                "task_config": {"url": "https://api.example.com/endpoint"}
            }),
        )
        .await;
    let date_uuid = date["uuid"].as_str().unwrap();
    app.call(
        1,
        Method::PUT,
        &format!("/{date_uuid}"),
        Some(json!({"trigger_config": {"at": "2026-01-16T13:00:00Z"}})),
    )
    .await
    .expect(200);
    app.clock
        .set(start_instant() + SignedDuration::from_hours(2));
    let reply = app
        .call(
            1,
            Method::POST,
            &format!("/{date_uuid}/versions/1/restore"),
            None,
        )
        .await;
    assert_eq!(reply.fields(), ["trigger_config.at"]);
    reply.problem(422, "validation_failed");
    let now = app
        .call(1, Method::GET, &format!("/{date_uuid}"), None)
        .await
        .expect(200);
    assert_eq!(now["version"], 2);
}

on_both_databases!(
    audit_lists_the_tenants_changes_newest_first_and_filters_them,
    diff_compares_two_versions_field_by_field_with_secrets_masked,
    restore_makes_an_earlier_version_current_as_a_new_version,
    restore_refuses_a_taken_code_and_a_past_date,
);
