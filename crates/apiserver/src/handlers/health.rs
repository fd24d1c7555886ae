//! `/healthz`, `/livez` and `/readyz`, with their single checks and `verbose`.

use axum::http::StatusCode;
use axum::response::Response;

use super::*;

pub(super) async fn health(state: &ApiState, path: &str, query: &Query) -> Response {
    let ready = state.ready.load(std::sync::atomic::Ordering::SeqCst);
    let store_ok = state.store.current_revision().await.is_ok();
    let readyz = path.starts_with("/readyz");
    let checks: Vec<(&str, bool)> = if readyz {
        vec![("ping", true), ("etcd", store_ok), ("informer-sync", ready)]
    } else {
        vec![("ping", true), ("etcd", store_ok)]
    };
    let single = path.trim_end_matches('/').rsplit_once('/').map(|(_, c)| c);
    if let Some(check) = single.filter(|c| !["healthz", "livez", "readyz"].contains(c)) {
        return match checks.iter().find(|(name, _)| *name == check) {
            Some((_, true)) => (StatusCode::OK, "ok").into_response(),
            Some((name, false)) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("internal server error: {name} check failed"),
            )
                .into_response(),
            None => (StatusCode::NOT_FOUND, "404 page not found").into_response(),
        };
    }
    let healthy = checks.iter().all(|(_, ok)| *ok);
    let verbose = query.contains_key("verbose");
    let what = path.trim_matches('/');
    let mut text = String::new();
    if verbose || !healthy {
        for (name, ok) in &checks {
            text.push_str(&format!(
                "[{}]{name} {}\n",
                if *ok { "+" } else { "-" },
                if *ok { "ok" } else { "failed: reason withheld" }
            ));
        }
        text.push_str(&format!(
            "{what} check {}\n",
            if healthy { "passed" } else { "failed" }
        ));
    } else {
        text.push_str("ok");
    }
    let code = if healthy {
        StatusCode::OK
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    (
        code,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}
