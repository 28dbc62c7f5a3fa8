//! How claimed runs reach the workers, decided once at start from the store, so no loop asks
//! which database it runs on.

use store::Writers;

/// How claimed runs reach the workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClaimMode {
    /// One writer (SQLite): the firing transaction and the finisher's also claim runs for the
    /// free worker slots, so a due run reaches a worker after one durable commit and a burst
    /// needs one commit per batch of attempts; the claimer takes what they left queued.
    WithFiring,
    /// Concurrent writers (PostgreSQL): the claimer claims beside the firing and the finisher
    /// (claiming while holding the tasks they lock could deadlock with another node), woken
    /// after every batch of outcomes.
    Beside,
}

impl ClaimMode {
    /// The mode for a store with these writers.
    pub(crate) fn for_writers(writers: Writers) -> Self {
        match writers {
            Writers::One => ClaimMode::WithFiring,
            Writers::Many => ClaimMode::Beside,
        }
    }
}
