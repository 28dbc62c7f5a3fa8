//! Chains: a task's run ending with an outcome queues a run of another task of the tenant.

use serde::{Deserialize, Serialize};

use crate::policy::snake_case_str;
use serde_json::{Map, Value};

use crate::task_config::MAX_BODY_BYTES;
use crate::{ApiCallConfig, HttpMethod, RunStatus, RunUuid, TaskUuid};

/// Which outcomes of the parent's run queue the child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainOn {
    /// The run succeeded.
    Success,
    /// The run failed or timed out after its last retry.
    Failure,
    /// The run ended, whatever its outcome (cancelled included).
    Completion,
}

snake_case_str!(ChainOn { Success => "success", Failure => "failure", Completion => "completion" });

impl ChainOn {
    /// Whether a run that ended `status` queues the child. Runs that never started (skipped,
    /// cancelled while queued) do not end through here at all.
    pub fn matches(self, status: RunStatus) -> bool {
        match self {
            ChainOn::Success => status == RunStatus::Succeeded,
            ChainOn::Failure => matches!(status, RunStatus::Failed | RunStatus::TimedOut),
            ChainOn::Completion => status.is_final() && status != RunStatus::Skipped,
        }
    }
}

/// One link from a task to the task it chains to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainLink {
    /// The child task.
    pub task: TaskUuid,
    /// Which outcomes queue it.
    pub on: ChainOn,
}

/// What a chained run knows of the run that queued it; the child's executor receives it as
/// `parent` (a script in `SUNDIAL_CONTEXT`, an `api_call` merged into its JSON body).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParentRun {
    /// The parent run.
    pub run_uuid: RunUuid,
    /// Its task.
    pub task_uuid: TaskUuid,
    /// How it ended.
    pub status: RunStatus,
    /// Its last attempt.
    pub attempt: u32,
    /// Its recorded result: an `api_call`'s HTTP status, chosen headers and a body excerpt; the
    /// JSON a script wrote to fd 3.
    pub result: Option<serde_json::Value>,
    /// Its error, if it did not succeed.
    pub error: Option<String>,
}

impl ApiCallConfig {
    /// The call a chained run makes: `parent` under the key `parent` of the JSON body (`data`;
    /// none is an empty object), replacing one the task has. `None` when the call sends no
    /// JSON object (GET, DELETE, a body that is not an object) or the body would grow past
    /// the largest one a task may send.
    pub fn with_parent(&self, parent: &ParentRun) -> Option<ApiCallConfig> {
        if !matches!(
            self.method,
            HttpMethod::Post | HttpMethod::Put | HttpMethod::Patch
        ) {
            return None;
        }
        let mut body = match &self.data {
            None => Map::new(),
            Some(Value::Object(data)) => data.clone(),
            Some(_) => return None,
        };
        body.insert("parent".into(), serde_json::to_value(parent).ok()?);
        let body = Value::Object(body);
        if serde_json::to_vec(&body).map_or(usize::MAX, |v| v.len()) > MAX_BODY_BYTES {
            return None;
        }
        Some(ApiCallConfig {
            data: Some(body),
            ..self.clone()
        })
    }
}
