//! Workers: the claimer takes queued runs while a slot is free, each attempt runs in its own
//! task, and the heartbeat keeps their leases alive and notices cancellations.

use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::RunStatus;
use exec::{Attempt, AttemptResult, LogLine, LogSink, Outcome};
use store::{AttemptEnd, ClaimedRun, FinishedAttempt, NewLogLine};
use tokio::sync::{OwnedSemaphorePermit, mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::backoff::Backoff;
use crate::finisher::Completion;
use crate::firing::pause;
use crate::{Shared, retry};

/// How long past its timeout an executor may take to give up on its own before the worker
/// stops waiting for it.
const TIMEOUT_SLACK: Duration = Duration::from_secs(2);
/// Log lines buffered between an executor and the store.
const LOG_BUFFER: usize = 1024;
/// Log lines that make a running attempt write its log before it ends.
const LOG_BATCH: usize = 256;
/// Longest a running attempt's log line waits before it is written.
const LOG_FLUSH_EVERY: Duration = Duration::from_millis(500);

/// Claims runs while a worker slot is free, until shutdown.
pub(crate) async fn claim_loop(shared: Arc<Shared>) {
    let mut backoff = Backoff::default();
    loop {
        let first = tokio::select! {
            permit = shared.slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return,
            },
            () = shared.stop.cancelled() => return,
        };
        let mut taken = vec![first];
        taken.extend(free_slots(&shared));
        let now = shared.clock.now();
        match shared
            .store
            .claim(
                &shared.config.node_id,
                now,
                shared.lease(),
                u32::try_from(taken.len()).unwrap_or(u32::MAX),
                shared.config.max_running_per_tenant,
            )
            .await
        {
            Ok(runs) if !runs.is_empty() => {
                backoff.succeeded();
                start_all(&shared, runs, taken);
            }
            Ok(_) => {
                backoff.succeeded();
                drop(taken);
                let wait = match shared.store.next_queued().await {
                    // Due but not claimable (its tenant is at its cap of running runs): a
                    // finishing run wakes this loop, so wait for that, not for the instant.
                    Ok(Some(next)) if next <= now => shared.config.max_idle,
                    Ok(next) => shared.wait_for(next),
                    Err(e) => {
                        let wait = backoff.failed();
                        tracing::warn!(error = %e, retry_in = ?wait, "reading the next queued instant failed");
                        wait
                    }
                };
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = shared.wake.runs() => {}
                    () = shared.stop.cancelled() => return,
                }
            }
            Err(e) => {
                drop(taken);
                let wait = backoff.failed();
                tracing::warn!(error = %e, retry_in = ?wait, "claiming runs failed");
                pause(&shared, wait).await;
            }
        }
    }
}

/// Takes every worker slot that is free now, without waiting.
pub(crate) fn free_slots(shared: &Shared) -> Vec<OwnedSemaphorePermit> {
    std::iter::from_fn(|| shared.slots.clone().try_acquire_owned().ok()).collect()
}

/// Starts each claimed run on one of `slots`, taken before the claim (so never fewer than the
/// runs); the slots left over free again here.
pub(crate) fn start_all(
    shared: &Arc<Shared>,
    runs: Vec<ClaimedRun>,
    mut slots: Vec<OwnedSemaphorePermit>,
) {
    for run in runs {
        let slot = slots.pop().expect("no more runs claimed than slots taken");
        start(shared, run, slot);
    }
}

/// Runs a claimed attempt in its own task, holding `permit` (its worker slot) until it ends.
/// The slot frees as soon as the attempt stops executing: recording its outcome is the
/// finisher's work, and the claimer can take the next run meanwhile.
fn start(shared: &Arc<Shared>, run: ClaimedRun, permit: OwnedSemaphorePermit) {
    let token = CancellationToken::new();
    shared
        .inflight
        .lock()
        .expect("inflight lock poisoned")
        .insert(run.run, token.clone());
    let shared = shared.clone();
    shared.workers.clone().spawn(async move {
        let id = run.run;
        execute(&shared, run, token, permit).await;
        shared
            .inflight
            .lock()
            .expect("inflight lock poisoned")
            .remove(&id);
    });
}

/// One attempt: execute, record its log and outcome, decide the retry.
async fn execute(
    shared: &Shared,
    run: ClaimedRun,
    token: CancellationToken,
    slot: OwnedSemaphorePermit,
) {
    let definition = &run.task.definition;
    let timeout = Duration::from_secs(u64::from(definition.timeout_seconds));
    let attempt = Attempt {
        tenant: run.tenant,
        task: run.task.uuid,
        run: run.run,
        scheduled_for: run.scheduled_for,
        attempt: run.attempt,
        timeout,
        cancel: token.clone(),
    };
    let (sink, lines) = LogSink::channel(LOG_BUFFER);
    let drain = tokio::spawn(drain_logs(
        shared.store.clone(),
        run.run,
        run.attempt,
        lines,
    ));
    sink.system(format!(
        "attempt {}/{} started on {}",
        run.attempt, run.max_attempts, shared.config.node_id
    ))
    .await;
    let started_at = shared.clock.now();
    let started = Instant::now();
    let result = tokio::select! {
        result = shared.executor.execute(&run.task, &attempt, &sink) => result,
        () = tokio::time::sleep(timeout + TIMEOUT_SLACK) => AttemptResult::timed_out(timeout),
        () = token.cancelled() => AttemptResult::cancelled(),
    };
    drop(slot);
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let now = shared.clock.now();
    let retry_at = retry::retry_at(
        &definition.retry_policy,
        run.attempt,
        run.max_attempts,
        &result,
        now,
    );
    let status = match result.outcome {
        Outcome::Succeeded => RunStatus::Succeeded,
        Outcome::Failed => RunStatus::Failed,
        Outcome::TimedOut => RunStatus::TimedOut,
        Outcome::Cancelled => RunStatus::Cancelled,
    };
    let mut note = format!(
        "attempt {} {} in {duration_ms} ms",
        run.attempt,
        status.as_str()
    );
    if let Some(error) = &result.error {
        note.push_str(&format!(": {error}"));
    }
    if let Some(at) = retry_at {
        note.push_str(&format!("; retrying at {at}"));
    }
    sink.system(note).await;
    drop(sink);
    // The rest of the log commits with the outcome: a reader who sees the run finished sees
    // its whole log.
    let logs = drain.await.unwrap_or_default();
    let end = AttemptEnd {
        status,
        started_at,
        result: result.result,
        error: result.error,
        duration_ms,
        retry_at,
    };
    let (reply, answer) = oneshot::channel();
    let completion = Completion {
        attempt: FinishedAttempt {
            run: run.run,
            attempt: run.attempt,
            logs,
            end,
        },
        reply,
    };
    if shared.finisher.send(completion).await.is_err() {
        tracing::error!(run = %run.run, "the engine stopped before the attempt was recorded");
        return;
    }
    match answer.await {
        // The finisher wakes the claimer if runs wait.
        Ok(Ok(true)) => {}
        Ok(Ok(false)) => tracing::warn!(run = %run.run, "lease lost before the attempt finished"),
        // The lease will expire and the rescuer will run the attempt again: at-least-once.
        Ok(Err(e)) => tracing::error!(run = %run.run, error = %e, "recording the attempt failed"),
        Err(_) => tracing::error!(run = %run.run, "the attempt's outcome was not recorded"),
    }
}

/// Collects an attempt's log lines. Lines are written as they come only when the attempt
/// runs long (every `LOG_FLUSH_EVERY`) or writes a lot (every `LOG_BATCH` lines), so a
/// console watching a long run sees its output; what is left when the attempt ends (lines the
/// store refused included) is returned, to commit with the outcome in the same transaction.
async fn drain_logs(
    store: Arc<dyn store::EngineStore>,
    run: domain::RunUuid,
    attempt: u32,
    mut lines: mpsc::Receiver<LogLine>,
) -> Vec<NewLogLine> {
    let mut received = Vec::with_capacity(LOG_BATCH);
    let mut pending: Vec<NewLogLine> = Vec::new();
    let mut flush_at: Option<tokio::time::Instant> = None;
    loop {
        let flush_due = async {
            match flush_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            n = lines.recv_many(&mut received, LOG_BATCH) => {
                if n == 0 {
                    return pending;
                }
                pending.extend(received.drain(..).map(|l| NewLogLine {
                    ts: l.at,
                    stream: l.stream,
                    line: l.line,
                }));
                flush_at.get_or_insert_with(|| tokio::time::Instant::now() + LOG_FLUSH_EVERY);
                if pending.len() < LOG_BATCH {
                    continue;
                }
            }
            () = flush_due => {}
        }
        flush_at = None;
        match store.append_logs(run, attempt, &pending).await {
            Ok(()) => pending.clear(),
            // Kept for the next flush or for the outcome's transaction; the per-attempt log
            // cap bounds what can pile up.
            Err(e) => {
                tracing::warn!(run = %run, error = %e, "writing log lines failed; keeping them")
            }
        }
    }
}

/// Extends this node's leases every `heartbeat_every` (and at once when a cancellation was
/// asked for here) until `halt`, and cancels the attempts whose run was cancelled or whose
/// lease was lost.
pub(crate) async fn heartbeat_loop(shared: Arc<Shared>, halt: CancellationToken) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(shared.config.heartbeat_every) => {}
            () = shared.wake.cancellations() => {}
            () = halt.cancelled() => return,
        }
        let runs = shared.inflight_runs();
        if runs.is_empty() {
            continue;
        }
        let until = shared
            .clock
            .now()
            .checked_add(shared.lease())
            .unwrap_or(jiff::Timestamp::MAX);
        match shared
            .store
            .heartbeat(&shared.config.node_id, &runs, until)
            .await
        {
            Ok(gone) => {
                let inflight = shared.inflight.lock().expect("inflight lock poisoned");
                for run in gone {
                    if let Some(token) = inflight.get(&run) {
                        token.cancel();
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "heartbeat failed"),
        }
    }
}
