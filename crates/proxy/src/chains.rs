//! Chains as both packet filters see them — a name and its rules in order
//! — and what changed between two rule sets, so a sync rewrites only the
//! chains whose rules differ (upstream's partial syncs).

use std::collections::BTreeMap;

/// Chain name → its rules, each rendered in the filter's own syntax.
pub type Chains = BTreeMap<String, Vec<String>>;

/// How `new` differs from `old`, by chain name (each list sorted).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ChainChanges<'a> {
    pub added: Vec<&'a str>,
    pub changed: Vec<&'a str>,
    pub removed: Vec<&'a str>,
}

impl ChainChanges<'_> {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

pub fn diff<'a>(old: &'a Chains, new: &'a Chains) -> ChainChanges<'a> {
    let mut changes = ChainChanges::default();
    for (name, rules) in new {
        match old.get(name) {
            None => changes.added.push(name),
            Some(previous) if previous != rules => changes.changed.push(name),
            Some(_) => {}
        }
    }
    for name in old.keys() {
        if !new.contains_key(name) {
            changes.removed.push(name);
        }
    }
    changes
}

/// How many rules a rule set holds (for the rule-count metrics).
pub fn rule_count(chains: &Chains) -> usize {
    chains.values().map(Vec::len).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_differing_chains_are_reported() {
        let chains = |entries: &[(&str, &[&str])]| -> Chains {
            entries
                .iter()
                .map(|(n, r)| (n.to_string(), r.iter().map(|s| s.to_string()).collect()))
                .collect()
        };
        let old = chains(&[("a", &["x"]), ("b", &["y"]), ("c", &[])]);
        let new = chains(&[("a", &["x"]), ("b", &["z"]), ("d", &["w"])]);
        let changes = diff(&old, &new);
        assert_eq!(changes.added, ["d"]);
        assert_eq!(changes.changed, ["b"]);
        assert_eq!(changes.removed, ["c"]);
        assert!(diff(&new, &new).is_empty());
        assert_eq!(rule_count(&new), 3);
    }
}
