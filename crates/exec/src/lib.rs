//! Executors run one attempt of a task and report how it ended.
//!
//! The engine owns everything around an attempt (claiming, leases, retries, persistence); an
//! executor only runs it, streams its log lines into a [`LogSink`], honours the deadline and the
//! cancellation token, and returns an [`AttemptResult`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use domain::{LogStream, ParentRun, RunArgs, RunUuid, TaskUuid, TenantId};
use jiff::Timestamp;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

pub mod api_call;
pub mod egress;
pub mod python;
#[cfg(feature = "test-support")]
pub mod test_support;

/// The caps of one attempt's log. Whichever is reached first ends the log with one "output
/// truncated" line naming it; every later line is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogLimits {
    /// Most lines kept (an empty line counts as one).
    pub max_lines: u64,
    /// Most bytes kept, each line counted with its line ending.
    pub max_bytes: u64,
}

impl Default for LogLimits {
    fn default() -> Self {
        Self {
            max_lines: 10_000,
            max_bytes: 1024 * 1024,
        }
    }
}

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
    /// The arguments the run was started with, executed in place of the task's own `args`
    /// (see [`TaskConfig::with_run_args`](domain::TaskConfig::with_run_args)).
    pub args: Option<RunArgs>,
    /// For a chained run, the run that queued it: a script's `parent` in `SUNDIAL_CONTEXT`,
    /// merged into an `api_call`'s JSON body under `parent`.
    pub parent: Option<ParentRun>,
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
    /// How it ended as the `outcome` label of the attempt metrics (a failure no retry can fix
    /// is `refused`).
    pub fn metric_outcome(&self) -> &'static str {
        match self.outcome {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed if self.retryable => "failed",
            Outcome::Failed => "refused",
            Outcome::TimedOut => "timed_out",
            Outcome::Cancelled => "cancelled",
        }
    }

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
/// of growing memory, and the attempt's [`LogLimits`] end the log with one "truncated" line.
#[derive(Debug, Clone)]
pub struct LogSink {
    sender: mpsc::Sender<LogLine>,
    limits: LogLimits,
    lines: Arc<AtomicU64>,
    bytes: Arc<AtomicU64>,
    truncated: Arc<AtomicBool>,
}

impl LogSink {
    /// A sink with the default [`LogLimits`] and the receiver its lines arrive on, buffering at
    /// most `capacity` lines.
    pub fn channel(capacity: usize) -> (Self, mpsc::Receiver<LogLine>) {
        Self::bounded(capacity, LogLimits::default())
    }

    /// A sink keeping at most `limits` of the attempt's log, and the receiver its lines arrive
    /// on, buffering at most `capacity` lines.
    pub fn bounded(capacity: usize, limits: LogLimits) -> (Self, mpsc::Receiver<LogLine>) {
        let (sender, receiver) = mpsc::channel(capacity);
        let sink = Self {
            sender,
            limits,
            lines: Arc::default(),
            bytes: Arc::default(),
            truncated: Arc::default(),
        };
        (sink, receiver)
    }

    /// Writes one line. Returns false once the log is full (the line is dropped; the first
    /// line over a cap is replaced by the one "truncated" line naming it).
    pub async fn write(&self, stream: LogStream, line: impl Into<String>) -> bool {
        if self.truncated.load(Ordering::Relaxed) {
            return false;
        }
        let line = line.into();
        let lines = self.lines.fetch_add(1, Ordering::Relaxed) + 1;
        let size = line.len() as u64 + 1;
        let bytes = self.bytes.fetch_add(size, Ordering::Relaxed) + size;
        let cap = if lines > self.limits.max_lines {
            Some(format!("{} lines", self.limits.max_lines))
        } else if bytes > self.limits.max_bytes {
            Some(format!("{} bytes", self.limits.max_bytes))
        } else {
            None
        };
        match cap {
            None => {
                self.send(stream, line).await;
                true
            }
            Some(cap) => {
                self.cut(format!(
                    "output truncated: the attempt's log reached its limit of {cap}; later \
                     lines were dropped"
                ))
                .await;
                false
            }
        }
    }

    /// Writes a line of Sundial's own about the attempt.
    pub async fn system(&self, line: impl Into<String>) -> bool {
        self.write(LogStream::System, line).await
    }

    /// Ends the log now with `marker` as its one "truncated" line, unless it has ended already.
    pub async fn cut(&self, marker: impl Into<String>) {
        if !self.truncated.swap(true, Ordering::Relaxed) {
            self.send(LogStream::System, marker.into()).await;
        }
    }

    /// Whether the log has ended at a cap.
    pub fn is_truncated(&self) -> bool {
        self.truncated.load(Ordering::Relaxed)
    }

    async fn send(&self, stream: LogStream, line: String) {
        // A closed receiver means nobody records the log any more; the attempt itself goes on.
        let _ = self
            .sender
            .send(LogLine {
                stream,
                line,
                at: Timestamp::now(),
            })
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn received(mut lines: mpsc::Receiver<LogLine>) -> Vec<LogLine> {
        let mut all = Vec::new();
        while let Some(line) = lines.recv().await {
            all.push(line);
        }
        all
    }

    #[tokio::test]
    async fn the_byte_cap_ends_the_log_with_one_line_naming_it() {
        let (sink, lines) = LogSink::channel(4096);
        let chunk = "x".repeat(1023);
        let mut accepted = 0;
        while sink.write(LogStream::Stdout, chunk.clone()).await {
            accepted += 1;
        }
        assert!(!sink.write(LogStream::Stderr, "more").await);
        assert!(!sink.system("and more").await);
        assert!(sink.is_truncated());
        drop(sink);
        let received = received(lines).await;
        assert_eq!(accepted, 1024);
        assert_eq!(received.len(), accepted + 1);
        let last = received.last().unwrap();
        assert_eq!(last.stream, LogStream::System);
        assert_eq!(
            last.line,
            "output truncated: the attempt's log reached its limit of 1048576 bytes; later lines \
             were dropped"
        );
    }

    #[tokio::test]
    async fn empty_lines_count_against_the_line_cap() {
        let limits = LogLimits {
            max_lines: 100,
            max_bytes: 1 << 20,
        };
        let (sink, lines) = LogSink::bounded(256, limits);
        let mut accepted = 0;
        for _ in 0..1000 {
            if sink.write(LogStream::Stdout, "").await {
                accepted += 1;
            }
        }
        drop(sink);
        let received = received(lines).await;
        assert_eq!(accepted, 100);
        assert_eq!(received.len(), 101);
        let markers: Vec<_> = received
            .iter()
            .filter(|l| l.line.starts_with("output truncated"))
            .collect();
        assert_eq!(markers.len(), 1);
        assert!(
            markers[0].line.contains("limit of 100 lines"),
            "{markers:?}"
        );
        assert_eq!(received.last().unwrap().stream, LogStream::System);
    }

    #[tokio::test]
    async fn whichever_cap_comes_first_is_named() {
        let limits = LogLimits {
            max_lines: 10,
            max_bytes: 20,
        };
        let (sink, lines) = LogSink::bounded(64, limits);
        // 3 lines of 6 bytes with their endings fit in 20 bytes; the fourth does not.
        for _ in 0..4 {
            sink.write(LogStream::Stdout, "12345").await;
        }
        drop(sink);
        let received = received(lines).await;
        assert_eq!(received.len(), 4);
        assert!(
            received[3].line.contains("limit of 20 bytes"),
            "{received:?}"
        );
    }

    #[tokio::test]
    async fn a_cut_is_the_one_marker_and_ends_the_log() {
        let (sink, lines) = LogSink::channel(64);
        assert!(sink.write(LogStream::Stdout, "before").await);
        sink.cut("output truncated: stopped").await;
        sink.cut("output truncated: again").await;
        assert!(!sink.write(LogStream::Stdout, "after").await);
        drop(sink);
        let texts: Vec<_> = received(lines).await.into_iter().map(|l| l.line).collect();
        assert_eq!(texts, ["before", "output truncated: stopped"]);
    }
}
