//! `POST /preview` against the schedule crate and the independent cron reference, on random
//! expressions in every zone the reference covers (`SUNDIAL_CRON_CASES` runs more).

#[path = "../../../schedule/tests/reference/mod.rs"]
mod reference;

use jiff::{SignedDuration, Timestamp};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngSeed, TestRunner};
use reqwest::Method;
use serde_json::json;

use store::test_support::Database;

use crate::helpers::TestApp;

const COUNT: usize = 6;

#[tokio::test]
async fn preview_agrees_with_the_schedule_crate_and_the_reference() {
    let app = TestApp::spawn(Database::Sqlite).await;
    let mut runner = TestRunner::new(Config {
        rng_seed: RngSeed::Fixed(reference::seed()),
        ..Config::default()
    });
    let cases = (
        reference::expression(),
        proptest::sample::select(reference::ZONES.to_vec()),
        reference::around(),
        proptest::arbitrary::any::<u64>(),
    );
    for _ in 0..reference::cases(60) {
        let (expression, zone, around, seed) = cases.new_tree(&mut runner).unwrap().current();
        let tz = domain::trigger::tz_database().get(zone).unwrap();
        let from = reference::start_instant(&tz, around, seed, 0);
        let config = json!({"cron": expression, "timezone": zone});
        let context = format!("{expression:?} in {zone} from {from}");
        let Ok(trigger) = domain::Trigger::parse(domain::TriggerType::Cron, &config) else {
            // "Never matches" is refused the same way; the schedule tests cover the message.
            let reply = app
                .call(
                    1,
                    Method::POST,
                    "/preview",
                    Some(json!({
                        "trigger_type": "cron", "trigger_config": config, "from": from.to_string(),
                    })),
                )
                .await;
            assert_eq!(reply.fields(), ["trigger_config.cron"], "{context}");
            continue;
        };
        let reply = app.call(1, Method::POST, "/preview", Some(json!({
            "trigger_type": "cron", "trigger_config": config, "from": from.to_string(), "count": COUNT,
        }))).await.expect(200);
        let expected = serde_json::to_value(schedule::preview(&trigger, from, COUNT)).unwrap();
        assert_eq!(reply["occurrences"], expected, "{context}");

        let limit = from + SignedDuration::from_hours(30 * 366 * 24);
        let firings = reference::Reference::parse(&expression).firings(&tz, from, COUNT, limit);
        let previewed: Vec<Timestamp> = reply["occurrences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["at"].as_str().unwrap().parse().unwrap())
            .collect();
        assert_eq!(previewed[..firings.len()], firings[..], "{context}");
        assert!(
            previewed[firings.len()..].iter().all(|&at| at > limit),
            "{context}"
        );
    }
}
