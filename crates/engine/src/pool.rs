//! The worker slots: one per attempt executing on this node (`SUNDIAL_WORKERS`). The claimer
//! and the firing loop take slots before they claim, so a claimed run always has one; each
//! started attempt runs in its own task and frees its slot when it stops executing.

use std::sync::Arc;

use store::ClaimedRun;
use tokio::sync::OwnedSemaphorePermit;
use tokio_util::sync::CancellationToken;

use crate::Shared;
use crate::attempt;

/// Takes every worker slot that is free now, without waiting.
pub(crate) fn free_slots(shared: &Shared) -> Vec<OwnedSemaphorePermit> {
    std::iter::from_fn(|| shared.slots.clone().try_acquire_owned().ok()).collect()
}

/// Starts each claimed run on one of `slots`, taken before the claim (so never fewer than the
/// runs); the slots left over free again here.
pub(crate) fn start_all(
    shared: &Arc<Shared>,
    runs: Vec<ClaimedRun>,
    mut slots: Vec<OwnedSemaphorePermit>,
) {
    for run in runs {
        let slot = slots.pop().expect("no more runs claimed than slots taken");
        start(shared, run, slot);
    }
}

/// Runs a claimed attempt in its own task, holding `permit` (its worker slot) until it ends.
/// The slot frees as soon as the attempt stops executing: recording its outcome is the
/// finisher's work, and the claimer can take the next run meanwhile.
fn start(shared: &Arc<Shared>, run: ClaimedRun, permit: OwnedSemaphorePermit) {
    let token = CancellationToken::new();
    shared
        .inflight
        .lock()
        .expect("inflight lock poisoned")
        .insert(run.run, token.clone());
    let shared = shared.clone();
    shared.workers.clone().spawn(async move {
        let id = run.run;
        attempt::execute(&shared, run, token, permit).await;
        shared
            .inflight
            .lock()
            .expect("inflight lock poisoned")
            .remove(&id);
    });
}
