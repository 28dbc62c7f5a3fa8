//! The stable code of each field error, with its parameters, so that clients can translate it.
//!
//! The domain reports an invalid field as a path and an English sentence; the sentence is the
//! same for the same problem wherever it arises (`must be at most 100 characters`, `is
//! required`, …). This module reads the code and its parameters out of it, in one place, so
//! every 422 and 400 of the API carries them. The api tests hold each code to requests that
//! produce it.

use serde_json::{Map, Value, json};

/// Every code a field error can carry, with what it means; the OpenAPI document and
/// docs/api.md list the same.
pub const CODES: &[(&str, &str)] = &[
    (
        "required",
        "The field is missing (or null where a value is required).",
    ),
    (
        "invalid_type",
        "The value has the wrong JSON type; `expected` names the right one.",
    ),
    (
        "too_short",
        "The text is shorter than `min` characters (`min` 1: it is empty or blank).",
    ),
    (
        "too_long",
        "The text is longer than `max` characters (or bytes, as the message says).",
    ),
    ("too_few", "The list or object has fewer than `min` items."),
    ("too_many", "The list or object has more than `max` items."),
    (
        "out_of_range",
        "The number or instant lies outside `min`..`max` (either may be absent).",
    ),
    ("not_one_of", "The value is not one of `allowed`."),
    (
        "invalid_format",
        "The text does not have the required form (a code's alphabet, an RFC 3339 instant, a URL, a header or variable name).",
    ),
    (
        "invalid_cron",
        "The cron expression does not parse, or never matches.",
    ),
    (
        "unknown_timezone",
        "The time zone is not an IANA zone name.",
    ),
    ("in_the_past", "The instant has already passed."),
    (
        "no_future_occurrence",
        "The trigger has no occurrence left (a date that has passed), so the task cannot be active.",
    ),
    (
        "jitter_too_large",
        "`jitter_seconds` is not less than the trigger's shortest period, `period` seconds.",
    ),
    (
        "too_frequent",
        "The trigger fires more often than the deployment's minimum interval, `min` seconds.",
    ),
    (
        "egress_refused",
        "The URL is refused by the egress policy on its face.",
    ),
    (
        "reserved",
        "The header or variable name is set by Sundial, or reserved for it.",
    ),
    (
        "duplicate",
        "The name is given twice (header names are case-insensitive).",
    ),
    (
        "masked_secret",
        "A masked placeholder (`••••…`) stands for no stored value; send the real value.",
    ),
    (
        "unknown_field",
        "The field does not exist in this request (400).",
    ),
    ("forbidden_field", "Only the server sets this field (400)."),
    (
        "duplicate_code",
        "A live task of the tenant has this code (409).",
    ),
    (
        "args_not_accepted",
        "The task cannot take run arguments: an `api_call` gets them merged into its JSON body, so it needs method POST, PUT or PATCH and a `data` that is a JSON object (or none).",
    ),
    (
        "unknown_task",
        "No live task of the tenant has this uuid (a chain's child).",
    ),
    (
        "unknown_channel",
        "No channel of the tenant has this name (an import's or apply's rule) or uuid (a rule's `channel`).",
    ),
    (
        "chain_cycle",
        "The chain would lead back to the task it starts from.",
    ),
    (
        "email_unavailable",
        "The channel is an email channel, and the deployment has no SMTP relay to send it through.",
    ),
    ("invalid", "Any other problem; the message says what."),
];

/// The code of the error `message` on `field`, and the code's parameters.
pub fn classify(field: &str, message: &str) -> (&'static str, Map<String, Value>) {
    // Header values' messages say "value must …" of the header they name.
    let message = message.strip_prefix("value ").unwrap_or(message);
    let mut params = Map::new();
    let mut param = |key: &str, value: Value| {
        params.insert(key.to_owned(), value);
    };
    let numbers = numbers_in(message);
    let leaf = field.rsplit(['.', ']']).next().unwrap_or(field);
    let code = if message == "is required" {
        "required"
    } else if let Some(expected) = expected_type(message) {
        param("expected", expected.into());
        "invalid_type"
    } else if let Some((_, list)) = message.split_once("expected one of: ") {
        let allowed: Vec<Value> = list
            .trim_end_matches(')')
            .split(", ")
            .map(|v| Value::String(v.to_owned()))
            .collect();
        if message.starts_with("unknown key") || message.starts_with("unknown field") {
            "unknown_field"
        } else {
            param("allowed", Value::Array(allowed));
            "not_one_of"
        }
    } else if message.starts_with("unknown key") || message.starts_with("unknown field") {
        "unknown_field"
    } else if message.starts_with("unknown variant") {
        let allowed: Vec<Value> = message
            .split_once("expected ")
            .map(|(_, list)| {
                list.split('`')
                    .skip(1)
                    .step_by(2)
                    .map(|v| json!(v))
                    .collect()
            })
            .unwrap_or_default();
        param("allowed", Value::Array(allowed));
        "not_one_of"
    } else if message.starts_with("must not be empty") || message == "must not be blank" {
        param("min", 1.into());
        "too_short"
    } else if message.starts_with("must hold at least") {
        param("min", (*numbers.first().unwrap_or(&1)).into());
        "too_few"
    } else if message.starts_with("is in the past") {
        "in_the_past"
    } else if message.starts_with("has no future occurrence") {
        "no_future_occurrence"
    } else if message.starts_with("is outside the supported range of instants") {
        param("min", json!(domain::trigger::FIRST_INSTANT.to_string()));
        param("max", json!(domain::trigger::LAST_INSTANT.to_string()));
        "out_of_range"
    } else if message.starts_with("must be less than the shortest time") {
        if let Some(period) = numbers.first() {
            param("period", (*period).into());
        }
        "jitter_too_large"
    } else if message.starts_with("fires more often than the tenant minimum interval") {
        if let Some(min) = numbers.first() {
            param("min", (*min).into());
        }
        "too_frequent"
    } else if message.starts_with("is refused by the egress policy") {
        "egress_refused"
    } else if message.starts_with("is set by Sundial") || message.starts_with("is reserved") {
        "reserved"
    } else if message.starts_with("is given twice") {
        "duplicate"
    } else if message.starts_with("cannot be passed to an api_call")
        || message.starts_with("cannot be merged into the task's body")
    {
        "args_not_accepted"
    } else if message.starts_with("is not a task of the tenant") {
        "unknown_task"
    } else if message.starts_with("no channel of") {
        "unknown_channel"
    } else if message.starts_with("would close a cycle") {
        "chain_cycle"
    } else if message.starts_with("is email, which needs an SMTP relay") {
        "email_unavailable"
    } else if message.starts_with("is a masked placeholder") {
        "masked_secret"
    } else if message.starts_with("unknown time zone")
        || message.starts_with("is not an IANA time zone")
    {
        "unknown_timezone"
    } else if let Some(code) = size_code(message, &numbers, &mut param) {
        code
    } else if let Some(code) = range_code(message, &numbers, &mut param) {
        code
    } else if leaf == "cron" {
        "invalid_cron"
    } else if message.starts_with("is not a")
        || message.starts_with("has no UTC offset")
        || message.starts_with("must be a plain RFC 3339")
        || message.starts_with("must be an RFC 3339")
        || message.starts_with("must be an absolute")
        || message.starts_with("must match")
        || message.starts_with("must have a host")
        || message.starts_with("must be a uuid")
        || message.starts_with("must not contain")
        || message.contains("characters of letters, digits")
    {
        "invalid_format"
    } else {
        "invalid"
    };
    (code, params)
}

/// The JSON type a "must be a …" message asks for.
fn expected_type(message: &str) -> Option<&'static str> {
    let types = [
        (
            "must be a string, number or boolean",
            "string, number or boolean",
        ),
        ("must be a string", "string"),
        ("must be a JSON object", "object"),
        ("must be an object", "object"),
        ("must be true or false", "boolean"),
        ("must be an integer", "integer"),
        (
            "must be a whole number of seconds, not a fraction",
            "integer",
        ),
        ("must be an array", "array"),
        ("must be an RFC 3339 timestamp string", "string"),
    ];
    if let Some((_, expected)) = types.iter().find(|(prefix, _)| message.starts_with(prefix)) {
        return Some(expected);
    }
    // serde's words, e.g. "invalid type: string \"x\", expected u32".
    let (_, expected) = message
        .strip_prefix("invalid type: ")?
        .rsplit_once("expected ")?;
    Some(match expected {
        "u32" | "u64" | "i32" | "i64" | "u16" => "integer",
        "a boolean" => "boolean",
        "a string" => "string",
        "a sequence" => "array",
        _ => "object",
    })
}

/// The codes of lengths and counts: "must be at most 100 characters", "at most 64 headers",
/// "is too long (300 bytes; at most 256)".
fn size_code(
    message: &str,
    numbers: &[u64],
    param: &mut impl FnMut(&str, Value),
) -> Option<&'static str> {
    if message.starts_with("at most ") {
        param("max", (*numbers.first()?).into());
        return Some("too_many");
    }
    if message.starts_with("is too long") {
        param("max", (*numbers.last()?).into());
        return Some("too_long");
    }
    let text = [" characters", " bytes"]
        .iter()
        .any(|unit| message.contains(unit));
    if text && message.contains("at most ") && !message.contains("characters of letters") {
        param("max", (*numbers.first()?).into());
        return Some("too_long");
    }
    None
}

/// The codes of numbers: "must be between 1 and 86400", "must be at most 100", "must be at
/// least 1", "must be a whole number from 1 to 100", "must be an HTTP status code (100-599)".
fn range_code(
    message: &str,
    numbers: &[u64],
    param: &mut impl FnMut(&str, Value),
) -> Option<&'static str> {
    let between = message.starts_with("must be between")
        || message.contains(" from ")
        || message.starts_with("must be an HTTP status code");
    if between {
        match numbers {
            [min, max, ..] => {
                param("min", (*min).into());
                param("max", (*max).into());
            }
            [min] => param("min", (*min).into()),
            [] => return None,
        }
        return Some("out_of_range");
    }
    if message.starts_with("must be at most") {
        param("max", (*numbers.first()?).into());
        return Some("out_of_range");
    }
    if message.starts_with("must be at least") {
        param("min", (*numbers.first()?).into());
        return Some("out_of_range");
    }
    None
}

/// The whole numbers in `text`, in order.
fn numbers_in(text: &str) -> Vec<u64> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .filter_map(|part| part.parse().ok())
        .collect()
}
