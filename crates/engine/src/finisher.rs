//! Group commit of finished attempts: workers hand their outcome and the rest of their log to
//! one writer, which records everything waiting in one transaction. On a disk that flushes
//! ~300 times a second, one commit per attempt would cap execution near that rate.
//!
//! With one writer (SQLite) the same transaction claims runs for the worker slots free by
//! then (most of them freed by the attempts it records), so in a burst every commit both ends
//! a batch of attempts and starts the next one.
//!
//! An outcome that cannot be recorded (the database is down, the disk is full) is kept in
//! memory and written again with a growing wait until the store takes it. Meanwhile its
//! worker still counts the attempt as executing, so the heartbeat keeps its lease; if the
//! lease expires anyway, the rescuer runs the attempt again and this outcome is dropped.

use std::sync::Arc;

use domain::Clock;
use store::{ClaimedRun, FinishStore, FinishedAttempt, StoreError};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::Wakeup;
use crate::backoff::Backoff;
use crate::claimer::ClaimTerms;
use crate::pool::{Capacity, WorkerPool};
use crate::stop::Stop;

/// Most attempts recorded per transaction.
const FINISH_BATCH: usize = 512;
/// Tries left for outcomes still unrecorded once the engine is stopping: the process is about
/// to exit, and their leases will expire and have them run again.
const TRIES_WHEN_STOPPING: u32 = 3;

/// An ended attempt on its way to the store, and where its answer goes: whether the lease
/// was still held (see `FinishStore::finish`), or the store's error text.
pub(crate) struct Completion {
    pub(crate) attempt: FinishedAttempt,
    pub(crate) reply: oneshot::Sender<Result<bool, String>>,
}

/// What the finisher uses.
pub(crate) struct Finisher {
    pub(crate) store: Arc<dyn FinishStore>,
    /// With one writer (SQLite), the pool whose free slots each batch claims runs for;
    /// `None`: the claimer claims, woken after every batch.
    pub(crate) claims: Option<(WorkerPool, ClaimTerms)>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) wake: Wakeup,
    /// Once stopping, no more runs are claimed.
    pub(crate) stop: Stop,
    /// The node whose leases the attempts ran under.
    pub(crate) owner: String,
}

/// Records completions in batches until `drained`, then records what is left and returns.
pub(crate) async fn run(
    finisher: Finisher,
    mut completions: mpsc::Receiver<Completion>,
    drained: CancellationToken,
) {
    let mut batch = Vec::with_capacity(FINISH_BATCH);
    loop {
        let received = tokio::select! {
            n = completions.recv_many(&mut batch, FINISH_BATCH) => n,
            () = drained.cancelled() => {
                while let Ok(completion) = completions.try_recv() {
                    batch.push(completion);
                }
                record(&finisher, &mut batch, &drained).await;
                return;
            }
        };
        if received == 0 {
            return;
        }
        record(&finisher, &mut batch, &drained).await;
    }
}

/// Records `batch`, trying again after store errors until it is recorded (or, once `drained` is
/// cancelled, a few more times).
async fn record(finisher: &Finisher, batch: &mut Vec<Completion>, drained: &CancellationToken) {
    if batch.is_empty() {
        return;
    }
    let (attempts, replies): (Vec<_>, Vec<_>) =
        batch.drain(..).map(|c| (c.attempt, c.reply)).unzip();
    let mut backoff = Backoff::default();
    let mut tries_left = TRIES_WHEN_STOPPING;
    let (held, claimed, capacity) = loop {
        let error = match finish(finisher, &attempts).await {
            Ok(done) => break done,
            Err(e) => e,
        };
        if drained.is_cancelled() {
            tries_left -= 1;
            if tries_left == 0 {
                tracing::error!(error = %error, attempts = attempts.len(),
                    "the engine stopped before these outcomes could be recorded; \
                     their runs will run again once their leases expire");
                let error = error.to_string();
                for reply in replies {
                    let _ = reply.send(Err(error.clone()));
                }
                return;
            }
        }
        let wait = backoff.failed();
        tracing::warn!(error = %error, attempts = attempts.len(), retry_in = ?wait,
            "recording ended attempts failed; keeping them to try again");
        tokio::time::sleep(wait).await;
    };
    if backoff.succeeded() > 0 {
        tracing::info!(
            attempts = attempts.len(),
            "recorded the outcomes kept while the store failed"
        );
    }
    if let Some((pool, _)) = &finisher.claims {
        pool.start_all(claimed, capacity);
    }
    let recorded = held.iter().any(|h| *h);
    let retried = attempts
        .iter()
        .zip(&held)
        .any(|(a, held)| *held && a.end.retry_at.is_some());
    for (reply, held) in replies.into_iter().zip(held) {
        // A worker that stopped waiting has nothing left to do with the answer.
        let _ = reply.send(Ok(held));
    }
    // Wake the claimer when runs may wait: a retry was queued, or a run held back by the
    // runs that just ended (its task's overlap policy, its tenant's cap) may start now. With
    // one writer this batch's own claim took those, and only a retry, due later, is news.
    if recorded && (finisher.claims.is_none() || retried) {
        finisher.wake.runs_queued();
    }
}

/// One try at recording `attempts`, with a claim for the free worker slots when this
/// finisher claims: whether each lease was held, the runs claimed and the capacity they
/// start on.
async fn finish(
    finisher: &Finisher,
    attempts: &[FinishedAttempt],
) -> Result<(Vec<bool>, Vec<ClaimedRun>, Capacity), StoreError> {
    let now = finisher.clock.now();
    if let Some((pool, terms)) = &finisher.claims
        && !finisher.stop.is_stopping()
    {
        let capacity = pool.capacity_for_claim().await;
        if capacity.workers() > 0 {
            let (held, claimed) = finisher
                .store
                .finish_and_claim(&finisher.owner, attempts, now, terms.request(&capacity))
                .await?;
            return Ok((held, claimed, capacity));
        }
    }
    let held = finisher
        .store
        .finish_many(&finisher.owner, attempts, now)
        .await?;
    Ok((held, Vec::new(), Capacity::default()))
}
