//! CertificateSigningRequests as upstream's strategy keeps them: the
//! requester is recorded on create (whatever the client wrote), the
//! `approval` subresource changes only the conditions, the `status`
//! subresource cannot approve or deny, and an approval or denial once
//! given stays.

use serde_json::{Value, json};

use crate::auth::User;
use crate::error::Cause;

const DECISIONS: [&str; 2] = ["Approved", "Denied"];

fn condition_type(condition: &Value) -> &str {
    condition
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// On create: who asks, and no status yet.
pub fn prepare_create(csr: &mut Value, user: &User) {
    if let Some(spec) = csr.get_mut("spec").and_then(Value::as_object_mut) {
        spec.insert("username".into(), json!(user.name));
        spec.remove("uid");
        if !user.uid.is_empty() {
            spec.insert("uid".into(), json!(user.uid));
        }
        spec.insert("groups".into(), json!(user.groups));
        spec.remove("extra");
        if !user.extra.is_empty() {
            spec.insert("extra".into(), json!(user.extra));
        }
    }
    if let Some(object) = csr.as_object_mut() {
        object.remove("status");
    }
}

fn conditions(csr: &Value) -> Vec<Value> {
    csr.pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Conditions as stored: update times where none was given, transition
/// times where the status changed.
fn stamped(new: Vec<Value>, old: &[Value]) -> Vec<Value> {
    let now = api::meta::now_timestamp();
    new.into_iter()
        .map(|mut condition| {
            let previous = old
                .iter()
                .find(|o| condition_type(o) == condition_type(&condition));
            if condition.get("lastUpdateTime").is_none_or(Value::is_null) {
                condition["lastUpdateTime"] = json!(now);
            }
            if condition
                .get("lastTransitionTime")
                .is_none_or(Value::is_null)
            {
                condition["lastTransitionTime"] = match previous {
                    Some(p) if p.get("status") == condition.get("status") => {
                        p.get("lastTransitionTime").cloned().unwrap_or(json!(now))
                    }
                    _ => json!(now),
                };
            }
            condition
        })
        .collect()
}

/// A write to `approval`: the stored request with the new conditions.
pub fn prepare_approval(old: &Value, new: &Value) -> Value {
    let mut merged = old.clone();
    let conditions = stamped(conditions(new), &conditions(old));
    set_conditions(&mut merged, conditions);
    merged
}

/// A write to `status`: anything but the approval, which stays as stored.
pub fn prepare_status(old: &Value, new: &mut Value) {
    let stored = conditions(old);
    let mut kept: Vec<Value> = conditions(new)
        .into_iter()
        .filter(|c| !DECISIONS.contains(&condition_type(c)))
        .collect();
    kept.extend(
        stored
            .iter()
            .filter(|c| DECISIONS.contains(&condition_type(c)))
            .cloned(),
    );
    let kept = stamped(kept, &stored);
    set_conditions(new, kept);
}

fn set_conditions(csr: &mut Value, conditions: Vec<Value>) {
    if !csr.get("status").is_some_and(Value::is_object) {
        csr["status"] = json!({});
    }
    if conditions.is_empty() {
        if let Some(status) = csr.get_mut("status").and_then(Value::as_object_mut) {
            status.remove("conditions");
        }
    } else {
        csr["status"]["conditions"] = Value::Array(conditions);
    }
}

/// What an update may not do to the conditions: approve and deny at once,
/// take back a decision, or issue a certificate for a request that is not
/// approved.
pub fn validate_update(new: &Value, old: &Value, causes: &mut Vec<Cause>) {
    let now = conditions(new);
    let has = |list: &[Value], kind: &str| {
        list.iter().any(|c| {
            condition_type(c) == kind && c.get("status").and_then(Value::as_str) != Some("False")
        })
    };
    if has(&now, "Approved") && has(&now, "Denied") {
        causes.push(Cause::invalid(
            "status.conditions",
            "Approved",
            "Approved and Denied conditions are mutually exclusive",
        ));
    }
    for decision in DECISIONS {
        if has(&conditions(old), decision) && !has(&now, decision) {
            causes.push(Cause::forbidden(
                "status.conditions",
                &format!("updates may not remove a condition of type {decision:?}"),
            ));
        }
    }
    let certificate = |csr: &Value| {
        csr.pointer("/status/certificate")
            .and_then(Value::as_str)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
    };
    match (certificate(old), certificate(new)) {
        (Some(before), Some(after)) if before != after => causes.push(Cause::forbidden(
            "status.certificate",
            "updates may not modify existing certificate content",
        )),
        (None, Some(_)) if !has(&now, "Approved") => causes.push(Cause::invalid(
            "status.certificate",
            "<certificate data>",
            "certificate may only be set if the request is approved",
        )),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csr(conditions: Value) -> Value {
        json!({"spec": {"signerName": "example.com/x"}, "status": {"conditions": conditions}})
    }

    #[test]
    fn approval_changes_only_conditions_and_status_cannot_approve() {
        let old = json!({"spec": {"signerName": "example.com/x", "username": "alice"}});
        let mut new =
            csr(json!([{"type": "Approved", "status": "True", "reason": "KubectlApprove"}]));
        new["spec"]["username"] = json!("mallory");
        let approved = prepare_approval(&old, &new);
        assert_eq!(approved["spec"]["username"], "alice");
        assert_eq!(approved["status"]["conditions"][0]["type"], "Approved");
        assert!(approved["status"]["conditions"][0]["lastUpdateTime"].is_string());

        let mut sneaky = csr(json!([{"type": "Approved", "status": "True"}]));
        prepare_status(&old, &mut sneaky);
        assert!(sneaky["status"]["conditions"].is_null(), "{sneaky}");
        let mut signed = approved.clone();
        signed["status"]["certificate"] = json!("Y2VydA==");
        prepare_status(&approved, &mut signed);
        assert_eq!(signed["status"]["conditions"][0]["type"], "Approved");
    }

    #[test]
    fn decisions_stay_and_certificates_need_an_approval() {
        let check = |new: &Value, old: &Value| {
            let mut causes = Vec::new();
            validate_update(new, old, &mut causes);
            causes
                .iter()
                .map(|c| c.message.clone())
                .collect::<Vec<_>>()
                .join("; ")
        };
        let approved = csr(json!([{"type": "Approved", "status": "True"}]));
        let both = csr(
            json!([{"type": "Approved", "status": "True"}, {"type": "Denied", "status": "True"}]),
        );
        assert!(check(&both, &approved).contains("mutually exclusive"));
        let none = csr(json!([]));
        assert!(check(&none, &approved).contains("may not remove"));
        let mut issued = none.clone();
        issued["status"]["certificate"] = json!("Y2VydA==");
        assert!(check(&issued, &none).contains("only be set if the request is approved"));
        let mut good = approved.clone();
        good["status"]["certificate"] = json!("Y2VydA==");
        assert_eq!(check(&good, &approved), "");
    }
}
