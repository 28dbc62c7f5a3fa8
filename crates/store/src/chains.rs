//! Chains: a task's links to the tasks whose runs its runs' outcomes queue, and the queueing
//! itself, which happens inside the transaction that records a run's final outcome (the
//! finisher's, or the rescuer's when it gives up on a run).

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::Hash;
use std::sync::LazyLock;

use async_trait::async_trait;
use domain::{
    AuditAction, ChainLink, ChainOn, ParentRun, Run, RunUuid, TaskUuid, TenantId, ValidationErrors,
};
use jiff::Timestamp;
use uuid::Uuid;

use crate::backend::{Backend, Commit, Dialect, Exec, PerDialect, per_dialect};
use crate::history::run_id;
use crate::query::{Binds, Query, sql_file};
use crate::registry::{Change, live_task_id, lock_task};
use crate::rows::{LockedTask, RunRow, millis, parse_enum};
use crate::{Result, StoreError};

static QUEUE_CHAINED: PerDialect = per_dialect!("chains/queue_chained");
static CHILDREN: LazyLock<Query> = sql_file!("chains/children.sql");
static PARENTS: LazyLock<Query> = sql_file!("chains/parents.sql");
static TENANT_LINKS: LazyLock<Query> = sql_file!("chains/tenant_links.sql");
static LOCK_TENANT_POSTGRES: LazyLock<Query> = sql_file!("chains/lock_tenant.postgres.sql");
static DELETE_LINKS_FROM: LazyLock<Query> = sql_file!("chains/delete_links_from.sql");
static INSERT_LINKS: LazyLock<Query> = sql_file!("chains/insert_links.sql");
static SET_SLOTS: LazyLock<Query> = sql_file!("chains/set_slots.sql");
static UNLINK_SLOTS: LazyLock<Query> = sql_file!("chains/unlink_slots.sql");
static UNLINK: LazyLock<Query> = sql_file!("chains/unlink.sql");
static CHAIN_SLOTS_OF: LazyLock<Query> = sql_file!("chains/chain_slots_of.sql");
static CHILDREN_RUNS: LazyLock<Query> = sql_file!("chains/children_runs.sql");
static LOCK_PARENTS_POSTGRES: LazyLock<Query> = sql_file!("chains/lock_parents.postgres.sql");
static TENANT_CHAINS: LazyLock<Query> = sql_file!("chains/tenant_chains.sql");

/// Most links from one task: every final run of it inserts one row per link.
pub const MAX_CHAIN_LINKS: usize = 20;

/// A task at the other end of a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedTask {
    /// The task.
    pub task: TaskUuid,
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Whether it is active (a stopped child records skipped chained runs).
    pub is_active: bool,
    /// Which outcomes of the parent's runs the link follows.
    pub on: ChainOn,
}

/// A task's links both ways.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskChains {
    /// The tasks it chains to, in the order saved.
    pub children: Vec<ChainedTask>,
    /// The live tasks that chain to it, by code.
    pub parents: Vec<ChainedTask>,
}

/// Reading and saving chains.
#[async_trait]
pub trait ChainStore: Send + Sync + 'static {
    /// A live task's links both ways.
    async fn chains(&self, tenant: TenantId, task: TaskUuid) -> Result<TaskChains>;

    /// Replaces the links from a live task of the change's tenant with `links`, audited as
    /// `chains` (the task's version stays); the same links again write nothing. A child that
    /// is not a live task of the tenant, one named twice, or one that would close a cycle is
    /// refused ([`StoreError::Invalid`], naming `children[i].task_uuid`) and nothing changes.
    async fn set_chains(
        &self,
        task: TaskUuid,
        links: &[ChainLink],
        change: Change<'_>,
    ) -> Result<TaskChains>;

    /// The runs a run of the tenant queued through its task's chains, oldest first.
    async fn chained_runs(&self, tenant: TenantId, run: RunUuid) -> Result<Vec<Run>>;
}

/// [`CHILDREN`] and [`PARENTS`].
#[derive(sqlx::FromRow)]
struct LinkRow {
    uuid: Uuid,
    code: String,
    name: String,
    is_active: bool,
    on_outcome: String,
}

async fn linked<E: Exec + ?Sized>(
    conn: &mut E,
    query: &'static Query,
    id: i64,
) -> Result<Vec<ChainedTask>> {
    conn.fetch_all::<LinkRow>(query.stmt().bind("task_id", id))
        .await?
        .into_iter()
        .map(|row| {
            Ok(ChainedTask {
                task: TaskUuid(row.uuid),
                on: parse_enum(
                    &row.on_outcome,
                    format!("chain to {} column on_outcome", row.uuid),
                )?,
                code: row.code,
                name: row.name,
                is_active: row.is_active,
            })
        })
        .collect()
}

async fn read_chains<E: Exec + ?Sized>(conn: &mut E, id: i64) -> Result<TaskChains> {
    Ok(TaskChains {
        children: linked(conn, &CHILDREN, id).await?,
        parents: linked(conn, &PARENTS, id).await?,
    })
}

/// Whether `child` leads to `parent` through `links` (parent → children), which a link
/// parent → child would turn into a cycle.
pub fn leads_to<T: Copy + Eq + Hash>(links: &HashMap<T, Vec<T>>, child: T, parent: T) -> bool {
    let mut seen = HashSet::new();
    let mut queue = VecDeque::from([child]);
    while let Some(task) = queue.pop_front() {
        if task == parent {
            return true;
        }
        if seen.insert(task) {
            queue.extend(links.get(&task).into_iter().flatten().copied());
        }
    }
    false
}

/// [`TENANT_CHAINS`].
#[derive(sqlx::FromRow)]
struct TenantLinkRow {
    parent_uuid: Uuid,
    #[sqlx(flatten)]
    child: LinkRow,
}

/// Every link between the tenant's live tasks: the parent and the child, each parent's in
/// link order.
pub(crate) async fn tenant_chains<E: Exec + ?Sized>(
    conn: &mut E,
    tenant: TenantId,
) -> Result<Vec<(TaskUuid, ChainedTask)>> {
    conn.fetch_all::<TenantLinkRow>(TENANT_CHAINS.stmt().bind("tenant", tenant.get()))
        .await?
        .into_iter()
        .map(|row| {
            let child = row.child;
            Ok((
                TaskUuid(row.parent_uuid),
                ChainedTask {
                    task: TaskUuid(child.uuid),
                    on: parse_enum(
                        &child.on_outcome,
                        format!("chain to {} column on_outcome", child.uuid),
                    )?,
                    code: child.code,
                    name: child.name,
                    is_active: child.is_active,
                },
            ))
        })
        .collect()
}

/// Takes the tenant's chain lock until commit (PostgreSQL; SQLite has one writer anyway).
pub(crate) async fn lock_tenant_chains<B: Backend>(
    tx: &mut B::Conn,
    tenant: TenantId,
) -> Result<()> {
    if B::DIALECT == Dialect::Postgres {
        tx.execute(LOCK_TENANT_POSTGRES.stmt().bind("tenant", tenant.get()))
            .await?;
    }
    Ok(())
}

/// The tenant's links (parent id → child ids), leaving out those from the tasks in `without`
/// (the ones whose links are being replaced).
pub(crate) async fn tenant_graph<E: Exec + ?Sized>(
    tx: &mut E,
    tenant: TenantId,
    without: &HashSet<i64>,
) -> Result<HashMap<i64, Vec<i64>>> {
    let mut graph: HashMap<i64, Vec<i64>> = HashMap::new();
    for (from, to) in tx
        .fetch_all::<(i64, i64)>(TENANT_LINKS.stmt().bind("tenant", tenant.get()))
        .await?
    {
        if !without.contains(&from) {
            graph.entry(from).or_default().push(to);
        }
    }
    Ok(graph)
}

/// The children (ids) of `links` from `parent`, each problem added to `errors` under
/// `field(i)`: a child that is not a live task of the tenant, one named twice, or one that
/// would close a cycle in `graph` (which must not hold `parent`'s current links).
pub(crate) async fn checked_links<E: Exec + ?Sized>(
    tx: &mut E,
    tenant: TenantId,
    parent: i64,
    links: &[ChainLink],
    graph: &HashMap<i64, Vec<i64>>,
    errors: &mut ValidationErrors,
    field: impl Fn(usize) -> String,
) -> Result<Vec<(i64, ChainOn)>> {
    let mut children: Vec<(i64, ChainOn)> = Vec::with_capacity(links.len());
    for (i, link) in links.iter().enumerate() {
        let child = match live_task_id(&mut *tx, tenant, link.task).await {
            Ok(id) => id,
            Err(StoreError::NotFound) => {
                errors.push(field(i), "is not a task of the tenant");
                continue;
            }
            Err(e) => return Err(e),
        };
        if children.iter().any(|(c, _)| *c == child) {
            errors.push(field(i), "is given twice");
        } else if child == parent {
            errors.push(
                field(i),
                "would close a cycle: a task cannot chain to itself",
            );
        } else if leads_to(graph, child, parent) {
            errors.push(
                field(i),
                "would close a cycle: that task already leads back to this one through its chains",
            );
        } else {
            children.push((child, link.on));
        }
    }
    Ok(children)
}

/// A task's links as an audit entry shows them: `[{"task_code", "on"}]`, in order.
pub(crate) fn portable_links(children: &[ChainedTask]) -> serde_json::Value {
    children
        .iter()
        .map(|c| serde_json::json!({"task_code": c.code, "on": c.on.as_str()}))
        .collect()
}

/// Replaces the locked task's links with `children` (checked `links`) unless they are the ones
/// it has, then audits the change as `chains` (with `via` in the detail, when given); whether
/// anything changed.
pub(crate) async fn replace_links<E: Exec + ?Sized>(
    tx: &mut E,
    locked: LockedTask,
    links: &[ChainLink],
    children: &[(i64, ChainOn)],
    change: &Change<'_>,
    via: Option<&str>,
) -> Result<bool> {
    let before = linked(&mut *tx, &CHILDREN, locked.id).await?;
    let same = before.len() == links.len()
        && before
            .iter()
            .zip(links)
            .all(|(old, new)| old.task == new.task && old.on == new.on);
    if same {
        return Ok(false);
    }
    tx.execute(DELETE_LINKS_FROM.stmt().bind("task_id", locked.id))
        .await?;
    let rows = children
        .iter()
        .zip(1_i64..)
        .map(|((child, on), slot)| {
            Binds::default()
                .bind("child_id", *child)
                .bind("slot", slot)
                .bind("on_outcome", on.as_str())
        })
        .collect();
    let fixed = Binds::default()
        .bind("tenant", change.tenant.get())
        .bind("task_id", locked.id)
        .bind("now", millis(change.at));
    for stmt in INSERT_LINKS.rows(&fixed, rows) {
        tx.execute(stmt).await?;
    }
    tx.execute(
        SET_SLOTS
            .stmt()
            .bind("task_id", locked.id)
            .bind("slots", i64::try_from(children.len()).unwrap_or(i64::MAX)),
    )
    .await?;
    let after = linked(&mut *tx, &CHILDREN, locked.id).await?;
    crate::alerts::audit_alerts(
        tx,
        locked,
        AuditAction::Chains,
        change,
        portable_links(&before),
        portable_links(&after),
        via,
    )
    .await?;
    Ok(true)
}

#[async_trait]
impl<B: Backend> ChainStore for B {
    async fn chains(&self, tenant: TenantId, task: TaskUuid) -> Result<TaskChains> {
        let mut conn = self.read().await?;
        let id = live_task_id(&mut *conn, tenant, task).await?;
        read_chains(&mut *conn, id).await
    }

    async fn set_chains(
        &self,
        task: TaskUuid,
        links: &[ChainLink],
        change: Change<'_>,
    ) -> Result<TaskChains> {
        let tenant = change.tenant;
        let mut tx = self.begin_write().await?;
        lock_tenant_chains::<B>(&mut *tx, tenant).await?;
        let locked = lock_task::<B>(&mut *tx, tenant, task).await?;
        let graph = tenant_graph(&mut *tx, tenant, &HashSet::from([locked.id])).await?;
        let mut errors = ValidationErrors::default();
        let children = checked_links(
            &mut *tx,
            tenant,
            locked.id,
            links,
            &graph,
            &mut errors,
            |i| format!("children[{i}].task_uuid"),
        )
        .await?;
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        replace_links(&mut *tx, locked, links, &children, &change, None).await?;
        let chains = read_chains(&mut *tx, locked.id).await?;
        tx.commit().await?;
        Ok(chains)
    }

    async fn chained_runs(&self, tenant: TenantId, run: RunUuid) -> Result<Vec<Run>> {
        let mut conn = self.read().await?;
        let id = run_id(&mut *conn, tenant, run).await?;
        conn.fetch_all::<RunRow>(
            CHILDREN_RUNS
                .stmt()
                .bind("run_id", id)
                .bind("tenant", tenant.get()),
        )
        .await?
        .into_iter()
        .map(RunRow::into_run)
        .collect()
    }
}

/// A run that just ended for good, of a task with links.
pub(crate) struct EndedParent {
    /// The run's id.
    pub(crate) run_id: i64,
    /// The highest link slot of its task.
    pub(crate) slots: u32,
    /// What its children receive.
    pub(crate) parent: ParentRun,
}

/// Queues the chained runs of `ended` (see `chains/queue_chained.*.sql`): one statement,
/// whatever the number of runs and links. How many were inserted.
pub(crate) async fn queue_chained<E: Exec + ?Sized>(
    tx: &mut E,
    dialect: Dialect,
    ended: &[EndedParent],
    now: Timestamp,
) -> Result<u64> {
    let mut rows = Vec::new();
    for run in ended {
        let parent = serde_json::to_string(&run.parent)
            .map_err(|e| StoreError::Corrupt(format!("parent context: {e}")))?;
        for slot in 1..=run.slots {
            rows.push(
                Binds::default()
                    .bind("run_id", run.run_id)
                    .bind("slot", i64::from(slot))
                    .bind("uuid", RunUuid::new_v7().0)
                    .bind("parent", parent.clone()),
            );
        }
    }
    let query = match dialect {
        Dialect::Sqlite => &QUEUE_CHAINED.sqlite,
        Dialect::Postgres => &QUEUE_CHAINED.postgres,
    };
    let fixed = Binds::default().bind("now", millis(now));
    let mut queued = 0;
    for stmt in query.rows(&fixed, rows) {
        queued += tx.fetch_all::<(String,)>(stmt).await?.len() as u64;
    }
    Ok(queued)
}

/// Of `tasks` (ids), those with links: their uuid and highest slot, by id.
pub(crate) async fn chain_slots_of<E: Exec + ?Sized>(
    tx: &mut E,
    tasks: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, (TaskUuid, u32)>> {
    let rows: Vec<Binds> = tasks
        .into_iter()
        .collect::<HashSet<_>>()
        .into_iter()
        .map(|id| Binds::default().bind("task_id", id))
        .collect();
    let mut slots = HashMap::new();
    for stmt in CHAIN_SLOTS_OF.rows(&Binds::default(), rows) {
        for (id, uuid, n) in tx.fetch_all::<(i64, Uuid, i64)>(stmt).await? {
            slots.insert(id, (TaskUuid(uuid), u32::try_from(n).unwrap_or(0)));
        }
    }
    Ok(slots)
}

/// Removes a task's links both ways as it is deleted: nothing chains to a deleted task.
/// Before the tenant's tasks `uuids` are deleted, locks the live tasks chaining to them, in the
/// order of their ids. The finisher locks a parent (to record its outcome) before it queues a
/// chained run, which takes a key-share lock on the child; a delete that locked the child
/// first and its parents after (to lower their chain slots) could deadlock with it on
/// PostgreSQL. SQLite has one writer: nothing to order.
pub(crate) async fn lock_parents_of<B: Backend>(
    tx: &mut B::Conn,
    tenant: TenantId,
    uuids: &[TaskUuid],
) -> Result<()> {
    if B::DIALECT == Dialect::Sqlite || uuids.is_empty() {
        return Ok(());
    }
    let fixed = Binds::default().bind("tenant", tenant.get());
    let rows = uuids
        .iter()
        .map(|uuid| Binds::default().bind("uuid", uuid.0))
        .collect();
    for stmt in LOCK_PARENTS_POSTGRES.rows(&fixed, rows) {
        tx.fetch_all::<(i64,)>(stmt).await?;
    }
    Ok(())
}

pub(crate) async fn unlink<E: Exec + ?Sized>(tx: &mut E, task_id: i64) -> Result<()> {
    tx.execute(UNLINK_SLOTS.stmt().bind("task_id", task_id))
        .await?;
    tx.execute(UNLINK.stmt().bind("task_id", task_id)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_back_to_an_ancestor_is_a_cycle() {
        let links = HashMap::from([(1, vec![2]), (2, vec![3]), (4, vec![1])]);
        assert!(leads_to(&links, 1, 3), "1 → 2 → 3, so 3 → 1 closes a cycle");
        assert!(!leads_to(&links, 3, 1), "nothing leads from 3 back to 1");
        assert!(leads_to(&links, 4, 2), "4 → 1 → 2");
    }
}
