//! The ClusterRole aggregation controller: a ClusterRole with an
//! `aggregationRule` gets as its rules those of every ClusterRole its
//! selectors pick (`admin`, `edit` and `view` are made this way from the
//! `system:aggregate-to-*` roles and whatever add-ons label for them).

use std::sync::Arc;

use k8s_openapi::api::rbac::v1::{ClusterRole, PolicyRule};
use kube::ResourceExt;
use kube::api::{Api, Patch, PatchParams};
use tokio::sync::watch;

use crate::informer::{Change, Informer};
use crate::queue::{Outcome, WorkQueue};
use crate::{Context, Error, is_not_found};

struct AggregationController {
    client: kube::Client,
    roles: Arc<Informer<ClusterRole>>,
    queue: Arc<WorkQueue>,
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let controller = Arc::new(AggregationController {
        client: context.client.clone(),
        roles: context.informers.get(),
        queue: context.queue("clusterrole_aggregation"),
    });
    {
        // Any change may feed an aggregated role: look at them all.
        let (queue, roles) = (controller.queue.clone(), controller.roles.clone());
        controller.roles.on_change(move |change| {
            if matches!(
                change,
                Change::Updated { .. } | Change::Added(_) | Change::Deleted(_)
            ) {
                for role in roles.store().state() {
                    if role.aggregation_rule.is_some() {
                        queue.add(role.name_any());
                    }
                }
            }
        });
    }
    let synced = {
        let c = controller.clone();
        async move { c.roles.synced().await }
    };
    let queue = controller.queue.clone();
    crate::spawn_workers(
        "clusterrole-aggregation-controller",
        queue,
        1,
        synced,
        shutdown,
        move |key| {
            let controller = controller.clone();
            async move { controller.sync(&key).await }
        },
    )
}

/// The rules `role` aggregates from `all`: each selected role's rules, in
/// name order, each rule once.
pub fn aggregated_rules(role: &ClusterRole, all: &[Arc<ClusterRole>]) -> Vec<PolicyRule> {
    let selectors = role
        .aggregation_rule
        .as_ref()
        .and_then(|rule| rule.cluster_role_selectors.clone())
        .unwrap_or_default();
    let mut sources: Vec<&Arc<ClusterRole>> = all
        .iter()
        .filter(|other| other.name_any() != role.name_any())
        .filter(|other| {
            let labels = other.labels();
            selectors
                .iter()
                .any(|selector| component_helpers::labels::matches(selector, labels))
        })
        .collect();
    sources.sort_by_key(|other| other.name_any());
    let mut rules: Vec<PolicyRule> = Vec::new();
    for source in sources {
        for rule in source.rules.iter().flatten() {
            if !rules.contains(rule) {
                rules.push(rule.clone());
            }
        }
    }
    rules
}

impl AggregationController {
    async fn sync(&self, name: &str) -> Result<Outcome, Error> {
        let Some(role) = self.roles.get("", name) else {
            return Ok(Outcome::Done);
        };
        if role.aggregation_rule.is_none() {
            return Ok(Outcome::Done);
        }
        let rules = aggregated_rules(&role, &self.roles.store().state());
        if role.rules.clone().unwrap_or_default() == rules {
            return Ok(Outcome::Done);
        }
        let api: Api<ClusterRole> = Api::all(self.client.clone());
        let patch = serde_json::json!({"rules": rules});
        match api
            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
        {
            Ok(_) => Ok(Outcome::Done),
            Err(err) if is_not_found(&err) => Ok(Outcome::Done),
            Err(err) => Err(err.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn role(name: &str, labels: serde_json::Value, rules: serde_json::Value) -> Arc<ClusterRole> {
        Arc::new(
            serde_json::from_value(
                json!({"metadata": {"name": name, "labels": labels}, "rules": rules}),
            )
            .unwrap(),
        )
    }

    #[test]
    fn selected_roles_rules_are_gathered_once() {
        let mut view: ClusterRole = serde_json::from_value(json!({
            "metadata": {"name": "view"},
            "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"agg": "true"}}]},
        }))
        .unwrap();
        let pods = json!({"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]});
        let all = vec![
            role("b", json!({"agg": "true"}), json!([pods.clone()])),
            role(
                "a",
                json!({"agg": "true"}),
                json!([pods.clone(), {"apiGroups": [""], "resources": ["nodes"], "verbs": ["get"]}]),
            ),
            role(
                "c",
                json!({"other": "true"}),
                json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]),
            ),
        ];
        let rules = aggregated_rules(&view, &all);
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[1].resources, Some(vec!["nodes".to_string()]));
        view.aggregation_rule = None;
        assert!(aggregated_rules(&view, &all).is_empty());
    }
}
