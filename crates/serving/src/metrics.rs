//! `/metrics` in the format Prometheus asks for. The metrics library
//! writes OpenMetrics, where a counter's family is named without its
//! `_total` suffix (`# TYPE apiserver_request counter` over samples named
//! `apiserver_request_total`); the Prometheus text format 0.0.4, which
//! scrapers get unless they ask for OpenMetrics, names the family as its
//! samples are named, as upstream components print it.

use std::collections::{HashMap, HashSet};

/// The content type of the Prometheus text format.
pub const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";
/// The content type of OpenMetrics.
pub const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Whether an `Accept` header asks for OpenMetrics.
pub fn wants_openmetrics(accept: Option<&str>) -> bool {
    accept.is_some_and(|a| a.contains("application/openmetrics-text"))
}

/// The body and content type for a scrape: OpenMetrics as written when
/// asked for, else the Prometheus text format.
pub fn exposition(openmetrics: String, accept: Option<&str>) -> (String, &'static str) {
    if wants_openmetrics(accept) {
        (openmetrics, OPENMETRICS)
    } else {
        (prometheus_text(&openmetrics), PROMETHEUS_TEXT)
    }
}

/// OpenMetrics text rewritten as the Prometheus text format 0.0.4:
/// counter families named with `_total`, info families as gauges named
/// with `_info`, no `# UNIT` or `# EOF` lines and no `_created` samples.
pub fn prometheus_text(openmetrics: &str) -> String {
    // Families whose metadata lines need another name, and that name.
    let mut renamed: HashMap<&str, String> = HashMap::new();
    let mut created: HashSet<String> = HashSet::new();
    for line in openmetrics.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut parts = rest.split(' ');
            if let (Some(name), Some(kind)) = (parts.next(), parts.next()) {
                match kind {
                    "counter" => {
                        renamed.insert(name, format!("{name}_total"));
                        created.insert(format!("{name}_created"));
                    }
                    "info" => {
                        renamed.insert(name, format!("{name}_info"));
                    }
                    _ => {}
                }
            }
        }
    }
    let rename = |name: &str| -> Option<&str> { renamed.get(name).map(String::as_str) };
    let mut out = String::with_capacity(openmetrics.len());
    for line in openmetrics.lines() {
        if line == "# EOF" || line.starts_with("# UNIT ") {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or((rest, ""));
            let kind = if kind == "info" { "gauge" } else { kind };
            out.push_str(&format!("# TYPE {} {kind}\n", rename(name).unwrap_or(name)));
            continue;
        }
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').unwrap_or((rest, ""));
            out.push_str(&format!("# HELP {} {help}\n", rename(name).unwrap_or(name)));
            continue;
        }
        let sample = line.split(['{', ' ']).next().unwrap_or_default();
        if created.contains(sample) {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPENMETRICS_SAMPLE: &str = "\
# HELP apiserver_request Counter of apiserver requests.
# TYPE apiserver_request counter
apiserver_request_total{verb=\"GET\",code=\"200\"} 7
apiserver_request_created{verb=\"GET\",code=\"200\"} 1700000000.0
# HELP apiserver_current_inflight_requests Requests in flight.
# TYPE apiserver_current_inflight_requests gauge
apiserver_current_inflight_requests{request_kind=\"readOnly\"} 1
# HELP build Build information.
# TYPE build info
build_info{version=\"1\"} 1
# HELP request_duration_seconds Latency.
# TYPE request_duration_seconds histogram
# UNIT request_duration_seconds seconds
request_duration_seconds_sum 0.5
request_duration_seconds_count 2
request_duration_seconds_bucket{le=\"+Inf\"} 2
# EOF
";

    #[test]
    fn counters_are_named_as_their_samples() {
        let text = prometheus_text(OPENMETRICS_SAMPLE);
        assert!(text.contains("# HELP apiserver_request_total Counter of apiserver requests.\n"));
        assert!(text.contains("# TYPE apiserver_request_total counter\n"));
        assert!(text.contains("apiserver_request_total{verb=\"GET\",code=\"200\"} 7\n"));
        assert!(!text.contains("_created"));
        assert!(text.contains("# TYPE apiserver_current_inflight_requests gauge\n"));
        assert!(text.contains("# TYPE build_info gauge\nbuild_info{version=\"1\"} 1\n"));
        assert!(text.contains("# TYPE request_duration_seconds histogram\n"));
        assert!(!text.contains("# EOF") && !text.contains("# UNIT"));
    }

    #[test]
    fn openmetrics_only_when_asked() {
        let (body, kind) = exposition(OPENMETRICS_SAMPLE.to_string(), Some("text/plain"));
        assert_eq!(kind, PROMETHEUS_TEXT);
        assert!(!body.contains("# EOF"));
        let asked = Some("application/openmetrics-text;version=1.0.0,text/plain;q=0.5");
        let (body, kind) = exposition(OPENMETRICS_SAMPLE.to_string(), asked);
        assert_eq!(kind, OPENMETRICS);
        assert!(body.ends_with("# EOF\n"));
        assert_eq!(exposition(String::new(), None).1, PROMETHEUS_TEXT);
    }
}
