//! Chains over HTTP: `PUT /{uuid}/chains` saves a task's links and `GET` reads them both ways;
//! a child of another tenant, a cycle, an unknown `on` or a malformed uuid is a 422 naming
//! the field; another tenant's task is a 404; viewers cannot save; deleting a child removes
//! its links.

use domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

use store::on_both_databases;

use crate::helpers::{TestApp, cron_task};

on_both_databases!(chains_are_saved_read_both_ways_and_refused_precisely);

fn uuid(task: &Value) -> String {
    task["uuid"].as_str().unwrap().to_owned()
}

fn links(children: &[(&str, &str)]) -> Value {
    json!({"children": children
        .iter()
        .map(|(task, on)| json!({"task_uuid": task, "on": on}))
        .collect::<Vec<_>>()})
}

async fn chains_are_saved_read_both_ways_and_refused_precisely(app: TestApp) {
    let a = uuid(&app.create(1, cron_task("a")).await);
    let b = uuid(&app.create(1, cron_task("b")).await);
    let c = uuid(&app.create(1, cron_task("c")).await);
    let theirs = uuid(&app.create(2, cron_task("theirs")).await);

    let saved = app
        .call(
            1,
            Method::PUT,
            &format!("/{a}/chains"),
            Some(links(&[(&b, "success"), (&c, "completion")])),
        )
        .await
        .expect(200);
    assert_eq!(saved["children"][0]["task_uuid"], b.as_str());
    assert_eq!(saved["children"][0]["code"], "b");
    assert_eq!(saved["children"][0]["on"], "success");
    assert_eq!(saved["children"][0]["is_active"], true);
    assert_eq!(saved["children"][1]["on"], "completion");
    assert_eq!(saved["parents"], json!([]));
    let of_b = app
        .call_as(1, Role::Viewer, Method::GET, &format!("/{b}/chains"), None)
        .await
        .expect(200);
    assert_eq!(of_b["parents"][0]["task_uuid"], a.as_str());
    assert_eq!(of_b["children"], json!([]));

    // b → a would close a cycle; the problem names the field.
    let cycle = app
        .call(
            1,
            Method::PUT,
            &format!("/{c}/chains"),
            Some(links(&[(&b, "failure"), (&a, "failure")])),
        )
        .await;
    assert_eq!(cycle.fields(), ["children[1].task_uuid"]);
    let body = cycle.problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["code"], "chain_cycle", "{body:#}");
    // Another tenant's task is no task of this tenant.
    let foreign = app
        .call(
            1,
            Method::PUT,
            &format!("/{b}/chains"),
            Some(links(&[(&theirs, "success")])),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(foreign["errors"][0]["field"], "children[0].task_uuid");
    assert_eq!(foreign["errors"][0]["code"], "unknown_task");
    let bad = app
        .call(
            1,
            Method::PUT,
            &format!("/{b}/chains"),
            Some(json!({"children": [{"task_uuid": "nope", "on": "success"}]})),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(bad["errors"][0]["field"], "children[0].task_uuid");
    let on = app
        .call(
            1,
            Method::PUT,
            &format!("/{b}/chains"),
            Some(links(&[(&c, "sometimes")])),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(on["errors"][0]["code"], "not_one_of", "{on:#}");
    app.call(
        1,
        Method::PUT,
        &format!("/{b}/chains"),
        Some(json!({"children": [], "links": []})),
    )
    .await
    .problem(400, "unknown_field");
    let many: Vec<(&str, &str)> = (0..21).map(|_| (c.as_str(), "success")).collect();
    let too_many = app
        .call(1, Method::PUT, &format!("/{b}/chains"), Some(links(&many)))
        .await
        .problem(422, "validation_failed");
    assert_eq!(too_many["errors"][0]["field"], "children");
    assert_eq!(too_many["errors"][0]["code"], "too_many", "{too_many:#}");
    assert_eq!(too_many["errors"][0]["max"], 20);
    // Another tenant's task: 404 to read or change; a viewer may not change.
    app.call(2, Method::GET, &format!("/{a}/chains"), None)
        .await
        .problem(404, "not_found");
    app.call(2, Method::PUT, &format!("/{a}/chains"), Some(links(&[])))
        .await
        .problem(404, "not_found");
    app.call_as(
        1,
        Role::Operator,
        Method::PUT,
        &format!("/{a}/chains"),
        Some(links(&[])),
    )
    .await
    .problem(403, "forbidden");
    // A run's children: none yet; another tenant's run is a 404.
    let run = app
        .call(1, Method::POST, &format!("/{a}/run"), None)
        .await
        .expect(202);
    let run = run["uuid"].as_str().unwrap();
    assert_eq!(run_children(&app, 1, run).await, json!([]));
    app.call(2, Method::GET, &format!("/runs/{run}/children"), None)
        .await
        .problem(404, "not_found");

    // Deleting b removes the link from a.
    app.call(1, Method::DELETE, &format!("/{b}"), None)
        .await
        .expect(204);
    let of_a = app
        .call(1, Method::GET, &format!("/{a}/chains"), None)
        .await
        .expect(200);
    let kept: Vec<&Value> = of_a["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l["task_uuid"])
        .collect();
    assert_eq!(kept, [&json!(c)]);
}

async fn run_children(app: &TestApp, tenant: i64, run: &str) -> Value {
    app.call(tenant, Method::GET, &format!("/runs/{run}/children"), None)
        .await
        .expect(200)["items"]
        .clone()
}
