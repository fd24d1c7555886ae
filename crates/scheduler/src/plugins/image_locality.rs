//! ImageLocality: prefers nodes that already have the pod's images,
//! weighing each image by its size and by how many nodes have it (an image
//! on every node says little about this one).

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::Pod;

use crate::framework::{CycleState, MAX_NODE_SCORE, Plugin, Status};
use crate::node_info::{NodeInfo, normalized_image};

const MB: i64 = 1024 * 1024;
const MIN_THRESHOLD: i64 = 23 * MB;
const MAX_CONTAINER_THRESHOLD: i64 = 1000 * MB;
const STATE_KEY: &str = "PreScoreImageLocality";

pub struct ImageLocality;

/// How many nodes have each of the pod's images, and of how many.
struct Spread {
    nodes_with: BTreeMap<String, usize>,
    total: usize,
}

fn pod_images(pod: &Pod) -> Vec<String> {
    pod.spec
        .iter()
        .flat_map(|s| {
            s.init_containers
                .iter()
                .flatten()
                .chain(s.containers.iter())
        })
        .filter_map(|c| c.image.as_deref())
        .map(normalized_image)
        .collect()
}

impl Plugin for ImageLocality {
    fn name(&self) -> &'static str {
        "ImageLocality"
    }

    fn pre_score(&self, state: &mut CycleState, pod: &Pod, nodes: &[Arc<NodeInfo>]) -> Status {
        let mut nodes_with = BTreeMap::new();
        for image in pod_images(pod) {
            let count = nodes
                .iter()
                .filter(|n| n.images.contains_key(&image))
                .count();
            nodes_with.insert(image, count);
        }
        state.write(
            STATE_KEY,
            Spread {
                nodes_with,
                total: nodes.len(),
            },
        );
        Status::success()
    }

    fn score(&self, state: &CycleState, pod: &Pod, node: &NodeInfo) -> i64 {
        let Some(spread) = state.read::<Spread>(STATE_KEY) else {
            return 0;
        };
        let images = pod_images(pod);
        let sum: i64 = images
            .iter()
            .filter_map(|image| {
                let size = *node.images.get(image)?;
                let with = *spread.nodes_with.get(image)? as f64;
                Some((size as f64 * with / spread.total.max(1) as f64) as i64)
            })
            .sum();
        let max_threshold = MAX_CONTAINER_THRESHOLD * images.len().max(1) as i64;
        let clamped = sum.clamp(MIN_THRESHOLD, max_threshold);
        MAX_NODE_SCORE * (clamped - MIN_THRESHOLD) / (max_threshold - MIN_THRESHOLD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugins::testing::{node, pod};
    use serde_json::json;

    #[test]
    fn nodes_with_big_images_score_higher() {
        let with = Arc::new(node(
            "a",
            json!({"status": {"images": [
            {"names": ["docker.io/library/postgres:16"], "sizeBytes": 500 * MB}]}}),
        ));
        let without = Arc::new(node("b", json!({})));
        let p = pod(json!({"containers": [{"name": "db", "image": "postgres:16"}]}));
        let mut state = CycleState::default();
        ImageLocality.pre_score(&mut state, &p, &[with.clone(), without.clone()]);
        // 500 MB on half the nodes counts as 250 MB: (250-23)/(1000-23).
        assert_eq!(ImageLocality.score(&state, &p, &with), 23);
        assert_eq!(ImageLocality.score(&state, &p, &without), 0);
    }
}
