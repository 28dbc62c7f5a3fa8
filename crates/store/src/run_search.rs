//! Runs across a tenant's tasks: a filtered, paged list and counts per time bucket.

use std::sync::LazyLock;

use async_trait::async_trait;
use domain::{Run, RunStatus, TaskCode, TaskUuid, TenantId};
use jiff::Timestamp;

use crate::backend::{Backend, Exec};
use crate::query::{Query, sql_file};
use crate::registry::live_task_id;
use crate::rows::{RunRow, millis, timestamp};
use crate::{Page, Result, RunStats, StoreError, list};

static TASK_ID_BY_CODE: LazyLock<Query> = sql_file!("run_search/task_id_by_code.sql");
static COUNT_RUNS: LazyLock<Query> = sql_file!("run_search/count_runs.sql", replanned);
static SEARCH_RUNS: LazyLock<Query> = sql_file!("run_search/search_runs.sql", replanned);
static COUNT_TASK_RUNS: LazyLock<Query> = sql_file!("run_search/count_task_runs.sql", replanned);
static SEARCH_TASK_RUNS: LazyLock<Query> = sql_file!("run_search/search_task_runs.sql", replanned);
static RUN_BUCKETS: LazyLock<Query> = sql_file!("run_search/run_buckets.sql", replanned);

/// A task named by its uuid or by its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskRef {
    /// By uuid.
    Uuid(TaskUuid),
    /// By code (unique among a tenant's live tasks).
    Code(TaskCode),
}

/// Filters and page of the runs across a tenant's tasks (newest occurrence first).
#[derive(Debug, Clone, Default)]
pub struct RunSearchQuery {
    /// Only runs in this state.
    pub status: Option<RunStatus>,
    /// Only runs of this task.
    pub task: Option<TaskRef>,
    /// Only runs scheduled for this instant or later.
    pub from: Option<Timestamp>,
    /// Only runs scheduled for before this instant.
    pub to: Option<Timestamp>,
    /// Which page, from 1.
    pub page: u32,
    /// Rows per page.
    pub page_size: u32,
}

/// A run with the task it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRun {
    /// The run.
    pub run: Run,
    /// Its task's code.
    pub task_code: String,
    /// Its task's name.
    pub task_name: String,
}

/// The range and bucket width of run counts over time.
#[derive(Debug, Clone)]
pub struct RunBucketsQuery {
    /// Start of the first bucket (inclusive).
    pub from: Timestamp,
    /// End of the range (exclusive); the last bucket may reach past it.
    pub to: Timestamp,
    /// Width of a bucket, in milliseconds (at least 1).
    pub width_ms: i64,
    /// Only runs of this task.
    pub task: Option<TaskRef>,
}

/// The runs scheduled within one bucket of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunBucket {
    /// Start of the bucket.
    pub start: Timestamp,
    /// How many runs are in each state.
    pub counts: RunStats,
    /// Mean duration of the runs that have one (ended attempts), in milliseconds.
    pub duration_avg_ms: Option<i64>,
    /// Longest duration among them, in milliseconds.
    pub duration_max_ms: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct TaskRunRow {
    #[sqlx(flatten)]
    run: RunRow,
    task_code: String,
    task_name: String,
}

#[derive(sqlx::FromRow)]
struct BucketRow {
    bucket: i64,
    status: String,
    runs: i64,
    duration_sum: i64,
    durations: i64,
    duration_max: Option<i64>,
}

/// Reading runs across a tenant's tasks.
#[async_trait]
pub trait RunSearch: Send + Sync + 'static {
    /// The tenant's runs matching `query`, newest occurrence first. A task the tenant does not
    /// have (or no longer has) matches no run.
    async fn search_runs(&self, tenant: TenantId, query: &RunSearchQuery) -> Result<Page<TaskRun>>;

    /// The tenant's runs over the range of `query`, one entry per bucket from its start, empty
    /// buckets included. The caller bounds the number of buckets.
    async fn run_buckets(
        &self,
        tenant: TenantId,
        query: &RunBucketsQuery,
    ) -> Result<Vec<RunBucket>>;
}

/// The internal id of the task `task` names, `None` when the tenant has no such live task.
async fn task_id<E: Exec + ?Sized>(
    conn: &mut E,
    tenant: TenantId,
    task: &TaskRef,
) -> Result<Option<i64>> {
    let found = match task {
        TaskRef::Uuid(uuid) => live_task_id(conn, tenant, *uuid).await,
        TaskRef::Code(code) => conn
            .fetch_optional::<(i64,)>(
                TASK_ID_BY_CODE
                    .stmt()
                    .bind("tenant", tenant.get())
                    .bind("code", code.as_str()),
            )
            .await?
            .map(|(id,)| id)
            .ok_or(StoreError::NotFound),
    };
    match found {
        Ok(id) => Ok(Some(id)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

#[async_trait]
impl<B: Backend> RunSearch for B {
    async fn search_runs(&self, tenant: TenantId, query: &RunSearchQuery) -> Result<Page<TaskRun>> {
        let (page, limit, offset) = list::page_window(query.page, query.page_size);
        let empty = Page {
            items: Vec::new(),
            total: 0,
            page,
            page_size: query.page_size,
        };
        let mut conn = self.read().await?;
        let task_id = match &query.task {
            None => None,
            Some(task) => match task_id(&mut *conn, tenant, task).await? {
                Some(id) => Some(id),
                None => return Ok(empty),
            },
        };
        let status = query.status.map(|s| s.as_str().to_owned());
        let from = query.from.map_or(i64::MIN, millis);
        let to = query.to.map_or(i64::MAX, millis);
        // One task's runs are read through its own index, the tenant's through the tenant's.
        let (count, page_stmt) = match task_id {
            Some(id) => (
                COUNT_TASK_RUNS.stmt().bind("task_id", id),
                SEARCH_TASK_RUNS.stmt().bind("task_id", id),
            ),
            None => (COUNT_RUNS.stmt(), SEARCH_RUNS.stmt()),
        };
        let (total,) = conn
            .fetch_one::<(i64,)>(
                count
                    .bind("tenant", tenant.get())
                    .bind("status", status.clone())
                    .bind("from", from)
                    .bind("to", to),
            )
            .await?;
        let items = conn
            .fetch_all::<TaskRunRow>(
                page_stmt
                    .bind("tenant", tenant.get())
                    .bind("status", status)
                    .bind("from", from)
                    .bind("to", to)
                    .bind("limit", limit)
                    .bind("offset", offset),
            )
            .await?
            .into_iter()
            .map(|row| {
                Ok(TaskRun {
                    run: row.run.into_run()?,
                    task_code: row.task_code,
                    task_name: row.task_name,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
            total: u64::try_from(total).unwrap_or(0),
            ..empty
        })
    }

    async fn run_buckets(
        &self,
        tenant: TenantId,
        query: &RunBucketsQuery,
    ) -> Result<Vec<RunBucket>> {
        let from = millis(query.from);
        let to = millis(query.to);
        let width = query.width_ms.max(1);
        let span = u64::try_from(to.saturating_sub(from)).unwrap_or(0);
        let buckets = usize::try_from(span.div_ceil(width.unsigned_abs())).unwrap_or(0);
        let mut out: Vec<(RunStats, i64, i64, Option<i64>)> =
            vec![(RunStats::default(), 0, 0, None); buckets];
        let mut conn = self.read().await?;
        let task_id = match &query.task {
            None => None,
            Some(task) => match task_id(&mut *conn, tenant, task).await? {
                Some(id) => Some(id),
                None => return finish(from, width, out),
            },
        };
        let rows = conn
            .fetch_all::<BucketRow>(
                RUN_BUCKETS
                    .stmt()
                    .bind("tenant", tenant.get())
                    .bind("task_id", task_id)
                    .bind("from", from)
                    .bind("to", to)
                    .bind("width", width),
            )
            .await?;
        for row in rows {
            let status: RunStatus = row
                .status
                .parse()
                .map_err(|e: String| StoreError::Corrupt(format!("run status: {e}")))?;
            let slot = usize::try_from(row.bucket)
                .ok()
                .and_then(|i| out.get_mut(i))
                .ok_or_else(|| {
                    StoreError::Corrupt(format!("bucket {} out of range", row.bucket))
                })?;
            slot.0.add(status, u64::try_from(row.runs).unwrap_or(0));
            slot.1 += row.duration_sum;
            slot.2 += row.durations;
            slot.3 = slot.3.max(row.duration_max);
        }
        finish(from, width, out)
    }
}

/// The buckets from their sums: each one's start and mean duration.
fn finish(
    from: i64,
    width: i64,
    sums: Vec<(RunStats, i64, i64, Option<i64>)>,
) -> Result<Vec<RunBucket>> {
    let mut start = from;
    sums.into_iter()
        .map(|(counts, sum, n, max)| {
            let bucket = RunBucket {
                start: timestamp(start, "bucket start")?,
                counts,
                duration_avg_ms: (n > 0).then(|| sum / n),
                duration_max_ms: max,
            };
            start += width;
            Ok(bucket)
        })
        .collect()
}
