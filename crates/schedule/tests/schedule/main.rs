//! The schedule crate's integration suites: DST behaviour of cron triggers, cron against an
//! independent reference, and the other triggers. One test binary for all of them, so a
//! change to the crate relinks one binary instead of three.

// The reference stays outside this binary's folder: the engine and API tests include the same
// file by path.
#[path = "../reference/mod.rs"]
mod reference;

mod count;
mod dst;
mod oracle;
mod triggers;

use domain::trigger::{Trigger, TriggerType};
use jiff::Timestamp;
use serde_json::json;

/// An instant written in RFC 3339.
fn ts(text: &str) -> Timestamp {
    text.parse().expect("test instant")
}

/// A cron trigger in `zone`, parsed the way the API parses one.
fn cron(expression: &str, zone: &str) -> Result<Trigger, String> {
    Trigger::parse(
        TriggerType::Cron,
        &json!({"cron": expression, "timezone": zone}),
    )
    .map_err(|e| e.to_string())
}
