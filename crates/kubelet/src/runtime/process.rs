//! The process runtime: every pod sandbox is a network namespace with an
//! address from the node's pod CIDR on a host bridge (veth pairs, set up
//! with iproute2 as the bridge, host-local and loopback CNI plugins would),
//! and every container is a process of the node's own filesystem run in
//! that namespace, in its own session, UTS, IPC and mount namespaces where
//! the host allows, with its volumes bind-mounted at their paths, its
//! memory and CPU limits in a cgroup, and stdout and stderr in a CRI log
//! file. It runs no images: a container's command must exist on the node.
//!
//! Mount points missing on the node are created (empty) before a
//! container's bind mounts, as the node's filesystem is the container's.
//!
//! A container's process outlives its kubelet, as with any container
//! runtime: the process the kubelet starts is a small reaper (session
//! leader, outside the container's PID namespace) that waits for the
//! command, keeps the kubelet's ends of the container's pipes open, and
//! writes the exit status to the state directory (`process/state.rs`,
//! which also records each sandbox and container). A later kubelet adopts
//! what it finds there: it takes copies of the pipes from the reaper
//! (pidfd_getfd) to go on writing the logs, and waits on a pidfd for the
//! end.

use std::collections::HashMap;
use std::ffi::CString;
use std::net::{IpAddr, Ipv4Addr};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;
use tokio::sync::Notify;

use super::ipam::{Ipam, parse_pod_cidr};
use super::{
    ContainerConfig, ContainerState, ExecResult, Runtime, RuntimeError, Sandbox, SandboxConfig,
    StreamOptions, StreamingProcess, new_id, now,
};

mod adopt;
mod cgroups;
pub mod cleanup;
mod credentials;
pub mod host;
mod network;
mod pty;
mod reaper;
mod state;
mod streams;

use streams::{ContainerPipes, Streams};

pub use network::{BridgeConfig, runtime_state_dir};

struct Container {
    config: ContainerConfig,
    sandbox_id: String,
    netns: Option<PathBuf>,
    hostname: String,
    state: ContainerState,
    pid: Option<i32>,
    cgroup: Option<cgroups::ContainerCgroup>,
    ended: Arc<Notify>,
    /// The running container's own stdin, when its spec keeps one open.
    stdin: Option<tokio::sync::mpsc::Sender<hyper::body::Bytes>>,
    /// Its output as it comes, for attached clients: (1 stdout or 2
    /// stderr, a chunk).
    output: Option<tokio::sync::broadcast::Sender<(u8, hyper::body::Bytes)>>,
    /// Its terminal (spec.tty).
    terminal: Option<pty::Primary>,
    /// The task that writes its logs and waits for its end.
    task: Option<tokio::task::AbortHandle>,
}

impl Container {
    /// A container made but not started.
    fn created(
        config: ContainerConfig,
        sandbox_id: String,
        netns: Option<PathBuf>,
        hostname: String,
    ) -> Container {
        Container {
            config,
            sandbox_id,
            netns,
            hostname,
            state: ContainerState::Created,
            pid: None,
            cgroup: None,
            ended: Arc::new(Notify::new()),
            stdin: None,
            output: None,
            terminal: None,
            task: None,
        }
    }
}

/// A reader that also hands every chunk it reads to attached clients.
struct Tee<R> {
    inner: R,
    channel: u8,
    output: tokio::sync::broadcast::Sender<(u8, hyper::body::Bytes)>,
}

impl<R: AsyncRead + Unpin> AsyncRead for Tee<R> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = std::pin::Pin::new(&mut self.inner).poll_read(cx, buf);
        if let std::task::Poll::Ready(Ok(())) = &polled
            && buf.filled().len() > before
        {
            // Nobody attached, or a client too slow to keep up: the
            // container never waits for its readers.
            let chunk = hyper::body::Bytes::copy_from_slice(&buf.filled()[before..]);
            let _ = self.output.send((self.channel, chunk));
        }
        polled
    }
}

struct SandboxEntry {
    record: state::SandboxRecord,
    /// Left by an earlier kubelet and not yet adopted by a pod's worker.
    recovered: bool,
}

pub struct ProcessRuntime {
    bridge: BridgeConfig,
    /// The bridge, held while the runtime lives.
    claim: Arc<host::BridgeClaim>,
    /// What sat on the bridge at start that no live kubelet accounts for.
    orphans: Vec<host::Orphan>,
    node_ip: IpAddr,
    ipam: RwLock<Option<Arc<Ipam>>>,
    sandboxes: Mutex<HashMap<String, SandboxEntry>>,
    containers: Arc<Mutex<HashMap<String, Container>>>,
    state: state::State,
    /// The containers an earlier kubelet left, until their pods' workers
    /// adopt them.
    recovered: Mutex<Vec<state::ContainerRecord>>,
    /// The pods go on running when the kubelet stops (or its task ends).
    keep_running: bool,
    cgroups: Option<cgroups::Cgroups>,
    /// Each image a container was made from, with the size of the command
    /// that stood for it (the process runtime runs no images).
    images: Mutex<std::collections::BTreeMap<String, u64>>,
}

impl ProcessRuntime {
    /// A runtime whose pods sit on `bridge`; its cgroups go under the
    /// kubelet's own, in a group named after the bridge (one per runtime
    /// on a host, as the bridge is). Its records are kept in `state_dir`,
    /// and what an earlier runtime left there is offered for adoption.
    /// With `keep_running` its pods outlive it.
    pub fn new(
        bridge: BridgeConfig,
        claim: Arc<host::BridgeClaim>,
        node_ip: IpAddr,
        state_dir: &Path,
        keep_running: bool,
    ) -> ProcessRuntime {
        let cgroups = cgroups::Cgroups::detect(&bridge.name);
        match &cgroups {
            Some(cgroups) => {
                for dir in cgroups.own_dirs() {
                    claim.record_cgroup(&dir);
                }
            }
            None => tracing::warn!(
                "no writable cgroup hierarchy: container CPU and memory limits are not enforced"
            ),
        }
        let state = state::State::new(state_dir);
        let (sandboxes, containers) = state.load();
        if !sandboxes.is_empty() {
            tracing::info!(
                sandboxes = sandboxes.len(),
                containers = containers.len(),
                "pods left by an earlier kubelet, to adopt"
            );
        }
        let own: std::collections::BTreeSet<String> =
            sandboxes.iter().map(|s| s.id.clone()).collect();
        let orphans = claim.orphans(&own);
        if let Some(report) = host::describe_orphans(&bridge.name, &orphans) {
            tracing::warn!("{report}");
        }
        let sandboxes = sandboxes
            .into_iter()
            .map(|record| {
                (
                    record.id.clone(),
                    SandboxEntry {
                        record,
                        recovered: true,
                    },
                )
            })
            .collect();
        ProcessRuntime {
            bridge,
            claim,
            orphans,
            node_ip,
            ipam: RwLock::new(None),
            sandboxes: Mutex::new(sandboxes),
            containers: Arc::new(Mutex::new(HashMap::new())),
            state,
            recovered: Mutex::new(containers),
            keep_running,
            cgroups,
            images: Mutex::default(),
        }
    }

    /// What sat on the bridge at start that no live kubelet accounts for.
    pub fn orphans(&self) -> &[host::Orphan] {
        &self.orphans
    }

    /// Gives a removed sandbox's address back.
    fn release_address(&self, ip: IpAddr) {
        if let (IpAddr::V4(ip), Some(ipam)) = (ip, self.ipam()) {
            ipam.release(ip);
        }
    }

    fn sandboxes(&self) -> std::sync::MutexGuard<'_, HashMap<String, SandboxEntry>> {
        self.sandboxes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Kills the pause process of a sandbox that has one (and so every
    /// process of its shared PID namespace).
    fn kill_pause(&self, sandbox_id: &str) {
        let pause = self
            .sandboxes()
            .get(sandbox_id)
            .and_then(|s| s.record.pause);
        if let Some(pause) = pause {
            pause.kill_session();
        }
    }

    fn containers(&self) -> std::sync::MutexGuard<'_, HashMap<String, Container>> {
        self.containers.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn sandbox_ids(&self) -> Vec<String> {
        self.sandboxes().keys().cloned().collect()
    }

    fn ipam(&self) -> Option<Arc<Ipam>> {
        self.ipam.read().ok().and_then(|i| i.clone())
    }

    /// A running container's pid.
    fn running_pid(&self, id: &str) -> Result<(i32, ContainerConfig), RuntimeError> {
        let containers = self.containers();
        let container = containers
            .get(id)
            .ok_or_else(|| RuntimeError::NotFound(id.to_string()))?;
        let pid = container
            .pid
            .ok_or_else(|| RuntimeError::Other(format!("container {id} is not running")))?;
        Ok((pid, container.config.clone()))
    }

    /// A command to run in a running container (exec, exec probes, hooks):
    /// in the container's namespaces (through a reaper when it joins the
    /// container's PID namespace), directory and user.
    fn exec_command(
        &self,
        id: &str,
        command: &[String],
        tty: bool,
    ) -> Result<(ContainerConfig, Command), RuntimeError> {
        let (pid, config) = self.running_pid(id)?;
        let Some(program) = command.first() else {
            return Err(RuntimeError::Other("an empty command".into()));
        };
        let Some(resolved) = resolve(program, &config.env) else {
            return Err(RuntimeError::Other(if program.contains('/') {
                format!("exec: {program:?}: stat {program}: no such file or directory")
            } else {
                format!("exec: {program:?}: executable file not found in $PATH")
            }));
        };
        let mut join = Vec::new();
        for (name, nstype) in [
            ("net", libc::CLONE_NEWNET),
            ("uts", libc::CLONE_NEWUTS),
            ("ipc", libc::CLONE_NEWIPC),
            ("mnt", libc::CLONE_NEWNS),
        ] {
            if let Ok(file) = std::fs::File::open(format!("/proc/{pid}/ns/{name}")) {
                join.push((OwnedFd::from(file), nstype));
            }
        }
        // The container's main process is the first of the namespace its
        // reaper (`pid`) made for its children.
        let pid_namespace = match std::fs::File::open(format!("/proc/{pid}/ns/pid_for_children")) {
            Ok(file) if !config.host_pid => PidNamespace::Join(OwnedFd::from(file)),
            _ => PidNamespace::Host,
        };
        let reaped = matches!(pid_namespace, PidNamespace::Join(_));
        let setup = ChildSetup {
            netns: None,
            join,
            new_namespaces: false,
            hostname: CString::default(),
            mounts: Vec::new(),
            cgroup_procs: Vec::new(),
            working_dir: working_dir(&config)?,
            credentials: credentials::Credentials::of(&config),
            controlling_tty: tty,
            pid_namespace,
            reaped,
            inherit: Vec::new(),
            reaper_exec: None,
        };
        let reaper = reaped.then(|| reaper::ReaperArgs {
            working_dir: config.working_dir.clone(),
            credentials: credentials::Credentials::of(&config),
            program: resolved.clone(),
            argv: command.to_vec(),
            ..reaper::ReaperArgs::default()
        });
        let built = container_command(command, &config, setup, reaper)?;
        Ok((config, built))
    }
}

/// How a watched container ends: its exit code, when, and a reason if
/// the runtime knows one.
type End = futures::future::BoxFuture<'static, (i32, k8s_openapi::jiff::Timestamp, Option<String>)>;

impl ProcessRuntime {
    /// Records container `id` as running as `pid` and starts the task
    /// that copies its output to its log file (and to attached clients)
    /// and waits for `end`, after which it is Exited and `exited` is
    /// notified.
    #[allow(clippy::too_many_arguments)]
    fn watch_container(
        &self,
        id: &str,
        pid: i32,
        started_at: k8s_openapi::jiff::Timestamp,
        cgroup: Option<cgroups::ContainerCgroup>,
        streams: Streams,
        log: LogFile,
        end: End,
        exited: Arc<Notify>,
    ) -> Result<(), RuntimeError> {
        let log = Arc::new(tokio::sync::Mutex::new(log));
        let (output, _) = tokio::sync::broadcast::channel(256);
        let tee = |inner: super::ReadStream, channel: u8| -> super::ReadStream {
            Box::new(Tee {
                inner,
                channel,
                output: output.clone(),
            })
        };
        let mut containers = self.containers();
        let Some(container) = containers.get_mut(id) else {
            return Err(RuntimeError::NotFound(id.to_string()));
        };
        let (stdout, stderr, stdin) = match &streams.terminal {
            Some(primary) => (
                Some(tee(Box::new(primary.clone()), 1)),
                None,
                container
                    .config
                    .stdin
                    .then(|| super::feed_stdin(Box::new(primary.clone()))),
            ),
            None => (
                streams.stdout.map(|s| tee(s, 1)),
                streams.stderr.map(|s| tee(s, 2)),
                streams.stdin.map(super::feed_stdin),
            ),
        };
        container.state = ContainerState::Running { started_at };
        container.pid = Some(pid);
        container.cgroup = cgroup;
        container.stdin = stdin;
        container.output = Some(output);
        container.terminal = streams.terminal;
        let ended = container.ended.clone();
        let watched = self.containers.clone();
        let key = id.to_string();
        let task = tokio::spawn(async move {
            let out = async {
                if let Some(stdout) = stdout {
                    pump_log(stdout, "stdout", log.clone()).await;
                }
            };
            let err = async {
                if let Some(stderr) = stderr {
                    pump_log(stderr, "stderr", log.clone()).await;
                }
            };
            let command_ended = async {
                let end = end.await;
                // Whatever of the container outlived its command (what it
                // started in the background with hostPID, the command
                // itself if its reaper was killed) goes with it, and with
                // them the last holders of its output.
                if pid > 0 {
                    // SAFETY: kill(2) on the session the reaper led; its
                    // id stays reserved while any member is left.
                    unsafe { libc::kill(-pid, libc::SIGKILL) };
                }
                end
            };
            let ((exit_code, finished_at, reason), _, _) = tokio::join!(command_ended, out, err);
            let mut containers = watched.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(container) = containers.get_mut(&key) {
                let oom = container.cgroup.as_ref().is_some_and(|c| c.oom_killed());
                container.state = ContainerState::Exited {
                    exit_code,
                    reason: if oom {
                        Some("OOMKilled".to_string())
                    } else {
                        reason
                    },
                    started_at: Some(started_at),
                    finished_at,
                };
                container.pid = None;
                container.stdin = None;
                container.output = None;
                container.terminal = None;
                container.task = None;
                ended.notify_waiters();
            }
            exited.notify_one();
        });
        container.task = Some(task.abort_handle());
        Ok(())
    }

    /// Starts the pause process that holds a pod's shared PID namespace
    /// (PID 1 there, a reaper outside), in the pod's network namespace.
    async fn start_pause(
        &self,
        netns: Option<&PathBuf>,
    ) -> Result<state::RecordedProcess, RuntimeError> {
        let fail = |e: String| {
            RuntimeError::Create(format!("process runtime: the pod's pause process: {e}"))
        };
        let netns = match netns {
            Some(path) => Some(OwnedFd::from(
                std::fs::File::open(path).map_err(|e| fail(format!("{}: {e}", path.display())))?,
            )),
            None => None,
        };
        let setup = ChildSetup {
            netns,
            join: Vec::new(),
            new_namespaces: false,
            hostname: CString::default(),
            mounts: Vec::new(),
            cgroup_procs: Vec::new(),
            working_dir: None,
            credentials: credentials::Credentials::default(),
            controlling_tty: false,
            pid_namespace: PidNamespace::New,
            reaped: true,
            inherit: Vec::new(),
            reaper_exec: None,
        };
        let reaper = reaper::ReaperArgs {
            pause: true,
            ..reaper::ReaperArgs::default()
        };
        let mut command = container_command(&[], &ContainerConfig::default(), setup, Some(reaper))?;
        command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(false);
        let mut child = command.spawn().map_err(|e| fail(e.to_string()))?;
        let Some(pid) = child.id().and_then(|p| i32::try_from(p).ok()) else {
            return Err(fail("it ended at once".into()));
        };
        let pause = state::RecordedProcess::of(pid);
        // Its reaper says when the pause process is there: a container
        // forked into the namespace before it would be PID 1 instead.
        let mut ready = String::new();
        let said = match child.stdout.take() {
            Some(stdout) => tokio::time::timeout(
                Duration::from_secs(10),
                BufReader::new(stdout).read_line(&mut ready),
            )
            .await
            .is_ok_and(|read| read.is_ok()),
            None => false,
        };
        if !said || ready.trim() != "ready" {
            pause.kill_session();
            return Err(fail("it did not start".into()));
        }
        Ok(pause)
    }

    /// Stops watching every container (their tasks end; the containers
    /// go on): the kubelet leaves them for the next one.
    fn let_go(&self) {
        for container in self.containers().values_mut() {
            if let Some(task) = container.task.take() {
                task.abort();
            }
        }
    }
}

/// Gives `command` a new terminal as its stdin, stdout and stderr; the
/// kubelet keeps the other side.
fn on_terminal(command: &mut Command) -> std::io::Result<pty::Primary> {
    let (primary, secondary) = pty::open()?;
    command
        .stdin(secondary.try_clone()?)
        .stdout(secondary.try_clone()?)
        .stderr(secondary);
    Ok(primary)
}

/// A connection to `port` on the loopback of the network namespace of
/// process `pid`: a thread joins the namespace and connects (a socket
/// stays in the namespace it was made in).
fn connect_in_namespace(pid: i32, port: u16) -> std::io::Result<std::net::TcpStream> {
    let netns = std::fs::File::open(format!("/proc/{pid}/ns/net"))?;
    std::thread::spawn(move || {
        // SAFETY: setns(2) on this short-lived thread only.
        if unsafe { libc::setns(netns.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        std::net::TcpStream::connect_timeout(
            &std::net::SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
            Duration::from_secs(10),
        )
    })
    .join()
    .map_err(|_| std::io::Error::other("the connecting thread panicked"))?
}

/// Finds `program` as execve would after a PATH search.
fn resolve(program: &str, env: &[(String, String)]) -> Option<PathBuf> {
    if program.contains('/') {
        let path = PathBuf::from(program);
        return is_executable(&path).then_some(path);
    }
    let path = env
        .iter()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| DEFAULT_PATH.to_string());
    path.split(':')
        .map(|dir| Path::new(dir).join(program))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The PATH a container gets when its env names none (containerd's default).
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Everything a child needs between fork and exec, prepared before the
/// fork: no allocation may happen there.
struct ChildSetup {
    netns: Option<OwnedFd>,
    /// setns targets for exec into a running container: (fd, nstype).
    join: Vec<(OwnedFd, libc::c_int)>,
    new_namespaces: bool,
    hostname: CString,
    mounts: Vec<(CString, CString, bool)>,
    cgroup_procs: Vec<CString>,
    working_dir: Option<CString>,
    credentials: credentials::Credentials,
    /// stdin is a terminal that becomes the session's controlling one.
    controlling_tty: bool,
    /// The PID namespace the command runs in.
    pid_namespace: PidNamespace,
    /// The child becomes a reaper (`process/reaper.rs`), which sets the
    /// directory and user for the command itself; its signals are blocked
    /// until it can ignore them.
    reaped: bool,
    /// Descriptors the reaper keeps: they lose close-on-exec.
    inherit: Vec<libc::c_int>,
    /// How the child becomes the reaper (set by `container_command`).
    reaper_exec: Option<reaper::Exec>,
}

/// Where a command's PID namespace comes from.
enum PidNamespace {
    /// The node's (hostPID pods; hosts that refuse new ones).
    Host,
    /// A new one the command is PID 1 of (a container's main process).
    New,
    /// A running container's (exec into it).
    Join(OwnedFd),
}

impl ChildSetup {
    /// Runs in the child after fork: only async-signal-safe calls.
    fn apply(&self) -> std::io::Result<()> {
        // SAFETY: plain syscalls on values prepared before the fork.
        unsafe {
            if libc::setsid() < 0 {
                return Err(std::io::Error::last_os_error());
            }
            if self.controlling_tty && libc::ioctl(0, libc::TIOCSCTTY, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            for procs in &self.cgroup_procs {
                let fd = libc::open(procs.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
                if fd >= 0 {
                    libc::write(fd, c"0".as_ptr().cast(), 1);
                    libc::close(fd);
                }
            }
            if let Some(netns) = &self.netns
                && libc::setns(netns.as_raw_fd(), libc::CLONE_NEWNET) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            for (fd, nstype) in &self.join {
                // Best effort: a namespace the container did not get is the host's.
                libc::setns(fd.as_raw_fd(), *nstype);
            }
            if self.new_namespaces
                && libc::unshare(libc::CLONE_NEWUTS | libc::CLONE_NEWIPC | libc::CLONE_NEWNS) == 0
            {
                libc::sethostname(self.hostname.as_ptr(), self.hostname.as_bytes().len());
                // Keep the container's mounts out of the node's namespace.
                libc::mount(
                    std::ptr::null(),
                    c"/".as_ptr(),
                    std::ptr::null(),
                    libc::MS_REC | libc::MS_PRIVATE,
                    std::ptr::null(),
                );
                for (source, target, read_only) in &self.mounts {
                    if libc::mount(
                        source.as_ptr(),
                        target.as_ptr(),
                        std::ptr::null(),
                        libc::MS_BIND | libc::MS_REC,
                        std::ptr::null(),
                    ) != 0
                    {
                        return Err(std::io::Error::last_os_error());
                    }
                    if *read_only {
                        libc::mount(
                            std::ptr::null(),
                            target.as_ptr(),
                            std::ptr::null(),
                            libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY,
                            std::ptr::null(),
                        );
                    }
                }
            }
            match &self.pid_namespace {
                PidNamespace::Host => {}
                // Where the host refuses, the command runs in the node's
                // PID namespace. Either way the reaper's children are the
                // ones to enter it.
                PidNamespace::New => {
                    libc::unshare(libc::CLONE_NEWPID);
                }
                PidNamespace::Join(fd) => {
                    libc::setns(fd.as_raw_fd(), libc::CLONE_NEWPID);
                }
            }
            if self.reaped {
                for &fd in &self.inherit {
                    libc::fcntl(fd, libc::F_SETFD, 0);
                }
                let mut mask: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut mask);
                for signal in reaper::SHIELDED {
                    libc::sigaddset(&mut mask, signal);
                }
                libc::sigprocmask(libc::SIG_BLOCK, &mask, std::ptr::null_mut());
                return match &self.reaper_exec {
                    Some(exec) => Err(exec.exec()),
                    None => Ok(()),
                };
            }
            if let Some(dir) = &self.working_dir
                && libc::chdir(dir.as_ptr()) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            if self.credentials.apply().is_err() {
                return Err(std::io::Error::last_os_error());
            }
        }
        Ok(())
    }
}

fn working_dir(config: &ContainerConfig) -> Result<Option<CString>, RuntimeError> {
    config
        .working_dir
        .as_ref()
        .map(|dir| cstring(Path::new(dir)))
        .transpose()
}

/// `argv` run with the container's environment (and the default PATH when
/// it names none), no stdin, `setup` applied between fork and exec; by a
/// reaper if `reaper` is given (its program and argv are `argv`'s).
fn container_command(
    argv: &[String],
    config: &ContainerConfig,
    mut setup: ChildSetup,
    reaper: Option<reaper::ReaperArgs>,
) -> Result<Command, RuntimeError> {
    let mut env = config.env.clone();
    if !env.iter().any(|(k, _)| k == "PATH") {
        env.push(("PATH".into(), DEFAULT_PATH.into()));
    }
    let mut command = match &reaper {
        Some(reaper) => {
            setup.reaper_exec = Some(
                reaper::Exec::new(reaper, &env)
                    .map_err(|e| RuntimeError::Create(format!("process runtime: {e}")))?,
            );
            Command::new(reaper::executable())
        }
        None => {
            let mut command = Command::new(&argv[0]);
            command.args(&argv[1..]);
            command
        }
    };
    command
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(std::process::Stdio::null());
    // SAFETY: `apply` makes only async-signal-safe syscalls.
    unsafe {
        command.pre_exec(move || setup.apply());
    }
    Ok(command)
}

fn cstring(path: &Path) -> Result<CString, RuntimeError> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| RuntimeError::Create(format!("{} holds a NUL byte", path.display())))
}

/// Makes `target` exist as what `source` is (an empty directory or file),
/// so a bind mount has somewhere to go.
fn ensure_mount_point(source: &Path, target: &Path) -> Result<(), RuntimeError> {
    if target.exists() {
        return Ok(());
    }
    let fail = |e: std::io::Error| {
        RuntimeError::Create(format!(
            "cannot create mount point {}: {e}",
            target.display()
        ))
    };
    if source.is_dir() {
        std::fs::create_dir_all(target).map_err(fail)
    } else {
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(fail)?;
        }
        std::fs::File::create(target).map(drop).map_err(fail)
    }
}

/// A container's log file, rotated as the kubelet's container log manager
/// does: past `MAX_LOG_BYTES` the file is renamed `<file>.<timestamp>` and
/// a new one started; at most `MAX_LOG_FILES` are kept.
struct LogFile {
    path: PathBuf,
    file: tokio::fs::File,
    written: u64,
}

/// containerLogMaxSize (10Mi) and containerLogMaxFiles (5).
const MAX_LOG_BYTES: u64 = 10 << 20;
const MAX_LOG_FILES: usize = 5;

impl LogFile {
    async fn open(path: &Path) -> std::io::Result<LogFile> {
        let file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .await?;
        let written = file.metadata().await.map(|m| m.len()).unwrap_or(0);
        Ok(LogFile {
            path: path.to_path_buf(),
            file,
            written,
        })
    }

    async fn write(&mut self, entry: &[u8]) -> std::io::Result<()> {
        if self.written > 0 && self.written + entry.len() as u64 > MAX_LOG_BYTES {
            self.rotate().await?;
        }
        self.file.write_all(entry).await?;
        self.written += entry.len() as u64;
        Ok(())
    }

    async fn rotate(&mut self) -> std::io::Result<()> {
        self.file.flush().await?;
        let stamp = k8s_openapi::jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S%.f");
        let rotated = PathBuf::from(format!("{}.{stamp}", self.path.display()));
        tokio::fs::rename(&self.path, &rotated).await?;
        // The oldest rotated files go, keeping MAX_LOG_FILES with the new one.
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(dir) = self.path.parent()
            && let Ok(entries) = std::fs::read_dir(dir)
        {
            let mut old: Vec<PathBuf> = entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{name}.")))
                })
                .collect();
            old.sort();
            while old.len() > MAX_LOG_FILES - 1 {
                let _ = std::fs::remove_file(old.remove(0));
            }
        }
        *self = LogFile::open(&self.path).await?;
        Ok(())
    }
}

/// Copies one stream of a container into its log file, one CRI line per
/// line: `<RFC 3339 nano time> <stream> F <line>` (`P` for a partial line).
async fn pump_log(
    stream: impl AsyncRead + Unpin,
    name: &'static str,
    log: Arc<tokio::sync::Mutex<LogFile>>,
) {
    let mut lines = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        // Lines are cut at 16 KiB as the CRI's are, so one long line cannot
        // grow memory without bound.
        match (&mut lines)
            .take(16 * 1024)
            .read_until(b'\n', &mut line)
            .await
        {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let (tag, body) = match line.strip_suffix(b"\n") {
            Some(body) => ("F", body),
            None => ("P", &line[..]),
        };
        let stamp = k8s_openapi::jiff::Timestamp::now();
        let mut entry = format!("{stamp:.9} {name} {tag} ").into_bytes();
        entry.extend_from_slice(body);
        entry.push(b'\n');
        let mut log = log.lock().await;
        if log.write(&entry).await.is_err() {
            return;
        }
    }
}

fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(255)
}

#[async_trait::async_trait]
impl Runtime for ProcessRuntime {
    fn version(&self) -> String {
        format!("process://{}", env!("CARGO_PKG_VERSION"))
    }

    fn handlers(&self) -> &'static [&'static str] {
        &["process"]
    }

    fn set_pod_cidr(&self, cidr: &str) -> Result<(), RuntimeError> {
        let cidr = parse_pod_cidr(cidr).map_err(RuntimeError::Network)?;
        if self.ipam().is_some_and(|current| current.cidr == cidr) {
            return Ok(());
        }
        network::ensure_bridge(&self.bridge.name, cidr).map_err(RuntimeError::Network)?;
        let fresh = Ipam::on_bridge(cidr, self.claim.clone());
        // Sandboxes that are there already (adopted or still to adopt)
        // keep their addresses.
        for entry in self.sandboxes().values() {
            if let (IpAddr::V4(ip), Some(_)) = (entry.record.ip, &entry.record.netns) {
                fresh.reserve(ip, &entry.record.id);
            }
        }
        let mut ipam = self.ipam.write().unwrap_or_else(|e| e.into_inner());
        *ipam = Some(Arc::new(fresh));
        Ok(())
    }

    fn network_ready(&self) -> bool {
        self.ipam().is_some()
    }

    async fn run_pod_sandbox(&self, config: &SandboxConfig) -> Result<Sandbox, RuntimeError> {
        let id = new_id();
        let sandbox = if config.host_network {
            Sandbox {
                id: id.clone(),
                ip: self.node_ip,
                netns: None,
            }
        } else {
            let ipam = self.ipam().ok_or_else(|| {
                RuntimeError::Network("no pod CIDR assigned to this node yet".into())
            })?;
            // The bridge is made again if something removed it.
            network::ensure_bridge(&self.bridge.name, ipam.cidr).map_err(RuntimeError::Network)?;
            let ip = loop {
                let ip = ipam.allocate(&id).ok_or_else(|| {
                    RuntimeError::Network(format!(
                        "failed to allocate for range 0: no IP addresses available in range set: {}",
                        ipam.cidr
                    ))
                })?;
                // Something recorded nowhere (a pod of an older rudder, a
                // hand-made interface) may hold it on the link already.
                let bridge = self.bridge.name.clone();
                let probe = tokio::task::spawn_blocking(move || {
                    network::address_answers(&bridge, ip, ADDRESS_PROBE_WAIT)
                })
                .await;
                match probe {
                    Ok(Ok(true)) => {
                        tracing::warn!(%ip, bridge = %self.bridge.name, "a pod address answers on the bridge already; another is taken");
                        ipam.set_aside(ip);
                    }
                    Ok(Err(err)) => {
                        tracing::debug!(%ip, error = %err, "cannot probe a pod address");
                        break ip;
                    }
                    _ => break ip,
                }
            };
            match network::add_pod(&self.bridge.name, &id, ip, ipam.cidr).await {
                Ok(netns) => Sandbox {
                    id: id.clone(),
                    ip: IpAddr::V4(ip),
                    netns: Some(netns),
                },
                Err(err) => {
                    ipam.release(ip);
                    return Err(RuntimeError::Network(err));
                }
            }
        };
        let pause = if config.share_process_namespace {
            match self.start_pause(sandbox.netns.as_ref()).await {
                Ok(pause) => Some(pause),
                Err(err) => {
                    if sandbox.netns.is_some() {
                        network::remove_pod(&id).await;
                        self.release_address(sandbox.ip);
                    }
                    return Err(err);
                }
            }
        } else {
            None
        };
        let record = state::SandboxRecord {
            id: id.clone(),
            pod_uid: config.pod_uid.clone(),
            hostname: config.hostname.clone(),
            ip: sandbox.ip,
            netns: sandbox.netns.clone(),
            pause,
        };
        if let Err(err) = self.state.save_sandbox(&record) {
            tracing::warn!(error = %err, "the sandbox will not be adopted after a restart");
        }
        self.sandboxes().insert(
            id,
            SandboxEntry {
                record,
                recovered: false,
            },
        );
        Ok(sandbox)
    }

    async fn remove_pod_sandbox(&self, sandbox: &Sandbox) -> Result<(), RuntimeError> {
        self.kill_pause(&sandbox.id);
        if sandbox.netns.is_some() {
            network::remove_pod(&sandbox.id).await;
            self.release_address(sandbox.ip);
        }
        // Forgotten only once removed, so a teardown cut short is finished
        // when the runtime drops.
        self.sandboxes().remove(&sandbox.id);
        self.state.forget_sandbox(&sandbox.id);
        Ok(())
    }

    async fn create_container(
        &self,
        sandbox: &Sandbox,
        config: ContainerConfig,
    ) -> Result<String, RuntimeError> {
        let Some(program) = config.argv.first() else {
            return Err(RuntimeError::Create(format!(
                "process runtime: container {:?} names no command, and image {:?} is not a command on this node (the process runtime runs no images)",
                config.name, config.image
            )));
        };
        let Some(resolved) = resolve(program, &config.env) else {
            return Err(RuntimeError::Create(format!(
                "process runtime: exec: {program:?}: executable file not found on this node (the process runtime runs the node's own commands; it pulls no images)"
            )));
        };
        if !config.image.is_empty() {
            let size = std::fs::metadata(&resolved).map(|m| m.len()).unwrap_or(0);
            self.images
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(config.image.clone(), size);
        }
        for mount in &config.mounts {
            if !mount.host_path.exists() {
                return Err(RuntimeError::Create(format!(
                    "process runtime: the volume source {} does not exist",
                    mount.host_path.display()
                )));
            }
        }
        let hostname = self
            .sandboxes()
            .get(&sandbox.id)
            .map(|s| s.record.hostname.clone())
            .unwrap_or_default();
        let id = new_id();
        self.containers().insert(
            id.clone(),
            Container::created(config, sandbox.id.clone(), sandbox.netns.clone(), hostname),
        );
        Ok(id)
    }

    async fn start_container(&self, id: &str, exited: Arc<Notify>) -> Result<(), RuntimeError> {
        let (config, netns, hostname, sandbox_id) = {
            let containers = self.containers();
            let container = containers
                .get(id)
                .ok_or_else(|| RuntimeError::NotFound(id.to_string()))?;
            (
                container.config.clone(),
                container.netns.clone(),
                container.hostname.clone(),
                container.sandbox_id.clone(),
            )
        };
        let pause = self
            .sandboxes()
            .get(&sandbox_id)
            .and_then(|s| s.record.pause);
        let fail = |e: String| RuntimeError::Create(format!("process runtime: {e}"));
        let cgroup = match &self.cgroups {
            Some(cgroups) => Some(
                cgroups
                    .create(id, config.memory_limit, config.cpu_limit_millis)
                    .map_err(fail)?,
            ),
            None => None,
        };
        for mount in &config.mounts {
            ensure_mount_point(&mount.host_path, &mount.container_path)?;
        }
        let netns_fd = match &netns {
            Some(path) => Some(OwnedFd::from(
                std::fs::File::open(path).map_err(|e| fail(format!("{}: {e}", path.display())))?,
            )),
            None => None,
        };
        let mut mounts = Vec::new();
        for mount in &config.mounts {
            mounts.push((
                cstring(&mount.host_path)?,
                cstring(&mount.container_path)?,
                mount.read_only,
            ));
        }
        if let Some(parent) = config.log_path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| fail(format!("{}: {e}", parent.display())))?;
        }
        let log = LogFile::open(&config.log_path)
            .await
            .map_err(|e| fail(format!("{}: {e}", config.log_path.display())))?;
        // The container's streams, the kubelet's ends of which its reaper
        // keeps open too (so the container outlives the kubelet).
        let pipes = ContainerPipes::open(&config).map_err(|e| fail(format!("pipes: {e}")))?;
        let Some(program) = config.argv.first().and_then(|p| resolve(p, &config.env)) else {
            return Err(fail(format!("exec: {:?}: not found", config.argv.first())));
        };
        let _ = std::fs::remove_file(self.state.exit_path(id));
        let target_namespace = match &config.target_container_id {
            Some(target) => {
                let (pid, _) = self.running_pid(target).map_err(|e| fail(e.to_string()))?;
                let namespace = std::fs::File::open(format!("/proc/{pid}/ns/pid_for_children"))
                    .map_err(|e| fail(format!("the target container's PID namespace: {e}")))?;
                Some(OwnedFd::from(namespace))
            }
            None => None,
        };
        let setup = ChildSetup {
            netns: netns_fd,
            join: Vec::new(),
            new_namespaces: true,
            hostname: CString::new(hostname).unwrap_or_default(),
            mounts,
            cgroup_procs: cgroup.as_ref().map(|c| c.procs_files()).unwrap_or_default(),
            working_dir: None,
            credentials: credentials::Credentials::default(),
            controlling_tty: config.tty,
            pid_namespace: match target_namespace {
                _ if config.host_pid => PidNamespace::Host,
                // Another container's namespace, its main process PID 1.
                Some(target) => PidNamespace::Join(target),
                None => match pause {
                    // The pod's shared namespace, its pause process PID 1.
                    Some(pause) => PidNamespace::Join(OwnedFd::from(
                        std::fs::File::open(format!("/proc/{}/ns/pid_for_children", pause.pid))
                            .map_err(|e| fail(format!("the pod's PID namespace: {e}")))?,
                    )),
                    None => PidNamespace::New,
                },
            },
            reaped: true,
            inherit: pipes.held.kept(),
            reaper_exec: None,
        };
        let reaper = reaper::ReaperArgs {
            exit_file: Some(self.state.exit_path(id)),
            keep: pipes.held.kept(),
            working_dir: config.working_dir.clone(),
            credentials: credentials::Credentials::of(&config),
            mount_proc: !config.host_pid,
            pause: false,
            program,
            argv: config.argv.clone(),
        };
        let mut command = container_command(&config.argv, &config, setup, Some(reaper))?;
        command.kill_on_drop(false);
        let ContainerPipes {
            held,
            child_stdin,
            child_stdout,
            child_stderr,
            stdout,
            stderr,
            stdin,
            terminal,
        } = pipes;
        command
            .stdin(child_stdin)
            .stdout(child_stdout)
            .stderr(child_stderr);
        let spawned = command.spawn();
        // The command holds the child's ends of the pipes until dropped;
        // only the container may keep them, or its output never ends.
        drop(command);
        let mut child = spawned.map_err(|e| {
            RuntimeError::Create(format!(
                "process runtime: cannot start {:?}: {e}",
                config.argv[0]
            ))
        })?;
        let Some(pid) = child.id().and_then(|p| i32::try_from(p).ok()) else {
            return Err(fail(format!("{:?} ended at once", config.argv[0])));
        };
        let started_at = now();
        let record = state::ContainerRecord {
            id: id.to_string(),
            sandbox_id,
            config: config.clone(),
            pid,
            pid_start: state::process_start(pid).unwrap_or(0),
            started_at,
            streams: held,
        };
        if let Err(err) = self.state.save_container(&record) {
            tracing::warn!(error = %err, "the container will not be adopted after a restart");
        }
        let streams = match Streams::from_fds(stdout, stderr, stdin, terminal) {
            Ok(streams) => streams,
            Err(err) => {
                // SAFETY: kill(2) on the session just started.
                unsafe { libc::kill(-pid, libc::SIGKILL) };
                return Err(fail(format!("the container's streams: {e}", e = err)));
            }
        };
        let end = Box::pin(async move {
            let code = child.wait().await.map(exit_code).unwrap_or(255);
            (code, now(), None)
        });
        self.watch_container(id, pid, started_at, cgroup, streams, log, end, exited)
    }

    async fn stop_container(&self, id: &str, grace: Duration) -> Result<(), RuntimeError> {
        let (pid, ended) = {
            let containers = self.containers();
            let container = containers
                .get(id)
                .ok_or_else(|| RuntimeError::NotFound(id.to_string()))?;
            (container.pid, container.ended.clone())
        };
        let Some(pid) = pid else { return Ok(()) };
        let wait = ended.notified();
        tokio::pin!(wait);
        wait.as_mut().enable();
        // The container leads its own session: signal its whole group.
        // SAFETY: kill(2) on a process group we started.
        unsafe { libc::kill(-pid, libc::SIGTERM) };
        if tokio::time::timeout(grace, &mut wait).await.is_err() {
            // SAFETY: as above.
            unsafe { libc::kill(-pid, libc::SIGKILL) };
            let _ = tokio::time::timeout(Duration::from_secs(10), wait).await;
        }
        Ok(())
    }

    fn container_state(&self, id: &str) -> Option<ContainerState> {
        self.containers().get(id).map(|c| c.state.clone())
    }

    async fn remove_container(&self, id: &str) {
        let removed = self.containers().remove(id);
        self.state.forget_container(id);
        if let Some(container) = removed {
            if let Some(pid) = container.pid {
                // SAFETY: kill(2) on a process group we started.
                unsafe { libc::kill(-pid, libc::SIGKILL) };
            }
            if let Some(cgroup) = container.cgroup {
                cgroup.remove().await;
            }
        }
    }

    async fn exec_sync(
        &self,
        id: &str,
        command: &[String],
        timeout: Duration,
    ) -> Result<ExecResult, RuntimeError> {
        let (_, mut child) = self.exec_command(id, command, false)?;
        let program = &command[0];
        child
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        let child = child
            .spawn()
            .map_err(|e| RuntimeError::Other(format!("cannot run {program:?}: {e}")))?;
        let session = child.id().and_then(|p| i32::try_from(p).ok());
        let output = match tokio::time::timeout(timeout, child.wait_with_output()).await {
            Ok(output) => {
                output.map_err(|e| RuntimeError::Other(format!("cannot run {program:?}: {e}")))?
            }
            Err(_) => {
                if let Some(pid) = session {
                    // SAFETY: kill(2) on the session the command leads
                    // (its reaper and what it started).
                    unsafe { libc::kill(-pid, libc::SIGKILL) };
                }
                return Err(RuntimeError::Other(format!(
                    "command {command:?} timed out after {}s",
                    timeout.as_secs()
                )));
            }
        };
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        Ok(ExecResult {
            exit_code: exit_code(output.status),
            output: text,
        })
    }

    fn memory_usage(&self, id: &str) -> Option<u64> {
        self.containers().get(id)?.cgroup.as_ref()?.memory_usage()
    }

    fn container_stats(&self, id: &str) -> Option<super::ContainerStats> {
        let containers = self.containers();
        let container = containers.get(id)?;
        let ContainerState::Running { started_at } = container.state else {
            return None;
        };
        let cgroup = container.cgroup.as_ref();
        Some(super::ContainerStats {
            cpu_usage_nanos: cgroup.and_then(|c| c.cpu_usage_nanos()),
            memory_usage_bytes: cgroup.and_then(|c| c.memory_usage()),
            memory_working_set_bytes: cgroup.and_then(|c| c.memory_working_set()),
            started_at: Some(started_at),
        })
    }

    fn images(&self) -> Vec<(String, u64)> {
        self.images
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(name, size)| (name.clone(), *size))
            .collect()
    }

    async fn exec(
        &self,
        id: &str,
        command: &[String],
        options: StreamOptions,
    ) -> Result<StreamingProcess, RuntimeError> {
        use std::process::Stdio;
        let (_, mut child) = self.exec_command(id, command, options.tty)?;
        let program = &command[0];
        let mut terminal = None;
        if options.tty {
            terminal = Some(
                on_terminal(&mut child)
                    .map_err(|e| RuntimeError::Other(format!("cannot open a terminal: {e}")))?,
            );
        } else {
            let pipe = |wanted: bool| {
                if wanted {
                    Stdio::piped()
                } else {
                    Stdio::null()
                }
            };
            child
                .stdin(pipe(options.stdin))
                .stdout(pipe(options.stdout))
                .stderr(pipe(options.stderr));
        }
        let mut child = child
            .spawn()
            .map_err(|e| RuntimeError::Other(format!("exec: {program:?}: {e}")))?;
        let pid = child.id().and_then(|p| i32::try_from(p).ok());
        let kill: Box<dyn Fn() + Send + Sync> = Box::new(move || {
            if let Some(pid) = pid {
                // SAFETY: kill(2) on the session we started (setsid made
                // the command its group leader).
                unsafe { libc::kill(-pid, libc::SIGKILL) };
            }
        });
        let (stdin, stdout, stderr, resize): (
            Option<tokio::sync::mpsc::Sender<hyper::body::Bytes>>,
            Option<super::ReadStream>,
            Option<super::ReadStream>,
            Option<Box<dyn Fn(u16, u16) + Send + Sync>>,
        ) = match terminal {
            Some(primary) => {
                let sizer = primary.clone();
                (
                    options
                        .stdin
                        .then(|| super::feed_stdin(Box::new(primary.clone()))),
                    Some(Box::new(primary)),
                    None,
                    Some(Box::new(move |columns, rows| sizer.resize(columns, rows))),
                )
            }
            None => (
                child.stdin.take().map(|s| super::feed_stdin(Box::new(s))),
                child
                    .stdout
                    .take()
                    .map(|s| Box::new(s) as super::ReadStream),
                child
                    .stderr
                    .take()
                    .map(|s| Box::new(s) as super::ReadStream),
                None,
            ),
        };
        let exit = Box::pin(async move {
            match child.wait().await {
                Ok(status) => exit_code(status),
                Err(_) => 255,
            }
        });
        Ok(StreamingProcess {
            stdin,
            stdout,
            stderr,
            resize,
            exit,
            kill,
        })
    }

    async fn attach(
        &self,
        id: &str,
        options: StreamOptions,
    ) -> Result<StreamingProcess, RuntimeError> {
        let (output, stdin, terminal, ended, stdin_once) = {
            let containers = self.containers();
            let container = containers
                .get(id)
                .ok_or_else(|| RuntimeError::NotFound(id.to_string()))?;
            let Some(output) = container.output.clone() else {
                return Err(RuntimeError::Other(format!(
                    "container {id} is not running"
                )));
            };
            (
                output,
                container.stdin.clone(),
                container.terminal.clone(),
                container.ended.clone(),
                container.config.stdin_once,
            )
        };
        let follow = |wanted: u8| -> super::ReadStream {
            let mut chunks = output.subscribe();
            let (sender, incoming) = tokio::sync::mpsc::channel(64);
            tokio::spawn(async move {
                loop {
                    match chunks.recv().await {
                        Ok((channel, chunk)) if channel == wanted => {
                            if sender.send(chunk).await.is_err() {
                                return;
                            }
                        }
                        Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                    }
                }
            });
            Box::new(super::ChannelReader::new(incoming))
        };
        let stdout = options.stdout.then(|| follow(1));
        let stderr = (options.stderr && terminal.is_none()).then(|| follow(2));
        let stdin = match (options.stdin, stdin) {
            (true, Some(container_stdin)) => {
                let (sender, mut incoming) = tokio::sync::mpsc::channel::<hyper::body::Bytes>(16);
                let containers = self.containers.clone();
                let id = id.to_string();
                tokio::spawn(async move {
                    while let Some(data) = incoming.recv().await {
                        if container_stdin.send(data).await.is_err() {
                            return;
                        }
                    }
                    // The client detached: with stdinOnce its stdin ends.
                    if stdin_once
                        && let Some(container) = containers
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .get_mut(&id)
                    {
                        container.stdin = None;
                    }
                });
                Some(sender)
            }
            _ => None,
        };
        let resize: Option<Box<dyn Fn(u16, u16) + Send + Sync>> = terminal
            .map(|primary| Box::new(move |columns, rows| primary.resize(columns, rows)) as _);
        let containers = self.containers.clone();
        let id = id.to_string();
        let exit = Box::pin(async move {
            loop {
                let notified = ended.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                let running = containers
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(&id)
                    .is_some_and(|c| matches!(c.state, ContainerState::Running { .. }));
                if !running {
                    // Attaching reports the session's end, not the
                    // container's exit code (that is in the pod's status).
                    return 0;
                }
                notified.await;
            }
        });
        Ok(StreamingProcess {
            stdin,
            stdout,
            stderr,
            resize,
            exit,
            // Detaching leaves the container running.
            kill: Box::new(|| {}),
        })
    }

    async fn port_forward(
        &self,
        id: &str,
        port: u16,
    ) -> Result<tokio::net::TcpStream, RuntimeError> {
        let (pid, _) = self.running_pid(id)?;
        let stream = tokio::task::spawn_blocking(move || connect_in_namespace(pid, port))
            .await
            .map_err(|e| RuntimeError::Other(e.to_string()))?
            .map_err(|e| {
                RuntimeError::Other(format!(
                    "failed to connect to localhost:{port} inside namespace of the pod: {e}"
                ))
            })?;
        stream
            .set_nonblocking(true)
            .and_then(|()| tokio::net::TcpStream::from_std(stream))
            .map_err(|e| RuntimeError::Other(e.to_string()))
    }

    async fn adopt_pod(&self, pod_uid: &str, exited: Arc<Notify>) -> Option<super::AdoptedPod> {
        self.adopt(pod_uid, exited).await
    }

    async fn remove_orphans(&self, keep: &std::collections::HashSet<String>) {
        self.remove_unadopted(keep).await;
    }

    async fn shutdown(&self) {
        if self.keep_running {
            self.let_go();
            return;
        }
        let ids: Vec<String> = self.containers().keys().cloned().collect();
        for id in &ids {
            let _ = self.stop_container(id, Duration::from_secs(2)).await;
            self.remove_container(id).await;
        }
        self.remove_unadopted(&std::collections::HashSet::new())
            .await;
        let sandboxes = self.sandbox_ids();
        for id in sandboxes {
            self.kill_pause(&id);
            network::remove_pod(&id).await;
            if let Some(entry) = self.sandboxes().remove(&id)
                && entry.record.netns.is_some()
            {
                self.release_address(entry.record.ip);
            }
            self.state.forget_sandbox(&id);
        }
    }
}

impl Drop for ProcessRuntime {
    /// Whatever is left when the runtime goes (its task cancelled, the
    /// process ending) is killed and its namespaces removed, so no
    /// container outlives its kubelet — unless it keeps its pods running.
    fn drop(&mut self) {
        if self.keep_running {
            self.let_go();
            return;
        }
        self.kill_unadopted_now();
        for container in self.containers().values() {
            if let Some(pid) = container.pid {
                // SAFETY: kill(2) on a process group we started.
                unsafe { libc::kill(-pid, libc::SIGKILL) };
            }
        }
        let sandboxes = self.sandbox_ids();
        for id in sandboxes {
            self.kill_pause(&id);
            network::remove_pod_now(&id);
            let record = self.sandboxes().get(&id).map(|e| e.record.clone());
            if let Some(record) = record
                && record.netns.is_some()
            {
                self.release_address(record.ip);
            }
            self.state.forget_sandbox(&id);
        }
        for id in self.containers().keys() {
            self.state.forget_container(id);
        }
        if let Some(cgroups) = &self.cgroups {
            cgroups.remove_own();
        }
    }
}

/// How long a new pod address is probed for on the bridge (replies on a
/// local bridge take well under a millisecond).
const ADDRESS_PROBE_WAIT: Duration = Duration::from_millis(100);

/// The address the node is reached at: the source address of its default
/// route, else loopback.
pub fn node_address() -> IpAddr {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0");
    socket
        .and_then(|s| {
            s.connect("192.0.2.1:9")?;
            s.local_addr()
        })
        .map(|a| a.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn logs_rotate_and_keep_five_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("0.log");
        let log = Arc::new(tokio::sync::Mutex::new(LogFile::open(&path).await.unwrap()));
        // 60 MiB of output in 1 MiB lines: rotated every 10 MiB.
        let line = format!("{}\n", "x".repeat((1 << 20) - 1));
        let input: Vec<u8> = line.repeat(60).into_bytes();
        pump_log(&input[..], "stdout", log.clone()).await;
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(files.len(), MAX_LOG_FILES, "{files:?}");
        let current = std::fs::metadata(&path).unwrap().len();
        assert!(current <= MAX_LOG_BYTES, "{current}");
        let text = std::fs::read_to_string(&path).unwrap();
        let first = text.lines().next().unwrap();
        assert!(
            first.contains(" stdout P ") || first.contains(" stdout F "),
            "{}",
            &first[..60]
        );
    }
}
