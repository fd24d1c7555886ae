//! The simulated runtime: no processes. Sandboxes get IPs from the node's
//! pod CIDR and containers run after a configurable delay, until they are
//! stopped. For scale tests and demos; probes count as passing.
//!
//! A pod may opt into failure with annotations:
//! `simulated.rudder.dev/exit-code` (containers end with that code) after
//! `simulated.rudder.dev/run-seconds` (default 0).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::Notify;

use super::ipam::{Ipam, parse_pod_cidr};
use super::{
    ContainerConfig, ContainerState, ExecResult, Runtime, RuntimeError, Sandbox, SandboxConfig,
    new_id, now,
};

pub const EXIT_CODE_ANNOTATION: &str = "simulated.rudder.dev/exit-code";
pub const RUN_SECONDS_ANNOTATION: &str = "simulated.rudder.dev/run-seconds";

/// How long the simulated steps take.
#[derive(Clone, Copy, Debug)]
pub struct SimulatedTiming {
    /// From start_container to Running.
    pub start_delay: Duration,
}

impl Default for SimulatedTiming {
    fn default() -> Self {
        SimulatedTiming {
            start_delay: Duration::from_millis(50),
        }
    }
}

struct Container {
    config: ContainerConfig,
    state: ContainerState,
    exited: Option<Arc<Notify>>,
}

pub struct SimulatedRuntime {
    timing: SimulatedTiming,
    node_ip: IpAddr,
    ipam: RwLock<Option<Arc<Ipam>>>,
    containers: Arc<Mutex<HashMap<String, Container>>>,
}

impl SimulatedRuntime {
    pub fn new(timing: SimulatedTiming, node_ip: IpAddr) -> SimulatedRuntime {
        SimulatedRuntime {
            timing,
            node_ip,
            ipam: RwLock::new(None),
            containers: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn containers(&self) -> std::sync::MutexGuard<'_, HashMap<String, Container>> {
        self.containers.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn set_exited(containers: &Mutex<HashMap<String, Container>>, id: &str, exit_code: i32) {
    let mut containers = containers.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(container) = containers.get_mut(id) {
        let started_at = match container.state {
            ContainerState::Running { started_at } => Some(started_at),
            _ => None,
        };
        if matches!(container.state, ContainerState::Exited { .. }) {
            return;
        }
        container.state = ContainerState::Exited {
            exit_code,
            reason: None,
            started_at,
            finished_at: now(),
        };
        if let Some(exited) = &container.exited {
            exited.notify_one();
        }
    }
}

#[async_trait::async_trait]
impl Runtime for SimulatedRuntime {
    fn version(&self) -> String {
        format!("simulated://{}", env!("CARGO_PKG_VERSION"))
    }

    fn handlers(&self) -> &'static [&'static str] {
        &["simulated"]
    }

    fn set_pod_cidr(&self, cidr: &str) -> Result<(), RuntimeError> {
        let cidr = parse_pod_cidr(cidr).map_err(RuntimeError::Network)?;
        let mut ipam = self.ipam.write().unwrap_or_else(|e| e.into_inner());
        if ipam.as_ref().is_none_or(|current| current.cidr != cidr) {
            *ipam = Some(Arc::new(Ipam::new(cidr)));
        }
        Ok(())
    }

    fn network_ready(&self) -> bool {
        self.ipam.read().map(|i| i.is_some()).unwrap_or(false)
    }

    async fn run_pod_sandbox(&self, config: &SandboxConfig) -> Result<Sandbox, RuntimeError> {
        let ip = if config.host_network {
            self.node_ip
        } else {
            let ipam = self
                .ipam
                .read()
                .map_err(|_| RuntimeError::Other("poisoned".into()))?
                .clone()
                .ok_or_else(|| {
                    RuntimeError::Network("no pod CIDR assigned to this node yet".into())
                })?;
            IpAddr::V4(ipam.allocate("").ok_or_else(|| {
                RuntimeError::Network(format!(
                    "no IP addresses available in range set: {}",
                    ipam.cidr
                ))
            })?)
        };
        Ok(Sandbox {
            id: new_id(),
            ip,
            netns: None,
        })
    }

    async fn remove_pod_sandbox(&self, sandbox: &Sandbox) -> Result<(), RuntimeError> {
        if let (IpAddr::V4(ip), Ok(ipam)) = (sandbox.ip, self.ipam.read())
            && let Some(ipam) = ipam.as_ref()
            && sandbox.ip != self.node_ip
        {
            ipam.release(ip);
        }
        Ok(())
    }

    async fn create_container(
        &self,
        _sandbox: &Sandbox,
        config: ContainerConfig,
    ) -> Result<String, RuntimeError> {
        let id = new_id();
        self.containers().insert(
            id.clone(),
            Container {
                config,
                state: ContainerState::Created,
                exited: None,
            },
        );
        Ok(id)
    }

    async fn start_container(&self, id: &str, exited: Arc<Notify>) -> Result<(), RuntimeError> {
        let (exit_code, run_for) = {
            let mut containers = self.containers();
            let container = containers
                .get_mut(id)
                .ok_or_else(|| RuntimeError::NotFound(id.to_string()))?;
            container.exited = Some(exited.clone());
            let annotations = &container.config.annotations;
            let exit_code = annotations
                .get(EXIT_CODE_ANNOTATION)
                .and_then(|c| c.parse::<i32>().ok());
            let run_for = annotations
                .get(RUN_SECONDS_ANNOTATION)
                .and_then(|s| s.parse::<u64>().ok())
                .map(Duration::from_secs)
                .unwrap_or_default();
            (exit_code, run_for)
        };
        tokio::time::sleep(self.timing.start_delay).await;
        {
            let mut containers = self.containers();
            if let Some(container) = containers.get_mut(id)
                && container.state == ContainerState::Created
            {
                container.state = ContainerState::Running { started_at: now() };
            }
        }
        if let Some(code) = exit_code {
            let containers = self.containers.clone();
            let id = id.to_string();
            tokio::spawn(async move {
                tokio::time::sleep(run_for).await;
                set_exited(&containers, &id, code);
            });
        }
        Ok(())
    }

    async fn stop_container(&self, id: &str, _grace: Duration) -> Result<(), RuntimeError> {
        // A simulated process ends on SIGTERM at once, as 143 (128 + 15).
        set_exited(&self.containers, id, 143);
        Ok(())
    }

    fn container_state(&self, id: &str) -> Option<ContainerState> {
        self.containers().get(id).map(|c| c.state.clone())
    }

    async fn remove_container(&self, id: &str) {
        self.containers().remove(id);
    }

    async fn exec_sync(
        &self,
        id: &str,
        _command: &[String],
        _timeout: Duration,
    ) -> Result<ExecResult, RuntimeError> {
        match self.container_state(id) {
            Some(ContainerState::Running { .. }) => Ok(ExecResult {
                exit_code: 0,
                output: String::new(),
            }),
            Some(_) => Err(RuntimeError::Other(format!(
                "container {id} is not running"
            ))),
            None => Err(RuntimeError::NotFound(id.to_string())),
        }
    }

    async fn shutdown(&self) {
        self.containers().clear();
    }
}
