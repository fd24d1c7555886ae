//! A container's standard streams: the pipes (or terminal) made for a new
//! container, and the process descriptors (pidfds) through which a later
//! kubelet takes over the streams a container's reaper holds and waits for
//! its end.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::process::Stdio;

use super::pty;
use super::state::HeldStreams;
use crate::runtime::{ContainerConfig, ReadStream, WriteStream};

/// The pipe buffer a container's output gets (the default of
/// /proc/sys/fs/pipe-max-size): what it may write while no kubelet reads.
const PIPE_BYTES: libc::c_int = 1 << 20;

/// A new container's streams: the child's ends, the kubelet's, and which
/// of the kubelet's the reaper keeps.
pub struct ContainerPipes {
    pub held: HeldStreams,
    pub child_stdin: Stdio,
    pub child_stdout: Stdio,
    pub child_stderr: Stdio,
    /// The read ends of stdout and stderr, the write end of stdin.
    pub stdout: Option<OwnedFd>,
    pub stderr: Option<OwnedFd>,
    pub stdin: Option<OwnedFd>,
    pub terminal: Option<pty::Primary>,
}

impl ContainerPipes {
    pub fn open(config: &ContainerConfig) -> io::Result<ContainerPipes> {
        if config.tty {
            let (primary, secondary) = pty::open()?;
            return Ok(ContainerPipes {
                held: HeldStreams {
                    terminal: Some(primary.raw_fd()),
                    ..HeldStreams::default()
                },
                child_stdin: secondary.try_clone()?.into(),
                child_stdout: secondary.try_clone()?.into(),
                child_stderr: secondary.into(),
                stdout: None,
                stderr: None,
                stdin: None,
                terminal: Some(primary),
            });
        }
        let (stdout, child_stdout) = pipe()?;
        let (stderr, child_stderr) = pipe()?;
        for read_end in [&stdout, &stderr] {
            // SAFETY: F_SETPIPE_SZ on a pipe we own; best effort.
            unsafe { libc::fcntl(read_end.as_raw_fd(), libc::F_SETPIPE_SZ, PIPE_BYTES) };
        }
        let (child_stdin, stdin) = if config.stdin {
            let (read_end, write_end) = pipe()?;
            (Stdio::from(read_end), Some(write_end))
        } else {
            (Stdio::null(), None)
        };
        Ok(ContainerPipes {
            held: HeldStreams {
                stdout: Some(stdout.as_raw_fd()),
                stderr: Some(stderr.as_raw_fd()),
                // With stdinOnce the first client's detach must end the
                // container's stdin: nobody else may hold it open.
                stdin: stdin
                    .as_ref()
                    .filter(|_| !config.stdin_once)
                    .map(|fd| fd.as_raw_fd()),
                terminal: None,
            },
            child_stdin,
            child_stdout: child_stdout.into(),
            child_stderr: child_stderr.into(),
            stdout: Some(stdout),
            stderr: Some(stderr),
            stdin,
            terminal: None,
        })
    }
}

/// A container's streams as the kubelet holds them.
#[derive(Default)]
pub struct Streams {
    pub stdout: Option<ReadStream>,
    pub stderr: Option<ReadStream>,
    pub stdin: Option<WriteStream>,
    pub terminal: Option<pty::Primary>,
}

impl Streams {
    /// The kubelet's ends of a container's pipes, or its terminal.
    pub fn from_fds(
        stdout: Option<OwnedFd>,
        stderr: Option<OwnedFd>,
        stdin: Option<OwnedFd>,
        terminal: Option<pty::Primary>,
    ) -> io::Result<Streams> {
        let reader = |fd: Option<OwnedFd>| -> io::Result<Option<ReadStream>> {
            fd.map(|fd| {
                tokio::net::unix::pipe::Receiver::from_owned_fd(fd)
                    .map(|r| Box::new(r) as ReadStream)
            })
            .transpose()
        };
        Ok(Streams {
            stdout: reader(stdout)?,
            stderr: reader(stderr)?,
            stdin: stdin
                .map(|fd| {
                    tokio::net::unix::pipe::Sender::from_owned_fd(fd)
                        .map(|w| Box::new(w) as WriteStream)
                })
                .transpose()?,
            terminal,
        })
    }
}

/// A pipe: (read end, write end), both closed on exec.
fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds: [libc::c_int; 2] = [-1; 2];
    // SAFETY: pipe2(2) fills the two descriptors it opens.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both were just opened and are owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// A process descriptor for `pid`: it becomes readable when the process
/// ends, whoever its parent is.
pub fn pidfd_open(pid: i32) -> io::Result<OwnedFd> {
    // SAFETY: pidfd_open(2) returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a descriptor just opened, owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as libc::c_int) })
}

/// A copy in this process of descriptor `target` of the process behind
/// `pidfd` (pidfd_getfd(2); it comes with close-on-exec set).
pub fn pidfd_getfd(pidfd: &OwnedFd, target: i32) -> io::Result<OwnedFd> {
    // SAFETY: pidfd_getfd(2) returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_getfd, pidfd.as_raw_fd(), target, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a descriptor just opened, owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as libc::c_int) })
}

/// Waits until the process behind `pidfd` has ended, and reaps it if it is
/// this process's child (a kubelet restarted in the same process).
pub async fn wait_for_end(pidfd: OwnedFd) {
    // SAFETY: the OwnedFd moves into the AsyncFd and stays open, the same
    // descriptor, for as long as the AsyncFd lives.
    let registered = unsafe {
        tokio::io::unix::AsyncFd::register_with_interest(pidfd, tokio::io::Interest::READABLE)
    };
    match registered {
        Ok(fd) => {
            let _ = fd.readable().await;
            // SAFETY: waitid(2) on a pidfd; an error (not our child) is fine.
            unsafe {
                let mut info: libc::siginfo_t = std::mem::zeroed();
                libc::waitid(
                    libc::P_PIDFD,
                    fd.get_ref().as_raw_fd() as libc::id_t,
                    &mut info,
                    libc::WEXITED | libc::WNOHANG,
                );
            }
        }
        Err(err) => {
            tracing::warn!(error = %err, "cannot wait on a container's pidfd");
            std::future::pending::<()>().await;
        }
    }
}
