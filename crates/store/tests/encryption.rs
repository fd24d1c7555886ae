//! Encryption at rest over both backends: what the wrapped store holds is
//! sealed with upstream's prefix, what readers and watchers of the
//! encrypting store see is the plain value.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Backend, next_event};
use serde_json::json;
use store::encryption::{EncryptedStore, parse_configuration};
use store::{RangeOptions, Store, WatchEvent};

async fn encrypted_values_round_trip(backend: Backend) {
    let config = json!({
        "apiVersion": "apiserver.config.k8s.io/v1",
        "kind": "EncryptionConfiguration",
        "resources": [{"resources": ["secrets"], "providers": [
            {"aesgcm": {"keys": [{"name": "k1", "secret": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}]}},
        ]}],
    });
    let transformer = parse_configuration(&config).unwrap().remove(0).1;
    let encrypted = EncryptedStore::new(
        backend.store.clone(),
        vec![("/registry/secrets/".to_string(), transformer)],
    );
    let mut watch = encrypted.watch("/registry/", 0).await.unwrap();
    let secret = b"{\"data\":{\"token\":\"c2VjcmV0\"}}".to_vec();
    let key = "/registry/secrets/default/s";
    let revision = encrypted.create(key, secret.clone()).await.unwrap();
    encrypted
        .create("/registry/configmaps/default/c", b"{}".to_vec())
        .await
        .unwrap();

    let raw = backend.store.get(key).await.unwrap().unwrap().value;
    assert!(raw.starts_with(b"k8s:enc:aesgcm:v1:k1:"));
    assert!(!raw.windows(6).any(|w| w == b"c2VjcmV0"));
    let plain = backend
        .store
        .get("/registry/configmaps/default/c")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(plain.value, b"{}");

    assert_eq!(encrypted.get(key).await.unwrap().unwrap().value, secret);
    let listed = encrypted
        .range("/registry/secrets/", RangeOptions::default())
        .await
        .unwrap();
    assert_eq!(listed.kvs[0].value, secret);
    match next_event(&mut watch).await {
        WatchEvent::Put { kv, .. } => assert_eq!(kv.value, secret),
        other => panic!("{other:?}"),
    }
    let updated = b"{\"data\":{}}".to_vec();
    encrypted
        .update(key, updated.clone(), revision)
        .await
        .unwrap();
    let (_, deleted) = encrypted.delete(key, None).await.unwrap();
    assert_eq!(deleted.value, updated);
}

#[tokio::test]
async fn sqlite_values_are_encrypted_at_rest() {
    encrypted_values_round_trip(Backend::sqlite()).await;
}

#[tokio::test]
async fn etcd_values_are_encrypted_at_rest() {
    encrypted_values_round_trip(Backend::etcd().await).await;
}
