//! The typed view of each kind (k8s-openapi's structs for the served
//! version): decoding a body into its type finds wrong field types and
//! unknown fields, as kube-apiserver's decoder does, and the types' schemas
//! become the OpenAPI documents.

use k8s_openapi::api::{
    admissionregistration, apps, authentication, authorization, autoscaling, batch, certificates,
    coordination, core, discovery, events, flowcontrol, networking, node, policy, rbac, scheduling,
    storage,
};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions;
use k8s_openapi::kube_aggregator::pkg::apis::apiregistration;
use schemars::{Schema, SchemaGenerator};
use serde_json::Value;

macro_rules! typed_kinds {
    ($( ($group:literal, $version:literal, $kind:literal) => $ty:ty ),* $(,)?) => {
        /// Decodes `value` as the kind's type and encodes it again; None for
        /// kinds without a type.
        pub fn round_trip(group: &str, version: &str, kind: &str, value: &Value) -> Option<Result<Value, serde_json::Error>> {
            match (group, version, kind) {
                $( ($group, $version, $kind) => Some(
                    serde_json::from_value::<$ty>(value.clone()).and_then(serde_json::to_value)
                ), )*
                _ => None,
            }
        }

        /// The kind's schema, registered (with everything it refers to) in `generator`.
        pub fn schema(generator: &mut SchemaGenerator, group: &str, version: &str, kind: &str) -> Option<Schema> {
            match (group, version, kind) {
                $( ($group, $version, $kind) => Some(generator.subschema_for::<$ty>()), )*
                _ => None,
            }
        }
    };
}

typed_kinds! {
    ("", "v1", "Namespace") => core::v1::Namespace,
    ("", "v1", "Pod") => core::v1::Pod,
    ("", "v1", "Service") => core::v1::Service,
    ("", "v1", "Endpoints") => core::v1::Endpoints,
    ("", "v1", "Node") => core::v1::Node,
    ("", "v1", "ConfigMap") => core::v1::ConfigMap,
    ("", "v1", "Secret") => core::v1::Secret,
    ("", "v1", "ServiceAccount") => core::v1::ServiceAccount,
    ("", "v1", "Event") => core::v1::Event,
    ("", "v1", "PersistentVolume") => core::v1::PersistentVolume,
    ("", "v1", "PersistentVolumeClaim") => core::v1::PersistentVolumeClaim,
    ("", "v1", "ResourceQuota") => core::v1::ResourceQuota,
    ("", "v1", "LimitRange") => core::v1::LimitRange,
    ("", "v1", "ReplicationController") => core::v1::ReplicationController,
    ("", "v1", "PodTemplate") => core::v1::PodTemplate,
    ("", "v1", "ComponentStatus") => core::v1::ComponentStatus,
    ("", "v1", "Binding") => core::v1::Binding,
    ("apiextensions.k8s.io", "v1", "CustomResourceDefinition") => apiextensions::v1::CustomResourceDefinition,
    ("apps", "v1", "Deployment") => apps::v1::Deployment,
    ("apps", "v1", "ReplicaSet") => apps::v1::ReplicaSet,
    ("apps", "v1", "StatefulSet") => apps::v1::StatefulSet,
    ("apps", "v1", "DaemonSet") => apps::v1::DaemonSet,
    ("apps", "v1", "ControllerRevision") => apps::v1::ControllerRevision,
    ("batch", "v1", "Job") => batch::v1::Job,
    ("batch", "v1", "CronJob") => batch::v1::CronJob,
    ("coordination.k8s.io", "v1", "Lease") => coordination::v1::Lease,
    ("discovery.k8s.io", "v1", "EndpointSlice") => discovery::v1::EndpointSlice,
    ("events.k8s.io", "v1", "Event") => events::v1::Event,
    ("policy", "v1", "PodDisruptionBudget") => policy::v1::PodDisruptionBudget,
    ("rbac.authorization.k8s.io", "v1", "ClusterRole") => rbac::v1::ClusterRole,
    ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding") => rbac::v1::ClusterRoleBinding,
    ("rbac.authorization.k8s.io", "v1", "Role") => rbac::v1::Role,
    ("rbac.authorization.k8s.io", "v1", "RoleBinding") => rbac::v1::RoleBinding,
    ("storage.k8s.io", "v1", "StorageClass") => storage::v1::StorageClass,
    ("storage.k8s.io", "v1", "CSIDriver") => storage::v1::CSIDriver,
    ("storage.k8s.io", "v1", "VolumeAttachment") => storage::v1::VolumeAttachment,
    ("networking.k8s.io", "v1", "Ingress") => networking::v1::Ingress,
    ("networking.k8s.io", "v1", "IngressClass") => networking::v1::IngressClass,
    ("networking.k8s.io", "v1", "IPAddress") => networking::v1::IPAddress,
    ("networking.k8s.io", "v1", "NetworkPolicy") => networking::v1::NetworkPolicy,
    ("scheduling.k8s.io", "v1", "PriorityClass") => scheduling::v1::PriorityClass,
    ("node.k8s.io", "v1", "RuntimeClass") => node::v1::RuntimeClass,
    ("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration") => admissionregistration::v1::MutatingWebhookConfiguration,
    ("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration") => admissionregistration::v1::ValidatingWebhookConfiguration,
    ("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicy") => admissionregistration::v1::ValidatingAdmissionPolicy,
    ("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicyBinding") => admissionregistration::v1::ValidatingAdmissionPolicyBinding,
    ("flowcontrol.apiserver.k8s.io", "v1", "FlowSchema") => flowcontrol::v1::FlowSchema,
    ("flowcontrol.apiserver.k8s.io", "v1", "PriorityLevelConfiguration") => flowcontrol::v1::PriorityLevelConfiguration,
    ("apiregistration.k8s.io", "v1", "APIService") => apiregistration::v1::APIService,
    ("autoscaling", "v2", "HorizontalPodAutoscaler") => autoscaling::v2::HorizontalPodAutoscaler,
    ("autoscaling", "v1", "HorizontalPodAutoscaler") => autoscaling::v1::HorizontalPodAutoscaler,
    ("certificates.k8s.io", "v1", "CertificateSigningRequest") => certificates::v1::CertificateSigningRequest,
    ("authorization.k8s.io", "v1", "SelfSubjectAccessReview") => authorization::v1::SelfSubjectAccessReview,
    ("authorization.k8s.io", "v1", "SelfSubjectRulesReview") => authorization::v1::SelfSubjectRulesReview,
    ("authorization.k8s.io", "v1", "SubjectAccessReview") => authorization::v1::SubjectAccessReview,
    ("authentication.k8s.io", "v1", "SelfSubjectReview") => authentication::v1::SelfSubjectReview,
    ("authentication.k8s.io", "v1", "TokenReview") => authentication::v1::TokenReview,
}

/// Fields of `input` that its typed form dropped: the unknown fields, as
/// dotted paths (`spec.template.spec.containers[0].imagePullPolcy`).
pub fn unknown_fields(input: &Value, typed: &Value) -> Vec<String> {
    let mut unknown = Vec::new();
    walk(input, typed, String::new(), &mut unknown);
    unknown
}

/// Removes from `input` the fields its typed form dropped (keeping nulls,
/// which the typed form drops for known fields too): `input` keeps its own
/// shape, with only the fields its kind knows.
pub fn drop_unknown(input: &mut Value, typed: &Value) {
    match (input, typed) {
        (Value::Object(input), Value::Object(typed)) => {
            input.retain(|key, value| value.is_null() || typed.contains_key(key));
            for (key, value) in input.iter_mut() {
                if let Some(kept) = typed.get(key) {
                    drop_unknown(value, kept);
                }
            }
        }
        (Value::Array(input), Value::Array(typed)) => {
            for (value, kept) in input.iter_mut().zip(typed) {
                drop_unknown(value, kept);
            }
        }
        _ => {}
    }
}

fn walk(input: &Value, typed: &Value, path: String, unknown: &mut Vec<String>) {
    match (input, typed) {
        (Value::Object(input), Value::Object(typed)) => {
            for (key, value) in input {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match typed.get(key) {
                    Some(kept) => walk(value, kept, child, unknown),
                    // A null is "unset" for a known field, and dropped alike.
                    None if value.is_null() => {}
                    None => unknown.push(child),
                }
            }
        }
        (Value::Array(input), Value::Array(typed)) => {
            for (i, (value, kept)) in input.iter().zip(typed).enumerate() {
                walk(value, kept, format!("{path}[{i}]"), unknown);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_are_found_and_types_checked() {
        let deploy = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "labels": {"any": "x"}},
            "spec": {"replicas": 2, "bogus": 1, "selector": {"matchLabels": {"a": "b"}},
                "template": {"spec": {"containers": [{"name": "c", "image": "i", "imagePullPolcy": "x"}]}}}});
        let typed = round_trip("apps", "v1", "Deployment", &deploy)
            .unwrap()
            .unwrap();
        assert_eq!(
            unknown_fields(&deploy, &typed),
            vec![
                "spec.bogus",
                "spec.template.spec.containers[0].imagePullPolcy"
            ]
        );
        let wrong = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"replicas": "two"}});
        assert!(
            round_trip("apps", "v1", "Deployment", &wrong)
                .unwrap()
                .is_err()
        );
        assert!(round_trip("", "v1", "Nope", &wrong).is_none());
    }
}
