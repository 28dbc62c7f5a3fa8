//! Bad input gets a precise problem+json answer naming the field, and nothing is stored.

use domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, cron_task, on_both_backends};

async fn create_fields(app: &TestApp, body: Value) -> Vec<String> {
    let reply = app.call(1, Method::POST, "/", Some(body)).await;
    let fields = reply.fields();
    reply.problem(422, "validation_failed");
    fields
}

fn with(mut body: Value, pointer: &str, value: Value) -> Value {
    *body
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer}")) = value;
    body
}

async fn assert_nothing_stored(app: &TestApp) {
    let list = app.call(1, Method::GET, "/list", None).await.expect(200);
    assert_eq!(list["total"], 0, "{list:#}");
}

on_both_backends! {
    async fn malformed_json_is_a_400(app) {
        let token = app.token(1, Role::Admin);
        let path = format!("{}/", api::TASKS_PREFIX);
        for body in [&b"{"[..], b"not json", b"", b"{\"name\": }"] {
            app.raw(Method::POST, &path, Some(&token), Some(body.to_vec())).await.problem(400, "malformed_json");
        }
        assert_nothing_stored(&app).await;
    }

    async fn unknown_fields_are_a_400_naming_them(app) {
        let mut body = cron_task("x");
        body["colour"] = json!("blue");
        let reply = app.call(1, Method::POST, "/", Some(body)).await;
        assert_eq!(reply.fields(), ["colour"]);
        reply.problem(400, "unknown_field");
        assert_nothing_stored(&app).await;
    }

    async fn server_owned_fields_cannot_be_assigned(app) {
        let task = app.create(1, cron_task("mine")).await;
        let uuid = task["uuid"].as_str().unwrap();
        for (field, value) in [
            ("tenant_id", json!(2)), ("id", json!(1)), ("uuid", json!(uuid::Uuid::now_v7())),
            ("created_at", json!("2020-01-01T00:00:00Z")), ("is_running", json!(true)),
            ("last_run_at", json!("2020-01-01T00:00:00Z")), ("next_run_at", json!("2020-01-01T00:00:00Z")),
            ("inngest_function_id", json!("x")),
        ] {
            let mut body = cron_task(&format!("c-{field}"));
            body[field] = value.clone();
            let reply = app.call(1, Method::POST, "/", Some(body)).await;
            assert_eq!(reply.fields(), [field]);
            reply.problem(400, "forbidden_field");
            let reply = app.call(1, Method::PUT, &format!("/{uuid}"), Some(json!({ field: value }))).await;
            reply.problem(400, "forbidden_field");
        }
        let list = app.call(1, Method::GET, "/list", None).await.expect(200);
        assert_eq!(list["total"], 1);
        assert_eq!(app.call(1, Method::GET, &format!("/{uuid}"), None).await.expect(200), task);
    }

    async fn missing_and_mistyped_fields_name_the_field(app) {
        let mut body = cron_task("x");
        body.as_object_mut().unwrap().remove("name");
        assert_eq!(create_fields(&app, body).await, ["name"]);
        assert_eq!(create_fields(&app, with(cron_task("x"), "/name", json!(5))).await, ["name"]);
        let mut body = cron_task("x");
        body["timeout_seconds"] = json!("thirty");
        assert_eq!(create_fields(&app, body).await, ["timeout_seconds"]);
        assert_nothing_stored(&app).await;
    }

    async fn every_invalid_field_is_reported_at_once(app) {
        let body = json!({
            "name": "", "code": "has space", "type": "shell", "trigger_type": "cron",
            "trigger_config": {"cron": "* * *"}, "task_config": {},
            "overlap_policy": "sometimes", "misfire_policy": "never", "timeout_seconds": 0,
            "retry_policy": {"max_retries": 1000}
        });
        let mut fields = create_fields(&app, body).await;
        fields.sort();
        assert_eq!(fields, [
            "code", "misfire_policy", "name", "overlap_policy", "retry_policy.max_retries",
            "timeout_seconds", "trigger_config.cron", "type",
        ]);
    }

    async fn triggers_are_validated(app) {
        let cases = [
            (json!({"cron": "61 * * * *"}), "trigger_config.cron"),
            (json!({"cron": "@reboot"}), "trigger_config.cron"),
            (json!({"cron": "0 0 * * * * 2030"}), "trigger_config.cron"),
            (json!({"cron": "0 0 * * *", "timezone": "Mars/Olympus"}), "trigger_config.timezone"),
            (json!({"cron": "0 0 * * *", "colour": 1}), "trigger_config.colour"),
            (json!({"cron": "0 0 * * *", "start_at": "2027-01-01T00:00:00Z", "end_at": "2026-06-01T00:00:00Z"}), "trigger_config.end_at"),
            (json!({"cron": "0 0 * * *", "jitter_seconds": -1}), "trigger_config.jitter_seconds"),
            // The supported range ends at 2999-12-31T23:59:59Z.
            (json!({"cron": "0 0 * * *", "start_at": "3000-01-01T00:00:00Z"}), "trigger_config.start_at"),
            (json!({"cron": "0 0 * * *", "end_at": "9999-01-01T00:00:00Z"}), "trigger_config.end_at"),
            // Jitter stays below the shortest time between two occurrences (5 minutes here).
            (json!({"cron": "*/5 * * * *", "jitter_seconds": 300}), "trigger_config.jitter_seconds"),
        ];
        for (config, field) in cases {
            assert_eq!(create_fields(&app, with(cron_task("x"), "/trigger_config", config.clone())).await, [field], "{config}");
        }
        let interval = |config: Value| with(with(cron_task("x"), "/trigger_type", json!("interval")), "/trigger_config", config);
        for seconds in [json!(0), json!(-5), json!(1.5), json!("60")] {
            assert_eq!(create_fields(&app, interval(json!({"seconds": seconds}))).await, ["trigger_config.seconds"]);
        }
        assert_eq!(create_fields(&app, interval(json!({"seconds": 60, "jitter_seconds": 60}))).await, ["trigger_config.jitter_seconds"]);
        assert_eq!(create_fields(&app, interval(json!({"seconds": 60, "start_at": "1969-12-31T23:59:59Z"}))).await, ["trigger_config.start_at"]);
        let date = |config: Value| with(with(cron_task("x"), "/trigger_type", json!("date")), "/trigger_config", config);
        assert_eq!(create_fields(&app, date(json!({"at": "2020-01-01T00:00:00Z"}))).await, ["trigger_config.at"]);
        assert_eq!(create_fields(&app, date(json!({"at": "2027-01-01T00:00:00"}))).await, ["trigger_config.at"]);
        assert_eq!(create_fields(&app, date(json!({"at": "3000-01-01T00:00:00Z"}))).await, ["trigger_config.at"]);
        assert_eq!(create_fields(&app, with(cron_task("x"), "/trigger_type", json!("weekly"))).await, ["trigger_type"]);
        assert_nothing_stored(&app).await;
    }

    async fn api_call_configs_are_validated(app) {
        let api_call = |config: Value| with(cron_task("x"), "/task_config", config);
        let cases = [
            (json!({"url": "file:///etc/passwd"}), "task_config.url"),
            (json!({"url": "gopher://127.0.0.1:6379/_INFO"}), "task_config.url"),
            (json!({"url": "http://user:pass@example.com/"}), "task_config.url"),
            (json!({"url": "http://127.0.0.1:65536/"}), "task_config.url"),
            (json!({"url": format!("https://example.com/{}", "a".repeat(100 * 1024))}), "task_config.url"),
            (json!({"url": "https://example.com/", "method": "TRACE"}), "task_config.method"),
            (json!({"url": "https://example.com/", "headers": {"Host": "169.254.169.254"}}), "task_config.headers.Host"),
            (json!({"url": "https://example.com/", "headers": {"X-A": "a\r\nX-B: b"}}), "task_config.headers.X-A"),
            (json!({"url": "https://example.com/", "headers": {"Transfer-Encoding": "chunked"}}), "task_config.headers.Transfer-Encoding"),
            (json!({"method": "GET"}), "task_config.url"),
        ];
        for (config, field) in cases {
            assert_eq!(create_fields(&app, api_call(config.clone())).await, [field], "{config}");
        }
        let mut deep = json!("leaf");
        for _ in 0..100 {
            deep = json!({ "d": deep });
        }
        assert_eq!(create_fields(&app, api_call(json!({"url": "https://example.com/", "data": deep}))).await, ["task_config.data"]);
        assert_nothing_stored(&app).await;
    }

    async fn python_configs_are_validated(app) {
        let python = |config: Value| with(with(cron_task("x"), "/type", json!("python_script")), "/task_config", config);
        assert_eq!(create_fields(&app, python(json!({"script": "print(1)\u{0}"}))).await, ["task_config.script"]);
        assert_eq!(create_fields(&app, python(json!({"script": "#".repeat(65 * 1024)}))).await, ["task_config.script"]);
        assert_eq!(create_fields(&app, python(json!({"url": "https://example.com/"}))).await.len(), 2);
        assert_nothing_stored(&app).await;
    }

    async fn oversized_bodies_are_a_413(app) {
        let mut body = cron_task("x");
        body["description"] = json!("x".repeat(2 * 1024 * 1024));
        app.call(1, Method::POST, "/", Some(body)).await.problem(413, "payload_too_large");
        assert_nothing_stored(&app).await;
    }

    async fn duplicate_codes_conflict_until_the_task_is_deleted(app) {
        let first = app.create(1, cron_task("report")).await;
        let reply = app.call(1, Method::POST, "/", Some(cron_task("report"))).await;
        assert_eq!(reply.fields(), ["code"]);
        reply.problem(409, "duplicate_code");
        let other = app.create(1, cron_task("other")).await;
        let uuid = other["uuid"].as_str().unwrap();
        app.call(1, Method::PUT, &format!("/{uuid}"), Some(json!({"code": "report"}))).await.problem(409, "duplicate_code");
        app.call(1, Method::DELETE, &format!("/{}", first["uuid"].as_str().unwrap()), None).await.expect(204);
        app.create(1, cron_task("report")).await;
    }

    async fn invalid_updates_change_nothing(app) {
        let task = app.create(1, cron_task("report")).await;
        let uuid = task["uuid"].as_str().unwrap();
        let reply = app.call(1, Method::PUT, &format!("/{uuid}"), Some(json!({"trigger_config": {"cron": "bad"}}))).await;
        assert_eq!(reply.fields(), ["trigger_config.cron"]);
        reply.problem(422, "validation_failed");
        app.call(1, Method::PUT, &format!("/{uuid}"), Some(json!({"version": "one"}))).await.problem(422, "validation_failed");
        assert_eq!(app.call(1, Method::GET, &format!("/{uuid}"), None).await.expect(200), task);
    }

    async fn bad_list_queries_are_a_400_naming_the_parameter(app) {
        for (query, field) in [
            ("page=0", "page"), ("page=x", "page"), ("page_size=101", "page_size"), ("page_size=0", "page_size"),
            ("sort=-colour", "sort"), ("type=shell", "type"), ("trigger_type=weekly", "trigger_type"),
            ("is_active=maybe", "is_active"), ("last_run_status=great", "last_run_status"),
        ] {
            let reply = app.call(1, Method::GET, &format!("/list?{query}"), None).await;
            assert_eq!(reply.fields(), [field], "{query}");
            reply.problem(400, "invalid_query");
        }
    }

    async fn batch_delete_bounds_its_input(app) {
        app.call(1, Method::POST, "/batch-delete", Some(json!({"uuids": []}))).await.problem(422, "validation_failed");
        app.call(1, Method::POST, "/batch-delete", Some(json!({"uuids": ["not-a-uuid"]}))).await.problem(422, "validation_failed");
        let many: Vec<_> = (0..1001).map(|_| uuid::Uuid::now_v7()).collect();
        app.call(1, Method::POST, "/batch-delete", Some(json!({ "uuids": many }))).await.problem(422, "validation_failed");
    }
}
