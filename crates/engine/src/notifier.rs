//! The notifier: routes recorded notification events to deliveries and sends them.
//!
//! Every node runs it. Routing and claiming happen in the store under row locks (PostgreSQL:
//! `SKIP LOCKED`), so each event is routed once and each delivery attempt is made by one node;
//! a node that dies mid-send loses its lease and another retries the delivery, which is why
//! receivers get a `Sundial-Delivery` id to de-duplicate on (at-least-once).
//!
//! A webhook is a `POST` of the event as JSON through the egress guard, signed as
//! `Sundial-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 over "<t>.<body>">` (one `v1` per
//! valid key: a rotated channel signs with the new and, during its grace period, the old key).
//!
//! An email goes through the operator's SMTP relay ([`crate::email`]), with the same tries and
//! waits; each tenant may be sent at most a set number per clock hour, counted in the store
//! across nodes, and a delivery past that is recorded `skipped`, never sent.

use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::hmac;
use bytes::Bytes;
use domain::{ChannelKind, Clock};
use exec::egress::{EgressClient, EgressError, EgressRequest};
use http::Method;
use http::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use jiff::{SignedDuration, Timestamp};
use store::{ClaimedDelivery, DeliveryAttempt, DeliveryStatus, EngineStore};
use url::Url;

use crate::TaskExecutors;
use crate::email::{self, Mailer, Sent};
use crate::stop::Stop;

/// Tries a delivery gets before it is failed for good.
pub const MAX_TRIES: i64 = 5;
/// The waits after each failed try: about 15 minutes from the first try to the last.
const BACKOFF: [SignedDuration; 4] = [
    SignedDuration::from_secs(30),
    SignedDuration::from_secs(90),
    SignedDuration::from_secs(270),
    SignedDuration::from_secs(540),
];
/// Longest a receiver may take to answer.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest an email's whole conversation with the relay may take (each command has 10 s).
const EMAIL_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a claimed delivery is this node's; past it another node may try it again.
const LEASE: SignedDuration = SignedDuration::from_secs(60);
/// Events routed, and deliveries claimed, per pass.
const BATCH: u32 = 50;
/// How often old events are pruned.
const PRUNE_EVERY: SignedDuration = SignedDuration::from_secs(60);
/// Events deleted per prune.
const PRUNE_BATCH: u32 = 1_000;

/// How notices go out: the HTTP client webhooks use (the same egress guard as `api_call`)
/// and how often to look for work when there was none.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// The egress client webhooks are sent through.
    pub client: EgressClient,
    /// Wait between passes that found nothing to do.
    pub poll: Duration,
    /// Where each tenant's own egress allow-list is read from (the `api_call` executors
    /// sharing `client`), so it narrows webhooks as it narrows calls.
    pub tenant_lists: Option<TaskExecutors>,
    /// The SMTP relay email channels are sent through; `None`: none is configured, and
    /// email deliveries fail saying so.
    pub email: Option<EmailConfig>,
}

/// How email notices go out.
#[derive(Debug, Clone)]
pub struct EmailConfig {
    /// The operator's relay and sender address.
    pub mailer: Mailer,
    /// Most emails one tenant is sent per clock hour; 0: no cap.
    pub per_tenant_hour: u32,
}

/// The notifier loop's state.
#[derive(Clone)]
pub(crate) struct Notifier {
    pub(crate) store: Arc<dyn EngineStore>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) stop: Stop,
    pub(crate) node: String,
    pub(crate) config: NotifyConfig,
    /// How long events and their deliveries are kept: as long as runs (`None`: for ever).
    pub(crate) keep: Option<Duration>,
}

/// Routes and sends until shutdown.
pub(crate) async fn run(n: Notifier) {
    let mut pruned_at: Option<Timestamp> = None;
    while !n.stop.is_stopping() {
        let now = n.clock.now();
        if let Some(keep) = n.keep
            && pruned_at.is_none_or(|at| now.duration_since(at) >= PRUNE_EVERY)
        {
            prune(&n, now, keep).await;
            pruned_at = Some(now);
        }
        let busy = pass(&n).await;
        if !busy {
            n.stop.pause(n.config.poll).await;
        }
    }
}

/// Deletes events older than `keep` (and their deliveries) that have nothing left to send.
async fn prune(n: &Notifier, now: Timestamp, keep: Duration) {
    let Some(before) = SignedDuration::try_from(keep)
        .ok()
        .and_then(|keep| now.checked_sub(keep).ok())
    else {
        return;
    };
    match n.store.prune_events(before, PRUNE_BATCH).await {
        Ok(0) => {}
        Ok(pruned) => tracing::info!(events = pruned, %before, "pruned notification events"),
        Err(error) => tracing::warn!(%error, "pruning notification events failed"),
    }
}

/// One pass: routes new events, then sends the deliveries due. Whether it found work.
async fn pass(n: &Notifier) -> bool {
    let routed = match n.store.route_events(n.clock.now(), BATCH).await {
        Ok(routed) => routed,
        Err(error) => {
            tracing::warn!(%error, "routing notification events failed");
            0
        }
    };
    let claimed = match n
        .store
        .claim_deliveries(&n.node, n.clock.now(), LEASE, BATCH)
        .await
    {
        Ok(claimed) => claimed,
        Err(error) => {
            tracing::warn!(%error, "claiming notification deliveries failed");
            Vec::new()
        }
    };
    let found = routed > 0 || !claimed.is_empty();
    for delivery in claimed {
        let attempt = send(n, &delivery).await;
        if let Err(error) = n
            .store
            .end_delivery(&n.node, delivery.uuid, &attempt, n.clock.now())
            .await
        {
            tracing::warn!(%error, delivery = %delivery.uuid, "recording a delivery failed");
        }
    }
    found
}

/// Makes one attempt of `delivery` and says how it ended.
async fn send(n: &Notifier, delivery: &ClaimedDelivery) -> DeliveryAttempt {
    if delivery.channel_deleted {
        return given_up(None, "the channel was deleted".into());
    }
    match delivery.channel_kind {
        ChannelKind::Webhook => send_webhook(n, delivery).await,
        ChannelKind::Email => send_email(n, delivery).await,
    }
}

async fn send_email(n: &Notifier, delivery: &ClaimedDelivery) -> DeliveryAttempt {
    let Some(config) = &n.config.email else {
        return given_up(
            None,
            "no SMTP relay is configured on this deployment (SUNDIAL_SMTP_HOST)".into(),
        );
    };
    let to = match email::recipients(&delivery.channel_config) {
        Ok(to) => to,
        Err(error) => return given_up(None, error),
    };
    let message = match email::compose(delivery, config.mailer.from(), to, n.clock.now()) {
        Ok(message) => message,
        Err(error) => return given_up(None, format!("the message cannot be built: {error}")),
    };
    // Each email counts once, at its first try: its retries are the relay's trouble, not
    // more mail the tenant asked for.
    if config.per_tenant_hour > 0 && delivery.attempt == 1 {
        match n
            .store
            .take_email_slot(delivery.tenant, n.clock.now(), config.per_tenant_hour)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(
                    tenant = delivery.tenant.get(),
                    delivery = %delivery.uuid,
                    cap = config.per_tenant_hour,
                    "an email notice was not sent: the tenant's hourly cap is reached"
                );
                return DeliveryAttempt {
                    status: DeliveryStatus::Skipped,
                    retry_at: None,
                    response_code: None,
                    response: None,
                    error: Some(format!(
                        "not sent: the tenant's cap of {} emails per hour was reached",
                        config.per_tenant_hour
                    )),
                };
            }
            Err(error) => {
                tracing::warn!(%error, delivery = %delivery.uuid, "counting an email failed");
                return retry_or_fail(
                    n,
                    delivery,
                    None,
                    "the tenant's email count could not be read".into(),
                );
            }
        }
    }
    match tokio::time::timeout(EMAIL_TIMEOUT, config.mailer.send(&message)).await {
        Ok(Sent::Accepted(code, reply)) => DeliveryAttempt {
            status: DeliveryStatus::Delivered,
            retry_at: None,
            response_code: Some(i64::from(code)),
            response: Some(reply),
            error: None,
        },
        Ok(Sent::Refused(code, error)) => given_up(code.map(i64::from), error),
        Ok(Sent::Failed(code, error)) => retry_or_fail(n, delivery, code.map(i64::from), error),
        Err(_) => retry_or_fail(
            n,
            delivery,
            None,
            format!(
                "the relay did not finish within {} s",
                EMAIL_TIMEOUT.as_secs()
            ),
        ),
    }
}

async fn send_webhook(n: &Notifier, delivery: &ClaimedDelivery) -> DeliveryAttempt {
    let Some(url) = delivery
        .channel_config
        .get("url")
        .and_then(|u| u.as_str())
        .and_then(|u| Url::parse(u).ok())
    else {
        return given_up(None, "the channel has no valid url".into());
    };
    if let Some(executors) = &n.config.tenant_lists
        && let Err(error) = executors.refresh_tenant_allow_list(delivery.tenant).await
    {
        return retry_or_fail(n, delivery, None, error);
    }
    let body = Bytes::from(payload(delivery).to_string());
    let now = n.clock.now();
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let signature = signature(&delivery.secrets, now.as_second(), &body);
    for (name, value) in [
        ("sundial-delivery", delivery.uuid.to_string()),
        ("idempotency-key", delivery.uuid.to_string()),
        ("sundial-event", delivery.kind.as_str().to_owned()),
        ("sundial-signature", signature),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    let request = EgressRequest {
        method: Method::POST,
        url,
        tenant_headers: HeaderMap::new(),
        sundial_headers: headers,
        body: Some(body),
        follow_redirects: false,
    };
    let mut trace = Vec::new();
    let sent = tokio::time::timeout(
        SEND_TIMEOUT,
        n.config.client.send(delivery.tenant, request, &mut trace),
    )
    .await;
    match sent {
        Ok(Ok(response)) if response.status.is_success() => DeliveryAttempt {
            status: DeliveryStatus::Delivered,
            retry_at: None,
            response_code: Some(i64::from(response.status.as_u16())),
            response: None,
            error: None,
        },
        Ok(Ok(response)) => retry_or_fail(
            n,
            delivery,
            Some(i64::from(response.status.as_u16())),
            format!("the receiver answered HTTP {}", response.status.as_u16()),
        ),
        Ok(Err(EgressError::Refused(refusal))) => {
            given_up(None, format!("refused by the egress policy: {refusal}"))
        }
        Ok(Err(error)) => retry_or_fail(n, delivery, None, error.to_string()),
        Err(_) => retry_or_fail(
            n,
            delivery,
            None,
            format!("no answer within {} s", SEND_TIMEOUT.as_secs()),
        ),
    }
}

fn given_up(response_code: Option<i64>, error: String) -> DeliveryAttempt {
    DeliveryAttempt {
        status: DeliveryStatus::Failed,
        retry_at: None,
        response_code,
        response: None,
        error: Some(error),
    }
}

fn retry_or_fail(
    n: &Notifier,
    delivery: &ClaimedDelivery,
    response_code: Option<i64>,
    error: String,
) -> DeliveryAttempt {
    match retry_at(n.clock.now(), delivery.attempt) {
        Some(at) => DeliveryAttempt {
            status: DeliveryStatus::Pending,
            retry_at: Some(at),
            response_code,
            response: None,
            error: Some(error),
        },
        None => given_up(response_code, error),
    }
}

/// When to try again after try `attempt` (from 1) failed at `now`; `None` after the last.
pub(crate) fn retry_at(now: Timestamp, attempt: i64) -> Option<Timestamp> {
    if attempt >= MAX_TRIES {
        return None;
    }
    let index = usize::try_from(attempt - 1).unwrap_or(0);
    BACKOFF.get(index).map(|wait| now + *wait)
}

/// The JSON body receivers get.
pub(crate) fn payload(delivery: &ClaimedDelivery) -> serde_json::Value {
    let (task, code, name) = &delivery.task;
    serde_json::json!({
        "id": delivery.event,
        "type": delivery.kind.as_str(),
        "occurred_at": delivery.occurred_at.to_string(),
        "tenant_id": delivery.tenant.get(),
        "task": {"uuid": task, "code": code, "name": name},
        "run": delivery.run,
        "data": delivery.payload,
    })
}

/// The `Sundial-Signature` value: the timestamp and one HMAC-SHA256 per key.
pub(crate) fn signature(secrets: &[String], timestamp: i64, body: &[u8]) -> String {
    let mut signed = Vec::with_capacity(body.len() + 12);
    signed.extend_from_slice(timestamp.to_string().as_bytes());
    signed.push(b'.');
    signed.extend_from_slice(body);
    let mut value = format!("t={timestamp}");
    for secret in secrets {
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        let tag = hmac::sign(&key, &signed);
        value.push_str(",v1=");
        for byte in tag.as_ref() {
            value.push_str(&format!("{byte:02x}"));
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_tries_span_about_fifteen_minutes() {
        let start = Timestamp::from_second(1_000_000).unwrap();
        let mut at = start;
        let mut tries = 1;
        while let Some(next) = retry_at(at, tries) {
            at = next;
            tries += 1;
        }
        assert_eq!(tries, MAX_TRIES);
        // 30 s + 90 s + 4.5 min + 9 min.
        assert_eq!(at.duration_since(start), SignedDuration::from_secs(930));
    }

    #[test]
    fn the_signature_is_hmac_sha256_over_timestamp_and_body_per_key() {
        // Expected values from Python: hmac.new(key, b'1700000000.{"a":1}', hashlib.sha256).
        let value = signature(
            &["whsec_test".into(), "old".into()],
            1_700_000_000,
            br#"{"a":1}"#,
        );
        assert_eq!(
            value,
            "t=1700000000,\
             v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789,\
             v1=5bed6ff4fdaa1f7539be4b82f6c76ce254e00e815b22b0dc8132056e0392cbcf"
        );
    }
}
