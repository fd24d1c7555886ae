//! StorageObjectInUseProtection: new claims get the
//! `kubernetes.io/pvc-protection` finalizer and new volumes
//! `kubernetes.io/pv-protection`; the protection controllers remove them
//! once nothing uses the object.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{AdmissionPlugin, Attributes, Operation};
use crate::error::ApiError;

pub struct StorageObjectInUseProtection;

#[async_trait]
impl AdmissionPlugin for StorageObjectInUseProtection {
    fn name(&self) -> &'static str {
        "StorageObjectInUseProtection"
    }

    async fn admit(
        &self,
        attributes: &Attributes<'_>,
        object: Option<&mut Value>,
    ) -> Result<(), ApiError> {
        if attributes.operation != Operation::Create || attributes.subresource.is_some() {
            return Ok(());
        }
        let finalizer = match attributes.info.builtin_kind() {
            "PersistentVolumeClaim" => "kubernetes.io/pvc-protection",
            "PersistentVolume" => "kubernetes.io/pv-protection",
            _ => return Ok(()),
        };
        let Some(metadata) = object
            .and_then(|o| o.get_mut("metadata"))
            .and_then(Value::as_object_mut)
        else {
            return Ok(());
        };
        let finalizers = metadata.entry("finalizers").or_insert_with(|| json!([]));
        if !finalizers.is_array() {
            *finalizers = json!([]);
        }
        if let Some(list) = finalizers.as_array_mut()
            && !list.iter().any(|f| f == finalizer)
        {
            list.push(json!(finalizer));
        }
        Ok(())
    }
}
