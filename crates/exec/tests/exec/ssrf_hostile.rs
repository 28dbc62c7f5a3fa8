//! `../shared/security/ssrf-hostile.md` as a test suite, through the real executor on the
//! loopback rig (see `ssrf_rig`). Row numbers refer to that table.
//!
//! Each hostile case is run twice: with the test policy (it must be refused, and the internal
//! server must see no connection) and with the guard switched off (it must then reach the
//! internal server), which proves that the first assertion is not vacuous.

use crate::ssrf_rig;

use std::time::Duration;

use domain::{TaskConfig, TaskType, TenantId};
use exec::Outcome;
use exec::egress::{AllowList, EgressPolicy, ScriptedResolver};
use serde_json::json;
use ssrf_rig::{Rig, assert_refused, attempt, attempt_of, config, get, ip, run};

const BUDGET: Duration = Duration::from_secs(5);

/// How a hostile case reaches the internal server once the guard is off.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// Its own address is the internal server (127.0.0.1:P, possibly spelled otherwise).
    Direct,
    /// Its address is elsewhere (metadata, private, IPv6): the test dials the internal server
    /// in its place, so that even without the guard nothing leaves loopback.
    Substituted,
}

struct Row {
    row: &'static str,
    url: &'static str,
    why: &'static str,
    reach: Reach,
}

const fn row(row: &'static str, url: &'static str, why: &'static str, reach: Reach) -> Row {
    Row {
        row,
        url,
        why,
        reach,
    }
}

/// The hostile URLs refused at execution, each with the port of the rig's servers so that,
/// without the guard, they would really land on the internal server.
const HOSTILE: &[Row] = &[
    row(
        "1",
        "http://127.0.0.1:{P}/",
        "127.0.0.1 is loopback",
        Reach::Direct,
    ),
    row(
        "2",
        "http://2130706433:{P}/",
        "127.0.0.1 is loopback",
        Reach::Direct,
    ),
    row(
        "3",
        "http://0x7f000001:{P}/",
        "127.0.0.1 is loopback",
        Reach::Direct,
    ),
    row(
        "3",
        "http://0x7f.1:{P}/",
        "127.0.0.1 is loopback",
        Reach::Direct,
    ),
    row(
        "4",
        "http://017700000001:{P}/",
        "127.0.0.1 is loopback",
        Reach::Direct,
    ),
    row(
        "4",
        "http://0177.0.0.1:{P}/",
        "127.0.0.1 is loopback",
        Reach::Direct,
    ),
    row(
        "5",
        "http://127.1:{P}/",
        "127.0.0.1 is loopback",
        Reach::Direct,
    ),
    row(
        "5",
        "http://127.000.000.001:{P}/",
        "127.0.0.1 is loopback",
        Reach::Direct,
    ),
    row(
        "6",
        "http://0:{P}/",
        "0.0.0.0 is \"this network\"",
        Reach::Substituted,
    ),
    row(
        "6",
        "http://0.0.0.0:{P}/",
        "0.0.0.0 is \"this network\"",
        Reach::Substituted,
    ),
    row(
        "6",
        "http://[::]:{P}/",
        ":: is unspecified",
        Reach::Substituted,
    ),
    row(
        "7",
        "http://[::1]:{P}/",
        "::1 is loopback",
        Reach::Substituted,
    ),
    row(
        "8",
        "http://[::ffff:127.0.0.1]:{P}/",
        "127.0.0.1 is loopback",
        Reach::Direct,
    ),
    row(
        "8",
        "http://[0:0:0:0:0:ffff:127.0.0.1]:{P}/",
        "127.0.0.1 is loopback",
        Reach::Direct,
    ),
    row(
        "8",
        "http://[::ffff:7f00:1]:{P}/",
        "127.0.0.1 is loopback",
        Reach::Direct,
    ),
    row(
        "9",
        "http://[::127.0.0.1]:{P}/",
        "IPv4-compatible",
        Reach::Substituted,
    ),
    row(
        "10",
        "http://[64:ff9b::7f00:1]:{P}/",
        "NAT64 (64:ff9b::/96) of 127.0.0.1, which is loopback",
        Reach::Substituted,
    ),
    row(
        "10",
        "http://[64:ff9b::a9fe:a9fe]:{P}/",
        "NAT64 (64:ff9b::/96) of 169.254.169.254, which is a cloud metadata",
        Reach::Substituted,
    ),
    row(
        "12",
        "http://[fd00:ec2::254]:{P}/",
        "AWS metadata endpoint",
        Reach::Substituted,
    ),
    row(
        "13",
        "http://169.254.169.254:{P}/latest/meta-data/",
        "cloud metadata endpoint",
        Reach::Substituted,
    ),
    row(
        "13",
        "http://169.254.169.254/latest/meta-data/",
        "cloud metadata endpoint",
        Reach::Substituted,
    ),
    row(
        "14",
        "http://100.100.100.200:{P}/",
        "Alibaba Cloud metadata",
        Reach::Substituted,
    ),
    row(
        "15",
        "http://192.0.0.192:{P}/",
        "192.0.0.192 is the Oracle Cloud metadata endpoint",
        Reach::Substituted,
    ),
    row(
        "15",
        "http://198.18.0.1:{P}/",
        "benchmarking",
        Reach::Substituted,
    ),
    row("15", "http://100.64.0.1:{P}/", "CGNAT", Reach::Substituted),
    row(
        "16",
        "http://255.255.255.255:{P}/",
        "broadcast",
        Reach::Substituted,
    ),
    row(
        "16",
        "http://224.0.0.1:{P}/",
        "multicast",
        Reach::Substituted,
    ),
    row(
        "17",
        "http://localhost:{P}/",
        "localhost is a loopback name",
        Reach::Direct,
    ),
    row(
        "17",
        "http://LOCALHOST:{P}/",
        "localhost is a loopback name",
        Reach::Direct,
    ),
    row(
        "17",
        "http://localhost.:{P}/",
        "localhost. is a loopback name",
        Reach::Direct,
    ),
    row(
        "18",
        "http://127%2E0%2E0%2E1:{P}/",
        "127.0.0.1 is loopback",
        Reach::Direct,
    ),
    row(
        "20",
        "http://127.0.0.1:{P}#@evil.com/",
        "127.0.0.1 is loopback",
        Reach::Direct,
    ),
    row(
        "20",
        "http://127.0.0.1:{P}\\@evil.com/",
        "127.0.0.1 is loopback",
        Reach::Direct,
    ),
    row(
        "22",
        "http://metadata.google.internal:{P}/",
        "metadata.google.internal is a cloud metadata name",
        Reach::Direct,
    ),
    row(
        "22",
        "http://instance-data:{P}/",
        "instance-data is a cloud metadata name",
        Reach::Direct,
    ),
    row(
        "22",
        "http://metadata:{P}/",
        "metadata is a cloud metadata name",
        Reach::Direct,
    ),
    row(
        "26",
        "http://127.0.0.1.nip.io:{P}/",
        "127.0.0.1.nip.io resolves to 127.0.0.1, which is loopback",
        Reach::Direct,
    ),
    row(
        "26",
        "http://loop.test:{P}/",
        "loop.test resolves to 127.0.0.1, which is loopback",
        Reach::Direct,
    ),
    row(
        "28",
        "http://mixed.test:{P}/",
        "mixed.test resolves to 127.0.0.1, which is loopback",
        Reach::Substituted,
    ),
    row(
        "29",
        "http://v6only.test:{P}/",
        "v6only.test resolves to ::1, which is loopback",
        Reach::Substituted,
    ),
    row(
        "33",
        "https://allowed.test:22/",
        "port 22 is not allowed",
        Reach::Substituted,
    ),
    row(
        "33",
        "https://allowed.test:6379/",
        "port 6379 is not allowed",
        Reach::Substituted,
    ),
    row(
        "33",
        "https://allowed.test:2375/",
        "port 2375 is not allowed",
        Reach::Substituted,
    ),
    row(
        "33",
        "https://allowed.test:25/",
        "port 25 is not allowed",
        Reach::Substituted,
    ),
];

/// Redirect cases (rows 30, 31): the allowed server answers 302 to a hostile target. All of
/// these targets are the internal server itself.
const HOSTILE_REDIRECTS: &[Row] = &[
    row(
        "30",
        "http://127.0.0.1:{P}/",
        "redirect to http://127.0.0.1:{P}/: 127.0.0.1 is loopback",
        Reach::Direct,
    ),
    row(
        "31",
        "http://[::ffff:127.0.0.1]:{P}/",
        "127.0.0.1 is loopback",
        Reach::Direct,
    ),
    row(
        "31",
        "http://0x7f.1:{P}/",
        "redirect to http://127.0.0.1:{P}/: 127.0.0.1 is loopback",
        Reach::Direct,
    ),
    row(
        "31",
        "http://loop.test:{P}/",
        "loop.test resolves to 127.0.0.1, which is loopback",
        Reach::Direct,
    ),
];

fn redirect_config(rig: &Rig, target: &str) -> domain::ApiCallConfig {
    let target = rig.url(target);
    let mut url = url::Url::parse(&rig.url("http://127.0.0.2:{P}/redirect")).unwrap();
    url.query_pairs_mut().append_pair("to", &target);
    config(json!({ "url": url.as_str(), "follow_redirects": true }))
}

#[tokio::test]
async fn row_48_the_production_default_blocks_all_of_loopback_including_the_test_hole() {
    let rig = Rig::start().await;
    let default = rig.executor_with(EgressPolicy::default(), Rig::limits());
    for url in [
        "http://127.0.0.2:{P}/ok",
        "http://127.0.0.1:{P}/ok",
        "http://allowed.test:{P}/ok",
    ] {
        let (result, _) = run(&default, &get(&rig.url(url)), &attempt(BUDGET)).await;
        assert_refused(&result, "", url);
    }
    let (result, _) = run(
        &default,
        &get(&rig.url("http://127.0.0.2:{P}/ok")),
        &attempt(BUDGET),
    )
    .await;
    assert_refused(&result, "127.0.0.2 is loopback (127.0.0.0/8)", "row 48");
    let from_env_syntax = EgressPolicy::from_allow_list("").unwrap();
    let empty = rig.executor_with(from_env_syntax, Rig::limits());
    let (result, _) = run(
        &empty,
        &get(&rig.url("http://127.0.0.2:{P}/ok")),
        &attempt(BUDGET),
    )
    .await;
    assert_refused(&result, "loopback", "empty SUNDIAL_EGRESS_ALLOW");
    assert_eq!(rig.allowed.connections_before_barrier().await, 0);
    assert_eq!(rig.internal.connections_before_barrier().await, 0);
    assert_eq!(default.refused_requests(), 4);
    // Counted by reason for `/metrics`: three loopback addresses, and `allowed.test` on a port
    // no entry opens is refused by the port rule before any lookup.
    let metrics = default.client().metrics();
    let by_reason = |reason| metrics.get(&domain::metrics::EGRESS_REFUSED, reason);
    assert_eq!(
        (by_reason("address"), by_reason("port")),
        (3, 1),
        "{}",
        metrics.render()
    );

    // The hole is configuration: the same request succeeds with the test policy.
    let (result, _) = run(
        &rig.executor(),
        &get(&rig.url("http://127.0.0.2:{P}/ok")),
        &attempt(BUDGET),
    )
    .await;
    assert_eq!(result.outcome, Outcome::Succeeded, "{result:?}");
}

#[tokio::test]
async fn every_hostile_url_is_refused_and_the_internal_server_sees_nothing() {
    let rig = Rig::start().await;
    let executor = rig.executor();
    // The non-loopback destinations also run with dials redirected to the internal server: if
    // the guard let one through, the count below would catch it (and nothing leaves loopback).
    let substituted = rig.executor_dialling_internal(rig.policy());
    for case in HOSTILE {
        let url = rig.url(case.url);
        let executor = if case.reach == Reach::Direct {
            &executor
        } else {
            &substituted
        };
        let (result, log) = run(executor, &get(&url), &attempt(BUDGET)).await;
        let context = format!("row {} {url}", case.row);
        assert_refused(&result, &rig.url(case.why), &context);
        assert!(
            log.iter().any(|l| l.contains("blocked by egress policy")),
            "{context}: {log:?}"
        );
    }
    for case in HOSTILE_REDIRECTS {
        let (result, _) = run(
            &executor,
            &redirect_config(&rig, case.url),
            &attempt(BUDGET),
        )
        .await;
        assert_refused(
            &result,
            &rig.url(case.why),
            &format!("row {} redirect to {}", case.row, case.url),
        );
    }
    assert_eq!(
        rig.internal.connections_before_barrier().await,
        0,
        "the internal server was reached"
    );
    let refused = executor.refused_requests() + substituted.refused_requests();
    assert_eq!(refused as usize, HOSTILE.len() + HOSTILE_REDIRECTS.len());
}

#[tokio::test]
async fn with_the_guard_off_every_hostile_url_reaches_the_internal_server() {
    let rig = Rig::start().await;
    let open = rig.executor_with(EgressPolicy::allow_everything_for_tests(), Rig::limits());
    let open_substituted =
        rig.executor_dialling_internal(EgressPolicy::allow_everything_for_tests());
    for case in HOSTILE
        .iter()
        .filter(|c| c.url.contains("{P}") || c.reach == Reach::Substituted)
    {
        let url = rig.url(case.url);
        let executor = if case.reach == Reach::Direct {
            &open
        } else {
            &open_substituted
        };
        // A new connection or a request on a pooled one: either is contact.
        let before = rig.internal.contacts();
        let (result, _) = run(executor, &get(&url), &attempt(BUDGET)).await;
        assert!(
            rig.internal.wait_for_contact_after(before).await,
            "row {} {url}: without the guard it should have reached the internal server ({result:?})",
            case.row
        );
        let error = result.error.unwrap_or_default();
        assert!(
            !error.contains("egress policy"),
            "row {} {url}: {error}",
            case.row
        );
    }
    for case in HOSTILE_REDIRECTS {
        let before = rig.internal.seen().len();
        let (result, _) = run(&open, &redirect_config(&rig, case.url), &attempt(BUDGET)).await;
        assert_eq!(
            result.outcome,
            Outcome::Succeeded,
            "row {} {}: {result:?}",
            case.row,
            case.url
        );
        assert_eq!(
            rig.internal.seen().len(),
            before + 1,
            "row {} {}",
            case.row,
            case.url
        );
        assert!(
            result.result.unwrap()["body_excerpt"]
                .as_str()
                .unwrap()
                .contains("INTERNAL SECRET")
        );
    }
    assert_eq!(
        open.refused_requests() + open_substituted.refused_requests(),
        0
    );
}

#[tokio::test]
async fn row_21_backslash_userinfo_goes_to_the_host_the_url_parser_saw() {
    let rig = Rig::start().await;
    let url = rig.url("http://evil.com:{P}\\@127.0.0.1/");
    let parsed = get(&url);
    assert_eq!(parsed.url.host_str(), Some("evil.com"));
    let (result, _) = run(&rig.executor(), &parsed, &attempt(BUDGET)).await;
    // evil.com resolves (in the script) to the allowed server, which answers 404 for the path.
    assert_eq!(result.result.as_ref().unwrap()["status"], 404, "{result:?}");
    let seen = rig.allowed.wait_for_request("/@127.0.0.1/").await;
    assert_eq!(seen.headers["host"], format!("evil.com:{}", rig.port));
    assert_eq!(rig.internal.connections_before_barrier().await, 0);
}

#[tokio::test]
async fn row_25_crlf_in_a_url_injects_no_header() {
    let rig = Rig::start().await;
    let parsed = get(&rig.url("http://127.0.0.2:{P}/echo\r\nX-Injected: 1"));
    assert!(!parsed.url.as_str().contains(['\r', '\n']));
    let (result, _) = run(&rig.executor(), &parsed, &attempt(BUDGET)).await;
    assert_eq!(result.outcome, Outcome::Succeeded, "{result:?}");
    let seen = rig.allowed.wait_for_request("/echo").await;
    assert!(!seen.headers.contains_key("x-injected"), "{seen:?}");
    assert_eq!(seen.path, "/echoX-Injected:%201");
}

#[tokio::test]
async fn row_27_dns_rebinding_the_connection_goes_to_the_vetted_address() {
    let rig = Rig::start().await;
    let resolver = ScriptedResolver::new().answers_in_turn(
        "rebind.test",
        vec![vec![ip("127.0.0.2")], vec![ip("127.0.0.1")]],
    );
    let resolver = std::sync::Arc::new(resolver);
    let client = exec::egress::EgressClient::builder(rig.policy())
        .resolver(resolver.clone())
        .limits(Rig::limits())
        .build()
        .unwrap();
    let executor = exec::api_call::ApiCallExecutor::with_client(client);
    // /close makes the server close the connection, so the next attempt needs a new one.
    let (result, _) = run(
        &executor,
        &get(&rig.url("http://rebind.test:{P}/close")),
        &attempt(BUDGET),
    )
    .await;
    assert_eq!(result.outcome, Outcome::Succeeded, "{result:?}");
    assert_eq!(
        resolver.lookups("rebind.test"),
        1,
        "resolved once for the connection"
    );
    assert_eq!(rig.allowed.seen_at("/close").len(), 1);
    // A new connection means a new lookup, and the rebound answer is refused.
    let (result, _) = run(
        &executor,
        &get(&rig.url("http://rebind.test:{P}/close")),
        &attempt(BUDGET),
    )
    .await;
    assert_refused(
        &result,
        "rebind.test resolves to 127.0.0.1, which is loopback",
        "rebind",
    );
    assert_eq!(resolver.lookups("rebind.test"), 2);
    assert_eq!(rig.internal.connections_before_barrier().await, 0);
}

#[tokio::test]
async fn row_32_a_redirect_loop_stops_after_three_hops() {
    let rig = Rig::start().await;
    let (result, _) = run(
        &rig.executor(),
        &config(json!({ "url": rig.url("http://127.0.0.2:{P}/loop/0"), "follow_redirects": true })),
        &attempt(BUDGET),
    )
    .await;
    assert_refused(&result, "more than 3 redirects", "loop");
    assert_eq!(
        rig.allowed.seen_at("/loop/").len(),
        4,
        "the first request and three hops"
    );
}

#[tokio::test]
async fn row_31_a_redirect_to_another_scheme_is_refused() {
    let rig = Rig::start().await;
    let executor = rig.executor();
    for target in [
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
        "ftp://127.0.0.1/",
    ] {
        let (result, _) = run(&executor, &redirect_config(&rig, target), &attempt(BUDGET)).await;
        assert_refused(&result, "is not allowed (only http and https)", target);
    }
    assert_eq!(rig.internal.connections_before_barrier().await, 0);
}

#[tokio::test]
async fn row_30_with_redirects_off_the_3xx_is_the_result() {
    let rig = Rig::start().await;
    let executor = rig.executor();
    let target = rig.url("http://127.0.0.1:{P}/");
    let mut url = url::Url::parse(&rig.url("http://127.0.0.2:{P}/redirect")).unwrap();
    url.query_pairs_mut().append_pair("to", &target);
    let (result, _) = run(&executor, &get(url.as_str()), &attempt(BUDGET)).await;
    assert_eq!(result.outcome, Outcome::Failed, "a 302 is not a 2xx");
    assert!(result.retryable);
    let value = result.result.unwrap();
    assert_eq!(value["status"], 302);
    assert_eq!(value["headers"]["location"], target);
    let expected = config(json!({ "url": url.as_str(), "expected_status": [302] }));
    let (result, _) = run(&executor, &expected, &attempt(BUDGET)).await;
    assert_eq!(result.outcome, Outcome::Succeeded, "{result:?}");
    assert_eq!(rig.internal.connections_before_barrier().await, 0);
}

#[tokio::test]
async fn row_47_a_tenant_allow_list_only_narrows_and_belongs_to_its_tenant() {
    let rig = Rig::start().await;
    let tenant_a = TenantId::new(1).unwrap();
    let tenant_b = TenantId::new(2).unwrap();
    let tenant_c = TenantId::new(3).unwrap();
    let hole = format!("127.0.0.2/32:{}", rig.port);
    let policy = rig
        .policy()
        .with_tenant_allow_list(tenant_a, AllowList::parse("partner.example").unwrap())
        .with_tenant_allow_list(
            tenant_b,
            AllowList::parse(&format!("{hole},127.0.0.1/32:{}", rig.port)).unwrap(),
        );
    let executor = rig.executor_with(policy, Rig::limits());
    let ok = get(&rig.url("http://127.0.0.2:{P}/ok"));
    let by_name = get(&rig.url("http://allowed.test:{P}/ok"));

    let (result, _) = run(&executor, &ok, &attempt_of(tenant_b, BUDGET)).await;
    assert_eq!(
        result.outcome,
        Outcome::Succeeded,
        "B's own entry: {result:?}"
    );
    let (result, _) = run(&executor, &ok, &attempt_of(tenant_a, BUDGET)).await;
    assert_refused(
        &result,
        "is not in tenant 1's allow-list",
        "A using B's entry",
    );
    let (result, _) = run(&executor, &by_name, &attempt_of(tenant_a, BUDGET)).await;
    assert_refused(
        &result,
        "is not in tenant 1's allow-list",
        "A by name, on B's pooled destination",
    );
    // B's list names the internal server, which the deployment never opened.
    let (result, _) = run(
        &executor,
        &get(&rig.url("http://127.0.0.1:{P}/")),
        &attempt_of(tenant_b, BUDGET),
    )
    .await;
    assert_refused(&result, "127.0.0.1 is loopback", "B widening");
    let (result, _) = run(&executor, &ok, &attempt_of(tenant_c, BUDGET)).await;
    assert_eq!(
        result.outcome,
        Outcome::Succeeded,
        "a tenant without a list gets the deployment policy"
    );
    assert_eq!(rig.internal.connections_before_barrier().await, 0);

    // Lists can change at run time; pools are rebuilt so nothing vetted under the old rules
    // is reused.
    executor
        .client()
        .set_tenant_allow_list(tenant_b, Some(AllowList::parse("partner.example").unwrap()));
    let (result, _) = run(&executor, &ok, &attempt_of(tenant_b, BUDGET)).await;
    assert_refused(
        &result,
        "is not in tenant 2's allow-list",
        "B after narrowing",
    );
}

/// Rows refused when the task is created or updated: the input alone shows the problem. The
/// domain parser does it; the table is complete here in one place.
#[test]
fn rows_refused_at_validation_name_the_field() {
    let parse = |config: serde_json::Value| TaskConfig::parse(TaskType::ApiCall, &config);
    let fields = |config: serde_json::Value| -> Vec<String> {
        match parse(config.clone()) {
            Ok(_) => panic!("accepted: {config}"),
            Err(errors) => errors.0.into_iter().map(|e| e.field).collect(),
        }
    };
    let url_rows = [
        ("11", "http://[fe80::1%25eth0]/"),
        ("19", "http://evil.com@127.0.0.1/"),
        ("23", "file:///etc/passwd"),
        ("23", "gopher://127.0.0.1:6379/_INFO"),
        ("23", "dict://127.0.0.1:11211/stats"),
        ("23", "ftp://127.0.0.1/"),
        ("23", "ws://127.0.0.1/"),
        ("23", "jar:http://127.0.0.1/!/"),
        ("23", "data:text/plain,hello"),
        ("24", "http://127.0.0.1:65536/"),
        ("24", "//127.0.0.1/"),
        ("24", "127.0.0.1"),
        ("34", "http://user:pass@allowed.test/"),
    ];
    for (row, url) in url_rows {
        assert_eq!(fields(json!({ "url": url })), ["url"], "row {row}: {url}");
    }
    let long = format!("https://allowed.test/{}", "a".repeat(100 * 1024));
    assert_eq!(fields(json!({ "url": long })), ["url"], "row 46");
    // Row 34: the credentials never appear in the error.
    let errors = parse(json!({ "url": "http://user:s3cret@allowed.test/" })).unwrap_err();
    assert!(!errors.to_string().contains("s3cret"));

    // Row 25: accepted, but CR/LF are gone (sent as shown in row_25_…).
    let ok = parse(json!({ "url": "http://example.com/\r\nX-Injected: 1" })).unwrap();
    let TaskConfig::ApiCall(c) = ok else { panic!() };
    assert_eq!(c.url.as_str(), "http://example.com/X-Injected:%201");

    let header_rows = [
        ("35", json!({ "Host": "169.254.169.254" })),
        ("35", json!({ "host": "internal.svc" })),
        (
            "36",
            json!({ "Transfer-Encoding": "chunked", "Content-Length": "5" }),
        ),
        ("36", json!({ "Connection": "Upgrade" })),
        ("37", json!({ "X-Bad": "a\r\nb" })),
        ("37", json!({ "X-Nul": "a\u{0}b" })),
        ("37", json!({ "Bad Name": "x" })),
        ("37", json!({ "Bad:Name": "x" })),
    ];
    for (row, headers) in header_rows {
        let got = fields(json!({ "url": "http://example.com/", "headers": headers }));
        assert!(
            !got.is_empty() && got.iter().all(|f| f.starts_with("headers.")),
            "row {row}: {got:?}"
        );
    }
    for method in ["CONNECT", "TRACE", "GET / HTTP/1.1\r\nX:"] {
        assert_eq!(
            fields(json!({ "url": "http://example.com/", "method": method })),
            ["method"],
            "row 38"
        );
    }
    let ten_mib = "x".repeat(10 * 1024 * 1024);
    assert_eq!(
        fields(json!({ "url": "http://example.com/", "data": ten_mib })),
        ["data"],
        "row 39"
    );
    // 10 000 levels never get past the JSON reader of the API (serde_json stops at 128)…
    let text = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let read = serde_json::from_str::<serde_json::Value>(&text).unwrap_err();
    assert!(
        read.to_string().contains("recursion limit exceeded"),
        "{read}"
    );
    // …and a value built in memory is refused by the domain's own depth check. Values this
    // deep are cloned and dropped recursively, so this part runs on a thread with a big stack.
    let deep_rejected = std::thread::Builder::new()
        .stack_size(256 * 1024 * 1024)
        .spawn(move || {
            // (Not `json!([deep])`: the macro serializes its argument again, quadratically.)
            let mut deep = json!(1);
            for _ in 0..10_000 {
                deep = serde_json::Value::Array(vec![deep]);
            }
            let config = json!({ "url": "http://example.com/", "data": deep });
            let fields: Vec<String> = match parse(config) {
                Ok(_) => Vec::new(),
                Err(errors) => errors.0.into_iter().map(|e| e.field).collect(),
            };
            fields == ["data"]
        })
        .unwrap()
        .join()
        .unwrap();
    assert!(
        deep_rejected,
        "row 39: a 10 000-deep body is refused on `data`"
    );
}

#[test]
fn the_url_parser_normalizes_every_ipv4_spelling_before_the_guard_sees_it() {
    for spelling in [
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0x7f.1/",
        "http://017700000001/",
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://127.000.000.001/",
        "http://127%2E0%2E0%2E1/",
    ] {
        let url = url::Url::parse(spelling).unwrap();
        assert_eq!(
            url.host(),
            Some(url::Host::Ipv4([127, 0, 0, 1].into())),
            "{spelling}"
        );
    }
}
