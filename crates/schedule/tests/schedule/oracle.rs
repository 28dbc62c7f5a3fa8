//! `next_after` and `preview` for cron triggers against the independent reference in
//! `reference/mod.rs`, on random expressions in 31 zones, from instants around DST changes,
//! leap days and month ends.
//!
//! CI runs a fixed seed and case count; `SUNDIAL_CRON_CASES=5000` runs more cases and
//! `SUNDIAL_CRON_SEED=<n>` other ones (docs/architecture.md, "Testing time").

use crate::{cron, reference, ts};

use domain::trigger::tz_database;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use reference::{Around, Reference};

/// How far the reference looks for occurrences: beyond 28 years every calendar repeats.
const HORIZON: SignedDuration = SignedDuration::from_hours(30 * 366 * 24);

fn config(default_cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: reference::cases(default_cases),
        rng_seed: RngSeed::Fixed(reference::seed()),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn zone(name: &str) -> TimeZone {
    tz_database().get(name).expect("zone")
}

/// The next `steps` instants after `start`, one `next_after` at a time and as one preview, equal
/// the reference's.
fn check(
    expression: &str,
    zone_name: &str,
    start: Timestamp,
    steps: usize,
) -> Result<(), TestCaseError> {
    let tz = zone(zone_name);
    let limit = start + HORIZON;
    let expected = Reference::parse(expression).firings(&tz, start, steps, limit);
    let trigger = match cron(expression, zone_name) {
        Ok(trigger) => trigger,
        Err(message) => {
            // The generator writes valid syntax, so the only refusal is "never matches", and
            // then the reference must find nothing either.
            prop_assert!(message.contains("never matches"), "{expression}: {message}");
            prop_assert_eq!(expected, Vec::<Timestamp>::new(), "{}", expression);
            return Ok(());
        }
    };
    let context = || {
        format!(
            "{expression:?} in {zone_name} after {start} ({})",
            start.to_zoned(tz.clone())
        )
    };

    let mut stepped = Vec::new();
    let mut after = start;
    while stepped.len() < expected.len() {
        let Some(next) = schedule::next_after(&trigger, after) else {
            break;
        };
        stepped.push(next);
        after = next;
    }
    prop_assert_eq!(&stepped, &expected, "{}", context());
    if expected.len() < steps {
        let more = schedule::next_after(&trigger, after);
        prop_assert!(
            more.is_none_or(|t| t > limit),
            "{}: the reference ends, got {:?}",
            context(),
            more
        );
    }
    let previewed: Vec<Timestamp> = schedule::preview(&trigger, start, expected.len())
        .into_iter()
        .map(|o| o.at)
        .collect();
    prop_assert_eq!(&previewed, &expected, "preview of {}", context());
    Ok(())
}

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn next_after_matches_the_reference_for_random_expressions(
        expression in reference::expression(),
        zone_name in prop::sample::select(reference::ZONES.to_vec()),
        around in reference::around(),
        seed in any::<u64>(),
        nanos in prop_oneof![Just(0i32), 0i32..1_000_000_000],
    ) {
        let start = reference::start_instant(&zone(zone_name), around, seed, nanos);
        check(&expression, zone_name, start, 6)?;
    }

    #[test]
    fn next_after_matches_the_reference_across_dst_transitions(
        expression in reference::near_dst_expression(),
        zone_name in prop::sample::select(reference::ZONES.to_vec()),
        seed in any::<u64>(),
        nanos in prop_oneof![Just(0i32), 0i32..1_000_000_000],
    ) {
        let start = reference::start_instant(&zone(zone_name), Around::Transition, seed, nanos);
        check(&expression, zone_name, start, 8)?;
    }
}

// ----- the reference itself must be right on known cases ---------------------------------------

fn firings(expression: &str, zone_name: &str, after: &str, count: usize) -> Vec<String> {
    Reference::parse(expression)
        .firings(&zone(zone_name), ts(after), count, ts(reference::END))
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn reference_applies_the_dst_rules() {
    let ny = "America/New_York";
    // 2026-03-08 02:00 EST -> 03:00 EDT (07:00Z); 2026-11-01 02:00 EDT -> 01:00 EST (06:00Z).
    assert_eq!(
        firings("30 2 * * *", ny, "2026-03-07T12:00:00Z", 2),
        ["2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"]
    );
    assert_eq!(
        firings("0-30/10 2 * * *", ny, "2026-03-08T00:00:00Z", 2),
        ["2026-03-08T07:00:00Z", "2026-03-09T06:00:00Z"]
    );
    assert_eq!(
        firings("30 1 * * *", ny, "2026-11-01T05:45:00Z", 1),
        ["2026-11-02T06:30:00Z"]
    );
    assert_eq!(
        firings("*/15 * * * *", ny, "2026-11-01T05:45:00Z", 2),
        ["2026-11-01T06:00:00Z", "2026-11-01T06:15:00Z"]
    );
    assert_eq!(
        firings("*/15 * * * *", ny, "2026-03-08T06:45:00Z", 1),
        ["2026-03-08T07:00:00Z"]
    );
    // Chatham: 2026-09-27 02:45 +12:45 -> 03:45 +13:45 (14:00Z on the 26th); 03:00 is skipped.
    assert_eq!(
        firings("0 3 * * *", "Pacific/Chatham", "2026-09-26T00:00:00Z", 1),
        ["2026-09-26T14:00:00Z"]
    );
}

#[test]
fn reference_applies_the_day_rules() {
    // `*/2` starts with `*`: Mondays on odd days. Otherwise the 1st, the 15th or a Monday.
    assert_eq!(
        firings("0 0 */2 * 1", "UTC", "2027-02-27T00:00:00Z", 3),
        [
            "2027-03-01T00:00:00Z",
            "2027-03-15T00:00:00Z",
            "2027-03-29T00:00:00Z"
        ]
    );
    assert_eq!(
        firings("0 0 1,15 * 1", "UTC", "2027-02-27T00:00:00Z", 3),
        [
            "2027-03-01T00:00:00Z",
            "2027-03-08T00:00:00Z",
            "2027-03-15T00:00:00Z"
        ]
    );
    // 2026-02: the 1st is a Sunday, the last weekday the 27th, the last Friday the 27th.
    assert_eq!(
        firings("0 0 1W,LW 2 ?", "UTC", "2026-01-31T00:00:00Z", 2),
        ["2026-02-02T00:00:00Z", "2026-02-27T00:00:00Z"]
    );
    assert_eq!(
        firings("0 0 ? FEB 5L,MON#2", "UTC", "2026-01-31T00:00:00Z", 2),
        ["2026-02-09T00:00:00Z", "2026-02-27T00:00:00Z"]
    );
    assert_eq!(
        firings("@weekly", "UTC", "2026-02-01T00:00:00Z", 1),
        ["2026-02-08T00:00:00Z"]
    );
}

#[test]
fn nothing_fires_after_the_end_of_the_supported_range() {
    let yearly = cron("@yearly", "UTC").expect("valid");
    let got: Vec<String> = schedule::preview(&yearly, ts("2997-06-01T00:00:00Z"), 5)
        .iter()
        .map(|o| o.at.to_string())
        .collect();
    assert_eq!(got, ["2998-01-01T00:00:00Z", "2999-01-01T00:00:00Z"]);
    assert_eq!(firings("@yearly", "UTC", "2997-06-01T00:00:00Z", 5), got);
}

#[test]
fn l_and_lw_together_are_rejected() {
    let message = cron("0 0 L,LW * *", "UTC").expect_err("ambiguous");
    assert!(message.contains("LW"), "{message}");
}
