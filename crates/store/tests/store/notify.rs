//! Notifications on both databases: the outbox records an event about a task of the tenant,
//! once per run and kind, and reads the task's events back.

use std::sync::Arc;

use domain::{EventKind, RunUuid, TaskUuid};
use serde_json::json;
use store::NewEvent;
use store::on_both_databases;
use store::test_support::TestStore;

use crate::common::{at, create, tenant};

on_both_databases!(the_outbox_records_events_of_the_tenants_own_tasks,);

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
