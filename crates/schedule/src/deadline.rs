//! When a dead-man deadline falls due and how many of its instants a lack of success missed.
//!
//! A deadline's due instants:
//! - `every_seconds` X: `base + k·X` (k ≥ 1) where `base` is the later of the latest success
//!   and the instant the deadline was set; a success moves them all.
//! - `by` HH:MM on a day spec: the fixed-time cron `MM HH <days>` in its zone (a time in a
//!   spring-forward gap is due at the end of the gap, one in a repeated hour on its first pass).
//!   An instant is met by a success after the previous instant and at or before it.
//!
//! The checker looks at the latest due instant only and records it once, with the number of
//! instants it stands for; after an outage that is one record, whatever the number of
//! instants missed meanwhile.

use domain::Deadline;
use domain::trigger::{CronSpec, LAST_INSTANT};
use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};

use crate::{count, cron};

/// How far a DST transition can move a wall time; a search back from `now` starts this far
/// ahead of `now`'s wall time, so a due instant in a repeated hour's first pass, whose wall
/// time is later than `now`'s on the second pass, is not skipped.
const DST_REACH: SignedDuration = SignedDuration::from_hours(3);

/// A bound on steps of one search, far above anything a valid spec needs.
const MAX_STEPS: usize = 1_000_000;

/// What the checker knows of a deadline at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// When the deadline was set: instants before it are never due.
    pub since: Timestamp,
    /// The latest due instant already examined (met or missed); `None`: none yet.
    pub checked_through: Option<Timestamp>,
    /// The task's latest success (a run's `finished_at`) at or before `now`.
    pub last_success: Option<Timestamp>,
}

/// The latest instant at or before `now` the deadline fell due, if any after `since`.
pub fn latest_due(deadline: &Deadline, standing: &Standing, now: Timestamp) -> Option<Timestamp> {
    let due = match deadline {
        Deadline::Every { seconds } => {
            let base = base(standing.since, standing.last_success);
            let every = every_nanos(*seconds);
            let k = (now.as_nanosecond() - base.as_nanosecond()).div_euclid(every);
            if k < 1 {
                return None;
            }
            Timestamp::from_nanosecond(base.as_nanosecond() + k * every).ok()?
        }
        Deadline::By { cron, .. } => latest_cron_at_or_before(cron, now)?,
    };
    (due > standing.since).then_some(due)
}

/// The first instant after `now` the deadline falls due if no success comes first.
pub fn next_due(deadline: &Deadline, standing: &Standing, now: Timestamp) -> Option<Timestamp> {
    match deadline {
        Deadline::Every { seconds } => {
            let base = base(standing.since, standing.last_success);
            let every = every_nanos(*seconds);
            let k = (now.as_nanosecond() - base.as_nanosecond()).div_euclid(every) + 1;
            Timestamp::from_nanosecond(base.as_nanosecond() + k.max(1) * every).ok()
        }
        Deadline::By { cron, .. } => cron::next_after(cron, now.max(standing.since)),
    }
}

/// How many due instants the examination of `due` (from [`latest_due`]) finds missed: 0 when
/// `due` was met; otherwise `due` and every earlier unexamined instant no success met.
/// `success_by_due` is the latest success at or before `due`.
pub fn missed(
    deadline: &Deadline,
    standing: &Standing,
    due: Timestamp,
    success_by_due: Option<Timestamp>,
) -> u64 {
    let examined = standing
        .checked_through
        .map_or(standing.since, |at| at.max(standing.since));
    if due <= examined {
        return 0;
    }
    match deadline {
        Deadline::Every { seconds } => {
            // `due` is a multiple of X after the base, so it is missed by construction.
            let base = base(standing.since, success_by_due).max(examined);
            let steps = (due.as_nanosecond() - base.as_nanosecond()) / every_nanos(*seconds);
            u64::try_from(steps).unwrap_or(0)
        }
        Deadline::By { cron, .. } => {
            // The first instant at or after the latest success is met by it; every later one is not.
            let met = success_by_due.and_then(|success| {
                cron::next_after(
                    cron,
                    success.checked_sub(SignedDuration::from_nanos(1)).ok()?,
                )
            });
            let from = met.map_or(examined, |met| met.max(examined));
            count::count_cron(cron, from, due)
        }
    }
}

fn base(since: Timestamp, last_success: Option<Timestamp>) -> Timestamp {
    last_success.map_or(since, |success| success.max(since))
}

fn every_nanos(seconds: u64) -> i128 {
    i128::from(seconds.max(1)) * 1_000_000_000
}

/// The latest instant at or before `now` at which the fixed-time `cron` falls due.
fn latest_cron_at_or_before(cron: &CronSpec, now: Timestamp) -> Option<Timestamp> {
    let zone = cron.time_zone();
    let now = now.min(LAST_INSTANT);
    let start = now
        .checked_add(DST_REACH)
        .ok()?
        .to_zoned(zone.clone())
        .datetime();
    let mut civil = cron.cron().find_previous_occurrence(&start, true).ok()?;
    for _ in 0..MAX_STEPS {
        let instant = fixed_time_instant(zone, civil)?;
        if instant <= now {
            return Some(instant);
        }
        civil = cron.cron().find_previous_occurrence(&civil, false).ok()?;
    }
    None
}

/// The instant a fixed-time job set for wall time `civil` fires (docs/api.md, Tasks): its
/// instant; the first of two in a repeated range; the end of a gap.
fn fixed_time_instant(zone: &TimeZone, civil: DateTime) -> Option<Timestamp> {
    match zone.to_ambiguous_timestamp(civil).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(civil).ok(),
        AmbiguousOffset::Fold { before, .. } => before.to_timestamp(civil).ok(),
        AmbiguousOffset::Gap { after, .. } => {
            let probe = after.to_timestamp(civil).ok()?;
            Some(zone.following(probe).next()?.timestamp())
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn deadline(value: serde_json::Value) -> Deadline {
        Deadline::parse(&value).unwrap()
    }

    fn standing(since: &str, checked: Option<&str>, success: Option<&str>) -> Standing {
        Standing {
            since: ts(since),
            checked_through: checked.map(ts),
            last_success: success.map(ts),
        }
    }

    #[test]
    fn every_is_due_a_period_after_the_latest_success() {
        let d = deadline(json!({"every_seconds": 3600}));
        let s = standing("2026-01-01T00:00:00Z", None, Some("2026-01-01T10:15:00Z"));
        assert_eq!(latest_due(&d, &s, ts("2026-01-01T11:14:59Z")), None);
        assert_eq!(
            next_due(&d, &s, ts("2026-01-01T11:14:59Z")),
            Some(ts("2026-01-01T11:15:00Z"))
        );
        let due = latest_due(&d, &s, ts("2026-01-01T11:15:00Z")).unwrap();
        assert_eq!(due, ts("2026-01-01T11:15:00Z"));
        assert_eq!(missed(&d, &s, due, s.last_success), 1);
        assert_eq!(
            next_due(&d, &s, ts("2026-01-01T11:15:00Z")),
            Some(ts("2026-01-01T12:15:00Z"))
        );
    }

    #[test]
    fn every_after_a_long_outage_is_one_latest_miss_counting_all() {
        let d = deadline(json!({"every_seconds": 60}));
        // Set at midnight, never succeeded, nothing checked for a year.
        let s = standing("2026-01-01T00:00:00Z", None, None);
        let now = ts("2027-01-01T00:00:30Z");
        let due = latest_due(&d, &s, now).unwrap();
        assert_eq!(due, ts("2027-01-01T00:00:00Z"));
        assert_eq!(missed(&d, &s, due, None), 365 * 24 * 60);
        // One more minute after that record: one more miss, not the year again.
        let s = standing("2026-01-01T00:00:00Z", Some("2027-01-01T00:00:00Z"), None);
        let due = latest_due(&d, &s, ts("2027-01-01T00:01:10Z")).unwrap();
        assert_eq!(missed(&d, &s, due, None), 1);
        assert_eq!(missed(&d, &s, ts("2027-01-01T00:00:00Z"), None), 0);
    }

    #[test]
    fn by_on_weekdays_is_met_by_a_success_since_the_previous_instant() {
        let d =
            deadline(json!({"by": "07:00", "timezone": "Europe/Berlin", "days": "* * MON-FRI"}));
        let s = standing("2026-03-02T00:00:00Z", None, Some("2026-03-05T05:30:00Z"));
        // Thursday 2026-03-05 07:00 CET is 06:00Z; the success at 05:30Z meets it.
        let due = latest_due(&d, &s, ts("2026-03-05T06:00:30Z")).unwrap();
        assert_eq!(due, ts("2026-03-05T06:00:00Z"));
        assert_eq!(missed(&d, &s, due, s.last_success), 0);
        // Friday is missed, then the weekend is not due, and Monday is missed too.
        let s = standing(
            "2026-03-02T00:00:00Z",
            Some("2026-03-05T06:00:00Z"),
            Some("2026-03-05T05:30:00Z"),
        );
        let now = ts("2026-03-09T06:00:01Z");
        let due = latest_due(&d, &s, now).unwrap();
        assert_eq!(due, ts("2026-03-09T06:00:00Z"));
        assert_eq!(missed(&d, &s, due, s.last_success), 2);
        assert_eq!(next_due(&d, &s, now), Some(ts("2026-03-10T06:00:00Z")));
    }

    #[test]
    fn by_in_a_spring_forward_gap_is_due_at_the_end_of_the_gap() {
        // New York, 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00Z); 02:30 does not exist.
        let d = deadline(json!({"by": "02:30", "timezone": "America/New_York"}));
        let s = standing("2026-03-01T00:00:00Z", None, None);
        assert_eq!(
            latest_due(&d, &s, ts("2026-03-08T06:59:59Z")),
            Some(ts("2026-03-07T07:30:00Z"))
        );
        assert_eq!(
            latest_due(&d, &s, ts("2026-03-08T07:00:00Z")),
            Some(ts("2026-03-08T07:00:00Z"))
        );
        assert_eq!(
            next_due(&d, &s, ts("2026-03-08T06:00:00Z")),
            Some(ts("2026-03-08T07:00:00Z"))
        );
        // The day after is 02:30 EDT again.
        assert_eq!(
            latest_due(&d, &s, ts("2026-03-09T07:00:00Z")),
            Some(ts("2026-03-09T06:30:00Z"))
        );
        // A success at 06:59Z (01:59 EST) meets the gap day's deadline.
        let s = standing(
            "2026-03-01T00:00:00Z",
            Some("2026-03-07T07:30:00Z"),
            Some("2026-03-08T06:59:00Z"),
        );
        assert_eq!(
            missed(&d, &s, ts("2026-03-08T07:00:00Z"), s.last_success),
            0
        );
    }

    #[test]
    fn by_in_a_repeated_hour_is_due_on_the_first_pass_once() {
        // New York, 2026-11-01: 02:00 EDT goes back to 01:00 EST; 01:30 happens twice.
        let d = deadline(json!({"by": "01:30", "timezone": "America/New_York"}));
        let s = standing("2026-10-25T00:00:00Z", Some("2026-10-31T05:30:00Z"), None);
        // First pass: 01:30 EDT = 05:30Z.
        assert_eq!(
            latest_due(&d, &s, ts("2026-11-01T05:29:59Z")),
            Some(ts("2026-10-31T05:30:00Z"))
        );
        let first = latest_due(&d, &s, ts("2026-11-01T05:30:00Z")).unwrap();
        assert_eq!(first, ts("2026-11-01T05:30:00Z"));
        // During and after the second pass (01:30 EST = 06:30Z) the latest is still the first.
        for now in [
            "2026-11-01T06:10:00Z",
            "2026-11-01T06:30:00Z",
            "2026-11-01T12:00:00Z",
        ] {
            assert_eq!(latest_due(&d, &s, ts(now)), Some(first), "at {now}");
        }
        assert_eq!(missed(&d, &s, first, None), 1);
        let s = Standing {
            checked_through: Some(first),
            ..s
        };
        assert_eq!(
            next_due(&d, &s, ts("2026-11-01T06:00:00Z")),
            Some(ts("2026-11-02T06:30:00Z"))
        );
    }

    #[test]
    fn by_after_a_long_outage_counts_every_missed_day() {
        let d = deadline(json!({"by": "09:00", "timezone": "Asia/Shanghai", "days": "1 * *"}));
        let s = standing("2026-01-01T00:00:00Z", None, Some("2026-02-01T00:30:00Z"));
        let now = ts("2027-06-15T00:00:00Z");
        let due = latest_due(&d, &s, now).unwrap();
        // 2027-06-01 09:00 +08:00.
        assert_eq!(due, ts("2027-06-01T01:00:00Z"));
        // Feb 2026 is met; Mar 2026 to Jun 2027 are the 16 missed since. (January came before
        // the latest success: the pass at that instant examined it.)
        assert_eq!(missed(&d, &s, due, s.last_success), 16);
    }

    #[test]
    fn nothing_is_due_before_the_deadline_was_set() {
        let d = deadline(json!({"by": "07:00"}));
        let s = standing("2026-05-01T08:00:00Z", None, None);
        assert_eq!(latest_due(&d, &s, ts("2026-05-02T06:59:59Z")), None);
        assert_eq!(
            latest_due(&d, &s, ts("2026-05-02T07:00:00Z")),
            Some(ts("2026-05-02T07:00:00Z"))
        );
    }
}
