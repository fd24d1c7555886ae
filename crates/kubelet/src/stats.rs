//! Resource usage as the kubelet reports it: `/stats/summary` (the
//! Summary API's JSON: the node, then each pod and its containers, with
//! CPU and memory) and `/metrics/resource` (the same figures under
//! upstream's Prometheus names, what metrics-server scrapes). Containers
//! are measured from their cgroups, the node from /proc.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};

use crate::eviction::ActivePods;
use crate::runtime::{ContainerStats, Runtime};

/// One measurement of CPU time (for rates between two of them).
#[derive(Clone, Copy)]
struct Sample {
    at: Instant,
    cpu_nanos: u64,
}

/// The previous samples, by container id (and "" for the node).
#[derive(Default)]
pub struct Stats {
    previous: Mutex<HashMap<String, Sample>>,
}

/// The node's CPU time (all CPUs, busy) in nanoseconds, from /proc/stat.
fn node_cpu_nanos() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    let line = text.lines().find(|l| l.starts_with("cpu "))?;
    let fields: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|f| f.parse().ok())
        .collect();
    let total: u64 = fields.iter().take(8).sum();
    let idle = fields.get(3).copied().unwrap_or(0) + fields.get(4).copied().unwrap_or(0);
    // USER_HZ is 100 on Linux: a tick is 10 ms.
    Some(total.saturating_sub(idle).saturating_mul(10_000_000))
}

/// (usage, working set, available) bytes of the node, from /proc/meminfo.
fn node_memory() -> Option<(u64, u64, u64)> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches(" kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .map(|kib| kib * 1024)
    };
    let total = field("MemTotal:")?;
    let free = field("MemFree:")?;
    let available = field("MemAvailable:").unwrap_or(free);
    let inactive_file = field("Inactive(file):").unwrap_or(0);
    let usage = total.saturating_sub(free);
    Some((usage, usage.saturating_sub(inactive_file), available))
}

fn time(at: Timestamp) -> String {
    crate::runtime::now()
        .max(at)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// A container measured now, with its CPU rate since the last look.
struct Measured {
    namespace: String,
    pod: String,
    uid: String,
    pod_started: Option<String>,
    container: String,
    stats: ContainerStats,
    nano_cores: Option<u64>,
}

impl Stats {
    fn rate(&self, key: &str, cpu_nanos: Option<u64>, now: Instant) -> Option<u64> {
        let cpu_nanos = cpu_nanos?;
        let mut previous = self.previous.lock().unwrap_or_else(|e| e.into_inner());
        let sample = Sample { at: now, cpu_nanos };
        let before = previous.insert(key.to_string(), sample)?;
        let wall = now.duration_since(before.at).as_nanos() as f64;
        if wall <= 0.0 {
            return None;
        }
        let used = cpu_nanos.saturating_sub(before.cpu_nanos) as f64;
        Some((used / wall * 1e9) as u64)
    }

    fn measure(&self, pods: &ActivePods, runtime: &dyn Runtime) -> (Vec<Measured>, Option<u64>) {
        let now = Instant::now();
        let mut measured = Vec::new();
        let mut live = vec![String::new()];
        for pod in pods.pods() {
            let namespace = pod.metadata.namespace.clone().unwrap_or_default();
            let name = pod.metadata.name.clone().unwrap_or_default();
            let Some((_, running)) = pods.find(&namespace, &name) else {
                continue;
            };
            let pod_started = pod
                .status
                .as_ref()
                .and_then(|s| s.start_time.as_ref())
                .map(|t| time(t.0));
            for (container, id) in running {
                let Some(stats) = runtime.container_stats(&id) else {
                    continue;
                };
                live.push(id.clone());
                measured.push(Measured {
                    namespace: namespace.clone(),
                    pod: name.clone(),
                    uid: pod.metadata.uid.clone().unwrap_or_default(),
                    pod_started: pod_started.clone(),
                    container,
                    nano_cores: self.rate(&id, stats.cpu_usage_nanos, now),
                    stats,
                });
            }
        }
        let node_rate = self.rate("", node_cpu_nanos(), now);
        // Containers that are gone take their samples with them.
        self.previous
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|key, _| live.contains(key));
        (measured, node_rate)
    }

    /// Measures twice if need be, so that every rate has a previous sample.
    async fn measure_with_rates(
        &self,
        pods: &ActivePods,
        runtime: &dyn Runtime,
    ) -> (Vec<Measured>, Option<u64>) {
        let (measured, node_rate) = self.measure(pods, runtime);
        let missing = node_rate.is_none()
            || measured
                .iter()
                .any(|m| m.nano_cores.is_none() && m.stats.cpu_usage_nanos.is_some());
        if !missing {
            return (measured, node_rate);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.measure(pods, runtime)
    }

    /// `/stats/summary`.
    pub async fn summary(&self, node: &str, pods: &ActivePods, runtime: &dyn Runtime) -> Value {
        let (measured, node_rate) = self.measure_with_rates(pods, runtime).await;
        let now = time(crate::runtime::now());
        let cpu = |nanos: Option<u64>, rate: Option<u64>| {
            let mut cpu = json!({"time": now});
            if let Some(rate) = rate {
                cpu["usageNanoCores"] = json!(rate);
            }
            if let Some(nanos) = nanos {
                cpu["usageCoreNanoSeconds"] = json!(nanos);
            }
            cpu
        };
        let (usage, working_set, available) = node_memory().unwrap_or_default();
        // The containers of each pod, in the order they were measured.
        let mut by_pod: Vec<Vec<&Measured>> = Vec::new();
        for m in &measured {
            match by_pod.iter_mut().find(|p| p[0].uid == m.uid) {
                Some(containers) => containers.push(m),
                None => by_pod.push(vec![m]),
            }
        }
        let pods: Vec<Value> = by_pod
            .iter()
            .map(|containers| {
                let first = containers[0];
                let sum = |f: &dyn Fn(&Measured) -> Option<u64>| -> Option<u64> {
                    containers.iter().map(|m| f(m)).sum::<Option<u64>>()
                };
                let memory = |usage: Option<u64>, working_set: Option<u64>| {
                    let mut memory = json!({"time": now});
                    if let Some(usage) = usage {
                        memory["usageBytes"] = json!(usage);
                    }
                    if let Some(working_set) = working_set {
                        memory["workingSetBytes"] = json!(working_set);
                    }
                    memory
                };
                json!({
                    "podRef": {"name": first.pod, "namespace": first.namespace, "uid": first.uid},
                    "startTime": first.pod_started,
                    "containers": containers.iter().map(|m| json!({
                        "name": m.container,
                        "startTime": m.stats.started_at.map(time),
                        "cpu": cpu(m.stats.cpu_usage_nanos, m.nano_cores),
                        "memory": memory(m.stats.memory_usage_bytes, m.stats.memory_working_set_bytes),
                    })).collect::<Vec<_>>(),
                    "cpu": cpu(sum(&|m| m.stats.cpu_usage_nanos), sum(&|m| m.nano_cores)),
                    "memory": memory(sum(&|m| m.stats.memory_usage_bytes), sum(&|m| m.stats.memory_working_set_bytes)),
                })
            })
            .collect();
        json!({
            "node": {
                "nodeName": node,
                "cpu": cpu(node_cpu_nanos(), node_rate),
                "memory": {
                    "time": now,
                    "availableBytes": available,
                    "usageBytes": usage,
                    "workingSetBytes": working_set,
                },
            },
            "pods": pods,
        })
    }

    /// `/metrics/resource`.
    pub async fn resource_metrics(&self, pods: &ActivePods, runtime: &dyn Runtime) -> String {
        let (measured, _) = self.measure(pods, runtime);
        let stamp = Timestamp::now().as_millisecond();
        let mut out = String::new();
        let mut family = |name: &str, kind: &str, help: &str, rows: Vec<(String, f64)>| {
            out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n"));
            for (labels, value) in rows {
                out.push_str(&format!("{name}{labels} {value} {stamp}\n"));
            }
        };
        let container_labels = |m: &Measured| {
            format!(
                "{{container=\"{}\",namespace=\"{}\",pod=\"{}\"}}",
                m.container, m.namespace, m.pod
            )
        };
        family(
            "container_cpu_usage_seconds_total",
            "counter",
            "[STABLE] Cumulative cpu time consumed by the container in core-seconds",
            measured
                .iter()
                .filter_map(|m| Some((container_labels(m), m.stats.cpu_usage_nanos? as f64 / 1e9)))
                .collect(),
        );
        family(
            "container_memory_working_set_bytes",
            "gauge",
            "[STABLE] Current working set of the container in bytes",
            measured
                .iter()
                .filter_map(|m| {
                    Some((
                        container_labels(m),
                        m.stats.memory_working_set_bytes? as f64,
                    ))
                })
                .collect(),
        );
        family(
            "container_start_time_seconds",
            "gauge",
            "[STABLE] Start time of the container since unix epoch in seconds",
            measured
                .iter()
                .filter_map(|m| Some((container_labels(m), m.stats.started_at?.as_second() as f64)))
                .collect(),
        );
        family(
            "node_cpu_usage_seconds_total",
            "counter",
            "[STABLE] Cumulative cpu time consumed by the node in core-seconds",
            node_cpu_nanos()
                .map(|n| vec![(String::new(), n as f64 / 1e9)])
                .unwrap_or_default(),
        );
        family(
            "node_memory_working_set_bytes",
            "gauge",
            "[STABLE] Current working set of the node in bytes",
            node_memory()
                .map(|(_, working_set, _)| vec![(String::new(), working_set as f64)])
                .unwrap_or_default(),
        );
        let mut pod_rows: Vec<(String, f64, f64)> = Vec::new();
        for m in &measured {
            let labels = format!("{{namespace=\"{}\",pod=\"{}\"}}", m.namespace, m.pod);
            let cpu = m.stats.cpu_usage_nanos.unwrap_or(0) as f64 / 1e9;
            let memory = m.stats.memory_working_set_bytes.unwrap_or(0) as f64;
            match pod_rows.iter_mut().find(|r| r.0 == labels) {
                Some(row) => {
                    row.1 += cpu;
                    row.2 += memory;
                }
                None => pod_rows.push((labels, cpu, memory)),
            }
        }
        family(
            "pod_cpu_usage_seconds_total",
            "counter",
            "[STABLE] Cumulative cpu time consumed by the pod in core-seconds",
            pod_rows.iter().map(|r| (r.0.clone(), r.1)).collect(),
        );
        family(
            "pod_memory_working_set_bytes",
            "gauge",
            "[STABLE] Current working set of the pod in bytes",
            pod_rows.iter().map(|r| (r.0.clone(), r.2)).collect(),
        );
        out.push_str("# HELP scrape_error [ALPHA] 1 if there was an error while getting container metrics, 0 otherwise\n# TYPE scrape_error gauge\nscrape_error 0\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_node_is_measured_from_proc() {
        let cpu = node_cpu_nanos().expect("/proc/stat");
        assert!(cpu > 0);
        let (usage, working_set, available) = node_memory().expect("/proc/meminfo");
        assert!(usage > 0 && working_set <= usage && available > 0);
        let stats = Stats::default();
        let first = Instant::now();
        assert_eq!(stats.rate("c", Some(1_000_000_000), first), None);
        // Half a CPU over the next second.
        let rate = stats.rate("c", Some(1_500_000_000), first + Duration::from_secs(1));
        assert_eq!(rate, Some(500_000_000));
    }
}
