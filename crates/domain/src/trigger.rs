//! Triggers: when a task runs (the rules docs/api.md gives for triggers).
//!
//! A trigger arrives as `trigger_type` plus a `trigger_config` JSON object and is parsed once,
//! at the edge, into a [`Trigger`] that can only hold valid values. Next-fire math lives in the
//! `schedule` crate; this module only parses, validates and renders the canonical JSON.

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, LazyLock};

use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::{TimeZone, TimeZoneDatabase};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::ValidationErrors;

/// Longest accepted cron expression, in bytes.
pub const MAX_CRON_LEN: usize = 256;
/// Longest accepted time zone name, in bytes.
pub const MAX_TIMEZONE_LEN: usize = 64;
/// Largest accepted interval: ten 365-day years, in seconds.
pub const MAX_INTERVAL_SECONDS: u64 = 10 * 365 * 86_400;
/// Largest accepted `jitter_seconds`.
pub const MAX_JITTER_SECONDS: u32 = 3600;
/// The first instant a trigger may name (`at`, `start_at`, `end_at`): 1970-01-01T00:00:00Z.
pub const FIRST_INSTANT: Timestamp = Timestamp::UNIX_EPOCH;
/// The last instant a trigger may name, and the last one Sundial schedules:
/// 2999-12-31T23:59:59Z.
pub const LAST_INSTANT: Timestamp = Timestamp::constant(32_503_679_999, 0);
/// The zone a cron trigger computes in when `timezone` is not given.
pub const DEFAULT_TIMEZONE: &str = "UTC";

/// The copy of the IANA time zone database compiled into the binary.
///
/// `jiff::tz::db()` prefers `/usr/share/zoneinfo` when the host has one, which would let two
/// nodes with different tzdata compute different instants for the same task. Every lookup in
/// Sundial goes through this bundled copy instead, so all nodes of one build agree.
static BUNDLED_TZDB: LazyLock<TimeZoneDatabase> = LazyLock::new(TimeZoneDatabase::bundled);

/// The bundled IANA time zone database every trigger resolves its zone in.
pub fn tz_database() -> &'static TimeZoneDatabase {
    &BUNDLED_TZDB
}

/// Which kind of trigger. Serde: `"cron" | "interval" | "date"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TriggerType {
    /// A cron expression evaluated in an IANA time zone.
    Cron,
    /// A fixed rate: every N seconds from an anchor.
    Interval,
    /// Exactly once, at one instant.
    Date,
}

impl TriggerType {
    /// Every trigger type, in documentation order.
    pub const ALL: [TriggerType; 3] = [TriggerType::Cron, TriggerType::Interval, TriggerType::Date];

    /// The wire name: `"cron"`, `"interval"` or `"date"`.
    pub fn as_str(self) -> &'static str {
        match self {
            TriggerType::Cron => "cron",
            TriggerType::Interval => "interval",
            TriggerType::Date => "date",
        }
    }
}

impl fmt::Display for TriggerType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TriggerType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TriggerType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                format!("unknown trigger type {s:?}; expected one of: cron, interval, date")
            })
    }
}

/// A parsed, valid cron expression together with the zone it is evaluated in. Cheap to clone.
#[derive(Clone)]
pub struct CronSpec(Arc<CronSpecInner>);

struct CronSpecInner {
    expression: String,
    cron: Cron,
    time_zone: TimeZone,
    timezone_name: String,
    fixed_time: bool,
}

impl CronSpec {
    /// Parses `expression` in the zone named `timezone` (IANA, from the bundled database).
    /// Errors name the fields `cron` and `timezone`.
    pub fn parse(expression: &str, timezone: &str) -> Result<CronSpec, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let parsed = errors.collect(parse_cron_expression(expression));
        let zone = errors.collect(parse_timezone(timezone));
        match (parsed, zone) {
            (Some((cron, fixed_time)), Some((time_zone, timezone_name))) if errors.is_empty() => {
                Ok(CronSpec::new(
                    expression,
                    cron,
                    fixed_time,
                    time_zone,
                    timezone_name,
                ))
            }
            _ => Err(errors),
        }
    }

    fn new(
        expression: &str,
        cron: Cron,
        fixed_time: bool,
        time_zone: TimeZone,
        timezone_name: String,
    ) -> CronSpec {
        CronSpec(Arc::new(CronSpecInner {
            expression: expression.trim().to_owned(),
            cron,
            time_zone,
            timezone_name,
            fixed_time,
        }))
    }

    /// The expression as the user wrote it (trimmed), e.g. `"0 9 * * MON-FRI"` or `"@daily"`.
    pub fn expression(&self) -> &str {
        &self.0.expression
    }

    /// The parsed expression (macros expanded, optional seconds, Vixie's day rule: both day
    /// fields must match when either starts with `*`, either may match otherwise).
    pub fn cron(&self) -> &Cron {
        &self.0.cron
    }

    /// The zone the expression is evaluated in.
    pub fn time_zone(&self) -> &TimeZone {
        &self.0.time_zone
    }

    /// The canonical IANA name of the zone, e.g. `"Asia/Shanghai"`.
    pub fn timezone_name(&self) -> &str {
        &self.0.timezone_name
    }

    /// The smallest gap between two consecutive wall-clock times of day the second, minute
    /// and hour fields allow, counting the wrap to the next day's first; 86,400 when they allow
    /// one time a day.
    fn shortest_gap_seconds(&self) -> u64 {
        let pattern = &self.cron().pattern;
        let mut times = Vec::new();
        for hour in (0..24).filter(|&h| pattern.hour_match(h).unwrap_or(false)) {
            for minute in (0..60).filter(|&m| pattern.minute_match(m).unwrap_or(false)) {
                for second in (0..60).filter(|&s| pattern.second_match(s).unwrap_or(false)) {
                    times.push(hour * 3600 + minute * 60 + second);
                }
            }
        }
        let (Some(first), Some(last)) = (times.first(), times.last()) else {
            return 86_400;
        };
        let wrap = first + 86_400 - last;
        let gap = times.windows(2).map(|w| w[1] - w[0]).fold(wrap, u32::min);
        u64::from(gap)
    }

    /// True for a fixed-time job: neither its minute nor its hour field starts with `*` (Vixie
    /// cron's rule; `0-30/10 2 * * *` is fixed-time, the seconds field does not count). Across
    /// DST such a job fires once at the end of a gap and only on the first pass of a repeated
    /// hour; other jobs fire at every real matching instant.
    pub fn is_fixed_time(&self) -> bool {
        self.0.fixed_time
    }
}

/// `instant` within [`FIRST_INSTANT`]..=[`LAST_INSTANT`], or the message saying it is not.
pub fn check_supported_instant(instant: Timestamp) -> Result<(), String> {
    if (FIRST_INSTANT..=LAST_INSTANT).contains(&instant) {
        Ok(())
    } else {
        Err(format!(
            "is outside the supported range of instants, {FIRST_INSTANT} to {LAST_INSTANT}"
        ))
    }
}

impl PartialEq for CronSpec {
    fn eq(&self, other: &Self) -> bool {
        // Everything else is derived from these two.
        self.expression() == other.expression() && self.timezone_name() == other.timezone_name()
    }
}

impl Eq for CronSpec {}

impl fmt::Debug for CronSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CronSpec")
            .field("expression", &self.expression())
            .field("timezone", &self.timezone_name())
            .field("fixed_time", &self.is_fixed_time())
            .finish()
    }
}

/// What a trigger fires on.
#[derive(Debug, Clone, PartialEq)]
pub enum TriggerKind {
    /// A cron expression in a zone.
    Cron(CronSpec),
    /// Every `every_seconds` from `anchor` (fixed rate, never drifting).
    Interval {
        /// The period, 1..=[`MAX_INTERVAL_SECONDS`].
        every_seconds: u64,
        /// The instant occurrences are counted from; `None` until anchored at creation.
        anchor: Option<Timestamp>,
    },
    /// Once, at `at`.
    Date {
        /// The single instant.
        at: Timestamp,
    },
}

/// A parsed, valid trigger.
///
/// For an interval, `start_at` and the anchor are the same instant (the config has one
/// `start_at` key that serves as both).
#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    /// What fires.
    pub kind: TriggerKind,
    /// No occurrence before this instant.
    pub start_at: Option<Timestamp>,
    /// No occurrence after this instant.
    pub end_at: Option<Timestamp>,
    /// Upper bound of the deterministic per-occurrence delay, 0..=[`MAX_JITTER_SECONDS`].
    pub jitter_seconds: u32,
}

const COMMON_KEYS: [&str; 3] = ["start_at", "end_at", "jitter_seconds"];

fn own_keys(trigger_type: TriggerType) -> &'static [&'static str] {
    match trigger_type {
        TriggerType::Cron => &["cron", "timezone"],
        TriggerType::Interval => &["seconds"],
        TriggerType::Date => &["at"],
    }
}

impl Trigger {
    /// Parses `trigger_config` JSON for `trigger_type`, collecting every error. Fields are named
    /// relative to `trigger_config` (`"cron"`, `"timezone"`, `"seconds"`, `"at"`, `"start_at"`,
    /// `"end_at"`, `"jitter_seconds"`, or the unknown key itself); a non-object config is an
    /// error on the empty field. Optional keys given as `null` count as absent.
    pub fn parse(trigger_type: TriggerType, config: &Value) -> Result<Trigger, ValidationErrors> {
        let Some(object) = config.as_object() else {
            return Err(ValidationErrors::one(
                "",
                format!(
                    "must be a JSON object, e.g. {}",
                    example_config(trigger_type)
                ),
            ));
        };
        let mut errors = ValidationErrors::default();

        let own = own_keys(trigger_type);
        for key in object.keys() {
            if !own.contains(&key.as_str()) && !COMMON_KEYS.contains(&key.as_str()) {
                let allowed: Vec<&str> = own.iter().chain(COMMON_KEYS.iter()).copied().collect();
                errors.push(
                    key.clone(),
                    format!(
                        "unknown key for a {trigger_type} trigger; allowed keys: {}",
                        allowed.join(", ")
                    ),
                );
            }
        }

        let start_at = errors
            .collect(optional(object, "start_at", |v| {
                parse_timestamp("start_at", v)
            }))
            .flatten();
        let end_at = errors
            .collect(optional(object, "end_at", |v| parse_timestamp("end_at", v)))
            .flatten();
        if let (Some(start), Some(end)) = (start_at, end_at)
            && end <= start
        {
            errors.push("end_at", "must be after start_at");
        }
        let jitter_seconds = errors
            .collect(optional(object, "jitter_seconds", parse_jitter))
            .flatten()
            .unwrap_or(0);

        let kind = match trigger_type {
            TriggerType::Cron => {
                let expression = errors.collect(required(object, "cron", |v| {
                    v.as_str().map(str::to_owned).ok_or_else(|| {
                        ValidationErrors::one("cron", "must be a string, e.g. \"0 0 * * *\"")
                    })
                }));
                // Outer None: given but not a string (reported); inner None: absent.
                let timezone = errors.collect(optional(object, "timezone", |v| {
                    v.as_str().map(str::to_owned).ok_or_else(|| {
                        ValidationErrors::one(
                            "timezone",
                            "must be a string naming an IANA time zone, e.g. \"Asia/Shanghai\"",
                        )
                    })
                }));
                // Check both independently so that both errors are reported at once.
                let cron = expression.and_then(|e| {
                    errors
                        .collect(parse_cron_expression(&e))
                        .map(|parsed| (e, parsed))
                });
                let zone = timezone.and_then(|zone| {
                    errors.collect(parse_timezone(zone.as_deref().unwrap_or(DEFAULT_TIMEZONE)))
                });
                match (cron, zone) {
                    (Some((expression, (cron, fixed_time))), Some((time_zone, timezone_name))) => {
                        Some(TriggerKind::Cron(CronSpec::new(
                            &expression,
                            cron,
                            fixed_time,
                            time_zone,
                            timezone_name,
                        )))
                    }
                    _ => None,
                }
            }
            TriggerType::Interval => errors
                .collect(required(object, "seconds", parse_interval_seconds))
                .map(|every_seconds| TriggerKind::Interval {
                    every_seconds,
                    anchor: start_at,
                }),
            TriggerType::Date => {
                let at = errors.collect(required(object, "at", |v| parse_timestamp("at", v)));
                if let Some(at) = at {
                    if start_at.is_some_and(|start| at < start) {
                        errors.push("at", "is before start_at, so the trigger would never fire");
                    }
                    if end_at.is_some_and(|end| at > end) {
                        errors.push("at", "is after end_at, so the trigger would never fire");
                    }
                }
                at.map(|at| TriggerKind::Date { at })
            }
        };

        match kind {
            Some(kind) if errors.is_empty() => Ok(Trigger {
                kind,
                start_at,
                end_at,
                jitter_seconds,
            }),
            _ => Err(errors),
        }
    }

    /// Checks that only make sense for a definition being saved now: a date trigger's `at` not
    /// after `now` is an error on `"at"`; an `end_at` not after `now` is an error on `"end_at"`.
    pub fn check_not_expired(&self, now: Timestamp) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if let TriggerKind::Date { at } = self.kind
            && at <= now
        {
            errors.push(
                "at",
                format!("is in the past (now is {now}); a date trigger must be in the future"),
            );
        }
        if let Some(end) = self.end_at
            && end <= now
        {
            errors.push(
                "end_at",
                format!("is in the past (now is {now}); the trigger would never fire"),
            );
        }
        errors.into_result(|| ())
    }

    /// Checks for a definition being saved or previewed now (stored definitions that predate
    /// them still load): `at`, `start_at` and `end_at` within [`FIRST_INSTANT`]..=
    /// [`LAST_INSTANT`], and `jitter_seconds` less than the trigger's shortest period
    /// ([`Trigger::shortest_period_seconds`]), so that jitter cannot reorder occurrences.
    pub fn check_bounds(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let instants = [
            ("at", self.date_at()),
            ("start_at", self.start_at),
            ("end_at", self.end_at),
        ];
        for (field, instant) in instants {
            if let Some(instant) = instant
                && let Err(message) = check_supported_instant(instant)
            {
                errors.push(field, message);
            }
        }
        let period = self.shortest_period_seconds();
        if u64::from(self.jitter_seconds) >= period {
            errors.push(
                "jitter_seconds",
                format!(
                    "must be less than the shortest time between two occurrences of this \
                     trigger ({period} s), so that jitter cannot reorder them"
                ),
            );
        }
        errors.into_result(|| ())
    }

    fn date_at(&self) -> Option<Timestamp> {
        match self.kind {
            TriggerKind::Date { at } => Some(at),
            _ => None,
        }
    }

    /// A lower bound of the time between two consecutive occurrences, in seconds: an
    /// interval's period; for a cron, the smallest gap between consecutive wall-clock times of
    /// day its second, minute and hour fields allow (a day when they allow one), which DST
    /// changes can shorten on the day they happen; for a date, which fires once, `u64::MAX`.
    pub fn shortest_period_seconds(&self) -> u64 {
        match &self.kind {
            TriggerKind::Interval { every_seconds, .. } => *every_seconds,
            TriggerKind::Cron(spec) => spec.shortest_gap_seconds(),
            TriggerKind::Date { .. } => u64::MAX,
        }
    }

    /// For an interval without an explicit anchor, the same trigger anchored (and started) at
    /// `at`, the creation instant; any other trigger is returned unchanged.
    pub fn anchored_at(mut self, at: Timestamp) -> Trigger {
        if let TriggerKind::Interval {
            anchor: anchor @ None,
            ..
        } = &mut self.kind
        {
            *anchor = Some(at);
            if self.start_at.is_none() {
                self.start_at = Some(at);
            }
        }
        self
    }

    /// The kind of this trigger as a [`TriggerType`].
    pub fn trigger_type(&self) -> TriggerType {
        match self.kind {
            TriggerKind::Cron(_) => TriggerType::Cron,
            TriggerKind::Interval { .. } => TriggerType::Interval,
            TriggerKind::Date { .. } => TriggerType::Date,
        }
    }

    /// The IANA zone name the trigger computes in (`"UTC"` for interval and date).
    pub fn timezone_name(&self) -> &str {
        match &self.kind {
            TriggerKind::Cron(spec) => spec.timezone_name(),
            _ => DEFAULT_TIMEZONE,
        }
    }

    /// Canonical JSON for storage and API output, in the original shapes (timestamps in UTC,
    /// `jitter_seconds` only when non-zero). `Trigger::parse(t.trigger_type(),
    /// &t.to_config_json()) == Ok(t)` holds for every parsed or anchored trigger.
    pub fn to_config_json(&self) -> Value {
        let mut object = Map::new();
        let mut start_at = self.start_at;
        match &self.kind {
            TriggerKind::Cron(spec) => {
                object.insert("cron".into(), Value::String(spec.expression().to_owned()));
                object.insert(
                    "timezone".into(),
                    Value::String(spec.timezone_name().to_owned()),
                );
            }
            TriggerKind::Interval {
                every_seconds,
                anchor,
            } => {
                object.insert("seconds".into(), Value::from(*every_seconds));
                start_at = anchor.or(start_at);
            }
            TriggerKind::Date { at } => {
                object.insert("at".into(), Value::String(at.to_string()));
            }
        }
        if let Some(start) = start_at {
            object.insert("start_at".into(), Value::String(start.to_string()));
        }
        if let Some(end) = self.end_at {
            object.insert("end_at".into(), Value::String(end.to_string()));
        }
        if self.jitter_seconds != 0 {
            object.insert("jitter_seconds".into(), Value::from(self.jitter_seconds));
        }
        Value::Object(object)
    }
}

fn example_config(trigger_type: TriggerType) -> &'static str {
    match trigger_type {
        TriggerType::Cron => r#"{"cron": "0 0 * * *", "timezone": "Asia/Shanghai"}"#,
        TriggerType::Interval => r#"{"seconds": 300}"#,
        TriggerType::Date => r#"{"at": "2030-01-01T00:00:00Z"}"#,
    }
}

/// The value of a required key, parsed; missing or `null` is an error on `key`.
fn required<T>(
    object: &Map<String, Value>,
    key: &str,
    parse: impl FnOnce(&Value) -> Result<T, ValidationErrors>,
) -> Result<T, ValidationErrors> {
    match object.get(key) {
        None | Some(Value::Null) => Err(ValidationErrors::one(key, "is required")),
        Some(value) => parse(value),
    }
}

/// The value of an optional key, parsed; missing or `null` is `None`.
fn optional<T>(
    object: &Map<String, Value>,
    key: &str,
    parse: impl FnOnce(&Value) -> Result<T, ValidationErrors>,
) -> Result<Option<T>, ValidationErrors> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => parse(value).map(Some),
    }
}

/// Parses a JSON string holding an RFC 3339 timestamp; errors name `field`.
fn parse_timestamp(field: &str, value: &Value) -> Result<Timestamp, ValidationErrors> {
    let Some(text) = value.as_str() else {
        return Err(ValidationErrors::one(
            field,
            "must be an RFC 3339 timestamp string with a UTC offset, e.g. \"2030-01-01T00:00:00Z\"",
        ));
    };
    parse_rfc3339(text).map_err(|message| ValidationErrors::one(field, message))
}

/// Parses an RFC 3339 timestamp that carries an explicit offset (`Z` or `±hh:mm`).
pub fn parse_rfc3339(text: &str) -> Result<Timestamp, String> {
    const EXAMPLE: &str = "e.g. \"2030-01-01T00:00:00Z\" or \"2030-01-01T08:00:00+08:00\"";
    if text.len() > 64 || text.chars().any(char::is_control) {
        return Err(format!(
            "is not an RFC 3339 timestamp; write it with an offset, {EXAMPLE}"
        ));
    }
    if text.contains('[') {
        return Err(format!(
            "must be a plain RFC 3339 timestamp without a [time zone] annotation, {EXAMPLE}"
        ));
    }
    match text.parse::<Timestamp>() {
        Ok(ts) => Ok(ts),
        Err(_) if text.parse::<DateTime>().is_ok() || text.parse::<Date>().is_ok() => Err(format!(
            "has no UTC offset, so it does not name one instant; add \"Z\" or an offset, {EXAMPLE}"
        )),
        Err(_) => Err(format!(
            "is not an RFC 3339 timestamp; write it with an offset, {EXAMPLE}"
        )),
    }
}

fn parse_jitter(value: &Value) -> Result<u32, ValidationErrors> {
    let message = format!("must be a whole number of seconds from 0 to {MAX_JITTER_SECONDS}");
    match value.as_u64() {
        Some(n) if n <= u64::from(MAX_JITTER_SECONDS) => Ok(n as u32),
        _ => Err(ValidationErrors::one("jitter_seconds", message)),
    }
}

fn parse_interval_seconds(value: &Value) -> Result<u64, ValidationErrors> {
    let err = |message: String| Err(ValidationErrors::one("seconds", message));
    match value {
        Value::Number(number) => {
            if let Some(n) = number.as_u64() {
                if n == 0 {
                    err("must be at least 1".to_owned())
                } else if n > MAX_INTERVAL_SECONDS {
                    err(format!("must be at most {MAX_INTERVAL_SECONDS} (10 years)"))
                } else {
                    Ok(n)
                }
            } else if number.is_i64() {
                err("must be at least 1".to_owned())
            } else {
                err("must be a whole number of seconds, not a fraction".to_owned())
            }
        }
        _ => err("must be an integer number of seconds, e.g. 300".to_owned()),
    }
}

/// Resolves an IANA zone name in the bundled database; returns the zone and its canonical name.
fn parse_timezone(name: &str) -> Result<(TimeZone, String), ValidationErrors> {
    let err = |message: String| Err(ValidationErrors::one("timezone", message));
    if name.trim().is_empty() {
        return err("must not be empty; omit it for UTC".to_owned());
    }
    if name.len() > MAX_TIMEZONE_LEN || name.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return err("is not an IANA time zone name such as \"Asia/Shanghai\"".to_owned());
    }
    match tz_database().get(name) {
        Ok(zone) => {
            let canonical = zone.iana_name().unwrap_or(name).to_owned();
            Ok((zone, canonical))
        }
        Err(_) => err(format!(
            "unknown time zone {name:?}; use an IANA name such as \"Asia/Shanghai\" or \"UTC\""
        )),
    }
}

/// Name and allowed values of each of the five standard fields.
const FIELDS: [(&str, &str); 5] = [
    ("minute", "0-59 with , - * /"),
    ("hour", "0-23 with , - * /"),
    ("day-of-month", "1-31 with , - * / ? L W"),
    ("month", "1-12 or JAN-DEC with , - * /"),
    (
        "day-of-week",
        "0-7 or SUN-SAT (0 and 7 are Sunday) with , - * / ? L #",
    ),
];

/// Expands a `@macro` to its five-field expression.
fn expand_macro(expression: &str) -> Result<&'static str, String> {
    let lower = expression.to_ascii_lowercase();
    Ok(match lower.as_str() {
        "@yearly" | "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" | "@midnight" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        "@reboot" => {
            return Err(
                "@reboot is not supported: Sundial has no machine boot to run at; \
                        use a date trigger to run once"
                    .to_owned(),
            );
        }
        _ => {
            return Err(format!(
                "unknown macro {expression:?}; expected one of @yearly, @annually, @monthly, \
                 @weekly, @daily, @midnight, @hourly"
            ));
        }
    })
}

/// The parser; `days_and` makes a day match only when both day fields match it.
fn cron_parser(days_and: bool) -> CronParser {
    CronParser::builder()
        .seconds(Seconds::Optional)
        .year(Year::Disallowed)
        .dom_and_dow(days_and)
        .alternative_weekdays(false)
        .sloppy_ranges(false)
        .build()
}

/// Vixie cron and cronie set their `DOM_STAR`/`DOW_STAR`/`MIN_STAR`/`HR_STAR` flags from a
/// field's first character, so `*/2` counts as a star just like `*` (and `?`, which croner
/// reads as `*`).
fn starts_with_star(field: &str) -> bool {
    field.starts_with(['*', '?'])
}

/// Parses a cron expression; returns it and whether it is a fixed-time job.
fn parse_cron_expression(expression: &str) -> Result<(Cron, bool), ValidationErrors> {
    let err = |message: String| Err(ValidationErrors::one("cron", message));
    let trimmed = expression.trim();
    if trimmed.is_empty() {
        return err("must not be empty, e.g. \"0 0 * * *\"".to_owned());
    }
    if expression.len() > MAX_CRON_LEN {
        return err(format!(
            "is too long ({} bytes; at most {MAX_CRON_LEN})",
            expression.len()
        ));
    }
    if expression.chars().any(char::is_control) {
        return err(
            "must not contain control characters (tabs, newlines); separate fields with spaces"
                .to_owned(),
        );
    }
    let source = if trimmed.starts_with('@') {
        match expand_macro(trimmed) {
            Ok(expanded) => expanded,
            Err(message) => return err(message),
        }
    } else {
        trimmed
    };
    let fields: Vec<&str> = source.split_whitespace().collect();
    match fields.len() {
        5 | 6 => {}
        7 => {
            return err(
                "has 7 fields, but a year field is not supported; use 5 fields (minute \
                        hour day-of-month month day-of-week) or 6 with leading seconds"
                    .to_owned(),
            );
        }
        n => {
            return err(format!(
                "has {n} field(s); expected 5 (minute hour day-of-month month day-of-week) \
                 or 6 with leading seconds"
            ));
        }
    }
    if source.contains('+') {
        return err(
            "'+' (day-of-month AND day-of-week) is not supported: as in Vixie cron, both day \
                    fields must match when either starts with '*' (e.g. \"0 0 */2 * 1\"), \
                    and either may match otherwise"
                .to_owned(),
        );
    }
    let offset = fields.len() - 5;
    // Vixie `find_jobs`: a day matches when both day fields do if either is a star, and when
    // either does otherwise.
    let days_and = starts_with_star(fields[offset + 2]) || starts_with_star(fields[offset + 4]);
    let parts = |index: usize| {
        fields[offset + index]
            .split(',')
            .map(str::to_ascii_uppercase)
    };
    if parts(2).any(|p| p == "L") && parts(2).any(|p| p == "LW") {
        return err(
            "day-of-month: use either L (last day) or LW (last weekday), not both".to_owned(),
        );
    }
    if parts(4).any(|p| p == "L") {
        return err(
            "day-of-week: L needs a weekday before it, e.g. 5L for the last Friday".to_owned(),
        );
    }
    let mut normalized = fields.clone();
    let weekdays = sunday_ranges(fields[offset + 4]);
    normalized[offset + 4] = &weekdays;
    let cron = match cron_parser(days_and).parse(&normalized.join(" ")) {
        Ok(cron) => cron,
        Err(error) => return err(describe_cron_error(&fields, &error.to_string())),
    };
    if !matches_some_date(&cron) {
        return err("never matches: no date has both a month and a day it allows".to_owned());
    }
    // Vixie's `MIN_STAR`/`HR_STAR`: the seconds field (which Vixie does not have) and steps
    // after a first value (`0-30/10`) do not make a job run "more often than hourly".
    let fixed_time = !starts_with_star(fields[offset]) && !starts_with_star(fields[offset + 1]);
    Ok((cron, fixed_time))
}

/// croner reads every `-SUN` as `-7` so that `MON-SUN` ends on Sunday, which makes `SUN-SUN`
/// (and `0-SUN`) every day; a range from Sunday to Sunday is Sunday alone, as in cron.
fn sunday_ranges(day_of_week: &str) -> String {
    day_of_week
        .split(',')
        .map(|part| {
            let (range, step) = part
                .split_once('/')
                .map_or((part, None), |(r, s)| (r, Some(s)));
            let range = match range.split_once('-') {
                Some((from, to))
                    if to.eq_ignore_ascii_case("SUN")
                        && (from == "0" || from.eq_ignore_ascii_case("SUN")) =>
                {
                    "0-0"
                }
                _ => range,
            };
            match step {
                Some(step) => format!("{range}/{step}"),
                None => range.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Names the first field croner rejects, so the message points at it.
fn describe_cron_error(fields: &[&str], whole: &str) -> String {
    let offset = fields.len() - 5;
    for (index, field) in fields.iter().enumerate() {
        let mut probe: Vec<&str> = vec!["*"; fields.len()];
        // A seconds field of "*" is fine; keep the probe's shape the same as the input.
        probe[index] = field;
        if let Err(error) = cron_parser(false).parse(&probe.join(" ")) {
            let (name, allowed) = if index < offset {
                ("second", "0-59 with , - * /")
            } else {
                FIELDS[index - offset]
            };
            return format!("invalid {name} field {field:?} (allowed: {allowed}): {error}");
        }
    }
    format!("is not a valid cron expression: {whole}")
}

/// Whether some calendar day matches the day and month fields. Every (month, day-of-month,
/// weekday, leap-year) combination occurs within any 28 consecutive years, so checking
/// 2000..=2027 is exhaustive.
fn matches_some_date(cron: &Cron) -> bool {
    let pattern = &cron.pattern;
    let Ok(mut date) = Date::new(2000, 1, 1) else {
        return true;
    };
    while date.year() < 2028 {
        let weekday =
            croner::Weekday::from_days_from_sunday(date.weekday().to_sunday_zero_offset() as u32);
        let month = date.month() as u32;
        if pattern.month_match(month).unwrap_or(false)
            && pattern
                .day_match(i32::from(date.year()), month, date.day() as u32, weekday)
                .unwrap_or(false)
        {
            return true;
        }
        match date.tomorrow() {
            Ok(next) => date = next,
            Err(_) => return true,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().expect("test timestamp")
    }

    fn parse(trigger_type: TriggerType, config: Value) -> Result<Trigger, ValidationErrors> {
        Trigger::parse(trigger_type, &config)
    }

    fn cron(config: Value) -> Trigger {
        parse(TriggerType::Cron, config.clone()).unwrap_or_else(|e| panic!("{config}: {e}"))
    }

    fn spec(expression: &str) -> CronSpec {
        match cron(json!({ "cron": expression })).kind {
            TriggerKind::Cron(spec) => spec,
            other => panic!("not a cron: {other:?}"),
        }
    }

    /// The fields named by the errors, in order.
    fn fields(result: Result<Trigger, ValidationErrors>) -> Vec<String> {
        match result {
            Ok(trigger) => panic!("expected errors, parsed {trigger:?}"),
            Err(errors) => errors.0.into_iter().map(|e| e.field).collect(),
        }
    }

    /// The single error's field and message.
    fn only_error(result: Result<Trigger, ValidationErrors>) -> (String, String) {
        match result {
            Ok(trigger) => panic!("expected an error, parsed {trigger:?}"),
            Err(errors) => {
                assert_eq!(errors.0.len(), 1, "expected one error: {errors}");
                let error = errors.0.into_iter().next().expect("one error");
                (error.field, error.message)
            }
        }
    }

    fn cron_error(expression: &str) -> String {
        let (field, message) = only_error(parse(TriggerType::Cron, json!({ "cron": expression })));
        assert_eq!(field, "cron", "{expression}");
        message
    }

    // ----- TriggerType -------------------------------------------------------------------

    #[test]
    fn trigger_type_round_trips_through_str_display_and_serde() {
        for t in TriggerType::ALL {
            assert_eq!(t.as_str().parse::<TriggerType>(), Ok(t));
            assert_eq!(t.to_string(), t.as_str());
            assert_eq!(
                serde_json::to_value(t).expect("serialize"),
                json!(t.as_str())
            );
            assert_eq!(
                serde_json::from_value::<TriggerType>(json!(t.as_str())).expect("de"),
                t
            );
        }
        let err = "Cron".parse::<TriggerType>().expect_err("case matters");
        assert!(err.contains("cron, interval, date"), "{err}");
        assert!(serde_json::from_value::<TriggerType>(json!("weekly")).is_err());
    }

    // ----- cron: accepted shapes -----------------------------------------------------------

    #[test]
    fn cron_accepts_the_original_shape_and_defaults_to_utc() {
        let t = cron(json!({"cron": "0 0 * * *", "timezone": "Asia/Shanghai"}));
        assert_eq!(t.trigger_type(), TriggerType::Cron);
        assert_eq!(t.timezone_name(), "Asia/Shanghai");
        assert_eq!(t.start_at, None);
        assert_eq!(t.end_at, None);
        assert_eq!(t.jitter_seconds, 0);

        let t = cron(json!({"cron": "0 0 * * *"}));
        assert_eq!(t.timezone_name(), "UTC");
        let t = cron(json!({"cron": "0 0 * * *", "timezone": null}));
        assert_eq!(t.timezone_name(), "UTC");
    }

    #[test]
    fn cron_timezone_name_is_canonicalized() {
        let t = cron(json!({"cron": "0 0 * * *", "timezone": "america/new_york"}));
        assert_eq!(t.timezone_name(), "America/New_York");
        let t = cron(json!({"cron": "0 0 * * *", "timezone": "Australia/Lord_Howe"}));
        assert_eq!(t.timezone_name(), "Australia/Lord_Howe");
    }

    #[test]
    fn cron_accepts_five_and_six_fields_and_the_special_characters() {
        for expression in [
            "* * * * *",
            "0 0 * * *",
            "*/15 9-17 * * MON-FRI",
            "0 12 * JAN,JUL sun",
            "5,10-20/5 */2 1-15 */3 1-5",
            "0 0 L * *",
            "0 0 LW * *",
            "0 0 15W * *",
            "0 0 1,15,L * *",
            "0 0 ? * 1#2",
            "0 0 * * 5L",
            "0 0 * * 5#L",
            "0 0 * * 7",
            "0 0 13 * 5",
            "0 0 29 2 *",
            "30 0 0 * * *",
            "*/10 * * * * *",
            "0 30 2 * * ?",
            "  0 0 * * *  ",
        ] {
            let spec = spec(expression);
            assert_eq!(spec.expression(), expression.trim());
        }
    }

    #[test]
    fn cron_accepts_every_macro_case_insensitively() {
        for (expression, fixed) in [
            ("@yearly", true),
            ("@annually", true),
            ("@monthly", true),
            ("@weekly", true),
            ("@daily", true),
            ("@midnight", true),
            ("@hourly", false),
            ("@DAILY", true),
        ] {
            let spec = spec(expression);
            assert_eq!(spec.expression(), expression);
            assert_eq!(spec.is_fixed_time(), fixed, "{expression}");
        }
    }

    #[test]
    fn fixed_time_means_neither_minute_nor_hour_starts_with_a_star() {
        for (expression, fixed) in [
            ("30 2 * * *", true),
            ("0,30 1-2 * * *", true),
            ("0 1,2 * * *", true),
            ("15 30 2 * * *", true),
            ("*/15 * * * *", false),
            ("0 * * * *", false),
            ("30 */2 * * *", false),
            ("*/5 2 * * *", false),
            ("* 30 2 * * *", true),
            ("0 0-23/2 * * *", true),
            ("0-30/10 2 * * *", true),
            ("*/10 30 2 * * *", true),
            ("0 * 2 * * *", false),
            ("30 2 */2 * *", true),
        ] {
            assert_eq!(spec(expression).is_fixed_time(), fixed, "{expression}");
        }
    }

    // ----- cron: rejections ------------------------------------------------------------------

    #[test]
    fn cron_rejects_wrong_field_counts() {
        assert!(cron_error("* * * *").contains("has 4 field(s)"));
        assert!(cron_error("* * * * * * * *").contains("has 8 field(s)"));
        let seven = cron_error("0 0 0 1 1 * 2030");
        assert!(
            seven.contains("7 fields") && seven.contains("year"),
            "{seven}"
        );
    }

    #[test]
    fn cron_rejects_reboot_and_unknown_macros() {
        assert!(cron_error("@reboot").contains("@reboot is not supported"));
        assert!(cron_error("@REBOOT").contains("@reboot is not supported"));
        assert!(cron_error("@fortnightly").contains("unknown macro"));
        assert!(cron_error("@daily 0").contains("unknown macro"));
    }

    #[test]
    fn cron_rejects_empty_long_and_control_characters() {
        assert!(cron_error("").contains("must not be empty"));
        assert!(cron_error("   ").contains("must not be empty"));
        let long = format!("0 0 * * {}", "1,".repeat(200) + "1");
        assert!(cron_error(&long).contains("too long"));
        assert!(cron_error("0\t0 * * *").contains("control characters"));
        assert!(cron_error("0 0 * * *\n").contains("control characters"));
        assert!(cron_error("0 0 * * \u{7f}1").contains("control characters"));
    }

    #[test]
    fn cron_errors_name_the_bad_field() {
        for (expression, field) in [
            ("60 * * * *", "minute"),
            ("* 24 * * *", "hour"),
            ("* * 32 * *", "day-of-month"),
            ("* * * 13 *", "month"),
            ("* * * * 8", "day-of-week"),
            ("* * * * MON#6", "day-of-week"),
            ("61 * * * * *", "second"),
            ("0/10 * * * *", "minute"),
            ("*/0 * * * *", "minute"),
        ] {
            let message = cron_error(expression);
            assert!(
                message.contains(&format!("invalid {field} field")),
                "{expression}: {message}"
            );
        }
        assert!(cron_error("0 0 1 * +MON").contains("'+'"));
        assert!(cron_error("x y z w v").contains("invalid minute field"));
        assert!(cron_error("0 0 L 2 1W").contains("invalid day-of-week field"));
        assert!(cron_error("0 0 * * L").contains("L needs a weekday"));
        assert!(cron_error("0 0 l,lw * *").contains("not both"));
    }

    #[test]
    fn cron_rejects_expressions_that_never_match() {
        for expression in [
            "0 0 30 2 *",
            "0 0 31 4,6,9,11 *",
            "0 0 30,31 2 ?",
            "0 0 31W 2 *",
        ] {
            assert!(
                cron_error(expression).contains("never matches"),
                "{expression}"
            );
        }
        // Rare, but real: the fifth Monday of February (2016-02-29) and Feb 29.
        spec("0 0 * 2 1#5");
        spec("0 0 29 2 *");
        // Restricted day-of-week ORs in, so a missing day of month is fine.
        spec("0 0 30 2 MON");
        // A starred day field makes both fields count: Mondays on odd days of February exist,
        // Sundays on February 31st do not.
        spec("0 0 */2 2 1");
        assert!(cron_error("0 0 30 2 */7").contains("never matches"));
    }

    /// Whether `expression` fires at midnight on `date` (as UTC wall time).
    fn fires_on(expression: &str, date: &str) -> bool {
        let day: Date = date.parse().expect("test date");
        spec(expression)
            .cron()
            .is_time_matching(&day.to_datetime(jiff::civil::Time::midnight()))
            .expect("valid date")
    }

    #[test]
    fn day_fields_follow_vixie_cron() {
        // 2027-03-01 and 2027-03-15 are Mondays.
        let cases = [
            // A day field starting with `*` makes both fields count: odd days that are Mondays.
            ("0 0 */2 * 1", "2027-03-01", true),
            ("0 0 */2 * 1", "2027-03-15", true),
            ("0 0 */2 * 1", "2027-03-03", false),
            ("0 0 */2 * 1", "2027-03-08", false),
            ("0 0 1,15 * */2", "2027-03-01", false),
            ("0 0 1,15 * */2", "2027-04-15", true),
            ("0 0 ? * 1", "2027-03-08", true),
            ("0 0 1 * ?", "2027-03-01", true),
            ("0 0 1 * ?", "2027-03-02", false),
            // Neither starts with `*`: the 1st, the 15th and every Monday.
            ("0 0 1,15 * 1", "2027-03-08", true),
            ("0 0 1,15 * 1", "2027-04-01", true),
            ("0 0 1,15 * 1", "2027-04-02", false),
            ("0 0 1-31/2 * 1", "2027-03-08", true),
            ("0 0 1-31/2 * 1", "2027-03-03", true),
            ("0 0 * * SUN-SUN", "2027-03-07", true),
            ("0 0 * * SUN-SUN", "2027-03-08", false),
            ("0 0 * * 0-SUN/2", "2027-03-08", false),
            ("0 0 * * MON-SUN", "2027-03-07", true),
            ("0 0 * * MON-SUN", "2027-03-08", true),
            ("@weekly", "2027-03-07", true),
            ("@weekly", "2027-03-08", false),
            ("@monthly", "2027-03-01", true),
        ];
        for (expression, date, fires) in cases {
            assert_eq!(fires_on(expression, date), fires, "{expression} on {date}");
        }
    }

    #[test]
    fn cron_rejects_non_strings_and_missing_expression() {
        assert_eq!(
            only_error(parse(TriggerType::Cron, json!({"cron": 5}))),
            (
                "cron".to_owned(),
                "must be a string, e.g. \"0 0 * * *\"".to_owned()
            )
        );
        assert_eq!(only_error(parse(TriggerType::Cron, json!({}))).0, "cron");
        assert_eq!(
            only_error(parse(TriggerType::Cron, json!({"cron": null}))).1,
            "is required"
        );
    }

    #[test]
    fn cron_rejects_bad_zones() {
        for zone in [
            json!("Mars/Olympus_Mons"),
            json!(""),
            json!("EST5EDT,M3.2.0,M11.1.0"),
            json!(3),
        ] {
            let (field, _) = only_error(parse(
                TriggerType::Cron,
                json!({"cron": "0 0 * * *", "timezone": zone}),
            ));
            assert_eq!(field, "timezone", "{zone}");
        }
        let (_, message) = only_error(parse(
            TriggerType::Cron,
            json!({"cron": "0 0 * * *", "timezone": "Europe/Pariss"}),
        ));
        assert!(message.contains("unknown time zone"), "{message}");
    }

    #[test]
    fn zones_come_from_the_bundled_database() {
        // jiff::tz::db() would read /usr/share/zoneinfo when the host has it; we never do.
        assert_eq!(
            format!("{:?}", tz_database()),
            "TimeZoneDatabase(Bundled(available))"
        );
        for zone in [
            "America/New_York",
            "Europe/Paris",
            "Australia/Lord_Howe",
            "Asia/Kolkata",
            "UTC",
        ] {
            assert!(tz_database().get(zone).is_ok(), "{zone}");
        }
    }

    // ----- interval ---------------------------------------------------------------------------

    #[test]
    fn interval_accepts_seconds_and_start_at_as_anchor() {
        let t = parse(TriggerType::Interval, json!({"seconds": 300})).expect("valid");
        assert_eq!(
            t.kind,
            TriggerKind::Interval {
                every_seconds: 300,
                anchor: None
            }
        );
        assert_eq!(t.timezone_name(), "UTC");

        let t = parse(
            TriggerType::Interval,
            json!({"seconds": 1, "start_at": "2030-01-01T08:00:00+08:00"}),
        )
        .expect("valid");
        let anchor = ts("2030-01-01T00:00:00Z");
        assert_eq!(
            t.kind,
            TriggerKind::Interval {
                every_seconds: 1,
                anchor: Some(anchor)
            }
        );
        assert_eq!(t.start_at, Some(anchor));

        let t = parse(
            TriggerType::Interval,
            json!({"seconds": MAX_INTERVAL_SECONDS}),
        )
        .expect("valid");
        assert_eq!(
            t.kind,
            TriggerKind::Interval {
                every_seconds: MAX_INTERVAL_SECONDS,
                anchor: None
            }
        );
    }

    #[test]
    fn interval_rejects_bad_seconds() {
        for (seconds, needle) in [
            (json!(0), "at least 1"),
            (json!(-5), "at least 1"),
            (json!(1.5), "whole number"),
            (json!(300.0), "whole number"),
            (json!("300"), "integer"),
            (json!(true), "integer"),
            (json!(MAX_INTERVAL_SECONDS + 1), "at most"),
            (json!(u64::MAX), "at most"),
        ] {
            let (field, message) =
                only_error(parse(TriggerType::Interval, json!({"seconds": seconds})));
            assert_eq!(field, "seconds", "{seconds}");
            assert!(message.contains(needle), "{seconds}: {message}");
        }
        assert_eq!(
            only_error(parse(TriggerType::Interval, json!({}))),
            ("seconds".into(), "is required".into())
        );
    }

    // ----- date -------------------------------------------------------------------------------

    #[test]
    fn date_accepts_rfc3339_with_any_offset() {
        let t = parse(TriggerType::Date, json!({"at": "2025-01-01T00:00:00Z"})).expect("valid");
        assert_eq!(
            t.kind,
            TriggerKind::Date {
                at: ts("2025-01-01T00:00:00Z")
            }
        );
        let t = parse(
            TriggerType::Date,
            json!({"at": "2025-01-01T08:00:00.250+08:00"}),
        )
        .expect("valid");
        assert_eq!(
            t.kind,
            TriggerKind::Date {
                at: ts("2025-01-01T00:00:00.25Z")
            }
        );
    }

    #[test]
    fn date_rejects_missing_offsets_and_garbage() {
        for (at, needle) in [
            (json!("2030-01-01T00:00:00"), "no UTC offset"),
            (json!("2030-01-01"), "no UTC offset"),
            (
                json!("2030-01-01T00:00:00+01:00[Europe/Paris]"),
                "annotation",
            ),
            (json!("next tuesday"), "not an RFC 3339"),
            (json!("2030-02-30T00:00:00Z"), "not an RFC 3339"),
            (json!(1_893_456_000), "RFC 3339 timestamp string"),
        ] {
            let (field, message) = only_error(parse(TriggerType::Date, json!({"at": at})));
            assert_eq!(field, "at", "{at}");
            assert!(message.contains(needle), "{at}: {message}");
        }
        assert_eq!(only_error(parse(TriggerType::Date, json!({}))).0, "at");
    }

    #[test]
    fn date_outside_its_window_is_rejected() {
        let (field, message) = only_error(parse(
            TriggerType::Date,
            json!({"at": "2030-01-01T00:00:00Z", "start_at": "2030-06-01T00:00:00Z"}),
        ));
        assert_eq!(
            (field.as_str(), message.contains("before start_at")),
            ("at", true)
        );
        let (field, message) = only_error(parse(
            TriggerType::Date,
            json!({"at": "2030-01-01T00:00:00Z", "end_at": "2029-06-01T00:00:00Z"}),
        ));
        assert_eq!(
            (field.as_str(), message.contains("after end_at")),
            ("at", true)
        );
    }

    // ----- common keys ------------------------------------------------------------------------

    #[test]
    fn common_keys_are_accepted_on_every_type() {
        let common = json!({
            "start_at": "2030-01-01T00:00:00Z",
            "end_at": "2031-01-01T00:00:00Z",
            "jitter_seconds": 3600,
        });
        for (trigger_type, own) in [
            (TriggerType::Cron, json!({"cron": "0 0 * * *"})),
            (TriggerType::Interval, json!({"seconds": 60})),
            (TriggerType::Date, json!({"at": "2030-06-01T00:00:00Z"})),
        ] {
            let mut config = own.as_object().expect("object").clone();
            config.extend(common.as_object().expect("object").clone());
            let t = Trigger::parse(trigger_type, &Value::Object(config)).expect("valid");
            assert_eq!(t.start_at, Some(ts("2030-01-01T00:00:00Z")));
            assert_eq!(t.end_at, Some(ts("2031-01-01T00:00:00Z")));
            assert_eq!(t.jitter_seconds, 3600);
        }
        let t = parse(
            TriggerType::Interval,
            json!({"seconds": 60, "jitter_seconds": 0}),
        )
        .expect("valid");
        assert_eq!(t.jitter_seconds, 0);
    }

    #[test]
    fn end_at_must_be_after_start_at() {
        for end in ["2030-01-01T00:00:00Z", "2029-01-01T00:00:00Z"] {
            let (field, message) = only_error(parse(
                TriggerType::Interval,
                json!({"seconds": 60, "start_at": "2030-01-01T00:00:00Z", "end_at": end}),
            ));
            assert_eq!(
                (field.as_str(), message.as_str()),
                ("end_at", "must be after start_at")
            );
        }
    }

    #[test]
    fn jitter_must_be_an_integer_within_an_hour() {
        for jitter in [
            json!(3601),
            json!(-1),
            json!(1.5),
            json!("5"),
            json!(u64::MAX),
        ] {
            let (field, _) = only_error(parse(
                TriggerType::Interval,
                json!({"seconds": 60, "jitter_seconds": jitter}),
            ));
            assert_eq!(field, "jitter_seconds", "{jitter}");
        }
    }

    #[test]
    fn instants_outside_the_supported_range_are_refused_when_set() {
        let bounds = |trigger_type, config: Value| {
            let trigger = parse(trigger_type, config.clone()).expect("parses");
            trigger
                .check_bounds()
                .map_err(|e| e.0.into_iter().map(|e| e.field).collect::<Vec<_>>())
        };
        let last = "2999-12-31T23:59:59Z";
        assert_eq!(LAST_INSTANT.to_string(), last);
        assert_eq!(bounds(TriggerType::Date, json!({"at": last})), Ok(()));
        assert_eq!(
            bounds(TriggerType::Date, json!({"at": "3000-01-01T00:00:00Z"})),
            Err(vec!["at".to_owned()])
        );
        assert_eq!(
            bounds(
                TriggerType::Cron,
                json!({"cron": "@daily", "start_at": "1969-12-31T23:59:59Z", "end_at": "9999-01-01T00:00:00+08:00"})
            ),
            Err(vec!["start_at".to_owned(), "end_at".to_owned()])
        );
        let errors = parse(TriggerType::Date, json!({"at": "3000-01-01T00:00:00Z"}))
            .expect("parses")
            .check_bounds()
            .expect_err("out of range");
        assert!(errors.0[0].message.contains(last), "{errors}");
    }

    #[test]
    fn jitter_must_be_less_than_the_shortest_period() {
        for (trigger_type, config, period) in [
            (TriggerType::Interval, json!({"seconds": 60}), 60),
            (TriggerType::Interval, json!({"seconds": 1}), 1),
            (TriggerType::Cron, json!({"cron": "* * * * *"}), 60),
            (TriggerType::Cron, json!({"cron": "*/5 * * * *"}), 300),
            (TriggerType::Cron, json!({"cron": "0,50 * * * *"}), 600),
            (TriggerType::Cron, json!({"cron": "*/20 * * * * *"}), 20),
            (TriggerType::Cron, json!({"cron": "0 9,17 * * *"}), 8 * 3600),
            (TriggerType::Cron, json!({"cron": "0 0 29 2 *"}), 86_400),
            (TriggerType::Cron, json!({"cron": "@hourly"}), 3600),
            (
                TriggerType::Date,
                json!({"at": "2030-01-01T00:00:00Z"}),
                u64::MAX,
            ),
        ] {
            let trigger = parse(trigger_type, config.clone()).expect("parses");
            assert_eq!(trigger.shortest_period_seconds(), period, "{config}");
            let jittered = |jitter: u64| {
                let mut config = config.clone();
                config["jitter_seconds"] = json!(jitter.min(u64::from(MAX_JITTER_SECONDS)));
                parse(trigger_type, config).expect("parses").check_bounds()
            };
            assert_eq!(jittered(period - 1), Ok(()), "{config}");
            if period <= u64::from(MAX_JITTER_SECONDS) {
                let errors = jittered(period).expect_err("too long");
                assert_eq!(errors.0[0].field, "jitter_seconds", "{config}");
            }
        }
    }

    #[test]
    fn start_and_end_must_be_timestamps() {
        assert_eq!(
            fields(parse(
                TriggerType::Cron,
                json!({"cron": "0 0 * * *", "start_at": "soon", "end_at": "2030-01-01T00:00:00"}),
            )),
            ["start_at", "end_at"]
        );
    }

    #[test]
    fn unknown_keys_are_errors_on_the_key() {
        let (field, message) = only_error(parse(
            TriggerType::Interval,
            json!({"seconds": 60, "minutes": 1}),
        ));
        assert_eq!(field, "minutes");
        assert!(
            message.contains("seconds, start_at, end_at, jitter_seconds"),
            "{message}"
        );
        // A key of another trigger type is unknown too.
        assert_eq!(
            only_error(parse(
                TriggerType::Date,
                json!({"at": "2030-01-01T00:00:00Z", "timezone": "UTC"})
            ))
            .0,
            "timezone"
        );
    }

    #[test]
    fn config_must_be_an_object() {
        for config in [json!([]), json!("0 0 * * *"), json!(null), json!(5)] {
            assert_eq!(only_error(parse(TriggerType::Cron, config)).0, "");
        }
        let errors = parse(TriggerType::Cron, json!([]))
            .expect_err("invalid")
            .prefixed("trigger_config");
        assert_eq!(errors.0[0].field, "trigger_config");
    }

    #[test]
    fn all_errors_are_collected() {
        let result = parse(
            TriggerType::Cron,
            json!({
                "cron": "0 0 * * * * *",
                "timezone": "Nowhere/Land",
                "color": "blue",
                "start_at": "2030-01-01T00:00:00Z",
                "end_at": "2020-01-01T00:00:00Z",
                "jitter_seconds": 99999,
            }),
        );
        let mut got = fields(result);
        got.sort();
        assert_eq!(
            got,
            ["color", "cron", "end_at", "jitter_seconds", "timezone"]
        );
    }

    // ----- check_not_expired / anchored_at / to_config_json -----------------------------------

    #[test]
    fn check_not_expired_rejects_past_dates_and_ends() {
        let now = ts("2030-01-01T00:00:00Z");
        let date = |at: &str| parse(TriggerType::Date, json!({"at": at})).expect("valid");
        assert_eq!(date("2030-01-01T00:00:01Z").check_not_expired(now), Ok(()));
        for at in ["2030-01-01T00:00:00Z", "2029-12-31T23:59:59Z"] {
            let errors = date(at).check_not_expired(now).expect_err("past");
            assert_eq!(errors.0.len(), 1);
            assert_eq!(errors.0[0].field, "at");
        }
        let ended = parse(
            TriggerType::Cron,
            json!({"cron": "@daily", "end_at": "2029-06-01T00:00:00Z"}),
        )
        .expect("valid");
        assert_eq!(
            ended.check_not_expired(now).expect_err("ended").0[0].field,
            "end_at"
        );
        let running = parse(
            TriggerType::Cron,
            json!({"cron": "@daily", "end_at": "2030-06-01T00:00:00Z"}),
        )
        .expect("valid");
        assert_eq!(running.check_not_expired(now), Ok(()));
    }

    #[test]
    fn anchored_at_anchors_only_unanchored_intervals() {
        let created = ts("2030-01-01T12:34:56Z");
        let t = parse(TriggerType::Interval, json!({"seconds": 60}))
            .expect("valid")
            .anchored_at(created);
        assert_eq!(
            t.kind,
            TriggerKind::Interval {
                every_seconds: 60,
                anchor: Some(created)
            }
        );
        assert_eq!(t.start_at, Some(created));

        let explicit = parse(
            TriggerType::Interval,
            json!({"seconds": 60, "start_at": "2030-02-01T00:00:00Z"}),
        )
        .expect("valid");
        assert_eq!(explicit.clone().anchored_at(created), explicit);
        let c = cron(json!({"cron": "@daily"}));
        assert_eq!(c.clone().anchored_at(created), c);
    }

    #[test]
    fn to_config_json_keeps_the_original_shapes() {
        let t = cron(json!({"cron": "0 0 * * *", "timezone": "asia/shanghai"}));
        assert_eq!(
            t.to_config_json(),
            json!({"cron": "0 0 * * *", "timezone": "Asia/Shanghai"})
        );
        let t = cron(json!({"cron": "@daily"}));
        assert_eq!(
            t.to_config_json(),
            json!({"cron": "@daily", "timezone": "UTC"})
        );

        let t = parse(TriggerType::Interval, json!({"seconds": 300})).expect("valid");
        assert_eq!(t.to_config_json(), json!({"seconds": 300}));
        let t = t.anchored_at(ts("2030-01-01T00:00:00Z"));
        assert_eq!(
            t.to_config_json(),
            json!({"seconds": 300, "start_at": "2030-01-01T00:00:00Z"})
        );

        let t = parse(
            TriggerType::Date,
            json!({"at": "2030-01-01T08:00:00+08:00", "end_at": "2030-01-02T00:00:00Z", "jitter_seconds": 5}),
        )
        .expect("valid");
        assert_eq!(
            t.to_config_json(),
            json!({"at": "2030-01-01T00:00:00Z", "end_at": "2030-01-02T00:00:00Z", "jitter_seconds": 5})
        );
        for t in [
            cron(json!({"cron": "@daily"})),
            t.clone(),
            t.anchored_at(ts("2030-01-01T00:00:00Z")),
        ] {
            assert_eq!(Trigger::parse(t.trigger_type(), &t.to_config_json()), Ok(t));
        }
    }

    // ----- round-trip property ------------------------------------------------------------------

    fn timestamp_strategy() -> impl Strategy<Value = Timestamp> {
        // 2000..2100, nanosecond precision some of the time.
        (
            946_684_800i64..4_102_444_800,
            prop_oneof![Just(0i32), 0i32..1_000_000_000],
        )
            .prop_map(|(s, ns)| Timestamp::new(s, ns).expect("in range"))
    }

    fn config_strategy() -> impl Strategy<Value = (TriggerType, Value)> {
        let cron_expr = prop::sample::select(vec![
            "* * * * *",
            "0 0 * * *",
            "*/15 9-17 * * MON-FRI",
            "0 0 L * *",
            "0 0 15W * *",
            "0 0 ? * 5#2",
            "30 0 0 * * *",
            "@daily",
            "@hourly",
            "@Weekly",
            "0 12 1,15 * 1",
        ]);
        let zone = prop::sample::select(vec![
            "UTC",
            "America/New_York",
            "europe/paris",
            "Australia/Lord_Howe",
            "Asia/Kolkata",
        ]);
        let kind = prop_oneof![
            (cron_expr, prop::option::of(zone)).prop_map(|(c, z)| {
                let mut m = Map::new();
                m.insert("cron".into(), json!(c));
                if let Some(z) = z {
                    m.insert("timezone".into(), json!(z));
                }
                (TriggerType::Cron, m)
            }),
            (1u64..=MAX_INTERVAL_SECONDS).prop_map(|s| {
                let mut m = Map::new();
                m.insert("seconds".into(), json!(s));
                (TriggerType::Interval, m)
            }),
            timestamp_strategy().prop_map(|at| {
                let mut m = Map::new();
                m.insert("at".into(), json!(at.to_string()));
                (TriggerType::Date, m)
            }),
        ];
        (
            kind,
            prop::option::of(timestamp_strategy()),
            prop::option::of(1i64..10_000_000_000),
            prop::option::of(0u32..=MAX_JITTER_SECONDS),
        )
            .prop_filter_map(
                "date outside its window",
                |((t, mut m), start, len, jitter)| {
                    if let Some(start) = start {
                        // Render with a non-UTC offset to exercise normalization.
                        let shown = start
                            .to_zoned(TimeZone::fixed(jiff::tz::offset(8)))
                            .strftime("%Y-%m-%dT%H:%M:%S%.f%:z");
                        m.insert("start_at".into(), json!(shown.to_string()));
                        if let Some(len) = len {
                            let end = start
                                .checked_add(jiff::SignedDuration::from_secs(len))
                                .ok()?;
                            m.insert("end_at".into(), json!(end.to_string()));
                        }
                    }
                    if let Some(j) = jitter {
                        m.insert("jitter_seconds".into(), json!(j));
                    }
                    let config = Value::Object(m);
                    Trigger::parse(t, &config).ok().map(|_| (t, config))
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn to_config_json_round_trips((trigger_type, config) in config_strategy(), anchor in timestamp_strategy()) {
            let parsed = Trigger::parse(trigger_type, &config).expect("strategy yields valid configs");
            for t in [parsed.clone(), parsed.anchored_at(anchor)] {
                let json = t.to_config_json();
                prop_assert_eq!(Trigger::parse(t.trigger_type(), &json), Ok(t.clone()), "{}", json);
                // And canonical output is a fixed point.
                prop_assert_eq!(Trigger::parse(t.trigger_type(), &json).map(|t| t.to_config_json()), Ok(json));
            }
        }
    }
}
