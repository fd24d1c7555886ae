//! The generic object lifecycle: what every kind gets on create and update
//! (identity, timestamps, generation, metadata validation, the status
//! subresource split) and how objects map to stored bytes.

use api::ResourceInfo;
use api::meta::{
    generated_name, now_timestamp, validate_dns_label, validate_dns_subdomain, validate_label_key,
    validate_label_value, validate_path_segment,
};
use serde_json::{Map, Value, json};
use store::KeyValue;

use crate::error::{ApiError, Cause};

/// Kinds whose strategies keep `metadata.generation` (bumped on spec
/// changes; every custom kind).
fn tracks_generation(info: &ResourceInfo) -> bool {
    info.custom.is_some()
        || matches!(
            info.builtin_kind(),
            "Deployment"
                | "ReplicaSet"
                | "StatefulSet"
                | "DaemonSet"
                | "Job"
                | "CronJob"
                | "ReplicationController"
                | "PodDisruptionBudget"
                | "HorizontalPodAutoscaler"
                | "Ingress"
                | "NetworkPolicy"
                | "Pod"
                | "PersistentVolumeClaim"
                | "CustomResourceDefinition"
        )
}

/// What a generation counts changes of: the spec, or for a custom kind
/// everything but metadata (and status, when it has its own subresource).
fn generation_content(info: &ResourceInfo, object: &Value) -> Value {
    if info.custom.is_none() {
        return object.get("spec").cloned().unwrap_or(Value::Null);
    }
    let mut content = object.clone();
    if let Some(map) = content.as_object_mut() {
        map.remove("metadata");
        if info.has_subresource("status") {
            map.remove("status");
        }
    }
    content
}

/// An object read from the store, with its resourceVersion filled in.
pub fn decode(info: &ResourceInfo, kv: &KeyValue) -> Result<Value, ApiError> {
    let mut object: Value = serde_json::from_slice(&kv.value).map_err(|e| {
        ApiError::internal(format!(
            "stored {} {} is not valid JSON: {e}",
            info.plural, kv.key
        ))
    })?;
    set_resource_version(&mut object, kv.mod_revision);
    Ok(object)
}

pub fn set_resource_version(object: &mut Value, revision: i64) {
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.insert("resourceVersion".into(), json!(revision.to_string()));
    }
}

/// The bytes stored for an object: the object without its resourceVersion,
/// which is the store's revision.
pub fn encode(object: &Value) -> Vec<u8> {
    let mut object = object.clone();
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.remove("resourceVersion");
    }
    object.to_string().into_bytes()
}

pub fn metadata(object: &Value) -> Option<&Map<String, Value>> {
    object.get("metadata").and_then(Value::as_object)
}

fn metadata_mut(object: &mut Value) -> Result<&mut Map<String, Value>, ApiError> {
    let Some(map) = object.as_object_mut() else {
        return Err(ApiError::bad_request(
            "the request body must be a JSON object",
        ));
    };
    let metadata = map.entry("metadata").or_insert_with(|| json!({}));
    if !metadata.is_object() {
        return Err(ApiError::bad_request("metadata must be an object"));
    }
    metadata
        .as_object_mut()
        .ok_or_else(|| ApiError::bad_request("metadata must be an object"))
}

pub fn name_of(object: &Value) -> &str {
    object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

pub fn namespace_of(object: &Value) -> &str {
    object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Checks `apiVersion` and `kind` of a request body against the endpoint.
pub fn check_type(
    info: &ResourceInfo,
    body: &mut Value,
    expected_kind: &str,
) -> Result<(), ApiError> {
    if !body.is_object() {
        return Err(ApiError::bad_request(
            "the request body must be a JSON object",
        ));
    }
    // A body without apiVersion or kind takes the endpoint's, as upstream's
    // decoder defaults them; a body that names another type is refused.
    let api_version = body.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = body.get("kind").and_then(Value::as_str).unwrap_or("");
    let expected_version = if expected_kind == info.kind {
        info.api_version()
    } else {
        api_version.to_string()
    };
    let api_version = if api_version.is_empty() {
        expected_version.as_str()
    } else {
        api_version
    };
    let kind = if kind.is_empty() { expected_kind } else { kind };
    if api_version != info.api_version() && expected_kind == info.kind {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({api_version}) does not match the expected API version ({})",
            info.api_version()
        )));
    }
    if kind != expected_kind {
        return Err(ApiError::bad_request(format!(
            "the kind in the data ({kind}) does not match the expected kind ({expected_kind})"
        )));
    }
    let (api_version, kind) = (api_version.to_string(), kind.to_string());
    if let Some(map) = body.as_object_mut() {
        map.insert("apiVersion".into(), json!(api_version));
        map.insert("kind".into(), json!(kind));
    }
    Ok(())
}

fn validate_name(info: &ResourceInfo, name: &str) -> Result<(), String> {
    validate_path_segment(name)?;
    match info.builtin_kind() {
        "Namespace" => validate_dns_label(name),
        "Service" => {
            validate_dns_label(name)?;
            if name.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                return Err("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')".to_string());
            }
            Ok(())
        }
        // `version.group` (`v1.` for the core group), checked against the
        // spec by the kind's validation.
        "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" | "APIService" => Ok(()),
        _ => validate_dns_subdomain(name),
    }
}

/// Metadata problems every kind shares: name, labels, annotations.
pub fn validate_metadata(info: &ResourceInfo, object: &Value) -> Vec<Cause> {
    let mut causes = Vec::new();
    let name = name_of(object);
    if name.is_empty() {
        causes.push(Cause::required(
            "metadata.name",
            "name or generateName is required",
        ));
    } else if let Err(detail) = validate_name(info, name) {
        causes.push(Cause::invalid("metadata.name", name, &detail));
    }
    if let Some(labels) = object.pointer("/metadata/labels") {
        match labels.as_object() {
            Some(labels) => {
                for (key, value) in labels {
                    if let Err(detail) = validate_label_key(key) {
                        causes.push(Cause::invalid("metadata.labels", key, &detail));
                    }
                    match value.as_str() {
                        Some(value) => {
                            if let Err(detail) = validate_label_value(value) {
                                causes.push(Cause::invalid("metadata.labels", value, &detail));
                            }
                        }
                        None => causes.push(Cause::invalid(
                            "metadata.labels",
                            &value.to_string(),
                            "label values must be strings",
                        )),
                    }
                }
            }
            None if labels.is_null() => {}
            None => causes.push(Cause::invalid(
                "metadata.labels",
                &labels.to_string(),
                "must be a map of strings",
            )),
        }
    }
    if let Some(annotations) = object.pointer("/metadata/annotations") {
        match annotations.as_object() {
            Some(annotations) => {
                let mut total = 0;
                for (key, value) in annotations {
                    if let Err(detail) = validate_label_key(&key.to_lowercase()) {
                        causes.push(Cause::invalid("metadata.annotations", key, &detail));
                    }
                    total += key.len() + value.as_str().map_or(0, str::len);
                }
                if total > 256 * 1024 {
                    causes.push(Cause {
                        reason: "FieldValueTooLong",
                        field: "metadata.annotations".into(),
                        message: "Too long: must have at most 262144 bytes".into(),
                    });
                }
            }
            None if annotations.is_null() => {}
            None => causes.push(Cause::invalid(
                "metadata.annotations",
                &annotations.to_string(),
                "must be a map of strings",
            )),
        }
    }
    causes.extend(crate::fieldmanager::validate_entries(object));
    causes
}

/// Kind-specific normal forms applied on every write: a Secret's
/// `stringData` is folded into `data` (base64), as upstream stores it.
pub fn normalize(info: &ResourceInfo, object: &mut Value) {
    if info.builtin_kind() == "Secret"
        && let Some(Value::Object(strings)) =
            object.as_object_mut().and_then(|o| o.remove("stringData"))
    {
        use base64::Engine;
        let data = object
            .as_object_mut()
            .map(|o| o.entry("data").or_insert_with(|| json!({})));
        if let Some(Value::Object(data)) = data {
            for (key, value) in strings {
                let text = value.as_str().unwrap_or_default();
                data.insert(
                    key,
                    json!(base64::engine::general_purpose::STANDARD.encode(text)),
                );
            }
        }
    }
}

/// Fills in what the server owns on create. Returns the object's name.
pub fn prepare_create(
    info: &ResourceInfo,
    namespace: Option<&str>,
    object: &mut Value,
    random: u64,
) -> Result<String, ApiError> {
    let metadata = metadata_mut(object)?;
    let body_namespace = metadata
        .get("namespace")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if info.namespaced {
        let namespace = namespace.unwrap_or_default();
        if !body_namespace.is_empty() && body_namespace != namespace {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        metadata.insert("namespace".into(), json!(namespace));
    } else {
        metadata.remove("namespace");
    }
    let name = metadata
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let name = if name.is_empty() {
        match metadata.get("generateName").and_then(Value::as_str) {
            Some(base) if !base.is_empty() => {
                let generated = generated_name(base, random);
                metadata.insert("name".into(), json!(generated));
                generated
            }
            _ => String::new(),
        }
    } else {
        name
    };
    metadata.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
    metadata.insert("creationTimestamp".into(), json!(now_timestamp()));
    for owned in [
        "resourceVersion",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "selfLink",
    ] {
        metadata.remove(owned);
    }
    if tracks_generation(info) {
        metadata.insert("generation".into(), json!(1));
    } else {
        metadata.remove("generation");
    }
    normalize(info, object);
    crate::defaults::apply(info.builtin_kind(), object);
    crate::defaults::on_create(info.builtin_kind(), object);
    if info.builtin_kind() == "Namespace" {
        object["spec"] = json!({"finalizers": ["kubernetes"]});
        object["status"] = json!({"phase": "Active"});
    }
    if info.builtin_kind() == "CustomResourceDefinition" {
        crate::apiextensions::prepare_create(object);
    }
    // A custom object whose status has its own subresource starts without
    // one, as upstream's strategy makes it.
    if info.custom.is_some()
        && info.has_subresource("status")
        && let Some(map) = object.as_object_mut()
    {
        map.remove("status");
    }
    if let Some(map) = object.as_object_mut() {
        map.insert("apiVersion".into(), json!(info.api_version()));
        map.insert("kind".into(), json!(info.kind));
    }
    let causes = validate_metadata(info, object);
    if !causes.is_empty() {
        return Err(ApiError::invalid(info, &name, causes));
    }
    Ok(name)
}

fn without_volatile(object: &Value) -> Value {
    let mut object = object.clone();
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.remove("resourceVersion");
    }
    object
}

/// Whether `new` differs from `old` beyond the resourceVersion.
pub fn changed(old: &Value, new: &Value) -> bool {
    without_volatile(old) != without_volatile(new)
}

/// Builds the object an update stores, from the stored `old` and the
/// client's `new`: identity fields are kept, the status/main split of kinds
/// with a status subresource is honoured, and generation follows the spec.
pub fn prepare_update(
    info: &ResourceInfo,
    old: &Value,
    mut new: Value,
    subresource: Option<&str>,
) -> Result<Value, ApiError> {
    if !new.is_object() {
        return Err(ApiError::bad_request(
            "the request body must be a JSON object",
        ));
    }
    let name = name_of(old).to_string();
    let new_name = name_of(&new).to_string();
    if !new_name.is_empty() && new_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({new_name}) does not match the name on the URL ({name})"
        )));
    }
    if info.namespaced {
        let ns = namespace_of(&new);
        if !ns.is_empty() && ns != namespace_of(old) {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
    }
    let has_status = info.has_subresource("status");
    let csr = info.builtin_kind() == "CertificateSigningRequest";
    match subresource {
        // Approving or denying changes only the conditions.
        Some("approval") if csr => new = crate::certificates::prepare_approval(old, &new),
        // A status write changes only the status.
        Some("status") => {
            let mut merged = old.clone();
            merged["status"] = new.get("status").cloned().unwrap_or(Value::Null);
            if merged["status"].is_null()
                && let Some(map) = merged.as_object_mut()
            {
                map.remove("status");
            }
            if csr {
                crate::certificates::prepare_status(old, &mut merged);
            }
            new = merged;
        }
        // Ephemeral containers are added through their subresource, which
        // changes nothing else.
        Some("ephemeralcontainers") => {
            let mut merged = old.clone();
            let containers = new
                .pointer("/spec/ephemeralContainers")
                .cloned()
                .unwrap_or(Value::Null);
            if let Some(spec) = merged.get_mut("spec").and_then(Value::as_object_mut) {
                if containers.is_null() {
                    spec.remove("ephemeralContainers");
                } else {
                    spec.insert("ephemeralContainers".into(), containers);
                }
            }
            new = merged;
        }
        // A write to the main resource leaves the status alone.
        _ if has_status => match old.get("status") {
            Some(status) => new["status"] = status.clone(),
            None => {
                if let Some(map) = new.as_object_mut() {
                    map.remove("status");
                }
            }
        },
        _ => {}
    }
    {
        let old_meta = metadata(old).cloned().unwrap_or_default();
        let metadata = metadata_mut(&mut new)?;
        metadata.insert("name".into(), json!(name));
        for kept in [
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "namespace",
            "generation",
        ] {
            match old_meta.get(kept) {
                Some(value) => metadata.insert(kept.into(), value.clone()),
                None => metadata.remove(kept),
            };
        }
        metadata.remove("resourceVersion");
    }
    if let Some(map) = new.as_object_mut() {
        map.insert("apiVersion".into(), json!(info.api_version()));
        map.insert("kind".into(), json!(info.kind));
    }
    normalize(info, &mut new);
    crate::defaults::apply(info.builtin_kind(), &mut new);
    if info.builtin_kind() == "Service" {
        crate::service_allocation::carry_allocated(old, &mut new);
    }
    if info.builtin_kind() == "Pod" && subresource != Some("ephemeralcontainers") {
        // The main resource does not change ephemeral containers.
        let kept = old.pointer("/spec/ephemeralContainers").cloned();
        if let Some(spec) = new.get_mut("spec").and_then(Value::as_object_mut) {
            match kept {
                Some(containers) => spec.insert("ephemeralContainers".into(), containers),
                None => spec.remove("ephemeralContainers"),
            };
        }
    }
    if info.builtin_kind() == "Namespace" && subresource != Some("finalize") {
        // spec.finalizers change only through the finalize subresource.
        match old.get("spec") {
            Some(spec) => new["spec"] = spec.clone(),
            None => {
                if let Some(map) = new.as_object_mut() {
                    map.remove("spec");
                }
            }
        }
    }
    // Compare against the old object as it decodes today (with defaults),
    // so defaults added since it was stored are not a spec change.
    let mut old_defaulted = old.clone();
    crate::defaults::apply(info.builtin_kind(), &mut old_defaulted);
    if info.builtin_kind() == "CustomResourceDefinition" {
        crate::apiextensions::prepare_update(&mut new);
    }
    if tracks_generation(info)
        && generation_content(info, &old_defaulted) != generation_content(info, &new)
    {
        let generation = old
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        new["metadata"]["generation"] = json!(generation + 1);
    }
    // Finalizers cannot be added once deletion has begun.
    if old.pointer("/metadata/deletionTimestamp").is_some() {
        let before = finalizers(old);
        if finalizers(&new).iter().any(|f| !before.contains(f)) {
            return Err(ApiError::invalid(
                info,
                &name,
                vec![Cause::forbidden(
                    "metadata.finalizers",
                    "no new finalizers can be added if the object is being deleted",
                )],
            ));
        }
    }
    let causes = validate_metadata(info, &new);
    if !causes.is_empty() {
        return Err(ApiError::invalid(info, &name, causes));
    }
    Ok(new)
}

fn strings_at(object: &Value, pointer: &str) -> Vec<String> {
    object
        .pointer(pointer)
        .and_then(Value::as_array)
        .map(|f| {
            f.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// The finalizers an object still carries.
pub fn finalizers(object: &Value) -> Vec<String> {
    strings_at(object, "/metadata/finalizers")
}

/// Kind-level finalizers that block deletion (a namespace's `spec.finalizers`).
pub fn spec_finalizers(object: &Value) -> Vec<String> {
    strings_at(object, "/spec/finalizers")
}

/// The uid and resourceVersion preconditions of DeleteOptions.
pub fn check_preconditions(
    info: &ResourceInfo,
    name: &str,
    options: &Value,
    pod: &Value,
    revision: i64,
) -> Result<(), ApiError> {
    if let Some(uid) = options
        .pointer("/preconditions/uid")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
    {
        let actual = pod
            .pointer("/metadata/uid")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if uid != actual {
            return Err(ApiError::conflict_message(
                info,
                name,
                &format!(
                    "Precondition failed: UID in precondition: {uid}, UID in object meta: {actual}"
                ),
            ));
        }
    }
    if let Some(rv) = options
        .pointer("/preconditions/resourceVersion")
        .and_then(Value::as_str)
        .filter(|rv| !rv.is_empty())
        && rv != revision.to_string()
    {
        return Err(ApiError::conflict_message(
            info,
            name,
            &format!(
                "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {revision}"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(plural: &str) -> &'static ResourceInfo {
        api::registry::RESOURCES
            .iter()
            .find(|r| r.plural == plural)
            .unwrap()
    }

    #[test]
    fn create_fills_identity_and_checks_names() {
        let mut cm =
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "cfg-"}});
        let name = prepare_create(info("configmaps"), Some("default"), &mut cm, 7).unwrap();
        assert!(name.starts_with("cfg-") && name.len() == 9);
        assert_eq!(cm["metadata"]["namespace"], "default");
        assert!(cm["metadata"]["uid"].is_string());
        let mut bad = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Bad_Name", "labels": {"ok": "no spaces allowed"}}});
        let err = prepare_create(info("configmaps"), Some("default"), &mut bad, 0).unwrap_err();
        assert_eq!(err.code, 422);
        let causes = err.details.unwrap()["causes"].as_array().unwrap().len();
        assert_eq!(causes, 2);
        let mut other_ns = json!({"metadata": {"name": "a", "namespace": "x"}});
        assert_eq!(
            prepare_create(info("configmaps"), Some("y"), &mut other_ns, 0)
                .unwrap_err()
                .code,
            400
        );
    }

    #[test]
    fn updates_keep_identity_and_split_status() {
        let deploy = info("deployments");
        let old = json!({"metadata": {"name": "d", "namespace": "n", "uid": "u1", "generation": 1,
            "creationTimestamp": "2026-01-01T00:00:00Z"}, "spec": {"replicas": 1}, "status": {"replicas": 1}});
        let new = json!({"metadata": {"name": "d", "uid": "forged"}, "spec": {"replicas": 3}, "status": {"replicas": 99}});
        let updated = prepare_update(deploy, &old, new.clone(), None).unwrap();
        assert_eq!(updated["metadata"]["uid"], "u1");
        assert_eq!(updated["metadata"]["generation"], 2);
        assert_eq!(updated["status"]["replicas"], 1);
        let status = prepare_update(deploy, &old, new, Some("status")).unwrap();
        assert_eq!(status["spec"]["replicas"], 1);
        assert_eq!(status["status"]["replicas"], 99);
        assert_eq!(status["metadata"]["generation"], 1);
    }
}
