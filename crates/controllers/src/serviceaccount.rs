//! Two controllers that give every namespace what pods expect to find
//! there: the ServiceAccount controller (a `default` ServiceAccount, made
//! again if deleted) and the root-CA publisher (a `kube-root-ca.crt`
//! ConfigMap holding the cluster CA, put back if edited).

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{ConfigMap, Namespace, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::ResourceExt;
use kube::api::{Api, PostParams};
use tokio::sync::watch;

use crate::informer::{Change, Informer};
use crate::queue::{Outcome, WorkQueue};
use crate::{Context, Error, is_already_exists, is_forbidden, is_not_found};

const DEFAULT_ACCOUNT: &str = "default";
/// The ConfigMap the CA bundle is published in, in every namespace.
pub const ROOT_CA_CONFIGMAP: &str = "kube-root-ca.crt";
const ROOT_CA_DESCRIPTION: &str = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

fn active(namespaces: &Informer<Namespace>, name: &str) -> bool {
    namespaces
        .get("", name)
        .is_some_and(|ns| ns.metadata.deletion_timestamp.is_none())
}

fn queue_namespaces(namespaces: &Informer<Namespace>, queue: &Arc<WorkQueue>) {
    let queue = queue.clone();
    namespaces.on_change(move |change| match change {
        Change::Added(ns) | Change::Updated { new: ns, .. } => queue.add(ns.name_any()),
        Change::Deleted(_) => {}
    });
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let namespaces = context.informers.get::<Namespace>();
    let accounts = context.informers.get::<ServiceAccount>();
    let queue = context.queue("serviceaccount");
    queue_namespaces(&namespaces, &queue);
    {
        let queue = queue.clone();
        accounts.on_change(move |change| {
            if let Change::Deleted(account) = change
                && account.name_any() == DEFAULT_ACCOUNT
            {
                queue.add(account.namespace().unwrap_or_default());
            }
        });
    }
    let client = context.client.clone();
    let synced = {
        let (namespaces, accounts) = (namespaces.clone(), accounts.clone());
        async move {
            namespaces.synced().await;
            accounts.synced().await;
        }
    };
    crate::spawn_workers(
        "serviceaccount-controller",
        queue,
        1,
        synced,
        shutdown,
        move |namespace| {
            let (client, namespaces, accounts) =
                (client.clone(), namespaces.clone(), accounts.clone());
            async move {
                if !active(&namespaces, &namespace)
                    || accounts.get(&namespace, DEFAULT_ACCOUNT).is_some()
                {
                    return Ok::<_, Error>(Outcome::Done);
                }
                let account = ServiceAccount {
                    metadata: ObjectMeta {
                        name: Some(DEFAULT_ACCOUNT.to_string()),
                        namespace: Some(namespace.clone()),
                        ..ObjectMeta::default()
                    },
                    ..ServiceAccount::default()
                };
                let api: Api<ServiceAccount> = Api::namespaced(client, &namespace);
                match api.create(&PostParams::default(), &account).await {
                    Ok(_) => Ok(Outcome::Done),
                    // Made meanwhile, or the namespace began terminating.
                    Err(err)
                        if is_already_exists(&err) || is_not_found(&err) || is_forbidden(&err) =>
                    {
                        Ok(Outcome::Done)
                    }
                    Err(err) => Err(err.into()),
                }
            }
        },
    )
}

pub fn start_root_ca_publisher(
    context: &Context,
    shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let Some(ca) = context.options.root_ca_pem.clone() else {
        tracing::info!("no cluster CA given: kube-root-ca.crt is not published");
        return tokio::spawn(async {});
    };
    let namespaces = context.informers.get::<Namespace>();
    let configmaps = context.informers.get::<ConfigMap>();
    let queue = context.queue("root_ca_cert_publisher");
    queue_namespaces(&namespaces, &queue);
    {
        let queue = queue.clone();
        configmaps.on_change(move |change| {
            let configmap = match change {
                Change::Added(c) | Change::Deleted(c) => c,
                Change::Updated { new, .. } => new,
            };
            if configmap.name_any() == ROOT_CA_CONFIGMAP {
                queue.add(configmap.namespace().unwrap_or_default());
            }
        });
    }
    let client = context.client.clone();
    let synced = {
        let (namespaces, configmaps) = (namespaces.clone(), configmaps.clone());
        async move {
            namespaces.synced().await;
            configmaps.synced().await;
        }
    };
    crate::spawn_workers(
        "root-ca-certificate-publisher-controller",
        queue,
        1,
        synced,
        shutdown,
        move |namespace| {
            let (client, namespaces, configmaps, ca) = (
                client.clone(),
                namespaces.clone(),
                configmaps.clone(),
                ca.clone(),
            );
            async move {
                if !active(&namespaces, &namespace) {
                    return Ok::<_, Error>(Outcome::Done);
                }
                let data = BTreeMap::from([("ca.crt".to_string(), ca)]);
                let annotations = BTreeMap::from([(
                    "kubernetes.io/description".to_string(),
                    ROOT_CA_DESCRIPTION.to_string(),
                )]);
                let api: Api<ConfigMap> = Api::namespaced(client, &namespace);
                let result = match configmaps.get(&namespace, ROOT_CA_CONFIGMAP) {
                    None => {
                        let configmap = ConfigMap {
                            metadata: ObjectMeta {
                                name: Some(ROOT_CA_CONFIGMAP.to_string()),
                                namespace: Some(namespace.clone()),
                                annotations: Some(annotations),
                                ..ObjectMeta::default()
                            },
                            data: Some(data),
                            ..ConfigMap::default()
                        };
                        api.create(&PostParams::default(), &configmap)
                            .await
                            .map(|_| ())
                    }
                    Some(existing) => {
                        let described = existing
                            .metadata
                            .annotations
                            .as_ref()
                            .and_then(|a| a.get("kubernetes.io/description"))
                            .map(String::as_str)
                            == Some(ROOT_CA_DESCRIPTION);
                        if existing.data.as_ref() == Some(&data)
                            && described
                            && existing.binary_data.is_none()
                        {
                            return Ok(Outcome::Done);
                        }
                        // Put back as published; other keys go.
                        let mut configmap = (*existing).clone();
                        configmap.data = Some(data);
                        configmap.binary_data = None;
                        configmap
                            .metadata
                            .annotations
                            .get_or_insert_with(BTreeMap::new)
                            .insert(
                                "kubernetes.io/description".to_string(),
                                ROOT_CA_DESCRIPTION.to_string(),
                            );
                        api.replace(ROOT_CA_CONFIGMAP, &PostParams::default(), &configmap)
                            .await
                            .map(|_| ())
                    }
                };
                match result {
                    Ok(()) => Ok(Outcome::Done),
                    Err(err)
                        if is_already_exists(&err) || is_not_found(&err) || is_forbidden(&err) =>
                    {
                        Ok(Outcome::Done)
                    }
                    Err(err) => Err(err.into()),
                }
            }
        },
    )
}
