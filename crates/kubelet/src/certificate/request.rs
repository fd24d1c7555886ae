//! Asking the cluster for a certificate, as upstream's kubelet does: a
//! new key, a CertificateSigningRequest to one of the kubelet's signers,
//! and a wait until it is issued (or denied).

use std::net::IpAddr;
use std::time::{Duration, Instant};

use k8s_openapi::ByteString;
use k8s_openapi::api::certificates::v1::{
    CertificateSigningRequest, CertificateSigningRequestSpec,
};
use kube::Api;
use kube::api::{ObjectMeta, PostParams};
use tokio::sync::watch;

/// The signer of node client certificates.
pub const CLIENT_SIGNER: &str = "kubernetes.io/kube-apiserver-client-kubelet";
/// The signer of kubelet serving certificates.
pub const SERVING_SIGNER: &str = "kubernetes.io/kubelet-serving";

/// What a certificate request asks for.
#[derive(Clone, Debug)]
pub struct Template {
    pub signer: &'static str,
    /// `system:node:<name>`.
    pub common_name: String,
    pub dns_names: Vec<String>,
    pub ips: Vec<IpAddr>,
    pub usages: &'static [&'static str],
    /// The request's generated name begins with this: upstream names a
    /// first client certificate's request `node-csr-...`, others `csr-...`.
    pub name_prefix: &'static str,
}

impl Template {
    /// The node's client certificate (`system:node:<node>` in `system:nodes`).
    pub fn client(node: &str) -> Template {
        Template {
            signer: CLIENT_SIGNER,
            common_name: format!("system:node:{node}"),
            dns_names: Vec::new(),
            ips: Vec::new(),
            usages: &["digital signature", "client auth"],
            name_prefix: "csr-",
        }
    }

    /// The kubelet's serving certificate, for the node's names and
    /// addresses (what the API server dials).
    pub fn serving(node: &str, dns_names: Vec<String>, ips: Vec<IpAddr>) -> Template {
        Template {
            signer: SERVING_SIGNER,
            common_name: format!("system:node:{node}"),
            dns_names,
            ips,
            usages: &["digital signature", "server auth"],
            name_prefix: "csr-",
        }
    }

    /// The same request, named as a bootstrap request is.
    pub fn bootstrap(mut self) -> Template {
        self.name_prefix = "node-csr-";
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("the API server refused the credentials: {0}")]
    Unauthorized(String),
    #[error("the certificate signing request {name} was denied: {reason}")]
    Denied { name: String, reason: String },
    #[error("the certificate signing request {name} failed: {reason}")]
    Failed { name: String, reason: String },
    #[error("{0}")]
    Other(String),
    #[error("stopped while waiting for a certificate")]
    Stopped,
}

/// How often the request is looked at while it waits for approval.
const POLL: Duration = Duration::from_secs(1);
/// How often a wait is logged.
const SAY_WAITING: Duration = Duration::from_secs(60);

/// Asks for a certificate as `template` says and waits until it is
/// issued: the certificate and its new key, in PEM.
pub async fn request(
    client: &kube::Client,
    template: &Template,
    stopping: &mut watch::Receiver<bool>,
) -> Result<String, RequestError> {
    let key = rcgen::KeyPair::generate().map_err(|e| RequestError::Other(e.to_string()))?;
    let pem = certificate_request(template, &key).map_err(RequestError::Other)?;
    let requests: Api<CertificateSigningRequest> = Api::all(client.clone());
    let csr = CertificateSigningRequest {
        metadata: ObjectMeta {
            generate_name: Some(template.name_prefix.to_string()),
            ..Default::default()
        },
        spec: CertificateSigningRequestSpec {
            request: ByteString(pem.into_bytes()),
            signer_name: template.signer.to_string(),
            usages: Some(template.usages.iter().map(|u| u.to_string()).collect()),
            ..Default::default()
        },
        status: None,
    };
    let created = requests
        .create(&PostParams::default(), &csr)
        .await
        .map_err(|err| match err {
            kube::Error::Api(status) if status.code == 401 => {
                RequestError::Unauthorized(status.message)
            }
            other => {
                RequestError::Other(format!("creating a certificate signing request: {other}"))
            }
        })?;
    let name = created.metadata.name.unwrap_or_default();
    tracing::info!(csr = %name, signer = template.signer, "certificate signing request created");
    let mut said = Instant::now();
    loop {
        match requests.get_opt(&name).await {
            Ok(Some(csr)) => {
                let status = csr.status.unwrap_or_default();
                for condition in status.conditions.unwrap_or_default() {
                    let reason = format!(
                        "{} {}",
                        condition.reason.unwrap_or_default(),
                        condition.message.unwrap_or_default()
                    )
                    .trim()
                    .to_string();
                    match condition.type_.as_str() {
                        "Denied" => return Err(RequestError::Denied { name, reason }),
                        "Failed" => return Err(RequestError::Failed { name, reason }),
                        _ => {}
                    }
                }
                if let Some(certificate) = status.certificate.filter(|c| !c.0.is_empty()) {
                    let certificate = String::from_utf8(certificate.0).map_err(|_| {
                        RequestError::Other(format!("{name}: the certificate is not PEM"))
                    })?;
                    return Ok(format!("{certificate}{}", key.serialize_pem()));
                }
            }
            Ok(None) => {
                return Err(RequestError::Failed {
                    name,
                    reason: "it was deleted before a certificate was issued".into(),
                });
            }
            Err(err) => {
                tracing::debug!(csr = %name, error = %err, "reading the certificate signing request")
            }
        }
        if said.elapsed() >= SAY_WAITING {
            tracing::info!(csr = %name, signer = template.signer, "waiting for the certificate signing request to be approved and signed");
            said = Instant::now();
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = stopping.wait_for(|stop| *stop) => return Err(RequestError::Stopped),
        }
    }
}

/// A PKCS#10 request for `template`'s subject and names, signed by `key`.
fn certificate_request(template: &Template, key: &rcgen::KeyPair) -> Result<String, String> {
    let mut params =
        rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "system:nodes");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, template.common_name.as_str());
    for name in &template.dns_names {
        let name = name
            .clone()
            .try_into()
            .map_err(|e| format!("the name {name:?}: {e}"))?;
        params.subject_alt_names.push(rcgen::SanType::DnsName(name));
    }
    for ip in &template.ips {
        params
            .subject_alt_names
            .push(rcgen::SanType::IpAddress(*ip));
    }
    params
        .serialize_request(key)
        .and_then(|request| request.pem())
        .map_err(|e| format!("a certificate request: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_name_the_node_and_its_addresses() {
        let key = rcgen::KeyPair::generate().unwrap();
        let template = Template::serving(
            "worker-1",
            vec!["worker-1".into()],
            vec!["10.0.0.7".parse().unwrap()],
        );
        let pem = certificate_request(&template, &key).unwrap();
        let parsed = rcgen::CertificateSigningRequestParams::from_pem(&pem).unwrap();
        let subject = &parsed.params.distinguished_name;
        assert!(matches!(
            subject.get(&rcgen::DnType::CommonName),
            Some(rcgen::DnValue::Utf8String(cn)) if cn == "system:node:worker-1"
        ));
        assert_eq!(parsed.params.subject_alt_names.len(), 2);
        assert_eq!(Template::client("a").bootstrap().name_prefix, "node-csr-");
    }
}
