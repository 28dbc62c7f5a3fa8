//! Between nodes on PostgreSQL: this node's pokes go out as NOTIFY, the others' come in by
//! LISTEN and poke this node, so a change made on any node is acted on everywhere at once.
//! Without them the loops would still see it at their idle timeout (`max_idle`).

use std::sync::Arc;
use std::time::Duration;

use store::{Signal, Signals};

use crate::Shared;
use crate::wake::Pokes;

/// Pause before listening again after the connection could not be opened.
const RETRY: Duration = Duration::from_secs(1);

/// Sends this node's pokes until shutdown; pokes made while one is being sent coalesce.
pub(crate) async fn broadcast(shared: Arc<Shared>, signals: Arc<dyn Signals>, out: Arc<Pokes>) {
    loop {
        let signal = tokio::select! {
            () = out.tasks.notified() => Signal::TasksChanged,
            () = out.runs.notified() => Signal::RunsQueued,
            () = out.cancels.notified() => Signal::CancelRequested,
            () = shared.stop.cancelled() => return,
        };
        if let Err(e) = signals.send(signal, &shared.config.node_id).await {
            tracing::warn!(error = %e, ?signal, "telling the other nodes failed");
        }
    }
}

/// Pokes this node with the other nodes' signals until shutdown.
pub(crate) async fn listen(shared: Arc<Shared>, signals: Arc<dyn Signals>) {
    while !shared.stop.is_cancelled() {
        let mut incoming = match signals.listen().await {
            Ok(incoming) => incoming,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for the other nodes' signals");
                shared.pause(RETRY).await;
                continue;
            }
        };
        loop {
            let received = tokio::select! {
                r = incoming.recv() => r,
                () = shared.stop.cancelled() => return,
            };
            match received {
                Some((signal, from)) if from != shared.config.node_id => {
                    shared.wake.poke_here(signal);
                }
                Some(_) => {}
                None => break,
            }
        }
    }
}
