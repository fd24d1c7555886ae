//! What the process runtime keeps on disk, so that a kubelet started after
//! another finds the pods it left running: a record per sandbox and per
//! container (`<state>/sandboxes/<id>.json`, `<state>/containers/<id>.json`,
//! each written whole through a rename), and the exit status each
//! container's reaper writes when its command ends (`<id>.exit`).

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use k8s_openapi::jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::runtime::ContainerConfig;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SandboxRecord {
    pub id: String,
    pub pod_uid: String,
    pub hostname: String,
    pub ip: IpAddr,
    /// None for host-network pods.
    pub netns: Option<PathBuf>,
    /// The reaper of the pause process holding the pod's shared PID
    /// namespace (`shareProcessNamespace`).
    #[serde(default)]
    pub pause: Option<RecordedProcess>,
}

/// A process by pid and start time (so a reused pid is not taken for it).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
pub struct RecordedProcess {
    pub pid: i32,
    pub start: u64,
}

impl RecordedProcess {
    pub fn of(pid: i32) -> RecordedProcess {
        RecordedProcess {
            pid,
            start: process_start(pid).unwrap_or(0),
        }
    }

    pub fn alive(&self) -> bool {
        self.pid > 0 && process_start(self.pid) == Some(self.start)
    }

    /// Waits (up to `within`) until it has gone.
    pub async fn gone_within(&self, within: std::time::Duration) {
        let deadline = tokio::time::Instant::now() + within;
        while self.alive() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// SIGKILL to the session it leads, if it is still itself.
    pub fn kill_session(&self) {
        if self.alive() {
            // SAFETY: kill(2) on the process group the recorded process
            // leads.
            unsafe { libc::kill(-self.pid, libc::SIGKILL) };
        }
    }
}

/// The descriptors of a container's streams its reaper keeps open, as
/// numbered in the reaper: the next kubelet takes copies of them
/// (pidfd_getfd) to go on reading the container's output.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct HeldStreams {
    /// The read ends of the stdout and stderr pipes.
    pub stdout: Option<i32>,
    pub stderr: Option<i32>,
    /// The write end of the stdin pipe (spec.stdin without stdinOnce).
    pub stdin: Option<i32>,
    /// The terminal's primary side (spec.tty).
    pub terminal: Option<i32>,
}

impl HeldStreams {
    /// The descriptors, in ascending order.
    pub fn kept(&self) -> Vec<i32> {
        let mut fds: Vec<i32> = [self.stdout, self.stderr, self.stdin, self.terminal]
            .into_iter()
            .flatten()
            .collect();
        fds.sort_unstable();
        fds
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ContainerRecord {
    pub id: String,
    pub sandbox_id: String,
    pub config: ContainerConfig,
    /// The reaper: the process the kubelet started, session leader of the
    /// container, which waits for its command.
    pub pid: i32,
    /// The reaper's start time (clock ticks after boot, /proc/<pid>/stat),
    /// so that another process given the same pid is not taken for it.
    pub pid_start: u64,
    pub started_at: Timestamp,
    pub streams: HeldStreams,
}

impl ContainerRecord {
    /// Its reaper, as a process to check on or kill.
    pub fn reaper(&self) -> RecordedProcess {
        RecordedProcess {
            pid: self.pid,
            start: self.pid_start,
        }
    }
}

pub struct State {
    dir: PathBuf,
}

impl State {
    /// The records' directory, readable by root alone (they name the pods'
    /// processes and streams).
    pub fn new(dir: &Path) -> State {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        for sub in [
            dir.to_path_buf(),
            dir.join("sandboxes"),
            dir.join("containers"),
        ] {
            let made = std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&sub)
                .and_then(|()| {
                    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o700))
                });
            if let Err(err) = made {
                tracing::warn!(dir = %sub.display(), error = %err, "the runtime's state directory");
            }
        }
        State {
            dir: dir.to_path_buf(),
        }
    }

    /// The records of a directory that exists (made by no one else here).
    pub fn existing(dir: &Path) -> Option<State> {
        dir.join("sandboxes").is_dir().then(|| State {
            dir: dir.to_path_buf(),
        })
    }

    fn sandbox_path(&self, id: &str) -> PathBuf {
        self.dir.join("sandboxes").join(format!("{id}.json"))
    }

    fn container_path(&self, id: &str) -> PathBuf {
        self.dir.join("containers").join(format!("{id}.json"))
    }

    /// Where the reaper of container `id` writes `<exit code> <seconds>
    /// <nanoseconds>` (the end's wall-clock time) when its command ends.
    pub fn exit_path(&self, id: &str) -> PathBuf {
        self.dir.join("containers").join(format!("{id}.exit"))
    }

    pub fn save_sandbox(&self, record: &SandboxRecord) -> Result<(), String> {
        write_whole(&self.sandbox_path(&record.id), record)
    }

    /// Records a container without the values of its environment, which
    /// may come from Secrets: an adopting runtime reads them back from the
    /// running container (`load`).
    pub fn save_container(&self, record: &ContainerRecord) -> Result<(), String> {
        let mut redacted = record.clone();
        for (_, value) in redacted.config.env.iter_mut() {
            value.clear();
        }
        write_whole(&self.container_path(&record.id), &redacted)
    }

    pub fn forget_sandbox(&self, id: &str) {
        let _ = std::fs::remove_file(self.sandbox_path(id));
    }

    pub fn forget_container(&self, id: &str) {
        let _ = std::fs::remove_file(self.container_path(id));
        let _ = std::fs::remove_file(self.exit_path(id));
    }

    /// Every record left by earlier runs; unreadable ones are logged and
    /// skipped.
    /// A running container's environment is read back from its reaper
    /// (which was started with it).
    pub fn load(&self) -> (Vec<SandboxRecord>, Vec<ContainerRecord>) {
        let mut containers: Vec<ContainerRecord> = read_all(&self.dir.join("containers"));
        for container in &mut containers {
            if process_start(container.pid) == Some(container.pid_start)
                && let Some(env) = environment(container.pid)
            {
                container.config.env = env;
            }
        }
        (read_all(&self.dir.join("sandboxes")), containers)
    }

    /// The exit code and end time the reaper of container `id` wrote, if
    /// it did.
    pub fn read_exit(&self, id: &str) -> Option<(i32, Timestamp)> {
        read_exit_file(&self.exit_path(id))
    }
}

/// The exit code and end time in a reaper's exit file.
pub fn read_exit_file(path: &Path) -> Option<(i32, Timestamp)> {
    parse_exit(&std::fs::read_to_string(path).ok()?)
}

fn parse_exit(text: &str) -> Option<(i32, Timestamp)> {
    let mut fields = text.split_whitespace();
    let code = fields.next()?.parse().ok()?;
    let seconds: i64 = fields.next()?.parse().ok()?;
    // Kubernetes times have seconds' precision: the nanoseconds that
    // follow are left.
    Some((code, Timestamp::from_second(seconds).ok()?))
}

/// A process's environment, from /proc/<pid>/environ.
fn environment(pid: i32) -> Option<Vec<(String, String)>> {
    let bytes = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
    Some(
        bytes
            .split(|b| *b == 0)
            .filter_map(|entry| {
                let entry = String::from_utf8_lossy(entry);
                let (name, value) = entry.split_once('=')?;
                Some((name.to_string(), value.to_string()))
            })
            .collect(),
    )
}

/// Writes a record whole (a new file renamed over the old), readable by
/// its owner only.
fn write_whole(path: &Path, record: &impl Serialize) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let bytes = serde_json::to_vec(record).map_err(|e| e.to_string())?;
    let partial = path.with_extension("tmp");
    let _ = std::fs::remove_file(&partial);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial)
        .and_then(|mut file| file.write_all(&bytes))
        .and_then(|()| std::fs::rename(&partial, path))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn read_all<T: for<'de> Deserialize<'de>>(dir: &Path) -> Vec<T> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut records = Vec::new();
    for path in entries.flatten().map(|e| e.path()) {
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        match std::fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
        {
            Ok(record) => records.push(record),
            Err(err) => {
                tracing::warn!(file = %path.display(), error = %err, "skipping a runtime record")
            }
        }
    }
    records
}

/// A process's start time in clock ticks after boot (field 22 of
/// /proc/<pid>/stat), if it exists and is not a zombie.
pub fn process_start(pid: i32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    if fields.first() == Some(&"Z") {
        return None;
    }
    fields.get(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_a_new_state() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::new(dir.path());
        state
            .save_sandbox(&SandboxRecord {
                id: "s1".into(),
                pod_uid: "uid-1".into(),
                hostname: "web".into(),
                ip: "10.244.0.5".parse().unwrap(),
                netns: Some("/run/netns/rudder-s1".into()),
                pause: None,
            })
            .unwrap();
        state
            .save_container(&ContainerRecord {
                id: "c1".into(),
                sandbox_id: "s1".into(),
                config: ContainerConfig {
                    name: "main".into(),
                    attempt: 2,
                    ..ContainerConfig::default()
                },
                pid: 42,
                pid_start: 7,
                started_at: Timestamp::from_second(1_700_000_000).unwrap(),
                streams: HeldStreams {
                    stdout: Some(9),
                    ..HeldStreams::default()
                },
            })
            .unwrap();
        std::fs::write(state.exit_path("c1"), "137 1700000100 5\n").unwrap();
        let again = State::new(dir.path());
        let (sandboxes, containers) = again.load();
        assert_eq!(sandboxes.len(), 1);
        assert_eq!(sandboxes[0].pod_uid, "uid-1");
        assert_eq!(containers.len(), 1);
        assert_eq!(containers[0].config.attempt, 2);
        assert_eq!(containers[0].streams.stdout, Some(9));
        let (code, at) = again.read_exit("c1").unwrap();
        assert_eq!((code, at.as_second()), (137, 1_700_000_100));
        again.forget_container("c1");
        again.forget_sandbox("s1");
        assert_eq!(again.load().1.len(), 0);
        assert!(again.read_exit("c1").is_none());
    }

    #[test]
    fn container_records_keep_no_environment_values_and_only_root_reads_them() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let state = State::new(dir.path());
        // A running "container" whose environment holds a secret.
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .env_clear()
            .env("TOKEN", "s3cret-value")
            .env("PATH", "/usr/bin:/bin")
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        let record = ContainerRecord {
            id: "c1".into(),
            sandbox_id: "s1".into(),
            config: ContainerConfig {
                name: "main".into(),
                env: vec![
                    ("TOKEN".into(), "s3cret-value".into()),
                    ("PATH".into(), "/usr/bin:/bin".into()),
                ],
                ..ContainerConfig::default()
            },
            pid,
            pid_start: process_start(pid).unwrap(),
            started_at: Timestamp::from_second(1_700_000_000).unwrap(),
            streams: HeldStreams::default(),
        };
        state.save_container(&record).unwrap();
        let path = state.container_path("c1");
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(!written.contains("s3cret-value"), "{written}");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(dir.path()), 0o700);
        assert_eq!(mode(&dir.path().join("containers")), 0o700);
        // Adopted while it runs: its environment is read back from it.
        let (_, containers) = State::new(dir.path()).load();
        let mut env = containers[0].config.env.clone();
        env.sort();
        assert_eq!(
            env,
            [
                ("PATH".to_string(), "/usr/bin:/bin".to_string()),
                ("TOKEN".to_string(), "s3cret-value".to_string())
            ]
        );
        child.kill().unwrap();
        child.wait().unwrap();
    }

    #[test]
    fn this_process_has_a_start_time() {
        let me = std::process::id() as i32;
        assert!(process_start(me).is_some());
        assert_eq!(process_start(me), process_start(me));
        assert!(process_start(i32::MAX).is_none());
    }
}
