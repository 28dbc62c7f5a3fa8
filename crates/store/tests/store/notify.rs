//! Notifications on both databases: the outbox records an event about a task of the tenant,
//! once per run and kind; channels and rules stay in their tenant; the finisher records a
//! final failure and a recovery of tasks with rules; routing honours thresholds, throttle
//! windows and tenant defaults; one node claims each delivery, and retries and dead senders'
//! leases bring it back. On PostgreSQL, two nodes routing events of the same tasks at once do
//! not deadlock on the throttle rows.

use std::sync::Arc;

use domain::{ChannelKind, EventKind, RunStatus, RunUuid, TaskUuid};
use jiff::SignedDuration;
use serde_json::json;
use sqlx::{Connection, Executor, PgConnection};
use store::on_both_databases;
use store::prelude::*;
use store::test_support::{PostgresDb, TestStore};
use store::{
    AttemptEnd, ClaimRequest, DeliveryAttempt, DeliveryQuery, DeliveryStatus, FairShare,
    NewChannel, NewEvent, NewRule, PostgresStore, RuleError, StoreError,
};
use uuid::Uuid;

use crate::common::{at, change, create, tenant, until_one_waits_for_a_lock};

on_both_databases!(
    the_outbox_records_events_of_the_tenants_own_tasks,
    channels_and_rules_belong_to_their_tenant,
    failures_notify_once_per_throttle_window_and_recovery_notifies,
    the_email_cap_holds_per_tenant_and_clock_hour_under_concurrent_senders,
    an_email_delivery_records_the_relay_s_reply_or_its_skipping,
);

async fn the_outbox_records_events_of_the_tenants_own_tasks(store: Arc<dyn TestStore>) {
    let task = create(&*store, tenant(1), "A", "a", 0).await;
    let run = RunUuid::new_v7();
    let payload = json!({"deadline": "2030-01-01T07:00:00Z"});
    let missed = NewEvent {
        tenant: tenant(1),
        task: task.uuid,
        run: None,
        kind: EventKind::DeadlineMissed,
        payload: &payload,
        occurred_at: at(1_000),
    };
    let first = store.record_event(&missed).await.unwrap().unwrap();
    let failed = NewEvent {
        run: Some(run),
        kind: EventKind::RunFailed,
        occurred_at: at(2_000),
        ..missed.clone()
    };
    let second = store.record_event(&failed).await.unwrap().unwrap();
    // The same run's failure again (a producer looking back over a window) records nothing.
    let again = NewEvent {
        occurred_at: at(3_000),
        ..failed.clone()
    };
    assert_eq!(store.record_event(&again).await.unwrap(), None);

    // Another tenant's task, or no task at all, records nothing.
    for (tenant_id, uuid) in [(tenant(2), task.uuid), (tenant(1), TaskUuid::new_v7())] {
        let stray = NewEvent {
            tenant: tenant_id,
            task: uuid,
            ..missed.clone()
        };
        assert_eq!(store.record_event(&stray).await.unwrap(), None);
    }

    let events = store.task_events(tenant(1), task.uuid, 10).await.unwrap();
    assert_eq!(
        events
            .iter()
            .map(|e| (e.uuid, e.run, e.kind, e.occurred_at, e.routed_at))
            .collect::<Vec<_>>(),
        vec![
            (second, Some(run), EventKind::RunFailed, at(2_000), None),
            (first, None, EventKind::DeadlineMissed, at(1_000), None),
        ]
    );
    assert_eq!(events[1].payload, payload);
    assert!(
        store
            .task_events(tenant(2), task.uuid, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .task_events(tenant(1), task.uuid, 1)
            .await
            .unwrap()
            .len(),
        1
    );
}

fn webhook<'a>(tenant_id: i64, config: &'a serde_json::Value) -> NewChannel<'a> {
    NewChannel {
        tenant: tenant(tenant_id),
        name: "ops hook",
        kind: ChannelKind::Webhook,
        config,
        secret: Some("s1"),
        actor: "alice",
        at: at(0),
    }
}

fn rule(
    tenant_id: i64,
    task: Option<TaskUuid>,
    channel: Uuid,
    event: EventKind,
) -> NewRule<'static> {
    NewRule {
        tenant: tenant(tenant_id),
        task,
        channel,
        event,
        threshold: None,
        throttle: SignedDuration::from_mins(15),
        actor: "alice",
        at: at(0),
    }
}

async fn channels_and_rules_belong_to_their_tenant(store: Arc<dyn TestStore>) {
    let config = json!({"url": "https://hooks.example.com/sundial"});
    let channel = store.create_channel(&webhook(1, &config)).await.unwrap();
    assert_eq!(
        (channel.name.as_str(), channel.kind, &channel.config),
        ("ops hook", ChannelKind::Webhook, &config)
    );
    assert_eq!(
        store.channels(tenant(1)).await.unwrap(),
        vec![channel.clone()]
    );
    assert!(store.channels(tenant(2)).await.unwrap().is_empty());
    assert!(matches!(
        store.channel(tenant(2), channel.uuid).await,
        Err(StoreError::NotFound)
    ));

    let rotated = store
        .rotate_secret(tenant(1), channel.uuid, "s2", at(60_000), at(1_000))
        .await
        .unwrap();
    assert_eq!(rotated.previous_secret_until, Some(at(60_000)));
    assert!(matches!(
        store
            .rotate_secret(tenant(2), channel.uuid, "s3", at(60_000), at(1_000))
            .await,
        Err(StoreError::NotFound)
    ));

    let task = create(&*store, tenant(1), "A", "a", 0).await;
    let own = store
        .create_rule(&rule(
            1,
            Some(task.uuid),
            channel.uuid,
            EventKind::RunFailed,
        ))
        .await
        .unwrap();
    let default = store
        .create_rule(&rule(1, None, channel.uuid, EventKind::RunRecovered))
        .await
        .unwrap();
    assert_eq!(
        store.rules(tenant(1), Some(task.uuid)).await.unwrap(),
        vec![own.clone()]
    );
    assert_eq!(store.rules(tenant(1), None).await.unwrap(), vec![default]);
    // Another tenant can name neither the task nor the channel.
    assert!(matches!(
        store
            .create_rule(&rule(
                2,
                Some(task.uuid),
                channel.uuid,
                EventKind::RunFailed
            ))
            .await,
        Err(RuleError::NoTask)
    ));
    assert!(matches!(
        store
            .create_rule(&rule(2, None, channel.uuid, EventKind::RunFailed))
            .await,
        Err(RuleError::NoChannel)
    ));
    assert!(matches!(
        store
            .delete_rule(own.uuid, change(tenant(2), "ci", 0))
            .await,
        Err(StoreError::NotFound)
    ));

    // Another tenant cannot delete it; deleting it takes its rules with it.
    assert!(matches!(
        store
            .delete_channel(channel.uuid, change(tenant(2), "ci", 2_000))
            .await,
        Err(StoreError::NotFound)
    ));
    store
        .delete_channel(channel.uuid, change(tenant(1), "alice", 2_000))
        .await
        .unwrap();
    assert!(store.channels(tenant(1)).await.unwrap().is_empty());
    assert!(
        store
            .rules(tenant(1), Some(task.uuid))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.rules(tenant(1), None).await.unwrap().is_empty());
    assert!(matches!(
        store
            .delete_channel(channel.uuid, change(tenant(1), "alice", 3_000))
            .await,
        Err(StoreError::NotFound)
    ));
}

fn share() -> FairShare {
    FairShare::default()
}

/// Runs the task once, manually, ending its only attempt with `status` at `ms`.
async fn run_once(store: &dyn TestStore, task: TaskUuid, status: RunStatus, ms: i64) -> RunUuid {
    let run = store
        .enqueue_manual(tenant(1), task, "alice", at(ms))
        .await
        .unwrap();
    let share = share();
    let claimed = store
        .claim(
            at(ms),
            ClaimRequest {
                owner: "n1",
                lease: SignedDuration::from_secs(30),
                lead: SignedDuration::ZERO,
                limit: 10,
                sandboxes: 10,
                share: &share,
            },
        )
        .await
        .unwrap();
    assert!(claimed.iter().any(|c| c.run == run.uuid));
    let end = AttemptEnd {
        status,
        result: None,
        error: (status != RunStatus::Succeeded).then(|| "boom".to_owned()),
        started_at: Some(at(ms)),
        duration_ms: 5,
        retry_at: None,
    };
    assert!(
        store
            .finish("n1", run.uuid, 1, end, at(ms + 5))
            .await
            .unwrap()
    );
    run.uuid
}

async fn failures_notify_once_per_throttle_window_and_recovery_notifies(store: Arc<dyn TestStore>) {
    let config = json!({"url": "https://hooks.example.com/sundial"});
    let channel = store.create_channel(&webhook(1, &config)).await.unwrap();
    let quiet = create(&*store, tenant(1), "Quiet", "quiet", 0).await;
    let task = create(&*store, tenant(1), "A", "a", 0).await;
    // A task without rules records no event; with one, its failures and recovery do.
    run_once(&*store, quiet.uuid, RunStatus::Failed, 0).await;
    assert!(
        store
            .task_events(tenant(1), quiet.uuid, 10)
            .await
            .unwrap()
            .is_empty()
    );
    store
        .create_rule(&NewRule {
            threshold: Some(2),
            ..rule(1, Some(task.uuid), channel.uuid, EventKind::RunFailed)
        })
        .await
        .unwrap();
    store
        .create_rule(&rule(1, None, channel.uuid, EventKind::RunRecovered))
        .await
        .unwrap();

    let first = run_once(&*store, task.uuid, RunStatus::Failed, 1_000).await;
    assert_eq!(store.route_events(at(1_100), 100).await.unwrap(), 1);
    // One failure is below the rule's threshold of 2.
    let none = DeliveryQuery {
        limit: 10,
        ..DeliveryQuery::default()
    };
    assert!(store.deliveries(tenant(1), none).await.unwrap().is_empty());
    let second = run_once(&*store, task.uuid, RunStatus::TimedOut, 2_000).await;
    run_once(&*store, task.uuid, RunStatus::Failed, 3_000).await;
    assert_eq!(store.route_events(at(3_100), 100).await.unwrap(), 2);
    let sent = store.deliveries(tenant(1), none).await.unwrap();
    // The second failure notifies; the third is within the 15-minute window.
    assert_eq!(
        sent.iter()
            .map(|d| (d.run, d.kind, d.status))
            .collect::<Vec<_>>(),
        vec![(Some(second), EventKind::RunFailed, DeliveryStatus::Pending)]
    );
    let events = store.task_events(tenant(1), task.uuid, 10).await.unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(events[2].run, Some(first));
    assert_eq!(events[1].payload["consecutive_failures"], json!(2));
    assert_eq!(events[1].payload["status"], json!("timed_out"));

    // After the window, a failure notifies again. The success after it is a recovery event,
    // but routes nowhere: the task has rules of its own, so the tenant defaults do not apply.
    let late = 3_000 + 15 * 60_000 + 1;
    let fourth = run_once(&*store, task.uuid, RunStatus::Failed, late).await;
    let recovered = run_once(&*store, task.uuid, RunStatus::Succeeded, late + 100).await;
    assert_eq!(store.route_events(at(late + 200), 100).await.unwrap(), 2);
    let sent = store.deliveries(tenant(1), none).await.unwrap();
    assert_eq!(
        sent.iter().map(|d| (d.run, d.kind)).collect::<Vec<_>>(),
        vec![
            (Some(fourth), EventKind::RunFailed),
            (Some(second), EventKind::RunFailed)
        ]
    );
    let kinds: Vec<_> = store
        .task_events(tenant(1), task.uuid, 1)
        .await
        .unwrap()
        .iter()
        .map(|e| (e.run, e.kind))
        .collect();
    assert_eq!(kinds, vec![(Some(recovered), EventKind::RunRecovered)]);

    // Claiming: one node takes each due delivery; a failed attempt is pending again and is
    // claimed once its retry instant comes; the lease of a dead sender expires.
    let lease = SignedDuration::from_secs(30);
    let now = at(late + 300);
    let claimed = store.claim_deliveries("n1", now, lease, 10).await.unwrap();
    assert_eq!(claimed.len(), 2);
    assert!(
        store
            .claim_deliveries("n2", now, lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let d = &claimed[0];
    assert_eq!((d.tenant, d.attempt, d.task.0), (tenant(1), 1, task.uuid));
    assert_eq!(d.secrets, vec!["s1".to_owned()]);
    let retry = DeliveryAttempt {
        status: DeliveryStatus::Pending,
        retry_at: Some(now + SignedDuration::from_secs(60)),
        response_code: Some(503),
        response: None,
        error: Some("HTTP 503".into()),
    };
    assert!(store.end_delivery("n1", d.uuid, &retry, now).await.unwrap());
    assert!(
        !store
            .end_delivery("n2", claimed[1].uuid, &retry, now)
            .await
            .unwrap()
    );
    assert!(
        store
            .claim_deliveries("n2", now, lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let later = now + SignedDuration::from_secs(61);
    let again = store
        .claim_deliveries("n2", later, lease, 10)
        .await
        .unwrap();
    // The retried one, and the other whose holder n1 never ended it: its lease expired.
    assert_eq!(again.len(), 2);
    let retried = again.iter().find(|c| c.uuid == d.uuid).unwrap();
    assert_eq!(retried.attempt, 2);
    let delivered = DeliveryAttempt {
        status: DeliveryStatus::Delivered,
        retry_at: None,
        response_code: Some(200),
        response: None,
        error: None,
    };
    assert!(
        store
            .end_delivery("n2", d.uuid, &delivered, later)
            .await
            .unwrap()
    );
    let by_run = DeliveryQuery {
        run: retried.run,
        limit: 10,
        ..DeliveryQuery::default()
    };
    let shown = store.deliveries(tenant(1), by_run).await.unwrap();
    assert_eq!(shown.len(), 1);
    assert_eq!(
        (
            shown[0].status,
            shown[0].attempts,
            shown[0].response_code,
            shown[0].finished_at
        ),
        (DeliveryStatus::Delivered, 2, Some(200), Some(later))
    );
    assert!(store.deliveries(tenant(2), none).await.unwrap().is_empty());

    // Pruning: events with something left to send stay (the other delivery is still held
    // by n2); the rest go with their deliveries.
    let pruned = store
        .prune_events(later + SignedDuration::from_secs(1), 100)
        .await
        .unwrap();
    assert_eq!(pruned, 4, "five events, one with a delivery still sending");
    let left = store.task_events(tenant(1), task.uuid, 10).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(store.deliveries(tenant(1), none).await.unwrap().len(), 1);
    assert!(
        store
            .task_events(tenant(1), quiet.uuid, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn the_email_cap_holds_per_tenant_and_clock_hour_under_concurrent_senders(
    store: Arc<dyn TestStore>,
) {
    // 10:00:00.000 to 10:59:59.999 UTC is one hour; at 11:00 the count starts again.
    let ten = 1_800_000_000_000_i64 / 3_600_000 * 3_600_000 + 10 * 3_600_000;
    // Twelve senders at once (one connection each, as nodes would be) for a cap of 5.
    let takes = (0..12).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .take_email_slot(tenant(1), at(ten + i * 1_000), 5)
                .await
                .unwrap()
        })
    });
    let mut taken = 0;
    for take in takes {
        taken += usize::from(take.await.unwrap());
    }
    assert_eq!(taken, 5, "exactly the cap, however the senders interleave");
    assert!(
        !store
            .take_email_slot(tenant(1), at(ten + 3_599_999), 5)
            .await
            .unwrap(),
        "the last millisecond of the hour is still in it"
    );
    // Another tenant has a cap of its own; a raised cap lets more through at once.
    assert!(store.take_email_slot(tenant(2), at(ten), 5).await.unwrap());
    assert!(store.take_email_slot(tenant(1), at(ten), 6).await.unwrap());
    assert!(!store.take_email_slot(tenant(1), at(ten), 6).await.unwrap());
    // The next hour counts from zero.
    let eleven = ten + 3_600_000;
    for _ in 0..2 {
        assert!(
            store
                .take_email_slot(tenant(1), at(eleven), 2)
                .await
                .unwrap()
        );
    }
    assert!(
        !store
            .take_email_slot(tenant(1), at(eleven), 2)
            .await
            .unwrap()
    );
}

async fn an_email_delivery_records_the_relay_s_reply_or_its_skipping(store: Arc<dyn TestStore>) {
    let config = json!({"to": ["ops@example.com"]});
    let channel = store
        .create_channel(&NewChannel {
            name: "ops mail",
            kind: ChannelKind::Email,
            secret: None,
            ..webhook(1, &config)
        })
        .await
        .unwrap();
    let task = create(&*store, tenant(1), "A", "a", 0).await;
    store
        .create_rule(&rule(
            1,
            Some(task.uuid),
            channel.uuid,
            EventKind::RunFailed,
        ))
        .await
        .unwrap();
    // Two failures a throttle window apart: two deliveries.
    let first = run_once(&*store, task.uuid, RunStatus::Failed, 1_000).await;
    assert_eq!(store.route_events(at(1_100), 100).await.unwrap(), 1);
    let later = 1_000 + 15 * 60_000 + 1;
    let second = run_once(&*store, task.uuid, RunStatus::Failed, later).await;
    let now = at(later + 200);
    assert_eq!(store.route_events(now, 100).await.unwrap(), 1);
    let claimed = store
        .claim_deliveries("n1", now, SignedDuration::from_secs(60), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2);
    assert_eq!(
        (claimed[0].channel_kind, &claimed[0].channel_config),
        (ChannelKind::Email, &config)
    );
    let sent = DeliveryAttempt {
        status: DeliveryStatus::Delivered,
        retry_at: None,
        response_code: Some(250),
        response: Some("2.0.0 Ok: queued as 4F2C1".into()),
        error: None,
    };
    let skipped = DeliveryAttempt {
        status: DeliveryStatus::Skipped,
        retry_at: None,
        response_code: None,
        response: None,
        error: Some("not sent: the tenant's cap of 100 emails per hour was reached".into()),
    };
    let by_run = |run| DeliveryQuery {
        run: Some(run),
        limit: 10,
        ..DeliveryQuery::default()
    };
    for (claim, attempt) in claimed.iter().zip([&sent, &skipped]) {
        assert!(
            store
                .end_delivery("n1", claim.uuid, attempt, now)
                .await
                .unwrap()
        );
    }
    let shown = |d: &store::Delivery| {
        (
            d.status,
            d.response_code,
            d.response.clone(),
            d.error.clone(),
            d.next_attempt_at,
            d.finished_at,
        )
    };
    let one = store.deliveries(tenant(1), by_run(first)).await.unwrap();
    let two = store.deliveries(tenant(1), by_run(second)).await.unwrap();
    let (done, capped) = if claimed[0].run == Some(first) {
        (&one[0], &two[0])
    } else {
        (&two[0], &one[0])
    };
    assert_eq!(
        shown(done),
        (
            DeliveryStatus::Delivered,
            Some(250),
            sent.response.clone(),
            None,
            None,
            Some(now)
        )
    );
    assert_eq!(
        shown(capped),
        (
            DeliveryStatus::Skipped,
            None,
            None,
            skipped.error.clone(),
            None,
            Some(now)
        )
    );
    // Neither is sent again.
    let later = now + SignedDuration::from_hours(1);
    assert!(
        store
            .claim_deliveries("n1", later, SignedDuration::from_secs(60), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Takes a rule's throttle row for a task as `take_throttle.sql` does, in `conn`'s open
/// transaction: another node routing an event of that task and rule.
async fn take_throttle(conn: &mut PgConnection, rule: Uuid, task: TaskUuid, now: i64) {
    sqlx::query(
        "INSERT INTO notify_throttle (rule_id, task_id, last_notified_at) \
         SELECT r.id, t.id, $3 FROM notify_rules r, scheduled_tasks t \
         WHERE r.uuid = $1 AND t.uuid = $2 \
         ON CONFLICT (rule_id, task_id) DO UPDATE SET last_notified_at = excluded.last_notified_at",
    )
    .bind(rule)
    .bind(task.0)
    .bind(now)
    .execute(conn)
    .await
    .expect("the other node takes the throttle row without a deadlock");
}

/// Two nodes routing different events of the same tasks take the same throttle rows. Were
/// they taken in event order, a node routing B's event before A's would hold B's row and
/// wait for A's while the other holds A's and waits for B's, and PostgreSQL would abort one
/// after `deadlock_timeout`. Taken in (rule, task) order, the second waits for the first.
#[tokio::test]
async fn postgres_two_nodes_routing_events_of_the_same_tasks_do_not_deadlock() {
    let Some(db) = PostgresDb::create().await else {
        return;
    };
    let store = Arc::new(PostgresStore::connect(&db.url).await.expect("migrate"));
    let t = tenant(1);
    let config = json!({"url": "https://hooks.example.com/sundial"});
    let channel = store.create_channel(&webhook(1, &config)).await.unwrap();
    let default = store
        .create_rule(&rule(1, None, channel.uuid, EventKind::DeadlineMissed))
        .await
        .unwrap();
    let a = create(&*store, t, "A", "a", 0).await;
    let b = create(&*store, t, "B", "b", 0).await;
    // B's event comes first, though A's task row (and so its throttle row) sorts first.
    let payload = json!({});
    for task in [b.uuid, a.uuid] {
        let missed = NewEvent {
            tenant: t,
            task,
            run: None,
            kind: EventKind::DeadlineMissed,
            payload: &payload,
            occurred_at: at(1_000),
        };
        store.record_event(&missed).await.unwrap().unwrap();
    }

    // The other node, routing events of A and B of its own, takes A's row first.
    let now = at(2_000);
    let mut other = PgConnection::connect(&db.url).await.expect("connect");
    let mut watcher = PgConnection::connect(&db.url).await.expect("connect");
    other.execute("BEGIN").await.unwrap();
    take_throttle(&mut other, default.uuid, a.uuid, now.as_millisecond()).await;
    let routing = {
        let store = Arc::clone(&store);
        tokio::spawn(async move { store.route_events(now, 10).await })
    };
    // Until the routing waits for a row lock: A's throttle row.
    until_one_waits_for_a_lock(&mut watcher, "the routing").await;
    // Then B's: the waiting routing must hold none of them.
    take_throttle(&mut other, default.uuid, b.uuid, now.as_millisecond()).await;
    other.execute("COMMIT").await.unwrap();
    let routed = routing
        .await
        .unwrap()
        .expect("the routing goes on once the other node is done");
    assert_eq!(routed, 2);
    // The other node's notices hold both windows: nothing more is sent.
    let all = DeliveryQuery {
        limit: 10,
        ..DeliveryQuery::default()
    };
    assert!(store.deliveries(t, all).await.unwrap().is_empty());
    for task in [a.uuid, b.uuid] {
        let events = store.task_events(t, task, 10).await.unwrap();
        assert!(events[0].routed_at.is_some(), "{events:?}");
    }

    other.close().await.ok();
    watcher.close().await.ok();
    store.close().await;
    db.drop_database().await;
}
