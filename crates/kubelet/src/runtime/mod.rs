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
#[derive(Clone, Debug)]
pub struct Mount {
    pub host_path: PathBuf,
    pub container_path: PathBuf,
    pub read_only: bool,
}

/// What a container is made from, resolved by the pod worker (command,
/// environment and mounts are final).
#[derive(Clone, Debug, Default)]
pub struct ContainerConfig {
    pub name: String,
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
    /// resources.limits.memory in bytes.
    pub memory_limit: Option<u64>,
    /// resources.limits.cpu in millicores.
    pub cpu_limit_millis: Option<u64>,
    /// The pod's annotations (the simulated runtime reads its knobs there).
    pub annotations: BTreeMap<String, String>,
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

/// A command running in a container with its standard streams handed to
/// the caller (exec, as `kubectl exec` asks).
pub struct StreamingProcess {
    pub stdin: Option<WriteStream>,
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
    /// Stops everything this runtime started (the kubelet is going away).
    async fn shutdown(&self);
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
