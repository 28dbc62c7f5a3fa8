//! Misfire and overlap decisions: what a due task's occurrences become in the ledger.
//!
//! Pure functions of (task, live runs, now), so every rule is tested in virtual time without a
//! database. The store calls [`Planner`] inside the firing transaction.

use domain::policy::FIRE_ALL_CAP;
use domain::{MisfirePolicy, OverlapPolicy, RunTrigger, SkipReason, Task};
use jiff::{SignedDuration, Timestamp};
use store::{DueTask, FirePlan, FirePlanner, PlannedRun};

/// The engine's [`FirePlanner`]: the misfire and overlap policies of docs/api.md.
#[derive(Debug, Default, Clone, Copy)]
pub struct Planner;

impl FirePlanner for Planner {
    fn plan(&self, due: &DueTask, now: Timestamp) -> FirePlan {
        plan(due, now)
    }
}

/// The occurrences of a task due at some instant, as the misfire policy leaves them.
#[derive(Debug, Clone, PartialEq)]
pub struct DueOccurrences {
    /// The missed occurrences the misfire policy skips, counted rather than listed: the first,
    /// the last and how many.
    pub misfired: Option<(Timestamp, Timestamp, u64)>,
    /// The occurrences to run, in order: missed ones the policy keeps (as catch-up runs), then
    /// the ones within the grace (as scheduled).
    pub runs: Vec<(Timestamp, RunTrigger)>,
    /// The first occurrence after the instant.
    pub next: Option<Timestamp>,
}

/// The occurrences of `task` due at `now`, after its misfire policy, from `stored`, its
/// `next_run_at`.
///
/// The stored `next_run_at` is the first occurrence truncated to milliseconds; the true
/// instant is recovered by searching from just before it, and every later occurrence is
/// computed from the previous scheduled instant, never from `now`, so nothing drifts. Missed
/// occurrences (later than the grace) are counted, not visited: after a day down an
/// every-second task has 86,400, and the policy keeps at most [`FIRE_ALL_CAP`] of them.
pub fn due_occurrences(task: &Task, stored: Timestamp, now: Timestamp) -> DueOccurrences {
    let trigger = &task.definition.trigger;
    let mut due = DueOccurrences {
        misfired: None,
        runs: Vec::new(),
        next: None,
    };
    let before = stored
        .checked_sub(SignedDuration::from_nanos(1))
        .unwrap_or(stored);
    let grace = SignedDuration::from_secs(i64::from(task.definition.misfire_grace_seconds));
    // Missed: due more than the grace before `now`.
    let missed_through = now
        .checked_sub(grace)
        .and_then(|t| t.checked_sub(SignedDuration::from_nanos(1)))
        .unwrap_or(before);
    let missed = schedule::count_between(trigger, before, missed_through);
    let mut last = before;
    if missed > 0 {
        let keep = match task.definition.misfire_policy {
            MisfirePolicy::FireOnce => 1,
            MisfirePolicy::Skip => 0,
            // The most recent ones, so a long outage runs what is freshest.
            MisfirePolicy::FireAll => u64::from(FIRE_ALL_CAP),
        }
        .min(missed);
        // The kept ones and the skipped one before them.
        let tail = schedule::last_between(trigger, before, missed_through, keep + 1);
        let (skipped, kept) = tail.split_at(tail.len() - keep as usize);
        if let (Some(until), Some(first)) = (skipped.last(), schedule::next_after(trigger, before))
        {
            due.misfired = Some((first, *until, missed - keep));
        }
        due.runs
            .extend(kept.iter().map(|at| (*at, RunTrigger::CatchUp)));
        last = tail.last().copied().unwrap_or(before);
    }
    let mut next = schedule::next_after(trigger, last);
    while let Some(at) = next.filter(|at| *at <= now) {
        due.runs.push((at, RunTrigger::Schedule));
        next = schedule::next_after(trigger, at);
    }
    due.next = next;
    due
}

/// The plan for a due task at `now`: misfire policy first, then the overlap policy over the
/// runs it leaves, counting the task's live runs and the ones queued by this plan.
pub fn plan(due: &DueTask, now: Timestamp) -> FirePlan {
    let task = &due.task;
    let occurrences = due_occurrences(task, due.next_run_at, now);
    let mut queued = due.queued;
    let running = due.running;
    let mut replace_live_runs = false;
    let mut decided: Vec<(Timestamp, Result<RunTrigger, SkipReason>)> = Vec::new();
    let last_run = occurrences.runs.len().saturating_sub(1);
    for (i, (at, trigger)) in occurrences.runs.iter().enumerate() {
        let outcome = match task.definition.overlap_policy {
            OverlapPolicy::Allow => Ok(*trigger),
            OverlapPolicy::Skip if queued + running > 0 => Err(SkipReason::Overlap),
            OverlapPolicy::Skip => Ok(*trigger),
            OverlapPolicy::QueueOne if queued > 0 => Err(SkipReason::Overlap),
            OverlapPolicy::QueueOne => Ok(*trigger),
            // Only the newest occurrence of the batch survives; the older ones would be
            // replaced before they could start.
            OverlapPolicy::Replace if i < last_run => Err(SkipReason::Overlap),
            OverlapPolicy::Replace => {
                replace_live_runs = queued + running > 0;
                Ok(*trigger)
            }
        };
        if outcome.is_ok() {
            queued += 1;
        }
        decided.push((*at, outcome));
    }
    let misfired = occurrences
        .misfired
        .map(|(first, until, count)| PlannedRun {
            trigger: RunTrigger::Schedule,
            scheduled_for: first,
            scheduled_until: (count > 1).then_some(until),
            occurrences: i64::try_from(count).unwrap_or(i64::MAX),
            skip: Some(SkipReason::Misfire),
            not_before: first,
        });
    FirePlan {
        runs: misfired
            .into_iter()
            .chain(collapse(task, decided))
            .collect(),
        next_run_at: occurrences.next,
        replace_live_runs,
    }
}

/// Ledger rows: one per run, one per stretch of consecutive skips with the same reason.
fn collapse(
    task: &Task,
    decided: Vec<(Timestamp, Result<RunTrigger, SkipReason>)>,
) -> Vec<PlannedRun> {
    let jitter = task.definition.trigger.jitter_seconds;
    let mut rows: Vec<PlannedRun> = Vec::new();
    for (at, outcome) in decided {
        match outcome {
            Ok(trigger) => rows.push(PlannedRun {
                trigger,
                scheduled_for: at,
                scheduled_until: None,
                occurrences: 1,
                skip: None,
                not_before: at
                    .checked_add(schedule::jitter(task.uuid.0, at, jitter))
                    .unwrap_or(at),
            }),
            Err(reason) => match rows.last_mut() {
                Some(last) if last.skip == Some(reason) => {
                    last.scheduled_until = Some(at);
                    last.occurrences += 1;
                }
                _ => rows.push(PlannedRun {
                    trigger: RunTrigger::Schedule,
                    scheduled_for: at,
                    scheduled_until: None,
                    occurrences: 1,
                    skip: Some(reason),
                    not_before: at,
                }),
            },
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use domain::{
        RetryPolicy, TaskCode, TaskConfig, TaskDefinition, TaskName, TaskType, TaskUuid, TenantId,
        Trigger, TriggerType,
    };
    use serde_json::{Value, json};

    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    fn secs(n: i64) -> SignedDuration {
        SignedDuration::from_secs(n)
    }

    /// A task on `trigger` with the given policies, due at `next`.
    fn task(
        trigger_type: TriggerType,
        config: Value,
        misfire: MisfirePolicy,
        overlap: OverlapPolicy,
        next: Timestamp,
    ) -> Task {
        let t0 = ts("2030-01-01T00:00:00Z");
        Task {
            uuid: TaskUuid::new_v7(),
            tenant: TenantId::new(1).expect("positive"),
            definition: TaskDefinition {
                name: TaskName::parse("t").expect("name"),
                code: TaskCode::parse("t").expect("code"),
                description: None,
                trigger: Trigger::parse(trigger_type, &config).expect("trigger"),
                config: TaskConfig::parse(TaskType::ApiCall, &json!({"url": "https://x.test/"}))
                    .expect("config"),
                is_active: true,
                retry_policy: RetryPolicy::default(),
                timeout_seconds: 30,
                overlap_policy: overlap,
                misfire_policy: misfire,
                misfire_grace_seconds: 60,
            },
            inngest_function_id: String::new(),
            is_running: false,
            next_run_at: Some(next),
            last_run_at: None,
            last_run_status: None,
            last_error: None,
            last_run_duration_ms: None,
            recent_outcomes: Vec::new(),
            version: 1,
            created_at: t0,
            updated_at: t0,
            created_by: "a".into(),
            updated_by: "a".into(),
            schedule_notice: None,
        }
    }

    /// Every second from 2030-01-01T00:00:00Z.
    fn every_second(misfire: MisfirePolicy, overlap: OverlapPolicy) -> Task {
        task(
            TriggerType::Interval,
            json!({"seconds": 1, "start_at": "2030-01-01T00:00:00Z"}),
            misfire,
            overlap,
            ts("2030-01-01T00:00:00Z"),
        )
    }

    fn due(task: Task, queued: u32, running: u32) -> DueTask {
        DueTask {
            next_run_at: task.next_run_at.expect("a due task has a next occurrence"),
            task: std::sync::Arc::new(task),
            queued,
            running,
        }
    }

    fn summary(plan: &FirePlan) -> Vec<(String, i64)> {
        plan.runs
            .iter()
            .map(|r| {
                let kind = match r.skip {
                    Some(reason) => format!("skip:{}", reason.as_str()),
                    None => r.trigger.as_str().to_owned(),
                };
                (kind, r.occurrences)
            })
            .collect()
    }

    const T0: &str = "2030-01-01T00:00:00Z";

    #[test]
    fn nothing_is_due_before_the_instant() {
        let t = every_second(MisfirePolicy::FireOnce, OverlapPolicy::Skip);
        let plan = plan(&due(t, 0, 0), ts(T0) - SignedDuration::from_millis(1));
        assert!(plan.runs.is_empty());
        assert_eq!(plan.next_run_at, Some(ts(T0)));
    }

    #[test]
    fn an_on_time_occurrence_is_queued_and_the_next_follows_the_schedule() {
        let t = every_second(MisfirePolicy::FireOnce, OverlapPolicy::Skip);
        let now = ts(T0) + SignedDuration::from_millis(3);
        let plan = plan(&due(t, 0, 0), now);
        assert_eq!(summary(&plan), [("schedule".into(), 1)]);
        assert_eq!(plan.runs[0].scheduled_for, ts(T0));
        assert_eq!(plan.runs[0].not_before, ts(T0));
        assert_eq!(plan.next_run_at, Some(ts(T0) + secs(1)));
        assert!(!plan.replace_live_runs);
    }

    #[test]
    fn a_truncated_stored_instant_finds_its_true_occurrence() {
        let anchor = ts("2030-01-01T00:00:00.000700Z");
        let mut t = task(
            TriggerType::Interval,
            json!({"seconds": 1, "start_at": "2030-01-01T00:00:00.000700Z"}),
            MisfirePolicy::FireOnce,
            OverlapPolicy::Allow,
            ts(T0),
        );
        // The store keeps milliseconds: the instant was truncated on the way in.
        t.next_run_at = Some(ts(T0));
        let early = plan(
            &due(t.clone(), 0, 0),
            ts(T0) + SignedDuration::from_nanos(500_000),
        );
        assert!(early.runs.is_empty(), "never early: {early:?}");
        assert_eq!(early.next_run_at, Some(anchor));
        let on_time = plan(&due(t, 0, 0), anchor);
        assert_eq!(on_time.runs[0].scheduled_for, anchor);
        assert_eq!(on_time.next_run_at, Some(anchor + secs(1)));
    }

    #[test]
    fn late_within_the_grace_runs_every_occurrence_as_scheduled() {
        let t = every_second(MisfirePolicy::Skip, OverlapPolicy::Allow);
        let plan = plan(&due(t, 0, 0), ts(T0) + secs(5));
        assert_eq!(summary(&plan), vec![("schedule".to_owned(), 1); 6]);
        assert_eq!(plan.next_run_at, Some(ts(T0) + secs(6)));
    }

    #[test]
    fn fire_once_runs_the_latest_missed_and_collapses_the_rest() {
        let t = every_second(MisfirePolicy::FireOnce, OverlapPolicy::Allow);
        // Down for 300 s: occurrences 0..=300; 0..=239 are later than the 60 s grace.
        let plan = plan(&due(t, 0, 0), ts(T0) + secs(300));
        let s = summary(&plan);
        assert_eq!(s[0], ("skip:misfire".into(), 239));
        assert_eq!(s[1], ("catch_up".into(), 1));
        assert_eq!(s.len(), 2 + 61);
        assert!(s[2..].iter().all(|r| r.0 == "schedule"));
        assert_eq!(plan.runs[0].scheduled_for, ts(T0));
        assert_eq!(plan.runs[0].scheduled_until, Some(ts(T0) + secs(238)));
        assert_eq!(plan.runs[1].scheduled_for, ts(T0) + secs(239));
        let total: i64 = plan.runs.iter().map(|r| r.occurrences).sum();
        assert_eq!(total, 301, "every occurrence accounted for");
    }

    #[test]
    fn skip_collapses_every_missed_occurrence() {
        let t = every_second(MisfirePolicy::Skip, OverlapPolicy::Allow);
        let plan = plan(&due(t, 0, 0), ts(T0) + secs(300));
        let s = summary(&plan);
        assert_eq!(s[0], ("skip:misfire".into(), 240));
        assert_eq!(s.len(), 1 + 61);
    }

    #[test]
    fn fire_all_runs_at_most_the_cap_most_recent_missed() {
        let t = every_second(MisfirePolicy::FireAll, OverlapPolicy::Allow);
        let plan = plan(&due(t, 0, 0), ts(T0) + secs(300));
        let s = summary(&plan);
        assert_eq!(s[0], ("skip:misfire".into(), 240 - i64::from(FIRE_ALL_CAP)));
        let catch_up = s.iter().filter(|r| r.0 == "catch_up").count();
        assert_eq!(catch_up, FIRE_ALL_CAP as usize);
        assert_eq!(plan.runs[1].scheduled_for, ts(T0) + secs(140));

        let few = every_second(MisfirePolicy::FireAll, OverlapPolicy::Allow);
        let plan = super::plan(&due(few, 0, 0), ts(T0) + secs(65));
        let s = summary(&plan);
        assert_eq!(s.iter().filter(|r| r.0 == "catch_up").count(), 5);
        assert!(s.iter().all(|r| !r.0.starts_with("skip")));
    }

    #[test]
    fn overlap_skip_skips_while_a_run_is_live() {
        let t = every_second(MisfirePolicy::FireOnce, OverlapPolicy::Skip);
        let busy = plan(&due(t.clone(), 0, 1), ts(T0));
        assert_eq!(summary(&busy), [("skip:overlap".into(), 1)]);
        let waiting = plan(&due(t.clone(), 1, 0), ts(T0));
        assert_eq!(summary(&waiting), [("skip:overlap".into(), 1)]);
        // Three due at once with nothing live: the first runs, the others overlap it.
        let burst = plan(&due(t, 0, 0), ts(T0) + secs(2));
        assert_eq!(
            summary(&burst),
            [("schedule".into(), 1), ("skip:overlap".into(), 2)]
        );
        assert_eq!(burst.runs[1].scheduled_until, Some(ts(T0) + secs(2)));
    }

    #[test]
    fn overlap_allow_queues_everything() {
        let t = every_second(MisfirePolicy::FireOnce, OverlapPolicy::Allow);
        let plan = plan(&due(t, 3, 5), ts(T0) + secs(1));
        assert_eq!(summary(&plan), vec![("schedule".to_owned(), 1); 2]);
    }

    #[test]
    fn overlap_queue_one_buffers_one_behind_a_running_run() {
        let t = every_second(MisfirePolicy::FireOnce, OverlapPolicy::QueueOne);
        let running = plan(&due(t.clone(), 0, 1), ts(T0) + secs(2));
        assert_eq!(
            summary(&running),
            [("schedule".into(), 1), ("skip:overlap".into(), 2)]
        );
        let full = plan(&due(t, 1, 1), ts(T0));
        assert_eq!(summary(&full), [("skip:overlap".into(), 1)]);
    }

    #[test]
    fn overlap_replace_queues_the_newest_and_replaces_live_runs() {
        let t = every_second(MisfirePolicy::FireOnce, OverlapPolicy::Replace);
        let plan = plan(&due(t.clone(), 0, 1), ts(T0) + secs(2));
        assert_eq!(
            summary(&plan),
            [("skip:overlap".into(), 2), ("schedule".into(), 1)]
        );
        assert_eq!(plan.runs[1].scheduled_for, ts(T0) + secs(2));
        assert!(plan.replace_live_runs);
        let idle = super::plan(&due(t, 0, 0), ts(T0));
        assert!(!idle.replace_live_runs);
        assert_eq!(summary(&idle), [("schedule".into(), 1)]);
    }

    #[test]
    fn a_date_task_fires_once_then_is_finished() {
        let at = ts("2030-06-01T12:00:00Z");
        let t = task(
            TriggerType::Date,
            json!({"at": "2030-06-01T12:00:00Z"}),
            MisfirePolicy::FireOnce,
            OverlapPolicy::Skip,
            at,
        );
        let plan = plan(&due(t, 0, 0), at + secs(1));
        assert_eq!(summary(&plan), [("schedule".into(), 1)]);
        assert_eq!(plan.next_run_at, None);
    }

    #[test]
    fn a_date_task_missed_beyond_the_grace_follows_the_misfire_policy() {
        let at = ts("2030-06-01T12:00:00Z");
        let mk = |m| {
            task(
                TriggerType::Date,
                json!({"at": "2030-06-01T12:00:00Z"}),
                m,
                OverlapPolicy::Skip,
                at,
            )
        };
        let late = at + secs(3600);
        assert_eq!(
            summary(&plan(&due(mk(MisfirePolicy::FireOnce), 0, 0), late)),
            [("catch_up".into(), 1)]
        );
        assert_eq!(
            summary(&plan(&due(mk(MisfirePolicy::Skip), 0, 0), late)),
            [("skip:misfire".into(), 1)]
        );
    }

    #[test]
    fn end_at_stops_the_occurrences_and_finishes_the_task() {
        let t = task(
            TriggerType::Interval,
            json!({"seconds": 1, "start_at": T0, "end_at": "2030-01-01T00:00:02Z"}),
            MisfirePolicy::FireOnce,
            OverlapPolicy::Allow,
            ts(T0),
        );
        let plan = plan(&due(t, 0, 0), ts(T0) + secs(10));
        assert_eq!(summary(&plan), vec![("schedule".to_owned(), 1); 3]);
        assert_eq!(plan.next_run_at, None);
    }

    #[test]
    fn jitter_delays_the_start_deterministically_never_early() {
        let t = task(
            TriggerType::Interval,
            json!({"seconds": 60, "start_at": T0, "jitter_seconds": 30}),
            MisfirePolicy::FireOnce,
            OverlapPolicy::Allow,
            ts(T0),
        );
        let a = plan(&due(t.clone(), 0, 0), ts(T0));
        let b = plan(&due(t.clone(), 0, 0), ts(T0));
        assert_eq!(a, b);
        let run = &a.runs[0];
        assert_eq!(run.scheduled_for, ts(T0));
        assert!(run.not_before >= run.scheduled_for);
        assert!(run.not_before <= run.scheduled_for + secs(30));
        assert_eq!(
            run.not_before,
            ts(T0) + schedule::jitter(t.uuid.0, ts(T0), 30)
        );
    }

    #[test]
    fn cron_occurrences_follow_the_zone_across_a_dst_gap() {
        // 02:30 does not exist in New York on 2030-03-10; it fires once, at 03:00 EDT.
        let t = task(
            TriggerType::Cron,
            json!({"cron": "30 2 * * *", "timezone": "America/New_York"}),
            MisfirePolicy::FireAll,
            OverlapPolicy::Allow,
            ts("2030-03-09T07:30:00Z"),
        );
        let due = due_occurrences(&t, ts("2030-03-09T07:30:00Z"), ts("2030-03-11T12:00:00Z"));
        let at: Vec<Timestamp> = due.runs.iter().map(|(at, _)| *at).collect();
        assert_eq!(
            at,
            [
                ts("2030-03-09T07:30:00Z"),
                ts("2030-03-10T07:00:00Z"),
                ts("2030-03-11T06:30:00Z")
            ]
        );
        assert_eq!(due.next, Some(ts("2030-03-12T06:30:00Z")));
    }

    #[test]
    fn a_day_down_is_counted_into_one_misfire_row_per_policy() {
        // 86,400 occurrences at 2030-01-01T00:00:00..2030-01-02T00:00:00 (inclusive) are due at
        // the end of the day; the 60 s grace leaves the last 61 on time.
        let now = ts(T0) + secs(86_400);
        let missed = 86_401 - 61;
        let row = |plan: &FirePlan| plan.runs[0].clone();

        let skip = plan(
            &due(
                every_second(MisfirePolicy::Skip, OverlapPolicy::Allow),
                0,
                0,
            ),
            now,
        );
        assert_eq!(row(&skip).occurrences, missed);
        assert_eq!(row(&skip).scheduled_for, ts(T0));
        assert_eq!(row(&skip).scheduled_until, Some(ts(T0) + secs(missed - 1)));
        assert_eq!(summary(&skip)[1..], vec![("schedule".to_owned(), 1); 61]);
        assert_eq!(skip.next_run_at, Some(now + secs(1)));

        let once = every_second(MisfirePolicy::FireOnce, OverlapPolicy::Allow);
        let once = plan(&due(once, 0, 0), now);
        assert_eq!(row(&once).occurrences, missed - 1);
        assert_eq!(row(&once).scheduled_until, Some(ts(T0) + secs(missed - 2)));
        assert_eq!(once.runs[1].trigger, RunTrigger::CatchUp);
        assert_eq!(once.runs[1].scheduled_for, ts(T0) + secs(missed - 1));

        let all = every_second(MisfirePolicy::FireAll, OverlapPolicy::Allow);
        let all = plan(&due(all, 0, 0), now);
        let cap = i64::from(FIRE_ALL_CAP);
        assert_eq!(row(&all).occurrences, missed - cap);
        let catch_up: Vec<Timestamp> = all.runs[1..=FIRE_ALL_CAP as usize]
            .iter()
            .map(|r| r.scheduled_for)
            .collect();
        let expected: Vec<Timestamp> = (missed - cap..missed).map(|s| ts(T0) + secs(s)).collect();
        assert_eq!(catch_up, expected);
        let occurrences: i64 = all.runs.iter().map(|r| r.occurrences).sum();
        assert_eq!(occurrences, 86_401);
    }
}
