//! Pods and pod templates: the pod spec as upstream validates it, and the
//! few fields a running pod may change.

use serde_json::{Value, json};

use super::{array_at, at_least, int_at, one_of, port_number, resource_list, str_at};
use crate::error::Cause;

const RESTART_POLICIES: &[&str] = &["Always", "OnFailure", "Never"];
const PULL_POLICIES: &[&str] = &["Always", "IfNotPresent", "Never"];
const DNS_POLICIES: &[&str] = &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
const PROTOCOLS: &[&str] = &["SCTP", "TCP", "UDP"];
const TAINT_EFFECTS: &[&str] = &["NoSchedule", "PreferNoSchedule", "NoExecute"];

pub fn pod(object: &Value, old: Option<&Value>, causes: &mut Vec<Cause>) {
    pod_spec(object.get("spec"), "spec", causes);
    if let Some(old) = old {
        pod_update(object, old, causes);
    }
}

/// A pod template (`spec.template` of a workload, `template` of a
/// PodTemplate): its labels and its pod spec.
pub fn pod_template(template: Option<&Value>, path: &str, causes: &mut Vec<Cause>) {
    let Some(template) = template else {
        causes.push(Cause::required(path, ""));
        return;
    };
    pod_spec(template.get("spec"), &format!("{path}.spec"), causes);
}

/// What a pod update may change: container images, activeDeadlineSeconds,
/// added tolerations and terminationGracePeriodSeconds. Anything else in
/// the spec is refused with upstream's message.
fn pod_update(new: &Value, old: &Value, causes: &mut Vec<Cause>) {
    let mask = |spec: Option<&Value>| {
        let mut spec = spec.cloned().unwrap_or(Value::Null);
        for list in ["containers", "initContainers"] {
            if let Some(Value::Array(containers)) = spec.get_mut(list) {
                for container in containers.iter_mut().filter_map(Value::as_object_mut) {
                    container.insert("image".into(), Value::Null);
                }
            }
        }
        if let Some(map) = spec.as_object_mut() {
            for field in [
                "activeDeadlineSeconds",
                "tolerations",
                "terminationGracePeriodSeconds",
                // Changed through pods/ephemeralcontainers alone, and
                // checked below.
                "ephemeralContainers",
            ] {
                map.remove(field);
            }
        }
        spec
    };
    if mask(new.get("spec")) != mask(old.get("spec")) {
        causes.push(Cause::forbidden(
            "spec",
            "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
        ));
        return;
    }
    ephemeral_containers(new, old, causes);
    // Tolerations may only be added to.
    let before = array_at(old.get("spec").unwrap_or(&Value::Null), "tolerations");
    let after = array_at(new.get("spec").unwrap_or(&Value::Null), "tolerations");
    if before.iter().any(|t| !after.contains(t)) {
        causes.push(Cause::forbidden(
            "spec.tolerations",
            "existing toleration can not be modified except its tolerationSeconds",
        ));
    }
}

/// Ephemeral containers (`kubectl debug`) are only ever added: existing
/// ones stay as they are; a new one has a unique name and an image, names
/// an existing target, and has none of a regular container's ports,
/// probes, lifecycle or resources.
fn ephemeral_containers(new: &Value, old: &Value, causes: &mut Vec<Cause>) {
    let spec = new.get("spec").unwrap_or(&Value::Null);
    let before = array_at(
        old.get("spec").unwrap_or(&Value::Null),
        "ephemeralContainers",
    );
    let after = array_at(spec, "ephemeralContainers");
    let name = |c: &Value| str_at(c, "name").unwrap_or_default().to_string();
    for existing in before {
        let named = name(existing);
        match after.iter().find(|c| name(c) == named) {
            None => causes.push(Cause::forbidden(
                "spec.ephemeralContainers",
                &format!("existing ephemeral containers {named:?} may not be removed"),
            )),
            Some(now) if now != existing => causes.push(Cause::forbidden(
                "spec.ephemeralContainers",
                &format!("existing ephemeral containers {named:?} may not be changed"),
            )),
            Some(_) => {}
        }
    }
    let regular: Vec<String> = array_at(spec, "containers")
        .iter()
        .chain(array_at(spec, "initContainers"))
        .map(name)
        .collect();
    let mut seen: Vec<String> = regular.clone();
    for (index, container) in after.iter().enumerate() {
        let path = format!("spec.ephemeralContainers[{index}]");
        if before.contains(container) {
            seen.push(name(container));
            continue;
        }
        let named = name(container);
        if named.is_empty() {
            causes.push(Cause::required(format!("{path}.name"), ""));
        } else if seen.contains(&named) {
            causes.push(Cause::duplicate(format!("{path}.name"), &named));
        }
        seen.push(named);
        if str_at(container, "image").is_none_or(str::is_empty) {
            causes.push(Cause::required(format!("{path}.image"), ""));
        }
        for field in [
            "ports",
            "livenessProbe",
            "readinessProbe",
            "startupProbe",
            "lifecycle",
            "resources",
        ] {
            // Set means other than its zero value (kubectl sends an empty
            // `resources`).
            let set = container.get(field).is_some_and(|v| match v {
                Value::Null => false,
                Value::Object(map) => !map.is_empty(),
                Value::Array(list) => !list.is_empty(),
                _ => true,
            });
            if set {
                causes.push(Cause::forbidden(
                    format!("{path}.{field}"),
                    "cannot be set for an Ephemeral Container",
                ));
            }
        }
        if let Some(target) = str_at(container, "targetContainerName")
            && !target.is_empty()
            && !regular.iter().any(|r| r == target)
        {
            causes.push(Cause::not_found(
                format!("{path}.targetContainerName"),
                target,
            ));
        }
    }
}

pub fn pod_spec(spec: Option<&Value>, path: &str, causes: &mut Vec<Cause>) {
    let Some(spec) = spec.filter(|s| s.is_object()) else {
        causes.push(Cause::required(format!("{path}.containers"), ""));
        return;
    };
    let volumes = volumes(spec, path, causes);
    if array_at(spec, "containers").is_empty() {
        causes.push(Cause::required(format!("{path}.containers"), ""));
    }
    let mut seen: Vec<&str> = Vec::new();
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        for (i, container) in array_at(spec, list).iter().enumerate() {
            let field = format!("{path}.{list}[{i}]");
            let name = str_at(container, "name").unwrap_or_default();
            if name.is_empty() {
                causes.push(Cause::required(format!("{field}.name"), ""));
            } else if let Err(detail) = api::meta::validate_dns_label(name) {
                causes.push(Cause::invalid(format!("{field}.name"), name, &detail));
            } else if seen.contains(&name) {
                causes.push(Cause::duplicate(format!("{field}.name"), name));
            } else {
                seen.push(name);
            }
            container_fields(container, &field, &volumes, causes);
        }
    }
    one_of(
        spec,
        "restartPolicy",
        &format!("{path}.restartPolicy"),
        RESTART_POLICIES,
        causes,
    );
    one_of(
        spec,
        "dnsPolicy",
        &format!("{path}.dnsPolicy"),
        DNS_POLICIES,
        causes,
    );
    if spec.get("shareProcessNamespace") == Some(&json!(true))
        && spec.get("hostPID") == Some(&json!(true))
    {
        causes.push(Cause::invalid_value(
            format!("{path}.shareProcessNamespace"),
            &json!(true),
            "ShareProcessNamespace and HostPID cannot both be enabled",
        ));
    }
    if let Some(deadline) = int_at(spec, "activeDeadlineSeconds")
        && !(1..=i64::from(i32::MAX)).contains(&deadline)
    {
        causes.push(Cause::invalid_value(
            format!("{path}.activeDeadlineSeconds"),
            &json!(deadline),
            "must be between 1 and 2147483647, inclusive",
        ));
    }
    at_least(
        spec,
        "terminationGracePeriodSeconds",
        &format!("{path}.terminationGracePeriodSeconds"),
        0,
        causes,
    );
    for (key, value) in spec
        .get("nodeSelector")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Err(detail) = api::meta::validate_label_key(key) {
            causes.push(Cause::invalid(format!("{path}.nodeSelector"), key, &detail));
        }
        let value = value.as_str().unwrap_or_default();
        if let Err(detail) = api::meta::validate_label_value(value) {
            causes.push(Cause::invalid(
                format!("{path}.nodeSelector"),
                value,
                &detail,
            ));
        }
    }
    for (i, toleration) in array_at(spec, "tolerations").iter().enumerate() {
        tolerations(toleration, &format!("{path}.tolerations[{i}]"), causes);
    }
}

/// The pod's volumes (names checked); returns their names.
fn volumes<'a>(spec: &'a Value, path: &str, causes: &mut Vec<Cause>) -> Vec<&'a str> {
    let mut names = Vec::new();
    for (i, volume) in array_at(spec, "volumes").iter().enumerate() {
        let field = format!("{path}.volumes[{i}]");
        let name = str_at(volume, "name").unwrap_or_default();
        if name.is_empty() {
            causes.push(Cause::required(format!("{field}.name"), ""));
        } else if let Err(detail) = api::meta::validate_dns_label(name) {
            causes.push(Cause::invalid(format!("{field}.name"), name, &detail));
        } else if names.contains(&name) {
            causes.push(Cause::duplicate(format!("{field}.name"), name));
        } else {
            names.push(name);
        }
        let sources: Vec<&String> = volume
            .as_object()
            .into_iter()
            .flat_map(|m| m.iter())
            .filter(|(k, v)| *k != "name" && !v.is_null())
            .map(|(k, _)| k)
            .collect();
        match sources.as_slice() {
            [] => causes.push(Cause::required(field, "must specify a volume type")),
            [source] => volume_source(volume, source, &field, causes),
            [_, extra, ..] => causes.push(Cause::forbidden(
                format!("{field}.{extra}"),
                "may not specify more than 1 volume type",
            )),
        }
    }
    names
}

/// What upstream checks of the volume sources that write files into the
/// pod or reach the node's: modes that are permission bits only, item paths
/// that stay inside the volume, host paths without `..`.
fn volume_source(volume: &Value, source: &str, field: &str, causes: &mut Vec<Cause>) {
    let Some(spec) = volume.get(source) else {
        return;
    };
    let field = format!("{field}.{source}");
    match source {
        "secret" | "configMap" | "downwardAPI" => {
            file_mode(
                spec.get("defaultMode"),
                &format!("{field}.defaultMode"),
                causes,
            );
            items(spec, &field, source == "downwardAPI", causes);
        }
        "projected" => {
            file_mode(
                spec.get("defaultMode"),
                &format!("{field}.defaultMode"),
                causes,
            );
            for (i, projection) in array_at(spec, "sources").iter().enumerate() {
                for kind in ["secret", "configMap", "downwardAPI"] {
                    if let Some(inner) = projection.get(kind) {
                        let path = format!("{field}.sources[{i}].{kind}");
                        items(inner, &path, kind == "downwardAPI", causes);
                    }
                }
            }
        }
        "hostPath" => match str_at(spec, "path") {
            None | Some("") => causes.push(Cause::required(format!("{field}.path"), "")),
            Some(path) => no_backsteps(path, &format!("{field}.path"), causes),
        },
        _ => {}
    }
}

/// A file mode a volume may give its files: permission bits, no more.
pub fn file_mode(mode: Option<&Value>, field: &str, causes: &mut Vec<Cause>) {
    if let Some(mode) = mode.filter(|m| !m.is_null())
        && !mode.as_i64().is_some_and(|m| (0..=0o777).contains(&m))
    {
        causes.push(Cause::invalid_value(
            field,
            mode,
            "must be a number between 0 and 0777 (octal), both inclusive",
        ));
    }
}

/// The `items` of a secret, configMap or downwardAPI source: each a path
/// inside the volume, with a key (or, for the downward API, a field).
fn items(spec: &Value, field: &str, downward: bool, causes: &mut Vec<Cause>) {
    for (i, item) in array_at(spec, "items").iter().enumerate() {
        let field = format!("{field}.items[{i}]");
        if !downward && str_at(item, "key").is_none_or(str::is_empty) {
            causes.push(Cause::required(format!("{field}.key"), ""));
        }
        match str_at(item, "path") {
            None | Some("") => causes.push(Cause::required(format!("{field}.path"), "")),
            Some(path) => local_non_reserved_path(path, &format!("{field}.path"), causes),
        }
        file_mode(item.get("mode"), &format!("{field}.mode"), causes);
    }
}

/// A path that stays inside the directory it is relative to, and does not
/// take the `..`-prefixed names the kubelet keeps for itself.
fn local_non_reserved_path(path: &str, field: &str, causes: &mut Vec<Cause>) {
    if path.starts_with('/') {
        causes.push(Cause::invalid(field, path, "must be a relative path"));
    }
    no_backsteps(path, field, causes);
    if path.starts_with("..") && !path.starts_with("../") {
        causes.push(Cause::invalid(field, path, "must not start with '..'"));
    }
}

/// A path with no `..` element.
pub fn no_backsteps(path: &str, field: &str, causes: &mut Vec<Cause>) {
    if path.split('/').any(|part| part == "..") {
        causes.push(Cause::invalid(field, path, "must not contain '..'"));
    }
}

fn container_fields(container: &Value, field: &str, volumes: &[&str], causes: &mut Vec<Cause>) {
    if str_at(container, "image").is_none_or(str::is_empty) {
        causes.push(Cause::required(format!("{field}.image"), ""));
    }
    one_of(
        container,
        "imagePullPolicy",
        &format!("{field}.imagePullPolicy"),
        PULL_POLICIES,
        causes,
    );
    let mut port_names: Vec<&str> = Vec::new();
    for (j, port) in array_at(container, "ports").iter().enumerate() {
        let at = format!("{field}.ports[{j}]");
        match int_at(port, "containerPort") {
            None => causes.push(Cause::required(format!("{at}.containerPort"), "")),
            Some(_) => port_number(
                port,
                "containerPort",
                &format!("{at}.containerPort"),
                causes,
            ),
        }
        port_number(port, "hostPort", &format!("{at}.hostPort"), causes);
        one_of(
            port,
            "protocol",
            &format!("{at}.protocol"),
            PROTOCOLS,
            causes,
        );
        if let Some(name) = str_at(port, "name").filter(|n| !n.is_empty()) {
            if let Err(detail) = port_name(name) {
                causes.push(Cause::invalid(format!("{at}.name"), name, &detail));
            } else if port_names.contains(&name) {
                causes.push(Cause::duplicate(format!("{at}.name"), name));
            } else {
                port_names.push(name);
            }
        }
    }
    for (j, env) in array_at(container, "env").iter().enumerate() {
        let at = format!("{field}.env[{j}]");
        let name = str_at(env, "name").unwrap_or_default();
        if name.is_empty() {
            causes.push(Cause::required(format!("{at}.name"), ""));
        } else if name.contains('=') || !name.chars().all(|c| (' '..='~').contains(&c)) {
            causes.push(Cause::invalid(
                format!("{at}.name"),
                name,
                "a valid environment variable name must consist only of printable ASCII characters other than '='",
            ));
        }
    }
    for (j, mount) in array_at(container, "volumeMounts").iter().enumerate() {
        let at = format!("{field}.volumeMounts[{j}]");
        match str_at(mount, "name").filter(|n| !n.is_empty()) {
            None => causes.push(Cause::required(format!("{at}.name"), "")),
            Some(name) if !volumes.contains(&name) => {
                causes.push(Cause::not_found(format!("{at}.name"), name))
            }
            Some(_) => {}
        }
        if str_at(mount, "mountPath").is_none_or(str::is_empty) {
            causes.push(Cause::required(format!("{at}.mountPath"), ""));
        }
    }
    let resources = container.get("resources").unwrap_or(&Value::Null);
    resource_list(
        resources.get("limits"),
        &format!("{field}.resources.limits"),
        causes,
    );
    resource_list(
        resources.get("requests"),
        &format!("{field}.resources.requests"),
        causes,
    );
    for (name, request) in resources
        .get("requests")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let limit = resources.pointer(&format!("/limits/{name}"));
        if let (Some(request_value), Some(limit_value)) = (
            quantity_of(Some(request)),
            limit.and_then(|l| quantity_of(Some(l))),
        ) && request_value > limit_value
        {
            causes.push(Cause::invalid(
                format!("{field}.resources.requests"),
                &text_of(request),
                &format!(
                    "must be less than or equal to {name} limit of {}",
                    limit.map(text_of).unwrap_or_default()
                ),
            ));
        }
    }
}

fn tolerations(toleration: &Value, path: &str, causes: &mut Vec<Cause>) {
    let operator = str_at(toleration, "operator").unwrap_or("Equal");
    let key = str_at(toleration, "key").unwrap_or_default();
    if !key.is_empty()
        && let Err(detail) = api::meta::validate_label_key(key)
    {
        causes.push(Cause::invalid(format!("{path}.key"), key, &detail));
    }
    match operator {
        "Equal" if key.is_empty() => causes.push(Cause::invalid(
            format!("{path}.operator"),
            operator,
            "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
        )),
        "Exists" if str_at(toleration, "value").is_some_and(|v| !v.is_empty()) => {
            causes.push(Cause::invalid(
                format!("{path}.operator"),
                str_at(toleration, "value").unwrap_or_default(),
                "value must be empty when `operator` is 'Exists'",
            ))
        }
        "Equal" | "Exists" => {}
        other => causes.push(Cause::not_supported(
            format!("{path}.operator"),
            other,
            &["Equal", "Exists"],
        )),
    }
    one_of(
        toleration,
        "effect",
        &format!("{path}.effect"),
        TAINT_EFFECTS,
        causes,
    );
    if toleration
        .get("tolerationSeconds")
        .is_some_and(|s| !s.is_null())
        && str_at(toleration, "effect") != Some("NoExecute")
    {
        causes.push(Cause::invalid(
            format!("{path}.effect"),
            str_at(toleration, "effect").unwrap_or_default(),
            "effect must be 'NoExecute' when `tolerationSeconds` is set",
        ));
    }
}

/// An IANA service name, as container and service port names must be.
pub fn port_name(name: &str) -> Result<(), String> {
    if name.len() > 15 {
        return Err("must be no more than 15 characters".into());
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)".into(),
        );
    }
    if name.contains("--") {
        return Err("must not contain consecutive hyphens".into());
    }
    if !name.chars().any(|c| c.is_ascii_lowercase()) {
        return Err("must contain at least one letter (a-z)".into());
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err("must not begin or end with a hyphen".into());
    }
    Ok(())
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A quantity's value as a number, for comparisons.
pub fn quantity_of(value: Option<&Value>) -> Option<f64> {
    api::quantity::value(&text_of(value?))
}

/// Whether a LabelSelector object (matchLabels/matchExpressions) selects `labels`.
pub fn selector_matches(
    selector: &Value,
    labels: &std::collections::BTreeMap<String, String>,
) -> bool {
    let labels_ok = selector
        .get("matchLabels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str());
    let expressions_ok = array_at(selector, "matchExpressions").iter().all(|e| {
        let key = str_at(e, "key").unwrap_or_default();
        let values: Vec<&str> = array_at(e, "values")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        match str_at(e, "operator") {
            Some("In") => labels
                .get(key)
                .is_some_and(|l| values.contains(&l.as_str())),
            Some("NotIn") => labels
                .get(key)
                .is_none_or(|l| !values.contains(&l.as_str())),
            Some("Exists") => labels.contains_key(key),
            Some("DoesNotExist") => !labels.contains_key(key),
            _ => false,
        }
    });
    labels_ok && expressions_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn causes_of(spec: Value) -> Vec<String> {
        let mut causes = Vec::new();
        pod_spec(Some(&spec), "spec", &mut causes);
        causes
            .into_iter()
            .map(|c| format!("{}: {}", c.field, c.message))
            .collect()
    }

    #[test]
    fn pod_specs_are_checked_as_upstream_checks_them() {
        let found = causes_of(json!({"containers": [
            {"name": "a", "image": "i", "volumeMounts": [{"name": "missing", "mountPath": "/x"}],
             "ports": [{"containerPort": 70000, "protocol": "HTTP"}],
             "resources": {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}},
            {"name": "a", "image": ""}],
            "volumes": [{"name": "v"}], "restartPolicy": "Sometimes"}));
        for expected in [
            "spec.volumes[0]: Required value: must specify a volume type",
            "spec.containers[0].volumeMounts[0].name: Not found: \"missing\"",
            "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
            "spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
            "spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1",
            "spec.containers[1].name: Duplicate value: \"a\"",
            "spec.containers[1].image: Required value",
            "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
        ] {
            assert!(
                found.iter().any(|f| f == expected),
                "{expected}\n{found:#?}"
            );
        }
        assert!(causes_of(json!({"containers": [{"name": "a", "image": "i"}]})).is_empty());
        assert_eq!(
            causes_of(json!({"containers": [{"name": "a", "image": "i"}],
                "shareProcessNamespace": true, "hostPID": true})),
            [
                "spec.shareProcessNamespace: Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled"
            ]
        );
    }

    #[test]
    fn volume_sources_stay_inside_their_volumes() {
        let found = causes_of(
            json!({"containers": [{"name": "a", "image": "i"}], "volumes": [
            {"name": "s", "secret": {"secretName": "x", "defaultMode": 0o4755,
                "items": [{"key": "k", "path": "../../etc/passwd"}, {"key": "k", "path": "/abs"},
                          {"key": "", "path": "..data", "mode": -1}]}},
            {"name": "h", "hostPath": {"path": "/var/lib/../../etc"}},
            {"name": "p", "projected": {"defaultMode": 1024, "sources": [
                {"configMap": {"name": "c", "items": [{"key": "k", "path": "a/../b"}]}}]}},
            {"name": "ok", "configMap": {"name": "c", "defaultMode": 0o644,
                "items": [{"key": "k", "path": "a/b.conf", "mode": 0o400}]}}]}),
        );
        for expected in [
            "spec.volumes[0].secret.defaultMode: Invalid value: 2541: must be a number between 0 and 0777 (octal), both inclusive",
            "spec.volumes[0].secret.items[0].path: Invalid value: \"../../etc/passwd\": must not contain '..'",
            "spec.volumes[0].secret.items[1].path: Invalid value: \"/abs\": must be a relative path",
            "spec.volumes[0].secret.items[2].key: Required value",
            "spec.volumes[0].secret.items[2].path: Invalid value: \"..data\": must not start with '..'",
            "spec.volumes[0].secret.items[2].mode: Invalid value: -1: must be a number between 0 and 0777 (octal), both inclusive",
            "spec.volumes[1].hostPath.path: Invalid value: \"/var/lib/../../etc\": must not contain '..'",
            "spec.volumes[2].projected.defaultMode: Invalid value: 1024: must be a number between 0 and 0777 (octal), both inclusive",
            "spec.volumes[2].projected.sources[0].configMap.items[0].path: Invalid value: \"a/../b\": must not contain '..'",
        ] {
            assert!(
                found.iter().any(|f| f == expected),
                "{expected}\n{found:#?}"
            );
        }
        assert_eq!(found.len(), 9, "{found:#?}");
    }

    #[test]
    fn running_pods_change_only_images_and_tolerations() {
        let pod = json!({"spec": {"containers": [{"name": "a", "image": "i:1"}], "nodeName": "n"}});
        let mut image = pod.clone();
        image["spec"]["containers"][0]["image"] = json!("i:2");
        let mut causes = Vec::new();
        super::pod(&image, Some(&pod), &mut causes);
        assert!(causes.is_empty());
        let mut moved = pod.clone();
        moved["spec"]["nodeName"] = json!("other");
        super::pod(&moved, Some(&pod), &mut causes);
        assert_eq!(causes.len(), 1);
        assert!(
            causes[0]
                .message
                .starts_with("Forbidden: pod updates may not change fields other than")
        );
    }

    #[test]
    fn quantities_compare_by_value() {
        assert_eq!(quantity_of(Some(&json!("500m"))), Some(0.5));
        assert_eq!(quantity_of(Some(&json!("1Ki"))), Some(1024.0));
        assert_eq!(quantity_of(Some(&json!(2))), Some(2.0));
        assert_eq!(quantity_of(Some(&json!("1e3"))), Some(1000.0));
    }
}
