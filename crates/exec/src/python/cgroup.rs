//! Memory, pids and CPU limits of a whole sandbox through cgroups (v2, or v1 as on hosts with
//! the hybrid layout).
//!
//! Every run gets its own group under `<the service's own group>/sundial-sandbox/`; the service
//! moves the sandbox's pid 1 into it while that process is still blocked reading its
//! configuration, so the script and all its descendants are born inside.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use super::config::SandboxLimits;

const BASE: &str = "sundial-sandbox";
/// The v2 leaf group the service's own processes move into, beside [`BASE`].
const SERVICE_LEAF: &str = "sundial-service";

/// Which cgroup hierarchy the host offers us.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "version", rename_all = "snake_case")]
pub enum Cgroups {
    /// The unified hierarchy with the memory and pids controllers.
    V2 {
        /// Our base group.
        base: PathBuf,
        /// Whether the cpu controller is available too.
        cpu: bool,
    },
    /// Separate v1 hierarchies.
    V1 {
        /// Base group in the memory hierarchy.
        memory: PathBuf,
        /// Base group in the pids hierarchy.
        pids: PathBuf,
        /// Base group in the cpu hierarchy, if mounted.
        cpu: Option<PathBuf>,
    },
}

/// What a run's cgroups recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CgroupStats {
    /// Processes the OOM killer killed in the sandbox.
    pub oom_kills: u64,
    /// Forks refused because the pids limit was reached.
    pub pids_max_hits: u64,
    /// Peak memory use of the sandbox, bytes (0 if the kernel does not say).
    pub memory_peak_bytes: u64,
}

/// The cgroups of one run; removed by [`RunCgroup::remove`] (best effort on drop).
#[derive(Debug)]
pub struct RunCgroup {
    v2: bool,
    memory: PathBuf,
    pids: PathBuf,
    all: Vec<PathBuf>,
    removed: bool,
}

struct Mount {
    point: PathBuf,
    root: String,
    fstype: String,
    options: Vec<String>,
}

fn mounts() -> io::Result<Vec<Mount>> {
    let text = fs::read_to_string("/proc/self/mountinfo")?;
    let mut out = Vec::new();
    for line in text.lines() {
        // id parent major:minor root mount-point options [optional...] - fstype source super
        let Some((left, right)) = line.split_once(" - ") else {
            continue;
        };
        let left: Vec<&str> = left.split(' ').collect();
        let right: Vec<&str> = right.split(' ').collect();
        if left.len() < 5 || right.len() < 3 {
            continue;
        }
        out.push(Mount {
            point: PathBuf::from(unescape(left[4])),
            root: unescape(left[3]),
            fstype: right[0].into(),
            options: right[2].split(',').map(str::to_owned).collect(),
        });
    }
    Ok(out)
}

/// mountinfo escapes spaces and a few other characters as `\NNN` (octal).
fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 4 <= bytes.len() {
            let digits = std::str::from_utf8(&bytes[i + 1..i + 4]).unwrap_or("");
            if let Ok(v) = u8::from_str_radix(digits, 8) {
                out.push(v);
                i += 4;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `/proc/self/cgroup`: (hierarchy controllers, path).
fn own_groups() -> io::Result<Vec<(Vec<String>, String)>> {
    let text = fs::read_to_string("/proc/self/cgroup")?;
    Ok(text
        .lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, ':');
            let _id = parts.next()?;
            let controllers = parts.next()?;
            let path = parts.next()?;
            let controllers = if controllers.is_empty() {
                Vec::new()
            } else {
                controllers.split(',').map(str::to_owned).collect()
            };
            Some((controllers, path.to_owned()))
        })
        .collect())
}

fn join_group(mount: &Mount, path: &str) -> PathBuf {
    // Inside a cgroup namespace the mount's root is "/" and our path is relative to it; on a
    // host, a bind of a sub-tree has root = that sub-tree.
    let relative = path.strip_prefix(mount.root.as_str()).unwrap_or(path);
    mount.point.join(relative.trim_start_matches('/'))
}

impl Cgroups {
    /// Finds a usable hierarchy and creates our base group in it.
    pub fn detect() -> Result<Cgroups, String> {
        let mounts = mounts().map_err(|e| format!("reading /proc/self/mountinfo: {e}"))?;
        let own = own_groups().map_err(|e| format!("reading /proc/self/cgroup: {e}"))?;
        let mut reasons = Vec::new();

        if let (Some(mount), Some((_, path))) = (
            mounts.iter().find(|m| m.fstype == "cgroup2"),
            own.iter().find(|(c, _)| c.is_empty()),
        ) {
            match Self::detect_v2(&join_group(mount, path)) {
                Ok(found) => return Ok(found),
                Err(e) => reasons.push(format!("v2: {e}")),
            }
        } else {
            reasons.push("v2: not mounted".into());
        }

        let v1 = |controller: &str| -> Option<PathBuf> {
            let mount = mounts
                .iter()
                .find(|m| m.fstype == "cgroup" && m.options.iter().any(|o| o == controller))?;
            let (_, path) = own
                .iter()
                .find(|(c, _)| c.iter().any(|c| c == controller))?;
            Some(join_group(mount, path).join(BASE))
        };
        match (v1("memory"), v1("pids")) {
            (Some(memory), Some(pids)) => {
                let cpu = v1("cpu");
                for dir in [Some(&memory), Some(&pids), cpu.as_ref()]
                    .into_iter()
                    .flatten()
                {
                    fs::create_dir_all(dir)
                        .map_err(|e| format!("v1: creating {}: {e}", dir.display()))?;
                }
                Ok(Cgroups::V1 { memory, pids, cpu })
            }
            _ => {
                reasons.push("v1: no memory and pids hierarchies".into());
                Err(reasons.join("; "))
            }
        }
    }

    /// Prepares the v2 group `own` holds the service in. The kernel enables controllers for a
    /// group's children only while the group itself holds no process ("no internal
    /// processes"), except at the hierarchy's root; under systemd with `Delegate=yes` the
    /// service's own process lives in the unit's group, so every process of that group first
    /// moves into a leaf of its own, [`SERVICE_LEAF`]. A service already in that leaf (a second
    /// executor in the same process) prepares the leaf's parent again, which then holds no
    /// process.
    fn detect_v2(own: &Path) -> Result<Cgroups, String> {
        let delegated = match own.parent() {
            Some(parent) if own.file_name() == Some(SERVICE_LEAF.as_ref()) => parent,
            _ => own,
        };
        let available = fs::read_to_string(delegated.join("cgroup.controllers"))
            .map_err(|e| format!("reading {}: {e}", delegated.display()))?;
        let has = |c: &str| available.split_whitespace().any(|x| x == c);
        if !has("memory") || !has("pids") {
            return Err(format!(
                "controllers here are `{}`, need memory and pids",
                available.trim()
            ));
        }
        let cpu = has("cpu");
        let enable = if cpu {
            "+memory +pids +cpu"
        } else {
            "+memory +pids"
        };
        // Only non-root groups have a type, and only they are bound by the rule.
        if delegated.join("cgroup.type").exists() {
            move_processes_to_leaf(delegated)?;
        }
        fs::write(delegated.join("cgroup.subtree_control"), enable).map_err(|e| {
            format!(
                "enabling {enable} in {}: {e} (the service needs this group delegated to it, \
                 e.g. systemd Delegate=yes)",
                delegated.display()
            )
        })?;
        let base = delegated.join(BASE);
        fs::create_dir_all(&base).map_err(|e| format!("creating {}: {e}", base.display()))?;
        fs::write(base.join("cgroup.subtree_control"), enable)
            .map_err(|e| format!("enabling {enable} in {}: {e}", base.display()))?;
        Ok(Cgroups::V2 { base, cpu })
    }

    /// A short description for the probe report.
    pub fn describe(&self) -> String {
        match self {
            Cgroups::V2 { base, cpu } => {
                format!(
                    "v2 at {} (memory, pids{})",
                    base.display(),
                    if *cpu { ", cpu" } else { "" }
                )
            }
            Cgroups::V1 { memory, pids, cpu } => format!(
                "v1: memory {}, pids {}{}",
                memory.display(),
                pids.display(),
                cpu.as_ref()
                    .map(|c| format!(", cpu {}", c.display()))
                    .unwrap_or_default()
            ),
        }
    }

    /// Creates and configures the groups of one run.
    pub fn create(&self, name: &str, limits: &SandboxLimits) -> io::Result<RunCgroup> {
        let quota = limits.cpu_percent.max(1) * 1000;
        match self {
            Cgroups::V2 { base, cpu } => {
                let dir = base.join(name);
                fs::create_dir(&dir)?;
                let group = RunCgroup {
                    v2: true,
                    memory: dir.clone(),
                    pids: dir.clone(),
                    all: vec![dir.clone()],
                    removed: false,
                };
                fs::write(dir.join("memory.max"), limits.memory_bytes.to_string())?;
                // No swap: the limit must mean what it says.
                let _ = fs::write(dir.join("memory.swap.max"), "0");
                fs::write(dir.join("pids.max"), limits.processes.to_string())?;
                if *cpu {
                    fs::write(dir.join("cpu.max"), format!("{quota} 100000"))?;
                }
                Ok(group)
            }
            Cgroups::V1 { memory, pids, cpu } => {
                let memory = memory.join(name);
                let pids = pids.join(name);
                let cpu = cpu.as_ref().map(|c| c.join(name));
                let mut group = RunCgroup {
                    v2: false,
                    memory: memory.clone(),
                    pids: pids.clone(),
                    all: Vec::new(),
                    removed: false,
                };
                for dir in [Some(&memory), Some(&pids), cpu.as_ref()]
                    .into_iter()
                    .flatten()
                {
                    fs::create_dir(dir)?;
                    group.all.push(dir.clone());
                }
                fs::write(
                    memory.join("memory.limit_in_bytes"),
                    limits.memory_bytes.to_string(),
                )?;
                // With swap accounting, memory+swap gets the same limit (no swap at all).
                let memsw = memory.join("memory.memsw.limit_in_bytes");
                if memsw.exists() {
                    fs::write(memsw, limits.memory_bytes.to_string())?;
                }
                fs::write(pids.join("pids.max"), limits.processes.to_string())?;
                if let Some(cpu) = &cpu {
                    fs::write(cpu.join("cpu.cfs_period_us"), "100000")?;
                    fs::write(cpu.join("cpu.cfs_quota_us"), quota.to_string())?;
                }
                Ok(group)
            }
        }
    }
}

/// Moves every process of the v2 group `group` into its child [`SERVICE_LEAF`] (created if
/// missing), one pid per write as the kernel takes them.
fn move_processes_to_leaf(group: &Path) -> Result<(), String> {
    let procs = group.join("cgroup.procs");
    let pids =
        fs::read_to_string(&procs).map_err(|e| format!("reading {}: {e}", procs.display()))?;
    let mut pids = pids.split_whitespace().peekable();
    if pids.peek().is_none() {
        return Ok(());
    }
    let leaf = group.join(SERVICE_LEAF);
    fs::create_dir_all(&leaf).map_err(|e| format!("creating {}: {e}", leaf.display()))?;
    let target = leaf.join("cgroup.procs");
    for pid in pids {
        // A process that exited meanwhile is gone from the group anyway.
        let moved = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&target)
            .and_then(|mut file| io::Write::write_all(&mut file, format!("{pid}\n").as_bytes()));
        match moved {
            Err(e) if e.raw_os_error() == Some(rustix::io::Errno::SRCH.raw_os_error()) => {}
            Err(e) => {
                return Err(format!(
                    "moving process {pid} into {}: {e} (the service needs its group delegated to \
                     it, e.g. systemd Delegate=yes)",
                    leaf.display()
                ));
            }
            Ok(()) => {}
        }
    }
    Ok(())
}

fn read_key(path: &Path, key: &str) -> u64 {
    fs::read_to_string(path)
        .ok()
        .and_then(|text| {
            text.lines().find_map(|line| {
                let (k, v) = line.split_once(' ')?;
                (k == key).then(|| v.trim().parse().ok()).flatten()
            })
        })
        .unwrap_or(0)
}

fn read_number(path: &Path) -> u64 {
    fs::read_to_string(path)
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0)
}

impl RunCgroup {
    /// Moves a process (the sandbox's pid 1) into every group of the run.
    pub fn attach(&self, pid: i32) -> io::Result<()> {
        for dir in &self.all {
            fs::write(dir.join("cgroup.procs"), pid.to_string())?;
        }
        Ok(())
    }

    /// What the groups recorded.
    pub fn stats(&self) -> CgroupStats {
        if self.v2 {
            CgroupStats {
                oom_kills: read_key(&self.memory.join("memory.events"), "oom_kill"),
                pids_max_hits: read_key(&self.pids.join("pids.events"), "max"),
                memory_peak_bytes: read_number(&self.memory.join("memory.peak")),
            }
        } else {
            CgroupStats {
                oom_kills: read_key(&self.memory.join("memory.oom_control"), "oom_kill"),
                pids_max_hits: read_key(&self.pids.join("pids.events"), "max"),
                memory_peak_bytes: read_number(&self.memory.join("memory.max_usage_in_bytes")),
            }
        }
    }

    /// Removes the groups once they are empty; waits briefly for dying processes to leave.
    pub async fn remove(mut self) {
        // The kernel releases a group a moment after its last process is reaped.
        for _ in 0..1000 {
            self.all.retain(|dir| match fs::remove_dir(dir) {
                Ok(()) => false,
                Err(e) => e.kind() != io::ErrorKind::NotFound,
            });
            if self.all.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        if !self.all.is_empty() {
            tracing::warn!(groups = ?self.all, "sandbox cgroups still busy; retrying in the background");
        }
        // Anything left is retried by `drop` on a short-lived thread.
        self.removed = self.all.is_empty();
    }
}

impl Drop for RunCgroup {
    fn drop(&mut self) {
        // Reached when a run was abandoned (its future dropped: its processes are being killed,
        // bwrap is kill_on_drop and the helper dies with it) or a group stayed busy: a
        // short-lived thread removes the groups once they are empty.
        if !self.removed && !self.all.is_empty() {
            let mut dirs = std::mem::take(&mut self.all);
            let _ = std::thread::Builder::new()
                .name("sandbox-cgroup-rm".into())
                .spawn(move || {
                    for _ in 0..500 {
                        dirs.retain(|dir| fs::remove_dir(dir).is_err() && dir.exists());
                        if dirs.is_empty() {
                            break;
                        }
                        std::thread::sleep(Duration::from_millis(10));
                    }
                });
        }
    }
}

/// The name of a run's group: the service's pid first, so that [`sweep_stale`] can tell groups
/// of a dead service from those of a live one sharing the base.
pub fn run_name() -> String {
    // Process-wide: several executors (tests, reloads) may share one base group.
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("run-{}-{seq}", std::process::id())
}

/// Removes empty groups left by service processes that died mid-run.
pub fn sweep_stale(cgroups: &Cgroups) {
    let bases: Vec<&PathBuf> = match cgroups {
        Cgroups::V2 { base, .. } => vec![base],
        Cgroups::V1 { memory, pids, cpu } => [Some(memory), Some(pids), cpu.as_ref()]
            .into_iter()
            .flatten()
            .collect(),
    };
    for base in bases {
        if let Ok(entries) = fs::read_dir(base) {
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                let owner = name
                    .strip_prefix("run-")
                    .and_then(|rest| rest.split('-').next())
                    .and_then(|pid| pid.parse::<u32>().ok());
                // rmdir only succeeds on an empty group anyway.
                if let Some(pid) = owner
                    && !Path::new(&format!("/proc/{pid}")).exists()
                {
                    let _ = fs::remove_dir(&path);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! The v2 preparation against a directory that imitates cgroupfs files (these machines run
    //! v1): which files are read and written, and in which groups.

    use super::*;

    /// A fake v2 group: its available controllers, its processes, and a type file unless it
    /// is the root.
    fn group(dir: &Path, controllers: &str, procs: &str, root: bool) {
        fs::create_dir_all(dir).unwrap();
        fs::write(dir.join("cgroup.controllers"), controllers).unwrap();
        fs::write(dir.join("cgroup.procs"), procs).unwrap();
        fs::write(dir.join("cgroup.subtree_control"), "").unwrap();
        if !root {
            fs::write(dir.join("cgroup.type"), "domain\n").unwrap();
        }
    }

    fn read(path: PathBuf) -> String {
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn the_service_moves_into_a_leaf_and_the_sandboxes_get_a_sibling_with_controllers() {
        let fs_root = tempfile::tempdir().unwrap();
        let unit = fs_root.path().join("system.slice/sundial.service");
        group(&unit, "cpuset cpu io memory pids\n", "4242\n4343\n", false);
        let found = Cgroups::detect_v2(&unit).unwrap();
        let Cgroups::V2 { base, cpu } = found else {
            panic!("{found:?}")
        };
        assert_eq!(base, unit.join(BASE));
        assert!(cpu);
        assert_eq!(
            read(unit.join(SERVICE_LEAF).join("cgroup.procs")),
            "4242\n4343\n"
        );
        assert_eq!(
            read(unit.join("cgroup.subtree_control")),
            "+memory +pids +cpu"
        );
        assert_eq!(
            read(base.join("cgroup.subtree_control")),
            "+memory +pids +cpu"
        );
    }

    #[test]
    fn a_service_already_in_its_leaf_prepares_the_delegated_group_again() {
        let fs_root = tempfile::tempdir().unwrap();
        let unit = fs_root.path().join("sundial.service");
        // The kernel emptied the unit's group when the processes moved.
        group(&unit, "memory pids\n", "", false);
        let leaf = unit.join(SERVICE_LEAF);
        group(&leaf, "", "4242\n", false);
        let found = Cgroups::detect_v2(&leaf).unwrap();
        let Cgroups::V2 { base, cpu } = found else {
            panic!("{found:?}")
        };
        assert_eq!(base, unit.join(BASE));
        assert!(!cpu);
        assert!(!leaf.join(SERVICE_LEAF).exists(), "no leaf in the leaf");
        assert_eq!(read(leaf.join("cgroup.procs")), "4242\n");
        assert_eq!(read(unit.join("cgroup.subtree_control")), "+memory +pids");
    }

    #[test]
    fn at_the_root_the_processes_stay_and_without_memory_or_pids_nothing_is_touched() {
        let fs_root = tempfile::tempdir().unwrap();
        let root = fs_root.path().join("root");
        group(&root, "cpu memory pids\n", "1\n", true);
        Cgroups::detect_v2(&root).unwrap();
        assert!(!root.join(SERVICE_LEAF).exists());
        assert_eq!(
            read(root.join("cgroup.subtree_control")),
            "+memory +pids +cpu"
        );

        let bare = fs_root.path().join("bare");
        group(&bare, "cpu io\n", "4242\n", false);
        let refused = Cgroups::detect_v2(&bare).unwrap_err();
        assert!(refused.contains("need memory and pids"), "{refused}");
        assert!(!bare.join(SERVICE_LEAF).exists());
        assert_eq!(read(bare.join("cgroup.subtree_control")), "");
    }
}
