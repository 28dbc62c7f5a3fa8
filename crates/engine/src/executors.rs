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
            read_at: Mutex::default(),
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
    read_at: Mutex<HashMap<TenantId, Timestamp>>,
}

impl TenantLists {
    /// Brings the egress client's list for `tenant` up to date if it was read too long ago.
    /// Fails closed: a list that cannot be read or parsed fails the attempt.
    async fn refresh(
        &self,
        tenant: TenantId,
        api_call: &ApiCallExecutor,
    ) -> Result<(), AttemptResult> {
        let now = self.clock.now();
        let fresh = self
            .read_at
            .lock()
            .expect("tenant lists lock")
            .get(&tenant)
            .is_some_and(|at| now.duration_since(*at) < TENANT_LIST_TTL);
        if fresh {
            return Ok(());
        }
        let stored = self.store.tenant_settings(tenant).await.map_err(|error| {
            tracing::warn!(%tenant, %error, "cannot read tenant settings");
            AttemptResult::failed("cannot read the tenant's egress allow-list", None)
        })?;
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
        self.read_at
            .lock()
            .expect("tenant lists lock")
            .insert(tenant, now);
        Ok(())
    }
}
