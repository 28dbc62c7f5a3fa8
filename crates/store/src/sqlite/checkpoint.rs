//! Checkpoints of the write-ahead log, beside the writer instead of on it.
//!
//! In WAL mode a commit only appends to the log; copying the log back into the database file
//! (a checkpoint, with an fsync of that file) is left by SQLite to the committing connection
//! once the log passes its automatic threshold. Here that is the single writer, whose thread
//! every write transaction of the node queues for: under a burst its checkpoints took about 8 %
//! of its time, and each one delays the commit that triggered it. A connection of its own
//! checkpoints every [`EVERY`] instead: a passive checkpoint runs while another connection
//! writes, and never waits for a lock. The writer keeps an automatic checkpoint at
//! [`WRITER_FALLBACK_PAGES`], for when this one falls behind.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use domain::Doubling;
use sqlx::SqliteConnection;
use tokio_util::sync::{CancellationToken, DropGuard};

/// How often the log is checkpointed: the log a burst writes in this time stays well below the
/// writer's own threshold.
const EVERY: Duration = Duration::from_millis(100);

/// Log pages past which the writer checkpoints itself (SQLite's default is 1,000).
pub(super) const WRITER_FALLBACK_PAGES: &str = "4000";

/// The pauses between checkpoints while they fail (a full disk, an I/O error): doubling from
/// [`EVERY`] up to 10 s. The writer checkpoints meanwhile, and the log gets one warning per
/// try, not ten a second.
const FAILING: Doubling = Doubling {
    first: EVERY,
    longest: Duration::from_secs(10),
};

/// A running checkpointer; it stops with the last clone of its store, or at [`Self::stop`].
#[derive(Debug)]
pub(super) struct Checkpointer {
    copied: Arc<AtomicU64>,
    stop: CancellationToken,
    _on_drop: DropGuard,
}

impl Checkpointer {
    /// Starts checkpointing through `conn` until stopped.
    pub(super) fn spawn(conn: SqliteConnection) -> Self {
        let stop = CancellationToken::new();
        let copied = Arc::new(AtomicU64::new(0));
        tokio::spawn(run(conn, stop.clone(), Arc::clone(&copied)));
        Self {
            copied,
            _on_drop: stop.clone().drop_guard(),
            stop,
        }
    }

    /// Log pages copied into the database file so far.
    pub(super) fn copied(&self) -> u64 {
        self.copied.load(Ordering::Relaxed)
    }

    /// Stops checkpointing; the writer's automatic checkpoint goes on.
    pub(super) fn stop(&self) {
        self.stop.cancel();
    }
}

async fn run(mut conn: SqliteConnection, stop: CancellationToken, copied: Arc<AtomicU64>) {
    use sqlx::Connection;
    let mut ticks = tokio::time::interval(EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Pages of the current log already copied: a checkpoint reports the log's totals.
    let mut seen = 0_i64;
    let mut failures = 0_u32;
    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            _ = ticks.tick() => {}
        }
        // Columns: whether it was blocked, pages in the log, pages of the log copied.
        match sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&mut conn)
            .await
        {
            Ok((_, _, done)) => {
                // A smaller count than last time: the writer started the log over.
                let new = if done < seen { done } else { done - seen };
                seen = done;
                copied.fetch_add(u64::try_from(new).unwrap_or(0), Ordering::Relaxed);
                if failures > 0 {
                    tracing::info!(failures, "WAL checkpoints work again");
                    failures = 0;
                }
            }
            Err(e) => {
                failures += 1;
                let pause = FAILING.after(failures);
                tracing::warn!(
                    error = %e, failures, retry_in = ?pause,
                    "WAL checkpoint failed; the writer checkpoints instead"
                );
                tokio::select! {
                    () = stop.cancelled() => break,
                    () = tokio::time::sleep(pause) => {}
                }
                ticks.reset();
            }
        }
    }
    if let Err(e) = conn.close().await {
        tracing::debug!(error = %e, "closing the checkpoint connection");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failing_checkpoints_back_off_to_a_try_every_ten_seconds() {
        let pauses: Vec<u64> = (1..=9)
            .map(|n| FAILING.after(n).as_millis() as u64)
            .collect();
        assert_eq!(
            pauses,
            [100, 200, 400, 800, 1_600, 3_200, 6_400, 10_000, 10_000]
        );
    }
}
