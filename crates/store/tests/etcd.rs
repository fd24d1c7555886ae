//! What only the etcd backend has: several members, failover, and a cluster
//! that can be entirely down.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::next_event;
use store::etcd::{EtcdOptions, EtcdStore};
use store::testing::EtcdCluster;
use store::{RangeOptions, Store, StoreError, WatchEvent};

async fn connect(cluster: &EtcdCluster, timeout: Duration) -> EtcdStore {
    let mut options = EtcdOptions::new(cluster.endpoints());
    options.request_timeout = timeout;
    options.dial_timeout = Duration::from_millis(500);
    EtcdStore::connect(options).await.unwrap()
}

/// Writes `key`, retrying while the cluster elects a leader or a member is
/// down. A retried create that already happened is recognised by its value.
async fn create_retrying(store: &EtcdStore, key: &str, value: &[u8]) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match store.create(key, value.to_vec()).await {
            Ok(revision) => return revision,
            Err(StoreError::AlreadyExists(_)) => {
                let kv = store.get(key).await.unwrap().unwrap();
                assert_eq!(kv.value, value);
                return kv.mod_revision;
            }
            Err(err) if err.is_transient() && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(err) => panic!("write of {key} failed: {err}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn watch_resumes_across_member_restarts_without_loss_or_repeats() {
    let mut cluster = tokio::task::spawn_blocking(|| EtcdCluster::start(3))
        .await
        .unwrap()
        .unwrap();
    let store = Arc::new(connect(&cluster, Duration::from_secs(2)).await);
    let mut watch = store.watch("/registry/pods/", 0).await.unwrap();

    let mut written = Vec::new();
    let mut next = 0;
    // Kill and restart each member in turn while writing; the watch stream
    // may be served by any of them.
    for member in 0..3 {
        for _ in 0..20 {
            let key = format!("/registry/pods/default/p{next:03}");
            written.push(create_retrying(&store, &key, key.as_bytes()).await);
            next += 1;
        }
        cluster.kill(member);
        for _ in 0..20 {
            let key = format!("/registry/pods/default/p{next:03}");
            written.push(create_retrying(&store, &key, key.as_bytes()).await);
            next += 1;
        }
        cluster.restart(member).unwrap();
        tokio::task::block_in_place(|| cluster.wait_healthy(Duration::from_secs(30))).unwrap();
    }

    let mut seen = Vec::new();
    while seen.len() < written.len() {
        match next_event(&mut watch).await {
            WatchEvent::Put { kv, .. } => {
                assert_eq!(kv.value, kv.key.as_bytes());
                seen.push(kv.mod_revision);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(seen, written, "every write once, in order");
    common::assert_quiet(&mut watch).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cluster_that_is_down_gives_errors_not_hangs() {
    let mut cluster = tokio::task::spawn_blocking(|| EtcdCluster::start(1))
        .await
        .unwrap()
        .unwrap();
    let store = connect(&cluster, Duration::from_secs(1)).await;
    let r = store.create("/registry/a", b"a".to_vec()).await.unwrap();
    let mut watch = store.watch("/registry/", 0).await.unwrap();
    cluster.kill_all();

    let started = Instant::now();
    let bound = Duration::from_secs(5);
    let transient = |result: Result<(), StoreError>| match result {
        Err(err) => assert!(err.is_transient(), "{err}"),
        Ok(()) => panic!("a request succeeded with every member down"),
    };
    transient(store.get("/registry/a").await.map(|_| ()));
    transient(store.create("/registry/b", b"b".to_vec()).await.map(|_| ()));
    transient(
        store
            .update("/registry/a", b"x".to_vec(), r)
            .await
            .map(|_| ()),
    );
    transient(store.delete("/registry/a", None).await.map(|_| ()));
    transient(
        store
            .range("/registry/", RangeOptions::default())
            .await
            .map(|_| ()),
    );
    transient(store.current_revision().await.map(|_| ()));
    transient(store.watch("/registry/", 0).await.map(|_| ()));
    assert!(
        started.elapsed() < bound * 7,
        "requests took {:?}",
        started.elapsed()
    );

    // The cluster comes back: the old watch resumes and requests work.
    cluster.restart(0).unwrap();
    tokio::task::block_in_place(|| cluster.wait_healthy(Duration::from_secs(30))).unwrap();
    let r2 = create_retrying(&store, "/registry/c", b"c").await;
    assert_eq!(next_event(&mut watch).await.revision(), r2);
}
