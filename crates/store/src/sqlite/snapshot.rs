//! Snapshots of the embedded store: save (online), status and restore.
//!
//! A snapshot is a standalone, compacted copy of the database file, taken in
//! one read transaction, so it is consistent at one revision while the store
//! keeps serving. `status` reports what `etcdctl snapshot status` reports for
//! an etcd snapshot: a CRC-32 of the file, its revision, the number of keys
//! in its revision log (every kept revision, as etcd counts them) and its size.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use super::reader::ReadPool;
use super::schema::{self, display, sqlite_error};
use crate::{Result, Revision, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SnapshotStatus {
    pub hash: u32,
    pub revision: Revision,
    #[serde(rename = "totalKey")]
    pub total_keys: i64,
    #[serde(rename = "totalSize")]
    pub total_size: u64,
}

impl SnapshotStatus {
    /// `etcdctl snapshot status -w table`.
    pub fn table(&self) -> String {
        let headers = ["HASH", "REVISION", "TOTAL KEYS", "TOTAL SIZE"];
        let cells = [
            format!("{:x}", self.hash),
            self.revision.to_string(),
            self.total_keys.to_string(),
            human_bytes(self.total_size),
        ];
        let widths: Vec<usize> = headers
            .iter()
            .zip(&cells)
            .map(|(h, c)| h.len().max(c.len()) + 2)
            .collect();
        let rule = {
            let mut line = String::from("+");
            for w in &widths {
                line.push_str(&"-".repeat(*w));
                line.push('+');
            }
            line
        };
        let centred = |text: &str, width: usize| {
            let pad = width - text.len();
            let left = pad / 2 + pad % 2;
            format!("{}{}{}", " ".repeat(left), text, " ".repeat(pad - left))
        };
        let right = |text: &str, width: usize| format!("{:>w$} ", text, w = width - 1);
        let mut out = String::new();
        out.push_str(&rule);
        out.push('\n');
        out.push('|');
        for (h, w) in headers.iter().zip(&widths) {
            out.push_str(&centred(h, *w));
            out.push('|');
        }
        out.push('\n');
        out.push_str(&rule);
        out.push('\n');
        out.push('|');
        for (c, w) in cells.iter().zip(&widths) {
            out.push_str(&right(c, *w));
            out.push('|');
        }
        out.push('\n');
        out.push_str(&rule);
        out.push('\n');
        out
    }

    /// `etcdctl snapshot status` (simple output).
    pub fn simple(&self) -> String {
        format!(
            "{:x}, {}, {}, {}\n",
            self.hash,
            self.revision,
            self.total_keys,
            human_bytes(self.total_size)
        )
    }
}

/// Sizes as etcdctl prints them: SI units, one decimal below 10.
pub fn human_bytes(size: u64) -> String {
    if size < 10 {
        return format!("{size} B");
    }
    let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let exponent = ((size as f64).ln() / 1000f64.ln()).floor() as usize;
    let exponent = exponent.min(units.len() - 1);
    let value = size as f64 / 1000f64.powi(exponent as i32);
    let value = (value * 10.0 + 0.5).floor() / 10.0;
    if value < 10.0 {
        format!("{value:.1} {}", units[exponent])
    } else {
        format!("{value:.0} {}", units[exponent])
    }
}

fn io_error(path: &Path, err: std::io::Error) -> StoreError {
    StoreError::Io(format!("{}: {err}", path.display()))
}

fn refuse_existing(path: &Path) -> Result<()> {
    if path.exists() {
        return Err(StoreError::InvalidArgument(format!(
            "{} already exists; refusing to overwrite it",
            path.display()
        )));
    }
    Ok(())
}

fn part_path(path: &Path) -> PathBuf {
    let mut part = path.as_os_str().to_owned();
    part.push(".part");
    PathBuf::from(part)
}

/// Makes a finished `.part` file durable and moves it into place.
fn publish(part: &Path, dest: &Path) -> Result<()> {
    crate::private::restrict(part).map_err(|e| io_error(part, e))?;
    std::fs::File::open(part)
        .and_then(|f| f.sync_all())
        .map_err(|e| io_error(part, e))?;
    std::fs::rename(part, dest).map_err(|e| io_error(dest, e))?;
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)
            .and_then(|f| f.sync_all())
            .map_err(|e| io_error(dir, e))?;
    }
    Ok(())
}

/// Saves a snapshot of the store in database file `db` to `dest`. Works
/// while a server is using the store.
pub fn save(db: &Path, dest: &Path) -> Result<SnapshotStatus> {
    refuse_existing(dest)?;
    if !db.exists() {
        return Err(StoreError::NotFound(display(db)));
    }
    let conn = schema::connect(db, false)?;
    schema::check_existing(db, &conn)?;
    let part = part_path(dest);
    let _ = std::fs::remove_file(&part);
    conn.execute("VACUUM INTO ?1", [part.to_string_lossy().as_ref()])
        .map_err(|e| sqlite_error(db, e))?;
    publish(&part, dest)?;
    status(dest)
}

pub(crate) async fn save_with(readers: &Arc<ReadPool>, dest: &Path) -> Result<SnapshotStatus> {
    refuse_existing(dest)?;
    let part = part_path(dest);
    let _ = std::fs::remove_file(&part);
    readers.vacuum_into(part.clone()).await?;
    let dest = dest.to_path_buf();
    tokio::task::spawn_blocking(move || {
        publish(&part, &dest)?;
        status(&dest)
    })
    .await
    .map_err(|e| StoreError::Io(format!("snapshot task failed: {e}")))?
}

fn open_snapshot(file: &Path) -> Result<Connection> {
    if !file.is_file() {
        return Err(StoreError::NotFound(display(file)));
    }
    let conn = schema::connect(file, true)?;
    schema::check_existing(file, &conn)?;
    Ok(conn)
}

/// Reports hash, revision, total keys and size of a snapshot file.
pub fn status(file: &Path) -> Result<SnapshotStatus> {
    let conn = open_snapshot(file)?;
    let err = |e| sqlite_error(file, e);
    let meta = schema::read_meta(&conn).map_err(err)?;
    let total_keys: i64 = conn
        .query_row("SELECT COUNT(*) FROM kv", [], |r| r.get(0))
        .map_err(err)?;
    drop(conn);
    let mut hasher = crc32fast::Hasher::new();
    let mut reader = std::fs::File::open(file).map_err(|e| io_error(file, e))?;
    let mut total_size = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut buf).map_err(|e| io_error(file, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total_size += n as u64;
    }
    Ok(SnapshotStatus {
        hash: hasher.finalize(),
        revision: meta.revision,
        total_keys,
        total_size,
    })
}

/// Restores snapshot `file` as the store database `db`, which must not exist
/// yet (restore into a fresh data directory, as with etcd).
pub fn restore(file: &Path, db: &Path) -> Result<SnapshotStatus> {
    let snapshot = status(file)?;
    let conn = open_snapshot(file)?;
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| sqlite_error(file, e))?;
    if check != "ok" {
        return Err(StoreError::Corrupt {
            path: display(file),
            reason: format!("integrity check failed: {check}"),
        });
    }
    drop(conn);
    refuse_existing(db)?;
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    }
    let part = part_path(db);
    {
        let mut source = std::fs::File::open(file).map_err(|e| io_error(file, e))?;
        let mut target = std::fs::File::create(&part).map_err(|e| io_error(&part, e))?;
        std::io::copy(&mut source, &mut target).map_err(|e| io_error(&part, e))?;
        target.flush().map_err(|e| io_error(&part, e))?;
    }
    // Leave the copy in WAL mode like every store the server creates.
    {
        let conn = Connection::open_with_flags(&part, OpenFlags::SQLITE_OPEN_READ_WRITE)
            .map_err(|e| sqlite_error(&part, e))?;
        conn.execute_batch("PRAGMA journal_mode = WAL")
            .map_err(|e| sqlite_error(&part, e))?;
    }
    publish(&part, db)?;
    Ok(snapshot)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_etcdctl() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(82), "82 B");
        assert_eq!(human_bytes(1234), "1.2 kB");
        assert_eq!(human_bytes(45_000_000), "45 MB");
        assert_eq!(human_bytes(20_480), "20 kB");
    }

    #[test]
    fn table_matches_etcdctl_layout() {
        let status = SnapshotStatus {
            hash: 0x12345678,
            revision: 98765,
            total_keys: 2345,
            total_size: 45_000_000,
        };
        let expected = "\
+----------+----------+------------+------------+
|   HASH   | REVISION | TOTAL KEYS | TOTAL SIZE |
+----------+----------+------------+------------+
| 12345678 |    98765 |       2345 |      45 MB |
+----------+----------+------------+------------+
";
        assert_eq!(status.table(), expected);
    }
}
