//! The python executor with ordinary scripts: what a well-behaved task sees and gets.

use crate::sandbox_support;

use std::time::Duration;

use domain::LogStream;
use exec::Outcome;
use exec::python::{PythonExecutor, SandboxConfig};
use sandbox_support::*;
use serde_json::json;

#[tokio::test]
async fn the_probe_finds_every_layer_on_this_host() {
    let report = executor().probe_report();
    assert!(report.ready, "{report:#?}");
    let l = &report.layers;
    for (name, layer) in [
        ("user", &l.user_ns),
        ("pid", &l.pid_ns),
        ("mount", &l.mount_ns),
        ("net", &l.net_ns),
        ("ipc", &l.ipc_ns),
        ("uts", &l.uts_ns),
        ("seccomp", &l.seccomp),
        ("rlimits", &l.rlimits),
        ("tmpfs", &l.tmpfs_caps),
        ("privileges", &l.privileges),
        ("landlock", &l.landlock),
        ("cgroups", &l.cgroups),
        ("proc", &l.proc_subset),
    ] {
        assert!(layer.ok, "{name}: {layer:?}");
    }
    assert!(report.degraded.is_empty());
    assert!(
        report.python.as_deref().unwrap_or("").starts_with("3."),
        "{report:?}"
    );
    let json = serde_json::to_value(report).unwrap();
    assert_eq!(json["layers"]["seccomp"]["ok"], true);
    println!("{}", serde_json::to_string_pretty(&json).unwrap());
}

#[tokio::test]
async fn stdlib_scripts_succeed() {
    let run = run(r#"
import json, datetime, math, re, collections, hashlib, decimal, sqlite3, itertools, statistics
db = sqlite3.connect(":memory:")
db.execute("create table t (x)")
db.executemany("insert into t values (?)", [(i,) for i in range(10)])
print(json.dumps({
    "sqrt3": round(math.sqrt(3), 4),
    "date": datetime.date(2024, 2, 29).isoformat(),
    "re": re.findall(r"\d+", "a1b22c333"),
    "count": collections.Counter("hello")["l"],
    "sha": hashlib.sha256(b"x").hexdigest()[:8],
    "dec": str(decimal.Decimal("1.1") + decimal.Decimal("2.2")),
    "sum": db.execute("select sum(x) from t").fetchone()[0],
    "mean": statistics.mean([1, 2, 3]),
}))
"#)
    .await;
    run.assert_succeeded();
    assert_eq!(
        run.report(),
        json!({"sqrt3": 1.7321, "date": "2024-02-29", "re": ["1", "22", "333"], "count": 2,
               "sha": "2d711642", "dec": "3.3", "sum": 45, "mean": 2})
    );
    assert!(run.leftovers.is_empty());
}

#[tokio::test]
async fn five_thousand_lines_arrive_in_order() {
    let run = run("for i in range(5000):\n    print(f'line {i}')\n").await;
    run.assert_succeeded();
    let expected: Vec<String> = (0..5000).map(|i| format!("line {i}")).collect();
    assert_eq!(run.stdout(), expected);
}

#[tokio::test]
async fn stdout_and_stderr_are_told_apart() {
    let run = run("import sys\nprint('to out')\nprint('to err', file=sys.stderr)\n").await;
    run.assert_succeeded();
    assert_eq!(run.stdout(), vec!["to out"]);
    assert_eq!(run.stderr(), vec!["to err"]);
    assert!(
        run.system()
            .iter()
            .any(|l| l.starts_with("python sandbox: exit 0")),
        "{:?}",
        run.system()
    );
}

#[tokio::test]
async fn the_run_context_is_in_one_variable() {
    let mut job =
        Job::new("import os, json\nprint(json.dumps(json.loads(os.environ['SUNDIAL_CONTEXT'])))\n");
    job.args = Some(json!({"n": 3, "names": ["a", "b"]}));
    let cancel = job.cancel.clone();
    let run = run_job(executor(), job).await;
    drop(cancel);
    run.assert_succeeded();
    let context = run.report();
    assert_eq!(context["tenant_id"], 7);
    assert_eq!(context["run_uuid"], run.run.to_string());
    assert_eq!(context["attempt"], 1);
    assert_eq!(context["args"], json!({"n": 3, "names": ["a", "b"]}));
    assert!(context["task_uuid"].as_str().unwrap().len() == 36);
    assert!(context["scheduled_for"].as_str().unwrap().ends_with('Z'));
}

/// A chained run's parent, with a result of `result_bytes` bytes of text.
fn parent(result_bytes: usize) -> domain::ParentRun {
    domain::ParentRun {
        run_uuid: domain::RunUuid::new_v7(),
        task_uuid: domain::TaskUuid::new_v7(),
        status: domain::RunStatus::Succeeded,
        attempt: 2,
        result: Some(json!({ "text": "r".repeat(result_bytes) })),
        error: None,
    }
}

#[tokio::test]
async fn a_chained_run_reads_its_parent_in_the_context_without_a_result_too_large_for_it() {
    const PRINT_PARENT: &str = "import os, json\np = json.loads(os.environ['SUNDIAL_CONTEXT'])['parent']\nprint(json.dumps({k: (len(v['text']) if k == 'result' and v else v) for k, v in p.items()}, sort_keys=True))\n";
    let small = parent(10);
    let mut job = Job::new(PRINT_PARENT);
    job.parent = Some(small.clone());
    let run = run_job(executor(), job).await;
    run.assert_succeeded();
    assert_eq!(
        run.report(),
        json!({"run_uuid": small.run_uuid.0.to_string(), "task_uuid": small.task_uuid.0.to_string(),
               "status": "succeeded", "attempt": 2, "result": 10, "error": null})
    );
    // With 100 KiB of run arguments, a 64 KiB result would pass the context's 120 KiB.
    let large = parent(64 * 1024);
    let mut job = Job::new(PRINT_PARENT);
    job.args = Some(json!({ "pad": "a".repeat(100 * 1024) }));
    job.parent = Some(large.clone());
    let run = run_job(executor(), job).await;
    run.assert_succeeded();
    let report = run.report();
    assert_eq!(
        (
            &report["result"],
            &report["result_omitted"],
            &report["run_uuid"]
        ),
        (
            &json!(null),
            &json!(true),
            &json!(large.run_uuid.0.to_string())
        )
    );
}

#[tokio::test]
async fn task_env_is_passed_but_cannot_override_the_fixed_variables() {
    let mut job = Job::new(
        "import os\nprint(os.environ['GREETING'], os.environ['PATH'], os.environ['HOME'])\n",
    );
    job.env = vec![("GREETING", "hello"), ("PATH", "/evil"), ("HOME", "/root")];
    let run = run_job(executor(), job).await;
    run.assert_succeeded();
    assert_eq!(run.stdout(), vec!["hello /usr/bin:/bin /tmp"]);
}

#[tokio::test]
async fn a_json_result_on_fd_3_becomes_the_attempt_result() {
    let run = run("import os, json\nos.write(3, json.dumps({'rows': 42}).encode())\n").await;
    run.assert_succeeded();
    assert_eq!(run.result.result, Some(json!({"rows": 42})));

    let run = sandbox_support::run("print('no result')\n").await;
    run.assert_succeeded();
    assert_eq!(run.result.result, None);

    let run = sandbox_support::run("import os\nos.write(3, b'not json')\n").await;
    assert_eq!(run.result.outcome, Outcome::Failed);
    assert!(run.error().contains("not valid JSON"), "{}", run.error());
}

#[tokio::test]
async fn exit_codes_and_exceptions_fail_the_attempt() {
    let run = run("import sys\nsys.exit(3)\n").await;
    assert_eq!(run.result.outcome, Outcome::Failed);
    assert_eq!(run.error(), "exit 3");
    assert!(run.result.retryable);

    let run = sandbox_support::run("raise ValueError('boom')\n").await;
    assert_eq!(run.error(), "exit 1");
    assert!(
        run.stderr().iter().any(|l| l.contains("ValueError: boom")),
        "{:?}",
        run.stderr()
    );
    // Tracebacks show the source line: the script is a real file.
    assert!(
        run.stderr().iter().any(|l| l.contains("raise ValueError")),
        "{:?}",
        run.stderr()
    );

    let run =
        sandbox_support::run("import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n").await;
    assert_eq!(run.error(), "killed by signal 15 (SIGTERM)");
}

#[tokio::test]
async fn output_streams_while_the_script_runs_and_cancel_kills_it() {
    let executor = executor();
    let job = Job::new("import time\nprint('started', flush=True)\ntime.sleep(60)\n");
    let cancel = job.cancel.clone();
    let attempt = attempt(job.timeout, cancel.clone());
    let config = exec_config(job.script, None, &[]);
    let (sink, mut receiver) = exec::LogSink::channel(64);
    let running = tokio::spawn({
        let executor = executor.clone();
        async move { executor.execute(&config, &attempt, &sink).await }
    });
    // The line arrives while the script is still sleeping...
    let first = receiver.recv().await.unwrap();
    assert_eq!(
        (first.stream, first.line.as_str()),
        (LogStream::Stdout, "started")
    );
    assert!(!running.is_finished());
    // ...and cancelling ends the run promptly.
    cancel.cancel();
    let result = tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(result.outcome, Outcome::Cancelled);
}

#[tokio::test]
async fn sandboxes_beyond_the_limit_wait_for_a_slot() {
    let executor = executor_with(|c| c.max_sandboxes = 1);
    let (a, b) = tokio::join!(
        run_job(
            &executor,
            Job::new("import time\nprint('a')\ntime.sleep(0.3)\nprint('a end')\n")
        ),
        run_job(
            &executor,
            Job::new("import time\nprint('b')\ntime.sleep(0.3)\nprint('b end')\n")
        ),
    );
    a.assert_succeeded();
    b.assert_succeeded();
    let at = |run: &Run, text: &str| run.lines.iter().find(|l| l.line == text).unwrap().at;
    // One ran strictly after the other.
    assert!(at(&a, "a end") <= at(&b, "b") || at(&b, "b end") <= at(&a, "a"));
}

#[tokio::test]
async fn a_slot_wait_counts_against_the_timeout() {
    let executor = executor_with(|c| c.max_sandboxes = 1);
    // The first run holds the only slot until it is cancelled.
    let cancel = tokio_util::sync::CancellationToken::new();
    let holder = attempt(Duration::from_secs(60), cancel.clone());
    let config = exec_config(
        "import time\nprint('holding', flush=True)\ntime.sleep(60)\n",
        None,
        &[],
    );
    let (sink, mut receiver) = exec::LogSink::channel(64);
    let running = tokio::spawn({
        let executor = executor.clone();
        async move { executor.execute(&config, &holder, &sink).await }
    });
    assert_eq!(receiver.recv().await.unwrap().line, "holding");
    let short = run_job(
        &executor,
        Job::new("print('never')\n").timeout(Duration::from_millis(300)),
    )
    .await;
    assert_eq!(short.result.outcome, Outcome::TimedOut);
    assert!(
        short
            .system()
            .iter()
            .any(|l| l.contains("waiting for a free sandbox"))
    );
    assert!(short.stdout().is_empty());
    cancel.cancel();
    assert_eq!(running.await.unwrap().outcome, Outcome::Cancelled);
}

#[tokio::test]
async fn a_missing_bwrap_is_a_clear_refusal_and_fail_closed_refuses_runs() {
    let config = SandboxConfig {
        bwrap: "/nonexistent/bwrap".into(),
        ..sandbox_support::config()
    };
    let err = PythonExecutor::new(config).unwrap_err();
    assert!(err.to_string().contains("bubblewrap"), "{err}");
    assert!(!err.report.ready);
    let executor = PythonExecutor::fail_closed(err);
    assert!(!executor.probe_report().ready);
    let run = run_job(&executor, Job::new("print('hi')\n")).await;
    assert_eq!(run.result.outcome, Outcome::Failed);
    assert!(!run.result.retryable);
    assert!(
        run.error().starts_with("python sandbox unavailable:"),
        "{}",
        run.error()
    );
}

#[tokio::test]
async fn a_missing_helper_is_refused() {
    let config = SandboxConfig {
        init: Some("/nonexistent/sundial-sandbox-init".into()),
        ..sandbox_support::config()
    };
    let err = PythonExecutor::new(config).unwrap_err();
    assert!(err.reason.contains("sandbox helper"), "{err}");
}

#[tokio::test]
async fn a_helper_under_a_directory_the_sandbox_user_cannot_enter_is_refused_naming_it() {
    use std::os::unix::fs::PermissionsExt;
    // The sandbox user (65534) cannot enter a 0700 directory of root's.
    let closed = tempfile::tempdir().unwrap();
    std::fs::set_permissions(closed.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let dir = closed.path().join("bin");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let helper = dir.join("sundial-sandbox-init");
    std::fs::copy(init_path(), &helper).unwrap();
    let config = SandboxConfig {
        init: Some(helper.clone()),
        ..sandbox_support::config()
    };
    let err = PythonExecutor::new(config.clone()).unwrap_err();
    let closed_dir = closed.path().display().to_string();
    for part in [
        format!("{closed_dir} (mode 0700"),
        "cannot reach the sandbox helper".to_owned(),
        "chmod o+x".to_owned(),
    ] {
        assert!(err.reason.contains(&part), "{part} in {err}");
    }
    assert_eq!(err.report.error.as_deref(), Some(err.reason.as_str()));

    // Opened up, the same helper works.
    std::fs::set_permissions(closed.path(), std::fs::Permissions::from_mode(0o711)).unwrap();
    let report = PythonExecutor::new(config).unwrap().probe_report().clone();
    assert!(report.ready, "{report:#?}");
}

#[tokio::test]
async fn dropping_an_attempt_kills_its_sandbox() {
    let executor = executor().clone();
    let attempt = attempt(
        Duration::from_secs(60),
        tokio_util::sync::CancellationToken::new(),
    );
    let marker = attempt.run.to_string();
    let config = exec_config(
        "import time\nprint('started', flush=True)\ntime.sleep(60)\n",
        None,
        &[],
    );
    let (sink, mut receiver) = exec::LogSink::channel(64);
    let running = tokio::spawn(async move { executor.execute(&config, &attempt, &sink).await });
    assert_eq!(receiver.recv().await.unwrap().line, "started");
    assert!(!processes_with_marker(&marker).is_empty());
    // The engine may drop an attempt's future (shutdown): the sandbox must not outlive it.
    running.abort();
    let _ = running.await;
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !processes_with_marker(&marker).is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the sandbox outlived its attempt"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
