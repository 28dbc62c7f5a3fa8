//! The HTTP server: hyper's HTTP/1.1 connections with the limits `axum::serve` lacks — a
//! deadline for a request's headers, an idle timeout between requests, a deadline for its
//! body, and a cap on open connections — and an accept loop that survives running out of
//! file descriptors.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tower::ServiceExt;
use tower_http::timeout::RequestBodyDeadlineLayer;

/// The shortest and longest pause after a failed `accept`.
const ACCEPT_BACKOFF: (Duration, Duration) = (Duration::from_millis(10), Duration::from_secs(1));

/// File descriptors kept for everything but client connections (the database, the engine's
/// outgoing calls, sandboxes) when the connection cap is fitted under the process's limit.
const RESERVED_DESCRIPTORS: u64 = 256;

/// The fewest connections the cap is ever lowered to.
const MIN_CONNECTIONS: usize = 16;

/// How long clients may take, and how many may be connected at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    /// From a connection's opening, or the first byte of a later request on it, until its
    /// headers are complete (`SUNDIAL_HTTP_HEADER_TIMEOUT_SECONDS`).
    pub header_timeout: Duration,
    /// How long a kept-alive connection may wait for its next request
    /// (`SUNDIAL_HTTP_IDLE_TIMEOUT_SECONDS`).
    pub idle_timeout: Duration,
    /// From a request's headers until its whole body has arrived
    /// (`SUNDIAL_HTTP_BODY_TIMEOUT_SECONDS`).
    pub body_timeout: Duration,
    /// Connections served at once; further ones wait in the listen queue
    /// (`SUNDIAL_HTTP_MAX_CONNECTIONS`).
    pub max_connections: usize,
}

impl HttpLimits {
    /// Raises the process's soft limit on open files to its hard limit, then lowers the
    /// connection cap to fit under it, so that idle clients cannot exhaust the descriptors
    /// the database, the engine and `accept` itself need.
    pub fn fit_to_open_file_limit(mut self) -> Self {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        let limit = getrlimit(Resource::Nofile);
        let raised = Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        let soft = match setrlimit(Resource::Nofile, raised) {
            Ok(()) => limit.maximum,
            Err(_) => limit.current,
        };
        let Some(soft) = soft else {
            return self;
        };
        let fits = usize::try_from(soft.saturating_sub(RESERVED_DESCRIPTORS))
            .unwrap_or(usize::MAX)
            .max(MIN_CONNECTIONS);
        if fits < self.max_connections {
            tracing::warn!(
                configured = self.max_connections,
                open_file_limit = soft,
                cap = fits,
                "the connection cap is lowered to fit the open file limit; raise the limit \
                 (LimitNOFILE=, ulimit -n) to serve more connections"
            );
            self.max_connections = fits;
        }
        self
    }
}

/// Serves `app` on `listener` until `shutdown` completes; then stops accepting, lets every
/// connection finish the request it is serving, and returns once all are closed.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: HttpLimits,
    shutdown: impl Future<Output = ()>,
) {
    let app = app.layer(RequestBodyDeadlineLayer::new(limits.body_timeout));
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let (closing, closing_seen) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut shutdown = pin!(shutdown);
    let mut backoff = ACCEPT_BACKOFF.0;
    loop {
        // With the cap reached, new connections wait in the kernel's listen queue.
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        match accepted {
            Ok((stream, peer)) => {
                backoff = ACCEPT_BACKOFF.0;
                let closing = closing_seen.clone();
                let app = app.clone();
                connections.spawn(async move {
                    serve_connection(stream, peer, app, limits, closing).await;
                    drop(permit);
                });
            }
            // The client gave up before we took its connection: nothing is wrong here.
            Err(error) if is_connection_error(&error) => {}
            Err(error) => {
                // Out of descriptors or memory: retrying at once would spin; wait for
                // connections to close.
                tracing::warn!(%error, retry_in = ?backoff, "accepting a connection failed");
                tokio::select! {
                    () = tokio::time::sleep(backoff) => {}
                    () = &mut shutdown => break,
                }
                backoff = (backoff * 2).min(ACCEPT_BACKOFF.1);
            }
        }
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let open = connections.len();
    tracing::info!(
        open,
        "stopped accepting connections; finishing requests in flight"
    );
    let _ = closing.send(true);
    while connections.join_next().await.is_some() {}
}

fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    limits: HttpLimits,
    mut closing: watch::Receiver<bool>,
) {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: activity.clone(),
    });
    let requests = activity.clone();
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        let busy = requests.begin_request();
        let response = app.clone().oneshot(request);
        async move {
            let response = response.await;
            drop(busy);
            response
        }
    });
    let builder = hyper::server::conn::http1::Builder::new();
    let mut connection = pin!(builder.serve_connection(io, service));
    let mut draining = false;
    loop {
        let deadline = activity.deadline(&limits);
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%peer, %error, "connection ended with an error");
                }
                return;
            }
            () = tokio::time::sleep_until(deadline) => {
                // A later deadline (bytes were written meanwhile) is slept for in the next turn.
                if activity.deadline(&limits) <= Instant::now() {
                    // Nothing is being served: dropping the connection closes it.
                    tracing::debug!(%peer, "closing a connection that was idle or slow to send its headers");
                    return;
                }
            }
            // A request began or ended, or a new one's first byte came: the deadline moved.
            () = activity.changed.notified() => {}
            changed = closing.changed(), if !draining => {
                draining = true;
                if changed.is_ok() {
                    // A connection serving no request (idle, or still sending its headers) is
                    // closed now; the others once their answer is out.
                    if !activity.is_busy() {
                        return;
                    }
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// What a connection is doing, as far as its timeouts care.
struct Activity {
    phase: Mutex<Phase>,
    /// Woken whenever the deadline may have moved earlier.
    changed: Notify,
}

struct Phase {
    /// Requests handed to the application and not answered yet.
    busy: usize,
    /// Since when the connection waits for a request's headers: its opening, or the first
    /// byte read while no request is being served.
    awaiting_headers_since: Option<Instant>,
    /// Since when nothing happened: the last answer, or the last byte written.
    idle_since: Instant,
}

impl Activity {
    fn new() -> Self {
        let now = Instant::now();
        Self {
            phase: Mutex::new(Phase {
                busy: 0,
                awaiting_headers_since: Some(now),
                idle_since: now,
            }),
            changed: Notify::new(),
        }
    }

    fn phase(&self) -> std::sync::MutexGuard<'_, Phase> {
        self.phase
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// When the connection is to be closed unless something happens first; a busy connection
    /// is looked at again after the longer of the two timeouts.
    fn deadline(&self, limits: &HttpLimits) -> Instant {
        let phase = self.phase();
        if phase.busy > 0 {
            return Instant::now() + limits.header_timeout.max(limits.idle_timeout);
        }
        match phase.awaiting_headers_since {
            Some(since) => since + limits.header_timeout,
            None => phase.idle_since + limits.idle_timeout,
        }
    }

    fn is_busy(&self) -> bool {
        self.phase().busy > 0
    }

    fn read(&self) {
        let mut phase = self.phase();
        if phase.busy == 0 && phase.awaiting_headers_since.is_none() {
            phase.awaiting_headers_since = Some(Instant::now());
            self.changed.notify_one();
        }
    }

    fn wrote(&self) {
        self.phase().idle_since = Instant::now();
    }

    fn begin_request(self: &Arc<Self>) -> Busy {
        let mut phase = self.phase();
        phase.busy += 1;
        phase.awaiting_headers_since = None;
        self.changed.notify_one();
        Busy(self.clone())
    }
}

/// A request being served; the connection is idle from when the last one is dropped.
struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        let mut phase = self.0.phase();
        phase.busy -= 1;
        phase.idle_since = Instant::now();
        self.0.changed.notify_one();
    }
}

/// The client's socket, telling its connection's [`Activity`] about every byte moved.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.read();
        }
        result
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(result, Poll::Ready(Ok(written)) if written > 0) {
            self.activity.wrote();
        }
        result
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(result, Poll::Ready(Ok(written)) if written > 0) {
            self.activity.wrote();
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use axum::routing::get;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// Collects the log lines the server writes while a test runs.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn count(&self, needle: &str) -> usize {
            String::from_utf8_lossy(&self.0.lock().unwrap())
                .matches(needle)
                .count()
        }
    }

    #[tokio::test]
    async fn out_of_descriptors_accept_backs_off_then_serves_the_waiting_client() {
        // The test lowers its process's open file limit: under `cargo test`, whose tests share
        // one process, it runs itself again in a process of its own (nextest always does).
        const ALONE: &str = "SUNDIAL_TEST_PROCESS_OF_ITS_OWN";
        if std::env::var_os("NEXTEST").is_none() && std::env::var_os(ALONE).is_none() {
            let status = std::process::Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "server::tests::out_of_descriptors_accept_backs_off_then_serves_the_waiting_client",
                ])
                .env(ALONE, "1")
                .status()
                .unwrap();
            assert!(status.success());
            return;
        }
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _logging = tracing::subscriber::set_default(subscriber);

        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let app = Router::new().route("/", get(|| async { "ok" }));
        let limits = HttpLimits {
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_connections: 1000,
        };
        tokio::spawn(serve(listener, app, limits, std::future::pending()));

        // Fill this process's descriptor table (made small: nextest runs each test in a
        // process of its own), then free exactly one for a client: the server's `accept`
        // finds none left for its side of the connection.
        let open = std::fs::read_dir("/proc/self/fd").unwrap().count() as u64;
        let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
        rustix::process::setrlimit(
            rustix::process::Resource::Nofile,
            rustix::process::Rlimit {
                current: Some(open + 32),
                maximum: limit.maximum,
            },
        )
        .unwrap();
        let mut files = Vec::new();
        while let Ok(file) = std::fs::File::open("/dev/null") {
            files.push(file);
            assert!(files.len() < 1_000_000, "no open file limit to reach");
        }
        drop(files.pop());
        let mut client = TcpStream::connect(address).await.unwrap();
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let failing = Instant::now();
        let needle = "accepting a connection failed";
        while captured.count(needle) == 0 {
            assert!(
                failing.elapsed() < Duration::from_secs(5),
                "accept never failed"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let failures = captured.count(needle);
        // Backing off from 10 ms, doubling up to 1 s: a handful of tries in 1.5 s, not a spin.
        assert!(
            (2..=12).contains(&failures),
            "{failures} failed accepts in 1.5 s"
        );

        drop(files);
        let mut answer = String::new();
        tokio::time::timeout(Duration::from_secs(5), client.read_to_string(&mut answer))
            .await
            .expect("the waiting client is served once descriptors are free")
            .unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.ends_with("ok"), "{answer}");
    }
}
