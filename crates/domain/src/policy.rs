//! Per-task execution policies: retries, overlap, misfire.

use serde::{Deserialize, Serialize};

use crate::ValidationErrors;

/// How the delay between attempts grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backoff {
    /// The same delay before every retry.
    #[default]
    Fixed,
    /// The delay doubles with every retry, up to `max_delay_seconds`.
    Exponential,
}

/// How often and how far apart a failed run is tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = no retry).
    #[serde(default = "default_max_retries")]
    pub max_retries: u32,
    /// Delay before the first retry.
    #[serde(default = "default_retry_delay")]
    pub retry_delay_seconds: u32,
    /// Fixed or exponential growth of the delay.
    #[serde(default)]
    pub backoff: Backoff,
    /// Upper bound of any single delay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_delay_seconds: Option<u32>,
}

/// Most retries a task may ask for.
pub const MAX_RETRIES: u32 = 100;
/// Longest delay between attempts: one day.
pub const MAX_RETRY_DELAY_SECONDS: u32 = 86_400;

fn default_max_retries() -> u32 {
    3
}
fn default_retry_delay() -> u32 {
    60
}

impl Default for RetryPolicy {
    /// The original design's retries: three, sixty seconds apart.
    fn default() -> Self {
        Self {
            max_retries: default_max_retries(),
            retry_delay_seconds: default_retry_delay(),
            backoff: Backoff::Fixed,
            max_delay_seconds: None,
        }
    }
}

impl RetryPolicy {
    /// Checks the ranges serde cannot express.
    pub fn validate(self) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.max_retries > MAX_RETRIES {
            errors.push("max_retries", format!("must be at most {MAX_RETRIES}"));
        }
        if self.retry_delay_seconds > MAX_RETRY_DELAY_SECONDS {
            errors.push(
                "retry_delay_seconds",
                format!("must be at most {MAX_RETRY_DELAY_SECONDS}"),
            );
        }
        match self.max_delay_seconds {
            Some(max) if max > MAX_RETRY_DELAY_SECONDS => errors.push(
                "max_delay_seconds",
                format!("must be at most {MAX_RETRY_DELAY_SECONDS}"),
            ),
            Some(max) if max < self.retry_delay_seconds => errors.push(
                "max_delay_seconds",
                "must not be less than retry_delay_seconds",
            ),
            _ => {}
        }
        errors.into_result(|| self)
    }

    /// Total attempts a run may take (first try plus retries).
    pub fn max_attempts(self) -> u32 {
        self.max_retries + 1
    }
}

/// What happens when an occurrence comes due while a run of the same task is still running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverlapPolicy {
    /// Record the new occurrence as skipped (reason `overlap`).
    #[default]
    Skip,
    /// Run both at once.
    Allow,
    /// Keep at most one occurrence waiting; skip the rest.
    QueueOne,
    /// Cancel the running one and start the new one.
    Replace,
}

/// What happens to occurrences missed by more than the grace period (downtime, backlog).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MisfirePolicy {
    /// Run the most recent missed occurrence once; the others are skipped (`misfire`).
    #[default]
    FireOnce,
    /// Skip every missed occurrence.
    Skip,
    /// Run every missed occurrence, at most [`FIRE_ALL_CAP`] of them.
    FireAll,
}

/// Most missed occurrences `fire_all` runs after an outage; the rest are skipped.
pub const FIRE_ALL_CAP: u32 = 100;

/// Default grace before a late occurrence counts as missed.
pub const DEFAULT_MISFIRE_GRACE_SECONDS: u32 = 60;

macro_rules! snake_case_str {
    ($ty:ty { $($variant:ident => $s:literal),* $(,)? }) => {
        impl $ty {
            /// The snake_case name used in JSON and the database.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $s),* }
            }
        }

        impl std::str::FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($s => Ok(Self::$variant),)*
                    other => Err(format!(
                        "unknown value {other:?}; expected one of: {}",
                        [$($s),*].join(", ")
                    )),
                }
            }
        }
    };
}
pub(crate) use snake_case_str;

snake_case_str!(Backoff { Fixed => "fixed", Exponential => "exponential" });
snake_case_str!(OverlapPolicy { Skip => "skip", Allow => "allow", QueueOne => "queue_one", Replace => "replace" });
snake_case_str!(MisfirePolicy { FireOnce => "fire_once", Skip => "skip", FireAll => "fire_all" });
