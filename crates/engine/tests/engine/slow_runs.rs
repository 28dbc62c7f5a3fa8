//! Slow runs found by the maintenance leader in virtual time: a run still executing is
//! reported once it has run longer than its task's `run.slow` threshold, not before, and once.

use std::time::Duration;

use domain::{ChannelKind, EventKind, RetryPolicy, RunStatus, Trigger, TriggerType};
use engine::EngineConfig;
use jiff::SignedDuration;
use serde_json::json;
use store::prelude::*;
use store::{NewChannel, NewRule};

use crate::{Harness, Script, config, t0, tenant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_run_past_its_threshold_is_reported_once() {
    let mut h = Harness::new(Script::Block).await;
    let yearly = Trigger::parse(TriggerType::Cron, &json!({"cron": "0 0 1 1 *"})).unwrap();
    let task = h
        .task_with("hung", RetryPolicy::default(), yearly, Default::default())
        .await;
    let url = json!({"url": "https://hooks.example.com/sundial"});
    let channel = h
        .store
        .create_channel(&NewChannel {
            tenant: tenant(),
            name: "ops",
            kind: ChannelKind::Webhook,
            config: &url,
            secret: Some("s"),
            actor: "test",
            at: t0(),
        })
        .await
        .unwrap();
    h.store
        .create_rule(&NewRule {
            tenant: tenant(),
            task: Some(task.uuid),
            channel: channel.uuid,
            event: EventKind::RunSlow,
            threshold: Some(60_000),
            throttle: SignedDuration::from_mins(15),
            actor: "test",
            at: t0(),
        })
        .await
        .unwrap();
    // A lease longer than the time the clock jumps, so the run is not rescued meanwhile.
    h.start_with(EngineConfig {
        lease: Duration::from_secs(3600),
        ..config()
    });
    let run = h
        .store
        .enqueue_manual(tenant(), task.uuid, "test", t0())
        .await
        .unwrap();
    h.engine.as_ref().unwrap().wakeup().runs_queued();
    h.until(&task, "the run to start", |runs| {
        runs.iter().any(|r| r.status == RunStatus::Running)
    })
    .await;
    let slow = || async {
        h.store
            .task_events(tenant(), task.uuid, 10)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == EventKind::RunSlow)
            .collect::<Vec<_>>()
    };

    h.clock.set(t0() + SignedDuration::from_secs(59));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(slow().await.is_empty(), "not past a minute yet");

    h.clock.set(t0() + SignedDuration::from_secs(61));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while slow().await.is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "no run.slow event");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Many more checks while it still runs record nothing more.
    h.clock.set(t0() + SignedDuration::from_secs(600));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let events = slow().await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].run, Some(run.uuid));
    assert_eq!(events[0].payload["status"], "running");
    assert!(events[0].payload["duration_ms"].as_i64().unwrap() > 60_000);
    assert_eq!(
        h.runs(&task).await[0].status,
        RunStatus::Running,
        "reported while it runs"
    );
    h.store
        .cancel_run(tenant(), run.uuid, "test", h.clock_now())
        .await
        .unwrap();
    h.until(&task, "the attempt to be cancelled", |runs| {
        runs.iter().any(|r| r.status == RunStatus::Cancelled)
    })
    .await;
    h.stop().await;
}
