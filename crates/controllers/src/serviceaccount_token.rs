//! The service account token controller, for legacy token Secrets: a
//! Secret of type `kubernetes.io/service-account-token` naming an account
//! in its `kubernetes.io/service-account.name` annotation is filled with a
//! token for that account (`token`, signed with the service account key;
//! never expiring, valid while the Secret holds it), the cluster CA
//! (`ca.crt`) and `namespace`, and its `kubernetes.io/service-account.uid`
//! annotation set. A Secret whose account is gone, or is another account
//! of the same name now, is deleted, as upstream's controller does.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{Secret, ServiceAccount};
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, PostParams, Preconditions};
use serde_json::json;
use tokio::sync::watch;

use crate::informer::{Change, Informer};
use crate::queue::{Outcome, WorkQueue};
use crate::{Context, Error, is_not_found};

pub const TOKEN_TYPE: &str = "kubernetes.io/service-account-token";
pub const NAME_ANNOTATION: &str = "kubernetes.io/service-account.name";
pub const UID_ANNOTATION: &str = "kubernetes.io/service-account.uid";
/// The issuer of legacy tokens, whatever the cluster's issuer is.
pub const LEGACY_ISSUER: &str = "kubernetes/serviceaccount";

/// Signs legacy tokens with the service account key.
pub struct TokenSigner(serving::jwt::SigningKey);

impl TokenSigner {
    /// The key, PEM (`DATA_DIR/pki/sa.key`,
    /// `--service-account-private-key-file`).
    pub fn from_pem(pem: &str) -> Result<TokenSigner, String> {
        serving::jwt::SigningKey::from_pem(pem)
            .map(TokenSigner)
            .map_err(|e| format!("the service account key: {e}"))
    }

    /// A legacy token for `account`, kept in Secret `secret`.
    fn sign(&self, account: &ServiceAccount, secret: &str) -> Result<String, String> {
        let namespace = account.namespace().unwrap_or_default();
        let name = account.name_any();
        self.0.sign(&json!({
            "iss": LEGACY_ISSUER,
            "kubernetes.io/serviceaccount/namespace": namespace,
            "kubernetes.io/serviceaccount/secret.name": secret,
            "kubernetes.io/serviceaccount/service-account.name": name,
            "kubernetes.io/serviceaccount/service-account.uid": account.uid().unwrap_or_default(),
            "sub": format!("system:serviceaccount:{namespace}:{name}"),
        }))
    }
}

struct TokenController {
    client: kube::Client,
    secrets: Arc<Informer<Secret>>,
    accounts: Arc<Informer<ServiceAccount>>,
    signer: TokenSigner,
    root_ca: Option<String>,
    queue: Arc<WorkQueue>,
}

fn is_token_secret(secret: &Secret) -> bool {
    secret.type_.as_deref() == Some(TOKEN_TYPE)
}

fn annotation<'a>(secret: &'a Secret, key: &str) -> Option<&'a str> {
    secret
        .metadata
        .annotations
        .as_ref()?
        .get(key)
        .map(String::as_str)
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let Some(key) = context.options.service_account_key_pem.as_deref() else {
        tracing::info!("no service account key given: legacy token Secrets are not filled");
        return tokio::spawn(async {});
    };
    let signer = match TokenSigner::from_pem(key) {
        Ok(signer) => signer,
        Err(err) => {
            tracing::error!(error = %err, "legacy token Secrets are not filled");
            return tokio::spawn(async {});
        }
    };
    let controller = Arc::new(TokenController {
        client: context.client.clone(),
        secrets: context.informers.get(),
        accounts: context.informers.get(),
        signer,
        root_ca: context.options.root_ca_pem.clone(),
        queue: context.queue("serviceaccount_tokens_secret"),
    });
    {
        let queue = controller.queue.clone();
        controller.secrets.on_change(move |change| {
            if let Change::Added(secret) | Change::Updated { new: secret, .. } = change
                && is_token_secret(secret)
            {
                queue.add(format!(
                    "{}/{}",
                    secret.namespace().unwrap_or_default(),
                    secret.name_any()
                ));
            }
        });
    }
    {
        // An account that goes (or changes) takes its token Secrets along.
        let (queue, secrets) = (controller.queue.clone(), controller.secrets.clone());
        controller.accounts.on_change(move |change| {
            let account = match change {
                Change::Added(a) | Change::Deleted(a) => a,
                Change::Updated { new, .. } => new,
            };
            let namespace = account.namespace().unwrap_or_default();
            for secret in secrets.list_namespace(&namespace) {
                if is_token_secret(&secret)
                    && annotation(&secret, NAME_ANNOTATION) == Some(account.name_any().as_str())
                {
                    queue.add(format!("{namespace}/{}", secret.name_any()));
                }
            }
        });
    }
    let synced = {
        let c = controller.clone();
        async move {
            c.secrets.synced().await;
            c.accounts.synced().await;
        }
    };
    let queue = controller.queue.clone();
    crate::spawn_workers(
        "serviceaccount-token-controller",
        queue,
        1,
        synced,
        shutdown,
        move |key| {
            let controller = controller.clone();
            async move { controller.sync(&key).await }
        },
    )
}

impl TokenController {
    async fn sync(&self, key: &str) -> Result<Outcome, Error> {
        let Some((namespace, name)) = key.split_once('/') else {
            return Ok(Outcome::Done);
        };
        let Some(secret) = self.secrets.get(namespace, name) else {
            return Ok(Outcome::Done);
        };
        if !is_token_secret(&secret) || secret.metadata.deletion_timestamp.is_some() {
            return Ok(Outcome::Done);
        }
        let api: Api<Secret> = Api::namespaced(self.client.clone(), namespace);
        let account_name = annotation(&secret, NAME_ANNOTATION).unwrap_or_default();
        // The cache may lag behind an account just made: ask before
        // deleting anything.
        let account = match self.accounts.get(namespace, account_name) {
            Some(account) => Some(account),
            None if account_name.is_empty() => None,
            None => {
                let accounts: Api<ServiceAccount> = Api::namespaced(self.client.clone(), namespace);
                accounts.get_opt(account_name).await?.map(Arc::new)
            }
        };
        let wanted_uid = annotation(&secret, UID_ANNOTATION);
        let account =
            account.filter(|a| wanted_uid.is_none_or(|uid| a.uid().as_deref() == Some(uid)));
        let Some(account) = account else {
            let params = DeleteParams {
                preconditions: Some(Preconditions {
                    uid: secret.uid(),
                    resource_version: None,
                }),
                ..DeleteParams::default()
            };
            return match api.delete(name, &params).await {
                Ok(_) => {
                    tracing::info!(
                        namespace,
                        secret = name,
                        account = account_name,
                        "deleted a token Secret whose service account is gone"
                    );
                    Ok(Outcome::Done)
                }
                Err(err) if is_not_found(&err) => Ok(Outcome::Done),
                Err(err) => Err(err.into()),
            };
        };
        let data = secret.data.clone().unwrap_or_default();
        let has = |field: &str| data.get(field).is_some_and(|v| !v.0.is_empty());
        let ca_current = self
            .root_ca
            .as_ref()
            .is_none_or(|ca| data.get("ca.crt").is_some_and(|v| v.0 == ca.as_bytes()));
        if has("token") && has("namespace") && ca_current && wanted_uid.is_some() {
            return Ok(Outcome::Done);
        }
        let needs_token = !has("token");
        let mut updated = Secret::clone(&secret);
        let mut data: BTreeMap<String, ByteString> = data;
        if needs_token {
            let token = self.signer.sign(&account, name).map_err(Error::Invalid)?;
            data.insert("token".into(), ByteString(token.into_bytes()));
        }
        data.insert(
            "namespace".into(),
            ByteString(namespace.as_bytes().to_vec()),
        );
        if let Some(ca) = &self.root_ca {
            data.insert("ca.crt".into(), ByteString(ca.as_bytes().to_vec()));
        }
        updated.data = Some(data);
        updated
            .metadata
            .annotations
            .get_or_insert_with(Default::default)
            .insert(UID_ANNOTATION.into(), account.uid().unwrap_or_default());
        // With the resourceVersion read: a Secret changed meanwhile is
        // looked at again.
        match api.replace(name, &PostParams::default(), &updated).await {
            Ok(_) => Ok(Outcome::Done),
            Err(err) if is_not_found(&err) => Ok(Outcome::Done),
            Err(err) => Err(err.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_tokens_carry_upstreams_claims() {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let signer = TokenSigner::from_pem(&key.serialize_pem()).unwrap();
        let account = ServiceAccount {
            metadata: kube::api::ObjectMeta {
                name: Some("builder".into()),
                namespace: Some("ci".into()),
                uid: Some("u-1".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let token = signer.sign(&account, "builder-token").unwrap();
        let payload = token.split('.').nth(1).unwrap();
        use base64::Engine;
        let claims: serde_json::Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(claims["iss"], LEGACY_ISSUER);
        assert_eq!(claims["sub"], "system:serviceaccount:ci:builder");
        assert_eq!(
            claims["kubernetes.io/serviceaccount/secret.name"],
            "builder-token"
        );
        assert_eq!(
            claims["kubernetes.io/serviceaccount/service-account.uid"],
            "u-1"
        );
        assert!(claims.get("exp").is_none());
        assert!(TokenSigner::from_pem("nonsense").is_err());
    }
}
