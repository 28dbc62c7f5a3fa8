//! The loopback rig of `../shared/security/ssrf-hostile.md`, shared by the egress test suites.
//!
//! - an "internal" server on 127.0.0.1:P that must never be reached while the guard is on; it
//!   counts every TCP accept;
//! - an "allowed" server on 127.0.0.2:P (the same port number, so a hostile URL only differs
//!   from a legitimate one in its host) opened by the test policy `127.0.0.2/32:P`; its paths
//!   script well-behaved and hostile responses;
//! - a TLS server on 127.0.0.2:Q with a certificate for `allowed.test` and 127.0.0.2 issued by
//!   a test CA (`exec::test_support`);
//! - a scripted resolver: no test ever asks real DNS, and nothing leaves loopback.
//!
//! Servers stop writing when the client goes away and never run longer than `MAX_SERVE`.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use domain::{ApiCallConfig, TaskConfig, TaskType, TenantId};
use exec::api_call::ApiCallExecutor;
use exec::egress::{EgressClient, EgressPolicy, Limits, ScriptedResolver};
use exec::test_support::{TEST_CA, tls_acceptor};
use exec::{Attempt, AttemptResult, LogSink};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Longest any scripted server behaviour runs, whatever the client does.
const MAX_SERVE: Duration = Duration::from_secs(20);

/// Every wait in the tests has this deadline (they are event waits, not sleeps).
pub const DEADLINE: Duration = Duration::from_secs(10);

/// One request as a rig server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// Lower-cased names.
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
    /// Which accepted connection (1-based) it came on.
    pub connection: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Internal,
    Allowed,
}

#[derive(Default)]
struct State {
    accepts: AtomicUsize,
    /// Notified on every accept and every request.
    contact: Notify,
    seen: Mutex<Vec<Seen>>,
    request_seen: Notify,
    /// Bytes written by the streaming behaviours (/huge, /endless, /continue-forever).
    streamed: AtomicU64,
    streams_ended: AtomicUsize,
    stream_ended: Notify,
    barriers_sent: AtomicUsize,
    gzip_bomb: Mutex<Vec<u8>>,
}

/// A rig server.
#[derive(Clone)]
pub struct Server {
    pub addr: SocketAddr,
    state: Arc<State>,
}

impl Server {
    async fn start(
        listener: TcpListener,
        role: Role,
        tls: Option<tokio_rustls::TlsAcceptor>,
    ) -> Self {
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State::default());
        let st = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let seq = st.accepts.fetch_add(1, Ordering::SeqCst) + 1;
                st.contact.notify_waiters();
                let st = st.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(stream).await {
                                serve(stream, seq, st, role).await;
                            }
                        }
                        None => serve(stream, seq, st, role).await,
                    }
                });
            }
        });
        Self { addr, state }
    }

    /// TCP connections accepted so far (barriers included).
    pub fn accepts(&self) -> usize {
        self.state.accepts.load(Ordering::SeqCst)
    }

    /// Accepts plus requests: grows with every contact, new connection or pooled one.
    pub fn contacts(&self) -> usize {
        self.accepts() + self.state.seen.lock().unwrap().len()
    }

    /// Waits until [`Self::contacts`] exceeds `before`; false at the deadline.
    pub async fn wait_for_contact_after(&self, before: usize) -> bool {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let notified = self.state.contact.notified();
            if self.contacts() > before {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.contacts() > before;
            }
        }
    }

    /// Connections accepted before now that were not barriers. Sends a barrier request and
    /// waits for its answer: the listener accepts in order, so when the barrier is answered
    /// every connection made before it has been counted; no sleeping and hoping.
    pub async fn connections_before_barrier(&self) -> usize {
        let mut stream = TcpStream::connect(self.addr).await.unwrap();
        stream
            .write_all(b"GET /__barrier HTTP/1.1\r\nhost: rig\r\n\r\n")
            .await
            .unwrap();
        let mut answer = String::new();
        tokio::time::timeout(DEADLINE, stream.read_to_string(&mut answer))
            .await
            .expect("barrier answered")
            .unwrap();
        let seq: usize = answer
            .rsplit("\r\n\r\n")
            .next()
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let earlier_barriers = self.state.barriers_sent.fetch_add(1, Ordering::SeqCst);
        seq - 1 - earlier_barriers
    }

    /// Requests seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    /// Requests seen whose path starts with `prefix`.
    pub fn seen_at(&self, prefix: &str) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| s.path.starts_with(prefix))
            .collect()
    }

    /// Waits until a request whose path starts with `prefix` was seen.
    pub async fn wait_for_request(&self, prefix: &str) -> Seen {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let notified = self.state.request_seen.notified();
            if let Some(seen) = self.seen_at(prefix).pop() {
                return seen;
            }
            tokio::time::timeout_at(deadline, notified)
                .await
                .unwrap_or_else(|_| panic!("no request to {prefix} within {DEADLINE:?}"));
        }
    }

    /// Waits until `n` streaming behaviours have ended (the client went away); returns the
    /// bytes they wrote.
    pub async fn wait_for_streams_ended(&self, n: usize) -> u64 {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let notified = self.state.stream_ended.notified();
            if self.state.streams_ended.load(Ordering::SeqCst) >= n {
                return self.state.streamed.load(Ordering::SeqCst);
            }
            tokio::time::timeout_at(deadline, notified)
                .await
                .expect("the server's stream ended (client closed the connection)");
        }
    }

    /// Serves this gzip body at /gzip.
    pub fn set_gzip_bomb(&self, bytes: Vec<u8>) {
        *self.state.gzip_bomb.lock().unwrap() = bytes;
    }
}

/// Reads one request head (and its Content-Length body). None at EOF or on garbage.
async fn read_request<S: AsyncRead + Unpin>(
    stream: &mut S,
    buf: &mut Vec<u8>,
) -> Option<(String, String, BTreeMap<String, String>, Vec<u8>)> {
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        if buf.len() > 256 * 1024 {
            return None;
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if !buf[0].is_ascii_uppercase() {
            // Not HTTP (a TLS ClientHello sent to a plain server): hang up at once.
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    buf.drain(..head_end + 4);
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let path = first.next()?.to_owned();
    let mut headers = BTreeMap::new();
    for line in lines {
        let (name, value) = line.split_once(':')?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < len {
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf.drain(..len).collect();
    Some((method, path, headers, body))
}

fn response(status: u16, extra: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} Rig\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in extra {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

fn query_param(path: &str, key: &str) -> Option<String> {
    let query = path.split_once('?')?.1;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// Runs `body` until the client goes away (a write fails) or `MAX_SERVE` passes, counting
/// the bytes it wrote. Returns when done.
async fn stream_until_gone<S: AsyncWrite + Unpin>(
    stream: &mut S,
    state: &State,
    head: &[u8],
    mut next: impl FnMut() -> Vec<u8>,
) {
    let until = Instant::now() + MAX_SERVE;
    let mut ok = stream.write_all(head).await.is_ok();
    while ok && Instant::now() < until {
        let chunk = next();
        ok = stream.write_all(&chunk).await.is_ok();
        if ok {
            state
                .streamed
                .fetch_add(chunk.len() as u64, Ordering::SeqCst);
        }
    }
    state.streams_ended.fetch_add(1, Ordering::SeqCst);
    state.stream_ended.notify_waiters();
}

/// Writes `bytes` one at a time, `every` apart, until the client goes away.
async fn drip<S: AsyncWrite + Unpin>(stream: &mut S, bytes: &[u8], every: Duration) {
    let until = Instant::now() + MAX_SERVE;
    for byte in bytes.iter().cycle() {
        if Instant::now() > until
            || stream.write_all(&[*byte]).await.is_err()
            || stream.flush().await.is_err()
        {
            return;
        }
        tokio::time::sleep(every).await;
    }
}

/// Waits until the client closes the connection (or `MAX_SERVE`).
async fn hold<S: AsyncRead + Unpin>(stream: &mut S) {
    let mut sink = [0u8; 1024];
    let _ = tokio::time::timeout(MAX_SERVE, async {
        while let Ok(n) = stream.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    seq: usize,
    state: Arc<State>,
    role: Role,
) {
    let mut buf = Vec::new();
    while let Some((method, path, headers, body)) = read_request(&mut stream, &mut buf).await {
        if path == "/__barrier" {
            let _ = stream
                .write_all(&response(
                    200,
                    &[("connection", "close".into())],
                    seq.to_string().as_bytes(),
                ))
                .await;
            return;
        }
        state.seen.lock().unwrap().push(Seen {
            method: method.clone(),
            path: path.clone(),
            headers: headers.clone(),
            body: body.clone(),
            connection: seq,
        });
        state.request_seen.notify_waiters();
        state.contact.notify_waiters();
        if role == Role::Internal {
            if stream
                .write_all(&response(200, &[], b"INTERNAL SECRET"))
                .await
                .is_err()
            {
                return;
            }
            continue;
        }
        let route = path.split('?').next().unwrap_or("").to_owned();
        let reply = match route.as_str() {
            "/ok" => response(
                200,
                &[("content-type", "text/plain".into())],
                b"hello from allowed",
            ),
            r if r.starts_with("/echo") => {
                let body = json!({
                    "method": method,
                    "path": path,
                    "headers": headers,
                    "body": String::from_utf8_lossy(&body),
                });
                response(
                    200,
                    &[
                        ("content-type", "application/json".into()),
                        ("x-request-id", "rig-1".into()),
                    ],
                    body.to_string().as_bytes(),
                )
            }
            r if r.starts_with("/status/") => {
                let status: u16 = r["/status/".len()..].parse().unwrap_or(500);
                response(status, &[], format!("status {status}").as_bytes())
            }
            "/redirect" => {
                let to = query_param(&path, "to").unwrap_or_default();
                let status: u16 = query_param(&path, "status")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(302);
                response(status, &[("location", to)], b"moved")
            }
            r if r.starts_with("/loop/") => {
                let n: u32 = r["/loop/".len()..].parse().unwrap_or(0);
                response(302, &[("location", format!("/loop/{}", n + 1))], b"")
            }
            "/close" => {
                let _ = stream
                    .write_all(&response(200, &[("connection", "close".into())], b"bye"))
                    .await;
                return;
            }
            "/hang" => {
                hold(&mut stream).await;
                return;
            }
            "/slowloris" => {
                let head = b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n";
                if stream.write_all(head).await.is_ok() {
                    drip(&mut stream, b"x", Duration::from_millis(400)).await;
                }
                return;
            }
            "/slow-head" => {
                drip(
                    &mut stream,
                    b"HTTP/1.1 200 OK\r\nx-slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    Duration::from_millis(300),
                )
                .await;
                return;
            }
            "/huge" => {
                let head = b"HTTP/1.1 200 OK\r\ncontent-length: 1073741824\r\ncontent-type: application/octet-stream\r\n\r\n";
                stream_until_gone(&mut stream, &state, head, || vec![b'a'; 64 * 1024]).await;
                return;
            }
            "/endless" => {
                let head = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";
                stream_until_gone(&mut stream, &state, head, || {
                    let mut chunk = b"10000\r\n".to_vec();
                    chunk.extend(std::iter::repeat_n(b'b', 0x10000));
                    chunk.extend_from_slice(b"\r\n");
                    chunk
                })
                .await;
                return;
            }
            "/continue-forever" => {
                stream_until_gone(&mut stream, &state, b"", || {
                    b"HTTP/1.1 100 Continue\r\n\r\n".to_vec()
                })
                .await;
                return;
            }
            "/gzip" => {
                let bomb = state.gzip_bomb.lock().unwrap().clone();
                response(
                    200,
                    &[
                        ("content-encoding", "gzip".into()),
                        ("content-type", "text/plain".into()),
                    ],
                    &bomb,
                )
            }
            "/many-headers" => {
                let mut out = b"HTTP/1.1 200 OK\r\n".to_vec();
                for i in 0..10_000 {
                    let _ = write!(out, "x-h-{i}: v\r\n");
                }
                out.extend_from_slice(b"content-length: 2\r\n\r\nok");
                out
            }
            "/big-header" => {
                let mut out = b"HTTP/1.1 200 OK\r\nx-big: ".to_vec();
                out.extend(std::iter::repeat_n(b'a', 1024 * 1024));
                out.extend_from_slice(b"\r\ncontent-length: 2\r\n\r\nok");
                out
            }
            _ => response(404, &[], b"not found"),
        };
        if stream.write_all(&reply).await.is_err() {
            return;
        }
    }
}

/// The rig: servers, the scripted resolver and helpers to build executors and attempts.
pub struct Rig {
    /// 127.0.0.1:P — must never be reached with the guard on.
    pub internal: Server,
    /// 127.0.0.2:P — opened by the test policy.
    pub allowed: Server,
    /// 127.0.0.2:Q, TLS with the test CA's certificate for allowed.test / 127.0.0.2.
    pub tls: Server,
    /// P.
    pub port: u16,
    /// Q.
    pub tls_port: u16,
    pub resolver: Arc<ScriptedResolver>,
}

pub fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

impl Rig {
    pub async fn start() -> Self {
        let (allowed, internal) = bind_pair().await;
        let tls_listener = TcpListener::bind("127.0.0.2:0").await.unwrap();
        let port = allowed.local_addr().unwrap().port();
        let tls_port = tls_listener.local_addr().unwrap().port();
        let resolver = ScriptedResolver::new()
            .answer("allowed.test", &[ip("127.0.0.2")])
            .answer("evil.com", &[ip("127.0.0.2")])
            .answer("wrong.test", &[ip("127.0.0.2")])
            .answer("loop.test", &[ip("127.0.0.1")])
            .answer("127.0.0.1.nip.io", &[ip("127.0.0.1")])
            .answer("mixed.test", &[ip("127.0.0.2"), ip("127.0.0.1")])
            .answer("v6only.test", &[ip("::1")])
            // Only consulted with the guard off: the guard refuses these names unresolved.
            .answer("localhost", &[ip("127.0.0.1")])
            .answer("metadata.google.internal", &[ip("127.0.0.1")])
            .answer("instance-data", &[ip("127.0.0.1")])
            .answer("metadata", &[ip("127.0.0.1")]);
        Self {
            internal: Server::start(internal, Role::Internal, None).await,
            allowed: Server::start(allowed, Role::Allowed, None).await,
            tls: Server::start(tls_listener, Role::Allowed, Some(tls_acceptor())).await,
            port,
            tls_port,
            resolver: Arc::new(resolver),
        }
    }

    /// The test configuration: exactly one hole, the allowed server's two ports on 127.0.0.2.
    pub fn policy(&self) -> EgressPolicy {
        EgressPolicy::from_allow_list(&format!(
            "127.0.0.2/32:{},127.0.0.2/32:{}",
            self.port, self.tls_port
        ))
        .unwrap()
    }

    /// Short limits so that timeout tests finish fast.
    pub fn limits() -> Limits {
        Limits {
            connect_timeout: Duration::from_secs(2),
            idle_read_timeout: Duration::from_secs(5),
            ..Limits::default()
        }
    }

    /// An executor with `policy`, the rig's resolver, the test CA trusted and `limits`.
    pub fn executor_with(&self, policy: EgressPolicy, limits: Limits) -> ApiCallExecutor {
        let client = EgressClient::builder(policy)
            .resolver(self.resolver.clone())
            .limits(limits)
            .add_root_certificates_pem(TEST_CA)
            .unwrap()
            .build()
            .unwrap();
        ApiCallExecutor::with_client(client)
    }

    /// The test executor: the test policy.
    pub fn executor(&self) -> ApiCallExecutor {
        self.executor_with(self.policy(), Self::limits())
    }

    /// An executor whose every dial goes to the internal server instead of the vetted address,
    /// so hostile cases aimed elsewhere can run with the guard off and stay on loopback.
    pub fn executor_dialling_internal(&self, policy: EgressPolicy) -> ApiCallExecutor {
        let client = EgressClient::builder(policy)
            .resolver(self.resolver.clone())
            .limits(Self::limits())
            .dial_override_for_tests(self.internal.addr)
            .build()
            .unwrap();
        ApiCallExecutor::with_client(client)
    }

    /// `url` with `{P}` and `{Q}` replaced by the rig's ports.
    pub fn url(&self, template: &str) -> String {
        template
            .replace("{P}", &self.port.to_string())
            .replace("{Q}", &self.tls_port.to_string())
    }
}

/// Binds 127.0.0.2:0 and then 127.0.0.1 on the same port, retrying on the rare clash.
async fn bind_pair() -> (TcpListener, TcpListener) {
    for _ in 0..50 {
        let allowed = TcpListener::bind("127.0.0.2:0").await.unwrap();
        let port = allowed.local_addr().unwrap().port();
        if let Ok(internal) = TcpListener::bind(("127.0.0.1", port)).await {
            return (allowed, internal);
        }
    }
    panic!("no port free on both 127.0.0.1 and 127.0.0.2");
}

/// An attempt of tenant 1 with this timeout.
pub fn attempt(timeout: Duration) -> Attempt {
    attempt_of(TenantId::new(1).unwrap(), timeout)
}

/// An attempt of `tenant` with this timeout.
pub fn attempt_of(tenant: TenantId, timeout: Duration) -> Attempt {
    crate::new_attempt(tenant, timeout, CancellationToken::new())
}

/// Parses an api_call `task_config` the way the API does.
pub fn config(task_config: Value) -> ApiCallConfig {
    match TaskConfig::parse(TaskType::ApiCall, &task_config) {
        Ok(TaskConfig::ApiCall(config)) => config,
        other => panic!("not a valid api_call config: {other:?}"),
    }
}

/// A GET of `url`.
pub fn get(url: &str) -> ApiCallConfig {
    config(json!({ "url": url }))
}

/// Runs one attempt and returns its result and log lines.
pub async fn run(
    executor: &ApiCallExecutor,
    config: &ApiCallConfig,
    attempt: &Attempt,
) -> (AttemptResult, Vec<String>) {
    let (sink, mut lines) = LogSink::channel(4096);
    let result = executor.execute(config, attempt, &sink).await;
    drop(sink);
    let mut log = Vec::new();
    while let Some(line) = lines.recv().await {
        log.push(line.line);
    }
    (result, log)
}

/// Asserts `result` is a policy refusal mentioning `why`.
#[track_caller]
pub fn assert_refused(result: &AttemptResult, why: &str, context: &str) {
    let error = result.error.as_deref().unwrap_or("");
    assert_eq!(
        result.outcome,
        exec::Outcome::Failed,
        "{context}: {result:?}"
    );
    assert!(
        !result.retryable,
        "{context}: a refusal is not retried: {result:?}"
    );
    assert!(
        error.starts_with("blocked by egress policy: "),
        "{context}: {error}"
    );
    assert!(
        error.contains(why),
        "{context}: expected `{why}` in: {error}"
    );
}
