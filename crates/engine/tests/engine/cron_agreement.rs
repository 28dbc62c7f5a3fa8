//! What the engine fires for cron tasks in virtual time, against the independent reference, on
//! random expressions from instants just before DST changes in random zones.

#[path = "../../../schedule/tests/reference/mod.rs"]
mod reference;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngSeed, TestRunner};
use reference::{Around, Reference};

use super::*;

/// Tasks per group; every group shares one engine, zone and start instant.
const TASKS: usize = 3;
/// Occurrences followed per task.
const FIRINGS: usize = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cron_tasks_fire_when_the_reference_says_across_dst_changes() {
    let mut runner = TestRunner::new(Config {
        rng_seed: RngSeed::Fixed(reference::seed()),
        ..Config::default()
    });
    let group = (
        proptest::sample::select(reference::ZONES.to_vec()),
        proptest::arbitrary::any::<u64>(),
        proptest::collection::vec(
            proptest::prop_oneof![3 => reference::near_dst_expression(), 1 => reference::expression()],
            TASKS,
        ),
    );
    // A tenth as many groups as the other properties have cases: each is three engine tasks.
    for _ in 0..reference::cases(40) / 10 {
        let (zone, seed, expressions) = group.new_tree(&mut runner).unwrap().current();
        let tz = domain::trigger::tz_database().get(zone).unwrap();
        let start = reference::start_instant(&tz, Around::Transition, seed, 0);
        let limit = start + SignedDuration::from_hours(50);

        let mut h = Harness::new(Script::Succeed).await;
        h.clock.set(start);
        let mut tasks = Vec::new();
        for (i, expression) in expressions.iter().enumerate() {
            let expected = Reference::parse(expression).firings(&tz, start, FIRINGS, limit);
            let mut config = json!({"cron": expression, "timezone": zone});
            if expected.len() == FIRINGS {
                // The task ends with the last occurrence followed.
                config["end_at"] = json!(expected[FIRINGS - 1].to_string());
            }
            let Ok(trigger) = Trigger::parse(TriggerType::Cron, &config) else {
                continue;
            };
            let mut task = h
                .task_with(
                    &format!("cron-{i}"),
                    RetryPolicy::default(),
                    trigger.clone(),
                    domain::MisfirePolicy::FireOnce,
                )
                .await;
            // `task_with` schedules from t0; move the first occurrence to the group's start.
            task.next_run_at = schedule::next_after(&trigger, start);
            h.set_active(&task, false, None, start).await;
            h.set_active(&task, true, task.next_run_at, start).await;
            tasks.push((task, expression, expected));
        }
        h.start();

        // Stop at every expected instant and at the end: each task must have fired exactly
        // its expected occurrences up to there, no more, no fewer.
        let mut stops: Vec<Timestamp> = tasks.iter().flat_map(|(_, _, e)| e.clone()).collect();
        stops.push(limit);
        stops.sort();
        stops.dedup();
        for stop in stops {
            h.clock.set(stop);
            for (task, expression, expected) in &tasks {
                let due = expected.iter().filter(|&&at| at <= stop).count();
                let what = format!("{expression:?} in {zone} from {start}: {due} runs by {stop}");
                h.until(task, &what, |runs| {
                    runs.len() == due && runs.iter().all(|r| r.status == RunStatus::Succeeded)
                })
                .await;
            }
        }
        for (task, expression, expected) in &tasks {
            let mut runs = h.runs(task).await;
            runs.sort_by_key(|r| r.scheduled_for);
            let fired: Vec<Timestamp> = runs.iter().map(|r| r.scheduled_for).collect();
            assert_eq!(&fired, expected, "{expression:?} in {zone} from {start}");
        }
        h.stop().await;
    }
}
