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

/// The version of the rules the scan checks tasks against: raise it with any change of the
/// schedule rules or of what an edit refuses, so that the next start scans again.
const RULES_VERSION: u32 = 1;

/// What a scan checks every task against: the rules and the largest timeout an edit accepts.
fn scan_key(max_timeout_seconds: u32) -> String {
    format!("rules={RULES_VERSION} max_timeout_seconds={max_timeout_seconds}")
}

/// What one scan did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ScanReport {
    /// Live tasks looked at.
    pub(crate) scanned: u64,
    /// Tasks flagged by this scan (a task flagged earlier keeps its first notice).
    pub(crate) flagged: u64,
    /// Tasks whose next occurrence moved.
    pub(crate) moved: u64,
    /// Whether it was skipped: a complete scan had checked every task against the same rules,
    /// and every task created or edited since was validated by them.
    pub(crate) skipped: bool,
}

/// Flags (and, where its next occurrence moved, corrects) every live task that needs it,
/// unless a complete scan already checked them against the same rules.
pub(crate) async fn scan(
    store: &dyn Store,
    now: Timestamp,
    max_timeout_seconds: u32,
) -> Result<ScanReport, StoreError> {
    let key = scan_key(max_timeout_seconds);
    if store.schedule_scan_key().await? == key {
        return Ok(ScanReport {
            skipped: true,
            ..ScanReport::default()
        });
    }
    let mut report = ScanReport::default();
    let mut after = None;
    loop {
        let page = store.live_tasks_after(after, PAGE).await?;
        let Some(last) = page.last() else {
            store.set_schedule_scan_key(&key, now).await?;
            return Ok(report);
        };
        after = Some(last.uuid);
        for task in &page {
            report.scanned += 1;
            let Some((notice, moved)) = notice_for(task, now, max_timeout_seconds) else {
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
/// schedule is what its owner last saw and an edit would accept its trigger and its
/// `timeout_seconds` (at most `max_timeout_seconds`).
pub(crate) fn notice_for(
    task: &Task,
    now: Timestamp,
    max_timeout_seconds: u32,
) -> Option<(ScheduleNotice, bool)> {
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
    let timeout = task.definition.timeout_seconds;
    let capped = timeout > max_timeout_seconds;
    if !moved && bounds.is_none() && !capped {
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
    if capped {
        message.push(format!(
            "Its timeout_seconds of {timeout} is more than this deployment's maximum of \
             {max_timeout_seconds}: its runs stop after {max_timeout_seconds} s, and the next \
             edit must bring it within the maximum."
        ));
    }
    let notice = ScheduleNotice {
        reason: if moved {
            NoticeReason::CronRulesChanged
        } else if bounds.is_some() {
            NoticeReason::OutOfBounds
        } else {
            NoticeReason::TimeoutCapped
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

#[cfg(test)]
mod tests {
    use domain::{
        MisfirePolicy, OverlapPolicy, RetryPolicy, TaskCode, TaskConfig, TaskDefinition, TaskName,
        TaskType, TaskUuid, TenantId, Trigger, TriggerType,
    };
    use serde_json::{Value, json};

    use super::*;

    const MAX_TIMEOUT: u32 = 3600;

    fn ts(text: &str) -> Timestamp {
        text.parse().expect("instant")
    }

    fn task(trigger_type: TriggerType, trigger: Value, next: Option<&str>) -> Task {
        let t0 = ts("2027-01-01T00:00:00Z");
        Task {
            uuid: TaskUuid::new_v7(),
            tenant: TenantId::new(1).expect("positive"),
            definition: TaskDefinition {
                name: TaskName::parse("t").expect("name"),
                code: TaskCode::parse("t").expect("code"),
                description: None,
                trigger: Trigger::parse(trigger_type, &trigger).expect("trigger"),
                config: TaskConfig::parse(TaskType::ApiCall, &json!({"url": "https://x.test/"}))
                    .expect("config"),
                is_active: true,
                retry_policy: RetryPolicy::default(),
                timeout_seconds: 30,
                overlap_policy: OverlapPolicy::Skip,
                misfire_policy: MisfirePolicy::FireOnce,
                misfire_grace_seconds: 60,
            },
            inngest_function_id: String::new(),
            is_running: false,
            next_run_at: next.map(ts),
            last_run_at: None,
            last_run_status: None,
            last_error: None,
            last_run_duration_ms: None,
            recent_outcomes: Vec::new(),
            version: 1,
            created_at: t0,
            updated_at: t0,
            created_by: "a".into(),
            updated_by: "a".into(),
            schedule_notice: None,
        }
    }

    fn odd_mondays(next: &str) -> Task {
        task(
            TriggerType::Cron,
            json!({"cron": "0 0 */2 * 1", "timezone": "UTC"}),
            Some(next),
        )
    }

    // 2027-03-01 is a Monday: the old rule's odd days or Mondays from 03-01 on were 03-01,
    // 03-03, 03-05, 03-07, 03-08 …; the corrected rule's odd Mondays are 03-01, 03-15, 03-29.

    #[test]
    fn a_future_occurrence_the_corrected_rule_drops_moves_to_the_next_one_from_now() {
        let (notice, moved) = notice_for(
            &odd_mondays("2027-03-03T00:00:00Z"),
            ts("2027-03-02T12:00:00Z"),
            MAX_TIMEOUT,
        )
        .expect("flagged");
        assert!(moved);
        assert_eq!(notice.reason, NoticeReason::CronRulesChanged);
        assert_eq!(
            notice.previous_next_run_at,
            Some(ts("2027-03-03T00:00:00Z"))
        );
        assert_eq!(notice.next_run_at, Some(ts("2027-03-15T00:00:00Z")));
        assert_eq!(notice.noticed_at, ts("2027-03-02T12:00:00Z"));
        assert!(
            notice.message.contains("`0 0 */2 * 1`"),
            "{}",
            notice.message
        );
    }

    #[test]
    fn an_overdue_occurrence_moves_to_the_first_one_at_or_after_it_for_the_misfire_policy() {
        let (notice, _) = notice_for(
            &odd_mondays("2027-03-03T00:00:00Z"),
            ts("2027-03-20T00:00:00Z"),
            MAX_TIMEOUT,
        )
        .expect("flagged");
        assert_eq!(notice.next_run_at, Some(ts("2027-03-15T00:00:00Z")));
    }

    #[test]
    fn occurrences_the_rules_agree_on_and_other_trigger_types_are_left_alone() {
        let now = ts("2027-03-02T12:00:00Z");
        assert_eq!(
            notice_for(&odd_mondays("2027-03-15T00:00:00Z"), now, MAX_TIMEOUT),
            None
        );
        assert_eq!(
            notice_for(&odd_mondays("2027-03-01T00:00:00Z"), now, MAX_TIMEOUT),
            None
        );
        let interval = task(
            TriggerType::Interval,
            json!({"seconds": 60, "start_at": "2027-01-01T00:00:00Z"}),
            Some("2027-03-02T12:00:30Z"),
        );
        assert_eq!(notice_for(&interval, now, MAX_TIMEOUT), None);
    }

    #[test]
    fn values_an_edit_refuses_are_flagged_without_moving_anything() {
        let jittery = task(
            TriggerType::Cron,
            json!({"cron": "*/5 * * * *", "timezone": "UTC", "jitter_seconds": 600}),
            Some("2027-03-02T12:05:00Z"),
        );
        let (notice, moved) =
            notice_for(&jittery, ts("2027-03-02T12:00:00Z"), MAX_TIMEOUT).expect("flagged");
        assert!(!moved);
        assert_eq!(notice.reason, NoticeReason::OutOfBounds);
        assert_eq!(notice.previous_next_run_at, notice.next_run_at);
        assert!(
            notice.message.contains("trigger_config.jitter_seconds"),
            "{}",
            notice.message
        );
    }

    #[test]
    fn a_timeout_above_the_maximum_is_flagged_until_edited() {
        let mut long = odd_mondays("2027-03-15T00:00:00Z");
        long.definition.timeout_seconds = 86_400;
        let now = ts("2027-03-02T12:00:00Z");
        let (notice, moved) = notice_for(&long, now, MAX_TIMEOUT).expect("flagged");
        assert!(!moved);
        assert_eq!(notice.reason, NoticeReason::TimeoutCapped);
        assert!(notice.message.contains("86400"), "{}", notice.message);
        assert!(notice.message.contains("3600 s"), "{}", notice.message);
        long.definition.timeout_seconds = MAX_TIMEOUT;
        assert_eq!(notice_for(&long, now, MAX_TIMEOUT), None);
    }
}
