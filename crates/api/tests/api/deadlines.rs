//! Dead-man deadlines over HTTP: `PUT` and `GET /{uuid}/deadlines` with each deadline's state,
//! precise errors for bad input, and `GET /deadline-misses`.

use domain::{Clock, Role};
use jiff::SignedDuration;
use reqwest::Method;
use serde_json::json;
use store::DeadlineFinding;

use store::on_both_databases;

use crate::helpers::{TestApp, cron_task, start_instant};

async fn deadlines_are_set_shown_and_cleared(app: TestApp) {
    let task = app.create(1, cron_task("watched")).await;
    let uuid = task["uuid"].as_str().unwrap();
    let path = format!("/{uuid}/deadlines");
    let body = json!({"deadlines": [
        {"every_seconds": 3600},
        {"by": "07:30", "timezone": "Europe/Berlin", "days": "* * MON-FRI"}
    ]});
    let set = app
        .call(1, Method::PUT, &path, Some(body))
        .await
        .expect(200);
    let now = start_instant();
    assert_eq!(
        set["deadlines"][0],
        json!({
            "every_seconds": 3600, "key": "every 3600s", "since": now.to_string(),
            "next_due_at": (now + SignedDuration::from_hours(1)).to_string(),
            "last_success_at": null, "last_met_at": null, "last_missed_at": null,
            "missed_count": 0
        })
    );
    // Thursday 2026-01-15 12:00Z is past 07:30 CET: next due Friday 06:30Z.
    assert_eq!(
        set["deadlines"][1]["key"],
        "by 07:30 Europe/Berlin on * * MON-FRI"
    );
    assert_eq!(set["deadlines"][1]["days"], "* * MON-FRI");
    assert_eq!(set["deadlines"][1]["next_due_at"], "2026-01-16T06:30:00Z");
    let read = app.call(1, Method::GET, &path, None).await.expect(200);
    assert_eq!(read, set);
    // Viewers read; another tenant's task is unknown.
    app.call_as(1, Role::Viewer, Method::GET, &path, None)
        .await
        .expect(200);
    app.call(2, Method::GET, &path, None)
        .await
        .problem(404, "not_found");
    app.call(2, Method::PUT, &path, Some(json!({"deadlines": []})))
        .await
        .problem(404, "not_found");
    app.call_as(
        1,
        Role::Operator,
        Method::PUT,
        &path,
        Some(json!({"deadlines": []})),
    )
    .await
    .problem(403, "forbidden");
    let cleared = app
        .call(1, Method::PUT, &path, Some(json!({"deadlines": []})))
        .await
        .expect(200);
    assert_eq!(cleared, json!({"deadlines": []}));
}

async fn bad_deadlines_are_refused_naming_the_field(app: TestApp) {
    let task = app.create(1, cron_task("watched")).await;
    let path = format!("/{}/deadlines", task["uuid"].as_str().unwrap());
    let reply = app
        .call(
            1,
            Method::PUT,
            &path,
            Some(json!({"deadlines": [{"every_seconds": 5}, {"by": "7:30", "days": "* *", "timezone": "Mars/Base"}]})),
        )
        .await;
    assert_eq!(
        reply.fields(),
        [
            "deadlines[0].every_seconds",
            "deadlines[1].by",
            "deadlines[1].days",
            "deadlines[1].timezone"
        ]
    );
    reply.problem(422, "validation_failed");
    let reply = app
        .call(
            1,
            Method::PUT,
            &path,
            Some(json!({"deadlines": [{"by": "07:00", "colour": "red"}]})),
        )
        .await;
    assert_eq!(reply.fields(), ["deadlines[0].colour"]);
    reply.problem(400, "unknown_field");
    let reply = app.call(1, Method::PUT, &path, Some(json!({}))).await;
    assert_eq!(reply.fields(), ["deadlines"]);
    reply.problem(422, "validation_failed");
    let read = app.call(1, Method::GET, &path, None).await.expect(200);
    assert_eq!(read, json!({"deadlines": []}), "nothing was stored");
}

async fn recent_misses_are_listed(app: TestApp) {
    let task = app.create(1, cron_task("watched")).await;
    let uuid = task["uuid"].as_str().unwrap();
    let other = app.create(1, cron_task("other")).await;
    app.call(
        1,
        Method::PUT,
        &format!("/{uuid}/deadlines"),
        Some(json!({"deadlines": [{"every_seconds": 60}]})),
    )
    .await
    .expect(200);
    let now = app.clock.now() + SignedDuration::from_secs(150);
    let check = app
        .support
        .deadlines_to_check(0, 10, now)
        .await
        .unwrap()
        .remove(0);
    let due = start_instant() + SignedDuration::from_secs(120);
    let finding = DeadlineFinding {
        due,
        missed: 2,
        stopped: false,
        last_success_at: None,
    };
    assert!(
        app.support
            .record_finding(&check, finding, now)
            .await
            .unwrap()
    );

    let misses = app
        .call(1, Method::GET, "/deadline-misses", None)
        .await
        .expect(200);
    assert_eq!(
        misses,
        json!({"items": [{
            "task_uuid": uuid, "task_code": "watched", "deadline": {"every_seconds": 60},
            "due_at": due.to_string(), "missed": 2, "last_success_at": null,
            "recorded_at": now.to_string()
        }]})
    );
    let of_task = app
        .call(
            1,
            Method::GET,
            &format!("/deadline-misses?task_uuid={uuid}&limit=1"),
            None,
        )
        .await
        .expect(200);
    assert_eq!(of_task, misses);
    let of_other = app
        .call(
            1,
            Method::GET,
            &format!(
                "/deadline-misses?task_uuid={}",
                other["uuid"].as_str().unwrap()
            ),
            None,
        )
        .await
        .expect(200);
    assert_eq!(of_other, json!({"items": []}));
    let state = app
        .call(1, Method::GET, &format!("/{uuid}/deadlines"), None)
        .await
        .expect(200);
    assert_eq!(state["deadlines"][0]["missed_count"], 2);
    assert_eq!(state["deadlines"][0]["last_missed_at"], due.to_string());
    assert_eq!(
        app.call(2, Method::GET, "/deadline-misses", None)
            .await
            .expect(200),
        json!({"items": []})
    );
    app.call(
        2,
        Method::GET,
        &format!("/deadline-misses?task_uuid={uuid}"),
        None,
    )
    .await
    .problem(404, "not_found");
    let reply = app
        .call(1, Method::GET, "/deadline-misses?limit=0", None)
        .await;
    assert_eq!(reply.fields(), ["limit"]);
    reply.problem(400, "invalid_query");
}

on_both_databases!(
    deadlines_are_set_shown_and_cleared,
    bad_deadlines_are_refused_naming_the_field,
    recent_misses_are_listed,
);
