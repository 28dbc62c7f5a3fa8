//! The worker pool: one slot per attempt executing on this node (`SUNDIAL_WORKERS`). The
//! claimer (and, with one writer, the firing loop) takes slots before it claims, so a claimed
//! run always has one; each started attempt runs in its own task and frees its slot when it
//! stops executing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use domain::RunUuid;
use store::ClaimedRun;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::attempt::AttemptRunner;

/// The attempts executing on this node and the tokens that cancel them. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub(crate) struct Inflight(Arc<Mutex<HashMap<RunUuid, CancellationToken>>>);

impl Inflight {
    /// The runs executing now.
    pub(crate) fn runs(&self) -> Vec<RunUuid> {
        self.lock().keys().copied().collect()
    }

    /// Cancels the attempts of `runs` that still execute here.
    pub(crate) fn cancel(&self, runs: &[RunUuid]) {
        let inflight = self.lock();
        for run in runs {
            if let Some(token) = inflight.get(run) {
                token.cancel();
            }
        }
    }

    /// Cancels every attempt executing here.
    pub(crate) fn cancel_all(&self) {
        for token in self.lock().values() {
            token.cancel();
        }
    }

    fn insert(&self, run: RunUuid, token: CancellationToken) {
        self.lock().insert(run, token);
    }

    fn remove(&self, run: &RunUuid) {
        self.lock().remove(run);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<RunUuid, CancellationToken>> {
        self.0.lock().expect("inflight lock poisoned")
    }
}

/// The worker slots and the attempts running in them. Cheap to clone.
#[derive(Clone)]
pub(crate) struct WorkerPool {
    slots: Arc<Semaphore>,
    inflight: Inflight,
    /// The spawned attempts, so shutdown can wait for them.
    tasks: TaskTracker,
    runner: Arc<AttemptRunner>,
}

impl WorkerPool {
    /// A pool of `workers` slots whose attempts `runner` executes.
    pub(crate) fn new(workers: u32, runner: AttemptRunner) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(workers.max(1) as usize)),
            inflight: Inflight::default(),
            tasks: TaskTracker::new(),
            runner: Arc::new(runner),
        }
    }

    /// The attempts executing now.
    pub(crate) fn inflight(&self) -> Inflight {
        self.inflight.clone()
    }

    /// Waits for a free slot; `None` once the pool is closed.
    pub(crate) async fn slot(&self) -> Option<OwnedSemaphorePermit> {
        self.slots.clone().acquire_owned().await.ok()
    }

    /// Takes every slot that is free now, without waiting.
    pub(crate) fn free_slots(&self) -> Vec<OwnedSemaphorePermit> {
        std::iter::from_fn(|| self.slots.clone().try_acquire_owned().ok()).collect()
    }

    /// Starts each claimed run on one of `slots`, taken before the claim (so never fewer than
    /// the runs); the slots left over free again here.
    pub(crate) fn start_all(&self, runs: Vec<ClaimedRun>, mut slots: Vec<OwnedSemaphorePermit>) {
        for run in runs {
            let slot = slots.pop().expect("no more runs claimed than slots taken");
            self.start(run, slot);
        }
    }

    /// Runs a claimed attempt in its own task, holding `slot` until it stops executing:
    /// recording its outcome is the finisher's work, and the claimer can take the next run
    /// meanwhile.
    fn start(&self, run: ClaimedRun, slot: OwnedSemaphorePermit) {
        let token = CancellationToken::new();
        self.inflight.insert(run.run, token.clone());
        let (runner, inflight) = (self.runner.clone(), self.inflight.clone());
        self.tasks.spawn(async move {
            let id = run.run;
            runner.execute(run, token, slot).await;
            inflight.remove(&id);
        });
    }

    /// Starts no more attempts' tasks and waits for the running ones to end.
    pub(crate) async fn drain(&self) {
        self.tasks.close();
        self.tasks.wait().await;
    }
}
