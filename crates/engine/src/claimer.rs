//! The claimer: takes queued runs under a lease for the free worker slots and starts them.
//! With one writer (SQLite) the firing loop and the finisher claim most runs in their own
//! transactions, and this loop takes what they left queued (runs queued by the API, retries
//! coming due).

use std::sync::Arc;
use std::time::Duration;

use domain::Clock;
use jiff::SignedDuration;
use store::{ClaimRequest, ClaimStore, FairShare};

use crate::Wakeup;
use crate::backoff::Backoff;
use crate::pool::{Capacity, WorkerPool};
use crate::stop::{Stop, wait_for};

/// Whose leases claimed runs are held under, for how long, and how they are shared.
#[derive(Debug, Clone)]
pub(crate) struct ClaimTerms {
    /// This node.
    pub(crate) owner: String,
    /// How long a lease lasts without a heartbeat.
    pub(crate) lease: SignedDuration,
    /// How far ahead of its instant a run is claimed (its worker holds it until then).
    pub(crate) lead: SignedDuration,
    /// How the node's capacity is shared between tenants.
    pub(crate) share: FairShare,
}

impl ClaimTerms {
    /// A claim on these terms of as many runs as `capacity` has room for.
    pub(crate) fn request(&self, capacity: &Capacity) -> ClaimRequest<'_> {
        ClaimRequest {
            owner: &self.owner,
            lease: self.lease,
            lead: self.lead,
            limit: u32::try_from(capacity.workers()).unwrap_or(u32::MAX),
            sandboxes: u32::try_from(capacity.sandboxes()).unwrap_or(u32::MAX),
            share: &self.share,
        }
    }
}

/// What the claimer uses.
#[derive(Clone)]
pub(crate) struct Claimer {
    pub(crate) store: Arc<dyn ClaimStore>,
    pub(crate) pool: WorkerPool,
    pub(crate) terms: ClaimTerms,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) wake: Wakeup,
    pub(crate) stop: Stop,
    /// Longest sleep without a wake-up.
    pub(crate) max_idle: Duration,
}

impl Claimer {
    /// Claims runs for the free worker slots when woken (runs were queued or outcomes
    /// recorded) and when the earliest queued run comes due, until shutdown.
    ///
    /// It is not woken by each slot that frees: a slot frees when its attempt stops
    /// executing, before its outcome is recorded, and the run still counts as running for its
    /// task's overlap policy and its tenant's cap until then. Claiming after the finisher's
    /// commit takes the slots a whole batch freed in one transaction, instead of one
    /// transaction per slot.
    pub(crate) async fn run(self) {
        let mut backoff = Backoff::default();
        // Runs may wait from before the start.
        let mut wait = Duration::ZERO;
        loop {
            if !wait.is_zero() {
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = self.wake.runs() => {}
                    () = self.stop.stopping() => return,
                }
            }
            if self.stop.is_stopping() {
                return;
            }
            let taken = self.pool.capacity_for_claim().await;
            let now = self.clock.now();
            if taken.workers() == 0 {
                // Every slot is busy with an attempt. A run that comes due later (fired ahead
                // of its instant) is this loop's to claim then.
                wait = self.until_next_queued(now, &mut backoff).await;
                continue;
            }
            let free = taken.workers();
            wait = match self.store.claim(now, self.terms.request(&taken)).await {
                Ok(runs) => {
                    backoff.succeeded();
                    let claimed = runs.len();
                    self.pool.start_all(runs, taken);
                    if claimed == free {
                        // More may wait: look again (with the slots still free, if any).
                        Duration::ZERO
                    } else {
                        self.until_next_queued(now, &mut backoff).await
                    }
                }
                Err(e) => {
                    drop(taken);
                    let wait = backoff.failed();
                    tracing::warn!(error = %e, retry_in = ?wait, "claiming runs failed");
                    // The whole backoff, whatever wakes this loop meanwhile.
                    self.stop.pause(wait).await;
                    Duration::ZERO
                }
            };
        }
    }

    /// How long to wait for the earliest queued run: until it comes within the claim's lead
    /// (at most `max_idle`). One within it already that this loop could not take is not
    /// claimable now (every slot busy with an attempt, its tenant at its cap, no sandbox free,
    /// only reserved room left): a finishing run wakes this loop (or, with one writer, claims
    /// for the slots it frees). After a failed read, the backoff's wait.
    async fn until_next_queued(&self, now: jiff::Timestamp, backoff: &mut Backoff) -> Duration {
        let lead = |at: jiff::Timestamp| at.checked_sub(self.terms.lead).unwrap_or(at);
        match self.store.next_queued().await {
            Ok(Some(next)) if lead(next) <= now => self.max_idle,
            Ok(next) => wait_for(&*self.clock, next.map(lead), self.max_idle),
            Err(e) => {
                let wait = backoff.failed();
                tracing::warn!(error = %e, retry_in = ?wait, "reading the next queued instant failed");
                wait
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use async_trait::async_trait;
    use domain::{
        RetryPolicy, RunUuid, SystemClock, Task, TaskCode, TaskConfig, TaskDefinition, TaskName,
        TaskType, TaskUuid, TenantId, Trigger, TriggerType,
    };
    use exec::{Attempt, AttemptResult, LogLimits, LogSink};
    use serde_json::json;
    use store::prelude::*;
    use store::{Change, NewTask, SqliteStore};
    use tokio::sync::mpsc;

    use super::*;
    use crate::RunExecutor;
    use crate::attempt::AttemptRunner;

    /// Records the runs it is given and ends them at once.
    #[derive(Default)]
    struct Recorder(Mutex<Vec<RunUuid>>);

    #[async_trait]
    impl RunExecutor for Arc<Recorder> {
        async fn execute(&self, _: &Task, attempt: &Attempt, _: &LogSink) -> AttemptResult {
            self.0.lock().unwrap().push(attempt.run);
            AttemptResult::succeeded(None)
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_claim_waits_its_turn_and_takes_the_slots_the_claim_before_left() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(
            SqliteStore::connect(dir.path().join("s.db").to_str().unwrap())
                .await
                .unwrap(),
        );
        let tenant = TenantId::new(1).unwrap();
        let change = Change {
            tenant,
            actor: "test",
            at: jiff::Timestamp::now(),
        };
        let definition = TaskDefinition {
            name: TaskName::parse("manual").unwrap(),
            code: TaskCode::parse("manual").unwrap(),
            description: None,
            trigger: Trigger::parse(TriggerType::Cron, &json!({"cron": "0 0 1 1 *"})).unwrap(),
            config: TaskConfig::parse(TaskType::ApiCall, &json!({"url": "https://x.test/"}))
                .unwrap(),
            is_active: true,
            retry_policy: RetryPolicy::default(),
            timeout_seconds: 30,
            overlap_policy: domain::OverlapPolicy::Allow,
            misfire_policy: domain::MisfirePolicy::FireOnce,
            misfire_grace_seconds: 60,
        };
        let task = store
            .create_task(
                NewTask {
                    uuid: TaskUuid::new_v7(),
                    tenant,
                    definition,
                    next_run_at: None,
                },
                Change { ..change },
            )
            .await
            .unwrap();
        let recorder = Arc::new(Recorder::default());
        let (finisher, mut completions) = mpsc::channel(16);
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let pool = WorkerPool::new(
            1,
            1,
            AttemptRunner {
                executor: Arc::new(recorder.clone()),
                logs: store.clone(),
                finisher,
                clock: clock.clone(),
                node_id: "node".into(),
                max_timeout: Duration::from_secs(60),
                log_limits: LogLimits::default(),
                metrics: Arc::default(),
            },
        );
        // Another claimant (the firing loop, the finisher) holds the only slot for its claim.
        let held = pool.capacity_for_claim().await;
        let run = store
            .enqueue_manual(tenant, task.uuid, "test", jiff::Timestamp::now())
            .await
            .unwrap();
        let stop = Stop::default();
        let claimer = Claimer {
            store: store.clone(),
            pool: pool.clone(),
            terms: ClaimTerms {
                owner: "node".into(),
                lease: SignedDuration::from_secs(30),
                lead: SignedDuration::ZERO,
                share: FairShare::default(),
            },
            clock,
            wake: Wakeup::default(),
            stop: stop.clone(),
            // Long enough that only a prompt second look can explain a start.
            max_idle: Duration::from_secs(60),
        };
        let claiming = tokio::spawn(claimer.run());
        // The claimer waits for its turn; the holder then gives the slot back unused, without
        // waking anyone.
        tokio::time::sleep(Duration::from_millis(50)).await;
        drop(held);
        let completion = tokio::time::timeout(Duration::from_secs(5), completions.recv())
            .await
            .expect("the run started well before max_idle")
            .unwrap();
        assert_eq!(completion.attempt.run, run.uuid);
        assert_eq!(*recorder.0.lock().unwrap(), vec![run.uuid]);
        stop.stop();
        claiming.await.unwrap();
    }
}
