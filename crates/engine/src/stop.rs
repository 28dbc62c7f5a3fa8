//! The engine's stop signal and the waits that end early when it fires.

use std::time::Duration;

use domain::Clock;
use jiff::Timestamp;
use tokio_util::sync::CancellationToken;

/// Cancelled when shutdown begins: no more firing, claiming or rescuing. The heartbeat and the
/// finisher go on until the attempts have drained (they watch their own token).
#[derive(Debug, Clone, Default)]
pub(crate) struct Stop(CancellationToken);

impl Stop {
    /// Begins shutdown.
    pub(crate) fn stop(&self) {
        self.0.cancel();
    }

    /// Whether shutdown has begun.
    pub(crate) fn is_stopping(&self) -> bool {
        self.0.is_cancelled()
    }

    /// Resolves when shutdown begins.
    pub(crate) async fn stopping(&self) {
        self.0.cancelled().await;
    }

    /// Sleeps for `d` unless shutdown begins.
    pub(crate) async fn pause(&self, d: Duration) {
        tokio::select! {
            () = tokio::time::sleep(d) => {}
            () = self.0.cancelled() => {}
        }
    }

    /// The token, for watching a loop's liveness.
    pub(crate) fn token(&self) -> CancellationToken {
        self.0.clone()
    }
}

/// How long to wait for `at` by `clock` (never less than a millisecond past it, so a wake-up is
/// never early), at most `cap`.
pub(crate) fn wait_for(clock: &dyn Clock, at: Option<Timestamp>, cap: Duration) -> Duration {
    let Some(at) = at else { return cap };
    let ahead = at.duration_since(clock.now());
    if ahead.is_negative() {
        return Duration::from_millis(1);
    }
    Duration::try_from(ahead)
        .map(|d| d + Duration::from_millis(1))
        .unwrap_or(cap)
        .min(cap)
}
