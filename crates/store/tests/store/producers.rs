//! The notification events produced outside the finisher, on both databases: the check of
//! slow runs records one `run.slow` event per run past the smallest threshold applying to its
//! task (its own rules, else the tenant's defaults), while it runs or after it ended between two
//! checks; a firing batch records `occurrence.skipped` events in its transaction, only for
//! tenants with such a rule; deadline misses past the retention are pruned.

use std::sync::Arc;

use domain::{EventKind, RunStatus, RunTrigger, RunUuid, SkipReason, Task, TaskUuid};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use store::on_both_databases;
use store::test_support::TestStore;
use store::{
    AttemptEnd, ClaimRequest, DeadlineFinding, DeliveryQuery, DueTask, FairShare, FirePlan,
    FirePlanner, NewChannel, NewRule, PlannedRun,
};
use uuid::Uuid;

use crate::common::{at, change, create, tenant};

on_both_databases!(
    a_slow_run_is_recorded_once_past_the_smallest_threshold_that_applies,
    a_run_that_ended_slow_between_two_checks_is_recorded,
    skipped_occurrences_are_events_only_where_a_rule_wants_them,
    deadline_misses_past_the_retention_are_pruned,
);

async fn channel(store: &dyn TestStore, tenant_id: i64) -> Uuid {
    let config = json!({"url": "https://hooks.example.com/sundial"});
    store
        .create_channel(&NewChannel {
            tenant: tenant(tenant_id),
            name: "ops hook",
            kind: domain::ChannelKind::Webhook,
            config: &config,
            secret: Some("s1"),
            actor: "alice",
            at: at(0),
        })
        .await
        .unwrap()
        .uuid
}

async fn add_rule(
    store: &dyn TestStore,
    tenant_id: i64,
    task: Option<TaskUuid>,
    channel: Uuid,
    event: EventKind,
    threshold: Option<i64>,
) {
    store
        .create_rule(&NewRule {
            tenant: tenant(tenant_id),
            task,
            channel,
            event,
            threshold,
            throttle: SignedDuration::from_mins(15),
            actor: "alice",
            at: at(0),
        })
        .await
        .unwrap();
}

/// Starts a manual run of `task` at `ms`: claimed, so it is running from then.
async fn start_run(store: &dyn TestStore, task: &Task, ms: i64) -> RunUuid {
    let run = store
        .enqueue_manual(task.tenant, task.uuid, "alice", at(ms))
        .await
        .unwrap();
    let share = FairShare::default();
    let claimed = store
        .claim(
            at(ms),
            ClaimRequest {
                owner: "n1",
                lease: SignedDuration::from_hours(1),
                lead: SignedDuration::ZERO,
                limit: 10,
                sandboxes: 10,
                share: &share,
            },
        )
        .await
        .unwrap();
    assert!(claimed.iter().any(|c| c.run == run.uuid));
    run.uuid
}

async fn slow_events(store: &dyn TestStore, task: &Task) -> Vec<store::RecordedEvent> {
    store
        .task_events(task.tenant, task.uuid, 10)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::RunSlow)
        .collect()
}

async fn a_slow_run_is_recorded_once_past_the_smallest_threshold_that_applies(
    store: Arc<dyn TestStore>,
) {
    let own = create(&*store, tenant(1), "Own", "own", 0).await;
    let defaulted = create(&*store, tenant(1), "Defaulted", "defaulted", 0).await;
    let other_rules = create(&*store, tenant(1), "Other", "other", 0).await;
    let elsewhere = create(&*store, tenant(2), "Elsewhere", "elsewhere", 0).await;
    let since = at(0);

    let runs = [
        start_run(&*store, &own, 0).await,
        start_run(&*store, &defaulted, 0).await,
        start_run(&*store, &other_rules, 0).await,
        start_run(&*store, &elsewhere, 0).await,
    ];
    // No tenant has a run.slow rule: nothing, however long the runs take.
    assert_eq!(
        store
            .record_slow_runs(at(3_600_000), since, 100)
            .await
            .unwrap(),
        0
    );

    let hook = channel(&*store, 1).await;
    // The task's own rules: the smallest threshold counts.
    for ms in [60_000, 120_000] {
        add_rule(
            &*store,
            1,
            Some(own.uuid),
            hook,
            EventKind::RunSlow,
            Some(ms),
        )
        .await;
    }
    // The tenant's default, for tasks without rules of their own: `other_rules` has one.
    add_rule(&*store, 1, None, hook, EventKind::RunSlow, Some(30_000)).await;
    add_rule(
        &*store,
        1,
        Some(other_rules.uuid),
        hook,
        EventKind::RunFailed,
        None,
    )
    .await;

    assert_eq!(
        store
            .record_slow_runs(at(30_000), since, 100)
            .await
            .unwrap(),
        0,
        "not past any threshold yet (a run must exceed it)"
    );
    assert_eq!(
        store
            .record_slow_runs(at(30_001), since, 100)
            .await
            .unwrap(),
        1
    );
    let events = slow_events(&*store, &defaulted).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].run, Some(runs[1]));
    assert_eq!(events[0].occurred_at, at(30_001));
    assert_eq!(
        events[0].payload,
        json!({"status": "running", "attempt": 1, "started_at": at(0).to_string(),
               "duration_ms": 30_001, "threshold_ms": 30_000})
    );
    assert!(slow_events(&*store, &own).await.is_empty());

    assert_eq!(
        store
            .record_slow_runs(at(60_001), since, 100)
            .await
            .unwrap(),
        1
    );
    assert_eq!(slow_events(&*store, &own).await[0].run, Some(runs[0]));
    // Later checks record nothing more: one event per run, and the others have no rule.
    assert_eq!(
        store
            .record_slow_runs(at(600_000), since, 100)
            .await
            .unwrap(),
        0
    );
    assert_eq!(slow_events(&*store, &own).await.len(), 1);
    assert_eq!(slow_events(&*store, &defaulted).await.len(), 1);
    assert!(slow_events(&*store, &other_rules).await.is_empty());
    assert!(slow_events(&*store, &elsewhere).await.is_empty());

    // Routing sends each to the rules whose threshold its duration exceeds: the run of `own`
    // was measured at 60 001 ms, past the 60 s rule and not the 120 s one.
    assert_eq!(store.route_events(at(600_001), 100).await.unwrap(), 2);
    let query = DeliveryQuery {
        limit: 10,
        ..DeliveryQuery::default()
    };
    let sent = store.deliveries(tenant(1), query).await.unwrap();
    let mut sent: Vec<_> = sent.iter().map(|d| (d.run, d.kind)).collect();
    sent.sort_by_key(|(run, _)| run.map(|r| r.0));
    let mut want = vec![
        (Some(runs[0]), EventKind::RunSlow),
        (Some(runs[1]), EventKind::RunSlow),
    ];
    want.sort_by_key(|(run, _)| run.map(|r| r.0));
    assert_eq!(sent, want);
}

async fn a_run_that_ended_slow_between_two_checks_is_recorded(store: Arc<dyn TestStore>) {
    let task = create(&*store, tenant(1), "A", "a", 0).await;
    let hook = channel(&*store, 1).await;
    add_rule(
        &*store,
        1,
        Some(task.uuid),
        hook,
        EventKind::RunSlow,
        Some(10_000),
    )
    .await;
    let end = |status, started: i64, duration_ms| AttemptEnd {
        status,
        result: None,
        error: (status != RunStatus::Succeeded).then(|| "boom".to_owned()),
        started_at: Some(at(started)),
        duration_ms,
        retry_at: None,
    };
    // Ended before the previous check: looked at then, not again.
    let early = start_run(&*store, &task, 0).await;
    assert!(
        store
            .finish(
                "n1",
                early,
                1,
                end(RunStatus::Succeeded, 0, 12_000),
                at(12_000)
            )
            .await
            .unwrap()
    );
    // Quick, then slow, both ending between the checks at 15 s and 40 s.
    let quick = start_run(&*store, &task, 20_000).await;
    assert!(
        store
            .finish(
                "n1",
                quick,
                1,
                end(RunStatus::Succeeded, 20_000, 5_000),
                at(25_000)
            )
            .await
            .unwrap()
    );
    let slow = start_run(&*store, &task, 21_000).await;
    assert!(
        store
            .finish(
                "n1",
                slow,
                1,
                end(RunStatus::Failed, 21_000, 15_000),
                at(36_000)
            )
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .record_slow_runs(at(40_000), at(15_000), 100)
            .await
            .unwrap(),
        1
    );
    let events = slow_events(&*store, &task).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].run, Some(slow));
    assert_eq!(events[0].payload["status"], json!("failed"));
    assert_eq!(events[0].payload["duration_ms"], json!(15_000));
    assert_eq!(
        store
            .record_slow_runs(at(40_000), at(15_000), 100)
            .await
            .unwrap(),
        0,
        "once"
    );
}

/// Skips each due occurrence for overlap, a minute apart.
struct SkipAll;

impl FirePlanner for SkipAll {
    fn plan(&self, due: &DueTask, _now: Timestamp) -> FirePlan {
        let at = due.task.next_run_at.expect("due");
        FirePlan {
            runs: vec![PlannedRun {
                trigger: RunTrigger::Schedule,
                scheduled_for: at,
                scheduled_until: Some(at + SignedDuration::from_secs(120)),
                occurrences: 3,
                skip: Some(SkipReason::Overlap),
                not_before: at,
            }],
            next_run_at: Some(at + SignedDuration::from_secs(180)),
            replace_live_runs: false,
        }
    }
}

async fn skipped_occurrences_are_events_only_where_a_rule_wants_them(store: Arc<dyn TestStore>) {
    // Due at 60 s (created at 0).
    let defaulted = create(&*store, tenant(1), "A", "a", 0).await;
    let own = create(&*store, tenant(2), "B", "b", 0).await;
    let other_kind = create(&*store, tenant(2), "C", "c", 0).await;
    let quiet = create(&*store, tenant(3), "D", "d", 0).await;
    let (hook1, hook2) = (channel(&*store, 1).await, channel(&*store, 2).await);
    add_rule(&*store, 1, None, hook1, EventKind::OccurrenceSkipped, None).await;
    add_rule(
        &*store,
        2,
        Some(own.uuid),
        hook2,
        EventKind::OccurrenceSkipped,
        None,
    )
    .await;
    add_rule(
        &*store,
        2,
        Some(other_kind.uuid),
        hook2,
        EventKind::RunFailed,
        None,
    )
    .await;

    let report = store
        .fire(at(60_000), at(60_000), 10, &SkipAll, None)
        .await
        .unwrap();
    assert_eq!((report.tasks, report.skipped), (4, 4));
    let skipped_events = |task: Task| {
        let store = store.clone();
        async move {
            store
                .task_events(task.tenant, task.uuid, 10)
                .await
                .unwrap()
                .into_iter()
                .filter(|e| e.kind == EventKind::OccurrenceSkipped)
                .collect::<Vec<_>>()
        }
    };
    for task in [&defaulted, &own] {
        let events = skipped_events(task.clone()).await;
        assert_eq!(events.len(), 1, "{}", task.definition.code);
        assert_eq!(events[0].occurred_at, at(60_000));
        assert_eq!(
            events[0].payload,
            json!({"scheduled_at": at(60_000).to_string(),
                   "scheduled_until": at(180_000).to_string(),
                   "occurrences": 3, "reason": "overlap"})
        );
        let run = store
            .get_run(task.tenant, events[0].run.unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (run.status, run.skip_reason),
            (RunStatus::Skipped, Some(SkipReason::Overlap))
        );
    }
    for task in [&other_kind, &quiet] {
        assert!(
            skipped_events(task.clone()).await.is_empty(),
            "{}",
            task.definition.code
        );
    }
    assert_eq!(store.route_events(at(60_001), 100).await.unwrap(), 2);
    for t in [1, 2] {
        let query = DeliveryQuery {
            limit: 10,
            ..DeliveryQuery::default()
        };
        let sent = store.deliveries(tenant(t), query).await.unwrap();
        assert_eq!(sent.len(), 1, "tenant {t}");
        assert_eq!(sent[0].kind, EventKind::OccurrenceSkipped);
    }
}

async fn deadline_misses_past_the_retention_are_pruned(store: Arc<dyn TestStore>) {
    let task = create(&*store, tenant(1), "A", "a", 0).await;
    let every = domain::Deadline::parse_list(&json!([{"every_seconds": 60}])).unwrap();
    store
        .set_deadlines(task.uuid, &every, change(tenant(1), "ci", 0))
        .await
        .unwrap();
    for (due, now) in [(60_000, 61_000), (600_000, 601_000)] {
        let check = store
            .deadlines_to_check(0, 10, at(now))
            .await
            .unwrap()
            .remove(0);
        let finding = DeadlineFinding {
            due: at(due),
            missed: 1,
            stopped: false,
            last_success_at: None,
        };
        assert!(
            store
                .record_finding(&check, finding, at(now))
                .await
                .unwrap()
        );
    }
    assert_eq!(store.prune_misses(at(61_000), 100).await.unwrap(), 0);
    assert_eq!(store.prune_misses(at(300_000), 100).await.unwrap(), 1);
    let left = store
        .deadline_misses(tenant(1), Some(task.uuid), 10)
        .await
        .unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].due_at, at(600_000));
}
