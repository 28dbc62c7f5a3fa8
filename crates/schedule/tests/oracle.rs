//! `next_after` for cron triggers against an independent brute-force oracle.
//!
//! The oracle knows nothing of croner or of `schedule`'s search: it walks UTC minutes forward,
//! reads each one's local wall time, matches every field from the generated structure (Vixie
//! day-of-month/day-of-week OR, `L`, `LW`, `nW`, `d#n`, `dL`) and applies the DST rules of
//! DESIGN §3 directly: a fixed-time job fires at the end of a gap if any skipped wall time
//! matched, and only on the first pass of a repeated wall time.

use domain::trigger::{Trigger, TriggerType};
use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use serde_json::json;

// ----- expression structure ----------------------------------------------------------------

#[derive(Debug, Clone)]
enum Part {
    Num(u32),
    Range(u32, u32),
    StarStep(u32),
    RangeStep(u32, u32, u32),
    /// Day of month: `L`.
    Last,
    /// Day of month: `LW`.
    LastWeekday,
    /// Day of month: `nW`.
    Nearest(u32),
    /// Day of week: `d#n`.
    Nth(u32, u32),
    /// Day of week: `dL` or `d#L`.
    LastOf(u32, bool),
}

#[derive(Debug, Clone)]
enum Field {
    Star,
    Question,
    Parts(Vec<Part>),
}

impl Field {
    fn render(&self) -> String {
        match self {
            Field::Star => "*".into(),
            Field::Question => "?".into(),
            Field::Parts(parts) => parts
                .iter()
                .map(|p| match *p {
                    Part::Num(n) => n.to_string(),
                    Part::Range(a, b) => format!("{a}-{b}"),
                    Part::StarStep(s) => format!("*/{s}"),
                    Part::RangeStep(a, b, s) => format!("{a}-{b}/{s}"),
                    Part::Last => "L".into(),
                    Part::LastWeekday => "LW".into(),
                    Part::Nearest(n) => format!("{n}W"),
                    Part::Nth(d, n) => format!("{d}#{n}"),
                    Part::LastOf(d, true) => format!("{d}#L"),
                    Part::LastOf(d, false) => format!("{d}L"),
                })
                .collect::<Vec<_>>()
                .join(","),
        }
    }

    fn restricted(&self) -> bool {
        matches!(self, Field::Parts(_))
    }

    /// Wildcard or stepped: the field makes a job run more often than a fixed time.
    fn repeats(&self) -> bool {
        match self {
            Field::Star | Field::Question => true,
            Field::Parts(parts) => parts
                .iter()
                .any(|p| matches!(p, Part::StarStep(_) | Part::RangeStep(..))),
        }
    }

    /// Plain numeric membership for a field spanning `lo..=hi`.
    fn contains(&self, value: u32, lo: u32, hi: u32) -> bool {
        match self {
            Field::Star | Field::Question => true,
            Field::Parts(parts) => parts.iter().any(|p| match *p {
                Part::Num(n) => n == value,
                Part::Range(a, b) => (a..=b).contains(&value),
                Part::StarStep(s) => (lo..=hi).step_by(s as usize).any(|v| v == value),
                Part::RangeStep(a, b, s) => (a..=b).step_by(s as usize).any(|v| v == value),
                _ => false,
            }),
        }
    }
}

#[derive(Debug, Clone)]
struct Expr {
    minute: Field,
    hour: Field,
    dom: Field,
    month: Field,
    dow: Field,
}

impl Expr {
    fn render(&self) -> String {
        [&self.minute, &self.hour, &self.dom, &self.month, &self.dow]
            .map(Field::render)
            .join(" ")
    }

    fn fixed_time(&self) -> bool {
        !self.minute.repeats() && !self.hour.repeats()
    }

    fn date_matches(&self, date: Date) -> bool {
        if !self.month.contains(date.month() as u32, 1, 12) {
            return false;
        }
        let dom = self.dom_matches(date);
        let dow = self.dow_matches(date);
        match (self.dom.restricted(), self.dow.restricted()) {
            (true, true) => dom || dow,
            (true, false) => dom,
            (false, true) => dow,
            (false, false) => true,
        }
    }

    fn dom_matches(&self, date: Date) -> bool {
        let day = date.day() as u32;
        let len = date.days_in_month() as u32;
        let Field::Parts(parts) = &self.dom else {
            return true;
        };
        self.dom.contains(day, 1, 31)
            || parts.iter().any(|p| match *p {
                Part::Last => day == len,
                Part::LastWeekday => day == last_weekday_of_month(date),
                Part::Nearest(n) => n <= len && day == nearest_weekday(date, n),
                _ => false,
            })
    }

    fn dow_matches(&self, date: Date) -> bool {
        let weekday = date.weekday().to_sunday_zero_offset() as u32;
        let day = date.day() as u32;
        let len = date.days_in_month() as u32;
        let Field::Parts(parts) = &self.dow else {
            return true;
        };
        parts.iter().any(|p| match *p {
            Part::Num(d) => d % 7 == weekday,
            Part::Range(a, b) => (a..=b).any(|d| d % 7 == weekday),
            Part::StarStep(s) => (0..=7).step_by(s as usize).any(|d| d % 7 == weekday),
            Part::RangeStep(a, b, s) => (a..=b).step_by(s as usize).any(|d| d % 7 == weekday),
            Part::Nth(d, n) => d % 7 == weekday && (day - 1) / 7 + 1 == n,
            Part::LastOf(d, _) => d % 7 == weekday && day + 7 > len,
            _ => false,
        })
    }

    fn matches(&self, civil: DateTime) -> bool {
        self.minute.contains(civil.minute() as u32, 0, 59)
            && self.hour.contains(civil.hour() as u32, 0, 23)
            && self.date_matches(civil.date())
    }
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
        .checked_add(jiff::Span::new().days(i64::from(n) - 1))
        .expect("in month");
    match target.weekday() {
        Weekday::Saturday if n == 1 => 3,
        Weekday::Saturday => n - 1,
        Weekday::Sunday if n == len => n - 2,
        Weekday::Sunday => n + 1,
        _ => n,
    }
}

// ----- the oracle ----------------------------------------------------------------------------

const MINUTE: SignedDuration = SignedDuration::from_secs(60);

/// The first instant strictly after `after` and not after `limit` at which `expr` fires in `tz`.
fn oracle_next(
    expr: &Expr,
    tz: &TimeZone,
    after: Timestamp,
    limit: Timestamp,
) -> Option<Timestamp> {
    let fixed = expr.fixed_time();
    let floor = Timestamp::from_second(after.as_second().div_euclid(60) * 60).expect("in range");
    let mut m = floor.checked_add(MINUTE).expect("in range");
    while m <= limit {
        let local = m.to_zoned(tz.clone());
        let civil = local.datetime();
        if !expr.date_matches(civil.date()) {
            // Nothing fires on this local day: go to the start of the next one.
            m = local
                .tomorrow()
                .and_then(|z| z.start_of_day())
                .expect("in range")
                .timestamp();
            continue;
        }
        if fixed {
            let before = tz.to_offset(m.checked_sub(MINUTE).expect("in range"));
            if local.offset().seconds() > before.seconds() {
                // `m` ends a gap: the wall times from `m` at the old offset up to `civil` never
                // happened. A fixed-time job scheduled in there runs now.
                let mut skipped = before.to_datetime(m);
                while skipped < civil {
                    if expr.matches(skipped) {
                        return Some(m);
                    }
                    skipped = skipped.checked_add(MINUTE).expect("in range");
                }
            }
        }
        if expr.matches(civil) {
            let first_pass = match tz.to_ambiguous_timestamp(civil).offset() {
                AmbiguousOffset::Fold { before, .. } => {
                    before.to_timestamp(civil).expect("in range") == m
                }
                _ => true,
            };
            if first_pass || !fixed {
                return Some(m);
            }
        }
        m = m.checked_add(MINUTE).expect("in range");
    }
    None
}

// ----- strategies ----------------------------------------------------------------------------

fn range_part(lo: u32, hi: u32) -> BoxedStrategy<Part> {
    prop_oneof![
        (lo..=hi).prop_map(Part::Num),
        (lo..=hi, lo..=hi).prop_map(|(a, b)| Part::Range(a.min(b), a.max(b))),
        (1..=hi.max(1)).prop_map(Part::StarStep),
        (lo..=hi, lo..=hi, 1..=hi.max(1)).prop_map(|(a, b, s)| Part::RangeStep(
            a.min(b),
            a.max(b),
            s
        )),
    ]
    .boxed()
}

fn plain_field(lo: u32, hi: u32) -> BoxedStrategy<Field> {
    prop_oneof![
        3 => Just(Field::Star),
        4 => range_part(lo, hi).prop_map(|p| Field::Parts(vec![p])),
        2 => prop::collection::vec(range_part(lo, hi), 2..=3).prop_map(Field::Parts),
    ]
    .boxed()
}

fn dom_field() -> BoxedStrategy<Field> {
    let special = prop_oneof![
        Just(Part::Last),
        (1u32..=31).prop_map(Part::Nearest),
        (1u32..=31).prop_map(Part::Num),
        (1u32..=31, 1u32..=31).prop_map(|(a, b)| Part::Range(a.min(b), a.max(b))),
    ];
    prop_oneof![
        4 => Just(Field::Star),
        1 => Just(Field::Question),
        3 => plain_field(1, 31),
        1 => Just(Field::Parts(vec![Part::LastWeekday])),
        2 => prop::collection::vec(special, 1..=3).prop_map(|mut parts| {
            // croner folds `L` and `LW` together, and the parser rejects the pair: keep one `L`.
            let mut seen_last = false;
            parts.retain(|p| !matches!(p, Part::Last) || !std::mem::replace(&mut seen_last, true));
            Field::Parts(parts)
        }),
    ]
    .boxed()
}

fn dow_field() -> BoxedStrategy<Field> {
    let special = prop_oneof![
        (0u32..=7, 1u32..=5).prop_map(|(d, n)| Part::Nth(d, n)),
        (0u32..=7, any::<bool>()).prop_map(|(d, hash)| Part::LastOf(d, hash)),
        (0u32..=7).prop_map(Part::Num),
        (0u32..=7, 0u32..=7).prop_map(|(a, b)| Part::Range(a.min(b), a.max(b))),
    ];
    prop_oneof![
        5 => Just(Field::Star),
        1 => Just(Field::Question),
        3 => plain_field(0, 7),
        2 => prop::collection::vec(special, 1..=3).prop_map(Field::Parts),
    ]
    .boxed()
}

fn expr_strategy() -> impl Strategy<Value = Expr> {
    (
        plain_field(0, 59),
        plain_field(0, 23),
        dom_field(),
        plain_field(1, 12),
        dow_field(),
    )
        .prop_map(|(minute, hour, dom, month, dow)| Expr {
            minute,
            hour,
            dom,
            month,
            dow,
        })
}

/// Times of day where the DST zones change their clocks (00:00..03:59 local), mostly
/// fixed-time: these walk into gaps and repeated hours.
fn near_dst_expr_strategy() -> impl Strategy<Value = Expr> {
    (
        prop_oneof![
            2 => (0u32..60).prop_map(|m| Field::Parts(vec![Part::Num(m)])),
            1 => prop::collection::vec((0u32..60).prop_map(Part::Num), 2..=3).prop_map(Field::Parts),
            1 => plain_field(0, 59),
        ],
        prop_oneof![
            2 => (0u32..=3).prop_map(|h| Field::Parts(vec![Part::Num(h)])),
            1 => (0u32..=3, 0u32..=3).prop_map(|(a, b)| Field::Parts(vec![Part::Range(a.min(b), a.max(b))])),
            1 => prop::collection::vec((0u32..=3).prop_map(Part::Num), 2..=3).prop_map(Field::Parts),
            1 => (1u32..=3).prop_map(|s| Field::Parts(vec![Part::RangeStep(0, 3, s)])),
            1 => Just(Field::Star),
        ],
        prop_oneof![4 => Just(Field::Star), 1 => dom_field()],
    )
        .prop_map(|(minute, hour, dom)| Expr { minute, hour, dom, month: Field::Star, dow: Field::Star })
}

const ZONES: [&str; 5] = [
    "UTC",
    "America/New_York",
    "Europe/Paris",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
];
const DST_ZONES: [&str; 3] = ["America/New_York", "Europe/Paris", "Australia/Lord_Howe"];

/// A start instant: anywhere in 2020..2030, or (`near_transition`) from 26 hours before to
/// 2 hours after one of the zone's transitions, half the time within its last 3 hours, so that
/// jobs near the change meet it within a few steps.
fn start_instant(tz: &TimeZone, near_transition: bool, seed: u64, nanos: i32) -> Timestamp {
    let base = Timestamp::from_second(1_577_836_800).expect("2020-01-01"); // 2020-01-01T00:00Z
    let span = 10 * 365 * 86_400u64;
    let uniform = base
        .checked_add(SignedDuration::new((seed % span) as i64, nanos))
        .expect("in range");
    if !near_transition {
        return uniform;
    }
    match tz.following(uniform).next() {
        Some(transition) => {
            let shift = if seed.is_multiple_of(2) {
                (seed % (28 * 3600)) as i64 - 26 * 3600
            } else {
                (seed % (4 * 3600)) as i64 - 3 * 3600
            };
            transition
                .timestamp()
                .checked_add(SignedDuration::new(shift, nanos))
                .expect("in range")
        }
        None => uniform,
    }
}

fn trigger_for(expression: &str, zone: &str) -> Result<Trigger, String> {
    Trigger::parse(
        TriggerType::Cron,
        &json!({"cron": expression, "timezone": zone}),
    )
    .map_err(|e| e.to_string())
}

/// Compares `steps` successive `next_after` results with the oracle, within 400 days.
fn check(expr: &Expr, zone: &str, start: Timestamp, steps: usize) -> Result<(), TestCaseError> {
    let expression = expr.render();
    let tz = domain::trigger::tz_database().get(zone).expect("zone");
    let limit = start
        .checked_add(SignedDuration::from_hours(400 * 24))
        .expect("in range");

    let trigger = match trigger_for(&expression, zone) {
        Ok(trigger) => trigger,
        Err(message) => {
            // The generator only writes valid syntax, so the only refusal is "never matches",
            // and then the oracle must agree.
            prop_assert!(message.contains("never matches"), "{expression}: {message}");
            prop_assert_eq!(oracle_next(expr, &tz, start, limit), None, "{}", expression);
            return Ok(());
        }
    };

    let mut after = start;
    for step in 0..steps {
        let expected = oracle_next(expr, &tz, after, limit);
        let got = schedule::next_after(&trigger, after);
        let Some(expected) = expected else {
            prop_assert!(
                got.is_none_or(|g| g > limit),
                "{:?} in {} after {}: oracle found nothing up to {}, got {:?}",
                expression,
                zone,
                after,
                limit,
                got
            );
            break;
        };
        prop_assert_eq!(
            got,
            Some(expected),
            "step {} of {:?} in {} after {} ({})",
            step,
            expression,
            zone,
            after,
            after.to_zoned(tz.clone())
        );
        after = expected;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn next_after_matches_the_oracle_for_random_expressions(
        expr in expr_strategy(),
        zone in prop::sample::select(ZONES.to_vec()),
        near_transition in any::<bool>(),
        seed in any::<u64>(),
        nanos in prop_oneof![Just(0i32), 0i32..1_000_000_000],
    ) {
        let tz = domain::trigger::tz_database().get(zone).expect("zone");
        check(&expr, zone, start_instant(&tz, near_transition, seed, nanos), 4)?;
    }

    #[test]
    fn next_after_matches_the_oracle_across_dst_transitions(
        expr in near_dst_expr_strategy(),
        zone in prop::sample::select(DST_ZONES.to_vec()),
        seed in any::<u64>(),
        nanos in prop_oneof![Just(0i32), 0i32..1_000_000_000],
    ) {
        let tz = domain::trigger::tz_database().get(zone).expect("zone");
        check(&expr, zone, start_instant(&tz, true, seed, nanos), 6)?;
    }
}

// ----- oracle self-checks: the oracle itself must be right on known cases --------------------

fn parse_expr(minute: Field, hour: Field) -> Expr {
    Expr {
        minute,
        hour,
        dom: Field::Star,
        month: Field::Star,
        dow: Field::Star,
    }
}

#[test]
fn oracle_applies_the_dst_rules() {
    let ny = domain::trigger::tz_database()
        .get("America/New_York")
        .expect("zone");
    let ts = |s: &str| s.parse::<Timestamp>().expect("instant");
    let limit = ts("2027-01-01T00:00:00Z");
    let fixed = parse_expr(
        Field::Parts(vec![Part::Num(30)]),
        Field::Parts(vec![Part::Num(2)]),
    );
    assert_eq!(
        oracle_next(&fixed, &ny, ts("2026-03-07T12:00:00Z"), limit),
        Some(ts("2026-03-08T07:00:00Z"))
    );
    let fixed = parse_expr(
        Field::Parts(vec![Part::Num(30)]),
        Field::Parts(vec![Part::Num(1)]),
    );
    assert_eq!(
        oracle_next(&fixed, &ny, ts("2026-11-01T05:45:00Z"), limit),
        Some(ts("2026-11-02T06:30:00Z"))
    );
    let every = parse_expr(Field::Parts(vec![Part::StarStep(15)]), Field::Star);
    assert_eq!(
        oracle_next(&every, &ny, ts("2026-11-01T05:45:00Z"), limit),
        Some(ts("2026-11-01T06:00:00Z"))
    );
    assert_eq!(
        oracle_next(&every, &ny, ts("2026-03-08T06:45:00Z"), limit),
        Some(ts("2026-03-08T07:00:00Z"))
    );
}

#[test]
fn oracle_day_rules() {
    let d = |y, m, day| jiff::civil::date(y, m, day);
    // 2026-02: Feb 1 is a Sunday; 28 days. 2025-11-01 is a Saturday; 2025-08-31 a Sunday.
    assert_eq!(nearest_weekday(d(2026, 2, 1), 1), 2);
    assert_eq!(nearest_weekday(d(2025, 11, 1), 1), 3);
    assert_eq!(nearest_weekday(d(2025, 8, 1), 31), 29);
    assert_eq!(nearest_weekday(d(2026, 2, 1), 14), 13);
    assert_eq!(last_weekday_of_month(d(2026, 2, 1)), 27);
    let dow = |parts| Expr {
        minute: Field::Star,
        hour: Field::Star,
        dom: Field::Parts(vec![Part::Num(13)]),
        month: Field::Star,
        dow: Field::Parts(parts),
    };
    // Vixie OR: the 13th or any Friday.
    let e = dow(vec![Part::Num(5)]);
    assert!(
        e.date_matches(d(2026, 2, 13))
            && e.date_matches(d(2026, 2, 6))
            && !e.date_matches(d(2026, 2, 7))
    );
    // Last Friday of February 2026 is the 27th; second Monday is the 9th.
    assert!(dow(vec![Part::LastOf(5, false)]).date_matches(d(2026, 2, 27)));
    assert!(!dow(vec![Part::LastOf(5, true)]).date_matches(d(2026, 2, 20)));
    assert!(dow(vec![Part::Nth(1, 2)]).date_matches(d(2026, 2, 9)));
    assert!(dow(vec![Part::Nth(7, 1)]).date_matches(d(2026, 2, 1)));
}

#[test]
fn l_and_lw_together_are_rejected() {
    let message = trigger_for("0 0 L,LW * *", "UTC").expect_err("ambiguous");
    assert!(message.contains("LW"), "{message}");
}
