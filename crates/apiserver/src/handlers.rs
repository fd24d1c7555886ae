//! The REST handlers: authentication, routing and the verbs on resources.

use std::collections::HashMap;
use std::sync::Arc;

use api::ResourceInfo;
use api::selectors::{FieldSelector, LabelSelector};
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};
use store::{RangeOptions, SharedStore, StoreError};

use crate::watch_cache::{Freshness, Snapshot};
use tokio::sync::Semaphore;

use crate::auth::{TokenFile, User};
use crate::objects::{self, decode, encode};
use crate::request::{self, Parsed, ResourceRequest, Target};
use crate::status::ApiError;
use crate::{discovery, patch, scale, tables, watch};

/// Request bodies larger than this are refused with 413 (upstream's limit).
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;
/// Store page size for lists that filter or want everything.
const LIST_PAGE: usize = 1000;
/// Optimistic-concurrency retries of a patch before giving up with 409.
/// Upstream retries a write that names no resourceVersion until it lands;
/// this bound only stops a pathological live-lock, never a burst of
/// ordinary racing writers (controllers patching the same object).
pub(crate) const PATCH_RETRIES: usize = 100;

/// What every request handler shares.
pub struct ApiState {
    pub store: SharedStore,
    pub metrics: Arc<crate::metrics::Metrics>,
    /// One store watch per resource, shared by all watches of it.
    pub watch_cache: crate::watch_cache::WatchCaches,
    pub tokens: TokenFile,
    /// Signs and checks service account tokens.
    pub service_accounts: Option<crate::service_account_tokens::TokenIssuer>,
    /// The cluster CA, served unauthenticated at `/cacerts` (public; a
    /// joining node checks it against its token's fingerprint).
    pub ca_pem: String,
    /// TLS to kubelets, with this server's kubelet client certificate
    /// (kubelets' serving certificates are not checked, as upstream's
    /// default without --kubelet-certificate-authority).
    pub kubelet_client: Option<Arc<rustls::ClientConfig>>,
    /// `--authorization-mode`'s authorizers and the RBAC policy.
    pub authorization: Arc<crate::authz::Authorization>,
    /// `host:port` clients reach this server at.
    pub advertise_address: String,
    /// Non-long-running requests in flight (max-in-flight).
    /// The max-in-flight limits, for reads and for writes.
    pub inflight_readonly: Semaphore,
    pub inflight_mutating: Semaphore,
    /// Bytes of request bodies held at once, from the first byte read until
    /// the request is answered.
    pub body_budget: Arc<Semaphore>,
    pub ready: std::sync::atomic::AtomicBool,
    pub component_probes: Vec<crate::component_health::ComponentProbe>,
    pub admission: crate::admission::AdmissionChain,
    /// ClusterIPs and NodePorts.
    pub services: Arc<crate::service_allocation::ServiceRanges>,
    /// Watches open per user.
    pub watches: crate::watch::WatchCounts,
    /// `--audit-policy-file` and `--audit-log-path`, when given.
    pub auditor: Option<Arc<crate::audit::Auditor>>,
}

/// The address a request's connection came from (for audit events).
#[derive(Clone, Copy, Debug)]
pub struct PeerAddress(pub std::net::IpAddr);

/// Where `route` leaves the audit record of a request once it knows who
/// asks, for `handle` to finish when the response is known.
#[derive(Clone, Default)]
struct AuditSlot(Arc<std::sync::Mutex<Option<Arc<crate::audit::Record>>>>);

impl AuditSlot {
    fn set(&self, record: Arc<crate::audit::Record>) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(record);
        }
    }

    fn take(&self) -> Option<Arc<crate::audit::Record>> {
        self.0.lock().ok().and_then(|mut slot| slot.take())
    }
}

/// The authenticated user of a TLS connection, put on each of its requests.
#[derive(Clone, Debug)]
pub struct ConnectionUser(pub Option<User>);

type Query = HashMap<String, String>;

fn query_of(request: &Request<Body>) -> Query {
    request
        .uri()
        .query()
        .map(url_decode_pairs)
        .unwrap_or_default()
}

fn url_decode_pairs(query: &str) -> Query {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn json_response(status: StatusCode, value: &Value) -> Response {
    let body = if value.get("kind").and_then(Value::as_str) == Some("Status") {
        crate::status::status_json(value) + "\n"
    } else {
        value.to_string()
    };
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn wants_table(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("as=Table"))
}

fn is_health(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    ["/healthz", "/livez", "/readyz"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

/// Entry point of every request.
pub async fn handle(state: Arc<ApiState>, mut request: Request<Body>) -> Response {
    let started = std::time::Instant::now();
    let audit = state.auditor.is_some().then(AuditSlot::default);
    if let Some(slot) = &audit {
        request.extensions_mut().insert(slot.clone());
    }
    let labels = metric_labels(&request);
    let _inflight = labels.as_ref().filter(|l| l.verb != "WATCH").map(|l| {
        state
            .metrics
            .inflight(!matches!(l.verb.as_str(), "GET" | "LIST"))
    });
    let metrics = state.metrics.clone();
    let deprecation = deprecation_warning(&request);
    // Watches frame their own events; other answers are re-encoded below.
    let protobuf = labels.as_ref().is_none_or(|l| l.verb != "WATCH")
        && crate::protobuf::wants_protobuf(request.headers());
    // A panic in one request's handling must end only that request: it is
    // answered with a 500 and logged, and the server goes on serving.
    let watching = labels.as_ref().is_some_and(|l| l.verb == "WATCH");
    let routed = std::panic::AssertUnwindSafe(route(state, request));
    let mut panicked = false;
    let mut response = match futures::FutureExt::catch_unwind(routed).await {
        Ok(Ok(response)) => response,
        Ok(Err(error)) => error.into_response(),
        Err(panic) => {
            panicked = true;
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(panic = %what, "a request's handling panicked");
            ApiError::internal(
                "This request caused apiserver to panic. Look in the logs for details.",
            )
            .into_response()
        }
    };
    // Audited as the JSON the handlers answer, before any re-encoding.
    if let Some(record) = audit.and_then(|slot| slot.take()) {
        response = audited(record, response, watching, panicked).await;
    }
    if protobuf {
        response = as_protobuf(response).await;
    }
    if let Some(warning) = deprecation
        && let Ok(value) = header::HeaderValue::from_str(&format!("299 - \"{warning}\""))
    {
        response.headers_mut().append("Warning", value);
    }
    if let Some(labels) = labels {
        metrics.observe_request(&labels, response.status().as_u16(), started);
    }
    response
}

/// Records the response of an audited request: at once, or for a watch
/// when it starts and when it ends.
async fn audited(
    record: Arc<crate::audit::Record>,
    response: Response,
    watching: bool,
    panicked: bool,
) -> Response {
    use crate::audit::Stage;
    let code = response.status().as_u16();
    let (mut parts, body) = response.into_parts();
    if let Ok(id) = header::HeaderValue::from_str(&record.id) {
        parts.headers.insert("Audit-Id", id);
    }
    if panicked {
        record.emit(Stage::Panic, Some((code, None)));
        return Response::from_parts(parts, body);
    }
    if watching && code < 300 {
        record.emit(Stage::ResponseStarted, Some((code, None)));
        // The watch is complete when its stream ends (or its client goes).
        struct Complete(Arc<crate::audit::Record>, u16);
        impl Drop for Complete {
            fn drop(&mut self) {
                self.0
                    .emit(crate::audit::Stage::ResponseComplete, Some((self.1, None)));
            }
        }
        let complete = Complete(record, code);
        let stream = futures::StreamExt::map(body.into_data_stream(), move |chunk| {
            let _ = &complete;
            chunk
        });
        return Response::from_parts(parts, Body::from_stream(stream));
    }
    // Failures carry their Status; RequestResponse records every body.
    if code >= 400 || record.wants_response() {
        return match axum::body::to_bytes(body, usize::MAX).await {
            Ok(bytes) => {
                record.emit(Stage::ResponseComplete, Some((code, Some(&bytes))));
                Response::from_parts(parts, Body::from(bytes))
            }
            Err(err) => {
                record.emit(Stage::ResponseComplete, Some((code, None)));
                ApiError::internal(format!("reading the response: {err}")).into_response()
            }
        };
    }
    record.emit(Stage::ResponseComplete, Some((code, None)));
    Response::from_parts(parts, body)
}

/// Starts the audit record of a request by `user`, when the policy audits
/// it, and hands it to `handle` through the request's slot.
fn begin_audit(
    state: &ApiState,
    request: &Request<Body>,
    attributes: &crate::authz::Attributes,
    api_version: &str,
) -> Option<Arc<crate::audit::Record>> {
    let auditor = state.auditor.as_ref()?;
    let slot = request.extensions().get::<AuditSlot>()?;
    let headers = request.headers();
    // X-Forwarded-For first, then the connection's own address.
    let mut source_ips: Vec<std::net::IpAddr> = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(',')
                .filter_map(|ip| ip.trim().parse().ok())
                .collect()
        })
        .unwrap_or_default();
    if let Some(peer) = request.extensions().get::<PeerAddress>()
        && !source_ips.contains(&peer.0)
    {
        source_ips.push(peer.0);
    }
    let request_attributes = crate::audit::RequestAttributes {
        verb: attributes.verb.clone(),
        resource_request: attributes.resource_request,
        api_group: attributes.api_group.clone(),
        api_version: api_version.to_string(),
        resource: attributes.resource.clone(),
        subresource: attributes.subresource.clone(),
        namespace: attributes.namespace.clone(),
        name: attributes.name.clone(),
        path: attributes.path.clone(),
    };
    let uri = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let record = auditor.begin(
        &attributes.user,
        request_attributes,
        uri,
        source_ips,
        agent,
        chrono::Utc::now(),
    )?;
    slot.set(record.clone());
    Some(record)
}

/// Asks the authorizers, recording their decision in the audit record.
fn authorize(
    state: &ApiState,
    record: Option<&crate::audit::Record>,
    attributes: &crate::authz::Attributes,
) -> Result<(), ApiError> {
    let (allowed, reason) = state.authorization.chain.decide(attributes);
    if let Some(record) = record {
        record.authorized(allowed, &reason);
    }
    if allowed {
        Ok(())
    } else {
        Err(crate::authz::forbidden(attributes, &reason))
    }
}

/// The user an `Authorization: Bearer` header names: a static or node
/// token, or a service account token.
pub async fn authenticate_bearer(state: &ApiState, authorization: Option<&str>) -> Option<User> {
    if let Some(user) = state.tokens.authenticate(authorization) {
        return Some(user);
    }
    let token = serving::bearer_token(authorization?)?;
    if crate::bootstrap_tokens::parse(token).is_some() {
        return crate::bootstrap_tokens::authenticate(state, token).await;
    }
    crate::service_account_tokens::authenticate(state, token).await
}

/// A JSON answer (object, list or Status) re-encoded as protobuf, for a
/// client that asked for it; other answers as they are.
async fn as_protobuf(response: Response) -> Response {
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t == "application/json");
    if !json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // Answers are the server's own, already whole in memory.
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return ApiError::internal("the answer could not be read back").into_response();
    };
    let encoded = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|value| crate::protobuf::encode(&value));
    match encoded {
        Some(protobuf) => {
            parts.headers.insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static(crate::protobuf::MEDIA_TYPE),
            );
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(protobuf))
        }
        // No message for it (discovery, tables): JSON, which clients that
        // ask for protobuf also accept.
        None => Response::from_parts(parts, Body::from(bytes)),
    }
}

/// The warning a request for a deprecated resource gets, whatever its verb
/// or outcome.
fn deprecation_warning(request: &Request<Body>) -> Option<&'static str> {
    match request::parse(request.method(), request.uri().path(), false) {
        Parsed::Target(Target::Resource(resource)) => resource.info.deprecation,
        _ => None,
    }
}

/// The verb, resource and scope of an API request, as metrics label them.
fn metric_labels(request: &Request<Body>) -> Option<crate::metrics::RequestLabels> {
    let watching = request
        .uri()
        .query()
        .is_some_and(|q| q.split('&').any(|p| p == "watch=true" || p == "watch=1"));
    let Parsed::Target(Target::Resource(resource)) =
        request::parse(request.method(), request.uri().path(), watching)
    else {
        return None;
    };
    let verb = match resource.verb {
        "get" => "GET",
        "list" => "LIST",
        "watch" => "WATCH",
        "create" => "POST",
        "update" => "PUT",
        "patch" => "PATCH",
        "delete" | "deletecollection" => "DELETE",
        other => other,
    };
    let scope = if resource.name.is_some() {
        "resource"
    } else if resource.namespace.is_some() {
        "namespace"
    } else {
        "cluster"
    };
    Some(crate::metrics::RequestLabels {
        verb: verb.to_string(),
        group: resource.info.group.to_string(),
        version: resource.info.version.to_string(),
        resource: resource.info.plural.to_string(),
        subresource: resource.subresource.clone().unwrap_or_default(),
        scope: scope.to_string(),
    })
}

async fn route(state: Arc<ApiState>, request: Request<Body>) -> Result<Response, ApiError> {
    let path = request.uri().path().to_string();
    if is_health(&path) {
        return Ok(health(&state, &path, &query_of(&request)).await);
    }
    if path == "/version" || path == "/version/" {
        return Ok(json_response(StatusCode::OK, &discovery::version()));
    }
    if path == "/cacerts" {
        return Ok((
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            state.ca_pem.clone(),
        )
            .into_response());
    }
    let certified = request
        .extensions()
        .get::<ConnectionUser>()
        .and_then(|u| u.0.clone());
    let user = match certified {
        Some(user) => Some(user),
        None => {
            let authorization = request
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok());
            authenticate_bearer(&state, authorization).await
        }
    };

    let query = query_of(&request);
    let watching = api::params::flag(query.get("watch").map(String::as_str));
    let parsed = request::parse(request.method(), &path, watching);
    // Audited as the user who authenticated, before impersonation (as
    // upstream); the impersonated user is added to the record. A request
    // nobody could be authenticated for is audited too, with no user.
    let audited_as = user.clone().unwrap_or_default();
    let audit = match &parsed {
        Parsed::Target(Target::Resource(resource)) => begin_audit(
            &state,
            &request,
            &resource_attributes(&audited_as, resource, &query),
            resource.info.version,
        ),
        _ => begin_audit(
            &state,
            &request,
            &path_attributes(&audited_as, request.method(), &path),
            "",
        ),
    };
    let user = user.ok_or_else(ApiError::unauthorized)?;
    let authenticated = user.name.clone();
    let user = crate::impersonation::apply(&state.authorization.chain, user, request.headers())?;
    if let Some(record) = &audit
        && user.name != authenticated
    {
        record.impersonated(&user);
    }

    // Requests for paths rather than resources are authorized by path.
    if !matches!(parsed, Parsed::Target(Target::Resource(_))) {
        authorize(
            &state,
            audit.as_deref(),
            &path_attributes(&user, request.method(), &path),
        )?;
    }

    // OIDC discovery of the service account issuer.
    if let Some(issuer) = state.service_accounts.as_ref() {
        if path == "/.well-known/openid-configuration" {
            return Ok(json_response(StatusCode::OK, &issuer.discovery()));
        }
        if path == "/openid/v1/jwks" {
            return Ok(json_response(StatusCode::OK, &issuer.jwks()));
        }
    }

    if path == "/metrics" {
        let openmetrics = state.metrics.render(&state.store).await;
        let accept = request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok());
        let (text, content_type) = serving::metrics::exposition(openmetrics, accept);
        return Ok((StatusCode::OK, [(header::CONTENT_TYPE, content_type)], text).into_response());
    }
    if path == "/openapi/v2" || path == "/openapi/v2/" {
        let document = crate::openapi_v2::document();
        let protobuf = request
            .headers()
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(crate::openapi_v2::wants_protobuf);
        let (media, body) = if protobuf {
            (
                crate::openapi_v2::PROTOBUF_MEDIA_TYPE,
                bytes::Bytes::from_static(&document.protobuf),
            )
        } else {
            (
                "application/json",
                bytes::Bytes::from_static(document.json.as_bytes()),
            )
        };
        return Ok((
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, media),
                (header::ETAG, document.etag.as_str()),
                (header::VARY, "Accept"),
            ],
            body,
        )
            .into_response());
    }
    if path == "/openapi/v3" || path == "/openapi/v3/" {
        return Ok(json_response(StatusCode::OK, &crate::openapi::root()));
    }
    if let Some(gv) = path.strip_prefix("/openapi/v3/") {
        let document = crate::openapi::group_version(gv).ok_or_else(ApiError::path_not_found)?;
        return Ok((
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            document,
        )
            .into_response());
    }
    let target = match parsed {
        Parsed::Target(target) => target,
        Parsed::NotFound | Parsed::UnknownResource => return Err(ApiError::path_not_found()),
    };
    let aggregated = request
        .headers()
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(discovery::wants_aggregated);
    let resource = match target {
        Target::CoreVersions | Target::Groups if aggregated => {
            let core = matches!(target, Target::CoreVersions);
            return Ok((
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, discovery::AGGREGATED_DISCOVERY),
                    (header::VARY, "Accept"),
                ],
                discovery::aggregated(core).to_string(),
            )
                .into_response());
        }
        Target::CoreVersions => {
            return Ok(json_response(
                StatusCode::OK,
                &discovery::core_versions(&state.advertise_address),
            ));
        }
        Target::Groups => return Ok(json_response(StatusCode::OK, &discovery::group_list())),
        Target::Group(group) => {
            return discovery::group(&group)
                .map(|doc| json_response(StatusCode::OK, &doc))
                .ok_or_else(ApiError::path_not_found);
        }
        Target::ResourceList { group, version } => {
            return discovery::resource_list(&group, &version)
                .map(|doc| json_response(StatusCode::OK, &doc))
                .ok_or_else(ApiError::path_not_found);
        }
        Target::Resource(resource) => resource,
    };
    let attributes = resource_attributes(&user, &resource, &query);
    authorize(&state, audit.as_deref(), &attributes)?;
    // A websocket exec, attach or port-forward arrives as a GET; it must
    // also be allowed to create, as upstream asks.
    if attributes.verb == "get"
        && matches!(
            attributes.subresource.as_str(),
            "exec" | "attach" | "portforward"
        )
    {
        let creating = crate::authz::Attributes {
            verb: "create".into(),
            ..attributes
        };
        state.authorization.chain.check(&creating)?;
    }
    if crate::connect::is_connect(&resource) {
        return crate::connect::serve(state.clone(), resource, request).await;
    }
    if resource.verb == "watch" {
        if !resource.info.allows("watch") || resource.subresource.is_some() {
            return Err(ApiError::method_not_allowed());
        }
        let headers = request.headers().clone();
        return watch::serve(state.clone(), &user.name, resource, query, headers).await;
    }
    // The body is read first, under a deadline and within the bytes all
    // bodies may hold, so slow uploads hold no max-in-flight slot.
    let (parts, body) = request.into_parts();
    let (body, _held) = if matches!(
        parts.method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) {
        crate::request_body::read(body, &state.body_budget).await?
    } else {
        (bytes::Bytes::new(), None)
    };
    if let Some(record) = audit
        .as_ref()
        .filter(|r| r.wants_request() && !body.is_empty())
    {
        // The body as the server reads it (JSON, YAML or protobuf); a
        // patch as the JSON it is.
        let object = crate::request_body::decode(&parts.headers, &body)
            .ok()
            .or_else(|| serde_json::from_slice(&body).ok());
        if let Some(object) = object {
            record.request_object(object);
        }
    }
    // Long-running requests aside, at most max-in-flight requests of each
    // kind run at once; the rest are told to come back.
    let limit = if matches!(parts.method, Method::GET | Method::HEAD) {
        &state.inflight_readonly
    } else {
        &state.inflight_mutating
    };
    let _permit = limit
        .try_acquire()
        .map_err(|_| ApiError::too_many_requests())?;
    let context = Call {
        state: &state,
        resource: &resource,
        query: &query,
        headers: &parts.headers,
        user: &user,
        warnings: std::sync::Mutex::new(Vec::new()),
        audit: audit.as_deref(),
        namespace_object: tokio::sync::OnceCell::new(),
    };
    let mut response = context.dispatch(&body).await?;
    let warnings = context
        .warnings
        .lock()
        .map(|w| w.clone())
        .unwrap_or_default();
    for warning in warnings {
        let text = format!("299 - \"{}\"", warning.replace('"', "\\\""));
        if let Ok(value) = header::HeaderValue::from_str(&text) {
            response.headers_mut().append("Warning", value);
        }
    }
    Ok(response)
}

/// What a request for a path (discovery, OpenAPI, metrics) asks.
fn path_attributes(user: &User, method: &Method, path: &str) -> crate::authz::Attributes {
    crate::authz::Attributes {
        user: user.clone(),
        verb: method.as_str().to_ascii_lowercase(),
        path: path.to_string(),
        ..crate::authz::Attributes::default()
    }
}

/// What a resource request asks, as upstream's RequestInfo reads it: a
/// list or watch narrowed to one name by `metadata.name=` names it.
pub(crate) fn resource_attributes(
    user: &User,
    resource: &ResourceRequest,
    query: &Query,
) -> crate::authz::Attributes {
    let mut name = resource.name.clone().unwrap_or_default();
    if name.is_empty()
        && matches!(resource.verb, "list" | "watch")
        && let Some(selector) = query.get("fieldSelector")
    {
        let single: Vec<&str> = selector.split(',').collect();
        if let [term] = single.as_slice()
            && let Some(value) = term
                .strip_prefix("metadata.name==")
                .or_else(|| term.strip_prefix("metadata.name="))
        {
            name = value.to_string();
        }
    }
    crate::authz::Attributes {
        user: user.clone(),
        verb: resource.verb.to_string(),
        resource_request: true,
        api_group: resource.info.group.to_string(),
        resource: resource.info.plural.to_string(),
        subresource: resource.subresource.clone().unwrap_or_default(),
        name,
        namespace: resource.namespace.clone().unwrap_or_default(),
        path: String::new(),
    }
}

async fn health(state: &ApiState, path: &str, query: &Query) -> Response {
    let ready = state.ready.load(std::sync::atomic::Ordering::SeqCst);
    let store_ok = state.store.current_revision().await.is_ok();
    let readyz = path.starts_with("/readyz");
    let checks: Vec<(&str, bool)> = if readyz {
        vec![("ping", true), ("etcd", store_ok), ("informer-sync", ready)]
    } else {
        vec![("ping", true), ("etcd", store_ok)]
    };
    let single = path.trim_end_matches('/').rsplit_once('/').map(|(_, c)| c);
    if let Some(check) = single.filter(|c| !["healthz", "livez", "readyz"].contains(c)) {
        return match checks.iter().find(|(name, _)| *name == check) {
            Some((_, true)) => (StatusCode::OK, "ok").into_response(),
            Some((name, false)) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("internal server error: {name} check failed"),
            )
                .into_response(),
            None => (StatusCode::NOT_FOUND, "404 page not found").into_response(),
        };
    }
    let healthy = checks.iter().all(|(_, ok)| *ok);
    let verbose = query.contains_key("verbose");
    let what = path.trim_matches('/');
    let mut text = String::new();
    if verbose || !healthy {
        for (name, ok) in &checks {
            text.push_str(&format!(
                "[{}]{name} {}\n",
                if *ok { "+" } else { "-" },
                if *ok { "ok" } else { "failed: reason withheld" }
            ));
        }
        text.push_str(&format!(
            "{what} check {}\n",
            if healthy { "passed" } else { "failed" }
        ));
    } else {
        text.push_str("ok");
    }
    let code = if healthy {
        StatusCode::OK
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    (
        code,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

/// One resource request being served.
pub(crate) struct Call<'a> {
    pub(crate) state: &'a ApiState,
    pub(crate) resource: &'a ResourceRequest,
    pub(crate) query: &'a Query,
    headers: &'a HeaderMap,
    user: &'a User,
    /// Sent back as `Warning` headers.
    warnings: std::sync::Mutex<Vec<String>>,
    /// The request's audit event, when the policy records it.
    audit: Option<&'a crate::audit::Record>,
    /// The namespace of the request as admission read it (once).
    namespace_object: tokio::sync::OnceCell<Option<Value>>,
}

impl Call<'_> {
    /// The resource as the request names it (its version is the one the
    /// client reads and writes).
    pub(crate) fn info(&self) -> &'static ResourceInfo {
        self.resource.info
    }

    /// The resource as it is stored: the objects in the store, and every
    /// rule that reads their content, are in this version's shape.
    pub(crate) fn storage_info(&self) -> &'static ResourceInfo {
        self.resource.info.storage_info()
    }

    /// A stored object in the requested version's shape.
    fn outgoing(&self, object: Value) -> Value {
        api::conversion::from_storage(self.info(), object)
    }

    pub(crate) fn store(&self) -> &SharedStore {
        &self.state.store
    }

    pub(crate) fn dry_run(&self) -> Result<bool, ApiError> {
        match self.query.get("dryRun").map(String::as_str) {
            None | Some("") => Ok(false),
            Some("All") => Ok(true),
            Some(other) => Err(ApiError::bad_request(format!(
                "Invalid dry run value: {other:?}: supported values: \"All\""
            ))),
        }
    }

    /// Decodes `object` as its kind's type, as kube-apiserver's decoder
    /// does: wrong field types are a 400, unknown fields are refused, warned
    /// about or dropped as `fieldValidation` says. Returns the typed form.
    fn field_validation(&self, object: Value) -> Result<Value, ApiError> {
        let info = self.info();
        let mode = self
            .query
            .get("fieldValidation")
            .map_or("Warn", String::as_str);
        if !["Ignore", "Warn", "Strict"].contains(&mode) {
            return Err(ApiError::bad_request(format!(
                "Invalid field validation directive: {mode}"
            )));
        }
        let typed = match crate::typed::round_trip(info.group, info.version, info.kind, &object) {
            None => return Ok(object),
            Some(Err(err)) => {
                return Err(ApiError::bad_request(format!(
                    "{} in version \"{}\" cannot be handled as a {}: {err}",
                    info.kind, info.version, info.kind
                )));
            }
            Some(Ok(typed)) => typed,
        };
        let unknown: Vec<String> = crate::typed::unknown_fields(&object, &typed)
            .into_iter()
            .map(|field| format!("unknown field \"{field}\""))
            .collect();
        if !unknown.is_empty() {
            match mode {
                "Strict" => {
                    return Err(ApiError::bad_request(format!(
                        "strict decoding error: {}",
                        unknown.join(", ")
                    )));
                }
                "Warn" => {
                    if let Ok(mut warnings) = self.warnings.lock() {
                        warnings.extend(unknown);
                    }
                }
                _ => {}
            }
        }
        Ok(typed)
    }

    pub(crate) fn key(&self, name: &str) -> String {
        self.info()
            .storage_key(self.resource.namespace.as_deref(), name)
    }

    fn respond(&self, status: StatusCode, object: &Value) -> Result<Response, ApiError> {
        if wants_table(self.headers) {
            let table = tables::single(self.storage_info(), object, self.query);
            return Ok(json_response(status, &table));
        }
        if self.info().stored_as.is_some() {
            return Ok(json_response(status, &self.outgoing(object.clone())));
        }
        Ok(json_response(status, object))
    }

    async fn dispatch(&self, body: &[u8]) -> Result<Response, ApiError> {
        let info = self.info();
        if !info.allows(self.resource.verb) && self.resource.subresource.is_none() {
            return Err(ApiError::method_not_allowed());
        }
        if let Some(sub) = &self.resource.subresource
            && !info.has_subresource(sub)
        {
            return Err(ApiError::path_not_found());
        }
        if info.kind == "Binding" && self.resource.verb == "create" {
            return self.bind(body).await;
        }
        if !info.stored {
            return crate::virtual_kinds::serve(
                self.state,
                self.resource,
                self.user,
                body,
                self.headers,
                self.query,
            )
            .await;
        }
        if info.namespaced && self.resource.namespace.is_none() && self.resource.verb != "list" {
            return Err(ApiError::path_not_found());
        }
        match (self.resource.verb, self.resource.subresource.as_deref()) {
            ("get", None | Some("status") | Some("ephemeralcontainers") | Some("approval")) => {
                self.get().await
            }
            ("list", None) => self.list().await,
            ("create", None) => self.create(body).await,
            (
                "update",
                None
                | Some("status")
                | Some("finalize")
                | Some("ephemeralcontainers")
                | Some("approval"),
            ) => self.update(body).await,
            ("patch", None | Some("status") | Some("ephemeralcontainers") | Some("approval")) => {
                self.patch(body).await
            }
            ("get", Some("scale")) => {
                let object = self.read(self.name()?).await?;
                Ok(json_response(StatusCode::OK, &scale::from_object(&object)))
            }
            ("update" | "patch", Some("scale")) => self.write_scale(body).await,
            ("create", Some("binding")) => self.bind(body).await,
            ("create", Some("eviction")) => self.evict(body).await,
            ("create", Some("token")) if info.kind == "ServiceAccount" => {
                self.token_request(body).await
            }
            ("get", Some("log")) => self.pod_log().await,
            ("delete", None) => self.delete(body).await,
            ("deletecollection", None) => self.delete_collection(body).await,
            _ => Err(ApiError::method_not_allowed()),
        }
    }

    pub(crate) fn name(&self) -> Result<&str, ApiError> {
        self.resource
            .name
            .as_deref()
            .ok_or_else(ApiError::method_not_allowed)
    }

    pub(crate) async fn read(&self, name: &str) -> Result<Value, ApiError> {
        let info = self.info();
        match self.store().get(&self.key(name)).await {
            Ok(Some(kv)) => decode(info, &kv),
            Ok(None) => Err(ApiError::not_found(info, name)),
            Err(err) => Err(ApiError::from_store(err, info, name)),
        }
    }

    /// The stored object and its store entry (for its revision).
    pub(crate) async fn read_current(
        &self,
        name: &str,
    ) -> Result<(store::KeyValue, Value), ApiError> {
        let info = self.info();
        let kv = self
            .store()
            .get(&self.key(name))
            .await
            .map_err(|e| ApiError::from_store(e, info, name))?
            .ok_or_else(|| ApiError::not_found(info, name))?;
        let object = decode(info, &kv)?;
        Ok((kv, object))
    }

    async fn get(&self) -> Result<Response, ApiError> {
        let object = self.read(self.name()?).await?;
        self.respond(StatusCode::OK, &object)
    }

    fn selectors(&self) -> Result<(LabelSelector, FieldSelector), ApiError> {
        let labels =
            LabelSelector::parse(self.query.get("labelSelector").map_or("", String::as_str))
                .map_err(|e| {
                    ApiError::bad_request(format!("unable to parse requirement: {e}").replace(
                        "unable to parse requirement: unable to parse requirement",
                        "unable to parse requirement",
                    ))
                })?;
        let fields = FieldSelector::parse(
            self.query.get("fieldSelector").map_or("", String::as_str),
            self.info().selectable_fields,
        )
        .map_err(|e| ApiError::bad_request(e.0))?;
        Ok((labels, fields))
    }

    fn list_prefix(&self) -> String {
        match &self.resource.namespace {
            Some(ns) if self.info().namespaced => self.info().namespace_prefix(ns),
            _ => self.info().storage_prefix(),
        }
    }

    /// Reads the matching objects: at most `limit` (0: all), from one
    /// consistent revision, continuing from a previous page's token.
    async fn collect(&self) -> Result<(Vec<Value>, i64, Option<String>, Option<i64>), ApiError> {
        let info = self.info();
        let (labels, fields) = self.selectors()?;
        let filtered = !labels.is_empty() || !fields.is_empty();
        self.collect_with(filtered, |kv| {
            let object = decode(info, kv)?;
            Ok((labels.matches_object(&object) && fields.matches(&object)).then_some(object))
        })
        .await
    }

    /// Reads the listed objects in store pages, keeping those `convert`
    /// returns, at most `limit` (0: all), from one consistent revision,
    /// continuing from a previous page's token.
    async fn collect_with<T>(
        &self,
        filtered: bool,
        mut convert: impl FnMut(&store::KeyValue) -> Result<Option<T>, ApiError>,
    ) -> Result<(Vec<T>, i64, Option<String>, Option<i64>), ApiError> {
        let info = self.info();
        // Zero or less asks for everything, as upstream; a limit past any
        // list's length is the same as none.
        let limit: usize = match self.query.get("limit").map(String::as_str) {
            None | Some("") => 0,
            Some(text) => text
                .parse::<i64>()
                .map_err(|_| ApiError::bad_request(format!("invalid limit: {text:?}")))?
                .clamp(0, i64::from(i32::MAX)) as usize,
        };
        let prefix = self.list_prefix();
        let mut revision = None;
        let mut start = None;
        // Without a continue token or an exact version, the watch cache
        // can serve the read.
        let mut freshness = Some(Freshness::Latest);
        if let Some(token) = self.query.get("continue").filter(|t| !t.is_empty()) {
            let (rv, key) = decode_continue(token, &prefix)?;
            revision = Some(rv);
            start = Some(key);
            freshness = None;
        } else if self.query.get("resourceVersion").map(String::as_str) == Some("0") {
            freshness = Some(Freshness::Any);
        } else if let Some(rv) = self
            .query
            .get("resourceVersion")
            .filter(|rv| !rv.is_empty())
        {
            let rv = parse_resource_version(rv)?;
            let exact = match self.query.get("resourceVersionMatch").map(String::as_str) {
                Some("Exact") => true,
                Some("NotOlderThan") => false,
                // Legacy: a version with a limit is an exact read.
                _ => limit > 0,
            };
            if exact {
                revision = Some(rv);
                freshness = None;
            } else {
                freshness = Some(Freshness::AtLeast(rv));
            }
        }
        if let Some(Freshness::AtLeast(wanted)) = freshness {
            // A revision the store has not reached was never handed out;
            // nothing to wait for.
            let current = self
                .store()
                .current_revision()
                .await
                .map_err(|err| ApiError::from_store(err, info, ""))?;
            if current < wanted {
                return Err(ApiError::too_large_resource_version(wanted, current));
            }
        }
        if let Some(freshness) = freshness {
            let cached = self
                .state
                .watch_cache
                .list(&info.storage_prefix(), &prefix, freshness)
                .await
                .map_err(|err| ApiError::from_store(err, info, ""))?;
            if let Some(snapshot) = cached {
                let page = from_snapshot(snapshot, limit, filtered, convert)?;
                self.state
                    .metrics
                    .cache_list(info.group, info.plural, page.0.len());
                return Ok(page);
            }
        }
        let mut items = Vec::new();
        let mut at = revision;
        let mut remaining = None;
        loop {
            // Read in bounded pages even when the client wants everything, so
            // no single store response is unbounded.
            let page_limit = if limit == 0 || filtered {
                LIST_PAGE.max(limit)
            } else {
                limit
            };
            let page = self
                .store()
                .range(&prefix, RangeOptions { limit: page_limit, start: start.clone(), revision: at })
                .await
                .map_err(|err| match err {
                    StoreError::Compacted { .. } if self.query.contains_key("continue") => ApiError::gone("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."),
                    other => ApiError::from_store(other, info, ""),
                })?;
            at = Some(page.revision);
            let mut last_key = None;
            let mut consumed = 0;
            for kv in &page.kvs {
                consumed += 1;
                last_key = Some(kv.key.clone());
                if let Some(item) = convert(kv)? {
                    items.push(item);
                    if limit > 0 && items.len() == limit {
                        break;
                    }
                }
            }
            let more_in_page = consumed < page.kvs.len();
            let more = page.more || more_in_page;
            if limit > 0 && items.len() == limit && more {
                let next = format!("{}\0", last_key.unwrap_or_default());
                if !filtered {
                    remaining = Some(page.count - consumed as i64);
                }
                return Ok((
                    items,
                    page.revision,
                    Some(encode_continue(page.revision, &next)),
                    remaining,
                ));
            }
            if !page.more {
                return Ok((items, page.revision, None, None));
            }
            start = page.continue_key();
        }
    }

    async fn list(&self) -> Result<Response, ApiError> {
        let info = self.info();
        let (labels, fields) = self.selectors()?;
        if !wants_table(self.headers)
            && labels.is_empty()
            && fields.is_empty()
            && info.stored_as.is_none()
        {
            return self.list_raw().await;
        }
        let (items, revision, next, remaining) = self.collect().await?;
        if wants_table(self.headers) {
            let table = tables::list(
                self.storage_info(),
                &items,
                revision,
                next.as_deref(),
                remaining,
                self.query,
            );
            return Ok(json_response(StatusCode::OK, &table));
        }
        let items: Vec<Vec<u8>> = items
            .into_iter()
            .map(|i| self.outgoing(i).to_string().into_bytes())
            .collect();
        Ok(list_response(
            info,
            revision,
            next.as_deref(),
            remaining,
            &items,
        ))
    }

    /// A JSON list with nothing to filter or print, assembled from the
    /// stored bytes (see `raw_json`).
    async fn list_raw(&self) -> Result<Response, ApiError> {
        let info = self.info();
        let (items, revision, next, remaining) = self
            .collect_with(false, |kv| {
                let mut out = Vec::with_capacity(kv.value.len() + 32);
                if crate::raw_json::append_with_version(&mut out, &kv.value, kv.mod_revision) {
                    Ok(Some(out))
                } else {
                    Ok(Some(decode(info, kv)?.to_string().into_bytes()))
                }
            })
            .await?;
        Ok(list_response(
            info,
            revision,
            next.as_deref(),
            remaining,
            &items,
        ))
    }

    /// The body, decoded where it is.
    pub(crate) fn parse_small_body(&self, body: &[u8]) -> Result<Value, ApiError> {
        crate::request_body::decode(self.headers, body)
    }

    /// The body, decoded on the blocking pool when it is large.
    pub(crate) async fn parse_body(&self, body: &[u8]) -> Result<Value, ApiError> {
        if body.len() <= crate::request_body::OFFLOAD_BYTES {
            return crate::request_body::decode(self.headers, body);
        }
        let (headers, body) = (self.headers.clone(), body.to_vec());
        crate::request_body::off_reactor(body.len(), move || {
            crate::request_body::decode(&headers, &body)
        })
        .await
    }

    /// What admission is told about a write of `name` in this request.
    pub(crate) fn attributes<'a>(
        &'a self,
        operation: crate::admission::Operation,
        name: &'a str,
        old: Option<&'a Value>,
    ) -> Result<crate::admission::Attributes<'a>, ApiError> {
        Ok(crate::admission::Attributes {
            operation,
            user: self.user,
            info: self.storage_info(),
            namespace: self.resource.namespace.as_deref(),
            name,
            subresource: self.resource.subresource.as_deref(),
            old,
            store: self.store(),
            dry_run: self.dry_run()?,
            warnings: &self.warnings,
            audit: self.audit,
            watch_cache: &self.state.watch_cache,
            namespace_object: &self.namespace_object,
        })
    }

    async fn create(&self, body: &[u8]) -> Result<Response, ApiError> {
        let served = self.info();
        let info = self.storage_info();
        let mut object = self.parse_body(body).await?;
        objects::check_type(served, &mut object, served.kind)?;
        let object = self.field_validation(object)?;
        let mut object = api::conversion::to_storage(served, object);
        // Admission sees the name the client asked for; with generateName
        // its errors name the prefix, as upstream's (`pods "web-" is
        // forbidden: ...`), since the name is generated after admission.
        let asked = ["name", "generateName"]
            .iter()
            .find_map(|field| {
                object["metadata"][field]
                    .as_str()
                    .filter(|n| !n.is_empty())
                    .map(str::to_string)
            })
            .unwrap_or_default();
        let name = objects::prepare_create(
            info,
            self.resource.namespace.as_deref(),
            &mut object,
            rand::random(),
        )?;
        if info.kind == "CertificateSigningRequest" {
            crate::certificates::prepare_create(&mut object, self.user);
        }
        let attributes = self.attributes(crate::admission::Operation::Create, &asked, None)?;
        let admission = &self.state.admission;
        admission.admit(&attributes, Some(&mut object)).await?;
        crate::validation::validate(served, &object, None)
            .map_err(|causes| ApiError::invalid(info, &name, causes))?;
        admission.validate(&attributes, Some(&object)).await?;
        let key = self.key(&name);
        let dry_run = self.dry_run()?;
        let taken = if info.kind == "Service" {
            Some(
                self.state
                    .services
                    .allocate(self.store(), &mut object, dry_run)
                    .await?,
            )
        } else {
            None
        };
        if dry_run {
            if self
                .store()
                .get(&key)
                .await
                .map_err(|e| ApiError::from_store(e, info, &name))?
                .is_some()
            {
                return Err(ApiError::already_exists(info, &name));
            }
            return self.respond(StatusCode::CREATED, &object);
        }
        let created = self.store().create(&key, encode(&object)).await;
        let revision = match created {
            Ok(revision) => revision,
            Err(err) => {
                if let Some(taken) = &taken {
                    self.state.services.release(self.store(), taken).await;
                }
                return Err(ApiError::from_store(err, info, &name));
            }
        };
        objects::set_resource_version(&mut object, revision);
        self.respond(StatusCode::CREATED, &object)
    }

    /// Stores `new` over `old` (read at `old_revision`): an update, or the
    /// final removal when an object being deleted has no finalizers left.
    async fn store_update(
        &self,
        name: &str,
        old: &Value,
        new: Value,
        old_revision: i64,
    ) -> Result<(Value, bool), ApiError> {
        let info = self.info();
        let key = self.key(name);
        // An unchanged object is not written again, unless the store keeps
        // it in a form it no longer writes (an old encryption key): writing
        // objects back unchanged is how keys are rotated.
        if !objects::changed(old, &new) && !self.store().stale(&key).await.unwrap_or(false) {
            return Ok((old.clone(), false));
        }
        let dry_run = self.dry_run()?;
        let deleting = new.pointer("/metadata/deletionTimestamp").is_some();
        let removed = deleting
            && objects::finalizers(&new).is_empty()
            && objects::spec_finalizers(&new).is_empty();
        let mut new = new;
        let service = self.storage_info().kind == "Service" && !removed;
        let (taken, freed) = if service {
            self.state
                .services
                .reallocate(self.store(), old, &mut new, dry_run)
                .await?
        } else {
            Default::default()
        };
        if dry_run {
            return Ok((new, true));
        }
        if removed {
            self.store()
                .delete(&key, Some(old_revision))
                .await
                .map_err(|e| ApiError::from_store(e, info, name))?;
            if self.storage_info().kind == "Service" {
                self.state.services.release_service(self.store(), old).await;
            }
            return Ok((new, true));
        }
        let revision = match self.store().update(&key, encode(&new), old_revision).await {
            Ok(revision) => revision,
            Err(err) => {
                self.state.services.release(self.store(), &taken).await;
                return Err(ApiError::from_store(err, info, name));
            }
        };
        self.state.services.release(self.store(), &freed).await;
        objects::set_resource_version(&mut new, revision);
        Ok((new, true))
    }

    /// Admission and validation of an update of `old` to `new`.
    async fn admit_update(&self, name: &str, old: &Value, new: &mut Value) -> Result<(), ApiError> {
        let attributes = self.attributes(crate::admission::Operation::Update, name, Some(old))?;
        let admission = &self.state.admission;
        admission.admit(&attributes, Some(new)).await?;
        crate::validation::validate(self.info(), new, Some(old))
            .map_err(|causes| ApiError::invalid(self.storage_info(), name, causes))?;
        admission.validate(&attributes, Some(new)).await
    }

    async fn update(&self, body: &[u8]) -> Result<Response, ApiError> {
        let served = self.info();
        let info = self.storage_info();
        let name = self.name()?.to_string();
        let mut object = self.parse_body(body).await?;
        objects::check_type(served, &mut object, served.kind)?;
        let object = self.field_validation(object)?;
        let object = api::conversion::to_storage(served, object);
        let (kv, old) = self.read_current(&name).await?;
        if let Some(rv) = object
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .filter(|rv| !rv.is_empty())
        {
            let rv: i64 = rv
                .parse()
                .map_err(|_| ApiError::bad_request(format!("invalid resource version: {rv:?}")))?;
            if rv != kv.mod_revision {
                return Err(ApiError::conflict(info, &name));
            }
        }
        let subresource = self.resource.subresource.as_deref();
        let mut new = objects::prepare_update(info, &old, object, subresource)?;
        self.admit_update(&name, &old, &mut new).await?;
        let (stored, _) = self.store_update(&name, &old, new, kv.mod_revision).await?;
        self.respond(StatusCode::OK, &stored)
    }

    async fn patch(&self, body: &[u8]) -> Result<Response, ApiError> {
        let served = self.info();
        let info = self.storage_info();
        let name = self.name()?.to_string();
        let content_type = self
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        for _ in 0..PATCH_RETRIES {
            let (kv, old) = self.read_current(&name).await?;
            // The patch applies to the object as the client sees it.
            let seen = if served.stored_as.is_some() {
                self.outgoing(old.clone())
            } else {
                old.clone()
            };
            let patched = {
                let size = body.len() + kv.value.len();
                let schema = crate::openapi::kind_schema(served);
                if size <= crate::request_body::OFFLOAD_BYTES {
                    patch::apply(schema, &content_type, &seen, body)?
                } else {
                    let (content_type, seen, body) =
                        (content_type.clone(), seen.clone(), body.to_vec());
                    crate::request_body::off_reactor(size, move || {
                        patch::apply(schema, &content_type, &seen, &body)
                    })
                    .await?
                }
            };
            let patched = self.field_validation(patched)?;
            let patched = api::conversion::to_storage(served, patched);
            // A patch pins a resourceVersion only by naming one other than
            // the object's own; otherwise it is retried on a newer object.
            let pinned =
                pinned_version(&patched).filter(|rv| Some(rv) != pinned_version(&seen).as_ref());
            if let Some(rv) = &pinned
                && rv != &kv.mod_revision.to_string()
            {
                return Err(ApiError::conflict(info, &name));
            }
            let mut new =
                objects::prepare_update(info, &old, patched, self.resource.subresource.as_deref())?;
            self.admit_update(&name, &old, &mut new).await?;
            match self.store_update(&name, &old, new, kv.mod_revision).await {
                Ok((stored, _)) => return self.respond(StatusCode::OK, &stored),
                // Someone wrote in between: patch the newer object, unless
                // the patch itself pinned a resourceVersion.
                Err(err) if err.code == 409 && err.reason == "Conflict" && pinned.is_none() => {
                    continue;
                }
                Err(err) => return Err(err),
            }
        }
        Err(ApiError::conflict(info, &name))
    }

    /// PUT or PATCH of the scale subresource: only spec.replicas changes.
    async fn write_scale(&self, body: &[u8]) -> Result<Response, ApiError> {
        let info = self.info();
        let name = self.name()?.to_string();
        for _ in 0..PATCH_RETRIES {
            let (kv, old) = self.read_current(&name).await?;
            let current = scale::from_object(&old);
            let requested = if self.resource.verb == "patch" {
                let content_type = self
                    .headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                patch::apply(None, content_type, &current, body)?
            } else {
                let mut requested = self.parse_body(body).await?;
                objects::check_type(info, &mut requested, "Scale")?;
                requested
            };
            let pinned = pinned_version(&requested).filter(|rv| {
                self.resource.verb != "patch" || Some(rv) != pinned_version(&current).as_ref()
            });
            if let Some(rv) = &pinned
                && rv != &kv.mod_revision.to_string()
            {
                return Err(ApiError::conflict(info, &name));
            }
            let replicas = scale::replicas(&requested)
                .map_err(|cause| ApiError::invalid(info, &name, vec![cause]))?;
            let mut new = old.clone();
            new["spec"]["replicas"] = json!(replicas);
            let new = objects::prepare_update(info, &old, new, None)?;
            match self.store_update(&name, &old, new, kv.mod_revision).await {
                Ok((stored, _)) => {
                    return Ok(json_response(StatusCode::OK, &scale::from_object(&stored)));
                }
                Err(err) if err.code == 409 && pinned.is_none() => continue,
                Err(err) => return Err(err),
            }
        }
        Err(ApiError::conflict(info, &name))
    }

    fn delete_options(&self, body: &[u8]) -> Result<Value, ApiError> {
        if body.iter().all(|b| b.is_ascii_whitespace()) {
            let mut options = json!({});
            if let Some(grace) = self.query.get("gracePeriodSeconds") {
                options["gracePeriodSeconds"] = json!(
                    grace
                        .parse::<i64>()
                        .map_err(|_| ApiError::bad_request("invalid gracePeriodSeconds"))?
                );
            }
            if let Some(policy) = self.query.get("propagationPolicy") {
                options["propagationPolicy"] = json!(policy);
            }
            return Ok(options);
        }
        serde_json::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("invalid DeleteOptions: {e}")))
    }

    /// Deletes one object; returns the response object (the object while
    /// its deletion waits on finalizers or a grace period, else a Status).
    /// Without preconditions, a write by someone else in between (a
    /// controller updating the object) is not the client's conflict: the
    /// delete is tried again on the newer object, as upstream's.
    pub(crate) async fn delete_one(
        &self,
        name: &str,
        options: &Value,
    ) -> Result<(StatusCode, Value), ApiError> {
        let pinned = ["/preconditions/resourceVersion", "/preconditions/uid"]
            .iter()
            .any(|p| {
                options
                    .pointer(p)
                    .and_then(Value::as_str)
                    .is_some_and(|v| !v.is_empty())
            });
        for _ in 0..PATCH_RETRIES {
            match self.try_delete_one(name, options).await {
                Err(err) if err.code == 409 && err.reason == "Conflict" && !pinned => continue,
                result => return result,
            }
        }
        Err(ApiError::conflict(self.info(), name))
    }

    async fn try_delete_one(
        &self,
        name: &str,
        options: &Value,
    ) -> Result<(StatusCode, Value), ApiError> {
        let info = self.info();
        let key = self.key(name);
        let kv = self
            .store()
            .get(&key)
            .await
            .map_err(|e| ApiError::from_store(e, info, name))?
            .ok_or_else(|| ApiError::not_found(info, name))?;
        let object = decode(info, &kv)?;
        // dryRun in the query or in the DeleteOptions body.
        let dry_run = self.dry_run()?
            || options
                .get("dryRun")
                .and_then(Value::as_array)
                .is_some_and(|d| d.iter().any(|v| v == "All"));
        objects::check_preconditions(info, name, options, &object, kv.mod_revision)?;
        let attributes =
            self.attributes(crate::admission::Operation::Delete, name, Some(&object))?;
        self.state.admission.admit(&attributes, None).await?;
        self.state.admission.validate(&attributes, None).await?;
        if let Some(policy) = options.get("propagationPolicy").and_then(Value::as_str)
            && !["Orphan", "Background", "Foreground"].contains(&policy)
        {
            return Err(ApiError::unprocessable(format!(
                "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"{policy}\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""
            )));
        }
        // The garbage collector's finalizers for the propagation asked for
        // (Background, the default of every served version, needs none).
        let gc_finalizer = match options.get("propagationPolicy").and_then(Value::as_str) {
            Some("Orphan") => Some("orphan"),
            Some("Foreground") => Some("foregroundDeletion"),
            Some(_) => None,
            None if options.get("orphanDependents") == Some(&json!(true)) => Some("orphan"),
            None => None,
        };
        let mut object = object;
        let mut finalizer_added = false;
        if let Some(finalizer) = gc_finalizer
            && !objects::finalizers(&object).iter().any(|f| f == finalizer)
        {
            let metadata = &mut object["metadata"];
            if !metadata["finalizers"].is_array() {
                metadata["finalizers"] = json!([]);
            }
            if let Some(list) = metadata["finalizers"].as_array_mut() {
                list.push(json!(finalizer));
                finalizer_added = true;
            }
        }
        let waits = !objects::finalizers(&object).is_empty()
            || !objects::spec_finalizers(&object).is_empty();
        // As upstream: a pod no kubelet runs (unbound, or finished) goes at once.
        let terminal = matches!(
            object.pointer("/status/phase").and_then(Value::as_str),
            Some("Succeeded") | Some("Failed")
        );
        let graceful = info.kind == "Pod"
            && object
                .pointer("/spec/nodeName")
                .and_then(Value::as_str)
                .is_some_and(|n| !n.is_empty())
            && !terminal
            && options.get("gracePeriodSeconds").and_then(Value::as_i64) != Some(0);
        if waits || graceful {
            let already = object.pointer("/metadata/deletionTimestamp").is_some();
            if already && !finalizer_added {
                return Ok((StatusCode::OK, object));
            }
            let mut marked = object.clone();
            if !already {
                marked["metadata"]["deletionTimestamp"] = json!(api::meta::now_timestamp());
            }
            let grace = if graceful {
                options
                    .get("gracePeriodSeconds")
                    .and_then(Value::as_i64)
                    .or_else(|| {
                        object
                            .pointer("/spec/terminationGracePeriodSeconds")
                            .and_then(Value::as_i64)
                    })
                    .unwrap_or(30)
            } else {
                0
            };
            if !already {
                marked["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
            }
            if info.kind == "Namespace" {
                marked["status"]["phase"] = json!("Terminating");
            }
            if dry_run {
                return Ok((StatusCode::OK, marked));
            }
            let revision = self
                .store()
                .update(&key, encode(&marked), kv.mod_revision)
                .await
                .map_err(|e| ApiError::from_store(e, info, name))?;
            objects::set_resource_version(&mut marked, revision);
            let code = if info.kind == "Namespace" || graceful {
                StatusCode::OK
            } else {
                StatusCode::ACCEPTED
            };
            return Ok((code, marked));
        }
        if !dry_run {
            self.store()
                .delete(&key, Some(kv.mod_revision))
                .await
                .map_err(|e| ApiError::from_store(e, info, name))?;
            if info.kind == "Service" {
                self.state
                    .services
                    .release_service(self.store(), &object)
                    .await;
            }
        }
        let mut details = json!({"name": name, "kind": info.plural, "uid": object.pointer("/metadata/uid").cloned().unwrap_or(Value::Null)});
        if !info.group.is_empty() {
            details["group"] = json!(info.group);
        }
        if info.kind == "Pod" {
            return Ok((StatusCode::OK, object));
        }
        Ok((
            StatusCode::OK,
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}),
        ))
    }

    async fn delete(&self, body: &[u8]) -> Result<Response, ApiError> {
        let options = self.delete_options(body)?;
        let name = self.name()?.to_string();
        let (code, object) = self.delete_one(&name, &options).await?;
        if object.get("kind").and_then(Value::as_str) == Some("Status") {
            return Ok(json_response(code, &object));
        }
        Ok(json_response(code, &self.outgoing(object)))
    }

    async fn delete_collection(&self, body: &[u8]) -> Result<Response, ApiError> {
        let info = self.info();
        let options = self.delete_options(body)?;
        let (items, revision, _, _) = self.collect().await?;
        let mut deleted = Vec::new();
        for item in items {
            let name = objects::name_of(&item).to_string();
            match self.delete_one(&name, &options).await {
                Ok(_) => deleted.push(self.outgoing(item)),
                Err(err) if err.code == 404 => {}
                Err(err) => return Err(err),
            }
        }
        let items: Vec<Vec<u8>> = deleted
            .into_iter()
            .map(|i| i.to_string().into_bytes())
            .collect();
        Ok(list_response(info, revision, None, None, &items))
    }
}

/// A list as upstream writes it: kind, apiVersion, metadata
/// (resourceVersion, continue, remainingItemCount) and the items, each
/// already JSON.
fn list_response(
    info: &ResourceInfo,
    revision: i64,
    next: Option<&str>,
    remaining: Option<i64>,
    items: &[Vec<u8>],
) -> Response {
    let total: usize = items.iter().map(|i| i.len() + 1).sum();
    let mut body = Vec::with_capacity(total + 256);
    body.extend_from_slice(b"{\"kind\":");
    body.extend_from_slice(json!(format!("{}List", info.kind)).to_string().as_bytes());
    body.extend_from_slice(b",\"apiVersion\":");
    body.extend_from_slice(json!(info.api_version()).to_string().as_bytes());
    body.extend_from_slice(
        format!(",\"metadata\":{{\"resourceVersion\":\"{revision}\"").as_bytes(),
    );
    if let Some(next) = next {
        body.extend_from_slice(b",\"continue\":");
        body.extend_from_slice(json!(next).to_string().as_bytes());
    }
    if let Some(remaining) = remaining {
        body.extend_from_slice(format!(",\"remainingItemCount\":{remaining}").as_bytes());
    }
    body.extend_from_slice(b"},\"items\":[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(item);
    }
    body.extend_from_slice(b"]}\n");
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// A resourceVersion from a query: a revision the store could hand out
/// (not negative, and with a successor to watch from).
pub(crate) fn parse_resource_version(text: &str) -> Result<i64, ApiError> {
    text.parse::<i64>()
        .ok()
        .filter(|rv| (0..i64::MAX).contains(rv))
        .ok_or_else(|| ApiError::bad_request(format!("invalid resource version: {text:?}")))
}

/// The resourceVersion a request body pins (`metadata.resourceVersion`),
/// if any: the write must then apply to exactly that version.
fn pinned_version(object: &Value) -> Option<String> {
    object
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .filter(|rv| !rv.is_empty())
        .map(str::to_string)
}

fn encode_continue(revision: i64, start: &str) -> String {
    let token = json!({"v": "meta.k8s.io/v1", "rv": revision, "start": start});
    base64::engine::general_purpose::URL_SAFE.encode(token.to_string())
}

fn decode_continue(token: &str, prefix: &str) -> Result<(i64, String), ApiError> {
    let invalid = || {
        ApiError::bad_request(
            "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
        )
    };
    let bytes = base64::engine::general_purpose::URL_SAFE
        .decode(token)
        .map_err(|_| invalid())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let revision = value
        .get("rv")
        .and_then(Value::as_i64)
        .ok_or_else(invalid)?;
    let start = value
        .get("start")
        .and_then(Value::as_str)
        .ok_or_else(invalid)?;
    if !start.starts_with(prefix) || revision <= 0 {
        return Err(invalid());
    }
    Ok((revision, start.to_string()))
}

/// One page of a list from the watch cache's snapshot: the items `convert`
/// keeps, at most `limit` (0: all); the rest, if any, continues from the
/// store at the snapshot's revision.
#[allow(clippy::type_complexity)]
fn from_snapshot<T>(
    snapshot: Snapshot,
    limit: usize,
    filtered: bool,
    mut convert: impl FnMut(&store::KeyValue) -> Result<Option<T>, ApiError>,
) -> Result<(Vec<T>, i64, Option<String>, Option<i64>), ApiError> {
    let mut items = Vec::new();
    for (consumed, kv) in snapshot.items.iter().enumerate() {
        if limit > 0 && items.len() == limit {
            let next = format!("{}\0", snapshot.items[consumed - 1].key);
            let remaining = (!filtered).then(|| (snapshot.items.len() - consumed) as i64);
            return Ok((
                items,
                snapshot.revision,
                Some(encode_continue(snapshot.revision, &next)),
                remaining,
            ));
        }
        if let Some(item) = convert(kv)? {
            items.push(item);
        }
    }
    Ok((items, snapshot.revision, None, None))
}
