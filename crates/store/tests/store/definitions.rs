//! Definitions as a set (apply), restoring versions and reading the audit log, on both
//! databases.

use std::sync::Arc;

use domain::{AuditAction, TaskUuid};
use serde_json::json;
use store::on_both_databases;
use store::test_support::{SqliteFile, TestStore, TestSupport};
use store::{ApplyStep, AuditQuery, StoreError};

use crate::common::{at, change, create, definition, new_task, tenant};

on_both_databases!(
    apply_creates_updates_and_deletes_with_versions_and_audit,
    apply_is_all_or_nothing,
    restore_makes_an_old_definition_a_new_version,
    task_version_reads_one_version_of_the_tenants_task,
    live_tasks_with_codes_reads_only_those_of_the_tenant,
    audit_entries_filter_page_and_stay_per_tenant,
);

/// Every audit entry of the tenant, newest first.
fn everything() -> AuditQuery {
    AuditQuery {
        page: 1,
        page_size: 100,
        ..AuditQuery::default()
    }
}

pub async fn apply_creates_updates_and_deletes_with_versions_and_audit(store: Arc<dyn TestStore>) {
    let t = tenant(40);
    let kept = create(&*store, t, "Kept", "kept", 0).await;
    let pruned = create(&*store, t, "Pruned", "pruned", 0).await;
    let new = new_task(t, definition("New", "new"), Some(at(5_000)));
    let steps = vec![
        ApplyStep::Delete {
            uuid: pruned.uuid,
            expected_version: 1,
        },
        ApplyStep::Create(new.clone()),
        ApplyStep::Update {
            uuid: kept.uuid,
            expected_version: 1,
            definition: domain::TaskDefinition {
                is_active: false,
                ..definition("Kept v2", "kept")
            },
            next_run_at: None,
        },
    ];
    store
        .apply_definitions(steps, change(t, "ci", 100))
        .await
        .expect("apply");

    let updated = store.get_task(t, kept.uuid).await.unwrap().unwrap();
    assert_eq!(updated.definition.name.as_str(), "Kept v2");
    assert_eq!((updated.version, updated.next_run_at), (2, None));
    assert!(store.get_task(t, pruned.uuid).await.unwrap().is_none());
    let created = store.get_task(t, new.uuid).await.unwrap().unwrap();
    assert_eq!((created.version, created.next_run_at), (1, Some(at(5_000))));
    assert_eq!(created.created_by, "ci");

    let versions = store.task_versions(t, kept.uuid, 1, 10).await.unwrap();
    assert_eq!(versions.total, 2);
    assert_eq!(versions.items[0].action, AuditAction::Update);

    let audit = store.audit_entries(t, &everything()).await.unwrap();
    let applied: Vec<_> = audit
        .items
        .iter()
        .filter(|e| e.actor == "ci")
        .map(|e| (e.task_code.as_str(), e.action, e.detail.clone()))
        .collect();
    assert_eq!(applied.len(), 3, "{applied:?}");
    for expected in [
        ("new", AuditAction::Create, Some(json!({"via": "apply"}))),
        (
            "kept",
            AuditAction::Update,
            Some(json!({"via": "apply", "cancelled_runs": 0})),
        ),
        (
            "pruned",
            AuditAction::Delete,
            Some(json!({"via": "apply", "cancelled_runs": 0})),
        ),
    ] {
        assert!(applied.contains(&expected), "{expected:?} in {applied:?}");
    }
}

pub async fn apply_is_all_or_nothing(store: Arc<dyn TestStore>) {
    let t = tenant(41);
    let a = create(&*store, t, "A", "a", 0).await;
    let b = create(&*store, t, "B", "b", 0).await;
    // b changed after the apply was planned against its version 1.
    store
        .update_task(
            b.uuid,
            None,
            definition("B2", "b"),
            None,
            change(t, "bob", 10),
        )
        .await
        .unwrap();
    let steps = vec![
        ApplyStep::Create(new_task(t, definition("C", "c"), None)),
        ApplyStep::Update {
            uuid: a.uuid,
            expected_version: 1,
            definition: definition("A2", "a"),
            next_run_at: None,
        },
        ApplyStep::Delete {
            uuid: b.uuid,
            expected_version: 1,
        },
    ];
    let error = store
        .apply_definitions(steps, change(t, "ci", 20))
        .await
        .expect_err("stale");
    assert!(
        matches!(
            error,
            StoreError::VersionConflict {
                expected: 1,
                current: 2
            }
        ),
        "{error:?}"
    );
    // A created code that is taken fails it too.
    let taken = vec![
        ApplyStep::Update {
            uuid: a.uuid,
            expected_version: 1,
            definition: definition("A2", "a"),
            next_run_at: None,
        },
        ApplyStep::Create(new_task(t, definition("Also b", "b"), None)),
    ];
    let error = store
        .apply_definitions(taken, change(t, "ci", 30))
        .await
        .expect_err("taken");
    assert!(
        matches!(error, StoreError::DuplicateCode(ref code) if code == "b"),
        "{error:?}"
    );
    // Another tenant's task is unknown to an apply.
    let foreign = vec![ApplyStep::Delete {
        uuid: a.uuid,
        expected_version: 1,
    }];
    let error = store
        .apply_definitions(foreign, change(tenant(42), "ci", 40))
        .await
        .expect_err("foreign");
    assert!(matches!(error, StoreError::NotFound), "{error:?}");

    let list = store
        .list_tasks(
            t,
            &store::TaskQuery {
                page: 1,
                page_size: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(list.total, 2);
    let a_now = store.get_task(t, a.uuid).await.unwrap().unwrap();
    assert_eq!((a_now.version, a_now.definition.name.as_str()), (1, "A"));
    let audit = store.audit_entries(t, &everything()).await.unwrap();
    assert!(audit.items.iter().all(|e| e.actor != "ci"), "{audit:?}");
}

pub async fn restore_makes_an_old_definition_a_new_version(store: Arc<dyn TestStore>) {
    let t = tenant(43);
    let task = create(&*store, t, "First", "restorable", 0).await;
    store
        .update_task(
            task.uuid,
            Some(1),
            definition("Second", "restorable"),
            None,
            change(t, "bob", 10),
        )
        .await
        .unwrap();
    let first = store.task_version(t, task.uuid, 1).await.unwrap().unwrap();
    assert_eq!(first.definition["name"], "First");
    let restored = store
        .restore_version(
            task.uuid,
            2,
            1,
            definition("First", "restorable"),
            Some(at(900)),
            change(t, "carol", 20),
        )
        .await
        .expect("restore");
    assert_eq!(restored.version, 3);
    assert_eq!(restored.definition.name.as_str(), "First");
    assert_eq!(restored.next_run_at, Some(at(900)));
    let newest = store.task_version(t, task.uuid, 3).await.unwrap().unwrap();
    assert_eq!(
        (newest.action, newest.actor.as_str()),
        (AuditAction::Restore, "carol")
    );
    let audit = store
        .audit_entries(
            t,
            &AuditQuery {
                action: Some(AuditAction::Restore),
                ..everything()
            },
        )
        .await
        .unwrap();
    assert_eq!(audit.total, 1);
    assert_eq!(audit.items[0].detail, Some(json!({"restored_from": 1})));
    assert_eq!(audit.items[0].version, 3);
    // A stale expected version changes nothing.
    let error = store
        .restore_version(
            task.uuid,
            2,
            1,
            definition("First", "restorable"),
            None,
            change(t, "carol", 30),
        )
        .await
        .expect_err("stale");
    assert!(
        matches!(error, StoreError::VersionConflict { .. }),
        "{error:?}"
    );
    // The code of the restored version may have been taken meanwhile.
    let other = create(&*store, t, "Other", "other", 40).await;
    let error = store
        .restore_version(
            other.uuid,
            1,
            1,
            definition("Other", "restorable"),
            None,
            change(t, "carol", 50),
        )
        .await
        .expect_err("taken");
    assert!(matches!(error, StoreError::DuplicateCode(_)), "{error:?}");
    // Another tenant cannot restore it.
    let error = store
        .restore_version(
            task.uuid,
            3,
            1,
            definition("First", "restorable"),
            None,
            change(tenant(44), "mallory", 60),
        )
        .await
        .expect_err("foreign");
    assert!(matches!(error, StoreError::NotFound), "{error:?}");
    assert_eq!(
        store.get_task(t, task.uuid).await.unwrap().unwrap().version,
        3
    );
}

pub async fn task_version_reads_one_version_of_the_tenants_task(store: Arc<dyn TestStore>) {
    let t = tenant(45);
    let task = create(&*store, t, "Only", "only", 0).await;
    assert!(store.task_version(t, task.uuid, 1).await.unwrap().is_some());
    assert!(store.task_version(t, task.uuid, 2).await.unwrap().is_none());
    let error = store
        .task_version(tenant(46), task.uuid, 1)
        .await
        .expect_err("foreign");
    assert!(matches!(error, StoreError::NotFound), "{error:?}");
    let error = store
        .task_version(t, TaskUuid::new_v7(), 1)
        .await
        .expect_err("unknown");
    assert!(matches!(error, StoreError::NotFound), "{error:?}");
}

pub async fn live_tasks_with_codes_reads_only_those_of_the_tenant(store: Arc<dyn TestStore>) {
    let t = tenant(49);
    let a = create(&*store, t, "A", "a", 0).await;
    let b = create(&*store, t, "B", "b", 0).await;
    create(&*store, t, "C", "c", 0).await;
    store
        .delete_tasks(&[b.uuid], change(t, "bob", 10))
        .await
        .unwrap();
    create(&*store, tenant(50), "Theirs", "d", 0).await;
    let codes: Vec<String> = ["a", "b", "d", "zz"].map(str::to_owned).into();
    let found = store.live_tasks_with_codes(t, &codes).await.unwrap();
    assert_eq!(found.iter().map(|t| t.uuid).collect::<Vec<_>>(), [a.uuid]);
    assert!(
        store
            .live_tasks_with_codes(t, &[])
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn audit_entries_filter_page_and_stay_per_tenant(store: Arc<dyn TestStore>) {
    let t = tenant(47);
    let a = create(&*store, t, "A", "a", 0).await;
    store
        .update_task(
            a.uuid,
            None,
            definition("A2", "a"),
            None,
            change(t, "bob", 10),
        )
        .await
        .unwrap();
    store
        .set_active(a.uuid, None, false, None, change(t, "bob", 20))
        .await
        .unwrap();
    let b = store
        .create_task(
            new_task(t, definition("B", "b"), None),
            change(t, "carol", 30),
        )
        .await
        .unwrap();
    store
        .delete_tasks(&[b.uuid], change(t, "carol", 40))
        .await
        .unwrap();
    // Another tenant's entries, at the same instants.
    let foreign = create(&*store, tenant(48), "A", "a", 0).await;
    store
        .update_task(
            foreign.uuid,
            None,
            definition("X", "a"),
            None,
            change(tenant(48), "bob", 10),
        )
        .await
        .unwrap();

    let all = store.audit_entries(t, &everything()).await.unwrap();
    let seen: Vec<_> = all
        .items
        .iter()
        .map(|e| {
            (
                e.task_code.as_str(),
                e.action,
                e.actor.as_str(),
                e.at,
                e.version,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("b", AuditAction::Delete, "carol", at(40), 2),
            ("b", AuditAction::Create, "carol", at(30), 1),
            ("a", AuditAction::Stop, "bob", at(20), 3),
            ("a", AuditAction::Update, "bob", at(10), 2),
            ("a", AuditAction::Create, "alice", at(0), 1),
        ]
    );
    assert_eq!(all.total, 5);
    assert_eq!(
        all.items[0].task_uuid, b.uuid,
        "deleted tasks keep their history"
    );

    let count = |query: AuditQuery| {
        let store = store.clone();
        async move {
            let page = store.audit_entries(t, &query).await.unwrap();
            (
                page.total,
                page.items.iter().map(|e| e.version).collect::<Vec<_>>(),
            )
        }
    };
    let by_task = AuditQuery {
        task: Some(a.uuid),
        ..everything()
    };
    assert_eq!(count(by_task).await, (3, vec![3, 2, 1]));
    let by_actor = AuditQuery {
        actor: Some("bob".into()),
        ..everything()
    };
    assert_eq!(count(by_actor).await, (2, vec![3, 2]));
    let by_action = AuditQuery {
        action: Some(AuditAction::Create),
        ..everything()
    };
    assert_eq!(count(by_action).await, (2, vec![1, 1]));
    // `since` is inclusive, `until` exclusive.
    let window = AuditQuery {
        since: Some(at(10)),
        until: Some(at(30)),
        ..everything()
    };
    assert_eq!(count(window).await, (2, vec![3, 2]));
    let second_page = AuditQuery {
        page: 2,
        page_size: 2,
        ..everything()
    };
    assert_eq!(count(second_page).await, (5, vec![3, 2]));
    // The other tenant's task is not found through this tenant's filter.
    let foreign_task = AuditQuery {
        task: Some(foreign.uuid),
        ..everything()
    };
    assert_eq!(count(foreign_task).await, (0, vec![]));
}

/// SQLite plans without statistics, from the schema alone, so its plan is stable enough to
/// assert: an actor's entries are found through the index migration 0010 adds, newest first,
/// without sorting the tenant's whole log.
#[tokio::test]
async fn sqlite_audit_by_actor_seeks_the_actor_index() {
    let file = SqliteFile::new();
    let store = store::SqliteStore::connect(&file.path_str())
        .await
        .expect("open");
    let query = AuditQuery {
        actor: Some("alice".into()),
        ..everything()
    };
    let (count, page) = store
        .explain_audit_entries_for_tests(tenant(1), &query)
        .await
        .expect("explain");
    for plan in [&count, &page] {
        assert!(plan.contains("ix_audit_log_tenant_actor"), "{plan}");
    }
    assert!(!page.contains("TEMP B-TREE"), "sorted by the index: {page}");
}
