//! Task fixtures shared by the store's cases.

use domain::{
    RetryPolicy, Task, TaskCode, TaskConfig, TaskDefinition, TaskName, TaskType, TaskUuid,
    TenantId, Trigger, TriggerType,
};
use jiff::Timestamp;
use serde_json::{Value, json};
use sqlx::PgConnection;
use store::{Change, NewTask, Store};

pub fn tenant(n: i64) -> TenantId {
    TenantId::new(n).expect("positive tenant")
}

/// An instant `ms` milliseconds after 2030-01-01T00:00:00Z (stores keep milliseconds).
pub fn at(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(1_893_456_000_000 + ms).expect("in range")
}

pub fn change(tenant_id: TenantId, actor: &str, ms: i64) -> Change<'_> {
    Change {
        tenant: tenant_id,
        actor,
        at: at(ms),
    }
}

pub fn trigger(trigger_type: TriggerType, config: Value) -> Trigger {
    Trigger::parse(trigger_type, &config).expect("valid trigger")
}

pub fn config(task_type: TaskType, config: Value) -> TaskConfig {
    TaskConfig::parse(task_type, &config).expect("valid task config")
}

/// An active api_call task on a daily cron with default policies.
pub fn definition(name: &str, code: &str) -> TaskDefinition {
    TaskDefinition {
        name: TaskName::parse(name).expect("valid name"),
        code: TaskCode::parse(code).expect("valid code"),
        description: None,
        trigger: trigger(TriggerType::Cron, json!({"cron": "0 0 * * *"})),
        config: config(
            TaskType::ApiCall,
            json!({"url": "https://api.example.com/endpoint"}),
        ),
        is_active: true,
        retry_policy: RetryPolicy::default(),
        timeout_seconds: 30,
        overlap_policy: Default::default(),
        misfire_policy: Default::default(),
        misfire_grace_seconds: 60,
    }
}

pub fn new_task(
    tenant_id: TenantId,
    definition: TaskDefinition,
    next_run_at: Option<Timestamp>,
) -> NewTask {
    NewTask {
        uuid: TaskUuid::new_v7(),
        tenant: tenant_id,
        definition,
        next_run_at,
    }
}

/// Creates an active cron task named `name` with code `code` at instant `ms`.
pub async fn create(
    store: &(impl Store + ?Sized),
    tenant_id: TenantId,
    name: &str,
    code: &str,
    ms: i64,
) -> Task {
    store
        .create_task(
            new_task(tenant_id, definition(name, code), Some(at(ms + 60_000))),
            change(tenant_id, "alice", ms),
        )
        .await
        .expect("create task")
}

/// Polls through `watcher` until one session of its PostgreSQL database waits for a lock: the
/// operation a test started elsewhere has reached the row another transaction holds.
pub async fn until_one_waits_for_a_lock(watcher: &mut PgConnection, what: &str) {
    for _ in 0..1_000 {
        let (waiting,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(&mut *watcher)
        .await
        .unwrap();
        if waiting == 1 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("{what} never waited for a lock");
}
