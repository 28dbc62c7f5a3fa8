//! Email notices through the real binary, on SQLite and on PostgreSQL, to a loopback SMTP relay
//! (aiosmtpd: `smtp_sink.py` beside this file) that requires STARTTLS with a certificate of the
//! test CA and a login: a failing task's rule sends one email per throttle window, with the
//! channel's recipients and a subject naming tenant, task and event; its recovery sends
//! another; the relay's reply is recorded; a recipient the relay refuses fails the delivery at
//! once; past the tenant's hourly cap a notice is recorded `skipped` and never reaches the
//! relay; a node without a relay refuses email channels and fails their deliveries saying why;
//! a relay speaking TLS from the first byte (`SUNDIAL_SMTP_TLS=tls`) gets the next one.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use store::on_both_databases;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::common;
use common::{Node, Sink, TestDb, api_task, engine_env, poll};

const NOTIFY: &str = "/api/tree-root/tenant/notify";
const SINK_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/e2e/smtp_sink.py");
/// The exec crate's test CA and its certificate for 127.0.0.2.
const CA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../exec/src/test_support/test-ca.pem"
);
const CERT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../exec/src/test_support/allowed-test.pem"
);
const KEY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../exec/src/test_support/allowed-test.key"
);
const USER: &str = "sundial";
const PASSWORD: &str = "relay-pw-0123";
/// The emails one tenant may be sent per hour in this test.
const CAP: u32 = 3;

/// The loopback SMTP relay: a Python process printing each message it accepts as JSON.
struct Relay {
    _child: Child,
    port: u16,
    got: Arc<Mutex<Vec<Value>>>,
}

impl Relay {
    /// Starts the relay on 127.0.0.2 (the name in the test certificate), with STARTTLS
    /// required (or, `implicit`, TLS from the first byte) and the one login.
    async fn start(implicit: bool) -> Self {
        // Debian's interpreter, which has python3-aiosmtpd (scripts/lib/packages.sh).
        let mut child = Command::new("/usr/bin/python3")
            .args([SINK_SCRIPT, "127.0.0.2", "--cert", CERT, "--key", KEY])
            .args(["--user", USER, "--password", PASSWORD])
            .args(implicit.then_some("--implicit-tls"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the SMTP relay");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the relay starts within 30 s")
            .unwrap()
            .expect("the relay prints its port (is python3-aiosmtpd installed?)");
        let port = first
            .strip_prefix("ready ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the relay said {first:?}"));
        let got = Arc::new(Mutex::new(Vec::new()));
        let collected = got.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                collected
                    .lock()
                    .unwrap()
                    .push(serde_json::from_str(&line).unwrap());
            }
        });
        Self {
            _child: child,
            port,
            got,
        }
    }

    fn received(&self) -> Vec<Value> {
        self.got.lock().unwrap().clone()
    }
}

/// A header of a message the relay accepted.
fn header(message: &Value, name: &str) -> String {
    message["headers"][name]
        .as_str()
        .unwrap_or_else(|| panic!("no {name} in {message}"))
        .to_owned()
}

/// Calls a notification path with the node's admin token.
async fn call(node: &Node, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{NOTIFY}{path}", node.base))
        .bearer_auth(&node.token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The task's deliveries, newest first.
async fn deliveries(node: &Node, task: &str) -> Vec<Value> {
    let (got, list) = call(
        node,
        Method::GET,
        &format!("/deliveries?task_uuid={task}"),
        None,
    )
    .await;
    assert_eq!(got, 200, "{list}");
    list.as_array().unwrap().clone()
}

/// A task that fails at once (no retries), with a `run.failed` rule to `channel`.
async fn failing_task(node: &Node, sink: &Sink, code: &str, channel: &str) -> String {
    let mut body = api_task(
        code,
        "cron",
        json!({"cron": "0 0 1 1 *"}),
        &sink.url("/fail"),
    );
    body["retry_policy"] = json!({"max_retries": 0});
    let task = node.create(body).await;
    node.ok(
        Method::POST,
        &format!("/{task}/notify-rules"),
        Some(json!({"channel": channel, "event": "run.failed"})),
        201,
    )
    .await;
    task
}

/// Runs the task now and waits until the run ended `status`.
async fn run_until(node: &Node, task: &str, status: &str) -> String {
    let run = node
        .ok(Method::POST, &format!("/{task}/run"), None, 202)
        .await;
    let uuid = run["uuid"].as_str().unwrap().to_owned();
    poll(
        &format!("the run to end {status}"),
        Duration::from_secs(30),
        || async { node.run(&uuid).await["status"] == status },
    )
    .await;
    uuid
}

/// Whether a delivery has ended (is not pending or sending).
fn settled(delivery: &Value) -> bool {
    !matches!(delivery["status"].as_str(), Some("pending" | "sending"))
}

/// Waits for the latest delivery of the task to end; it.
async fn settled_delivery(node: &Node, task: &str) -> Value {
    poll(
        "the delivery to settle",
        Duration::from_secs(30),
        || async { deliveries(node, task).await.first().is_some_and(settled) },
    )
    .await;
    deliveries(node, task).await.remove(0)
}

/// Waits for every delivery of the task to end; them. The relay has a message before the
/// notifier records the relay's reply.
async fn settled_deliveries(node: &Node, task: &str) -> Vec<Value> {
    poll(
        "the deliveries to settle",
        Duration::from_secs(30),
        || async { deliveries(node, task).await.iter().all(settled) },
    )
    .await;
    deliveries(node, task).await
}

/// `base` with the settings of `relay`, spoken to in `tls` mode, and an hourly cap of `cap`.
fn relay_env(
    base: &[(String, String)],
    relay: &Relay,
    tls: &str,
    password_file: &std::path::Path,
    cap: u32,
) -> Vec<(String, String)> {
    let mut env = base.to_vec();
    for (name, value) in [
        ("SUNDIAL_SMTP_HOST", "127.0.0.2".to_owned()),
        ("SUNDIAL_SMTP_PORT", relay.port.to_string()),
        ("SUNDIAL_SMTP_TLS", tls.to_owned()),
        ("SUNDIAL_SMTP_USERNAME", USER.to_owned()),
        (
            "SUNDIAL_SMTP_PASSWORD_FILE",
            password_file.display().to_string(),
        ),
        (
            "SUNDIAL_SMTP_FROM",
            "Sundial <sundial@example.net>".to_owned(),
        ),
        ("SUNDIAL_SMTP_CA_FILE", CA.to_owned()),
        ("SUNDIAL_NOTIFY_EMAIL_PER_TENANT_HOUR", cap.to_string()),
    ] {
        env.push((name.to_owned(), value));
    }
    env
}

/// The cap counts per clock hour: a test that crossed one would count afresh midway, so it
/// starts its counted emails at least two minutes before the next hour.
async fn clear_of_the_hour() {
    let seconds = jiff::Timestamp::now().as_second().rem_euclid(3600);
    if seconds > 3600 - 120 {
        tokio::time::sleep(Duration::from_secs(u64::try_from(3601 - seconds).unwrap())).await;
    }
}

async fn scenario(db: TestDb) {
    let sink = Sink::start().await;
    let relay = Relay::start(false).await;
    let secrets = tempfile::tempdir().unwrap();
    let password_file = secrets.path().join("smtp-password");
    std::fs::write(&password_file, format!("{PASSWORD}\n")).unwrap();
    let plain_env = engine_env(&db, &sink);
    let env = relay_env(&plain_env, &relay, "starttls", &password_file, CAP);
    let data = tempfile::tempdir().unwrap();
    let mut node = Node::start(data.path(), &env).await;

    let (got, channel) = call(
        &node,
        Method::POST,
        "/channels",
        Some(json!({"name": "ops mail", "kind": "email",
                    "to": ["ops@example.com", "dev@example.org"]})),
    )
    .await;
    assert_eq!(got, 201, "{channel}");
    assert_eq!(channel["to"], json!(["ops@example.com", "dev@example.org"]));
    assert!(channel.get("secret").is_none(), "{channel}");
    let ops = channel["uuid"].as_str().unwrap().to_owned();
    let (got, bounce) = call(
        &node,
        Method::POST,
        "/channels",
        Some(json!({"name": "bounce", "kind": "email", "to": ["reject-me@example.com"]})),
    )
    .await;
    assert_eq!(got, 201, "{bounce}");
    let bounce = bounce["uuid"].as_str().unwrap().to_owned();

    let flaky = failing_task(&node, &sink, "flaky-mail", &ops).await;
    node.ok(
        Method::POST,
        &format!("/{flaky}/notify-rules"),
        Some(json!({"channel": ops, "event": "run.recovered"})),
        201,
    )
    .await;

    clear_of_the_hour().await;
    // Three failures within the 15-minute window: one email. The recovery is routed after
    // them (events go in order), so once its email is in, every failure had its chance.
    let mut failed = Vec::new();
    for _ in 0..3 {
        failed.push(run_until(&node, &flaky, "failed").await);
    }
    let mut fixed = node.ok(Method::GET, &format!("/{flaky}"), None, 200).await;
    fixed["task_config"]["url"] = json!(sink.url("/ok"));
    node.ok(Method::PUT, &format!("/{flaky}"), Some(fixed), 200)
        .await;
    let recovered = run_until(&node, &flaky, "succeeded").await;
    poll("the recovery email", Duration::from_secs(30), || async {
        relay
            .received()
            .iter()
            .any(|m| header(m, "Sundial-Event") == "run.recovered")
    })
    .await;
    let mails = relay.received();
    assert_eq!(mails.len(), 2, "{mails:#?}");
    let (failure, recovery) = (&mails[0], &mails[1]);
    assert_eq!(failure["mail_from"], "sundial@example.net");
    assert_eq!(
        failure["rcpt_tos"],
        json!(["ops@example.com", "dev@example.org"])
    );
    assert_eq!(
        (&failure["login"], &failure["tls"]),
        (&json!(USER), &json!(true))
    );
    assert_eq!(
        header(failure, "Subject"),
        "[Sundial] run.failed: flaky-mail (flaky-mail), tenant 1"
    );
    assert_eq!(header(failure, "From"), "Sundial <sundial@example.net>");
    let body = failure["body"].as_str().unwrap();
    for line in [
        format!("Run:      {}", failed[0]),
        format!("Task:     flaky-mail (flaky-mail, {flaky})"),
        "  consecutive_failures: 1".to_owned(),
        "  status: failed".to_owned(),
    ] {
        assert!(body.lines().any(|l| l == line), "{line:?} not in {body}");
    }
    assert_eq!(
        header(recovery, "Subject"),
        "[Sundial] run.recovered: flaky-mail (flaky-mail), tenant 1"
    );
    assert!(recovery["body"].as_str().unwrap().contains(&recovered));

    // Both are listed as delivered with the relay's reply; the delivery's id is in the
    // message, for a receiver to recognise a retried one.
    let listed = settled_deliveries(&node, &flaky).await;
    assert_eq!(listed.len(), 2, "{listed:#?}");
    for d in &listed {
        assert_eq!(
            (&d["status"], &d["attempts"], &d["response_code"]),
            (&json!("delivered"), &json!(1), &json!(250)),
            "{d}"
        );
        assert!(
            d["response"].as_str().unwrap().contains("queued as E2E"),
            "{d}"
        );
    }
    let failure_delivery = listed[1]["uuid"].as_str().unwrap();
    assert_eq!(header(failure, "Sundial-Delivery"), failure_delivery);
    assert_eq!(
        header(failure, "Message-ID"),
        format!("<{failure_delivery}@example.net>")
    );

    // A recipient the relay refuses for good: failed at the first try, with the reply. It
    // takes the third email of the hour.
    let bounced = failing_task(&node, &sink, "bounced-mail", &bounce).await;
    run_until(&node, &bounced, "failed").await;
    let refused = settled_delivery(&node, &bounced).await;
    assert_eq!(
        (
            &refused["status"],
            &refused["attempts"],
            &refused["response_code"]
        ),
        (&json!("failed"), &json!(1), &json!(550)),
        "{refused}"
    );
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("no such mailbox"),
        "{refused}"
    );

    // The cap of 3 per hour is used up: the next notice is recorded as skipped and never
    // reaches the relay.
    let capped = failing_task(&node, &sink, "capped-mail", &ops).await;
    let capped_run = run_until(&node, &capped, "failed").await;
    let skipped = settled_delivery(&node, &capped).await;
    assert_eq!(
        (
            &skipped["status"],
            &skipped["run_uuid"],
            &skipped["attempts"]
        ),
        (&json!("skipped"), &json!(capped_run), &json!(1)),
        "{skipped}"
    );
    assert!(
        skipped["error"]
            .as_str()
            .unwrap()
            .contains(&format!("cap of {CAP} emails per hour")),
        "{skipped}"
    );
    assert_eq!(relay.received().len(), 2, "nothing more reached the relay");

    // Without a relay, a node refuses new email channels and fails deliveries to the old
    // ones saying why.
    node.terminate().await;
    let mut node = Node::start(data.path(), &plain_env).await;
    let (got, problem) = call(
        &node,
        Method::POST,
        "/channels",
        Some(json!({"name": "x", "kind": "email", "to": ["ops@example.com"]})),
    )
    .await;
    assert_eq!(got, 422, "{problem}");
    assert_eq!(
        (
            &problem["errors"][0]["field"],
            &problem["errors"][0]["code"]
        ),
        (&json!("kind"), &json!("email_unavailable")),
        "{problem}"
    );
    let orphan = failing_task(&node, &sink, "no-relay-mail", &ops).await;
    run_until(&node, &orphan, "failed").await;
    let failed = settled_delivery(&node, &orphan).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("no SMTP relay is configured"),
        "{failed}"
    );

    // A relay speaking TLS from the first byte; a raised cap lets the tenant's fourth email
    // of the hour through.
    node.terminate().await;
    let wrapped = Relay::start(true).await;
    let tls_env = relay_env(&plain_env, &wrapped, "tls", &password_file, CAP + 1);
    let node = Node::start(data.path(), &tls_env).await;
    let direct = failing_task(&node, &sink, "tls-mail", &ops).await;
    let direct_run = run_until(&node, &direct, "failed").await;
    let sent = settled_delivery(&node, &direct).await;
    assert_eq!(
        (&sent["status"], &sent["response_code"]),
        (&json!("delivered"), &json!(250)),
        "{sent}"
    );
    let mails = wrapped.received();
    assert_eq!(mails.len(), 1, "{mails:#?}");
    assert_eq!(
        (&mails[0]["login"], &mails[0]["tls"]),
        (&json!(USER), &json!(true))
    );
    assert!(mails[0]["body"].as_str().unwrap().contains(&direct_run));
    assert_eq!(
        relay.received().len(),
        2,
        "the first relay got nothing more"
    );
}

on_both_databases!(email_notifications_end_to_end,);

async fn email_notifications_end_to_end(db: TestDb) {
    scenario(db).await;
}
