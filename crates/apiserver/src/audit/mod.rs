//! Auditing, as kube-apiserver's `--audit-policy-file` and
//! `--audit-log-*`: every request is matched against the policy's rules
//! (audit.k8s.io/v1 `Policy`; the first matching rule's level, nothing
//! when none matches), and an `audit.k8s.io/v1` Event is written per stage
//! — RequestReceived, ResponseStarted (watches), ResponseComplete or Panic
//! — with the request body at `Request` and the response body too at
//! `RequestResponse`. The log is JSON lines, rotated by `log.rs`.

mod log;

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::User;
pub use log::LogFile;

/// The flags of auditing.
#[derive(Clone, Debug)]
pub struct AuditConfig {
    pub policy_file: PathBuf,
    /// Where events go (`-`: standard output).
    pub log_path: PathBuf,
    /// Days a rotated file is kept (0: no limit).
    pub max_age_days: u64,
    /// Rotated files kept (0: no limit).
    pub max_backups: usize,
    /// Megabytes a file grows to before it is rotated (0: never).
    pub max_size_mb: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
pub enum Level {
    #[default]
    None,
    Metadata,
    Request,
    RequestResponse,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::None => "None",
            Level::Metadata => "Metadata",
            Level::Request => "Request",
            Level::RequestResponse => "RequestResponse",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum Stage {
    RequestReceived,
    ResponseStarted,
    ResponseComplete,
    Panic,
}

impl Stage {
    fn name(self) -> &'static str {
        match self {
            Stage::RequestReceived => "RequestReceived",
            Stage::ResponseStarted => "ResponseStarted",
            Stage::ResponseComplete => "ResponseComplete",
            Stage::Panic => "Panic",
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupResources {
    #[serde(default)]
    group: String,
    #[serde(default)]
    resources: Vec<String>,
    #[serde(default)]
    resource_names: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    level: Level,
    #[serde(default)]
    users: Vec<String>,
    #[serde(default)]
    user_groups: Vec<String>,
    #[serde(default)]
    verbs: Vec<String>,
    #[serde(default)]
    resources: Vec<GroupResources>,
    #[serde(default)]
    namespaces: Vec<String>,
    #[serde(default, rename = "nonResourceURLs")]
    non_resource_urls: Vec<String>,
    #[serde(default)]
    omit_stages: Vec<Stage>,
}

/// An audit.k8s.io/v1 Policy.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    #[serde(default)]
    api_version: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    rules: Vec<Rule>,
    #[serde(default)]
    omit_stages: Vec<Stage>,
}

/// What a request is, as the policy matches it.
#[derive(Clone, Debug, Default)]
pub struct RequestAttributes {
    pub verb: String,
    pub resource_request: bool,
    pub api_group: String,
    pub api_version: String,
    pub resource: String,
    pub subresource: String,
    pub namespace: String,
    pub name: String,
    pub path: String,
}

impl Policy {
    pub fn parse(text: &str) -> Result<Policy, String> {
        let policy: Policy = serde_norway::from_str(text).map_err(|e| e.to_string())?;
        if policy.kind != "Policy" || policy.api_version != "audit.k8s.io/v1" {
            return Err(format!(
                "an audit.k8s.io/v1 Policy was expected, not kind {:?} of {:?}",
                policy.kind, policy.api_version
            ));
        }
        Ok(policy)
    }

    /// The level of a request by `user`, and the stages not to record.
    pub fn level(&self, user: &User, request: &RequestAttributes) -> (Level, Vec<Stage>) {
        match self.rules.iter().find(|rule| rule.matches(user, request)) {
            Some(rule) => {
                let mut omitted = self.omit_stages.clone();
                omitted.extend(rule.omit_stages.iter().copied());
                (rule.level, omitted)
            }
            None => (Level::None, Vec::new()),
        }
    }
}

impl Rule {
    fn matches(&self, user: &User, request: &RequestAttributes) -> bool {
        if !self.users.is_empty() && !self.users.contains(&user.name) {
            return false;
        }
        if !self.user_groups.is_empty() && !user.groups.iter().any(|g| self.user_groups.contains(g))
        {
            return false;
        }
        if !self.verbs.is_empty() && !self.verbs.contains(&request.verb) {
            return false;
        }
        if !self.namespaces.is_empty() || !self.resources.is_empty() {
            return self.matches_resource(request);
        }
        if !self.non_resource_urls.is_empty() {
            return !request.resource_request
                && self
                    .non_resource_urls
                    .iter()
                    .any(|url| match url.strip_suffix('*') {
                        Some(prefix) => request.path.starts_with(prefix),
                        None => request.path == *url,
                    });
        }
        true
    }

    fn matches_resource(&self, request: &RequestAttributes) -> bool {
        if !request.resource_request {
            return false;
        }
        if !self.namespaces.is_empty() && !self.namespaces.contains(&request.namespace) {
            return false;
        }
        if self.resources.is_empty() {
            return true;
        }
        let combined = if request.subresource.is_empty() {
            request.resource.clone()
        } else {
            format!("{}/{}", request.resource, request.subresource)
        };
        self.resources.iter().any(|group| {
            group.group == request.api_group
                && (group.resources.is_empty()
                    || group.resources.iter().any(|resource| {
                        let named = group.resource_names.is_empty()
                            || group.resource_names.contains(&request.name);
                        named
                            && (*resource == combined
                                || resource == "*"
                                || resource.strip_prefix("*/").is_some_and(|sub| {
                                    !request.subresource.is_empty() && sub == request.subresource
                                })
                                || resource
                                    .strip_suffix("/*")
                                    .is_some_and(|res| res == request.resource))
                    }))
        })
    }
}

/// The server's auditing: its policy and where events go.
pub struct Auditor {
    policy: Policy,
    log: LogFile,
}

impl Auditor {
    pub fn new(config: &AuditConfig) -> Result<Auditor, String> {
        let text = std::fs::read_to_string(&config.policy_file)
            .map_err(|e| format!("{}: {e}", config.policy_file.display()))?;
        let policy =
            Policy::parse(&text).map_err(|e| format!("{}: {e}", config.policy_file.display()))?;
        let log = LogFile::open(config)?;
        Ok(Auditor { policy, log })
    }

    /// Starts the record of one request; `None` when the policy does not
    /// audit it.
    pub fn begin(
        self: &Arc<Self>,
        user: &User,
        request: RequestAttributes,
        request_uri: String,
        source_ips: Vec<IpAddr>,
        user_agent: Option<String>,
        received: chrono::DateTime<chrono::Utc>,
    ) -> Option<Arc<Record>> {
        let (level, omitted) = self.policy.level(user, &request);
        if level == Level::None {
            return None;
        }
        let record = Arc::new(Record {
            auditor: self.clone(),
            level,
            omitted,
            id: uuid::Uuid::new_v4().to_string(),
            base: Mutex::new(base_event(
                level,
                user,
                &request,
                request_uri,
                source_ips,
                user_agent,
                received,
            )),
        });
        record.emit(Stage::RequestReceived, None);
        Some(record)
    }
}

fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn base_event(
    level: Level,
    user: &User,
    request: &RequestAttributes,
    request_uri: String,
    source_ips: Vec<IpAddr>,
    user_agent: Option<String>,
    received: chrono::DateTime<chrono::Utc>,
) -> Value {
    let mut event = json!({
        "kind": "Event",
        "apiVersion": "audit.k8s.io/v1",
        "level": level.name(),
        "requestURI": request_uri,
        "verb": request.verb,
        // Nobody authenticated: no user, as upstream records it.
        "user": if user.name.is_empty() { json!({}) } else { crate::virtual_kinds::user_info(user) },
        "sourceIPs": source_ips.iter().map(|ip| ip.to_string()).collect::<Vec<_>>(),
        "requestReceivedTimestamp": timestamp(received),
    });
    if let Some(agent) = user_agent {
        event["userAgent"] = json!(agent);
    }
    if request.resource_request {
        let mut object = json!({"resource": request.resource, "apiVersion": request.api_version});
        for (field, value) in [
            ("namespace", &request.namespace),
            ("name", &request.name),
            ("apiGroup", &request.api_group),
            ("subresource", &request.subresource),
        ] {
            if !value.is_empty() {
                object[field] = json!(value);
            }
        }
        event["objectRef"] = object;
    }
    event
}

/// One audited request: its event so far, written at each stage.
pub struct Record {
    auditor: Arc<Auditor>,
    pub level: Level,
    omitted: Vec<Stage>,
    /// The request's audit ID (the `Audit-ID` response header).
    pub id: String,
    base: Mutex<Value>,
}

impl Record {
    /// Whether the request body is part of the record.
    pub fn wants_request(&self) -> bool {
        self.level >= Level::Request
    }

    /// Whether the response body is part of the record.
    pub fn wants_response(&self) -> bool {
        self.level >= Level::RequestResponse
    }

    /// Records whom the request impersonates.
    pub fn impersonated(&self, user: &User) {
        if let Ok(mut event) = self.base.lock() {
            event["impersonatedUser"] = crate::virtual_kinds::user_info(user);
        }
    }

    /// Records the authorizer's decision.
    pub fn authorized(&self, allowed: bool, reason: &str) {
        self.annotate(
            "authorization.k8s.io/decision",
            if allowed { "allow" } else { "forbid" },
        );
        self.annotate("authorization.k8s.io/reason", reason);
    }

    /// Adds an annotation to the event (admission plugins add theirs).
    pub fn annotate(&self, key: &str, value: &str) {
        if let Ok(mut event) = self.base.lock() {
            let annotations = event
                .as_object_mut()
                .map(|e| e.entry("annotations").or_insert_with(|| json!({})));
            if let Some(annotations) = annotations {
                annotations[key] = json!(value);
            }
        }
    }

    /// Records the request's body, decoded.
    pub fn request_object(&self, object: Value) {
        if self.wants_request()
            && let Ok(mut event) = self.base.lock()
        {
            event["requestObject"] = object;
        }
    }

    /// Writes the event of `stage`; `response` is the status code and,
    /// at RequestResponse, the body.
    pub fn emit(&self, stage: Stage, response: Option<(u16, Option<&[u8]>)>) {
        if self.omitted.contains(&stage) {
            return;
        }
        let Ok(base) = self.base.lock() else {
            return;
        };
        let mut event = base.clone();
        drop(base);
        event["auditID"] = json!(self.id);
        event["stage"] = json!(stage.name());
        event["stageTimestamp"] = json!(timestamp(chrono::Utc::now()));
        if let Some((code, body)) = response {
            let parsed = body.and_then(|b| serde_json::from_slice::<Value>(b).ok());
            let is_status = parsed
                .as_ref()
                .is_some_and(|v| v.get("kind").and_then(Value::as_str) == Some("Status"));
            event["responseStatus"] = match (&parsed, is_status) {
                (Some(status), true) => {
                    let mut status = status.clone();
                    if let Some(object) = status.as_object_mut() {
                        object.remove("kind");
                        object.remove("apiVersion");
                    }
                    status
                }
                _ => json!({"metadata": {}, "code": code}),
            };
            if self.wants_response()
                && let Some(object) = parsed
            {
                event["responseObject"] = object;
            }
        }
        self.auditor.log.write(&event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, groups: &[&str]) -> User {
        User {
            name: name.into(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
            ..User::default()
        }
    }

    fn resource(verb: &str, group: &str, resource: &str, sub: &str, ns: &str) -> RequestAttributes {
        RequestAttributes {
            verb: verb.into(),
            resource_request: true,
            api_group: group.into(),
            api_version: "v1".into(),
            resource: resource.into(),
            subresource: sub.into(),
            namespace: ns.into(),
            name: "x".into(),
            path: String::new(),
        }
    }

    const POLICY: &str = r#"
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    users: ["system:kube-proxy"]
  - level: None
    nonResourceURLs: ["/healthz*", "/version"]
  - level: Metadata
    resources:
      - group: ""
        resources: ["secrets", "pods/log"]
  - level: RequestResponse
    verbs: ["create", "update"]
    resources:
      - group: ""
        resources: ["configmaps"]
    namespaces: ["default"]
  - level: Request
    resources:
      - group: "apps"
        resources: ["*/scale"]
  - level: Metadata
"#;

    #[test]
    fn the_first_matching_rule_decides() {
        let policy = Policy::parse(POLICY).unwrap();
        let alice = user("alice", &["system:authenticated"]);
        let level = |u: &User, r: RequestAttributes| policy.level(u, &r).0;
        assert_eq!(
            level(
                &user("system:kube-proxy", &[]),
                resource("list", "", "services", "", "")
            ),
            Level::None
        );
        let health = RequestAttributes {
            verb: "get".into(),
            path: "/healthz/etcd".into(),
            ..Default::default()
        };
        assert_eq!(level(&alice, health), Level::None);
        assert_eq!(
            level(&alice, resource("get", "", "secrets", "", "a")),
            Level::Metadata
        );
        assert_eq!(
            level(&alice, resource("get", "", "pods", "log", "a")),
            Level::Metadata
        );
        assert_eq!(
            level(&alice, resource("create", "", "configmaps", "", "default")),
            Level::RequestResponse
        );
        assert_eq!(
            level(&alice, resource("create", "", "configmaps", "", "other")),
            Level::Metadata
        );
        assert_eq!(
            level(
                &alice,
                resource("update", "apps", "deployments", "scale", "a")
            ),
            Level::Request
        );
        let (_, omitted) = policy.level(&alice, &resource("get", "", "pods", "", "a"));
        assert_eq!(omitted, vec![Stage::RequestReceived]);
        assert!(Policy::parse("apiVersion: v1\nkind: ConfigMap\n").is_err());
    }
}
