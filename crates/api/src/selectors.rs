//! Label and field selectors as `?labelSelector=` and `?fieldSelector=`
//! carry them, with upstream's syntax and error messages.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::meta::{validate_label_key, validate_label_value};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
    GreaterThan(String, i64),
    LessThan(String, i64),
}

/// A parsed label selector: every requirement must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    pub requirements: Vec<Requirement>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SelectorError(pub String);

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Comma,
    Open,
    Close,
    Eq,
    DoubleEq,
    NotEq,
    Not,
    Gt,
    Lt,
}

fn tokenize(text: &str) -> Result<Vec<Token>, SelectorError> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' => i += 1,
            ',' => {
                tokens.push(Token::Comma);
                i += 1
            }
            '(' => {
                tokens.push(Token::Open);
                i += 1
            }
            ')' => {
                tokens.push(Token::Close);
                i += 1
            }
            '=' if chars.get(i + 1) == Some(&'=') => {
                tokens.push(Token::DoubleEq);
                i += 2
            }
            '=' => {
                tokens.push(Token::Eq);
                i += 1
            }
            '!' if chars.get(i + 1) == Some(&'=') => {
                tokens.push(Token::NotEq);
                i += 2
            }
            '!' => {
                tokens.push(Token::Not);
                i += 1
            }
            '>' => {
                tokens.push(Token::Gt);
                i += 1
            }
            '<' => {
                tokens.push(Token::Lt);
                i += 1
            }
            _ => {
                let start = i;
                while i < chars.len() && !" \t\n,()=!<>".contains(chars[i]) {
                    i += 1;
                }
                tokens.push(Token::Ident(chars[start..i].iter().collect()));
            }
        }
    }
    Ok(tokens)
}

impl LabelSelector {
    /// Parses `a=b,c!=d,e in (f,g),h notin (i),j,!k`.
    pub fn parse(text: &str) -> Result<Self, SelectorError> {
        let tokens = tokenize(text)?;
        let mut requirements = Vec::new();
        let mut pos = 0;
        let err = |msg: String| Err(SelectorError(msg));
        while pos < tokens.len() {
            let requirement = match &tokens[pos] {
                Token::Not => {
                    let Some(Token::Ident(key)) = tokens.get(pos + 1) else {
                        return err(format!(
                            "unable to parse requirement: found '{}', expected: identifier",
                            describe(tokens.get(pos + 1))
                        ));
                    };
                    pos += 2;
                    check_key(key)?;
                    Requirement::DoesNotExist(key.clone())
                }
                Token::Ident(key) => {
                    let key = key.clone();
                    check_key(&key)?;
                    pos += 1;
                    match tokens.get(pos) {
                        None | Some(Token::Comma) => Requirement::Exists(key),
                        Some(Token::Eq) | Some(Token::DoubleEq) | Some(Token::NotEq) => {
                            let negate = tokens[pos] == Token::NotEq;
                            pos += 1;
                            let value = match tokens.get(pos) {
                                Some(Token::Ident(v)) => {
                                    pos += 1;
                                    v.clone()
                                }
                                None | Some(Token::Comma) => String::new(),
                                Some(other) => {
                                    return err(format!(
                                        "found '{}', expected: identifier",
                                        describe(Some(other))
                                    ));
                                }
                            };
                            check_value(&value)?;
                            if negate {
                                Requirement::NotEquals(key, value)
                            } else {
                                Requirement::Equals(key, value)
                            }
                        }
                        Some(Token::Gt) | Some(Token::Lt) => {
                            let greater = tokens[pos] == Token::Gt;
                            pos += 1;
                            let Some(Token::Ident(v)) = tokens.get(pos) else {
                                return err("found '', expected: identifier".to_string());
                            };
                            pos += 1;
                            let n: i64 = v.parse().map_err(|_| {
                                SelectorError(format!(
                                    "for 'Gt', 'Lt' operators, the value must be an integer: {v:?}"
                                ))
                            })?;
                            if greater {
                                Requirement::GreaterThan(key, n)
                            } else {
                                Requirement::LessThan(key, n)
                            }
                        }
                        Some(Token::Ident(op)) if op == "in" || op == "notin" => {
                            let not_in = op == "notin";
                            pos += 1;
                            if tokens.get(pos) != Some(&Token::Open) {
                                return err(format!(
                                    "found '{}', expected: '('",
                                    describe(tokens.get(pos))
                                ));
                            }
                            pos += 1;
                            let mut values = Vec::new();
                            loop {
                                match tokens.get(pos) {
                                    Some(Token::Ident(v)) => {
                                        check_value(v)?;
                                        values.push(v.clone());
                                        pos += 1;
                                    }
                                    Some(Token::Comma) => pos += 1,
                                    Some(Token::Close) => {
                                        pos += 1;
                                        break;
                                    }
                                    other => {
                                        return err(format!(
                                            "found '{}', expected: ',' or ')'",
                                            describe(other)
                                        ));
                                    }
                                }
                            }
                            if values.is_empty() {
                                return err(format!(
                                    "for 'in', 'notin' operators, values set can't be empty ({key})"
                                ));
                            }
                            if not_in {
                                Requirement::NotIn(key, values)
                            } else {
                                Requirement::In(key, values)
                            }
                        }
                        Some(other) => {
                            return err(format!(
                                "found '{}', expected: in, notin, =, ==, !=, gt, lt",
                                describe(Some(other))
                            ));
                        }
                    }
                }
                other => {
                    return err(format!(
                        "found '{}', expected: !, identifier, or 'end of string'",
                        describe(Some(other))
                    ));
                }
            };
            requirements.push(requirement);
            match tokens.get(pos) {
                None => {}
                Some(Token::Comma) => {
                    pos += 1;
                    if pos >= tokens.len() {
                        return err("found '', expected: identifier after ','".to_string());
                    }
                }
                Some(other) => {
                    return err(format!(
                        "found '{}', expected: ',' or 'end of string'",
                        describe(Some(other))
                    ));
                }
            }
        }
        Ok(LabelSelector { requirements })
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// The selector an API object carries (`matchLabels` and
    /// `matchExpressions` of a metav1.LabelSelector).
    pub fn from_api(selector: &Value) -> Result<Self, SelectorError> {
        let mut requirements = Vec::new();
        if let Some(labels) = selector.get("matchLabels").and_then(Value::as_object) {
            for (key, value) in labels {
                let value = value.as_str().unwrap_or_default();
                check_key(key)?;
                check_value(value)?;
                requirements.push(Requirement::Equals(key.clone(), value.to_string()));
            }
        }
        let expressions = selector
            .get("matchExpressions")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for expression in expressions {
            let key = expression
                .get("key")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            check_key(&key)?;
            let values: Vec<String> = expression
                .get("values")
                .and_then(Value::as_array)
                .map(|vs| {
                    vs.iter()
                        .map(|v| v.as_str().unwrap_or_default().to_string())
                        .collect()
                })
                .unwrap_or_default();
            let operator = expression
                .get("operator")
                .and_then(Value::as_str)
                .unwrap_or_default();
            requirements.push(match operator {
                "In" => Requirement::In(key, values),
                "NotIn" => Requirement::NotIn(key, values),
                "Exists" => Requirement::Exists(key),
                "DoesNotExist" => Requirement::DoesNotExist(key),
                other => {
                    return Err(SelectorError(format!(
                        "{other:?} is not a valid label selector operator"
                    )));
                }
            });
        }
        Ok(LabelSelector { requirements })
    }

    /// Whether `labels` satisfy every requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| match r {
            Requirement::Equals(k, v) => labels.get(k) == Some(v),
            Requirement::NotEquals(k, v) => labels.get(k) != Some(v),
            Requirement::In(k, vs) => labels.get(k).is_some_and(|l| vs.contains(l)),
            Requirement::NotIn(k, vs) => labels.get(k).is_none_or(|l| !vs.contains(l)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::DoesNotExist(k) => !labels.contains_key(k),
            Requirement::GreaterThan(k, n) => labels
                .get(k)
                .and_then(|l| l.parse::<i64>().ok())
                .is_some_and(|l| l > *n),
            Requirement::LessThan(k, n) => labels
                .get(k)
                .and_then(|l| l.parse::<i64>().ok())
                .is_some_and(|l| l < *n),
        })
    }

    /// Whether an object's `metadata.labels` satisfy the selector.
    pub fn matches_object(&self, object: &Value) -> bool {
        self.is_empty() || self.matches(&labels_of(object))
    }
}

fn describe(token: Option<&Token>) -> String {
    match token {
        None => String::new(),
        Some(Token::Ident(s)) => s.clone(),
        Some(Token::Comma) => ",".into(),
        Some(Token::Open) => "(".into(),
        Some(Token::Close) => ")".into(),
        Some(Token::Eq) => "=".into(),
        Some(Token::DoubleEq) => "==".into(),
        Some(Token::NotEq) => "!=".into(),
        Some(Token::Not) => "!".into(),
        Some(Token::Gt) => ">".into(),
        Some(Token::Lt) => "<".into(),
    }
}

fn check_key(key: &str) -> Result<(), SelectorError> {
    validate_label_key(key).map_err(|e| SelectorError(format!("unable to parse requirement: {e}")))
}

fn check_value(value: &str) -> Result<(), SelectorError> {
    validate_label_value(value)
        .map_err(|e| SelectorError(format!("unable to parse requirement: {e}")))
}

/// An object's labels as a map.
pub fn labels_of(object: &Value) -> BTreeMap<String, String> {
    object
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// A parsed field selector: `field=value` and `field!=value` terms.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSelector {
    pub terms: Vec<(String, bool, String)>,
}

impl FieldSelector {
    /// Parses the selector and checks each field against `allowed` (the
    /// kind's selectable fields; metadata.name and metadata.namespace always).
    pub fn parse(text: &str, allowed: &[impl AsRef<str>]) -> Result<Self, SelectorError> {
        let mut terms = Vec::new();
        for part in split_unescaped(text) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (field, equal, value) = if let Some((f, v)) = part.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = part.split_once("==") {
                (f, true, v)
            } else if let Some((f, v)) = part.split_once('=') {
                (f, true, v)
            } else {
                return Err(SelectorError(format!(
                    "invalid selector: '{part}'; can't understand '{part}'"
                )));
            };
            let field = field.trim();
            if field != "metadata.name"
                && field != "metadata.namespace"
                && !allowed.iter().any(|a| a.as_ref() == field)
            {
                return Err(SelectorError(format!("field label not supported: {field}")));
            }
            terms.push((field.to_string(), equal, unescape(value.trim())));
        }
        Ok(FieldSelector { terms })
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The single `metadata.name=x` this selector pins, if any.
    pub fn exact_name(&self) -> Option<&str> {
        self.terms
            .iter()
            .find(|(f, equal, _)| f == "metadata.name" && *equal)
            .map(|(_, _, v)| v.as_str())
    }

    pub fn matches(&self, object: &Value) -> bool {
        self.terms.iter().all(|(field, equal, value)| {
            let actual = field_value(object, field);
            (actual == *value) == *equal
        })
    }
}

/// The value a field selector compares: the field as a string, "" when unset.
pub fn field_value(object: &Value, field: &str) -> String {
    let mut current = object;
    for part in field.split('.') {
        match current.get(part) {
            Some(next) => current = next,
            None => {
                // Unset booleans compare as "false", as upstream's field sets do.
                return match field {
                    "spec.unschedulable" | "spec.hostNetwork" => "false".to_string(),
                    _ => String::new(),
                };
            }
        }
    }
    match current {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.get("ip").and_then(Value::as_str).or_else(|| i.as_str()))
            .collect::<Vec<_>>()
            .join(","),
        _ => String::new(),
    }
}

fn split_unescaped(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            current.push('\\');
            current.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == ',' {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    parts.push(current);
    parts
}

fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            out.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn label_selectors_parse_and_match() {
        let s =
            LabelSelector::parse("app=web,env in (a, b),tier notin (db),ready,!legacy").unwrap();
        assert_eq!(s.requirements.len(), 5);
        assert!(s.matches(&labels(&[("app", "web"), ("env", "a"), ("ready", "")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("env", "c"), ("ready", "")])));
        assert!(!s.matches(&labels(&[
            ("app", "web"),
            ("env", "a"),
            ("ready", ""),
            ("legacy", "1")
        ])));
        let s = LabelSelector::parse("app.kubernetes.io/name==x,b!=c").unwrap();
        assert!(s.matches(&labels(&[("app.kubernetes.io/name", "x")])));
        assert!(LabelSelector::parse("").unwrap().is_empty());
    }

    #[test]
    fn api_selectors_match_like_parsed_ones() {
        let s = LabelSelector::from_api(&json!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "env", "operator": "In", "values": ["a", "b"]},
                {"key": "legacy", "operator": "DoesNotExist"}
            ]
        }))
        .unwrap();
        assert_eq!(
            s,
            LabelSelector::parse("app=web,env in (a,b),!legacy").unwrap()
        );
        assert!(s.matches(&labels(&[("app", "web"), ("env", "b")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("env", "b"), ("legacy", "")])));
        assert!(
            LabelSelector::from_api(&json!({"matchExpressions": [{"key": "a", "operator": "Is"}]}))
                .is_err()
        );
    }

    #[test]
    fn bad_label_selectors_are_errors() {
        for bad in [
            "a in b", "a in ()", "=x", "a=b,", "a b", "a in (x", "-bad=x",
        ] {
            assert!(LabelSelector::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn field_selectors() {
        let pod = json!({"metadata": {"name": "p", "namespace": "d"}, "spec": {"nodeName": "n1"}, "status": {"phase": "Pending"}});
        let allowed = ["spec.nodeName", "status.phase"];
        assert!(
            FieldSelector::parse("status.phase=Pending,spec.nodeName!=n2", &allowed)
                .unwrap()
                .matches(&pod)
        );
        assert!(
            !FieldSelector::parse("spec.nodeName=", &allowed)
                .unwrap()
                .matches(&pod)
        );
        assert_eq!(
            FieldSelector::parse("spec.bogus=x", &allowed)
                .unwrap_err()
                .0,
            "field label not supported: spec.bogus"
        );
        assert_eq!(
            FieldSelector::parse("metadata.name=p", &[] as &[&str])
                .unwrap()
                .exact_name(),
            Some("p")
        );
    }
}
