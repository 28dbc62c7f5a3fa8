//! Cron expressions evaluated in a time zone, with the DST rules of docs/api.md (Tasks).
//!
//! croner finds matching *wall-clock* times (on `jiff::civil::DateTime`, where there is no DST);
//! this module maps them to instants. A job is fixed-time when neither its minute nor its hour
//! field starts with `*`, as in Vixie cron ([`CronSpec::is_fixed_time`]). Then:
//!
//! - a wall time that exists once fires at its instant;
//! - a wall time in a repeated range (fall back) fires at its first instant, and also at its
//!   second instant unless the job is fixed-time;
//! - a wall time in a gap (spring forward) fires once at the end of the gap (the transition
//!   instant) if the job is fixed-time, and not at all otherwise.
//!
//! croner 4 can do this itself on `jiff::Zoned`, but it counts a job as fixed-time only when each
//! of those fields holds a single value, so `0 1,2 * * *` or `0-30/10 2 * * *` would lose their
//! run inside a gap and run twice in a repeated hour. Vixie cron (and docs/api.md) only treat a
//! minute or hour field that starts with `*` as "runs more often than hourly".

use croner::Cron;
use domain::trigger::CronSpec;
use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};

/// A bound on skips over DST ranges within one search; each croner search can itself jump years.
const MAX_STEPS: usize = 10_000;

/// The first instant strictly after `after` at which `spec` fires.
pub(crate) fn next_after(spec: &CronSpec, after: Timestamp) -> Option<Timestamp> {
    let zone = spec.time_zone();
    let cron = spec.cron();
    let fixed = spec.is_fixed_time();
    let local = after.to_zoned(zone.clone());
    let start = local.datetime().with().subsec_nanosecond(0).build().ok()?;

    let walked = walk(cron, zone, fixed, after, start);
    if fixed {
        return walked;
    }
    // A walk forward over wall times cannot see the second pass of a repeated range that
    // `after` sits in the first pass of: its wall times lie behind `start`.
    match (
        walked,
        second_pass(cron, zone, after, local.offset(), start),
    ) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Walks matching wall times after `start` until one yields an instant after `after`.
fn walk(
    cron: &Cron,
    zone: &TimeZone,
    fixed: bool,
    after: Timestamp,
    start: DateTime,
) -> Option<Timestamp> {
    let mut civil = start;
    for _ in 0..MAX_STEPS {
        civil = cron.find_next_occurrence(&civil, false).ok()?;
        match zone.to_ambiguous_timestamp(civil).offset() {
            AmbiguousOffset::Unambiguous { offset } => {
                let instant = offset.to_timestamp(civil).ok()?;
                if instant > after {
                    return Some(instant);
                }
            }
            AmbiguousOffset::Fold {
                before,
                after: later_offset,
            } => {
                let first = before.to_timestamp(civil).ok()?;
                if first > after {
                    return Some(first);
                }
                if !fixed {
                    let second = later_offset.to_timestamp(civil).ok()?;
                    if second > after {
                        return Some(second);
                    }
                } else {
                    // `after` is on the second pass, so the first pass of this range is behind
                    // us and a fixed-time job has nothing more in it: jump to its end.
                    let transition = zone.following(first).next()?.timestamp();
                    let end = before.to_datetime(transition);
                    if end > civil {
                        civil = end.checked_sub(SignedDuration::from_secs(1)).ok()?;
                    }
                }
            }
            AmbiguousOffset::Gap {
                after: later_offset,
                ..
            } => {
                // `later_offset` read as the offset of this wall time gives an instant just
                // before the transition; the next transition is the end of the gap.
                let probe = later_offset.to_timestamp(civil).ok()?;
                let transition = zone.following(probe).next()?.timestamp();
                if fixed {
                    if transition > after {
                        return Some(transition);
                    }
                } else {
                    let end = later_offset.to_datetime(transition);
                    if end > civil {
                        civil = end.checked_sub(SignedDuration::from_secs(1)).ok()?;
                    }
                }
            }
        }
    }
    None
}

/// When `after` (at `after_offset`, wall time `start`) is on the first pass of a repeated
/// range, the first second-pass instant of that range that matches.
fn second_pass(
    cron: &Cron,
    zone: &TimeZone,
    after: Timestamp,
    after_offset: jiff::tz::Offset,
    start: DateTime,
) -> Option<Timestamp> {
    let AmbiguousOffset::Fold {
        before,
        after: later_offset,
    } = zone.to_ambiguous_timestamp(start).offset()
    else {
        return None;
    };
    if after_offset != before {
        return None;
    }
    let transition = zone.following(after).next()?.timestamp();
    let range_start = later_offset.to_datetime(transition);
    let range_end = before.to_datetime(transition);
    let civil = cron.find_next_occurrence(&range_start, true).ok()?;
    if civil >= range_end {
        return None;
    }
    later_offset.to_timestamp(civil).ok()
}
