//! Service ClusterIPs and NodePorts, allocated by the API server as a
//! Service is written and released when it goes.
//!
//! - A ClusterIP is held by an `IPAddress` object (networking.k8s.io/v1,
//!   named by the address, its parentRef the Service), created with
//!   create-if-absent: two API servers on one store can never hand out
//!   the same address. Dynamic addresses come from the upper part of
//!   `--service-cluster-ip-range` first, leaving the lower band to
//!   Services that ask for a fixed address (the DNS Service's `.10`).
//! - NodePorts are bits of a `RangeAllocation` at
//!   `/registry/ranges/servicenodeports`, updated compare-and-swap.
//!
//! A repair pass (at start and every three minutes) records what stored
//! Services hold and frees what no Service holds any more (after seeing
//! it free three passes in a row: a create in flight holds addresses its
//! Service does not show yet).

use std::collections::{BTreeSet, HashMap};
use std::net::Ipv4Addr;
use std::sync::Mutex;

use api::cidr::Ipv4Cidr;
use base64::Engine;
use serde_json::{Value, json};
use store::{SharedStore, StoreError};

use crate::error::{ApiError, Cause};
use crate::objects::{decode, encode};

const NODE_PORTS_KEY: &str = "/registry/ranges/servicenodeports";
const MANAGED_BY: &str = "ipallocator.k8s.io";
/// Tries at random addresses before scanning for a free one.
const RANDOM_TRIES: usize = 32;
const CAS_RETRIES: usize = 20;

pub struct ServiceRanges {
    pub cluster_ips: Ipv4Cidr,
    pub node_ports: (u16, u16),
    /// Repair: addresses and ports seen unheld, by how many passes in a row.
    leaks: Mutex<HashMap<String, u32>>,
}

/// What a write took, to give back if the write fails.
#[derive(Default, Debug)]
pub struct Taken {
    ips: Vec<String>,
    ports: Vec<u16>,
}

impl ServiceRanges {
    pub fn new(cluster_ips: &str, node_ports: &str) -> Result<ServiceRanges, String> {
        let cidr =
            Ipv4Cidr::parse(cluster_ips).map_err(|e| format!("--service-cluster-ip-range: {e}"))?;
        if cidr.prefix > 30 {
            return Err(format!(
                "--service-cluster-ip-range {cluster_ips} is too small"
            ));
        }
        let bad =
            || format!("--service-node-port-range {node_ports:?} is not a range like 30000-32767");
        let (low, high) = node_ports.split_once('-').ok_or_else(bad)?;
        let low: u16 = low.trim().parse().map_err(|_| bad())?;
        let high: u16 = high.trim().parse().map_err(|_| bad())?;
        if low == 0 || high < low {
            return Err(bad());
        }
        Ok(ServiceRanges {
            cluster_ips: cidr,
            node_ports: (low, high),
            leaks: Mutex::new(HashMap::new()),
        })
    }

    fn contains_ip(&self, ip: Ipv4Addr) -> bool {
        let offset = u32::from(ip).wrapping_sub(u32::from(self.cluster_ips.network));
        u32::from(ip) >= u32::from(self.cluster_ips.network)
            && offset > 0
            && offset < self.cluster_ips.size() - 1
    }

    /// The lower band kept for fixed addresses, as upstream sizes it.
    fn static_band(&self) -> u32 {
        (self.cluster_ips.size() / 16).clamp(16, 256)
    }

    /// Allocates what a new Service needs and writes it into `service`.
    /// A dry run checks and fills in, but holds nothing.
    pub async fn allocate(
        &self,
        store: &SharedStore,
        service: &mut Value,
        dry_run: bool,
    ) -> Result<Taken, ApiError> {
        let mut taken = Taken::default();
        let result = self
            .allocate_into(store, service, None, dry_run, &mut taken)
            .await;
        if let Err(err) = result {
            self.release(store, &taken).await;
            return Err(err);
        }
        Ok(taken)
    }

    /// Allocates what an update newly needs (a type change, new ports);
    /// returns what it took and what the old object held that the new one
    /// does not (to release once the update is stored).
    pub async fn reallocate(
        &self,
        store: &SharedStore,
        old: &Value,
        new: &mut Value,
        dry_run: bool,
    ) -> Result<(Taken, Taken), ApiError> {
        let mut taken = Taken::default();
        if let Err(err) = self
            .allocate_into(store, new, Some(old), dry_run, &mut taken)
            .await
        {
            self.release(store, &taken).await;
            return Err(err);
        }
        let held_before = held(old);
        let held_now = held(new);
        let freed = Taken {
            ips: held_before
                .ips
                .into_iter()
                .filter(|ip| !held_now.ips.contains(ip))
                .collect(),
            ports: held_before
                .ports
                .into_iter()
                .filter(|p| !held_now.ports.contains(p))
                .collect(),
        };
        Ok((taken, freed))
    }

    async fn allocate_into(
        &self,
        store: &SharedStore,
        service: &mut Value,
        old: Option<&Value>,
        dry_run: bool,
        taken: &mut Taken,
    ) -> Result<(), ApiError> {
        let name = service["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let namespace = service["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let invalid = |causes: Vec<Cause>| {
            let info = api::registry::lookup("", "v1", "services");
            match info {
                Some(info) => ApiError::invalid(info, &name, causes),
                None => ApiError::internal("no services resource"),
            }
        };
        let kind = service["spec"]["type"]
            .as_str()
            .unwrap_or("ClusterIP")
            .to_string();
        let old_held = old.map(held).unwrap_or_default();
        if kind == "ExternalName" {
            if let Some(spec) = service["spec"].as_object_mut() {
                for field in ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"] {
                    spec.remove(field);
                }
            }
        } else {
            let asked = service["spec"]["clusterIP"]
                .as_str()
                .or_else(|| service["spec"]["clusterIPs"][0].as_str())
                .unwrap_or_default()
                .to_string();
            let ip = if asked == "None" {
                "None".to_string()
            } else if asked.is_empty() {
                self.allocate_ip(store, &namespace, &name, dry_run, taken)
                    .await?
            } else if old_held.ips.contains(&asked) {
                asked
            } else {
                let parsed: Option<Ipv4Addr> = asked.parse().ok();
                let field = "spec.clusterIPs[0]";
                match parsed {
                    None => {
                        return Err(invalid(vec![Cause::invalid_value(
                            field,
                            &json!([asked]),
                            "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                        )]));
                    }
                    Some(ip) if !self.contains_ip(ip) => {
                        return Err(invalid(vec![Cause::invalid_value(
                            field,
                            &json!([asked]),
                            &format!(
                                "failed to allocate IP {asked}: the provided IP ({asked}) is not in the valid range. The range of valid IPs is {}",
                                self.cluster_ips
                            ),
                        )]));
                    }
                    Some(ip) => {
                        if !self.claim_ip(store, ip, &namespace, &name, dry_run).await? {
                            return Err(invalid(vec![Cause::invalid_value(
                                field,
                                &json!([asked]),
                                &format!(
                                    "failed to allocate IP {asked}: provided IP is already allocated"
                                ),
                            )]));
                        }
                        if !dry_run {
                            taken.ips.push(asked.clone());
                        }
                        asked
                    }
                }
            };
            let spec = &mut service["spec"];
            spec["clusterIP"] = json!(ip);
            spec["clusterIPs"] = json!([ip]);
            if !spec["ipFamilies"].is_array() {
                spec["ipFamilies"] = json!(["IPv4"]);
            }
            if !spec["ipFamilyPolicy"].is_string() {
                spec["ipFamilyPolicy"] = json!("SingleStack");
            }
        }
        let wants_node_ports = kind == "NodePort"
            || (kind == "LoadBalancer"
                && service["spec"]["allocateLoadBalancerNodePorts"] != json!(false));
        let ports_len = service["spec"]["ports"].as_array().map_or(0, Vec::len);
        for i in 0..ports_len {
            let port = &service["spec"]["ports"][i];
            let asked = port["nodePort"].as_u64().filter(|p| *p != 0);
            let field = format!("spec.ports[{i}].nodePort");
            let number = match asked {
                None if !wants_node_ports => continue,
                None => self
                    .allocate_port(store, None, dry_run, taken)
                    .await
                    .map_err(|e| e.unwrap_or_else(|| invalid(vec![])))?,
                Some(asked) => {
                    let Some(asked) = u16::try_from(asked)
                        .ok()
                        .filter(|p| (self.node_ports.0..=self.node_ports.1).contains(p))
                    else {
                        return Err(invalid(vec![Cause::invalid_value(
                            &field,
                            &json!(asked),
                            &format!(
                                "provided port is not in the valid range. The range of valid ports is {}-{}",
                                self.node_ports.0, self.node_ports.1
                            ),
                        )]));
                    };
                    // Ports of one Service may share a node port across
                    // protocols, and an update keeps what it held.
                    if old_held.ports.contains(&asked) || taken.ports.contains(&asked) {
                        asked
                    } else {
                        match self.allocate_port(store, Some(asked), dry_run, taken).await {
                            Ok(port) => port,
                            Err(None) => {
                                return Err(invalid(vec![Cause::invalid_value(
                                    &field,
                                    &json!(asked),
                                    "provided port is already allocated",
                                )]));
                            }
                            Err(Some(err)) => return Err(err),
                        }
                    }
                }
            };
            service["spec"]["ports"][i]["nodePort"] = json!(number);
        }
        let wants_health_port =
            kind == "LoadBalancer" && service["spec"]["externalTrafficPolicy"] == json!("Local");
        let health = service["spec"]["healthCheckNodePort"]
            .as_u64()
            .filter(|p| *p != 0);
        if wants_health_port {
            if let Some(asked) = health
                && !u16::try_from(asked)
                    .is_ok_and(|p| (self.node_ports.0..=self.node_ports.1).contains(&p))
            {
                return Err(invalid(vec![Cause::invalid_value(
                    "spec.healthCheckNodePort",
                    &json!(asked),
                    &format!(
                        "provided port is not in the valid range. The range of valid ports is {}-{}",
                        self.node_ports.0, self.node_ports.1
                    ),
                )]));
            }
            let port = match health.and_then(|p| u16::try_from(p).ok()) {
                Some(port) if old_held.ports.contains(&port) => port,
                asked => self
                    .allocate_port(store, asked, dry_run, taken)
                    .await
                    .map_err(|e| {
                        e.unwrap_or_else(|| {
                            invalid(vec![Cause::invalid_value(
                                "spec.healthCheckNodePort",
                                &json!(health.unwrap_or_default()),
                                "provided port is already allocated",
                            )])
                        })
                    })?,
            };
            service["spec"]["healthCheckNodePort"] = json!(port);
        } else if let Some(spec) = service["spec"].as_object_mut() {
            spec.remove("healthCheckNodePort");
        }
        Ok(())
    }

    /// A free address for the Service, held by a new IPAddress.
    async fn allocate_ip(
        &self,
        store: &SharedStore,
        namespace: &str,
        name: &str,
        dry_run: bool,
        taken: &mut Taken,
    ) -> Result<String, ApiError> {
        let size = self.cluster_ips.size();
        let band = self.static_band().min(size - 2);
        let usable = size - 2;
        // The dynamic band first, then anywhere.
        for (low, span) in [(band + 1, usable.saturating_sub(band)), (1, usable)] {
            if span == 0 {
                continue;
            }
            for _ in 0..RANDOM_TRIES {
                let ip = self.cluster_ips.nth(low + rand::random::<u32>() % span);
                if self.claim_ip(store, ip, namespace, name, dry_run).await? {
                    if !dry_run {
                        taken.ips.push(ip.to_string());
                    }
                    return Ok(ip.to_string());
                }
            }
        }
        // Nearly full: scan for a gap.
        let used = self.allocated_ips(store).await?;
        for offset in 1..=usable {
            let ip = self.cluster_ips.nth(offset);
            if !used.contains(&ip.to_string())
                && self.claim_ip(store, ip, namespace, name, dry_run).await?
            {
                if !dry_run {
                    taken.ips.push(ip.to_string());
                }
                return Ok(ip.to_string());
            }
        }
        Err(ApiError::internal(
            "failed to allocate a serviceIP: range is full",
        ))
    }

    async fn allocated_ips(&self, store: &SharedStore) -> Result<BTreeSet<String>, ApiError> {
        let info = ip_addresses()?;
        let page = store
            .range(&info.storage_prefix(), store::RangeOptions::default())
            .await
            .map_err(|e| ApiError::from_store(e, info, ""))?;
        Ok(page
            .kvs
            .iter()
            .filter_map(|kv| kv.key.rsplit('/').next().map(str::to_string))
            .collect())
    }

    /// Creates the IPAddress for `ip` unless one exists; whether it did.
    async fn claim_ip(
        &self,
        store: &SharedStore,
        ip: Ipv4Addr,
        namespace: &str,
        name: &str,
        dry_run: bool,
    ) -> Result<bool, ApiError> {
        let info = ip_addresses()?;
        let key = info.storage_key(None, &ip.to_string());
        if dry_run {
            return store
                .get(&key)
                .await
                .map(|kv| kv.is_none())
                .map_err(|e| ApiError::from_store(e, info, ""));
        }
        let record = json!({
            "apiVersion": "networking.k8s.io/v1",
            "kind": "IPAddress",
            "metadata": {
                "name": ip.to_string(),
                "uid": uuid::Uuid::new_v4().to_string(),
                "creationTimestamp": api::meta::now_timestamp(),
                "labels": {
                    "ipaddress.kubernetes.io/ip-family": "IPv4",
                    "ipaddress.kubernetes.io/managed-by": MANAGED_BY,
                },
            },
            "spec": {"parentRef": {"group": "", "resource": "services", "namespace": namespace, "name": name}},
        });
        match store.create(&key, encode(&record)).await {
            Ok(_) => Ok(true),
            Err(StoreError::AlreadyExists(_)) => Ok(false),
            Err(err) => Err(ApiError::from_store(err, info, &ip.to_string())),
        }
    }

    /// Takes `asked` (or any free port) in the node port bitmap. Err(None):
    /// the asked port is taken (or none is free: then an internal error).
    async fn allocate_port(
        &self,
        store: &SharedStore,
        asked: Option<u16>,
        dry_run: bool,
        taken: &mut Taken,
    ) -> Result<u16, Option<ApiError>> {
        let span = usize::from(self.node_ports.1 - self.node_ports.0) + 1;
        for _ in 0..CAS_RETRIES {
            let (revision, mut bits) = self.read_ports(store).await.map_err(Some)?;
            let index = match asked {
                Some(port) => {
                    // Callers check the range; a port outside it is never free.
                    let Some(index) = port
                        .checked_sub(self.node_ports.0)
                        .map(usize::from)
                        .filter(|i| *i < span)
                    else {
                        return Err(None);
                    };
                    if bit(&bits, index) {
                        return Err(None);
                    }
                    index
                }
                None => {
                    let start = rand::random::<u32>() as usize % span;
                    let Some(index) = (0..span)
                        .map(|i| (start + i) % span)
                        .find(|i| !bit(&bits, *i))
                    else {
                        return Err(Some(ApiError::internal(
                            "failed to allocate a nodePort: range is full",
                        )));
                    };
                    index
                }
            };
            let port = self.node_ports.0 + index as u16;
            if dry_run {
                return Ok(port);
            }
            set_bit(&mut bits, index, true);
            if self
                .write_ports(store, revision, &bits)
                .await
                .map_err(Some)?
            {
                taken.ports.push(port);
                return Ok(port);
            }
        }
        Err(Some(ApiError::internal(
            "failed to allocate a nodePort: too many concurrent allocations",
        )))
    }

    /// The bitmap's store revision (0: none yet) and bits.
    async fn read_ports(&self, store: &SharedStore) -> Result<(i64, Vec<u8>), ApiError> {
        let span = usize::from(self.node_ports.1 - self.node_ports.0) + 1;
        let kv = store
            .get(NODE_PORTS_KEY)
            .await
            .map_err(|e| ApiError::internal(format!("node port allocations: {e}")))?;
        let Some(kv) = kv else {
            return Ok((0, vec![0; span.div_ceil(8)]));
        };
        let record: Value = serde_json::from_slice(&kv.value).unwrap_or(Value::Null);
        let mut bits = record["data"]
            .as_str()
            .and_then(|d| base64::engine::general_purpose::STANDARD.decode(d).ok())
            .unwrap_or_default();
        // A range changed since: bits beyond it are dropped.
        let range = format!("{}-{}", self.node_ports.0, self.node_ports.1);
        if record["range"].as_str() != Some(range.as_str()) {
            bits.clear();
        }
        bits.resize(span.div_ceil(8), 0);
        Ok((kv.mod_revision, bits))
    }

    /// Writes the bitmap if it is still at `revision`; whether it was.
    async fn write_ports(
        &self,
        store: &SharedStore,
        revision: i64,
        bits: &[u8],
    ) -> Result<bool, ApiError> {
        let record = json!({
            "apiVersion": "v1",
            "kind": "RangeAllocation",
            "metadata": {"name": "", "creationTimestamp": api::meta::now_timestamp()},
            "range": format!("{}-{}", self.node_ports.0, self.node_ports.1),
            "data": base64::engine::general_purpose::STANDARD.encode(bits),
        });
        let body = serde_json::to_vec(&record).unwrap_or_default();
        let written = if revision == 0 {
            store.create(NODE_PORTS_KEY, body).await
        } else {
            store.update(NODE_PORTS_KEY, body, revision).await
        };
        match written {
            Ok(_) => Ok(true),
            Err(StoreError::Conflict { .. } | StoreError::AlreadyExists(_)) => Ok(false),
            Err(err) => Err(ApiError::internal(format!("node port allocations: {err}"))),
        }
    }

    /// Gives back what `taken` holds; failures are left to the repair pass.
    pub async fn release(&self, store: &SharedStore, taken: &Taken) {
        if let Ok(info) = ip_addresses() {
            for ip in &taken.ips {
                let _ = store.delete(&info.storage_key(None, ip), None).await;
            }
        }
        if taken.ports.is_empty() {
            return;
        }
        for _ in 0..CAS_RETRIES {
            let Ok((revision, mut bits)) = self.read_ports(store).await else {
                return;
            };
            for port in &taken.ports {
                if let Some(index) = port.checked_sub(self.node_ports.0) {
                    set_bit(&mut bits, usize::from(index), false);
                }
            }
            if revision == 0
                || self
                    .write_ports(store, revision, &bits)
                    .await
                    .unwrap_or(true)
            {
                return;
            }
        }
    }

    /// Releases everything a deleted Service held.
    pub async fn release_service(&self, store: &SharedStore, service: &Value) {
        self.release(store, &held(service)).await;
    }

    /// One repair pass: what stored Services hold is recorded, what none
    /// holds (three passes running) is freed.
    pub async fn repair(&self, store: &SharedStore) -> Result<(), String> {
        let services = api::registry::lookup("", "v1", "services").ok_or("no services")?;
        let page = store
            .range(&services.storage_prefix(), store::RangeOptions::default())
            .await
            .map_err(|e| e.to_string())?;
        let mut ips: HashMap<String, (String, String)> = HashMap::new();
        let mut ports = BTreeSet::new();
        for kv in &page.kvs {
            let Ok(service) = decode(services, kv) else {
                continue;
            };
            let holds = held(&service);
            let namespace = service["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default();
            let name = service["metadata"]["name"].as_str().unwrap_or_default();
            for ip in holds.ips {
                ips.insert(ip, (namespace.to_string(), name.to_string()));
            }
            ports.extend(holds.ports);
        }
        let recorded = self.allocated_ips(store).await.map_err(|e| e.message)?;
        for (ip, (namespace, name)) in &ips {
            if let Ok(parsed) = ip.parse::<Ipv4Addr>()
                && !recorded.contains(ip)
                && self.contains_ip(parsed)
            {
                self.claim_ip(store, parsed, namespace, name, false)
                    .await
                    .map_err(|e| e.message)?;
            }
        }
        let info = ip_addresses().map_err(|e| e.message)?;
        let (_, bits) = self.read_ports(store).await.map_err(|e| e.message)?;
        let span = usize::from(self.node_ports.1 - self.node_ports.0) + 1;
        let mut leaked = Vec::new();
        if let Ok(mut leaks) = self.leaks.lock() {
            let mut seen = HashMap::new();
            for ip in recorded.iter().filter(|ip| !ips.contains_key(*ip)) {
                let key = format!("ip/{ip}");
                let count = leaks.get(&key).copied().unwrap_or(0) + 1;
                if count >= 3 {
                    leaked.push(ip.clone());
                } else {
                    seen.insert(key, count);
                }
            }
            for index in (0..span).filter(|i| bit(&bits, *i)) {
                let port = self.node_ports.0 + index as u16;
                if !ports.contains(&port) {
                    let key = format!("port/{port}");
                    let count = leaks.get(&key).copied().unwrap_or(0) + 1;
                    seen.insert(key, count);
                }
            }
            *leaks = seen;
        }
        for ip in leaked {
            let key = info.storage_key(None, &ip);
            // Only our own records.
            if let Ok(Some(kv)) = store.get(&key).await
                && let Ok(record) = serde_json::from_slice::<Value>(&kv.value)
                && record["metadata"]["labels"]["ipaddress.kubernetes.io/managed-by"] == MANAGED_BY
            {
                let _ = store.delete(&key, Some(kv.mod_revision)).await;
            }
        }
        self.repair_ports(store, &ports).await
    }

    /// Sets the bits of held ports; clears those unheld three passes running.
    async fn repair_ports(&self, store: &SharedStore, held: &BTreeSet<u16>) -> Result<(), String> {
        for _ in 0..CAS_RETRIES {
            let (revision, mut bits) = self.read_ports(store).await.map_err(|e| e.message)?;
            let before = bits.clone();
            for port in held {
                if let Some(index) = port.checked_sub(self.node_ports.0)
                    && *port <= self.node_ports.1
                {
                    set_bit(&mut bits, usize::from(index), true);
                }
            }
            if let Ok(mut leaks) = self.leaks.lock() {
                leaks.retain(|key, count| {
                    let Some(port) = key
                        .strip_prefix("port/")
                        .and_then(|p| p.parse::<u16>().ok())
                    else {
                        return true;
                    };
                    if *count >= 3 {
                        if let Some(index) = port.checked_sub(self.node_ports.0) {
                            set_bit(&mut bits, usize::from(index), false);
                        }
                        false
                    } else {
                        true
                    }
                });
            }
            if bits == before {
                return Ok(());
            }
            if self
                .write_ports(store, revision, &bits)
                .await
                .map_err(|e| e.message)?
            {
                return Ok(());
            }
        }
        Ok(())
    }
}

/// The repair pass every three minutes until `stopping`.
pub async fn run_repair(
    ranges: std::sync::Arc<ServiceRanges>,
    store: SharedStore,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(180));
    tick.tick().await;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stopping.wait_for(|stop| *stop) => return,
        }
        if let Err(err) = ranges.repair(&store).await {
            tracing::warn!("service allocation repair: {err}");
        }
    }
}

fn ip_addresses() -> Result<&'static api::ResourceInfo, ApiError> {
    api::registry::lookup("networking.k8s.io", "v1", "ipaddresses")
        .ok_or_else(|| ApiError::internal("no ipaddresses resource"))
}

/// The addresses and node ports a stored Service holds.
fn held(service: &Value) -> Taken {
    let spec = &service["spec"];
    if spec["type"] == "ExternalName" {
        return Taken::default();
    }
    let ips = spec["clusterIPs"]
        .as_array()
        .map(|ips| {
            ips.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .or_else(|| spec["clusterIP"].as_str().map(|ip| vec![ip.to_string()]))
        .unwrap_or_default()
        .into_iter()
        .filter(|ip: &String| !ip.is_empty() && ip != "None")
        .collect();
    let mut ports: Vec<u16> = spec["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["nodePort"].as_u64())
        .filter_map(|p| u16::try_from(p).ok())
        .filter(|p| *p != 0)
        .collect();
    if let Some(health) = spec["healthCheckNodePort"]
        .as_u64()
        .and_then(|p| u16::try_from(p).ok())
        .filter(|p| *p != 0)
    {
        ports.push(health);
    }
    ports.sort_unstable();
    ports.dedup();
    Taken { ips, ports }
}

/// What an update leaves out of a Service it keeps: the allocated
/// ClusterIP and node ports are carried over from the stored object (as
/// `kubectl replace` of an edited manifest expects), and node ports are
/// dropped when the new type has none, unless the update changed them.
pub fn carry_allocated(old: &Value, new: &mut Value) {
    let new_type = new["spec"]["type"]
        .as_str()
        .unwrap_or("ClusterIP")
        .to_string();
    let old_type = old["spec"]["type"].as_str().unwrap_or("ClusterIP");
    if new_type != "ExternalName" && old_type != "ExternalName" {
        let unset = new["spec"]["clusterIP"].as_str().is_none_or(str::is_empty)
            && new["spec"]["clusterIPs"]
                .as_array()
                .is_none_or(Vec::is_empty);
        if unset {
            for field in ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"] {
                if let Some(value) = old["spec"].get(field) {
                    new["spec"][field] = value.clone();
                }
            }
        }
    }
    let node_port_type = matches!(new_type.as_str(), "NodePort" | "LoadBalancer");
    let old_ports: Vec<Value> = old["spec"]["ports"].as_array().cloned().unwrap_or_default();
    let Some(ports) = new["spec"]["ports"].as_array_mut() else {
        return;
    };
    for port in ports.iter_mut() {
        let same = old_ports.iter().find(|o| {
            o["port"] == port["port"]
                && o.get("protocol").unwrap_or(&json!("TCP"))
                    == port.get("protocol").unwrap_or(&json!("TCP"))
        });
        let asked = port["nodePort"].as_u64().filter(|p| *p != 0);
        match (node_port_type, asked, same) {
            (true, None, Some(same)) if same["nodePort"].as_u64().is_some_and(|p| p != 0) => {
                port["nodePort"] = same["nodePort"].clone();
            }
            (false, Some(_), Some(same)) if same["nodePort"] == port["nodePort"] => {
                if let Some(map) = port.as_object_mut() {
                    map.remove("nodePort");
                }
            }
            _ => {}
        }
    }
}

fn bit(bits: &[u8], index: usize) -> bool {
    bits.get(index / 8)
        .is_some_and(|b| b & (1 << (index % 8)) != 0)
}

fn set_bit(bits: &mut [u8], index: usize, on: bool) {
    if let Some(byte) = bits.get_mut(index / 8) {
        if on {
            *byte |= 1 << (index % 8);
        } else {
            *byte &= !(1 << (index % 8));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_and_keep_a_static_band() {
        let ranges = ServiceRanges::new("10.96.0.0/12", "30000-32767").unwrap();
        assert_eq!(ranges.static_band(), 256);
        assert!(ranges.contains_ip("10.96.0.1".parse().unwrap()));
        assert!(!ranges.contains_ip("10.96.0.0".parse().unwrap()));
        assert!(!ranges.contains_ip("10.112.0.1".parse().unwrap()));
        let small = ServiceRanges::new("10.0.0.0/24", "30000-30010").unwrap();
        assert_eq!(small.static_band(), 16);
        assert!(ServiceRanges::new("10.0.0.0/31", "30000-32767").is_err());
        assert!(ServiceRanges::new("10.0.0.0/24", "32767-30000").is_err());
    }

    #[test]
    fn updates_keep_what_was_allocated() {
        let old = json!({"spec": {"type": "NodePort", "clusterIP": "10.96.0.20", "clusterIPs": ["10.96.0.20"],
            "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
            "ports": [{"port": 80, "protocol": "TCP", "nodePort": 30080}]}});
        let mut replaced =
            json!({"spec": {"type": "NodePort", "ports": [{"port": 80, "protocol": "TCP"}]}});
        carry_allocated(&old, &mut replaced);
        assert_eq!(replaced["spec"]["clusterIP"], "10.96.0.20");
        assert_eq!(replaced["spec"]["ports"][0]["nodePort"], 30080);
        let mut to_cluster_ip = old.clone();
        to_cluster_ip["spec"]["type"] = json!("ClusterIP");
        carry_allocated(&old, &mut to_cluster_ip);
        assert!(to_cluster_ip["spec"]["ports"][0].get("nodePort").is_none());
        assert_eq!(
            held(&old).ports,
            vec![30080],
            "a NodePort Service holds its port"
        );
        assert_eq!(held(&old).ips, vec!["10.96.0.20".to_string()]);
        assert!(held(&json!({"spec": {"clusterIP": "None"}})).ips.is_empty());
    }

    #[test]
    fn bitmaps_set_and_clear() {
        let mut bits = vec![0u8; 2];
        set_bit(&mut bits, 9, true);
        assert!(bit(&bits, 9) && !bit(&bits, 8));
        set_bit(&mut bits, 9, false);
        assert!(!bit(&bits, 9));
        assert!(!bit(&bits, 100));
    }
}
