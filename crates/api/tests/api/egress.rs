//! The API side of the egress guard: secrets masked in every answer that shows a task (and
//! kept in the store), the tenant allow-list settings, the create-time URL checks, `/metrics`.

use domain::{Role, TaskConfig, TaskUuid, TenantId};
use reqwest::Method;
use serde_json::{Value, json};

use store::on_both_databases;

use crate::helpers::{TestApp, cron_task};

const BEARER: &str = "Bearer abcdefghijklmnop";
const API_KEY: &str = "k-1234567890xy";

/// A task whose headers and query carry secrets next to ordinary values.
fn secret_task(code: &str) -> Value {
    let mut task = cron_task(code);
    task["task_config"] = json!({
        "url": "https://api.example.com/endpoint", "method": "POST",
        "headers": {"Authorization": BEARER, "X-Api-Key": "short", "Content-Type": "application/json"},
        "query": {"api_key": API_KEY, "page": "2"},
    });
    task
}

/// Asserts the answer shows every secret masked and nothing of the real values.
#[track_caller]
fn assert_masked(config: &Value) {
    assert_eq!(config["headers"]["authorization"], "••••op", "{config:#}");
    assert_eq!(config["headers"]["x-api-key"], "••••", "{config:#}");
    assert_eq!(config["headers"]["content-type"], "application/json");
    assert_eq!(config["query"]["api_key"], "••••xy", "{config:#}");
    assert_eq!(config["query"]["page"], "2");
}

#[track_caller]
fn assert_no_secret(body: &Value) {
    let text = body.to_string();
    for secret in ["abcdefghijklmnop", "1234567890", "short"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
}

/// The stored (real) api_call headers of a task.
async fn stored_config(app: &TestApp, uuid: &str) -> domain::ApiCallConfig {
    let task = app
        .store
        .get_task(TenantId::new(1).unwrap(), TaskUuid(uuid.parse().unwrap()))
        .await
        .unwrap()
        .unwrap();
    match task.definition.config {
        TaskConfig::ApiCall(config) => config,
        other => panic!("not an api_call: {other:?}"),
    }
}

async fn secrets_are_masked_in_every_answer_that_shows_a_task(app: TestApp) {
    let mut body = secret_task("secret");
    body["is_active"] = json!(false);
    let created = app.create(1, body).await;
    assert_masked(&created["task_config"]);
    assert_no_secret(&created);
    let uuid = created["uuid"].as_str().unwrap().to_owned();

    let got = app
        .call(1, Method::GET, &format!("/{uuid}"), None)
        .await
        .expect(200);
    assert_masked(&got["task_config"]);
    let list = app.call(1, Method::GET, "/list", None).await.expect(200);
    assert_masked(&list["items"][0]["task_config"]);
    assert_no_secret(&list);
    let started = app
        .call(1, Method::POST, &format!("/{uuid}/start"), None)
        .await
        .expect(200);
    assert_masked(&started["task_config"]);
    let stopped = app
        .call(1, Method::POST, &format!("/{uuid}/stop"), None)
        .await
        .expect(200);
    assert_masked(&stopped["task_config"]);
    let updated = app
        .call(
            1,
            Method::PUT,
            &format!("/{uuid}"),
            Some(json!({"name": "Renamed"})),
        )
        .await
        .expect(200);
    assert_masked(&updated["task_config"]);
    assert_no_secret(&updated);

    let versions = app
        .call(1, Method::GET, &format!("/{uuid}/versions"), None)
        .await
        .expect(200);
    assert_eq!(versions["total"], 4, "create, start, stop, update");
    for version in versions["items"].as_array().unwrap() {
        assert_masked(&version["definition"]["task_config"]);
    }
    assert_no_secret(&versions);

    // The store keeps the real values: execution needs them.
    let stored = stored_config(&app, &uuid).await;
    assert_eq!(stored.headers["authorization"], BEARER);
    assert_eq!(stored.headers["x-api-key"], "short");
    assert_eq!(stored.query["api_key"], API_KEY);
}

async fn a_masked_value_sent_back_keeps_the_stored_secret_and_a_new_value_replaces_it(
    app: TestApp,
) {
    let created = app.create(1, secret_task("round-trip")).await;
    let uuid = created["uuid"].as_str().unwrap().to_owned();
    // GET, edit another field, PUT the whole configuration back as read.
    let mut config = app
        .call(1, Method::GET, &format!("/{uuid}"), None)
        .await
        .expect(200)["task_config"]
        .clone();
    config["method"] = json!("PUT");
    let updated = app
        .call(
            1,
            Method::PUT,
            &format!("/{uuid}"),
            Some(json!({"name": "Edited", "task_config": config})),
        )
        .await
        .expect(200);
    assert_eq!(updated["task_config"]["method"], "PUT");
    assert_masked(&updated["task_config"]);
    let stored = stored_config(&app, &uuid).await;
    assert_eq!(stored.headers["authorization"], BEARER);
    assert_eq!(stored.headers["x-api-key"], "short");
    assert_eq!(stored.query["api_key"], API_KEY);

    // The bare placeholder keeps a value too; any other value replaces it.
    let replace = json!({"task_config": {
        "url": "https://api.example.com/endpoint",
        "headers": {"authorization": "••••", "x-api-key": "new-key-value-1"},
    }});
    app.call(1, Method::PUT, &format!("/{uuid}"), Some(replace))
        .await
        .expect(200);
    let stored = stored_config(&app, &uuid).await;
    assert_eq!(stored.headers["authorization"], BEARER);
    assert_eq!(stored.headers["x-api-key"], "new-key-value-1");
    assert!(
        stored.query.is_empty(),
        "a configuration sent whole replaces the stored one"
    );

    // A placeholder that stands for nothing stored would write bullets over a credential.
    let orphan = json!({"task_config": {
        "url": "https://api.example.com/endpoint",
        "headers": {"authorization": "••••xx", "x-new-token": "••••"},
    }});
    let reply = app
        .call(1, Method::PUT, &format!("/{uuid}"), Some(orphan))
        .await;
    let mut fields = reply.fields();
    reply.problem(422, "validation_failed");
    fields.sort();
    assert_eq!(
        fields,
        [
            "task_config.headers.authorization",
            "task_config.headers.x-new-token"
        ]
    );
    let mut create = secret_task("placeholder");
    create["task_config"]["headers"]["Authorization"] = json!("••••");
    let reply = app.call(1, Method::POST, "/", Some(create)).await;
    assert_eq!(reply.fields(), ["task_config.headers.Authorization"]);
    reply.problem(422, "validation_failed");
    assert_eq!(
        stored_config(&app, &uuid).await.headers["authorization"],
        BEARER
    );
}

async fn urls_the_policy_refuses_on_their_face_are_422_on_task_config_url(app: TestApp) {
    for url in [
        "http://127.0.0.1/",
        "http://[::1]/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://0x7f.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://localhost/",
        "http://api.localhost/",
        "http://metadata.google.internal/",
        "http://billing.internal/",
        "http://printer.local/",
        "http://intranet/",
        "https://api.example.com:8443/",
        "http://10.20.1.1:8080/",
        "http://127.0.0.2/",
    ] {
        let mut task = cron_task("refused");
        task["task_config"] = json!({"url": url});
        let reply = app.call(1, Method::POST, "/", Some(task)).await;
        assert_eq!(
            reply.fields(),
            ["task_config.url"],
            "{url}: {:#}",
            reply.body
        );
        let body = reply.problem(422, "validation_failed");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.starts_with("is refused by the egress policy: "),
            "{url}: {message}"
        );
    }
    // Bad schemes were already refused by the parser, on the same field.
    let mut gopher = cron_task("gopher");
    gopher["task_config"] = json!({"url": "gopher://127.0.0.1:6379/_INFO"});
    assert_eq!(
        app.call(1, Method::POST, "/", Some(gopher)).await.fields(),
        ["task_config.url"]
    );

    // What SUNDIAL_EGRESS_ALLOW opens (10.20.0.0/16, 127.0.0.2:8080) passes, as do public
    // names on 80 and 443 (DNS is only asked at execution).
    for (code, url) in [
        ("opened-block", "http://10.20.1.1/"),
        ("opened-port", "http://127.0.0.2:8080/hook"),
        ("public", "https://api.example.com/"),
    ] {
        let mut task = cron_task(code);
        task["task_config"] = json!({"url": url});
        app.create(1, task).await;
    }

    // An update that sends a refused URL is refused; one that leaves the URL alone is not
    // judged again.
    let task = app.create(1, cron_task("edited")).await;
    let uuid = task["uuid"].as_str().unwrap();
    let reply = app
        .call(
            1,
            Method::PUT,
            &format!("/{uuid}"),
            Some(json!({"task_config": {"url": "http://[fd00::1]/"}})),
        )
        .await;
    assert_eq!(reply.fields(), ["task_config.url"]);
    reply.problem(422, "validation_failed");
    app.call(
        1,
        Method::PUT,
        &format!("/{uuid}"),
        Some(json!({"name": "Still fine"})),
    )
    .await
    .expect(200);
}

async fn tenant_settings_hold_a_canonical_allow_list_per_tenant(app: TestApp) {
    let path = "/api/tree-root/tenant/settings";
    let admin = app.token(1, Role::Admin);
    let empty = app
        .raw(Method::GET, path, Some(&admin), None)
        .await
        .expect(200);
    assert_eq!(
        empty,
        json!({"tenant_id": 1, "egress_allow": null, "updated_at": null, "updated_by": null})
    );

    let put = |token: String, body: Value| {
        let app = &app;
        async move {
            app.raw(
                Method::PUT,
                path,
                Some(&token),
                Some(serde_json::to_vec(&body).unwrap()),
            )
            .await
        }
    };
    let set = put(
        admin.clone(),
        json!({"egress_allow": [" API.Partner.Example:8443 ", "10.20.0.0/16", "[::1]:9000"]}),
    )
    .await
    .expect(200);
    assert_eq!(
        set["egress_allow"],
        json!(["api.partner.example:8443", "10.20.0.0/16", "[::1]/128:9000"])
    );
    assert_eq!(set["updated_by"], "user-1");
    assert_eq!(set["updated_at"], "2026-01-15T12:00:00Z");
    let got = app
        .raw(Method::GET, path, Some(&admin), None)
        .await
        .expect(200);
    assert_eq!(got, set);

    // Another tenant sees only its own (none).
    let other = app
        .raw(Method::GET, path, Some(&app.token(2, Role::Admin)), None)
        .await
        .expect(200);
    assert_eq!(other["egress_allow"], Value::Null);
    assert_eq!(other["tenant_id"], 2);

    // Bad entries are 422s naming each one; nothing changes.
    let reply = put(
        admin.clone(),
        json!({"egress_allow": ["10.0.0.1/8", "ok.example", "a,b", "", "10.0.0.0/8:0"]}),
    )
    .await;
    assert_eq!(
        reply.fields(),
        [
            "egress_allow[0]",
            "egress_allow[2]",
            "egress_allow[3]",
            "egress_allow[4]"
        ]
    );
    let body = reply.problem(422, "validation_failed");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean 10.0.0.0/8"),
        "{body:#}"
    );
    let too_many: Vec<String> = (0..101).map(|i| format!("10.0.{i}.0/24")).collect();
    let reply = put(admin.clone(), json!({"egress_allow": too_many})).await;
    assert_eq!(reply.fields(), ["egress_allow"]);
    reply.problem(422, "validation_failed");
    put(admin.clone(), json!({"egress_allow": "10.0.0.0/8"}))
        .await
        .problem(422, "validation_failed");
    put(admin.clone(), json!({"tenant_id": 2}))
        .await
        .problem(400, "forbidden_field");
    put(admin.clone(), json!({"egress": []}))
        .await
        .problem(400, "unknown_field");
    assert_eq!(
        app.raw(Method::GET, path, Some(&admin), None)
            .await
            .expect(200),
        set
    );

    // Only admins change settings; anyone of the tenant may read them.
    for role in [Role::Operator, Role::Viewer] {
        put(app.token(1, role), json!({"egress_allow": null}))
            .await
            .problem(403, "forbidden");
        app.raw(Method::GET, path, Some(&app.token(1, role)), None)
            .await
            .expect(200);
    }
    app.raw(Method::GET, path, None, None)
        .await
        .problem(401, "unauthorized");

    // An absent field is left alone; `[]` refuses everything; `null` removes the list.
    assert_eq!(put(admin.clone(), json!({})).await.expect(200), set);
    let none = put(admin.clone(), json!({"egress_allow": []}))
        .await
        .expect(200);
    assert_eq!(none["egress_allow"], json!([]));
    let removed = put(admin.clone(), json!({"egress_allow": null}))
        .await
        .expect(200);
    assert_eq!(removed["egress_allow"], Value::Null);
    assert_eq!(removed["updated_by"], "user-1");
}

async fn metrics_are_public_prometheus_text_without_tenant_labels(app: TestApp) {
    app.metrics
        .increment(&domain::metrics::EGRESS_REFUSED, "address");
    let response = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = response.text().await.unwrap();
    assert!(
        text.contains("# TYPE sundial_egress_refused_total counter"),
        "{text}"
    );
    assert!(
        text.contains("sundial_egress_refused_total{reason=\"address\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("sundial_egress_refused_total{reason=\"tenant\"} 0"),
        "{text}"
    );
    assert!(
        !text.contains("tenant_id") && !text.contains("tenant="),
        "{text}"
    );
}

on_both_databases!(
    secrets_are_masked_in_every_answer_that_shows_a_task,
    a_masked_value_sent_back_keeps_the_stored_secret_and_a_new_value_replaces_it,
    urls_the_policy_refuses_on_their_face_are_422_on_task_config_url,
    tenant_settings_hold_a_canonical_allow_list_per_tenant,
    metrics_are_public_prometheus_text_without_tenant_labels,
);

#[tokio::test]
async fn metrics_count_http_requests_by_route_template_never_by_path() {
    let app = TestApp::spawn(store::test_support::Database::Sqlite).await;
    let task = app.create(1, cron_task("counted")).await;
    let uuid = task["uuid"].as_str().unwrap();
    app.call(1, Method::GET, &format!("/{uuid}"), None)
        .await
        .expect(200);
    let unknown = "0190b2a4-0000-7000-8000-000000000000";
    app.call(1, Method::GET, &format!("/{unknown}"), None)
        .await
        .expect(404);
    app.raw(Method::GET, "/no/such/path", None, None)
        .await
        .expect(404);
    let text = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let route = format!("{}/{{uuid}}", api::TASKS_PREFIX);
    for line in [
        format!("sundial_http_requests_total{{route=\"{route}\",status_class=\"2xx\"}} 1\n"),
        format!("sundial_http_requests_total{{route=\"{route}\",status_class=\"4xx\"}} 1\n"),
        format!("sundial_http_request_duration_seconds_count{{route=\"{route}\"}} 2\n"),
        format!(
            "sundial_http_requests_total{{route=\"{}/\",status_class=\"2xx\"}} 1\n",
            api::TASKS_PREFIX
        ),
        "sundial_http_requests_total{route=\"unmatched\",status_class=\"4xx\"} 1\n".to_owned(),
    ] {
        assert!(text.contains(&line), "{line} in {text}");
    }
    assert!(
        !text.contains(uuid) && !text.contains(unknown) && !text.contains("/no/such"),
        "raw paths never become labels: {text}"
    );
}
