//! The disruption controller: keeps each PodDisruptionBudget's status —
//! how many of its pods are healthy, how many must be, how many may go —
//! which the `pods/eviction` subresource spends. With an integer
//! minAvailable the expected pods are the selected pods; with a percentage
//! or maxUnavailable they are the replicas of the pods' controllers
//! (ReplicaSets, Deployments, StatefulSets, ReplicationControllers). Pods
//! an eviction recorded in `disruptedPods` do not count as healthy until
//! they are gone or two minutes pass.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::{Pod, ReplicationController};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use kube::ResourceExt;
use kube::api::{Api, PostParams};
use tokio::sync::watch;

use crate::informer::{Change, Informer, key_of, split_key};
use crate::queue::{Outcome, WorkQueue};
use crate::{Context, Error, is_conflict, is_not_found, pods};

/// How long an eviction's entry in `disruptedPods` holds the pod out of
/// the healthy count while its deletion is awaited.
const DELETION_TIMEOUT: Duration = Duration::from_secs(120);
const CONDITION: &str = "DisruptionAllowed";
/// Queue keys of pods whose disruption mark may have gone stale.
const STALE_PREFIX: &str = "stale-mark:";

struct DisruptionController {
    client: kube::Client,
    budgets: Arc<Informer<PodDisruptionBudget>>,
    pods: Arc<Informer<Pod>>,
    replicasets: Arc<Informer<ReplicaSet>>,
    deployments: Arc<Informer<Deployment>>,
    statefulsets: Arc<Informer<StatefulSet>>,
    replication: Arc<Informer<ReplicationController>>,
    queue: Arc<WorkQueue>,
    events: events::EventSink,
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let controller = Arc::new(DisruptionController {
        client: context.client.clone(),
        budgets: context.informers.get(),
        pods: context.informers.get(),
        replicasets: context.informers.get(),
        deployments: context.informers.get(),
        statefulsets: context.informers.get(),
        replication: context.informers.get(),
        queue: context.queue("disruption"),
        events: events::EventSink::new(context.client.clone(), "controllermanager"),
    });
    {
        let queue = controller.queue.clone();
        controller.budgets.on_change(move |change| match change {
            Change::Added(b) | Change::Updated { new: b, .. } | Change::Deleted(b) => {
                queue.add(key_of(b))
            }
        });
    }
    {
        let handler = controller.clone();
        controller.pods.on_change(move |change| match change {
            Change::Added(pod) | Change::Deleted(pod) => {
                handler.queue_budgets_of(pod);
                handler.queue_if_marked(pod);
            }
            Change::Updated { old, new } => {
                handler.queue_budgets_of(old);
                handler.queue_budgets_of(new);
                handler.queue_if_marked(new);
            }
        });
    }
    // A controller's scale is the denominator of percentages.
    macro_rules! on_scale {
        ($informer:ident) => {{
            let handler = controller.clone();
            controller.$informer.on_change(move |change| {
                let object = match change {
                    Change::Added(o) | Change::Deleted(o) => o,
                    Change::Updated { new, .. } => new,
                };
                handler.queue_namespace(&object.namespace().unwrap_or_default());
            });
        }};
    }
    on_scale!(replicasets);
    on_scale!(deployments);
    on_scale!(statefulsets);
    on_scale!(replication);
    let synced = {
        let c = controller.clone();
        async move {
            c.budgets.synced().await;
            c.pods.synced().await;
            c.replicasets.synced().await;
            c.deployments.synced().await;
            c.statefulsets.synced().await;
            c.replication.synced().await;
        }
    };
    let queue = controller.queue.clone();
    crate::spawn_workers(
        "disruption-controller",
        queue,
        2,
        synced,
        shutdown,
        move |key| {
            let controller = controller.clone();
            async move { controller.sync(&key).await }
        },
    )
}

/// `value` of `total`, rounded up as the disruption controller rounds
/// both minAvailable and maxUnavailable.
fn scaled(value: &IntOrString, total: i32) -> Result<i32, String> {
    crate::int_or_percent(value, total, true)
}

/// What a budget's numbers come to.
#[derive(Debug, PartialEq, Eq)]
struct Counts {
    expected: i32,
    desired_healthy: i32,
    /// Selected pods without a controller (a percentage cannot count them).
    unmanaged: Vec<String>,
}

impl DisruptionController {
    fn queue_budgets_of(&self, pod: &Pod) {
        let namespace = pod.namespace().unwrap_or_default();
        for budget in self.budgets.list_namespace(&namespace) {
            if selects(&budget, pod) {
                self.queue.add(key_of(budget.as_ref()));
            }
        }
    }

    fn queue_namespace(&self, namespace: &str) {
        for budget in self.budgets.list_namespace(namespace) {
            self.queue.add(key_of(budget.as_ref()));
        }
    }

    /// The replicas of the controller that `pod` belongs to, by its uid; a
    /// ReplicaSet of a Deployment counts as the Deployment.
    fn controller_scale(&self, pod: &Pod) -> Option<(String, i32)> {
        let meta = &pod.metadata;
        if let Some(rs) = self.replicasets.controller_of(meta) {
            if let Some(deployment) = self.deployments.controller_of(&rs.metadata) {
                let replicas = deployment.spec.as_ref().and_then(|s| s.replicas);
                return Some((deployment.uid()?, replicas.unwrap_or(1)));
            }
            let replicas = rs.spec.as_ref().and_then(|s| s.replicas);
            return Some((rs.uid()?, replicas.unwrap_or(1)));
        }
        if let Some(set) = self.statefulsets.controller_of(meta) {
            let replicas = set.spec.as_ref().and_then(|s| s.replicas);
            return Some((set.uid()?, replicas.unwrap_or(1)));
        }
        if let Some(rc) = self.replication.controller_of(meta) {
            let replicas = rc.spec.as_ref().and_then(|s| s.replicas);
            return Some((rc.uid()?, replicas.unwrap_or(1)));
        }
        None
    }

    /// The sum of the replicas of the selected pods' controllers.
    fn expected_scale(&self, selected: &[Arc<Pod>]) -> Result<(i32, Vec<String>), String> {
        let mut scales: HashMap<String, i32> = HashMap::new();
        let mut unmanaged = Vec::new();
        for pod in selected {
            if pods::controller_ref(&pod.metadata).is_none() {
                unmanaged.push(pod.name_any());
                continue;
            }
            match self.controller_scale(pod) {
                Some((uid, replicas)) => {
                    scales.insert(uid, replicas);
                }
                None => return Err(format!("found no controllers for pod {:?}", pod.name_any())),
            }
        }
        Ok((scales.values().sum(), unmanaged))
    }

    fn counts(
        &self,
        budget: &PodDisruptionBudget,
        selected: &[Arc<Pod>],
    ) -> Result<Counts, String> {
        let spec = budget.spec.as_ref();
        if let Some(max_unavailable) = spec.and_then(|s| s.max_unavailable.as_ref()) {
            let (expected, unmanaged) = self.expected_scale(selected)?;
            let unavailable = scaled(max_unavailable, expected)?;
            return Ok(Counts {
                expected,
                desired_healthy: (expected - unavailable).max(0),
                unmanaged,
            });
        }
        match spec.and_then(|s| s.min_available.as_ref()) {
            Some(IntOrString::Int(n)) => Ok(Counts {
                expected: selected.len() as i32,
                desired_healthy: *n,
                unmanaged: Vec::new(),
            }),
            Some(percent) => {
                let (expected, unmanaged) = self.expected_scale(selected)?;
                Ok(Counts {
                    expected,
                    desired_healthy: scaled(percent, expected)?,
                    unmanaged,
                })
            }
            None => Ok(Counts {
                expected: 0,
                desired_healthy: 0,
                unmanaged: Vec::new(),
            }),
        }
    }

    /// A pod marked for disruption that was not deleted: looked at again
    /// to clear a mark gone stale.
    fn queue_if_marked(&self, pod: &Pod) {
        if pod.metadata.deletion_timestamp.is_none() && disruption_marked_at(pod).is_some() {
            self.queue.add(format!("{STALE_PREFIX}{}", key_of(pod)));
        }
    }

    /// Clears the DisruptionTarget condition of a pod that was marked
    /// (by an eviction) but not deleted within two minutes, as upstream:
    /// the eviction that marked it did not go through.
    async fn sync_marked_pod(&self, key: &str) -> Result<Outcome, Error> {
        let (namespace, name) = split_key(key);
        let Some(pod) = self.pods.get(namespace, name) else {
            return Ok(Outcome::Done);
        };
        if pod.metadata.deletion_timestamp.is_some() {
            return Ok(Outcome::Done);
        }
        let Some(marked) = disruption_marked_at(&pod) else {
            return Ok(Outcome::Done);
        };
        let stale_at = marked + SignedDuration::try_from(DELETION_TIMEOUT).unwrap_or_default();
        let now = Timestamp::now();
        if now < stale_at {
            let wait = stale_at.duration_since(now).unsigned_abs();
            return Ok(Outcome::After(wait));
        }
        let api: Api<Pod> = Api::namespaced(self.client.clone(), namespace);
        let patch = serde_json::json!({"status": {"conditions": [{
            "type": "DisruptionTarget",
            "status": "False",
            "lastTransitionTime": Time(now),
        }]}});
        match api
            .patch_status(
                name,
                &kube::api::PatchParams::default(),
                &kube::api::Patch::Strategic(patch),
            )
            .await
        {
            Ok(_) => Ok(Outcome::Done),
            Err(err) if is_not_found(&err) => Ok(Outcome::Done),
            Err(err) => Err(err.into()),
        }
    }

    async fn sync(&self, key: &str) -> Result<Outcome, Error> {
        if let Some(pod) = key.strip_prefix(STALE_PREFIX) {
            return self.sync_marked_pod(pod).await;
        }
        let (namespace, name) = split_key(key);
        let Some(budget) = self.budgets.get(namespace, name) else {
            return Ok(Outcome::Done);
        };
        let selected: Vec<Arc<Pod>> = self
            .pods
            .list_namespace(namespace)
            .into_iter()
            .filter(|pod| selects(&budget, pod))
            .collect();
        if selected.is_empty() {
            self.events
                .normal(budget.as_ref(), "NoPods", "No matching pods found".into());
        }
        let counts = match self.counts(&budget, &selected) {
            Ok(counts) => counts,
            Err(message) => {
                self.events.warning(
                    budget.as_ref(),
                    "CalculateExpectedPodCountFailed",
                    format!("Failed to calculate the number of expected pods: {message}"),
                );
                return self.fail_safe(&budget, message).await;
            }
        };
        if !counts.unmanaged.is_empty() {
            let selector = budget
                .spec
                .as_ref()
                .and_then(|s| s.selector.as_ref())
                .map(|s| serde_json::to_string(s).unwrap_or_default())
                .unwrap_or_default();
            self.events.warning(
                budget.as_ref(),
                "UnmanagedPods",
                format!(
                    "Pods selected by this PodDisruptionBudget (selector: {selector}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set \".spec.minAvailable\" field of the PDB to an integer value."
                ),
            );
        }
        let now = Timestamp::now();
        let (disrupted, recheck) = self.disrupted_pods(&budget, &selected, now);
        let healthy = selected
            .iter()
            .filter(|pod| pod.metadata.deletion_timestamp.is_none())
            .filter(|pod| !disrupted.contains_key(&pod.name_any()))
            .filter(|pod| pods::is_ready(pod))
            .count() as i32;
        let allowed = if counts.expected <= 0 {
            0
        } else {
            (healthy - counts.desired_healthy).max(0)
        };
        let generation = budget.metadata.generation.unwrap_or(0);
        let old = budget.status.clone().unwrap_or_default();
        let mut status = PodDisruptionBudgetStatus {
            current_healthy: healthy,
            desired_healthy: counts.desired_healthy,
            expected_pods: counts.expected,
            disruptions_allowed: allowed,
            disrupted_pods: (!disrupted.is_empty()).then_some(disrupted),
            observed_generation: Some(generation),
            conditions: old.conditions.clone(),
        };
        let (reason, state) = if allowed > 0 {
            ("SufficientPods", "True")
        } else {
            ("InsufficientPods", "False")
        };
        set_condition(&mut status, state, reason, "", generation);
        if same_status(&old, &status) {
            return Ok(recheck.map_or(Outcome::Done, Outcome::After));
        }
        match self.write_status(&budget, status).await {
            Ok(()) => Ok(recheck.map_or(Outcome::Done, Outcome::After)),
            // A newer budget (an eviction's write) is on its way.
            Err(err) if is_conflict(&err) => Ok(Outcome::After(Duration::from_millis(100))),
            Err(err) if is_not_found(&err) => Ok(Outcome::Done),
            Err(err) => Err(err.into()),
        }
    }

    /// The entries of `disruptedPods` still awaited (the pod is selected,
    /// not yet being deleted, and its two minutes are not over), and when
    /// the first of them runs out.
    fn disrupted_pods(
        &self,
        budget: &PodDisruptionBudget,
        selected: &[Arc<Pod>],
        now: Timestamp,
    ) -> (BTreeMap<String, Time>, Option<Duration>) {
        let recorded = budget
            .status
            .as_ref()
            .and_then(|s| s.disrupted_pods.clone())
            .unwrap_or_default();
        let mut kept = BTreeMap::new();
        let mut recheck: Option<Duration> = None;
        let timeout = SignedDuration::from_secs(DELETION_TIMEOUT.as_secs() as i64);
        for pod in selected {
            if pod.metadata.deletion_timestamp.is_some() {
                continue;
            }
            let name = pod.name_any();
            let Some(at) = recorded.get(&name) else {
                continue;
            };
            let expires = at.0.checked_add(timeout).unwrap_or(at.0);
            if expires < now {
                self.events.warning(
                    pod.as_ref(),
                    "NotDeleted",
                    format!(
                        "Pod was expected by PDB {}/{} to be deleted but it wasn't",
                        budget.namespace().unwrap_or_default(),
                        budget.name_any()
                    ),
                );
                continue;
            }
            let left = Duration::try_from(expires.duration_since(now)).unwrap_or_default();
            recheck = Some(recheck.map_or(left, |r| r.min(left)));
            kept.insert(name, at.clone());
        }
        (kept, recheck)
    }

    /// When the numbers cannot be worked out: no disruption is allowed,
    /// and the condition says why.
    async fn fail_safe(
        &self,
        budget: &PodDisruptionBudget,
        message: String,
    ) -> Result<Outcome, Error> {
        let mut status = budget.status.clone().unwrap_or_default();
        status.disruptions_allowed = 0;
        let generation = status.observed_generation.unwrap_or(0);
        set_condition(&mut status, "False", "SyncFailed", &message, generation);
        if let Err(err) = self.write_status(budget, status).await {
            tracing::debug!(budget = %key_of(budget), error = %err, "writing the fail-safe status");
        }
        // Retried with backoff, as any failed sync.
        Err(Error::Invalid(message))
    }

    /// Replaces the budget's status, on the resourceVersion it was read at
    /// (so an eviction's concurrent write is never undone).
    async fn write_status(
        &self,
        budget: &PodDisruptionBudget,
        status: PodDisruptionBudgetStatus,
    ) -> Result<(), kube::Error> {
        let mut updated = budget.clone();
        updated.status = Some(status);
        let api: Api<PodDisruptionBudget> =
            Api::namespaced(self.client.clone(), &budget.namespace().unwrap_or_default());
        api.replace_status(&budget.name_any(), &PostParams::default(), &updated)
            .await
            .map(|_| ())
    }
}

/// When the pod was marked DisruptionTarget (status True), if it is.
fn disruption_marked_at(pod: &Pod) -> Option<Timestamp> {
    pod.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "DisruptionTarget" && c.status == "True")
        .map(|c| {
            c.last_transition_time
                .as_ref()
                .map_or(Timestamp::UNIX_EPOCH, |t| t.0)
        })
}

/// Whether the budget's selector selects the pod (policy/v1: an empty
/// selector selects every pod of the namespace; none selects nothing).
fn selects(budget: &PodDisruptionBudget, pod: &Pod) -> bool {
    let Some(selector) = budget.spec.as_ref().and_then(|s| s.selector.as_ref()) else {
        return false;
    };
    pods::selector(selector).is_some_and(|s| s.matches(&pods::labels(&pod.metadata)))
}

/// Sets the DisruptionAllowed condition, keeping its transition time when
/// its status does not change.
fn set_condition(
    status: &mut PodDisruptionBudgetStatus,
    state: &str,
    reason: &str,
    message: &str,
    generation: i64,
) {
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    let now = Time(
        Timestamp::from_second(Timestamp::now().as_second()).unwrap_or_else(|_| Timestamp::now()),
    );
    match conditions.iter_mut().find(|c| c.type_ == CONDITION) {
        Some(condition) => {
            if condition.status != state {
                condition.last_transition_time = now;
            }
            condition.status = state.to_string();
            condition.reason = reason.to_string();
            condition.message = message.to_string();
            condition.observed_generation = Some(generation);
        }
        None => conditions.push(Condition {
            type_: CONDITION.to_string(),
            status: state.to_string(),
            reason: reason.to_string(),
            message: message.to_string(),
            observed_generation: Some(generation),
            last_transition_time: now,
        }),
    }
}

/// Equal but for transition times.
fn same_status(old: &PodDisruptionBudgetStatus, new: &PodDisruptionBudgetStatus) -> bool {
    let strip = |s: &PodDisruptionBudgetStatus| {
        let mut s = s.clone();
        for c in s.conditions.iter_mut().flatten() {
            c.last_transition_time = Time(Timestamp::UNIX_EPOCH);
        }
        if s.disrupted_pods.as_ref().is_some_and(|d| d.is_empty()) {
            s.disrupted_pods = None;
        }
        s
    };
    strip(old) == strip(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_up_and_bad_ones_are_errors() {
        assert_eq!(scaled(&IntOrString::Int(2), 10), Ok(2));
        assert_eq!(scaled(&IntOrString::String("50%".into()), 3), Ok(2));
        assert_eq!(scaled(&IntOrString::String("80%".into()), 10), Ok(8));
        assert_eq!(scaled(&IntOrString::String("100%".into()), 0), Ok(0));
        assert!(scaled(&IntOrString::String("half".into()), 4).is_err());
    }

    #[test]
    fn statuses_differing_only_in_transition_times_are_the_same() {
        let mut a = PodDisruptionBudgetStatus {
            current_healthy: 2,
            ..Default::default()
        };
        set_condition(&mut a, "True", "SufficientPods", "", 1);
        let mut b = a.clone();
        for c in b.conditions.iter_mut().flatten() {
            c.last_transition_time = Time(Timestamp::UNIX_EPOCH);
        }
        assert!(same_status(&a, &b));
        b.current_healthy = 1;
        assert!(!same_status(&a, &b));
    }
}
