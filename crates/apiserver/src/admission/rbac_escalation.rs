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
use crate::status::ApiError;

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
        let namespace = attributes.namespace.unwrap_or_default();
        let (chain, policy) = (&self.authorization.chain, &self.authorization.policy);
        let plural = attributes.info.plural;
        match attributes.info.kind {
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
