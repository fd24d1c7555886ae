//! DefaultStorageClass: a new PersistentVolumeClaim that names no storage
//! class gets the cluster's default one (the class annotated
//! `storageclass.kubernetes.io/is-default-class: "true"`; the newest when
//! several are). A claim that asks for `""` keeps it: that one wants a
//! volume without a class.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{AdmissionPlugin, Attributes};
use crate::error::ApiError;

pub const DEFAULT_CLASS_ANNOTATION: &str = "storageclass.kubernetes.io/is-default-class";
const BETA_DEFAULT_CLASS_ANNOTATION: &str = "storageclass.beta.kubernetes.io/is-default-class";

pub struct DefaultStorageClass;

#[async_trait]
impl AdmissionPlugin for DefaultStorageClass {
    fn name(&self) -> &'static str {
        "DefaultStorageClass"
    }

    async fn admit(
        &self,
        attributes: &Attributes<'_>,
        object: Option<&mut Value>,
    ) -> Result<(), ApiError> {
        if !attributes.creates("PersistentVolumeClaim") {
            return Ok(());
        }
        let Some(claim) = object else {
            return Ok(());
        };
        if !claim
            .pointer("/spec/storageClassName")
            .is_none_or(Value::is_null)
        {
            return Ok(());
        }
        if let Some(class) = default_class(attributes).await?
            && let Some(spec) = claim.get_mut("spec").and_then(Value::as_object_mut)
        {
            spec.insert("storageClassName".into(), json!(class));
        }
        Ok(())
    }
}

fn is_default(class: &Value) -> bool {
    [DEFAULT_CLASS_ANNOTATION, BETA_DEFAULT_CLASS_ANNOTATION]
        .iter()
        .any(|a| class["metadata"]["annotations"][a].as_str() == Some("true"))
}

/// The default class's name: the newest of those marked default, by
/// creation time and then name, as upstream breaks ties.
async fn default_class(attributes: &Attributes<'_>) -> Result<Option<String>, ApiError> {
    let (_, classes) =
        super::stored_objects(attributes, ("storage.k8s.io", "v1", "storageclasses"), None).await?;
    Ok(classes
        .into_iter()
        .map(|(_, class)| class)
        .filter(is_default)
        .map(|class| {
            let created = class["metadata"]["creationTimestamp"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let name = class["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            (created, name)
        })
        .max()
        .map(|(_, name)| name))
}
