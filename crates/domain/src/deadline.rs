//! Dead-man deadlines: what a task must achieve by when, independent of its trigger.
//!
//! Two kinds: "must succeed at least every X" ([`Deadline::Every`]), and "must have succeeded by
//! HH:MM in zone Z on the days a cron day spec names" ([`Deadline::By`]). The second is kept as
//! a fixed-time [`CronSpec`] (`MM HH <days>`), so its instants follow the cron DST rules: a
//! time in a spring-forward gap falls due at the end of the gap, a time in a repeated hour on
//! its first pass.

use std::fmt;

use serde_json::{Map, Value, json};

use crate::error::ValidationErrors;
use crate::trigger::{CronSpec, DEFAULT_TIMEZONE, MAX_INTERVAL_SECONDS};

/// Most deadlines one task may have.
pub const MAX_DEADLINES: usize = 10;
/// The shortest "every" deadline; the check interval (30 s by default) bounds how soon a miss
/// of a short one is noticed.
pub const MIN_EVERY_SECONDS: u64 = 10;
/// Longest accepted day spec.
const MAX_DAYS_LEN: usize = 128;

/// One deadline of a task.
#[derive(Clone, PartialEq)]
pub enum Deadline {
    /// A run must succeed at least every `seconds`.
    Every {
        /// The longest allowed gap between successes (and from when the deadline was set).
        seconds: u64,
    },
    /// A run must have succeeded by a wall-clock time on the days a day spec names.
    By {
        /// Hour of the wall-clock time, 0-23.
        hour: u8,
        /// Minute of the wall-clock time, 0-59.
        minute: u8,
        /// The day-of-month, month and day-of-week fields, e.g. `"* * MON-FRI"`.
        days: String,
        /// `MM HH <days>` in the deadline's zone: the instants it falls due.
        cron: CronSpec,
    },
}

impl fmt::Debug for Deadline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

impl Deadline {
    /// Parses one deadline object; error fields are relative to it (`every_seconds`, `by`,
    /// `timezone`, `days`).
    pub fn parse(value: &Value) -> Result<Deadline, ValidationErrors> {
        let Some(object) = value.as_object() else {
            return Err(ValidationErrors::one(
                "",
                "must be an object: {\"every_seconds\": N} or {\"by\": \"HH:MM\", \"timezone\"?, \"days\"?}",
            ));
        };
        let mut errors = ValidationErrors::default();
        for key in object.keys() {
            if !["every_seconds", "by", "timezone", "days"].contains(&key.as_str()) {
                errors.push(
                    key.as_str(),
                    "is not a deadline field (every_seconds, by, timezone, days)",
                );
            }
        }
        let deadline = match (object.get("every_seconds"), object.get("by")) {
            (Some(_), Some(_)) => {
                errors.push(
                    "by",
                    "cannot be given with every_seconds: one kind per deadline",
                );
                None
            }
            (Some(every), None) => {
                for key in ["timezone", "days"] {
                    if object.contains_key(key) {
                        errors.push(
                            key,
                            "belongs to a \"by\" deadline, not an every_seconds one",
                        );
                    }
                }
                errors.collect(parse_every(every))
            }
            (None, Some(by)) => errors.collect(parse_by(by, object)),
            (None, None) => {
                errors.push(
                    "every_seconds",
                    "is required unless \"by\" is given (one of the two)",
                );
                None
            }
        };
        match deadline {
            Some(deadline) if errors.is_empty() => Ok(deadline),
            _ => Err(errors),
        }
    }

    /// Parses the array of a task's deadlines; error fields are `deadlines[i].<field>`.
    pub fn parse_list(value: &Value) -> Result<Vec<Deadline>, ValidationErrors> {
        let Some(items) = value.as_array() else {
            return Err(ValidationErrors::one("deadlines", "must be an array"));
        };
        if items.len() > MAX_DEADLINES {
            return Err(ValidationErrors::one(
                "deadlines",
                format!(
                    "has {} deadlines; at most {MAX_DEADLINES} per task",
                    items.len()
                ),
            ));
        }
        let mut errors = ValidationErrors::default();
        let mut parsed: Vec<Deadline> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let field = format!("deadlines[{i}]");
            if let Some(deadline) =
                errors.collect(Deadline::parse(item).map_err(|e| e.prefixed(&field)))
            {
                if parsed.iter().any(|d| d.key() == deadline.key()) {
                    errors.push(field, "is the same deadline as an earlier one");
                } else {
                    parsed.push(deadline);
                }
            }
        }
        errors.into_result(|| parsed)
    }

    /// The deadline as its API object, which [`Deadline::parse`] takes back.
    pub fn to_json(&self) -> Value {
        match self {
            Deadline::Every { seconds } => json!({ "every_seconds": seconds }),
            Deadline::By {
                hour,
                minute,
                days,
                cron,
            } => json!({
                "by": format!("{hour:02}:{minute:02}"),
                "timezone": cron.timezone_name(),
                "days": days,
            }),
        }
    }

    /// A canonical text naming the deadline, its identity within a task: the same deadline
    /// saved again keeps its state and its misses.
    pub fn key(&self) -> String {
        match self {
            Deadline::Every { seconds } => format!("every {seconds}s"),
            Deadline::By {
                hour,
                minute,
                days,
                cron,
            } => format!(
                "by {hour:02}:{minute:02} {} on {days}",
                cron.timezone_name()
            ),
        }
    }
}

fn parse_every(value: &Value) -> Result<Deadline, ValidationErrors> {
    match value.as_u64() {
        Some(seconds) if (MIN_EVERY_SECONDS..=MAX_INTERVAL_SECONDS).contains(&seconds) => {
            Ok(Deadline::Every { seconds })
        }
        _ => Err(ValidationErrors::one(
            "every_seconds",
            format!(
                "must be a whole number of seconds from {MIN_EVERY_SECONDS} to \
                 {MAX_INTERVAL_SECONDS}"
            ),
        )),
    }
}

fn parse_by(by: &Value, object: &Map<String, Value>) -> Result<Deadline, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let time = match by.as_str().and_then(parse_hh_mm) {
        Some(time) => Some(time),
        None => {
            errors.push("by", "must be a wall-clock time \"HH:MM\" (00:00 to 23:59)");
            None
        }
    };
    let timezone = match object.get("timezone") {
        None | Some(Value::Null) => Some(DEFAULT_TIMEZONE),
        Some(Value::String(zone)) => Some(zone.as_str()),
        Some(_) => {
            errors.push(
                "timezone",
                "must be an IANA zone name, e.g. \"Europe/Berlin\"",
            );
            None
        }
    };
    let days = match object.get("days") {
        None | Some(Value::Null) => Some("* * *".to_owned()),
        Some(Value::String(days)) => errors.collect(parse_days(days)),
        Some(_) => {
            errors.push(
                "days",
                "must be a string of three cron fields, e.g. \"* * MON-FRI\"",
            );
            None
        }
    };
    let (Some((hour, minute)), Some(timezone), Some(days)) = (time, timezone, days) else {
        // The zone is judged on its own too, so one answer names every bad field.
        if let Some(Err(zone_errors)) = timezone.map(|zone| CronSpec::parse("0 0 * * *", zone)) {
            errors
                .0
                .extend(zone_errors.0.into_iter().filter(|e| e.field == "timezone"));
        }
        return Err(errors);
    };
    let expression = format!("{minute} {hour} {days}");
    match CronSpec::parse(&expression, timezone) {
        Ok(cron) if errors.is_empty() => Ok(Deadline::By {
            hour,
            minute,
            days,
            cron,
        }),
        Ok(_) => Err(errors),
        Err(cron_errors) => {
            for e in cron_errors.0 {
                if e.field == "timezone" {
                    errors.push("timezone", e.message);
                } else {
                    errors.push(
                        "days",
                        format!(
                            "is not a valid day spec (as cron \"{expression}\": {})",
                            e.message
                        ),
                    );
                }
            }
            Err(errors)
        }
    }
}

/// `"HH:MM"` with a two-digit hour and minute.
fn parse_hh_mm(text: &str) -> Option<(u8, u8)> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (hour, minute) = (h.parse::<u8>().ok()?, m.parse::<u8>().ok()?);
    (hour < 24 && minute < 60).then_some((hour, minute))
}

/// Three whitespace-separated fields, normalized to single spaces.
fn parse_days(days: &str) -> Result<String, ValidationErrors> {
    let err = |message: &str| Err(ValidationErrors::one("days", message));
    if days.len() > MAX_DAYS_LEN {
        return err("is too long (at most 128 bytes)");
    }
    if days.chars().any(char::is_control) {
        return err("must not contain control characters; separate fields with spaces");
    }
    let fields: Vec<&str> = days.split_whitespace().collect();
    if fields.len() != 3 {
        return err(
            "must be three cron fields: day-of-month, month and day-of-week, e.g. \"* * MON-FRI\"",
        );
    }
    Ok(fields.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(value: Value) -> Vec<String> {
        Deadline::parse_list(&value)
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn both_kinds_parse_and_round_trip() {
        let list = Deadline::parse_list(&json!([
            {"every_seconds": 3600},
            {"by": "07:30", "timezone": "Europe/Berlin", "days": " *  * MON-FRI "},
            {"by": "23:00"}
        ]))
        .unwrap();
        assert_eq!(list[0].key(), "every 3600s");
        assert_eq!(list[1].key(), "by 07:30 Europe/Berlin on * * MON-FRI");
        assert_eq!(list[2].key(), "by 23:00 UTC on * * *");
        for deadline in &list {
            assert_eq!(&Deadline::parse(&deadline.to_json()).unwrap(), deadline);
        }
    }

    #[test]
    fn bad_input_names_the_field() {
        assert_eq!(
            fields(json!([{"every_seconds": 9}])),
            ["deadlines[0].every_seconds"]
        );
        assert_eq!(fields(json!([{"by": "7:30"}])), ["deadlines[0].by"]);
        assert_eq!(fields(json!([{"by": "24:00"}])), ["deadlines[0].by"]);
        assert_eq!(
            fields(json!([{"every_seconds": 60}, {"by": "07:00", "timezone": "Mars/Base"}])),
            ["deadlines[1].timezone"]
        );
        assert_eq!(
            fields(json!([{"by": "07:00", "days": "* *"}])),
            ["deadlines[0].days"]
        );
        assert_eq!(
            fields(json!([{"by": "07:00", "days": "32 * *"}])),
            ["deadlines[0].days"]
        );
        assert_eq!(
            fields(json!([{"every_seconds": 60, "days": "* * *"}])),
            ["deadlines[0].days"]
        );
        assert_eq!(
            fields(json!([{"every_seconds": 60, "by": "07:00"}])),
            ["deadlines[0].by"]
        );
        assert_eq!(
            fields(json!([{"every_second": 60}])),
            ["deadlines[0].every_second", "deadlines[0].every_seconds"]
        );
        assert_eq!(
            fields(json!([{"every_seconds": 60}, {"every_seconds": 60}])),
            ["deadlines[1]"]
        );
        assert_eq!(fields(json!({"every_seconds": 60})), ["deadlines"]);
        assert_eq!(
            fields(json!(vec![json!({"every_seconds": 60}); 11])),
            ["deadlines"]
        );
    }
}
