//! The CSR signing controller: approved CertificateSigningRequests of the
//! cluster's signers are signed with the cluster CA (upstream's
//! `--cluster-signing-cert-file`/`--cluster-signing-key-file`), each
//! signer issuing only what it is for — `kube-apiserver-client` client
//! certificates, `kube-apiserver-client-kubelet` node client certificates,
//! `kubelet-serving` node serving certificates. A request a signer will not
//! sign gets a `Failed` condition saying why.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::certificates::v1::{
    CertificateSigningRequest, CertificateSigningRequestCondition,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::ResourceExt;
use kube::api::{Api, PostParams};
use rcgen::{
    CertificateSigningRequestParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use tokio::sync::watch;

use crate::informer::{Change, Informer};
use crate::queue::{Outcome, WorkQueue};
use crate::{Context, Error, is_not_found};

pub const CLIENT: &str = "kubernetes.io/kube-apiserver-client";
pub const CLIENT_KUBELET: &str = "kubernetes.io/kube-apiserver-client-kubelet";
pub const KUBELET_SERVING: &str = "kubernetes.io/kubelet-serving";

/// Certificates are valid this long at most (`--cluster-signing-duration`).
const SIGNING_DURATION: Duration = Duration::from_secs(365 * 24 * 3600);
/// Issued certificates start this early, for clocks a little behind.
const BACKDATE: Duration = Duration::from_secs(5 * 60);

/// The CA the cluster's signers sign with, as PEM.
#[derive(Clone)]
pub struct SigningCa {
    pub cert_pem: String,
    pub key_pem: String,
}

struct SigningController {
    client: kube::Client,
    requests: Arc<Informer<CertificateSigningRequest>>,
    issuer: Issuer<'static, KeyPair>,
    queue: Arc<WorkQueue>,
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let Some(ca) = context.options.cluster_signing.clone() else {
        tracing::info!("no cluster signing CA: certificate requests are not signed");
        return tokio::spawn(async {});
    };
    let issuer = match KeyPair::from_pem(&ca.key_pem)
        .and_then(|key| Issuer::from_ca_cert_pem(&ca.cert_pem, key))
    {
        Ok(issuer) => issuer,
        Err(err) => {
            tracing::error!(error = %err, "the cluster signing CA cannot be read; certificate requests are not signed");
            return tokio::spawn(async {});
        }
    };
    let controller = Arc::new(SigningController {
        client: context.client.clone(),
        requests: context.informers.get(),
        issuer,
        queue: context.queue("certificate"),
    });
    {
        let queue = controller.queue.clone();
        controller.requests.on_change(move |change| match change {
            Change::Added(csr) | Change::Updated { new: csr, .. } => queue.add(csr.name_any()),
            Change::Deleted(_) => {}
        });
    }
    let synced = {
        let c = controller.clone();
        async move { c.requests.synced().await }
    };
    let queue = controller.queue.clone();
    crate::spawn_workers(
        "certificatesigningrequest-signing-controller",
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

fn has_condition(csr: &CertificateSigningRequest, kind: &str) -> bool {
    csr.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == kind && c.status != "False"))
}

/// What a node's certificate request must look like: its subject names
/// one node of `system:nodes`.
pub fn node_subject(request: &CertificateSigningRequestParams) -> Result<(), String> {
    let name = &request.params.distinguished_name;
    let organizations: Vec<String> = name
        .iter()
        .filter(|(kind, _)| **kind == rcgen::DnType::OrganizationName)
        .map(|(_, value)| dn_text(value))
        .collect();
    if organizations != ["system:nodes"] {
        return Err("subject organization is not system:nodes".into());
    }
    let common = name
        .get(&rcgen::DnType::CommonName)
        .map(dn_text)
        .unwrap_or_default();
    if !common.starts_with("system:node:") || common.len() == "system:node:".len() {
        return Err("subject common name does not begin with system:node:".into());
    }
    Ok(())
}

/// A subject attribute's text.
pub fn dn_text(value: &rcgen::DnValue) -> String {
    match value {
        rcgen::DnValue::PrintableString(s) => s.as_str().to_string(),
        rcgen::DnValue::Utf8String(s) => s.clone(),
        rcgen::DnValue::Ia5String(s) => s.as_str().to_string(),
        other => format!("{other:?}"),
    }
}

/// The request of `csr`, parsed and its signature checked.
pub fn parse_request(
    csr: &CertificateSigningRequest,
) -> Result<CertificateSigningRequestParams, String> {
    let pem = String::from_utf8(csr.spec.request.0.clone())
        .map_err(|_| "the request is not PEM".to_string())?;
    CertificateSigningRequestParams::from_pem(&pem)
        .map_err(|e| format!("the certificate request does not parse: {e}"))
}

/// The usages `signer` issues: those it requires and those it allows.
fn usages_of(signer: &str) -> (&'static str, &'static [&'static str]) {
    match signer {
        KUBELET_SERVING => (
            "server auth",
            &["digital signature", "key encipherment", "server auth"],
        ),
        _ => (
            "client auth",
            &["digital signature", "key encipherment", "client auth"],
        ),
    }
}

/// Whether `signer` issues what `csr` asks, as upstream's signers check.
pub fn validate(
    signer: &str,
    csr: &CertificateSigningRequest,
    request: &CertificateSigningRequestParams,
) -> Result<(), String> {
    let (required, allowed) = usages_of(signer);
    let usages = csr.spec.usages.clone().unwrap_or_default();
    if let Some(bad) = usages.iter().find(|u| !allowed.contains(&u.as_str())) {
        return Err(format!(
            "usage {bad:?} is not allowed for signer {signer:?}"
        ));
    }
    if !usages.iter().any(|u| u == required) {
        return Err(format!(
            "{required:?} usage is required for signer {signer:?}"
        ));
    }
    let sans = &request.params.subject_alt_names;
    match signer {
        CLIENT_KUBELET => {
            node_subject(request)?;
            if !sans.is_empty() {
                return Err(
                    "subject alternative names are not allowed in node client certificates".into(),
                );
            }
        }
        KUBELET_SERVING => {
            node_subject(request)?;
            if !sans
                .iter()
                .any(|s| matches!(s, SanType::DnsName(_) | SanType::IpAddress(_)))
            {
                return Err("DNS or IP subjectAltName is required".into());
            }
            if sans
                .iter()
                .any(|s| matches!(s, SanType::Rfc822Name(_) | SanType::URI(_)))
            {
                return Err("email and URI subjectAltNames are not allowed".into());
            }
        }
        _ => {}
    }
    Ok(())
}

impl SigningController {
    async fn sync(&self, name: &str) -> Result<Outcome, Error> {
        let Some(csr) = self.requests.get("", name) else {
            return Ok(Outcome::Done);
        };
        let signer = csr.spec.signer_name.as_str();
        let issued = csr
            .status
            .as_ref()
            .and_then(|s| s.certificate.as_ref())
            .is_some_and(|c| !c.0.is_empty());
        if ![CLIENT, CLIENT_KUBELET, KUBELET_SERVING].contains(&signer)
            || !has_condition(&csr, "Approved")
            || has_condition(&csr, "Failed")
            || issued
        {
            return Ok(Outcome::Done);
        }
        let mut updated = (*csr).clone();
        let status = updated.status.get_or_insert_with(Default::default);
        match parse_request(&csr).and_then(|request| {
            validate(signer, &csr, &request)?;
            self.sign(&csr, request)
        }) {
            Ok(pem) => status.certificate = Some(k8s_openapi::ByteString(pem.into_bytes())),
            Err(message) => {
                let now = Time(k8s_openapi::jiff::Timestamp::now());
                status.conditions.get_or_insert_with(Vec::new).push(
                    CertificateSigningRequestCondition {
                        type_: "Failed".into(),
                        status: "True".into(),
                        reason: Some("SignerValidationFailure".into()),
                        message: Some(message),
                        last_update_time: Some(now.clone()),
                        last_transition_time: Some(now),
                    },
                );
            }
        }
        let api: Api<CertificateSigningRequest> = Api::all(self.client.clone());
        match api
            .replace_status(name, &PostParams::default(), &updated)
            .await
        {
            Ok(_) => Ok(Outcome::Done),
            Err(err) if is_not_found(&err) => Ok(Outcome::Done),
            Err(err) => Err(err.into()),
        }
    }

    /// The certificate for `request`, as PEM.
    fn sign(
        &self,
        csr: &CertificateSigningRequest,
        mut request: CertificateSigningRequestParams,
    ) -> Result<String, String> {
        let requested = csr
            .spec
            .expiration_seconds
            .and_then(|s| u64::try_from(s).ok())
            .map(Duration::from_secs)
            .unwrap_or(SIGNING_DURATION)
            .min(SIGNING_DURATION);
        let now = time::OffsetDateTime::now_utc();
        let params = &mut request.params;
        params.not_before = now - BACKDATE;
        params.not_after = now + requested;
        params.is_ca = IsCa::NoCa;
        params.use_authority_key_identifier_extension = true;
        params.key_usages = Vec::new();
        params.extended_key_usages = Vec::new();
        for usage in csr.spec.usages.iter().flatten() {
            match usage.as_str() {
                "digital signature" => params.key_usages.push(KeyUsagePurpose::DigitalSignature),
                "key encipherment" => params.key_usages.push(KeyUsagePurpose::KeyEncipherment),
                "client auth" => params
                    .extended_key_usages
                    .push(ExtendedKeyUsagePurpose::ClientAuth),
                "server auth" => params
                    .extended_key_usages
                    .push(ExtendedKeyUsagePurpose::ServerAuth),
                _ => {}
            }
        }
        let certificate = request
            .signed_by(&self.issuer)
            .map_err(|e| format!("signing failed: {e}"))?;
        Ok(certificate.pem())
    }
}
