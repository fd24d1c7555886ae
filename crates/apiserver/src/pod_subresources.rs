//! The pod subresources that act rather than store: `binding` (how the
//! scheduler assigns a pod to a node, also reachable as the namespaced
//! `bindings` resource) and `eviction` (a delete that respects
//! PodDisruptionBudgets, as `kubectl drain` uses it).

use api::ResourceInfo;
use api::selectors::LabelSelector;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::error::{ApiError, Cause};
use crate::handlers::{Call, PATCH_RETRIES, json_response};
use crate::objects::{self, decode, encode};

/// How many pods an eviction may record in a budget's `disruptedPods`
/// before the disruption controller has confirmed them (upstream's limit).
const MAX_DISRUPTED_PODS: usize = 2000;

fn pods() -> Result<&'static ResourceInfo, ApiError> {
    api::registry::lookup("", "v1", "pods").ok_or_else(|| ApiError::internal("no pods resource"))
}

fn budgets() -> Result<&'static ResourceInfo, ApiError> {
    api::registry::lookup("policy", "v1", "poddisruptionbudgets")
        .ok_or_else(|| ApiError::internal("no poddisruptionbudgets resource"))
}

fn success() -> Response {
    json_response(
        StatusCode::CREATED,
        &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}),
    )
}

/// Sets a condition as upstream's UpdatePodCondition does: the transition
/// time moves only when the status changes.
fn set_condition(object: &mut Value, mut condition: Value) {
    let now = api::meta::now_timestamp();
    let kind = condition["type"].clone();
    if !object["status"].is_object() {
        object["status"] = json!({});
    }
    if !object["status"]["conditions"].is_array() {
        object["status"]["conditions"] = json!([]);
    }
    let Some(conditions) = object["status"]["conditions"].as_array_mut() else {
        return;
    };
    match conditions.iter_mut().find(|c| c["type"] == kind) {
        Some(existing) => {
            condition["lastTransitionTime"] = if existing["status"] == condition["status"] {
                existing["lastTransitionTime"].clone()
            } else {
                json!(now)
            };
            condition["lastProbeTime"] = existing
                .get("lastProbeTime")
                .cloned()
                .unwrap_or(Value::Null);
            *existing = condition;
        }
        None => {
            condition["lastProbeTime"] = Value::Null;
            condition["lastTransitionTime"] = json!(now);
            conditions.push(condition);
        }
    }
}

fn is_ready(pod: &Value) -> bool {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
        })
}

fn phase(pod: &Value) -> &str {
    pod.pointer("/status/phase")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

impl Call<'_> {
    /// The request body as `kind`, named as the URL names it.
    fn subresource_body(&self, body: &[u8], kind: &str, name: &str) -> Result<Value, ApiError> {
        // Bindings and evictions are small: decoded in place.
        let mut object = self.parse_small_body(body)?;
        objects::check_type(self.info(), &mut object, kind)?;
        let body_namespace = objects::namespace_of(&object);
        if let Some(namespace) = &self.resource.namespace
            && !body_namespace.is_empty()
            && body_namespace != namespace
        {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        if objects::name_of(&object) != name {
            return Err(ApiError::bad_request(format!(
                "name in URL does not match name in {kind} object"
            )));
        }
        Ok(object)
    }

    /// POST `pods/NAME/binding`, or `bindings` with the pod named in the body.
    pub(crate) async fn bind(&self, body: &[u8]) -> Result<Response, ApiError> {
        let pods = pods()?;
        let name = match &self.resource.name {
            Some(name) => name.clone(),
            None => {
                let object = self.parse_body(body).await?;
                objects::name_of(&object).to_string()
            }
        };
        let binding = self.subresource_body(body, "Binding", &name)?;
        let kind = binding
            .pointer("/target/kind")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let node = binding
            .pointer("/target/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let mut causes = Vec::new();
        if !kind.is_empty() && kind != "Node" {
            causes.push(Cause::not_supported(
                "target.kind",
                kind,
                &["Node", "<empty>"],
            ));
        }
        if node.is_empty() {
            causes.push(Cause::required("target.name", ""));
        }
        if !causes.is_empty() {
            return Err(ApiError::invalid_kind("", "Binding", &name, causes));
        }
        let namespace = self.resource.namespace.as_deref();
        let key = pods.storage_key(namespace, &name);
        let conflict = |detail: String| ApiError::conflict_on("pods/binding", &name, &detail);
        for _ in 0..PATCH_RETRIES {
            let kv = self
                .store()
                .get(&key)
                .await
                .map_err(|e| ApiError::from_store(e, pods, &name))?
                .ok_or_else(|| ApiError::not_found(pods, &name))?;
            let pod = decode(pods, &kv)?;
            let uid = binding
                .pointer("/metadata/uid")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let actual_uid = pod
                .pointer("/metadata/uid")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !uid.is_empty() && uid != actual_uid {
                return Err(conflict(format!(
                    "Precondition failed: UID in precondition: {uid}, UID in object meta: {actual_uid}"
                )));
            }
            if let Some(rv) = binding
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
                .filter(|rv| !rv.is_empty())
                && rv != kv.mod_revision.to_string()
            {
                return Err(ApiError::conflict(pods, &name));
            }
            if pod.pointer("/metadata/deletionTimestamp").is_some() {
                return Err(conflict(format!(
                    "pod {name} is being deleted, cannot be assigned to a host"
                )));
            }
            let assigned = pod
                .pointer("/spec/nodeName")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !assigned.is_empty() {
                return Err(conflict(format!(
                    "pod {name} is already assigned to node {assigned:?}"
                )));
            }
            if pod
                .pointer("/spec/schedulingGates")
                .and_then(Value::as_array)
                .is_some_and(|gates| !gates.is_empty())
            {
                return Err(conflict(format!(
                    "pod {name} has non-empty .spec.schedulingGates"
                )));
            }
            let mut bound = pod.clone();
            bound["spec"]["nodeName"] = json!(node);
            if let Some(annotations) = binding
                .pointer("/metadata/annotations")
                .and_then(Value::as_object)
            {
                if !bound["metadata"]["annotations"].is_object() {
                    bound["metadata"]["annotations"] = json!({});
                }
                for (k, v) in annotations {
                    bound["metadata"]["annotations"][k] = v.clone();
                }
            }
            set_condition(
                &mut bound,
                json!({"type": "PodScheduled", "status": "True"}),
            );
            if self.dry_run()? {
                return Ok(success());
            }
            match self
                .store()
                .update(&key, encode(&bound), kv.mod_revision)
                .await
            {
                Ok(_) => return Ok(success()),
                Err(store::StoreError::Conflict { .. }) => continue,
                Err(err) => return Err(ApiError::from_store(err, pods, &name)),
            }
        }
        Err(ApiError::conflict(pods, &name))
    }

    /// POST `pods/NAME/eviction`: deletes the pod unless a disruption
    /// budget forbids it (429, as upstream, so `kubectl drain` retries).
    pub(crate) async fn evict(&self, body: &[u8]) -> Result<Response, ApiError> {
        let name = self.name()?.to_string();
        let eviction = self.subresource_body(body, "Eviction", &name)?;
        let version = eviction["apiVersion"].as_str().unwrap_or_default();
        if !["policy/v1", "policy/v1beta1"].contains(&version) {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({version}) does not match the expected API version (policy/v1)"
            )));
        }
        let mut options = match eviction.get("deleteOptions") {
            None | Some(Value::Null) => json!({}),
            Some(options @ Value::Object(_)) => options.clone(),
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "json: cannot unmarshal {} into Go struct field Eviction.deleteOptions of type v1.DeleteOptions",
                    crate::error::json_type_name(other)
                )));
            }
        };
        let body_dry_run = options
            .get("dryRun")
            .and_then(Value::as_array)
            .filter(|d| !d.is_empty())
            .cloned();
        match (self.dry_run()?, body_dry_run) {
            (true, None) => options["dryRun"] = json!(["All"]),
            (query, Some(body)) if query != body.iter().any(|d| d == "All") => {
                return Err(ApiError::bad_request(format!(
                    "DryRun in CreateOptions ({}) and DeleteOptions ({}) don't match",
                    if query { "[All]" } else { "[]" },
                    Value::Array(body)
                )));
            }
            _ => {}
        }
        let pinned = options
            .pointer("/preconditions/resourceVersion")
            .and_then(Value::as_str)
            .is_some_and(|rv| !rv.is_empty());
        for _ in 0..PATCH_RETRIES {
            match self.try_evict(&name, &options).await {
                Err(err) if err.code == 409 && err.reason == "Conflict" && !pinned => continue,
                result => return result,
            }
        }
        Err(ApiError::conflict(self.info(), &name))
    }

    async fn try_evict(&self, name: &str, options: &Value) -> Result<Response, ApiError> {
        let (kv, pod) = self.read_current(name).await?;
        // A pod that is finished, not yet running or already going costs
        // no disruption: it is deleted without asking its budget.
        let terminal = matches!(phase(&pod), "Succeeded" | "Failed");
        if terminal
            || phase(&pod) == "Pending"
            || pod.pointer("/metadata/deletionTimestamp").is_some()
        {
            let options = if terminal {
                options.clone()
            } else {
                with_version(options, kv.mod_revision)
            };
            self.mark_and_delete(name, options).await?;
            return Ok(success());
        }
        let mut matching = self.budgets_of(&pod).await?;
        if matching.len() > 1 {
            return Err(ApiError::internal(
                "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
            ));
        }
        let Some((budget_kv, budget)) = matching.pop() else {
            self.mark_and_delete(name, options.clone()).await?;
            return Ok(success());
        };
        // An unready pod does not count as healthy: evicting it does not
        // spend the budget when the policy or the budget's health allows.
        let status = |field: &str| budget["status"][field].as_i64().unwrap_or(0);
        if !is_ready(&pod) {
            let always =
                budget.pointer("/spec/unhealthyPodEvictionPolicy") == Some(&json!("AlwaysAllow"));
            let healthy_enough = status("currentHealthy") >= status("desiredHealthy")
                && status("desiredHealthy") > 0;
            if always || healthy_enough {
                self.mark_and_delete(name, with_version(options, kv.mod_revision))
                    .await?;
                return Ok(success());
            }
        }
        let dry_run = options
            .get("dryRun")
            .and_then(Value::as_array)
            .is_some_and(|d| d.iter().any(|v| v == "All"));
        self.spend_budget(name, budget_kv, budget, dry_run).await?;
        self.mark_and_delete(name, options.clone()).await?;
        Ok(success())
    }

    /// The disruption budgets in the pod's namespace whose selector
    /// matches it (an empty selector matches nothing, as upstream).
    async fn budgets_of(&self, pod: &Value) -> Result<Vec<(store::KeyValue, Value)>, ApiError> {
        let budgets = budgets()?;
        let prefix = budgets.namespace_prefix(objects::namespace_of(pod));
        let listed = self
            .store()
            .range(&prefix, store::RangeOptions::default())
            .await
            .map_err(|e| ApiError::from_store(e, budgets, ""))?;
        let labels = api::selectors::labels_of(pod);
        let mut matching = Vec::new();
        for kv in listed.kvs {
            let budget = decode(budgets, &kv)?;
            let Some(selector) = budget.pointer("/spec/selector") else {
                continue;
            };
            let Ok(selector) = LabelSelector::from_api(selector) else {
                continue;
            };
            if !selector.is_empty() && selector.matches(&labels) {
                matching.push((kv, budget));
            }
        }
        Ok(matching)
    }

    /// Takes one disruption from the budget (re-reading it on conflict),
    /// or answers 429 when none is left or its status is not current.
    async fn spend_budget(
        &self,
        pod_name: &str,
        mut kv: store::KeyValue,
        mut budget: Value,
        dry_run: bool,
    ) -> Result<(), ApiError> {
        let budgets = budgets()?;
        let name = objects::name_of(&budget).to_string();
        for _ in 0..PATCH_RETRIES {
            let observed = budget
                .pointer("/status/observedGeneration")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let generation = budget
                .pointer("/metadata/generation")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let refused = "Cannot evict pod as it would violate the pod's disruption budget.";
            if observed < generation {
                return Err(ApiError::too_many_requests_because(
                    refused,
                    10,
                    vec![
                        json!({"type": "DisruptionBudget", "message": format!("The disruption budget {name} is still being processed by the server.")}),
                    ],
                ));
            }
            let allowed = budget
                .pointer("/status/disruptionsAllowed")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let forbidden = |why: &str| {
                ApiError::forbidden(format!(
                    "poddisruptionbudgets.policy \"{name}\" is forbidden: {why}"
                ))
            };
            if allowed < 0 {
                return Err(forbidden("pdb disruptions allowed is negative"));
            }
            let disrupted = budget
                .pointer("/status/disruptedPods")
                .and_then(Value::as_object)
                .map_or(0, |m| m.len());
            if disrupted > MAX_DISRUPTED_PODS {
                return Err(forbidden(
                    "DisruptedPods map too big - too many evictions not confirmed by PDB controller",
                ));
            }
            if allowed == 0 {
                let field = |f: &str| budget["status"][f].as_i64().unwrap_or(0);
                return Err(ApiError::too_many_requests_because(
                    refused,
                    0,
                    vec![json!({"type": "DisruptionBudget", "message": format!(
                        "The disruption budget {name} needs {} healthy pods and has {} currently",
                        field("desiredHealthy"), field("currentHealthy"))})],
                ));
            }
            if dry_run {
                return Ok(());
            }
            let mut spent = budget.clone();
            spent["status"]["disruptionsAllowed"] = json!(allowed - 1);
            if allowed == 1 {
                set_condition(
                    &mut spent,
                    json!({"type": "DisruptionAllowed", "status": "False", "reason": "InsufficientPods", "message": "", "observedGeneration": observed}),
                );
                // Budgets carry no probe times.
                if let Some(conditions) = spent["status"]["conditions"].as_array_mut() {
                    for condition in conditions {
                        if let Some(map) = condition.as_object_mut() {
                            map.remove("lastProbeTime");
                        }
                    }
                }
            }
            if !spent["status"]["disruptedPods"].is_object() {
                spent["status"]["disruptedPods"] = json!({});
            }
            spent["status"]["disruptedPods"][pod_name] = json!(api::meta::now_timestamp());
            let key = budgets.storage_key(Some(objects::namespace_of(&budget)), &name);
            match self
                .store()
                .update(&key, encode(&spent), kv.mod_revision)
                .await
            {
                Ok(_) => return Ok(()),
                Err(store::StoreError::Conflict { .. }) => {
                    kv = self
                        .store()
                        .get(&key)
                        .await
                        .map_err(|e| ApiError::from_store(e, budgets, &name))?
                        .ok_or_else(|| ApiError::not_found(budgets, &name))?;
                    budget = decode(budgets, &kv)?;
                }
                Err(err) => return Err(ApiError::from_store(err, budgets, &name)),
            }
        }
        Err(ApiError::conflict(budgets, &name))
    }

    /// Records on the pod why it goes (the DisruptionTarget condition),
    /// then deletes it with the eviction's options.
    async fn mark_and_delete(&self, name: &str, mut options: Value) -> Result<(), ApiError> {
        let info = self.info();
        let dry_run = options
            .get("dryRun")
            .and_then(Value::as_array)
            .is_some_and(|d| d.iter().any(|v| v == "All"));
        if !dry_run {
            let (kv, pod) = self.read_current(name).await?;
            objects::check_preconditions(info, name, &options, &pod, kv.mod_revision)?;
            let mut marked = pod.clone();
            set_condition(
                &mut marked,
                json!({"type": "DisruptionTarget", "status": "True", "reason": "EvictionByEvictionAPI", "message": "Eviction API: evicting"}),
            );
            if objects::changed(&pod, &marked) {
                let revision = self
                    .store()
                    .update(&self.key(name), encode(&marked), kv.mod_revision)
                    .await
                    .map_err(|e| ApiError::from_store(e, info, name))?;
                // The condition is this eviction's own write.
                if options.pointer("/preconditions/resourceVersion").is_some() {
                    options["preconditions"]["resourceVersion"] = json!(revision.to_string());
                }
            }
        }
        self.delete_one(name, &options).await?;
        Ok(())
    }
}

/// `options` with a resourceVersion precondition, unless they carry one:
/// the pod must still be as it was read when its budget was judged.
fn with_version(options: &Value, revision: i64) -> Value {
    let mut options = options.clone();
    let unset = options
        .pointer("/preconditions/resourceVersion")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty);
    if unset {
        if !options["preconditions"].is_object() {
            options["preconditions"] = json!({});
        }
        options["preconditions"]["resourceVersion"] = json!(revision.to_string());
    }
    options
}
