//! PodSecurity: the Pod Security Standards, enforced per namespace as
//! upstream's admission plugin enforces them. A namespace's labels
//! `pod-security.kubernetes.io/{enforce,audit,warn}[-version]` name a level
//! (`privileged`, `baseline`, `restricted`) and a version (`latest`,
//! `v1.<minor>`) for each mode: pods that break the enforce level are
//! refused, those that break the warn level (and workload templates that
//! break it) are let through with a warning, and what breaks the audit
//! level is noted in the request's audit event. Tightening a namespace's
//! enforce level warns about the pods already there. No labels: privileged.

mod checks;

use async_trait::async_trait;
use serde_json::Value;

use super::{AdmissionPlugin, Attributes, Operation};
use crate::error::{ApiError, Cause};

const PREFIX: &str = "pod-security.kubernetes.io/";
/// The newest policy version; later ones are read as `latest`.
const LATEST_MINOR: u32 = 33;
/// A namespace whose enforce level tightens has at most this many of its
/// pods checked (upstream's default).
const MAX_PODS_TO_CHECK: usize = 3000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

/// A level at a version (`restricted:latest`, `baseline:v1.29`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct LevelVersion {
    level: Level,
    /// None: latest.
    minor: Option<u32>,
}

impl std::fmt::Display for LevelVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.minor {
            Some(minor) => write!(f, "{}:v1.{minor}", self.level.name()),
            None => write!(f, "{}:latest", self.level.name()),
        }
    }
}

impl LevelVersion {
    const PRIVILEGED: LevelVersion = LevelVersion {
        level: Level::Privileged,
        minor: None,
    };

    /// What a pod breaks at this level: each check's reason and detail.
    fn evaluate(self, metadata: &Value, spec: &Value) -> Vec<checks::Violation> {
        if self.level == Level::Privileged {
            return Vec::new();
        }
        let minor = self.minor.unwrap_or(LATEST_MINOR);
        checks::CHECKS
            .iter()
            .filter(|check| check.level <= self.level && check.since <= minor)
            .filter(|check| !(check.replaced_when_restricted && self.level == Level::Restricted))
            .filter_map(|check| (check.run)(metadata, spec, minor))
            .collect()
    }
}

/// `reason (detail), reason (detail)`, as upstream joins what failed.
fn details(violations: &[checks::Violation]) -> String {
    violations
        .iter()
        .map(|v| match v.detail.is_empty() {
            true => v.reason.clone(),
            false => format!("{} ({})", v.reason, v.detail),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The three modes' levels of a namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Policy {
    enforce: LevelVersion,
    audit: LevelVersion,
    warn: LevelVersion,
}

/// The policy a namespace's labels name, and what is wrong with them (a
/// level that does not parse is read as `restricted`, a version as
/// `latest`, so a typo never loosens anything).
fn policy(labels: &Value) -> (Policy, Vec<Cause>) {
    let mut causes = Vec::new();
    let mut mode = |mode: &str| {
        let read = |suffix: &str| {
            let key = format!("{PREFIX}{mode}{suffix}");
            labels[key.as_str()]
                .as_str()
                .map(|value| (key, value.to_string()))
        };
        let level = match read("") {
            None => Level::Privileged,
            Some((key, value)) => match value.as_str() {
                "privileged" => Level::Privileged,
                "baseline" => Level::Baseline,
                "restricted" => Level::Restricted,
                _ => {
                    causes.push(Cause::invalid(
                        format!("metadata.labels[{key}]"),
                        &value,
                        "must be one of privileged, baseline, restricted",
                    ));
                    Level::Restricted
                }
            },
        };
        let minor = match read("-version") {
            None => None,
            Some((key, value)) => match parse_version(&value) {
                Ok(minor) => minor,
                Err(()) => {
                    causes.push(Cause::invalid(
                        format!("metadata.labels[{key}]"),
                        &value,
                        "must be \"latest\" or \"v1.x\"",
                    ));
                    None
                }
            },
        };
        LevelVersion { level, minor }
    };
    let policy = Policy {
        enforce: mode("enforce"),
        audit: mode("audit"),
        warn: mode("warn"),
    };
    (policy, causes)
}

/// `latest` or `v1.<minor>` (None: latest, as is any version newer than
/// the newest this server knows).
fn parse_version(text: &str) -> Result<Option<u32>, ()> {
    if text == "latest" {
        return Ok(None);
    }
    let digits = text.strip_prefix("v1.").ok_or(())?;
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
    {
        return Err(());
    }
    let minor: u32 = digits.parse().map_err(|_| ())?;
    Ok((minor <= LATEST_MINOR).then_some(minor))
}

/// Where a workload keeps its pod template.
fn template<'a>(kind: &str, object: &'a Value) -> Option<&'a Value> {
    let template = match kind {
        "Deployment"
        | "ReplicaSet"
        | "StatefulSet"
        | "DaemonSet"
        | "Job"
        | "ReplicationController" => &object["spec"]["template"],
        "CronJob" => &object["spec"]["jobTemplate"]["spec"]["template"],
        "PodTemplate" => &object["template"],
        _ => return None,
    };
    template.is_object().then_some(template)
}

/// Whether a pod update changes what the standards look at (the rest of a
/// pod's spec cannot change): images, seccomp annotations, containers
/// added.
fn significant_update(pod: &Value, old: &Value) -> bool {
    const SECCOMP_POD: &str = "seccomp.security.alpha.kubernetes.io/pod";
    const SECCOMP_CONTAINER: &str = "container.seccomp.security.alpha.kubernetes.io/";
    let annotations = |object: &Value, key: &str| object["metadata"]["annotations"][key].clone();
    if annotations(pod, SECCOMP_POD) != annotations(old, SECCOMP_POD) {
        return true;
    }
    let list = |object: &Value, field: &str| -> Vec<Value> {
        object["spec"][field]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    let changed = |new: &Value, before: &Value| {
        let key = format!(
            "{SECCOMP_CONTAINER}{}",
            new["name"].as_str().unwrap_or_default()
        );
        new["image"] != before["image"] || annotations(pod, &key) != annotations(old, &key)
    };
    for field in ["containers", "initContainers"] {
        let (new, before) = (list(pod, field), list(old, field));
        if new.len() != before.len() || new.iter().zip(&before).any(|(n, b)| changed(n, b)) {
            return true;
        }
    }
    let before = list(old, "ephemeralContainers");
    list(pod, "ephemeralContainers").iter().any(|new| {
        match before.iter().find(|b| b["name"] == new["name"]) {
            None => true,
            Some(b) => changed(new, b),
        }
    })
}

pub struct PodSecurity;

impl PodSecurity {
    /// The policy of the write's namespace's labels (privileged if it is
    /// not there).
    async fn namespace_policy(attributes: &Attributes<'_>) -> Result<Policy, ApiError> {
        Ok(match attributes.namespace_object().await? {
            Some(namespace) => policy(&namespace["metadata"]["labels"]).0,
            None => Policy {
                enforce: LevelVersion::PRIVILEGED,
                audit: LevelVersion::PRIVILEGED,
                warn: LevelVersion::PRIVILEGED,
            },
        })
    }

    /// A pod (`enforce`) or a workload's template: refused if it breaks
    /// the enforce level, warned about if it breaks the warn level.
    fn evaluate(
        attributes: &Attributes<'_>,
        policy: Policy,
        metadata: &Value,
        spec: &Value,
        enforce: bool,
    ) -> Result<(), ApiError> {
        if enforce {
            attributes.audit_annotation(
                "pod-security.kubernetes.io/enforce-policy",
                &policy.enforce.to_string(),
            );
        }
        let audit_broken = policy.audit.evaluate(metadata, spec);
        if !audit_broken.is_empty() {
            attributes.audit_annotation(
                "pod-security.kubernetes.io/audit-violations",
                &format!(
                    "would violate PodSecurity \"{}\": {}",
                    policy.audit,
                    details(&audit_broken)
                ),
            );
        }
        if enforce {
            let broken = policy.enforce.evaluate(metadata, spec);
            if !broken.is_empty() {
                return Err(super::forbidden(
                    attributes,
                    &format!(
                        "violates PodSecurity \"{}\": {}",
                        policy.enforce,
                        details(&broken)
                    ),
                ));
            }
        }
        let broken = policy.warn.evaluate(metadata, spec);
        if !broken.is_empty() {
            attributes.warn(format!(
                "would violate PodSecurity \"{}\": {}",
                policy.warn,
                details(&broken)
            ));
        }
        Ok(())
    }

    /// A namespace's labels: valid when they are set, and a tightened
    /// enforce level measured against the pods already there.
    async fn namespace(&self, attributes: &Attributes<'_>, object: &Value) -> Result<(), ApiError> {
        let (new, causes) = policy(&object["metadata"]["labels"]);
        let old = attributes.old.map(|old| policy(&old["metadata"]["labels"]));
        if !causes.is_empty() {
            let unchanged = old
                .as_ref()
                .is_some_and(|(_, before)| format!("{before:?}") == format!("{causes:?}"));
            if !unchanged {
                return Err(ApiError::invalid(&attributes.info, attributes.name, causes));
            }
        }
        let Some((old, _)) = old else {
            return Ok(());
        };
        if attributes.operation != Operation::Update
            || new.enforce == old.enforce
            || new.enforce.level == Level::Privileged
            || (new.enforce.minor == old.enforce.minor && new.enforce.level <= old.enforce.level)
        {
            return Ok(());
        }
        let (_, pods) =
            super::stored_objects(attributes, ("", "v1", "pods"), Some(attributes.name)).await?;
        let total = pods.len();
        // (reasons) -> (the first pod's name, how many pods)
        let mut seen: std::collections::BTreeMap<String, (String, usize)> = Default::default();
        for (_, pod) in pods.iter().take(MAX_PODS_TO_CHECK) {
            let broken = new.enforce.evaluate(&pod["metadata"], &pod["spec"]);
            if broken.is_empty() {
                continue;
            }
            let reasons = broken
                .iter()
                .map(|v| v.reason.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let pod_name = pod["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let entry = seen.entry(reasons).or_insert_with(|| (pod_name.clone(), 0));
            entry.0 = entry.0.clone().min(pod_name);
            entry.1 += 1;
        }
        if total > MAX_PODS_TO_CHECK {
            attributes.warn(format!(
                "new PodSecurity enforce level only checked against the first {MAX_PODS_TO_CHECK} of {total} existing pods"
            ));
        }
        if !seen.is_empty() {
            attributes.warn(format!(
                "existing pods in namespace \"{}\" violate the new PodSecurity enforce level \"{}\"",
                attributes.name, new.enforce
            ));
        }
        let mut warnings: Vec<String> = seen
            .into_iter()
            .map(|(reasons, (pod, count))| match count {
                1 => format!("{pod}: {reasons}"),
                2 => format!("{pod} (and 1 other pod): {reasons}"),
                n => format!("{pod} (and {} other pods): {reasons}", n - 1),
            })
            .collect();
        warnings.sort();
        for warning in warnings {
            attributes.warn(warning);
        }
        Ok(())
    }
}

#[async_trait]
impl AdmissionPlugin for PodSecurity {
    fn name(&self) -> &'static str {
        "PodSecurity"
    }

    async fn validate(
        &self,
        attributes: &Attributes<'_>,
        object: Option<&Value>,
    ) -> Result<(), ApiError> {
        let Some(object) = object else {
            return Ok(());
        };
        if attributes.operation == Operation::Delete {
            return Ok(());
        }
        let info = &attributes.info;
        if info.group.is_empty() && info.plural == "namespaces" {
            return match attributes.subresource {
                None => self.namespace(attributes, object).await,
                Some(_) => Ok(()),
            };
        }
        if attributes.namespace.is_none() {
            return Ok(());
        }
        if info.group.is_empty() && info.plural == "pods" {
            // The pod's spec, as its subresources that can change it.
            if !matches!(
                attributes.subresource,
                None | Some("ephemeralcontainers" | "resize")
            ) {
                return Ok(());
            }
            if let Some(old) = attributes.old
                && attributes.operation == Operation::Update
                && !significant_update(object, old)
            {
                return Ok(());
            }
            let policy = Self::namespace_policy(attributes).await?;
            if [policy.enforce, policy.warn, policy.audit]
                .iter()
                .all(|lv| lv.level == Level::Privileged)
            {
                return Ok(());
            }
            return Self::evaluate(
                attributes,
                policy,
                &object["metadata"],
                &object["spec"],
                true,
            );
        }
        if attributes.subresource.is_some() {
            return Ok(());
        }
        let Some(template) = template(info.builtin_kind(), object) else {
            return Ok(());
        };
        let policy = Self::namespace_policy(attributes).await?;
        if policy.warn.level == Level::Privileged && policy.audit.level == Level::Privileged {
            return Ok(());
        }
        Self::evaluate(
            attributes,
            policy,
            &template["metadata"],
            &template["spec"],
            false,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn restricted() -> LevelVersion {
        LevelVersion {
            level: Level::Restricted,
            minor: None,
        }
    }

    fn baseline() -> LevelVersion {
        LevelVersion {
            level: Level::Baseline,
            minor: None,
        }
    }

    #[test]
    fn a_plain_pod_breaks_restricted_as_upstream_words_it() {
        let spec = json!({"containers": [{"name": "web", "image": "nginx"}]});
        assert_eq!(
            details(&restricted().evaluate(&json!({}), &spec)),
            "allowPrivilegeEscalation != false (container \"web\" must set securityContext.allowPrivilegeEscalation=false), \
             unrestricted capabilities (container \"web\" must set securityContext.capabilities.drop=[\"ALL\"]), \
             runAsNonRoot != true (pod or container \"web\" must set securityContext.runAsNonRoot=true), \
             seccompProfile (pod or container \"web\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"
        );
        assert!(baseline().evaluate(&json!({}), &spec).is_empty());
    }

    #[test]
    fn a_hardened_pod_passes_restricted() {
        let spec = json!({
            "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "web", "securityContext": {
                "allowPrivilegeEscalation": false,
                "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}
            }}],
            "volumes": [{"name": "data", "emptyDir": {}}, {"name": "conf", "configMap": {"name": "c"}}]
        });
        assert!(restricted().evaluate(&json!({}), &spec).is_empty());
    }

    #[test]
    fn baseline_refuses_host_access_and_restricted_replaces_overlapping_checks() {
        let spec = json!({
            "hostNetwork": true,
            "hostPID": true,
            "containers": [
                {"name": "a", "securityContext": {"privileged": true, "capabilities": {"add": ["SYS_ADMIN", "CHOWN"]}},
                 "ports": [{"containerPort": 80, "hostPort": 8080}]},
                {"name": "b", "ports": [{"containerPort": 81, "hostPort": 8081}]}
            ],
            "volumes": [{"name": "root", "hostPath": {"path": "/"}}]
        });
        assert_eq!(
            details(&baseline().evaluate(&json!({}), &spec)),
            "non-default capabilities (container \"a\" must not include \"SYS_ADMIN\" in securityContext.capabilities.add), \
             host namespaces (hostNetwork, hostPID), \
             hostPath volumes (volume \"root\"), \
             hostPort (containers \"a\", \"b\" use hostPorts 8080, 8081), \
             privileged (container \"a\" must not set securityContext.privileged=true)"
        );
        let restricted = details(&restricted().evaluate(&json!({}), &spec));
        assert!(
            !restricted.contains("non-default capabilities"),
            "{restricted}"
        );
        assert!(!restricted.contains("hostPath volumes"), "{restricted}");
        assert!(
            restricted.contains(
                "restricted volume types (volume \"root\" uses restricted volume type \"hostPath\")"
            ),
            "{restricted}"
        );
        assert!(restricted.contains(
            "container \"a\" must not include \"CHOWN\", \"SYS_ADMIN\" in securityContext.capabilities.add"
        ), "{restricted}");
    }

    #[test]
    fn runs_as_root_explicitly_and_versions_pick_checks() {
        let spec = json!({
            "securityContext": {"runAsUser": 0, "runAsNonRoot": false},
            "containers": [{"name": "c", "securityContext": {"runAsUser": 0}}]
        });
        let broken = details(&restricted().evaluate(&json!({}), &spec));
        assert!(
            broken.contains(
                "runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false)"
            ),
            "{broken}"
        );
        assert!(
            broken.contains("runAsUser=0 (pod and container \"c\" must not set runAsUser=0)"),
            "{broken}"
        );
        let old = LevelVersion {
            level: Level::Restricted,
            minor: Some(22),
        };
        assert!(!details(&old.evaluate(&json!({}), &spec)).contains("runAsUser=0"));
        let sysctl = json!({"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_rmem", "value": "1"}]}, "containers": []});
        assert!(baseline().evaluate(&json!({}), &sysctl).is_empty());
        let v31 = LevelVersion {
            level: Level::Baseline,
            minor: Some(31),
        };
        assert_eq!(
            details(&v31.evaluate(&json!({}), &sysctl)),
            "forbidden sysctls (net.ipv4.tcp_rmem)"
        );
    }

    #[test]
    fn labels_parse_and_typos_tighten() {
        let (parsed, causes) = policy(&json!({
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/enforce-version": "v1.29",
            "pod-security.kubernetes.io/warn": "strict",
            "pod-security.kubernetes.io/audit-version": "v1.99",
        }));
        assert_eq!(parsed.enforce.to_string(), "baseline:v1.29");
        assert_eq!(parsed.warn.to_string(), "restricted:latest");
        assert_eq!(parsed.audit.to_string(), "privileged:latest");
        assert_eq!(causes.len(), 1);
        assert!(parse_version("v1.01").is_err() && parse_version("1.2").is_err());
        assert_eq!(parse_version("v1.0"), Ok(Some(0)));
    }

    #[test]
    fn only_image_and_container_changes_are_looked_at_again() {
        let pod = json!({"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "one"}]}});
        let mut relabelled = pod.clone();
        relabelled["metadata"]["labels"]["a"] = json!("c");
        assert!(!significant_update(&relabelled, &pod));
        let mut reimaged = pod.clone();
        reimaged["spec"]["containers"][0]["image"] = json!("two");
        assert!(significant_update(&reimaged, &pod));
        let mut debugged = pod.clone();
        debugged["spec"]["ephemeralContainers"] = json!([{"name": "debug", "image": "busybox"}]);
        assert!(significant_update(&debugged, &pod));
    }
}
