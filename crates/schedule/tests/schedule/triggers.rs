//! Interval anchoring, start/end windows, date one-shots, jitter and previews.

use crate::ts;

use domain::trigger::{Trigger, TriggerType};
use jiff::SignedDuration;
use schedule::{Occurrence, jitter, next_after, preview};
use serde_json::{Value, json};
use uuid::Uuid;

fn trigger(trigger_type: TriggerType, config: Value) -> Trigger {
    Trigger::parse(trigger_type, &config).unwrap_or_else(|e| panic!("{config}: {e}"))
}

fn next(t: &Trigger, after: &str) -> Option<String> {
    next_after(t, ts(after)).map(|n| n.to_string())
}

// ----- interval -------------------------------------------------------------------------------

#[test]
fn interval_fires_on_the_anchor_grid_strictly_after() {
    let t = trigger(
        TriggerType::Interval,
        json!({"seconds": 300, "start_at": "2030-01-01T00:00:00Z"}),
    );
    // Before the anchor: the anchor itself (k = 0).
    assert_eq!(
        next(&t, "2029-12-01T00:00:00Z").as_deref(),
        Some("2030-01-01T00:00:00Z")
    );
    assert_eq!(
        next(&t, "2029-12-31T23:59:59.999999999Z").as_deref(),
        Some("2030-01-01T00:00:00Z")
    );
    // Strictly after.
    assert_eq!(
        next(&t, "2030-01-01T00:00:00Z").as_deref(),
        Some("2030-01-01T00:05:00Z")
    );
    assert_eq!(
        next(&t, "2030-01-01T00:04:59.5Z").as_deref(),
        Some("2030-01-01T00:05:00Z")
    );
    // Never drifting: late callers land back on the grid.
    assert_eq!(
        next(&t, "2030-01-01T00:16:40Z").as_deref(),
        Some("2030-01-01T00:20:00Z")
    );
    assert_eq!(
        next(&t, "2031-01-01T00:00:00Z").as_deref(),
        Some("2031-01-01T00:05:00Z")
    );
}

#[test]
fn interval_keeps_the_anchors_sub_second_phase() {
    let t = trigger(
        TriggerType::Interval,
        json!({"seconds": 1, "start_at": "2030-01-01T00:00:00.25Z"}),
    );
    assert_eq!(
        next(&t, "2030-01-01T00:00:10Z").as_deref(),
        Some("2030-01-01T00:00:10.25Z")
    );
}

#[test]
fn interval_anchored_at_creation_first_fires_one_period_later() {
    let created = ts("2030-05-05T10:00:07Z");
    let t = trigger(TriggerType::Interval, json!({"seconds": 60})).anchored_at(created);
    assert_eq!(next_after(&t, created), Some(ts("2030-05-05T10:01:07Z")));
    assert_eq!(
        next(&t, "2030-05-05T11:00:00Z").as_deref(),
        Some("2030-05-05T11:00:07Z")
    );
    // Unanchored intervals count from `after`.
    let loose = trigger(TriggerType::Interval, json!({"seconds": 60}));
    assert_eq!(
        next_after(&loose, created),
        Some(ts("2030-05-05T10:01:07Z"))
    );
}

#[test]
fn interval_of_ten_years_does_not_overflow() {
    let t = trigger(
        TriggerType::Interval,
        json!({"seconds": 315_360_000, "start_at": "2030-01-01T00:00:00Z"}),
    );
    assert_eq!(
        next(&t, "2030-01-01T00:00:00Z").as_deref(),
        Some("2039-12-30T00:00:00Z")
    );
    let late = trigger(
        TriggerType::Interval,
        json!({"seconds": 315_360_000, "start_at": "9995-01-01T00:00:00Z"}),
    );
    assert_eq!(next(&late, "9995-01-01T00:00:00Z"), None);
}

// ----- windows --------------------------------------------------------------------------------

#[test]
fn start_at_is_inclusive_and_end_at_is_inclusive() {
    let t = trigger(
        TriggerType::Cron,
        json!({"cron": "0 * * * *", "start_at": "2030-01-01T05:00:00Z", "end_at": "2030-01-01T07:00:00Z"}),
    );
    assert_eq!(
        next(&t, "2029-06-01T00:00:00Z").as_deref(),
        Some("2030-01-01T05:00:00Z")
    );
    assert_eq!(
        next(&t, "2030-01-01T05:00:00Z").as_deref(),
        Some("2030-01-01T06:00:00Z")
    );
    assert_eq!(
        next(&t, "2030-01-01T06:00:00Z").as_deref(),
        Some("2030-01-01T07:00:00Z")
    );
    assert_eq!(next(&t, "2030-01-01T07:00:00Z"), None);

    // A start_at between grid points: the first occurrence at or after it.
    let t = trigger(
        TriggerType::Cron,
        json!({"cron": "0 * * * *", "start_at": "2030-01-01T05:00:01Z"}),
    );
    assert_eq!(
        next(&t, "2029-06-01T00:00:00Z").as_deref(),
        Some("2030-01-01T06:00:00Z")
    );
}

#[test]
fn interval_window_ends() {
    let t = trigger(
        TriggerType::Interval,
        json!({"seconds": 3600, "start_at": "2030-01-01T00:00:00Z", "end_at": "2030-01-01T02:30:00Z"}),
    );
    let got: Vec<_> = preview(&t, ts("2029-01-01T00:00:00Z"), 10)
        .into_iter()
        .map(|o| o.at.to_string())
        .collect();
    assert_eq!(
        got,
        [
            "2030-01-01T00:00:00Z",
            "2030-01-01T01:00:00Z",
            "2030-01-01T02:00:00Z"
        ]
    );
}

// ----- date -------------------------------------------------------------------------------------

#[test]
fn date_fires_once_strictly_after() {
    let t = trigger(TriggerType::Date, json!({"at": "2030-01-01T00:00:00Z"}));
    assert_eq!(
        next(&t, "2029-12-31T23:59:59Z").as_deref(),
        Some("2030-01-01T00:00:00Z")
    );
    assert_eq!(next(&t, "2030-01-01T00:00:00Z"), None);
    assert_eq!(next(&t, "2031-01-01T00:00:00Z"), None);
    assert_eq!(preview(&t, ts("2020-01-01T00:00:00Z"), 5).len(), 1);
}

// ----- jitter ------------------------------------------------------------------------------------

#[test]
fn jitter_is_deterministic_and_pinned() {
    let task = Uuid::parse_str("0190f7a2-7c3e-7d4b-9a51-2f6a1c0e8b33").expect("uuid");
    let at = ts("2030-01-01T00:00:00Z");
    assert_eq!(jitter(task, at, 60), jitter(task, at, 60));
    // Pinned: changing the hash would move every node's schedule at an upgrade.
    assert_eq!(jitter(task, at, 60), SignedDuration::from_millis(PINNED_60));
    assert_eq!(
        jitter(task, at, 3600),
        SignedDuration::from_millis(PINNED_3600)
    );
    assert_eq!(jitter(task, at, 0), SignedDuration::ZERO);
    // Depends on both inputs.
    assert_ne!(jitter(task, at, 3600), jitter(Uuid::nil(), at, 3600));
    assert_ne!(
        jitter(task, at, 3600),
        jitter(task, ts("2030-01-01T00:01:00Z"), 3600)
    );
}

/// Computed independently (Python: FNV-1a-64 over the documented bytes, SplitMix64, modulo).
const PINNED_60: i64 = 44_401;
const PINNED_3600: i64 = 81_634;

#[test]
fn jitter_stays_in_range_at_millisecond_resolution_and_spreads() {
    let at = ts("2030-01-01T00:00:00Z");
    for jitter_seconds in [1u32, 7, 3600] {
        let max = SignedDuration::from_secs(i64::from(jitter_seconds));
        let mut distinct = std::collections::BTreeSet::new();
        for i in 0..2000u128 {
            let d = jitter(
                Uuid::from_u128(i * 0x9e37_79b9_7f4a_7c15),
                at,
                jitter_seconds,
            );
            assert!(
                d >= SignedDuration::ZERO && d <= max,
                "{d:?} outside [0, {max:?}]"
            );
            assert_eq!(
                d.subsec_nanos() % 1_000_000,
                0,
                "{d:?} not whole milliseconds"
            );
            distinct.insert(d.as_millis());
        }
        // 2000 draws from 1001+ values: a healthy hash yields many distinct ones.
        assert!(
            distinct.len() > 500,
            "{jitter_seconds}: only {} distinct values",
            distinct.len()
        );
        // Both halves of the range are used.
        let half = i128::from(jitter_seconds) * 500;
        assert!(distinct.iter().any(|&ms| ms < half) && distinct.iter().any(|&ms| ms > half));
    }
}

// ----- preview ----------------------------------------------------------------------------------

#[test]
fn preview_returns_count_occurrences_with_local_times_and_dst_flags() {
    let t = trigger(
        TriggerType::Cron,
        json!({"cron": "30 2 * * *", "timezone": "America/New_York"}),
    );
    let got = preview(&t, ts("2026-03-06T12:00:00Z"), 3);
    assert_eq!(
        got,
        [
            Occurrence {
                at: ts("2026-03-07T07:30:00Z"),
                local: "2026-03-07T02:30:00-05:00[America/New_York]".into(),
                utc_offset: "-05:00".into(),
                dst_transition_day: false,
            },
            Occurrence {
                at: ts("2026-03-08T07:00:00Z"),
                local: "2026-03-08T03:00:00-04:00[America/New_York]".into(),
                utc_offset: "-04:00".into(),
                dst_transition_day: true,
            },
            Occurrence {
                at: ts("2026-03-09T06:30:00Z"),
                local: "2026-03-09T02:30:00-04:00[America/New_York]".into(),
                utc_offset: "-04:00".into(),
                dst_transition_day: false,
            },
        ]
    );
    assert_eq!(
        serde_json::to_value(&got[1]).expect("serialize"),
        json!({
            "at": "2026-03-08T07:00:00Z",
            "local": "2026-03-08T03:00:00-04:00[America/New_York]",
            "utc_offset": "-04:00",
            "dst_transition_day": true,
        })
    );
}

#[test]
fn preview_flags_fall_back_days_and_half_hour_offsets() {
    let t = trigger(
        TriggerType::Cron,
        json!({"cron": "0 23 * * *", "timezone": "Australia/Lord_Howe"}),
    );
    let got = preview(&t, ts("2026-04-03T00:00:00Z"), 4);
    let flags: Vec<_> = got
        .iter()
        .map(|o| (o.utc_offset.as_str(), o.dst_transition_day))
        .collect();
    // 04-03 and 04-04 23:00 +11, 04-05 23:00 +10:30 (fell back at 02:00 that day), 04-06.
    assert_eq!(
        flags,
        [
            ("+11:00", false),
            ("+11:00", false),
            ("+10:30", true),
            ("+10:30", false)
        ]
    );
    assert_eq!(
        got[2].local,
        "2026-04-05T23:00:00+10:30[Australia/Lord_Howe]"
    );
    let kolkata = trigger(
        TriggerType::Cron,
        json!({"cron": "@daily", "timezone": "Asia/Kolkata"}),
    );
    assert_eq!(
        preview(&kolkata, ts("2026-01-01T00:00:00Z"), 1)[0].utc_offset,
        "+05:30"
    );
}

#[test]
fn preview_respects_count_and_the_cap() {
    let t = trigger(TriggerType::Cron, json!({"cron": "* * * * *"}));
    let from = ts("2030-01-01T00:00:30Z");
    assert!(preview(&t, from, 0).is_empty());
    let got = preview(&t, from, 5);
    assert_eq!(got.len(), 5);
    assert_eq!(got[0].at, ts("2030-01-01T00:01:00Z"));
    assert_eq!(got[4].at, ts("2030-01-01T00:05:00Z"));
    assert!(
        got.iter().all(|o| o.utc_offset == "+00:00"
            && !o.dst_transition_day
            && o.local.ends_with("[UTC]"))
    );
    assert_eq!(preview(&t, from, usize::MAX).len(), schedule::MAX_PREVIEW);
}

#[test]
fn sparse_expressions_are_found_without_scanning_minutes() {
    // 2000 leap days: a minute-by-minute scan would take ~10^9 steps.
    let t = trigger(
        TriggerType::Cron,
        json!({"cron": "0 0 29 2 *", "timezone": "Europe/Paris"}),
    );
    let got = preview(&t, ts("2001-01-01T00:00:00Z"), 200);
    assert_eq!(got.len(), 200);
    assert_eq!(got[0].at, ts("2004-02-28T23:00:00Z"));
    // 2100 is not a leap year.
    assert!(got.iter().all(|o| !o.local.starts_with("2100-")));
}

#[test]
fn day_fields_follow_vixie_cron() {
    let day = |expression: &str| {
        let t = trigger(
            TriggerType::Cron,
            json!({"cron": expression, "timezone": "UTC"}),
        );
        preview(&t, ts("2027-02-27T00:00:00Z"), 5)
            .into_iter()
            .map(|o| o.at.to_string()[..10].to_owned())
            .collect::<Vec<_>>()
    };
    // `*/2` starts with `*`: Mondays that fall on odd days.
    assert_eq!(
        day("0 0 */2 * 1"),
        [
            "2027-03-01",
            "2027-03-15",
            "2027-03-29",
            "2027-04-05",
            "2027-04-19"
        ]
    );
    // Neither field starts with `*`: the 1st, the 15th and every Monday.
    assert_eq!(
        day("0 0 1,15 * 1"),
        [
            "2027-03-01",
            "2027-03-08",
            "2027-03-15",
            "2027-03-22",
            "2027-03-29"
        ]
    );
}
