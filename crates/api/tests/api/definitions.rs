//! `GET /export` and `POST /apply`: a tenant's definitions as a set.

use domain::{Role, TaskConfig, TaskUuid, TenantId};
use reqwest::Method;
use serde_json::{Value, json};

use store::on_both_databases;

use crate::helpers::{TestApp, cron_task};

const SECRET: &str = "Bearer abcdefghijklmnop-42";

/// A cron task calling with a secret header.
fn secret_task(code: &str) -> Value {
    let mut task = cron_task(code);
    task["task_config"]["headers"]["Authorization"] = json!(SECRET);
    task
}

/// An interval task with no anchor given: the server anchors it at creation.
fn interval_task(code: &str) -> Value {
    json!({
        "name": format!("Every {code}"), "code": code, "type": "api_call",
        "trigger_type": "interval", "trigger_config": {"seconds": 300},
        "task_config": {"url": "https://api.example.com/poll"},
        "description": "polls", "timeout_seconds": 12, "overlap_policy": "queue_one",
        "retry_policy": {"max_retries": 1, "retry_delay_seconds": 5, "backoff": "exponential",
                         "max_delay_seconds": 40}
    })
}

fn python_task(code: &str) -> Value {
    json!({
        "name": "Script", "code": code, "type": "python_script", "trigger_type": "date",
        "trigger_config": {"at": "2026-02-01T00:00:00Z"},
        "task_config": {"script": "print('hi')"}, "is_active": false
    })
}

async fn export(app: &TestApp, tenant: i64, query: &str) -> Value {
    app.call(tenant, Method::GET, &format!("/export{query}"), None)
        .await
        .expect(200)
}

/// The stored (unmasked) value of a task's Authorization header.
async fn stored_secret(app: &TestApp, tenant: i64, uuid: &str) -> Option<String> {
    let task = app
        .store
        .get_task(
            TenantId::new(tenant).unwrap(),
            TaskUuid(uuid.parse().unwrap()),
        )
        .await
        .unwrap()
        .unwrap();
    match task.definition.config {
        TaskConfig::ApiCall(api) => api.headers.get("authorization").cloned(),
        TaskConfig::PythonScript(_) => None,
    }
}

fn outcomes(reply: &Value) -> Vec<(String, String)> {
    reply["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["code"].as_str().unwrap().to_owned(),
                r["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

async fn export_is_an_import_body_with_secrets_masked_and_round_trips(app: TestApp) {
    let secret = app.create(1, secret_task("c-secret")).await;
    let interval = app.create(1, interval_task("b-interval")).await;
    app.create(1, python_task("a-script")).await;
    let exported = export(&app, 1, "").await;
    assert_eq!(exported.as_object().unwrap().len(), 1, "only `tasks`");
    let tasks = exported["tasks"].as_array().unwrap();
    let codes: Vec<&str> = tasks.iter().map(|t| t["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["a-script", "b-interval", "c-secret"]);
    // Definitions only, secrets masked exactly as `GET /{uuid}` shows them.
    assert_eq!(
        tasks[2]["task_config"]["headers"]["authorization"],
        secret["task_config"]["headers"]["authorization"]
    );
    assert_ne!(tasks[2]["task_config"]["headers"]["authorization"], SECRET);
    for field in [
        "uuid",
        "version",
        "tenant_id",
        "next_run_at",
        "created_at",
        "timezone",
    ] {
        assert!(tasks[0].get(field).is_none(), "{field} in {:#}", tasks[0]);
    }
    assert_eq!(
        tasks[1]["trigger_config"]["start_at"],
        interval["trigger_config"]["start_at"]
    );
    assert_eq!(tasks[1]["retry_policy"]["max_delay_seconds"], 40);

    // Applied back as it is: nothing changes, not even a version.
    let reply = app
        .call(1, Method::POST, "/apply", Some(exported.clone()))
        .await
        .expect(200);
    assert_eq!(
        outcomes(&reply),
        pairs(&[
            ("a-script", "unchanged"),
            ("b-interval", "unchanged"),
            ("c-secret", "unchanged")
        ])
    );
    let uuid = secret["uuid"].as_str().unwrap();
    let again = app
        .call(1, Method::GET, &format!("/{uuid}"), None)
        .await
        .expect(200);
    assert_eq!(again["version"], 1);
    assert_eq!(stored_secret(&app, 1, uuid).await.as_deref(), Some(SECRET));

    // Into another tenant, the mask stands for nothing: the caller must supply the secret.
    let reply = app
        .call(2, Method::POST, "/import", Some(exported.clone()))
        .await;
    assert_eq!(
        reply.fields(),
        ["tasks[2].task_config.headers.authorization"]
    );
    reply.problem(422, "validation_failed");
    let reply = app
        .call(2, Method::POST, "/apply", Some(exported.clone()))
        .await;
    assert_eq!(
        reply.fields(),
        ["tasks[2].task_config.headers.authorization"]
    );
    reply.problem(422, "validation_failed");
    let mut supplied = exported.clone();
    supplied["tasks"][2]["task_config"]["headers"]["authorization"] = json!(SECRET);
    let reply = app
        .call(2, Method::POST, "/apply", Some(supplied))
        .await
        .expect(200);
    assert_eq!(reply["created"], 3);
    // Every definition is reproduced, secrets included.
    assert_eq!(export(&app, 2, "").await, exported);
    let copy = reply["results"][2]["uuid"].as_str().unwrap();
    assert_eq!(stored_secret(&app, 2, copy).await.as_deref(), Some(SECRET));
}

async fn export_pages_filters_and_stays_in_the_tenant(app: TestApp) {
    for code in ["a", "b", "c"] {
        app.create(1, cron_task(code)).await;
    }
    app.create(2, cron_task("theirs")).await;
    let token = app.token(1, Role::Viewer);
    let get = |query: &'static str| {
        let request = app
            .client
            .get(format!("{}{}/export{query}", app.base, api::TASKS_PREFIX))
            .bearer_auth(&token);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200);
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .map(|v| v.to_str().unwrap().to_owned())
            };
            let (total, link) = (header("x-total-count"), header("link"));
            let body: Value = response.json().await.unwrap();
            let codes: Vec<String> = body["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["code"].as_str().unwrap().to_owned())
                .collect();
            (codes, total, link)
        }
    };
    let (codes, total, link) = get("?page_size=2").await;
    assert_eq!(codes, ["a", "b"]);
    assert_eq!(total.as_deref(), Some("3"));
    assert_eq!(
        link.as_deref(),
        Some("</api/tree-root/scheduled-tasks/export?page=2&page_size=2>; rel=\"next\"")
    );
    let (codes, _, link) = get("?page=2&page_size=2").await;
    assert_eq!((codes, link), (vec!["c".to_owned()], None));
    let (codes, total, _) = get("?code=b").await;
    assert_eq!((codes, total.as_deref()), (vec!["b".to_owned()], Some("1")));
    let (codes, _, _) = get("?code=theirs").await;
    assert!(codes.is_empty());

    let reply = app
        .call(1, Method::GET, "/export?page=0&page_size=1001", None)
        .await;
    assert_eq!(reply.fields(), ["page", "page_size"]);
    reply.problem(400, "invalid_query");
}

/// How many audit entries tenant 1 has.
async fn audit_total(app: &TestApp) -> u64 {
    app.call(1, Method::GET, "/audit", None).await.expect(200)["total"]
        .as_u64()
        .unwrap()
}

async fn apply_creates_updates_leaves_alone_and_prunes_only_when_asked(app: TestApp) {
    let a = app.create(1, cron_task("a")).await;
    let b = app.create(1, cron_task("b")).await;
    let c = app.create(1, cron_task("c")).await;
    let mut changed = cron_task("b");
    changed["name"] = json!("Renamed");
    let body = json!({"tasks": [cron_task("a"), changed, cron_task("d")]});

    let dry = app
        .call(1, Method::POST, "/apply?dry_run=true", Some(body.clone()))
        .await
        .expect(200);
    assert_eq!(
        outcomes(&dry),
        pairs(&[("a", "unchanged"), ("b", "updated"), ("d", "created")])
    );
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["results"][2]["uuid"], Value::Null);
    let list = app.call(1, Method::GET, "/list", None).await.expect(200);
    assert_eq!(list["total"], 3, "a dry run writes nothing");

    let reply = app
        .call(1, Method::POST, "/apply", Some(body.clone()))
        .await
        .expect(200);
    assert_eq!(
        outcomes(&reply),
        pairs(&[("a", "unchanged"), ("b", "updated"), ("d", "created")])
    );
    assert_eq!(
        (
            &reply["created"],
            &reply["updated"],
            &reply["unchanged"],
            &reply["deleted"]
        ),
        (&json!(1), &json!(1), &json!(1), &json!(0))
    );
    assert_eq!(reply["results"][0]["uuid"], a["uuid"]);
    assert_eq!(reply["results"][1]["uuid"], b["uuid"]);
    let get = |uuid: Value| {
        let app = &app;
        async move {
            app.call(
                1,
                Method::GET,
                &format!("/{}", uuid.as_str().unwrap()),
                None,
            )
            .await
            .expect(200)
        }
    };
    assert_eq!(get(a["uuid"].clone()).await["version"], 1);
    let b_now = get(b["uuid"].clone()).await;
    assert_eq!(
        (&b_now["version"], &b_now["name"]),
        (&json!(2), &json!("Renamed"))
    );
    // The unchanged trigger keeps its planned occurrence.
    assert_eq!(b_now["next_run_at"], b["next_run_at"]);
    let d = get(reply["results"][2]["uuid"].clone()).await;
    assert_eq!(d["created_by"], "user-1");
    // Without prune, a task the set does not name stays.
    assert_eq!(get(c["uuid"].clone()).await["version"], 1);

    // Applying the same set again changes nothing: no version, no audit entry.
    let entries = audit_total(&app).await;
    assert_eq!(
        entries, 5,
        "3 creates, then 1 update and 1 create by the apply"
    );
    let again = app
        .call(1, Method::POST, "/apply", Some(body.clone()))
        .await
        .expect(200);
    assert_eq!(again["unchanged"], 3);
    assert_eq!(get(b["uuid"].clone()).await["version"], 2);
    assert_eq!(audit_total(&app).await, entries);

    let pruned = app
        .call(1, Method::POST, "/apply?prune=true", Some(body))
        .await
        .expect(200);
    assert_eq!(
        outcomes(&pruned),
        pairs(&[
            ("a", "unchanged"),
            ("b", "unchanged"),
            ("d", "unchanged"),
            ("c", "deleted")
        ])
    );
    assert_eq!(pruned["results"][3]["uuid"], c["uuid"]);
    app.call(
        1,
        Method::GET,
        &format!("/{}", c["uuid"].as_str().unwrap()),
        None,
    )
    .await
    .problem(404, "not_found");
    let audit = app
        .call(1, Method::GET, "/audit?action=delete", None)
        .await
        .expect(200);
    assert_eq!(audit["total"], 1);
    assert_eq!(audit["items"][0]["detail"]["via"], "apply");
}

async fn apply_lists_every_problem_and_writes_nothing(app: TestApp) {
    app.create(1, cron_task("kept")).await;
    let mut bad_name = cron_task("kept");
    bad_name["name"] = json!("");
    let mut bad_cron = cron_task("new");
    bad_cron["trigger_config"]["cron"] = json!("not a cron");
    let body = json!({"tasks": [bad_name, bad_cron, cron_task("new"), secret_masked("fresh")]});
    let reply = app.call(1, Method::POST, "/apply", Some(body)).await;
    let mut fields = reply.fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "tasks[0].name",
            "tasks[1].trigger_config.cron",
            "tasks[2].code",
            "tasks[3].task_config.headers.Authorization",
        ]
    );
    let body = reply.problem(422, "validation_failed");
    let twice = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "tasks[2].code")
        .unwrap();
    assert_eq!(twice["code"], "duplicate");
    assert!(
        twice["message"].as_str().unwrap().contains("tasks[1]"),
        "{twice}"
    );

    let mut unknown = cron_task("x");
    unknown["uuid"] = json!("0193a000-0000-7000-8000-000000000000");
    let reply = app
        .call(
            1,
            Method::POST,
            "/apply",
            Some(json!({"tasks": [unknown, bad_name_task()]})),
        )
        .await;
    assert_eq!(reply.fields(), ["tasks[0].uuid"]);
    reply.problem(400, "forbidden_field");

    let reply = app
        .call(
            1,
            Method::POST,
            "/apply?dry_run=yes&prune=1",
            Some(json!({"tasks": [cron_task("x")]})),
        )
        .await;
    assert_eq!(reply.fields(), ["dry_run", "prune"]);
    reply.problem(400, "invalid_query");
    let reply = app
        .call(
            1,
            Method::POST,
            "/apply?prune=true",
            Some(json!({"tasks": []})),
        )
        .await;
    assert_eq!(reply.fields(), ["tasks"]);
    reply.problem(422, "validation_failed");
    for role in [Role::Viewer, Role::Operator] {
        app.call_as(
            1,
            role,
            Method::POST,
            "/apply",
            Some(json!({"tasks": [cron_task("x")]})),
        )
        .await
        .problem(403, "forbidden");
    }

    let list = app.call(1, Method::GET, "/list", None).await.expect(200);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["version"], 1);
}

fn secret_masked(code: &str) -> Value {
    let mut task = cron_task(code);
    task["task_config"]["headers"]["Authorization"] = json!("••••");
    task
}

fn bad_name_task() -> Value {
    let mut task = cron_task("y");
    task["name"] = json!("");
    task
}

async fn apply_keeps_stored_secrets_and_the_interval_anchor(app: TestApp) {
    let secret = app.create(1, secret_task("s")).await;
    let interval = app.create(1, interval_task("i")).await;
    // A file kept by hand: the secret masked, the interval without the anchor the server chose.
    let body = json!({"tasks": [secret_masked("s"), interval_task("i")]});
    let reply = app
        .call(1, Method::POST, "/apply", Some(body))
        .await
        .expect(200);
    assert_eq!(
        outcomes(&reply),
        pairs(&[("s", "unchanged"), ("i", "unchanged")])
    );
    let uuid = secret["uuid"].as_str().unwrap();
    assert_eq!(stored_secret(&app, 1, uuid).await.as_deref(), Some(SECRET));
    // A new secret value replaces the stored one.
    let mut rotated = secret_task("s");
    rotated["task_config"]["headers"]["Authorization"] = json!("Bearer rotated-value-0001");
    let reply = app
        .call(1, Method::POST, "/apply", Some(json!({"tasks": [rotated]})))
        .await
        .expect(200);
    assert_eq!(outcomes(&reply), pairs(&[("s", "updated")]));
    assert_eq!(
        stored_secret(&app, 1, uuid).await.as_deref(),
        Some("Bearer rotated-value-0001")
    );
    let i = app
        .call(
            1,
            Method::GET,
            &format!("/{}", interval["uuid"].as_str().unwrap()),
            None,
        )
        .await
        .expect(200);
    assert_eq!(i["version"], 1);
}

async fn apply_never_touches_another_tenant(app: TestApp) {
    let theirs = app.create(2, cron_task("shared")).await;
    let reply = app
        .call(
            1,
            Method::POST,
            "/apply?prune=true",
            Some(json!({"tasks": [cron_task("mine"), cron_task("shared")]})),
        )
        .await
        .expect(200);
    assert_eq!(
        outcomes(&reply),
        pairs(&[("mine", "created"), ("shared", "created")])
    );
    assert_ne!(reply["results"][1]["uuid"], theirs["uuid"]);
    let again = app
        .call(
            2,
            Method::GET,
            &format!("/{}", theirs["uuid"].as_str().unwrap()),
            None,
        )
        .await
        .expect(200);
    assert_eq!(again["version"], 1);
    let list = app.call(2, Method::GET, "/list", None).await.expect(200);
    assert_eq!(list["total"], 1);
}

async fn apply_refuses_to_turn_on_a_task_with_nothing_left_to_fire(app: TestApp) {
    let once = json!({
        "name": "Once", "code": "once", "type": "api_call", "trigger_type": "date",
        "trigger_config": {"at": "2026-01-15T13:00:00Z"},
        "task_config": {"url": "https://api.example.com/endpoint"}, "is_active": false
    });
    app.create(1, once.clone()).await;
    app.clock
        .set(crate::helpers::start_instant() + jiff::SignedDuration::from_hours(2));
    // The past date stays acceptable while the task stays off: its export applies unchanged.
    let exported = export(&app, 1, "").await;
    let reply = app
        .call(1, Method::POST, "/apply", Some(exported.clone()))
        .await
        .expect(200);
    assert_eq!(outcomes(&reply), pairs(&[("once", "unchanged")]));
    let mut on = exported;
    on["tasks"][0]["is_active"] = json!(true);
    let reply = app.call(1, Method::POST, "/apply", Some(on)).await;
    assert_eq!(reply.fields(), ["tasks[0].trigger_config"]);
    reply.problem(422, "validation_failed");
}

/// A full page of an export: 1,000 tasks created, then applied back unchanged, in one request
/// each (the existing tasks are looked up by their 1,000 codes at once).
async fn apply_of_a_thousand_tasks_fits_one_request(app: TestApp) {
    let tasks: Vec<Value> = (0..1000)
        .map(|i| {
            json!({"name": "n", "code": format!("t{i}"), "type": "api_call",
                   "trigger_type": "date", "trigger_config": {"at": "2026-01-15T13:00:00Z"},
                   "task_config": {"url": "https://api.example.com/e"}})
        })
        .collect();
    let reply = app
        .call(1, Method::POST, "/apply", Some(json!({"tasks": tasks})))
        .await
        .expect(200);
    assert_eq!(reply["created"], 1000);
    let exported = export(&app, 1, "").await;
    assert_eq!(exported["tasks"].as_array().unwrap().len(), 1000);
    let again = app
        .call(1, Method::POST, "/apply", Some(exported))
        .await
        .expect(200);
    assert_eq!(again["unchanged"], 1000);
}

on_both_databases!(
    apply_of_a_thousand_tasks_fits_one_request,
    apply_refuses_to_turn_on_a_task_with_nothing_left_to_fire,
    export_is_an_import_body_with_secrets_masked_and_round_trips,
    export_pages_filters_and_stays_in_the_tenant,
    apply_creates_updates_leaves_alone_and_prunes_only_when_asked,
    apply_lists_every_problem_and_writes_nothing,
    apply_keeps_stored_secrets_and_the_interval_anchor,
    apply_never_touches_another_tenant,
    import_with_mode_apply_is_apply,
    alert_fields_are_judged_as_their_own_routes_judge_them,
);

async fn import_with_mode_apply_is_apply(app: TestApp) {
    let a = app.create(1, cron_task("a")).await;
    let mut renamed = cron_task("a");
    renamed["name"] = json!("Renamed");
    let body = json!({"tasks": [renamed, cron_task("b")]});
    let dry = app
        .call(
            1,
            Method::POST,
            "/import?mode=apply&dry_run=true",
            Some(body.clone()),
        )
        .await
        .expect(200);
    assert_eq!(outcomes(&dry), pairs(&[("a", "updated"), ("b", "created")]));
    assert_eq!(dry["dry_run"], true);
    let applied = app
        .call(1, Method::POST, "/import?mode=apply", Some(body.clone()))
        .await
        .expect(200);
    assert_eq!(
        outcomes(&applied),
        pairs(&[("a", "updated"), ("b", "created")])
    );
    let stored = app
        .call(
            1,
            Method::GET,
            &format!("/{}", a["uuid"].as_str().unwrap()),
            None,
        )
        .await
        .expect(200);
    assert_eq!(stored["name"], "Renamed", "updated in place by code");
    // The same body as a plain import creates, so both codes are taken now.
    app.call(1, Method::POST, "/import?mode=create", Some(body.clone()))
        .await
        .expect(409);
    for (query, field) in [
        ("?mode=merge", "mode"),
        ("?dry_run=true", "dry_run"),
        ("?prune=true", "prune"),
    ] {
        let refused = app
            .call(
                1,
                Method::POST,
                &format!("/import{query}"),
                Some(body.clone()),
            )
            .await
            .expect(400);
        assert_eq!(refused["errors"][0]["field"], field, "{query}: {refused}");
    }
    let list = app.call(1, Method::GET, "/list", None).await.expect(200);
    assert_eq!(list["total"], 2, "the refused imports wrote nothing");
}

/// A cron task carrying alert configuration.
fn alerted(code: &str, chains: Value, deadlines: Value, rules: Value) -> Value {
    let mut task = cron_task(code);
    task["chains"] = chains;
    task["deadlines"] = deadlines;
    task["notify_rules"] = rules;
    task
}

async fn alert_fields_are_judged_as_their_own_routes_judge_them(app: TestApp) {
    let token = app.token(1, Role::Admin);
    let channel = |name: &str| {
        serde_json::to_vec(
            &json!({"name": name, "kind": "webhook", "url": "https://hooks.example.com/x"}),
        )
        .unwrap()
    };
    for name in ["ops", "twin", "twin"] {
        app.raw(
            Method::POST,
            "/api/tree-root/tenant/notify/channels",
            Some(&token),
            Some(channel(name)),
        )
        .await
        .expect(201);
    }

    // Fields an item of a list does not have come first, as a 400 naming each.
    let body = json!({"tasks": [alerted(
        "a",
        json!([{"task_code": "b", "on": "success", "colour": "red"}]),
        json!([{"every_seconds": 600, "grace": 1}]),
        json!([{"channel_name": "ops", "event": "run.failed", "channel": "x"}]),
    )]});
    let reply = app.call(1, Method::POST, "/import", Some(body)).await;
    assert_eq!(
        reply.fields(),
        [
            "tasks[0].chains[0].colour",
            "tasks[0].deadlines[0].grace",
            "tasks[0].notify_rules[0].channel",
        ]
    );
    reply.problem(400, "unknown_field");

    // Then every invalid value, each on its field.
    let body = json!({"tasks": [alerted(
        "a",
        json!([{"task_code": "b", "on": "sometimes"}]),
        json!([{"by": "25:00"}]),
        json!([{"channel_name": "ops", "event": "run.slow"}]),
    )]});
    let reply = app.call(1, Method::POST, "/import", Some(body)).await;
    assert_eq!(
        reply.fields(),
        [
            "tasks[0].chains[0].on",
            "tasks[0].deadlines[0].by",
            "tasks[0].notify_rules[0].threshold",
        ]
    );
    let problem = reply.problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["code"], "not_one_of");

    // Once every value is valid, the names: a code no task has, a channel name none
    // (`unknown_channel`) or several channels have. Nothing is written.
    let body = json!({"tasks": [alerted(
        "a",
        json!([{"task_code": "nowhere", "on": "success"}]),
        json!([]),
        json!([
            {"channel_name": "pager", "event": "run.failed"},
            {"channel_name": "twin", "event": "run.failed"},
        ]),
    )]});
    for path in ["/import", "/apply", "/apply?dry_run=true"] {
        let reply = app.call(1, Method::POST, path, Some(body.clone())).await;
        assert_eq!(
            reply.fields(),
            [
                "tasks[0].chains[0].task_code",
                "tasks[0].notify_rules[0].channel_name",
                "tasks[0].notify_rules[1].channel_name",
            ],
            "{path}"
        );
        let problem = reply.problem(422, "validation_failed");
        let codes: Vec<_> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["code"].as_str().unwrap())
            .collect();
        assert_eq!(
            codes,
            ["unknown_task", "unknown_channel", "invalid"],
            "{path}"
        );
    }
    let list = app.call(1, Method::GET, "/list", None).await.expect(200);
    assert_eq!(list["total"], 0);

    // A rule of its own naming a channel that is not one of the tenant's (another tenant's
    // included) has the same code, on `channel`.
    let theirs = app
        .raw(
            Method::POST,
            "/api/tree-root/tenant/notify/channels",
            Some(&app.token(2, Role::Admin)),
            Some(channel("theirs")),
        )
        .await
        .expect(201);
    let task = app
        .call(1, Method::POST, "/", Some(cron_task("ruled")))
        .await
        .expect(201);
    let rules = format!("/{}/notify-rules", task["uuid"].as_str().unwrap());
    for channel in [theirs["uuid"].clone(), json!(uuid::Uuid::now_v7())] {
        let reply = app
            .call(
                1,
                Method::POST,
                &rules,
                Some(json!({"channel": channel, "event": "run.recovered"})),
            )
            .await;
        assert_eq!(reply.fields(), ["channel"]);
        let problem = reply.problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "unknown_channel");
    }

    // A task chaining to itself is a cycle, as at `PUT /{uuid}/chains`.
    let body = json!({"tasks": [alerted("a", json!([{"task_code": "a", "on": "failure"}]), json!([]), json!([]))]});
    let reply = app.call(1, Method::POST, "/apply", Some(body)).await;
    assert_eq!(reply.fields(), ["tasks[0].chains[0].task_code"]);
    let problem = reply.problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["code"], "chain_cycle");

    // Viewers read the configuration in the export.
    let body = json!({"tasks": [
        alerted("a", json!([{"task_code": "b", "on": "failure"}]), json!([{"every_seconds": 600}]),
                json!([{"channel_name": "ops", "event": "run.recovered", "throttle_seconds": 60}])),
        cron_task("b"),
    ]});
    app.call(1, Method::POST, "/import", Some(body))
        .await
        .expect(201);
    let exported = app
        .call_as(1, Role::Viewer, Method::GET, "/export?code=a", None)
        .await
        .expect(200);
    assert_eq!(
        exported["tasks"][0]["notify_rules"],
        json!([{"channel_name": "ops", "event": "run.recovered", "throttle_seconds": 60}])
    );
    assert_eq!(
        exported["tasks"][0]["chains"],
        json!([{"task_code": "b", "on": "failure"}])
    );
}
