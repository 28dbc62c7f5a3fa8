//! The embedded store: one SQLite file.
//!
//! SQLite allows one writer at a time. Left to itself, a deferred transaction that reads and
//! then writes can fail with `SQLITE_BUSY` the moment another connection holds the write lock
//! (the busy handler is not called when waiting could deadlock), so a pool of equal
//! connections turns concurrent API requests into sporadic "database is locked" errors.
//! [`SqliteStore`] therefore keeps two pools:
//!
//! * a writer pool of exactly one connection: every write transaction queues for it inside
//!   the process, in FIFO order, instead of contending for SQLite's lock. Its transactions
//!   start with `BEGIN IMMEDIATE`, which takes the write lock up front, where the busy timeout
//!   *does* apply, so even another process on the same file (`sundial migrate`, a second
//!   binary by mistake) makes a writer wait rather than fail mid-transaction;
//! * a reader pool of several `query_only` connections. In WAL mode readers never block the
//!   writer or each other, and see the last committed state when their statement starts.
//!
//! A single connection also makes SQLite's serialization explicit rather than left to lock
//! timing; the engine relies on it when it claims runs in the firing transaction.
//!
//! After some errors (a full disk, an I/O error) SQLite rolls a transaction back on its own.
//! sqlx's `ROLLBACK` then fails, and the connection stays marked as inside a transaction, so
//! every later `BEGIN` on it would fail too. The writer pool therefore checks the connection
//! each time it hands it out and replaces one left in that state: the store recovers as soon
//! as the cause goes away.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, SqliteConnection, Transaction};

use crate::backend::{Backend, Dialect};
use crate::{DEFAULT_VERSIONS_KEPT, Result, StoreError};
use checkpoint::Checkpointer;

mod checkpoint;

/// How long a connection waits for SQLite's lock held by another process before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Read connections; reads in WAL mode run in parallel, so a few cover the API's concurrency.
const READERS: u32 = 8;
/// Rows a statement's worker thread may hand over before it waits for them to be read: more
/// than the largest batch (a claim, a firing, a finisher batch), so the thread runs a whole
/// statement through instead of waking and sleeping once per row when the engine is busy
/// (sqlx's default is 50).
const ROW_BUFFER: usize = 2_048;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

/// The [`Store`](crate::Store) on a SQLite file: the single-node default.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    versions_kept: u32,
    /// What claims carry from one to the next ([`Backend::claim_state`]).
    claim_state: std::sync::Arc<crate::claiming::ClaimState>,
    /// Copies the write-ahead log into the database beside the writer.
    checkpointer: std::sync::Arc<Checkpointer>,
}

impl SqliteStore {
    /// Opens (creating it if missing) the database at a `sqlite:` URL or a file path, and
    /// brings its schema up to date.
    pub async fn connect(url_or_path: &str) -> Result<Self> {
        if url_or_path.contains(":memory:") || url_or_path.contains("mode=memory") {
            // Every connection of an in-memory database is a separate database, so the writer
            // and the readers would not see each other's data.
            return Err(StoreError::Database(sqlx::Error::Configuration(
                "SqliteStore needs a database file; in-memory SQLite is not supported".into(),
            )));
        }
        let base = if url_or_path.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url_or_path)?
        } else {
            SqliteConnectOptions::new().filename(url_or_path)
        }
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
        .row_buffer_size(ROW_BUFFER)
        // With WAL, FULL syncs the log on every commit: a committed task or run survives a
        // power cut, which the occurrence ledger's exactly-once promise depends on.
        .synchronous(SqliteSynchronous::Full);

        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            // Keep the single connection: reopening it would only cost time.
            .idle_timeout(None)
            .max_lifetime(None)
            .before_acquire(|conn, _| Box::pin(async move { Ok(usable_writer(conn)) }))
            .connect_with(
                base.clone()
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // A batch statement's journal (kept to undo that statement alone) spills
                    // to a temporary file past 64 KiB: a write and a file per large batch.
                    .pragma("temp_store", "MEMORY")
                    .pragma("wal_autocheckpoint", checkpoint::WRITER_FALLBACK_PAGES),
            )
            .await?;
        MIGRATOR.run(&writer).await?;
        let checkpointer = {
            use sqlx::ConnectOptions;
            Checkpointer::spawn(base.connect().await?)
        };
        // WAL mode is a property of the file, set by the writer above; readers only need to
        // be unable to write by accident.
        let reader = SqlitePoolOptions::new()
            .max_connections(READERS)
            .connect_with(base.pragma("query_only", "ON"))
            .await?;
        Ok(Self {
            writer,
            reader,
            versions_kept: DEFAULT_VERSIONS_KEPT,
            claim_state: Default::default(),
            checkpointer: std::sync::Arc::new(checkpointer),
        })
    }

    /// Keeps the `n` newest versions of each task (0: all; default [`DEFAULT_VERSIONS_KEPT`]).
    #[must_use]
    pub fn keep_versions(mut self, n: u32) -> Self {
        self.versions_kept = n;
        self
    }

    /// Pages of the write-ahead log copied into the database file beside the writer so far (a
    /// lower bound: a log started over between two checkpoints counts from its restart).
    pub fn checkpointed_pages(&self) -> u64 {
        self.checkpointer.copied()
    }

    /// Closes both pools, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.checkpointer.stop();
        self.reader.close().await;
        self.writer.close().await;
    }
}

/// Whether the writer connection can start a transaction: no transaction is open on it, as
/// after every transaction the store ends. One still open was rolled back by SQLite itself
/// (see the module's documentation); the pool then opens a fresh connection instead.
fn usable_writer(conn: &mut SqliteConnection) -> bool {
    use sqlx::Connection;
    let usable = !conn.is_in_transaction();
    if !usable {
        tracing::warn!("replacing the SQLite writer connection left inside a failed transaction");
    }
    usable
}

#[async_trait]
impl Backend for SqliteStore {
    type Conn = SqliteConnection;
    type Tx = Transaction<'static, Sqlite>;
    type Read = PoolConnection<Sqlite>;

    const DIALECT: Dialect = Dialect::Sqlite;

    async fn begin_write(&self) -> Result<Self::Tx> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    async fn read(&self) -> Result<Self::Read> {
        Ok(self.reader.acquire().await?)
    }

    fn versions_kept(&self) -> u32 {
        self.versions_kept
    }

    fn claim_state(&self) -> &crate::claiming::ClaimState {
        &self.claim_state
    }

    #[cfg(feature = "test-support")]
    async fn explain(&self, stmt: crate::query::Stmt) -> Result<String> {
        use crate::backend::Exec;
        let plan = stmt.prefixed("EXPLAIN QUERY PLAN");
        let mut conn = self.read().await?;
        let rows = conn.fetch_all::<(i64, i64, i64, String)>(plan).await?;
        let mut depth: Vec<(i64, usize)> = Vec::new();
        let mut out = String::new();
        for (id, parent, _, detail) in rows {
            let level = depth
                .iter()
                .find(|(p, _)| *p == parent)
                .map_or(0, |(_, d)| d + 1);
            depth.push((id, level));
            out.push_str(&format!("{}{detail}\n", "  ".repeat(level)));
        }
        Ok(out)
    }
}
