//! The production [`RunExecutor`]: dispatches each attempt to the `exec` crate's executor for
//! its task type.

use async_trait::async_trait;
use domain::{Task, TaskConfig};
use exec::api_call::ApiCallExecutor;
use exec::python::PythonExecutor;
use exec::{Attempt, AttemptResult, LogSink};

use crate::RunExecutor;

/// Runs `api_call` tasks through the egress guard and `python_script` tasks in the sandbox (or
/// refuses them, when the sandbox failed closed at start).
#[derive(Debug, Clone)]
pub struct TaskExecutors {
    api_call: ApiCallExecutor,
    python: PythonExecutor,
}

impl TaskExecutors {
    /// Executors over an `api_call` executor (which holds the egress policy) and a python one.
    pub fn new(api_call: ApiCallExecutor, python: PythonExecutor) -> Self {
        Self { api_call, python }
    }
}

#[async_trait]
impl RunExecutor for TaskExecutors {
    async fn execute(&self, task: &Task, attempt: &Attempt, logs: &LogSink) -> AttemptResult {
        match &task.definition.config {
            TaskConfig::ApiCall(config) => self.api_call.execute(config, attempt, logs).await,
            TaskConfig::PythonScript(config) => self.python.execute(config, attempt, logs).await,
        }
    }
}
