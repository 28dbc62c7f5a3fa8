//! Test databases and task fixtures shared by the conformance suite and the list benchmark.

#![allow(dead_code)]

use std::sync::Arc;

use domain::{
    RetryPolicy, Task, TaskCode, TaskConfig, TaskDefinition, TaskName, TaskType, TaskUuid,
    TenantId, Trigger, TriggerType,
};
use jiff::Timestamp;
use serde_json::{Value, json};
use sqlx::{Connection, Executor, PgConnection};
use store::{Change, NewTask, PostgresStore, SqliteStore, Store};

/// The admin URL of the PostgreSQL server tests create their databases on.
pub const DATABASE_URL_VAR: &str = "SUNDIAL_TEST_DATABASE_URL";
/// Set to `1` to skip the PostgreSQL tests deliberately.
pub const SKIP_VAR: &str = "SUNDIAL_SKIP_POSTGRES";

/// A store on a fresh SQLite file that lives as long as this value.
pub struct SqliteDb {
    pub store: Arc<SqliteStore>,
    pub path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl SqliteDb {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("sundial.db");
        let store = SqliteStore::connect(path.to_str().expect("utf-8 temp path"))
            .await
            .expect("open SQLite store");
        Self {
            store: Arc::new(store),
            path,
            _dir: dir,
        }
    }

    pub async fn finish(self) {
        self.store.close().await;
    }
}

/// The admin URL, `None` when PostgreSQL is skipped on purpose; panics when it is missing.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var(DATABASE_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var(SKIP_VAR).as_deref() == Ok("1") => {
            loud_note(&format!(
                "{SKIP_VAR}=1 — the PostgreSQL conformance tests were SKIPPED, nothing was checked \
                 against PostgreSQL"
            ));
            None
        }
        _ => panic!(
            "{DATABASE_URL_VAR} is not set. The PostgreSQL conformance tests need the admin URL of a \
             PostgreSQL server (e.g. postgres://postgres@127.0.0.1:55432/postgres); every test creates \
             its own database there. Set {SKIP_VAR}=1 to skip them explicitly."
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

/// A fresh, empty PostgreSQL database, dropped by [`PostgresDb::finish`] (a failing test leaves
/// it behind for inspection).
pub struct PostgresDb {
    pub admin_url: String,
    pub name: String,
    pub url: String,
}

impl PostgresDb {
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
        let mut url = url::Url::parse(&admin_url).expect("admin URL is a URL");
        url.set_path(&name);
        Some(Self {
            admin_url,
            name,
            url: url.to_string(),
        })
    }

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

/// A store on a fresh PostgreSQL database.
pub struct PgStoreDb {
    pub store: Arc<PostgresStore>,
    pub db: PostgresDb,
}

impl PgStoreDb {
    pub async fn new() -> Option<Self> {
        let db = PostgresDb::create().await?;
        let store = PostgresStore::connect(&db.url)
            .await
            .expect("open PostgreSQL store");
        Some(Self {
            store: Arc::new(store),
            db,
        })
    }

    pub async fn finish(self) {
        self.store.close().await;
        self.db.drop_database().await;
    }
}

pub fn tenant(n: i64) -> TenantId {
    TenantId::new(n).expect("positive tenant")
}

/// An instant `ms` milliseconds after 2030-01-01T00:00:00Z (stores keep milliseconds).
pub fn at(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(1_893_456_000_000 + ms).expect("in range")
}

pub fn change(tenant_id: TenantId, actor: &str, ms: i64) -> Change<'_> {
    Change {
        tenant: tenant_id,
        actor,
        at: at(ms),
    }
}

pub fn trigger(trigger_type: TriggerType, config: Value) -> Trigger {
    Trigger::parse(trigger_type, &config).expect("valid trigger")
}

pub fn config(task_type: TaskType, config: Value) -> TaskConfig {
    TaskConfig::parse(task_type, &config).expect("valid task config")
}

/// An active api_call task on a daily cron with default policies.
pub fn definition(name: &str, code: &str) -> TaskDefinition {
    TaskDefinition {
        name: TaskName::parse(name).expect("valid name"),
        code: TaskCode::parse(code).expect("valid code"),
        description: None,
        trigger: trigger(TriggerType::Cron, json!({"cron": "0 0 * * *"})),
        config: config(
            TaskType::ApiCall,
            json!({"url": "https://api.example.com/endpoint"}),
        ),
        is_active: true,
        retry_policy: RetryPolicy::default(),
        timeout_seconds: 30,
        overlap_policy: Default::default(),
        misfire_policy: Default::default(),
        misfire_grace_seconds: 60,
    }
}

pub fn new_task(
    tenant_id: TenantId,
    definition: TaskDefinition,
    next_run_at: Option<Timestamp>,
) -> NewTask {
    NewTask {
        uuid: TaskUuid::new_v7(),
        tenant: tenant_id,
        definition,
        next_run_at,
    }
}

/// Creates an active cron task named `name` with code `code` at instant `ms`.
pub async fn create<S: Store>(
    store: &S,
    tenant_id: TenantId,
    name: &str,
    code: &str,
    ms: i64,
) -> Task {
    store
        .create_task(
            new_task(tenant_id, definition(name, code), Some(at(ms + 60_000))),
            change(tenant_id, "alice", ms),
        )
        .await
        .expect("create task")
}
