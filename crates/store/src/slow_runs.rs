//! Slow runs: the maintenance leader's check that records a `run.slow` event for each run that
//! went past the smallest `run.slow` threshold applying to its task, while it still runs (a
//! hung run is reported before its timeout) or, when it ended between two checks, from its
//! recorded duration.
//!
//! The check starts from the tenants' `run.slow` rules, so without any it costs one index
//! probe. Each run gets at most one event: the outbox's unique key on run and kind refuses a
//! second, and the check skips runs that already have one.

use std::sync::LazyLock;

use async_trait::async_trait;
use domain::EventKind;
use jiff::Timestamp;
use uuid::Uuid;

use crate::Result;
use crate::backend::{Backend, Commit, Exec};
use crate::notify::{RunEvent, record_run_events};
use crate::query::{Query, sql_file};
use crate::rows::{millis, timestamp};

static ANY_SLOW_RULE: LazyLock<Query> = sql_file!("slow_runs/any_slow_rule.sql");
static SLOW_RUNS: LazyLock<Query> = sql_file!("slow_runs/slow_runs.sql");

/// Finding runs slower than their tenants' `run.slow` rules.
#[async_trait]
pub trait SlowRunStore: Send + Sync + 'static {
    /// Records a `run.slow` event for up to `limit` runs without one that, at `now`, have
    /// been executing longer than the smallest `run.slow` threshold of the rules applying to
    /// their task, or ended at or after `finished_since` having run longer than it; how many.
    async fn record_slow_runs(
        &self,
        now: Timestamp,
        finished_since: Timestamp,
        limit: u32,
    ) -> Result<u64>;
}

#[derive(Debug, sqlx::FromRow)]
struct SlowRow {
    id: i64,
    uuid: Uuid,
    status: String,
    attempt: i32,
    started_at: Option<i64>,
    duration_ms: Option<i64>,
    threshold: i64,
}

impl SlowRow {
    /// The event: a run still executing is measured up to `now`.
    fn into_event(self, now: Timestamp) -> Result<RunEvent> {
        let started = self.started_at.unwrap_or(millis(now));
        let duration_ms = match (self.status.as_str(), self.duration_ms) {
            ("running", _) | (_, None) => millis(now) - started,
            (_, Some(ms)) => ms,
        };
        let what = format!("slow run {} started_at", self.uuid);
        Ok(RunEvent {
            run_id: self.id,
            kind: EventKind::RunSlow,
            payload: serde_json::json!({
                "status": self.status,
                "attempt": self.attempt,
                "started_at": timestamp(started, &what)?.to_string(),
                "duration_ms": duration_ms,
                "threshold_ms": self.threshold,
            }),
        })
    }
}

#[async_trait]
impl<B: Backend> SlowRunStore for B {
    async fn record_slow_runs(
        &self,
        now: Timestamp,
        finished_since: Timestamp,
        limit: u32,
    ) -> Result<u64> {
        // Read first: on SQLite a write transaction holds the whole database, and the check
        // usually finds nothing.
        let slow = {
            let mut conn = self.read().await?;
            if conn
                .fetch_optional::<(i64,)>(ANY_SLOW_RULE.stmt())
                .await?
                .is_none()
            {
                return Ok(0);
            }
            conn.fetch_all::<SlowRow>(
                SLOW_RUNS
                    .stmt()
                    .bind("now", millis(now))
                    .bind("finished_since", millis(finished_since))
                    .bind("limit", i64::from(limit)),
            )
            .await?
        };
        if slow.is_empty() {
            return Ok(0);
        }
        let found = slow.len() as u64;
        let events = slow
            .into_iter()
            .map(|row| row.into_event(now))
            .collect::<Result<Vec<_>>>()?;
        let mut tx = self.begin_write().await?;
        record_run_events(&mut *tx, &events, now).await?;
        tx.commit().await?;
        Ok(found)
    }
}
