//! `python_script`: one run of `python3 -I -u` in a sandbox.
//!
//! The sandbox is bubblewrap plus a small helper, `sundial-sandbox-init` ([`init`]):
//! bwrap creates the user, pid, mount, network, ipc, uts (and cgroup) namespaces and a
//! read-only root holding only `/usr` (with Debian's `/bin`, `/lib`, `/lib64` symlinks), a
//! few device nodes, `/proc` and `/sbx` (helper and script); the helper runs as pid 1, mounts a
//! capped tmpfs on `/tmp` and `/dev/shm` and a `subset=pid` procfs, sets rlimits, drops every
//! capability, applies Landlock and a seccomp filter and starts the script. The service runs
//! bwrap as an unprivileged user, puts the sandbox in per-run memory/pids/cpu cgroups, streams
//! stdout and stderr into the run log, reads an optional JSON result from fd 3 and kills the
//! whole pid namespace at the deadline. See `docs/sandbox.md`.
//!
//! Why not hakoniwa (in-process): it forks the multi-threaded service itself and runs set-up
//! code in the forked copy, while bwrap is a small, audited, packaged program started like any
//! other child; cgroups v1 (these hosts) needs our own handling either way; and the helper
//! gives an exact report of how the script ended (exit code vs signal, CPU time).

mod cgroup;
mod config;
pub mod init;
pub mod output;
mod probe;
pub mod protocol;
mod supervisor;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use domain::{PythonScriptConfig, RunArgs};
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tokio::time::Instant;

#[cfg(feature = "test-support")]
pub use config::Weakening;
pub use config::{
    ALLOW_DEGRADED_ENV, AllowDegraded, AllowDegradedError, RunAs, SandboxConfig, SandboxLimits,
};
pub use probe::{Layer, Layers, ProbeReport};

use crate::{Attempt, AttemptResult, LogSink, Outcome};
use protocol::LandlockMode;
use supervisor::{End, Helper, Launcher, RootEntry, RunReport, RunSpec};

/// The variables every script gets; a task's own `env` cannot override them.
pub const FIXED_ENV: [&str; 4] = ["HOME", "PATH", "LANG", "SUNDIAL_CONTEXT"];
/// Largest `SUNDIAL_CONTEXT` value (the kernel caps one environment string at 128 KiB).
pub const MAX_CONTEXT_BYTES: usize = 120 * 1024;

/// The sandbox cannot be set up on this host; python tasks must fail closed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("python sandbox unavailable: {reason}")]
pub struct SandboxUnavailable {
    /// One line for people.
    pub reason: String,
    /// What the probe found.
    pub report: Box<ProbeReport>,
}

/// Runs `python_script` attempts in sandboxes. Cheap to clone.
#[derive(Clone)]
pub struct PythonExecutor {
    inner: Arc<Inner>,
}

struct Inner {
    config: SandboxConfig,
    report: ProbeReport,
    /// `None` when failing closed.
    launcher: Option<Launcher>,
    refusal: Option<String>,
    slots: Semaphore,
}

impl std::fmt::Debug for PythonExecutor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PythonExecutor")
            .field("report", &self.inner.report)
            .finish()
    }
}

fn default_init_path() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    let candidate = dir.join("sundial-sandbox-init");
    if candidate.exists() {
        return Some(candidate);
    }
    // Test binaries live in target/<profile>/deps, binaries one level up.
    (dir.file_name()? == "deps").then(|| dir.parent().map(|p| p.join("sundial-sandbox-init")))?
}

fn root_layout() -> Vec<(&'static str, RootEntry)> {
    ["bin", "lib", "lib64"]
        .into_iter()
        .filter_map(|name| {
            let path = Path::new("/").join(name);
            let meta = std::fs::symlink_metadata(&path).ok()?;
            if meta.file_type().is_symlink() {
                Some((name, RootEntry::Symlink(std::fs::read_link(&path).ok()?)))
            } else if meta.is_dir() {
                Some((name, RootEntry::Dir))
            } else {
                None
            }
        })
        .collect()
}

fn unavailable(reason: impl Into<String>, mut report: ProbeReport) -> SandboxUnavailable {
    let reason = reason.into();
    report.ready = false;
    report.error = Some(reason.clone());
    SandboxUnavailable {
        reason,
        report: Box::new(report),
    }
}

impl PythonExecutor {
    /// Probes the host by building a real sandbox and running `python3` in it once.
    ///
    /// Errors when a required layer (namespaces, seccomp, rlimits, tmpfs caps, dropped
    /// privileges) is missing, or an optional one (Landlock, cgroups) is missing without
    /// [`SandboxConfig::allow_degraded`]. The service should then keep running and use
    /// [`PythonExecutor::fail_closed`], so python tasks fail with that error and the
    /// start-up log shows the report. Blocks for the probe (tens of milliseconds); callable inside or outside
    /// a tokio runtime.
    pub fn new(config: SandboxConfig) -> Result<Self, SandboxUnavailable> {
        let weaken = config.weakening();
        let mut report = ProbeReport {
            max_sandboxes: config.max_sandboxes,
            ..Default::default()
        };
        if config.max_sandboxes == 0 {
            return Err(unavailable("max_sandboxes must be at least 1", report));
        }
        let run_as = config.run_as.or_else(|| {
            rustix::process::geteuid().is_root().then_some(RunAs {
                uid: 65534,
                gid: 65534,
            })
        });
        report.sandbox_user = match run_as {
            Some(r) => format!("{}:{}", r.uid, r.gid),
            None => format!(
                "{}:{} (the service's own)",
                rustix::process::getuid().as_raw(),
                rustix::process::getgid().as_raw()
            ),
        };

        match std::process::Command::new(&config.bwrap)
            .arg("--version")
            .output()
        {
            Ok(out) if out.status.success() => {
                report.bwrap = Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
            }
            Ok(out) => {
                let why = format!(
                    "`{} --version` failed: {}",
                    config.bwrap.display(),
                    out.status
                );
                return Err(unavailable(why, report));
            }
            Err(e) => {
                let why = format!(
                    "bubblewrap not usable at {} ({e}); install the `bubblewrap` package",
                    config.bwrap.display()
                );
                return Err(unavailable(why, report));
            }
        }
        if !config.python.is_file() {
            let why = format!(
                "no interpreter at {}; install Debian's `python3` package",
                config.python.display()
            );
            return Err(unavailable(why, report));
        }
        let Some(python) = config.python.to_str().map(str::to_owned) else {
            return Err(unavailable("the interpreter's path is not UTF-8", report));
        };
        let Some(init_path) = config.init.clone().or_else(default_init_path) else {
            return Err(unavailable(
                "cannot locate sundial-sandbox-init next to the executable",
                report,
            ));
        };
        report.init = Some(init_path.display().to_string());
        let helper_path = init_path.clone();
        let init = match Helper::open(init_path) {
            Ok(helper) => helper,
            Err(why) => return Err(unavailable(why, report)),
        };

        let cgroups = if weaken.no_cgroups {
            report.layers.cgroups = Layer::new(false, "switched off (test weakening)");
            None
        } else {
            match cgroup::Cgroups::detect() {
                Ok(found) => {
                    cgroup::sweep_stale(&found);
                    report.layers.cgroups = Layer::new(true, found.describe());
                    Some(found)
                }
                Err(e) => {
                    report.layers.cgroups = Layer::new(false, e);
                    None
                }
            }
        };
        let landlock = if config.allow_degraded.landlock {
            LandlockMode::BestEffort
        } else {
            LandlockMode::Required
        };
        let launcher = Launcher {
            bwrap: config.bwrap.clone(),
            python,
            init,
            run_as,
            cgroups,
            landlock,
            weaken,
            layout: root_layout(),
        };

        // The probe: a real run, on a thread of its own so that `new` works in and out of a
        // runtime.
        let started = std::time::Instant::now();
        let (run, lines) = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("a current-thread runtime");
                    runtime.block_on(async {
                        let (logs, mut receiver) = LogSink::channel(256);
                        let cancel = tokio_util::sync::CancellationToken::new();
                        let spec = RunSpec {
                            script: "import sys\nprint(sys.version.split()[0])\n",
                            env: vec![("PATH".into(), "/usr/bin:/bin".into())],
                            limits: config.limits,
                            deadline: Instant::now() + Duration::from_secs(30),
                            cancel: &cancel,
                            logs: &logs,
                            record_namespaces: true,
                        };
                        let run = launcher.run(spec).await;
                        drop(logs);
                        let mut lines = Vec::new();
                        while let Ok(line) = receiver.try_recv() {
                            lines.push(line);
                        }
                        (run, lines)
                    })
                })
                .join()
                .expect("the probe thread does not panic")
        });
        report.probe_run_ms = started.elapsed().as_millis() as u64;
        probe::layers_from_run(&run, &mut report.layers);
        report.python = lines
            .iter()
            .find(|l| l.stream == domain::LogStream::Stdout)
            .map(|l| l.line.clone());

        if let Some(user) = run_as
            && run.last_stderr.contains(probe::BWRAP_NO_SOURCE)
            && let Some(why) = probe::unreachable_helper(&helper_path, user)
        {
            return Err(unavailable(why, report));
        }
        let weakened = weaken != config::Weakening::default();
        if weakened {
            report
                .warnings
                .push(format!("TEST WEAKENING ACTIVE: {weaken:?}"));
        }
        let l = &report.layers;
        let required = [
            ("user namespace", &l.user_ns),
            ("pid namespace", &l.pid_ns),
            ("mount namespace", &l.mount_ns),
            ("network namespace", &l.net_ns),
            ("ipc namespace", &l.ipc_ns),
            ("uts namespace", &l.uts_ns),
            ("seccomp", &l.seccomp),
            ("rlimits", &l.rlimits),
            ("tmpfs caps", &l.tmpfs_caps),
            ("dropped privileges", &l.privileges),
        ];
        let missing: Vec<String> = required
            .iter()
            .filter(|(_, layer)| !layer.ok)
            .map(|(name, layer)| format!("{name} ({})", layer.detail))
            .collect();
        if !missing.is_empty() && !weakened {
            let why = format!("required layers missing: {}", missing.join("; "));
            return Err(unavailable(why, report));
        }
        if run.end
            != (End::Exited {
                code: 0,
                cpu_ms: cpu_of(&run.end),
            })
            && !weakened
        {
            let why = format!(
                "the probe's python run failed: {:?} (stderr: {})",
                run.end, run.last_stderr
            );
            return Err(unavailable(why, report));
        }
        for (name, layer, allowed) in [
            (
                "landlock",
                report.layers.landlock.clone(),
                config.allow_degraded.landlock,
            ),
            (
                "cgroups",
                report.layers.cgroups.clone(),
                config.allow_degraded.cgroups,
            ),
        ] {
            // Also under a test weakening: that is how the tests reach this path.
            if layer.ok {
                continue;
            }
            if !allowed {
                let why = format!(
                    "{name} unavailable ({}); set {ALLOW_DEGRADED_ENV}={name} to run without it",
                    layer.detail
                );
                return Err(unavailable(why, report));
            }
            report.degraded.push(name.into());
            report.warnings.push(format!(
                "SANDBOX DEGRADED: running python tasks WITHOUT {name} ({}), as allowed by \
                 {ALLOW_DEGRADED_ENV}",
                layer.detail
            ));
        }
        if report.layers.landlock.ok && report.layers.landlock.detail.ends_with("partial") {
            report.warnings.push(format!(
                "landlock only partly enforced on this kernel: {}",
                report.layers.landlock.detail
            ));
        }
        report.ready = true;
        for warning in &report.warnings {
            tracing::warn!(target: "sundial::sandbox", "{warning}");
        }
        tracing::info!(
            target: "sundial::sandbox",
            report = %serde_json::to_string(&report).unwrap_or_default(),
            "python sandbox ready"
        );
        Ok(Self {
            inner: Arc::new(Inner {
                slots: Semaphore::new(config.max_sandboxes),
                config,
                report,
                launcher: Some(launcher),
                refusal: None,
            }),
        })
    }

    /// An executor that refuses every attempt with the probe's error (fail closed).
    pub fn fail_closed(unavailable: SandboxUnavailable) -> Self {
        tracing::error!(
            target: "sundial::sandbox",
            report = %serde_json::to_string(&unavailable.report).unwrap_or_default(),
            "{unavailable}; python tasks will fail"
        );
        Self {
            inner: Arc::new(Inner {
                config: SandboxConfig::default(),
                report: *unavailable.report,
                launcher: None,
                refusal: Some(unavailable.reason),
                slots: Semaphore::new(1),
            }),
        }
    }

    /// What the start-up probe found, for `/metrics` and the start-up log.
    pub fn probe_report(&self) -> &ProbeReport {
        &self.inner.report
    }

    /// The configuration in force.
    pub fn config(&self) -> &SandboxConfig {
        &self.inner.config
    }

    /// Runs one attempt: waits for a free sandbox (within the attempt's timeout), runs the
    /// script, streams its output into `logs` and reports how it ended.
    pub async fn execute(
        &self,
        config: &PythonScriptConfig,
        attempt: &Attempt,
        logs: &LogSink,
    ) -> AttemptResult {
        let (Some(launcher), None) = (&self.inner.launcher, &self.inner.refusal) else {
            // The reason names host paths and missing layers: the operator's business (the
            // start-up log, the admin listener's /sandbox), not the tenant's.
            return AttemptResult::refused(
                "python sandbox unavailable: this node cannot run python tasks; its operator                  finds why in the start-up log"
                    .to_owned(),
            );
        };
        let started = Instant::now();
        let deadline = started + attempt.timeout;
        let permit = tokio::select! {
            permit = self.inner.slots.acquire() => permit.expect("the semaphore is never closed"),
            _ = tokio::time::sleep_until(deadline) => {
                logs.system("timed out waiting for a free sandbox").await;
                return AttemptResult::timed_out(attempt.timeout);
            }
            _ = attempt.cancel.cancelled() => return AttemptResult::cancelled(),
        };
        let env = match script_env(config, attempt, launcher.weaken.host_env) {
            Ok(env) => env,
            Err(refusal) => return refusal,
        };
        let limits = self.inner.config.limits;
        let run = launcher
            .run(RunSpec {
                script: &config.script,
                env,
                limits,
                deadline,
                cancel: &attempt.cancel,
                logs,
                record_namespaces: false,
            })
            .await;
        drop(permit);
        let result = classify(&run, &limits, attempt.timeout);
        let wall = started.elapsed();
        let mut summary = format!(
            "python sandbox: {}, wall {} ms",
            result.error.as_deref().unwrap_or("exit 0"),
            wall.as_millis()
        );
        if let End::Exited { cpu_ms, .. } | End::Signaled { cpu_ms, .. } = run.end {
            summary.push_str(&format!(", cpu {cpu_ms} ms"));
        }
        if let Some(stats) = run.cgroup {
            if stats.memory_peak_bytes > 0 {
                summary.push_str(&format!(
                    ", peak memory {} KiB",
                    stats.memory_peak_bytes / 1024
                ));
            }
            if stats.pids_max_hits > 0 {
                summary.push_str(&format!(
                    ", process limit hit {} times",
                    stats.pids_max_hits
                ));
            }
            if stats.oom_kills > 0 {
                summary.push_str(&format!(", oom_kill={}", stats.oom_kills));
            }
        }
        logs.system(summary).await;
        if !run.torn_down {
            tracing::error!(target: "sundial::sandbox", run = %attempt.run, "sandbox teardown incomplete");
        }
        result
    }
}

fn cpu_of(end: &End) -> u64 {
    match end {
        End::Exited { cpu_ms, .. } | End::Signaled { cpu_ms, .. } => *cpu_ms,
        _ => 0,
    }
}

/// The script's environment: its task's variables, then the fixed ones (which win).
fn script_env(
    config: &PythonScriptConfig,
    attempt: &Attempt,
    host_env: bool,
) -> Result<Vec<(String, String)>, AttemptResult> {
    let mut context = json!({
        "tenant_id": attempt.tenant.get(),
        "task_uuid": attempt.task.to_string(),
        "run_uuid": attempt.run.to_string(),
        "scheduled_for": attempt.scheduled_for.to_string(),
        "attempt": attempt.attempt,
        // A run started with arguments gets them in place of the task's own.
        "args": attempt
            .args
            .as_ref()
            .map(RunArgs::to_value)
            .or_else(|| config.args.clone())
            .unwrap_or(Value::Null),
    });
    if let Some(parent) = &attempt.parent {
        context["parent"] = json!(parent);
    }
    let mut context_text = context.to_string();
    // The parent's result may be as large as a result can be: without it the context fits
    // where the run's own arguments fit, and the script is told it was left out.
    if context_text.len() > MAX_CONTEXT_BYTES && attempt.parent.is_some() {
        context["parent"]["result"] = Value::Null;
        context["parent"]["result_omitted"] = Value::Bool(true);
        context_text = context.to_string();
    }
    let context = context_text;
    if context.len() > MAX_CONTEXT_BYTES {
        return Err(AttemptResult::refused(format!(
            "the run context is {} bytes, more than the {MAX_CONTEXT_BYTES} an environment \
             variable can carry; make the args smaller",
            context.len()
        )));
    }
    let mut env: Vec<(String, String)> = Vec::new();
    if host_env {
        env.extend(std::env::vars());
    }
    env.extend(
        config
            .env
            .iter()
            .filter(|(k, _)| !FIXED_ENV.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    env.extend([
        ("HOME".to_owned(), protocol::WORK_DIR.to_owned()),
        ("PATH".to_owned(), "/usr/bin:/bin".to_owned()),
        ("LANG".to_owned(), "C.UTF-8".to_owned()),
        ("SUNDIAL_CONTEXT".to_owned(), context),
    ]);
    Ok(env)
}

/// Conventional names of the signals a script is likely to die from.
pub fn signal_name(signal: i32) -> &'static str {
    match signal {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        5 => "SIGTRAP",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        10 => "SIGUSR1",
        11 => "SIGSEGV",
        12 => "SIGUSR2",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        24 => "SIGXCPU",
        25 => "SIGXFSZ",
        31 => "SIGSYS",
        _ => "signal",
    }
}

/// Turns how the run ended into the attempt's result.
fn classify(run: &RunReport, limits: &SandboxLimits, timeout: Duration) -> AttemptResult {
    let stats = run.cgroup.unwrap_or_default();
    let mut notes = String::new();
    if stats.oom_kills > 0 {
        notes.push_str(&format!(
            "; memory limit of {} MiB reached (oom_kill={})",
            limits.memory_bytes >> 20,
            stats.oom_kills
        ));
    }
    if stats.pids_max_hits > 0 {
        notes.push_str(&format!(
            "; process limit of {} reached ({} forks refused)",
            limits.processes, stats.pids_max_hits
        ));
    }
    if !run.torn_down {
        notes.push_str("; WARNING: the sandbox did not disappear after being killed");
    }
    let stderr = if run.last_stderr.is_empty() {
        String::new()
    } else {
        format!(" (stderr: {})", run.last_stderr)
    };
    let parsed_result = || -> Result<Option<Value>, String> {
        if run.result.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        serde_json::from_slice(&run.result)
            .map(Some)
            .map_err(|e| format!("the result written to fd 3 is not valid JSON: {e}"))
    };
    match &run.end {
        End::Exited { code: 0, .. } => match parsed_result() {
            Ok(result) => AttemptResult::succeeded(result),
            Err(e) => AttemptResult::failed(e, None),
        },
        End::Exited { code, .. } => AttemptResult::failed(
            format!("exit {code}{notes}"),
            parsed_result().ok().flatten(),
        ),
        End::Signaled { signal, cpu_ms } => {
            let name = signal_name(*signal);
            let base = format!("killed by signal {signal} ({name})");
            let message = if stats.oom_kills > 0 && *signal == 9 {
                format!("memory limit: {base}{notes}")
            } else if *signal == 24 || (*signal == 9 && *cpu_ms >= limits.cpu_seconds * 1000) {
                format!(
                    "CPU limit: {base} after {cpu_ms} ms of CPU time (limit {} s){notes}",
                    limits.cpu_seconds
                )
            } else if *signal == 25 {
                format!("file size limit: {base}{notes}")
            } else {
                format!("{base}{notes}")
            };
            AttemptResult::failed(message, None)
        }
        End::TimedOut => AttemptResult {
            outcome: Outcome::TimedOut,
            retryable: true,
            result: None,
            error: Some(format!(
                "timed out after {} s; the whole sandbox was killed{notes}",
                timeout.as_secs_f64()
            )),
        },
        End::Cancelled => AttemptResult::cancelled(),
        End::OutputLimit => AttemptResult::failed(
            format!(
                "output limit: more than {} bytes on stdout and stderr; output truncated and the \
                 run stopped{notes}",
                limits.output_bytes
            ),
            None,
        ),
        End::ResultLimit => AttemptResult::failed(
            format!(
                "result limit: more than {} bytes written to fd 3; the run was stopped{notes}",
                limits.result_bytes
            ),
            None,
        ),
        End::SetupFailed { step, error } => AttemptResult::failed(
            format!("sandbox set-up failed at {step}: {error}{notes}"),
            None,
        ),
        End::Launch(e) => {
            AttemptResult::failed(format!("sandbox could not start: {e}{stderr}"), None)
        }
        End::Vanished if stats.oom_kills > 0 => {
            AttemptResult::failed(format!("memory limit: the sandbox was killed{notes}"), None)
        }
        End::Vanished => AttemptResult::failed(
            format!("the sandbox ended without reporting the script's status{notes}{stderr}"),
            None,
        ),
    }
}
