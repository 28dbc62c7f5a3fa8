//! Notifications: the tenant's channels (`/api/tree-root/tenant/notify/…`), the rules that
//! route a task's events to them (per task under `/api/tree-root/scheduled-tasks/{uuid}/
//! notify-rules`, tenant defaults under `/tenant/notify/rules`), and the deliveries made.
//!
//! A webhook URL passes the same egress checks as an `api_call` URL when it is saved, and
//! again, with DNS, at every send.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use domain::{ChannelKind, EventKind, RunUuid, TaskUuid, ValidationErrors};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use store::{Channel, Delivery, DeliveryQuery, NewChannel, NewRule, Rule, RuleError};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::Problem;
use crate::extract::JsonBody;
use crate::routes::tasks::{parse_query, task_uuid};
use crate::{ApiError, AppState};

/// Longest channel name, in characters.
const MAX_NAME_CHARS: usize = 100;
/// Most recipients of an email channel.
const MAX_RECIPIENTS: usize = 20;
/// Default throttle window of a rule: one notice per task and rule per 15 minutes.
const DEFAULT_THROTTLE_SECONDS: i64 = 900;
/// Longest throttle window.
const MAX_THROTTLE_SECONDS: i64 = 7 * 24 * 3600;
/// Default grace period of the old key after a rotation: one day.
const DEFAULT_GRACE_SECONDS: i64 = 24 * 3600;
/// Longest grace period: a week.
const MAX_GRACE_SECONDS: i64 = 7 * 24 * 3600;
/// Most deliveries one listing returns.
const MAX_DELIVERIES: u32 = 200;

/// Channels, tenant default rules and deliveries (nested under the tenant prefix).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_channels, create_channel))
        .routes(routes!(get_channel, delete_channel))
        .routes(routes!(rotate_secret))
        .routes(routes!(list_default_rules, create_default_rule))
        .routes(routes!(delete_rule))
        .routes(routes!(list_deliveries))
}

/// A task's own rules (nested under the tasks prefix).
pub fn task_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_task_rules, create_task_rule))
}

/// A channel to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelRequest {
    /// A name for people, 1-100 characters.
    pub name: String,
    /// `webhook` or `email`.
    #[schema(value_type = String, example = "webhook")]
    pub kind: String,
    /// Webhook: the http(s) URL events are `POST`ed to.
    pub url: Option<String>,
    /// Email: the recipients (1-20 addresses); refused (`kind`, code `email_unavailable`) when
    /// the deployment has no SMTP relay.
    pub to: Option<Vec<String>>,
}

/// A channel; its signing key is only ever shown when created or rotated.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelResponse {
    /// Its id.
    pub uuid: Uuid,
    /// Its name.
    pub name: String,
    /// `webhook` or `email`.
    #[schema(value_type = String)]
    pub kind: ChannelKind,
    /// Webhook: the URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Email: the recipients.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Vec<String>>,
    /// After a rotation: until when the previous key still signs too.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub previous_secret_valid_until: Option<Timestamp>,
    /// When it was created.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Who created it.
    pub created_by: String,
    /// When it last changed.
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// Webhook, in the answer to create and rotate only: the signing key. Store it now; it is
    /// never shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl ChannelResponse {
    fn new(channel: Channel, secret: Option<String>) -> Self {
        let text = |key: &str| {
            channel
                .config
                .get(key)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let to = channel.config.get("to").and_then(|v| {
            v.as_array().map(|list| {
                list.iter()
                    .filter_map(|a| a.as_str().map(str::to_owned))
                    .collect()
            })
        });
        Self {
            url: text("url"),
            to,
            uuid: channel.uuid,
            name: channel.name,
            kind: channel.kind,
            previous_secret_valid_until: channel.previous_secret_until,
            created_at: channel.created_at,
            created_by: channel.created_by,
            updated_at: channel.updated_at,
            secret,
        }
    }
}

/// A rotation of a webhook channel's signing key.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateRequest {
    /// How long the current key keeps signing alongside the new one, in seconds (default
    /// 86400, at most 604800; 0 ends it at once).
    pub grace_seconds: Option<i64>,
}

/// A rule to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleRequest {
    /// The channel notices go to.
    pub channel: Uuid,
    /// `run.failed`, `run.recovered`, `run.slow`, `occurrence.skipped` or `deadline.missed`.
    #[schema(value_type = String, example = "run.failed")]
    pub event: String,
    /// `run.failed`: notify from this many consecutive failures on (1-1000, default 1);
    /// `run.slow`: the duration in milliseconds a run must exceed (required). Not allowed
    /// for the other events.
    pub threshold: Option<i64>,
    /// At most one notice per task and rule within this many seconds (60-604800, default
    /// 900).
    pub throttle_seconds: Option<i64>,
}

/// A rule routing a task's (or, as a tenant default, every task's without rules of its own)
/// events of one kind to a channel.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleResponse {
    /// Its id.
    pub uuid: Uuid,
    /// The task it is for; `null` for a tenant default.
    #[schema(value_type = Option<String>)]
    pub task_uuid: Option<TaskUuid>,
    /// The channel.
    pub channel: Uuid,
    /// The event kind.
    #[schema(value_type = String)]
    pub event: EventKind,
    /// See the request.
    pub threshold: Option<i64>,
    /// The throttle window.
    pub throttle_seconds: i64,
    /// When it was created.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Who created it.
    pub created_by: String,
}

impl From<Rule> for RuleResponse {
    fn from(rule: Rule) -> Self {
        Self {
            uuid: rule.uuid,
            task_uuid: rule.task,
            channel: rule.channel,
            event: rule.event,
            threshold: rule.threshold,
            throttle_seconds: rule.throttle_seconds,
            created_at: rule.created_at,
            created_by: rule.created_by,
        }
    }
}

/// One event sent (or being sent) to one channel.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    /// Its id: the `Sundial-Delivery` header receivers de-duplicate on.
    pub uuid: Uuid,
    /// The event's id (`id` in the body).
    pub event_id: Uuid,
    /// The event kind.
    #[schema(value_type = String)]
    pub event: EventKind,
    /// The task.
    #[schema(value_type = String)]
    pub task_uuid: TaskUuid,
    /// The run, if the event is about one.
    #[schema(value_type = Option<String>)]
    pub run_uuid: Option<RunUuid>,
    /// The channel.
    pub channel: Uuid,
    /// `pending`, `sending`, `delivered`, `failed` or `skipped` (an email past the tenant's
    /// hourly cap: not sent).
    pub status: String,
    /// Tries so far (at most 5).
    pub attempts: i64,
    /// While pending: when it is tried next.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_attempt_at: Option<Timestamp>,
    /// The receiver's last status: a webhook's HTTP status, or the SMTP relay's reply code.
    pub response_code: Option<i64>,
    /// Email: the SMTP relay's last reply in words (e.g. `250 2.0.0 Ok: queued as 4F2C1`).
    pub response: Option<String>,
    /// What went wrong last; for `skipped`, why it was not sent.
    pub error: Option<String>,
    /// When the event was routed to the channel.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// When it was delivered or given up.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<Timestamp>,
}

impl From<Delivery> for DeliveryResponse {
    fn from(d: Delivery) -> Self {
        Self {
            uuid: d.uuid,
            event_id: d.event,
            event: d.kind,
            task_uuid: d.task,
            run_uuid: d.run,
            channel: d.channel,
            status: d.status.as_str().to_owned(),
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            response_code: d.response_code,
            response: d.response,
            error: d.error,
            created_at: d.created_at,
            finished_at: d.finished_at,
        }
    }
}

/// Query of `GET /notify/deliveries`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DeliveriesParams {
    /// Only deliveries about this task.
    task_uuid: Option<String>,
    /// Only deliveries about this run.
    run_uuid: Option<String>,
    /// How many, newest first (1-200, default 50).
    limit: Option<String>,
}

/// A fresh signing key: 32 random bytes, hex, with a prefix that says what it is.
fn new_secret() -> Result<String, ApiError> {
    let mut bytes = [0_u8; 32];
    aws_lc_rs::rand::fill(&mut bytes)
        .map_err(|_| ApiError::Internal("the random generator failed".into()))?;
    let mut secret = String::from("whsec_");
    for byte in bytes {
        secret.push_str(&format!("{byte:02x}"));
    }
    Ok(secret)
}

/// The channel's kind and configuration, every problem named on its field.
fn parse_channel(
    state: &AppState,
    request: &ChannelRequest,
) -> Result<(ChannelKind, serde_json::Value), ApiError> {
    let mut errors = ValidationErrors::default();
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        errors.push("name", format!("must be 1-{MAX_NAME_CHARS} characters"));
    }
    let kind = match request.kind.parse::<ChannelKind>() {
        Ok(kind) => Some(kind),
        Err(message) => {
            errors.push("kind", message);
            None
        }
    };
    let config = match kind {
        Some(ChannelKind::Webhook) => {
            if request.to.is_some() {
                errors.push("to", "only email channels have recipients");
            }
            match request.url.as_deref().map(url::Url::parse) {
                None => {
                    errors.push("url", "required for a webhook");
                    None
                }
                Some(Err(e)) => {
                    errors.push("url", format!("not a valid URL: {e}"));
                    None
                }
                Some(Ok(url)) => match state.egress.refuse_url(&url) {
                    Some(reason) => {
                        errors.push("url", reason);
                        None
                    }
                    None => Some(serde_json::json!({ "url": url.as_str() })),
                },
            }
        }
        Some(ChannelKind::Email) => {
            if request.url.is_some() {
                errors.push("url", "only webhook channels have a URL");
            }
            match &request.to {
                None => {
                    errors.push("to", "required for an email channel");
                    None
                }
                Some(to) if to.is_empty() || to.len() > MAX_RECIPIENTS => {
                    errors.push("to", format!("1-{MAX_RECIPIENTS} addresses"));
                    None
                }
                Some(to) => {
                    for (i, address) in to.iter().enumerate() {
                        if !plausible_address(address) {
                            errors.push(format!("to[{i}]"), "not an email address");
                        }
                    }
                    Some(serde_json::json!({ "to": to }))
                }
            }
        }
        None => None,
    };
    if kind == Some(ChannelKind::Email) && !state.email_relay {
        errors.push(
            "kind",
            "is email, which needs an SMTP relay this deployment has not configured \
             (the operator's SUNDIAL_SMTP_HOST)",
        );
    }
    match (kind, config) {
        (Some(kind), Some(config)) if errors.is_empty() => Ok((kind, config)),
        _ => Err(errors.into()),
    }
}

/// `local@domain` with a dot in the domain and nothing a mail header could be split on.
fn plausible_address(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !address
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
        && !domain.contains('@')
}

/// The rule as the store takes it, every problem named on its field.
pub(crate) fn parse_rule<'a>(
    caller: &'a Caller,
    task: Option<TaskUuid>,
    request: &RuleRequest,
    at: Timestamp,
) -> Result<NewRule<'a>, ApiError> {
    let mut errors = ValidationErrors::default();
    let event = match request.event.parse::<EventKind>() {
        Ok(event) => Some(event),
        Err(message) => {
            errors.push("event", message);
            None
        }
    };
    let threshold = match (event, request.threshold) {
        (Some(EventKind::RunFailed), None) => Some(1),
        (Some(EventKind::RunFailed), Some(n)) if (1..=1000).contains(&n) => Some(n),
        (Some(EventKind::RunFailed), Some(_)) => {
            errors.push("threshold", "consecutive failures: 1-1000");
            None
        }
        (Some(EventKind::RunSlow), Some(ms)) if ms >= 1 => Some(ms),
        (Some(EventKind::RunSlow), _) => {
            errors.push(
                "threshold",
                "required for run.slow: the duration in milliseconds (at least 1)",
            );
            None
        }
        (_, Some(_)) => {
            errors.push("threshold", "only run.failed and run.slow take a threshold");
            None
        }
        (_, None) => None,
    };
    let throttle = request.throttle_seconds.unwrap_or(DEFAULT_THROTTLE_SECONDS);
    if !(60..=MAX_THROTTLE_SECONDS).contains(&throttle) {
        errors.push(
            "throttle_seconds",
            format!("60-{MAX_THROTTLE_SECONDS} seconds"),
        );
    }
    let event = errors.into_result(|| event)?.ok_or(ApiError::Internal(
        "an event kind that parsed is missing".into(),
    ))?;
    Ok(NewRule {
        tenant: caller.0.tenant,
        task,
        channel: request.channel,
        event,
        threshold,
        throttle: SignedDuration::from_secs(throttle),
        actor: &caller.0.subject,
        at,
    })
}

fn path_uuid(raw: &str) -> Result<Uuid, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound)
}

fn rule_error(error: RuleError) -> ApiError {
    match error {
        RuleError::NoTask => ApiError::NotFound,
        RuleError::NoChannel => {
            ValidationErrors::one("channel", "no channel of your tenant has this uuid").into()
        }
        RuleError::Store(error) => error.into(),
    }
}

/// List your tenant's notification channels, oldest first.
#[utoipa::path(get, path = "/notify/channels", tag = "notifications",
    responses(
        (status = 200, body = Vec<ChannelResponse>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_channels(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ChannelResponse>>, ApiError> {
    let channels = state.store.channels(caller.0.tenant).await?;
    Ok(Json(
        channels
            .into_iter()
            .map(|c| ChannelResponse::new(c, None))
            .collect(),
    ))
}

/// Create a notification channel (admins). A webhook's answer carries its signing key,
/// shown this once.
#[utoipa::path(post, path = "/notify/channels", tag = "notifications", request_body = ChannelRequest,
    responses(
        (status = 201, body = ChannelResponse),
        (status = 400, description = "Malformed JSON or an unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An invalid field; `errors` names it (a URL the egress policy refuses included; an email channel where the deployment has no SMTP relay: `kind`, code `email_unavailable`)", body = Problem, content_type = "application/problem+json"),
    ))]
async fn create_channel(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<ChannelRequest>,
) -> Result<(StatusCode, Json<ChannelResponse>), ApiError> {
    caller.require_admin()?;
    let (kind, config) = parse_channel(&state, &request)?;
    let secret = match kind {
        ChannelKind::Webhook => Some(new_secret()?),
        ChannelKind::Email => None,
    };
    let channel = state
        .store
        .create_channel(&NewChannel {
            tenant: caller.0.tenant,
            name: request.name.trim(),
            kind,
            config: &config,
            secret: secret.as_deref(),
            actor: &caller.0.subject,
            at: state.clock.now(),
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ChannelResponse::new(channel, secret)),
    ))
}

/// One of your tenant's channels.
#[utoipa::path(get, path = "/notify/channels/{uuid}", tag = "notifications",
    params(("uuid" = String, Path, description = "Uuid of the channel")),
    responses(
        (status = 200, body = ChannelResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_channel(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Json<ChannelResponse>, ApiError> {
    let channel = state
        .store
        .channel(caller.0.tenant, path_uuid(&uuid)?)
        .await?;
    Ok(Json(ChannelResponse::new(channel, None)))
}

/// Delete a channel (admins), and the rules that route to it (each task that loses rules gets
/// a `notify_rules` audit entry); deliveries still pending to it are given up.
#[utoipa::path(delete, path = "/notify/channels/{uuid}", tag = "notifications",
    params(("uuid" = String, Path, description = "Uuid of the channel")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn delete_channel(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    let change = crate::routes::tasks::change(&caller, state.clock.now());
    state
        .store
        .delete_channel(path_uuid(&uuid)?, change)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Give a webhook channel a new signing key (admins), shown this once. Deliveries carry a
/// signature with the new key and, for the grace period, a second one with the old key.
#[utoipa::path(post, path = "/notify/channels/{uuid}/rotate-secret", tag = "notifications",
    params(("uuid" = String, Path, description = "Uuid of the webhook channel")),
    request_body = RotateRequest,
    responses(
        (status = 200, body = ChannelResponse),
        (status = 400, description = "Malformed JSON or an unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No webhook channel of your tenant has this uuid", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`grace_seconds` out of range", body = Problem, content_type = "application/problem+json"),
    ))]
async fn rotate_secret(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
    JsonBody(request): JsonBody<RotateRequest>,
) -> Result<Json<ChannelResponse>, ApiError> {
    caller.require_admin()?;
    let uuid = path_uuid(&uuid)?;
    let grace = request.grace_seconds.unwrap_or(DEFAULT_GRACE_SECONDS);
    if !(0..=MAX_GRACE_SECONDS).contains(&grace) {
        return Err(ValidationErrors::one(
            "grace_seconds",
            format!("0-{MAX_GRACE_SECONDS} seconds"),
        )
        .into());
    }
    let secret = new_secret()?;
    let now = state.clock.now();
    let channel = state
        .store
        .rotate_secret(
            caller.0.tenant,
            uuid,
            &secret,
            now + SignedDuration::from_secs(grace),
            now,
        )
        .await?;
    Ok(Json(ChannelResponse::new(channel, Some(secret))))
}

/// Your tenant's default rules: they apply to every task that has no rules of its own.
#[utoipa::path(get, path = "/notify/rules", tag = "notifications",
    responses(
        (status = 200, body = Vec<RuleResponse>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_default_rules(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<RuleResponse>>, ApiError> {
    let rules = state.store.rules(caller.0.tenant, None).await?;
    Ok(Json(rules.into_iter().map(RuleResponse::from).collect()))
}

/// Add a tenant default rule (admins).
#[utoipa::path(post, path = "/notify/rules", tag = "notifications", request_body = RuleRequest,
    responses(
        (status = 201, body = RuleResponse),
        (status = 400, description = "Malformed JSON or an unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An invalid field; `errors` names it (a channel that is not a live channel of your tenant: `channel`, code `unknown_channel`)", body = Problem, content_type = "application/problem+json"),
    ))]
async fn create_default_rule(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<RuleRequest>,
) -> Result<(StatusCode, Json<RuleResponse>), ApiError> {
    caller.require_admin()?;
    let rule = parse_rule(&caller, None, &request, state.clock.now())?;
    let created = state.store.create_rule(&rule).await.map_err(rule_error)?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// Delete a rule (a task's or a tenant default; operators may delete a task's, admins any).
#[utoipa::path(delete, path = "/notify/rules/{uuid}", tag = "notifications",
    params(("uuid" = String, Path, description = "Uuid of the rule")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn delete_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_operator()?;
    let uuid = path_uuid(&uuid)?;
    let defaults = state.store.rules(caller.0.tenant, None).await?;
    if defaults.iter().any(|r| r.uuid == uuid) {
        caller.require_admin()?;
    }
    let change = crate::routes::tasks::change(&caller, state.clock.now());
    state.store.delete_rule(uuid, change).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Your tenant's newest deliveries, optionally of one task or run.
#[utoipa::path(get, path = "/notify/deliveries", tag = "notifications", params(DeliveriesParams),
    responses(
        (status = 200, body = Vec<DeliveryResponse>),
        (status = 400, description = "Invalid query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_deliveries(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<DeliveryResponse>>, ApiError> {
    let params: DeliveriesParams = parse_query(raw)?;
    let mut errors = ValidationErrors::default();
    let mut uuid_param = |name: &str, raw: Option<&str>| {
        raw.and_then(|raw| match raw.parse::<Uuid>() {
            Ok(uuid) => Some(uuid),
            Err(_) => {
                errors.push(name, "not a uuid");
                None
            }
        })
    };
    let task = uuid_param("task_uuid", params.task_uuid.as_deref()).map(TaskUuid);
    let run = uuid_param("run_uuid", params.run_uuid.as_deref()).map(RunUuid);
    let limit = match params.limit.as_deref().map(str::parse::<u32>) {
        None => 50,
        Some(Ok(n)) if (1..=MAX_DELIVERIES).contains(&n) => n,
        Some(_) => {
            errors.push("limit", format!("1-{MAX_DELIVERIES}"));
            0
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::InvalidQuery(errors));
    }
    let deliveries = state
        .store
        .deliveries(caller.0.tenant, DeliveryQuery { task, run, limit })
        .await?;
    Ok(Json(
        deliveries.into_iter().map(DeliveryResponse::from).collect(),
    ))
}

/// A task's own rules. While a task has any, the tenant defaults do not apply to it.
#[utoipa::path(get, path = "/{uuid}/notify-rules", tag = "notifications",
    params(("uuid" = String, Path, description = "Uuid of the task")),
    responses(
        (status = 200, body = Vec<RuleResponse>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_task_rules(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
) -> Result<Json<Vec<RuleResponse>>, ApiError> {
    let rules = state
        .store
        .rules(caller.0.tenant, Some(task_uuid(&uuid)?))
        .await?;
    Ok(Json(rules.into_iter().map(RuleResponse::from).collect()))
}

/// Add a rule to a task (operators and admins).
#[utoipa::path(post, path = "/{uuid}/notify-rules", tag = "notifications",
    params(("uuid" = String, Path, description = "Uuid of the task")),
    request_body = RuleRequest,
    responses(
        (status = 201, body = RuleResponse),
        (status = 400, description = "Malformed JSON or an unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An invalid field; `errors` names it (a channel that is not a live channel of your tenant: `channel`, code `unknown_channel`)", body = Problem, content_type = "application/problem+json"),
    ))]
async fn create_task_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path(uuid): Path<String>,
    JsonBody(request): JsonBody<RuleRequest>,
) -> Result<(StatusCode, Json<RuleResponse>), ApiError> {
    caller.require_operator()?;
    let task = task_uuid(&uuid)?;
    let rule = parse_rule(&caller, Some(task), &request, state.clock.now())?;
    let created = state.store.create_rule(&rule).await.map_err(rule_error)?;
    Ok((StatusCode::CREATED, Json(created.into())))
}
