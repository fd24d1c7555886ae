//! What a container's securityContext (and its pod's) asks of the
//! processes the process runtime starts: who they run as, their groups,
//! their capabilities and whether they may gain privileges; the kubelet's
//! `runAsNonRoot` verification; and what the process runtime cannot honour,
//! which the pod's events say.

use k8s_openapi::api::core::v1::{Container, PodSecurityContext, SecurityContext};

/// Capabilities by number, as Linux numbers them (`CAP_` dropped).
const CAPABILITIES: &[&str] = &[
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
];

/// What a container gets unless it asks otherwise: containerd's default
/// set.
const DEFAULT_CAPABILITIES: &[&str] = &[
    "CHOWN",
    "DAC_OVERRIDE",
    "FSETID",
    "FOWNER",
    "MKNOD",
    "NET_RAW",
    "SETGID",
    "SETUID",
    "SETFCAP",
    "SETPCAP",
    "NET_BIND_SERVICE",
    "SYS_CHROOT",
    "KILL",
    "AUDIT_WRITE",
];

/// Every capability's bit.
const ALL: u64 = (1 << CAPABILITIES.len()) - 1;

/// A capability's bit, from its name with or without `CAP_`.
fn capability_bit(name: &str) -> Option<u64> {
    let name = name.strip_prefix("CAP_").unwrap_or(name);
    CAPABILITIES
        .iter()
        .position(|known| known.eq_ignore_ascii_case(name))
        .map(|at| 1 << at)
}

/// What the processes of one container are given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcessSecurity {
    pub run_as_user: Option<u32>,
    pub run_as_group: Option<u32>,
    /// supplementalGroups, then fsGroup.
    pub supplemental_groups: Vec<u32>,
    /// The capability bounding set (bit n: capability n); None: every one
    /// (a privileged container).
    pub capabilities: Option<u64>,
    /// `allowPrivilegeEscalation: false`: no_new_privs.
    pub no_new_privileges: bool,
    /// Capability names that mean nothing here.
    pub unknown_capabilities: Vec<String>,
}

/// The container's settings over the pod's, as the kubelet merges them.
pub fn process_security(
    pod: Option<&PodSecurityContext>,
    container: Option<&SecurityContext>,
) -> ProcessSecurity {
    let id = |value: Option<i64>| value.and_then(|v| u32::try_from(v).ok());
    let mut security = ProcessSecurity {
        run_as_user: id(container
            .and_then(|c| c.run_as_user)
            .or(pod.and_then(|p| p.run_as_user))),
        run_as_group: id(container
            .and_then(|c| c.run_as_group)
            .or(pod.and_then(|p| p.run_as_group))),
        no_new_privileges: container.and_then(|c| c.allow_privilege_escalation) == Some(false),
        ..ProcessSecurity::default()
    };
    if let Some(pod) = pod {
        let groups = pod.supplemental_groups.iter().flatten().copied();
        for group in groups.chain(pod.fs_group) {
            if let Some(group) = id(Some(group))
                && !security.supplemental_groups.contains(&group)
            {
                security.supplemental_groups.push(group);
            }
        }
    }
    if container.and_then(|c| c.privileged) == Some(true) {
        return security;
    }
    let mut mask = DEFAULT_CAPABILITIES
        .iter()
        .filter_map(|name| capability_bit(name))
        .fold(0, |mask, bit| mask | bit);
    let capabilities = container.and_then(|c| c.capabilities.as_ref());
    let names = |list: Option<&Vec<String>>| list.cloned().unwrap_or_default();
    let mut change = |name: &str, add: bool| {
        if name.eq_ignore_ascii_case("ALL") {
            mask = if add { ALL } else { 0 };
            return;
        }
        match capability_bit(name) {
            Some(bit) if add => mask |= bit,
            Some(bit) => mask &= !bit,
            None => security.unknown_capabilities.push(name.to_string()),
        }
    };
    for name in names(capabilities.and_then(|c| c.drop.as_ref())) {
        change(&name, false);
    }
    for name in names(capabilities.and_then(|c| c.add.as_ref())) {
        change(&name, true);
    }
    security.capabilities = Some(mask);
    security
}

/// The kubelet's `runAsNonRoot` check (the process runtime's "image" runs
/// as the kubelet's own user, root, when no user is given): upstream's
/// messages.
pub fn verify_run_as_non_root(
    pod_label: &str,
    container: &Container,
    pod: Option<&PodSecurityContext>,
) -> Result<(), String> {
    let context = container.security_context.as_ref();
    let non_root = context
        .and_then(|c| c.run_as_non_root)
        .or(pod.and_then(|p| p.run_as_non_root))
        == Some(true);
    if !non_root {
        return Ok(());
    }
    let user = context
        .and_then(|c| c.run_as_user)
        .or(pod.and_then(|p| p.run_as_user));
    match user {
        Some(0) => Err(format!(
            "container's runAsUser breaks non-root policy (pod: {pod_label:?}, container: {})",
            container.name
        )),
        Some(_) => Ok(()),
        None => Err(format!(
            "container has runAsNonRoot and image will run as root (pod: {pod_label:?}, container: {})",
            container.name
        )),
    }
}

/// The settings of `container` (and its pod) that the process runtime
/// does not apply, by field name.
pub fn not_honoured(container: &Container, pod: Option<&PodSecurityContext>) -> Vec<&'static str> {
    let context = container.security_context.as_ref();
    let mut fields = Vec::new();
    if context.and_then(|c| c.read_only_root_filesystem) == Some(true) {
        fields.push("readOnlyRootFilesystem");
    }
    if context.and_then(|c| c.se_linux_options.as_ref()).is_some()
        || pod.and_then(|p| p.se_linux_options.as_ref()).is_some()
    {
        fields.push("seLinuxOptions");
    }
    if context.and_then(|c| c.seccomp_profile.as_ref()).is_some()
        || pod.and_then(|p| p.seccomp_profile.as_ref()).is_some()
    {
        fields.push("seccompProfile");
    }
    if context.and_then(|c| c.app_armor_profile.as_ref()).is_some()
        || pod.and_then(|p| p.app_armor_profile.as_ref()).is_some()
    {
        fields.push("appArmorProfile");
    }
    if context
        .and_then(|c| c.proc_mount.as_deref())
        .is_some_and(|m| m != "Default")
    {
        fields.push("procMount");
    }
    if pod
        .and_then(|p| p.sysctls.as_ref())
        .is_some_and(|s| !s.is_empty())
    {
        fields.push("sysctls");
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Capabilities;

    fn bits(names: &[&str]) -> u64 {
        names.iter().map(|n| capability_bit(n).unwrap()).sum()
    }

    #[test]
    fn capabilities_start_from_the_default_set() {
        let plain = process_security(None, None);
        assert_eq!(plain.capabilities, Some(bits(DEFAULT_CAPABILITIES)));
        let hardened = process_security(
            None,
            Some(&SecurityContext {
                allow_privilege_escalation: Some(false),
                capabilities: Some(Capabilities {
                    drop: Some(vec!["ALL".into()]),
                    add: Some(vec!["NET_BIND_SERVICE".into(), "CAP_SYS_TIME".into()]),
                }),
                ..Default::default()
            }),
        );
        assert_eq!(
            hardened.capabilities,
            Some(bits(&["NET_BIND_SERVICE", "SYS_TIME"]))
        );
        assert!(hardened.no_new_privileges);
        let privileged = process_security(
            None,
            Some(&SecurityContext {
                privileged: Some(true),
                ..Default::default()
            }),
        );
        assert_eq!(privileged.capabilities, None);
        assert_eq!(capability_bit("CHECKPOINT_RESTORE"), Some(1 << 40));
    }

    #[test]
    fn the_container_overrides_the_pod_and_groups_gather() {
        let pod = PodSecurityContext {
            run_as_user: Some(1000),
            run_as_group: Some(3000),
            supplemental_groups: Some(vec![4000, 2000]),
            fs_group: Some(2000),
            ..Default::default()
        };
        let container = SecurityContext {
            run_as_user: Some(1001),
            ..Default::default()
        };
        let security = process_security(Some(&pod), Some(&container));
        assert_eq!(security.run_as_user, Some(1001));
        assert_eq!(security.run_as_group, Some(3000));
        assert_eq!(security.supplemental_groups, vec![4000, 2000]);
    }

    #[test]
    fn run_as_non_root_needs_a_user_that_is_not_root() {
        let container = |user: Option<i64>| Container {
            name: "main".into(),
            security_context: Some(SecurityContext {
                run_as_non_root: Some(true),
                run_as_user: user,
                ..Default::default()
            }),
            ..Default::default()
        };
        assert!(verify_run_as_non_root("p_ns(u)", &container(Some(1000)), None).is_ok());
        assert_eq!(
            verify_run_as_non_root("p_ns(u)", &container(None), None).unwrap_err(),
            "container has runAsNonRoot and image will run as root (pod: \"p_ns(u)\", container: main)"
        );
        assert_eq!(
            verify_run_as_non_root("p_ns(u)", &container(Some(0)), None).unwrap_err(),
            "container's runAsUser breaks non-root policy (pod: \"p_ns(u)\", container: main)"
        );
    }
}
