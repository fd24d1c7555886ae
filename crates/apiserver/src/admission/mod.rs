//! Admission: the chain of plugins every write passes after defaulting, as
//! kube-apiserver runs it — first every plugin's mutating phase, then the
//! kind's validation, then every plugin's validating phase. The chain holds
//! the plugins upstream enables by default that apply here; one module per
//! plugin.

pub mod default_storage_class;
mod default_toleration_seconds;
mod namespace_lifecycle;
mod priority;

use api::ResourceInfo;
use async_trait::async_trait;
use serde_json::Value;
use store::SharedStore;

use crate::status::ApiError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
}

/// One write as admission sees it.
pub struct Attributes<'a> {
    pub operation: Operation,
    /// The resource as stored (objects are in its shape).
    pub info: &'static ResourceInfo,
    pub namespace: Option<&'a str>,
    pub name: &'a str,
    pub subresource: Option<&'a str>,
    /// The stored object, on update and delete.
    pub old: Option<&'a Value>,
    /// The store, for plugins that read other objects.
    pub store: &'a SharedStore,
}

#[async_trait]
pub trait AdmissionPlugin: Send + Sync {
    /// Upstream's plugin name.
    fn name(&self) -> &'static str;

    /// The mutating phase: may change `object` (None on delete).
    async fn admit(
        &self,
        _attributes: &Attributes<'_>,
        _object: Option<&mut Value>,
    ) -> Result<(), ApiError> {
        Ok(())
    }

    /// The validating phase: may only refuse.
    async fn validate(
        &self,
        _attributes: &Attributes<'_>,
        _object: Option<&Value>,
    ) -> Result<(), ApiError> {
        Ok(())
    }
}

pub struct AdmissionChain {
    plugins: Vec<Box<dyn AdmissionPlugin>>,
}

impl Default for AdmissionChain {
    /// The default plugins, in upstream's order.
    fn default() -> Self {
        AdmissionChain {
            plugins: vec![
                Box::new(namespace_lifecycle::NamespaceLifecycle),
                Box::new(default_toleration_seconds::DefaultTolerationSeconds),
                Box::new(priority::Priority),
                Box::new(default_storage_class::DefaultStorageClass),
            ],
        }
    }
}

impl AdmissionChain {
    pub async fn admit(
        &self,
        attributes: &Attributes<'_>,
        mut object: Option<&mut Value>,
    ) -> Result<(), ApiError> {
        for plugin in &self.plugins {
            plugin
                .admit(attributes, object.as_deref_mut())
                .await
                .inspect_err(|err| refused(plugin.as_ref(), attributes, err))?;
        }
        Ok(())
    }

    pub async fn validate(
        &self,
        attributes: &Attributes<'_>,
        object: Option<&Value>,
    ) -> Result<(), ApiError> {
        for plugin in &self.plugins {
            plugin
                .validate(attributes, object)
                .await
                .inspect_err(|err| refused(plugin.as_ref(), attributes, err))?;
        }
        Ok(())
    }
}

fn refused(plugin: &dyn AdmissionPlugin, attributes: &Attributes<'_>, err: &ApiError) {
    tracing::debug!(
        plugin = plugin.name(),
        resource = attributes.info.plural,
        name = attributes.name,
        operation = ?attributes.operation,
        "admission refused: {}",
        err.message
    );
}

/// `<resource> "<name>" is forbidden: <reason>`, as upstream's admission
/// errors read.
fn forbidden(attributes: &Attributes<'_>, reason: &str) -> ApiError {
    ApiError::forbidden(format!(
        "{} \"{}\" is forbidden: {reason}",
        attributes.info.qualified_plural(),
        attributes.name
    ))
}
