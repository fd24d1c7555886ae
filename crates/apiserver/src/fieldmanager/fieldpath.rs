//! Field sets as server-side apply records them: a tree of path elements
//! (a struct or map field, a keyed list item, a set item, an index),
//! written into `managedFields` in the `FieldsV1` form
//! (`{"f:spec":{"f:replicas":{}}}`, `"."` marking a path that is itself a
//! member and has members below it).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::{Map, Value};

/// One step into an object. The derived order is the order fields are
/// written and conflicts listed in: fields, then keys, values, indexes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathElement {
    /// A field of a struct or map: `f:name`.
    Field(String),
    /// An item of a list keyed by some of its fields: `k:{"name":"web"}`,
    /// the key's JSON with its fields in order.
    Key(String),
    /// An item of a set of scalars: `v:"value"`, its JSON.
    Value(String),
    /// An item by position: `i:3`.
    Index(usize),
}

impl PathElement {
    /// The key element of a list item: the item's key fields, in order.
    pub fn key(fields: &BTreeMap<String, Value>) -> PathElement {
        PathElement::Key(
            Value::Object(fields.clone().into_iter().collect::<Map<_, _>>()).to_string(),
        )
    }

    /// The element of a set item.
    pub fn value(item: &Value) -> PathElement {
        PathElement::Value(item.to_string())
    }

    /// As written in `FieldsV1`.
    fn encode(&self) -> String {
        match self {
            PathElement::Field(name) => format!("f:{name}"),
            PathElement::Key(json) => format!("k:{json}"),
            PathElement::Value(json) => format!("v:{json}"),
            PathElement::Index(index) => format!("i:{index}"),
        }
    }

    fn decode(text: &str) -> Result<PathElement, String> {
        let (kind, rest) = text
            .split_once(':')
            .ok_or_else(|| format!("unknown path element {text:?}"))?;
        match kind {
            "f" => Ok(PathElement::Field(rest.to_string())),
            // Keys and values are read back into the canonical form this
            // server writes, so that equal keys compare equal.
            "k" => match serde_json::from_str::<Value>(rest) {
                Ok(Value::Object(fields)) => {
                    Ok(PathElement::Key(Value::Object(fields).to_string()))
                }
                _ => Err(format!("invalid key {rest:?}")),
            },
            "v" => serde_json::from_str::<Value>(rest)
                .map(|value| PathElement::Value(value.to_string()))
                .map_err(|_| format!("invalid value {rest:?}")),
            "i" => rest
                .parse()
                .map(PathElement::Index)
                .map_err(|_| format!("invalid index {rest:?}")),
            _ => Err(format!("unknown path element {text:?}")),
        }
    }
}

/// A path as upstream prints it in conflicts:
/// `.spec.containers[name="web"].image`.
pub fn path_string(path: &[PathElement]) -> String {
    let mut out = String::new();
    for element in path {
        match element {
            PathElement::Field(name) => {
                let _ = write!(out, ".{name}");
            }
            PathElement::Key(json) => {
                let fields: Map<String, Value> = serde_json::from_str(json).unwrap_or_default();
                let parts: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let _ = write!(out, "[{}]", parts.join(","));
            }
            PathElement::Value(json) => {
                let _ = write!(out, "[={json}]");
            }
            PathElement::Index(index) => {
                let _ = write!(out, "[{index}]");
            }
        }
    }
    out
}

/// A set of paths, as a tree: `members` are the paths that end here,
/// `children` the elements with paths going on below them (an element may
/// be both).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Set {
    members: BTreeSet<PathElement>,
    children: BTreeMap<PathElement, Set>,
}

impl Set {
    pub fn is_empty(&self) -> bool {
        self.members.is_empty() && self.children.is_empty()
    }

    pub fn insert(&mut self, path: &[PathElement]) {
        match path {
            [] => {}
            [last] => {
                self.members.insert(last.clone());
            }
            [first, rest @ ..] => self.children.entry(first.clone()).or_default().insert(rest),
        }
    }

    #[cfg(test)]
    pub fn has(&self, path: &[PathElement]) -> bool {
        match path {
            [] => false,
            [last] => self.members.contains(last),
            [first, rest @ ..] => self.children.get(first).is_some_and(|c| c.has(rest)),
        }
    }

    /// Whether `element` is a member here.
    pub fn is_member(&self, element: &PathElement) -> bool {
        self.members.contains(element)
    }

    /// The paths below `element`.
    pub fn child(&self, element: &PathElement) -> Option<&Set> {
        self.children.get(element)
    }

    /// Whether `element` is a member or has members below it.
    pub fn touches(&self, element: &PathElement) -> bool {
        self.members.contains(element) || self.children.contains_key(element)
    }

    pub fn union(&self, other: &Set) -> Set {
        let mut out = self.clone();
        out.union_with(other);
        out
    }

    pub fn union_with(&mut self, other: &Set) {
        self.members.extend(other.members.iter().cloned());
        for (element, child) in &other.children {
            self.children
                .entry(element.clone())
                .or_default()
                .union_with(child);
        }
    }

    /// The paths of `self` that are not in `other` (exactly: a member of
    /// `other` removes that path, not what lies below it).
    pub fn difference(&self, other: &Set) -> Set {
        let members = self.members.difference(&other.members).cloned().collect();
        let children = self
            .children
            .iter()
            .filter_map(|(element, child)| {
                let rest = match other.children.get(element) {
                    Some(theirs) => child.difference(theirs),
                    None => child.clone(),
                };
                (!rest.is_empty()).then(|| (element.clone(), rest))
            })
            .collect();
        Set { members, children }
    }

    pub fn intersection(&self, other: &Set) -> Set {
        let members = self.members.intersection(&other.members).cloned().collect();
        let children = self
            .children
            .iter()
            .filter_map(|(element, child)| {
                let theirs = other.children.get(element)?;
                let both = child.intersection(theirs);
                (!both.is_empty()).then(|| (element.clone(), both))
            })
            .collect();
        Set { members, children }
    }

    /// Drops `element` and everything below it.
    pub fn remove_tree(&mut self, element: &PathElement) {
        self.members.remove(element);
        self.children.remove(element);
    }

    /// Keeps only `element` and what lies below it.
    pub fn only_tree(&self, element: &PathElement) -> Set {
        let mut out = Set::default();
        if self.members.contains(element) {
            out.members.insert(element.clone());
        }
        if let Some(child) = self.children.get(element) {
            out.children.insert(element.clone(), child.clone());
        }
        out
    }

    /// Drops the single path `path` (not what lies below it).
    pub fn remove(&mut self, path: &[PathElement]) {
        match path {
            [] => {}
            [last] => {
                self.members.remove(last);
            }
            [first, rest @ ..] => {
                if let Some(child) = self.children.get_mut(first) {
                    child.remove(rest);
                    if child.is_empty() {
                        self.children.remove(first);
                    }
                }
            }
        }
    }

    /// Every path, members before the paths below them, each level in order.
    pub fn paths(&self) -> Vec<Vec<PathElement>> {
        let mut out = Vec::new();
        self.collect_paths(&mut Vec::new(), &mut out);
        out
    }

    fn collect_paths(&self, prefix: &mut Vec<PathElement>, out: &mut Vec<Vec<PathElement>>) {
        for member in &self.members {
            let mut path = prefix.clone();
            path.push(member.clone());
            out.push(path);
        }
        for (element, child) in &self.children {
            prefix.push(element.clone());
            child.collect_paths(prefix, out);
            prefix.pop();
        }
    }

    /// The `FieldsV1` form.
    pub fn to_fields_v1(&self) -> Value {
        let mut map = Map::new();
        for member in &self.members {
            if !self.children.contains_key(member) {
                map.insert(member.encode(), Value::Object(Map::new()));
            }
        }
        for (element, child) in &self.children {
            let mut inner = match child.to_fields_v1() {
                Value::Object(inner) => inner,
                _ => Map::new(),
            };
            if self.members.contains(element) {
                inner.insert(".".into(), Value::Object(Map::new()));
            }
            map.insert(element.encode(), Value::Object(inner));
        }
        Value::Object(map)
    }

    /// Reads the `FieldsV1` form.
    pub fn from_fields_v1(value: &Value) -> Result<Set, String> {
        let Value::Object(map) = value else {
            return Err("fieldsV1 must be an object".into());
        };
        let mut set = Set::default();
        for (text, inner) in map {
            if text == "." {
                continue;
            }
            let element = PathElement::decode(text)?;
            let Value::Object(inner_map) = inner else {
                return Err(format!("{text}: must be an object"));
            };
            if inner_map.is_empty() || inner_map.contains_key(".") {
                set.members.insert(element.clone());
            }
            let child = Set::from_fields_v1(inner)?;
            if !child.is_empty() {
                set.children.insert(element, child);
            }
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn field(name: &str) -> PathElement {
        PathElement::Field(name.into())
    }

    #[test]
    fn fields_v1_round_trips_with_self_markers() {
        let text = json!({
            "f:metadata": {"f:labels": {"f:app": {}}},
            "f:spec": {"f:containers": {
                "k:{\"name\":\"web\"}": {".": {}, "f:image": {}, "f:name": {}},
            }},
        });
        let set = Set::from_fields_v1(&text).unwrap();
        assert!(set.has(&[field("metadata"), field("labels"), field("app")]));
        let item = PathElement::Key(r#"{"name":"web"}"#.into());
        assert!(set.has(&[field("spec"), field("containers"), item.clone()]));
        assert!(set.has(&[
            field("spec"),
            field("containers"),
            item.clone(),
            field("image")
        ]));
        assert!(!set.has(&[field("spec")]));
        assert_eq!(set.to_fields_v1(), text);
        assert_eq!(
            path_string(&[field("spec"), field("containers"), item, field("image")]),
            r#".spec.containers[name="web"].image"#
        );
    }

    #[test]
    fn keys_read_back_canonical_and_bad_text_refused() {
        let set =
            Set::from_fields_v1(&json!({"k:{\"protocol\":\"TCP\", \"port\":80}": {}})).unwrap();
        let mut fields = BTreeMap::new();
        fields.insert("port".to_string(), json!(80));
        fields.insert("protocol".to_string(), json!("TCP"));
        assert!(set.is_member(&PathElement::key(&fields)));
        assert!(Set::from_fields_v1(&json!({"x:y": {}})).is_err());
        assert!(Set::from_fields_v1(&json!({"f:a": 1})).is_err());
        assert!(Set::from_fields_v1(&json!({"k:[1]": {}})).is_err());
        assert!(Set::from_fields_v1(&json!([])).is_err());
    }

    #[test]
    fn set_algebra_is_exact_on_paths() {
        let mut a = Set::default();
        a.insert(&[field("spec"), field("replicas")]);
        a.insert(&[field("spec"), field("paused")]);
        let mut b = Set::default();
        b.insert(&[field("spec"), field("replicas")]);
        b.insert(&[field("spec")]);
        assert_eq!(
            a.intersection(&b).paths(),
            vec![vec![field("spec"), field("replicas")]]
        );
        assert_eq!(
            a.difference(&b).paths(),
            vec![vec![field("spec"), field("paused")]]
        );
        let union = a.union(&b);
        assert_eq!(
            union.paths(),
            vec![
                vec![field("spec")],
                vec![field("spec"), field("paused")],
                vec![field("spec"), field("replicas")],
            ]
        );
        let mut removed = union.clone();
        removed.remove(&[field("spec"), field("paused")]);
        removed.remove(&[field("spec"), field("replicas")]);
        assert_eq!(removed.paths(), vec![vec![field("spec")]]);
    }
}
