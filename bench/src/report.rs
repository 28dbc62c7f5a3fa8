//! Metrics of one run and their median, min and max over several.

/// The named figures of one run, in report order.
#[derive(Debug, Clone, Default)]
pub struct Metrics(pub Vec<(&'static str, f64)>);

impl Metrics {
    /// Adds a figure.
    pub fn push(&mut self, name: &'static str, value: f64) {
        self.0.push((name, value));
    }

    /// One line `name=value ...` for the log of a run.
    pub fn line(&self) -> String {
        self.0
            .iter()
            .map(|(name, value)| format!("{name}={}", fmt(*value)))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn fmt(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// The value at quantile `q` (0..=1) of sorted `values` (nearest rank).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A markdown table: every figure's median and, over several runs, min and max.
pub fn summary(runs: &[Metrics]) -> String {
    let Some(first) = runs.first() else {
        return String::new();
    };
    let mut out = format!(
        "\n| figure | median of {} | min | max |\n|---|---|---|---|\n",
        runs.len()
    );
    for (i, (name, _)) in first.0.iter().enumerate() {
        let mut values: Vec<f64> = runs
            .iter()
            .filter_map(|m| m.0.get(i).map(|v| v.1))
            .collect();
        values.sort_by(f64::total_cmp);
        out.push_str(&format!(
            "| {name} | {} | {} | {} |\n",
            fmt(quantile(&values, 0.5)),
            fmt(values[0]),
            fmt(values[values.len() - 1])
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_quantiles() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&values, 0.5), 50.0);
        assert_eq!(quantile(&values, 0.99), 99.0);
        assert_eq!(quantile(&values, 1.0), 100.0);
        assert_eq!(quantile(&[7.0], 0.99), 7.0);
        assert!(quantile(&[], 0.5).is_nan());
    }
}
