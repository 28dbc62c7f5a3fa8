//! Runs across a tenant's tasks (`RunSearch`), on both databases: the filtered, paged list and
//! the counts per time bucket.

use std::sync::Arc;

use domain::{Run, RunStatus, RunTrigger, RunUuid, SkipReason, Task, TaskCode, TenantId};
use store::on_both_databases;
use store::test_support::TestStore;
use store::{Change, Page, RunBucket, RunBucketsQuery, RunSearchQuery, RunStats, TaskRef, TaskRun};

use crate::common::{at, create, tenant};

use cases::*;

on_both_databases!(
    runs_across_tasks_newest_first_filtered_and_paged,
    buckets_count_each_state_and_durations_over_the_range,
);

/// A run of `task` scheduled `ms` after the epoch of `at`, ended `duration` ms after it.
fn run(task: &Task, ms: i64, status: RunStatus, duration: Option<i64>) -> Run {
    Run {
        uuid: RunUuid::new_v7(),
        task_uuid: task.uuid,
        task_version: task.version,
        trigger: RunTrigger::Schedule,
        scheduled_for: at(ms),
        occurrences: 1,
        status,
        skip_reason: None,
        attempt: 1,
        max_attempts: 1,
        rescues: 0,
        requeues: 0,
        queued_at: at(ms),
        started_at: duration.map(|_| at(ms)),
        finished_at: duration.map(|d| at(ms + d)),
        duration_ms: duration,
        result: None,
        error: None,
        logs_pruned_at: None,
        args: None,
        parent: None,
        next_attempt_at: None,
    }
}

async fn insert(store: &dyn TestStore, tenant: TenantId, run: Run) -> Run {
    store.insert_run_for_tests(tenant, &run).await.unwrap()
}

fn search() -> RunSearchQuery {
    RunSearchQuery {
        page: 1,
        page_size: 100,
        ..RunSearchQuery::default()
    }
}

/// Each run of the page as `code@ms`.
fn listed(page: &Page<TaskRun>) -> Vec<String> {
    page.items
        .iter()
        .map(|r| {
            let ms = r.run.scheduled_for.as_millisecond() - at(0).as_millisecond();
            format!("{}@{ms}", r.task_code)
        })
        .collect()
}

mod cases {
    use super::*;

    pub async fn runs_across_tasks_newest_first_filtered_and_paged(store: Arc<dyn TestStore>) {
        let (a, b) = (tenant(61), tenant(62));
        let billing = create(&*store, a, "Billing export", "billing", 0).await;
        let report = create(&*store, a, "Daily report", "report", 1).await;
        let gone = create(&*store, a, "Gone", "gone", 2).await;
        let theirs = create(&*store, b, "Billing export", "billing", 3).await;
        insert(
            &*store,
            a,
            run(&billing, 1_000, RunStatus::Succeeded, Some(10)),
        )
        .await;
        insert(&*store, a, run(&report, 2_000, RunStatus::Failed, Some(20))).await;
        insert(
            &*store,
            a,
            run(&billing, 3_000, RunStatus::Failed, Some(30)),
        )
        .await;
        let newest = insert(&*store, a, run(&report, 4_000, RunStatus::Running, None)).await;
        insert(&*store, a, run(&gone, 5_000, RunStatus::Failed, Some(5))).await;
        insert(&*store, b, run(&theirs, 3_500, RunStatus::Failed, Some(1))).await;
        store
            .delete_tasks(
                &[gone.uuid],
                Change {
                    tenant: a,
                    actor: "alice",
                    at: at(6_000),
                },
            )
            .await
            .unwrap();

        // Newest occurrence first, each with its task; the deleted task's and the other
        // tenant's runs never appear.
        let all = store.search_runs(a, &search()).await.unwrap();
        assert_eq!(
            listed(&all),
            ["report@4000", "billing@3000", "report@2000", "billing@1000"]
        );
        assert_eq!(all.total, 4);
        assert_eq!(all.items[0].run, newest);
        assert_eq!(all.items[0].task_name, "Daily report");
        let theirs_only = store.search_runs(b, &search()).await.unwrap();
        assert_eq!(listed(&theirs_only), ["billing@3500"]);

        let failed = RunSearchQuery {
            status: Some(RunStatus::Failed),
            ..search()
        };
        let page = store.search_runs(a, &failed).await.unwrap();
        assert_eq!(listed(&page), ["billing@3000", "report@2000"]);

        for task in [
            TaskRef::Uuid(billing.uuid),
            TaskRef::Code(TaskCode::parse("billing").unwrap()),
        ] {
            let page = store
                .search_runs(
                    a,
                    &RunSearchQuery {
                        task: Some(task),
                        ..search()
                    },
                )
                .await
                .unwrap();
            assert_eq!(listed(&page), ["billing@3000", "billing@1000"]);
        }
        // Another tenant's task, a deleted one and an unknown code match nothing.
        for task in [
            TaskRef::Uuid(theirs.uuid),
            TaskRef::Uuid(gone.uuid),
            TaskRef::Code(TaskCode::parse("nope").unwrap()),
        ] {
            let page = store
                .search_runs(
                    a,
                    &RunSearchQuery {
                        task: Some(task),
                        ..search()
                    },
                )
                .await
                .unwrap();
            assert_eq!((page.items.len(), page.total), (0, 0));
        }

        // `from` is inclusive, `to` exclusive.
        let range = RunSearchQuery {
            from: Some(at(2_000)),
            to: Some(at(4_000)),
            ..search()
        };
        let page = store.search_runs(a, &range).await.unwrap();
        assert_eq!(listed(&page), ["billing@3000", "report@2000"]);

        let second = RunSearchQuery {
            page: 2,
            page_size: 3,
            ..search()
        };
        let page = store.search_runs(a, &second).await.unwrap();
        assert_eq!(listed(&page), ["billing@1000"]);
        assert_eq!((page.total, page.page, page.page_size), (4, 2, 3));
    }

    pub async fn buckets_count_each_state_and_durations_over_the_range(store: Arc<dyn TestStore>) {
        let (a, b) = (tenant(63), tenant(64));
        let billing = create(&*store, a, "Billing export", "billing", 0).await;
        let report = create(&*store, a, "Daily report", "report", 1).await;
        let theirs = create(&*store, b, "Theirs", "theirs", 2).await;
        // Buckets of 1 s from 10 s: [10, 11), [11, 12), [12, 13) (the range ends at 12.5 s).
        insert(
            &*store,
            a,
            run(&billing, 10_000, RunStatus::Succeeded, Some(100)),
        )
        .await;
        insert(
            &*store,
            a,
            run(&report, 10_500, RunStatus::Succeeded, Some(300)),
        )
        .await;
        insert(
            &*store,
            a,
            run(&billing, 10_999, RunStatus::Failed, Some(50)),
        )
        .await;
        let skipped = Run {
            occurrences: 4,
            skip_reason: Some(SkipReason::Overlap),
            ..run(&report, 12_000, RunStatus::Skipped, None)
        };
        insert(&*store, a, skipped).await;
        // Outside the range on both sides, and another tenant's inside it.
        insert(&*store, a, run(&billing, 9_999, RunStatus::Failed, Some(1))).await;
        insert(
            &*store,
            a,
            run(&billing, 12_500, RunStatus::Failed, Some(1)),
        )
        .await;
        insert(&*store, b, run(&theirs, 11_000, RunStatus::Failed, Some(7))).await;

        let query = RunBucketsQuery {
            from: at(10_000),
            to: at(12_500),
            width_ms: 1_000,
            task: None,
        };
        let buckets = store.run_buckets(a, &query).await.unwrap();
        assert_eq!(
            buckets,
            [
                RunBucket {
                    start: at(10_000),
                    counts: RunStats {
                        total: 3,
                        succeeded: 2,
                        failed: 1,
                        ..RunStats::default()
                    },
                    duration_avg_ms: Some(150),
                    duration_max_ms: Some(300),
                },
                RunBucket {
                    start: at(11_000),
                    counts: RunStats::default(),
                    duration_avg_ms: None,
                    duration_max_ms: None,
                },
                RunBucket {
                    start: at(12_000),
                    counts: RunStats {
                        total: 4,
                        skipped: 4,
                        ..RunStats::default()
                    },
                    duration_avg_ms: None,
                    duration_max_ms: None,
                },
            ]
        );

        let one_task = RunBucketsQuery {
            task: Some(TaskRef::Code(TaskCode::parse("billing").unwrap())),
            ..query.clone()
        };
        let buckets = store.run_buckets(a, &one_task).await.unwrap();
        assert_eq!(
            buckets.iter().map(|b| b.counts.total).collect::<Vec<_>>(),
            [2, 0, 0]
        );
        assert_eq!(buckets[0].duration_avg_ms, Some(75));

        // The other tenant sees only its own run; naming a task of another tenant gives
        // empty buckets.
        let theirs_buckets = store.run_buckets(b, &query).await.unwrap();
        assert_eq!(
            theirs_buckets
                .iter()
                .map(|b| b.counts.failed)
                .collect::<Vec<_>>(),
            [0, 1, 0]
        );
        let foreign = RunBucketsQuery {
            task: Some(TaskRef::Uuid(theirs.uuid)),
            ..query
        };
        let buckets = store.run_buckets(a, &foreign).await.unwrap();
        assert_eq!(buckets.len(), 3);
        assert!(buckets.iter().all(|b| b.counts.total == 0));
    }
}
