//! The scheduler's secure port (10259 upstream): `/healthz`, `/livez`,
//! `/readyz` (ready once its caches are filled), `/metrics`, and
//! `/debug/pods/NS/NAME` (the last verdict on a pod, node by node), over
//! HTTPS. What the API server's `componentstatuses` probes.

use std::sync::atomic::{AtomicBool, Ordering};

use hyper::StatusCode;
use serving::Answer;
pub use serving::{ServingCert, bind};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::metrics::Metrics;
use crate::runner::SchedulerOptions;
use crate::verdicts::Verdicts;

/// Serves the state of the scheduler run with `options` until `shutdown`
/// turns true; with `client_ca_pem`, only clients with a certificate of that
/// CA read more than health.
pub async fn serve(
    listener: TcpListener,
    cert: ServingCert,
    client_ca_pem: Option<String>,
    options: SchedulerOptions,
    shutdown: watch::Receiver<bool>,
) -> Result<(), String> {
    let (metrics, ready, verdicts) = (options.metrics, options.ready, options.verdicts);
    serving::serve_for(
        listener,
        cert,
        client_ca_pem,
        move |path: &str| answer(path, &metrics, &ready, &verdicts),
        shutdown,
    )
    .await
}

fn answer(path: &str, metrics: &Metrics, ready: &AtomicBool, verdicts: &Verdicts) -> Answer {
    let debug = path
        .strip_prefix("/debug/pods/")
        .and_then(|rest| rest.split_once('/'))
        .filter(|(ns, name)| !ns.is_empty() && !name.is_empty() && !name.contains('/'));
    if let Some((namespace, name)) = debug {
        return match verdicts.render(&format!("{namespace}/{name}")) {
            Some(verdict) => Answer::json(StatusCode::OK, verdict.to_string()),
            None => Answer::json(
                StatusCode::NOT_FOUND,
                serde_json::json!({"pod": format!("{namespace}/{name}"),
                    "message": "no scheduling attempt of this pod is remembered"})
                .to_string(),
            ),
        };
    }
    match path {
        "/healthz" | "/livez" => Answer::text(StatusCode::OK, "ok"),
        "/readyz" if ready.load(Ordering::SeqCst) => Answer::text(StatusCode::OK, "ok"),
        "/readyz" => Answer::text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "[-]sched-handler-sync failed: waiting for the caches to fill\nreadyz check failed",
        ),
        "/metrics" => Answer::metrics(metrics.render()),
        _ => Answer::not_found(),
    }
}
