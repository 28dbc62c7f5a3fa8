//! The OpenAPI document: generated from the handlers by utoipa, then completed with what the
//! derive cannot say.
//!
//! Request bodies are parsed from JSON values so that every problem can be reported at once,
//! which leaves their generated schemas untyped. The schemas below replace them: each trigger
//! and task configuration is typed per `trigger_type` and `type` (a `oneOf` whose variants
//! each fix the tag's value), policies and statuses are enums, and every fixed bound the server enforces
//! is in the schema. Bounds an operator configures are only described, so the document is the
//! same for every deployment.

use domain::policy::{DEFAULT_MISFIRE_GRACE_SECONDS, MAX_RETRIES, MAX_RETRY_DELAY_SECONDS};
use domain::task::{MAX_MISFIRE_GRACE_SECONDS, MAX_TIMEOUT_SECONDS};
use domain::task_config::{
    MAX_ENV_VARS, MAX_HEADER_VALUE_LEN, MAX_HEADERS, MAX_SCRIPT_BYTES, MAX_URL_LEN,
};
use domain::trigger::{MAX_CRON_LEN, MAX_INTERVAL_SECONDS, MAX_JITTER_SECONDS, MAX_TIMEZONE_LEN};
use domain::{Description, RECENT_OUTCOMES_KEPT, TaskCode, TaskName};
use serde_json::{Map, Value, json};
use store::TaskSortField;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
use utoipa::openapi::{Ref, RefOr, Schema};

use crate::routes::tasks::{DEFAULT_LOG_PAGE, MAX_BATCH, MAX_LOG_PAGE, MAX_PAGE_SIZE, MAX_PREVIEW};
use crate::routes::tenant::MAX_ALLOW_ENTRIES;

/// The values of each enum the API reads or writes, by component name. The api tests check
/// each list against the server's parser.
pub const ENUMS: &[(&str, &str, &[&str])] = &[
    (
        "TaskType",
        "What a task does.",
        &["api_call", "python_script"],
    ),
    (
        "TriggerType",
        "When a task fires.",
        &["cron", "interval", "date"],
    ),
    (
        "OverlapPolicy",
        "What happens when an occurrence comes due while a run of the task is still running: \
         `skip` records it as skipped (the default), `allow` runs both, `queue_one` keeps at \
         most one waiting, `replace` cancels the running one.",
        &["skip", "allow", "queue_one", "replace"],
    ),
    (
        "MisfirePolicy",
        "What happens to occurrences missed by more than `misfire_grace_seconds`: `fire_once` \
         runs the most recent once (the default), `skip` skips them all, `fire_all` runs each \
         (at most 100).",
        &["fire_once", "skip", "fire_all"],
    ),
    (
        "Backoff",
        "How the delay between attempts grows.",
        &["fixed", "exponential"],
    ),
    (
        "HttpMethod",
        "The method of an `api_call` (read case-insensitively, answered in capitals).",
        &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
    ),
    (
        "RunStatus",
        "The state of a run.",
        &[
            "queued",
            "running",
            "succeeded",
            "failed",
            "timed_out",
            "cancelled",
            "skipped",
        ],
    ),
    (
        "LastRunStatus",
        "How a task's latest run ended, in the original design's words: `success` (it \
         succeeded), `failed` (it failed or timed out) or `cancelled`. The detail is in \
         `last_run_outcome`.",
        &["success", "failed", "cancelled"],
    ),
    (
        "LastRunStatusFilter",
        "A `last_run_status` to filter by: the design's `success`, `failed` (failed or timed \
         out) and `cancelled`, the detailed `succeeded` and `timed_out`, or `none` (no run \
         has ended yet).",
        &[
            "success",
            "failed",
            "cancelled",
            "succeeded",
            "timed_out",
            "none",
        ],
    ),
    (
        "RunOutcome",
        "How a run ended: `succeeded`, `failed`, `timed_out` or `cancelled`.",
        &["succeeded", "failed", "timed_out", "cancelled"],
    ),
    (
        "RunOutcomeFilter",
        "A `last_run_outcome` to filter by: `succeeded`, `failed`, `timed_out`, `cancelled`, \
         or `none` (no run has ended yet).",
        &["succeeded", "failed", "timed_out", "cancelled", "none"],
    ),
    (
        "RunTrigger",
        "Why a run exists.",
        &["schedule", "manual", "catch_up", "chain"],
    ),
    (
        "SkipReason",
        "Why an occurrence was skipped.",
        &["overlap", "misfire", "quota", "stopped"],
    ),
    (
        "LogStream",
        "Which output a log line came from.",
        &["stdout", "stderr", "system"],
    ),
    (
        "AuditAction",
        "The change a version records.",
        &[
            "create",
            "update",
            "start",
            "stop",
            "delete",
            "run_now",
            "cancel",
            "restore",
            "chains",
            "deadlines",
            "notify_rules",
        ],
    ),
    (
        "DstPolicy",
        "How a cron task behaves across DST changes: `fixed_time` (a local time skipped by the \
         change fires once right after the gap; a repeated one fires once, on its first pass) \
         or `every_match` (fires at every real instant that matches).",
        &["fixed_time", "every_match"],
    ),
];

/// The completed document, as served on `/api/openapi.json` and printed by `sundial openapi`.
pub fn document(generated: utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(generated).expect("the OpenAPI document serializes");
    describe_responses(&mut doc);
    add_rate_limit_responses(&mut doc);
    describe_parameters(&mut doc);
    let schemas = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .expect("the document has component schemas");
    schemas.extend(typed_schemas());
    if let Some(items) =
        doc.pointer_mut("/components/schemas/ExportResponse/properties/tasks/items")
    {
        *items = json!({"$ref": "#/components/schemas/ExportedTask"});
    }
    doc
}

/// The alert configuration an exported task carries (docs/api.md, Alert configuration in an
/// export). Its limits are those of `PUT /{uuid}/chains` and `PUT /{uuid}/deadlines`, which
/// judge them, so the descriptions name them rather than restate them as bounds.
fn alert_properties() -> Map<String, Value> {
    let Value::Object(properties) = json!({
        "chains": {
            "type": ["array", "null"],
            "description": "The tasks this task's runs queue (at most 20), in order, each by its code: a task the request creates or keeps, or a live task of the tenant. `[]` removes every link.",
            "items": {
                "type": "object", "required": ["task_code", "on"], "additionalProperties": false,
                "properties": {
                    "task_code": {"type": "string", "description": "The child task's code."},
                    "on": {"type": "string", "description": "`success`, `failure` or `completion`."},
                },
            },
        },
        "deadlines": {
            "type": ["array", "null"],
            "description": "The task's dead-man deadlines (at most 10), as `PUT /{uuid}/deadlines` takes them. `[]` removes them.",
            "items": {
                "type": "object", "additionalProperties": false,
                "properties": {
                    "every_seconds": {"type": "integer"},
                    "by": {"type": "string", "description": "`HH:MM`."},
                    "timezone": {"type": "string"},
                    "days": {"type": "string", "description": "Day-of-month, month and day-of-week fields of a cron expression."},
                },
            },
        },
        "notify_rules": {
            "type": ["array", "null"],
            "description": "The task's own notification rules, each channel by its name (a channel of the tenant). `[]` removes them.",
            "items": {
                "type": "object", "required": ["channel_name", "event"], "additionalProperties": false,
                "properties": {
                    "channel_name": {"type": "string"},
                    "event": {"type": "string", "description": "`run.failed`, `run.recovered`, `run.slow`, `occurrence.skipped` or `deadline.missed`."},
                    "threshold": {"type": ["integer", "null"], "description": "As `POST /{uuid}/notify-rules` takes it."},
                    "throttle_seconds": {"type": ["integer", "null"], "description": "As `POST /{uuid}/notify-rules` takes it (default 900)."},
                },
            },
        },
    }) else {
        unreachable!("a JSON object literal")
    };
    properties
}

/// A reference to the component schema `name`, or to it or null; `description` says what the
/// property or parameter holding it means (utoipa drops the doc comment of a field whose
/// schema is given by `schema_with`).
fn reference(name: &str, nullable: bool, description: &str) -> RefOr<Schema> {
    let mut reference = Ref::from_schema_name(name);
    if nullable {
        OneOfBuilder::new()
            .item(reference)
            .item(ObjectBuilder::new().schema_type(Type::Null))
            .description(Some(description))
            .into()
    } else {
        reference.description = description.to_owned();
        RefOr::Ref(reference)
    }
}

/// Functions for `schema_with`, each naming a component schema (`?` after it: or null) and
/// saying what the field holding it means.
macro_rules! described_refs {
    ($($fn_name:ident => $schema:literal $($nullable:literal)?: $description:literal),* $(,)?) => {
        $(
            #[doc = concat!("`", $schema, "`: ", $description)]
            pub(crate) fn $fn_name() -> RefOr<Schema> {
                reference($schema, false $(|| $nullable)?, $description)
            }
        )*
    };
}

described_refs! {
    task_type => "TaskType": "What the task does.",
    trigger_type => "TriggerType": "When the task fires.",
    trigger_config => "TriggerConfig": "Canonical trigger configuration, of the shape `trigger_type` names.",
    task_config => "TaskConfig": "Canonical task configuration, of the shape `type` names. Secret header and query \
        values (names like Authorization, Cookie, *token*, *key*, *secret*, *password*, *auth*) are masked as `••••` \
        plus, for values of 12 characters or more, their last two; sending a mask back in an update keeps the stored value.",
    dst_policy => "DstPolicy" true: "How a cron task behaves across DST changes; null for interval and date triggers, which are absolute instants.",
    last_run_status => "LastRunStatus" true: "How the latest run ended, in the design's words: `success`, `failed` (failed or timed out) or `cancelled`; null before the first run ended.",
    last_run_outcome => "RunOutcome" true: "How the latest run ended, in detail; null before the first run ended.",
    retry_policy => "RetryPolicy": "Retries after a failed attempt.",
    overlap_policy => "OverlapPolicy": "What happens when an occurrence comes due while a run is still running.",
    misfire_policy => "MisfirePolicy": "What happens to occurrences missed by more than the grace.",
    run_trigger => "RunTrigger": "Why the run exists.",
    run_status => "RunStatus": "The run's state.",
    skip_reason => "SkipReason" true: "Why it was skipped (null unless `skipped`).",
    log_stream => "LogStream": "Which output the line came from.",
    audit_action => "AuditAction": "The change.",
    page_number => "PageNumber": "Page, from 1 (default 1).",
    page_size => "PageSize": "Rows per page, 1-100 (default 20).",
    type_filter => "TaskType": "Only tasks of this type.",
    trigger_type_filter => "TriggerType": "Only tasks with this trigger type.",
    last_run_status_filter => "LastRunStatusFilter": "Only tasks whose latest run ended so: `success`, `failed` (failed or timed out) or `cancelled`; the detailed `succeeded` and `timed_out` are accepted too; `none`: only tasks none of whose runs has ended yet.",
    last_run_outcome_filter => "RunOutcomeFilter": "Only tasks whose latest run ended exactly so; `none`: only tasks none of whose runs has ended yet.",
    sort_order => "TaskSort": "A field to sort by, `-` in front for descending (default `-created_at`).",
    run_status_filter => "RunStatus": "Only runs in this state.",
    after_seq => "LogCursor": "Return the lines after this cursor: 0 (the default) for the start of the log, else the `next_after_seq` of the page before.",
    log_page_limit => "LogPageLimit": "Most lines to return, 1-10000 (default 1000).",
}

/// The instants of a preview, for `schema_with`.
pub(crate) fn occurrences() -> RefOr<Schema> {
    ArrayBuilder::new()
        .items(Ref::from_schema_name("Occurrence"))
        .description(Some("The instants, earliest first."))
        .into()
}

/// `recent_outcomes` of a task, for `schema_with`.
pub(crate) fn recent_outcomes() -> RefOr<Schema> {
    ArrayBuilder::new()
        .items(Ref::from_schema_name("RunOutcome"))
        .max_items(Some(RECENT_OUTCOMES_KEPT))
        .description(Some(format!(
            "How the task's latest runs ended, newest first: one entry per run that ended for \
             good (a run waiting for its retry is not in it yet; skipped occurrences never are), \
             at most {RECENT_OUTCOMES_KEPT}. Kept from the runs that ended since the server had \
             this field, even after retention deleted them."
        )))
        .into()
}

/// `run_uuid` of the run lists, for `schema_with`.
pub(crate) fn run_uuid_filter() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Uuid,
        )))
        .description(Some("Only this run."))
        .into()
}

/// `is_active` of `GET /list`, for `schema_with`.
pub(crate) fn is_active_filter() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Boolean)
        .description(Some("Only active or only inactive tasks."))
        .into()
}

/// `cancel_running` of `POST /{uuid}/stop`, for `schema_with`.
pub(crate) fn cancel_running() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Boolean)
        .default(Some(false.into()))
        .description(Some(
            "`true`: also ask the task's running runs to stop (they end `cancelled`); \
             `false`: running runs finish.",
        ))
        .into()
}

/// utoipa leaves a response without a description when the handler gives none, which the
/// OpenAPI specification requires; the status's reason phrase says what it means.
fn describe_responses(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for operation in paths.values_mut().filter_map(Value::as_object_mut) {
        for responses in operation
            .values_mut()
            .filter_map(|op| op.get_mut("responses"))
            .filter_map(Value::as_object_mut)
        {
            for (status, response) in responses.iter_mut() {
                let Some(response) = response.as_object_mut() else {
                    continue;
                };
                let missing = response
                    .get("description")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty);
                if missing {
                    let phrase = status
                        .parse::<u16>()
                        .ok()
                        .and_then(|code| axum::http::StatusCode::from_u16(code).ok())
                        .and_then(|code| code.canonical_reason())
                        .unwrap_or("Response");
                    response.insert("description".into(), phrase.into());
                }
            }
        }
    }
}

/// Every operation but the health probes may answer 429 `rate_limited` with `Retry-After`
/// ([`crate::rate_limit`]); the two with a quota 429 of their own say both.
fn add_rate_limit_responses(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let limited = json!({
        "description": "Too many requests (`rate_limited`): of the tenant, the client, or the \
            address of a request without a valid token; retry after `Retry-After` seconds",
        "headers": {"Retry-After": {
            "description": "Whole seconds until a request would be let through (at least 1)",
            "schema": {"type": "integer", "minimum": 1}
        }},
        "content": {"application/problem+json": {
            "schema": {"$ref": "#/components/schemas/Problem"}
        }}
    });
    for (path, item) in paths.iter_mut() {
        if crate::rate_limit::UNLIMITED_PATHS.contains(&path.as_str()) {
            continue;
        }
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for responses in item
            .values_mut()
            .filter_map(|op| op.get_mut("responses"))
            .filter_map(Value::as_object_mut)
        {
            match responses.get_mut("429").and_then(Value::as_object_mut) {
                Some(quota) => {
                    let description = quota
                        .get("description")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    let both = format!(
                        "{description} (`quota_exceeded`), or too many requests \
                         (`rate_limited`, with `Retry-After`)"
                    );
                    quota.insert("description".into(), both.into());
                    quota.insert("headers".into(), limited["headers"].clone());
                }
                None => {
                    responses.insert("429".into(), limited.clone());
                }
            }
        }
    }
}

/// utoipa puts the description of a parameter whose schema is given by `schema_with` on the
/// schema only; clients show the parameter's own.
fn describe_parameters(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let parameters = paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(|operation| operation.get_mut("parameters"))
        .filter_map(Value::as_array_mut)
        .flatten()
        .filter_map(Value::as_object_mut);
    for parameter in parameters {
        if parameter.contains_key("description") {
            continue;
        }
        if let Some(description) = parameter
            .get("schema")
            .and_then(|schema| schema.get("description"))
            .cloned()
        {
            parameter.insert("description".into(), description);
        }
    }
}

/// An RFC 3339 instant with an offset, or null.
fn optional_instant(description: &str) -> Value {
    json!({"type": ["string", "null"], "format": "date-time", "description": description})
}

/// The keys every trigger type accepts besides its own.
fn window_properties() -> Map<String, Value> {
    let range = "Between 1970-01-01T00:00:00Z and 2999-12-31T23:59:59Z.";
    let mut properties = Map::new();
    properties.insert(
        "start_at".into(),
        optional_instant(&format!("No occurrence before this instant. {range}")),
    );
    properties.insert(
        "end_at".into(),
        optional_instant(&format!(
            "No occurrence after this instant; after `start_at` and in the future when set. \
             {range}"
        )),
    );
    properties.insert(
        "jitter_seconds".into(),
        json!({
            "type": ["integer", "null"], "minimum": 0, "maximum": MAX_JITTER_SECONDS,
            "description": "Upper bound of a deterministic delay per occurrence; less than the \
                            trigger's shortest period (an interval's `seconds`; for a cron, the \
                            smallest gap between two of its times of day).",
        }),
    );
    properties
}

fn trigger_config_schema(own: Value, required: &str, description: &str) -> Value {
    let mut properties = window_properties();
    if let Value::Object(own) = own {
        properties.extend(own);
    }
    json!({
        "type": "object", "description": description, "required": [required],
        "properties": properties, "additionalProperties": false,
    })
}

/// A `oneOf` over the schemas `variants`, each fixing one value of the tag property. No
/// `discriminator` keyword: these unions are used through `allOf`, where OpenAPI reads a
/// discriminator as inheritance (generators then make the request a subtype of the union);
/// the one-value enums already let generators make a discriminated union.
fn tagged_union(variants: &[&str], description: &str) -> Value {
    json!({
        "description": description,
        "oneOf": variants.iter()
            .map(|schema| json!({"$ref": format!("#/components/schemas/{schema}")}))
            .collect::<Vec<_>>(),
    })
}

/// One variant of a discriminated pair: `tag` holds `value`, `content` has the schema `config`.
fn tagged(tag: &str, value: &str, content: &str, config: &str) -> Value {
    json!({
        "type": "object", "required": [tag, content],
        "properties": {
            tag: {"type": "string", "enum": [value]},
            content: {"$ref": format!("#/components/schemas/{config}")},
        },
    })
}

fn any_of_refs(names: &[&str], description: &str) -> Value {
    json!({
        "description": description,
        "oneOf": names.iter()
            .map(|name| json!({"$ref": format!("#/components/schemas/{name}")}))
            .collect::<Vec<_>>(),
    })
}

/// The scalar fields of a task definition: bounds, enums and defaults.
fn definition_properties() -> Map<String, Value> {
    let seconds = |max: u32, min: u32, description: &str| json!({"type": ["integer", "null"], "minimum": min, "maximum": max, "description": description});
    let nullable_enum = |name: &str, description: &str| json!({"description": description, "oneOf": [{"$ref": format!("#/components/schemas/{name}")}, {"type": "null"}]});
    let Value::Object(properties) = json!({
        "name": {
            "type": "string", "minLength": 1, "maxLength": TaskName::MAX_CHARS,
            "description": "Display name: 1-100 characters (surrounding white space is trimmed), no control characters.",
        },
        "code": {
            "type": "string", "minLength": 1, "maxLength": TaskCode::MAX_LEN,
            "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$",
            "description": "Unique among the tenant's live tasks: letters, digits, `_`, `-` and `.`, starting with a letter or digit.",
        },
        "description": {
            "type": ["string", "null"], "maxLength": Description::MAX_CHARS,
            "description": "Free text without NUL bytes; empty or null: none.",
        },
        "is_active": {"type": ["boolean", "null"], "default": true, "description": "Whether the task fires."},
        "retry_policy": nullable_enum("RetryPolicyRequest", "Retries after a failed attempt; null or absent: 3 retries 60 s apart."),
        "timeout_seconds": seconds(MAX_TIMEOUT_SECONDS, 1,
            "Longest one attempt may run (default 30 for `api_call`, 60 for `python_script`). The deployment may allow less than the schema's maximum: at most `SUNDIAL_MAX_TIMEOUT_SECONDS` (default 3600), else 422 `out_of_range` naming that maximum."),
        "overlap_policy": nullable_enum("OverlapPolicy", "Default `skip`."),
        "misfire_policy": nullable_enum("MisfirePolicy", "Default `fire_once`."),
        "misfire_grace_seconds": seconds(MAX_MISFIRE_GRACE_SECONDS, 0,
            &format!("How late an occurrence may start before it counts as missed (default {DEFAULT_MISFIRE_GRACE_SECONDS}).")),
    }) else {
        unreachable!("a JSON object literal")
    };
    properties
}

/// The schemas the generated ones cannot express, by component name.
fn typed_schemas() -> Map<String, Value> {
    let mut schemas = Map::new();
    for (name, description, values) in ENUMS {
        schemas.insert(
            (*name).into(),
            json!({"type": "string", "description": description, "enum": values}),
        );
    }
    let codes: Vec<&str> = crate::field_codes::CODES
        .iter()
        .map(|(code, _)| *code)
        .collect();
    let meanings: Vec<String> = crate::field_codes::CODES
        .iter()
        .map(|(code, meaning)| format!("- `{code}`: {meaning}"))
        .collect();
    schemas.insert(
        "FieldErrorCode".into(),
        json!({
            "type": "string", "enum": codes,
            "description": format!("The code of a field error:\n{}", meanings.join("\n")),
        }),
    );
    schemas.insert(
        "ProblemField".into(),
        json!({
            "type": "object", "required": ["field", "code", "message"],
            "description": "One invalid field of a request: a stable `code` and its parameters, so a client can say it in its own words, and the server's English `message`.",
            "properties": {
                "field": {"type": "string", "description": "Dotted path of the field, e.g. `trigger_config.cron` or `tasks[3].name`; empty for the whole body."},
                "code": {"$ref": "#/components/schemas/FieldErrorCode"},
                "message": {"type": "string", "description": "What is wrong, in English."},
                "min": {"type": ["integer", "string"], "description": "The lower bound: a number, length or count; an RFC 3339 instant for a range of instants."},
                "max": {"type": ["integer", "string"], "description": "The upper bound, as `min`."},
                "expected": {"type": "string", "description": "The JSON type the value must have (`invalid_type`)."},
                "allowed": {"type": "array", "items": {"type": "string"}, "description": "The values allowed (`not_one_of`)."},
                "period": {"type": "integer", "description": "The trigger's shortest period in seconds (`jitter_too_large`)."},
            },
            "example": {"field": "name", "code": "too_long", "max": 100, "message": "must be at most 100 characters"},
        }),
    );
    let sorts: Vec<String> = TaskSortField::ALL
        .iter()
        .flat_map(|field| [field.as_str().to_owned(), format!("-{}", field.as_str())])
        .collect();
    schemas.insert(
        "TaskSort".into(),
        json!({"type": "string", "enum": sorts, "description": "A field to sort by, `-` in front for descending."}),
    );
    schemas.insert(
        "PageNumber".into(),
        json!({"type": "integer", "minimum": 1, "default": 1, "description": "Page, from 1."}),
    );
    schemas.insert(
        "PageSize".into(),
        json!({"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": 20, "description": "Rows per page."}),
    );
    schemas.insert(
        "LogCursor".into(),
        json!({"type": "integer", "format": "int64", "minimum": 0, "default": 0, "description": "A position in a run's log: lines after it come next. Increasing, not contiguous."}),
    );
    schemas.insert(
        "LogPageLimit".into(),
        json!({"type": "integer", "minimum": 1, "maximum": MAX_LOG_PAGE, "default": DEFAULT_LOG_PAGE, "description": "Most lines per page."}),
    );
    let retry_properties = json!({
        "max_retries": {"type": "integer", "minimum": 0, "maximum": MAX_RETRIES, "default": 3,
                        "description": "Retries after the first attempt (0: none)."},
        "retry_delay_seconds": {"type": "integer", "minimum": 0, "maximum": MAX_RETRY_DELAY_SECONDS, "default": 60,
                                "description": "Delay before the first retry."},
        "backoff": {"$ref": "#/components/schemas/Backoff"},
        "max_delay_seconds": {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_RETRY_DELAY_SECONDS,
                              "description": "Upper bound of any one delay; not less than `retry_delay_seconds`."},
    });
    schemas.insert(
        "RetryPolicyRequest".into(),
        json!({
            "type": "object", "additionalProperties": false, "properties": retry_properties,
            "description": "How often and how far apart a failed run is tried again; a field left out takes its default.",
        }),
    );
    schemas.insert(
        "RetryPolicy".into(),
        json!({
            "type": "object", "required": ["max_retries", "retry_delay_seconds", "backoff"],
            "properties": retry_properties,
            "description": "How often and how far apart a failed run is tried again.",
        }),
    );

    schemas.insert(
        "CronTriggerConfig".into(),
        trigger_config_schema(
            json!({
                "cron": {"type": "string", "minLength": 1, "maxLength": MAX_CRON_LEN,
                         "description": "5 fields, or 6 with leading seconds; `@daily`-style macros; `L`, `W`, `#`, `?`.",
                         "examples": ["0 9 * * MON-FRI"]},
                "timezone": {"type": ["string", "null"], "minLength": 1, "maxLength": MAX_TIMEZONE_LEN, "default": "UTC",
                             "description": "IANA time zone the expression is evaluated in.",
                             "examples": ["Asia/Shanghai"]},
            }),
            "cron",
            "A cron trigger.",
        ),
    );
    schemas.insert(
        "IntervalTriggerConfig".into(),
        trigger_config_schema(
            json!({
                "seconds": {"type": "integer", "minimum": 1, "maximum": MAX_INTERVAL_SECONDS,
                            "description": "The period, at a fixed rate anchored at `start_at` (default: creation). \
                                            The deployment may require a longer one (`SUNDIAL_TENANT_MIN_INTERVAL_SECONDS`)."},
            }),
            "seconds",
            "A fixed-rate trigger.",
        ),
    );
    schemas.insert(
        "DateTriggerConfig".into(),
        trigger_config_schema(
            json!({
                "at": {"type": "string", "format": "date-time",
                       "description": "The one instant it fires at; in the future when set."},
            }),
            "at",
            "A one-shot trigger.",
        ),
    );
    schemas.insert(
        "TriggerConfig".into(),
        any_of_refs(
            &[
                "CronTriggerConfig",
                "IntervalTriggerConfig",
                "DateTriggerConfig",
            ],
            "The trigger's configuration, of the shape its `trigger_type` names.",
        ),
    );
    for (value, name, config) in [
        ("cron", "CronTrigger", "CronTriggerConfig"),
        ("interval", "IntervalTrigger", "IntervalTriggerConfig"),
        ("date", "DateTrigger", "DateTriggerConfig"),
    ] {
        schemas.insert(
            name.into(),
            tagged("trigger_type", value, "trigger_config", config),
        );
    }
    schemas.insert(
        "Trigger".into(),
        tagged_union(
            &["CronTrigger", "IntervalTrigger", "DateTrigger"],
            "`trigger_type` and the `trigger_config` of that type.",
        ),
    );

    let timeout = json!({"type": ["integer", "null"], "minimum": 1, "maximum": MAX_TIMEOUT_SECONDS,
                         "description": "The original design's place for the timeout; the task's own `timeout_seconds` wins. The deployment may allow less than the schema's maximum (`SUNDIAL_MAX_TIMEOUT_SECONDS`, default 3600)."});
    schemas.insert(
        "ApiCallConfig".into(),
        json!({
            "type": "object", "required": ["url"], "additionalProperties": false,
            "description": "An HTTP call. Secret header and query values are masked in answers; a mask sent back keeps the stored value.",
            "properties": {
                "url": {"type": "string", "minLength": 1, "maxLength": MAX_URL_LEN, "format": "uri",
                        "description": "Absolute http:// or https:// URL without credentials. A URL the egress policy refuses on its face is a 422."},
                "method": {"oneOf": [{"$ref": "#/components/schemas/HttpMethod"}, {"type": "null"}], "description": "Default GET."},
                "headers": {
                    "type": ["object", "null"], "maxProperties": MAX_HEADERS,
                    "propertyNames": {"pattern": "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", "maxLength": 256},
                    "additionalProperties": {"type": "string", "maxLength": MAX_HEADER_VALUE_LEN},
                    "description": "Request headers; no Host, hop-by-hop, framing or Idempotency-Key headers, no control characters in values.",
                },
                "data": {"description": "JSON body: at most 256 KiB as JSON and 32 levels deep."},
                "query": {
                    "type": ["object", "null"],
                    "additionalProperties": {"type": ["string", "number", "boolean"]},
                    "description": "Query parameters appended to the URL.",
                },
                "expected_status": {
                    "description": "Status codes counted as success; default any 2xx.",
                    "oneOf": [
                        {"type": "integer", "minimum": 100, "maximum": 599},
                        {"type": "array", "items": {"type": "integer", "minimum": 100, "maximum": 599}},
                        {"type": "null"},
                    ],
                },
                "follow_redirects": {"type": ["boolean", "null"], "default": false,
                                     "description": "Follow up to 3 re-validated redirects (off: the 3xx is the result)."},
                "timeout_seconds": timeout,
            },
        }),
    );
    schemas.insert(
        "PythonScriptConfig".into(),
        json!({
            "type": "object", "required": ["script"], "additionalProperties": false,
            "description": "A Python script run in the sandbox.",
            "properties": {
                "script": {"type": "string", "minLength": 1, "maxLength": MAX_SCRIPT_BYTES,
                           "description": "Python source: not blank, at most 64 KiB of UTF-8, no NUL."},
                "args": {"description": "JSON handed to the script in `SUNDIAL_CONTEXT`: at most 64 KiB and 32 levels deep."},
                "env": {
                    "type": ["object", "null"], "maxProperties": MAX_ENV_VARS,
                    "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$", "maxLength": 128},
                    "additionalProperties": {"type": "string", "maxLength": 4096},
                    "description": "Non-secret environment variables; `SUNDIAL_*`, `PYTHON*` and `LD_*` are reserved.",
                },
                "timeout_seconds": timeout,
            },
        }),
    );
    schemas.insert(
        "TaskConfig".into(),
        any_of_refs(
            &["ApiCallConfig", "PythonScriptConfig"],
            "The task's configuration, of the shape its `type` names.",
        ),
    );
    schemas.insert(
        "ApiCallTask".into(),
        tagged("type", "api_call", "task_config", "ApiCallConfig"),
    );
    schemas.insert(
        "PythonScriptTask".into(),
        tagged("type", "python_script", "task_config", "PythonScriptConfig"),
    );
    schemas.insert(
        "TaskWork".into(),
        tagged_union(
            &["ApiCallTask", "PythonScriptTask"],
            "`type` and the `task_config` of that type.",
        ),
    );

    schemas.insert(
        "TaskRequest".into(),
        json!({
            "type": "object",
            "description": "A task definition. Only `name`, `code`, `type`, `trigger_type`, `trigger_config` and `task_config` are required; a field the server maintains (`uuid`, `tenant_id`, `next_run_at`, …) is a 400.",
            "required": ["name", "code"],
            "properties": definition_properties(),
            "allOf": [{"$ref": "#/components/schemas/Trigger"}, {"$ref": "#/components/schemas/TaskWork"}],
            "unevaluatedProperties": false,
            "example": {
                "name": "Daily report", "code": "daily-report", "description": "Posts the daily report",
                "type": "api_call", "trigger_type": "cron",
                "trigger_config": {"cron": "0 0 * * *", "timezone": "Asia/Shanghai"},
                "task_config": {"url": "https://api.example.com/endpoint", "method": "POST",
                                "headers": {"Content-Type": "application/json"}, "data": {"key": "value"}},
                "is_active": true,
                "retry_policy": {"max_retries": 3, "retry_delay_seconds": 60, "backoff": "fixed"},
                "timeout_seconds": 30, "overlap_policy": "skip", "misfire_policy": "fire_once", "misfire_grace_seconds": 60,
            },
        }),
    );
    let mut exported = definition_properties();
    exported.extend(alert_properties());
    schemas.insert(
        "ExportedTask".into(),
        json!({
            "type": "object",
            "description": "A task definition as `GET /export` writes it and `POST /import` and `POST /apply` take it: a `TaskRequest` with the task's alert configuration, other tasks and channels named as they are in any tenant. A list left out (or `null`) leaves that part of the task as it is.",
            "required": ["name", "code"],
            "properties": exported,
            "allOf": [{"$ref": "#/components/schemas/Trigger"}, {"$ref": "#/components/schemas/TaskWork"}],
            "unevaluatedProperties": false,
        }),
    );
    let mut patch = definition_properties();
    for field in ["name", "code"] {
        if let Some(Value::Object(schema)) = patch.get_mut(field) {
            schema.insert("type".into(), json!(["string", "null"]));
        }
    }
    patch.insert(
        "version".into(),
        json!({"type": ["integer", "null"], "description": "The version last read: the update applies only if the task is still at it (409 otherwise)."}),
    );
    patch.insert(
        "type".into(),
        json!({"oneOf": [{"$ref": "#/components/schemas/TaskType"}, {"type": "null"}]}),
    );
    patch.insert(
        "trigger_type".into(),
        json!({"oneOf": [{"$ref": "#/components/schemas/TriggerType"}, {"type": "null"}]}),
    );
    patch.insert(
        "trigger_config".into(),
        json!({"oneOf": [{"$ref": "#/components/schemas/TriggerConfig"}, {"type": "null"}],
               "description": "Of the shape of the new `trigger_type`, or of the stored one when it is not sent."}),
    );
    patch.insert(
        "task_config".into(),
        json!({"oneOf": [{"$ref": "#/components/schemas/TaskConfig"}, {"type": "null"}],
               "description": "Of the shape of the new `type`, or of the stored one when it is not sent."}),
    );
    // The same fields an update ignores, so the document and the server cannot disagree.
    for &field in crate::update::MAINTAINED {
        let description = match field {
            "uuid" => "Ignored when it is the task's own uuid (or null); another one is a 400.",
            "tenant_id" => {
                "Ignored when it is the caller's tenant (or null); another one is a 400."
            }
            _ => {
                "Maintained by the server and ignored here, so the representation `GET` returns can be sent back as it is."
            }
        };
        patch.insert(field.into(), json!({"description": description}));
    }
    schemas.insert(
        "TaskPatch".into(),
        json!({
            "type": "object", "additionalProperties": false, "properties": patch,
            "description": "An update. `PUT`: each field sent replaces the stored one and `null` resets an optional field to its default \
                            (a required one is a 422); a `trigger_config` of the stored trigger type that does not mention `timezone` keeps \
                            the stored zone, so `{\"trigger_config\": {\"cron\": \"0 9 * * *\"}}` does not move the task to UTC. `PATCH` \
                            (`application/merge-patch+json`, RFC 7396): objects merge at every depth and `null` removes. Either way the \
                            fields the server maintains are ignored, a masked secret keeps the stored value, the result is validated \
                            as a whole like a create (400 for fields it may not have, else 422 naming every invalid field), and an \
                            update that changes nothing writes nothing and keeps the version.",
        }),
    );
    schemas.insert(
        "PreviewRequest".into(),
        json!({
            "type": "object", "description": "A trigger to preview.",
            "properties": {
                "count": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_PREVIEW, "default": 5,
                          "description": "How many instants."},
                "from": optional_instant("Instants strictly after this one (default now); between 1970-01-01T00:00:00Z and 2999-12-31T23:59:59Z."),
            },
            "allOf": [{"$ref": "#/components/schemas/Trigger"}],
            "unevaluatedProperties": false,
        }),
    );
    schemas.insert(
        "Occurrence".into(),
        json!({
            "type": "object", "required": ["at", "local", "utc_offset", "dst_transition_day"],
            "description": "One instant a trigger fires at.",
            "properties": {
                "at": {"type": "string", "format": "date-time", "description": "The instant (UTC)."},
                "local": {"type": "string", "description": "The wall-clock time in the trigger's zone, e.g. `2026-03-08T03:00:00-04:00[America/New_York]`."},
                "utc_offset": {"type": "string", "description": "The offset from UTC in force then, e.g. `-04:00`."},
                "dst_transition_day": {"type": "boolean", "description": "Whether the offset changes (a DST transition) during that local day."},
            },
        }),
    );
    schemas.insert(
        "BatchDeleteRequest".into(),
        json!({
            "type": "object", "required": ["uuids"], "additionalProperties": false,
            "description": "Tasks to delete at once.",
            "properties": {"uuids": {"type": "array", "minItems": 1, "maxItems": MAX_BATCH,
                                     "items": {"type": "string", "format": "uuid"}}},
        }),
    );
    schemas.insert(
        "ImportRequest".into(),
        json!({
            "type": "object", "required": ["tasks"], "additionalProperties": false,
            "description": "Tasks to create at once, all or nothing; the whole body stays under 1 MiB.",
            "properties": {"tasks": {"type": "array", "minItems": 1, "maxItems": MAX_BATCH,
                                     "items": {"$ref": "#/components/schemas/ExportedTask"}}},
        }),
    );
    schemas.insert(
        "TenantSettingsRequest".into(),
        json!({
            "type": "object", "additionalProperties": false,
            "description": "A change to the caller's tenant's settings; fields left out stay as they are.",
            "properties": {"egress_allow": {
                "type": ["array", "null"], "maxItems": MAX_ALLOW_ENTRIES, "items": {"type": "string"},
                "description": "The tenant's own egress allow-list: entries in the `SUNDIAL_EGRESS_ALLOW` syntax (a CIDR or host name with an optional port). It only narrows what the deployment allows. `null` removes the list; `[]` refuses every destination.",
            }},
            "example": {"egress_allow": ["api.partner.example", "10.20.0.0/16:8443"]},
        }),
    );
    schemas
}
