//! What the controller manager's secure port (10257 upstream) answers:
//! `/healthz`, `/livez`, `/readyz` (ready once its informers have listed)
//! and `/metrics`. What the API server's `componentstatuses` probes.

use std::sync::atomic::Ordering;

use hyper::StatusCode;
use serving::Answer;
pub use serving::{ServingCert, bind};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::ControllerManagerOptions;

/// Serves the state of the controller manager run with `options` until
/// `shutdown` turns true; with `client_ca_pem`, only clients with a
/// certificate of that CA read more than health.
pub async fn serve(
    listener: TcpListener,
    cert: ServingCert,
    client_ca_pem: Option<String>,
    options: ControllerManagerOptions,
    shutdown: watch::Receiver<bool>,
) -> Result<(), String> {
    let (metrics, ready) = (options.metrics, options.ready);
    serving::serve_for(
        listener,
        cert,
        client_ca_pem,
        move |path: &str| match path {
            "/healthz" | "/livez" => Answer::text(StatusCode::OK, "ok"),
            "/readyz" if ready.load(Ordering::SeqCst) => Answer::text(StatusCode::OK, "ok"),
            "/readyz" => Answer::text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "[-]informer-sync failed: waiting for the informers to list\nreadyz check failed",
            ),
            "/metrics" => Answer::metrics(metrics.render()),
            _ => Answer::not_found(),
        },
        shutdown,
    )
    .await
}
