//! Kubernetes' protobuf messages: field numbers and wire types as the
//! kube-rs project's k8s-pb bindings declare them, JSON names as
//! k8s-openapi spells them. Written by `cargo run -p protogen`; do not
//! edit.

use super::{Field, Kind::*, Message};

pub static MESSAGES: &[Message] = &[
    Message {
        name: "api.admission.v1.AdmissionRequest",
        fields: &[
            Field { tag: 1, json: "uid", kind: Str, repeated: false },
            Field { tag: 2, json: "kind", kind: Msg(1187), repeated: false },
            Field { tag: 3, json: "resource", kind: Msg(1188), repeated: false },
            Field { tag: 4, json: "subResource", kind: Str, repeated: false },
            Field { tag: 5, json: "name", kind: Str, repeated: false },
            Field { tag: 6, json: "namespace", kind: Str, repeated: false },
            Field { tag: 7, json: "operation", kind: Str, repeated: false },
            Field { tag: 8, json: "userInfo", kind: Msg(205), repeated: false },
            Field { tag: 9, json: "object", kind: Msg(1222), repeated: false },
            Field { tag: 10, json: "oldObject", kind: Msg(1222), repeated: false },
            Field { tag: 11, json: "dryRun", kind: Bool, repeated: false },
            Field { tag: 12, json: "options", kind: Msg(1222), repeated: false },
            Field { tag: 13, json: "requestKind", kind: Msg(1187), repeated: false },
            Field { tag: 14, json: "requestResource", kind: Msg(1188), repeated: false },
            Field { tag: 15, json: "requestSubResource", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admission.v1.AdmissionResponse",
        fields: &[
            Field { tag: 1, json: "uid", kind: Str, repeated: false },
            Field { tag: 2, json: "allowed", kind: Bool, repeated: false },
            Field { tag: 3, json: "status", kind: Msg(1205), repeated: false },
            Field { tag: 4, json: "patch", kind: Bytes, repeated: false },
            Field { tag: 5, json: "patchType", kind: Str, repeated: false },
            Field { tag: 6, json: "auditAnnotations", kind: Map(&Str), repeated: false },
            Field { tag: 7, json: "warnings", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.admission.v1.AdmissionReview",
        fields: &[
            Field { tag: 1, json: "request", kind: Msg(0), repeated: false },
            Field { tag: 2, json: "response", kind: Msg(1), repeated: false },
        ],
    },
    Message {
        name: "api.admission.v1beta1.AdmissionRequest",
        fields: &[
            Field { tag: 1, json: "uid", kind: Str, repeated: false },
            Field { tag: 2, json: "kind", kind: Msg(1187), repeated: false },
            Field { tag: 3, json: "resource", kind: Msg(1188), repeated: false },
            Field { tag: 4, json: "subResource", kind: Str, repeated: false },
            Field { tag: 5, json: "name", kind: Str, repeated: false },
            Field { tag: 6, json: "namespace", kind: Str, repeated: false },
            Field { tag: 7, json: "operation", kind: Str, repeated: false },
            Field { tag: 8, json: "userInfo", kind: Msg(205), repeated: false },
            Field { tag: 9, json: "object", kind: Msg(1222), repeated: false },
            Field { tag: 10, json: "oldObject", kind: Msg(1222), repeated: false },
            Field { tag: 11, json: "dryRun", kind: Bool, repeated: false },
            Field { tag: 12, json: "options", kind: Msg(1222), repeated: false },
            Field { tag: 13, json: "requestKind", kind: Msg(1187), repeated: false },
            Field { tag: 14, json: "requestResource", kind: Msg(1188), repeated: false },
            Field { tag: 15, json: "requestSubResource", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admission.v1beta1.AdmissionResponse",
        fields: &[
            Field { tag: 1, json: "uid", kind: Str, repeated: false },
            Field { tag: 2, json: "allowed", kind: Bool, repeated: false },
            Field { tag: 3, json: "status", kind: Msg(1205), repeated: false },
            Field { tag: 4, json: "patch", kind: Bytes, repeated: false },
            Field { tag: 5, json: "patchType", kind: Str, repeated: false },
            Field { tag: 6, json: "auditAnnotations", kind: Map(&Str), repeated: false },
            Field { tag: 7, json: "warnings", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.admission.v1beta1.AdmissionReview",
        fields: &[
            Field { tag: 1, json: "request", kind: Msg(3), repeated: false },
            Field { tag: 2, json: "response", kind: Msg(4), repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.AuditAnnotation",
        fields: &[
            Field { tag: 1, json: "key", kind: Str, repeated: false },
            Field { tag: 2, json: "valueExpression", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.ExpressionWarning",
        fields: &[
            Field { tag: 2, json: "fieldRef", kind: Str, repeated: false },
            Field { tag: 3, json: "warning", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.MatchCondition",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "expression", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.MatchResources",
        fields: &[
            Field { tag: 1, json: "namespaceSelector", kind: Msg(1189), repeated: false },
            Field { tag: 2, json: "objectSelector", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "resourceRules", kind: Msg(13), repeated: true },
            Field { tag: 4, json: "excludeResourceRules", kind: Msg(13), repeated: true },
            Field { tag: 7, json: "matchPolicy", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.MutatingWebhook",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "clientConfig", kind: Msg(32), repeated: false },
            Field { tag: 3, json: "rules", kind: Msg(17), repeated: true },
            Field { tag: 4, json: "failurePolicy", kind: Str, repeated: false },
            Field { tag: 5, json: "namespaceSelector", kind: Msg(1189), repeated: false },
            Field { tag: 6, json: "sideEffects", kind: Str, repeated: false },
            Field { tag: 7, json: "timeoutSeconds", kind: Int32, repeated: false },
            Field { tag: 8, json: "admissionReviewVersions", kind: Str, repeated: true },
            Field { tag: 9, json: "matchPolicy", kind: Str, repeated: false },
            Field { tag: 10, json: "reinvocationPolicy", kind: Str, repeated: false },
            Field { tag: 11, json: "objectSelector", kind: Msg(1189), repeated: false },
            Field { tag: 12, json: "matchConditions", kind: Msg(8), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.MutatingWebhookConfiguration",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "webhooks", kind: Msg(10), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.MutatingWebhookConfigurationList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(11), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.NamedRuleWithOperations",
        fields: &[
            Field { tag: 1, json: "resourceNames", kind: Str, repeated: true },
            Field { tag: 2, json: "", kind: Msg(17), repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.ParamKind",
        fields: &[
            Field { tag: 1, json: "apiVersion", kind: Str, repeated: false },
            Field { tag: 2, json: "kind", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.ParamRef",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "namespace", kind: Str, repeated: false },
            Field { tag: 3, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 4, json: "parameterNotFoundAction", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.Rule",
        fields: &[
            Field { tag: 1, json: "apiGroups", kind: Str, repeated: true },
            Field { tag: 2, json: "apiVersions", kind: Str, repeated: true },
            Field { tag: 3, json: "resources", kind: Str, repeated: true },
            Field { tag: 4, json: "scope", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.RuleWithOperations",
        fields: &[
            Field { tag: 1, json: "operations", kind: Str, repeated: true },
            Field { tag: 2, json: "", kind: Msg(16), repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.ServiceReference",
        fields: &[
            Field { tag: 1, json: "namespace", kind: Str, repeated: false },
            Field { tag: 2, json: "name", kind: Str, repeated: false },
            Field { tag: 3, json: "path", kind: Str, repeated: false },
            Field { tag: 4, json: "port", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.TypeChecking",
        fields: &[
            Field { tag: 1, json: "expressionWarnings", kind: Msg(7), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.ValidatingAdmissionPolicy",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(25), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(26), repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.ValidatingAdmissionPolicyBinding",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(23), repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.ValidatingAdmissionPolicyBindingList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(21), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.ValidatingAdmissionPolicyBindingSpec",
        fields: &[
            Field { tag: 1, json: "policyName", kind: Str, repeated: false },
            Field { tag: 2, json: "paramRef", kind: Msg(15), repeated: false },
            Field { tag: 3, json: "matchResources", kind: Msg(9), repeated: false },
            Field { tag: 4, json: "validationActions", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.ValidatingAdmissionPolicyList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(20), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.ValidatingAdmissionPolicySpec",
        fields: &[
            Field { tag: 1, json: "paramKind", kind: Msg(14), repeated: false },
            Field { tag: 2, json: "matchConstraints", kind: Msg(9), repeated: false },
            Field { tag: 3, json: "validations", kind: Msg(30), repeated: true },
            Field { tag: 4, json: "failurePolicy", kind: Str, repeated: false },
            Field { tag: 5, json: "auditAnnotations", kind: Msg(6), repeated: true },
            Field { tag: 6, json: "matchConditions", kind: Msg(8), repeated: true },
            Field { tag: 7, json: "variables", kind: Msg(31), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.ValidatingAdmissionPolicyStatus",
        fields: &[
            Field { tag: 1, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 2, json: "typeChecking", kind: Msg(19), repeated: false },
            Field { tag: 3, json: "conditions", kind: Msg(1176), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.ValidatingWebhook",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "clientConfig", kind: Msg(32), repeated: false },
            Field { tag: 3, json: "rules", kind: Msg(17), repeated: true },
            Field { tag: 4, json: "failurePolicy", kind: Str, repeated: false },
            Field { tag: 5, json: "namespaceSelector", kind: Msg(1189), repeated: false },
            Field { tag: 6, json: "sideEffects", kind: Str, repeated: false },
            Field { tag: 7, json: "timeoutSeconds", kind: Int32, repeated: false },
            Field { tag: 8, json: "admissionReviewVersions", kind: Str, repeated: true },
            Field { tag: 9, json: "matchPolicy", kind: Str, repeated: false },
            Field { tag: 10, json: "objectSelector", kind: Msg(1189), repeated: false },
            Field { tag: 11, json: "matchConditions", kind: Msg(8), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.ValidatingWebhookConfiguration",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "webhooks", kind: Msg(27), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.ValidatingWebhookConfigurationList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(28), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.Validation",
        fields: &[
            Field { tag: 1, json: "expression", kind: Str, repeated: false },
            Field { tag: 2, json: "message", kind: Str, repeated: false },
            Field { tag: 3, json: "reason", kind: Str, repeated: false },
            Field { tag: 4, json: "messageExpression", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.Variable",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "expression", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1.WebhookClientConfig",
        fields: &[
            Field { tag: 1, json: "service", kind: Msg(18), repeated: false },
            Field { tag: 2, json: "caBundle", kind: Bytes, repeated: false },
            Field { tag: 3, json: "url", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.ApplyConfiguration",
        fields: &[
            Field { tag: 1, json: "expression", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.AuditAnnotation",
        fields: &[
            Field { tag: 1, json: "key", kind: Str, repeated: false },
            Field { tag: 2, json: "valueExpression", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.ExpressionWarning",
        fields: &[
            Field { tag: 2, json: "fieldRef", kind: Str, repeated: false },
            Field { tag: 3, json: "warning", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.JsonPatch",
        fields: &[
            Field { tag: 1, json: "expression", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.MatchCondition",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "expression", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.MatchResources",
        fields: &[
            Field { tag: 1, json: "namespaceSelector", kind: Msg(1189), repeated: false },
            Field { tag: 2, json: "objectSelector", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "resourceRules", kind: Msg(46), repeated: true },
            Field { tag: 4, json: "excludeResourceRules", kind: Msg(46), repeated: true },
            Field { tag: 7, json: "matchPolicy", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.MutatingAdmissionPolicy",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(44), repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.MutatingAdmissionPolicyBinding",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(42), repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.MutatingAdmissionPolicyBindingList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(40), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.MutatingAdmissionPolicyBindingSpec",
        fields: &[
            Field { tag: 1, json: "policyName", kind: Str, repeated: false },
            Field { tag: 2, json: "paramRef", kind: Msg(48), repeated: false },
            Field { tag: 3, json: "matchResources", kind: Msg(38), repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.MutatingAdmissionPolicyList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(39), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.MutatingAdmissionPolicySpec",
        fields: &[
            Field { tag: 1, json: "paramKind", kind: Msg(47), repeated: false },
            Field { tag: 2, json: "matchConstraints", kind: Msg(38), repeated: false },
            Field { tag: 3, json: "variables", kind: Msg(58), repeated: true },
            Field { tag: 4, json: "mutations", kind: Msg(45), repeated: true },
            Field { tag: 5, json: "failurePolicy", kind: Str, repeated: false },
            Field { tag: 6, json: "matchConditions", kind: Msg(37), repeated: true },
            Field { tag: 7, json: "reinvocationPolicy", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.Mutation",
        fields: &[
            Field { tag: 2, json: "patchType", kind: Str, repeated: false },
            Field { tag: 3, json: "applyConfiguration", kind: Msg(33), repeated: false },
            Field { tag: 4, json: "jsonPatch", kind: Msg(36), repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.NamedRuleWithOperations",
        fields: &[
            Field { tag: 1, json: "resourceNames", kind: Str, repeated: true },
            Field { tag: 2, json: "", kind: Msg(17), repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.ParamKind",
        fields: &[
            Field { tag: 1, json: "apiVersion", kind: Str, repeated: false },
            Field { tag: 2, json: "kind", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.ParamRef",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "namespace", kind: Str, repeated: false },
            Field { tag: 3, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 4, json: "parameterNotFoundAction", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.TypeChecking",
        fields: &[
            Field { tag: 1, json: "expressionWarnings", kind: Msg(35), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.ValidatingAdmissionPolicy",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(55), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(56), repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.ValidatingAdmissionPolicyBinding",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(53), repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.ValidatingAdmissionPolicyBindingList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(51), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.ValidatingAdmissionPolicyBindingSpec",
        fields: &[
            Field { tag: 1, json: "policyName", kind: Str, repeated: false },
            Field { tag: 2, json: "paramRef", kind: Msg(48), repeated: false },
            Field { tag: 3, json: "matchResources", kind: Msg(38), repeated: false },
            Field { tag: 4, json: "validationActions", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.ValidatingAdmissionPolicyList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(50), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.ValidatingAdmissionPolicySpec",
        fields: &[
            Field { tag: 1, json: "paramKind", kind: Msg(47), repeated: false },
            Field { tag: 2, json: "matchConstraints", kind: Msg(38), repeated: false },
            Field { tag: 3, json: "validations", kind: Msg(57), repeated: true },
            Field { tag: 4, json: "failurePolicy", kind: Str, repeated: false },
            Field { tag: 5, json: "auditAnnotations", kind: Msg(34), repeated: true },
            Field { tag: 6, json: "matchConditions", kind: Msg(37), repeated: true },
            Field { tag: 7, json: "variables", kind: Msg(58), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.ValidatingAdmissionPolicyStatus",
        fields: &[
            Field { tag: 1, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 2, json: "typeChecking", kind: Msg(49), repeated: false },
            Field { tag: 3, json: "conditions", kind: Msg(1176), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.Validation",
        fields: &[
            Field { tag: 1, json: "expression", kind: Str, repeated: false },
            Field { tag: 2, json: "message", kind: Str, repeated: false },
            Field { tag: 3, json: "reason", kind: Str, repeated: false },
            Field { tag: 4, json: "messageExpression", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1alpha1.Variable",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "expression", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.ApplyConfiguration",
        fields: &[
            Field { tag: 1, json: "expression", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.AuditAnnotation",
        fields: &[
            Field { tag: 1, json: "key", kind: Str, repeated: false },
            Field { tag: 2, json: "valueExpression", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.ExpressionWarning",
        fields: &[
            Field { tag: 2, json: "fieldRef", kind: Str, repeated: false },
            Field { tag: 3, json: "warning", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.JsonPatch",
        fields: &[
            Field { tag: 1, json: "expression", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.MatchCondition",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "expression", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.MatchResources",
        fields: &[
            Field { tag: 1, json: "namespaceSelector", kind: Msg(1189), repeated: false },
            Field { tag: 2, json: "objectSelector", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "resourceRules", kind: Msg(75), repeated: true },
            Field { tag: 4, json: "excludeResourceRules", kind: Msg(75), repeated: true },
            Field { tag: 7, json: "matchPolicy", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.MutatingAdmissionPolicy",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(70), repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.MutatingAdmissionPolicyBinding",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(68), repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.MutatingAdmissionPolicyBindingList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(66), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.MutatingAdmissionPolicyBindingSpec",
        fields: &[
            Field { tag: 1, json: "policyName", kind: Str, repeated: false },
            Field { tag: 2, json: "paramRef", kind: Msg(77), repeated: false },
            Field { tag: 3, json: "matchResources", kind: Msg(64), repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.MutatingAdmissionPolicyList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(65), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.MutatingAdmissionPolicySpec",
        fields: &[
            Field { tag: 1, json: "paramKind", kind: Msg(76), repeated: false },
            Field { tag: 2, json: "matchConstraints", kind: Msg(64), repeated: false },
            Field { tag: 3, json: "variables", kind: Msg(91), repeated: true },
            Field { tag: 4, json: "mutations", kind: Msg(74), repeated: true },
            Field { tag: 5, json: "failurePolicy", kind: Str, repeated: false },
            Field { tag: 6, json: "matchConditions", kind: Msg(63), repeated: true },
            Field { tag: 7, json: "reinvocationPolicy", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.MutatingWebhook",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "clientConfig", kind: Msg(92), repeated: false },
            Field { tag: 3, json: "rules", kind: Msg(17), repeated: true },
            Field { tag: 4, json: "failurePolicy", kind: Str, repeated: false },
            Field { tag: 5, json: "namespaceSelector", kind: Msg(1189), repeated: false },
            Field { tag: 6, json: "sideEffects", kind: Str, repeated: false },
            Field { tag: 7, json: "timeoutSeconds", kind: Int32, repeated: false },
            Field { tag: 8, json: "admissionReviewVersions", kind: Str, repeated: true },
            Field { tag: 9, json: "matchPolicy", kind: Str, repeated: false },
            Field { tag: 10, json: "reinvocationPolicy", kind: Str, repeated: false },
            Field { tag: 11, json: "objectSelector", kind: Msg(1189), repeated: false },
            Field { tag: 12, json: "matchConditions", kind: Msg(63), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.MutatingWebhookConfiguration",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "webhooks", kind: Msg(71), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.MutatingWebhookConfigurationList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(72), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.Mutation",
        fields: &[
            Field { tag: 2, json: "patchType", kind: Str, repeated: false },
            Field { tag: 3, json: "applyConfiguration", kind: Msg(59), repeated: false },
            Field { tag: 4, json: "jsonPatch", kind: Msg(62), repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.NamedRuleWithOperations",
        fields: &[
            Field { tag: 1, json: "resourceNames", kind: Str, repeated: true },
            Field { tag: 2, json: "", kind: Msg(17), repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.ParamKind",
        fields: &[
            Field { tag: 1, json: "apiVersion", kind: Str, repeated: false },
            Field { tag: 2, json: "kind", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.ParamRef",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "namespace", kind: Str, repeated: false },
            Field { tag: 3, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 4, json: "parameterNotFoundAction", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.ServiceReference",
        fields: &[
            Field { tag: 1, json: "namespace", kind: Str, repeated: false },
            Field { tag: 2, json: "name", kind: Str, repeated: false },
            Field { tag: 3, json: "path", kind: Str, repeated: false },
            Field { tag: 4, json: "port", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.TypeChecking",
        fields: &[
            Field { tag: 1, json: "expressionWarnings", kind: Msg(61), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.ValidatingAdmissionPolicy",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(85), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(86), repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.ValidatingAdmissionPolicyBinding",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(83), repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.ValidatingAdmissionPolicyBindingList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(81), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.ValidatingAdmissionPolicyBindingSpec",
        fields: &[
            Field { tag: 1, json: "policyName", kind: Str, repeated: false },
            Field { tag: 2, json: "paramRef", kind: Msg(77), repeated: false },
            Field { tag: 3, json: "matchResources", kind: Msg(64), repeated: false },
            Field { tag: 4, json: "validationActions", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.ValidatingAdmissionPolicyList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(80), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.ValidatingAdmissionPolicySpec",
        fields: &[
            Field { tag: 1, json: "paramKind", kind: Msg(76), repeated: false },
            Field { tag: 2, json: "matchConstraints", kind: Msg(64), repeated: false },
            Field { tag: 3, json: "validations", kind: Msg(90), repeated: true },
            Field { tag: 4, json: "failurePolicy", kind: Str, repeated: false },
            Field { tag: 5, json: "auditAnnotations", kind: Msg(60), repeated: true },
            Field { tag: 6, json: "matchConditions", kind: Msg(63), repeated: true },
            Field { tag: 7, json: "variables", kind: Msg(91), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.ValidatingAdmissionPolicyStatus",
        fields: &[
            Field { tag: 1, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 2, json: "typeChecking", kind: Msg(79), repeated: false },
            Field { tag: 3, json: "conditions", kind: Msg(1176), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.ValidatingWebhook",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "clientConfig", kind: Msg(92), repeated: false },
            Field { tag: 3, json: "rules", kind: Msg(17), repeated: true },
            Field { tag: 4, json: "failurePolicy", kind: Str, repeated: false },
            Field { tag: 5, json: "namespaceSelector", kind: Msg(1189), repeated: false },
            Field { tag: 6, json: "sideEffects", kind: Str, repeated: false },
            Field { tag: 7, json: "timeoutSeconds", kind: Int32, repeated: false },
            Field { tag: 8, json: "admissionReviewVersions", kind: Str, repeated: true },
            Field { tag: 9, json: "matchPolicy", kind: Str, repeated: false },
            Field { tag: 10, json: "objectSelector", kind: Msg(1189), repeated: false },
            Field { tag: 11, json: "matchConditions", kind: Msg(63), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.ValidatingWebhookConfiguration",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "webhooks", kind: Msg(87), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.ValidatingWebhookConfigurationList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(88), repeated: true },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.Validation",
        fields: &[
            Field { tag: 1, json: "expression", kind: Str, repeated: false },
            Field { tag: 2, json: "message", kind: Str, repeated: false },
            Field { tag: 3, json: "reason", kind: Str, repeated: false },
            Field { tag: 4, json: "messageExpression", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.Variable",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "expression", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.admissionregistration.v1beta1.WebhookClientConfig",
        fields: &[
            Field { tag: 1, json: "service", kind: Msg(78), repeated: false },
            Field { tag: 2, json: "caBundle", kind: Bytes, repeated: false },
            Field { tag: 3, json: "url", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.apidiscovery.v2.APIGroupDiscovery",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "versions", kind: Msg(97), repeated: true },
        ],
    },
    Message {
        name: "api.apidiscovery.v2.APIGroupDiscoveryList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(93), repeated: true },
        ],
    },
    Message {
        name: "api.apidiscovery.v2.APIResourceDiscovery",
        fields: &[
            Field { tag: 1, json: "resource", kind: Str, repeated: false },
            Field { tag: 2, json: "responseKind", kind: Msg(1187), repeated: false },
            Field { tag: 3, json: "scope", kind: Str, repeated: false },
            Field { tag: 4, json: "singularResource", kind: Str, repeated: false },
            Field { tag: 5, json: "verbs", kind: Str, repeated: true },
            Field { tag: 6, json: "shortNames", kind: Str, repeated: true },
            Field { tag: 7, json: "categories", kind: Str, repeated: true },
            Field { tag: 8, json: "subresources", kind: Msg(96), repeated: true },
        ],
    },
    Message {
        name: "api.apidiscovery.v2.APISubresourceDiscovery",
        fields: &[
            Field { tag: 1, json: "subresource", kind: Str, repeated: false },
            Field { tag: 2, json: "responseKind", kind: Msg(1187), repeated: false },
            Field { tag: 3, json: "acceptedTypes", kind: Msg(1187), repeated: true },
            Field { tag: 4, json: "verbs", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.apidiscovery.v2.APIVersionDiscovery",
        fields: &[
            Field { tag: 1, json: "version", kind: Str, repeated: false },
            Field { tag: 2, json: "resources", kind: Msg(95), repeated: true },
            Field { tag: 3, json: "freshness", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.apidiscovery.v2beta1.APIGroupDiscovery",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "versions", kind: Msg(102), repeated: true },
        ],
    },
    Message {
        name: "api.apidiscovery.v2beta1.APIGroupDiscoveryList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(98), repeated: true },
        ],
    },
    Message {
        name: "api.apidiscovery.v2beta1.APIResourceDiscovery",
        fields: &[
            Field { tag: 1, json: "resource", kind: Str, repeated: false },
            Field { tag: 2, json: "responseKind", kind: Msg(1187), repeated: false },
            Field { tag: 3, json: "scope", kind: Str, repeated: false },
            Field { tag: 4, json: "singularResource", kind: Str, repeated: false },
            Field { tag: 5, json: "verbs", kind: Str, repeated: true },
            Field { tag: 6, json: "shortNames", kind: Str, repeated: true },
            Field { tag: 7, json: "categories", kind: Str, repeated: true },
            Field { tag: 8, json: "subresources", kind: Msg(101), repeated: true },
        ],
    },
    Message {
        name: "api.apidiscovery.v2beta1.APISubresourceDiscovery",
        fields: &[
            Field { tag: 1, json: "subresource", kind: Str, repeated: false },
            Field { tag: 2, json: "responseKind", kind: Msg(1187), repeated: false },
            Field { tag: 3, json: "acceptedTypes", kind: Msg(1187), repeated: true },
            Field { tag: 4, json: "verbs", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.apidiscovery.v2beta1.APIVersionDiscovery",
        fields: &[
            Field { tag: 1, json: "version", kind: Str, repeated: false },
            Field { tag: 2, json: "resources", kind: Msg(100), repeated: true },
            Field { tag: 3, json: "freshness", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.apiserverinternal.v1alpha1.ServerStorageVersion",
        fields: &[
            Field { tag: 1, json: "apiServerID", kind: Str, repeated: false },
            Field { tag: 2, json: "encodingVersion", kind: Str, repeated: false },
            Field { tag: 3, json: "decodableVersions", kind: Str, repeated: true },
            Field { tag: 4, json: "servedVersions", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.apiserverinternal.v1alpha1.StorageVersion",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(107), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(108), repeated: false },
        ],
    },
    Message {
        name: "api.apiserverinternal.v1alpha1.StorageVersionCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 4, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 5, json: "reason", kind: Str, repeated: false },
            Field { tag: 6, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.apiserverinternal.v1alpha1.StorageVersionList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(104), repeated: true },
        ],
    },
    Message {
        name: "api.apiserverinternal.v1alpha1.StorageVersionSpec",
        fields: &[
        ],
    },
    Message {
        name: "api.apiserverinternal.v1alpha1.StorageVersionStatus",
        fields: &[
            Field { tag: 1, json: "storageVersions", kind: Msg(103), repeated: true },
            Field { tag: 2, json: "commonEncodingVersion", kind: Str, repeated: false },
            Field { tag: 3, json: "conditions", kind: Msg(105), repeated: true },
        ],
    },
    Message {
        name: "api.apps.v1.ControllerRevision",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "data", kind: Msg(1222), repeated: false },
            Field { tag: 3, json: "revision", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1.ControllerRevisionList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(109), repeated: true },
        ],
    },
    Message {
        name: "api.apps.v1.DaemonSet",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(114), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(115), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1.DaemonSetCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1.DaemonSetList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(111), repeated: true },
        ],
    },
    Message {
        name: "api.apps.v1.DaemonSetSpec",
        fields: &[
            Field { tag: 1, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 2, json: "template", kind: Msg(550), repeated: false },
            Field { tag: 3, json: "updateStrategy", kind: Msg(116), repeated: false },
            Field { tag: 4, json: "minReadySeconds", kind: Int32, repeated: false },
            Field { tag: 6, json: "revisionHistoryLimit", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1.DaemonSetStatus",
        fields: &[
            Field { tag: 1, json: "currentNumberScheduled", kind: Int32, repeated: false },
            Field { tag: 2, json: "numberMisscheduled", kind: Int32, repeated: false },
            Field { tag: 3, json: "desiredNumberScheduled", kind: Int32, repeated: false },
            Field { tag: 4, json: "numberReady", kind: Int32, repeated: false },
            Field { tag: 5, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 6, json: "updatedNumberScheduled", kind: Int32, repeated: false },
            Field { tag: 7, json: "numberAvailable", kind: Int32, repeated: false },
            Field { tag: 8, json: "numberUnavailable", kind: Int32, repeated: false },
            Field { tag: 9, json: "collisionCount", kind: Int32, repeated: false },
            Field { tag: 10, json: "conditions", kind: Msg(112), repeated: true },
        ],
    },
    Message {
        name: "api.apps.v1.DaemonSetUpdateStrategy",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "rollingUpdate", kind: Msg(128), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1.Deployment",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(120), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(121), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1.DeploymentCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
            Field { tag: 6, json: "lastUpdateTime", kind: Msg(1209), repeated: false },
            Field { tag: 7, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1.DeploymentList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(117), repeated: true },
        ],
    },
    Message {
        name: "api.apps.v1.DeploymentSpec",
        fields: &[
            Field { tag: 1, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 2, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "template", kind: Msg(550), repeated: false },
            Field { tag: 4, json: "strategy", kind: Msg(122), repeated: false },
            Field { tag: 5, json: "minReadySeconds", kind: Int32, repeated: false },
            Field { tag: 6, json: "revisionHistoryLimit", kind: Int32, repeated: false },
            Field { tag: 7, json: "paused", kind: Bool, repeated: false },
            Field { tag: 9, json: "progressDeadlineSeconds", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1.DeploymentStatus",
        fields: &[
            Field { tag: 1, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 2, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 3, json: "updatedReplicas", kind: Int32, repeated: false },
            Field { tag: 4, json: "availableReplicas", kind: Int32, repeated: false },
            Field { tag: 5, json: "unavailableReplicas", kind: Int32, repeated: false },
            Field { tag: 6, json: "conditions", kind: Msg(118), repeated: true },
            Field { tag: 7, json: "readyReplicas", kind: Int32, repeated: false },
            Field { tag: 8, json: "collisionCount", kind: Int32, repeated: false },
            Field { tag: 9, json: "terminatingReplicas", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1.DeploymentStrategy",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "rollingUpdate", kind: Msg(129), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1.ReplicaSet",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(126), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(127), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1.ReplicaSetCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1.ReplicaSetList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(123), repeated: true },
        ],
    },
    Message {
        name: "api.apps.v1.ReplicaSetSpec",
        fields: &[
            Field { tag: 1, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 2, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "template", kind: Msg(550), repeated: false },
            Field { tag: 4, json: "minReadySeconds", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1.ReplicaSetStatus",
        fields: &[
            Field { tag: 1, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 2, json: "fullyLabeledReplicas", kind: Int32, repeated: false },
            Field { tag: 3, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 4, json: "readyReplicas", kind: Int32, repeated: false },
            Field { tag: 5, json: "availableReplicas", kind: Int32, repeated: false },
            Field { tag: 6, json: "conditions", kind: Msg(124), repeated: true },
            Field { tag: 7, json: "terminatingReplicas", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1.RollingUpdateDaemonSet",
        fields: &[
            Field { tag: 1, json: "maxUnavailable", kind: Msg(1225), repeated: false },
            Field { tag: 2, json: "maxSurge", kind: Msg(1225), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1.RollingUpdateDeployment",
        fields: &[
            Field { tag: 1, json: "maxUnavailable", kind: Msg(1225), repeated: false },
            Field { tag: 2, json: "maxSurge", kind: Msg(1225), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1.RollingUpdateStatefulSetStrategy",
        fields: &[
            Field { tag: 1, json: "partition", kind: Int32, repeated: false },
            Field { tag: 2, json: "maxUnavailable", kind: Msg(1225), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1.StatefulSet",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(136), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(137), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1.StatefulSetCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1.StatefulSetList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(131), repeated: true },
        ],
    },
    Message {
        name: "api.apps.v1.StatefulSetOrdinals",
        fields: &[
            Field { tag: 1, json: "start", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy",
        fields: &[
            Field { tag: 1, json: "whenDeleted", kind: Str, repeated: false },
            Field { tag: 2, json: "whenScaled", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1.StatefulSetSpec",
        fields: &[
            Field { tag: 1, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 2, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "template", kind: Msg(550), repeated: false },
            Field { tag: 4, json: "volumeClaimTemplates", kind: Msg(510), repeated: true },
            Field { tag: 5, json: "serviceName", kind: Str, repeated: false },
            Field { tag: 6, json: "podManagementPolicy", kind: Str, repeated: false },
            Field { tag: 7, json: "updateStrategy", kind: Msg(138), repeated: false },
            Field { tag: 8, json: "revisionHistoryLimit", kind: Int32, repeated: false },
            Field { tag: 9, json: "minReadySeconds", kind: Int32, repeated: false },
            Field { tag: 10, json: "persistentVolumeClaimRetentionPolicy", kind: Msg(135), repeated: false },
            Field { tag: 11, json: "ordinals", kind: Msg(134), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1.StatefulSetStatus",
        fields: &[
            Field { tag: 1, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 2, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 3, json: "readyReplicas", kind: Int32, repeated: false },
            Field { tag: 4, json: "currentReplicas", kind: Int32, repeated: false },
            Field { tag: 5, json: "updatedReplicas", kind: Int32, repeated: false },
            Field { tag: 6, json: "currentRevision", kind: Str, repeated: false },
            Field { tag: 7, json: "updateRevision", kind: Str, repeated: false },
            Field { tag: 9, json: "collisionCount", kind: Int32, repeated: false },
            Field { tag: 10, json: "conditions", kind: Msg(132), repeated: true },
            Field { tag: 11, json: "availableReplicas", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1.StatefulSetUpdateStrategy",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "rollingUpdate", kind: Msg(130), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta1.ControllerRevision",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "data", kind: Msg(1222), repeated: false },
            Field { tag: 3, json: "revision", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta1.ControllerRevisionList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(139), repeated: true },
        ],
    },
    Message {
        name: "api.apps.v1beta1.Deployment",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(145), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(146), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta1.DeploymentCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
            Field { tag: 6, json: "lastUpdateTime", kind: Msg(1209), repeated: false },
            Field { tag: 7, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta1.DeploymentList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(141), repeated: true },
        ],
    },
    Message {
        name: "api.apps.v1beta1.DeploymentRollback",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "updatedAnnotations", kind: Map(&Str), repeated: false },
            Field { tag: 3, json: "rollbackTo", kind: Msg(148), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta1.DeploymentSpec",
        fields: &[
            Field { tag: 1, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 2, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "template", kind: Msg(550), repeated: false },
            Field { tag: 4, json: "strategy", kind: Msg(147), repeated: false },
            Field { tag: 5, json: "minReadySeconds", kind: Int32, repeated: false },
            Field { tag: 6, json: "revisionHistoryLimit", kind: Int32, repeated: false },
            Field { tag: 7, json: "paused", kind: Bool, repeated: false },
            Field { tag: 8, json: "rollbackTo", kind: Msg(148), repeated: false },
            Field { tag: 9, json: "progressDeadlineSeconds", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta1.DeploymentStatus",
        fields: &[
            Field { tag: 1, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 2, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 3, json: "updatedReplicas", kind: Int32, repeated: false },
            Field { tag: 4, json: "availableReplicas", kind: Int32, repeated: false },
            Field { tag: 5, json: "unavailableReplicas", kind: Int32, repeated: false },
            Field { tag: 6, json: "conditions", kind: Msg(142), repeated: true },
            Field { tag: 7, json: "readyReplicas", kind: Int32, repeated: false },
            Field { tag: 8, json: "collisionCount", kind: Int32, repeated: false },
            Field { tag: 9, json: "terminatingReplicas", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta1.DeploymentStrategy",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "rollingUpdate", kind: Msg(149), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta1.RollbackConfig",
        fields: &[
            Field { tag: 1, json: "revision", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta1.RollingUpdateDeployment",
        fields: &[
            Field { tag: 1, json: "maxUnavailable", kind: Msg(1225), repeated: false },
            Field { tag: 2, json: "maxSurge", kind: Msg(1225), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta1.RollingUpdateStatefulSetStrategy",
        fields: &[
            Field { tag: 1, json: "partition", kind: Int32, repeated: false },
            Field { tag: 2, json: "maxUnavailable", kind: Msg(1225), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta1.Scale",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(152), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(153), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta1.ScaleSpec",
        fields: &[
            Field { tag: 1, json: "replicas", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta1.ScaleStatus",
        fields: &[
            Field { tag: 1, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 2, json: "selector", kind: Map(&Str), repeated: false },
            Field { tag: 3, json: "targetSelector", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta1.StatefulSet",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(159), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(160), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta1.StatefulSetCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta1.StatefulSetList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(154), repeated: true },
        ],
    },
    Message {
        name: "api.apps.v1beta1.StatefulSetOrdinals",
        fields: &[
            Field { tag: 1, json: "start", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta1.StatefulSetPersistentVolumeClaimRetentionPolicy",
        fields: &[
            Field { tag: 1, json: "whenDeleted", kind: Str, repeated: false },
            Field { tag: 2, json: "whenScaled", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta1.StatefulSetSpec",
        fields: &[
            Field { tag: 1, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 2, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "template", kind: Msg(550), repeated: false },
            Field { tag: 4, json: "volumeClaimTemplates", kind: Msg(510), repeated: true },
            Field { tag: 5, json: "serviceName", kind: Str, repeated: false },
            Field { tag: 6, json: "podManagementPolicy", kind: Str, repeated: false },
            Field { tag: 7, json: "updateStrategy", kind: Msg(161), repeated: false },
            Field { tag: 8, json: "revisionHistoryLimit", kind: Int32, repeated: false },
            Field { tag: 9, json: "minReadySeconds", kind: Int32, repeated: false },
            Field { tag: 10, json: "persistentVolumeClaimRetentionPolicy", kind: Msg(158), repeated: false },
            Field { tag: 11, json: "ordinals", kind: Msg(157), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta1.StatefulSetStatus",
        fields: &[
            Field { tag: 1, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 2, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 3, json: "readyReplicas", kind: Int32, repeated: false },
            Field { tag: 4, json: "currentReplicas", kind: Int32, repeated: false },
            Field { tag: 5, json: "updatedReplicas", kind: Int32, repeated: false },
            Field { tag: 6, json: "currentRevision", kind: Str, repeated: false },
            Field { tag: 7, json: "updateRevision", kind: Str, repeated: false },
            Field { tag: 9, json: "collisionCount", kind: Int32, repeated: false },
            Field { tag: 10, json: "conditions", kind: Msg(155), repeated: true },
            Field { tag: 11, json: "availableReplicas", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta1.StatefulSetUpdateStrategy",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "rollingUpdate", kind: Msg(150), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.ControllerRevision",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "data", kind: Msg(1222), repeated: false },
            Field { tag: 3, json: "revision", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.ControllerRevisionList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(162), repeated: true },
        ],
    },
    Message {
        name: "api.apps.v1beta2.DaemonSet",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(167), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(168), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.DaemonSetCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.DaemonSetList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(164), repeated: true },
        ],
    },
    Message {
        name: "api.apps.v1beta2.DaemonSetSpec",
        fields: &[
            Field { tag: 1, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 2, json: "template", kind: Msg(550), repeated: false },
            Field { tag: 3, json: "updateStrategy", kind: Msg(169), repeated: false },
            Field { tag: 4, json: "minReadySeconds", kind: Int32, repeated: false },
            Field { tag: 6, json: "revisionHistoryLimit", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.DaemonSetStatus",
        fields: &[
            Field { tag: 1, json: "currentNumberScheduled", kind: Int32, repeated: false },
            Field { tag: 2, json: "numberMisscheduled", kind: Int32, repeated: false },
            Field { tag: 3, json: "desiredNumberScheduled", kind: Int32, repeated: false },
            Field { tag: 4, json: "numberReady", kind: Int32, repeated: false },
            Field { tag: 5, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 6, json: "updatedNumberScheduled", kind: Int32, repeated: false },
            Field { tag: 7, json: "numberAvailable", kind: Int32, repeated: false },
            Field { tag: 8, json: "numberUnavailable", kind: Int32, repeated: false },
            Field { tag: 9, json: "collisionCount", kind: Int32, repeated: false },
            Field { tag: 10, json: "conditions", kind: Msg(165), repeated: true },
        ],
    },
    Message {
        name: "api.apps.v1beta2.DaemonSetUpdateStrategy",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "rollingUpdate", kind: Msg(181), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.Deployment",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(173), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(174), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.DeploymentCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
            Field { tag: 6, json: "lastUpdateTime", kind: Msg(1209), repeated: false },
            Field { tag: 7, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.DeploymentList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(170), repeated: true },
        ],
    },
    Message {
        name: "api.apps.v1beta2.DeploymentSpec",
        fields: &[
            Field { tag: 1, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 2, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "template", kind: Msg(550), repeated: false },
            Field { tag: 4, json: "strategy", kind: Msg(175), repeated: false },
            Field { tag: 5, json: "minReadySeconds", kind: Int32, repeated: false },
            Field { tag: 6, json: "revisionHistoryLimit", kind: Int32, repeated: false },
            Field { tag: 7, json: "paused", kind: Bool, repeated: false },
            Field { tag: 9, json: "progressDeadlineSeconds", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.DeploymentStatus",
        fields: &[
            Field { tag: 1, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 2, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 3, json: "updatedReplicas", kind: Int32, repeated: false },
            Field { tag: 4, json: "availableReplicas", kind: Int32, repeated: false },
            Field { tag: 5, json: "unavailableReplicas", kind: Int32, repeated: false },
            Field { tag: 6, json: "conditions", kind: Msg(171), repeated: true },
            Field { tag: 7, json: "readyReplicas", kind: Int32, repeated: false },
            Field { tag: 8, json: "collisionCount", kind: Int32, repeated: false },
            Field { tag: 9, json: "terminatingReplicas", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.DeploymentStrategy",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "rollingUpdate", kind: Msg(182), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.ReplicaSet",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(179), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(180), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.ReplicaSetCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.ReplicaSetList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(176), repeated: true },
        ],
    },
    Message {
        name: "api.apps.v1beta2.ReplicaSetSpec",
        fields: &[
            Field { tag: 1, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 2, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "template", kind: Msg(550), repeated: false },
            Field { tag: 4, json: "minReadySeconds", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.ReplicaSetStatus",
        fields: &[
            Field { tag: 1, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 2, json: "fullyLabeledReplicas", kind: Int32, repeated: false },
            Field { tag: 3, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 4, json: "readyReplicas", kind: Int32, repeated: false },
            Field { tag: 5, json: "availableReplicas", kind: Int32, repeated: false },
            Field { tag: 6, json: "conditions", kind: Msg(177), repeated: true },
            Field { tag: 7, json: "terminatingReplicas", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.RollingUpdateDaemonSet",
        fields: &[
            Field { tag: 1, json: "maxUnavailable", kind: Msg(1225), repeated: false },
            Field { tag: 2, json: "maxSurge", kind: Msg(1225), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.RollingUpdateDeployment",
        fields: &[
            Field { tag: 1, json: "maxUnavailable", kind: Msg(1225), repeated: false },
            Field { tag: 2, json: "maxSurge", kind: Msg(1225), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.RollingUpdateStatefulSetStrategy",
        fields: &[
            Field { tag: 1, json: "partition", kind: Int32, repeated: false },
            Field { tag: 2, json: "maxUnavailable", kind: Msg(1225), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.Scale",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(185), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(186), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.ScaleSpec",
        fields: &[
            Field { tag: 1, json: "replicas", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.ScaleStatus",
        fields: &[
            Field { tag: 1, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 2, json: "selector", kind: Map(&Str), repeated: false },
            Field { tag: 3, json: "targetSelector", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.StatefulSet",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(192), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(193), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.StatefulSetCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.StatefulSetList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(187), repeated: true },
        ],
    },
    Message {
        name: "api.apps.v1beta2.StatefulSetOrdinals",
        fields: &[
            Field { tag: 1, json: "start", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.StatefulSetPersistentVolumeClaimRetentionPolicy",
        fields: &[
            Field { tag: 1, json: "whenDeleted", kind: Str, repeated: false },
            Field { tag: 2, json: "whenScaled", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.StatefulSetSpec",
        fields: &[
            Field { tag: 1, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 2, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "template", kind: Msg(550), repeated: false },
            Field { tag: 4, json: "volumeClaimTemplates", kind: Msg(510), repeated: true },
            Field { tag: 5, json: "serviceName", kind: Str, repeated: false },
            Field { tag: 6, json: "podManagementPolicy", kind: Str, repeated: false },
            Field { tag: 7, json: "updateStrategy", kind: Msg(194), repeated: false },
            Field { tag: 8, json: "revisionHistoryLimit", kind: Int32, repeated: false },
            Field { tag: 9, json: "minReadySeconds", kind: Int32, repeated: false },
            Field { tag: 10, json: "persistentVolumeClaimRetentionPolicy", kind: Msg(191), repeated: false },
            Field { tag: 11, json: "ordinals", kind: Msg(190), repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.StatefulSetStatus",
        fields: &[
            Field { tag: 1, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 2, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 3, json: "readyReplicas", kind: Int32, repeated: false },
            Field { tag: 4, json: "currentReplicas", kind: Int32, repeated: false },
            Field { tag: 5, json: "updatedReplicas", kind: Int32, repeated: false },
            Field { tag: 6, json: "currentRevision", kind: Str, repeated: false },
            Field { tag: 7, json: "updateRevision", kind: Str, repeated: false },
            Field { tag: 9, json: "collisionCount", kind: Int32, repeated: false },
            Field { tag: 10, json: "conditions", kind: Msg(188), repeated: true },
            Field { tag: 11, json: "availableReplicas", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.apps.v1beta2.StatefulSetUpdateStrategy",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "rollingUpdate", kind: Msg(183), repeated: false },
        ],
    },
    Message {
        name: "api.authentication.v1.BoundObjectReference",
        fields: &[
            Field { tag: 1, json: "kind", kind: Str, repeated: false },
            Field { tag: 2, json: "apiVersion", kind: Str, repeated: false },
            Field { tag: 3, json: "name", kind: Str, repeated: false },
            Field { tag: 4, json: "uid", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.authentication.v1.ExtraValue",
        fields: &[
            Field { tag: 1, json: "items", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.authentication.v1.SelfSubjectReview",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "status", kind: Msg(198), repeated: false },
        ],
    },
    Message {
        name: "api.authentication.v1.SelfSubjectReviewStatus",
        fields: &[
            Field { tag: 1, json: "userInfo", kind: Msg(205), repeated: false },
        ],
    },
    Message {
        name: "api.authentication.v1.TokenRequest",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(200), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(201), repeated: false },
        ],
    },
    Message {
        name: "api.authentication.v1.TokenRequestSpec",
        fields: &[
            Field { tag: 1, json: "audiences", kind: Str, repeated: true },
            Field { tag: 3, json: "boundObjectRef", kind: Msg(195), repeated: false },
            Field { tag: 4, json: "expirationSeconds", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "api.authentication.v1.TokenRequestStatus",
        fields: &[
            Field { tag: 1, json: "token", kind: Str, repeated: false },
            Field { tag: 2, json: "expirationTimestamp", kind: Msg(1209), repeated: false },
        ],
    },
    Message {
        name: "api.authentication.v1.TokenReview",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(203), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(204), repeated: false },
        ],
    },
    Message {
        name: "api.authentication.v1.TokenReviewSpec",
        fields: &[
            Field { tag: 1, json: "token", kind: Str, repeated: false },
            Field { tag: 2, json: "audiences", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.authentication.v1.TokenReviewStatus",
        fields: &[
            Field { tag: 1, json: "authenticated", kind: Bool, repeated: false },
            Field { tag: 2, json: "user", kind: Msg(205), repeated: false },
            Field { tag: 3, json: "error", kind: Str, repeated: false },
            Field { tag: 4, json: "audiences", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.authentication.v1.UserInfo",
        fields: &[
            Field { tag: 1, json: "username", kind: Str, repeated: false },
            Field { tag: 2, json: "uid", kind: Str, repeated: false },
            Field { tag: 3, json: "groups", kind: Str, repeated: true },
            Field { tag: 4, json: "extra", kind: Map(&Msg(196)), repeated: false },
        ],
    },
    Message {
        name: "api.authentication.v1alpha1.SelfSubjectReview",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "status", kind: Msg(207), repeated: false },
        ],
    },
    Message {
        name: "api.authentication.v1alpha1.SelfSubjectReviewStatus",
        fields: &[
            Field { tag: 1, json: "userInfo", kind: Msg(205), repeated: false },
        ],
    },
    Message {
        name: "api.authentication.v1beta1.ExtraValue",
        fields: &[
            Field { tag: 1, json: "items", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.authentication.v1beta1.SelfSubjectReview",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "status", kind: Msg(210), repeated: false },
        ],
    },
    Message {
        name: "api.authentication.v1beta1.SelfSubjectReviewStatus",
        fields: &[
            Field { tag: 1, json: "userInfo", kind: Msg(205), repeated: false },
        ],
    },
    Message {
        name: "api.authentication.v1beta1.TokenReview",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(212), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(213), repeated: false },
        ],
    },
    Message {
        name: "api.authentication.v1beta1.TokenReviewSpec",
        fields: &[
            Field { tag: 1, json: "token", kind: Str, repeated: false },
            Field { tag: 2, json: "audiences", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.authentication.v1beta1.TokenReviewStatus",
        fields: &[
            Field { tag: 1, json: "authenticated", kind: Bool, repeated: false },
            Field { tag: 2, json: "user", kind: Msg(214), repeated: false },
            Field { tag: 3, json: "error", kind: Str, repeated: false },
            Field { tag: 4, json: "audiences", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.authentication.v1beta1.UserInfo",
        fields: &[
            Field { tag: 1, json: "username", kind: Str, repeated: false },
            Field { tag: 2, json: "uid", kind: Str, repeated: false },
            Field { tag: 3, json: "groups", kind: Str, repeated: true },
            Field { tag: 4, json: "extra", kind: Map(&Msg(208)), repeated: false },
        ],
    },
    Message {
        name: "api.authorization.v1.ExtraValue",
        fields: &[
            Field { tag: 1, json: "items", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.authorization.v1.FieldSelectorAttributes",
        fields: &[
            Field { tag: 1, json: "rawSelector", kind: Str, repeated: false },
            Field { tag: 2, json: "requirements", kind: Msg(1180), repeated: true },
        ],
    },
    Message {
        name: "api.authorization.v1.LabelSelectorAttributes",
        fields: &[
            Field { tag: 1, json: "rawSelector", kind: Str, repeated: false },
            Field { tag: 2, json: "requirements", kind: Msg(1190), repeated: true },
        ],
    },
    Message {
        name: "api.authorization.v1.LocalSubjectAccessReview",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(228), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(229), repeated: false },
        ],
    },
    Message {
        name: "api.authorization.v1.NonResourceAttributes",
        fields: &[
            Field { tag: 1, json: "path", kind: Str, repeated: false },
            Field { tag: 2, json: "verb", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.authorization.v1.NonResourceRule",
        fields: &[
            Field { tag: 1, json: "verbs", kind: Str, repeated: true },
            Field { tag: 2, json: "nonResourceURLs", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.authorization.v1.ResourceAttributes",
        fields: &[
            Field { tag: 1, json: "namespace", kind: Str, repeated: false },
            Field { tag: 2, json: "verb", kind: Str, repeated: false },
            Field { tag: 3, json: "group", kind: Str, repeated: false },
            Field { tag: 4, json: "version", kind: Str, repeated: false },
            Field { tag: 5, json: "resource", kind: Str, repeated: false },
            Field { tag: 6, json: "subresource", kind: Str, repeated: false },
            Field { tag: 7, json: "name", kind: Str, repeated: false },
            Field { tag: 8, json: "fieldSelector", kind: Msg(216), repeated: false },
            Field { tag: 9, json: "labelSelector", kind: Msg(217), repeated: false },
        ],
    },
    Message {
        name: "api.authorization.v1.ResourceRule",
        fields: &[
            Field { tag: 1, json: "verbs", kind: Str, repeated: true },
            Field { tag: 2, json: "apiGroups", kind: Str, repeated: true },
            Field { tag: 3, json: "resources", kind: Str, repeated: true },
            Field { tag: 4, json: "resourceNames", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.authorization.v1.SelfSubjectAccessReview",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(224), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(229), repeated: false },
        ],
    },
    Message {
        name: "api.authorization.v1.SelfSubjectAccessReviewSpec",
        fields: &[
            Field { tag: 1, json: "resourceAttributes", kind: Msg(221), repeated: false },
            Field { tag: 2, json: "nonResourceAttributes", kind: Msg(219), repeated: false },
        ],
    },
    Message {
        name: "api.authorization.v1.SelfSubjectRulesReview",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(226), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(230), repeated: false },
        ],
    },
    Message {
        name: "api.authorization.v1.SelfSubjectRulesReviewSpec",
        fields: &[
            Field { tag: 1, json: "namespace", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.authorization.v1.SubjectAccessReview",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(228), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(229), repeated: false },
        ],
    },
    Message {
        name: "api.authorization.v1.SubjectAccessReviewSpec",
        fields: &[
            Field { tag: 1, json: "resourceAttributes", kind: Msg(221), repeated: false },
            Field { tag: 2, json: "nonResourceAttributes", kind: Msg(219), repeated: false },
            Field { tag: 3, json: "user", kind: Str, repeated: false },
            Field { tag: 4, json: "groups", kind: Str, repeated: true },
            Field { tag: 5, json: "extra", kind: Map(&Msg(215)), repeated: false },
            Field { tag: 6, json: "uid", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.authorization.v1.SubjectAccessReviewStatus",
        fields: &[
            Field { tag: 1, json: "allowed", kind: Bool, repeated: false },
            Field { tag: 2, json: "reason", kind: Str, repeated: false },
            Field { tag: 3, json: "evaluationError", kind: Str, repeated: false },
            Field { tag: 4, json: "denied", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.authorization.v1.SubjectRulesReviewStatus",
        fields: &[
            Field { tag: 1, json: "resourceRules", kind: Msg(222), repeated: true },
            Field { tag: 2, json: "nonResourceRules", kind: Msg(220), repeated: true },
            Field { tag: 3, json: "incomplete", kind: Bool, repeated: false },
            Field { tag: 4, json: "evaluationError", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.authorization.v1beta1.ExtraValue",
        fields: &[
            Field { tag: 1, json: "items", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.authorization.v1beta1.LocalSubjectAccessReview",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(242), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(243), repeated: false },
        ],
    },
    Message {
        name: "api.authorization.v1beta1.NonResourceAttributes",
        fields: &[
            Field { tag: 1, json: "path", kind: Str, repeated: false },
            Field { tag: 2, json: "verb", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.authorization.v1beta1.NonResourceRule",
        fields: &[
            Field { tag: 1, json: "verbs", kind: Str, repeated: true },
            Field { tag: 2, json: "nonResourceUrLs", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.authorization.v1beta1.ResourceAttributes",
        fields: &[
            Field { tag: 1, json: "namespace", kind: Str, repeated: false },
            Field { tag: 2, json: "verb", kind: Str, repeated: false },
            Field { tag: 3, json: "group", kind: Str, repeated: false },
            Field { tag: 4, json: "version", kind: Str, repeated: false },
            Field { tag: 5, json: "resource", kind: Str, repeated: false },
            Field { tag: 6, json: "subresource", kind: Str, repeated: false },
            Field { tag: 7, json: "name", kind: Str, repeated: false },
            Field { tag: 8, json: "fieldSelector", kind: Msg(216), repeated: false },
            Field { tag: 9, json: "labelSelector", kind: Msg(217), repeated: false },
        ],
    },
    Message {
        name: "api.authorization.v1beta1.ResourceRule",
        fields: &[
            Field { tag: 1, json: "verbs", kind: Str, repeated: true },
            Field { tag: 2, json: "apiGroups", kind: Str, repeated: true },
            Field { tag: 3, json: "resources", kind: Str, repeated: true },
            Field { tag: 4, json: "resourceNames", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.authorization.v1beta1.SelfSubjectAccessReview",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(238), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(243), repeated: false },
        ],
    },
    Message {
        name: "api.authorization.v1beta1.SelfSubjectAccessReviewSpec",
        fields: &[
            Field { tag: 1, json: "resourceAttributes", kind: Msg(235), repeated: false },
            Field { tag: 2, json: "nonResourceAttributes", kind: Msg(233), repeated: false },
        ],
    },
    Message {
        name: "api.authorization.v1beta1.SelfSubjectRulesReview",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(240), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(244), repeated: false },
        ],
    },
    Message {
        name: "api.authorization.v1beta1.SelfSubjectRulesReviewSpec",
        fields: &[
            Field { tag: 1, json: "namespace", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.authorization.v1beta1.SubjectAccessReview",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(242), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(243), repeated: false },
        ],
    },
    Message {
        name: "api.authorization.v1beta1.SubjectAccessReviewSpec",
        fields: &[
            Field { tag: 1, json: "resourceAttributes", kind: Msg(235), repeated: false },
            Field { tag: 2, json: "nonResourceAttributes", kind: Msg(233), repeated: false },
            Field { tag: 3, json: "user", kind: Str, repeated: false },
            Field { tag: 4, json: "group", kind: Str, repeated: true },
            Field { tag: 5, json: "extra", kind: Map(&Msg(231)), repeated: false },
            Field { tag: 6, json: "uid", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.authorization.v1beta1.SubjectAccessReviewStatus",
        fields: &[
            Field { tag: 1, json: "allowed", kind: Bool, repeated: false },
            Field { tag: 2, json: "reason", kind: Str, repeated: false },
            Field { tag: 3, json: "evaluationError", kind: Str, repeated: false },
            Field { tag: 4, json: "denied", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.authorization.v1beta1.SubjectRulesReviewStatus",
        fields: &[
            Field { tag: 1, json: "resourceRules", kind: Msg(236), repeated: true },
            Field { tag: 2, json: "nonResourceRules", kind: Msg(234), repeated: true },
            Field { tag: 3, json: "incomplete", kind: Bool, repeated: false },
            Field { tag: 4, json: "evaluationError", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v1.ContainerResourceMetricSource",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "targetAverageUtilization", kind: Int32, repeated: false },
            Field { tag: 3, json: "targetAverageValue", kind: Msg(1168), repeated: false },
            Field { tag: 5, json: "container", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v1.ContainerResourceMetricStatus",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "currentAverageUtilization", kind: Int32, repeated: false },
            Field { tag: 3, json: "currentAverageValue", kind: Msg(1168), repeated: false },
            Field { tag: 4, json: "container", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v1.CrossVersionObjectReference",
        fields: &[
            Field { tag: 1, json: "kind", kind: Str, repeated: false },
            Field { tag: 2, json: "name", kind: Str, repeated: false },
            Field { tag: 3, json: "apiVersion", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v1.ExternalMetricSource",
        fields: &[
            Field { tag: 1, json: "metricName", kind: Str, repeated: false },
            Field { tag: 2, json: "metricSelector", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "targetValue", kind: Msg(1168), repeated: false },
            Field { tag: 4, json: "targetAverageValue", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v1.ExternalMetricStatus",
        fields: &[
            Field { tag: 1, json: "metricName", kind: Str, repeated: false },
            Field { tag: 2, json: "metricSelector", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "currentValue", kind: Msg(1168), repeated: false },
            Field { tag: 4, json: "currentAverageValue", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v1.HorizontalPodAutoscaler",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(253), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(254), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v1.HorizontalPodAutoscalerCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v1.HorizontalPodAutoscalerList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(250), repeated: true },
        ],
    },
    Message {
        name: "api.autoscaling.v1.HorizontalPodAutoscalerSpec",
        fields: &[
            Field { tag: 1, json: "scaleTargetRef", kind: Msg(247), repeated: false },
            Field { tag: 2, json: "minReplicas", kind: Int32, repeated: false },
            Field { tag: 3, json: "maxReplicas", kind: Int32, repeated: false },
            Field { tag: 4, json: "targetCPUUtilizationPercentage", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v1.HorizontalPodAutoscalerStatus",
        fields: &[
            Field { tag: 1, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 2, json: "lastScaleTime", kind: Msg(1209), repeated: false },
            Field { tag: 3, json: "currentReplicas", kind: Int32, repeated: false },
            Field { tag: 4, json: "desiredReplicas", kind: Int32, repeated: false },
            Field { tag: 5, json: "currentCPUUtilizationPercentage", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v1.MetricSpec",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "object", kind: Msg(257), repeated: false },
            Field { tag: 3, json: "pods", kind: Msg(259), repeated: false },
            Field { tag: 4, json: "resource", kind: Msg(261), repeated: false },
            Field { tag: 5, json: "external", kind: Msg(248), repeated: false },
            Field { tag: 7, json: "containerResource", kind: Msg(245), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v1.MetricStatus",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "object", kind: Msg(258), repeated: false },
            Field { tag: 3, json: "pods", kind: Msg(260), repeated: false },
            Field { tag: 4, json: "resource", kind: Msg(262), repeated: false },
            Field { tag: 5, json: "external", kind: Msg(249), repeated: false },
            Field { tag: 7, json: "containerResource", kind: Msg(246), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v1.ObjectMetricSource",
        fields: &[
            Field { tag: 1, json: "target", kind: Msg(247), repeated: false },
            Field { tag: 2, json: "metricName", kind: Str, repeated: false },
            Field { tag: 3, json: "targetValue", kind: Msg(1168), repeated: false },
            Field { tag: 4, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 5, json: "averageValue", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v1.ObjectMetricStatus",
        fields: &[
            Field { tag: 1, json: "target", kind: Msg(247), repeated: false },
            Field { tag: 2, json: "metricName", kind: Str, repeated: false },
            Field { tag: 3, json: "currentValue", kind: Msg(1168), repeated: false },
            Field { tag: 4, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 5, json: "averageValue", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v1.PodsMetricSource",
        fields: &[
            Field { tag: 1, json: "metricName", kind: Str, repeated: false },
            Field { tag: 2, json: "targetAverageValue", kind: Msg(1168), repeated: false },
            Field { tag: 3, json: "selector", kind: Msg(1189), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v1.PodsMetricStatus",
        fields: &[
            Field { tag: 1, json: "metricName", kind: Str, repeated: false },
            Field { tag: 2, json: "currentAverageValue", kind: Msg(1168), repeated: false },
            Field { tag: 3, json: "selector", kind: Msg(1189), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v1.ResourceMetricSource",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "targetAverageUtilization", kind: Int32, repeated: false },
            Field { tag: 3, json: "targetAverageValue", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v1.ResourceMetricStatus",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "currentAverageUtilization", kind: Int32, repeated: false },
            Field { tag: 3, json: "currentAverageValue", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v1.Scale",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(264), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(265), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v1.ScaleSpec",
        fields: &[
            Field { tag: 1, json: "replicas", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v1.ScaleStatus",
        fields: &[
            Field { tag: 1, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 2, json: "selector", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2.ContainerResourceMetricSource",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "target", kind: Msg(282), repeated: false },
            Field { tag: 3, json: "container", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2.ContainerResourceMetricStatus",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "current", kind: Msg(283), repeated: false },
            Field { tag: 3, json: "container", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2.CrossVersionObjectReference",
        fields: &[
            Field { tag: 1, json: "kind", kind: Str, repeated: false },
            Field { tag: 2, json: "name", kind: Str, repeated: false },
            Field { tag: 3, json: "apiVersion", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2.ExternalMetricSource",
        fields: &[
            Field { tag: 1, json: "metric", kind: Msg(279), repeated: false },
            Field { tag: 2, json: "target", kind: Msg(282), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2.ExternalMetricStatus",
        fields: &[
            Field { tag: 1, json: "metric", kind: Msg(279), repeated: false },
            Field { tag: 2, json: "current", kind: Msg(283), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2.HorizontalPodAutoscaler",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(275), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(276), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2.HorizontalPodAutoscalerBehavior",
        fields: &[
            Field { tag: 1, json: "scaleUp", kind: Msg(278), repeated: false },
            Field { tag: 2, json: "scaleDown", kind: Msg(278), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2.HorizontalPodAutoscalerCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2.HorizontalPodAutoscalerList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(271), repeated: true },
        ],
    },
    Message {
        name: "api.autoscaling.v2.HorizontalPodAutoscalerSpec",
        fields: &[
            Field { tag: 1, json: "scaleTargetRef", kind: Msg(268), repeated: false },
            Field { tag: 2, json: "minReplicas", kind: Int32, repeated: false },
            Field { tag: 3, json: "maxReplicas", kind: Int32, repeated: false },
            Field { tag: 4, json: "metrics", kind: Msg(280), repeated: true },
            Field { tag: 5, json: "behavior", kind: Msg(272), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2.HorizontalPodAutoscalerStatus",
        fields: &[
            Field { tag: 1, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 2, json: "lastScaleTime", kind: Msg(1209), repeated: false },
            Field { tag: 3, json: "currentReplicas", kind: Int32, repeated: false },
            Field { tag: 4, json: "desiredReplicas", kind: Int32, repeated: false },
            Field { tag: 5, json: "currentMetrics", kind: Msg(281), repeated: true },
            Field { tag: 6, json: "conditions", kind: Msg(273), repeated: true },
        ],
    },
    Message {
        name: "api.autoscaling.v2.HpaScalingPolicy",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "value", kind: Int32, repeated: false },
            Field { tag: 3, json: "periodSeconds", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2.HpaScalingRules",
        fields: &[
            Field { tag: 1, json: "selectPolicy", kind: Str, repeated: false },
            Field { tag: 2, json: "policies", kind: Msg(277), repeated: true },
            Field { tag: 3, json: "stabilizationWindowSeconds", kind: Int32, repeated: false },
            Field { tag: 4, json: "tolerance", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2.MetricIdentifier",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "selector", kind: Msg(1189), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2.MetricSpec",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "object", kind: Msg(284), repeated: false },
            Field { tag: 3, json: "pods", kind: Msg(286), repeated: false },
            Field { tag: 4, json: "resource", kind: Msg(288), repeated: false },
            Field { tag: 5, json: "external", kind: Msg(269), repeated: false },
            Field { tag: 7, json: "containerResource", kind: Msg(266), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2.MetricStatus",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "object", kind: Msg(285), repeated: false },
            Field { tag: 3, json: "pods", kind: Msg(287), repeated: false },
            Field { tag: 4, json: "resource", kind: Msg(289), repeated: false },
            Field { tag: 5, json: "external", kind: Msg(270), repeated: false },
            Field { tag: 7, json: "containerResource", kind: Msg(267), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2.MetricTarget",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "value", kind: Msg(1168), repeated: false },
            Field { tag: 3, json: "averageValue", kind: Msg(1168), repeated: false },
            Field { tag: 4, json: "averageUtilization", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2.MetricValueStatus",
        fields: &[
            Field { tag: 1, json: "value", kind: Msg(1168), repeated: false },
            Field { tag: 2, json: "averageValue", kind: Msg(1168), repeated: false },
            Field { tag: 3, json: "averageUtilization", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2.ObjectMetricSource",
        fields: &[
            Field { tag: 1, json: "describedObject", kind: Msg(268), repeated: false },
            Field { tag: 2, json: "target", kind: Msg(282), repeated: false },
            Field { tag: 3, json: "metric", kind: Msg(279), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2.ObjectMetricStatus",
        fields: &[
            Field { tag: 1, json: "metric", kind: Msg(279), repeated: false },
            Field { tag: 2, json: "current", kind: Msg(283), repeated: false },
            Field { tag: 3, json: "describedObject", kind: Msg(268), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2.PodsMetricSource",
        fields: &[
            Field { tag: 1, json: "metric", kind: Msg(279), repeated: false },
            Field { tag: 2, json: "target", kind: Msg(282), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2.PodsMetricStatus",
        fields: &[
            Field { tag: 1, json: "metric", kind: Msg(279), repeated: false },
            Field { tag: 2, json: "current", kind: Msg(283), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2.ResourceMetricSource",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "target", kind: Msg(282), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2.ResourceMetricStatus",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "current", kind: Msg(283), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta1.ContainerResourceMetricSource",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "targetAverageUtilization", kind: Int32, repeated: false },
            Field { tag: 3, json: "targetAverageValue", kind: Msg(1168), repeated: false },
            Field { tag: 4, json: "container", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta1.ContainerResourceMetricStatus",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "currentAverageUtilization", kind: Int32, repeated: false },
            Field { tag: 3, json: "currentAverageValue", kind: Msg(1168), repeated: false },
            Field { tag: 4, json: "container", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta1.CrossVersionObjectReference",
        fields: &[
            Field { tag: 1, json: "kind", kind: Str, repeated: false },
            Field { tag: 2, json: "name", kind: Str, repeated: false },
            Field { tag: 3, json: "apiVersion", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta1.ExternalMetricSource",
        fields: &[
            Field { tag: 1, json: "metricName", kind: Str, repeated: false },
            Field { tag: 2, json: "metricSelector", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "targetValue", kind: Msg(1168), repeated: false },
            Field { tag: 4, json: "targetAverageValue", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta1.ExternalMetricStatus",
        fields: &[
            Field { tag: 1, json: "metricName", kind: Str, repeated: false },
            Field { tag: 2, json: "metricSelector", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "currentValue", kind: Msg(1168), repeated: false },
            Field { tag: 4, json: "currentAverageValue", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta1.HorizontalPodAutoscaler",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(298), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(299), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta1.HorizontalPodAutoscalerCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta1.HorizontalPodAutoscalerList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(295), repeated: true },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta1.HorizontalPodAutoscalerSpec",
        fields: &[
            Field { tag: 1, json: "scaleTargetRef", kind: Msg(292), repeated: false },
            Field { tag: 2, json: "minReplicas", kind: Int32, repeated: false },
            Field { tag: 3, json: "maxReplicas", kind: Int32, repeated: false },
            Field { tag: 4, json: "metrics", kind: Msg(300), repeated: true },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta1.HorizontalPodAutoscalerStatus",
        fields: &[
            Field { tag: 1, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 2, json: "lastScaleTime", kind: Msg(1209), repeated: false },
            Field { tag: 3, json: "currentReplicas", kind: Int32, repeated: false },
            Field { tag: 4, json: "desiredReplicas", kind: Int32, repeated: false },
            Field { tag: 5, json: "currentMetrics", kind: Msg(301), repeated: true },
            Field { tag: 6, json: "conditions", kind: Msg(296), repeated: true },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta1.MetricSpec",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "object", kind: Msg(302), repeated: false },
            Field { tag: 3, json: "pods", kind: Msg(304), repeated: false },
            Field { tag: 4, json: "resource", kind: Msg(306), repeated: false },
            Field { tag: 5, json: "external", kind: Msg(293), repeated: false },
            Field { tag: 7, json: "containerResource", kind: Msg(290), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta1.MetricStatus",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "object", kind: Msg(303), repeated: false },
            Field { tag: 3, json: "pods", kind: Msg(305), repeated: false },
            Field { tag: 4, json: "resource", kind: Msg(307), repeated: false },
            Field { tag: 5, json: "external", kind: Msg(294), repeated: false },
            Field { tag: 7, json: "containerResource", kind: Msg(291), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta1.ObjectMetricSource",
        fields: &[
            Field { tag: 1, json: "target", kind: Msg(292), repeated: false },
            Field { tag: 2, json: "metricName", kind: Str, repeated: false },
            Field { tag: 3, json: "targetValue", kind: Msg(1168), repeated: false },
            Field { tag: 4, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 5, json: "averageValue", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta1.ObjectMetricStatus",
        fields: &[
            Field { tag: 1, json: "target", kind: Msg(292), repeated: false },
            Field { tag: 2, json: "metricName", kind: Str, repeated: false },
            Field { tag: 3, json: "currentValue", kind: Msg(1168), repeated: false },
            Field { tag: 4, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 5, json: "averageValue", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta1.PodsMetricSource",
        fields: &[
            Field { tag: 1, json: "metricName", kind: Str, repeated: false },
            Field { tag: 2, json: "targetAverageValue", kind: Msg(1168), repeated: false },
            Field { tag: 3, json: "selector", kind: Msg(1189), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta1.PodsMetricStatus",
        fields: &[
            Field { tag: 1, json: "metricName", kind: Str, repeated: false },
            Field { tag: 2, json: "currentAverageValue", kind: Msg(1168), repeated: false },
            Field { tag: 3, json: "selector", kind: Msg(1189), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta1.ResourceMetricSource",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "targetAverageUtilization", kind: Int32, repeated: false },
            Field { tag: 3, json: "targetAverageValue", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta1.ResourceMetricStatus",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "currentAverageUtilization", kind: Int32, repeated: false },
            Field { tag: 3, json: "currentAverageValue", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.ContainerResourceMetricSource",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "target", kind: Msg(324), repeated: false },
            Field { tag: 3, json: "container", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.ContainerResourceMetricStatus",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "current", kind: Msg(325), repeated: false },
            Field { tag: 3, json: "container", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.CrossVersionObjectReference",
        fields: &[
            Field { tag: 1, json: "kind", kind: Str, repeated: false },
            Field { tag: 2, json: "name", kind: Str, repeated: false },
            Field { tag: 3, json: "apiVersion", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.ExternalMetricSource",
        fields: &[
            Field { tag: 1, json: "metric", kind: Msg(321), repeated: false },
            Field { tag: 2, json: "target", kind: Msg(324), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.ExternalMetricStatus",
        fields: &[
            Field { tag: 1, json: "metric", kind: Msg(321), repeated: false },
            Field { tag: 2, json: "current", kind: Msg(325), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.HorizontalPodAutoscaler",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(317), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(318), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.HorizontalPodAutoscalerBehavior",
        fields: &[
            Field { tag: 1, json: "scaleUp", kind: Msg(320), repeated: false },
            Field { tag: 2, json: "scaleDown", kind: Msg(320), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.HorizontalPodAutoscalerCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.HorizontalPodAutoscalerList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(313), repeated: true },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.HorizontalPodAutoscalerSpec",
        fields: &[
            Field { tag: 1, json: "scaleTargetRef", kind: Msg(310), repeated: false },
            Field { tag: 2, json: "minReplicas", kind: Int32, repeated: false },
            Field { tag: 3, json: "maxReplicas", kind: Int32, repeated: false },
            Field { tag: 4, json: "metrics", kind: Msg(322), repeated: true },
            Field { tag: 5, json: "behavior", kind: Msg(314), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.HorizontalPodAutoscalerStatus",
        fields: &[
            Field { tag: 1, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 2, json: "lastScaleTime", kind: Msg(1209), repeated: false },
            Field { tag: 3, json: "currentReplicas", kind: Int32, repeated: false },
            Field { tag: 4, json: "desiredReplicas", kind: Int32, repeated: false },
            Field { tag: 5, json: "currentMetrics", kind: Msg(323), repeated: true },
            Field { tag: 6, json: "conditions", kind: Msg(315), repeated: true },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.HpaScalingPolicy",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "value", kind: Int32, repeated: false },
            Field { tag: 3, json: "periodSeconds", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.HpaScalingRules",
        fields: &[
            Field { tag: 1, json: "selectPolicy", kind: Str, repeated: false },
            Field { tag: 2, json: "policies", kind: Msg(319), repeated: true },
            Field { tag: 3, json: "stabilizationWindowSeconds", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.MetricIdentifier",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "selector", kind: Msg(1189), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.MetricSpec",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "object", kind: Msg(326), repeated: false },
            Field { tag: 3, json: "pods", kind: Msg(328), repeated: false },
            Field { tag: 4, json: "resource", kind: Msg(330), repeated: false },
            Field { tag: 5, json: "external", kind: Msg(311), repeated: false },
            Field { tag: 7, json: "containerResource", kind: Msg(308), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.MetricStatus",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "object", kind: Msg(327), repeated: false },
            Field { tag: 3, json: "pods", kind: Msg(329), repeated: false },
            Field { tag: 4, json: "resource", kind: Msg(331), repeated: false },
            Field { tag: 5, json: "external", kind: Msg(312), repeated: false },
            Field { tag: 7, json: "containerResource", kind: Msg(309), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.MetricTarget",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "value", kind: Msg(1168), repeated: false },
            Field { tag: 3, json: "averageValue", kind: Msg(1168), repeated: false },
            Field { tag: 4, json: "averageUtilization", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.MetricValueStatus",
        fields: &[
            Field { tag: 1, json: "value", kind: Msg(1168), repeated: false },
            Field { tag: 2, json: "averageValue", kind: Msg(1168), repeated: false },
            Field { tag: 3, json: "averageUtilization", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.ObjectMetricSource",
        fields: &[
            Field { tag: 1, json: "describedObject", kind: Msg(310), repeated: false },
            Field { tag: 2, json: "target", kind: Msg(324), repeated: false },
            Field { tag: 3, json: "metric", kind: Msg(321), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.ObjectMetricStatus",
        fields: &[
            Field { tag: 1, json: "metric", kind: Msg(321), repeated: false },
            Field { tag: 2, json: "current", kind: Msg(325), repeated: false },
            Field { tag: 3, json: "describedObject", kind: Msg(310), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.PodsMetricSource",
        fields: &[
            Field { tag: 1, json: "metric", kind: Msg(321), repeated: false },
            Field { tag: 2, json: "target", kind: Msg(324), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.PodsMetricStatus",
        fields: &[
            Field { tag: 1, json: "metric", kind: Msg(321), repeated: false },
            Field { tag: 2, json: "current", kind: Msg(325), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.ResourceMetricSource",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "target", kind: Msg(324), repeated: false },
        ],
    },
    Message {
        name: "api.autoscaling.v2beta2.ResourceMetricStatus",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "current", kind: Msg(325), repeated: false },
        ],
    },
    Message {
        name: "api.batch.v1.CronJob",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(334), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(335), repeated: false },
        ],
    },
    Message {
        name: "api.batch.v1.CronJobList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(332), repeated: true },
        ],
    },
    Message {
        name: "api.batch.v1.CronJobSpec",
        fields: &[
            Field { tag: 1, json: "schedule", kind: Str, repeated: false },
            Field { tag: 2, json: "startingDeadlineSeconds", kind: Int64, repeated: false },
            Field { tag: 3, json: "concurrencyPolicy", kind: Str, repeated: false },
            Field { tag: 4, json: "suspend", kind: Bool, repeated: false },
            Field { tag: 5, json: "jobTemplate", kind: Msg(341), repeated: false },
            Field { tag: 6, json: "successfulJobsHistoryLimit", kind: Int32, repeated: false },
            Field { tag: 7, json: "failedJobsHistoryLimit", kind: Int32, repeated: false },
            Field { tag: 8, json: "timeZone", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.batch.v1.CronJobStatus",
        fields: &[
            Field { tag: 1, json: "active", kind: Msg(508), repeated: true },
            Field { tag: 4, json: "lastScheduleTime", kind: Msg(1209), repeated: false },
            Field { tag: 5, json: "lastSuccessfulTime", kind: Msg(1209), repeated: false },
        ],
    },
    Message {
        name: "api.batch.v1.Job",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(339), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(340), repeated: false },
        ],
    },
    Message {
        name: "api.batch.v1.JobCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastProbeTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 5, json: "reason", kind: Str, repeated: false },
            Field { tag: 6, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.batch.v1.JobList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(336), repeated: true },
        ],
    },
    Message {
        name: "api.batch.v1.JobSpec",
        fields: &[
            Field { tag: 1, json: "parallelism", kind: Int32, repeated: false },
            Field { tag: 2, json: "completions", kind: Int32, repeated: false },
            Field { tag: 3, json: "activeDeadlineSeconds", kind: Int64, repeated: false },
            Field { tag: 4, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 5, json: "manualSelector", kind: Bool, repeated: false },
            Field { tag: 6, json: "template", kind: Msg(550), repeated: false },
            Field { tag: 7, json: "backoffLimit", kind: Int32, repeated: false },
            Field { tag: 8, json: "ttlSecondsAfterFinished", kind: Int32, repeated: false },
            Field { tag: 9, json: "completionMode", kind: Str, repeated: false },
            Field { tag: 10, json: "suspend", kind: Bool, repeated: false },
            Field { tag: 11, json: "podFailurePolicy", kind: Msg(342), repeated: false },
            Field { tag: 12, json: "backoffLimitPerIndex", kind: Int32, repeated: false },
            Field { tag: 13, json: "maxFailedIndexes", kind: Int32, repeated: false },
            Field { tag: 14, json: "podReplacementPolicy", kind: Str, repeated: false },
            Field { tag: 15, json: "managedBy", kind: Str, repeated: false },
            Field { tag: 16, json: "successPolicy", kind: Msg(346), repeated: false },
        ],
    },
    Message {
        name: "api.batch.v1.JobStatus",
        fields: &[
            Field { tag: 1, json: "conditions", kind: Msg(337), repeated: true },
            Field { tag: 2, json: "startTime", kind: Msg(1209), repeated: false },
            Field { tag: 3, json: "completionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "active", kind: Int32, repeated: false },
            Field { tag: 5, json: "succeeded", kind: Int32, repeated: false },
            Field { tag: 6, json: "failed", kind: Int32, repeated: false },
            Field { tag: 7, json: "completedIndexes", kind: Str, repeated: false },
            Field { tag: 8, json: "uncountedTerminatedPods", kind: Msg(348), repeated: false },
            Field { tag: 9, json: "ready", kind: Int32, repeated: false },
            Field { tag: 10, json: "failedIndexes", kind: Str, repeated: false },
            Field { tag: 11, json: "terminating", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.batch.v1.JobTemplateSpec",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(339), repeated: false },
        ],
    },
    Message {
        name: "api.batch.v1.PodFailurePolicy",
        fields: &[
            Field { tag: 1, json: "rules", kind: Msg(345), repeated: true },
        ],
    },
    Message {
        name: "api.batch.v1.PodFailurePolicyOnExitCodesRequirement",
        fields: &[
            Field { tag: 1, json: "containerName", kind: Str, repeated: false },
            Field { tag: 2, json: "operator", kind: Str, repeated: false },
            Field { tag: 3, json: "values", kind: Int32, repeated: true },
        ],
    },
    Message {
        name: "api.batch.v1.PodFailurePolicyOnPodConditionsPattern",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.batch.v1.PodFailurePolicyRule",
        fields: &[
            Field { tag: 1, json: "action", kind: Str, repeated: false },
            Field { tag: 2, json: "onExitCodes", kind: Msg(343), repeated: false },
            Field { tag: 3, json: "onPodConditions", kind: Msg(344), repeated: true },
        ],
    },
    Message {
        name: "api.batch.v1.SuccessPolicy",
        fields: &[
            Field { tag: 1, json: "rules", kind: Msg(347), repeated: true },
        ],
    },
    Message {
        name: "api.batch.v1.SuccessPolicyRule",
        fields: &[
            Field { tag: 1, json: "succeededIndexes", kind: Str, repeated: false },
            Field { tag: 2, json: "succeededCount", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.batch.v1.UncountedTerminatedPods",
        fields: &[
            Field { tag: 1, json: "succeeded", kind: Str, repeated: true },
            Field { tag: 2, json: "failed", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.batch.v1beta1.CronJob",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(351), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(352), repeated: false },
        ],
    },
    Message {
        name: "api.batch.v1beta1.CronJobList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(349), repeated: true },
        ],
    },
    Message {
        name: "api.batch.v1beta1.CronJobSpec",
        fields: &[
            Field { tag: 1, json: "schedule", kind: Str, repeated: false },
            Field { tag: 2, json: "startingDeadlineSeconds", kind: Int64, repeated: false },
            Field { tag: 3, json: "concurrencyPolicy", kind: Str, repeated: false },
            Field { tag: 4, json: "suspend", kind: Bool, repeated: false },
            Field { tag: 5, json: "jobTemplate", kind: Msg(353), repeated: false },
            Field { tag: 6, json: "successfulJobsHistoryLimit", kind: Int32, repeated: false },
            Field { tag: 7, json: "failedJobsHistoryLimit", kind: Int32, repeated: false },
            Field { tag: 8, json: "timeZone", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.batch.v1beta1.CronJobStatus",
        fields: &[
            Field { tag: 1, json: "active", kind: Msg(508), repeated: true },
            Field { tag: 4, json: "lastScheduleTime", kind: Msg(1209), repeated: false },
            Field { tag: 5, json: "lastSuccessfulTime", kind: Msg(1209), repeated: false },
        ],
    },
    Message {
        name: "api.batch.v1beta1.JobTemplateSpec",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(339), repeated: false },
        ],
    },
    Message {
        name: "api.certificates.v1.CertificateSigningRequest",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(357), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(358), repeated: false },
        ],
    },
    Message {
        name: "api.certificates.v1.CertificateSigningRequestCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "reason", kind: Str, repeated: false },
            Field { tag: 3, json: "message", kind: Str, repeated: false },
            Field { tag: 4, json: "lastUpdateTime", kind: Msg(1209), repeated: false },
            Field { tag: 5, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 6, json: "status", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.certificates.v1.CertificateSigningRequestList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(354), repeated: true },
        ],
    },
    Message {
        name: "api.certificates.v1.CertificateSigningRequestSpec",
        fields: &[
            Field { tag: 1, json: "request", kind: Bytes, repeated: false },
            Field { tag: 2, json: "username", kind: Str, repeated: false },
            Field { tag: 3, json: "uid", kind: Str, repeated: false },
            Field { tag: 4, json: "groups", kind: Str, repeated: true },
            Field { tag: 5, json: "usages", kind: Str, repeated: true },
            Field { tag: 6, json: "extra", kind: Map(&Msg(359)), repeated: false },
            Field { tag: 7, json: "signerName", kind: Str, repeated: false },
            Field { tag: 8, json: "expirationSeconds", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.certificates.v1.CertificateSigningRequestStatus",
        fields: &[
            Field { tag: 1, json: "conditions", kind: Msg(355), repeated: true },
            Field { tag: 2, json: "certificate", kind: Bytes, repeated: false },
        ],
    },
    Message {
        name: "api.certificates.v1.ExtraValue",
        fields: &[
            Field { tag: 1, json: "items", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.certificates.v1alpha1.ClusterTrustBundle",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(362), repeated: false },
        ],
    },
    Message {
        name: "api.certificates.v1alpha1.ClusterTrustBundleList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(360), repeated: true },
        ],
    },
    Message {
        name: "api.certificates.v1alpha1.ClusterTrustBundleSpec",
        fields: &[
            Field { tag: 1, json: "signerName", kind: Str, repeated: false },
            Field { tag: 2, json: "trustBundle", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.certificates.v1beta1.CertificateSigningRequest",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(366), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(367), repeated: false },
        ],
    },
    Message {
        name: "api.certificates.v1beta1.CertificateSigningRequestCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "reason", kind: Str, repeated: false },
            Field { tag: 3, json: "message", kind: Str, repeated: false },
            Field { tag: 4, json: "lastUpdateTime", kind: Msg(1209), repeated: false },
            Field { tag: 5, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 6, json: "status", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.certificates.v1beta1.CertificateSigningRequestList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(363), repeated: true },
        ],
    },
    Message {
        name: "api.certificates.v1beta1.CertificateSigningRequestSpec",
        fields: &[
            Field { tag: 1, json: "request", kind: Bytes, repeated: false },
            Field { tag: 2, json: "username", kind: Str, repeated: false },
            Field { tag: 3, json: "uid", kind: Str, repeated: false },
            Field { tag: 4, json: "groups", kind: Str, repeated: true },
            Field { tag: 5, json: "usages", kind: Str, repeated: true },
            Field { tag: 6, json: "extra", kind: Map(&Msg(371)), repeated: false },
            Field { tag: 7, json: "signerName", kind: Str, repeated: false },
            Field { tag: 8, json: "expirationSeconds", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.certificates.v1beta1.CertificateSigningRequestStatus",
        fields: &[
            Field { tag: 1, json: "conditions", kind: Msg(364), repeated: true },
            Field { tag: 2, json: "certificate", kind: Bytes, repeated: false },
        ],
    },
    Message {
        name: "api.certificates.v1beta1.ClusterTrustBundle",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(370), repeated: false },
        ],
    },
    Message {
        name: "api.certificates.v1beta1.ClusterTrustBundleList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(368), repeated: true },
        ],
    },
    Message {
        name: "api.certificates.v1beta1.ClusterTrustBundleSpec",
        fields: &[
            Field { tag: 1, json: "signerName", kind: Str, repeated: false },
            Field { tag: 2, json: "trustBundle", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.certificates.v1beta1.ExtraValue",
        fields: &[
            Field { tag: 1, json: "items", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.certificates.v1beta1.PodCertificateRequest",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(374), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(375), repeated: false },
        ],
    },
    Message {
        name: "api.certificates.v1beta1.PodCertificateRequestList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(372), repeated: true },
        ],
    },
    Message {
        name: "api.certificates.v1beta1.PodCertificateRequestSpec",
        fields: &[
            Field { tag: 1, json: "signerName", kind: Str, repeated: false },
            Field { tag: 2, json: "podName", kind: Str, repeated: false },
            Field { tag: 3, json: "podUID", kind: Str, repeated: false },
            Field { tag: 4, json: "serviceAccountName", kind: Str, repeated: false },
            Field { tag: 5, json: "serviceAccountUID", kind: Str, repeated: false },
            Field { tag: 6, json: "nodeName", kind: Str, repeated: false },
            Field { tag: 7, json: "nodeUID", kind: Str, repeated: false },
            Field { tag: 8, json: "maxExpirationSeconds", kind: Int32, repeated: false },
            Field { tag: 9, json: "pkixPublicKey", kind: Bytes, repeated: false },
            Field { tag: 10, json: "proofOfPossession", kind: Bytes, repeated: false },
            Field { tag: 11, json: "unverifiedUserAnnotations", kind: Map(&Str), repeated: false },
        ],
    },
    Message {
        name: "api.certificates.v1beta1.PodCertificateRequestStatus",
        fields: &[
            Field { tag: 1, json: "conditions", kind: Msg(1176), repeated: true },
            Field { tag: 2, json: "certificateChain", kind: Str, repeated: false },
            Field { tag: 4, json: "notBefore", kind: Msg(1209), repeated: false },
            Field { tag: 5, json: "beginRefreshAt", kind: Msg(1209), repeated: false },
            Field { tag: 6, json: "notAfter", kind: Msg(1209), repeated: false },
        ],
    },
    Message {
        name: "api.coordination.v1.Lease",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(378), repeated: false },
        ],
    },
    Message {
        name: "api.coordination.v1.LeaseList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(376), repeated: true },
        ],
    },
    Message {
        name: "api.coordination.v1.LeaseSpec",
        fields: &[
            Field { tag: 1, json: "holderIdentity", kind: Str, repeated: false },
            Field { tag: 2, json: "leaseDurationSeconds", kind: Int32, repeated: false },
            Field { tag: 3, json: "acquireTime", kind: Msg(1195), repeated: false },
            Field { tag: 4, json: "renewTime", kind: Msg(1195), repeated: false },
            Field { tag: 5, json: "leaseTransitions", kind: Int32, repeated: false },
            Field { tag: 6, json: "strategy", kind: Str, repeated: false },
            Field { tag: 7, json: "preferredHolder", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.coordination.v1alpha2.LeaseCandidate",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(381), repeated: false },
        ],
    },
    Message {
        name: "api.coordination.v1alpha2.LeaseCandidateList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(379), repeated: true },
        ],
    },
    Message {
        name: "api.coordination.v1alpha2.LeaseCandidateSpec",
        fields: &[
            Field { tag: 1, json: "leaseName", kind: Str, repeated: false },
            Field { tag: 2, json: "pingTime", kind: Msg(1195), repeated: false },
            Field { tag: 3, json: "renewTime", kind: Msg(1195), repeated: false },
            Field { tag: 4, json: "binaryVersion", kind: Str, repeated: false },
            Field { tag: 5, json: "emulationVersion", kind: Str, repeated: false },
            Field { tag: 6, json: "strategy", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.coordination.v1beta1.Lease",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(387), repeated: false },
        ],
    },
    Message {
        name: "api.coordination.v1beta1.LeaseCandidate",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(385), repeated: false },
        ],
    },
    Message {
        name: "api.coordination.v1beta1.LeaseCandidateList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(383), repeated: true },
        ],
    },
    Message {
        name: "api.coordination.v1beta1.LeaseCandidateSpec",
        fields: &[
            Field { tag: 1, json: "leaseName", kind: Str, repeated: false },
            Field { tag: 2, json: "pingTime", kind: Msg(1195), repeated: false },
            Field { tag: 3, json: "renewTime", kind: Msg(1195), repeated: false },
            Field { tag: 4, json: "binaryVersion", kind: Str, repeated: false },
            Field { tag: 5, json: "emulationVersion", kind: Str, repeated: false },
            Field { tag: 6, json: "strategy", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.coordination.v1beta1.LeaseList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(382), repeated: true },
        ],
    },
    Message {
        name: "api.coordination.v1beta1.LeaseSpec",
        fields: &[
            Field { tag: 1, json: "holderIdentity", kind: Str, repeated: false },
            Field { tag: 2, json: "leaseDurationSeconds", kind: Int32, repeated: false },
            Field { tag: 3, json: "acquireTime", kind: Msg(1195), repeated: false },
            Field { tag: 4, json: "renewTime", kind: Msg(1195), repeated: false },
            Field { tag: 5, json: "leaseTransitions", kind: Int32, repeated: false },
            Field { tag: 6, json: "strategy", kind: Str, repeated: false },
            Field { tag: 7, json: "preferredHolder", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.Affinity",
        fields: &[
            Field { tag: 1, json: "nodeAffinity", kind: Msg(490), repeated: false },
            Field { tag: 2, json: "podAffinity", kind: Msg(523), repeated: false },
            Field { tag: 3, json: "podAntiAffinity", kind: Msg(525), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.AppArmorProfile",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "localhostProfile", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.AttachedVolume",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "devicePath", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.AvoidPods",
        fields: &[
            Field { tag: 1, json: "preferAvoidPods", kind: Msg(554), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.AwsElasticBlockStoreVolumeSource",
        fields: &[
            Field { tag: 1, json: "volumeID", kind: Str, repeated: false },
            Field { tag: 2, json: "fsType", kind: Str, repeated: false },
            Field { tag: 3, json: "partition", kind: Int32, repeated: false },
            Field { tag: 4, json: "readOnly", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.AzureDiskVolumeSource",
        fields: &[
            Field { tag: 1, json: "diskName", kind: Str, repeated: false },
            Field { tag: 2, json: "diskURI", kind: Str, repeated: false },
            Field { tag: 3, json: "cachingMode", kind: Str, repeated: false },
            Field { tag: 4, json: "fsType", kind: Str, repeated: false },
            Field { tag: 5, json: "readOnly", kind: Bool, repeated: false },
            Field { tag: 6, json: "kind", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.AzureFilePersistentVolumeSource",
        fields: &[
            Field { tag: 1, json: "secretName", kind: Str, repeated: false },
            Field { tag: 2, json: "shareName", kind: Str, repeated: false },
            Field { tag: 3, json: "readOnly", kind: Bool, repeated: false },
            Field { tag: 4, json: "secretNamespace", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.AzureFileVolumeSource",
        fields: &[
            Field { tag: 1, json: "secretName", kind: Str, repeated: false },
            Field { tag: 2, json: "shareName", kind: Str, repeated: false },
            Field { tag: 3, json: "readOnly", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.Binding",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "target", kind: Msg(508), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.CSIPersistentVolumeSource",
        fields: &[
            Field { tag: 1, json: "driver", kind: Str, repeated: false },
            Field { tag: 2, json: "volumeHandle", kind: Str, repeated: false },
            Field { tag: 3, json: "readOnly", kind: Bool, repeated: false },
            Field { tag: 4, json: "fsType", kind: Str, repeated: false },
            Field { tag: 5, json: "volumeAttributes", kind: Map(&Str), repeated: false },
            Field { tag: 6, json: "controllerPublishSecretRef", kind: Msg(588), repeated: false },
            Field { tag: 7, json: "nodeStageSecretRef", kind: Msg(588), repeated: false },
            Field { tag: 8, json: "nodePublishSecretRef", kind: Msg(588), repeated: false },
            Field { tag: 9, json: "controllerExpandSecretRef", kind: Msg(588), repeated: false },
            Field { tag: 10, json: "nodeExpandSecretRef", kind: Msg(588), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.CSIVolumeSource",
        fields: &[
            Field { tag: 1, json: "driver", kind: Str, repeated: false },
            Field { tag: 2, json: "readOnly", kind: Bool, repeated: false },
            Field { tag: 3, json: "fsType", kind: Str, repeated: false },
            Field { tag: 4, json: "volumeAttributes", kind: Map(&Str), repeated: false },
            Field { tag: 5, json: "nodePublishSecretRef", kind: Msg(479), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.Capabilities",
        fields: &[
            Field { tag: 1, json: "add", kind: Str, repeated: true },
            Field { tag: 2, json: "drop", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.CephFsPersistentVolumeSource",
        fields: &[
            Field { tag: 1, json: "monitors", kind: Str, repeated: true },
            Field { tag: 2, json: "path", kind: Str, repeated: false },
            Field { tag: 3, json: "user", kind: Str, repeated: false },
            Field { tag: 4, json: "secretFile", kind: Str, repeated: false },
            Field { tag: 5, json: "secretRef", kind: Msg(588), repeated: false },
            Field { tag: 6, json: "readOnly", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.CephFsVolumeSource",
        fields: &[
            Field { tag: 1, json: "monitors", kind: Str, repeated: true },
            Field { tag: 2, json: "path", kind: Str, repeated: false },
            Field { tag: 3, json: "user", kind: Str, repeated: false },
            Field { tag: 4, json: "secretFile", kind: Str, repeated: false },
            Field { tag: 5, json: "secretRef", kind: Msg(479), repeated: false },
            Field { tag: 6, json: "readOnly", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.CinderPersistentVolumeSource",
        fields: &[
            Field { tag: 1, json: "volumeID", kind: Str, repeated: false },
            Field { tag: 2, json: "fsType", kind: Str, repeated: false },
            Field { tag: 3, json: "readOnly", kind: Bool, repeated: false },
            Field { tag: 4, json: "secretRef", kind: Msg(588), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.CinderVolumeSource",
        fields: &[
            Field { tag: 1, json: "volumeID", kind: Str, repeated: false },
            Field { tag: 2, json: "fsType", kind: Str, repeated: false },
            Field { tag: 3, json: "readOnly", kind: Bool, repeated: false },
            Field { tag: 4, json: "secretRef", kind: Msg(479), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ClientIpConfig",
        fields: &[
            Field { tag: 1, json: "timeoutSeconds", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ClusterTrustBundleProjection",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "signerName", kind: Str, repeated: false },
            Field { tag: 3, json: "labelSelector", kind: Msg(1189), repeated: false },
            Field { tag: 4, json: "path", kind: Str, repeated: false },
            Field { tag: 5, json: "optional", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ComponentCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "message", kind: Str, repeated: false },
            Field { tag: 4, json: "error", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ComponentStatus",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "conditions", kind: Msg(406), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.ComponentStatusList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(407), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.ConfigMap",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "data", kind: Map(&Str), repeated: false },
            Field { tag: 3, json: "binaryData", kind: Map(&Bytes), repeated: false },
            Field { tag: 4, json: "immutable", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ConfigMapEnvSource",
        fields: &[
            Field { tag: 1, json: "", kind: Msg(479), repeated: false },
            Field { tag: 2, json: "optional", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ConfigMapKeySelector",
        fields: &[
            Field { tag: 1, json: "", kind: Msg(479), repeated: false },
            Field { tag: 2, json: "key", kind: Str, repeated: false },
            Field { tag: 3, json: "optional", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ConfigMapList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(409), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.ConfigMapNodeConfigSource",
        fields: &[
            Field { tag: 1, json: "namespace", kind: Str, repeated: false },
            Field { tag: 2, json: "name", kind: Str, repeated: false },
            Field { tag: 3, json: "uid", kind: Str, repeated: false },
            Field { tag: 4, json: "resourceVersion", kind: Str, repeated: false },
            Field { tag: 5, json: "kubeletConfigKey", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ConfigMapProjection",
        fields: &[
            Field { tag: 1, json: "", kind: Msg(479), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(468), repeated: true },
            Field { tag: 4, json: "optional", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ConfigMapVolumeSource",
        fields: &[
            Field { tag: 1, json: "", kind: Msg(479), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(468), repeated: true },
            Field { tag: 3, json: "defaultMode", kind: Int32, repeated: false },
            Field { tag: 4, json: "optional", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.Container",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "image", kind: Str, repeated: false },
            Field { tag: 3, json: "command", kind: Str, repeated: true },
            Field { tag: 4, json: "args", kind: Str, repeated: true },
            Field { tag: 5, json: "workingDir", kind: Str, repeated: false },
            Field { tag: 6, json: "ports", kind: Msg(419), repeated: true },
            Field { tag: 7, json: "env", kind: Msg(440), repeated: true },
            Field { tag: 8, json: "resources", kind: Msg(575), repeated: false },
            Field { tag: 9, json: "volumeMounts", kind: Msg(616), repeated: true },
            Field { tag: 10, json: "livenessProbe", kind: Msg(556), repeated: false },
            Field { tag: 11, json: "readinessProbe", kind: Msg(556), repeated: false },
            Field { tag: 12, json: "lifecycle", kind: Msg(469), repeated: false },
            Field { tag: 13, json: "terminationMessagePath", kind: Str, repeated: false },
            Field { tag: 14, json: "imagePullPolicy", kind: Str, repeated: false },
            Field { tag: 15, json: "securityContext", kind: Msg(590), repeated: false },
            Field { tag: 16, json: "stdin", kind: Bool, repeated: false },
            Field { tag: 17, json: "stdinOnce", kind: Bool, repeated: false },
            Field { tag: 18, json: "tty", kind: Bool, repeated: false },
            Field { tag: 19, json: "envFrom", kind: Msg(439), repeated: true },
            Field { tag: 20, json: "terminationMessagePolicy", kind: Str, repeated: false },
            Field { tag: 21, json: "volumeDevices", kind: Msg(615), repeated: true },
            Field { tag: 22, json: "startupProbe", kind: Msg(556), repeated: false },
            Field { tag: 23, json: "resizePolicy", kind: Msg(420), repeated: true },
            Field { tag: 24, json: "restartPolicy", kind: Str, repeated: false },
            Field { tag: 25, json: "restartPolicyRules", kind: Msg(421), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.ContainerExtendedResourceRequest",
        fields: &[
            Field { tag: 1, json: "containerName", kind: Str, repeated: false },
            Field { tag: 2, json: "resourceName", kind: Str, repeated: false },
            Field { tag: 3, json: "requestName", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ContainerImage",
        fields: &[
            Field { tag: 1, json: "names", kind: Str, repeated: true },
            Field { tag: 2, json: "sizeBytes", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ContainerPort",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "hostPort", kind: Int32, repeated: false },
            Field { tag: 3, json: "containerPort", kind: Int32, repeated: false },
            Field { tag: 4, json: "protocol", kind: Str, repeated: false },
            Field { tag: 5, json: "hostIP", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ContainerResizePolicy",
        fields: &[
            Field { tag: 1, json: "resourceName", kind: Str, repeated: false },
            Field { tag: 2, json: "restartPolicy", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ContainerRestartRule",
        fields: &[
            Field { tag: 1, json: "action", kind: Str, repeated: false },
            Field { tag: 2, json: "exitCodes", kind: Msg(422), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ContainerRestartRuleOnExitCodes",
        fields: &[
            Field { tag: 1, json: "operator", kind: Str, repeated: false },
            Field { tag: 2, json: "values", kind: Int32, repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.ContainerState",
        fields: &[
            Field { tag: 1, json: "waiting", kind: Msg(426), repeated: false },
            Field { tag: 2, json: "running", kind: Msg(424), repeated: false },
            Field { tag: 3, json: "terminated", kind: Msg(425), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ContainerStateRunning",
        fields: &[
            Field { tag: 1, json: "startedAt", kind: Msg(1209), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ContainerStateTerminated",
        fields: &[
            Field { tag: 1, json: "exitCode", kind: Int32, repeated: false },
            Field { tag: 2, json: "signal", kind: Int32, repeated: false },
            Field { tag: 3, json: "reason", kind: Str, repeated: false },
            Field { tag: 4, json: "message", kind: Str, repeated: false },
            Field { tag: 5, json: "startedAt", kind: Msg(1209), repeated: false },
            Field { tag: 6, json: "finishedAt", kind: Msg(1209), repeated: false },
            Field { tag: 7, json: "containerID", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ContainerStateWaiting",
        fields: &[
            Field { tag: 1, json: "reason", kind: Str, repeated: false },
            Field { tag: 2, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ContainerStatus",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "state", kind: Msg(423), repeated: false },
            Field { tag: 3, json: "lastState", kind: Msg(423), repeated: false },
            Field { tag: 4, json: "ready", kind: Bool, repeated: false },
            Field { tag: 5, json: "restartCount", kind: Int32, repeated: false },
            Field { tag: 6, json: "image", kind: Str, repeated: false },
            Field { tag: 7, json: "imageID", kind: Str, repeated: false },
            Field { tag: 8, json: "containerID", kind: Str, repeated: false },
            Field { tag: 9, json: "started", kind: Bool, repeated: false },
            Field { tag: 10, json: "allocatedResources", kind: Map(&Msg(1168)), repeated: false },
            Field { tag: 11, json: "resources", kind: Msg(575), repeated: false },
            Field { tag: 12, json: "volumeMounts", kind: Msg(617), repeated: true },
            Field { tag: 13, json: "user", kind: Msg(428), repeated: false },
            Field { tag: 14, json: "allocatedResourcesStatus", kind: Msg(576), repeated: true },
            Field { tag: 15, json: "stopSignal", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ContainerUser",
        fields: &[
            Field { tag: 1, json: "linux", kind: Msg(475), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.DaemonEndpoint",
        fields: &[
            Field { tag: 1, json: "Port", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.DownwardAPIProjection",
        fields: &[
            Field { tag: 1, json: "items", kind: Msg(431), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.DownwardAPIVolumeFile",
        fields: &[
            Field { tag: 1, json: "path", kind: Str, repeated: false },
            Field { tag: 2, json: "fieldRef", kind: Msg(507), repeated: false },
            Field { tag: 3, json: "resourceFieldRef", kind: Msg(569), repeated: false },
            Field { tag: 4, json: "mode", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.DownwardAPIVolumeSource",
        fields: &[
            Field { tag: 1, json: "items", kind: Msg(431), repeated: true },
            Field { tag: 2, json: "defaultMode", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.EmptyDirVolumeSource",
        fields: &[
            Field { tag: 1, json: "medium", kind: Str, repeated: false },
            Field { tag: 2, json: "sizeLimit", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.EndpointAddress",
        fields: &[
            Field { tag: 1, json: "ip", kind: Str, repeated: false },
            Field { tag: 2, json: "targetRef", kind: Msg(508), repeated: false },
            Field { tag: 3, json: "hostname", kind: Str, repeated: false },
            Field { tag: 4, json: "nodeName", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.EndpointPort",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "port", kind: Int32, repeated: false },
            Field { tag: 3, json: "protocol", kind: Str, repeated: false },
            Field { tag: 4, json: "appProtocol", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.EndpointSubset",
        fields: &[
            Field { tag: 1, json: "addresses", kind: Msg(434), repeated: true },
            Field { tag: 2, json: "notReadyAddresses", kind: Msg(434), repeated: true },
            Field { tag: 3, json: "ports", kind: Msg(435), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.Endpoints",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "subsets", kind: Msg(436), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.EndpointsList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(437), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.EnvFromSource",
        fields: &[
            Field { tag: 1, json: "prefix", kind: Str, repeated: false },
            Field { tag: 2, json: "configMapRef", kind: Msg(410), repeated: false },
            Field { tag: 3, json: "secretRef", kind: Msg(584), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.EnvVar",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "value", kind: Str, repeated: false },
            Field { tag: 3, json: "valueFrom", kind: Msg(441), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.EnvVarSource",
        fields: &[
            Field { tag: 1, json: "fieldRef", kind: Msg(507), repeated: false },
            Field { tag: 2, json: "resourceFieldRef", kind: Msg(569), repeated: false },
            Field { tag: 3, json: "configMapKeyRef", kind: Msg(411), repeated: false },
            Field { tag: 4, json: "secretKeyRef", kind: Msg(585), repeated: false },
            Field { tag: 5, json: "fileKeyRef", kind: Msg(451), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.EphemeralContainer",
        fields: &[
            Field { tag: 1, json: "", kind: Msg(443), repeated: false },
            Field { tag: 2, json: "targetContainerName", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.EphemeralContainerCommon",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "image", kind: Str, repeated: false },
            Field { tag: 3, json: "command", kind: Str, repeated: true },
            Field { tag: 4, json: "args", kind: Str, repeated: true },
            Field { tag: 5, json: "workingDir", kind: Str, repeated: false },
            Field { tag: 6, json: "ports", kind: Msg(419), repeated: true },
            Field { tag: 7, json: "env", kind: Msg(440), repeated: true },
            Field { tag: 8, json: "resources", kind: Msg(575), repeated: false },
            Field { tag: 9, json: "volumeMounts", kind: Msg(616), repeated: true },
            Field { tag: 10, json: "livenessProbe", kind: Msg(556), repeated: false },
            Field { tag: 11, json: "readinessProbe", kind: Msg(556), repeated: false },
            Field { tag: 12, json: "lifecycle", kind: Msg(469), repeated: false },
            Field { tag: 13, json: "terminationMessagePath", kind: Str, repeated: false },
            Field { tag: 14, json: "imagePullPolicy", kind: Str, repeated: false },
            Field { tag: 15, json: "securityContext", kind: Msg(590), repeated: false },
            Field { tag: 16, json: "stdin", kind: Bool, repeated: false },
            Field { tag: 17, json: "stdinOnce", kind: Bool, repeated: false },
            Field { tag: 18, json: "tty", kind: Bool, repeated: false },
            Field { tag: 19, json: "envFrom", kind: Msg(439), repeated: true },
            Field { tag: 20, json: "terminationMessagePolicy", kind: Str, repeated: false },
            Field { tag: 21, json: "volumeDevices", kind: Msg(615), repeated: true },
            Field { tag: 22, json: "startupProbe", kind: Msg(556), repeated: false },
            Field { tag: 23, json: "resizePolicy", kind: Msg(420), repeated: true },
            Field { tag: 24, json: "restartPolicy", kind: Str, repeated: false },
            Field { tag: 25, json: "restartPolicyRules", kind: Msg(421), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.EphemeralVolumeSource",
        fields: &[
            Field { tag: 1, json: "volumeClaimTemplate", kind: Msg(515), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.Event",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "involvedObject", kind: Msg(508), repeated: false },
            Field { tag: 3, json: "reason", kind: Str, repeated: false },
            Field { tag: 4, json: "message", kind: Str, repeated: false },
            Field { tag: 5, json: "source", kind: Msg(448), repeated: false },
            Field { tag: 6, json: "firstTimestamp", kind: Msg(1209), repeated: false },
            Field { tag: 7, json: "lastTimestamp", kind: Msg(1209), repeated: false },
            Field { tag: 8, json: "count", kind: Int32, repeated: false },
            Field { tag: 9, json: "type", kind: Str, repeated: false },
            Field { tag: 10, json: "eventTime", kind: Msg(1195), repeated: false },
            Field { tag: 11, json: "series", kind: Msg(447), repeated: false },
            Field { tag: 12, json: "action", kind: Str, repeated: false },
            Field { tag: 13, json: "related", kind: Msg(508), repeated: false },
            Field { tag: 14, json: "reportingComponent", kind: Str, repeated: false },
            Field { tag: 15, json: "reportingInstance", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.EventList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(445), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.EventSeries",
        fields: &[
            Field { tag: 1, json: "count", kind: Int32, repeated: false },
            Field { tag: 2, json: "lastObservedTime", kind: Msg(1195), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.EventSource",
        fields: &[
            Field { tag: 1, json: "component", kind: Str, repeated: false },
            Field { tag: 2, json: "host", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ExecAction",
        fields: &[
            Field { tag: 1, json: "command", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.FcVolumeSource",
        fields: &[
            Field { tag: 1, json: "targetWWNs", kind: Str, repeated: true },
            Field { tag: 2, json: "lun", kind: Int32, repeated: false },
            Field { tag: 3, json: "fsType", kind: Str, repeated: false },
            Field { tag: 4, json: "readOnly", kind: Bool, repeated: false },
            Field { tag: 5, json: "wwids", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.FileKeySelector",
        fields: &[
            Field { tag: 1, json: "volumeName", kind: Str, repeated: false },
            Field { tag: 2, json: "path", kind: Str, repeated: false },
            Field { tag: 3, json: "key", kind: Str, repeated: false },
            Field { tag: 4, json: "optional", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.FlexPersistentVolumeSource",
        fields: &[
            Field { tag: 1, json: "driver", kind: Str, repeated: false },
            Field { tag: 2, json: "fsType", kind: Str, repeated: false },
            Field { tag: 3, json: "secretRef", kind: Msg(588), repeated: false },
            Field { tag: 4, json: "readOnly", kind: Bool, repeated: false },
            Field { tag: 5, json: "options", kind: Map(&Str), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.FlexVolumeSource",
        fields: &[
            Field { tag: 1, json: "driver", kind: Str, repeated: false },
            Field { tag: 2, json: "fsType", kind: Str, repeated: false },
            Field { tag: 3, json: "secretRef", kind: Msg(479), repeated: false },
            Field { tag: 4, json: "readOnly", kind: Bool, repeated: false },
            Field { tag: 5, json: "options", kind: Map(&Str), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.FlockerVolumeSource",
        fields: &[
            Field { tag: 1, json: "datasetName", kind: Str, repeated: false },
            Field { tag: 2, json: "datasetUUID", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.GcePersistentDiskVolumeSource",
        fields: &[
            Field { tag: 1, json: "pdName", kind: Str, repeated: false },
            Field { tag: 2, json: "fsType", kind: Str, repeated: false },
            Field { tag: 3, json: "partition", kind: Int32, repeated: false },
            Field { tag: 4, json: "readOnly", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.GitRepoVolumeSource",
        fields: &[
            Field { tag: 1, json: "repository", kind: Str, repeated: false },
            Field { tag: 2, json: "revision", kind: Str, repeated: false },
            Field { tag: 3, json: "directory", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.GlusterfsPersistentVolumeSource",
        fields: &[
            Field { tag: 1, json: "endpoints", kind: Str, repeated: false },
            Field { tag: 2, json: "path", kind: Str, repeated: false },
            Field { tag: 3, json: "readOnly", kind: Bool, repeated: false },
            Field { tag: 4, json: "endpointsNamespace", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.GlusterfsVolumeSource",
        fields: &[
            Field { tag: 1, json: "endpoints", kind: Str, repeated: false },
            Field { tag: 2, json: "path", kind: Str, repeated: false },
            Field { tag: 3, json: "readOnly", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.GrpcAction",
        fields: &[
            Field { tag: 1, json: "port", kind: Int32, repeated: false },
            Field { tag: 2, json: "service", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.HostAlias",
        fields: &[
            Field { tag: 1, json: "ip", kind: Str, repeated: false },
            Field { tag: 2, json: "hostnames", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.HostIp",
        fields: &[
            Field { tag: 1, json: "ip", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.HostPathVolumeSource",
        fields: &[
            Field { tag: 1, json: "path", kind: Str, repeated: false },
            Field { tag: 2, json: "type", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.HttpGetAction",
        fields: &[
            Field { tag: 1, json: "path", kind: Str, repeated: false },
            Field { tag: 2, json: "port", kind: Msg(1225), repeated: false },
            Field { tag: 3, json: "host", kind: Str, repeated: false },
            Field { tag: 4, json: "scheme", kind: Str, repeated: false },
            Field { tag: 5, json: "httpHeaders", kind: Msg(464), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.HttpHeader",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "value", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ImageVolumeSource",
        fields: &[
            Field { tag: 1, json: "reference", kind: Str, repeated: false },
            Field { tag: 2, json: "pullPolicy", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.IscsiPersistentVolumeSource",
        fields: &[
            Field { tag: 1, json: "targetPortal", kind: Str, repeated: false },
            Field { tag: 2, json: "iqn", kind: Str, repeated: false },
            Field { tag: 3, json: "lun", kind: Int32, repeated: false },
            Field { tag: 4, json: "iscsiInterface", kind: Str, repeated: false },
            Field { tag: 5, json: "fsType", kind: Str, repeated: false },
            Field { tag: 6, json: "readOnly", kind: Bool, repeated: false },
            Field { tag: 7, json: "portals", kind: Str, repeated: true },
            Field { tag: 8, json: "chapAuthDiscovery", kind: Bool, repeated: false },
            Field { tag: 10, json: "secretRef", kind: Msg(588), repeated: false },
            Field { tag: 11, json: "chapAuthSession", kind: Bool, repeated: false },
            Field { tag: 12, json: "initiatorName", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.IscsiVolumeSource",
        fields: &[
            Field { tag: 1, json: "targetPortal", kind: Str, repeated: false },
            Field { tag: 2, json: "iqn", kind: Str, repeated: false },
            Field { tag: 3, json: "lun", kind: Int32, repeated: false },
            Field { tag: 4, json: "iscsiInterface", kind: Str, repeated: false },
            Field { tag: 5, json: "fsType", kind: Str, repeated: false },
            Field { tag: 6, json: "readOnly", kind: Bool, repeated: false },
            Field { tag: 7, json: "portals", kind: Str, repeated: true },
            Field { tag: 8, json: "chapAuthDiscovery", kind: Bool, repeated: false },
            Field { tag: 10, json: "secretRef", kind: Msg(479), repeated: false },
            Field { tag: 11, json: "chapAuthSession", kind: Bool, repeated: false },
            Field { tag: 12, json: "initiatorName", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.KeyToPath",
        fields: &[
            Field { tag: 1, json: "key", kind: Str, repeated: false },
            Field { tag: 2, json: "path", kind: Str, repeated: false },
            Field { tag: 3, json: "mode", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.Lifecycle",
        fields: &[
            Field { tag: 1, json: "postStart", kind: Msg(470), repeated: false },
            Field { tag: 2, json: "preStop", kind: Msg(470), repeated: false },
            Field { tag: 3, json: "stopSignal", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.LifecycleHandler",
        fields: &[
            Field { tag: 1, json: "exec", kind: Msg(449), repeated: false },
            Field { tag: 2, json: "httpGet", kind: Msg(463), repeated: false },
            Field { tag: 3, json: "tcpSocket", kind: Msg(607), repeated: false },
            Field { tag: 4, json: "sleep", kind: Msg(602), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.LimitRange",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(474), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.LimitRangeItem",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "max", kind: Map(&Msg(1168)), repeated: false },
            Field { tag: 3, json: "min", kind: Map(&Msg(1168)), repeated: false },
            Field { tag: 4, json: "default", kind: Map(&Msg(1168)), repeated: false },
            Field { tag: 5, json: "defaultRequest", kind: Map(&Msg(1168)), repeated: false },
            Field { tag: 6, json: "maxLimitRequestRatio", kind: Map(&Msg(1168)), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.LimitRangeList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(471), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.LimitRangeSpec",
        fields: &[
            Field { tag: 1, json: "limits", kind: Msg(472), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.LinuxContainerUser",
        fields: &[
            Field { tag: 1, json: "uid", kind: Int64, repeated: false },
            Field { tag: 2, json: "gid", kind: Int64, repeated: false },
            Field { tag: 3, json: "supplementalGroups", kind: Int64, repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.List",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1222), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.LoadBalancerIngress",
        fields: &[
            Field { tag: 1, json: "ip", kind: Str, repeated: false },
            Field { tag: 2, json: "hostname", kind: Str, repeated: false },
            Field { tag: 3, json: "ipMode", kind: Str, repeated: false },
            Field { tag: 4, json: "ports", kind: Msg(551), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.LoadBalancerStatus",
        fields: &[
            Field { tag: 1, json: "ingress", kind: Msg(477), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.LocalObjectReference",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.LocalVolumeSource",
        fields: &[
            Field { tag: 1, json: "path", kind: Str, repeated: false },
            Field { tag: 2, json: "fsType", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ModifyVolumeStatus",
        fields: &[
            Field { tag: 1, json: "targetVolumeAttributesClassName", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.Namespace",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(485), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(486), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.NamespaceCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 4, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 5, json: "reason", kind: Str, repeated: false },
            Field { tag: 6, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.NamespaceList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(482), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.NamespaceSpec",
        fields: &[
            Field { tag: 1, json: "finalizers", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.NamespaceStatus",
        fields: &[
            Field { tag: 1, json: "phase", kind: Str, repeated: false },
            Field { tag: 2, json: "conditions", kind: Msg(483), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.NfsVolumeSource",
        fields: &[
            Field { tag: 1, json: "server", kind: Str, repeated: false },
            Field { tag: 2, json: "path", kind: Str, repeated: false },
            Field { tag: 3, json: "readOnly", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.Node",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(503), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(504), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.NodeAddress",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "address", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.NodeAffinity",
        fields: &[
            Field { tag: 1, json: "requiredDuringSchedulingIgnoredDuringExecution", kind: Msg(500), repeated: false },
            Field { tag: 2, json: "preferredDuringSchedulingIgnoredDuringExecution", kind: Msg(555), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.NodeCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastHeartbeatTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 5, json: "reason", kind: Str, repeated: false },
            Field { tag: 6, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.NodeConfigSource",
        fields: &[
            Field { tag: 2, json: "configMap", kind: Msg(413), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.NodeConfigStatus",
        fields: &[
            Field { tag: 1, json: "assigned", kind: Msg(492), repeated: false },
            Field { tag: 2, json: "active", kind: Msg(492), repeated: false },
            Field { tag: 3, json: "lastKnownGood", kind: Msg(492), repeated: false },
            Field { tag: 4, json: "error", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.NodeDaemonEndpoints",
        fields: &[
            Field { tag: 1, json: "kubeletEndpoint", kind: Msg(429), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.NodeFeatures",
        fields: &[
            Field { tag: 1, json: "supplementalGroupsPolicy", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.NodeList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(488), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.NodeProxyOptions",
        fields: &[
            Field { tag: 1, json: "path", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.NodeRuntimeHandler",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "features", kind: Msg(499), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.NodeRuntimeHandlerFeatures",
        fields: &[
            Field { tag: 1, json: "recursiveReadOnlyMounts", kind: Bool, repeated: false },
            Field { tag: 2, json: "userNamespaces", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.NodeSelector",
        fields: &[
            Field { tag: 1, json: "nodeSelectorTerms", kind: Msg(502), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.NodeSelectorRequirement",
        fields: &[
            Field { tag: 1, json: "key", kind: Str, repeated: false },
            Field { tag: 2, json: "operator", kind: Str, repeated: false },
            Field { tag: 3, json: "values", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.NodeSelectorTerm",
        fields: &[
            Field { tag: 1, json: "matchExpressions", kind: Msg(501), repeated: true },
            Field { tag: 2, json: "matchFields", kind: Msg(501), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.NodeSpec",
        fields: &[
            Field { tag: 1, json: "podCIDR", kind: Str, repeated: false },
            Field { tag: 2, json: "externalID", kind: Str, repeated: false },
            Field { tag: 3, json: "providerID", kind: Str, repeated: false },
            Field { tag: 4, json: "unschedulable", kind: Bool, repeated: false },
            Field { tag: 5, json: "taints", kind: Msg(606), repeated: true },
            Field { tag: 6, json: "configSource", kind: Msg(492), repeated: false },
            Field { tag: 7, json: "podCIDRs", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.NodeStatus",
        fields: &[
            Field { tag: 1, json: "capacity", kind: Map(&Msg(1168)), repeated: false },
            Field { tag: 2, json: "allocatable", kind: Map(&Msg(1168)), repeated: false },
            Field { tag: 3, json: "phase", kind: Str, repeated: false },
            Field { tag: 4, json: "conditions", kind: Msg(491), repeated: true },
            Field { tag: 5, json: "addresses", kind: Msg(489), repeated: true },
            Field { tag: 6, json: "daemonEndpoints", kind: Msg(494), repeated: false },
            Field { tag: 7, json: "nodeInfo", kind: Msg(506), repeated: false },
            Field { tag: 8, json: "images", kind: Msg(418), repeated: true },
            Field { tag: 9, json: "volumesInUse", kind: Str, repeated: true },
            Field { tag: 10, json: "volumesAttached", kind: Msg(390), repeated: true },
            Field { tag: 11, json: "config", kind: Msg(493), repeated: false },
            Field { tag: 12, json: "runtimeHandlers", kind: Msg(498), repeated: true },
            Field { tag: 13, json: "features", kind: Msg(495), repeated: false },
            Field { tag: 14, json: "declaredFeatures", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.NodeSwapStatus",
        fields: &[
            Field { tag: 1, json: "capacity", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.NodeSystemInfo",
        fields: &[
            Field { tag: 1, json: "machineID", kind: Str, repeated: false },
            Field { tag: 2, json: "systemUUID", kind: Str, repeated: false },
            Field { tag: 3, json: "bootID", kind: Str, repeated: false },
            Field { tag: 4, json: "kernelVersion", kind: Str, repeated: false },
            Field { tag: 5, json: "osImage", kind: Str, repeated: false },
            Field { tag: 6, json: "containerRuntimeVersion", kind: Str, repeated: false },
            Field { tag: 7, json: "kubeletVersion", kind: Str, repeated: false },
            Field { tag: 8, json: "kubeProxyVersion", kind: Str, repeated: false },
            Field { tag: 9, json: "operatingSystem", kind: Str, repeated: false },
            Field { tag: 10, json: "architecture", kind: Str, repeated: false },
            Field { tag: 11, json: "swap", kind: Msg(505), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ObjectFieldSelector",
        fields: &[
            Field { tag: 1, json: "apiVersion", kind: Str, repeated: false },
            Field { tag: 2, json: "fieldPath", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ObjectReference",
        fields: &[
            Field { tag: 1, json: "kind", kind: Str, repeated: false },
            Field { tag: 2, json: "namespace", kind: Str, repeated: false },
            Field { tag: 3, json: "name", kind: Str, repeated: false },
            Field { tag: 4, json: "uid", kind: Str, repeated: false },
            Field { tag: 5, json: "apiVersion", kind: Str, repeated: false },
            Field { tag: 6, json: "resourceVersion", kind: Str, repeated: false },
            Field { tag: 7, json: "fieldPath", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PersistentVolume",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(519), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(520), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PersistentVolumeClaim",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(513), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(514), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PersistentVolumeClaimCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastProbeTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 5, json: "reason", kind: Str, repeated: false },
            Field { tag: 6, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PersistentVolumeClaimList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(510), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.PersistentVolumeClaimSpec",
        fields: &[
            Field { tag: 1, json: "accessModes", kind: Str, repeated: true },
            Field { tag: 2, json: "resources", kind: Msg(620), repeated: false },
            Field { tag: 3, json: "volumeName", kind: Str, repeated: false },
            Field { tag: 4, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 5, json: "storageClassName", kind: Str, repeated: false },
            Field { tag: 6, json: "volumeMode", kind: Str, repeated: false },
            Field { tag: 7, json: "dataSource", kind: Msg(612), repeated: false },
            Field { tag: 8, json: "dataSourceRef", kind: Msg(613), repeated: false },
            Field { tag: 9, json: "volumeAttributesClassName", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PersistentVolumeClaimStatus",
        fields: &[
            Field { tag: 1, json: "phase", kind: Str, repeated: false },
            Field { tag: 2, json: "accessModes", kind: Str, repeated: true },
            Field { tag: 3, json: "capacity", kind: Map(&Msg(1168)), repeated: false },
            Field { tag: 4, json: "conditions", kind: Msg(511), repeated: true },
            Field { tag: 5, json: "allocatedResources", kind: Map(&Msg(1168)), repeated: false },
            Field { tag: 7, json: "allocatedResourceStatuses", kind: Map(&Str), repeated: false },
            Field { tag: 8, json: "currentVolumeAttributesClassName", kind: Str, repeated: false },
            Field { tag: 9, json: "modifyVolumeStatus", kind: Msg(481), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PersistentVolumeClaimTemplate",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(513), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PersistentVolumeClaimVolumeSource",
        fields: &[
            Field { tag: 1, json: "claimName", kind: Str, repeated: false },
            Field { tag: 2, json: "readOnly", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PersistentVolumeList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(509), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.PersistentVolumeSource",
        fields: &[
            Field { tag: 1, json: "gcePersistentDisk", kind: Msg(455), repeated: false },
            Field { tag: 2, json: "awsElasticBlockStore", kind: Msg(392), repeated: false },
            Field { tag: 3, json: "hostPath", kind: Msg(462), repeated: false },
            Field { tag: 4, json: "glusterfs", kind: Msg(457), repeated: false },
            Field { tag: 5, json: "nfs", kind: Msg(487), repeated: false },
            Field { tag: 6, json: "rbd", kind: Msg(561), repeated: false },
            Field { tag: 7, json: "iscsi", kind: Msg(466), repeated: false },
            Field { tag: 8, json: "cinder", kind: Msg(402), repeated: false },
            Field { tag: 9, json: "cephfs", kind: Msg(400), repeated: false },
            Field { tag: 10, json: "fc", kind: Msg(450), repeated: false },
            Field { tag: 11, json: "flocker", kind: Msg(454), repeated: false },
            Field { tag: 12, json: "flexVolume", kind: Msg(452), repeated: false },
            Field { tag: 13, json: "azureFile", kind: Msg(394), repeated: false },
            Field { tag: 14, json: "vsphereVolume", kind: Msg(622), repeated: false },
            Field { tag: 15, json: "quobyte", kind: Msg(559), repeated: false },
            Field { tag: 16, json: "azureDisk", kind: Msg(393), repeated: false },
            Field { tag: 17, json: "photonPersistentDisk", kind: Msg(521), repeated: false },
            Field { tag: 18, json: "portworxVolume", kind: Msg(552), repeated: false },
            Field { tag: 19, json: "scaleIo", kind: Msg(577), repeated: false },
            Field { tag: 20, json: "local", kind: Msg(480), repeated: false },
            Field { tag: 21, json: "storageos", kind: Msg(603), repeated: false },
            Field { tag: 22, json: "csi", kind: Msg(397), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PersistentVolumeSpec",
        fields: &[
            Field { tag: 1, json: "capacity", kind: Map(&Msg(1168)), repeated: false },
            Field { tag: 2, json: "", kind: Msg(518), repeated: false },
            Field { tag: 3, json: "accessModes", kind: Str, repeated: true },
            Field { tag: 4, json: "claimRef", kind: Msg(508), repeated: false },
            Field { tag: 5, json: "persistentVolumeReclaimPolicy", kind: Str, repeated: false },
            Field { tag: 6, json: "storageClassName", kind: Str, repeated: false },
            Field { tag: 7, json: "mountOptions", kind: Str, repeated: true },
            Field { tag: 8, json: "volumeMode", kind: Str, repeated: false },
            Field { tag: 9, json: "nodeAffinity", kind: Msg(618), repeated: false },
            Field { tag: 10, json: "volumeAttributesClassName", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PersistentVolumeStatus",
        fields: &[
            Field { tag: 1, json: "phase", kind: Str, repeated: false },
            Field { tag: 2, json: "message", kind: Str, repeated: false },
            Field { tag: 3, json: "reason", kind: Str, repeated: false },
            Field { tag: 4, json: "lastPhaseTransitionTime", kind: Msg(1209), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PhotonPersistentDiskVolumeSource",
        fields: &[
            Field { tag: 1, json: "pdID", kind: Str, repeated: false },
            Field { tag: 2, json: "fsType", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.Pod",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(545), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(546), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PodAffinity",
        fields: &[
            Field { tag: 1, json: "requiredDuringSchedulingIgnoredDuringExecution", kind: Msg(524), repeated: true },
            Field { tag: 2, json: "preferredDuringSchedulingIgnoredDuringExecution", kind: Msg(623), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.PodAffinityTerm",
        fields: &[
            Field { tag: 1, json: "labelSelector", kind: Msg(1189), repeated: false },
            Field { tag: 2, json: "namespaces", kind: Str, repeated: true },
            Field { tag: 3, json: "topologyKey", kind: Str, repeated: false },
            Field { tag: 4, json: "namespaceSelector", kind: Msg(1189), repeated: false },
            Field { tag: 5, json: "matchLabelKeys", kind: Str, repeated: true },
            Field { tag: 6, json: "mismatchLabelKeys", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.PodAntiAffinity",
        fields: &[
            Field { tag: 1, json: "requiredDuringSchedulingIgnoredDuringExecution", kind: Msg(524), repeated: true },
            Field { tag: 2, json: "preferredDuringSchedulingIgnoredDuringExecution", kind: Msg(623), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.PodAttachOptions",
        fields: &[
            Field { tag: 1, json: "stdin", kind: Bool, repeated: false },
            Field { tag: 2, json: "stdout", kind: Bool, repeated: false },
            Field { tag: 3, json: "stderr", kind: Bool, repeated: false },
            Field { tag: 4, json: "tty", kind: Bool, repeated: false },
            Field { tag: 5, json: "container", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PodCertificateProjection",
        fields: &[
            Field { tag: 1, json: "signerName", kind: Str, repeated: false },
            Field { tag: 2, json: "keyType", kind: Str, repeated: false },
            Field { tag: 3, json: "maxExpirationSeconds", kind: Int32, repeated: false },
            Field { tag: 4, json: "credentialBundlePath", kind: Str, repeated: false },
            Field { tag: 5, json: "keyPath", kind: Str, repeated: false },
            Field { tag: 6, json: "certificateChainPath", kind: Str, repeated: false },
            Field { tag: 7, json: "userAnnotations", kind: Map(&Str), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PodCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastProbeTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 5, json: "reason", kind: Str, repeated: false },
            Field { tag: 6, json: "message", kind: Str, repeated: false },
            Field { tag: 7, json: "observedGeneration", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PodDnsConfig",
        fields: &[
            Field { tag: 1, json: "nameservers", kind: Str, repeated: true },
            Field { tag: 2, json: "searches", kind: Str, repeated: true },
            Field { tag: 3, json: "options", kind: Msg(530), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.PodDnsConfigOption",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "value", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PodExecOptions",
        fields: &[
            Field { tag: 1, json: "stdin", kind: Bool, repeated: false },
            Field { tag: 2, json: "stdout", kind: Bool, repeated: false },
            Field { tag: 3, json: "stderr", kind: Bool, repeated: false },
            Field { tag: 4, json: "tty", kind: Bool, repeated: false },
            Field { tag: 5, json: "container", kind: Str, repeated: false },
            Field { tag: 6, json: "command", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.PodExtendedResourceClaimStatus",
        fields: &[
            Field { tag: 1, json: "requestMappings", kind: Msg(417), repeated: true },
            Field { tag: 2, json: "resourceClaimName", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PodIp",
        fields: &[
            Field { tag: 1, json: "ip", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PodList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(522), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.PodLogOptions",
        fields: &[
            Field { tag: 1, json: "container", kind: Str, repeated: false },
            Field { tag: 2, json: "follow", kind: Bool, repeated: false },
            Field { tag: 3, json: "previous", kind: Bool, repeated: false },
            Field { tag: 4, json: "sinceSeconds", kind: Int64, repeated: false },
            Field { tag: 5, json: "sinceTime", kind: Msg(1209), repeated: false },
            Field { tag: 6, json: "timestamps", kind: Bool, repeated: false },
            Field { tag: 7, json: "tailLines", kind: Int64, repeated: false },
            Field { tag: 8, json: "limitBytes", kind: Int64, repeated: false },
            Field { tag: 9, json: "insecureSkipTlsVerifyBackend", kind: Bool, repeated: false },
            Field { tag: 10, json: "stream", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PodOs",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PodPortForwardOptions",
        fields: &[
            Field { tag: 1, json: "ports", kind: Int32, repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.PodProxyOptions",
        fields: &[
            Field { tag: 1, json: "path", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PodReadinessGate",
        fields: &[
            Field { tag: 1, json: "conditionType", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PodResourceClaim",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 3, json: "resourceClaimName", kind: Str, repeated: false },
            Field { tag: 4, json: "resourceClaimTemplateName", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PodResourceClaimStatus",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "resourceClaimName", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PodSchedulingGate",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PodSecurityContext",
        fields: &[
            Field { tag: 1, json: "seLinuxOptions", kind: Msg(581), repeated: false },
            Field { tag: 2, json: "runAsUser", kind: Int64, repeated: false },
            Field { tag: 3, json: "runAsNonRoot", kind: Bool, repeated: false },
            Field { tag: 4, json: "supplementalGroups", kind: Int64, repeated: true },
            Field { tag: 5, json: "fsGroup", kind: Int64, repeated: false },
            Field { tag: 6, json: "runAsGroup", kind: Int64, repeated: false },
            Field { tag: 7, json: "sysctls", kind: Msg(605), repeated: true },
            Field { tag: 8, json: "windowsOptions", kind: Msg(624), repeated: false },
            Field { tag: 9, json: "fsGroupChangePolicy", kind: Str, repeated: false },
            Field { tag: 10, json: "seccompProfile", kind: Msg(582), repeated: false },
            Field { tag: 11, json: "appArmorProfile", kind: Msg(389), repeated: false },
            Field { tag: 12, json: "supplementalGroupsPolicy", kind: Str, repeated: false },
            Field { tag: 13, json: "seLinuxChangePolicy", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PodSignature",
        fields: &[
            Field { tag: 1, json: "podController", kind: Msg(1197), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PodSpec",
        fields: &[
            Field { tag: 1, json: "volumes", kind: Msg(614), repeated: true },
            Field { tag: 2, json: "containers", kind: Msg(416), repeated: true },
            Field { tag: 3, json: "restartPolicy", kind: Str, repeated: false },
            Field { tag: 4, json: "terminationGracePeriodSeconds", kind: Int64, repeated: false },
            Field { tag: 5, json: "activeDeadlineSeconds", kind: Int64, repeated: false },
            Field { tag: 6, json: "dnsPolicy", kind: Str, repeated: false },
            Field { tag: 7, json: "nodeSelector", kind: Map(&Str), repeated: false },
            Field { tag: 8, json: "serviceAccountName", kind: Str, repeated: false },
            Field { tag: 9, json: "serviceAccount", kind: Str, repeated: false },
            Field { tag: 10, json: "nodeName", kind: Str, repeated: false },
            Field { tag: 11, json: "hostNetwork", kind: Bool, repeated: false },
            Field { tag: 12, json: "hostPID", kind: Bool, repeated: false },
            Field { tag: 13, json: "hostIPC", kind: Bool, repeated: false },
            Field { tag: 14, json: "securityContext", kind: Msg(543), repeated: false },
            Field { tag: 15, json: "imagePullSecrets", kind: Msg(479), repeated: true },
            Field { tag: 16, json: "hostname", kind: Str, repeated: false },
            Field { tag: 17, json: "subdomain", kind: Str, repeated: false },
            Field { tag: 18, json: "affinity", kind: Msg(388), repeated: false },
            Field { tag: 19, json: "schedulerName", kind: Str, repeated: false },
            Field { tag: 20, json: "initContainers", kind: Msg(416), repeated: true },
            Field { tag: 21, json: "automountServiceAccountToken", kind: Bool, repeated: false },
            Field { tag: 22, json: "tolerations", kind: Msg(608), repeated: true },
            Field { tag: 23, json: "hostAliases", kind: Msg(460), repeated: true },
            Field { tag: 24, json: "priorityClassName", kind: Str, repeated: false },
            Field { tag: 25, json: "priority", kind: Int32, repeated: false },
            Field { tag: 26, json: "dnsConfig", kind: Msg(529), repeated: false },
            Field { tag: 27, json: "shareProcessNamespace", kind: Bool, repeated: false },
            Field { tag: 28, json: "readinessGates", kind: Msg(539), repeated: true },
            Field { tag: 29, json: "runtimeClassName", kind: Str, repeated: false },
            Field { tag: 30, json: "enableServiceLinks", kind: Bool, repeated: false },
            Field { tag: 31, json: "preemptionPolicy", kind: Str, repeated: false },
            Field { tag: 32, json: "overhead", kind: Map(&Msg(1168)), repeated: false },
            Field { tag: 33, json: "topologySpreadConstraints", kind: Msg(611), repeated: true },
            Field { tag: 34, json: "ephemeralContainers", kind: Msg(442), repeated: true },
            Field { tag: 35, json: "setHostnameAsFQDN", kind: Bool, repeated: false },
            Field { tag: 36, json: "os", kind: Msg(536), repeated: false },
            Field { tag: 37, json: "hostUsers", kind: Bool, repeated: false },
            Field { tag: 38, json: "schedulingGates", kind: Msg(542), repeated: true },
            Field { tag: 39, json: "resourceClaims", kind: Msg(540), repeated: true },
            Field { tag: 40, json: "resources", kind: Msg(575), repeated: false },
            Field { tag: 41, json: "hostnameOverride", kind: Str, repeated: false },
            Field { tag: 42, json: "workloadRef", kind: Msg(625), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PodStatus",
        fields: &[
            Field { tag: 1, json: "phase", kind: Str, repeated: false },
            Field { tag: 2, json: "conditions", kind: Msg(528), repeated: true },
            Field { tag: 3, json: "message", kind: Str, repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "hostIP", kind: Str, repeated: false },
            Field { tag: 6, json: "podIP", kind: Str, repeated: false },
            Field { tag: 7, json: "startTime", kind: Msg(1209), repeated: false },
            Field { tag: 8, json: "containerStatuses", kind: Msg(427), repeated: true },
            Field { tag: 9, json: "qosClass", kind: Str, repeated: false },
            Field { tag: 10, json: "initContainerStatuses", kind: Msg(427), repeated: true },
            Field { tag: 11, json: "nominatedNodeName", kind: Str, repeated: false },
            Field { tag: 12, json: "podIPs", kind: Msg(533), repeated: true },
            Field { tag: 13, json: "ephemeralContainerStatuses", kind: Msg(427), repeated: true },
            Field { tag: 14, json: "resize", kind: Str, repeated: false },
            Field { tag: 15, json: "resourceClaimStatuses", kind: Msg(541), repeated: true },
            Field { tag: 16, json: "hostIPs", kind: Msg(461), repeated: true },
            Field { tag: 17, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 18, json: "extendedResourceClaimStatus", kind: Msg(532), repeated: false },
            Field { tag: 19, json: "allocatedResources", kind: Map(&Msg(1168)), repeated: false },
            Field { tag: 20, json: "resources", kind: Msg(575), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PodStatusResult",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "status", kind: Msg(546), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PodTemplate",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "template", kind: Msg(550), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PodTemplateList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(548), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.PodTemplateSpec",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(545), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PortStatus",
        fields: &[
            Field { tag: 1, json: "port", kind: Int32, repeated: false },
            Field { tag: 2, json: "protocol", kind: Str, repeated: false },
            Field { tag: 3, json: "error", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PortworxVolumeSource",
        fields: &[
            Field { tag: 1, json: "volumeID", kind: Str, repeated: false },
            Field { tag: 2, json: "fsType", kind: Str, repeated: false },
            Field { tag: 3, json: "readOnly", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.Preconditions",
        fields: &[
            Field { tag: 1, json: "uid", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PreferAvoidPodsEntry",
        fields: &[
            Field { tag: 1, json: "podSignature", kind: Msg(544), repeated: false },
            Field { tag: 2, json: "evictionTime", kind: Msg(1209), repeated: false },
            Field { tag: 3, json: "reason", kind: Str, repeated: false },
            Field { tag: 4, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.PreferredSchedulingTerm",
        fields: &[
            Field { tag: 1, json: "weight", kind: Int32, repeated: false },
            Field { tag: 2, json: "preference", kind: Msg(502), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.Probe",
        fields: &[
            Field { tag: 1, json: "", kind: Msg(557), repeated: false },
            Field { tag: 2, json: "initialDelaySeconds", kind: Int32, repeated: false },
            Field { tag: 3, json: "timeoutSeconds", kind: Int32, repeated: false },
            Field { tag: 4, json: "periodSeconds", kind: Int32, repeated: false },
            Field { tag: 5, json: "successThreshold", kind: Int32, repeated: false },
            Field { tag: 6, json: "failureThreshold", kind: Int32, repeated: false },
            Field { tag: 7, json: "terminationGracePeriodSeconds", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ProbeHandler",
        fields: &[
            Field { tag: 1, json: "exec", kind: Msg(449), repeated: false },
            Field { tag: 2, json: "httpGet", kind: Msg(463), repeated: false },
            Field { tag: 3, json: "tcpSocket", kind: Msg(607), repeated: false },
            Field { tag: 4, json: "grpc", kind: Msg(459), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ProjectedVolumeSource",
        fields: &[
            Field { tag: 1, json: "sources", kind: Msg(619), repeated: true },
            Field { tag: 2, json: "defaultMode", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.QuobyteVolumeSource",
        fields: &[
            Field { tag: 1, json: "registry", kind: Str, repeated: false },
            Field { tag: 2, json: "volume", kind: Str, repeated: false },
            Field { tag: 3, json: "readOnly", kind: Bool, repeated: false },
            Field { tag: 4, json: "user", kind: Str, repeated: false },
            Field { tag: 5, json: "group", kind: Str, repeated: false },
            Field { tag: 6, json: "tenant", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.RangeAllocation",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "range", kind: Str, repeated: false },
            Field { tag: 3, json: "data", kind: Bytes, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.RbdPersistentVolumeSource",
        fields: &[
            Field { tag: 1, json: "monitors", kind: Str, repeated: true },
            Field { tag: 2, json: "image", kind: Str, repeated: false },
            Field { tag: 3, json: "fsType", kind: Str, repeated: false },
            Field { tag: 4, json: "pool", kind: Str, repeated: false },
            Field { tag: 5, json: "user", kind: Str, repeated: false },
            Field { tag: 6, json: "keyring", kind: Str, repeated: false },
            Field { tag: 7, json: "secretRef", kind: Msg(588), repeated: false },
            Field { tag: 8, json: "readOnly", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.RbdVolumeSource",
        fields: &[
            Field { tag: 1, json: "monitors", kind: Str, repeated: true },
            Field { tag: 2, json: "image", kind: Str, repeated: false },
            Field { tag: 3, json: "fsType", kind: Str, repeated: false },
            Field { tag: 4, json: "pool", kind: Str, repeated: false },
            Field { tag: 5, json: "user", kind: Str, repeated: false },
            Field { tag: 6, json: "keyring", kind: Str, repeated: false },
            Field { tag: 7, json: "secretRef", kind: Msg(479), repeated: false },
            Field { tag: 8, json: "readOnly", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ReplicationController",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(566), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(567), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ReplicationControllerCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ReplicationControllerList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(563), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.ReplicationControllerSpec",
        fields: &[
            Field { tag: 1, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 2, json: "selector", kind: Map(&Str), repeated: false },
            Field { tag: 3, json: "template", kind: Msg(550), repeated: false },
            Field { tag: 4, json: "minReadySeconds", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ReplicationControllerStatus",
        fields: &[
            Field { tag: 1, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 2, json: "fullyLabeledReplicas", kind: Int32, repeated: false },
            Field { tag: 3, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 4, json: "readyReplicas", kind: Int32, repeated: false },
            Field { tag: 5, json: "availableReplicas", kind: Int32, repeated: false },
            Field { tag: 6, json: "conditions", kind: Msg(564), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.ResourceClaim",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "request", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ResourceFieldSelector",
        fields: &[
            Field { tag: 1, json: "containerName", kind: Str, repeated: false },
            Field { tag: 2, json: "resource", kind: Str, repeated: false },
            Field { tag: 3, json: "divisor", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ResourceHealth",
        fields: &[
            Field { tag: 1, json: "resourceID", kind: Str, repeated: false },
            Field { tag: 2, json: "health", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ResourceQuota",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(573), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(574), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ResourceQuotaList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(571), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.ResourceQuotaSpec",
        fields: &[
            Field { tag: 1, json: "hard", kind: Map(&Msg(1168)), repeated: false },
            Field { tag: 2, json: "scopes", kind: Str, repeated: true },
            Field { tag: 3, json: "scopeSelector", kind: Msg(579), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ResourceQuotaStatus",
        fields: &[
            Field { tag: 1, json: "hard", kind: Map(&Msg(1168)), repeated: false },
            Field { tag: 2, json: "used", kind: Map(&Msg(1168)), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ResourceRequirements",
        fields: &[
            Field { tag: 1, json: "limits", kind: Map(&Msg(1168)), repeated: false },
            Field { tag: 2, json: "requests", kind: Map(&Msg(1168)), repeated: false },
            Field { tag: 3, json: "claims", kind: Msg(568), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.ResourceStatus",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "resources", kind: Msg(570), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.ScaleIoPersistentVolumeSource",
        fields: &[
            Field { tag: 1, json: "gateway", kind: Str, repeated: false },
            Field { tag: 2, json: "system", kind: Str, repeated: false },
            Field { tag: 3, json: "secretRef", kind: Msg(588), repeated: false },
            Field { tag: 4, json: "sslEnabled", kind: Bool, repeated: false },
            Field { tag: 5, json: "protectionDomain", kind: Str, repeated: false },
            Field { tag: 6, json: "storagePool", kind: Str, repeated: false },
            Field { tag: 7, json: "storageMode", kind: Str, repeated: false },
            Field { tag: 8, json: "volumeName", kind: Str, repeated: false },
            Field { tag: 9, json: "fsType", kind: Str, repeated: false },
            Field { tag: 10, json: "readOnly", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ScaleIoVolumeSource",
        fields: &[
            Field { tag: 1, json: "gateway", kind: Str, repeated: false },
            Field { tag: 2, json: "system", kind: Str, repeated: false },
            Field { tag: 3, json: "secretRef", kind: Msg(479), repeated: false },
            Field { tag: 4, json: "sslEnabled", kind: Bool, repeated: false },
            Field { tag: 5, json: "protectionDomain", kind: Str, repeated: false },
            Field { tag: 6, json: "storagePool", kind: Str, repeated: false },
            Field { tag: 7, json: "storageMode", kind: Str, repeated: false },
            Field { tag: 8, json: "volumeName", kind: Str, repeated: false },
            Field { tag: 9, json: "fsType", kind: Str, repeated: false },
            Field { tag: 10, json: "readOnly", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ScopeSelector",
        fields: &[
            Field { tag: 1, json: "matchExpressions", kind: Msg(580), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.ScopedResourceSelectorRequirement",
        fields: &[
            Field { tag: 1, json: "scopeName", kind: Str, repeated: false },
            Field { tag: 2, json: "operator", kind: Str, repeated: false },
            Field { tag: 3, json: "values", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.SeLinuxOptions",
        fields: &[
            Field { tag: 1, json: "user", kind: Str, repeated: false },
            Field { tag: 2, json: "role", kind: Str, repeated: false },
            Field { tag: 3, json: "type", kind: Str, repeated: false },
            Field { tag: 4, json: "level", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.SeccompProfile",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "localhostProfile", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.Secret",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "data", kind: Map(&Bytes), repeated: false },
            Field { tag: 3, json: "type", kind: Str, repeated: false },
            Field { tag: 4, json: "stringData", kind: Map(&Str), repeated: false },
            Field { tag: 5, json: "immutable", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.SecretEnvSource",
        fields: &[
            Field { tag: 1, json: "", kind: Msg(479), repeated: false },
            Field { tag: 2, json: "optional", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.SecretKeySelector",
        fields: &[
            Field { tag: 1, json: "", kind: Msg(479), repeated: false },
            Field { tag: 2, json: "key", kind: Str, repeated: false },
            Field { tag: 3, json: "optional", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.SecretList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(583), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.SecretProjection",
        fields: &[
            Field { tag: 1, json: "", kind: Msg(479), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(468), repeated: true },
            Field { tag: 4, json: "optional", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.SecretReference",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "namespace", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.SecretVolumeSource",
        fields: &[
            Field { tag: 1, json: "secretName", kind: Str, repeated: false },
            Field { tag: 2, json: "items", kind: Msg(468), repeated: true },
            Field { tag: 3, json: "defaultMode", kind: Int32, repeated: false },
            Field { tag: 4, json: "optional", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.SecurityContext",
        fields: &[
            Field { tag: 1, json: "capabilities", kind: Msg(399), repeated: false },
            Field { tag: 2, json: "privileged", kind: Bool, repeated: false },
            Field { tag: 3, json: "seLinuxOptions", kind: Msg(581), repeated: false },
            Field { tag: 4, json: "runAsUser", kind: Int64, repeated: false },
            Field { tag: 5, json: "runAsNonRoot", kind: Bool, repeated: false },
            Field { tag: 6, json: "readOnlyRootFilesystem", kind: Bool, repeated: false },
            Field { tag: 7, json: "allowPrivilegeEscalation", kind: Bool, repeated: false },
            Field { tag: 8, json: "runAsGroup", kind: Int64, repeated: false },
            Field { tag: 9, json: "procMount", kind: Str, repeated: false },
            Field { tag: 10, json: "windowsOptions", kind: Msg(624), repeated: false },
            Field { tag: 11, json: "seccompProfile", kind: Msg(582), repeated: false },
            Field { tag: 12, json: "appArmorProfile", kind: Msg(389), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.SerializedReference",
        fields: &[
            Field { tag: 1, json: "reference", kind: Msg(508), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.Service",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(599), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(600), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ServiceAccount",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "secrets", kind: Msg(508), repeated: true },
            Field { tag: 3, json: "imagePullSecrets", kind: Msg(479), repeated: true },
            Field { tag: 4, json: "automountServiceAccountToken", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ServiceAccountList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(593), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.ServiceAccountTokenProjection",
        fields: &[
            Field { tag: 1, json: "audience", kind: Str, repeated: false },
            Field { tag: 2, json: "expirationSeconds", kind: Int64, repeated: false },
            Field { tag: 3, json: "path", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ServiceList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(592), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.ServicePort",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "protocol", kind: Str, repeated: false },
            Field { tag: 3, json: "port", kind: Int32, repeated: false },
            Field { tag: 4, json: "targetPort", kind: Msg(1225), repeated: false },
            Field { tag: 5, json: "nodePort", kind: Int32, repeated: false },
            Field { tag: 6, json: "appProtocol", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ServiceProxyOptions",
        fields: &[
            Field { tag: 1, json: "path", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ServiceSpec",
        fields: &[
            Field { tag: 1, json: "ports", kind: Msg(597), repeated: true },
            Field { tag: 2, json: "selector", kind: Map(&Str), repeated: false },
            Field { tag: 3, json: "clusterIP", kind: Str, repeated: false },
            Field { tag: 4, json: "type", kind: Str, repeated: false },
            Field { tag: 5, json: "externalIPs", kind: Str, repeated: true },
            Field { tag: 7, json: "sessionAffinity", kind: Str, repeated: false },
            Field { tag: 8, json: "loadBalancerIP", kind: Str, repeated: false },
            Field { tag: 9, json: "loadBalancerSourceRanges", kind: Str, repeated: true },
            Field { tag: 10, json: "externalName", kind: Str, repeated: false },
            Field { tag: 11, json: "externalTrafficPolicy", kind: Str, repeated: false },
            Field { tag: 12, json: "healthCheckNodePort", kind: Int32, repeated: false },
            Field { tag: 13, json: "publishNotReadyAddresses", kind: Bool, repeated: false },
            Field { tag: 14, json: "sessionAffinityConfig", kind: Msg(601), repeated: false },
            Field { tag: 17, json: "ipFamilyPolicy", kind: Str, repeated: false },
            Field { tag: 18, json: "clusterIPs", kind: Str, repeated: true },
            Field { tag: 19, json: "ipFamilies", kind: Str, repeated: true },
            Field { tag: 20, json: "allocateLoadBalancerNodePorts", kind: Bool, repeated: false },
            Field { tag: 21, json: "loadBalancerClass", kind: Str, repeated: false },
            Field { tag: 22, json: "internalTrafficPolicy", kind: Str, repeated: false },
            Field { tag: 23, json: "trafficDistribution", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.ServiceStatus",
        fields: &[
            Field { tag: 1, json: "loadBalancer", kind: Msg(478), repeated: false },
            Field { tag: 2, json: "conditions", kind: Msg(1176), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.SessionAffinityConfig",
        fields: &[
            Field { tag: 1, json: "clientIP", kind: Msg(404), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.SleepAction",
        fields: &[
            Field { tag: 1, json: "seconds", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.StorageOsPersistentVolumeSource",
        fields: &[
            Field { tag: 1, json: "volumeName", kind: Str, repeated: false },
            Field { tag: 2, json: "volumeNamespace", kind: Str, repeated: false },
            Field { tag: 3, json: "fsType", kind: Str, repeated: false },
            Field { tag: 4, json: "readOnly", kind: Bool, repeated: false },
            Field { tag: 5, json: "secretRef", kind: Msg(508), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.StorageOsVolumeSource",
        fields: &[
            Field { tag: 1, json: "volumeName", kind: Str, repeated: false },
            Field { tag: 2, json: "volumeNamespace", kind: Str, repeated: false },
            Field { tag: 3, json: "fsType", kind: Str, repeated: false },
            Field { tag: 4, json: "readOnly", kind: Bool, repeated: false },
            Field { tag: 5, json: "secretRef", kind: Msg(479), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.Sysctl",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "value", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.Taint",
        fields: &[
            Field { tag: 1, json: "key", kind: Str, repeated: false },
            Field { tag: 2, json: "value", kind: Str, repeated: false },
            Field { tag: 3, json: "effect", kind: Str, repeated: false },
            Field { tag: 4, json: "timeAdded", kind: Msg(1209), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.TcpSocketAction",
        fields: &[
            Field { tag: 1, json: "port", kind: Msg(1225), repeated: false },
            Field { tag: 2, json: "host", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.Toleration",
        fields: &[
            Field { tag: 1, json: "key", kind: Str, repeated: false },
            Field { tag: 2, json: "operator", kind: Str, repeated: false },
            Field { tag: 3, json: "value", kind: Str, repeated: false },
            Field { tag: 4, json: "effect", kind: Str, repeated: false },
            Field { tag: 5, json: "tolerationSeconds", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.TopologySelectorLabelRequirement",
        fields: &[
            Field { tag: 1, json: "key", kind: Str, repeated: false },
            Field { tag: 2, json: "values", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.TopologySelectorTerm",
        fields: &[
            Field { tag: 1, json: "matchLabelExpressions", kind: Msg(609), repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.TopologySpreadConstraint",
        fields: &[
            Field { tag: 1, json: "maxSkew", kind: Int32, repeated: false },
            Field { tag: 2, json: "topologyKey", kind: Str, repeated: false },
            Field { tag: 3, json: "whenUnsatisfiable", kind: Str, repeated: false },
            Field { tag: 4, json: "labelSelector", kind: Msg(1189), repeated: false },
            Field { tag: 5, json: "minDomains", kind: Int32, repeated: false },
            Field { tag: 6, json: "nodeAffinityPolicy", kind: Str, repeated: false },
            Field { tag: 7, json: "nodeTaintsPolicy", kind: Str, repeated: false },
            Field { tag: 8, json: "matchLabelKeys", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.core.v1.TypedLocalObjectReference",
        fields: &[
            Field { tag: 1, json: "apiGroup", kind: Str, repeated: false },
            Field { tag: 2, json: "kind", kind: Str, repeated: false },
            Field { tag: 3, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.TypedObjectReference",
        fields: &[
            Field { tag: 1, json: "apiGroup", kind: Str, repeated: false },
            Field { tag: 2, json: "kind", kind: Str, repeated: false },
            Field { tag: 3, json: "name", kind: Str, repeated: false },
            Field { tag: 4, json: "namespace", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.Volume",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "", kind: Msg(621), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.VolumeDevice",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "devicePath", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.VolumeMount",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "readOnly", kind: Bool, repeated: false },
            Field { tag: 3, json: "mountPath", kind: Str, repeated: false },
            Field { tag: 4, json: "subPath", kind: Str, repeated: false },
            Field { tag: 5, json: "mountPropagation", kind: Str, repeated: false },
            Field { tag: 6, json: "subPathExpr", kind: Str, repeated: false },
            Field { tag: 7, json: "recursiveReadOnly", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.VolumeMountStatus",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "mountPath", kind: Str, repeated: false },
            Field { tag: 3, json: "readOnly", kind: Bool, repeated: false },
            Field { tag: 4, json: "recursiveReadOnly", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.VolumeNodeAffinity",
        fields: &[
            Field { tag: 1, json: "required", kind: Msg(500), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.VolumeProjection",
        fields: &[
            Field { tag: 1, json: "secret", kind: Msg(587), repeated: false },
            Field { tag: 2, json: "downwardAPI", kind: Msg(430), repeated: false },
            Field { tag: 3, json: "configMap", kind: Msg(414), repeated: false },
            Field { tag: 4, json: "serviceAccountToken", kind: Msg(595), repeated: false },
            Field { tag: 5, json: "clusterTrustBundle", kind: Msg(405), repeated: false },
            Field { tag: 6, json: "podCertificate", kind: Msg(527), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.VolumeResourceRequirements",
        fields: &[
            Field { tag: 1, json: "limits", kind: Map(&Msg(1168)), repeated: false },
            Field { tag: 2, json: "requests", kind: Map(&Msg(1168)), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.VolumeSource",
        fields: &[
            Field { tag: 1, json: "hostPath", kind: Msg(462), repeated: false },
            Field { tag: 2, json: "emptyDir", kind: Msg(433), repeated: false },
            Field { tag: 3, json: "gcePersistentDisk", kind: Msg(455), repeated: false },
            Field { tag: 4, json: "awsElasticBlockStore", kind: Msg(392), repeated: false },
            Field { tag: 5, json: "gitRepo", kind: Msg(456), repeated: false },
            Field { tag: 6, json: "secret", kind: Msg(589), repeated: false },
            Field { tag: 7, json: "nfs", kind: Msg(487), repeated: false },
            Field { tag: 8, json: "iscsi", kind: Msg(467), repeated: false },
            Field { tag: 9, json: "glusterfs", kind: Msg(458), repeated: false },
            Field { tag: 10, json: "persistentVolumeClaim", kind: Msg(516), repeated: false },
            Field { tag: 11, json: "rbd", kind: Msg(562), repeated: false },
            Field { tag: 12, json: "flexVolume", kind: Msg(453), repeated: false },
            Field { tag: 13, json: "cinder", kind: Msg(403), repeated: false },
            Field { tag: 14, json: "cephfs", kind: Msg(401), repeated: false },
            Field { tag: 15, json: "flocker", kind: Msg(454), repeated: false },
            Field { tag: 16, json: "downwardApi", kind: Msg(432), repeated: false },
            Field { tag: 17, json: "fc", kind: Msg(450), repeated: false },
            Field { tag: 18, json: "azureFile", kind: Msg(395), repeated: false },
            Field { tag: 19, json: "configMap", kind: Msg(415), repeated: false },
            Field { tag: 20, json: "vsphereVolume", kind: Msg(622), repeated: false },
            Field { tag: 21, json: "quobyte", kind: Msg(559), repeated: false },
            Field { tag: 22, json: "azureDisk", kind: Msg(393), repeated: false },
            Field { tag: 23, json: "photonPersistentDisk", kind: Msg(521), repeated: false },
            Field { tag: 24, json: "portworxVolume", kind: Msg(552), repeated: false },
            Field { tag: 25, json: "scaleIo", kind: Msg(578), repeated: false },
            Field { tag: 26, json: "projected", kind: Msg(558), repeated: false },
            Field { tag: 27, json: "storageos", kind: Msg(604), repeated: false },
            Field { tag: 28, json: "csi", kind: Msg(398), repeated: false },
            Field { tag: 29, json: "ephemeral", kind: Msg(444), repeated: false },
            Field { tag: 30, json: "image", kind: Msg(465), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.VsphereVirtualDiskVolumeSource",
        fields: &[
            Field { tag: 1, json: "volumePath", kind: Str, repeated: false },
            Field { tag: 2, json: "fsType", kind: Str, repeated: false },
            Field { tag: 3, json: "storagePolicyName", kind: Str, repeated: false },
            Field { tag: 4, json: "storagePolicyID", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.WeightedPodAffinityTerm",
        fields: &[
            Field { tag: 1, json: "weight", kind: Int32, repeated: false },
            Field { tag: 2, json: "podAffinityTerm", kind: Msg(524), repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.WindowsSecurityContextOptions",
        fields: &[
            Field { tag: 1, json: "gmsaCredentialSpecName", kind: Str, repeated: false },
            Field { tag: 2, json: "gmsaCredentialSpec", kind: Str, repeated: false },
            Field { tag: 3, json: "runAsUserName", kind: Str, repeated: false },
            Field { tag: 4, json: "hostProcess", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.core.v1.WorkloadReference",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "podGroup", kind: Str, repeated: false },
            Field { tag: 3, json: "podGroupReplicaKey", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.discovery.v1.Endpoint",
        fields: &[
            Field { tag: 1, json: "addresses", kind: Str, repeated: true },
            Field { tag: 2, json: "conditions", kind: Msg(627), repeated: false },
            Field { tag: 3, json: "hostname", kind: Str, repeated: false },
            Field { tag: 4, json: "targetRef", kind: Msg(508), repeated: false },
            Field { tag: 5, json: "deprecatedTopology", kind: Map(&Str), repeated: false },
            Field { tag: 6, json: "nodeName", kind: Str, repeated: false },
            Field { tag: 7, json: "zone", kind: Str, repeated: false },
            Field { tag: 8, json: "hints", kind: Msg(628), repeated: false },
        ],
    },
    Message {
        name: "api.discovery.v1.EndpointConditions",
        fields: &[
            Field { tag: 1, json: "ready", kind: Bool, repeated: false },
            Field { tag: 2, json: "serving", kind: Bool, repeated: false },
            Field { tag: 3, json: "terminating", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.discovery.v1.EndpointHints",
        fields: &[
            Field { tag: 1, json: "forZones", kind: Msg(633), repeated: true },
            Field { tag: 2, json: "forNodes", kind: Msg(632), repeated: true },
        ],
    },
    Message {
        name: "api.discovery.v1.EndpointPort",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "protocol", kind: Str, repeated: false },
            Field { tag: 3, json: "port", kind: Int32, repeated: false },
            Field { tag: 4, json: "appProtocol", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.discovery.v1.EndpointSlice",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "endpoints", kind: Msg(626), repeated: true },
            Field { tag: 3, json: "ports", kind: Msg(629), repeated: true },
            Field { tag: 4, json: "addressType", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.discovery.v1.EndpointSliceList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(630), repeated: true },
        ],
    },
    Message {
        name: "api.discovery.v1.ForNode",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.discovery.v1.ForZone",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.discovery.v1beta1.Endpoint",
        fields: &[
            Field { tag: 1, json: "addresses", kind: Str, repeated: true },
            Field { tag: 2, json: "conditions", kind: Msg(635), repeated: false },
            Field { tag: 3, json: "hostname", kind: Str, repeated: false },
            Field { tag: 4, json: "targetRef", kind: Msg(508), repeated: false },
            Field { tag: 5, json: "topology", kind: Map(&Str), repeated: false },
            Field { tag: 6, json: "nodeName", kind: Str, repeated: false },
            Field { tag: 7, json: "hints", kind: Msg(636), repeated: false },
        ],
    },
    Message {
        name: "api.discovery.v1beta1.EndpointConditions",
        fields: &[
            Field { tag: 1, json: "ready", kind: Bool, repeated: false },
            Field { tag: 2, json: "serving", kind: Bool, repeated: false },
            Field { tag: 3, json: "terminating", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.discovery.v1beta1.EndpointHints",
        fields: &[
            Field { tag: 1, json: "forZones", kind: Msg(641), repeated: true },
            Field { tag: 2, json: "forNodes", kind: Msg(640), repeated: true },
        ],
    },
    Message {
        name: "api.discovery.v1beta1.EndpointPort",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "protocol", kind: Str, repeated: false },
            Field { tag: 3, json: "port", kind: Int32, repeated: false },
            Field { tag: 4, json: "appProtocol", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.discovery.v1beta1.EndpointSlice",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "endpoints", kind: Msg(634), repeated: true },
            Field { tag: 3, json: "ports", kind: Msg(637), repeated: true },
            Field { tag: 4, json: "addressType", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.discovery.v1beta1.EndpointSliceList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(638), repeated: true },
        ],
    },
    Message {
        name: "api.discovery.v1beta1.ForNode",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.discovery.v1beta1.ForZone",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.events.v1.Event",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "eventTime", kind: Msg(1195), repeated: false },
            Field { tag: 3, json: "series", kind: Msg(644), repeated: false },
            Field { tag: 4, json: "reportingController", kind: Str, repeated: false },
            Field { tag: 5, json: "reportingInstance", kind: Str, repeated: false },
            Field { tag: 6, json: "action", kind: Str, repeated: false },
            Field { tag: 7, json: "reason", kind: Str, repeated: false },
            Field { tag: 8, json: "regarding", kind: Msg(508), repeated: false },
            Field { tag: 9, json: "related", kind: Msg(508), repeated: false },
            Field { tag: 10, json: "note", kind: Str, repeated: false },
            Field { tag: 11, json: "type", kind: Str, repeated: false },
            Field { tag: 12, json: "deprecatedSource", kind: Msg(448), repeated: false },
            Field { tag: 13, json: "deprecatedFirstTimestamp", kind: Msg(1209), repeated: false },
            Field { tag: 14, json: "deprecatedLastTimestamp", kind: Msg(1209), repeated: false },
            Field { tag: 15, json: "deprecatedCount", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.events.v1.EventList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(642), repeated: true },
        ],
    },
    Message {
        name: "api.events.v1.EventSeries",
        fields: &[
            Field { tag: 1, json: "count", kind: Int32, repeated: false },
            Field { tag: 2, json: "lastObservedTime", kind: Msg(1195), repeated: false },
        ],
    },
    Message {
        name: "api.events.v1beta1.Event",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "eventTime", kind: Msg(1195), repeated: false },
            Field { tag: 3, json: "series", kind: Msg(647), repeated: false },
            Field { tag: 4, json: "reportingController", kind: Str, repeated: false },
            Field { tag: 5, json: "reportingInstance", kind: Str, repeated: false },
            Field { tag: 6, json: "action", kind: Str, repeated: false },
            Field { tag: 7, json: "reason", kind: Str, repeated: false },
            Field { tag: 8, json: "regarding", kind: Msg(508), repeated: false },
            Field { tag: 9, json: "related", kind: Msg(508), repeated: false },
            Field { tag: 10, json: "note", kind: Str, repeated: false },
            Field { tag: 11, json: "type", kind: Str, repeated: false },
            Field { tag: 12, json: "deprecatedSource", kind: Msg(448), repeated: false },
            Field { tag: 13, json: "deprecatedFirstTimestamp", kind: Msg(1209), repeated: false },
            Field { tag: 14, json: "deprecatedLastTimestamp", kind: Msg(1209), repeated: false },
            Field { tag: 15, json: "deprecatedCount", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.events.v1beta1.EventList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(645), repeated: true },
        ],
    },
    Message {
        name: "api.events.v1beta1.EventSeries",
        fields: &[
            Field { tag: 1, json: "count", kind: Int32, repeated: false },
            Field { tag: 2, json: "lastObservedTime", kind: Msg(1195), repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.DaemonSet",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(651), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(652), repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.DaemonSetCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.DaemonSetList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(648), repeated: true },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.DaemonSetSpec",
        fields: &[
            Field { tag: 1, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 2, json: "template", kind: Msg(550), repeated: false },
            Field { tag: 3, json: "updateStrategy", kind: Msg(653), repeated: false },
            Field { tag: 4, json: "minReadySeconds", kind: Int32, repeated: false },
            Field { tag: 5, json: "templateGeneration", kind: Int64, repeated: false },
            Field { tag: 6, json: "revisionHistoryLimit", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.DaemonSetStatus",
        fields: &[
            Field { tag: 1, json: "currentNumberScheduled", kind: Int32, repeated: false },
            Field { tag: 2, json: "numberMisscheduled", kind: Int32, repeated: false },
            Field { tag: 3, json: "desiredNumberScheduled", kind: Int32, repeated: false },
            Field { tag: 4, json: "numberReady", kind: Int32, repeated: false },
            Field { tag: 5, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 6, json: "updatedNumberScheduled", kind: Int32, repeated: false },
            Field { tag: 7, json: "numberAvailable", kind: Int32, repeated: false },
            Field { tag: 8, json: "numberUnavailable", kind: Int32, repeated: false },
            Field { tag: 9, json: "collisionCount", kind: Int32, repeated: false },
            Field { tag: 10, json: "conditions", kind: Msg(649), repeated: true },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.DaemonSetUpdateStrategy",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "rollingUpdate", kind: Msg(688), repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.Deployment",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(658), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(659), repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.DeploymentCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
            Field { tag: 6, json: "lastUpdateTime", kind: Msg(1209), repeated: false },
            Field { tag: 7, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.DeploymentList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(654), repeated: true },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.DeploymentRollback",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "updatedAnnotations", kind: Map(&Str), repeated: false },
            Field { tag: 3, json: "rollbackTo", kind: Msg(687), repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.DeploymentSpec",
        fields: &[
            Field { tag: 1, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 2, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "template", kind: Msg(550), repeated: false },
            Field { tag: 4, json: "strategy", kind: Msg(660), repeated: false },
            Field { tag: 5, json: "minReadySeconds", kind: Int32, repeated: false },
            Field { tag: 6, json: "revisionHistoryLimit", kind: Int32, repeated: false },
            Field { tag: 7, json: "paused", kind: Bool, repeated: false },
            Field { tag: 8, json: "rollbackTo", kind: Msg(687), repeated: false },
            Field { tag: 9, json: "progressDeadlineSeconds", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.DeploymentStatus",
        fields: &[
            Field { tag: 1, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 2, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 3, json: "updatedReplicas", kind: Int32, repeated: false },
            Field { tag: 4, json: "availableReplicas", kind: Int32, repeated: false },
            Field { tag: 5, json: "unavailableReplicas", kind: Int32, repeated: false },
            Field { tag: 6, json: "conditions", kind: Msg(655), repeated: true },
            Field { tag: 7, json: "readyReplicas", kind: Int32, repeated: false },
            Field { tag: 8, json: "collisionCount", kind: Int32, repeated: false },
            Field { tag: 9, json: "terminatingReplicas", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.DeploymentStrategy",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "rollingUpdate", kind: Msg(689), repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.HttpIngressPath",
        fields: &[
            Field { tag: 1, json: "path", kind: Str, repeated: false },
            Field { tag: 2, json: "backend", kind: Msg(664), repeated: false },
            Field { tag: 3, json: "pathType", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.HttpIngressRuleValue",
        fields: &[
            Field { tag: 1, json: "paths", kind: Msg(661), repeated: true },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.Ingress",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(671), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(672), repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.IngressBackend",
        fields: &[
            Field { tag: 1, json: "serviceName", kind: Str, repeated: false },
            Field { tag: 2, json: "servicePort", kind: Msg(1225), repeated: false },
            Field { tag: 3, json: "resource", kind: Msg(612), repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.IngressList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(663), repeated: true },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.IngressLoadBalancerIngress",
        fields: &[
            Field { tag: 1, json: "ip", kind: Str, repeated: false },
            Field { tag: 2, json: "hostname", kind: Str, repeated: false },
            Field { tag: 4, json: "ports", kind: Msg(668), repeated: true },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.IngressLoadBalancerStatus",
        fields: &[
            Field { tag: 1, json: "ingress", kind: Msg(666), repeated: true },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.IngressPortStatus",
        fields: &[
            Field { tag: 1, json: "port", kind: Int32, repeated: false },
            Field { tag: 2, json: "protocol", kind: Str, repeated: false },
            Field { tag: 3, json: "error", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.IngressRule",
        fields: &[
            Field { tag: 1, json: "host", kind: Str, repeated: false },
            Field { tag: 2, json: "ingressRuleValue", kind: Msg(670), repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.IngressRuleValue",
        fields: &[
            Field { tag: 1, json: "http", kind: Msg(662), repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.IngressSpec",
        fields: &[
            Field { tag: 1, json: "backend", kind: Msg(664), repeated: false },
            Field { tag: 2, json: "tls", kind: Msg(673), repeated: true },
            Field { tag: 3, json: "rules", kind: Msg(669), repeated: true },
            Field { tag: 4, json: "ingressClassName", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.IngressStatus",
        fields: &[
            Field { tag: 1, json: "loadBalancer", kind: Msg(667), repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.IngressTls",
        fields: &[
            Field { tag: 1, json: "hosts", kind: Str, repeated: true },
            Field { tag: 2, json: "secretName", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.IpBlock",
        fields: &[
            Field { tag: 1, json: "cidr", kind: Str, repeated: false },
            Field { tag: 2, json: "except", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.NetworkPolicy",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(681), repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.NetworkPolicyEgressRule",
        fields: &[
            Field { tag: 1, json: "ports", kind: Msg(680), repeated: true },
            Field { tag: 2, json: "to", kind: Msg(679), repeated: true },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.NetworkPolicyIngressRule",
        fields: &[
            Field { tag: 1, json: "ports", kind: Msg(680), repeated: true },
            Field { tag: 2, json: "from", kind: Msg(679), repeated: true },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.NetworkPolicyList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(675), repeated: true },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.NetworkPolicyPeer",
        fields: &[
            Field { tag: 1, json: "podSelector", kind: Msg(1189), repeated: false },
            Field { tag: 2, json: "namespaceSelector", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "ipBlock", kind: Msg(674), repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.NetworkPolicyPort",
        fields: &[
            Field { tag: 1, json: "protocol", kind: Str, repeated: false },
            Field { tag: 2, json: "port", kind: Msg(1225), repeated: false },
            Field { tag: 3, json: "endPort", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.NetworkPolicySpec",
        fields: &[
            Field { tag: 1, json: "podSelector", kind: Msg(1189), repeated: false },
            Field { tag: 2, json: "ingress", kind: Msg(677), repeated: true },
            Field { tag: 3, json: "egress", kind: Msg(676), repeated: true },
            Field { tag: 4, json: "policyTypes", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.ReplicaSet",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(685), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(686), repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.ReplicaSetCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.ReplicaSetList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(682), repeated: true },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.ReplicaSetSpec",
        fields: &[
            Field { tag: 1, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 2, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "template", kind: Msg(550), repeated: false },
            Field { tag: 4, json: "minReadySeconds", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.ReplicaSetStatus",
        fields: &[
            Field { tag: 1, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 2, json: "fullyLabeledReplicas", kind: Int32, repeated: false },
            Field { tag: 3, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 4, json: "readyReplicas", kind: Int32, repeated: false },
            Field { tag: 5, json: "availableReplicas", kind: Int32, repeated: false },
            Field { tag: 6, json: "conditions", kind: Msg(683), repeated: true },
            Field { tag: 7, json: "terminatingReplicas", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.RollbackConfig",
        fields: &[
            Field { tag: 1, json: "revision", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.RollingUpdateDaemonSet",
        fields: &[
            Field { tag: 1, json: "maxUnavailable", kind: Msg(1225), repeated: false },
            Field { tag: 2, json: "maxSurge", kind: Msg(1225), repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.RollingUpdateDeployment",
        fields: &[
            Field { tag: 1, json: "maxUnavailable", kind: Msg(1225), repeated: false },
            Field { tag: 2, json: "maxSurge", kind: Msg(1225), repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.Scale",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(691), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(692), repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.ScaleSpec",
        fields: &[
            Field { tag: 1, json: "replicas", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.extensions.v1beta1.ScaleStatus",
        fields: &[
            Field { tag: 1, json: "replicas", kind: Int32, repeated: false },
            Field { tag: 2, json: "selector", kind: Map(&Str), repeated: false },
            Field { tag: 3, json: "targetSelector", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1.ExemptPriorityLevelConfiguration",
        fields: &[
            Field { tag: 1, json: "nominalConcurrencyShares", kind: Int32, repeated: false },
            Field { tag: 2, json: "lendablePercent", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1.FlowDistinguisherMethod",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1.FlowSchema",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(698), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(699), repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1.FlowSchemaCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1.FlowSchemaList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(695), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1.FlowSchemaSpec",
        fields: &[
            Field { tag: 1, json: "priorityLevelConfiguration", kind: Msg(708), repeated: false },
            Field { tag: 2, json: "matchingPrecedence", kind: Int32, repeated: false },
            Field { tag: 3, json: "distinguisherMethod", kind: Msg(694), repeated: false },
            Field { tag: 4, json: "rules", kind: Msg(704), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1.FlowSchemaStatus",
        fields: &[
            Field { tag: 1, json: "conditions", kind: Msg(696), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1.GroupSubject",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1.LimitResponse",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "queuing", kind: Msg(711), repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1.LimitedPriorityLevelConfiguration",
        fields: &[
            Field { tag: 1, json: "nominalConcurrencyShares", kind: Int32, repeated: false },
            Field { tag: 2, json: "limitResponse", kind: Msg(701), repeated: false },
            Field { tag: 3, json: "lendablePercent", kind: Int32, repeated: false },
            Field { tag: 4, json: "borrowingLimitPercent", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1.NonResourcePolicyRule",
        fields: &[
            Field { tag: 1, json: "verbs", kind: Str, repeated: true },
            Field { tag: 6, json: "nonResourceURLs", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1.PolicyRulesWithSubjects",
        fields: &[
            Field { tag: 1, json: "subjects", kind: Msg(714), repeated: true },
            Field { tag: 2, json: "resourceRules", kind: Msg(712), repeated: true },
            Field { tag: 3, json: "nonResourceRules", kind: Msg(703), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1.PriorityLevelConfiguration",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(709), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(710), repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1.PriorityLevelConfigurationCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1.PriorityLevelConfigurationList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(705), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1.PriorityLevelConfigurationReference",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1.PriorityLevelConfigurationSpec",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "limited", kind: Msg(702), repeated: false },
            Field { tag: 3, json: "exempt", kind: Msg(693), repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1.PriorityLevelConfigurationStatus",
        fields: &[
            Field { tag: 1, json: "conditions", kind: Msg(706), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1.QueuingConfiguration",
        fields: &[
            Field { tag: 1, json: "queues", kind: Int32, repeated: false },
            Field { tag: 2, json: "handSize", kind: Int32, repeated: false },
            Field { tag: 3, json: "queueLengthLimit", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1.ResourcePolicyRule",
        fields: &[
            Field { tag: 1, json: "verbs", kind: Str, repeated: true },
            Field { tag: 2, json: "apiGroups", kind: Str, repeated: true },
            Field { tag: 3, json: "resources", kind: Str, repeated: true },
            Field { tag: 4, json: "clusterScope", kind: Bool, repeated: false },
            Field { tag: 5, json: "namespaces", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1.ServiceAccountSubject",
        fields: &[
            Field { tag: 1, json: "namespace", kind: Str, repeated: false },
            Field { tag: 2, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1.Subject",
        fields: &[
            Field { tag: 1, json: "kind", kind: Str, repeated: false },
            Field { tag: 2, json: "user", kind: Msg(715), repeated: false },
            Field { tag: 3, json: "group", kind: Msg(700), repeated: false },
            Field { tag: 4, json: "serviceAccount", kind: Msg(713), repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1.UserSubject",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta1.ExemptPriorityLevelConfiguration",
        fields: &[
            Field { tag: 1, json: "nominalConcurrencyShares", kind: Int32, repeated: false },
            Field { tag: 2, json: "lendablePercent", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta1.FlowDistinguisherMethod",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta1.FlowSchema",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(721), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(722), repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta1.FlowSchemaCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta1.FlowSchemaList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(718), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta1.FlowSchemaSpec",
        fields: &[
            Field { tag: 1, json: "priorityLevelConfiguration", kind: Msg(731), repeated: false },
            Field { tag: 2, json: "matchingPrecedence", kind: Int32, repeated: false },
            Field { tag: 3, json: "distinguisherMethod", kind: Msg(717), repeated: false },
            Field { tag: 4, json: "rules", kind: Msg(727), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta1.FlowSchemaStatus",
        fields: &[
            Field { tag: 1, json: "conditions", kind: Msg(719), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta1.GroupSubject",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta1.LimitResponse",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "queuing", kind: Msg(734), repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta1.LimitedPriorityLevelConfiguration",
        fields: &[
            Field { tag: 1, json: "assuredConcurrencyShares", kind: Int32, repeated: false },
            Field { tag: 2, json: "limitResponse", kind: Msg(724), repeated: false },
            Field { tag: 3, json: "lendablePercent", kind: Int32, repeated: false },
            Field { tag: 4, json: "borrowingLimitPercent", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta1.NonResourcePolicyRule",
        fields: &[
            Field { tag: 1, json: "verbs", kind: Str, repeated: true },
            Field { tag: 6, json: "nonResourceUrLs", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta1.PolicyRulesWithSubjects",
        fields: &[
            Field { tag: 1, json: "subjects", kind: Msg(737), repeated: true },
            Field { tag: 2, json: "resourceRules", kind: Msg(735), repeated: true },
            Field { tag: 3, json: "nonResourceRules", kind: Msg(726), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta1.PriorityLevelConfiguration",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(732), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(733), repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta1.PriorityLevelConfigurationCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta1.PriorityLevelConfigurationList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(728), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta1.PriorityLevelConfigurationReference",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta1.PriorityLevelConfigurationSpec",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "limited", kind: Msg(725), repeated: false },
            Field { tag: 3, json: "exempt", kind: Msg(716), repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta1.PriorityLevelConfigurationStatus",
        fields: &[
            Field { tag: 1, json: "conditions", kind: Msg(729), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta1.QueuingConfiguration",
        fields: &[
            Field { tag: 1, json: "queues", kind: Int32, repeated: false },
            Field { tag: 2, json: "handSize", kind: Int32, repeated: false },
            Field { tag: 3, json: "queueLengthLimit", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta1.ResourcePolicyRule",
        fields: &[
            Field { tag: 1, json: "verbs", kind: Str, repeated: true },
            Field { tag: 2, json: "apiGroups", kind: Str, repeated: true },
            Field { tag: 3, json: "resources", kind: Str, repeated: true },
            Field { tag: 4, json: "clusterScope", kind: Bool, repeated: false },
            Field { tag: 5, json: "namespaces", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta1.ServiceAccountSubject",
        fields: &[
            Field { tag: 1, json: "namespace", kind: Str, repeated: false },
            Field { tag: 2, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta1.Subject",
        fields: &[
            Field { tag: 1, json: "kind", kind: Str, repeated: false },
            Field { tag: 2, json: "user", kind: Msg(738), repeated: false },
            Field { tag: 3, json: "group", kind: Msg(723), repeated: false },
            Field { tag: 4, json: "serviceAccount", kind: Msg(736), repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta1.UserSubject",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta2.ExemptPriorityLevelConfiguration",
        fields: &[
            Field { tag: 1, json: "nominalConcurrencyShares", kind: Int32, repeated: false },
            Field { tag: 2, json: "lendablePercent", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta2.FlowDistinguisherMethod",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta2.FlowSchema",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(744), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(745), repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta2.FlowSchemaCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta2.FlowSchemaList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(741), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta2.FlowSchemaSpec",
        fields: &[
            Field { tag: 1, json: "priorityLevelConfiguration", kind: Msg(754), repeated: false },
            Field { tag: 2, json: "matchingPrecedence", kind: Int32, repeated: false },
            Field { tag: 3, json: "distinguisherMethod", kind: Msg(740), repeated: false },
            Field { tag: 4, json: "rules", kind: Msg(750), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta2.FlowSchemaStatus",
        fields: &[
            Field { tag: 1, json: "conditions", kind: Msg(742), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta2.GroupSubject",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta2.LimitResponse",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "queuing", kind: Msg(757), repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta2.LimitedPriorityLevelConfiguration",
        fields: &[
            Field { tag: 1, json: "assuredConcurrencyShares", kind: Int32, repeated: false },
            Field { tag: 2, json: "limitResponse", kind: Msg(747), repeated: false },
            Field { tag: 3, json: "lendablePercent", kind: Int32, repeated: false },
            Field { tag: 4, json: "borrowingLimitPercent", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta2.NonResourcePolicyRule",
        fields: &[
            Field { tag: 1, json: "verbs", kind: Str, repeated: true },
            Field { tag: 6, json: "nonResourceUrLs", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta2.PolicyRulesWithSubjects",
        fields: &[
            Field { tag: 1, json: "subjects", kind: Msg(760), repeated: true },
            Field { tag: 2, json: "resourceRules", kind: Msg(758), repeated: true },
            Field { tag: 3, json: "nonResourceRules", kind: Msg(749), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta2.PriorityLevelConfiguration",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(755), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(756), repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta2.PriorityLevelConfigurationCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta2.PriorityLevelConfigurationList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(751), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta2.PriorityLevelConfigurationReference",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta2.PriorityLevelConfigurationSpec",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "limited", kind: Msg(748), repeated: false },
            Field { tag: 3, json: "exempt", kind: Msg(739), repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta2.PriorityLevelConfigurationStatus",
        fields: &[
            Field { tag: 1, json: "conditions", kind: Msg(752), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta2.QueuingConfiguration",
        fields: &[
            Field { tag: 1, json: "queues", kind: Int32, repeated: false },
            Field { tag: 2, json: "handSize", kind: Int32, repeated: false },
            Field { tag: 3, json: "queueLengthLimit", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta2.ResourcePolicyRule",
        fields: &[
            Field { tag: 1, json: "verbs", kind: Str, repeated: true },
            Field { tag: 2, json: "apiGroups", kind: Str, repeated: true },
            Field { tag: 3, json: "resources", kind: Str, repeated: true },
            Field { tag: 4, json: "clusterScope", kind: Bool, repeated: false },
            Field { tag: 5, json: "namespaces", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta2.ServiceAccountSubject",
        fields: &[
            Field { tag: 1, json: "namespace", kind: Str, repeated: false },
            Field { tag: 2, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta2.Subject",
        fields: &[
            Field { tag: 1, json: "kind", kind: Str, repeated: false },
            Field { tag: 2, json: "user", kind: Msg(761), repeated: false },
            Field { tag: 3, json: "group", kind: Msg(746), repeated: false },
            Field { tag: 4, json: "serviceAccount", kind: Msg(759), repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta2.UserSubject",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta3.ExemptPriorityLevelConfiguration",
        fields: &[
            Field { tag: 1, json: "nominalConcurrencyShares", kind: Int32, repeated: false },
            Field { tag: 2, json: "lendablePercent", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta3.FlowDistinguisherMethod",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta3.FlowSchema",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(767), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(768), repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta3.FlowSchemaCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta3.FlowSchemaList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(764), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta3.FlowSchemaSpec",
        fields: &[
            Field { tag: 1, json: "priorityLevelConfiguration", kind: Msg(777), repeated: false },
            Field { tag: 2, json: "matchingPrecedence", kind: Int32, repeated: false },
            Field { tag: 3, json: "distinguisherMethod", kind: Msg(763), repeated: false },
            Field { tag: 4, json: "rules", kind: Msg(773), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta3.FlowSchemaStatus",
        fields: &[
            Field { tag: 1, json: "conditions", kind: Msg(765), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta3.GroupSubject",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta3.LimitResponse",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "queuing", kind: Msg(780), repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta3.LimitedPriorityLevelConfiguration",
        fields: &[
            Field { tag: 1, json: "nominalConcurrencyShares", kind: Int32, repeated: false },
            Field { tag: 2, json: "limitResponse", kind: Msg(770), repeated: false },
            Field { tag: 3, json: "lendablePercent", kind: Int32, repeated: false },
            Field { tag: 4, json: "borrowingLimitPercent", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta3.NonResourcePolicyRule",
        fields: &[
            Field { tag: 1, json: "verbs", kind: Str, repeated: true },
            Field { tag: 6, json: "nonResourceUrLs", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta3.PolicyRulesWithSubjects",
        fields: &[
            Field { tag: 1, json: "subjects", kind: Msg(783), repeated: true },
            Field { tag: 2, json: "resourceRules", kind: Msg(781), repeated: true },
            Field { tag: 3, json: "nonResourceRules", kind: Msg(772), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta3.PriorityLevelConfiguration",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(778), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(779), repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta3.PriorityLevelConfigurationCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta3.PriorityLevelConfigurationList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(774), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta3.PriorityLevelConfigurationReference",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta3.PriorityLevelConfigurationSpec",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "limited", kind: Msg(771), repeated: false },
            Field { tag: 3, json: "exempt", kind: Msg(762), repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta3.PriorityLevelConfigurationStatus",
        fields: &[
            Field { tag: 1, json: "conditions", kind: Msg(775), repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta3.QueuingConfiguration",
        fields: &[
            Field { tag: 1, json: "queues", kind: Int32, repeated: false },
            Field { tag: 2, json: "handSize", kind: Int32, repeated: false },
            Field { tag: 3, json: "queueLengthLimit", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta3.ResourcePolicyRule",
        fields: &[
            Field { tag: 1, json: "verbs", kind: Str, repeated: true },
            Field { tag: 2, json: "apiGroups", kind: Str, repeated: true },
            Field { tag: 3, json: "resources", kind: Str, repeated: true },
            Field { tag: 4, json: "clusterScope", kind: Bool, repeated: false },
            Field { tag: 5, json: "namespaces", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta3.ServiceAccountSubject",
        fields: &[
            Field { tag: 1, json: "namespace", kind: Str, repeated: false },
            Field { tag: 2, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta3.Subject",
        fields: &[
            Field { tag: 1, json: "kind", kind: Str, repeated: false },
            Field { tag: 2, json: "user", kind: Msg(784), repeated: false },
            Field { tag: 3, json: "group", kind: Msg(769), repeated: false },
            Field { tag: 4, json: "serviceAccount", kind: Msg(782), repeated: false },
        ],
    },
    Message {
        name: "api.flowcontrol.v1beta3.UserSubject",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.imagepolicy.v1alpha1.ImageReview",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(787), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(788), repeated: false },
        ],
    },
    Message {
        name: "api.imagepolicy.v1alpha1.ImageReviewContainerSpec",
        fields: &[
            Field { tag: 1, json: "image", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.imagepolicy.v1alpha1.ImageReviewSpec",
        fields: &[
            Field { tag: 1, json: "containers", kind: Msg(786), repeated: true },
            Field { tag: 2, json: "annotations", kind: Map(&Str), repeated: false },
            Field { tag: 3, json: "namespace", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.imagepolicy.v1alpha1.ImageReviewStatus",
        fields: &[
            Field { tag: 1, json: "allowed", kind: Bool, repeated: false },
            Field { tag: 2, json: "reason", kind: Str, repeated: false },
            Field { tag: 3, json: "auditAnnotations", kind: Map(&Str), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1.HttpIngressPath",
        fields: &[
            Field { tag: 1, json: "path", kind: Str, repeated: false },
            Field { tag: 2, json: "backend", kind: Msg(795), repeated: false },
            Field { tag: 3, json: "pathType", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1.HttpIngressRuleValue",
        fields: &[
            Field { tag: 1, json: "paths", kind: Msg(789), repeated: true },
        ],
    },
    Message {
        name: "api.networking.v1.IPAddress",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(793), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1.IPAddressList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(791), repeated: true },
        ],
    },
    Message {
        name: "api.networking.v1.IPAddressSpec",
        fields: &[
            Field { tag: 1, json: "parentRef", kind: Msg(818), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1.Ingress",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(807), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(808), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1.IngressBackend",
        fields: &[
            Field { tag: 3, json: "resource", kind: Msg(612), repeated: false },
            Field { tag: 4, json: "service", kind: Msg(806), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1.IngressClass",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(799), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1.IngressClassList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(796), repeated: true },
        ],
    },
    Message {
        name: "api.networking.v1.IngressClassParametersReference",
        fields: &[
            Field { tag: 1, json: "apiGroup", kind: Str, repeated: false },
            Field { tag: 2, json: "kind", kind: Str, repeated: false },
            Field { tag: 3, json: "name", kind: Str, repeated: false },
            Field { tag: 4, json: "scope", kind: Str, repeated: false },
            Field { tag: 5, json: "namespace", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1.IngressClassSpec",
        fields: &[
            Field { tag: 1, json: "controller", kind: Str, repeated: false },
            Field { tag: 2, json: "parameters", kind: Msg(798), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1.IngressList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(794), repeated: true },
        ],
    },
    Message {
        name: "api.networking.v1.IngressLoadBalancerIngress",
        fields: &[
            Field { tag: 1, json: "ip", kind: Str, repeated: false },
            Field { tag: 2, json: "hostname", kind: Str, repeated: false },
            Field { tag: 4, json: "ports", kind: Msg(803), repeated: true },
        ],
    },
    Message {
        name: "api.networking.v1.IngressLoadBalancerStatus",
        fields: &[
            Field { tag: 1, json: "ingress", kind: Msg(801), repeated: true },
        ],
    },
    Message {
        name: "api.networking.v1.IngressPortStatus",
        fields: &[
            Field { tag: 1, json: "port", kind: Int32, repeated: false },
            Field { tag: 2, json: "protocol", kind: Str, repeated: false },
            Field { tag: 3, json: "error", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1.IngressRule",
        fields: &[
            Field { tag: 1, json: "host", kind: Str, repeated: false },
            Field { tag: 2, json: "", kind: Msg(805), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1.IngressRuleValue",
        fields: &[
            Field { tag: 1, json: "http", kind: Msg(790), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1.IngressServiceBackend",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "port", kind: Msg(819), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1.IngressSpec",
        fields: &[
            Field { tag: 1, json: "defaultBackend", kind: Msg(795), repeated: false },
            Field { tag: 2, json: "tls", kind: Msg(809), repeated: true },
            Field { tag: 3, json: "rules", kind: Msg(804), repeated: true },
            Field { tag: 4, json: "ingressClassName", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1.IngressStatus",
        fields: &[
            Field { tag: 1, json: "loadBalancer", kind: Msg(802), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1.IngressTls",
        fields: &[
            Field { tag: 1, json: "hosts", kind: Str, repeated: true },
            Field { tag: 2, json: "secretName", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1.IpBlock",
        fields: &[
            Field { tag: 1, json: "cidr", kind: Str, repeated: false },
            Field { tag: 2, json: "except", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.networking.v1.NetworkPolicy",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(817), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1.NetworkPolicyEgressRule",
        fields: &[
            Field { tag: 1, json: "ports", kind: Msg(816), repeated: true },
            Field { tag: 2, json: "to", kind: Msg(815), repeated: true },
        ],
    },
    Message {
        name: "api.networking.v1.NetworkPolicyIngressRule",
        fields: &[
            Field { tag: 1, json: "ports", kind: Msg(816), repeated: true },
            Field { tag: 2, json: "from", kind: Msg(815), repeated: true },
        ],
    },
    Message {
        name: "api.networking.v1.NetworkPolicyList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(811), repeated: true },
        ],
    },
    Message {
        name: "api.networking.v1.NetworkPolicyPeer",
        fields: &[
            Field { tag: 1, json: "podSelector", kind: Msg(1189), repeated: false },
            Field { tag: 2, json: "namespaceSelector", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "ipBlock", kind: Msg(810), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1.NetworkPolicyPort",
        fields: &[
            Field { tag: 1, json: "protocol", kind: Str, repeated: false },
            Field { tag: 2, json: "port", kind: Msg(1225), repeated: false },
            Field { tag: 3, json: "endPort", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1.NetworkPolicySpec",
        fields: &[
            Field { tag: 1, json: "podSelector", kind: Msg(1189), repeated: false },
            Field { tag: 2, json: "ingress", kind: Msg(813), repeated: true },
            Field { tag: 3, json: "egress", kind: Msg(812), repeated: true },
            Field { tag: 4, json: "policyTypes", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.networking.v1.ParentReference",
        fields: &[
            Field { tag: 1, json: "group", kind: Str, repeated: false },
            Field { tag: 2, json: "resource", kind: Str, repeated: false },
            Field { tag: 3, json: "namespace", kind: Str, repeated: false },
            Field { tag: 4, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1.ServiceBackendPort",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "number", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1.ServiceCIDR",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(822), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(823), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1.ServiceCIDRList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(820), repeated: true },
        ],
    },
    Message {
        name: "api.networking.v1.ServiceCIDRSpec",
        fields: &[
            Field { tag: 1, json: "cidrs", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.networking.v1.ServiceCIDRStatus",
        fields: &[
            Field { tag: 1, json: "conditions", kind: Msg(1176), repeated: true },
        ],
    },
    Message {
        name: "api.networking.v1beta1.HttpIngressPath",
        fields: &[
            Field { tag: 1, json: "path", kind: Str, repeated: false },
            Field { tag: 2, json: "backend", kind: Msg(830), repeated: false },
            Field { tag: 3, json: "pathType", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1beta1.HttpIngressRuleValue",
        fields: &[
            Field { tag: 1, json: "paths", kind: Msg(824), repeated: true },
        ],
    },
    Message {
        name: "api.networking.v1beta1.IPAddress",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(828), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1beta1.IPAddressList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(826), repeated: true },
        ],
    },
    Message {
        name: "api.networking.v1beta1.IPAddressSpec",
        fields: &[
            Field { tag: 1, json: "parentRef", kind: Msg(844), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1beta1.Ingress",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(841), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(842), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1beta1.IngressBackend",
        fields: &[
            Field { tag: 1, json: "serviceName", kind: Str, repeated: false },
            Field { tag: 2, json: "servicePort", kind: Msg(1225), repeated: false },
            Field { tag: 3, json: "resource", kind: Msg(612), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1beta1.IngressClass",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(834), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1beta1.IngressClassList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(831), repeated: true },
        ],
    },
    Message {
        name: "api.networking.v1beta1.IngressClassParametersReference",
        fields: &[
            Field { tag: 1, json: "aPiGroup", kind: Str, repeated: false },
            Field { tag: 2, json: "kind", kind: Str, repeated: false },
            Field { tag: 3, json: "name", kind: Str, repeated: false },
            Field { tag: 4, json: "scope", kind: Str, repeated: false },
            Field { tag: 5, json: "namespace", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1beta1.IngressClassSpec",
        fields: &[
            Field { tag: 1, json: "controller", kind: Str, repeated: false },
            Field { tag: 2, json: "parameters", kind: Msg(833), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1beta1.IngressList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(829), repeated: true },
        ],
    },
    Message {
        name: "api.networking.v1beta1.IngressLoadBalancerIngress",
        fields: &[
            Field { tag: 1, json: "ip", kind: Str, repeated: false },
            Field { tag: 2, json: "hostname", kind: Str, repeated: false },
            Field { tag: 4, json: "ports", kind: Msg(838), repeated: true },
        ],
    },
    Message {
        name: "api.networking.v1beta1.IngressLoadBalancerStatus",
        fields: &[
            Field { tag: 1, json: "ingress", kind: Msg(836), repeated: true },
        ],
    },
    Message {
        name: "api.networking.v1beta1.IngressPortStatus",
        fields: &[
            Field { tag: 1, json: "port", kind: Int32, repeated: false },
            Field { tag: 2, json: "protocol", kind: Str, repeated: false },
            Field { tag: 3, json: "error", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1beta1.IngressRule",
        fields: &[
            Field { tag: 1, json: "host", kind: Str, repeated: false },
            Field { tag: 2, json: "ingressRuleValue", kind: Msg(840), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1beta1.IngressRuleValue",
        fields: &[
            Field { tag: 1, json: "http", kind: Msg(825), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1beta1.IngressSpec",
        fields: &[
            Field { tag: 1, json: "backend", kind: Msg(830), repeated: false },
            Field { tag: 2, json: "tls", kind: Msg(843), repeated: true },
            Field { tag: 3, json: "rules", kind: Msg(839), repeated: true },
            Field { tag: 4, json: "ingressClassName", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1beta1.IngressStatus",
        fields: &[
            Field { tag: 1, json: "loadBalancer", kind: Msg(837), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1beta1.IngressTls",
        fields: &[
            Field { tag: 1, json: "hosts", kind: Str, repeated: true },
            Field { tag: 2, json: "secretName", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1beta1.ParentReference",
        fields: &[
            Field { tag: 1, json: "group", kind: Str, repeated: false },
            Field { tag: 2, json: "resource", kind: Str, repeated: false },
            Field { tag: 3, json: "namespace", kind: Str, repeated: false },
            Field { tag: 4, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1beta1.ServiceCIDR",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(847), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(848), repeated: false },
        ],
    },
    Message {
        name: "api.networking.v1beta1.ServiceCIDRList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(845), repeated: true },
        ],
    },
    Message {
        name: "api.networking.v1beta1.ServiceCIDRSpec",
        fields: &[
            Field { tag: 1, json: "cidrs", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.networking.v1beta1.ServiceCIDRStatus",
        fields: &[
            Field { tag: 1, json: "conditions", kind: Msg(1176), repeated: true },
        ],
    },
    Message {
        name: "api.node.v1.Overhead",
        fields: &[
            Field { tag: 1, json: "podFixed", kind: Map(&Msg(1168)), repeated: false },
        ],
    },
    Message {
        name: "api.node.v1.RuntimeClass",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "handler", kind: Str, repeated: false },
            Field { tag: 3, json: "overhead", kind: Msg(849), repeated: false },
            Field { tag: 4, json: "scheduling", kind: Msg(852), repeated: false },
        ],
    },
    Message {
        name: "api.node.v1.RuntimeClassList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(850), repeated: true },
        ],
    },
    Message {
        name: "api.node.v1.Scheduling",
        fields: &[
            Field { tag: 1, json: "nodeSelector", kind: Map(&Str), repeated: false },
            Field { tag: 2, json: "tolerations", kind: Msg(608), repeated: true },
        ],
    },
    Message {
        name: "api.node.v1alpha1.Overhead",
        fields: &[
            Field { tag: 1, json: "podFixed", kind: Map(&Msg(1168)), repeated: false },
        ],
    },
    Message {
        name: "api.node.v1alpha1.RuntimeClass",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(856), repeated: false },
        ],
    },
    Message {
        name: "api.node.v1alpha1.RuntimeClassList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(854), repeated: true },
        ],
    },
    Message {
        name: "api.node.v1alpha1.RuntimeClassSpec",
        fields: &[
            Field { tag: 1, json: "runtimeHandler", kind: Str, repeated: false },
            Field { tag: 2, json: "overhead", kind: Msg(853), repeated: false },
            Field { tag: 3, json: "scheduling", kind: Msg(857), repeated: false },
        ],
    },
    Message {
        name: "api.node.v1alpha1.Scheduling",
        fields: &[
            Field { tag: 1, json: "nodeSelector", kind: Map(&Str), repeated: false },
            Field { tag: 2, json: "tolerations", kind: Msg(608), repeated: true },
        ],
    },
    Message {
        name: "api.node.v1beta1.Overhead",
        fields: &[
            Field { tag: 1, json: "podFixed", kind: Map(&Msg(1168)), repeated: false },
        ],
    },
    Message {
        name: "api.node.v1beta1.RuntimeClass",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "handler", kind: Str, repeated: false },
            Field { tag: 3, json: "overhead", kind: Msg(858), repeated: false },
            Field { tag: 4, json: "scheduling", kind: Msg(861), repeated: false },
        ],
    },
    Message {
        name: "api.node.v1beta1.RuntimeClassList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(859), repeated: true },
        ],
    },
    Message {
        name: "api.node.v1beta1.Scheduling",
        fields: &[
            Field { tag: 1, json: "nodeSelector", kind: Map(&Str), repeated: false },
            Field { tag: 2, json: "tolerations", kind: Msg(608), repeated: true },
        ],
    },
    Message {
        name: "api.policy.v1.Eviction",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "deleteOptions", kind: Msg(1178), repeated: false },
        ],
    },
    Message {
        name: "api.policy.v1.PodDisruptionBudget",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(865), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(866), repeated: false },
        ],
    },
    Message {
        name: "api.policy.v1.PodDisruptionBudgetList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(863), repeated: true },
        ],
    },
    Message {
        name: "api.policy.v1.PodDisruptionBudgetSpec",
        fields: &[
            Field { tag: 1, json: "minAvailable", kind: Msg(1225), repeated: false },
            Field { tag: 2, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "maxUnavailable", kind: Msg(1225), repeated: false },
            Field { tag: 4, json: "unhealthyPodEvictionPolicy", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.policy.v1.PodDisruptionBudgetStatus",
        fields: &[
            Field { tag: 1, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 2, json: "disruptedPods", kind: Map(&Msg(1209)), repeated: false },
            Field { tag: 3, json: "disruptionsAllowed", kind: Int32, repeated: false },
            Field { tag: 4, json: "currentHealthy", kind: Int32, repeated: false },
            Field { tag: 5, json: "desiredHealthy", kind: Int32, repeated: false },
            Field { tag: 6, json: "expectedPods", kind: Int32, repeated: false },
            Field { tag: 7, json: "conditions", kind: Msg(1176), repeated: true },
        ],
    },
    Message {
        name: "api.policy.v1beta1.Eviction",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "deleteOptions", kind: Msg(1178), repeated: false },
        ],
    },
    Message {
        name: "api.policy.v1beta1.PodDisruptionBudget",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(870), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(871), repeated: false },
        ],
    },
    Message {
        name: "api.policy.v1beta1.PodDisruptionBudgetList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(868), repeated: true },
        ],
    },
    Message {
        name: "api.policy.v1beta1.PodDisruptionBudgetSpec",
        fields: &[
            Field { tag: 1, json: "minAvailable", kind: Msg(1225), repeated: false },
            Field { tag: 2, json: "selector", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "maxUnavailable", kind: Msg(1225), repeated: false },
            Field { tag: 4, json: "unhealthyPodEvictionPolicy", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.policy.v1beta1.PodDisruptionBudgetStatus",
        fields: &[
            Field { tag: 1, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 2, json: "disruptedPods", kind: Map(&Msg(1209)), repeated: false },
            Field { tag: 3, json: "disruptionsAllowed", kind: Int32, repeated: false },
            Field { tag: 4, json: "currentHealthy", kind: Int32, repeated: false },
            Field { tag: 5, json: "desiredHealthy", kind: Int32, repeated: false },
            Field { tag: 6, json: "expectedPods", kind: Int32, repeated: false },
            Field { tag: 7, json: "conditions", kind: Msg(1176), repeated: true },
        ],
    },
    Message {
        name: "api.rbac.v1.AggregationRule",
        fields: &[
            Field { tag: 1, json: "clusterRoleSelectors", kind: Msg(1189), repeated: true },
        ],
    },
    Message {
        name: "api.rbac.v1.ClusterRole",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "rules", kind: Msg(877), repeated: true },
            Field { tag: 3, json: "aggregationRule", kind: Msg(872), repeated: false },
        ],
    },
    Message {
        name: "api.rbac.v1.ClusterRoleBinding",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "subjects", kind: Msg(883), repeated: true },
            Field { tag: 3, json: "roleRef", kind: Msg(882), repeated: false },
        ],
    },
    Message {
        name: "api.rbac.v1.ClusterRoleBindingList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(874), repeated: true },
        ],
    },
    Message {
        name: "api.rbac.v1.ClusterRoleList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(873), repeated: true },
        ],
    },
    Message {
        name: "api.rbac.v1.PolicyRule",
        fields: &[
            Field { tag: 1, json: "verbs", kind: Str, repeated: true },
            Field { tag: 2, json: "apiGroups", kind: Str, repeated: true },
            Field { tag: 3, json: "resources", kind: Str, repeated: true },
            Field { tag: 4, json: "resourceNames", kind: Str, repeated: true },
            Field { tag: 5, json: "nonResourceURLs", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.rbac.v1.Role",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "rules", kind: Msg(877), repeated: true },
        ],
    },
    Message {
        name: "api.rbac.v1.RoleBinding",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "subjects", kind: Msg(883), repeated: true },
            Field { tag: 3, json: "roleRef", kind: Msg(882), repeated: false },
        ],
    },
    Message {
        name: "api.rbac.v1.RoleBindingList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(879), repeated: true },
        ],
    },
    Message {
        name: "api.rbac.v1.RoleList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(878), repeated: true },
        ],
    },
    Message {
        name: "api.rbac.v1.RoleRef",
        fields: &[
            Field { tag: 1, json: "apiGroup", kind: Str, repeated: false },
            Field { tag: 2, json: "kind", kind: Str, repeated: false },
            Field { tag: 3, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.rbac.v1.Subject",
        fields: &[
            Field { tag: 1, json: "kind", kind: Str, repeated: false },
            Field { tag: 2, json: "apiGroup", kind: Str, repeated: false },
            Field { tag: 3, json: "name", kind: Str, repeated: false },
            Field { tag: 4, json: "namespace", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.rbac.v1alpha1.AggregationRule",
        fields: &[
            Field { tag: 1, json: "clusterRoleSelectors", kind: Msg(1189), repeated: true },
        ],
    },
    Message {
        name: "api.rbac.v1alpha1.ClusterRole",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "rules", kind: Msg(889), repeated: true },
            Field { tag: 3, json: "aggregationRule", kind: Msg(884), repeated: false },
        ],
    },
    Message {
        name: "api.rbac.v1alpha1.ClusterRoleBinding",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "subjects", kind: Msg(895), repeated: true },
            Field { tag: 3, json: "roleRef", kind: Msg(894), repeated: false },
        ],
    },
    Message {
        name: "api.rbac.v1alpha1.ClusterRoleBindingList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(886), repeated: true },
        ],
    },
    Message {
        name: "api.rbac.v1alpha1.ClusterRoleList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(885), repeated: true },
        ],
    },
    Message {
        name: "api.rbac.v1alpha1.PolicyRule",
        fields: &[
            Field { tag: 1, json: "verbs", kind: Str, repeated: true },
            Field { tag: 3, json: "apiGroups", kind: Str, repeated: true },
            Field { tag: 4, json: "resources", kind: Str, repeated: true },
            Field { tag: 5, json: "resourceNames", kind: Str, repeated: true },
            Field { tag: 6, json: "nonResourceUrLs", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.rbac.v1alpha1.Role",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "rules", kind: Msg(889), repeated: true },
        ],
    },
    Message {
        name: "api.rbac.v1alpha1.RoleBinding",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "subjects", kind: Msg(895), repeated: true },
            Field { tag: 3, json: "roleRef", kind: Msg(894), repeated: false },
        ],
    },
    Message {
        name: "api.rbac.v1alpha1.RoleBindingList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(891), repeated: true },
        ],
    },
    Message {
        name: "api.rbac.v1alpha1.RoleList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(890), repeated: true },
        ],
    },
    Message {
        name: "api.rbac.v1alpha1.RoleRef",
        fields: &[
            Field { tag: 1, json: "apiGroup", kind: Str, repeated: false },
            Field { tag: 2, json: "kind", kind: Str, repeated: false },
            Field { tag: 3, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.rbac.v1alpha1.Subject",
        fields: &[
            Field { tag: 1, json: "kind", kind: Str, repeated: false },
            Field { tag: 2, json: "apiVersion", kind: Str, repeated: false },
            Field { tag: 3, json: "name", kind: Str, repeated: false },
            Field { tag: 4, json: "namespace", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.rbac.v1beta1.AggregationRule",
        fields: &[
            Field { tag: 1, json: "clusterRoleSelectors", kind: Msg(1189), repeated: true },
        ],
    },
    Message {
        name: "api.rbac.v1beta1.ClusterRole",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "rules", kind: Msg(901), repeated: true },
            Field { tag: 3, json: "aggregationRule", kind: Msg(896), repeated: false },
        ],
    },
    Message {
        name: "api.rbac.v1beta1.ClusterRoleBinding",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "subjects", kind: Msg(907), repeated: true },
            Field { tag: 3, json: "roleRef", kind: Msg(906), repeated: false },
        ],
    },
    Message {
        name: "api.rbac.v1beta1.ClusterRoleBindingList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(898), repeated: true },
        ],
    },
    Message {
        name: "api.rbac.v1beta1.ClusterRoleList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(897), repeated: true },
        ],
    },
    Message {
        name: "api.rbac.v1beta1.PolicyRule",
        fields: &[
            Field { tag: 1, json: "verbs", kind: Str, repeated: true },
            Field { tag: 2, json: "apiGroups", kind: Str, repeated: true },
            Field { tag: 3, json: "resources", kind: Str, repeated: true },
            Field { tag: 4, json: "resourceNames", kind: Str, repeated: true },
            Field { tag: 5, json: "nonResourceUrLs", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "api.rbac.v1beta1.Role",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "rules", kind: Msg(901), repeated: true },
        ],
    },
    Message {
        name: "api.rbac.v1beta1.RoleBinding",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "subjects", kind: Msg(907), repeated: true },
            Field { tag: 3, json: "roleRef", kind: Msg(906), repeated: false },
        ],
    },
    Message {
        name: "api.rbac.v1beta1.RoleBindingList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(903), repeated: true },
        ],
    },
    Message {
        name: "api.rbac.v1beta1.RoleList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(902), repeated: true },
        ],
    },
    Message {
        name: "api.rbac.v1beta1.RoleRef",
        fields: &[
            Field { tag: 1, json: "apiGroup", kind: Str, repeated: false },
            Field { tag: 2, json: "kind", kind: Str, repeated: false },
            Field { tag: 3, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.rbac.v1beta1.Subject",
        fields: &[
            Field { tag: 1, json: "kind", kind: Str, repeated: false },
            Field { tag: 2, json: "apiGroup", kind: Str, repeated: false },
            Field { tag: 3, json: "name", kind: Str, repeated: false },
            Field { tag: 4, json: "namespace", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.AllocatedDeviceStatus",
        fields: &[
            Field { tag: 1, json: "driver", kind: Str, repeated: false },
            Field { tag: 2, json: "pool", kind: Str, repeated: false },
            Field { tag: 3, json: "device", kind: Str, repeated: false },
            Field { tag: 4, json: "conditions", kind: Msg(1176), repeated: true },
            Field { tag: 5, json: "data", kind: Msg(1222), repeated: false },
            Field { tag: 6, json: "networkData", kind: Msg(937), repeated: false },
            Field { tag: 7, json: "shareID", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.AllocationResult",
        fields: &[
            Field { tag: 1, json: "devices", kind: Msg(918), repeated: false },
            Field { tag: 3, json: "nodeSelector", kind: Msg(500), repeated: false },
            Field { tag: 5, json: "allocationTimestamp", kind: Msg(1209), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.CapacityRequestPolicy",
        fields: &[
            Field { tag: 1, json: "default", kind: Msg(1168), repeated: false },
            Field { tag: 3, json: "validValues", kind: Msg(1168), repeated: true },
            Field { tag: 4, json: "validRange", kind: Msg(911), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.CapacityRequestPolicyRange",
        fields: &[
            Field { tag: 1, json: "min", kind: Msg(1168), repeated: false },
            Field { tag: 2, json: "max", kind: Msg(1168), repeated: false },
            Field { tag: 3, json: "step", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.CapacityRequirements",
        fields: &[
            Field { tag: 1, json: "requests", kind: Map(&Msg(1168)), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.CelDeviceSelector",
        fields: &[
            Field { tag: 1, json: "expression", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.Counter",
        fields: &[
            Field { tag: 1, json: "value", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.CounterSet",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "counters", kind: Map(&Msg(914)), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.Device",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "attributes", kind: Map(&Msg(919)), repeated: false },
            Field { tag: 3, json: "capacity", kind: Map(&Msg(920)), repeated: false },
            Field { tag: 4, json: "consumesCounters", kind: Msg(929), repeated: true },
            Field { tag: 5, json: "nodeName", kind: Str, repeated: false },
            Field { tag: 6, json: "nodeSelector", kind: Msg(500), repeated: false },
            Field { tag: 7, json: "allNodes", kind: Bool, repeated: false },
            Field { tag: 8, json: "taints", kind: Msg(934), repeated: true },
            Field { tag: 9, json: "bindsToNode", kind: Bool, repeated: false },
            Field { tag: 10, json: "bindingConditions", kind: Str, repeated: true },
            Field { tag: 11, json: "bindingFailureConditions", kind: Str, repeated: true },
            Field { tag: 12, json: "allowMultipleAllocations", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.DeviceAllocationConfiguration",
        fields: &[
            Field { tag: 1, json: "source", kind: Str, repeated: false },
            Field { tag: 2, json: "requests", kind: Str, repeated: true },
            Field { tag: 3, json: "", kind: Msg(927), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.DeviceAllocationResult",
        fields: &[
            Field { tag: 1, json: "results", kind: Msg(931), repeated: true },
            Field { tag: 2, json: "config", kind: Msg(917), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1.DeviceAttribute",
        fields: &[
            Field { tag: 2, json: "int", kind: Int64, repeated: false },
            Field { tag: 3, json: "bool", kind: Bool, repeated: false },
            Field { tag: 4, json: "string", kind: Str, repeated: false },
            Field { tag: 5, json: "version", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.DeviceCapacity",
        fields: &[
            Field { tag: 1, json: "value", kind: Msg(1168), repeated: false },
            Field { tag: 2, json: "requestPolicy", kind: Msg(910), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.DeviceClaim",
        fields: &[
            Field { tag: 1, json: "requests", kind: Msg(930), repeated: true },
            Field { tag: 2, json: "constraints", kind: Msg(928), repeated: true },
            Field { tag: 3, json: "config", kind: Msg(922), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1.DeviceClaimConfiguration",
        fields: &[
            Field { tag: 1, json: "requests", kind: Str, repeated: true },
            Field { tag: 2, json: "", kind: Msg(927), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.DeviceClass",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(926), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.DeviceClassConfiguration",
        fields: &[
            Field { tag: 1, json: "", kind: Msg(927), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.DeviceClassList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(923), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1.DeviceClassSpec",
        fields: &[
            Field { tag: 1, json: "selectors", kind: Msg(932), repeated: true },
            Field { tag: 2, json: "config", kind: Msg(924), repeated: true },
            Field { tag: 4, json: "extendedResourceName", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.DeviceConfiguration",
        fields: &[
            Field { tag: 1, json: "opaque", kind: Msg(938), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.DeviceConstraint",
        fields: &[
            Field { tag: 1, json: "requests", kind: Str, repeated: true },
            Field { tag: 2, json: "matchAttribute", kind: Str, repeated: false },
            Field { tag: 3, json: "distinctAttribute", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.DeviceCounterConsumption",
        fields: &[
            Field { tag: 1, json: "counterSet", kind: Str, repeated: false },
            Field { tag: 2, json: "counters", kind: Map(&Msg(914)), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.DeviceRequest",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "exactly", kind: Msg(936), repeated: false },
            Field { tag: 3, json: "firstAvailable", kind: Msg(933), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1.DeviceRequestAllocationResult",
        fields: &[
            Field { tag: 1, json: "request", kind: Str, repeated: false },
            Field { tag: 2, json: "driver", kind: Str, repeated: false },
            Field { tag: 3, json: "pool", kind: Str, repeated: false },
            Field { tag: 4, json: "device", kind: Str, repeated: false },
            Field { tag: 5, json: "adminAccess", kind: Bool, repeated: false },
            Field { tag: 6, json: "tolerations", kind: Msg(935), repeated: true },
            Field { tag: 7, json: "bindingConditions", kind: Str, repeated: true },
            Field { tag: 8, json: "bindingFailureConditions", kind: Str, repeated: true },
            Field { tag: 9, json: "shareID", kind: Str, repeated: false },
            Field { tag: 10, json: "consumedCapacity", kind: Map(&Msg(1168)), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.DeviceSelector",
        fields: &[
            Field { tag: 1, json: "cel", kind: Msg(913), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.DeviceSubRequest",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "deviceClassName", kind: Str, repeated: false },
            Field { tag: 3, json: "selectors", kind: Msg(932), repeated: true },
            Field { tag: 4, json: "allocationMode", kind: Str, repeated: false },
            Field { tag: 5, json: "count", kind: Int64, repeated: false },
            Field { tag: 6, json: "tolerations", kind: Msg(935), repeated: true },
            Field { tag: 7, json: "capacity", kind: Msg(912), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.DeviceTaint",
        fields: &[
            Field { tag: 1, json: "key", kind: Str, repeated: false },
            Field { tag: 2, json: "value", kind: Str, repeated: false },
            Field { tag: 3, json: "effect", kind: Str, repeated: false },
            Field { tag: 4, json: "timeAdded", kind: Msg(1209), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.DeviceToleration",
        fields: &[
            Field { tag: 1, json: "key", kind: Str, repeated: false },
            Field { tag: 2, json: "operator", kind: Str, repeated: false },
            Field { tag: 3, json: "value", kind: Str, repeated: false },
            Field { tag: 4, json: "effect", kind: Str, repeated: false },
            Field { tag: 5, json: "tolerationSeconds", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.ExactDeviceRequest",
        fields: &[
            Field { tag: 1, json: "deviceClassName", kind: Str, repeated: false },
            Field { tag: 2, json: "selectors", kind: Msg(932), repeated: true },
            Field { tag: 3, json: "allocationMode", kind: Str, repeated: false },
            Field { tag: 4, json: "count", kind: Int64, repeated: false },
            Field { tag: 5, json: "adminAccess", kind: Bool, repeated: false },
            Field { tag: 6, json: "tolerations", kind: Msg(935), repeated: true },
            Field { tag: 7, json: "capacity", kind: Msg(912), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.NetworkDeviceData",
        fields: &[
            Field { tag: 1, json: "interfaceName", kind: Str, repeated: false },
            Field { tag: 2, json: "ips", kind: Str, repeated: true },
            Field { tag: 3, json: "hardwareAddress", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.OpaqueDeviceConfiguration",
        fields: &[
            Field { tag: 1, json: "driver", kind: Str, repeated: false },
            Field { tag: 2, json: "parameters", kind: Msg(1222), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.ResourceClaim",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(942), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(943), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.ResourceClaimConsumerReference",
        fields: &[
            Field { tag: 1, json: "apiGroup", kind: Str, repeated: false },
            Field { tag: 3, json: "resource", kind: Str, repeated: false },
            Field { tag: 4, json: "name", kind: Str, repeated: false },
            Field { tag: 5, json: "uid", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.ResourceClaimList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(939), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1.ResourceClaimSpec",
        fields: &[
            Field { tag: 1, json: "devices", kind: Msg(921), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.ResourceClaimStatus",
        fields: &[
            Field { tag: 1, json: "allocation", kind: Msg(909), repeated: false },
            Field { tag: 2, json: "reservedFor", kind: Msg(940), repeated: true },
            Field { tag: 4, json: "devices", kind: Msg(908), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1.ResourceClaimTemplate",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(946), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.ResourceClaimTemplateList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(944), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1.ResourceClaimTemplateSpec",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(942), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.ResourcePool",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "generation", kind: Int64, repeated: false },
            Field { tag: 3, json: "resourceSliceCount", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.ResourceSlice",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(950), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1.ResourceSliceList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(948), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1.ResourceSliceSpec",
        fields: &[
            Field { tag: 1, json: "driver", kind: Str, repeated: false },
            Field { tag: 2, json: "pool", kind: Msg(947), repeated: false },
            Field { tag: 3, json: "nodeName", kind: Str, repeated: false },
            Field { tag: 4, json: "nodeSelector", kind: Msg(500), repeated: false },
            Field { tag: 5, json: "allNodes", kind: Bool, repeated: false },
            Field { tag: 6, json: "devices", kind: Msg(916), repeated: true },
            Field { tag: 7, json: "perDeviceNodeSelection", kind: Bool, repeated: false },
            Field { tag: 8, json: "sharedCounters", kind: Msg(915), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1alpha3.CelDeviceSelector",
        fields: &[
            Field { tag: 1, json: "expression", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1alpha3.DeviceSelector",
        fields: &[
            Field { tag: 1, json: "cel", kind: Msg(951), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1alpha3.DeviceTaint",
        fields: &[
            Field { tag: 1, json: "key", kind: Str, repeated: false },
            Field { tag: 2, json: "value", kind: Str, repeated: false },
            Field { tag: 3, json: "effect", kind: Str, repeated: false },
            Field { tag: 4, json: "timeAdded", kind: Msg(1209), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1alpha3.DeviceTaintRule",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(956), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(957), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1alpha3.DeviceTaintRuleList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(954), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1alpha3.DeviceTaintRuleSpec",
        fields: &[
            Field { tag: 1, json: "deviceSelector", kind: Msg(958), repeated: false },
            Field { tag: 2, json: "taint", kind: Msg(953), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1alpha3.DeviceTaintRuleStatus",
        fields: &[
            Field { tag: 1, json: "conditions", kind: Msg(1176), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1alpha3.DeviceTaintSelector",
        fields: &[
            Field { tag: 2, json: "driver", kind: Str, repeated: false },
            Field { tag: 3, json: "pool", kind: Str, repeated: false },
            Field { tag: 4, json: "device", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.AllocatedDeviceStatus",
        fields: &[
            Field { tag: 1, json: "driver", kind: Str, repeated: false },
            Field { tag: 2, json: "pool", kind: Str, repeated: false },
            Field { tag: 3, json: "device", kind: Str, repeated: false },
            Field { tag: 4, json: "conditions", kind: Msg(1176), repeated: true },
            Field { tag: 5, json: "data", kind: Msg(1222), repeated: false },
            Field { tag: 6, json: "networkData", kind: Msg(988), repeated: false },
            Field { tag: 7, json: "shareID", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.AllocationResult",
        fields: &[
            Field { tag: 1, json: "devices", kind: Msg(970), repeated: false },
            Field { tag: 3, json: "nodeSelector", kind: Msg(500), repeated: false },
            Field { tag: 5, json: "allocationTimestamp", kind: Msg(1209), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.BasicDevice",
        fields: &[
            Field { tag: 1, json: "attributes", kind: Map(&Msg(971)), repeated: false },
            Field { tag: 2, json: "capacity", kind: Map(&Msg(972)), repeated: false },
            Field { tag: 3, json: "consumesCounters", kind: Msg(981), repeated: true },
            Field { tag: 4, json: "nodeName", kind: Str, repeated: false },
            Field { tag: 5, json: "nodeSelector", kind: Msg(500), repeated: false },
            Field { tag: 6, json: "allNodes", kind: Bool, repeated: false },
            Field { tag: 7, json: "taints", kind: Msg(986), repeated: true },
            Field { tag: 8, json: "bindsToNode", kind: Bool, repeated: false },
            Field { tag: 9, json: "bindingConditions", kind: Str, repeated: true },
            Field { tag: 10, json: "bindingFailureConditions", kind: Str, repeated: true },
            Field { tag: 11, json: "allowMultipleAllocations", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.CapacityRequestPolicy",
        fields: &[
            Field { tag: 1, json: "default", kind: Msg(1168), repeated: false },
            Field { tag: 3, json: "validValues", kind: Msg(1168), repeated: true },
            Field { tag: 4, json: "validRange", kind: Msg(963), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.CapacityRequestPolicyRange",
        fields: &[
            Field { tag: 1, json: "min", kind: Msg(1168), repeated: false },
            Field { tag: 2, json: "max", kind: Msg(1168), repeated: false },
            Field { tag: 3, json: "step", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.CapacityRequirements",
        fields: &[
            Field { tag: 1, json: "requests", kind: Map(&Msg(1168)), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.CelDeviceSelector",
        fields: &[
            Field { tag: 1, json: "expression", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.Counter",
        fields: &[
            Field { tag: 1, json: "value", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.CounterSet",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "counters", kind: Map(&Msg(966)), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.Device",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "basic", kind: Msg(961), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.DeviceAllocationConfiguration",
        fields: &[
            Field { tag: 1, json: "source", kind: Str, repeated: false },
            Field { tag: 2, json: "requests", kind: Str, repeated: true },
            Field { tag: 3, json: "", kind: Msg(979), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.DeviceAllocationResult",
        fields: &[
            Field { tag: 1, json: "results", kind: Msg(983), repeated: true },
            Field { tag: 2, json: "config", kind: Msg(969), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1beta1.DeviceAttribute",
        fields: &[
            Field { tag: 2, json: "int", kind: Int64, repeated: false },
            Field { tag: 3, json: "bool", kind: Bool, repeated: false },
            Field { tag: 4, json: "string", kind: Str, repeated: false },
            Field { tag: 5, json: "version", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.DeviceCapacity",
        fields: &[
            Field { tag: 1, json: "value", kind: Msg(1168), repeated: false },
            Field { tag: 2, json: "requestPolicy", kind: Msg(962), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.DeviceClaim",
        fields: &[
            Field { tag: 1, json: "requests", kind: Msg(982), repeated: true },
            Field { tag: 2, json: "constraints", kind: Msg(980), repeated: true },
            Field { tag: 3, json: "config", kind: Msg(974), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1beta1.DeviceClaimConfiguration",
        fields: &[
            Field { tag: 1, json: "requests", kind: Str, repeated: true },
            Field { tag: 2, json: "", kind: Msg(979), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.DeviceClass",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(978), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.DeviceClassConfiguration",
        fields: &[
            Field { tag: 1, json: "", kind: Msg(979), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.DeviceClassList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(975), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1beta1.DeviceClassSpec",
        fields: &[
            Field { tag: 1, json: "selectors", kind: Msg(984), repeated: true },
            Field { tag: 2, json: "config", kind: Msg(976), repeated: true },
            Field { tag: 4, json: "extendedResourceName", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.DeviceConfiguration",
        fields: &[
            Field { tag: 1, json: "opaque", kind: Msg(989), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.DeviceConstraint",
        fields: &[
            Field { tag: 1, json: "requests", kind: Str, repeated: true },
            Field { tag: 2, json: "matchAttribute", kind: Str, repeated: false },
            Field { tag: 3, json: "distinctAttribute", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.DeviceCounterConsumption",
        fields: &[
            Field { tag: 1, json: "counterSet", kind: Str, repeated: false },
            Field { tag: 2, json: "counters", kind: Map(&Msg(966)), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.DeviceRequest",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "deviceClassName", kind: Str, repeated: false },
            Field { tag: 3, json: "selectors", kind: Msg(984), repeated: true },
            Field { tag: 4, json: "allocationMode", kind: Str, repeated: false },
            Field { tag: 5, json: "count", kind: Int64, repeated: false },
            Field { tag: 6, json: "adminAccess", kind: Bool, repeated: false },
            Field { tag: 7, json: "firstAvailable", kind: Msg(985), repeated: true },
            Field { tag: 8, json: "tolerations", kind: Msg(987), repeated: true },
            Field { tag: 9, json: "capacity", kind: Msg(964), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.DeviceRequestAllocationResult",
        fields: &[
            Field { tag: 1, json: "request", kind: Str, repeated: false },
            Field { tag: 2, json: "driver", kind: Str, repeated: false },
            Field { tag: 3, json: "pool", kind: Str, repeated: false },
            Field { tag: 4, json: "device", kind: Str, repeated: false },
            Field { tag: 5, json: "adminAccess", kind: Bool, repeated: false },
            Field { tag: 6, json: "tolerations", kind: Msg(987), repeated: true },
            Field { tag: 7, json: "bindingConditions", kind: Str, repeated: true },
            Field { tag: 8, json: "bindingFailureConditions", kind: Str, repeated: true },
            Field { tag: 9, json: "shareID", kind: Str, repeated: false },
            Field { tag: 10, json: "consumedCapacity", kind: Map(&Msg(1168)), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.DeviceSelector",
        fields: &[
            Field { tag: 1, json: "cel", kind: Msg(965), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.DeviceSubRequest",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "deviceClassName", kind: Str, repeated: false },
            Field { tag: 3, json: "selectors", kind: Msg(984), repeated: true },
            Field { tag: 4, json: "allocationMode", kind: Str, repeated: false },
            Field { tag: 5, json: "count", kind: Int64, repeated: false },
            Field { tag: 7, json: "tolerations", kind: Msg(987), repeated: true },
            Field { tag: 8, json: "capacity", kind: Msg(964), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.DeviceTaint",
        fields: &[
            Field { tag: 1, json: "key", kind: Str, repeated: false },
            Field { tag: 2, json: "value", kind: Str, repeated: false },
            Field { tag: 3, json: "effect", kind: Str, repeated: false },
            Field { tag: 4, json: "timeAdded", kind: Msg(1209), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.DeviceToleration",
        fields: &[
            Field { tag: 1, json: "key", kind: Str, repeated: false },
            Field { tag: 2, json: "operator", kind: Str, repeated: false },
            Field { tag: 3, json: "value", kind: Str, repeated: false },
            Field { tag: 4, json: "effect", kind: Str, repeated: false },
            Field { tag: 5, json: "tolerationSeconds", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.NetworkDeviceData",
        fields: &[
            Field { tag: 1, json: "interfaceName", kind: Str, repeated: false },
            Field { tag: 2, json: "ips", kind: Str, repeated: true },
            Field { tag: 3, json: "hardwareAddress", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.OpaqueDeviceConfiguration",
        fields: &[
            Field { tag: 1, json: "driver", kind: Str, repeated: false },
            Field { tag: 2, json: "parameters", kind: Msg(1222), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.ResourceClaim",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(993), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(994), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.ResourceClaimConsumerReference",
        fields: &[
            Field { tag: 1, json: "apiGroup", kind: Str, repeated: false },
            Field { tag: 3, json: "resource", kind: Str, repeated: false },
            Field { tag: 4, json: "name", kind: Str, repeated: false },
            Field { tag: 5, json: "uid", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.ResourceClaimList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(990), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1beta1.ResourceClaimSpec",
        fields: &[
            Field { tag: 1, json: "devices", kind: Msg(973), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.ResourceClaimStatus",
        fields: &[
            Field { tag: 1, json: "allocation", kind: Msg(960), repeated: false },
            Field { tag: 2, json: "reservedFor", kind: Msg(991), repeated: true },
            Field { tag: 4, json: "devices", kind: Msg(959), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1beta1.ResourceClaimTemplate",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(997), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.ResourceClaimTemplateList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(995), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1beta1.ResourceClaimTemplateSpec",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(993), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.ResourcePool",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "generation", kind: Int64, repeated: false },
            Field { tag: 3, json: "resourceSliceCount", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.ResourceSlice",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(1001), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta1.ResourceSliceList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(999), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1beta1.ResourceSliceSpec",
        fields: &[
            Field { tag: 1, json: "driver", kind: Str, repeated: false },
            Field { tag: 2, json: "pool", kind: Msg(998), repeated: false },
            Field { tag: 3, json: "nodeName", kind: Str, repeated: false },
            Field { tag: 4, json: "nodeSelector", kind: Msg(500), repeated: false },
            Field { tag: 5, json: "allNodes", kind: Bool, repeated: false },
            Field { tag: 6, json: "devices", kind: Msg(968), repeated: true },
            Field { tag: 7, json: "perDeviceNodeSelection", kind: Bool, repeated: false },
            Field { tag: 8, json: "sharedCounters", kind: Msg(967), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1beta2.AllocatedDeviceStatus",
        fields: &[
            Field { tag: 1, json: "driver", kind: Str, repeated: false },
            Field { tag: 2, json: "pool", kind: Str, repeated: false },
            Field { tag: 3, json: "device", kind: Str, repeated: false },
            Field { tag: 4, json: "conditions", kind: Msg(1176), repeated: true },
            Field { tag: 5, json: "data", kind: Msg(1222), repeated: false },
            Field { tag: 6, json: "networkData", kind: Msg(1031), repeated: false },
            Field { tag: 7, json: "shareID", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.AllocationResult",
        fields: &[
            Field { tag: 1, json: "devices", kind: Msg(1012), repeated: false },
            Field { tag: 3, json: "nodeSelector", kind: Msg(500), repeated: false },
            Field { tag: 5, json: "allocationTimestamp", kind: Msg(1209), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.CapacityRequestPolicy",
        fields: &[
            Field { tag: 1, json: "default", kind: Msg(1168), repeated: false },
            Field { tag: 3, json: "validValues", kind: Msg(1168), repeated: true },
            Field { tag: 4, json: "validRange", kind: Msg(1005), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.CapacityRequestPolicyRange",
        fields: &[
            Field { tag: 1, json: "min", kind: Msg(1168), repeated: false },
            Field { tag: 2, json: "max", kind: Msg(1168), repeated: false },
            Field { tag: 3, json: "step", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.CapacityRequirements",
        fields: &[
            Field { tag: 1, json: "requests", kind: Map(&Msg(1168)), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.CelDeviceSelector",
        fields: &[
            Field { tag: 1, json: "expression", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.Counter",
        fields: &[
            Field { tag: 1, json: "value", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.CounterSet",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "counters", kind: Map(&Msg(1008)), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.Device",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "attributes", kind: Map(&Msg(1013)), repeated: false },
            Field { tag: 3, json: "capacity", kind: Map(&Msg(1014)), repeated: false },
            Field { tag: 4, json: "consumesCounters", kind: Msg(1023), repeated: true },
            Field { tag: 5, json: "nodeName", kind: Str, repeated: false },
            Field { tag: 6, json: "nodeSelector", kind: Msg(500), repeated: false },
            Field { tag: 7, json: "allNodes", kind: Bool, repeated: false },
            Field { tag: 8, json: "taints", kind: Msg(1028), repeated: true },
            Field { tag: 9, json: "bindsToNode", kind: Bool, repeated: false },
            Field { tag: 10, json: "bindingConditions", kind: Str, repeated: true },
            Field { tag: 11, json: "bindingFailureConditions", kind: Str, repeated: true },
            Field { tag: 12, json: "allowMultipleAllocations", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.DeviceAllocationConfiguration",
        fields: &[
            Field { tag: 1, json: "source", kind: Str, repeated: false },
            Field { tag: 2, json: "requests", kind: Str, repeated: true },
            Field { tag: 3, json: "", kind: Msg(1021), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.DeviceAllocationResult",
        fields: &[
            Field { tag: 1, json: "results", kind: Msg(1025), repeated: true },
            Field { tag: 2, json: "config", kind: Msg(1011), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1beta2.DeviceAttribute",
        fields: &[
            Field { tag: 2, json: "int", kind: Int64, repeated: false },
            Field { tag: 3, json: "bool", kind: Bool, repeated: false },
            Field { tag: 4, json: "string", kind: Str, repeated: false },
            Field { tag: 5, json: "version", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.DeviceCapacity",
        fields: &[
            Field { tag: 1, json: "value", kind: Msg(1168), repeated: false },
            Field { tag: 2, json: "requestPolicy", kind: Msg(1004), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.DeviceClaim",
        fields: &[
            Field { tag: 1, json: "requests", kind: Msg(1024), repeated: true },
            Field { tag: 2, json: "constraints", kind: Msg(1022), repeated: true },
            Field { tag: 3, json: "config", kind: Msg(1016), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1beta2.DeviceClaimConfiguration",
        fields: &[
            Field { tag: 1, json: "requests", kind: Str, repeated: true },
            Field { tag: 2, json: "", kind: Msg(1021), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.DeviceClass",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(1020), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.DeviceClassConfiguration",
        fields: &[
            Field { tag: 1, json: "", kind: Msg(1021), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.DeviceClassList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1017), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1beta2.DeviceClassSpec",
        fields: &[
            Field { tag: 1, json: "selectors", kind: Msg(1026), repeated: true },
            Field { tag: 2, json: "config", kind: Msg(1018), repeated: true },
            Field { tag: 4, json: "extendedResourceName", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.DeviceConfiguration",
        fields: &[
            Field { tag: 1, json: "opaque", kind: Msg(1032), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.DeviceConstraint",
        fields: &[
            Field { tag: 1, json: "requests", kind: Str, repeated: true },
            Field { tag: 2, json: "matchAttribute", kind: Str, repeated: false },
            Field { tag: 3, json: "distinctAttribute", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.DeviceCounterConsumption",
        fields: &[
            Field { tag: 1, json: "counterSet", kind: Str, repeated: false },
            Field { tag: 2, json: "counters", kind: Map(&Msg(1008)), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.DeviceRequest",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "exactly", kind: Msg(1030), repeated: false },
            Field { tag: 3, json: "firstAvailable", kind: Msg(1027), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1beta2.DeviceRequestAllocationResult",
        fields: &[
            Field { tag: 1, json: "request", kind: Str, repeated: false },
            Field { tag: 2, json: "driver", kind: Str, repeated: false },
            Field { tag: 3, json: "pool", kind: Str, repeated: false },
            Field { tag: 4, json: "device", kind: Str, repeated: false },
            Field { tag: 5, json: "adminAccess", kind: Bool, repeated: false },
            Field { tag: 6, json: "tolerations", kind: Msg(1029), repeated: true },
            Field { tag: 7, json: "bindingConditions", kind: Str, repeated: true },
            Field { tag: 8, json: "bindingFailureConditions", kind: Str, repeated: true },
            Field { tag: 9, json: "shareID", kind: Str, repeated: false },
            Field { tag: 10, json: "consumedCapacity", kind: Map(&Msg(1168)), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.DeviceSelector",
        fields: &[
            Field { tag: 1, json: "cel", kind: Msg(1007), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.DeviceSubRequest",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "deviceClassName", kind: Str, repeated: false },
            Field { tag: 3, json: "selectors", kind: Msg(1026), repeated: true },
            Field { tag: 4, json: "allocationMode", kind: Str, repeated: false },
            Field { tag: 5, json: "count", kind: Int64, repeated: false },
            Field { tag: 6, json: "tolerations", kind: Msg(1029), repeated: true },
            Field { tag: 7, json: "capacity", kind: Msg(1006), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.DeviceTaint",
        fields: &[
            Field { tag: 1, json: "key", kind: Str, repeated: false },
            Field { tag: 2, json: "value", kind: Str, repeated: false },
            Field { tag: 3, json: "effect", kind: Str, repeated: false },
            Field { tag: 4, json: "timeAdded", kind: Msg(1209), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.DeviceToleration",
        fields: &[
            Field { tag: 1, json: "key", kind: Str, repeated: false },
            Field { tag: 2, json: "operator", kind: Str, repeated: false },
            Field { tag: 3, json: "value", kind: Str, repeated: false },
            Field { tag: 4, json: "effect", kind: Str, repeated: false },
            Field { tag: 5, json: "tolerationSeconds", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.ExactDeviceRequest",
        fields: &[
            Field { tag: 1, json: "deviceClassName", kind: Str, repeated: false },
            Field { tag: 2, json: "selectors", kind: Msg(1026), repeated: true },
            Field { tag: 3, json: "allocationMode", kind: Str, repeated: false },
            Field { tag: 4, json: "count", kind: Int64, repeated: false },
            Field { tag: 5, json: "adminAccess", kind: Bool, repeated: false },
            Field { tag: 6, json: "tolerations", kind: Msg(1029), repeated: true },
            Field { tag: 7, json: "capacity", kind: Msg(1006), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.NetworkDeviceData",
        fields: &[
            Field { tag: 1, json: "interfaceName", kind: Str, repeated: false },
            Field { tag: 2, json: "ips", kind: Str, repeated: true },
            Field { tag: 3, json: "hardwareAddress", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.OpaqueDeviceConfiguration",
        fields: &[
            Field { tag: 1, json: "driver", kind: Str, repeated: false },
            Field { tag: 2, json: "parameters", kind: Msg(1222), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.ResourceClaim",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(1036), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(1037), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.ResourceClaimConsumerReference",
        fields: &[
            Field { tag: 1, json: "apiGroup", kind: Str, repeated: false },
            Field { tag: 3, json: "resource", kind: Str, repeated: false },
            Field { tag: 4, json: "name", kind: Str, repeated: false },
            Field { tag: 5, json: "uid", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.ResourceClaimList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1033), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1beta2.ResourceClaimSpec",
        fields: &[
            Field { tag: 1, json: "devices", kind: Msg(1015), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.ResourceClaimStatus",
        fields: &[
            Field { tag: 1, json: "allocation", kind: Msg(1003), repeated: false },
            Field { tag: 2, json: "reservedFor", kind: Msg(1034), repeated: true },
            Field { tag: 4, json: "devices", kind: Msg(1002), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1beta2.ResourceClaimTemplate",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(1040), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.ResourceClaimTemplateList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1038), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1beta2.ResourceClaimTemplateSpec",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(1036), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.ResourcePool",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "generation", kind: Int64, repeated: false },
            Field { tag: 3, json: "resourceSliceCount", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.ResourceSlice",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(1044), repeated: false },
        ],
    },
    Message {
        name: "api.resource.v1beta2.ResourceSliceList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1042), repeated: true },
        ],
    },
    Message {
        name: "api.resource.v1beta2.ResourceSliceSpec",
        fields: &[
            Field { tag: 1, json: "driver", kind: Str, repeated: false },
            Field { tag: 2, json: "pool", kind: Msg(1041), repeated: false },
            Field { tag: 3, json: "nodeName", kind: Str, repeated: false },
            Field { tag: 4, json: "nodeSelector", kind: Msg(500), repeated: false },
            Field { tag: 5, json: "allNodes", kind: Bool, repeated: false },
            Field { tag: 6, json: "devices", kind: Msg(1010), repeated: true },
            Field { tag: 7, json: "perDeviceNodeSelection", kind: Bool, repeated: false },
            Field { tag: 8, json: "sharedCounters", kind: Msg(1009), repeated: true },
        ],
    },
    Message {
        name: "api.scheduling.v1.PriorityClass",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "value", kind: Int32, repeated: false },
            Field { tag: 3, json: "globalDefault", kind: Bool, repeated: false },
            Field { tag: 4, json: "description", kind: Str, repeated: false },
            Field { tag: 5, json: "preemptionPolicy", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.scheduling.v1.PriorityClassList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1045), repeated: true },
        ],
    },
    Message {
        name: "api.scheduling.v1alpha1.BasicSchedulingPolicy",
        fields: &[
        ],
    },
    Message {
        name: "api.scheduling.v1alpha1.GangSchedulingPolicy",
        fields: &[
            Field { tag: 1, json: "minCount", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.scheduling.v1alpha1.PodGroup",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 3, json: "policy", kind: Msg(1050), repeated: false },
        ],
    },
    Message {
        name: "api.scheduling.v1alpha1.PodGroupPolicy",
        fields: &[
            Field { tag: 2, json: "basic", kind: Msg(1047), repeated: false },
            Field { tag: 3, json: "gang", kind: Msg(1048), repeated: false },
        ],
    },
    Message {
        name: "api.scheduling.v1alpha1.PriorityClass",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "value", kind: Int32, repeated: false },
            Field { tag: 3, json: "globalDefault", kind: Bool, repeated: false },
            Field { tag: 4, json: "description", kind: Str, repeated: false },
            Field { tag: 5, json: "preemptionPolicy", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.scheduling.v1alpha1.PriorityClassList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1051), repeated: true },
        ],
    },
    Message {
        name: "api.scheduling.v1alpha1.TypedLocalObjectReference",
        fields: &[
            Field { tag: 1, json: "apiGroup", kind: Str, repeated: false },
            Field { tag: 2, json: "kind", kind: Str, repeated: false },
            Field { tag: 3, json: "name", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.scheduling.v1alpha1.Workload",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(1056), repeated: false },
        ],
    },
    Message {
        name: "api.scheduling.v1alpha1.WorkloadList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1054), repeated: true },
        ],
    },
    Message {
        name: "api.scheduling.v1alpha1.WorkloadSpec",
        fields: &[
            Field { tag: 1, json: "controllerRef", kind: Msg(1053), repeated: false },
            Field { tag: 2, json: "podGroups", kind: Msg(1049), repeated: true },
        ],
    },
    Message {
        name: "api.scheduling.v1beta1.PriorityClass",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "value", kind: Int32, repeated: false },
            Field { tag: 3, json: "globalDefault", kind: Bool, repeated: false },
            Field { tag: 4, json: "description", kind: Str, repeated: false },
            Field { tag: 5, json: "preemptionPolicy", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.scheduling.v1beta1.PriorityClassList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1057), repeated: true },
        ],
    },
    Message {
        name: "api.storage.v1.CSIDriver",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(1061), repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1.CSIDriverList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1059), repeated: true },
        ],
    },
    Message {
        name: "api.storage.v1.CSIDriverSpec",
        fields: &[
            Field { tag: 1, json: "attachRequired", kind: Bool, repeated: false },
            Field { tag: 2, json: "podInfoOnMount", kind: Bool, repeated: false },
            Field { tag: 3, json: "volumeLifecycleModes", kind: Str, repeated: true },
            Field { tag: 4, json: "storageCapacity", kind: Bool, repeated: false },
            Field { tag: 5, json: "fsGroupPolicy", kind: Str, repeated: false },
            Field { tag: 6, json: "tokenRequests", kind: Msg(1070), repeated: true },
            Field { tag: 7, json: "requiresRepublish", kind: Bool, repeated: false },
            Field { tag: 8, json: "seLinuxMount", kind: Bool, repeated: false },
            Field { tag: 9, json: "nodeAllocatableUpdatePeriodSeconds", kind: Int64, repeated: false },
            Field { tag: 10, json: "serviceAccountTokenInSecrets", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1.CSINode",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(1065), repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1.CSINodeDriver",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "nodeID", kind: Str, repeated: false },
            Field { tag: 3, json: "topologyKeys", kind: Str, repeated: true },
            Field { tag: 4, json: "allocatable", kind: Msg(1079), repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1.CSINodeList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1062), repeated: true },
        ],
    },
    Message {
        name: "api.storage.v1.CSINodeSpec",
        fields: &[
            Field { tag: 1, json: "drivers", kind: Msg(1063), repeated: true },
        ],
    },
    Message {
        name: "api.storage.v1.CSIStorageCapacity",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "nodeTopology", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "storageClassName", kind: Str, repeated: false },
            Field { tag: 4, json: "capacity", kind: Msg(1168), repeated: false },
            Field { tag: 5, json: "maximumVolumeSize", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1.CSIStorageCapacityList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1066), repeated: true },
        ],
    },
    Message {
        name: "api.storage.v1.StorageClass",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "provisioner", kind: Str, repeated: false },
            Field { tag: 3, json: "parameters", kind: Map(&Str), repeated: false },
            Field { tag: 4, json: "reclaimPolicy", kind: Str, repeated: false },
            Field { tag: 5, json: "mountOptions", kind: Str, repeated: true },
            Field { tag: 6, json: "allowVolumeExpansion", kind: Bool, repeated: false },
            Field { tag: 7, json: "volumeBindingMode", kind: Str, repeated: false },
            Field { tag: 8, json: "allowedTopologies", kind: Msg(610), repeated: true },
        ],
    },
    Message {
        name: "api.storage.v1.StorageClassList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1068), repeated: true },
        ],
    },
    Message {
        name: "api.storage.v1.TokenRequest",
        fields: &[
            Field { tag: 1, json: "audience", kind: Str, repeated: false },
            Field { tag: 2, json: "expirationSeconds", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1.VolumeAttachment",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(1074), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(1075), repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1.VolumeAttachmentList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1071), repeated: true },
        ],
    },
    Message {
        name: "api.storage.v1.VolumeAttachmentSource",
        fields: &[
            Field { tag: 1, json: "persistentVolumeName", kind: Str, repeated: false },
            Field { tag: 2, json: "inlineVolumeSpec", kind: Msg(519), repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1.VolumeAttachmentSpec",
        fields: &[
            Field { tag: 1, json: "attacher", kind: Str, repeated: false },
            Field { tag: 2, json: "source", kind: Msg(1073), repeated: false },
            Field { tag: 3, json: "nodeName", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1.VolumeAttachmentStatus",
        fields: &[
            Field { tag: 1, json: "attached", kind: Bool, repeated: false },
            Field { tag: 2, json: "attachmentMetadata", kind: Map(&Str), repeated: false },
            Field { tag: 3, json: "attachError", kind: Msg(1078), repeated: false },
            Field { tag: 4, json: "detachError", kind: Msg(1078), repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1.VolumeAttributesClass",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "driverName", kind: Str, repeated: false },
            Field { tag: 3, json: "parameters", kind: Map(&Str), repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1.VolumeAttributesClassList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1076), repeated: true },
        ],
    },
    Message {
        name: "api.storage.v1.VolumeError",
        fields: &[
            Field { tag: 1, json: "time", kind: Msg(1209), repeated: false },
            Field { tag: 2, json: "message", kind: Str, repeated: false },
            Field { tag: 3, json: "errorCode", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1.VolumeNodeResources",
        fields: &[
            Field { tag: 1, json: "count", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1alpha1.CSIStorageCapacity",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "nodeTopology", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "storageClassName", kind: Str, repeated: false },
            Field { tag: 4, json: "capacity", kind: Msg(1168), repeated: false },
            Field { tag: 5, json: "maximumVolumeSize", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1alpha1.CSIStorageCapacityList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1080), repeated: true },
        ],
    },
    Message {
        name: "api.storage.v1alpha1.VolumeAttachment",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(1085), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(1086), repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1alpha1.VolumeAttachmentList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1082), repeated: true },
        ],
    },
    Message {
        name: "api.storage.v1alpha1.VolumeAttachmentSource",
        fields: &[
            Field { tag: 1, json: "persistentVolumeName", kind: Str, repeated: false },
            Field { tag: 2, json: "inlineVolumeSpec", kind: Msg(519), repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1alpha1.VolumeAttachmentSpec",
        fields: &[
            Field { tag: 1, json: "attacher", kind: Str, repeated: false },
            Field { tag: 2, json: "source", kind: Msg(1084), repeated: false },
            Field { tag: 3, json: "nodeName", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1alpha1.VolumeAttachmentStatus",
        fields: &[
            Field { tag: 1, json: "attached", kind: Bool, repeated: false },
            Field { tag: 2, json: "attachmentMetadata", kind: Map(&Str), repeated: false },
            Field { tag: 3, json: "attachError", kind: Msg(1089), repeated: false },
            Field { tag: 4, json: "detachError", kind: Msg(1089), repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1alpha1.VolumeAttributesClass",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "driverName", kind: Str, repeated: false },
            Field { tag: 3, json: "parameters", kind: Map(&Str), repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1alpha1.VolumeAttributesClassList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1087), repeated: true },
        ],
    },
    Message {
        name: "api.storage.v1alpha1.VolumeError",
        fields: &[
            Field { tag: 1, json: "time", kind: Msg(1209), repeated: false },
            Field { tag: 2, json: "message", kind: Str, repeated: false },
            Field { tag: 3, json: "errorCode", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1beta1.CSIDriver",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(1092), repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1beta1.CSIDriverList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1090), repeated: true },
        ],
    },
    Message {
        name: "api.storage.v1beta1.CSIDriverSpec",
        fields: &[
            Field { tag: 1, json: "attachRequired", kind: Bool, repeated: false },
            Field { tag: 2, json: "podInfoOnMount", kind: Bool, repeated: false },
            Field { tag: 3, json: "volumeLifecycleModes", kind: Str, repeated: true },
            Field { tag: 4, json: "storageCapacity", kind: Bool, repeated: false },
            Field { tag: 5, json: "fsGroupPolicy", kind: Str, repeated: false },
            Field { tag: 6, json: "tokenRequests", kind: Msg(1101), repeated: true },
            Field { tag: 7, json: "requiresRepublish", kind: Bool, repeated: false },
            Field { tag: 8, json: "seLinuxMount", kind: Bool, repeated: false },
            Field { tag: 9, json: "nodeAllocatableUpdatePeriodSeconds", kind: Int64, repeated: false },
            Field { tag: 10, json: "serviceAccountTokenInSecrets", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1beta1.CSINode",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(1096), repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1beta1.CSINodeDriver",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "nodeId", kind: Str, repeated: false },
            Field { tag: 3, json: "topologyKeys", kind: Str, repeated: true },
            Field { tag: 4, json: "allocatable", kind: Msg(1110), repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1beta1.CSINodeList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1093), repeated: true },
        ],
    },
    Message {
        name: "api.storage.v1beta1.CSINodeSpec",
        fields: &[
            Field { tag: 1, json: "drivers", kind: Msg(1094), repeated: true },
        ],
    },
    Message {
        name: "api.storage.v1beta1.CSIStorageCapacity",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "nodeTopology", kind: Msg(1189), repeated: false },
            Field { tag: 3, json: "storageClassName", kind: Str, repeated: false },
            Field { tag: 4, json: "capacity", kind: Msg(1168), repeated: false },
            Field { tag: 5, json: "maximumVolumeSize", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1beta1.CSIStorageCapacityList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1097), repeated: true },
        ],
    },
    Message {
        name: "api.storage.v1beta1.StorageClass",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "provisioner", kind: Str, repeated: false },
            Field { tag: 3, json: "parameters", kind: Map(&Str), repeated: false },
            Field { tag: 4, json: "reclaimPolicy", kind: Str, repeated: false },
            Field { tag: 5, json: "mountOptions", kind: Str, repeated: true },
            Field { tag: 6, json: "allowVolumeExpansion", kind: Bool, repeated: false },
            Field { tag: 7, json: "volumeBindingMode", kind: Str, repeated: false },
            Field { tag: 8, json: "allowedTopologies", kind: Msg(610), repeated: true },
        ],
    },
    Message {
        name: "api.storage.v1beta1.StorageClassList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1099), repeated: true },
        ],
    },
    Message {
        name: "api.storage.v1beta1.TokenRequest",
        fields: &[
            Field { tag: 1, json: "audience", kind: Str, repeated: false },
            Field { tag: 2, json: "expirationSeconds", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1beta1.VolumeAttachment",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(1105), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(1106), repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1beta1.VolumeAttachmentList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1102), repeated: true },
        ],
    },
    Message {
        name: "api.storage.v1beta1.VolumeAttachmentSource",
        fields: &[
            Field { tag: 1, json: "persistentVolumeName", kind: Str, repeated: false },
            Field { tag: 2, json: "inlineVolumeSpec", kind: Msg(519), repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1beta1.VolumeAttachmentSpec",
        fields: &[
            Field { tag: 1, json: "attacher", kind: Str, repeated: false },
            Field { tag: 2, json: "source", kind: Msg(1104), repeated: false },
            Field { tag: 3, json: "nodeName", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1beta1.VolumeAttachmentStatus",
        fields: &[
            Field { tag: 1, json: "attached", kind: Bool, repeated: false },
            Field { tag: 2, json: "attachmentMetadata", kind: Map(&Str), repeated: false },
            Field { tag: 3, json: "attachError", kind: Msg(1109), repeated: false },
            Field { tag: 4, json: "detachError", kind: Msg(1109), repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1beta1.VolumeAttributesClass",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "driverName", kind: Str, repeated: false },
            Field { tag: 3, json: "parameters", kind: Map(&Str), repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1beta1.VolumeAttributesClassList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1107), repeated: true },
        ],
    },
    Message {
        name: "api.storage.v1beta1.VolumeError",
        fields: &[
            Field { tag: 1, json: "time", kind: Msg(1209), repeated: false },
            Field { tag: 2, json: "message", kind: Str, repeated: false },
            Field { tag: 3, json: "errorCode", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.storage.v1beta1.VolumeNodeResources",
        fields: &[
            Field { tag: 1, json: "count", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "api.storagemigration.v1beta1.StorageVersionMigration",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(1113), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(1114), repeated: false },
        ],
    },
    Message {
        name: "api.storagemigration.v1beta1.StorageVersionMigrationList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1111), repeated: true },
        ],
    },
    Message {
        name: "api.storagemigration.v1beta1.StorageVersionMigrationSpec",
        fields: &[
            Field { tag: 1, json: "resource", kind: Msg(1184), repeated: false },
        ],
    },
    Message {
        name: "api.storagemigration.v1beta1.StorageVersionMigrationStatus",
        fields: &[
            Field { tag: 1, json: "conditions", kind: Msg(1176), repeated: true },
            Field { tag: 2, json: "resourceVersion", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.ConversionRequest",
        fields: &[
            Field { tag: 1, json: "uid", kind: Str, repeated: false },
            Field { tag: 2, json: "desiredApiVersion", kind: Str, repeated: false },
            Field { tag: 3, json: "objects", kind: Msg(1222), repeated: true },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.ConversionResponse",
        fields: &[
            Field { tag: 1, json: "uid", kind: Str, repeated: false },
            Field { tag: 2, json: "convertedObjects", kind: Msg(1222), repeated: true },
            Field { tag: 3, json: "result", kind: Msg(1205), repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.ConversionReview",
        fields: &[
            Field { tag: 1, json: "request", kind: Msg(1115), repeated: false },
            Field { tag: 2, json: "response", kind: Msg(1116), repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.CustomResourceColumnDefinition",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "type", kind: Str, repeated: false },
            Field { tag: 3, json: "format", kind: Str, repeated: false },
            Field { tag: 4, json: "description", kind: Str, repeated: false },
            Field { tag: 5, json: "priority", kind: Int32, repeated: false },
            Field { tag: 6, json: "jsonPath", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.CustomResourceConversion",
        fields: &[
            Field { tag: 1, json: "strategy", kind: Str, repeated: false },
            Field { tag: 2, json: "webhook", kind: Msg(1141), repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(1124), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(1125), repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
            Field { tag: 6, json: "observedGeneration", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1120), repeated: true },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionNames",
        fields: &[
            Field { tag: 1, json: "plural", kind: Str, repeated: false },
            Field { tag: 2, json: "singular", kind: Str, repeated: false },
            Field { tag: 3, json: "shortNames", kind: Str, repeated: true },
            Field { tag: 4, json: "kind", kind: Str, repeated: false },
            Field { tag: 5, json: "listKind", kind: Str, repeated: false },
            Field { tag: 6, json: "categories", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionSpec",
        fields: &[
            Field { tag: 1, json: "group", kind: Str, repeated: false },
            Field { tag: 3, json: "names", kind: Msg(1123), repeated: false },
            Field { tag: 4, json: "scope", kind: Str, repeated: false },
            Field { tag: 7, json: "versions", kind: Msg(1126), repeated: true },
            Field { tag: 9, json: "conversion", kind: Msg(1119), repeated: false },
            Field { tag: 10, json: "preserveUnknownFields", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionStatus",
        fields: &[
            Field { tag: 1, json: "conditions", kind: Msg(1121), repeated: true },
            Field { tag: 2, json: "acceptedNames", kind: Msg(1123), repeated: false },
            Field { tag: 3, json: "storedVersions", kind: Str, repeated: true },
            Field { tag: 4, json: "observedGeneration", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionVersion",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "served", kind: Bool, repeated: false },
            Field { tag: 3, json: "storage", kind: Bool, repeated: false },
            Field { tag: 4, json: "schema", kind: Msg(1130), repeated: false },
            Field { tag: 5, json: "subresources", kind: Msg(1129), repeated: false },
            Field { tag: 6, json: "additionalPrinterColumns", kind: Msg(1118), repeated: true },
            Field { tag: 7, json: "deprecated", kind: Bool, repeated: false },
            Field { tag: 8, json: "deprecationWarning", kind: Str, repeated: false },
            Field { tag: 9, json: "selectableFields", kind: Msg(1137), repeated: true },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.CustomResourceSubresourceScale",
        fields: &[
            Field { tag: 1, json: "specReplicasPath", kind: Str, repeated: false },
            Field { tag: 2, json: "statusReplicasPath", kind: Str, repeated: false },
            Field { tag: 3, json: "labelSelectorPath", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.CustomResourceSubresourceStatus",
        fields: &[
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.CustomResourceSubresources",
        fields: &[
            Field { tag: 1, json: "status", kind: Msg(1128), repeated: false },
            Field { tag: 2, json: "scale", kind: Msg(1127), repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.CustomResourceValidation",
        fields: &[
            Field { tag: 1, json: "openAPIV3Schema", kind: Msg(1133), repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.ExternalDocumentation",
        fields: &[
            Field { tag: 1, json: "description", kind: Str, repeated: false },
            Field { tag: 2, json: "url", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.Json",
        fields: &[
            Field { tag: 1, json: "raw", kind: Bytes, repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.JsonSchemaProps",
        fields: &[
            Field { tag: 1, json: "id", kind: Str, repeated: false },
            Field { tag: 2, json: "$schema", kind: Str, repeated: false },
            Field { tag: 3, json: "ref", kind: Str, repeated: false },
            Field { tag: 4, json: "description", kind: Str, repeated: false },
            Field { tag: 5, json: "type", kind: Str, repeated: false },
            Field { tag: 6, json: "format", kind: Str, repeated: false },
            Field { tag: 7, json: "title", kind: Str, repeated: false },
            Field { tag: 8, json: "default", kind: Msg(1132), repeated: false },
            Field { tag: 9, json: "maximum", kind: Double, repeated: false },
            Field { tag: 10, json: "exclusiveMaximum", kind: Bool, repeated: false },
            Field { tag: 11, json: "minimum", kind: Double, repeated: false },
            Field { tag: 12, json: "exclusiveMinimum", kind: Bool, repeated: false },
            Field { tag: 13, json: "maxLength", kind: Int64, repeated: false },
            Field { tag: 14, json: "minLength", kind: Int64, repeated: false },
            Field { tag: 15, json: "pattern", kind: Str, repeated: false },
            Field { tag: 16, json: "maxItems", kind: Int64, repeated: false },
            Field { tag: 17, json: "minItems", kind: Int64, repeated: false },
            Field { tag: 18, json: "uniqueItems", kind: Bool, repeated: false },
            Field { tag: 19, json: "multipleOf", kind: Double, repeated: false },
            Field { tag: 20, json: "enum", kind: Msg(1132), repeated: true },
            Field { tag: 21, json: "maxProperties", kind: Int64, repeated: false },
            Field { tag: 22, json: "minProperties", kind: Int64, repeated: false },
            Field { tag: 23, json: "required", kind: Str, repeated: true },
            Field { tag: 24, json: "items", kind: Msg(1134), repeated: false },
            Field { tag: 25, json: "allOf", kind: Msg(1133), repeated: true },
            Field { tag: 26, json: "oneOf", kind: Msg(1133), repeated: true },
            Field { tag: 27, json: "anyOf", kind: Msg(1133), repeated: true },
            Field { tag: 28, json: "not", kind: Msg(1133), repeated: false },
            Field { tag: 29, json: "properties", kind: Map(&Msg(1133)), repeated: false },
            Field { tag: 30, json: "additionalProperties", kind: Msg(1135), repeated: false },
            Field { tag: 31, json: "patternProperties", kind: Map(&Msg(1133)), repeated: false },
            Field { tag: 32, json: "dependencies", kind: Map(&Msg(1136)), repeated: false },
            Field { tag: 33, json: "additionalItems", kind: Msg(1135), repeated: false },
            Field { tag: 34, json: "definitions", kind: Map(&Msg(1133)), repeated: false },
            Field { tag: 35, json: "externalDocs", kind: Msg(1131), repeated: false },
            Field { tag: 36, json: "example", kind: Msg(1132), repeated: false },
            Field { tag: 37, json: "nullable", kind: Bool, repeated: false },
            Field { tag: 38, json: "x-kubernetes-preserve-unknown-fields", kind: Bool, repeated: false },
            Field { tag: 39, json: "x-kubernetes-embedded-resource", kind: Bool, repeated: false },
            Field { tag: 40, json: "x-kubernetes-int-or-string", kind: Bool, repeated: false },
            Field { tag: 41, json: "x-kubernetes-list-map-keys", kind: Str, repeated: true },
            Field { tag: 42, json: "x-kubernetes-list-type", kind: Str, repeated: false },
            Field { tag: 43, json: "x-kubernetes-map-type", kind: Str, repeated: false },
            Field { tag: 44, json: "x-kubernetes-validations", kind: Msg(1139), repeated: true },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.JsonSchemaPropsOrArray",
        fields: &[
            Field { tag: 1, json: "schema", kind: Msg(1133), repeated: false },
            Field { tag: 2, json: "jSonSchemas", kind: Msg(1133), repeated: true },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.JsonSchemaPropsOrBool",
        fields: &[
            Field { tag: 1, json: "allows", kind: Bool, repeated: false },
            Field { tag: 2, json: "schema", kind: Msg(1133), repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.JsonSchemaPropsOrStringArray",
        fields: &[
            Field { tag: 1, json: "schema", kind: Msg(1133), repeated: false },
            Field { tag: 2, json: "property", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.SelectableField",
        fields: &[
            Field { tag: 1, json: "jsonPath", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.ServiceReference",
        fields: &[
            Field { tag: 1, json: "namespace", kind: Str, repeated: false },
            Field { tag: 2, json: "name", kind: Str, repeated: false },
            Field { tag: 3, json: "path", kind: Str, repeated: false },
            Field { tag: 4, json: "port", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.ValidationRule",
        fields: &[
            Field { tag: 1, json: "rule", kind: Str, repeated: false },
            Field { tag: 2, json: "message", kind: Str, repeated: false },
            Field { tag: 3, json: "messageExpression", kind: Str, repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "fieldPath", kind: Str, repeated: false },
            Field { tag: 6, json: "optionalOldSelf", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.WebhookClientConfig",
        fields: &[
            Field { tag: 1, json: "service", kind: Msg(1138), repeated: false },
            Field { tag: 2, json: "caBundle", kind: Bytes, repeated: false },
            Field { tag: 3, json: "url", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1.WebhookConversion",
        fields: &[
            Field { tag: 2, json: "clientConfig", kind: Msg(1140), repeated: false },
            Field { tag: 3, json: "conversionReviewVersions", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.ConversionRequest",
        fields: &[
            Field { tag: 1, json: "uid", kind: Str, repeated: false },
            Field { tag: 2, json: "desiredApiVersion", kind: Str, repeated: false },
            Field { tag: 3, json: "objects", kind: Msg(1222), repeated: true },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.ConversionResponse",
        fields: &[
            Field { tag: 1, json: "uid", kind: Str, repeated: false },
            Field { tag: 2, json: "convertedObjects", kind: Msg(1222), repeated: true },
            Field { tag: 3, json: "result", kind: Msg(1205), repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.ConversionReview",
        fields: &[
            Field { tag: 1, json: "request", kind: Msg(1142), repeated: false },
            Field { tag: 2, json: "response", kind: Msg(1143), repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.CustomResourceColumnDefinition",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "type", kind: Str, repeated: false },
            Field { tag: 3, json: "format", kind: Str, repeated: false },
            Field { tag: 4, json: "description", kind: Str, repeated: false },
            Field { tag: 5, json: "priority", kind: Int32, repeated: false },
            Field { tag: 6, json: "jsonPath", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.CustomResourceConversion",
        fields: &[
            Field { tag: 1, json: "strategy", kind: Str, repeated: false },
            Field { tag: 2, json: "webhookClientConfig", kind: Msg(1167), repeated: false },
            Field { tag: 3, json: "conversionReviewVersions", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.CustomResourceDefinition",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(1151), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(1152), repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.CustomResourceDefinitionCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
            Field { tag: 6, json: "observedGeneration", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.CustomResourceDefinitionList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1147), repeated: true },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.CustomResourceDefinitionNames",
        fields: &[
            Field { tag: 1, json: "plural", kind: Str, repeated: false },
            Field { tag: 2, json: "singular", kind: Str, repeated: false },
            Field { tag: 3, json: "shortNames", kind: Str, repeated: true },
            Field { tag: 4, json: "kind", kind: Str, repeated: false },
            Field { tag: 5, json: "listKind", kind: Str, repeated: false },
            Field { tag: 6, json: "categories", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.CustomResourceDefinitionSpec",
        fields: &[
            Field { tag: 1, json: "group", kind: Str, repeated: false },
            Field { tag: 2, json: "version", kind: Str, repeated: false },
            Field { tag: 3, json: "names", kind: Msg(1150), repeated: false },
            Field { tag: 4, json: "scope", kind: Str, repeated: false },
            Field { tag: 5, json: "validation", kind: Msg(1157), repeated: false },
            Field { tag: 6, json: "subresources", kind: Msg(1156), repeated: false },
            Field { tag: 7, json: "versions", kind: Msg(1153), repeated: true },
            Field { tag: 8, json: "additionalPrinterColumns", kind: Msg(1145), repeated: true },
            Field { tag: 9, json: "conversion", kind: Msg(1146), repeated: false },
            Field { tag: 10, json: "preserveUnknownFields", kind: Bool, repeated: false },
            Field { tag: 11, json: "selectableFields", kind: Msg(1164), repeated: true },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.CustomResourceDefinitionStatus",
        fields: &[
            Field { tag: 1, json: "conditions", kind: Msg(1148), repeated: true },
            Field { tag: 2, json: "acceptedNames", kind: Msg(1150), repeated: false },
            Field { tag: 3, json: "storedVersions", kind: Str, repeated: true },
            Field { tag: 4, json: "observedGeneration", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.CustomResourceDefinitionVersion",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "served", kind: Bool, repeated: false },
            Field { tag: 3, json: "storage", kind: Bool, repeated: false },
            Field { tag: 4, json: "schema", kind: Msg(1157), repeated: false },
            Field { tag: 5, json: "subresources", kind: Msg(1156), repeated: false },
            Field { tag: 6, json: "additionalPrinterColumns", kind: Msg(1145), repeated: true },
            Field { tag: 7, json: "deprecated", kind: Bool, repeated: false },
            Field { tag: 8, json: "deprecationWarning", kind: Str, repeated: false },
            Field { tag: 9, json: "selectableFields", kind: Msg(1164), repeated: true },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.CustomResourceSubresourceScale",
        fields: &[
            Field { tag: 1, json: "specReplicasPath", kind: Str, repeated: false },
            Field { tag: 2, json: "statusReplicasPath", kind: Str, repeated: false },
            Field { tag: 3, json: "labelSelectorPath", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.CustomResourceSubresourceStatus",
        fields: &[
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.CustomResourceSubresources",
        fields: &[
            Field { tag: 1, json: "status", kind: Msg(1155), repeated: false },
            Field { tag: 2, json: "scale", kind: Msg(1154), repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.CustomResourceValidation",
        fields: &[
            Field { tag: 1, json: "openApiv3Schema", kind: Msg(1160), repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.ExternalDocumentation",
        fields: &[
            Field { tag: 1, json: "description", kind: Str, repeated: false },
            Field { tag: 2, json: "url", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.Json",
        fields: &[
            Field { tag: 1, json: "raw", kind: Bytes, repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.JsonSchemaProps",
        fields: &[
            Field { tag: 1, json: "id", kind: Str, repeated: false },
            Field { tag: 2, json: "schema", kind: Str, repeated: false },
            Field { tag: 3, json: "ref", kind: Str, repeated: false },
            Field { tag: 4, json: "description", kind: Str, repeated: false },
            Field { tag: 5, json: "type", kind: Str, repeated: false },
            Field { tag: 6, json: "format", kind: Str, repeated: false },
            Field { tag: 7, json: "title", kind: Str, repeated: false },
            Field { tag: 8, json: "default", kind: Msg(1159), repeated: false },
            Field { tag: 9, json: "maximum", kind: Double, repeated: false },
            Field { tag: 10, json: "exclusiveMaximum", kind: Bool, repeated: false },
            Field { tag: 11, json: "minimum", kind: Double, repeated: false },
            Field { tag: 12, json: "exclusiveMinimum", kind: Bool, repeated: false },
            Field { tag: 13, json: "maxLength", kind: Int64, repeated: false },
            Field { tag: 14, json: "minLength", kind: Int64, repeated: false },
            Field { tag: 15, json: "pattern", kind: Str, repeated: false },
            Field { tag: 16, json: "maxItems", kind: Int64, repeated: false },
            Field { tag: 17, json: "minItems", kind: Int64, repeated: false },
            Field { tag: 18, json: "uniqueItems", kind: Bool, repeated: false },
            Field { tag: 19, json: "multipleOf", kind: Double, repeated: false },
            Field { tag: 20, json: "enum", kind: Msg(1159), repeated: true },
            Field { tag: 21, json: "maxProperties", kind: Int64, repeated: false },
            Field { tag: 22, json: "minProperties", kind: Int64, repeated: false },
            Field { tag: 23, json: "required", kind: Str, repeated: true },
            Field { tag: 24, json: "items", kind: Msg(1161), repeated: false },
            Field { tag: 25, json: "allOf", kind: Msg(1160), repeated: true },
            Field { tag: 26, json: "oneOf", kind: Msg(1160), repeated: true },
            Field { tag: 27, json: "anyOf", kind: Msg(1160), repeated: true },
            Field { tag: 28, json: "not", kind: Msg(1160), repeated: false },
            Field { tag: 29, json: "properties", kind: Map(&Msg(1160)), repeated: false },
            Field { tag: 30, json: "additionalProperties", kind: Msg(1162), repeated: false },
            Field { tag: 31, json: "patternProperties", kind: Map(&Msg(1160)), repeated: false },
            Field { tag: 32, json: "dependencies", kind: Map(&Msg(1163)), repeated: false },
            Field { tag: 33, json: "additionalItems", kind: Msg(1162), repeated: false },
            Field { tag: 34, json: "definitions", kind: Map(&Msg(1160)), repeated: false },
            Field { tag: 35, json: "externalDocs", kind: Msg(1158), repeated: false },
            Field { tag: 36, json: "example", kind: Msg(1159), repeated: false },
            Field { tag: 37, json: "nullable", kind: Bool, repeated: false },
            Field { tag: 38, json: "xKubernetesPreserveUnknownFields", kind: Bool, repeated: false },
            Field { tag: 39, json: "xKubernetesEmbeddedResource", kind: Bool, repeated: false },
            Field { tag: 40, json: "xKubernetesIntOrString", kind: Bool, repeated: false },
            Field { tag: 41, json: "xKubernetesListMapKeys", kind: Str, repeated: true },
            Field { tag: 42, json: "xKubernetesListType", kind: Str, repeated: false },
            Field { tag: 43, json: "xKubernetesMapType", kind: Str, repeated: false },
            Field { tag: 44, json: "xKubernetesValidations", kind: Msg(1166), repeated: true },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.JsonSchemaPropsOrArray",
        fields: &[
            Field { tag: 1, json: "schema", kind: Msg(1160), repeated: false },
            Field { tag: 2, json: "jSonSchemas", kind: Msg(1160), repeated: true },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.JsonSchemaPropsOrBool",
        fields: &[
            Field { tag: 1, json: "allows", kind: Bool, repeated: false },
            Field { tag: 2, json: "schema", kind: Msg(1160), repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.JsonSchemaPropsOrStringArray",
        fields: &[
            Field { tag: 1, json: "schema", kind: Msg(1160), repeated: false },
            Field { tag: 2, json: "property", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.SelectableField",
        fields: &[
            Field { tag: 1, json: "jsonPath", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.ServiceReference",
        fields: &[
            Field { tag: 1, json: "namespace", kind: Str, repeated: false },
            Field { tag: 2, json: "name", kind: Str, repeated: false },
            Field { tag: 3, json: "path", kind: Str, repeated: false },
            Field { tag: 4, json: "port", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.ValidationRule",
        fields: &[
            Field { tag: 1, json: "rule", kind: Str, repeated: false },
            Field { tag: 2, json: "message", kind: Str, repeated: false },
            Field { tag: 3, json: "messageExpression", kind: Str, repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "fieldPath", kind: Str, repeated: false },
            Field { tag: 6, json: "optionalOldSelf", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.WebhookClientConfig",
        fields: &[
            Field { tag: 1, json: "service", kind: Msg(1165), repeated: false },
            Field { tag: 2, json: "caBundle", kind: Bytes, repeated: false },
            Field { tag: 3, json: "url", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.api.resource.Quantity",
        fields: &[
            Field { tag: 1, json: "string", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.api.resource.QuantityValue",
        fields: &[
            Field { tag: 1, json: "string", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.APIGroup",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "versions", kind: Msg(1186), repeated: true },
            Field { tag: 3, json: "preferredVersion", kind: Msg(1186), repeated: false },
            Field { tag: 4, json: "serverAddressByClientCIDRs", kind: Msg(1204), repeated: true },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.APIGroupList",
        fields: &[
            Field { tag: 1, json: "groups", kind: Msg(1170), repeated: true },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.APIResource",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "namespaced", kind: Bool, repeated: false },
            Field { tag: 3, json: "kind", kind: Str, repeated: false },
            Field { tag: 4, json: "verbs", kind: Msg(1213), repeated: false },
            Field { tag: 5, json: "shortNames", kind: Str, repeated: true },
            Field { tag: 6, json: "singularName", kind: Str, repeated: false },
            Field { tag: 7, json: "categories", kind: Str, repeated: true },
            Field { tag: 8, json: "group", kind: Str, repeated: false },
            Field { tag: 9, json: "version", kind: Str, repeated: false },
            Field { tag: 10, json: "storageVersionHash", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.APIResourceList",
        fields: &[
            Field { tag: 1, json: "groupVersion", kind: Str, repeated: false },
            Field { tag: 2, json: "resources", kind: Msg(1172), repeated: true },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.APIVersions",
        fields: &[
            Field { tag: 1, json: "versions", kind: Str, repeated: true },
            Field { tag: 2, json: "serverAddressByClientCIDRs", kind: Msg(1204), repeated: true },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.ApplyOptions",
        fields: &[
            Field { tag: 1, json: "dryRun", kind: Str, repeated: true },
            Field { tag: 2, json: "force", kind: Bool, repeated: false },
            Field { tag: 3, json: "fieldManager", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.Condition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "observedGeneration", kind: Int64, repeated: false },
            Field { tag: 4, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 5, json: "reason", kind: Str, repeated: false },
            Field { tag: 6, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.CreateOptions",
        fields: &[
            Field { tag: 1, json: "dryRun", kind: Str, repeated: true },
            Field { tag: 3, json: "fieldManager", kind: Str, repeated: false },
            Field { tag: 4, json: "fieldValidation", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.DeleteOptions",
        fields: &[
            Field { tag: 1, json: "gracePeriodSeconds", kind: Int64, repeated: false },
            Field { tag: 2, json: "preconditions", kind: Msg(1202), repeated: false },
            Field { tag: 3, json: "orphanDependents", kind: Bool, repeated: false },
            Field { tag: 4, json: "propagationPolicy", kind: Str, repeated: false },
            Field { tag: 5, json: "dryRun", kind: Str, repeated: true },
            Field { tag: 6, json: "ignoreStoreReadErrorWithClusterBreakingPotential", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.Duration",
        fields: &[
            Field { tag: 1, json: "duration", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement",
        fields: &[
            Field { tag: 1, json: "key", kind: Str, repeated: false },
            Field { tag: 2, json: "operator", kind: Str, repeated: false },
            Field { tag: 3, json: "values", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.FieldsV1",
        fields: &[
            Field { tag: 1, json: "raw", kind: Bytes, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.GetOptions",
        fields: &[
            Field { tag: 1, json: "resourceVersion", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.GroupKind",
        fields: &[
            Field { tag: 1, json: "group", kind: Str, repeated: false },
            Field { tag: 2, json: "kind", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.GroupResource",
        fields: &[
            Field { tag: 1, json: "group", kind: Str, repeated: false },
            Field { tag: 2, json: "resource", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.GroupVersion",
        fields: &[
            Field { tag: 1, json: "group", kind: Str, repeated: false },
            Field { tag: 2, json: "version", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.GroupVersionForDiscovery",
        fields: &[
            Field { tag: 1, json: "groupVersion", kind: Str, repeated: false },
            Field { tag: 2, json: "version", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.GroupVersionKind",
        fields: &[
            Field { tag: 1, json: "group", kind: Str, repeated: false },
            Field { tag: 2, json: "version", kind: Str, repeated: false },
            Field { tag: 3, json: "kind", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.GroupVersionResource",
        fields: &[
            Field { tag: 1, json: "group", kind: Str, repeated: false },
            Field { tag: 2, json: "version", kind: Str, repeated: false },
            Field { tag: 3, json: "resource", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.LabelSelector",
        fields: &[
            Field { tag: 1, json: "matchLabels", kind: Map(&Str), repeated: false },
            Field { tag: 2, json: "matchExpressions", kind: Msg(1190), repeated: true },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement",
        fields: &[
            Field { tag: 1, json: "key", kind: Str, repeated: false },
            Field { tag: 2, json: "operator", kind: Str, repeated: false },
            Field { tag: 3, json: "values", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.List",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1222), repeated: true },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.ListMeta",
        fields: &[
            Field { tag: 1, json: "selfLink", kind: Str, repeated: false },
            Field { tag: 2, json: "resourceVersion", kind: Str, repeated: false },
            Field { tag: 3, json: "continue", kind: Str, repeated: false },
            Field { tag: 4, json: "remainingItemCount", kind: Int64, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.ListOptions",
        fields: &[
            Field { tag: 1, json: "labelSelector", kind: Str, repeated: false },
            Field { tag: 2, json: "fieldSelector", kind: Str, repeated: false },
            Field { tag: 3, json: "watch", kind: Bool, repeated: false },
            Field { tag: 4, json: "resourceVersion", kind: Str, repeated: false },
            Field { tag: 5, json: "timeoutSeconds", kind: Int64, repeated: false },
            Field { tag: 7, json: "limit", kind: Int64, repeated: false },
            Field { tag: 8, json: "continue", kind: Str, repeated: false },
            Field { tag: 9, json: "allowWatchBookmarks", kind: Bool, repeated: false },
            Field { tag: 10, json: "resourceVersionMatch", kind: Str, repeated: false },
            Field { tag: 11, json: "sendInitialEvents", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry",
        fields: &[
            Field { tag: 1, json: "manager", kind: Str, repeated: false },
            Field { tag: 2, json: "operation", kind: Str, repeated: false },
            Field { tag: 3, json: "apiVersion", kind: Str, repeated: false },
            Field { tag: 4, json: "time", kind: Msg(1209), repeated: false },
            Field { tag: 6, json: "fieldsType", kind: Str, repeated: false },
            Field { tag: 7, json: "fieldsV1", kind: Msg(1181), repeated: false },
            Field { tag: 8, json: "subresource", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.MicroTime",
        fields: &[
            Field { tag: 1, json: "seconds", kind: Int64, repeated: false },
            Field { tag: 2, json: "nanos", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.ObjectMeta",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "generateName", kind: Str, repeated: false },
            Field { tag: 3, json: "namespace", kind: Str, repeated: false },
            Field { tag: 4, json: "selfLink", kind: Str, repeated: false },
            Field { tag: 5, json: "uid", kind: Str, repeated: false },
            Field { tag: 6, json: "resourceVersion", kind: Str, repeated: false },
            Field { tag: 7, json: "generation", kind: Int64, repeated: false },
            Field { tag: 8, json: "creationTimestamp", kind: Msg(1209), repeated: false },
            Field { tag: 9, json: "deletionTimestamp", kind: Msg(1209), repeated: false },
            Field { tag: 10, json: "deletionGracePeriodSeconds", kind: Int64, repeated: false },
            Field { tag: 11, json: "labels", kind: Map(&Str), repeated: false },
            Field { tag: 12, json: "annotations", kind: Map(&Str), repeated: false },
            Field { tag: 13, json: "ownerReferences", kind: Msg(1197), repeated: true },
            Field { tag: 14, json: "finalizers", kind: Str, repeated: true },
            Field { tag: 17, json: "managedFields", kind: Msg(1194), repeated: true },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.OwnerReference",
        fields: &[
            Field { tag: 1, json: "kind", kind: Str, repeated: false },
            Field { tag: 3, json: "name", kind: Str, repeated: false },
            Field { tag: 4, json: "uid", kind: Str, repeated: false },
            Field { tag: 5, json: "apiVersion", kind: Str, repeated: false },
            Field { tag: 6, json: "controller", kind: Bool, repeated: false },
            Field { tag: 7, json: "blockOwnerDeletion", kind: Bool, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.PartialObjectMetadata",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.PartialObjectMetadataList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1198), repeated: true },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.Patch",
        fields: &[
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.PatchOptions",
        fields: &[
            Field { tag: 1, json: "dryRun", kind: Str, repeated: true },
            Field { tag: 2, json: "force", kind: Bool, repeated: false },
            Field { tag: 3, json: "fieldManager", kind: Str, repeated: false },
            Field { tag: 4, json: "fieldValidation", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.Preconditions",
        fields: &[
            Field { tag: 1, json: "uid", kind: Str, repeated: false },
            Field { tag: 2, json: "resourceVersion", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.RootPaths",
        fields: &[
            Field { tag: 1, json: "paths", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.ServerAddressByClientCIDR",
        fields: &[
            Field { tag: 1, json: "clientCIDR", kind: Str, repeated: false },
            Field { tag: 2, json: "serverAddress", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.Status",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "message", kind: Str, repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "details", kind: Msg(1207), repeated: false },
            Field { tag: 6, json: "code", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.StatusCause",
        fields: &[
            Field { tag: 1, json: "reason", kind: Str, repeated: false },
            Field { tag: 2, json: "message", kind: Str, repeated: false },
            Field { tag: 3, json: "field", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.StatusDetails",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "group", kind: Str, repeated: false },
            Field { tag: 3, json: "kind", kind: Str, repeated: false },
            Field { tag: 4, json: "causes", kind: Msg(1206), repeated: true },
            Field { tag: 5, json: "retryAfterSeconds", kind: Int32, repeated: false },
            Field { tag: 6, json: "uid", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.TableOptions",
        fields: &[
            Field { tag: 1, json: "includeObject", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.Time",
        fields: &[
            Field { tag: 1, json: "seconds", kind: Int64, repeated: false },
            Field { tag: 2, json: "nanos", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.Timestamp",
        fields: &[
            Field { tag: 1, json: "seconds", kind: Int64, repeated: false },
            Field { tag: 2, json: "nanos", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.TypeMeta",
        fields: &[
            Field { tag: 1, json: "kind", kind: Str, repeated: false },
            Field { tag: 2, json: "apiVersion", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.UpdateOptions",
        fields: &[
            Field { tag: 1, json: "dryRun", kind: Str, repeated: true },
            Field { tag: 2, json: "fieldManager", kind: Str, repeated: false },
            Field { tag: 3, json: "fieldValidation", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.Verbs",
        fields: &[
            Field { tag: 1, json: "items", kind: Str, repeated: true },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1.WatchEvent",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "object", kind: Msg(1222), repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.meta.v1beta1.PartialObjectMetadataList",
        fields: &[
            Field { tag: 1, json: "items", kind: Msg(1198), repeated: true },
            Field { tag: 2, json: "metadata", kind: Msg(1192), repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.testapigroup.v1.Carp",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(1220), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(1221), repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.testapigroup.v1.CarpCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastProbeTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 5, json: "reason", kind: Str, repeated: false },
            Field { tag: 6, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.testapigroup.v1.CarpInfo",
        fields: &[
            Field { tag: 1, json: "a", kind: Int64, repeated: false },
            Field { tag: 2, json: "b", kind: Str, repeated: false },
            Field { tag: 3, json: "data", kind: Str, repeated: false },
            Field { tag: 4, json: "c", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.testapigroup.v1.CarpList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1216), repeated: true },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.testapigroup.v1.CarpSpec",
        fields: &[
            Field { tag: 3, json: "restartPolicy", kind: Str, repeated: false },
            Field { tag: 4, json: "terminationGracePeriodSeconds", kind: Int64, repeated: false },
            Field { tag: 5, json: "activeDeadlineSeconds", kind: Int64, repeated: false },
            Field { tag: 7, json: "nodeSelector", kind: Map(&Str), repeated: false },
            Field { tag: 8, json: "serviceAccountName", kind: Str, repeated: false },
            Field { tag: 9, json: "deprecatedServiceAccount", kind: Str, repeated: false },
            Field { tag: 10, json: "nodeName", kind: Str, repeated: false },
            Field { tag: 11, json: "hostNetwork", kind: Bool, repeated: false },
            Field { tag: 12, json: "hostPid", kind: Bool, repeated: false },
            Field { tag: 13, json: "hostIpc", kind: Bool, repeated: false },
            Field { tag: 16, json: "hostname", kind: Str, repeated: false },
            Field { tag: 17, json: "subdomain", kind: Str, repeated: false },
            Field { tag: 19, json: "schedulerName", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.apis.testapigroup.v1.CarpStatus",
        fields: &[
            Field { tag: 1, json: "phase", kind: Str, repeated: false },
            Field { tag: 2, json: "conditions", kind: Msg(1217), repeated: true },
            Field { tag: 3, json: "message", kind: Str, repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "hostIp", kind: Str, repeated: false },
            Field { tag: 6, json: "carpIp", kind: Str, repeated: false },
            Field { tag: 7, json: "startTime", kind: Msg(1209), repeated: false },
            Field { tag: 8, json: "infos", kind: Msg(1218), repeated: true },
        ],
    },
    Message {
        name: "apimachinery.pkg.runtime.RawExtension",
        fields: &[
            Field { tag: 1, json: "raw", kind: Bytes, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.runtime.TypeMeta",
        fields: &[
            Field { tag: 1, json: "apiVersion", kind: Str, repeated: false },
            Field { tag: 2, json: "kind", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.runtime.Unknown",
        fields: &[
            Field { tag: 1, json: "typeMeta", kind: Msg(1223), repeated: false },
            Field { tag: 2, json: "raw", kind: Bytes, repeated: false },
            Field { tag: 3, json: "contentEncoding", kind: Str, repeated: false },
            Field { tag: 4, json: "contentType", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "apimachinery.pkg.util.intstr.IntOrString",
        fields: &[
            Field { tag: 1, json: "type", kind: Int64, repeated: false },
            Field { tag: 2, json: "intVal", kind: Int32, repeated: false },
            Field { tag: 3, json: "strVal", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "kube_aggregator.pkg.apis.apiregistration.v1.APIService",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(1229), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(1230), repeated: false },
        ],
    },
    Message {
        name: "kube_aggregator.pkg.apis.apiregistration.v1.APIServiceCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "kube_aggregator.pkg.apis.apiregistration.v1.APIServiceList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1226), repeated: true },
        ],
    },
    Message {
        name: "kube_aggregator.pkg.apis.apiregistration.v1.APIServiceSpec",
        fields: &[
            Field { tag: 1, json: "service", kind: Msg(1231), repeated: false },
            Field { tag: 2, json: "group", kind: Str, repeated: false },
            Field { tag: 3, json: "version", kind: Str, repeated: false },
            Field { tag: 4, json: "insecureSkipTLSVerify", kind: Bool, repeated: false },
            Field { tag: 5, json: "caBundle", kind: Bytes, repeated: false },
            Field { tag: 7, json: "groupPriorityMinimum", kind: Int32, repeated: false },
            Field { tag: 8, json: "versionPriority", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "kube_aggregator.pkg.apis.apiregistration.v1.APIServiceStatus",
        fields: &[
            Field { tag: 1, json: "conditions", kind: Msg(1227), repeated: true },
        ],
    },
    Message {
        name: "kube_aggregator.pkg.apis.apiregistration.v1.ServiceReference",
        fields: &[
            Field { tag: 1, json: "namespace", kind: Str, repeated: false },
            Field { tag: 2, json: "name", kind: Str, repeated: false },
            Field { tag: 3, json: "port", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "kube_aggregator.pkg.apis.apiregistration.v1beta1.APIService",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "spec", kind: Msg(1235), repeated: false },
            Field { tag: 3, json: "status", kind: Msg(1236), repeated: false },
        ],
    },
    Message {
        name: "kube_aggregator.pkg.apis.apiregistration.v1beta1.APIServiceCondition",
        fields: &[
            Field { tag: 1, json: "type", kind: Str, repeated: false },
            Field { tag: 2, json: "status", kind: Str, repeated: false },
            Field { tag: 3, json: "lastTransitionTime", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "reason", kind: Str, repeated: false },
            Field { tag: 5, json: "message", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "kube_aggregator.pkg.apis.apiregistration.v1beta1.APIServiceList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1232), repeated: true },
        ],
    },
    Message {
        name: "kube_aggregator.pkg.apis.apiregistration.v1beta1.APIServiceSpec",
        fields: &[
            Field { tag: 1, json: "service", kind: Msg(1237), repeated: false },
            Field { tag: 2, json: "group", kind: Str, repeated: false },
            Field { tag: 3, json: "version", kind: Str, repeated: false },
            Field { tag: 4, json: "insecureSkipTlsVerify", kind: Bool, repeated: false },
            Field { tag: 5, json: "caBundle", kind: Bytes, repeated: false },
            Field { tag: 7, json: "groupPriorityMinimum", kind: Int32, repeated: false },
            Field { tag: 8, json: "versionPriority", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "kube_aggregator.pkg.apis.apiregistration.v1beta1.APIServiceStatus",
        fields: &[
            Field { tag: 1, json: "conditions", kind: Msg(1233), repeated: true },
        ],
    },
    Message {
        name: "kube_aggregator.pkg.apis.apiregistration.v1beta1.ServiceReference",
        fields: &[
            Field { tag: 1, json: "namespace", kind: Str, repeated: false },
            Field { tag: 2, json: "name", kind: Str, repeated: false },
            Field { tag: 3, json: "port", kind: Int32, repeated: false },
        ],
    },
    Message {
        name: "metrics.pkg.apis.custom_metrics.v1beta1.MetricListOptions",
        fields: &[
            Field { tag: 1, json: "labelSelector", kind: Str, repeated: false },
            Field { tag: 2, json: "metricLabelSelector", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "metrics.pkg.apis.custom_metrics.v1beta1.MetricValue",
        fields: &[
            Field { tag: 1, json: "describedObject", kind: Msg(508), repeated: false },
            Field { tag: 2, json: "metricName", kind: Str, repeated: false },
            Field { tag: 3, json: "timestamp", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "window", kind: Int64, repeated: false },
            Field { tag: 5, json: "value", kind: Msg(1168), repeated: false },
            Field { tag: 6, json: "selector", kind: Msg(1189), repeated: false },
        ],
    },
    Message {
        name: "metrics.pkg.apis.custom_metrics.v1beta1.MetricValueList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1239), repeated: true },
        ],
    },
    Message {
        name: "metrics.pkg.apis.custom_metrics.v1beta2.MetricIdentifier",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "selector", kind: Msg(1189), repeated: false },
        ],
    },
    Message {
        name: "metrics.pkg.apis.custom_metrics.v1beta2.MetricListOptions",
        fields: &[
            Field { tag: 1, json: "labelSelector", kind: Str, repeated: false },
            Field { tag: 2, json: "metricLabelSelector", kind: Str, repeated: false },
        ],
    },
    Message {
        name: "metrics.pkg.apis.custom_metrics.v1beta2.MetricValue",
        fields: &[
            Field { tag: 1, json: "describedObject", kind: Msg(508), repeated: false },
            Field { tag: 2, json: "metric", kind: Msg(1241), repeated: false },
            Field { tag: 3, json: "timestamp", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "windowSeconds", kind: Int64, repeated: false },
            Field { tag: 5, json: "value", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "metrics.pkg.apis.custom_metrics.v1beta2.MetricValueList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1243), repeated: true },
        ],
    },
    Message {
        name: "metrics.pkg.apis.external_metrics.v1beta1.ExternalMetricValue",
        fields: &[
            Field { tag: 1, json: "metricName", kind: Str, repeated: false },
            Field { tag: 2, json: "metricLabels", kind: Map(&Str), repeated: false },
            Field { tag: 3, json: "timestamp", kind: Msg(1209), repeated: false },
            Field { tag: 4, json: "window", kind: Int64, repeated: false },
            Field { tag: 5, json: "value", kind: Msg(1168), repeated: false },
        ],
    },
    Message {
        name: "metrics.pkg.apis.external_metrics.v1beta1.ExternalMetricValueList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1245), repeated: true },
        ],
    },
    Message {
        name: "metrics.pkg.apis.metrics.v1alpha1.ContainerMetrics",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "usage", kind: Map(&Msg(1168)), repeated: false },
        ],
    },
    Message {
        name: "metrics.pkg.apis.metrics.v1alpha1.NodeMetrics",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "timestamp", kind: Msg(1209), repeated: false },
            Field { tag: 3, json: "window", kind: Msg(1179), repeated: false },
            Field { tag: 4, json: "usage", kind: Map(&Msg(1168)), repeated: false },
        ],
    },
    Message {
        name: "metrics.pkg.apis.metrics.v1alpha1.NodeMetricsList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1248), repeated: true },
        ],
    },
    Message {
        name: "metrics.pkg.apis.metrics.v1alpha1.PodMetrics",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "timestamp", kind: Msg(1209), repeated: false },
            Field { tag: 3, json: "window", kind: Msg(1179), repeated: false },
            Field { tag: 4, json: "containers", kind: Msg(1247), repeated: true },
        ],
    },
    Message {
        name: "metrics.pkg.apis.metrics.v1alpha1.PodMetricsList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1250), repeated: true },
        ],
    },
    Message {
        name: "metrics.pkg.apis.metrics.v1beta1.ContainerMetrics",
        fields: &[
            Field { tag: 1, json: "name", kind: Str, repeated: false },
            Field { tag: 2, json: "usage", kind: Map(&Msg(1168)), repeated: false },
        ],
    },
    Message {
        name: "metrics.pkg.apis.metrics.v1beta1.NodeMetrics",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "timestamp", kind: Msg(1209), repeated: false },
            Field { tag: 3, json: "window", kind: Msg(1179), repeated: false },
            Field { tag: 4, json: "usage", kind: Map(&Msg(1168)), repeated: false },
        ],
    },
    Message {
        name: "metrics.pkg.apis.metrics.v1beta1.NodeMetricsList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1253), repeated: true },
        ],
    },
    Message {
        name: "metrics.pkg.apis.metrics.v1beta1.PodMetrics",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1196), repeated: false },
            Field { tag: 2, json: "timestamp", kind: Msg(1209), repeated: false },
            Field { tag: 3, json: "window", kind: Msg(1179), repeated: false },
            Field { tag: 4, json: "containers", kind: Msg(1252), repeated: true },
        ],
    },
    Message {
        name: "metrics.pkg.apis.metrics.v1beta1.PodMetricsList",
        fields: &[
            Field { tag: 1, json: "metadata", kind: Msg(1192), repeated: false },
            Field { tag: 2, json: "items", kind: Msg(1255), repeated: true },
        ],
    },
];

/// (apiVersion, kind) → the message of its objects.
pub static KINDS: &[(&str, &str, usize)] = &[
    ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", 11),
    ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy", 20),
    ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding", 21),
    ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", 28),
    ("admissionregistration.k8s.io/v1alpha1", "MutatingAdmissionPolicy", 39),
    ("admissionregistration.k8s.io/v1alpha1", "MutatingAdmissionPolicyBinding", 40),
    ("admissionregistration.k8s.io/v1beta1", "MutatingAdmissionPolicy", 65),
    ("admissionregistration.k8s.io/v1beta1", "MutatingAdmissionPolicyBinding", 66),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition", 1120),
    ("apiregistration.k8s.io/v1", "APIService", 1226),
    ("apps/v1", "ControllerRevision", 109),
    ("apps/v1", "DaemonSet", 111),
    ("apps/v1", "Deployment", 117),
    ("apps/v1", "ReplicaSet", 123),
    ("apps/v1", "StatefulSet", 131),
    ("authentication.k8s.io/v1", "SelfSubjectReview", 197),
    ("authentication.k8s.io/v1", "TokenRequest", 199),
    ("authentication.k8s.io/v1", "TokenReview", 202),
    ("authorization.k8s.io/v1", "LocalSubjectAccessReview", 218),
    ("authorization.k8s.io/v1", "SelfSubjectAccessReview", 223),
    ("authorization.k8s.io/v1", "SelfSubjectRulesReview", 225),
    ("authorization.k8s.io/v1", "SubjectAccessReview", 227),
    ("autoscaling/v1", "HorizontalPodAutoscaler", 250),
    ("autoscaling/v1", "Scale", 263),
    ("autoscaling/v2", "HorizontalPodAutoscaler", 271),
    ("batch/v1", "CronJob", 332),
    ("batch/v1", "Job", 336),
    ("certificates.k8s.io/v1", "CertificateSigningRequest", 354),
    ("certificates.k8s.io/v1alpha1", "ClusterTrustBundle", 360),
    ("certificates.k8s.io/v1beta1", "ClusterTrustBundle", 368),
    ("certificates.k8s.io/v1beta1", "PodCertificateRequest", 372),
    ("coordination.k8s.io/v1", "Lease", 376),
    ("coordination.k8s.io/v1alpha2", "LeaseCandidate", 379),
    ("coordination.k8s.io/v1beta1", "LeaseCandidate", 383),
    ("discovery.k8s.io/v1", "EndpointSlice", 630),
    ("events.k8s.io/v1", "Event", 642),
    ("flowcontrol.apiserver.k8s.io/v1", "FlowSchema", 695),
    ("flowcontrol.apiserver.k8s.io/v1", "PriorityLevelConfiguration", 705),
    ("internal.apiserver.k8s.io/v1alpha1", "StorageVersion", 104),
    ("meta.k8s.io/v1", "DeleteOptions", 1178),
    ("networking.k8s.io/v1", "IPAddress", 791),
    ("networking.k8s.io/v1", "Ingress", 794),
    ("networking.k8s.io/v1", "IngressClass", 796),
    ("networking.k8s.io/v1", "NetworkPolicy", 811),
    ("networking.k8s.io/v1", "ServiceCIDR", 820),
    ("networking.k8s.io/v1beta1", "IPAddress", 826),
    ("networking.k8s.io/v1beta1", "ServiceCIDR", 845),
    ("node.k8s.io/v1", "RuntimeClass", 850),
    ("policy/v1", "Eviction", 862),
    ("policy/v1", "PodDisruptionBudget", 863),
    ("policy/v1beta1", "Eviction", 867),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", 873),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", 874),
    ("rbac.authorization.k8s.io/v1", "Role", 878),
    ("rbac.authorization.k8s.io/v1", "RoleBinding", 879),
    ("resource.k8s.io/v1", "DeviceClass", 923),
    ("resource.k8s.io/v1", "ResourceClaim", 939),
    ("resource.k8s.io/v1", "ResourceClaimTemplate", 944),
    ("resource.k8s.io/v1", "ResourceSlice", 948),
    ("resource.k8s.io/v1alpha3", "DeviceTaintRule", 954),
    ("resource.k8s.io/v1beta1", "DeviceClass", 975),
    ("resource.k8s.io/v1beta1", "ResourceClaim", 990),
    ("resource.k8s.io/v1beta1", "ResourceClaimTemplate", 995),
    ("resource.k8s.io/v1beta1", "ResourceSlice", 999),
    ("resource.k8s.io/v1beta2", "DeviceClass", 1017),
    ("resource.k8s.io/v1beta2", "ResourceClaim", 1033),
    ("resource.k8s.io/v1beta2", "ResourceClaimTemplate", 1038),
    ("resource.k8s.io/v1beta2", "ResourceSlice", 1042),
    ("scheduling.k8s.io/v1", "PriorityClass", 1045),
    ("scheduling.k8s.io/v1alpha1", "Workload", 1054),
    ("storage.k8s.io/v1", "CSIDriver", 1059),
    ("storage.k8s.io/v1", "CSINode", 1062),
    ("storage.k8s.io/v1", "CSIStorageCapacity", 1066),
    ("storage.k8s.io/v1", "StorageClass", 1068),
    ("storage.k8s.io/v1", "VolumeAttachment", 1071),
    ("storage.k8s.io/v1", "VolumeAttributesClass", 1076),
    ("storage.k8s.io/v1beta1", "VolumeAttributesClass", 1107),
    ("storagemigration.k8s.io/v1beta1", "StorageVersionMigration", 1111),
    ("v1", "Binding", 396),
    ("v1", "ComponentStatus", 407),
    ("v1", "ConfigMap", 409),
    ("v1", "DeleteOptions", 1178),
    ("v1", "Endpoints", 437),
    ("v1", "Event", 445),
    ("v1", "LimitRange", 471),
    ("v1", "Namespace", 482),
    ("v1", "Node", 488),
    ("v1", "PersistentVolume", 509),
    ("v1", "PersistentVolumeClaim", 510),
    ("v1", "Pod", 522),
    ("v1", "PodTemplate", 548),
    ("v1", "ReplicationController", 563),
    ("v1", "ResourceQuota", 571),
    ("v1", "Secret", 583),
    ("v1", "Service", 592),
    ("v1", "ServiceAccount", 593),
];
