//! The secure port of a control-plane component (10259 for the
//! scheduler, 10257 for the controller manager, as upstream): HTTPS with a
//! certificate from the cluster CA or a self-signed one, answering each
//! request from the component's own `answer` function. What the API
//! server's `componentstatuses` probes.

pub mod connections;
pub mod jwt;
pub mod metrics;

/// The token of an `Authorization` header: its scheme is `Bearer` in any
/// case (the Python client sends `bearer`), the token its second word.
pub fn bearer_token(authorization: &str) -> Option<&str> {
    let mut words = authorization.trim().splitn(3, ' ');
    let scheme = words.next()?;
    let token = words.next()?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The user a verified client certificate names, as Kubernetes reads it:
/// the subject's CN is the user name and each O a group.
pub fn certificate_user(der: &[u8]) -> Option<(String, Vec<String>)> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let subject = cert.subject();
    let name = subject
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())?
        .to_string();
    let groups = subject
        .iter_organization()
        .filter_map(|o| o.as_str().ok())
        .map(str::to_string)
        .collect();
    Some((name, groups))
}

use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime, pem::PemObject};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// A certificate and key in PEM.
#[derive(Clone, Debug)]
pub struct ServingCert {
    pub cert_pem: String,
    pub key_pem: String,
}

impl ServingCert {
    /// A self-signed certificate for localhost, as upstream makes when it
    /// is given none.
    pub fn self_signed() -> Result<ServingCert, String> {
        let certified = rcgen::generate_simple_self_signed(vec![
            "localhost".to_string(),
            "127.0.0.1".to_string(),
        ])
        .map_err(|e| format!("a self-signed certificate: {e}"))?;
        Ok(ServingCert {
            cert_pem: certified.cert.pem(),
            key_pem: certified.signing_key.serialize_pem(),
        })
    }
}

/// A response: status, content type and body.
pub struct Answer {
    pub code: StatusCode,
    pub content_type: &'static str,
    pub body: String,
}

impl Answer {
    /// Plain text, as the health endpoints answer.
    pub fn text(code: StatusCode, body: impl Into<String>) -> Answer {
        Answer {
            code,
            content_type: "text/plain; charset=utf-8",
            body: body.into(),
        }
    }

    /// JSON.
    pub fn json(code: StatusCode, body: impl Into<String>) -> Answer {
        Answer {
            code,
            content_type: "application/json",
            body: body.into(),
        }
    }

    /// Metrics, OpenMetrics as the metrics library writes them; answered
    /// in the format the scraper's `Accept` asks for (Prometheus' text
    /// format unless it asks for OpenMetrics).
    pub fn metrics(openmetrics: String) -> Answer {
        Answer {
            code: StatusCode::OK,
            content_type: metrics::OPENMETRICS,
            body: openmetrics,
        }
    }

    /// This answer for a client that accepts `accept`: metrics in the
    /// format it asks for.
    fn negotiated(self, accept: Option<&str>) -> Answer {
        if self.content_type != metrics::OPENMETRICS {
            return self;
        }
        let (body, content_type) = metrics::exposition(self.body, accept);
        Answer {
            content_type,
            body,
            ..self
        }
    }

    /// What upstream's mux answers for a path it does not serve.
    pub fn not_found() -> Answer {
        Answer::text(StatusCode::NOT_FOUND, "404 page not found")
    }
}

/// The TLS configuration of a server with `cert`; with `client_ca_pem`,
/// client certificates of that CA are verified (and may be absent: the
/// server decides per request what an unauthenticated client may see).
pub fn server_config(
    cert: &ServingCert,
    client_ca_pem: Option<&str>,
) -> Result<Arc<rustls::ServerConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(cert.cert_pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|e| format!("serving certificate: {e}"))?;
    let key = PrivateKeyDer::from_pem_slice(cert.key_pem.as_bytes())
        .map_err(|e| format!("serving key: {e}"))?;
    let mut config = server_builder(provider, client_ca_pem)?
        .with_single_cert(chain, key)
        .map_err(|e| format!("TLS: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A server configuration as [`server_config`], its certificate whatever
/// `certificates` holds at each handshake (one renewed while serving).
pub fn server_config_with_resolver(
    certificates: Arc<dyn rustls::server::ResolvesServerCert>,
    client_ca_pem: Option<&str>,
) -> Result<Arc<rustls::ServerConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = server_builder(provider, client_ca_pem)?.with_cert_resolver(certificates);
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// TLS server settings up to the certificate: client certificates of
/// `client_ca_pem` verified when presented (others authenticate otherwise).
fn server_builder(
    provider: Arc<rustls::crypto::CryptoProvider>,
    client_ca_pem: Option<&str>,
) -> Result<rustls::ConfigBuilder<rustls::ServerConfig, rustls::server::WantsServerCert>, String> {
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?;
    Ok(match client_ca_pem {
        None => builder.with_no_client_auth(),
        Some(pem) => {
            let roots = roots(pem.as_bytes()).map_err(|e| format!("client {e}"))?;
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .allow_unauthenticated()
            .build()
            .map_err(|e| format!("client certificate verifier: {e}"))?;
            builder.with_client_cert_verifier(verifier)
        }
    })
}

/// Binds the secure port; serving starts with `serve`.
pub async fn bind(address: SocketAddr) -> Result<TcpListener, String> {
    TcpListener::bind(address)
        .await
        .map_err(|e| format!("cannot listen on {address}: {e}"))
}

/// Serves HTTPS on `listener`, each request's path answered by `answer`,
/// until `shutdown` turns true; every client may read every path (a probe
/// target, a test server).
pub async fn serve<F>(
    listener: TcpListener,
    cert: ServingCert,
    answer: F,
    shutdown: watch::Receiver<bool>,
) -> Result<(), String>
where
    F: Fn(&str) -> Answer + Clone + Send + Sync + 'static,
{
    serve_for(listener, cert, None, answer, shutdown).await
}

/// The paths any client may read: whether the component is alive and ready.
const HEALTH_PATHS: [&str; 3] = ["/healthz", "/livez", "/readyz"];

/// As [`serve`], but with `client_ca_pem` only clients with a certificate
/// of that CA read more than the health endpoints; others are told what
/// upstream tells an anonymous user.
pub async fn serve_for<F>(
    listener: TcpListener,
    cert: ServingCert,
    client_ca_pem: Option<String>,
    answer: F,
    shutdown: watch::Receiver<bool>,
) -> Result<(), String>
where
    F: Fn(&str) -> Answer + Clone + Send + Sync + 'static,
{
    let restricted = client_ca_pem.is_some();
    let acceptor = tokio_rustls::TlsAcceptor::from(server_config(&cert, client_ca_pem.as_deref())?);
    let limits = connections::Limits::default();
    let builder = Arc::new(connections::http_builder(&limits));
    connections::accept_tls(
        listener,
        acceptor,
        limits,
        shutdown,
        move |stream, opened| {
            let answer = answer.clone();
            let builder = builder.clone();
            // With a client CA configured, rustls has verified any certificate
            // the client showed.
            let authenticated = stream
                .get_ref()
                .1
                .peer_certificates()
                .is_some_and(|c| !c.is_empty());
            async move {
                let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                    opened.request();
                    let path = request.uri().path();
                    let health = HEALTH_PATHS
                        .iter()
                        .any(|p| path == *p || path.starts_with(&format!("{p}/")));
                    let response = if restricted && !authenticated && !health {
                        respond(Answer::text(
                            StatusCode::FORBIDDEN,
                            format!(
                                "forbidden: User \"system:anonymous\" cannot get path \"{path}\""
                            ),
                        ))
                    } else {
                        let accept = request
                            .headers()
                            .get(hyper::header::ACCEPT)
                            .and_then(|a| a.to_str().ok());
                        respond(answer(path).negotiated(accept))
                    };
                    async move { Ok::<_, std::convert::Infallible>(response) }
                });
                let _ = builder
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            }
        },
    )
    .await;
    Ok(())
}

/// A TLS client configuration that accepts any server certificate, as
/// liveness probes use (kube-apiserver's of components, the kubelet's of
/// HTTPS containers): they check that something answers, not who.
pub fn probe_client_config() -> Result<Arc<rustls::ClientConfig>, String> {
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|err| err.to_string())?
    .dangerous()
    .with_custom_certificate_verifier(any_certificate())
    .with_no_client_auth();
    Ok(Arc::new(config))
}

/// A TLS client configuration presenting the client certificate in
/// `cert_pem` (with `key_pem`) and accepting any server certificate: the
/// API server's client of kubelets (as upstream's without
/// --kubelet-certificate-authority), and tests and benchmarks that speak
/// raw HTTPS as the admin.
pub fn client_config_with_certificate(
    cert_pem: &[u8],
    key_pem: &[u8],
) -> Result<Arc<rustls::ClientConfig>, String> {
    let (chain, key) = identity(cert_pem, key_pem)?;
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .dangerous()
    .with_custom_certificate_verifier(any_certificate())
    .with_client_auth_cert(chain, key)
    .map_err(|e| e.to_string())?;
    Ok(Arc::new(config))
}

/// A client certificate's chain and key, from PEM.
fn identity(
    cert_pem: &[u8],
    key_pem: &[u8],
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
    let chain = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| e.to_string())?;
    Ok((chain, key))
}

/// A TLS client configuration presenting the client certificate in
/// `cert_pem` (with `key_pem`) and trusting only servers whose
/// certificate the CA in `ca_pem` issued for the name dialled: the API
/// server's client of kubelets (upstream's --kubelet-certificate-authority).
pub fn client_config_verifying(
    ca_pem: &[u8],
    cert_pem: &[u8],
    key_pem: &[u8],
) -> Result<Arc<rustls::ClientConfig>, String> {
    let (chain, key) = identity(cert_pem, key_pem)?;
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_root_certificates(roots(ca_pem)?)
    .with_client_auth_cert(chain, key)
    .map_err(|e| e.to_string())?;
    Ok(Arc::new(config))
}

/// The certificates of `ca_pem` as trust anchors.
pub fn roots(ca_pem: &[u8]) -> Result<rustls::RootCertStore, String> {
    let mut roots = rustls::RootCertStore::empty();
    for ca in CertificateDer::pem_slice_iter(ca_pem) {
        roots
            .add(ca.map_err(|e| format!("CA: {e}"))?)
            .map_err(|e| format!("CA: {e}"))?;
    }
    if roots.is_empty() {
        return Err("the CA holds no certificate".into());
    }
    Ok(roots)
}

/// A refused server certificate as Go's crypto/tls words it, which is
/// what users of upstream see in `kubectl logs` when a kubelet cannot be
/// trusted; none for other failures.
pub fn certificate_error_text(error: &std::io::Error) -> Option<String> {
    use rustls::CertificateError;
    let rustls::Error::InvalidCertificate(cause) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())?
    else {
        return None;
    };
    let x509 = match cause {
        CertificateError::UnknownIssuer | CertificateError::BadSignature => {
            "x509: certificate signed by unknown authority".to_string()
        }
        CertificateError::Expired
        | CertificateError::ExpiredContext { .. }
        | CertificateError::NotValidYet
        | CertificateError::NotValidYetContext { .. } => {
            "x509: certificate has expired or is not yet valid".to_string()
        }
        CertificateError::NotValidForName => "x509: certificate is not valid for this name".into(),
        CertificateError::NotValidForNameContext {
            expected,
            presented,
        } => {
            // Go names the certificate's names of the kind asked for:
            // addresses for an address, DNS names for a name.
            let (kind, wanted) = match expected {
                ServerName::IpAddress(ip) => {
                    ("IpAddress(", std::net::IpAddr::from(*ip).to_string())
                }
                other => ("DnsName(", other.to_str().into_owned()),
            };
            let names: Vec<&str> = presented
                .iter()
                .filter_map(|name| name.strip_prefix(kind)?.strip_suffix(')'))
                .map(|name| name.trim_matches('"'))
                .collect();
            format!(
                "x509: certificate is valid for {}, not {wanted}",
                names.join(", ")
            )
        }
        other => format!("x509: {other:?}"),
    };
    Some(format!("tls: failed to verify certificate: {x509}"))
}

/// The verifier behind [`probe_client_config`], for clients that also
/// present a certificate of their own.
pub fn any_certificate() -> Arc<dyn ServerCertVerifier> {
    Arc::new(AnyCertificate)
}

/// Accepts any certificate: a probe checks liveness, not identity.
#[derive(Debug)]
struct AnyCertificate;

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        rustls::crypto::ring::default_provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}

fn respond(answer: Answer) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(answer.body)));
    *response.status_mut() = answer.code;
    if let Ok(value) = answer.content_type.parse() {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// A TLS handshake from a client verifying with `ca_pem` to a server
    /// presenting `cert`; the client's error text, if any.
    async fn handshake(client: Arc<rustls::ClientConfig>, cert: &ServingCert) -> Option<String> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = server_config(cert, None).unwrap();
        tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let _ = tokio_rustls::TlsAcceptor::from(server).accept(tcp).await;
        });
        let tcp = tokio::net::TcpStream::connect(address).await.unwrap();
        let name = ServerName::try_from("127.0.0.1").unwrap();
        tokio_rustls::TlsConnector::from(client)
            .connect(name, tcp)
            .await
            .err()
            .map(|e| certificate_error_text(&e).unwrap_or_else(|| e.to_string()))
    }

    fn issued(ca: &rcgen::Issuer<'_, rcgen::KeyPair>, ip: [u8; 4]) -> ServingCert {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .subject_alt_names
            .push(rcgen::SanType::IpAddress(ip.into()));
        let cert = params.signed_by(&key, ca).unwrap();
        ServingCert {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }

    #[tokio::test]
    async fn kubelet_clients_trust_only_the_ca_and_the_address() {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca_pem = params.self_signed(&key).unwrap().pem();
        let ca = rcgen::Issuer::new(params, key);
        let me = issued(&ca, [127, 0, 0, 1]);
        // One client for every server, as the API server has: a session
        // with a trusted kubelet must not let another skip verification.
        let client = client_config_verifying(
            ca_pem.as_bytes(),
            me.cert_pem.as_bytes(),
            me.key_pem.as_bytes(),
        )
        .unwrap();
        assert_eq!(handshake(client.clone(), &me).await, None);
        assert_eq!(
            handshake(client.clone(), &ServingCert::self_signed().unwrap()).await,
            Some(
                "tls: failed to verify certificate: x509: certificate signed by unknown authority"
                    .into()
            )
        );
        assert_eq!(
            handshake(client, &issued(&ca, [10, 9, 9, 9])).await,
            Some(
                "tls: failed to verify certificate: x509: certificate is valid for 10.9.9.9, not 127.0.0.1"
                    .into()
            )
        );
    }
}
