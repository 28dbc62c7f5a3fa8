//! The service's metrics, rendered for `GET /metrics` in the Prometheus text format.
//!
//! Every family's labels take values from a closed set, so no tenant-identifying (or otherwise
//! unbounded) label can ever appear: `/metrics` needs no token. Counter and histogram families
//! declare their label's values here; the HTTP families' `route` label takes the router's route
//! templates (a finite set fixed at build time), never a raw path. To add a family, declare it
//! and list it in [`FAMILIES`], [`HISTOGRAMS`] or [`GAUGES`]. The standard `process_*` metrics
//! are read from `/proc` at each scrape.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{OnceLock, RwLock};
use std::time::Duration;

/// A counter with at most one label whose values are fixed.
#[derive(Debug)]
pub struct CounterFamily {
    /// Metric name, ending in `_total`.
    pub name: &'static str,
    /// `# HELP` text.
    pub help: &'static str,
    /// The label's name; empty for a counter without a label.
    pub label: &'static str,
    /// Every value the label takes; each is exported from start (at 0). `&[""]` without a label.
    pub values: &'static [&'static str],
}

/// Outbound requests the egress policy refused, by the rule that refused them.
pub const EGRESS_REFUSED: CounterFamily = CounterFamily {
    name: "sundial_egress_refused_total",
    help: "Outbound requests refused by the egress policy, by reason.",
    label: "reason",
    values: &[
        "scheme",
        "credentials",
        "name",
        "address",
        "port",
        "tenant",
        "redirect",
    ],
};

/// Attempts executed on this node, by how they ended.
pub const ATTEMPTS: CounterFamily = CounterFamily {
    name: "sundial_attempts_total",
    help: "Run attempts executed on this node, by outcome (refused: failed for good without a retry).",
    label: "outcome",
    values: &["succeeded", "failed", "refused", "timed_out", "cancelled"],
};

/// Runs the firing loop queued for due occurrences.
pub const RUNS_FIRED: CounterFamily = CounterFamily {
    name: "sundial_runs_fired_total",
    help: "Runs queued by this node's firing loop for due occurrences.",
    label: "",
    values: &[""],
};

/// Occurrences the firing loop recorded as skipped instead of running them, by why (the
/// values of [`crate::SkipReason`]).
pub const OCCURRENCES_SKIPPED: CounterFamily = CounterFamily {
    name: "sundial_occurrences_skipped_total",
    help: "Occurrences recorded as skipped by this node's firing loop, by reason (the task's overlap or misfire policy).",
    label: "reason",
    values: &["overlap", "misfire", "quota", "stopped"],
};

/// Runs whose node stopped heartbeating, requeued (or failed after too many rescues).
pub const RESCUES: CounterFamily = CounterFamily {
    name: "sundial_rescues_total",
    help: "Runs whose lease expired, requeued or failed by this node as maintenance leader.",
    label: "",
    values: &[""],
};

/// Due instants of dead-man deadlines found missed, by the deadline's kind.
pub const DEADLINES_MISSED: CounterFamily = CounterFamily {
    name: "sundial_deadlines_missed_total",
    help: "Due instants of dead-man deadlines found missed by this node as maintenance leader, by kind (every: every_seconds; by: a time of day).",
    label: "kind",
    values: &["every", "by"],
};

/// Attempts that ended with a retry scheduled.
pub const RETRIES_SCHEDULED: CounterFamily = CounterFamily {
    name: "sundial_retries_scheduled_total",
    help: "Attempts executed on this node that ended with a retry scheduled.",
    label: "",
    values: &[""],
};

/// Engine loops restarted after a panic, by loop.
pub const LOOP_RESTARTS: CounterFamily = CounterFamily {
    name: "sundial_engine_loop_restarts_total",
    help: "Engine loops restarted on this node after they panicked, by loop.",
    label: "loop",
    values: &[
        "firing",
        "claimer",
        "maintenance",
        "broadcast",
        "listen",
        "heartbeat",
        "notifier",
    ],
};

/// Every counter family, in the order `/metrics` lists them.
pub const FAMILIES: &[&CounterFamily] = &[
    &EGRESS_REFUSED,
    &ATTEMPTS,
    &RUNS_FIRED,
    &OCCURRENCES_SKIPPED,
    &RESCUES,
    &DEADLINES_MISSED,
    &RETRIES_SCHEDULED,
    &LOOP_RESTARTS,
];

/// A histogram with fixed buckets and at most one label whose values are fixed.
#[derive(Debug)]
pub struct HistogramFamily {
    /// Metric name, ending in the unit (`_seconds`).
    pub name: &'static str,
    /// `# HELP` text.
    pub help: &'static str,
    /// The label's name; empty for a histogram without a label.
    pub label: &'static str,
    /// Every value the label takes; `&[""]` without a label.
    pub values: &'static [&'static str],
    /// Upper bounds of the buckets, ascending; `+Inf` is implied.
    pub buckets: &'static [f64],
}

/// Buckets for delays and durations from milliseconds to a minute.
pub const SECONDS_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// How late runs start: a run's first attempt's start minus its occurrence.
pub const SCHEDULE_LAG: HistogramFamily = HistogramFamily {
    name: "sundial_schedule_lag_seconds",
    help: "Delay from a run's scheduled time to the start of its first attempt on this node.",
    label: "",
    values: &[""],
    buckets: SECONDS_BUCKETS,
};

/// How long attempts execute, by how they ended.
pub const ATTEMPT_DURATION: HistogramFamily = HistogramFamily {
    name: "sundial_attempt_duration_seconds",
    help: "Execution time of attempts on this node, by outcome (refused: failed for good without a retry).",
    label: "outcome",
    values: &["succeeded", "failed", "refused", "timed_out", "cancelled"],
    buckets: &[
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0,
        3600.0,
    ],
};

/// Every histogram family, in the order `/metrics` lists them.
pub const HISTOGRAMS: &[&HistogramFamily] = &[&SCHEDULE_LAG, &ATTEMPT_DURATION];

/// A value that goes up and down, without labels.
#[derive(Debug)]
pub struct Gauge {
    /// Metric name.
    pub name: &'static str,
    /// `# HELP` text.
    pub help: &'static str,
}

/// Attempts executing on this node now.
pub const ATTEMPTS_RUNNING: Gauge = Gauge {
    name: "sundial_attempts_running",
    help: "Attempts executing on this node now.",
};

/// Attempts this node executes at once (`SUNDIAL_WORKERS`).
pub const WORKER_SLOTS: Gauge = Gauge {
    name: "sundial_worker_slots",
    help: "Attempts this node executes at once (SUNDIAL_WORKERS).",
};

/// Python attempts this node executes at once, each in its own sandbox.
pub const SANDBOXES: Gauge = Gauge {
    name: "sundial_sandboxes",
    help: "Python attempts this node executes at once, each in its own sandbox.",
};

/// Queued runs whose start time has come, as the maintenance leader last counted them.
pub const RUNS_QUEUED: Gauge = Gauge {
    name: "sundial_runs_queued",
    help: "Queued runs whose start time has passed, counted by the maintenance leader each rescue pass (0 on the other nodes).",
};

/// Every gauge, in the order `/metrics` lists them.
pub const GAUGES: &[&Gauge] = &[&ATTEMPTS_RUNNING, &WORKER_SLOTS, &SANDBOXES, &RUNS_QUEUED];

/// Buckets of the HTTP request durations.
const HTTP_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Status classes of the HTTP request counter.
const STATUS_CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];
/// The `route` of requests no route matched.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// One histogram's observations: per-bucket counts (not cumulative), the sum and the count.
#[derive(Debug)]
struct Histogram {
    buckets: Vec<AtomicU64>,
    /// The sum of the observations in seconds, as `f64` bits.
    sum: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    fn new(bounds: &[f64]) -> Self {
        Self {
            buckets: bounds.iter().map(|_| AtomicU64::new(0)).collect(),
            sum: AtomicU64::new(0f64.to_bits()),
            count: AtomicU64::new(0),
        }
    }

    fn observe(&self, bounds: &[f64], seconds: f64) {
        if let Some(i) = bounds.iter().position(|b| seconds <= *b) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        let _ = self
            .sum
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |bits| {
                Some((f64::from_bits(bits) + seconds).to_bits())
            });
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// Appends the `_bucket` (cumulative), `_sum` and `_count` lines; `labels` is empty or
    /// `name="value"` pairs joined by commas.
    fn render(&self, out: &mut String, name: &str, labels: &str, bounds: &[f64]) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (bound, count) in bounds.iter().zip(&self.buckets) {
            cumulative += count.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {cumulative}"
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {count}");
        let sum = f64::from_bits(self.sum.load(Ordering::Relaxed));
        let _ = writeln!(out, "{name}_sum{} {sum}", braced(labels));
        let _ = writeln!(out, "{name}_count{} {count}", braced(labels));
    }
}

/// `{labels}`, or nothing without labels.
fn braced(labels: &str) -> String {
    if labels.is_empty() {
        String::new()
    } else {
        format!("{{{labels}}}")
    }
}

/// `label="value"`, or nothing for a family without a label.
fn pair(label: &str, value: &str) -> String {
    if label.is_empty() {
        String::new()
    } else {
        format!("{label}=\"{value}\"")
    }
}

/// Clock ticks per second of `/proc`'s times: Linux's `USER_HZ`, 100 on every architecture
/// Sundial runs on.
const USER_HZ: f64 = 100.0;

/// The standard `process_*` metrics of this process, read from `/proc` at each scrape; left
/// out where `/proc` cannot be read.
fn render_process(out: &mut String) {
    let stat = std::fs::read_to_string("/proc/self/stat").ok();
    // The fields after the command name, which may itself hold spaces and parentheses.
    let fields: Vec<&str> = stat
        .as_deref()
        .and_then(|s| s.rsplit_once(')'))
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    if let (Some(user), Some(system)) = (ticks(11), ticks(12)) {
        let seconds = (user + system) as f64 / USER_HZ;
        let _ = writeln!(
            out,
            "# HELP process_cpu_seconds_total User and system CPU time spent.\n\
             # TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total {seconds}"
        );
    }
    let boot = std::fs::read_to_string("/proc/stat").ok().and_then(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("btime "))
            .and_then(|b| b.trim().parse::<u64>().ok())
    });
    if let (Some(boot), Some(start)) = (boot, ticks(19)) {
        let started = boot as f64 + start as f64 / USER_HZ;
        let _ = writeln!(
            out,
            "# HELP process_start_time_seconds Start time of the process since the Unix epoch.\n\
             # TYPE process_start_time_seconds gauge\nprocess_start_time_seconds {started}"
        );
    }
    let rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        });
    if let Some(kib) = rss {
        let _ = writeln!(
            out,
            "# HELP process_resident_memory_bytes Resident memory size.\n\
             # TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes {}",
            kib * 1024
        );
    }
    if let Ok(fds) = std::fs::read_dir("/proc/self/fd") {
        let _ = writeln!(
            out,
            "# HELP process_open_fds Open file descriptors.\n\
             # TYPE process_open_fds gauge\nprocess_open_fds {}",
            fds.count()
        );
    }
}

/// The requests of one route template.
#[derive(Debug)]
struct RouteSeries {
    by_class: [AtomicU64; 5],
    duration: Histogram,
}

/// The metrics of one process. Cheap to share behind an `Arc`; updates are atomic, and an HTTP
/// request takes a shared lock (an exclusive one for the first request of a route).
#[derive(Debug)]
pub struct Metrics {
    counts: Vec<Vec<AtomicU64>>,
    histograms: Vec<Vec<Histogram>>,
    gauges: Vec<AtomicI64>,
    routes: RwLock<BTreeMap<String, RouteSeries>>,
    version: OnceLock<String>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            counts: FAMILIES
                .iter()
                .map(|f| f.values.iter().map(|_| AtomicU64::new(0)).collect())
                .collect(),
            histograms: HISTOGRAMS
                .iter()
                .map(|f| f.values.iter().map(|_| Histogram::new(f.buckets)).collect())
                .collect(),
            gauges: GAUGES.iter().map(|_| AtomicI64::new(0)).collect(),
            routes: RwLock::default(),
            version: OnceLock::new(),
        }
    }
}

impl Metrics {
    /// Metrics of a build of `version`, exported as `sundial_build_info{version}`.
    pub fn for_build(version: &str) -> Self {
        let metrics = Self::default();
        let _ = metrics.version.set(version.to_owned());
        metrics
    }

    fn slot(&self, family: &CounterFamily, value: &str) -> Option<&AtomicU64> {
        let f = FAMILIES.iter().position(|f| f.name == family.name)?;
        let v = family.values.iter().position(|v| *v == value)?;
        self.counts.get(f)?.get(v)
    }

    /// Adds one to `family{label=value}`. A value the family does not declare is a bug; it is
    /// ignored rather than exported, so the label set stays closed.
    pub fn increment(&self, family: &CounterFamily, value: &str) {
        self.add(family, value, 1);
    }

    /// Adds `n` to `family{label=value}` (see [`Metrics::increment`]).
    pub fn add(&self, family: &CounterFamily, value: &str, n: u64) {
        let slot = self.slot(family, value);
        debug_assert!(
            slot.is_some(),
            "{} has no {} `{value}`",
            family.name,
            family.label
        );
        if let Some(counter) = slot {
            counter.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// The current value of `family{label=value}` (0 for an undeclared value).
    pub fn get(&self, family: &CounterFamily, value: &str) -> u64 {
        self.slot(family, value)
            .map_or(0, |c| c.load(Ordering::Relaxed))
    }

    fn histogram(&self, family: &HistogramFamily, value: &str) -> Option<&Histogram> {
        let f = HISTOGRAMS.iter().position(|f| f.name == family.name)?;
        let v = family.values.iter().position(|v| *v == value)?;
        self.histograms.get(f)?.get(v)
    }

    /// Records `elapsed` in `family{label=value}`; an undeclared value is ignored (see
    /// [`Metrics::increment`]).
    pub fn observe(&self, family: &HistogramFamily, value: &str, elapsed: Duration) {
        let histogram = self.histogram(family, value);
        debug_assert!(
            histogram.is_some(),
            "{} has no {} `{value}`",
            family.name,
            family.label
        );
        if let Some(histogram) = histogram {
            histogram.observe(family.buckets, elapsed.as_secs_f64());
        }
    }

    /// How many observations `family{label=value}` has.
    pub fn observations(&self, family: &HistogramFamily, value: &str) -> u64 {
        self.histogram(family, value)
            .map_or(0, |h| h.count.load(Ordering::Relaxed))
    }

    fn gauge(&self, gauge: &Gauge) -> Option<&AtomicI64> {
        let g = GAUGES.iter().position(|g| g.name == gauge.name)?;
        self.gauges.get(g)
    }

    /// Sets `gauge` to `value`.
    pub fn set(&self, gauge: &Gauge, value: i64) {
        if let Some(g) = self.gauge(gauge) {
            g.store(value, Ordering::Relaxed);
        }
    }

    /// Adds `delta` (negative to subtract) to `gauge`.
    pub fn shift(&self, gauge: &Gauge, delta: i64) {
        if let Some(g) = self.gauge(gauge) {
            g.fetch_add(delta, Ordering::Relaxed);
        }
    }

    /// The current value of `gauge`.
    pub fn level(&self, gauge: &Gauge) -> i64 {
        self.gauge(gauge).map_or(0, |g| g.load(Ordering::Relaxed))
    }

    /// Records one HTTP request answered with `status` after `elapsed`. `route` must be the
    /// matched route's template (or [`UNMATCHED_ROUTE`]), never the request's path.
    pub fn http_request(&self, route: &str, status: u16, elapsed: Duration) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        let record = |series: &RouteSeries| {
            series.by_class[class].fetch_add(1, Ordering::Relaxed);
            series.duration.observe(HTTP_BUCKETS, elapsed.as_secs_f64());
        };
        if let Some(series) = self.routes.read().expect("routes lock").get(route) {
            record(series);
            return;
        }
        let mut routes = self.routes.write().expect("routes lock");
        let series = routes
            .entry(route.to_owned())
            .or_insert_with(|| RouteSeries {
                by_class: Default::default(),
                duration: Histogram::new(HTTP_BUCKETS),
            });
        record(series);
    }

    /// Every metric in the Prometheus text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (family, counts) in FAMILIES.iter().zip(&self.counts) {
            let _ = writeln!(out, "# HELP {} {}", family.name, family.help);
            let _ = writeln!(out, "# TYPE {} counter", family.name);
            for (value, count) in family.values.iter().zip(counts) {
                let _ = writeln!(
                    out,
                    "{}{} {}",
                    family.name,
                    braced(&pair(family.label, value)),
                    count.load(Ordering::Relaxed)
                );
            }
        }
        for (family, histograms) in HISTOGRAMS.iter().zip(&self.histograms) {
            let _ = writeln!(out, "# HELP {} {}", family.name, family.help);
            let _ = writeln!(out, "# TYPE {} histogram", family.name);
            for (value, histogram) in family.values.iter().zip(histograms) {
                histogram.render(
                    &mut out,
                    family.name,
                    &pair(family.label, value),
                    family.buckets,
                );
            }
        }
        for (gauge, level) in GAUGES.iter().zip(&self.gauges) {
            let _ = writeln!(out, "# HELP {} {}", gauge.name, gauge.help);
            let _ = writeln!(out, "# TYPE {} gauge", gauge.name);
            let _ = writeln!(out, "{} {}", gauge.name, level.load(Ordering::Relaxed));
        }
        self.render_http(&mut out);
        render_process(&mut out);
        if let Some(version) = self.version.get() {
            let _ = writeln!(
                out,
                "# HELP sundial_build_info The running build (always 1).\n\
                 # TYPE sundial_build_info gauge\n\
                 sundial_build_info{{version=\"{version}\"}} 1"
            );
        }
        out
    }

    fn render_http(&self, out: &mut String) {
        let routes = self.routes.read().expect("routes lock");
        let requests = "sundial_http_requests_total";
        let _ = writeln!(
            out,
            "# HELP {requests} HTTP requests answered, by route template and status class.\n\
             # TYPE {requests} counter"
        );
        for (route, series) in routes.iter() {
            for (class, count) in STATUS_CLASSES.iter().zip(&series.by_class) {
                let count = count.load(Ordering::Relaxed);
                if count > 0 {
                    let _ = writeln!(
                        out,
                        "{requests}{{route=\"{route}\",status_class=\"{class}\"}} {count}"
                    );
                }
            }
        }
        let duration = "sundial_http_request_duration_seconds";
        let _ = writeln!(
            out,
            "# HELP {duration} Time to answer HTTP requests, by route template.\n\
             # TYPE {duration} histogram"
        );
        for (route, series) in routes.iter() {
            series
                .duration
                .render(out, duration, &format!("route=\"{route}\""), HTTP_BUCKETS);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_render_in_the_prometheus_text_format() {
        let metrics = Metrics::default();
        metrics.increment(&EGRESS_REFUSED, "address");
        metrics.increment(&EGRESS_REFUSED, "address");
        metrics.increment(&ATTEMPTS, "refused");
        assert_eq!(metrics.get(&EGRESS_REFUSED, "address"), 2);
        assert_eq!(metrics.get(&EGRESS_REFUSED, "port"), 0);
        let text = metrics.render();
        assert!(
            text.contains("# TYPE sundial_egress_refused_total counter\n"),
            "{text}"
        );
        assert!(
            text.contains("sundial_egress_refused_total{reason=\"address\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("sundial_egress_refused_total{reason=\"tenant\"} 0\n"),
            "{text}"
        );
        assert!(
            text.contains("sundial_attempts_total{outcome=\"refused\"} 1\n"),
            "{text}"
        );
    }

    #[test]
    fn histograms_render_cumulative_buckets_sum_and_count() {
        let metrics = Metrics::default();
        metrics.observe(&SCHEDULE_LAG, "", Duration::from_millis(3));
        metrics.observe(&SCHEDULE_LAG, "", Duration::from_millis(40));
        metrics.observe(&SCHEDULE_LAG, "", Duration::from_secs(120));
        metrics.observe(&ATTEMPT_DURATION, "failed", Duration::from_millis(200));
        assert_eq!(metrics.observations(&SCHEDULE_LAG, ""), 3);
        let text = metrics.render();
        let lag: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("sundial_schedule_lag_seconds"))
            .collect();
        assert_eq!(
            lag,
            [
                "sundial_schedule_lag_seconds_bucket{le=\"0.005\"} 1",
                "sundial_schedule_lag_seconds_bucket{le=\"0.01\"} 1",
                "sundial_schedule_lag_seconds_bucket{le=\"0.025\"} 1",
                "sundial_schedule_lag_seconds_bucket{le=\"0.05\"} 2",
                "sundial_schedule_lag_seconds_bucket{le=\"0.1\"} 2",
                "sundial_schedule_lag_seconds_bucket{le=\"0.25\"} 2",
                "sundial_schedule_lag_seconds_bucket{le=\"0.5\"} 2",
                "sundial_schedule_lag_seconds_bucket{le=\"1\"} 2",
                "sundial_schedule_lag_seconds_bucket{le=\"2.5\"} 2",
                "sundial_schedule_lag_seconds_bucket{le=\"5\"} 2",
                "sundial_schedule_lag_seconds_bucket{le=\"10\"} 2",
                "sundial_schedule_lag_seconds_bucket{le=\"30\"} 2",
                "sundial_schedule_lag_seconds_bucket{le=\"60\"} 2",
                "sundial_schedule_lag_seconds_bucket{le=\"+Inf\"} 3",
                "sundial_schedule_lag_seconds_sum 120.043",
                "sundial_schedule_lag_seconds_count 3",
            ]
        );
        assert!(
            text.contains("# TYPE sundial_schedule_lag_seconds histogram\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "sundial_attempt_duration_seconds_bucket{outcome=\"failed\",le=\"0.25\"} 1\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "sundial_attempt_duration_seconds_bucket{outcome=\"failed\",le=\"0.1\"} 0\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("sundial_attempt_duration_seconds_count{outcome=\"succeeded\"} 0\n"),
            "{text}"
        );
    }

    #[test]
    fn undeclared_label_values_are_never_exported() {
        let metrics = Metrics::default();
        // Release builds ignore it; debug builds (the tests) flag the bug.
        let refused = std::panic::catch_unwind(|| {
            metrics.observe(&ATTEMPT_DURATION, "tenant-42", Duration::from_secs(1))
        });
        assert!(refused.is_err());
        assert!(!metrics.render().contains("tenant-42"));
    }

    #[test]
    fn gauges_http_requests_and_build_info_render() {
        let metrics = Metrics::for_build("1.2.3");
        metrics.set(&WORKER_SLOTS, 64);
        metrics.shift(&ATTEMPTS_RUNNING, 2);
        metrics.shift(&ATTEMPTS_RUNNING, -1);
        metrics.http_request("/api/v1/tasks/{uuid}", 200, Duration::from_millis(2));
        metrics.http_request("/api/v1/tasks/{uuid}", 404, Duration::from_millis(2));
        metrics.http_request("/api/v1/tasks/{uuid}", 204, Duration::from_millis(30));
        metrics.http_request(UNMATCHED_ROUTE, 404, Duration::from_millis(1));
        let text = metrics.render();
        for line in [
            "# TYPE sundial_worker_slots gauge\nsundial_worker_slots 64\n",
            "sundial_attempts_running 1\n",
            "sundial_http_requests_total{route=\"/api/v1/tasks/{uuid}\",status_class=\"2xx\"} 2\n",
            "sundial_http_requests_total{route=\"/api/v1/tasks/{uuid}\",status_class=\"4xx\"} 1\n",
            "sundial_http_requests_total{route=\"unmatched\",status_class=\"4xx\"} 1\n",
            "sundial_http_request_duration_seconds_bucket{route=\"/api/v1/tasks/{uuid}\",le=\"0.0025\"} 2\n",
            "sundial_http_request_duration_seconds_count{route=\"/api/v1/tasks/{uuid}\"} 3\n",
            "# TYPE sundial_build_info gauge\nsundial_build_info{version=\"1.2.3\"} 1\n",
        ] {
            assert!(text.contains(line), "{line} in {text}");
        }
        assert!(!Metrics::default().render().contains("sundial_build_info"));
    }

    #[test]
    fn process_metrics_come_from_proc() {
        let text = Metrics::default().render();
        let value = |name: &str| -> f64 {
            let prefix = format!("{name} ");
            text.lines()
                .find_map(|l| l.strip_prefix(prefix.as_str()))
                .unwrap_or_else(|| panic!("no {name} in {text}"))
                .parse()
                .unwrap()
        };
        assert!(value("process_resident_memory_bytes") > 1e6);
        assert!(value("process_open_fds") >= 3.0);
        assert!(value("process_cpu_seconds_total") >= 0.0);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        let started = value("process_start_time_seconds");
        assert!(started <= now + 1.0 && started > now - 3600.0, "{started}");
    }

    #[test]
    fn histogram_buckets_ascend_and_label_values_are_distinct() {
        for family in HISTOGRAMS {
            assert!(family.name.ends_with("_seconds"), "{}", family.name);
            assert!(
                family.buckets.windows(2).all(|w| w[0] < w[1]),
                "{}",
                family.name
            );
            let mut values = family.values.to_vec();
            values.sort_unstable();
            values.dedup();
            assert_eq!(values.len(), family.values.len(), "{}", family.name);
        }
    }

    #[test]
    fn skipped_occurrences_are_counted_by_every_skip_reason_and_no_other() {
        use crate::SkipReason;
        let reasons = [
            SkipReason::Overlap,
            SkipReason::Misfire,
            SkipReason::Quota,
            SkipReason::Stopped,
        ];
        let mut names: Vec<&str> = reasons.iter().map(|r| r.as_str()).collect();
        let mut values = OCCURRENCES_SKIPPED.values.to_vec();
        names.sort_unstable();
        values.sort_unstable();
        assert_eq!(names, values);
        for value in values {
            assert!(value.parse::<SkipReason>().is_ok(), "{value}");
        }
    }

    #[test]
    fn every_family_is_a_counter_with_distinct_values() {
        for family in FAMILIES {
            assert!(family.name.ends_with("_total"), "{}", family.name);
            let mut values = family.values.to_vec();
            values.sort_unstable();
            values.dedup();
            assert_eq!(values.len(), family.values.len(), "{}", family.name);
        }
    }
}
