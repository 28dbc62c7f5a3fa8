//! Sundial's engine (DESIGN §4): the firing loop turns due occurrences into ledger rows, a
//! worker pool claims queued runs under a lease and executes them, retries follow the task's
//! policy, and the node holding the maintenance lease requeues runs whose node stopped
//! heartbeating and prunes runs past the retention period.
//!
//! Every loop computes "now" from the injected [`Clock`], so policy decisions are deterministic
//! under a [`domain::ManualClock`]; only the waiting between iterations uses the real tokio
//! clock.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use domain::{Clock, RunUuid, Task};
use exec::{Attempt, AttemptResult, LogSink};
use jiff::{SignedDuration, Timestamp};
use store::{EngineStore, StoreError};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

mod attempt;
mod backoff;
mod claimer;
mod executors;
mod finisher;
mod firing;
mod heartbeat;
mod liveness;
mod logs;
mod maintenance;
pub mod policy;
mod pool;
mod rescuer;
mod retention;
pub mod retry;
mod signals;
mod timing;
mod wake;

pub use executors::TaskExecutors;
pub use liveness::Liveness;
pub use wake::Wakeup;

/// Runs one attempt of a task. The production implementation dispatches to the `exec` crate's
/// executors; tests substitute their own.
#[async_trait]
pub trait RunExecutor: Send + Sync + 'static {
    /// Executes `attempt` of `task`, writing its log to `logs`; honours `attempt.timeout` and
    /// `attempt.cancel`.
    async fn execute(&self, task: &Task, attempt: &Attempt, logs: &LogSink) -> AttemptResult;
}

/// Errors of the engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

/// How the engine runs.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// This node's name, written as the owner of the leases it holds.
    pub node_id: String,
    /// Attempts executing at once.
    pub workers: u32,
    /// Most runs one tenant may have running at once, across all nodes (`None`: no cap).
    pub max_running_per_tenant: Option<u32>,
    /// How long a claimed run stays leased without a heartbeat.
    pub lease: Duration,
    /// How often leases are extended (well below `lease`).
    pub heartbeat_every: Duration,
    /// How many times a run whose node stopped is run again before it fails (a run that kills
    /// its node every time would otherwise loop forever).
    pub max_rescues: u32,
    /// How often expired leases are looked for (by the node holding the maintenance lease,
    /// which it holds for three of these periods unrenewed).
    pub rescue_every: Duration,
    /// Finished runs and their logs are deleted this long after they finished; `None` keeps
    /// them forever.
    pub retention: Option<Duration>,
    /// How often the maintenance leader prunes runs past the retention.
    pub prune_every: Duration,
    /// Most due tasks fired per transaction.
    pub fire_batch: u32,
    /// Longest the loops sleep without being woken. Bounds how late a change made by another
    /// node (which cannot poke this one) is seen.
    pub max_idle: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            node_id: "sundial".into(),
            workers: 64,
            max_running_per_tenant: None,
            lease: Duration::from_secs(30),
            heartbeat_every: Duration::from_secs(10),
            max_rescues: 3,
            rescue_every: Duration::from_secs(5),
            retention: Some(Duration::from_secs(30 * 24 * 3600)),
            prune_every: Duration::from_secs(60),
            fire_batch: 500,
            max_idle: Duration::from_secs(1),
        }
    }
}

/// How claimed runs reach the workers; decided once at start from the store, so no loop asks
/// which database it runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClaimMode {
    /// One writer (SQLite): the firing transaction also claims runs for the free worker slots,
    /// so a due run reaches a worker after one durable commit; the claimer takes what the
    /// firing left queued, and the finisher wakes it only when runs wait (an empty claim
    /// would still take the writer from the firing).
    WithFiring,
    /// Concurrent writers (PostgreSQL): the claimer claims beside the firing (claiming while
    /// holding the fired tasks would deadlock with another node's firing), woken after every
    /// batch of outcomes.
    Beside,
}

/// What the loops share.
struct Shared {
    config: EngineConfig,
    store: Arc<dyn EngineStore>,
    executor: Arc<dyn RunExecutor>,
    clock: Arc<dyn Clock>,
    wake: Wakeup,
    /// How claimed runs reach the workers.
    claim_mode: ClaimMode,
    /// Cancelled when shutdown begins: no more firing, claiming or rescuing. The heartbeat and
    /// the finisher go on until the attempts have drained (`EngineHandle::drained`).
    stop: CancellationToken,
    /// Free worker slots: the claimer and the firing loop (which claims in its own
    /// transaction) take one per run they start.
    slots: Arc<Semaphore>,
    /// The attempts executing on this node and the tokens that cancel them.
    inflight: Mutex<HashMap<RunUuid, CancellationToken>>,
    /// The spawned attempts, so shutdown can wait for them.
    workers: TaskTracker,
    /// Where workers hand their ended attempts for a group commit.
    finisher: mpsc::Sender<finisher::Completion>,
    /// The loops that stopped before shutdown.
    liveness: Liveness,
}

impl Shared {
    /// The lease as a signed duration (saturating: a lease beyond its range never expires).
    fn lease(&self) -> SignedDuration {
        SignedDuration::try_from(self.config.lease).unwrap_or(SignedDuration::MAX)
    }

    fn inflight_runs(&self) -> Vec<RunUuid> {
        self.inflight
            .lock()
            .expect("inflight lock poisoned")
            .keys()
            .copied()
            .collect()
    }

    /// Sleeps for `d` unless shutdown starts.
    async fn pause(&self, d: Duration) {
        tokio::select! {
            () = tokio::time::sleep(d) => {}
            () = self.stop.cancelled() => {}
        }
    }

    /// How long to wait for `at` (never less than a millisecond past it, so a wake-up is never
    /// early), at most `max_idle`.
    fn wait_for(&self, at: Option<Timestamp>) -> Duration {
        let cap = self.config.max_idle;
        let Some(at) = at else { return cap };
        let ahead = at.duration_since(self.clock.now());
        if ahead.is_negative() {
            return Duration::from_millis(1);
        }
        Duration::try_from(ahead)
            .map(|d| d + Duration::from_millis(1))
            .unwrap_or(cap)
            .min(cap)
    }
}

/// The engine's entry point.
pub struct Engine;

impl Engine {
    /// Starts the firing loop, the claimer, the heartbeat and maintenance on the current tokio
    /// runtime.
    pub fn start(
        config: EngineConfig,
        store: Arc<dyn EngineStore>,
        executor: Arc<dyn RunExecutor>,
        clock: Arc<dyn Clock>,
    ) -> EngineHandle {
        let signals = store.signals();
        let wake = if signals.is_some() {
            Wakeup::broadcasting()
        } else {
            Wakeup::default()
        };
        // Bounded: a slow disk holds workers back instead of piling up outcomes in memory.
        let (finisher, completions) = mpsc::channel(config.workers.max(1) as usize * 2);
        let slots = Arc::new(Semaphore::new(config.workers.max(1) as usize));
        let claim_mode = if store.claims_while_firing() {
            ClaimMode::WithFiring
        } else {
            ClaimMode::Beside
        };
        let shared = Arc::new(Shared {
            slots,
            config,
            store,
            executor,
            clock,
            wake,
            claim_mode,
            stop: CancellationToken::new(),
            inflight: Mutex::default(),
            workers: TaskTracker::new(),
            finisher,
            liveness: Liveness::default(),
        });
        let drained = CancellationToken::new();
        let mut loops = vec![
            spawn_watched(&shared, "firing", firing::run(shared.clone())),
            spawn_watched(&shared, "claimer", claimer::claim_loop(shared.clone())),
            spawn_watched(&shared, "maintenance", maintenance::run(shared.clone())),
        ];
        if let (Some(signals), Some(out)) = (signals, shared.wake.outgoing()) {
            loops.push(spawn_watched(
                &shared,
                "broadcast",
                signals::broadcast(shared.clone(), signals.clone(), out),
            ));
            loops.push(spawn_watched(
                &shared,
                "listen",
                signals::listen(shared.clone(), signals),
            ));
        }
        // These two outlive the others at shutdown: running attempts need them to the end.
        let writers = vec![
            spawn_watched(
                &shared,
                "heartbeat",
                heartbeat::heartbeat_loop(shared.clone(), drained.clone()),
            ),
            spawn_watched(
                &shared,
                "finisher",
                finisher::run(shared.clone(), completions, drained.clone()),
            ),
        ];
        EngineHandle {
            shared,
            loops,
            writers,
            drained,
        }
    }
}

/// Spawns one of the engine's loops, recording it in [`Liveness`] if it stops before
/// shutdown.
fn spawn_watched(
    shared: &Arc<Shared>,
    name: &'static str,
    body: impl Future<Output = ()> + Send + 'static,
) -> JoinHandle<()> {
    let guard = shared.liveness.watch(name, shared.stop.clone());
    tokio::spawn(async move {
        let _guard = guard;
        body.await;
    })
}

/// What a graceful shutdown did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Attempts that finished within the grace period.
    pub finished: usize,
    /// Runs handed back to the queue because they did not.
    pub released: u64,
}

/// A running engine.
pub struct EngineHandle {
    shared: Arc<Shared>,
    loops: Vec<JoinHandle<()>>,
    writers: Vec<JoinHandle<()>>,
    /// Cancelled once the attempts have drained: the heartbeat and the finisher may end.
    drained: CancellationToken,
}

impl EngineHandle {
    /// The wake-up the API pokes after every change.
    pub fn wakeup(&self) -> Wakeup {
        self.shared.wake.clone()
    }

    /// Whether the engine's loops are alive, for `/livez`.
    pub fn liveness(&self) -> Liveness {
        self.shared.liveness.clone()
    }

    /// Stops claiming and firing, lets in-flight attempts finish within `grace`, then hands
    /// the runs still executing back to the queue (another node, or this one after a restart,
    /// runs them again) and cancels them here.
    pub async fn shutdown(self, grace: Duration) -> Result<ShutdownReport, EngineError> {
        let shared = &self.shared;
        shared.stop.cancel();
        for handle in self.loops {
            // A loop that panicked has nothing left to stop.
            let _ = handle.await;
        }
        let before = shared.inflight_runs().len();
        shared.workers.close();
        let mut report = ShutdownReport::default();
        if tokio::time::timeout(grace, shared.workers.wait())
            .await
            .is_err()
        {
            let left = shared.inflight_runs();
            // Release first: once the lease is gone, the cancelled attempts cannot record
            // themselves as cancelled.
            report.released = shared
                .store
                .release(&shared.config.node_id, &left, shared.clock.now())
                .await?;
            for token in shared
                .inflight
                .lock()
                .expect("inflight lock poisoned")
                .values()
            {
                token.cancel();
            }
            shared.workers.wait().await;
        }
        report.finished = before.saturating_sub(usize::try_from(report.released).unwrap_or(0));
        self.drained.cancel();
        for handle in self.writers {
            let _ = handle.await;
        }
        Ok(report)
    }
}
