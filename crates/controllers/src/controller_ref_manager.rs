//! Adoption and release by selector, as upstream's ControllerRefManager:
//! a controller claims the orphans its selector matches and lets go of the
//! objects it owns that no longer match. Used by the ReplicaSet,
//! ReplicationController, Deployment, StatefulSet and DaemonSet
//! controllers.

use std::sync::Arc;

use kube::api::{Api, Patch, PatchParams};
use kube::{Resource, ResourceExt};
use serde_json::json;

use crate::{Error, is_not_found, pods};

/// The objects (pods, or a Deployment's ReplicaSets) `owner` controls
/// after adopting matching orphans and releasing those that no longer
/// match, as upstream's
/// ControllerRefManager does. Adoption is rechecked against the live owner
/// first, so a deleted and recreated owner of the same name adopts nothing
/// meant for the old one.
pub async fn claim<K, C>(
    client: &kube::Client,
    owner: &K,
    selector: &api::selectors::LabelSelector,
    candidates: Vec<Arc<C>>,
) -> Result<Vec<Arc<C>>, Error>
where
    K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
    C: crate::informer::Kind<Scope = k8s_openapi::NamespaceResourceScope>,
{
    let uid = owner.meta().uid.clone().unwrap_or_default();
    let namespace = owner.meta().namespace.clone().unwrap_or_default();
    let children: Api<C> = Api::namespaced(client.clone(), &namespace);
    let deleting = owner.meta().deletion_timestamp.is_some();
    let mut owned = Vec::new();
    let mut adoption_checked: Option<bool> = None;
    for pod in candidates {
        let matches = pods::selects(selector, pod.meta());
        match pods::controller_ref(pod.meta()) {
            Some(reference) if reference.uid == uid => {
                if matches || deleting {
                    owned.push(pod);
                    continue;
                }
                let patch = json!({"metadata": {
                    "ownerReferences": [{"$patch": "delete", "uid": uid}],
                    "uid": pod.meta().uid,
                }});
                match children
                    .patch(
                        &pod.name_any(),
                        &PatchParams::default(),
                        &Patch::Strategic(patch),
                    )
                    .await
                {
                    Ok(_) => {}
                    Err(err) if is_not_found(&err) || is_invalid(&err) => {}
                    Err(err) => return Err(err.into()),
                }
            }
            Some(_) => {}
            None => {
                if !matches || deleting || pod.meta().deletion_timestamp.is_some() {
                    continue;
                }
                let can_adopt = match adoption_checked {
                    Some(answer) => answer,
                    None => {
                        let api: Api<K> = Api::namespaced(client.clone(), &namespace);
                        let live = api.get_opt(&owner.name_any()).await?;
                        let answer = live.is_some_and(|live| {
                            live.meta().uid.as_deref() == Some(uid.as_str())
                                && live.meta().deletion_timestamp.is_none()
                        });
                        adoption_checked = Some(answer);
                        answer
                    }
                };
                if !can_adopt {
                    continue;
                }
                let patch = json!({"metadata": {
                    "ownerReferences": [pods::controller_reference(owner)],
                    "uid": pod.meta().uid,
                }});
                match children
                    .patch(
                        &pod.name_any(),
                        &PatchParams::default(),
                        &Patch::Strategic(patch),
                    )
                    .await
                {
                    Ok(adopted) => owned.push(Arc::new(adopted)),
                    Err(err) if is_not_found(&err) || is_invalid(&err) => {}
                    Err(err) => return Err(err.into()),
                }
            }
        }
    }
    Ok(owned)
}

fn is_invalid(err: &kube::Error) -> bool {
    matches!(err, kube::Error::Api(status) if status.code == 422)
}
