//! Upgrading a database made by the previous schema. `previous.sqlite.sql` and
//! `previous.postgres.sql` are dumps of databases migrated up to the migration before the newest
//! and filled with [`populate`]'s tenants, tasks (one deleted), versions, audit entries, runs of
//! every status, log lines and tenant settings. Each test loads its dump, opens it with the
//! current store (which applies the newer migrations, as `sundial migrate` does) and reads
//! everything back through the store API: it must equal what the same writes give on a fresh
//! database of the current schema.
//!
//! After adding a migration, rewrite both dumps at the schema before it (needs
//! `SUNDIAL_TEST_DATABASE_URL`, `sqlite3` and `pg_dump`):
//! `cargo test -p store --test store -- --ignored --exact migrations::make_fixtures`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use domain::{
    Backoff, Description, LogStream, MisfirePolicy, OverlapPolicy, RetryPolicy, Run, RunLogLine,
    RunStatus, RunTrigger, RunUuid, SkipReason, Task, TaskType, TaskUuid, TenantId, TriggerType,
};
use serde_json::json;
use sqlx::{Connection, Executor};
use store::test_support::{Database, PostgresDb, SqliteFile, TestFixture, TestStore, TestSupport};
use store::{PostgresStore, RunQuery, SqliteStore, TaskQuery};
use uuid::Uuid;

use crate::common::{at, change, config, definition, tenant, trigger};

const TENANTS: [i64; 3] = [1, 2, 3];

/// The newest migration applied.
const SCHEMA_VERSION: &str = "SELECT MAX(version) FROM _sqlx_migrations";

const STALE: &str = "the fixture is not at the schema before the newest migration: rewrite it \
                     (see the doc of crates/store/tests/store/migrations/mod.rs)";

/// The tables the fixtures fill, parents before children (foreign keys); any other table of the
/// schema comes after them.
const TABLE_ORDER: [&str; 5] = [
    "scheduled_tasks",
    "task_runs",
    "task_run_logs",
    "task_versions",
    "audit_log",
];

fn migrations(backend: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend)
}

fn fixture(backend: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/store/migrations")
        .join(format!("previous.{backend}.sql"))
}

/// The migrations of `backend` by version, oldest first.
fn migration_files(backend: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(migrations(backend))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    files
}

/// The version of the newest migration but one: the schema the fixtures must have.
fn previous_version(backend: &str) -> i64 {
    let files = migration_files(backend);
    let previous = &files[files.len() - 2];
    previous.file_name().unwrap().to_str().unwrap()[..4]
        .parse()
        .unwrap()
}

fn fixed(n: u128) -> Uuid {
    Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0000 | n)
}

fn task_uuid(n: u128) -> TaskUuid {
    TaskUuid(fixed(n))
}

fn run_uuid(n: u128) -> RunUuid {
    RunUuid(fixed(0x1000 + n))
}

/// A run of `task` at `ms` with the given status and nothing else recorded.
fn run(n: u128, task: &Task, ms: i64, status: RunStatus) -> Run {
    Run {
        uuid: run_uuid(n),
        task_uuid: task.uuid,
        task_version: task.version,
        trigger: RunTrigger::Schedule,
        scheduled_for: at(ms),
        occurrences: 1,
        status,
        skip_reason: None,
        attempt: 1,
        max_attempts: 4,
        rescues: 0,
        requeues: 0,
        queued_at: at(ms),
        started_at: None,
        finished_at: None,
        duration_ms: None,
        result: None,
        error: None,
        logs_pruned_at: None,
        args: None,
        parent: None,
        next_attempt_at: None,
    }
}

fn line(attempt: i32, seq: i64, ms: i64, stream: LogStream, text: &str) -> RunLogLine {
    RunLogLine {
        attempt,
        seq,
        ts: at(ms),
        stream,
        line: text.to_owned(),
    }
}

/// What the fixtures hold, written through the store API at fixed instants and uuids.
async fn populate(store: &(impl TestSupport + ?Sized)) {
    let (t1, t2, t3) = (tenant(1), tenant(2), tenant(3));
    let nightly = store
        .create_task(
            store::NewTask {
                uuid: task_uuid(1),
                tenant: t1,
                definition: domain::TaskDefinition {
                    description: Some(Description::parse("Sends the daily report").unwrap()),
                    ..definition("Nightly report", "nightly-report")
                },
                next_run_at: Some(at(86_400_000)),
            },
            change(t1, "alice", 0),
        )
        .await
        .unwrap();
    let python = store
        .create_task(
            store::NewTask {
                uuid: task_uuid(2),
                tenant: t1,
                definition: domain::TaskDefinition {
                    trigger: trigger(TriggerType::Interval, json!({"seconds": 3600})),
                    config: config(
                        TaskType::PythonScript,
                        json!({"script": "print('héllo')\n", "args": {"n": 1}}),
                    ),
                    retry_policy: RetryPolicy {
                        max_retries: 2,
                        retry_delay_seconds: 10,
                        backoff: Backoff::Exponential,
                        max_delay_seconds: Some(300),
                    },
                    timeout_seconds: 120,
                    overlap_policy: OverlapPolicy::QueueOne,
                    misfire_policy: MisfirePolicy::FireAll,
                    misfire_grace_seconds: 600,
                    ..definition("Python job", "python-job")
                },
                next_run_at: Some(at(3_600_000)),
            },
            change(t1, "alice", 10),
        )
        .await
        .unwrap();
    let nightly = store
        .update_task(
            nightly.uuid,
            Some(1),
            domain::TaskDefinition {
                trigger: trigger(
                    TriggerType::Cron,
                    json!({"cron": "30 1 * * *", "timezone": "Europe/Berlin"}),
                ),
                ..definition("Nightly report (EU)", "nightly-report")
            },
            Some(at(91_800_000)),
            change(t1, "bob", 1_000),
        )
        .await
        .unwrap();
    store
        .set_active(python.uuid, None, false, None, change(t1, "carol", 2_000))
        .await
        .unwrap();
    let doomed = store
        .create_task(
            store::NewTask {
                uuid: task_uuid(3),
                tenant: t1,
                definition: definition("Old job", "old-job"),
                next_run_at: Some(at(86_400_000)),
            },
            change(t1, "alice", 20),
        )
        .await
        .unwrap();
    let other = store
        .create_task(
            store::NewTask {
                uuid: task_uuid(4),
                tenant: t2,
                definition: definition("每日报表 Ünïcode", "nightly-report"),
                next_run_at: Some(at(86_400_000)),
            },
            change(t2, "zhang", 30),
        )
        .await
        .unwrap();
    store
        .create_task(
            store::NewTask {
                uuid: task_uuid(5),
                tenant: t3,
                definition: domain::TaskDefinition {
                    trigger: trigger(TriggerType::Date, json!({"at": "2030-06-01T12:00:00Z"})),
                    ..definition("Once", "once")
                },
                next_run_at: Some(at(13_089_600_000)),
            },
            change(t3, "admin", 40),
        )
        .await
        .unwrap();
    store
        .set_tenant_egress_allow(Some("10.0.0.0/8:443"), change(t3, "admin", 4_000))
        .await
        .unwrap();

    let runs = [
        Run {
            attempt: 2,
            started_at: Some(at(100_500)),
            finished_at: Some(at(100_900)),
            duration_ms: Some(400),
            result: Some(json!({"status": 200, "body": "ok"})),
            ..run(1, &nightly, 100_000, RunStatus::Succeeded)
        },
        Run {
            attempt: 4,
            started_at: Some(at(200_100)),
            finished_at: Some(at(200_200)),
            duration_ms: Some(100),
            error: Some("HTTP 500 from api.example.com".into()),
            ..run(2, &nightly, 200_000, RunStatus::Failed)
        },
        Run {
            occurrences: 5,
            skip_reason: Some(SkipReason::Misfire),
            ..run(3, &nightly, 300_000, RunStatus::Skipped)
        },
        Run {
            trigger: RunTrigger::Manual,
            ..run(4, &nightly, 400_000, RunStatus::Queued)
        },
        Run {
            attempt: 3,
            max_attempts: 6,
            rescues: 1,
            requeues: 1,
            started_at: Some(at(500_100)),
            ..run(5, &nightly, 500_000, RunStatus::Running)
        },
        Run {
            trigger: RunTrigger::CatchUp,
            error: Some("timed out after 30 s".into()),
            ..run(6, &nightly, 50_000, RunStatus::TimedOut)
        },
        Run {
            error: Some("cancelled by bob".into()),
            ..run(7, &nightly, 600_000, RunStatus::Cancelled)
        },
        Run {
            started_at: Some(at(700_100)),
            finished_at: Some(at(700_300)),
            duration_ms: Some(200),
            result: Some(json!({"rows": [1, 2, 3]})),
            ..run(8, &python, 700_000, RunStatus::Succeeded)
        },
        run(9, &doomed, 800_000, RunStatus::Succeeded),
        run(10, &other, 900_000, RunStatus::Queued),
    ];
    for (run, tenant) in runs.iter().zip([t1, t1, t1, t1, t1, t1, t1, t1, t1, t2]) {
        store.insert_run_for_tests(tenant, run).await.unwrap();
    }
    store
        .insert_run_logs_for_tests(
            t1,
            run_uuid(1),
            &[
                line(
                    1,
                    0,
                    100_100,
                    LogStream::System,
                    "POST https://api.example.com/",
                ),
                line(1, 1, 100_200, LogStream::Stderr, "HTTP 503"),
                line(2, 0, 100_600, LogStream::Stdout, "HTTP 200 ok"),
            ],
        )
        .await
        .unwrap();
    store
        .insert_run_logs_for_tests(
            t1,
            run_uuid(8),
            &[
                line(1, 0, 700_150, LogStream::Stdout, "héllo"),
                line(1, 1, 700_250, LogStream::System, "wall 0.2 s, cpu 0.1 s"),
            ],
        )
        .await
        .unwrap();
    store
        .delete_tasks(&[doomed.uuid], change(t1, "alice", 3_000))
        .await
        .unwrap();
}

/// Everything the store API shows of the fixtures' tenants, as text: the types' `Debug`.
async fn snapshot(store: &(impl TestStore + ?Sized)) -> Vec<String> {
    let mut seen = Vec::new();
    // Migration 0008 counts the stored log lines of existing runs as the store counts new ones.
    seen.push(format!(
        "log bytes: {:?}",
        store.tenants_log_bytes(0).await.unwrap()
    ));
    for id in TENANTS {
        let t: TenantId = tenant(id);
        let tasks = store
            .list_tasks(
                t,
                &TaskQuery {
                    page: 1,
                    page_size: 100,
                    ..TaskQuery::default()
                },
            )
            .await
            .unwrap();
        seen.push(format!("tenant {id}: {} tasks", tasks.total));
        seen.push(format!("{:?}", store.tenant_settings(t).await.unwrap()));
        for task in &tasks.items {
            seen.push(format!("{task:?}"));
            seen.push(format!(
                "{:?}",
                store.task_versions(t, task.uuid, 1, 100).await.unwrap()
            ));
            seen.push(format!(
                "{:?}",
                store.audit_log_for_tests(t, task.uuid).await.unwrap()
            ));
            seen.push(format!(
                "{:?}",
                store.run_stats(t, task.uuid).await.unwrap()
            ));
            let runs = store
                .list_runs(
                    t,
                    task.uuid,
                    &RunQuery {
                        page: 1,
                        page_size: 100,
                        ..RunQuery::default()
                    },
                )
                .await
                .unwrap();
            for run in &runs.items {
                assert_eq!(
                    store.get_run(t, run.uuid).await.unwrap().as_ref(),
                    Some(run)
                );
                seen.push(format!("{run:?}"));
                seen.push(format!("{:?}", store.run_logs(t, run.uuid).await.unwrap()));
            }
        }
    }
    let doomed = task_uuid(3);
    seen.push(format!(
        "deleted: {:?} {:?} {:?}",
        store.get_task(tenant(1), doomed).await.unwrap(),
        store
            .task_row_for_tests(doomed)
            .await
            .unwrap()
            .map(|r| r.deleted_at),
        store.audit_log_for_tests(tenant(1), doomed).await.unwrap(),
    ));
    seen
}

/// What any reading of the fixtures must find, whatever the current code writes.
fn assert_fixture_content(seen: &[String]) {
    let has = |text: &str| seen.iter().any(|s| s.contains(text));
    for expected in [
        "tenant 1: 2 tasks",
        "tenant 2: 1 tasks",
        "tenant 3: 1 tasks",
        "Nightly report (EU)",
        "Europe/Berlin",
        "每日报表 Ünïcode",
        "10.0.0.0/8:443",
        "HTTP 500 from api.example.com",
        "\"héllo\"",
        "rescues: 1, requeues: 1",
        "occurrences: 5",
        "deleted: None Some(Some(1893456003000))",
        "bytes: 80 }]",
    ] {
        assert!(has(expected), "{expected:?} not in {seen:#?}");
    }
    let runs = seen.iter().filter(|s| s.starts_with("Run {")).count();
    assert_eq!(runs, 9, "every run of the live tasks: {seen:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_database_of_the_previous_schema_migrates_with_every_task_and_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sundial.db");
    {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true);
        let mut conn = sqlx::SqliteConnection::connect_with(&options)
            .await
            .unwrap();
        conn.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(
            std::fs::read_to_string(fixture("sqlite")).unwrap(),
        )))
        .await
        .unwrap();
        let (version,): (i64,) = sqlx::query_as(SCHEMA_VERSION)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(version, previous_version("sqlite"), "{STALE}");
        conn.close().await.unwrap();
    }
    let migrated = SqliteStore::connect(path.to_str().unwrap()).await.unwrap();
    let seen = snapshot(&migrated).await;
    migrated.close().await;
    assert_fixture_content(&seen);

    same_as_on_a_fresh_database(Database::Sqlite, &seen).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_database_of_the_previous_schema_migrates_with_every_task_and_run() {
    let Some(db) = PostgresDb::create().await else {
        return;
    };
    {
        let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
        conn.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(
            std::fs::read_to_string(fixture("postgres")).unwrap(),
        )))
        .await
        .unwrap();
        // pg_dump's script empties the session's search_path.
        conn.execute("RESET search_path").await.unwrap();
        let (version,): (i64,) = sqlx::query_as(SCHEMA_VERSION)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(version, previous_version("postgres"), "{STALE}");
        conn.close().await.unwrap();
    }
    let migrated = PostgresStore::connect(&db.url).await.unwrap();
    let seen = snapshot(&migrated).await;
    migrated.close().await;
    db.drop_database().await;
    assert_fixture_content(&seen);

    same_as_on_a_fresh_database(Database::Postgres, &seen).await;
}

/// Asserts that [`populate`] on a fresh database of the current schema gives `seen`.
async fn same_as_on_a_fresh_database(database: Database, seen: &[String]) {
    let (fresh, guard) = <Arc<dyn TestStore>>::open(database)
        .await
        .expect("the database of the migrated one");
    populate(&*fresh).await;
    assert_eq!(seen, snapshot(&*fresh).await);
    <Arc<dyn TestStore>>::finish(guard).await;
}

/// A migrator of every migration of `backend` but the newest, from a copy of their files.
async fn previous_migrator(backend: &str) -> (sqlx::migrate::Migrator, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let files = migration_files(backend);
    for file in &files[..files.len() - 1] {
        std::fs::copy(file, dir.path().join(file.file_name().unwrap())).unwrap();
    }
    let migrator = sqlx::migrate::Migrator::new(dir.path()).await.unwrap();
    (migrator, dir)
}

/// `tables` with the fixtures' own first, in [`TABLE_ORDER`].
fn in_order(mut tables: Vec<String>) -> Vec<String> {
    tables.sort_by_key(|t| {
        (
            TABLE_ORDER
                .iter()
                .position(|o| o == t)
                .unwrap_or(TABLE_ORDER.len()),
            t.clone(),
        )
    });
    tables
}

fn header(backend: &str) -> String {
    format!(
        "-- A Sundial database at schema {:04} (the migration before the newest), holding the\n\
         -- rows of migrations::populate. Made by migrations::make_fixtures; see\n\
         -- crates/store/tests/store/migrations/mod.rs.\n",
        previous_version(backend)
    )
}

/// Rewrites both fixtures: a database at the previous schema holding the rows `populate` writes
/// through the current store, each row copied without the columns newer migrations added.
#[tokio::test]
#[ignore = "rewrites the committed fixtures; run by hand after adding a migration"]
async fn make_fixtures() {
    // SQLite: the current store writes into a scratch file, attached to the old database.
    let scratch = SqliteFile::new();
    let store = SqliteStore::connect(&scratch.path_str()).await.unwrap();
    populate(&store).await;
    store.close().await;
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("previous.db");
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&old)
        .create_if_missing(true);
    let mut conn = sqlx::SqliteConnection::connect_with(&options)
        .await
        .unwrap();
    let (migrator, _files) = previous_migrator("sqlite").await;
    migrator.run(&mut conn).await.unwrap();
    sqlx::query("ATTACH DATABASE $1 AS scratch")
        .bind(scratch.path.to_str().unwrap())
        .execute(&mut conn)
        .await
        .unwrap();
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for table in in_order(tables.into_iter().map(|(t,)| t).collect()) {
        // The old table's columns the current one still has; a column a newer migration
        // dropped keeps its default.
        let columns: Vec<(String,)> = sqlx::query_as(
            "SELECT name FROM pragma_table_info($1) \
             WHERE name IN (SELECT name FROM pragma_table_info($1, 'scratch')) ORDER BY cid",
        )
        .bind(&table)
        .fetch_all(&mut conn)
        .await
        .unwrap();
        let columns = columns
            .into_iter()
            .map(|(c,)| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        conn.execute(sqlx::AssertSqlSafe(format!(
            "DELETE FROM main.\"{table}\"; \
             INSERT INTO main.\"{table}\" ({columns}) SELECT {columns} FROM scratch.\"{table}\""
        )))
        .await
        .unwrap();
    }
    conn.execute("DETACH DATABASE scratch").await.unwrap();
    conn.close().await.unwrap();
    let dump = std::process::Command::new("sqlite3")
        .arg(&old)
        .arg(".dump")
        .output()
        .expect("sqlite3");
    assert!(dump.status.success(), "{dump:?}");
    std::fs::write(
        fixture("sqlite"),
        header("sqlite") + &String::from_utf8(dump.stdout).unwrap(),
    )
    .unwrap();

    // PostgreSQL: the rows go from the scratch database to the old one as JSON, which
    // json_populate_recordset reads into the old table's columns, leaving out newer ones.
    let scratch = PostgresDb::create()
        .await
        .expect("SUNDIAL_TEST_DATABASE_URL");
    let store = PostgresStore::connect(&scratch.url).await.unwrap();
    populate(&store).await;
    let old = PostgresDb::create().await.unwrap();
    let mut from = sqlx::PgConnection::connect(&scratch.url).await.unwrap();
    let mut to = sqlx::PgConnection::connect(&old.url).await.unwrap();
    let (migrator, _files) = previous_migrator("postgres").await;
    migrator.run(&mut to).await.unwrap();
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut to)
    .await
    .unwrap();
    for table in in_order(tables.into_iter().map(|(t,)| t).collect()) {
        let (rows,): (String,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COALESCE(json_agg(t), '[]')::text FROM \"{table}\" t"
        )))
        .fetch_one(&mut from)
        .await
        .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM \"{table}\"")))
            .execute(&mut to)
            .await
            .unwrap();
        // As for SQLite: the columns both tables have.
        let columns_of = "SELECT column_name::text FROM information_schema.columns \
                          WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position";
        let current: Vec<(String,)> = sqlx::query_as(columns_of)
            .bind(&table)
            .fetch_all(&mut from)
            .await
            .unwrap();
        let columns: Vec<(String,)> = sqlx::query_as(columns_of)
            .bind(&table)
            .fetch_all(&mut to)
            .await
            .unwrap();
        let columns = columns
            .into_iter()
            .filter(|c| current.contains(c))
            .map(|(c,)| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO \"{table}\" ({columns}) OVERRIDING SYSTEM VALUE \
             SELECT {columns} FROM json_populate_recordset(NULL::\"{table}\", $1::json)"
        )))
        .bind(rows)
        .execute(&mut to)
        .await
        .unwrap();
        if TABLE_ORDER.contains(&table.as_str()) {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), MAX(id)) FROM \"{table}\""
            )))
            .execute(&mut to)
            .await
            .unwrap();
        }
    }
    from.close().await.unwrap();
    to.close().await.unwrap();
    let dump = std::process::Command::new("pg_dump")
        .args([
            "--inserts",
            "--no-owner",
            "--no-privileges",
            "--no-comments",
        ])
        .arg(format!("--dbname={}", old.url))
        .output()
        .expect("pg_dump");
    assert!(dump.status.success(), "{dump:?}");
    // psql meta-commands (`\restrict` in newer pg_dump) are not SQL.
    let sql: String = String::from_utf8(dump.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('\\'))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(fixture("postgres"), header("postgres") + &sql).unwrap();
    old.drop_database().await;
    store.close().await;
    scratch.drop_database().await;
}
