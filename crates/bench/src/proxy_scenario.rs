//! Scenario `proxy`: how fast Services are programmed and names answered.
//!
//! `rules/<mode>`: 1,000 Services of 10 endpoints each (API objects in
//! memory: Services and EndpointSlices) turned into rules and written to a
//! network namespace of the scenario's own, as the proxy's sync does it:
//! `full_sync_s` for the first sync (everything written), `incremental_ms`
//! for one endpoint of one Service replaced (only what changed written),
//! `rules` for the rule count. The watch delivering the change is not
//! timed.
//! `dns`: the cluster DNS against a cluster holding 1,000 Services, one
//! client asking A questions for them one after the other over UDP:
//! `queries_per_s` and `p99_ms`.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::api::{Api, PostParams};

use crate::report::{figure, millis, quantile};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(clap::Args)]
pub struct Args {
    /// Services programmed.
    #[arg(long, default_value_t = 1_000)]
    services: usize,
    /// Endpoints of each.
    #[arg(long, default_value_t = 10)]
    endpoints: usize,
    /// DNS questions asked.
    #[arg(long, default_value_t = 20_000)]
    queries: usize,
    /// Leave out cases: nftables, iptables, dns.
    #[arg(long, value_delimiter = ',')]
    skip: Vec<String>,
}

fn service(i: usize) -> Service {
    serde_json::from_value(serde_json::json!({
        "metadata": {"namespace": "bench", "name": format!("svc-{i}")},
        "spec": {
            "clusterIP": Ipv4Addr::from(u32::from(Ipv4Addr::new(10, 96, 16, 0)) + i as u32).to_string(),
            "ports": [{"name": "http", "port": 80, "targetPort": 8080}],
        },
    }))
    .expect("a Service")
}

fn slice(i: usize, endpoints: usize, generation: u32) -> EndpointSlice {
    let base = u32::from(Ipv4Addr::new(10, 244, 0, 0)) + (i * endpoints) as u32;
    let addresses: Vec<serde_json::Value> = (0..endpoints)
        .map(|e| {
            // `generation` moves the first endpoint elsewhere.
            let ip = if e == 0 && generation > 0 {
                Ipv4Addr::from(u32::from(Ipv4Addr::new(10, 245, 0, 0)) + generation)
            } else {
                Ipv4Addr::from(base + e as u32)
            };
            serde_json::json!({"addresses": [ip.to_string()], "conditions": {"ready": true}, "nodeName": "bench"})
        })
        .collect();
    serde_json::from_value(serde_json::json!({
        "metadata": {"namespace": "bench", "name": format!("svc-{i}-x"),
                     "labels": {"kubernetes.io/service-name": format!("svc-{i}")}},
        "addressType": "IPv4",
        "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
        "endpoints": addresses,
    }))
    .expect("an EndpointSlice")
}

/// Runs `work` on a thread of its own inside a fresh network namespace, so
/// the tools it starts program that namespace and not this machine's.
fn in_network_namespace<T: Send + 'static>(
    name: &str,
    work: impl FnOnce() -> Result<T, BoxError> + Send + 'static,
) -> Result<T, BoxError> {
    let status = std::process::Command::new("ip")
        .args(["netns", "add", name])
        .status()?;
    if !status.success() {
        return Err(format!("ip netns add {name} failed (root is needed)").into());
    }
    let path = format!("/run/netns/{name}");
    let result = std::thread::spawn(move || -> Result<T, BoxError> {
        let file = std::fs::File::open(&path)?;
        // SAFETY: setns(2) on this thread only, with a namespace file we hold.
        if unsafe { libc::setns(std::os::fd::AsRawFd::as_raw_fd(&file), libc::CLONE_NEWNET) } != 0 {
            return Err(std::io::Error::last_os_error().into());
        }
        work()
    })
    .join()
    .map_err(|_| "the namespace's thread panicked")?;
    let _ = std::process::Command::new("ip")
        .args(["netns", "del", name])
        .status();
    result
}

/// One sync as the proxy does it: API objects to Service ports to rules,
/// written; returns the rule count.
async fn sync(
    mode: proxy::Mode,
    services: &[Service],
    slices: &[EndpointSlice],
    config: &proxy::Config,
    writers: &mut (
        &mut proxy::nftables::Nftables,
        &mut proxy::iptables::Iptables,
    ),
    full: bool,
) -> Result<usize, BoxError> {
    let ports = proxy::model::service_ports(services, slices, "bench");
    Ok(match mode {
        proxy::Mode::Nftables => {
            let ruleset = proxy::nftables::ruleset(&ports, config);
            let count = ruleset.rule_count();
            writers.0.apply(ruleset, full).await?;
            count
        }
        proxy::Mode::Iptables => {
            let tables = proxy::iptables::tables(&ports, config);
            let (nat, filter) = tables.rule_count();
            writers.1.apply(tables, full).await?;
            nat + filter
        }
    })
}

fn rules_case(mode: proxy::Mode, args: &Args) -> Result<(), BoxError> {
    let (services, endpoints) = (args.services, args.endpoints);
    let case = format!("rules/{}-{services}x{endpoints}", mode.as_str());
    let figures = in_network_namespace(&format!("rudder-bench-{}", mode.as_str()), move || {
        // A runtime of this thread: the tools are started from it, in
        // its namespace.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async move {
            let all: Vec<Service> = (0..services).map(service).collect();
            let mut slices: Vec<EndpointSlice> =
                (0..services).map(|i| slice(i, endpoints, 0)).collect();
            let config = proxy::Config {
                cluster_cidr: Some(proxy::Ipv4Net::parse("10.244.0.0/16")?),
                masquerade_all: false,
            };
            let mut nft = proxy::nftables::Nftables::new("rudder");
            let mut ipt = proxy::iptables::Iptables::new();
            let mut writers = (&mut nft, &mut ipt);
            let started = Instant::now();
            let rules = sync(mode, &all, &slices, &config, &mut writers, true).await?;
            let full = started.elapsed();
            let mut changes = Vec::new();
            for generation in 1..=10u32 {
                let target = generation as usize * 97 % services;
                slices[target] = slice(target, endpoints, generation);
                let started = Instant::now();
                sync(mode, &all, &slices, &config, &mut writers, false).await?;
                changes.push(started.elapsed());
            }
            Ok::<_, BoxError>((full, changes, rules))
        })
    })?;
    let (full, mut changes, rules) = figures;
    figure("proxy", &case, "full_sync_s", full.as_secs_f64(), "s");
    let p50 = quantile(&mut changes, 0.5).unwrap_or_default();
    figure("proxy", &case, "incremental_ms", millis(p50), "ms");
    figure("proxy", &case, "rules", rules as f64, "rules");
    Ok(())
}

async fn dns_case(args: &Args) -> Result<(), BoxError> {
    let cluster = testkit::TestCluster::start().await;
    let client = cluster.admin_client().await;
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    namespaces
        .create(
            &PostParams::default(),
            &serde_json::from_value(serde_json::json!({"metadata": {"name": "bench"}}))?,
        )
        .await?;
    let services: Api<Service> = Api::namespaced(client.clone(), "bench");
    for i in 0..args.services {
        let mut svc = service(i);
        if let Some(spec) = svc.spec.as_mut() {
            spec.cluster_ip = None; // allocated by the API server
        }
        services.create(&PostParams::default(), &svc).await?;
    }
    let port = std::net::UdpSocket::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let listen: SocketAddr = ([127, 0, 0, 1], port).into();
    let _dns = cluster.start_dns(listen).await;

    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
    socket.connect(listen).await?;
    let ask = |i: usize, id: u16| -> Vec<u8> {
        // A query message: header, one question (A, IN).
        let mut message = vec![
            (id >> 8) as u8,
            id as u8,
            0x01,
            0x00,
            0,
            1,
            0,
            0,
            0,
            0,
            0,
            0,
        ];
        let name = format!("svc-{}.bench.svc.cluster.local", i % args.services);
        for label in name.split('.') {
            message.push(label.len() as u8);
            message.extend(label.as_bytes());
        }
        message.extend([0, 0, 1, 0, 1]);
        message
    };
    let mut buffer = vec![0u8; 1500];
    // Until the zone holds the last Service.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        socket.send(&ask(args.services - 1, 1)).await?;
        let answered = tokio::time::timeout(Duration::from_secs(1), socket.recv(&mut buffer)).await;
        if let Ok(Ok(n)) = answered
            && n > 7
            && u16::from_be_bytes([buffer[6], buffer[7]]) > 0
        {
            break;
        }
        if Instant::now() > deadline {
            return Err("the DNS never answered for the Services".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut latencies = Vec::with_capacity(args.queries);
    let started = Instant::now();
    for i in 0..args.queries {
        let id = (i % 65_000) as u16 + 2;
        let sent = Instant::now();
        socket.send(&ask(i * 7919, id)).await?;
        loop {
            let n = tokio::time::timeout(Duration::from_secs(2), socket.recv(&mut buffer))
                .await
                .map_err(|_| "a DNS answer timed out")??;
            if n >= 2 && u16::from_be_bytes([buffer[0], buffer[1]]) == id {
                break;
            }
        }
        latencies.push(sent.elapsed());
    }
    let elapsed = started.elapsed();
    let case = format!("dns/{}-services", args.services);
    figure(
        "proxy",
        &case,
        "queries_per_s",
        args.queries as f64 / elapsed.as_secs_f64(),
        "1/s",
    );
    let p50 = quantile(&mut latencies, 0.5).unwrap_or_default();
    let p99 = quantile(&mut latencies, 0.99).unwrap_or_default();
    figure("proxy", &case, "p50_ms", millis(p50), "ms");
    figure("proxy", &case, "p99_ms", millis(p99), "ms");
    Ok(())
}

pub async fn run(args: Args) -> Result<(), BoxError> {
    for mode in [proxy::Mode::Nftables, proxy::Mode::Iptables] {
        if !args.skip.iter().any(|s| s == mode.as_str()) {
            rules_case(mode, &args)?;
        }
    }
    if !args.skip.iter().any(|s| s == "dns") {
        dns_case(&args).await?;
    }
    Ok(())
}
