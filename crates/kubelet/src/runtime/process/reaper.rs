//! A container's reaper: the process the kubelet starts for a container
//! (and for a command exec'd into a container's PID namespace). It is the
//! kubelet's own executable run again (`/proc/self/exe`), caught before
//! `main` by an `.init_array` hook, so it is a fresh small process rather
//! than a copy of the kubelet's memory, and it outlives the kubelet.
//!
//! The kubelet's child enters the container's namespaces and then becomes
//! the reaper; the reaper forks the command (PID 1 of a new PID namespace),
//! waits for it, and exits as it does. Meanwhile it holds the descriptors
//! it was told to keep (the kubelet's ends of the container's pipes, so a
//! later kubelet can take them over), ignores the signals meant for the
//! command, and writes the exit status to a file for a kubelet that did
//! not see the end.
//!
//! Its arguments: `--rudder-container-reaper [exit=PATH] [keep=FD,...]
//! [dir=PATH] [user=UID:GID] [proc=1] -- PROGRAM ARGV0 ARGS...`; its
//! environment is the command's.

use std::ffi::{CStr, CString, OsStr, c_char, c_int};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// The first argument that makes the executable a reaper.
pub const FLAG: &str = "--rudder-container-reaper";

/// The signals a container's stop or a terminal sends the session that
/// the reaper must outlast; blocked from the kubelet's fork to the
/// reaper's start, ignored by the reaper, restored for the command.
pub const SHIELDED: [c_int; 7] = [
    libc::SIGTERM,
    libc::SIGINT,
    libc::SIGQUIT,
    libc::SIGHUP,
    libc::SIGTSTP,
    libc::SIGTTIN,
    libc::SIGTTOU,
];

/// What a reaper is told.
#[derive(Clone, Debug, Default)]
pub struct ReaperArgs {
    pub exit_file: Option<std::path::PathBuf>,
    /// Descriptors it keeps open (they must not be close-on-exec).
    pub keep: Vec<c_int>,
    pub working_dir: Option<String>,
    /// Who the command runs as, and what it may do.
    pub credentials: super::credentials::Credentials,
    /// Mount a /proc of the command's own PID namespace (it has its own
    /// mount namespace).
    pub mount_proc: bool,
    /// No command: the child is the pause process that holds a pod's
    /// shared PID namespace (PID 1 there, reaping orphans).
    pub pause: bool,
    /// The command's executable, resolved.
    pub program: std::path::PathBuf,
    /// argv, from argv[0].
    pub argv: Vec<String>,
}

impl ReaperArgs {
    /// The reaper's arguments after its argv[0].
    pub fn to_args(&self) -> Vec<std::ffi::OsString> {
        // The hook is what turns the executable into a reaper: referring
        // to it keeps the linker from dropping it.
        std::hint::black_box(&HOOK);
        let mut args: Vec<std::ffi::OsString> = vec![FLAG.into()];
        if let Some(path) = &self.exit_file {
            let mut arg = std::ffi::OsString::from("exit=");
            arg.push(path);
            args.push(arg);
        }
        if !self.keep.is_empty() {
            let list: Vec<String> = self.keep.iter().map(|fd| fd.to_string()).collect();
            args.push(format!("keep={}", list.join(",")).into());
        }
        if let Some(dir) = &self.working_dir {
            args.push(format!("dir={dir}").into());
        }
        args.extend(self.credentials.to_args().into_iter().map(Into::into));
        if self.mount_proc {
            args.push("proc=1".into());
        }
        if self.pause {
            args.push("pause=1".into());
        }
        args.push("--".into());
        if !self.pause {
            args.push(self.program.clone().into_os_string());
            args.extend(self.argv.iter().map(Into::into));
        }
        args
    }
}

/// The executable that becomes the reaper (the program std's `Command`
/// is given; the child runs the reaper with [`Exec`] instead).
pub fn executable() -> &'static Path {
    Path::new("/proc/self/exe")
}

/// This executable, opened once: a child inside a container's mount
/// namespace sees the container's /proc, where /proc/self/exe is not its
/// own, so it execs through this descriptor instead.
fn executable_fd() -> Option<c_int> {
    static EXECUTABLE: std::sync::OnceLock<Option<std::fs::File>> = std::sync::OnceLock::new();
    EXECUTABLE
        .get_or_init(|| std::fs::File::open(executable()).ok())
        .as_ref()
        .map(std::os::fd::AsRawFd::as_raw_fd)
}

/// The reaper's exec, prepared before the fork (argv and environment as
/// C arrays).
pub struct Exec {
    executable: c_int,
    _strings: Vec<CString>,
    argv: Vec<*const c_char>,
    envp: Vec<*const c_char>,
}

// SAFETY: the pointers point into `_strings`, which the struct owns and
// never changes; they are only read (by execveat in the child).
unsafe impl Send for Exec {}
// SAFETY: as above.
unsafe impl Sync for Exec {}

impl Exec {
    /// `args` from argv[0]; `env` as `NAME=value`.
    pub fn new(args: &ReaperArgs, env: &[(String, String)]) -> std::io::Result<Exec> {
        let executable = executable_fd()
            .ok_or_else(|| std::io::Error::other("cannot open this executable to run a reaper"))?;
        let nul = |e: std::ffi::NulError| std::io::Error::other(e.to_string());
        let mut strings = vec![CString::new("rudder-container-reaper").map_err(nul)?];
        for arg in args.to_args() {
            strings.push(CString::new(arg.as_bytes()).map_err(nul)?);
        }
        let argc = strings.len();
        for (name, value) in env {
            strings.push(CString::new(format!("{name}={value}")).map_err(nul)?);
        }
        let pointers = |from: &[CString]| {
            let mut list: Vec<*const c_char> = from.iter().map(|s| s.as_ptr()).collect();
            list.push(std::ptr::null());
            list
        };
        let argv = pointers(&strings[..argc]);
        let envp = pointers(&strings[argc..]);
        Ok(Exec {
            executable,
            _strings: strings,
            argv,
            envp,
        })
    }

    /// Becomes the reaper; returns only on failure. Between fork and exec:
    /// one syscall.
    pub fn exec(&self) -> std::io::Error {
        // SAFETY: execveat(2) of an open executable with NUL-terminated
        // arrays of C strings the struct owns.
        unsafe {
            libc::syscall(
                libc::SYS_execveat,
                self.executable,
                c"".as_ptr(),
                self.argv.as_ptr(),
                self.envp.as_ptr(),
                libc::AT_EMPTY_PATH,
            );
        }
        std::io::Error::last_os_error()
    }
}

type InitHook = extern "C" fn(c_int, *const *const c_char, *const *const c_char);

/// Run by the C runtime before `main` in every process of this
/// executable (glibc passes the arguments and environment).
#[used]
#[unsafe(link_section = ".init_array")]
static HOOK: InitHook = reaper_hook;

extern "C" fn reaper_hook(argc: c_int, argv: *const *const c_char, envp: *const *const c_char) {
    if argc < 2 || argv.is_null() {
        return;
    }
    // SAFETY: the C runtime's argv holds argc valid C strings.
    let first = unsafe { *argv.add(1) };
    // SAFETY: a non-null argv entry is a NUL-terminated C string.
    if first.is_null() || unsafe { CStr::from_ptr(first) }.to_bytes() != FLAG.as_bytes() {
        return;
    }
    let args: Vec<&CStr> = (0..argc as usize)
        // SAFETY: as above.
        .map(|i| unsafe { CStr::from_ptr(*argv.add(i)) })
        .collect();
    // SAFETY: this process is the reaper from here on and never returns
    // to the Rust runtime.
    unsafe { libc::_exit(reap(&args, envp)) }
}

fn complain(message: &[u8]) {
    // SAFETY: write(2) of a buffer we hold to stderr.
    unsafe { libc::write(2, message.as_ptr().cast(), message.len()) };
}

/// The reaper's life (`args` from argv[0]); returns its exit code.
fn reap(args: &[&CStr], envp: *const *const c_char) -> c_int {
    let mut exit_file: Option<CString> = None;
    let mut keep: Vec<c_int> = Vec::new();
    let mut dir: Option<CString> = None;
    let mut credentials = super::credentials::Credentials::default();
    let mut mount_proc = false;
    let mut pause = false;
    let mut rest = args.get(2..).unwrap_or_default();
    while let Some((arg, tail)) = rest.split_first() {
        rest = tail;
        let arg = arg.to_bytes();
        if arg == b"--" {
            break;
        }
        let (key, value) = match arg.iter().position(|b| *b == b'=') {
            Some(at) => (&arg[..at], &arg[at + 1..]),
            None => (arg, &b""[..]),
        };
        match key {
            b"exit" => exit_file = CString::new(value).ok(),
            b"keep" => keep = parse_list(value),
            b"dir" => dir = CString::new(value).ok(),
            _ if credentials.parse_arg(key, value) => {}
            b"proc" => mount_proc = value == b"1",
            b"pause" => pause = value == b"1",
            _ => {}
        }
    }
    // Only a mount namespace of its own may get a new /proc.
    mount_proc = mount_proc
        && std::fs::read_link("/proc/self/ns/mnt").ok()
            != std::fs::read_link("/proc/1/ns/mnt").ok();
    let command_line = rest;
    if pause {
        // SAFETY: fork(2) in this single-threaded process; the child only
        // pauses and reaps.
        match unsafe { libc::fork() } {
            0 => hold_pid_namespace(args),
            child if child < 0 => {
                complain(b"reaper: cannot fork\n");
                return 127;
            }
            child => {
                // The pause process exists (PID 1 of the namespace): the
                // pod's containers may join it now.
                // SAFETY: write(2) of a buffer we hold to stdout.
                unsafe { libc::write(1, b"ready\n".as_ptr().cast(), 6) };
                return wait_for(child, &keep, None);
            }
        }
    }
    let Some((program, argv)) = command_line.split_first() else {
        complain(b"reaper: no command\n");
        return 127;
    };
    let mut argv_ptrs: Vec<*const c_char> = argv.iter().map(|a| a.as_ptr()).collect();
    argv_ptrs.push(std::ptr::null());
    // SAFETY: fork(2) in this single-threaded process (nothing but the C
    // runtime has run); the child only prepares and execs.
    let command = unsafe { libc::fork() };
    if command < 0 {
        complain(b"reaper: cannot fork\n");
        return 127;
    }
    if command == 0 {
        // SAFETY: the child's set-up before exec, on values we hold.
        unsafe {
            start_command(
                program,
                &argv_ptrs,
                envp,
                &keep,
                dir.as_deref(),
                &credentials,
                mount_proc,
            )
        }
    }
    wait_for(command, &keep, exit_file)
}

/// The reaper's watch over its child: it keeps only `keep` open, ignores
/// the shielded signals, waits, and writes the exit status.
fn wait_for(command: libc::pid_t, keep: &[c_int], exit_file: Option<CString>) -> c_int {
    // SAFETY: the reaper's own descriptors and signals.
    unsafe {
        let mut from: c_int = 0;
        for &kept in keep {
            if kept > from {
                close_range(from, kept - 1);
            }
            from = kept + 1;
        }
        close_range(from, c_int::MAX);
        for signal in SHIELDED {
            libc::signal(signal, libc::SIG_IGN);
        }
        let mut mask: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut mask);
        libc::sigprocmask(libc::SIG_SETMASK, &mask, std::ptr::null_mut());
    }
    let mut status: c_int = 0;
    loop {
        // SAFETY: waitpid(2) on our child.
        let waited = unsafe { libc::waitpid(command, &mut status, 0) };
        if waited == command {
            break;
        }
        if waited < 0 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return 255;
        }
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    if let Some(path) = exit_file {
        write_exit_status(&path, code);
    }
    code
}

/// The pause process of a pod that shares one PID namespace: PID 1 there,
/// shown as `/pause`, reaping whatever is orphaned to it until killed.
fn hold_pid_namespace(args: &[&CStr]) -> ! {
    extern "C" fn on_child(_: c_int) {}
    // SAFETY: the process's own argv block (rewritten in place, as
    // setproctitle does), name and signals; then waitpid and sigsuspend.
    unsafe {
        if let (Some(first), Some(last)) = (args.first(), args.last()) {
            // The arguments lie one after another, each NUL-terminated.
            let start = first.as_ptr() as *mut u8;
            let end = last.as_ptr().add(last.to_bytes().len()) as *mut u8;
            let title = b"/pause";
            let room = end.offset_from(start).max(0) as usize;
            std::ptr::write_bytes(start, 0, room);
            std::ptr::copy_nonoverlapping(title.as_ptr(), start, title.len().min(room));
        }
        libc::prctl(libc::PR_SET_NAME, c"pause".as_ptr());
        close_range(0, c_int::MAX);
        libc::signal(libc::SIGCHLD, on_child as *const () as libc::sighandler_t);
        let mut blocked: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut blocked);
        libc::sigaddset(&mut blocked, libc::SIGCHLD);
        libc::sigprocmask(libc::SIG_BLOCK, &blocked, std::ptr::null_mut());
        let mut waiting: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut waiting);
        loop {
            while libc::waitpid(-1, std::ptr::null_mut(), libc::WNOHANG) > 0 {}
            libc::sigsuspend(&waiting);
        }
    }
}

/// In the command's process: its /proc, directory, user, default signals;
/// then exec. Never returns.
unsafe fn start_command(
    program: &CStr,
    argv: &[*const c_char],
    envp: *const *const c_char,
    keep: &[c_int],
    dir: Option<&CStr>,
    credentials: &super::credentials::Credentials,
    mount_proc: bool,
) -> ! {
    // SAFETY: plain syscalls on values the caller holds.
    unsafe {
        for &fd in keep {
            libc::close(fd);
        }
        // In a PID namespace of its own (or its pod's), the command sees
        // that namespace's /proc.
        if mount_proc
            && std::fs::read_link("/proc/self/ns/pid").ok()
                != std::fs::read_link("/proc/1/ns/pid").ok()
        {
            libc::mount(
                c"proc".as_ptr(),
                c"/proc".as_ptr(),
                c"proc".as_ptr(),
                libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
                std::ptr::null(),
            );
        }
        if let Some(dir) = dir
            && libc::chdir(dir.as_ptr()) != 0
        {
            fail_exec(b"chdir ", dir.to_bytes());
        }
        if let Err(step) = credentials.apply() {
            fail_exec(step.as_bytes(), b" (securityContext)");
        }
        for signal in SHIELDED {
            libc::signal(signal, libc::SIG_DFL);
        }
        let mut mask: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut mask);
        libc::sigprocmask(libc::SIG_SETMASK, &mask, std::ptr::null_mut());
        libc::execve(program.as_ptr(), argv.as_ptr(), envp);
        fail_exec(b"exec ", program.to_bytes());
    }
}

/// Reports a failed step of starting the command on its stderr (the
/// container's log) and ends with the shell's codes: 127 when something
/// is not there, else 126.
fn fail_exec(what: &[u8], subject: &[u8]) -> ! {
    let error = std::io::Error::last_os_error();
    let missing = error.raw_os_error() == Some(libc::ENOENT);
    let mut message = Vec::with_capacity(128);
    message.extend_from_slice(what);
    message.extend_from_slice(subject);
    message.extend_from_slice(b": ");
    message.extend_from_slice(error.to_string().as_bytes());
    message.push(b'\n');
    complain(&message);
    // SAFETY: _exit(2) in the command's process, which must not return.
    unsafe { libc::_exit(if missing { 127 } else { 126 }) }
}

fn parse_list(value: &[u8]) -> Vec<c_int> {
    let mut list: Vec<c_int> = OsStr::from_bytes(value)
        .to_str()
        .unwrap_or_default()
        .split(',')
        .filter_map(|n| n.parse().ok())
        .collect();
    list.sort_unstable();
    list
}

/// Closes descriptors `first..=last`.
unsafe fn close_range(first: c_int, last: c_int) {
    // SAFETY: close_range(2) and close(2) on this process's descriptors.
    unsafe {
        if libc::syscall(libc::SYS_close_range, first as u32, last as u32, 0u32) != 0 {
            for fd in first..last.min(1024) {
                libc::close(fd);
            }
        }
    }
}

/// Writes `<code> <seconds> <nanoseconds>\n` (now, wall clock) to `path`.
fn write_exit_status(path: &CStr, code: c_int) {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime(2) into a timespec we hold.
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut now) };
    let text = format!("{code} {} {}\n", now.tv_sec, now.tv_nsec);
    // SAFETY: open/write/close on a path and buffer we hold.
    unsafe {
        let fd = libc::open(
            path.as_ptr(),
            libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC | libc::O_CLOEXEC,
            0o644,
        );
        if fd >= 0 {
            libc::write(fd, text.as_ptr().cast(), text.len());
            libc::close(fd);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_round_trip() {
        let args = ReaperArgs {
            exit_file: Some("/state/c1.exit".into()),
            keep: vec![9, 4],
            working_dir: Some("/work".into()),
            credentials: super::super::credentials::Credentials {
                user: Some((1000, 100)),
                groups: vec![2000],
                ..Default::default()
            },
            mount_proc: true,
            pause: false,
            program: "/bin/busybox".into(),
            argv: vec!["sh".into(), "-c".into(), "echo hi".into()],
        };
        let printed: Vec<String> = args
            .to_args()
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            printed,
            [
                FLAG,
                "exit=/state/c1.exit",
                "keep=9,4",
                "dir=/work",
                "user=1000:100",
                "groups=2000",
                "proc=1",
                "--",
                "/bin/busybox",
                "sh",
                "-c",
                "echo hi"
            ]
        );
        assert_eq!(parse_list(b"9,4"), [4, 9]);
    }

    /// The test executable is a reaper too: the hook turns it into one.
    #[test]
    fn this_executable_becomes_a_reaper() {
        let dir = tempfile::tempdir().unwrap();
        let exit = dir.path().join("exit");
        let args = ReaperArgs {
            exit_file: Some(exit.clone()),
            program: "/bin/sh".into(),
            argv: vec!["sh".into(), "-c".into(), "echo $GREETING; exit 7".into()],
            ..ReaperArgs::default()
        };
        let output = std::process::Command::new(executable())
            .args(args.to_args())
            .env_clear()
            .env("GREETING", "from the command")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(7));
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "from the command\n"
        );
        let written = std::fs::read_to_string(&exit).unwrap();
        assert!(written.starts_with("7 "), "{written}");
        let missing = ReaperArgs {
            program: "/nonexistent".into(),
            argv: vec!["x".into()],
            ..ReaperArgs::default()
        };
        let output = std::process::Command::new(executable())
            .args(missing.to_args())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(127));
        assert!(String::from_utf8_lossy(&output.stderr).contains("exec /nonexistent"));
    }
}
