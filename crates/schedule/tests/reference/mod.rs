//! An independent reference for when a cron trigger fires, and random expressions to feed it.
//!
//! Shared by the schedule, API and engine tests (the latter two include this file by path), so
//! each test binary uses only part of it.
//!
//! It shares no code with the `schedule` crate or with croner: it parses the expression text
//! itself and walks, day by day, the local wall-clock times that match (minutes, or seconds for
//! 6-field expressions). The only thing it asks the time zone is the UTC offset in force at an
//! instant. The rules it applies are the ones docs/api.md states:
//!
//! - Day fields (Vixie cron, cronie): when the day-of-month or the day-of-week field starts with
//!   `*` (or is `?`), a day must match both; otherwise it may match either.
//! - A job is fixed-time when neither its minute nor its hour field starts with `*`.
//! - A wall time that happens once fires at that instant. One that happens twice (the clocks go
//!   back) fires at both instants, or only at the first one for a fixed-time job. One that never
//!   happens (the clocks go forward) does not fire, except that a fixed-time job fires at the
//!   first instant after the gap.
//! - Nothing fires after [`END`].
#![allow(dead_code)]

use std::collections::BTreeSet;

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp, ToSpan};
use proptest::prelude::*;

/// The last instant Sundial schedules.
pub const END: &str = "2999-12-31T23:59:59Z";

// ----- parsing -------------------------------------------------------------------------------

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// One parsed cron expression.
#[derive(Debug)]
pub struct Reference {
    seconds: Vec<bool>,
    minutes: Vec<bool>,
    hours: Vec<bool>,
    months: Vec<bool>,
    dom: Vec<bool>,
    dom_last: bool,
    dom_last_weekday: bool,
    dom_nearest: Vec<u32>,
    dow: Vec<bool>,
    dow_nth: Vec<(u32, u32)>,
    dow_last: Vec<u32>,
    days_and: bool,
    fixed_time: bool,
}

fn number(text: &str, names: &[&str], offset: u32) -> u32 {
    names
        .iter()
        .position(|name| name.eq_ignore_ascii_case(text))
        .map(|index| index as u32 + offset)
        .unwrap_or_else(|| {
            text.parse()
                .unwrap_or_else(|_| panic!("not a number: {text}"))
        })
}

/// Sets the values of one comma-separated part: `*`, `?`, `*/s`, `a`, `a-b`, `a-b/s`.
fn set_range(bits: &mut [bool], part: &str, lo: u32, hi: u32, names: &[&str], offset: u32) {
    let (range, step) = match part.split_once('/') {
        Some((range, step)) => (range, step.parse::<usize>().expect("step")),
        None => (part, 1),
    };
    let (a, b) = match range {
        "*" | "?" => (lo, hi),
        _ => match range.split_once('-') {
            Some((a, b)) => (number(a, names, offset), number(b, names, offset)),
            None => {
                let a = number(range, names, offset);
                (a, a)
            }
        },
    };
    for value in (a..=b).step_by(step) {
        bits[value as usize] = true;
    }
}

fn plain(field: &str, lo: u32, hi: u32, names: &[&str], offset: u32) -> Vec<bool> {
    let mut bits = vec![false; hi as usize + 1];
    for part in field.split(',') {
        set_range(&mut bits, part, lo, hi, names, offset);
    }
    bits
}

fn starts_with_star(field: &str) -> bool {
    field.starts_with('*') || field.starts_with('?')
}

impl Reference {
    /// Parses an expression the schedule crate accepts (5 or 6 fields, or a macro).
    pub fn parse(expression: &str) -> Reference {
        let expanded = match expression.to_ascii_lowercase().as_str() {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            _ => expression,
        };
        let mut fields: Vec<&str> = expanded.split_whitespace().collect();
        if fields.len() == 5 {
            fields.insert(0, "0");
        }
        assert_eq!(fields.len(), 6, "{expression}");
        let [second, minute, hour, dom, month, dow] = fields[..] else {
            unreachable!()
        };

        let mut day_bits = vec![false; 32];
        let (mut dom_last, mut dom_last_weekday, mut dom_nearest) = (false, false, Vec::new());
        for part in dom.split(',') {
            let upper = part.to_ascii_uppercase();
            if upper == "L" {
                dom_last = true;
            } else if upper == "LW" {
                dom_last_weekday = true;
            } else if let Some(day) = upper.strip_suffix('W') {
                dom_nearest.push(day.parse().expect("nW"));
            } else {
                set_range(&mut day_bits, part, 1, 31, &[], 0);
            }
        }

        let mut weekday_bits = vec![false; 8];
        let (mut dow_nth, mut dow_last) = (Vec::new(), Vec::new());
        for part in dow.split(',') {
            let upper = part.to_ascii_uppercase();
            if let Some((day, nth)) = upper.split_once('#') {
                let day = number(day, &WEEKDAYS, 0) % 7;
                if nth == "L" {
                    dow_last.push(day);
                } else {
                    dow_nth.push((day, nth.parse().expect("#n")));
                }
            } else if let Some(day) = upper.strip_suffix('L') {
                dow_last.push(number(day, &WEEKDAYS, 0) % 7);
            } else {
                set_range(&mut weekday_bits, part, 0, 7, &WEEKDAYS, 0);
            }
        }
        // 7 is Sunday too.
        weekday_bits[0] |= weekday_bits[7];

        Reference {
            seconds: plain(second, 0, 59, &[], 0),
            minutes: plain(minute, 0, 59, &[], 0),
            hours: plain(hour, 0, 23, &[], 0),
            months: plain(month, 1, 12, &MONTHS, 1),
            dom: day_bits,
            dom_last,
            dom_last_weekday,
            dom_nearest,
            dow: weekday_bits,
            dow_nth,
            dow_last,
            days_and: starts_with_star(dom) || starts_with_star(dow),
            fixed_time: !starts_with_star(minute) && !starts_with_star(hour),
        }
    }

    /// Whether the job counts as fixed-time for DST.
    pub fn fixed_time(&self) -> bool {
        self.fixed_time
    }

    fn dom_matches(&self, date: Date) -> bool {
        let day = date.day() as u32;
        let len = date.days_in_month() as u32;
        self.dom[day as usize]
            || (self.dom_last && day == len)
            || (self.dom_last_weekday && day == last_weekday_of_month(date))
            || self
                .dom_nearest
                .iter()
                .any(|&n| n <= len && day == nearest_weekday(date, n))
    }

    fn dow_matches(&self, date: Date) -> bool {
        let weekday = date.weekday().to_sunday_zero_offset() as u32;
        let day = date.day() as u32;
        let len = date.days_in_month() as u32;
        self.dow[weekday as usize]
            || self
                .dow_nth
                .iter()
                .any(|&(d, n)| d == weekday && (day - 1) / 7 + 1 == n)
            || self.dow_last.iter().any(|&d| d == weekday && day + 7 > len)
    }

    /// Whether anything fires on this local date.
    pub fn date_matches(&self, date: Date) -> bool {
        if !self.months[date.month() as usize] {
            return false;
        }
        if self.days_and {
            self.dom_matches(date) && self.dow_matches(date)
        } else {
            self.dom_matches(date) || self.dow_matches(date)
        }
    }

    /// The matching times of day, earliest first.
    fn times(&self) -> Vec<Time> {
        let mut times = Vec::new();
        for hour in (0..24).filter(|&h| self.hours[h]) {
            for minute in (0..60).filter(|&m| self.minutes[m]) {
                for second in (0..60).filter(|&s| self.seconds[s]) {
                    times.push(Time::constant(hour as i8, minute as i8, second as i8, 0));
                }
            }
        }
        times
    }

    /// The first `count` instants strictly after `after` and not after `limit` (nor [`END`]) at
    /// which the job fires in `tz`, earliest first.
    pub fn firings(
        &self,
        tz: &TimeZone,
        after: Timestamp,
        count: usize,
        limit: Timestamp,
    ) -> Vec<Timestamp> {
        let end: Timestamp = END.parse().expect("END");
        let limit = limit.min(end);
        let times = self.times();
        let mut found = BTreeSet::new();
        // Wall times of a date map to instants from 14 hours before its UTC midnight to 12
        // hours after its end (UTC offsets span -12:00..+14:00): start two days early.
        let mut date = utc_date(after).checked_sub(2.days()).expect("in range");
        loop {
            let earliest = utc_midnight(date) - SignedDuration::from_hours(14);
            if earliest > limit {
                break;
            }
            if found.len() >= count && found.iter().nth(count - 1).is_some_and(|&t| t < earliest) {
                break;
            }
            if self.date_matches(date) {
                let offsets = offsets_near(tz, date);
                for &time in &times {
                    let wall = date.to_datetime(time);
                    for instant in self.instants(tz, &offsets, wall) {
                        if instant > after && instant <= limit {
                            found.insert(instant);
                        }
                    }
                }
            }
            date = date.tomorrow().expect("in range");
        }
        found.into_iter().take(count).collect()
    }

    /// The instants a matching wall time fires at, per the DST rules.
    fn instants(&self, tz: &TimeZone, offsets: &[Offset], wall: DateTime) -> Vec<Timestamp> {
        let mut real: Vec<Timestamp> = offsets
            .iter()
            .filter_map(|&offset| {
                let instant = offset.to_timestamp(wall).ok()?;
                (tz.to_offset(instant) == offset).then_some(instant)
            })
            .collect();
        real.sort();
        real.dedup();
        match real.len() {
            0 if self.fixed_time => vec![first_instant_after(tz, offsets, wall)],
            0 => Vec::new(),
            _ if self.fixed_time => vec![real[0]],
            _ => real,
        }
    }
}

fn utc_date(at: Timestamp) -> Date {
    at.to_zoned(TimeZone::UTC).date()
}

fn utc_midnight(date: Date) -> Timestamp {
    Offset::UTC
        .to_timestamp(date.to_datetime(Time::midnight()))
        .expect("in range")
}

/// Every UTC offset the zone has within 40 hours of the date's UTC noon.
fn offsets_near(tz: &TimeZone, date: Date) -> Vec<Offset> {
    let noon = utc_midnight(date) + SignedDuration::from_hours(12);
    let mut offsets: Vec<Offset> = (-40..=40)
        .map(|hours| tz.to_offset(noon + SignedDuration::from_hours(hours)))
        .collect();
    offsets.sort();
    offsets.dedup();
    offsets
}

/// The wall time at an instant.
fn wall_at(tz: &TimeZone, at: Timestamp) -> DateTime {
    tz.to_offset(at).to_datetime(at)
}

/// For a wall time the clocks skipped, the first instant whose wall time is later: the end of
/// the gap. Bisects between reading the wall time at the largest and at the smallest offset.
fn first_instant_after(tz: &TimeZone, offsets: &[Offset], wall: DateTime) -> Timestamp {
    let read = |offset: &Offset| offset.to_timestamp(wall).expect("in range").as_second();
    // Wall time at `lo` is before `wall`, at `hi` after it.
    let mut lo = offsets.iter().map(read).min().expect("an offset");
    let mut hi = offsets.iter().map(read).max().expect("an offset");
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let at = Timestamp::from_second(mid).expect("in range");
        if wall_at(tz, at) > wall {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Timestamp::from_second(hi).expect("in range")
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn last_weekday_of_month(date: Date) -> u32 {
    let mut last = date.last_of_month();
    while is_weekend(last) {
        last = last.yesterday().expect("in range");
    }
    last.day() as u32
}

/// The `nW` rule: the weekday nearest to day `n`, never leaving the month.
fn nearest_weekday(date: Date, n: u32) -> u32 {
    let len = date.days_in_month() as u32;
    let target = date
        .first_of_month()
        .checked_add((i64::from(n) - 1).days())
        .expect("in month");
    match target.weekday() {
        Weekday::Saturday if n == 1 => 3,
        Weekday::Saturday => n - 1,
        Weekday::Sunday if n == len => n - 2,
        Weekday::Sunday => n + 1,
        _ => n,
    }
}

// ----- random expressions ----------------------------------------------------------------------

/// Zones the properties run in: no DST, northern and southern DST, half-hour and 45-minute
/// offsets, a 30-minute DST shift (Lord Howe), a 2-hour one (Troll), negative DST (Dublin) and
/// transitions at local midnight (Santiago, Azores, Havana, Beirut, Cairo, Gaza).
pub const ZONES: [&str; 31] = [
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/St_Johns",
    "America/Havana",
    "America/Santiago",
    "America/Asuncion",
    "America/Sao_Paulo",
    "America/Nuuk",
    "Atlantic/Azores",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Helsinki",
    "Europe/Moscow",
    "Africa/Cairo",
    "Asia/Beirut",
    "Asia/Gaza",
    "Asia/Tehran",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Shanghai",
    "Australia/Adelaide",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Auckland",
    "Antarctica/Troll",
];

/// One part of a list in a field spanning `lo..=hi`, sometimes spelled with `names`.
fn part(lo: u32, hi: u32, names: &'static [&'static str], offset: u32) -> BoxedStrategy<String> {
    let name = move |value: u32, spell: bool| match names.get((value - offset) as usize) {
        Some(name) if spell && value >= offset => (*name).to_owned(),
        _ => value.to_string(),
    };
    prop_oneof![
        3 => (lo..=hi, any::<bool>()).prop_map(move |(v, spell)| name(v, spell)),
        2 => (lo..=hi, lo..=hi, any::<bool>())
            .prop_map(move |(a, b, spell)| format!("{}-{}", name(a.min(b), spell), name(a.max(b), spell))),
        2 => (1..=hi.max(1)).prop_map(|s| format!("*/{s}")),
        1 => (lo..=hi, lo..=hi, 1..=hi.max(1))
            .prop_map(|(a, b, s)| format!("{}-{}/{s}", a.min(b), a.max(b))),
    ]
    .boxed()
}

/// A whole field: `*`, one part, or a list of two or three.
fn field(lo: u32, hi: u32, names: &'static [&'static str], offset: u32) -> BoxedStrategy<String> {
    prop_oneof![
        3 => Just("*".to_owned()),
        4 => part(lo, hi, names, offset),
        2 => prop::collection::vec(part(lo, hi, names, offset), 2..=3).prop_map(|p| p.join(",")),
    ]
    .boxed()
}

fn dom_field() -> BoxedStrategy<String> {
    let special = prop_oneof![
        Just("L".to_owned()),
        (1u32..=31).prop_map(|n| format!("{n}W")),
        (1u32..=31).prop_map(|n| n.to_string()),
        (1u32..=31, 1u32..=31).prop_map(|(a, b)| format!("{}-{}", a.min(b), a.max(b))),
    ];
    prop_oneof![
        4 => Just("*".to_owned()),
        1 => Just("?".to_owned()),
        3 => field(1, 31, &[], 0),
        1 => Just("LW".to_owned()),
        2 => prop::collection::vec(special, 1..=3).prop_map(|mut parts| {
            // `L` and `LW` together are refused; keep one `L`.
            let mut seen_last = false;
            parts.retain(|p| p != "L" || !std::mem::replace(&mut seen_last, true));
            parts.join(",")
        }),
    ]
    .boxed()
}

fn dow_field() -> BoxedStrategy<String> {
    let special = prop_oneof![
        (0u32..=7, 1u32..=5).prop_map(|(d, n)| format!("{d}#{n}")),
        (0u32..=7, any::<bool>()).prop_map(|(d, hash)| if hash {
            format!("{d}#L")
        } else {
            format!("{d}L")
        }),
        (0u32..=6).prop_map(|d| WEEKDAYS[d as usize].to_owned()),
        (0u32..=7, 0u32..=7).prop_map(|(a, b)| format!("{}-{}", a.min(b), a.max(b))),
    ];
    prop_oneof![
        5 => Just("*".to_owned()),
        1 => Just("?".to_owned()),
        3 => field(0, 7, &WEEKDAYS, 0),
        2 => prop::collection::vec(special, 1..=3).prop_map(|p| p.join(",")),
    ]
    .boxed()
}

/// A seconds field for 6-field expressions, or nothing for 5 fields.
fn seconds_field() -> BoxedStrategy<Option<String>> {
    prop_oneof![
        3 => Just(None),
        1 => field(0, 59, &[], 0).prop_map(Some),
    ]
    .boxed()
}

fn join(seconds: Option<String>, rest: [String; 5]) -> String {
    seconds
        .into_iter()
        .chain(rest)
        .collect::<Vec<_>>()
        .join(" ")
}

fn macro_expression() -> BoxedStrategy<String> {
    (
        prop::sample::select(vec![
            "@yearly",
            "@annually",
            "@monthly",
            "@weekly",
            "@daily",
            "@midnight",
            "@hourly",
        ]),
        any::<bool>(),
    )
        .prop_map(|(m, upper)| {
            if upper {
                m.to_ascii_uppercase()
            } else {
                m.to_owned()
            }
        })
        .boxed()
}

/// Random 5- and 6-field expressions (lists, ranges, steps, names, `?`, `L`, `W`, `#`) and
/// macros.
pub fn expression() -> BoxedStrategy<String> {
    let fields = (
        seconds_field(),
        field(0, 59, &[], 0),
        field(0, 23, &[], 0),
        dom_field(),
        field(1, 12, &MONTHS, 1),
        dow_field(),
    )
        .prop_map(|(s, minute, hour, dom, month, dow)| join(s, [minute, hour, dom, month, dow]));
    prop_oneof![9 => fields, 1 => macro_expression()].boxed()
}

/// Expressions whose times fall where zones change their clocks (local 22:00-04:00), so that
/// they meet gaps and repeated hours; mostly fixed-time.
pub fn near_dst_expression() -> BoxedStrategy<String> {
    let hour_value = prop_oneof![0u32..=4, 22u32..=23];
    let minute = prop_oneof![
        2 => (0u32..60).prop_map(|m| m.to_string()),
        1 => prop::collection::vec(0u32..60, 2..=3)
            .prop_map(|m| m.iter().map(u32::to_string).collect::<Vec<_>>().join(",")),
        1 => (0u32..60, 1u32..=30).prop_map(|(a, s)| format!("{a}-59/{s}")),
        1 => field(0, 59, &[], 0),
    ];
    let hour = prop_oneof![
        2 => hour_value.clone().prop_map(|h| h.to_string()),
        1 => (0u32..=4, 0u32..=4).prop_map(|(a, b)| format!("{}-{}", a.min(b), a.max(b))),
        1 => prop::collection::vec(hour_value, 2..=3)
            .prop_map(|h| h.iter().map(u32::to_string).collect::<Vec<_>>().join(",")),
        1 => (1u32..=3).prop_map(|s| format!("0-3/{s}")),
        1 => (1u32..=3).prop_map(|s| format!("*/{s}")),
        1 => Just("*".to_owned()),
    ];
    let seconds = prop_oneof![
        4 => Just(None),
        1 => prop_oneof![
            (0u32..60).prop_map(|s| s.to_string()),
            (10u32..=30).prop_map(|s| format!("*/{s}")),
        ]
        .prop_map(Some),
    ];
    let dom = prop_oneof![6 => Just("*".to_owned()), 1 => dom_field()];
    let dow = prop_oneof![6 => Just("*".to_owned()), 1 => dow_field()];
    (seconds, minute, hour, dom, dow)
        .prop_map(|(s, minute, hour, dom, dow)| join(s, [minute, hour, dom, "*".to_owned(), dow]))
        .boxed()
}

// ----- start instants ------------------------------------------------------------------------

/// Where a property starts looking for occurrences.
#[derive(Debug, Clone, Copy)]
pub enum Around {
    /// Anywhere in 2020..2040.
    Anywhere,
    /// From 26 hours before to 2 hours after one of the zone's transitions.
    Transition,
    /// Around 29 February of a leap year.
    LeapDay,
    /// Around the end of a month.
    MonthEnd,
}

/// The kinds of start instants, weighted towards DST changes.
pub fn around() -> impl Strategy<Value = Around> {
    prop_oneof![
        2 => Just(Around::Anywhere),
        4 => Just(Around::Transition),
        1 => Just(Around::LeapDay),
        1 => Just(Around::MonthEnd),
    ]
}

/// A start instant of kind `around` in `tz`, derived from the random `seed` and `nanos`.
pub fn start_instant(tz: &TimeZone, around: Around, seed: u64, nanos: i32) -> Timestamp {
    let base = Timestamp::from_second(1_577_836_800).expect("2020-01-01");
    let span = 20 * 365 * 86_400u64;
    let uniform = base + SignedDuration::new((seed % span) as i64, nanos);
    let near = |anchor: Timestamp, before_hours: i64, after_hours: i64| {
        let width = ((before_hours + after_hours) * 3600) as u64;
        anchor + SignedDuration::new((seed / 7 % width) as i64 - before_hours * 3600, nanos)
    };
    match around {
        Around::Anywhere => uniform,
        Around::Transition => match tz.following(uniform).next() {
            // Half the time within the last 3 hours, so jobs near the change meet it soon.
            Some(t) if seed.is_multiple_of(2) => near(t.timestamp(), 26, 2),
            Some(t) => near(t.timestamp(), 3, 1),
            None => uniform,
        },
        Around::LeapDay => {
            let year = 2024 + 4 * (seed % 5) as i16;
            near(utc_midnight(jiff::civil::date(year, 2, 29)), 36, 36)
        }
        Around::MonthEnd => {
            let first = jiff::civil::date(2020 + (seed % 20) as i16, 1 + (seed / 20 % 12) as i8, 1);
            let last = first.last_of_month();
            near(utc_midnight(last), 24, 36)
        }
    }
}

/// Case count of the cron properties: `SUNDIAL_CRON_CASES`, or `default` (what CI runs).
pub fn cases(default: u32) -> u32 {
    std::env::var("SUNDIAL_CRON_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The seed of the cron properties: `SUNDIAL_CRON_SEED`, or the fixed one CI runs.
pub fn seed() -> u64 {
    std::env::var("SUNDIAL_CRON_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5u64 << 32 | 19)
}
