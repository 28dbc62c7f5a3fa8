//! Wake-ups: the API pokes the engine after a change so the firing loop and the claimer react
//! at once instead of at their next poll. On PostgreSQL the pokes also travel to the other
//! nodes (LISTEN/NOTIFY, see [`crate::signals`]).

use std::sync::Arc;

use store::Signal;
use tokio::sync::Notify;

/// One flag per kind of change. A poke while nobody waits is remembered (one permit), so a
/// change made during a firing batch is seen by the next one rather than lost.
#[derive(Debug, Default)]
pub(crate) struct Pokes {
    pub(crate) tasks: Notify,
    pub(crate) runs: Notify,
    pub(crate) cancels: Notify,
}

impl Pokes {
    pub(crate) fn poke(&self, signal: Signal) {
        match signal {
            Signal::TasksChanged => self.tasks.notify_one(),
            Signal::RunsQueued => self.runs.notify_one(),
            Signal::CancelRequested => self.cancels.notify_one(),
        }
    }
}

/// Wakes the engine's loops. Cheap to clone; every clone pokes the same engine.
#[derive(Debug, Clone, Default)]
pub struct Wakeup {
    here: Arc<Pokes>,
    /// Changes to tell the other nodes about, when there can be any.
    others: Option<Arc<Pokes>>,
}

impl Wakeup {
    /// A wake-up whose pokes are also meant for the other nodes (taken from
    /// [`Wakeup::outgoing`] and sent by the engine).
    pub(crate) fn broadcasting() -> Self {
        Self {
            here: Arc::default(),
            others: Some(Arc::default()),
        }
    }

    /// The pokes waiting to be sent to the other nodes.
    pub(crate) fn outgoing(&self) -> Option<Arc<Pokes>> {
        self.others.clone()
    }

    fn both(&self, signal: Signal) {
        self.here.poke(signal);
        if let Some(others) = &self.others {
            others.poke(signal);
        }
    }

    /// A task was created, changed, started, stopped or deleted: recompute the next firing.
    pub fn tasks_changed(&self) {
        self.both(Signal::TasksChanged);
    }

    /// Tasks were stopped or deleted: recompute the next firing, and look at the leases now,
    /// since their runs claimed ahead of their instant and not started are to be cancelled.
    pub fn tasks_stopped(&self) {
        self.tasks_changed();
        self.cancel_requested();
    }

    /// A run was queued (fired, run now, retried, rescued): look for work.
    pub fn runs_queued(&self) {
        self.both(Signal::RunsQueued);
    }

    /// A running run was asked to stop (cancel, overlap `replace`): look at the leases now
    /// rather than at the next heartbeat, so an attempt on this node stops at once.
    pub fn cancel_requested(&self) {
        self.both(Signal::CancelRequested);
    }

    /// A signal from another node: poke this node only, so it is not sent back out.
    pub(crate) fn poke_here(&self, signal: Signal) {
        self.here.poke(signal);
    }

    /// Resolves at the next [`Wakeup::tasks_changed`] (or at once for one made earlier).
    pub(crate) async fn tasks(&self) {
        self.here.tasks.notified().await;
    }

    /// Resolves at the next [`Wakeup::runs_queued`] (or at once for one made earlier).
    pub(crate) async fn runs(&self) {
        self.here.runs.notified().await;
    }

    /// Resolves at the next [`Wakeup::cancel_requested`] (or at once for one made earlier).
    pub(crate) async fn cancellations(&self) {
        self.here.cancels.notified().await;
    }
}
