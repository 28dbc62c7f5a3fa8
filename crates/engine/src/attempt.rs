//! One attempt of a claimed run: execute it with its timeout and cancellation, decide the
//! retry, and hand the outcome with the rest of its log to the finisher.

use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::metrics::{ATTEMPT_DURATION, ATTEMPTS_RUNNING, RETRIES_SCHEDULED, SCHEDULE_LAG};
use domain::{Clock, LogStream, Metrics, RunStatus};
use exec::{Attempt, AttemptResult, LogLimits, LogSink, Outcome};
use jiff::Timestamp;
use store::{AttemptEnd, ClaimedRun, FinishStore, FinishedAttempt, NewLogLine};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::finisher::Completion;
use crate::logs::drain_logs;
use crate::pool::Held;
use crate::stop::wait_for;
use crate::{RunExecutor, retry};

/// How long past its timeout an executor may take to give up on its own before the worker
/// stops waiting for it.
const TIMEOUT_SLACK: Duration = Duration::from_secs(2);
/// Log lines buffered between an executor and the store.
const LOG_BUFFER: usize = 1024;
/// Longest sleep of a run claimed ahead before it looks at the clock again.
const MAX_HOLD: Duration = Duration::from_secs(1);

/// What executing an attempt needs.
pub(crate) struct AttemptRunner {
    /// Runs the task.
    pub(crate) executor: Arc<dyn RunExecutor>,
    /// Where a long or chatty attempt's log goes while it runs.
    pub(crate) logs: Arc<dyn FinishStore>,
    /// Where the outcome goes, for a group commit.
    pub(crate) finisher: mpsc::Sender<Completion>,
    /// Source of the attempt's instants.
    pub(crate) clock: Arc<dyn Clock>,
    /// This node, named in the attempt's first log line.
    pub(crate) node_id: String,
    /// Longest any attempt runs (`SUNDIAL_MAX_TIMEOUT_SECONDS`).
    pub(crate) max_timeout: Duration,
    /// The caps of each attempt's log.
    pub(crate) log_limits: LogLimits,
    /// Where schedule lag, attempt durations, retries and running attempts are recorded.
    pub(crate) metrics: Arc<Metrics>,
}

impl AttemptRunner {
    /// One attempt: execute, record its log and outcome, decide the retry. Everything logged
    /// meanwhile (here, by the executor, while the outcome is recorded) is inside an `attempt`
    /// span naming the tenant, the task, the run and the attempt.
    pub(crate) async fn execute(&self, run: ClaimedRun, token: CancellationToken, held: Held) {
        let span = tracing::info_span!(
            "attempt",
            tenant = run.tenant.get(),
            task = %run.task.uuid,
            run = %run.run,
            attempt = run.attempt,
        );
        self.attempt(run, token, held).instrument(span).await;
    }

    async fn attempt(&self, run: ClaimedRun, token: CancellationToken, held: Held) {
        if !self.until_start(run.starts_at, &token).await {
            drop(held);
            self.cancelled_before_start(&run).await;
            return;
        }
        let definition = &run.task.definition;
        let timeout =
            Duration::from_secs(u64::from(definition.timeout_seconds)).min(self.max_timeout);
        let attempt = Attempt {
            tenant: run.tenant,
            task: run.task.uuid,
            run: run.run,
            scheduled_for: run.scheduled_for,
            attempt: run.attempt,
            timeout,
            cancel: token.clone(),
            args: run.args.clone(),
            parent: run.parent.clone(),
        };
        let (sink, lines) = LogSink::bounded(LOG_BUFFER, self.log_limits);
        let drain = tokio::spawn(
            drain_logs(self.logs.clone(), run.run, run.attempt, lines).in_current_span(),
        );
        sink.system(format!(
            "attempt {}/{} started on {}",
            run.attempt, run.max_attempts, self.node_id
        ))
        .await;
        if timeout < Duration::from_secs(u64::from(definition.timeout_seconds)) {
            sink.system(format!(
                "timeout_seconds {} is above this deployment's maximum: this attempt stops after {} s",
                definition.timeout_seconds,
                timeout.as_secs()
            ))
            .await;
        }
        let started_at = self.clock.now();
        // Later attempts start when their retry is due, not at the occurrence: only the first
        // measures how late the scheduler is.
        if run.attempt == 1 {
            let lag = started_at.duration_since(run.scheduled_for);
            self.metrics.observe(
                &SCHEDULE_LAG,
                "",
                Duration::try_from(lag).unwrap_or(Duration::ZERO),
            );
        }
        self.metrics.shift(&ATTEMPTS_RUNNING, 1);
        tracing::debug!("attempt started");
        let started = Instant::now();
        let result = tokio::select! {
            result = self.executor.execute(&run.task, &attempt, &sink) => result,
            () = tokio::time::sleep(timeout + TIMEOUT_SLACK) => AttemptResult::timed_out(timeout),
            () = token.cancelled() => AttemptResult::cancelled(),
        };
        drop(held);
        self.metrics.shift(&ATTEMPTS_RUNNING, -1);
        self.metrics.observe(
            &ATTEMPT_DURATION,
            result.metric_outcome(),
            started.elapsed(),
        );
        let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let now = self.clock.now();
        // Rescues and requeues were no failures of the task: the retry count and its backoff
        // count only the executions that were.
        let retry_at = retry::retry_at(
            &definition.retry_policy,
            run.attempt.saturating_sub(run.not_failures),
            run.max_attempts.saturating_sub(run.not_failures),
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
            self.metrics.increment(&RETRIES_SCHEDULED, "");
            note.push_str(&format!("; retrying at {at}"));
        }
        tracing::debug!(status = status.as_str(), duration_ms, "attempt ended");
        sink.system(note).await;
        drop(sink);
        // The rest of the log commits with the outcome: a reader who sees the run finished sees
        // its whole log.
        let logs = drain.await.unwrap_or_default();
        let end = AttemptEnd {
            status,
            started_at: Some(started_at),
            result: result.result,
            error: result.error,
            duration_ms,
            retry_at,
        };
        self.record(&run, logs, end).await;
    }

    /// Waits until `at` by the clock, for a run claimed ahead of its instant; false when the
    /// run is cancelled first (its task stopped or deleted, its lease lost). Re-reads the
    /// clock after each sleep, so it is never early by the clock whatever the timer does.
    async fn until_start(&self, at: Timestamp, token: &CancellationToken) -> bool {
        loop {
            if self.clock.now() >= at {
                return true;
            }
            tokio::select! {
                () = tokio::time::sleep(wait_for(&*self.clock, Some(at), MAX_HOLD)) => {}
                () = token.cancelled() => return false,
            }
        }
    }

    /// Records a run claimed ahead of its instant and cancelled before it: nothing was
    /// executed, so it has no start, and the run ends `cancelled` (not retried) with a line
    /// that says so.
    async fn cancelled_before_start(&self, run: &ClaimedRun) {
        let now = self.clock.now();
        tracing::debug!("cancelled before it started");
        let logs = vec![NewLogLine {
            ts: now,
            stream: LogStream::System,
            line: format!(
                "attempt {}/{} cancelled before it started (due at {})",
                run.attempt, run.max_attempts, run.starts_at
            ),
        }];
        let end = AttemptEnd {
            status: RunStatus::Cancelled,
            started_at: None,
            result: None,
            error: Some("cancelled".into()),
            duration_ms: 0,
            retry_at: None,
        };
        self.record(run, logs, end).await;
    }

    /// Hands an ended attempt with the rest of its log to the finisher and waits for the
    /// answer.
    async fn record(&self, run: &ClaimedRun, logs: Vec<NewLogLine>, end: AttemptEnd) {
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
        if self.finisher.send(completion).await.is_err() {
            tracing::error!(run = %run.run, "the engine stopped before the attempt was recorded");
            return;
        }
        match answer.await {
            // The finisher wakes the claimer if runs wait.
            Ok(Ok(true)) => {}
            Ok(Ok(false)) => {
                tracing::warn!(run = %run.run, "lease lost before the attempt finished")
            }
            // The lease will expire and the rescuer will run the attempt again: at-least-once.
            Ok(Err(e)) => {
                tracing::error!(run = %run.run, error = %e, "recording the attempt failed")
            }
            Err(_) => tracing::error!(run = %run.run, "the attempt's outcome was not recorded"),
        }
    }
}
