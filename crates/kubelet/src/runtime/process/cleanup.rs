//! Taking off this machine what rudder's kubelets started (`rudder
//! killall`, `rudder uninstall`), found through the machine's shared
//! directory (`host`): for every bridge a kubelet recorded, the processes
//! of its pods (from each runtime's records), the sandboxes' network
//! namespaces and veths, the containers' cgroups and the bridge itself.
//! Each step is said before it is done; one that fails is reported and the
//! rest still run. Data directories are left as they are, but for the
//! records of the pods that were stopped.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::host::{HostDir, Owner};
use super::network;
use super::state::{RecordedProcess, State};

/// What to remove.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Everything (the kubelets that hold bridges are stopped first).
    Everything,
    /// What no live kubelet accounts for: the pods of data directories
    /// whose kubelet is gone.
    Orphans,
}

/// One step of the cleanup.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// SIGKILL to a pod's process (and its session).
    Kill {
        what: String,
        process: RecordedProcess,
    },
    RemoveNamespace {
        sandbox: String,
    },
    RemoveInterface {
        name: String,
    },
    /// A cgroup and the groups under it, their processes killed first.
    RemoveCgroup {
        dir: PathBuf,
    },
    /// The records of stopped sandboxes and containers.
    ForgetRecords {
        state: PathBuf,
        sandboxes: Vec<String>,
        containers: Vec<String>,
    },
    /// The bridge's entry in the shared directory (or, with an address,
    /// one lease of it).
    Forget {
        bridge: String,
        address: Option<std::net::Ipv4Addr>,
    },
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Kill { what, process } => write!(f, "kill {what} (process {})", process.pid),
            Step::RemoveNamespace { sandbox } => {
                write!(
                    f,
                    "remove network namespace {}",
                    network::netns_name(sandbox)
                )
            }
            Step::RemoveInterface { name } => write!(f, "remove interface {name}"),
            Step::RemoveCgroup { dir } => write!(f, "remove cgroup {}", dir.display()),
            Step::ForgetRecords {
                state,
                sandboxes,
                containers,
            } => write!(
                f,
                "forget {} sandbox and {} container records in {}",
                sandboxes.len(),
                containers.len(),
                state.display()
            ),
            Step::Forget {
                bridge,
                address: Some(address),
            } => write!(f, "forget the lease of {address} on bridge {bridge}"),
            Step::Forget {
                bridge,
                address: None,
            } => write!(f, "forget bridge {bridge}"),
        }
    }
}

fn interface_exists(name: &str) -> bool {
    !name.contains('/') && Path::new("/sys/class/net").join(name).exists()
}

fn namespace_exists(sandbox: &str) -> bool {
    !sandbox.contains('/')
        && Path::new("/run/netns")
            .join(network::netns_name(sandbox))
            .exists()
}

/// The kubelets that hold bridges now.
pub fn live_kubelets(host: &HostDir) -> Vec<(String, Owner)> {
    host.bridges()
        .into_iter()
        .filter_map(|bridge| host.owner(&bridge).map(|owner| (bridge, owner)))
        .collect()
}

/// Stops a live kubelet's process: SIGTERM, and SIGKILL if it has not
/// let go of its bridge within `grace`.
pub fn stop_kubelet(
    host: &HostDir,
    bridge: &str,
    owner: &Owner,
    grace: Duration,
) -> Result<(), String> {
    if owner.pid <= 0 || owner.pid as u32 == std::process::id() {
        return Err(format!("process {} is not one to stop", owner.pid));
    }
    let released = |within: Duration| {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if host.owner(bridge).as_ref() != Some(owner) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    };
    // SAFETY: kill(2); the pid is the one holding the bridge's lock now.
    unsafe { libc::kill(owner.pid, libc::SIGTERM) };
    if released(grace) {
        return Ok(());
    }
    // SAFETY: as above.
    unsafe { libc::kill(owner.pid, libc::SIGKILL) };
    if released(Duration::from_secs(5)) {
        Ok(())
    } else {
        Err(format!("process {} did not end", owner.pid))
    }
}

/// The steps that remove what `scope` covers, as things are now.
pub fn plan(host: &HostDir, scope: Scope) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut seen_states = BTreeSet::new();
    let mut seen_sandboxes = BTreeSet::new();
    let namespaces = network::sandbox_namespaces();
    for bridge in host.bridges() {
        let keep = match scope {
            Scope::Everything => None,
            Scope::Orphans => host.owner(&bridge).map(|owner| owner.data_dir),
        };
        // Only groups in the cgroup tree are anything of ours to remove.
        let cgroups: Vec<PathBuf> = host
            .cgroups(&bridge)
            .into_iter()
            .filter(|dir| dir.starts_with("/sys/fs/cgroup") && dir.components().count() > 4)
            .collect();
        // The sandboxes of the live kubelet, which stay.
        let mut kept = BTreeSet::new();
        for runtime in host.runtimes(&bridge) {
            let Some(state) = State::existing(&runtime.state) else {
                continue;
            };
            let (sandboxes, containers) = state.load();
            if keep.as_ref() == Some(&runtime.data_dir) {
                kept.extend(sandboxes.into_iter().map(|s| s.id));
                continue;
            }
            if !seen_states.insert(runtime.state.clone()) {
                continue;
            }
            for container in &containers {
                if container.reaper().alive() {
                    steps.push(Step::Kill {
                        what: format!("container {}", container.config.name),
                        process: container.reaper(),
                    });
                }
                for base in &cgroups {
                    let dir = base.join(&container.id);
                    if dir.is_dir() && keep.is_some() {
                        steps.push(Step::RemoveCgroup { dir });
                    }
                }
            }
            for sandbox in &sandboxes {
                if let Some(pause) = sandbox.pause.filter(RecordedProcess::alive) {
                    steps.push(Step::Kill {
                        what: format!("the pause process of sandbox {}", sandbox.id),
                        process: pause,
                    });
                }
                if sandbox.netns.is_some() && seen_sandboxes.insert(sandbox.id.clone()) {
                    sandbox_network(&sandbox.id, &mut steps);
                }
            }
            if !sandboxes.is_empty() || !containers.is_empty() {
                steps.push(Step::ForgetRecords {
                    state: runtime.state.clone(),
                    sandboxes: sandboxes.iter().map(|s| s.id.clone()).collect(),
                    containers: containers.iter().map(|c| c.id.clone()).collect(),
                });
            }
        }
        for lease in host.leases(&bridge) {
            if keep.as_ref() == Some(&lease.data_dir) {
                kept.insert(lease.sandbox);
                continue;
            }
            if seen_sandboxes.insert(lease.sandbox.clone()) {
                sandbox_network(&lease.sandbox, &mut steps);
            }
            steps.push(Step::Forget {
                bridge: bridge.clone(),
                address: Some(lease.address),
            });
        }
        // Veths on the bridge that nothing recorded (pods of a rudder that
        // kept no shared records), with the namespaces they lead to.
        for port in network::bridge_ports(&bridge) {
            let known = |id: &String| network::host_veth(id) == port;
            if !port.starts_with("veth")
                || kept.iter().any(known)
                || seen_sandboxes.iter().any(known)
            {
                continue;
            }
            steps.push(Step::RemoveInterface { name: port.clone() });
            for sandbox in namespaces.iter().filter(|id| known(id)) {
                if seen_sandboxes.insert(sandbox.clone()) {
                    steps.push(Step::RemoveNamespace {
                        sandbox: sandbox.clone(),
                    });
                }
            }
        }
        if keep.is_none() {
            for dir in cgroups.into_iter().filter(|d| d.is_dir()) {
                steps.push(Step::RemoveCgroup { dir });
            }
            if interface_exists(&bridge) {
                steps.push(Step::RemoveInterface {
                    name: bridge.clone(),
                });
            }
            steps.push(Step::Forget {
                bridge,
                address: None,
            });
        }
    }
    steps
}

/// A sandbox's namespace and veth, those that exist.
fn sandbox_network(sandbox: &str, steps: &mut Vec<Step>) {
    let veth = network::host_veth(sandbox);
    if interface_exists(&veth) {
        steps.push(Step::RemoveInterface { name: veth });
    }
    if namespace_exists(sandbox) {
        steps.push(Step::RemoveNamespace {
            sandbox: sandbox.to_string(),
        });
    }
}

impl Step {
    /// Does it.
    pub fn run(&self, host: &HostDir) -> Result<(), String> {
        match self {
            Step::Kill { process, .. } => {
                process.kill_session();
                let deadline = Instant::now() + Duration::from_secs(2);
                while process.alive() && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(20));
                }
                if process.alive() {
                    return Err(format!("process {} is still running", process.pid));
                }
                Ok(())
            }
            Step::RemoveNamespace { sandbox } => network::remove_namespace(sandbox),
            Step::RemoveInterface { name } => {
                if interface_exists(name) {
                    network::remove_link(name)
                } else {
                    Ok(())
                }
            }
            Step::RemoveCgroup { dir } => remove_cgroup(dir),
            Step::ForgetRecords {
                state,
                sandboxes,
                containers,
            } => {
                if let Some(state) = State::existing(state) {
                    for id in sandboxes {
                        state.forget_sandbox(id);
                    }
                    for id in containers {
                        state.forget_container(id);
                    }
                }
                Ok(())
            }
            Step::Forget {
                bridge,
                address: Some(address),
            } => {
                host.forget_lease(bridge, *address);
                Ok(())
            }
            Step::Forget {
                bridge,
                address: None,
            } => host.forget_bridge(bridge),
        }
    }
}

/// The groups of a cgroup tree, deepest first (bounded: a cgroup tree of
/// the runtime is two levels deep).
fn cgroup_tree(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > 8 {
        return;
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                cgroup_tree(&entry.path(), depth + 1, out);
            }
        }
    }
    out.push(dir.to_path_buf());
}

/// Kills every process of a cgroup tree and removes its groups.
fn remove_cgroup(dir: &Path) -> Result<(), String> {
    let mut groups = Vec::new();
    cgroup_tree(dir, 0, &mut groups);
    let deadline = Instant::now() + Duration::from_secs(5);
    for group in &groups {
        loop {
            // cgroup v2 kills a whole group at once; v1 process by process.
            if group.join("cgroup.kill").exists() {
                let _ = std::fs::write(group.join("cgroup.kill"), "1");
            } else if let Ok(text) = std::fs::read_to_string(group.join("cgroup.procs")) {
                for pid in text.lines().filter_map(|l| l.trim().parse::<i32>().ok()) {
                    // SAFETY: kill(2) on a process of a group rudder made.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                }
            }
            match std::fs::remove_dir(group) {
                Ok(()) => break,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => break,
                Err(err) if Instant::now() >= deadline => {
                    return Err(format!("{}: {err}", group.display()));
                }
                // Busy while its processes are dying.
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }
    Ok(())
}
