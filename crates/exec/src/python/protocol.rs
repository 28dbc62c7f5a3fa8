//! What the service and `sundial-sandbox-init` say to each other.
//!
//! Both sides use this one module (the helper's code is `exec::python::init`), so they always
//! agree on the shapes. The service writes one [`InitConfig`] as JSON on the helper's stdin and
//! closes it; the helper answers with [`InitStatus`] JSON lines on the status fd named by its
//! `--status-fd` argument.

use serde::{Deserialize, Serialize};

/// The fd on which the script may write its JSON result (and only the script: nobody reads it
/// back from a file the host could be tricked into following).
pub const RESULT_FD: i32 = 3;

/// Where the script lives inside the sandbox (read-only).
pub const SCRIPT_PATH: &str = "/sbx/main.py";
/// Where the helper lives inside the sandbox (read-only).
pub const INIT_PATH: &str = "/sbx/init";
/// The private work directory: cwd, `$HOME` and `/tmp` of the script.
pub const WORK_DIR: &str = "/tmp";
/// Shared memory for `multiprocessing` semaphores; a second small capped tmpfs.
pub const SHM_DIR: &str = "/dev/shm";
/// Largest configuration the helper accepts on stdin.
pub const MAX_INIT_CONFIG_BYTES: usize = 1024 * 1024;

/// Everything the helper needs to finish the sandbox and start the script.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InitConfig {
    /// Absolute path of the interpreter inside the sandbox.
    pub program: String,
    /// Its arguments (without argv\[0\]).
    pub args: Vec<String>,
    /// The script's whole environment, in order.
    pub env: Vec<(String, String)>,
    /// The work tmpfs on [`WORK_DIR`]; `None` leaves bwrap's uncapped directory (test weakening).
    pub work_tmpfs: Option<TmpfsSpec>,
    /// The tmpfs on [`SHM_DIR`]; `None` leaves it absent (test weakening).
    pub shm_tmpfs: Option<TmpfsSpec>,
    /// Mount a `subset=pid,hidepid=invisible` procfs over bwrap's `/proc`.
    pub proc_subset: bool,
    /// Resource limits; `None` only under a test weakening.
    pub rlimits: Option<Rlimits>,
    /// Whether, and how strictly, to apply Landlock.
    pub landlock: LandlockMode,
    /// Whether to install the seccomp filter.
    pub seccomp: bool,
}

/// Size and inode caps of one tmpfs.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct TmpfsSpec {
    /// `size=` in bytes.
    pub size_bytes: u64,
    /// `nr_inodes=`.
    pub inodes: u64,
}

/// The rlimits the helper sets on itself before it starts the script (inherited).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Rlimits {
    /// RLIMIT_CPU soft limit in seconds (SIGXCPU); the hard limit is one second more (SIGKILL).
    pub cpu_seconds: u64,
    /// RLIMIT_AS in bytes.
    pub address_space_bytes: u64,
    /// RLIMIT_NOFILE.
    pub open_files: u64,
    /// RLIMIT_NPROC (processes and threads of the sandbox user in its user namespace).
    pub processes: u64,
    /// RLIMIT_FSIZE in bytes.
    pub file_size_bytes: u64,
}

/// How the helper treats Landlock.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LandlockMode {
    /// Must be enforced (at least the filesystem rules) or the run does not start.
    Required,
    /// Applied as far as the kernel supports it; the operator allowed it to be missing.
    BestEffort,
    /// Not applied (test weakening).
    Off,
}

/// One line the helper writes on its status fd.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InitStatus {
    /// The sandbox is complete; the script is about to start.
    Ready {
        /// Which layers the helper put in place.
        layers: InitLayers,
    },
    /// A step of the set-up failed; the script never ran.
    SetupFailed {
        /// The step.
        step: String,
        /// The error.
        error: String,
    },
    /// The script exited normally.
    Exited {
        /// Its exit code.
        code: i32,
        /// CPU time of the script and its reaped children, in milliseconds.
        cpu_ms: u64,
    },
    /// The script was killed by a signal.
    Signaled {
        /// The signal number.
        signal: i32,
        /// CPU time of the script and its reaped children, in milliseconds.
        cpu_ms: u64,
    },
}

/// The layers the helper established, as it observed them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct InitLayers {
    /// The work tmpfs was mounted with its size and inode caps.
    pub tmpfs_caps: bool,
    /// `/proc` was remounted with `subset=pid`.
    pub proc_subset: bool,
    /// All rlimits were set.
    pub rlimits: bool,
    /// Every capability was dropped (effective, permitted, inheritable, ambient).
    pub caps_dropped: bool,
    /// `no_new_privs` is set.
    pub no_new_privs: bool,
    /// The Landlock ABI the kernel offers (0: none).
    pub landlock_abi: u32,
    /// How the Landlock ruleset was enforced: `full`, `partial`, `none` or `off`.
    pub landlock: String,
    /// The seccomp filter is installed.
    pub seccomp: bool,
    /// After installing it, `unshare(CLONE_NEWUSER)` failed with EPERM as it should.
    pub seccomp_self_test: bool,
}
