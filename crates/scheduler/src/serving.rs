//! The scheduler's secure port (10259 upstream): `/healthz`, `/livez`,
//! `/readyz` (ready once its caches are filled), `/metrics`, and
//! `/debug/pods/NS/NAME` (the last verdict on a pod, node by node), over
//! HTTPS. What the API server's `componentstatuses` probes.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::metrics::Metrics;
use crate::runner::SchedulerOptions;
use crate::verdicts::Verdicts;

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

fn tls(cert: &ServingCert) -> Result<Arc<rustls::ServerConfig>, String> {
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(cert.cert_pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|e| format!("serving certificate: {e}"))?;
    let key = PrivateKeyDer::from_pem_slice(cert.key_pem.as_bytes())
        .map_err(|e| format!("serving key: {e}"))?;
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| format!("TLS: {e}"))?
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .map_err(|e| format!("TLS: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Binds the secure port; serving starts with `serve`.
pub async fn bind(address: SocketAddr) -> Result<TcpListener, String> {
    TcpListener::bind(address)
        .await
        .map_err(|e| format!("cannot listen on {address}: {e}"))
}

/// Serves the state of the scheduler run with `options` until `shutdown`
/// turns true.
pub async fn serve(
    listener: TcpListener,
    cert: ServingCert,
    options: SchedulerOptions,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), String> {
    let (metrics, ready, verdicts) = (options.metrics, options.ready, options.verdicts);
    let acceptor = tokio_rustls::TlsAcceptor::from(tls(&cert)?);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    tracing::debug!(error = %err, "accepting on the secure port");
                    continue;
                }
            },
            _ = shutdown.wait_for(|stop| *stop) => return Ok(()),
        };
        let acceptor = acceptor.clone();
        let (metrics, ready, verdicts) = (metrics.clone(), ready.clone(), verdicts.clone());
        tokio::spawn(async move {
            let Ok(stream) = acceptor.accept(stream).await else {
                return;
            };
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let response = answer(request.uri().path(), &metrics, &ready, &verdicts);
                async move { Ok::<_, std::convert::Infallible>(response) }
            });
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn answer(
    path: &str,
    metrics: &Metrics,
    ready: &AtomicBool,
    verdicts: &Verdicts,
) -> Response<Full<Bytes>> {
    let debug = path
        .strip_prefix("/debug/pods/")
        .and_then(|rest| rest.split_once('/'))
        .filter(|(ns, name)| !ns.is_empty() && !name.is_empty() && !name.contains('/'));
    if let Some((namespace, name)) = debug {
        let (code, body) = match verdicts.render(&format!("{namespace}/{name}")) {
            Some(verdict) => (StatusCode::OK, verdict.to_string()),
            None => (
                StatusCode::NOT_FOUND,
                serde_json::json!({"pod": format!("{namespace}/{name}"),
                    "message": "no scheduling attempt of this pod is remembered"})
                .to_string(),
            ),
        };
        return respond(code, "application/json", body);
    }
    let (code, content_type, body) = match path {
        "/healthz" | "/livez" => (
            StatusCode::OK,
            "text/plain; charset=utf-8",
            "ok".to_string(),
        ),
        "/readyz" if ready.load(Ordering::SeqCst) => (
            StatusCode::OK,
            "text/plain; charset=utf-8",
            "ok".to_string(),
        ),
        "/readyz" => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/plain; charset=utf-8",
            "[-]sched-handler-sync failed: waiting for the caches to fill\nreadyz check failed"
                .to_string(),
        ),
        "/metrics" => (
            StatusCode::OK,
            "text/plain; version=0.0.4; charset=utf-8",
            metrics.render(),
        ),
        _ => (
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "404 page not found".to_string(),
        ),
    };
    respond(code, content_type, body)
}

fn respond(code: StatusCode, content_type: &str, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = code;
    if let Ok(value) = content_type.parse() {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}
