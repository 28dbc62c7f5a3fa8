//! The worker pool: one slot per attempt executing on this node (`SUNDIAL_WORKERS`), and one
//! sandbox per python attempt. The claimer (and, with one writer, the firing loop and the
//! finisher) takes the free slots and sandboxes before it claims and claims no more runs than
//! slots, nor python runs than sandboxes, so a claimed run never waits for either; each started
//! attempt runs in its own task and frees what it holds when it stops executing.
//!
//! Claims on one node take turns: the pool hands its free slots to one claim at a time, until
//! that claim's runs have started. A claimant that finds no slot free therefore knows every
//! slot is busy with an attempt, not lent to another claim that may give it back unused, and
//! each claim judges the fair share against all the free slots, not a part of them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use domain::{RunUuid, TaskConfig};
use store::ClaimedRun;
use tokio::sync::{OwnedMutexGuard, OwnedSemaphorePermit, Semaphore};
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

/// The worker slots and sandboxes taken for a claim, and the node's turn to claim. Whatever
/// the claim does not use frees again, and the turn passes, when this is dropped.
#[derive(Debug, Default)]
pub(crate) struct Capacity {
    workers: Vec<OwnedSemaphorePermit>,
    sandboxes: Vec<OwnedSemaphorePermit>,
    /// Held until the claim's runs have started; `None` when nothing was taken.
    _turn: Option<OwnedMutexGuard<()>>,
}

impl Capacity {
    /// Free worker slots held.
    pub(crate) fn workers(&self) -> usize {
        self.workers.len()
    }

    /// Free sandboxes held.
    pub(crate) fn sandboxes(&self) -> usize {
        self.sandboxes.len()
    }
}

/// What one executing attempt holds: a worker slot and, for a python run, a sandbox.
pub(crate) struct Held {
    _worker: OwnedSemaphorePermit,
    _sandbox: Option<OwnedSemaphorePermit>,
}

/// The worker slots and the attempts running in them. Cheap to clone.
#[derive(Clone)]
pub(crate) struct WorkerPool {
    slots: Arc<Semaphore>,
    sandboxes: Arc<Semaphore>,
    inflight: Inflight,
    /// One claim at a time takes the free slots (see the module's documentation).
    turn: Arc<tokio::sync::Mutex<()>>,
    /// The spawned attempts, so shutdown can wait for them.
    tasks: TaskTracker,
    runner: Arc<AttemptRunner>,
}

impl WorkerPool {
    /// A pool of `workers` slots and `sandboxes` sandboxes whose attempts `runner` executes.
    pub(crate) fn new(workers: u32, sandboxes: u32, runner: AttemptRunner) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(workers.max(1) as usize)),
            sandboxes: Arc::new(Semaphore::new(sandboxes as usize)),
            inflight: Inflight::default(),
            turn: Arc::default(),
            tasks: TaskTracker::new(),
            runner: Arc::new(runner),
        }
    }

    /// The attempts executing now.
    pub(crate) fn inflight(&self) -> Inflight {
        self.inflight.clone()
    }

    /// Waits for this node's turn to claim (another claim's runs are being started), then
    /// takes every slot and sandbox free. With no slot free the turn passes at once: every
    /// slot is busy with an attempt.
    pub(crate) async fn capacity_for_claim(&self) -> Capacity {
        let turn = self.turn.clone().lock_owned().await;
        let take = |pool: &Arc<Semaphore>| {
            std::iter::from_fn(|| pool.clone().try_acquire_owned().ok()).collect::<Vec<_>>()
        };
        let workers = take(&self.slots);
        if workers.is_empty() {
            return Capacity::default();
        }
        Capacity {
            workers,
            sandboxes: take(&self.sandboxes),
            _turn: Some(turn),
        }
    }

    /// Starts each claimed run on a slot of `capacity` (and a python run on one of its
    /// sandboxes), taken before the claim, which never takes more runs than it holds; what is
    /// left over frees again here.
    pub(crate) fn start_all(&self, runs: Vec<ClaimedRun>, mut capacity: Capacity) {
        for run in runs {
            let worker = capacity
                .workers
                .pop()
                .expect("no more runs claimed than slots taken");
            let sandbox =
                matches!(run.task.definition.config, TaskConfig::PythonScript(_)).then(|| {
                    capacity
                        .sandboxes
                        .pop()
                        .expect("no more python runs claimed than sandboxes taken")
                });
            let held = Held {
                _worker: worker,
                _sandbox: sandbox,
            };
            self.start(run, held);
        }
    }

    /// Runs a claimed attempt in its own task, holding its slot (and sandbox) until it stops
    /// executing: recording its outcome is the finisher's work, and the claimer can take the
    /// next run meanwhile.
    fn start(&self, run: ClaimedRun, held: Held) {
        let token = CancellationToken::new();
        self.inflight.insert(run.run, token.clone());
        let (runner, inflight) = (self.runner.clone(), self.inflight.clone());
        self.tasks.spawn(async move {
            let id = run.run;
            runner.execute(run, token, held).await;
            inflight.remove(&id);
        });
    }

    /// Starts no more attempts' tasks and waits for the running ones to end.
    pub(crate) async fn drain(&self) {
        self.tasks.close();
        self.tasks.wait().await;
    }
}
