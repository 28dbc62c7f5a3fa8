//! The release archive as an operator installs it: `scripts/release` packs the executables of
//! this test build, the archive's `install` puts them under a temporary prefix, the installed
//! systemd unit passes `systemd-analyze verify`, and the installed `sundial`, started with the
//! unit's capability bounding set and `no_new_privs`, runs a python task through the installed
//! helper in the real sandbox; the example alert rules are in the archive and use only metrics
//! the service exports.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;
use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tokio::process::Command;

use crate::common;
use common::{BIN, Node, poll};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A temporary directory every user may enter (`tempdir` makes it 0700): the sandbox user
/// (65534) must reach the installed helper through it.
fn open_tempdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

/// Runs `command`, asserts it succeeded and returns its stdout.
fn run(command: &mut StdCommand) -> String {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The value of the unit's last `key=` line.
fn setting(unit: &str, key: &str) -> String {
    unit.lines()
        .filter_map(|line| line.strip_prefix(key)?.strip_prefix('='))
        .next_back()
        .unwrap_or_else(|| panic!("the unit sets {key}"))
        .to_owned()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[tokio::test]
async fn the_release_archive_installs_a_verified_unit_and_runs_python_tasks_in_the_sandbox() {
    let work = open_tempdir();
    let built = Path::new(BIN).parent().unwrap();
    let out = work.path().join("out");
    let printed = run(StdCommand::new(repo().join("scripts/release"))
        .arg("--binaries")
        .arg(built)
        .arg("--out")
        .arg(&out)
        .arg("--fast"));
    let archive = PathBuf::from(printed.lines().next_back().unwrap());
    let name = archive.file_name().unwrap().to_str().unwrap().to_owned();
    assert!(archive.starts_with(&out), "{printed}");
    assert!(
        name.starts_with(&format!("sundial-{}-", env!("CARGO_PKG_VERSION")))
            && name.ends_with(".tar.gz"),
        "{name}"
    );
    run(StdCommand::new("sha256sum")
        .args(["--check", &format!("{name}.sha256")])
        .current_dir(&out));

    let unpacked = work.path().join("unpacked");
    std::fs::create_dir(&unpacked).unwrap();
    run(StdCommand::new("tar")
        .arg("-xzf")
        .arg(&archive)
        .arg("-C")
        .arg(&unpacked));
    let top = unpacked.join(name.trim_end_matches(".tar.gz"));
    let (prefix, units, config) = (
        work.path().join("prefix"),
        work.path().join("units"),
        work.path().join("etc"),
    );
    let install = || {
        run(StdCommand::new(top.join("install"))
            .arg("--prefix")
            .arg(&prefix)
            .arg("--unit-dir")
            .arg(&units)
            .arg("--config-dir")
            .arg(&config));
    };
    install();

    for bin in ["sundial", "sundial-sandbox-init"] {
        let installed = prefix.join("bin").join(bin);
        assert_eq!(mode(&installed), 0o755, "{bin}");
        assert_eq!(
            std::fs::metadata(&installed).unwrap().len(),
            std::fs::metadata(built.join(bin)).unwrap().len(),
            "{bin}"
        );
    }
    assert!(prefix.join("share/doc/sundial/operations.md").exists());
    let alerts = std::fs::read_to_string(repo().join("packaging/prometheus-alerts.yml")).unwrap();
    for packed in [
        top.join("share/sundial/prometheus-alerts.yml"),
        prefix.join("share/doc/sundial/prometheus-alerts.yml"),
    ] {
        assert_eq!(
            std::fs::read_to_string(&packed).unwrap(),
            alerts,
            "{packed:?}"
        );
    }
    let settings = config.join("sundial.env");
    assert_eq!(mode(&settings), 0o600, "it may hold secrets");

    let unit_path = units.join("sundial.service");
    let unit = std::fs::read_to_string(&unit_path).unwrap();
    let sundial = prefix.join("bin/sundial");
    assert_eq!(
        setting(&unit, "ExecStart"),
        format!("{} serve", sundial.display())
    );
    assert_eq!(
        setting(&unit, "EnvironmentFile"),
        format!("-{}", settings.display())
    );
    assert_eq!(setting(&unit, "Delegate"), "yes");
    assert_eq!(setting(&unit, "KillMode"), "mixed");
    // verify exits 0 on unknown keys and bad values too: only its silence means a clean unit.
    let verify = StdCommand::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&unit_path)
        .output()
        .expect("systemd-analyze (scripts/test installs the systemd package)");
    assert!(
        verify.status.success() && verify.stderr.is_empty() && verify.stdout.is_empty(),
        "systemd-analyze verify: {}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );

    // An upgrade installs over the old files and keeps the operator's settings.
    let mut edited = std::fs::read_to_string(&settings).unwrap();
    edited.push_str("SUNDIAL_WORKERS=4\n");
    std::fs::write(&settings, &edited).unwrap();
    install();
    assert_eq!(std::fs::read_to_string(&settings).unwrap(), edited);

    // The service as the unit starts it: the settings file's variables (the listen address is
    // the test's), the unit's capability bounding set and no_new_privs, log on stdout.
    let env: Vec<(String, String)> = edited
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .filter(|(key, _)| *key != "SUNDIAL_LISTEN")
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect();
    assert!(
        env.iter().any(|(key, _)| key == "SUNDIAL_LOG_FORMAT"),
        "{env:?}"
    );
    assert_eq!(setting(&unit, "NoNewPrivileges"), "yes");
    let bounding: Vec<String> = setting(&unit, "CapabilityBoundingSet")
        .split_whitespace()
        .map(|cap| format!("+{}", cap.trim_start_matches("CAP_").to_lowercase()))
        .collect();
    let mut command = Command::new("/usr/bin/setpriv");
    command
        .arg("--no-new-privs")
        .arg(format!("--bounding-set=-all,{}", bounding.join(",")))
        .args(["/bin/sh", "-c", "exec \"$0\" \"$@\" 2>&1"])
        .arg(&sundial);
    let data = work.path().join("data");
    let mut node = Node::start_command(command, &data, &env).await;

    let helper = format!(
        "\"init\":\"{}\"",
        prefix.join("bin/sundial-sandbox-init").display()
    );
    poll("the sandbox probe", Duration::from_secs(30), || async {
        node.printed()
            .iter()
            .any(|line| line.contains("python sandbox"))
    })
    .await;
    let probe = node
        .printed()
        .into_iter()
        .find(|line| line.contains("python sandbox"))
        .unwrap();
    assert!(
        probe.contains("python sandbox ready") && probe.contains(&helper),
        "{probe}"
    );

    let task = node
        .create(json!({
            "name": "from the archive", "code": "archive", "type": "python_script",
            "trigger_type": "cron", "trigger_config": {"cron": "0 0 1 1 *"},
            "task_config": {"script": "import os, sys\nprint('hello from', sys.version_info[0])\nos.write(3, b'{\"ok\": true}')\n"},
            "timeout_seconds": 30,
            "retry_policy": {"max_retries": 0},
        }))
        .await;
    node.ok(Method::POST, &format!("/{task}/run"), None, 202)
        .await;
    let runs = node.settled_runs(&task).await;
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0]["status"], "succeeded", "{}", runs[0]);
    assert_eq!(runs[0]["result"], json!({"ok": true}));
    let logs = node
        .ok(Method::GET, &format!("/{task}/logs"), None, 200)
        .await;
    assert!(
        logs["items"][0]["logs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["stream"] == "stdout" && l["line"] == "hello from 3"),
        "{logs}"
    );

    // Every metric the example alerts use is one the service exports.
    let exported = reqwest::get(format!("{}/metrics", node.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let used: std::collections::BTreeSet<&str> = alerts
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| word.starts_with("sundial_"))
        .collect();
    assert!(used.len() >= 10, "{used:?}");
    for metric in used {
        assert!(
            exported.lines().any(|line| line
                .strip_prefix(metric)
                .is_some_and(|rest| rest.starts_with([' ', '{']))),
            "the alerts use {metric}, which /metrics does not export"
        );
    }
    assert!(node.terminate().await.success());
}
