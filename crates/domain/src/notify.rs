//! Notifications: the events a tenant can be told about, and the kinds of channel that tell it.

use serde::{Deserialize, Serialize};

use crate::policy::snake_case_str;

/// Something about a task worth telling its tenant, as recorded in the notification outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    /// A run failed (or timed out) after its last retry.
    #[serde(rename = "run.failed")]
    RunFailed,
    /// A run succeeded after the task's previous run had failed.
    #[serde(rename = "run.recovered")]
    RunRecovered,
    /// A run took longer than a rule's threshold.
    #[serde(rename = "run.slow")]
    RunSlow,
    /// An occurrence was skipped (misfire or overlap).
    #[serde(rename = "occurrence.skipped")]
    OccurrenceSkipped,
    /// A dead-man deadline passed without the success it expected.
    #[serde(rename = "deadline.missed")]
    DeadlineMissed,
}

snake_case_str!(EventKind {
    RunFailed => "run.failed",
    RunRecovered => "run.recovered",
    RunSlow => "run.slow",
    OccurrenceSkipped => "occurrence.skipped",
    DeadlineMissed => "deadline.missed",
});

/// How a channel delivers notices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// A signed JSON `POST` to a URL.
    Webhook,
    /// A mail through the operator's SMTP relay.
    Email,
}

snake_case_str!(ChannelKind { Webhook => "webhook", Email => "email" });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_kinds_read_back_from_their_names() {
        for kind in [
            EventKind::RunFailed,
            EventKind::RunRecovered,
            EventKind::RunSlow,
            EventKind::OccurrenceSkipped,
            EventKind::DeadlineMissed,
        ] {
            assert_eq!(kind.as_str().parse::<EventKind>(), Ok(kind));
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::from(kind.as_str())
            );
        }
        assert!("run.exploded".parse::<EventKind>().is_err());
    }
}
