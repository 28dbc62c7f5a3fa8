//! The timing index: the next occurrences of active tasks, kept in memory so the firing loop
//! sleeps until exactly the earliest one and asks the database only when it must.
//!
//! It holds a window, never every task: the earliest [`WINDOW`] instants, loaded from the
//! database and kept current by the firings themselves (each reports the next occurrences of
//! the tasks it advanced). The database stays the truth: the index only decides when to look,
//! so a stale instant costs one firing that finds nothing, and a missing one is bounded by the
//! reload every `max_idle`, after any task change and whenever the window is used up.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};

/// Instants one load brings in.
pub(crate) const WINDOW: u32 = 1024;

/// Upcoming `next_run_at` instants, complete up to a horizon.
#[derive(Debug, Default)]
pub(crate) struct TimingIndex {
    /// Instant → how many tasks fall due then.
    instants: BTreeMap<Timestamp, u32>,
    /// Every active task due before this instant is in `instants`; `None`: every active task
    /// is. A load that filled its window ends there, since the tasks after it were not read.
    horizon: Option<Timestamp>,
    /// Whether the next look must reload (never loaded, or tasks changed).
    stale: bool,
}

impl TimingIndex {
    /// An index that loads at its first use.
    pub(crate) fn new() -> Self {
        Self {
            stale: true,
            ..Self::default()
        }
    }

    /// Replaces the contents with `upcoming`, the earliest `limit` instants, earliest first.
    pub(crate) fn load(&mut self, upcoming: &[Timestamp], limit: u32) {
        self.instants.clear();
        for at in upcoming {
            *self.instants.entry(*at).or_default() += 1;
        }
        self.horizon = if upcoming.len() >= limit as usize {
            upcoming.last().copied()
        } else {
            None
        };
        self.stale = false;
    }

    /// Tasks were created, changed, started, stopped or deleted: reload before trusting it.
    pub(crate) fn invalidate(&mut self) {
        self.stale = true;
    }

    /// Whether it must be reloaded before it can say what is due at `now`.
    pub(crate) fn needs_load(&self, now: Timestamp) -> bool {
        self.stale || self.horizon.is_some_and(|h| h <= now)
    }

    /// Whether an occurrence is due at `now`.
    pub(crate) fn is_due(&self, now: Timestamp) -> bool {
        self.instants
            .first_key_value()
            .is_some_and(|(at, _)| *at <= now)
    }

    /// How many tasks it expects due at `now`.
    pub(crate) fn due_count(&self, now: Timestamp) -> u64 {
        self.instants
            .range(..=now)
            .map(|(_, n)| u64::from(*n))
            .sum()
    }

    /// When to look next: the earliest instant, or the horizon where the window runs out.
    pub(crate) fn wake_at(&self) -> Option<Timestamp> {
        let first = self.instants.first_key_value().map(|(at, _)| *at);
        match (first, self.horizon) {
            (Some(a), Some(h)) => Some(a.min(h)),
            (a, h) => a.or(h),
        }
    }

    /// A firing at `now` fired everything due: drops the instants up to `now`, then adds the
    /// fired tasks' next occurrences.
    pub(crate) fn fired_all(&mut self, now: Timestamp, next: &[Timestamp]) {
        match now.checked_add(SignedDuration::from_nanos(1)) {
            Ok(after) => self.instants = self.instants.split_off(&after),
            Err(_) => self.instants.clear(),
        }
        self.fired_some(next);
    }

    /// A firing filled its batch, so more may still be due: adds the fired tasks' next
    /// occurrences and keeps the due instants. One past the horizon is left for the load that
    /// extends the window.
    pub(crate) fn fired_some(&mut self, next: &[Timestamp]) {
        for at in next {
            if self.horizon.is_none_or(|h| *at < h) {
                *self.instants.entry(*at).or_default() += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_millisecond(ms).unwrap()
    }

    #[test]
    fn it_wakes_at_the_earliest_instant_and_follows_the_firings() {
        let mut index = TimingIndex::new();
        assert!(index.needs_load(at(0)), "a new index loads first");
        index.load(&[at(100), at(100), at(250)], WINDOW);
        assert!(!index.needs_load(at(0)));
        assert_eq!(index.wake_at(), Some(at(100)));
        assert!(!index.is_due(at(99)), "never early");
        assert!(index.is_due(at(100)));
        assert_eq!(index.due_count(at(100)), 2);
        assert_eq!(index.due_count(at(250)), 3);
        index.fired_all(at(100), &[at(1_100), at(1_100)]);
        assert_eq!(index.wake_at(), Some(at(250)));
        index.fired_all(at(260), &[at(1_250)]);
        assert_eq!(index.wake_at(), Some(at(1_100)));
        index.fired_all(at(1_100), &[]);
        assert_eq!(index.wake_at(), Some(at(1_250)));
        index.fired_all(at(1_250), &[]);
        assert_eq!(index.wake_at(), None, "nothing left: sleep until woken");
    }

    #[test]
    fn a_full_window_ends_at_its_last_instant() {
        let mut index = TimingIndex::new();
        index.load(&[at(10), at(20), at(30)], 3);
        assert_eq!(index.wake_at(), Some(at(10)));
        // A task advanced past the horizon is not kept: tasks between the horizon and it were
        // never read, so the window must be reloaded there anyway.
        index.fired_all(at(20), &[at(40)]);
        assert_eq!(index.wake_at(), Some(at(30)));
        assert!(!index.needs_load(at(29)));
        assert!(
            index.needs_load(at(30)),
            "the window is used up at its horizon"
        );
    }

    #[test]
    fn a_firing_that_leaves_a_task_due_keeps_it_due() {
        let mut index = TimingIndex::new();
        index.load(&[at(10), at(10)], WINDOW);
        // A full batch fired one of the two; the other is still due.
        index.fired_some(&[at(1_010)]);
        assert!(index.is_due(at(10)));
        // fire_all catching up: the next occurrence is already past.
        index.fired_all(at(50), &[at(40)]);
        assert!(index.is_due(at(50)));
        index.fired_all(at(50), &[]);
        assert_eq!(index.wake_at(), Some(at(1_010)));
    }

    #[test]
    fn a_change_forces_a_reload() {
        let mut index = TimingIndex::new();
        index.load(&[], WINDOW);
        assert_eq!(index.wake_at(), None);
        assert!(!index.needs_load(at(0)));
        index.invalidate();
        assert!(index.needs_load(at(0)));
    }
}
