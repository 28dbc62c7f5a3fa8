//! Dead-man deadlines checked by the maintenance leader in virtual time: nothing before the
//! deadline falls due, then one record of the latest miss after an outage, counting every
//! instant it stands for, and never a second record of the same instant; a stopped task's
//! instants are not reported when it starts again; misses past the retention are pruned.

use std::sync::Arc;
use std::time::Duration;

use domain::metrics::DEADLINES_MISSED;
use domain::{Deadline, RetryPolicy, Trigger, TriggerType};
use engine::EngineConfig;
use jiff::SignedDuration;
use serde_json::json;
use store::prelude::*;

use crate::{Harness, Script, config, t0, tenant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missed_deadline_is_recorded_once_with_the_instants_it_stands_for() {
    let mut h = Harness::new(Script::Succeed).await;
    // Fires once a year: nothing succeeds while the test runs.
    let yearly = Trigger::parse(TriggerType::Cron, &json!({"cron": "0 0 1 1 *"})).unwrap();
    let task = h
        .task_with(
            "watched",
            RetryPolicy::default(),
            yearly.clone(),
            Default::default(),
        )
        .await;
    let paused = h
        .task_with("paused", RetryPolicy::default(), yearly, Default::default())
        .await;
    let every_minute = Deadline::parse_list(&json!([{"every_seconds": 60}])).unwrap();
    for task in [&task, &paused] {
        h.store
            .set_deadlines(
                task.uuid,
                &every_minute,
                store::Change {
                    tenant: tenant(),
                    actor: "ci",
                    at: t0(),
                },
            )
            .await
            .unwrap();
    }
    h.set_active(&paused, false, None, t0()).await;
    let metrics = Arc::new(domain::Metrics::default());
    h.start_with(EngineConfig {
        metrics: metrics.clone(),
        ..config()
    });
    let misses = || async {
        h.store
            .deadline_misses(tenant(), Some(task.uuid), 10)
            .await
            .unwrap()
    };

    h.clock.set(t0() + SignedDuration::from_secs(59));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        misses().await.is_empty(),
        "not due before a minute has passed"
    );

    // Ten minutes and a bit later: one record, of the latest instant, standing for ten.
    h.clock.set(t0() + SignedDuration::from_secs(605));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while misses().await.is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "no miss recorded");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Many more passes at the same instant record nothing more.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let recorded = misses().await;
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].due_at, t0() + SignedDuration::from_secs(600));
    assert_eq!(recorded[0].missed, 10);
    assert_eq!(metrics.get(&DEADLINES_MISSED, "every"), 10);

    // The stopped task missed nothing; started again, only an instant after that counts.
    assert!(
        h.store
            .deadline_misses(tenant(), Some(paused.uuid), 10)
            .await
            .unwrap()
            .is_empty()
    );
    h.set_active(&paused, true, None, h.clock_now()).await;

    // A minute on: the next instant, on its own.
    h.clock.set(t0() + SignedDuration::from_secs(665));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while misses().await.len() < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no second miss recorded"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let recorded = misses().await;
    assert_eq!(
        (recorded[0].due_at, recorded[0].missed),
        (t0() + SignedDuration::from_secs(660), 1)
    );
    let state = h
        .store
        .deadlines(tenant(), task.uuid, h.clock_now())
        .await
        .unwrap()
        .remove(0);
    assert_eq!(state.missed_count, 11);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let paused_misses = loop {
        let found = h
            .store
            .deadline_misses(tenant(), Some(paused.uuid), 10)
            .await
            .unwrap();
        if !found.is_empty() {
            break found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no miss after the start"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(
        (paused_misses[0].due_at, paused_misses[0].missed),
        (t0() + SignedDuration::from_secs(660), 1)
    );
    // Ten and one for the watched task, one for the other (counted just after the commit).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while metrics.get(&DEADLINES_MISSED, "every") != 12 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the counter stays at {}",
            metrics.get(&DEADLINES_MISSED, "every")
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misses_older_than_the_retention_are_pruned_by_the_maintenance_leader() {
    let mut h = Harness::new(Script::Succeed).await;
    let yearly = Trigger::parse(TriggerType::Cron, &json!({"cron": "0 0 1 1 *"})).unwrap();
    let task = h
        .task_with(
            "watched",
            RetryPolicy::default(),
            yearly,
            Default::default(),
        )
        .await;
    let every_minute = Deadline::parse_list(&json!([{"every_seconds": 60}])).unwrap();
    h.store
        .set_deadlines(
            task.uuid,
            &every_minute,
            store::Change {
                tenant: tenant(),
                actor: "ci",
                at: t0(),
            },
        )
        .await
        .unwrap();
    h.start_with(EngineConfig {
        retention: Some(Duration::from_secs(24 * 3600)),
        ..config()
    });
    let due_ats = || async {
        h.store
            .deadline_misses(tenant(), Some(task.uuid), 10)
            .await
            .unwrap()
            .iter()
            .map(|m| m.due_at)
            .collect::<Vec<_>>()
    };
    let first = t0() + SignedDuration::from_secs(60);
    h.clock.set(t0() + SignedDuration::from_secs(65));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !due_ats().await.contains(&first) {
        assert!(tokio::time::Instant::now() < deadline, "no miss recorded");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // A day and a minute later the first miss is past the retention; the one the check
    // records then is not.
    h.clock
        .set(t0() + SignedDuration::from_secs(24 * 3600 + 125));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let seen = due_ats().await;
        if !seen.contains(&first) && !seen.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the old miss stays: {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    h.stop().await;
}
