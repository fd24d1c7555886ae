//! Backends under test: each test gets a fresh store of its own.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use store::etcd::{EtcdOptions, EtcdStore};
use store::sqlite::SqliteStore;
use store::testing::EtcdCluster;
use store::{SharedStore, WatchEvent, WatchStream};

pub struct Backend {
    pub store: SharedStore,
    pub etcd: Option<EtcdCluster>,
    pub dir: Option<tempfile::TempDir>,
}

impl Backend {
    pub fn sqlite() -> Backend {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqliteStore::open_dir(dir.path()).expect("open sqlite store");
        Backend {
            store: Arc::new(store),
            etcd: None,
            dir: Some(dir),
        }
    }

    pub async fn etcd() -> Backend {
        Self::etcd_cluster(1).await
    }

    pub async fn etcd_cluster(members: usize) -> Backend {
        let cluster = tokio::task::spawn_blocking(move || EtcdCluster::start(members))
            .await
            .expect("start task")
            .expect("start etcd");
        let store = EtcdStore::connect(EtcdOptions::new(cluster.endpoints()))
            .await
            .expect("connect to etcd");
        Backend {
            store: Arc::new(store),
            etcd: Some(cluster),
            dir: None,
        }
    }
}

/// The next event, failing the test if none arrives in time.
pub async fn next_event(stream: &mut WatchStream) -> WatchEvent {
    match tokio::time::timeout(Duration::from_secs(10), stream.next()).await {
        Ok(Some(Ok(event))) => event,
        Ok(Some(Err(err))) => panic!("watch failed: {err}"),
        Ok(None) => panic!("watch ended"),
        Err(_) => panic!("no watch event within 10s"),
    }
}

/// Asserts that no event arrives for a short while.
pub async fn assert_quiet(stream: &mut WatchStream) {
    if let Ok(item) = tokio::time::timeout(Duration::from_millis(300), stream.next()).await {
        panic!("unexpected watch item: {item:?}");
    }
}
