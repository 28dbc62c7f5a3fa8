//! An attempt's log on its way to the store: written while the attempt runs when it runs long
//! or writes a lot, the rest committed with the outcome.

use std::sync::Arc;
use std::time::Duration;

use exec::LogLine;
use store::{FinishStore, NewLogLine};
use tokio::sync::mpsc;

/// Log lines that make a running attempt write its log before it ends.
const LOG_BATCH: usize = 256;
/// Longest a running attempt's log line waits before it is written.
const LOG_FLUSH_EVERY: Duration = Duration::from_millis(500);

/// Collects an attempt's log lines. Lines are written as they come only when the attempt
/// runs long (every `LOG_FLUSH_EVERY`) or writes a lot (every `LOG_BATCH` lines), so a
/// console watching a long run sees its output; what is left when the attempt ends (lines the
/// store refused included) is returned, to commit with the outcome in the same transaction.
pub(crate) async fn drain_logs(
    store: Arc<dyn FinishStore>,
    run: domain::RunUuid,
    attempt: u32,
    mut lines: mpsc::Receiver<LogLine>,
) -> Vec<NewLogLine> {
    let mut received = Vec::with_capacity(LOG_BATCH);
    let mut pending: Vec<NewLogLine> = Vec::new();
    let mut flush_at: Option<tokio::time::Instant> = None;
    loop {
        let flush_due = async {
            match flush_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            n = lines.recv_many(&mut received, LOG_BATCH) => {
                if n == 0 {
                    return pending;
                }
                pending.extend(received.drain(..).map(|l| NewLogLine {
                    ts: l.at,
                    stream: l.stream,
                    line: l.line,
                }));
                flush_at.get_or_insert_with(|| tokio::time::Instant::now() + LOG_FLUSH_EVERY);
                if pending.len() < LOG_BATCH {
                    continue;
                }
            }
            () = flush_due => {}
        }
        flush_at = None;
        match store.append_logs(run, attempt, &pending).await {
            Ok(()) => pending.clear(),
            // Kept for the next flush or for the outcome's transaction; the per-attempt log
            // cap bounds what can pile up.
            Err(e) => {
                tracing::warn!(run = %run, error = %e, "writing log lines failed; keeping them")
            }
        }
    }
}
