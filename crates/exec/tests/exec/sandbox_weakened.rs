//! The hostile attacks again, each against a sandbox with one layer (or a pair) removed
//! through the test-only `Weakening` switches: the attack must then succeed, or at least be
//! observed differently, which shows the hostile tests really detect the loss of the layer.
//! Weakened sandboxes run as a private uid so an escape cannot touch other tests' sandboxes.

use crate::sandbox_support;

use std::time::Duration;

use exec::Outcome;
use exec::python::{AllowDegraded, PythonExecutor, RunAs, SandboxConfig, Weakening};
use sandbox_support::*;
use serde_json::json;

fn weakened(uid: Option<u32>, weaken: Weakening) -> PythonExecutor {
    executor_with(|c| {
        c.weaken = weaken;
        c.run_as = uid.map(|uid| RunAs { uid, gid: uid });
        // Weakening Landlock or cgroups is only accepted with the operator's consent.
        c.allow_degraded = AllowDegraded {
            landlock: true,
            cgroups: true,
        };
    })
}

/// Hostile #38 -> #39: a user namespace of one's own, then a mount in it.
const USERNS_MOUNT: &str = r#"
import ctypes, json, os
libc = ctypes.CDLL(None, use_errno=True)
if libc.unshare(0x10000000 | 0x00020000) != 0:
    print(json.dumps('unshare: ' + os.strerror(ctypes.get_errno())))
elif libc.mount(b"x", b"/tmp", b"tmpfs", 0, None) != 0:
    print(json.dumps('mount: ' + os.strerror(ctypes.get_errno())))
else:
    print(json.dumps('mounted'))
"#;

#[tokio::test]
async fn without_seccomp_privileged_calls_and_socket_families_get_through() {
    let normal = run(USERNS_MOUNT).await;
    assert_eq!(normal.report(), json!("unshare: Operation not permitted"));

    // Without seccomp the user namespace is created, but Landlock still forbids mounting...
    let executor = weakened(
        None,
        Weakening {
            no_seccomp: true,
            ..Default::default()
        },
    );
    let run = run_job(&executor, Job::new(USERNS_MOUNT)).await;
    assert_eq!(run.report(), json!("mount: Operation not permitted"));
    // ...and without both, #38 leads to #39: a nested user namespace that can mount.
    let both = weakened(
        None,
        Weakening {
            no_seccomp: true,
            no_landlock: true,
            ..Default::default()
        },
    );
    let run = run_job(&both, Job::new(USERNS_MOUNT)).await;
    assert_eq!(
        run.report(),
        json!("mounted"),
        "#38/#39: a nested user namespace can mount"
    );

    let run = run_job(&executor, Job::new(PRIVILEGED_CALLS)).await;
    let r = run.report();
    for call in ["unshare_user", "ptrace_child", "personality", "keyctl"] {
        assert_eq!(r[call], "ok", "{call} should succeed without seccomp: {r}");
    }
    // x32 is not built into this kernel: without the filter the call reaches it and gets ENOSYS.
    assert_ne!(r["x32_getpid"], "Operation not permitted", "{r}");
    // Still refused by the kernel itself (no capability in the initial user namespace): the
    // filter is defence in depth for these.
    for call in [
        "ptrace_init",
        "mount_tmpfs",
        "bpf",
        "sethostname",
        "clock_settime",
    ] {
        assert_ne!(r[call], "ok", "{call}: {r}");
    }
    println!("without seccomp: {r}");

    let run = run_job(&executor, Job::new(RAW_SOCKETS)).await;
    assert_eq!(
        run.report()["netlink"],
        "ok",
        "#33: netlink sockets open without seccomp"
    );
}

#[tokio::test]
async fn without_the_pid_namespace_host_processes_show_and_daemons_survive() {
    let uid = private_uid(1);
    // With Landlock still on, its signal scoping protects the victim: layers overlap.
    let executor = weakened(
        Some(uid),
        Weakening {
            no_pid_ns: true,
            ..Default::default()
        },
    );
    let mut victim = Victim::spawn(uid);
    let run = run_job(&executor, Job::new(KILL_ALL)).await;
    assert!(
        victim.alive(),
        "Landlock's signal scope alone still protects the victim"
    );
    assert!(run.leftovers.is_empty());

    let script = "import os, json\nprint(json.dumps(len([p for p in os.listdir('/proc') if p.isdigit()])))\n";
    let run = run_job(&executor, Job::new(script)).await;
    assert!(
        run.report().as_u64().unwrap() > 2,
        "#16: the host's pids are listed"
    );

    let executor = weakened(
        Some(uid),
        Weakening {
            no_pid_ns: true,
            no_landlock: true,
            ..Default::default()
        },
    );
    let mut victim = Victim::spawn(uid);
    let run = run_job(&executor, Job::new(KILL_ALL)).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while victim.alive() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        !victim.alive(),
        "#36: kill(-1) reaches the host victim without pid ns and Landlock"
    );
    kill_all(&run.leftovers);

    let daemon = "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        os.closerange(0, 1024)\n        time.sleep(1000)\n    os._exit(0)\ntime.sleep(0.2)\n";
    let run = run_job(&executor, Job::new(daemon)).await;
    assert!(
        !run.leftovers.is_empty(),
        "the double-forked daemon survives without a pid namespace"
    );
    kill_all(&run.leftovers);
}

#[tokio::test]
async fn without_the_network_namespace_udp_leaks_and_without_landlock_too_tcp_connects() {
    let udp = "import socket, json\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.sendto(b'secret', ('127.0.0.1', PORT))\nprint(json.dumps('sent'))\n";
    let sink = UdpSink::bind();
    let script = udp.replace("PORT", &sink.port().to_string());
    let executor = weakened(
        None,
        Weakening {
            no_net_ns: true,
            ..Default::default()
        },
    );
    let run = run_job(&executor, Job::new(&script)).await;
    run.assert_succeeded();
    assert_eq!(
        sink.datagrams(),
        1,
        "#31: UDP reaches the host without a network namespace"
    );

    // TCP: Landlock alone still refuses the connect...
    let listener = Listener::bind("127.0.0.1:0").unwrap();
    let connect = format!(
        "import socket, json, errno\ntry:\n    socket.create_connection(('127.0.0.1', {}), timeout=3).close(); out = 'connected'\nexcept OSError as e:\n    out = errno.errorcode[e.errno]\nprint(json.dumps(out))\n",
        listener.port()
    );
    let run = run_job(&executor, Job::new(&connect)).await;
    assert_eq!(run.report(), json!("EACCES"));
    assert_eq!(listener.connections(), 0);
    // ...as does the network namespace alone...
    let executor = weakened(
        None,
        Weakening {
            no_landlock: true,
            ..Default::default()
        },
    );
    let run = run_job(&executor, Job::new(&connect)).await;
    assert_eq!(
        run.report(),
        json!("ECONNREFUSED"),
        "the sandbox's own loopback has no listener"
    );
    assert_eq!(listener.connections(), 0);
    // ...and without both, #28 connects.
    let executor = weakened(
        None,
        Weakening {
            no_net_ns: true,
            no_landlock: true,
            ..Default::default()
        },
    );
    let run = run_job(&executor, Job::new(&connect)).await;
    assert_eq!(run.report(), json!("connected"));
    assert_eq!(listener.connections(), 1);
}

#[tokio::test]
async fn without_rlimits_allocation_files_and_cpu_are_bounded_only_by_other_layers() {
    let executor = executor_with(|c| {
        c.weaken = Weakening {
            no_rlimits: true,
            ..Default::default()
        };
        c.limits.cpu_seconds = 1;
        c.limits.file_size_bytes = 2 << 20;
    });
    // #3: no MemoryError any more; the memory cgroup kills it instead.
    let run = run_job(
        &executor,
        Job::new("x = bytearray(4 << 30)\nprint('allocated')\n"),
    )
    .await;
    assert!(run.error().starts_with("memory limit"), "{:?}", run.result);
    // #11: more files than RLIMIT_NOFILE would allow.
    let files = "import json\nfiles = []\ntry:\n    while len(files) < 1000:\n        files.append(open('/dev/null'))\nexcept OSError:\n    pass\nprint(json.dumps(len(files)))\n";
    let run = run_job(&executor, Job::new(files)).await;
    assert!(
        run.report().as_u64().unwrap() > 256,
        "#11: {}",
        run.report()
    );
    // #10 (FSIZE): a file larger than RLIMIT_FSIZE.
    let big = "open('/tmp/big', 'wb').write(b'x' * (4 << 20))\nprint('written')\n";
    let run = run_job(&executor, Job::new(big)).await;
    run.assert_succeeded();
    // #5: no CPU limit; only the wall clock stops the loop.
    let run = run_job(
        &executor,
        Job::new("while True:\n    pass\n").timeout(Duration::from_secs(2)),
    )
    .await;
    assert_eq!(
        run.result.outcome,
        Outcome::TimedOut,
        "#5: {:?}",
        run.result
    );
}

#[tokio::test]
async fn without_tmpfs_caps_tmp_and_the_root_fill_up() {
    let executor = executor_with(|c| {
        c.weaken = Weakening {
            no_tmpfs_caps: true,
            ..Default::default()
        };
        c.limits.tmpfs_bytes = 8 << 20;
        c.limits.tmpfs_inodes = 100;
    });
    let script = "import json, os\nopen('/tmp/fill', 'wb').write(b'x' * (16 << 20))\nfor n in range(500):\n    open(f'/tmp/f{n}', 'w').close()\nprint(json.dumps(os.path.getsize('/tmp/fill')))\n";
    let run = run_job(&executor, Job::new(script)).await;
    run.assert_succeeded();
    assert_eq!(
        run.report(),
        json!(16 << 20),
        "#10: past the 8 MiB / 100 inode caps"
    );
    // #24: the root stays writable without the read-only remount (once Landlock is off too;
    // with it, the write is EACCES instead of EROFS).
    let evil = "import json, errno\ntry:\n    open('/evil', 'w').write('x'); out = 'written'\nexcept OSError as e:\n    out = errno.errorcode[e.errno]\nprint(json.dumps(out))\n";
    let run = run_job(&executor, Job::new(evil)).await;
    assert_eq!(run.report(), json!("EACCES"));
    let executor = weakened(
        None,
        Weakening {
            no_tmpfs_caps: true,
            no_landlock: true,
            ..Default::default()
        },
    );
    let run = run_job(&executor, Job::new(evil)).await;
    assert_eq!(run.report(), json!("written"));
}

#[tokio::test]
async fn without_cgroups_memory_is_unbounded_and_fork_bombs_meet_only_nproc() {
    let executor = executor_with(|c| {
        c.weaken = Weakening {
            no_cgroups: true,
            ..Default::default()
        };
        c.allow_degraded.cgroups = true;
        c.limits.memory_bytes = 128 << 20;
        c.limits.processes = 32;
    });
    let touch = "import mmap\nm = mmap.mmap(-1, 700 << 20)\nfor i in range(0, len(m), 4096):\n    m[i] = 1\nprint('survived')\n";
    let run = run_job(&executor, Job::new(touch)).await;
    run.assert_succeeded();
    assert_eq!(
        run.stdout(),
        vec!["survived"],
        "#4: no OOM kill without the memory cgroup"
    );

    let bomb =
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n";
    let run = run_job(&executor, Job::new(bomb).timeout(Duration::from_secs(1))).await;
    assert_eq!(run.result.outcome, Outcome::TimedOut);
    assert!(
        !run.error().contains("process limit"),
        "#1: no pids.max events without cgroups"
    );
    assert!(
        run.leftovers.is_empty(),
        "the pid namespace still tears the bomb down"
    );
}

#[tokio::test]
async fn without_the_minimal_root_and_landlock_host_files_are_readable() {
    let script = "import json, os\ntry:\n    out = open('/etc/passwd').read().split(':')[0]\nexcept OSError as e:\n    out = type(e).__name__\nprint(json.dumps({'passwd': out, 'etc': 'etc' in os.listdir('/')}))\n";
    // The host root alone: Landlock still refuses the read (EACCES instead of ENOENT).
    let executor = weakened(
        None,
        Weakening {
            host_root: true,
            ..Default::default()
        },
    );
    let run = run_job(&executor, Job::new(script)).await;
    assert_eq!(
        run.report(),
        json!({"passwd": "PermissionError", "etc": true}),
        "#19 differs"
    );
    let executor = weakened(
        None,
        Weakening {
            host_root: true,
            no_landlock: true,
            ..Default::default()
        },
    );
    let run = run_job(&executor, Job::new(script)).await;
    assert_eq!(
        run.report(),
        json!({"passwd": "root", "etc": true}),
        "#17: /etc/passwd read"
    );
}

#[tokio::test]
async fn with_the_host_environment_the_script_sees_service_variables() {
    let executor = weakened(
        None,
        Weakening {
            host_env: true,
            ..Default::default()
        },
    );
    let run = run_job(
        &executor,
        Job::new("import os, json\nprint(json.dumps(sorted(os.environ)))\n"),
    )
    .await;
    let names = run.report();
    assert!(names.as_array().unwrap().len() > 4, "#14: {names}");
}

#[tokio::test]
async fn the_probe_notices_each_missing_layer() {
    type Pick = fn(&exec::python::Layers) -> &exec::python::Layer;
    let cases: [(Weakening, Pick); 7] = [
        (
            Weakening {
                no_pid_ns: true,
                ..Default::default()
            },
            |l| &l.pid_ns,
        ),
        (
            Weakening {
                no_net_ns: true,
                ..Default::default()
            },
            |l| &l.net_ns,
        ),
        (
            Weakening {
                no_ipc_ns: true,
                ..Default::default()
            },
            |l| &l.ipc_ns,
        ),
        (
            Weakening {
                no_uts_ns: true,
                ..Default::default()
            },
            |l| &l.uts_ns,
        ),
        (
            Weakening {
                no_seccomp: true,
                ..Default::default()
            },
            |l| &l.seccomp,
        ),
        (
            Weakening {
                no_rlimits: true,
                ..Default::default()
            },
            |l| &l.rlimits,
        ),
        (
            Weakening {
                no_landlock: true,
                ..Default::default()
            },
            |l| &l.landlock,
        ),
    ];
    for (weaken, layer) in cases {
        let executor = weakened(None, weaken);
        let report = executor.probe_report();
        assert!(
            !layer(&report.layers).ok,
            "{weaken:?} not detected: {:?}",
            report.layers
        );
        assert!(report.warnings.iter().any(|w| w.contains("TEST WEAKENING")));
    }
}

#[tokio::test]
async fn a_missing_optional_layer_needs_the_operators_consent_and_warns_loudly() {
    for (weaken, name) in [
        (
            Weakening {
                no_landlock: true,
                ..Default::default()
            },
            "landlock",
        ),
        (
            Weakening {
                no_cgroups: true,
                ..Default::default()
            },
            "cgroups",
        ),
    ] {
        let refused = PythonExecutor::new(SandboxConfig { weaken, ..config() })
            .expect_err("a missing optional layer without consent");
        let hint = format!("SUNDIAL_SANDBOX_ALLOW_DEGRADED={name}");
        assert!(refused.reason.contains(&hint), "{refused}");
        let allowed = SandboxConfig::from_allow_degraded(name).unwrap();
        let executor = PythonExecutor::new(SandboxConfig {
            weaken,
            init: Some(init_path()),
            ..allowed
        })
        .expect("allowed by the operator");
        let report = executor.probe_report();
        assert!(report.ready);
        assert_eq!(report.degraded, vec![name.to_string()]);
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.starts_with("SANDBOX DEGRADED") && w.contains(name)),
            "{:?}",
            report.warnings
        );
        let run = run_job(&executor, Job::new("print('still runs')\n")).await;
        run.assert_succeeded();
    }
}
