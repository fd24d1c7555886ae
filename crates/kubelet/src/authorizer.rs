//! Who may use the kubelet's port: the user a client certificate of the
//! cluster CA names, authorized by the API server with a
//! SubjectAccessReview on the node's `nodes` subresource the path belongs
//! to (`stats`, `metrics`, `log`, else `proxy`), as upstream's webhook
//! mode; answers are cached briefly (allowed 5 minutes, denied 30 seconds).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec,
};
use kube::api::{Api, PostParams};

const ALLOWED_FOR: Duration = Duration::from_secs(300);
const DENIED_FOR: Duration = Duration::from_secs(30);
/// Cached answers kept at most; the oldest go first.
const CACHE_LIMIT: usize = 4096;

/// What a request to the kubelet asks, as upstream's kubelet reads it.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Ask {
    pub user: String,
    pub groups: Vec<String>,
    pub verb: &'static str,
    pub subresource: &'static str,
}

/// The verb and `nodes` subresource of a request.
pub fn ask(user: String, groups: Vec<String>, method: &hyper::Method, path: &str) -> Ask {
    let verb = match method.as_str() {
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" => "delete",
        _ => "get",
    };
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    let subresource = if under("/stats") {
        "stats"
    } else if under("/metrics") {
        "metrics"
    } else if under("/logs") {
        "log"
    } else {
        "proxy"
    };
    Ask {
        user,
        groups,
        verb,
        subresource,
    }
}

pub struct KubeletAuthorizer {
    client: kube::Client,
    node: String,
    cache: Mutex<HashMap<Ask, (bool, Instant)>>,
}

impl KubeletAuthorizer {
    pub fn new(client: kube::Client, node: String) -> KubeletAuthorizer {
        KubeletAuthorizer {
            client,
            node,
            cache: Mutex::default(),
        }
    }

    /// Ok when allowed; else the status and text to answer with.
    pub async fn authorize(&self, ask: &Ask) -> Result<(), (hyper::StatusCode, String)> {
        let now = Instant::now();
        let cached = self
            .cache
            .lock()
            .ok()
            .and_then(|cache| cache.get(ask).copied())
            .filter(|(allowed, at)| {
                now.duration_since(*at) < if *allowed { ALLOWED_FOR } else { DENIED_FOR }
            });
        let allowed = match cached {
            Some((allowed, _)) => allowed,
            None => {
                let allowed = self.review(ask).await.map_err(|err| {
                    tracing::warn!(error = %err, "the kubelet could not authorize a request");
                    (
                        hyper::StatusCode::INTERNAL_SERVER_ERROR,
                        format!(
                            "Authorization error (user={}, verb={}, resource=nodes, subresource={})",
                            ask.user, ask.verb, ask.subresource
                        ),
                    )
                })?;
                if let Ok(mut cache) = self.cache.lock() {
                    if cache.len() >= CACHE_LIMIT {
                        let oldest = cache
                            .iter()
                            .min_by_key(|(_, (_, at))| *at)
                            .map(|(k, _)| k.clone());
                        if let Some(oldest) = oldest {
                            cache.remove(&oldest);
                        }
                    }
                    cache.insert(ask.clone(), (allowed, now));
                }
                allowed
            }
        };
        if allowed {
            Ok(())
        } else {
            Err((
                hyper::StatusCode::FORBIDDEN,
                format!(
                    "Forbidden (user={}, verb={}, resource=nodes, subresource={})",
                    ask.user, ask.verb, ask.subresource
                ),
            ))
        }
    }

    async fn review(&self, ask: &Ask) -> Result<bool, kube::Error> {
        let reviews: Api<SubjectAccessReview> = Api::all(self.client.clone());
        let review = SubjectAccessReview {
            spec: SubjectAccessReviewSpec {
                user: Some(ask.user.clone()),
                groups: Some(ask.groups.clone()),
                resource_attributes: Some(ResourceAttributes {
                    verb: Some(ask.verb.to_string()),
                    resource: Some("nodes".to_string()),
                    subresource: Some(ask.subresource.to_string()),
                    name: Some(self.node.clone()),
                    ..ResourceAttributes::default()
                }),
                ..SubjectAccessReviewSpec::default()
            },
            ..SubjectAccessReview::default()
        };
        let answer = reviews.create(&PostParams::default(), &review).await?;
        Ok(answer.status.is_some_and(|s| s.allowed))
    }
}

#[cfg(test)]
mod tests {
    use super::ask;

    #[test]
    fn paths_map_to_node_subresources_as_upstream() {
        let get = hyper::Method::GET;
        let sub = |path: &str| ask(String::new(), Vec::new(), &get, path).subresource;
        assert_eq!(sub("/stats/summary"), "stats");
        assert_eq!(sub("/metrics/resource"), "metrics");
        assert_eq!(sub("/metrics"), "metrics");
        assert_eq!(sub("/logs/syslog"), "log");
        assert_eq!(sub("/exec/default/web/c"), "proxy");
        assert_eq!(sub("/containerLogs/default/web/c"), "proxy");
        assert_eq!(sub("/statsx"), "proxy");
        assert_eq!(
            ask(
                String::new(),
                Vec::new(),
                &hyper::Method::POST,
                "/exec/a/b/c"
            )
            .verb,
            "create"
        );
    }
}
