//! `/list`: paging, keyword search, filters and sorting.

use reqwest::Method;
use serde_json::{Value, json};

use store::on_both_databases;

use crate::helpers::{TestApp, cron_task};

async fn codes(app: &TestApp, query: &str) -> (Vec<String>, u64) {
    let list = app
        .call(1, Method::GET, &format!("/list{query}"), None)
        .await
        .expect(200);
    let codes = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap().to_owned())
        .collect();
    (codes, list["total"].as_u64().unwrap())
}

fn task(code: &str, name: &str, kind: &str) -> Value {
    let mut body = cron_task(code);
    body["name"] = json!(name);
    match kind {
        "python" => {
            body["type"] = json!("python_script");
            body["task_config"] = json!({"script": "print('ok')"});
        }
        "interval" => {
            body["trigger_type"] = json!("interval");
            body["trigger_config"] = json!({"seconds": 60});
        }
        _ => {}
    }
    body
}

async fn lists_page_search_filter_and_sort(app: TestApp) {
    app.create(1, task("alpha", "Überweisung prüfen", "cron"))
        .await;
    app.clock.advance(jiff::SignedDuration::from_secs(1));
    app.create(1, task("beta", "Nightly Backup", "python"))
        .await;
    app.clock.advance(jiff::SignedDuration::from_secs(1));
    let mut paused = task("gamma_1", "100% done", "interval");
    paused["is_active"] = json!(false);
    app.create(1, paused).await;

    assert_eq!(
        codes(&app, "").await,
        (vec!["gamma_1".into(), "beta".into(), "alpha".into()], 3)
    );
    assert_eq!(
        codes(&app, "?sort=created_at").await.0,
        ["alpha", "beta", "gamma_1"]
    );
    assert_eq!(
        codes(&app, "?sort=name").await.0,
        ["gamma_1", "beta", "alpha"]
    );
    assert_eq!(
        codes(&app, "?sort=-code").await.0,
        ["gamma_1", "beta", "alpha"]
    );
    // Inactive tasks have no next run and sort last either way.
    assert_eq!(
        codes(&app, "?sort=next_run_at").await.0.last().unwrap(),
        "gamma_1"
    );
    assert_eq!(
        codes(&app, "?sort=-next_run_at").await.0.last().unwrap(),
        "gamma_1"
    );

    assert_eq!(
        codes(&app, "?page=1&page_size=2").await,
        (vec!["gamma_1".into(), "beta".into()], 3)
    );
    assert_eq!(
        codes(&app, "?page=2&page_size=2").await,
        (vec!["alpha".into()], 3)
    );
    assert_eq!(codes(&app, "?page=3&page_size=2").await, (vec![], 3));

    assert_eq!(codes(&app, "?keyword=BACKUP").await.0, ["beta"]);
    assert_eq!(codes(&app, "?keyword=%C3%BCBER").await.0, ["alpha"]);
    assert_eq!(codes(&app, "?keyword=ALP").await.0, ["alpha"]);
    assert_eq!(codes(&app, "?keyword=%25").await.0, ["gamma_1"]);
    assert_eq!(codes(&app, "?keyword=a_1").await.0, ["gamma_1"]);
    // `_` is matched literally, not as "any character" (which would find "beta").
    assert_eq!(codes(&app, "?keyword=b_t").await.0, Vec::<String>::new());
    assert_eq!(codes(&app, "?name=nightly").await.0, ["beta"]);
    assert_eq!(codes(&app, "?code=beta").await.0, ["beta"]);
    assert_eq!(codes(&app, "?code=bet").await.0, Vec::<String>::new());
    assert_eq!(codes(&app, "?type=python_script").await.0, ["beta"]);
    assert_eq!(codes(&app, "?trigger_type=interval").await.0, ["gamma_1"]);
    assert_eq!(codes(&app, "?is_active=false").await.0, ["gamma_1"]);
    assert_eq!(
        codes(&app, "?is_active=true&type=api_call").await.0,
        ["alpha"]
    );
    assert_eq!(codes(&app, "?last_run_status=failed").await.1, 0);
}

on_both_databases!(lists_page_search_filter_and_sort,);
