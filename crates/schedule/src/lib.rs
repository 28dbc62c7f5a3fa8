//! Next-fire math for Sundial triggers (the rules docs/api.md gives for triggers).
//!
//! Everything here is a pure function of its arguments: the engine, `POST /preview` and every
//! node compute the same instants for the same trigger. Zones come from the IANA database
//! bundled into the binary (see [`domain::trigger::tz_database`]), never from the host.

mod count;
mod cron;
pub mod deadline;
mod jitter;

use domain::trigger::{LAST_INSTANT, Trigger, TriggerKind};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, Zoned};
use serde::Serialize;

pub use count::{count_between, last_between};
pub use jitter::jitter;

/// The most occurrences [`preview`] returns, whatever `count` asks for.
pub const MAX_PREVIEW: usize = 1000;

/// The first scheduled instant strictly after `after`, respecting `start_at` (first occurrence
/// `>= start_at`) and `end_at` (none after `end_at`), with no jitter. `None` once exhausted,
/// and after [`LAST_INSTANT`], the end of the supported range.
pub fn next_after(trigger: &Trigger, after: Timestamp) -> Option<Timestamp> {
    // "Strictly after `after`" and "at or after `start_at`" are the same search from the later
    // of `after` and one nanosecond before `start_at`.
    let after = match trigger.start_at {
        Some(start) => match start.checked_sub(SignedDuration::from_nanos(1)) {
            Ok(before_start) if before_start > after => before_start,
            _ => after,
        },
        None => after,
    };
    let next = match &trigger.kind {
        TriggerKind::Cron(spec) => cron::next_after(spec, after),
        TriggerKind::Interval {
            every_seconds,
            anchor,
        } => {
            // An interval not yet anchored (see `Trigger::anchored_at`) counts from `after`.
            let anchor = (*anchor).or(trigger.start_at).unwrap_or(after);
            next_interval(*every_seconds, anchor, after)
        }
        TriggerKind::Date { at } => (*at > after).then_some(*at),
    }?;
    let end = trigger
        .end_at
        .map_or(LAST_INSTANT, |end| end.min(LAST_INSTANT));
    (next <= end).then_some(next)
}

/// `anchor + k * every` for the smallest integer `k >= 0` that lands strictly after `after`.
fn next_interval(every_seconds: u64, anchor: Timestamp, after: Timestamp) -> Option<Timestamp> {
    if anchor > after {
        return Some(anchor);
    }
    let every = i128::from(every_seconds) * 1_000_000_000;
    if every == 0 {
        return None;
    }
    let elapsed = after.as_nanosecond() - anchor.as_nanosecond();
    let k = elapsed / every + 1;
    Timestamp::from_nanosecond(anchor.as_nanosecond().checked_add(k.checked_mul(every)?)?).ok()
}

/// One upcoming occurrence, as shown by `POST /preview` and the console.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Occurrence {
    /// The instant, serialized as RFC 3339 in UTC.
    pub at: Timestamp,
    /// Local wall time in the trigger's zone, e.g. `2026-03-08T03:00:00-04:00[America/New_York]`.
    pub local: String,
    /// The UTC offset in force at `at`, e.g. `"-04:00"`.
    pub utc_offset: String,
    /// True when the UTC offset changes (a DST transition) during that local day.
    pub dst_transition_day: bool,
}

/// The next `count` (at most [`MAX_PREVIEW`]) occurrences strictly after `from`, each with its
/// local wall time in the trigger's zone.
pub fn preview(trigger: &Trigger, from: Timestamp, count: usize) -> Vec<Occurrence> {
    let zone = match &trigger.kind {
        TriggerKind::Cron(spec) => spec.time_zone().clone(),
        _ => TimeZone::UTC,
    };
    let mut occurrences = Vec::new();
    let mut after = from;
    while occurrences.len() < count.min(MAX_PREVIEW) {
        let Some(at) = next_after(trigger, after) else {
            break;
        };
        occurrences.push(occurrence(at, &zone));
        after = at;
    }
    occurrences
}

fn occurrence(at: Timestamp, zone: &TimeZone) -> Occurrence {
    let local = at.to_zoned(zone.clone());
    Occurrence {
        at,
        local: local.to_string(),
        utc_offset: format_offset(local.offset()),
        dst_transition_day: offset_changes_during_day(&local),
    }
}

/// `±HH:MM`, with `:SS` only when the offset has seconds (historical zones).
fn format_offset(offset: jiff::tz::Offset) -> String {
    let total = offset.seconds();
    let sign = if total < 0 { '-' } else { '+' };
    let total = total.unsigned_abs();
    let (hours, minutes, seconds) = (total / 3600, total % 3600 / 60, total % 60);
    if seconds == 0 {
        format!("{sign}{hours:02}:{minutes:02}")
    } else {
        format!("{sign}{hours:02}:{minutes:02}:{seconds:02}")
    }
}

/// Whether the zone's UTC offset changes between the start of `local`'s day and the next day's.
fn offset_changes_during_day(local: &Zoned) -> bool {
    let Ok(start) = local.start_of_day() else {
        return false;
    };
    let Ok(next_start) = local.tomorrow().and_then(|t| t.start_of_day()) else {
        return false;
    };
    let zone = local.time_zone();
    zone.following(
        start
            .timestamp()
            .checked_sub(SignedDuration::from_nanos(1))
            .unwrap_or(start.timestamp()),
    )
    .take_while(|transition| transition.timestamp() < next_start.timestamp())
    .any(|transition| {
        let before = zone.to_offset(
            transition
                .timestamp()
                .checked_sub(SignedDuration::from_nanos(1))
                .unwrap_or(transition.timestamp()),
        );
        before != transition.offset()
    })
}
