//! kill -9 in the middle of a write stream: after restart every acknowledged
//! write is there, revisions continue, and nothing half-written is visible.
//!
//! The writer is this test binary run again as a child process (the ignored
//! `crash_writer` below), so the kill hits a real process with the store open.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use store::sqlite::SqliteStore;
use store::{RangeOptions, Store};

const DIR_VAR: &str = "RUDDER_CRASH_WRITER_DIR";

/// A value that proves it was written whole: key, a body, and a checksum.
fn make_value(key: &str, n: u64) -> Vec<u8> {
    let body = format!("{key}|{n}|{}", "x".repeat((n % 700) as usize + 100));
    format!("{body}|{:08x}", crc(body.as_bytes())).into_bytes()
}

fn check_value(key: &str, value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    let Some((body, sum)) = text.rsplit_once('|') else {
        return false;
    };
    body.starts_with(&format!("{key}|")) && format!("{:08x}", crc(body.as_bytes())) == sum
}

fn crc(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c9dc5u32, |h, b| {
        (h ^ *b as u32).wrapping_mul(0x01000193)
    })
}

/// The child: writes from several tasks until killed, printing each
/// acknowledged write as `key revision` once the store has returned.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "run as a child process by kill_9_loses_no_acknowledged_write"]
async fn crash_writer() {
    let dir = std::env::var(DIR_VAR)
        .expect("crash_writer is started by kill_9_loses_no_acknowledged_write");
    let store = Arc::new(SqliteStore::open_dir(&dir).unwrap());
    let out = Arc::new(Mutex::new(std::io::stdout()));
    let start = store.current_revision().await.unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|w| {
            let store = store.clone();
            let out = out.clone();
            tokio::spawn(async move {
                for n in 0u64.. {
                    let key = format!("/crash/{start}/w{w}/k{}", n % 50);
                    let value = make_value(&key, n);
                    let (revision, op) = match store.get(&key).await.unwrap() {
                        None => (store.create(&key, value).await.unwrap(), "put"),
                        Some(kv) if n % 7 == 3 => (
                            store.delete(&key, Some(kv.mod_revision)).await.unwrap().0,
                            "delete",
                        ),
                        Some(kv) => (
                            store.update(&key, value, kv.mod_revision).await.unwrap(),
                            "put",
                        ),
                    };
                    let mut out = out.lock().unwrap();
                    writeln!(out, "{key} {revision} {op}").unwrap();
                    out.flush().unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut max_acknowledged = 0;
    for round in 0..3 {
        let mut child = Command::new(&exe)
            .args(["crash_writer", "--exact", "--ignored", "--nocapture"])
            .env(DIR_VAR, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        // Latest acknowledged write per key: its revision, and whether it was a delete.
        let mut acknowledged: BTreeMap<String, (i64, bool)> = BTreeMap::new();
        let started = Instant::now();
        let mut killed = false;
        let mut acks = 0;
        while let Some(Ok(line)) = lines.next() {
            let fields: Vec<&str> = line.split(' ').collect();
            // Other lines are the test harness talking.
            let [key, revision, op] = fields[..] else {
                continue;
            };
            if !key.starts_with("/crash/") {
                continue;
            }
            let Ok(revision) = revision.parse::<i64>() else {
                continue;
            };
            acknowledged.insert(key.to_string(), (revision, op == "delete"));
            acks += 1;
            if !killed && (acks >= 1000 || started.elapsed() > Duration::from_secs(20)) {
                // SIGKILL mid-stream; lines already printed were acknowledged.
                child.kill().unwrap();
                killed = true;
            }
        }
        child.wait().unwrap();
        assert!(killed, "round {round}: the writer stopped by itself");
        assert!(acks >= 1000, "round {round}: too few writes");

        let store = SqliteStore::open_dir(dir.path()).unwrap();
        let current = store.current_revision().await.unwrap();
        let round_max = acknowledged.values().map(|(r, _)| *r).max().unwrap();
        assert!(current >= round_max, "round {round}: revision went back");
        assert!(
            round_max > max_acknowledged,
            "round {round}: revisions continue"
        );
        max_acknowledged = round_max;

        // Each acknowledged write is there: its key holds that revision, or
        // a later one whose acknowledgement the kill cut off.
        for (key, (revision, deleted)) in &acknowledged {
            let at_ack = store
                .range(
                    key,
                    RangeOptions {
                        revision: Some(*revision),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            let seen = at_ack.kvs.iter().find(|kv| &kv.key == key);
            if *deleted {
                assert!(seen.is_none(), "{key}: the delete at {revision} is lost");
            } else {
                let seen = seen.unwrap_or_else(|| panic!("{key}: the write at {revision} is lost"));
                assert_eq!(seen.mod_revision, *revision, "{key}");
            }
            if let Some(kv) = store.get(key).await.unwrap() {
                assert!(kv.mod_revision >= *revision, "{key} went back in time");
            }
        }
        // Nothing half-written anywhere.
        let all = store
            .range("/crash/", RangeOptions::default())
            .await
            .unwrap();
        assert!(!all.kvs.is_empty());
        for kv in &all.kvs {
            assert!(
                check_value(&kv.key, &kv.value),
                "torn value under {}",
                kv.key
            );
        }
        let next = store
            .create(&format!("/after/{round}"), b"ok".to_vec())
            .await
            .unwrap();
        assert_eq!(next, current + 1);
    }
}
