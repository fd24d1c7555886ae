//! CustomResourceDefinitions, as apiextensions-apiserver serves them: the
//! definitions' strategy (status and stored versions on writes, the
//! cleanup finalizer on delete), and the controller that runs inside the
//! API server — names accepted or refused against the group's other
//! definitions (`NamesAccepted`), `Established` once they are, the kinds
//! put into the server's registry, and a deleted definition's objects
//! removed before the definition goes.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde_json::{Value, json};
use store::{RangeOptions, SharedStore};
use tokio::sync::{Notify, watch};

pub mod openapi;

use crate::mirror::Mirror;
use crate::objects::encode;

/// Where definitions are stored.
pub const PREFIX: &str = "/registry/apiextensions.k8s.io/customresourcedefinitions/";
/// Held by a definition being deleted until its objects are gone.
pub const CLEANUP_FINALIZER: &str = "customresourcecleanup.apiextensions.k8s.io";

/// The storage version a definition names (the one version with
/// `storage: true`).
pub fn storage_version(definition: &Value) -> Option<&str> {
    definition
        .pointer("/spec/versions")
        .and_then(Value::as_array)?
        .iter()
        .find(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
        .and_then(|v| v.get("name"))
        .and_then(Value::as_str)
}

/// Upstream's defaults: the singular and list kind from the kind, no
/// conversion.
fn apply_defaults(definition: &mut Value) {
    let Some(names) = definition
        .pointer_mut("/spec/names")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let kind = names
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if !kind.is_empty() {
        if names
            .get("singular")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            names.insert("singular".into(), json!(kind.to_lowercase()));
        }
        if names
            .get("listKind")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            names.insert("listKind".into(), json!(format!("{kind}List")));
        }
    }
    if definition.pointer("/spec/conversion").is_none()
        && let Some(spec) = definition.get_mut("spec").and_then(Value::as_object_mut)
    {
        spec.insert("conversion".into(), json!({"strategy": "None"}));
    }
}

/// A new definition's status: the storage version stored so far, no
/// conditions or accepted names until the controller decides.
pub fn prepare_create(definition: &mut Value) {
    apply_defaults(definition);
    let stored: Vec<Value> = storage_version(definition)
        .map(|v| json!(v))
        .into_iter()
        .collect();
    definition["status"] = json!({
        "conditions": [],
        "acceptedNames": {"plural": "", "kind": ""},
        "storedVersions": stored,
    });
}

/// An updated definition records a new storage version among the stored
/// ones (objects may exist at every version ever stored).
pub fn prepare_update(definition: &mut Value) {
    apply_defaults(definition);
    let Some(version) = storage_version(definition).map(str::to_string) else {
        return;
    };
    let status = &mut definition["status"];
    if !status.is_object() {
        *status = json!({});
    }
    let stored = &mut status["storedVersions"];
    if !stored.is_array() {
        *stored = json!([]);
    }
    if let Some(list) = stored.as_array_mut()
        && !list.iter().any(|v| v == version.as_str())
    {
        list.push(json!(version));
    }
}

/// Deleting a definition: its cleanup finalizer holds it until the
/// controller has deleted its objects. Whether the finalizer was added.
pub fn mark_for_deletion(definition: &mut Value) -> bool {
    if definition.pointer("/metadata/deletionTimestamp").is_some() {
        return false;
    }
    let metadata = &mut definition["metadata"];
    if !metadata["finalizers"].is_array() {
        metadata["finalizers"] = json!([]);
    }
    let mut added = false;
    if let Some(list) = metadata["finalizers"].as_array_mut()
        && !list.iter().any(|f| f == CLEANUP_FINALIZER)
    {
        list.push(json!(CLEANUP_FINALIZER));
        added = true;
    }
    set_condition(
        definition,
        "Terminating",
        "True",
        "InstanceDeletionPending",
        "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon",
    );
    added
}

/// Sets a condition, keeping its transition time when its status stays.
fn set_condition(definition: &mut Value, kind: &str, status: &str, reason: &str, message: &str) {
    if !definition["status"].is_object() {
        definition["status"] = json!({});
    }
    let conditions = &mut definition["status"]["conditions"];
    if !conditions.is_array() {
        *conditions = json!([]);
    }
    let Some(list) = conditions.as_array_mut() else {
        return;
    };
    let now = api::meta::now_timestamp();
    match list.iter_mut().find(|c| c["type"] == kind) {
        Some(existing) => {
            if existing["status"] != status {
                existing["lastTransitionTime"] = json!(now);
            }
            existing["status"] = json!(status);
            existing["reason"] = json!(reason);
            existing["message"] = json!(message);
        }
        None => list.push(json!({
            "type": kind, "status": status, "lastTransitionTime": now,
            "reason": reason, "message": message,
        })),
    }
}

fn condition_is(definition: &Value, kind: &str, status: &str) -> bool {
    definition
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|list| {
            list.iter()
                .any(|c| c["type"] == kind && c["status"] == status)
        })
}

/// The definitions, kept in memory from the store.
#[derive(Default)]
pub struct Definitions {
    state: RwLock<BTreeMap<String, Value>>,
    changed: Notify,
}

impl Mirror for Definitions {
    const WHAT: &'static str = "custom resource definitions";
    type State = BTreeMap<String, Value>;

    fn prefixes(&self) -> Vec<String> {
        vec![PREFIX.to_string()]
    }

    fn state(&self) -> &RwLock<Self::State> {
        &self.state
    }

    fn apply(&self, state: &mut Self::State, key: &str, value: Option<&[u8]>) {
        let name = key.trim_start_matches(PREFIX).to_string();
        match value.and_then(|bytes| serde_json::from_slice::<Value>(bytes).ok()) {
            Some(definition) => {
                state.insert(name, definition);
            }
            None => {
                state.remove(&name);
            }
        }
        self.changed.notify_one();
    }
}

/// The controller: definitions loaded and their kinds registered before the
/// server answers (`start`), then kept (`run`).
pub struct Controller {
    definitions: Arc<Definitions>,
    store: SharedStore,
    registry: Arc<api::Registry>,
    revision: i64,
}

impl Controller {
    /// Loads the definitions and registers the kinds of the established
    /// ones, so a restarted server serves them from its first request.
    pub async fn start(store: SharedStore, registry: Arc<api::Registry>) -> Result<Self, String> {
        let definitions = Arc::new(Definitions::default());
        let revision = crate::mirror::load(definitions.as_ref(), &store).await?;
        let controller = Controller {
            definitions,
            store,
            registry,
            revision,
        };
        controller.reconcile().await;
        Ok(controller)
    }

    /// Follows the definitions and reconciles on every change (and every
    /// half minute, for work a failed write left; every second while a
    /// deleted definition waits for its objects' finalizers).
    pub async fn run(self, stopping: watch::Receiver<bool>) {
        let follow = crate::mirror::follow(
            self.definitions.as_ref(),
            self.store.clone(),
            self.revision,
            stopping.clone(),
        );
        let reconcile = async {
            let mut stopping = stopping.clone();
            let mut pending = false;
            loop {
                let pause = Duration::from_secs(if pending { 1 } else { 30 });
                tokio::select! {
                    _ = self.definitions.changed.notified() => {}
                    _ = tokio::time::sleep(pause) => {}
                    _ = stopping.wait_for(|stop| *stop) => return,
                }
                pending = self.reconcile().await;
            }
        };
        tokio::join!(follow, reconcile);
    }

    /// Decides every definition's names and conditions, finalizes deleted
    /// ones and serves the established ones. Whether a deleted definition
    /// still waits for objects to go.
    async fn reconcile(&self) -> bool {
        let definitions: Vec<Value> = match self.definitions.state.read() {
            Ok(state) => state.values().cloned().collect(),
            Err(_) => return false,
        };
        let mut pending = false;
        let mut desired = decide_names(&definitions);
        for (definition, wanted) in definitions.iter().zip(desired.iter_mut()) {
            let name = crate::objects::name_of(definition).to_string();
            if definition.pointer("/metadata/deletionTimestamp").is_some() {
                pending |= self.finalize(&name, definition).await;
            } else if wanted != definition
                && let Err(err) = self.write_status(&name, wanted).await
            {
                tracing::debug!(definition = %name, error = %err, "cannot write a definition's status");
            }
        }
        // The kinds served follow what the definitions (as now decided) say.
        let mut served = HashSet::new();
        for definition in &desired {
            let name = crate::objects::name_of(definition).to_string();
            if condition_is(definition, "Established", "True") {
                self.registry
                    .set_definition(&name, api::custom::rows(&served_as(definition)));
                served.insert(name);
            }
        }
        for rows in self.registry.custom_rows() {
            if let Some(name) = rows
                .first()
                .and_then(|row| row.custom.as_ref())
                .map(|custom| custom.definition.clone())
                && !served.contains(&name)
            {
                self.registry.set_definition(&name, Vec::new());
            }
        }
        pending
    }

    /// Writes the names and conditions of `wanted` into the stored
    /// definition, if they still differ and were decided on its spec.
    async fn write_status(&self, name: &str, wanted: &Value) -> Result<(), String> {
        let key = format!("{PREFIX}{name}");
        for _ in 0..5 {
            let Some(kv) = self.store.get(&key).await.map_err(|e| e.to_string())? else {
                return Ok(());
            };
            let mut current: Value =
                serde_json::from_slice(&kv.value).map_err(|e| e.to_string())?;
            // Decided on an older spec: the newer one's own event decides
            // again.
            if current.pointer("/spec/names") != wanted.pointer("/spec/names")
                || current.pointer("/spec/group") != wanted.pointer("/spec/group")
            {
                return Ok(());
            }
            // Only what the controller decides; stored versions are the
            // strategy's and may have grown meanwhile.
            let before = current.clone();
            if !current["status"].is_object() {
                current["status"] = json!({});
            }
            for field in ["acceptedNames", "conditions"] {
                current["status"][field] = wanted["status"][field].clone();
            }
            if current == before {
                return Ok(());
            }
            match self
                .store
                .update(&key, encode(&current), kv.mod_revision)
                .await
            {
                Ok(_) => return Ok(()),
                Err(store::StoreError::Conflict { .. }) => continue,
                Err(err) => return Err(err.to_string()),
            }
        }
        Ok(())
    }

    /// A definition being deleted: its objects deleted (those with
    /// finalizers marked, and waited for), then its finalizer removed (and
    /// the definition with it, when it was the last). Whether objects remain.
    async fn finalize(&self, name: &str, definition: &Value) -> bool {
        let holds = crate::objects::finalizers(definition)
            .iter()
            .any(|f| f == CLEANUP_FINALIZER);
        if !holds {
            return false;
        }
        let key = format!("{PREFIX}{name}");
        let pending_reason = definition
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|c| c["type"] == "Terminating" && c["reason"] == "InstanceDeletionPending");
        if pending_reason {
            let _ = self
                .update_definition(&key, |d| {
                    set_condition(
                        d,
                        "Terminating",
                        "True",
                        "InstanceDeletionInProgress",
                        "CustomResource deletion is in progress",
                    )
                })
                .await;
        }
        let prefix = objects_prefix(definition);
        let deleted = match &prefix {
            Some(prefix) => self.delete_objects(prefix).await,
            None => Ok(0),
        };
        let mut pending = false;
        let result = match deleted {
            Ok(remaining) if remaining > 0 => {
                pending = true;
                let message = format!(
                    "could not confirm zero CustomResources remaining: {remaining} waiting for their finalizers"
                );
                self.update_definition(&key, |d| {
                    set_condition(d, "Terminating", "True", "InstanceDeletionCheck", &message)
                })
                .await
            }
            Ok(_) => {
                self.update_definition(&key, |d| {
                    set_condition(
                        d,
                        "Terminating",
                        "False",
                        "InstanceDeletionCompleted",
                        "removed all instances",
                    );
                    if let Some(list) = d["metadata"]["finalizers"].as_array_mut() {
                        list.retain(|f| f != CLEANUP_FINALIZER);
                    }
                })
                .await
            }
            Err(err) => {
                let message = format!("could not list instances: {err}");
                self.update_definition(&key, |d| {
                    set_condition(d, "Terminating", "True", "InstanceDeletionFailed", &message)
                })
                .await
            }
        };
        if let Err(err) = result {
            tracing::debug!(definition = %name, error = %err, "cannot finalize a definition");
        }
        pending
    }

    /// Applies `change` to the stored definition; deletes it when it is
    /// being deleted and holds no finalizer any more.
    async fn update_definition(
        &self,
        key: &str,
        change: impl Fn(&mut Value),
    ) -> Result<(), String> {
        for _ in 0..5 {
            let Some(kv) = self.store.get(key).await.map_err(|e| e.to_string())? else {
                return Ok(());
            };
            let mut definition: Value =
                serde_json::from_slice(&kv.value).map_err(|e| e.to_string())?;
            let before = definition.clone();
            change(&mut definition);
            let gone = definition.pointer("/metadata/deletionTimestamp").is_some()
                && crate::objects::finalizers(&definition).is_empty();
            let result = if gone {
                self.store
                    .delete(key, Some(kv.mod_revision))
                    .await
                    .map(|_| ())
            } else if definition == before {
                return Ok(());
            } else {
                self.store
                    .update(key, encode(&definition), kv.mod_revision)
                    .await
                    .map(|_| ())
            };
            match result {
                Ok(()) => return Ok(()),
                Err(store::StoreError::Conflict { .. }) => continue,
                Err(err) => return Err(err.to_string()),
            }
        }
        Ok(())
    }

    /// Deletes every object under `prefix`, as a delete through the API
    /// would: an object with finalizers is marked deleted and left to its
    /// finalizers' owners. How many objects remain.
    async fn delete_objects(&self, prefix: &str) -> Result<usize, String> {
        let mut remaining = 0;
        let mut start = None;
        loop {
            let options = RangeOptions {
                limit: 500,
                start: start.take(),
                ..RangeOptions::default()
            };
            let page = self
                .store
                .range(prefix, options)
                .await
                .map_err(|e| e.to_string())?;
            for kv in &page.kvs {
                let Ok(mut object) = serde_json::from_slice::<Value>(&kv.value) else {
                    continue;
                };
                let result = if crate::objects::finalizers(&object).is_empty() {
                    self.store
                        .delete(&kv.key, Some(kv.mod_revision))
                        .await
                        .map(|_| ())
                } else {
                    remaining += 1;
                    if object.pointer("/metadata/deletionTimestamp").is_some() {
                        continue;
                    }
                    object["metadata"]["deletionTimestamp"] = json!(api::meta::now_timestamp());
                    object["metadata"]["deletionGracePeriodSeconds"] = json!(0);
                    self.store
                        .update(&kv.key, encode(&object), kv.mod_revision)
                        .await
                        .map(|_| ())
                };
                match result {
                    Ok(()) | Err(store::StoreError::NotFound(_)) => {}
                    // Changed meanwhile: looked at again on the next pass.
                    Err(store::StoreError::Conflict { .. }) => remaining += 1,
                    Err(err) => return Err(err.to_string()),
                }
            }
            match page.continue_key() {
                Some(next) if page.more => start = Some(next),
                _ => return Ok(remaining),
            }
        }
    }
}

/// Where a definition's objects are stored: `/registry/<group>/<plural>/`.
fn objects_prefix(definition: &Value) -> Option<String> {
    let group = definition.pointer("/spec/group").and_then(Value::as_str)?;
    let plural = definition
        .pointer("/status/acceptedNames/plural")
        .and_then(Value::as_str)
        .filter(|p| !p.is_empty())
        .or_else(|| {
            definition
                .pointer("/spec/names/plural")
                .and_then(Value::as_str)
        })?;
    let prefix = format!("/registry/{group}/{plural}/");
    // Never a built-in kind's objects (a definition named like one, say
    // customresourcedefinitions.apiextensions.k8s.io, shares its prefix).
    let builtin = api::RESOURCES.iter().filter(|r| r.stored).any(|r| {
        let theirs = r.storage_prefix();
        theirs.starts_with(&prefix) || prefix.starts_with(&theirs)
    });
    (!group.is_empty() && !plural.is_empty() && !builtin).then_some(prefix)
}

/// The definition as its kinds are served: with the names it was granted.
fn served_as(definition: &Value) -> Value {
    let mut served = definition.clone();
    if let Some(accepted) = definition.pointer("/status/acceptedNames") {
        served["spec"]["names"] = accepted.clone();
    }
    served
}

/// The names one definition asks for, by what they must not clash with.
#[derive(Default)]
struct Names {
    plural: String,
    singular: String,
    short_names: Vec<String>,
    kind: String,
    list_kind: String,
}

impl Names {
    fn from(names: Option<&Value>) -> Names {
        let text = |field: &str| {
            names
                .and_then(|n| n.get(field))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        Names {
            plural: text("plural"),
            singular: text("singular"),
            short_names: api::meta::strings(names.and_then(|n| n.get("shortNames"))),
            kind: text("kind"),
            list_kind: text("listKind"),
        }
    }
}

/// Each definition with the names it is granted and its conditions, as
/// upstream's naming and establishing controllers decide: a name another
/// definition of the group already holds is refused (the definition keeps
/// what it held before); definitions are considered oldest first, so the
/// first to ask keeps a name.
fn decide_names(definitions: &[Value]) -> Vec<Value> {
    let mut order: Vec<usize> = (0..definitions.len()).collect();
    order.sort_by_key(|&i| {
        (
            definitions[i]
                .pointer("/metadata/creationTimestamp")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            crate::objects::name_of(&definitions[i]).to_string(),
        )
    });
    let mut decided: Vec<Value> = definitions.to_vec();
    for &i in &order {
        let definition = &definitions[i];
        let group = definition
            .pointer("/spec/group")
            .and_then(Value::as_str)
            .unwrap_or_default();
        // What the group's other definitions hold now.
        let mut plurals = HashSet::new();
        let mut singulars = HashSet::new();
        let mut kinds = HashSet::new();
        let mut list_kinds = HashSet::new();
        for (j, other) in decided.iter().enumerate() {
            if j == i || other.pointer("/spec/group").and_then(Value::as_str) != Some(group) {
                continue;
            }
            let held = Names::from(other.pointer("/status/acceptedNames"));
            plurals.insert(held.plural.clone());
            singulars.insert(held.singular.clone());
            kinds.insert(held.kind.clone());
            list_kinds.insert(held.list_kind.clone());
            // A plural or singular also blocks short names, and the
            // other way round, as the REST paths would collide.
            for short in held.short_names {
                singulars.insert(short.clone());
                plurals.insert(short);
            }
        }
        // A built-in resource of the group holds its names for good: its
        // own handlers serve them, so a definition could never be.
        for builtin in api::RESOURCES.iter().filter(|r| r.group == group) {
            plurals.insert(builtin.plural.to_string());
            singulars.insert(builtin.singular.to_string());
            kinds.insert(builtin.kind.to_string());
            kinds.insert(format!("{}List", builtin.kind));
        }
        plurals.remove("");
        singulars.remove("");
        kinds.remove("");
        list_kinds.remove("");
        let requested = Names::from(definition.pointer("/spec/names"));
        let previous = Names::from(definition.pointer("/status/acceptedNames"));
        let mut accepted = previous;
        let mut problem: Option<(&str, String)> = None;
        if plurals.contains(&requested.plural) || singulars.contains(&requested.plural) {
            problem = Some((
                "PluralConflict",
                format!("{:?} is already in use", requested.plural),
            ));
        } else {
            accepted.plural = requested.plural.clone();
        }
        if plurals.contains(&requested.singular) || singulars.contains(&requested.singular) {
            problem.get_or_insert((
                "SingularConflict",
                format!("{:?} is already in use", requested.singular),
            ));
        } else {
            accepted.singular = requested.singular.clone();
        }
        if let Some(short) = requested
            .short_names
            .iter()
            .find(|s| plurals.contains(*s) || singulars.contains(*s))
        {
            problem.get_or_insert(("ShortNamesConflict", format!("{short:?} is already in use")));
        } else {
            accepted.short_names = requested.short_names.clone();
        }
        if kinds.contains(&requested.kind) || list_kinds.contains(&requested.kind) {
            problem.get_or_insert((
                "KindConflict",
                format!("{:?} is already in use", requested.kind),
            ));
        } else {
            accepted.kind = requested.kind.clone();
        }
        if kinds.contains(&requested.list_kind) || list_kinds.contains(&requested.list_kind) {
            problem.get_or_insert((
                "ListKindConflict",
                format!("{:?} is already in use", requested.list_kind),
            ));
        } else {
            accepted.list_kind = requested.list_kind.clone();
        }
        let mut names = json!({"plural": accepted.plural, "kind": accepted.kind});
        if !accepted.singular.is_empty() {
            names["singular"] = json!(accepted.singular);
        }
        if !accepted.short_names.is_empty() {
            names["shortNames"] = json!(accepted.short_names);
        }
        if !accepted.list_kind.is_empty() {
            names["listKind"] = json!(accepted.list_kind);
        }
        if let Some(categories) = definition.pointer("/spec/names/categories") {
            names["categories"] = categories.clone();
        }
        let wanted = &mut decided[i];
        if !wanted["status"].is_object() {
            wanted["status"] = json!({});
        }
        wanted["status"]["acceptedNames"] = names;
        match &problem {
            Some((reason, message)) => {
                set_condition(wanted, "NamesAccepted", "False", reason, message)
            }
            None => set_condition(
                wanted,
                "NamesAccepted",
                "True",
                "NoConflicts",
                "no conflicts found",
            ),
        }
        // Established once the names are first accepted; it stays.
        if problem.is_none() && !condition_is(wanted, "Established", "True") {
            set_condition(
                wanted,
                "Established",
                "True",
                "InitialNamesAccepted",
                "the initial names have been accepted",
            );
        }
        if problem.is_some() && !condition_is(wanted, "Established", "True") {
            set_condition(
                wanted,
                "Established",
                "False",
                "NotAccepted",
                "not all names are accepted",
            );
        }
    }
    // Conditions written only when something besides the time changed.
    for (decided, original) in decided.iter_mut().zip(definitions) {
        if same_status(decided, original) {
            *decided = original.clone();
        }
    }
    decided
}

/// Whether two definitions' statuses say the same, transition times aside.
fn same_status(a: &Value, b: &Value) -> bool {
    let strip = |v: &Value| {
        let mut status = v.get("status").cloned().unwrap_or(Value::Null);
        if let Some(list) = status.get_mut("conditions").and_then(Value::as_array_mut) {
            for condition in list {
                if let Some(map) = condition.as_object_mut() {
                    map.remove("lastTransitionTime");
                }
            }
        }
        status
    };
    strip(a) == strip(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition(name: &str, created: &str, plural: &str, kind: &str, short: &[&str]) -> Value {
        json!({
            "metadata": {"name": format!("{plural}.example.com"), "creationTimestamp": created,
                         "uid": name},
            "spec": {"group": "example.com", "scope": "Namespaced",
                     "names": {"plural": plural, "singular": plural.trim_end_matches('s'), "kind": kind,
                               "listKind": format!("{kind}List"), "shortNames": short},
                     "versions": [{"name": "v1", "served": true, "storage": true}]},
        })
    }

    fn condition<'a>(definition: &'a Value, kind: &str) -> (&'a str, &'a str) {
        let list = definition["status"]["conditions"].as_array().unwrap();
        let c = list.iter().find(|c| c["type"] == kind).unwrap();
        (c["status"].as_str().unwrap(), c["reason"].as_str().unwrap())
    }

    #[test]
    fn the_first_definition_keeps_a_name_and_the_second_is_refused() {
        let first = definition("a", "2026-01-01T00:00:00Z", "widgets", "Widget", &["wd"]);
        let second = definition("b", "2026-01-02T00:00:00Z", "gadgets", "Gadget", &["wd"]);
        let third = definition("c", "2026-01-03T00:00:00Z", "sprockets", "Widget", &[]);
        let decided = decide_names(&[second, third, first]);
        let (second, third, first) = (&decided[0], &decided[1], &decided[2]);
        assert_eq!(condition(first, "NamesAccepted"), ("True", "NoConflicts"));
        assert_eq!(
            condition(first, "Established"),
            ("True", "InitialNamesAccepted")
        );
        assert_eq!(
            condition(second, "NamesAccepted"),
            ("False", "ShortNamesConflict")
        );
        assert_eq!(condition(second, "Established"), ("False", "NotAccepted"));
        assert_eq!(
            second["status"]["conditions"][0]["message"],
            "\"wd\" is already in use"
        );
        assert_eq!(second["status"]["acceptedNames"]["plural"], "gadgets");
        assert!(
            second["status"]["acceptedNames"]
                .get("shortNames")
                .is_none()
        );
        assert_eq!(condition(third, "NamesAccepted"), ("False", "KindConflict"));
        assert_eq!(third["status"]["acceptedNames"]["kind"], "");
        // Decided again, nothing changes.
        let again = decide_names(&decided);
        assert_eq!(again, decided);
    }

    #[test]
    fn built_in_names_and_storage_are_never_a_definitions() {
        let mut shadow = definition(
            "a",
            "2026-01-01T00:00:00Z",
            "customresourcedefinitions",
            "CustomResourceDefinition",
            &[],
        );
        shadow["spec"]["group"] = json!("apiextensions.k8s.io");
        shadow["metadata"]["name"] = json!("customresourcedefinitions.apiextensions.k8s.io");
        let decided = decide_names(&[shadow.clone()]);
        assert_eq!(
            condition(&decided[0], "NamesAccepted"),
            ("False", "PluralConflict")
        );
        assert_eq!(
            condition(&decided[0], "Established"),
            ("False", "NotAccepted")
        );
        assert_eq!(objects_prefix(&shadow), None);
        let widgets = definition("b", "2026-01-01T00:00:00Z", "widgets", "Widget", &[]);
        assert_eq!(
            objects_prefix(&widgets).as_deref(),
            Some("/registry/example.com/widgets/")
        );
    }

    #[test]
    fn stored_versions_grow_with_the_storage_version() {
        let mut crd = definition("a", "2026-01-01T00:00:00Z", "widgets", "Widget", &[]);
        prepare_create(&mut crd);
        assert_eq!(crd["status"]["storedVersions"], json!(["v1"]));
        crd["spec"]["versions"] = json!([
            {"name": "v1", "served": true, "storage": false},
            {"name": "v2", "served": true, "storage": true}]);
        prepare_update(&mut crd);
        assert_eq!(crd["status"]["storedVersions"], json!(["v1", "v2"]));
        assert!(mark_for_deletion(&mut crd));
        assert_eq!(crd["metadata"]["finalizers"], json!([CLEANUP_FINALIZER]));
        assert_eq!(
            condition(&crd, "Terminating"),
            ("True", "InstanceDeletionPending")
        );
    }
}
