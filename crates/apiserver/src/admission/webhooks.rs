//! MutatingAdmissionWebhook and ValidatingAdmissionWebhook: the webhooks of
//! the cluster's Mutating/ValidatingWebhookConfigurations, called as
//! upstream calls them. A webhook is called for a write its rules match
//! (operation, group, version, resource and subresource, scope), whose
//! namespace and object its selectors match; it gets an AdmissionReview
//! (v1) with the object, the old object, who asks and whether it is a dry
//! run. Mutating webhooks run one after another, their JSONPatch applied
//! in turn (and the kind's defaults again after a change); validating
//! webhooks run together. A webhook that cannot be called fails the write
//! or is skipped, as its failurePolicy says; one that answers "no" fails
//! it with its message. Webhook configurations themselves, and admission
//! policies, never go through webhooks.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine;
use serde_json::{Value, json};

use super::{AdmissionPlugin, Attributes, Operation};
use crate::error::ApiError;
use crate::webhook_client::{self, ClientConfig};

pub struct MutatingAdmissionWebhook;
pub struct ValidatingAdmissionWebhook;

/// Kinds no webhook is called for, so that a broken webhook can always be
/// removed.
const EXEMPT: &[&str] = &[
    "mutatingwebhookconfigurations",
    "validatingwebhookconfigurations",
    "validatingadmissionpolicies",
    "validatingadmissionpolicybindings",
    "mutatingadmissionpolicies",
    "mutatingadmissionpolicybindings",
];

#[async_trait]
impl AdmissionPlugin for MutatingAdmissionWebhook {
    fn name(&self) -> &'static str {
        "MutatingAdmissionWebhook"
    }

    async fn admit(
        &self,
        attributes: &Attributes<'_>,
        object: Option<&mut Value>,
    ) -> Result<(), ApiError> {
        let hooks = matching(
            attributes,
            "mutatingwebhookconfigurations",
            object.as_deref(),
        )
        .await?;
        if hooks.is_empty() {
            return Ok(());
        }
        let Some(object) = object else {
            // A delete: nothing to change, but the webhooks are told.
            for hook in &hooks {
                call(attributes, hook, None).await?;
            }
            return Ok(());
        };
        let mut changed = false;
        for hook in &hooks {
            if let Some(patched) = call(attributes, hook, Some(object)).await?
                && patched != *object
            {
                *object = patched;
                changed = true;
            }
        }
        // Called again, once, when a later webhook changed what an earlier
        // one (that asked for it) saw.
        if changed && hooks.len() > 1 {
            for hook in hooks.iter().filter(|h| h.reinvoke) {
                if let Some(patched) = call(attributes, hook, Some(object)).await? {
                    *object = patched;
                }
            }
        }
        if changed {
            crate::defaults::apply(attributes.info.builtin_kind(), object);
        }
        Ok(())
    }
}

#[async_trait]
impl AdmissionPlugin for ValidatingAdmissionWebhook {
    fn name(&self) -> &'static str {
        "ValidatingAdmissionWebhook"
    }

    async fn validate(
        &self,
        attributes: &Attributes<'_>,
        object: Option<&Value>,
    ) -> Result<(), ApiError> {
        let hooks = matching(attributes, "validatingwebhookconfigurations", object).await?;
        let calls = hooks.iter().map(|hook| async move {
            let mut copy = object.cloned();
            call(attributes, hook, copy.as_mut()).await.map(|_| ())
        });
        for result in futures::future::join_all(calls).await {
            result?;
        }
        Ok(())
    }
}

/// One webhook of a configuration.
struct Webhook {
    name: String,
    /// Where its configuration puts it (`round_0_index_N`), for audit.
    index: usize,
    mutating: bool,
    client: ClientConfig,
    rules: Vec<Value>,
    fail_closed: bool,
    namespace_selector: Option<Value>,
    object_selector: Option<Value>,
    side_effects: String,
    timeout: Duration,
    reinvoke: bool,
    /// `matchConditions`: name and expression.
    conditions: Vec<(String, String)>,
}

impl Webhook {
    fn of(hook: &Value, index: usize, mutating: bool) -> Webhook {
        let text = |key: &str| {
            hook.get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        Webhook {
            name: text("name"),
            index,
            mutating,
            client: ClientConfig::of(hook.get("clientConfig").unwrap_or(&Value::Null)),
            rules: hook
                .get("rules")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            fail_closed: text("failurePolicy") != "Ignore",
            namespace_selector: hook.get("namespaceSelector").cloned(),
            object_selector: hook.get("objectSelector").cloned(),
            side_effects: text("sideEffects"),
            timeout: Duration::from_secs(
                hook.get("timeoutSeconds")
                    .and_then(Value::as_u64)
                    .unwrap_or(10)
                    .clamp(1, 30),
            ),
            reinvoke: text("reinvocationPolicy") == "IfNeeded",
            conditions: hook
                .get("matchConditions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|c| {
                    let field = |key: &str| {
                        c.get(key)
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string()
                    };
                    (field("name"), field("expression"))
                })
                .collect(),
        }
    }
}

fn operation_name(operation: Operation) -> &'static str {
    match operation {
        Operation::Create => "CREATE",
        Operation::Update => "UPDATE",
        Operation::Delete => "DELETE",
    }
}

fn contains_or_star(list: Option<&Value>, wanted: &str) -> bool {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .any(|item| item == "*" || item == wanted)
}

/// Whether one of `rules` covers this write.
fn rules_match(rules: &[Value], attributes: &Attributes<'_>) -> bool {
    let info = &attributes.info;
    let resource = &*info.plural;
    let sub = attributes.subresource.unwrap_or_default();
    rules.iter().any(|rule| {
        let resources_match = rule
            .get("resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .any(|entry| {
                let (r, s) = entry.split_once('/').unwrap_or((entry, ""));
                (r == "*" || r == resource) && (s == "*" || s == sub)
            });
        let scope = rule.get("scope").and_then(Value::as_str).unwrap_or("*");
        let scope_match = match scope {
            "Cluster" => !info.namespaced,
            "Namespaced" => info.namespaced,
            _ => true,
        };
        contains_or_star(rule.get("operations"), operation_name(attributes.operation))
            && contains_or_star(rule.get("apiGroups"), &info.group)
            && contains_or_star(rule.get("apiVersions"), &info.version)
            && resources_match
            && scope_match
    })
}

fn labels_of(object: Option<&Value>) -> BTreeMap<String, String> {
    object
        .and_then(|o| o.pointer("/metadata/labels"))
        .and_then(Value::as_object)
        .map(|labels| {
            labels
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the webhook's selectors take this write: its namespace's labels
/// (a Namespace's own; a cluster-scoped object's always), and the labels
/// of the object or of its stored version.
async fn selectors_match(
    hook: &Webhook,
    attributes: &Attributes<'_>,
    object: Option<&Value>,
) -> Result<bool, ApiError> {
    if let Some(selector) = &hook.object_selector {
        let matches =
            |o: Option<&Value>| crate::validation::selector_matches(selector, &labels_of(o));
        let matched = matches(object) || (attributes.old.is_some() && matches(attributes.old));
        if !matched {
            return Ok(false);
        }
    }
    if let Some(selector) = &hook.namespace_selector {
        let labels = if attributes.info.builtin_kind() == "Namespace" {
            labels_of(object.or(attributes.old))
        } else if attributes.info.namespaced {
            labels_of(attributes.namespace_object().await?)
        } else {
            return Ok(true);
        };
        if !crate::validation::selector_matches(selector, &labels) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The webhooks of every configuration of `plural` that this write goes
/// to, in the configurations' name order.
async fn matching(
    attributes: &Attributes<'_>,
    plural: &str,
    object: Option<&Value>,
) -> Result<Vec<Webhook>, ApiError> {
    if EXEMPT.contains(&&*attributes.info.plural)
        && attributes.info.group == "admissionregistration.k8s.io"
    {
        return Ok(Vec::new());
    }
    let configurations = configurations(attributes, plural).await?;
    let mut hooks = Vec::new();
    for configuration in &configurations {
        let webhooks = configuration
            .get("webhooks")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for (index, hook) in webhooks.iter().enumerate() {
            let hook = Webhook::of(hook, index, plural.starts_with("mutating"));
            if rules_match(&hook.rules, attributes)
                && selectors_match(&hook, attributes, object).await?
            {
                hooks.push(hook);
            }
        }
    }
    Ok(hooks)
}

/// The stored configurations of `plural`: from the watch cache, else the
/// store.
async fn configurations(attributes: &Attributes<'_>, plural: &str) -> Result<Vec<Value>, ApiError> {
    let info = api::registry::lookup("admissionregistration.k8s.io", "v1", plural)
        .ok_or_else(|| ApiError::internal(format!("no {plural} resource")))?;
    let prefix = info.storage_prefix();
    let cached = attributes
        .watch_cache
        .list(&prefix, &prefix, crate::watch_cache::Freshness::Any)
        .await
        .ok()
        .flatten();
    let items: Vec<Value> = match cached {
        Some(snapshot) => snapshot
            .items
            .iter()
            .filter_map(|kv| crate::objects::decode(info, kv).ok())
            .collect(),
        None => super::stored_objects(
            attributes,
            ("admissionregistration.k8s.io", "v1", plural),
            None,
        )
        .await?
        .1
        .into_iter()
        .map(|(_, object)| object)
        .collect(),
    };
    Ok(items)
}

/// Calls one webhook; for a mutating one, the object as its patch leaves
/// it.
async fn call(
    attributes: &Attributes<'_>,
    hook: &Webhook,
    object: Option<&mut Value>,
) -> Result<Option<Value>, ApiError> {
    let info = &attributes.info;
    let uid = uuid::Uuid::new_v4().to_string();
    let kind = json!({"group": info.group, "version": info.version, "kind": info.kind});
    let resource = json!({"group": info.group, "version": info.version, "resource": info.plural});
    let user = attributes.user;
    let options_kind = match attributes.operation {
        Operation::Create => "CreateOptions",
        Operation::Update => "UpdateOptions",
        Operation::Delete => "DeleteOptions",
    };
    let mut request = json!({
        "uid": uid,
        "kind": kind,
        "resource": resource,
        "requestKind": kind,
        "requestResource": resource,
        "name": attributes.name,
        "operation": operation_name(attributes.operation),
        "userInfo": {"username": user.name, "uid": user.uid, "groups": user.groups, "extra": user.extra},
        "object": object.as_deref().cloned().unwrap_or(Value::Null),
        "oldObject": attributes.old.cloned().unwrap_or(Value::Null),
        "dryRun": attributes.dry_run,
        "options": {"apiVersion": "meta.k8s.io/v1", "kind": options_kind},
    });
    if let Some(namespace) = attributes.namespace {
        request["namespace"] = json!(namespace);
    }
    if let Some(sub) = attributes.subresource {
        request["subResource"] = json!(sub);
        request["requestSubResource"] = json!(sub);
    }
    if !conditions_hold(hook, &request)? {
        return Ok(None);
    }
    // Only a webhook that will be called must do without side effects.
    if attributes.dry_run && !matches!(hook.side_effects.as_str(), "None" | "NoneOnDryRun") {
        return Err(ApiError::bad_request(format!(
            "admission webhook {:?} does not support dry run",
            hook.name
        )));
    }
    let review =
        json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request});
    let started = std::time::Instant::now();
    let answer = webhook_client::post(attributes.store, &hook.client, &review, hook.timeout)
        .await
        .and_then(|answer| response_of(answer, &uid));
    let operation = operation_name(attributes.operation);
    let metric_type = if hook.mutating { "admit" } else { "validating" };
    let metrics = attributes.metrics;
    let response = match answer {
        Ok(response) => response,
        Err(detail) if hook.fail_closed => {
            metrics.webhook_call(&hook.name, operation, metric_type, true, started);
            metrics.webhook_rejection(
                &hook.name,
                operation,
                metric_type,
                "calling_webhook_error",
                500,
            );
            return Err(ApiError::internal(format!(
                "failed calling webhook {:?}: failed to call webhook: {detail}",
                hook.name
            )));
        }
        Err(detail) => {
            metrics.webhook_call(&hook.name, operation, metric_type, false, started);
            metrics.webhook_fail_open(&hook.name, metric_type);
            let kind = if hook.mutating {
                "mutating"
            } else {
                "validating"
            };
            attributes.audit_annotation(
                &format!(
                    "failed-open.{kind}.webhook.admission.k8s.io/round_0_index_{}",
                    hook.index
                ),
                &hook.name,
            );
            tracing::warn!(webhook = %hook.name, "failed calling webhook, failing open: {detail}");
            return Ok(None);
        }
    };
    for warning in response
        .get("warnings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        attributes.warn(warning.to_string());
    }
    for (key, value) in response
        .get("auditAnnotations")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(value) = value.as_str() {
            attributes.audit_annotation(&format!("{}/{key}", hook.name), value);
        }
    }
    let allowed = response.get("allowed").and_then(Value::as_bool) == Some(true);
    metrics.webhook_call(&hook.name, operation, metric_type, !allowed, started);
    if !allowed {
        let error = denied(&hook.name, response.get("status"));
        metrics.webhook_rejection(&hook.name, operation, metric_type, "no_error", error.code);
        return Err(error);
    }
    let (Some(object), Some(patch)) = (
        object.filter(|_| hook.mutating),
        response.get("patch").and_then(Value::as_str),
    ) else {
        return Ok(None);
    };
    let patched = apply_patch(object, patch).map_err(|detail| {
        ApiError::internal(format!(
            "admission webhook {:?} attempted to modify the object, which is not supported for this operation: {detail}",
            hook.name
        ))
    })?;
    Ok(Some(patched))
}

/// Compiled `matchConditions`, by their expression (a configuration's are
/// compiled once, not per write).
type Compiled = Arc<Result<api::cel::Expression, String>>;
static COMPILED: std::sync::LazyLock<
    std::sync::Mutex<std::collections::HashMap<String, Compiled>>,
> = std::sync::LazyLock::new(Default::default);
/// How many compiled expressions are kept.
const COMPILED_KEPT: usize = 1024;

fn compiled(source: &str) -> Compiled {
    let mut cache = COMPILED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = cache.get(source) {
        return found.clone();
    }
    if cache.len() >= COMPILED_KEPT {
        cache.clear();
    }
    let expression = Arc::new(api::cel::Expression::compile(source));
    cache.insert(source.to_string(), expression.clone());
    expression
}

/// Whether every match condition holds for `request` (the review's
/// request: `object`, `oldObject` and `request` are what conditions see).
/// One that cannot be evaluated fails the write when the webhook fails
/// closed, and skips the webhook otherwise.
fn conditions_hold(hook: &Webhook, request: &Value) -> Result<bool, ApiError> {
    for (name, source) in &hook.conditions {
        let expression = compiled(source);
        let outcome = match expression.as_ref() {
            Ok(expression) => expression.evaluate(&[
                ("object", &request["object"]),
                ("oldObject", &request["oldObject"]),
                ("request", request),
            ]),
            Err(detail) => Err(detail.clone()),
        };
        match outcome {
            Ok(Value::Bool(true)) => {}
            Ok(Value::Bool(false)) => return Ok(false),
            _ if !hook.fail_closed => return Ok(false),
            Ok(_) => {
                return Err(ApiError::internal(format!(
                    "failed calling webhook {:?}: match condition {name:?} did not evaluate to a bool",
                    hook.name
                )));
            }
            Err(detail) => {
                return Err(ApiError::internal(format!(
                    "failed calling webhook {:?}: failed to evaluate match condition {name:?}: {detail}",
                    hook.name
                )));
            }
        }
    }
    Ok(true)
}

/// The review's response, when it is one for this request.
fn response_of(answer: Value, uid: &str) -> Result<Value, String> {
    let Some(response) = answer.get("response").cloned() else {
        return Err("webhook response was absent".into());
    };
    let got = response
        .get("uid")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if got != uid {
        return Err(format!("expected response.uid={uid:?}, got {got:?}"));
    }
    Ok(response)
}

/// A JSONPatch (base64) applied to a copy of `object`.
fn apply_patch(object: &Value, patch: &str) -> Result<Value, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(patch)
        .map_err(|e| format!("the patch is not base64: {e}"))?;
    let operations: json_patch::Patch =
        serde_json::from_slice(&bytes).map_err(|e| format!("the patch is not a JSONPatch: {e}"))?;
    let mut patched = object.clone();
    json_patch::patch(&mut patched, &operations).map_err(|e| e.to_string())?;
    Ok(patched)
}

/// The error of a webhook that said no, with its status's message, reason
/// and code (403 unless it gave one).
fn denied(name: &str, status: Option<&Value>) -> ApiError {
    let text = |key: &str| {
        status
            .and_then(|s| s.get(key))
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
    };
    let denied_by = format!("admission webhook {name:?} denied the request");
    let message = match (text("message"), text("reason")) {
        (Some(message), _) => format!("{denied_by}: {message}"),
        (None, Some(reason)) => format!("{denied_by}: {reason}"),
        (None, None) => format!("{denied_by} without explanation"),
    };
    let code = status
        .and_then(|s| s.get("code"))
        .and_then(Value::as_u64)
        .and_then(|c| u16::try_from(c).ok())
        .filter(|c| (400..600).contains(c))
        .unwrap_or(403);
    ApiError::with_code(code, text("reason").unwrap_or_default(), message)
}
