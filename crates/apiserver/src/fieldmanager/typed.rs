//! Objects read through their schema, as structured-merge-diff reads them:
//! which values are structs, maps, lists merged by key or as sets, and
//! which are atomic (replaced whole). Built-in kinds take their schema from
//! the OpenAPI definitions (list types from `x-kubernetes-list-type`, or
//! from the strategic merge patch key where none is given, as upstream's
//! schema conversion does); custom kinds from their `openAPIV3Schema`.
//! Where there is no schema the value itself decides (maps field by field,
//! lists atomic).
//!
//! The four operations server-side apply needs: the set of fields a value
//! sets, the comparison of two values, the merge of an applied
//! configuration into an object, and the removal of fields no one owns.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use serde_json::{Map, Value};

use super::fieldpath::{PathElement, Set, path_string};

const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/// Where a value's schema is.
#[derive(Clone, Copy)]
pub enum Type<'a> {
    /// A node of an OpenAPI schema.
    Schema(&'a Value),
    /// A custom kind's `openAPIV3Schema` at the object's root, whose
    /// `metadata` is ObjectMeta whatever the schema says.
    CustomRoot(&'a Value),
    /// No schema: the value decides.
    Deduced,
}

/// The schemas of one kind's objects.
pub struct Schemas<'a> {
    definitions: &'a Map<String, Value>,
    /// Built-in kinds' struct fields are never members of a set of changed
    /// fields by themselves (their Go structs always exist); custom kinds'
    /// are, as upstream records them.
    builtin: bool,
}

/// How a list's items are told apart.
enum ItemKeys {
    /// Scalars, by value.
    Set,
    /// Objects, by these fields (with their defaults).
    Fields(Vec<(String, Option<Value>)>),
}

struct MapShape<'a> {
    properties: Option<&'a Map<String, Value>>,
    /// The type of fields `properties` does not name.
    elements: Type<'a>,
    custom_root: bool,
}

enum Shape<'a> {
    /// A scalar, an atomic list or map, or a value whose type does not
    /// match its schema: compared and replaced whole.
    Leaf,
    Map(MapShape<'a>),
    List {
        items: Type<'a>,
        keys: ItemKeys,
    },
}

impl<'a> MapShape<'a> {
    fn declared(&self, key: &str) -> bool {
        self.properties.is_some_and(|p| p.contains_key(key))
            || (self.custom_root && matches!(key, "metadata" | "apiVersion" | "kind"))
    }
}

/// The differences between two values.
#[derive(Default, Debug)]
pub struct Comparison {
    pub added: Set,
    pub modified: Set,
    pub removed: Set,
}

impl Comparison {
    #[cfg(test)]
    pub fn is_same(&self) -> bool {
        self.added.is_empty() && self.modified.is_empty() && self.removed.is_empty()
    }
}

impl<'a> Schemas<'a> {
    pub fn new(definitions: &'a Map<String, Value>, builtin: bool) -> Schemas<'a> {
        Schemas {
            definitions,
            builtin,
        }
    }

    /// The schema nodes `node` stands for: itself, then what its `$ref`
    /// or single `allOf` points at, in turn.
    fn chain(&self, node: &'a Value) -> Vec<&'a Value> {
        let mut chain = vec![node];
        while chain.len() < 16 {
            let Some(last) = chain.last() else { break };
            let next = if let Some(reference) = last.get("$ref").and_then(Value::as_str) {
                let name = reference.rsplit('/').next().unwrap_or(reference);
                self.definitions.get(name)
            } else {
                match last.get("allOf").and_then(Value::as_array) {
                    Some(all) if all.len() == 1 => all.first(),
                    _ => None,
                }
            };
            match next {
                Some(next) => chain.push(next),
                None => break,
            }
        }
        chain
    }

    fn field_type(&self, map: &MapShape<'a>, key: &str) -> Type<'a> {
        if map.custom_root && key == "metadata" {
            return match self.definitions.get(OBJECT_META) {
                Some(meta) => Type::Schema(meta),
                None => Type::Deduced,
            };
        }
        match map.properties.and_then(|p| p.get(key)) {
            Some(node) => Type::Schema(node),
            None => map.elements,
        }
    }

    fn shape(&self, ty: Type<'a>, value: &Value) -> Shape<'a> {
        let (node, custom_root) = match ty {
            Type::Deduced => return deduced(value),
            Type::Schema(node) => (node, false),
            Type::CustomRoot(node) => (node, true),
        };
        let chain = self.chain(node);
        let ext = |key: &str| chain.iter().find_map(|n| n.get(key));
        let flag = |key: &str| ext(key).and_then(Value::as_bool).unwrap_or(false);
        if flag("x-kubernetes-int-or-string") {
            return Shape::Leaf;
        }
        let declared_type = ext("type").and_then(Value::as_str).unwrap_or("");
        let items = ext("items");
        if declared_type == "array" || items.is_some() {
            if !value.is_array() {
                return Shape::Leaf;
            }
            let items = items.map_or(Type::Deduced, Type::Schema);
            let keys = match ext("x-kubernetes-list-type").and_then(Value::as_str) {
                Some("set") => ItemKeys::Set,
                Some("map") => {
                    let names: Vec<String> = ext("x-kubernetes-list-map-keys")
                        .and_then(Value::as_array)
                        .map(|keys| {
                            keys.iter()
                                .filter_map(Value::as_str)
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default();
                    ItemKeys::Fields(self.with_defaults(items, names))
                }
                Some(_) => return Shape::Leaf,
                None => {
                    let strategy = ext("x-kubernetes-patch-strategy")
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    if !strategy.split(',').any(|s| s == "merge") {
                        return Shape::Leaf;
                    }
                    match ext("x-kubernetes-patch-merge-key").and_then(Value::as_str) {
                        Some(key) => {
                            ItemKeys::Fields(self.with_defaults(items, vec![key.to_string()]))
                        }
                        None => ItemKeys::Set,
                    }
                }
            };
            return Shape::List { items, keys };
        }
        let properties = ext("properties").and_then(Value::as_object);
        let additional = ext("additionalProperties");
        if declared_type == "object" || properties.is_some() || additional.is_some() || custom_root
        {
            if !value.is_object()
                || ext("x-kubernetes-map-type").and_then(Value::as_str) == Some("atomic")
            {
                return Shape::Leaf;
            }
            let elements = match additional {
                Some(schema @ Value::Object(_)) => Type::Schema(schema),
                _ => Type::Deduced,
            };
            // An object schema naming no fields holds anything (raw
            // extensions, embedded JSON): the value decides.
            if properties.is_none() && additional.is_none() && !custom_root {
                return deduced(value);
            }
            return Shape::Map(MapShape {
                properties,
                elements,
                custom_root,
            });
        }
        if declared_type.is_empty() {
            return deduced(value);
        }
        Shape::Leaf
    }

    /// Key fields with the defaults their schema gives them.
    fn with_defaults(&self, items: Type<'a>, names: Vec<String>) -> Vec<(String, Option<Value>)> {
        let properties = match items {
            Type::Schema(node) => self
                .chain(node)
                .into_iter()
                .find_map(|n| n.get("properties").and_then(Value::as_object)),
            _ => None,
        };
        names
            .into_iter()
            .map(|name| {
                let default = properties
                    .and_then(|p| p.get(&name))
                    .and_then(|p| p.get("default"))
                    .cloned();
                (name, default)
            })
            .collect()
    }

    /// The fields `value` sets: its leaves, its list items, its map
    /// entries that are not struct fields, and its empty or null fields.
    pub fn field_set(&self, value: &Value, ty: Type<'a>) -> Result<Set, String> {
        let mut set = Set::default();
        self.collect_fields(value, ty, &mut Vec::new(), &mut set)?;
        Ok(set)
    }

    fn collect_fields(
        &self,
        value: &Value,
        ty: Type<'a>,
        path: &mut Vec<PathElement>,
        out: &mut Set,
    ) -> Result<(), String> {
        match self.shape(ty, value) {
            Shape::Leaf => out.insert(path),
            Shape::List { items, keys } => {
                let mut seen = HashSet::new();
                for (index, item) in value.as_array().into_iter().flatten().enumerate() {
                    let element = item_element(&keys, item)
                        .map_err(|e| format!("{}: element {index}: {e}", path_string(path)))?;
                    if !seen.insert(element.clone()) {
                        let mut at = path.clone();
                        at.push(element);
                        return Err(format!(
                            "{}: duplicate entries for key {}",
                            path_string(path),
                            path_string(&at[path.len()..])
                        ));
                    }
                    path.push(element);
                    self.collect_fields(item, items, path, out)?;
                    out.insert(path);
                    path.pop();
                }
            }
            Shape::Map(map) => {
                for (key, child) in value.as_object().into_iter().flatten() {
                    path.push(PathElement::Field(key.clone()));
                    self.collect_fields(child, self.field_type(&map, key), path, out)?;
                    let empty_map = child.as_object().is_some_and(Map::is_empty);
                    if child.is_null() || empty_map || !map.declared(key) {
                        out.insert(path);
                    }
                    path.pop();
                }
            }
        }
        Ok(())
    }

    /// What `new` added, changed and removed relative to `old`.
    pub fn compare(&self, old: &Value, new: &Value, ty: Type<'a>) -> Comparison {
        let mut comparison = Comparison::default();
        self.compare_at(
            Some(old),
            Some(new),
            ty,
            false,
            &mut Vec::new(),
            &mut comparison,
        );
        comparison
    }

    fn compare_at(
        &self,
        old: Option<&Value>,
        new: Option<&Value>,
        ty: Type<'a>,
        struct_field: bool,
        path: &mut Vec<PathElement>,
        out: &mut Comparison,
    ) {
        let Some(probe) = new.or(old) else { return };
        let shape = self.shape(ty, probe);
        let same_kind = match (old, new) {
            (Some(a), Some(b)) => {
                (a.is_object() && b.is_object()) || (a.is_array() && b.is_array())
            }
            _ => true,
        };
        let both_empty = old.is_none_or(is_empty_container) && new.is_none_or(is_empty_container);
        let container = matches!(shape, Shape::Map(_) | Shape::List { .. }) && same_kind;
        if !container || both_empty {
            match (old, new) {
                (None, Some(_)) => out.added.insert(path),
                (Some(_), None) => out.removed.insert(path),
                (Some(a), Some(b)) if a != b => out.modified.insert(path),
                _ => {}
            }
            return;
        }
        let is_struct = matches!(&shape, Shape::Map(m) if m.properties.is_some());
        match shape {
            Shape::Map(map) => {
                let empty = Map::new();
                let old_map = old.and_then(Value::as_object).unwrap_or(&empty);
                let new_map = new.and_then(Value::as_object).unwrap_or(&empty);
                for (key, child) in new_map {
                    path.push(PathElement::Field(key.clone()));
                    let ty = self.field_type(&map, key);
                    self.compare_at(
                        old_map.get(key),
                        Some(child),
                        ty,
                        map.declared(key),
                        path,
                        out,
                    );
                    path.pop();
                }
                for (key, child) in old_map {
                    if new_map.contains_key(key) {
                        continue;
                    }
                    path.push(PathElement::Field(key.clone()));
                    let ty = self.field_type(&map, key);
                    self.compare_at(Some(child), None, ty, map.declared(key), path, out);
                    path.pop();
                }
            }
            Shape::List { items, keys } => {
                let (Some(old_items), Some(new_items)) = (
                    index_items(&keys, old.and_then(Value::as_array)),
                    index_items(&keys, new.and_then(Value::as_array)),
                ) else {
                    // Items that cannot be keyed: the list is one value.
                    if old != new {
                        match (old, new) {
                            (None, _) => out.added.insert(path),
                            (_, None) => out.removed.insert(path),
                            _ => out.modified.insert(path),
                        }
                    }
                    return;
                };
                for (element, group) in &new_items.order {
                    let before = old_items.groups.get(element);
                    path.push(element.clone());
                    match (before, group.as_slice()) {
                        (Some(before), [one]) if before.len() == 1 => self.compare_at(
                            before.first().copied(),
                            Some(one),
                            items,
                            false,
                            path,
                            out,
                        ),
                        (None, [one]) => self.compare_at(None, Some(one), items, false, path, out),
                        // Items sharing a key are one value.
                        (Some(before), _) if before != group => out.modified.insert(path),
                        (Some(_), _) => {}
                        (None, _) => out.added.insert(path),
                    }
                    path.pop();
                }
                for (element, group) in &old_items.order {
                    if new_items.groups.contains_key(element) {
                        continue;
                    }
                    path.push(element.clone());
                    match group.as_slice() {
                        [one] => self.compare_at(Some(one), None, items, false, path, out),
                        _ => out.removed.insert(path),
                    }
                    path.pop();
                }
            }
            Shape::Leaf => {}
        }
        // A container that appears or goes is a change of its own, except a
        // built-in kind's struct field.
        let counted = !(self.builtin && is_struct && struct_field);
        if counted {
            match (old, new) {
                (None, Some(_)) => out.added.insert(path),
                (Some(_), None) => out.removed.insert(path),
                _ => {}
            }
        }
    }

    /// `config` merged into `live`: config's values win, maps merge field
    /// by field, keyed lists item by item (in the configuration's order,
    /// with the live object's other items kept where they were).
    pub fn merge(&self, live: &Value, config: &Value, ty: Type<'a>) -> Value {
        let both_empty = is_empty_container(live) && is_empty_container(config);
        match self.shape(ty, config) {
            Shape::Map(map) if live.is_object() && !both_empty => {
                let mut out = live.as_object().cloned().unwrap_or_default();
                for (key, value) in config.as_object().into_iter().flatten() {
                    let merged = match out.get(key) {
                        Some(before) => self.merge(before, value, self.field_type(&map, key)),
                        None => value.clone(),
                    };
                    out.insert(key.clone(), merged);
                }
                Value::Object(out)
            }
            Shape::List { items, keys } if live.is_array() && !both_empty => {
                self.merge_lists(live, config, items, &keys)
            }
            _ => config.clone(),
        }
    }

    fn merge_lists(&self, live: &Value, config: &Value, items: Type<'a>, keys: &ItemKeys) -> Value {
        let keyed = |list: &'_ Value| -> Option<Vec<(PathElement, Value)>> {
            list.as_array()?
                .iter()
                .map(|item| item_element(keys, item).ok().map(|e| (e, item.clone())))
                .collect()
        };
        let (Some(left), Some(right)) = (keyed(live), keyed(config)) else {
            return config.clone();
        };
        let mut first_left: HashMap<&PathElement, &Value> = HashMap::new();
        for (element, item) in &left {
            first_left.entry(element).or_insert(item);
        }
        let in_right: HashSet<&PathElement> = right.iter().map(|(e, _)| e).collect();
        let mut shared: VecDeque<&PathElement> = right
            .iter()
            .map(|(e, _)| e)
            .filter(|e| first_left.contains_key(e))
            .collect();
        let mut next_shared = shared.pop_front();
        let mut emitted: HashSet<&PathElement> = HashSet::new();
        let mut out = Vec::with_capacity(left.len().max(right.len()));
        let (mut l, mut r) = (0, 0);
        while l < left.len() || r < right.len() {
            if l < left.len() {
                let element = &left[l].0;
                if !in_right.contains(element) {
                    // Only the live object has it: it stays where it was.
                    out.push(left[l].1.clone());
                    l += 1;
                    continue;
                }
                if emitted.contains(element) || next_shared.is_some_and(|n| n != element) {
                    // Placed (or to be placed) in the configuration's order.
                    l += 1;
                    continue;
                }
            }
            let Some((element, item)) = right.get(r) else {
                l += 1;
                continue;
            };
            if emitted.insert(element) {
                out.push(match first_left.get(element) {
                    Some(before) => self.merge(before, item, items),
                    None => item.clone(),
                });
            }
            if next_shared == Some(element) {
                next_shared = shared.pop_front();
            }
            r += 1;
        }
        Value::Array(out)
    }

    /// Removes from `value` the fields of `remove` that `keep` does not
    /// hold (a kept list item keeps its key fields). A map or list that
    /// loses its last field this way goes too.
    pub fn prune(&self, value: &mut Value, remove: &Set, keep: &Set, ty: Type<'a>) {
        let empty = Set::default();
        match self.shape(ty, value) {
            Shape::Map(map) => {
                let Some(object) = value.as_object_mut() else {
                    return;
                };
                let keys: Vec<String> = object.keys().cloned().collect();
                for key in keys {
                    let element = PathElement::Field(key.clone());
                    if remove.is_member(&element) && !keep.touches(&element) {
                        object.remove(&key);
                        continue;
                    }
                    let (Some(below), Some(child)) = (remove.child(&element), object.get_mut(&key))
                    else {
                        continue;
                    };
                    let was_empty = is_empty_container(child);
                    let kept = keep.child(&element).unwrap_or(&empty);
                    self.prune(child, below, kept, self.field_type(&map, &key));
                    if !was_empty && is_empty_container(child) && !keep.is_member(&element) {
                        object.remove(&key);
                    }
                }
            }
            Shape::List { items, keys } => {
                let Some(list) = value.as_array_mut() else {
                    return;
                };
                let mut out = Vec::with_capacity(list.len());
                for mut item in list.drain(..) {
                    let Ok(element) = item_element(&keys, &item) else {
                        out.push(item);
                        continue;
                    };
                    if remove.is_member(&element) && !keep.touches(&element) {
                        continue;
                    }
                    if let Some(below) = remove.child(&element) {
                        let mut below = below.clone();
                        if let ItemKeys::Fields(fields) = &keys {
                            for (name, _) in fields {
                                below.remove_tree(&PathElement::Field(name.clone()));
                            }
                        }
                        let kept = keep.child(&element).unwrap_or(&empty);
                        self.prune(&mut item, &below, kept, items);
                    }
                    out.push(item);
                }
                *list = out;
            }
            Shape::Leaf => {}
        }
    }
}

/// A list's items by their path element, in order of first appearance.
struct IndexedItems<'v> {
    order: Vec<(PathElement, Vec<&'v Value>)>,
    groups: HashMap<PathElement, Vec<&'v Value>>,
}

fn index_items<'v>(keys: &ItemKeys, list: Option<&'v Vec<Value>>) -> Option<IndexedItems<'v>> {
    let mut groups: HashMap<PathElement, Vec<&'v Value>> = HashMap::new();
    let mut firsts = Vec::new();
    for item in list.into_iter().flatten() {
        let element = item_element(keys, item).ok()?;
        let group = groups.entry(element.clone()).or_default();
        if group.is_empty() {
            firsts.push(element);
        }
        group.push(item);
    }
    let order = firsts
        .into_iter()
        .map(|e| {
            let group = groups.get(&e).cloned().unwrap_or_default();
            (e, group)
        })
        .collect();
    Some(IndexedItems { order, groups })
}

fn item_element(keys: &ItemKeys, item: &Value) -> Result<PathElement, String> {
    match keys {
        ItemKeys::Set => {
            if item.is_object() || item.is_array() {
                return Err(
                    "associative list without keys has an element that's a map type".into(),
                );
            }
            Ok(PathElement::value(item))
        }
        ItemKeys::Fields(names) => {
            let Some(object) = item.as_object() else {
                return Err(
                    "associative list with keys has an element that's not a map type".into(),
                );
            };
            let mut fields = BTreeMap::new();
            for (name, default) in names {
                let value = object.get(name).or(default.as_ref()).ok_or_else(|| {
                    format!(
                        "associative list with keys has an element that omits key field {name:?} (and doesn't have default value)"
                    )
                })?;
                fields.insert(name.clone(), value.clone());
            }
            Ok(PathElement::key(&fields))
        }
    }
}

fn deduced<'a>(value: &Value) -> Shape<'a> {
    if value.is_object() {
        Shape::Map(MapShape {
            properties: None,
            elements: Type::Deduced,
            custom_root: false,
        })
    } else {
        Shape::Leaf
    }
}

fn is_empty_container(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.is_empty(),
        Value::Array(list) => list.is_empty(),
        Value::Null => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pod_schemas() -> (Schemas<'static>, Type<'static>) {
        let definitions = crate::openapi::definitions();
        let pod = definitions.get("io.k8s.api.core.v1.Pod").unwrap();
        (Schemas::new(definitions, true), Type::Schema(pod))
    }

    fn fields(set: &Set) -> Value {
        set.to_fields_v1()
    }

    #[test]
    fn applied_fields_are_leaves_items_and_map_entries() {
        let (schemas, pod) = pod_schemas();
        let config = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80}]}]},
        });
        // Ports are keyed by port and protocol, which defaults to TCP.
        let set = schemas.field_set(&config, pod).unwrap();
        assert_eq!(
            fields(&set),
            json!({
                "f:apiVersion": {}, "f:kind": {},
                "f:metadata": {"f:labels": {"f:app": {}}, "f:name": {}},
                "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {
                    ".": {}, "f:image": {}, "f:name": {},
                    "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}},
                }}},
            })
        );
        let duplicate = json!({"spec": {"containers": [{"name": "a"}, {"name": "a"}]}});
        let err = schemas.field_set(&duplicate, pod).unwrap_err();
        assert!(
            err.contains("duplicate entries for key [name=\"a\"]"),
            "{err}"
        );
        let keyless = json!({"spec": {"containers": [{"image": "a"}]}});
        let err = schemas.field_set(&keyless, pod).unwrap_err();
        assert!(err.contains("omits key field \"name\""), "{err}");
    }

    #[test]
    fn merge_keeps_live_items_and_follows_the_configuration_order() {
        let (schemas, pod) = pod_schemas();
        let live = json!({"spec": {"containers": [
            {"name": "a", "image": "a:1", "tty": true},
            {"name": "sidecar", "image": "s"},
            {"name": "b", "image": "b:1"},
        ], "tolerations": [{"key": "x"}]}});
        let config = json!({"spec": {"containers": [
            {"name": "b", "image": "b:2"},
            {"name": "a", "image": "a:2"},
            {"name": "c", "image": "c"},
        ], "tolerations": [{"key": "y"}]}});
        let merged = schemas.merge(&live, &config, pod);
        let names: Vec<&str> = merged["spec"]["containers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["sidecar", "b", "a", "c"]);
        assert_eq!(
            merged["spec"]["containers"][2],
            json!({"name": "a", "image": "a:2", "tty": true})
        );
        // Tolerations are an atomic list: replaced whole.
        assert_eq!(merged["spec"]["tolerations"], json!([{"key": "y"}]));
    }

    #[test]
    fn compare_finds_added_modified_and_removed_fields() {
        let (schemas, pod) = pod_schemas();
        let old = json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"containers": [{"name": "a", "image": "x"}]}});
        let new = json!({"metadata": {"labels": {"a": "9"}, "annotations": {"n": "v"}}, "spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}], "securityContext": {"runAsUser": 1}}});
        let c = schemas.compare(&old, &new, pod);
        assert_eq!(
            fields(&c.modified),
            json!({"f:metadata": {"f:labels": {"f:a": {}}}})
        );
        assert_eq!(
            fields(&c.removed),
            json!({"f:metadata": {"f:labels": {"f:b": {}}}})
        );
        assert_eq!(
            fields(&c.added),
            json!({
                "f:metadata": {"f:annotations": {".": {}, "f:n": {}}},
                "f:spec": {
                    "f:containers": {"k:{\"name\":\"b\"}": {".": {}, "f:image": {}, "f:name": {}}},
                    "f:securityContext": {"f:runAsUser": {}},
                },
            })
        );
        assert!(schemas.compare(&new, &new, pod).is_same());
    }

    #[test]
    fn prune_removes_unowned_fields_and_keeps_owned_ones() {
        let (schemas, pod) = pod_schemas();
        let mut object = json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"containers": [
            {"name": "a", "image": "x", "resources": {"limits": {"cpu": "1"}}},
            {"name": "b", "image": "y"},
        ]}});
        let last = schemas
            .field_set(&json!({"metadata": {"labels": {"a": "1"}}, "spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]}}), pod)
            .unwrap();
        let keep = schemas
            .field_set(&json!({"spec": {"containers": [{"name": "a", "resources": {"limits": {"cpu": "1"}}}]}}), pod)
            .unwrap();
        schemas.prune(&mut object, &last, &keep, pod);
        assert_eq!(
            object,
            json!({"metadata": {"labels": {"b": "2"}}, "spec": {"containers": [
                {"name": "a", "resources": {"limits": {"cpu": "1"}}},
            ]}})
        );
    }

    #[test]
    fn custom_kinds_read_their_own_list_types() {
        let schema = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
            "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["port", "protocol"],
                "items": {"type": "object", "properties": {"port": {"type": "integer"}, "protocol": {"type": "string", "default": "TCP"}}}},
            "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
            "blob": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
        }}}});
        let schemas = Schemas::new(crate::openapi::definitions(), false);
        let root = Type::CustomRoot(&schema);
        let set = schemas
            .field_set(&json!({"metadata": {"labels": {"x": "y"}}, "spec": {"ports": [{"port": 80}], "tags": ["a"], "blob": {"k": {"j": 1}}}}), root)
            .unwrap();
        assert_eq!(
            fields(&set),
            json!({"f:metadata": {"f:labels": {"f:x": {}}}, "f:spec": {
                "f:blob": {"f:k": {".": {}, "f:j": {}}},
                "f:ports": {"k:{\"port\":80,\"protocol\":\"TCP\"}": {".": {}, "f:port": {}}},
                "f:tags": {"v:\"a\"": {}},
            }})
        );
        // A custom kind's struct fields count when they appear.
        let c = schemas.compare(&json!({}), &json!({"spec": {"tags": ["a"]}}), root);
        assert_eq!(
            fields(&c.added),
            json!({"f:spec": {".": {}, "f:tags": {".": {}, "v:\"a\"": {}}}})
        );
    }
}
