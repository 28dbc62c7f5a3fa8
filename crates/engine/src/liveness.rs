//! Whether the engine's loops are alive, for `/livez`. A loop that ends before shutdown (it
//! panicked) leaves the node serving the API while nothing fires or runs: an orchestrator
//! must see that and restart the process.

use std::sync::{Arc, Mutex};

use tokio_util::sync::CancellationToken;

/// The loops that stopped before shutdown. Cheap to clone; the default has none.
#[derive(Debug, Clone, Default)]
pub struct Liveness {
    stopped: Arc<Mutex<Vec<&'static str>>>,
}

impl Liveness {
    /// The names of the loops that stopped before shutdown; empty while the engine is alive.
    pub fn stopped_loops(&self) -> Vec<&'static str> {
        self.stopped.lock().expect("liveness lock poisoned").clone()
    }

    /// Watches a loop: when the returned guard drops (the loop returned or panicked) before
    /// `shutdown` is cancelled, the loop is recorded as stopped.
    pub(crate) fn watch(&self, name: &'static str, shutdown: CancellationToken) -> LoopGuard {
        LoopGuard {
            name,
            liveness: self.clone(),
            shutdown,
        }
    }
}

/// Held by a loop for as long as it runs; see [`Liveness::watch`].
pub(crate) struct LoopGuard {
    name: &'static str,
    liveness: Liveness,
    shutdown: CancellationToken,
}

impl Drop for LoopGuard {
    fn drop(&mut self) {
        if !self.shutdown.is_cancelled() {
            tracing::error!(
                engine_loop = self.name,
                "an engine loop stopped; /livez fails"
            );
            if let Ok(mut stopped) = self.liveness.stopped.lock() {
                stopped.push(self.name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_loop_that_panics_before_shutdown_is_reported_and_one_stopped_at_shutdown_is_not() {
        let liveness = Liveness::default();
        let shutdown = CancellationToken::new();
        let guard = liveness.watch("firing", shutdown.clone());
        let panicked = tokio::spawn(async move {
            let _guard = guard;
            panic!("a bug in the loop");
        })
        .await;
        assert!(panicked.is_err());
        let stopping = liveness.watch("claimer", shutdown.clone());
        shutdown.cancel();
        drop(stopping);
        assert_eq!(liveness.stopped_loops(), ["firing"]);
    }
}
