//! Kinds that are answered, not stored: component statuses and the
//! authentication and authorization reviews.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::auth::User;
use crate::error::ApiError;
use crate::handlers::ApiState;
use crate::request::ResourceRequest;

fn respond(code: StatusCode, value: &Value) -> Response {
    (
        code,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

fn component(name: &str, healthy: bool, message: &str, error: &str) -> Value {
    let mut condition =
        json!({"type": "Healthy", "status": if healthy { "True" } else { "False" }});
    if !message.is_empty() {
        condition["message"] = json!(message);
    }
    if !error.is_empty() {
        condition["error"] = json!(error);
    }
    json!({"kind": "ComponentStatus", "apiVersion": "v1", "metadata": {"name": name}, "conditions": [condition]})
}

/// Every component's health, probed now, all at once; sorted by name as
/// upstream lists them.
async fn component_statuses(state: &ApiState) -> Vec<Value> {
    let probes = state.component_probes.iter().map(|probe| async move {
        match crate::component_health::probe(probe.address).await {
            Ok(body) => component(&probe.name, true, &body, ""),
            Err(err) => component(&probe.name, false, "", &err),
        }
    });
    let store = async {
        match state.store.current_revision().await {
            Ok(_) => component("etcd-0", true, "ok", ""),
            Err(err) => component("etcd-0", false, "", &err.to_string()),
        }
    };
    let (mut items, store) = futures::join!(futures::future::join_all(probes), store);
    items.push(store);
    items.sort_by(|a, b| {
        a.pointer("/metadata/name")
            .and_then(Value::as_str)
            .cmp(&b.pointer("/metadata/name").and_then(Value::as_str))
    });
    items
}

pub async fn serve(
    state: &ApiState,
    resource: &ResourceRequest,
    user: &User,
    body: &[u8],
    headers: &axum::http::HeaderMap,
    query: &std::collections::HashMap<String, String>,
) -> Result<Response, ApiError> {
    let as_table = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("as=Table"));
    let parse = |body: &[u8]| crate::request_body::decode(headers, body);
    let info = &resource.info;
    match (&*info.kind, resource.verb) {
        ("ComponentStatus", "list") => {
            let items = component_statuses(state).await;
            if as_table {
                let table = crate::tables::list(info, &items, 0, None, None, query);
                return Ok(respond(StatusCode::OK, &table));
            }
            Ok(respond(
                StatusCode::OK,
                &json!({
                    "kind": "ComponentStatusList", "apiVersion": "v1", "metadata": {}, "items": items
                }),
            ))
        }
        ("ComponentStatus", "get") => {
            let name = resource.name.as_deref().unwrap_or_default();
            component_statuses(state)
                .await
                .into_iter()
                .find(|c| c.pointer("/metadata/name").and_then(Value::as_str) == Some(name))
                .map(|c| respond(StatusCode::OK, &c))
                .ok_or_else(|| ApiError::not_found(info, name))
        }
        ("SelfSubjectAccessReview", "create") => {
            let mut review = parse(body)?;
            review["status"] = access_review(state, user.clone(), &review["spec"], None);
            Ok(respond(StatusCode::CREATED, &review))
        }
        ("SelfSubjectRulesReview", "create") => {
            let mut review = parse(body)?;
            let namespace = review
                .pointer("/spec/namespace")
                .and_then(Value::as_str)
                .unwrap_or("");
            if namespace.is_empty() {
                return Err(ApiError::bad_request("no namespace on request"));
            }
            let rules = state.authorization.chain.rules_for(user, namespace);
            review["status"] = json!({
                "resourceRules": rules.resource_rules,
                "nonResourceRules": rules.non_resource_rules,
                "incomplete": rules.incomplete,
            });
            Ok(respond(StatusCode::CREATED, &review))
        }
        ("SubjectAccessReview", "create") => {
            let mut review = parse(body)?;
            let subject = review_subject(info, &review["spec"])?;
            review["status"] = access_review(state, subject, &review["spec"], None);
            Ok(respond(StatusCode::CREATED, &review))
        }
        ("LocalSubjectAccessReview", "create") => {
            // A review within the namespace of its path, for those who may
            // create reviews there.
            let namespace = resource.namespace.clone().unwrap_or_default();
            let mut review = parse(body)?;
            let given = review
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or("");
            if !given.is_empty() && given != namespace {
                return Err(ApiError::bad_request(format!(
                    "spec.resourceAttributes.namespace must match namespace: {namespace}"
                )));
            }
            let asked = review
                .pointer("/spec/resourceAttributes/namespace")
                .and_then(Value::as_str)
                .unwrap_or("");
            if !asked.is_empty() && asked != namespace {
                return Err(ApiError::invalid(
                    info,
                    "",
                    vec![crate::error::Cause::invalid(
                        "spec.resourceAttributes.namespace",
                        asked,
                        "must match metadata.namespace",
                    )],
                ));
            }
            review["metadata"]["namespace"] = json!(namespace);
            let subject = review_subject(info, &review["spec"])?;
            review["status"] = access_review(state, subject, &review["spec"], Some(&namespace));
            Ok(respond(StatusCode::CREATED, &review))
        }
        ("SelfSubjectReview", "create") => {
            let mut review = parse(body)?;
            review["status"] = json!({"userInfo": user_info(user)});
            Ok(respond(StatusCode::CREATED, &review))
        }
        ("TokenReview", "create") => {
            let mut review = parse(body)?;
            let token = review
                .pointer("/spec/token")
                .and_then(Value::as_str)
                .unwrap_or("");
            let found =
                crate::handlers::authenticate_bearer(state, Some(&format!("Bearer {token}"))).await;
            review["status"] = match found {
                Some(found) => {
                    json!({"authenticated": true, "user": user_info(&found)})
                }
                None => json!({"authenticated": false, "error": "invalid bearer token"}),
            };
            Ok(respond(StatusCode::CREATED, &review))
        }
        _ => Err(ApiError::method_not_allowed()),
    }
}

/// Whom a SubjectAccessReview asks about: its user, groups, uid and extra.
fn review_subject(info: &api::ResourceInfo, spec: &Value) -> Result<User, ApiError> {
    let text = |field: &str| spec.get(field).and_then(Value::as_str).unwrap_or("");
    let groups: Vec<String> = spec
        .get("groups")
        .and_then(Value::as_array)
        .map(|g| {
            g.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    if text("user").is_empty() && groups.is_empty() {
        return Err(ApiError::invalid(
            info,
            "",
            vec![crate::error::Cause::invalid(
                "spec.user",
                "",
                "at least one of user or group must be specified",
            )],
        ));
    }
    Ok(User {
        name: text("user").to_string(),
        uid: text("uid").to_string(),
        groups,
        extra: spec
            .get("extra")
            .and_then(|extra| serde_json::from_value(extra.clone()).ok())
            .unwrap_or_default(),
    })
}

/// A user as reviews and audit events show it
/// (`authentication.k8s.io/v1` UserInfo).
pub(crate) fn user_info(user: &User) -> Value {
    let mut info = json!({"username": user.name, "groups": user.groups});
    if !user.uid.is_empty() {
        info["uid"] = json!(user.uid);
    }
    if !user.extra.is_empty() {
        info["extra"] = json!(user.extra);
    }
    info
}

/// The status of an access review of `spec` for `user`: resource or
/// non-resource attributes, decided by the server's authorizers.
fn access_review(state: &ApiState, user: User, spec: &Value, namespace: Option<&str>) -> Value {
    let text = |value: &Value, field: &str| {
        value
            .get(field)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let attributes =
        if let Some(resource) = spec.get("resourceAttributes").filter(|v| v.is_object()) {
            crate::authz::Attributes {
                user,
                verb: text(resource, "verb"),
                resource_request: true,
                api_group: text(resource, "group"),
                resource: text(resource, "resource"),
                subresource: text(resource, "subresource"),
                name: text(resource, "name"),
                namespace: namespace
                    .map(str::to_string)
                    .unwrap_or_else(|| text(resource, "namespace")),
                path: String::new(),
            }
        } else {
            let path = spec
                .get("nonResourceAttributes")
                .cloned()
                .unwrap_or(Value::Null);
            crate::authz::Attributes {
                user,
                verb: text(&path, "verb"),
                path: text(&path, "path"),
                ..crate::authz::Attributes::default()
            }
        };
    let (allowed, reason) = state.authorization.chain.decide(&attributes);
    let mut status = json!({"allowed": allowed});
    if !reason.is_empty() {
        status["reason"] = json!(reason);
    }
    status
}
