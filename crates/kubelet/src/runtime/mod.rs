//! The container runtime interface the pod workers drive, shaped like the
//! CRI: a pod sandbox (the pod's network) holds containers that are
//! created, started, stopped and removed one by one. Two runtimes implement
//! it: `process` (real processes in real namespaces) and `simulated` (no
//! processes, for scale).

pub mod ipam;
pub mod process;
pub mod simulated;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::jiff::Timestamp;
use tokio::sync::Notify;

/// What a pod sandbox is made from.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    pub pod_uid: String,
    pub name: String,
    pub namespace: String,
    /// The pod's hostname (spec.hostname, else its name).
    pub hostname: String,
    /// The pod shares the node's network namespace.
    pub host_network: bool,
    /// The pod's containers share one PID namespace
    /// (`shareProcessNamespace`), held by a pause process.
    pub share_process_namespace: bool,
}

/// A running pod sandbox.
#[derive(Clone, Debug)]
pub struct Sandbox {
    pub id: String,
    /// The pod's IP (the node's for host-network pods).
    pub ip: IpAddr,
    /// The network namespace file the pod's processes join (none for
    /// host-network pods and for simulated sandboxes).
    pub netns: Option<PathBuf>,
}

/// A file or directory of the node made visible inside a container.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Mount {
    pub host_path: PathBuf,
    pub container_path: PathBuf,
    pub read_only: bool,
}

/// What a container is made from, resolved by the pod worker (command,
/// environment and mounts are final).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ContainerConfig {
    pub name: String,
    /// How many times the container was started before this one (the
    /// CRI's attempt: the restart count).
    pub attempt: i32,
    pub image: String,
    /// Entrypoint and arguments together (the container's command, else
    /// what the image names), with `$(VAR)` references expanded.
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
    pub working_dir: Option<String>,
    pub mounts: Vec<Mount>,
    /// Where stdout and stderr go, in the CRI log format.
    pub log_path: PathBuf,
    pub run_as_user: Option<u32>,
    pub run_as_group: Option<u32>,
    /// Supplementary groups (supplementalGroups and fsGroup).
    #[serde(default)]
    pub supplemental_groups: Vec<u32>,
    /// The capability bounding set (bit n: capability n); None: all.
    #[serde(default)]
    pub capabilities: Option<u64>,
    /// The processes may not gain privileges (no_new_privs).
    #[serde(default)]
    pub no_new_privileges: bool,
    /// resources.limits.memory in bytes.
    pub memory_limit: Option<u64>,
    /// resources.limits.cpu in millicores.
    pub cpu_limit_millis: Option<u64>,
    /// The pod's annotations (the simulated runtime reads its knobs there).
    pub annotations: BTreeMap<String, String>,
    /// Keep stdin open for attaching clients (`stdin`), closing it when
    /// the first one detaches (`stdinOnce`); run on a terminal (`tty`).
    pub stdin: bool,
    pub stdin_once: bool,
    pub tty: bool,
    /// The pod shares the node's PID namespace (`hostPID`); else the
    /// container has its own.
    pub host_pid: bool,
    /// The container joins this container's PID namespace instead (an
    /// ephemeral container's `targetContainerName`; the CRI's TARGET).
    #[serde(default)]
    pub target_container_id: Option<String>,
}

/// A pod's sandbox and containers left running by an earlier kubelet on
/// this node, which the pod's worker takes over.
#[derive(Clone, Debug)]
pub struct AdoptedPod {
    pub sandbox: Sandbox,
    pub containers: Vec<AdoptedContainer>,
}

#[derive(Clone, Debug)]
pub struct AdoptedContainer {
    pub id: String,
    pub name: String,
    pub attempt: i32,
    pub log_path: PathBuf,
    /// Running, or Exited if it ended while no kubelet watched.
    pub state: ContainerState,
}

/// A container's state as the runtime sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum ContainerState {
    Created,
    Running {
        started_at: Timestamp,
    },
    Exited {
        exit_code: i32,
        /// OOMKilled, or none (the worker says Completed or Error).
        reason: Option<String>,
        started_at: Option<Timestamp>,
        finished_at: Timestamp,
    },
}

/// A running container's use of the machine, from its cgroups.
#[derive(Clone, Copy, Debug, Default)]
pub struct ContainerStats {
    /// CPU time used since it started, in nanoseconds.
    pub cpu_usage_nanos: Option<u64>,
    pub memory_usage_bytes: Option<u64>,
    /// Usage less the inactive file cache.
    pub memory_working_set_bytes: Option<u64>,
    pub started_at: Option<Timestamp>,
}

/// The output and exit code of a command run in a container.
#[derive(Clone, Debug)]
pub struct ExecResult {
    pub exit_code: i32,
    pub output: String,
}

/// Which standard streams a streamed command gets, and whether on a
/// terminal (stdout and stderr are then one stream).
#[derive(Clone, Copy, Debug, Default)]
pub struct StreamOptions {
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
    pub tty: bool,
}

pub type ReadStream = Box<dyn tokio::io::AsyncRead + Send + Unpin>;
pub type WriteStream = Box<dyn tokio::io::AsyncWrite + Send + Unpin>;

/// A stdin fed from a channel: what arrives is written to `pipe`, and the
/// channel's end closes it.
pub fn feed_stdin(mut pipe: WriteStream) -> tokio::sync::mpsc::Sender<hyper::body::Bytes> {
    use tokio::io::AsyncWriteExt;
    let (sender, mut incoming) = tokio::sync::mpsc::channel::<hyper::body::Bytes>(16);
    tokio::spawn(async move {
        while let Some(data) = incoming.recv().await {
            if pipe.write_all(&data).await.is_err() {
                return;
            }
        }
        let _ = pipe.shutdown().await;
    });
    sender
}

/// An AsyncRead over the chunks a channel delivers (its end is EOF).
pub struct ChannelReader {
    incoming: tokio::sync::mpsc::Receiver<hyper::body::Bytes>,
    pending: hyper::body::Bytes,
}

impl ChannelReader {
    pub fn new(incoming: tokio::sync::mpsc::Receiver<hyper::body::Bytes>) -> ChannelReader {
        ChannelReader {
            incoming,
            pending: hyper::body::Bytes::new(),
        }
    }
}

impl tokio::io::AsyncRead for ChannelReader {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        while self.pending.is_empty() {
            match std::task::ready!(self.incoming.poll_recv(cx)) {
                Some(chunk) => self.pending = chunk,
                None => return std::task::Poll::Ready(Ok(())),
            }
        }
        let n = self.pending.len().min(buf.remaining());
        let chunk = self.pending.split_to(n);
        buf.put_slice(&chunk);
        std::task::Poll::Ready(Ok(()))
    }
}

/// A command running in a container with its standard streams handed to
/// the caller (exec, as `kubectl exec` asks).
pub struct StreamingProcess {
    /// Writes to the command's stdin; dropping it ends that stdin.
    pub stdin: Option<tokio::sync::mpsc::Sender<hyper::body::Bytes>>,
    /// stdout, or the terminal's output with a tty.
    pub stdout: Option<ReadStream>,
    pub stderr: Option<ReadStream>,
    /// Sets the terminal's size (columns, rows); none without a tty.
    pub resize: Option<Box<dyn Fn(u16, u16) + Send + Sync>>,
    /// Resolves to the exit code.
    pub exit: futures::future::BoxFuture<'static, i32>,
    /// Kills the command and whatever it started (the client went away).
    pub kill: Box<dyn Fn() + Send + Sync>,
}

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// The container cannot be created as asked (its status says
    /// CreateContainerError with this message).
    #[error("{0}")]
    Create(String),
    /// The pod's network is not ready (no pod CIDR yet, or setting it up
    /// failed).
    #[error("{0}")]
    Network(String),
    #[error("no container {0}")]
    NotFound(String),
    #[error("{0}")]
    Other(String),
}

/// A container runtime, as the CRI's RuntimeService.
#[async_trait::async_trait]
pub trait Runtime: Send + Sync + 'static {
    /// `name://version`, the node's containerRuntimeVersion.
    fn version(&self) -> String;
    /// The runtime handlers a RuntimeClass may name, besides the default
    /// one (the empty name).
    fn handlers(&self) -> &'static [&'static str] {
        &[]
    }
    /// The node's pod CIDR is known (sandboxes take their IPs from it).
    fn set_pod_cidr(&self, cidr: &str) -> Result<(), RuntimeError>;
    /// Whether sandboxes can get a network now.
    fn network_ready(&self) -> bool;
    async fn run_pod_sandbox(&self, config: &SandboxConfig) -> Result<Sandbox, RuntimeError>;
    /// Stops and removes the sandbox and its network (its containers are
    /// stopped first by the worker).
    async fn remove_pod_sandbox(&self, sandbox: &Sandbox) -> Result<(), RuntimeError>;
    async fn create_container(
        &self,
        sandbox: &Sandbox,
        config: ContainerConfig,
    ) -> Result<String, RuntimeError>;
    /// Starts a created container; `exited` is notified when it ends.
    async fn start_container(&self, id: &str, exited: Arc<Notify>) -> Result<(), RuntimeError>;
    /// SIGTERM, then SIGKILL after `grace`; returns once it has ended.
    async fn stop_container(&self, id: &str, grace: Duration) -> Result<(), RuntimeError>;
    fn container_state(&self, id: &str) -> Option<ContainerState>;
    async fn remove_container(&self, id: &str);
    /// Runs `command` in the container's namespaces, as exec probes and
    /// hooks do.
    async fn exec_sync(
        &self,
        id: &str,
        command: &[String],
        timeout: Duration,
    ) -> Result<ExecResult, RuntimeError>;
    /// Starts `command` in the container's namespaces with its streams
    /// handed back (exec).
    async fn exec(
        &self,
        _id: &str,
        _command: &[String],
        _options: StreamOptions,
    ) -> Result<StreamingProcess, RuntimeError> {
        Err(RuntimeError::Other(format!(
            "the {} runtime cannot run commands in containers",
            self.version()
        )))
    }
    /// Joins a running container's own streams (attach): its output from
    /// now on, its stdin if it keeps one open. Ending the session detaches;
    /// the container goes on.
    async fn attach(
        &self,
        _id: &str,
        _options: StreamOptions,
    ) -> Result<StreamingProcess, RuntimeError> {
        Err(RuntimeError::Other(format!(
            "the {} runtime cannot attach to containers",
            self.version()
        )))
    }
    /// A TCP connection to `port` inside the container's network
    /// namespace (port-forward).
    async fn port_forward(
        &self,
        _id: &str,
        _port: u16,
    ) -> Result<tokio::net::TcpStream, RuntimeError> {
        Err(RuntimeError::Other(format!(
            "the {} runtime cannot forward ports",
            self.version()
        )))
    }
    /// The sandbox and containers an earlier kubelet left for the pod
    /// `pod_uid`, now the caller's: `exited` is notified when one of the
    /// containers ends. None if there are none (a pod to start afresh).
    async fn adopt_pod(&self, _pod_uid: &str, _exited: Arc<Notify>) -> Option<AdoptedPod> {
        None
    }
    /// Stops and removes what earlier kubelets left for pods not in
    /// `keep` (deleted, or bound elsewhere, while no kubelet ran).
    async fn remove_orphans(&self, _keep: &std::collections::HashSet<String>) {}
    /// The kubelet is going away: stops everything this runtime started,
    /// unless it was made to leave its pods running for the next kubelet
    /// to adopt.
    async fn shutdown(&self);
    /// The images this node's containers were made from, with a size
    /// each (what the node's status lists).
    fn images(&self) -> Vec<(String, u64)> {
        Vec::new()
    }
    /// A running container's CPU and memory use, if it is running and
    /// measured.
    fn container_stats(&self, _id: &str) -> Option<ContainerStats> {
        None
    }
    /// A running container's memory use in bytes (its cgroup's), if known.
    fn memory_usage(&self, _id: &str) -> Option<u64> {
        None
    }
}

/// A short random id for sandboxes and containers.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Seconds-precision now, as Kubernetes timestamps are serialized.
pub fn now() -> Timestamp {
    Timestamp::from_second(Timestamp::now().as_second()).unwrap_or_else(|_| Timestamp::now())
}
