//! The token cleaner: bootstrap tokens (`bootstrap.kubernetes.io/token`
//! Secrets of kube-system) are deleted once their `expiration` has
//! passed, each looked at again when it is due.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::jiff::Timestamp;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, Preconditions};
use tokio::sync::watch;

use crate::informer::{Change, Informer};
use crate::queue::{Outcome, WorkQueue};
use crate::{Context, Error, is_not_found};

const NAMESPACE: &str = "kube-system";
const TOKEN_TYPE: &str = "bootstrap.kubernetes.io/token";

struct TokenCleaner {
    client: kube::Client,
    secrets: Arc<Informer<Secret>>,
    queue: Arc<WorkQueue>,
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let cleaner = Arc::new(TokenCleaner {
        client: context.client.clone(),
        secrets: context.informers.get(),
        queue: context.queue("token_cleaner"),
    });
    {
        let queue = cleaner.queue.clone();
        cleaner.secrets.on_change(move |change| {
            if let Change::Added(secret) | Change::Updated { new: secret, .. } = change
                && secret.namespace().as_deref() == Some(NAMESPACE)
                && secret.type_.as_deref() == Some(TOKEN_TYPE)
            {
                queue.add(secret.name_any());
            }
        });
    }
    let synced = {
        let c = cleaner.clone();
        async move { c.secrets.synced().await }
    };
    let queue = cleaner.queue.clone();
    crate::spawn_workers(
        "tokencleaner-controller",
        queue,
        1,
        synced,
        shutdown,
        move |name| {
            let cleaner = cleaner.clone();
            async move { cleaner.sync(&name).await }
        },
    )
}

/// When the token expires, if it says.
fn expiration(secret: &Secret) -> Option<Timestamp> {
    let value = secret.data.as_ref()?.get("expiration")?;
    std::str::from_utf8(&value.0).ok()?.parse().ok()
}

impl TokenCleaner {
    async fn sync(&self, name: &str) -> Result<Outcome, Error> {
        let Some(secret) = self.secrets.get(NAMESPACE, name) else {
            return Ok(Outcome::Done);
        };
        let Some(expires) = expiration(&secret) else {
            return Ok(Outcome::Done);
        };
        let now = Timestamp::now();
        if expires > now {
            let wait = u64::try_from(expires.as_second() - now.as_second()).unwrap_or(0);
            return Ok(Outcome::After(Duration::from_secs(wait.max(1))));
        }
        let api: Api<Secret> = Api::namespaced(self.client.clone(), NAMESPACE);
        // Only the token that expired, not one made again under its name.
        let params = DeleteParams {
            preconditions: Some(Preconditions {
                uid: secret.uid(),
                resource_version: None,
            }),
            ..DeleteParams::default()
        };
        match api.delete(name, &params).await {
            Ok(_) => {
                tracing::info!(token = name, "deleted an expired bootstrap token");
                Ok(Outcome::Done)
            }
            Err(err) if is_not_found(&err) => Ok(Outcome::Done),
            Err(err) => Err(err.into()),
        }
    }
}
