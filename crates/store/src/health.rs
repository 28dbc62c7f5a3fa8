//! Whether the store accepts writes, for the readiness check.

use std::sync::LazyLock;

use async_trait::async_trait;
use jiff::Timestamp;

use crate::Result;
use crate::backend::{Backend, Commit, Exec};
use crate::query::{Query, sql_file};
use crate::rows::millis;

static PROBE_WRITE: LazyLock<Query> = sql_file!("health/probe_write.sql");

/// The readiness check's write.
#[async_trait]
pub trait Readiness: Send + Sync + 'static {
    /// Rewrites one row in a write transaction: succeeds only while the store accepts writes.
    async fn probe_write(&self, now: Timestamp) -> Result<()>;
}

#[async_trait]
impl<B: Backend> Readiness for B {
    async fn probe_write(&self, now: Timestamp) -> Result<()> {
        let mut tx = self.begin_write().await?;
        tx.execute(PROBE_WRITE.stmt().bind("now", millis(now)))
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
