//! RBAC: Roles, ClusterRoles and their bindings, kept in memory from the
//! store (loaded before the server answers, then followed by a watch), and
//! the rule matching of upstream's RBAC authorizer.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, RwLock};

use serde::Deserialize;
use serde_json::{Value, json};
use store::SharedStore;
use tokio::sync::watch;

use super::{Attributes, Authorizer, Decision, Rules};
use crate::auth::User;

/// One PolicyRule, as stored.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct Rule {
    pub verbs: Vec<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    #[serde(rename = "nonResourceURLs")]
    pub non_resource_urls: Vec<String>,
}

impl Rule {
    /// `verbs` on `resources` of `groups`.
    pub fn new(verbs: &[&str], groups: &[&str], resources: &[&str]) -> Rule {
        let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
        Rule {
            verbs: strings(verbs),
            api_groups: strings(groups),
            resources: strings(resources),
            ..Rule::default()
        }
    }

    /// Whether this rule allows the request (upstream's RuleAllows).
    pub fn allows(&self, attributes: &Attributes, combined_resource: &str) -> bool {
        if !has(&self.verbs, &attributes.verb) {
            return false;
        }
        if !attributes.resource_request {
            return self
                .non_resource_urls
                .iter()
                .any(|url| url_matches(url, &attributes.path));
        }
        has(&self.api_groups, &attributes.api_group)
            && self.resources.iter().any(|resource| {
                resource == "*"
                    || resource == combined_resource
                    || (!attributes.subresource.is_empty()
                        && resource.strip_prefix("*/") == Some(attributes.subresource.as_str()))
            })
            && (self.resource_names.is_empty() || self.resource_names.contains(&attributes.name))
    }

    /// As a SelfSubjectRulesReview lists it.
    fn to_review_rule(&self) -> (bool, Value) {
        if !self.non_resource_urls.is_empty() {
            return (
                false,
                json!({"verbs": self.verbs, "nonResourceURLs": self.non_resource_urls}),
            );
        }
        let mut rule = json!({"verbs": self.verbs, "apiGroups": self.api_groups,
            "resources": self.resources});
        if !self.resource_names.is_empty() {
            rule["resourceNames"] = json!(self.resource_names);
        }
        (true, rule)
    }
}

/// `*` or the value itself.
fn has(list: &[String], value: &str) -> bool {
    list.iter().any(|v| v == "*" || v == value)
}

/// A non-resource URL rule: exact, `*`, or a prefix ending in `*`.
pub fn url_matches(rule: &str, path: &str) -> bool {
    rule == "*"
        || rule == path
        || rule
            .strip_suffix('*')
            .is_some_and(|prefix| path.starts_with(prefix))
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct Subject {
    kind: String,
    name: String,
    namespace: String,
}

impl Subject {
    /// Upstream's appliesToUser.
    fn applies_to(&self, user: &User, binding_namespace: &str) -> bool {
        match self.kind.as_str() {
            "User" => user.name == self.name,
            "Group" => user.groups.contains(&self.name),
            "ServiceAccount" => {
                let namespace = if self.namespace.is_empty() {
                    binding_namespace
                } else {
                    &self.namespace
                };
                !namespace.is_empty()
                    && user
                        .name
                        .strip_prefix("system:serviceaccount:")
                        .and_then(|rest| rest.split_once(':'))
                        == Some((namespace, self.name.as_str()))
            }
            _ => false,
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct RoleRef {
    kind: String,
    name: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct Binding {
    #[serde(rename = "roleRef")]
    role_ref: RoleRef,
    subjects: Vec<Subject>,
}

#[derive(Deserialize)]
struct Role {
    #[serde(default)]
    rules: Vec<Rule>,
}

#[derive(Default)]
pub struct State {
    cluster_roles: HashMap<String, Arc<[Rule]>>,
    /// By namespace, then name.
    roles: HashMap<String, HashMap<String, Arc<[Rule]>>>,
    cluster_role_bindings: HashMap<String, Binding>,
    role_bindings: HashMap<String, HashMap<String, Binding>>,
    /// The bindings by the subjects they name: a request looks only at
    /// those that can apply to its user, however many bindings there are.
    cluster_binding_subjects: SubjectIndex,
    /// By namespace.
    role_binding_subjects: HashMap<String, SubjectIndex>,
}

/// Where a subject is filed in a [`SubjectIndex`].
#[derive(Clone, PartialEq, Eq, Hash)]
enum SubjectKey {
    User(String),
    Group(String),
    /// (namespace, name).
    Account(String, String),
}

/// Binding names by the users, groups and service accounts their
/// subjects name.
#[derive(Default)]
struct SubjectIndex(HashMap<SubjectKey, BTreeSet<String>>);

impl SubjectIndex {
    /// The keys a binding's subjects are filed under (a service account
    /// without a namespace is the binding's namespace's, as applies_to
    /// reads it).
    fn keys(binding: &Binding, binding_namespace: &str) -> Vec<SubjectKey> {
        binding
            .subjects
            .iter()
            .filter_map(|subject| match subject.kind.as_str() {
                "User" => Some(SubjectKey::User(subject.name.clone())),
                "Group" => Some(SubjectKey::Group(subject.name.clone())),
                "ServiceAccount" => {
                    let namespace = if subject.namespace.is_empty() {
                        binding_namespace
                    } else {
                        &subject.namespace
                    };
                    (!namespace.is_empty())
                        .then(|| SubjectKey::Account(namespace.to_string(), subject.name.clone()))
                }
                _ => None,
            })
            .collect()
    }

    fn add(&mut self, name: &str, binding: &Binding, binding_namespace: &str) {
        for key in SubjectIndex::keys(binding, binding_namespace) {
            self.0.entry(key).or_default().insert(name.to_string());
        }
    }

    fn remove(&mut self, name: &str, binding: &Binding, binding_namespace: &str) {
        for key in SubjectIndex::keys(binding, binding_namespace) {
            if let Some(names) = self.0.get_mut(&key) {
                names.remove(name);
                if names.is_empty() {
                    self.0.remove(&key);
                }
            }
        }
    }

    /// The names of the bindings that may apply to `user`.
    fn candidates(&self, user: &User) -> BTreeSet<&str> {
        let mut keys = vec![SubjectKey::User(user.name.clone())];
        keys.extend(user.groups.iter().map(|g| SubjectKey::Group(g.clone())));
        if let Some((namespace, name)) = user
            .name
            .strip_prefix("system:serviceaccount:")
            .and_then(|rest| rest.split_once(':'))
        {
            keys.push(SubjectKey::Account(namespace.to_string(), name.to_string()));
        }
        keys.iter()
            .filter_map(|key| self.0.get(key))
            .flatten()
            .map(String::as_str)
            .collect()
    }
}

/// Which of the four kinds a storage key holds.
#[derive(Clone, Copy)]
enum Kind {
    ClusterRole,
    Role,
    ClusterRoleBinding,
    RoleBinding,
}

const KINDS: [(Kind, &str); 4] = [
    (Kind::ClusterRole, "ClusterRole"),
    (Kind::Role, "Role"),
    (Kind::ClusterRoleBinding, "ClusterRoleBinding"),
    (Kind::RoleBinding, "RoleBinding"),
];

fn prefix(kind: &str) -> String {
    api::registry::by_kind("rbac.authorization.k8s.io", kind)
        .map(|info| info.storage_prefix())
        .unwrap_or_default()
}

/// The RBAC objects of the cluster, as the authorizer reads them.
pub struct Policy {
    state: RwLock<State>,
    prefixes: Vec<(Kind, String)>,
}

impl crate::mirror::Mirror for Policy {
    const WHAT: &'static str = "the RBAC policy";

    type State = State;

    fn prefixes(&self) -> Vec<String> {
        self.prefixes
            .iter()
            .map(|(_, prefix)| prefix.clone())
            .collect()
    }

    fn state(&self) -> &RwLock<State> {
        &self.state
    }

    fn apply(&self, state: &mut State, key: &str, value: Option<&[u8]>) {
        if let Some((kind, name)) = self
            .prefixes
            .iter()
            .find_map(|(kind, prefix)| Some((*kind, key.strip_prefix(prefix.as_str())?)))
        {
            apply(state, kind, name, value);
        }
    }
}

impl Policy {
    /// Reads every role and binding; the revision read at is returned for
    /// [`Policy::follow`].
    pub async fn load(store: &SharedStore) -> Result<(Arc<Policy>, i64), String> {
        let policy = Arc::new(Policy {
            state: RwLock::new(State::default()),
            prefixes: KINDS
                .iter()
                .map(|(kind, name)| (*kind, prefix(name)))
                .collect(),
        });
        let revision = crate::mirror::load(policy.as_ref(), store).await?;
        Ok((policy, revision))
    }

    /// Follows changes after `revision` until `stopping`.
    pub async fn follow(
        self: Arc<Self>,
        store: SharedStore,
        revision: i64,
        stopping: watch::Receiver<bool>,
    ) {
        crate::mirror::follow(self.as_ref(), store, revision, stopping).await
    }

    /// Calls `visit` with each rule that applies to `user` in `namespace`
    /// (cluster-wide bindings first) until it returns true; the errors met
    /// on the way (bindings to roles that do not exist), as upstream words
    /// them.
    pub fn visit(
        &self,
        user: &User,
        namespace: &str,
        mut visit: impl FnMut(&Rule) -> bool,
    ) -> (bool, Vec<String>) {
        let Ok(state) = self.state.read() else {
            return (false, vec!["the RBAC policy is not readable".into()]);
        };
        let mut errors = Vec::new();
        let cluster_bindings = state
            .cluster_binding_subjects
            .candidates(user)
            .into_iter()
            .filter_map(|name| state.cluster_role_bindings.get(name));
        for binding in cluster_bindings {
            if !binding.subjects.iter().any(|s| s.applies_to(user, "")) {
                continue;
            }
            match state.cluster_roles.get(&binding.role_ref.name) {
                Some(rules) => {
                    if rules.iter().any(&mut visit) {
                        return (true, errors);
                    }
                }
                None => errors.push(format!(
                    "clusterrole.rbac.authorization.k8s.io {:?} not found",
                    binding.role_ref.name
                )),
            }
        }
        if namespace.is_empty() {
            return (false, errors);
        }
        let (Some(bindings), Some(index)) = (
            state.role_bindings.get(namespace),
            state.role_binding_subjects.get(namespace),
        ) else {
            return (false, errors);
        };
        let candidates = index
            .candidates(user)
            .into_iter()
            .filter_map(|name| bindings.get(name));
        for binding in candidates {
            if !binding
                .subjects
                .iter()
                .any(|s| s.applies_to(user, namespace))
            {
                continue;
            }
            let rules = match binding.role_ref.kind.as_str() {
                "ClusterRole" => state.cluster_roles.get(&binding.role_ref.name),
                _ => state
                    .roles
                    .get(namespace)
                    .and_then(|roles| roles.get(&binding.role_ref.name)),
            };
            match rules {
                Some(rules) => {
                    if rules.iter().any(&mut visit) {
                        return (true, errors);
                    }
                }
                None => errors.push(format!(
                    "{}.rbac.authorization.k8s.io {:?} not found",
                    binding.role_ref.kind.to_lowercase(),
                    binding.role_ref.name
                )),
            }
        }
        (false, errors)
    }

    /// Every rule that applies to `user` in `namespace`.
    pub fn rules_for(&self, user: &User, namespace: &str) -> (Vec<Rule>, Vec<String>) {
        let mut rules = Vec::new();
        let (_, errors) = self.visit(user, namespace, |rule| {
            rules.push(rule.clone());
            false
        });
        (rules, errors)
    }

    /// The rules of the role a binding names (`kind` Role or ClusterRole),
    /// if it exists.
    pub fn role_rules(&self, kind: &str, namespace: &str, name: &str) -> Option<Vec<Rule>> {
        let state = self.state.read().ok()?;
        let rules = match kind {
            "ClusterRole" => state.cluster_roles.get(name),
            _ => state.roles.get(namespace).and_then(|roles| roles.get(name)),
        };
        rules.map(|rules| rules.to_vec())
    }
}

/// Puts one stored object (None: deleted) into `state`; `name` is its key
/// after the kind's prefix (`<ns>/<name>` for namespaced kinds).
fn apply(state: &mut State, kind: Kind, name: &str, value: Option<&[u8]>) {
    let split = || {
        name.split_once('/')
            .map(|(ns, n)| (ns.to_string(), n.to_string()))
    };
    match kind {
        Kind::ClusterRole => match value.and_then(|v| serde_json::from_slice::<Role>(v).ok()) {
            Some(role) => {
                state.cluster_roles.insert(name.into(), role.rules.into());
            }
            None => {
                state.cluster_roles.remove(name);
            }
        },
        Kind::Role => {
            let Some((namespace, name)) = split() else {
                return;
            };
            match value.and_then(|v| serde_json::from_slice::<Role>(v).ok()) {
                Some(role) => {
                    state
                        .roles
                        .entry(namespace)
                        .or_default()
                        .insert(name, role.rules.into());
                }
                None => {
                    if let Some(roles) = state.roles.get_mut(&namespace) {
                        roles.remove(&name);
                        if roles.is_empty() {
                            state.roles.remove(&namespace);
                        }
                    }
                }
            }
        }
        Kind::ClusterRoleBinding => {
            if let Some(old) = state.cluster_role_bindings.remove(name) {
                state.cluster_binding_subjects.remove(name, &old, "");
            }
            if let Some(binding) = value.and_then(|v| serde_json::from_slice::<Binding>(v).ok()) {
                state.cluster_binding_subjects.add(name, &binding, "");
                state.cluster_role_bindings.insert(name.into(), binding);
            }
        }
        Kind::RoleBinding => {
            let Some((namespace, name)) = split() else {
                return;
            };
            if let Some(bindings) = state.role_bindings.get_mut(&namespace)
                && let Some(old) = bindings.remove(&name)
            {
                if bindings.is_empty() {
                    state.role_bindings.remove(&namespace);
                }
                if let Some(index) = state.role_binding_subjects.get_mut(&namespace) {
                    index.remove(&name, &old, &namespace);
                    if index.0.is_empty() {
                        state.role_binding_subjects.remove(&namespace);
                    }
                }
            }
            if let Some(binding) = value.and_then(|v| serde_json::from_slice::<Binding>(v).ok()) {
                state
                    .role_binding_subjects
                    .entry(namespace.clone())
                    .or_default()
                    .add(&name, &binding, &namespace);
                state
                    .role_bindings
                    .entry(namespace)
                    .or_default()
                    .insert(name, binding);
            }
        }
    }
}

/// The RBAC mode of the authorizer chain.
pub struct RbacAuthorizer {
    policy: Arc<Policy>,
}

impl RbacAuthorizer {
    pub fn new(policy: Arc<Policy>) -> RbacAuthorizer {
        RbacAuthorizer { policy }
    }
}

impl Authorizer for RbacAuthorizer {
    fn authorize(&self, attributes: &Attributes) -> Decision {
        let combined = attributes.combined_resource();
        let (allowed, errors) =
            self.policy
                .visit(&attributes.user, &attributes.namespace, |rule| {
                    rule.allows(attributes, &combined)
                });
        if allowed {
            Decision::Allow
        } else if errors.is_empty() {
            Decision::NoOpinion(String::new())
        } else {
            Decision::NoOpinion(format!("RBAC: {}", errors.join(", ")))
        }
    }

    fn rules_for(&self, user: &User, namespace: &str) -> Rules {
        let (rules, errors) = self.policy.rules_for(user, namespace);
        let mut review = Rules {
            incomplete: !errors.is_empty(),
            ..Rules::default()
        };
        for rule in rules {
            match rule.to_review_rule() {
                (true, rule) => review.resource_rules.push(rule),
                (false, rule) => review.non_resource_rules.push(rule),
            }
        }
        review
    }
}

/// Whether `rules` allow the request (for the Node authorizer's fixed
/// rules).
pub fn rules_allow(rules: &[Rule], attributes: &Attributes) -> bool {
    let combined = attributes.combined_resource();
    rules.iter().any(|rule| rule.allows(attributes, &combined))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(verbs: &[&str], groups: &[&str], resources: &[&str]) -> Rule {
        Rule::new(verbs, groups, resources)
    }

    fn request(verb: &str, group: &str, resource: &str, subresource: &str) -> Attributes {
        Attributes {
            verb: verb.into(),
            resource_request: true,
            api_group: group.into(),
            resource: resource.into(),
            subresource: subresource.into(),
            name: "x".into(),
            namespace: "d".into(),
            ..Attributes::default()
        }
    }

    #[test]
    fn rules_match_like_upstreams() {
        let pods = rule(&["get", "list"], &[""], &["pods"]);
        assert!(rules_allow(
            std::slice::from_ref(&pods),
            &request("get", "", "pods", "")
        ));
        assert!(!rules_allow(
            std::slice::from_ref(&pods),
            &request("delete", "", "pods", "")
        ));
        assert!(!rules_allow(
            std::slice::from_ref(&pods),
            &request("get", "", "pods", "log")
        ));
        assert!(!rules_allow(&[pods], &request("get", "apps", "pods", "")));
        let logs = rule(&["get"], &[""], &["pods/log"]);
        assert!(rules_allow(&[logs], &request("get", "", "pods", "log")));
        let any_scale = rule(&["*"], &["*"], &["*/scale"]);
        assert!(rules_allow(
            std::slice::from_ref(&any_scale),
            &request("patch", "apps", "deployments", "scale")
        ));
        assert!(!rules_allow(
            &[any_scale],
            &request("patch", "apps", "deployments", "")
        ));
        let mut named = rule(&["get"], &[""], &["configmaps"]);
        named.resource_names = vec!["x".into()];
        assert!(rules_allow(
            &[named.clone()],
            &request("get", "", "configmaps", "")
        ));
        named.resource_names = vec!["y".into()];
        assert!(!rules_allow(
            &[named],
            &request("get", "", "configmaps", "")
        ));
        let urls = Rule {
            verbs: vec!["get".into()],
            non_resource_urls: vec!["/apis/*".into(), "/version".into()],
            ..Rule::default()
        };
        let path = |p: &str| Attributes {
            verb: "get".into(),
            path: p.into(),
            ..Attributes::default()
        };
        assert!(rules_allow(
            std::slice::from_ref(&urls),
            &path("/apis/apps/v1")
        ));
        assert!(rules_allow(std::slice::from_ref(&urls), &path("/version")));
        assert!(!rules_allow(&[urls], &path("/metrics")));
    }

    #[test]
    fn subjects_apply_as_upstreams() {
        let account = User {
            name: "system:serviceaccount:d:robot".into(),
            ..User::default()
        };
        let subject = Subject {
            kind: "ServiceAccount".into(),
            name: "robot".into(),
            namespace: String::new(),
        };
        assert!(subject.applies_to(&account, "d"));
        assert!(!subject.applies_to(&account, "e"));
        assert!(!subject.applies_to(&account, ""));
        let group = Subject {
            kind: "Group".into(),
            name: "dev".into(),
            namespace: String::new(),
        };
        let dev = User {
            name: "alice".into(),
            groups: vec!["dev".into()],
            ..User::default()
        };
        assert!(group.applies_to(&dev, ""));
        assert!(!group.applies_to(&account, ""));
    }

    #[test]
    fn bindings_are_found_by_their_subjects_as_they_change() {
        let policy = Policy {
            state: RwLock::new(State::default()),
            prefixes: Vec::new(),
        };
        let put = |kind: Kind, name: &str, value: Option<serde_json::Value>| {
            let bytes = value.map(|v| v.to_string().into_bytes());
            let mut state = policy.state.write().unwrap();
            apply(&mut state, kind, name, bytes.as_deref());
        };
        put(
            Kind::Role,
            "d/reader",
            Some(
                serde_json::json!({"rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}),
            ),
        );
        let binding = |subjects: serde_json::Value| {
            Some(
                serde_json::json!({"roleRef": {"kind": "Role", "name": "reader"}, "subjects": subjects}),
            )
        };
        for i in 0..100 {
            put(
                Kind::RoleBinding,
                &format!("d/other-{i}"),
                binding(serde_json::json!([{"kind": "User", "name": format!("user-{i}")}])),
            );
        }
        put(
            Kind::RoleBinding,
            "d/mine",
            binding(serde_json::json!([
                {"kind": "Group", "name": "dev"},
                {"kind": "ServiceAccount", "name": "robot"},
            ])),
        );
        let allowed = |user: &User| {
            policy
                .visit(user, "d", |rule| rule.verbs.iter().any(|v| v == "get"))
                .0
        };
        let dev = User {
            name: "alice".into(),
            groups: vec!["dev".into()],
            ..User::default()
        };
        let robot = User {
            name: "system:serviceaccount:d:robot".into(),
            ..User::default()
        };
        let stranger = User {
            name: "bob".into(),
            ..User::default()
        };
        assert!(allowed(&dev) && allowed(&robot) && !allowed(&stranger));
        assert!(allowed(&User {
            name: "user-42".into(),
            ..User::default()
        }));
        // A binding changed no longer names the group; deleted, nobody.
        put(
            Kind::RoleBinding,
            "d/mine",
            binding(serde_json::json!([{"kind": "ServiceAccount", "name": "robot"}])),
        );
        assert!(!allowed(&dev) && allowed(&robot));
        put(Kind::RoleBinding, "d/mine", None);
        assert!(!allowed(&robot));
        assert!(!policy.visit(&robot, "elsewhere", |_| true).0);
    }
}
