//! Core kinds other than pods: Services, ConfigMaps and Secrets, Nodes,
//! volumes and claims, Endpoints, Events, LimitRanges, ResourceQuotas.

use serde_json::{Value, json};

use super::pod::{port_name, quantity_of};
use super::{
    array_at, immutable, int_at, one_of, port_number, required_str, resource_list, str_at,
};
use crate::error::Cause;

const PROTOCOLS: &[&str] = &["SCTP", "TCP", "UDP"];
const ACCESS_MODES: &[&str] = &[
    "ReadOnlyMany",
    "ReadWriteMany",
    "ReadWriteOnce",
    "ReadWriteOncePod",
];

pub fn service(object: &Value, old: Option<&Value>, causes: &mut Vec<Cause>) {
    let spec = object.get("spec").cloned().unwrap_or(Value::Null);
    let kind = str_at(&spec, "type").unwrap_or("ClusterIP");
    let types = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"];
    if !types.contains(&kind) {
        causes.push(Cause::not_supported("spec.type", kind, &types));
    }
    let ports = array_at(&spec, "ports");
    let headless = str_at(&spec, "clusterIP") == Some("None");
    if ports.is_empty() && kind != "ExternalName" && !headless {
        causes.push(Cause::required("spec.ports", ""));
    }
    if kind == "ExternalName" {
        match str_at(&spec, "externalName").filter(|n| !n.is_empty()) {
            None => causes.push(Cause::required("spec.externalName", "")),
            Some(name) => {
                if let Err(detail) = api::meta::validate_dns_subdomain(name.trim_end_matches('.')) {
                    causes.push(Cause::invalid("spec.externalName", name, &detail));
                }
            }
        }
    }
    one_of(
        &spec,
        "sessionAffinity",
        "spec.sessionAffinity",
        &["ClientIP", "None"],
        causes,
    );
    for policy in ["externalTrafficPolicy", "internalTrafficPolicy"] {
        one_of(
            &spec,
            policy,
            &format!("spec.{policy}"),
            &["Cluster", "Local"],
            causes,
        );
    }
    let mut names = Vec::new();
    for (i, port) in ports.iter().enumerate() {
        let field = format!("spec.ports[{i}]");
        let name = str_at(port, "name").unwrap_or_default();
        if ports.len() > 1 && name.is_empty() {
            causes.push(Cause::required(format!("{field}.name"), ""));
        } else if !name.is_empty() && names.contains(&name) {
            causes.push(Cause::duplicate(format!("{field}.name"), name));
        } else if !name.is_empty()
            && let Err(detail) = api::meta::validate_dns_label(name)
        {
            causes.push(Cause::invalid(format!("{field}.name"), name, &detail));
        }
        names.push(name);
        match int_at(port, "port") {
            Some(_) => port_number(port, "port", &format!("{field}.port"), causes),
            None => causes.push(Cause::required(format!("{field}.port"), "")),
        }
        one_of(
            port,
            "protocol",
            &format!("{field}.protocol"),
            PROTOCOLS,
            causes,
        );
        match port.get("targetPort") {
            Some(Value::Number(_)) => {
                port_number(port, "targetPort", &format!("{field}.targetPort"), causes)
            }
            Some(Value::String(target)) => {
                if let Err(detail) = port_name(target) {
                    causes.push(Cause::invalid(
                        format!("{field}.targetPort"),
                        target,
                        &detail,
                    ));
                }
            }
            _ => {}
        }
        // 0 is "not set".
        if int_at(port, "nodePort").is_some_and(|n| n != 0) {
            if kind == "ClusterIP" || kind == "ExternalName" {
                causes.push(Cause::forbidden(
                    format!("{field}.nodePort"),
                    "may not be used when `type` is 'ClusterIP'",
                ));
            } else {
                port_number(port, "nodePort", &format!("{field}.nodePort"), causes);
            }
        }
    }
    if let Some(old) = old {
        // A ClusterIP stays with its Service unless the Service stops
        // having one (ExternalName).
        let was_external =
            old.pointer("/spec/type").and_then(Value::as_str) == Some("ExternalName");
        let set = old
            .pointer("/spec/clusterIP")
            .and_then(Value::as_str)
            .is_some_and(|ip| !ip.is_empty());
        if set && !was_external && kind != "ExternalName" {
            let new_ip = object
                .pointer("/spec/clusterIP")
                .and_then(Value::as_str)
                .unwrap_or_default();
            // An update that leaves it out keeps the stored one.
            if !new_ip.is_empty() {
                immutable(object, old, "/spec/clusterIP", "spec.clusterIPs[0]", causes);
            }
        }
    }
}

/// What is wrong with a ConfigMap or Secret key, in upstream's words (each
/// its own cause). `.` and `..` would name the volume's own directory or its
/// parent once the key is a file.
pub fn config_key_problems(key: &str) -> Vec<&'static str> {
    let mut problems = Vec::new();
    if key.len() > 253 {
        problems.push("must be no more than 253 characters");
    }
    if key.is_empty()
        || !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
    {
        problems.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
    }
    match key {
        "." => problems.push("must not be '.'"),
        ".." => problems.push("must not be '..'"),
        _ if key.starts_with("..") => problems.push("must not start with '..'"),
        _ => {}
    }
    problems
}

/// ConfigMaps and Secrets: valid keys, a Secret's type-specific keys, and
/// `immutable` objects that may not change.
pub fn config_data(kind: &str, object: &Value, old: Option<&Value>, causes: &mut Vec<Cause>) {
    for field in ["data", "binaryData", "stringData"] {
        for key in object
            .get(field)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
        {
            for problem in config_key_problems(key) {
                causes.push(Cause::invalid(format!("{field}[{key}]"), key, problem));
            }
        }
    }
    if kind == "Secret" {
        let has = |key: &str| {
            object
                .pointer(&format!("/data/{}", key.replace('/', "~1")))
                .is_some()
        };
        let required: &[&str] = match str_at(object, "type").unwrap_or("Opaque") {
            "kubernetes.io/tls" => &["tls.crt", "tls.key"],
            "kubernetes.io/dockerconfigjson" => &[".dockerconfigjson"],
            "kubernetes.io/dockercfg" => &[".dockercfg"],
            "kubernetes.io/ssh-auth" => &["ssh-privatekey"],
            _ => &[],
        };
        for key in required {
            if !has(key) {
                causes.push(Cause::required(format!("data[{key}]"), ""));
            }
        }
        if str_at(object, "type") == Some("kubernetes.io/service-account-token")
            && object
                .pointer("/metadata/annotations/kubernetes.io~1service-account.name")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
        {
            causes.push(Cause::required(
                "metadata.annotations[kubernetes.io/service-account.name]",
                "",
            ));
        }
        if str_at(object, "type") == Some("kubernetes.io/basic-auth")
            && !has("username")
            && !has("password")
        {
            causes.push(Cause::required(
                "data[username]",
                "either username or password is required",
            ));
        }
        if let Some(old) = old {
            immutable(object, old, "/type", "type", causes);
        }
    }
    if let Some(old) = old
        && old.get("immutable").and_then(Value::as_bool) == Some(true)
    {
        for field in ["data", "binaryData"] {
            if object.get(field) != old.get(field) {
                causes.push(Cause::forbidden(
                    field,
                    "field is immutable when `immutable` is set",
                ));
            }
        }
        if object.get("immutable").and_then(Value::as_bool) != Some(true) {
            causes.push(Cause::forbidden(
                "immutable",
                "field is immutable when `immutable` is set",
            ));
        }
    }
}

pub fn node(object: &Value, causes: &mut Vec<Cause>) {
    let spec = object.get("spec").unwrap_or(&Value::Null);
    let mut seen: Vec<(String, String)> = Vec::new();
    for (i, taint) in array_at(spec, "taints").iter().enumerate() {
        let path = format!("spec.taints[{i}]");
        let key = str_at(taint, "key").unwrap_or_default();
        if key.is_empty() {
            causes.push(Cause::required(format!("{path}.key"), ""));
        } else if let Err(detail) = api::meta::validate_label_key(key) {
            causes.push(Cause::invalid(format!("{path}.key"), key, &detail));
        }
        match str_at(taint, "effect").filter(|e| !e.is_empty()) {
            None => causes.push(Cause::required(format!("{path}.effect"), "")),
            Some(effect) => {
                let effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
                if !effects.contains(&effect) {
                    causes.push(Cause::not_supported(
                        format!("{path}.effect"),
                        effect,
                        &effects,
                    ));
                }
                let pair = (key.to_string(), effect.to_string());
                if seen.contains(&pair) {
                    let mut duplicate =
                        Cause::duplicate(format!("spec.taints[{i}]"), &format!("{key}:{effect}"));
                    duplicate
                        .message
                        .push_str(": taints must be unique by key and effect pair");
                    causes.push(duplicate);
                }
                seen.push(pair);
            }
        }
    }
}

pub fn persistent_volume(object: &Value, causes: &mut Vec<Cause>) {
    let spec = object.get("spec").unwrap_or(&Value::Null);
    access_modes(spec, "spec.accessModes", "", causes);
    match spec.get("capacity").and_then(Value::as_object) {
        Some(capacity) if capacity.contains_key("storage") => {
            resource_list(spec.get("capacity"), "spec.capacity", causes)
        }
        _ => causes.push(Cause::required("spec.capacity", "")),
    }
    const NOT_SOURCES: &[&str] = &[
        "accessModes",
        "capacity",
        "claimRef",
        "persistentVolumeReclaimPolicy",
        "storageClassName",
        "mountOptions",
        "volumeMode",
        "nodeAffinity",
        "volumeAttributesClassName",
    ];
    let sources = spec
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, v)| !NOT_SOURCES.contains(&k.as_str()) && !v.is_null())
                .count()
        })
        .unwrap_or(0);
    if sources == 0 {
        causes.push(Cause::required("spec", "must specify a volume type"));
    }
    // Paths on the node: no `..`, and a local volume's is absolute.
    if let Some(path) = spec.pointer("/hostPath/path").and_then(Value::as_str) {
        super::pod::no_backsteps(path, "spec.hostPath.path", causes);
    }
    if let Some(local) = spec.get("local").filter(|l| !l.is_null()) {
        match local.get("path").and_then(Value::as_str) {
            None | Some("") => causes.push(Cause::required("spec.local.path", "")),
            Some(path) => {
                if !path.starts_with('/') {
                    causes.push(Cause::invalid(
                        "spec.local.path",
                        path,
                        "must be an absolute path",
                    ));
                }
                super::pod::no_backsteps(path, "spec.local.path", causes);
            }
        }
    }
    one_of(
        spec,
        "persistentVolumeReclaimPolicy",
        "spec.persistentVolumeReclaimPolicy",
        &["Delete", "Recycle", "Retain"],
        causes,
    );
    one_of(
        spec,
        "volumeMode",
        "spec.volumeMode",
        &["Block", "Filesystem"],
        causes,
    );
}

fn access_modes(spec: &Value, path: &str, detail: &str, causes: &mut Vec<Cause>) {
    let modes = array_at(spec, "accessModes");
    if modes.is_empty() {
        causes.push(Cause::required(path, detail));
    }
    for mode in modes.iter().filter_map(Value::as_str) {
        if !ACCESS_MODES.contains(&mode) {
            causes.push(Cause::not_supported(path, mode, ACCESS_MODES));
        }
    }
}

pub fn persistent_volume_claim(object: &Value, old: Option<&Value>, causes: &mut Vec<Cause>) {
    let spec = object.get("spec").unwrap_or(&Value::Null);
    access_modes(
        spec,
        "spec.accessModes",
        "at least 1 access mode is required",
        causes,
    );
    match spec.pointer("/resources/requests/storage") {
        Some(_) => resource_list(
            spec.pointer("/resources/requests"),
            "spec.resources.requests",
            causes,
        ),
        None => causes.push(Cause::required("spec.resources[storage]", "")),
    }
    one_of(
        spec,
        "volumeMode",
        "spec.volumeMode",
        &["Block", "Filesystem"],
        causes,
    );
    if let Some(old) = old {
        // Only requests (growing) and the attributes class may change; the
        // binder fills volumeName once.
        let frozen = |object: &Value| {
            let mut spec = object.get("spec").cloned().unwrap_or(Value::Null);
            if let Some(map) = spec.as_object_mut() {
                map.remove("volumeAttributesClassName");
                if let Some(Value::Object(resources)) = map.get_mut("resources") {
                    resources.remove("requests");
                }
            }
            spec
        };
        let mut before = frozen(old);
        let after = frozen(object);
        if before
            .get("volumeName")
            .is_none_or(|v| v.as_str() == Some(""))
            && let Some(name) = after.get("volumeName")
        {
            before["volumeName"] = name.clone();
        }
        // A claim made without a class may be given one (the volume
        // controller's retroactive default class).
        if before.get("storageClassName").is_none_or(Value::is_null)
            && let Some(class) = after.get("storageClassName")
        {
            before["storageClassName"] = class.clone();
        }
        if before != after {
            causes.push(Cause::forbidden(
                "spec",
                "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
            ));
        }
        let storage = |o: &Value| quantity_of(o.pointer("/spec/resources/requests/storage"));
        if let (Some(now), Some(before)) = (storage(object), storage(old))
            && now < before
            && old.pointer("/status/phase").and_then(Value::as_str) == Some("Bound")
        {
            causes.push(Cause::forbidden(
                "spec.resources.requests.storage",
                "field can not be less than status.capacity",
            ));
        }
    }
}

pub fn endpoints(object: &Value, causes: &mut Vec<Cause>) {
    for (i, subset) in array_at(object, "subsets").iter().enumerate() {
        for list in ["addresses", "notReadyAddresses"] {
            for (j, address) in array_at(subset, list).iter().enumerate() {
                let path = format!("subsets[{i}].{list}[{j}].ip");
                if let Some(ip) = required_str(address, "ip", &path, causes)
                    && ip.parse::<std::net::IpAddr>().is_err()
                {
                    causes.push(Cause::invalid(
                        path,
                        ip,
                        "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                    ));
                }
            }
        }
        for (j, port) in array_at(subset, "ports").iter().enumerate() {
            let path = format!("subsets[{i}].ports[{j}]");
            port_number(port, "port", &format!("{path}.port"), causes);
            one_of(
                port,
                "protocol",
                &format!("{path}.protocol"),
                PROTOCOLS,
                causes,
            );
        }
    }
}

/// Events: the core API's rules, and the stricter ones of events.k8s.io
/// for events written through it.
pub fn event(events_api: bool, object: &Value, causes: &mut Vec<Cause>) {
    let namespace = object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let regarding = if events_api {
        "regarding"
    } else {
        "involvedObject"
    };
    if let Some(involved) = object
        .pointer("/involvedObject/namespace")
        .and_then(Value::as_str)
        && !involved.is_empty()
        && involved != namespace
        && namespace != "default"
    {
        causes.push(Cause::invalid(
            format!("{regarding}.namespace"),
            involved,
            "does not match event.namespace",
        ));
    }
    if let Some(kind) = str_at(object, "type")
        && !kind.is_empty()
        && (events_api || object.get("eventTime").is_some_and(|t| !t.is_null()))
        && kind != "Normal"
        && kind != "Warning"
    {
        causes.push(Cause::not_supported("type", kind, &["Normal", "Warning"]));
    }
    if !events_api {
        return;
    }
    if object.get("eventTime").is_none_or(Value::is_null) {
        causes.push(Cause::required("eventTime", ""));
    }
    for (field, stored, max) in [
        ("reportingController", "reportingComponent", 0),
        ("reportingInstance", "reportingInstance", 128),
        ("action", "action", 128),
        ("reason", "reason", 128),
    ] {
        match str_at(object, stored).filter(|s| !s.is_empty()) {
            None => causes.push(Cause::required(field, "")),
            Some(text) if max > 0 && text.len() > max => {
                causes.push(Cause::invalid(
                    field,
                    text,
                    &format!("can have at most {max} characters"),
                ));
            }
            Some(_) => {}
        }
    }
    if str_at(object, "message").is_some_and(|m| m.len() > 1024) {
        causes.push(Cause::too_long("note", 1024));
    }
}

pub fn limit_range(object: &Value, causes: &mut Vec<Cause>) {
    for (i, limit) in array_at(object.get("spec").unwrap_or(&Value::Null), "limits")
        .iter()
        .enumerate()
    {
        let path = format!("spec.limits[{i}]");
        match str_at(limit, "type") {
            None => causes.push(Cause::required(format!("{path}.type"), "")),
            Some(kind) => {
                let kinds = ["Pod", "Container", "PersistentVolumeClaim"];
                if !kinds.contains(&kind) {
                    causes.push(Cause::not_supported(format!("{path}.type"), kind, &kinds));
                }
            }
        }
        for field in [
            "max",
            "min",
            "default",
            "defaultRequest",
            "maxLimitRequestRatio",
        ] {
            resource_list(limit.get(field), &format!("{path}.{field}"), causes);
        }
        // min <= defaultRequest <= default <= max, per resource.
        for (name, min) in limit
            .get("min")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let (Some(low), Some(high)) = (
                quantity_of(Some(min)),
                quantity_of(limit.pointer(&format!("/max/{name}"))),
            ) && low > high
            {
                causes.push(Cause::invalid_value(
                    format!("{path}.min[{name}]"),
                    &json!(min.as_str().unwrap_or_default()),
                    &format!(
                        "min value {} is greater than max value {}",
                        min.as_str().unwrap_or_default(),
                        limit
                            .pointer(&format!("/max/{name}"))
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                    ),
                ));
            }
        }
    }
}

pub fn resource_quota(object: &Value, causes: &mut Vec<Cause>) {
    let spec = object.get("spec").unwrap_or(&Value::Null);
    resource_list(spec.get("hard"), "spec.hard", causes);
    let scopes = [
        "Terminating",
        "NotTerminating",
        "BestEffort",
        "NotBestEffort",
        "PriorityClass",
        "CrossNamespacePodAffinity",
        "VolumeAttributesClass",
    ];
    for scope in array_at(spec, "scopes").iter().filter_map(Value::as_str) {
        if !scopes.contains(&scope) {
            causes.push(Cause::not_supported("spec.scopes", scope, &scopes));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::config_key_problems;

    #[test]
    fn config_keys_are_checked_as_upstream_checks_them() {
        let long = "k".repeat(254);
        for (key, problems) in [
            ("key.name", 0),
            ("KEY_NAME", 0),
            (".hidden", 0),
            (".", 1),
            ("..", 1),
            ("..data", 1),
            ("a/b", 1),
            ("", 1),
            ("..é", 2),
            (long.as_str(), 1),
        ] {
            assert_eq!(config_key_problems(key).len(), problems, "{key:?}");
        }
        assert_eq!(config_key_problems(".."), ["must not be '..'"]);
    }
}
