//! Chains on both databases: a run that ends for good queues each linked task's run exactly
//! once (not on a retry, not twice when its outcome is offered again or a rescue gives up),
//! carrying the parent; a stopped child records a skipped run; deleting a task removes its
//! links; cycles and other tenants' tasks are refused.

use std::sync::Arc;

use domain::{ChainLink, ChainOn, Run, RunStatus, RunTrigger, SkipReason, Task};
use jiff::SignedDuration;
use serde_json::json;
use sqlx::{Connection, Executor, PgConnection};
use store::PostgresStore;
use store::on_both_databases;
use store::prelude::*;
use store::test_support::{PostgresDb, TestStore};
use store::{AttemptEnd, ClaimRequest, ClaimedRun, FairShare, RunQuery, StoreError};

use crate::common::{at, change, create, tenant, until_one_waits_for_a_lock};

on_both_databases!(
    a_success_queues_the_success_link_once_with_the_parent,
    a_retry_queues_nothing_and_the_last_failure_queues_the_failure_link,
    a_rescue_that_gives_up_queues_the_failure_link_once,
    a_stopped_child_records_a_skipped_chained_run,
    a_run_cancelled_while_running_queues_only_the_completion_link,
    deleting_a_task_removes_its_links,
    cycles_and_tasks_of_other_tenants_are_refused,
);

fn request<'a>(owner: &'a str, share: &'a FairShare) -> ClaimRequest<'a> {
    ClaimRequest {
        owner,
        lease: SignedDuration::from_secs(30),
        lead: SignedDuration::ZERO,
        limit: 10,
        sandboxes: 10,
        share,
    }
}

fn link(task: &Task, on: ChainOn) -> ChainLink {
    ChainLink {
        task: task.uuid,
        on,
    }
}

fn end(status: RunStatus, retry_at: Option<i64>) -> AttemptEnd {
    AttemptEnd {
        status,
        result: Some(json!({"status": 200, "body_excerpt": "done"})),
        error: (status != RunStatus::Succeeded).then(|| "boom".to_owned()),
        started_at: Some(at(1)),
        duration_ms: 5,
        retry_at: retry_at.map(at),
    }
}

async fn runs_of(store: &dyn TestStore, task: &Task) -> Vec<Run> {
    store
        .list_runs(
            task.tenant,
            task.uuid,
            &RunQuery {
                page: 1,
                page_size: 100,
                ..RunQuery::default()
            },
        )
        .await
        .unwrap()
        .items
}

/// Starts a manual run of `task` and claims it for `owner`.
async fn running(store: &dyn TestStore, task: &Task, owner: &str, ms: i64) -> ClaimedRun {
    let share = FairShare::default();
    let run = store
        .enqueue_manual(task.tenant, task.uuid, "alice", at(ms))
        .await
        .unwrap();
    let claimed = store.claim(at(ms), request(owner, &share)).await.unwrap();
    claimed
        .into_iter()
        .find(|c| c.run == run.uuid)
        .expect("the manual run is claimed")
}

async fn a_success_queues_the_success_link_once_with_the_parent(store: Arc<dyn TestStore>) {
    let t = tenant(1);
    let a = create(&*store, t, "A", "a", 0).await;
    let b = create(&*store, t, "B", "b", 0).await;
    let c = create(&*store, t, "C", "c", 0).await;
    let chains = store
        .set_chains(
            a.uuid,
            &[link(&b, ChainOn::Success), link(&c, ChainOn::Failure)],
            change(t, "ci", 0),
        )
        .await
        .unwrap();
    let children: Vec<_> = chains.children.iter().map(|l| (l.task, l.on)).collect();
    assert_eq!(
        children,
        [(b.uuid, ChainOn::Success), (c.uuid, ChainOn::Failure)]
    );
    let parents = store.chains(t, b.uuid).await.unwrap().parents;
    assert_eq!(parents.iter().map(|p| p.task).collect::<Vec<_>>(), [a.uuid]);

    let parent = running(&*store, &a, "n1", 10).await;
    assert!(
        store
            .finish("n1", parent.run, 1, end(RunStatus::Succeeded, None), at(20))
            .await
            .unwrap()
    );
    // The same outcome offered again (a worker that lost its lease) changes nothing.
    assert!(
        !store
            .finish("n1", parent.run, 1, end(RunStatus::Succeeded, None), at(30))
            .await
            .unwrap()
    );

    let chained = runs_of(&*store, &b).await;
    assert_eq!(chained.len(), 1, "one run of B: {chained:?}");
    let child = &chained[0];
    assert_eq!(
        (
            child.trigger,
            child.status,
            child.attempt,
            child.max_attempts
        ),
        (RunTrigger::Chain, RunStatus::Queued, 1, 4)
    );
    let from = child.parent.as_ref().expect("the parent");
    assert_eq!(
        (from.run_uuid, from.task_uuid, from.status, from.attempt),
        (parent.run, a.uuid, RunStatus::Succeeded, 1)
    );
    assert_eq!(
        from.result,
        Some(json!({"status": 200, "body_excerpt": "done"}))
    );
    assert!(
        runs_of(&*store, &c).await.is_empty(),
        "C is on failure only"
    );
    let children = store.chained_runs(t, parent.run).await.unwrap();
    assert_eq!(
        children.iter().map(|r| r.uuid).collect::<Vec<_>>(),
        [child.uuid]
    );
    assert!(matches!(
        store.chained_runs(tenant(2), parent.run).await,
        Err(StoreError::NotFound)
    ));

    // The child is claimed with what it receives.
    let share = FairShare::default();
    let claimed = store.claim(at(40), request("n2", &share)).await.unwrap();
    let claimed = claimed
        .iter()
        .find(|c| c.run == child.uuid)
        .expect("the chained run is claimed");
    assert_eq!(claimed.parent.as_ref(), Some(from));
    // Its own success queues nothing: B has no links.
    assert!(
        store
            .finish("n2", child.uuid, 1, end(RunStatus::Succeeded, None), at(50))
            .await
            .unwrap()
    );
    assert_eq!(runs_of(&*store, &b).await.len(), 1);
    assert_eq!(runs_of(&*store, &a).await.len(), 1);
}

async fn a_retry_queues_nothing_and_the_last_failure_queues_the_failure_link(
    store: Arc<dyn TestStore>,
) {
    let t = tenant(1);
    let a = create(&*store, t, "A", "a", 0).await;
    let b = create(&*store, t, "B", "b", 0).await;
    let c = create(&*store, t, "C", "c", 0).await;
    let d = create(&*store, t, "D", "d", 0).await;
    store
        .set_chains(
            a.uuid,
            &[
                link(&b, ChainOn::Success),
                link(&c, ChainOn::Failure),
                link(&d, ChainOn::Completion),
            ],
            change(t, "ci", 0),
        )
        .await
        .unwrap();
    let parent = running(&*store, &a, "n1", 10).await;
    assert!(
        store
            .finish(
                "n1",
                parent.run,
                1,
                end(RunStatus::Failed, Some(1_000)),
                at(20)
            )
            .await
            .unwrap()
    );
    for task in [&b, &c, &d] {
        assert!(runs_of(&*store, task).await.is_empty(), "a retry is no end");
    }
    let share = FairShare::default();
    let retry = store.claim(at(1_000), request("n1", &share)).await.unwrap();
    assert_eq!((retry[0].run, retry[0].attempt), (parent.run, 2));
    assert!(
        store
            .finish(
                "n1",
                parent.run,
                2,
                end(RunStatus::TimedOut, None),
                at(1_100)
            )
            .await
            .unwrap()
    );
    assert!(runs_of(&*store, &b).await.is_empty());
    for task in [&c, &d] {
        let runs = runs_of(&*store, task).await;
        assert_eq!(runs.len(), 1, "{}: {runs:?}", task.definition.code.as_str());
        let from = runs[0].parent.as_ref().unwrap();
        assert_eq!(
            (
                from.run_uuid,
                from.status,
                from.attempt,
                from.error.as_deref()
            ),
            (parent.run, RunStatus::TimedOut, 2, Some("boom"))
        );
    }
}

async fn a_rescue_that_gives_up_queues_the_failure_link_once(store: Arc<dyn TestStore>) {
    let t = tenant(1);
    let a = create(&*store, t, "A", "a", 0).await;
    let b = create(&*store, t, "B", "b", 0).await;
    store
        .set_chains(a.uuid, &[link(&b, ChainOn::Failure)], change(t, "ci", 0))
        .await
        .unwrap();
    // A rescue that runs the attempt again is no end either.
    let parent = running(&*store, &a, "n1", 10).await;
    assert_eq!(store.rescue(at(60_000), 1).await.unwrap(), 1);
    assert!(runs_of(&*store, &b).await.is_empty());
    let share = FairShare::default();
    let again = store
        .claim(at(60_000), request("n2", &share))
        .await
        .unwrap();
    assert_eq!((again[0].run, again[0].attempt), (parent.run, 2));
    // Its node dies again: the rescuer gives up, which ends the run and queues B.
    assert_eq!(store.rescue(at(120_000), 1).await.unwrap(), 1);
    assert_eq!(store.rescue(at(180_000), 1).await.unwrap(), 0);
    // The worker that lost the lease reports late: nothing more.
    assert!(
        !store
            .finish(
                "n2",
                parent.run,
                2,
                end(RunStatus::Failed, None),
                at(190_000)
            )
            .await
            .unwrap()
    );
    let runs = runs_of(&*store, &b).await;
    assert_eq!(runs.len(), 1, "{runs:?}");
    let from = runs[0].parent.as_ref().unwrap();
    assert_eq!(
        (from.run_uuid, from.status),
        (parent.run, RunStatus::Failed)
    );
    assert!(
        from.error
            .as_deref()
            .unwrap()
            .contains("SUNDIAL_MAX_RESCUES")
    );
}

async fn a_stopped_child_records_a_skipped_chained_run(store: Arc<dyn TestStore>) {
    let t = tenant(1);
    let a = create(&*store, t, "A", "a", 0).await;
    let b = create(&*store, t, "B", "b", 0).await;
    store
        .set_chains(a.uuid, &[link(&b, ChainOn::Completion)], change(t, "ci", 0))
        .await
        .unwrap();
    store
        .set_active(b.uuid, None, false, None, change(t, "alice", 5))
        .await
        .unwrap();
    assert!(!store.chains(t, a.uuid).await.unwrap().children[0].is_active);
    let parent = running(&*store, &a, "n1", 10).await;
    assert!(
        store
            .finish("n1", parent.run, 1, end(RunStatus::Succeeded, None), at(20))
            .await
            .unwrap()
    );
    let runs = runs_of(&*store, &b).await;
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(
        (
            runs[0].trigger,
            runs[0].status,
            runs[0].skip_reason,
            runs[0].finished_at
        ),
        (
            RunTrigger::Chain,
            RunStatus::Skipped,
            Some(SkipReason::Stopped),
            Some(at(20))
        )
    );
    assert_eq!(
        runs[0].parent.as_ref().map(|p| p.run_uuid),
        Some(parent.run)
    );
    // Nothing is left for a worker to claim.
    let share = FairShare::default();
    assert!(
        store
            .claim(at(30), request("n1", &share))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_run_cancelled_while_running_queues_only_the_completion_link(store: Arc<dyn TestStore>) {
    let t = tenant(1);
    let a = create(&*store, t, "A", "a", 0).await;
    let b = create(&*store, t, "B", "b", 0).await;
    let c = create(&*store, t, "C", "c", 0).await;
    store
        .set_chains(
            a.uuid,
            &[link(&b, ChainOn::Failure), link(&c, ChainOn::Completion)],
            change(t, "ci", 0),
        )
        .await
        .unwrap();
    let parent = running(&*store, &a, "n1", 10).await;
    store
        .cancel_run(t, parent.run, "alice", at(15))
        .await
        .unwrap();
    // The worker saw the cancellation and stopped the attempt: it ends cancelled, not retried.
    let mut stopped = end(RunStatus::Failed, Some(1_000));
    stopped.error = None;
    assert!(
        store
            .finish("n1", parent.run, 1, stopped, at(20))
            .await
            .unwrap()
    );
    assert!(
        runs_of(&*store, &b).await.is_empty(),
        "a cancellation is no failure"
    );
    let runs = runs_of(&*store, &c).await;
    assert_eq!(runs.len(), 1, "{runs:?}");
    let from = runs[0].parent.as_ref().unwrap();
    assert_eq!(
        (from.status, from.error.as_deref()),
        (RunStatus::Cancelled, Some("cancelled"))
    );
}

async fn deleting_a_task_removes_its_links(store: Arc<dyn TestStore>) {
    let t = tenant(1);
    let a = create(&*store, t, "A", "a", 0).await;
    let b = create(&*store, t, "B", "b", 0).await;
    let c = create(&*store, t, "C", "c", 0).await;
    store
        .set_chains(a.uuid, &[link(&b, ChainOn::Success)], change(t, "ci", 0))
        .await
        .unwrap();
    store
        .set_chains(b.uuid, &[link(&c, ChainOn::Success)], change(t, "ci", 0))
        .await
        .unwrap();
    store
        .delete_task(b.uuid, None, change(t, "alice", 5))
        .await
        .unwrap();
    assert!(store.chains(t, a.uuid).await.unwrap().children.is_empty());
    assert!(store.chains(t, c.uuid).await.unwrap().parents.is_empty());
    let parent = running(&*store, &a, "n1", 10).await;
    assert!(
        store
            .finish("n1", parent.run, 1, end(RunStatus::Succeeded, None), at(20))
            .await
            .unwrap()
    );
    assert!(runs_of(&*store, &c).await.is_empty());
    assert!(store.chained_runs(t, parent.run).await.unwrap().is_empty());
    // A later link from A still works: the deletion left A's links consistent.
    store
        .set_chains(a.uuid, &[link(&c, ChainOn::Success)], change(t, "ci", 30))
        .await
        .unwrap();
    let parent = running(&*store, &a, "n1", 40).await;
    store
        .finish("n1", parent.run, 1, end(RunStatus::Succeeded, None), at(50))
        .await
        .unwrap();
    assert_eq!(runs_of(&*store, &c).await.len(), 1);
}

fn refused(result: Result<store::TaskChains, StoreError>) -> Vec<(String, String)> {
    match result {
        Err(StoreError::Invalid(errors)) => {
            errors.0.into_iter().map(|e| (e.field, e.message)).collect()
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn cycles_and_tasks_of_other_tenants_are_refused(store: Arc<dyn TestStore>) {
    let t = tenant(1);
    let a = create(&*store, t, "A", "a", 0).await;
    let b = create(&*store, t, "B", "b", 0).await;
    let c = create(&*store, t, "C", "c", 0).await;
    let other = create(&*store, tenant(2), "X", "x", 0).await;
    store
        .set_chains(a.uuid, &[link(&b, ChainOn::Success)], change(t, "ci", 0))
        .await
        .unwrap();
    store
        .set_chains(b.uuid, &[link(&c, ChainOn::Failure)], change(t, "ci", 0))
        .await
        .unwrap();

    let cycle = refused(
        store
            .set_chains(c.uuid, &[link(&a, ChainOn::Completion)], change(t, "ci", 1))
            .await,
    );
    assert_eq!(cycle.len(), 1);
    assert_eq!(cycle[0].0, "children[0].task_uuid");
    assert!(cycle[0].1.starts_with("would close a cycle"), "{cycle:?}");
    let to_itself = refused(
        store
            .set_chains(
                a.uuid,
                &[link(&c, ChainOn::Success), link(&a, ChainOn::Success)],
                change(t, "ci", 1),
            )
            .await,
    );
    assert_eq!(to_itself[0].0, "children[1].task_uuid");
    assert!(to_itself[0].1.starts_with("would close a cycle"));
    let foreign = refused(
        store
            .set_chains(
                a.uuid,
                &[link(&other, ChainOn::Success)],
                change(t, "ci", 1),
            )
            .await,
    );
    assert_eq!(
        foreign,
        [(
            "children[0].task_uuid".to_owned(),
            "is not a task of the tenant".to_owned()
        )]
    );
    let twice = refused(
        store
            .set_chains(
                a.uuid,
                &[link(&c, ChainOn::Success), link(&c, ChainOn::Failure)],
                change(t, "ci", 1),
            )
            .await,
    );
    assert_eq!(twice[0].0, "children[1].task_uuid");
    // Another tenant cannot read or change this tenant's chains.
    assert!(matches!(
        store.chains(tenant(2), a.uuid).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .set_chains(a.uuid, &[], change(tenant(2), "ci", 1))
            .await,
        Err(StoreError::NotFound)
    ));
    // Nothing changed; replacing B's link with one that leads nowhere back is fine, and so is
    // the link that was a cycle before.
    let kept = store.chains(t, a.uuid).await.unwrap().children;
    assert_eq!(kept.iter().map(|l| l.task).collect::<Vec<_>>(), [b.uuid]);
    store
        .set_chains(b.uuid, &[], change(t, "ci", 2))
        .await
        .unwrap();
    store
        .set_chains(c.uuid, &[link(&a, ChainOn::Completion)], change(t, "ci", 3))
        .await
        .unwrap();
}

/// The finisher locks a parent task (its outcome) and then takes a key-share lock on a child
/// (the chained run it inserts). A delete of the child meanwhile must wait for the parent
/// before it locks the child, or the two deadlock (PostgreSQL aborts one after a second).
#[tokio::test]
async fn postgres_deleting_a_child_while_its_parent_finishes_does_not_deadlock() {
    let Some(db) = PostgresDb::create().await else {
        return;
    };
    let store = Arc::new(PostgresStore::connect(&db.url).await.expect("migrate"));
    let t = tenant(1);
    let a = create(&*store, t, "A", "a", 0).await;
    let b = create(&*store, t, "B", "b", 0).await;
    store
        .set_chains(a.uuid, &[link(&b, ChainOn::Success)], change(t, "ci", 0))
        .await
        .unwrap();

    // The finisher's first half: the parent's outcome, its row locked.
    let mut finisher = PgConnection::connect(&db.url).await.expect("connect");
    let mut watcher = PgConnection::connect(&db.url).await.expect("connect");
    finisher.execute("BEGIN").await.unwrap();
    sqlx::query("UPDATE scheduled_tasks SET last_run_status = 'success' WHERE uuid = $1")
        .bind(a.uuid.0)
        .execute(&mut finisher)
        .await
        .unwrap();
    let deleting = {
        let store = Arc::clone(&store);
        tokio::spawn(async move { store.delete_task(b.uuid, None, change(t, "alice", 5)).await })
    };
    // Until the delete waits for a row lock: the parent's.
    until_one_waits_for_a_lock(&mut watcher, "the delete").await;
    // The finisher's second half: the child's key-share lock, as inserting its run takes.
    sqlx::query("SELECT id FROM scheduled_tasks WHERE uuid = $1 FOR KEY SHARE")
        .bind(b.uuid.0)
        .fetch_one(&mut finisher)
        .await
        .expect("the child is not locked by the waiting delete");
    finisher.execute("COMMIT").await.unwrap();
    deleting
        .await
        .unwrap()
        .expect("the delete goes on once the parent is free");
    assert!(store.chains(t, a.uuid).await.unwrap().children.is_empty());

    finisher.close().await.ok();
    watcher.close().await.ok();
    store.close().await;
    db.drop_database().await;
}
