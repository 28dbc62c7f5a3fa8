//! Whether the engine's loops are alive, for `/livez`, and their supervision. A loop that
//! panics is restarted after a growing wait, with an error logged and
//! `sundial_engine_loop_restarts_total{loop}` counted; one that keeps panicking (more than
//! [`Supervision::max_restarts`] restarts within [`Supervision::window`]) is left stopped, as is
//! a loop whose restart would be unsafe, and a loop stopped before shutdown leaves the node
//! serving the API while nothing fires or runs: `/livez` fails so an orchestrator restarts the
//! process.

use std::any::Any;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use domain::metrics::LOOP_RESTARTS;
use domain::{Doubling, Metrics};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// A loop's body.
pub(crate) type LoopBody = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// How a loop is started, and whether it may be started again after a panic.
pub(crate) enum LoopStart {
    /// Built afresh at each start: everything it keeps across iterations is in the store or
    /// rebuilt from it, so a restart loses nothing.
    Restartable(Box<dyn FnMut() -> LoopBody + Send>),
    /// Started once: a panic would lose what it holds (the finisher's batch of outcomes and
    /// its queue), so it is not restarted and `/livez` fails at once.
    Once(LoopBody),
}

/// When a panicking loop is restarted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Supervision {
    /// Restarts allowed within `window`; one more panic leaves the loop stopped.
    pub(crate) max_restarts: usize,
    /// The span of time restarts are counted over.
    pub(crate) window: Duration,
    /// The wait before the first restart; it doubles with each restart within `window`, up
    /// to `longest_wait`.
    pub(crate) first_wait: Duration,
    /// The longest wait before a restart.
    pub(crate) longest_wait: Duration,
}

impl Default for Supervision {
    /// Five restarts in ten minutes, after 0.1 s doubling to 4 s: a loop that panics on every
    /// pass (a bug that restarting cannot fix) fails `/livez` within seconds, one that panics
    /// now and then keeps running.
    fn default() -> Self {
        Self {
            max_restarts: 5,
            window: Duration::from_secs(600),
            first_wait: Duration::from_millis(100),
            longest_wait: Duration::from_secs(4),
        }
    }
}

/// The restarts of one loop within the supervision window.
#[derive(Debug, Default)]
struct RecentRestarts(VecDeque<Instant>);

impl RecentRestarts {
    /// Records a panic at `now`: how long to wait before restarting the loop, or `None` when
    /// it has been restarted too often within the window and must stay stopped.
    fn restart_after(&mut self, now: Instant, policy: &Supervision) -> Option<Duration> {
        while self
            .0
            .front()
            .is_some_and(|at| now.duration_since(*at) >= policy.window)
        {
            self.0.pop_front();
        }
        if self.0.len() >= policy.max_restarts {
            return None;
        }
        let restarts = u32::try_from(self.0.len()).unwrap_or(u32::MAX);
        self.0.push_back(now);
        let pauses = Doubling {
            first: policy.first_wait,
            longest: policy.longest_wait,
        };
        Some(pauses.after(restarts.saturating_add(1)))
    }
}

/// The loops that stopped before shutdown. Cheap to clone; the default has none.
#[derive(Debug, Clone, Default)]
pub struct Liveness {
    stopped: Arc<Mutex<Vec<&'static str>>>,
}

impl Liveness {
    /// The names of the loops that stopped before shutdown; empty while the engine is alive.
    pub fn stopped_loops(&self) -> Vec<&'static str> {
        self.stopped.lock().expect("liveness lock poisoned").clone()
    }

    /// Spawns the loop `name`, restarting it after a panic as `start` and `policy` allow until
    /// `ends` (the token the loop itself ends on) is cancelled. If it stops for good before
    /// `shutdown` is cancelled, it is recorded as stopped.
    pub(crate) fn spawn(
        &self,
        name: &'static str,
        start: LoopStart,
        policy: Supervision,
        ends: CancellationToken,
        shutdown: CancellationToken,
        metrics: Arc<Metrics>,
    ) -> JoinHandle<()> {
        let guard = self.watch(name, shutdown);
        tokio::spawn(async move {
            let _guard = guard;
            let mut make = match start {
                LoopStart::Once(body) => return body.await,
                LoopStart::Restartable(make) => make,
            };
            let mut recent = RecentRestarts::default();
            loop {
                // Its own task, so a panic ends only this run of the body.
                let panic = match tokio::spawn(make()).await {
                    Ok(()) => return,
                    Err(e) if e.is_panic() => e.into_panic(),
                    // The runtime is shutting down.
                    Err(_) => return,
                };
                if ends.is_cancelled() {
                    return;
                }
                let panic = panic_message(&*panic);
                let Some(wait) = recent.restart_after(Instant::now(), &policy) else {
                    tracing::error!(engine_loop = name, panic, restarts = policy.max_restarts,
                        window = ?policy.window, "an engine loop panicked again; not restarting it");
                    return;
                };
                metrics.increment(&LOOP_RESTARTS, name);
                tracing::error!(engine_loop = name, panic, restart_in = ?wait,
                    "an engine loop panicked; restarting it");
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = ends.cancelled() => return,
                }
            }
        })
    }

    /// Watches a loop: when the returned guard drops (the loop returned or panicked) before
    /// `shutdown` is cancelled, the loop is recorded as stopped.
    fn watch(&self, name: &'static str, shutdown: CancellationToken) -> LoopGuard {
        LoopGuard {
            name,
            liveness: self.clone(),
            shutdown,
        }
    }
}

/// What a panic said, when it said it with a string.
fn panic_message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(not a string)")
}

/// Held by a loop for as long as it runs; see [`Liveness::watch`].
struct LoopGuard {
    name: &'static str,
    liveness: Liveness,
    shutdown: CancellationToken,
}

impl Drop for LoopGuard {
    fn drop(&mut self) {
        if !self.shutdown.is_cancelled() {
            tracing::error!(
                engine_loop = self.name,
                "an engine loop stopped; /livez fails"
            );
            if let Ok(mut stopped) = self.liveness.stopped.lock() {
                stopped.push(self.name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Restarts without waiting, so the tests take no time.
    const QUICK: Supervision = Supervision {
        max_restarts: 3,
        window: Duration::from_secs(600),
        first_wait: Duration::from_millis(1),
        longest_wait: Duration::from_millis(1),
    };

    /// A restartable loop that panics on its first `panics` starts, then runs until `stop`;
    /// with how often it was started.
    fn panicking(panics: usize, stop: CancellationToken) -> (LoopStart, Arc<AtomicUsize>) {
        let starts = Arc::new(AtomicUsize::new(0));
        let counted = starts.clone();
        let start = LoopStart::Restartable(Box::new(move || {
            let n = counted.fetch_add(1, Ordering::SeqCst);
            let stop = stop.clone();
            Box::pin(async move {
                assert!(n >= panics, "a bug in the loop (start {n})");
                stop.cancelled().await;
            })
        }));
        (start, starts)
    }

    #[tokio::test]
    async fn a_loop_that_panics_is_restarted_counted_and_stays_alive() {
        let (liveness, metrics, stop) = (
            Liveness::default(),
            Arc::new(Metrics::default()),
            CancellationToken::new(),
        );
        let (start, starts) = panicking(2, stop.clone());
        let handle = liveness.spawn(
            "claimer",
            start,
            QUICK,
            stop.clone(),
            stop.clone(),
            metrics.clone(),
        );
        while starts.load(Ordering::SeqCst) < 3 {
            tokio::task::yield_now().await;
        }
        assert_eq!(metrics.get(&LOOP_RESTARTS, "claimer"), 2);
        assert!(liveness.stopped_loops().is_empty());
        stop.cancel();
        handle.await.unwrap();
        assert_eq!(starts.load(Ordering::SeqCst), 3);
        assert!(liveness.stopped_loops().is_empty());
    }

    #[tokio::test]
    async fn a_loop_that_keeps_panicking_is_left_stopped_and_fails_liveness() {
        let (liveness, metrics, stop) = (
            Liveness::default(),
            Arc::new(Metrics::default()),
            CancellationToken::new(),
        );
        let (start, starts) = panicking(usize::MAX, stop.clone());
        let handle = liveness.spawn(
            "firing",
            start,
            QUICK,
            stop.clone(),
            stop.clone(),
            metrics.clone(),
        );
        handle.await.unwrap();
        assert_eq!(starts.load(Ordering::SeqCst), QUICK.max_restarts + 1);
        assert_eq!(
            metrics.get(&LOOP_RESTARTS, "firing"),
            QUICK.max_restarts as u64
        );
        assert_eq!(liveness.stopped_loops(), ["firing"]);
    }

    #[tokio::test]
    async fn a_loop_started_once_is_not_restarted_and_one_stopped_at_shutdown_is_not_reported() {
        let (liveness, metrics, stop) = (
            Liveness::default(),
            Arc::new(Metrics::default()),
            CancellationToken::new(),
        );
        let once = LoopStart::Once(Box::pin(async { panic!("a bug in the finisher") }));
        let panicked = liveness.spawn(
            "finisher",
            once,
            QUICK,
            stop.clone(),
            stop.clone(),
            metrics.clone(),
        );
        assert!(panicked.await.unwrap_err().is_panic());
        let (start, _) = panicking(0, stop.clone());
        let stopping = liveness.spawn(
            "heartbeat",
            start,
            QUICK,
            stop.clone(),
            stop.clone(),
            metrics,
        );
        stop.cancel();
        stopping.await.unwrap();
        assert_eq!(liveness.stopped_loops(), ["finisher"]);
    }

    #[test]
    fn restarts_wait_longer_each_time_and_are_counted_within_the_window_only() {
        let policy = Supervision::default();
        let mut recent = RecentRestarts::default();
        let start = Instant::now();
        let waits: Vec<_> = (0..5)
            .map(|i| recent.restart_after(start + Duration::from_secs(i), &policy))
            .collect();
        let ms = |ms| Some(Duration::from_millis(ms));
        assert_eq!(waits, [ms(100), ms(200), ms(400), ms(800), ms(1600)]);
        assert_eq!(
            recent.restart_after(start + Duration::from_secs(5), &policy),
            None
        );
        // Ten minutes after the first, one restart has left the window: one more is allowed.
        let later = start + policy.window;
        assert_eq!(recent.restart_after(later, &policy), ms(1600));
        assert_eq!(recent.restart_after(later, &policy), None);
        // A loop that panics less often than the window is restarted forever.
        let mut rare = RecentRestarts::default();
        for i in 0..20 {
            let at = start + policy.window * i;
            assert_eq!(rare.restart_after(at, &policy), ms(100), "panic {i}");
        }
    }
}
