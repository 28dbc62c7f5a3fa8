//! Wake-ups between nodes: PostgreSQL LISTEN/NOTIFY. A node that changes a task or queues a
//! run tells the others, so their firing loops and claimers react at once instead of at their
//! next idle timeout. SQLite has one node and needs none.

use async_trait::async_trait;
use sqlx::postgres::{PgListener, PgPool};
use tokio::sync::mpsc;

use crate::Result;

/// What another node should look at again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// A task was created, changed, started, stopped or deleted.
    TasksChanged,
    /// A run was queued.
    RunsQueued,
    /// A running run was asked to stop.
    CancelRequested,
}

impl Signal {
    /// Every signal, in the order of their channels.
    pub const ALL: [Signal; 3] = [
        Signal::TasksChanged,
        Signal::RunsQueued,
        Signal::CancelRequested,
    ];

    /// The NOTIFY channel carrying it.
    pub fn channel(self) -> &'static str {
        match self {
            Signal::TasksChanged => "sundial_tasks_changed",
            Signal::RunsQueued => "sundial_runs_queued",
            Signal::CancelRequested => "sundial_cancel_requested",
        }
    }

    fn from_channel(channel: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.channel() == channel)
    }
}

/// Sends signals to the other nodes and receives theirs.
#[async_trait]
pub trait Signals: Send + Sync + 'static {
    /// Tells every listening node, `from` naming the sender so it can ignore its own.
    async fn send(&self, signal: Signal, from: &str) -> Result<()>;

    /// Listens on every channel until the returned receiver is dropped; each signal arrives
    /// with the name of the node that sent it. Reconnects after a lost connection (signals
    /// sent meanwhile are lost; the loops' idle timeout covers them).
    async fn listen(&self) -> Result<mpsc::Receiver<(Signal, String)>>;
}

/// LISTEN/NOTIFY on the node's pool.
#[derive(Debug, Clone)]
pub(crate) struct PgSignals {
    pub(crate) pool: PgPool,
}

#[async_trait]
impl Signals for PgSignals {
    async fn send(&self, signal: Signal, from: &str) -> Result<()> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(signal.channel())
            .bind(from)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn listen(&self) -> Result<mpsc::Receiver<(Signal, String)>> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener
            .listen_all(Signal::ALL.into_iter().map(Signal::channel))
            .await?;
        let (tx, rx) = mpsc::channel(64);
        tokio::spawn(async move {
            loop {
                let notification = tokio::select! {
                    n = listener.recv() => n,
                    () = tx.closed() => return,
                };
                match notification {
                    Ok(n) => {
                        let Some(signal) = Signal::from_channel(n.channel()) else {
                            continue;
                        };
                        if tx.send((signal, n.payload().to_owned())).await.is_err() {
                            return;
                        }
                    }
                    // `recv` reconnects by itself; pause so a down server is not a busy loop.
                    Err(e) => {
                        tracing::warn!(error = %e, "listening for other nodes' signals failed");
                        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                    }
                }
            }
        });
        Ok(rx)
    }
}
