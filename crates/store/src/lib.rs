//! Sundial's persistence.
//!
//! Two implementations, [`SqliteStore`] (the embedded default) and [`PostgresStore`] (several
//! nodes), share their SQL text wherever the two databases agree and prove it with one
//! conformance suite. Every statement is a file under `crates/store/sql/`, in a folder per
//! operation, and each operation is a module with its own trait:
//!
//! | Operation | Module, trait | Used by |
//! |---|---|---|
//! | task registry | `registry`, [`TaskRegistry`] | API, start-up scan |
//! | runs read side | `history`, [`RunHistory`] | API |
//! | runs across tasks | `run_search`, [`RunSearch`] | API |
//! | run now, cancel | `control`, [`RunControl`] | API |
//! | chains | `chains`, [`ChainStore`] | API (the queueing: finishing, maintenance) |
//! | definitions as a set, restore | `definitions`, [`DefinitionStore`] | API |
//! | deleted tasks, their restore | `deleted`, [`DeletedTasks`] | API |
//! | dead-man deadlines | `deadlines`, [`DeadlineStore`] | API, engine: maintenance |
//! | audit log read side | `audit`, [`AuditLog`] | API |
//! | tenant settings | `tenants`, [`TenantSettingsStore`] | API |
//! | notification outbox | `notify`, [`NotifyOutbox`] | engine and maintenance (producers), API |
//! | notification channels, rules, deliveries | `notify`, [`NotifySettings`] | API |
//! | notification dispatch | `notify`, [`NotifyDispatch`] | engine: notifier |
//! | readiness | `health`, [`Readiness`] | API |
//! | firing | `firing`, [`FiringStore`] | engine: firing loop |
//! | claiming | `claiming`, [`ClaimStore`] | engine: claimer (and the firing loop on SQLite) |
//! | finishing | `finishing`, [`FinishStore`] | engine: finisher, log drain |
//! | leases | `leases`, [`LeaseStore`] | engine: heartbeat, shutdown, maintenance lease |
//! | maintenance | `maintenance`, [`MaintenanceStore`] | engine: rescuer, retention, log budget |
//! | queue depth | `queue`, [`QueueDepth`] | engine: maintenance (the queued-runs gauge) |
//!
//! [`Store`] gathers what the API uses and [`EngineStore`] what the engine uses; each loop of
//! the engine holds only the trait it needs. Every method that touches a tenant's objects
//! takes the [`TenantId`](domain::TenantId) and scopes by it.

use std::sync::Arc;

mod alerts;
mod audit;
mod backend;
mod chains;
mod claiming;
mod control;
mod deadlines;
mod definitions;
mod deleted;
mod error;
mod finishing;
mod firing;
mod health;
mod history;
mod leases;
mod list;
mod maintenance;
mod notify;
mod postgres;
mod query;
mod queue;
mod registry;
mod rows;
mod run_search;
mod signals;
mod slow_runs;
mod sqlite;
mod tenants;
#[cfg(feature = "test-support")]
pub mod test_support;

pub use alerts::{AlertChange, AlertStep, RuleSpec, TaskAlerts, TaskRule};
pub use audit::{AuditLog, AuditQuery, AuditRecord};
use backend::{Backend, Dialect};
pub use chains::{ChainStore, ChainedTask, MAX_CHAIN_LINKS, TaskChains, leads_to};
pub use claiming::{ClaimRequest, ClaimStore, ClaimedRun, FairShare};
pub use control::RunControl;
pub use deadlines::{DeadlineFinding, DeadlineMiss, DeadlineState, DeadlineStore, DeadlineToCheck};
pub use definitions::{ApplyStep, DefinitionStore};
pub use deleted::{DeletedTask, DeletedTasks};
pub use error::StoreError;
pub use finishing::{AttemptEnd, FinishStore, FinishedAttempt, NewLogLine};
pub use firing::{DueTask, FirePlan, FirePlanner, FireReport, FiringStore, PlannedRun};
pub use health::Readiness;
pub use history::{LogPage, LogTail, LogWindow, PagedLine, RunHistory, RunQuery, RunStats};
pub use leases::LeaseStore;
pub use maintenance::{MaintenanceStore, PrunedLogs, TenantLogBytes};
pub use notify::{
    Channel, ClaimedDelivery, Delivery, DeliveryAttempt, DeliveryQuery, DeliveryStatus, NewChannel,
    NewEvent, NewRule, NotifyDispatch, NotifyOutbox, NotifySettings, RecordedEvent, Rule,
    RuleError,
};
pub use postgres::PostgresStore;
pub use queue::QueueDepth;
pub use registry::{Change, NewTask, TaskQuery, TaskRegistry, TaskSort, TaskSortField};
pub use run_search::{RunBucket, RunBucketsQuery, RunSearch, RunSearchQuery, TaskRef, TaskRun};
pub use signals::{Signal, Signals};
pub use slow_runs::SlowRunStore;
pub use sqlite::SqliteStore;
pub use tenants::{TenantSettings, TenantSettingsStore};

/// Every operation's trait, for callers holding a concrete store rather than a
/// `dyn Store` or `dyn EngineStore` (whose methods need no import).
pub mod prelude {
    pub use crate::{
        AuditLog, ChainStore, ClaimStore, DeadlineStore, DefinitionStore, DeletedTasks,
        EngineStore, FinishStore, FiringStore, LeaseStore, MaintenanceStore, NotifyDispatch,
        NotifyOutbox, NotifySettings, QueueDepth, Readiness, RunControl, RunHistory, RunSearch,
        SlowRunStore, Store, TaskRegistry, TenantSettingsStore,
    };
}

/// Versions of each task the history keeps unless told otherwise (`SUNDIAL_TASK_VERSIONS_KEPT`).
pub const DEFAULT_VERSIONS_KEPT: u32 = 100;

/// Result of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// One page of a list and the size of the whole list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// Rows in the whole (filtered) list.
    pub total: u64,
    /// This page's number, from 1.
    pub page: u32,
    /// Rows per page.
    pub page_size: u32,
}

/// Everything the API asks of the store.
pub trait Store:
    TaskRegistry
    + RunHistory
    + RunSearch
    + RunControl
    + TenantSettingsStore
    + Readiness
    + DefinitionStore
    + DeletedTasks
    + AuditLog
    + ChainStore
    + NotifyOutbox
    + NotifySettings
    + DeadlineStore
{
}

impl<
    T: TaskRegistry
        + RunHistory
        + RunSearch
        + RunControl
        + TenantSettingsStore
        + Readiness
        + DefinitionStore
        + DeletedTasks
        + AuditLog
        + ChainStore
        + NotifyOutbox
        + NotifySettings
        + DeadlineStore,
> Store for T
{
}

/// How many transactions can write at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writers {
    /// One at a time (SQLite): a write transaction holds the whole database.
    One,
    /// Many (PostgreSQL), each locking the rows it changes.
    Many,
}

/// Everything the engine asks of the store.
pub trait EngineStore:
    FiringStore
    + ClaimStore
    + FinishStore
    + LeaseStore
    + MaintenanceStore
    + QueueDepth
    + NotifyOutbox
    + NotifyDispatch
    + DeadlineStore
    + SlowRunStore
{
    /// How many transactions can write at once; the engine decides at start how runs reach
    /// its workers from this.
    fn writers(&self) -> Writers;

    /// Wake-ups between nodes sharing the database (PostgreSQL); `None` on SQLite.
    fn signals(&self) -> Option<Arc<dyn Signals>>;
}

impl<B: Backend> EngineStore for B {
    fn writers(&self) -> Writers {
        match B::DIALECT {
            Dialect::Sqlite => Writers::One,
            Dialect::Postgres => Writers::Many,
        }
    }

    fn signals(&self) -> Option<Arc<dyn Signals>> {
        Backend::signals(self)
    }
}
