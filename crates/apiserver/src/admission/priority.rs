//! Priority: a new pod's priority comes from its PriorityClass (or the
//! cluster's global default class); at most one class is the global
//! default, and the system classes cannot be deleted.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{AdmissionPlugin, Attributes, Operation, forbidden};
use crate::error::ApiError;

const SYSTEM_CLASSES: &[&str] = &["system-node-critical", "system-cluster-critical"];

pub struct Priority;

#[async_trait]
impl AdmissionPlugin for Priority {
    fn name(&self) -> &'static str {
        "Priority"
    }

    async fn admit(
        &self,
        attributes: &Attributes<'_>,
        object: Option<&mut Value>,
    ) -> Result<(), ApiError> {
        if !attributes.creates("Pod") {
            return Ok(());
        }
        match object {
            Some(pod) => pod_priority(attributes, pod).await,
            None => Ok(()),
        }
    }

    async fn validate(
        &self,
        attributes: &Attributes<'_>,
        object: Option<&Value>,
    ) -> Result<(), ApiError> {
        if attributes.info.builtin_kind() != "PriorityClass" {
            return Ok(());
        }
        match attributes.operation {
            Operation::Delete if SYSTEM_CLASSES.contains(&attributes.name) => Err(forbidden(
                attributes,
                "this is a system priority class and cannot be deleted",
            )),
            Operation::Create | Operation::Update => {
                let wants_default = object
                    .and_then(|o| o.get("globalDefault"))
                    .and_then(Value::as_bool)
                    == Some(true);
                if !wants_default {
                    return Ok(());
                }
                match global_default(attributes).await? {
                    Some(existing) if existing["metadata"]["name"] != attributes.name => {
                        Err(forbidden(
                            attributes,
                            &format!(
                                "PriorityClass {} is already marked as default. Only one default can exist",
                                existing["metadata"]["name"].as_str().unwrap_or_default()
                            ),
                        ))
                    }
                    _ => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }
}

fn classes() -> Result<&'static api::ResourceInfo, ApiError> {
    api::registry::lookup("scheduling.k8s.io", "v1", "priorityclasses")
        .ok_or_else(|| ApiError::internal("no priorityclasses resource"))
}

/// The class marked `globalDefault`, if any (the lowest-valued one should
/// there be several, as upstream picks).
async fn global_default(attributes: &Attributes<'_>) -> Result<Option<Value>, ApiError> {
    let (_, classes) = super::stored_objects(
        attributes,
        ("scheduling.k8s.io", "v1", "priorityclasses"),
        None,
    )
    .await?;
    Ok(classes
        .into_iter()
        .map(|(_, class)| class)
        .filter(|class| class.get("globalDefault").and_then(Value::as_bool) == Some(true))
        .min_by_key(|class| class.get("value").and_then(Value::as_i64).unwrap_or(0)))
}

async fn pod_priority(attributes: &Attributes<'_>, pod: &mut Value) -> Result<(), ApiError> {
    let class_name = pod
        .pointer("/spec/priorityClassName")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let class =
        if class_name.is_empty() {
            global_default(attributes).await?
        } else {
            let classes = classes()?;
            let kv = attributes
                .store
                .get(&classes.storage_key(None, &class_name))
                .await
                .map_err(|e| ApiError::from_store(e, classes, &class_name))?
                .ok_or_else(|| {
                    forbidden(
                        attributes,
                        &format!("no PriorityClass with name {class_name} was found"),
                    )
                })?;
            Some(serde_json::from_slice(&kv.value).map_err(|e| {
                ApiError::internal(format!("stored PriorityClass {class_name}: {e}"))
            })?)
        };
    let (value, policy) = match &class {
        Some(class) => (
            class.get("value").and_then(Value::as_i64).unwrap_or(0),
            class
                .get("preemptionPolicy")
                .and_then(Value::as_str)
                .unwrap_or("PreemptLowerPriority")
                .to_string(),
        ),
        None => (0, "PreemptLowerPriority".to_string()),
    };
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    if let Some(given) = spec.get("priority").and_then(Value::as_i64)
        && given != value
    {
        return Err(forbidden(
            attributes,
            &format!(
                "the integer value of priority ({given}) must not be provided in pod spec; priority admission controller computed {value} from the given PriorityClass name"
            ),
        ));
    }
    if class_name.is_empty()
        && let Some(name) = class
            .as_ref()
            .and_then(|c| c.pointer("/metadata/name"))
            .cloned()
    {
        spec.insert("priorityClassName".into(), name);
    }
    spec.insert("priority".into(), json!(value));
    spec.entry("preemptionPolicy").or_insert(json!(policy));
    Ok(())
}
