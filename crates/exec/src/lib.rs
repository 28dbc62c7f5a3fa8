//! Executors run one attempt of a task and report how it ended.
//!
//! The engine owns everything around an attempt (claiming, leases, retries, persistence); an
//! executor only runs it, streams its log lines into a [`LogSink`], honours the deadline and the
//! cancellation token, and returns an [`AttemptResult`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use domain::{LogStream, RunUuid, TaskUuid, TenantId};
use jiff::Timestamp;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

pub mod api_call;
pub mod egress;
pub mod python;
#[cfg(feature = "test-support")]
pub mod test_support;

/// Largest log kept per attempt; beyond it one "truncated" line is written and the rest dropped.
pub const MAX_LOG_BYTES_PER_ATTEMPT: usize = 1024 * 1024;

/// Everything an executor knows about the attempt it runs.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The tenant the task belongs to.
    pub tenant: TenantId,
    /// The task.
    pub task: TaskUuid,
    /// The run; also the `Idempotency-Key` of HTTP calls.
    pub run: RunUuid,
    /// The occurrence's scheduled instant.
    pub scheduled_for: Timestamp,
    /// 1 for the first try.
    pub attempt: u32,
    /// Wall-clock budget of the attempt; exceeding it ends it as [`Outcome::TimedOut`].
    pub timeout: Duration,
    /// Cancelled when the run is cancelled (by a person or the overlap policy `replace`).
    pub cancel: CancellationToken,
}

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It did what it should.
    Succeeded,
    /// It failed; `retryable` in [`AttemptResult`] says whether trying again can help.
    Failed,
    /// It ran out of time.
    TimedOut,
    /// It was cancelled before it finished.
    Cancelled,
}

/// The result of one attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct AttemptResult {
    /// How it ended.
    pub outcome: Outcome,
    /// Whether a retry may succeed (false for policy refusals and invalid configurations).
    pub retryable: bool,
    /// Structured result (HTTP status and excerpt, script result JSON).
    pub result: Option<Value>,
    /// A one-line error for people, when it did not succeed.
    pub error: Option<String>,
}

impl AttemptResult {
    /// A success with this result.
    pub fn succeeded(result: Option<Value>) -> Self {
        Self {
            outcome: Outcome::Succeeded,
            retryable: false,
            result,
            error: None,
        }
    }

    /// A failure that a retry may fix.
    pub fn failed(error: impl Into<String>, result: Option<Value>) -> Self {
        Self {
            outcome: Outcome::Failed,
            retryable: true,
            result,
            error: Some(error.into()),
        }
    }

    /// A failure no retry can fix (refused by policy, unusable configuration).
    pub fn refused(error: impl Into<String>) -> Self {
        Self {
            outcome: Outcome::Failed,
            retryable: false,
            result: None,
            error: Some(error.into()),
        }
    }

    /// The attempt exceeded its timeout.
    pub fn timed_out(timeout: Duration) -> Self {
        Self {
            outcome: Outcome::TimedOut,
            retryable: true,
            result: None,
            error: Some(format!("timed out after {} s", timeout.as_secs_f64())),
        }
    }

    /// The attempt was cancelled.
    pub fn cancelled() -> Self {
        Self {
            outcome: Outcome::Cancelled,
            retryable: false,
            result: None,
            error: Some("cancelled".into()),
        }
    }
}

/// One line of an attempt's log, as it leaves an executor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// Which output.
    pub stream: LogStream,
    /// The text, without its line ending.
    pub line: String,
    /// When it was produced.
    pub at: Timestamp,
}

/// Where an executor writes its log lines. Bounded: a slow consumer slows the producer instead
/// of growing memory, and the per-attempt cap ends the log with one "truncated" line.
#[derive(Debug, Clone)]
pub struct LogSink {
    sender: mpsc::Sender<LogLine>,
    written: Arc<AtomicUsize>,
    truncated: Arc<AtomicBool>,
}

impl LogSink {
    /// A sink and the receiver its lines arrive on, buffering at most `capacity` lines.
    pub fn channel(capacity: usize) -> (Self, mpsc::Receiver<LogLine>) {
        let (sender, receiver) = mpsc::channel(capacity);
        let sink = Self {
            sender,
            written: Arc::default(),
            truncated: Arc::default(),
        };
        (sink, receiver)
    }

    /// Writes one line. Returns false once the attempt's log cap is reached (the line is dropped).
    pub async fn write(&self, stream: LogStream, line: impl Into<String>) -> bool {
        if self.truncated.load(Ordering::Relaxed) {
            return false;
        }
        let line = line.into();
        let total = self.written.fetch_add(line.len() + 1, Ordering::Relaxed) + line.len() + 1;
        let (stream, line) = if total > MAX_LOG_BYTES_PER_ATTEMPT {
            if self.truncated.swap(true, Ordering::Relaxed) {
                return false;
            }
            (
                LogStream::System,
                format!("log truncated at {MAX_LOG_BYTES_PER_ATTEMPT} bytes"),
            )
        } else {
            (stream, line)
        };
        let keep_going = !self.truncated.load(Ordering::Relaxed);
        // A closed receiver means nobody records the log any more; the attempt itself goes on.
        let _ = self
            .sender
            .send(LogLine {
                stream,
                line,
                at: Timestamp::now(),
            })
            .await;
        keep_going
    }

    /// Writes a line of Sundial's own about the attempt.
    pub async fn system(&self, line: impl Into<String>) -> bool {
        self.write(LogStream::System, line).await
    }

    /// Whether the cap was reached.
    pub fn is_truncated(&self) -> bool {
        self.truncated.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_log_ends_with_one_truncation_line_at_the_cap() {
        let (sink, mut lines) = LogSink::channel(4096);
        let chunk = "x".repeat(1023);
        let mut accepted = 0;
        while sink.write(LogStream::Stdout, chunk.clone()).await {
            accepted += 1;
        }
        assert!(!sink.write(LogStream::Stderr, "more").await);
        assert!(sink.is_truncated());
        drop(sink);
        let mut received = Vec::new();
        while let Some(line) = lines.recv().await {
            received.push(line);
        }
        assert_eq!(received.len(), accepted + 1);
        assert_eq!(accepted, MAX_LOG_BYTES_PER_ATTEMPT / 1024);
        let last = received.last().unwrap();
        assert_eq!(last.stream, LogStream::System);
        assert!(last.line.contains("truncated"));
    }
}
