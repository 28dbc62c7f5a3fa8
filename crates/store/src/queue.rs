//! How many runs wait to start, for the `sundial_runs_queued` gauge. One count over the index
//! of queued runs, taken by the maintenance leader once per pass: counting at every scrape of
//! every node would cost a pass over the queue each time, which grows with the very backlog it
//! measures.

use std::sync::LazyLock;

use async_trait::async_trait;
use jiff::Timestamp;

use crate::Result;
use crate::backend::{Backend, Exec};
use crate::query::{Query, sql_file};
use crate::rows::millis;

static QUEUED_DUE: LazyLock<Query> = sql_file!("queue/queued_due.sql");

/// The depth of the queue.
#[async_trait]
pub trait QueueDepth: Send + Sync + 'static {
    /// Queued runs, of every tenant, whose start time (`not_before`: the occurrence plus its
    /// jitter, or a retry's due time) is at or before `now`.
    async fn queued_due(&self, now: Timestamp) -> Result<u64>;
}

#[async_trait]
impl<B: Backend> QueueDepth for B {
    async fn queued_due(&self, now: Timestamp) -> Result<u64> {
        let mut conn = self.read().await?;
        let (count,) = conn
            .fetch_one::<(i64,)>(QUEUED_DUE.stmt().bind("now", millis(now)))
            .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }
}
