//! Keyword search through the trigram indexes (FTS5 on SQLite, `pg_trgm` on PostgreSQL): the
//! index follows every change of a task's name and code, needles too short for a trigram still
//! match by the scan, so the answers are those of a plain `LIKE`, and a PostgreSQL role that may
//! not create the extension gets the same answers without the index. Also the record of the
//! start-up schedule scan that lets a restart at scale skip it.

use std::sync::Arc;

use domain::TaskUuid;
use jiff::Timestamp;
use sqlx::{Connection, Executor, PgConnection};
use store::on_both_databases;
use store::prelude::*;
use store::test_support::{PostgresDb, TestStore};
use store::{Page, PostgresStore, TaskQuery};

use crate::common::{at, change, create, definition, tenant};

on_both_databases!(
    the_index_follows_creates_edits_deletes_and_restores,
    needles_shorter_than_a_trigram_match_by_the_scan,
    an_indexed_keyword_combines_with_filters_sorts_and_pages,
    the_schedule_scan_record_starts_empty_and_keeps_the_last_key,
);

fn keyword(k: &str) -> TaskQuery {
    TaskQuery {
        keyword: Some(k.to_owned()),
        page: 1,
        page_size: 100,
        ..TaskQuery::default()
    }
}

fn codes(page: &Page<domain::Task>) -> Vec<String> {
    let mut codes: Vec<String> = page
        .items
        .iter()
        .map(|t| t.definition.code.as_str().to_owned())
        .collect();
    codes.sort();
    codes
}

async fn find(store: &dyn TestStore, t: i64, query: TaskQuery) -> Vec<String> {
    let page = store.list_tasks(tenant(t), &query).await.expect("list");
    assert_eq!(page.total as usize, page.items.len(), "{query:?}");
    codes(&page)
}

async fn the_index_follows_creates_edits_deletes_and_restores(store: Arc<dyn TestStore>) {
    let t = tenant(1);
    let nightly = create(&*store, t, "Nightly ledger rollup", "ledger-1", 0).await;
    create(&*store, t, "Hourly sync", "sync-1", 1).await;
    assert_eq!(find(&*store, 1, keyword("ledger")).await, ["ledger-1"]);
    assert_eq!(find(&*store, 1, keyword("ger roll")).await, ["ledger-1"]);

    let renamed = store
        .update_task(
            nightly.uuid,
            Some(1),
            definition("Nightly invoice run", "invoice-1"),
            Some(at(120_000)),
            change(t, "bob", 2),
        )
        .await
        .expect("update");
    assert_eq!(
        find(&*store, 1, keyword("ledger")).await,
        Vec::<String>::new()
    );
    assert_eq!(find(&*store, 1, keyword("invoice")).await, ["invoice-1"]);
    assert_eq!(find(&*store, 1, keyword("ice-1")).await, ["invoice-1"]);

    store
        .delete_tasks(&[renamed.uuid], change(t, "bob", 3))
        .await
        .expect("delete");
    assert_eq!(
        find(&*store, 1, keyword("invoice")).await,
        Vec::<String>::new()
    );
    // A new task may take the deleted one's code and words.
    create(&*store, t, "Weekly invoice run", "invoice-1", 4).await;
    assert_eq!(find(&*store, 1, keyword("invoice")).await, ["invoice-1"]);
    store
        .delete_tasks(
            &[find_uuid(&*store, "invoice-1").await],
            change(t, "bob", 5),
        )
        .await
        .expect("delete the new one");
    store
        .restore_deleted(renamed.uuid, Timestamp::UNIX_EPOCH, change(t, "carol", 6))
        .await
        .expect("restore");
    let restored = store
        .list_tasks(t, &keyword("nightly invoice"))
        .await
        .expect("list");
    assert_eq!(restored.items.len(), 1);
    assert_eq!(restored.items[0].uuid, renamed.uuid);
}

async fn find_uuid(store: &dyn TestStore, code: &str) -> TaskUuid {
    let query = TaskQuery {
        code: Some(code.to_owned()),
        page: 1,
        page_size: 1,
        ..TaskQuery::default()
    };
    store
        .list_tasks(tenant(1), &query)
        .await
        .expect("list")
        .items[0]
        .uuid
}

async fn needles_shorter_than_a_trigram_match_by_the_scan(store: Arc<dyn TestStore>) {
    let t = tenant(2);
    create(&*store, t, "Ab", "x1", 0).await;
    create(&*store, t, "Über q", "x2", 1).await;
    create(&*store, t, "zz", "q7", 2).await;
    assert_eq!(find(&*store, 2, keyword("b")).await, ["x1", "x2"]);
    assert_eq!(find(&*store, 2, keyword("AB")).await, ["x1"]);
    assert_eq!(find(&*store, 2, keyword("üb")).await, ["x2"]);
    assert_eq!(find(&*store, 2, keyword("q")).await, ["q7", "x2"]);
    assert_eq!(find(&*store, 2, keyword("q7")).await, ["q7"]);
    let name = TaskQuery {
        name: Some("q".into()),
        ..keyword("x")
    };
    assert_eq!(find(&*store, 2, name).await, ["x2"]);
    // Three characters and more go through the index, with the same answers.
    assert_eq!(find(&*store, 2, keyword("über")).await, ["x2"]);
    assert_eq!(find(&*store, 2, keyword("ber q")).await, ["x2"]);
    assert_eq!(
        find(&*store, 2, keyword("zz q7")).await,
        Vec::<String>::new()
    );
}

async fn an_indexed_keyword_combines_with_filters_sorts_and_pages(store: Arc<dyn TestStore>) {
    let t = tenant(3);
    for i in 0..30 {
        let name = if i % 3 == 0 {
            format!("export billing {i:02}")
        } else {
            format!("import ledger {i:02}")
        };
        create(&*store, t, &name, &format!("c-{i:02}"), i).await;
    }
    create(&*store, tenant(4), "export billing other", "c-00", 0).await;
    let query = TaskQuery {
        keyword: Some("billing".into()),
        is_active: Some(true),
        sort: store::TaskSort {
            field: store::TaskSortField::Name,
            descending: true,
        },
        page: 2,
        page_size: 4,
        ..TaskQuery::default()
    };
    let page = store.list_tasks(t, &query).await.expect("list");
    assert_eq!(page.total, 10);
    let names: Vec<&str> = page
        .items
        .iter()
        .map(|t| t.definition.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "export billing 15",
            "export billing 12",
            "export billing 09",
            "export billing 06"
        ]
    );
}

async fn the_schedule_scan_record_starts_empty_and_keeps_the_last_key(store: Arc<dyn TestStore>) {
    assert_eq!(store.schedule_scan_key().await.expect("read"), "");
    store
        .set_schedule_scan_key("rules=1 max_timeout_seconds=60", at(1))
        .await
        .expect("record");
    store
        .set_schedule_scan_key("rules=2 max_timeout_seconds=60", at(2))
        .await
        .expect("record again");
    assert_eq!(
        store.schedule_scan_key().await.expect("read"),
        "rules=2 max_timeout_seconds=60"
    );
}

/// Where the extensions can be created, keyword search has one trigram index that starts with
/// the tenant (0020), so a keyword common to all tenants reads only the caller's matches.
#[tokio::test]
async fn postgres_keyword_index_is_per_tenant() {
    let Some(db) = PostgresDb::create().await else {
        return;
    };
    let store = PostgresStore::connect(&db.url).await.expect("migrate");
    let mut admin = PgConnection::connect(&db.url).await.expect("connect");
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%search_trgm'",
    )
    .fetch_all(&mut admin)
    .await
    .expect("catalog");
    assert_eq!(indexes.len(), 1, "{indexes:?}");
    assert_eq!(indexes[0].0, "ix_scheduled_tasks_tenant_search_trgm");
    assert!(
        indexes[0]
            .1
            .contains("gin (tenant_id, search_text gin_trgm_ops) WHERE (deleted_at IS NULL)"),
        "{}",
        indexes[0].1
    );
    store.close().await;
    admin.close().await.ok();
    db.drop_database().await;
}

/// The migration on a database where the role may create tables but not extensions: it
/// succeeds without the `pg_trgm` index, and keyword search gives the same answers by the scan.
#[tokio::test]
async fn postgres_without_the_right_to_create_extensions_migrates_and_searches() {
    let Some(db) = PostgresDb::create().await else {
        return;
    };
    let role = format!("sundial_no_ext_{}", uuid::Uuid::now_v7().simple());
    let mut admin = PgConnection::connect(&db.url)
        .await
        .expect("connect as admin");
    for statement in [
        format!("CREATE ROLE {role} LOGIN"),
        format!("GRANT CONNECT ON DATABASE {} TO {role}", db.name),
        format!("GRANT CREATE, USAGE ON SCHEMA public TO {role}"),
    ] {
        admin
            .execute(sqlx::AssertSqlSafe(statement))
            .await
            .expect("set up the role");
    }
    let mut url = url::Url::parse(&db.url).expect("URL");
    url.set_username(&role).expect("user name");
    let store = PostgresStore::connect(url.as_str())
        .await
        .expect("the migration succeeds without pg_trgm");
    let (extensions, indexes): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM pg_extension WHERE extname IN ('pg_trgm', 'btree_gin')), \
                (SELECT COUNT(*) FROM pg_indexes WHERE indexname LIKE '%search_trgm')",
    )
    .fetch_one(&mut admin)
    .await
    .expect("catalog");
    assert_eq!((extensions, indexes), (0, 0));

    let t = tenant(1);
    create(&store, t, "Nightly ledger rollup", "ledger-1", 0).await;
    create(&store, t, "Hourly sync", "sync-1", 1).await;
    let page = store.list_tasks(t, &keyword("ledger")).await.expect("list");
    assert_eq!(codes(&page), ["ledger-1"]);
    let page = store
        .list_tasks(t, &keyword("ger roll"))
        .await
        .expect("list");
    assert_eq!(codes(&page), ["ledger-1"]);

    store.close().await;
    admin.close().await.ok();
    let admin_url = db.admin_url.clone();
    db.drop_database().await;
    let mut admin = PgConnection::connect(&admin_url)
        .await
        .expect("connect as admin");
    admin
        .execute(sqlx::AssertSqlSafe(format!("DROP ROLE {role}")))
        .await
        .expect("drop the role");
}
