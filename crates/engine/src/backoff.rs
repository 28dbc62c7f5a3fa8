//! Waiting after store errors. A database outage must cost neither a busy loop nor a log line
//! every few milliseconds, and the engine must resume soon after the cause goes away: the wait
//! doubles from 100 ms up to 4 s ([`PAUSES`]), and a success starts over.

use std::time::Duration;

use domain::Doubling;

/// The waits of a loop between its failed store calls: the longest bounds how late a loop
/// notices that the store works again.
const PAUSES: Doubling = Doubling {
    first: Duration::from_millis(100),
    longest: Duration::from_secs(4),
};

/// The growing wait of one loop between its failed store calls.
#[derive(Debug, Clone, Default)]
pub(crate) struct Backoff {
    failures: u32,
}

impl Backoff {
    /// Records a failure; how long to wait before trying again.
    pub(crate) fn failed(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        PAUSES.after(self.failures)
    }

    /// Records a success: the next failure waits the first pause again. Returns how many
    /// failures came before it, so a loop can say once that it recovered.
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
        assert_eq!(backoff.failed(), PAUSES.first);
        assert_eq!(backoff.succeeded(), 1);
        assert_eq!(backoff.succeeded(), 0);
    }
}
