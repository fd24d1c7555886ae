//! The pod status the kubelet reports, from what its worker knows: the
//! phase as upstream's getPhase derives it, and the conditions
//! PodReadyToStartContainers, Initialized, ContainersReady and Ready with
//! upstream's reasons and messages.

use k8s_openapi::api::core::v1::{ContainerStatus, Pod, PodCondition};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

/// The phase from the containers' states (upstream's getPhase).
pub fn phase(
    pod: &Pod,
    init: &[ContainerStatus],
    containers: &[ContainerStatus],
    restartable_init: &[bool],
) -> &'static str {
    let restart_policy = pod
        .spec
        .as_ref()
        .and_then(|s| s.restart_policy.as_deref())
        .unwrap_or("Always");
    let mut pending_init = false;
    for (status, restartable) in init.iter().zip(restartable_init.iter().copied()) {
        let state = status.state.as_ref();
        if restartable {
            if !status.started.unwrap_or(false) {
                pending_init = true;
            }
            continue;
        }
        let done = state
            .and_then(|s| s.terminated.as_ref())
            .is_some_and(|t| t.exit_code == 0);
        if done {
            continue;
        }
        if let Some(terminated) = state.and_then(|s| s.terminated.as_ref())
            && terminated.exit_code != 0
            && restart_policy == "Never"
        {
            return "Failed";
        }
        pending_init = true;
    }
    let (mut waiting, mut running, mut stopped, mut succeeded) = (0, 0, 0, 0);
    for status in containers {
        let state = status.state.as_ref();
        if state.and_then(|s| s.running.as_ref()).is_some() {
            running += 1;
        } else if let Some(terminated) = state.and_then(|s| s.terminated.as_ref()) {
            stopped += 1;
            if terminated.exit_code == 0 {
                succeeded += 1;
            }
        } else if status
            .last_state
            .as_ref()
            .and_then(|s| s.terminated.as_ref())
            .is_some()
        {
            // Waiting to restart after an exit.
            stopped += 1;
        } else {
            waiting += 1;
        }
    }
    if pending_init {
        return "Pending";
    }
    if waiting > 0 {
        return "Pending";
    }
    if running > 0 {
        return "Running";
    }
    if stopped > 0 {
        if restart_policy == "Always" {
            return "Running";
        }
        if stopped == succeeded {
            return "Succeeded";
        }
        if restart_policy == "Never" {
            return "Failed";
        }
        return "Running";
    }
    "Pending"
}

fn condition(
    previous: &[PodCondition],
    type_: &str,
    ok: bool,
    reason: Option<&str>,
    message: Option<String>,
    now: &Time,
) -> PodCondition {
    let status = if ok { "True" } else { "False" };
    let transition = previous
        .iter()
        .find(|c| c.type_ == type_ && c.status == status)
        .and_then(|c| c.last_transition_time.clone())
        .unwrap_or_else(|| now.clone());
    PodCondition {
        type_: type_.to_string(),
        status: status.to_string(),
        reason: if ok { None } else { reason.map(str::to_string) },
        message: if ok { None } else { message },
        last_transition_time: Some(transition),
        last_probe_time: None,
        observed_generation: None,
    }
}

fn names_of(statuses: &[ContainerStatus], pick: impl Fn(&ContainerStatus) -> bool) -> Vec<String> {
    statuses
        .iter()
        .filter(|s| pick(s))
        .map(|s| s.name.clone())
        .collect()
}

/// The kubelet's conditions, kept in the order upstream lists them, with
/// the other conditions (PodScheduled, DisruptionTarget, readiness gates)
/// carried over from the pod.
pub fn conditions(
    pod: &Pod,
    sandbox_ready: bool,
    init: &[ContainerStatus],
    containers: &[ContainerStatus],
    phase: &str,
    now: &Time,
) -> Vec<PodCondition> {
    let previous = pod
        .status
        .as_ref()
        .and_then(|s| s.conditions.clone())
        .unwrap_or_default();
    let ours = [
        "PodReadyToStartContainers",
        "Initialized",
        "ContainersReady",
        "Ready",
    ];
    let terminal = phase == "Succeeded" || phase == "Failed";
    let init_incomplete = names_of(init, |s| {
        let done = s
            .state
            .as_ref()
            .and_then(|st| st.terminated.as_ref())
            .is_some_and(|t| t.exit_code == 0);
        !done && !s.started.unwrap_or(false)
    });
    let initialized = init_incomplete.is_empty() || phase == "Succeeded";
    let mut unready = names_of(init, |s| {
        // Sidecars count for readiness; finished init containers do not.
        s.started.unwrap_or(false)
            && !s.ready
            && s.state.as_ref().is_some_and(|st| st.running.is_some())
    });
    unready.extend(names_of(containers, |s| !s.ready));
    let containers_ready = unready.is_empty() && !terminal;
    let gates: Vec<String> = pod
        .spec
        .as_ref()
        .and_then(|s| s.readiness_gates.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|g| g.condition_type)
        .collect();
    let failed_gates: Vec<&String> = gates
        .iter()
        .filter(|gate| {
            !previous
                .iter()
                .any(|c| &c.type_ == *gate && c.status == "True")
        })
        .collect();
    let unready_message = format!("containers with unready status: [{}]", unready.join(" "));
    let (ready_reason, ready_message) = if terminal {
        ("PodCompleted", None)
    } else if !unready.is_empty() {
        ("ContainersNotReady", Some(unready_message.clone()))
    } else {
        (
            "ReadinessGatesNotReady",
            Some(format!(
                "corresponding condition of pod readiness gate {:?} does not exist.",
                failed_gates.first().map(|g| g.as_str()).unwrap_or_default()
            )),
        )
    };
    let mut out: Vec<PodCondition> = Vec::new();
    out.push(condition(
        &previous,
        "PodReadyToStartContainers",
        sandbox_ready,
        None,
        None,
        now,
    ));
    out.push(condition(
        &previous,
        "Initialized",
        initialized,
        Some("ContainersNotInitialized"),
        Some(format!(
            "containers with incomplete status: [{}]",
            init_incomplete.join(" ")
        )),
        now,
    ));
    out.push(condition(
        &previous,
        "ContainersReady",
        containers_ready,
        Some(if terminal {
            "PodCompleted"
        } else {
            "ContainersNotReady"
        }),
        (!terminal).then_some(unready_message),
        now,
    ));
    out.push(condition(
        &previous,
        "Ready",
        containers_ready && failed_gates.is_empty(),
        Some(ready_reason),
        ready_message,
        now,
    ));
    for kept in previous
        .iter()
        .filter(|c| !ours.contains(&c.type_.as_str()))
    {
        out.push(kept.clone());
    }
    // PodScheduled first, as upstream prints them.
    out.sort_by_key(|c| match c.type_.as_str() {
        "PodReadyToStartContainers" => 0,
        "Initialized" => 1,
        "Ready" => 2,
        "ContainersReady" => 3,
        "PodScheduled" => 4,
        _ => 5,
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{
        ContainerState, ContainerStateRunning, ContainerStateTerminated, PodSpec,
    };

    fn pod(policy: &str) -> Pod {
        Pod {
            spec: Some(PodSpec {
                restart_policy: Some(policy.into()),
                ..PodSpec::default()
            }),
            ..Pod::default()
        }
    }

    fn running(name: &str) -> ContainerStatus {
        ContainerStatus {
            name: name.into(),
            state: Some(ContainerState {
                running: Some(ContainerStateRunning::default()),
                ..ContainerState::default()
            }),
            ..ContainerStatus::default()
        }
    }

    fn exited(name: &str, code: i32) -> ContainerStatus {
        ContainerStatus {
            name: name.into(),
            state: Some(ContainerState {
                terminated: Some(ContainerStateTerminated {
                    exit_code: code,
                    ..ContainerStateTerminated::default()
                }),
                ..ContainerState::default()
            }),
            ..ContainerStatus::default()
        }
    }

    #[test]
    fn phases_follow_restart_policy() {
        let never = pod("Never");
        assert_eq!(
            phase(&never, &[], &[running("a"), exited("b", 0)], &[]),
            "Running"
        );
        assert_eq!(
            phase(&never, &[], &[exited("a", 0), exited("b", 0)], &[]),
            "Succeeded"
        );
        assert_eq!(
            phase(&never, &[], &[exited("a", 0), exited("b", 1)], &[]),
            "Failed"
        );
        assert_eq!(
            phase(&pod("OnFailure"), &[], &[exited("a", 1)], &[]),
            "Running"
        );
        assert_eq!(
            phase(&pod("Always"), &[], &[exited("a", 0)], &[]),
            "Running"
        );
        assert_eq!(phase(&never, &[exited("init", 1)], &[], &[false]), "Failed");
        assert_eq!(
            phase(&pod("Always"), &[running("init")], &[], &[false]),
            "Pending"
        );
        assert_eq!(
            phase(&never, &[], &[ContainerStatus::default()], &[]),
            "Pending"
        );
    }

    #[test]
    fn unready_containers_are_named() {
        let now = Time(k8s_openapi::jiff::Timestamp::UNIX_EPOCH);
        let mut a = running("a");
        a.ready = true;
        let b = running("b");
        let conditions = conditions(&pod("Always"), true, &[], &[a, b], "Running", &now);
        let ready = conditions.iter().find(|c| c.type_ == "Ready").unwrap();
        assert_eq!(ready.status, "False");
        assert_eq!(ready.reason.as_deref(), Some("ContainersNotReady"));
        assert_eq!(
            ready.message.as_deref(),
            Some("containers with unready status: [b]")
        );
    }
}
