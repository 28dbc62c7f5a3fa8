//! The firing loop: due occurrences become ledger rows, one transaction per batch, which on
//! SQLite also hands the new runs to the free worker slots. Occurrences of idle tasks are
//! fired ahead of their instant (their runs wait queued until it): at the instant, the claim
//! and the dispatch are all that is left.

use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::metrics::{OCCURRENCES_SKIPPED, RUNS_FIRED};
use domain::{Clock, Metrics};
use jiff::{SignedDuration, Timestamp};
use store::{FireReport, FiringStore, StoreError};

use crate::Wakeup;
use crate::backoff::Backoff;
use crate::claimer::ClaimTerms;
use crate::policy::Planner;
use crate::pool::{Capacity, WorkerPool};
use crate::stop::{Stop, wait_for};
use crate::timing::{TimingIndex, WINDOW};

/// Pause before firing a task again that another transaction held (a few milliseconds).
const LOCKED_RETRY: Duration = Duration::from_millis(2);

/// What the firing loop uses.
#[derive(Clone)]
pub(crate) struct Firing {
    pub(crate) store: Arc<dyn FiringStore>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) wake: Wakeup,
    pub(crate) stop: Stop,
    /// Most due tasks per transaction.
    pub(crate) batch: u32,
    /// How far ahead of its instant an idle task's occurrence is fired.
    pub(crate) ahead: Duration,
    /// Longest sleep without a wake-up, and the longest the timing index goes unreloaded.
    pub(crate) max_idle: Duration,
    /// With one writer (SQLite), the pool whose free slots each firing claims runs for.
    pub(crate) claims: Option<(WorkerPool, ClaimTerms)>,
    /// Where fired runs and skipped occurrences are counted.
    pub(crate) metrics: Arc<Metrics>,
}

/// Fires due tasks until shutdown. Sleeps until the earliest instant of the timing index,
/// woken early by task changes; reloads the index after a change and at least every
/// `max_idle`, which bounds how late a change made by another node is seen.
pub(crate) async fn run(firing: Firing) {
    let batch = firing.batch.max(1);
    let lead = SignedDuration::try_from(firing.ahead).unwrap_or(SignedDuration::ZERO);
    let mut index = TimingIndex::new(lead);
    let mut loaded = Instant::now();
    let mut backoff = Backoff::default();
    while !firing.stop.is_stopping() {
        let now = firing.clock.now();
        if index.needs_load(now) || loaded.elapsed() >= firing.max_idle {
            match firing.store.upcoming(WINDOW).await {
                Ok(upcoming) => {
                    index.load(&upcoming, WINDOW);
                    loaded = Instant::now();
                }
                Err(e) => {
                    let wait = backoff.failed();
                    tracing::warn!(error = %e, retry_in = ?wait, "loading the upcoming occurrences failed");
                    firing.stop.pause(wait).await;
                    continue;
                }
            }
        }
        if index.is_due(now) {
            let fired = fire(&firing, now, index.ahead(now), batch).await;
            if fired.is_ok() && backoff.succeeded() > 0 {
                tracing::info!("firing works again");
            }
            match fired {
                // A full batch: more may be due right now, so fire again before sleeping.
                Ok(report) if report.tasks >= u64::from(batch) => {
                    index.fired_some(&report.fired_ahead, &report.next_instants);
                }
                Ok(report)
                    if report.tasks < index.due_count(now) && still_due(&firing, now).await =>
                {
                    // On PostgreSQL a due task whose row another transaction holds (a claim
                    // or a finish marking it) is skipped, not waited for: try again shortly.
                    index.fired_some(&report.fired_ahead, &report.next_instants);
                    firing.stop.pause(LOCKED_RETRY).await;
                }
                Ok(report) => index.fired_all(now, &report.fired_ahead, &report.next_instants),
                Err(e) => {
                    let wait = backoff.failed();
                    tracing::warn!(error = %e, retry_in = ?wait, "firing failed");
                    firing.stop.pause(wait).await;
                }
            }
            continue;
        }
        let reload_in = firing.max_idle.saturating_sub(loaded.elapsed());
        let wait = wait_for(&*firing.clock, index.wake_at(), firing.max_idle).min(reload_in);
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = firing.wake.tasks() => index.invalidate(),
            () = firing.stop.stopping() => {}
        }
    }
}

/// Whether a task is still due at `now` after a firing handled fewer tasks than the index
/// expected: either some were skipped (held by another transaction) or the index was stale
/// (another node fired them). A failed look counts as due, so nothing is dropped on an error.
async fn still_due(firing: &Firing, now: Timestamp) -> bool {
    match firing.store.upcoming(1).await {
        Ok(next) => next.first().is_some_and(|at| *at <= now),
        Err(e) => {
            tracing::warn!(error = %e, "reading the next due instant failed");
            true
        }
    }
}

/// Fires one batch at `now`, idle tasks up to `ahead_until`. With one writer (SQLite), its
/// transaction also claims as many due runs as there are free worker slots, which start at
/// once; the claimer is poked for the runs left queued (and those fired ahead, whose instant
/// it then waits for).
async fn fire(
    firing: &Firing,
    now: Timestamp,
    ahead_until: Timestamp,
    batch: u32,
) -> Result<FireReport, StoreError> {
    let (capacity, claim) = match &firing.claims {
        Some((pool, terms)) => {
            let capacity = pool.capacity_for_claim().await;
            let claim = (capacity.workers() > 0).then(|| terms.request(&capacity));
            (capacity, claim)
        }
        None => (Capacity::default(), None),
    };
    let mut report = firing
        .store
        .fire(now, ahead_until, batch, &Planner, claim)
        .await?;
    firing.metrics.add(&RUNS_FIRED, "", report.queued);
    for (reason, occurrences) in &report.skipped_occurrences {
        firing
            .metrics
            .add(&OCCURRENCES_SKIPPED, reason.as_str(), *occurrences);
    }
    if let Some((pool, _)) = &firing.claims {
        pool.start_all(std::mem::take(&mut report.claimed), capacity);
    }
    if report.unclaimed > 0 {
        firing.wake.runs_queued();
    }
    if report.replaced > 0 {
        firing.wake.cancel_requested();
    }
    Ok(report)
}
