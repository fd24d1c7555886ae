//! HTTPS: TLS with optional client certificates (verified against the
//! cluster CA; the certificate's subject is the request's user), HTTP/1.1
//! and HTTP/2 on one port, every request handed to the handlers.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use hyper::body::Incoming;
use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::auth::user_from_certificate;
use crate::handlers::{self, ApiState, ConnectionUser, PeerAddress};
use crate::pki::ClusterPki;

pub fn tls_config(pki: &ClusterPki) -> Result<Arc<rustls::ServerConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let read = |path: &std::path::Path| {
        std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
    };
    let ca = read(&pki.ca.cert)?;
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&ca) {
        let cert = cert.map_err(|e| format!("{}: {e}", pki.ca.cert.display()))?;
        roots
            .add(cert)
            .map_err(|e| format!("{}: {e}", pki.ca.cert.display()))?;
    }
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .allow_unauthenticated()
        .build()
        .map_err(|e| format!("client certificate verifier: {e}"))?;
    let chain = read(&pki.serving.cert)?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&chain)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", pki.serving.cert.display()))?;
    let key = PrivateKeyDer::from_pem_slice(&read(&pki.serving.key)?)
        .map_err(|e| format!("{}: {e}", pki.serving.key.display()))?;
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .map_err(|e| format!("TLS: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Accepts connections until `shutdown` turns true; then every open
/// connection (and the watches on it) ends too.
pub async fn serve(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    state: Arc<ApiState>,
    shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let acceptor = TlsAcceptor::from(tls);
    let limits = serving::connections::Limits::default();
    let builder = Arc::new(serving::connections::http_builder(&limits));
    let stopping = shutdown.clone();
    serving::connections::accept_tls(
        listener,
        acceptor,
        limits,
        stopping,
        move |stream, opened| {
            let state = state.clone();
            let builder = builder.clone();
            let shutdown = shutdown.clone();
            async move {
                let user = ConnectionUser(user_from_certificate(
                    stream.get_ref().1.peer_certificates(),
                ));
                let peer = stream
                    .get_ref()
                    .0
                    .peer_addr()
                    .ok()
                    .map(|a| PeerAddress(a.ip()));
                let service =
                    hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                        opened.request();
                        let state = state.clone();
                        request.extensions_mut().insert(user.clone());
                        if let Some(peer) = peer {
                            request.extensions_mut().insert(peer);
                        }
                        async move {
                            Ok::<_, Infallible>(
                                handlers::handle(state, request.map(Body::new)).await,
                            )
                        }
                    });
                serving::connections::serve_connection(&builder, stream, service, shutdown).await;
            }
        },
    )
    .await;
}
