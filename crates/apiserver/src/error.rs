//! Errors as Kubernetes `Status` objects, with upstream's codes, reasons and
//! messages, so kubectl prints what it prints against any cluster.

use api::ResourceInfo;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use store::StoreError;

/// One field problem of an `Invalid` error.
#[derive(Clone, Debug)]
pub struct Cause {
    pub reason: &'static str,
    pub field: String,
    pub message: String,
}

impl Cause {
    pub fn invalid(field: impl Into<String>, value: &str, detail: &str) -> Cause {
        Cause {
            reason: "FieldValueInvalid",
            field: field.into(),
            message: format!("Invalid value: {value:?}: {detail}"),
        }
    }

    /// `Invalid` with the value as upstream prints it: numbers bare,
    /// strings quoted, label maps and selectors as Go writes them.
    pub fn invalid_value(field: impl Into<String>, value: &Value, detail: &str) -> Cause {
        Cause {
            reason: "FieldValueInvalid",
            field: field.into(),
            message: format!("Invalid value: {}: {detail}", go_value(value)),
        }
    }

    pub fn not_found(field: impl Into<String>, value: &str) -> Cause {
        Cause {
            reason: "FieldValueNotFound",
            field: field.into(),
            message: format!("Not found: {value:?}"),
        }
    }

    pub fn too_long(field: impl Into<String>, max: usize) -> Cause {
        Cause {
            reason: "FieldValueTooLong",
            field: field.into(),
            message: format!("Too long: may not be more than {max} bytes"),
        }
    }

    pub fn too_many(field: impl Into<String>, actual: usize, max: usize) -> Cause {
        Cause {
            reason: "FieldValueTooMany",
            field: field.into(),
            message: format!("Too many: {actual}: must have at most {max} items"),
        }
    }

    pub fn required(field: impl Into<String>, detail: &str) -> Cause {
        Cause {
            reason: "FieldValueRequired",
            field: field.into(),
            message: if detail.is_empty() {
                "Required value".to_string()
            } else {
                format!("Required value: {detail}")
            },
        }
    }

    pub fn duplicate(field: impl Into<String>, value: &str) -> Cause {
        Cause {
            reason: "FieldValueDuplicate",
            field: field.into(),
            message: format!("Duplicate value: {value:?}"),
        }
    }

    pub fn forbidden(field: impl Into<String>, detail: &str) -> Cause {
        Cause {
            reason: "FieldValueForbidden",
            field: field.into(),
            message: format!("Forbidden: {detail}"),
        }
    }

    pub fn not_supported(field: impl Into<String>, value: &str, supported: &[&str]) -> Cause {
        let list = supported
            .iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        Cause {
            reason: "FieldValueNotSupported",
            field: field.into(),
            message: format!("Unsupported value: {value:?}: supported values: {list}"),
        }
    }
}

/// A JSON value as Go's `%v`/`%#v` prints the typed value upstream
/// reports: a string map is `map[string]string{"k":"v"}`, a label selector
/// `v1.LabelSelector{...}`; other objects fall back to JSON.
/// A JSON value's type as Go's decoder names it in its errors.
pub fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

pub fn go_value(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::String(s) => format!("{s:?}"),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Object(map) if map.is_empty() => "map[string]string(nil)".into(),
        Value::Array(items) if items.iter().all(Value::is_string) && !items.is_empty() => format!(
            "[]string{{{}}}",
            items
                .iter()
                .map(|s| format!("{:?}", s.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Object(map) if map.values().all(Value::is_string) => string_map(value),
        Value::Object(map)
            if !map.is_empty()
                && map
                    .keys()
                    .all(|k| k == "matchLabels" || k == "matchExpressions") =>
        {
            let labels = match map.get("matchLabels") {
                Some(labels) if labels.as_object().is_some_and(|l| !l.is_empty()) => {
                    string_map(labels)
                }
                _ => "map[string]string(nil)".into(),
            };
            let expressions = match map.get("matchExpressions").and_then(Value::as_array) {
                Some(list) if !list.is_empty() => {
                    let items: Vec<String> = list
                        .iter()
                        .map(|e| {
                            let values = match e.get("values").and_then(Value::as_array) {
                                Some(v) if !v.is_empty() => format!(
                                    "[]string{{{}}}",
                                    v.iter()
                                        .map(|s| format!("{:?}", s.as_str().unwrap_or_default()))
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                                _ => "[]string(nil)".into(),
                            };
                            format!(
                                "v1.LabelSelectorRequirement{{Key:{:?}, Operator:{:?}, Values:{values}}}",
                                e.get("key").and_then(Value::as_str).unwrap_or_default(),
                                e.get("operator").and_then(Value::as_str).unwrap_or_default()
                            )
                        })
                        .collect();
                    format!("[]v1.LabelSelectorRequirement{{{}}}", items.join(", "))
                }
                _ => "[]v1.LabelSelectorRequirement(nil)".into(),
            };
            format!("v1.LabelSelector{{MatchLabels:{labels}, MatchExpressions:{expressions}}}")
        }
        other => other.to_string(),
    }
}

fn string_map(value: &Value) -> String {
    let mut entries: Vec<(&String, &Value)> = value
        .as_object()
        .map(|m| m.iter().collect())
        .unwrap_or_default();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    let body = entries
        .iter()
        .map(|(k, v)| format!("{:?}:{:?}", k, v.as_str().unwrap_or_default()))
        .collect::<Vec<_>>()
        .join(", ");
    format!("map[string]string{{{body}}}")
}

#[derive(Clone, Debug)]
pub struct ApiError {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub details: Option<Value>,
    /// Seconds, for 429.
    pub retry_after: Option<u32>,
}

impl ApiError {
    fn new(code: u16, reason: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            reason,
            message: message.into(),
            details: None,
            retry_after: None,
        }
    }

    /// An error with the code and reason someone else chose (a webhook's
    /// status): a reason upstream names is kept, any other becomes the
    /// code's own.
    pub fn with_code(code: u16, reason: &str, message: impl Into<String>) -> ApiError {
        const REASONS: &[&str] = &[
            "Unauthorized",
            "Forbidden",
            "NotFound",
            "AlreadyExists",
            "Conflict",
            "Gone",
            "Invalid",
            "ServerTimeout",
            "Timeout",
            "TooManyRequests",
            "BadRequest",
            "MethodNotAllowed",
            "NotAcceptable",
            "RequestEntityTooLarge",
            "UnsupportedMediaType",
            "InternalError",
            "Expired",
            "ServiceUnavailable",
        ];
        let code = if (400..600).contains(&code) {
            code
        } else {
            500
        };
        let reason = REASONS
            .iter()
            .copied()
            .find(|r| *r == reason)
            .unwrap_or(match code {
                400 => "BadRequest",
                401 => "Unauthorized",
                403 => "Forbidden",
                404 => "NotFound",
                405 => "MethodNotAllowed",
                409 => "Conflict",
                410 => "Gone",
                422 => "Invalid",
                429 => "TooManyRequests",
                503 => "ServiceUnavailable",
                504 => "Timeout",
                _ => "",
            });
        ApiError::new(code, reason, message)
    }

    /// Details given as they are (the authorizer's refusals name a
    /// resource, not a registry row).
    pub fn with_raw_details(mut self, details: Value) -> ApiError {
        self.details = Some(details);
        self
    }

    fn with_details(mut self, info: &ResourceInfo, name: &str) -> ApiError {
        let mut details = json!({"name": name, "kind": info.plural});
        if !info.group.is_empty() {
            details["group"] = json!(info.group);
        }
        self.details = Some(details);
        self
    }

    pub fn not_found(info: &ResourceInfo, name: &str) -> ApiError {
        ApiError::new(
            404,
            "NotFound",
            format!("{} \"{name}\" not found", info.qualified_plural()),
        )
        .with_details(info, name)
    }

    pub fn already_exists(info: &ResourceInfo, name: &str) -> ApiError {
        ApiError::new(
            409,
            "AlreadyExists",
            format!("{} \"{name}\" already exists", info.qualified_plural()),
        )
        .with_details(info, name)
    }

    pub fn conflict(info: &ResourceInfo, name: &str) -> ApiError {
        ApiError::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                info.qualified_plural()
            ),
        )
        .with_details(info, name)
    }

    pub fn conflict_message(info: &ResourceInfo, name: &str, detail: &str) -> ApiError {
        ApiError::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": {detail}",
                info.qualified_plural()
            ),
        )
        .with_details(info, name)
    }

    pub fn invalid(info: &ResourceInfo, name: &str, causes: Vec<Cause>) -> ApiError {
        ApiError::invalid_kind(&info.group, &info.kind, name, causes)
    }

    /// `Invalid` for a kind that is not a resource of its own (a Binding,
    /// an Eviction).
    pub fn invalid_kind(group: &str, kind: &str, name: &str, causes: Vec<Cause>) -> ApiError {
        let summary = causes
            .iter()
            .map(|c| {
                if c.field.is_empty() {
                    c.message.clone()
                } else {
                    format!("{}: {}", c.field, c.message)
                }
            })
            .collect::<Vec<_>>();
        let summary = if summary.len() == 1 {
            summary[0].clone()
        } else {
            format!("[{}]", summary.join(", "))
        };
        // Upstream names the kind with its group (`Deployment.apps`).
        let qualified = if group.is_empty() {
            kind.to_string()
        } else {
            format!("{kind}.{group}")
        };
        let mut error = ApiError::new(
            422,
            "Invalid",
            format!("{qualified} \"{name}\" is invalid: {summary}"),
        );
        let mut details = json!({
            "name": name,
            "kind": kind,
            "causes": causes.iter().map(|c| json!({
                "reason": c.reason, "message": c.message, "field": c.field
            })).collect::<Vec<_>>(),
        });
        if !group.is_empty() {
            details["group"] = json!(group);
        }
        error.details = Some(details);
        error
    }

    /// A 409 on a subresource (`pods/binding`), upstream's wording.
    pub fn conflict_on(resource: &str, name: &str, detail: &str) -> ApiError {
        let mut error = ApiError::new(
            409,
            "Conflict",
            format!("Operation cannot be fulfilled on {resource} \"{name}\": {detail}"),
        );
        error.details = Some(json!({"name": name, "kind": resource}));
        error
    }

    pub fn unprocessable(message: impl Into<String>) -> ApiError {
        ApiError::new(422, "Invalid", message)
    }

    /// A server-side apply refused for fields other managers own: 409
    /// with one `FieldManagerConflict` cause per field.
    pub fn apply_conflict(message: String, causes: Vec<(String, String)>) -> ApiError {
        let causes: Vec<Value> = causes
            .into_iter()
            .map(|(field, message)| {
                json!({"type": "FieldManagerConflict", "message": message, "field": field})
            })
            .collect();
        ApiError::new(409, "Conflict", message).with_raw_details(json!({"causes": causes}))
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "BadRequest", message)
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(401, "Unauthorized", "Unauthorized")
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(403, "Forbidden", message)
    }

    pub fn path_not_found() -> ApiError {
        ApiError::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        )
    }

    pub fn method_not_allowed() -> ApiError {
        ApiError::new(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
        )
    }

    /// 405 with a reason of its own (a custom kind whose definition is
    /// being deleted refuses creates).
    pub fn method_not_allowed_because(message: impl Into<String>) -> ApiError {
        ApiError::new(405, "MethodNotAllowed", message)
    }

    pub fn not_acceptable(message: impl Into<String>) -> ApiError {
        ApiError::new(406, "NotAcceptable", message)
    }

    pub fn gone(message: impl Into<String>) -> ApiError {
        ApiError::new(410, "Expired", message)
    }

    pub fn too_large(limit: usize) -> ApiError {
        ApiError::new(
            413,
            "RequestEntityTooLarge",
            format!("Request entity too large: limit is {limit}"),
        )
    }

    pub fn timeout(message: impl Into<String>) -> ApiError {
        ApiError::new(504, "Timeout", message)
    }

    pub fn too_large_because(message: impl Into<String>) -> ApiError {
        ApiError::new(413, "RequestEntityTooLarge", message)
    }

    pub fn unsupported_media_type(message: impl Into<String>) -> ApiError {
        ApiError::new(415, "UnsupportedMediaType", message)
    }

    pub fn too_many_requests() -> ApiError {
        let mut error = ApiError::new(
            429,
            "TooManyRequests",
            "Too many requests, please try again later.",
        );
        error.retry_after = Some(1);
        error
    }

    /// A 429 that is not about load: the request would break a rule
    /// (a disruption budget) and may succeed later.
    pub fn too_many_requests_because(
        message: impl Into<String>,
        retry_after: u32,
        causes: Vec<Value>,
    ) -> ApiError {
        let mut error = ApiError::new(429, "TooManyRequests", message);
        error.retry_after = Some(retry_after);
        error.details = Some(json!({"causes": causes}));
        error
    }

    /// A read at a revision the store has not reached (yet).
    pub fn too_large_resource_version(requested: i64, current: i64) -> ApiError {
        let mut error = ApiError::new(
            504,
            "Timeout",
            format!("Too large resource version: {requested}, current: {current}"),
        );
        error.retry_after = Some(1);
        error.details = Some(json!({"causes": [{
            "reason": "ResourceVersionTooLarge",
            "message": "Too large resource version",
        }]}));
        error
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(500, "InternalError", message)
    }

    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError::new(503, "ServiceUnavailable", message)
    }

    /// A store error on `name` of `info`.
    pub fn from_store(err: StoreError, info: &ResourceInfo, name: &str) -> ApiError {
        match err {
            StoreError::NotFound(_) => ApiError::not_found(info, name),
            StoreError::AlreadyExists(_) => ApiError::already_exists(info, name),
            StoreError::Conflict { .. } => ApiError::conflict(info, name),
            StoreError::Compacted {
                requested,
                compacted,
            } => ApiError::gone(format!(
                "too old resource version: {requested} ({compacted})"
            )),
            StoreError::FutureRevision { requested, current } => {
                ApiError::too_large_resource_version(requested, current)
            }
            StoreError::ValueTooLarge { .. } => ApiError::too_large(store::MAX_VALUE_BYTES),
            StoreError::InvalidKey { reason, .. } => ApiError::bad_request(reason),
            StoreError::InvalidArgument(message) => ApiError::bad_request(message),
            StoreError::Unavailable(message) => ApiError::unavailable(message),
            other => ApiError::internal(other.to_string()),
        }
    }

    pub fn to_status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let Some(details) = &self.details {
            status["details"] = details.clone();
        }
        if let Some(seconds) = self.retry_after.filter(|s| *s > 0) {
            status["details"]["retryAfterSeconds"] = json!(seconds);
        }
        status
    }
}

/// Field orders of upstream's Status, StatusDetails and StatusCause (Go
/// writes struct fields in declaration order; clients compare bodies).
const STATUS_ORDER: &[&str] = &[
    "kind",
    "apiVersion",
    "metadata",
    "status",
    "message",
    "reason",
    "details",
    "code",
];
const DETAILS_ORDER: &[&str] = &[
    "name",
    "group",
    "kind",
    "uid",
    "causes",
    "retryAfterSeconds",
];
const CAUSE_ORDER: &[&str] = &["reason", "message", "field"];

/// A Status object's JSON in upstream's field order (fields it does not
/// know follow, sorted).
pub fn status_json(status: &Value) -> String {
    let mut out = String::new();
    in_order(status, STATUS_ORDER, &mut out, &|key, value, out| {
        if key != "details" {
            return plain(key, value, out);
        }
        in_order(value, DETAILS_ORDER, out, &|key, value, out| match value {
            Value::Array(causes) if key == "causes" => {
                out.push('[');
                for (i, cause) in causes.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    in_order(cause, CAUSE_ORDER, out, &plain);
                }
                out.push(']');
            }
            _ => plain(key, value, out),
        });
    });
    out
}

type WriteField<'a> = &'a dyn Fn(&str, &Value, &mut String);

fn in_order(value: &Value, order: &[&str], out: &mut String, write: WriteField<'_>) {
    let Value::Object(map) = value else {
        out.push_str(&value.to_string());
        return;
    };
    out.push('{');
    let known = order.iter().copied().filter(|k| map.contains_key(*k));
    let rest = map
        .keys()
        .map(String::as_str)
        .filter(|k| !order.contains(k));
    for (i, key) in known.chain(rest).enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&Value::from(key).to_string());
        out.push(':');
        write(key, &map[key], out);
    }
    out.push('}');
}

fn plain(_key: &str, value: &Value, out: &mut String) {
    out.push_str(&value.to_string());
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (
            code,
            [(header::CONTENT_TYPE, "application/json")],
            status_json(&self.to_status()) + "\n",
        )
            .into_response();
        if let Some(seconds) = self.retry_after.filter(|s| *s > 0) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_written_in_upstreams_field_order() {
        let info = api::registry::lookup("apps", "v1", "deployments").unwrap();
        assert_eq!(
            status_json(&ApiError::not_found(info, "web").to_status()),
            r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \"web\" not found","reason":"NotFound","details":{"name":"web","group":"apps","kind":"deployments"},"code":404}"#
        );
        let invalid = json!({"kind": "Status", "code": 422, "details": {"causes": [
            {"field": "spec.replicas", "message": "Invalid value", "reason": "FieldValueInvalid"}
        ], "name": "web"}, "zeta": 1});
        assert_eq!(
            status_json(&invalid),
            r#"{"kind":"Status","details":{"name":"web","causes":[{"reason":"FieldValueInvalid","message":"Invalid value","field":"spec.replicas"}]},"code":422,"zeta":1}"#
        );
    }
}
