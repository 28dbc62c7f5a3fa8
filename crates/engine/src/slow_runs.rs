//! Slow runs, checked by the maintenance leader: each run that went past the smallest
//! `run.slow` threshold of the rules applying to its task gets one `run.slow` event, while it
//! still runs (a hung run is reported long before its timeout) or, when it passed the
//! threshold and ended between two checks, from its recorded duration.

use jiff::{SignedDuration, Timestamp};
use store::SlowRunStore;

/// Runs recorded per statement.
const PAGE: u32 = 500;
/// Pages per check; the rest waits for the next check so other maintenance is not starved.
const MAX_PAGES: u32 = 20;
/// How far before the previous check ended runs are looked at again: a run's end is stamped
/// before its transaction commits, so one committed just after a check can carry an earlier
/// instant. The outbox's key keeps a run looked at twice from being reported twice.
const COMMIT_SLACK: SignedDuration = SignedDuration::from_secs(5);

/// One check at `now`; `since` is when the previous one ran (runs that ended after it are
/// looked at). Whether it completed.
pub(crate) async fn check(store: &dyn SlowRunStore, now: Timestamp, since: Timestamp) -> bool {
    let finished_since = since.checked_sub(COMMIT_SLACK).unwrap_or(since);
    let mut total = 0;
    for _ in 0..MAX_PAGES {
        match store.record_slow_runs(now, finished_since, PAGE).await {
            Ok(n) => {
                total += n;
                if n < u64::from(PAGE) {
                    break;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "checking for slow runs failed");
                return false;
            }
        }
    }
    if total > 0 {
        tracing::info!(runs = total, "recorded slow runs");
    }
    true
}
