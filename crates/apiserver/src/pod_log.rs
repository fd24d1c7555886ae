//! `pods/log`: a container's output, read from the kubelet of the pod's
//! node (`https://<InternalIP>:<kubelet port>/containerLogs/...`) with the
//! API server's kubelet client certificate, and streamed back as it comes
//! (so `kubectl logs -f` follows). The container is resolved and its state
//! checked here, with upstream's messages.

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use serde_json::Value;

use crate::connect::encode;
use crate::error::ApiError;
use crate::handlers::Call;

/// The query parameters the kubelet takes, passed on as given.
const FORWARDED: &[&str] = &[
    "follow",
    "previous",
    "timestamps",
    "tailLines",
    "limitBytes",
    "sinceSeconds",
    "sinceTime",
];

fn names(pod: &Value, list: &str) -> Vec<String> {
    pod["spec"][list]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|c| c["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The container a log request means, as upstream resolves it.
pub(crate) fn container(pod: &Value, name: &str, asked: Option<&str>) -> Result<String, ApiError> {
    let containers = names(pod, "containers");
    let init = names(pod, "initContainers");
    let ephemeral = names(pod, "ephemeralContainers");
    match asked.filter(|c| !c.is_empty()) {
        Some(asked) => {
            if containers
                .iter()
                .chain(&init)
                .chain(&ephemeral)
                .any(|c| c == asked)
            {
                Ok(asked.to_string())
            } else {
                Err(ApiError::bad_request(format!(
                    "container {asked} is not valid for pod {name}"
                )))
            }
        }
        None if containers.len() == 1 => Ok(containers[0].clone()),
        None => {
            let mut message = format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                containers.join(" ")
            );
            if !init.is_empty() {
                message.push_str(&format!(
                    " or one of the init containers: [{}]",
                    init.join(" ")
                ));
            }
            Err(ApiError::bad_request(message))
        }
    }
}

/// Refuses, as the kubelet does, logs of a container that never ran.
fn check_state(pod: &Value, name: &str, container: &str, previous: bool) -> Result<(), ApiError> {
    let status = [
        "containerStatuses",
        "initContainerStatuses",
        "ephemeralContainerStatuses",
    ]
    .iter()
    .filter_map(|list| pod["status"][list].as_array())
    .flatten()
    .find(|s| s["name"] == container);
    let Some(status) = status else {
        return Err(ApiError::bad_request(format!(
            "container \"{container}\" in pod \"{name}\" is waiting to start: ContainerCreating"
        )));
    };
    let terminated_before = status["lastState"]["terminated"].is_object();
    if previous {
        if !terminated_before {
            return Err(ApiError::bad_request(format!(
                "previous terminated container \"{container}\" in pod \"{name}\" not found"
            )));
        }
        return Ok(());
    }
    if let Some(waiting) = status["state"]["waiting"].as_object()
        && !terminated_before
    {
        let reason = waiting
            .get("reason")
            .and_then(Value::as_str)
            .unwrap_or("ContainerCreating");
        return Err(ApiError::bad_request(format!(
            "container \"{container}\" in pod \"{name}\" is waiting to start: {reason}"
        )));
    }
    Ok(())
}

impl Call<'_> {
    /// GET `pods/NAME/log`.
    pub(crate) async fn pod_log(&self) -> Result<Response, ApiError> {
        let name = self.name()?.to_string();
        let namespace = self.resource.namespace.clone().unwrap_or_default();
        let pod = self.read(&name).await?;
        let container = container(&pod, &name, self.query.get("container").map(String::as_str))?;
        let previous = api::params::flag(self.query.get("previous").map(String::as_str));
        let node = pod["spec"]["nodeName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if node.is_empty() {
            return Err(ApiError::bad_request(format!(
                "pod {name} does not have a host assigned"
            )));
        }
        check_state(&pod, &name, &container, previous)?;
        let kubelet = crate::connect::node_kubelet(self.state, &node).await?;
        let mut query: Vec<String> = Vec::new();
        for key in FORWARDED {
            if let Some(value) = self.query.get(*key) {
                query.push(format!("{key}={}", encode(value)));
            }
        }
        let host = kubelet.host();
        let path = format!(
            "/containerLogs/{}/{}/{}?{}",
            encode(&namespace),
            encode(&name),
            encode(&container),
            query.join("&")
        );
        let url = format!("https://{host}{path}");
        let fail = |detail: String| ApiError::internal(format!("Get \"{url}\": {detail}"));
        let mut sender = crate::connect::dial_kubelet(self.state, &kubelet).await?;
        let request = hyper::Request::get(&path)
            .header(header::HOST, &host)
            .body(Body::empty())
            .map_err(|e| fail(e.to_string()))?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| fail(e.to_string()))?;
        let code = response.status();
        if code != StatusCode::OK {
            let body = response
                .into_body()
                .collect()
                .await
                .map(|b| String::from_utf8_lossy(&b.to_bytes()).into_owned())
                .unwrap_or_default();
            return Err(match code {
                StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND => ApiError::bad_request(body),
                _ => fail(format!("{code}: {body}")),
            });
        }
        Ok((
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain")],
            Body::new(response.into_body()),
        )
            .into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn containers_resolve_with_upstream_messages() {
        let pod = json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}], "initContainers": [{"name": "i"}]}});
        assert_eq!(container(&pod, "web", Some("b")).unwrap(), "b");
        assert_eq!(container(&pod, "web", Some("i")).unwrap(), "i");
        let err = container(&pod, "web", None).unwrap_err();
        assert!(err.message.contains(
            "a container name must be specified for pod web, choose one of: [a b] or one of the init containers: [i]"
        ));
        let err = container(&pod, "web", Some("nope")).unwrap_err();
        assert!(
            err.message
                .contains("container nope is not valid for pod web")
        );
        let single = json!({"spec": {"containers": [{"name": "only"}]}});
        assert_eq!(container(&single, "web", None).unwrap(), "only");
    }

    #[test]
    fn containers_that_never_ran_have_no_logs() {
        let waiting = json!({"status": {"containerStatuses": [{"name": "c", "state": {"waiting": {"reason": "CreateContainerError"}}}]}});
        let err = check_state(&waiting, "web", "c", false).unwrap_err();
        assert!(
            err.message.contains(
                "container \"c\" in pod \"web\" is waiting to start: CreateContainerError"
            )
        );
        let err = check_state(&waiting, "web", "c", true).unwrap_err();
        assert!(
            err.message
                .contains("previous terminated container \"c\" in pod \"web\" not found")
        );
        let crashed = json!({"status": {"containerStatuses": [{"name": "c", "state": {"waiting": {"reason": "CrashLoopBackOff"}}, "lastState": {"terminated": {"exitCode": 1}}}]}});
        assert!(check_state(&crashed, "web", "c", false).is_ok());
        assert!(check_state(&crashed, "web", "c", true).is_ok());
        assert_eq!(encode("a b/c"), "a%20b%2Fc");
    }
}
