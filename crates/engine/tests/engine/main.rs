//! The engine on a real SQLite store, driven by a manual clock and a scripted executor; and
//! two engines on one PostgreSQL database (`signals`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use domain::{
    ManualClock, RetryPolicy, RunStatus, RunUuid, Task, TaskCode, TaskConfig, TaskDefinition,
    TaskName, TaskType, TaskUuid, TenantId, Trigger, TriggerType,
};
use engine::{Engine, EngineConfig, EngineHandle, RunExecutor};
use exec::{Attempt, AttemptResult, LogLimits, LogSink};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use store::prelude::*;
use store::{Change, ClaimRequest, FairShare, NewTask, RunQuery, SqliteStore};

/// What the scripted executor does with every attempt.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Succeed,
    Fail,
    /// Waits until the attempt is cancelled.
    Block,
    /// Waits until the test opens the gate, then succeeds.
    Gated,
    /// Runs until the attempt's timeout.
    Hang,
    /// Writes a thousand empty lines, then succeeds.
    Flood,
}

/// Records every attempt it is given and ends it as scripted.
struct Scripted {
    script: Script,
    seen: Mutex<Vec<(RunUuid, u32, Timestamp)>>,
    clock: Arc<ManualClock>,
    gate: tokio::sync::Semaphore,
}

#[async_trait]
impl RunExecutor for Scripted {
    async fn execute(&self, _task: &Task, attempt: &Attempt, logs: &LogSink) -> AttemptResult {
        use domain::Clock;
        self.seen
            .lock()
            .unwrap()
            .push((attempt.run, attempt.attempt, self.clock.now()));
        logs.write(domain::LogStream::Stdout, "working").await;
        match self.script {
            Script::Succeed => AttemptResult::succeeded(Some(json!({"ok": true}))),
            Script::Fail => AttemptResult::failed("target answered 500", None),
            Script::Block => {
                attempt.cancel.cancelled().await;
                AttemptResult::cancelled()
            }
            Script::Gated => {
                let _pass = self.gate.acquire().await.unwrap();
                AttemptResult::succeeded(None)
            }
            Script::Hang => {
                tokio::time::sleep(attempt.timeout).await;
                AttemptResult::timed_out(attempt.timeout)
            }
            Script::Flood => {
                for _ in 0..1000 {
                    logs.write(domain::LogStream::Stdout, "").await;
                }
                AttemptResult::succeeded(None)
            }
        }
    }
}

struct Harness {
    store: Arc<SqliteStore>,
    clock: Arc<ManualClock>,
    executor: Arc<Scripted>,
    engine: Option<EngineHandle>,
    dir: tempfile::TempDir,
}

fn t0() -> Timestamp {
    "2030-01-01T00:00:00Z".parse().unwrap()
}

fn tenant() -> TenantId {
    TenantId::new(1).unwrap()
}

fn config() -> EngineConfig {
    EngineConfig {
        node_id: "node-a".into(),
        workers: 4,
        sandboxes: 4,
        share: FairShare::default(),
        max_timeout: Duration::from_secs(3600),
        lease: Duration::from_secs(30),
        heartbeat_every: Duration::from_millis(20),
        max_rescues: 3,
        rescue_every: Duration::from_millis(20),
        retention: None,
        log_budget: None,
        prune_every: Duration::from_millis(20),
        deadline_check_every: Duration::from_millis(20),
        slow_run_check_every: Duration::from_millis(20),
        fire_batch: 100,
        fire_ahead: EngineConfig::default().fire_ahead,
        max_idle: Duration::from_millis(20),
        log_limits: LogLimits::default(),
        metrics: Arc::default(),
        notify: None,
    }
}

impl Harness {
    async fn new(script: Script) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(
            SqliteStore::connect(dir.path().join("s.db").to_str().unwrap())
                .await
                .unwrap(),
        );
        let clock = Arc::new(ManualClock::new(t0()));
        let executor = Arc::new(Scripted {
            script,
            seen: Mutex::default(),
            clock: clock.clone(),
            gate: tokio::sync::Semaphore::new(0),
        });
        Self {
            store,
            clock,
            executor,
            engine: None,
            dir,
        }
    }

    fn start(&mut self) {
        self.start_with(config());
    }

    fn start_with(&mut self, config: EngineConfig) {
        self.engine = Some(Engine::start(
            config,
            self.store.clone(),
            self.executor.clone(),
            self.clock.clone(),
        ));
    }

    async fn task(&self, code: &str, retry: RetryPolicy) -> Task {
        let every_second = Trigger::parse(
            TriggerType::Interval,
            &json!({"seconds": 1, "start_at": "2030-01-01T00:00:01Z"}),
        )
        .unwrap();
        self.task_with(code, retry, every_second, domain::MisfirePolicy::FireOnce)
            .await
    }

    async fn task_with(
        &self,
        code: &str,
        retry: RetryPolicy,
        trigger: Trigger,
        misfire_policy: domain::MisfirePolicy,
    ) -> Task {
        let definition = TaskDefinition {
            name: TaskName::parse(code).unwrap(),
            code: TaskCode::parse(code).unwrap(),
            description: None,
            trigger,
            config: TaskConfig::parse(TaskType::ApiCall, &json!({"url": "https://x.test/"}))
                .unwrap(),
            is_active: true,
            retry_policy: retry,
            timeout_seconds: 30,
            overlap_policy: domain::OverlapPolicy::Allow,
            misfire_policy,
            misfire_grace_seconds: 60,
        };
        let next = schedule::next_after(&definition.trigger, t0());
        self.store
            .create_task(
                NewTask {
                    uuid: TaskUuid::new_v7(),
                    tenant: tenant(),
                    definition,
                    next_run_at: next,
                },
                Change {
                    tenant: tenant(),
                    actor: "test",
                    at: t0(),
                },
            )
            .await
            .unwrap()
    }

    async fn runs(&self, task: &Task) -> Vec<domain::Run> {
        let query = RunQuery {
            page: 1,
            page_size: 100,
            ..RunQuery::default()
        };
        let mut runs = self
            .store
            .list_runs(tenant(), task.uuid, &query)
            .await
            .unwrap()
            .items;
        runs.reverse();
        runs
    }

    /// Moves the clock to a quarter of the firing's lead before 00:00:01 (within half of it,
    /// where the loop looks) and waits until `task`'s occurrence there is written and claimed
    /// in the firing's own transaction, its worker holding it for the instant; returns that
    /// instant of the clock.
    async fn claimed_ahead(&self, task: &Task) -> Timestamp {
        let lead = EngineConfig::default().fire_ahead;
        let early =
            t0() + SignedDuration::from_secs(1) - SignedDuration::try_from(lead / 4).unwrap();
        self.clock.set(early);
        self.until(task, "the occurrence fired and claimed ahead", |runs| {
            runs.len() == 1 && runs[0].status == RunStatus::Running
        })
        .await;
        early
    }

    /// Polls until `done` holds for the task's runs, or fails after a deadline.
    async fn until(&self, task: &Task, what: &str, done: impl Fn(&[domain::Run]) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let runs = self.runs(task).await;
            if done(&runs) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {what}: {runs:#?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn stop(mut self) {
        if let Some(engine) = self.engine.take() {
            engine.shutdown(Duration::from_secs(5)).await.unwrap();
        }
        self.store.close().await;
    }
}

fn statuses(runs: &[domain::Run]) -> Vec<RunStatus> {
    runs.iter().map(|r| r.status).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_occurrence_runs_once_never_early() {
    let mut h = Harness::new(Script::Succeed).await;
    let task = h.task("every-second", RetryPolicy::default()).await;
    h.start();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        h.runs(&task).await.is_empty(),
        "nothing is due before 00:00:01"
    );
    for s in 1..=3 {
        h.clock.set(t0() + SignedDuration::from_secs(s));
        h.until(&task, "the occurrence to succeed", |runs| {
            runs.len() == s as usize && runs.iter().all(|r| r.status == RunStatus::Succeeded)
        })
        .await;
    }
    let seen = h.executor.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "exactly once each");
    let runs = h.runs(&task).await;
    for (run, (uuid, attempt, at)) in runs.iter().zip(&seen) {
        assert_eq!(run.uuid, *uuid);
        assert_eq!(*attempt, 1);
        assert!(*at >= run.scheduled_for, "never early");
    }
    let logs = h.store.run_logs(tenant(), runs[0].uuid).await.unwrap();
    assert!(logs.iter().any(|l| l.line == "working"), "{logs:?}");
    let stored = h
        .store
        .get_task(tenant(), task.uuid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.last_run_status, Some(RunStatus::Succeeded));
    assert!(!stored.is_running);
    // Kept by the finisher once no run is running: the latest run's start.
    assert_eq!(
        stored.last_run_at,
        runs.iter().filter_map(|r| r.started_at).max()
    );
    assert_eq!(
        stored.last_run_at,
        Some(t0() + SignedDuration::from_secs(3))
    );
    assert_eq!(
        stored.next_run_at,
        Some(t0() + SignedDuration::from_secs(4))
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_occurrence_is_fired_ahead_and_started_at_its_instant() {
    let mut h = Harness::new(Script::Succeed).await;
    let task = h.task("every-second", RetryPolicy::default()).await;
    h.start();
    let early = h.claimed_ahead(&task).await;
    let instant = t0() + SignedDuration::from_secs(1);
    let fired = h.runs(&task).await;
    assert_eq!(fired[0].scheduled_for, instant);
    assert_eq!(fired[0].queued_at, early, "written ahead of its instant");
    assert_eq!(fired[0].started_at, Some(instant), "starts at its instant");
    let stored = h
        .store
        .get_task(tenant(), task.uuid)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.is_running);
    assert_eq!(stored.last_run_at, Some(instant));
    // Gives a worker that ignored its instant the time to start it early.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        h.executor.seen.lock().unwrap().is_empty(),
        "not started before its instant"
    );
    h.clock.set(t0() + SignedDuration::from_secs(1));
    h.until(&task, "the occurrence to succeed", |runs| {
        runs.len() == 1 && runs[0].status == RunStatus::Succeeded
    })
    .await;
    let seen = h.executor.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert!(
        seen[0].2 >= t0() + SignedDuration::from_secs(1),
        "never early"
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_before_its_instant_cancels_a_run_claimed_ahead_unexecuted() {
    let mut h = Harness::new(Script::Succeed).await;
    let task = h.task("every-second", RetryPolicy::default()).await;
    h.start();
    let early = h.claimed_ahead(&task).await;
    h.set_active(&task, false, None, early).await;
    h.engine.as_ref().unwrap().wakeup().cancel_requested();
    h.until(&task, "the stop to cancel it", |runs| {
        runs[0].status == RunStatus::Cancelled
    })
    .await;
    h.clock.set(t0() + SignedDuration::from_secs(2));
    // Gives a worker that missed the cancellation the time to execute it.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        h.executor.seen.lock().unwrap().is_empty(),
        "a run cancelled before its instant never executes"
    );
    let runs = h.runs(&task).await;
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].attempt, 1, "not retried");
    assert_eq!(runs[0].started_at, None, "it never started");
    let logs = h.store.run_logs(tenant(), runs[0].uuid).await.unwrap();
    assert!(
        logs.iter()
            .any(|l| l.line.contains("cancelled before it started")),
        "{logs:?}"
    );
    assert!(
        !logs.iter().any(|l| l.line.contains("started on")),
        "{logs:?}"
    );
    let stored = h
        .store
        .get_task(tenant(), task.uuid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.last_run_status, Some(RunStatus::Cancelled));
    assert!(!stored.is_running);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_fired_ahead_while_every_slot_was_busy_starts_at_its_instant() {
    let mut h = Harness::new(Script::Gated).await;
    let every = |seconds: u32, start: &str| {
        Trigger::parse(
            TriggerType::Interval,
            &json!({"seconds": seconds, "start_at": start}),
        )
        .unwrap()
    };
    let fire_once = domain::MisfirePolicy::FireOnce;
    // `busy` takes the only slot at 00:00:01 and is not due again until 00:00:11, so no
    // firing comes at 00:00:02 to claim for `idle` in passing: only the claimer can start it.
    let busy = h
        .task_with(
            "busy",
            RetryPolicy::default(),
            every(10, "2030-01-01T00:00:01Z"),
            fire_once,
        )
        .await;
    let idle = h
        .task_with(
            "idle",
            RetryPolicy::default(),
            every(10, "2030-01-01T00:00:02Z"),
            fire_once,
        )
        .await;
    h.start_with(EngineConfig {
        workers: 1,
        // Long enough that only the run's instant can explain a prompt start.
        max_idle: Duration::from_secs(60),
        ..config()
    });
    h.clock.set(t0() + SignedDuration::from_secs(1));
    h.until(&busy, "busy to start", |runs| {
        runs.first().is_some_and(|r| r.status == RunStatus::Running)
    })
    .await;
    h.clock.set(t0() + SignedDuration::from_millis(1_800));
    h.until(&idle, "idle's occurrence fired ahead", |runs| {
        runs.len() == 1
    })
    .await;
    h.executor.gate.add_permits(2);
    h.until(&busy, "busy to end", |runs| {
        runs.first()
            .is_some_and(|r| r.status == RunStatus::Succeeded)
    })
    .await;
    h.clock.set(t0() + SignedDuration::from_secs(2));
    h.until(&idle, "idle to run at its instant", |runs| {
        runs.len() == 1 && runs[0].status == RunStatus::Succeeded
    })
    .await;
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_retried_per_policy_then_fail() {
    let mut h = Harness::new(Script::Fail).await;
    let policy = RetryPolicy {
        max_retries: 2,
        retry_delay_seconds: 10,
        backoff: domain::Backoff::Exponential,
        max_delay_seconds: None,
    };
    let task = h.task("flaky", policy).await;
    // Stop it after the first occurrence so only one run exists.
    h.start();
    h.clock.set(t0() + SignedDuration::from_secs(1));
    h.until(&task, "the first attempt", |runs| {
        runs.first()
            .is_some_and(|r| r.attempt == 2 && r.status == RunStatus::Queued)
    })
    .await;
    let wake = h.engine.as_ref().unwrap().wakeup();
    h.set_active(&task, false, None, h.clock_now()).await;
    wake.tasks_changed();
    h.until(&task, "stop to cancel the queued retry", |runs| {
        runs[0].status == RunStatus::Cancelled
    })
    .await;
    h.stop().await;

    // Again, with the task left running: 10 s, then 20 s between attempts.
    let mut h = Harness::new(Script::Fail).await;
    let task = h.task("flaky", policy).await;
    h.start();
    h.clock.set(t0() + SignedDuration::from_secs(1));
    h.until(&task, "attempt 1 to fail", |runs| {
        runs.first().is_some_and(|r| r.attempt == 2)
    })
    .await;
    // Occurrences keep firing each second; follow the first run only.
    h.clock.set(t0() + SignedDuration::from_secs(10));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let first = h.runs(&task).await[0].uuid;
    assert_eq!(h.attempts_of(first), 1, "the retry waits its 10 s");
    h.clock.set(t0() + SignedDuration::from_secs(11));
    h.until(&task, "attempt 2", |runs| runs[0].attempt == 3)
        .await;
    h.clock.set(t0() + SignedDuration::from_secs(31));
    h.until(&task, "the last attempt", |runs| {
        runs[0].status == RunStatus::Failed
    })
    .await;
    assert_eq!(h.attempts_of(first), 3);
    let logs = h.store.run_logs(tenant(), first).await.unwrap();
    let attempts: std::collections::BTreeSet<i32> = logs.iter().map(|l| l.attempt).collect();
    assert_eq!(attempts.into_iter().collect::<Vec<_>>(), [1, 2, 3]);
    let run = h.store.get_run(tenant(), first).await.unwrap().unwrap();
    assert_eq!(run.error.as_deref(), Some("target answered 500"));
    h.stop().await;
}

impl Harness {
    /// Starts or stops `task` as of `at`, with `next` as its next occurrence.
    async fn set_active(&self, task: &Task, active: bool, next: Option<Timestamp>, at: Timestamp) {
        let change = Change {
            tenant: tenant(),
            actor: "test",
            at,
        };
        self.store
            .set_active(task.uuid, None, active, next, change)
            .await
            .unwrap();
    }

    fn clock_now(&self) -> Timestamp {
        use domain::Clock;
        self.clock.now()
    }

    fn attempts_of(&self, run: RunUuid) -> usize {
        self.executor
            .seen
            .lock()
            .unwrap()
            .iter()
            .filter(|(r, _, _)| *r == run)
            .count()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_lease_is_rescued_as_the_next_attempt() {
    let mut h = Harness::new(Script::Succeed).await;
    let task = h.task("rescued", RetryPolicy::default()).await;
    let run = h
        .store
        .enqueue_manual(tenant(), task.uuid, "test", t0())
        .await
        .unwrap();
    // A node that claims the run and dies.
    let claimed = h
        .store
        .claim(
            t0(),
            ClaimRequest {
                owner: "dead-node",
                lease: SignedDuration::from_secs(30),
                lead: SignedDuration::ZERO,
                limit: 10,
                sandboxes: 10,
                share: &FairShare::default(),
            },
        )
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    h.start();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(h.attempts_of(run.uuid), 0, "the lease still holds");
    h.clock.set(t0() + SignedDuration::from_millis(30_001));
    h.until(&task, "the rescued run to succeed", |runs| {
        runs.iter()
            .any(|r| r.uuid == run.uuid && r.status == RunStatus::Succeeded)
    })
    .await;
    let done = h.store.get_run(tenant(), run.uuid).await.unwrap().unwrap();
    assert_eq!((done.attempt, done.rescues), (2, 1));
    assert_eq!(done.max_attempts, run.max_attempts + 1, "no retry used up");
    h.stop().await;
}

/// A rescued run that then fails waits the first retry delay, not the second: losing its
/// node was no failure of the task, so exponential backoff does not count it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rescue_does_not_lengthen_the_retry_backoff() {
    let mut h = Harness::new(Script::Fail).await;
    let retry = RetryPolicy {
        max_retries: 3,
        retry_delay_seconds: 10,
        backoff: domain::Backoff::Exponential,
        max_delay_seconds: None,
    };
    let task = h.task("rescued-then-failed", retry).await;
    let run = h
        .store
        .enqueue_manual(tenant(), task.uuid, "test", t0())
        .await
        .unwrap();
    h.store
        .claim(
            t0(),
            ClaimRequest {
                owner: "dead-node",
                lease: SignedDuration::from_secs(30),
                lead: SignedDuration::ZERO,
                limit: 10,
                sandboxes: 10,
                share: &FairShare::default(),
            },
        )
        .await
        .unwrap();
    h.start();
    let rescued_at = t0() + SignedDuration::from_millis(30_001);
    h.clock.set(rescued_at);
    h.until(
        &task,
        "the rescued attempt to fail and be queued again",
        |runs| {
            runs.iter()
                .any(|r| r.uuid == run.uuid && r.status == RunStatus::Queued && r.attempt == 3)
        },
    )
    .await;
    let logs = h.store.run_logs(tenant(), run.uuid).await.unwrap();
    let first_delay = rescued_at + SignedDuration::from_secs(10);
    assert!(
        logs.iter()
            .any(|l| l.line.ends_with(&format!("retrying at {first_delay}"))),
        "{logs:#?}"
    );
    let waiting = h.store.get_run(tenant(), run.uuid).await.unwrap().unwrap();
    assert_eq!(waiting.next_attempt_at, Some(first_delay));
    h.stop().await;
}

/// The store refuses writes (another process holds SQLite's write lock past the busy timeout)
/// when an attempt ends: its outcome is kept and recorded once writes work again, without a
/// restart and without running the attempt twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outcome_the_store_refused_is_recorded_when_it_takes_writes_again() {
    use sqlx::Connection;
    let mut h = Harness::new(Script::Gated).await;
    let task = h.task("kept", RetryPolicy::default()).await;
    let run = h
        .store
        .enqueue_manual(tenant(), task.uuid, "test", t0())
        .await
        .unwrap();
    h.start();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while h.attempts_of(run.uuid) == 0 {
        assert!(tokio::time::Instant::now() < deadline, "never claimed");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut blocker =
        sqlx::SqliteConnection::connect(&format!("sqlite:{}", h.dir.path().join("s.db").display()))
            .await
            .unwrap();
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut blocker)
        .await
        .unwrap();
    h.executor.gate.add_permits(1);
    // Longer than the store's 5 s busy timeout: at least one write of the outcome failed.
    tokio::time::sleep(Duration::from_secs(7)).await;
    let waiting = h.store.get_run(tenant(), run.uuid).await.unwrap().unwrap();
    assert_eq!(
        waiting.status,
        RunStatus::Running,
        "not recorded while refused"
    );
    sqlx::query("ROLLBACK").execute(&mut blocker).await.unwrap();
    blocker.close().await.unwrap();
    h.until(&task, "the kept outcome to be recorded", |runs| {
        runs.iter()
            .any(|r| r.uuid == run.uuid && r.status == RunStatus::Succeeded)
    })
    .await;
    let done = h.store.get_run(tenant(), run.uuid).await.unwrap().unwrap();
    assert_eq!((done.attempt, done.rescues), (1, 0));
    assert_eq!(h.attempts_of(run.uuid), 1, "executed once");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attempt_runs_no_longer_than_the_deployment_maximum() {
    let mut h = Harness::new(Script::Hang).await;
    // Saved with 30 s; the operator's maximum is lower.
    let no_retry = RetryPolicy {
        max_retries: 0,
        ..RetryPolicy::default()
    };
    let task = h.task("long", no_retry).await;
    assert_eq!(task.definition.timeout_seconds, 30);
    h.start_with(EngineConfig {
        max_timeout: Duration::from_millis(100),
        ..config()
    });
    h.store
        .enqueue_manual(tenant(), task.uuid, "test", t0())
        .await
        .unwrap();
    h.engine.as_ref().unwrap().wakeup().runs_queued();
    h.until(&task, "the attempt to time out at the maximum", |runs| {
        runs.iter().any(|r| r.status == RunStatus::TimedOut)
    })
    .await;
    let run = &h.runs(&task).await[0];
    assert!(run.duration_ms.unwrap() < 5_000, "{run:?}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_running_run_cancels_its_attempt() {
    let mut h = Harness::new(Script::Block).await;
    let task = h.task("blocked", RetryPolicy::default()).await;
    h.start();
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
    assert!(
        h.store
            .get_task(tenant(), task.uuid)
            .await
            .unwrap()
            .unwrap()
            .is_running
    );
    let still = h
        .store
        .cancel_run(tenant(), run.uuid, "test", t0())
        .await
        .unwrap();
    assert_eq!(
        still.status,
        RunStatus::Running,
        "cancellation is asked for"
    );
    h.until(&task, "the attempt to be cancelled", |runs| {
        runs.iter().any(|r| r.status == RunStatus::Cancelled)
    })
    .await;
    let stored = h
        .store
        .get_task(tenant(), task.uuid)
        .await
        .unwrap()
        .unwrap();
    assert!(!stored.is_running);
    assert_eq!(stored.last_run_status, Some(RunStatus::Cancelled));
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_releases_runs_that_outlive_the_grace() {
    let mut h = Harness::new(Script::Block).await;
    let task = h.task("slow", RetryPolicy::default()).await;
    h.start();
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
    let report = h
        .engine
        .take()
        .unwrap()
        .shutdown(Duration::from_millis(100))
        .await
        .unwrap();
    assert_eq!(report.released, 1);
    let released = h.store.get_run(tenant(), run.uuid).await.unwrap().unwrap();
    assert_eq!(released.status, RunStatus::Queued);
    assert_eq!(
        (released.attempt, released.requeues, released.rescues),
        (2, 1, 0),
        "the interrupted attempt runs again as the next one"
    );
    assert_eq!(
        released.max_attempts,
        run.max_attempts + 1,
        "no retry used up"
    );
    assert!(
        !h.store
            .get_task(tenant(), task.uuid)
            .await
            .unwrap()
            .unwrap()
            .is_running
    );
    assert_eq!(statuses(&h.runs(&task).await), [RunStatus::Queued]);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_five_minute_outage_follows_each_misfire_policy() {
    use domain::{MisfirePolicy, RunTrigger};
    let minute = |m: i64| t0() + SignedDuration::from_mins(m);
    // (minute of the row, what it is, occurrences it stands for) after an outage from just
    // after minute 1 to 5 s past minute 6: minutes 2–5 are missed by more than the 60 s grace,
    // minute 6 is late by 5 s only and runs as scheduled.
    let expected = [
        (
            MisfirePolicy::FireOnce,
            vec![
                (1, "schedule", 1),
                (2, "misfire", 3),
                (5, "catch_up", 1),
                (6, "schedule", 1),
            ],
        ),
        (
            MisfirePolicy::Skip,
            vec![(1, "schedule", 1), (2, "misfire", 4), (6, "schedule", 1)],
        ),
        (
            MisfirePolicy::FireAll,
            vec![
                (1, "schedule", 1),
                (2, "catch_up", 1),
                (3, "catch_up", 1),
                (4, "catch_up", 1),
                (5, "catch_up", 1),
                (6, "schedule", 1),
            ],
        ),
    ];
    for (policy, want) in expected {
        let mut h = Harness::new(Script::Succeed).await;
        let every_minute =
            Trigger::parse(TriggerType::Cron, &json!({"cron": "* * * * *"})).unwrap();
        let task = h
            .task_with("minutely", RetryPolicy::default(), every_minute, policy)
            .await;
        h.start();
        h.clock.set(minute(1));
        h.until(&task, "minute 1 to run", |runs| {
            runs.len() == 1 && runs[0].status == RunStatus::Succeeded
        })
        .await;
        h.engine
            .take()
            .unwrap()
            .shutdown(Duration::from_secs(5))
            .await
            .unwrap();

        h.clock.set(minute(6) + SignedDuration::from_secs(5));
        let metrics = Arc::new(domain::Metrics::default());
        h.start_with(EngineConfig {
            metrics: metrics.clone(),
            ..config()
        });
        let rows = want.len();
        h.until(&task, "the outage to be accounted for", |runs| {
            runs.len() == rows
                && runs
                    .iter()
                    .all(|r| matches!(r.status, RunStatus::Succeeded | RunStatus::Skipped))
        })
        .await;
        let mut runs = h.runs(&task).await;
        runs.sort_by_key(|r| r.scheduled_for);
        let got: Vec<(i64, &str, i64)> = runs
            .iter()
            .map(|r| {
                let m = r.scheduled_for.duration_since(t0()).as_mins();
                let what = match (r.skip_reason, r.trigger) {
                    (Some(domain::SkipReason::Misfire), _) => "misfire",
                    (Some(_), _) => "other skip",
                    (None, RunTrigger::CatchUp) => "catch_up",
                    (None, RunTrigger::Schedule) => "schedule",
                    (None, RunTrigger::Manual) => "manual",
                    (None, RunTrigger::Chain) => "chain",
                };
                (m, what, r.occurrences)
            })
            .collect();
        assert_eq!(got, want, "{policy:?}");
        let misfired: i64 = want
            .iter()
            .filter(|(_, what, _)| *what == "misfire")
            .map(|(_, _, occurrences)| occurrences)
            .sum();
        assert_eq!(
            metrics.get(&domain::metrics::OCCURRENCES_SKIPPED, "misfire"),
            misfired as u64,
            "{policy:?}"
        );
        assert_eq!(
            metrics.get(&domain::metrics::OCCURRENCES_SKIPPED, "overlap"),
            0
        );
        let stored = h
            .store
            .get_task(tenant(), task.uuid)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.next_run_at, Some(minute(7)), "{policy:?}");
        h.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_past_the_retention_are_pruned_by_the_maintenance_leader() {
    let mut h = Harness::new(Script::Succeed).await;
    let task = h.task("kept-a-day", RetryPolicy::default()).await;
    let day = SignedDuration::from_hours(24);
    // Another node holds the maintenance lease: this one neither rescues nor prunes.
    assert!(
        h.store
            .hold_lease("maintenance", "node-b", t0(), t0() + day * 2)
            .await
            .unwrap()
    );
    h.start_with(EngineConfig {
        retention: Some(Duration::from_secs(24 * 3600)),
        ..config()
    });
    h.clock.set(t0() + SignedDuration::from_secs(1));
    h.until(&task, "the first occurrence", |runs| {
        runs.len() == 1 && runs[0].status == RunStatus::Succeeded
    })
    .await;
    // Stop firing so the ledger holds only that run.
    h.set_active(&task, false, None, h.clock_now()).await;
    h.clock.set(t0() + day + SignedDuration::from_secs(2));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(h.runs(&task).await.len(), 1, "node-b's lease is unexpired");
    h.clock.set(t0() + day * 2 + SignedDuration::from_secs(1));
    h.until(&task, "the leader to prune the old run", |runs| {
        runs.is_empty()
    })
    .await;
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daily_cron_fires_once_a_day_across_both_dst_transitions_in_virtual_time() {
    // 02:30 in Paris does not exist on 2030-03-31 (02:00 → 03:00) and happens twice on
    // 2030-10-27 (03:00 → 02:00): the engine fires at 03:00 local in the gap, and on the
    // first 02:30 only in the fold.
    let cases = [
        (
            "2030-03-29T12:00:00Z",
            [
                "2030-03-30T01:30:00Z",
                "2030-03-31T01:00:00Z",
                "2030-04-01T00:30:00Z",
            ],
        ),
        (
            "2030-10-25T12:00:00Z",
            [
                "2030-10-26T00:30:00Z",
                "2030-10-27T00:30:00Z",
                "2030-10-28T01:30:00Z",
            ],
        ),
    ];
    for (start, want) in cases {
        let mut h = Harness::new(Script::Succeed).await;
        let start: Timestamp = start.parse().unwrap();
        h.clock.set(start);
        let daily = Trigger::parse(
            TriggerType::Cron,
            &json!({"cron": "30 2 * * *", "timezone": "Europe/Paris"}),
        )
        .unwrap();
        let mut task = h
            .task_with(
                "paris-daily",
                RetryPolicy::default(),
                daily.clone(),
                domain::MisfirePolicy::FireOnce,
            )
            .await;
        // `task_with` schedules from t0; move the first occurrence to the case's start.
        task.next_run_at = schedule::next_after(&daily, start);
        h.set_active(&task, false, None, start).await;
        h.set_active(&task, true, task.next_run_at, start).await;
        h.start();
        // Step through the three days an hour at a time, as a clock would.
        for hour in 1..=84 {
            h.clock.set(start + SignedDuration::from_hours(hour));
            let expected = want
                .iter()
                .filter(|at| at.parse::<Timestamp>().unwrap() <= h.clock_now())
                .count();
            h.until(&task, "the day's occurrence", |runs| {
                runs.len() == expected && runs.iter().all(|r| r.status == RunStatus::Succeeded)
            })
            .await;
        }
        let mut runs = h.runs(&task).await;
        runs.sort_by_key(|r| r.scheduled_for);
        let got: Vec<String> = runs.iter().map(|r| r.scheduled_for.to_string()).collect();
        assert_eq!(got, want, "{start}");
        h.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attempts_log_stops_at_its_line_cap_with_one_marker() {
    let mut h = Harness::new(Script::Flood).await;
    let task = h.task("flood", RetryPolicy::default()).await;
    h.start_with(EngineConfig {
        log_limits: LogLimits {
            max_lines: 50,
            max_bytes: 1 << 20,
        },
        ..config()
    });
    h.clock.set(t0() + SignedDuration::from_secs(1));
    h.until(&task, "the flood to succeed", |runs| {
        runs.first()
            .is_some_and(|r| r.status == RunStatus::Succeeded)
    })
    .await;
    let runs = h.runs(&task).await;
    let logs = h.store.run_logs(tenant(), runs[0].uuid).await.unwrap();
    // The start line, "working" and 48 empty lines: 50 lines, then the one marker.
    assert_eq!(logs.len(), 51, "{logs:?}");
    assert!(logs[0].line.starts_with("attempt 1/"), "{:?}", logs[0]);
    assert!(logs[2..50].iter().all(|l| l.line.is_empty()));
    let markers: Vec<_> = logs
        .iter()
        .filter(|l| l.line.starts_with("output truncated"))
        .collect();
    assert_eq!(markers.len(), 1, "{markers:?}");
    assert_eq!(logs[50].stream, domain::LogStream::System);
    assert!(
        logs[50].line.contains("limit of 50 lines"),
        "{:?}",
        logs[50]
    );
    h.stop().await;
}

mod cron_agreement;
mod deadlines;
mod signals;
mod slow_runs;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_record_schedule_lag_fired_runs_durations_and_retries() {
    use domain::metrics::{
        ATTEMPT_DURATION, ATTEMPTS_RUNNING, RETRIES_SCHEDULED, RUNS_FIRED, SCHEDULE_LAG,
        WORKER_SLOTS,
    };
    let mut h = Harness::new(Script::Fail).await;
    let policy = RetryPolicy {
        max_retries: 1,
        retry_delay_seconds: 10,
        backoff: domain::Backoff::Fixed,
        max_delay_seconds: None,
    };
    let once = Trigger::parse(TriggerType::Date, &json!({"at": "2030-01-01T00:00:01Z"})).unwrap();
    let task = h
        .task_with("late", policy, once, domain::MisfirePolicy::FireOnce)
        .await;
    let metrics = Arc::new(domain::Metrics::default());
    h.start_with(EngineConfig {
        metrics: metrics.clone(),
        ..config()
    });
    assert_eq!(metrics.level(&WORKER_SLOTS), 4);
    // The occurrence of 00:00:01 starts 700 ms late.
    h.clock
        .set(t0() + SignedDuration::from_secs(1) + SignedDuration::from_millis(700));
    h.until(&task, "the first attempt to fail with a retry", |runs| {
        runs.first()
            .is_some_and(|r| r.attempt == 2 && r.status == RunStatus::Queued)
    })
    .await;
    assert_eq!(metrics.get(&RUNS_FIRED, ""), 1);
    assert_eq!(metrics.observations(&SCHEDULE_LAG, ""), 1);
    let text = metrics.render();
    for line in [
        "sundial_schedule_lag_seconds_bucket{le=\"0.5\"} 0\n",
        "sundial_schedule_lag_seconds_bucket{le=\"1\"} 1\n",
        "sundial_schedule_lag_seconds_sum 0.7\n",
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }
    assert_eq!(metrics.observations(&ATTEMPT_DURATION, "failed"), 1);
    assert_eq!(metrics.get(&RETRIES_SCHEDULED, ""), 1);
    assert_eq!(metrics.level(&ATTEMPTS_RUNNING), 0);
    // The retry starts when it is due, 10 s after the occurrence: no lag of the scheduler.
    h.clock.set(t0() + SignedDuration::from_secs(12));
    h.until(&task, "the retry to fail for good", |runs| {
        runs.first().is_some_and(|r| r.status == RunStatus::Failed)
    })
    .await;
    assert_eq!(metrics.observations(&ATTEMPT_DURATION, "failed"), 2);
    assert_eq!(metrics.observations(&SCHEDULE_LAG, ""), 1);
    assert_eq!(metrics.get(&RETRIES_SCHEDULED, ""), 1);
    assert_eq!(metrics.get(&RUNS_FIRED, ""), 1);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_maintenance_leader_counts_the_runs_waiting_to_start() {
    use domain::metrics::RUNS_QUEUED;
    let mut h = Harness::new(Script::Block).await;
    let metrics = Arc::new(domain::Metrics::default());
    h.start_with(EngineConfig {
        workers: 1,
        metrics: metrics.clone(),
        ..config()
    });
    for code in ["first", "second", "third"] {
        let task = h.task(code, RetryPolicy::default()).await;
        h.store
            .enqueue_manual(tenant(), task.uuid, "test", t0())
            .await
            .unwrap();
    }
    h.engine.as_ref().unwrap().wakeup().runs_queued();
    // One run executes on the only worker; two wait.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while metrics.level(&RUNS_QUEUED) != 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the gauge shows {}",
            metrics.level(&RUNS_QUEUED)
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let report = h
        .engine
        .take()
        .unwrap()
        .shutdown(Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(report.released, 1);
    h.stop().await;
}
