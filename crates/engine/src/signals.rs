//! Between nodes on PostgreSQL: this node's pokes go out as NOTIFY, the others' come in by
//! LISTEN and poke this node, so a change made on any node is acted on everywhere at once.
//! Without them the loops would still see it at their idle timeout (`max_idle`).

use std::sync::Arc;
use std::time::Duration;

use store::{Signal, Signals};

use crate::Wakeup;
use crate::stop::Stop;
use crate::wake::Pokes;

/// Pause before listening again after the connection could not be opened.
const RETRY: Duration = Duration::from_secs(1);

/// Sends this node's pokes until shutdown; pokes made while one is being sent coalesce.
pub(crate) async fn broadcast(
    signals: Arc<dyn Signals>,
    out: Arc<Pokes>,
    node: String,
    stop: Stop,
) {
    loop {
        let signal = tokio::select! {
            () = out.tasks.notified() => Signal::TasksChanged,
            () = out.runs.notified() => Signal::RunsQueued,
            () = out.cancels.notified() => Signal::CancelRequested,
            () = stop.stopping() => return,
        };
        if let Err(e) = signals.send(signal, &node).await {
            tracing::warn!(error = %e, ?signal, "telling the other nodes failed");
        }
    }
}

/// Pokes this node with the other nodes' signals until shutdown.
pub(crate) async fn listen(signals: Arc<dyn Signals>, wake: Wakeup, node: String, stop: Stop) {
    while !stop.is_stopping() {
        let mut incoming = match signals.listen().await {
            Ok(incoming) => incoming,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for the other nodes' signals");
                stop.pause(RETRY).await;
                continue;
            }
        };
        loop {
            let received = tokio::select! {
                r = incoming.recv() => r,
                () = stop.stopping() => return,
            };
            match received {
                Some((signal, from)) if from != node => {
                    wake.poke_here(signal);
                }
                Some(_) => {}
                None => break,
            }
        }
    }
}
