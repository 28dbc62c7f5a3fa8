//! DST behaviour of cron triggers (the rules of docs/api.md), with exact UTC instants.
//!
//! 2026 transitions used below:
//! - America/New_York: 03-08 02:00 EST -> 03:00 EDT (07:00Z); 11-01 02:00 EDT -> 01:00 EST (06:00Z).
//! - Europe/Paris: 03-29 02:00 CET -> 03:00 CEST (01:00Z); 10-25 03:00 CEST -> 02:00 CET (01:00Z).
//! - Australia/Lord_Howe (30-minute shift): 10-04 02:00 +10:30 -> 02:30 +11 (10-03 15:30Z);
//!   04-05 02:00 +11 -> 01:30 +10:30 (04-04 15:00Z).

use crate::{cron, ts};

/// The next `n` instants after `from`, each computed from the previous one.
fn fires(expression: &str, zone: &str, from: &str, n: usize) -> Vec<String> {
    let trigger = cron(expression, zone).unwrap_or_else(|e| panic!("{expression} in {zone}: {e}"));
    let mut after = ts(from);
    let mut out = Vec::new();
    for _ in 0..n {
        let next = schedule::next_after(&trigger, after).expect("cron never ends");
        assert!(next > after, "{expression}: {next} not after {after}");
        out.push(next.to_string());
        after = next;
    }
    out
}

fn next(expression: &str, zone: &str, after: &str) -> String {
    fires(expression, zone, after, 1).remove(0)
}

// ----- America/New_York ------------------------------------------------------------------------

const NY: &str = "America/New_York";

#[test]
fn new_york_fixed_time_in_the_gap_fires_once_at_the_end_of_the_gap() {
    assert_eq!(
        fires("30 2 * * *", NY, "2026-03-07T12:00:00Z", 3),
        [
            "2026-03-08T07:00:00Z",
            "2026-03-09T06:30:00Z",
            "2026-03-10T06:30:00Z"
        ]
    );
    // Seconds resolution: the same rule with a seconds field.
    assert_eq!(
        fires("45 30 2 * * *", NY, "2026-03-08T06:59:59Z", 2),
        ["2026-03-08T07:00:00Z", "2026-03-09T06:30:45Z"]
    );
}

#[test]
fn new_york_fixed_time_in_the_repeated_hour_fires_on_the_first_pass_only() {
    assert_eq!(
        fires("30 1 * * *", NY, "2026-10-31T12:00:00Z", 3),
        [
            "2026-11-01T05:30:00Z",
            "2026-11-02T06:30:00Z",
            "2026-11-03T06:30:00Z"
        ]
    );
    // From between the passes and from inside the second pass: nothing more that day.
    assert_eq!(
        next("30 1 * * *", NY, "2026-11-01T05:45:00Z"),
        "2026-11-02T06:30:00Z"
    );
    assert_eq!(
        next("30 1 * * *", NY, "2026-11-01T06:10:00Z"),
        "2026-11-02T06:30:00Z"
    );
    assert_eq!(
        next("30 1 * * *", NY, "2026-11-01T06:30:00Z"),
        "2026-11-02T06:30:00Z"
    );
    assert_eq!(
        fires("15 30 1 * * *", NY, "2026-11-01T05:00:00Z", 2),
        ["2026-11-01T05:30:15Z", "2026-11-02T06:30:15Z"]
    );
}

#[test]
fn new_york_every_15_minutes_fires_at_every_real_instant_across_both_transitions() {
    assert_eq!(
        fires("*/15 * * * *", NY, "2026-03-08T06:30:00Z", 4),
        // 01:45 EST, then 03:00 EDT: the 02:xx wall times never happen.
        [
            "2026-03-08T06:45:00Z",
            "2026-03-08T07:00:00Z",
            "2026-03-08T07:15:00Z",
            "2026-03-08T07:30:00Z"
        ]
    );
    assert_eq!(
        fires("*/15 * * * *", NY, "2026-11-01T05:30:00Z", 7),
        // 01:45 EDT, then 01:00..01:45 EST again, then 02:00 EST.
        [
            "2026-11-01T05:45:00Z",
            "2026-11-01T06:00:00Z",
            "2026-11-01T06:15:00Z",
            "2026-11-01T06:30:00Z",
            "2026-11-01T06:45:00Z",
            "2026-11-01T07:00:00Z",
            "2026-11-01T07:15:00Z",
        ]
    );
    // Starting mid-second-pass continues on the second pass.
    assert_eq!(
        next("*/15 * * * *", NY, "2026-11-01T06:20:00Z"),
        "2026-11-01T06:30:00Z"
    );
    // Starting on the first pass, with a sub-second instant.
    assert_eq!(
        next("*/15 * * * *", NY, "2026-11-01T05:45:00.5Z"),
        "2026-11-01T06:00:00Z"
    );
}

#[test]
fn new_york_hourly_skips_the_gap_and_repeats_in_the_fold() {
    assert_eq!(
        fires("0 * * * *", NY, "2026-03-08T05:30:00Z", 3),
        [
            "2026-03-08T06:00:00Z",
            "2026-03-08T07:00:00Z",
            "2026-03-08T08:00:00Z"
        ]
    );
    assert_eq!(
        fires("@hourly", NY, "2026-11-01T04:30:00Z", 3),
        [
            "2026-11-01T05:00:00Z",
            "2026-11-01T06:00:00Z",
            "2026-11-01T07:00:00Z"
        ]
    );
}

#[test]
fn new_york_lists_and_ranges_are_fixed_time_unlike_plain_croner() {
    // croner 4 would skip 2026-03-08 entirely (it treats a list as an interval job).
    assert_eq!(
        fires("0,30 2 * * *", NY, "2026-03-07T12:00:00Z", 3),
        [
            "2026-03-08T07:00:00Z",
            "2026-03-09T06:00:00Z",
            "2026-03-09T06:30:00Z"
        ]
    );
    // croner 4 would fire 01:00 twice on 2026-11-01.
    assert_eq!(
        fires("0 1,2 * * *", NY, "2026-10-31T12:00:00Z", 3),
        [
            "2026-11-01T05:00:00Z",
            "2026-11-01T07:00:00Z",
            "2026-11-02T06:00:00Z"
        ]
    );
    // 02:00 falls in the gap and lands on 03:00, which also matches: one run.
    assert_eq!(
        fires("0 2-3 * * *", NY, "2026-03-07T12:00:00Z", 3),
        [
            "2026-03-08T07:00:00Z",
            "2026-03-09T06:00:00Z",
            "2026-03-09T07:00:00Z"
        ]
    );
}

#[test]
fn new_york_steps_after_a_first_value_are_fixed_time_as_in_vixie_cron() {
    // `0-30/10 2 * * *`: the hour and minute fields do not start with `*`, so the four runs of
    // the skipped 02:00-02:30 collapse into one right after the gap, like a plain `0 2 * * *`.
    assert_eq!(
        fires("0-30/10 2 * * *", NY, "2026-03-08T00:00:00Z", 3),
        [
            "2026-03-08T07:00:00Z",
            "2026-03-09T06:00:00Z",
            "2026-03-09T06:10:00Z"
        ]
    );
    // And the repeated 01:00-01:30 runs on its first pass only.
    assert_eq!(
        fires("0-30/10 1 * * *", NY, "2026-11-01T04:59:00Z", 5),
        [
            "2026-11-01T05:00:00Z",
            "2026-11-01T05:10:00Z",
            "2026-11-01T05:20:00Z",
            "2026-11-01T05:30:00Z",
            "2026-11-02T06:00:00Z"
        ]
    );
}

#[test]
fn new_york_the_seconds_field_does_not_make_a_job_frequent() {
    // Every 20 s during 02:30 local is fixed-time (Vixie looks at minute and hour only): once
    // after the gap, and on the first pass of the repeated hour only.
    assert_eq!(
        fires("*/20 30 2 * * *", NY, "2026-03-08T00:00:00Z", 2),
        ["2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"]
    );
    assert_eq!(
        fires("*/20 30 1 * * *", NY, "2026-11-01T05:00:00Z", 4),
        [
            "2026-11-01T05:30:00Z",
            "2026-11-01T05:30:20Z",
            "2026-11-01T05:30:40Z",
            "2026-11-02T06:30:00Z",
        ]
    );
    // A starred minute field makes it frequent: both passes, nothing in the gap.
    assert_eq!(
        fires("0 * 1 * * *", NY, "2026-11-01T05:58:00Z", 3),
        [
            "2026-11-01T05:59:00Z",
            "2026-11-01T06:00:00Z",
            "2026-11-01T06:01:00Z",
        ]
    );
    assert_eq!(
        next("0 * 2 * * *", NY, "2026-03-08T00:00:00Z"),
        "2026-03-09T06:00:00Z"
    );
}

// ----- Europe/Paris ----------------------------------------------------------------------------

const PARIS: &str = "Europe/Paris";

#[test]
fn paris_fixed_time_in_the_gap_and_in_the_repeated_hour() {
    assert_eq!(
        fires("30 2 * * *", PARIS, "2026-03-28T12:00:00Z", 2),
        ["2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"]
    );
    assert_eq!(
        fires("30 2 * * *", PARIS, "2026-10-24T12:00:00Z", 2),
        ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"]
    );
    assert_eq!(
        next("30 2 * * *", PARIS, "2026-10-25T01:10:00Z"),
        "2026-10-26T01:30:00Z"
    );
}

#[test]
fn paris_every_15_minutes_across_both_transitions() {
    assert_eq!(
        fires("*/15 * * * *", PARIS, "2026-03-29T00:30:00Z", 3),
        [
            "2026-03-29T00:45:00Z",
            "2026-03-29T01:00:00Z",
            "2026-03-29T01:15:00Z"
        ]
    );
    assert_eq!(
        fires("*/15 * * * *", PARIS, "2026-10-25T00:30:00Z", 6),
        [
            "2026-10-25T00:45:00Z",
            "2026-10-25T01:00:00Z",
            "2026-10-25T01:15:00Z",
            "2026-10-25T01:30:00Z",
            "2026-10-25T01:45:00Z",
            "2026-10-25T02:00:00Z",
        ]
    );
}

// ----- Australia/Lord_Howe ---------------------------------------------------------------------

const LORD_HOWE: &str = "Australia/Lord_Howe";

#[test]
fn lord_howe_fixed_time_in_the_half_hour_gap() {
    // 02:15 does not exist; the gap ends at 02:30 +11 = 15:30Z.
    assert_eq!(
        fires("15 2 * * *", LORD_HOWE, "2026-10-03T12:00:00Z", 2),
        ["2026-10-03T15:30:00Z", "2026-10-04T15:15:00Z"]
    );
    // 02:30 exists (it is the first wall time after the gap).
    assert_eq!(
        next("30 2 * * *", LORD_HOWE, "2026-10-03T12:00:00Z"),
        "2026-10-03T15:30:00Z"
    );
}

#[test]
fn lord_howe_fixed_time_in_the_repeated_half_hour() {
    // 01:45 happens at 14:45Z (+11) and again at 15:15Z (+10:30); only the first runs.
    assert_eq!(
        fires("45 1 * * *", LORD_HOWE, "2026-04-04T12:00:00Z", 2),
        ["2026-04-04T14:45:00Z", "2026-04-05T15:15:00Z"]
    );
    assert_eq!(
        next("45 1 * * *", LORD_HOWE, "2026-04-04T15:05:00Z"),
        "2026-04-05T15:15:00Z"
    );
}

#[test]
fn lord_howe_every_15_minutes_across_both_transitions() {
    assert_eq!(
        fires("*/15 * * * *", LORD_HOWE, "2026-10-03T15:00:00Z", 3),
        // 01:45 +10:30, then 02:30 +11 (02:00 and 02:15 never happen).
        [
            "2026-10-03T15:15:00Z",
            "2026-10-03T15:30:00Z",
            "2026-10-03T15:45:00Z"
        ]
    );
    assert_eq!(
        fires("*/15 * * * *", LORD_HOWE, "2026-04-04T14:30:00Z", 4),
        // 01:45 +11, 01:30 +10:30, 01:45 +10:30, 02:00 +10:30.
        [
            "2026-04-04T14:45:00Z",
            "2026-04-04T15:00:00Z",
            "2026-04-04T15:15:00Z",
            "2026-04-04T15:30:00Z"
        ]
    );
}

// ----- zones without DST and the bundled database ----------------------------------------------

#[test]
fn kolkata_and_utc_have_no_surprises() {
    assert_eq!(
        fires("0 9 * * *", "Asia/Kolkata", "2026-03-08T00:00:00Z", 2),
        ["2026-03-08T03:30:00Z", "2026-03-09T03:30:00Z"]
    );
    assert_eq!(
        fires("0 0 29 2 *", "UTC", "2026-01-01T00:00:00Z", 2),
        ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"]
    );
}
