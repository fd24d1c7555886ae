//! NamespaceLifecycle: nothing is created in a namespace that does not
//! exist or is being deleted, and the system namespaces are never deleted.

use async_trait::async_trait;
use serde_json::Value;

use super::{AdmissionPlugin, Attributes, Operation, forbidden};
use crate::error::ApiError;

/// Namespaces that always exist.
const IMMORTAL: &[&str] = &["default", "kube-system", "kube-public"];

pub struct NamespaceLifecycle;

#[async_trait]
impl AdmissionPlugin for NamespaceLifecycle {
    fn name(&self) -> &'static str {
        "NamespaceLifecycle"
    }

    // Upstream runs this check in the mutating phase, so a write to a
    // missing namespace is refused before the object is validated.
    async fn admit(
        &self,
        attributes: &Attributes<'_>,
        _object: Option<&mut Value>,
    ) -> Result<(), ApiError> {
        let info = &attributes.info;
        if info.builtin_kind() == "Namespace" {
            if attributes.operation == Operation::Delete && IMMORTAL.contains(&attributes.name) {
                return Err(forbidden(attributes, "this namespace may not be deleted"));
            }
            return Ok(());
        }
        if attributes.operation != Operation::Create || !info.namespaced {
            return Ok(());
        }
        let Some(namespace) = attributes.namespace else {
            return Ok(());
        };
        let namespaces = api::registry::lookup("", "v1", "namespaces")
            .ok_or_else(|| ApiError::internal("no namespaces resource"))?;
        let stored = attributes
            .namespace_object()
            .await?
            .ok_or_else(|| ApiError::not_found(namespaces, namespace))?;
        if stored.pointer("/metadata/deletionTimestamp").is_some() {
            return Err(forbidden(
                attributes,
                &format!(
                    "unable to create new content in namespace {namespace} because it is being terminated"
                ),
            ));
        }
        Ok(())
    }
}
