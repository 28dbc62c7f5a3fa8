//! The production [`RunExecutor`]: dispatches each attempt to the `exec` crate's executor for
//! its task type.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use domain::metrics::ATTEMPTS;
use domain::{Clock, Metrics, Task, TaskConfig, TenantId};
use exec::api_call::ApiCallExecutor;
use exec::egress::AllowList;
use exec::python::PythonExecutor;
use exec::{Attempt, AttemptResult, LogSink};
use jiff::{SignedDuration, Timestamp};
use store::Store;

use crate::RunExecutor;

/// How long a tenant's allow-list is used before it is read again: a change made through the
/// API, on any node, holds for every attempt that starts this long after it.
const TENANT_LIST_TTL: SignedDuration = SignedDuration::from_secs(5);
/// Age from which one attempt reads the list again while the others go on with it: a busy
/// tenant's list is renewed before it expires, so a thousand attempts starting together
/// never wait for (nor each make) the same read.
const TENANT_LIST_RENEW: SignedDuration = SignedDuration::from_millis(2_500);

/// Runs `api_call` tasks through the egress guard and `python_script` tasks in the sandbox (or
/// refuses them, when the sandbox failed closed at start). Counts every attempt's outcome in
/// the egress client's metrics.
#[derive(Clone)]
pub struct TaskExecutors {
    api_call: ApiCallExecutor,
    python: PythonExecutor,
    tenant_lists: Option<Arc<TenantLists>>,
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for TaskExecutors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskExecutors")
            .field("api_call", &self.api_call)
            .field("python", &self.python)
            .field("tenant_lists", &self.tenant_lists.is_some())
            .finish_non_exhaustive()
    }
}

impl TaskExecutors {
    /// Executors over an `api_call` executor (which holds the egress policy and the metrics)
    /// and a python one.
    pub fn new(api_call: ApiCallExecutor, python: PythonExecutor) -> Self {
        let metrics = api_call.client().metrics().clone();
        Self {
            api_call,
            python,
            tenant_lists: None,
            metrics,
        }
    }

    /// Narrows each tenant's `api_call` requests by the egress allow-list in its settings,
    /// read from `store` and re-read after 5 s of `clock` time.
    pub fn with_tenant_settings(mut self, store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        self.tenant_lists = Some(Arc::new(TenantLists {
            store,
            clock,
            lists: Mutex::default(),
        }));
        self
    }

    /// Brings the egress client's allow-list for `tenant` up to date from its settings (as an
    /// `api_call` attempt does), for other requests made on its behalf through the same client:
    /// webhooks. What went wrong when it cannot.
    pub async fn refresh_tenant_allow_list(&self, tenant: TenantId) -> Result<(), String> {
        match &self.tenant_lists {
            Some(lists) => lists
                .refresh(tenant, &self.api_call)
                .await
                .map_err(|result| result.error.unwrap_or_default()),
            None => Ok(()),
        }
    }

    async fn run(&self, task: &Task, attempt: &Attempt, logs: &LogSink) -> AttemptResult {
        match &task.definition.config {
            TaskConfig::ApiCall(config) => {
                if let Some(lists) = &self.tenant_lists
                    && let Err(result) = lists.refresh(attempt.tenant, &self.api_call).await
                {
                    logs.system(format!(
                        "error: {}",
                        result.error.as_deref().unwrap_or_default()
                    ))
                    .await;
                    return result;
                }
                self.api_call.execute(config, attempt, logs).await
            }
            TaskConfig::PythonScript(config) => self.python.execute(config, attempt, logs).await,
        }
    }
}

#[async_trait]
impl RunExecutor for TaskExecutors {
    async fn execute(&self, task: &Task, attempt: &Attempt, logs: &LogSink) -> AttemptResult {
        let result = self.run(task, attempt, logs).await;
        self.metrics.increment(&ATTEMPTS, result.metric_outcome());
        result
    }
}

/// The tenants' allow-lists as last read from their settings.
struct TenantLists {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    lists: Mutex<HashMap<TenantId, ReadList>>,
}

/// When a tenant's list was last read, and the turn to read it again: one reader at a time.
#[derive(Default)]
struct ReadList {
    read_at: Option<Timestamp>,
    turn: Arc<tokio::sync::Mutex<()>>,
}

/// What an attempt does about its tenant's list.
#[derive(Debug, PartialEq, Eq)]
enum Freshness {
    /// Use it.
    Fresh,
    /// Use it; it is old enough that the first attempt to see it reads it again.
    Renew,
    /// Never read, or expired: wait for a read.
    Expired,
}

fn freshness(read_at: Option<Timestamp>, now: Timestamp) -> Freshness {
    match read_at.map(|at| now.duration_since(at)) {
        Some(age) if age < TENANT_LIST_RENEW => Freshness::Fresh,
        Some(age) if age < TENANT_LIST_TTL => Freshness::Renew,
        _ => Freshness::Expired,
    }
}

impl TenantLists {
    /// Brings the egress client's list for `tenant` up to date if it was read too long ago.
    /// One attempt at a time reads it: the others use the list while it is within its TTL,
    /// and wait for the read once it is not. Fails closed: a list that cannot be read or
    /// parsed fails the attempt.
    async fn refresh(
        &self,
        tenant: TenantId,
        api_call: &ApiCallExecutor,
    ) -> Result<(), AttemptResult> {
        let state = |lists: &mut HashMap<TenantId, ReadList>| {
            let list = lists.entry(tenant).or_default();
            (freshness(list.read_at, self.clock.now()), list.turn.clone())
        };
        let (fresh, turn) = state(&mut self.lists.lock().expect("tenant lists lock"));
        let _reading = match fresh {
            Freshness::Fresh => return Ok(()),
            Freshness::Renew => match turn.try_lock_owned() {
                Ok(reading) => reading,
                // Another attempt is reading it; this one is still within the TTL.
                Err(_) => return Ok(()),
            },
            Freshness::Expired => {
                let reading = turn.lock_owned().await;
                // The attempt whose turn came first may have read it meanwhile.
                let (fresh, _) = state(&mut self.lists.lock().expect("tenant lists lock"));
                if fresh != Freshness::Expired {
                    return Ok(());
                }
                reading
            }
        };
        let now = self.clock.now();
        let stored = match self.store.tenant_settings(tenant).await {
            Ok(stored) => stored,
            Err(error) => {
                tracing::warn!(%tenant, %error, "cannot read tenant settings");
                // A list being renewed is still within its TTL: the next attempt tries again.
                if fresh == Freshness::Renew {
                    return Ok(());
                }
                return Err(AttemptResult::failed(
                    "cannot read the tenant's egress allow-list",
                    None,
                ));
            }
        };
        let list = stored
            .and_then(|s| s.egress_allow)
            .map(|raw| AllowList::parse(&raw))
            .transpose()
            .map_err(|error| {
                AttemptResult::refused(format!(
                    "the tenant's egress allow-list is invalid: {error}"
                ))
            })?;
        let client = api_call.client();
        if client.policy().tenant_allow_list(tenant) != list.as_ref() {
            client.set_tenant_allow_list(tenant, list);
        }
        self.lists
            .lock()
            .expect("tenant lists lock")
            .entry(tenant)
            .or_default()
            .read_at = Some(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use domain::ManualClock;
    use exec::egress::EgressPolicy;
    use store::{Change, SqliteStore, TenantSettingsStore};

    use super::*;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_millisecond(1_893_456_000_000 + ms).unwrap()
    }

    #[test]
    fn a_list_is_used_then_renewed_then_waited_for() {
        let read = Some(at(0));
        assert_eq!(freshness(read, at(2_499)), Freshness::Fresh);
        assert_eq!(freshness(read, at(2_500)), Freshness::Renew);
        assert_eq!(freshness(read, at(4_999)), Freshness::Renew);
        assert_eq!(freshness(read, at(5_000)), Freshness::Expired);
        assert_eq!(freshness(None, at(0)), Freshness::Expired);
    }

    #[tokio::test]
    async fn a_tenant_list_is_renewed_before_it_expires_and_a_failed_renewal_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(
            SqliteStore::connect(dir.path().join("s.db").to_str().unwrap())
                .await
                .unwrap(),
        );
        let tenant = TenantId::new(1).unwrap();
        let set = |list: &'static str, ms: i64| {
            let store = store.clone();
            async move {
                let change = Change {
                    tenant,
                    actor: "test",
                    at: at(ms),
                };
                store
                    .set_tenant_egress_allow(Some(list), change)
                    .await
                    .unwrap();
            }
        };
        let clock = Arc::new(ManualClock::new(at(0)));
        let lists = TenantLists {
            store: store.clone(),
            clock: clock.clone(),
            lists: Mutex::default(),
        };
        let api_call = ApiCallExecutor::new(EgressPolicy::default());
        let seen = || {
            api_call
                .client()
                .policy()
                .tenant_allow_list(tenant)
                .cloned()
        };
        set("10.0.0.0/8", 0).await;
        lists.refresh(tenant, &api_call).await.unwrap();
        assert_eq!(seen(), Some(AllowList::parse("10.0.0.0/8").unwrap()));
        set("10.1.0.0/16", 100).await;
        clock.set(at(1_000));
        lists.refresh(tenant, &api_call).await.unwrap();
        assert_eq!(
            seen(),
            Some(AllowList::parse("10.0.0.0/8").unwrap()),
            "fresh: not read again"
        );
        clock.set(at(3_000));
        lists.refresh(tenant, &api_call).await.unwrap();
        assert_eq!(
            seen(),
            Some(AllowList::parse("10.1.0.0/16").unwrap()),
            "renewed"
        );
        store.close().await;
        clock.set(at(6_000));
        assert!(
            lists.refresh(tenant, &api_call).await.is_ok(),
            "a renewal that fails keeps the list within its TTL"
        );
        clock.set(at(8_000));
        assert!(
            lists.refresh(tenant, &api_call).await.is_err(),
            "an expired list that cannot be read fails the attempt (closed)"
        );
    }
}
