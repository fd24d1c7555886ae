//! Managed fields and server-side apply, as upstream's field manager keeps
//! them: every write records in `metadata.managedFields` which manager set
//! which fields (an `Update` entry per manager, version and subresource for
//! ordinary writes; an `Apply` entry per manager for apply patches). An
//! apply merges the manager's configuration into the object by the kind's
//! schema, takes ownership of what it sets, removes what the manager
//! applied before and no one holds any more, and refuses (409) to change
//! fields other managers own unless forced.

pub mod fieldpath;
pub mod typed;

use api::ResourceInfo;
use serde_json::{Map, Value, json};

use crate::error::{ApiError, Cause};
use fieldpath::{PathElement, Set, path_string};
use typed::{Schemas, Type};

/// The annotation client-side apply keeps its configuration in.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Upstream's bound on a field manager's name (and on a user agent's
/// prefix used as one).
pub const MAX_MANAGER_LENGTH: usize = 128;

/// Past this many `Update` entries the oldest are folded into one, as
/// upstream does, so a stream of distinct writers cannot grow an object
/// without bound.
const MAX_UPDATE_MANAGERS: usize = 10;

/// The manager `ancient-changes` entries are folded into.
const ANCIENT_CHANGES: &str = "ancient-changes";

/// Who writes, at which version, through which subresource.
pub struct Writer<'r> {
    pub manager: &'r str,
    /// The group-version the request names (`apps/v1`).
    pub api_version: String,
    pub subresource: Option<&'r str>,
    /// RFC 3339, seconds.
    pub now: String,
}

/// One `managedFields` entry.
#[derive(Clone, Debug, PartialEq)]
struct Entry {
    manager: String,
    operation: String,
    api_version: String,
    time: Option<String>,
    subresource: String,
    fields: Set,
}

impl Entry {
    /// Entries are one manager's when these match (an applier is one
    /// manager whatever version it applies at).
    fn same_manager(&self, manager: &str, operation: &str, api_version: &str, sub: &str) -> bool {
        self.manager == manager
            && self.operation == operation
            && self.subresource == sub
            && (operation == "Apply" || self.api_version == api_version)
    }

    fn to_json(&self) -> Value {
        let mut entry = json!({
            "manager": self.manager,
            "operation": self.operation,
            "apiVersion": self.api_version,
            "fieldsType": "FieldsV1",
            "fieldsV1": self.fields.to_fields_v1(),
        });
        if let Some(time) = &self.time {
            entry["time"] = json!(time);
        }
        if !self.subresource.is_empty() {
            entry["subresource"] = json!(self.subresource);
        }
        entry
    }

    fn from_json(value: &Value) -> Result<Entry, String> {
        let text = |field: &str| {
            value
                .get(field)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let fields = match value.get("fieldsV1") {
            Some(fields) => Set::from_fields_v1(fields)?,
            None => Set::default(),
        };
        Ok(Entry {
            manager: text("manager"),
            operation: text("operation"),
            api_version: text("apiVersion"),
            time: value
                .get("time")
                .and_then(Value::as_str)
                .map(str::to_string),
            subresource: text("subresource"),
            fields,
        })
    }

    /// How upstream names a manager in a conflict.
    fn describe(&self) -> String {
        let mut text = format!("{:?}", self.manager);
        if !self.subresource.is_empty() {
            text.push_str(&format!(" with subresource {:?}", self.subresource));
        }
        if self.operation == "Update" {
            text.push_str(&format!(" using {}", self.api_version));
        }
        text
    }
}

/// The time managed fields record: now, to the second.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The schemas and the root type of `info`'s objects (stored shape).
fn schemas_of(info: &ResourceInfo) -> (Schemas<'static>, Type<'_>) {
    let definitions = crate::openapi::definitions();
    if let Some(custom) = &info.custom {
        let root = match &custom.schema_json {
            Some(schema) => Type::CustomRoot(schema),
            None => Type::Deduced,
        };
        return (Schemas::new(definitions, false), root);
    }
    let root = crate::openapi::kind_schema(info)
        .and_then(|name| definitions.get(name))
        .map_or(Type::Deduced, Type::Schema);
    (Schemas::new(definitions, true), root)
}

/// The entries an object carries (none where they do not decode).
fn entries_of(object: &Value) -> Vec<Entry> {
    decode(object.pointer("/metadata/managedFields")).unwrap_or_default()
}

fn decode(value: Option<&Value>) -> Result<Vec<Entry>, String> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(entries)) => entries.iter().map(Entry::from_json).collect(),
        Some(_) => Err("managedFields must be a list".into()),
    }
}

/// Whether a client asks to clear the managed fields: an empty list, or a
/// list of one empty entry.
fn is_reset(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Array(entries)) => match entries.as_slice() {
            [] => true,
            [only] => only.as_object().is_some_and(Map::is_empty),
            _ => false,
        },
        _ => false,
    }
}

fn without_managed_fields(object: &Value) -> Value {
    let mut object = object.clone();
    strip_managed_fields(&mut object);
    object
}

fn strip_managed_fields(object: &mut Value) {
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
}

/// Writes `entries` into `object`, in upstream's order (appliers first,
/// then by time, manager, version, subresource).
fn store_entries(object: &mut Value, mut entries: Vec<Entry>) {
    entries.retain(|e| !e.fields.is_empty());
    entries.sort_by(|a, b| {
        (
            &a.operation,
            &a.time,
            &a.manager,
            &a.api_version,
            &a.subresource,
        )
            .cmp(&(
                &b.operation,
                &b.time,
                &b.manager,
                &b.api_version,
                &b.subresource,
            ))
    });
    let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    if entries.is_empty() {
        meta.remove("managedFields");
    } else {
        meta.insert(
            "managedFields".into(),
            Value::Array(entries.iter().map(Entry::to_json).collect()),
        );
    }
}

/// Fields no manager owns: the object's identity and bookkeeping.
fn strip_identity(set: &mut Set) {
    let field = |name: &str| PathElement::Field(name.to_string());
    set.remove(&[field("apiVersion")]);
    set.remove(&[field("kind")]);
    set.remove(&[field("metadata")]);
    for name in [
        "name",
        "namespace",
        "creationTimestamp",
        "selfLink",
        "uid",
        "clusterName",
        "generation",
        "managedFields",
        "resourceVersion",
    ] {
        set.remove(&[field("metadata"), field(name)]);
    }
}

/// What a write through `subresource` can own: the status through the
/// status subresource; everything but the status through the main
/// resource of a kind whose status has its own subresource.
fn limit_to_endpoint(info: &ResourceInfo, subresource: Option<&str>, set: &mut Set) {
    let status = PathElement::Field("status".into());
    match subresource {
        Some("status") => *set = set.only_tree(&status),
        None if info.has_subresource("status") => set.remove_tree(&status),
        _ => {}
    }
}

/// Drops what the comparison found from other managers' entries: fields
/// a write changed (theirs no more) and fields it removed.
fn take_from_others(entries: &mut [Entry], skip: Option<usize>, taken: &Set, removed: &Set) {
    for (index, entry) in entries.iter_mut().enumerate() {
        if Some(index) == skip {
            continue;
        }
        entry.fields = entry.fields.difference(taken).difference(removed);
    }
}

/// Keeps at most `MAX_UPDATE_MANAGERS` update entries, folding the oldest
/// into `ancient-changes`.
fn cap_update_managers(entries: &mut Vec<Entry>, now: &str) {
    let mut updates: Vec<usize> = (0..entries.len())
        .filter(|&i| entries[i].operation == "Update" && !entries[i].fields.is_empty())
        .collect();
    if updates.len() <= MAX_UPDATE_MANAGERS {
        return;
    }
    updates.sort_by(|&a, &b| entries[a].time.cmp(&entries[b].time));
    let excess = updates.len() - MAX_UPDATE_MANAGERS + 1;
    let folded: Vec<usize> = updates.into_iter().take(excess).collect();
    let mut fields = Set::default();
    for &index in &folded {
        fields.union_with(&entries[index].fields);
    }
    let mut kept: Vec<Entry> = entries
        .iter()
        .enumerate()
        .filter(|(i, _)| !folded.contains(i))
        .map(|(_, e)| e.clone())
        .collect();
    match kept
        .iter_mut()
        .find(|e| e.manager == ANCIENT_CHANGES && e.operation == "Update")
    {
        Some(ancient) => ancient.fields.union_with(&fields),
        None => kept.push(Entry {
            manager: ANCIENT_CHANGES.into(),
            operation: "Update".into(),
            api_version: String::new(),
            time: Some(now.to_string()),
            subresource: String::new(),
            fields,
        }),
    }
    *entries = kept;
}

/// Records an ordinary write (create, update, patch): `new`, about to be
/// stored over `old` (none for a create), is given the managed fields the
/// write leaves. The client's own `managedFields` are taken when it sends
/// some (an empty list, or one empty entry, clears them); otherwise the
/// stored ones are kept. The writer owns what it added or changed, and
/// other managers lose those fields and the ones it removed.
pub fn update(info: &ResourceInfo, old: Option<&Value>, new: &mut Value, writer: &Writer) {
    let sent = new.pointer("/metadata/managedFields").cloned();
    let stored = old.map(entries_of).unwrap_or_default();
    let mut entries = if writer.subresource.is_some() {
        stored
    } else if is_reset(sent.as_ref()) {
        Vec::new()
    } else {
        match decode(sent.as_ref()) {
            Ok(entries) if !entries.is_empty() => entries,
            _ => stored,
        }
    };
    strip_managed_fields(new);
    let (schemas, root) = schemas_of(info);
    // The stored object is compared as it is: its managedFields (gone from
    // `new`) show as one removed field, which is nobody's and dropped.
    let nothing = json!({});
    let comparison = schemas.compare(old.unwrap_or(&nothing), new, root);
    let mut changed = comparison.modified.union(&comparison.added);
    let mut removed = comparison.removed;
    removed.remove(&[
        PathElement::Field("metadata".into()),
        PathElement::Field("managedFields".into()),
    ]);
    limit_to_endpoint(info, writer.subresource, &mut changed);
    limit_to_endpoint(info, writer.subresource, &mut removed);
    take_from_others(&mut entries, None, &changed, &removed);
    strip_identity(&mut changed);
    if !changed.is_empty() {
        let subresource = writer.subresource.unwrap_or_default();
        match entries
            .iter_mut()
            .find(|e| e.same_manager(writer.manager, "Update", &writer.api_version, subresource))
        {
            Some(entry) => {
                entry.fields.union_with(&changed);
                entry.time = Some(writer.now.clone());
            }
            None => entries.push(Entry {
                manager: writer.manager.to_string(),
                operation: "Update".into(),
                api_version: writer.api_version.clone(),
                time: Some(writer.now.clone()),
                subresource: subresource.to_string(),
                fields: changed,
            }),
        }
    }
    for entry in &mut entries {
        strip_identity(&mut entry.fields);
    }
    cap_update_managers(&mut entries, &writer.now);
    store_entries(new, entries);
}

/// Applies `config` (the manager's whole intent for the object, in the
/// stored shape) to `live`, or to a new object when there is none.
/// Returns the object to write, with its managed fields.
pub fn apply(
    info: &ResourceInfo,
    live: &Value,
    config: &Value,
    writer: &Writer,
    force: bool,
) -> Result<Value, ApiError> {
    let (schemas, root) = schemas_of(info);
    let config_fields = schemas.field_set(config, root).map_err(|e| {
        ApiError::bad_request(format!(
            "failed to create typed patch object ({}, Kind={}) {}: {e}",
            writer.api_version,
            info.kind,
            object_name(live)
        ))
    })?;
    let mut entries = entries_of(live);
    let live_plain = without_managed_fields(live);
    let mut merged = schemas.merge(&live_plain, config, root);
    let subresource = writer.subresource.unwrap_or_default();
    let mut owned = config_fields;
    limit_to_endpoint(info, writer.subresource, &mut owned);
    strip_identity(&mut owned);
    let applier = match entries
        .iter()
        .position(|e| e.same_manager(writer.manager, "Apply", "", subresource))
    {
        Some(index) => index,
        None => {
            entries.push(Entry {
                manager: writer.manager.to_string(),
                operation: "Apply".into(),
                api_version: writer.api_version.clone(),
                time: None,
                subresource: subresource.to_string(),
                fields: Set::default(),
            });
            entries.len() - 1
        }
    };
    let last = std::mem::replace(&mut entries[applier].fields, owned);
    entries[applier].api_version = writer.api_version.clone();
    entries[applier].time = Some(writer.now.clone());
    // What this manager applied before and no one holds now goes.
    if !last.is_empty() {
        let mut held = Set::default();
        for entry in &entries {
            held.union_with(&entry.fields);
        }
        schemas.prune(&mut merged, &last, &held, root);
    }
    let comparison = schemas.compare(&live_plain, &merged, root);
    let mut changed = comparison.modified.union(&comparison.added);
    let mut removed = comparison.removed;
    limit_to_endpoint(info, writer.subresource, &mut changed);
    limit_to_endpoint(info, writer.subresource, &mut removed);
    let conflicts: Vec<(usize, Set)> = entries
        .iter()
        .enumerate()
        .filter(|(index, _)| *index != applier)
        .map(|(index, entry)| (index, entry.fields.intersection(&changed)))
        .filter(|(_, set)| !set.is_empty())
        .collect();
    if !force && !conflicts.is_empty() {
        // kubectl's first server-side apply over its client-side applies
        // takes the fields its last-applied configuration still sets.
        let allowed = (writer.manager == "kubectl")
            .then(|| allowed_by_last_applied(&schemas, root, &live_plain, &writer.api_version))
            .flatten();
        let remaining: Vec<(usize, Set)> = conflicts
            .iter()
            .map(|(index, set)| {
                let left = match &allowed {
                    Some(allowed) => set.difference(allowed),
                    None => set.clone(),
                };
                (*index, left)
            })
            .filter(|(_, set)| !set.is_empty())
            .collect();
        if !remaining.is_empty() {
            return Err(conflict_error(&entries, &remaining));
        }
    }
    take_from_others(&mut entries, Some(applier), &changed, &removed);
    for entry in &mut entries {
        strip_identity(&mut entry.fields);
    }
    if writer.manager == "kubectl" {
        keep_last_applied_in_step(&mut merged, config);
    }
    if let Some(custom) = &info.custom
        && let Some(schema) = &custom.schema
    {
        schema.apply_defaults(&mut merged);
    }
    cap_update_managers(&mut entries, &writer.now);
    store_entries(&mut merged, entries);
    Ok(merged)
}

/// Puts `entries` (a `managedFields` list, or none) into `object`.
pub fn set_entries(object: &mut Value, entries: Option<Value>) {
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        match entries {
            Some(entries) => meta.insert("managedFields".into(), entries),
            None => meta.remove("managedFields"),
        };
    }
}

/// An apply that changed nothing but its own timestamp is no change: the
/// stored entries stay as they are, so nothing is written.
pub fn keep_times_if_unchanged(old: &Value, new: &mut Value) {
    if crate::objects::changed(&without_managed_fields(old), &without_managed_fields(new)) {
        return;
    }
    let untimed = |entries: Vec<Entry>| -> Vec<Entry> {
        entries
            .into_iter()
            .map(|mut e| {
                e.time = None;
                e
            })
            .collect()
    };
    let (before, after) = (entries_of(old), entries_of(new));
    if before.len() == after.len() && untimed(before) == untimed(after) {
        let kept = old.pointer("/metadata/managedFields").cloned();
        if let (Some(kept), Some(meta)) =
            (kept, new.get_mut("metadata").and_then(Value::as_object_mut))
        {
            meta.insert("managedFields".into(), kept);
        }
    }
}

fn object_name(object: &Value) -> String {
    let name = object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
    {
        Some(ns) if !ns.is_empty() => format!("{ns}/{name}"),
        _ => name.to_string(),
    }
}

/// The fields of the client-side apply annotation whose values the object
/// still has: kubectl may take them over from client-side apply's manager.
fn allowed_by_last_applied(
    schemas: &Schemas<'_>,
    root: Type<'_>,
    live: &Value,
    api_version: &str,
) -> Option<Set> {
    let text = live
        .pointer("/metadata/annotations")?
        .get(LAST_APPLIED)?
        .as_str()
        .filter(|t| !t.is_empty())?;
    let last: Value = serde_json::from_str(text).ok()?;
    if last.get("apiVersion").and_then(Value::as_str) != Some(api_version) {
        return None;
    }
    let fields = schemas.field_set(&last, root).ok()?;
    let comparison = schemas.compare(&last, live, root);
    Some(
        fields
            .difference(&comparison.modified)
            .difference(&comparison.added)
            .difference(&comparison.removed),
    )
}

/// kubectl's server-side applies keep a client-side apply annotation, where
/// the object has one, equal to what was applied (so a later client-side
/// apply computes from it).
fn keep_last_applied_in_step(merged: &mut Value, config: &Value) {
    let has = merged
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(LAST_APPLIED))
        .and_then(Value::as_str)
        .is_some_and(|t| !t.is_empty());
    if !has {
        return;
    }
    let mut applied = config.clone();
    if let Some(annotations) = applied
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        annotations.remove(LAST_APPLIED);
    }
    if let Some(annotations) = merged
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        annotations.insert(LAST_APPLIED.into(), json!(applied.to_string()));
    }
}

/// Upstream's 409 for an apply that would change other managers' fields.
fn conflict_error(entries: &[Entry], conflicts: &[(usize, Set)]) -> ApiError {
    let mut listed: Vec<(String, String)> = Vec::new();
    let mut by_manager: Vec<(String, Vec<String>)> = Vec::new();
    for (index, set) in conflicts {
        let Some(entry) = entries.get(*index) else {
            continue;
        };
        let manager = entry.describe();
        let paths: Vec<String> = set.paths().iter().map(|p| path_string(p)).collect();
        for path in &paths {
            listed.push((path.clone(), format!("conflict with {manager}")));
        }
        by_manager.push((manager, paths));
    }
    by_manager.sort();
    let message = if listed.len() == 1 {
        format!(
            "Apply failed with 1 conflict: conflict with {}: {}",
            by_manager[0].0, listed[0].0
        )
    } else {
        let mut lines = Vec::new();
        for (manager, paths) in &by_manager {
            lines.push(format!("conflicts with {manager}:"));
            lines.extend(paths.iter().map(|p| format!("- {p}")));
        }
        format!(
            "Apply failed with {} conflicts: {}",
            listed.len(),
            lines.join("\n")
        )
    };
    ApiError::apply_conflict(message, listed)
}

/// The manager a request writes as: its `fieldManager`, or its user
/// agent's first word (up to the first `/`, printable characters only, at
/// most 128 bytes), as upstream names writers that give none.
pub fn manager_name(field_manager: Option<&str>, user_agent: &str) -> String {
    if let Some(manager) = field_manager.filter(|m| !m.is_empty()) {
        return manager.to_string();
    }
    let prefix = user_agent.split('/').next().unwrap_or_default();
    let mut name = String::new();
    for c in prefix.chars().filter(|c| !c.is_control()) {
        if name.len() + c.len_utf8() > MAX_MANAGER_LENGTH {
            break;
        }
        name.push(c);
    }
    name
}

/// Upstream's checks of a `fieldManager` (the query parameter, or a
/// managed fields entry's `manager`): why it is refused, if it is.
pub fn manager_problem(manager: &str) -> Option<String> {
    if manager.len() > MAX_MANAGER_LENGTH {
        return Some(format!(
            "Too long: may not be more than {MAX_MANAGER_LENGTH} bytes"
        ));
    }
    if manager.chars().any(char::is_control) {
        return Some(format!(
            "Invalid value: {manager:?}: must only contain printable characters"
        ));
    }
    None
}

/// What a stored object's `metadata.managedFields` must be, as upstream
/// validates it.
pub fn validate_entries(object: &Value) -> Vec<Cause> {
    let mut causes = Vec::new();
    let Some(entries) = object
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
    else {
        return causes;
    };
    for (index, entry) in entries.iter().enumerate() {
        let at = format!("metadata.managedFields[{index}]");
        let text = |field: &str| entry.get(field).and_then(Value::as_str).unwrap_or_default();
        let operation = text("operation");
        if operation != "Apply" && operation != "Update" {
            causes.push(Cause::invalid(
                format!("{at}.operation"),
                operation,
                "must be `Apply` or `Update`",
            ));
        }
        let fields_type = text("fieldsType");
        if !fields_type.is_empty() && fields_type != "FieldsV1" {
            causes.push(Cause::invalid(
                format!("{at}.fieldsType"),
                fields_type,
                "must be `FieldsV1`",
            ));
        }
        let manager = text("manager");
        if manager.len() > MAX_MANAGER_LENGTH {
            causes.push(Cause::too_long(format!("{at}.manager"), MAX_MANAGER_LENGTH));
        } else if manager.chars().any(char::is_control) {
            causes.push(Cause::invalid(
                format!("{at}.manager"),
                manager,
                "must only contain printable characters",
            ));
        }
        if text("subresource").len() > 256 {
            causes.push(Cause::too_long(format!("{at}.subresource"), 256));
        }
    }
    causes
}

#[cfg(test)]
mod tests;
