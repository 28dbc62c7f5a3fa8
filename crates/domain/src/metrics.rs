//! The service's counters, rendered for `GET /metrics` in the Prometheus text format.
//!
//! Every counter family has one label with a closed set of values declared here, so no
//! tenant-identifying (or otherwise unbounded) label can ever appear: `/metrics` needs no
//! token. To add a counter, declare a [`CounterFamily`] and list it in [`FAMILIES`].

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

/// A counter with one label whose values are fixed.
#[derive(Debug)]
pub struct CounterFamily {
    /// Metric name, ending in `_total`.
    pub name: &'static str,
    /// `# HELP` text.
    pub help: &'static str,
    /// The label's name.
    pub label: &'static str,
    /// Every value the label takes; each is exported from start (at 0).
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

/// Every family, in the order `/metrics` lists them.
pub const FAMILIES: &[&CounterFamily] = &[&EGRESS_REFUSED, &ATTEMPTS];

/// The counters of one process. Cheap to share behind an `Arc`; increments are lock-free.
#[derive(Debug)]
pub struct Metrics {
    counts: Vec<Vec<AtomicU64>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            counts: FAMILIES
                .iter()
                .map(|f| f.values.iter().map(|_| AtomicU64::new(0)).collect())
                .collect(),
        }
    }
}

impl Metrics {
    fn slot(&self, family: &CounterFamily, value: &str) -> Option<&AtomicU64> {
        let f = FAMILIES.iter().position(|f| f.name == family.name)?;
        let v = family.values.iter().position(|v| *v == value)?;
        self.counts.get(f)?.get(v)
    }

    /// Adds one to `family{label=value}`. A value the family does not declare is a bug; it is
    /// ignored rather than exported, so the label set stays closed.
    pub fn increment(&self, family: &CounterFamily, value: &str) {
        let slot = self.slot(family, value);
        debug_assert!(
            slot.is_some(),
            "{} has no {} `{value}`",
            family.name,
            family.label
        );
        if let Some(counter) = slot {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The current value of `family{label=value}` (0 for an undeclared value).
    pub fn get(&self, family: &CounterFamily, value: &str) -> u64 {
        self.slot(family, value)
            .map_or(0, |c| c.load(Ordering::Relaxed))
    }

    /// Every counter in the Prometheus text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (family, counts) in FAMILIES.iter().zip(&self.counts) {
            let _ = writeln!(out, "# HELP {} {}", family.name, family.help);
            let _ = writeln!(out, "# TYPE {} counter", family.name);
            for (value, count) in family.values.iter().zip(counts) {
                let _ = writeln!(
                    out,
                    "{}{{{}=\"{value}\"}} {}",
                    family.name,
                    family.label,
                    count.load(Ordering::Relaxed)
                );
            }
        }
        out
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
