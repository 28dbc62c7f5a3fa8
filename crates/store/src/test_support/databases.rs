//! Fresh test databases, and one way to run a test case on both: the
//! [`on_both_databases!`](crate::on_both_databases) macro.
//!
//! SQLite runs on a temp file. PostgreSQL needs `SUNDIAL_TEST_DATABASE_URL`, the admin URL of
//! a server (`scripts/test` starts a throwaway one); each case creates its own database there
//! and drops it when it passes (a failing case leaves it for inspection). Without the variable
//! the PostgreSQL cases fail, unless `SUNDIAL_SKIP_POSTGRES=1` says to skip them.

use std::future::Future;
use std::sync::Arc;

use sqlx::{Connection, Executor, PgConnection};

use crate::test_support::TestSupport;
use crate::{EngineStore, PostgresStore, SqliteStore, Store};

/// The admin URL of the PostgreSQL server tests create their databases on.
pub const DATABASE_URL_VAR: &str = "SUNDIAL_TEST_DATABASE_URL";
/// Set to `1` to skip the PostgreSQL cases deliberately.
pub const SKIP_VAR: &str = "SUNDIAL_SKIP_POSTGRES";

/// The databases a case runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file in a temp directory.
    Sqlite,
    /// A fresh database on the test PostgreSQL server.
    Postgres,
}

/// What a case runs against, opened fresh on one database.
pub trait TestFixture: Sized + Send + 'static {
    /// What must outlive the case and be cleaned up after it (temp files, the database).
    type Guard: Send;

    /// Opens a fresh one on `database`; `None` when that database is skipped on purpose.
    fn open(database: Database) -> impl Future<Output = Option<(Self, Self::Guard)>> + Send;

    /// Cleans up after a case that passed.
    fn finish(guard: Self::Guard) -> impl Future<Output = ()> + Send;
}

/// Runs `case` on a fresh fixture on `database` (what [`on_both_databases!`] expands to).
///
/// [`on_both_databases!`]: crate::on_both_databases
pub async fn run_case<T, F, Fut>(database: Database, case: F)
where
    T: TestFixture,
    F: FnOnce(T) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some((fixture, guard)) = T::open(database).await else {
        return;
    };
    case(fixture).await;
    T::finish(guard).await;
}

/// Runs each listed case once per database, as the tests `sqlite::<case>` and
/// `postgres::<case>`. A case is an `async fn` in the invoking module taking one
/// [`TestFixture`] (e.g. `Arc<dyn TestStore>`, or a crate's own harness).
#[macro_export]
macro_rules! on_both_databases {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    $crate::test_support::run_case(
                        $crate::test_support::Database::Sqlite,
                        super::$case,
                    )
                    .await;
                }
            )*
        }

        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    $crate::test_support::run_case(
                        $crate::test_support::Database::Postgres,
                        super::$case,
                    )
                    .await;
                }
            )*
        }
    };
}

/// For cases that open their own fixtures: which database to open them on.
impl TestFixture for Database {
    type Guard = ();

    async fn open(database: Database) -> Option<(Self, ())> {
        if database == Database::Postgres && postgres_admin_url().is_none() {
            return None;
        }
        Some((database, ()))
    }

    async fn finish((): ()) {}
}

/// Every interface of a store, for cases that use more than one.
pub trait TestStore: Store + EngineStore + TestSupport {}

impl<T: Store + EngineStore + TestSupport> TestStore for T {}

/// What a store case leaves behind.
pub enum StoreGuard {
    /// The SQLite store and its temp directory.
    Sqlite(Arc<SqliteStore>, SqliteFile),
    /// The PostgreSQL store and its database.
    Postgres(Arc<PostgresStore>, PostgresDb),
}

impl TestFixture for Arc<dyn TestStore> {
    type Guard = StoreGuard;

    async fn open(database: Database) -> Option<(Self, StoreGuard)> {
        match database {
            Database::Sqlite => {
                let file = SqliteFile::new();
                let store = Arc::new(
                    SqliteStore::connect(&file.path_str())
                        .await
                        .expect("open SQLite store"),
                );
                Some((store.clone(), StoreGuard::Sqlite(store, file)))
            }
            Database::Postgres => {
                let db = PostgresDb::create().await?;
                let store = Arc::new(
                    PostgresStore::connect(&db.url)
                        .await
                        .expect("open PostgreSQL store"),
                );
                Some((store.clone(), StoreGuard::Postgres(store, db)))
            }
        }
    }

    async fn finish(guard: StoreGuard) {
        match guard {
            StoreGuard::Sqlite(store, _file) => store.close().await,
            StoreGuard::Postgres(store, db) => {
                store.close().await;
                db.drop_database().await;
            }
        }
    }
}

/// A SQLite database file in a fresh temp directory, removed with it.
pub struct SqliteFile {
    /// The file (not created yet).
    pub path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl SqliteFile {
    /// A path in a new temp directory.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        Self {
            path: dir.path().join("sundial.db"),
            _dir: dir,
        }
    }

    /// The path as a string, for `SqliteStore::connect`.
    pub fn path_str(&self) -> String {
        self.path.to_str().expect("utf-8 temp path").to_owned()
    }
}

impl Default for SqliteFile {
    fn default() -> Self {
        Self::new()
    }
}

/// The admin URL, `None` when PostgreSQL is skipped on purpose; panics when it is missing.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var(DATABASE_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var(SKIP_VAR).as_deref() == Ok("1") => {
            loud_note(&format!(
                "{SKIP_VAR}=1 — the PostgreSQL tests were SKIPPED, nothing was checked against \
                 PostgreSQL"
            ));
            None
        }
        _ => panic!(
            "{DATABASE_URL_VAR} is not set. The PostgreSQL tests need the admin URL of a \
             PostgreSQL server (e.g. postgres://postgres@127.0.0.1:55432/postgres); every test \
             creates its own database there (scripts/test starts one). Set {SKIP_VAR}=1 to skip \
             them explicitly."
        ),
    }
}

/// Writes a note once per test binary straight to stderr: libtest captures `eprintln!` of
/// passing tests, and a skipped backend must not go unnoticed.
fn loud_note(note: &str) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "\n!!!!!!!! NOTE: {note} !!!!!!!!\n");
    });
}

/// A fresh, empty PostgreSQL database, dropped by [`PostgresDb::drop_database`].
pub struct PostgresDb {
    /// The server's admin URL.
    pub admin_url: String,
    /// The database's name.
    pub name: String,
    /// The database's URL.
    pub url: String,
}

impl PostgresDb {
    /// Creates one on the test server; `None` when PostgreSQL is skipped on purpose.
    pub async fn create() -> Option<Self> {
        let admin_url = postgres_admin_url()?;
        let name = format!("sundial_test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .expect("connect to the admin URL");
        // A natural-language collation, as production databases often have, so a query that
        // depends on the database's collation (e.g. ORDER BY name without COLLATE "C") shows
        // up as a difference from SQLite. Servers built without ICU get the default.
        let icu = format!(
            "CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"
        );
        if admin.execute(sqlx::AssertSqlSafe(icu)).await.is_err() {
            loud_note("PostgreSQL has no ICU; test databases use the server's default collation");
            admin
                .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .await
                .expect("create test database");
        }
        admin.close().await.ok();
        let mut url = url::Url::parse(&admin_url).expect("the admin URL is a URL");
        url.set_path(&name);
        Some(Self {
            admin_url,
            name,
            url: url.to_string(),
        })
    }

    /// Drops the database, closing whatever still uses it.
    pub async fn drop_database(self) {
        let mut admin = PgConnection::connect(&self.admin_url)
            .await
            .expect("connect to the admin URL");
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            )))
            .await
            .expect("drop test database");
        admin.close().await.ok();
    }
}
