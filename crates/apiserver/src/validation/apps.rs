//! apps/v1 workloads (Deployment, ReplicaSet, StatefulSet, DaemonSet),
//! ControllerRevision, and the core ReplicationController.

use api::selectors::labels_of;
use serde_json::{Value, json};

use super::pod::{pod_template, selector_matches};
use super::{
    at_least, immutable, int_or_percent, is_zero, label_selector, one_of, selector_is_empty,
};
use crate::error::Cause;

pub fn workload(kind: &str, object: &Value, old: Option<&Value>, causes: &mut Vec<Cause>) {
    let Some(spec) = object.get("spec") else {
        causes.push(Cause::required("spec.selector", ""));
        return;
    };
    at_least(spec, "replicas", "spec.replicas", 0, causes);
    at_least(spec, "minReadySeconds", "spec.minReadySeconds", 0, causes);
    at_least(
        spec,
        "revisionHistoryLimit",
        "spec.revisionHistoryLimit",
        0,
        causes,
    );
    let selector = spec.get("selector");
    if selector_is_empty(selector) {
        causes.push(Cause::required("spec.selector", ""));
    } else {
        label_selector(selector, "spec.selector", causes);
        template_matches(selector, spec.get("template"), causes);
    }
    if kind == "StatefulSet" {
        // Mounts may name claim templates: their volumes are added to
        // each pod, so the template is checked with them.
        pod_template(
            with_claim_volumes(spec).as_ref().or(spec.get("template")),
            "spec.template",
            causes,
        );
    } else {
        pod_template(spec.get("template"), "spec.template", causes);
    }
    // Controllers own their pods' lifecycle: the pods always restart.
    if let Some(policy) = spec
        .pointer("/template/spec/restartPolicy")
        .and_then(Value::as_str)
        && policy != "Always"
    {
        causes.push(Cause::not_supported(
            "spec.template.spec.restartPolicy",
            policy,
            &["Always"],
        ));
    }
    match kind {
        "Deployment" => deployment(spec, causes),
        "StatefulSet" => {
            one_of(
                spec,
                "podManagementPolicy",
                "spec.podManagementPolicy",
                &["OrderedReady", "Parallel"],
                causes,
            );
            if let Some(strategy) = spec.get("updateStrategy") {
                one_of(
                    strategy,
                    "type",
                    "spec.updateStrategy.type",
                    &["RollingUpdate", "OnDelete"],
                    causes,
                );
            }
        }
        "DaemonSet" => {
            if let Some(strategy) = spec.get("updateStrategy") {
                one_of(
                    strategy,
                    "type",
                    "spec.updateStrategy.type",
                    &["RollingUpdate", "OnDelete"],
                    causes,
                );
                let rolling = strategy.get("rollingUpdate");
                if let Some(rolling) = rolling {
                    int_or_percent(
                        rolling.get("maxUnavailable"),
                        "spec.updateStrategy.rollingUpdate.maxUnavailable",
                        causes,
                    );
                    int_or_percent(
                        rolling.get("maxSurge"),
                        "spec.updateStrategy.rollingUpdate.maxSurge",
                        causes,
                    );
                }
            }
        }
        _ => {}
    }
    if let Some(old) = old {
        immutable(object, old, "/spec/selector", "spec.selector", causes);
        if kind == "StatefulSet" {
            statefulset_update(object, old, causes);
        }
    }
}

/// A StatefulSet's template with a volume for each claim template it does
/// not already name; None when there are no claim templates.
fn with_claim_volumes(spec: &Value) -> Option<Value> {
    let claims = spec.get("volumeClaimTemplates")?.as_array()?;
    let mut template = spec.get("template")?.clone();
    let volumes = template
        .pointer_mut("/spec")?
        .as_object_mut()?
        .entry("volumes")
        .or_insert(json!([]));
    let list = volumes.as_array_mut()?;
    for claim in claims {
        let Some(name) = claim.pointer("/metadata/name").and_then(Value::as_str) else {
            continue;
        };
        if !list.iter().any(|v| v["name"] == name) {
            list.push(json!({"name": name, "persistentVolumeClaim": {"claimName": name}}));
        }
    }
    Some(template)
}

fn template_matches(selector: Option<&Value>, template: Option<&Value>, causes: &mut Vec<Cause>) {
    let labels = template.map(labels_of).unwrap_or_default();
    if let Some(selector) = selector
        && !selector_matches(selector, &labels)
    {
        causes.push(Cause::invalid_value(
            "spec.template.metadata.labels",
            &json!(labels),
            "`selector` does not match template `labels`",
        ));
    }
}

fn deployment(spec: &Value, causes: &mut Vec<Cause>) {
    let strategy = spec.get("strategy").unwrap_or(&Value::Null);
    one_of(
        strategy,
        "type",
        "spec.strategy.type",
        &["Recreate", "RollingUpdate"],
        causes,
    );
    let rolling = strategy.get("rollingUpdate").filter(|r| !r.is_null());
    if strategy.get("type").and_then(Value::as_str) == Some("Recreate") && rolling.is_some() {
        causes.push(Cause::forbidden(
            "spec.strategy.rollingUpdate",
            "may not be specified when strategy `type` is 'Recreate'",
        ));
    }
    if let Some(rolling) = rolling {
        let path = "spec.strategy.rollingUpdate";
        int_or_percent(
            rolling.get("maxUnavailable"),
            &format!("{path}.maxUnavailable"),
            causes,
        );
        int_or_percent(rolling.get("maxSurge"), &format!("{path}.maxSurge"), causes);
        if is_zero(rolling.get("maxUnavailable")) && is_zero(rolling.get("maxSurge")) {
            causes.push(Cause::invalid_value(
                format!("{path}.maxUnavailable"),
                rolling.get("maxUnavailable").unwrap_or(&Value::Null),
                "may not be 0 when `maxSurge` is 0",
            ));
        }
        if let Some(Value::String(p)) = rolling.get("maxUnavailable")
            && p.strip_suffix('%')
                .and_then(|p| p.parse::<i64>().ok())
                .is_some_and(|p| p > 100)
        {
            causes.push(Cause::invalid(
                format!("{path}.maxUnavailable"),
                p,
                "must not be greater than 100%",
            ));
        }
    }
    if let (Some(deadline), min_ready) = (
        spec.get("progressDeadlineSeconds").and_then(Value::as_i64),
        spec.get("minReadySeconds")
            .and_then(Value::as_i64)
            .unwrap_or(0),
    ) && deadline <= min_ready
    {
        causes.push(Cause::invalid_value(
            "spec.progressDeadlineSeconds",
            &json!(deadline),
            "must be greater than minReadySeconds",
        ));
    }
}

/// A StatefulSet's identity and storage are fixed once created.
fn statefulset_update(new: &Value, old: &Value, causes: &mut Vec<Cause>) {
    let frozen = |object: &Value| {
        let mut spec = object.get("spec").cloned().unwrap_or(Value::Null);
        if let Some(map) = spec.as_object_mut() {
            for field in [
                "replicas",
                "ordinals",
                "template",
                "updateStrategy",
                "persistentVolumeClaimRetentionPolicy",
                "minReadySeconds",
            ] {
                map.remove(field);
            }
        }
        spec
    };
    if frozen(new) != frozen(old) {
        causes.push(Cause::forbidden(
            "spec",
            "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ));
    }
}

/// ReplicationController: a plain label map as selector, defaulted from
/// the template's labels.
pub fn replication_controller(object: &Value, causes: &mut Vec<Cause>) {
    let spec = object.get("spec").unwrap_or(&Value::Null);
    at_least(spec, "replicas", "spec.replicas", 0, causes);
    at_least(spec, "minReadySeconds", "spec.minReadySeconds", 0, causes);
    let selector = spec
        .get("selector")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let template = spec.get("template");
    if selector.is_empty() {
        causes.push(Cause::required("spec.selector", ""));
    } else if template.is_some() {
        let labels = template.map(labels_of).unwrap_or_default();
        let matches = selector
            .iter()
            .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str());
        if !matches {
            causes.push(Cause::invalid_value(
                "spec.template.metadata.labels",
                &json!(labels),
                "`selector` does not match template `labels`",
            ));
        }
    }
    pod_template(template, "spec.template", causes);
    if let Some(policy) = spec
        .pointer("/template/spec/restartPolicy")
        .and_then(Value::as_str)
        && policy != "Always"
    {
        causes.push(Cause::not_supported(
            "spec.template.spec.restartPolicy",
            policy,
            &["Always"],
        ));
    }
}

pub fn controller_revision(object: &Value, old: Option<&Value>, causes: &mut Vec<Cause>) {
    at_least(object, "revision", "revision", 0, causes);
    if let Some(old) = old {
        immutable(object, old, "/data", "data", causes);
    }
}
