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
use std::time::Duration;

use domain::Clock;
use store::{ClaimedRun, FinishStore, FinishedAttempt, StoreError};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::Wakeup;
use crate::backoff::Backoff;
use crate::claimer::ClaimTerms;
use crate::pool::{Capacity, WorkerPool};
use crate::stop::Stop;

/// Most attempts recorded per transaction.
const FINISH_BATCH: usize = 512;
/// Least time from the start of one batch's transaction to the next one's while fewer than
/// [`SMALL_BATCH`] attempts wait. Attempts that end a few at a time (schedules spread over
/// the second) would otherwise each get a transaction of their own, a durable commit apiece;
/// waiting this long gathers them, and their runs stay `running` at most this much longer.
/// A batch that is not small (a burst), or that comes this long after the previous one,
/// starts at once.
const MIN_BATCH_INTERVAL: Duration = Duration::from_millis(5);
/// Below this many attempts a batch waits for [`MIN_BATCH_INTERVAL`].
const SMALL_BATCH: usize = 16;
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
    let mut last_start: Option<Instant> = None;
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
        if let Some(last) = last_start.filter(|_| batch.len() < SMALL_BATCH) {
            gather_until(
                last + MIN_BATCH_INTERVAL,
                &mut completions,
                &mut batch,
                &drained,
            )
            .await;
        }
        last_start = Some(Instant::now());
        record(&finisher, &mut batch, &drained).await;
    }
}

/// Adds the completions that arrive until `until` (or until the batch is no longer small, or
/// the engine drains) to `batch`.
async fn gather_until(
    until: Instant,
    completions: &mut mpsc::Receiver<Completion>,
    batch: &mut Vec<Completion>,
    drained: &CancellationToken,
) {
    while batch.len() < SMALL_BATCH && Instant::now() < until {
        tokio::select! {
            n = completions.recv_many(batch, FINISH_BATCH - batch.len()) => if n == 0 {
                return;
            },
            () = tokio::time::sleep_until(until) => return,
            () = drained.cancelled() => return,
        }
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

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use async_trait::async_trait;
    use domain::{RunStatus, RunUuid, SystemClock};
    use jiff::Timestamp;
    use store::{AttemptEnd, ClaimRequest, NewLogLine};

    use super::*;

    /// Answers every attempt as held and notes when each batch came and how big it was: what
    /// is under test is how the finisher forms batches, not how a database records them.
    #[derive(Default)]
    struct Batches(Mutex<Vec<(Instant, usize)>>);

    #[async_trait]
    impl FinishStore for Batches {
        async fn finish_many(
            &self,
            _: &str,
            attempts: &[FinishedAttempt],
            _: Timestamp,
        ) -> store::Result<Vec<bool>> {
            self.0
                .lock()
                .unwrap()
                .push((Instant::now(), attempts.len()));
            Ok(vec![true; attempts.len()])
        }

        async fn finish_and_claim(
            &self,
            owner: &str,
            attempts: &[FinishedAttempt],
            now: Timestamp,
            _: ClaimRequest<'_>,
        ) -> store::Result<(Vec<bool>, Vec<ClaimedRun>)> {
            Ok((self.finish_many(owner, attempts, now).await?, Vec::new()))
        }

        async fn append_logs(&self, _: RunUuid, _: u32, _: &[NewLogLine]) -> store::Result<()> {
            Ok(())
        }
    }

    fn ended() -> Completion {
        Completion {
            attempt: FinishedAttempt {
                run: RunUuid::new_v7(),
                attempt: 1,
                logs: Vec::new(),
                end: AttemptEnd {
                    status: RunStatus::Succeeded,
                    result: None,
                    error: None,
                    started_at: Some(Timestamp::UNIX_EPOCH),
                    duration_ms: 1,
                    retry_at: None,
                },
            },
            reply: oneshot::channel().0,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn attempts_ending_a_few_at_a_time_share_a_batch_and_a_burst_goes_at_once() {
        let batches = Arc::new(Batches::default());
        let (send, completions) = mpsc::channel(FINISH_BATCH);
        let drained = CancellationToken::new();
        let finisher = tokio::spawn(run(
            Finisher {
                store: batches.clone(),
                claims: None,
                clock: Arc::new(SystemClock),
                wake: Wakeup::default(),
                stop: Stop::default(),
                owner: "node".into(),
            },
            completions,
            drained.clone(),
        ));
        let start = Instant::now();
        let ms = Duration::from_millis;
        send.send(ended()).await.unwrap();
        for _ in 0..3 {
            tokio::time::sleep(ms(1)).await;
            send.send(ended()).await.unwrap();
        }
        tokio::time::sleep(ms(3)).await;
        // 6 ms in, 1 ms after the batch of three began: a burst.
        for _ in 0..SMALL_BATCH {
            send.send(ended()).await.unwrap();
        }
        tokio::time::sleep(ms(1)).await;
        drained.cancel();
        finisher.await.unwrap();
        let seen: Vec<(Duration, usize)> = batches
            .0
            .lock()
            .unwrap()
            .iter()
            .map(|(at, n)| (*at - start, *n))
            .collect();
        assert_eq!(
            seen,
            [(ms(0), 1), (MIN_BATCH_INTERVAL, 3), (ms(6), SMALL_BATCH)],
            "the first at once; the next three gathered until the interval; the burst at once"
        );
    }
}
