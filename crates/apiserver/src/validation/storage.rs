//! storage.k8s.io/v1: StorageClasses, CSIDrivers, VolumeAttachments.

use serde_json::Value;

use super::{array_at, immutable, one_of, str_at};
use crate::error::Cause;

/// A name like a provisioner's or attacher's: a qualified name (an
/// optional DNS prefix, then up to 63 characters).
fn qualified_name(name: &str, path: &str, causes: &mut Vec<Cause>) {
    if let Err(detail) = api::meta::validate_label_key(name) {
        causes.push(Cause::invalid(path, name, &detail));
    }
}

pub fn storage_class(object: &Value, old: Option<&Value>, causes: &mut Vec<Cause>) {
    match str_at(object, "provisioner").filter(|p| !p.is_empty()) {
        None => causes.push(Cause::required("provisioner", "")),
        Some(provisioner) => qualified_name(provisioner, "provisioner", causes),
    }
    one_of(
        object,
        "reclaimPolicy",
        "reclaimPolicy",
        &["Delete", "Retain"],
        causes,
    );
    one_of(
        object,
        "volumeBindingMode",
        "volumeBindingMode",
        &["Immediate", "WaitForFirstConsumer"],
        causes,
    );
    if let Some(old) = old {
        for field in ["parameters", "provisioner", "reclaimPolicy"] {
            if object.get(field) != old.get(field) {
                causes.push(Cause::forbidden(
                    field,
                    &format!("updates to {field} are forbidden."),
                ));
            }
        }
        immutable(
            object,
            old,
            "/volumeBindingMode",
            "volumeBindingMode",
            causes,
        );
    }
}

pub fn csi_driver(object: &Value, old: Option<&Value>, causes: &mut Vec<Cause>) {
    let spec = object.get("spec").unwrap_or(&Value::Null);
    for (i, mode) in array_at(spec, "volumeLifecycleModes").iter().enumerate() {
        let mode = mode.as_str().unwrap_or_default();
        if mode != "Persistent" && mode != "Ephemeral" {
            causes.push(Cause::not_supported(
                format!("spec.volumeLifecycleModes[{i}]"),
                mode,
                &["Ephemeral", "Persistent"],
            ));
        }
    }
    one_of(
        spec,
        "fsGroupPolicy",
        "spec.fsGroupPolicy",
        &["File", "None", "ReadWriteOnceWithFSType"],
        causes,
    );
    if let Some(old) = old {
        for field in ["attachRequired", "volumeLifecycleModes", "fsGroupPolicy"] {
            immutable(
                object,
                old,
                &format!("/spec/{field}"),
                &format!("spec.{field}"),
                causes,
            );
        }
    }
}

pub fn volume_attachment(object: &Value, old: Option<&Value>, causes: &mut Vec<Cause>) {
    let spec = object.get("spec").unwrap_or(&Value::Null);
    match str_at(spec, "attacher").filter(|a| !a.is_empty()) {
        None => causes.push(Cause::required("spec.attacher", "")),
        Some(attacher) => qualified_name(attacher, "spec.attacher", causes),
    }
    if str_at(spec, "nodeName").is_none_or(str::is_empty) {
        causes.push(Cause::required("spec.nodeName", ""));
    }
    let source = spec.get("source").unwrap_or(&Value::Null);
    let volume = str_at(source, "persistentVolumeName").is_some_and(|n| !n.is_empty());
    let inline = source.get("inlineVolumeSpec").is_some_and(|s| !s.is_null());
    if volume == inline {
        causes.push(Cause::required(
            "spec.source",
            "must specify exactly one of persistentVolumeName and inlineVolumeSpec",
        ));
    }
    if let Some(old) = old {
        immutable(object, old, "/spec", "spec", causes);
    }
}
