//! The DaemonSet controller: one pod on every node the set's pods may run
//! on (its node selector and required node affinity match, every
//! NoSchedule/NoExecute taint tolerated, with the daemon tolerations
//! upstream adds for not-ready, unreachable, pressure and unschedulable
//! nodes). Each pod is pinned to its node by node affinity and left to
//! the scheduler. Extra and failed pods are removed, pods on nodes that
//! no longer fit are removed (NoSchedule taints only keep new pods away).
//! Templates are ControllerRevisions; RollingUpdate replaces pods within
//! maxUnavailable (or surges new ones first with maxSurge); OnDelete waits.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::apps::v1::{ControllerRevision, DaemonSet};
use k8s_openapi::api::core::v1::{
    Affinity, Node, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod,
    Toleration,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::runtime::RawExtension;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::informer::{Change, Informer, key_of, split_key};
use crate::queue::{Outcome, WorkQueue};
use crate::{Context, Error, is_already_exists, is_not_found, pods};
use component_helpers::scheduling::{self, tolerates};
use events::EventSink;

const NAME: &str = "daemonset-controller";
const WORKERS: usize = 2;
pub const REVISION_LABEL: &str = "controller-revision-hash";
const GENERATION_LABEL: &str = "pod-template-generation";

pub struct DaemonSetController {
    client: kube::Client,
    sets: Arc<Informer<DaemonSet>>,
    pods: Arc<Informer<Pod>>,
    nodes: Arc<Informer<Node>>,
    revisions: Arc<Informer<ControllerRevision>>,
    queue: Arc<WorkQueue>,
    events: EventSink,
    clock: crate::Clock,
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let controller = DaemonSetController::new(context);
    let (sets, pods, nodes, revisions) = (
        controller.sets.clone(),
        controller.pods.clone(),
        controller.nodes.clone(),
        controller.revisions.clone(),
    );
    let synced = async move {
        sets.synced().await;
        pods.synced().await;
        nodes.synced().await;
        revisions.synced().await;
    };
    let queue = controller.queue.clone();
    crate::spawn_workers(NAME, queue, WORKERS, synced, shutdown, move |key| {
        let controller = controller.clone();
        async move { controller.sync(&key).await }
    })
}

/// The tolerations every daemon pod gets, as upstream adds them.
fn daemon_tolerations(host_network: bool) -> Vec<Toleration> {
    let mut list = vec![
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ];
    if host_network {
        list.push(("node.kubernetes.io/network-unavailable", "NoSchedule"));
    }
    list.into_iter()
        .map(|(key, effect)| Toleration {
            key: Some(key.into()),
            operator: Some("Exists".into()),
            effect: Some(effect.into()),
            ..Toleration::default()
        })
        .collect()
}

/// Whether the set's pods may go to `node` (should run) and may stay
/// there (should continue running), as upstream decides.
fn fits(set: &DaemonSet, node: &Node) -> (bool, bool) {
    let Some(spec) = set.spec.as_ref().and_then(|s| s.template.spec.as_ref()) else {
        return (false, false);
    };
    // The scheduler's own rule, so a daemon pod goes only where the
    // scheduler would let it.
    let (labels, name) = scheduling::node_labels(node);
    if !scheduling::required_node_affinity_matches(spec, &labels, name) {
        return (false, false);
    }
    let mut tolerations = spec.tolerations.clone().unwrap_or_default();
    tolerations.extend(daemon_tolerations(spec.host_network == Some(true)));
    let mut run = true;
    let mut stay = true;
    for taint in node
        .spec
        .as_ref()
        .and_then(|s| s.taints.as_ref())
        .into_iter()
        .flatten()
    {
        if !matches!(taint.effect.as_str(), "NoSchedule" | "NoExecute")
            || tolerations.iter().any(|t| tolerates(t, taint))
        {
            continue;
        }
        run = false;
        if taint.effect == "NoExecute" {
            stay = false;
        }
    }
    (run, stay)
}

/// The node a daemon pod is for: where it runs, or where its affinity pins it.
fn node_of(pod: &Pod) -> Option<String> {
    let spec = pod.spec.as_ref()?;
    if let Some(node) = spec.node_name.clone().filter(|n| !n.is_empty()) {
        return Some(node);
    }
    spec.affinity
        .as_ref()?
        .node_affinity
        .as_ref()?
        .required_during_scheduling_ignored_during_execution
        .as_ref()?
        .node_selector_terms
        .iter()
        .flat_map(|t| t.match_fields.iter().flatten())
        .find(|r| r.key == "metadata.name" && r.operator == "In")
        .and_then(|r| r.values.as_ref()?.first().cloned())
}

/// `pod` pinned to `node`: each required term's `metadata.name` field
/// requirement replaced by this node, as upstream does.
fn pin_to_node(pod: &mut Pod, node: &str) {
    let requirement = NodeSelectorRequirement {
        key: "metadata.name".into(),
        operator: "In".into(),
        values: Some(vec![node.to_string()]),
    };
    let Some(spec) = pod.spec.as_mut() else {
        return;
    };
    let affinity = spec.affinity.get_or_insert_with(Affinity::default);
    let node_affinity = affinity
        .node_affinity
        .get_or_insert_with(NodeAffinity::default);
    let required = node_affinity
        .required_during_scheduling_ignored_during_execution
        .get_or_insert_with(|| NodeSelector {
            node_selector_terms: Vec::new(),
        });
    if required.node_selector_terms.is_empty() {
        required
            .node_selector_terms
            .push(NodeSelectorTerm::default());
    }
    for term in &mut required.node_selector_terms {
        term.match_fields = Some(vec![requirement.clone()]);
    }
}

fn revision_data(set: &DaemonSet) -> Value {
    let mut template =
        serde_json::to_value(set.spec.as_ref().map(|s| &s.template)).unwrap_or(Value::Null);
    if let Some(object) = template.as_object_mut() {
        object.insert("$patch".into(), json!("replace"));
    }
    json!({"spec": {"template": template}})
}

fn scaled(value: Option<&IntOrString>, total: i32, round_up: bool, default: i32) -> i32 {
    value.map_or(default, |v| {
        crate::int_or_percent(v, total, round_up).unwrap_or(0)
    })
}

impl DaemonSetController {
    /// The controller with its informer handlers registered; its workers
    /// are started by [`start`].
    pub fn new(context: &Context) -> Arc<Self> {
        let sets = context.informers.get::<DaemonSet>();
        let pods = context.informers.get::<Pod>();
        let nodes = context.informers.get::<Node>();
        let revisions = context.informers.get::<ControllerRevision>();
        let controller = Arc::new(DaemonSetController {
            client: context.client.clone(),
            sets: sets.clone(),
            pods: pods.clone(),
            nodes: nodes.clone(),
            revisions: revisions.clone(),
            queue: context.queue("daemonset"),
            events: EventSink::new(context.client.clone(), NAME),
            clock: context.clock(),
        });
        let handler = controller.clone();
        sets.on_change(move |change| match change {
            Change::Added(s) | Change::Updated { new: s, .. } | Change::Deleted(s) => {
                handler.queue.add(key_of(s))
            }
        });
        let handler = controller.clone();
        pods.on_change(move |change| {
            let pod = match change {
                Change::Added(p) | Change::Deleted(p) | Change::Updated { new: p, .. } => p,
            };
            if let Some(reference) =
                pods::controller_ref(&pod.metadata).filter(|r| r.kind == "DaemonSet")
            {
                handler.queue.add(format!(
                    "{}/{}",
                    pod.namespace().unwrap_or_default(),
                    reference.name
                ));
            }
        });
        let handler = controller.clone();
        nodes.on_change(move |change| {
            // A node came, went or changed its labels, taints or
            // schedulability: every set looks. Status-only updates (heartbeats)
            // change nothing here.
            if let Change::Updated { old, new } = &change
                && old.metadata.labels == new.metadata.labels
                && old.spec == new.spec
            {
                return;
            }
            for set in handler.sets.store().state() {
                handler.queue.add(key_of(set.as_ref()));
            }
        });
        controller
    }

    /// The update revision's hash, creating its ControllerRevision when the
    /// template is new.
    async fn update_revision(&self, set: &DaemonSet) -> Result<String, Error> {
        let data = revision_data(set);
        let namespace = set.namespace().unwrap_or_default();
        let uid = set.metadata.uid.clone().unwrap_or_default();
        let owned: Vec<Arc<ControllerRevision>> = self
            .revisions
            .list_namespace(&namespace)
            .into_iter()
            .filter(|r| pods::controller_ref(&r.metadata).is_some_and(|o| o.uid == uid))
            .collect();
        let prefix = format!("{}-", set.name_any());
        if let Some(found) = owned
            .iter()
            .find(|r| r.data.as_ref().map(|d| &d.0) == Some(&data))
        {
            return Ok(found
                .name_any()
                .strip_prefix(&prefix)
                .unwrap_or_default()
                .to_string());
        }
        let hash = crate::deployment::template_hash(
            &data,
            set.status.as_ref().and_then(|s| s.collision_count),
        );
        let revision = ControllerRevision {
            metadata: ObjectMeta {
                name: Some(format!("{prefix}{hash}")),
                namespace: Some(namespace.clone()),
                // The template's labels (kubectl finds a set's history by its
                // selector) and the hash.
                labels: Some({
                    let mut labels = set
                        .spec
                        .as_ref()
                        .and_then(|s| s.template.metadata.as_ref())
                        .and_then(|m| m.labels.clone())
                        .unwrap_or_default();
                    labels.insert(REVISION_LABEL.to_string(), hash.clone());
                    labels
                }),
                owner_references: Some(vec![pods::controller_reference(set)]),
                ..ObjectMeta::default()
            },
            data: Some(RawExtension(data)),
            revision: owned.iter().map(|r| r.revision).max().unwrap_or(0) + 1,
        };
        let api: Api<ControllerRevision> = Api::namespaced(self.client.clone(), &namespace);
        match api.create(&PostParams::default(), &revision).await {
            Ok(_) => Ok(hash),
            Err(err) if is_already_exists(&err) => Ok(hash),
            Err(err) => Err(err.into()),
        }
    }

    /// Reconciles the object a queue key names, once.
    pub async fn sync(&self, key: &str) -> Result<Outcome, Error> {
        let (namespace, name) = split_key(key);
        let Some(set) = self.sets.get(namespace, name) else {
            return Ok(Outcome::Done);
        };
        let Some(selector) = set.spec.as_ref().and_then(|s| pods::selector(&s.selector)) else {
            return Ok(Outcome::Done);
        };
        let candidates = self.pods.list_namespace(namespace);
        let owned =
            crate::controller_ref_manager::claim(&self.client, set.as_ref(), &selector, candidates)
                .await?;
        let hash = self.update_revision(&set).await?;
        let nodes = self.nodes.store().state();
        let mut by_node: HashMap<String, Vec<Arc<Pod>>> = HashMap::new();
        for pod in &owned {
            if let Some(node) = node_of(pod) {
                by_node.entry(node).or_default().push(pod.clone());
            }
        }
        let deleting = set.metadata.deletion_timestamp.is_some();
        let mut create_on: Vec<String> = Vec::new();
        let mut delete: Vec<Arc<Pod>> = Vec::new();
        let min_ready = set
            .spec
            .as_ref()
            .and_then(|s| s.min_ready_seconds)
            .unwrap_or(0);
        let now = self.clock.now();
        let mut desired = 0;
        let mut stats = (0, 0, 0, 0, 0); // current, misscheduled, ready, available, updated
        for node in &nodes {
            let node_name = node.name_any();
            let (run, stay) = fits(&set, node);
            let mut here: Vec<Arc<Pod>> = by_node.remove(&node_name).unwrap_or_default();
            here.retain(|p| p.metadata.deletion_timestamp.is_none());
            if run {
                desired += 1;
                if !here.is_empty() {
                    stats.0 += 1;
                }
            } else if !here.is_empty() {
                stats.1 += 1;
            }
            if run {
                if let Some(pod) = here.iter().find(|p| pods::is_ready(p)) {
                    stats.2 += 1;
                    if pods::is_available(pod, min_ready, now) {
                        stats.3 += 1;
                    }
                }
                if here.iter().any(|p| {
                    p.metadata
                        .labels
                        .as_ref()
                        .and_then(|l| l.get(REVISION_LABEL))
                        == Some(&hash)
                }) {
                    stats.4 += 1;
                }
            }
            if deleting {
                continue;
            }
            let (failed, mut running): (Vec<Arc<Pod>>, Vec<Arc<Pod>>) =
                here.into_iter().partition(|p| {
                    p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Failed")
                });
            for pod in failed {
                self.events.warning(
                    set.as_ref(),
                    "FailedDaemonPod",
                    format!("Found failed daemon pod {namespace}/{} on node {node_name}, will try to kill it", pod.name_any()),
                );
                delete.push(pod);
            }
            if run && running.is_empty() {
                create_on.push(node_name.clone());
            } else if run && running.len() > 1 {
                // The oldest stays.
                running.sort_by_key(|p| p.metadata.creation_timestamp.as_ref().map(|t| t.0));
                delete.extend(running.drain(1..));
            } else if !stay {
                delete.extend(running);
            }
        }
        // Pods for nodes that are gone.
        if !deleting {
            for (_, pods) in by_node {
                delete.extend(
                    pods.into_iter()
                        .filter(|p| p.metadata.deletion_timestamp.is_none()),
                );
            }
            self.create_pods(&set, &create_on, &hash).await?;
            self.delete_pods(&set, &delete).await?;
            self.rolling_update(&set, &owned, &nodes, &hash, desired)
                .await?;
        }
        let status = json!({"status": {
            "desiredNumberScheduled": desired,
            "currentNumberScheduled": stats.0,
            "numberMisscheduled": stats.1,
            "numberReady": stats.2,
            "numberAvailable": if stats.3 == 0 { Value::Null } else { json!(stats.3) },
            "numberUnavailable": if desired - stats.3 <= 0 { Value::Null } else { json!(desired - stats.3) },
            "updatedNumberScheduled": if stats.4 == 0 { Value::Null } else { json!(stats.4) },
            "observedGeneration": set.metadata.generation,
        }});
        let current =
            serde_json::to_value(set.status.clone().unwrap_or_default()).unwrap_or(Value::Null);
        let changed = status["status"]
            .as_object()
            .into_iter()
            .flatten()
            .any(|(k, v)| {
                let have = current.get(k).and_then(Value::as_i64).unwrap_or(0);
                v.as_i64().unwrap_or(0) != have
            });
        if changed {
            let api: Api<DaemonSet> = Api::namespaced(self.client.clone(), namespace);
            match api
                .patch_status(name, &PatchParams::default(), &Patch::Merge(status))
                .await
            {
                Ok(_) => {}
                Err(err) if is_not_found(&err) => return Ok(Outcome::Done),
                Err(err) => return Err(err.into()),
            }
        }
        if min_ready > 0 && stats.2 != stats.3 {
            return Ok(Outcome::After(Duration::from_secs(min_ready as u64)));
        }
        Ok(Outcome::Done)
    }

    async fn create_pods(
        &self,
        set: &DaemonSet,
        nodes: &[String],
        hash: &str,
    ) -> Result<(), Error> {
        if nodes.is_empty() {
            return Ok(());
        }
        let namespace = set.namespace().unwrap_or_default();
        let api: Api<Pod> = Api::namespaced(self.client.clone(), &namespace);
        let template = set
            .spec
            .as_ref()
            .map(|s| s.template.clone())
            .unwrap_or_default();
        let generation = set.metadata.generation.unwrap_or(1).to_string();
        let made = crate::replicaset::slow_start(nodes.len(), |i| {
            let mut pod = pods::from_template(
                &template,
                &namespace,
                &pods::name_prefix(&set.name_any()),
                pods::controller_reference(set),
            );
            let labels = pod.metadata.labels.get_or_insert_with(BTreeMap::new);
            labels.insert(REVISION_LABEL.into(), hash.to_string());
            labels.insert(GENERATION_LABEL.into(), generation.clone());
            pin_to_node(&mut pod, &nodes[i]);
            if let Some(spec) = pod.spec.as_mut() {
                let tolerations = spec.tolerations.get_or_insert_with(Vec::new);
                for toleration in daemon_tolerations(spec.host_network == Some(true)) {
                    if !tolerations
                        .iter()
                        .any(|t| t.key == toleration.key && t.effect == toleration.effect)
                    {
                        tolerations.push(toleration);
                    }
                }
            }
            let api = api.clone();
            async move { api.create(&PostParams::default(), &pod).await }
        })
        .await;
        for pod in &made.succeeded {
            self.events.normal(
                set,
                "SuccessfulCreate",
                format!("Created pod: {}", pod.name_any()),
            );
        }
        if let Some(err) = made.error {
            self.events.warning(
                set,
                "FailedCreate",
                format!("Error creating: {}", crate::replicaset::api_message(&err)),
            );
            return Err(err.into());
        }
        Ok(())
    }

    async fn delete_pods(&self, set: &DaemonSet, victims: &[Arc<Pod>]) -> Result<(), Error> {
        let api: Api<Pod> =
            Api::namespaced(self.client.clone(), &set.namespace().unwrap_or_default());
        for pod in victims {
            match api.delete(&pod.name_any(), &DeleteParams::default()).await {
                Ok(_) => self.events.normal(
                    set,
                    "SuccessfulDelete",
                    format!("Deleted pod: {}", pod.name_any()),
                ),
                Err(err) if is_not_found(&err) => {}
                Err(err) => return Err(err.into()),
            }
        }
        Ok(())
    }

    /// Old pods replaced within maxUnavailable (maxSurge 0), or new pods
    /// surged beside old ones that go once the new ones are available.
    async fn rolling_update(
        &self,
        set: &DaemonSet,
        owned: &[Arc<Pod>],
        nodes: &[Arc<Node>],
        hash: &str,
        desired: i32,
    ) -> Result<(), Error> {
        let strategy = set.spec.as_ref().and_then(|s| s.update_strategy.as_ref());
        if strategy
            .and_then(|s| s.type_.as_deref())
            .unwrap_or("RollingUpdate")
            != "RollingUpdate"
        {
            return Ok(());
        }
        let rolling = strategy.and_then(|s| s.rolling_update.as_ref());
        let surge = scaled(rolling.and_then(|r| r.max_surge.as_ref()), desired, true, 0);
        let mut unavailable_budget = scaled(
            rolling.and_then(|r| r.max_unavailable.as_ref()),
            desired,
            true,
            1,
        );
        if surge == 0 && unavailable_budget == 0 {
            unavailable_budget = 1;
        }
        let min_ready = set
            .spec
            .as_ref()
            .and_then(|s| s.min_ready_seconds)
            .unwrap_or(0);
        let now = self.clock.now();
        let is_new = |p: &Pod| {
            p.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(REVISION_LABEL))
                .map(String::as_str)
                == Some(hash)
        };
        let available = |p: &Pod| pods::is_available(p, min_ready, now);
        let mut unavailable = 0;
        let mut old_unavailable: Vec<Arc<Pod>> = Vec::new();
        let mut old_available: Vec<Arc<Pod>> = Vec::new();
        let mut surge_on: Vec<String> = Vec::new();
        let mut retire: Vec<Arc<Pod>> = Vec::new();
        for node in nodes {
            let (run, _) = fits(set, node);
            if !run {
                continue;
            }
            let here: Vec<&Arc<Pod>> = owned
                .iter()
                .filter(|p| {
                    node_of(p).as_deref() == Some(node.name_any().as_str())
                        && p.metadata.deletion_timestamp.is_none()
                })
                .collect();
            let new = here.iter().find(|p| is_new(p));
            let old = here.iter().find(|p| !is_new(p));
            if !here.iter().any(|p| available(p)) {
                unavailable += 1;
            }
            match (old, new) {
                (Some(old), None) if !available(old) => old_unavailable.push((*old).clone()),
                (Some(old), None) => {
                    if surge > 0 {
                        surge_on.push(node.name_any());
                    } else {
                        old_available.push((*old).clone());
                    }
                }
                (Some(old), Some(new)) if available(new) => retire.push((*old).clone()),
                _ => {}
            }
        }
        if surge > 0 {
            let surging = owned.iter().filter(|p| is_new(p) && !available(p)).count() as i32;
            let room = (surge - surging).max(0) as usize;
            surge_on.truncate(room);
            self.create_pods(set, &surge_on, hash).await?;
            return self.delete_pods(set, &retire).await;
        }
        // Unavailable old pods cost nothing to replace; available ones
        // only within the budget.
        let mut victims = old_unavailable;
        let room = (unavailable_budget - unavailable).max(0) as usize;
        victims.extend(old_available.into_iter().take(room));
        self.delete_pods(set, &victims).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(value: Value) -> Node {
        serde_json::from_value(value).unwrap()
    }

    fn set(spec: Value) -> DaemonSet {
        serde_json::from_value(json!({"metadata": {"name": "agent"}, "spec": {
            "selector": {"matchLabels": {"app": "agent"}},
            "template": {"metadata": {"labels": {"app": "agent"}}, "spec": spec}}}))
        .unwrap()
    }

    #[test]
    fn daemon_pods_go_where_selectors_and_taints_allow() {
        let plain = set(json!({"containers": []}));
        let worker = node(json!({"metadata": {"name": "w", "labels": {"disk": "ssd"}}}));
        let control = node(json!({"metadata": {"name": "cp"}, "spec": {"taints": [
            {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]}}));
        let evicting = node(json!({"metadata": {"name": "e"}, "spec": {"taints": [
            {"key": "dedicated", "value": "db", "effect": "NoExecute"}]}}));
        let cordoned = node(
            json!({"metadata": {"name": "c"}, "spec": {"unschedulable": true, "taints": [
            {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}]}}),
        );
        assert_eq!(fits(&plain, &worker), (true, true));
        assert_eq!(
            fits(&plain, &control),
            (false, true),
            "a NoSchedule taint keeps only new pods away"
        );
        assert_eq!(fits(&plain, &evicting), (false, false));
        assert_eq!(
            fits(&plain, &cordoned),
            (true, true),
            "daemon pods tolerate cordoned nodes"
        );
        let ssd = set(json!({"containers": [], "nodeSelector": {"disk": "ssd"}}));
        assert_eq!(fits(&ssd, &worker), (true, true));
        assert_eq!(fits(&ssd, &control), (false, false));
        let tolerant = set(json!({"containers": [], "tolerations": [{"operator": "Exists"}]}));
        assert_eq!(fits(&tolerant, &evicting), (true, true));
        // A required term with no requirements matches no node, as the
        // scheduler (and the API) read it: no daemon pod goes anywhere.
        let empty_term = set(json!({"containers": [], "affinity": {"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": []}]}}}}));
        assert_eq!(fits(&empty_term, &worker), (false, false));
        let by_field = set(json!({"containers": [], "affinity": {"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchFields": [
                    {"key": "metadata.name", "operator": "In", "values": ["w"]}]}]}}}}));
        assert_eq!(fits(&by_field, &worker), (true, true));
        assert_eq!(fits(&by_field, &evicting), (false, false));
    }

    #[test]
    fn pods_are_pinned_by_node_affinity() {
        let mut pod: Pod =
            serde_json::from_value(json!({"metadata": {"name": "p"}, "spec": {"containers": []}}))
                .unwrap();
        pin_to_node(&mut pod, "worker-1");
        assert_eq!(node_of(&pod).as_deref(), Some("worker-1"));
    }

    mod reconcile {
        use super::*;
        use crate::testing::Harness;

        async fn add_node(h: &Harness, name: &str, labels: Value, taints: Value) {
            let _: Node = h
                .create_cluster(json!({
                    "apiVersion": "v1", "kind": "Node",
                    "metadata": {"name": name, "labels": labels},
                    "spec": {"taints": taints},
                }))
                .await;
        }

        fn live(pods: &[Pod]) -> Vec<&Pod> {
            pods.iter()
                .filter(|p| p.metadata.deletion_timestamp.is_none())
                .collect()
        }

        #[tokio::test]
        async fn one_pod_per_eligible_node_pinned_by_affinity() {
            let h = Harness::start().await;
            let controller = DaemonSetController::new(&h.context);
            h.start_informers().await;
            add_node(&h, "n1", json!({"disk": "ssd"}), json!([])).await;
            add_node(&h, "n2", json!({"disk": "hdd"}), json!([])).await;
            add_node(
                &h,
                "n3",
                json!({"disk": "ssd"}),
                json!([{"key": "dedicated", "value": "db", "effect": "NoSchedule"}]),
            )
            .await;
            let _: DaemonSet = h
                .create(json!({
                    "apiVersion": "apps/v1", "kind": "DaemonSet",
                    "metadata": {"name": "agent"},
                    "spec": {
                        "selector": {"matchLabels": {"app": "agent"}},
                        "template": {
                            "metadata": {"labels": {"app": "agent"}},
                            "spec": {
                                "nodeSelector": {"disk": "ssd"},
                                "containers": [{"name": "c", "image": "busybox"}],
                            },
                        },
                    },
                }))
                .await;

            controller.sync("default/agent").await.unwrap();
            let pods = h.pods("default").await;
            assert_eq!(pods.len(), 1);
            assert_eq!(node_of(&pods[0]).as_deref(), Some("n1"));
            let tolerations = pods[0].spec.as_ref().unwrap().tolerations.clone().unwrap();
            for key in [
                "node.kubernetes.io/not-ready",
                "node.kubernetes.io/unreachable",
                "node.kubernetes.io/disk-pressure",
                "node.kubernetes.io/unschedulable",
            ] {
                assert!(
                    tolerations.iter().any(|t| t.key.as_deref() == Some(key)),
                    "tolerates {key}"
                );
            }

            h.mark_ready(&pods[0]).await;
            controller.sync("default/agent").await.unwrap();
            let status = h
                .fresh::<DaemonSet>("default", "agent")
                .await
                .status
                .unwrap();
            assert_eq!(
                (
                    status.desired_number_scheduled,
                    status.current_number_scheduled,
                    status.number_ready,
                    status.updated_number_scheduled,
                    status.number_available,
                    status.number_misscheduled,
                ),
                (1, 1, 1, Some(1), Some(1), 0)
            );

            // A node that gains the label gets a pod too.
            let nodes: Api<Node> = Api::all(h.client.clone());
            let relabelled = nodes
                .patch(
                    "n2",
                    &PatchParams::default(),
                    &Patch::Merge(json!({"metadata": {"labels": {"disk": "ssd"}}})),
                )
                .await
                .unwrap();
            h.cached(&relabelled).await;
            controller.sync("default/agent").await.unwrap();
            let pods = h.pods("default").await;
            let mut placed: Vec<String> = live(&pods).iter().filter_map(|p| node_of(p)).collect();
            placed.sort();
            assert_eq!(placed, ["n1", "n2"]);

            // One that loses it loses its pod.
            let relabelled = nodes
                .patch(
                    "n1",
                    &PatchParams::default(),
                    &Patch::Merge(json!({"metadata": {"labels": {"disk": "hdd"}}})),
                )
                .await
                .unwrap();
            h.cached(&relabelled).await;
            controller.sync("default/agent").await.unwrap();
            let pods = h.list::<Pod>("default").await;
            let placed: Vec<String> = live(&pods).iter().filter_map(|p| node_of(p)).collect();
            assert_eq!(placed, ["n2"]);
        }
    }
}
