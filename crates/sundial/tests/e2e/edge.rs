//! The HTTP edge of the binary: slow and idle connections are closed at their configured
//! timeouts, the connection cap holds new connections back until one closes, request rates are
//! limited (429 + `Retry-After`), every response carries the browser security headers, and no
//! response a tenant can reach carries sandbox details or host paths (the admin listener has
//! them).

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::common::{BIN, Node, SECRET, TASKS, free_port};

fn env(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env = vec![("SUNDIAL_JWT_SECRET".to_owned(), SECRET.to_owned())];
    env.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    env
}

async fn connect(node: &Node) -> TcpStream {
    TcpStream::connect(node.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: sundial\r\n\r\n";

/// Reads one response (headers and a `Content-Length` body) and returns its status.
async fn read_response(stream: &mut TcpStream) -> u16 {
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let read = stream.read(&mut chunk).await.unwrap();
        assert!(read > 0, "closed before a whole response");
        received.extend_from_slice(&chunk[..read]);
        let text = String::from_utf8_lossy(&received);
        let Some(end) = text.find("\r\n\r\n") else {
            continue;
        };
        let length: usize = text[..end]
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().unwrap())
            })
            .unwrap_or(0);
        if received.len() >= end + 4 + length {
            return text[9..12].parse().unwrap();
        }
    }
}

/// Waits until the server closes `stream` (end of file or reset) and returns how long that took.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> Duration {
    let start = Instant::now();
    let mut chunk = [0u8; 1024];
    let closed = async {
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(within, closed)
        .await
        .expect("the server did not close the connection in time");
    start.elapsed()
}

#[tokio::test]
async fn a_slowloris_is_cut_at_the_header_timeout_while_others_are_served() {
    let data = tempfile::tempdir().unwrap();
    let node = Node::start(
        data.path(),
        &env(&[("SUNDIAL_HTTP_HEADER_TIMEOUT_SECONDS", "1")]),
    )
    .await;
    let mut slow = connect(&node).await;
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: sundial\r\n")
        .await
        .unwrap();
    let start = Instant::now();
    let (mut reader, mut writer) = slow.split();
    let trickle = async {
        // One header line every 0.4 s: each arrives well within any per-read timeout.
        for n in 0.. {
            tokio::time::sleep(Duration::from_millis(400)).await;
            if writer
                .write_all(format!("X-Slow-{n}: 1\r\n").as_bytes())
                .await
                .is_err()
            {
                return;
            }
        }
    };
    let cut = async {
        let mut chunk = [0u8; 1024];
        loop {
            match reader.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    let normal = async {
        let response = reqwest::get(format!("{}/healthz", node.base))
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    };
    let ((), ()) = tokio::join!(
        async {
            tokio::select! {
                () = trickle => {}
                () = cut => {}
                () = tokio::time::sleep(Duration::from_secs(6)) => panic!("the slow client was not cut off"),
            }
        },
        normal
    );
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(4),
        "cut after {took:?}, the header timeout is 1 s"
    );
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let data = tempfile::tempdir().unwrap();
    let node = Node::start(
        data.path(),
        &env(&[("SUNDIAL_HTTP_IDLE_TIMEOUT_SECONDS", "2")]),
    )
    .await;
    let mut stream = connect(&node).await;
    // Requests 0.8 s apart keep the connection for longer than the timeout: idleness counts
    // from the last answer.
    for _ in 0..3 {
        stream.write_all(HEALTHZ).await.unwrap();
        assert_eq!(read_response(&mut stream).await, 200);
        tokio::time::sleep(Duration::from_millis(800)).await;
    }
    stream.write_all(HEALTHZ).await.unwrap();
    assert_eq!(read_response(&mut stream).await, 200);
    let took = closed_within(&mut stream, Duration::from_secs(6)).await;
    assert!(
        took >= Duration::from_millis(1900),
        "closed after {took:?}, the idle timeout is 2 s"
    );
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_answers_408_and_changes_nothing() {
    let data = tempfile::tempdir().unwrap();
    let node = Node::start(
        data.path(),
        &env(&[("SUNDIAL_HTTP_BODY_TIMEOUT_SECONDS", "1")]),
    )
    .await;
    let mut stream = connect(&node).await;
    let head = format!(
        "POST {TASKS}/ HTTP/1.1\r\nHost: sundial\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\":",
        node.token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let start = Instant::now();
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    while !String::from_utf8_lossy(&answer).contains("request_timeout") {
        let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut chunk))
            .await
            .expect("an answer within the body timeout")
            .unwrap();
        assert!(read > 0, "closed without an answer");
        answer.extend_from_slice(&chunk[..read]);
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(start.elapsed() >= Duration::from_millis(900));
    let list = node.ok(Method::GET, "/list", None, 200).await;
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn sigterm_closes_connections_serving_nothing_at_once() {
    let data = tempfile::tempdir().unwrap();
    let mut node = Node::start(
        data.path(),
        &env(&[
            ("SUNDIAL_HTTP_HEADER_TIMEOUT_SECONDS", "60"),
            ("SUNDIAL_HTTP_IDLE_TIMEOUT_SECONDS", "60"),
        ]),
    )
    .await;
    let mut idle = connect(&node).await;
    idle.write_all(HEALTHZ).await.unwrap();
    assert_eq!(read_response(&mut idle).await, 200);
    let mut slow = connect(&node).await;
    slow.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
    let start = Instant::now();
    let status = node.terminate().await;
    assert!(status.success(), "{status}");
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "exited after {:?}: open connections held the shutdown",
        start.elapsed()
    );
    closed_within(&mut idle, Duration::from_secs(1)).await;
    closed_within(&mut slow, Duration::from_secs(1)).await;
}

#[tokio::test]
async fn the_connection_cap_holds_new_connections_until_one_closes() {
    let data = tempfile::tempdir().unwrap();
    let mut node = Node::start(data.path(), &env(&[("SUNDIAL_HTTP_MAX_CONNECTIONS", "5")])).await;
    // The start-up health checks' kept-alive connection would hold one of the five.
    node.forget_connections();
    let mut held = Vec::new();
    for _ in 0..5 {
        let mut stream = connect(&node).await;
        stream.write_all(HEALTHZ).await.unwrap();
        let status = tokio::time::timeout(Duration::from_secs(5), read_response(&mut stream))
            .await
            .expect("a connection within the cap is served");
        assert_eq!(status, 200);
        held.push(stream);
    }
    let mut sixth = connect(&node).await;
    sixth.write_all(HEALTHZ).await.unwrap();
    let mut byte = [0u8; 1];
    assert!(
        tokio::time::timeout(Duration::from_secs(1), sixth.peek(&mut byte))
            .await
            .is_err(),
        "the sixth connection was served while five were open"
    );
    drop(held.pop());
    let status = tokio::time::timeout(Duration::from_secs(5), read_response(&mut sixth))
        .await
        .expect("the sixth connection is served once one closed");
    assert_eq!(status, 200);
    drop(held);
    drop(sixth);
    let response = reqwest::get(format!("{}/healthz", node.base))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn request_rates_are_limited_per_tenant_and_per_client_but_probes_never() {
    let data = tempfile::tempdir().unwrap();
    let node = Node::start(
        data.path(),
        &env(&[
            ("SUNDIAL_RATE_LIMIT_PER_SECOND", "1"),
            ("SUNDIAL_RATE_LIMIT_BURST", "8"),
            ("SUNDIAL_RATE_LIMIT_CLIENT_PER_SECOND", "1"),
            ("SUNDIAL_RATE_LIMIT_CLIENT_BURST", "5"),
        ]),
    )
    .await;
    let alice = node.token(&["--tenant", "7", "--sub", "alice"]).await;
    let bob = node.token(&["--tenant", "7", "--sub", "bob"]).await;
    let other = node.token(&["--tenant", "8", "--sub", "alice"]).await;
    let list = |token: &str| {
        reqwest::Client::new()
            .get(format!("{}{TASKS}/list", node.base))
            .bearer_auth(token.to_owned())
            .send()
    };
    for _ in 0..5 {
        assert_eq!(list(&alice).await.unwrap().status(), 200);
    }
    let limited = list(&alice).await.unwrap();
    assert_eq!(limited.status(), 429);
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1);
    assert_eq!(
        limited.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = limited.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    // Bob, another client of tenant 7, has what is left of the tenant's burst of 8.
    for _ in 0..3 {
        assert_eq!(list(&bob).await.unwrap().status(), 200);
    }
    assert_eq!(list(&bob).await.unwrap().status(), 429);
    // Tenant 8 is not affected.
    for _ in 0..5 {
        assert_eq!(list(&other).await.unwrap().status(), 200);
    }
    // Without a token the address is the client: its burst of 5 spent on `/metrics`, the
    // probes and the console's page still answer.
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let metrics = reqwest::get(format!("{}/metrics", node.base))
            .await
            .unwrap();
        statuses.push(metrics.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429]);
    for path in ["/healthz", "/livez", "/readyz", "/"] {
        for _ in 0..10 {
            let response = reqwest::get(format!("{}{path}", node.base)).await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
        }
    }
}

#[tokio::test]
async fn api_console_and_docs_responses_carry_the_security_headers() {
    let data = tempfile::tempdir().unwrap();
    let node = Node::start(data.path(), &env(&[])).await;
    let client = reqwest::Client::new();
    let api = client
        .get(format!("{}{TASKS}/list", node.base))
        .bearer_auth(&node.token)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 200);
    assert_eq!(api.headers()["cache-control"], "no-store");
    let console = client.get(format!("{}/", node.base)).send().await.unwrap();
    assert_eq!(console.status(), 200);
    let docs = client
        .get(format!("{}/api/docs/", node.base))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status(), 200);
    for response in [&api, &console, &docs] {
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("script-src 'self';"), "{csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "no-referrer");
    }
}

/// Everything a client without a token can read.
async fn unauthenticated_bodies(node: &Node) -> Vec<(String, u16, String)> {
    let mut bodies = Vec::new();
    for path in [
        "/livez",
        "/readyz",
        "/healthz",
        "/metrics",
        "/api/openapi.json",
        "/no/such/path",
        "/api/tree-root/scheduled-tasks/list",
        "/sandbox",
    ] {
        let response = reqwest::get(format!("{}{path}", node.base)).await.unwrap();
        let status = response.status().as_u16();
        bodies.push((path.to_owned(), status, response.text().await.unwrap()));
    }
    bodies
}

fn assert_no_host_details(bodies: &[(String, u16, String)], data_dir: &std::path::Path) {
    let bin_dir = std::path::Path::new(BIN).parent().unwrap();
    for (path, _, body) in bodies {
        for secret in [
            data_dir.to_str().unwrap(),
            bin_dir.to_str().unwrap(),
            "sundial-sandbox-init",
            "sandbox_layer_ok",
            "landlock",
            "seccomp",
        ] {
            assert!(
                !body.contains(secret),
                "{path} shows `{secret}` to anyone: {body}"
            );
        }
    }
}

#[tokio::test]
async fn sandbox_details_are_only_on_the_admin_listener() {
    // Off by default: /metrics stays on the main listener, with the sandbox's status only.
    let data = tempfile::tempdir().unwrap();
    let node = Node::start(data.path(), &env(&[])).await;
    let bodies = unauthenticated_bodies(&node).await;
    let metrics = &bodies.iter().find(|(path, ..)| path == "/metrics").unwrap();
    assert_eq!(metrics.1, 200);
    assert!(
        metrics.2.contains("sundial_sandbox_status{status="),
        "{}",
        metrics.2
    );
    assert_no_host_details(&bodies, data.path());
    drop(node);

    let data = tempfile::tempdir().unwrap();
    let admin = format!("127.0.0.1:{}", free_port());
    let node = Node::start(data.path(), &env(&[("SUNDIAL_ADMIN_LISTEN", &admin)])).await;
    let bodies = unauthenticated_bodies(&node).await;
    let metrics = &bodies.iter().find(|(path, ..)| path == "/metrics").unwrap();
    assert_eq!(metrics.1, 404, "/metrics moved to the admin listener");
    assert_no_host_details(&bodies, data.path());
    let report: Value = reqwest::get(format!("http://{admin}/sandbox"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(report["ready"].is_boolean(), "{report:#}");
    assert!(report["layers"]["seccomp"]["ok"].is_boolean(), "{report:#}");
    let metrics = reqwest::get(format!("http://{admin}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("sundial_sandbox_layer_ok{layer=\"seccomp\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("sundial_egress_refused_total"),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_token_without_roles_reads_but_cannot_change_anything() {
    let data = tempfile::tempdir().unwrap();
    let node = Node::start(data.path(), &env(&[])).await;
    let now = jiff::Timestamp::now().as_second();
    let claims =
        serde_json::json!({"tenant_id": 3, "sub": "no-roles", "iat": now, "exp": now + 600});
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()).unwrap(),
    )
    .unwrap();
    let (status, _) = node.call_as(&token, Method::GET, "/list", None).await;
    assert_eq!(status, 200);
    let task = crate::common::api_task(
        "viewer-try",
        "cron",
        serde_json::json!({"cron": "0 0 * * *"}),
        "https://example.com/",
    );
    let (status, body) = node.call_as(&token, Method::POST, "/", Some(task)).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], "forbidden");
}
