//! Authentication and roles: every bad token is a 401, never a 500; roles limit writes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::Role;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{Value, json};

use store::on_both_databases;

use crate::helpers::{TestApp, cron_task};

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn sign(secret: &[u8], claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret).unwrap(),
    )
    .unwrap()
}

async fn list_with(app: &TestApp, token: &str) -> crate::helpers::Reply {
    app.raw(
        Method::GET,
        &format!("{}/list", api::TASKS_PREFIX),
        Some(token),
        None,
    )
    .await
}

#[track_caller]
fn assert_unauthorized(reply: crate::helpers::Reply, case: &str) {
    assert_eq!(reply.status.as_u16(), 401, "{case}: {:#}", reply.body);
    reply.problem(401, "unauthorized");
}

async fn requests_without_a_valid_bearer_token_are_401(app: TestApp) {
    let path = format!("{}/list", api::TASKS_PREFIX);
    let reply = app.raw(Method::GET, &path, None, None).await;
    assert_unauthorized(reply, "no header");
    let long = "a".repeat(100 * 1024);
    for token in [
        "",
        "garbage",
        "a.b",
        "a.b.c.d",
        "!!!.@@@.###",
        long.as_str(),
    ] {
        assert_unauthorized(list_with(&app, token).await, token);
    }
    let response = app
        .client
        .get(format!("{}{path}", app.base))
        .header("Authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
}

async fn forged_and_tampered_tokens_are_401(app: TestApp) {
    let claims = json!({"tenant_id": 1, "sub": "mallory", "exp": now() + 600});
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    assert_unauthorized(
        list_with(&app, &format!("{header}.{payload}.")).await,
        "alg none",
    );
    assert_unauthorized(
        list_with(&app, &sign(&[9; 32], &claims)).await,
        "other secret",
    );
    let good = sign(&app.secret, &claims);
    assert_eq!(list_with(&app, &good).await.status, 200);
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    parts[1] = URL_SAFE_NO_PAD
        .encode(json!({"tenant_id": 2, "sub": "mallory", "exp": now() + 600}).to_string());
    assert_unauthorized(list_with(&app, &parts.join(".")).await, "tampered payload");
}

async fn expired_early_and_exp_less_tokens_are_401(app: TestApp) {
    for (case, claims) in [
        (
            "expired",
            json!({"tenant_id": 1, "sub": "a", "exp": now() - 120}),
        ),
        (
            "not yet valid",
            json!({"tenant_id": 1, "sub": "a", "exp": now() + 600, "nbf": now() + 300}),
        ),
        ("no exp", json!({"tenant_id": 1, "sub": "a"})),
        ("no sub", json!({"tenant_id": 1, "exp": now() + 600})),
    ] {
        assert_unauthorized(list_with(&app, &sign(&app.secret, &claims)).await, case);
    }
}

async fn the_tenant_claim_must_be_a_positive_integer(app: TestApp) {
    for (case, tenant) in [
        ("missing", None),
        ("string", Some(json!("1"))),
        ("zero", Some(json!(0))),
        ("negative", Some(json!(-3))),
        ("float", Some(json!(1.5))),
        ("null", Some(Value::Null)),
    ] {
        let mut claims = json!({"sub": "a", "exp": now() + 600});
        if let Some(tenant) = tenant {
            claims["tenant_id"] = tenant;
        }
        assert_unauthorized(list_with(&app, &sign(&app.secret, &claims)).await, case);
    }
}

async fn viewers_read_everything_and_change_nothing(app: TestApp) {
    let task = app.create(1, cron_task("report")).await;
    let uuid = task["uuid"].as_str().unwrap();
    for path in [
        "/list".to_owned(),
        format!("/{uuid}"),
        format!("/{uuid}/status"),
        format!("/{uuid}/logs"),
        format!("/{uuid}/runs"),
        format!("/{uuid}/versions"),
    ] {
        app.call_as(1, Role::Viewer, Method::GET, &path, None)
            .await
            .expect(200);
    }
    app.call_as(
        1,
        Role::Viewer,
        Method::POST,
        "/preview",
        Some(json!({"trigger_type": "cron", "trigger_config": {"cron": "@daily"}})),
    )
    .await
    .expect(200);
    let writes = [
        (Method::POST, "/".to_owned(), Some(cron_task("new"))),
        (
            Method::PUT,
            format!("/{uuid}"),
            Some(json!({"name": "hacked"})),
        ),
        (Method::DELETE, format!("/{uuid}"), None),
        (Method::POST, format!("/{uuid}/start"), None),
        (Method::POST, format!("/{uuid}/stop"), None),
        (
            Method::POST,
            "/batch-delete".to_owned(),
            Some(json!({"uuids": [uuid]})),
        ),
    ];
    for (method, path, body) in writes {
        app.call_as(1, Role::Viewer, method, &path, body)
            .await
            .problem(403, "forbidden");
    }
    assert_eq!(
        app.call(1, Method::GET, &format!("/{uuid}"), None)
            .await
            .expect(200),
        task
    );
    assert_eq!(
        app.call(1, Method::GET, "/list", None).await.expect(200)["total"],
        1
    );
}

async fn operators_operate_but_do_not_edit_definitions(app: TestApp) {
    let task = app.create(1, cron_task("report")).await;
    let uuid = task["uuid"].as_str().unwrap();
    app.call_as(
        1,
        Role::Operator,
        Method::POST,
        &format!("/{uuid}/stop"),
        None,
    )
    .await
    .expect(200);
    app.call_as(
        1,
        Role::Operator,
        Method::POST,
        &format!("/{uuid}/start"),
        None,
    )
    .await
    .expect(200);
    app.call_as(1, Role::Operator, Method::POST, "/", Some(cron_task("new")))
        .await
        .problem(403, "forbidden");
    app.call_as(
        1,
        Role::Operator,
        Method::PUT,
        &format!("/{uuid}"),
        Some(json!({"name": "x"})),
    )
    .await
    .problem(403, "forbidden");
    app.call_as(1, Role::Operator, Method::DELETE, &format!("/{uuid}"), None)
        .await
        .problem(403, "forbidden");
}

on_both_databases!(
    requests_without_a_valid_bearer_token_are_401,
    forged_and_tampered_tokens_are_401,
    expired_early_and_exp_less_tokens_are_401,
    the_tenant_claim_must_be_a_positive_integer,
    viewers_read_everything_and_change_nothing,
    operators_operate_but_do_not_edit_definitions,
);
