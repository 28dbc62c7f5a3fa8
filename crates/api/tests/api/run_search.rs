//! Runs across the tenant's tasks: `GET /runs` (filtered, paged) and `GET /stats` (counts per
//! time bucket), tenant-scoped and bounded.

use domain::{Run, RunStatus, RunTrigger, RunUuid, TaskUuid, TenantId};
use jiff::{SignedDuration, Timestamp};
use reqwest::Method;
use serde_json::Value;
use store::on_both_databases;

use crate::helpers::{TestApp, cron_task, start_instant};

const A: i64 = 1;
const B: i64 = 2;

on_both_databases!(
    runs_across_tasks_are_filtered_paged_and_tenant_scoped,
    stats_count_each_state_per_bucket_within_bounds,
);

/// Records a run of `task` for `tenant`, scheduled `minutes` after the test clock's start.
async fn record(
    app: &TestApp,
    tenant: i64,
    task: &Value,
    minutes: i64,
    status: RunStatus,
    duration_ms: Option<i64>,
) -> String {
    let at = start_instant() + SignedDuration::from_mins(minutes);
    let run = Run {
        uuid: RunUuid::new_v7(),
        task_uuid: TaskUuid(task["uuid"].as_str().unwrap().parse().unwrap()),
        task_version: 1,
        trigger: RunTrigger::Schedule,
        scheduled_for: at,
        occurrences: 1,
        status,
        skip_reason: None,
        attempt: 1,
        max_attempts: 1,
        rescues: 0,
        requeues: 0,
        queued_at: at,
        started_at: duration_ms.map(|_| at),
        finished_at: duration_ms.map(|d| at + SignedDuration::from_millis(d)),
        duration_ms,
        result: None,
        error: (status == RunStatus::Failed).then(|| "HTTP 500".to_owned()),
        logs_pruned_at: None,
        args: None,
        parent: None,
        next_attempt_at: None,
    };
    app.support
        .insert_run_for_tests(TenantId::new(tenant).unwrap(), &run)
        .await
        .unwrap();
    run.uuid.to_string()
}

/// An instant `minutes` after the test clock's start, as a query value.
fn minute(minutes: i64) -> String {
    (start_instant() + SignedDuration::from_mins(minutes))
        .to_string()
        .replace('+', "%2B")
}

/// Each listed run as `code:status`.
fn listed(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}:{}",
                r["task_code"].as_str().unwrap(),
                r["status"].as_str().unwrap()
            )
        })
        .collect()
}

async fn runs(app: &TestApp, tenant: i64, query: &str) -> Value {
    app.call(tenant, Method::GET, &format!("/runs{query}"), None)
        .await
        .expect(200)
}

async fn runs_across_tasks_are_filtered_paged_and_tenant_scoped(app: TestApp) {
    let billing = app.create(A, cron_task("billing")).await;
    let report = app.create(A, cron_task("report")).await;
    let theirs = app.create(B, cron_task("billing")).await;
    record(&app, A, &billing, 1, RunStatus::Succeeded, Some(40)).await;
    record(&app, A, &report, 2, RunStatus::Failed, Some(70)).await;
    let newest = record(&app, A, &billing, 3, RunStatus::Failed, Some(90)).await;
    record(&app, B, &theirs, 4, RunStatus::Succeeded, Some(10)).await;

    let all = runs(&app, A, "").await;
    assert_eq!(
        listed(&all),
        ["billing:failed", "report:failed", "billing:succeeded"]
    );
    assert_eq!(
        (all["total"].as_u64(), all["page"].as_u64()),
        (Some(3), Some(1))
    );
    let first = &all["items"][0];
    assert_eq!(first["uuid"], newest.as_str());
    assert_eq!(first["task_uuid"], billing["uuid"]);
    assert_eq!(first["task_name"], "Task billing");
    assert_eq!(first["duration_ms"], 90);
    assert_eq!(first["error"], "HTTP 500");
    // `/runs/{run_uuid}` still answers one run beside the list.
    let one = app
        .call(A, Method::GET, &format!("/runs/{newest}"), None)
        .await
        .expect(200);
    assert_eq!(one["uuid"], newest.as_str());

    assert_eq!(
        listed(&runs(&app, A, "?status=failed").await),
        ["billing:failed", "report:failed"]
    );
    let uuid = billing["uuid"].as_str().unwrap();
    assert_eq!(
        listed(&runs(&app, A, &format!("?task_uuid={uuid}")).await),
        ["billing:failed", "billing:succeeded"]
    );
    assert_eq!(
        listed(&runs(&app, A, "?task_code=report&status=failed").await),
        ["report:failed"]
    );
    let range = format!("?from={}&to={}", minute(2), minute(3));
    assert_eq!(listed(&runs(&app, A, &range).await), ["report:failed"]);
    let second = runs(&app, A, "?page=2&page_size=2").await;
    assert_eq!(listed(&second), ["billing:succeeded"]);
    assert_eq!(second["total"], 3);

    // Tenant B sees only its own run, and A's task is no task of B's.
    assert_eq!(listed(&runs(&app, B, "").await), ["billing:succeeded"]);
    let foreign = runs(&app, B, &format!("?task_uuid={uuid}")).await;
    assert_eq!(
        (
            foreign["items"].as_array().unwrap().len(),
            foreign["total"].as_u64()
        ),
        (0, Some(0))
    );

    // Bad parameters, each named; an empty range is a 422.
    let bad = app
        .call(
            A,
            Method::GET,
            "/runs?status=done&task_uuid=x&from=yesterday&page_size=101",
            None,
        )
        .await;
    let mut fields = bad.fields();
    fields.sort();
    assert_eq!(fields, ["from", "page_size", "status", "task_uuid"]);
    bad.problem(400, "invalid_query");
    let both = app
        .call(
            A,
            Method::GET,
            &format!("/runs?task_uuid={uuid}&task_code=billing"),
            None,
        )
        .await;
    assert_eq!(both.fields(), ["task_code"]);
    let backwards = format!("/runs?from={}&to={}", minute(3), minute(2));
    let reply = app.call(A, Method::GET, &backwards, None).await;
    assert_eq!(reply.fields(), ["to"]);
    reply.problem(422, "invalid_range");
    app.raw(
        Method::GET,
        &format!("{}/runs", api::TASKS_PREFIX),
        None,
        None,
    )
    .await
    .problem(401, "unauthorized");
}

async fn stats_count_each_state_per_bucket_within_bounds(app: TestApp) {
    let billing = app.create(A, cron_task("billing")).await;
    let report = app.create(A, cron_task("report")).await;
    let theirs = app.create(B, cron_task("billing")).await;
    // Buckets of 5 minutes from the start: [0, 5), [5, 10), [10, 15).
    record(&app, A, &billing, 0, RunStatus::Succeeded, Some(100)).await;
    record(&app, A, &report, 4, RunStatus::Failed, Some(300)).await;
    record(&app, A, &billing, 11, RunStatus::TimedOut, Some(1_000)).await;
    record(&app, A, &billing, 15, RunStatus::Failed, Some(1)).await;
    record(&app, B, &theirs, 6, RunStatus::Failed, Some(5)).await;

    let query = format!("/stats?from={}&to={}&bucket=5m", minute(0), minute(15));
    let stats = app.call(A, Method::GET, &query, None).await.expect(200);
    assert_eq!(stats["bucket"], "5m");
    let buckets = stats["buckets"].as_array().unwrap();
    let starts: Vec<&str> = buckets
        .iter()
        .map(|b| b["start"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        [
            "2026-01-15T12:00:00Z",
            "2026-01-15T12:05:00Z",
            "2026-01-15T12:10:00Z"
        ]
    );
    let totals: Vec<(u64, u64, u64, u64)> = buckets
        .iter()
        .map(|b| {
            let c = &b["counts"];
            (
                c["total"].as_u64().unwrap(),
                c["succeeded"].as_u64().unwrap(),
                c["failed"].as_u64().unwrap(),
                c["timed_out"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(totals, [(2, 1, 1, 0), (0, 0, 0, 0), (1, 0, 0, 1)]);
    assert_eq!(buckets[0]["duration_avg_ms"], 200);
    assert_eq!(buckets[0]["duration_max_ms"], 300);
    assert_eq!(buckets[1]["duration_avg_ms"], Value::Null);

    // One task; another tenant's view holds only its own run.
    let report_only = app
        .call(A, Method::GET, &format!("{query}&task_code=report"), None)
        .await
        .expect(200);
    assert_eq!(report_only["buckets"][0]["counts"]["total"], 1);
    let b_view = app.call(B, Method::GET, &query, None).await.expect(200);
    let b_totals: Vec<u64> = b_view["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["counts"]["total"].as_u64().unwrap())
        .collect();
    assert_eq!(b_totals, [0, 1, 0]);

    // Defaults: the 24 hours before the clock's now, in hours.
    let now: Timestamp = domain::Clock::now(&*app.clock);
    let day = app.call(A, Method::GET, "/stats", None).await.expect(200);
    assert_eq!(day["bucket"], "1h");
    assert_eq!(day["to"], now.to_string());
    assert_eq!(day["buckets"].as_array().unwrap().len(), 24);

    // 1,000 buckets are served; one more is refused.
    let most = format!("/stats?from={}&to={}&bucket=1m", minute(0), minute(1_000));
    let reply = app.call(A, Method::GET, &most, None).await.expect(200);
    assert_eq!(reply["buckets"].as_array().unwrap().len(), 1_000);
    let too_many = format!("/stats?from={}&to={}&bucket=1m", minute(0), minute(1_001));
    let reply = app.call(A, Method::GET, &too_many, None).await;
    assert_eq!(reply.fields(), ["bucket"]);
    reply.problem(422, "invalid_range");
    let unknown = app.call(A, Method::GET, "/stats?bucket=2h", None).await;
    assert_eq!(unknown.body["errors"][0]["code"], "not_one_of");
    unknown.problem(400, "invalid_query");
}
