//! Per-tenant quotas the API enforces: how many live tasks a tenant may have, how often its
//! tasks may fire and how long their runs may take. (The engine enforces the fair shares of
//! workers and sandboxes, at claim.)

use domain::trigger::TriggerKind;
use domain::{TaskDefinition, TenantId, ValidationErrors};
use jiff::Timestamp;
use store::TaskQuery;

use crate::{ApiError, AppState};

/// Occurrences looked at to find a cron expression's shortest gap.
const GAP_SAMPLE: usize = 10;

/// The deployment's per-tenant limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenantQuotas {
    /// Most live (not deleted) tasks per tenant; `None`: no limit.
    pub max_tasks: Option<u32>,
    /// Shortest time between two occurrences of a task, in seconds.
    pub min_interval_seconds: u64,
    /// Largest `timeout_seconds` a task may be saved with.
    pub max_timeout_seconds: u32,
}

impl Default for TenantQuotas {
    fn default() -> Self {
        Self {
            max_tasks: None,
            min_interval_seconds: 1,
            max_timeout_seconds: 3600,
        }
    }
}

impl TenantQuotas {
    /// Whether `tenant` may create `adding` more tasks: 429 when it would exceed its quota.
    /// Concurrent creates on several nodes may overshoot it by the tasks in flight.
    pub(crate) async fn check_room(
        &self,
        state: &AppState,
        tenant: TenantId,
        adding: usize,
    ) -> Result<(), ApiError> {
        let Some(limit) = self.max_tasks else {
            return Ok(());
        };
        let query = TaskQuery {
            page: 1,
            page_size: 1,
            ..TaskQuery::default()
        };
        let live = state.store.list_tasks(tenant, &query).await?.total;
        if live.saturating_add(adding as u64) > u64::from(limit) {
            return Err(ApiError::TaskQuota { limit });
        }
        Ok(())
    }

    /// Whether `definition` keeps the deployment's limits: its timeout always (a task saved
    /// before the maximum was lowered must come within it at its next edit), how often it
    /// fires when `trigger_changed`. A 422 naming each field that does not.
    pub(crate) fn check_limits(
        &self,
        definition: &TaskDefinition,
        now: Timestamp,
        trigger_changed: bool,
    ) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if trigger_changed {
            errors.collect(self.check_interval(definition, now));
        }
        errors.collect(self.check_timeout(definition));
        errors.into_result(|| ())
    }

    fn check_timeout(&self, definition: &TaskDefinition) -> Result<(), ValidationErrors> {
        let max = self.max_timeout_seconds;
        if definition.timeout_seconds > max {
            return Err(ValidationErrors::one(
                "timeout_seconds",
                format!("must be at most {max} seconds on this deployment"),
            ));
        }
        Ok(())
    }

    /// Whether `definition` fires no more often than the quota allows: an interval shorter
    /// than the minimum, or a cron expression with two of its next occurrences closer than
    /// it, is a 422 naming the field.
    fn check_interval(
        &self,
        definition: &TaskDefinition,
        now: Timestamp,
    ) -> Result<(), ValidationErrors> {
        let min = self.min_interval_seconds;
        let message = || format!("fires more often than the tenant minimum interval of {min} s");
        match &definition.trigger.kind {
            TriggerKind::Interval { every_seconds, .. } if *every_seconds < min => {
                Err(ValidationErrors::one("trigger_config.seconds", message()))
            }
            TriggerKind::Cron(_) => {
                let mut at = now;
                let mut previous: Option<Timestamp> = None;
                for _ in 0..GAP_SAMPLE {
                    let Some(next) = schedule::next_after(&definition.trigger, at) else {
                        break;
                    };
                    if let Some(previous) = previous
                        && next.duration_since(previous).as_secs()
                            < i64::try_from(min).unwrap_or(i64::MAX)
                    {
                        return Err(ValidationErrors::one("trigger_config.cron", message()));
                    }
                    previous = Some(next);
                    at = next;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}
