//! Dead-man deadlines, checked by the maintenance leader: for each deadline of a live task, the
//! latest instant it fell due is examined once, and recorded as missed (with how many instants
//! the miss stands for) when no success met it. A stopped task's instants are passed over, so
//! starting it again does not report the instants of the stopped period. A check runs on whichever node holds
//! the maintenance lease, so one stopped node does not silence it.

use domain::metrics::DEADLINES_MISSED;
use domain::{Deadline, Metrics};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use schedule::deadline::{Standing, latest_due, missed};
use store::{DeadlineFinding, DeadlineStore, DeadlineToCheck};

/// Deadlines read per query.
const PAGE: u32 = 500;
/// Misses deleted per transaction, and batches per pass (as for runs, see `retention`).
const PRUNE_BATCH: u32 = 1_000;
const PRUNE_MAX_BATCHES: u32 = 20;

/// One check at `now` of every deadline of live tasks.
pub(crate) async fn check(store: &dyn DeadlineStore, metrics: &Metrics, now: Timestamp) {
    let mut after = 0;
    loop {
        let page = match store.deadlines_to_check(after, PAGE, now).await {
            Ok(page) => page,
            Err(e) => {
                tracing::warn!(error = %e, "reading deadlines to check failed");
                return;
            }
        };
        for deadline in &page {
            if let Err(e) = check_one(store, metrics, deadline, now).await {
                tracing::warn!(error = %e, task = %deadline.task, "checking a deadline failed");
            }
        }
        match page.last() {
            Some(last) if page.len() == PAGE as usize => after = last.id,
            _ => return,
        }
    }
}

async fn check_one(
    store: &dyn DeadlineStore,
    metrics: &Metrics,
    checked: &DeadlineToCheck,
    now: Timestamp,
) -> store::Result<()> {
    let standing = Standing {
        since: checked.since,
        checked_through: checked.checked_through,
        last_success: checked.last_success_at,
    };
    let Some(due) = latest_due(&checked.deadline, &standing, now) else {
        return Ok(());
    };
    if checked.checked_through.is_some_and(|at| due <= at) {
        return Ok(());
    }
    if !checked.active {
        let passed_over = DeadlineFinding {
            due,
            missed: 0,
            stopped: true,
            last_success_at: None,
        };
        store.record_finding(checked, passed_over, now).await?;
        return Ok(());
    }
    // A success after `due` (but before now) does not meet it: what met `due` is the latest
    // success at or before it.
    let success_by_due = match checked.last_success_at {
        Some(success) if success > due => store.latest_success(checked.task_id, due).await?,
        latest => latest,
    };
    let missed = missed(&checked.deadline, &standing, due, success_by_due);
    let finding = DeadlineFinding {
        due,
        missed,
        stopped: false,
        last_success_at: success_by_due,
    };
    if store.record_finding(checked, finding, now).await? {
        let kind = match checked.deadline {
            Deadline::Every { .. } => "every",
            Deadline::By { .. } => "by",
        };
        metrics.add(&DEADLINES_MISSED, kind, missed);
        tracing::warn!(
            tenant = checked.tenant.get(),
            task = %checked.task,
            deadline = %checked.deadline.key(),
            %due,
            missed,
            "a dead-man deadline was missed"
        );
    }
    Ok(())
}

/// Deletes the misses recorded more than `keep` before `now`, with the runs of that age.
pub(crate) async fn prune_misses(store: &dyn DeadlineStore, now: Timestamp, keep: Duration) {
    let Some(before) = SignedDuration::try_from(keep)
        .ok()
        .and_then(|keep| now.checked_sub(keep).ok())
    else {
        return;
    };
    let mut total = 0;
    for _ in 0..PRUNE_MAX_BATCHES {
        match store.prune_misses(before, PRUNE_BATCH).await {
            Ok(n) => {
                total += n;
                if n < u64::from(PRUNE_BATCH) {
                    break;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "pruning old deadline misses failed");
                break;
            }
        }
    }
    if total > 0 {
        tracing::info!(misses = total, %before, "pruned deadline misses past the retention period");
    }
}
