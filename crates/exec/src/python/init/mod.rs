//! `sundial-sandbox-init`: pid 1 of a `python_script` sandbox.
//!
//! bubblewrap builds the namespaces and the read-only root, then executes this helper as pid 1
//! of the new pid namespace (`--as-pid-1`) with `CAP_SYS_ADMIN` in the sandbox's own user
//! namespace only. The helper
//! 1. blocks reading its configuration on stdin: the service moves it into the run's cgroups
//!    before sending it, so the script can never run outside them;
//! 2. mounts the capped tmpfs work dir, a capped `/dev/shm` and a `subset=pid` procfs;
//! 3. sets the rlimits, drops every capability, sets `no_new_privs`, applies Landlock, then
//!    the seccomp filter (last: it forbids `mount`);
//! 4. starts the script with a cleared environment and `/dev/null` on stdin, reaps every
//!    orphan, and when the script itself ends reports how on its status fd and exits,
//!    which makes the kernel kill whatever is left in the pid namespace.
//!
//! It is not meant to be run by hand. The code lives here, next to the service side it talks
//! to; the executable is a one-line `main` in the `sundial` package (so `cargo build -p sundial`
//! puts it next to `sundial`) and, for this crate's own tests, `exec-sandbox-init`.

// Taking ownership of the status fd by number, getrusage, close_range and the seccomp syscall
// need `unsafe`; each block says why it is sound. Only the helper process runs this module:
// the service never calls into it.
#![allow(unsafe_code)]

mod seccomp;

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, FromRawFd};
use std::process::{Command, Stdio};

use landlock::{
    ABI, Access, AccessFs, AccessNet, CompatLevel, Compatible, LandlockStatus, PathBeneath, PathFd,
    Ruleset, RulesetAttr, RulesetCreatedAttr, RulesetStatus, Scope,
};
use rustix::io::{FdFlags, fcntl_setfd};
use rustix::mount::{MountFlags, mount};
use rustix::process::{Resource, Rlimit, Signal, WaitOptions, setrlimit};
use rustix::thread::{CapabilitySet, CapabilitySets};

use super::protocol::{
    InitConfig, InitLayers, InitStatus, LandlockMode, MAX_INIT_CONFIG_BYTES, RESULT_FD, SHM_DIR,
    TmpfsSpec, WORK_DIR,
};

/// A failed set-up step: which, and why.
struct StepError(&'static str, String);

fn step<T, E: std::fmt::Display>(name: &'static str, r: Result<T, E>) -> Result<T, StepError> {
    r.map_err(|e| StepError(name, e.to_string()))
}

/// `--status-fd N --result-fd M`: the numbers the service's pipes have (it passes them through
/// unchanged rather than remapping them, so they can never collide with the fds the standard
/// library uses while spawning).
fn fd_args() -> Option<(i32, i32)> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [s, status, r, result] if s == "--status-fd" && r == "--result-fd" => {
            Some((status.parse().ok()?, result.parse().ok()?))
        }
        _ => None,
    }
}

/// The helper's whole life: set up the sandbox from the configuration on stdin, run the script,
/// report how it ended, exit. Never returns.
pub fn main() -> ! {
    // If bwrap's monitor (and so the service) goes away, so does the whole sandbox.
    let _ = rustix::process::set_parent_process_death_signal(Some(Signal::KILL));
    // Not dumpable: the script (same uid, no capabilities) cannot ptrace the helper and forge
    // its status, even if seccomp were missing.
    let _ = rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable);
    let Some((status_fd, result_fd)) = fd_args() else {
        eprintln!("sundial-sandbox-init: internal helper of Sundial, not to be run by hand");
        std::process::exit(2);
    };
    if status_fd < 3 || result_fd < 3 || status_fd == result_fd {
        std::process::exit(2);
    }
    // Give the status pipe a number above the script's fds, then put the result pipe on fd 3.
    // SAFETY: both numbers were opened by the service for us and are used nowhere else here;
    // each is owned exactly once, and dup2 onto fd 3 closes whatever held that number.
    let mut status = unsafe {
        let moved = libc::fcntl(status_fd, libc::F_DUPFD_CLOEXEC, 10);
        if moved < 0 {
            std::process::exit(2);
        }
        libc::close(status_fd);
        File::from_raw_fd(moved)
    };
    // SAFETY: see above.
    unsafe {
        if result_fd != RESULT_FD {
            if libc::dup2(result_fd, RESULT_FD) < 0 {
                std::process::exit(2);
            }
            libc::close(result_fd);
        }
    }
    let _ = fcntl_setfd(status.as_fd(), FdFlags::CLOEXEC);
    let code = match run(&mut status) {
        Ok(()) => 0,
        Err(StepError(step, error)) => {
            report(
                &mut status,
                &InitStatus::SetupFailed {
                    step: step.into(),
                    error,
                },
            );
            1
        }
    };
    std::process::exit(code);
}

fn report(status: &mut File, message: &InitStatus) {
    let mut line = serde_json::to_vec(message).expect("status serializes");
    line.push(b'\n');
    // The service may already be gone (it killed us); nothing useful to do about it.
    let _ = status.write_all(&line);
}

fn run(status: &mut File) -> Result<(), StepError> {
    let mut raw = Vec::new();
    step(
        "read configuration",
        io::stdin()
            .lock()
            .take(MAX_INIT_CONFIG_BYTES as u64 + 1)
            .read_to_end(&mut raw),
    )?;
    if raw.len() > MAX_INIT_CONFIG_BYTES {
        return Err(StepError("read configuration", "too large".into()));
    }
    let config: InitConfig = step("parse configuration", serde_json::from_slice(&raw))?;
    drop(raw);

    let mut layers = InitLayers::default();
    let nosuid_nodev_noexec = MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC;
    if let Some(spec) = config.work_tmpfs {
        step(
            "mount work tmpfs",
            mount_tmpfs(WORK_DIR, spec, nosuid_nodev_noexec),
        )?;
        layers.tmpfs_caps = true;
    }
    if let Some(spec) = config.shm_tmpfs {
        step(
            "mount /dev/shm",
            mount_tmpfs(SHM_DIR, spec, nosuid_nodev_noexec),
        )?;
    }
    if config.proc_subset {
        // Needs a fully visible procfs already in this mount namespace (bwrap's --proc); a
        // kernel older than 5.8 refuses subset=pid and keeps bwrap's, which is still the pid
        // namespace's own.
        layers.proc_subset = mount(
            "proc",
            "/proc",
            "proc",
            nosuid_nodev_noexec,
            c"subset=pid,hidepid=invisible",
        )
        .is_ok();
    }
    step("chdir", rustix::process::chdir(WORK_DIR))?;

    if let Some(limits) = config.rlimits {
        let fixed = |n: u64| Rlimit {
            current: Some(n),
            maximum: Some(n),
        };
        let cpu = Rlimit {
            current: Some(limits.cpu_seconds),
            maximum: Some(limits.cpu_seconds.saturating_add(1)),
        };
        for (resource, limit) in [
            (Resource::Cpu, cpu),
            (Resource::As, fixed(limits.address_space_bytes)),
            (Resource::Nofile, fixed(limits.open_files)),
            (Resource::Nproc, fixed(limits.processes)),
            (Resource::Fsize, fixed(limits.file_size_bytes)),
            (Resource::Core, fixed(0)),
            (Resource::Rtprio, fixed(0)),
            (Resource::Nice, fixed(0)),
            (Resource::Memlock, fixed(64 * 1024)),
            (Resource::Msgqueue, fixed(0)),
        ] {
            step("setrlimit", setrlimit(resource, limit))?;
        }
        layers.rlimits = true;
    }

    // Capabilities were only lent for the mounts above.
    step(
        "drop ambient capabilities",
        rustix::thread::clear_ambient_capability_set(),
    )?;
    let none = CapabilitySets {
        effective: CapabilitySet::empty(),
        permitted: CapabilitySet::empty(),
        inheritable: CapabilitySet::empty(),
    };
    step(
        "drop capabilities",
        rustix::thread::set_capabilities(None, none),
    )?;
    let now = step("read capabilities", rustix::thread::capabilities(None))?;
    layers.caps_dropped =
        now.effective.is_empty() && now.permitted.is_empty() && now.inheritable.is_empty();
    if !layers.caps_dropped {
        return Err(StepError("drop capabilities", "some remain".into()));
    }
    step("no_new_privs", rustix::thread::set_no_new_privs(true))?;
    layers.no_new_privs = true;

    let (abi, enforced) = apply_landlock(config.landlock, config.shm_tmpfs.is_some())?;
    layers.landlock_abi = abi;
    layers.landlock = enforced.into();

    if config.seccomp {
        step("seccomp", seccomp::install())?;
        layers.seccomp = true;
        layers.seccomp_self_test = seccomp::self_test();
        if !layers.seccomp_self_test {
            return Err(StepError(
                "seccomp",
                "self-test: unshare(CLONE_NEWUSER) allowed".into(),
            ));
        }
    }

    // Nothing but stdio and the result fd (3) may reach the script; the status fd sits above 10.
    // SAFETY: close_range with CLOSE_RANGE_CLOEXEC only flags descriptors; it closes nothing
    // this process still uses.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            4u32,
            u32::MAX,
            libc::CLOSE_RANGE_CLOEXEC,
        )
    };
    if rc != 0 {
        return Err(StepError(
            "close_range",
            io::Error::last_os_error().to_string(),
        ));
    }

    report(status, &InitStatus::Ready { layers });
    let child = Command::new(&config.program)
        .args(&config.args)
        .env_clear()
        .envs(config.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .current_dir(WORK_DIR)
        .spawn();
    let child = step("start python", child)?;
    let script = child.id() as i32;

    // Reap everything (we are pid 1: orphans are ours) until the script itself ends.
    let final_status = loop {
        match rustix::process::wait(WaitOptions::empty()) {
            Ok(Some((pid, ws))) if pid.as_raw_nonzero().get() == script => break ws,
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(StepError("wait", e.to_string())),
        }
    };
    let cpu_ms = children_cpu_ms();
    let message = match (
        final_status.exit_status(),
        final_status.terminating_signal(),
    ) {
        (Some(code), _) => InitStatus::Exited { code, cpu_ms },
        (None, Some(signal)) => InitStatus::Signaled { signal, cpu_ms },
        _ => InitStatus::SetupFailed {
            step: "wait".into(),
            error: format!("{final_status:?}"),
        },
    };
    report(status, &message);
    Ok(())
}

fn mount_tmpfs(target: &str, spec: TmpfsSpec, flags: MountFlags) -> rustix::io::Result<()> {
    let options = format!(
        "size={},nr_inodes={},mode=0700",
        spec.size_bytes, spec.inodes
    );
    let options = std::ffi::CString::new(options).expect("no NUL in numbers");
    mount("tmpfs", target, "tmpfs", flags, options.as_c_str())
}

/// Landlock: read-only system directories, read-write only the tmpfs mounts, no TCP bind or
/// connect, no signals or abstract unix sockets across the sandbox's boundary.
fn apply_landlock(mode: LandlockMode, shm: bool) -> Result<(u32, &'static str), StepError> {
    if mode == LandlockMode::Off {
        return Ok((0, "off"));
    }
    let abi = ABI::V6;
    let read = AccessFs::ReadFile | AccessFs::ReadDir;
    let read_exec = read | AccessFs::Execute;
    let device = AccessFs::ReadFile | AccessFs::WriteFile | AccessFs::IoctlDev;
    // Everything in the tmpfs except executing and creating devices.
    let read_write =
        AccessFs::from_all(abi) & !(AccessFs::Execute | AccessFs::MakeChar | AccessFs::MakeBlock);
    let path = |p: &str| PathFd::new(p).map_err(|e| e.to_string());
    let ruleset = || -> Result<landlock::RestrictionStatus, String> {
        let mut created = Ruleset::default()
            .set_compatibility(CompatLevel::BestEffort)
            .handle_access(AccessFs::from_all(abi))
            .and_then(|r| r.handle_access(AccessNet::from_all(abi)))
            .and_then(|r| r.scope(Scope::from_all(abi)))
            .and_then(|r| r.create())
            .map_err(|e| e.to_string())?;
        // Listing directories is harmless: the mount namespace decides what exists.
        let mut rules = vec![
            PathBeneath::new(path("/")?, AccessFs::ReadDir),
            PathBeneath::new(path("/usr")?, read_exec),
            PathBeneath::new(path("/sbx")?, read),
            PathBeneath::new(path("/proc")?, read),
            PathBeneath::new(path(WORK_DIR)?, read_write),
        ];
        for dev in [
            "/dev/null",
            "/dev/zero",
            "/dev/full",
            "/dev/random",
            "/dev/urandom",
        ] {
            rules.push(PathBeneath::new(path(dev)?, device));
        }
        if shm {
            rules.push(PathBeneath::new(path(SHM_DIR)?, read_write));
        }
        for rule in rules {
            created = created.add_rule(rule).map_err(|e| e.to_string())?;
        }
        created.restrict_self().map_err(|e| e.to_string())
    };
    let status = step("landlock", ruleset())?;
    let kernel_abi = match status.landlock {
        LandlockStatus::Available { effective_abi, .. } => abi_number(effective_abi),
        _ => 0,
    };
    let enforced = match status.ruleset {
        RulesetStatus::FullyEnforced => "full",
        RulesetStatus::PartiallyEnforced => "partial",
        RulesetStatus::NotEnforced => "none",
    };
    if mode == LandlockMode::Required && status.ruleset == RulesetStatus::NotEnforced {
        return Err(StepError("landlock", "not supported by this kernel".into()));
    }
    Ok((kernel_abi, enforced))
}

fn abi_number(abi: ABI) -> u32 {
    // ABI is non-exhaustive; its Debug form is "V<n>".
    format!("{abi:?}")
        .trim_start_matches('V')
        .parse()
        .unwrap_or(0)
}

fn children_cpu_ms() -> u64 {
    // SAFETY: getrusage only writes the struct we hand it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) } != 0 {
        return 0;
    }
    let ms = |t: libc::timeval| t.tv_sec as u64 * 1000 + t.tv_usec as u64 / 1000;
    ms(usage.ru_utime) + ms(usage.ru_stime)
}
