//! The audit log: JSON lines written by a thread of their own (requests
//! only queue their events), in a file readable by its owner only, rotated
//! as kube-apiserver's log backend rotates it — past `--audit-log-maxsize`
//! megabytes the file is renamed `<name>-<UTC time>.<ext>` and a new one
//! started; rotated files beyond `--audit-log-maxbackup` or older than
//! `--audit-log-maxage` days are removed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use serde_json::Value;

use super::AuditConfig;

/// Events waiting for the writer; beyond, requests wait (as upstream's
/// blocking backend) rather than lose events.
const QUEUE: usize = 65_536;

pub struct LogFile {
    queue: mpsc::SyncSender<Vec<u8>>,
}

impl LogFile {
    pub fn open(config: &AuditConfig) -> Result<LogFile, String> {
        let mut sink = if config.log_path.as_os_str() == "-" {
            Sink::Stdout
        } else {
            let rotation = Rotation {
                path: config.log_path.clone(),
                max_bytes: config.max_size_mb.saturating_mul(1024 * 1024),
                max_backups: config.max_backups,
                max_age: Duration::from_secs(config.max_age_days.saturating_mul(86_400)),
            };
            Sink::File(RotatingFile::open(rotation)?)
        };
        let (queue, events) = mpsc::sync_channel::<Vec<u8>>(QUEUE);
        std::thread::Builder::new()
            .name("audit-log".into())
            .spawn(move || {
                while let Ok(line) = events.recv() {
                    sink.write(&line);
                    // Whatever else is queued goes out before one flush.
                    while let Ok(line) = events.try_recv() {
                        sink.write(&line);
                    }
                    sink.flush();
                }
            })
            .map_err(|e| format!("starting the audit log writer: {e}"))?;
        Ok(LogFile { queue })
    }

    pub fn write(&self, event: &Value) {
        let mut line = event.to_string().into_bytes();
        line.push(b'\n');
        if self.queue.send(line).is_err() {
            tracing::error!("the audit log writer is gone; an audit event was lost");
        }
    }
}

enum Sink {
    Stdout,
    File(RotatingFile),
}

impl Sink {
    fn write(&mut self, line: &[u8]) {
        match self {
            Sink::Stdout => {
                let _ = std::io::stdout().write_all(line);
            }
            Sink::File(file) => {
                if let Err(err) = file.write(line) {
                    tracing::error!(error = %err, "writing the audit log");
                }
            }
        }
    }

    fn flush(&mut self) {
        match self {
            Sink::Stdout => {
                let _ = std::io::stdout().flush();
            }
            Sink::File(file) => {
                if let Err(err) = file.file.flush() {
                    tracing::error!(error = %err, "writing the audit log");
                }
            }
        }
    }
}

struct Rotation {
    path: PathBuf,
    /// 0: never rotate.
    max_bytes: u64,
    /// 0: keep every rotated file.
    max_backups: usize,
    /// Zero: keep rotated files whatever their age.
    max_age: Duration,
}

struct RotatingFile {
    rotation: Rotation,
    file: std::io::BufWriter<std::fs::File>,
    size: u64,
}

fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
}

impl RotatingFile {
    fn open(rotation: Rotation) -> Result<RotatingFile, String> {
        if let Some(dir) = rotation.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let file = open_private(&rotation.path)
            .map_err(|e| format!("{}: {e}", rotation.path.display()))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        Ok(RotatingFile {
            rotation,
            file: std::io::BufWriter::new(file),
            size,
        })
    }

    fn write(&mut self, line: &[u8]) -> std::io::Result<()> {
        let limit = self.rotation.max_bytes;
        if limit > 0 && self.size > 0 && self.size + line.len() as u64 > limit {
            self.rotate()?;
        }
        self.file.write_all(line)?;
        self.size += line.len() as u64;
        Ok(())
    }

    /// `<stem>-<time>.<ext>` beside the log, as the rotated file's name.
    fn backup_name(&self, at: chrono::DateTime<chrono::Utc>) -> PathBuf {
        let (stem, ext) = self.stem_and_ext();
        let time = at.format("%Y-%m-%dT%H-%M-%S%.3f");
        self.rotation
            .path
            .with_file_name(format!("{stem}-{time}{ext}"))
    }

    fn stem_and_ext(&self) -> (String, String) {
        let name = self
            .rotation
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match name.rfind('.') {
            Some(dot) if dot > 0 => (name[..dot].to_string(), name[dot..].to_string()),
            _ => (name, String::new()),
        }
    }

    fn rotate(&mut self) -> std::io::Result<()> {
        self.file.flush()?;
        let mut backup = self.backup_name(chrono::Utc::now());
        // Two rotations in one millisecond: the second waits its turn.
        while backup.exists() {
            std::thread::sleep(Duration::from_millis(1));
            backup = self.backup_name(chrono::Utc::now());
        }
        std::fs::rename(&self.rotation.path, &backup)?;
        self.file = std::io::BufWriter::new(open_private(&self.rotation.path)?);
        self.size = 0;
        self.prune();
        Ok(())
    }

    /// Removes the rotated files beyond the count and the age to keep.
    fn prune(&self) {
        let (stem, ext) = self.stem_and_ext();
        let prefix = format!("{stem}-");
        let Some(dir) = self.rotation.path.parent() else {
            return;
        };
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut backups: Vec<(PathBuf, SystemTime)> = entries
            .flatten()
            .filter(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                name.starts_with(&prefix) && name.ends_with(&ext) && name.len() > prefix.len()
            })
            .filter_map(|entry| {
                let modified = entry.metadata().and_then(|m| m.modified()).ok()?;
                Some((entry.path(), modified))
            })
            .collect();
        // Newest first: their names sort by the time they were rotated.
        backups.sort_by(|a, b| b.0.cmp(&a.0));
        let now = SystemTime::now();
        for (index, (path, modified)) in backups.iter().enumerate() {
            let too_many = self.rotation.max_backups > 0 && index >= self.rotation.max_backups;
            let too_old = !self.rotation.max_age.is_zero()
                && now
                    .duration_since(*modified)
                    .is_ok_and(|age| age > self.rotation.max_age);
            if too_many || too_old {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_rotate_past_their_size_and_keep_their_backups() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        let mut file = RotatingFile::open(Rotation {
            path: path.clone(),
            max_bytes: 100,
            max_backups: 2,
            max_age: Duration::ZERO,
        })
        .unwrap();
        let line = [b'x'; 39]
            .iter()
            .copied()
            .chain([b'\n'])
            .collect::<Vec<u8>>();
        for _ in 0..10 {
            file.write(&line).unwrap();
        }
        file.file.flush().unwrap();
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        // Two lines a file: the current one and the two newest backups.
        assert_eq!(names.len(), 3, "{names:?}");
        assert!(
            names[0].starts_with("audit-") && names[0].ends_with(".log"),
            "{names:?}"
        );
        assert_eq!(names[2], "audit.log");
        assert_eq!(std::fs::read(&path).unwrap().len(), 80);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
