//! Retry decisions and backoff math. Pure, so backoff schedules are tested in virtual time.

use domain::{Backoff, RetryPolicy};
use exec::{AttemptResult, Outcome};
use jiff::{SignedDuration, Timestamp};

/// The delay before attempt `attempt + 1`, after attempt `attempt` (from 1) failed: the
/// policy's delay, doubled per earlier retry when exponential, never above `max_delay_seconds`.
pub fn delay_after(policy: &RetryPolicy, attempt: u32) -> SignedDuration {
    let base = u64::from(policy.retry_delay_seconds);
    let seconds = match policy.backoff {
        Backoff::Fixed => base,
        Backoff::Exponential => {
            let doublings = attempt.saturating_sub(1).min(63);
            base.saturating_mul(1u64 << doublings)
        }
    };
    let capped = match policy.max_delay_seconds {
        Some(max) => seconds.min(u64::from(max)),
        None => seconds,
    };
    SignedDuration::from_secs(i64::try_from(capped).unwrap_or(i64::MAX))
}

/// When attempt `attempt` of `max_attempts` should be tried again, or `None` when the run ends
/// with this attempt's outcome: it succeeded or was cancelled, the failure is not retryable,
/// or the attempts are used up. A timeout is retried like a failure.
pub fn retry_at(
    policy: &RetryPolicy,
    attempt: u32,
    max_attempts: u32,
    result: &AttemptResult,
    now: Timestamp,
) -> Option<Timestamp> {
    let failed = matches!(result.outcome, Outcome::Failed | Outcome::TimedOut);
    if !failed || !result.retryable || attempt >= max_attempts {
        return None;
    }
    now.checked_add(delay_after(policy, attempt)).ok()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn policy(backoff: Backoff, delay: u32, max: Option<u32>) -> RetryPolicy {
        RetryPolicy {
            max_retries: 5,
            retry_delay_seconds: delay,
            backoff,
            max_delay_seconds: max,
        }
    }

    fn secs(n: i64) -> SignedDuration {
        SignedDuration::from_secs(n)
    }

    #[test]
    fn fixed_backoff_waits_the_same_every_time() {
        let p = policy(Backoff::Fixed, 60, None);
        for attempt in 1..=5 {
            assert_eq!(delay_after(&p, attempt), secs(60));
        }
    }

    #[test]
    fn exponential_backoff_doubles_up_to_the_cap() {
        let p = policy(Backoff::Exponential, 10, Some(50));
        let delays: Vec<_> = (1..=5).map(|a| delay_after(&p, a)).collect();
        assert_eq!(delays, [secs(10), secs(20), secs(40), secs(50), secs(50)]);
        let uncapped = policy(Backoff::Exponential, 86_400, None);
        assert!(delay_after(&uncapped, 100) > secs(0), "no overflow");
    }

    #[test]
    fn the_default_policy_retries_three_times_sixty_seconds_apart() {
        let p = RetryPolicy::default();
        let now: Timestamp = "2030-01-01T00:00:00Z".parse().unwrap();
        let failed = AttemptResult::failed("boom", None);
        let max = p.max_attempts();
        assert_eq!(max, 4);
        for attempt in 1..max {
            assert_eq!(
                retry_at(&p, attempt, max, &failed, now),
                Some(now + secs(60))
            );
        }
        assert_eq!(retry_at(&p, max, max, &failed, now), None);
    }

    #[test]
    fn only_retryable_failures_and_timeouts_are_retried() {
        let p = RetryPolicy::default();
        let now: Timestamp = "2030-01-01T00:00:00Z".parse().unwrap();
        let timed_out = AttemptResult::timed_out(Duration::from_secs(1));
        assert!(retry_at(&p, 1, 4, &timed_out, now).is_some());
        for end in [
            AttemptResult::succeeded(None),
            AttemptResult::refused("blocked"),
            AttemptResult::cancelled(),
        ] {
            assert_eq!(retry_at(&p, 1, 4, &end, now), None, "{end:?}");
        }
    }
}
