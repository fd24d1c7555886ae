//! Figures out: one JSON object per line.

use std::time::Duration;

pub fn figure(scenario: &str, case: &str, metric: &str, value: f64, unit: &str) {
    let line = serde_json::json!({
        "scenario": scenario,
        "case": case,
        "metric": metric,
        "value": (value * 100.0).round() / 100.0,
        "unit": unit,
    });
    println!("{line}");
}

/// The `q` quantile (0..=1) of `samples`, which it sorts; None when empty.
pub fn quantile(samples: &mut [Duration], q: f64) -> Option<Duration> {
    if samples.is_empty() {
        return None;
    }
    samples.sort_unstable();
    let rank = ((samples.len() as f64 - 1.0) * q).round() as usize;
    Some(samples[rank.min(samples.len() - 1)])
}

pub fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_pick_ranks() {
        let mut samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        samples.reverse();
        assert_eq!(quantile(&mut samples, 0.5), Some(Duration::from_millis(51)));
        assert_eq!(
            quantile(&mut samples, 0.99),
            Some(Duration::from_millis(99))
        );
        assert_eq!(quantile(&mut [], 0.5), None);
    }
}
