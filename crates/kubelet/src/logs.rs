//! Container logs as `kubectl logs` reads them through the kubelet: the
//! CRI log files of a container instance (`<restart>.log` and its rotated
//! predecessors) turned back into the container's output, with upstream's
//! options — tailLines, timestamps, sinceSeconds/sinceTime, limitBytes,
//! previous (the instance before the current one) and follow (new output
//! as it is written, across rotations, until the container ends).

use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use k8s_openapi::jiff::Timestamp;
use std::io::{Read, Seek, SeekFrom};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncSeekExt};
use tokio::sync::mpsc;

/// The options of a log request (pods/log's query).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogOptions {
    pub follow: bool,
    pub previous: bool,
    pub timestamps: bool,
    pub tail_lines: Option<usize>,
    pub limit_bytes: Option<u64>,
    pub since: Option<Timestamp>,
}

impl LogOptions {
    /// From a query string (`follow=true&tailLines=10&...`).
    pub fn parse(query: &str) -> Result<LogOptions, String> {
        let mut options = LogOptions::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let flag = api::params::flag(Some(value));
            let bad = || format!("invalid value {value:?} for {key}");
            match key {
                "follow" => options.follow = flag,
                "previous" => options.previous = flag,
                "timestamps" => options.timestamps = flag,
                "tailLines" => options.tail_lines = Some(value.parse().map_err(|_| bad())?),
                "limitBytes" => options.limit_bytes = Some(value.parse().map_err(|_| bad())?),
                "sinceSeconds" => {
                    let seconds: i64 = value.parse().map_err(|_| bad())?;
                    options.since = Timestamp::now()
                        .checked_sub(k8s_openapi::jiff::SignedDuration::from_secs(seconds))
                        .ok();
                }
                "sinceTime" => {
                    let decoded = value.replace("%3A", ":").replace("%3a", ":");
                    options.since = Some(decoded.parse().map_err(|_| bad())?);
                }
                _ => {}
            }
        }
        Ok(options)
    }
}

/// The log files of the containers that are running now, so a follow
/// knows when its container has ended.
#[derive(Default)]
pub struct LiveLogs(Mutex<HashSet<PathBuf>>);

impl LiveLogs {
    pub fn started(&self, path: &Path) {
        if let Ok(mut live) = self.0.lock() {
            live.insert(path.to_path_buf());
        }
    }

    pub fn ended(&self, path: &Path) {
        if let Ok(mut live) = self.0.lock() {
            live.remove(path);
        }
    }

    pub fn is_live(&self, path: &Path) -> bool {
        self.0.lock().is_ok_and(|live| live.contains(path))
    }
}

/// One CRI log line: when, which stream, and whether it ends a line.
struct Entry<'a> {
    time: &'a str,
    full: bool,
    content: &'a [u8],
}

fn parse_entry(line: &[u8]) -> Option<Entry<'_>> {
    let mut parts = line.splitn(4, |b| *b == b' ');
    let time = std::str::from_utf8(parts.next()?).ok()?;
    let _stream = parts.next()?;
    let tag = parts.next()?;
    let content = parts.next().unwrap_or_default();
    Some(Entry {
        time,
        full: tag != b"P",
        content,
    })
}

/// The directory of a pod's container logs (the newest pod of that name).
pub fn container_dir(
    logs_dir: &Path,
    namespace: &str,
    pod: &str,
    container: &str,
) -> Option<PathBuf> {
    let prefix = format!("{namespace}_{pod}_");
    let entries = std::fs::read_dir(logs_dir).ok()?;
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .filter_map(|e| {
            let modified = e.metadata().ok()?.modified().ok()?;
            Some((modified, e.path().join(container)))
        })
        .filter(|(_, dir)| dir.is_dir())
        .max_by_key(|(modified, _)| *modified)
        .map(|(_, dir)| dir)
}

/// The instances (restart counts) that have logs, oldest first.
fn instances(dir: &Path) -> Vec<u32> {
    let mut found: Vec<u32> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .strip_suffix(".log")
                        .and_then(|n| n.parse().ok())
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort_unstable();
    found
}

/// An instance's files: the rotated ones (oldest first), then the current.
fn files_of(dir: &Path, instance: u32) -> Vec<PathBuf> {
    let name = format!("{instance}.log");
    let mut rotated: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{name}.")))
                })
                .collect()
        })
        .unwrap_or_default();
    rotated.sort();
    rotated.push(dir.join(name));
    rotated
}

/// The CRI lines after the `tail + 1`-th last line that `counts` (a whole
/// line the request would show), oldest first, read from the end of
/// `files` (oldest first; the last one read only to `end`) backwards in
/// blocks.
fn last_lines(
    files: &[PathBuf],
    end: u64,
    tail: usize,
    counts: impl Fn(&Entry<'_>) -> bool,
) -> Vec<Vec<u8>> {
    const BLOCK: u64 = 64 * 1024;
    let mut found: Vec<Vec<u8>> = Vec::new();
    let mut counted = 0;
    // Takes one whole line, newest first; false once enough are found.
    let mut take = |line: &[u8]| -> bool {
        if line.is_empty() {
            return true;
        }
        if parse_entry(line).is_some_and(|entry| counts(&entry)) {
            if counted == tail {
                return false;
            }
            counted += 1;
        }
        found.push(line.to_vec());
        true
    };
    'files: for (index, path) in files.iter().enumerate().rev() {
        let Ok(mut file) = std::fs::File::open(path) else {
            continue;
        };
        let length = file.metadata().map(|m| m.len()).unwrap_or(0);
        let mut position = if index + 1 == files.len() {
            end.min(length)
        } else {
            length
        };
        // The start of a line whose end was read already.
        let mut carry: Vec<u8> = Vec::new();
        while position > 0 {
            let start = position.saturating_sub(BLOCK);
            let mut block = vec![0u8; (position - start) as usize];
            if file.seek(SeekFrom::Start(start)).is_err() || file.read_exact(&mut block).is_err() {
                break;
            }
            position = start;
            block.extend_from_slice(&carry);
            let mut pieces = block.split(|b| *b == b'\n').collect::<Vec<_>>();
            // The first piece may begin in the block before.
            carry = pieces.remove(0).to_vec();
            for line in pieces.iter().rev() {
                if !take(line) {
                    break 'files;
                }
            }
        }
        if !take(&carry) {
            break;
        }
    }
    found.reverse();
    found
}

/// Which file a request reads: the current instance's, or the previous.
pub fn pick(dir: &Path, previous: bool) -> Result<PathBuf, String> {
    let instances = instances(dir);
    let chosen = if previous {
        instances.iter().rev().nth(1)
    } else {
        instances.last()
    };
    chosen.map(|n| dir.join(format!("{n}.log"))).ok_or_else(|| {
        if previous {
            "previous terminated container not found".to_string()
        } else {
            "no logs yet".to_string()
        }
    })
}

/// Turns CRI lines into output, applying timestamps, since and limits.
struct Renderer {
    options: LogOptions,
    at_line_start: bool,
    sent: u64,
}

impl Renderer {
    /// The output of one entry (empty when filtered out).
    fn render(&mut self, entry: &Entry<'_>) -> Vec<u8> {
        if let Some(since) = self.options.since
            && entry.time.parse::<Timestamp>().is_ok_and(|t| t < since)
        {
            return Vec::new();
        }
        let mut out = Vec::new();
        if self.options.timestamps && self.at_line_start {
            out.extend_from_slice(entry.time.as_bytes());
            out.push(b' ');
        }
        out.extend_from_slice(entry.content);
        if entry.full {
            out.push(b'\n');
        }
        self.at_line_start = entry.full;
        out
    }

    /// Cuts `out` to what limitBytes leaves; false once the limit is hit.
    fn limit(&mut self, out: &mut Vec<u8>) -> bool {
        if let Some(limit) = self.options.limit_bytes {
            let left = limit.saturating_sub(self.sent);
            if out.len() as u64 >= left {
                out.truncate(left as usize);
                self.sent = limit;
                return false;
            }
        }
        self.sent += out.len() as u64;
        true
    }
}

/// Streams a container instance's log into `out`; with follow, until the
/// instance is no longer live and everything written has been sent.
pub async fn stream(
    current: PathBuf,
    options: LogOptions,
    live: impl Fn() -> bool + Send,
    out: mpsc::Sender<Vec<u8>>,
) {
    let dir = current.parent().map(Path::to_path_buf).unwrap_or_default();
    let instance: u32 = current
        .file_name()
        .and_then(|n| {
            n.to_string_lossy()
                .strip_suffix(".log")
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0);
    let mut renderer = Renderer {
        options: options.clone(),
        at_line_start: true,
        sent: 0,
    };
    // What is there now: the current file up to its present length (what
    // comes after is followed), and the rotated ones before it.
    let mut offset = std::fs::metadata(&current).map(|m| m.len()).unwrap_or(0);
    let mut inode = std::fs::metadata(&current).map(|m| m.ino()).ok();
    let files = files_of(&dir, instance);
    let mut send = |line: &[u8]| {
        let chunk = parse_entry(line).map(|entry| renderer.render(&entry));
        chunk.filter(|c| !c.is_empty()).map(|mut chunk| {
            let more = renderer.limit(&mut chunk);
            (chunk, more)
        })
    };
    if let Some(tail) = options.tail_lines {
        // Only the last lines, found reading backwards: a short tail of a
        // long log reads a block or two, not the whole log.
        let since = options.since;
        let found = tokio::task::spawn_blocking(move || {
            last_lines(&files, offset, tail, |entry| {
                entry.full
                    && !since.is_some_and(|since| {
                        entry.time.parse::<Timestamp>().is_ok_and(|t| t < since)
                    })
            })
        })
        .await
        .unwrap_or_default();
        for line in found {
            if let Some((chunk, more)) = send(&line)
                && (out.send(chunk).await.is_err() || !more)
            {
                return;
            }
        }
    } else {
        let last = files.len().saturating_sub(1);
        for (index, file) in files.iter().enumerate() {
            let Ok(handle) = tokio::fs::File::open(file).await else {
                continue;
            };
            let end = if index == last { offset } else { u64::MAX };
            let mut reader = tokio::io::BufReader::new(handle.take(end));
            let mut line = Vec::new();
            loop {
                line.clear();
                match reader.read_until(b'\n', &mut line).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                let text = line.strip_suffix(b"\n").unwrap_or(&line);
                if text.is_empty() {
                    continue;
                }
                if let Some((chunk, more)) = send(text)
                    && (out.send(chunk).await.is_err() || !more)
                {
                    return;
                }
            }
        }
    }
    if !options.follow {
        return;
    }
    let mut file = tokio::fs::File::open(&current).await.ok();
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let mut grew = false;
        if let Some(handle) = file.as_mut()
            && handle.seek(std::io::SeekFrom::Start(offset)).await.is_ok()
        {
            let mut fresh = Vec::new();
            if handle.read_to_end(&mut fresh).await.is_ok() && !fresh.is_empty() {
                offset += fresh.len() as u64;
                pending.extend_from_slice(&fresh);
                grew = true;
            }
        }
        while let Some(end) = pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            if let Some(entry) = parse_entry(&line[..line.len() - 1]) {
                let mut chunk = renderer.render(&entry);
                if chunk.is_empty() {
                    continue;
                }
                let more = renderer.limit(&mut chunk);
                if out.send(chunk).await.is_err() || !more {
                    return;
                }
            }
        }
        if grew {
            continue;
        }
        // Rotated: the old file is drained above; go on with the new one.
        let now_inode = std::fs::metadata(&current).map(|m| m.ino()).ok();
        if now_inode.is_some() && now_inode != inode {
            inode = now_inode;
            file = tokio::fs::File::open(&current).await.ok();
            offset = 0;
            continue;
        }
        if !live() || out.is_closed() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn collect(path: PathBuf, options: LogOptions) -> String {
        let (tx, mut rx) = mpsc::channel(16);
        tokio::spawn(stream(path, options, || false, tx));
        let mut text = Vec::new();
        while let Some(chunk) = rx.recv().await {
            text.extend(chunk);
        }
        String::from_utf8(text).unwrap()
    }

    #[tokio::test]
    async fn cri_lines_read_back_as_output() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("0.log"),
            "2026-01-01T00:00:00.000000001Z stdout F first\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("1.log.20260101-000001"),
            "2026-01-01T00:00:01.000000000Z stdout F one\n2026-01-01T00:00:02.000000000Z stderr P tw\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("1.log"),
            "2026-01-01T00:00:02.500000000Z stderr F o\n2026-01-01T00:00:03.000000000Z stdout F three\n",
        )
        .unwrap();
        let current = pick(dir.path(), false).unwrap();
        assert_eq!(current, dir.path().join("1.log"));
        assert_eq!(
            collect(current.clone(), LogOptions::default()).await,
            "one\ntwo\nthree\n"
        );
        let tail = LogOptions {
            tail_lines: Some(2),
            ..LogOptions::default()
        };
        assert_eq!(collect(current.clone(), tail).await, "two\nthree\n");
        let stamped = LogOptions {
            timestamps: true,
            tail_lines: Some(1),
            ..LogOptions::default()
        };
        assert_eq!(
            collect(current.clone(), stamped).await,
            "2026-01-01T00:00:03.000000000Z three\n"
        );
        let limited = LogOptions {
            limit_bytes: Some(5),
            ..LogOptions::default()
        };
        assert_eq!(collect(current.clone(), limited).await, "one\nt");
        let since = LogOptions::parse("sinceTime=2026-01-01T00:00:02.900000000Z").unwrap();
        assert_eq!(collect(current, since).await, "three\n");
        let previous = pick(dir.path(), true).unwrap();
        assert_eq!(collect(previous, LogOptions::default()).await, "first\n");
        let empty = tempfile::tempdir().unwrap();
        assert!(
            pick(empty.path(), true)
                .unwrap_err()
                .contains("previous terminated container")
        );
    }

    #[tokio::test]
    async fn tails_read_backwards_across_blocks_and_rotations() {
        let dir = tempfile::tempdir().unwrap();
        let line = |n: usize| {
            format!(
                "2026-01-01T00:00:00.000000000Z stdout F line {n} {}\n",
                "x".repeat(n % 300)
            )
        };
        let rotated: String = (0..6_000).map(line).collect();
        let current: String = (6_000..10_000).map(line).collect();
        std::fs::write(dir.path().join("0.log.20260101-000001"), rotated).unwrap();
        std::fs::write(dir.path().join("0.log"), current).unwrap();
        let path = dir.path().join("0.log");
        let everything = collect(path.clone(), LogOptions::default()).await;
        let lines: Vec<&str> = everything.lines().collect();
        assert_eq!(lines.len(), 10_000);
        for tail in [0, 1, 7, 3_999, 4_000, 4_001, 9_999, 10_000, 20_000] {
            let options = LogOptions {
                tail_lines: Some(tail),
                ..LogOptions::default()
            };
            let got = collect(path.clone(), options).await;
            let want: String = lines[lines.len().saturating_sub(tail)..]
                .iter()
                .map(|l| format!("{l}\n"))
                .collect();
            assert_eq!(got, want, "tail {tail}");
        }
    }

    #[test]
    fn queries_parse_as_pods_log_options() {
        let options =
            LogOptions::parse("follow=true&tailLines=10&timestamps=true&limitBytes=5").unwrap();
        assert!(options.follow && options.timestamps);
        assert_eq!(options.tail_lines, Some(10));
        assert_eq!(options.limit_bytes, Some(5));
        assert!(LogOptions::parse("tailLines=x").is_err());
        // Flags as the API server reads them (Python's `True`, a bare key).
        let options = LogOptions::parse("follow=True&timestamps&previous=False").unwrap();
        assert!(options.follow && options.timestamps && !options.previous);
    }
}
