//! ResourceQuota: a write that would take a namespace over one of its
//! quotas is refused (`exceeded quota: ...`, 403 as upstream); a write
//! within them is charged to each matching quota's `status.used` before
//! it is stored, with a compare-and-swap, so concurrent creates cannot
//! both spend the last unit. The resource quota controller recounts
//! usage from what is really stored (a charged write that then failed,
//! deletions).
//!
//! A quota the controller has not counted yet (no `status.hard`) is not
//! enforced; one whose `status.used` lacks a resource it limits refuses
//! until it has been counted.

use std::collections::BTreeSet;

use api::quota::{
    Evaluator, ResourceList, add, evaluator_counts, exceeding, mask, parse_list, pod_constraints,
    pretty, scopes_match, subtract, to_json, usage,
};
use async_trait::async_trait;
use chrono::Utc;
use serde_json::Value;

use super::{AdmissionPlugin, Attributes, Operation, forbidden};
use crate::error::ApiError;
use crate::objects::{self, encode};

/// Re-reads of the quotas when a charge loses a race with another write.
const CHARGE_RETRIES: usize = 10;

pub struct ResourceQuota;

/// A quota that limits something this write uses.
struct Charged {
    name: String,
    uid: String,
    revision: i64,
    quota: Value,
    hard: ResourceList,
    used: ResourceList,
}

#[async_trait]
impl AdmissionPlugin for ResourceQuota {
    fn name(&self) -> &'static str {
        "ResourceQuota"
    }

    async fn validate(
        &self,
        attributes: &Attributes<'_>,
        object: Option<&Value>,
    ) -> Result<(), ApiError> {
        let (Some(namespace), Some(object), None) =
            (attributes.namespace, object, attributes.subresource)
        else {
            return Ok(());
        };
        let (group, plural) = (&*attributes.info.group, &*attributes.info.plural);
        let evaluator = Evaluator::of(group, plural);
        let old = match attributes.operation {
            Operation::Create => None,
            Operation::Update if evaluator.handles_update() => attributes.old,
            _ => return Ok(()),
        };
        let now = Utc::now();
        let mut delta = usage(group, plural, object, now);
        let negative: Vec<&str> = delta
            .iter()
            .filter(|(_, q)| q.is_negative())
            .map(|(name, _)| name.as_str())
            .collect();
        if !negative.is_empty() {
            return Err(forbidden(
                attributes,
                &format!(
                    "quota usage is negative for resource(s): {}",
                    negative.join(",")
                ),
            ));
        }
        if let Some(old) = old {
            delta = subtract(&delta, &usage(group, plural, old, now));
        }
        if delta.values().all(|q| q.is_zero()) {
            return Ok(());
        }
        // Quotas already charged, by uid, should a later one lose a race.
        let mut done: BTreeSet<String> = BTreeSet::new();
        let mut contended = String::new();
        for _ in 0..CHARGE_RETRIES {
            let (info, quotas) =
                super::stored_objects(attributes, ("", "v1", "resourcequotas"), Some(namespace))
                    .await?;
            let mut charged = Vec::new();
            for (kv, quota) in quotas {
                let name = objects::name_of(&quota).to_string();
                let uid = quota["metadata"]["uid"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                if done.contains(&uid) {
                    continue;
                }
                let hard = parse_list(quota.pointer("/status/hard"));
                let limited: BTreeSet<String> = hard
                    .keys()
                    .filter(|r| evaluator_counts(evaluator, group, plural, r))
                    .cloned()
                    .collect();
                if limited.is_empty() || !scopes_match(&quota, evaluator, object) {
                    continue;
                }
                if evaluator == Evaluator::Pods {
                    pod_constraints(&limited, object).map_err(|reason| {
                        forbidden(attributes, &format!("failed quota: {name}: {reason}"))
                    })?;
                }
                let used = parse_list(quota.pointer("/status/used"));
                let uncounted: Vec<&str> = limited
                    .iter()
                    .filter(|r| !used.contains_key(*r))
                    .map(String::as_str)
                    .collect();
                if !uncounted.is_empty() {
                    return Err(forbidden(
                        attributes,
                        &format!(
                            "status unknown for quota: {name}, resources: {}",
                            uncounted.join(",")
                        ),
                    ));
                }
                charged.push(Charged {
                    name,
                    uid,
                    revision: kv.mod_revision,
                    quota,
                    hard,
                    used,
                });
            }
            if charged.is_empty() {
                return Ok(());
            }
            let mut writes = Vec::new();
            for quota in charged {
                let requested = mask(&delta, quota.hard.keys());
                let new_used = add(&quota.used, &requested);
                let exceeded = exceeding(&mask(&new_used, requested.keys()), &quota.hard);
                if !exceeded.is_empty() {
                    return Err(forbidden(
                        attributes,
                        &format!(
                            "exceeded quota: {}, requested: {}, used: {}, limited: {}",
                            quota.name,
                            pretty(&mask(&requested, &exceeded)),
                            pretty(&mask(&quota.used, &exceeded)),
                            pretty(&mask(&quota.hard, &exceeded)),
                        ),
                    ));
                }
                if !requested.is_empty() {
                    writes.push((quota, new_used));
                }
            }
            if attributes.dry_run {
                return Ok(());
            }
            let mut lost_race = false;
            for (mut quota, new_used) in writes {
                quota.quota["status"]["used"] = to_json(&new_used);
                let key = info.storage_key(Some(namespace), &quota.name);
                match attributes
                    .store
                    .update(&key, encode(&quota.quota), quota.revision)
                    .await
                {
                    Ok(_) => {
                        done.insert(quota.uid);
                    }
                    Err(store::StoreError::Conflict { .. } | store::StoreError::NotFound(_)) => {
                        lost_race = true;
                        contended = quota.name;
                    }
                    Err(err) => return Err(ApiError::from_store(err, info, &quota.name)),
                }
            }
            if !lost_race {
                return Ok(());
            }
        }
        let info = api::registry::lookup("", "v1", "resourcequotas")
            .ok_or_else(|| ApiError::internal("no resourcequotas resource"))?;
        Err(ApiError::conflict(info, &contended))
    }
}
