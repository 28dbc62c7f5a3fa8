//! Sundial's engine (docs/architecture.md): the firing loop turns due occurrences into ledger rows, a
//! worker pool claims queued runs under a lease and executes them, retries follow the task's
//! policy, and the node holding the maintenance lease requeues runs whose node stopped
//! heartbeating and prunes runs past the retention period.
//!
//! Every loop computes "now" from the injected [`Clock`], so policy decisions are deterministic
//! under a [`domain::ManualClock`]; only the waiting between iterations uses the real tokio
//! clock.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use domain::metrics::{SANDBOXES, WORKER_SLOTS};
use domain::{Clock, Metrics, Task};
use exec::{Attempt, AttemptResult, LogLimits, LogSink};
use jiff::SignedDuration;
use store::{EngineStore, FairShare, LeaseStore, StoreError};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

mod attempt;
mod backoff;
mod claim_mode;
mod claimer;
mod deadlines;
pub mod email;
mod executors;
mod finisher;
mod firing;
mod heartbeat;
mod liveness;
mod log_budget;
mod logs;
mod maintenance;
mod notifier;
pub mod policy;
mod pool;
mod queue_depth;
mod rescuer;
mod retention;
pub mod retry;
mod signals;
mod slow_runs;
mod stop;
mod timing;
mod wake;

use attempt::AttemptRunner;
use claim_mode::ClaimMode;
use claimer::{ClaimTerms, Claimer};
pub use executors::TaskExecutors;
use finisher::Finisher;
use firing::Firing;
use heartbeat::Heartbeat;
pub use liveness::Liveness;
use liveness::{LoopStart, Supervision};
use maintenance::Maintenance;
use notifier::Notifier;
pub use notifier::{EmailConfig, NotifyConfig};
use pool::WorkerPool;
use stop::Stop;
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

/// Stored log bytes per tenant unless configured otherwise: 1 GiB.
pub const DEFAULT_LOG_BUDGET: u64 = 1 << 30;

/// How the engine runs.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// This node's name, written as the owner of the leases it holds.
    pub node_id: String,
    /// Attempts executing at once.
    pub workers: u32,
    /// Python attempts executing at once, each in its own sandbox (the python executor's
    /// `max_sandboxes`); a python run is claimed only when one is free.
    pub sandboxes: u32,
    /// How the workers and sandboxes are shared between tenants (reserves are kept below the
    /// pools' sizes).
    pub share: FairShare,
    /// Longest an attempt may run, whatever its task's `timeout_seconds` says (tasks saved
    /// before the operator lowered it keep their value but run at most this long).
    pub max_timeout: Duration,
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
    /// Most bytes of stored log lines per tenant; past it the logs of the tenant's oldest
    /// finished runs are deleted until it is within it again. `None`: no budget.
    pub log_budget: Option<u64>,
    /// How often the maintenance leader prunes runs past the retention and logs over the
    /// budget.
    pub prune_every: Duration,
    /// How often the maintenance leader checks dead-man deadlines (a miss is recorded within
    /// this, plus a rescue interval, of its instant).
    pub deadline_check_every: Duration,
    /// How often the maintenance leader looks for runs past a `run.slow` rule's threshold (a
    /// running one is reported within this, plus a rescue interval, of passing it).
    pub slow_run_check_every: Duration,
    /// Most due tasks fired per transaction.
    pub fire_batch: u32,
    /// How far ahead of its instant an occurrence of an idle task is fired, and a queued run
    /// claimed: its worker holds it until the instant, so only the dispatch is left then.
    pub fire_ahead: Duration,
    /// Longest the loops sleep without being woken. Bounds how late a change made by another
    /// node (which cannot poke this one) is seen.
    pub max_idle: Duration,
    /// The caps of each attempt's log (lines and bytes).
    pub log_limits: LogLimits,
    /// Where the engine counts fired runs, attempts, retries and rescues (the service's, for
    /// `/metrics`).
    pub metrics: Arc<Metrics>,
    /// Sending notifications (`None`: this node routes and sends none).
    pub notify: Option<NotifyConfig>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            node_id: "sundial".into(),
            workers: 256,
            sandboxes: 4,
            share: FairShare::defaults_for(256, 4),
            max_timeout: Duration::from_secs(3600),
            lease: Duration::from_secs(30),
            heartbeat_every: Duration::from_secs(10),
            max_rescues: 3,
            rescue_every: Duration::from_secs(5),
            retention: Some(Duration::from_secs(30 * 24 * 3600)),
            log_budget: Some(DEFAULT_LOG_BUDGET),
            prune_every: Duration::from_secs(60),
            deadline_check_every: Duration::from_secs(30),
            slow_run_check_every: Duration::from_secs(10),
            fire_batch: 500,
            fire_ahead: Duration::from_millis(500),
            max_idle: Duration::from_secs(1),
            log_limits: LogLimits::default(),
            metrics: Arc::default(),
            notify: None,
        }
    }
}

/// The engine's entry point.
pub struct Engine;

impl Engine {
    /// Starts the firing loop, the claimer, the heartbeat, the finisher and maintenance on the
    /// current tokio runtime, each with only the parts of the store and the node it uses.
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
        let mode = ClaimMode::for_writers(store.writers());
        let stop = Stop::default();
        let liveness = Liveness::default();
        let node = config.node_id.clone();
        // Saturating: a lease beyond the range never expires.
        let lease = SignedDuration::try_from(config.lease).unwrap_or(SignedDuration::MAX);
        let terms = ClaimTerms {
            owner: node.clone(),
            lease,
            // On both databases: the heartbeat no longer waits for rows the finisher holds
            // (leases/extend_lease.postgres.sql), which made runs held ahead on PostgreSQL
            // cost a deadlock timeout (bench/README.md, sessions 13 and 14).
            lead: SignedDuration::try_from(config.fire_ahead).unwrap_or(SignedDuration::ZERO),
            share: config
                .share
                .clone()
                .within(config.workers.max(1), config.sandboxes),
        };
        // Bounded: a slow disk holds workers back instead of piling up outcomes in memory.
        let metrics = config.metrics.clone();
        metrics.set(&WORKER_SLOTS, i64::from(config.workers.max(1)));
        metrics.set(&SANDBOXES, i64::from(config.sandboxes));
        let (finisher, completions) = mpsc::channel(config.workers.max(1) as usize * 2);
        let pool = WorkerPool::new(
            config.workers,
            config.sandboxes,
            AttemptRunner {
                executor,
                logs: store.clone(),
                finisher,
                clock: clock.clone(),
                node_id: node.clone(),
                max_timeout: config.max_timeout,
                log_limits: config.log_limits,
                metrics: metrics.clone(),
            },
        );
        let supervised = Supervision::default();
        let spawn = |name, start, ends: &CancellationToken| {
            liveness.spawn(
                name,
                start,
                supervised,
                ends.clone(),
                stop.token(),
                metrics.clone(),
            )
        };
        let stopping = stop.token();
        let firing = Firing {
            store: store.clone(),
            clock: clock.clone(),
            wake: wake.clone(),
            stop: stop.clone(),
            batch: config.fire_batch,
            ahead: config.fire_ahead,
            max_idle: config.max_idle,
            claims: (mode == ClaimMode::WithFiring).then(|| (pool.clone(), terms.clone())),
            metrics: metrics.clone(),
        };
        let claimer = Claimer {
            store: store.clone(),
            pool: pool.clone(),
            terms: terms.clone(),
            clock: clock.clone(),
            wake: wake.clone(),
            stop: stop.clone(),
            max_idle: config.max_idle,
        };
        let maintenance = Maintenance {
            leases: store.clone(),
            store: store.clone(),
            queue: store.clone(),
            clock: clock.clone(),
            wake: wake.clone(),
            stop: stop.clone(),
            node: node.clone(),
            rescue_every: config.rescue_every,
            max_rescues: config.max_rescues,
            retention: config.retention,
            log_budget: config.log_budget,
            prune_every: config.prune_every,
            metrics: metrics.clone(),
            deadlines: store.clone(),
            deadline_every: config.deadline_check_every,
            slow_runs: store.clone(),
            slow_every: config.slow_run_check_every,
        };
        let mut loops = vec![
            spawn(
                "firing",
                LoopStart::Restartable(Box::new(move || Box::pin(firing::run(firing.clone())))),
                &stopping,
            ),
            spawn(
                "claimer",
                LoopStart::Restartable(Box::new(move || Box::pin(claimer.clone().run()))),
                &stopping,
            ),
            spawn(
                "maintenance",
                LoopStart::Restartable(Box::new(move || {
                    Box::pin(maintenance::run(maintenance.clone()))
                })),
                &stopping,
            ),
        ];
        if let Some(notify) = config.notify.clone() {
            let notifier = Notifier {
                store: store.clone(),
                clock: clock.clone(),
                stop: stop.clone(),
                node: node.clone(),
                config: notify,
                keep: config.retention,
            };
            loops.push(spawn(
                "notifier",
                LoopStart::Restartable(Box::new(move || Box::pin(notifier::run(notifier.clone())))),
                &stopping,
            ));
        }
        if let (Some(signals), Some(out)) = (signals, wake.outgoing()) {
            let (sent, node_sent, stop_sent) = (signals.clone(), node.clone(), stop.clone());
            loops.push(spawn(
                "broadcast",
                LoopStart::Restartable(Box::new(move || {
                    Box::pin(signals::broadcast(
                        sent.clone(),
                        out.clone(),
                        node_sent.clone(),
                        stop_sent.clone(),
                    ))
                })),
                &stopping,
            ));
            let (woken, node_woken, stop_woken) = (wake.clone(), node.clone(), stop.clone());
            loops.push(spawn(
                "listen",
                LoopStart::Restartable(Box::new(move || {
                    Box::pin(signals::listen(
                        signals.clone(),
                        woken.clone(),
                        node_woken.clone(),
                        stop_woken.clone(),
                    ))
                })),
                &stopping,
            ));
        }
        // These two outlive the others at shutdown: running attempts need them to the end.
        let drained = CancellationToken::new();
        let heartbeat = Heartbeat {
            store: store.clone(),
            inflight: pool.inflight(),
            clock: clock.clone(),
            wake: wake.clone(),
            owner: node.clone(),
            lease,
            every: config.heartbeat_every,
        };
        let beating = drained.clone();
        let writers = vec![
            spawn(
                "heartbeat",
                LoopStart::Restartable(Box::new(move || {
                    Box::pin(heartbeat::run(heartbeat.clone(), beating.clone()))
                })),
                &drained,
            ),
            spawn(
                "finisher",
                LoopStart::Once(Box::pin(finisher::run(
                    Finisher {
                        store: store.clone(),
                        claims: (mode == ClaimMode::WithFiring)
                            .then(|| (pool.clone(), terms.clone())),
                        clock: clock.clone(),
                        wake: wake.clone(),
                        stop: stop.clone(),
                        owner: node.clone(),
                    },
                    completions,
                    drained.clone(),
                ))),
                &drained,
            ),
        ];
        EngineHandle {
            wake,
            liveness,
            stop,
            pool,
            leases: store,
            clock,
            node,
            loops,
            writers,
            drained,
        }
    }
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
    wake: Wakeup,
    liveness: Liveness,
    stop: Stop,
    pool: WorkerPool,
    /// Where the runs still executing at the end of the grace period are released.
    leases: Arc<dyn LeaseStore>,
    clock: Arc<dyn Clock>,
    node: String,
    loops: Vec<JoinHandle<()>>,
    writers: Vec<JoinHandle<()>>,
    /// Cancelled once the attempts have drained: the heartbeat and the finisher may end.
    drained: CancellationToken,
}

impl EngineHandle {
    /// The wake-up the API pokes after every change.
    pub fn wakeup(&self) -> Wakeup {
        self.wake.clone()
    }

    /// Whether the engine's loops are alive, for `/livez`.
    pub fn liveness(&self) -> Liveness {
        self.liveness.clone()
    }

    /// Stops claiming and firing, lets in-flight attempts finish within `grace`, then hands
    /// the runs still executing back to the queue (another node, or this one after a restart,
    /// runs them again) and cancels them here.
    pub async fn shutdown(self, grace: Duration) -> Result<ShutdownReport, EngineError> {
        self.stop.stop();
        for handle in self.loops {
            // A loop that panicked has nothing left to stop.
            let _ = handle.await;
        }
        let inflight = self.pool.inflight();
        let before = inflight.runs().len();
        let mut report = ShutdownReport::default();
        if tokio::time::timeout(grace, self.pool.drain())
            .await
            .is_err()
        {
            let left = inflight.runs();
            // Release first: once the lease is gone, the cancelled attempts cannot record
            // themselves as cancelled.
            report.released = self
                .leases
                .release(&self.node, &left, self.clock.now())
                .await?;
            inflight.cancel_all();
            self.pool.drain().await;
        }
        report.finished = before.saturating_sub(usize::try_from(report.released).unwrap_or(0));
        self.drained.cancel();
        for handle in self.writers {
            let _ = handle.await;
        }
        Ok(report)
    }
}
