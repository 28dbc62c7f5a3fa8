//! Dead-man deadlines on both databases: a task's deadlines keep their state when saved again,
//! a stopped task's instants are passed over, and a miss is recorded once however many checkers
//! examine the same due instant.

use std::sync::Arc;

use domain::{Deadline, EventKind, Run, RunStatus, RunTrigger, RunUuid, Task};
use serde_json::json;
use store::on_both_databases;
use store::test_support::TestStore;
use store::{DeadlineFinding, DeadlineToCheck, StoreError};

use crate::common::{at, change, create, tenant};

on_both_databases!(
    saving_deadlines_keeps_the_state_of_those_kept,
    a_miss_is_recorded_once_across_checkers,
);

fn deadlines(value: serde_json::Value) -> Vec<Deadline> {
    Deadline::parse_list(&value).unwrap()
}

async fn succeeded(store: &dyn TestStore, task: &Task, finished_ms: i64) {
    let run = Run {
        uuid: RunUuid::new_v7(),
        task_uuid: task.uuid,
        task_version: task.version,
        trigger: RunTrigger::Manual,
        scheduled_for: at(0),
        occurrences: 1,
        status: RunStatus::Succeeded,
        skip_reason: None,
        attempt: 1,
        max_attempts: 1,
        rescues: 0,
        requeues: 0,
        queued_at: at(0),
        started_at: Some(at(0)),
        finished_at: Some(at(finished_ms)),
        duration_ms: None,
        result: None,
        error: None,
        logs_pruned_at: None,
        args: None,
        parent: None,
        next_attempt_at: None,
    };
    store.insert_run_for_tests(task.tenant, &run).await.unwrap();
}

async fn to_check(store: &dyn TestStore, now_ms: i64) -> Vec<DeadlineToCheck> {
    store.deadlines_to_check(0, 100, at(now_ms)).await.unwrap()
}

async fn saving_deadlines_keeps_the_state_of_those_kept(store: Arc<dyn TestStore>) {
    let task = create(&*store, tenant(1), "A", "a", 0).await;
    let set = store
        .set_deadlines(
            task.uuid,
            &deadlines(json!([{"every_seconds": 600}, {"by": "07:00", "days": "* * MON"}])),
            change(task.tenant, "ci", 1_000),
        )
        .await
        .unwrap();
    assert_eq!(set.len(), 2);
    assert_eq!(set[0].since, at(1_000));
    let every = to_check(&*store, 700_000).await.remove(0);
    let finding = DeadlineFinding {
        due: at(601_000),
        missed: 1,
        stopped: false,
        last_success_at: None,
    };
    assert!(
        store
            .record_finding(&every, finding, at(700_000))
            .await
            .unwrap()
    );

    // Saved again later with the second changed and put first: the kept one keeps its state,
    // the new one counts from now, the removed one is gone (its misses stay).
    succeeded(&*store, &task, 650_000).await;
    let set = store
        .set_deadlines(
            task.uuid,
            &deadlines(json!([{"by": "08:00"}, {"every_seconds": 600}])),
            change(task.tenant, "ci", 800_000),
        )
        .await
        .unwrap();
    assert_eq!(set.len(), 2);
    assert_eq!(set[0].deadline.key(), "by 08:00 UTC on * * *");
    assert_eq!((set[0].since, set[0].missed_count), (at(800_000), 0));
    assert_eq!(set[1].deadline.key(), "every 600s");
    assert_eq!(set[1].since, at(1_000));
    assert_eq!(set[1].checked_through, Some(at(601_000)));
    assert_eq!(set[1].last_missed_at, Some(at(601_000)));
    assert_eq!(set[1].missed_count, 1);
    assert_eq!(set[1].last_success_at, Some(at(650_000)));
    assert_eq!(
        store
            .deadlines(task.tenant, task.uuid, at(900_000))
            .await
            .unwrap(),
        set
    );
    let misses = store.deadline_misses(task.tenant, None, 10).await.unwrap();
    assert_eq!(misses.len(), 1);
    assert_eq!(
        (misses[0].task, misses[0].task_code.as_str()),
        (task.uuid, "a")
    );
    assert_eq!((misses[0].due_at, misses[0].missed), (at(601_000), 1));

    // Another tenant's task is unknown; clearing leaves none.
    assert!(matches!(
        store.deadlines(tenant(2), task.uuid, at(0)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .set_deadlines(task.uuid, &[], change(tenant(2), "ci", 0))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(
        store
            .deadline_misses(tenant(2), None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .set_deadlines(task.uuid, &[], change(task.tenant, "ci", 900_000))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .deadline_misses(task.tenant, Some(task.uuid), 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn a_miss_is_recorded_once_across_checkers(store: Arc<dyn TestStore>) {
    let t = tenant(1);
    let task = create(&*store, t, "A", "a", 0).await;
    let stopped = create(&*store, t, "B", "b", 0).await;
    for task in [&task, &stopped] {
        store
            .set_deadlines(
                task.uuid,
                &deadlines(json!([{"every_seconds": 60}])),
                change(t, "ci", 0),
            )
            .await
            .unwrap();
    }
    store
        .set_active(stopped.uuid, None, false, None, change(t, "alice", 1))
        .await
        .unwrap();
    succeeded(&*store, &task, 30_000).await;
    succeeded(&*store, &task, 500_000).await;

    // Both are checked, the stopped one as such; the latest success is the one at or before
    // now.
    let checks = to_check(&*store, 200_000).await;
    assert_eq!(checks.len(), 2);
    assert_eq!((checks[0].task, checks[0].active), (task.uuid, true));
    assert_eq!((checks[1].task, checks[1].active), (stopped.uuid, false));
    // The stopped task's instant is passed over: examined, neither met nor missed.
    let passed_over = DeadlineFinding {
        due: at(180_000),
        missed: 3,
        stopped: true,
        last_success_at: None,
    };
    assert!(
        !store
            .record_finding(&checks[1], passed_over, at(200_000))
            .await
            .unwrap()
    );
    let state = store
        .deadlines(t, stopped.uuid, at(200_000))
        .await
        .unwrap()
        .remove(0);
    assert_eq!(state.checked_through, Some(at(180_000)));
    assert_eq!(
        (state.last_met_at, state.last_missed_at, state.missed_count),
        (None, None, 0)
    );
    assert!(
        store
            .deadline_misses(t, Some(stopped.uuid), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(checks[0].last_success_at, Some(at(30_000)));
    assert_eq!(
        store
            .latest_success(checks[0].task_id, at(29_999))
            .await
            .unwrap(),
        None
    );

    // Two checkers looked at the same state and found the same miss at once.
    let finding = DeadlineFinding {
        due: at(150_000),
        missed: 2,
        stopped: false,
        last_success_at: Some(at(30_000)),
    };
    let (a, b) = tokio::join!(
        store.record_finding(&checks[0], finding, at(200_000)),
        store.record_finding(&checks[0], finding, at(200_001)),
    );
    assert_eq!(
        [a.unwrap(), b.unwrap()].iter().filter(|r| **r).count(),
        1,
        "exactly one records it"
    );
    // A third, later, with the stale view: nothing more.
    assert!(
        !store
            .record_finding(&checks[0], finding, at(200_002))
            .await
            .unwrap()
    );
    // An earlier instant after a later one was examined: nothing either.
    let earlier = DeadlineFinding {
        due: at(90_000),
        ..finding
    };
    assert!(
        !store
            .record_finding(&checks[0], earlier, at(200_003))
            .await
            .unwrap()
    );
    let state = store
        .deadlines(t, task.uuid, at(200_000))
        .await
        .unwrap()
        .remove(0);
    assert_eq!(state.missed_count, 2);
    assert_eq!(state.last_missed_at, Some(at(150_000)));
    let misses = store.deadline_misses(t, Some(task.uuid), 10).await.unwrap();
    assert_eq!(misses.len(), 1);
    // Its event is in the outbox, once.
    let events = store.task_events(t, task.uuid, 10).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, EventKind::DeadlineMissed);
    assert_eq!(events[0].run, None);
    assert_eq!(events[0].occurred_at, at(150_000));
    assert_eq!(events[0].payload["missed"], 2);
    assert_eq!(events[0].payload["deadline"], json!({"every_seconds": 60}));
    assert_eq!(events[0].payload["due_at"], at(150_000).to_string());

    // A met instant moves the state on without a miss.
    let met = DeadlineFinding {
        due: at(560_000),
        missed: 0,
        stopped: false,
        last_success_at: Some(at(500_000)),
    };
    let checks = to_check(&*store, 600_000).await;
    assert!(
        !store
            .record_finding(&checks[0], met, at(600_000))
            .await
            .unwrap()
    );
    let state = store
        .deadlines(t, task.uuid, at(600_000))
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        (state.checked_through, state.last_met_at),
        (Some(at(560_000)), Some(at(560_000)))
    );
    assert_eq!(state.missed_count, 2);
    assert_eq!(store.deadline_misses(t, None, 10).await.unwrap().len(), 1);
    assert_eq!(store.task_events(t, task.uuid, 10).await.unwrap().len(), 1);
}
