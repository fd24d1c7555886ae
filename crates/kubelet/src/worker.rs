//! One worker per pod: it drives the pod from its spec to running
//! containers and back. Each pass (on a spec change, a container exit, a
//! probe verdict or a timer) compares what should run with what runs:
//! the sandbox and volumes first, init containers in order (restartable
//! ones — sidecars — kept running), then the containers, restarted per
//! restartPolicy with back-off; then the status goes to the API server if
//! it changed. A deleted pod's containers get their preStop hooks and
//! SIGTERM, SIGKILL after the grace period, then the pod object goes.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use k8s_openapi::api::core::v1::{
    Container, ContainerState as ApiState, ContainerStateRunning, ContainerStateTerminated,
    ContainerStateWaiting, ContainerStatus, HostIP, Pod, PodCondition, PodIP, PodStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use kube::Api;
use kube::api::{DeleteParams, Patch, PatchParams, Preconditions};
use serde_json::json;
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

use crate::probes::{self, Probes};
use crate::runtime::{ContainerConfig, ContainerState, Mount, Runtime, Sandbox, SandboxConfig};
use crate::volumes::{self, Prepared};

/// The first restart back-off, and its cap (upstream's 10 s and 5 min).
const BACKOFF_INITIAL: Duration = Duration::from_secs(10);
const BACKOFF_MAX: Duration = Duration::from_secs(300);
/// A container that ran this long starts its back-off afresh.
const BACKOFF_RESET: Duration = Duration::from_secs(600);
/// Setup steps that fail (volumes, sandbox) are retried this often.
const SETUP_RETRY: Duration = Duration::from_secs(2);
/// ConfigMap, Secret and downward API volumes are refreshed this often.
const VOLUME_REFRESH: Duration = Duration::from_secs(10);
/// How long a container start waits for the kubelet's first list of
/// Services before it fails (and is retried).
const SERVICES_SYNC_WAIT: Duration = Duration::from_secs(10);
/// A grace period of `seconds` as the kubelet waits it: never under the
/// minimum, and never so long that a deadline computed from it overflows
/// (the API takes any int64; a century is as good as forever).
fn grace_from_seconds(seconds: i64) -> Duration {
    const LONGEST: i64 = 100 * 365 * 24 * 3600;
    Duration::from_secs(seconds.clamp(0, LONGEST) as u64).max(MINIMUM_GRACE)
}

/// The shortest grace a killed container gets (upstream's minimum).
const MINIMUM_GRACE: Duration = Duration::from_secs(2);

/// What every worker of one node shares.
pub struct Host {
    pub client: kube::Client,
    pub node_ip: IpAddr,
    pub runtime: Arc<dyn Runtime>,
    pub events: events::EventSink,
    /// `<root>/pods`: each pod's volumes.
    pub pods_dir: PathBuf,
    /// Container logs, laid out as `/var/log/pods`.
    pub logs_dir: PathBuf,
    /// The log files of running containers (a log follow ends with its
    /// container).
    pub live_logs: Arc<crate::logs::LiveLogs>,
    /// The pods running here, for the eviction manager.
    pub active_pods: Arc<crate::eviction::ActivePods>,
    /// Probes count as passing and volumes are not made (simulated nodes).
    pub simulated: bool,
    /// The node's allocatable resources (for resourceFieldRefs without limits).
    pub allocatable: BTreeMap<String, String>,
    pub metrics: Arc<crate::metrics::Metrics>,
    /// What pods' resolv.conf files point at.
    pub dns: crate::dns::ClusterDns,
    /// The kubelet is stopping (true); with `keep_pods_on_exit` the
    /// workers then leave their pods running for the next kubelet.
    pub stopping: watch::Receiver<bool>,
    pub keep_pods_on_exit: bool,
    /// This node's static pods (`--pod-manifest-path`), whose pods the API
    /// does not list.
    pub pod_manifest_path: Option<PathBuf>,
    pub node_name: String,
    /// Projected service account tokens, per pod.
    pub tokens: crate::tokens::TokenManager,
    /// Every Service, for containers' service environment variables (none
    /// on simulated nodes, whose containers have no environment).
    pub services: Option<kube::runtime::reflector::Store<k8s_openapi::api::core::v1::Service>>,
}

/// The worker's handle: the latest pod from the API (None once deleted).
pub type PodUpdates = watch::Sender<Option<Arc<Pod>>>;

/// Starts the worker of a pod; it ends once the pod is gone.
pub fn spawn(
    host: Arc<Host>,
    pod: Arc<Pod>,
    on_exit: impl FnOnce() + Send + 'static,
) -> PodUpdates {
    let (updates, receiver) = watch::channel(Some(pod.clone()));
    let worker = Worker::new(host, pod, receiver);
    tokio::spawn(async move {
        worker.run().await;
        on_exit();
    });
    updates
}

/// Which of the pod's container lists a container is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Init,
    Main,
    /// `kubectl debug`'s containers: run once, never restarted, no probes
    /// or ports.
    Ephemeral,
}

const SLOTS: [Slot; 3] = [Slot::Init, Slot::Main, Slot::Ephemeral];

/// One container slot of the pod (init, regular or ephemeral).
struct Run {
    name: String,
    /// A restartable init container (sidecar).
    sidecar: bool,
    init: bool,
    id: Option<String>,
    restart_count: i32,
    ever_started: bool,
    last: Option<ContainerStateTerminated>,
    before_last: Option<ContainerStateTerminated>,
    waiting: Option<(String, Option<String>)>,
    backoff: Duration,
    restart_at: Option<Instant>,
    /// Exited and will not be restarted.
    finished: bool,
    probes: Option<Probes>,
    /// The running instance's log file.
    log_path: Option<PathBuf>,
}

impl Run {
    fn new(name: &str, init: bool, sidecar: bool) -> Run {
        Run {
            name: name.to_string(),
            sidecar,
            init,
            id: None,
            restart_count: 0,
            ever_started: false,
            last: None,
            before_last: None,
            waiting: None,
            backoff: Duration::ZERO,
            restart_at: None,
            finished: false,
            probes: None,
            log_path: None,
        }
    }

    fn started(&self) -> bool {
        self.id.is_some()
            && self
                .probes
                .as_ref()
                .is_none_or(|p| p.verdicts.started.load(Ordering::SeqCst))
    }

    fn succeeded(&self) -> bool {
        self.id.is_none() && self.last.as_ref().is_some_and(|t| t.exit_code == 0)
    }
}

struct Worker {
    host: Arc<Host>,
    pod: Arc<Pod>,
    updates: watch::Receiver<Option<Arc<Pod>>>,
    removed: bool,
    wake: Arc<Notify>,
    sandbox: Option<Sandbox>,
    volumes: BTreeMap<String, Prepared>,
    volumes_at: Option<Instant>,
    volumes_ready: bool,
    sandbox_ip_kept: Option<IpAddr>,
    setup_retry: Option<Instant>,
    setup_failure: Option<String>,
    init: Vec<Run>,
    containers: Vec<Run>,
    /// Ephemeral containers, added as the pod's spec gains them.
    ephemeral: Vec<Run>,
    start_time: Time,
    created: Instant,
    reported_running: bool,
    terminal: Option<(&'static str, Option<(String, String)>)>,
    conditions: Option<Vec<PodCondition>>,
    last_pushed: Option<serde_json::Value>,
    /// The `digest` of the status last pushed.
    last_digest: Option<String>,
    push_failed: bool,
    /// The first pass (a pod worker's "create") is done.
    synced_once: bool,
    /// The runtime was asked for what an earlier kubelet left.
    adoption_tried: bool,
}

fn now_time() -> Time {
    Time(crate::runtime::now())
}

impl Worker {
    fn new(host: Arc<Host>, pod: Arc<Pod>, updates: watch::Receiver<Option<Arc<Pod>>>) -> Worker {
        let spec = pod.spec.clone().unwrap_or_default();
        let init = spec
            .init_containers
            .iter()
            .flatten()
            .map(|c| Run::new(&c.name, true, c.restart_policy.as_deref() == Some("Always")))
            .collect();
        let containers = spec
            .containers
            .iter()
            .map(|c| Run::new(&c.name, false, false))
            .collect();
        let start_time = pod
            .status
            .as_ref()
            .and_then(|s| s.start_time.clone())
            .unwrap_or_else(now_time);
        let mut worker = Worker {
            host,
            pod,
            updates,
            removed: false,
            wake: Arc::new(Notify::new()),
            sandbox: None,
            volumes: BTreeMap::new(),
            volumes_at: None,
            volumes_ready: false,
            sandbox_ip_kept: None,
            setup_retry: None,
            setup_failure: None,
            init,
            containers,
            ephemeral: Vec::new(),
            start_time,
            created: Instant::now(),
            reported_running: false,
            terminal: None,
            conditions: None,
            last_pushed: None,
            last_digest: None,
            push_failed: false,
            synced_once: false,
            adoption_tried: false,
        };
        worker.resume_from_status();
        worker.add_ephemeral_runs();
        worker
    }

    /// A run for each ephemeral container the spec gained; one the status
    /// already reports (an earlier kubelet ran it) is not run again.
    fn add_ephemeral_runs(&mut self) {
        let names: Vec<String> = self
            .pod
            .spec
            .iter()
            .flat_map(|s| s.ephemeral_containers.iter().flatten())
            .map(|c| c.name.clone())
            .collect();
        for name in names {
            if self.ephemeral.iter().any(|r| r.name == name) {
                continue;
            }
            let mut run = Run::new(&name, false, false);
            let reported = self
                .pod
                .status
                .as_ref()
                .and_then(|s| s.ephemeral_container_statuses.as_ref())
                .and_then(|statuses| statuses.iter().find(|c| c.name == name));
            if let Some(reported) = reported {
                run.finished = true;
                run.ever_started = true;
                run.last = reported.state.as_ref().and_then(|s| s.terminated.clone());
            }
            self.ephemeral.push(run);
        }
    }

    /// Picks up where the pod's reported status left off (an earlier
    /// kubelet ran it): restart counts, last terminations, and the
    /// containers that are done, so init containers that succeeded are not
    /// run again and the counts go on.
    fn resume_from_status(&mut self) {
        let Some(status) = self.pod.status.clone() else {
            return;
        };
        let policy = self.restart_policy();
        for (init, statuses) in [
            (true, status.init_container_statuses.unwrap_or_default()),
            (false, status.container_statuses.unwrap_or_default()),
        ] {
            let slot = if init { Slot::Init } else { Slot::Main };
            for reported in statuses {
                let Some(run) = self
                    .runs_mut(slot)
                    .iter_mut()
                    .find(|r| r.name == reported.name)
                else {
                    continue;
                };
                let state = reported.state.unwrap_or_default();
                let last = reported.last_state.and_then(|s| s.terminated);
                run.restart_count = reported.restart_count;
                run.ever_started =
                    state.running.is_some() || state.terminated.is_some() || last.is_some();
                match state.terminated {
                    Some(terminated) => {
                        // As `exited` decides: a succeeded init container
                        // is not finished but done.
                        let done = init && terminated.exit_code == 0;
                        run.finished =
                            !done && !restarts(&policy, init, run.sidecar, terminated.exit_code);
                        run.before_last = last;
                        run.last = Some(terminated);
                    }
                    None => run.last = last,
                }
                if run.last.is_some() && !run.finished {
                    // It has crashed before: the next crash backs off.
                    run.backoff = BACKOFF_INITIAL;
                }
            }
        }
    }

    /// Takes over the sandbox and containers an earlier kubelet left for
    /// this pod, if any; true if there was one.
    async fn adopt(&mut self) -> bool {
        let Some(adopted) = self
            .host
            .runtime
            .adopt_pod(&self.uid(), self.wake.clone())
            .await
        else {
            return false;
        };
        self.sandbox = Some(adopted.sandbox.clone());
        self.host.metrics.pod_started();
        // Its start was counted by the kubelet that made it.
        self.reported_running = true;
        for container in adopted.containers {
            let found = SLOTS.into_iter().find_map(|slot| {
                self.runs_mut(slot)
                    .iter()
                    .position(|r| r.name == container.name)
                    .map(|index| (slot, index))
            });
            let Some((init, index)) = found else {
                // No longer in the spec (cannot happen: containers are
                // immutable); not ours to run.
                self.host.runtime.remove_container(&container.id).await;
                continue;
            };
            let running = matches!(container.state, ContainerState::Running { .. });
            let probes = match (running, self.spec_container(init, index)) {
                (true, Some(spec)) => Some(probes::start(
                    probes::Target {
                        runtime: self.host.runtime.clone(),
                        container_id: container.id.clone(),
                        container: spec,
                        pod: self.pod.clone(),
                        pod_ip: adopted.sandbox.ip,
                        events: self.host.events.clone(),
                        wake: self.wake.clone(),
                    },
                    self.host.simulated,
                )),
                _ => None,
            };
            let run = &mut self.runs_mut(init)[index];
            run.id = Some(container.id);
            run.restart_count = container.attempt;
            run.ever_started = true;
            run.finished = false;
            run.waiting = None;
            run.restart_at = None;
            run.probes = probes;
            run.log_path = Some(container.log_path.clone());
            self.host.live_logs.started(&container.log_path);
            self.host.metrics.container_started();
        }
        true
    }

    fn name(&self) -> String {
        self.pod.metadata.name.clone().unwrap_or_default()
    }

    fn namespace(&self) -> String {
        self.pod.metadata.namespace.clone().unwrap_or_default()
    }

    fn uid(&self) -> String {
        self.pod.metadata.uid.clone().unwrap_or_default()
    }

    fn spec_container(&self, slot: Slot, index: usize) -> Option<Container> {
        let spec = self.pod.spec.as_ref()?;
        match slot {
            Slot::Init => spec.init_containers.as_ref()?.get(index).cloned(),
            Slot::Main => spec.containers.get(index).cloned(),
            Slot::Ephemeral => {
                // Run by name: the run list follows the spec's order, but
                // an ephemeral container is a container of fewer fields.
                let name = &self.ephemeral.get(index)?.name;
                let ephemeral = spec
                    .ephemeral_containers
                    .as_ref()?
                    .iter()
                    .find(|c| &c.name == name)?;
                serde_json::to_value(ephemeral)
                    .and_then(serde_json::from_value)
                    .ok()
            }
        }
    }

    fn restart_policy(&self) -> String {
        self.pod
            .spec
            .as_ref()
            .and_then(|s| s.restart_policy.clone())
            .unwrap_or_else(|| "Always".into())
    }

    async fn run(mut self) {
        let uid = self.uid();
        self.host
            .active_pods
            .register(&uid, self.pod.clone(), self.wake.clone());
        self.run_until_gone().await;
        self.host.active_pods.remove(&uid);
    }

    /// Tells the eviction manager which containers run now.
    fn report_containers(&self) {
        let running = self
            .init
            .iter()
            .chain(self.containers.iter())
            .chain(self.ephemeral.iter())
            .filter_map(|r| r.id.clone().map(|id| (r.name.clone(), id)))
            .collect();
        self.host.active_pods.containers(&self.uid(), running);
    }

    async fn run_until_gone(&mut self) {
        let mut stopping = self.host.stopping.clone();
        loop {
            if self.host.keep_pods_on_exit && *stopping.borrow() {
                // The kubelet stops and leaves the pod to the next one.
                return;
            }
            if self.removed || self.pod.metadata.deletion_timestamp.is_some() {
                let began = Instant::now();
                self.terminate().await;
                self.host
                    .metrics
                    .observe_pod_worker("kill", began.elapsed().as_secs_f64());
                return;
            }
            let began = Instant::now();
            let next = self.sync().await;
            let operation = if self.synced_once { "update" } else { "create" };
            self.synced_once = true;
            self.host
                .metrics
                .observe_pod_worker(operation, began.elapsed().as_secs_f64());
            let sleep = async {
                match next {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                _ = stopping.changed(), if self.host.keep_pods_on_exit => {}
                changed = self.updates.changed() => {
                    match changed {
                        Ok(()) => {
                            let latest = self.updates.borrow_and_update().clone();
                            match latest {
                            Some(pod) => {
                                // Someone else's status (a node controller's,
                                // or a mirror made anew) is overwritten.
                                if self.reported_status_differs(&pod) {
                                    self.last_pushed = None;
                                    self.last_digest = None;
                                }
                                self.host.active_pods.update(&self.uid(), pod.clone());
                                self.pod = pod;
                                self.add_ephemeral_runs();
                            }
                            None => self.removed = true,
                            }
                        }
                        Err(_) => self.removed = true,
                    }
                }
                _ = self.wake.notified() => {}
                _ = sleep => {}
            }
        }
    }

    /// One pass; returns when the next timed pass is due.
    async fn sync(&mut self) -> Option<Instant> {
        if self.terminal.is_none() {
            self.act().await;
        }
        if self.terminal.is_some() {
            // Finished pods are no one's to evict.
            self.host.active_pods.remove(&self.uid());
        }
        self.push_status().await;
        let mut next: Vec<Instant> = Vec::new();
        if self.terminal.is_none() {
            next.extend(self.setup_retry);
            next.extend(
                self.init
                    .iter()
                    .chain(self.containers.iter())
                    .chain(self.ephemeral.iter())
                    .filter_map(|r| r.restart_at),
            );
            if let Some(at) = self.volumes_at
                && !self.volumes.is_empty()
                && !self.host.simulated
            {
                next.push(at + VOLUME_REFRESH);
            }
            if let Some(deadline) = self.active_deadline() {
                next.push(deadline);
            }
        }
        if self.push_failed {
            next.push(Instant::now() + Duration::from_secs(1));
        }
        next.into_iter().min()
    }

    fn active_deadline(&self) -> Option<Instant> {
        let seconds = self.pod.spec.as_ref()?.active_deadline_seconds?;
        let elapsed = Timestamp::now()
            .duration_since(self.start_time.0)
            .as_secs_f64()
            .max(0.0);
        let left = (seconds as f64 - elapsed).max(0.0);
        Some(Instant::now() + Duration::from_secs_f64(left))
    }

    async fn act(&mut self) {
        if let Some(message) = self.host.active_pods.eviction(&self.uid()) {
            self.host
                .events
                .warning(self.pod.as_ref(), "Evicted", message.clone());
            self.stop_all(MINIMUM_GRACE).await;
            self.teardown_sandbox().await;
            self.terminal = Some(("Failed", Some(("Evicted".into(), message))));
            return;
        }
        if let Some(deadline) = self.active_deadline()
            && deadline <= Instant::now()
        {
            self.host.events.normal(
                self.pod.as_ref(),
                "DeadlineExceeded",
                "Pod was active on the node longer than the specified deadline".into(),
            );
            self.stop_all(self.grace(None)).await;
            self.teardown_sandbox().await;
            self.terminal = Some((
                "Failed",
                Some((
                    "DeadlineExceeded".into(),
                    "Pod was active on the node longer than the specified deadline".into(),
                )),
            ));
            return;
        }
        if !self.ensure_sandbox().await {
            return;
        }
        self.refresh_volumes().await;
        self.observe().await;
        let mut initialized = true;
        for index in 0..self.init.len() {
            let run = &self.init[index];
            if run.sidecar {
                self.ensure_running(Slot::Init, index).await;
                if !self.init[index].started() {
                    initialized = false;
                    break;
                }
                continue;
            }
            if run.succeeded() {
                continue;
            }
            initialized = false;
            if run.id.is_none() && !run.finished {
                self.ensure_running(Slot::Init, index).await;
            }
            break;
        }
        if initialized {
            for index in 0..self.containers.len() {
                self.ensure_running(Slot::Main, index).await;
            }
            for index in 0..self.ephemeral.len() {
                self.ensure_running(Slot::Ephemeral, index).await;
            }
        }
        self.report_containers();
        let phase = self.phase();
        if phase == "Succeeded" || phase == "Failed" {
            // Sidecars stop once the pod's work is done.
            self.stop_all(MINIMUM_GRACE).await;
            self.teardown_sandbox().await;
            self.terminal = Some((phase, None));
        }
    }

    /// The handler of RuntimeClass `class`, if this node's runtime has it.
    async fn runtime_handler(&self, class: &str) -> Result<String, String> {
        let classes: kube::Api<k8s_openapi::api::node::v1::RuntimeClass> =
            kube::Api::all(self.host.client.clone());
        let handler = match classes.get_opt(class).await {
            Ok(Some(found)) => found.handler,
            Ok(None) => return Err(format!("runtimeclass.node.k8s.io {class:?} not found")),
            Err(err) => return Err(format!("failed to lookup RuntimeClass {class}: {err}")),
        };
        if handler.is_empty() || self.host.runtime.handlers().contains(&handler.as_str()) {
            Ok(handler)
        } else {
            Err(format!(
                "failed to get sandbox runtime: no runtime for {handler:?} is configured"
            ))
        }
    }

    /// Sets up the sandbox and volumes; false while they are not there.
    async fn ensure_sandbox(&mut self) -> bool {
        if self.sandbox.is_some() && self.volumes_ready {
            return true;
        }
        if let Some(at) = self.setup_retry
            && Instant::now() < at
        {
            return false;
        }
        self.setup_retry = Some(Instant::now() + SETUP_RETRY);
        if self.sandbox.is_none() && !self.adoption_tried {
            self.adoption_tried = true;
            self.adopt().await;
        }
        if self.sandbox.is_none() {
            if !self.host.runtime.network_ready() {
                self.setup_failure = Some("NetworkNotReady".into());
                return false;
            }
            let spec = self.pod.spec.clone().unwrap_or_default();
            if let Some(class) = spec.runtime_class_name.as_deref().filter(|c| !c.is_empty())
                && let Err(err) = self.runtime_handler(class).await
            {
                self.host.events.warning(
                    self.pod.as_ref(),
                    "FailedCreatePodSandBox",
                    format!("Failed to create pod sandbox: {err}"),
                );
                self.setup_failure = Some(err);
                return false;
            }
            let config = SandboxConfig {
                pod_uid: self.uid(),
                name: self.name(),
                namespace: self.namespace(),
                hostname: spec.hostname.clone().unwrap_or_else(|| self.name()),
                host_network: spec.host_network == Some(true),
                share_process_namespace: spec.share_process_namespace == Some(true)
                    && spec.host_pid != Some(true),
            };
            match self.host.runtime.run_pod_sandbox(&config).await {
                Ok(sandbox) => {
                    self.sandbox = Some(sandbox);
                    self.host.metrics.pod_started();
                }
                Err(err) => {
                    self.host.events.warning(
                        self.pod.as_ref(),
                        "FailedCreatePodSandBox",
                        format!("Failed to create pod sandbox: {err}"),
                    );
                    self.setup_failure = Some(err.to_string());
                    return false;
                }
            }
        }
        if !self.refresh_volumes_now().await {
            return false;
        }
        self.volumes_ready = true;
        self.setup_retry = None;
        self.setup_failure = None;
        true
    }

    async fn refresh_volumes(&mut self) {
        if self.host.simulated {
            return;
        }
        if self
            .volumes_at
            .is_some_and(|at| at.elapsed() < VOLUME_REFRESH)
        {
            return;
        }
        self.refresh_volumes_now().await;
    }

    async fn refresh_volumes_now(&mut self) -> bool {
        if self.host.simulated {
            return true;
        }
        let pod_ip = self.pod_ip();
        let host_ip = self.host.node_ip.to_string();
        match volumes::prepare(
            &self.host.client,
            &self.host.tokens,
            &self.host.pods_dir,
            &self.pod,
            &pod_ip,
            &host_ip,
        )
        .await
        {
            Ok(prepared) => {
                self.volumes = prepared;
                self.volumes_at = Some(Instant::now());
                true
            }
            Err(err) => {
                if self.setup_failure.as_deref() != Some(&err.to_string()) {
                    self.host
                        .events
                        .warning(self.pod.as_ref(), "FailedMount", err.to_string());
                }
                self.setup_failure = Some(err.to_string());
                self.volumes_at = Some(Instant::now());
                false
            }
        }
    }

    fn pod_ip(&self) -> String {
        self.sandbox
            .as_ref()
            .map(|s| s.ip.to_string())
            .unwrap_or_default()
    }

    /// The runtime id of the container whose PID namespace an ephemeral
    /// container names as its target (`targetContainerName`), if any.
    fn debug_target(&self, slot: Slot, name: &str) -> Result<Option<String>, String> {
        if slot != Slot::Ephemeral {
            return Ok(None);
        }
        let Some(target) = self
            .pod
            .spec
            .as_ref()
            .and_then(|s| s.ephemeral_containers.as_ref())
            .and_then(|list| list.iter().find(|c| c.name == name))
            .and_then(|c| c.target_container_name.clone())
            .filter(|t| !t.is_empty())
        else {
            return Ok(None);
        };
        self.containers
            .iter()
            .chain(self.init.iter())
            .find(|run| run.name == target)
            .and_then(|run| run.id.clone())
            .map(Some)
            .ok_or_else(|| format!("unable to find target container {target}"))
    }

    fn runs_mut(&mut self, slot: Slot) -> &mut Vec<Run> {
        match slot {
            Slot::Init => &mut self.init,
            Slot::Main => &mut self.containers,
            Slot::Ephemeral => &mut self.ephemeral,
        }
    }

    /// Takes in exits and failed liveness or startup probes.
    async fn observe(&mut self) {
        for init in SLOTS {
            for index in 0..self.runs_mut(init).len() {
                let (id, failed_probe) = {
                    let run = &self.runs_mut(init)[index];
                    let failed = run
                        .probes
                        .as_ref()
                        .filter(|p| p.verdicts.failed.load(Ordering::SeqCst))
                        .map(|p| p.verdicts.failed_kind.lock().ok().and_then(|k| *k));
                    (run.id.clone(), failed)
                };
                let Some(id) = id else { continue };
                if let Some(kind) = failed_probe {
                    let name = self.runs_mut(init)[index].name.clone();
                    self.host.events.normal(
                        self.pod.as_ref(),
                        "Killing",
                        probes::restart_message(kind, &name),
                    );
                    self.runs_mut(init)[index].probes = None;
                    let grace = self.grace_for(init, index, kind);
                    let _ = self.host.runtime.stop_container(&id, grace).await;
                }
                if let Some(ContainerState::Exited {
                    exit_code,
                    reason,
                    started_at,
                    finished_at,
                }) = self.host.runtime.container_state(&id)
                {
                    self.exited(init, index, &id, exit_code, reason, started_at, finished_at)
                        .await;
                }
            }
        }
    }

    fn grace_for(&self, init: Slot, index: usize, kind: Option<probes::Kind>) -> Duration {
        let container = self.spec_container(init, index);
        let probe = container.and_then(|c| match kind {
            Some(probes::Kind::Startup) => c.startup_probe,
            _ => c.liveness_probe,
        });
        self.grace(probe.and_then(|p| p.termination_grace_period_seconds))
    }

    /// `first` seconds, else the pod's terminationGracePeriodSeconds (30),
    /// never under the minimum.
    fn grace(&self, first: Option<i64>) -> Duration {
        let seconds = first
            .or_else(|| {
                self.pod
                    .spec
                    .as_ref()
                    .and_then(|s| s.termination_grace_period_seconds)
            })
            .unwrap_or(30);
        grace_from_seconds(seconds)
    }

    fn container_id(&self, id: &str) -> String {
        let version = self.host.runtime.version();
        let scheme = version.split("://").next().unwrap_or("process");
        format!("{scheme}://{id}")
    }

    #[allow(clippy::too_many_arguments)]
    async fn exited(
        &mut self,
        init: Slot,
        index: usize,
        id: &str,
        exit_code: i32,
        reason: Option<String>,
        started_at: Option<Timestamp>,
        finished_at: Timestamp,
    ) {
        let container_id = self.container_id(id);
        self.host.runtime.remove_container(id).await;
        let policy = self.restart_policy();
        let pod_label = format!("{}_{}({})", self.name(), self.namespace(), self.uid());
        let terminated =
            ContainerStateTerminated {
                exit_code,
                reason: Some(reason.unwrap_or_else(|| {
                    if exit_code == 0 { "Completed" } else { "Error" }.to_string()
                })),
                started_at: started_at.map(Time),
                finished_at: Some(Time(finished_at)),
                container_id: Some(container_id),
                message: None,
                signal: None,
            };
        let live_logs = self.host.live_logs.clone();
        self.host.metrics.container_stopped();
        let run = &mut self.runs_mut(init)[index];
        if let Some(path) = run.log_path.take() {
            live_logs.ended(&path);
        }
        run.id = None;
        run.probes = None;
        run.before_last = run.last.take();
        run.last = Some(terminated);
        if init == Slot::Ephemeral || !restarts(&policy, init == Slot::Init, run.sidecar, exit_code)
        {
            run.finished = exit_code != 0 || init != Slot::Init;
            run.restart_at = None;
            run.waiting = None;
            return;
        }
        let ran_for = started_at
            .map(|s| finished_at.duration_since(s).as_secs_f64())
            .unwrap_or(0.0);
        if ran_for >= BACKOFF_RESET.as_secs_f64() {
            run.backoff = Duration::ZERO;
        }
        if run.backoff.is_zero() {
            run.backoff = BACKOFF_INITIAL;
            run.restart_at = None;
            run.waiting = None;
        } else {
            let delay = run.backoff;
            run.restart_at = Some(Instant::now() + delay);
            run.waiting = Some((
                "CrashLoopBackOff".into(),
                Some(format!(
                    "back-off {} restarting failed container={} pod={pod_label}",
                    show_duration(delay),
                    run.name
                )),
            ));
            run.backoff = (delay * 2).min(BACKOFF_MAX);
            let message = format!(
                "Back-off restarting failed container {} in pod {pod_label}",
                run.name
            );
            self.host
                .events
                .warning(self.pod.as_ref(), "BackOff", message);
        }
    }

    /// Starts the container unless it runs, is done, or backs off.
    async fn ensure_running(&mut self, init: Slot, index: usize) {
        {
            let run = &mut self.runs_mut(init)[index];
            if run.id.is_some()
                || run.finished
                || (init == Slot::Init && !run.sidecar && run.succeeded())
            {
                return;
            }
            if let Some(at) = run.restart_at {
                if Instant::now() < at {
                    return;
                }
                run.restart_at = None;
            }
        }
        let Some(container) = self.spec_container(init, index) else {
            return;
        };
        let Some(sandbox) = self.sandbox.clone() else {
            return;
        };
        let image = container.image.clone().unwrap_or_default();
        let fail = |worker: &mut Worker, reason: &str, message: String| {
            worker
                .host
                .events
                .warning(worker.pod.as_ref(), "Failed", format!("Error: {message}"));
            let run = &mut worker.runs_mut(init)[index];
            run.waiting = Some((reason.to_string(), Some(message)));
            let delay = if run.backoff.is_zero() {
                BACKOFF_INITIAL
            } else {
                run.backoff
            };
            run.restart_at = Some(Instant::now() + delay);
            run.backoff = (delay * 2).min(BACKOFF_MAX);
        };
        let pod_ip = sandbox.ip.to_string();
        let host_ip = self.host.node_ip.to_string();
        let namespace = self.namespace();
        let env = match self.service_env().await {
            Ok(service_vars) => {
                let mut sources = crate::env::Sources::new(&self.host.client, &namespace);
                crate::env::container_env(
                    &mut sources,
                    &self.pod,
                    &container,
                    &pod_ip,
                    &host_ip,
                    &self.host.allocatable,
                    &service_vars,
                )
                .await
            }
            Err(err) => Err(err),
        };
        let mut env = match env {
            Ok(env) => env,
            Err(err) => {
                fail(self, "CreateContainerConfigError", err.to_string());
                return;
            }
        };
        if !env.iter().any(|(k, _)| k == "HOSTNAME") {
            let hostname = self
                .pod
                .spec
                .as_ref()
                .and_then(|s| s.hostname.clone())
                .unwrap_or_else(|| self.name());
            env.insert(0, ("HOSTNAME".into(), hostname));
        }
        let mounts = match self.mounts(&container) {
            Ok(mounts) => mounts,
            Err(message) => {
                fail(self, "CreateContainerConfigError", message);
                return;
            }
        };
        self.host.events.normal(
            self.pod.as_ref(),
            "Pulled",
            format!("Container image {image:?} already present on machine"),
        );
        let restart_count = {
            let run = &self.runs_mut(init)[index];
            run.restart_count + i32::from(run.ever_started)
        };
        // `kubectl debug --target`: the target's current instance.
        let target = match self.debug_target(init, &container.name) {
            Ok(target) => target,
            Err(message) => {
                fail(self, "CreateContainerConfigError", message);
                return;
            }
        };
        let limits = container.resources.as_ref().and_then(|r| r.limits.clone());
        let limit = |name: &str| {
            limits
                .as_ref()
                .and_then(|l| l.get(name))
                .and_then(|q| api::quantity::value(&q.0))
        };
        let pod_security = self
            .pod
            .spec
            .as_ref()
            .and_then(|s| s.security_context.clone());
        let pod_label = format!("{}_{}({})", self.name(), self.namespace(), self.uid());
        if let Err(message) = crate::security_context::verify_run_as_non_root(
            &pod_label,
            &container,
            pod_security.as_ref(),
        ) {
            fail(self, "CreateContainerConfigError", message);
            return;
        }
        let security = crate::security_context::process_security(
            pod_security.as_ref(),
            container.security_context.as_ref(),
        );
        let mut not_honoured =
            crate::security_context::not_honoured(&container, pod_security.as_ref())
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>();
        not_honoured.extend(
            security
                .unknown_capabilities
                .iter()
                .map(|name| format!("capability {name:?}")),
        );
        if !not_honoured.is_empty() && self.host.runtime.version().starts_with("process:") {
            self.host.events.warning(
                self.pod.as_ref(),
                "SecurityContextNotApplied",
                format!(
                    "The process runtime does not apply {} of container {}",
                    not_honoured.join(", "),
                    container.name
                ),
            );
        }
        let config = ContainerConfig {
            name: container.name.clone(),
            attempt: restart_count,
            image: image.clone(),
            argv: crate::env::argv(&container, &env),
            env,
            working_dir: container.working_dir.clone().filter(|d| !d.is_empty()),
            mounts,
            log_path: self.log_path(&container.name, restart_count),
            run_as_user: security.run_as_user,
            run_as_group: security.run_as_group,
            supplemental_groups: security.supplemental_groups,
            capabilities: security.capabilities,
            no_new_privileges: security.no_new_privileges,
            memory_limit: limit("memory").map(|m| m as u64),
            cpu_limit_millis: limit("cpu").map(|c| (c * 1000.0).ceil() as u64),
            annotations: self.pod.metadata.annotations.clone().unwrap_or_default(),
            stdin: container.stdin.unwrap_or(false),
            stdin_once: container.stdin_once.unwrap_or(false),
            tty: container.tty.unwrap_or(false),
            host_pid: self
                .pod
                .spec
                .as_ref()
                .and_then(|s| s.host_pid)
                .unwrap_or(false),
            target_container_id: target,
        };
        let log_path = config.log_path.clone();
        let id = match self.host.runtime.create_container(&sandbox, config).await {
            Ok(id) => id,
            Err(err) => {
                fail(self, "CreateContainerError", err.to_string());
                return;
            }
        };
        self.host.events.normal(
            self.pod.as_ref(),
            "Created",
            format!("Created container {}", container.name),
        );
        if let Err(err) = self
            .host
            .runtime
            .start_container(&id, self.wake.clone())
            .await
        {
            self.host.runtime.remove_container(&id).await;
            fail(self, "RunContainerError", err.to_string());
            return;
        }
        self.host.events.normal(
            self.pod.as_ref(),
            "Started",
            format!("Started container {}", container.name),
        );
        let probes = probes::start(
            probes::Target {
                runtime: self.host.runtime.clone(),
                container_id: id.clone(),
                container: container.clone(),
                pod: self.pod.clone(),
                pod_ip: sandbox.ip,
                events: self.host.events.clone(),
                wake: self.wake.clone(),
            },
            self.host.simulated,
        );
        {
            let run = &mut self.runs_mut(init)[index];
            run.restart_count = restart_count;
            run.ever_started = true;
            run.id = Some(id.clone());
            run.waiting = None;
            run.probes = Some(probes);
            run.log_path = Some(log_path.clone());
        }
        self.host.live_logs.started(&log_path);
        self.host.metrics.container_started();
        if let Some(hook) = container
            .lifecycle
            .as_ref()
            .and_then(|l| l.post_start.as_ref())
            && !self.host.simulated
        {
            let handler = lifecycle_handler(hook);
            if let Some(handler) = handler {
                let outcome = probes::run(
                    &handler,
                    self.host.runtime.as_ref(),
                    &id,
                    &container,
                    sandbox.ip,
                    self.grace_for(init, index, None),
                )
                .await;
                if let probes::Outcome::Failure(message) = outcome {
                    self.host.events.warning(
                        self.pod.as_ref(),
                        "FailedPostStartHook",
                        format!("PostStartHook failed: {message}"),
                    );
                    let _ = self.host.runtime.stop_container(&id, MINIMUM_GRACE).await;
                }
            }
        }
    }

    fn log_path(&self, container: &str, restart_count: i32) -> PathBuf {
        self.host
            .logs_dir
            .join(format!(
                "{}_{}_{}",
                self.namespace(),
                self.name(),
                self.uid()
            ))
            .join(container)
            .join(format!("{restart_count}.log"))
    }

    fn mounts(&self, container: &Container) -> Result<Vec<Mount>, String> {
        let mut mounts = Vec::new();
        if self.host.simulated {
            return Ok(mounts);
        }
        mounts.push(Mount {
            host_path: self.resolv_conf()?,
            container_path: PathBuf::from("/etc/resolv.conf"),
            read_only: true,
        });
        for mount in container.volume_mounts.iter().flatten() {
            let prepared = self
                .volumes
                .get(&mount.name)
                .ok_or_else(|| format!("volume {:?} is not set up on this node", mount.name))?;
            let mut host_path = prepared.path.clone();
            let sub = mount.sub_path.clone().filter(|s| !s.is_empty());
            if let Some(sub) = sub {
                if sub.split('/').any(|p| p == "..") || sub.starts_with('/') {
                    return Err(format!("invalid subPath {sub:?}"));
                }
                host_path = host_path.join(&sub);
                if !host_path.exists() && !prepared.read_only {
                    std::fs::create_dir_all(&host_path).map_err(|e| {
                        format!("cannot create subPath {}: {e}", host_path.display())
                    })?;
                }
            }
            mounts.push(Mount {
                host_path,
                container_path: PathBuf::from(&mount.mount_path),
                read_only: mount.read_only == Some(true) || prepared.read_only,
            });
        }
        Ok(mounts)
    }

    /// The pod's resolv.conf, written once per pod (it does not change
    /// while the pod runs, as upstream).
    fn resolv_conf(&self) -> Result<PathBuf, String> {
        let path = volumes::pod_dir(&self.host.pods_dir, &self.uid()).join("resolv.conf");
        if path.exists() {
            return Ok(path);
        }
        let host_text =
            std::fs::read_to_string(&self.host.dns.host_resolv_conf).unwrap_or_default();
        let (text, warning) = crate::dns::pod_resolv_conf(&self.pod, &self.host.dns, &host_text);
        if let Some((reason, message)) = warning {
            self.host.events.warning(self.pod.as_ref(), reason, message);
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let partial = path.with_extension("tmp");
        std::fs::write(&partial, text)
            .and_then(|()| std::fs::rename(&partial, &path))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(path)
    }

    /// Stops every running container: regular ones together, then the
    /// sidecars, each with its preStop hook first.
    async fn stop_all(&mut self, grace: Duration) {
        let deadline = Instant::now() + grace;
        for init in [Slot::Ephemeral, Slot::Main, Slot::Init] {
            let mut stopping = Vec::new();
            for index in 0..self.runs_mut(init).len() {
                let run = &self.runs_mut(init)[index];
                let Some(id) = run.id.clone() else { continue };
                let name = run.name.clone();
                self.host.events.normal(
                    self.pod.as_ref(),
                    "Killing",
                    format!("Stopping container {name}"),
                );
                let container = self.spec_container(init, index);
                let runtime = self.host.runtime.clone();
                let pod_ip = self
                    .sandbox
                    .as_ref()
                    .map(|s| s.ip)
                    .unwrap_or(self.host.node_ip);
                let events = self.host.events.clone();
                let pod = self.pod.clone();
                let simulated = self.host.simulated;
                stopping.push(async move {
                    if let Some(container) = container
                        && let Some(hook) = container
                            .lifecycle
                            .as_ref()
                            .and_then(|l| l.pre_stop.as_ref())
                        && let Some(handler) = lifecycle_handler(hook)
                        && !simulated
                    {
                        let left = deadline.saturating_duration_since(Instant::now());
                        let outcome = probes::run(
                            &handler,
                            runtime.as_ref(),
                            &id,
                            &container,
                            pod_ip,
                            left.max(Duration::from_secs(1)),
                        )
                        .await;
                        if let probes::Outcome::Failure(message) = outcome {
                            events.warning(
                                pod.as_ref(),
                                "FailedPreStopHook",
                                format!("PreStopHook failed: {message}"),
                            );
                        }
                    }
                    let left = deadline.saturating_duration_since(Instant::now());
                    let _ = runtime.stop_container(&id, left.max(MINIMUM_GRACE)).await;
                });
            }
            futures::future::join_all(stopping).await;
        }
        self.observe().await;
    }

    /// The service variables of this pod's containers; they wait for the
    /// first list of Services, as the kubelet does.
    async fn service_env(&self) -> Result<BTreeMap<String, String>, crate::env::ConfigError> {
        let Some(services) = &self.host.services else {
            return Ok(BTreeMap::new());
        };
        let ready = tokio::time::timeout(SERVICES_SYNC_WAIT, services.wait_until_ready()).await;
        if !matches!(ready, Ok(Ok(()))) {
            return Err(crate::env::ConfigError(
                "services have not yet been read at least once, cannot construct envvars".into(),
            ));
        }
        let links = self
            .pod
            .spec
            .as_ref()
            .and_then(|s| s.enable_service_links)
            .unwrap_or(true);
        Ok(crate::env::service_env(
            &services.state(),
            &self.namespace(),
            links,
        ))
    }

    async fn teardown_sandbox(&mut self) {
        if let Some(sandbox) = self.sandbox.take() {
            self.host.metrics.pod_stopped();
            if let Err(err) = self.host.runtime.remove_pod_sandbox(&sandbox).await {
                tracing::warn!(pod = %self.name(), error = %err, "removing a pod sandbox");
            }
            // The pod keeps its IP in its status.
            self.sandbox_ip_kept = Some(sandbox.ip);
        }
    }

    /// The pod is being deleted (or is gone): stop it, report the end, and
    /// remove it from the API.
    async fn terminate(&mut self) {
        // A pod deleted while no kubelet ran: what the last one left of it
        // is stopped too.
        if self.sandbox.is_none() && !self.adoption_tried {
            self.adoption_tried = true;
            self.adopt().await;
        }
        let grace = if self.removed {
            MINIMUM_GRACE
        } else {
            self.grace(self.pod.metadata.deletion_grace_period_seconds)
        };
        self.stop_all(grace).await;
        self.teardown_sandbox().await;
        volumes::clean_up(&self.host.pods_dir, &self.uid());
        self.host.tokens.forget_pod(&self.uid());
        // A deleted pod's logs go with it.
        let _ = std::fs::remove_dir_all(self.host.logs_dir.join(format!(
            "{}_{}_{}",
            self.namespace(),
            self.name(),
            self.uid()
        )));
        if self.removed {
            return;
        }
        if self.terminal.is_none() {
            let all_ok = self
                .containers
                .iter()
                .all(|r| r.last.as_ref().is_some_and(|t| t.exit_code == 0));
            self.terminal = Some((if all_ok { "Succeeded" } else { "Failed" }, None));
        }
        self.push_status().await;
        let api: Api<Pod> = Api::namespaced(self.host.client.clone(), &self.namespace());
        let params = DeleteParams {
            grace_period_seconds: Some(0),
            preconditions: Some(Preconditions {
                uid: Some(self.uid()),
                resource_version: None,
            }),
            ..DeleteParams::default()
        };
        if let Err(err) = api.delete(&self.name(), &params).await
            && !matches!(&err, kube::Error::Api(status) if status.code == 404 || status.code == 409)
        {
            tracing::warn!(pod = %self.name(), error = %err, "deleting a terminated pod");
        }
    }

    fn phase(&self) -> &'static str {
        if let Some((phase, _)) = &self.terminal {
            return phase;
        }
        let (init, containers) = self.container_statuses();
        let sidecars: Vec<bool> = self.init.iter().map(|r| r.sidecar).collect();
        crate::status::phase(&self.pod, &init, &containers, &sidecars)
    }

    fn container_status(
        &self,
        run: &Run,
        container: &Container,
        initialized: bool,
    ) -> ContainerStatus {
        let image = container.image.clone().unwrap_or_default();
        let live = run
            .id
            .as_ref()
            .and_then(|id| self.host.runtime.container_state(id).map(|s| (id, s)));
        let verdicts = run.probes.as_ref().map(|p| p.verdicts.clone());
        let started_ok = verdicts
            .as_ref()
            .is_none_or(|v| v.started.load(Ordering::SeqCst));
        let ready_ok = verdicts
            .as_ref()
            .is_none_or(|v| v.ready.load(Ordering::SeqCst));
        let waiting = |reason: &str, message: Option<String>| ApiState {
            waiting: Some(ContainerStateWaiting {
                reason: Some(reason.to_string()),
                message,
            }),
            ..ApiState::default()
        };
        let (state, last_state, running, container_id) = match live {
            Some((id, ContainerState::Running { started_at })) => (
                ApiState {
                    running: Some(ContainerStateRunning {
                        started_at: Some(Time(started_at)),
                    }),
                    ..ApiState::default()
                },
                run.last.clone(),
                true,
                Some(self.container_id(id)),
            ),
            Some((id, _)) => (
                waiting("ContainerCreating", None),
                run.last.clone(),
                false,
                Some(self.container_id(id)),
            ),
            None if self.terminal.is_some() && !run.finished && !run.succeeded() => (
                // A finished pod's containers are all terminated.
                ApiState {
                    terminated: Some(run.last.clone().unwrap_or_else(|| {
                        ContainerStateTerminated {
                            exit_code: 137,
                            reason: Some("ContainerStatusUnknown".into()),
                            message: Some(
                                "The container could not be located when the pod was terminated"
                                    .into(),
                            ),
                            ..ContainerStateTerminated::default()
                        }
                    })),
                    ..ApiState::default()
                },
                if run.last.is_some() {
                    run.before_last.clone()
                } else {
                    run.last.clone()
                },
                false,
                run.last.as_ref().and_then(|t| t.container_id.clone()),
            ),
            None if run.finished || (run.init && !run.sidecar && run.succeeded()) => (
                ApiState {
                    terminated: run.last.clone(),
                    ..ApiState::default()
                },
                run.before_last.clone(),
                false,
                run.last.as_ref().and_then(|t| t.container_id.clone()),
            ),
            None => {
                let (reason, message) = match &run.waiting {
                    Some((reason, message)) => (reason.clone(), message.clone()),
                    None if !run.init && !initialized => ("PodInitializing".into(), None),
                    None => ("ContainerCreating".into(), None),
                };
                (
                    waiting(&reason, message),
                    run.last.clone(),
                    false,
                    run.last.as_ref().and_then(|t| t.container_id.clone()),
                )
            }
        };
        ContainerStatus {
            name: run.name.clone(),
            image: image.clone(),
            image_id: image,
            container_id,
            ready: running && started_ok && ready_ok,
            started: Some(running && started_ok),
            restart_count: run.restart_count,
            state: Some(state),
            last_state: Some(ApiState {
                terminated: last_state,
                ..ApiState::default()
            }),
            ..ContainerStatus::default()
        }
    }

    fn container_statuses(&self) -> (Vec<ContainerStatus>, Vec<ContainerStatus>) {
        let spec = self.pod.spec.clone().unwrap_or_default();
        let init_specs = spec.init_containers.unwrap_or_default();
        let initialized = self.init.iter().all(|r| {
            if r.sidecar {
                r.started()
            } else {
                r.succeeded()
            }
        });
        let init = self
            .init
            .iter()
            .zip(init_specs.iter())
            .map(|(run, c)| self.container_status(run, c, true))
            .collect();
        let containers = self
            .containers
            .iter()
            .zip(spec.containers.iter())
            .map(|(run, c)| self.container_status(run, c, initialized))
            .collect();
        (init, containers)
    }

    /// The ephemeral containers' statuses (never ready: no probes).
    fn ephemeral_statuses(&self) -> Vec<ContainerStatus> {
        (0..self.ephemeral.len())
            .filter_map(|index| {
                let spec = self.spec_container(Slot::Ephemeral, index)?;
                let mut status = self.container_status(&self.ephemeral[index], &spec, true);
                status.ready = false;
                Some(status)
            })
            .collect()
    }

    fn build_status(&mut self) -> PodStatus {
        let (init, containers) = self.container_statuses();
        let ephemeral = self.ephemeral_statuses();
        let phase = self.phase();
        let now = now_time();
        let mut previous_pod = (*self.pod).clone();
        if let Some(conditions) = &self.conditions {
            let status = previous_pod.status.get_or_insert_with(Default::default);
            let mut merged = conditions.clone();
            for kept in status.conditions.iter().flatten() {
                if !merged.iter().any(|c| c.type_ == kept.type_) {
                    merged.push(kept.clone());
                }
            }
            status.conditions = Some(merged);
        }
        let conditions = crate::status::conditions(
            &previous_pod,
            self.sandbox.is_some(),
            &init,
            &containers,
            phase,
            &now,
        );
        let mut conditions = conditions;
        if let Some((_, Some((reason, message)))) = &self.terminal
            && reason == "Evicted"
            && !conditions.iter().any(|c| c.type_ == "DisruptionTarget")
        {
            conditions.push(PodCondition {
                type_: "DisruptionTarget".into(),
                status: "True".into(),
                reason: Some("TerminationByKubelet".into()),
                message: Some(message.clone()),
                last_transition_time: Some(now.clone()),
                last_probe_time: None,
                observed_generation: None,
            });
        }
        self.conditions = Some(conditions.clone());
        let pod_ip = self.sandbox.as_ref().map(|s| s.ip).or(self.sandbox_ip_kept);
        let (reason, message) = match &self.terminal {
            Some((_, Some((reason, message)))) => (Some(reason.clone()), Some(message.clone())),
            _ => (None, None),
        };
        let host_ip = self.host.node_ip.to_string();
        PodStatus {
            phase: Some(phase.to_string()),
            conditions: Some(conditions),
            host_ip: Some(host_ip.clone()),
            host_ips: Some(vec![HostIP { ip: host_ip }]),
            pod_ip: pod_ip.map(|ip| ip.to_string()),
            pod_ips: pod_ip.map(|ip| vec![PodIP { ip: ip.to_string() }]),
            start_time: Some(self.start_time.clone()),
            qos_class: self.pod.status.as_ref().and_then(|s| s.qos_class.clone()),
            init_container_statuses: (!init.is_empty()).then_some(init),
            container_statuses: Some(containers),
            ephemeral_container_statuses: (!ephemeral.is_empty()).then_some(ephemeral),
            reason,
            message,
            ..PodStatus::default()
        }
    }

    /// Whether the API's status of the pod is not what was last reported.
    fn reported_status_differs(&self, pod: &Pod) -> bool {
        self.last_digest
            .as_ref()
            .is_some_and(|pushed| *pushed != digest(pod.status.as_ref()))
    }

    async fn push_status(&mut self) {
        let status = self.build_status();
        let Ok(mut value) = serde_json::to_value(&status) else {
            return;
        };
        // Nothing changed since the last report: nothing to send.
        if self.last_pushed.as_ref() == Some(&value) {
            return;
        }
        if let Some(object) = value.as_object_mut() {
            for key in [
                "reason",
                "message",
                "podIP",
                "podIPs",
                "initContainerStatuses",
            ] {
                object.entry(key).or_insert(serde_json::Value::Null);
            }
        }
        let api: Api<Pod> = Api::namespaced(self.host.client.clone(), &self.namespace());
        let patch = json!({ "status": value });
        match api
            .patch_status(&self.name(), &PatchParams::default(), &Patch::Merge(&patch))
            .await
        {
            Ok(_) => {
                self.push_failed = false;
                if let Some(object) = value.as_object_mut() {
                    object.retain(|_, v| !v.is_null());
                }
                self.last_pushed = Some(value);
                self.last_digest = Some(digest(Some(&status)));
                let phase = status.phase.as_deref().unwrap_or_default();
                if !self.reported_running
                    && status
                        .conditions
                        .iter()
                        .flatten()
                        .any(|c| c.type_ == "Ready" && c.status == "True")
                {
                    self.reported_running = true;
                    self.host
                        .metrics
                        .observe_pod_start(self.created.elapsed().as_secs_f64());
                }
                tracing::debug!(pod = %self.name(), phase, "pod status reported");
            }
            Err(kube::Error::Api(status)) if status.code == 404 => {
                self.push_failed = false;
            }
            Err(err) => {
                self.push_failed = true;
                tracing::debug!(pod = %self.name(), error = %err, "reporting pod status");
            }
        }
    }
}

/// What of a pod status must match what the kubelet reported: phase,
/// condition statuses, and each container's readiness, restarts and state.
/// Whether a container that exited with `exit_code` is started again.
fn restarts(policy: &str, init: bool, sidecar: bool, exit_code: i32) -> bool {
    if sidecar {
        true
    } else if init {
        exit_code != 0 && policy != "Never"
    } else {
        match policy {
            "Always" => true,
            "OnFailure" => exit_code != 0,
            _ => false,
        }
    }
}

fn digest(status: Option<&PodStatus>) -> String {
    let Some(status) = status else {
        return String::new();
    };
    let mut out = status.phase.clone().unwrap_or_default();
    for condition in status.conditions.iter().flatten() {
        out.push_str(&format!(" {}={}", condition.type_, condition.status));
    }
    for container in status
        .container_statuses
        .iter()
        .flatten()
        .chain(status.ephemeral_container_statuses.iter().flatten())
    {
        let state = container.state.as_ref();
        let kind = if state.and_then(|s| s.running.as_ref()).is_some() {
            "running"
        } else if state.and_then(|s| s.terminated.as_ref()).is_some() {
            "terminated"
        } else {
            "waiting"
        };
        out.push_str(&format!(
            " {}:{}:{}:{kind}",
            container.name, container.ready, container.restart_count
        ));
    }
    out
}

fn lifecycle_handler(
    hook: &k8s_openapi::api::core::v1::LifecycleHandler,
) -> Option<probes::Handler<'_>> {
    if let Some(exec) = &hook.exec {
        return Some(probes::Handler::Exec(exec));
    }
    if let Some(http) = &hook.http_get {
        return Some(probes::Handler::Http(http));
    }
    if let Some(tcp) = &hook.tcp_socket {
        return Some(probes::Handler::Tcp(tcp));
    }
    hook.sleep
        .as_ref()
        .map(|s| probes::Handler::Sleep(s.seconds))
}

/// `10s`, `1m20s`, `5m0s` as Go prints durations.
/// Whole seconds of `duration` as Go prints a duration (`5m0s`).
fn show_duration(duration: Duration) -> String {
    let seconds = i64::try_from(duration.as_secs()).unwrap_or(i64::MAX / 1_000_000_000);
    component_helpers::duration::format(seconds.saturating_mul(1_000_000_000))
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_print_as_go_does() {
        use std::time::Duration;
        assert_eq!(super::show_duration(Duration::from_secs(10)), "10s");
        assert_eq!(super::show_duration(Duration::from_secs(80)), "1m20s");
        assert_eq!(super::show_duration(Duration::from_secs(300)), "5m0s");
    }

    #[test]
    fn any_grace_period_gives_a_deadline() {
        use std::time::{Duration, Instant};
        for seconds in [i64::MIN, -1, 0, 1, 30, i64::MAX] {
            let grace = super::grace_from_seconds(seconds);
            assert!(grace >= super::MINIMUM_GRACE);
            assert!(Instant::now().checked_add(grace).is_some(), "{seconds}");
            assert!(tokio::time::Instant::now().checked_add(grace).is_some());
        }
        assert_eq!(super::grace_from_seconds(30), Duration::from_secs(30));
    }
}
