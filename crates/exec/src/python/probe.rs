//! The start-up probe: which sandbox layers this host supports, found by really building one.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use serde::Serialize;

use super::config::RunAs;
use super::supervisor::{End, RunReport};

/// One layer's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Layer {
    /// Whether the layer is in place.
    pub ok: bool,
    /// What was found (version, reason it is missing...).
    pub detail: String,
}

impl Layer {
    pub(crate) fn new(ok: bool, detail: impl Into<String>) -> Self {
        Self {
            ok,
            detail: detail.into(),
        }
    }
}

/// Every layer the probe checks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Layers {
    /// User namespace (required).
    pub user_ns: Layer,
    /// Pid namespace (required).
    pub pid_ns: Layer,
    /// Mount namespace with the minimal read-only root (required).
    pub mount_ns: Layer,
    /// Network namespace without interfaces (required).
    pub net_ns: Layer,
    /// IPC namespace (required).
    pub ipc_ns: Layer,
    /// UTS namespace (required).
    pub uts_ns: Layer,
    /// Seccomp filter, self-tested (required).
    pub seccomp: Layer,
    /// rlimits (required).
    pub rlimits: Layer,
    /// Capped tmpfs work dir (required).
    pub tmpfs_caps: Layer,
    /// Capabilities dropped and `no_new_privs` (required).
    pub privileges: Layer,
    /// `/proc` with `subset=pid` (nice to have; the pid namespace's own procfs otherwise).
    pub proc_subset: Layer,
    /// Landlock (may be degraded with the operator's consent).
    pub landlock: Layer,
    /// Memory, pids and cpu cgroups (may be degraded with the operator's consent).
    pub cgroups: Layer,
}

/// The probe's findings, for `/metrics` and the start-up log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProbeReport {
    /// Whether python tasks can run.
    pub ready: bool,
    /// Why not, when not.
    pub error: Option<String>,
    /// Optional layers that are missing and that the operator allowed to be.
    pub degraded: Vec<String>,
    /// Things an operator should know (degraded layers, older kernel features).
    pub warnings: Vec<String>,
    /// `bwrap --version`.
    pub bwrap: Option<String>,
    /// The interpreter's version as the sandbox runs it.
    pub python: Option<String>,
    /// The helper binary.
    pub init: Option<String>,
    /// Host uid:gid the sandbox runs as.
    pub sandbox_user: String,
    /// Sandboxes allowed at once.
    pub max_sandboxes: usize,
    /// Per-layer findings.
    pub layers: Layers,
    /// Wall time of the probe's test run, milliseconds.
    pub probe_run_ms: u64,
}

/// Fills the per-layer findings from the probe run.
pub(crate) fn layers_from_run(run: &RunReport, layers: &mut Layers) {
    let ns = |name: &str| {
        run.namespaces
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, isolated)| *isolated)
    };
    let ns_layer = |name: &str| match ns(name) {
        Some(true) => Layer::new(true, "own namespace"),
        Some(false) => Layer::new(false, "shares the service's namespace"),
        None => Layer::new(false, "not observed: the probe sandbox did not start"),
    };
    layers.user_ns = ns_layer("user");
    layers.pid_ns = ns_layer("pid");
    layers.mount_ns = ns_layer("mnt");
    layers.net_ns = ns_layer("net");
    layers.ipc_ns = ns_layer("ipc");
    layers.uts_ns = ns_layer("uts");
    let Some(init) = &run.layers else {
        let why = match &run.end {
            End::SetupFailed { step, error } => format!("set-up failed at {step}: {error}"),
            End::Launch(e) => format!("{e} ({})", run.last_stderr),
            other => format!(
                "the sandbox ended before set-up completed: {other:?} ({})",
                run.last_stderr
            ),
        };
        for layer in [
            &mut layers.seccomp,
            &mut layers.rlimits,
            &mut layers.tmpfs_caps,
            &mut layers.privileges,
            &mut layers.proc_subset,
            &mut layers.landlock,
        ] {
            *layer = Layer::new(false, why.clone());
        }
        return;
    };
    layers.seccomp = if init.seccomp && init.seccomp_self_test {
        Layer::new(
            true,
            "filter installed; unshare(CLONE_NEWUSER) refused with EPERM",
        )
    } else {
        Layer::new(false, "filter not installed or self-test failed")
    };
    layers.rlimits = Layer::new(init.rlimits, if init.rlimits { "set" } else { "not set" });
    layers.tmpfs_caps = Layer::new(
        init.tmpfs_caps,
        if init.tmpfs_caps {
            "size and nr_inodes"
        } else {
            "missing"
        },
    );
    layers.privileges = Layer::new(
        init.caps_dropped && init.no_new_privs,
        format!(
            "capabilities dropped: {}, no_new_privs: {}",
            init.caps_dropped, init.no_new_privs
        ),
    );
    layers.proc_subset = Layer::new(
        init.proc_subset,
        if init.proc_subset {
            "subset=pid,hidepid=invisible"
        } else {
            "pid namespace's procfs"
        },
    );
    layers.landlock = Layer::new(
        init.landlock == "full" || init.landlock == "partial",
        format!(
            "ABI {}, ruleset enforcement: {}",
            init.landlock_abi, init.landlock
        ),
    );
}

/// What bwrap says when it cannot open a path it was asked to bind, such as the helper's
/// `/proc/self/fd/N` when the sandbox user cannot reach the file behind it.
pub(crate) const BWRAP_NO_SOURCE: &str = "Can't find source path";

/// Why the sandbox user cannot reach the helper at `helper`: the first directory on its real
/// path that `user` may not enter by its mode bits (the owner's, the group's or the others'
/// search bit, as they apply to `user`), said for the operator. `None` when every directory
/// lets it through (or cannot be read).
pub(crate) fn unreachable_helper(helper: &Path, user: RunAs) -> Option<String> {
    let real = std::fs::canonicalize(helper).ok()?;
    let mut above: Vec<&Path> = real.ancestors().skip(1).collect();
    above.reverse();
    above.into_iter().find_map(|dir| {
        let meta = std::fs::metadata(dir).ok()?;
        let search = if meta.uid() == user.uid {
            0o100
        } else if meta.gid() == user.gid {
            0o010
        } else {
            0o001
        };
        (meta.mode() & search == 0).then(|| {
            format!(
                "the sandbox user {uid}:{gid} cannot reach the sandbox helper {helper}: {dir} \
                 (mode {mode:04o}, owner {owner}:{group}) does not let it in, so bwrap fails \
                 with `{BWRAP_NO_SOURCE} /proc/self/fd/…`; make every directory above the \
                 helper enterable by others (chmod o+x {dir}) or install it elsewhere",
                uid = user.uid,
                gid = user.gid,
                helper = real.display(),
                dir = dir.display(),
                mode = meta.mode() & 0o7777,
                owner = meta.uid(),
                group = meta.gid(),
            )
        })
    })
}
