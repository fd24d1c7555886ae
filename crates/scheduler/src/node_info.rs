//! What the scheduler knows of one node in a cycle: the Node, the pods on
//! it (bound or assumed), what they request, the host ports they hold and
//! the images the node has.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Node, Pod};

use crate::resources::{Resources, pod_requests};

/// Requests that count for scoring when a container asks for nothing:
/// upstream's 100 millicores and 200 MB.
pub const DEFAULT_MILLI_CPU_REQUEST: i64 = 100;
pub const DEFAULT_MEMORY_REQUEST: i64 = 200 * 1024 * 1024;

static NO_LABELS: BTreeMap<String, String> = BTreeMap::new();

/// A host port in use: protocol, host IP ("0.0.0.0" for any) and port.
pub type HostPort = (String, String, i32);

#[derive(Clone, Debug)]
pub struct NodeInfo {
    pub node: Arc<Node>,
    pub pods: Vec<Arc<Pod>>,
    /// The pods among them with pod affinity or anti-affinity terms.
    pub pods_with_affinity: Vec<Arc<Pod>>,
    pub allocatable: Resources,
    /// The sum of the pods' requests.
    pub requested: Resources,
    /// The same with upstream's non-zero defaults, for scoring.
    pub non_zero_requested: Resources,
    pub used_ports: Vec<HostPort>,
    /// Image names (every name an image has) → size in bytes.
    pub images: BTreeMap<String, i64>,
    /// namespace → label key → value → how many of the pods carry it, so
    /// a one-label selector counts its pods without looking at each.
    pub label_counts: LabelCounts,
}

pub type LabelCounts = std::collections::HashMap<
    String,
    std::collections::HashMap<String, std::collections::HashMap<String, u32>>,
>;

impl NodeInfo {
    pub fn new(node: Arc<Node>) -> NodeInfo {
        let status = node.status.as_ref();
        let allocatable = Resources::from_list(
            status.and_then(|s| s.allocatable.as_ref().or(s.capacity.as_ref())),
        );
        let mut images = BTreeMap::new();
        for image in status.and_then(|s| s.images.as_ref()).into_iter().flatten() {
            for name in image.names.iter().flatten() {
                images.insert(normalized_image(name), image.size_bytes.unwrap_or(0));
            }
        }
        NodeInfo {
            node,
            pods: Vec::new(),
            pods_with_affinity: Vec::new(),
            allocatable,
            requested: Resources::default(),
            non_zero_requested: Resources::default(),
            used_ports: Vec::new(),
            images,
            label_counts: LabelCounts::default(),
        }
    }

    pub fn name(&self) -> &str {
        self.node.metadata.name.as_deref().unwrap_or_default()
    }

    pub fn add_pod(&mut self, pod: Arc<Pod>) {
        let requests = pod_requests(&pod);
        self.requested.add(&requests);
        let mut non_zero = requests;
        if non_zero.milli_cpu == 0 {
            non_zero.milli_cpu = DEFAULT_MILLI_CPU_REQUEST;
        }
        if non_zero.memory == 0 {
            non_zero.memory = DEFAULT_MEMORY_REQUEST;
        }
        self.non_zero_requested.add(&non_zero);
        self.used_ports.extend(host_ports(&pod));
        let namespace = pod.metadata.namespace.clone().unwrap_or_default();
        let by_key = self.label_counts.entry(namespace).or_default();
        for (key, value) in pod.metadata.labels.iter().flatten() {
            *by_key
                .entry(key.clone())
                .or_default()
                .entry(value.clone())
                .or_default() += 1;
        }
        let affinity = pod.spec.as_ref().and_then(|s| s.affinity.as_ref());
        if affinity.is_some_and(|a| a.pod_affinity.is_some() || a.pod_anti_affinity.is_some()) {
            self.pods_with_affinity.push(pod.clone());
        }
        self.pods.push(pod);
    }

    /// How many of the pods in `namespace` carry label `key` = `value`.
    pub fn count_labelled(&self, namespace: &str, key: &str, value: &str) -> usize {
        self.label_counts
            .get(namespace)
            .and_then(|k| k.get(key))
            .and_then(|v| v.get(value))
            .copied()
            .unwrap_or(0) as usize
    }

    pub fn labels(&self) -> &BTreeMap<String, String> {
        self.node.metadata.labels.as_ref().unwrap_or(&NO_LABELS)
    }
}

/// The host ports a pod asks for.
pub fn host_ports(pod: &Pod) -> Vec<HostPort> {
    let Some(spec) = pod.spec.as_ref() else {
        return Vec::new();
    };
    spec.containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .flat_map(|c| c.ports.iter().flatten())
        .filter_map(|p| {
            let port = p.host_port.filter(|p| *p > 0)?;
            let ip = p
                .host_ip
                .clone()
                .filter(|ip| !ip.is_empty())
                .unwrap_or_else(|| "0.0.0.0".into());
            Some((p.protocol.clone().unwrap_or_else(|| "TCP".into()), ip, port))
        })
        .collect()
}

/// An image reference as nodes report it: `nginx` is `docker.io/library/nginx:latest`.
pub fn normalized_image(name: &str) -> String {
    let (path, tagged) = match name.rsplit_once('/') {
        Some((_, last)) => (name.to_string(), last.contains(':') || last.contains('@')),
        None => (name.to_string(), name.contains(':') || name.contains('@')),
    };
    let with_tag = if tagged {
        path
    } else {
        format!("{path}:latest")
    };
    let first = with_tag.split('/').next().unwrap_or_default();
    let has_registry = with_tag.contains('/')
        && (first.contains('.') || first.contains(':') || first == "localhost");
    if has_registry {
        with_tag
    } else if with_tag.contains('/') {
        format!("docker.io/{with_tag}")
    } else {
        format!("docker.io/library/{with_tag}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_normalize_like_the_runtime() {
        assert_eq!(normalized_image("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(
            normalized_image("nginx:1.27"),
            "docker.io/library/nginx:1.27"
        );
        assert_eq!(
            normalized_image("bitnami/redis"),
            "docker.io/bitnami/redis:latest"
        );
        assert_eq!(
            normalized_image("registry.k8s.io/pause:3.10"),
            "registry.k8s.io/pause:3.10"
        );
    }
}
