//! Runs: one row of the occurrence ledger per occurrence, with its attempts and logs.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::policy::snake_case_str;
use crate::{RunUuid, TaskUuid};

/// Why a run exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunTrigger {
    /// A scheduled occurrence.
    Schedule,
    /// Started by hand (`POST /{uuid}/run`).
    Manual,
    /// A missed occurrence run late by the misfire policy.
    CatchUp,
    /// Queued by the end of a run of a task that chains to this one.
    Chain,
}

snake_case_str!(RunTrigger { Schedule => "schedule", Manual => "manual", CatchUp => "catch_up", Chain => "chain" });

/// Where a run is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Waiting for a worker (possibly until a retry delay passes).
    Queued,
    /// A worker holds its lease and is executing it.
    Running,
    /// Finished successfully.
    Succeeded,
    /// Failed after its last attempt.
    Failed,
    /// Its last attempt exceeded the timeout.
    TimedOut,
    /// Cancelled by a person or by the overlap policy `replace`.
    Cancelled,
    /// Never executed; `skip_reason` says why.
    Skipped,
}

snake_case_str!(RunStatus {
    Queued => "queued", Running => "running", Succeeded => "succeeded", Failed => "failed",
    TimedOut => "timed_out", Cancelled => "cancelled", Skipped => "skipped",
});

impl RunStatus {
    /// Whether the run has ended for good.
    pub fn is_final(self) -> bool {
        !matches!(self, RunStatus::Queued | RunStatus::Running)
    }
}

/// How a run that executed ended for good: a [`RunStatus`] no later state follows, other than
/// `skipped` (an occurrence that never ran).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    /// It succeeded.
    Succeeded,
    /// Its last attempt failed.
    Failed,
    /// Its last attempt exceeded the timeout.
    TimedOut,
    /// It was cancelled while running.
    Cancelled,
}

snake_case_str!(RunOutcome {
    Succeeded => "succeeded", Failed => "failed", TimedOut => "timed_out", Cancelled => "cancelled",
});

impl RunOutcome {
    /// The outcome a run in `status` ended with; `None` for a run not ended, or skipped.
    pub fn of(status: RunStatus) -> Option<Self> {
        match status {
            RunStatus::Succeeded => Some(Self::Succeeded),
            RunStatus::Failed => Some(Self::Failed),
            RunStatus::TimedOut => Some(Self::TimedOut),
            RunStatus::Cancelled => Some(Self::Cancelled),
            RunStatus::Queued | RunStatus::Running | RunStatus::Skipped => None,
        }
    }
}

/// Why an occurrence was not executed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// A run of the task was still running (overlap policy `skip` or `queue_one`).
    Overlap,
    /// Missed by more than the grace period (misfire policy).
    Misfire,
    /// The tenant was over a quota.
    Quota,
    /// The task was stopped or deleted before the run started.
    Stopped,
}

snake_case_str!(SkipReason { Overlap => "overlap", Misfire => "misfire", Quota => "quota", Stopped => "stopped" });

/// One run of a task.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// External id; also the `Idempotency-Key` of its HTTP calls.
    pub uuid: RunUuid,
    /// The task it belongs to.
    pub task_uuid: TaskUuid,
    /// The task version it executes.
    pub task_version: i64,
    /// Why it exists.
    pub trigger: RunTrigger,
    /// The occurrence's scheduled instant (for manual runs, when it was requested).
    pub scheduled_for: Timestamp,
    /// For a collapsed range of skipped occurrences: how many it stands for (1 otherwise).
    pub occurrences: i64,
    /// Current state.
    pub status: RunStatus,
    /// Why it was skipped.
    pub skip_reason: Option<SkipReason>,
    /// Current attempt, 1 for the first try.
    pub attempt: i32,
    /// Attempts allowed in all: the task's retries plus one, plus one per rescue and requeue.
    pub max_attempts: i32,
    /// Attempts lost with their node and run again (at most `SUNDIAL_MAX_RESCUES`).
    pub rescues: i32,
    /// Attempts a graceful shutdown handed back to the queue and run again.
    pub requeues: i32,
    /// When it was queued.
    pub queued_at: Timestamp,
    /// When its current or last attempt started.
    pub started_at: Option<Timestamp>,
    /// When it ended.
    pub finished_at: Option<Timestamp>,
    /// When the next attempt of a run waiting to be tried again (after a failed, lost or
    /// handed-back attempt) is due; `None` for any other run.
    pub next_attempt_at: Option<Timestamp>,
    /// Duration of its last attempt.
    pub duration_ms: Option<i64>,
    /// Result JSON of the last attempt.
    pub result: Option<serde_json::Value>,
    /// Error of the last attempt.
    pub error: Option<String>,
    /// The arguments a manual run was started with, which its attempts execute in place of
    /// the task's own `args`.
    pub args: Option<crate::RunArgs>,
    /// For a chained run, the run that queued it.
    pub parent: Option<crate::ParentRun>,
    /// When the tenant's stored log budget deleted this run's log (a system line in its log
    /// says so); `None` while it has its log.
    pub logs_pruned_at: Option<Timestamp>,
}

/// Which output a log line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogStream {
    /// The task's standard output.
    Stdout,
    /// The task's standard error.
    Stderr,
    /// Sundial's own notes about the attempt.
    System,
}

snake_case_str!(LogStream { Stdout => "stdout", Stderr => "stderr", System => "system" });

/// One line of a run's log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunLogLine {
    /// The attempt that wrote it.
    pub attempt: i32,
    /// Order within the attempt.
    pub seq: i64,
    /// When it was written.
    pub ts: Timestamp,
    /// Which output.
    pub stream: LogStream,
    /// The text.
    pub line: String,
}
