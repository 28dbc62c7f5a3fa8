//! Two engines on one PostgreSQL database: a run queued through one wakes the other at once
//! (LISTEN/NOTIFY), not at its idle timeout.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use domain::{
    Clock, RunStatus, RunUuid, SystemClock, Task, TaskCode, TaskConfig, TaskDefinition, TaskName,
    TaskType, TaskUuid, TenantId, Trigger, TriggerType,
};
use engine::{Engine, EngineConfig, RunExecutor};
use exec::{Attempt, AttemptResult, LogSink};
use serde_json::json;
use store::prelude::*;
use store::test_support::PostgresDb;
use store::{Change, FairShare, NewTask, PostgresStore};

/// Records which runs it executed.
#[derive(Default)]
struct Record(Mutex<Vec<RunUuid>>);

#[async_trait]
impl RunExecutor for Record {
    async fn execute(&self, _task: &Task, attempt: &Attempt, _logs: &LogSink) -> AttemptResult {
        self.0.lock().unwrap().push(attempt.run);
        AttemptResult::succeeded(None)
    }
}

fn config(node: &str, max_running_per_tenant: Option<u32>) -> EngineConfig {
    EngineConfig {
        node_id: node.into(),
        // Long enough that only a signal can explain a prompt reaction.
        max_idle: Duration::from_secs(60),
        share: FairShare {
            per_tenant: max_running_per_tenant,
            ..FairShare::default()
        },
        ..EngineConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_queued_on_one_node_wakes_the_other() {
    let Some(db) = PostgresDb::create().await else {
        return;
    };
    let store = Arc::new(PostgresStore::connect(&db.url).await.unwrap());
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let tenant = TenantId::new(1).unwrap();
    let definition = TaskDefinition {
        name: TaskName::parse("manual").unwrap(),
        code: TaskCode::parse("manual").unwrap(),
        description: None,
        trigger: Trigger::parse(TriggerType::Cron, &json!({"cron": "0 0 1 1 *"})).unwrap(),
        config: TaskConfig::parse(TaskType::ApiCall, &json!({"url": "https://x.test/"})).unwrap(),
        is_active: true,
        retry_policy: domain::RetryPolicy::default(),
        timeout_seconds: 30,
        overlap_policy: domain::OverlapPolicy::Allow,
        misfire_policy: domain::MisfirePolicy::FireOnce,
        misfire_grace_seconds: 60,
    };
    let now = clock.now();
    let task = store
        .create_task(
            NewTask {
                uuid: TaskUuid::new_v7(),
                tenant,
                next_run_at: schedule::next_after(&definition.trigger, now),
                definition,
            },
            Change {
                tenant,
                actor: "test",
                at: now,
            },
        )
        .await
        .unwrap();

    let worker = Arc::new(Record::default());
    let a = Engine::start(
        config("node-a", None),
        store.clone(),
        worker.clone(),
        clock.clone(),
    );
    // Node B takes no work (a cap of zero running runs), so only node A can run it.
    let b = Engine::start(
        config("node-b", Some(0)),
        store.clone(),
        Arc::new(Record::default()),
        clock.clone(),
    );
    // Both claimers are now asleep for their 60 s idle timeout.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let queued_at = Instant::now();
    let run = store
        .enqueue_manual(tenant, task.uuid, "test", clock.now())
        .await
        .unwrap();
    b.wakeup().runs_queued();
    let deadline = queued_at + Duration::from_secs(10);
    loop {
        let current = store.get_run(tenant, run.uuid).await.unwrap().unwrap();
        if current.status == RunStatus::Succeeded {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "node A was not woken: {current:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(*worker.0.lock().unwrap(), [run.uuid]);
    a.shutdown(Duration::from_secs(5)).await.unwrap();
    b.shutdown(Duration::from_secs(5)).await.unwrap();
    store.close().await;
    db.drop_database().await;
}
