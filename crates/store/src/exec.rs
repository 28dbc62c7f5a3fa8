//! The seam between the shared store logic and the two sqlx drivers.
//!
//! A [`Stmt`] is SQL text plus its bound values as plain data, so the logic in `ops.rs` can build
//! statements without naming a database. [`Exec`] runs them on a SQLite or PostgreSQL
//! connection; [`Backend`] says how each database hands out read connections and write
//! transactions. Everything that differs between the databases lives in `sqlite.rs` and
//! `postgres.rs` behind these two traits.

use std::ops::DerefMut;

use async_trait::async_trait;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, SqlStr};
use uuid::Uuid;

use crate::Result;

/// One bound value. Only the types both drivers encode the same way.
#[derive(Debug, Clone)]
pub enum Arg {
    /// `BIGINT` (and `INTEGER` on SQLite).
    Int(i64),
    /// Nullable `BIGINT`.
    OptInt(Option<i64>),
    /// `TEXT`.
    Text(String),
    /// Nullable `TEXT`.
    OptText(Option<String>),
    /// `BOOLEAN`.
    Bool(bool),
    /// `UUID` on PostgreSQL, a 16-byte `BLOB` on SQLite.
    Uuid(Uuid),
}

/// The bound values of a statement, in placeholder order (`$1` first).
#[derive(Debug, Clone, Default)]
pub struct Args(Vec<Arg>);

impl Args {
    pub(crate) fn push(&mut self, arg: Arg) {
        self.0.push(arg);
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// These values followed by `more`.
    pub(crate) fn append(mut self, more: Args) -> Self {
        self.0.extend(more.0);
        self
    }

    pub(crate) fn int(mut self, v: i64) -> Self {
        self.push(Arg::Int(v));
        self
    }

    pub(crate) fn opt_int(mut self, v: Option<i64>) -> Self {
        self.push(Arg::OptInt(v));
        self
    }

    pub(crate) fn text(mut self, v: impl Into<String>) -> Self {
        self.push(Arg::Text(v.into()));
        self
    }

    pub(crate) fn opt_text(mut self, v: Option<String>) -> Self {
        self.push(Arg::OptText(v));
        self
    }

    pub(crate) fn bool(mut self, v: bool) -> Self {
        self.push(Arg::Bool(v));
        self
    }

    pub(crate) fn uuid(mut self, v: Uuid) -> Self {
        self.push(Arg::Uuid(v));
        self
    }
}

/// SQL text and its bound values.
#[derive(Debug, Clone)]
pub struct Stmt {
    pub(crate) sql: SqlStr,
    pub(crate) args: Args,
    /// Whether the connection keeps the prepared statement (and on PostgreSQL its plan) for
    /// the next execution.
    pub(crate) cached: bool,
}

impl Stmt {
    /// A statement from this module's constant text, to be given its values next.
    pub(crate) fn new(sql: &'static str) -> Self {
        Self {
            sql: SqlStr::from_static(sql),
            args: Args::default(),
            cached: true,
        }
    }

    pub(crate) fn with_args(sql: SqlStr, args: Args) -> Self {
        Self {
            sql,
            args,
            cached: true,
        }
    }

    /// Prepared and planned on every execution on PostgreSQL. For statements whose best plan
    /// depends on how many rows the queue holds: PostgreSQL keeps the plan of a cached
    /// statement until the table is next analyzed, so a plan made on an empty table would
    /// otherwise survive a burst of thousands of runs. Also for text built per call, which
    /// would only churn the server's prepared statements.
    pub(crate) fn uncached(mut self) -> Self {
        self.cached = false;
        self
    }

    pub(crate) fn int(self, v: i64) -> Self {
        self.map(|a| a.int(v))
    }

    pub(crate) fn opt_int(self, v: Option<i64>) -> Self {
        self.map(|a| a.opt_int(v))
    }

    pub(crate) fn text(self, v: impl Into<String>) -> Self {
        self.map(|a| a.text(v))
    }

    pub(crate) fn opt_text(self, v: Option<String>) -> Self {
        self.map(|a| a.opt_text(v))
    }

    pub(crate) fn bool(self, v: bool) -> Self {
        self.map(|a| a.bool(v))
    }

    pub(crate) fn uuid(self, v: Uuid) -> Self {
        self.map(|a| a.uuid(v))
    }

    pub(crate) fn args(self, more: Args) -> Self {
        self.map(|mut a| {
            a.0.extend(more.0);
            a
        })
    }

    fn map(mut self, f: impl FnOnce(Args) -> Args) -> Self {
        self.args = f(self.args);
        self
    }
}

/// A row type both drivers can decode (every `#[derive(sqlx::FromRow)]` struct and tuple is).
pub trait AnyRow:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

impl<T> AnyRow for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

/// Runs statements on one connection. Errors stay `sqlx::Error` so callers can tell a unique
/// violation from other failures.
#[async_trait]
pub trait Exec: Send {
    /// Runs a statement; the number of rows it changed.
    async fn execute(&mut self, stmt: Stmt) -> Result<u64, sqlx::Error>;

    /// The first row, if any.
    async fn fetch_optional<T: AnyRow>(&mut self, stmt: Stmt) -> Result<Option<T>, sqlx::Error>;

    /// Every row.
    async fn fetch_all<T: AnyRow>(&mut self, stmt: Stmt) -> Result<Vec<T>, sqlx::Error>;

    /// Exactly one row.
    async fn fetch_one<T: AnyRow>(&mut self, stmt: Stmt) -> Result<T, sqlx::Error> {
        self.fetch_optional(stmt)
            .await?
            .ok_or(sqlx::Error::RowNotFound)
    }
}

/// Ends a write transaction.
#[async_trait]
pub trait Commit {
    /// Makes the transaction's changes durable; dropping it instead rolls them back.
    async fn commit(self) -> Result<(), sqlx::Error>;
}

#[async_trait]
impl<DB: sqlx::Database> Commit for sqlx::Transaction<'static, DB> {
    async fn commit(self) -> Result<(), sqlx::Error> {
        sqlx::Transaction::commit(self).await
    }
}

/// A database the shared store logic can run on.
///
/// Public only so the blanket `impl Store` can name it; the module is private, so nothing
/// outside the crate can implement or call it.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// The driver's connection.
    type Conn: Exec + ?Sized;
    /// A write transaction.
    type Tx: DerefMut<Target = Self::Conn> + Commit + Send;
    /// A pooled connection for reads.
    type Read: DerefMut<Target = Self::Conn> + Send;

    /// The statement that finds and locks a live task for a change (see `sql::lock_task`).
    const LOCK_TASK: &'static str;
    /// The statement that selects (and on PostgreSQL locks) due tasks to fire.
    const DUE_TASKS: &'static str;
    /// The statement that takes queued runs under a lease (see `sql::claim_runs`).
    const CLAIM_RUNS: &'static str;
    /// The statement that cancels a task's queued runs (see `sql::CANCEL_QUEUED_RUNS_*`).
    const CANCEL_QUEUED_RUNS: &'static str;
    /// Where writers of one task can wait for each other (PostgreSQL), the statement that
    /// locks the tasks of just-claimed runs in a global order (see
    /// `sql::LOCK_CLAIMED_TASKS_POSTGRES`); SQLite's single writer needs none.
    const LOCK_CLAIMED_TASKS: Option<&'static str>;
    /// Whether every write transaction is serialised (SQLite); see
    /// [`EngineStore::claims_while_firing`](crate::EngineStore::claims_while_firing).
    const ONE_WRITER: bool;

    /// Starts a write transaction. Writers of one task (or of the whole database, on SQLite)
    /// are serialized from here on.
    async fn begin_write(&self) -> Result<Self::Tx>;

    /// A connection for reads that need no transaction.
    async fn read(&self) -> Result<Self::Read>;

    /// Wake-ups between nodes sharing this database, where there can be several.
    fn signals(&self) -> Option<std::sync::Arc<dyn crate::Signals>> {
        None
    }

    /// `EXPLAIN` output of a statement, for plan checks in tests.
    #[cfg(feature = "test-support")]
    async fn explain(&self, stmt: Stmt) -> Result<String>;
}

/// Binds `args` to a query of any driver that encodes all of [`Arg`]'s types.
macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args.0 {
            query = match arg {
                Arg::Int(v) => query.bind(v),
                Arg::OptInt(v) => query.bind(v),
                Arg::Text(v) => query.bind(v),
                Arg::OptText(v) => query.bind(v),
                Arg::Bool(v) => query.bind(v),
                Arg::Uuid(v) => query.bind(v),
            };
        }
        query
    }};
}

/// The same [`Exec`] for each driver's connection type; they differ in the type and in whether
/// a statement marked [`Stmt::uncached`] is prepared again (`$prepare_again`).
macro_rules! impl_exec {
    ($conn:ty, $prepare_again:expr) => {
        #[async_trait]
        impl Exec for $conn {
            async fn execute(&mut self, stmt: Stmt) -> Result<u64, sqlx::Error> {
                let query = bind_args!(sqlx::query(stmt.sql), stmt.args)
                    .persistent(stmt.cached || !$prepare_again);
                Ok(query.execute(&mut *self).await?.rows_affected())
            }

            async fn fetch_optional<T: AnyRow>(
                &mut self,
                stmt: Stmt,
            ) -> Result<Option<T>, sqlx::Error> {
                let query = bind_args!(sqlx::query_as::<_, T>(stmt.sql), stmt.args)
                    .persistent(stmt.cached || !$prepare_again);
                query.fetch_optional(&mut *self).await
            }

            async fn fetch_all<T: AnyRow>(&mut self, stmt: Stmt) -> Result<Vec<T>, sqlx::Error> {
                let query = bind_args!(sqlx::query_as::<_, T>(stmt.sql), stmt.args)
                    .persistent(stmt.cached || !$prepare_again);
                query.fetch_all(&mut *self).await
            }
        }
    };
}

// SQLite plans without statistics (unless ANALYZE ran), so a kept plan never goes stale, and
// preparing the claim again costs more than it could save.
impl_exec!(sqlx::SqliteConnection, false);
impl_exec!(sqlx::PgConnection, true);
