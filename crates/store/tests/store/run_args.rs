//! Runs with arguments on both databases: a manual run records the arguments it was started
//! with, every run answer shows them, and every attempt of the run (a retry, a rescue) is
//! claimed with them.

use std::sync::Arc;

use domain::{RunArgs, RunStatus};
use jiff::SignedDuration;
use serde_json::json;
use store::on_both_databases;
use store::test_support::TestStore;
use store::{AttemptEnd, ClaimRequest, FairShare, RunQuery, RunSearchQuery};

use crate::common::{at, create, tenant};

on_both_databases!(a_run_keeps_its_arguments_through_retries_and_rescues,);

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

async fn a_run_keeps_its_arguments_through_retries_and_rescues(store: Arc<dyn TestStore>) {
    let share = FairShare::default();
    let task = create(&*store, tenant(1), "A", "a", 0).await;
    let args = RunArgs::parse(json!({"date": "2026-12-01", "n": [1, {"deep": null}]})).unwrap();
    let with = store
        .enqueue_manual_with_args(task.tenant, task.uuid, Some(&args), "alice", at(0))
        .await
        .unwrap();
    assert_eq!(with.args.as_ref(), Some(&args));
    let plain = store
        .enqueue_manual(task.tenant, task.uuid, "alice", at(0))
        .await
        .unwrap();
    assert_eq!(plain.args, None);

    let claimed = store.claim(at(0), request("n1", &share)).await.unwrap();
    let args_of = |run| {
        claimed
            .iter()
            .find(|c| c.run == run)
            .expect("claimed")
            .args
            .clone()
    };
    assert_eq!(args_of(with.uuid), Some(args.clone()));
    assert_eq!(args_of(plain.uuid), None);

    // A failed attempt goes back to the queue as the same run: its retry carries them.
    let failed = AttemptEnd {
        status: RunStatus::Failed,
        result: None,
        error: Some("boom".into()),
        started_at: Some(at(1)),
        duration_ms: 5,
        retry_at: Some(at(1_000)),
    };
    assert!(
        store
            .finish("n1", with.uuid, 1, failed, at(10))
            .await
            .unwrap()
    );
    let retry = store.claim(at(1_000), request("n2", &share)).await.unwrap();
    assert_eq!(retry.len(), 1);
    assert_eq!(
        (retry[0].run, retry[0].attempt, retry[0].args.as_ref()),
        (with.uuid, 2, Some(&args))
    );
    // Its node dies: the rescued attempt carries them too.
    assert!(store.rescue(at(60_000), 3).await.unwrap() >= 1);
    let rescued = store
        .claim(at(60_000), request("n3", &share))
        .await
        .unwrap();
    let rescued = rescued
        .iter()
        .find(|c| c.run == with.uuid)
        .expect("rescued");
    assert_eq!((rescued.attempt, rescued.args.as_ref()), (3, Some(&args)));

    // Every read of the run shows them.
    let read = store
        .get_run(task.tenant, with.uuid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.args.as_ref(), Some(&args));
    let listed = store
        .list_runs(
            task.tenant,
            task.uuid,
            &RunQuery {
                page: 1,
                page_size: 10,
                ..RunQuery::default()
            },
        )
        .await
        .unwrap()
        .items;
    let listed_args: Vec<_> = listed.iter().map(|r| (r.uuid, r.args.clone())).collect();
    assert!(listed_args.contains(&(with.uuid, Some(args.clone()))));
    assert!(listed_args.contains(&(plain.uuid, None)));
    let searched = store
        .search_runs(
            task.tenant,
            &RunSearchQuery {
                page: 1,
                page_size: 10,
                ..RunSearchQuery::default()
            },
        )
        .await
        .unwrap()
        .items;
    assert!(
        searched
            .iter()
            .any(|r| r.run.uuid == with.uuid && r.run.args.as_ref() == Some(&args))
    );
}
