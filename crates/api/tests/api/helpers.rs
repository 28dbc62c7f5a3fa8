//! `TestApp`: the real API on a random loopback port, on a fresh SQLite file or PostgreSQL database.

use std::sync::Arc;

use api::{AppState, Auth};
use domain::{ManualClock, Role, TenantId};
use jiff::Timestamp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use store::Store;
use store::test_support::{Database, PostgresDb, TestFixture, TestSupport, postgres_admin_url};

/// The deployment allow-list of the test API (`SUNDIAL_EGRESS_ALLOW`).
pub const EGRESS_ALLOW: &str = "10.20.0.0/16,127.0.0.2/32:8080";

/// The run-retention period of the test API (`SUNDIAL_RUN_RETENTION_DAYS`).
pub const RUN_RETENTION_DAYS: u64 = 30;

/// The instant the test clock starts at: a fixed Thursday noon, so next-fire instants are exact.
pub fn start_instant() -> Timestamp {
    "2026-01-15T12:00:00Z".parse().unwrap()
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub auth: Auth,
    /// The HS256 secret, for tests that forge or tamper with tokens.
    pub secret: Vec<u8>,
    pub clock: Arc<ManualClock>,
    /// Writes what only the engine will write (runs, log lines), for tests of the read paths.
    pub support: Arc<dyn TestSupport>,
    /// The store behind the API, to check what it really keeps (e.g. unmasked secrets).
    pub store: Arc<dyn Store>,
    /// The counters `/metrics` shows.
    pub metrics: Arc<domain::Metrics>,
    _data: tempfile::TempDir,
}

/// A response: status, content type and JSON body (Null when empty).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Value,
}

impl Reply {
    /// Asserts the status and returns the body.
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {:#}",
            self.body
        );
        self.body
    }

    /// Asserts a problem+json answer with this status and code, and returns the body.
    #[track_caller]
    pub fn problem(self, status: u16, code: &str) -> Value {
        assert_eq!(
            self.content_type, "application/problem+json",
            "body: {:#}",
            self.body
        );
        let body = self.expect(status);
        assert_eq!(body["code"], code, "body: {body:#}");
        assert_eq!(body["status"], status);
        body
    }

    /// The fields a validation problem names.
    pub fn fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The URL of a fresh database on the test PostgreSQL server.
async fn postgres_database() -> String {
    PostgresDb::create()
        .await
        .expect("these tests need PostgreSQL (scripts/test starts one)")
        .url
}

impl TestApp {
    pub async fn spawn(backend: Database) -> TestApp {
        TestApp::spawn_with(backend, api::TenantQuotas::default()).await
    }

    /// A test app whose deployment sets these per-tenant quotas.
    pub async fn spawn_with(backend: Database, quotas: api::TenantQuotas) -> TestApp {
        TestApp::spawn_full(backend, quotas, api::RateLimits::off(), |secret| {
            Auth::hs256(secret).unwrap()
        })
        .await
    }

    /// A test app on SQLite whose deployment limits request rates so.
    pub async fn spawn_rate_limited(settings: api::RateLimitSettings) -> TestApp {
        TestApp::spawn_full(
            Database::Sqlite,
            api::TenantQuotas::default(),
            api::RateLimits::start(settings),
            |secret| Auth::hs256(secret).unwrap(),
        )
        .await
    }

    /// A test app on SQLite whose tokens are checked by the authenticator `auth` builds from
    /// the test's HS256 secret.
    pub async fn spawn_with_auth(auth: impl FnOnce(&[u8]) -> Auth) -> TestApp {
        TestApp::spawn_full(
            Database::Sqlite,
            api::TenantQuotas::default(),
            api::RateLimits::off(),
            auth,
        )
        .await
    }

    async fn spawn_full(
        backend: Database,
        quotas: api::TenantQuotas,
        limits: std::sync::Arc<api::RateLimits>,
        auth: impl FnOnce(&[u8]) -> Auth,
    ) -> TestApp {
        let data = tempfile::tempdir().unwrap();
        type Stores = (Arc<dyn Store>, Arc<dyn TestSupport>);
        let (store, support): Stores = match backend {
            Database::Sqlite => {
                let url = format!("sqlite://{}", data.path().join("sundial.db").display());
                let store = Arc::new(store::SqliteStore::connect(&url).await.unwrap());
                (store.clone(), store)
            }
            Database::Postgres => {
                let url = postgres_database().await;
                let store = Arc::new(store::PostgresStore::connect(&url).await.unwrap());
                (store.clone(), store)
            }
        };
        let secret = uuid::Uuid::new_v4()
            .simple()
            .to_string()
            .repeat(2)
            .into_bytes();
        let auth = auth(&secret);
        let clock = Arc::new(ManualClock::new(start_instant()));
        let metrics = Arc::new(domain::Metrics::default());
        // The deployment's policy of these tests: the defaults plus one private block, so
        // the create-time checks can be seen to honour SUNDIAL_EGRESS_ALLOW.
        let egress = exec::egress::EgressPolicy::from_allow_list(EGRESS_ALLOW).unwrap();
        let state = AppState {
            store: store.clone(),
            auth: auth.clone(),
            clock: clock.clone(),
            wake: engine::Wakeup::default(),
            sandbox: Arc::new(api::SandboxHealth::not_configured()),
            liveness: engine::Liveness::default(),
            egress: Arc::new(egress),
            metrics: metrics.clone(),
            quotas,
            rate_limits: limits,
            public_metrics: true,
            run_retention: Some(std::time::Duration::from_secs(
                RUN_RETENTION_DAYS * 24 * 3600,
            )),
            email_relay: false,
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = api::with_security_headers(api::with_request_ids(api::app(state)));
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .unwrap()
        });
        TestApp {
            base,
            client: reqwest::Client::new(),
            auth,
            secret,
            clock,
            support,
            store,
            metrics,
            _data: data,
        }
    }

    /// A token valid for an hour of real time (tokens are checked against the real clock).
    pub fn token(&self, tenant: i64, role: Role) -> String {
        let now = Timestamp::now().as_second() as u64;
        self.auth
            .mint(
                TenantId::new(tenant).unwrap(),
                &format!("user-{tenant}"),
                role,
                now,
                3600,
            )
            .expect("an hour is within the default maximum lifetime")
    }

    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Reply {
        let url = format!("{}{}", self.base, path);
        let mut request = self.client.request(method, url);
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let request_id = response
            .headers()
            .get("x-request-id")
            .map(|v| v.to_str().unwrap().to_owned());
        let bytes = response.bytes().await.unwrap();
        let mut body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        // Every request has its own id; checked against the header here and taken out, so
        // that tests can compare whole problem bodies.
        if let Some(quoted) = body.as_object_mut().and_then(|o| o.remove("request_id")) {
            assert_eq!(Some(&quoted), request_id.map(Value::from).as_ref());
        }
        Reply {
            status,
            content_type,
            body,
        }
    }

    /// A call to the task API as tenant `tenant` with full rights.
    pub async fn call(
        &self,
        tenant: i64,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        self.call_as(tenant, Role::Admin, method, path, body).await
    }

    pub async fn call_as(
        &self,
        tenant: i64,
        role: Role,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        let token = self.token(tenant, role);
        let path = format!("{}{}", api::TASKS_PREFIX, path);
        self.raw(
            method,
            &path,
            Some(&token),
            body.map(|b| serde_json::to_vec(&b).unwrap()),
        )
        .await
    }

    /// Creates a task for `tenant` and returns its JSON.
    pub async fn create(&self, tenant: i64, body: Value) -> Value {
        self.call(tenant, Method::POST, "/", Some(body))
            .await
            .expect(201)
    }
}

/// A valid cron api_call task with this code.
pub fn cron_task(code: &str) -> Value {
    json!({
        "name": format!("Task {code}"), "code": code, "type": "api_call", "trigger_type": "cron",
        "trigger_config": {"cron": "0 0 * * *", "timezone": "Asia/Shanghai"},
        "task_config": {"url": "https://api.example.com/endpoint", "method": "POST",
                        "headers": {"Content-Type": "application/json"}, "data": {"key": "value"}}
    })
}

/// A case of `on_both_databases!` gets a test app on a fresh database.
impl TestFixture for TestApp {
    type Guard = ();

    async fn open(database: Database) -> Option<(Self, ())> {
        if database == Database::Postgres && postgres_admin_url().is_none() {
            return None;
        }
        Some((TestApp::spawn(database).await, ()))
    }

    async fn finish((): ()) {}
}
