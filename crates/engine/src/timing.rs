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
///
/// Occurrences are fired up to `lead` ahead of their instant (their runs wait queued until
/// it). The loop looks when the earliest is half the lead away and then fires everything
/// within the whole lead, so instants spread over time cost one firing per half lead, not one
/// each. A task that is busy then (a run of it queued or running) is not fired ahead, since its
/// overlap policy must look at it at its instant: its instant is kept as a recheck, looked at
/// when it comes.
#[derive(Debug, Default)]
pub(crate) struct TimingIndex {
    /// How far ahead of its instant an occurrence is fired.
    lead: SignedDuration,
    /// Instant → how many tasks fall due then.
    instants: BTreeMap<Timestamp, u32>,
    /// Instants inside the lead that a firing left unfired (busy tasks), looked at when due.
    rechecks: BTreeMap<Timestamp, u32>,
    /// Every active task due before this instant is in `instants`; `None`: every active task
    /// is. A load that filled its window ends there, since the tasks after it were not read.
    horizon: Option<Timestamp>,
    /// Whether the next look must reload (never loaded, or tasks changed).
    stale: bool,
}

impl TimingIndex {
    /// An index that loads at its first use and fires occurrences `lead` ahead.
    pub(crate) fn new(lead: SignedDuration) -> Self {
        Self {
            lead,
            stale: true,
            ..Self::default()
        }
    }

    /// Replaces the contents with `upcoming`, the earliest `limit` instants, earliest first.
    pub(crate) fn load(&mut self, upcoming: &[Timestamp], limit: u32) {
        self.instants.clear();
        self.rechecks.clear();
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

    /// How far ahead a firing at `now` reaches.
    pub(crate) fn ahead(&self, now: Timestamp) -> Timestamp {
        now.saturating_add(self.lead).unwrap_or(now)
    }

    /// Whether it must be reloaded before it can say what is due at `now`.
    pub(crate) fn needs_load(&self, now: Timestamp) -> bool {
        self.stale || self.horizon.is_some_and(|h| h <= self.ahead(now))
    }

    /// Where an instant makes the loop look: half the lead before it.
    fn look_at(&self, at: Timestamp) -> Timestamp {
        at.saturating_sub(self.lead / 2).unwrap_or(at)
    }

    /// Whether a firing at `now` has something to do: an occurrence within half the lead, or
    /// a recheck that came due.
    pub(crate) fn is_due(&self, now: Timestamp) -> bool {
        self.instants
            .first_key_value()
            .is_some_and(|(at, _)| self.look_at(*at) <= now)
            || self
                .rechecks
                .first_key_value()
                .is_some_and(|(at, _)| *at <= now)
    }

    /// How many tasks it expects a firing at `now` to fire.
    pub(crate) fn due_count(&self, now: Timestamp) -> u64 {
        let sum = |map: &BTreeMap<Timestamp, u32>, until: Timestamp| -> u64 {
            map.range(..=until).map(|(_, n)| u64::from(*n)).sum()
        };
        sum(&self.instants, self.ahead(now)) + sum(&self.rechecks, now)
    }

    /// When to look next: half the lead before the earliest instant, at the earliest recheck,
    /// or where the window runs out.
    pub(crate) fn wake_at(&self) -> Option<Timestamp> {
        [
            self.instants
                .first_key_value()
                .map(|(at, _)| self.look_at(*at)),
            self.rechecks.first_key_value().map(|(at, _)| *at),
            self.horizon
                .map(|h| h.saturating_sub(self.lead).unwrap_or(h)),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// A firing at `now` fired everything due and, of the occurrences within the lead, the
    /// ones at `fired_ahead`: the rest within the lead become rechecks, then the fired tasks'
    /// next occurrences are added.
    pub(crate) fn fired_all(
        &mut self,
        now: Timestamp,
        fired_ahead: &[Timestamp],
        next: &[Timestamp],
    ) {
        self.forget(fired_ahead);
        let after = |at: Timestamp| at.checked_add(SignedDuration::from_nanos(1)).ok();
        self.rechecks = match after(now) {
            Some(after) => self.rechecks.split_off(&after),
            None => BTreeMap::new(),
        };
        let ahead = match after(self.ahead(now)) {
            Some(after) => {
                let later = self.instants.split_off(&after);
                std::mem::replace(&mut self.instants, later)
            }
            None => std::mem::take(&mut self.instants),
        };
        for (at, n) in ahead.range(after(now).unwrap_or(now)..) {
            *self.rechecks.entry(*at).or_default() += n;
        }
        self.fired_some(&[], next);
    }

    /// Drops occurrences that were fired ahead: they are not due again.
    fn forget(&mut self, fired_ahead: &[Timestamp]) {
        for at in fired_ahead {
            if let Some(n) = self.instants.get_mut(at) {
                *n -= 1;
                if *n == 0 {
                    self.instants.remove(at);
                }
            }
        }
    }

    /// A firing filled its batch, so more may still be due: drops the occurrences it fired
    /// ahead, adds the fired tasks' next occurrences and keeps the due instants. One past the
    /// horizon is left for the load that extends the window.
    pub(crate) fn fired_some(&mut self, fired_ahead: &[Timestamp], next: &[Timestamp]) {
        self.forget(fired_ahead);
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
        let mut index = TimingIndex::new(SignedDuration::ZERO);
        assert!(index.needs_load(at(0)), "a new index loads first");
        index.load(&[at(100), at(100), at(250)], WINDOW);
        assert!(!index.needs_load(at(0)));
        assert_eq!(index.wake_at(), Some(at(100)));
        assert!(!index.is_due(at(99)), "never early");
        assert!(index.is_due(at(100)));
        assert_eq!(index.due_count(at(100)), 2);
        assert_eq!(index.due_count(at(250)), 3);
        index.fired_all(at(100), &[], &[at(1_100), at(1_100)]);
        assert_eq!(index.wake_at(), Some(at(250)));
        index.fired_all(at(260), &[], &[at(1_250)]);
        assert_eq!(index.wake_at(), Some(at(1_100)));
        index.fired_all(at(1_100), &[], &[]);
        assert_eq!(index.wake_at(), Some(at(1_250)));
        index.fired_all(at(1_250), &[], &[]);
        assert_eq!(index.wake_at(), None, "nothing left: sleep until woken");
    }

    #[test]
    fn a_full_window_ends_at_its_last_instant() {
        let mut index = TimingIndex::new(SignedDuration::ZERO);
        index.load(&[at(10), at(20), at(30)], 3);
        assert_eq!(index.wake_at(), Some(at(10)));
        // A task advanced past the horizon is not kept: tasks between the horizon and it were
        // never read, so the window must be reloaded there anyway.
        index.fired_all(at(20), &[], &[at(40)]);
        assert_eq!(index.wake_at(), Some(at(30)));
        assert!(!index.needs_load(at(29)));
        assert!(
            index.needs_load(at(30)),
            "the window is used up at its horizon"
        );
    }

    #[test]
    fn a_firing_that_leaves_a_task_due_keeps_it_due() {
        let mut index = TimingIndex::new(SignedDuration::ZERO);
        index.load(&[at(10), at(10)], WINDOW);
        // A full batch fired one of the two; the other is still due.
        index.fired_some(&[], &[at(1_010)]);
        assert!(index.is_due(at(10)));
        // fire_all catching up: the next occurrence is already past.
        index.fired_all(at(50), &[], &[at(40)]);
        assert!(index.is_due(at(50)));
        index.fired_all(at(50), &[], &[]);
        assert_eq!(index.wake_at(), Some(at(1_010)));
    }

    #[test]
    fn it_looks_a_lead_ahead_and_rechecks_busy_tasks_at_their_instant() {
        let mut index = TimingIndex::new(SignedDuration::from_millis(500));
        index.load(&[at(1_000), at(1_000), at(1_000), at(2_000)], WINDOW);
        assert_eq!(index.wake_at(), Some(at(750)), "half a lead ahead");
        assert!(!index.is_due(at(749)));
        assert!(index.is_due(at(750)));
        assert_eq!(
            index.due_count(at(750)),
            3,
            "a firing reaches a whole lead ahead"
        );
        // A full batch fired one ahead; the next fired another, and the third was busy: it
        // waits for its instant.
        index.fired_some(&[at(1_000)], &[at(2_000)]);
        assert_eq!(index.due_count(at(750)), 2);
        index.fired_all(at(750), &[at(1_000)], &[at(2_000)]);
        assert!(
            !index.is_due(at(999)),
            "the busy one is looked at when it comes"
        );
        assert_eq!(index.wake_at(), Some(at(1_000)));
        assert!(index.is_due(at(1_000)));
        assert_eq!(index.due_count(at(1_000)), 1);
        index.fired_all(at(1_000), &[], &[at(2_000)]);
        assert_eq!(index.wake_at(), Some(at(1_750)));
        assert_eq!(index.due_count(at(1_750)), 4);
        // Instants spread over time: one look fires a whole lead of them.
        let mut spread = TimingIndex::new(SignedDuration::from_millis(500));
        let instants: Vec<_> = (0..1_000).map(|i| at(1_000 + i)).collect();
        spread.load(&instants, WINDOW);
        assert_eq!(spread.wake_at(), Some(at(750)));
        assert_eq!(spread.due_count(at(750)), 251);
        spread.fired_all(at(750), &instants[..251], &[]);
        assert_eq!(
            spread.wake_at(),
            Some(at(1_001)),
            "the next look is half a lead on"
        );
    }

    #[test]
    fn a_change_forces_a_reload() {
        let mut index = TimingIndex::new(SignedDuration::ZERO);
        index.load(&[], WINDOW);
        assert_eq!(index.wake_at(), None);
        assert!(!index.needs_load(at(0)));
        index.invalidate();
        assert!(index.needs_load(at(0)));
    }
}
