//! `KubeSchedulerConfiguration` (kubescheduler.config.k8s.io/v1) as
//! `--config` gives it: profiles (each a schedulerName with plugins
//! enabled or disabled per extension point, score weights and plugin
//! args), percentageOfNodesToScore, leader election and the kubeconfig.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Deserialize;

use crate::framework::{Plugin, Profile};
use crate::plugins::*;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchedulerConfiguration {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    #[serde(default)]
    pub client_connection: ClientConnection,
    #[serde(default)]
    pub leader_election: LeaderElection,
    pub percentage_of_nodes_to_score: Option<usize>,
    #[serde(default)]
    pub profiles: Vec<ProfileConfig>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientConnection {
    pub kubeconfig: Option<PathBuf>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeaderElection {
    pub leader_elect: Option<bool>,
    pub lease_duration: Option<String>,
    pub renew_deadline: Option<String>,
    pub retry_period: Option<String>,
    pub resource_name: Option<String>,
    pub resource_namespace: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileConfig {
    pub scheduler_name: Option<String>,
    #[serde(default)]
    pub plugins: PluginsConfig,
    #[serde(default)]
    pub plugin_config: Vec<PluginConfig>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PluginsConfig {
    #[serde(default)]
    pub multi_point: PluginSet,
    #[serde(default)]
    pub pre_filter: PluginSet,
    #[serde(default)]
    pub filter: PluginSet,
    #[serde(default)]
    pub pre_score: PluginSet,
    #[serde(default)]
    pub score: PluginSet,
    #[serde(default)]
    pub post_filter: PluginSet,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct PluginSet {
    #[serde(default)]
    pub enabled: Vec<PluginRef>,
    #[serde(default)]
    pub disabled: Vec<PluginRef>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct PluginRef {
    pub name: String,
    pub weight: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct PluginConfig {
    pub name: String,
    #[serde(default)]
    pub args: serde_json::Value,
}

/// Upstream's Go duration strings: `15s`, `1m30s`, `500ms`.
pub use component_helpers::duration::parse as parse_go_duration;

impl SchedulerConfiguration {
    /// Parses a configuration file's YAML (or JSON).
    pub fn parse(text: &str) -> Result<SchedulerConfiguration, String> {
        let config: SchedulerConfiguration =
            serde_norway::from_str(text).map_err(|e| format!("scheduler configuration: {e}"))?;
        if let Some(kind) = &config.kind
            && kind != "KubeSchedulerConfiguration"
        {
            return Err(format!(
                "scheduler configuration: kind {kind:?} is not KubeSchedulerConfiguration"
            ));
        }
        if let Some(version) = &config.api_version
            && version != "kubescheduler.config.k8s.io/v1"
        {
            return Err(format!(
                "scheduler configuration: apiVersion {version:?} is not kubescheduler.config.k8s.io/v1"
            ));
        }
        let mut names = Vec::new();
        for profile in &config.profiles {
            let name = profile.name();
            if names.contains(&name) {
                return Err(format!("duplicate profile with scheduler name {name:?}"));
            }
            names.push(name);
            profile.build()?;
        }
        for value in [
            &config.leader_election.lease_duration,
            &config.leader_election.renew_deadline,
            &config.leader_election.retry_period,
        ]
        .into_iter()
        .flatten()
        {
            parse_go_duration(value)?;
        }
        Ok(config)
    }
}

/// Plugins with their score weights.
type Weighted = Vec<(Arc<dyn Plugin>, i64)>;

/// The extension points each plugin takes part in, and its default score
/// weight (0: not a score plugin), in upstream's default order.
const PLUGINS: &[(&str, &[&str], i64)] = &[
    ("NodeUnschedulable", &["filter"], 0),
    ("NodeName", &["filter"], 0),
    ("TaintToleration", &["filter", "score"], 3),
    ("NodeAffinity", &["filter", "score"], 2),
    ("NodePorts", &["preFilter", "filter"], 0),
    ("NodeResourcesFit", &["preFilter", "filter", "score"], 1),
    ("VolumeRestrictions", &["preFilter", "filter"], 0),
    ("VolumeBinding", &["preFilter", "filter"], 0),
    (
        "PodTopologySpread",
        &["preFilter", "filter", "preScore", "score"],
        2,
    ),
    (
        "InterPodAffinity",
        &["preFilter", "filter", "preScore", "score"],
        2,
    ),
    ("NodeResourcesBalancedAllocation", &["score"], 1),
    ("ImageLocality", &["preScore", "score"], 1),
];

/// NodeResourcesFit's args: `scoringStrategy` with its `type`,
/// `resources` (name and weight) and, for RequestedToCapacityRatio, the
/// `shape` of utilization to score.
fn node_resources_fit_args(
    args: &serde_json::Value,
) -> Result<node_resources_fit::NodeResourcesFit, String> {
    use node_resources_fit::{NodeResourcesFit, ScoringStrategy};
    let strategy = args.get("scoringStrategy").cloned().unwrap_or_default();
    let mut fit = NodeResourcesFit::default();
    if let Some(resources) = strategy
        .get("resources")
        .and_then(serde_json::Value::as_array)
    {
        fit.resources = resources
            .iter()
            .map(|r| {
                let name = r
                    .get("name")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default();
                let weight = r
                    .get("weight")
                    .and_then(serde_json::Value::as_i64)
                    .unwrap_or(1);
                if name.is_empty() || !(1..=100).contains(&weight) {
                    return Err(format!(
                        "NodeResourcesFit: resources need a name and a weight from 1 to 100: {r}"
                    ));
                }
                Ok((name.to_string(), weight))
            })
            .collect::<Result<_, String>>()?;
    }
    fit.strategy = match strategy.get("type").and_then(serde_json::Value::as_str) {
        None | Some("LeastAllocated") => ScoringStrategy::LeastAllocated,
        Some("MostAllocated") => ScoringStrategy::MostAllocated,
        Some("RequestedToCapacityRatio") => {
            let points = strategy
                .pointer("/requestedToCapacityRatio/shape")
                .and_then(serde_json::Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mut shape = Vec::new();
            for point in &points {
                let utilization = point.get("utilization").and_then(serde_json::Value::as_i64);
                let score = point.get("score").and_then(serde_json::Value::as_i64);
                match (utilization, score) {
                    (Some(u), Some(s)) if (0..=100).contains(&u) && (0..=10).contains(&s) => {
                        if shape.last().is_some_and(|(last, _)| *last >= u) {
                            return Err("NodeResourcesFit: shape utilizations must increase".into());
                        }
                        shape.push((u, s));
                    }
                    _ => {
                        return Err(format!(
                            "NodeResourcesFit: a shape point needs utilization 0-100 and score 0-10: {point}"
                        ));
                    }
                }
            }
            if shape.is_empty() {
                return Err("NodeResourcesFit: requestedToCapacityRatio.shape is empty".into());
            }
            ScoringStrategy::RequestedToCapacityRatio(shape)
        }
        Some(other) => {
            return Err(format!(
                "NodeResourcesFit: scoringStrategy.type {other:?} is not supported (LeastAllocated, MostAllocated, RequestedToCapacityRatio)"
            ));
        }
    };
    Ok(fit)
}

impl ProfileConfig {
    pub fn name(&self) -> String {
        self.scheduler_name
            .clone()
            .unwrap_or_else(|| "default-scheduler".into())
    }

    fn args(&self, plugin: &str) -> serde_json::Value {
        self.plugin_config
            .iter()
            .find(|c| c.name == plugin)
            .map(|c| c.args.clone())
            .unwrap_or_default()
    }

    fn plugin(&self, name: &str) -> Result<Arc<dyn Plugin>, String> {
        Ok(match name {
            "NodeUnschedulable" => Arc::new(node_unschedulable::NodeUnschedulable),
            "NodeName" => Arc::new(node_name::NodeName),
            "TaintToleration" => Arc::new(taint_toleration::TaintToleration),
            "NodeAffinity" => Arc::new(node_affinity::NodeAffinity),
            "NodePorts" => Arc::new(node_ports::NodePorts),
            "NodeResourcesFit" => Arc::new(node_resources_fit_args(&self.args(name))?),
            "PodTopologySpread" => Arc::new(pod_topology_spread::PodTopologySpread),
            "VolumeBinding" => Arc::new(volume_binding::VolumeBinding),
            "VolumeRestrictions" => Arc::new(volume_restrictions::VolumeRestrictions),
            "InterPodAffinity" => Arc::new(inter_pod_affinity::InterPodAffinity),
            "NodeResourcesBalancedAllocation" => {
                Arc::new(balanced_allocation::NodeResourcesBalancedAllocation)
            }
            "ImageLocality" => Arc::new(image_locality::ImageLocality),
            other => return Err(format!("unknown plugin {other:?}")),
        })
    }

    /// The profile: upstream's defaults, less what is disabled, plus what
    /// is enabled, per extension point.
    pub fn build(&self) -> Result<Profile, String> {
        let sets = [
            ("preFilter", &self.plugins.pre_filter),
            ("filter", &self.plugins.filter),
            ("preScore", &self.plugins.pre_score),
            ("score", &self.plugins.score),
        ];
        let multi = &self.plugins.multi_point;
        let disabled = |set: &PluginSet, name: &str| {
            set.disabled.iter().any(|d| d.name == "*" || d.name == name)
        };
        // (plugin name, weight) per point, defaults first.
        let mut points: BTreeMap<&str, Vec<(String, i64)>> = BTreeMap::new();
        for (point, set) in sets {
            let mut list: Vec<(String, i64)> = PLUGINS
                .iter()
                .filter(|(_, at, _)| at.contains(&point))
                .filter(|(name, _, _)| !disabled(multi, name) && !disabled(set, name))
                .map(|(name, _, weight)| (name.to_string(), *weight))
                .collect();
            let enable =
                |plugin: &PluginRef, list: &mut Vec<(String, i64)>| -> Result<(), String> {
                    let (_, at, default_weight) = PLUGINS
                        .iter()
                        .find(|(name, _, _)| *name == plugin.name)
                        .ok_or_else(|| format!("unknown plugin {:?}", plugin.name))?;
                    if !at.contains(&point) {
                        return Ok(());
                    }
                    let weight = plugin.weight.unwrap_or(*default_weight).max(1);
                    match list.iter_mut().find(|(name, _)| *name == plugin.name) {
                        Some(entry) => entry.1 = weight,
                        None => list.push((plugin.name.clone(), weight)),
                    }
                    Ok(())
                };
            for plugin in &multi.enabled {
                enable(plugin, &mut list)?;
            }
            for plugin in &set.enabled {
                let known = PLUGINS.iter().find(|(name, _, _)| *name == plugin.name);
                match known {
                    Some((_, at, _)) if !at.contains(&point) => {
                        return Err(format!(
                            "plugin {:?} does not support extension point {point:?}",
                            plugin.name
                        ));
                    }
                    _ => enable(plugin, &mut list)?,
                }
            }
            points.insert(point, list);
        }
        // One instance per plugin, shared by its points.
        let mut instances: BTreeMap<String, Arc<dyn Plugin>> = BTreeMap::new();
        let mut get = |name: &str| -> Result<Arc<dyn Plugin>, String> {
            if let Some(plugin) = instances.get(name) {
                return Ok(plugin.clone());
            }
            let plugin = self.plugin(name)?;
            instances.insert(name.to_string(), plugin.clone());
            Ok(plugin)
        };
        let mut at = |point: &str| -> Result<Weighted, String> {
            points
                .get(point)
                .into_iter()
                .flatten()
                .map(|(name, weight)| Ok((get(name)?, *weight)))
                .collect()
        };
        let only = |list: Weighted| list.into_iter().map(|(p, _)| p).collect();
        Ok(Profile {
            scheduler_name: self.name(),
            pre_filter: only(at("preFilter")?),
            filter: only(at("filter")?),
            pre_score: only(at("preScore")?),
            score: at("score")?,
            preemption: !self
                .plugins
                .post_filter
                .disabled
                .iter()
                .chain(multi.disabled.iter())
                .any(|d| d.name == "*" || d.name == "DefaultPreemption"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[Arc<dyn Plugin>]) -> Vec<&'static str> {
        list.iter().map(|p| p.name()).collect()
    }

    #[test]
    fn the_default_profile_is_upstreams() {
        let profile = ProfileConfig::default().build().unwrap();
        assert_eq!(
            names(&profile.filter),
            [
                "NodeUnschedulable",
                "NodeName",
                "TaintToleration",
                "NodeAffinity",
                "NodePorts",
                "NodeResourcesFit",
                "VolumeRestrictions",
                "VolumeBinding",
                "PodTopologySpread",
                "InterPodAffinity"
            ]
        );
        let weights: Vec<(&str, i64)> = profile.score.iter().map(|(p, w)| (p.name(), *w)).collect();
        assert_eq!(weights[0], ("TaintToleration", 3));
        assert_eq!(profile.scheduler_name, "default-scheduler");
    }

    #[test]
    fn profiles_enable_disable_and_weigh() {
        let config = SchedulerConfiguration::parse(
            r#"
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 50
leaderElection:
  leaderElect: false
  leaseDuration: 30s
profiles:
- schedulerName: default-scheduler
- schedulerName: bin-packer
  plugins:
    filter:
      disabled:
      - name: NodePorts
    score:
      disabled:
      - name: "*"
      enabled:
      - name: NodeResourcesFit
        weight: 5
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
"#,
        )
        .unwrap();
        assert_eq!(config.percentage_of_nodes_to_score, Some(50));
        assert_eq!(config.leader_election.leader_elect, Some(false));
        let packer = config.profiles[1].build().unwrap();
        assert!(!names(&packer.filter).contains(&"NodePorts"));
        let weights: Vec<(&str, i64)> = packer.score.iter().map(|(p, w)| (p.name(), *w)).collect();
        assert_eq!(weights, [("NodeResourcesFit", 5)]);
        for bad in [
            "kind: Other",
            "profiles: [{schedulerName: a}, {schedulerName: a}]",
            "profiles: [{plugins: {filter: {enabled: [{name: Nope}]}}}]",
            "profiles: [{plugins: {filter: {enabled: [{name: ImageLocality}]}}}]",
            "profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: Odd}}}]}]",
            "profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: RequestedToCapacityRatio}}}]}]",
            "profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: [{utilization: 50, score: 1}, {utilization: 10, score: 2}]}}}}]}]",
        ] {
            assert!(SchedulerConfiguration::parse(bad).is_err(), "{bad}");
        }
    }
}
