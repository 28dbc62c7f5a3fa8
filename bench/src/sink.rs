//! The loopback HTTP target: records when each call arrived, for which task, with which
//! `Idempotency-Key`, and answers 204 at once (HTTP/1.1 keep-alive, as a pooled client expects).
//! Under `/hang/` it accepts calls and never answers them (a target a hostile tenant points
//! its tasks at, to hold workers).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::any;
use jiff::Timestamp;
use tokio::net::TcpListener;

use crate::{BenchError, Result};

/// One call that reached the sink.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// The bench's index of the task (from the path `/t/{index}`).
    pub task: usize,
    /// The `Idempotency-Key` header: the run's uuid.
    pub key: Option<uuid::Uuid>,
    /// Wall-clock arrival, comparable with the server's `scheduled_for`.
    pub at: Timestamp,
}

#[derive(Default)]
struct Shared {
    arrivals: Mutex<Vec<Arrival>>,
    count: AtomicUsize,
}

/// A running sink.
pub struct Sink {
    shared: Arc<Shared>,
    /// Its port on 127.0.0.1.
    pub port: u16,
    task: tokio::task::JoinHandle<()>,
}

async fn record(
    State(shared): State<Arc<Shared>>,
    Path(task): Path<usize>,
    headers: HeaderMap,
) -> StatusCode {
    let at = Timestamp::now();
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    shared
        .arrivals
        .lock()
        .expect("sink lock")
        .push(Arrival { task, key, at });
    shared.count.fetch_add(1, Ordering::Relaxed);
    StatusCode::NO_CONTENT
}

/// Never answers: the caller gives up at its timeout.
async fn hang() -> StatusCode {
    std::future::pending().await
}

impl Sink {
    /// Binds a free loopback port and serves.
    pub async fn start() -> Result<Sink> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|source| BenchError::Io {
                context: "bind the sink".into(),
                source,
            })?;
        let port = listener
            .local_addr()
            .map_err(|source| BenchError::Io {
                context: "sink address".into(),
                source,
            })?
            .port();
        let shared = Arc::new(Shared::default());
        let app = Router::new()
            .route("/t/{task}", any(record))
            .route("/hang/{task}", any(hang))
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            // The sink lives as long as the run; a serve error ends the run's arrivals, which
            // then shows as missed occurrences rather than passing silently.
            if let Err(error) = axum::serve(listener, app).await {
                eprintln!("sink stopped: {error}");
            }
        });
        Ok(Sink { shared, port, task })
    }

    /// Arrivals so far.
    pub fn count(&self) -> usize {
        self.shared.count.load(Ordering::Relaxed)
    }

    /// A copy of every arrival so far.
    pub fn arrivals(&self) -> Vec<Arrival> {
        self.shared.arrivals.lock().expect("sink lock").clone()
    }

    /// The URL task `index` calls.
    pub fn url(&self, index: usize) -> String {
        format!("http://127.0.0.1:{}/t/{index}", self.port)
    }

    /// A URL that accepts calls and never answers them.
    pub fn hang_url(&self, index: usize) -> String {
        format!("http://127.0.0.1:{}/hang/{index}", self.port)
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.task.abort();
    }
}
