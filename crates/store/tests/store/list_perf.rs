//! Task list speed at scale: 100,000 tasks in one tenant plus 100,000 spread over 100 others.
//! Prints page-1 timings for every sort field and direction, with and without a keyword, and
//! the query plans. Ignored by default (loading takes a while); run with
//!
//! ```text
//! SUNDIAL_TEST_DATABASE_URL=postgres://… cargo test -p store --test store list_perf -- --ignored --nocapture
//! ```

use std::time::{Duration, Instant};

use store::test_support::{PostgresDb, SqliteFile, TestSupport};
use store::{PostgresStore, SqliteStore, Store, TaskQuery, TaskSort, TaskSortField};

const ROWS: i64 = 200_000;
const BIG_TENANT_ROWS: i64 = 100_000;

/// Row `i` of the load, written once for both databases; `{uuid}` and `{series}` differ.
fn load_sql(uuid: &str, series_prefix: &str, series_from: &str) -> String {
    format!(
        "{series_prefix} INSERT INTO scheduled_tasks (uuid, tenant_id, name, code, description, type, \
         trigger_type, trigger_config, task_config, inngest_function_id, is_active, \
         last_run_at, last_run_status, created_at, updated_at, next_run_at, timezone, retry_policy, \
         timeout_seconds, overlap_policy, misfire_policy, misfire_grace_seconds, jitter_seconds, \
         version, created_by, updated_by, search_text) \
         SELECT {uuid}, CASE WHEN i <= {BIG_TENANT_ROWS} THEN 1 ELSE 2 + (i % 100) END, \
           'Task ' || i || ' ' || w, 'code-' || i, NULL, 'api_call', 'cron', \
           '{{\"cron\": \"0 0 * * *\", \"timezone\": \"UTC\"}}', \
           '{{\"url\": \"https://example.com/\", \"method\": \"GET\"}}', 'scheduled-task-' || i, \
           (i % 7) <> 0, \
           CASE WHEN i % 2 = 0 THEN NULL ELSE 1893456000000 + ((i * 7919) % 1000003) * 1000 END, \
           CASE WHEN i % 2 = 0 THEN NULL WHEN i % 5 = 0 THEN 'failed' ELSE 'succeeded' END, \
           1893456000000 + ((i * 104729) % 1000003) * 1000, \
           1893456000000 + ((i * 1299709) % 1000003) * 1000, \
           CASE WHEN i % 10 = 0 THEN NULL ELSE 1893456000000 + ((i * 15485863) % 1000003) * 1000 END, \
           'UTC', '{{\"max_retries\": 3, \"retry_delay_seconds\": 60, \"backoff\": \"fixed\"}}', \
           30, 'skip', 'fire_once', 60, 0, 1, 'bench', 'bench', \
           'task ' || i || ' ' || w || ' code-' || i \
         FROM (SELECT i, CASE i % 10 WHEN 0 THEN 'report' WHEN 1 THEN 'sync' WHEN 2 THEN 'backup' \
               WHEN 3 THEN 'cleanup' WHEN 4 THEN 'billing' WHEN 5 THEN 'email' WHEN 6 THEN 'export' \
               WHEN 7 THEN 'import' WHEN 8 THEN 'index' ELSE 'notify' END AS w {series_from}) AS s"
    )
}

async fn measure<S: Store + TestSupport>(label: &str, store: &S) {
    let tenant = crate::common::tenant(1);
    println!(
        "\n=== {label}: {BIG_TENANT_ROWS} tasks in tenant 1, {} in 100 others ===",
        ROWS - BIG_TENANT_ROWS
    );
    println!(
        "{:<13} {:<5} {:<16} {:>10} {:>10}",
        "sort", "dir", "keyword", "median", "max"
    );
    let keywords = [None, Some("report"), Some("task 4242")];
    let mut plans = Vec::new();
    for field in TaskSortField::ALL {
        for descending in [false, true] {
            for keyword in keywords {
                let query = TaskQuery {
                    keyword: keyword.map(str::to_owned),
                    sort: TaskSort { field, descending },
                    page: 1,
                    page_size: 20,
                    ..TaskQuery::default()
                };
                let mut times = Vec::new();
                let mut total = 0;
                for _ in 0..7 {
                    let start = Instant::now();
                    let page = store.list_tasks(tenant, &query).await.expect("list");
                    times.push(start.elapsed());
                    total = page.total;
                    assert_eq!(page.items.len() as u64, total.min(20));
                }
                // The first run warms caches and prepares statements; report the rest.
                let mut times = times.split_off(1);
                times.sort();
                println!(
                    "{:<13} {:<5} {:<16} {:>8.1}ms {:>8.1}ms  (total {total})",
                    field.as_str(),
                    if descending { "desc" } else { "asc" },
                    keyword.unwrap_or("-"),
                    ms(times[times.len() / 2]),
                    ms(times[times.len() - 1]),
                );
                if field != TaskSortField::UpdatedAt {
                    plans.push((
                        query.clone(),
                        store
                            .explain_list_tasks_for_tests(tenant, &query)
                            .await
                            .expect("explain"),
                    ));
                }
            }
        }
    }
    println!("\n--- {label} plans ---");
    for (query, (count, page)) in plans {
        println!(
            "## sort {} {} keyword {:?}\ncount:\n{count}page:\n{page}",
            query.sort.field.as_str(),
            if query.sort.descending { "desc" } else { "asc" },
            query.keyword
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "loads 200,000 rows; run by hand"]
async fn sqlite_list_at_100k() {
    let file = SqliteFile::new();
    let store = SqliteStore::connect(&file.path_str())
        .await
        .expect("open SQLite store");
    let start = Instant::now();
    let sql = load_sql(
        "randomblob(16)",
        &format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS})"
        ),
        "FROM n",
    );
    store.execute_sql_for_tests(&sql).await.expect("load");
    println!(
        "loaded in {:.1}s (no ANALYZE, as in production)",
        start.elapsed().as_secs_f64()
    );
    measure("SQLite", &store).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "loads 200,000 rows; run by hand"]
async fn postgres_list_at_100k() {
    let Some(db) = PostgresDb::create().await else {
        return;
    };
    let store = PostgresStore::connect(&db.url)
        .await
        .expect("open PostgreSQL store");
    let start = Instant::now();
    let sql = load_sql(
        "gen_random_uuid()",
        "",
        &format!("FROM generate_series(CAST(1 AS BIGINT), {ROWS}) AS g(i)"),
    );
    store.execute_sql_for_tests(&sql).await.expect("load");
    // VACUUM cannot run inside a transaction, so not through the store.
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url)
        .await
        .expect("connect");
    sqlx::Executor::execute(&mut conn, "VACUUM ANALYZE scheduled_tasks")
        .await
        .expect("vacuum");
    sqlx::Connection::close(conn).await.ok();
    println!(
        "loaded in {:.1}s (then VACUUM ANALYZE, as autovacuum would)",
        start.elapsed().as_secs_f64()
    );
    measure("PostgreSQL", &store).await;
    store.close().await;
    db.drop_database().await;
}
