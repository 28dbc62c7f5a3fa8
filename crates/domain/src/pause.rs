//! Pauses that double with each failure in a row, up to a cap: how the engine's loops wait
//! after store errors, how the SQLite checkpointer waits after failed checkpoints and how the
//! supervisor waits before restarting a loop that panicked. A fault then costs neither a busy
//! loop nor a log line every few milliseconds, and work resumes soon after it goes away.

use std::time::Duration;

/// Pauses from `first`, doubling after each further failure, never longer than `longest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Doubling {
    /// The pause after a first failure.
    pub first: Duration,
    /// The longest pause, which bounds how late the work notices that the fault went away.
    pub longest: Duration,
}

impl Doubling {
    /// The pause after the `failures`th failure in a row (the first and none both give
    /// `first`).
    pub fn after(&self, failures: u32) -> Duration {
        self.first
            .saturating_mul(2_u32.saturating_pow(failures.saturating_sub(1)))
            .min(self.longest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_from_the_first_to_the_longest_and_stay_there() {
        let pause = Doubling {
            first: Duration::from_millis(100),
            longest: Duration::from_secs(4),
        };
        let pauses: Vec<u128> = (1..=8).map(|n| pause.after(n).as_millis()).collect();
        assert_eq!(pauses, [100, 200, 400, 800, 1_600, 3_200, 4_000, 4_000]);
        assert_eq!(pause.after(0), pause.first);
        assert_eq!(pause.after(u32::MAX), pause.longest, "no overflow");
    }
}
