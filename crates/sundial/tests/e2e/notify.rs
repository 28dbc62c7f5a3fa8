//! Notifications through the real binary, on SQLite and on PostgreSQL: a webhook channel is
//! created (its signing key shown once; bad input refused with a precise problem, another
//! tenant's channel a 404), a failing task with rules notifies a loopback webhook once however
//! often it fails within the throttle window, its recovery notifies too, every delivery is
//! signed (checked by the Python verifier of docs/alerts.md) and listed with its outcome; a
//! rotated key signs alongside the old one; the tenant's egress allow-list refuses a notice.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use reqwest::Method;
use serde_json::{Value, json};
use store::on_both_databases;

use crate::common;
use common::{Node, Sink, TestDb, api_task, engine_env, poll};

const NOTIFY: &str = "/api/tree-root/tenant/notify";

/// A request the webhook receiver got: its headers and raw body.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Received {
    pub(crate) fn header(&self, name: &str) -> String {
        self.headers[name].to_str().unwrap().to_owned()
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A loopback webhook receiver answering 200 and keeping every request.
pub(crate) struct Receiver {
    pub(crate) port: u16,
    got: Arc<Mutex<Vec<Received>>>,
}

async fn receive(
    State(got): State<Arc<Mutex<Vec<Received>>>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    got.lock().unwrap().push(Received {
        headers,
        body: body.to_vec(),
    });
    StatusCode::OK
}

impl Receiver {
    pub(crate) async fn start() -> Self {
        let got = Arc::new(Mutex::new(Vec::new()));
        let app = axum::Router::new()
            .fallback(receive)
            .with_state(got.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { port, got }
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

/// Calls a notification path (`/api/tree-root/tenant/notify…`) with `token`.
pub(crate) async fn call(
    node: &Node,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{NOTIFY}{path}", node.base))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    if status >= 400 {
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
    }
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The one field a 422 names.
fn field(problem: &Value) -> &str {
    problem["errors"][0]["field"].as_str().unwrap_or_default()
}

/// The Python verifier of docs/alerts.md, run on a delivery: whether it accepts it.
fn python_verifies(secret: &str, signature: &str, body: &[u8]) -> bool {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/alerts.md"))
        .unwrap();
    let snippet = doc
        .split("```python\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/alerts.md has a python snippet");
    let dir = tempfile::tempdir().unwrap();
    let body_file = dir.path().join("body");
    std::fs::write(&body_file, body).unwrap();
    let program = format!(
        "{snippet}\nimport sys\nprint(verify(sys.argv[1], sys.argv[2], open(sys.argv[3], 'rb').read()))\n"
    );
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(program)
        .arg(secret)
        .arg(signature)
        .arg(&body_file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    match String::from_utf8_lossy(&out.stdout).trim() {
        "True" => true,
        "False" => false,
        other => panic!("the verifier printed {other:?}"),
    }
}

async fn scenario(db: TestDb) {
    let sink = Sink::start().await;
    let receiver = Receiver::start().await;
    let mut env = engine_env(&db, &sink);
    for (name, value) in &mut env {
        if name == "SUNDIAL_EGRESS_ALLOW" {
            *value = format!("{value},127.0.0.1/32:{}", receiver.port);
        }
    }
    let data = tempfile::tempdir().unwrap();
    let node = Node::start(data.path(), &env).await;
    let admin = node.token.clone();
    let other = node.token(&["--tenant", "2", "--role", "admin"]).await;
    let viewer = node.token(&["--tenant", "1", "--role", "viewer"]).await;
    let hook = format!("http://127.0.0.1:{}/hook", receiver.port);

    // Bad channels are refused, each naming its field.
    for (body, status, name) in [
        (json!({"name": "x", "kind": "webhook"}), 422, "url"),
        (
            json!({"name": "x", "kind": "pager", "url": hook}),
            422,
            "kind",
        ),
        (
            json!({"name": "x", "kind": "webhook", "url": "http://169.254.169.254/"}),
            422,
            "url",
        ),
        (
            json!({"name": "", "kind": "webhook", "url": hook}),
            422,
            "name",
        ),
        (
            json!({"name": "x", "kind": "email", "to": ["not-an-address"]}),
            422,
            "to[0]",
        ),
    ] {
        let (got, problem) = call(&node, &admin, Method::POST, "/channels", Some(body)).await;
        assert_eq!((got, field(&problem)), (status, name), "{problem}");
    }
    let (got, problem) = call(
        &node,
        &admin,
        Method::POST,
        "/channels",
        Some(json!({"name": "x", "kind": "webhook", "url": hook, "tenant_id": 2})),
    )
    .await;
    assert_eq!(got, 400, "{problem}");
    let (got, _) = call(
        &node,
        &viewer,
        Method::POST,
        "/channels",
        Some(json!({"name": "x", "kind": "webhook", "url": hook})),
    )
    .await;
    assert_eq!(got, 403);

    let (got, channel) = call(
        &node,
        &admin,
        Method::POST,
        "/channels",
        Some(json!({"name": "ops", "kind": "webhook", "url": hook})),
    )
    .await;
    assert_eq!(got, 201, "{channel}");
    let secret = channel["secret"].as_str().unwrap().to_owned();
    assert!(
        secret.starts_with("whsec_") && secret.len() == 70,
        "{secret}"
    );
    let channel_uuid = channel["uuid"].as_str().unwrap().to_owned();
    let (got, shown) = call(
        &node,
        &admin,
        Method::GET,
        &format!("/channels/{channel_uuid}"),
        None,
    )
    .await;
    assert_eq!(got, 200);
    assert_eq!(shown["url"], hook);
    assert!(
        shown.get("secret").is_none(),
        "the key is shown once: {shown}"
    );
    let (got, _) = call(
        &node,
        &other,
        Method::GET,
        &format!("/channels/{channel_uuid}"),
        None,
    )
    .await;
    assert_eq!(got, 404, "another tenant's channel");
    let (got, listed) = call(&node, &other, Method::GET, "/channels", None).await;
    assert_eq!((got, listed), (200, json!([])));

    // A task failing at once (no retries), with rules of its own.
    let mut failing = api_task(
        "flaky",
        "cron",
        json!({"cron": "0 0 1 1 *"}),
        &sink.url("/fail"),
    );
    failing["retry_policy"] = json!({"max_retries": 0});
    let task = node.create(failing).await;
    for (body, name) in [
        (
            json!({"channel": channel_uuid, "event": "run.exploded"}),
            "event",
        ),
        (
            json!({"channel": channel_uuid, "event": "run.recovered", "threshold": 2}),
            "threshold",
        ),
        (
            json!({"channel": channel_uuid, "event": "run.slow"}),
            "threshold",
        ),
        (
            json!({"channel": channel_uuid, "event": "run.failed", "throttle_seconds": 5}),
            "throttle_seconds",
        ),
        (
            json!({"channel": "0193a5c4-0000-7000-8000-000000000000", "event": "run.failed"}),
            "channel",
        ),
    ] {
        let (got, problem) = node
            .call(Method::POST, &format!("/{task}/notify-rules"), Some(body))
            .await;
        assert_eq!((got, field(&problem)), (422, name), "{problem}");
    }
    let mut rules = Vec::new();
    for event in ["run.failed", "run.recovered"] {
        let rule = node
            .ok(
                Method::POST,
                &format!("/{task}/notify-rules"),
                Some(json!({"channel": channel_uuid, "event": event})),
                201,
            )
            .await;
        assert_eq!(
            (
                &rule["event"],
                &rule["throttle_seconds"],
                &rule["threshold"]
            ),
            (
                &json!(event),
                &json!(900),
                &json!(if event == "run.failed" { Some(1) } else { None })
            )
        );
        rules.push(rule["uuid"].as_str().unwrap().to_owned());
    }
    let (got, _) = node
        .call_as(&other, Method::GET, &format!("/{task}/notify-rules"), None)
        .await;
    assert_eq!(got, 404, "another tenant's task");

    // Three failures within the 15-minute window: one notice.
    let mut failed_runs = Vec::new();
    for _ in 0..3 {
        let run = node
            .ok(Method::POST, &format!("/{task}/run"), None, 202)
            .await;
        let uuid = run["uuid"].as_str().unwrap().to_owned();
        poll("the run to fail", Duration::from_secs(30), || async {
            node.run(&uuid).await["status"] == "failed"
        })
        .await;
        failed_runs.push(uuid);
    }
    // Then it recovers: the recovery is routed after the failures (events go in order), so
    // once its notice is in, every failure has had its chance to notify.
    let mut fixed = node.ok(Method::GET, &format!("/{task}"), None, 200).await;
    fixed["task_config"]["url"] = json!(sink.url("/ok"));
    node.ok(Method::PUT, &format!("/{task}"), Some(fixed), 200)
        .await;
    let run = node
        .ok(Method::POST, &format!("/{task}/run"), None, 202)
        .await;
    let recovered_run = run["uuid"].as_str().unwrap().to_owned();
    poll("the recovery notice", Duration::from_secs(30), || async {
        receiver
            .received()
            .iter()
            .any(|r| r.header("sundial-event") == "run.recovered")
    })
    .await;
    let received = receiver.received();
    assert_eq!(received.len(), 2, "{received:?}");
    let (failure, recovery) = (&received[0], &received[1]);
    let body = failure.json();
    assert_eq!(failure.header("sundial-event"), "run.failed");
    assert_eq!(body["type"], "run.failed");
    assert_eq!(body["run"], json!(failed_runs[0]));
    assert_eq!(body["task"]["code"], "flaky");
    assert_eq!(body["tenant_id"], 1);
    assert_eq!(body["data"]["status"], "failed");
    assert_eq!(body["data"]["consecutive_failures"], 1);
    assert_eq!(recovery.json()["run"], json!(recovered_run));
    for r in &received {
        let signature = r.header("sundial-signature");
        assert!(python_verifies(&secret, &signature, &r.body), "{signature}");
        let mut tampered = r.body.clone();
        tampered.push(b' ');
        assert!(!python_verifies(&secret, &signature, &tampered));
        assert!(!python_verifies("whsec_wrong", &signature, &r.body));
        assert_eq!(r.header("idempotency-key"), r.header("sundial-delivery"));
    }

    // Every delivery is listed with its outcome, the newest first; another tenant sees none.
    let (got, deliveries) = call(
        &node,
        &admin,
        Method::GET,
        &format!("/deliveries?task_uuid={task}"),
        None,
    )
    .await;
    assert_eq!(got, 200);
    let deliveries = deliveries.as_array().unwrap().clone();
    assert_eq!(deliveries.len(), 2, "{deliveries:?}");
    assert_eq!(
        deliveries[1]["uuid"],
        json!(failure.header("sundial-delivery"))
    );
    for d in &deliveries {
        assert_eq!(
            (&d["status"], &d["attempts"], &d["response_code"]),
            (&json!("delivered"), &json!(1), &json!(200)),
            "{d}"
        );
    }
    let (got, problem) = call(
        &node,
        &admin,
        Method::GET,
        "/deliveries?run_uuid=nope",
        None,
    )
    .await;
    assert_eq!((got, field(&problem)), (400, "run_uuid"));
    let (_, none) = call(&node, &other, Method::GET, "/deliveries", None).await;
    assert_eq!(none, json!([]));

    // A rule taken down and put up again starts a fresh throttle window.
    let (got, _) = call(
        &node,
        &other,
        Method::DELETE,
        &format!("/rules/{}", rules[0]),
        None,
    )
    .await;
    assert_eq!(got, 404, "another tenant's rule");
    let (got, _) = call(
        &node,
        &admin,
        Method::DELETE,
        &format!("/rules/{}", rules[0]),
        None,
    )
    .await;
    assert_eq!(got, 204);
    node.ok(
        Method::POST,
        &format!("/{task}/notify-rules"),
        Some(json!({"channel": channel_uuid, "event": "run.failed"})),
        201,
    )
    .await;

    // Rotation: the new key is shown once, and deliveries carry both signatures meanwhile.
    let (got, rotated) = call(
        &node,
        &admin,
        Method::POST,
        &format!("/channels/{channel_uuid}/rotate-secret"),
        Some(json!({"grace_seconds": 3600})),
    )
    .await;
    assert_eq!(got, 200, "{rotated}");
    let new_secret = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    assert!(rotated["previous_secret_valid_until"].is_string());
    let mut failing_again = node.ok(Method::GET, &format!("/{task}"), None, 200).await;
    failing_again["task_config"]["url"] = json!(sink.url("/fail"));
    node.ok(Method::PUT, &format!("/{task}"), Some(failing_again), 200)
        .await;
    node.ok(Method::POST, &format!("/{task}/run"), None, 202)
        .await;
    poll(
        "the notice after the recovery",
        Duration::from_secs(30),
        || async { receiver.received().len() == 3 },
    )
    .await;
    let last = &receiver.received()[2];
    let signature = last.header("sundial-signature");
    assert_eq!(signature.matches("v1=").count(), 2, "{signature}");
    assert!(python_verifies(&new_secret, &signature, &last.body));
    assert!(python_verifies(&secret, &signature, &last.body));

    // The tenant's own allow-list narrows webhooks as it narrows calls: once it leaves the
    // receiver out, the next notice is refused at send and not retried.
    let settings = reqwest::Client::new()
        .put(format!("{}/api/tree-root/tenant/settings", node.base))
        .bearer_auth(&admin)
        .json(&json!({"egress_allow": ["api.partner.example"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(settings.status().as_u16(), 200);
    let fresh = node
        .ok(Method::GET, &format!("/{task}/notify-rules"), None, 200)
        .await;
    for rule in fresh.as_array().unwrap() {
        if rule["event"] == "run.failed" {
            let path = format!("/rules/{}", rule["uuid"].as_str().unwrap());
            let (got, _) = call(&node, &admin, Method::DELETE, &path, None).await;
            assert_eq!(got, 204);
        }
    }
    // A change of the list applies within 5 s: run the task (notifying nobody) until its own
    // call is refused rather than answered, which shows the list in force on the node.
    poll(
        "the allow-list in force",
        Duration::from_secs(30),
        || async {
            let run = node
                .ok(Method::POST, &format!("/{task}/run"), None, 202)
                .await;
            let uuid = run["uuid"].as_str().unwrap().to_owned();
            poll("the run to fail", Duration::from_secs(30), || async {
                node.run(&uuid).await["status"] == "failed"
            })
            .await;
            let error = node.run(&uuid).await["error"].clone();
            error
                .as_str()
                .is_some_and(|e| !e.contains("unexpected status"))
        },
    )
    .await;
    node.ok(
        Method::POST,
        &format!("/{task}/notify-rules"),
        Some(json!({"channel": channel_uuid, "event": "run.failed"})),
        201,
    )
    .await;
    node.ok(Method::POST, &format!("/{task}/run"), None, 202)
        .await;
    poll("the refused notice", Duration::from_secs(30), || async {
        let (_, list) = call(
            &node,
            &admin,
            Method::GET,
            &format!("/deliveries?task_uuid={task}"),
            None,
        )
        .await;
        list[0]["status"] == "failed"
    })
    .await;
    let (_, list) = call(
        &node,
        &admin,
        Method::GET,
        &format!("/deliveries?task_uuid={task}"),
        None,
    )
    .await;
    let refused = &list[0];
    assert_eq!(refused["attempts"], 1, "{refused}");
    assert!(
        refused["error"].as_str().unwrap().contains("egress policy"),
        "{refused}"
    );
    assert_eq!(
        receiver.received().len(),
        3,
        "nothing more reached the receiver"
    );

    // Deleting the channel takes the task's rules with it.
    let (got, _) = call(
        &node,
        &admin,
        Method::DELETE,
        &format!("/channels/{channel_uuid}"),
        None,
    )
    .await;
    assert_eq!(got, 204);
    let rules = node
        .ok(Method::GET, &format!("/{task}/notify-rules"), None, 200)
        .await;
    assert_eq!(rules, json!([]));
}

on_both_databases!(notifications_end_to_end,);

async fn notifications_end_to_end(db: TestDb) {
    scenario(db).await;
}
