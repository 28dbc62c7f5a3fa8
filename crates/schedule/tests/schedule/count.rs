//! `count_between` and `last_between` (catch-up after an outage) against walking every
//! occurrence with `next_after`: on random cron expressions in 31 zones around DST changes, and
//! on spans too long to walk, where the answer is known in closed form.

use crate::{cron, reference, ts};

use domain::trigger::{Trigger, TriggerType, tz_database};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use reference::Around;
use schedule::{count_between, last_between, next_after};
use serde_json::json;

/// Occurrences a property walks at most; enough to cross a transition for sparse schedules.
const WALK: usize = 400;

/// How far a property looks for occurrences.
const SPAN: SignedDuration = SignedDuration::from_hours(400 * 24);

fn config(default_cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: reference::cases(default_cases),
        rng_seed: RngSeed::Fixed(reference::seed()),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Every occurrence in `(after, through]`, one `next_after` at a time.
fn walked(trigger: &Trigger, after: Timestamp, through: Timestamp) -> Vec<Timestamp> {
    let mut all = Vec::new();
    let mut at = after;
    while let Some(next) = next_after(trigger, at).filter(|next| *next <= through) {
        all.push(next);
        at = next;
    }
    all
}

/// Counting and the last few agree with the walk over `(after, through]`.
fn check(trigger: &Trigger, after: Timestamp, through: Timestamp) -> Result<(), TestCaseError> {
    let all = walked(trigger, after, through);
    prop_assert_eq!(count_between(trigger, after, through), all.len() as u64);
    for n in [0, 1, 2, 7, 101] {
        let tail = &all[all.len().saturating_sub(n)..];
        prop_assert_eq!(
            last_between(trigger, after, through, n as u64),
            tail.to_vec(),
            "n = {}",
            n
        );
    }
    Ok(())
}

/// A stretch that ends at a random point at most [`WALK`] occurrences after `start`.
fn stretch(trigger: &Trigger, start: Timestamp, cut: usize, nanos: i32) -> Timestamp {
    let mut at = start;
    for _ in 0..cut.min(WALK) {
        match next_after(trigger, at) {
            Some(next) if next <= start + SPAN => at = next,
            _ => return start + SPAN,
        }
    }
    // Sometimes just past an occurrence, sometimes exactly on it.
    at + SignedDuration::new(0, nanos)
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn cron_counts_match_walking_every_occurrence(
        expression in prop_oneof![reference::expression(), reference::near_dst_expression()],
        zone_name in prop::sample::select(reference::ZONES.to_vec()),
        around in prop_oneof![Just(Around::Transition), reference::around()],
        seed in any::<u64>(),
        nanos in prop_oneof![Just(0i32), 0i32..1_000_000_000],
        cut in 0usize..=WALK,
    ) {
        let Ok(trigger) = cron(&expression, zone_name) else {
            return Ok(());
        };
        let tz = tz_database().get(zone_name).expect("zone");
        let start = reference::start_instant(&tz, around, seed, nanos);
        let through = stretch(&trigger, start, cut, nanos / 3);
        check(&trigger, start, through)?;
    }

    #[test]
    fn interval_counts_match_walking_every_occurrence(
        every in prop_oneof![1u64..=5, 60u64..=7200],
        anchor_offset in 0i64..10_000,
        after_offset in -20_000i64..20_000,
        length in 0i64..50_000,
        end in prop::option::of(0i64..30_000),
        nanos in 0i32..1_000_000_000,
    ) {
        let anchor = ts("2030-06-01T00:00:00Z") + SignedDuration::new(anchor_offset, nanos);
        let mut config = json!({"seconds": every, "start_at": anchor.to_string()});
        if let Some(end) = end {
            config["end_at"] = json!((anchor + SignedDuration::from_secs(end)).to_string());
        }
        let trigger = Trigger::parse(TriggerType::Interval, &config).expect("interval");
        let after = anchor + SignedDuration::from_secs(after_offset);
        let through = after + SignedDuration::new(length, nanos / 2);
        // Walking is bounded by the generator: at most 50,000 / 1 occurrences.
        check(&trigger, after, through)?;
    }
}

#[test]
fn every_second_counts_every_second_of_a_year_across_both_dst_changes() {
    // A year of New York, spring gap and autumn repeat included: one firing per real second,
    // too many to walk.
    let trigger = cron("* * * * * *", "America/New_York").unwrap();
    let after = ts("2030-01-01T05:00:00Z");
    let through = ts("2031-01-01T05:00:00Z");
    assert_eq!(count_between(&trigger, after, through), 365 * 86_400);
    assert_eq!(
        last_between(&trigger, after, through, 3),
        vec![
            ts("2031-01-01T04:59:58Z"),
            ts("2031-01-01T04:59:59Z"),
            ts("2031-01-01T05:00:00Z")
        ]
    );
}

#[test]
fn fixed_time_jobs_count_once_a_day_through_gaps_and_repeats() {
    // 02:30 does not exist on 2030-03-10 (fires at the end of the gap) and happens twice on
    // 2030-11-03 (fires on the first pass only): still once every day of the year.
    let trigger = cron("0 30 2 * * *", "America/New_York").unwrap();
    let after = ts("2030-01-01T05:00:00Z");
    assert_eq!(
        count_between(&trigger, after, ts("2031-01-01T05:00:00Z")),
        365
    );
    // Lord Howe shifts by half an hour. A job every minute is not fixed-time, so it skips the
    // wall times of the gap, fires on both passes of the repeat, and so keeps to real minutes.
    let trigger = cron("0 * * * * *", "Australia/Lord_Howe").unwrap();
    let after = ts("2030-01-01T00:00:00Z");
    assert_eq!(
        count_between(&trigger, after, ts("2031-01-01T00:00:00Z")),
        365 * 1_440
    );
}

#[test]
fn a_date_trigger_counts_once_and_bounds_apply() {
    let trigger =
        Trigger::parse(TriggerType::Date, &json!({"at": "2030-01-01T00:00:00Z"})).unwrap();
    assert_eq!(
        count_between(
            &trigger,
            ts("2029-01-01T00:00:00Z"),
            ts("2031-01-01T00:00:00Z")
        ),
        1
    );
    assert_eq!(
        count_between(
            &trigger,
            ts("2030-01-01T00:00:00Z"),
            ts("2031-01-01T00:00:00Z")
        ),
        0
    );
    let trigger = Trigger::parse(
        TriggerType::Cron,
        &json!({"cron": "0 0 * * *", "start_at": "2030-01-10T00:00:00Z", "end_at": "2030-01-20T00:00:00Z"}),
    )
    .unwrap();
    assert_eq!(
        count_between(
            &trigger,
            ts("2029-01-01T00:00:00Z"),
            ts("2031-01-01T00:00:00Z")
        ),
        11
    );
}
