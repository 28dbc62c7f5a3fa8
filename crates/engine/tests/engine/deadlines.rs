//! Dead-man deadlines checked by the maintenance leader in virtual time: nothing before the
//! deadline falls due, then one record of the latest miss after an outage, counting every
//! instant it stands for, and never a second record of the same instant.

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
            yearly,
            Default::default(),
        )
        .await;
    let every_minute = Deadline::parse_list(&json!([{"every_seconds": 60}])).unwrap();
    h.store
        .set_deadlines(tenant(), task.uuid, &every_minute, t0())
        .await
        .unwrap();
    let metrics = Arc::new(domain::Metrics::default());
    h.start_with(EngineConfig {
        metrics: metrics.clone(),
        ..config()
    });
    let misses = || async { h.store.deadline_misses(tenant(), None, 10).await.unwrap() };

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
    assert_eq!(metrics.get(&DEADLINES_MISSED, "every"), 11);
    let state = h
        .store
        .deadlines(tenant(), task.uuid, h.clock_now())
        .await
        .unwrap()
        .remove(0);
    assert_eq!(state.missed_count, 11);
    h.stop().await;
}
