//! Admission: the chain of plugins every write passes after defaulting, as
//! kube-apiserver runs it — first every plugin's mutating phase, then the
//! kind's validation, then every plugin's validating phase. The chain holds
//! the plugins upstream enables by default that apply here; one module per
//! plugin.

mod certificates;
pub mod default_storage_class;
mod default_toleration_seconds;
mod limit_ranger;
mod namespace_lifecycle;
mod node_restriction;
mod pod_security;
mod priority;
mod rbac_escalation;
mod resource_quota;
mod runtime_class;
pub mod service_account;
mod storage_object_in_use_protection;
mod webhooks;

use api::ResourceInfo;
use async_trait::async_trait;
use serde_json::Value;
use store::SharedStore;

use crate::error::ApiError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
}

/// One write as admission sees it.
pub struct Attributes<'a> {
    pub operation: Operation,
    /// Who asks.
    pub user: &'a crate::auth::User,
    /// The resource as stored (objects are in its shape).
    pub info: api::Resource,
    pub namespace: Option<&'a str>,
    pub name: &'a str,
    pub subresource: Option<&'a str>,
    /// The stored object, on update and delete.
    pub old: Option<&'a Value>,
    /// The store, for plugins that read other objects.
    pub store: &'a SharedStore,
    /// A dry run: plugins must not write anything of their own either.
    pub dry_run: bool,
    /// Warnings for the client (`Warning` headers).
    pub warnings: &'a std::sync::Mutex<Vec<String>>,
    /// The request's audit event, if it is audited.
    pub audit: Option<&'a crate::audit::Record>,
    /// Where plugins read other objects first (as upstream's listers).
    pub watch_cache: &'a crate::watch_cache::WatchCaches,
    /// The write's namespace, once read ([`Attributes::namespace_object`]).
    pub namespace_object: &'a tokio::sync::OnceCell<Option<Value>>,
    /// Where plugins count what they do (webhook calls).
    pub metrics: &'a crate::metrics::Metrics,
}

impl<'a> Attributes<'a> {
    /// The namespace this write is in, as stored: from the watch cache,
    /// else the store (a namespace made a moment ago); read once per
    /// request whichever plugins ask. None when it does not exist.
    pub async fn namespace_object(&self) -> Result<Option<&'a Value>, ApiError> {
        let Some(namespace) = self.namespace else {
            return Ok(None);
        };
        let cell: &'a tokio::sync::OnceCell<Option<Value>> = self.namespace_object;
        let object = cell
            .get_or_try_init(|| async {
                let info = api::registry::lookup("", "v1", "namespaces")
                    .ok_or_else(|| ApiError::internal("no namespaces resource"))?;
                let key = info.storage_key(None, namespace);
                let cached = self
                    .watch_cache
                    .list(
                        &info.storage_prefix(),
                        &key,
                        crate::watch_cache::Freshness::Any,
                    )
                    .await;
                if let Ok(Some(snapshot)) = cached
                    && let Some(kv) = snapshot.items.iter().find(|kv| kv.key == key)
                {
                    return crate::objects::decode(info, kv).map(Some);
                }
                match self
                    .store
                    .get(&key)
                    .await
                    .map_err(|e| ApiError::from_store(e, info, namespace))?
                {
                    Some(kv) => crate::objects::decode(info, &kv).map(Some),
                    None => Ok(None),
                }
            })
            .await?;
        Ok(object.as_ref())
    }

    /// Adds an annotation to the request's audit event.
    pub fn audit_annotation(&self, key: &str, value: &str) {
        if let Some(record) = self.audit {
            record.annotate(key, value);
        }
    }

    /// Tells the client `warning` with the answer.
    pub fn warn(&self, warning: String) {
        if let Ok(mut warnings) = self.warnings.lock() {
            warnings.push(warning);
        }
    }

    /// Whether this is the creation of a `kind` object itself (not of a
    /// subresource).
    pub fn creates(&self, kind: &str) -> bool {
        self.operation == Operation::Create
            && self.info.builtin_kind() == kind
            && self.subresource.is_none()
    }
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

impl AdmissionChain {
    /// The default plugins, in upstream's order; RBAC writes are checked
    /// against what their writer holds in `authorization`'s policy.
    pub fn new(authorization: std::sync::Arc<crate::authz::Authorization>) -> Self {
        AdmissionChain {
            plugins: vec![
                Box::new(namespace_lifecycle::NamespaceLifecycle),
                Box::new(limit_ranger::LimitRanger),
                Box::new(service_account::ServiceAccount),
                Box::new(node_restriction::NodeRestriction),
                Box::new(default_toleration_seconds::DefaultTolerationSeconds),
                Box::new(priority::Priority),
                Box::new(runtime_class::RuntimeClass),
                Box::new(default_storage_class::DefaultStorageClass),
                Box::new(storage_object_in_use_protection::StorageObjectInUseProtection),
                Box::new(pod_security::PodSecurity),
                Box::new(certificates::Certificates::new(authorization.clone())),
                Box::new(rbac_escalation::RbacEscalation::new(authorization)),
                Box::new(webhooks::MutatingAdmissionWebhook),
                Box::new(webhooks::ValidatingAdmissionWebhook),
                // Last, as upstream: it charges the quota only for a write
                // every other plugin let through.
                Box::new(resource_quota::ResourceQuota),
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
        resource = &*attributes.info.plural,
        name = attributes.name,
        operation = ?attributes.operation,
        "admission refused: {}",
        err.message
    );
}

/// The stored objects of a resource (by group, version and plural) in
/// `namespace`, or everywhere for cluster-scoped ones, with their key-values.
async fn stored_objects(
    attributes: &Attributes<'_>,
    (group, version, plural): (&str, &str, &str),
    namespace: Option<&str>,
) -> Result<(&'static ResourceInfo, Vec<(store::KeyValue, Value)>), ApiError> {
    let info = api::registry::lookup(group, version, plural)
        .ok_or_else(|| ApiError::internal(format!("no {plural} resource")))?;
    let prefix = match namespace {
        Some(namespace) => info.namespace_prefix(namespace),
        None => info.storage_prefix(),
    };
    let page = attributes
        .store
        .range(&prefix, store::RangeOptions::default())
        .await
        .map_err(|e| ApiError::from_store(e, info, ""))?;
    let mut objects = Vec::with_capacity(page.kvs.len());
    for kv in page.kvs {
        let object = crate::objects::decode(info, &kv)?;
        objects.push((kv, object));
    }
    Ok((info, objects))
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
