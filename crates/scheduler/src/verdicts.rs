//! The scheduler's last word on each pod, kept for `/debug/pods/NS/NAME`:
//! for a pod that fits nowhere, which plugin rejected which node and why;
//! for a scheduled pod, every feasible node's score, plugin by plugin. So
//! "why is my pod Pending" (or "why there") has a complete answer.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use serde_json::{Value, json};

use crate::schedule_one::{Decision, Diagnosis};

/// Verdicts kept at most (the oldest go first).
const KEPT: usize = 1000;

pub enum Verdict {
    Scheduled(Decision),
    Unschedulable {
        message: String,
        diagnosis: Diagnosis,
    },
    Error(String),
}

#[derive(Default)]
pub struct Verdicts {
    recent: Mutex<VecDeque<(String, String, Verdict)>>,
}

impl std::fmt::Debug for Verdicts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Verdicts")
    }
}

impl Verdicts {
    fn with<T>(&self, f: impl FnOnce(&mut VecDeque<(String, String, Verdict)>) -> T) -> T {
        let mut recent = match self.recent.lock() {
            Ok(recent) => recent,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut recent)
    }

    /// Records the verdict of an attempt on pod `key` (`ns/name`).
    pub fn record(&self, key: &str, verdict: Verdict) {
        let at = k8s_openapi::jiff::Timestamp::now().to_string();
        self.with(|recent| {
            recent.retain(|(k, _, _)| k != key);
            if recent.len() >= KEPT {
                recent.pop_front();
            }
            recent.push_back((key.to_string(), at, verdict));
        });
    }

    pub fn forget(&self, key: &str) {
        self.with(|recent| recent.retain(|(k, _, _)| k != key));
    }

    /// The verdict on `key` as JSON, if one is kept.
    pub fn render(&self, key: &str) -> Option<Value> {
        self.with(|recent| {
            let (_, at, verdict) = recent.iter().find(|(k, _, _)| k == key)?;
            Some(match verdict {
                Verdict::Scheduled(decision) => {
                    let nodes: Vec<Value> = decision
                        .scores
                        .iter()
                        .enumerate()
                        .map(|(i, (node, total))| {
                            let plugins: BTreeMap<&str, i64> = decision
                                .breakdown
                                .iter()
                                .map(|(plugin, scores)| (*plugin, scores.get(i).copied().unwrap_or(0)))
                                .collect();
                            json!({"node": node, "score": total, "plugins": plugins})
                        })
                        .collect();
                    json!({"pod": key, "time": at, "result": "Scheduled", "node": decision.node,
                        "evaluatedNodes": decision.evaluated, "feasibleNodes": decision.feasible,
                        "scores": nodes})
                }
                Verdict::Unschedulable { message, diagnosis } => {
                    let nodes: BTreeMap<&str, Value> = diagnosis
                        .node_statuses
                        .iter()
                        .map(|(node, status)| {
                            (node.as_str(), json!({"plugin": status.plugin, "code": format!("{:?}", status.code), "reasons": status.reasons}))
                        })
                        .collect();
                    let mut out = json!({"pod": key, "time": at, "result": "Unschedulable",
                        "message": message, "nodes": nodes});
                    if let Some(status) = &diagnosis.pre_filter {
                        out["preFilter"] = json!({"plugin": status.plugin, "reasons": status.reasons});
                    }
                    out
                }
                Verdict::Error(message) => {
                    json!({"pod": key, "time": at, "result": "Error", "message": message})
                }
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Status;

    #[test]
    fn verdicts_explain_each_node() {
        let verdicts = Verdicts::default();
        let mut diagnosis = Diagnosis {
            all_nodes: 2,
            ..Diagnosis::default()
        };
        let mut status = Status::unschedulable(vec!["Insufficient memory".into()]);
        status.plugin = "NodeResourcesFit";
        diagnosis.node_statuses.insert("n1".into(), status);
        verdicts.record(
            "d/p",
            Verdict::Unschedulable {
                message: diagnosis.message(),
                diagnosis,
            },
        );
        let rendered = verdicts.render("d/p").unwrap();
        assert_eq!(rendered["result"], "Unschedulable");
        assert_eq!(rendered["nodes"]["n1"]["plugin"], "NodeResourcesFit");
        assert_eq!(rendered["nodes"]["n1"]["reasons"][0], "Insufficient memory");
        verdicts.forget("d/p");
        assert!(verdicts.render("d/p").is_none());
    }
}
