//! Real etcd clusters for tests and benchmarks: members on free loopback
//! ports with data in a temporary directory, killed and removed on drop.
//! Needs the `etcd` binary on the PATH (Debian's `etcd-server`).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Certificates for members that serve clients over TLS and require a
/// client certificate signed by `ca_file`.
#[derive(Clone, Debug)]
pub struct EtcdTls {
    pub ca_file: PathBuf,
    /// Serving certificate and key, valid for 127.0.0.1.
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
}

/// One etcd member process.
pub struct EtcdMember {
    pub name: String,
    pub client_url: String,
    /// Plain-HTTP port for /health, also when clients must use TLS.
    metrics_port: u16,
    args: Vec<String>,
    child: Option<Running>,
}

/// A member process and the thread that started it and waits for it. The
/// kernel's parent-death signal follows the thread that forked a child, so
/// that thread lives exactly as long as the member does.
struct Running {
    pid: i32,
    waiter: std::thread::JoinHandle<()>,
}

/// A running etcd cluster of one or more members.
pub struct EtcdCluster {
    members: Vec<EtcdMember>,
    dir: tempfile::TempDir,
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl EtcdMember {
    fn spawn(&mut self) -> std::io::Result<()> {
        let mut command = Command::new("etcd");
        command
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: prctl is async-signal-safe; it only asks the kernel to kill
        // the member when the thread that started it ends, which its waiter
        // thread does only after the member exited or the whole process died:
        // a crashed test never leaves etcd behind.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let waiter = std::thread::Builder::new()
            .name(format!("etcd-{}", self.name))
            .spawn(move || {
                let mut child: Child = match command.spawn() {
                    Ok(child) => child,
                    Err(e) => {
                        let _ = started_tx.send(Err(e));
                        return;
                    }
                };
                let _ = started_tx.send(Ok(child.id()));
                let _ = child.wait();
            })?;
        let pid = started_rx
            .recv()
            .map_err(|_| std::io::Error::other("the etcd starter thread died"))?
            .map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("cannot start etcd (install Debian's etcd-server): {e}"),
                )
            })?;
        self.child = Some(Running {
            pid: i32::try_from(pid).map_err(|_| std::io::Error::other("pid out of range"))?,
            waiter,
        });
        Ok(())
    }

    /// Whether the member answers `/health` with a healthy status.
    pub fn healthy(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect_timeout(
            &([127, 0, 0, 1], self.metrics_port).into(),
            Duration::from_millis(200),
        ) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
        let request = format!(
            "GET /health HTTP/1.0\r\nHost: 127.0.0.1:{}\r\n\r\n",
            self.metrics_port
        );
        if stream.write_all(request.as_bytes()).is_err() {
            return false;
        }
        let mut response = String::new();
        let _ = stream.read_to_string(&mut response);
        response.contains("\"health\":\"true\"")
    }

    /// Whether the process is running.
    pub fn running(&self) -> bool {
        self.child.is_some()
    }

    /// Whether the process was started and has ended on its own.
    fn exited(&self) -> bool {
        self.child
            .as_ref()
            .is_some_and(|running| running.waiter.is_finished())
    }
}

impl EtcdCluster {
    /// Starts `members` members and waits until every one is healthy.
    pub fn start(members: usize) -> std::io::Result<Self> {
        Self::start_with(members, None)
    }

    /// Starts `members` members serving clients over TLS.
    pub fn start_tls(members: usize, tls: EtcdTls) -> std::io::Result<Self> {
        Self::start_with(members, Some(tls))
    }

    /// Starts the members on free ports; a member that exits at once (most
    /// likely because another process took one of its ports between our
    /// probe and its bind) makes it start again on other ports.
    fn start_with(members: usize, tls: Option<EtcdTls>) -> std::io::Result<Self> {
        let mut attempts = 0;
        loop {
            match Self::try_start(members, tls.clone()) {
                Err(err) if err.kind() == std::io::ErrorKind::AddrInUse && attempts < 3 => {
                    attempts += 1;
                }
                started => return started,
            }
        }
    }

    fn try_start(members: usize, tls: Option<EtcdTls>) -> std::io::Result<Self> {
        let dir = tempfile::Builder::new().prefix("rudder-etcd-").tempdir()?;
        let mut ports = Vec::new();
        for _ in 0..members {
            ports.push((free_port()?, free_port()?, free_port()?));
        }
        let initial_cluster = ports
            .iter()
            .enumerate()
            .map(|(i, (_, peer, _))| format!("m{i}=http://127.0.0.1:{peer}"))
            .collect::<Vec<_>>()
            .join(",");
        let mut cluster = EtcdCluster {
            members: Vec::new(),
            dir,
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        for (i, (client, peer, metrics)) in ports.into_iter().enumerate() {
            let name = format!("m{i}");
            let data_dir: PathBuf = cluster.dir.path().join(&name);
            let client_url = format!("{scheme}://127.0.0.1:{client}");
            let peer_url = format!("http://127.0.0.1:{peer}");
            let mut args = vec![
                format!("--name={name}"),
                format!("--data-dir={}", data_dir.display()),
                format!("--listen-client-urls={client_url}"),
                format!("--advertise-client-urls={client_url}"),
                format!("--listen-peer-urls={peer_url}"),
                format!("--initial-advertise-peer-urls={peer_url}"),
                format!("--initial-cluster={initial_cluster}"),
                "--initial-cluster-state=new".to_string(),
                "--initial-cluster-token=rudder-test".to_string(),
                "--logger=zap".to_string(),
                "--log-level=error".to_string(),
                format!("--listen-metrics-urls=http://127.0.0.1:{metrics}"),
            ];
            if let Some(tls) = &tls {
                args.extend([
                    format!("--cert-file={}", tls.cert_file.display()),
                    format!("--key-file={}", tls.key_file.display()),
                    format!("--trusted-ca-file={}", tls.ca_file.display()),
                    "--client-cert-auth".to_string(),
                ]);
            }
            let mut member = EtcdMember {
                name,
                client_url,
                metrics_port: metrics,
                args,
                child: None,
            };
            member.spawn()?;
            cluster.members.push(member);
        }
        cluster.wait_healthy(Duration::from_secs(30))?;
        Ok(cluster)
    }

    /// Waits until every running member reports healthy; a member that
    /// has exited never will.
    pub fn wait_healthy(&self, timeout: Duration) -> std::io::Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.members.iter().any(EtcdMember::exited) {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::AddrInUse,
                    "an etcd member exited while starting (a port taken?)",
                ));
            }
            if self
                .members
                .iter()
                .filter(|m| m.running())
                .all(|m| m.healthy())
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "etcd did not become healthy",
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn endpoints(&self) -> Vec<String> {
        self.members.iter().map(|m| m.client_url.clone()).collect()
    }

    pub fn member(&self, index: usize) -> &EtcdMember {
        &self.members[index]
    }

    /// Kills member `index` with SIGKILL and waits for it to be gone.
    pub fn kill(&mut self, index: usize) {
        if let Some(running) = self.members[index].child.take() {
            // SAFETY: kill(2) on the pid of a child this process started and
            // has not reaped yet (its waiter thread reaps it after this).
            unsafe {
                libc::kill(running.pid, libc::SIGKILL);
            }
            let _ = running.waiter.join();
        }
    }

    /// Starts a killed member again with its data.
    pub fn restart(&mut self, index: usize) -> std::io::Result<()> {
        let member = &mut self.members[index];
        if member.child.is_none() {
            // Rejoin the existing cluster rather than bootstrap a new one.
            for arg in member.args.iter_mut() {
                if arg == "--initial-cluster-state=new" {
                    *arg = "--initial-cluster-state=existing".to_string();
                }
            }
            member.spawn()?;
        }
        Ok(())
    }

    /// Kills every member.
    pub fn kill_all(&mut self) {
        for index in 0..self.members.len() {
            self.kill(index);
        }
    }
}

impl Drop for EtcdCluster {
    fn drop(&mut self) {
        self.kill_all();
    }
}
