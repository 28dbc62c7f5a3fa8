//! The egress client: the one HTTP client for every request Sundial makes on a tenant's behalf.
//!
//! It is hyper with a connector of our own rather than a ready-made client, because the
//! connector is the only place that sees the whole destination (scheme, host, port) at the
//! moment of connecting: there it resolves the name once, vets every answer against the policy
//! for that port, and dials only the vetted addresses. IP-literal hosts go through the same
//! check. There is no proxy support at all (so no environment proxy can be picked up), no
//! automatic decompression, no automatic redirects (they are followed here, each hop checked
//! again), and TLS is rustls with the webpki roots.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex, RwLock};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use domain::metrics::EGRESS_REFUSED;
use domain::{Metrics, TenantId};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, StatusCode, Uri};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tokio::net::TcpStream;
use url::{Host, Url};

use super::policy::{EgressPolicy, Refusal, RefusalKind};
use super::redact::redact_url;
use super::resolver::{ResolveError, Resolver, SystemResolver};

/// Most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 3;

/// How much of a redirect's own body is read (and discarded) so its connection can be reused.
const REDIRECT_BODY_CAP: u64 = 64 * 1024;

/// `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("Sundial/", env!("CARGO_PKG_VERSION"));

/// Time and size limits of outbound requests.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Budget for resolving the name, and for each TCP connect.
    pub connect_timeout: Duration,
    /// Longest silence while reading the response body.
    pub idle_read_timeout: Duration,
    /// Most response body bytes read; beyond it the connection is closed and the response
    /// marked truncated.
    pub max_body_bytes: u64,
    /// How many leading body bytes are kept for the result and the log.
    pub excerpt_bytes: usize,
    /// Most response header fields.
    pub max_response_headers: usize,
    /// Largest response head (status line and headers), in bytes; at least 8 KiB.
    pub max_head_bytes: usize,
    /// How long an idle keep-alive connection stays in the pool.
    pub pool_idle_timeout: Duration,
    /// Most idle connections kept per destination.
    pub pool_max_idle_per_host: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            idle_read_timeout: Duration::from_secs(30),
            max_body_bytes: 1024 * 1024,
            excerpt_bytes: 4096,
            max_response_headers: 100,
            max_head_bytes: 64 * 1024,
            pool_idle_timeout: Duration::from_secs(90),
            pool_max_idle_per_host: 8,
        }
    }
}

/// One outbound request.
#[derive(Debug, Clone)]
pub struct EgressRequest {
    /// Method.
    pub method: Method,
    /// Absolute http(s) URL; its fragment is not sent.
    pub url: Url,
    /// The tenant's headers: kept on same-origin redirects, dropped on cross-origin ones.
    pub tenant_headers: HeaderMap,
    /// Sundial's own headers (e.g. `Idempotency-Key`): kept on every hop. The tenant's win on a
    /// clash. `User-Agent` and `Accept-Encoding: identity` are added when absent.
    pub sundial_headers: HeaderMap,
    /// Request body.
    pub body: Option<Bytes>,
    /// Whether up to [`MAX_REDIRECTS`] redirects are followed; otherwise a 3xx is the response.
    pub follow_redirects: bool,
}

/// One request sent on the way to the response: the first, then one per redirect followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    /// Method sent.
    pub method: Method,
    /// URL sent to.
    pub url: Url,
    /// Status received.
    pub status: StatusCode,
}

/// The final response, its body read up to the cap.
#[derive(Debug, Clone)]
pub struct EgressResponse {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// The URL that answered (after redirects).
    pub url: Url,
    /// The first [`Limits::excerpt_bytes`] of the body.
    pub body_excerpt: Bytes,
    /// Body bytes read.
    pub body_bytes: u64,
    /// Whether the body exceeded [`Limits::max_body_bytes`] and the connection was closed.
    pub truncated: bool,
}

/// Why a request produced no response.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EgressError {
    /// The egress policy refused it (never retried).
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The request cannot be sent as configured (never retried).
    #[error("{0}")]
    Invalid(String),
    /// The name did not resolve.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// No connection could be made.
    #[error("could not connect: {0}")]
    Connect(String),
    /// The server's certificate was rejected (never retried: only a fix can help).
    #[error("TLS certificate rejected: {0}")]
    Certificate(String),
    /// TLS failed otherwise.
    #[error("TLS error: {0}")]
    Tls(String),
    /// The server went silent while sending the body.
    #[error("no data from the server for {} s (idle read timeout)", .0.as_secs_f64())]
    IdleTimeout(Duration),
    /// The server broke HTTP (oversized or malformed head, connection dropped mid-response).
    #[error("HTTP error: {0}")]
    Protocol(String),
}

impl EgressError {
    /// Whether trying again later may help.
    pub fn is_retryable(&self) -> bool {
        !matches!(
            self,
            Self::Refused(_) | Self::Invalid(_) | Self::Certificate(_)
        )
    }
}

/// Errors of the guarded connector, carried through hyper's error chain.
#[derive(Debug, Clone, thiserror::Error)]
enum ConnectError {
    #[error(transparent)]
    Refused(Refusal),
    #[error(transparent)]
    Resolve(ResolveError),
    #[error("{0}")]
    Other(String),
}

type HttpClient = Client<HttpsConnector<GuardedConnector>, Full<Bytes>>;

/// The guarded HTTP client. Cheap to clone; clones share pools, policy and counters.
#[derive(Clone)]
pub struct EgressClient {
    inner: Arc<Inner>,
}

struct Inner {
    policy: RwLock<Arc<EgressPolicy>>,
    resolver: Arc<dyn Resolver>,
    limits: Limits,
    tls: rustls::ClientConfig,
    /// One hyper client, hence one keep-alive pool, per policy scope (see `pool_key`).
    clients: Mutex<HashMap<Option<TenantId>, HttpClient>>,
    metrics: Arc<Metrics>,
    #[cfg(feature = "test-support")]
    dial_override: Option<SocketAddr>,
}

impl std::fmt::Debug for EgressClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EgressClient")
            .field("policy", &self.policy())
            .field("resolver", &self.inner.resolver)
            .field("limits", &self.inner.limits)
            .finish_non_exhaustive()
    }
}

/// A PEM bundle that could not be used as trust roots.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid root certificate: {0}")]
pub struct RootCertificateError(String);

/// Builds an [`EgressClient`].
#[derive(Debug)]
pub struct EgressClientBuilder {
    policy: EgressPolicy,
    resolver: Option<Arc<dyn Resolver>>,
    limits: Limits,
    extra_roots: Vec<CertificateDer<'static>>,
    metrics: Option<Arc<Metrics>>,
    #[cfg(feature = "test-support")]
    dial_override: Option<SocketAddr>,
}

impl EgressClientBuilder {
    /// Counts refusals in `metrics` (the service's, for `/metrics`) instead of private ones.
    pub fn metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Resolves names with `resolver` instead of the system's.
    pub fn resolver(mut self, resolver: Arc<dyn Resolver>) -> Self {
        self.resolver = Some(resolver);
        self
    }

    /// Uses these limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Trusts the certificates of a PEM bundle in addition to the webpki roots (a private CA
    /// for internal destinations the operator opened).
    pub fn add_root_certificates_pem(mut self, pem: &[u8]) -> Result<Self, RootCertificateError> {
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(pem) {
            self.extra_roots
                .push(cert.map_err(|e| RootCertificateError(e.to_string()))?);
            added += 1;
        }
        if added == 0 {
            return Err(RootCertificateError(
                "no certificate in the PEM data".into(),
            ));
        }
        Ok(self)
    }

    /// TEST ONLY: dial `addr` instead of every vetted address, so hostile cases aimed at
    /// non-loopback addresses can run with the guard off without sending traffic anywhere
    /// but the test's own server. Compiled only with the `test-support` feature.
    #[cfg(feature = "test-support")]
    pub fn dial_override_for_tests(mut self, addr: SocketAddr) -> Self {
        self.dial_override = Some(addr);
        self
    }

    /// The client.
    pub fn build(self) -> Result<EgressClient, RootCertificateError> {
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for cert in self.extra_roots {
            roots
                .add(cert)
                .map_err(|e| RootCertificateError(e.to_string()))?;
        }
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| RootCertificateError(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(EgressClient {
            inner: Arc::new(Inner {
                policy: RwLock::new(Arc::new(self.policy)),
                resolver: self
                    .resolver
                    .unwrap_or_else(|| Arc::new(SystemResolver::new())),
                limits: self.limits,
                tls,
                clients: Mutex::default(),
                metrics: self.metrics.unwrap_or_default(),
                #[cfg(feature = "test-support")]
                dial_override: self.dial_override,
            }),
        })
    }
}

impl EgressClient {
    /// A client with the system resolver and default limits.
    pub fn new(policy: EgressPolicy) -> Self {
        Self::builder(policy)
            .build()
            .expect("the webpki roots and the default protocol versions are always usable")
    }

    /// A builder, to inject a resolver or change limits.
    pub fn builder(policy: EgressPolicy) -> EgressClientBuilder {
        EgressClientBuilder {
            policy,
            resolver: None,
            limits: Limits::default(),
            extra_roots: Vec::new(),
            metrics: None,
            #[cfg(feature = "test-support")]
            dial_override: None,
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> Arc<EgressPolicy> {
        self.inner.policy.read().expect("policy lock").clone()
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// Gives `tenant` its own (narrowing) allow-list, or removes it. Pools are rebuilt, so no
    /// connection opened under the old rules is reused.
    pub fn set_tenant_allow_list(&self, tenant: TenantId, list: Option<super::AllowList>) {
        let mut policy = self.inner.policy.write().expect("policy lock");
        let mut next = (**policy).clone();
        next.set_tenant_allow_list(tenant, list);
        *policy = Arc::new(next);
        self.inner.clients.lock().expect("clients lock").clear();
    }

    /// How many requests the egress policy refused since start.
    pub fn refused_count(&self) -> u64 {
        EGRESS_REFUSED
            .values
            .iter()
            .map(|reason| self.inner.metrics.get(&EGRESS_REFUSED, reason))
            .sum()
    }

    /// The counters refusals are counted in.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.inner.metrics
    }

    fn http_client(&self, tenant: TenantId) -> (Arc<EgressPolicy>, HttpClient) {
        let policy = self.policy();
        let key = policy.pool_key(tenant);
        let mut clients = self.inner.clients.lock().expect("clients lock");
        let client = clients
            .entry(key)
            .or_insert_with(|| self.build_http_client(policy.clone(), key))
            .clone();
        (policy, client)
    }

    fn build_http_client(&self, policy: Arc<EgressPolicy>, key: Option<TenantId>) -> HttpClient {
        let limits = &self.inner.limits;
        let connector = GuardedConnector {
            shared: Arc::new(ConnectorShared {
                policy,
                key,
                resolver: self.inner.resolver.clone(),
                connect_timeout: limits.connect_timeout,
                #[cfg(feature = "test-support")]
                dial_override: self.inner.dial_override,
            }),
        };
        let https = HttpsConnectorBuilder::new()
            .with_tls_config(self.inner.tls.clone())
            .https_or_http()
            .enable_http1()
            .wrap_connector(connector);
        Client::builder(TokioExecutor::new())
            .pool_idle_timeout(limits.pool_idle_timeout)
            .pool_max_idle_per_host(limits.pool_max_idle_per_host)
            .pool_timer(TokioTimer::new())
            .http1_max_headers(limits.max_response_headers)
            .http1_max_buf_size(limits.max_head_bytes.max(8192))
            .build(https)
    }

    /// Sends `request` for `tenant`, following redirects if it asks to, and reads the final
    /// response's body up to the cap. Every hop is appended to `trace` as it completes, so the
    /// caller still has them when the call fails or is dropped at a deadline.
    ///
    /// There is no overall deadline here: the caller wraps the call in its own (an attempt's
    /// timeout, a webhook's budget) and dropping the future closes the connection.
    pub async fn send(
        &self,
        tenant: TenantId,
        request: EgressRequest,
        trace: &mut Vec<Hop>,
    ) -> Result<EgressResponse, EgressError> {
        let result = self.send_hops(tenant, request, trace).await;
        if let Err(EgressError::Refused(refusal)) = &result {
            self.inner
                .metrics
                .increment(&EGRESS_REFUSED, refusal.kind.as_str());
            tracing::warn!(tenant = %tenant, reason = %refusal.reason, "egress refused");
        }
        result
    }

    async fn send_hops(
        &self,
        tenant: TenantId,
        request: EgressRequest,
        trace: &mut Vec<Hop>,
    ) -> Result<EgressResponse, EgressError> {
        let limits = &self.inner.limits;
        let (policy, client) = self.http_client(tenant);
        let scope = policy.scope(tenant);
        let EgressRequest {
            mut method,
            mut url,
            mut tenant_headers,
            mut sundial_headers,
            mut body,
            follow_redirects,
        } = request;
        sundial_headers
            .entry(header::USER_AGENT)
            .or_insert(HeaderValue::from_static(USER_AGENT));
        // Ask for an uncompressed body: nothing here decompresses, and the excerpt should be
        // readable. A server that compresses anyway is read as opaque bytes, capped.
        sundial_headers
            .entry(header::ACCEPT_ENCODING)
            .or_insert(HeaderValue::from_static("identity"));
        url.set_fragment(None);
        let mut hops = 0;
        loop {
            let in_redirect = |error: EgressError| match error {
                EgressError::Refused(r) if hops > 0 => EgressError::Refused(Refusal::new(
                    r.kind,
                    format!("redirect to {}: {}", redact_url(&url), r.reason),
                )),
                other => other,
            };
            policy
                .check_url_in(scope, &url)
                .map_err(|r| in_redirect(r.into()))?;
            let outgoing = build_request(&method, &url, &sundial_headers, &tenant_headers, &body)?;
            let response = client
                .request(outgoing)
                .await
                .map_err(|e| in_redirect(classify(&e)))?;
            let status = response.status();
            trace.push(Hop {
                method: method.clone(),
                url: url.clone(),
                status,
            });
            let location = follow_redirects
                .then(|| redirect_location(status, response.headers()))
                .flatten();
            let Some(location) = location else {
                let headers = response.headers().clone();
                let read = read_body(response.into_body(), limits, limits.max_body_bytes).await?;
                return Ok(EgressResponse {
                    status,
                    headers,
                    url,
                    body_excerpt: read.excerpt,
                    body_bytes: read.total,
                    truncated: read.truncated,
                });
            };
            if hops == MAX_REDIRECTS {
                return Err(Refusal::new(
                    RefusalKind::Redirect,
                    format!("more than {MAX_REDIRECTS} redirects (the last one was to {location})"),
                )
                .into());
            }
            let next = url.join(&location).map_err(|e| {
                EgressError::Invalid(format!("redirect to an invalid URL `{location}`: {e}"))
            })?;
            if url.scheme() == "https" && next.scheme() == "http" {
                return Err(Refusal::new(
                    RefusalKind::Redirect,
                    format!(
                        "redirect from https to http ({}) is not allowed",
                        redact_url(&next)
                    ),
                )
                .into());
            }
            // Read the redirect's own (small) body so its connection can serve the next hop;
            // a failure here only costs that connection.
            let _ = read_body(response.into_body(), limits, REDIRECT_BODY_CAP).await;
            let becomes_get = status == StatusCode::SEE_OTHER
                || (method == Method::POST
                    && matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND));
            if becomes_get {
                if method != Method::HEAD {
                    method = Method::GET;
                }
                body = None;
                tenant_headers.remove(header::CONTENT_TYPE);
                sundial_headers.remove(header::CONTENT_TYPE);
            }
            if next.origin() != url.origin() {
                // Credentials and custom headers were meant for the first origin only. The
                // content type travels with a body that is sent again (307/308).
                let content_type = tenant_headers.remove(header::CONTENT_TYPE);
                tenant_headers.clear();
                if let (Some(ct), Some(_)) = (content_type, &body) {
                    tenant_headers.insert(header::CONTENT_TYPE, ct);
                }
            }
            url = next;
            url.set_fragment(None);
            hops += 1;
        }
    }
}

fn redirect_location(status: StatusCode, headers: &HeaderMap) -> Option<String> {
    let redirect = matches!(
        status,
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    );
    if !redirect {
        return None;
    }
    headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn build_request(
    method: &Method,
    url: &Url,
    sundial_headers: &HeaderMap,
    tenant_headers: &HeaderMap,
    body: &Option<Bytes>,
) -> Result<Request<Full<Bytes>>, EgressError> {
    // The very URL that was checked is the one sent: hyper takes its host for the connection,
    // the Host header and TLS SNI, so no second parser can disagree about where it goes.
    let uri: Uri = url
        .as_str()
        .parse()
        .map_err(|e| EgressError::Invalid(format!("the URL cannot be sent: {e}")))?;
    let mut request = Request::builder()
        .method(method.clone())
        .uri(uri)
        .body(Full::new(body.clone().unwrap_or_default()))
        .map_err(|e| EgressError::Invalid(format!("the request cannot be built: {e}")))?;
    let headers = request.headers_mut();
    for (name, value) in sundial_headers {
        headers.insert(name.clone(), value.clone());
    }
    for (name, value) in tenant_headers {
        headers.insert(name.clone(), value.clone());
    }
    Ok(request)
}

struct BodyRead {
    excerpt: Bytes,
    total: u64,
    truncated: bool,
}

async fn read_body(mut body: Incoming, limits: &Limits, cap: u64) -> Result<BodyRead, EgressError> {
    let mut excerpt = Vec::new();
    let mut total = 0u64;
    let mut truncated = false;
    loop {
        let frame = match tokio::time::timeout(limits.idle_read_timeout, body.frame()).await {
            Err(_) => return Err(EgressError::IdleTimeout(limits.idle_read_timeout)),
            Ok(None) => break,
            Ok(Some(Err(e))) => return Err(EgressError::Protocol(chain(&e))),
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        total += data.len() as u64;
        if excerpt.len() < limits.excerpt_bytes {
            let take = (limits.excerpt_bytes - excerpt.len()).min(data.len());
            excerpt.extend_from_slice(&data[..take]);
        }
        if total > cap {
            // Dropping the body closes the connection: the rest is never read.
            truncated = true;
            break;
        }
    }
    Ok(BodyRead {
        excerpt: excerpt.into(),
        total,
        truncated,
    })
}

/// Finds an error of type `T` in `error`'s chain, looking inside `io::Error`s too (their
/// `source()` skips the wrapped error, which is where rustls puts its own).
fn find<'a, T: StdError + 'static>(error: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        if let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            let inner: &(dyn StdError + 'static) = inner;
            if let Some(found) = find::<T>(inner) {
                return Some(found);
            }
        }
        current = e.source();
    }
    None
}

/// The messages of an error chain, joined, without the repetitions wrappers add.
fn chain(error: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(error);
    while let Some(e) = current {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

fn classify(error: &hyper_util::client::legacy::Error) -> EgressError {
    if let Some(connect) = find::<ConnectError>(error) {
        return match connect.clone() {
            ConnectError::Refused(r) => EgressError::Refused(r),
            ConnectError::Resolve(r) => EgressError::Resolve(r),
            ConnectError::Other(message) => EgressError::Connect(message),
        };
    }
    if let Some(tls) = find::<rustls::Error>(error) {
        return match tls {
            rustls::Error::InvalidCertificate(_) => EgressError::Certificate(tls.to_string()),
            _ => EgressError::Tls(tls.to_string()),
        };
    }
    // Skip hyper-util's own "client error (…)" wrapper: its source says what happened.
    let detail = error.source().map(chain).unwrap_or_else(|| chain(error));
    if error.is_connect() {
        EgressError::Connect(detail)
    } else {
        EgressError::Protocol(detail)
    }
}

/// The connector: resolve once, vet every address, dial only vetted addresses.
#[derive(Clone)]
struct GuardedConnector {
    shared: Arc<ConnectorShared>,
}

struct ConnectorShared {
    policy: Arc<EgressPolicy>,
    /// Which tenant's allow-list, if any, narrows this pool's connections.
    key: Option<TenantId>,
    resolver: Arc<dyn Resolver>,
    connect_timeout: Duration,
    #[cfg(feature = "test-support")]
    dial_override: Option<SocketAddr>,
}

impl ConnectorShared {
    fn dial_target(&self, vetted: SocketAddr) -> SocketAddr {
        #[cfg(feature = "test-support")]
        if let Some(addr) = self.dial_override {
            return addr;
        }
        vetted
    }

    async fn connect(&self, uri: Uri) -> Result<TokioIo<TcpStream>, ConnectError> {
        let scope = self.policy.scope_of_pool(self.key);
        let port = uri
            .port_u16()
            .unwrap_or(if uri.scheme_str() == Some("https") {
                443
            } else {
                80
            });
        let host_text = uri
            .host()
            .ok_or_else(|| ConnectError::Other("the URL has no host".into()))?;
        // The same WHATWG host parser the URL went through, so `[::1]` and `127.0.0.1` come
        // back as addresses and nothing can slip through as a "name".
        let host = Host::parse(host_text)
            .map_err(|e| ConnectError::Other(format!("invalid host `{host_text}`: {e}")))?;
        let (name, answers): (Option<String>, Vec<IpAddr>) = match host {
            Host::Ipv4(ip) => (None, vec![IpAddr::V4(ip)]),
            Host::Ipv6(ip) => (None, vec![IpAddr::V6(ip)]),
            Host::Domain(name) => {
                self.policy
                    .check_name_in(scope, &name, port)
                    .map_err(ConnectError::Refused)?;
                let lookup = self.resolver.lookup(&name);
                let answers = tokio::time::timeout(self.connect_timeout, lookup)
                    .await
                    .map_err(|_| {
                        ConnectError::Resolve(ResolveError {
                            name: name.clone(),
                            message: format!(
                                "no answer within {} s",
                                self.connect_timeout.as_secs_f64()
                            ),
                        })
                    })?
                    .map_err(ConnectError::Resolve)?;
                (Some(name), answers)
            }
        };
        if answers.is_empty() {
            return Err(ConnectError::Resolve(ResolveError {
                name: host_text.to_owned(),
                message: "no addresses".into(),
            }));
        }
        // Every answer is vetted before any is dialled: one bad address refuses the request,
        // since which answer gets used is up to chance (and to whoever controls the zone).
        let mut vetted = Vec::with_capacity(answers.len());
        for ip in answers {
            let ip = self
                .policy
                .check_address_in(scope, name.as_deref(), ip, port)
                .map_err(ConnectError::Refused)?;
            if !vetted.contains(&ip) {
                vetted.push(ip);
            }
        }
        let mut failures = Vec::new();
        for ip in vetted {
            let addr = SocketAddr::new(ip, port);
            match tokio::time::timeout(
                self.connect_timeout,
                TcpStream::connect(self.dial_target(addr)),
            )
            .await
            {
                Ok(Ok(stream)) => {
                    let _ = stream.set_nodelay(true);
                    return Ok(TokioIo::new(stream));
                }
                Ok(Err(e)) => failures.push(format!("{addr}: {e}")),
                Err(_) => failures.push(format!(
                    "{addr}: no answer within {} s",
                    self.connect_timeout.as_secs_f64()
                )),
            }
        }
        Err(ConnectError::Other(failures.join("; ")))
    }
}

impl tower_service::Service<Uri> for GuardedConnector {
    type Response = TokioIo<TcpStream>;
    type Error = ConnectError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let shared = self.shared.clone();
        Box::pin(async move { shared.connect(uri).await })
    }
}
