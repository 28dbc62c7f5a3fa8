//! The runs' read side: a task's runs, one run, its log and the counts by state.

use std::sync::LazyLock;

use async_trait::async_trait;
use domain::{Run, RunLogLine, RunStatus, RunUuid, TaskUuid, TenantId};

use crate::backend::{Backend, Exec};
use crate::query::{Query, sql_file};
use crate::registry::live_task_id;
use crate::rows::{BoundedLogRow, RunRow};
use crate::{Page, Result, StoreError, list};

pub(crate) static GET_RUN: LazyLock<Query> = sql_file!("history/get_run.sql");
static RUN_ID: LazyLock<Query> = sql_file!("history/run_id.sql");
#[cfg(any(test, feature = "test-support"))]
static RUN_LOGS: LazyLock<Query> = sql_file!("history/run_logs.sql");
static RUN_STATS: LazyLock<Query> = sql_file!("history/run_stats.sql");
static LOG_TAIL: LazyLock<Query> = sql_file!("history/log_tail.sql");
static LOG_PAGE: LazyLock<Query> = sql_file!("history/log_page.sql");

/// How much of a run's log one read returns at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogWindow {
    /// Most lines.
    pub lines: u32,
    /// Most bytes of line text (UTF-8).
    pub bytes: u64,
}

/// The newest lines of a run's log, as a bounded view shows them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogTail {
    /// The lines, in the order they were written.
    pub lines: Vec<RunLogLine>,
    /// Whether older lines exist that the view leaves out.
    pub truncated: bool,
}

/// A page of a run's whole log.
#[derive(Debug, Clone, PartialEq)]
pub struct LogPage {
    /// The lines after the cursor, in the order they were written.
    pub lines: Vec<PagedLine>,
    /// Whether lines after this page exist already.
    pub has_more: bool,
}

/// A line of a [`LogPage`] and the cursor that pages on after it.
#[derive(Debug, Clone, PartialEq)]
pub struct PagedLine {
    /// Pass it as `after` to read the lines that follow this one.
    pub cursor: i64,
    /// The line.
    pub line: RunLogLine,
}

/// Filters and page of a run list (newest first).
#[derive(Debug, Clone, Default)]
pub struct RunQuery {
    /// Only runs in this state.
    pub status: Option<RunStatus>,
    /// Only this run.
    pub run_uuid: Option<RunUuid>,
    /// Which page, from 1.
    pub page: u32,
    /// Rows per page.
    pub page_size: u32,
}

/// How many runs of a task ended in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Runs in all (collapsed skip rows count once per occurrence).
    pub total: u64,
    /// Waiting.
    pub queued: u64,
    /// Running now.
    pub running: u64,
    /// Succeeded.
    pub succeeded: u64,
    /// Failed.
    pub failed: u64,
    /// Timed out.
    pub timed_out: u64,
    /// Cancelled.
    pub cancelled: u64,
    /// Skipped occurrences.
    pub skipped: u64,
}

impl RunStats {
    /// Counts `n` more runs in `status`.
    pub(crate) fn add(&mut self, status: RunStatus, n: u64) {
        self.total += n;
        *match status {
            RunStatus::Queued => &mut self.queued,
            RunStatus::Running => &mut self.running,
            RunStatus::Succeeded => &mut self.succeeded,
            RunStatus::Failed => &mut self.failed,
            RunStatus::TimedOut => &mut self.timed_out,
            RunStatus::Cancelled => &mut self.cancelled,
            RunStatus::Skipped => &mut self.skipped,
        } += n;
    }
}

/// Reading runs: what the API shows of the ledger.
#[async_trait]
pub trait RunHistory: Send + Sync + 'static {
    /// A task's runs, newest occurrence first. `NotFound` for an unknown task.
    async fn list_runs(
        &self,
        tenant: TenantId,
        task: TaskUuid,
        query: &RunQuery,
    ) -> Result<Page<Run>>;

    /// One run of the tenant.
    async fn get_run(&self, tenant: TenantId, run: RunUuid) -> Result<Option<Run>>;

    /// The whole log of a run, in attempt and sequence order, however long: for tests only
    /// (the API reads bounded tails and pages).
    #[cfg(any(test, feature = "test-support"))]
    async fn run_logs(&self, tenant: TenantId, run: RunUuid) -> Result<Vec<RunLogLine>>;

    /// The newest lines of each run, at most `window` of each, in the order of `runs`. Bounded
    /// whatever the runs stored: only the lines shown (and one more) are read. A run the tenant
    /// does not have (or no longer has) gets an empty tail.
    async fn log_tails(
        &self,
        tenant: TenantId,
        runs: &[RunUuid],
        window: LogWindow,
    ) -> Result<Vec<LogTail>>;

    /// The lines of a run's log after cursor `after` (0: from the start), at most `window`
    /// (at least one line when any follows, however long). `NotFound` for an unknown run.
    async fn log_page(
        &self,
        tenant: TenantId,
        run: RunUuid,
        after: i64,
        window: LogWindow,
    ) -> Result<LogPage>;

    /// Counts of a task's runs by state. `NotFound` for an unknown task.
    async fn run_stats(&self, tenant: TenantId, task: TaskUuid) -> Result<RunStats>;
}

/// A run of the tenant, inside the caller's transaction; `NotFound` when there is none.
pub(crate) async fn get_run<E: Exec + ?Sized>(
    conn: &mut E,
    tenant: TenantId,
    run: RunUuid,
) -> Result<Run> {
    conn.fetch_optional::<RunRow>(
        GET_RUN
            .stmt()
            .bind("uuid", run.0)
            .bind("tenant", tenant.get()),
    )
    .await?
    .ok_or(StoreError::NotFound)?
    .into_run()
}

/// The internal id of a run of the tenant whose task is live; `NotFound` when there is none.
pub(crate) async fn run_id<E: Exec + ?Sized>(
    conn: &mut E,
    tenant: TenantId,
    run: RunUuid,
) -> Result<i64> {
    conn.fetch_optional::<(i64,)>(
        RUN_ID
            .stmt()
            .bind("uuid", run.0)
            .bind("tenant", tenant.get()),
    )
    .await?
    .map(|(id,)| id)
    .ok_or(StoreError::NotFound)
}

#[async_trait]
impl<B: Backend> RunHistory for B {
    async fn list_runs(
        &self,
        tenant: TenantId,
        task: TaskUuid,
        query: &RunQuery,
    ) -> Result<Page<Run>> {
        let (page, _, _) = list::page_window(query.page, query.page_size);
        let mut conn = self.read().await?;
        let id = live_task_id(&mut *conn, tenant, task).await?;
        let (count, page_stmt) = list::run_list(id, query);
        let (total,) = conn.fetch_one::<(i64,)>(count).await?;
        let items = conn
            .fetch_all::<RunRow>(page_stmt)
            .await?
            .into_iter()
            .map(RunRow::into_run)
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
            total: u64::try_from(total).unwrap_or(0),
            page,
            page_size: query.page_size,
        })
    }

    async fn get_run(&self, tenant: TenantId, run: RunUuid) -> Result<Option<Run>> {
        let mut conn = self.read().await?;
        match get_run(&mut *conn, tenant, run).await {
            Ok(run) => Ok(Some(run)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    #[cfg(any(test, feature = "test-support"))]
    async fn run_logs(&self, tenant: TenantId, run: RunUuid) -> Result<Vec<RunLogLine>> {
        use crate::rows::LogRow;
        let mut conn = self.read().await?;
        let id = run_id(&mut *conn, tenant, run).await?;
        conn.fetch_all::<LogRow>(RUN_LOGS.stmt().bind("run_id", id))
            .await?
            .into_iter()
            .map(LogRow::into_line)
            .collect()
    }

    async fn log_tails(
        &self,
        tenant: TenantId,
        runs: &[RunUuid],
        window: LogWindow,
    ) -> Result<Vec<LogTail>> {
        let mut conn = self.read().await?;
        let mut tails = Vec::with_capacity(runs.len());
        for &run in runs {
            let id = match run_id(&mut *conn, tenant, run).await {
                Ok(id) => id,
                Err(StoreError::NotFound) => {
                    tails.push(LogTail::default());
                    continue;
                }
                Err(e) => return Err(e),
            };
            let rows = conn
                .fetch_all::<BoundedLogRow>(
                    LOG_TAIL
                        .stmt()
                        .bind("run_id", id)
                        .bind("limit", i64::from(window.lines) + 1)
                        .bind("bytes", i64::try_from(window.bytes).unwrap_or(i64::MAX)),
                )
                .await?;
            let read = rows.len();
            let mut lines = Vec::with_capacity(read);
            for row in rows.into_iter().take(window.lines as usize) {
                match row.into_line()? {
                    Some(line) => lines.push(line),
                    None => break,
                }
            }
            lines.reverse();
            tails.push(LogTail {
                truncated: lines.len() < read,
                lines,
            });
        }
        Ok(tails)
    }

    async fn log_page(
        &self,
        tenant: TenantId,
        run: RunUuid,
        after: i64,
        window: LogWindow,
    ) -> Result<LogPage> {
        let mut conn = self.read().await?;
        let id = run_id(&mut *conn, tenant, run).await?;
        let rows = conn
            .fetch_all::<BoundedLogRow>(
                LOG_PAGE
                    .stmt()
                    .bind("run_id", id)
                    .bind("after", after)
                    .bind("limit", i64::from(window.lines) + 1)
                    .bind("bytes", i64::try_from(window.bytes).unwrap_or(i64::MAX)),
            )
            .await?;
        let read = rows.len();
        let mut lines = Vec::with_capacity(read);
        for row in rows.into_iter().take(window.lines as usize) {
            let cursor = row.id;
            match row.into_line()? {
                Some(line) => lines.push(PagedLine { cursor, line }),
                None => break,
            }
        }
        Ok(LogPage {
            has_more: lines.len() < read,
            lines,
        })
    }

    async fn run_stats(&self, tenant: TenantId, task: TaskUuid) -> Result<RunStats> {
        let mut conn = self.read().await?;
        let id = live_task_id(&mut *conn, tenant, task).await?;
        let counts = conn
            .fetch_all::<(String, i64)>(RUN_STATS.stmt().bind("task_id", id))
            .await?;
        let mut stats = RunStats::default();
        for (status, n) in counts {
            let status: RunStatus = status
                .parse()
                .map_err(|e: String| StoreError::Corrupt(format!("task {task} run status: {e}")))?;
            stats.add(status, u64::try_from(n).unwrap_or(0));
        }
        Ok(stats)
    }
}
