//! The escalation checks of RBAC writes (upstream makes them in the RBAC
//! storage): Roles and ClusterRoles only with rules their writer holds,
//! bindings only to roles whose rules their writer holds, unless the
//! writer has `escalate` or `bind`.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;

use super::{AdmissionPlugin, Attributes, Operation};
use crate::authz::Authorization;
use crate::authz::escalation::{check_binding, check_role};
use crate::error::ApiError;

pub struct RbacEscalation {
    authorization: Arc<Authorization>,
}

impl RbacEscalation {
    pub fn new(authorization: Arc<Authorization>) -> RbacEscalation {
        RbacEscalation { authorization }
    }
}

#[async_trait]
impl AdmissionPlugin for RbacEscalation {
    fn name(&self) -> &'static str {
        "RBACEscalation"
    }

    async fn validate(
        &self,
        attributes: &Attributes<'_>,
        object: Option<&Value>,
    ) -> Result<(), ApiError> {
        let (Some(object), false) = (object, attributes.operation == Operation::Delete) else {
            return Ok(());
        };
        if attributes.info.group != "rbac.authorization.k8s.io" || attributes.subresource.is_some()
        {
            return Ok(());
        }
        // The garbage collector only moves owners and finalizers, which
        // grant nothing (upstream's IsOnlyMutatingGCFields).
        if attributes
            .old
            .is_some_and(|old| only_gc_fields_differ(old, object))
        {
            return Ok(());
        }
        let namespace = attributes.namespace.unwrap_or_default();
        let (chain, policy) = (&self.authorization.chain, &self.authorization.policy);
        let plural = &*attributes.info.plural;
        match attributes.info.builtin_kind() {
            "Role" | "ClusterRole" => {
                check_role(chain, policy, attributes.user, plural, namespace, object)
            }
            "RoleBinding" | "ClusterRoleBinding" => {
                check_binding(chain, policy, attributes.user, plural, namespace, object)
            }
            _ => Ok(()),
        }
    }
}

/// Whether `new` differs from `old` only in what the garbage collector
/// writes (owner references, finalizers) and the server's bookkeeping.
fn only_gc_fields_differ(old: &Value, new: &Value) -> bool {
    let strip = |object: &Value| {
        let mut object = object.clone();
        if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            for field in [
                "ownerReferences",
                "finalizers",
                "resourceVersion",
                "managedFields",
                "generation",
            ] {
                metadata.remove(field);
            }
        }
        object
    };
    strip(old) == strip(new)
}

#[cfg(test)]
mod tests {
    use super::only_gc_fields_differ;
    use serde_json::json;

    #[test]
    fn owner_and_finalizer_changes_grant_nothing() {
        let old = json!({"metadata": {"name": "r", "resourceVersion": "5"}, "rules": [{"verbs": ["get"]}]});
        let owned = json!({"metadata": {"name": "r", "resourceVersion": "6",
            "ownerReferences": [{"uid": "u"}], "finalizers": ["f"]}, "rules": [{"verbs": ["get"]}]});
        assert!(only_gc_fields_differ(&old, &owned));
        let wider = json!({"metadata": {"name": "r"}, "rules": [{"verbs": ["*"]}]});
        assert!(!only_gc_fields_differ(&old, &wider));
    }
}
