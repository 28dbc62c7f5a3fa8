//! Bounded storage on both databases: each task keeps its newest versions, every stored log
//! line counts in its tenant's stored log bytes, and the log budget prunes the oldest finished
//! runs' logs first, only as far as needed.

use std::sync::Arc;

use crate::common::{at, change, create, definition, tenant};
use domain::{LogStream, Run, RunStatus, RunTrigger, RunUuid, Task, TenantId};
use jiff::SignedDuration;
use store::test_support::{Database, PostgresDb, SqliteFile, StoreGuard, TestFixture, TestStore};
use store::{
    AttemptEnd, ClaimRequest, FinishedAttempt, NewLogLine, PostgresStore, SqliteStore,
    TenantLogBytes, on_both_databases,
};

on_both_databases!(
    each_task_keeps_exactly_its_newest_versions,
    stored_log_bytes_follow_every_write_and_every_prune,
    the_budget_prunes_the_oldest_runs_logs_first_and_stops_within_it,
);

/// A fresh store on `database` keeping `n` versions per task.
async fn keeping(database: Database, n: u32) -> (Arc<dyn TestStore>, StoreGuard) {
    match database {
        Database::Sqlite => {
            let file = SqliteFile::new();
            let store = Arc::new(
                SqliteStore::connect(&file.path_str())
                    .await
                    .unwrap()
                    .keep_versions(n),
            );
            (store.clone(), StoreGuard::Sqlite(store, file))
        }
        Database::Postgres => {
            let db = PostgresDb::create().await.expect("a PostgreSQL server");
            let store = Arc::new(
                PostgresStore::connect(&db.url)
                    .await
                    .unwrap()
                    .keep_versions(n),
            );
            (store.clone(), StoreGuard::Postgres(store, db))
        }
    }
}

async fn versions(store: &dyn TestStore, task: &Task) -> (u64, Vec<i64>) {
    let page = store
        .task_versions(task.tenant, task.uuid, 1, 100)
        .await
        .unwrap();
    (page.total, page.items.iter().map(|v| v.version).collect())
}

async fn each_task_keeps_exactly_its_newest_versions(database: Database) {
    assert_eq!(store::DEFAULT_VERSIONS_KEPT, 100);
    let (store, guard) = keeping(database, 3).await;
    let t = tenant(1);
    let task = create(&*store, t, "A", "a", 0).await;
    let other = create(&*store, t, "B", "b", 0).await;
    assert_eq!(versions(&*store, &task).await, (1, vec![1]));
    let mut current = task.clone();
    for i in 1..=5_i64 {
        current = store
            .update_task(
                task.uuid,
                Some(current.version),
                definition(&format!("A{i}"), "a"),
                None,
                change(t, "alice", i),
            )
            .await
            .unwrap();
        let newest = i + 1;
        let expected: Vec<i64> = (1.max(newest - 2)..=newest).rev().collect();
        assert_eq!(
            versions(&*store, &task).await,
            (expected.len() as u64, expected),
            "after version {newest}"
        );
    }
    // Stopping makes a version too; the newest three are still what is kept.
    store
        .set_active(task.uuid, None, false, None, change(t, "alice", 10))
        .await
        .unwrap();
    assert_eq!(versions(&*store, &task).await, (3, vec![7, 6, 5]));
    let newest = store
        .task_versions(t, task.uuid, 1, 1)
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(newest.definition["name"], "A5");
    assert_eq!(
        versions(&*store, &other).await,
        (1, vec![1]),
        "other tasks keep theirs"
    );
    <Arc<dyn TestStore>>::finish(guard).await;

    let (all, guard) = keeping(database, 0).await;
    let task = create(&*all, t, "A", "a", 0).await;
    let mut current = task.clone();
    for i in 1..=4 {
        current = all
            .update_task(
                task.uuid,
                Some(current.version),
                definition(&format!("A{i}"), "a"),
                None,
                change(t, "alice", i),
            )
            .await
            .unwrap();
    }
    assert_eq!(versions(&*all, &task).await.0, 5, "0 keeps every version");
    <Arc<dyn TestStore>>::finish(guard).await;
}

fn line(text: &str) -> NewLogLine {
    NewLogLine {
        ts: at(1),
        stream: LogStream::Stdout,
        line: text.to_owned(),
    }
}

/// Bytes `lines` count for: each line's UTF-8 bytes and one for its line end.
fn bytes(lines: &[&str]) -> u64 {
    lines.iter().map(|l| l.len() as u64 + 1).sum()
}

async fn usage(store: &dyn TestStore) -> Vec<(i64, u64)> {
    store
        .tenants_log_bytes(0)
        .await
        .unwrap()
        .into_iter()
        .map(|TenantLogBytes { tenant, bytes }| (tenant.get(), bytes))
        .collect()
}

/// A run of `task` that finished (succeeded) at `finished_ms`, or is still running.
async fn finished_run(
    store: &dyn TestStore,
    task: &Task,
    finished_ms: Option<i64>,
) -> domain::RunUuid {
    let status = match finished_ms {
        Some(_) => RunStatus::Succeeded,
        None => RunStatus::Running,
    };
    let run = Run {
        uuid: RunUuid::new_v7(),
        task_uuid: task.uuid,
        task_version: task.version,
        trigger: RunTrigger::Manual,
        scheduled_for: at(0),
        occurrences: 1,
        status,
        skip_reason: None,
        attempt: 1,
        max_attempts: 1,
        rescues: 0,
        requeues: 0,
        queued_at: at(0),
        started_at: Some(at(0)),
        finished_at: finished_ms.map(at),
        duration_ms: None,
        result: None,
        error: None,
        logs_pruned_at: None,
        args: None,
        parent: None,
        next_attempt_at: None,
    };
    store.insert_run_for_tests(task.tenant, &run).await.unwrap();
    run.uuid
}

async fn stored_log_bytes_follow_every_write_and_every_prune(store: Arc<dyn TestStore>) {
    let (t1, t2) = (tenant(1), tenant(2));
    let a = create(&*store, t1, "A", "a", 0).await;
    let b = create(&*store, t2, "B", "b", 0).await;
    assert_eq!(usage(&*store).await, []);

    // Appended while running, then more with the outcome (one transaction).
    let run = store
        .enqueue_manual(t1, a.uuid, "alice", at(0))
        .await
        .unwrap();
    store
        .append_logs(run.uuid, 1, &[line("héllo"), line("")])
        .await
        .unwrap();
    let claimed = store
        .claim(
            at(1),
            ClaimRequest {
                owner: "n1",
                lease: SignedDuration::from_secs(30),
                lead: SignedDuration::ZERO,
                limit: 10,
                sandboxes: 10,
                share: &store::FairShare::default(),
            },
        )
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let ended = FinishedAttempt {
        run: run.uuid,
        attempt: 1,
        logs: vec![line("done"), line("a\u{202e}b")],
        end: AttemptEnd {
            status: RunStatus::Succeeded,
            result: None,
            error: None,
            started_at: Some(at(1)),
            duration_ms: 1,
            retry_at: None,
        },
    };
    assert_eq!(
        store.finish_many("n1", &[ended], at(5)).await.unwrap(),
        [true]
    );
    // Stored escaped, and counted as stored.
    let lines: Vec<String> = store
        .run_logs(t1, run.uuid)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.line)
        .collect();
    assert_eq!(lines, ["héllo", "", "done", "a\\u{202e}b"]);
    let first = bytes(&["héllo", "", "done", "a\\u{202e}b"]);
    assert_eq!(usage(&*store).await, [(1, first)]);

    let other = finished_run(&*store, &b, Some(3)).await;
    store.append_logs(other, 1, &[line("xyz")]).await.unwrap();
    assert_eq!(usage(&*store).await, [(1, first), (2, bytes(&["xyz"]))]);
    assert_eq!(
        store
            .tenants_log_bytes(first)
            .await
            .unwrap()
            .iter()
            .map(|u| u.tenant.get())
            .collect::<Vec<_>>(),
        Vec::<i64>::new(),
        "only tenants strictly over"
    );

    // Retention deletes the run and its bytes with it.
    assert_eq!(store.prune_runs(at(1_000), 100).await.unwrap(), 2);
    assert_eq!(usage(&*store).await, []);
}

async fn logged_run(
    store: &dyn TestStore,
    task: &Task,
    finished_ms: Option<i64>,
    n: usize,
) -> RunUuid {
    let run = finished_run(store, task, finished_ms).await;
    let text = "x".repeat(n - 1);
    store.append_logs(run, 1, &[line(&text)]).await.unwrap();
    run
}

async fn the_budget_prunes_the_oldest_runs_logs_first_and_stops_within_it(
    store: Arc<dyn TestStore>,
) {
    let (t1, t2): (TenantId, TenantId) = (tenant(1), tenant(2));
    let a = create(&*store, t1, "A", "a", 0).await;
    let b = create(&*store, t2, "B", "b", 0).await;
    // Tenant 1: 100 bytes in each of four runs, finished at 30, 10 and 20 ms and one running.
    let third = logged_run(&*store, &a, Some(30), 100).await;
    let oldest = logged_run(&*store, &a, Some(10), 100).await;
    let second = logged_run(&*store, &a, Some(20), 100).await;
    let running = logged_run(&*store, &a, None, 100).await;
    let others = logged_run(&*store, &b, Some(5), 100).await;
    assert_eq!(usage(&*store).await, [(1, 400), (2, 100)]);

    // A budget of 250: tenant 1 is 150 over, so the two oldest runs lose their logs.
    let over = store.tenants_log_bytes(250).await.unwrap();
    assert_eq!(
        over,
        [TenantLogBytes {
            tenant: t1,
            bytes: 400
        }]
    );
    let pruned = store
        .prune_oldest_logs(t1, 150, at(100), 500)
        .await
        .unwrap();
    assert_eq!((pruned.runs, pruned.bytes), (2, 200));
    assert_eq!(usage(&*store).await, [(1, 200), (2, 100)]);
    assert!(store.tenants_log_bytes(250).await.unwrap().is_empty());

    for run in [oldest, second] {
        let shown = store.get_run(t1, run).await.unwrap().unwrap();
        assert_eq!(shown.logs_pruned_at, Some(at(100)));
        let log = store.run_logs(t1, run).await.unwrap();
        assert_eq!(log.len(), 1, "{log:?}");
        assert_eq!(log[0].stream, LogStream::System);
        assert!(
            log[0].line.starts_with("log pruned at")
                && log[0].line.contains("SUNDIAL_TENANT_LOG_BUDGET_BYTES")
                && log[0].line.contains("100 bytes"),
            "{}",
            log[0].line
        );
    }
    for (tenant, run) in [(t1, third), (t1, running), (t2, others)] {
        let shown = store.get_run(tenant, run).await.unwrap().unwrap();
        assert_eq!(shown.logs_pruned_at, None);
        assert_eq!(store.run_logs(tenant, run).await.unwrap()[0].line.len(), 99);
    }

    // Asked for more than there is: every finished run's log goes, the running one's stays.
    let pruned = store
        .prune_oldest_logs(t1, 1_000, at(200), 500)
        .await
        .unwrap();
    assert_eq!((pruned.runs, pruned.bytes), (1, 100));
    assert_eq!(usage(&*store).await, [(1, 100), (2, 100)]);
    let again = store
        .prune_oldest_logs(t1, 1_000, at(300), 500)
        .await
        .unwrap();
    assert_eq!(
        (again.runs, again.bytes),
        (0, 0),
        "pruned logs are not pruned twice"
    );
    assert_eq!(
        store
            .get_run(t1, oldest)
            .await
            .unwrap()
            .unwrap()
            .logs_pruned_at,
        Some(at(100))
    );

    // Retention of pruned runs leaves the counts right.
    assert_eq!(store.prune_runs(at(1_000), 100).await.unwrap(), 4);
    assert_eq!(usage(&*store).await, [(1, 100)]);
}
