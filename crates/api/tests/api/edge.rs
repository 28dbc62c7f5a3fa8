//! The HTTP edge at router level: request rates per tenant, per client and per address (429 +
//! `Retry-After`), and the browser security headers.

use std::time::Duration;

use api::rate_limit::{Rate, TrustedProxies};
use api::{RateLimitSettings, TASKS_PREFIX};
use domain::{Role, TenantId};
use jiff::Timestamp;
use reqwest::{Method, Response};

use crate::helpers::TestApp;

fn settings(tenant: Rate, client: Rate, trusted: &str) -> RateLimitSettings {
    RateLimitSettings {
        tenant,
        client,
        trusted_proxies: TrustedProxies::parse(trusted).unwrap(),
    }
}

/// Slow refills, so a test's own pace never refills a bucket it is emptying.
fn rate(burst: u32) -> Rate {
    Rate {
        per_second: 1,
        burst,
    }
}

fn token(app: &TestApp, tenant: i64, sub: &str) -> String {
    let now = Timestamp::now().as_second() as u64;
    app.auth
        .mint(TenantId::new(tenant).unwrap(), sub, Role::Viewer, now, 3600)
        .unwrap()
}

async fn list(app: &TestApp, token: &str) -> Response {
    app.client
        .get(format!("{}{TASKS_PREFIX}/list", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// Asserts a 429 `rate_limited` problem naming `scope`, with a whole `Retry-After` of at
/// least one second.
async fn assert_limited(response: Response, scope: &str) {
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After is whole seconds");
    assert!(retry_after >= 1, "Retry-After: {retry_after}");
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited", "{body:#}");
    assert_eq!(body["status"], 429);
    assert!(body["detail"].as_str().unwrap().contains(scope), "{body:#}");
}

#[tokio::test]
async fn clients_and_tenants_have_their_own_buckets() {
    let app = TestApp::spawn_rate_limited(settings(rate(5), rate(3), "")).await;
    let alice = token(&app, 1, "alice");
    let bob = token(&app, 1, "bob");
    let carol = token(&app, 1, "carol");
    for _ in 0..3 {
        assert_eq!(list(&app, &alice).await.status(), 200);
    }
    assert_limited(list(&app, &alice).await, "client").await;
    // Bob is another client of the same tenant: he has the rest of the tenant's burst.
    assert_eq!(list(&app, &bob).await.status(), 200);
    assert_eq!(list(&app, &bob).await.status(), 200);
    assert_limited(list(&app, &carol).await, "tenant").await;
    // Another tenant is not affected, even with a subject of the same name.
    for _ in 0..3 {
        assert_eq!(list(&app, &token(&app, 2, "alice")).await.status(), 200);
    }
}

#[tokio::test]
async fn a_limited_client_is_let_through_again_after_retry_after() {
    let app = TestApp::spawn_rate_limited(settings(
        Rate {
            per_second: 2,
            burst: 2,
        },
        rate(100),
        "",
    ))
    .await;
    let alice = token(&app, 1, "alice");
    for _ in 0..2 {
        assert_eq!(list(&app, &alice).await.status(), 200);
    }
    let refused = list(&app, &alice).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "1");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    loop {
        if list(&app, &alice).await.status() == 200 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still limited 3 s after Retry-After: 1"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn requests_without_a_valid_token_are_limited_by_address_but_probes_never() {
    let app = TestApp::spawn_rate_limited(settings(rate(100), rate(3), "")).await;
    let docs = format!("{}/api/openapi.json", app.base);
    for _ in 0..2 {
        assert_eq!(app.client.get(&docs).send().await.unwrap().status(), 200);
    }
    // A bad token counts against the address too, before it is refused.
    let forged = app
        .client
        .get(format!("{}{TASKS_PREFIX}/list", app.base))
        .bearer_auth("not.a.token")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    assert_limited(app.client.get(&docs).send().await.unwrap(), "address").await;
    // The address's forwarded-for header is not believed from an untrusted peer.
    let spoofed = app
        .client
        .get(&docs)
        .header("x-forwarded-for", "198.51.100.7")
        .send()
        .await
        .unwrap();
    assert_eq!(spoofed.status(), 429);
    for path in ["/livez", "/readyz", "/healthz"] {
        for _ in 0..10 {
            let response = app
                .client
                .get(format!("{}{path}", app.base))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{path}");
        }
    }
    // An authenticated caller has its own buckets, not the address's.
    assert_eq!(list(&app, &token(&app, 1, "alice")).await.status(), 200);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_the_client() {
    let app = TestApp::spawn_rate_limited(settings(rate(100), rate(2), "127.0.0.0/8")).await;
    let get = |forwarded: &'static str| {
        app.client
            .get(format!("{}/api/openapi.json", app.base))
            .header("x-forwarded-for", forwarded)
            .send()
    };
    for _ in 0..2 {
        assert_eq!(get("198.51.100.1").await.unwrap().status(), 200);
    }
    assert_limited(get("198.51.100.1").await.unwrap(), "address").await;
    // A forged entry before the proxy's own is ignored: still 198.51.100.1.
    assert_eq!(
        get("203.0.113.9, 198.51.100.1").await.unwrap().status(),
        429
    );
    assert_eq!(get("198.51.100.2").await.unwrap().status(), 200);
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_api_answers_are_not_stored() {
    let app = TestApp::spawn(store::test_support::Database::Sqlite).await;
    let admin = app.token(1, Role::Admin);
    let responses = [
        app.client
            .get(format!("{}{TASKS_PREFIX}/list", app.base))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap(),
        app.client
            .request(Method::GET, format!("{}/no-such-path", app.base))
            .send()
            .await
            .unwrap(),
        app.client
            .get(format!("{}/api/docs/", app.base))
            .send()
            .await
            .unwrap(),
    ];
    for response in responses {
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        for directive in [
            "default-src 'self'",
            "script-src 'self';",
            "style-src 'self' 'unsafe-inline'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{}: {csp}", response.url());
        }
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["cache-control"], "no-store", "{}", response.url());
    }
}
