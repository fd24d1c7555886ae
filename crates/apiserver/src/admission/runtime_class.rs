//! RuntimeClass: a new pod naming a RuntimeClass must name one that
//! exists; it gets the class's fixed pod overhead, and the class's node
//! selector and tolerations join its own.

use async_trait::async_trait;
use serde_json::{Map, Value};

use super::{AdmissionPlugin, Attributes, forbidden};
use crate::error::ApiError;

pub struct RuntimeClass;

#[async_trait]
impl AdmissionPlugin for RuntimeClass {
    fn name(&self) -> &'static str {
        "RuntimeClass"
    }

    async fn admit(
        &self,
        attributes: &Attributes<'_>,
        object: Option<&mut Value>,
    ) -> Result<(), ApiError> {
        if !attributes.creates("Pod") {
            return Ok(());
        }
        let Some(pod) = object else {
            return Ok(());
        };
        let name = pod
            .pointer("/spec/runtimeClassName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if name.is_empty() {
            return Ok(());
        }
        let classes = api::registry::lookup("node.k8s.io", "v1", "runtimeclasses")
            .ok_or_else(|| ApiError::internal("no runtimeclasses resource"))?;
        let kv = attributes
            .store
            .get(&classes.storage_key(None, &name))
            .await
            .map_err(|e| ApiError::from_store(e, classes, &name))?
            .ok_or_else(|| {
                forbidden(
                    attributes,
                    &format!("pod rejected: RuntimeClass {name:?} not found"),
                )
            })?;
        let class: Value = serde_json::from_slice(&kv.value)
            .map_err(|e| ApiError::internal(format!("stored RuntimeClass {name}: {e}")))?;
        let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else {
            return Ok(());
        };
        apply_overhead(attributes, spec, &class)?;
        apply_scheduling(attributes, spec, &class)
    }
}

fn apply_overhead(
    attributes: &Attributes<'_>,
    spec: &mut Map<String, Value>,
    class: &Value,
) -> Result<(), ApiError> {
    let Some(fixed) = class.pointer("/overhead/podFixed") else {
        return Ok(());
    };
    match spec.get("overhead") {
        Some(given) if given != fixed => Err(forbidden(
            attributes,
            "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead",
        )),
        _ => {
            spec.insert("overhead".into(), fixed.clone());
            Ok(())
        }
    }
}

fn apply_scheduling(
    attributes: &Attributes<'_>,
    spec: &mut Map<String, Value>,
    class: &Value,
) -> Result<(), ApiError> {
    let Some(scheduling) = class.get("scheduling") else {
        return Ok(());
    };
    if let Some(Value::Object(wanted)) = scheduling.get("nodeSelector") {
        let selector = spec
            .entry("nodeSelector")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(selector) = selector {
            for (key, value) in wanted {
                match selector.get(key) {
                    Some(own) if own != value => {
                        return Err(forbidden(
                            attributes,
                            &format!(
                                "pod rejected: conflict: runtimeClass.scheduling.nodeSelector[{key}] = {}; pod.spec.nodeSelector[{key}] = {}",
                                value.as_str().unwrap_or_default(),
                                own.as_str().unwrap_or_default()
                            ),
                        ));
                    }
                    _ => {
                        selector.insert(key.clone(), value.clone());
                    }
                }
            }
        }
    }
    if let Some(Value::Array(wanted)) = scheduling.get("tolerations") {
        let tolerations = spec
            .entry("tolerations")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(tolerations) = tolerations {
            for toleration in wanted {
                if !tolerations.contains(toleration) {
                    tolerations.push(toleration.clone());
                }
            }
        }
    }
    Ok(())
}
