//! Claiming: queued runs whose time has come are taken under a lease, shared fairly across
//! tenants ([`fair_share`]).

mod fair_share;
mod task_cache;

use std::collections::HashMap;
use std::sync::atomic::AtomicI64;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, LazyLock};

use async_trait::async_trait;
use domain::{ParentRun, RunArgs, RunTrigger, RunUuid, Task, TenantId};
use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

use crate::backend::{Backend, Commit, Exec, PerDialect, per_dialect};
use crate::query::{Binds, Query, sql_file};
use crate::rows::{RowLabel, millis, parent_run, run_args, timestamp};
use crate::{Result, StoreError};
pub use fair_share::FairShare;
use fair_share::{Candidate, Free};
#[cfg(feature = "test-support")]
pub(crate) use task_cache::TASK_ROWS;
pub use task_cache::TaskCache;

pub(crate) static CLAIM_CANDIDATES: PerDialect =
    per_dialect!("claiming/claim_candidates", replanned);
static TAKE_RUNS: LazyLock<Query> = sql_file!("claiming/take_runs.sql");
pub(crate) static NEXT_QUEUED: LazyLock<Query> = sql_file!("claiming/next_queued.sql", replanned);

/// What a store's claims carry from one to the next.
#[derive(Debug, Default)]
pub struct ClaimState {
    /// The tenant after which the next claim starts its round of tenants with queued runs.
    cursor: AtomicI64,
    /// Tasks fired or claimed lately, so a claim reads only the ones it has not seen.
    pub(crate) tasks: TaskCache,
}

/// Who claims runs, for how long, how many and how they are shared.
#[derive(Debug, Clone, Copy)]
pub struct ClaimRequest<'a> {
    /// The node taking the leases.
    pub owner: &'a str,
    /// How long a lease lasts without a heartbeat.
    pub lease: SignedDuration,
    /// How far ahead of its `not_before` a run may be taken: its worker holds it until then,
    /// so at its instant only the dispatch is left (zero: only runs due now).
    pub lead: SignedDuration,
    /// Most runs to take: the node's free worker slots.
    pub limit: u32,
    /// Most python runs to take: the node's free sandboxes.
    pub sandboxes: u32,
    /// How they are shared between tenants.
    pub share: &'a FairShare,
}

/// A run a worker claimed: everything the executor needs.
#[derive(Debug, Clone)]
pub struct ClaimedRun {
    /// The run.
    pub run: RunUuid,
    /// Its tenant.
    pub tenant: TenantId,
    /// The task with its definition as it is now (definition changes apply to runs not yet
    /// started); its other fields (`next_run_at`, the latest outcome) may be older.
    pub task: Arc<Task>,
    /// Why the run exists.
    pub trigger: RunTrigger,
    /// The occurrence.
    pub scheduled_for: Timestamp,
    /// When it may start: its `not_before` for a run claimed ahead of it, else the claim's
    /// instant.
    pub starts_at: Timestamp,
    /// This attempt, from 1.
    pub attempt: u32,
    /// Attempts allowed in all.
    pub max_attempts: u32,
    /// Earlier executions that were not failures of the task (rescues and requeues): they
    /// count in `attempt` and `max_attempts` but not in the retry backoff.
    pub not_failures: u32,
    /// The arguments of a manual run started with them, in place of the task's own.
    pub args: Option<RunArgs>,
    /// For a chained run, what it receives of the run that queued it.
    pub parent: Option<ParentRun>,
}

/// Taking queued runs under a lease.
#[async_trait]
pub trait ClaimStore: Send + Sync + 'static {
    /// Claims up to `request.limit` queued runs whose `not_before` comes by `now +
    /// request.lead` (of them at most `request.sandboxes` python runs), shared between tenants
    /// as `request.share` says, under a lease held by `request.owner` until `request.lease`
    /// after the latest of those instants. Each run's [`ClaimedRun::starts_at`] says when it
    /// may start.
    async fn claim(&self, now: Timestamp, request: ClaimRequest<'_>) -> Result<Vec<ClaimedRun>>;

    /// The earliest instant a queued run may start, leaving out runs waiting for a running
    /// run of their task.
    async fn next_queued(&self) -> Result<Option<Timestamp>>;
}

/// How many tenants with queued runs a claim of `limit` runs considers: all of them up to 256
/// (every tenant then competes in every claim, as `fair_share` ranks them), and twice the
/// claim beyond, so the fresh tenants a claim prefers are among them.
fn window(limit: u32) -> i64 {
    i64::from(limit).saturating_mul(2).max(256)
}

/// `RETURNING` of the claim.
#[derive(sqlx::FromRow)]
struct TakenRun {
    uuid: Uuid,
    tenant_id: i64,
    task_id: i64,
    /// Its task's version as the run was taken.
    task_version_now: i64,
    trigger: String,
    scheduled_for: i64,
    started_at: i64,
    attempt: i32,
    max_attempts: i32,
    not_failures: i32,
    args: Option<String>,
    parent: Option<String>,
}

fn attempts(n: i32, what: impl std::fmt::Display) -> Result<u32> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("{what}: {n} is out of range")))
}

/// Claims queued runs inside the caller's write transaction (see [`ClaimStore::claim`]).
///
/// A claim considers at most [`window`] tenants with queued runs, in a round over tenant ids
/// that starts after the cursor of `state` (the store's [`Backend::claim_state`]) and wraps
/// around; the cursor then moves to the last tenant the claim gave a run, so with more tenants
/// waiting than a claim considers (ten thousand daily tasks of as many tenants, due at
/// midnight), each tenant's turn comes, and a claim's cost stays what it takes.
pub(crate) async fn claim_runs<B: Backend, E: Exec + ?Sized>(
    tx: &mut E,
    now: Timestamp,
    request: ClaimRequest<'_>,
    state: &ClaimState,
) -> Result<Vec<ClaimedRun>> {
    let ClaimRequest {
        owner,
        lease,
        lead,
        limit,
        sandboxes,
        share,
    } = request;
    if limit == 0 {
        return Ok(Vec::new());
    }
    let due_by = now
        .checked_add(lead.max(SignedDuration::ZERO))
        .map_err(|e| StoreError::Corrupt(format!("claim lead: {e}")))?;
    let lease_end = due_by
        .checked_add(lease)
        .map_err(|e| StoreError::Corrupt(format!("lease end: {e}")))?;
    let candidates = tx
        .fetch_all::<Candidate>(
            CLAIM_CANDIDATES
                .of::<B>()
                .bind("due_by", millis(due_by))
                .bind("limit", i64::from(limit))
                .bind("per_tenant", share.per_tenant.map_or(i64::MAX, i64::from))
                .bind("after", state.cursor.load(Relaxed))
                .bind("window", window(limit)),
        )
        .await?;
    let free = Free {
        workers: limit,
        sandboxes,
    };
    let turns: HashMap<i64, (i64, i64)> = candidates
        .iter()
        .map(|c| (c.id, (c.turn, c.tenant_id)))
        .collect();
    let chosen = fair_share::pick(candidates, free, share);
    if let Some((_, tenant)) = chosen.iter().filter_map(|id| turns.get(id)).max() {
        state.cursor.store(*tenant, Relaxed);
    }
    let mut taken = Vec::with_capacity(chosen.len());
    let fixed = Binds::default()
        .bind("now", millis(now))
        .bind("owner", owner)
        .bind("lease_end", millis(lease_end));
    let rows = chosen
        .into_iter()
        .map(|id| Binds::default().bind("id", id))
        .collect();
    for stmt in TAKE_RUNS.rows(&fixed, rows) {
        taken.extend(tx.fetch_all::<TakenRun>(stmt).await?);
    }
    if taken.is_empty() {
        return Ok(Vec::new());
    }
    let tasks = state
        .tasks
        .tasks(tx, taken.iter().map(|t| (t.task_id, t.task_version_now)))
        .await?;
    let mut claimed = Vec::with_capacity(taken.len());
    for taken in taken {
        let ctx = RowLabel {
            kind: "run",
            id: &taken.uuid,
            column: None,
        };
        let task = match tasks.get(&taken.task_id) {
            Some(Ok(task)) => Arc::clone(task),
            Some(Err(e)) => return Err(StoreError::Corrupt(format!("{ctx}: its task: {e}"))),
            None => return Err(StoreError::Corrupt(format!("{ctx}: its task is missing"))),
        };
        claimed.push(ClaimedRun {
            run: RunUuid(taken.uuid),
            tenant: TenantId::new(taken.tenant_id)
                .ok_or_else(|| StoreError::Corrupt(format!("{ctx}: tenant_id")))?,
            task,
            trigger: taken
                .trigger
                .parse()
                .map_err(|e: String| StoreError::Corrupt(format!("{ctx}: {e}")))?,
            scheduled_for: timestamp(taken.scheduled_for, ctx)?,
            starts_at: timestamp(taken.started_at, ctx)?,
            attempt: attempts(taken.attempt, ctx)?,
            max_attempts: attempts(taken.max_attempts, ctx)?,
            not_failures: u32::try_from(taken.not_failures)
                .map_err(|e| StoreError::Corrupt(format!("{ctx}: rescues and requeues: {e}")))?,
            args: taken
                .args
                .as_deref()
                .map(|raw| run_args(raw, ctx))
                .transpose()?,
            parent: taken
                .parent
                .as_deref()
                .map(|raw| parent_run(raw, ctx))
                .transpose()?,
        });
    }
    Ok(claimed)
}

#[async_trait]
impl<B: Backend> ClaimStore for B {
    async fn claim(&self, now: Timestamp, request: ClaimRequest<'_>) -> Result<Vec<ClaimedRun>> {
        if request.limit == 0 {
            return Ok(Vec::new());
        }
        let mut tx = self.begin_write().await?;
        let claimed = claim_runs::<B, _>(&mut *tx, now, request, self.claim_state()).await?;
        tx.commit().await?;
        Ok(claimed)
    }

    async fn next_queued(&self) -> Result<Option<Timestamp>> {
        let mut conn = self.read().await?;
        let (next,) = conn.fetch_one::<(Option<i64>,)>(NEXT_QUEUED.stmt()).await?;
        next.map(|ms| timestamp(ms, "not_before")).transpose()
    }
}
