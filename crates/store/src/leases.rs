//! Leases: a node's hold on the runs it executes (heartbeat, release at shutdown) and on the
//! cluster-wide duties one node performs at a time (maintenance).

use std::sync::LazyLock;

use async_trait::async_trait;
use domain::RunUuid;
use jiff::Timestamp;

use crate::Result;
use crate::backend::{Backend, Commit, Dialect, Exec, PerDialect, per_dialect};
use crate::query::{Query, sql_file};
use crate::rows::millis;

static EXTEND_LEASE: PerDialect = per_dialect!("leases/extend_lease");
static LEASE_HELD: LazyLock<Query> = sql_file!("leases/lease_held.sql");
static RELEASE_RUN: LazyLock<Query> = sql_file!("leases/release_run.sql");
static HOLD_LEASE: LazyLock<Query> = sql_file!("leases/hold_lease.sql");
static DROP_LEASE: LazyLock<Query> = sql_file!("leases/drop_lease.sql");

/// A node's leases on runs and on cluster-wide duties.
#[async_trait]
pub trait LeaseStore: Send + Sync + 'static {
    /// Extends the leases of `runs`, the attempts `owner` is executing, until `until`; returns
    /// those it no longer holds or whose cancellation was asked for. Other runs `owner` holds
    /// are left to expire: their attempts ended without an outcome recorded.
    async fn heartbeat(
        &self,
        owner: &str,
        runs: &[RunUuid],
        until: Timestamp,
    ) -> Result<Vec<RunUuid>>;

    /// Hands runs `owner` still holds back to the queue (graceful shutdown) as a new attempt
    /// that does not use up the task's retries (`requeues` + 1); how many.
    async fn release(&self, owner: &str, runs: &[RunUuid], now: Timestamp) -> Result<u64>;

    /// Takes or renews the lease `name` of a cluster-wide duty for `owner` until `until`;
    /// false when another owner holds it unexpired at `now`.
    async fn hold_lease(
        &self,
        name: &str,
        owner: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<bool>;

    /// Gives up the lease `name` if `owner` holds it.
    async fn drop_lease(&self, name: &str, owner: &str) -> Result<()>;
}

#[async_trait]
impl<B: Backend> LeaseStore for B {
    async fn heartbeat(
        &self,
        owner: &str,
        runs: &[RunUuid],
        until: Timestamp,
    ) -> Result<Vec<RunUuid>> {
        // In the order of their uuids. On PostgreSQL a row another transaction holds is
        // skipped (see leases/extend_lease.postgres.sql): its lease is renewed by the next
        // heartbeat, and whether it is still held is read without waiting.
        let mut runs = runs.to_vec();
        runs.sort_unstable();
        let mut tx = self.begin_write().await?;
        let mut gone = Vec::new();
        for run in &runs {
            let mut held = tx
                .fetch_optional::<(bool,)>(
                    EXTEND_LEASE
                        .of::<B>()
                        .bind("until", millis(until))
                        .bind("run", run.0)
                        .bind("owner", owner),
                )
                .await?;
            if held.is_none() && B::DIALECT == Dialect::Postgres {
                held = tx
                    .fetch_optional::<(bool,)>(
                        LEASE_HELD.stmt().bind("run", run.0).bind("owner", owner),
                    )
                    .await?;
            }
            if !matches!(held, Some((false,))) {
                gone.push(*run);
            }
        }
        tx.commit().await?;
        Ok(gone)
    }

    async fn release(&self, owner: &str, runs: &[RunUuid], now: Timestamp) -> Result<u64> {
        if runs.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        let mut released = 0;
        for run in runs {
            released += tx
                .execute(
                    RELEASE_RUN
                        .stmt()
                        .bind("now", millis(now))
                        .bind("run", run.0)
                        .bind("owner", owner),
                )
                .await?;
        }
        tx.commit().await?;
        Ok(released)
    }

    async fn hold_lease(
        &self,
        name: &str,
        owner: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let held = tx
            .execute(
                HOLD_LEASE
                    .stmt()
                    .bind("owner", owner)
                    .bind("until", millis(until))
                    .bind("name", name)
                    .bind("now", millis(now)),
            )
            .await?;
        tx.commit().await?;
        Ok(held == 1)
    }

    async fn drop_lease(&self, name: &str, owner: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        tx.execute(DROP_LEASE.stmt().bind("name", name).bind("owner", owner))
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
