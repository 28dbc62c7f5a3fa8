//! ../shared/security/sandbox-hostile.md as tests, through `PythonExecutor::execute` with
//! production defaults (or production defaults with one limit made small so a flood ends
//! quickly). Each asserts the run's result, host-side effects and that no process of the run
//! is left (`leftovers`). `sandbox_weakened` reruns the attacks with a layer removed.

use crate::sandbox_support;

use std::time::Duration;

use exec::Outcome;
use sandbox_support::*;
use serde_json::json;

/// Every hostile run must leave nothing behind.
#[track_caller]
fn clean(run: &Run) {
    assert!(
        run.leftovers.is_empty(),
        "processes of the run survived: {:?}",
        run.leftovers
    );
}

// ---- 1-13: resources ----------------------------------------------------------------------

#[tokio::test]
async fn h01_fork_bomb_hits_the_pids_cap_and_dies_at_the_deadline() {
    let executor = executor_with(|c| c.limits.processes = 32);
    let job = Job::new(
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
    )
    .timeout(Duration::from_secs(2));
    let run = run_job(&executor, job).await;
    assert_eq!(run.result.outcome, Outcome::TimedOut, "{:?}", run.result);
    assert!(
        run.error().contains("process limit of 32 reached"),
        "{}",
        run.error()
    );
    assert!(run.elapsed < Duration::from_secs(6), "{:?}", run.elapsed);
    clean(&run);
}

#[tokio::test]
async fn h02_thread_bomb_gets_runtime_error() {
    let run = run(
        "import threading, time, json\nn = 0\ntry:\n    while True:\n        threading.Thread(target=time.sleep, args=(100,), daemon=True).start()\n        n += 1\nexcept RuntimeError as e:\n    print(json.dumps({'error': str(e), 'threads': n}))\n",
    )
    .await;
    run.assert_succeeded();
    let report = run.report();
    assert_eq!(report["error"], "can't start new thread");
    // RLIMIT_AS usually stops it first (each thread reserves a stack and a malloc arena),
    // else the pids cgroup: either way far below the pids cap.
    assert!(report["threads"].as_u64().unwrap() < 64, "{report}");
    clean(&run);
}

#[tokio::test]
async fn h03_a_4_gib_allocation_is_a_memory_error() {
    let run = run("x = bytearray(4 << 30)\n").await;
    assert_eq!(run.result.outcome, Outcome::Failed);
    assert_eq!(run.error(), "exit 1");
    assert!(
        run.stderr().iter().any(|l| l == "MemoryError"),
        "{:?}",
        run.stderr()
    );
    clean(&run);
}

#[tokio::test]
async fn h04_touching_700_mib_is_oom_killed_and_reported_as_memory_limit() {
    let executor = executor_with(|c| c.limits.memory_bytes = 128 << 20);
    let run = run_job(
        &executor,
        Job::new("import mmap\nm = mmap.mmap(-1, 700 << 20)\nfor i in range(0, len(m), 4096):\n    m[i] = 1\nprint('survived')\n"),
    )
    .await;
    assert_eq!(run.result.outcome, Outcome::Failed);
    let error = run.error();
    assert!(
        error.starts_with("memory limit: killed by signal 9 (SIGKILL)"),
        "{error}"
    );
    assert!(error.contains("oom_kill=1"), "{error}");
    assert!(run.stdout().is_empty());
    clean(&run);
}

#[tokio::test]
async fn h05_a_busy_loop_is_stopped_by_the_cpu_limit() {
    let executor = executor_with(|c| c.limits.cpu_seconds = 1);
    let run = run_job(&executor, Job::new("while True:\n    pass\n")).await;
    assert_eq!(run.result.outcome, Outcome::Failed);
    assert!(
        run.error()
            .starts_with("CPU limit: killed by signal 24 (SIGXCPU)"),
        "{}",
        run.error()
    );
    clean(&run);
}

#[tokio::test]
async fn h06_ignoring_sigterm_does_not_delay_the_deadline() {
    let timeout = Duration::from_millis(1500);
    let script = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nprint('ready', flush=True)\ntime.sleep(1000)\n";
    let run = run_job(executor(), Job::new(script).timeout(timeout)).await;
    assert_eq!(run.result.outcome, Outcome::TimedOut);
    assert_eq!(run.stdout(), vec!["ready"]);
    // SIGKILL at the deadline: no grace period to wait out.
    assert!(
        run.elapsed >= timeout && run.elapsed < timeout + Duration::from_secs(1),
        "{:?}",
        run.elapsed
    );
    clean(&run);
}

#[tokio::test]
async fn h07_cpu_burners_in_many_processes_die_at_the_deadline() {
    let script = "import os\nfor _ in range(4):\n    if os.fork() == 0:\n        break\nwhile True:\n    pass\n";
    let run = run_job(executor(), Job::new(script).timeout(Duration::from_secs(1))).await;
    assert_eq!(run.result.outcome, Outcome::TimedOut);
    clean(&run);
}

async fn flood(stream: &str) -> Run {
    let executor = executor_with(|c| c.limits.output_bytes = 256 * 1024);
    let script =
        format!("import sys\nchunk = 'x' * 65536\nwhile True:\n    sys.{stream}.write(chunk)\n");
    let before = rss_kib();
    let run = run_job(&executor, Job::new(&script)).await;
    let grown = rss_kib().saturating_sub(before);
    assert!(grown < 32 * 1024, "service RSS grew by {grown} KiB");
    run
}

#[tokio::test]
async fn h08_stdout_flood_is_capped_truncated_and_killed() {
    let run = flood("stdout").await;
    assert_eq!(run.result.outcome, Outcome::Failed);
    assert!(run.error().starts_with("output limit"), "{}", run.error());
    let kept: usize = run.stdout().iter().map(|l| l.len() + 1).sum();
    assert!(kept <= 256 * 1024, "{kept}");
    assert!(
        run.system()
            .iter()
            .any(|l| l.starts_with("output truncated")),
        "{:?}",
        run.system()
    );
    clean(&run);
}

#[tokio::test]
async fn h09_stderr_flood_is_capped_truncated_and_killed() {
    let run = flood("stderr").await;
    assert!(run.error().starts_with("output limit"), "{}", run.error());
    let kept: usize = run.stderr().iter().map(|l| l.len() + 1).sum();
    assert!(kept <= 256 * 1024, "{kept}");
    clean(&run);
}

#[tokio::test]
async fn h09b_a_flood_of_empty_lines_stops_at_the_line_cap_and_the_script_runs_on() {
    // 15,000 empty lines: past the 10,000-line cap, far below the byte cap.
    let script = "import sys\nsys.stdout.write('\\n' * 15000)\n";
    let run = run(script).await;
    run.assert_succeeded();
    assert_eq!(run.stdout().len(), 10_000);
    assert!(run.stdout().iter().all(String::is_empty));
    let markers: Vec<String> = run
        .system()
        .into_iter()
        .filter(|l| l.starts_with("output truncated"))
        .collect();
    assert_eq!(
        markers,
        [
            "output truncated: the attempt's log reached its limit of 10000 lines; later lines were \
          dropped"
        ]
    );
    // Nothing after the marker, not even the sandbox's summary line.
    assert_eq!(run.system().len(), 1, "{:?}", run.system());
    clean(&run);
}

#[tokio::test]
async fn h10_filling_tmp_stops_at_the_tmpfs_caps() {
    let executor = executor_with(|c| {
        c.limits.tmpfs_bytes = 8 << 20;
        c.limits.tmpfs_inodes = 100;
    });
    let script = r#"
import json, os, errno
out = {}
try:
    with open('/tmp/fill', 'wb') as f:
        while True:
            f.write(b'x' * (1 << 20)); f.flush()
except OSError as e:
    out['bytes'] = os.path.getsize('/tmp/fill'); out['errno'] = errno.errorcode[e.errno]
os.remove('/tmp/fill')
n = 0
try:
    while True:
        open(f'/tmp/f{n}', 'w').close(); n += 1
except OSError as e:
    out['files'] = n; out['files_errno'] = errno.errorcode[e.errno]
print(json.dumps(out))
"#;
    let run = run_job(&executor, Job::new(script)).await;
    run.assert_succeeded();
    let r = run.report();
    assert_eq!(r["errno"], "ENOSPC", "{r}");
    assert!(r["bytes"].as_u64().unwrap() <= 8 << 20, "{r}");
    assert_eq!(r["files_errno"], "ENOSPC", "{r}");
    assert!(r["files"].as_u64().unwrap() < 100, "{r}");
    clean(&run);
}

#[tokio::test]
async fn h10b_a_file_larger_than_fsize_is_efbig() {
    let executor = executor_with(|c| c.limits.file_size_bytes = 2 << 20);
    let script = "import json, errno\ntry:\n    open('/tmp/big', 'wb').write(b'x' * (4 << 20))\nexcept OSError as e:\n    print(json.dumps(errno.errorcode[e.errno]))\n";
    let run = run_job(&executor, Job::new(script)).await;
    run.assert_succeeded();
    assert_eq!(run.report(), json!("EFBIG"));
}

#[tokio::test]
async fn h11_opening_files_stops_at_nofile() {
    let script = "import json, errno\nfiles = []\ntry:\n    while True:\n        files.append(open('/dev/null'))\nexcept OSError as e:\n    print(json.dumps({'open': len(files), 'errno': errno.errorcode[e.errno]}))\n";
    let run = run(script).await;
    run.assert_succeeded();
    let r = run.report();
    assert_eq!(r["errno"], "EMFILE");
    assert!(r["open"].as_u64().unwrap() <= 256, "{r}");
}

#[tokio::test]
async fn h12_raising_hard_limits_is_refused() {
    let script = "import resource, json\nout = {}\nfor name in ['RLIMIT_NOFILE', 'RLIMIT_AS', 'RLIMIT_CPU', 'RLIMIT_NPROC']:\n    r = getattr(resource, name)\n    soft, hard = resource.getrlimit(r)\n    try:\n        resource.setrlimit(r, (soft, hard * 2 + 1))\n        out[name] = 'raised'\n    except ValueError as e:\n        out[name] = 'ValueError'\nprint(json.dumps(out))\n";
    let run = run(script).await;
    run.assert_succeeded();
    assert_eq!(
        run.report(),
        json!({"RLIMIT_NOFILE": "ValueError", "RLIMIT_AS": "ValueError", "RLIMIT_CPU": "ValueError", "RLIMIT_NPROC": "ValueError"})
    );
}

#[tokio::test]
async fn h13_realtime_scheduling_and_negative_nice_are_refused() {
    let script = "import os, json\nout = {}\ntry:\n    os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(50)); out['fifo'] = 'ok'\nexcept PermissionError:\n    out['fifo'] = 'EPERM'\ntry:\n    os.nice(-20); out['nice'] = 'ok'\nexcept PermissionError:\n    out['nice'] = 'EPERM'\nprint(json.dumps(out))\n";
    let run = run(script).await;
    run.assert_succeeded();
    assert_eq!(run.report(), json!({"fifo": "EPERM", "nice": "EPERM"}));
}

// ---- 14-27: what the script can see and touch ----------------------------------------------

const FOUR: [&str; 4] = ["HOME", "LANG", "PATH", "SUNDIAL_CONTEXT"];

#[tokio::test]
async fn h14_the_environment_holds_only_the_four_variables() {
    let run = run("import os, json\nprint(json.dumps(sorted(os.environ)))\n").await;
    run.assert_succeeded();
    assert_eq!(run.report(), json!(FOUR));
}

#[tokio::test]
async fn h15_proc_self_environ_holds_only_the_four_variables() {
    let script = "import json\nraw = open('/proc/self/environ', 'rb').read().split(b'\\0')\nprint(json.dumps(sorted(e.split(b'=')[0].decode() for e in raw if e)))\n";
    let run = run(script).await;
    run.assert_succeeded();
    assert_eq!(run.report(), json!(FOUR));
}

#[tokio::test]
async fn h16_proc_lists_only_sandbox_pids() {
    let script = "import os, json\nprint(json.dumps({'pids': sorted(int(p) for p in os.listdir('/proc') if p.isdigit()), 'me': os.getpid(), 'parent': os.getppid()}))\n";
    let run = run(script).await;
    run.assert_succeeded();
    // The helper (pid 1) is not dumpable, so hidepid=invisible hides even it.
    assert_eq!(run.report(), json!({"pids": [2], "me": 2, "parent": 1}));
}

#[tokio::test]
async fn h17_etc_shadow_and_passwd_do_not_exist() {
    let script = "import json\nout = {}\nfor p in ['/etc/shadow', '/etc/passwd', '/etc/hostname']:\n    try:\n        open(p).read(); out[p] = 'read'\n    except OSError as e:\n        out[p] = type(e).__name__\nprint(json.dumps(out))\n";
    let run = run(script).await;
    run.assert_succeeded();
    let missing = "FileNotFoundError";
    assert_eq!(
        run.report(),
        json!({"/etc/shadow": missing, "/etc/passwd": missing, "/etc/hostname": missing})
    );
}

#[tokio::test]
async fn h18_the_service_database_and_config_are_not_reachable() {
    let dir = std::path::PathBuf::from(format!("/var/lib/sundial-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("sundial.db"), b"SQLite format 3\0secret").unwrap();
    let manifest = env!("CARGO_MANIFEST_DIR");
    let script = format!(
        "import json\nout = {{}}\nfor p in ['{db}', '/srv/sundial/sundial.db', '{manifest}/Cargo.toml', '/work']:\n    try:\n        open(p, 'rb').read(); out[p] = 'read'\n    except OSError as e:\n        out[p] = type(e).__name__\nprint(json.dumps(out))\n",
        db = dir.join("sundial.db").display()
    );
    let run = run(&script).await;
    std::fs::remove_dir_all(&dir).unwrap();
    run.assert_succeeded();
    let report = run.report();
    for (path, outcome) in report.as_object().unwrap() {
        assert_eq!(outcome, "FileNotFoundError", "{path}");
    }
}

#[tokio::test]
async fn h19_only_the_minimal_root_exists() {
    let script = "import os, json\nprint(json.dumps({'root': sorted(os.listdir('/')), 'exists': [p for p in ['/srv', '/root', '/home', '/var', '/run', '/sys', '/etc', '/mnt', '/opt', '/work'] if os.path.exists(p)]}))\n";
    let run = run(script).await;
    run.assert_succeeded();
    assert_eq!(
        run.report(),
        json!({"root": ["bin", "dev", "lib", "lib64", "proc", "sbx", "tmp", "usr"], "exists": []})
    );
}

#[tokio::test]
async fn h20_kernel_internals_in_proc_are_absent() {
    let script = "import os, json\nprint(json.dumps([p for p in ['/proc/kallsyms', '/proc/config.gz', '/proc/sys', '/proc/sys/kernel/hostname', '/proc/modules', '/proc/kcore', '/proc/sysrq-trigger'] if os.path.exists(p)]))\n";
    let run = run(script).await;
    run.assert_succeeded();
    assert_eq!(run.report(), json!([]));
}

#[tokio::test]
async fn h21_sys_is_absent() {
    let script = "import os, json\nprint(json.dumps([os.path.exists(p) for p in ['/sys/class/net', '/sys/fs/cgroup', '/sys']]))\n";
    let run = run(script).await;
    run.assert_succeeded();
    assert_eq!(run.report(), json!([false, false, false]));
}

#[tokio::test]
async fn h22_the_stdlib_is_read_only() {
    let name = format!("evil_{}.py", std::process::id());
    let script = format!(
        "import json, errno\ntry:\n    open('/usr/lib/python3.11/{name}', 'w').write('x'); print(json.dumps('written'))\nexcept OSError as e:\n    print(json.dumps(errno.errorcode[e.errno]))\n"
    );
    let run = run(&script).await;
    run.assert_succeeded();
    assert!(
        run.report() == json!("EROFS") || run.report() == json!("EACCES"),
        "{}",
        run.report()
    );
    assert!(!std::path::Path::new(&format!("/usr/lib/python3.11/{name}")).exists());
}

#[tokio::test]
async fn h23_tmp_is_private() {
    let name = format!("/tmp/sundial-hostile-{}", uuid::Uuid::now_v7());
    let script = format!("open('{name}', 'w').write('x')\nprint(open('{name}').read())\n");
    let run = run(&script).await;
    run.assert_succeeded();
    assert_eq!(run.stdout(), vec!["x"]);
    assert!(
        !std::path::Path::new(&name).exists(),
        "{name} appeared on the host"
    );
}

#[tokio::test]
async fn h24_the_root_is_not_writable() {
    let name = format!("/evil-{}", uuid::Uuid::now_v7());
    let script = format!(
        "import json, errno\ntry:\n    open('{name}', 'w'); print(json.dumps('written'))\nexcept OSError as e:\n    print(json.dumps(errno.errorcode[e.errno]))\n"
    );
    let run = run(&script).await;
    run.assert_succeeded();
    assert!(
        run.report() == json!("EROFS") || run.report() == json!("EACCES"),
        "{}",
        run.report()
    );
    assert!(!std::path::Path::new(&name).exists());
}

#[tokio::test]
async fn h25_a_result_symlink_is_never_followed() {
    let script = "import os\nos.symlink('/etc/passwd', '/tmp/result.json')\nos.symlink('/etc/shadow', '/tmp/result')\nos.write(3, b'{\"ok\": true}')\n";
    let run = run(script).await;
    run.assert_succeeded();
    // The result came over the fd-3 pipe; nothing on the host looked at /tmp/result.json.
    assert_eq!(run.result.result, Some(json!({"ok": true})));
}

#[tokio::test]
async fn h26_tmp_does_not_survive_between_runs() {
    let a = run("open('/tmp/marker', 'w').write('a')\nprint('written')\n").await;
    a.assert_succeeded();
    let b = run("import os, json\nprint(json.dumps(os.path.exists('/tmp/marker')))\n").await;
    b.assert_succeeded();
    assert_eq!(b.report(), json!(false));
}

#[tokio::test]
async fn h27_a_planted_module_does_not_shadow_the_stdlib() {
    let script = "open('/tmp/json.py', 'w').write('raise SystemExit(99)')\nimport os\nos.chdir('/tmp')\nimport json\nprint(json.dumps(json.__file__))\n";
    let run = run(script).await;
    run.assert_succeeded();
    assert_eq!(run.report(), json!("/usr/lib/python3.11/json/__init__.py"));
}

// ---- 28-34: network ------------------------------------------------------------------------

fn connect_script(host: &str, port: u16) -> String {
    format!(
        "import socket, json, errno, time\nt = time.monotonic()\ntry:\n    socket.create_connection(('{host}', {port}), timeout=3).close(); out = 'connected'\nexcept OSError as e:\n    out = errno.errorcode.get(e.errno, str(e))\nprint(json.dumps({{'outcome': out, 'seconds': time.monotonic() - t}}))\n"
    )
}

#[tokio::test]
async fn h28_tcp_to_a_host_listener_on_127_0_0_1_fails() {
    let listener = Listener::bind("127.0.0.1:0").unwrap();
    let run = run(&connect_script("127.0.0.1", listener.port())).await;
    run.assert_succeeded();
    assert_ne!(run.report()["outcome"], "connected");
    assert_eq!(listener.connections(), 0);
}

#[tokio::test]
async fn h29_tcp_to_a_host_listener_on_ipv6_loopback_fails() {
    let Some(listener) = Listener::bind("[::1]:0") else {
        eprintln!("no IPv6 loopback on this host; skipped");
        return;
    };
    let run = run(&connect_script("::1", listener.port())).await;
    run.assert_succeeded();
    assert_ne!(run.report()["outcome"], "connected");
    assert_eq!(listener.connections(), 0);
}

#[tokio::test]
async fn h30_cloud_metadata_fails_fast() {
    // Only attempted when the probe confirmed both layers that stop the packet before it
    // leaves (own network namespace, Landlock TCP): this workplace forbids outside traffic.
    let layers = &executor().probe_report().layers;
    assert!(layers.net_ns.ok && layers.landlock.ok);
    for host in ["169.254.169.254", "fd00:ec2::254"] {
        let run = run(&connect_script(host, 80)).await;
        run.assert_succeeded();
        let r = run.report();
        assert_ne!(r["outcome"], "connected");
        assert!(r["seconds"].as_f64().unwrap() < 1.0, "{r}");
    }
}

#[tokio::test]
async fn h31_udp_exfiltration_fails() {
    // The DNS-exfil class, aimed at a loopback receiver on the host (no outside traffic).
    let sink = UdpSink::bind();
    let script = format!(
        "import socket, json, errno\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ntry:\n    s.sendto(b'secret', ('127.0.0.1', {port})); out = 'sent'\nexcept OSError as e:\n    out = errno.errorcode[e.errno]\nprint(json.dumps(out))\n",
        port = sink.port()
    );
    let run = run(&script).await;
    run.assert_succeeded();
    // The sandbox's own loopback may accept the datagram; the host's never sees it.
    assert_eq!(sink.datagrams(), 0);
}

#[tokio::test]
async fn h32_name_resolution_fails() {
    let script = "import socket, json\nout = {}\nfor name in ['localhost', 'example.com']:\n    try:\n        socket.getaddrinfo(name, 80); out[name] = 'resolved'\n    except socket.gaierror as e:\n        out[name] = 'gaierror'\nprint(json.dumps(out))\n";
    let run = run(script).await;
    run.assert_succeeded();
    assert_eq!(
        run.report(),
        json!({"localhost": "gaierror", "example.com": "gaierror"})
    );
}

#[tokio::test]
async fn h33_packet_and_netlink_sockets_are_refused() {
    let run = run(RAW_SOCKETS).await;
    run.assert_succeeded();
    let r = run.report();
    for family in ["packet", "netlink", "vsock", "inet_raw"] {
        assert!(r[family] == "EPERM" || r[family] == "EACCES", "{r}");
    }
}

#[tokio::test]
async fn h34_host_unix_sockets_are_absent() {
    let script = "import socket, json\nout = {}\nfor p in ['/run/docker.sock', '/var/run/docker.sock', '/var/run/postgresql/.s.PGSQL.5432', '/run/systemd/private']:\n    s = socket.socket(socket.AF_UNIX)\n    try:\n        s.connect(p); out[p] = 'connected'\n    except OSError as e:\n        out[p] = type(e).__name__\nprint(json.dumps(sorted(set(out.values()))))\n";
    let run = run(script).await;
    run.assert_succeeded();
    assert_eq!(run.report(), json!(["FileNotFoundError"]));
}

// ---- 35-46: processes, kernel interfaces ---------------------------------------------------

#[tokio::test]
async fn h35_killing_the_parent_hits_only_the_sandbox_init() {
    let script = "import os, signal, json\nppid = os.getppid()\nos.kill(ppid, signal.SIGKILL)\nprint(json.dumps({'ppid': ppid, 'alive': True}))\n";
    let run = run(script).await;
    run.assert_succeeded();
    assert_eq!(run.report(), json!({"ppid": 1, "alive": true}));
    clean(&run);
}

#[tokio::test]
async fn h36_kill_minus_one_spares_a_same_uid_host_process() {
    let mut victim = Victim::spawn(65534);
    let run = run(KILL_ALL).await;
    assert!(victim.alive(), "a process outside the sandbox was killed");
    run.assert_succeeded();
    clean(&run);
}

#[tokio::test]
async fn h37_to_h44_privileged_kernel_interfaces_are_refused() {
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let run = run(PRIVILEGED_CALLS).await;
    run.assert_succeeded();
    let r = run.report();
    let eperm = "Operation not permitted";
    for call in [
        "ptrace_init",
        "ptrace_child",
        "unshare_user",
        "mount_tmpfs",
        "bpf",
        "perf_event_open",
        "keyctl",
        "io_uring_setup",
        "tiocsti",
        "tiocsti_high_bits",
        "sethostname",
        "clock_settime",
        "personality",
        "x32_getpid",
        "clone_newns",
    ] {
        assert_eq!(r[call], eperm, "{call}: {r}");
    }
    assert_eq!(
        std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap(),
        hostname
    );
    clean(&run);
}

#[tokio::test]
async fn h41_there_is_no_terminal() {
    let script = "import os, json\nout = {'dev_tty': os.path.exists('/dev/tty'), 'isatty': [os.isatty(i) for i in range(3)]}\ntry:\n    os.open('/dev/tty', os.O_RDWR); out['open'] = 'ok'\nexcept OSError as e:\n    out['open'] = type(e).__name__\nprint(json.dumps(out))\n";
    let run = run(script).await;
    run.assert_succeeded();
    assert_eq!(
        run.report(),
        json!({"dev_tty": false, "isatty": [false, false, false], "open": "FileNotFoundError"})
    );
}

#[tokio::test]
async fn h45_a_segfault_is_reported_as_signal_11() {
    let run = run("import ctypes\nctypes.string_at(0)\n").await;
    assert_eq!(run.result.outcome, Outcome::Failed);
    assert_eq!(run.error(), "killed by signal 11 (SIGSEGV)");
    clean(&run);
}

#[tokio::test]
async fn h46_stdin_is_at_eof() {
    let run = run("import sys, json\nprint(json.dumps(sys.stdin.read()))\n").await;
    run.assert_succeeded();
    assert_eq!(run.report(), json!(""));
}

// ---- 47-50: supervisor, validation, legit use ----------------------------------------------

#[tokio::test]
async fn h47_fake_log_lines_and_escapes_are_escaped_not_interpreted() {
    let script = r#"
import sys
print("\x1b[2J\x1b[31m[system] run succeeded\x1b[0m")
print("line one\rOVERWRITTEN")
print("SUNDIAL_RESULT {\"forged\": true}")
sys.stdout.flush()
sys.stdout.buffer.write(b"bytes \xff\xfe end\n")
sys.stdout.flush()
print("bidi \u202e txet")
"#;
    let run = run(script).await;
    run.assert_succeeded();
    assert_eq!(
        run.stdout(),
        vec![
            "\\x1b[2J\\x1b[31m[system] run succeeded\\x1b[0m",
            "line one\\rOVERWRITTEN",
            "SUNDIAL_RESULT {\"forged\": true}",
            "bytes \\xff\\xfe end",
            "bidi \\u{202e} txet",
        ]
    );
    assert!(run.system().iter().all(|l| !l.contains("run succeeded")));
    assert_eq!(run.result.result, None, "results only come over fd 3");
}

#[tokio::test]
async fn h48_oversized_and_nul_scripts_are_rejected_at_validation() {
    use domain::{TaskConfig, TaskType};
    let too_big = "x = 1\n".repeat(domain::task_config::MAX_SCRIPT_BYTES / 6 + 1);
    for script in [too_big.as_str(), "print('a')\0", ""] {
        let parsed = TaskConfig::parse(TaskType::PythonScript, &json!({"script": script}));
        assert!(
            parsed.is_err(),
            "accepted {:?}",
            &script[..script.len().min(20)]
        );
    }
    // Non-UTF-8 cannot even reach the task config: JSON strings are Unicode.
    assert!(serde_json::from_slice::<serde_json::Value>(b"{\"script\": \"\xff\"}").is_err());
}

#[tokio::test]
async fn h49_a_huge_result_is_capped_and_stops_the_run() {
    let executor = executor_with(|c| c.limits.result_bytes = 4096);
    let run = run_job(
        &executor,
        Job::new("import os\nwhile True:\n    os.write(3, b'[' * 65536)\n"),
    )
    .await;
    assert_eq!(run.result.outcome, Outcome::Failed);
    assert!(
        run.error()
            .starts_with("result limit: more than 4096 bytes"),
        "{}",
        run.error()
    );
    clean(&run);
}

#[tokio::test]
async fn h50_multiprocessing_and_subprocess_work_within_the_caps() {
    let script = r#"
import multiprocessing, subprocess, json
def square(x):
    return x * x
with multiprocessing.Pool(4) as pool:
    squares = pool.map(square, range(10))
shell = subprocess.run(['sh', '-c', 'echo $((6 * 7)); id -u'], capture_output=True, text=True, check=True)
print(json.dumps({'squares': squares, 'shell': shell.stdout.split()}))
"#;
    let run = run(script).await;
    run.assert_succeeded();
    assert_eq!(
        run.report(),
        json!({"squares": [0, 1, 4, 9, 16, 25, 36, 49, 64, 81], "shell": ["42", "65534"]})
    );
    clean(&run);
}

#[tokio::test]
async fn a_double_forked_setsid_daemon_does_not_survive_the_run() {
    let script = "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        os.closerange(0, 1024)\n        time.sleep(1000)\n    os._exit(0)\ntime.sleep(0.2)\nprint('parent done')\n";
    let run = run(script).await;
    run.assert_succeeded();
    clean(&run);
}

#[tokio::test]
async fn a_daemon_is_also_gone_when_the_run_times_out() {
    let script = "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        os.closerange(0, 1024)\n        time.sleep(1000)\n    os._exit(0)\ntime.sleep(1000)\n";
    let run = run_job(
        executor(),
        Job::new(script).timeout(Duration::from_millis(800)),
    )
    .await;
    assert_eq!(run.result.outcome, Outcome::TimedOut);
    clean(&run);
}
