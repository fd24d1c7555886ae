//! Service account tokens for projected volumes, as the kubelet's token
//! manager keeps them: requested from the API server bound to the pod
//! (so they die with it), cached per pod, account, audience and lifetime,
//! and requested again once 80% of their lifetime has passed or a day
//! since they were issued, whichever comes first.

use std::collections::HashMap;
use std::sync::Mutex;

use k8s_openapi::api::authentication::v1::{BoundObjectReference, TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{Pod, ServiceAccount, ServiceAccountTokenProjection};
use kube::Api;
use kube::api::PostParams;

/// A token older than this is renewed whatever its lifetime.
const MAX_AGE_SECONDS: i64 = 24 * 60 * 60;

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Key {
    pod_uid: String,
    namespace: String,
    account: String,
    audience: String,
    expiration_seconds: i64,
}

struct Issued {
    token: String,
    /// Unix seconds.
    issued_at: i64,
    expires_at: i64,
}

impl Issued {
    fn needs_refresh(&self, now: i64) -> bool {
        let lifetime = self.expires_at - self.issued_at;
        now >= self.expires_at
            || now - self.issued_at > MAX_AGE_SECONDS
            || now >= self.issued_at + lifetime * 8 / 10
    }
}

#[derive(Default)]
pub struct TokenManager {
    tokens: Mutex<HashMap<Key, Issued>>,
}

impl TokenManager {
    /// The token `source` projects into `pod`'s volume: the cached one
    /// while it is fresh, else a new one from the API server.
    pub async fn token(
        &self,
        client: &kube::Client,
        pod: &Pod,
        source: &ServiceAccountTokenProjection,
    ) -> Result<String, String> {
        let namespace = pod.metadata.namespace.clone().unwrap_or_default();
        let account = pod
            .spec
            .as_ref()
            .and_then(|s| s.service_account_name.clone())
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| "default".to_string());
        let key = Key {
            pod_uid: pod.metadata.uid.clone().unwrap_or_default(),
            namespace: namespace.clone(),
            account: account.clone(),
            audience: source.audience.clone().unwrap_or_default(),
            expiration_seconds: source.expiration_seconds.unwrap_or(3600),
        };
        let now = k8s_openapi::jiff::Timestamp::now().as_second();
        if let Ok(tokens) = self.tokens.lock()
            && let Some(issued) = tokens.get(&key)
            && !issued.needs_refresh(now)
        {
            return Ok(issued.token.clone());
        }
        let request = TokenRequest {
            spec: TokenRequestSpec {
                audiences: [key.audience.clone()]
                    .into_iter()
                    .filter(|a| !a.is_empty())
                    .collect(),
                expiration_seconds: Some(key.expiration_seconds),
                bound_object_ref: Some(BoundObjectReference {
                    api_version: Some("v1".into()),
                    kind: Some("Pod".into()),
                    name: pod.metadata.name.clone(),
                    uid: pod.metadata.uid.clone(),
                }),
            },
            ..TokenRequest::default()
        };
        let accounts: Api<ServiceAccount> = Api::namespaced(client.clone(), &namespace);
        let answer = accounts
            .create_token_request(&account, &PostParams::default(), &request)
            .await
            .map_err(|e| match e {
                kube::Error::Api(status) => format!("failed to fetch token: {}", status.message),
                other => format!("failed to fetch token: {other}"),
            })?;
        let status = answer
            .status
            .ok_or_else(|| "failed to fetch token: the answer holds no token".to_string())?;
        let expires_at = status.expiration_timestamp.0.as_second();
        // The lifetime the server granted (it may shorten what was asked).
        let granted = answer
            .spec
            .expiration_seconds
            .unwrap_or(key.expiration_seconds);
        let issued = Issued {
            token: status.token.clone(),
            issued_at: expires_at - granted,
            expires_at,
        };
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.insert(key, issued);
        }
        Ok(status.token)
    }

    /// Drops the tokens of a pod that is gone.
    pub fn forget_pod(&self, pod_uid: &str) {
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.retain(|key, _| key.pod_uid != pod_uid);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_renewed_at_eighty_percent_or_after_a_day() {
        let hour = Issued {
            token: String::new(),
            issued_at: 1000,
            expires_at: 1000 + 3600,
        };
        assert!(!hour.needs_refresh(1000 + 2879));
        assert!(hour.needs_refresh(1000 + 2880));
        let year = Issued {
            token: String::new(),
            issued_at: 0,
            expires_at: 365 * 86400,
        };
        assert!(!year.needs_refresh(86400));
        assert!(year.needs_refresh(86401));
    }
}
