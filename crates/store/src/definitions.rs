//! Definitions as a set: applying many creates, updates and deletes in one transaction (the
//! API's apply), and an earlier version made current again (restore).

use std::collections::HashMap;
use std::sync::LazyLock;

use async_trait::async_trait;
use domain::{AuditAction, Task, TaskDefinition, TaskUuid, TaskVersion, TenantId};
use jiff::Timestamp;
use serde_json::{Map, Value};

use crate::Result;
use crate::alerts::{AlertStep, TaskAlerts, apply_alert_steps, tenant_alerts};
use crate::backend::{Backend, Commit, Exec};
use crate::chains::lock_tenant_chains;
use crate::query::{Arg, Query, Stmt, TASK_COLUMNS, sql_file};
use crate::registry::{
    Change, NewTask, check_expected, check_tenant, insert_task, live_task_id, load_task, lock_task,
    replace_locked, soft_delete_locked,
};
use crate::rows::{self, TaskRow, VersionRow};

static TASK_VERSION: LazyLock<Query> = sql_file!("definitions/task_version.sql");

/// One change of an apply. Updates and deletes name the version they were planned against,
/// so a task changed since then fails the whole apply instead of being overwritten.
#[derive(Debug, Clone)]
pub enum ApplyStep {
    /// A task to create.
    Create(NewTask),
    /// A live task whose definition to replace.
    Update {
        /// The task.
        uuid: TaskUuid,
        /// Its version when the apply was planned.
        expected_version: i64,
        /// The new definition.
        definition: TaskDefinition,
        /// Its next occurrence.
        next_run_at: Option<Timestamp>,
    },
    /// A live task to delete (prune).
    Delete {
        /// The task.
        uuid: TaskUuid,
        /// Its version when the apply was planned.
        expected_version: i64,
    },
    /// A task to create as a plain import does: audited without `{"via": "apply"}`.
    Import(NewTask),
    /// A task's alert configuration to set, once every definition is written.
    Alerts(AlertStep),
}

/// Writing definitions as a set, and restoring versions.
#[async_trait]
pub trait DefinitionStore: Send + Sync + 'static {
    /// The tenant's live tasks whose code is among `codes` (an apply's existing tasks, read
    /// without reading the whole tenant).
    async fn live_tasks_with_codes(&self, tenant: TenantId, codes: &[String]) -> Result<Vec<Task>>;

    /// Performs every step in one transaction, all or nothing; each writes its version and
    /// audit entry as the single operation would, with `{"via": "apply"}` in the audit detail
    /// (`"import"` in the alert entries of a plain import). Alert steps come last, so they may
    /// name tasks the same call creates. Fails with [`StoreError::VersionConflict`] when a task
    /// changed since it was planned, [`StoreError::NotFound`] when one went,
    /// [`StoreError::DuplicateCode`] when a created code is taken, [`StoreError::Invalid`]
    /// when an alert step names a child or channel that is not the tenant's, or a cycle.
    async fn apply_definitions(&self, steps: Vec<ApplyStep>, change: Change<'_>) -> Result<()>;

    /// The alert configuration (chains, deadlines, own rules) of each of the tenant's live
    /// tasks that has any.
    async fn tenant_alerts(&self, tenant: TenantId) -> Result<HashMap<TaskUuid, TaskAlerts>>;

    /// One version of a live task of the tenant: `None` when the task has no such version
    /// (never had it, or it was pruned); `NotFound` for an unknown task.
    async fn task_version(
        &self,
        tenant: TenantId,
        uuid: TaskUuid,
        version: i64,
    ) -> Result<Option<TaskVersion>>;

    /// Makes `definition` (that of version `restored`) the task's current definition as a new
    /// version, audited as `restore` with `{"restored_from": restored}`. Fails like
    /// [`TaskRegistry::update_task`](crate::TaskRegistry::update_task) with an expected version.
    async fn restore_version(
        &self,
        uuid: TaskUuid,
        expected_version: i64,
        restored: i64,
        definition: TaskDefinition,
        next_run_at: Option<Timestamp>,
        change: Change<'_>,
    ) -> Result<Task>;
}

/// The live task of the change's tenant at `expected_version`, locked until commit.
async fn lock_at<B: Backend>(
    tx: &mut B::Conn,
    tenant: TenantId,
    uuid: TaskUuid,
    expected: i64,
) -> Result<rows::LockedTask> {
    let locked = lock_task::<B>(tx, tenant, uuid).await?;
    check_expected(Some(expected), &locked)?;
    Ok(locked)
}

/// The audit detail of an apply's writes.
fn via_apply() -> Map<String, Value> {
    let mut detail = Map::new();
    detail.insert("via".into(), "apply".into());
    detail
}

/// The query of [`DefinitionStore::live_tasks_with_codes`]: one placeholder per code.
fn tasks_with_codes(tenant: TenantId, codes: &[String]) -> Stmt {
    let placeholders: Vec<String> = (2..codes.len() + 2).map(|n| format!("${n}")).collect();
    let mut args = vec![Arg::Int(tenant.get())];
    args.extend(codes.iter().cloned().map(Arg::Text));
    // Only placeholders are spliced into the text; the codes travel as bound arguments.
    Stmt::built(
        "live tasks with codes",
        format!(
            "SELECT {TASK_COLUMNS} FROM scheduled_tasks \
             WHERE tenant_id = $1 AND deleted_at IS NULL AND code IN ({})",
            placeholders.join(", ")
        ),
        args,
    )
}

#[async_trait]
impl<B: Backend> DefinitionStore for B {
    async fn live_tasks_with_codes(&self, tenant: TenantId, codes: &[String]) -> Result<Vec<Task>> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.read().await?;
        conn.fetch_all::<TaskRow>(tasks_with_codes(tenant, codes))
            .await?
            .into_iter()
            .map(TaskRow::into_task)
            .collect()
    }

    async fn apply_definitions(&self, steps: Vec<ApplyStep>, change: Change<'_>) -> Result<()> {
        for step in &steps {
            if let ApplyStep::Create(task) | ApplyStep::Import(task) = step {
                check_tenant(task, &change)?;
            }
        }
        // Existing tasks are locked in one global order (uuid), so two overlapping applies
        // cannot deadlock each other on PostgreSQL.
        let mut creates = Vec::new();
        let mut existing = Vec::new();
        let mut alerts = Vec::new();
        for step in steps {
            match step {
                ApplyStep::Create(_) | ApplyStep::Import(_) => creates.push(step),
                ApplyStep::Update { .. } | ApplyStep::Delete { .. } => existing.push(step),
                ApplyStep::Alerts(step) => alerts.push(step),
            }
        }
        existing.sort_by_key(|step| match step {
            ApplyStep::Update { uuid, .. } | ApplyStep::Delete { uuid, .. } => Some(*uuid),
            _ => None,
        });
        let via = if creates.iter().any(|s| matches!(s, ApplyStep::Import(_))) {
            "import"
        } else {
            "apply"
        };
        let deleted: Vec<TaskUuid> = existing
            .iter()
            .filter_map(|step| match step {
                ApplyStep::Delete { uuid, .. } => Some(*uuid),
                _ => None,
            })
            .collect();
        let keep = self.versions_kept();
        let mut tx = self.begin_write().await?;
        if alerts.iter().any(|step| step.change.chains.is_some()) {
            // Before any task's row, in the order a save of chains takes them.
            lock_tenant_chains::<B>(&mut *tx, change.tenant).await?;
        }
        crate::chains::lock_parents_of::<B>(&mut *tx, change.tenant, &deleted).await?;
        for step in existing.iter().chain(&creates) {
            match step {
                ApplyStep::Create(task) => {
                    let detail = Value::Object(via_apply());
                    insert_task(&mut *tx, task, &change, Some(detail)).await?;
                }
                ApplyStep::Import(task) => {
                    insert_task(&mut *tx, task, &change, None).await?;
                }
                ApplyStep::Alerts(_) => {}
                ApplyStep::Update {
                    uuid,
                    expected_version,
                    definition,
                    next_run_at,
                } => {
                    let locked =
                        lock_at::<B>(&mut *tx, change.tenant, *uuid, *expected_version).await?;
                    replace_locked::<B>(
                        &mut *tx,
                        locked,
                        definition,
                        *next_run_at,
                        &change,
                        AuditAction::Update,
                        via_apply(),
                        keep,
                    )
                    .await?;
                }
                ApplyStep::Delete {
                    uuid,
                    expected_version,
                } => {
                    let locked =
                        lock_at::<B>(&mut *tx, change.tenant, *uuid, *expected_version).await?;
                    soft_delete_locked::<B>(&mut *tx, locked, &change, via_apply(), keep).await?;
                }
            }
        }
        apply_alert_steps::<B>(&mut *tx, &alerts, &change, via).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn tenant_alerts(&self, tenant: TenantId) -> Result<HashMap<TaskUuid, TaskAlerts>> {
        tenant_alerts(&mut *self.read().await?, tenant).await
    }

    async fn task_version(
        &self,
        tenant: TenantId,
        uuid: TaskUuid,
        version: i64,
    ) -> Result<Option<TaskVersion>> {
        let mut conn = self.read().await?;
        let id = live_task_id(&mut *conn, tenant, uuid).await?;
        conn.fetch_optional::<VersionRow>(
            TASK_VERSION
                .stmt()
                .bind("task_id", id)
                .bind("version", version),
        )
        .await?
        .map(VersionRow::into_version)
        .transpose()
    }

    async fn restore_version(
        &self,
        uuid: TaskUuid,
        expected_version: i64,
        restored: i64,
        definition: TaskDefinition,
        next_run_at: Option<Timestamp>,
        change: Change<'_>,
    ) -> Result<Task> {
        let mut detail = Map::new();
        detail.insert("restored_from".into(), restored.into());
        let keep = self.versions_kept();
        let mut tx = self.begin_write().await?;
        let locked = lock_at::<B>(&mut *tx, change.tenant, uuid, expected_version).await?;
        replace_locked::<B>(
            &mut *tx,
            locked,
            &definition,
            next_run_at,
            &change,
            AuditAction::Restore,
            detail,
            keep,
        )
        .await?;
        let task = load_task(&mut *tx, locked.id).await?;
        tx.commit().await?;
        Ok(task)
    }
}
