//! Every task endpoint's success path.

use domain::Role;
use jiff::SignedDuration;
use reqwest::Method;
use serde_json::json;

use store::on_both_databases;

use crate::helpers::{TestApp, cron_task};

async fn create_returns_the_task_with_defaults_and_its_first_occurrence(app: TestApp) {
    let task = app.create(1, cron_task("daily-report")).await;
    assert_eq!(task["name"], "Task daily-report");
    assert_eq!(task["tenant_id"], 1);
    assert_eq!(task["type"], "api_call");
    assert_eq!(
        task["trigger_config"],
        json!({"cron": "0 0 * * *", "timezone": "Asia/Shanghai"})
    );
    assert_eq!(task["timezone"], "Asia/Shanghai");
    assert_eq!(task["dst_policy"], "fixed_time");
    // 12:00Z is 20:00 in Shanghai; the next local midnight is 16:00Z the same day.
    assert_eq!(task["next_run_at"], "2026-01-15T16:00:00Z");
    let uuid = task["uuid"].as_str().unwrap();
    assert_eq!(uuid::Uuid::parse_str(uuid).unwrap().get_version_num(), 7);
    assert_eq!(
        task["inngest_function_id"],
        format!("scheduled-task-{uuid}")
    );
    assert_eq!(task["is_active"], true);
    assert_eq!(task["is_running"], false);
    assert_eq!(task["version"], 1);
    assert_eq!(
        task["retry_policy"],
        json!({"max_retries": 3, "retry_delay_seconds": 60, "backoff": "fixed"})
    );
    assert_eq!(task["timeout_seconds"], 30);
    assert_eq!(task["overlap_policy"], "skip");
    assert_eq!(task["misfire_policy"], "fire_once");
    assert_eq!(task["misfire_grace_seconds"], 60);
    assert_eq!(task["created_by"], "user-1");
    assert_eq!(task["created_at"], "2026-01-15T12:00:00Z");
    assert_eq!(task["last_run_at"], serde_json::Value::Null);

    let fetched = app
        .call(1, Method::GET, &format!("/{uuid}"), None)
        .await
        .expect(200);
    assert_eq!(fetched, task);
}

async fn python_tasks_default_to_a_sixty_second_timeout(app: TestApp) {
    let task = app.create(1, json!({
        "name": "Hello", "code": "hello", "type": "python_script", "trigger_type": "interval",
        "trigger_config": {"seconds": 300}, "task_config": {"script": "print('Hello, World!')"}
    })).await;
    assert_eq!(task["timeout_seconds"], 60);
    assert_eq!(task["dst_policy"], serde_json::Value::Null);
    // An interval is anchored at creation and fires one period later.
    assert_eq!(
        task["trigger_config"],
        json!({"seconds": 300, "start_at": "2026-01-15T12:00:00Z"})
    );
    assert_eq!(task["next_run_at"], "2026-01-15T12:05:00Z");
}

async fn frequent_cron_tasks_state_that_they_fire_at_every_matching_instant(app: TestApp) {
    let mut body = cron_task("frequent");
    body["trigger_config"] = json!({"cron": "*/15 * * * *", "timezone": "Europe/Paris"});
    let task = app.create(1, body).await;
    assert_eq!(task["dst_policy"], "every_match");
    assert_eq!(task["next_run_at"], "2026-01-15T12:15:00Z");
}

async fn date_tasks_fire_at_their_instant(app: TestApp) {
    let task = app.create(1, json!({
        "name": "Once", "code": "once", "type": "api_call", "trigger_type": "date",
        "trigger_config": {"at": "2026-02-01T08:30:00+08:00"}, "task_config": {"url": "https://example.com/"}
    })).await;
    assert_eq!(task["next_run_at"], "2026-02-01T00:30:00Z");
}

async fn inactive_tasks_have_no_next_occurrence(app: TestApp) {
    let mut body = cron_task("paused");
    body["is_active"] = json!(false);
    let task = app.create(1, body).await;
    assert_eq!(task["is_active"], false);
    assert_eq!(task["next_run_at"], serde_json::Value::Null);
}

async fn update_merges_fields_bumps_the_version_and_recomputes_the_next_occurrence(app: TestApp) {
    let task = app.create(1, cron_task("report")).await;
    let uuid = task["uuid"].as_str().unwrap();
    app.clock.advance(SignedDuration::from_secs(60));
    let updated = app.call(1, Method::PUT, &format!("/{uuid}"), Some(json!({
        "version": 1, "name": "Renamed", "trigger_type": "interval", "trigger_config": {"seconds": 90}
    }))).await.expect(200);
    assert_eq!(updated["name"], "Renamed");
    assert_eq!(updated["dst_policy"], serde_json::Value::Null);
    assert_eq!(updated["code"], "report");
    assert_eq!(updated["task_config"], task["task_config"]);
    assert_eq!(updated["version"], 2);
    assert_eq!(
        updated["trigger_config"],
        json!({"seconds": 90, "start_at": "2026-01-15T12:01:00Z"})
    );
    assert_eq!(updated["next_run_at"], "2026-01-15T12:02:30Z");
    assert_eq!(updated["updated_at"], "2026-01-15T12:01:00Z");
    assert_eq!(updated["created_at"], task["created_at"]);
    let fetched = app
        .call(1, Method::GET, &format!("/{uuid}"), None)
        .await
        .expect(200);
    assert_eq!(fetched, updated);
}

async fn a_schedule_notice_shows_in_get_and_list_until_the_next_edit(app: TestApp) {
    let task = app.create(1, cron_task("moved")).await;
    assert_eq!(task["schedule_notice"], serde_json::Value::Null);
    let uuid = task["uuid"].as_str().unwrap();
    let tenant = domain::TenantId::new(1).unwrap();
    let stored = app
        .store
        .get_task(tenant, domain::TaskUuid(uuid.parse().unwrap()))
        .await
        .unwrap()
        .unwrap();
    let notice = domain::ScheduleNotice {
        reason: domain::NoticeReason::CronRulesChanged,
        message: "The next occurrence moved.".into(),
        previous_next_run_at: stored.next_run_at,
        next_run_at: Some("2026-01-16T16:00:00Z".parse().unwrap()),
        noticed_at: "2026-01-15T12:00:00Z".parse().unwrap(),
    };
    assert!(
        app.store
            .set_schedule_notice(&stored, &notice, notice.next_run_at)
            .await
            .unwrap()
    );
    let expected = json!({
        "reason": "cron_rules_changed",
        "message": "The next occurrence moved.",
        "previous_next_run_at": "2026-01-15T16:00:00Z",
        "next_run_at": "2026-01-16T16:00:00Z",
        "noticed_at": "2026-01-15T12:00:00Z",
    });
    let fetched = app
        .call(1, Method::GET, &format!("/{uuid}"), None)
        .await
        .expect(200);
    assert_eq!(fetched["schedule_notice"], expected);
    assert_eq!(fetched["next_run_at"], "2026-01-16T16:00:00Z");
    assert_eq!(fetched["version"], 1, "a notice is not an edit");
    let listed = app
        .call(1, Method::GET, "/list?page=1&page_size=10", None)
        .await
        .expect(200);
    assert_eq!(listed["items"][0]["schedule_notice"], expected);

    app.call(1, Method::POST, &format!("/{uuid}/stop"), None)
        .await
        .expect(200);
    let stopped = app
        .call(1, Method::GET, &format!("/{uuid}"), None)
        .await
        .expect(200);
    assert_eq!(
        stopped["schedule_notice"], expected,
        "stopping is no edit of the schedule"
    );

    let edited = app
        .call(
            1,
            Method::PUT,
            &format!("/{uuid}"),
            Some(json!({"description": "seen"})),
        )
        .await
        .expect(200);
    assert_eq!(edited["schedule_notice"], serde_json::Value::Null);
    let fetched = app
        .call(1, Method::GET, &format!("/{uuid}"), None)
        .await
        .expect(200);
    assert_eq!(fetched["schedule_notice"], serde_json::Value::Null);
}

async fn update_without_a_version_applies_to_the_current_one(app: TestApp) {
    let task = app.create(1, cron_task("report")).await;
    let uuid = task["uuid"].as_str().unwrap();
    let updated = app
        .call(
            1,
            Method::PUT,
            &format!("/{uuid}"),
            Some(json!({"description": "x"})),
        )
        .await
        .expect(200);
    assert_eq!(updated["description"], "x");
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["next_run_at"], task["next_run_at"]);
}

async fn stale_versions_conflict_and_change_nothing(app: TestApp) {
    let task = app.create(1, cron_task("report")).await;
    let uuid = task["uuid"].as_str().unwrap();
    app.call(
        1,
        Method::PUT,
        &format!("/{uuid}"),
        Some(json!({"version": 1, "name": "A"})),
    )
    .await
    .expect(200);
    let conflict = app
        .call(
            1,
            Method::PUT,
            &format!("/{uuid}"),
            Some(json!({"version": 1, "name": "B"})),
        )
        .await;
    conflict.problem(409, "version_conflict");
    let fetched = app
        .call(1, Method::GET, &format!("/{uuid}"), None)
        .await
        .expect(200);
    assert_eq!(fetched["name"], "A");
    assert_eq!(fetched["version"], 2);
}

async fn delete_hides_the_task_everywhere_and_frees_its_code(app: TestApp) {
    let task = app.create(1, cron_task("report")).await;
    let uuid = task["uuid"].as_str().unwrap();
    assert_eq!(
        app.call(1, Method::DELETE, &format!("/{uuid}"), None)
            .await
            .expect(204),
        serde_json::Value::Null
    );
    for path in ["", "/status", "/logs", "/runs", "/versions"] {
        app.call(1, Method::GET, &format!("/{uuid}{path}"), None)
            .await
            .problem(404, "not_found");
    }
    for path in ["/start", "/stop"] {
        app.call(1, Method::POST, &format!("/{uuid}{path}"), None)
            .await
            .problem(404, "not_found");
    }
    app.call(1, Method::DELETE, &format!("/{uuid}"), None)
        .await
        .problem(404, "not_found");
    let list = app.call(1, Method::GET, "/list", None).await.expect(200);
    assert_eq!(list["total"], 0);
    let again = app.create(1, cron_task("report")).await;
    assert_ne!(again["uuid"], task["uuid"]);
}

async fn stop_and_start_toggle_firing_and_start_resumes_from_now(app: TestApp) {
    let task = app
        .create(
            1,
            json!({
                "name": "Tick", "code": "tick", "type": "api_call", "trigger_type": "interval",
                "trigger_config": {"seconds": 600}, "task_config": {"url": "https://example.com/"}
            }),
        )
        .await;
    let uuid = task["uuid"].as_str().unwrap();
    let stopped = app
        .call(1, Method::POST, &format!("/{uuid}/stop"), None)
        .await
        .expect(200);
    assert_eq!(stopped["is_active"], false);
    assert_eq!(stopped["next_run_at"], serde_json::Value::Null);
    assert_eq!(stopped["version"], 2);
    // Stopping a stopped task is a no-op: no new version.
    let again = app
        .call(1, Method::POST, &format!("/{uuid}/stop"), None)
        .await
        .expect(200);
    assert_eq!(again["version"], 2);
    app.clock.advance(SignedDuration::from_secs(3600 + 1));
    let started = app
        .call(1, Method::POST, &format!("/{uuid}/start"), None)
        .await
        .expect(200);
    assert_eq!(started["is_active"], true);
    assert_eq!(started["version"], 3);
    // Anchored at 12:00 every 10 minutes; now is 13:00:01, so the next is 13:10, not a missed one.
    assert_eq!(started["next_run_at"], "2026-01-15T13:10:00Z");
}

async fn starting_a_task_whose_date_has_passed_is_refused(app: TestApp) {
    let task = app.create(1, json!({
        "name": "Once", "code": "once", "type": "api_call", "trigger_type": "date", "is_active": false,
        "trigger_config": {"at": "2026-01-15T13:00:00Z"}, "task_config": {"url": "https://example.com/"}
    })).await;
    let uuid = task["uuid"].as_str().unwrap();
    app.clock.advance(SignedDuration::from_hours(2));
    let reply = app
        .call(1, Method::POST, &format!("/{uuid}/start"), None)
        .await;
    assert_eq!(reply.fields(), ["trigger_config"]);
    reply.problem(422, "validation_failed");
}

async fn status_logs_and_runs_report_an_unrun_task(app: TestApp) {
    let task = app.create(1, cron_task("report")).await;
    let uuid = task["uuid"].as_str().unwrap();
    let status = app
        .call(1, Method::GET, &format!("/{uuid}/status"), None)
        .await
        .expect(200);
    assert_eq!(
        status,
        json!({
            "is_active": true, "is_running": false, "next_run_at": "2026-01-15T16:00:00Z",
            "last_run_at": null, "last_run_status": null, "last_run_outcome": null,
            "last_error": null, "current_run": null, "latest_run": null,
            "stats": {"total": 0, "queued": 0, "running": 0, "succeeded": 0, "failed": 0,
                      "timed_out": 0, "cancelled": 0, "skipped": 0}
        })
    );
    for path in ["logs", "runs"] {
        let page = app
            .call(1, Method::GET, &format!("/{uuid}/{path}?page_size=5"), None)
            .await
            .expect(200);
        assert_eq!(
            page,
            json!({"items": [], "total": 0, "page": 1, "page_size": 5})
        );
    }
    let missing = uuid::Uuid::now_v7();
    app.call(1, Method::GET, &format!("/runs/{missing}"), None)
        .await
        .problem(404, "not_found");
}

async fn versions_record_every_change_with_its_actor(app: TestApp) {
    let task = app.create(1, cron_task("report")).await;
    let uuid = task["uuid"].as_str().unwrap();
    app.call(
        1,
        Method::PUT,
        &format!("/{uuid}"),
        Some(json!({"name": "Second"})),
    )
    .await
    .expect(200);
    app.call_as(
        1,
        Role::Operator,
        Method::POST,
        &format!("/{uuid}/stop"),
        None,
    )
    .await
    .expect(200);
    let versions = app
        .call(1, Method::GET, &format!("/{uuid}/versions"), None)
        .await
        .expect(200);
    assert_eq!(versions["total"], 3);
    let items = versions["items"].as_array().unwrap();
    let actions: Vec<_> = items
        .iter()
        .map(|v| {
            (
                v["version"].as_i64().unwrap(),
                v["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(actions, [(3, "stop"), (2, "update"), (1, "create")]);
    assert_eq!(items[1]["definition"]["name"], "Second");
    assert_eq!(items[2]["definition"]["name"], "Task report");
    assert_eq!(items[0]["definition"]["is_active"], false);
    assert!(items.iter().all(|v| v["actor"] == "user-1"));
}

async fn batch_delete_deletes_the_named_tasks(app: TestApp) {
    let a = app.create(1, cron_task("a")).await;
    let b = app.create(1, cron_task("b")).await;
    let keep = app.create(1, cron_task("keep")).await;
    let reply = app
        .call(
            1,
            Method::POST,
            "/batch-delete",
            Some(json!({
                "uuids": [a["uuid"], b["uuid"], uuid::Uuid::now_v7()]
            })),
        )
        .await
        .expect(200);
    assert_eq!(reply, json!({"deleted": 2}));
    let list = app.call(1, Method::GET, "/list", None).await.expect(200);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["uuid"], keep["uuid"]);
}

async fn preview_shows_the_engines_instants_including_dst(app: TestApp) {
    // 02:30 does not exist in New York on 2026-03-08: it fires once, right after the gap.
    let reply = app.call(1, Method::POST, "/preview", Some(json!({
        "trigger_type": "cron", "trigger_config": {"cron": "30 2 * * *", "timezone": "America/New_York"},
        "from": "2026-03-06T12:00:00Z", "count": 3
    }))).await.expect(200);
    assert_eq!(reply["timezone"], "America/New_York");
    let at: Vec<_> = reply["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["at"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        at,
        [
            "2026-03-07T07:30:00Z",
            "2026-03-08T07:00:00Z",
            "2026-03-09T06:30:00Z"
        ]
    );
    assert_eq!(reply["occurrences"][1]["dst_transition_day"], true);
    assert_eq!(reply["occurrences"][0]["dst_transition_day"], false);
    // Without `from`, instants follow the server's now; the default count is 5.
    let reply = app
        .call(
            1,
            Method::POST,
            "/preview",
            Some(json!({
                "trigger_type": "interval", "trigger_config": {"seconds": 60}
            })),
        )
        .await
        .expect(200);
    let occurrences = reply["occurrences"].as_array().unwrap();
    assert_eq!(occurrences.len(), 5);
    assert_eq!(occurrences[0]["at"], "2026-01-15T12:01:00Z");
}

async fn preview_errors_name_the_field(app: TestApp) {
    let reply = app.call(1, Method::POST, "/preview", Some(json!({
        "trigger_type": "cron", "trigger_config": {"cron": "61 * * * *"}, "count": 0, "from": "yesterday"
    }))).await;
    let mut fields = reply.fields();
    fields.sort();
    assert_eq!(fields, ["count", "from", "trigger_config.cron"]);
    reply.problem(422, "validation_failed");
}

async fn preview_refuses_instants_outside_the_supported_range(app: TestApp) {
    // Leap days from the year 9990 would silently yield nothing: the instant is refused.
    let reply = app.call(1, Method::POST, "/preview", Some(json!({
        "trigger_type": "cron", "trigger_config": {"cron": "0 0 29 2 *"}, "from": "9990-01-01T00:00:00Z"
    }))).await;
    assert_eq!(reply.fields(), ["from"]);
    let problem = reply.problem(422, "validation_failed");
    assert!(
        problem.to_string().contains("2999-12-31T23:59:59Z"),
        "{problem}"
    );
    let reply = app
        .call(
            1,
            Method::POST,
            "/preview",
            Some(json!({
                "trigger_type": "interval", "trigger_config": {"seconds": 10, "jitter_seconds": 10}
            })),
        )
        .await;
    assert_eq!(reply.fields(), ["trigger_config.jitter_seconds"]);
    // The last leap day before the end of the range is the last occurrence.
    let reply = app.call(1, Method::POST, "/preview", Some(json!({
        "trigger_type": "cron", "trigger_config": {"cron": "0 0 29 2 *"}, "from": "2990-01-01T00:00:00Z", "count": 5
    }))).await.expect(200);
    let at: Vec<_> = reply["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["at"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(at, ["2992-02-29T00:00:00Z", "2996-02-29T00:00:00Z"]);
}

async fn health_needs_no_token_and_says_only_up_or_down(app: TestApp) {
    for path in ["/livez", "/readyz", "/healthz"] {
        let reply = app.raw(Method::GET, path, None, None).await.expect(200);
        // Without a python sandbox the node is still ready; nothing else is disclosed.
        assert_eq!(reply, json!({"status": "ok"}), "{path}");
    }
    let response = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap();
    let metrics = response.text().await.unwrap();
    assert!(
        metrics.contains("sundial_sandbox_status{status=\"unavailable\"} 1\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("sundial_sandbox_status{status=\"ready\"} 0\n"),
        "{metrics}"
    );
}

async fn unknown_paths_and_methods_answer_problem_json(app: TestApp) {
    let token = app.token(1, Role::Admin);
    app.raw(Method::GET, "/nope", Some(&token), None)
        .await
        .problem(404, "not_found");
    app.raw(
        Method::PATCH,
        &format!("{}/list", api::TASKS_PREFIX),
        Some(&token),
        None,
    )
    .await
    .problem(405, "method_not_allowed");
}

on_both_databases!(
    create_returns_the_task_with_defaults_and_its_first_occurrence,
    python_tasks_default_to_a_sixty_second_timeout,
    frequent_cron_tasks_state_that_they_fire_at_every_matching_instant,
    date_tasks_fire_at_their_instant,
    inactive_tasks_have_no_next_occurrence,
    update_merges_fields_bumps_the_version_and_recomputes_the_next_occurrence,
    a_schedule_notice_shows_in_get_and_list_until_the_next_edit,
    update_without_a_version_applies_to_the_current_one,
    stale_versions_conflict_and_change_nothing,
    delete_hides_the_task_everywhere_and_frees_its_code,
    stop_and_start_toggle_firing_and_start_resumes_from_now,
    starting_a_task_whose_date_has_passed_is_refused,
    status_logs_and_runs_report_an_unrun_task,
    versions_record_every_change_with_its_actor,
    batch_delete_deletes_the_named_tasks,
    preview_shows_the_engines_instants_including_dst,
    preview_errors_name_the_field,
    preview_refuses_instants_outside_the_supported_range,
    health_needs_no_token_and_says_only_up_or_down,
    unknown_paths_and_methods_answer_problem_json,
);
