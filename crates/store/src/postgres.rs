//! The shared store: PostgreSQL, for several nodes.
//!
//! Writes run in `READ COMMITTED` transactions and lock the task row they change
//! (`SELECT … FOR UPDATE`), so concurrent writers of one task queue up and each sees the
//! other's committed version; writers of different tasks do not wait for each other.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{PgConnection, Postgres, Transaction};

use crate::backend::{Backend, Dialect};
use crate::{DEFAULT_VERSIONS_KEPT, Result};

/// Connections per node.
const MAX_CONNECTIONS: u32 = 16;
/// How long a request waits for a free connection before failing.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The [`Store`](crate::Store) on PostgreSQL: several nodes share one database.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    versions_kept: u32,
    /// What claims carry from one to the next ([`Backend::claim_state`]).
    claim_state: std::sync::Arc<crate::claiming::ClaimState>,
}

impl PostgresStore {
    /// Connects to the database at `url` and brings its schema up to date.
    ///
    /// Several nodes may start at once: sqlx 0.9's `Migrator::run` (sqlx-core
    /// `migrate/migrator.rs`, `run_direct`) calls `lock()` before it even creates
    /// `_sqlx_migrations`, and the PostgreSQL `lock()` (sqlx-postgres `migrate.rs`) is a blocking,
    /// session-level `SELECT pg_advisory_lock($1)` keyed by a CRC of `current_database()`. The
    /// first node applies the migrations while the others wait, then find them applied. If a
    /// node dies mid-migration its session ends and PostgreSQL releases the lock. The
    /// conformance suite runs four concurrent `connect`s against a fresh database to hold sqlx
    /// to this.
    pub async fn connect(url: &str) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect(url)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self {
            pool,
            versions_kept: DEFAULT_VERSIONS_KEPT,
            claim_state: Default::default(),
        })
    }

    /// Keeps the `n` newest versions of each task (0: all; default [`DEFAULT_VERSIONS_KEPT`]).
    #[must_use]
    pub fn keep_versions(mut self, n: u32) -> Self {
        self.versions_kept = n;
        self
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl Backend for PostgresStore {
    type Conn = PgConnection;
    type Tx = Transaction<'static, Postgres>;
    type Read = PoolConnection<Postgres>;

    const DIALECT: Dialect = Dialect::Postgres;

    async fn begin_write(&self) -> Result<Self::Tx> {
        Ok(self.pool.begin().await?)
    }

    async fn read(&self) -> Result<Self::Read> {
        Ok(self.pool.acquire().await?)
    }

    fn versions_kept(&self) -> u32 {
        self.versions_kept
    }

    fn claim_state(&self) -> &crate::claiming::ClaimState {
        &self.claim_state
    }

    fn signals(&self) -> Option<std::sync::Arc<dyn crate::Signals>> {
        Some(std::sync::Arc::new(crate::signals::PgSignals {
            pool: self.pool.clone(),
        }))
    }

    #[cfg(feature = "test-support")]
    async fn explain(&self, stmt: crate::query::Stmt) -> Result<String> {
        use crate::backend::Exec;
        let plan = stmt.prefixed("EXPLAIN (ANALYZE, BUFFERS)");
        let mut conn = self.read().await?;
        let rows = conn.fetch_all::<(String,)>(plan).await?;
        Ok(rows.into_iter().map(|(line,)| line + "\n").collect())
    }
}
