//! DefaultTolerationSeconds: a new pod tolerates a not-ready or unreachable
//! node for five minutes before the node lifecycle evicts it, unless it
//! says otherwise.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{AdmissionPlugin, Attributes};
use crate::error::ApiError;

const DEFAULT_TOLERATION_SECONDS: i64 = 300;

pub struct DefaultTolerationSeconds;

#[async_trait]
impl AdmissionPlugin for DefaultTolerationSeconds {
    fn name(&self) -> &'static str {
        "DefaultTolerationSeconds"
    }

    async fn admit(
        &self,
        attributes: &Attributes<'_>,
        object: Option<&mut Value>,
    ) -> Result<(), ApiError> {
        if !attributes.creates("Pod") {
            return Ok(());
        }
        if let Some(pod) = object {
            add_tolerations(pod);
        }
        Ok(())
    }
}

fn add_tolerations(pod: &mut Value) {
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    let tolerations = spec.entry("tolerations").or_insert_with(|| json!([]));
    let Some(list) = tolerations.as_array_mut() else {
        return;
    };
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        let covered = list.iter().any(|t| {
            let t_key = t.get("key").and_then(Value::as_str);
            let effect = t.get("effect").and_then(Value::as_str).unwrap_or("");
            let exists_all =
                t_key.is_none() && t.get("operator").and_then(Value::as_str) == Some("Exists");
            (t_key == Some(key) || exists_all) && (effect.is_empty() || effect == "NoExecute")
        });
        if !covered {
            list.push(json!({"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": DEFAULT_TOLERATION_SECONDS}));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pods_get_the_two_tolerations_unless_they_have_them() {
        let mut pod = json!({"spec": {"tolerations": [
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 10}]}});
        add_tolerations(&mut pod);
        let list = pod["spec"]["tolerations"].as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0]["tolerationSeconds"], 10);
        assert_eq!(list[1]["key"], "node.kubernetes.io/not-ready");
        assert_eq!(list[1]["tolerationSeconds"], 300);
    }
}
