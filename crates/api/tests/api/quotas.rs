//! Per-tenant quotas: live tasks (429), how often a task may fire and how long its runs may
//! take (422).

use reqwest::Method;
use serde_json::json;

use store::on_both_databases;
use store::test_support::Database;

use crate::helpers::{TestApp, cron_task};

async fn quotas_hold(backend: Database) {
    let app = TestApp::spawn_with(
        backend,
        api::TenantQuotas {
            max_tasks: Some(3),
            min_interval_seconds: 60,
            max_timeout_seconds: 600,
        },
    )
    .await;
    app.create(1, cron_task("a")).await;
    app.create(1, cron_task("b")).await;
    // Two more in one import would make four: refused whole.
    let batch = json!({"tasks": [cron_task("c"), cron_task("d")]});
    let reply = app.call(1, Method::POST, "/import", Some(batch)).await;
    assert!(reply.content_type.starts_with("application/problem+json"));
    assert_eq!(reply.expect(429)["code"], "quota_exceeded");
    app.create(1, cron_task("c")).await;
    let full = app.call(1, Method::POST, "/", Some(cron_task("d"))).await;
    assert_eq!(full.expect(429)["code"], "quota_exceeded");
    // The quota is per tenant; deleting makes room.
    app.create(2, cron_task("d")).await;
    let list = app.call(1, Method::GET, "/list", None).await.expect(200);
    let first = list["items"][0]["uuid"].as_str().unwrap().to_owned();
    app.call(1, Method::DELETE, &format!("/{first}"), None)
        .await
        .expect(204);
    app.create(1, cron_task("d")).await;

    // Firing more often than once a minute: an interval, a six-field cron, a list of minutes.
    let mut often = cron_task("often");
    often["trigger_type"] = json!("interval");
    often["trigger_config"] = json!({"seconds": 30});
    let problem = app
        .call(2, Method::POST, "/", Some(often))
        .await
        .expect(422);
    assert_eq!(
        problem["errors"][0]["field"], "trigger_config.seconds",
        "{problem}"
    );
    for cron in ["*/10 * * * * *", "0,30 * * * * *"] {
        let mut task = cron_task("often");
        task["trigger_config"] = json!({"cron": cron});
        let problem = app.call(2, Method::POST, "/", Some(task)).await.expect(422);
        assert_eq!(
            problem["errors"][0]["field"], "trigger_config.cron",
            "{cron}: {problem}"
        );
    }
    // An update that makes an existing task fire too often is refused the same way.
    let task = app.create(2, cron_task("minutely")).await;
    let uuid = task["uuid"].as_str().unwrap();
    let patch = json!({"trigger_config": {"cron": "*/5 * * * * *"}});
    let problem = app
        .call(2, Method::PUT, &format!("/{uuid}"), Some(patch))
        .await
        .expect(422);
    assert_eq!(problem["errors"][0]["field"], "trigger_config.cron");
    let every_minute = json!({"trigger_config": {"cron": "* * * * *"}});
    app.call(2, Method::PUT, &format!("/{uuid}"), Some(every_minute))
        .await
        .expect(200);

    // A timeout above the deployment's maximum: refused on create, import and update, each
    // limit named with its code, together with the other limits' errors.
    let mut long = cron_task("long");
    long["timeout_seconds"] = json!(601);
    long["trigger_type"] = json!("interval");
    long["trigger_config"] = json!({"seconds": 30});
    let problem = app
        .call(2, Method::POST, "/", Some(long.clone()))
        .await
        .expect(422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["trigger_config.seconds", "timeout_seconds"],
        "{problem}"
    );
    let timeout = &problem["errors"][1];
    assert_eq!(timeout["code"], "out_of_range", "{problem}");
    assert_eq!(timeout["max"], 600, "{problem}");
    let mut imported = cron_task("imported");
    imported["timeout_seconds"] = json!(601);
    let problem = app
        .call(
            2,
            Method::POST,
            "/import",
            Some(json!({"tasks": [imported]})),
        )
        .await
        .expect(422);
    assert!(problem.to_string().contains("timeout_seconds"), "{problem}");
    let patch = json!({"timeout_seconds": 601});
    let problem = app
        .call(2, Method::PUT, &format!("/{uuid}"), Some(patch))
        .await
        .expect(422);
    assert_eq!(
        problem["errors"][0]["field"], "timeout_seconds",
        "{problem}"
    );
    app.call(
        2,
        Method::PUT,
        &format!("/{uuid}"),
        Some(json!({"timeout_seconds": 600})),
    )
    .await
    .expect(200);
}

on_both_databases!(quotas_hold);
