//! The JSONPath dialect of Kubernetes (`kubectl get -o jsonpath`, custom
//! resources' printer columns, scale paths): `.a.b`, `['a.b']`, `[0]`,
//! `[-1]`, `[*]`, `..name` and filters `[?(@.type=="Ready")]`, with or
//! without the surrounding `{}` and a leading `$`.

use serde_json::Value;

/// One step of a path.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Field(String),
    Index(i64),
    All,
    /// Every descendant's field of that name (`..name`).
    Recursive(String),
    /// Items whose `path` compares to `value` (`==`, `!=`), or has it (no
    /// comparison).
    Filter {
        path: Vec<Step>,
        op: Option<(bool, Value)>,
    },
}

/// A parsed path.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonPath {
    steps: Vec<Step>,
}

impl JsonPath {
    /// Parses `text`; the error says what is wrong, as a validation message.
    pub fn parse(text: &str) -> Result<JsonPath, String> {
        let trimmed = text.trim();
        let inner = trimmed
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .unwrap_or(trimmed);
        let inner = inner.strip_prefix('$').unwrap_or(inner);
        if inner.is_empty() {
            return Err("must not be empty".into());
        }
        let chars: Vec<char> = inner.chars().collect();
        let (steps, rest) = parse_steps(&chars, 0)?;
        if rest != chars.len() {
            return Err(format!(
                "unexpected {:?}",
                chars[rest..].iter().collect::<String>()
            ));
        }
        Ok(JsonPath { steps })
    }

    /// Every value the path reaches in `object`, in order.
    pub fn find<'a>(&self, object: &'a Value) -> Vec<&'a Value> {
        let mut current = vec![object];
        for step in &self.steps {
            current = apply(step, current);
        }
        current
    }

    /// The first value the path reaches.
    pub fn first<'a>(&self, object: &'a Value) -> Option<&'a Value> {
        self.find(object).into_iter().next()
    }
}

fn apply<'a>(step: &Step, values: Vec<&'a Value>) -> Vec<&'a Value> {
    let mut out = Vec::new();
    for value in values {
        match step {
            Step::Field(name) => {
                if let Some(v) = value.get(name.as_str()) {
                    out.push(v);
                }
            }
            Step::Index(index) => {
                if let Some(list) = value.as_array() {
                    let at = if *index < 0 {
                        list.len() as i64 + index
                    } else {
                        *index
                    };
                    if let Some(v) = usize::try_from(at).ok().and_then(|i| list.get(i)) {
                        out.push(v);
                    }
                }
            }
            Step::All => match value {
                Value::Array(list) => out.extend(list.iter()),
                Value::Object(map) => out.extend(map.values()),
                _ => {}
            },
            Step::Recursive(name) => collect_named(value, name, &mut out),
            Step::Filter { path, op } => {
                let items: Vec<&Value> = match value {
                    Value::Array(list) => list.iter().collect(),
                    other => vec![other],
                };
                for item in items {
                    let mut found = vec![item];
                    for step in path {
                        found = apply(step, found);
                    }
                    let keep = match op {
                        None => !found.is_empty(),
                        Some((equal, wanted)) => {
                            let matches = found.iter().any(|v| loosely_equal(v, wanted));
                            matches == *equal
                        }
                    };
                    if keep {
                        out.push(item);
                    }
                }
            }
        }
    }
    out
}

/// Values compare as upstream's filters do: numbers by value, everything
/// else as it is.
fn loosely_equal(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn collect_named<'a>(value: &'a Value, name: &str, out: &mut Vec<&'a Value>) {
    match value {
        Value::Object(map) => {
            if let Some(v) = map.get(name) {
                out.push(v);
            }
            for child in map.values() {
                collect_named(child, name, out);
            }
        }
        Value::Array(list) => {
            for child in list {
                collect_named(child, name, out);
            }
        }
        _ => {}
    }
}

/// Steps from `at` until the text ends or a `)`/`=`/`!` ends a filter's path.
fn parse_steps(chars: &[char], mut at: usize) -> Result<(Vec<Step>, usize), String> {
    let mut steps = Vec::new();
    while at < chars.len() {
        match chars[at] {
            '.' if chars.get(at + 1) == Some(&'.') => {
                let (name, next) = field_name(chars, at + 2);
                if name.is_empty() {
                    return Err("a recursive descent must name a field".into());
                }
                steps.push(Step::Recursive(name));
                at = next;
            }
            '.' => {
                let (name, next) = field_name(chars, at + 1);
                if name == "*" {
                    steps.push(Step::All);
                } else if !name.is_empty() {
                    steps.push(Step::Field(name));
                }
                at = next;
            }
            '[' => {
                let (step, next) = bracket(chars, at + 1)?;
                steps.push(step);
                at = next;
            }
            ')' | '=' | '!' | ' ' => break,
            c if at == 0 && (c.is_alphanumeric() || c == '_') => {
                // `metadata.name` without the leading dot.
                let (name, next) = field_name(chars, at);
                steps.push(Step::Field(name));
                at = next;
            }
            c => return Err(format!("unexpected {c:?}")),
        }
    }
    Ok((steps, at))
}

/// A field name: up to the next unescaped `.`, `[`, or a filter's end.
fn field_name(chars: &[char], mut at: usize) -> (String, usize) {
    let mut name = String::new();
    while at < chars.len() {
        match chars[at] {
            '\\' if at + 1 < chars.len() => {
                name.push(chars[at + 1]);
                at += 2;
            }
            '.' | '[' | ')' | '=' | '!' | ' ' => break,
            c => {
                name.push(c);
                at += 1;
            }
        }
    }
    (name, at)
}

/// What is inside `[...]`, starting after the `[`.
fn bracket(chars: &[char], at: usize) -> Result<(Step, usize), String> {
    let close = |from: usize| -> Result<usize, String> {
        (from..chars.len())
            .find(|&i| chars[i] == ']')
            .ok_or_else(|| "unclosed [".to_string())
    };
    match chars.get(at) {
        Some('\'') | Some('"') => {
            let quote = chars[at];
            let end = (at + 1..chars.len())
                .find(|&i| chars[i] == quote)
                .ok_or("unclosed quote")?;
            let name: String = chars[at + 1..end].iter().collect();
            if chars.get(end + 1) != Some(&']') {
                return Err("expected ] after a quoted name".into());
            }
            Ok((Step::Field(name), end + 2))
        }
        Some('*') => {
            let end = close(at)?;
            Ok((Step::All, end + 1))
        }
        Some('?') => {
            if chars.get(at + 1) != Some(&'(') || chars.get(at + 2) != Some(&'@') {
                return Err("a filter reads [?(@...)]".into());
            }
            let (path, mut next) = parse_steps(chars, at + 3)?;
            while chars.get(next) == Some(&' ') {
                next += 1;
            }
            let op = match (chars.get(next), chars.get(next + 1)) {
                (Some('='), Some('=')) => Some((true, next + 2)),
                (Some('!'), Some('=')) => Some((false, next + 2)),
                _ => None,
            };
            let (op, next) = match op {
                None => (None, next),
                Some((equal, from)) => {
                    let end = (from..chars.len())
                        .find(|&i| chars[i] == ')')
                        .ok_or("unclosed filter")?;
                    let literal: String = chars[from..end].iter().collect();
                    (Some((equal, literal_value(literal.trim()))), end)
                }
            };
            if chars.get(next) != Some(&')') || chars.get(next + 1) != Some(&']') {
                return Err("unclosed filter".into());
            }
            Ok((Step::Filter { path, op }, next + 2))
        }
        _ => {
            let end = close(at)?;
            let text: String = chars[at..end].iter().collect();
            let index: i64 = text
                .trim()
                .parse()
                .map_err(|_| format!("invalid array index {text:?}"))?;
            Ok((Step::Index(index), end + 1))
        }
    }
}

fn literal_value(text: &str) -> Value {
    let quoted = |q: char| text.len() >= 2 && text.starts_with(q) && text.ends_with(q);
    if quoted('"') || quoted('\'') {
        return Value::String(text[1..text.len() - 1].to_string());
    }
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_read_as_kubectl_reads_them() {
        let object = json!({
            "metadata": {"name": "a", "labels": {"app.kubernetes.io/name": "web"}},
            "spec": {"replicas": 3, "items": [{"name": "x"}, {"name": "y"}]},
            "status": {"conditions": [
                {"type": "Ready", "status": "True"},
                {"type": "Synced", "status": "False"}]}
        });
        let first = |path: &str| JsonPath::parse(path).unwrap().first(&object).cloned();
        assert_eq!(first(".spec.replicas"), Some(json!(3)));
        assert_eq!(first("{.metadata.name}"), Some(json!("a")));
        assert_eq!(first("$.spec.items[1].name"), Some(json!("y")));
        assert_eq!(first(".spec.items[-1].name"), Some(json!("y")));
        assert_eq!(
            first(".metadata.labels.app\\.kubernetes\\.io/name"),
            Some(json!("web"))
        );
        assert_eq!(
            first(".metadata.labels['app.kubernetes.io/name']"),
            Some(json!("web"))
        );
        assert_eq!(
            first(".status.conditions[?(@.type==\"Synced\")].status"),
            Some(json!("False"))
        );
        assert_eq!(
            first(".status.conditions[?(@.type!='Ready')].type"),
            Some(json!("Synced"))
        );
        assert_eq!(first(".spec.missing"), None);
        let names = JsonPath::parse("..name").unwrap();
        assert_eq!(names.find(&object).len(), 3);
        let all = JsonPath::parse(".spec.items[*].name").unwrap();
        assert_eq!(all.find(&object), [&json!("x"), &json!("y")]);
        for bad in ["", ".spec[", ".spec[x]", ".a[?(@.b==1]"] {
            assert!(JsonPath::parse(bad).is_err(), "{bad}");
        }
    }
}
