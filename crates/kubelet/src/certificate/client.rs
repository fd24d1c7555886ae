//! An API client that presents whichever certificate is current at each
//! new connection, so a renewed client certificate is used without
//! rebuilding the components that hold the client.

use std::sync::Arc;

use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use kube::client::ConfigExt;

/// A client for `config`'s server that trusts the CA in `ca_pem` and
/// authenticates with `identity`'s certificate.
pub fn client(
    config: kube::Config,
    ca_pem: &str,
    identity: Arc<dyn rustls::client::ResolvesClientCert>,
) -> Result<kube::Client, String> {
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_root_certificates(serving::roots(ca_pem.as_bytes())?)
    .with_client_cert_resolver(identity);
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_connect_timeout(config.connect_timeout);
    let https = hyper_rustls::HttpsConnector::from((http, Arc::new(tls)));
    let mut connector = hyper_timeout::TimeoutConnector::new(https);
    connector.set_read_timeout(config.read_timeout);
    connector.set_write_timeout(config.write_timeout);
    let hyper: hyper_util::client::legacy::Client<_, kube::client::Body> =
        hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build(connector);
    let service = tower::ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .layer(config.extra_headers_layer().map_err(|e| e.to_string())?)
        .option_layer(config.auth_layer().map_err(|e| e.to_string())?)
        .map_err(tower::BoxError::from)
        .service(hyper);
    Ok(kube::Client::new(service, config.default_namespace))
}
