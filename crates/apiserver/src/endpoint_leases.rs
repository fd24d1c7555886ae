//! The `kubernetes` Service's endpoints when several API servers share one
//! store, as upstream's lease endpoint reconciler: each server keeps a
//! short-lived record of its address under `/registry/masterleases/`, and
//! sets the Service's Endpoints and EndpointSlice to the addresses whose
//! records are fresh. A server that stops removes its record at once; one
//! that dies drops out when its record expires.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use store::{SharedStore, StoreError};
use tokio::sync::watch;

use crate::bootstrap;

const PREFIX: &str = "/registry/masterleases/";
/// How long a record stays fresh without renewal.
const TTL: Duration = Duration::from_secs(15);
/// How often a server renews its record and reconciles the endpoints.
const INTERVAL: Duration = Duration::from_secs(10);

/// This server's place in the `kubernetes` Service.
#[derive(Clone, Debug)]
pub struct Member {
    pub address: String,
    pub port: u16,
    pub cluster_ip: String,
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Writes (or refreshes) this server's record.
async fn renew(store: &SharedStore, member: &Member) -> Result<(), String> {
    let key = format!("{PREFIX}{}", member.address);
    let record = json!({
        "address": member.address,
        "port": member.port,
        "expiresAtMillis": now_millis() + TTL.as_millis() as i64,
    })
    .to_string()
    .into_bytes();
    for _ in 0..5 {
        let result = match store.get(&key).await.map_err(|e| e.to_string())? {
            None => store.create(&key, record.clone()).await,
            Some(kv) => store.update(&key, record.clone(), kv.mod_revision).await,
        };
        match result {
            Ok(_) => return Ok(()),
            Err(StoreError::AlreadyExists(_) | StoreError::Conflict { .. }) => continue,
            Err(err) => return Err(format!("cannot renew {key}: {err}")),
        }
    }
    Err(format!("{key} kept changing while being renewed"))
}

/// The addresses with fresh records, sorted.
async fn live_addresses(store: &SharedStore) -> Result<Vec<String>, String> {
    let now = now_millis();
    let mut addresses = Vec::new();
    let mut start = None;
    loop {
        let page = store
            .range(
                PREFIX,
                store::RangeOptions {
                    limit: 1000,
                    start: start.clone(),
                    revision: None,
                },
            )
            .await
            .map_err(|e| e.to_string())?;
        for kv in &page.kvs {
            let Ok(record) = serde_json::from_slice::<Value>(&kv.value) else {
                continue;
            };
            let fresh = record["expiresAtMillis"].as_i64().is_some_and(|t| t > now);
            if let (true, Some(address)) = (fresh, record["address"].as_str()) {
                addresses.push(address.to_string());
            }
        }
        if !page.more {
            break;
        }
        start = page.continue_key();
    }
    addresses.sort();
    addresses.dedup();
    Ok(addresses)
}

/// Renews this server's record and points the `kubernetes` Service at
/// every live server.
pub async fn reconcile(store: &SharedStore, member: &Member) -> Result<(), String> {
    renew(store, member).await?;
    let mut addresses = live_addresses(store).await?;
    if !addresses.contains(&member.address) {
        addresses.push(member.address.clone());
        addresses.sort();
    }
    bootstrap::ensure_kubernetes_service(store, &member.cluster_ip, &addresses, member.port).await
}

/// Keeps reconciling until `stopping` turns true, then takes this server
/// out of the endpoints.
pub async fn run(store: SharedStore, member: Member, mut stopping: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(INTERVAL);
    tick.tick().await;
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if let Err(err) = reconcile(&store, &member).await {
                    tracing::warn!(error = %err, "cannot reconcile the kubernetes service endpoints");
                }
            }
            changed = stopping.changed() => {
                if changed.is_err() || *stopping.borrow() {
                    break;
                }
            }
        }
    }
    if let Err(err) = withdraw(&store, &member).await {
        tracing::warn!(error = %err, "cannot remove this API server from the kubernetes endpoints");
    }
}

/// Removes this server's record and its address from the endpoints (left
/// as they are when no other server is live: clients keep a last address).
async fn withdraw(store: &SharedStore, member: &Member) -> Result<(), String> {
    match store
        .delete(&format!("{PREFIX}{}", member.address), None)
        .await
    {
        Ok(_) | Err(StoreError::NotFound(_)) => {}
        Err(err) => return Err(err.to_string()),
    }
    let addresses = live_addresses(store).await?;
    if addresses.is_empty() {
        return Ok(());
    }
    bootstrap::ensure_kubernetes_service(store, &member.cluster_ip, &addresses, member.port).await
}
