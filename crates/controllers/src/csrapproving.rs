//! The CSR approving controller: a node's request for a client certificate
//! (signer `kube-apiserver-client-kubelet`) is approved when its requester
//! may ask for one — `create` on `certificatesigningrequests/selfnodeclient`
//! for a node renewing its own, `certificatesigningrequests/nodeclient`
//! for anyone else (a joining node's bootstrap identity) — as a
//! SubjectAccessReview decides. Everything else waits for an operator.

use std::sync::Arc;

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec,
};
use k8s_openapi::api::certificates::v1::{
    CertificateSigningRequest, CertificateSigningRequestCondition,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::ResourceExt;
use kube::api::{Api, PostParams};
use tokio::sync::watch;

use crate::csrsigning::{CLIENT_KUBELET, dn_text, node_subject, parse_request};
use crate::informer::{Change, Informer};
use crate::queue::{Outcome, WorkQueue};
use crate::{Context, Error, is_not_found};

struct ApprovingController {
    client: kube::Client,
    requests: Arc<Informer<CertificateSigningRequest>>,
    queue: Arc<WorkQueue>,
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let controller = Arc::new(ApprovingController {
        client: context.client.clone(),
        requests: context.informers.get(),
        queue: context.queue("csrapproving"),
    });
    {
        let queue = controller.queue.clone();
        controller.requests.on_change(move |change| {
            if let Change::Added(csr) | Change::Updated { new: csr, .. } = change {
                queue.add(csr.name_any());
            }
        });
    }
    let synced = {
        let c = controller.clone();
        async move { c.requests.synced().await }
    };
    let queue = controller.queue.clone();
    crate::spawn_workers(
        "certificatesigningrequest-approving-controller",
        queue,
        1,
        synced,
        shutdown,
        move |name| {
            let controller = controller.clone();
            async move { controller.sync(&name).await }
        },
    )
}

fn decided(csr: &CertificateSigningRequest) -> bool {
    csr.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| {
            c.iter()
                .any(|c| c.type_ == "Approved" || c.type_ == "Denied")
        })
}

impl ApprovingController {
    async fn sync(&self, name: &str) -> Result<Outcome, Error> {
        let Some(csr) = self.requests.get("", name) else {
            return Ok(Outcome::Done);
        };
        if csr.spec.signer_name != CLIENT_KUBELET || decided(&csr) {
            return Ok(Outcome::Done);
        }
        // Only a well-formed node client request is approved here.
        let Ok(request) = parse_request(&csr) else {
            return Ok(Outcome::Done);
        };
        if node_subject(&request).is_err() || !request.params.subject_alt_names.is_empty() {
            return Ok(Outcome::Done);
        }
        let common_name = request
            .params
            .distinguished_name
            .get(&rcgen::DnType::CommonName)
            .map(dn_text)
            .unwrap_or_default();
        let own = csr.spec.username.as_deref() == Some(common_name.as_str());
        let (subresource, message) = if own {
            (
                "selfnodeclient",
                "Auto approving self kubelet client certificate after SubjectAccessReview.",
            )
        } else {
            (
                "nodeclient",
                "Auto approving kubelet client certificate after SubjectAccessReview.",
            )
        };
        if !self.allowed(&csr, subresource).await? {
            return Ok(Outcome::Done);
        }
        let mut approved = (*csr).clone();
        let now = Time(k8s_openapi::jiff::Timestamp::now());
        approved
            .status
            .get_or_insert_with(Default::default)
            .conditions
            .get_or_insert_with(Vec::new)
            .push(CertificateSigningRequestCondition {
                type_: "Approved".into(),
                status: "True".into(),
                reason: Some("AutoApproved".into()),
                message: Some(message.into()),
                last_update_time: Some(now.clone()),
                last_transition_time: Some(now),
            });
        let api: Api<CertificateSigningRequest> = Api::all(self.client.clone());
        match api
            .replace_subresource("approval", name, &PostParams::default(), &approved)
            .await
        {
            Ok(_) => Ok(Outcome::Done),
            Err(err) if is_not_found(&err) => Ok(Outcome::Done),
            Err(err) => Err(err.into()),
        }
    }

    /// Whether the requester may `create` `certificatesigningrequests/<subresource>`.
    async fn allowed(
        &self,
        csr: &CertificateSigningRequest,
        subresource: &str,
    ) -> Result<bool, Error> {
        let spec = &csr.spec;
        let review = SubjectAccessReview {
            spec: SubjectAccessReviewSpec {
                user: spec.username.clone(),
                uid: spec.uid.clone(),
                groups: spec.groups.clone(),
                extra: spec.extra.clone(),
                resource_attributes: Some(ResourceAttributes {
                    group: Some("certificates.k8s.io".into()),
                    resource: Some("certificatesigningrequests".into()),
                    subresource: Some(subresource.into()),
                    verb: Some("create".into()),
                    ..Default::default()
                }),
                ..Default::default()
            },
            ..Default::default()
        };
        let api: Api<SubjectAccessReview> = Api::all(self.client.clone());
        let answer = api.create(&PostParams::default(), &review).await?;
        Ok(answer.status.is_some_and(|s| s.allowed))
    }
}
