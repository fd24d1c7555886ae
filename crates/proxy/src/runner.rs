//! The running proxy: Service and EndpointSlice watches fill two caches;
//! every change wakes the sync loop, which at most once per
//! `min_sync_period` turns the caches into rules and writes what changed.
//! A failed sync leaves the kernel's previous rules in place and is
//! retried, as a full one.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::Api;
use tokio::sync::{Notify, watch};

use crate::metrics::{Health, Metrics, TableLabel};
use crate::{Mode, ProxyOptions, conntrack, iptables, model, nftables};

/// Services that name another proxy are left to it (upstream's label).
const OTHER_PROXY: &str = "!service.kubernetes.io/service-proxy-name";

enum Writer {
    Nftables(nftables::Nftables),
    Iptables(iptables::Iptables),
}

/// Runs the proxy until `shutdown` turns true. Rules stay in place when it
/// stops, so established connections and a restarted proxy carry on.
pub async fn run(
    client: kube::Client,
    options: ProxyOptions,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), String> {
    prepare_kernel(options.mode);
    let metrics = Arc::new(Metrics::new(options.mode));
    let health = Health::new(options.sync_period);
    let mut servers = Vec::new();
    let mut addresses: Vec<_> = [options.healthz_bind_address, options.metrics_bind_address]
        .into_iter()
        .flatten()
        .collect();
    addresses.dedup();
    for address in addresses {
        servers.push(tokio::spawn(crate::metrics::serve(
            address,
            health.clone(),
            metrics.clone(),
            shutdown.clone(),
        )));
    }

    let changed = Arc::new(Notify::new());
    let on_change = {
        let (changed, health) = (changed.clone(), health.clone());
        move || {
            health.queued();
            changed.notify_one();
        }
    };
    let (services, services_task) = crate::watch::reflect(
        Api::<Service>::all(client.clone()),
        OTHER_PROXY,
        on_change.clone(),
    );
    let (slices, slices_task) =
        crate::watch::reflect(Api::<EndpointSlice>::all(client), OTHER_PROXY, on_change);
    let ready = async {
        let _ = services.wait_until_ready().await;
        let _ = slices.wait_until_ready().await;
    };
    tokio::select! {
        _ = ready => {}
        _ = shutdown.wait_for(|s| *s) => {
            services_task.abort();
            slices_task.abort();
            return Ok(());
        }
    }
    tracing::info!(
        mode = options.mode.as_str(),
        "service proxy synchronizing rules"
    );

    let mut writer = match options.mode {
        Mode::Nftables => Writer::Nftables(nftables::Nftables::new(&options.nftables_table)),
        Mode::Iptables => Writer::Iptables(iptables::Iptables::new()),
    };
    let mut udp = conntrack::UdpPorts::new();
    let mut last_full: Option<Instant> = None;
    let mut failures = 0u32;
    loop {
        let started = Instant::now();
        let full = last_full.is_none_or(|t| t.elapsed() >= options.full_sync_period);
        let ports = model::service_ports(
            services.state().iter().map(|s| s.as_ref()),
            slices.state().iter().map(|s| s.as_ref()),
            &options.node_name,
        );
        let result = sync(&mut writer, &ports, &options, full, &metrics).await;
        let elapsed = started.elapsed().as_secs_f64();
        let retry = match result {
            Ok(wrote) => {
                failures = 0;
                if full {
                    last_full = Some(started);
                }
                metrics.sync_duration.observe(elapsed);
                if wrote {
                    if full {
                        metrics.full_sync_duration.observe(elapsed);
                    } else {
                        metrics.partial_sync_duration.observe(elapsed);
                    }
                }
                let now = SystemTime::now()
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .unwrap_or_default();
                metrics.last_sync_timestamp.set(now.as_secs_f64());
                health.synced(started);
                let new_udp = conntrack::udp_ports(&ports);
                conntrack::delete(conntrack::deletions(&udp, &new_udp)).await;
                udp = new_udp;
                None
            }
            Err(err) => {
                failures += 1;
                metrics.sync_failures.inc();
                last_full = None;
                tracing::warn!("syncing proxy rules failed (the previous rules stay): {err}");
                Some(Duration::from_millis(500) * failures.min(20))
            }
        };
        // Wait for a change (or the periodic sync), then hold off until
        // min_sync_period has passed since this sync began.
        let wait = retry.unwrap_or(options.sync_period);
        tokio::select! {
            _ = changed.notified() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.wait_for(|s| *s) => break,
        }
        let hold = options.min_sync_period.saturating_sub(started.elapsed());
        tokio::select! {
            _ = tokio::time::sleep(hold) => {}
            _ = shutdown.wait_for(|s| *s) => break,
        }
    }
    services_task.abort();
    slices_task.abort();
    for server in servers {
        let _ = server.await;
    }
    Ok(())
}

async fn sync(
    writer: &mut Writer,
    ports: &[model::ServicePort],
    options: &ProxyOptions,
    full: bool,
    metrics: &Metrics,
) -> Result<bool, crate::SyncError> {
    match writer {
        Writer::Nftables(nft) => {
            let ruleset = nftables::ruleset(ports, &options.config);
            let rules = ruleset.rule_count();
            let wrote = nft.apply(ruleset, full).await?;
            metrics
                .rules
                .get_or_create(&TableLabel {
                    table: options.nftables_table.clone(),
                })
                .set(rules as i64);
            Ok(wrote)
        }
        Writer::Iptables(ipt) => {
            let tables = iptables::tables(ports, &options.config);
            let (nat, filter) = tables.rule_count();
            let wrote = ipt.apply(tables, full).await?;
            for (table, count) in [("nat", nat), ("filter", filter)] {
                metrics
                    .rules
                    .get_or_create(&TableLabel {
                        table: table.to_string(),
                    })
                    .set(count as i64);
            }
            Ok(wrote)
        }
    }
}

/// What the kernel must allow for Services to work: forwarding, bridged
/// packets seen by the IP hooks (pods on one bridge answering each other
/// through a DNAT), and, for iptables' localhost node ports, routing of
/// 127.0.0.0/8 to other hosts. Each is set where possible, else warned of.
fn prepare_kernel(mode: Mode) {
    let mut settings = vec![
        ("/proc/sys/net/ipv4/ip_forward", "1"),
        ("/proc/sys/net/bridge/bridge-nf-call-iptables", "1"),
    ];
    if mode == Mode::Iptables {
        settings.push(("/proc/sys/net/ipv4/conf/all/route_localnet", "1"));
    }
    for (path, value) in settings {
        let current = std::fs::read_to_string(path).unwrap_or_default();
        if current.trim() == value {
            continue;
        }
        if let Err(err) = std::fs::write(path, value) {
            tracing::warn!("cannot set {path} to {value} (Services may not route): {err}");
        }
    }
}
