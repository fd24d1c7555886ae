//! Kinds a CustomResourceDefinition adds: the registry rows of its served
//! versions, read from the definition (apiextensions.k8s.io/v1), and what
//! the rest of the server needs to know of them (printer columns, the
//! scale subresource's paths, the schema).

use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::Arc;

use serde_json::Value;

use crate::jsonpath::JsonPath;
use crate::registry::{ALL_VERBS, ResourceInfo, Text};
use crate::schema::Schema;
use crate::table::Printer;

/// What a definition says of one served version of its kind, beyond the
/// registry row.
#[derive(Debug, Default)]
pub struct CustomKind {
    /// The definition's name (`<plural>.<group>`).
    pub definition: String,
    /// The row of the version objects are stored at, for a served version
    /// that is not it.
    pub storage_row: Option<Arc<ResourceInfo>>,
    /// `additionalPrinterColumns`, or upstream's default (Age).
    pub columns: Vec<PrinterColumn>,
    /// The scale subresource's paths, when it is served.
    pub scale: Option<ScalePaths>,
    /// Whether the definition is being deleted (its objects are; no new
    /// ones are made).
    pub terminating: bool,
    /// The version's `openAPIV3Schema`, as written and as read.
    pub schema_json: Option<Value>,
    pub schema: Option<Schema>,
    /// Where objects are sent to convert between versions, when the
    /// definition's conversion strategy is `Webhook`.
    pub conversion_webhook: Option<ConversionWebhook>,
}

/// A definition's conversion webhook (`spec.conversion.webhook`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConversionWebhook {
    /// `clientConfig` as written (the API server's webhook client reads
    /// it).
    pub client_config: Value,
    /// `conversionReviewVersions`, in the definition's order.
    pub review_versions: Vec<String>,
}

impl ConversionWebhook {
    /// The webhook of a definition whose strategy is `Webhook`.
    pub fn of(definition: &Value) -> Option<ConversionWebhook> {
        let conversion = definition.pointer("/spec/conversion")?;
        if conversion.get("strategy").and_then(Value::as_str) != Some("Webhook") {
            return None;
        }
        let webhook = conversion.get("webhook")?;
        Some(ConversionWebhook {
            client_config: webhook.get("clientConfig")?.clone(),
            review_versions: crate::meta::strings(webhook.get("conversionReviewVersions")),
        })
    }
}

/// One of a custom kind's printer columns.
#[derive(Clone, Debug, PartialEq)]
pub struct PrinterColumn {
    pub name: String,
    /// `integer`, `number`, `string`, `boolean` or `date`.
    pub column_type: String,
    pub format: String,
    pub description: String,
    /// 0: always shown; more: only with `-o wide`.
    pub priority: i64,
    /// A JSONPath into the object, as `kubectl get -o custom-columns` reads.
    pub json_path: String,
    /// The path parsed (none when it does not parse; validation refuses
    /// such definitions).
    pub path: Option<JsonPath>,
}

impl PrinterColumn {
    /// The column's cell for `object`, typed as upstream's table convertor
    /// types it (a missing or mistyped value is an empty cell).
    pub fn cell(&self, object: &Value, now: chrono::DateTime<chrono::Utc>) -> Value {
        let Some(value) = self.path.as_ref().and_then(|p| p.first(object)) else {
            return Value::Null;
        };
        match (self.column_type.as_str(), value) {
            ("integer", Value::Number(n)) => n
                .as_i64()
                .or_else(|| n.as_f64().map(|f| f as i64))
                .map_or(Value::Null, Value::from),
            ("number", Value::Number(n)) => n.as_f64().map_or(Value::Null, Value::from),
            ("boolean", Value::Bool(b)) => Value::Bool(*b),
            ("string", Value::String(s)) => Value::String(s.clone()),
            ("string", Value::Null) => Value::Null,
            ("string", other) => Value::String(other.to_string()),
            ("date", Value::String(s)) => match crate::table::parse_time(s) {
                Some(_) => Value::String(crate::table::since(s, now)),
                None => Value::String("<invalid>".into()),
            },
            _ => Value::Null,
        }
    }

    /// The column as a Table's column definition.
    pub fn definition(&self) -> Value {
        serde_json::json!({
            "name": self.name,
            "type": self.column_type,
            "format": self.format,
            "description": self.description,
            "priority": self.priority,
        })
    }
}

/// Where the scale subresource reads and writes a custom object.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalePaths {
    pub spec_replicas: String,
    pub status_replicas: String,
    pub label_selector: Option<String>,
}

fn text(value: Option<&Value>) -> String {
    value
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn texts(value: Option<&Value>) -> Cow<'static, [Text]> {
    let list: Vec<Text> = value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(|s| Cow::Owned(s.to_string()))
                .collect()
        })
        .unwrap_or_default();
    Cow::Owned(list)
}

/// Upstream's default column for custom kinds that list none.
fn age_column() -> PrinterColumn {
    PrinterColumn {
        name: "Age".into(),
        column_type: "date".into(),
        format: String::new(),
        description: String::new(),
        priority: 0,
        json_path: ".metadata.creationTimestamp".into(),
        path: JsonPath::parse(".metadata.creationTimestamp").ok(),
    }
}

fn columns(version: &Value) -> Vec<PrinterColumn> {
    let Some(list) = version
        .get("additionalPrinterColumns")
        .and_then(Value::as_array)
    else {
        return vec![age_column()];
    };
    list.iter()
        .map(|column| PrinterColumn {
            name: text(column.get("name")),
            column_type: text(column.get("type")),
            format: text(column.get("format")),
            description: text(column.get("description")),
            priority: column.get("priority").and_then(Value::as_i64).unwrap_or(0),
            json_path: text(column.get("jsonPath")),
            path: JsonPath::parse(&text(column.get("jsonPath"))).ok(),
        })
        .collect()
}

fn subresources(version: &Value) -> &'static [&'static str] {
    let subresources = version.get("subresources");
    let status = subresources.and_then(|s| s.get("status")).is_some();
    let scale = subresources.and_then(|s| s.get("scale")).is_some();
    match (status, scale) {
        (true, true) => &["status", "scale"],
        (true, false) => &["status"],
        (false, true) => &["scale"],
        (false, false) => &[],
    }
}

fn scale_paths(version: &Value) -> Option<ScalePaths> {
    let scale = version.pointer("/subresources/scale")?;
    Some(ScalePaths {
        spec_replicas: text(scale.get("specReplicasPath")),
        status_replicas: text(scale.get("statusReplicasPath")),
        label_selector: scale
            .get("labelSelectorPath")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

/// The registry rows of a definition's served versions, in upstream's
/// version priority order (GA before beta before alpha, newer first); none
/// when the definition is not whole enough to serve (no group or names).
pub fn rows(definition: &Value) -> Vec<Arc<ResourceInfo>> {
    let name = text(definition.pointer("/metadata/name"));
    let Some(spec) = definition.get("spec") else {
        return Vec::new();
    };
    let group = text(spec.get("group"));
    let names = spec.get("names").cloned().unwrap_or(Value::Null);
    let kind = text(names.get("kind"));
    let plural = text(names.get("plural"));
    if group.is_empty() || kind.is_empty() || plural.is_empty() {
        return Vec::new();
    }
    let singular = Some(text(names.get("singular")))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| kind.to_lowercase());
    let namespaced = spec.get("scope").and_then(Value::as_str) != Some("Cluster");
    let mut versions: Vec<&Value> = spec
        .get("versions")
        .and_then(Value::as_array)
        .map(|v| v.iter().collect())
        .unwrap_or_default();
    versions.sort_by(|a, b| {
        compare_versions(
            a.get("name").and_then(Value::as_str).unwrap_or_default(),
            b.get("name").and_then(Value::as_str).unwrap_or_default(),
        )
    });
    let storage_version = versions
        .iter()
        .find(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
        .map(|v| text(v.get("name")));
    let row = |version: &Value, storage_row: Option<Arc<ResourceInfo>>| {
        let version_name = text(version.get("name"));
        let deprecation = (version.get("deprecated").and_then(Value::as_bool) == Some(true))
            .then(|| {
                version
                    .get("deprecationWarning")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{group}/{version_name} {kind} is deprecated"))
            })
            .map(Cow::Owned);
        let stored_as = storage_version
            .as_ref()
            .filter(|stored| **stored != version_name)
            .map(|stored| Cow::Owned(format!("{group}/{stored}")));
        let selectable_fields: Vec<Text> = version
            .get("selectableFields")
            .and_then(Value::as_array)
            .map(|fields| {
                fields
                    .iter()
                    .filter_map(|f| f.get("jsonPath").and_then(Value::as_str))
                    .map(|path| Cow::Owned(path.trim_start_matches('.').to_string()))
                    .collect()
            })
            .unwrap_or_default();
        Arc::new(ResourceInfo {
            group: Cow::Owned(group.clone()),
            version: Cow::Owned(version_name),
            kind: Cow::Owned(kind.clone()),
            plural: Cow::Owned(plural.clone()),
            singular: Cow::Owned(singular.clone()),
            short_names: texts(names.get("shortNames")),
            categories: texts(names.get("categories")),
            namespaced,
            verbs: ALL_VERBS,
            subresources: subresources(version),
            storage: Cow::Owned(format!("{group}/{plural}")),
            selectable_fields: Cow::Owned(selectable_fields),
            printer: Printer::Custom,
            stored: true,
            deprecation,
            stored_as,
            custom: Some(Arc::new(CustomKind {
                definition: name.clone(),
                terminating: definition.pointer("/metadata/deletionTimestamp").is_some(),
                storage_row,
                columns: columns(version),
                scale: scale_paths(version),
                schema_json: version.pointer("/schema/openAPIV3Schema").cloned(),
                schema: version
                    .pointer("/schema/openAPIV3Schema")
                    .and_then(|s| Schema::parse(s).ok()),
                conversion_webhook: ConversionWebhook::of(definition),
            })),
        })
    };
    let storage_row = versions
        .iter()
        .find(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
        .map(|v| row(v, None));
    versions
        .iter()
        .filter(|v| v.get("served").and_then(Value::as_bool) == Some(true))
        .map(|v| {
            let is_storage = storage_version.as_deref() == v.get("name").and_then(Value::as_str);
            match (&storage_row, is_storage) {
                (Some(storage), true) => storage.clone(),
                (storage, _) => row(v, storage.clone()),
            }
        })
        .collect()
}

/// Kubernetes' version order (as discovery lists versions): versions that
/// read `v<major>[alpha|beta<minor>]` first — GA, then beta, then alpha,
/// higher numbers first — then the others alphabetically.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    fn parse(version: &str) -> Option<(u64, u8, u64)> {
        let rest = version.strip_prefix('v')?;
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let major: u64 = rest[..digits].parse().ok()?;
        if major == 0 {
            return None;
        }
        let rest = &rest[digits..];
        if rest.is_empty() {
            return Some((major, 2, 0));
        }
        let (stage, minor) = if let Some(minor) = rest.strip_prefix("beta") {
            (1, minor)
        } else if let Some(minor) = rest.strip_prefix("alpha") {
            (0, minor)
        } else {
            return None;
        };
        let minor: u64 = minor.parse().ok().filter(|m| *m > 0)?;
        Some((major, stage, minor))
    }
    match (parse(a), parse(b)) {
        (Some((ma, sa, na)), Some((mb, sb, nb))) => sb.cmp(&sa).then(mb.cmp(&ma)).then(nb.cmp(&na)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions_sort_as_kubernetes_orders_them() {
        let mut versions = vec![
            "v1alpha1",
            "v11alpha2",
            "foo1",
            "v10beta3",
            "v2",
            "v1",
            "v12alpha1",
            "v3beta1",
            "v11beta2",
            "foo10",
            "v10",
            "v1beta1",
        ];
        versions.sort_by(|a, b| compare_versions(a, b));
        assert_eq!(
            versions,
            [
                "v10",
                "v2",
                "v1",
                "v11beta2",
                "v10beta3",
                "v3beta1",
                "v1beta1",
                "v12alpha1",
                "v11alpha2",
                "v1alpha1",
                "foo1",
                "foo10"
            ]
        );
    }

    #[test]
    fn a_definition_gives_a_row_per_served_version() {
        let definition = json!({
            "metadata": {"name": "widgets.example.com"},
            "spec": {
                "group": "example.com",
                "scope": "Namespaced",
                "names": {"kind": "Widget", "plural": "widgets", "shortNames": ["wd"],
                          "categories": ["all"]},
                "versions": [
                    {"name": "v1beta1", "served": true, "storage": false, "deprecated": true},
                    {"name": "v1", "served": true, "storage": true,
                     "subresources": {"status": {}, "scale": {
                         "specReplicasPath": ".spec.replicas",
                         "statusReplicasPath": ".status.replicas"}},
                     "additionalPrinterColumns": [
                         {"name": "Size", "type": "integer", "jsonPath": ".spec.size"}]},
                    {"name": "v0", "served": false, "storage": false}
                ]
            }
        });
        let rows = rows(&definition);
        let versions: Vec<&str> = rows.iter().map(|r| &*r.version).collect();
        assert_eq!(versions, ["v1", "v1beta1"]);
        let (v1, beta) = (&rows[0], &rows[1]);
        assert_eq!(v1.singular, "widget");
        assert_eq!(
            v1.storage_key(Some("ns"), "a"),
            "/registry/example.com/widgets/ns/a"
        );
        assert_eq!(v1.subresources, ["status", "scale"]);
        assert_eq!(&*v1.short_names, [Cow::Borrowed("wd")]);
        assert!(v1.stored_as.is_none());
        assert_eq!(beta.stored_as.as_deref(), Some("example.com/v1"));
        assert_eq!(
            beta.deprecation.as_deref(),
            Some("example.com/v1beta1 Widget is deprecated")
        );
        let custom = beta.custom.as_ref().unwrap();
        assert!(Arc::ptr_eq(custom.storage_row.as_ref().unwrap(), v1));
        assert_eq!(custom.columns, [age_column()]);
        assert_eq!(
            v1.custom.as_ref().unwrap().columns[0].json_path,
            ".spec.size"
        );
    }
}
