//! Deleted tasks: the tenant's soft-deleted tasks, and making one live again.

use std::sync::LazyLock;

use async_trait::async_trait;
use domain::{AuditAction, Task, TaskUuid, TenantId};
use jiff::Timestamp;

use crate::backend::{Backend, Commit, Exec, PerDialect, per_dialect};
use crate::query::{Query, sql_file};
use crate::registry::{Change, duplicate_code, expect_one_row, load_task, prune_versions, record};
use crate::rows::{LockedTask, TaskRow, millis, timestamp};
use crate::{Page, Result, StoreError, list};

static COUNT_DELETED: LazyLock<Query> = sql_file!("deleted/count_deleted.sql");
static LIST_DELETED: LazyLock<Query> = sql_file!("deleted/list_deleted.sql");
static LOCK_DELETED: PerDialect = per_dialect!("deleted/lock_deleted");
static UNDELETE: LazyLock<Query> = sql_file!("deleted/undelete.sql");

/// A task as it was when deleted, and when that was.
#[derive(Debug, Clone, PartialEq)]
pub struct DeletedTask {
    /// The task; its `updated_by` is who deleted it.
    pub task: Task,
    /// When it was deleted.
    pub deleted_at: Timestamp,
}

/// A `scheduled_tasks` row of a deleted task.
#[derive(Debug, Clone, sqlx::FromRow)]
struct DeletedRow {
    #[sqlx(flatten)]
    task: TaskRow,
    deleted_at: i64,
}

/// The tenant's deleted tasks and their restore.
#[async_trait]
pub trait DeletedTasks: Send + Sync + 'static {
    /// One page of the tenant's tasks deleted at or after `since`, the most recently deleted
    /// first.
    async fn deleted_tasks(
        &self,
        tenant: TenantId,
        since: Timestamp,
        page: u32,
        page_size: u32,
    ) -> Result<Page<DeletedTask>>;

    /// Makes the tenant's task deleted at or after `since` live again, stopped, as a new
    /// version audited as `restore` with `{"deleted_at": …}`. `NotFound` when the tenant has
    /// no such deleted task; [`StoreError::DuplicateCode`] when a live task has its code.
    async fn restore_deleted(
        &self,
        uuid: TaskUuid,
        since: Timestamp,
        change: Change<'_>,
    ) -> Result<Task>;
}

#[async_trait]
impl<B: Backend> DeletedTasks for B {
    async fn deleted_tasks(
        &self,
        tenant: TenantId,
        since: Timestamp,
        page: u32,
        page_size: u32,
    ) -> Result<Page<DeletedTask>> {
        let (page, limit, offset) = list::page_window(page, page_size);
        let mut conn = self.read().await?;
        let (total,) = conn
            .fetch_one::<(i64,)>(
                COUNT_DELETED
                    .stmt()
                    .bind("tenant", tenant.get())
                    .bind("since", millis(since)),
            )
            .await?;
        let items = conn
            .fetch_all::<DeletedRow>(
                LIST_DELETED
                    .stmt()
                    .bind("tenant", tenant.get())
                    .bind("since", millis(since))
                    .bind("limit", limit)
                    .bind("offset", offset),
            )
            .await?
            .into_iter()
            .map(|row| {
                Ok(DeletedTask {
                    deleted_at: timestamp(row.deleted_at, "deleted task deleted_at")?,
                    task: row.task.into_task()?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
            total: u64::try_from(total).unwrap_or(0),
            page,
            page_size,
        })
    }

    async fn restore_deleted(
        &self,
        uuid: TaskUuid,
        since: Timestamp,
        change: Change<'_>,
    ) -> Result<Task> {
        let mut tx = self.begin_write().await?;
        let locked = tx
            .fetch_optional::<LockedTask>(
                LOCK_DELETED
                    .of::<B>()
                    .bind("tenant", change.tenant.get())
                    .bind("uuid", uuid.0)
                    .bind("since", millis(since)),
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        let deleted = load_task(&mut *tx, locked.id).await?;
        let changed = tx
            .execute(
                UNDELETE
                    .stmt()
                    .bind("at", millis(change.at))
                    .bind("actor", change.actor)
                    .bind("id", locked.id)
                    .bind("version", locked.version),
            )
            .await
            .map_err(|e| duplicate_code(e, deleted.definition.code.as_str()))?;
        expect_one_row(&mut *tx, changed, locked).await?;
        let task = load_task(&mut *tx, locked.id).await?;
        // The delete set `updated_at` to its own instant, and nothing changes a deleted task.
        let deleted_at = deleted.updated_at;
        record(
            &mut *tx,
            locked.id,
            task.version,
            AuditAction::Restore,
            &change,
            &task.definition.to_json(),
            Some(serde_json::json!({ "deleted_at": deleted_at.to_string() })),
        )
        .await?;
        prune_versions(&mut *tx, locked.id, task.version, self.versions_kept()).await?;
        tx.commit().await?;
        Ok(task)
    }
}
