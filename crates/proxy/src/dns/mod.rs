//! The cluster DNS: an API client that watches Services and EndpointSlices,
//! keeps the zone of `records` current, and answers on UDP and TCP with
//! `hickory-server`; names outside the cluster are forwarded to the node's
//! resolvers. It publishes itself as the `kube-dns` Service of kube-system
//! (cluster IP `.10` of the Service range, the labels `kubectl
//! cluster-info` looks for), whose endpoints are the address it listens on.
//! `/metrics` carries CoreDNS's metric names, so dashboards built for
//! CoreDNS read it unchanged.

pub mod records;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use hickory_server::net::runtime::Time;
use hickory_server::net::xfer::Protocol;
use hickory_server::proto::op::{Edns, Message, Metadata, ResponseCode};
use hickory_server::proto::rr::rdata::{A, CNAME, PTR, SOA, SRV};
use hickory_server::proto::rr::{Name, RData, Record};
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::MessageResponseBuilder;
use k8s_openapi::api::core::v1::{Endpoints, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::Api;
use kube::api::PostParams;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use tokio::sync::{Notify, watch};

use records::{Data, Lookup, Zone};

/// The cluster DNS's options.
#[derive(Clone, Debug)]
pub struct DnsOptions {
    /// Where to answer, UDP and TCP (port 53 in a real cluster).
    pub listen: SocketAddr,
    /// The address pods reach `listen` at, published as the `kube-dns`
    /// endpoints (default: `listen`'s own address).
    pub advertise: Option<IpAddr>,
    /// `cluster.local`.
    pub cluster_domain: String,
    /// Where other names go (default: the node's /etc/resolv.conf).
    pub upstreams: Vec<SocketAddr>,
    /// The clients whose other names are forwarded: the pod and node
    /// networks (loopback always). Anyone else asking for a name outside
    /// the cluster is refused, so the node's routable address is no open
    /// resolver.
    pub recursion_for: Vec<crate::Ipv4Net>,
    /// The `kube-dns` Service's cluster IP (None: do not publish one).
    pub service_ip: Option<Ipv4Addr>,
    /// `/metrics` (CoreDNS's port 9153).
    pub metrics_bind_address: Option<SocketAddr>,
    /// The records' time to live, seconds.
    pub ttl: u32,
}

impl DnsOptions {
    pub fn new(listen: SocketAddr) -> DnsOptions {
        DnsOptions {
            listen,
            advertise: None,
            cluster_domain: "cluster.local".to_string(),
            upstreams: Vec::new(),
            recursion_for: Vec::new(),
            service_ip: None,
            metrics_bind_address: None,
            ttl: 30,
        }
    }
}

/// The nameservers of a resolv.conf, port 53.
pub fn resolv_conf_nameservers(text: &str) -> Vec<SocketAddr> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            (words.next() == Some("nameserver"))
                .then(|| words.next())
                .flatten()
                .and_then(|ip| ip.parse::<IpAddr>().ok())
                .map(|ip| SocketAddr::new(ip, 53))
        })
        .collect()
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    server: String,
    zone: String,
    proto: String,
    family: String,
    r#type: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResponseLabels {
    server: String,
    zone: String,
    rcode: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DurationLabels {
    server: String,
    zone: String,
    r#type: String,
}

struct DnsMetrics {
    requests: Family<RequestLabels, Counter>,
    responses: Family<ResponseLabels, Counter>,
    duration: Family<DurationLabels, Histogram>,
    registry: Registry,
}

impl DnsMetrics {
    fn new() -> DnsMetrics {
        let requests = Family::<RequestLabels, Counter>::default();
        let responses = Family::<ResponseLabels, Counter>::default();
        let duration = Family::<DurationLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.00025, 2.0, 16))
        });
        let mut registry = Registry::default();
        registry.register(
            "coredns_dns_requests",
            "Counter of DNS requests made per zone, protocol and family",
            requests.clone(),
        );
        registry.register(
            "coredns_dns_responses",
            "Counter of response status codes",
            responses.clone(),
        );
        registry.register(
            "coredns_dns_request_duration_seconds",
            "Histogram of the time (in seconds) each request took per zone",
            duration.clone(),
        );
        DnsMetrics {
            requests,
            responses,
            duration,
            registry,
        }
    }

    /// OpenMetrics.
    fn render(&self) -> String {
        let mut out = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// Queries forwarded upstream at once, at most: each holds a socket of its
/// own (a fresh source port per query, against spoofed answers) for up to
/// two seconds per upstream, so a flood of queries could otherwise exhaust
/// the process's descriptors. Past it, queries get SERVFAIL at once.
const MAX_FORWARDS: usize = 256;

struct Handler {
    zone: Arc<RwLock<Arc<Zone>>>,
    upstreams: Vec<SocketAddr>,
    /// Permits for queries forwarded upstream.
    forwards: Arc<tokio::sync::Semaphore>,
    recursion_for: Vec<crate::Ipv4Net>,
    ttl: u32,
    server_label: String,
    metrics: Arc<DnsMetrics>,
}

fn to_record(name: &str, data: &Data, ttl: u32) -> Option<Record> {
    let owner = Name::from_ascii(name).ok()?;
    let rdata = match data {
        Data::A(ip) => RData::A(A(*ip)),
        Data::Cname(target) => RData::CNAME(CNAME(Name::from_ascii(target).ok()?)),
        Data::Ptr(target) => RData::PTR(PTR(Name::from_ascii(target).ok()?)),
        Data::Srv {
            priority,
            weight,
            port,
            target,
        } => RData::SRV(SRV::new(
            *priority,
            *weight,
            *port,
            Name::from_ascii(target).ok()?,
        )),
    };
    Some(Record::from_rdata(owner, ttl, rdata))
}

/// The zone's SOA, for negative answers (its minimum is the negative TTL).
fn soa(domain: &str, ttl: u32) -> Option<Record> {
    let zone = Name::from_ascii(domain).ok()?;
    let mname = Name::from_ascii(format!("ns.dns.{domain}")).ok()?;
    let rname = Name::from_ascii(format!("hostmaster.{domain}")).ok()?;
    let serial = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
        % u64::from(u32::MAX)) as u32;
    Some(Record::from_rdata(
        zone,
        ttl,
        RData::SOA(SOA::new(mname, rname, serial, 7200, 1800, 86400, ttl)),
    ))
}

/// Whether a client at `address` may have names outside the cluster
/// resolved.
fn may_recurse(recursion_for: &[crate::Ipv4Net], address: std::net::IpAddr) -> bool {
    match address {
        std::net::IpAddr::V4(v4) => {
            v4.is_loopback() || recursion_for.iter().any(|n| n.contains(v4))
        }
        std::net::IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.to_ipv4_mapped().is_some_and(|v4| {
                    v4.is_loopback() || recursion_for.iter().any(|n| n.contains(v4))
                })
        }
    }
}

/// `forward`, when one of `forwards`' permits is free; None at once when
/// none is.
async fn forward_within(
    forwards: &tokio::sync::Semaphore,
    upstreams: &[SocketAddr],
    query: &[u8],
    tcp: bool,
) -> Option<Vec<u8>> {
    let _permit = forwards.try_acquire().ok()?;
    forward(upstreams, query, tcp).await
}

/// Sends `query` (a whole DNS message) to the first upstream that answers.
async fn forward(upstreams: &[SocketAddr], query: &[u8], tcp: bool) -> Option<Vec<u8>> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    for upstream in upstreams {
        let attempt = async {
            if tcp {
                let mut stream = tokio::net::TcpStream::connect(upstream).await.ok()?;
                let len = u16::try_from(query.len()).ok()?;
                stream.write_all(&len.to_be_bytes()).await.ok()?;
                stream.write_all(query).await.ok()?;
                let mut len = [0u8; 2];
                stream.read_exact(&mut len).await.ok()?;
                let mut answer = vec![0u8; usize::from(u16::from_be_bytes(len))];
                stream.read_exact(&mut answer).await.ok()?;
                Some(answer)
            } else {
                let bind: SocketAddr = if upstream.is_ipv4() {
                    (Ipv4Addr::UNSPECIFIED, 0).into()
                } else {
                    (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
                };
                let socket = tokio::net::UdpSocket::bind(bind).await.ok()?;
                socket.connect(upstream).await.ok()?;
                socket.send(query).await.ok()?;
                // Only the answer to this query: its ID (a connected
                // socket already drops other senders' datagrams).
                let mut answer = vec![0u8; 4096];
                loop {
                    let n = socket.recv(&mut answer).await.ok()?;
                    if n >= 2 && query.len() >= 2 && answer[..2] == query[..2] {
                        answer.truncate(n);
                        return Some(answer);
                    }
                }
            }
        };
        if let Ok(Some(answer)) = tokio::time::timeout(Duration::from_secs(2), attempt).await {
            return Some(answer);
        }
    }
    None
}

impl Handler {
    fn zone(&self) -> Arc<Zone> {
        self.zone
            .read()
            .map(|z| z.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }
}

#[async_trait::async_trait]
impl RequestHandler for Handler {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        mut response_handle: R,
    ) -> ResponseInfo {
        let started = Instant::now();
        let zone = self.zone();
        let mut metadata = Metadata::response_from_request(&request.metadata);
        metadata.recursion_available = true;
        let mut edns = Edns::new();
        edns.set_max_payload(1232);
        let mut builder = MessageResponseBuilder::from_message_request(request);
        if request.edns.is_some() {
            builder.edns(&edns);
        }
        let Some(query) = request.queries.queries().first() else {
            metadata.response_code = ResponseCode::FormErr;
            return send(
                &mut response_handle,
                builder.build_no_records(metadata),
                request,
            )
            .await;
        };
        let name = query.name().to_string();
        let record_type = query.query_type();
        let type_name: &'static str = record_type.into();
        let tcp = request.protocol() == Protocol::Tcp;
        let lookup = zone.lookup(&name, type_name);
        let zone_label = if lookup != Lookup::NotOurs {
            zone.domain.clone()
        } else {
            ".".to_string()
        };
        self.metrics
            .requests
            .get_or_create(&RequestLabels {
                server: self.server_label.clone(),
                zone: zone_label.clone(),
                proto: if tcp { "tcp" } else { "udp" }.to_string(),
                family: if request.src().is_ipv4() { "1" } else { "2" }.to_string(),
                r#type: type_name.to_string(),
            })
            .inc();

        let mut answers = Vec::new();
        let mut authority = Vec::new();
        let info = match lookup {
            Lookup::NotOurs if !may_recurse(&self.recursion_for, request.src().ip()) => {
                metadata.response_code = ResponseCode::Refused;
                send(
                    &mut response_handle,
                    builder.build_no_records(metadata),
                    request,
                )
                .await
            }
            Lookup::NotOurs => {
                let forwarded =
                    forward_within(&self.forwards, &self.upstreams, request.as_slice(), tcp)
                        .await
                        .and_then(|bytes| Message::from_vec(&bytes).ok());
                match forwarded {
                    Some(message) => {
                        let mut forwarded = message.metadata;
                        forwarded.id = request.metadata.id;
                        let answer = builder.build(
                            forwarded,
                            message.answers.iter(),
                            message.authorities.iter(),
                            std::iter::empty(),
                            message.additionals.iter(),
                        );
                        send(&mut response_handle, answer, request).await
                    }
                    // No upstream answered, or not with a DNS message.
                    None => {
                        metadata.response_code = ResponseCode::ServFail;
                        send(
                            &mut response_handle,
                            builder.build_no_records(metadata),
                            request,
                        )
                        .await
                    }
                }
            }
            lookup => {
                metadata.authoritative = true;
                match lookup {
                    Lookup::Records(records) => {
                        answers = records
                            .iter()
                            .filter_map(|(n, d)| to_record(n, d, self.ttl))
                            .collect();
                    }
                    Lookup::NxDomain => {
                        metadata.response_code = ResponseCode::NXDomain;
                        authority.extend(soa(&zone.domain, self.ttl));
                    }
                    _ => authority.extend(soa(&zone.domain, self.ttl)),
                }
                let answer = builder.build(
                    metadata,
                    answers.iter(),
                    std::iter::empty(),
                    authority.iter(),
                    std::iter::empty(),
                );
                send(&mut response_handle, answer, request).await
            }
        };
        self.metrics
            .responses
            .get_or_create(&ResponseLabels {
                server: self.server_label.clone(),
                zone: zone_label.clone(),
                rcode: rcode_name(info.response_code).to_string(),
            })
            .inc();
        self.metrics
            .duration
            .get_or_create(&DurationLabels {
                server: self.server_label.clone(),
                zone: zone_label,
                r#type: type_name.to_string(),
            })
            .observe(started.elapsed().as_secs_f64());
        info
    }
}

/// The response code as CoreDNS's metrics name it.
fn rcode_name(code: ResponseCode) -> &'static str {
    match code {
        ResponseCode::NoError => "NOERROR",
        ResponseCode::FormErr => "FORMERR",
        ResponseCode::ServFail => "SERVFAIL",
        ResponseCode::NXDomain => "NXDOMAIN",
        ResponseCode::NotImp => "NOTIMP",
        ResponseCode::Refused => "REFUSED",
        other => other.to_str(),
    }
}

async fn send<'a, R: ResponseHandler>(
    handle: &mut R,
    response: hickory_server::zone_handler::MessageResponse<
        '_,
        'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
    >,
    request: &Request,
) -> ResponseInfo {
    match handle.send_response(response).await {
        Ok(info) => info,
        Err(err) => {
            tracing::debug!("cannot send a DNS response to {}: {err}", request.src());
            let mut metadata = Metadata::response_from_request(&request.metadata);
            metadata.response_code = ResponseCode::ServFail;
            ResponseInfo::from(hickory_server::proto::op::Header {
                metadata,
                counts: Default::default(),
            })
        }
    }
}

/// The `kube-dns` Service and its Endpoints (mirrored into an
/// EndpointSlice by the controller manager, as for any Service without a
/// selector), pointing at `endpoint`. An existing Service is kept (its
/// cluster IP cannot change); the Endpoints are replaced.
pub async fn publish(
    client: &kube::Client,
    service_ip: Ipv4Addr,
    endpoint: SocketAddr,
) -> Result<(), kube::Error> {
    let services: Api<Service> = Api::namespaced(client.clone(), "kube-system");
    let service: Service = serde_json::from_value(serde_json::json!({
        "metadata": {
            "name": "kube-dns",
            "namespace": "kube-system",
            "labels": {
                "k8s-app": "kube-dns",
                "kubernetes.io/cluster-service": "true",
                "kubernetes.io/name": "CoreDNS",
            },
        },
        "spec": {
            "clusterIP": service_ip.to_string(),
            "ports": [
                {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": endpoint.port()},
                {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": endpoint.port()},
                {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153},
            ],
        },
    }))
    .map_err(kube::Error::SerdeError)?;
    match services.create(&PostParams::default(), &service).await {
        Ok(_) => {}
        Err(kube::Error::Api(status)) if status.code == 409 => {}
        Err(err) => return Err(err),
    }
    let endpoints: Api<Endpoints> = Api::namespaced(client.clone(), "kube-system");
    let mut wanted: Endpoints = serde_json::from_value(serde_json::json!({
        "metadata": {
            "name": "kube-dns",
            "namespace": "kube-system",
            "labels": {"k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS"},
        },
        "subsets": [{
            "addresses": [{"ip": endpoint.ip().to_string()}],
            "ports": [
                {"name": "dns", "port": endpoint.port(), "protocol": "UDP"},
                {"name": "dns-tcp", "port": endpoint.port(), "protocol": "TCP"},
                {"name": "metrics", "port": 9153, "protocol": "TCP"},
            ],
        }],
    }))
    .map_err(kube::Error::SerdeError)?;
    match endpoints.get_opt("kube-dns").await? {
        None => {
            endpoints.create(&PostParams::default(), &wanted).await?;
        }
        Some(current) if current.subsets != wanted.subsets => {
            wanted.metadata.resource_version = current.metadata.resource_version;
            endpoints
                .replace("kube-dns", &PostParams::default(), &wanted)
                .await?;
        }
        Some(_) => {}
    }
    Ok(())
}

/// UDP and TCP sockets on one address. With port 0 the port is the one the
/// UDP socket got, which a TCP socket may hold already: then another is
/// tried.
async fn bind(
    address: SocketAddr,
) -> Result<(tokio::net::UdpSocket, tokio::net::TcpListener, SocketAddr), String> {
    let mut tries = 0;
    loop {
        let udp = tokio::net::UdpSocket::bind(address)
            .await
            .map_err(|e| format!("cluster DNS cannot listen on {address} (UDP): {e}"))?;
        let listen = udp.local_addr().map_err(|e| e.to_string())?;
        match tokio::net::TcpListener::bind(listen).await {
            Ok(tcp) => return Ok((udp, tcp, listen)),
            Err(err)
                if address.port() == 0
                    && err.kind() == std::io::ErrorKind::AddrInUse
                    && tries < 16 =>
            {
                tries += 1;
            }
            Err(err) => {
                return Err(format!(
                    "cluster DNS cannot listen on {listen} (TCP): {err}"
                ));
            }
        }
    }
}

/// Runs the cluster DNS until `shutdown` turns true. It reads Services and
/// EndpointSlices with `client`; the `kube-dns` Service is published with
/// `publisher`, the operator's client, as an add-on installer would (the
/// DNS's own identity may only read).
pub async fn run(
    client: kube::Client,
    publisher: kube::Client,
    options: DnsOptions,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), String> {
    let upstreams = if options.upstreams.is_empty() {
        let text = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
        resolv_conf_nameservers(&text)
            .into_iter()
            .filter(|u| *u != options.listen)
            .collect()
    } else {
        options.upstreams.clone()
    };
    let (udp, tcp, listen) = bind(options.listen).await?;

    let changed = Arc::new(Notify::new());
    let on_change = {
        let changed = changed.clone();
        move || changed.notify_one()
    };
    let (services, services_task) =
        crate::watch::reflect(Api::<Service>::all(client.clone()), "", on_change.clone());
    let (slices, slices_task) =
        crate::watch::reflect(Api::<EndpointSlice>::all(client.clone()), "", on_change);
    let zone = Arc::new(RwLock::new(Arc::new(Zone::default())));
    let metrics = Arc::new(DnsMetrics::new());
    let handler = Handler {
        zone: zone.clone(),
        upstreams,
        forwards: Arc::new(tokio::sync::Semaphore::new(MAX_FORWARDS)),
        recursion_for: options.recursion_for.clone(),
        ttl: options.ttl,
        server_label: format!("dns://{listen}"),
        metrics: metrics.clone(),
    };
    let mut server = hickory_server::Server::new(handler);
    server.register_socket(udp);
    server.register_listener(tcp, Duration::from_secs(10), 64);

    let mut tasks = vec![services_task, slices_task];
    if let Some(address) = options.metrics_bind_address {
        let metrics = metrics.clone();
        let mut stop = shutdown.clone();
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|e| format!("cluster DNS cannot serve metrics on {address}: {e}"))?;
        tasks.push(tokio::spawn(async move {
            let app = axum::Router::new().route(
                "/metrics",
                axum::routing::get(move |headers: axum::http::HeaderMap| {
                    let metrics = metrics.clone();
                    async move { crate::metrics::scrape(metrics.render(), &headers) }
                }),
            );
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|s| *s).await;
                })
                .await;
        }));
    }
    if let Some(service_ip) = options.service_ip {
        let endpoint = SocketAddr::new(options.advertise.unwrap_or(listen.ip()), listen.port());
        let client = publisher;
        tasks.push(tokio::spawn(async move {
            let mut delay = Duration::from_millis(200);
            while let Err(err) = publish(&client, service_ip, endpoint).await {
                tracing::warn!("cannot publish the kube-dns Service: {err}");
                tokio::time::sleep(delay).await;
                // Short: name resolution through kube-dns waits on it.
                delay = (delay * 2).min(Duration::from_secs(2));
            }
        }));
    }
    tracing::info!(%listen, domain = %options.cluster_domain, "cluster DNS serving");

    // Rebuild the zone on changes, a few at a time.
    let domain = options.cluster_domain.clone();
    loop {
        tokio::select! {
            _ = changed.notified() => {}
            _ = shutdown.wait_for(|s| *s) => break,
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        let services = services.state();
        let slices = slices.state();
        let built = Zone::build(
            &domain,
            services.iter().map(|s| s.as_ref()),
            slices.iter().map(|s| s.as_ref()),
        );
        if let Ok(mut current) = zone.write() {
            *current = Arc::new(built);
        }
    }
    for task in tasks {
        task.abort();
    }
    let _ = server.shutdown_gracefully().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_server::proto::op::{MessageType, OpCode, Query};
    use hickory_server::proto::rr::RecordType;

    /// A server on a free loopback port answering from a zone of one
    /// Service, forwarding the rest to `upstreams`.
    async fn serve(domain: &str, upstreams: Vec<SocketAddr>) -> (SocketAddr, Arc<DnsMetrics>) {
        serve_on(
            "127.0.0.1:0".parse().unwrap(),
            domain,
            upstreams,
            Vec::new(),
        )
        .await
    }

    async fn serve_on(
        listen: SocketAddr,
        domain: &str,
        upstreams: Vec<SocketAddr>,
        recursion_for: Vec<crate::Ipv4Net>,
    ) -> (SocketAddr, Arc<DnsMetrics>) {
        let service: Service = serde_json::from_value(serde_json::json!({
            "metadata": {"namespace": "ns", "name": "web"},
            "spec": {"clusterIP": "10.96.0.20", "ports": [{"name": "http", "port": 80}]}
        }))
        .unwrap();
        let zone = Zone::build(domain, [&service], []);
        let metrics = Arc::new(DnsMetrics::new());
        let handler = Handler {
            zone: Arc::new(RwLock::new(Arc::new(zone))),
            upstreams,
            forwards: Arc::new(tokio::sync::Semaphore::new(MAX_FORWARDS)),
            recursion_for,
            ttl: 30,
            server_label: "dns://test".into(),
            metrics: metrics.clone(),
        };
        let udp = tokio::net::UdpSocket::bind(listen).await.unwrap();
        let address = udp.local_addr().unwrap();
        let mut server = hickory_server::Server::new(handler);
        server.register_socket(udp);
        tokio::spawn(async move {
            let _ = server.block_until_done().await;
        });
        (address, metrics)
    }

    async fn ask(server: SocketAddr, name: &str, record_type: RecordType) -> Message {
        let mut query = Message::new(7, MessageType::Query, OpCode::Query);
        query.metadata.recursion_desired = true;
        query
            .queries
            .push(Query::query(Name::from_ascii(name).unwrap(), record_type));
        let bytes = forward(&[server], &query.to_vec().unwrap(), false)
            .await
            .expect("an answer");
        Message::from_vec(&bytes).unwrap()
    }

    #[tokio::test]
    async fn forwarding_is_bounded() {
        let (upstream, _) = serve("upstream.test", vec![]).await;
        let mut query = Message::new(9, MessageType::Query, OpCode::Query);
        query.queries.push(Query::query(
            Name::from_ascii("a.upstream.test.").unwrap(),
            RecordType::A,
        ));
        let query = query.to_vec().unwrap();
        let forwards = tokio::sync::Semaphore::new(1);
        assert!(
            forward_within(&forwards, &[upstream], &query, false)
                .await
                .is_some()
        );
        // Every permit taken: refused at once, without a socket.
        let _held = forwards.try_acquire().unwrap();
        let started = std::time::Instant::now();
        assert!(
            forward_within(&forwards, &[upstream], &query, false)
                .await
                .is_none()
        );
        assert!(started.elapsed() < Duration::from_millis(100));
    }

    #[tokio::test]
    async fn answers_its_zone_and_forwards_the_rest() {
        let (upstream, _) = serve("upstream.test", vec![]).await;
        let (server, metrics) = serve("cluster.local", vec![upstream]).await;

        let answer = ask(server, "web.ns.svc.cluster.local.", RecordType::A).await;
        assert_eq!(answer.metadata.response_code, ResponseCode::NoError);
        assert!(answer.metadata.authoritative);
        assert_eq!(answer.answers.len(), 1);
        assert_eq!(
            answer.answers[0].data,
            RData::A(A(Ipv4Addr::new(10, 96, 0, 20)))
        );

        let nodata = ask(server, "web.ns.svc.cluster.local.", RecordType::AAAA).await;
        assert_eq!(nodata.metadata.response_code, ResponseCode::NoError);
        assert!(nodata.answers.is_empty());
        assert_eq!(nodata.authorities.len(), 1, "the SOA comes with NODATA");

        let missing = ask(server, "google.com.ns.svc.cluster.local.", RecordType::A).await;
        assert_eq!(missing.metadata.response_code, ResponseCode::NXDomain);

        let forwarded = ask(server, "web.ns.svc.upstream.test.", RecordType::A).await;
        assert_eq!(forwarded.metadata.id, 7);
        assert_eq!(forwarded.answers.len(), 1);

        let (lonely, _) = serve("cluster.local", vec![]).await;
        let failed = ask(lonely, "example.com.", RecordType::A).await;
        assert_eq!(failed.metadata.response_code, ResponseCode::ServFail);

        let text = metrics.render();
        assert!(text.contains("coredns_dns_requests_total{server=\"dns://test\",zone=\"cluster.local.\",proto=\"udp\",family=\"1\",type=\"A\"} 2"), "{text}");
        assert!(text.contains("rcode=\"NXDOMAIN\""), "{text}");
    }

    #[tokio::test]
    async fn only_the_cluster_networks_have_other_names_resolved() {
        // This machine's routable address: a client there is not loopback.
        let probe = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
        probe.connect("192.0.2.1:9").unwrap();
        let IpAddr::V4(host) = probe.local_addr().unwrap().ip() else {
            panic!("no IPv4 address on this machine");
        };
        assert!(!host.is_loopback(), "this machine has no routable address");
        let (upstream, _) = serve("upstream.test", vec![]).await;
        let listen: SocketAddr = (host, 0).into();
        let (open_to_none, _) = serve_on(listen, "cluster.local", vec![upstream], vec![]).await;
        let refused = ask(open_to_none, "web.ns.svc.upstream.test.", RecordType::A).await;
        assert_eq!(refused.metadata.response_code, ResponseCode::Refused);
        assert!(refused.answers.is_empty());
        // The cluster's own names are answered whoever asks.
        let own = ask(open_to_none, "web.ns.svc.cluster.local.", RecordType::A).await;
        assert_eq!(own.answers.len(), 1);
        let node = crate::Ipv4Net::parse(&format!("{host}/32")).unwrap();
        let (for_node, _) = serve_on(listen, "cluster.local", vec![upstream], vec![node]).await;
        let forwarded = ask(for_node, "web.ns.svc.upstream.test.", RecordType::A).await;
        assert_eq!(forwarded.answers.len(), 1);

        let pods = crate::Ipv4Net::parse("10.244.0.0/16").unwrap();
        assert!(may_recurse(&[pods], "10.244.3.7".parse().unwrap()));
        assert!(may_recurse(&[], "127.0.0.1".parse().unwrap()));
        assert!(may_recurse(&[], "::1".parse().unwrap()));
        assert!(!may_recurse(&[pods], "203.0.113.9".parse().unwrap()));
        assert!(!may_recurse(&[pods], "2001:db8::1".parse().unwrap()));
    }

    #[test]
    fn nameservers_come_from_resolv_conf() {
        let text = "# generated\nsearch example.com\nnameserver 10.0.0.2\nnameserver ::1\noptions ndots:5\n";
        assert_eq!(
            resolv_conf_nameservers(text),
            [
                "10.0.0.2:53".parse::<SocketAddr>().unwrap(),
                "[::1]:53".parse().unwrap()
            ]
        );
    }
}
