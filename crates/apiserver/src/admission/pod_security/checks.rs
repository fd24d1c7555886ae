//! The checks of the Pod Security Standards, each as upstream words its
//! refusal: a short reason and a detail naming the pod or containers and
//! the offending values. A check runs from the policy version it appeared
//! in; some restricted checks replace a baseline one at the restricted
//! level.

use std::collections::BTreeSet;

use serde_json::Value;

use super::Level;

/// What a failed check says.
pub struct Violation {
    pub reason: String,
    pub detail: String,
}

/// One check, named after its function (upstream's check IDs).
pub struct Check {
    pub level: Level,
    /// The first policy version (`v1.<minor>`) that has it.
    pub since: u32,
    /// A baseline check that a restricted one replaces at the restricted
    /// level.
    pub replaced_when_restricted: bool,
    /// The pod's metadata and spec, and the policy's minor version.
    pub run: fn(&Value, &Value, u32) -> Option<Violation>,
}

/// Every check, baseline ones first, each level's in upstream's order.
pub const CHECKS: &[Check] = &[
    check(Level::Baseline, 0, false, app_armor_profile),
    check(Level::Baseline, 0, true, capabilities_baseline),
    check(Level::Baseline, 0, false, host_namespaces),
    check(Level::Baseline, 0, true, host_path_volumes),
    check(Level::Baseline, 0, false, host_ports),
    check(Level::Baseline, 0, false, privileged),
    check(Level::Baseline, 0, false, proc_mount),
    check(Level::Baseline, 0, false, se_linux_options),
    check(Level::Baseline, 0, true, seccomp_baseline),
    check(Level::Baseline, 0, false, sysctls),
    check(Level::Baseline, 0, false, windows_host_process),
    check(Level::Restricted, 8, false, allow_privilege_escalation),
    check(Level::Restricted, 22, false, capabilities_restricted),
    check(Level::Restricted, 0, false, restricted_volumes),
    check(Level::Restricted, 0, false, run_as_non_root),
    check(Level::Restricted, 23, false, run_as_user),
    check(Level::Restricted, 19, false, seccomp_restricted),
];

const fn check(
    level: Level,
    since: u32,
    replaced_when_restricted: bool,
    run: fn(&Value, &Value, u32) -> Option<Violation>,
) -> Check {
    Check {
        level,
        since,
        replaced_when_restricted,
        run,
    }
}

fn violation(reason: impl Into<String>, detail: impl Into<String>) -> Option<Violation> {
    Some(Violation {
        reason: reason.into(),
        detail: detail.into(),
    })
}

fn pluralize<'a>(one: &'a str, many: &'a str, count: usize) -> &'a str {
    if count == 1 { one } else { many }
}

/// `"a", "b"`, as Go's %q of each joined.
fn join_quote<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    items
        .into_iter()
        .map(|item| serde_json::Value::String(item.as_ref().to_string()).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `container "a"` or `containers "a", "b"`.
fn containers_named(names: &[String]) -> String {
    format!(
        "{} {}",
        pluralize("container", "containers", names.len()),
        join_quote(names)
    )
}

/// Every container of the pod: init, regular and ephemeral.
fn containers(spec: &Value) -> impl Iterator<Item = &Value> {
    ["initContainers", "containers", "ephemeralContainers"]
        .into_iter()
        .flat_map(move |field| spec[field].as_array().into_iter().flatten())
}

fn name(container: &Value) -> String {
    container["name"].as_str().unwrap_or_default().to_string()
}

/// The names of the containers `bad` picks.
fn containers_where(spec: &Value, mut bad: impl FnMut(&Value) -> bool) -> Vec<String> {
    containers(spec).filter(|c| bad(c)).map(name).collect()
}

fn pod_context(spec: &Value) -> &Value {
    &spec["securityContext"]
}

fn is_windows(spec: &Value) -> bool {
    spec["os"]["name"] == "windows"
}

/// `pod and containers "a"`: who set something, joined as upstream does.
fn setters(pod: bool, containers: &[String]) -> Vec<String> {
    let mut setters = Vec::new();
    if pod {
        setters.push("pod".to_string());
    }
    if !containers.is_empty() {
        setters.push(containers_named(containers));
    }
    setters
}

fn app_armor_profile(metadata: &Value, spec: &Value, minor: u32) -> Option<Violation> {
    const PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";
    let allowed = |profile: &str| {
        profile.is_empty() || profile == "runtime/default" || profile.starts_with("localhost/")
    };
    let mut forbidden: Vec<String> = metadata["annotations"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(key, _)| key.starts_with(PREFIX))
        .filter_map(|(key, value)| {
            let value = value.as_str().unwrap_or_default();
            (!allowed(value)).then(|| format!("{key}={}", join_quote([value])))
        })
        .collect();
    if minor >= 30 {
        let unconfined = |context: &Value| context["appArmorProfile"]["type"] == "Unconfined";
        let pod = unconfined(pod_context(spec));
        let bad = containers_where(spec, |c| unconfined(&c["securityContext"]));
        if pod || !bad.is_empty() {
            forbidden.push(format!(
                "{} must not set securityContext.appArmorProfile.type to \"Unconfined\"",
                setters(pod, &bad).join(" and ")
            ));
        }
    }
    forbidden.sort();
    (!forbidden.is_empty()).then(|| Violation {
        reason: pluralize(
            "forbidden AppArmor profile",
            "forbidden AppArmor profiles",
            forbidden.len(),
        )
        .to_string(),
        detail: forbidden.join(", "),
    })
}

/// What a container adds to its capabilities.
fn added(container: &Value) -> impl Iterator<Item = &str> {
    container["securityContext"]["capabilities"]["add"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

fn capabilities_baseline(_: &Value, spec: &Value, _: u32) -> Option<Violation> {
    const DEFAULT: &[&str] = &[
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    ];
    let mut extra = BTreeSet::new();
    let bad = containers_where(spec, |c| {
        let beyond: Vec<&str> = added(c).filter(|cap| !DEFAULT.contains(cap)).collect();
        extra.extend(beyond.iter().map(|cap| cap.to_string()));
        !beyond.is_empty()
    });
    (!bad.is_empty()).then(|| Violation {
        reason: "non-default capabilities".into(),
        detail: format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_named(&bad),
            join_quote(&extra)
        ),
    })
}

fn host_namespaces(_: &Value, spec: &Value, _: u32) -> Option<Violation> {
    let shared: Vec<&str> = ["hostIPC", "hostNetwork", "hostPID"]
        .into_iter()
        .filter(|field| spec[*field] == true)
        .collect();
    (!shared.is_empty()).then(|| Violation {
        reason: "host namespaces".into(),
        detail: shared.join(", "),
    })
}

fn volumes(spec: &Value) -> impl Iterator<Item = &Value> {
    spec["volumes"].as_array().into_iter().flatten()
}

fn host_path_volumes(_: &Value, spec: &Value, _: u32) -> Option<Violation> {
    let names: Vec<String> = volumes(spec)
        .filter(|v| v.get("hostPath").is_some_and(|h| !h.is_null()))
        .map(name)
        .collect();
    (!names.is_empty()).then(|| Violation {
        reason: "hostPath volumes".into(),
        detail: format!(
            "{} {}",
            pluralize("volume", "volumes", names.len()),
            join_quote(&names)
        ),
    })
}

fn host_ports(_: &Value, spec: &Value, _: u32) -> Option<Violation> {
    let mut ports = BTreeSet::new();
    let bad = containers_where(spec, |c| {
        let used: Vec<String> = c["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["hostPort"].as_i64())
            .filter(|port| *port != 0)
            .map(|port| port.to_string())
            .collect();
        let any = !used.is_empty();
        ports.extend(used);
        any
    });
    (!bad.is_empty()).then(|| Violation {
        reason: "hostPort".into(),
        detail: format!(
            "{} {} {} {}",
            containers_named(&bad),
            pluralize("uses", "use", bad.len()),
            pluralize("hostPort", "hostPorts", ports.len()),
            ports.into_iter().collect::<Vec<_>>().join(", ")
        ),
    })
}

fn privileged(_: &Value, spec: &Value, _: u32) -> Option<Violation> {
    let bad = containers_where(spec, |c| c["securityContext"]["privileged"] == true);
    (!bad.is_empty()).then(|| Violation {
        reason: "privileged".into(),
        detail: format!(
            "{} must not set securityContext.privileged=true",
            containers_named(&bad)
        ),
    })
}

fn proc_mount(_: &Value, spec: &Value, _: u32) -> Option<Violation> {
    let mut kinds = BTreeSet::new();
    let bad = containers_where(spec, |c| match c["securityContext"]["procMount"].as_str() {
        Some(kind) if kind != "Default" => {
            kinds.insert(kind.to_string());
            true
        }
        _ => false,
    });
    (!bad.is_empty()).then(|| Violation {
        reason: "procMount".into(),
        detail: format!(
            "{} must not set securityContext.procMount to {}",
            containers_named(&bad),
            join_quote(&kinds)
        ),
    })
}

fn se_linux_options(_: &Value, spec: &Value, minor: u32) -> Option<Violation> {
    let mut types = BTreeSet::new();
    let (mut user, mut role) = (false, false);
    let mut check = |context: &Value| {
        let options = &context["seLinuxOptions"];
        if !options.is_object() {
            return true;
        }
        let kind = options["type"].as_str().unwrap_or_default();
        let allowed = ["", "container_t", "container_init_t", "container_kvm_t"].contains(&kind)
            || (minor >= 31 && kind == "container_engine_t");
        if !allowed {
            types.insert(kind.to_string());
        }
        let set = |field: &str| options[field].as_str().is_some_and(|v| !v.is_empty());
        user |= set("user");
        role |= set("role");
        allowed && !set("user") && !set("role")
    };
    let pod = !check(pod_context(spec));
    let bad = containers_where(spec, |c| !check(&c["securityContext"]));
    if !pod && bad.is_empty() {
        return None;
    }
    let mut data = Vec::new();
    if !types.is_empty() {
        data.push(format!(
            "{} {}",
            pluralize("type", "types", types.len()),
            join_quote(&types)
        ));
    }
    if user {
        data.push("user may not be set".to_string());
    }
    if role {
        data.push("role may not be set".to_string());
    }
    violation(
        "seLinuxOptions",
        format!(
            "{} set forbidden securityContext.seLinuxOptions: {}",
            setters(pod, &bad).join(" and "),
            data.join("; ")
        ),
    )
}

/// Whether a seccomp profile type is one the standards allow.
fn valid_seccomp(kind: &str) -> bool {
    kind == "RuntimeDefault" || kind == "Localhost"
}

/// Seccomp profiles set to what is not allowed: who set them and what.
fn bad_seccomp(spec: &Value) -> (bool, Vec<String>, BTreeSet<String>) {
    let mut values = BTreeSet::new();
    let mut bad_type = |context: &Value| match context["seccompProfile"]["type"].as_str() {
        Some(kind) if !valid_seccomp(kind) => {
            values.insert(kind.to_string());
            true
        }
        _ => false,
    };
    let pod = bad_type(pod_context(spec));
    let containers = containers_where(spec, |c| bad_type(&c["securityContext"]));
    (pod, containers, values)
}

fn seccomp_baseline(metadata: &Value, spec: &Value, minor: u32) -> Option<Violation> {
    if minor < 19 {
        // Before the field, the alpha annotations.
        let valid = |v: &str| {
            v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/")
        };
        let annotations = &metadata["annotations"];
        let mut forbidden = BTreeSet::new();
        let mut keys = vec!["seccomp.security.alpha.kubernetes.io/pod".to_string()];
        keys.extend(
            containers(spec)
                .map(|c| format!("container.seccomp.security.alpha.kubernetes.io/{}", name(c))),
        );
        for key in keys {
            if let Some(value) = annotations[key.as_str()].as_str()
                && !valid(value)
            {
                forbidden.insert(format!("{key}={}", join_quote([value])));
            }
        }
        return (!forbidden.is_empty()).then(|| Violation {
            reason: "seccompProfile".into(),
            detail: format!(
                "forbidden {} {}",
                pluralize("annotation", "annotations", forbidden.len()),
                forbidden.into_iter().collect::<Vec<_>>().join(", ")
            ),
        });
    }
    let (pod, bad, values) = bad_seccomp(spec);
    (pod || !bad.is_empty()).then(|| Violation {
        reason: "seccompProfile".into(),
        detail: format!(
            "{} must not set securityContext.seccompProfile.type to {}",
            setters(pod, &bad).join(" and "),
            join_quote(&values)
        ),
    })
}

fn sysctls(_: &Value, spec: &Value, minor: u32) -> Option<Violation> {
    let allowed = |name: &str| {
        [
            "kernel.shm_rmid_forced",
            "net.ipv4.ip_local_port_range",
            "net.ipv4.tcp_syncookies",
            "net.ipv4.ping_group_range",
            "net.ipv4.ip_unprivileged_port_start",
        ]
        .contains(&name)
            || (minor >= 27 && name == "net.ipv4.ip_local_reserved_ports")
            || (minor >= 29
                && [
                    "net.ipv4.tcp_keepalive_time",
                    "net.ipv4.tcp_fin_timeout",
                    "net.ipv4.tcp_keepalive_intvl",
                    "net.ipv4.tcp_keepalive_probes",
                ]
                .contains(&name))
            || (minor >= 32 && ["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"].contains(&name))
    };
    let forbidden: Vec<&str> = pod_context(spec)["sysctls"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["name"].as_str())
        .filter(|name| !allowed(name))
        .collect();
    (!forbidden.is_empty()).then(|| Violation {
        reason: "forbidden sysctls".into(),
        detail: forbidden.join(", "),
    })
}

fn windows_host_process(_: &Value, spec: &Value, _: u32) -> Option<Violation> {
    let host = |context: &Value| context["windowsOptions"]["hostProcess"] == true;
    let pod = host(pod_context(spec));
    let bad = containers_where(spec, |c| host(&c["securityContext"]));
    (pod || !bad.is_empty()).then(|| Violation {
        reason: "hostProcess".into(),
        detail: format!(
            "{} must not set securityContext.windowsOptions.hostProcess=true",
            setters(pod, &bad).join(" and ")
        ),
    })
}

fn allow_privilege_escalation(_: &Value, spec: &Value, minor: u32) -> Option<Violation> {
    if minor >= 25 && is_windows(spec) {
        return None;
    }
    let bad = containers_where(spec, |c| {
        c["securityContext"]["allowPrivilegeEscalation"] != false
    });
    (!bad.is_empty()).then(|| Violation {
        reason: "allowPrivilegeEscalation != false".into(),
        detail: format!(
            "{} must set securityContext.allowPrivilegeEscalation=false",
            containers_named(&bad)
        ),
    })
}

fn capabilities_restricted(_: &Value, spec: &Value, minor: u32) -> Option<Violation> {
    if minor >= 25 && is_windows(spec) {
        return None;
    }
    let missing_drop = containers_where(spec, |c| {
        !c["securityContext"]["capabilities"]["drop"]
            .as_array()
            .is_some_and(|drop| drop.iter().any(|cap| cap == "ALL"))
    });
    let mut forbidden = BTreeSet::new();
    let adding = containers_where(spec, |c| {
        let extra: Vec<&str> = added(c).filter(|cap| *cap != "NET_BIND_SERVICE").collect();
        forbidden.extend(extra.iter().map(|cap| cap.to_string()));
        !extra.is_empty()
    });
    let mut details = Vec::new();
    if !missing_drop.is_empty() {
        details.push(format!(
            "{} must set securityContext.capabilities.drop=[\"ALL\"]",
            containers_named(&missing_drop)
        ));
    }
    if !adding.is_empty() {
        details.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_named(&adding),
            join_quote(&forbidden)
        ));
    }
    (!details.is_empty()).then(|| Violation {
        reason: "unrestricted capabilities".into(),
        detail: details.join("; "),
    })
}

fn restricted_volumes(_: &Value, spec: &Value, _: u32) -> Option<Violation> {
    const ALLOWED: &[&str] = &[
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "persistentVolumeClaim",
        "projected",
        "secret",
    ];
    const KNOWN: &[&str] = &[
        "hostPath",
        "gcePersistentDisk",
        "awsElasticBlockStore",
        "gitRepo",
        "nfs",
        "iscsi",
        "glusterfs",
        "rbd",
        "flexVolume",
        "cinder",
        "cephfs",
        "flocker",
        "fc",
        "azureFile",
        "vsphereVolume",
        "quobyte",
        "azureDisk",
        "photonPersistentDisk",
        "portworxVolume",
        "scaleIO",
        "storageos",
    ];
    let mut types = BTreeSet::new();
    let mut bad = Vec::new();
    for volume in volumes(spec) {
        let set = |field: &str| volume.get(field).is_some_and(|v| !v.is_null());
        if ALLOWED.iter().any(|field| set(field)) {
            continue;
        }
        bad.push(name(volume));
        types.insert(
            KNOWN
                .iter()
                .find(|field| set(field))
                .copied()
                .unwrap_or("unknown")
                .to_string(),
        );
    }
    (!bad.is_empty()).then(|| Violation {
        reason: "restricted volume types".into(),
        detail: format!(
            "{} {} {} {} {}",
            pluralize("volume", "volumes", bad.len()),
            join_quote(&bad),
            pluralize("uses", "use", bad.len()),
            pluralize(
                "restricted volume type",
                "restricted volume types",
                types.len()
            ),
            join_quote(&types)
        ),
    })
}

fn run_as_non_root(_: &Value, spec: &Value, _: u32) -> Option<Violation> {
    let pod_value = &pod_context(spec)["runAsNonRoot"];
    let pod_false = *pod_value == false;
    let pod_true = *pod_value == true;
    let explicit = containers_where(spec, |c| c["securityContext"]["runAsNonRoot"] == false);
    let implicit = containers_where(spec, |c| {
        c["securityContext"]["runAsNonRoot"].is_null() && !pod_true
    });
    if pod_false || !explicit.is_empty() {
        return violation(
            "runAsNonRoot != true",
            format!(
                "{} must not set securityContext.runAsNonRoot=false",
                setters(pod_false, &explicit).join(" and ")
            ),
        );
    }
    (!implicit.is_empty()).then(|| Violation {
        reason: "runAsNonRoot != true".into(),
        detail: format!(
            "pod or {} must set securityContext.runAsNonRoot=true",
            containers_named(&implicit)
        ),
    })
}

fn run_as_user(_: &Value, spec: &Value, _: u32) -> Option<Violation> {
    let root = |context: &Value| context["runAsUser"] == 0;
    let pod = root(pod_context(spec));
    let bad = containers_where(spec, |c| root(&c["securityContext"]));
    (pod || !bad.is_empty()).then(|| Violation {
        reason: "runAsUser=0".into(),
        detail: format!(
            "{} must not set runAsUser=0",
            setters(pod, &bad).join(" and ")
        ),
    })
}

fn seccomp_restricted(_: &Value, spec: &Value, minor: u32) -> Option<Violation> {
    if minor >= 25 && is_windows(spec) {
        return None;
    }
    let (pod, bad, values) = bad_seccomp(spec);
    if pod || !bad.is_empty() {
        return violation(
            "seccompProfile",
            format!(
                "{} must not set securityContext.seccompProfile.type to {}",
                setters(pod, &bad).join(" and "),
                join_quote(&values)
            ),
        );
    }
    let pod_set = pod_context(spec)["seccompProfile"]["type"]
        .as_str()
        .is_some_and(valid_seccomp);
    let implicit = containers_where(spec, |c| {
        c["securityContext"]["seccompProfile"].is_null() && !pod_set
    });
    (!implicit.is_empty()).then(|| Violation {
        reason: "seccompProfile".into(),
        detail: format!(
            "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
            containers_named(&implicit)
        ),
    })
}
