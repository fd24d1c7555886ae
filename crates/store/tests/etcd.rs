//! What only the etcd backend has: several members, failover, and a cluster
//! that can be entirely down.

#![allow(clippy::unwrap_used, clippy::expect_used)]

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

/// Writes a CA, a serving certificate for 127.0.0.1 and a client
/// certificate into `dir`.
fn certificates(
    dir: &std::path::Path,
) -> (
    store::testing::EtcdTls,
    std::path::PathBuf,
    std::path::PathBuf,
) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "rudder-test-ca");
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::from_params(&ca_params, &ca_key);

    let mut server = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    server
        .subject_alt_names
        .push(SanType::IpAddress([127, 0, 0, 1].into()));
    let server_key = KeyPair::generate().unwrap();
    let server_cert = server.signed_by(&server_key, &issuer).unwrap();

    let mut client = CertificateParams::new(Vec::<String>::new()).unwrap();
    client
        .distinguished_name
        .push(DnType::CommonName, "kube-apiserver-etcd-client");
    let client_key = KeyPair::generate().unwrap();
    let client_cert = client.signed_by(&client_key, &issuer).unwrap();

    let write = |name: &str, pem: String| {
        let path = dir.join(name);
        std::fs::write(&path, pem).unwrap();
        path
    };
    let tls = store::testing::EtcdTls {
        ca_file: write("ca.crt", ca_cert.pem()),
        cert_file: write("server.crt", server_cert.pem()),
        key_file: write("server.key", server_key.serialize_pem()),
    };
    (
        tls,
        write("client.crt", client_cert.pem()),
        write("client.key", client_key.serialize_pem()),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tls_with_client_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let (tls, client_cert, client_key) = certificates(dir.path());
    let ca = tls.ca_file.clone();
    let cluster = tokio::task::spawn_blocking(move || EtcdCluster::start_tls(1, tls))
        .await
        .unwrap()
        .unwrap();
    assert!(cluster.endpoints()[0].starts_with("https://"));

    let mut options = EtcdOptions::new(cluster.endpoints());
    options.ca_file = Some(ca.clone());
    options.cert_file = Some(client_cert.clone());
    options.key_file = Some(client_key);
    options.request_timeout = Duration::from_secs(3);
    let store = EtcdStore::connect(options).await.unwrap();
    let r = store
        .create("/registry/secrets/default/s", b"s".to_vec())
        .await
        .unwrap();
    let kv = store
        .get("/registry/secrets/default/s")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kv.mod_revision, r);
    let mut watch = store.watch("/registry/secrets/", r).await.unwrap();
    assert_eq!(next_event(&mut watch).await.revision(), r);

    // Without a client certificate the cluster refuses us.
    let mut anonymous = EtcdOptions::new(cluster.endpoints());
    anonymous.ca_file = Some(ca);
    anonymous.request_timeout = Duration::from_secs(2);
    let refused = match EtcdStore::connect(anonymous).await {
        Ok(store) => store.get("/registry/secrets/default/s").await.map(|_| ()),
        Err(err) => Err(err),
    };
    assert!(
        refused.is_err(),
        "etcd served a client without a certificate"
    );

    // A certificate without its key is a configuration error.
    let mut half = EtcdOptions::new(cluster.endpoints());
    half.cert_file = Some(client_cert);
    assert!(matches!(
        EtcdStore::connect(half).await,
        Err(StoreError::InvalidArgument(_))
    ));
}
