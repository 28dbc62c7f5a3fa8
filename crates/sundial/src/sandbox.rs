//! The python sandbox at start-up: probe the host, fail closed if it cannot hold, and describe
//! the outcome for `/healthz`.

use api::{SandboxHealth, SandboxLayer, SandboxStatus};
use exec::python::{AllowDegraded, ProbeReport, PythonExecutor, SandboxConfig};

/// Builds the python executor. A host without a required layer (or without an optional one the
/// operator did not allow to be missing) gets an executor that refuses every python attempt
/// with the reason, so `api_call` tasks keep running; exec logs the probe report either way.
pub async fn python_executor(allow_degraded: AllowDegraded) -> PythonExecutor {
    let config = SandboxConfig {
        allow_degraded,
        ..SandboxConfig::default()
    };
    // The probe builds a real sandbox and waits for it.
    let probed = tokio::task::spawn_blocking(move || PythonExecutor::new(config))
        .await
        .expect("the sandbox probe does not panic");
    match probed {
        Ok(executor) => executor,
        Err(unavailable) => {
            let executor = PythonExecutor::fail_closed(unavailable);
            tracing::error!(
                target: "sundial::sandbox",
                "PYTHON TASKS WILL FAIL on this node: the sandbox cannot be set up; see /healthz \
                 and docs/sandbox.md"
            );
            executor
        }
    }
}

/// What `/healthz` shows of the probe's findings.
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
            .map(|(name, layer)| {
                let layer = SandboxLayer {
                    ok: layer["ok"].as_bool().unwrap_or(false),
                    detail: layer["detail"].as_str().unwrap_or_default().to_owned(),
                };
                (name, layer)
            })
            .collect(),
        _ => Default::default(),
    };
    SandboxHealth {
        status,
        error: report.error.clone(),
        degraded: report.degraded.clone(),
        warnings: report.warnings.clone(),
        python: report.python.clone(),
        layers,
    }
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
        assert!(ready.layers["seccomp"].ok);
        assert_eq!(ready.layers["seccomp"].detail, "filter installed");
        assert!(!ready.layers["landlock"].ok);
        assert_eq!(ready.layers.len(), 13);

        report.degraded = vec!["cgroups".into()];
        report.warnings = vec!["SANDBOX DEGRADED: …".into()];
        let degraded = health(&report);
        assert_eq!(degraded.status, SandboxStatus::Degraded);
        assert_eq!(degraded.degraded, ["cgroups"]);
        assert_eq!(degraded.warnings.len(), 1);

        report.ready = false;
        report.error = Some("required layers missing: seccomp".into());
        let unavailable = health(&report);
        assert_eq!(unavailable.status, SandboxStatus::Unavailable);
        assert_eq!(
            unavailable.error.as_deref(),
            Some("required layers missing: seccomp")
        );
    }
}
