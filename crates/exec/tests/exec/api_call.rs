//! The api_call executor on the loopback rig: what it sends, how it reads, its limits,
//! redirects, TLS, cancellation and what it logs (rows 40–45 of the hostile table among them).

use crate::ssrf_rig;

use std::io::Write as _;
use std::time::{Duration, Instant};

use exec::Outcome;
use exec::egress::{EgressPolicy, Limits};
use serde_json::{Value, json};
use ssrf_rig::{Rig, attempt, config, get, run};

const BUDGET: Duration = Duration::from_secs(5);

fn echoed(result: &exec::AttemptResult) -> Value {
    let excerpt = result.result.as_ref().expect("a result")["body_excerpt"]
        .as_str()
        .unwrap()
        .to_owned();
    serde_json::from_str(&excerpt).unwrap_or_else(|e| panic!("{e}: {excerpt}"))
}

#[tokio::test]
async fn the_request_carries_idempotency_key_user_agent_json_body_and_query() {
    let rig = Rig::start().await;
    let task = config(json!({
        "url": rig.url("http://allowed.test:{P}/echo?fixed=1"),
        "method": "POST",
        "headers": { "Authorization": "Bearer abcdefghijklmnopqrstuvwxyz", "X-Custom": "custom-value" },
        "data": { "hello": "world", "n": 1 },
        "query": { "page": "2", "api_key": "0123456789abcdef" },
    }));
    let attempt = attempt(BUDGET);
    let (result, log) = run(&rig.executor(), &task, &attempt).await;
    assert_eq!(result.outcome, Outcome::Succeeded, "{result:?}");
    let seen = rig.allowed.wait_for_request("/echo").await;
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, "/echo?fixed=1&api_key=0123456789abcdef&page=2");
    assert_eq!(seen.headers["idempotency-key"], attempt.run.to_string());
    assert_eq!(
        seen.headers["user-agent"],
        format!("Sundial/{}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(seen.headers["content-type"], "application/json");
    assert_eq!(seen.headers["accept-encoding"], "identity");
    assert_eq!(
        seen.headers["authorization"], "Bearer abcdefghijklmnopqrstuvwxyz",
        "kept intact for execution"
    );
    assert_eq!(seen.headers["x-custom"], "custom-value");
    assert_eq!(seen.headers["host"], format!("allowed.test:{}", rig.port));
    assert_eq!(
        serde_json::from_slice::<Value>(&seen.body).unwrap(),
        json!({"hello": "world", "n": 1})
    );

    let value = result.result.unwrap();
    assert_eq!(value["status"], 200);
    assert_eq!(value["truncated"], false);
    assert_eq!(value["headers"]["content-type"], "application/json");
    assert_eq!(value["headers"]["x-request-id"], "rig-1");
    assert!(value["duration_ms"].as_u64().is_some());
    assert!(
        value["body_excerpt"]
            .as_str()
            .unwrap()
            .contains("custom-value")
    );

    // The log: method and URL with the secret masked, masked headers, status and timing, an
    // excerpt; never the secrets themselves.
    assert!(
        log[0].starts_with(&format!(
            "POST http://allowed.test:{}/echo?fixed=1&api_key=••••ef&page=2",
            rig.port
        )),
        "{log:?}"
    );
    assert!(
        log[0].contains("; request headers: ") && log[0].contains("authorization: ••••yz"),
        "{log:?}"
    );
    // A successful call is two lines: the request, and the response with its excerpt.
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(
        log[1].starts_with("200 OK in ") && log[1].contains(" bytes; response: {"),
        "{log:?}"
    );
    // The echo server sends the request back: its secrets are masked in the excerpt too.
    for line in &log {
        assert!(
            !line.contains("0123456789abcdef") && !line.contains("abcdefghijklmnopqrstuvwxyz"),
            "secret in log: {line}"
        );
    }
}

#[tokio::test]
async fn echoed_secrets_are_masked_and_bidi_controls_escaped_in_excerpts_and_the_log() {
    let rig = Rig::start().await;
    let task = config(json!({
        "url": rig.url("http://allowed.test:{P}/echo"),
        "method": "POST",
        "headers": { "Authorization": "Bearer abcdefghijklmnopqrstuvwxyz", "X-Api-Key": "k-123456789012" },
        "query": { "api_key": "0123 4567+89" },
        "data": { "note": "evil\u{202e}txt.exe\u{2066}", "token": "abcdefghijklmnopqrstuvwxyz" },
    }));
    let (result, log) = run(&rig.executor(), &task, &attempt(BUDGET)).await;
    assert_eq!(result.outcome, Outcome::Succeeded, "{result:?}");
    let seen = rig.allowed.wait_for_request("/echo").await;
    assert_eq!(
        seen.path, "/echo?api_key=0123+4567%2B89",
        "sent as configured"
    );

    let excerpt = result.result.as_ref().unwrap()["body_excerpt"]
        .as_str()
        .unwrap()
        .to_owned();
    let response_line = log
        .iter()
        .find(|l| l.contains("; response: "))
        .unwrap_or_else(|| panic!("{log:?}"));
    for shown in [excerpt.as_str(), response_line.as_str()] {
        for secret in [
            "abcdefghijklmnopqrstuvwxyz",
            "k-123456789012",
            "0123+4567%2B89",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("***"), "{shown}");
        assert!(
            !shown.contains('\u{202e}') && !shown.contains('\u{2066}'),
            "{shown}"
        );
        assert!(shown.contains("evil\\u{202e}txt.exe\\u{2066}"), "{shown}");
    }
    // What the target sent, each secret replaced where it stood.
    for masked in [
        r#""authorization":"***""#,
        r#""x-api-key":"***""#,
        r#""path":"/echo?api_key=***""#,
        r#"\"token\":\"***\""#,
    ] {
        assert!(excerpt.contains(masked), "{masked} not in {excerpt}");
    }
    for line in &log {
        assert!(!line.contains('\u{202e}'), "{line}");
    }
}

#[tokio::test]
async fn a_content_type_header_wins_over_the_json_default() {
    let rig = Rig::start().await;
    let task = config(json!({
        "url": rig.url("http://127.0.0.2:{P}/echo"),
        "method": "PUT",
        "headers": { "Content-Type": "application/vnd.api+json" },
        "data": [1, 2, 3],
    }));
    let (result, _) = run(&rig.executor(), &task, &attempt(BUDGET)).await;
    assert_eq!(result.outcome, Outcome::Succeeded, "{result:?}");
    let seen = rig.allowed.wait_for_request("/echo").await;
    assert_eq!(seen.headers["content-type"], "application/vnd.api+json");
    assert_eq!(seen.body, b"[1,2,3]");
}

#[tokio::test]
async fn attempts_share_one_keep_alive_connection_per_destination() {
    let rig = Rig::start().await;
    let executor = rig.executor();
    for _ in 0..3 {
        let (result, _) = run(
            &executor,
            &get(&rig.url("http://127.0.0.2:{P}/ok")),
            &attempt(BUDGET),
        )
        .await;
        assert_eq!(result.outcome, Outcome::Succeeded, "{result:?}");
    }
    let connections: std::collections::BTreeSet<usize> = rig
        .allowed
        .seen_at("/ok")
        .iter()
        .map(|s| s.connection)
        .collect();
    assert_eq!(connections.len(), 1, "three attempts, one connection");
}

#[tokio::test]
async fn success_is_decided_by_expected_status() {
    let rig = Rig::start().await;
    let executor = rig.executor();
    let cases = [
        ("/status/200", json!(null), Outcome::Succeeded),
        ("/status/204", json!(null), Outcome::Succeeded),
        ("/status/500", json!(null), Outcome::Failed),
        ("/status/404", json!([200, 201]), Outcome::Failed),
        ("/status/500", json!([500]), Outcome::Succeeded),
        ("/status/201", json!(201), Outcome::Succeeded),
        ("/status/200", json!([201]), Outcome::Failed),
    ];
    for (path, expected, outcome) in cases {
        let task = config(
            json!({ "url": rig.url(&format!("http://127.0.0.2:{{P}}{path}")), "expected_status": expected }),
        );
        let (result, log) = run(&executor, &task, &attempt(BUDGET)).await;
        assert_eq!(result.outcome, outcome, "{path} {expected}: {result:?}");
        if outcome == Outcome::Failed {
            assert!(result.retryable, "an unexpected status is retried");
            assert!(
                result
                    .error
                    .as_deref()
                    .unwrap()
                    .starts_with("unexpected status"),
                "{result:?}"
            );
            assert!(
                result.result.is_some(),
                "the response is kept with the failure"
            );
            assert!(
                log.last().unwrap().starts_with("error: unexpected status"),
                "{log:?}"
            );
        }
    }
}

#[tokio::test]
async fn row_43_a_server_that_never_answers_times_out_within_the_budget() {
    let rig = Rig::start().await;
    let started = Instant::now();
    let budget = Duration::from_millis(400);
    let (result, log) = run(
        &rig.executor(),
        &get(&rig.url("http://127.0.0.2:{P}/hang")),
        &attempt(budget),
    )
    .await;
    assert_eq!(result.outcome, Outcome::TimedOut, "{result:?}");
    assert!(result.retryable);
    assert!(
        started.elapsed() < budget + Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(
        log.iter().any(|l| l.starts_with("timed out after")),
        "{log:?}"
    );
}

#[tokio::test]
async fn row_42_slowloris_is_cut_by_the_idle_timeout_or_the_total_deadline() {
    let rig = Rig::start().await;
    let url = rig.url("http://127.0.0.2:{P}/slowloris");
    // One byte every 400 ms: an idle timeout of 200 ms ends it…
    let idle = Limits {
        idle_read_timeout: Duration::from_millis(200),
        ..Rig::limits()
    };
    let started = Instant::now();
    let (result, _) = run(
        &rig.executor_with(rig.policy(), idle),
        &get(&url),
        &attempt(BUDGET),
    )
    .await;
    assert_eq!(result.outcome, Outcome::Failed, "{result:?}");
    assert!(
        result
            .error
            .as_deref()
            .unwrap()
            .contains("idle read timeout"),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    // …and the total deadline ends it however patient the idle timeout is.
    let started = Instant::now();
    let (result, _) = run(
        &rig.executor(),
        &get(&url),
        &attempt(Duration::from_millis(900)),
    )
    .await;
    assert_eq!(result.outcome, Outcome::TimedOut, "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    // A head sent byte by byte is bounded by the deadline too.
    let (result, _) = run(
        &rig.executor(),
        &get(&rig.url("http://127.0.0.2:{P}/slow-head")),
        &attempt(Duration::from_millis(700)),
    )
    .await;
    assert_eq!(result.outcome, Outcome::TimedOut, "{result:?}");
}

#[tokio::test]
async fn row_40_a_huge_or_endless_body_is_cut_at_the_cap() {
    let rig = Rig::start().await;
    let executor = rig.executor();
    let cap = executor.client().limits().max_body_bytes;
    for (n, path) in ["/huge", "/endless"].into_iter().enumerate() {
        let (result, log) = run(
            &executor,
            &get(&rig.url(&format!("http://127.0.0.2:{{P}}{path}"))),
            &attempt(BUDGET),
        )
        .await;
        assert_eq!(
            result.outcome,
            Outcome::Succeeded,
            "{path}: the status was 200: {result:?}"
        );
        let value = result.result.unwrap();
        assert_eq!(value["truncated"], true, "{path}");
        assert_eq!(
            value["body_excerpt"].as_str().unwrap().len(),
            4096,
            "{path}: the excerpt is 4 KiB"
        );
        assert!(
            log.iter().any(|l| l.contains("body over the cap")),
            "{log:?}"
        );
        // The client hung up: the server's writer stopped long before 1 GiB.
        let written = rig.allowed.wait_for_streams_ended(n + 1).await;
        assert!(
            written < 64 * 1024 * 1024,
            "{path}: the server wrote {written} bytes"
        );
        assert!(cap < 64 * 1024 * 1024);
    }
}

#[tokio::test]
async fn row_41_a_gzip_bomb_is_not_decompressed() {
    let rig = Rig::start().await;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..64 {
        encoder.write_all(&zeros).unwrap();
    }
    let bomb = encoder.finish().unwrap();
    rig.allowed.set_gzip_bomb(bomb.clone());
    let (result, _) = run(
        &rig.executor(),
        &get(&rig.url("http://127.0.0.2:{P}/gzip")),
        &attempt(BUDGET),
    )
    .await;
    assert_eq!(result.outcome, Outcome::Succeeded, "{result:?}");
    let value = result.result.unwrap();
    assert_eq!(
        value["truncated"],
        false,
        "{} compressed bytes are under the cap",
        bomb.len()
    );
    assert_eq!(value["headers"]["content-encoding"], "gzip");
    // The excerpt is the compressed bytes (gzip magic first), not 64 MiB of zeros.
    assert!(
        value["body_excerpt"]
            .as_str()
            .unwrap()
            .starts_with('\u{1f}'),
        "{}",
        value["body_excerpt"]
    );
    let seen = rig.allowed.wait_for_request("/gzip").await;
    assert_eq!(seen.headers["accept-encoding"], "identity");
}

#[tokio::test]
async fn row_44_oversized_response_heads_are_connection_errors() {
    let rig = Rig::start().await;
    let executor = rig.executor();
    for path in ["/many-headers", "/big-header"] {
        let (result, _) = run(
            &executor,
            &get(&rig.url(&format!("http://127.0.0.2:{{P}}{path}"))),
            &attempt(BUDGET),
        )
        .await;
        assert_eq!(result.outcome, Outcome::Failed, "{path}: {result:?}");
        let error = result.error.unwrap();
        assert!(error.starts_with("HTTP error: "), "{path}: {error}");
    }
    // Endless `100 Continue`: memory stays bounded (each is parsed and dropped) and the
    // deadline ends it.
    let started = Instant::now();
    let (result, _) = run(
        &executor,
        &get(&rig.url("http://127.0.0.2:{P}/continue-forever")),
        &attempt(Duration::from_millis(600)),
    )
    .await;
    assert_ne!(result.outcome, Outcome::Succeeded, "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    rig.allowed.wait_for_streams_ended(1).await;
}

#[tokio::test]
async fn row_45_tls_is_verified_against_webpki_roots_with_no_way_out() {
    let rig = Rig::start().await;
    // The production roots do not know the test CA: a self-signed chain is refused for good.
    let production_roots = exec::api_call::ApiCallExecutor::with_client(
        exec::egress::EgressClient::builder(rig.policy())
            .resolver(rig.resolver.clone())
            .build()
            .unwrap(),
    );
    let (result, _) = run(
        &production_roots,
        &get(&rig.url("https://allowed.test:{Q}/ok")),
        &attempt(BUDGET),
    )
    .await;
    assert_eq!(result.outcome, Outcome::Failed, "{result:?}");
    assert!(!result.retryable, "a rejected certificate is not retried");
    assert!(
        result
            .error
            .as_deref()
            .unwrap()
            .starts_with("TLS certificate rejected"),
        "{result:?}"
    );
    // Trusting the CA makes the same server work, by name and by address…
    let trusting = rig.executor();
    for url in ["https://allowed.test:{Q}/ok", "https://127.0.0.2:{Q}/ok"] {
        let (result, _) = run(&trusting, &get(&rig.url(url)), &attempt(BUDGET)).await;
        assert_eq!(result.outcome, Outcome::Succeeded, "{url}: {result:?}");
    }
    // …but not under a name the certificate does not carry.
    let (result, _) = run(
        &trusting,
        &get(&rig.url("https://wrong.test:{Q}/ok")),
        &attempt(BUDGET),
    )
    .await;
    assert!(
        result
            .error
            .as_deref()
            .unwrap()
            .starts_with("TLS certificate rejected"),
        "{result:?}"
    );
    assert!(!result.retryable);
}

#[tokio::test]
async fn redirects_are_off_by_default_and_followed_with_care_when_enabled() {
    let rig = Rig::start().await;
    let executor = rig.executor();
    let redirect = |to: &str, status: u16| {
        let mut url = url::Url::parse(&rig.url("http://127.0.0.2:{P}/redirect")).unwrap();
        url.query_pairs_mut()
            .append_pair("to", &rig.url(to))
            .append_pair("status", &status.to_string());
        url.to_string()
    };
    let headers =
        json!({ "Authorization": "Bearer abcdefghijklmnop", "Cookie": "sid=1", "X-Custom": "v" });

    // Off: the 3xx is the result; the target is never asked.
    let (result, _) = run(
        &executor,
        &config(json!({ "url": redirect("/echo", 302), "headers": headers })),
        &attempt(BUDGET),
    )
    .await;
    assert_eq!(result.result.unwrap()["status"], 302);
    assert!(rig.allowed.seen_at("/echo").is_empty());

    // Same origin: everything is kept.
    let task = config(
        json!({ "url": redirect("/echo", 302), "headers": headers, "follow_redirects": true }),
    );
    let (result, log) = run(&executor, &task, &attempt(BUDGET)).await;
    assert_eq!(result.outcome, Outcome::Succeeded, "{result:?}");
    let seen = rig.allowed.seen_at("/echo");
    assert_eq!(
        seen.last().unwrap().headers["authorization"],
        "Bearer abcdefghijklmnop"
    );
    let sent = &echoed(&result)["headers"];
    assert_eq!(
        sent["authorization"], "***",
        "masked where the target echoes it"
    );
    assert_eq!(sent["x-custom"], "v");
    assert!(
        log.iter()
            .any(|l| l.starts_with("redirect: 302 Found → GET http://127.0.0.2:")),
        "{log:?}"
    );

    // Cross origin (allowed.test is another host): the tenant's headers stay behind, Sundial's
    // own go along.
    let task = config(
        json!({ "url": redirect("http://allowed.test:{P}/echo", 302), "headers": headers, "follow_redirects": true }),
    );
    let attempt_ = attempt(BUDGET);
    let (result, _) = run(&executor, &task, &attempt_).await;
    assert_eq!(result.outcome, Outcome::Succeeded, "{result:?}");
    let sent = &echoed(&result)["headers"];
    assert!(
        sent.get("authorization").is_none()
            && sent.get("cookie").is_none()
            && sent.get("x-custom").is_none(),
        "{sent}"
    );
    assert_eq!(sent["idempotency-key"], attempt_.run.to_string());
    assert_eq!(sent["host"], format!("allowed.test:{}", rig.port));

    // 303 turns a POST into a GET without a body; 307 keeps both.
    let post = |url: String| {
        config(json!({ "url": url, "method": "POST", "data": {"x": 1}, "follow_redirects": true }))
    };
    let (result, _) = run(&executor, &post(redirect("/echo", 303)), &attempt(BUDGET)).await;
    let echo = echoed(&result);
    assert_eq!(
        (echo["method"].as_str(), echo["body"].as_str()),
        (Some("GET"), Some(""))
    );
    assert!(echo["headers"].get("content-type").is_none());
    let (result, _) = run(
        &executor,
        &post(redirect("http://allowed.test:{P}/echo", 307)),
        &attempt(BUDGET),
    )
    .await;
    let echo = echoed(&result);
    assert_eq!(
        (echo["method"].as_str(), echo["body"].as_str()),
        (Some("POST"), Some("{\"x\":1}"))
    );
    assert_eq!(echo["headers"]["content-type"], "application/json");
    assert_eq!(rig.internal.connections_before_barrier().await, 0);
}

#[tokio::test]
async fn https_to_http_redirects_are_refused() {
    let rig = Rig::start().await;
    let mut url = url::Url::parse(&rig.url("https://allowed.test:{Q}/redirect")).unwrap();
    url.query_pairs_mut()
        .append_pair("to", &rig.url("http://allowed.test:{P}/ok"));
    let task = config(json!({ "url": url.as_str(), "follow_redirects": true }));
    let (result, _) = run(&rig.executor(), &task, &attempt(BUDGET)).await;
    ssrf_rig::assert_refused(&result, "redirect from https to http", "downgrade");
    assert!(rig.allowed.seen_at("/ok").is_empty());
    assert_eq!(rig.tls.seen_at("/redirect").len(), 1);
}

#[tokio::test]
async fn cancellation_ends_the_attempt_at_once() {
    let rig = Rig::start().await;
    let executor = rig.executor();
    let attempt_ = attempt(Duration::from_secs(30));
    let cancel = attempt_.cancel.clone();
    let allowed = rig.allowed.clone();
    tokio::spawn(async move {
        allowed.wait_for_request("/hang").await;
        cancel.cancel();
    });
    let started = Instant::now();
    let (result, log) = run(
        &executor,
        &get(&rig.url("http://127.0.0.2:{P}/hang")),
        &attempt_,
    )
    .await;
    assert_eq!(result.outcome, Outcome::Cancelled, "{result:?}");
    assert!(!result.retryable);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        log.iter().any(|l| l.starts_with("cancelled after")),
        "{log:?}"
    );

    // Cancelled before it starts: nothing is sent.
    let attempt_ = attempt(BUDGET);
    attempt_.cancel.cancel();
    let (result, _) = run(
        &executor,
        &get(&rig.url("http://127.0.0.2:{P}/ok")),
        &attempt_,
    )
    .await;
    assert_eq!(result.outcome, Outcome::Cancelled);
    assert!(rig.allowed.seen_at("/ok").is_empty());
}

#[tokio::test]
async fn network_failures_are_retryable() {
    let rig = Rig::start().await;
    // A port on the allowed address where nothing listens (the policy opens it explicitly).
    let closed = std::net::TcpListener::bind("127.0.0.2:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let policy = EgressPolicy::from_allow_list(&format!("127.0.0.2/32:{port}")).unwrap();
    let executor = rig.executor_with(policy, Rig::limits());
    let (result, _) = run(
        &executor,
        &get(&format!("http://127.0.0.2:{port}/")),
        &attempt(BUDGET),
    )
    .await;
    assert_eq!(result.outcome, Outcome::Failed, "{result:?}");
    assert!(result.retryable);
    assert!(
        result
            .error
            .as_deref()
            .unwrap()
            .starts_with("could not connect"),
        "{result:?}"
    );
    // A name that does not resolve.
    let (result, _) = run(
        &rig.executor(),
        &get(&rig.url("http://nowhere.test:{P}/")),
        &attempt(BUDGET),
    )
    .await;
    assert!(result.retryable);
    assert!(
        result
            .error
            .as_deref()
            .unwrap()
            .starts_with("could not resolve nowhere.test"),
        "{result:?}"
    );
    assert_eq!(executor.refused_requests(), 0);
}
