//! Container probes and lifecycle hooks: exec, httpGet, tcpSocket and
//! grpc (the standard `grpc.health.v1.Health/Check`) handlers, run as upstream's prober does (initialDelaySeconds,
//! periodSeconds, timeoutSeconds, success and failure thresholds; liveness
//! and readiness wait for the startup probe). Each probe of a running
//! container is a task that writes its verdict into shared flags and wakes
//! the pod worker when a verdict changes.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use k8s_openapi::api::core::v1::{
    Container, ExecAction, GRPCAction, HTTPGetAction, Pod, Probe, TCPSocketAction,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Notify;

use crate::runtime::Runtime;

/// A probe's or hook's handler, whichever the spec names.
pub enum Handler<'a> {
    Exec(&'a ExecAction),
    Http(&'a HTTPGetAction),
    Tcp(&'a TCPSocketAction),
    Grpc(&'a GRPCAction),
    /// Sleep hooks (`sleep: {seconds}`).
    Sleep(i64),
}

/// What one run of a handler found.
pub enum Outcome {
    Success,
    Failure(String),
}

/// Resolves a port that may name one of the container's ports.
pub fn port(port: &IntOrString, container: &Container) -> Result<u16, String> {
    match port {
        IntOrString::Int(n) => u16::try_from(*n).map_err(|_| format!("invalid port {n}")),
        IntOrString::String(name) => container
            .ports
            .iter()
            .flatten()
            .find(|p| p.name.as_deref() == Some(name))
            .and_then(|p| u16::try_from(p.container_port).ok())
            .ok_or_else(|| {
                format!(
                    "couldn't find port {name:?} in container {:?}",
                    container.name
                )
            }),
    }
}

/// Runs a handler once against a container whose pod has `pod_ip`.
pub async fn run(
    handler: &Handler<'_>,
    runtime: &dyn Runtime,
    container_id: &str,
    container: &Container,
    pod_ip: IpAddr,
    timeout: Duration,
) -> Outcome {
    match handler {
        Handler::Exec(exec) => {
            let command = exec.command.clone().unwrap_or_default();
            match runtime.exec_sync(container_id, &command, timeout).await {
                Ok(result) if result.exit_code == 0 => Outcome::Success,
                Ok(result) => Outcome::Failure(if result.output.is_empty() {
                    format!("command {command:?} exited with {}", result.exit_code)
                } else {
                    result.output
                }),
                Err(err) => Outcome::Failure(err.to_string()),
            }
        }
        Handler::Tcp(tcp) => {
            let port = match port(&tcp.port, container) {
                Ok(port) => port,
                Err(err) => return Outcome::Failure(err),
            };
            let host = tcp
                .host
                .as_deref()
                .and_then(|h| h.parse::<IpAddr>().ok())
                .unwrap_or(pod_ip);
            let address = std::net::SocketAddr::new(host, port);
            match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(address)).await {
                Ok(Ok(_)) => Outcome::Success,
                Ok(Err(err)) => Outcome::Failure(format!(
                    "dial tcp {address}: connect: {}",
                    describe_io(&err)
                )),
                Err(_) => Outcome::Failure(format!("dial tcp {address}: i/o timeout")),
            }
        }
        Handler::Http(http) => match http_get(http, container, pod_ip, timeout).await {
            Ok(code) if (200..400).contains(&code) => Outcome::Success,
            Ok(code) => Outcome::Failure(format!("HTTP probe failed with statuscode: {code}")),
            Err(err) => Outcome::Failure(err),
        },
        Handler::Grpc(grpc) => match grpc_check(grpc, pod_ip, timeout).await {
            Ok(()) => Outcome::Success,
            Err(err) => Outcome::Failure(err),
        },
        Handler::Sleep(seconds) => {
            tokio::time::sleep(Duration::from_secs((*seconds).max(0) as u64)).await;
            Outcome::Success
        }
    }
}

/// One `grpc.health.v1.Health/Check` of the pod's port, with upstream's
/// messages; SERVING is the only success.
async fn grpc_check(grpc: &GRPCAction, pod_ip: IpAddr, timeout: Duration) -> Result<(), String> {
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};
    let address = std::net::SocketAddr::new(
        pod_ip,
        u16::try_from(grpc.port).map_err(|_| format!("invalid port {}", grpc.port))?,
    );
    let seconds = timeout.as_secs().max(1);
    let endpoint = tonic::transport::Endpoint::from_shared(format!("http://{address}"))
        .map_err(|e| e.to_string())?
        .connect_timeout(timeout)
        .timeout(timeout);
    let channel = endpoint.connect().await.map_err(|_| {
        format!("timeout: failed to connect service {address:?} within {seconds}s: context deadline exceeded")
    })?;
    let request = HealthCheckRequest {
        service: grpc.service.clone().unwrap_or_default(),
    };
    let response = HealthClient::new(channel)
        .check(request)
        .await
        .map_err(|status| {
            format!(
                "rpc error: code = {:?} desc = {}",
                status.code(),
                status.message()
            )
        })?;
    let status = response.into_inner().status;
    if status == ServingStatus::Serving as i32 {
        return Ok(());
    }
    let name = ServingStatus::try_from(status)
        .map(|s| s.as_str_name())
        .unwrap_or("UNKNOWN");
    Err(format!("service unhealthy (responded with {name:?})"))
}

fn describe_io(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
        _ => err.to_string(),
    }
}

/// An HTTP/1.1 GET as kube-probe sends it; returns the status code.
async fn http_get(
    http: &HTTPGetAction,
    container: &Container,
    pod_ip: IpAddr,
    timeout: Duration,
) -> Result<u16, String> {
    let port = port(&http.port, container)?;
    let host = http
        .host
        .as_deref()
        .filter(|h| !h.is_empty())
        .and_then(|h| h.parse::<IpAddr>().ok())
        .unwrap_or(pod_ip);
    let scheme = http
        .scheme
        .as_deref()
        .unwrap_or("HTTP")
        .to_ascii_lowercase();
    let path = http
        .path
        .as_deref()
        .filter(|p| !p.is_empty())
        .unwrap_or("/");
    let address = std::net::SocketAddr::new(host, port);
    let url = format!("{scheme}://{address}{path}");
    if scheme != "http" && scheme != "https" {
        return Err(format!(
            "Get {url:?}: unsupported protocol scheme {scheme:?}"
        ));
    }
    let mut request = format!("GET {path} HTTP/1.1\r\n");
    let headers = http.http_headers.clone().unwrap_or_default();
    if !headers.iter().any(|h| h.name.eq_ignore_ascii_case("host")) {
        request.push_str(&format!("Host: {address}\r\n"));
    }
    if !headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case("user-agent"))
    {
        request.push_str("User-Agent: kube-probe/1.33\r\n");
    }
    if !headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case("accept"))
    {
        request.push_str("Accept: */*\r\n");
    }
    for header in &headers {
        request.push_str(&format!("{}: {}\r\n", header.name, header.value));
    }
    request.push_str("Connection: close\r\n\r\n");
    let exchange = async {
        let stream = tokio::net::TcpStream::connect(address).await.map_err(|e| {
            format!(
                "Get {url:?}: dial tcp {address}: connect: {}",
                describe_io(&e)
            )
        })?;
        if scheme == "https" {
            // As upstream's prober: TLS without verifying the certificate.
            let config = serving::probe_client_config()?;
            let name = rustls::pki_types::ServerName::from(host);
            let tls = tokio_rustls::TlsConnector::from(config)
                .connect(name, stream)
                .await
                .map_err(|e| format!("Get {url:?}: {e}"))?;
            status_code(tls, &request, &url).await
        } else {
            status_code(stream, &request, &url).await
        }
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| format!("Get {url:?}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)"))?
}

/// Sends `request` and reads the status line's code.
async fn status_code(
    mut stream: impl tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    request: &str,
    url: &str,
) -> Result<u16, String> {
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("Get {url:?}: {e}"))?;
    let mut head = Vec::new();
    let mut buffer = [0u8; 1024];
    while !head.contains(&b'\n') && head.len() < 8192 {
        let read = stream
            .read(&mut buffer)
            .await
            .map_err(|e| format!("Get {url:?}: {e}"))?;
        if read == 0 {
            break;
        }
        head.extend_from_slice(&buffer[..read]);
    }
    let line = String::from_utf8_lossy(&head);
    line.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| format!("Get {url:?}: malformed HTTP response"))
}

/// The handler a probe names.
pub fn probe_handler(probe: &Probe) -> Option<Handler<'_>> {
    if let Some(exec) = &probe.exec {
        return Some(Handler::Exec(exec));
    }
    if let Some(http) = &probe.http_get {
        return Some(Handler::Http(http));
    }
    if let Some(tcp) = &probe.tcp_socket {
        return Some(Handler::Tcp(tcp));
    }
    if let Some(grpc) = &probe.grpc {
        return Some(Handler::Grpc(grpc));
    }
    None
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Liveness,
    Readiness,
    Startup,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Liveness => "Liveness",
            Kind::Readiness => "Readiness",
            Kind::Startup => "Startup",
        }
    }
}

/// The verdicts of one container's probes.
#[derive(Default, Debug)]
pub struct Verdicts {
    /// The readiness probe passes (true from the start without one).
    pub ready: AtomicBool,
    /// The startup probe has passed (true from the start without one).
    pub started: AtomicBool,
    /// The liveness or startup probe failed: restart the container.
    pub failed: AtomicBool,
    /// Which one failed, for the Killing event.
    pub failed_kind: std::sync::Mutex<Option<Kind>>,
}

/// The probe tasks of one running container; dropped, they stop.
pub struct Probes {
    pub verdicts: Arc<Verdicts>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Probes {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Everything a probe task needs.
pub struct Target {
    pub runtime: Arc<dyn Runtime>,
    pub container_id: String,
    pub container: Container,
    pub pod: Arc<Pod>,
    pub pod_ip: IpAddr,
    pub events: events::EventSink,
    pub wake: Arc<Notify>,
}

/// Starts the container's probes (none in the simulated runtime, where
/// probes count as passing).
pub fn start(target: Target, simulated: bool) -> Probes {
    let verdicts = Arc::new(Verdicts::default());
    let container = &target.container;
    let startup = container.startup_probe.clone().filter(|_| !simulated);
    let readiness = container.readiness_probe.clone().filter(|_| !simulated);
    let liveness = container.liveness_probe.clone().filter(|_| !simulated);
    verdicts.started.store(startup.is_none(), Ordering::SeqCst);
    verdicts.ready.store(readiness.is_none(), Ordering::SeqCst);
    let target = Arc::new(target);
    let mut tasks = Vec::new();
    for (kind, probe) in [
        (Kind::Startup, startup),
        (Kind::Readiness, readiness),
        (Kind::Liveness, liveness),
    ] {
        if let Some(probe) = probe {
            tasks.push(tokio::spawn(probe_loop(
                kind,
                probe,
                target.clone(),
                verdicts.clone(),
            )));
        }
    }
    Probes { verdicts, tasks }
}

async fn probe_loop(kind: Kind, probe: Probe, target: Arc<Target>, verdicts: Arc<Verdicts>) {
    let seconds =
        |v: Option<i32>, default: i32| Duration::from_secs(v.unwrap_or(default).max(0) as u64);
    let period = seconds(probe.period_seconds, 10).max(Duration::from_secs(1));
    let timeout = seconds(probe.timeout_seconds, 1).max(Duration::from_secs(1));
    let success_threshold = probe.success_threshold.unwrap_or(1).max(1);
    let failure_threshold = probe.failure_threshold.unwrap_or(3).max(1);
    let Some(handler) = probe_handler(&probe) else {
        return;
    };
    tokio::time::sleep(seconds(probe.initial_delay_seconds, 0)).await;
    let (mut successes, mut failures) = (0, 0);
    loop {
        if kind != Kind::Startup && !verdicts.started.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        }
        let outcome = run(
            &handler,
            target.runtime.as_ref(),
            &target.container_id,
            &target.container,
            target.pod_ip,
            timeout,
        )
        .await;
        match outcome {
            Outcome::Success => {
                failures = 0;
                successes += 1;
                if successes >= success_threshold {
                    match kind {
                        Kind::Startup => {
                            verdicts.started.store(true, Ordering::SeqCst);
                            target.wake.notify_one();
                            return;
                        }
                        Kind::Readiness => {
                            if !verdicts.ready.swap(true, Ordering::SeqCst) {
                                target.wake.notify_one();
                            }
                        }
                        Kind::Liveness => {}
                    }
                }
            }
            Outcome::Failure(message) => {
                successes = 0;
                failures += 1;
                target.events.warning(
                    target.pod.as_ref(),
                    "Unhealthy",
                    format!("{} probe failed: {}", kind.name(), message.trim_end()),
                );
                if failures >= failure_threshold {
                    match kind {
                        Kind::Readiness => {
                            if verdicts.ready.swap(false, Ordering::SeqCst) {
                                target.wake.notify_one();
                            }
                        }
                        Kind::Liveness | Kind::Startup => {
                            if let Ok(mut failed) = verdicts.failed_kind.lock() {
                                *failed = Some(kind);
                            }
                            verdicts.failed.store(true, Ordering::SeqCst);
                            target.wake.notify_one();
                            return;
                        }
                    }
                }
            }
        }
        tokio::time::sleep(period).await;
    }
}

/// The message of the Killing event a failed probe causes.
pub fn restart_message(kind: Option<Kind>, container: &str) -> String {
    match kind {
        Some(Kind::Startup) => {
            format!("Container {container} failed startup probe, will be restarted")
        }
        _ => format!("Container {container} failed liveness probe, will be restarted"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::simulated::{SimulatedRuntime, SimulatedTiming};
    use k8s_openapi::api::core::v1::ContainerPort;

    fn container(port: u16) -> Container {
        Container {
            name: "c".into(),
            ports: Some(vec![ContainerPort {
                name: Some("web".into()),
                container_port: i32::from(port),
                ..ContainerPort::default()
            }]),
            ..Container::default()
        }
    }

    async fn probe(handler: Handler<'_>, port: u16) -> Result<(), String> {
        let runtime = SimulatedRuntime::new(SimulatedTiming::default(), [127, 0, 0, 1].into());
        match run(
            &handler,
            &runtime,
            "none",
            &container(port),
            [127, 0, 0, 1].into(),
            Duration::from_secs(2),
        )
        .await
        {
            Outcome::Success => Ok(()),
            Outcome::Failure(message) => Err(message),
        }
    }

    fn get(scheme: &str, path: &str) -> HTTPGetAction {
        HTTPGetAction {
            scheme: Some(scheme.into()),
            path: Some(path.into()),
            port: IntOrString::String("web".into()),
            ..HTTPGetAction::default()
        }
    }

    #[tokio::test]
    async fn http_https_and_tcp_probes_judge_as_upstream() {
        let listener = serving::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (_stop, stopping) = tokio::sync::watch::channel(false);
        tokio::spawn(serving::serve(
            listener,
            serving::ServingCert::self_signed().unwrap(),
            |path: &str| {
                if path == "/healthz" {
                    serving::Answer::text(hyper::StatusCode::OK, "ok")
                } else {
                    serving::Answer::text(hyper::StatusCode::INTERNAL_SERVER_ERROR, "no")
                }
            },
            stopping,
        ));
        assert_eq!(
            probe(Handler::Http(&get("HTTPS", "/healthz")), port).await,
            Ok(())
        );
        assert_eq!(
            probe(Handler::Http(&get("HTTPS", "/broken")), port).await,
            Err("HTTP probe failed with statuscode: 500".into())
        );
        let tcp = TCPSocketAction {
            port: IntOrString::Int(i32::from(port)),
            host: None,
        };
        assert_eq!(probe(Handler::Tcp(&tcp), port).await, Ok(()));
        // Nothing listens on a port just freed.
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let refused = probe(Handler::Http(&get("HTTP", "/")), closed)
            .await
            .unwrap_err();
        assert!(refused.contains("connect: connection refused"), "{refused}");
        let tcp = TCPSocketAction {
            port: IntOrString::Int(i32::from(closed)),
            host: None,
        };
        assert_eq!(
            probe(Handler::Tcp(&tcp), closed).await,
            Err(format!(
                "dial tcp 127.0.0.1:{closed}: connect: connection refused"
            ))
        );
        let unnamed = HTTPGetAction {
            port: IntOrString::String("nope".into()),
            ..HTTPGetAction::default()
        };
        assert!(
            probe(Handler::Http(&unnamed), port)
                .await
                .unwrap_err()
                .contains("couldn't find port")
        );
    }
}
