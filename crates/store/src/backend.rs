//! The seam between the shared store logic and the two sqlx drivers.
//!
//! A [`Stmt`] is SQL text plus its bound values as plain data, so each operation's module can
//! build statements without naming a database. [`Exec`] runs them on a SQLite or PostgreSQL
//! connection; [`Backend`] says how each database hands out read connections and write
//! transactions, and its [`Dialect`] picks the statements whose text differs
//! ([`PerDialect`]). Connection handling lives in `sqlite.rs` and `postgres.rs`.

use std::ops::DerefMut;

use async_trait::async_trait;
use sqlx::FromRow;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;

use crate::Result;
use crate::query::{Arg, Placeholders, Query, Stmt};

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

    /// Which SQL dialect it speaks, for the statements whose text differs.
    const DIALECT: Dialect;

    /// Starts a write transaction. Writers of one task (or of the whole database, on SQLite)
    /// are serialized from here on.
    async fn begin_write(&self) -> Result<Self::Tx>;

    /// A connection for reads that need no transaction.
    async fn read(&self) -> Result<Self::Read>;

    /// How many versions of each task the history keeps (0: all).
    fn versions_kept(&self) -> u32;

    /// What this store's claims carry from one to the next (`claiming::claim_runs`).
    fn claim_state(&self) -> &crate::claiming::ClaimState;

    /// Wake-ups between nodes sharing this database, where there can be several.
    fn signals(&self) -> Option<std::sync::Arc<dyn crate::Signals>> {
        None
    }

    /// `EXPLAIN` output of a statement, for plan checks in tests.
    #[cfg(feature = "test-support")]
    async fn explain(&self, stmt: Stmt) -> Result<String>;
}

/// The databases whose statements differ where their semantics do (row locks, claiming).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// One writer at a time: a write transaction holds the whole database.
    Sqlite,
    /// Concurrent writers, row locks and `SKIP LOCKED`.
    Postgres,
}

/// A statement written once per dialect (`NAME.sqlite.sql` and `NAME.postgres.sql`).
pub(crate) struct PerDialect {
    /// The SQLite text.
    pub(crate) sqlite: std::sync::LazyLock<Query>,
    /// The PostgreSQL text.
    pub(crate) postgres: std::sync::LazyLock<Query>,
}

impl PerDialect {
    /// The statement for `B`'s dialect.
    pub(crate) fn of<B: Backend>(&'static self) -> Stmt {
        match B::DIALECT {
            Dialect::Sqlite => self.sqlite.stmt(),
            Dialect::Postgres => self.postgres.stmt(),
        }
    }
}

/// A [`PerDialect`] from `crates/store/sql/NAME.sqlite.sql` and `NAME.postgres.sql`.
macro_rules! per_dialect {
    ($name:literal) => {
        $crate::backend::PerDialect {
            sqlite: $crate::query::sql_file!(concat!($name, ".sqlite.sql")),
            postgres: $crate::query::sql_file!(concat!($name, ".postgres.sql")),
        }
    };
    ($name:literal, replanned) => {
        $crate::backend::PerDialect {
            sqlite: $crate::query::sql_file!(concat!($name, ".sqlite.sql"), replanned),
            postgres: $crate::query::sql_file!(concat!($name, ".postgres.sql"), replanned),
        }
    };
}
pub(crate) use per_dialect;

/// Binds `args` to a query of any driver that encodes all of [`Arg`]'s types.
macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                Arg::Int(v) => query.bind(v),
                Arg::OptInt(v) => query.bind(v),
                Arg::Text(v) => query.bind(v),
                Arg::OptText(v) => query.bind(v),
                Arg::Bool(v) => query.bind(v),
                Arg::Uuid(v) => query.bind(v),
                Arg::OptUuid(v) => query.bind(v),
            };
        }
        query
    }};
}

/// The same [`Exec`] for each driver's connection type; they differ in the type, in whether
/// a statement not kept prepared ([`Query::replanned`], built text) is prepared again
/// (`$prepare_again`), and in the placeholders they bind fastest.
macro_rules! impl_exec {
    ($conn:ty, $prepare_again:expr, $placeholders:expr) => {
        #[async_trait]
        impl Exec for $conn {
            async fn execute(&mut self, stmt: Stmt) -> Result<u64, sqlx::Error> {
                let (sql, cached, args) = stmt.into_parts($placeholders)?;
                let query =
                    bind_args!(sqlx::query(sql), args).persistent(cached || !$prepare_again);
                Ok(query.execute(&mut *self).await?.rows_affected())
            }

            async fn fetch_optional<T: AnyRow>(
                &mut self,
                stmt: Stmt,
            ) -> Result<Option<T>, sqlx::Error> {
                let (sql, cached, args) = stmt.into_parts($placeholders)?;
                let query = bind_args!(sqlx::query_as::<_, T>(sql), args)
                    .persistent(cached || !$prepare_again);
                query.fetch_optional(&mut *self).await
            }

            async fn fetch_all<T: AnyRow>(&mut self, stmt: Stmt) -> Result<Vec<T>, sqlx::Error> {
                let (sql, cached, args) = stmt.into_parts($placeholders)?;
                let query = bind_args!(sqlx::query_as::<_, T>(sql), args)
                    .persistent(cached || !$prepare_again);
                query.fetch_all(&mut *self).await
            }
        }
    };
}

// SQLite plans without statistics (unless ANALYZE ran), so a kept plan never goes stale, and
// preparing the claim again costs more than it could save.
impl_exec!(sqlx::SqliteConnection, false, Placeholders::Positional);
impl_exec!(sqlx::PgConnection, true, Placeholders::Numbered);
