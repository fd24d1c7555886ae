//! What only the embedded backend has: a file on disk that survives
//! restarts, refuses what is not a rudder store, copes with a full disk, and
//! can be snapshotted and restored.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use common::next_event;
use store::sqlite::{DATABASE_FILE, SqliteStore, snapshot};
use store::{RangeOptions, SharedStore, Store, StoreError};

fn value(text: &str) -> Vec<u8> {
    text.as_bytes().to_vec()
}

#[tokio::test]
async fn restart_keeps_data_and_revisions_continue() {
    let dir = tempfile::tempdir().unwrap();
    let (last, deleted) = {
        let store = SqliteStore::open_dir(dir.path()).unwrap();
        let r1 = store.create("/registry/a", value("1")).await.unwrap();
        store.update("/registry/a", value("2"), r1).await.unwrap();
        store.create("/registry/b", value("b")).await.unwrap();
        let (deleted, _) = store.delete("/registry/b", None).await.unwrap();
        (store.current_revision().await.unwrap(), deleted)
    };
    assert_eq!(last, deleted);

    let store = SqliteStore::open_dir(dir.path()).unwrap();
    assert_eq!(store.current_revision().await.unwrap(), last);
    let a = store.get("/registry/a").await.unwrap().unwrap();
    assert_eq!((a.value, a.create_revision), (value("2"), 1));
    assert_eq!(store.get("/registry/b").await.unwrap(), None);
    // History survives too: a watch resumes from an old revision.
    let mut watch = store.watch("/registry/", 2).await.unwrap();
    assert_eq!(next_event(&mut watch).await.revision(), 2);
    let next = store.create("/registry/c", value("c")).await.unwrap();
    assert_eq!(next, last + 1);
}

#[tokio::test]
async fn the_newest_revision_survives_compacting_a_delete() {
    let dir = tempfile::tempdir().unwrap();
    let last = {
        let store = SqliteStore::open_dir(dir.path()).unwrap();
        store.create("/registry/x", value("x")).await.unwrap();
        let (deleted, _) = store.delete("/registry/x", None).await.unwrap();
        // The tombstone is the newest row, and compaction removes it.
        store.compact(deleted).await.unwrap();
        deleted
    };
    let store = SqliteStore::open_dir(dir.path()).unwrap();
    assert_eq!(store.current_revision().await.unwrap(), last);
    assert_eq!(store.compacted_revision().await.unwrap(), last);
    assert_eq!(
        store.create("/registry/y", value("y")).await.unwrap(),
        last + 1
    );
}

#[tokio::test]
async fn a_second_process_cannot_open_the_same_store() {
    let dir = tempfile::tempdir().unwrap();
    let _first = SqliteStore::open_dir(dir.path()).unwrap();
    match SqliteStore::open_dir(dir.path()) {
        Err(StoreError::Io(message)) => assert!(message.contains("in use"), "{message}"),
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("two writers on one store"),
    }
}

fn expect_corrupt(result: Result<SqliteStore, StoreError>, path: &std::path::Path, words: &str) {
    match result {
        Err(StoreError::Corrupt {
            path: named,
            reason,
        }) => {
            assert_eq!(named, path.display().to_string());
            assert!(reason.contains(words), "reason {reason:?} lacks {words:?}");
        }
        Err(other) => panic!("expected Corrupt, got {other}"),
        Ok(_) => panic!("opened a file that is not a rudder store"),
    }
}

#[test]
fn foreign_files_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);

    std::fs::write(&path, "this is somebody's notes, not a database\n").unwrap();
    expect_corrupt(SqliteStore::open(&path), &path, "not a SQLite database");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "this is somebody's notes, not a database\n"
    );

    std::fs::remove_file(&path).unwrap();
    {
        let other = rusqlite::Connection::open(&path).unwrap();
        other
            .execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL);")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    expect_corrupt(
        SqliteStore::open(&path),
        &path,
        "another application (application_id 0x0, tables: invoices)",
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file was not modified"
    );
}

#[tokio::test]
async fn a_damaged_store_is_reported_not_used() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    {
        let store = SqliteStore::open(&path).unwrap();
        for i in 0..300 {
            store
                .create(&format!("/registry/pods/ns/p{i:03}"), vec![b'v'; 2000])
                .await
                .unwrap();
        }
    }
    // Fold the WAL into the main file, then overwrite pages in its middle.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
    }
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 64 * 1024);
    for b in bytes[16 * 1024..48 * 1024].iter_mut() {
        *b = 0xa5;
    }
    std::fs::write(&path, &bytes).unwrap();
    expect_corrupt(SqliteStore::open(&path), &path, "corrupt");
}

#[tokio::test]
async fn snapshot_save_status_and_restore() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(dir.path().join("data")).unwrap();
    for i in 0..50 {
        let key = format!("/registry/configmaps/default/cm{i}");
        let r = store.create(&key, value(&format!("v{i}"))).await.unwrap();
        store
            .update(&key, value(&format!("w{i}")), r)
            .await
            .unwrap();
    }
    let revision = store.current_revision().await.unwrap();
    assert_eq!(revision, 100);

    // Online: taken while the store serves.
    let online = dir.path().join("online.db");
    let status = store.snapshot(&online).await.unwrap();
    assert_eq!(status.revision, 100);
    assert_eq!(status.total_keys, 100, "every kept revision counts");
    assert_eq!(status.total_size, std::fs::metadata(&online).unwrap().len());
    assert_eq!(snapshot::status(&online).unwrap(), status);
    assert!(matches!(
        store.snapshot(&online).await,
        Err(StoreError::InvalidArgument(_))
    ));

    // From outside the serving process, through the file.
    let outside = dir.path().join("outside.db");
    let status2 = snapshot::save(store.path(), &outside).unwrap();
    assert_eq!(status2.revision, 100);

    // Writes after the snapshot are not in it.
    store
        .create("/registry/configmaps/default/later", value("later"))
        .await
        .unwrap();

    let restored_dir = dir.path().join("restored");
    let restored_db = restored_dir.join(DATABASE_FILE);
    snapshot::restore(&online, &restored_db).unwrap();
    assert!(matches!(
        snapshot::restore(&online, &restored_db),
        Err(StoreError::InvalidArgument(_))
    ));
    let restored = SqliteStore::open_dir(&restored_dir).unwrap();
    assert_eq!(restored.current_revision().await.unwrap(), 100);
    let all = restored
        .range("/registry/configmaps/", RangeOptions::default())
        .await
        .unwrap();
    assert_eq!(all.kvs.len(), 50);
    assert!(all.kvs.iter().all(|kv| kv.value.starts_with(b"w")));
    assert_eq!(
        restored
            .create("/registry/configmaps/default/next", value("n"))
            .await
            .unwrap(),
        101
    );

    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![7u8; 4096]).unwrap();
    assert!(matches!(
        snapshot::status(&junk),
        Err(StoreError::Corrupt { .. })
    ));
    assert!(matches!(
        snapshot::restore(&junk, &dir.path().join("other").join(DATABASE_FILE)),
        Err(StoreError::Corrupt { .. })
    ));
    assert!(!dir.path().join("other").join(DATABASE_FILE).exists());
}

#[tokio::test]
async fn compaction_shrinks_history_and_the_compactor_runs_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open_dir(dir.path()).unwrap());
    let key = "/registry/leases/kube-node-lease/node";
    let mut r = store.create(key, value("0")).await.unwrap();
    for i in 1..200 {
        r = store.update(key, value(&i.to_string()), r).await.unwrap();
    }
    let before = store.snapshot(dir.path().join("before.db")).await.unwrap();
    assert_eq!(before.total_keys, 200);
    store.compact(r).await.unwrap();
    let after = store.snapshot(dir.path().join("after.db")).await.unwrap();
    assert_eq!(after.total_keys, 1, "only the live row is left");
    assert_eq!(store.get(key).await.unwrap().unwrap().value, value("199"));

    let shared: SharedStore = store.clone();
    let compactor = tokio::spawn(store::compactor::run(shared, Duration::from_millis(100)));
    let target = store.update(key, value("200"), r).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while store.compacted_revision().await.unwrap() < target {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the compactor did not compact"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    compactor.abort();
}

#[tokio::test]
async fn a_slow_watcher_catches_up_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open_dir(dir.path()).unwrap());
    let mut slow = store.watch("/registry/pods/", 0).await.unwrap();
    // One write per commit: more commits than the in-memory fan-out buffer
    // (4096) and the watcher's own buffer (1024) hold, while it reads nothing.
    for i in 0..6400 {
        store
            .create(&format!("/registry/pods/ns/p{i}"), value("x"))
            .await
            .unwrap();
    }
    let mut last = 0;
    for _ in 0..6400 {
        let revision = next_event(&mut slow).await.revision();
        assert_eq!(revision, last + 1, "no gap and no repeat");
        last = revision;
    }
    assert_eq!(last, 6400);
}

/// Mounts a small tmpfs so the disk really fills up (needs root, as in CI).
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> SmallDisk {
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("run mount");
        assert!(status.success(), "mounting a tmpfs needs root");
        SmallDisk { dir }
    }

    fn grow(&self, size: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(self.dir.path())
            .status()
            .expect("run mount");
        assert!(status.success());
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[tokio::test]
async fn a_full_disk_fails_writes_cleanly_and_recovers() {
    let disk = SmallDisk::mount("2m");
    let store = SqliteStore::open_dir(disk.dir.path().join("store")).unwrap();
    let mut acknowledged = Vec::new();
    let mut failure = None;
    for i in 0..1000 {
        let key = format!("/registry/configmaps/default/c{i:04}");
        match store
            .create(&key, vec![b'0' + (i % 10) as u8; 32 * 1024])
            .await
        {
            Ok(revision) => acknowledged.push((key, revision)),
            Err(err) => {
                failure = Some((key, err));
                break;
            }
        }
    }
    let (failed_key, err) = failure.expect("a 2 MiB disk fills up");
    assert!(matches!(err, StoreError::Io(_)), "got {err}");
    assert!(err.to_string().contains("disk full"), "got {err}");

    // Everything acknowledged is readable; the failed write is not there.
    assert_eq!(store.get(&failed_key).await.unwrap(), None);
    let last = acknowledged.last().unwrap().1;
    assert_eq!(store.current_revision().await.unwrap(), last);
    for (key, revision) in &acknowledged {
        assert_eq!(
            store.get(key).await.unwrap().unwrap().mod_revision,
            *revision
        );
    }

    // Space returns: writing resumes where it left off.
    disk.grow("64m");
    let revision = store
        .create(&failed_key, value("now it fits"))
        .await
        .unwrap();
    assert_eq!(revision, last + 1);
    drop(store);
    let store = SqliteStore::open_dir(disk.dir.path().join("store")).unwrap();
    assert_eq!(store.current_revision().await.unwrap(), last + 1);
    assert_eq!(
        store.count("/registry/configmaps/").await.unwrap(),
        acknowledged.len() as i64 + 1
    );
}
