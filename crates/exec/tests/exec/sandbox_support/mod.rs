//! Shared harness of the sandbox tests: executors, a run helper that collects the log and
//! checks that nothing of the run survives it, and host-side observers.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use domain::{LogStream, RunUuid, TenantId};
use exec::python::{PythonExecutor, SandboxConfig};
use exec::{Attempt, AttemptResult, LogLine, LogSink, Outcome};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

/// The helper binary cargo built for these tests.
pub fn init_path() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_exec-sandbox-init"))
}

/// Production defaults, with the test-built helper.
pub fn config() -> SandboxConfig {
    SandboxConfig {
        init: Some(init_path()),
        max_sandboxes: 8,
        ..SandboxConfig::default()
    }
}

/// One executor with production defaults, shared by the tests of a binary.
pub fn executor() -> &'static PythonExecutor {
    static EXECUTOR: OnceLock<PythonExecutor> = OnceLock::new();
    EXECUTOR.get_or_init(|| PythonExecutor::new(config()).expect("the sandbox works on this host"))
}

/// An executor with adjusted settings.
pub fn executor_with(adjust: impl FnOnce(&mut SandboxConfig)) -> PythonExecutor {
    let mut config = config();
    adjust(&mut config);
    PythonExecutor::new(config).expect("the sandbox works on this host")
}

/// One finished run.
#[derive(Debug)]
pub struct Run {
    pub result: AttemptResult,
    pub lines: Vec<LogLine>,
    pub elapsed: Duration,
    pub run: RunUuid,
    pub leftovers: Vec<u32>,
}

impl Run {
    pub fn stream(&self, stream: LogStream) -> Vec<String> {
        self.lines
            .iter()
            .filter(|l| l.stream == stream)
            .map(|l| l.line.clone())
            .collect()
    }
    pub fn stdout(&self) -> Vec<String> {
        self.stream(LogStream::Stdout)
    }
    pub fn stderr(&self) -> Vec<String> {
        self.stream(LogStream::Stderr)
    }
    pub fn system(&self) -> Vec<String> {
        self.stream(LogStream::System)
    }
    /// The last stdout line parsed as JSON: the hostile scripts report their findings so.
    pub fn report(&self) -> Value {
        let last = self.stdout().last().cloned().unwrap_or_else(|| {
            panic!(
                "no stdout; result {:?}; stderr {:?}",
                self.result,
                self.stderr()
            )
        });
        serde_json::from_str(&last).unwrap_or_else(|e| panic!("not JSON ({e}): {last}"))
    }
    pub fn error(&self) -> String {
        self.result.error.clone().unwrap_or_default()
    }
    #[track_caller]
    pub fn assert_succeeded(&self) {
        assert_eq!(
            self.result.outcome,
            Outcome::Succeeded,
            "result {:?}\nstdout {:?}\nstderr {:?}",
            self.result,
            self.stdout(),
            self.stderr()
        );
    }
}

/// What a run is started with.
pub struct Job<'a> {
    pub script: &'a str,
    pub timeout: Duration,
    pub args: Option<Value>,
    pub env: Vec<(&'a str, &'a str)>,
    pub cancel: CancellationToken,
    pub parent: Option<domain::ParentRun>,
}

impl<'a> Job<'a> {
    pub fn new(script: &'a str) -> Self {
        Self {
            script,
            timeout: Duration::from_secs(30),
            args: None,
            env: Vec::new(),
            cancel: CancellationToken::new(),
            parent: None,
        }
    }
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// An attempt of tenant 7 with this timeout and cancellation token.
pub fn attempt(timeout: Duration, cancel: CancellationToken) -> Attempt {
    crate::new_attempt(TenantId::new(7).unwrap(), timeout, cancel)
}

/// Runs a script with production defaults.
pub async fn run(script: &str) -> Run {
    run_job(executor(), Job::new(script)).await
}

/// Runs a job; collects every log line; records processes of the run still alive afterwards.
pub async fn run_job(executor: &PythonExecutor, job: Job<'_>) -> Run {
    let attempt = Attempt {
        parent: job.parent,
        ..attempt(job.timeout, job.cancel.clone())
    };
    let config = exec_config(job.script, job.args, &job.env);
    let (sink, mut receiver) = LogSink::channel(1024);
    let collector = tokio::spawn(async move {
        let mut lines = Vec::new();
        while let Some(line) = receiver.recv().await {
            lines.push(line);
        }
        lines
    });
    let started = Instant::now();
    let result = tokio::time::timeout(
        job.timeout + Duration::from_secs(30),
        executor.execute(&config, &attempt, &sink),
    )
    .await
    .expect("execute returns within its timeout plus teardown");
    let elapsed = started.elapsed();
    drop(sink);
    let lines = collector.await.unwrap();
    let leftovers = processes_with_marker(&attempt.run.to_string());
    Run {
        result,
        lines,
        elapsed,
        run: attempt.run,
        leftovers,
    }
}

pub fn exec_config(
    script: &str,
    args: Option<Value>,
    env: &[(&str, &str)],
) -> domain::PythonScriptConfig {
    domain::PythonScriptConfig {
        script: script.into(),
        args,
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

/// Host processes whose environment contains `marker` (every sandbox process has the run's
/// uuid in SUNDIAL_CONTEXT).
pub fn processes_with_marker(marker: &str) -> Vec<u32> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        if let Ok(environ) = std::fs::read(format!("/proc/{pid}/environ"))
            && environ
                .windows(marker.len())
                .any(|w| w == marker.as_bytes())
        {
            found.push(pid);
        }
    }
    found
}

/// Kills processes (only used to clean up after deliberately weakened sandboxes).
pub fn kill_all(pids: &[u32]) {
    for pid in pids {
        let _ = std::process::Command::new("kill")
            .arg("-9")
            .arg(pid.to_string())
            .status();
    }
}

/// Resident set size of this test process, KiB.
pub fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// A process outside the sandbox, as the given uid, that must survive.
pub struct Victim(std::process::Child);

impl Victim {
    pub fn spawn(uid: u32) -> Self {
        use std::os::unix::process::CommandExt;
        let child = std::process::Command::new("/bin/sleep")
            .arg("1000")
            .uid(uid)
            .gid(uid)
            .spawn()
            .expect("sleep starts");
        Self(child)
    }
    pub fn alive(&mut self) -> bool {
        self.0.try_wait().unwrap().is_none()
    }
}

impl Drop for Victim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A loopback TCP listener that never accepts; counts the connections that reached it.
pub struct Listener(std::net::TcpListener);

impl Listener {
    pub fn bind(addr: &str) -> Option<Self> {
        let listener = std::net::TcpListener::bind(addr).ok()?;
        listener.set_nonblocking(true).unwrap();
        Some(Self(listener))
    }
    pub fn port(&self) -> u16 {
        self.0.local_addr().unwrap().port()
    }
    /// Connections completed so far (they wait in the backlog).
    pub fn connections(&self) -> usize {
        let mut n = 0;
        while self.0.accept().is_ok() {
            n += 1;
        }
        n
    }
}

/// A loopback UDP socket counting datagrams that reached it.
pub struct UdpSink(std::net::UdpSocket);

impl UdpSink {
    pub fn bind() -> Self {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.set_nonblocking(true).unwrap();
        Self(socket)
    }
    pub fn port(&self) -> u16 {
        self.0.local_addr().unwrap().port()
    }
    pub fn datagrams(&self) -> usize {
        let mut buf = [0u8; 2048];
        let mut n = 0;
        while self.0.recv(&mut buf).is_ok() {
            n += 1;
        }
        n
    }
}

/// A per-test uid for weakened sandboxes, so that their escapes cannot touch other tests'
/// sandboxes (which run as 65534).
pub fn private_uid(n: u32) -> u32 {
    61000 + n
}

/// Hostile #33: sockets of families the sandbox refuses; prints `{family: outcome}`.
pub const RAW_SOCKETS: &str = "import socket, json, errno\nout = {}\nfor name, fam, kind, proto in [('packet', socket.AF_PACKET, socket.SOCK_RAW, 0), ('netlink', socket.AF_NETLINK, socket.SOCK_RAW, 0), ('vsock', 40, socket.SOCK_STREAM, 0), ('inet_raw', socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)]:\n    try:\n        socket.socket(fam, kind, proto).close(); out[name] = 'ok'\n    except OSError as e:\n        out[name] = errno.errorcode[e.errno]\nprint(json.dumps(out))\n";

/// Hostile #36: `kill(-1, SIGKILL)`.
pub const KILL_ALL: &str = "import os, signal, json\ntry:\n    os.kill(-1, signal.SIGKILL); out = 'sent'\nexcept OSError as e:\n    out = str(e)\nprint(json.dumps(out))\n";

/// Hostile #37-#44 (and the class): privileged kernel interfaces; prints `{call: outcome}`.
pub const PRIVILEGED_CALLS: &str = r#"
import ctypes, json, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def call(f, *a):
    ctypes.set_errno(0)
    r = f(*a)
    return 'ok' if r >= 0 else os.strerror(ctypes.get_errno())
out = {}
child = os.fork()
if child == 0:
    import time; time.sleep(30); os._exit(0)
out['ptrace_init'] = call(libc.ptrace, 16, 1, 0, 0)            # PTRACE_ATTACH pid 1
out['ptrace_child'] = call(libc.ptrace, 16, child, 0, 0)
out['unshare_user'] = call(libc.unshare, 0x10000000)            # CLONE_NEWUSER
out['mount_tmpfs'] = call(libc.mount, b"x", b"/tmp", b"tmpfs", 0, None)
out['bpf'] = call(libc.syscall, 321, 0, 0, 0)
attr = (ctypes.c_uint8 * 128)()
ctypes.memmove(attr, (ctypes.c_uint32 * 2)(1, 128), 8)           # PERF_TYPE_SOFTWARE, size
attr[40] = 0b01100000                                           # exclude_kernel | exclude_hv
out['perf_event_open'] = call(libc.syscall, 298, attr, 0, -1, -1, 0)
out['keyctl'] = call(libc.syscall, 250, 0, -3, 0)               # KEYCTL_GET_KEYRING_ID session
out['io_uring_setup'] = call(libc.syscall, 425, 1, (ctypes.c_uint8 * 120)())
out['tiocsti'] = call(libc.ioctl, 1, 0x5412, b"x")
out['tiocsti_high_bits'] = call(libc.syscall, 16, 1, 0x100005412, b"x")
out['sethostname'] = call(libc.sethostname, b"pwned", 5)
ts = (ctypes.c_long * 2)(0, 0)
out['clock_settime'] = call(libc.clock_settime, 0, ts)
out['personality'] = call(libc.personality, 0x0040000)          # ADDR_NO_RANDOMIZE
out['x32_getpid'] = call(libc.syscall, 0x40000000 | 39)
ctypes.set_errno(0)
r = libc.syscall(56, 0x00020000 | 17, 0, 0, 0, 0)                # clone(CLONE_NEWNS | SIGCHLD)
if r == 0:
    os._exit(0)
out['clone_newns'] = 'ok' if r > 0 else os.strerror(ctypes.get_errno())
os.kill(child, 9)
print(json.dumps(out))
"#;
