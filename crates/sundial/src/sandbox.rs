//! The python sandbox at start-up: probe the host, fail closed if it cannot hold, and describe
//! the outcome for `/metrics`.

use api::{SandboxHealth, SandboxStatus};
use exec::LogLimits;
use exec::python::{AllowDegraded, ProbeReport, PythonExecutor, SandboxConfig};

/// Builds the python executor. A host without a required layer (or without an optional one the
/// operator did not allow to be missing) gets an executor that refuses every python attempt
/// with the reason, so `api_call` tasks keep running; exec logs the probe report either way.
/// A script is stopped once its output passes the log's byte cap: no more of it could be kept.
pub async fn python_executor(allow_degraded: AllowDegraded, logs: LogLimits) -> PythonExecutor {
    let mut config = SandboxConfig {
        allow_degraded,
        ..SandboxConfig::default()
    };
    config.limits.output_bytes = usize::try_from(logs.max_bytes).unwrap_or(usize::MAX);
    // The probe builds a real sandbox and waits for it.
    let probed = tokio::task::spawn_blocking(move || PythonExecutor::new(config))
        .await
        .expect("the sandbox probe does not panic");
    match probed {
        Ok(executor) => executor,
        Err(unavailable) => {
            tracing::error!(
                target: "sundial::sandbox",
                reason = %unavailable,
                "PYTHON TASKS WILL FAIL on this node: the sandbox cannot be set up \
                 (sundial_sandbox_status on /metrics; docs/sandbox.md)"
            );
            PythonExecutor::fail_closed(unavailable)
        }
    }
}

/// What `/metrics` shows of the probe's findings.
pub fn health(report: &ProbeReport) -> SandboxHealth {
    let status = match (report.ready, report.degraded.is_empty()) {
        (false, _) => SandboxStatus::Unavailable,
        (true, true) => SandboxStatus::Ready,
        (true, false) => SandboxStatus::Degraded,
    };
    // The layers' names are their field names, so the list follows exec's without a copy.
    let layers = match serde_json::to_value(&report.layers) {
        Ok(serde_json::Value::Object(layers)) => layers
            .into_iter()
            .map(|(name, layer)| (name, layer["ok"].as_bool().unwrap_or(false)))
            .collect(),
        _ => Default::default(),
    };
    SandboxHealth { status, layers }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exec::python::Layer;

    #[test]
    fn health_distinguishes_ready_degraded_and_unavailable() {
        let mut report = ProbeReport {
            ready: true,
            ..ProbeReport::default()
        };
        report.layers.seccomp = Layer {
            ok: true,
            detail: "filter installed".into(),
        };
        let ready = health(&report);
        assert_eq!(ready.status, SandboxStatus::Ready);
        assert!(ready.layers["seccomp"]);
        assert!(!ready.layers["landlock"]);
        assert_eq!(ready.layers.len(), 13);

        report.degraded = vec!["cgroups".into()];
        assert_eq!(health(&report).status, SandboxStatus::Degraded);

        report.ready = false;
        report.error = Some("required layers missing: seccomp".into());
        assert_eq!(health(&report).status, SandboxStatus::Unavailable);
    }
}
