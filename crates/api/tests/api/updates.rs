//! Update semantics: `PUT` takes what `GET` returns, `PATCH` is a JSON Merge Patch, an update
//! that changes nothing writes nothing, and `ETag`/`If-Match` make writes conditional.

use domain::{Clock, RunOutcome, TaskUuid, TenantId};
use jiff::SignedDuration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use store::on_both_databases;

use crate::helpers::{Reply, TestApp, cron_task};

/// A task-API request as tenant 1's admin with extra headers (and a JSON body sent as
/// `content_type`); the reply and its `ETag`.
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, Value)>,
) -> (Reply, Option<String>) {
    let url = format!("{}{}{}", app.base, api::TASKS_PREFIX, path);
    let mut request = app
        .client
        .request(method, url)
        .bearer_auth(app.token(1, domain::Role::Admin));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some((content_type, body)) = body {
        request = request
            .header("Content-Type", content_type)
            .body(serde_json::to_vec(&body).unwrap());
    }
    let response = request.send().await.unwrap();
    let status: StatusCode = response.status();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let content_type = header("content-type").unwrap_or_default();
    let etag = header("etag");
    let bytes = response.bytes().await.unwrap();
    let mut body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if let Some(object) = body.as_object_mut() {
        object.remove("request_id");
    }
    (
        Reply {
            status,
            content_type,
            body,
        },
        etag,
    )
}

const MERGE_PATCH: &str = "application/merge-patch+json";

async fn patch(app: &TestApp, uuid: &str, body: Value) -> Reply {
    send(
        app,
        Method::PATCH,
        &format!("/{uuid}"),
        &[],
        Some((MERGE_PATCH, body)),
    )
    .await
    .0
}

async fn put(app: &TestApp, uuid: &str, body: Value) -> Reply {
    app.call(1, Method::PUT, &format!("/{uuid}"), Some(body))
        .await
}

async fn get(app: &TestApp, uuid: &str) -> Value {
    app.call(1, Method::GET, &format!("/{uuid}"), None)
        .await
        .expect(200)
}

/// Rows of the task's version history and audit log.
async fn history(app: &TestApp, uuid: &str) -> (u64, usize) {
    let versions = app
        .call(1, Method::GET, &format!("/{uuid}/versions"), None)
        .await
        .expect(200);
    let audit = app
        .support
        .audit_log_for_tests(TenantId::new(1).unwrap(), TaskUuid(uuid.parse().unwrap()))
        .await
        .unwrap();
    (versions["total"].as_u64().unwrap(), audit.len())
}

async fn put_accepts_what_get_returns(app: TestApp) {
    let task = app.create(1, cron_task("report")).await;
    let uuid = task["uuid"].as_str().unwrap();
    let state = store::test_support::TaskRunState {
        last_run_at: Some(app.clock.now()),
        last_run_status: Some(domain::RunStatus::TimedOut),
        last_error: Some("timed out after 30 s".into()),
        last_run_duration_ms: Some(30_000),
        recent_outcomes: vec![RunOutcome::TimedOut, RunOutcome::Succeeded],
    };
    app.support
        .set_run_state_for_tests(
            TenantId::new(1).unwrap(),
            TaskUuid(uuid.parse().unwrap()),
            &state,
        )
        .await
        .unwrap();
    let mut body = get(&app, uuid).await;
    body["name"] = json!("Renamed");
    let updated = put(&app, uuid, body.clone()).await.expect(200);
    assert_eq!(updated["name"], "Renamed");
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["last_run_outcome"], "timed_out");
    assert_eq!(updated["last_run_duration_ms"], 30_000);
    assert_eq!(
        updated["recent_outcomes"],
        json!(["timed_out", "succeeded"])
    );
    // Sent back again as it is now: nothing changes.
    let again = put(&app, uuid, updated.clone()).await.expect(200);
    assert_eq!(again, updated);
    // A field that does not exist is still a 400; so is another tenant or another task.
    let mut unknown = updated.clone();
    unknown["colour"] = json!("blue");
    let reply = put(&app, uuid, unknown).await;
    assert_eq!(reply.fields(), ["colour"]);
    reply.problem(400, "unknown_field");
    let mut foreign = updated.clone();
    foreign["tenant_id"] = json!(2);
    foreign["uuid"] = json!(uuid::Uuid::now_v7());
    let reply = put(&app, uuid, foreign).await;
    assert_eq!(reply.fields(), ["uuid", "tenant_id"]);
    reply.problem(400, "forbidden_field");
    assert_eq!(get(&app, uuid).await, updated);
}

async fn an_update_that_changes_nothing_writes_nothing(app: TestApp) {
    let mut body = cron_task("report");
    body["task_config"]["headers"] = json!({"Authorization": "Bearer abcdefghijklmnop"});
    let task = app.create(1, body).await;
    let uuid = task["uuid"].as_str().unwrap();
    assert_eq!(history(&app, uuid).await, (1, 1));
    let row = app
        .support
        .task_row_for_tests(TaskUuid(uuid.parse().unwrap()))
        .await
        .unwrap();
    app.clock.advance(SignedDuration::from_secs(60));
    // The masked secret sent back as shown keeps the stored value: no change either.
    let masked = task["task_config"].clone();
    assert_eq!(masked["headers"]["authorization"], "••••op");
    for body in [
        json!({}),
        json!({"version": 1}),
        json!({"name": "Task report", "trigger_config": {"cron": "0 0 * * *"}}),
        json!({"task_config": masked}),
        task.clone(),
    ] {
        assert_eq!(
            put(&app, uuid, body.clone()).await.expect(200),
            task,
            "{body}"
        );
        assert_eq!(
            patch(&app, uuid, body.clone()).await.expect(200),
            task,
            "{body}"
        );
    }
    assert_eq!(history(&app, uuid).await, (1, 1));
    assert_eq!(
        app.support
            .task_row_for_tests(TaskUuid(uuid.parse().unwrap()))
            .await
            .unwrap(),
        row
    );
    // A stale version is a conflict even when nothing would change.
    put(&app, uuid, json!({"version": 7}))
        .await
        .problem(409, "version_conflict");
    // A body that is not an object is no update at all.
    let reply = put(&app, uuid, json!([])).await;
    assert_eq!(reply.fields(), [""]);
    reply.problem(422, "validation_failed");
}

async fn null_resets_an_optional_field_and_is_refused_for_a_required_one(app: TestApp) {
    let mut body = cron_task("report");
    body["description"] = json!("Posts the report");
    body["retry_policy"] =
        json!({"max_retries": 5, "retry_delay_seconds": 10, "backoff": "exponential"});
    body["timeout_seconds"] = json!(90);
    let task = app.create(1, body).await;
    let uuid = task["uuid"].as_str().unwrap();
    let cleared = put(&app, uuid, json!({"description": null}))
        .await
        .expect(200);
    assert_eq!(cleared["description"], Value::Null);
    assert_eq!(cleared["version"], 2);
    let reset = patch(
        &app,
        uuid,
        json!({"retry_policy": null, "timeout_seconds": null}),
    )
    .await
    .expect(200);
    assert_eq!(
        reset["retry_policy"],
        json!({"max_retries": 3, "retry_delay_seconds": 60, "backoff": "fixed"})
    );
    assert_eq!(reset["timeout_seconds"], 30);
    for reply in [
        put(&app, uuid, json!({"name": null, "trigger_config": null})).await,
        patch(&app, uuid, json!({"name": null, "trigger_config": null})).await,
    ] {
        assert_eq!(reply.fields(), ["name", "trigger_config"]);
        let body = reply.problem(422, "validation_failed");
        assert!(
            body["errors"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["code"] == "required")
        );
    }
    assert_eq!(get(&app, uuid).await, reset);
}

async fn a_partial_trigger_config_keeps_its_time_zone(app: TestApp) {
    let task = app.create(1, cron_task("report")).await;
    let uuid = task["uuid"].as_str().unwrap();
    // 12:00Z is 20:00 in Shanghai: the next 09:00 there is 01:00Z tomorrow.
    let shanghai = json!({"cron": "0 9 * * *", "timezone": "Asia/Shanghai"});
    let updated = put(&app, uuid, json!({"trigger_config": {"cron": "0 9 * * *"}}))
        .await
        .expect(200);
    assert_eq!(updated["trigger_config"], shanghai);
    assert_eq!(updated["timezone"], "Asia/Shanghai");
    assert_eq!(updated["next_run_at"], "2026-01-16T01:00:00Z");
    let patched = patch(
        &app,
        uuid,
        json!({"trigger_config": {"cron": "0 10 * * *"}}),
    )
    .await
    .expect(200);
    assert_eq!(patched["trigger_config"]["timezone"], "Asia/Shanghai");
    assert_eq!(patched["next_run_at"], "2026-01-16T02:00:00Z");
    // Other keys of a `PUT`'s trigger_config are taken as sent: an end left out is removed.
    let ending = json!({"cron": "0 10 * * *", "end_at": "2026-06-01T00:00:00Z"});
    let ended = put(&app, uuid, json!({"trigger_config": ending}))
        .await
        .expect(200);
    assert_eq!(ended["trigger_config"]["end_at"], "2026-06-01T00:00:00Z");
    let endless = put(
        &app,
        uuid,
        json!({"trigger_config": {"cron": "0 10 * * *"}}),
    )
    .await
    .expect(200);
    assert_eq!(
        endless["trigger_config"],
        json!({"cron": "0 10 * * *", "timezone": "Asia/Shanghai"})
    );
    // Removing the zone is said explicitly; then the cron computes in UTC.
    let utc = patch(&app, uuid, json!({"trigger_config": {"timezone": null}}))
        .await
        .expect(200);
    assert_eq!(utc["timezone"], "UTC");
    assert_eq!(utc["next_run_at"], "2026-01-16T10:00:00Z");
    // Another trigger type takes the configuration sent, whole.
    let interval = put(
        &app,
        uuid,
        json!({"trigger_type": "interval", "trigger_config": {"seconds": 600}}),
    )
    .await
    .expect(200);
    assert_eq!(
        interval["trigger_config"],
        json!({"seconds": 600, "start_at": "2026-01-15T12:00:00Z"})
    );
}

async fn activating_a_task_that_cannot_fire_is_refused_as_start_refuses_it(app: TestApp) {
    let task = app.create(1, json!({
        "name": "Once", "code": "once", "type": "api_call", "trigger_type": "date", "is_active": false,
        "trigger_config": {"at": "2026-01-15T13:00:00Z"}, "task_config": {"url": "https://example.com/"}
    })).await;
    let uuid = task["uuid"].as_str().unwrap();
    app.clock.advance(SignedDuration::from_hours(2));
    let start = app
        .call(1, Method::POST, &format!("/{uuid}/start"), None)
        .await
        .problem(422, "validation_failed");
    let by_put = put(&app, uuid, json!({"is_active": true}))
        .await
        .problem(422, "validation_failed");
    let by_patch = patch(&app, uuid, json!({"is_active": true}))
        .await
        .problem(422, "validation_failed");
    assert_eq!(start["errors"][0]["code"], "no_future_occurrence");
    assert_eq!(by_put, start);
    assert_eq!(by_patch, start);
    // Other edits of the inactive task still work.
    let renamed = put(&app, uuid, json!({"name": "Done"})).await.expect(200);
    assert_eq!(renamed["is_active"], false);
    assert_eq!(history(&app, uuid).await, (2, 2));
}

async fn patch_merges_nested_objects(app: TestApp) {
    let mut body = cron_task("report");
    body["task_config"]["headers"] =
        json!({"Content-Type": "application/json", "X-A": "1", "X-B": "2"});
    let task = app.create(1, body).await;
    let uuid = task["uuid"].as_str().unwrap();
    let patched = patch(
        &app,
        uuid,
        json!({"task_config": {"headers": {"X-A": null}}}),
    )
    .await
    .expect(200);
    assert_eq!(
        patched["task_config"]["headers"],
        json!({"content-type": "application/json", "x-b": "2"})
    );
    assert_eq!(patched["task_config"]["url"], task["task_config"]["url"]);
    assert_eq!(patched["task_config"]["data"], task["task_config"]["data"]);
    // `application/json` is read as a merge patch too; other types are refused.
    let (reply, _) = send(
        &app,
        Method::PATCH,
        &format!("/{uuid}"),
        &[],
        Some(("application/json", json!({"description": "d"}))),
    )
    .await;
    assert_eq!(reply.expect(200)["description"], "d");
    for content_type in ["application/json-patch+json", "text/plain"] {
        let (reply, _) = send(
            &app,
            Method::PATCH,
            &format!("/{uuid}"),
            &[],
            Some((
                content_type,
                json!([{"op": "remove", "path": "/description"}]),
            )),
        )
        .await;
        reply.problem(415, "unsupported_media_type");
    }
    // The merged task is validated as a whole, every problem at once.
    let reply = patch(
        &app,
        uuid,
        json!({"name": "", "task_config": {"url": "ftp://x/"}, "colour": 1}),
    )
    .await;
    assert_eq!(reply.fields(), ["colour"]);
    reply.problem(400, "unknown_field");
    let reply = patch(
        &app,
        uuid,
        json!({"name": "", "task_config": {"url": "ftp://x/"}}),
    )
    .await;
    assert_eq!(reply.fields(), ["name", "task_config.url"]);
    reply.problem(422, "validation_failed");
}

async fn etags_make_writes_conditional(app: TestApp) {
    let task = app.create(1, cron_task("report")).await;
    let uuid = task["uuid"].as_str().unwrap();
    let path = format!("/{uuid}");
    let (reply, etag) = send(&app, Method::GET, &path, &[], None).await;
    reply.expect(200);
    assert_eq!(etag.as_deref(), Some("\"1\""));

    let rename = |name: &str| Some(("application/json", json!({"name": name})));
    let (reply, etag) = send(
        &app,
        Method::PUT,
        &path,
        &[("If-Match", "\"1\"")],
        rename("A"),
    )
    .await;
    assert_eq!(reply.expect(200)["version"], 2);
    assert_eq!(etag.as_deref(), Some("\"2\""));
    // A stale tag, or a weak one, is a 412 naming the current version; nothing changes.
    for tag in ["\"1\"", "W/\"2\"", "\"9\", \"1\""] {
        let (reply, _) = send(&app, Method::PUT, &path, &[("If-Match", tag)], rename("B")).await;
        let problem = reply.problem(412, "precondition_failed");
        assert!(
            problem["detail"].as_str().unwrap().contains("version 2"),
            "{problem}"
        );
    }
    let (reply, etag) = send(
        &app,
        Method::PATCH,
        &path,
        &[("If-Match", "\"9\", \"2\"")],
        Some((MERGE_PATCH, json!({"name": "C"}))),
    )
    .await;
    assert_eq!(reply.expect(200)["name"], "C");
    assert_eq!(etag.as_deref(), Some("\"3\""));
    let (reply, _) = send(&app, Method::PUT, &path, &[("If-Match", "*")], rename("D")).await;
    reply.expect(200);
    // The body's version still works beside it: a mismatch there is a 409.
    let (reply, _) = send(
        &app,
        Method::PUT,
        &path,
        &[("If-Match", "\"4\"")],
        Some(("application/json", json!({"name": "E", "version": 3}))),
    )
    .await;
    reply.problem(409, "version_conflict");
    // Start, stop and delete take it too, and answer with the new tag.
    for action in ["stop", "start"] {
        let (reply, _) = send(
            &app,
            Method::POST,
            &format!("{path}/{action}"),
            &[("If-Match", "\"3\"")],
            None,
        )
        .await;
        reply.problem(412, "precondition_failed");
    }
    let (reply, etag) = send(
        &app,
        Method::POST,
        &format!("{path}/stop"),
        &[("If-Match", "\"4\"")],
        None,
    )
    .await;
    assert_eq!(reply.expect(200)["is_active"], false);
    assert_eq!(etag.as_deref(), Some("\"5\""));
    let (reply, _) = send(&app, Method::DELETE, &path, &[("If-Match", "\"4\"")], None).await;
    reply.problem(412, "precondition_failed");
    assert_eq!(get(&app, uuid).await["name"], "D");
    let (reply, _) = send(&app, Method::DELETE, &path, &[("If-Match", "\"5\"")], None).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
}

on_both_databases!(
    put_accepts_what_get_returns,
    an_update_that_changes_nothing_writes_nothing,
    null_resets_an_optional_field_and_is_refused_for_a_required_one,
    a_partial_trigger_config_keeps_its_time_zone,
    activating_a_task_that_cannot_fire_is_refused_as_start_refuses_it,
    patch_merges_nested_objects,
    etags_make_writes_conditional,
);
