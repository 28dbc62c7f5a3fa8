//! One sandboxed run: start bwrap, put the helper in its cgroups, hand it its configuration,
//! stream the output, enforce the deadline and the caps, and tear the whole sandbox down.

use std::ffi::OsString;
use std::io::Write as _;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::time::Duration;

use command_fds::CommandFdExt;
use domain::LogStream;
use rustix::event::{PollFd, PollFlags};
use rustix::fs::{MemfdFlags, SeekFrom};
use rustix::pipe::PipeFlags;
use rustix::process::{Pid, PidfdFlags, Signal};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::unix::pipe;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::cgroup::{self, CgroupStats, Cgroups};
use super::config::{RunAs, SandboxLimits, Weakening};
use super::output::{LineSplitter, escape_line};
use super::protocol::{
    INIT_PATH, InitConfig, InitLayers, InitStatus, LandlockMode, Rlimits, SCRIPT_PATH, TmpfsSpec,
};
use crate::LogSink;

/// How long a killed sandbox may take to disappear before we stop waiting for it.
const TEARDOWN_GRACE: Duration = Duration::from_secs(10);
/// Largest amount of bwrap `--info-fd` JSON or helper status we read.
const MAX_CONTROL_BYTES: u64 = 64 * 1024;

/// What sits at a top-level directory of the host that python needs (Debian's merged /usr
/// makes /bin, /lib and /lib64 symlinks into /usr).
#[derive(Debug, Clone)]
pub(crate) enum RootEntry {
    /// A symlink with this target.
    Symlink(PathBuf),
    /// A real directory, bound read-only.
    Dir,
}

/// Everything fixed about how runs are launched on this host.
#[derive(Debug)]
pub(crate) struct Launcher {
    pub bwrap: PathBuf,
    pub python: String,
    pub init: Helper,
    pub run_as: Option<RunAs>,
    pub cgroups: Option<Cgroups>,
    pub landlock: LandlockMode,
    pub weaken: Weakening,
    pub layout: Vec<(&'static str, RootEntry)>,
}

/// The `sundial-sandbox-init` file, held as an `O_PATH` fd that bwrap bind-mounts; the fd
/// sidesteps path permissions for the unprivileged sandbox user.
#[derive(Debug)]
pub(crate) struct Helper {
    path: PathBuf,
    fd: Mutex<OwnedFd>,
}

impl Helper {
    /// Opens the helper at `path`; it must be executable by others (the sandbox user).
    pub fn open(path: PathBuf) -> Result<Self, String> {
        let fd = open_helper(&path)?;
        Ok(Self {
            path,
            fd: Mutex::new(fd),
        })
    }

    /// A descriptor of the helper for one run.
    ///
    /// bwrap finds a bound fd's source through `/proc/self/fd/N` and cannot bind a file that
    /// is no longer linked anywhere. A package upgrade or a rebuild renames a new file over
    /// ours, unlinking the one we hold, so then we take the new file at the same path.
    fn for_run(&self) -> Result<OwnedFd, String> {
        let mut held = self.fd.lock().unwrap_or_else(|p| p.into_inner());
        let linked = rustix::fs::fstat(&*held)
            .map_err(|e| format!("sandbox helper {}: {e}", self.path.display()))?
            .st_nlink
            > 0;
        if !linked {
            *held = open_helper(&self.path).map_err(|e| {
                if std::fs::symlink_metadata(&self.path).is_err() {
                    format!(
                        "the sandbox helper {} was deleted after start-up and nothing replaced \
                         it; reinstall sundial-sandbox-init there or restart the service",
                        self.path.display()
                    )
                } else {
                    e
                }
            })?;
            tracing::info!(
                target: "sundial::sandbox",
                helper = %self.path.display(),
                "the sandbox helper was replaced on disk; runs from now on use the new file"
            );
        }
        held.try_clone()
            .map_err(|e| format!("sandbox helper {}: dup: {e}", self.path.display()))
    }
}

fn open_helper(path: &Path) -> Result<OwnedFd, String> {
    let fd = rustix::fs::open(
        path,
        rustix::fs::OFlags::PATH | rustix::fs::OFlags::CLOEXEC,
        rustix::fs::Mode::empty(),
    )
    .map_err(|e| format!("sandbox helper {}: {e}", path.display()))?;
    match rustix::fs::fstat(&fd) {
        // The sandbox user is "other" to the helper's owner.
        Ok(st) if st.st_mode & 0o001 != 0 => Ok(fd),
        _ => Err(format!(
            "sandbox helper {} is not executable by others",
            path.display()
        )),
    }
}

/// One run's inputs.
pub(crate) struct RunSpec<'a> {
    pub script: &'a str,
    pub env: Vec<(String, String)>,
    pub limits: SandboxLimits,
    pub deadline: Instant,
    pub cancel: &'a CancellationToken,
    pub logs: &'a LogSink,
    /// Compare the sandbox's namespaces with ours (the start-up probe).
    pub record_namespaces: bool,
}

/// How a run ended, before it becomes an [`crate::AttemptResult`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum End {
    Exited {
        code: i32,
        cpu_ms: u64,
    },
    Signaled {
        signal: i32,
        cpu_ms: u64,
    },
    SetupFailed {
        step: String,
        error: String,
    },
    /// bwrap or the service-side set-up failed.
    Launch(String),
    /// The helper disappeared without saying how the script ended.
    Vanished,
    TimedOut,
    Cancelled,
    OutputLimit,
    ResultLimit,
}

/// What a run produced.
#[derive(Debug)]
pub(crate) struct RunReport {
    pub end: End,
    pub layers: Option<InitLayers>,
    /// (namespace, isolated from the service's) when recorded.
    pub namespaces: Vec<(&'static str, bool)>,
    pub result: Vec<u8>,
    pub cgroup: Option<CgroupStats>,
    /// The last line the sandbox wrote on stderr (bwrap's own errors land there too).
    pub last_stderr: String,
    /// Whether the whole sandbox was gone when the run returned.
    pub torn_down: bool,
}

const OVERFLOW_OUTPUT: u8 = 1;
const OVERFLOW_RESULT: u8 = 2;

/// State the output readers share.
struct Shared<'a> {
    logs: &'a LogSink,
    limits: SandboxLimits,
    output: AtomicUsize,
    overflow: CancellationToken,
    overflow_kind: AtomicU8,
    last_stderr: Mutex<String>,
}

impl Shared<'_> {
    fn overflow(&self, kind: u8) {
        let _ = self
            .overflow_kind
            .compare_exchange(0, kind, Ordering::SeqCst, Ordering::SeqCst);
        self.overflow.cancel();
    }

    /// Counts `n` more bytes of output; false (and the run is being stopped) once they pass
    /// the output cap.
    async fn count(&self, n: usize) -> bool {
        let cap = self.limits.output_bytes;
        let total = self.output.fetch_add(n, Ordering::SeqCst) + n;
        if total <= cap {
            return true;
        }
        if self.overflow_kind.load(Ordering::SeqCst) == 0 {
            self.overflow(OVERFLOW_OUTPUT);
            // The one marker of the log, unless the log's own caps ended it already.
            self.logs
                .cut(format!(
                    "output truncated: the script wrote more than {cap} bytes on stdout and \
                     stderr; the rest was dropped and the run stopped"
                ))
                .await;
        }
        false
    }

    /// Writes one line. `Full` once the log's caps are reached: later output is only counted.
    async fn emit(&self, stream: LogStream, raw: &[u8]) -> Emitted {
        if !self.count(raw.len() + 1).await {
            return Emitted::Stopped;
        }
        let line = escape_line(raw);
        if stream == LogStream::Stderr {
            let mut last = self.last_stderr.lock().expect("not poisoned");
            last.clear();
            last.extend(line.chars().take(500));
        }
        if self.logs.write(stream, line).await {
            Emitted::Kept
        } else {
            Emitted::Full
        }
    }
}

/// What became of a line of output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Emitted {
    /// It is in the log.
    Kept,
    /// The log is full: it and later output are dropped, the script goes on.
    Full,
    /// The output cap is passed: the run is being stopped.
    Stopped,
}

/// Sends SIGKILL through pidfds, so a recycled pid can never be hit.
#[derive(Default)]
struct Killer {
    pidfds: Mutex<Vec<OwnedFd>>,
}

impl Killer {
    fn add(&self, pidfd: &OwnedFd) {
        if let Ok(fd) = pidfd.try_clone() {
            self.pidfds.lock().expect("not poisoned").push(fd);
        }
    }

    /// Kills the sandbox's pid 1 first (the kernel then kills everything in its pid
    /// namespace), then bwrap's monitor.
    fn kill(&self) {
        for fd in self.pidfds.lock().expect("not poisoned").iter().rev() {
            let _ = rustix::process::pidfd_send_signal(fd, Signal::KILL);
        }
    }
}

fn cloexec_pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    Ok(rustix::pipe::pipe_with(PipeFlags::CLOEXEC)?)
}

fn receiver(fd: OwnedFd) -> std::io::Result<pipe::Receiver> {
    pipe::Receiver::from_owned_fd(fd)
}

async fn read_capped(reader: &mut (impl AsyncRead + Unpin), cap: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = reader.take(cap).read_to_end(&mut out).await;
    out
}

fn proc_ppid(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    after.split(' ').nth(1)?.parse().ok()
}

fn ns_id(path: String) -> Option<PathBuf> {
    std::fs::read_link(path).ok()
}

async fn wait_exited(pidfd: OwnedFd) {
    // A pidfd becomes readable when its process has exited; for the sandbox's pid 1 that is
    // after the kernel killed and reaped everything else in its pid namespace. Normally this
    // returns at once (bwrap reaped it already); polled on the blocking pool because
    // registering a raw fd with tokio's reactor needs `unsafe`.
    let _ = tokio::task::spawn_blocking(move || {
        let timeout = rustix::event::Timespec {
            tv_sec: TEARDOWN_GRACE.as_secs() as i64,
            tv_nsec: 0,
        };
        let mut fds = [PollFd::new(&pidfd, PollFlags::IN)];
        while let Err(rustix::io::Errno::INTR) = rustix::event::poll(&mut fds, Some(&timeout)) {}
    })
    .await;
}

impl Launcher {
    fn bwrap_args(
        &self,
        info: i32,
        script: i32,
        init: i32,
        status: i32,
        result: i32,
    ) -> Vec<OsString> {
        let w = &self.weaken;
        let mut a: Vec<OsString> = Vec::new();
        let mut push = |items: &[&str]| a.extend(items.iter().map(OsString::from));
        push(&["--unshare-user", "--unshare-cgroup-try"]);
        if !w.no_pid_ns {
            push(&["--unshare-pid", "--as-pid-1"]);
        }
        if !w.no_net_ns {
            push(&["--unshare-net"]);
        }
        if !w.no_ipc_ns {
            push(&["--unshare-ipc"]);
        }
        if !w.no_uts_ns {
            push(&["--unshare-uts", "--hostname", "sandbox"]);
        }
        // CAP_SYS_ADMIN of the sandbox's own user namespace, for the helper's tmpfs and proc
        // mounts; the helper drops it before the script starts. Not --dev: it would make bwrap
        // nest a second user namespace that cannot mount.
        push(&[
            "--die-with-parent",
            "--new-session",
            "--cap-add",
            "CAP_SYS_ADMIN",
        ]);
        if w.host_root {
            // Everything the host has at its root, read-only, instead of the minimal set.
            let own = ["proc", "dev", "tmp", "usr", "bin", "lib", "lib64", "sbx"];
            for entry in std::fs::read_dir("/").into_iter().flatten().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if !own.contains(&name.as_str()) && entry.path().is_dir() {
                    let path = format!("/{name}");
                    push(&["--ro-bind", &path, &path]);
                }
            }
        }
        push(&["--ro-bind", "/usr", "/usr"]);
        for (name, entry) in &self.layout {
            let dest = format!("/{name}");
            match entry {
                RootEntry::Symlink(target) => a.extend([
                    "--symlink".into(),
                    target.clone().into_os_string(),
                    dest.into(),
                ]),
                RootEntry::Dir => a.extend(["--ro-bind".into(), dest.clone().into(), dest.into()]),
            }
        }
        let mut push = |items: &[&str]| a.extend(items.iter().map(OsString::from));
        if w.no_pid_ns {
            // A fresh procfs needs a pid namespace of our own; without one, show the host's.
            push(&["--ro-bind", "/proc", "/proc"]);
        } else {
            push(&["--proc", "/proc"]);
        }
        push(&["--dir", "/dev"]);
        for dev in ["null", "zero", "full", "random", "urandom"] {
            let path = format!("/dev/{dev}");
            push(&["--dev-bind", &path, &path]);
        }
        push(&[
            "--symlink",
            "/proc/self/fd",
            "/dev/fd",
            "--symlink",
            "/proc/self/fd/0",
            "/dev/stdin",
            "--symlink",
            "/proc/self/fd/1",
            "/dev/stdout",
            "--symlink",
            "/proc/self/fd/2",
            "/dev/stderr",
            "--dir",
            "/dev/shm",
            "--dir",
            "/tmp",
        ]);
        let (info, script, init) = (info.to_string(), script.to_string(), init.to_string());
        push(&["--ro-bind-fd", &init, INIT_PATH]);
        push(&["--perms", "0444", "--ro-bind-data", &script, SCRIPT_PATH]);
        if !w.no_tmpfs_caps {
            // Nothing is writable outside the tmpfs mounts the helper adds.
            push(&["--remount-ro", "/"]);
        }
        push(&["--info-fd", &info, "--chdir", "/", "--", INIT_PATH]);
        push(&[
            "--status-fd",
            &status.to_string(),
            "--result-fd",
            &result.to_string(),
        ]);
        a
    }

    fn init_config(&self, spec: &RunSpec<'_>) -> InitConfig {
        let w = &self.weaken;
        let l = &spec.limits;
        InitConfig {
            program: self.python.clone(),
            args: vec!["-I".into(), "-u".into(), SCRIPT_PATH.into()],
            env: spec.env.clone(),
            work_tmpfs: (!w.no_tmpfs_caps).then_some(TmpfsSpec {
                size_bytes: l.tmpfs_bytes,
                inodes: l.tmpfs_inodes,
            }),
            shm_tmpfs: (!w.no_tmpfs_caps).then_some(TmpfsSpec {
                size_bytes: l.shm_bytes,
                inodes: l.shm_inodes,
            }),
            proc_subset: !w.no_pid_ns,
            rlimits: (!w.no_rlimits).then_some(Rlimits {
                cpu_seconds: l.cpu_seconds,
                address_space_bytes: l.address_space_bytes,
                open_files: l.open_files,
                // The pids cgroup is the primary cap (it records hits); RLIMIT_NPROC is the
                // backstop a little above it, and the cap itself where cgroups are degraded.
                processes: l.processes
                    + if self.cgroups.is_some() && !w.no_cgroups {
                        16
                    } else {
                        0
                    },
                file_size_bytes: l.file_size_bytes,
            }),
            landlock: if w.no_landlock {
                LandlockMode::Off
            } else {
                self.landlock
            },
            seccomp: !w.no_seccomp,
        }
    }

    /// Runs one script to its end; never returns while a process of the sandbox is alive
    /// (unless teardown took longer than [`TEARDOWN_GRACE`], which `torn_down` reports).
    pub(crate) async fn run(&self, spec: RunSpec<'_>) -> RunReport {
        let mut report = RunReport {
            end: End::Vanished,
            layers: None,
            namespaces: Vec::new(),
            result: Vec::new(),
            cgroup: None,
            last_stderr: String::new(),
            torn_down: true,
        };
        let group = match &self.cgroups {
            Some(c) if !self.weaken.no_cgroups => match c.create(&cgroup::run_name(), &spec.limits)
            {
                Ok(g) => Some(g),
                Err(e) => {
                    report.end = End::Launch(format!("creating the run's cgroups: {e}"));
                    return report;
                }
            },
            _ => None,
        };
        match self.run_in(&spec, group.as_ref(), &mut report).await {
            Ok(()) => {}
            Err(e) => report.end = End::Launch(e),
        }
        if let Some(group) = group {
            report.cgroup = Some(group.stats());
            group.remove().await;
        }
        report
    }

    async fn run_in(
        &self,
        spec: &RunSpec<'_>,
        group: Option<&cgroup::RunCgroup>,
        report: &mut RunReport,
    ) -> Result<(), String> {
        let io = |what: &'static str| move |e: std::io::Error| format!("{what}: {e}");
        // The script travels in a memfd that bwrap copies onto /sbx/main.py.
        let script = rustix::fs::memfd_create("sundial-script", MemfdFlags::CLOEXEC)
            .map_err(|e| format!("memfd: {e}"))?;
        std::fs::File::from(script.try_clone().map_err(io("memfd"))?)
            .write_all(spec.script.as_bytes())
            .map_err(io("writing the script"))?;
        rustix::fs::seek(&script, SeekFrom::Start(0)).map_err(|e| format!("seek: {e}"))?;
        let (info_r, info_w) = cloexec_pipe().map_err(io("pipe"))?;
        let (status_r, status_w) = cloexec_pipe().map_err(io("pipe"))?;
        let (result_r, result_w) = cloexec_pipe().map_err(io("pipe"))?;
        let init = self.init.for_run()?;
        let args = self.bwrap_args(
            info_w.as_raw_fd(),
            script.as_raw_fd(),
            init.as_raw_fd(),
            status_w.as_raw_fd(),
            result_w.as_raw_fd(),
        );

        let mut command = tokio::process::Command::new(&self.bwrap);
        command
            .args(args)
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(RunAs { uid, gid }) = self.run_as {
            command.uid(uid).gid(gid);
        }
        // Passed through under their own numbers (CLOEXEC cleared in the child only), so they
        // cannot collide with the descriptors the standard library uses while spawning.
        command.preserved_fds(vec![info_w, script, init, status_w, result_w]);
        let spawned = command.spawn();
        // The Command holds our copies of the write ends: drop it, or EOF never comes.
        drop(command);
        let mut child = spawned.map_err(|e| format!("starting {}: {e}", self.bwrap.display()))?;

        let killer = Killer::default();
        let bwrap_pid = child.id().and_then(|id| Pid::from_raw(id as i32));
        if let Some(pid) = bwrap_pid
            && let Ok(fd) = rustix::process::pidfd_open(pid, PidfdFlags::empty())
        {
            killer.add(&fd);
        }
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let mut info_r = receiver(info_r).map_err(io("info pipe"))?;
        let mut status_r = receiver(status_r).map_err(io("status pipe"))?;
        let mut result_r = receiver(result_r).map_err(io("result pipe"))?;

        let shared = Shared {
            logs: spec.logs,
            limits: spec.limits,
            output: AtomicUsize::new(0),
            overflow: CancellationToken::new(),
            overflow_kind: AtomicU8::new(0),
            last_stderr: Mutex::new(String::new()),
        };
        let config = serde_json::to_vec(&self.init_config(spec)).expect("config serializes");
        let setup_error: Mutex<Option<String>> = Mutex::new(None);
        let namespaces: Mutex<Vec<(&'static str, bool)>> = Mutex::new(Vec::new());

        // Set-up, then waiting for every process to be gone.
        let lifecycle = async {
            let mut init_pidfd = None;
            let step = async {
                let info = read_capped(&mut info_r, MAX_CONTROL_BYTES).await;
                let info: serde_json::Value = serde_json::from_slice(&info)
                    .map_err(|_| "bwrap did not start the sandbox".to_string())?;
                let pid = info["child-pid"]
                    .as_i64()
                    .and_then(|p| i32::try_from(p).ok())
                    .ok_or("bwrap reported no child pid")?;
                let pidfd = Pid::from_raw(pid)
                    .and_then(|p| rustix::process::pidfd_open(p, PidfdFlags::empty()).ok())
                    .ok_or("the sandbox's pid 1 vanished")?;
                killer.add(&pidfd);
                // The pidfd pins the process; make sure it is the one bwrap started.
                if proc_ppid(pid) != bwrap_pid.map(|p| p.as_raw_nonzero().get()) {
                    killer.kill();
                    return Err("the sandbox's pid 1 is not bwrap's child".to_string());
                }
                init_pidfd = Some(pidfd);
                if spec.record_namespaces {
                    let mut list = namespaces.lock().expect("not poisoned");
                    for ns in ["user", "pid", "mnt", "net", "ipc", "uts", "cgroup"] {
                        let theirs = ns_id(format!("/proc/{pid}/ns/{ns}"));
                        let ours = ns_id(format!("/proc/self/ns/{ns}"));
                        list.push((ns, theirs.is_some() && theirs != ours));
                    }
                }
                if let Some(group) = group {
                    group
                        .attach(pid)
                        .map_err(|e| format!("joining the run's cgroups: {e}"))?;
                }
                // Only now may the helper go on: everything it starts is inside the cgroups.
                if let Some(mut stdin) = stdin {
                    let _ = stdin.write_all(&config).await;
                    let _ = stdin.shutdown().await;
                }
                Ok::<(), String>(())
            };
            if let Err(e) = step.await {
                killer.kill();
                *setup_error.lock().expect("not poisoned") = Some(e);
            }
            let _ = child.wait().await;
            if let Some(pidfd) = init_pidfd {
                wait_exited(pidfd).await;
            }
        };
        let status = async {
            let raw = read_capped(&mut status_r, MAX_CONTROL_BYTES).await;
            raw.split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .filter_map(|l| serde_json::from_slice::<InitStatus>(l).ok())
                .collect::<Vec<_>>()
        };
        let result = async {
            let cap = spec.limits.result_bytes;
            let mut bytes = read_capped(&mut result_r, cap as u64 + 1).await;
            if bytes.len() > cap {
                bytes.truncate(cap);
                shared.overflow(OVERFLOW_RESULT);
            }
            drop(result_r);
            bytes
        };
        let everything = async {
            tokio::join!(
                lifecycle,
                status,
                result,
                pump(stdout, LogStream::Stdout, &shared),
                pump(stderr, LogStream::Stderr, &shared)
            )
        };
        tokio::pin!(everything);

        let mut killed: Option<(End, Instant)> = None;
        let joined = loop {
            let grace = killed.as_ref().map(|(_, at)| *at + TEARDOWN_GRACE);
            tokio::select! {
                biased;
                joined = &mut everything => break Some(joined),
                _ = tokio::time::sleep_until(spec.deadline), if killed.is_none() => {
                    killer.kill();
                    killed = Some((End::TimedOut, Instant::now()));
                }
                _ = spec.cancel.cancelled(), if killed.is_none() => {
                    killer.kill();
                    killed = Some((End::Cancelled, Instant::now()));
                }
                _ = shared.overflow.cancelled(), if killed.is_none() => {
                    killer.kill();
                    let end = if shared.overflow_kind.load(Ordering::SeqCst) == OVERFLOW_RESULT {
                        End::ResultLimit
                    } else {
                        End::OutputLimit
                    };
                    killed = Some((end, Instant::now()));
                }
                _ = tokio::time::sleep_until(grace.unwrap_or(spec.deadline)), if grace.is_some() => {
                    break None;
                }
            }
        };
        report.namespaces = std::mem::take(&mut *namespaces.lock().expect("not poisoned"));
        report.last_stderr = shared.last_stderr.lock().expect("not poisoned").clone();
        let Some(((), statuses, result, (), ())) = joined else {
            report.torn_down = false;
            report.end = killed.map(|(end, _)| end).unwrap_or(End::Vanished);
            return Ok(());
        };
        report.result = result;
        for status in statuses {
            match status {
                InitStatus::Ready { layers } => report.layers = Some(layers),
                InitStatus::SetupFailed { step, error } => {
                    report.end = End::SetupFailed { step, error }
                }
                InitStatus::Exited { code, cpu_ms } => report.end = End::Exited { code, cpu_ms },
                InitStatus::Signaled { signal, cpu_ms } => {
                    report.end = End::Signaled { signal, cpu_ms }
                }
            }
        }
        if let Some(e) = setup_error.lock().expect("not poisoned").take() {
            report.end = End::Launch(e);
        }
        if let Some((end, _)) = killed {
            report.end = end;
        }
        Ok(())
    }
}

/// Streams one output pipe into the log, line by line, as it comes.
async fn pump(reader: Option<impl AsyncRead + Unpin>, stream: LogStream, shared: &Shared<'_>) {
    let Some(mut reader) = reader else { return };
    let mut buf = vec![0u8; 16 * 1024];
    let mut splitter = LineSplitter::new(shared.limits.line_bytes);
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut full = false;
    loop {
        let n = match reader.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if full {
            // The log is full: the rest is read only to be counted and dropped, in the fixed
            // buffer, so a flood costs neither memory nor line splitting.
            if !shared.count(n).await {
                return;
            }
            continue;
        }
        splitter.push(&buf[..n], |line| lines.push(line.to_vec()));
        for line in lines.drain(..) {
            if full {
                if !shared.count(line.len() + 1).await {
                    return;
                }
                continue;
            }
            match shared.emit(stream, &line).await {
                Emitted::Kept => {}
                Emitted::Full => full = true,
                // Stop reading: the run is being killed, and the pipe closes with us.
                Emitted::Stopped => return,
            }
        }
    }
    if let Some(rest) = splitter.finish().filter(|_| !full) {
        shared.emit(stream, &rest).await;
    }
}
