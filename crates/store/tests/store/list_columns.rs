//! The task list's run columns on both databases: the last attempt's duration and the strip of
//! recent outcomes, kept on the task row by the finisher (issue 17). What runs that succeed,
//! fail, time out, wait for a retry, are cancelled or are skipped leave in them.

use std::sync::Arc;

use crate::common::{at, create, tenant};
use domain::RunOutcome::{Cancelled, Failed, Succeeded, TimedOut};
use domain::{RECENT_OUTCOMES_KEPT, RunStatus, RunTrigger, SkipReason, Task};
use jiff::{SignedDuration, Timestamp};
use store::on_both_databases;
use store::test_support::TestStore;
use store::{
    AttemptEnd, ClaimRequest, DueTask, FairShare, FinishedAttempt, FirePlan, FirePlanner,
    PlannedRun, Store, TaskQuery,
};

on_both_databases!(
    duration_and_strip_follow_successes_and_failures,
    a_run_waiting_for_its_retry_is_not_in_the_strip_until_it_ends,
    a_cancelled_run_is_in_the_strip,
    skipped_occurrences_leave_the_strip_alone,
    a_batch_adds_each_run_that_ended_and_the_strip_keeps_the_newest,
);

const LEASE: SignedDuration = SignedDuration::from_secs(30);

/// Claims every queued run for node `n1` at `ms`, returning the claimed runs' uuids.
async fn claim_all(store: &dyn TestStore, ms: i64) -> Vec<domain::RunUuid> {
    let share = FairShare::default();
    let request = ClaimRequest {
        owner: "n1",
        lease: LEASE,
        lead: SignedDuration::ZERO,
        limit: 100,
        sandboxes: 100,
        share: &share,
    };
    store
        .claim(at(ms), request)
        .await
        .expect("claim")
        .into_iter()
        .map(|c| c.run)
        .collect()
}

/// Queues a run of `task` by hand at `ms` and claims it.
async fn start_run(store: &dyn TestStore, task: &Task, ms: i64) -> domain::RunUuid {
    let run = store
        .enqueue_manual(task.tenant, task.uuid, "alice", at(ms))
        .await
        .expect("run now");
    assert_eq!(claim_all(store, ms).await, [run.uuid]);
    run.uuid
}

fn end(status: RunStatus, duration_ms: i64, retry_at: Option<Timestamp>) -> AttemptEnd {
    AttemptEnd {
        status,
        result: None,
        error: (status != RunStatus::Succeeded).then(|| format!("{} here", status.as_str())),
        started_at: Some(at(1)),
        duration_ms,
        retry_at,
    }
}

/// Ends attempt `attempt` of `run`, which `n1` holds.
async fn finish(store: &dyn TestStore, run: domain::RunUuid, attempt: u32, end: AttemptEnd) {
    let held = store
        .finish("n1", run, attempt, end, at(10_000))
        .await
        .expect("finish");
    assert!(held, "n1 holds the run");
}

/// The task as the list shows it.
async fn listed(store: &(impl Store + ?Sized), task: &Task) -> Task {
    let page = store
        .list_tasks(
            task.tenant,
            &TaskQuery {
                code: Some(task.definition.code.as_str().to_owned()),
                page: 1,
                page_size: 10,
                ..TaskQuery::default()
            },
        )
        .await
        .expect("list");
    assert_eq!(page.items.len(), 1);
    let listed = page.items.into_iter().next().expect("one task");
    let got = store
        .get_task(task.tenant, task.uuid)
        .await
        .expect("get")
        .expect("live");
    assert_eq!(listed, got, "the list and the task agree");
    listed
}

async fn duration_and_strip_follow_successes_and_failures(store: Arc<dyn TestStore>) {
    let task = create(&*store, tenant(1), "A", "a", 0).await;
    let fresh = listed(&*store, &task).await;
    assert_eq!(fresh.last_run_duration_ms, None);
    assert!(fresh.recent_outcomes.is_empty());

    let run = start_run(&*store, &task, 100).await;
    finish(&*store, run, 1, end(RunStatus::Succeeded, 850, None)).await;
    let after = listed(&*store, &task).await;
    assert_eq!(after.last_run_status, Some(RunStatus::Succeeded));
    assert_eq!(after.last_run_duration_ms, Some(850));
    assert_eq!(after.recent_outcomes, [Succeeded]);

    let run = start_run(&*store, &task, 200).await;
    finish(&*store, run, 1, end(RunStatus::Failed, 1_234, None)).await;
    let run = start_run(&*store, &task, 300).await;
    finish(&*store, run, 1, end(RunStatus::TimedOut, 30_000, None)).await;
    let after = listed(&*store, &task).await;
    assert_eq!(after.last_run_status, Some(RunStatus::TimedOut));
    assert_eq!(after.last_run_duration_ms, Some(30_000));
    assert_eq!(after.recent_outcomes, [TimedOut, Failed, Succeeded]);

    // Another task's runs are its own.
    let other = create(&*store, tenant(1), "B", "b", 0).await;
    assert!(listed(&*store, &other).await.recent_outcomes.is_empty());
}

async fn a_run_waiting_for_its_retry_is_not_in_the_strip_until_it_ends(store: Arc<dyn TestStore>) {
    let task = create(&*store, tenant(1), "A", "a", 0).await;
    let run = start_run(&*store, &task, 100).await;
    finish(&*store, run, 1, end(RunStatus::Succeeded, 5, None)).await;

    let run = start_run(&*store, &task, 200).await;
    finish(
        &*store,
        run,
        1,
        end(RunStatus::Failed, 700, Some(at(5_000))),
    )
    .await;
    // Last status and duration describe the attempt that ended; the strip waits for the run.
    let waiting = listed(&*store, &task).await;
    assert_eq!(waiting.last_run_status, Some(RunStatus::Failed));
    assert_eq!(waiting.last_run_duration_ms, Some(700));
    assert_eq!(waiting.recent_outcomes, [Succeeded]);

    assert_eq!(claim_all(&*store, 5_000).await, [run]);
    finish(&*store, run, 2, end(RunStatus::Succeeded, 40, None)).await;
    let ended = listed(&*store, &task).await;
    assert_eq!(ended.last_run_duration_ms, Some(40));
    assert_eq!(
        ended.recent_outcomes,
        [Succeeded, Succeeded],
        "one mark per run, not per attempt"
    );
}

async fn a_cancelled_run_is_in_the_strip(store: Arc<dyn TestStore>) {
    let task = create(&*store, tenant(1), "A", "a", 0).await;
    let run = start_run(&*store, &task, 100).await;
    store
        .cancel_run(task.tenant, run, "alice", at(150))
        .await
        .expect("cancel");
    // The attempt failed and would retry, but the cancellation asked for meanwhile wins.
    finish(&*store, run, 1, end(RunStatus::Failed, 60, Some(at(9_000)))).await;
    let after = listed(&*store, &task).await;
    assert_eq!(after.last_run_status, Some(RunStatus::Cancelled));
    assert_eq!(after.last_run_duration_ms, Some(60));
    assert_eq!(after.recent_outcomes, [Cancelled]);
}

/// Skips the stored occurrence for overlap and the next three as misfires, and schedules the
/// next one a minute later.
struct SkipsAll;

impl FirePlanner for SkipsAll {
    fn plan(&self, due: &DueTask, _now: Timestamp) -> FirePlan {
        let at = due.task.next_run_at.expect("due");
        let skip = |offset: i64, reason, occurrences| PlannedRun {
            trigger: RunTrigger::Schedule,
            scheduled_for: at + SignedDuration::from_mins(offset),
            scheduled_until: (occurrences > 1)
                .then(|| at + SignedDuration::from_mins(offset + occurrences - 1)),
            occurrences,
            skip: Some(reason),
            not_before: at,
        };
        FirePlan {
            runs: vec![
                skip(0, SkipReason::Overlap, 1),
                skip(1, SkipReason::Misfire, 3),
            ],
            next_run_at: Some(at + SignedDuration::from_mins(4)),
            replace_live_runs: false,
        }
    }
}

async fn skipped_occurrences_leave_the_strip_alone(store: Arc<dyn TestStore>) {
    // `create` puts the first occurrence at ms + 60 s.
    let task = create(&*store, tenant(1), "A", "a", 0).await;
    let run = start_run(&*store, &task, 100).await;
    finish(&*store, run, 1, end(RunStatus::Failed, 90, None)).await;
    let report = store
        .fire(at(60_000), at(60_000), 10, &SkipsAll, None)
        .await
        .expect("fire");
    assert_eq!(report.skipped, 2);
    let after = listed(&*store, &task).await;
    assert_eq!(after.last_run_status, Some(RunStatus::Failed));
    assert_eq!(after.last_run_duration_ms, Some(90));
    assert_eq!(after.recent_outcomes, [Failed]);
}

async fn a_batch_adds_each_run_that_ended_and_the_strip_keeps_the_newest(
    store: Arc<dyn TestStore>,
) {
    let task = create(&*store, tenant(1), "A", "a", 0).await;
    let other = create(&*store, tenant(2), "B", "b", 0).await;
    for _ in 0..RECENT_OUTCOMES_KEPT {
        store
            .enqueue_manual(task.tenant, task.uuid, "alice", at(100))
            .await
            .expect("run now");
    }
    for _ in 0..3 {
        store
            .enqueue_manual(other.tenant, other.uuid, "bob", at(100))
            .await
            .expect("run now");
    }
    let claimed = claim_all(&*store, 200).await;
    let (mine, theirs) = {
        let runs = store
            .list_runs(
                task.tenant,
                task.uuid,
                &store::RunQuery {
                    page: 1,
                    page_size: 100,
                    ..store::RunQuery::default()
                },
            )
            .await
            .expect("runs")
            .items;
        let mine: Vec<_> = claimed
            .iter()
            .copied()
            .filter(|c| runs.iter().any(|r| r.uuid == *c))
            .collect();
        let theirs: Vec<_> = claimed
            .iter()
            .copied()
            .filter(|c| !mine.contains(c))
            .collect();
        (mine, theirs)
    };
    assert_eq!((mine.len(), theirs.len()), (RECENT_OUTCOMES_KEPT, 3));
    let attempt = |run, status, duration_ms, retry_at| FinishedAttempt {
        run,
        attempt: 1,
        logs: Vec::new(),
        end: end(status, duration_ms, retry_at),
    };
    // One batch, in the order the attempts ended: the task's first run fails, the next ones
    // succeed, one waits for a retry; the other task's runs in between.
    let mut batch = vec![attempt(mine[0], RunStatus::Failed, 1, None)];
    batch.push(attempt(theirs[0], RunStatus::TimedOut, 2, None));
    for (i, run) in mine[1..RECENT_OUTCOMES_KEPT - 1].iter().enumerate() {
        batch.push(attempt(*run, RunStatus::Succeeded, 10 + i as i64, None));
    }
    batch.push(attempt(theirs[1], RunStatus::Succeeded, 3, None));
    batch.push(attempt(
        mine[RECENT_OUTCOMES_KEPT - 1],
        RunStatus::Failed,
        99,
        Some(at(60_000)),
    ));
    batch.push(attempt(theirs[2], RunStatus::Failed, 4, Some(at(60_000))));
    let held = store
        .finish_many("n1", &batch, at(10_000))
        .await
        .expect("finish");
    assert!(held.iter().all(|h| *h));
    let after = listed(&*store, &task).await;
    // The last attempt of the batch: the one now waiting for its retry.
    assert_eq!(after.last_run_duration_ms, Some(99));
    let mut expected = vec![Succeeded; RECENT_OUTCOMES_KEPT - 2];
    expected.push(Failed);
    assert_eq!(after.recent_outcomes, expected, "newest first");
    let theirs_after = listed(&*store, &other).await;
    assert_eq!(theirs_after.recent_outcomes, [Succeeded, TimedOut]);
    assert_eq!(theirs_after.last_run_duration_ms, Some(4));

    // Runs ending beyond the kept number push the oldest out.
    let retried = mine[RECENT_OUTCOMES_KEPT - 1];
    assert_eq!(claim_all(&*store, 60_000).await.len(), 2);
    finish(&*store, retried, 2, end(RunStatus::TimedOut, 7, None)).await;
    let run = start_run(&*store, &task, 70_000).await;
    finish(&*store, run, 1, end(RunStatus::Succeeded, 8, None)).await;
    let full = listed(&*store, &task).await;
    assert_eq!(full.recent_outcomes.len(), RECENT_OUTCOMES_KEPT);
    let mut expected = vec![Succeeded, TimedOut];
    expected.extend(vec![Succeeded; RECENT_OUTCOMES_KEPT - 2]);
    assert_eq!(full.recent_outcomes, expected, "the first failure fell off");
}
