//! Resource amounts as the scheduler counts them: cpu in millicores, memory
//! and storage in bytes, pods as a count, extended resources as integers;
//! a pod's request computed as upstream does (init containers, sidecars,
//! overhead).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, Pod};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resources {
    pub milli_cpu: i64,
    pub memory: i64,
    pub ephemeral_storage: i64,
    pub pods: i64,
    /// Extended and hugepages resources, by name.
    pub scalar: BTreeMap<String, i64>,
}

impl Resources {
    /// From a resource list (`allocatable`, `requests`).
    pub fn from_list(list: Option<&BTreeMap<String, Quantity>>) -> Resources {
        let mut resources = Resources::default();
        for (name, quantity) in list.into_iter().flatten() {
            resources.set(name, quantity);
        }
        resources
    }

    fn set(&mut self, name: &str, quantity: &Quantity) {
        match name {
            "cpu" => self.milli_cpu = milli_value(&quantity.0).unwrap_or(0),
            "memory" => self.memory = value(&quantity.0).unwrap_or(0),
            "ephemeral-storage" => self.ephemeral_storage = value(&quantity.0).unwrap_or(0),
            "pods" => self.pods = value(&quantity.0).unwrap_or(0),
            other if is_scalar(other) => {
                self.scalar
                    .insert(other.to_string(), value(&quantity.0).unwrap_or(0));
            }
            _ => {}
        }
    }

    pub fn add(&mut self, other: &Resources) {
        self.milli_cpu += other.milli_cpu;
        self.memory += other.memory;
        self.ephemeral_storage += other.ephemeral_storage;
        self.pods += other.pods;
        for (name, amount) in &other.scalar {
            *self.scalar.entry(name.clone()).or_default() += amount;
        }
    }

    /// The larger of each amount.
    fn max(&mut self, other: &Resources) {
        self.milli_cpu = self.milli_cpu.max(other.milli_cpu);
        self.memory = self.memory.max(other.memory);
        self.ephemeral_storage = self.ephemeral_storage.max(other.ephemeral_storage);
        for (name, amount) in &other.scalar {
            let entry = self.scalar.entry(name.clone()).or_default();
            *entry = (*entry).max(*amount);
        }
    }
}

/// Extended resources (`example.com/gpu`) and hugepages are counted; other
/// names without a domain are not schedulable resources.
fn is_scalar(name: &str) -> bool {
    name.starts_with("hugepages-") || (name.contains('/') && !name.starts_with("kubernetes.io/"))
}

fn container_requests(container: &Container) -> Resources {
    let resources = container.resources.as_ref();
    let mut requests = Resources::from_list(resources.and_then(|r| r.requests.as_ref()));
    // A limit without a request requests the limit.
    let limits = Resources::from_list(resources.and_then(|r| r.limits.as_ref()));
    let requested = resources.and_then(|r| r.requests.as_ref());
    let has = |name: &str| requested.is_some_and(|r| r.contains_key(name));
    if !has("cpu") {
        requests.milli_cpu = limits.milli_cpu;
    }
    if !has("memory") {
        requests.memory = limits.memory;
    }
    if !has("ephemeral-storage") {
        requests.ephemeral_storage = limits.ephemeral_storage;
    }
    for (name, amount) in limits.scalar {
        requests.scalar.entry(name).or_insert(amount);
    }
    requests
}

/// What a pod asks of a node: the sum of its containers (and restartable
/// init containers, which keep running), or the largest init container
/// with the sidecars started before it, whichever is larger; plus the pod
/// overhead. `pods` is 1.
pub fn pod_requests(pod: &Pod) -> Resources {
    let mut total = Resources::default();
    let Some(spec) = pod.spec.as_ref() else {
        total.pods = 1;
        return total;
    };
    for container in &spec.containers {
        total.add(&container_requests(container));
    }
    let mut sidecars = Resources::default();
    let mut init_peak = Resources::default();
    for init in spec.init_containers.iter().flatten() {
        let requests = container_requests(init);
        if init.restart_policy.as_deref() == Some("Always") {
            sidecars.add(&requests);
            total.add(&requests);
            init_peak.max(&sidecars);
        } else {
            let mut running = sidecars.clone();
            running.add(&requests);
            init_peak.max(&running);
        }
    }
    total.max(&init_peak);
    total.add(&Resources::from_list(spec.overhead.as_ref()));
    total.pods = 1;
    total
}

/// A quantity in its base unit, rounded up (`1Ki` = 1024, `1.5` = 2).
pub fn value(text: &str) -> Option<i64> {
    scaled(text, 1.0)
}

/// A quantity in thousandths, rounded up (`100m` = 100, `2` = 2000).
pub fn milli_value(text: &str) -> Option<i64> {
    scaled(text, 1000.0)
}

fn scaled(text: &str, factor: f64) -> Option<i64> {
    api::quantity::value(text).map(|v| (v * factor).ceil() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(spec: serde_json::Value) -> Pod {
        serde_json::from_value(json!({"metadata": {"name": "p"}, "spec": spec})).unwrap()
    }

    #[test]
    fn quantities() {
        assert_eq!(milli_value("100m"), Some(100));
        assert_eq!(milli_value("2"), Some(2000));
        assert_eq!(milli_value("0.5"), Some(500));
        assert_eq!(value("1Gi"), Some(1 << 30));
        assert_eq!(value("512Mi"), Some(512 << 20));
        assert_eq!(value("1e3"), Some(1000));
        assert_eq!(value("1.5"), Some(2));
        assert_eq!(value("x"), None);
    }

    #[test]
    fn pod_requests_count_init_containers_sidecars_and_overhead() {
        let p = pod(json!({
            "containers": [
                {"name": "a", "image": "i", "resources": {"requests": {"cpu": "100m", "memory": "100Mi"}}},
                {"name": "b", "image": "i", "resources": {"limits": {"cpu": "200m", "example.com/gpu": "1"}}}],
            "initContainers": [
                {"name": "big", "image": "i", "resources": {"requests": {"cpu": "1", "memory": "50Mi"}}},
                {"name": "side", "image": "i", "restartPolicy": "Always", "resources": {"requests": {"cpu": "50m"}}}],
            "overhead": {"cpu": "10m"}}));
        let r = pod_requests(&p);
        // max(containers 300m + sidecar 50m, init 1000m) + overhead 10m
        assert_eq!(r.milli_cpu, 1010);
        assert_eq!(r.memory, 100 << 20);
        assert_eq!(r.scalar.get("example.com/gpu"), Some(&1));
        assert_eq!(r.pods, 1);
    }
}
