//! The audit log's read side: every change to a tenant's tasks and every run action, newest
//! first, filtered by task, actor, action and time.

use async_trait::async_trait;
use domain::{AuditAction, TaskUuid, TenantId};
use jiff::Timestamp;

use crate::backend::{Backend, Exec};
use crate::list::{Filter, page_window};
use crate::query::{Arg, Stmt};
use crate::rows::{AuditRow, millis};
use crate::{Page, Result};

/// One audit entry as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    /// The task it concerns (deleted tasks included).
    pub task_uuid: TaskUuid,
    /// That task's code when the entry is read.
    pub task_code: String,
    /// What happened.
    pub action: AuditAction,
    /// Who did it (token subject).
    pub actor: String,
    /// When.
    pub at: Timestamp,
    /// The task's version after the change.
    pub version: i64,
    /// Extra facts, e.g. `{"cancelled_runs": 2}`.
    pub detail: Option<serde_json::Value>,
}

/// Filters and page of an audit log read. All filters combine with AND.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Only entries of this task.
    pub task: Option<TaskUuid>,
    /// Only entries by this actor.
    pub actor: Option<String>,
    /// Only entries of this action.
    pub action: Option<AuditAction>,
    /// Only entries at or after this instant.
    pub since: Option<Timestamp>,
    /// Only entries strictly before this instant.
    pub until: Option<Timestamp>,
    /// Which page, from 1.
    pub page: u32,
    /// Rows per page.
    pub page_size: u32,
}

/// Reading a tenant's audit log.
#[async_trait]
pub trait AuditLog: Send + Sync + 'static {
    /// One page of the tenant's audit entries, newest first (by instant, then by write order).
    async fn audit_entries(
        &self,
        tenant: TenantId,
        query: &AuditQuery,
    ) -> Result<Page<AuditRecord>>;
}

/// The `COUNT(*)` and the page query of an audit read, with the same filters.
pub(crate) fn audit_list(tenant: TenantId, query: &AuditQuery) -> (Stmt, Stmt) {
    let mut filter = Filter::new(
        " FROM audit_log a JOIN scheduled_tasks t ON t.id = a.task_id WHERE a.tenant_id = $1",
        vec![Arg::Int(tenant.get())],
    );
    if let Some(task) = query.task {
        filter.and("t.uuid = ", Arg::Uuid(task.0), "");
    }
    if let Some(actor) = &query.actor {
        filter.and("a.actor = ", Arg::Text(actor.clone()), "");
    }
    if let Some(action) = query.action {
        filter.and("a.action = ", Arg::Text(action.as_str().to_owned()), "");
    }
    if let Some(since) = query.since {
        filter.and("a.at >= ", Arg::Int(millis(since)), "");
    }
    if let Some(until) = query.until {
        filter.and("a.at < ", Arg::Int(millis(until)), "");
    }
    filter.into_queries(
        "SELECT t.uuid AS task_uuid, t.code AS task_code, a.action, a.actor, a.at, a.version, a.detail",
        "SELECT COUNT(*)",
        "a.at DESC, a.id DESC",
        query.page,
        query.page_size,
    )
}

#[async_trait]
impl<B: Backend> AuditLog for B {
    async fn audit_entries(
        &self,
        tenant: TenantId,
        query: &AuditQuery,
    ) -> Result<Page<AuditRecord>> {
        let (count, page_stmt) = audit_list(tenant, query);
        let (page, _, _) = page_window(query.page, query.page_size);
        let mut conn = self.read().await?;
        let (total,) = conn.fetch_one::<(i64,)>(count).await?;
        let items = conn
            .fetch_all::<AuditRow>(page_stmt)
            .await?
            .into_iter()
            .map(AuditRow::into_record)
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
            total: u64::try_from(total).unwrap_or(0),
            page,
            page_size: query.page_size,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_placeholders_match_their_arguments() {
        let query = AuditQuery {
            task: Some(TaskUuid::new_v7()),
            actor: Some("alice".into()),
            action: Some(AuditAction::Update),
            since: Some(Timestamp::UNIX_EPOCH),
            until: Some(Timestamp::UNIX_EPOCH),
            page: 1,
            page_size: 10,
        };
        let (count, page) = audit_list(TenantId::new(1).expect("positive"), &query);
        assert_eq!(count.arg_count(), 6);
        assert!(count.text().contains("a.at < $6"), "{}", count.text());
        assert!(
            page.text().ends_with("LIMIT $7 OFFSET $8"),
            "{}",
            page.text()
        );
        assert_eq!(page.arg_count(), 8);
    }
}
