//! The engine's operations on both databases: firing, claiming, heartbeats, finishing,
//! retries, rescue, release, run-now, cancel and logs; plus concurrent firers and claimers never
//! taking an occurrence or a run twice.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock};

use crate::common::{at, change, config, create, definition, new_task, tenant};
use domain::{LogStream, RunStatus, RunTrigger, SkipReason, Task};
use jiff::{SignedDuration, Timestamp};
use store::on_both_databases;
use store::test_support::TestStore;
use store::{
    AttemptEnd, ClaimRequest, DueTask, FairShare, FinishedAttempt, FirePlan, FirePlanner,
    NewLogLine, PlannedRun, RunQuery, Store, StoreError, Writers,
};

on_both_databases!(
    fire_records_due_occurrences_and_advances,
    fire_finishes_a_task_without_a_next_occurrence,
    claim_is_fair_and_finish_retries_then_ends,
    heartbeat_rescue_and_release,
    rescues_use_no_retry_and_stop_at_the_cap,
    run_now_and_cancel,
    logs_are_numbered_per_attempt,
    concurrent_firers_and_claimers_never_double,
    a_duty_lease_has_one_holder_at_a_time,
    pruning_deletes_old_finished_runs_with_their_logs,
    a_tenant_at_its_cap_of_running_runs_gets_no_more,
    python_runs_are_claimed_against_free_sandboxes_and_the_last_waits_for_a_newcomer,
    a_batch_of_ended_attempts_is_recorded_together,
    fire_claims_in_its_own_transaction_where_it_can,
    finishing_claims_the_runs_it_let_start_where_it_can,
    upcoming_lists_the_earliest_instants,
    claims_and_outcomes_read_only_the_live_runs,
    idle_tasks_fire_ahead_and_their_runs_wait_for_the_instant,
    an_edit_stop_or_delete_withdraws_what_was_fired_ahead,
    a_claim_takes_runs_within_its_lead_to_start_at_their_instant,
    fire_reports_the_occurrences_it_skipped_by_reason,
    the_queue_depth_counts_queued_runs_whose_start_has_come,
    more_tenants_waiting_than_a_claim_considers_each_get_their_turn,
    a_run_is_claimed_with_the_definition_in_force_when_it_is_taken,
    a_firing_plans_the_definition_in_force_at_the_stored_instant,
    a_corrupt_due_task_is_stopped_and_the_others_fire,
);

/// Nothing capped or reserved: every free slot goes to whoever has due runs.
static OPEN: LazyLock<FairShare> = LazyLock::new(FairShare::default);
/// At most two running runs per tenant.
static CAP_TWO: LazyLock<FairShare> = LazyLock::new(|| FairShare {
    per_tenant: Some(2),
    ..FairShare::default()
});
/// One sandbox kept for tenants running no python run.
static ONE_SANDBOX_KEPT: LazyLock<FairShare> = LazyLock::new(|| FairShare {
    reserved_sandboxes: 1,
    ..FairShare::default()
});

/// A claim by `owner` of at most `limit` runs (as many python runs) under [`LEASE`].
fn request<'a>(owner: &'a str, limit: u32, share: &'a FairShare) -> ClaimRequest<'a> {
    ClaimRequest {
        owner,
        lease: LEASE,
        lead: SignedDuration::ZERO,
        limit,
        sandboxes: limit,
        share,
    }
}

/// Queues the stored occurrence and schedules the next one a minute later; an occurrence at
/// `end` or later finishes the task.
struct EveryMinute {
    end: Option<Timestamp>,
}

impl FirePlanner for EveryMinute {
    fn plan(&self, due: &DueTask, _now: Timestamp) -> FirePlan {
        let at = due.next_run_at;
        let next = at + SignedDuration::from_secs(60);
        FirePlan {
            runs: vec![PlannedRun {
                trigger: RunTrigger::Schedule,
                scheduled_for: at,
                scheduled_until: None,
                occurrences: 1,
                skip: None,
                not_before: at,
            }],
            next_run_at: self.end.is_none_or(|end| next < end).then_some(next),
            replace_live_runs: false,
        }
    }
}

const PLANNER: EveryMinute = EveryMinute { end: None };
const LEASE: SignedDuration = SignedDuration::from_secs(30);

async fn runs(store: &(impl Store + ?Sized), task: &Task) -> Vec<domain::Run> {
    let query = RunQuery {
        page: 1,
        page_size: 100,
        ..RunQuery::default()
    };
    store
        .list_runs(task.tenant, task.uuid, &query)
        .await
        .expect("list runs")
        .items
}

fn end(status: RunStatus, retry_at: Option<Timestamp>) -> AttemptEnd {
    AttemptEnd {
        status,
        result: None,
        error: (status != RunStatus::Succeeded).then(|| "boom".to_owned()),
        started_at: Some(at(17)),
        duration_ms: 5,
        retry_at,
    }
}

async fn fire_records_due_occurrences_and_advances(store: Arc<dyn TestStore>) {
    // `create` puts the first occurrence at ms + 60 s.
    let task = create(&*store, tenant(1), "A", "a", 0).await;
    let report = store
        .fire(at(59_999), at(59_999), 10, &PLANNER, None)
        .await
        .expect("fire");
    assert_eq!(report.tasks, 0, "not due yet");
    assert_eq!(
        store.upcoming(10).await.expect("upcoming"),
        vec![at(60_000)]
    );
    let report = store
        .fire(at(60_000), at(60_000), 10, &PLANNER, None)
        .await
        .expect("fire");
    assert_eq!((report.tasks, report.queued, report.skipped), (1, 1, 0));
    assert_eq!(report.next_instants, vec![at(120_000)]);
    assert!(report.claimed.is_empty(), "nothing claimed unless asked");
    assert_eq!(report.unclaimed, 1);
    let fired = runs(&*store, &task).await;
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].status, RunStatus::Queued);
    assert_eq!(fired[0].scheduled_for, at(60_000));
    let task = store
        .get_task(task.tenant, task.uuid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(task.next_run_at, Some(at(120_000)));
    assert_eq!(store.next_queued().await.unwrap(), Some(at(60_000)));
    let again = store
        .fire(at(60_000), at(60_000), 10, &PLANNER, None)
        .await
        .expect("fire");
    assert_eq!(again.tasks, 0);
}

async fn fire_finishes_a_task_without_a_next_occurrence(store: Arc<dyn TestStore>) {
    let task = create(&*store, tenant(1), "A", "a", 0).await;
    let last = EveryMinute {
        end: Some(at(60_000)),
    };
    store
        .fire(at(61_000), at(61_000), 10, &last, None)
        .await
        .expect("fire");
    let task = store
        .get_task(task.tenant, task.uuid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(task.next_run_at, None);
    assert!(
        !task.definition.is_active,
        "a finished task is no longer active"
    );
    assert_eq!(store.upcoming(10).await.unwrap(), vec![]);
}

async fn claim_is_fair_and_finish_retries_then_ends(store: Arc<dyn TestStore>) {
    let busy = create(&*store, tenant(1), "Busy", "busy", 0).await;
    let quiet = create(&*store, tenant(2), "Quiet", "quiet", 10).await;
    for _ in 0..3 {
        store
            .enqueue_manual(busy.tenant, busy.uuid, "alice", at(100))
            .await
            .expect("run now");
    }
    let lone = store
        .enqueue_manual(quiet.tenant, quiet.uuid, "bob", at(200))
        .await
        .expect("run now");
    // Two slots: the quiet tenant's single run is not behind the busy tenant's three.
    let claimed = store
        .claim(at(300), request("n1", 2, &OPEN))
        .await
        .expect("claim");
    let tenants: HashSet<i64> = claimed.iter().map(|c| c.tenant.get()).collect();
    assert_eq!(tenants, HashSet::from([1, 2]));
    let mine = claimed
        .iter()
        .find(|c| c.run == lone.uuid)
        .expect("quiet run claimed");
    assert_eq!((mine.attempt, mine.max_attempts), (1, 4));
    assert_eq!(mine.task.uuid, quiet.uuid);
    assert!(
        store
            .get_task(quiet.tenant, quiet.uuid)
            .await
            .unwrap()
            .unwrap()
            .is_running
    );

    // A retry goes back to the queue as attempt 2, not before its instant.
    assert!(
        store
            .finish(
                "n1",
                lone.uuid,
                1,
                end(RunStatus::Failed, Some(at(5_000))),
                at(400)
            )
            .await
            .unwrap()
    );
    let queued = store
        .get_run(quiet.tenant, lone.uuid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((queued.status, queued.attempt), (RunStatus::Queued, 2));
    let task = store
        .get_task(quiet.tenant, quiet.uuid)
        .await
        .unwrap()
        .unwrap();
    assert!(!task.is_running);
    assert_eq!(task.last_run_status, Some(RunStatus::Failed));
    assert_eq!(task.last_error.as_deref(), Some("boom"));
    // The busy tenant's other two remain; the retry is not due before 5 s.
    let next = store
        .claim(at(4_999), request("n1", 10, &OPEN))
        .await
        .unwrap();
    assert!(next.iter().all(|c| c.run != lone.uuid));
    assert_eq!(next.len(), 2);
    let retry = store
        .claim(at(5_000), request("n2", 10, &OPEN))
        .await
        .unwrap();
    assert_eq!(retry.len(), 1);
    assert_eq!((retry[0].run, retry[0].attempt), (lone.uuid, 2));
    // Only the holder of the lease can finish it.
    assert!(
        !store
            .finish(
                "n1",
                lone.uuid,
                2,
                end(RunStatus::Succeeded, None),
                at(5_100)
            )
            .await
            .unwrap()
    );
    assert!(
        store
            .finish(
                "n2",
                lone.uuid,
                2,
                end(RunStatus::TimedOut, None),
                at(5_100)
            )
            .await
            .unwrap()
    );
    let done = store
        .get_run(quiet.tenant, lone.uuid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.status, RunStatus::TimedOut);
    assert_eq!(done.finished_at, Some(at(5_100)));
    assert_eq!(done.duration_ms, Some(5));
}

async fn heartbeat_rescue_and_release(store: Arc<dyn TestStore>) {
    let task = create(&*store, tenant(1), "A", "a", 0).await;
    let mut queued = Vec::new();
    for _ in 0..3 {
        let run = store
            .enqueue_manual(task.tenant, task.uuid, "alice", at(0))
            .await
            .unwrap();
        queued.push(run.uuid);
    }
    let [one, two, ended] = queued[..] else {
        unreachable!()
    };
    let claimed = store.claim(at(0), request("n1", 10, &OPEN)).await.unwrap();
    assert_eq!(claimed.len(), 3);
    let max_attempts = claimed[0].max_attempts;
    // `ended` stands for an attempt whose outcome could not be recorded: the node no longer
    // executes it, so its lease is not renewed and expires at 30 s.
    let lost = store
        .heartbeat("n1", &[one, two], at(60_000))
        .await
        .unwrap();
    assert!(lost.is_empty());
    assert_eq!(store.rescue(at(40_000), 3).await.unwrap(), 1);
    let rescued = store.get_run(task.tenant, ended).await.unwrap().unwrap();
    assert_eq!(
        (rescued.status, rescued.attempt, rescued.rescues),
        (RunStatus::Queued, 2, 1)
    );
    // A graceful shutdown hands `two` back as its next attempt, which uses up no retry.
    assert_eq!(store.release("n1", &[two], at(41_000)).await.unwrap(), 1);
    let released = store.get_run(task.tenant, two).await.unwrap().unwrap();
    assert_eq!(
        (
            released.status,
            released.attempt,
            released.max_attempts,
            released.requeues,
            released.rescues
        ),
        (RunStatus::Queued, 2, max_attempts as i32 + 1, 1, 0)
    );
    // The extended lease of `one` holds at 40 s; at 61 s it has expired.
    assert_eq!(store.rescue(at(61_000), 3).await.unwrap(), 1);
    let rescued = store.get_run(task.tenant, one).await.unwrap().unwrap();
    assert_eq!(
        (
            rescued.status,
            rescued.attempt,
            rescued.max_attempts,
            rescued.rescues
        ),
        (RunStatus::Queued, 2, max_attempts as i32 + 1, 1)
    );
    let lost = store.heartbeat("n1", &[one], at(62_000)).await.unwrap();
    assert_eq!(lost, [one], "a rescued run's lease is lost");
    assert!(
        !store
            .get_task(task.tenant, task.uuid)
            .await
            .unwrap()
            .unwrap()
            .is_running
    );
}

/// A run whose node dies on every attempt is run again `max_rescues` times, each time without
/// using up a retry, then fails with an error that says why.
async fn rescues_use_no_retry_and_stop_at_the_cap(store: Arc<dyn TestStore>) {
    let task = create(&*store, tenant(1), "A", "a", 0).await;
    let run = store
        .enqueue_manual(task.tenant, task.uuid, "alice", at(0))
        .await
        .unwrap();
    let mut now = 0;
    for rescue in 1..=3 {
        let claimed = store
            .claim(at(now), request("n1", 10, &OPEN))
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1, "rescue {rescue}");
        now += 31_000;
        assert_eq!(store.rescue(at(now), 3).await.unwrap(), 1);
        let rescued = store.get_run(task.tenant, run.uuid).await.unwrap().unwrap();
        assert_eq!(rescued.status, RunStatus::Queued);
        assert_eq!(rescued.rescues, rescue);
        assert_eq!(rescued.attempt, rescue + 1);
        assert_eq!(rescued.max_attempts, run.max_attempts + rescue);
        assert!(rescued.error.unwrap().contains("running it again"));
    }
    store
        .claim(at(now), request("n1", 10, &OPEN))
        .await
        .unwrap();
    assert_eq!(store.rescue(at(now + 31_000), 3).await.unwrap(), 1);
    let failed = store.get_run(task.tenant, run.uuid).await.unwrap().unwrap();
    assert_eq!(
        (failed.status, failed.attempt, failed.rescues),
        (RunStatus::Failed, 4, 3)
    );
    assert_eq!(failed.finished_at, Some(at(now + 31_000)));
    let error = failed.error.unwrap();
    assert!(
        error.contains("3 times") && error.contains("SUNDIAL_MAX_RESCUES"),
        "{error}"
    );
}

async fn run_now_and_cancel(store: Arc<dyn TestStore>) {
    let task = create(&*store, tenant(1), "A", "a", 0).await;
    let queued = store
        .enqueue_manual(task.tenant, task.uuid, "alice", at(5))
        .await
        .unwrap();
    assert_eq!(queued.trigger, RunTrigger::Manual);
    assert_eq!(queued.status, RunStatus::Queued);
    assert_eq!(queued.scheduled_for, at(5));
    assert!(matches!(
        store
            .enqueue_manual(tenant(2), task.uuid, "mallory", at(5))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .cancel_run(tenant(2), queued.uuid, "mallory", at(6))
            .await,
        Err(StoreError::NotFound)
    ));
    let cancelled = store
        .cancel_run(task.tenant, queued.uuid, "alice", at(6))
        .await
        .unwrap();
    assert_eq!(cancelled.status, RunStatus::Cancelled);

    let running = store
        .enqueue_manual(task.tenant, task.uuid, "alice", at(7))
        .await
        .unwrap();
    store.claim(at(8), request("n1", 10, &OPEN)).await.unwrap();
    let asked = store
        .cancel_run(task.tenant, running.uuid, "alice", at(9))
        .await
        .unwrap();
    assert_eq!(asked.status, RunStatus::Running, "the worker cancels it");
    let gone = store
        .heartbeat("n1", &[running.uuid], at(10_000))
        .await
        .unwrap();
    assert_eq!(gone, [running.uuid]);
    // A cancellation wins over a retry.
    store
        .finish(
            "n1",
            running.uuid,
            1,
            end(RunStatus::Failed, Some(at(20))),
            at(11),
        )
        .await
        .unwrap();
    let done = store
        .get_run(task.tenant, running.uuid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.status, RunStatus::Cancelled);
    // Cancelling a finished run changes nothing.
    let again = store
        .cancel_run(task.tenant, running.uuid, "alice", at(12))
        .await
        .unwrap();
    assert_eq!(again, done);
}

async fn logs_are_numbered_per_attempt(store: Arc<dyn TestStore>) {
    let task = create(&*store, tenant(1), "A", "a", 0).await;
    let run = store
        .enqueue_manual(task.tenant, task.uuid, "alice", at(0))
        .await
        .unwrap();
    let line = |text: &str| NewLogLine {
        ts: at(1),
        stream: LogStream::Stdout,
        line: text.to_owned(),
    };
    store
        .append_logs(run.uuid, 1, &[line("a"), line("b")])
        .await
        .unwrap();
    store.append_logs(run.uuid, 1, &[line("c")]).await.unwrap();
    store.append_logs(run.uuid, 2, &[line("d")]).await.unwrap();
    // A line of an earlier attempt written after a later one's (an outcome recorded late)
    // follows its own attempt's lines.
    store.append_logs(run.uuid, 1, &[line("e")]).await.unwrap();
    let logs = store.run_logs(task.tenant, run.uuid).await.unwrap();
    let seen: Vec<(i32, i64, &str)> = logs
        .iter()
        .map(|l| (l.attempt, l.seq, l.line.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            (1, 1, "a"),
            (1, 2, "b"),
            (1, 3, "c"),
            (1, 4, "e"),
            (2, 1, "d")
        ]
    );

    // More lines than one statement writes keep their order and numbering.
    let many: Vec<NewLogLine> = (1..=2_500).map(|i| line(&format!("l{i}"))).collect();
    store.append_logs(run.uuid, 3, &many).await.unwrap();
    let logs = store.run_logs(task.tenant, run.uuid).await.unwrap();
    let third: Vec<(i64, String)> = logs
        .iter()
        .filter(|l| l.attempt == 3)
        .map(|l| (l.seq, l.line.clone()))
        .collect();
    let expected: Vec<(i64, String)> = (1..=2_500).map(|i| (i, format!("l{i}"))).collect();
    assert_eq!(third, expected);
}

async fn concurrent_firers_and_claimers_never_double(store: Arc<dyn TestStore>) {
    let mut tasks = Vec::new();
    for i in 0..40 {
        let code = format!("t{i}");
        tasks.push(create(&*store, tenant(1 + i % 3), &code, &code, i).await);
    }
    // Two nodes fire the same due tasks at once, in small batches, until nothing is due; each
    // batch also claims a few runs, as the firing loop does with its free worker slots.
    let firer = |store: Arc<dyn TestStore>, owner: &'static str| async move {
        let mut queued = 0;
        let mut claimed = Vec::new();
        loop {
            let claim = ClaimRequest {
                owner,
                lease: LEASE,
                lead: SignedDuration::ZERO,
                limit: 2,
                sandboxes: 2,
                share: &OPEN,
            };
            let report = store
                .fire(at(200_000), at(200_000), 7, &PLANNER, Some(claim))
                .await
                .expect("fire");
            queued += report.queued;
            claimed.extend(report.claimed.into_iter().map(|c| c.run));
            if report.tasks == 0 {
                return (queued, claimed);
            }
        }
    };
    let (a, b) = tokio::join!(
        tokio::spawn(firer(store.clone(), "n1")),
        tokio::spawn(firer(store.clone(), "n2"))
    );
    let ((queued_a, mut all), (queued_b, claimed_b)) = (a.unwrap(), b.unwrap());
    all.extend(claimed_b);
    assert_eq!(
        !all.is_empty(),
        (store.writers() == Writers::One),
        "the firers claimed runs exactly where the store claims while firing"
    );
    let queued = queued_a + queued_b;
    // Each task had occurrences at 60 s, 120 s and 180 s due by 200 s.
    assert_eq!(queued, 40 * 3);
    for task in &tasks {
        let scheduled: Vec<Timestamp> = runs(&*store, task)
            .await
            .iter()
            .map(|r| r.scheduled_for)
            .collect();
        assert_eq!(scheduled.len(), 3, "{scheduled:?}");
    }
    let claimer = |store: Arc<dyn TestStore>, owner: &'static str| async move {
        let mut mine = Vec::new();
        loop {
            let claimed = store
                .claim(at(200_000), request(owner, 5, &OPEN))
                .await
                .expect("claim");
            if claimed.is_empty() {
                return mine;
            }
            mine.extend(claimed.into_iter().map(|c| c.run));
        }
    };
    let (a, b) = tokio::join!(
        tokio::spawn(claimer(store.clone(), "n1")),
        tokio::spawn(claimer(store.clone(), "n2"))
    );
    all.extend(a.unwrap());
    all.extend(b.unwrap());
    let distinct: HashSet<_> = all.iter().collect();
    assert_eq!(all.len(), 120);
    assert_eq!(distinct.len(), 120, "no run claimed twice");
}

async fn a_duty_lease_has_one_holder_at_a_time(store: Arc<dyn TestStore>) {
    let lease = "maintenance";
    assert!(store.hold_lease(lease, "a", at(0), at(15)).await.unwrap());
    assert!(
        !store.hold_lease(lease, "b", at(10), at(25)).await.unwrap(),
        "held by a until 15"
    );
    assert!(
        store.hold_lease(lease, "a", at(10), at(25)).await.unwrap(),
        "the holder renews"
    );
    assert!(!store.hold_lease(lease, "b", at(24), at(39)).await.unwrap());
    assert!(
        store.hold_lease(lease, "b", at(25), at(40)).await.unwrap(),
        "an expired lease is taken over"
    );
    assert!(!store.hold_lease(lease, "a", at(26), at(41)).await.unwrap());
    store.drop_lease(lease, "a").await.unwrap();
    assert!(
        !store.hold_lease(lease, "a", at(27), at(42)).await.unwrap(),
        "only the holder can give it up"
    );
    store.drop_lease(lease, "b").await.unwrap();
    assert!(
        store.hold_lease(lease, "a", at(28), at(43)).await.unwrap(),
        "a lease given up is free at once"
    );
    assert!(
        !store
            .hold_lease("unknown", "a", at(0), at(15))
            .await
            .unwrap(),
        "only known duties have leases"
    );
}

async fn pruning_deletes_old_finished_runs_with_their_logs(store: Arc<dyn TestStore>) {
    let task = create(&*store, tenant(1), "A", "a", 0).await;
    let manual = |ms| store.enqueue_manual(task.tenant, task.uuid, "alice", at(ms));
    let line = NewLogLine {
        ts: at(1),
        stream: LogStream::Stdout,
        line: "old".to_owned(),
    };
    // Finished at 10 and 20, one still queued from 0, one running since 0.
    let old = manual(0).await.unwrap();
    let newer = manual(0).await.unwrap();
    let running = manual(0).await.unwrap();
    let queued = manual(0).await.unwrap();
    store.append_logs(old.uuid, 1, &[line]).await.unwrap();
    let claimed = store.claim(at(1), request("n1", 3, &OPEN)).await.unwrap();
    assert_eq!(claimed.len(), 3);
    for (run, finished) in [(old.uuid, 10), (newer.uuid, 20)] {
        assert!(
            store
                .finish("n1", run, 1, end(RunStatus::Succeeded, None), at(finished))
                .await
                .unwrap()
        );
    }
    assert_eq!(
        store.prune_runs(at(10), 100).await.unwrap(),
        0,
        "strictly before"
    );
    assert_eq!(store.prune_runs(at(1_000), 100).await.unwrap(), 2);
    let left: HashSet<_> = runs(&*store, &task).await.iter().map(|r| r.uuid).collect();
    assert_eq!(
        left,
        HashSet::from([running.uuid, queued.uuid]),
        "live runs stay"
    );
    assert!(
        !matches!(store.run_logs(task.tenant, old.uuid).await, Ok(lines) if !lines.is_empty()),
        "the log went with its run"
    );
    assert!(
        store
            .get_run(task.tenant, old.uuid)
            .await
            .unwrap()
            .is_none()
    );
}

async fn a_tenant_at_its_cap_of_running_runs_gets_no_more(store: Arc<dyn TestStore>) {
    let busy = create(&*store, tenant(1), "A", "a", 0).await;
    let other = create(&*store, tenant(2), "B", "b", 0).await;
    let mut queued = Vec::new();
    for ms in 0..3 {
        queued.push(
            store
                .enqueue_manual(busy.tenant, busy.uuid, "alice", at(ms))
                .await
                .unwrap(),
        );
    }
    store
        .enqueue_manual(other.tenant, other.uuid, "bob", at(5))
        .await
        .unwrap();
    let tenants = |claimed: &[store::ClaimedRun]| {
        let mut t: Vec<i64> = claimed.iter().map(|c| c.tenant.get()).collect();
        t.sort();
        t
    };
    let first = store
        .claim(at(10), request("n1", 10, &CAP_TWO))
        .await
        .unwrap();
    assert_eq!(
        tenants(&first),
        [1, 1, 2],
        "two of tenant 1's, tenant 2's one"
    );
    let none = store
        .claim(at(11), request("n2", 10, &CAP_TWO))
        .await
        .unwrap();
    assert!(none.is_empty(), "tenant 1 is at its cap: {none:?}");
    let done = first.iter().find(|c| c.tenant.get() == 1).unwrap();
    assert!(
        store
            .finish("n1", done.run, 1, end(RunStatus::Succeeded, None), at(12))
            .await
            .unwrap()
    );
    let next = store
        .claim(at(13), request("n2", 10, &CAP_TWO))
        .await
        .unwrap();
    assert_eq!(tenants(&next), [1], "a slot of tenant 1 came free");
    assert_eq!(next[0].run, queued[2].uuid);
}

/// Creates an active python task of `tenant_id` with code `code`.
async fn python(store: &(impl Store + ?Sized), tenant_id: domain::TenantId, code: &str) -> Task {
    let mut definition = definition(code, code);
    definition.config = config(
        domain::TaskType::PythonScript,
        serde_json::json!({"script": "print(1)"}),
    );
    store
        .create_task(
            new_task(tenant_id, definition, None),
            change(tenant_id, "alice", 0),
        )
        .await
        .expect("create python task")
}

async fn python_runs_are_claimed_against_free_sandboxes_and_the_last_waits_for_a_newcomer(
    store: Arc<dyn TestStore>,
) {
    let script = python(&*store, tenant(1), "s").await;
    let call = create(&*store, tenant(1), "C", "c", 0).await;
    let other = python(&*store, tenant(2), "o").await;
    let mut scripts = Vec::new();
    for _ in 0..3 {
        scripts.push(
            store
                .enqueue_manual(script.tenant, script.uuid, "alice", at(0))
                .await
                .unwrap(),
        );
    }
    store
        .enqueue_manual(call.tenant, call.uuid, "alice", at(0))
        .await
        .unwrap();
    let claim = |sandboxes: u32| ClaimRequest {
        owner: "n1",
        lease: LEASE,
        lead: SignedDuration::ZERO,
        limit: 10,
        sandboxes,
        share: &ONE_SANDBOX_KEPT,
    };
    let tasks = |claimed: &[store::ClaimedRun]| {
        let mut codes: Vec<String> = claimed
            .iter()
            .map(|c| c.task.definition.code.as_str().to_owned())
            .collect();
        codes.sort();
        codes
    };
    // Two sandboxes free: tenant 1 runs no python run, so its first takes one; a second
    // would leave fewer free than the one kept. Its api call needs no sandbox.
    let first = store.claim(at(1), claim(2)).await.unwrap();
    assert_eq!(tasks(&first), ["c", "s"]);
    assert_eq!(
        first
            .iter()
            .find(|c| c.task.uuid == script.uuid)
            .unwrap()
            .run,
        scripts[0].uuid
    );
    // One sandbox left: tenant 1, running a python run, does not get it; tenant 2, running
    // none, does.
    let newcomer = store
        .enqueue_manual(other.tenant, other.uuid, "bob", at(2))
        .await
        .unwrap();
    let second = store.claim(at(3), claim(1)).await.unwrap();
    assert_eq!(
        second.iter().map(|c| c.run).collect::<Vec<_>>(),
        [newcomer.uuid]
    );
    // No sandbox free: nothing, though python runs are due.
    assert!(store.claim(at(4), claim(0)).await.unwrap().is_empty());
    assert_eq!(store.next_queued().await.unwrap(), Some(at(0)));
}

async fn a_batch_of_ended_attempts_is_recorded_together(store: Arc<dyn TestStore>) {
    let a = create(&*store, tenant(1), "A", "a", 0).await;
    let b = create(&*store, tenant(1), "B", "b", 0).await;
    for task in [&a, &a, &b] {
        store
            .enqueue_manual(task.tenant, task.uuid, "alice", at(0))
            .await
            .unwrap();
    }
    let claimed = store.claim(at(10), request("n1", 10, &OPEN)).await.unwrap();
    let of = |task: &Task| -> Vec<domain::RunUuid> {
        claimed
            .iter()
            .filter(|c| c.task.uuid == task.uuid)
            .map(|c| c.run)
            .collect()
    };
    let (a1, a2, b1) = (of(&a)[0], of(&a)[1], of(&b)[0]);
    // b's run ends on its own first, so the batch no longer holds it.
    assert!(
        store
            .finish("n1", b1, 1, end(RunStatus::Succeeded, None), at(15))
            .await
            .unwrap()
    );
    let attempt = |run, text: &str, end| FinishedAttempt {
        run,
        attempt: 1,
        logs: vec![NewLogLine {
            ts: at(16),
            stream: LogStream::Stdout,
            line: text.to_owned(),
        }],
        end,
    };
    let held = store
        .finish_many(
            "n1",
            &[
                attempt(a1, "a1", end(RunStatus::Failed, Some(at(100)))),
                attempt(a2, "a2", end(RunStatus::Succeeded, None)),
                attempt(b1, "b1", end(RunStatus::Failed, None)),
            ],
            at(20),
        )
        .await
        .unwrap();
    assert_eq!(held, [true, true, false]);

    let run = |id| {
        let store = store.clone();
        async move { store.get_run(tenant(1), id).await.unwrap().unwrap() }
    };
    let retried = run(a1).await;
    assert_eq!(
        (retried.status, retried.attempt),
        (RunStatus::Queued, 2),
        "{retried:?}"
    );
    let succeeded = run(a2).await;
    assert_eq!(succeeded.status, RunStatus::Succeeded);
    assert_eq!(
        succeeded.started_at,
        Some(at(17)),
        "the instant it began executing"
    );
    assert_eq!(
        run(b1).await.status,
        RunStatus::Succeeded,
        "not held: unchanged"
    );
    let lines = |id| {
        let store = store.clone();
        async move {
            store
                .run_logs(tenant(1), id)
                .await
                .unwrap()
                .into_iter()
                .map(|l| (l.attempt, l.seq, l.line))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(lines(a1).await, [(1, 1, "a1".to_owned())]);
    assert_eq!(lines(a2).await, [(1, 1, "a2".to_owned())]);
    assert!(lines(b1).await.is_empty(), "a lost attempt writes no log");
    // The task's outcome is its last attempt of the batch, and nothing of it runs any more.
    let task = store.get_task(a.tenant, a.uuid).await.unwrap().unwrap();
    assert_eq!(task.last_run_status, Some(RunStatus::Succeeded));
    assert!(!task.is_running);
}

async fn fire_claims_in_its_own_transaction_where_it_can(store: Arc<dyn TestStore>) {
    for i in 0..3 {
        let code = format!("t{i}");
        create(&*store, tenant(1 + i), &code, &code, 0).await;
    }
    let claim = ClaimRequest {
        owner: "n1",
        lease: LEASE,
        lead: SignedDuration::ZERO,
        limit: 2,
        sandboxes: 2,
        share: &OPEN,
    };
    let report = store
        .fire(at(60_000), at(60_000), 10, &PLANNER, Some(claim))
        .await
        .expect("fire");
    assert_eq!((report.tasks, report.queued), (3, 3));
    if !(store.writers() == Writers::One) {
        // PostgreSQL: the claimer takes them.
        assert!(report.claimed.is_empty());
        assert_eq!(report.unclaimed, 3);
        let claimed = store
            .claim(at(60_001), request("n2", 10, &OPEN))
            .await
            .unwrap();
        assert_eq!(claimed.len(), 3);
        return;
    }
    assert_eq!(report.claimed.len(), 2, "as many as the claim asked for");
    assert_eq!(report.unclaimed, 1);
    let tenants: HashSet<i64> = report.claimed.iter().map(|c| c.tenant.get()).collect();
    assert_eq!(tenants.len(), 2, "one run from each of two tenants");
    for claimed in &report.claimed {
        assert_eq!(claimed.attempt, 1);
        assert_eq!(claimed.scheduled_for, at(60_000));
        let run = store
            .get_run(claimed.tenant, claimed.run)
            .await
            .unwrap()
            .expect("the claimed run exists");
        assert_eq!(run.status, RunStatus::Running);
    }
    // The third is still queued for the claimer; a firing with nothing due claims nothing.
    let idle = store
        .fire(at(60_001), at(60_001), 10, &PLANNER, Some(claim))
        .await
        .expect("fire");
    assert!(idle.claimed.is_empty());
    let rest = store
        .claim(at(60_001), request("n2", 10, &OPEN))
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);
}

async fn finishing_claims_the_runs_it_let_start_where_it_can(store: Arc<dyn TestStore>) {
    let a = create(&*store, tenant(1), "A", "a", 0).await;
    for _ in 0..3 {
        store
            .enqueue_manual(a.tenant, a.uuid, "alice", at(0))
            .await
            .unwrap();
    }
    // The tenant may run two at once: the third waits for one of them to end.
    let first = store
        .claim(at(10), request("n1", 10, &CAP_TWO))
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    let ended = FinishedAttempt {
        run: first[0].run,
        attempt: 1,
        logs: Vec::new(),
        end: end(RunStatus::Succeeded, None),
    };
    let (held, claimed) = store
        .finish_and_claim("n1", &[ended], at(20), request("n1", 10, &CAP_TWO))
        .await
        .unwrap();
    assert_eq!(held, [true]);
    let status = |run| {
        let store = store.clone();
        async move { store.get_run(tenant(1), run).await.unwrap().unwrap().status }
    };
    assert_eq!(status(first[0].run).await, RunStatus::Succeeded);
    if store.writers() == Writers::Many {
        // PostgreSQL: the claimer takes it, in its own transaction.
        assert!(claimed.is_empty());
        let rest = store
            .claim(at(21), request("n1", 10, &CAP_TWO))
            .await
            .unwrap();
        assert_eq!(rest.len(), 1);
        return;
    }
    // SQLite: the run the ended attempt made room for, in the same transaction.
    assert_eq!(claimed.len(), 1, "{claimed:?}");
    assert_eq!(status(claimed[0].run).await, RunStatus::Running);
    assert!(
        !first.iter().any(|c| c.run == claimed[0].run),
        "the queued one, not one already running"
    );
}

async fn upcoming_lists_the_earliest_instants(store: Arc<dyn TestStore>) {
    assert_eq!(store.upcoming(10).await.unwrap(), vec![]);
    for (i, ms) in [5_000, 0, 5_000, 9_000].into_iter().enumerate() {
        let code = format!("t{i}");
        create(&*store, tenant(1 + i as i64 % 2), &code, &code, ms).await;
    }
    assert_eq!(
        store.upcoming(3).await.unwrap(),
        vec![at(60_000), at(65_000), at(65_000)],
        "earliest first, repeats kept, at most the limit"
    );
    store
        .fire(at(60_000), at(60_000), 10, &PLANNER, None)
        .await
        .unwrap();
    assert_eq!(
        store.upcoming(10).await.unwrap(),
        vec![at(65_000), at(65_000), at(69_000), at(120_000)]
    );
}

/// The statements of every claim and every recorded batch reach `task_runs` only through the
/// indexes of queued and running runs (or by id): their cost follows what is live, never the
/// length of the ledger. SQLite plans without statistics, so an index added for another query
/// (a tenant's newest runs, say) could otherwise take over and walk every run.
async fn claims_and_outcomes_read_only_the_live_runs(store: Arc<dyn TestStore>) {
    if store.writers() == Writers::Many {
        // PostgreSQL plans from statistics; its plans are not fixed by the schema alone.
        return;
    }
    let live = [
        "ix_task_runs_queued",
        "ix_task_runs_queued_tenant",
        "ix_task_runs_leases",
        "ix_task_runs_running_tenant",
        "ix_task_runs_running_task",
        "ix_task_runs_task_live",
        "INTEGER PRIMARY KEY",
    ];
    for (file, plan) in store.explain_engine_statements_for_tests().await.unwrap() {
        for line in plan.lines() {
            let reads_runs = ["task_runs", " r ", " q ", " x ", " n ", " c "]
                .iter()
                .any(|t| format!("{line} ").contains(t))
                && (line.contains("SCAN") || line.contains("SEARCH"));
            if reads_runs && !line.contains("scheduled_tasks") {
                assert!(
                    live.iter().any(|index| line.contains(index)),
                    "{file}: `{}` reads runs beyond the live ones\n{plan}",
                    line.trim()
                );
            }
        }
    }
}

/// [`PLANNER`], checking it is asked at the occurrence or later: a task fired ahead is planned
/// at its instant, so its misfire policy sees it on time.
struct AtTheOccurrence;

impl FirePlanner for AtTheOccurrence {
    fn plan(&self, due: &DueTask, now: Timestamp) -> FirePlan {
        let occurrence = due.next_run_at;
        assert!(
            now >= occurrence,
            "planned at {now}, before its occurrence {occurrence}"
        );
        assert_eq!(
            (due.queued, due.running),
            (0, 0),
            "only idle tasks fire ahead"
        );
        PLANNER.plan(due, now)
    }
}

async fn idle_tasks_fire_ahead_and_their_runs_wait_for_the_instant(store: Arc<dyn TestStore>) {
    // Both due at 60 s; `busy` still has its previous occurrence queued.
    let idle = create(&*store, tenant(1), "Idle", "idle", 0).await;
    let busy = create(&*store, tenant(1), "Busy", "busy", 0).await;
    store
        .enqueue_manual(busy.tenant, busy.uuid, "alice", at(0))
        .await
        .expect("queue a run of busy");
    let report = store
        .fire(at(59_500), at(60_000), 10, &AtTheOccurrence, None)
        .await
        .expect("fire ahead");
    assert_eq!((report.tasks, report.queued), (1, 1), "only the idle task");
    assert_eq!(report.fired_ahead, vec![at(60_000)]);
    assert_eq!(report.next_instants, vec![at(120_000)]);
    let fired = runs(&*store, &idle).await;
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].status, RunStatus::Queued);
    assert_eq!(fired[0].scheduled_for, at(60_000));
    assert_eq!(
        store.next_queued().await.unwrap(),
        Some(at(0)),
        "busy's manual run"
    );
    let idle_now = store
        .get_task(idle.tenant, idle.uuid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(idle_now.next_run_at, Some(at(120_000)));
    // Never started before its instant, whoever claims.
    let claimed = store
        .claim(at(59_999), request("n1", 10, &OPEN))
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1, "only the manual run is due");
    assert_eq!(claimed[0].task.uuid, busy.uuid);
    let claimed = store
        .claim(at(60_000), request("n1", 10, &OPEN))
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].task.uuid, idle.uuid);
    assert_eq!(claimed[0].scheduled_for, at(60_000));
    // The busy task fires at its instant, as its overlap policy sees it then; the idle one's
    // occurrence is not written twice.
    let report = store
        .fire(at(60_000), at(60_500), 10, &PLANNER, None)
        .await
        .expect("fire at the instant");
    assert_eq!(report.tasks, 1);
    assert!(report.fired_ahead.is_empty());
    assert_eq!(runs(&*store, &idle).await.len(), 1);
    assert_eq!(
        runs(&*store, &busy)
            .await
            .iter()
            .filter(|run| run.scheduled_for == at(60_000))
            .count(),
        1
    );
}

async fn an_edit_stop_or_delete_withdraws_what_was_fired_ahead(store: Arc<dyn TestStore>) {
    let t = tenant(2);
    let edited = create(&*store, t, "Edited", "edited", 0).await;
    let stopped = create(&*store, t, "Stopped", "stopped", 0).await;
    let deleted = create(&*store, t, "Deleted", "deleted", 0).await;
    let report = store
        .fire(at(59_500), at(60_000), 10, &PLANNER, None)
        .await
        .expect("fire ahead");
    assert_eq!(report.queued, 3);
    // The caller recomputes the next occurrence from now: the same instant, still to come.
    store
        .update_task(
            edited.uuid,
            None,
            definition("Edited again", "edited"),
            Some(at(60_000)),
            change(t, "bob", 59_600),
        )
        .await
        .expect("edit");
    store
        .set_active(stopped.uuid, None, false, None, change(t, "bob", 59_600))
        .await
        .expect("stop");
    store
        .delete_tasks(&[deleted.uuid], change(t, "bob", 59_600))
        .await
        .expect("delete");
    for task in [&edited, &stopped] {
        assert!(
            runs(&*store, task).await.is_empty(),
            "an occurrence that had not come is withdrawn, not cancelled"
        );
    }
    assert_eq!(
        store.next_queued().await.unwrap(),
        None,
        "nothing left queued"
    );
    // The edited task's occurrence fires again, once, under its new version.
    let report = store
        .fire(at(59_700), at(60_000), 10, &PLANNER, None)
        .await
        .expect("fire ahead again");
    assert_eq!(report.queued, 1);
    let fired = runs(&*store, &edited).await;
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].scheduled_for, at(60_000));
    assert_eq!(fired[0].task_version, 2);
    // An occurrence that has come stays: it is the edit that comes after it.
    store
        .update_task(
            edited.uuid,
            None,
            definition("Edited once more", "edited"),
            Some(at(120_000)),
            change(t, "bob", 60_000),
        )
        .await
        .expect("edit after the instant");
    assert_eq!(runs(&*store, &edited).await.len(), 1);
}

async fn a_claim_takes_runs_within_its_lead_to_start_at_their_instant(store: Arc<dyn TestStore>) {
    let t = tenant(3);
    let ahead = create(&*store, t, "Ahead", "ahead", 0).await;
    let now = create(&*store, t, "Now", "now", 0).await;
    store
        .fire(at(59_400), at(60_000), 10, &PLANNER, None)
        .await
        .expect("fire ahead");
    let manual = store
        .enqueue_manual(t, now.uuid, "alice", at(59_400))
        .await
        .expect("queue a run now");
    let led = |lead_ms: i64| ClaimRequest {
        lead: SignedDuration::from_millis(lead_ms),
        ..request("n1", 10, &OPEN)
    };
    // Beyond the lead: only what is due now (the fired occurrence of `now` waits).
    let claimed = store.claim(at(59_400), led(500)).await.expect("claim");
    assert_eq!(claimed.len(), 1, "{claimed:?}");
    assert_eq!(claimed[0].run, manual.uuid);
    assert_eq!(claimed[0].starts_at, at(59_400));
    // Within it: both fired occurrences, each to start at its instant.
    let claimed = store.claim(at(59_600), led(500)).await.expect("claim");
    assert_eq!(claimed.len(), 2, "{claimed:?}");
    assert!(claimed.iter().all(|c| c.starts_at == at(60_000)));
    for task in [&ahead, &now] {
        let run = runs(&*store, task)
            .await
            .into_iter()
            .find(|r| r.scheduled_for == at(60_000))
            .expect("the fired occurrence");
        assert_eq!(run.status, RunStatus::Running);
        assert_eq!(run.started_at, Some(at(60_000)), "never before its instant");
        let stored = store.get_task(t, task.uuid).await.unwrap().unwrap();
        assert!(stored.is_running);
        assert_eq!(stored.last_run_at, Some(at(60_000)), "the latest start");
    }
    // A stop before the instant asks the holder to cancel the run claimed ahead, not the one
    // already started.
    let held = claimed
        .iter()
        .find(|c| c.task.uuid == ahead.uuid)
        .expect("ahead's run")
        .run;
    store
        .set_active(ahead.uuid, None, false, None, change(t, "bob", 59_700))
        .await
        .expect("stop ahead");
    store
        .set_active(now.uuid, None, false, None, change(t, "bob", 59_700))
        .await
        .expect("stop now");
    let mut all: Vec<_> = claimed.iter().map(|c| c.run).collect();
    all.push(manual.uuid);
    let cancelled = store
        .heartbeat("n1", &all, at(90_000))
        .await
        .expect("heartbeat");
    let not_started = claimed
        .iter()
        .find(|c| c.task.uuid == now.uuid)
        .expect("now's fired run")
        .run;
    let mut expected = vec![held, not_started];
    expected.sort();
    let mut cancelled = cancelled;
    cancelled.sort();
    assert_eq!(cancelled, expected, "only the runs not started by the stop");
}

/// Skips the stored occurrence for overlap, then three missed ones in one row, then runs one.
struct SkipsThenRuns;

impl FirePlanner for SkipsThenRuns {
    fn plan(&self, due: &DueTask, _now: Timestamp) -> FirePlan {
        let at = due.next_run_at;
        let minute = |m: i64| at + SignedDuration::from_mins(m);
        let row = |m, skip, occurrences| PlannedRun {
            trigger: RunTrigger::Schedule,
            scheduled_for: minute(m),
            scheduled_until: (occurrences > 1).then(|| minute(m + occurrences - 1)),
            occurrences,
            skip,
            not_before: minute(m),
        };
        FirePlan {
            runs: vec![
                row(0, Some(SkipReason::Overlap), 1),
                row(1, Some(SkipReason::Misfire), 3),
                row(4, None, 1),
            ],
            next_run_at: Some(minute(5)),
            replace_live_runs: false,
        }
    }
}

async fn fire_reports_the_occurrences_it_skipped_by_reason(store: Arc<dyn TestStore>) {
    create(&*store, tenant(1), "A", "a", 0).await;
    let report = store
        .fire(at(60_000), at(60_000), 10, &SkipsThenRuns, None)
        .await
        .expect("fire");
    assert_eq!((report.queued, report.skipped), (1, 2));
    let mut skipped = report.skipped_occurrences.clone();
    skipped.sort_by_key(|(reason, _)| reason.as_str());
    assert_eq!(
        skipped,
        [(SkipReason::Misfire, 3), (SkipReason::Overlap, 1)]
    );
}

async fn the_queue_depth_counts_queued_runs_whose_start_has_come(store: Arc<dyn TestStore>) {
    for (name, ms) in [("A", 0), ("B", 0), ("C", 0), ("Later", 10_000)] {
        create(&*store, tenant(1), name, &name.to_lowercase(), ms).await;
    }
    assert_eq!(store.queued_due(at(60_000)).await.unwrap(), 0);
    store
        .fire(at(70_000), at(70_000), 10, &PLANNER, None)
        .await
        .expect("fire");
    // Queued at 60 s (three) and 70 s (one).
    assert_eq!(store.queued_due(at(59_999)).await.unwrap(), 0);
    assert_eq!(store.queued_due(at(60_000)).await.unwrap(), 3);
    assert_eq!(store.queued_due(at(70_000)).await.unwrap(), 4);
    let claimed = store
        .claim(at(70_000), request("n1", 2, &OPEN))
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 2);
    assert_eq!(store.queued_due(at(70_000)).await.unwrap(), 2);
}

/// 300 tenants with two queued runs each, more than a claim considers (256): claims of ten
/// go round the tenants, so every tenant's first run starts before any tenant's second.
async fn more_tenants_waiting_than_a_claim_considers_each_get_their_turn(
    store: Arc<dyn TestStore>,
) {
    const TENANTS: i64 = 300;
    for n in 1..=TENANTS {
        let task = create(&*store, tenant(n), "T", "t", 0).await;
        for _ in 0..2 {
            store
                .enqueue_manual(task.tenant, task.uuid, "alice", at(100))
                .await
                .expect("run now");
        }
    }
    let mut served = HashMap::new();
    for round in 0..TENANTS / 10 {
        let claimed = store
            .claim(at(200), request("n1", 10, &OPEN))
            .await
            .expect("claim");
        assert_eq!(claimed.len(), 10, "claim {round}");
        for c in claimed {
            *served.entry(c.tenant.get()).or_insert(0) += 1;
        }
    }
    assert_eq!(served.len() as i64, TENANTS, "every tenant got one run");
    assert!(served.values().all(|n| *n == 1), "{served:?}");
}

/// A heartbeat meeting a run row another transaction holds (the finisher ending it) skips it
/// instead of waiting: waiting, it held the rows it had renewed while the finisher's batch
/// waited for them, a deadlock PostgreSQL broke only after a second.
#[tokio::test]
async fn postgres_a_heartbeat_skips_a_run_another_transaction_holds() {
    use sqlx::{Connection, Executor, PgConnection};
    use store::prelude::*;
    let Some(db) = store::test_support::PostgresDb::create().await else {
        return;
    };
    let store = store::PostgresStore::connect(&db.url)
        .await
        .expect("migrate");
    let t = tenant(4);
    let a = create(&store, t, "A", "a", 0).await;
    let b = create(&store, t, "B", "b", 0).await;
    for task in [&a, &b] {
        store
            .enqueue_manual(t, task.uuid, "alice", at(0))
            .await
            .expect("queue");
    }
    let claimed = store
        .claim(at(0), request("n1", 10, &OPEN))
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 2);
    let (held, free) = (claimed[0].run, claimed[1].run);
    let mut other = PgConnection::connect(&db.url).await.expect("connect");
    other.execute("BEGIN").await.expect("begin");
    sqlx::query("SELECT id FROM task_runs WHERE uuid = $1 FOR UPDATE")
        .bind(held.0)
        .execute(&mut other)
        .await
        .expect("hold the row");
    let mut runs = vec![held, free];
    runs.sort();
    let gone = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        store.heartbeat("n1", &runs, at(60_000)),
    )
    .await
    .expect("the heartbeat does not wait for the held row")
    .expect("heartbeat");
    assert!(gone.is_empty(), "a held row is still this node's: {gone:?}");
    other.execute("ROLLBACK").await.expect("rollback");
    // A lease another node holds is still reported lost.
    let gone = store
        .heartbeat("n2", &[held], at(61_000))
        .await
        .expect("heartbeat of another node");
    assert_eq!(gone, vec![held], "not n2's");
}

/// The firing read the task (and the store kept it for the claim); an edit between the firing
/// and the claim is what the run executes, and an unchanged task is handed over as fired.
async fn a_run_is_claimed_with_the_definition_in_force_when_it_is_taken(store: Arc<dyn TestStore>) {
    let t = tenant(3);
    let edited = create(&*store, t, "Before", "edited", 0).await;
    let kept = create(&*store, t, "Kept", "kept", 0).await;
    let report = store
        .fire(at(60_000), at(60_000), 10, &PLANNER, None)
        .await
        .expect("fire");
    assert_eq!(report.queued, 2);
    store
        .update_task(
            edited.uuid,
            Some(1),
            definition("After", "edited"),
            Some(at(120_000)),
            change(t, "bob", 60_000),
        )
        .await
        .expect("edit");
    let claimed = store
        .claim(at(60_001), request("n1", 10, &OPEN))
        .await
        .expect("claim");
    let by_uuid: HashMap<_, _> = claimed.iter().map(|c| (c.task.uuid, &c.task)).collect();
    assert_eq!(by_uuid.len(), 2, "{claimed:?}");
    assert_eq!(by_uuid[&edited.uuid].version, 2);
    assert_eq!(by_uuid[&edited.uuid].definition.name.as_str(), "After");
    assert_eq!(by_uuid[&kept.uuid].version, 1);
    assert_eq!(by_uuid[&kept.uuid].definition.name.as_str(), "Kept");
}

/// [`PLANNER`], noting the name and the instant of each task it plans.
#[derive(Default)]
struct Noting(std::sync::Mutex<Vec<(String, Timestamp)>>);

impl FirePlanner for Noting {
    fn plan(&self, due: &DueTask, now: Timestamp) -> FirePlan {
        self.0.lock().unwrap().push((
            due.task.definition.name.as_str().to_owned(),
            due.next_run_at,
        ));
        PLANNER.plan(due, now)
    }
}

async fn a_firing_plans_the_definition_in_force_at_the_stored_instant(store: Arc<dyn TestStore>) {
    let t = tenant(3);
    let task = create(&*store, t, "Before", "edited", 0).await;
    let noting = Noting::default();
    store
        .fire(at(60_000), at(60_000), 10, &noting, None)
        .await
        .expect("fire");
    store
        .update_task(
            task.uuid,
            Some(1),
            definition("After", "edited"),
            Some(at(120_000)),
            change(t, "bob", 61_000),
        )
        .await
        .expect("edit");
    // The node has seen the task: the second firing must not plan its first version, and the
    // third, with nothing edited, must not plan the instant it was seen at.
    for now in [120_000, 180_000] {
        store
            .fire(at(now), at(now), 10, &noting, None)
            .await
            .expect("fire");
    }
    assert_eq!(
        noting.0.lock().unwrap().clone(),
        [
            ("Before".to_owned(), at(60_000)),
            ("After".to_owned(), at(120_000)),
            ("After".to_owned(), at(180_000)),
        ]
    );
    let scheduled: Vec<Timestamp> = runs(&*store, &task)
        .await
        .iter()
        .map(|r| r.scheduled_for)
        .collect();
    assert_eq!(scheduled, [at(180_000), at(120_000), at(60_000)]);
}

async fn a_corrupt_due_task_is_stopped_and_the_others_fire(store: Arc<dyn TestStore>) {
    let t = tenant(24);
    create(&*store, t, "Fragile", "fragile", 0).await;
    let sturdy = create(&*store, t, "Sturdy", "sturdy", 0).await;
    store
        .execute_sql_for_tests(
            "UPDATE scheduled_tasks SET trigger_config = '{\"cron\": 5}', version = version + 1 \
             WHERE code = 'fragile'",
        )
        .await
        .expect("corrupt the row");
    let report = store
        .fire(at(60_000), at(60_000), 10, &PLANNER, None)
        .await
        .expect("one damaged row does not stop the firing");
    assert_eq!((report.tasks, report.queued), (2, 1));
    assert_eq!(runs(&*store, &sturdy).await.len(), 1);
    assert_eq!(
        store.upcoming(10).await.unwrap(),
        [at(120_000)],
        "the corrupt task is no longer due, so it cannot spin the loop"
    );
    let stopped = store
        .execute_sql_for_tests(
            "UPDATE scheduled_tasks SET name = name WHERE code = 'fragile' AND NOT is_active \
             AND next_run_at IS NULL",
        )
        .await
        .unwrap();
    assert_eq!(stopped, 1, "the corrupt task is finished");
}
