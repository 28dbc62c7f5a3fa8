//! Counting occurrences without visiting each one, for catch-up after an outage: an
//! every-second task down for a day has 86,400 missed occurrences, and the misfire policy needs
//! only how many there were, the first and the last few.
//!
//! Intervals are arithmetic. A cron schedule is counted on wall-clock fields: between two UTC
//! offset transitions a zone's wall time runs like UTC, so the matches of whole days, hours and
//! minutes are products of the fields' sizes. Within [`DST_REACH`] of a transition the DST rules
//! of `cron.rs` decide, so there the occurrences are walked one by one.

use domain::trigger::{CronSpec, LAST_INSTANT, Trigger, TriggerKind};
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::{cron, next_after};

/// How far from a UTC offset transition wall times can be ambiguous or missing: more than any
/// zone's DST shift.
const DST_REACH: SignedDuration = SignedDuration::from_hours(3);

/// The last whole second of a day, the latest a cron schedule can match.
const LAST_SECOND_OF_DAY: Time = Time::constant(23, 59, 59, 0);

/// A bound on the occurrences walked near one transition (a dense schedule has 21,600 in the
/// six hours around it).
const MAX_WALK: usize = 100_000;

/// The number of occurrences of `trigger` in `(after, through]`, as many calls of
/// [`next_after`] would find, without making them.
pub fn count_between(trigger: &Trigger, after: Timestamp, through: Timestamp) -> u64 {
    let after = match trigger.start_at {
        Some(start) => after.max(
            start
                .checked_sub(SignedDuration::from_nanos(1))
                .unwrap_or(start),
        ),
        None => after,
    };
    let end = trigger
        .end_at
        .map_or(LAST_INSTANT, |end| end.min(LAST_INSTANT));
    let through = through.min(end);
    if through <= after {
        return 0;
    }
    match &trigger.kind {
        TriggerKind::Cron(spec) => count_cron(spec, after, through),
        TriggerKind::Interval { .. } | TriggerKind::Date { .. } => {
            let Some(first) = next_after(trigger, after) else {
                return 0;
            };
            if first > through {
                return 0;
            }
            let Some(second) = next_after(trigger, first) else {
                return 1;
            };
            // Every later occurrence is one period after the one before.
            let every = second.as_nanosecond() - first.as_nanosecond();
            let spanned = (through.as_nanosecond() - first.as_nanosecond()) / every;
            u64::try_from(spanned).map_or(0, |n| n + 1)
        }
    }
}

/// The last `n` occurrences of `trigger` in `(after, through]`, in order (all of them when
/// there are fewer).
pub fn last_between(
    trigger: &Trigger,
    after: Timestamp,
    through: Timestamp,
    n: u64,
) -> Vec<Timestamp> {
    if n == 0 {
        return Vec::new();
    }
    // Widen a window ending at `through` until it holds `n`, then walk only the window.
    let mut span = SignedDuration::from_secs(1);
    let mut from = after;
    loop {
        let Ok(start) = through.checked_sub(span) else {
            break;
        };
        if start <= after {
            break;
        }
        if count_between(trigger, start, through) >= n {
            from = start;
            break;
        }
        span = span.saturating_mul(2);
    }
    let mut last = std::collections::VecDeque::new();
    let mut at = from;
    while let Some(next) = next_after(trigger, at).filter(|next| *next <= through) {
        if last.len() as u64 == n {
            last.pop_front();
        }
        last.push_back(next);
        at = next;
    }
    last.into()
}

/// Instants of `spec` in `(after, through]`: [`count_between`] for a cron schedule, its
/// bounds already applied.
pub(crate) fn count_cron(spec: &CronSpec, after: Timestamp, through: Timestamp) -> u64 {
    let zone = spec.time_zone();
    let fields = Fields::of(spec);
    let mut count = 0;
    let mut from = after;
    while from < through {
        let near = near_transition(zone, from);
        if let Some(walk_until) = near {
            let until = walk_until.min(through);
            let mut walked = 0;
            while let Some(next) = cron::next_after(spec, from).filter(|next| *next <= until) {
                count += 1;
                from = next;
                walked += 1;
                if walked == MAX_WALK {
                    break;
                }
            }
            from = until;
            continue;
        }
        let calm_until = zone
            .following(from)
            .next()
            .and_then(|t| t.timestamp().checked_sub(DST_REACH).ok())
            .map_or(through, |start| start.min(through));
        let offset = zone.to_offset(from);
        count += fields.between(offset.to_datetime(from), offset.to_datetime(calm_until));
        from = calm_until;
    }
    count
}

/// When `at` is within [`DST_REACH`] of a UTC offset transition of `zone`, the instant that far
/// after it: the end of the stretch to walk.
fn near_transition(zone: &TimeZone, at: Timestamp) -> Option<Timestamp> {
    let previous = zone
        .preceding(at.checked_add(SignedDuration::from_nanos(1)).unwrap_or(at))
        .next()
        .map(|t| t.timestamp());
    if let Some(end) = previous.and_then(|t| t.checked_add(DST_REACH).ok())
        && at < end
    {
        return Some(end);
    }
    let next = zone.following(at).next().map(|t| t.timestamp())?;
    (next.checked_sub(DST_REACH).ok()? <= at)
        .then(|| next.checked_add(DST_REACH).ok())
        .flatten()
}

/// A cron expression's time-of-day fields, counted once.
struct Fields<'a> {
    spec: &'a CronSpec,
    hours: [bool; 24],
    minutes: [bool; 60],
    /// `seconds_before[s]`: matching seconds below `s`.
    seconds_before: [u64; 61],
    /// A matching time of day, to test whether a date matches.
    probe: Option<Time>,
    /// Matching times in a whole matching day.
    per_day: u64,
}

impl<'a> Fields<'a> {
    fn of(spec: &'a CronSpec) -> Self {
        let pattern = &spec.cron().pattern;
        let hours = std::array::from_fn(|h| pattern.hour_match(h as u32).unwrap_or(false));
        let minutes = std::array::from_fn(|m| pattern.minute_match(m as u32).unwrap_or(false));
        let mut seconds_before = [0; 61];
        for s in 0..60 {
            let hit = u64::from(pattern.second_match(s as u32).unwrap_or(false));
            seconds_before[s + 1] = seconds_before[s] + hit;
        }
        let first = |set: &[bool]| set.iter().position(|hit| *hit);
        let second = (0..60).find(|s| seconds_before[s + 1] > seconds_before[*s]);
        let probe = match (first(&hours), first(&minutes), second) {
            (Some(h), Some(m), Some(s)) => Time::new(h as i8, m as i8, s as i8, 0).ok(),
            _ => None,
        };
        let mut fields = Fields {
            spec,
            hours,
            minutes,
            seconds_before,
            probe,
            per_day: 0,
        };
        fields.per_day = fields.within_day(Time::MIN, LAST_SECOND_OF_DAY);
        fields
    }

    /// Matching wall times in `(after, through]`, with no transition between them.
    fn between(&self, after: DateTime, through: DateTime) -> u64 {
        // Matches are whole seconds: the first candidate is the next whole second after `after`.
        let Ok(first) = after
            .with()
            .subsec_nanosecond(0)
            .build()
            .and_then(|t| t.checked_add(SignedDuration::from_secs(1)))
        else {
            return 0;
        };
        if first > through {
            return 0;
        }
        let last = through.time().with().subsec_nanosecond(0).build();
        let Ok(last) = last.map(|t| through.date().to_datetime(t)) else {
            return 0;
        };
        let mut count = 0;
        let mut day = first.date();
        while day <= last.date() {
            if self.date_matches(day) {
                let from = if day == first.date() {
                    first.time()
                } else {
                    Time::MIN
                };
                let to = if day == last.date() {
                    last.time()
                } else {
                    LAST_SECOND_OF_DAY
                };
                count += if (from, to) == (Time::MIN, LAST_SECOND_OF_DAY) {
                    self.per_day
                } else {
                    self.within_day(from, to)
                };
            }
            let Ok(next) = day.tomorrow() else { break };
            day = next;
        }
        count
    }

    /// Whether a date matches the day, month and year fields.
    fn date_matches(&self, day: Date) -> bool {
        self.probe.is_some_and(|probe| {
            self.spec
                .cron()
                .is_time_matching(&day.to_datetime(probe))
                .unwrap_or(false)
        })
    }

    /// Matching times of day in `[from, to]` (whole seconds) on a matching date.
    fn within_day(&self, from: Time, to: Time) -> u64 {
        let second = |t: Time| t.second() as usize;
        let mut count = 0;
        for hour in from.hour()..=to.hour() {
            if !self.hours[hour as usize] {
                continue;
            }
            let first_minute = if hour == from.hour() {
                from.minute()
            } else {
                0
            };
            let last_minute = if hour == to.hour() { to.minute() } else { 59 };
            for minute in first_minute..=last_minute {
                if !self.minutes[minute as usize] {
                    continue;
                }
                let lo = if (hour, minute) == (from.hour(), from.minute()) {
                    second(from)
                } else {
                    0
                };
                let hi = if (hour, minute) == (to.hour(), to.minute()) {
                    second(to)
                } else {
                    59
                };
                count += self.seconds_before[hi + 1] - self.seconds_before[lo];
            }
        }
        count
    }
}
