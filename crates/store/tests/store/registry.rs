//! The task registry, the runs' read side, tenant settings and readiness, on both databases:
//! every case in `cases` runs once per database as `sqlite::<case>` and `postgres::<case>`.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::common::{at, change, config, create, definition, new_task, tenant, trigger};
use domain::{
    AuditAction, Backoff, Description, LogStream, MisfirePolicy, NoticeReason, OverlapPolicy,
    RetryPolicy, Run, RunLogLine, RunStatus, RunTrigger, RunUuid, ScheduleNotice, SkipReason, Task,
    TaskType, TaskUuid, TriggerType,
};
use serde_json::json;
use store::on_both_databases;
use store::prelude::*;
use store::test_support::{AuditEntry, PostgresDb, SqliteFile, TaskRunState, TestStore};
use store::{
    LogPage, LogTail, LogWindow, Page, RunQuery, RunStats, StoreError, TaskQuery, TaskSort,
    TaskSortField, TenantSettings,
};

use cases::*;

on_both_databases!(
    create_get_and_list_round_trip_every_field,
    duplicate_code_is_a_conflict,
    create_many_is_all_or_nothing,
    deleted_code_can_be_reused,
    codes_are_unique_per_tenant,
    list_filters,
    list_sorts_with_id_tie_break_and_nulls_last,
    list_paging_and_total,
    keyword_and_name_search,
    update_with_right_stale_and_absent_version,
    set_active_no_op_and_real_changes,
    start_stop_and_delete_compare_the_expected_version_under_the_lock,
    stop_cancels_only_queued_runs,
    delete_hides_the_task_everywhere,
    batch_delete_leaves_other_tenants_alone,
    other_tenants_objects_are_invisible_and_unchanged,
    version_history_and_audit_log,
    runs_logs_and_stats,
    log_tails_show_the_newest_lines_of_each_run_and_flag_the_rest,
    log_pages_walk_a_whole_log_in_order_within_their_bounds,
    a_log_stored_over_the_caps_is_read_bounded,
    concurrent_creates_of_one_code_have_one_winner,
    concurrent_writes_all_succeed,
    corrupt_rows_are_errors_not_panics,
    tenant_settings_set_replace_clear_and_stay_per_tenant,
    probe_write_commits,
    schedule_notices_page_flag_and_clear_on_edit,
);

type R<T> = Result<T, StoreError>;

fn codes(page: &Page<Task>) -> Vec<String> {
    page.items
        .iter()
        .map(|t| t.definition.code.as_str().to_owned())
        .collect()
}

fn query() -> TaskQuery {
    TaskQuery {
        page: 1,
        page_size: 100,
        ..TaskQuery::default()
    }
}

fn run(task: &Task, scheduled_ms: i64, status: RunStatus) -> Run {
    Run {
        uuid: RunUuid::new_v7(),
        task_uuid: task.uuid,
        task_version: task.version,
        trigger: RunTrigger::Schedule,
        scheduled_for: at(scheduled_ms),
        occurrences: 1,
        status,
        skip_reason: None,
        attempt: 1,
        max_attempts: 4,
        rescues: 0,
        requeues: 0,
        queued_at: at(scheduled_ms),
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

fn assert_not_found<T: std::fmt::Debug>(result: R<T>, what: &str) {
    assert!(
        matches!(result, Err(StoreError::NotFound)),
        "{what}: expected NotFound, got {result:?}"
    );
}

mod cases {
    use super::*;

    /// name, code, created_ms, updated_ms, next_run_at, last_run_at of one task to sort.
    type SortSpec = (
        &'static str,
        &'static str,
        i64,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    );

    pub async fn create_get_and_list_round_trip_every_field(store: Arc<dyn TestStore>) {
        let t = tenant(7);
        let cron = domain::TaskDefinition {
            name: domain::TaskName::parse("Daily report").expect("name"),
            code: domain::TaskCode::parse("daily-report").expect("code"),
            description: Some(Description::parse("Sends the daily report ✓").expect("description")),
            trigger: trigger(
                TriggerType::Cron,
                json!({"cron": "0 9 * * MON-FRI", "timezone": "Asia/Shanghai",
                       "start_at": "2030-01-01T00:00:00Z", "end_at": "2031-01-01T00:00:00Z", "jitter_seconds": 30}),
            ),
            config: config(
                TaskType::ApiCall,
                json!({"url": "https://api.example.com/endpoint", "method": "POST",
                       "headers": {"Content-Type": "application/json"}, "data": {"key": "value"},
                       "query": {"a": "1"}, "expected_status": [200, 204], "follow_redirects": true}),
            ),
            is_active: true,
            retry_policy: RetryPolicy {
                max_retries: 5,
                retry_delay_seconds: 10,
                backoff: Backoff::Exponential,
                max_delay_seconds: Some(300),
            },
            timeout_seconds: 45,
            overlap_policy: OverlapPolicy::Allow,
            misfire_policy: MisfirePolicy::FireAll,
            misfire_grace_seconds: 120,
        };
        let interval = domain::TaskDefinition {
            name: domain::TaskName::parse("Python every five minutes").expect("name"),
            code: domain::TaskCode::parse("py.5m").expect("code"),
            description: None,
            trigger: trigger(TriggerType::Interval, json!({"seconds": 300})).anchored_at(at(0)),
            config: config(
                TaskType::PythonScript,
                json!({"script": "print('hi')", "args": {"n": [1, 2]}, "env": {"MODE": "fast"}}),
            ),
            is_active: false,
            retry_policy: RetryPolicy {
                max_retries: 0,
                ..RetryPolicy::default()
            },
            timeout_seconds: 60,
            overlap_policy: OverlapPolicy::QueueOne,
            misfire_policy: MisfirePolicy::Skip,
            misfire_grace_seconds: 0,
        };
        let date = domain::TaskDefinition {
            description: Some(Description::parse("").expect("empty description")),
            trigger: trigger(
                TriggerType::Date,
                json!({"at": "2030-06-01T12:00:00+08:00"}),
            ),
            overlap_policy: OverlapPolicy::Replace,
            ..definition("One shot", "one-shot")
        };

        let mut created = Vec::new();
        for (i, (definition, next)) in [
            (cron, Some(at(3_600_000))),
            (interval, None),
            (date, Some(at(1))),
        ]
        .into_iter()
        .enumerate()
        {
            let i = i as i64;
            let new = new_task(t, definition.clone(), next);
            let uuid = new.uuid;
            let task = store
                .create_task(new, change(t, "alice", 1000 + i))
                .await
                .expect("create");
            let expected = Task {
                uuid,
                tenant: t,
                definition: definition.clone(),
                inngest_function_id: format!("scheduled-task-{uuid}"),
                is_running: false,
                next_run_at: next,
                last_run_at: None,
                last_run_status: None,
                last_error: None,
                last_run_duration_ms: None,
                recent_outcomes: Vec::new(),
                version: 1,
                created_at: at(1000 + i),
                updated_at: at(1000 + i),
                created_by: "alice".into(),
                updated_by: "alice".into(),
                schedule_notice: None,
            };
            assert_eq!(task, expected);
            assert_eq!(
                store.get_task(t, uuid).await.expect("get"),
                Some(expected.clone())
            );

            let row = store
                .task_row_for_tests(uuid)
                .await
                .expect("row")
                .expect("exists");
            assert_eq!(row.timezone, definition.trigger.timezone_name());
            assert_eq!(
                row.start_at,
                definition.trigger.start_at.map(|s| s.as_millisecond())
            );
            assert_eq!(
                row.end_at,
                definition.trigger.end_at.map(|s| s.as_millisecond())
            );
            assert_eq!(
                row.jitter_seconds,
                i64::from(definition.trigger.jitter_seconds)
            );
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(&row.trigger_config).expect("json"),
                definition.trigger.to_config_json()
            );
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(&row.task_config).expect("json"),
                definition.config.to_json()
            );
            assert_eq!(
                serde_json::from_str::<RetryPolicy>(&row.retry_policy).expect("json"),
                definition.retry_policy
            );
            assert_eq!(row.task_type, definition.task_type().as_str());
            assert_eq!(row.deleted_at, None);
            assert_eq!(
                row.search_text,
                format!(
                    "{} {}",
                    definition.name.as_str().to_lowercase(),
                    definition.code.as_str().to_lowercase()
                )
            );
            created.push(expected);
        }
        assert_eq!(
            created[0].definition.trigger.timezone_name(),
            "Asia/Shanghai"
        );

        let page = store
            .list_tasks(
                t,
                &TaskQuery {
                    sort: TaskSort {
                        field: TaskSortField::CreatedAt,
                        descending: false,
                    },
                    ..query()
                },
            )
            .await
            .expect("list");
        assert_eq!(page.items, created);
        assert_eq!(page.total, 3);
        assert_eq!((page.page, page.page_size), (1, 100));
    }

    pub async fn create_many_is_all_or_nothing(store: Arc<dyn TestStore>) {
        let t = tenant(1);
        let batch: Vec<_> = (0..50)
            .map(|i| {
                new_task(
                    t,
                    definition(&format!("Imported {i}"), &format!("imp-{i}")),
                    Some(at(60_000 + i)),
                )
            })
            .collect();
        let expected: Vec<TaskUuid> = batch.iter().map(|task| task.uuid).collect();
        let created = store
            .create_many(batch, change(t, "importer", 5))
            .await
            .expect("import");
        assert_eq!(created, expected, "uuids in input order");
        assert_eq!(store.list_tasks(t, &query()).await.expect("list").total, 50);
        let third = store
            .get_task(t, expected[3])
            .await
            .expect("get")
            .expect("imported task is live");
        assert_eq!(third.definition.code.as_str(), "imp-3");
        assert_eq!(third.version, 1);
        assert_eq!(third.next_run_at, Some(at(60_003)));
        assert_eq!(third.created_by, "importer");
        let audit = store
            .audit_log_for_tests(t, expected[3])
            .await
            .expect("audit");
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].action, AuditAction::Create);
        assert_eq!(
            store
                .task_versions(t, expected[3], 1, 10)
                .await
                .expect("versions")
                .total,
            1
        );

        // One taken code (here the last one) rolls back the whole batch.
        let clash: Vec<_> = ["fresh-1", "fresh-2", "imp-7"]
            .iter()
            .map(|code| new_task(t, definition("Clash", code), None))
            .collect();
        let fresh = clash[0].uuid;
        let result = store.create_many(clash, change(t, "importer", 6)).await;
        assert!(
            matches!(&result, Err(StoreError::DuplicateCode(c)) if c == "imp-7"),
            "{result:?}"
        );
        assert!(store.get_task(t, fresh).await.expect("get").is_none());
        assert_eq!(store.list_tasks(t, &query()).await.expect("list").total, 50);

        // Two tasks of one batch with one code: the second is the duplicate.
        let twins: Vec<_> = ["twin", "twin"]
            .iter()
            .map(|code| new_task(t, definition("Twin", code), None))
            .collect();
        let result = store.create_many(twins, change(t, "importer", 7)).await;
        assert!(
            matches!(&result, Err(StoreError::DuplicateCode(c)) if c == "twin"),
            "{result:?}"
        );
        assert_eq!(store.list_tasks(t, &query()).await.expect("list").total, 50);

        // The same codes are free in another tenant, and an empty batch is a no-op.
        let other = tenant(2);
        let elsewhere = vec![new_task(other, definition("Elsewhere", "imp-7"), None)];
        store
            .create_many(elsewhere, change(other, "importer", 8))
            .await
            .expect("other tenant's import");
        assert_eq!(
            store
                .create_many(Vec::new(), change(t, "importer", 9))
                .await
                .expect("empty import"),
            Vec::<TaskUuid>::new()
        );

        // A task claiming another tenant than the change is refused before anything is written.
        let mixed = vec![
            new_task(t, definition("Mine", "mine"), None),
            new_task(other, definition("Theirs", "theirs"), None),
        ];
        let result = store.create_many(mixed, change(t, "importer", 10)).await;
        assert!(matches!(result, Err(StoreError::Corrupt(_))), "{result:?}");
        assert_eq!(store.list_tasks(t, &query()).await.expect("list").total, 50);
    }

    pub async fn duplicate_code_is_a_conflict(store: Arc<dyn TestStore>) {
        let t = tenant(1);
        create(&*store, t, "First", "dup", 0).await;
        let again = store
            .create_task(
                new_task(t, definition("Second", "dup"), None),
                change(t, "bob", 1),
            )
            .await;
        assert!(
            matches!(&again, Err(StoreError::DuplicateCode(c)) if c == "dup"),
            "{again:?}"
        );
        // Codes are case-sensitive: a different case is a different code.
        create(&*store, t, "Third", "DUP", 2).await;

        let other = create(&*store, t, "Other", "other", 3).await;
        let before = store.task_row_for_tests(other.uuid).await.expect("row");
        let renamed = store
            .update_task(
                other.uuid,
                Some(1),
                definition("Other", "dup"),
                None,
                change(t, "bob", 4),
            )
            .await;
        assert!(
            matches!(&renamed, Err(StoreError::DuplicateCode(c)) if c == "dup"),
            "{renamed:?}"
        );
        assert_eq!(
            store.task_row_for_tests(other.uuid).await.expect("row"),
            before
        );
        assert_eq!(store.list_tasks(t, &query()).await.expect("list").total, 3);
        assert_eq!(
            store
                .task_versions(t, other.uuid, 1, 10)
                .await
                .expect("versions")
                .total,
            1
        );
    }

    pub async fn deleted_code_can_be_reused(store: Arc<dyn TestStore>) {
        let t = tenant(1);
        let old = create(&*store, t, "Report", "report", 0).await;
        assert_eq!(
            store
                .delete_tasks(&[old.uuid], change(t, "bob", 1))
                .await
                .expect("delete"),
            vec![old.uuid]
        );
        let new = create(&*store, t, "Report again", "report", 2).await;
        assert_ne!(new.uuid, old.uuid);
        assert_eq!(store.get_task(t, old.uuid).await.expect("get"), None);
        assert_eq!(
            store.get_task(t, new.uuid).await.expect("get"),
            Some(new.clone())
        );
        // Deleting the second one frees the code once more.
        store
            .delete_tasks(&[new.uuid], change(t, "bob", 3))
            .await
            .expect("delete");
        create(&*store, t, "Third", "report", 4).await;
    }

    pub async fn codes_are_unique_per_tenant(store: Arc<dyn TestStore>) {
        let a = create(&*store, tenant(1), "A", "shared", 0).await;
        let b = create(&*store, tenant(2), "B", "shared", 1).await;
        assert_eq!(
            codes(&store.list_tasks(tenant(1), &query()).await.expect("list")),
            ["shared"]
        );
        assert_eq!(
            store
                .get_task(tenant(1), a.uuid)
                .await
                .expect("get")
                .map(|t| t.uuid),
            Some(a.uuid)
        );
        assert_eq!(
            store
                .get_task(tenant(2), b.uuid)
                .await
                .expect("get")
                .map(|t| t.uuid),
            Some(b.uuid)
        );
    }

    pub async fn list_filters(store: Arc<dyn TestStore>) {
        let t = tenant(3);
        let python = domain::TaskDefinition {
            config: config(TaskType::PythonScript, json!({"script": "print(1)"})),
            trigger: trigger(
                TriggerType::Interval,
                json!({"seconds": 60, "start_at": "2030-01-01T00:00:00Z"}),
            ),
            is_active: false,
            ..definition("Nightly cleanup", "cleanup")
        };
        store
            .create_task(new_task(t, python, None), change(t, "alice", 0))
            .await
            .expect("create");
        let report = create(&*store, t, "Daily report", "report", 1).await;
        let failing = create(&*store, t, "Failing sync", "sync", 2).await;
        let date = domain::TaskDefinition {
            trigger: trigger(TriggerType::Date, json!({"at": "2031-01-01T00:00:00Z"})),
            ..definition("Launch", "launch")
        };
        store
            .create_task(new_task(t, date, None), change(t, "alice", 3))
            .await
            .expect("create");
        // Another tenant's rows match every filter below and must never appear.
        create(&*store, tenant(4), "Daily report", "report", 4).await;
        let state = |status| TaskRunState {
            last_run_at: Some(at(10)),
            last_run_status: Some(status),
            ..TaskRunState::default()
        };
        store
            .set_run_state_for_tests(t, report.uuid, &state(RunStatus::Succeeded))
            .await
            .expect("state");
        store
            .set_run_state_for_tests(t, failing.uuid, &state(RunStatus::Failed))
            .await
            .expect("state");

        let list = |q: TaskQuery| {
            let store = store.clone();
            async move {
                let page = store.list_tasks(t, &q).await.expect("list");
                let mut got = codes(&page);
                assert_eq!(page.total as usize, got.len(), "total of {q:?}");
                got.sort();
                got
            }
        };
        assert_eq!(list(query()).await, ["cleanup", "launch", "report", "sync"]);
        assert_eq!(
            list(TaskQuery {
                keyword: Some("REP".into()),
                ..query()
            })
            .await,
            ["report"]
        );
        assert_eq!(
            list(TaskQuery {
                keyword: Some("y".into()),
                ..query()
            })
            .await,
            ["cleanup", "report", "sync"]
        );
        assert_eq!(
            list(TaskQuery {
                name: Some("ing".into()),
                ..query()
            })
            .await,
            ["sync"]
        );
        assert_eq!(
            list(TaskQuery {
                code: Some("sync".into()),
                ..query()
            })
            .await,
            ["sync"]
        );
        assert_eq!(
            list(TaskQuery {
                code: Some("SYNC".into()),
                ..query()
            })
            .await,
            Vec::<String>::new()
        );
        assert_eq!(
            list(TaskQuery {
                code: Some("syn".into()),
                ..query()
            })
            .await,
            Vec::<String>::new()
        );
        assert_eq!(
            list(TaskQuery {
                task_type: Some(TaskType::PythonScript),
                ..query()
            })
            .await,
            ["cleanup"]
        );
        assert_eq!(
            list(TaskQuery {
                task_type: Some(TaskType::ApiCall),
                ..query()
            })
            .await,
            ["launch", "report", "sync"]
        );
        assert_eq!(
            list(TaskQuery {
                trigger_type: Some(TriggerType::Interval),
                ..query()
            })
            .await,
            ["cleanup"]
        );
        assert_eq!(
            list(TaskQuery {
                trigger_type: Some(TriggerType::Date),
                ..query()
            })
            .await,
            ["launch"]
        );
        assert_eq!(
            list(TaskQuery {
                trigger_type: Some(TriggerType::Cron),
                ..query()
            })
            .await,
            ["report", "sync"]
        );
        assert_eq!(
            list(TaskQuery {
                is_active: Some(false),
                ..query()
            })
            .await,
            ["cleanup"]
        );
        assert_eq!(
            list(TaskQuery {
                is_active: Some(true),
                ..query()
            })
            .await,
            ["launch", "report", "sync"]
        );
        assert_eq!(
            list(TaskQuery {
                last_run_status: Some(vec![Some(RunStatus::Failed)]),
                ..query()
            })
            .await,
            ["sync"]
        );
        assert_eq!(
            list(TaskQuery {
                last_run_status: Some(vec![Some(RunStatus::Running)]),
                ..query()
            })
            .await,
            Vec::<String>::new()
        );
        assert_eq!(
            list(TaskQuery {
                last_run_status: Some(vec![
                    Some(RunStatus::TimedOut),
                    Some(RunStatus::Failed),
                    Some(RunStatus::Succeeded)
                ]),
                ..query()
            })
            .await,
            ["report", "sync"]
        );
        // `None`: no run has ended yet, alone or beside outcomes.
        assert_eq!(
            list(TaskQuery {
                last_run_status: Some(vec![None]),
                ..query()
            })
            .await,
            ["cleanup", "launch"]
        );
        assert_eq!(
            list(TaskQuery {
                last_run_status: Some(vec![None, Some(RunStatus::Failed)]),
                ..query()
            })
            .await,
            ["cleanup", "launch", "sync"]
        );
        assert_eq!(
            list(TaskQuery {
                last_run_status: Some(Vec::new()),
                ..query()
            })
            .await,
            Vec::<String>::new()
        );
        // Filters combine with AND.
        assert_eq!(
            list(TaskQuery {
                keyword: Some("y".into()),
                is_active: Some(true),
                trigger_type: Some(TriggerType::Cron),
                last_run_status: Some(vec![Some(RunStatus::Succeeded)]),
                task_type: Some(TaskType::ApiCall),
                name: Some("daily".into()),
                code: Some("report".into()),
                ..query()
            })
            .await,
            ["report"]
        );
    }

    pub async fn list_sorts_with_id_tie_break_and_nulls_last(store: Arc<dyn TestStore>) {
        let t = tenant(5);
        // (name, code, created_ms, updated_ms, next_run_at, last_run_at); creation order is the
        // id order, so equal keys must come out in this order ascending and reversed descending.
        let specs: [SortSpec; 7] = [
            ("banana", "b-2", 500, Some(900), Some(30), None),
            ("Banana", "B-1", 100, None, None, Some(5)),
            ("apple", "a", 500, Some(900), Some(10), Some(5)),
            ("cherry", "c", 300, None, Some(30), None),
            ("apple", "a-2", 200, Some(950), None, Some(1)),
            ("Äpfel", "ae", 700, None, Some(20), Some(9)),
            ("zebra", "z", 100, None, Some(10), None),
        ];
        let mut tasks = Vec::new();
        for (name, code, created, updated, next, last) in specs {
            let task = store
                .create_task(
                    new_task(t, definition(name, code), next.map(at)),
                    change(t, "alice", created),
                )
                .await
                .expect("create");
            let task = match updated {
                Some(ms) => store
                    .update_task(
                        task.uuid,
                        None,
                        // A change: an update to the stored definition writes nothing.
                        domain::TaskDefinition {
                            timeout_seconds: 45,
                            ..definition(name, code)
                        },
                        next.map(at),
                        change(t, "bob", ms),
                    )
                    .await
                    .expect("update"),
                None => task,
            };
            if let Some(ms) = last {
                store
                    .set_run_state_for_tests(
                        t,
                        task.uuid,
                        &TaskRunState {
                            last_run_at: Some(at(ms)),
                            last_run_status: Some(RunStatus::Succeeded),
                            ..TaskRunState::default()
                        },
                    )
                    .await
                    .expect("state");
            }
            tasks.push(task.uuid);
        }
        create(&*store, tenant(6), "aaa", "aaa", 0).await;

        for field in TaskSortField::ALL {
            for descending in [false, true] {
                let key = |i: usize| -> (Option<String>, usize) {
                    let (name, code, created, updated, next, last) = specs[i];
                    let key = match field {
                        TaskSortField::CreatedAt => Some(format!("{created:020}")),
                        TaskSortField::UpdatedAt => {
                            Some(format!("{:020}", updated.unwrap_or(created)))
                        }
                        TaskSortField::Name => Some(name.to_owned()),
                        TaskSortField::Code => Some(code.to_owned()),
                        TaskSortField::NextRunAt => next.map(|n| format!("{n:020}")),
                        TaskSortField::LastRunAt => last.map(|n| format!("{n:020}")),
                    };
                    (key, i)
                };
                let mut expected: Vec<usize> = (0..specs.len()).collect();
                expected.sort_by(|&a, &b| {
                    let (ka, ia) = key(a);
                    let (kb, ib) = key(b);
                    match (ka, kb) {
                        (None, None) => {
                            if descending {
                                ib.cmp(&ia)
                            } else {
                                ia.cmp(&ib)
                            }
                        }
                        (None, Some(_)) => std::cmp::Ordering::Greater,
                        (Some(_), None) => std::cmp::Ordering::Less,
                        (Some(ka), Some(kb)) => {
                            let order = ka.cmp(&kb).then(ia.cmp(&ib));
                            if descending { order.reverse() } else { order }
                        }
                    }
                });
                let expected: Vec<TaskUuid> = expected.into_iter().map(|i| tasks[i]).collect();
                let page = store
                    .list_tasks(
                        t,
                        &TaskQuery {
                            sort: TaskSort { field, descending },
                            ..query()
                        },
                    )
                    .await
                    .expect("list");
                let got: Vec<TaskUuid> = page.items.iter().map(|t| t.uuid).collect();
                let names = |uuids: &[TaskUuid]| -> Vec<String> {
                    uuids
                        .iter()
                        .map(|u| {
                            specs[tasks.iter().position(|t| t == u).expect("known")]
                                .1
                                .to_owned()
                        })
                        .collect()
                };
                assert_eq!(
                    names(&got),
                    names(&expected),
                    "sort by {} descending={descending}",
                    field.as_str()
                );

                // Paging walks the same order without gaps or repeats.
                let mut paged = Vec::new();
                for page in 1..=3 {
                    let p = store
                        .list_tasks(
                            t,
                            &TaskQuery {
                                sort: TaskSort { field, descending },
                                page,
                                page_size: 3,
                                ..query()
                            },
                        )
                        .await
                        .expect("list");
                    assert_eq!(p.total, 7);
                    paged.extend(p.items.iter().map(|t| t.uuid));
                }
                assert_eq!(
                    paged,
                    expected,
                    "paged sort by {} descending={descending}",
                    field.as_str()
                );
            }
        }
    }

    pub async fn list_paging_and_total(store: Arc<dyn TestStore>) {
        let t = tenant(8);
        for i in 0..25 {
            create(
                &*store,
                t,
                &format!("Task {i:02}"),
                &format!("task-{i:02}"),
                i,
            )
            .await;
        }
        for i in 0..5 {
            create(
                &*store,
                tenant(9),
                &format!("Task {i:02}"),
                &format!("task-{i:02}"),
                i,
            )
            .await;
        }
        let sort = TaskSort {
            field: TaskSortField::Code,
            descending: false,
        };
        let page = |page: u32, page_size: u32| {
            let store = store.clone();
            async move {
                store
                    .list_tasks(
                        t,
                        &TaskQuery {
                            sort,
                            page,
                            page_size,
                            ..query()
                        },
                    )
                    .await
                    .expect("list")
            }
        };
        let mut seen = Vec::new();
        for (n, size) in [(1, 10), (2, 10), (3, 5)] {
            let p = page(n, 10).await;
            assert_eq!(
                (p.total, p.page, p.page_size, p.items.len()),
                (25, n, 10, size)
            );
            seen.extend(codes(&p));
        }
        let all: Vec<String> = (0..25).map(|i| format!("task-{i:02}")).collect();
        assert_eq!(seen, all);
        let beyond = page(4, 10).await;
        assert_eq!((beyond.total, beyond.items.len()), (25, 0));
        let zero = page(0, 10).await;
        assert_eq!((zero.page, codes(&zero)), (1, all[..10].to_vec()));
        let empty = page(1, 0).await;
        assert_eq!((empty.total, empty.items.len()), (25, 0));
        let filtered = store
            .list_tasks(
                t,
                &TaskQuery {
                    keyword: Some("task-1".into()),
                    page: 1,
                    page_size: 3,
                    sort,
                    ..query()
                },
            )
            .await
            .expect("list");
        assert_eq!(
            (filtered.total, codes(&filtered)),
            (
                10,
                vec!["task-10".into(), "task-11".into(), "task-12".into()]
            )
        );
    }

    pub async fn keyword_and_name_search(store: Arc<dyn TestStore>) {
        let t = tenant(10);
        for (i, (name, code)) in [
            ("Überweisung Monat", "pay-1"),
            ("monthly REPORT", "rep"),
            ("50% off_sale", "promo"),
            ("5000 offers", "offers"),
            ("C:\\temp cleanup", "tmp"),
            ("Daily", "sale-pay"),
            ("ΣΊΣΥΦΟΣ", "greek"),
        ]
        .into_iter()
        .enumerate()
        {
            create(&*store, t, name, code, i as i64).await;
        }
        create(&*store, tenant(11), "Überweisung", "other-tenant", 0).await;
        let find = |keyword: Option<&str>, name: Option<&str>| {
            let store = store.clone();
            let q = TaskQuery {
                keyword: keyword.map(str::to_owned),
                name: name.map(str::to_owned),
                ..query()
            };
            async move {
                let page = store.list_tasks(t, &q).await.expect("list");
                assert_eq!(page.total as usize, page.items.len());
                let mut got = codes(&page);
                got.sort();
                got
            }
        };
        let keyword = |k: &'static str| find(Some(k), None);
        let name = |n: &'static str| find(None, Some(n));

        assert_eq!(keyword("über").await, ["pay-1"]);
        assert_eq!(keyword("ÜBER").await, ["pay-1"]);
        assert_eq!(keyword("WEISUNG").await, ["pay-1"]);
        assert_eq!(keyword("σίσυφος").await, ["greek"]);
        assert_eq!(keyword("report").await, ["rep"]);
        assert_eq!(keyword("PAY").await, ["pay-1", "sale-pay"]);
        // LIKE's metacharacters are literal.
        assert_eq!(keyword("%").await, ["promo"]);
        assert_eq!(keyword("0% o").await, ["promo"]);
        assert_eq!(keyword("_").await, ["promo"]);
        assert_eq!(keyword("off_").await, ["promo"]);
        assert_eq!(keyword("5_0").await, Vec::<String>::new());
        assert_eq!(keyword("\\").await, ["tmp"]);
        assert_eq!(keyword("c:\\t").await, ["tmp"]);
        // A keyword never matches across the name/code boundary.
        assert_eq!(keyword("daily sale").await, Vec::<String>::new());
        assert_eq!(keyword("y s").await, Vec::<String>::new());
        assert_eq!(keyword("y r").await, ["rep"]);
        // The name filter looks at names only.
        assert_eq!(name("pay").await, Vec::<String>::new());
        assert_eq!(name("SALE").await, ["promo"]);
        assert_eq!(name("über").await, ["pay-1"]);
        assert_eq!(name("%").await, ["promo"]);
        assert_eq!(name("nth").await, ["rep"]);
        assert_eq!(find(Some("o"), Some("month")).await, ["rep"]);
    }

    pub async fn update_with_right_stale_and_absent_version(store: Arc<dyn TestStore>) {
        let t = tenant(12);
        let task = create(&*store, t, "Original", "orig", 0).await;
        let mut changed = domain::TaskDefinition {
            description: Some(Description::parse("now with a description").expect("description")),
            trigger: trigger(
                TriggerType::Cron,
                json!({"cron": "*/5 * * * *", "timezone": "Europe/Berlin", "jitter_seconds": 7,
                       "start_at": "2030-02-01T00:00:00Z"}),
            ),
            config: config(TaskType::PythonScript, json!({"script": "print(2)"})),
            timeout_seconds: 90,
            ..definition("Renamed Überweisung", "renamed")
        };
        let updated = store
            .update_task(
                task.uuid,
                Some(1),
                changed.clone(),
                Some(at(99_000)),
                change(t, "bob", 10),
            )
            .await
            .expect("update");
        let expected = Task {
            definition: changed.clone(),
            next_run_at: Some(at(99_000)),
            version: 2,
            updated_at: at(10),
            updated_by: "bob".into(),
            ..task.clone()
        };
        assert_eq!(updated, expected);
        assert_eq!(
            store.get_task(t, task.uuid).await.expect("get"),
            Some(expected.clone())
        );
        let row = store
            .task_row_for_tests(task.uuid)
            .await
            .expect("row")
            .expect("exists");
        assert_eq!(
            (
                row.timezone.as_str(),
                row.jitter_seconds,
                row.start_at,
                row.search_text.as_str(),
                row.task_type.as_str()
            ),
            (
                "Europe/Berlin",
                7,
                Some(at(31 * 86_400_000).as_millisecond()),
                "renamed überweisung renamed",
                "python_script"
            )
        );
        let found = store
            .list_tasks(
                t,
                &TaskQuery {
                    keyword: Some("ÜBERW".into()),
                    ..query()
                },
            )
            .await
            .expect("list");
        assert_eq!(codes(&found), ["renamed"]);

        let before = store.task_row_for_tests(task.uuid).await.expect("row");
        changed.timeout_seconds = 91;
        let stale = store
            .update_task(
                task.uuid,
                Some(1),
                changed.clone(),
                None,
                change(t, "carol", 20),
            )
            .await;
        assert!(
            matches!(
                stale,
                Err(StoreError::VersionConflict {
                    expected: 1,
                    current: 2
                })
            ),
            "{stale:?}"
        );
        let future = store
            .update_task(
                task.uuid,
                Some(3),
                changed.clone(),
                None,
                change(t, "carol", 20),
            )
            .await;
        assert!(
            matches!(
                future,
                Err(StoreError::VersionConflict {
                    expected: 3,
                    current: 2
                })
            ),
            "{future:?}"
        );
        assert_eq!(
            store.task_row_for_tests(task.uuid).await.expect("row"),
            before
        );

        let unconditional = store
            .update_task(
                task.uuid,
                None,
                changed.clone(),
                None,
                change(t, "carol", 30),
            )
            .await
            .expect("update without a version");
        assert_eq!(
            (unconditional.version, unconditional.next_run_at),
            (3, None)
        );
        assert_eq!(unconditional.definition.timeout_seconds, 91);
        // The same definition again changes nothing: no version, no audit entry, no write.
        let row = store.task_row_for_tests(task.uuid).await.expect("row");
        let audits = store
            .audit_log_for_tests(t, task.uuid)
            .await
            .expect("audit")
            .len();
        let same = store
            .update_task(
                task.uuid,
                Some(3),
                changed.clone(),
                Some(at(99)),
                change(t, "erin", 35),
            )
            .await
            .expect("no-op update");
        assert_eq!(same, unconditional);
        assert_eq!(store.task_row_for_tests(task.uuid).await.expect("row"), row);
        assert_eq!(
            store
                .audit_log_for_tests(t, task.uuid)
                .await
                .expect("audit")
                .len(),
            audits
        );

        assert_not_found(
            store
                .update_task(
                    TaskUuid::new_v7(),
                    Some(1),
                    changed.clone(),
                    None,
                    change(t, "carol", 40),
                )
                .await,
            "unknown task",
        );
        assert_not_found(
            store
                .update_task(
                    TaskUuid::new_v7(),
                    None,
                    changed.clone(),
                    None,
                    change(t, "carol", 40),
                )
                .await,
            "unknown task without version",
        );
        let versions = store
            .task_versions(t, task.uuid, 1, 10)
            .await
            .expect("versions");
        assert_eq!(
            versions.items.iter().map(|v| v.version).collect::<Vec<_>>(),
            [3, 2, 1]
        );

        // Deactivating through an update is a stop: queued runs are cancelled.
        let queued = store
            .insert_run_for_tests(t, &run(&unconditional, 50, RunStatus::Queued))
            .await
            .expect("run");
        changed.is_active = false;
        let stopped = store
            .update_task(task.uuid, Some(3), changed, None, change(t, "dave", 60))
            .await
            .expect("deactivate");
        assert!(!stopped.definition.is_active);
        let cancelled = store
            .get_run(t, queued.uuid)
            .await
            .expect("get")
            .expect("exists");
        assert_eq!(
            (
                cancelled.status,
                cancelled.finished_at,
                cancelled.error.as_deref()
            ),
            (RunStatus::Cancelled, Some(at(60)), Some("task stopped"))
        );
    }

    /// A caller read the task at version 1 (an `If-Match` of its `ETag`); another writer
    /// changed it before the start, stop or delete reached the store: the write is refused
    /// and leaves the other writer's change as it was, not overwritten.
    pub async fn start_stop_and_delete_compare_the_expected_version_under_the_lock(
        store: Arc<dyn TestStore>,
    ) {
        let t = tenant(31);
        let task = create(&*store, t, "Guarded", "guarded", 0).await;
        let read = task.version;
        let mut edited = task.definition.clone();
        edited.timeout_seconds = 77;
        store
            .update_task(
                task.uuid,
                None,
                edited,
                task.next_run_at,
                change(t, "bob", 10),
            )
            .await
            .expect("the other writer's change");
        let after_edit = store.task_row_for_tests(task.uuid).await.expect("row");
        let conflict = |result: Result<(), StoreError>| {
            assert!(
                matches!(
                    result,
                    Err(StoreError::VersionConflict {
                        expected: 1,
                        current: 2
                    })
                ),
                "{result:?}"
            );
        };
        conflict(
            store
                .set_active(task.uuid, Some(read), false, None, change(t, "carol", 20))
                .await
                .map(drop),
        );
        // Even a start that would change nothing is refused: the caller's view is stale.
        conflict(
            store
                .set_active(
                    task.uuid,
                    Some(read),
                    true,
                    task.next_run_at,
                    change(t, "carol", 21),
                )
                .await
                .map(drop),
        );
        conflict(
            store
                .delete_task(task.uuid, Some(read), change(t, "carol", 22))
                .await,
        );
        assert_eq!(
            store.task_row_for_tests(task.uuid).await.expect("row"),
            after_edit,
            "nothing written"
        );

        let stopped = store
            .set_active(task.uuid, Some(2), false, None, change(t, "carol", 30))
            .await
            .expect("stop at the current version");
        assert_eq!((stopped.definition.is_active, stopped.version), (false, 3));
        assert_eq!(stopped.definition.timeout_seconds, 77, "the edit kept");
        store
            .delete_task(task.uuid, Some(3), change(t, "carol", 40))
            .await
            .expect("delete at the current version");
        assert_eq!(store.get_task(t, task.uuid).await.expect("get"), None);
        assert!(matches!(
            store
                .delete_task(task.uuid, None, change(t, "carol", 50))
                .await,
            Err(StoreError::NotFound)
        ));
        let theirs = create(&*store, tenant(32), "Theirs", "guarded", 0).await;
        assert!(matches!(
            store
                .delete_task(theirs.uuid, None, change(t, "mallory", 60))
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(
            store
                .get_task(tenant(32), theirs.uuid)
                .await
                .expect("get")
                .is_some()
        );
    }

    pub async fn set_active_no_op_and_real_changes(store: Arc<dyn TestStore>) {
        let t = tenant(13);
        let task = create(&*store, t, "Switch", "switch", 0).await;
        let same = store
            .set_active(task.uuid, None, true, Some(at(5)), change(t, "bob", 10))
            .await
            .expect("no-op");
        assert_eq!(same, task, "starting an active task changes nothing");

        let stopped = store
            .set_active(task.uuid, None, false, None, change(t, "bob", 20))
            .await
            .expect("stop");
        assert_eq!(
            (
                stopped.definition.is_active,
                stopped.next_run_at,
                stopped.version,
                stopped.updated_at,
                stopped.updated_by.as_str()
            ),
            (false, None, 2, at(20), "bob")
        );
        let again = store
            .set_active(task.uuid, None, false, Some(at(7)), change(t, "carol", 30))
            .await
            .expect("no-op");
        assert_eq!(again, stopped);

        let started = store
            .set_active(
                task.uuid,
                None,
                true,
                Some(at(120_000)),
                change(t, "dave", 40),
            )
            .await
            .expect("start");
        assert_eq!(
            (
                started.definition.is_active,
                started.next_run_at,
                started.version,
                started.updated_by.as_str()
            ),
            (true, Some(at(120_000)), 3, "dave")
        );
        assert_eq!(started.definition, task.definition);
        assert_eq!(
            store.get_task(t, task.uuid).await.expect("get"),
            Some(started.clone())
        );

        let versions = store
            .task_versions(t, task.uuid, 1, 10)
            .await
            .expect("versions");
        let summary: Vec<_> = versions
            .items
            .iter()
            .map(|v| {
                (
                    v.version,
                    v.action,
                    v.actor.as_str(),
                    v.at,
                    v.definition["is_active"].clone(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (3, AuditAction::Start, "dave", at(40), json!(true)),
                (2, AuditAction::Stop, "bob", at(20), json!(false)),
                (1, AuditAction::Create, "alice", at(0), json!(true)),
            ]
        );
        let audit: Vec<_> = store
            .audit_log_for_tests(t, task.uuid)
            .await
            .expect("audit")
            .into_iter()
            .map(|a| (a.action, a.version))
            .collect();
        assert_eq!(
            audit,
            [
                (AuditAction::Create, 1),
                (AuditAction::Stop, 2),
                (AuditAction::Start, 3)
            ]
        );
        assert_not_found(
            store
                .set_active(TaskUuid::new_v7(), None, true, None, change(t, "x", 50))
                .await,
            "unknown",
        );
    }

    pub async fn stop_cancels_only_queued_runs(store: Arc<dyn TestStore>) {
        let t = tenant(14);
        let task = create(&*store, t, "Busy", "busy", 0).await;
        let neighbour = create(&*store, t, "Neighbour", "neighbour", 1).await;
        let q1 = store
            .insert_run_for_tests(t, &run(&task, 10, RunStatus::Queued))
            .await
            .expect("run");
        let q2 = store
            .insert_run_for_tests(t, &run(&task, 20, RunStatus::Queued))
            .await
            .expect("run");
        let running = store
            .insert_run_for_tests(
                t,
                &Run {
                    started_at: Some(at(31)),
                    ..run(&task, 30, RunStatus::Running)
                },
            )
            .await
            .expect("run");
        let done = store
            .insert_run_for_tests(
                t,
                &Run {
                    started_at: Some(at(5)),
                    finished_at: Some(at(6)),
                    duration_ms: Some(1),
                    result: Some(json!({"status": 200})),
                    ..run(&task, 5, RunStatus::Succeeded)
                },
            )
            .await
            .expect("run");
        let other = store
            .insert_run_for_tests(t, &run(&neighbour, 10, RunStatus::Queued))
            .await
            .expect("run");

        store
            .set_active(task.uuid, None, false, None, change(t, "bob", 100))
            .await
            .expect("stop");
        for queued in [&q1, &q2] {
            let now = store
                .get_run(t, queued.uuid)
                .await
                .expect("get")
                .expect("exists");
            assert_eq!(
                now,
                Run {
                    status: RunStatus::Cancelled,
                    finished_at: Some(at(100)),
                    error: Some("task stopped".into()),
                    ..(*queued).clone()
                }
            );
        }
        for untouched in [&running, &done, &other] {
            assert_eq!(
                &store
                    .get_run(t, untouched.uuid)
                    .await
                    .expect("get")
                    .expect("exists"),
                untouched
            );
        }
        let stop = store
            .audit_log_for_tests(t, task.uuid)
            .await
            .expect("audit")
            .pop()
            .expect("entry");
        assert_eq!(
            (stop.action, stop.detail),
            (AuditAction::Stop, Some(json!({"cancelled_runs": 2})))
        );
        let stats = store.run_stats(t, task.uuid).await.expect("stats");
        assert_eq!(
            stats,
            RunStats {
                total: 4,
                running: 1,
                succeeded: 1,
                cancelled: 2,
                ..RunStats::default()
            }
        );
    }

    pub async fn delete_hides_the_task_everywhere(store: Arc<dyn TestStore>) {
        let t = tenant(15);
        let task = create(&*store, t, "Doomed", "doomed", 0).await;
        let keep = create(&*store, t, "Kept", "kept", 1).await;
        let queued = store
            .insert_run_for_tests(t, &run(&task, 10, RunStatus::Queued))
            .await
            .expect("run");
        store
            .insert_run_logs_for_tests(
                t,
                queued.uuid,
                &[RunLogLine {
                    attempt: 1,
                    seq: 1,
                    ts: at(11),
                    stream: LogStream::System,
                    line: "queued".into(),
                }],
            )
            .await
            .expect("logs");

        let deleted = store
            .delete_tasks(
                &[task.uuid, task.uuid, TaskUuid::new_v7()],
                change(t, "bob", 50),
            )
            .await
            .expect("delete");
        assert_eq!(deleted, [task.uuid]);
        assert_eq!(store.get_task(t, task.uuid).await.expect("get"), None);
        let list = store.list_tasks(t, &query()).await.expect("list");
        assert_eq!((list.total, codes(&list)), (1, vec!["kept".to_owned()]));
        assert_eq!(store.get_task(t, keep.uuid).await.expect("get"), Some(keep));
        assert_not_found(
            store.task_versions(t, task.uuid, 1, 10).await,
            "versions after delete",
        );
        assert_not_found(
            store
                .list_runs(
                    t,
                    task.uuid,
                    &RunQuery {
                        page: 1,
                        page_size: 10,
                        ..RunQuery::default()
                    },
                )
                .await,
            "runs",
        );
        assert_not_found(store.run_stats(t, task.uuid).await, "stats");
        assert_not_found(store.run_logs(t, queued.uuid).await, "logs");
        assert_eq!(store.get_run(t, queued.uuid).await.expect("get run"), None);
        assert_not_found(
            store
                .update_task(
                    task.uuid,
                    None,
                    definition("x", "x"),
                    None,
                    change(t, "bob", 60),
                )
                .await,
            "update",
        );
        assert_not_found(
            store
                .set_active(task.uuid, None, false, None, change(t, "bob", 60))
                .await,
            "stop",
        );
        assert_eq!(
            store
                .delete_tasks(&[task.uuid], change(t, "bob", 70))
                .await
                .expect("delete again"),
            Vec::<TaskUuid>::new()
        );

        let row = store
            .task_row_for_tests(task.uuid)
            .await
            .expect("row")
            .expect("kept as a soft delete");
        assert_eq!(
            (
                row.deleted_at,
                row.is_active,
                row.next_run_at,
                row.version,
                row.updated_at,
                row.updated_by.as_str()
            ),
            (
                Some(at(50).as_millisecond()),
                false,
                None,
                2,
                at(50).as_millisecond(),
                "bob"
            )
        );
        let audit = store
            .audit_log_for_tests(t, task.uuid)
            .await
            .expect("audit");
        assert_eq!(
            audit.last(),
            Some(&AuditEntry {
                action: AuditAction::Delete,
                actor: "bob".into(),
                at: at(50),
                version: 2,
                detail: Some(json!({"cancelled_runs": 1})),
            })
        );
        assert_eq!(audit.len(), 2);
    }

    pub async fn batch_delete_leaves_other_tenants_alone(store: Arc<dyn TestStore>) {
        let (a, b) = (tenant(16), tenant(17));
        let a1 = create(&*store, a, "A1", "a1", 0).await;
        let a2 = create(&*store, a, "A2", "a2", 1).await;
        let b1 = create(&*store, b, "B1", "b1", 2).await;
        let b_run = store
            .insert_run_for_tests(b, &run(&b1, 10, RunStatus::Queued))
            .await
            .expect("run");
        let b_row = store.task_row_for_tests(b1.uuid).await.expect("row");
        let b_audit = store.audit_log_for_tests(b, b1.uuid).await.expect("audit");

        let deleted = store
            .delete_tasks(
                &[b1.uuid, a1.uuid, TaskUuid::new_v7()],
                change(a, "mallory", 100),
            )
            .await
            .expect("delete");
        assert_eq!(deleted, [a1.uuid]);
        assert_eq!(store.task_row_for_tests(b1.uuid).await.expect("row"), b_row);
        assert_eq!(
            store.audit_log_for_tests(b, b1.uuid).await.expect("audit"),
            b_audit
        );
        assert_eq!(
            store.get_run(b, b_run.uuid).await.expect("get"),
            Some(b_run)
        );
        assert_eq!(store.get_task(a, a2.uuid).await.expect("get"), Some(a2));
        assert_eq!(
            store
                .delete_tasks(&[b1.uuid], change(a, "mallory", 101))
                .await
                .expect("delete"),
            Vec::<TaskUuid>::new()
        );
        assert_eq!(
            store
                .delete_tasks(&[], change(a, "mallory", 102))
                .await
                .expect("delete"),
            Vec::<TaskUuid>::new()
        );
        assert_eq!(store.task_row_for_tests(b1.uuid).await.expect("row"), b_row);
    }

    pub async fn other_tenants_objects_are_invisible_and_unchanged(store: Arc<dyn TestStore>) {
        let (a, b) = (tenant(18), tenant(19));
        create(&*store, a, "Mine", "mine", 0).await;
        let theirs = create(&*store, b, "Theirs", "theirs", 1).await;
        let their_run = store
            .insert_run_for_tests(b, &run(&theirs, 10, RunStatus::Queued))
            .await
            .expect("run");
        store
            .insert_run_logs_for_tests(
                b,
                their_run.uuid,
                &[RunLogLine {
                    attempt: 1,
                    seq: 1,
                    ts: at(11),
                    stream: LogStream::Stdout,
                    line: "secret".into(),
                }],
            )
            .await
            .expect("logs");
        let row = store.task_row_for_tests(theirs.uuid).await.expect("row");
        let audit = store
            .audit_log_for_tests(b, theirs.uuid)
            .await
            .expect("audit");

        let runs = RunQuery {
            page: 1,
            page_size: 10,
            ..RunQuery::default()
        };
        assert_eq!(store.get_task(a, theirs.uuid).await.expect("get"), None);
        assert_eq!(
            codes(&store.list_tasks(a, &query()).await.expect("list")),
            ["mine"]
        );
        assert!(
            store
                .list_tasks(
                    a,
                    &TaskQuery {
                        code: Some("theirs".into()),
                        ..query()
                    }
                )
                .await
                .expect("list")
                .items
                .is_empty()
        );
        assert_not_found(
            store
                .update_task(
                    theirs.uuid,
                    Some(1),
                    definition("Hacked", "hacked"),
                    None,
                    change(a, "mallory", 20),
                )
                .await,
            "update",
        );
        assert_not_found(
            store
                .update_task(
                    theirs.uuid,
                    None,
                    definition("Hacked", "hacked"),
                    None,
                    change(a, "mallory", 20),
                )
                .await,
            "update",
        );
        assert_not_found(
            store
                .set_active(theirs.uuid, None, false, None, change(a, "mallory", 20))
                .await,
            "stop",
        );
        assert_not_found(
            store
                .set_active(theirs.uuid, None, true, None, change(a, "mallory", 20))
                .await,
            "start",
        );
        assert_not_found(store.task_versions(a, theirs.uuid, 1, 10).await, "versions");
        assert_not_found(store.list_runs(a, theirs.uuid, &runs).await, "runs");
        assert_not_found(store.run_stats(a, theirs.uuid).await, "stats");
        assert_eq!(
            store.get_run(a, their_run.uuid).await.expect("get run"),
            None
        );
        assert_not_found(store.run_logs(a, their_run.uuid).await, "logs");
        assert_not_found(
            store
                .insert_run_for_tests(a, &run(&theirs, 99, RunStatus::Queued))
                .await,
            "insert run",
        );

        assert_eq!(
            store.task_row_for_tests(theirs.uuid).await.expect("row"),
            row
        );
        assert_eq!(
            store
                .audit_log_for_tests(b, theirs.uuid)
                .await
                .expect("audit"),
            audit
        );
        assert!(
            store
                .audit_log_for_tests(a, theirs.uuid)
                .await
                .expect("audit")
                .is_empty()
        );
        assert_eq!(
            store.get_run(b, their_run.uuid).await.expect("get"),
            Some(their_run.clone())
        );
        assert_eq!(
            store
                .list_runs(b, theirs.uuid, &runs)
                .await
                .expect("runs")
                .items,
            [their_run]
        );
    }

    pub async fn version_history_and_audit_log(store: Arc<dyn TestStore>) {
        let t = tenant(20);
        let first = definition("History", "history");
        let task = store
            .create_task(new_task(t, first.clone(), None), change(t, "alice", 0))
            .await
            .expect("create");
        let second = domain::TaskDefinition {
            timeout_seconds: 5,
            ..definition("History v2", "history")
        };
        store
            .update_task(
                task.uuid,
                Some(1),
                second.clone(),
                None,
                change(t, "bob", 10),
            )
            .await
            .expect("update");
        let stopped = store
            .set_active(task.uuid, None, false, None, change(t, "carol", 20))
            .await
            .expect("stop");
        let started = store
            .set_active(task.uuid, None, true, Some(at(99)), change(t, "dave", 30))
            .await
            .expect("start");

        let all = store
            .task_versions(t, task.uuid, 1, 10)
            .await
            .expect("versions");
        assert_eq!((all.total, all.page, all.page_size), (4, 1, 10));
        let expected = [
            (
                4,
                AuditAction::Start,
                "dave",
                at(30),
                started.definition.to_json(),
            ),
            (
                3,
                AuditAction::Stop,
                "carol",
                at(20),
                stopped.definition.to_json(),
            ),
            (2, AuditAction::Update, "bob", at(10), second.to_json()),
            (1, AuditAction::Create, "alice", at(0), first.to_json()),
        ];
        let got: Vec<_> = all
            .items
            .iter()
            .map(|v| {
                (
                    v.version,
                    v.action,
                    v.actor.as_str(),
                    v.at,
                    v.definition.clone(),
                )
            })
            .collect();
        assert_eq!(got, expected);
        assert_eq!(all.items[2].definition["timeout_seconds"], json!(5));
        assert_eq!(all.items[2].definition["name"], json!("History v2"));

        let page2 = store
            .task_versions(t, task.uuid, 2, 3)
            .await
            .expect("versions");
        assert_eq!(
            (
                page2.total,
                page2.items.iter().map(|v| v.version).collect::<Vec<_>>()
            ),
            (4, vec![1])
        );
        assert_not_found(
            store.task_versions(t, TaskUuid::new_v7(), 1, 10).await,
            "unknown task",
        );

        store
            .delete_tasks(&[task.uuid], change(t, "erin", 40))
            .await
            .expect("delete");
        let audit = store
            .audit_log_for_tests(t, task.uuid)
            .await
            .expect("audit");
        let got: Vec<_> = audit
            .iter()
            .map(|a| {
                (
                    a.action,
                    a.actor.as_str(),
                    a.at,
                    a.version,
                    a.detail.clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (AuditAction::Create, "alice", at(0), 1, None),
                (AuditAction::Update, "bob", at(10), 2, None),
                (
                    AuditAction::Stop,
                    "carol",
                    at(20),
                    3,
                    Some(json!({"cancelled_runs": 0}))
                ),
                (AuditAction::Start, "dave", at(30), 4, None),
                (
                    AuditAction::Delete,
                    "erin",
                    at(40),
                    5,
                    Some(json!({"cancelled_runs": 0}))
                ),
            ]
        );
    }

    pub async fn runs_logs_and_stats(store: Arc<dyn TestStore>) {
        let t = tenant(21);
        let task = create(&*store, t, "Runner", "runner", 0).await;
        let other = create(&*store, t, "Other", "other", 1).await;
        let succeeded = Run {
            trigger: RunTrigger::CatchUp,
            started_at: Some(at(101)),
            finished_at: Some(at(150)),
            duration_ms: Some(49),
            result: Some(json!({"status": 200, "body": "ok"})),
            ..run(&task, 100, RunStatus::Succeeded)
        };
        let failed = Run {
            attempt: 4,
            started_at: Some(at(201)),
            finished_at: Some(at(260)),
            duration_ms: Some(59),
            error: Some("HTTP 500".into()),
            ..run(&task, 200, RunStatus::Failed)
        };
        let skipped = Run {
            occurrences: 5,
            skip_reason: Some(SkipReason::Misfire),
            ..run(&task, 300, RunStatus::Skipped)
        };
        // Two manual runs requested in the same millisecond: the id breaks the tie.
        let manual1 = Run {
            trigger: RunTrigger::Manual,
            ..run(&task, 400, RunStatus::Queued)
        };
        let manual2 = Run {
            trigger: RunTrigger::Manual,
            ..run(&task, 400, RunStatus::Running)
        };
        let timed_out = Run {
            error: Some("timeout".into()),
            ..run(&task, 50, RunStatus::TimedOut)
        };
        let mut inserted = Vec::new();
        for r in [
            &succeeded, &failed, &skipped, &manual1, &manual2, &timed_out,
        ] {
            let stored = store.insert_run_for_tests(t, r).await.expect("insert run");
            assert_eq!(&stored, r, "run round trip");
            inserted.push(stored);
        }
        store
            .insert_run_for_tests(t, &run(&other, 1_000, RunStatus::Queued))
            .await
            .expect("other run");
        // The ledger allows one row per scheduled occurrence.
        let duplicate = store
            .insert_run_for_tests(t, &run(&task, 100, RunStatus::Queued))
            .await;
        assert!(
            matches!(duplicate, Err(StoreError::Database(_))),
            "{duplicate:?}"
        );

        let all = RunQuery {
            page: 1,
            page_size: 10,
            ..RunQuery::default()
        };
        let page = store.list_runs(t, task.uuid, &all).await.expect("runs");
        let order: Vec<RunUuid> = page.items.iter().map(|r| r.uuid).collect();
        assert_eq!(
            order,
            [
                manual2.uuid,
                manual1.uuid,
                skipped.uuid,
                failed.uuid,
                succeeded.uuid,
                timed_out.uuid
            ]
        );
        assert_eq!((page.total, page.page, page.page_size), (6, 1, 10));
        let second = store
            .list_runs(
                t,
                task.uuid,
                &RunQuery {
                    page: 2,
                    page_size: 4,
                    ..all.clone()
                },
            )
            .await
            .expect("runs");
        assert_eq!(
            (
                second.total,
                second.items.iter().map(|r| r.uuid).collect::<Vec<_>>()
            ),
            (6, vec![succeeded.uuid, timed_out.uuid])
        );
        let queued = store
            .list_runs(
                t,
                task.uuid,
                &RunQuery {
                    status: Some(RunStatus::Queued),
                    ..all.clone()
                },
            )
            .await
            .expect("runs");
        assert_eq!(
            (queued.total, queued.items.clone()),
            (1, vec![manual1.clone()])
        );
        let one = store
            .list_runs(
                t,
                task.uuid,
                &RunQuery {
                    run_uuid: Some(failed.uuid),
                    ..all.clone()
                },
            )
            .await
            .expect("runs");
        assert_eq!((one.total, one.items), (1, vec![failed.clone()]));
        let foreign = store
            .list_runs(
                t,
                other.uuid,
                &RunQuery {
                    run_uuid: Some(failed.uuid),
                    ..all.clone()
                },
            )
            .await
            .expect("runs");
        assert_eq!(foreign.total, 0);
        assert_not_found(
            store.list_runs(t, TaskUuid::new_v7(), &all).await,
            "unknown task",
        );

        assert_eq!(
            store.get_run(t, failed.uuid).await.expect("get"),
            Some(failed.clone())
        );
        assert_eq!(
            store.get_run(t, RunUuid::new_v7()).await.expect("get"),
            None
        );

        let line = |attempt, seq, stream, text: &str| RunLogLine {
            attempt,
            seq,
            ts: at(200 + seq),
            stream,
            line: text.into(),
        };
        let lines = [
            line(2, 1, LogStream::Stdout, "second attempt"),
            line(1, 2, LogStream::Stderr, "boom ✗"),
            line(1, 1, LogStream::System, "attempt 1 started"),
            line(2, 0, LogStream::System, "attempt 2 started"),
        ];
        store
            .insert_run_logs_for_tests(t, failed.uuid, &lines)
            .await
            .expect("logs");
        let logs = store.run_logs(t, failed.uuid).await.expect("logs");
        assert_eq!(
            logs,
            [
                lines[2].clone(),
                lines[1].clone(),
                lines[3].clone(),
                lines[0].clone()
            ]
        );
        assert_eq!(
            store.run_logs(t, succeeded.uuid).await.expect("logs"),
            Vec::<RunLogLine>::new()
        );
        assert_not_found(store.run_logs(t, RunUuid::new_v7()).await, "unknown run");

        let stats = store.run_stats(t, task.uuid).await.expect("stats");
        assert_eq!(
            stats,
            RunStats {
                total: 10,
                queued: 1,
                running: 1,
                succeeded: 1,
                failed: 1,
                timed_out: 1,
                cancelled: 0,
                skipped: 5,
            }
        );
        assert_eq!(
            store.run_stats(t, other.uuid).await.expect("stats"),
            RunStats {
                total: 1,
                queued: 1,
                ..RunStats::default()
            }
        );
        assert_not_found(store.run_stats(t, TaskUuid::new_v7()).await, "unknown task");
    }

    pub async fn concurrent_creates_of_one_code_have_one_winner(store: Arc<dyn TestStore>) {
        let t = tenant(22);
        let attempts: Vec<_> = (0..16)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .create_task(
                            new_task(t, definition(&format!("Racer {i}"), "race"), None),
                            change(t, "racer", i),
                        )
                        .await
                })
            })
            .collect();
        let mut won = 0;
        for attempt in attempts {
            match attempt.await.expect("join") {
                Ok(_) => won += 1,
                Err(StoreError::DuplicateCode(code)) => assert_eq!(code, "race"),
                Err(other) => panic!("unexpected error: {other:?}"),
            }
        }
        assert_eq!(won, 1);
        assert_eq!(
            store
                .list_tasks(
                    t,
                    &TaskQuery {
                        code: Some("race".into()),
                        ..query()
                    }
                )
                .await
                .expect("list")
                .total,
            1
        );
    }

    pub async fn concurrent_writes_all_succeed(store: Arc<dyn TestStore>) {
        let t = tenant(23);
        let shared = create(&*store, t, "Shared", "shared", 0).await;
        let workers: Vec<_> = (0..24)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    let actor = format!("worker-{i}");
                    let ms = 1000 + i;
                    let own = store
                        .create_task(
                            new_task(
                                t,
                                definition(&format!("Own {i}"), &format!("own-{i}")),
                                None,
                            ),
                            change(t, &actor, ms),
                        )
                        .await?;
                    store
                        .update_task(
                            own.uuid,
                            Some(1),
                            definition(&format!("Own {i}!"), &format!("own-{i}")),
                            None,
                            change(t, &actor, ms),
                        )
                        .await?;
                    store
                        .set_active(own.uuid, None, false, None, change(t, &actor, ms))
                        .await?;
                    store
                        .update_task(
                            shared.uuid,
                            None,
                            definition(&format!("Shared by {i}"), "shared"),
                            None,
                            change(t, &actor, ms),
                        )
                        .await?;
                    store.list_tasks(t, &query()).await?;
                    R::Ok(())
                })
            })
            .collect();
        for worker in workers {
            worker.await.expect("join").expect("every write succeeds");
        }
        let shared = store
            .get_task(t, shared.uuid)
            .await
            .expect("get")
            .expect("exists");
        assert_eq!(
            shared.version, 25,
            "every unconditional update applied once"
        );
        let versions = store
            .task_versions(t, shared.uuid, 1, 100)
            .await
            .expect("versions");
        let numbers: BTreeSet<i64> = versions.items.iter().map(|v| v.version).collect();
        assert_eq!(numbers, (1..=25).collect());
        assert_eq!(
            store
                .list_tasks(
                    t,
                    &TaskQuery {
                        is_active: Some(false),
                        ..query()
                    }
                )
                .await
                .expect("list")
                .total,
            24
        );
    }

    pub async fn corrupt_rows_are_errors_not_panics(store: Arc<dyn TestStore>) {
        let t = tenant(24);
        let task = create(&*store, t, "Fragile", "fragile", 0).await;
        create(&*store, t, "Sturdy", "sturdy", 1).await;
        store
            .execute_sql_for_tests("UPDATE scheduled_tasks SET trigger_config = '{\"cron\": 5}' WHERE code = 'fragile'")
            .await
            .expect("corrupt the row");
        let get = store.get_task(t, task.uuid).await;
        assert!(
            matches!(&get, Err(StoreError::Corrupt(m)) if m.contains("trigger_config")),
            "{get:?}"
        );
        assert!(matches!(
            store.list_tasks(t, &query()).await,
            Err(StoreError::Corrupt(_))
        ));
        let sturdy = store
            .list_tasks(
                t,
                &TaskQuery {
                    code: Some("sturdy".into()),
                    ..query()
                },
            )
            .await
            .expect("list");
        assert_eq!(sturdy.total, 1);
        store
            .execute_sql_for_tests("UPDATE scheduled_tasks SET trigger_config = '{}', last_run_status = 'exploded' WHERE code = 'sturdy'")
            .await
            .expect("corrupt the row");
        assert!(matches!(
            store
                .list_tasks(
                    t,
                    &TaskQuery {
                        code: Some("sturdy".into()),
                        ..query()
                    }
                )
                .await,
            Err(StoreError::Corrupt(_))
        ));
    }

    pub async fn tenant_settings_set_replace_clear_and_stay_per_tenant(store: Arc<dyn TestStore>) {
        let (a, b) = (tenant(1), tenant(2));
        assert_eq!(store.tenant_settings(a).await.unwrap(), None);
        let set = store
            .set_tenant_egress_allow(
                Some("10.0.0.0/8,api.partner.example:8443"),
                change(a, "alice", 1_000),
            )
            .await
            .unwrap();
        assert_eq!(
            set,
            TenantSettings {
                egress_allow: Some("10.0.0.0/8,api.partner.example:8443".into()),
                updated_at: at(1_000),
                updated_by: "alice".into(),
            }
        );
        assert_eq!(store.tenant_settings(a).await.unwrap(), Some(set));
        assert_eq!(
            store.tenant_settings(b).await.unwrap(),
            None,
            "another tenant has none"
        );

        let replaced = store
            .set_tenant_egress_allow(Some("[::1]/128:9000"), change(a, "bob", 2_000))
            .await
            .unwrap();
        assert_eq!(replaced.egress_allow.as_deref(), Some("[::1]/128:9000"));
        assert_eq!(
            (replaced.updated_at, replaced.updated_by.as_str()),
            (at(2_000), "bob")
        );
        store
            .set_tenant_egress_allow(Some("b.example"), change(b, "carol", 2_500))
            .await
            .unwrap();

        let cleared = store
            .set_tenant_egress_allow(None, change(a, "alice", 3_000))
            .await
            .unwrap();
        assert_eq!(cleared.egress_allow, None);
        let stored = store.tenant_settings(a).await.unwrap().unwrap();
        assert_eq!((stored.egress_allow, stored.updated_at), (None, at(3_000)));
        let other = store.tenant_settings(b).await.unwrap().unwrap();
        assert_eq!(other.egress_allow.as_deref(), Some("b.example"));
    }

    pub async fn probe_write_commits(store: Arc<dyn TestStore>) {
        store.probe_write(at(1_000)).await.expect("first probe");
        store.probe_write(at(2_000)).await.expect("second probe");
    }

    pub async fn schedule_notices_page_flag_and_clear_on_edit(store: Arc<dyn TestStore>) {
        let (a, b) = (tenant(1), tenant(2));
        let mut created = Vec::new();
        for (i, t) in [a, b, a, b, a].into_iter().enumerate() {
            let code = format!("scan-{i}");
            created.push(create(&*store, t, &code, &code, 1_000 + i as i64).await);
        }
        let gone = create(&*store, a, "gone", "gone", 2_000).await;
        store
            .delete_tasks(&[gone.uuid], change(a, "alice", 2_001))
            .await
            .expect("delete");

        // Pages of two walk every tenant's live tasks once, in uuid order.
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = store.live_tasks_after(after, 2).await.expect("page");
            assert!(page.len() <= 2);
            let Some(last) = page.last() else { break };
            after = Some(last.uuid);
            seen.extend(page.into_iter().map(|t| t.uuid));
        }
        let mut expected: Vec<_> = created.iter().map(|t| t.uuid).collect();
        expected.sort();
        assert_eq!(seen, expected);

        let task = &created[0];
        let notice = |reason, noticed_ms| ScheduleNotice {
            reason,
            message: "moved".into(),
            previous_next_run_at: task.next_run_at,
            next_run_at: Some(at(500_000)),
            noticed_at: at(noticed_ms),
        };
        let first = notice(NoticeReason::CronRulesChanged, 3_000);
        assert!(
            store
                .set_schedule_notice(task, &first, Some(at(500_000)))
                .await
                .expect("flag")
        );
        let flagged = store
            .get_task(a, task.uuid)
            .await
            .expect("get")
            .expect("live");
        assert_eq!(
            flagged,
            Task {
                next_run_at: Some(at(500_000)),
                schedule_notice: Some(first.clone()),
                ..task.clone()
            },
            "a flag is no edit: version and updated_at stay"
        );
        let listed = store.list_tasks(a, &query()).await.expect("list");
        let in_list = listed
            .items
            .iter()
            .find(|t| t.uuid == task.uuid)
            .expect("listed");
        assert_eq!(in_list.schedule_notice, Some(first.clone()));

        // A second scan keeps the notice it found first; a stale version changes nothing.
        let again = notice(NoticeReason::OutOfBounds, 4_000);
        assert!(
            store
                .set_schedule_notice(task, &again, Some(at(500_000)))
                .await
                .expect("flag again")
        );
        let kept = store
            .get_task(a, task.uuid)
            .await
            .expect("get")
            .expect("live");
        assert_eq!(kept.schedule_notice, Some(first.clone()));
        let stale = Task {
            version: task.version + 1,
            ..task.clone()
        };
        assert!(
            !store
                .set_schedule_notice(&stale, &again, None)
                .await
                .expect("stale")
        );
        assert!(
            !store
                .set_schedule_notice(&gone, &again, None)
                .await
                .expect("deleted")
        );
        let wrong_tenant = Task {
            tenant: b,
            ..task.clone()
        };
        assert!(
            !store
                .set_schedule_notice(&wrong_tenant, &again, None)
                .await
                .expect("other tenant")
        );
        assert_eq!(
            store
                .get_task(a, task.uuid)
                .await
                .expect("get")
                .expect("live"),
            kept
        );

        // Starting and stopping is no edit of the definition, nor is an update that changes
        // nothing; an update that changes the definition clears the flag.
        let stopped = store
            .set_active(task.uuid, None, false, None, change(a, "bob", 5_000))
            .await
            .expect("stop");
        assert_eq!(stopped.schedule_notice, Some(first.clone()));
        let unchanged = store
            .update_task(
                task.uuid,
                None,
                stopped.definition.clone(),
                None,
                change(a, "bob", 5_500),
            )
            .await
            .expect("no-op update");
        assert_eq!(unchanged.schedule_notice, Some(first));
        let edited = store
            .update_task(
                task.uuid,
                None,
                domain::TaskDefinition {
                    timeout_seconds: 45,
                    ..stopped.definition.clone()
                },
                None,
                change(a, "bob", 6_000),
            )
            .await
            .expect("update");
        assert_eq!(edited.schedule_notice, None);
        assert_eq!(
            store
                .get_task(a, task.uuid)
                .await
                .expect("get")
                .expect("live")
                .schedule_notice,
            None
        );
    }

    fn log_line(attempt: i32, seq: i64, text: String) -> RunLogLine {
        RunLogLine {
            attempt,
            seq,
            ts: at(1_000 + seq),
            stream: LogStream::Stdout,
            line: text,
        }
    }

    /// `n` lines of attempt 1, then `n` of attempt 2, each naming its attempt and number.
    fn two_attempts(n: i64) -> Vec<RunLogLine> {
        (1..=2)
            .flat_map(|a| (1..=n).map(move |i| log_line(a, i, format!("a{a} line {i}"))))
            .collect()
    }

    pub async fn log_tails_show_the_newest_lines_of_each_run_and_flag_the_rest(
        store: Arc<dyn TestStore>,
    ) {
        let t = tenant(41);
        let task = create(&*store, t, "Chatty", "chatty", 0).await;
        let long = store
            .insert_run_for_tests(t, &run(&task, 100, RunStatus::Failed))
            .await
            .expect("run");
        let short = store
            .insert_run_for_tests(t, &run(&task, 200, RunStatus::Succeeded))
            .await
            .expect("run");
        let silent = store
            .insert_run_for_tests(t, &run(&task, 300, RunStatus::Succeeded))
            .await
            .expect("run");
        let lines = two_attempts(150);
        store
            .insert_run_logs_for_tests(t, long.uuid, &lines)
            .await
            .expect("logs");
        store
            .insert_run_logs_for_tests(t, short.uuid, &lines[..3])
            .await
            .expect("logs");
        let other = tenant(42);
        let window = LogWindow {
            lines: 200,
            bytes: 1 << 20,
        };
        let tails = store
            .log_tails(
                t,
                &[long.uuid, short.uuid, silent.uuid, RunUuid::new_v7()],
                window,
            )
            .await
            .expect("tails");
        assert_eq!(tails.len(), 4);
        // The last 200 of 300 lines: 50 of attempt 1 and all 150 of attempt 2, in order.
        assert_eq!(tails[0].lines, lines[100..].to_vec());
        assert!(tails[0].truncated);
        assert_eq!(
            tails[1],
            LogTail {
                lines: lines[..3].to_vec(),
                truncated: false
            }
        );
        assert_eq!(tails[2], LogTail::default());
        assert_eq!(tails[3], LogTail::default());
        // Another tenant sees nothing of these runs.
        assert_eq!(
            store
                .log_tails(other, &[long.uuid], window)
                .await
                .expect("tails"),
            vec![LogTail::default()]
        );
        // Exactly as many lines as the window: all of them, nothing left out.
        let exact = store
            .log_tails(t, &[short.uuid], LogWindow { lines: 3, ..window })
            .await
            .expect("tails");
        assert!(!exact[0].truncated);
        assert_eq!(exact[0].lines.len(), 3);
        // The byte budget keeps the newest lines whose text fits ("a2 line 150" is 11 bytes).
        let by_bytes = store
            .log_tails(
                t,
                &[long.uuid],
                LogWindow {
                    lines: 200,
                    bytes: 34,
                },
            )
            .await
            .expect("tails");
        assert_eq!(by_bytes[0].lines, lines[297..].to_vec());
        assert!(by_bytes[0].truncated);
        // A newest line longer than the budget leaves the view empty but flagged.
        let none = store
            .log_tails(
                t,
                &[long.uuid],
                LogWindow {
                    lines: 200,
                    bytes: 5,
                },
            )
            .await
            .expect("tails");
        assert_eq!(none[0].lines, Vec::<RunLogLine>::new());
        assert!(none[0].truncated);
    }

    pub async fn log_pages_walk_a_whole_log_in_order_within_their_bounds(
        store: Arc<dyn TestStore>,
    ) {
        let t = tenant(43);
        let task = create(&*store, t, "Paged", "paged", 0).await;
        let ran = store
            .insert_run_for_tests(t, &run(&task, 100, RunStatus::Failed))
            .await
            .expect("run");
        let lines = two_attempts(250);
        store
            .insert_run_logs_for_tests(t, ran.uuid, &lines)
            .await
            .expect("logs");
        let window = LogWindow {
            lines: 150,
            bytes: 1 << 20,
        };
        let texts = |page: &LogPage| -> Vec<RunLogLine> {
            page.lines.iter().map(|l| l.line.clone()).collect()
        };
        let mut after = 0;
        let mut read = Vec::new();
        let mut pages = Vec::new();
        loop {
            let page = store
                .log_page(t, ran.uuid, after, window)
                .await
                .expect("page");
            let cursors: Vec<i64> = page.lines.iter().map(|l| l.cursor).collect();
            assert!(cursors.windows(2).all(|w| w[0] < w[1]), "{cursors:?}");
            assert!(cursors.iter().all(|&c| c > after));
            pages.push((page.lines.len(), page.has_more));
            read.extend(texts(&page));
            let Some(last) = page.lines.last() else {
                panic!("a page before the end is never empty")
            };
            if !page.has_more {
                // Polling again at the end: nothing new yet.
                let again = store
                    .log_page(t, ran.uuid, last.cursor, window)
                    .await
                    .expect("page");
                assert_eq!((again.lines.len(), again.has_more), (0, false));
                break;
            }
            after = last.cursor;
        }
        assert_eq!(pages, [(150, true), (150, true), (150, true), (50, false)]);
        assert_eq!(read, lines);
        // Lines written later follow the cursor: a follower sees them and nothing twice.
        let more = [log_line(3, 1, "a3 line 1".into())];
        store
            .insert_run_logs_for_tests(t, ran.uuid, &more)
            .await
            .expect("logs");
        let next = store
            .log_page(t, ran.uuid, after, window)
            .await
            .expect("page");
        assert_eq!(texts(&next)[50..], more);
        // The byte budget ends a page early; the next one goes on from there.
        let small = LogWindow {
            lines: 150,
            bytes: 27,
        };
        let first = store.log_page(t, ran.uuid, 0, small).await.expect("page");
        assert_eq!(texts(&first), lines[..3].to_vec());
        assert!(first.has_more);
        let second = store
            .log_page(t, ran.uuid, first.lines[2].cursor, small)
            .await
            .expect("page");
        assert_eq!(texts(&second), lines[3..6].to_vec());
        // A line longer than the whole budget still comes, alone: a page always moves on.
        let tiny = LogWindow {
            lines: 150,
            bytes: 1,
        };
        let one = store.log_page(t, ran.uuid, 0, tiny).await.expect("page");
        assert_eq!((texts(&one), one.has_more), (lines[..1].to_vec(), true));
        // Another tenant's run and an unknown run are not found.
        assert_not_found(
            store.log_page(tenant(44), ran.uuid, 0, window).await,
            "another tenant's run",
        );
        assert_not_found(
            store.log_page(t, RunUuid::new_v7(), 0, window).await,
            "unknown run",
        );
    }

    pub async fn a_log_stored_over_the_caps_is_read_bounded(store: Arc<dyn TestStore>) {
        let t = tenant(45);
        let task = create(&*store, t, "Bomb", "bomb", 0).await;
        let bomb = store
            .insert_run_for_tests(t, &run(&task, 100, RunStatus::Succeeded))
            .await
            .expect("run");
        // What a log bomb left before the caps existed: 60,000 empty lines in one attempt.
        store
            .execute_sql_for_tests(
                "INSERT INTO task_run_logs (run_id, attempt, seq, ts, stream, line) \
                 SELECT (SELECT MAX(id) FROM task_runs), 1, n.i, 0, 'stdout', '' \
                 FROM (WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c \
                       WHERE i < 60000) SELECT i FROM c) n",
            )
            .await
            .expect("load");
        let window = LogWindow {
            lines: 200,
            bytes: 1 << 20,
        };
        let tail = store
            .log_tails(t, &[bomb.uuid], window)
            .await
            .expect("tails");
        assert_eq!(tail[0].lines.len(), 200);
        assert!(tail[0].truncated);
        assert_eq!(
            (tail[0].lines[0].seq, tail[0].lines[199].seq),
            (59_801, 60_000)
        );
        let page = store
            .log_page(
                t,
                bomb.uuid,
                0,
                LogWindow {
                    lines: 10_000,
                    ..window
                },
            )
            .await
            .expect("page");
        assert_eq!(page.lines.len(), 10_000);
        assert!(page.has_more);
        assert_eq!(page.lines[9_999].line.seq, 10_000);
    }
}

/// Both migration directories list the same versions with the same names, so a schema change
/// cannot land on one database only.
#[test]
fn migration_versions_are_identical_for_both_databases() {
    let list = |backend: &str| -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
            .map(|entry| {
                entry
                    .expect("dir entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        for name in &names {
            let version = name.split('_').next().unwrap_or_default();
            assert!(
                name.ends_with(".sql")
                    && !version.is_empty()
                    && version.chars().all(|c| c.is_ascii_digit()),
                "{backend}/{name} is not named <version>_<description>.sql"
            );
        }
        names
    };
    let sqlite = list("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, list("postgres"));
}

/// Several nodes starting at once against a fresh database all come up, and the migrations
/// ran exactly once (sqlx holds a PostgreSQL advisory lock while migrating).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_concurrent_migrations() {
    let Some(db) = PostgresDb::create().await else {
        return;
    };
    let nodes: Vec<_> = (0..4)
        .map(|_| {
            let url = db.url.clone();
            tokio::spawn(async move { store::PostgresStore::connect(&url).await })
        })
        .collect();
    let mut stores = Vec::new();
    for node in nodes {
        stores.push(
            node.await
                .expect("join")
                .expect("every node connects and migrates"),
        );
    }
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url)
        .await
        .expect("connect");
    let applied: Vec<(i64, bool)> =
        sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .expect("migrations table");
    let files = std::fs::read_dir(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres"),
    )
    .expect("migrations dir")
    .count();
    assert_eq!(applied.len(), files);
    assert!(applied.iter().all(|(_, ok)| *ok));
    for store in &stores {
        store.probe_write(at(1_000)).await.expect("probe");
    }
    for store in stores {
        store.close().await;
    }
    sqlx::Connection::close(conn).await.ok();
    db.drop_database().await;
}

/// Two stores on one file (two processes, say) still never fail a write with SQLITE_BUSY:
/// `BEGIN IMMEDIATE` waits for the other's write lock within the busy timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_two_stores_on_one_file_both_write() {
    let file = SqliteFile::new();
    let first = Arc::new(
        store::SqliteStore::connect(&file.path_str())
            .await
            .expect("open SQLite store"),
    );
    let second = Arc::new(
        store::SqliteStore::connect(&format!("sqlite://{}", file.path.display()))
            .await
            .expect("open the same file by URL"),
    );
    let t = tenant(30);
    let writers: Vec<_> = (0..20)
        .map(|i| {
            let store = if i % 2 == 0 {
                first.clone()
            } else {
                second.clone()
            };
            tokio::spawn(async move {
                let task = store
                    .create_task(
                        new_task(t, definition("Twin", &format!("twin-{i}")), None),
                        change(t, "twin", i),
                    )
                    .await?;
                store
                    .set_active(task.uuid, None, false, None, change(t, "twin", i))
                    .await?;
                R::Ok(())
            })
        })
        .collect();
    for writer in writers {
        writer.await.expect("join").expect("write succeeds");
    }
    assert_eq!(
        second.list_tasks(t, &query()).await.expect("list").total,
        20
    );
    second.close().await;
    first.close().await;
}

/// The write-ahead log is copied into the database file by the store's own checkpointer, beside
/// the writer, soon after writes (the writer's automatic checkpoint would wait for 4,000 pages).
#[tokio::test]
async fn sqlite_the_log_is_checkpointed_beside_the_writer() {
    let file = SqliteFile::new();
    let store = store::SqliteStore::connect(&file.path_str())
        .await
        .expect("connect");
    let t = tenant(31);
    for i in 0..20 {
        store
            .create_task(
                new_task(t, definition("Logged", &format!("logged-{i}")), None),
                change(t, "ann", i),
            )
            .await
            .expect("create");
    }
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while store.checkpointed_pages() == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "nothing checkpointed within 10 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    store.close().await;
}

/// A missing file is created, in WAL mode with foreign keys on; in-memory URLs are refused.
#[tokio::test]
async fn sqlite_connect_creates_the_file_in_wal_mode() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("fresh.db");
    assert!(!path.exists());
    let store = store::SqliteStore::connect(path.to_str().expect("utf-8"))
        .await
        .expect("connect");
    assert!(path.exists());
    store.close().await;
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
        "sqlite://{}",
        path.display()
    ))
    .await
    .expect("connect");
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .expect("pragma");
    assert_eq!(mode, "wal");
    sqlx::Connection::close(conn).await.ok();
    for url in ["sqlite::memory:", "sqlite://file?mode=memory"] {
        assert!(
            store::SqliteStore::connect(url).await.is_err(),
            "{url} must be refused"
        );
    }
}
