//! Bad input gets a precise problem+json answer naming the field, and nothing is stored.

use domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

use store::on_both_databases;

use crate::helpers::{TestApp, cron_task};

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

async fn malformed_json_is_a_400(app: TestApp) {
    let token = app.token(1, Role::Admin);
    let path = format!("{}/", api::TASKS_PREFIX);
    for body in [&b"{"[..], b"not json", b"", b"{\"name\": }"] {
        app.raw(Method::POST, &path, Some(&token), Some(body.to_vec()))
            .await
            .problem(400, "malformed_json");
    }
    assert_nothing_stored(&app).await;
}

async fn unknown_fields_are_a_400_naming_them(app: TestApp) {
    let mut body = cron_task("x");
    body["colour"] = json!("blue");
    let reply = app.call(1, Method::POST, "/", Some(body)).await;
    assert_eq!(reply.fields(), ["colour"]);
    reply.problem(400, "unknown_field");
    assert_nothing_stored(&app).await;
}

async fn server_owned_fields_cannot_be_assigned(app: TestApp) {
    let task = app.create(1, cron_task("mine")).await;
    let uuid = task["uuid"].as_str().unwrap();
    // An update ignores what `GET` shows of the server's state, but never takes another
    // tenant or task, nor a field `GET` does not show.
    for (field, value, refused_by_update) in [
        ("tenant_id", json!(2), true),
        ("id", json!(1), true),
        ("uuid", json!(uuid::Uuid::now_v7()), true),
        ("created_at", json!("2020-01-01T00:00:00Z"), false),
        ("is_running", json!(true), false),
        ("last_run_at", json!("2020-01-01T00:00:00Z"), false),
        ("next_run_at", json!("2020-01-01T00:00:00Z"), false),
        ("inngest_function_id", json!("x"), false),
    ] {
        let mut body = cron_task(&format!("c-{field}"));
        body[field] = value.clone();
        let reply = app.call(1, Method::POST, "/", Some(body)).await;
        assert_eq!(reply.fields(), [field]);
        reply.problem(400, "forbidden_field");
        let reply = app
            .call(
                1,
                Method::PUT,
                &format!("/{uuid}"),
                Some(json!({ field: value })),
            )
            .await;
        if refused_by_update {
            assert_eq!(reply.fields(), [field]);
            reply.problem(400, "forbidden_field");
        } else {
            assert_eq!(reply.expect(200), task, "{field} is ignored");
        }
    }
    let list = app.call(1, Method::GET, "/list", None).await.expect(200);
    assert_eq!(list["total"], 1);
    assert_eq!(
        app.call(1, Method::GET, &format!("/{uuid}"), None)
            .await
            .expect(200),
        task
    );
}

async fn missing_and_mistyped_fields_name_the_field(app: TestApp) {
    let mut body = cron_task("x");
    body.as_object_mut().unwrap().remove("name");
    assert_eq!(create_fields(&app, body).await, ["name"]);
    assert_eq!(
        create_fields(&app, with(cron_task("x"), "/name", json!(5))).await,
        ["name"]
    );
    let mut body = cron_task("x");
    body["timeout_seconds"] = json!("thirty");
    assert_eq!(create_fields(&app, body).await, ["timeout_seconds"]);
    assert_nothing_stored(&app).await;
}

async fn every_invalid_field_is_reported_at_once(app: TestApp) {
    let body = json!({
        "name": "", "code": "has space", "type": "shell", "trigger_type": "cron",
        "trigger_config": {"cron": "* * *"}, "task_config": {},
        "overlap_policy": "sometimes", "misfire_policy": "never", "timeout_seconds": 0,
        "retry_policy": {"max_retries": 1000}
    });
    let mut fields = create_fields(&app, body).await;
    fields.sort();
    assert_eq!(
        fields,
        [
            "code",
            "misfire_policy",
            "name",
            "overlap_policy",
            "retry_policy.max_retries",
            "timeout_seconds",
            "trigger_config.cron",
            "type",
        ]
    );
}

async fn triggers_are_validated(app: TestApp) {
    let cases = [
        (json!({"cron": "61 * * * *"}), "trigger_config.cron"),
        (json!({"cron": "@reboot"}), "trigger_config.cron"),
        (json!({"cron": "0 0 * * * * 2030"}), "trigger_config.cron"),
        (
            json!({"cron": "0 0 * * *", "timezone": "Mars/Olympus"}),
            "trigger_config.timezone",
        ),
        (
            json!({"cron": "0 0 * * *", "start_at": "2027-01-01T00:00:00Z", "end_at": "2026-06-01T00:00:00Z"}),
            "trigger_config.end_at",
        ),
        (
            json!({"cron": "0 0 * * *", "jitter_seconds": -1}),
            "trigger_config.jitter_seconds",
        ),
        // The supported range ends at 2999-12-31T23:59:59Z.
        (
            json!({"cron": "0 0 * * *", "start_at": "3000-01-01T00:00:00Z"}),
            "trigger_config.start_at",
        ),
        (
            json!({"cron": "0 0 * * *", "end_at": "9999-01-01T00:00:00Z"}),
            "trigger_config.end_at",
        ),
        // Jitter stays below the shortest time between two occurrences (5 minutes here).
        (
            json!({"cron": "*/5 * * * *", "jitter_seconds": 300}),
            "trigger_config.jitter_seconds",
        ),
    ];
    for (config, field) in cases {
        assert_eq!(
            create_fields(
                &app,
                with(cron_task("x"), "/trigger_config", config.clone())
            )
            .await,
            [field],
            "{config}"
        );
    }
    // A key a trigger does not have is a field the request may not have.
    let colour = with(
        cron_task("x"),
        "/trigger_config",
        json!({"cron": "0 0 * * *", "colour": 1}),
    );
    let reply = app.call(1, Method::POST, "/", Some(colour)).await;
    assert_eq!(reply.fields(), ["trigger_config.colour"]);
    reply.problem(400, "unknown_field");
    let interval = |config: Value| {
        with(
            with(cron_task("x"), "/trigger_type", json!("interval")),
            "/trigger_config",
            config,
        )
    };
    for seconds in [json!(0), json!(-5), json!(1.5), json!("60")] {
        assert_eq!(
            create_fields(&app, interval(json!({"seconds": seconds}))).await,
            ["trigger_config.seconds"]
        );
    }
    assert_eq!(
        create_fields(&app, interval(json!({"seconds": 60, "jitter_seconds": 60}))).await,
        ["trigger_config.jitter_seconds"]
    );
    assert_eq!(
        create_fields(
            &app,
            interval(json!({"seconds": 60, "start_at": "1969-12-31T23:59:59Z"}))
        )
        .await,
        ["trigger_config.start_at"]
    );
    let date = |config: Value| {
        with(
            with(cron_task("x"), "/trigger_type", json!("date")),
            "/trigger_config",
            config,
        )
    };
    assert_eq!(
        create_fields(&app, date(json!({"at": "2020-01-01T00:00:00Z"}))).await,
        ["trigger_config.at"]
    );
    assert_eq!(
        create_fields(&app, date(json!({"at": "2027-01-01T00:00:00"}))).await,
        ["trigger_config.at"]
    );
    assert_eq!(
        create_fields(&app, date(json!({"at": "3000-01-01T00:00:00Z"}))).await,
        ["trigger_config.at"]
    );
    assert_eq!(
        create_fields(&app, with(cron_task("x"), "/trigger_type", json!("weekly"))).await,
        ["trigger_type"]
    );
    assert_nothing_stored(&app).await;
}

async fn api_call_configs_are_validated(app: TestApp) {
    let api_call = |config: Value| with(cron_task("x"), "/task_config", config);
    let cases = [
        (json!({"url": "file:///etc/passwd"}), "task_config.url"),
        (
            json!({"url": "gopher://127.0.0.1:6379/_INFO"}),
            "task_config.url",
        ),
        (
            json!({"url": "http://user:pass@example.com/"}),
            "task_config.url",
        ),
        (json!({"url": "http://127.0.0.1:65536/"}), "task_config.url"),
        (
            json!({"url": format!("https://example.com/{}", "a".repeat(100 * 1024))}),
            "task_config.url",
        ),
        (
            json!({"url": "https://example.com/", "method": "TRACE"}),
            "task_config.method",
        ),
        (
            json!({"url": "https://example.com/", "headers": {"Host": "169.254.169.254"}}),
            "task_config.headers.Host",
        ),
        (
            json!({"url": "https://example.com/", "headers": {"X-A": "a\r\nX-B: b"}}),
            "task_config.headers.X-A",
        ),
        (
            json!({"url": "https://example.com/", "headers": {"Transfer-Encoding": "chunked"}}),
            "task_config.headers.Transfer-Encoding",
        ),
        (json!({"method": "GET"}), "task_config.url"),
    ];
    for (config, field) in cases {
        assert_eq!(
            create_fields(&app, api_call(config.clone())).await,
            [field],
            "{config}"
        );
    }
    let mut deep = json!("leaf");
    for _ in 0..100 {
        deep = json!({ "d": deep });
    }
    assert_eq!(
        create_fields(
            &app,
            api_call(json!({"url": "https://example.com/", "data": deep}))
        )
        .await,
        ["task_config.data"]
    );
    assert_nothing_stored(&app).await;
}

async fn python_configs_are_validated(app: TestApp) {
    let python = |config: Value| {
        with(
            with(cron_task("x"), "/type", json!("python_script")),
            "/task_config",
            config,
        )
    };
    assert_eq!(
        create_fields(&app, python(json!({"script": "print(1)\u{0}"}))).await,
        ["task_config.script"]
    );
    assert_eq!(
        create_fields(&app, python(json!({"script": "#".repeat(65 * 1024)}))).await,
        ["task_config.script"]
    );
    // A key of another task type is a field the request may not have; it comes first.
    let reply = app
        .call(
            1,
            Method::POST,
            "/",
            Some(python(json!({"url": "https://example.com/"}))),
        )
        .await;
    assert_eq!(reply.fields(), ["task_config.url"]);
    reply.problem(400, "unknown_field");
    assert_eq!(
        create_fields(&app, python(json!({}))).await,
        ["task_config.script"]
    );
    assert_nothing_stored(&app).await;
}

async fn oversized_bodies_are_a_413(app: TestApp) {
    let mut body = cron_task("x");
    body["description"] = json!("x".repeat(2 * 1024 * 1024));
    app.call(1, Method::POST, "/", Some(body))
        .await
        .problem(413, "payload_too_large");
    assert_nothing_stored(&app).await;
}

async fn duplicate_codes_conflict_until_the_task_is_deleted(app: TestApp) {
    let first = app.create(1, cron_task("report")).await;
    let reply = app
        .call(1, Method::POST, "/", Some(cron_task("report")))
        .await;
    assert_eq!(reply.fields(), ["code"]);
    reply.problem(409, "duplicate_code");
    let other = app.create(1, cron_task("other")).await;
    let uuid = other["uuid"].as_str().unwrap();
    app.call(
        1,
        Method::PUT,
        &format!("/{uuid}"),
        Some(json!({"code": "report"})),
    )
    .await
    .problem(409, "duplicate_code");
    app.call(
        1,
        Method::DELETE,
        &format!("/{}", first["uuid"].as_str().unwrap()),
        None,
    )
    .await
    .expect(204);
    app.create(1, cron_task("report")).await;
}

async fn invalid_updates_change_nothing(app: TestApp) {
    let task = app.create(1, cron_task("report")).await;
    let uuid = task["uuid"].as_str().unwrap();
    let reply = app
        .call(
            1,
            Method::PUT,
            &format!("/{uuid}"),
            Some(json!({"trigger_config": {"cron": "bad"}})),
        )
        .await;
    assert_eq!(reply.fields(), ["trigger_config.cron"]);
    reply.problem(422, "validation_failed");
    app.call(
        1,
        Method::PUT,
        &format!("/{uuid}"),
        Some(json!({"version": "one"})),
    )
    .await
    .problem(422, "validation_failed");
    assert_eq!(
        app.call(1, Method::GET, &format!("/{uuid}"), None)
            .await
            .expect(200),
        task
    );
}

async fn bad_list_queries_are_a_400_naming_the_parameter(app: TestApp) {
    for (query, field) in [
        ("page=0", "page"),
        ("page=x", "page"),
        ("page_size=101", "page_size"),
        ("page_size=0", "page_size"),
        ("sort=-colour", "sort"),
        ("type=shell", "type"),
        ("trigger_type=weekly", "trigger_type"),
        ("is_active=maybe", "is_active"),
        ("last_run_status=great", "last_run_status"),
    ] {
        let reply = app
            .call(1, Method::GET, &format!("/list?{query}"), None)
            .await;
        assert_eq!(reply.fields(), [field], "{query}");
        reply.problem(400, "invalid_query");
    }
}

async fn batch_delete_bounds_its_input(app: TestApp) {
    app.call(1, Method::POST, "/batch-delete", Some(json!({"uuids": []})))
        .await
        .problem(422, "validation_failed");
    app.call(
        1,
        Method::POST,
        "/batch-delete",
        Some(json!({"uuids": ["not-a-uuid"]})),
    )
    .await
    .problem(422, "validation_failed");
    let many: Vec<_> = (0..1001).map(|_| uuid::Uuid::now_v7()).collect();
    app.call(
        1,
        Method::POST,
        "/batch-delete",
        Some(json!({ "uuids": many })),
    )
    .await
    .problem(422, "validation_failed");
}

/// `(field, code)` of every error of a problem, and each error's parameters.
fn errors(body: &Value) -> Vec<(String, String, Value)> {
    body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {body:#}"))
        .iter()
        .map(|e| {
            let mut params = e.as_object().unwrap().clone();
            let field = params.remove("field").unwrap().as_str().unwrap().to_owned();
            let code = params.remove("code").unwrap().as_str().unwrap().to_owned();
            assert!(
                params.remove("message").is_some_and(|m| m.is_string()),
                "{e}"
            );
            let documented = api::openapi()["components"]["schemas"]["FieldErrorCode"]["enum"]
                .as_array()
                .unwrap()
                .contains(&json!(code));
            assert!(documented, "{code} is not in the document");
            (field, code, Value::Object(params))
        })
        .collect()
}

fn sorted(mut errors: Vec<(String, String, Value)>) -> Vec<(String, String, Value)> {
    errors.sort_by(|a, b| a.0.cmp(&b.0));
    errors
}

fn error(field: &str, code: &str, params: Value) -> (String, String, Value) {
    (field.to_owned(), code.to_owned(), params)
}

async fn an_empty_body_names_every_required_field(app: TestApp) {
    let body = app
        .call(1, Method::POST, "/", Some(json!({})))
        .await
        .problem(422, "validation_failed");
    let required: Vec<_> = [
        "code",
        "name",
        "task_config",
        "trigger_config",
        "trigger_type",
        "type",
    ]
    .into_iter()
    .map(|f| error(f, "required", json!({})))
    .collect();
    assert_eq!(sorted(errors(&body)), required);
    assert_nothing_stored(&app).await;
}

async fn missing_mistyped_and_out_of_range_fields_come_in_one_answer(app: TestApp) {
    let body = json!({"name": 5, "timeout_seconds": 0});
    let problem = app
        .call(1, Method::POST, "/", Some(body.clone()))
        .await
        .problem(422, "validation_failed");
    let mut expected: Vec<_> = [
        "code",
        "task_config",
        "trigger_config",
        "trigger_type",
        "type",
    ]
    .into_iter()
    .map(|f| error(f, "required", json!({})))
    .collect();
    expected.push(error("name", "invalid_type", json!({"expected": "string"})));
    expected.push(error(
        "timeout_seconds",
        "out_of_range",
        json!({"min": 1, "max": 86400}),
    ));
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(sorted(errors(&problem)), expected);
    // A field the request may not have takes precedence: the 400 alone, every such field.
    let mut extra = body;
    extra["colour"] = json!(1);
    extra["next_run_at"] = json!(null);
    let problem = app
        .call(1, Method::POST, "/", Some(extra))
        .await
        .problem(400, "unknown_field");
    assert_eq!(
        sorted(errors(&problem)),
        [
            error("colour", "unknown_field", json!({})),
            error("next_run_at", "forbidden_field", json!({})),
        ]
    );
    assert_nothing_stored(&app).await;
}

async fn fields_a_request_may_not_have_come_first_and_all_at_once(app: TestApp) {
    let body = json!({
        "name": 5, "colour": "blue", "uuid": uuid::Uuid::now_v7(), "timezone": "UTC",
        "type": "api_call", "trigger_type": "cron",
        "trigger_config": {"cron": "bad", "shade": 2},
        "task_config": {"url": "https://api.example.com/", "script": "print(1)"},
        "retry_policy": {"tries": 3},
    });
    let problem = app
        .call(1, Method::POST, "/", Some(body.clone()))
        .await
        .problem(400, "unknown_field");
    assert_eq!(
        sorted(errors(&problem)),
        [
            error("colour", "unknown_field", json!({})),
            error("retry_policy.tries", "unknown_field", json!({})),
            error("task_config.script", "unknown_field", json!({})),
            error("timezone", "forbidden_field", json!({})),
            error("trigger_config.shade", "unknown_field", json!({})),
            error("uuid", "forbidden_field", json!({})),
        ]
    );
    // The same in an update, and in the tasks of an import (named by their index).
    let task = app.create(1, cron_task("x")).await;
    let path = format!("/{}", task["uuid"].as_str().unwrap());
    let problem = app
        .call(
            1,
            Method::PUT,
            &path,
            Some(json!({"colour": 1, "created_at": "2026-01-01T00:00:00Z", "tenant_id": 2, "name": 5})),
        )
        .await
        .problem(400, "unknown_field");
    assert_eq!(
        sorted(errors(&problem)),
        [
            error("colour", "unknown_field", json!({})),
            error("tenant_id", "forbidden_field", json!({})),
        ]
    );
    let import = json!({"tasks": [cron_task("a"), body, {"name": 5, "next_run_at": null}]});
    let problem = app
        .call(1, Method::POST, "/import", Some(import))
        .await
        .problem(400, "unknown_field");
    let fields: Vec<_> = errors(&problem).into_iter().map(|e| e.0).collect();
    assert_eq!(
        fields,
        [
            "tasks[1].colour",
            "tasks[1].timezone",
            "tasks[1].uuid",
            "tasks[1].retry_policy.tries",
            "tasks[1].trigger_config.shade",
            "tasks[1].task_config.script",
            "tasks[2].next_run_at",
        ]
    );
    // Only fields the server sets: the problem says so.
    let mut owned = cron_task("y");
    owned["uuid"] = json!(uuid::Uuid::now_v7());
    owned["version"] = json!(3);
    let problem = app
        .call(1, Method::POST, "/", Some(owned))
        .await
        .problem(400, "unknown_field");
    assert_eq!(
        sorted(errors(&problem)),
        [
            error("uuid", "forbidden_field", json!({})),
            error("version", "unknown_field", json!({})),
        ]
    );
    let mut owned = cron_task("y");
    owned["next_run_at"] = json!(null);
    app.call(1, Method::POST, "/", Some(owned))
        .await
        .problem(400, "forbidden_field");
}

async fn every_value_problem_is_listed_with_its_code_and_parameters(app: TestApp) {
    let body = json!({
        "name": "n".repeat(101), "code": 5, "description": "d".repeat(2001), "type": "shell",
        "trigger_type": "cron",
        "trigger_config": {"cron": "61 * * * *", "timezone": "Mars/Olympus", "jitter_seconds": 4000, "end_at": "2020-01-01T00:00:00Z"},
        "task_config": {"url": "ftp://example.com/"},
        "is_active": "yes", "timeout_seconds": 0, "misfire_grace_seconds": "soon",
        "overlap_policy": "sometimes",
        "retry_policy": {"max_retries": "3", "backoff": "linear", "retry_delay_seconds": 90000},
    });
    let problem = app
        .call(1, Method::POST, "/", Some(body))
        .await
        .problem(422, "validation_failed");
    assert_eq!(
        sorted(errors(&problem)),
        [
            error("code", "invalid_type", json!({"expected": "string"})),
            error("description", "too_long", json!({"max": 2000})),
            error("is_active", "invalid_type", json!({"expected": "boolean"})),
            error(
                "misfire_grace_seconds",
                "invalid_type",
                json!({"expected": "integer"})
            ),
            error("name", "too_long", json!({"max": 100})),
            error(
                "overlap_policy",
                "not_one_of",
                json!({"allowed": ["skip", "allow", "queue_one", "replace"]})
            ),
            error(
                "retry_policy.backoff",
                "not_one_of",
                json!({"allowed": ["fixed", "exponential"]})
            ),
            error(
                "retry_policy.max_retries",
                "invalid_type",
                json!({"expected": "integer"})
            ),
            error(
                "retry_policy.retry_delay_seconds",
                "out_of_range",
                json!({"min": 0, "max": 86400})
            ),
            error(
                "timeout_seconds",
                "out_of_range",
                json!({"min": 1, "max": 86400})
            ),
            error("trigger_config.cron", "invalid_cron", json!({})),
            error(
                "trigger_config.jitter_seconds",
                "out_of_range",
                json!({"min": 0, "max": 3600})
            ),
            error("trigger_config.timezone", "unknown_timezone", json!({})),
            error(
                "type",
                "not_one_of",
                json!({"allowed": ["api_call", "python_script"]})
            ),
        ]
    );
    // What needs a valid trigger or config is judged once those parse.
    let body = json!({
        "name": "", "code": "x".repeat(51), "type": "api_call", "trigger_type": "date",
        "trigger_config": {"at": "2020-01-01T00:00:00Z"},
        "task_config": {"url": "http://127.0.0.1/", "headers": {"Host": "a", "X-A": "a\nb"}},
    });
    let problem = app
        .call(1, Method::POST, "/", Some(body))
        .await
        .problem(422, "validation_failed");
    assert_eq!(
        sorted(errors(&problem)),
        [
            error("code", "too_long", json!({"max": 50})),
            error("name", "too_short", json!({"min": 1})),
            error("task_config.headers.Host", "reserved", json!({})),
            error("task_config.headers.X-A", "invalid_format", json!({})),
            error("trigger_config.at", "in_the_past", json!({})),
        ]
    );
    assert_nothing_stored(&app).await;
}

async fn an_update_lists_every_value_problem_too(app: TestApp) {
    let task = app.create(1, cron_task("x")).await;
    let path = format!("/{}", task["uuid"].as_str().unwrap());
    let reply = app.call(1, Method::PUT, &path, Some(json!({"name": 5, "timeout_seconds": 0, "version": "one", "trigger_config": {"cron": "bad"}}))).await;
    let problem = reply.problem(422, "validation_failed");
    assert_eq!(
        sorted(errors(&problem)),
        [
            error("name", "invalid_type", json!({"expected": "string"})),
            error(
                "timeout_seconds",
                "out_of_range",
                json!({"min": 1, "max": 86400})
            ),
            error("trigger_config.cron", "invalid_cron", json!({})),
            error("version", "invalid_type", json!({"expected": "integer"})),
        ]
    );
    assert_eq!(
        app.call(1, Method::GET, &path, None).await.expect(200),
        task
    );
}

async fn an_import_lists_the_problems_of_every_task(app: TestApp) {
    let mut negative = cron_task("c");
    negative["timeout_seconds"] = json!(-1);
    let import = json!({"tasks": [cron_task("a"), {"name": "b"}, negative]});
    let problem = app
        .call(1, Method::POST, "/import", Some(import))
        .await
        .problem(422, "validation_failed");
    let fields: Vec<_> = errors(&problem).into_iter().map(|e| (e.0, e.1)).collect();
    let expect = |f: &str, c: &str| (f.to_owned(), c.to_owned());
    assert_eq!(
        fields,
        [
            expect("tasks[1].code", "required"),
            expect("tasks[1].type", "required"),
            expect("tasks[1].trigger_type", "required"),
            expect("tasks[1].trigger_config", "required"),
            expect("tasks[1].task_config", "required"),
            expect("tasks[2].timeout_seconds", "out_of_range"),
        ]
    );
    let empty = app
        .call(1, Method::POST, "/import", Some(json!({"tasks": []})))
        .await
        .problem(422, "validation_failed");
    assert_eq!(
        errors(&empty),
        [error("tasks", "too_few", json!({"min": 1}))]
    );
    assert_nothing_stored(&app).await;
}

async fn query_errors_carry_codes(app: TestApp) {
    let problem = app
        .call(
            1,
            Method::GET,
            "/list?page_size=101&type=shell&is_active=maybe",
            None,
        )
        .await
        .problem(400, "invalid_query");
    assert_eq!(
        sorted(errors(&problem)),
        [
            error("is_active", "invalid_type", json!({"expected": "boolean"})),
            error("page_size", "out_of_range", json!({"min": 1, "max": 100})),
            error(
                "type",
                "not_one_of",
                json!({"allowed": ["api_call", "python_script"]})
            ),
        ]
    );
}

on_both_databases!(
    malformed_json_is_a_400,
    unknown_fields_are_a_400_naming_them,
    server_owned_fields_cannot_be_assigned,
    missing_and_mistyped_fields_name_the_field,
    every_invalid_field_is_reported_at_once,
    triggers_are_validated,
    api_call_configs_are_validated,
    python_configs_are_validated,
    oversized_bodies_are_a_413,
    duplicate_codes_conflict_until_the_task_is_deleted,
    invalid_updates_change_nothing,
    bad_list_queries_are_a_400_naming_the_parameter,
    batch_delete_bounds_its_input,
    an_empty_body_names_every_required_field,
    missing_mistyped_and_out_of_range_fields_come_in_one_answer,
    fields_a_request_may_not_have_come_first_and_all_at_once,
    every_value_problem_is_listed_with_its_code_and_parameters,
    an_update_lists_every_value_problem_too,
    an_import_lists_the_problems_of_every_task,
    query_errors_carry_codes,
);
