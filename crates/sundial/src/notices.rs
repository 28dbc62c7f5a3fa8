//! The start-up scan that flags tasks whose schedule changed without an edit by their owner.
//!
//! Sundial's cron rules were corrected to Vixie cron's (the day-field rule and the fixed-time
//! rule), and instants and jitter were bounded. Stored tasks follow the corrected rules, since they
//! are what a crontab means, but their owners learn of it: a task whose stored next occurrence
//! is not the one the rules now give is flagged with both instants and moved to the new one
//! (else the engine would fire the old instant once more), and a task an edit would refuse is
//! flagged and left as it is. The scan is idempotent: once corrected, a stored instant agrees
//! with the rules, so every node may run it at start and only the first one changes anything.

use domain::{NoticeReason, ScheduleNotice, Task, TriggerKind};
use jiff::{SignedDuration, Timestamp};
use store::{Store, StoreError};

/// Tasks read per page, so the scan never holds the whole table.
const PAGE: u32 = 200;

/// What one scan did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ScanReport {
    /// Live tasks looked at.
    pub(crate) scanned: u64,
    /// Tasks flagged by this scan (a task flagged earlier keeps its first notice).
    pub(crate) flagged: u64,
    /// Tasks whose next occurrence moved.
    pub(crate) moved: u64,
}

/// Flags (and, where its next occurrence moved, corrects) every live task that needs it.
pub(crate) async fn scan(store: &dyn Store, now: Timestamp) -> Result<ScanReport, StoreError> {
    let mut report = ScanReport::default();
    let mut after = None;
    loop {
        let page = store.live_tasks_after(after, PAGE).await?;
        let Some(last) = page.last() else {
            return Ok(report);
        };
        after = Some(last.uuid);
        for task in &page {
            report.scanned += 1;
            let Some((notice, moved)) = notice_for(task, now) else {
                continue;
            };
            // A task edited since it was read already follows the rules and lost its notice.
            if store
                .set_schedule_notice(task, &notice, notice.next_run_at)
                .await?
            {
                report.flagged += 1;
                report.moved += u64::from(moved);
                tracing::warn!(
                    tenant = %task.tenant,
                    task = %task.uuid,
                    code = task.definition.code.as_str(),
                    reason = ?notice.reason,
                    previous_next_run_at = ?notice.previous_next_run_at,
                    next_run_at = ?notice.next_run_at,
                    "{}",
                    notice.message
                );
            }
        }
    }
}

/// The notice `task` needs at `now`, and whether its next occurrence moves; `None` when its
/// schedule is what its owner last saw and an edit would accept its trigger.
pub(crate) fn notice_for(task: &Task, now: Timestamp) -> Option<(ScheduleNotice, bool)> {
    let trigger = &task.definition.trigger;
    let stored = task.next_run_at;
    let next = match (&trigger.kind, task.definition.is_active) {
        (TriggerKind::Cron(_), true) => {
            // An overdue occurrence is searched from itself, so the misfire policy still
            // decides about it; a future one from now, so an occurrence the old rules skipped
            // before it is not lost.
            let from = match stored {
                Some(stored) if stored <= now => stored
                    .checked_sub(SignedDuration::from_nanos(1))
                    .unwrap_or(stored),
                _ => now,
            };
            schedule::next_after(trigger, from)
        }
        _ => stored,
    };
    let moved = next != stored;
    let bounds = trigger.check_bounds().err().map(|errors| {
        errors
            .0
            .iter()
            .map(|e| format!("trigger_config.{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ")
    });
    if !moved && bounds.is_none() {
        return None;
    }
    let mut message = Vec::new();
    if moved {
        let expression = match &trigger.kind {
            TriggerKind::Cron(spec) => spec.expression(),
            _ => "",
        };
        message.push(format!(
            "Cron expressions now follow Vixie cron's rules: a day-of-month or day-of-week field \
             that starts with * (like */2) counts as unrestricted, so both day fields must match, \
             and a job whose minute and hour fields do not start with * runs at a fixed time \
             across DST changes. The next occurrence of `{expression}` moved from {} to {}.",
            instant(stored),
            instant(next)
        ));
    }
    if let Some(bounds) = &bounds {
        message.push(format!(
            "This trigger has values an edit now refuses ({bounds}); it keeps running as \
             stored, and the next edit must bring them within bounds."
        ));
    }
    let notice = ScheduleNotice {
        reason: if moved {
            NoticeReason::CronRulesChanged
        } else {
            NoticeReason::OutOfBounds
        },
        message: message.join(" "),
        previous_next_run_at: stored,
        next_run_at: next,
        noticed_at: now,
    };
    Some((notice, moved))
}

fn instant(at: Option<Timestamp>) -> String {
    at.map_or_else(|| "none".to_owned(), |at| at.to_string())
}
