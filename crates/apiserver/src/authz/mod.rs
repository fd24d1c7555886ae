//! Authorization: whether a user may do what a request asks, as
//! kube-apiserver decides it. Members of `system:masters` may do anything;
//! then each mode of `--authorization-mode` is asked in order (`Node`,
//! `RBAC`, `AlwaysAllow`, `AlwaysDeny`) and the first that allows or denies
//! decides. Nothing allowing means 403 with upstream's message.

pub mod bootstrap_policy;
pub mod escalation;
pub mod node;
pub mod rbac;

use std::sync::Arc;

use serde_json::{Value, json};

use crate::auth::User;
use crate::error::ApiError;

/// The group whose members pass every check.
pub const MASTERS: &str = "system:masters";

/// What a request asks, as upstream's authorizer.Attributes.
#[derive(Clone, Debug, Default)]
pub struct Attributes {
    pub user: User,
    pub verb: String,
    /// A verb on an API resource; else a verb on a path.
    pub resource_request: bool,
    pub api_group: String,
    pub resource: String,
    pub subresource: String,
    pub name: String,
    pub namespace: String,
    /// The URL path (non-resource requests).
    pub path: String,
}

impl Attributes {
    /// `resource` or `resource/subresource`, as rules name it.
    pub fn combined_resource(&self) -> String {
        if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        }
    }
}

/// One authorizer's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Refused outright, with a reason; later authorizers are not asked.
    Deny(String),
    /// Neither: the next authorizer decides. The reason (possibly empty)
    /// is told to the client if no one allows.
    NoOpinion(String),
}

/// What a user may do in a namespace, as a SelfSubjectRulesReview says.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    pub resource_rules: Vec<Value>,
    pub non_resource_rules: Vec<Value>,
    pub incomplete: bool,
}

pub trait Authorizer: Send + Sync {
    fn authorize(&self, attributes: &Attributes) -> Decision;

    /// What `user` may do in `namespace` (cluster-wide rules included).
    fn rules_for(&self, user: &User, namespace: &str) -> Rules;
}

/// An `--authorization-mode` member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Node,
    Rbac,
    AlwaysAllow,
    AlwaysDeny,
}

/// Reads `--authorization-mode` (`Node,RBAC`), refusing unknown or
/// repeated modes as kube-apiserver does.
pub fn parse_modes(text: &str) -> Result<Vec<Mode>, String> {
    let mut modes = Vec::new();
    for name in text.split(',').map(str::trim) {
        let mode = match name {
            "Node" => Mode::Node,
            "RBAC" => Mode::Rbac,
            "AlwaysAllow" => Mode::AlwaysAllow,
            "AlwaysDeny" => Mode::AlwaysDeny,
            other => {
                return Err(format!(
                    "authorization-mode {other:?} is not a valid mode (Node, RBAC, AlwaysAllow, AlwaysDeny)"
                ));
            }
        };
        if modes.contains(&mode) {
            return Err(format!(
                "authorization-mode {name:?} has already been specified"
            ));
        }
        modes.push(mode);
    }
    if modes.is_empty() {
        return Err("at least one authorization-mode must be passed".into());
    }
    Ok(modes)
}

struct AlwaysAllow;

impl Authorizer for AlwaysAllow {
    fn authorize(&self, _: &Attributes) -> Decision {
        Decision::Allow
    }

    fn rules_for(&self, _: &User, _: &str) -> Rules {
        Rules {
            resource_rules: vec![json!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]})],
            non_resource_rules: vec![json!({"verbs": ["*"], "nonResourceURLs": ["*"]})],
            incomplete: false,
        }
    }
}

struct AlwaysDeny;

impl Authorizer for AlwaysDeny {
    fn authorize(&self, _: &Attributes) -> Decision {
        Decision::Deny("Everything is forbidden.".into())
    }

    fn rules_for(&self, _: &User, _: &str) -> Rules {
        Rules::default()
    }
}

/// Everything requests are authorized with: the chain, and the RBAC policy
/// it reads (also read by the escalation checks of RBAC writes).
pub struct Authorization {
    pub chain: AuthorizerChain,
    pub policy: Arc<rbac::Policy>,
}

/// The authorizers of `--authorization-mode`, asked in order.
pub struct AuthorizerChain {
    members: Vec<Box<dyn Authorizer>>,
}

impl AuthorizerChain {
    /// The chain for `modes`, over the RBAC policy the server keeps.
    /// The chain for `modes`; `graph` is needed for the Node mode.
    pub fn new(
        modes: &[Mode],
        policy: &Arc<rbac::Policy>,
        graph: Option<&Arc<node::Graph>>,
    ) -> Self {
        let members = modes
            .iter()
            .filter_map(|mode| -> Option<Box<dyn Authorizer>> {
                Some(match mode {
                    Mode::Node => Box::new(node::NodeAuthorizer::new(graph?.clone())),
                    Mode::Rbac => Box::new(rbac::RbacAuthorizer::new(policy.clone())),
                    Mode::AlwaysAllow => Box::new(AlwaysAllow),
                    Mode::AlwaysDeny => Box::new(AlwaysDeny),
                })
            })
            .collect();
        AuthorizerChain { members }
    }

    /// Whether the request may go on; the refusal (a 403 with upstream's
    /// message) if not.
    pub fn check(&self, attributes: &Attributes) -> Result<(), ApiError> {
        match self.decide(attributes) {
            (true, _) => Ok(()),
            (false, reason) => Err(forbidden(attributes, &reason)),
        }
    }

    /// The decision and, when refused, the reasons given.
    pub fn decide(&self, attributes: &Attributes) -> (bool, String) {
        if attributes.user.groups.iter().any(|g| g == MASTERS) {
            return (true, String::new());
        }
        let mut reasons = Vec::new();
        for member in &self.members {
            match member.authorize(attributes) {
                Decision::Allow => return (true, String::new()),
                Decision::Deny(reason) => {
                    reasons.push(reason);
                    break;
                }
                Decision::NoOpinion(reason) => {
                    if !reason.is_empty() {
                        reasons.push(reason);
                    }
                }
            }
        }
        (false, reasons.join(", "))
    }

    /// Every member's rules for `user` in `namespace`.
    pub fn rules_for(&self, user: &User, namespace: &str) -> Rules {
        if user.groups.iter().any(|g| g == MASTERS) {
            return AlwaysAllow.rules_for(user, namespace);
        }
        let mut all = Rules::default();
        for member in &self.members {
            let rules = member.rules_for(user, namespace);
            all.resource_rules.extend(rules.resource_rules);
            all.non_resource_rules.extend(rules.non_resource_rules);
            all.incomplete |= rules.incomplete;
        }
        all
    }
}

/// Upstream's refusal: `pods "x" is forbidden: User "u" cannot get
/// resource "pods" in API group "" in the namespace "d"`, plus the
/// authorizers' reasons.
pub fn forbidden(attributes: &Attributes, reason: &str) -> ApiError {
    let user = &attributes.user.name;
    let verb = &attributes.verb;
    let mut message = if !attributes.resource_request {
        format!("User {user:?} cannot {verb} path {:?}", attributes.path)
    } else if !attributes.namespace.is_empty() {
        format!(
            "User {user:?} cannot {verb} resource {:?} in API group {:?} in the namespace {:?}",
            attributes.combined_resource(),
            attributes.api_group,
            attributes.namespace
        )
    } else {
        format!(
            "User {user:?} cannot {verb} resource {:?} in API group {:?} at the cluster scope",
            attributes.combined_resource(),
            attributes.api_group
        )
    };
    if !reason.is_empty() {
        message.push_str(": ");
        message.push_str(reason);
    }
    let qualified = match (attributes.resource_request, attributes.api_group.as_str()) {
        (false, _) => String::new(),
        (true, "") => attributes.resource.clone(),
        (true, group) => format!("{}.{group}", attributes.resource),
    };
    let full = match (qualified.is_empty(), attributes.name.is_empty()) {
        (true, _) => format!("forbidden: {message}"),
        (false, true) => format!("{qualified} is forbidden: {message}"),
        (false, false) => format!("{qualified} {:?} is forbidden: {message}", attributes.name),
    };
    let mut details = json!({});
    if !attributes.name.is_empty() {
        details["name"] = json!(attributes.name);
    }
    if attributes.resource_request {
        if !attributes.api_group.is_empty() {
            details["group"] = json!(attributes.api_group);
        }
        details["kind"] = json!(attributes.resource);
    }
    ApiError::forbidden(full).with_raw_details(details)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, groups: &[&str]) -> User {
        User {
            name: name.into(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
            ..User::default()
        }
    }

    #[test]
    fn modes_read_like_kube_apiserver() {
        assert_eq!(
            parse_modes("Node,RBAC").unwrap(),
            vec![Mode::Node, Mode::Rbac]
        );
        assert!(parse_modes("RBAC,RBAC").is_err());
        assert!(parse_modes("ABAC").is_err());
    }

    #[test]
    fn refusals_say_what_upstream_says() {
        let mut attributes = Attributes {
            user: user("alice", &[]),
            verb: "list".into(),
            resource_request: true,
            resource: "pods".into(),
            namespace: "default".into(),
            ..Attributes::default()
        };
        assert_eq!(
            forbidden(&attributes, "").message,
            "pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
        );
        attributes.verb = "get".into();
        attributes.api_group = "apps".into();
        attributes.resource = "deployments".into();
        attributes.subresource = "scale".into();
        attributes.name = "web".into();
        attributes.namespace.clear();
        assert_eq!(
            forbidden(&attributes, "").message,
            "deployments.apps \"web\" is forbidden: User \"alice\" cannot get resource \"deployments/scale\" in API group \"apps\" at the cluster scope"
        );
        let path = Attributes {
            user: user("alice", &[]),
            verb: "get".into(),
            path: "/metrics".into(),
            ..Attributes::default()
        };
        assert_eq!(
            forbidden(&path, "").message,
            "forbidden: User \"alice\" cannot get path \"/metrics\""
        );
    }

    #[test]
    fn masters_pass_and_always_deny_refuses_the_rest() {
        let chain = AuthorizerChain {
            members: vec![Box::new(AlwaysDeny)],
        };
        let mut attributes = Attributes {
            user: user("root", &[MASTERS]),
            verb: "delete".into(),
            resource_request: true,
            resource: "nodes".into(),
            ..Attributes::default()
        };
        assert!(chain.check(&attributes).is_ok());
        attributes.user = user("bob", &[]);
        assert!(
            chain
                .check(&attributes)
                .unwrap_err()
                .message
                .ends_with(": Everything is forbidden.")
        );
    }
}
