//! Operator settings of the python sandbox.

use std::path::PathBuf;

use serde::Serialize;

/// The environment variable naming the layers an operator lets be missing.
pub const ALLOW_DEGRADED_ENV: &str = "SUNDIAL_SANDBOX_ALLOW_DEGRADED";

/// Layers that can never be listed in [`ALLOW_DEGRADED_ENV`]: without them there is no sandbox.
const REQUIRED_LAYERS: &[&str] = &[
    "namespaces",
    "user",
    "pid",
    "mount",
    "net",
    "network",
    "ipc",
    "uts",
    "seccomp",
    "rlimits",
    "rlimit",
    "tmpfs",
    "tmpfs_caps",
];

/// The optional layers an operator explicitly allows to be missing on this host.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AllowDegraded {
    /// Run without Landlock if the kernel lacks it.
    pub landlock: bool,
    /// Run without memory/pids/cpu cgroups if the host offers none we can use.
    pub cgroups: bool,
}

/// Why a [`ALLOW_DEGRADED_ENV`] value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllowDegradedError {
    /// A layer that is always required was listed.
    #[error(
        "{ALLOW_DEGRADED_ENV}: `{0}` can never be degraded (namespaces, seccomp, rlimits and the \
         tmpfs caps are always required); only `landlock` and `cgroups` may be listed"
    )]
    Required(String),
    /// Not a layer name at all.
    #[error(
        "{ALLOW_DEGRADED_ENV}: unknown layer `{0}`; only `landlock` and `cgroups` may be listed, \
         comma-separated"
    )]
    Unknown(String),
    /// `landlock,,cgroups` or a trailing comma.
    #[error(
        "{ALLOW_DEGRADED_ENV}: empty entry at position {0}; write a comma-separated list such as \
         `landlock,cgroups`"
    )]
    Empty(usize),
    /// The same layer twice.
    #[error("{ALLOW_DEGRADED_ENV}: `{0}` is listed twice")]
    Duplicate(String),
}

impl AllowDegraded {
    /// Parses `landlock`, `cgroups`, `landlock,cgroups` (spaces around entries ignored, any
    /// case); the empty string allows nothing.
    pub fn parse(value: &str) -> Result<Self, AllowDegradedError> {
        let mut allowed = Self::default();
        if value.trim().is_empty() {
            return Ok(allowed);
        }
        for (index, raw) in value.split(',').enumerate() {
            let entry = raw.trim();
            if entry.is_empty() {
                return Err(AllowDegradedError::Empty(index + 1));
            }
            let name = entry.to_ascii_lowercase();
            let slot = match name.as_str() {
                "landlock" => &mut allowed.landlock,
                "cgroups" | "cgroup" => &mut allowed.cgroups,
                _ if REQUIRED_LAYERS.contains(&name.as_str()) => {
                    return Err(AllowDegradedError::Required(entry.into()));
                }
                _ => return Err(AllowDegradedError::Unknown(entry.into())),
            };
            if std::mem::replace(slot, true) {
                return Err(AllowDegradedError::Duplicate(entry.into()));
            }
        }
        Ok(allowed)
    }

    /// The names allowed, for logs.
    pub fn names(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self.landlock {
            names.push("landlock");
        }
        if self.cgroups {
            names.push("cgroups");
        }
        names
    }
}

/// Resource limits of one sandbox. The defaults suit small scheduled scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SandboxLimits {
    /// RLIMIT_CPU per process, seconds (SIGXCPU, then SIGKILL one second later).
    pub cpu_seconds: u64,
    /// RLIMIT_AS per process, bytes: a single huge allocation fails with `MemoryError`.
    pub address_space_bytes: u64,
    /// Memory cgroup limit for the whole sandbox, bytes (the OOM killer acts beyond it).
    pub memory_bytes: u64,
    /// Processes and threads: RLIMIT_NPROC and the pids cgroup.
    pub processes: u64,
    /// RLIMIT_NOFILE.
    pub open_files: u64,
    /// RLIMIT_FSIZE, bytes.
    pub file_size_bytes: u64,
    /// Size of the work tmpfs (`/tmp`, the cwd), bytes.
    pub tmpfs_bytes: u64,
    /// Inodes of the work tmpfs.
    pub tmpfs_inodes: u64,
    /// Size of `/dev/shm`, bytes.
    pub shm_bytes: u64,
    /// Inodes of `/dev/shm`.
    pub shm_inodes: u64,
    /// CPU bandwidth of the whole sandbox in percent of one core (cgroup cpu quota).
    pub cpu_percent: u64,
    /// stdout and stderr together; beyond it the run is stopped. Output past the log's caps
    /// but below this is read and dropped, and the script goes on.
    pub output_bytes: usize,
    /// Longest line kept whole; longer ones are split.
    pub line_bytes: usize,
    /// Largest JSON result on fd 3; beyond it the run is stopped.
    pub result_bytes: usize,
}

impl Default for SandboxLimits {
    fn default() -> Self {
        Self {
            cpu_seconds: 60,
            address_space_bytes: 1 << 30,
            memory_bytes: 512 << 20,
            processes: 64,
            open_files: 256,
            file_size_bytes: 64 << 20,
            tmpfs_bytes: 64 << 20,
            tmpfs_inodes: 4096,
            shm_bytes: 16 << 20,
            shm_inodes: 1024,
            cpu_percent: 100,
            // The log's own byte cap by default: output beyond it could not be kept anyway.
            output_bytes: crate::LogLimits::default().max_bytes as usize,
            line_bytes: 16 * 1024,
            result_bytes: 64 * 1024,
        }
    }
}

/// The host identity the sandbox runs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RunAs {
    /// Host uid (also the uid inside: the user namespace maps it onto itself).
    pub uid: u32,
    /// Host gid.
    pub gid: u32,
}

/// Test-only switches that remove one layer each, to prove the hostile tests detect its loss.
#[cfg(feature = "test-support")]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Weakening {
    /// No seccomp filter.
    pub no_seccomp: bool,
    /// No Landlock.
    pub no_landlock: bool,
    /// Share the host's pid namespace (and bind its /proc).
    pub no_pid_ns: bool,
    /// Share the host's network namespace.
    pub no_net_ns: bool,
    /// Share the host's ipc namespace.
    pub no_ipc_ns: bool,
    /// Share the host's uts namespace.
    pub no_uts_ns: bool,
    /// Set no rlimits.
    pub no_rlimits: bool,
    /// No capped tmpfs: `/tmp` stays a directory of bwrap's root tmpfs, unlimited and writable.
    pub no_tmpfs_caps: bool,
    /// No cgroups.
    pub no_cgroups: bool,
    /// Bind the host's whole root read-only under the sandbox (no minimal mount set).
    pub host_root: bool,
    /// Pass the service's environment through to the script.
    pub host_env: bool,
}

/// How the service runs python scripts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SandboxConfig {
    /// bubblewrap.
    pub bwrap: PathBuf,
    /// The interpreter, the same path inside (only `/usr` is mounted): Debian's python3.
    pub python: PathBuf,
    /// The `sundial-sandbox-init` helper; `None`: next to the running executable.
    pub init: Option<PathBuf>,
    /// Layers allowed to be missing.
    pub allow_degraded: AllowDegraded,
    /// Sandboxes running at once; further attempts wait for a slot (within their timeout).
    pub max_sandboxes: usize,
    /// Limits of each sandbox.
    pub limits: SandboxLimits,
    /// `None`: 65534:65534 (nobody) when the service runs as root, the service's own ids
    /// otherwise.
    pub run_as: Option<RunAs>,
    /// Test-only weakenings.
    #[cfg(feature = "test-support")]
    pub weaken: Weakening,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            bwrap: "/usr/bin/bwrap".into(),
            python: "/usr/bin/python3".into(),
            init: None,
            allow_degraded: AllowDegraded::default(),
            max_sandboxes: 4,
            limits: SandboxLimits::default(),
            run_as: None,
            #[cfg(feature = "test-support")]
            weaken: Weakening::default(),
        }
    }
}

impl SandboxConfig {
    /// The defaults with [`ALLOW_DEGRADED_ENV`]'s value applied.
    pub fn from_allow_degraded(value: &str) -> Result<Self, AllowDegradedError> {
        Ok(Self {
            allow_degraded: AllowDegraded::parse(value)?,
            ..Self::default()
        })
    }

    /// The defaults with [`ALLOW_DEGRADED_ENV`] read from the environment (unset: nothing).
    pub fn from_env() -> Result<Self, AllowDegradedError> {
        Self::from_allow_degraded(&std::env::var(ALLOW_DEGRADED_ENV).unwrap_or_default())
    }

    /// The weakenings in force (always none outside tests).
    #[cfg(feature = "test-support")]
    pub(crate) fn weakening(&self) -> Weakening {
        self.weaken
    }

    /// The weakenings in force (always none outside tests).
    #[cfg(not(feature = "test-support"))]
    pub(crate) fn weakening(&self) -> Weakening {
        Weakening::default()
    }
}

/// Production builds have no weakening switches; this stand-in is always all-false.
#[cfg(not(feature = "test-support"))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Weakening {
    pub no_seccomp: bool,
    pub no_landlock: bool,
    pub no_pid_ns: bool,
    pub no_net_ns: bool,
    pub no_ipc_ns: bool,
    pub no_uts_ns: bool,
    pub no_rlimits: bool,
    pub no_tmpfs_caps: bool,
    pub no_cgroups: bool,
    pub host_root: bool,
    pub host_env: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_degraded_accepts_the_two_soft_layers() {
        assert_eq!(AllowDegraded::parse("").unwrap(), AllowDegraded::default());
        assert_eq!(
            AllowDegraded::parse("  ").unwrap(),
            AllowDegraded::default()
        );
        let both = AllowDegraded {
            landlock: true,
            cgroups: true,
        };
        assert_eq!(AllowDegraded::parse("landlock,cgroups").unwrap(), both);
        assert_eq!(AllowDegraded::parse(" Cgroups , LANDLOCK ").unwrap(), both);
        assert_eq!(
            AllowDegraded::parse("landlock").unwrap(),
            AllowDegraded {
                landlock: true,
                cgroups: false
            }
        );
        let config = SandboxConfig::from_allow_degraded("cgroups").unwrap();
        assert!(config.allow_degraded.cgroups && !config.allow_degraded.landlock);
    }

    #[test]
    fn allow_degraded_errors_are_precise() {
        assert_eq!(
            AllowDegraded::parse("seccomp"),
            Err(AllowDegradedError::Required("seccomp".into()))
        );
        assert_eq!(
            AllowDegraded::parse("landlock,pid"),
            Err(AllowDegradedError::Required("pid".into()))
        );
        assert_eq!(
            AllowDegraded::parse("landlok"),
            Err(AllowDegradedError::Unknown("landlok".into()))
        );
        assert_eq!(
            AllowDegraded::parse("landlock,,cgroups"),
            Err(AllowDegradedError::Empty(2))
        );
        assert_eq!(
            AllowDegraded::parse("landlock,"),
            Err(AllowDegradedError::Empty(2))
        );
        assert_eq!(
            AllowDegraded::parse("cgroups,cgroups"),
            Err(AllowDegradedError::Duplicate("cgroups".into()))
        );
        let message = AllowDegraded::parse("tmpfs").unwrap_err().to_string();
        assert!(
            message.contains(ALLOW_DEGRADED_ENV) && message.contains("never"),
            "{message}"
        );
    }
}
