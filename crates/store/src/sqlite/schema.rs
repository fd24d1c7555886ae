//! The database file: opening it safely, recognising it, creating the schema.
//!
//! Layout: `kv` is the revision log (one row per write, tombstones for
//! deletes, kept until compaction); `current` maps each live key to the
//! revision of its latest row; `meta` holds the current and the compacted
//! revision. The current revision is stored rather than derived, because
//! compaction may remove the newest row (a tombstone) and revisions must
//! never go back.

use std::io::Read;
use std::path::Path;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension};

use crate::{Result, Revision, StoreError};

/// `PRAGMA application_id` of rudder stores: "RUDD".
pub(crate) const APPLICATION_ID: i64 = 0x5255_4444;
/// `PRAGMA user_version`: the schema format this code reads and writes.
pub(crate) const FORMAT_VERSION: i64 = 1;

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

const SCHEMA: &str = "
CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE kv (
    revision        INTEGER PRIMARY KEY,
    key             BLOB NOT NULL,
    create_revision INTEGER NOT NULL,
    prev_revision   INTEGER,
    deleted         INTEGER NOT NULL,
    value           BLOB
);
CREATE INDEX kv_key_revision ON kv (key, revision);
CREATE TABLE current (
    key      BLOB PRIMARY KEY,
    revision INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (name, value) VALUES ('revision', 0), ('compacted', 0);
";

/// Revisions recorded in the `meta` table.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Meta {
    pub revision: Revision,
    pub compacted: Revision,
}

pub(crate) fn display(path: &Path) -> String {
    path.display().to_string()
}

/// Maps a SQLite error on `path` to a store error.
pub(crate) fn sqlite_error(path: &Path, err: rusqlite::Error) -> StoreError {
    match err.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::Corrupt {
            path: display(path),
            reason: "not a database file".into(),
        },
        Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
            path: display(path),
            reason: format!("database is corrupt: {err}"),
        },
        Some(ErrorCode::DiskFull) => StoreError::Io(format!("{}: disk full", display(path))),
        _ => StoreError::Io(format!("{}: {err}", display(path))),
    }
}

/// Refuses files that are not SQLite databases before SQLite touches them,
/// so a foreign file is never rewritten.
fn check_header(path: &Path) -> Result<()> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(StoreError::Io(format!("{}: {err}", display(path)))),
    };
    let mut header = [0u8; 16];
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(err) => return Err(StoreError::Io(format!("{}: {err}", display(path)))),
        }
    }
    if read == 0 {
        // An empty file is a database SQLite has not written yet.
        return Ok(());
    }
    if read < header.len() || &header != SQLITE_HEADER {
        return Err(StoreError::Corrupt {
            path: display(path),
            reason: "not a rudder store: the file is not a SQLite database".into(),
        });
    }
    Ok(())
}

/// Opens a connection with the settings every connection of the store uses.
pub(crate) fn connect(path: &Path, read_only: bool) -> Result<Connection> {
    check_header(path)?;
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let conn = Connection::open_with_flags(path, flags).map_err(|e| sqlite_error(path, e))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(|e| sqlite_error(path, e))?;
    Ok(conn)
}

/// Opens the writer's connection: checks what the file is, creates the
/// schema in an empty file, and turns on WAL with fsync on every commit.
pub(crate) fn open_for_writing(path: &Path) -> Result<(Connection, Meta)> {
    let conn = connect(path, false)?;
    let err = |e| sqlite_error(path, e);
    let app_id: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(err)?;
    let tables = table_names(&conn).map_err(err)?;
    if app_id == 0 && tables.is_empty() {
        conn.execute_batch("PRAGMA journal_mode = WAL")
            .map_err(err)?;
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE; {SCHEMA} PRAGMA application_id = {APPLICATION_ID}; \
             PRAGMA user_version = {FORMAT_VERSION}; COMMIT;"
        ))
        .map_err(err)?;
    } else {
        check_identity(path, &conn, app_id, &tables)?;
        conn.execute_batch("PRAGMA journal_mode = WAL")
            .map_err(err)?;
        // Find damage now, with the file named, rather than in some later read.
        let check: String = conn
            .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
            .map_err(err)?;
        if check != "ok" {
            return Err(StoreError::Corrupt {
                path: display(path),
                reason: format!("database is corrupt: {check}"),
            });
        }
    }
    // FULL: the WAL is fsynced at every commit, so an acknowledged write
    // survives power loss, not only a process crash.
    conn.execute_batch("PRAGMA synchronous = FULL")
        .map_err(err)?;
    let meta = read_meta(&conn).map_err(err)?;
    let newest: Option<Revision> = conn
        .query_row("SELECT MAX(revision) FROM kv", [], |r| r.get(0))
        .map_err(err)?;
    if newest.unwrap_or(0) > meta.revision || meta.compacted > meta.revision {
        return Err(StoreError::Corrupt {
            path: display(path),
            reason: format!(
                "inconsistent revisions: log reaches {}, current revision is {}, compacted {}",
                newest.unwrap_or(0),
                meta.revision,
                meta.compacted
            ),
        });
    }
    Ok((conn, meta))
}

fn table_names(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt =
        conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?;
    stmt.query_map([], |r| r.get(0))?.collect()
}

/// Checks that an existing database is a rudder store this code can read.
pub(crate) fn check_identity(
    path: &Path,
    conn: &Connection,
    app_id: i64,
    tables: &[String],
) -> Result<()> {
    if app_id != APPLICATION_ID {
        return Err(StoreError::Corrupt {
            path: display(path),
            reason: format!(
                "not a rudder store: a SQLite database of another application (application_id {app_id:#x}, tables: {})",
                if tables.is_empty() {
                    "none".to_string()
                } else {
                    tables.join(", ")
                }
            ),
        });
    }
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| sqlite_error(path, e))?;
    if version != FORMAT_VERSION {
        return Err(StoreError::Corrupt {
            path: display(path),
            reason: format!(
                "store format {version} is not supported (this rudder reads format {FORMAT_VERSION})"
            ),
        });
    }
    for table in ["current", "kv", "meta"] {
        if !tables.iter().any(|t| t == table) {
            return Err(StoreError::Corrupt {
                path: display(path),
                reason: format!("the {table} table is missing"),
            });
        }
    }
    Ok(())
}

/// Checks an existing file without creating anything (snapshots, status).
pub(crate) fn check_existing(path: &Path, conn: &Connection) -> Result<()> {
    let err = |e| sqlite_error(path, e);
    let app_id: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(err)?;
    let tables = table_names(conn).map_err(err)?;
    check_identity(path, conn, app_id, &tables)
}

pub(crate) fn read_meta(conn: &Connection) -> rusqlite::Result<Meta> {
    let get = |name: &str| -> rusqlite::Result<Revision> {
        Ok(conn
            .query_row("SELECT value FROM meta WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()?
            .unwrap_or(0))
    };
    Ok(Meta {
        revision: get("revision")?,
        compacted: get("compacted")?,
    })
}
