//! Email notices: one plain-text message per delivery, sent through the operator's SMTP relay.
//!
//! The relay is the operator's, so it is not an egress target a tenant chooses: tenants only
//! choose recipients, which is why each tenant's emails are capped per hour (the notifier
//! counts them in the store). The message carries the delivery's uuid in its `Message-ID` and
//! a `Sundial-Delivery` header, so a retried delivery can be recognised as the same notice.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use jiff::Timestamp;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Mailboxes};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::response::Response;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde_json::Value;
use store::ClaimedDelivery;

/// How long one SMTP command may wait for the relay.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SmtpTls {
    /// Plain connection upgraded with `STARTTLS`, which the relay must offer (port 587).
    #[default]
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same host or in tests.
    None,
}

impl SmtpTls {
    /// The port the mode is usually served on.
    pub fn default_port(self) -> u16 {
        match self {
            SmtpTls::StartTls => 587,
            SmtpTls::Tls => 465,
            SmtpTls::None => 25,
        }
    }

    /// Its name in settings: `starttls`, `tls` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            SmtpTls::StartTls => "starttls",
            SmtpTls::Tls => "tls",
            SmtpTls::None => "none",
        }
    }
}

impl std::str::FromStr for SmtpTls {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "starttls" => Ok(SmtpTls::StartTls),
            "tls" => Ok(SmtpTls::Tls),
            "none" => Ok(SmtpTls::None),
            other => Err(format!("{other:?} is not starttls, tls or none")),
        }
    }
}

/// The operator's relay, as configured.
#[derive(Debug, Clone, Copy)]
pub struct RelaySettings<'a> {
    /// Host name or IP address of the relay (also the name its certificate must carry).
    pub host: &'a str,
    /// Its port.
    pub port: u16,
    /// How the connection is protected.
    pub tls: SmtpTls,
    /// User name and password to authenticate with, if the relay wants them.
    pub credentials: Option<(&'a str, &'a str)>,
    /// CA certificates (PEM) trusted besides the public web roots.
    pub ca_pem: Option<&'a [u8]>,
    /// The address notices come from, e.g. `Sundial <sundial@example.com>`.
    pub from: &'a str,
}

/// Why a relay cannot be set up from its settings.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// The sender is not an address.
    #[error("the sender {0:?} is not an email address")]
    From(String),
    /// The CA file holds no usable certificate.
    #[error("the CA certificates cannot be read: {0}")]
    Ca(String),
    /// The TLS parameters cannot be built.
    #[error("TLS to the relay cannot be set up: {0}")]
    Tls(String),
    /// A password would travel in clear.
    #[error("a password is never sent to a relay without TLS")]
    ClearPassword,
}

/// The relay email notices go through and the address they come from.
#[derive(Clone)]
pub struct Mailer {
    transport: Arc<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    relay: String,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("relay", &self.relay)
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

/// How one message fared at the relay.
#[derive(Debug)]
pub(crate) enum Sent {
    /// Accepted: the reply code and text.
    Accepted(u16, String),
    /// Refused for good (a 5xx reply, e.g. an unknown recipient): the code and error.
    Refused(Option<u16>, String),
    /// Worth trying again (a 4xx reply, no connection, no answer): the code and error.
    Failed(Option<u16>, String),
}

impl Mailer {
    /// A mailer for the relay `settings` name; nothing is connected until the first send.
    pub fn new(settings: RelaySettings<'_>) -> Result<Self, RelayError> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|_| RelayError::From(settings.from.to_owned()))?;
        let parameters = || {
            let mut builder = TlsParameters::builder(settings.host.to_owned());
            if let Some(pem) = settings.ca_pem {
                // A file without any certificate would otherwise add no trust, silently.
                if !String::from_utf8_lossy(pem).contains("-----BEGIN CERTIFICATE-----") {
                    return Err(RelayError::Ca("it holds no PEM certificate".into()));
                }
                let certificate =
                    Certificate::from_pem(pem).map_err(|e| RelayError::Ca(e.to_string()))?;
                builder = builder.add_root_certificate(certificate);
            }
            builder.build().map_err(|e| RelayError::Tls(e.to_string()))
        };
        let tls = match settings.tls {
            SmtpTls::StartTls => Tls::Required(parameters()?),
            SmtpTls::Tls => Tls::Wrapper(parameters()?),
            SmtpTls::None if settings.credentials.is_some() => {
                return Err(RelayError::ClearPassword);
            }
            SmtpTls::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host)
            .port(settings.port)
            .tls(tls)
            .timeout(Some(COMMAND_TIMEOUT));
        if let Some((user, password)) = settings.credentials {
            builder = builder.credentials(Credentials::new(user.to_owned(), password.to_owned()));
        }
        Ok(Self {
            transport: Arc::new(builder.build()),
            from,
            relay: format!(
                "{}:{} ({})",
                settings.host,
                settings.port,
                settings.tls.as_str()
            ),
        })
    }

    /// The address notices come from.
    pub fn from(&self) -> &Mailbox {
        &self.from
    }

    /// Hands `message` to the relay.
    pub(crate) async fn send(&self, message: &Message) -> Sent {
        match self.transport.send(message.clone()).await {
            Ok(response) => Sent::Accepted(u16::from(response.code()), reply_text(&response)),
            Err(error) => {
                let code = error.status().map(u16::from);
                let text = format!("the relay {}: {error}", self.relay);
                if error.is_permanent() {
                    Sent::Refused(code, text)
                } else {
                    Sent::Failed(code, text)
                }
            }
        }
    }
}

fn reply_text(response: &Response) -> String {
    let text: Vec<&str> = response.message().collect();
    format!("{} {}", response.code(), text.join(" "))
}

/// The recipients of an email channel's configuration (`{"to": [...]}`); `Err` says why there
/// are none to send to.
pub(crate) fn recipients(config: &Value) -> Result<Mailboxes, String> {
    let list = config
        .get("to")
        .and_then(Value::as_array)
        .filter(|list| !list.is_empty())
        .ok_or("the channel has no recipients")?;
    let mut to = Mailboxes::new();
    for address in list {
        let mailbox: Mailbox = address
            .as_str()
            .and_then(|a| a.parse().ok())
            .ok_or_else(|| format!("the recipient {address} is not an email address"))?;
        to.push(mailbox);
    }
    Ok(to)
}

/// The message of one delivery: a subject naming the tenant, the task and the event, and a
/// plain-text body with a summary and the event's fields, without links.
pub(crate) fn compose(
    delivery: &ClaimedDelivery,
    from: &Mailbox,
    to: Mailboxes,
    now: Timestamp,
) -> Result<Message, String> {
    let (task, code, name) = &delivery.task;
    let event = delivery.kind.as_str();
    let domain = from.email.domain();
    let mut builder = Message::builder()
        .from(from.clone())
        .subject(one_line(&format!(
            "[Sundial] {event}: {name} ({code}), tenant {}",
            delivery.tenant.get()
        )))
        .message_id(Some(format!("<{}@{domain}>", delivery.uuid)))
        .date(SystemTime::from(now))
        .header(ContentType::TEXT_PLAIN);
    for mailbox in to {
        builder = builder.to(mailbox);
    }
    for (name, value) in [
        ("Sundial-Delivery", delivery.uuid.to_string()),
        ("Sundial-Event", event.to_owned()),
        // RFC 3834: vacation responders and the like do not answer it.
        ("Auto-Submitted", "auto-generated".to_owned()),
    ] {
        let name = HeaderName::new_from_ascii(name.to_owned()).map_err(|e| e.to_string())?;
        builder = builder.raw_header(HeaderValue::new(name, value));
    }
    let mut body = format!("{}\n\n", summary(delivery));
    body.push_str(&format!("Tenant:   {}\n", delivery.tenant.get()));
    body.push_str(&format!(
        "Task:     {} ({}, {task})\n",
        one_line(name),
        one_line(code)
    ));
    if let Some(run) = delivery.run {
        body.push_str(&format!("Run:      {run}\n"));
    }
    body.push_str(&format!("Event:    {event} at {}\n", delivery.occurred_at));
    body.push_str("\nDetails:\n");
    match &delivery.payload {
        Value::Object(fields) => {
            for (key, value) in fields {
                body.push_str(&format!("  {key}: {}\n", plain(value)));
            }
        }
        other => body.push_str(&format!("  {}\n", plain(other))),
    }
    body.push_str(&format!(
        "\nEvent id:    {}\nDelivery id: {} (also the Sundial-Delivery header; a retried \
         delivery keeps it)\n",
        delivery.event, delivery.uuid
    ));
    builder.body(body).map_err(|e| e.to_string())
}

/// One sentence saying what happened, from the event's fields.
fn summary(delivery: &ClaimedDelivery) -> String {
    let field = |key: &str| delivery.payload.get(key).map(plain);
    let (_, code, _) = &delivery.task;
    match delivery.kind {
        domain::EventKind::RunFailed => {
            let mut text = format!(
                "A run of {code} ended {} after its last retry",
                field("status").unwrap_or_else(|| "failed".into())
            );
            if let Some(failures) = field("consecutive_failures") {
                text.push_str(&format!(" ({failures} failed in a row)"));
            }
            if let Some(error) = field("error") {
                text.push_str(&format!(": {error}"));
            }
            text.push('.');
            text
        }
        domain::EventKind::RunRecovered => {
            format!("A run of {code} succeeded after the task's previous run had failed.")
        }
        domain::EventKind::RunSlow => match field("duration_ms") {
            Some(ms) => format!("A run of {code} took {ms} ms, longer than the rule allows."),
            None => format!("A run of {code} took longer than the rule allows."),
        },
        domain::EventKind::OccurrenceSkipped => match field("reason") {
            Some(reason) => format!("An occurrence of {code} was skipped ({reason})."),
            None => format!("An occurrence of {code} was skipped."),
        },
        domain::EventKind::DeadlineMissed => match field("due_at") {
            Some(due) => format!("{code} did not succeed by its deadline, due {due}."),
            None => format!("{code} did not succeed by its deadline."),
        },
    }
}

/// A JSON value as a person reads it: text without quotes, anything else as compact JSON.
fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => one_line(text),
        other => other.to_string(),
    }
}

/// `text` on one line: a line break in a task's name or an error must not start a new header
/// or a new field.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use domain::{ChannelKind, EventKind, RunUuid, TaskUuid, TenantId};
    use serde_json::json;
    use uuid::Uuid;

    use super::*;

    fn delivery(kind: EventKind, payload: Value) -> ClaimedDelivery {
        ClaimedDelivery {
            uuid: Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_00d1),
            tenant: TenantId::new(7).unwrap(),
            attempt: 1,
            event: Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_00e1),
            kind,
            payload,
            occurred_at: "2026-12-06T03:00:01.234Z".parse().unwrap(),
            run: Some(RunUuid(Uuid::from_u128(
                0x0193_0000_0000_7000_8000_0000_0000_00a1,
            ))),
            task: (
                TaskUuid(Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_00b1)),
                "nightly-report".into(),
                "Nightly\nreport".into(),
            ),
            channel_kind: ChannelKind::Email,
            channel_config: json!({"to": ["ops@example.com", "Dev <dev@example.org>"]}),
            secrets: Vec::new(),
            channel_deleted: false,
        }
    }

    #[test]
    fn a_failure_mail_names_tenant_task_and_event_and_carries_the_delivery_id() {
        let d = delivery(
            EventKind::RunFailed,
            json!({"status": "timed_out", "attempt": 4, "consecutive_failures": 3,
                   "error": "HTTP 503\nfrom api", "duration_ms": 812}),
        );
        let from: Mailbox = "Sundial <sundial@example.net>".parse().unwrap();
        let to = recipients(&d.channel_config).unwrap();
        let message = compose(&d, &from, to, "2026-12-06T03:00:05Z".parse().unwrap()).unwrap();
        let text = unfold_quoted_printable(&String::from_utf8(message.formatted()).unwrap());
        let header = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                .unwrap_or_else(|| panic!("no {name} in {text}"))
                .to_owned()
        };
        assert_eq!(
            header("Subject"),
            "[Sundial] run.failed: Nightly report (nightly-report), tenant 7"
        );
        assert_eq!(header("Message-ID"), format!("<{}@example.net>", d.uuid));
        assert_eq!(header("Sundial-Delivery"), d.uuid.to_string());
        assert_eq!(header("Sundial-Event"), "run.failed");
        assert_eq!(header("Auto-Submitted"), "auto-generated");
        assert_eq!(header("To"), "ops@example.com, Dev <dev@example.org>");
        assert_eq!(header("Date"), "Sun, 06 Dec 2026 03:00:05 +0000");
        for line in [
            "A run of nightly-report ended timed_out after its last retry (3 failed in a row): \
             HTTP 503 from api.",
            "Tenant:   7",
            &format!("Task:     Nightly report (nightly-report, {})", d.task.0),
            &format!("Run:      {}", d.run.unwrap()),
            "Event:    run.failed at 2026-12-06T03:00:01.234Z",
            "  attempt: 4",
            "  error: HTTP 503 from api",
            "  status: timed_out",
        ] {
            assert!(text.lines().any(|l| l == line), "{line:?} not in {text}");
        }
        assert!(!text.contains("http://") && !text.contains("https://"));
    }

    /// The message as a reader sees it: quoted-printable soft line breaks joined and `=XX`
    /// escapes decoded (the body is ASCII here).
    fn unfold_quoted_printable(raw: &str) -> String {
        let joined = raw.replace("=\r\n", "");
        let mut out = String::new();
        let mut rest = joined.as_str();
        while let Some(at) = rest.find('=') {
            out.push_str(&rest[..at]);
            let hex = rest.get(at + 1..at + 3).unwrap_or_default();
            match u8::from_str_radix(hex, 16) {
                Ok(byte) if hex.len() == 2 => {
                    out.push(char::from(byte));
                    rest = &rest[at + 3..];
                }
                _ => {
                    out.push('=');
                    rest = &rest[at + 1..];
                }
            }
        }
        out.push_str(rest);
        out.replace("\r\n", "\n")
    }

    #[test]
    fn every_event_kind_has_a_summary_of_its_own() {
        let cases = [
            (EventKind::RunRecovered, json!({}), "succeeded after"),
            (
                EventKind::RunSlow,
                json!({"duration_ms": 9000}),
                "took 9000 ms",
            ),
            (
                EventKind::OccurrenceSkipped,
                json!({"reason": "overlap"}),
                "skipped (overlap)",
            ),
            (
                EventKind::DeadlineMissed,
                json!({"due_at": "2026-12-06T07:30:00Z"}),
                "due 2026-12-06T07:30:00Z",
            ),
        ];
        for (kind, payload, says) in cases {
            let text = summary(&delivery(kind, payload));
            assert!(text.contains(says), "{kind:?}: {text}");
        }
    }

    #[test]
    fn bad_recipients_and_settings_are_refused_with_the_reason() {
        assert!(recipients(&json!({"to": []})).is_err());
        let error = recipients(&json!({"to": ["ops@example.com", "nope"]})).unwrap_err();
        assert!(error.contains("\"nope\""), "{error}");
        let settings = RelaySettings {
            host: "127.0.0.1",
            port: 2525,
            tls: SmtpTls::None,
            credentials: None,
            ca_pem: None,
            from: "sundial@example.net",
        };
        assert!(Mailer::new(settings).is_ok());
        assert!(matches!(
            Mailer::new(RelaySettings {
                credentials: Some(("u", "p")),
                ..settings
            }),
            Err(RelayError::ClearPassword)
        ));
        assert!(matches!(
            Mailer::new(RelaySettings {
                from: "not an address",
                ..settings
            }),
            Err(RelayError::From(_))
        ));
        for pem in [
            &b"not a certificate"[..],
            b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n",
        ] {
            assert!(matches!(
                Mailer::new(RelaySettings {
                    tls: SmtpTls::StartTls,
                    ca_pem: Some(pem),
                    ..settings
                }),
                Err(RelayError::Ca(_) | RelayError::Tls(_))
            ));
        }
        assert_eq!("starttls".parse(), Ok(SmtpTls::StartTls));
        assert!("ssl".parse::<SmtpTls>().is_err());
    }
}
