//! The claimer: while a worker slot is free, takes queued runs under a lease and starts them.
//! Where the store claims while firing (SQLite), the firing loop claims most runs itself and
//! wakes this loop only for those it left queued.

use std::sync::Arc;

use crate::Shared;
use crate::backoff::Backoff;
use crate::pool::{free_slots, start_all};

/// Claims runs while a worker slot is free, until shutdown.
pub(crate) async fn claim_loop(shared: Arc<Shared>) {
    let mut backoff = Backoff::default();
    loop {
        let first = tokio::select! {
            permit = shared.slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return,
            },
            () = shared.stop.cancelled() => return,
        };
        let mut taken = vec![first];
        taken.extend(free_slots(&shared));
        let now = shared.clock.now();
        match shared
            .store
            .claim(
                &shared.config.node_id,
                now,
                shared.lease(),
                u32::try_from(taken.len()).unwrap_or(u32::MAX),
                shared.config.max_running_per_tenant,
            )
            .await
        {
            Ok(runs) if !runs.is_empty() => {
                backoff.succeeded();
                start_all(&shared, runs, taken);
            }
            Ok(_) => {
                backoff.succeeded();
                drop(taken);
                let wait = match shared.store.next_queued().await {
                    // Due but not claimable (its tenant is at its cap of running runs): a
                    // finishing run wakes this loop, so wait for that, not for the instant.
                    Ok(Some(next)) if next <= now => shared.config.max_idle,
                    Ok(next) => shared.wait_for(next),
                    Err(e) => {
                        let wait = backoff.failed();
                        tracing::warn!(error = %e, retry_in = ?wait, "reading the next queued instant failed");
                        wait
                    }
                };
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = shared.wake.runs() => {}
                    () = shared.stop.cancelled() => return,
                }
            }
            Err(e) => {
                drop(taken);
                let wait = backoff.failed();
                tracing::warn!(error = %e, retry_in = ?wait, "claiming runs failed");
                shared.pause(wait).await;
            }
        }
    }
}
