//! W6 of ../shared/bench/WORKLOADS.md: wall time of a `print("ok")` python_script run, sandbox
//! included. Ignored by default; run it in a release build:
//! `cargo test --release -p exec --test exec python_bench -- --ignored --nocapture`.

use crate::sandbox_support;

use std::time::Duration;

use sandbox_support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run explicitly in a release build"]
async fn w6_print_ok_wall_time() {
    // W6_NO_CGROUPS=1 measures without per-run cgroups, to see what they cost.
    let no_cgroups = std::env::var_os("W6_NO_CGROUPS").is_some();
    let executor = &executor_with(|c| c.weaken.no_cgroups = no_cgroups);
    // Warm-up: page cache, first cgroup creation.
    for _ in 0..5 {
        run("print(\"ok\")\n").await.assert_succeeded();
    }
    let runs: usize = std::env::var("W6_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    for _ in 0..runs {
        // `elapsed` covers `execute` alone: slot, sandbox, python, teardown, cgroup removal.
        let run = run_job(executor, Job::new("print(\"ok\")\n")).await;
        times.push(run.elapsed);
        run.assert_succeeded();
        assert_eq!(run.stdout(), vec!["ok"]);
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pick = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "W6 print(\"ok\"): runs {runs}, min {:.1} ms, median {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(times[0]),
        ms(pick(0.5)),
        ms(pick(0.9)),
        ms(pick(0.99)),
        ms(*times.last().unwrap())
    );
}
