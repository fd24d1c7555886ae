//! The admission plugins of CertificateSigningRequests, as upstream's
//! CertificateApproval, CertificateSigning and
//! CertificateSubjectRestriction: approving or denying needs `approve` on
//! the request's signer, issuing a certificate needs `sign`, and no one
//! asks the apiserver-client signer for a `system:masters` certificate.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;

use super::{AdmissionPlugin, Attributes, Operation, forbidden};
use crate::authz::Authorization;
use crate::error::ApiError;

pub struct Certificates {
    authorization: Arc<Authorization>,
}

impl Certificates {
    pub fn new(authorization: Arc<Authorization>) -> Certificates {
        Certificates { authorization }
    }

    /// Whether `attributes.user` may `verb` the signer `signer` (by name,
    /// or by its domain's `<domain>/*`).
    fn may(&self, attributes: &Attributes<'_>, verb: &str, signer: &str) -> bool {
        let domain_wide = signer
            .split_once('/')
            .map(|(domain, _)| format!("{domain}/*"));
        [Some(signer.to_string()), domain_wide]
            .into_iter()
            .flatten()
            .any(|name| {
                self.authorization
                    .chain
                    .decide(&crate::authz::Attributes {
                        user: attributes.user.clone(),
                        verb: verb.into(),
                        resource_request: true,
                        api_group: "certificates.k8s.io".into(),
                        resource: "signers".into(),
                        name,
                        ..crate::authz::Attributes::default()
                    })
                    .0
            })
    }
}

fn signer(csr: &Value) -> &str {
    csr.pointer("/spec/signerName")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The organizations the request's subject names, if it parses.
fn organizations(csr: &Value) -> Vec<String> {
    use base64::Engine;
    let Some(pem) = csr
        .pointer("/spec/request")
        .and_then(Value::as_str)
        .and_then(|r| base64::engine::general_purpose::STANDARD.decode(r).ok())
    else {
        return Vec::new();
    };
    let Ok((_, pem)) = x509_parser::pem::parse_x509_pem(&pem) else {
        return Vec::new();
    };
    use x509_parser::prelude::FromDer;
    let Ok((_, request)) =
        x509_parser::certification_request::X509CertificationRequest::from_der(&pem.contents)
    else {
        return Vec::new();
    };
    request
        .certification_request_info
        .subject
        .iter_organization()
        .filter_map(|o| o.as_str().ok().map(str::to_string))
        .collect()
}

#[async_trait]
impl AdmissionPlugin for Certificates {
    fn name(&self) -> &'static str {
        "CertificateApproval"
    }

    async fn validate(
        &self,
        attributes: &Attributes<'_>,
        object: Option<&Value>,
    ) -> Result<(), ApiError> {
        if attributes.info.builtin_kind() != "CertificateSigningRequest" {
            return Ok(());
        }
        let Some(csr) = object else {
            return Ok(());
        };
        let signer = signer(csr);
        match (attributes.operation, attributes.subresource) {
            (Operation::Create, None) => {
                if signer == "kubernetes.io/kube-apiserver-client"
                    && organizations(csr).iter().any(|o| o == "system:masters")
                {
                    return Err(forbidden(
                        attributes,
                        "use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed",
                    ));
                }
                Ok(())
            }
            (Operation::Update, Some("approval")) => {
                if self.may(attributes, "approve", signer) {
                    Ok(())
                } else {
                    Err(forbidden(
                        attributes,
                        &format!(
                            "user not permitted to approve requests with signerName {signer:?}"
                        ),
                    ))
                }
            }
            (Operation::Update, Some("status")) => {
                let certificate = |csr: Option<&Value>| {
                    csr.and_then(|c| c.pointer("/status/certificate"))
                        .cloned()
                        .unwrap_or(Value::Null)
                };
                if certificate(attributes.old) == certificate(Some(csr))
                    || self.may(attributes, "sign", signer)
                {
                    Ok(())
                } else {
                    Err(forbidden(
                        attributes,
                        &format!("user not permitted to sign requests with signerName {signer:?}"),
                    ))
                }
            }
            _ => Ok(()),
        }
    }
}
