//! In-process wake-ups: the API pokes the engine after a change so the firing loop and the
//! claimer react at once instead of at their next poll.

use std::sync::Arc;

use tokio::sync::Notify;

/// Wakes the engine's loops. Cheap to clone; every clone pokes the same engine.
///
/// A poke while a loop is busy is remembered (one permit), so a change made during a firing
/// batch is seen by the next one rather than lost.
#[derive(Debug, Clone, Default)]
pub struct Wakeup {
    tasks: Arc<Notify>,
    runs: Arc<Notify>,
    cancels: Arc<Notify>,
}

impl Wakeup {
    /// A task was created, changed, started, stopped or deleted: recompute the next firing.
    pub fn tasks_changed(&self) {
        self.tasks.notify_one();
    }

    /// A run was queued (fired, run now, retried, rescued): look for work.
    pub fn runs_queued(&self) {
        self.runs.notify_one();
    }

    /// A running run was asked to stop (cancel, overlap `replace`): look at the leases now
    /// rather than at the next heartbeat, so an attempt on this node stops at once.
    pub fn cancel_requested(&self) {
        self.cancels.notify_one();
    }

    /// Resolves at the next [`Wakeup::tasks_changed`] (or at once for one made earlier).
    pub(crate) async fn tasks(&self) {
        self.tasks.notified().await;
    }

    /// Resolves at the next [`Wakeup::runs_queued`] (or at once for one made earlier).
    pub(crate) async fn runs(&self) {
        self.runs.notified().await;
    }

    /// Resolves at the next [`Wakeup::cancel_requested`] (or at once for one made earlier).
    pub(crate) async fn cancellations(&self) {
        self.cancels.notified().await;
    }
}
