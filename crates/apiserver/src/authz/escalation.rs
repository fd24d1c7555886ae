//! RBAC escalation prevention, as upstream's RBAC storage does it: a user
//! may write a Role or ClusterRole only with rules they already hold (or
//! with the `escalate` verb on it), and bind a role only if they hold its
//! rules (or have the `bind` verb on it). Members of `system:masters` may
//! do both.

use serde_json::Value;

use super::rbac::{Policy, Rule, url_matches};
use super::{Attributes, AuthorizerChain, MASTERS};
use crate::auth::User;
use crate::error::ApiError;

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// One verb on one resource (or one URL) of a rule, as `Covers` breaks
/// rules down.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Atom {
    verb: String,
    group: Option<String>,
    resource: Option<String>,
    name: Option<String>,
    url: Option<String>,
}

fn breakdown(rule: &Rule) -> Vec<Atom> {
    let mut atoms = Vec::new();
    for verb in &rule.verbs {
        for group in &rule.api_groups {
            for resource in &rule.resources {
                let names: Vec<Option<String>> = if rule.resource_names.is_empty() {
                    vec![None]
                } else {
                    rule.resource_names.iter().cloned().map(Some).collect()
                };
                for name in names {
                    atoms.push(Atom {
                        verb: verb.clone(),
                        group: Some(group.clone()),
                        resource: Some(resource.clone()),
                        name,
                        url: None,
                    });
                }
            }
        }
        for url in &rule.non_resource_urls {
            atoms.push(Atom {
                verb: verb.clone(),
                group: None,
                resource: None,
                name: None,
                url: Some(url.clone()),
            });
        }
    }
    atoms
}

fn rule_covers(owner: &Rule, atom: &Atom) -> bool {
    let has = |list: &[String], value: &str| list.iter().any(|v| v == "*" || v == value);
    if !has(&owner.verbs, &atom.verb) {
        return false;
    }
    if let Some(url) = &atom.url {
        return owner
            .non_resource_urls
            .iter()
            .any(|owned| url_matches(owned, url));
    }
    let (Some(group), Some(resource)) = (&atom.group, &atom.resource) else {
        return false;
    };
    let resource_covered = owner.resources.iter().any(|owned| {
        owned == "*"
            || owned == resource
            || owned.strip_prefix("*/").is_some_and(|sub| {
                resource
                    .split_once('/')
                    .is_some_and(|(_, requested)| requested == sub)
            })
    });
    has(&owner.api_groups, group)
        && resource_covered
        && (owner.resource_names.is_empty()
            || atom
                .name
                .as_ref()
                .is_some_and(|name| owner.resource_names.contains(name)))
}

/// The parts of `requested` that `owned` does not cover.
fn missing(owned: &[Rule], requested: &[Rule]) -> Vec<Atom> {
    requested
        .iter()
        .flat_map(breakdown)
        .filter(|atom| !owned.iter().any(|rule| rule_covers(rule, atom)))
        .collect()
}

/// Go's `%q` of a string slice: `["a" "b"]`.
fn quoted(list: &[String]) -> String {
    let items: Vec<String> = list.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", items.join(" "))
}

/// The missing rights, verbs of one resource combined, one per line in
/// upstream's compact form.
fn describe(atoms: &[Atom]) -> String {
    let mut rules: Vec<Rule> = Vec::new();
    for atom in atoms {
        let mut rule = Rule {
            verbs: vec![atom.verb.clone()],
            api_groups: atom.group.iter().cloned().collect(),
            resources: atom.resource.iter().cloned().collect(),
            resource_names: atom.name.iter().cloned().collect(),
            non_resource_urls: atom.url.iter().cloned().collect(),
        };
        match rules.iter_mut().find(|r| {
            r.api_groups == rule.api_groups
                && r.resources == rule.resources
                && r.resource_names == rule.resource_names
                && r.non_resource_urls == rule.non_resource_urls
        }) {
            Some(existing) => {
                if !existing.verbs.contains(&atom.verb) {
                    existing.verbs.push(atom.verb.clone());
                }
            }
            None => {
                rule.verbs.dedup();
                rules.push(rule);
            }
        }
    }
    let mut lines: Vec<String> = rules
        .iter()
        .map(|rule| {
            let mut parts = Vec::new();
            if !rule.api_groups.is_empty() {
                parts.push(format!("APIGroups:{}", quoted(&rule.api_groups)));
            }
            if !rule.resources.is_empty() {
                parts.push(format!("Resources:{}", quoted(&rule.resources)));
            }
            if !rule.non_resource_urls.is_empty() {
                parts.push(format!(
                    "NonResourceURLs:{}",
                    quoted(&rule.non_resource_urls)
                ));
            }
            if !rule.resource_names.is_empty() {
                parts.push(format!("ResourceNames:{}", quoted(&rule.resource_names)));
            }
            parts.push(format!("Verbs:{}", quoted(&rule.verbs)));
            format!("{{{}}}", parts.join(", "))
        })
        .collect();
    lines.sort();
    lines.join("\n")
}

fn forbidden(plural: &str, name: &str, detail: &str) -> ApiError {
    let subject = if name.is_empty() {
        format!("{plural}.{RBAC_GROUP}")
    } else {
        format!("{plural}.{RBAC_GROUP} {name:?}")
    };
    ApiError::forbidden(format!("{subject} is forbidden: {detail}"))
        .with_raw_details(serde_json::json!({"name": name, "group": RBAC_GROUP, "kind": plural}))
}

/// Whether `user` may use `verb` (escalate, bind) on a role.
fn may(
    chain: &AuthorizerChain,
    user: &User,
    verb: &str,
    plural: &str,
    namespace: &str,
    name: &str,
) -> bool {
    chain
        .decide(&Attributes {
            user: user.clone(),
            verb: verb.into(),
            resource_request: true,
            api_group: RBAC_GROUP.into(),
            resource: plural.into(),
            name: name.into(),
            namespace: namespace.into(),
            ..Attributes::default()
        })
        .0
}

/// Refuses granting what `user` does not hold in `namespace`.
fn confirm_no_escalation(
    policy: &Policy,
    user: &User,
    namespace: &str,
    requested: &[Rule],
    plural: &str,
    name: &str,
) -> Result<(), ApiError> {
    let (owned, errors) = policy.rules_for(user, namespace);
    let missing = missing(&owned, requested);
    if missing.is_empty() {
        return Ok(());
    }
    let groups = quoted(&user.groups);
    let mut detail = format!(
        "user {:?} (groups={groups}) is attempting to grant RBAC permissions not currently held:\n{}",
        user.name,
        describe(&missing)
    );
    if !errors.is_empty() {
        detail.push_str(&format!("; resolution errors: [{}]", errors.join(", ")));
    }
    Err(forbidden(plural, name, &detail))
}

fn name_of(object: &Value) -> &str {
    object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn rules_of(object: &Value) -> Vec<Rule> {
    object
        .get("rules")
        .cloned()
        .and_then(|rules| serde_json::from_value(rules).ok())
        .unwrap_or_default()
}

/// A write of a Role or ClusterRole (`object`) by `user`.
pub fn check_role(
    chain: &AuthorizerChain,
    policy: &Policy,
    user: &User,
    plural: &str,
    namespace: &str,
    object: &Value,
) -> Result<(), ApiError> {
    if user.groups.iter().any(|g| g == MASTERS) {
        return Ok(());
    }
    let name = name_of(object);
    if may(chain, user, "escalate", plural, namespace, name) {
        return Ok(());
    }
    // Aggregation can gather any rule: only who holds everything may use it.
    if object
        .get("aggregationRule")
        .is_some_and(|rule| !rule.is_null())
    {
        let everything = [
            Rule {
                verbs: vec!["*".into()],
                api_groups: vec!["*".into()],
                resources: vec!["*".into()],
                ..Rule::default()
            },
            Rule {
                verbs: vec!["*".into()],
                non_resource_urls: vec!["*".into()],
                ..Rule::default()
            },
        ];
        if confirm_no_escalation(policy, user, namespace, &everything, plural, name).is_err() {
            return Err(forbidden(
                plural,
                name,
                "must have cluster-admin privileges to use an aggregationRule",
            ));
        }
    }
    confirm_no_escalation(policy, user, namespace, &rules_of(object), plural, name)
}

/// A write of a RoleBinding or ClusterRoleBinding (`object`) by `user`.
pub fn check_binding(
    chain: &AuthorizerChain,
    policy: &Policy,
    user: &User,
    plural: &str,
    namespace: &str,
    object: &Value,
) -> Result<(), ApiError> {
    if user.groups.iter().any(|g| g == MASTERS) {
        return Ok(());
    }
    let name = name_of(object);
    let kind = object
        .pointer("/roleRef/kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let role = object
        .pointer("/roleRef/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let role_plural = if kind == "ClusterRole" {
        "clusterroles"
    } else {
        "roles"
    };
    if may(chain, user, "bind", role_plural, namespace, role) {
        return Ok(());
    }
    let Some(rules) = policy.role_rules(kind, namespace, role) else {
        return Err(forbidden(
            plural,
            name,
            &format!("{}.{RBAC_GROUP} {role:?} not found", kind.to_lowercase()),
        ));
    };
    confirm_no_escalation(policy, user, namespace, &rules, plural, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(verbs: &[&str], groups: &[&str], resources: &[&str]) -> Rule {
        Rule::new(verbs, groups, resources)
    }

    #[test]
    fn covering_follows_upstream() {
        let owned = vec![
            rule(&["get", "list"], &[""], &["pods"]),
            rule(&["*"], &["apps"], &["*/scale"]),
        ];
        assert!(missing(&owned, &[rule(&["get"], &[""], &["pods"])]).is_empty());
        assert!(
            missing(
                &owned,
                &[rule(&["patch"], &["apps"], &["deployments/scale"])]
            )
            .is_empty()
        );
        let gaps = missing(
            &owned,
            &[rule(&["get", "delete"], &[""], &["pods", "secrets"])],
        );
        assert_eq!(
            describe(&gaps),
            "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"delete\"]}\n{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\" \"delete\"]}"
        );
        // A wildcard is only covered by a wildcard.
        assert!(!missing(&owned, &[rule(&["get"], &[""], &["*"])]).is_empty());
        let mut named = rule(&["get"], &[""], &["configmaps"]);
        named.resource_names = vec!["a".into()];
        let owned_named = vec![named.clone()];
        assert!(missing(&owned_named, &[named]).is_empty());
        assert!(!missing(&owned_named, &[rule(&["get"], &[""], &["configmaps"])]).is_empty());
    }
}
