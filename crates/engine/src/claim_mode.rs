//! How claimed runs reach the workers, decided once at start from the store, so no loop asks
//! which database it runs on.

use store::Writers;

/// How claimed runs reach the workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClaimMode {
    /// One writer (SQLite): the firing transaction also claims runs for the free worker slots,
    /// so a due run reaches a worker after one durable commit; the claimer takes what the
    /// firing left queued, and the finisher wakes it only when runs wait (an empty claim
    /// would still take the writer from the firing).
    WithFiring,
    /// Concurrent writers (PostgreSQL): the claimer claims beside the firing (claiming while
    /// holding the fired tasks would deadlock with another node's firing), woken after every
    /// batch of outcomes.
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
