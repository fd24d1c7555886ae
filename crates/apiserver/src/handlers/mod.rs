//! The REST handlers: authentication, routing and the verbs on resources.

use std::collections::HashMap;
use std::sync::Arc;

use api::ResourceInfo;
use api::selectors::{FieldSelector, LabelSelector};
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::Value;
use store::SharedStore;

use crate::watch_cache::{Freshness, Snapshot};
use tokio::sync::Semaphore;

use crate::auth::{TokenFile, User};
use crate::error::ApiError;
use crate::objects::{self, decode, encode};
use crate::request::{self, Parsed, ResourceRequest, Target};
use crate::{discovery, scale, tables, watch};

mod create;
mod delete;
mod health;
mod list;
mod patch;
mod update;

use health::health;

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
    /// The kinds served: built-in, and those custom resource definitions add.
    pub registry: Arc<api::Registry>,
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
        crate::error::status_json(value) + "\n"
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
    let labels = metric_labels(&state, &request);
    let _inflight = labels.as_ref().filter(|l| l.verb != "WATCH").map(|l| {
        state
            .metrics
            .inflight(!matches!(l.verb.as_str(), "GET" | "LIST"))
    });
    let metrics = state.metrics.clone();
    let deprecation = deprecation_warning(&state, &request);
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
fn deprecation_warning(state: &ApiState, request: &Request<Body>) -> Option<String> {
    match request::parse(
        &state.registry,
        request.method(),
        request.uri().path(),
        false,
    ) {
        Parsed::Target(Target::Resource(resource)) => {
            resource.info.deprecation.as_deref().map(str::to_string)
        }
        _ => None,
    }
}

/// The verb, resource and scope of an API request, as metrics label them.
fn metric_labels(
    state: &ApiState,
    request: &Request<Body>,
) -> Option<crate::metrics::RequestLabels> {
    let watching = request
        .uri()
        .query()
        .is_some_and(|q| q.split('&').any(|p| p == "watch=true" || p == "watch=1"));
    let Parsed::Target(Target::Resource(resource)) = request::parse(
        &state.registry,
        request.method(),
        request.uri().path(),
        watching,
    ) else {
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
    let parsed = request::parse(&state.registry, request.method(), &path, watching);
    // Audited as the user who authenticated, before impersonation (as
    // upstream); the impersonated user is added to the record. A request
    // nobody could be authenticated for is audited too, with no user.
    let audited_as = user.clone().unwrap_or_default();
    let audit = match &parsed {
        Parsed::Target(Target::Resource(resource)) => begin_audit(
            &state,
            &request,
            &resource_attributes(&audited_as, resource, &query),
            &resource.info.version,
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
        let document = crate::openapi_v2::document(&state.registry);
        let protobuf = request
            .headers()
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(crate::openapi_v2::wants_protobuf);
        let (media, body) = if protobuf {
            (
                crate::openapi_v2::PROTOBUF_MEDIA_TYPE,
                document.protobuf.clone(),
            )
        } else {
            ("application/json", document.json.clone())
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
        return Ok(json_response(
            StatusCode::OK,
            &crate::openapi::root(&state.registry),
        ));
    }
    if let Some(gv) = path.strip_prefix("/openapi/v3/") {
        let document = crate::openapi::group_version(&state.registry, gv)
            .ok_or_else(ApiError::path_not_found)?;
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
                discovery::aggregated(&state.registry.rows(), core).to_string(),
            )
                .into_response());
        }
        Target::CoreVersions => {
            return Ok(json_response(
                StatusCode::OK,
                &discovery::core_versions(&state.advertise_address),
            ));
        }
        Target::Groups => {
            return Ok(json_response(
                StatusCode::OK,
                &discovery::group_list(&state.registry.rows()),
            ));
        }
        Target::Group(group) => {
            return discovery::group(&state.registry.rows(), &group)
                .map(|doc| json_response(StatusCode::OK, &doc))
                .ok_or_else(ApiError::path_not_found);
        }
        Target::ResourceList { group, version } => {
            return discovery::resource_list(&state.registry.rows(), &group, &version)
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
    pub(crate) fn info(&self) -> &ResourceInfo {
        &self.resource.info
    }

    /// The resource as it is stored: the objects in the store, and every
    /// rule that reads their content, are in this version's shape.
    pub(crate) fn storage_info(&self) -> api::Resource {
        self.resource.info.storage_info()
    }

    /// A stored object in the requested version's shape (a custom kind
    /// with a conversion webhook goes through `outgoing_all`).
    fn outgoing(&self, object: Value) -> Value {
        api::conversion::from_storage(self.info(), object)
    }

    /// Stored objects in the requested version's shape, converted by the
    /// definition's webhook where it has one.
    pub(crate) async fn outgoing_all(&self, objects: Vec<Value>) -> Result<Vec<Value>, ApiError> {
        let served = self.info();
        let objects = if crate::conversion_webhook::needed(served) {
            crate::conversion_webhook::convert(self.state, served, objects, &served.api_version())
                .await?
        } else {
            objects
        };
        Ok(objects.into_iter().map(|o| self.outgoing(o)).collect())
    }

    pub(crate) async fn outgoing_one(&self, object: Value) -> Result<Value, ApiError> {
        let mut all = self.outgoing_all(vec![object]).await?;
        all.pop()
            .ok_or_else(|| ApiError::internal("conversion returned no object"))
    }

    /// An object in the requested version's shape converted to the stored
    /// one (by the definition's webhook where it has one).
    pub(crate) async fn incoming(&self, object: Value) -> Result<Value, ApiError> {
        let served = self.info();
        let object = match served.stored_as.as_deref() {
            Some(stored) if crate::conversion_webhook::needed(served) => {
                crate::conversion_webhook::convert(self.state, served, vec![object], stored)
                    .await?
                    .pop()
                    .ok_or_else(|| ApiError::internal("conversion returned no object"))?
            }
            _ => object,
        };
        Ok(api::conversion::to_storage(served, object))
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

    /// Who this write records as the manager of the fields it sets: the
    /// `fieldManager` parameter (checked as upstream checks it), or the
    /// user agent's first word.
    pub(crate) fn manager(&self) -> Result<String, ApiError> {
        let given = self.query.get("fieldManager").map(String::as_str);
        if let Some(problem) = given.and_then(crate::fieldmanager::manager_problem) {
            return Err(self.options_invalid(vec![crate::error::Cause {
                reason: "FieldValueInvalid",
                field: "fieldManager".into(),
                message: problem,
            }]));
        }
        let agent = self
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        Ok(crate::fieldmanager::manager_name(given, agent))
    }

    /// The refusal of a request's options (`PatchOptions.meta.k8s.io ""
    /// is invalid: ...`).
    pub(crate) fn options_invalid(&self, causes: Vec<crate::error::Cause>) -> ApiError {
        let kind = match self.resource.verb {
            "create" => "CreateOptions",
            "update" => "UpdateOptions",
            _ => "PatchOptions",
        };
        ApiError::invalid_kind("meta.k8s.io", kind, "", causes)
    }

    /// Records this write in `new`'s managed fields (`old` is the stored
    /// object, none for a create).
    pub(crate) fn record_update(&self, manager: &str, old: Option<&Value>, new: &mut Value) {
        let writer = crate::fieldmanager::Writer {
            manager,
            api_version: self.info().api_version(),
            subresource: self.resource.subresource.as_deref(),
            now: crate::fieldmanager::now(),
        };
        crate::fieldmanager::update(&self.storage_info(), old, new, &writer);
    }

    /// Decodes `object` as its kind's type, as kube-apiserver's decoder
    /// does: wrong field types are a 400, unknown fields are refused, warned
    /// about or dropped as `fieldValidation` says. Returns the typed form.
    fn field_validation(&self, object: Value) -> Result<Value, ApiError> {
        let info = self.info();
        let mode = self.validation_mode()?;
        if let Some(custom) = &info.custom {
            return self.custom_field_validation(custom, object, mode);
        }
        let typed = match crate::typed::round_trip(&info.group, &info.version, &info.kind, &object)
        {
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
        self.unknown_fields(unknown, mode)?;
        Ok(typed)
    }

    /// An apply configuration checked as a body is (wrong types refused,
    /// unknown fields refused, warned about or dropped as `fieldValidation`
    /// says), but kept as sent: a configuration names only the fields its
    /// manager sets, and its kind's typed form would add others.
    fn apply_field_validation(&self, mut config: Value) -> Result<Value, ApiError> {
        let info = self.info();
        if let Some(custom) = &info.custom {
            let mode = self.validation_mode()?;
            if let Some(schema) = &custom.schema {
                let unknown: Vec<String> = schema
                    .prune(&mut config)
                    .into_iter()
                    .map(|field| format!("unknown field \"{field}\""))
                    .collect();
                self.unknown_fields(unknown, mode)?;
            }
            return Ok(config);
        }
        let typed = self.field_validation(config.clone())?;
        crate::typed::drop_unknown(&mut config, &typed);
        Ok(config)
    }

    fn validation_mode(&self) -> Result<&str, ApiError> {
        let mode = self
            .query
            .get("fieldValidation")
            .map_or("Warn", String::as_str);
        if !["Ignore", "Warn", "Strict"].contains(&mode) {
            return Err(ApiError::bad_request(format!(
                "Invalid field validation directive: {mode}"
            )));
        }
        Ok(mode)
    }

    /// Unknown fields a body carried: refused, warned about or ignored, as
    /// `fieldValidation` says.
    fn unknown_fields(&self, unknown: Vec<String>, mode: &str) -> Result<(), ApiError> {
        if unknown.is_empty() {
            return Ok(());
        }
        match mode {
            "Strict" => Err(ApiError::bad_request(format!(
                "strict decoding error: {}",
                unknown.join(", ")
            ))),
            "Warn" => {
                if let Ok(mut warnings) = self.warnings.lock() {
                    warnings.extend(unknown);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// A custom object as its schema reads it: defaults filled in, unknown
    /// fields dropped (refused or warned about as `fieldValidation` says).
    fn custom_field_validation(
        &self,
        custom: &api::custom::CustomKind,
        mut object: Value,
        mode: &str,
    ) -> Result<Value, ApiError> {
        let Some(schema) = &custom.schema else {
            return Ok(object);
        };
        let unknown: Vec<String> = schema
            .prune(&mut object)
            .into_iter()
            .map(|field| format!("unknown field \"{field}\""))
            .collect();
        self.unknown_fields(unknown, mode)?;
        schema.apply_defaults(&mut object);
        Ok(object)
    }

    pub(crate) fn key(&self, name: &str) -> String {
        self.info()
            .storage_key(self.resource.namespace.as_deref(), name)
    }

    async fn respond(&self, status: StatusCode, object: &Value) -> Result<Response, ApiError> {
        if wants_table(self.headers) {
            // The columns read the object at the requested version.
            let converted;
            let object = if crate::conversion_webhook::needed(self.info()) {
                converted = self.outgoing_one(object.clone()).await?;
                &converted
            } else {
                object
            };
            let table = tables::single(&self.resource.info.printer_info(), object, self.query);
            return Ok(json_response(status, &table));
        }
        if self.info().changes_on_read() {
            return Ok(json_response(
                status,
                &self.outgoing_one(object.clone()).await?,
            ));
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
        if info.builtin_kind() == "Binding" && self.resource.verb == "create" {
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
                Ok(json_response(
                    StatusCode::OK,
                    &scale::of(self.info(), &object),
                ))
            }
            ("update" | "patch", Some("scale")) => self.write_scale(body).await,
            ("create", Some("binding")) => self.bind(body).await,
            ("create", Some("eviction")) => self.evict(body).await,
            ("create", Some("token")) if info.builtin_kind() == "ServiceAccount" => {
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
            metrics: &self.state.metrics,
        })
    }
}

/// A resourceVersion from a query: a revision the store could hand out
/// (not negative, and with a successor to watch from).
pub(crate) fn parse_resource_version(text: &str) -> Result<i64, ApiError> {
    text.parse::<i64>()
        .ok()
        .filter(|rv| (0..i64::MAX).contains(rv))
        .ok_or_else(|| ApiError::bad_request(format!("invalid resource version: {text:?}")))
}
