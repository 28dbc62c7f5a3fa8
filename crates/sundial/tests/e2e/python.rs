//! `python_script` tasks end to end through the real binary and its `sundial-sandbox-init`
//! helper, on SQLite and on PostgreSQL: an ordinary script succeeds with its output in the run
//! log and its run context in `SUNDIAL_CONTEXT`; hostile scripts (network, host secrets and
//! files, a setsid daemon, a timeout, a cancellation, a failure) end as they should, with the host-side effects
//! checked from outside; `/healthz` reports the sandbox; a bad
//! `SUNDIAL_SANDBOX_ALLOW_DEGRADED` stops start-up.

use std::time::Duration;
use store::on_both_databases;

use reqwest::Method;
use serde_json::{Value, json};

use crate::common;
use common::{BIN, Node, Sink, TestDb, engine_env, poll, ts};

/// A python task that only runs when asked (its cron fires once a year), without retries.
fn python_task(code: &str, script: &str, timeout_seconds: u32, args: Value) -> Value {
    json!({
        "name": code, "code": code, "type": "python_script",
        "trigger_type": "cron", "trigger_config": {"cron": "0 0 1 1 *"},
        "task_config": {"script": script, "args": args},
        "timeout_seconds": timeout_seconds,
        "retry_policy": {"max_retries": 0},
    })
}

/// Creates the task, runs it now and returns (task uuid, run uuid).
async fn start(node: &Node, task: Value) -> (String, String) {
    let uuid = node.create(task).await;
    let run = node
        .ok(Method::POST, &format!("/{uuid}/run"), None, 202)
        .await;
    (uuid, run["uuid"].as_str().unwrap().to_owned())
}

/// Waits until the run has ended and returns it.
async fn finished(node: &Node, run: &str) -> Value {
    poll("the python run to end", Duration::from_secs(60), || async {
        let status = node.run(run).await["status"].clone();
        status != "queued" && status != "running"
    })
    .await;
    node.run(run).await
}

/// The run's whole log as (stream, line) pairs, in order, read a page at a time; the task's
/// `/logs` shows the same run.
async fn log(node: &Node, task: &str, run: &str) -> Vec<(String, String)> {
    let page = node
        .ok(
            Method::GET,
            &format!("/{task}/logs?run_uuid={run}"),
            None,
            200,
        )
        .await;
    assert_eq!(page["items"][0]["uuid"], run, "{page}");
    let mut lines = Vec::new();
    let mut after = 0;
    loop {
        let page = node
            .ok(
                Method::GET,
                &format!("/runs/{run}/logs?after_seq={after}"),
                None,
                200,
            )
            .await;
        lines.extend(page["lines"].as_array().unwrap().iter().map(|l| {
            (
                l["stream"].as_str().unwrap().to_owned(),
                l["line"].as_str().unwrap().to_owned(),
            )
        }));
        after = page["next_after_seq"].as_i64().unwrap();
        if page["has_more"] == false {
            return lines;
        }
    }
}

/// The size of a JSON answer of the API, in bytes.
async fn answer_size(node: &Node, path: &str) -> usize {
    let body = node.ok(Method::GET, path, None, 200).await;
    serde_json::to_vec(&body).unwrap().len()
}

fn stream(lines: &[(String, String)], which: &str) -> Vec<String> {
    lines
        .iter()
        .filter(|(s, _)| s == which)
        .map(|(_, l)| l.clone())
        .collect()
}

/// The last stdout line parsed as JSON: the hostile scripts report their findings so.
fn report(lines: &[(String, String)]) -> Value {
    let last = stream(lines, "stdout").pop().expect("the script printed");
    serde_json::from_str(&last).unwrap_or_else(|e| panic!("not JSON ({e}): {last}"))
}

/// Host processes whose command line contains `token`.
fn host_processes_with(token: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            String::from_utf8_lossy(&cmdline)
                .contains(token)
                .then_some(pid)
        })
        .collect()
}

const ORDINARY: &str = r#"
import datetime, json, math, os, sys
context = json.loads(os.environ["SUNDIAL_CONTEXT"])
lines = context["args"]["lines"]
for i in range(lines):
    print(f"line {i} sqrt={math.sqrt(i):.3f}")
print("warming up", file=sys.stderr)
when = datetime.datetime.fromisoformat(context["scheduled_for"].replace("Z", "+00:00"))
os.write(3, json.dumps({"lines": lines, "year": when.year, "factorial": math.factorial(10)}).encode())
print(json.dumps(context))
"#;

const NETWORK: &str = r#"
import json, os, socket, urllib.request
args = json.loads(os.environ["SUNDIAL_CONTEXT"])["args"]
found = {}
try:
    urllib.request.urlopen(args["url"], timeout=3)
    found["http"] = "connected"
except Exception as e:
    found["http"] = type(e).__name__
try:
    socket.create_connection(("127.0.0.1", args["port"]), timeout=3)
    found["tcp"] = "connected"
except OSError as e:
    found["tcp"] = type(e).__name__
try:
    socket.getaddrinfo("localhost", 80)
    found["dns"] = "resolved"
except OSError as e:
    found["dns"] = type(e).__name__
print(json.dumps(found))
"#;

const HOST_FILES: &str = r#"
import json, os
args = json.loads(os.environ["SUNDIAL_CONTEXT"])["args"]
found = {"read": {}, "write": {}, "env": sorted(os.environ)}
for path in args["read"]:
    try:
        with open(path, "rb") as f:
            found["read"][path] = "read %d bytes" % len(f.read())
    except OSError as e:
        found["read"][path] = type(e).__name__
with open("/tmp/" + args["marker"], "w") as f:
    f.write("inside")
for path in args["write"]:
    try:
        with open(path, "w") as f:
            f.write("planted")
        found["write"][path] = "written"
    except OSError as e:
        found["write"][path] = type(e).__name__
print(json.dumps(found))
"#;

const DAEMON: &str = r#"
import json, os, time
token = json.loads(os.environ["SUNDIAL_CONTEXT"])["args"]["token"]
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.closerange(0, 1024)
        os.execv("/usr/bin/python3", ["python3", "-c", "import time; time.sleep(1000)", token])
    os._exit(0)
print("daemon started", flush=True)
time.sleep(1000)
"#;

/// Two million empty lines in one write: before the caps, ~954,000 stored rows.
const LOG_BOMB: &str = "import sys; sys.stdout.write('\\n'*2000000)";

const FAILING: &str = r#"
import sys
print("about to fail")
print("the input was bad", file=sys.stderr)
raise ValueError("boom from the e2e script")
"#;

async fn scenario(db: TestDb) {
    let sink = Sink::start().await;
    let data = tempfile::tempdir().unwrap();
    // The layers are an operator's business: the admin listener's /metrics has them.
    let admin = format!("127.0.0.1:{}", crate::common::free_port());
    let mut env = engine_env(&db, &sink);
    env.push(("SUNDIAL_ADMIN_LISTEN".to_owned(), admin.clone()));
    let node = Node::start(data.path(), &env).await;

    let metrics = reqwest::get(format!("http://{admin}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("sundial_sandbox_status{status=\"ready\"} 1\n"),
        "{metrics}"
    );
    for layer in [
        "user_ns", "pid_ns", "net_ns", "seccomp", "rlimits", "landlock", "cgroups",
    ] {
        let line = format!("sundial_sandbox_layer_ok{{layer=\"{layer}\"}} 1\n");
        assert!(metrics.contains(&line), "{layer}: {metrics}");
    }

    let marker = format!("sundial-e2e-{}", uuid::Uuid::new_v4().simple());
    let token = format!("sundial-e2e-daemon-{}", uuid::Uuid::new_v4().simple());
    let cancel_token = format!("sundial-e2e-cancel-{}", uuid::Uuid::new_v4().simple());
    let planted = data.path().join("planted-by-script");
    let host_secret = data.path().join("host-secret.txt");
    std::fs::write(&host_secret, "the service's secret").unwrap();
    let secret_paths = [
        host_secret.display().to_string(),
        data.path().join("sundial.db").display().to_string(),
        "/etc/shadow".to_owned(),
        "/etc/passwd".to_owned(),
    ];
    let args = json!({"lines": 3000, "who": ["a", "b"]});
    let (ordinary, ordinary_run) =
        start(&node, python_task("ordinary", ORDINARY, 30, args.clone())).await;
    let (network, network_run) = start(
        &node,
        python_task(
            "network",
            NETWORK,
            30,
            json!({"url": sink.url("/from-sandbox"), "port": sink.port}),
        ),
    )
    .await;
    let (files, files_run) = start(
        &node,
        python_task(
            "files",
            HOST_FILES,
            30,
            json!({
                "read": secret_paths,
                "marker": marker,
                "write": [planted.display().to_string(), "/evil-from-sundial-e2e"],
            }),
        ),
    )
    .await;
    let (_, daemon_run) = start(
        &node,
        python_task("daemon", DAEMON, 3, json!({"token": token})),
    )
    .await;
    let (_, cancelled_run) = start(
        &node,
        python_task("cancelled", DAEMON, 60, json!({"token": cancel_token})),
    )
    .await;
    let (failing, failing_run) =
        start(&node, python_task("failing", FAILING, 30, Value::Null)).await;
    let (bomb, bomb_run) = start(&node, python_task("bomb", LOG_BOMB, 30, Value::Null)).await;

    // The setsid daemon exists on the host while its run is going on: the check below sees it.
    poll(
        "the sandboxed daemon to appear",
        Duration::from_secs(20),
        || async { !host_processes_with(&token).is_empty() },
    )
    .await;

    // An ordinary script: its output, result and run context.
    let run = finished(&node, &ordinary_run).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    let year = ts(&run["scheduled_for"])
        .to_zoned(jiff::tz::TimeZone::UTC)
        .year();
    assert_eq!(
        run["result"],
        json!({"lines": 3000, "year": year, "factorial": 3_628_800})
    );
    let lines = log(&node, &ordinary, &ordinary_run).await;
    let stdout = stream(&lines, "stdout");
    assert_eq!(stdout.len(), 3001, "every line arrived");
    for (i, line) in stdout.iter().take(3000).enumerate() {
        assert!(line.starts_with(&format!("line {i} sqrt=")), "{i}: {line}");
    }
    assert_eq!(stream(&lines, "stderr"), ["warming up"]);
    let context = report(&lines);
    assert_eq!(context["tenant_id"], 1);
    assert_eq!(context["task_uuid"], ordinary);
    assert_eq!(context["run_uuid"], ordinary_run);
    assert_eq!(context["attempt"], 1);
    assert_eq!(context["args"], args);
    assert_eq!(ts(&context["scheduled_for"]), ts(&run["scheduled_for"]));

    // No network: not the sink on loopback, not a name lookup; the sink saw nothing.
    let run = finished(&node, &network_run).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    let found = report(&log(&node, &network, &network_run).await);
    assert_ne!(found["http"], "connected", "{found}");
    assert_ne!(found["tcp"], "connected", "{found}");
    assert_ne!(found["dns"], "resolved", "{found}");
    assert!(sink.hits_on("/from-sandbox").is_empty());

    // Host secrets and files: nothing of the host is there, nothing written reaches it, and the
    // service's environment (its token secret, its database URL) is not the script's.
    let run = finished(&node, &files_run).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    let found = report(&log(&node, &files, &files_run).await);
    for path in &secret_paths {
        assert_eq!(found["read"][path], "FileNotFoundError", "{path}: {found}");
    }
    assert_eq!(
        found["env"],
        json!(["HOME", "LANG", "PATH", "SUNDIAL_CONTEXT"])
    );
    for (path, outcome) in found["write"].as_object().unwrap() {
        assert_ne!(outcome, "written", "{path}");
    }
    assert!(!std::path::Path::new("/tmp").join(&marker).exists());
    assert!(!planted.exists());
    assert!(!std::path::Path::new("/evil-from-sundial-e2e").exists());

    // The timeout kills the whole sandbox, the double-forked setsid daemon included.
    let run = finished(&node, &daemon_run).await;
    assert_eq!(run["status"], "timed_out", "{run}");
    assert!(
        run["error"].as_str().unwrap().contains("timed out"),
        "{run}"
    );
    poll("the daemon to be gone", Duration::from_secs(10), || async {
        host_processes_with(&token).is_empty()
    })
    .await;

    // Cancelling a running run kills its sandbox, daemon included.
    poll(
        "the cancelled run's daemon to appear",
        Duration::from_secs(20),
        || async { !host_processes_with(&cancel_token).is_empty() },
    )
    .await;
    node.ok(
        Method::POST,
        &format!("/runs/{cancelled_run}/cancel"),
        None,
        200,
    )
    .await;
    let run = finished(&node, &cancelled_run).await;
    assert_eq!(run["status"], "cancelled", "{run}");
    poll(
        "the cancelled run's daemon to be gone",
        Duration::from_secs(10),
        || async { host_processes_with(&cancel_token).is_empty() },
    )
    .await;

    // A failing script fails with its exit code, its stderr (the traceback) in the log.
    let run = finished(&node, &failing_run).await;
    assert_eq!(run["status"], "failed", "{run}");
    let error = run["error"].as_str().unwrap();
    assert!(error.starts_with("exit 1"), "{error}");
    let lines = log(&node, &failing, &failing_run).await;
    assert_eq!(stream(&lines, "stdout"), ["about to fail"]);
    let stderr = stream(&lines, "stderr");
    assert!(
        stderr.contains(&"the input was bad".to_owned()),
        "{stderr:?}"
    );
    assert!(
        stderr
            .iter()
            .any(|l| l == "ValueError: boom from the e2e script"),
        "{stderr:?}"
    );
    assert_eq!(run["attempt"], 1);

    // A log bomb keeps the first 10,000 lines and one marker naming the cap; its output past
    // 1 MiB stops it. Every view of it stays small.
    let run = finished(&node, &bomb_run).await;
    assert_eq!(run["status"], "failed", "{run}");
    assert!(
        run["error"].as_str().unwrap().starts_with("output limit"),
        "{run}"
    );
    let lines = log(&node, &bomb, &bomb_run).await;
    assert_eq!(lines.len(), 10_001, "the line cap and its marker");
    let markers: Vec<&(String, String)> = lines
        .iter()
        .filter(|(_, l)| l.starts_with("output truncated"))
        .collect();
    assert_eq!(markers.len(), 1, "{markers:?}");
    assert_eq!(lines.last().unwrap(), markers[0]);
    assert!(markers[0].1.contains("limit of 10000 lines"), "{markers:?}");
    let stdout = stream(&lines, "stdout");
    assert_eq!(stdout.len(), 9_999, "the start line counts too");
    assert!(stdout.iter().all(String::is_empty));
    let detail = node.run(&bomb_run).await;
    assert_eq!(detail["logs"].as_array().unwrap().len(), 200);
    assert_eq!(detail["logs_truncated"], true);
    for path in [
        format!("/runs/{bomb_run}"),
        format!("/{bomb}/logs?page_size=100"),
        format!("/runs/{bomb_run}/logs?limit=10000"),
    ] {
        let size = answer_size(&node, &path).await;
        assert!(size < 2_000_000, "{path}: {size} bytes");
    }
}

async fn python_tasks_run_in_the_sandbox(db: TestDb) {
    scenario(db).await;
}

#[tokio::test]
async fn an_invalid_allow_degraded_value_stops_start_up() {
    let data = tempfile::tempdir().unwrap();
    for (value, says) in [
        ("seccomp", "`seccomp` can never be degraded"),
        ("landlock,netns", "unknown layer `netns`"),
    ] {
        let output = tokio::process::Command::new(BIN)
            .arg("serve")
            .env_clear()
            .env("SUNDIAL_DATA_DIR", data.path())
            .env("SUNDIAL_LISTEN", "127.0.0.1:0")
            .env("SUNDIAL_SANDBOX_ALLOW_DEGRADED", value)
            .output()
            .await
            .unwrap();
        assert!(!output.status.success(), "{value} was accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("SUNDIAL_SANDBOX_ALLOW_DEGRADED") && stderr.contains(says),
            "{value}: {stderr}"
        );
    }
}

/// Without its helper next to it, `sundial` still serves and is ready: `/metrics` says python
/// cannot run, python runs fail at once without retries saying why, and `api_call` tasks run.
#[tokio::test(flavor = "multi_thread")]
async fn without_the_helper_python_fails_closed_and_the_rest_works() {
    // A hard link in a directory of its own: the same executable, no sundial-sandbox-init beside it.
    let target = std::path::Path::new(BIN).parent().unwrap();
    let alone = tempfile::tempdir_in(target).unwrap();
    let bin = alone.path().join("sundial");
    std::fs::hard_link(BIN, &bin).unwrap();
    let sink = Sink::start().await;
    let data = tempfile::tempdir().unwrap();
    let node = Node::start_binary(&bin, data.path(), &engine_env(&TestDb::sqlite(), &sink)).await;

    let response = reqwest::get(format!("{}/readyz", node.base)).await.unwrap();
    assert_eq!(
        response.status(),
        200,
        "the sandbox is not part of readiness"
    );
    let metrics = reqwest::get(format!("{}/metrics", node.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("sundial_sandbox_status{status=\"unavailable\"} 1\n"),
        "{metrics}"
    );

    // The default retry policy would retry a failure in 60 s; a refusal is final at once.
    let mut task = python_task("refused", "print('never runs')", 30, Value::Null);
    task.as_object_mut().unwrap().remove("retry_policy");
    let (_, python_run) = start(&node, task).await;
    let api = node
        .create(common::api_task(
            "still-works",
            "cron",
            json!({"cron": "0 0 1 1 *"}),
            &sink.url("/still-works"),
        ))
        .await;
    let api_run = node
        .ok(Method::POST, &format!("/{api}/run"), None, 202)
        .await;

    let run = finished(&node, &python_run).await;
    assert_eq!(run["status"], "failed", "{run}");
    assert_eq!(run["attempt"], 1, "not retried: {run}");
    let why = run["error"].as_str().unwrap();
    assert!(
        why.starts_with("python sandbox unavailable: "),
        "the run says so: {why}"
    );
    assert!(
        !why.contains('/') && !why.contains("sundial-sandbox-init"),
        "no host detail reaches the tenant: {why}"
    );
    let run = finished(&node, api_run["uuid"].as_str().unwrap()).await;
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(sink.hits_on("/still-works").len(), 1);
}

/// Replacing `sundial-sandbox-init` on disk while the service runs, as a package manager does
/// (a new file renamed over the old) or as a rebuild does (the same file truncated and
/// rewritten), leaves python runs working; deleting it without a replacement makes runs fail
/// saying so.
#[tokio::test(flavor = "multi_thread")]
async fn python_keeps_running_when_the_helper_is_replaced_on_disk() {
    let target = std::path::Path::new(BIN).parent().unwrap();
    let install = tempfile::tempdir_in(target).unwrap();
    let bin = install.path().join("sundial");
    std::fs::hard_link(BIN, &bin).unwrap();
    let original = target.join("sundial-sandbox-init");
    let helper = install.path().join("sundial-sandbox-init");
    std::fs::copy(&original, &helper).unwrap();
    let sink = Sink::start().await;
    let data = tempfile::tempdir().unwrap();
    let node = Node::start_binary(&bin, data.path(), &engine_env(&TestDb::sqlite(), &sink)).await;

    let task = node
        .create(python_task("upgraded", "print('ran')", 30, Value::Null))
        .await;
    let run_once = || async {
        let run = node
            .ok(Method::POST, &format!("/{task}/run"), None, 202)
            .await;
        let run = run["uuid"].as_str().unwrap().to_owned();
        (finished(&node, &run).await, log(&node, &task, &run).await)
    };
    let (run, lines) = run_once().await;
    assert_eq!(run["status"], "succeeded", "before any change: {run}");
    assert_eq!(stream(&lines, "stdout"), ["ran"]);

    let staged = install.path().join(".sundial-sandbox-init.new");
    std::fs::copy(&original, &staged).unwrap();
    std::fs::rename(&staged, &helper).unwrap();
    let (run, lines) = run_once().await;
    assert_eq!(run["status"], "succeeded", "after a rename over it: {run}");
    assert_eq!(stream(&lines, "stdout"), ["ran"]);

    std::fs::write(&helper, std::fs::read(&original).unwrap()).unwrap();
    let (run, lines) = run_once().await;
    assert_eq!(
        run["status"], "succeeded",
        "after a rewrite in place: {run}"
    );
    assert_eq!(stream(&lines, "stdout"), ["ran"]);

    // Renamed over once more, so that the held file is unlinked, then gone for good.
    std::fs::copy(&original, &staged).unwrap();
    std::fs::rename(&staged, &helper).unwrap();
    std::fs::remove_file(&helper).unwrap();
    let (run, _) = run_once().await;
    assert_eq!(run["status"], "failed", "{run}");
    let why = run["error"].as_str().unwrap();
    assert!(
        why.contains(&format!(
            "the sandbox helper {} was deleted after start-up and nothing replaced it",
            helper.display()
        )),
        "the run names the cause: {why}"
    );
}

on_both_databases!(python_tasks_run_in_the_sandbox,);
