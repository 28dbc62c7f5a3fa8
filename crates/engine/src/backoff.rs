//! Waiting after store errors. A database outage must cost neither a busy loop nor a log line
//! every few milliseconds, and the engine must resume soon after the cause goes away: the wait
//! doubles from [`FIRST`] up to [`LONGEST`], and a success starts over.

use std::time::Duration;

/// The wait after a first error.
const FIRST: Duration = Duration::from_millis(100);
/// The longest wait, which bounds how late a loop notices that the store works again.
const LONGEST: Duration = Duration::from_secs(4);

/// The growing wait of one loop between its failed store calls.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    next: Duration,
    failures: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            next: FIRST,
            failures: 0,
        }
    }
}

impl Backoff {
    /// Records a failure; how long to wait before trying again.
    pub(crate) fn failed(&mut self) -> Duration {
        let wait = self.next;
        self.next = (self.next * 2).min(LONGEST);
        self.failures = self.failures.saturating_add(1);
        wait
    }

    /// Records a success: the next failure waits [`FIRST`] again. Returns how many failures
    /// came before it, so a loop can say once that it recovered.
    pub(crate) fn succeeded(&mut self) -> u32 {
        std::mem::take(self).failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap_and_a_success_starts_over() {
        let mut backoff = Backoff::default();
        let waits: Vec<_> = (0..8).map(|_| backoff.failed().as_millis()).collect();
        assert_eq!(waits, [100, 200, 400, 800, 1600, 3200, 4000, 4000]);
        assert_eq!(backoff.succeeded(), 8);
        assert_eq!(backoff.failed(), FIRST);
        assert_eq!(backoff.succeeded(), 1);
        assert_eq!(backoff.succeeded(), 0);
    }
}
