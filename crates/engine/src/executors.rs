//! The production [`RunExecutor`]: dispatches each attempt to the `exec` crate's executor for
//! its task type.

use async_trait::async_trait;
use domain::{Task, TaskConfig};
use exec::api_call::ApiCallExecutor;
use exec::{Attempt, AttemptResult, LogSink};

use crate::RunExecutor;

/// Runs `api_call` tasks through the egress guard. `python_script` tasks fail closed until the
/// sandbox executor is wired in.
#[derive(Debug, Clone)]
pub struct TaskExecutors {
    api_call: ApiCallExecutor,
}

impl TaskExecutors {
    /// Executors over an `api_call` executor (which holds the egress policy).
    pub fn new(api_call: ApiCallExecutor) -> Self {
        Self { api_call }
    }
}

#[async_trait]
impl RunExecutor for TaskExecutors {
    async fn execute(&self, task: &Task, attempt: &Attempt, logs: &LogSink) -> AttemptResult {
        match &task.definition.config {
            TaskConfig::ApiCall(config) => self.api_call.execute(config, attempt, logs).await,
            TaskConfig::PythonScript(_) => {
                AttemptResult::refused("python_script tasks cannot run on this node yet")
            }
        }
    }
}
