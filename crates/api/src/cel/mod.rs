//! Validation rules of custom kinds (`x-kubernetes-validations`): CEL
//! expressions over `self` (and `oldSelf` on update), compiled when the
//! definition is read, checked and cost-estimated when it is written, and
//! run on every write of an object, as apiextensions-apiserver runs them:
//! at each schema node with a non-null value, transition rules only where
//! an old value corresponds, failures as field errors with the rule's
//! message, `messageExpression`, `reason` and `fieldPath`.
//!
//! CEL's parser and evaluator recurse as deep as the expression nests, so
//! both run on threads of their own with a stack sized for the deepest
//! expression a rule may have, never on the server's worker threads.

mod check;
mod library;
mod network;
pub mod values;

use std::sync::Arc;

use cel::objects::OptionalValue;
use cel::{Context, ExecutionError, Program, Value};
use serde_json::Value as Json;

use crate::schema::{Schema, Violation};

pub use check::MAX_REQUEST_BYTES;

/// The most a rule (times how often it runs in one object) may cost:
/// upstream's per-expression limit.
pub const RULE_COST_LIMIT: u64 = 10_000_000;
/// The most all of a schema's rules together may cost.
pub const SCHEMA_COST_LIMIT: u64 = 100_000_000;
/// Operators (and brackets) one rule may have: bounds how deep parsing it
/// recurses.
const MAX_OPERATORS: usize = 1_000;
/// How deep a compiled expression may nest: bounds how deep evaluating it
/// recurses.
const MAX_DEPTH: usize = 250;
/// The stack of the threads that parse rules (parsing `MAX_OPERATORS`
/// chained operators recurses deepest) and of those that run them (an
/// expression at most `MAX_DEPTH` deep). Only what is touched is used.
const PARSE_STACK_BYTES: usize = 128 << 20;
const RUN_STACK_BYTES: usize = 32 << 20;
/// The most one rule may cost on the values at hand, and all the rules of
/// one object together: upstream's per-call limit and run-time budget.
pub const CALL_COST_LIMIT: u64 = 1_000_000;
pub const RUNTIME_BUDGET: u64 = 10_000_000;
const BUDGET_SPENT: &str =
    "validation failed due to running out of cost budget, no further validation rules will be run";
/// The longest message a `messageExpression` may produce.
const MAX_MESSAGE_BYTES: usize = 5 * 1024;

/// One rule of a schema node.
#[derive(Debug)]
pub struct Rule {
    pub rule: String,
    pub message: String,
    pub message_expression: String,
    /// `FieldValueInvalid` (default), `FieldValueForbidden`,
    /// `FieldValueRequired` or `FieldValueDuplicate`.
    pub reason: String,
    /// Where below this node a failure is reported (`.spec.x`).
    pub field_path: String,
    pub optional_old_self: bool,
    pub uses_old_self: bool,
    program: Result<Program, String>,
    message_program: Option<Result<Program, String>>,
}

impl Rule {
    /// The rules of a schema node's `x-kubernetes-validations`.
    pub fn parse_all(value: Option<&Json>) -> Vec<Rule> {
        let Some(rules) = value.and_then(Json::as_array) else {
            return Vec::new();
        };
        rules.iter().map(Rule::parse).collect()
    }

    fn parse(value: &Json) -> Rule {
        let text = |field: &str| {
            value
                .get(field)
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let rule = text("rule");
        let message_expression = text("messageExpression");
        let program = compile(&rule);
        let uses_old_self = program
            .as_ref()
            .is_ok_and(|p| check::uses(p.expression(), "oldSelf"));
        Rule {
            message: text("message"),
            reason: text("reason"),
            field_path: text("fieldPath"),
            optional_old_self: value.get("optionalOldSelf").and_then(Json::as_bool) == Some(true),
            uses_old_self,
            message_program: (!message_expression.is_empty()).then(|| compile(&message_expression)),
            rule,
            message_expression,
            program,
        }
    }

    /// The rule as upstream's definition errors print it (a Go value).
    pub fn shown_as_go(&self) -> String {
        let reason = if self.reason.is_empty() {
            "(*apiextensions.FieldValueErrorReason)(nil)".to_string()
        } else {
            format!("{:?}", self.reason)
        };
        let optional = if self.optional_old_self {
            "true"
        } else {
            "(*bool)(nil)"
        };
        format!(
            "apiextensions.ValidationRule{{Rule:{:?}, Message:{:?}, MessageExpression:{:?}, Reason:{reason}, FieldPath:{:?}, OptionalOldSelf:{optional}}}",
            self.rule, self.message, self.message_expression, self.field_path
        )
    }

    /// The rule as failures name it: its message, else its expression.
    fn shown(&self) -> &str {
        if self.message.trim().is_empty() {
            self.rule.trim()
        } else {
            self.message.trim()
        }
    }
}

/// Parses an expression on a thread with room for its recursion.
fn compile(source: &str) -> Result<Program, String> {
    if source.trim().is_empty() {
        return Err(String::new());
    }
    if operators(source) > MAX_OPERATORS {
        return Err(format!(
            "compilation failed: expression has more than {MAX_OPERATORS} operators"
        ));
    }
    on_stack(PARSE_STACK_BYTES, || {
        let program = library::ENV
            .compile(source)
            .map_err(|e| format!("compilation failed: {e}"))?;
        if check::depth(program.expression()) > MAX_DEPTH {
            return Err(format!(
                "compilation failed: expression nests more than {MAX_DEPTH} levels deep"
            ));
        }
        Ok(program)
    })
    .unwrap_or_else(|| Err("compilation failed: the compiler stopped".into()))
}

/// Characters of an expression that make its tree deeper, outside string
/// literals.
fn operators(source: &str) -> usize {
    let mut count = 0;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in source.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' => quote = Some(c),
                '+' | '-' | '*' | '/' | '%' | '<' | '>' | '=' | '!' | '&' | '|' | '?' | '.'
                | '(' | '[' | '{' | ',' => count += 1,
                _ => {}
            },
        }
    }
    count
}

/// Runs `work` on a thread with a stack of `bytes` for CEL's recursion;
/// none if it could not start or panicked.
fn on_stack<T: Send>(bytes: usize, work: impl FnOnce() -> T + Send) -> Option<T> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("cel".into())
            .stack_size(bytes)
            .spawn_scoped(scope, work)
            .ok()?
            .join()
            .ok()
    })
}

/// An expression over variables of no schema (admission's
/// `matchConditions` and policies: `object`, `oldObject`, `request`, ...),
/// compiled once.
#[derive(Debug)]
pub struct Expression {
    pub source: String,
    program: Program,
}

impl Expression {
    /// Compiles `source`; upstream's `compilation failed: ...` otherwise.
    pub fn compile(source: &str) -> Result<Expression, String> {
        match compile(source) {
            Ok(program) => Ok(Expression {
                source: source.to_string(),
                program,
            }),
            Err(detail) if detail.is_empty() => Err("expression is required".into()),
            Err(detail) => Err(detail),
        }
    }

    /// The expression's value with `variables` bound (JSON values seen as
    /// CEL sees them), metered first as rules are: more than one call may
    /// cost is an error.
    pub fn evaluate(&self, variables: &[(&str, &Json)]) -> Result<Json, String> {
        let scope = variables
            .iter()
            .map(|(name, value)| (name.to_string(), check::Ty::Data(value, None)))
            .collect();
        if check::cost_with(&self.program, scope, CALL_COST_LIMIT).is_none() {
            return Err("operation cancelled: actual cost limit exceeded".into());
        }
        on_stack(RUN_STACK_BYTES, || {
            let mut context = Context::with_env(library::ENV.clone());
            for (name, value) in variables {
                context.add_variable_from_value(*name, values::to_cel(value, None));
            }
            match self.program.execute(&context) {
                Ok(value) => Ok(values::to_json(&value)),
                Err(error) => Err(match error {
                    ExecutionError::NoSuchKey(key) => format!("no such key: {key}"),
                    ExecutionError::NoSuchOverload(_) => "no such overload".to_string(),
                    other => other.to_string(),
                }),
            }
        })
        .unwrap_or_else(|| Err("internal error evaluating the expression".into()))
    }
}

/// A problem with a definition's rules, as a field error under the
/// schema's path.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Below the schema (`properties[spec].x-kubernetes-validations[0].rule`).
    pub field: String,
    /// The rule, as an `Invalid` problem shows it.
    pub rule: String,
    pub kind: ProblemKind,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ProblemKind {
    /// `Invalid value: <the rule>: <detail>`.
    Invalid,
    Required,
    Forbidden,
    /// `Unsupported value` of `reason`.
    UnsupportedReason,
}

/// Every problem of a schema's rules: what does not compile, names a
/// field the schema lacks, does not return a bool, uses `oldSelf` where no
/// old value corresponds, or costs more than upstream allows.
pub fn check_schema(schema: &Schema) -> Vec<Problem> {
    on_stack(PARSE_STACK_BYTES, || {
        let mut problems = Vec::new();
        let mut total = 0u64;
        check_node(schema, "", &[], true, true, &mut problems, &mut total);
        if total > SCHEMA_COST_LIMIT {
            problems.push(Problem {
                field: String::new(),
                rule: String::new(),
                kind: ProblemKind::Forbidden,
                detail: cost_message(
                    "x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema",
                    total,
                    SCHEMA_COST_LIMIT,
                ),
            });
        }
        problems
    })
    .unwrap_or_default()
}

fn cost_message(what: &str, cost: u64, limit: u64) -> String {
    let factor = cost as f64 / limit as f64;
    let factor = if factor > 100.0 {
        "more than 100x".to_string()
    } else if factor < 1.5 {
        format!("{factor:.6}x")
    } else {
        format!("{factor:.1}x")
    };
    format!(
        "{what} exceeds budget by factor of {factor} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)"
    )
}

fn check_node<'s>(
    schema: &'s Schema,
    path: &str,
    ancestors: &[&'s Schema],
    root: bool,
    correlatable: bool,
    problems: &mut Vec<Problem>,
    total: &mut u64,
) {
    let at = |field: String| {
        if path.is_empty() {
            field
        } else {
            format!("{path}.{field}")
        }
    };
    let cardinality = check::cardinality(ancestors);
    for (i, rule) in schema.rules.iter().enumerate() {
        let shown = rule.shown_as_go();
        let field = at(format!("x-kubernetes-validations[{i}].rule"));
        let program = match &rule.program {
            Err(detail) if detail.is_empty() => {
                problems.push(Problem {
                    field,
                    rule: shown.clone(),
                    kind: ProblemKind::Required,
                    detail: "rule is not specified".into(),
                });
                continue;
            }
            Err(detail) => {
                problems.push(Problem {
                    field,
                    rule: shown.clone(),
                    kind: ProblemKind::Invalid,
                    detail: detail.clone(),
                });
                continue;
            }
            Ok(program) => program,
        };
        let this = if root {
            check::Ty::Root(schema)
        } else {
            check::Ty::Node(schema)
        };
        let (cost, result, problem) = check::check(program, this.clone(), true);
        if let Some(problem) = problem {
            problems.push(Problem {
                field: field.clone(),
                rule: shown.clone(),
                kind: ProblemKind::Invalid,
                detail: format!("compilation failed: {problem}"),
            });
        } else if matches!(
            result,
            check::Ty::Int | check::Ty::Double | check::Ty::Text(_) | check::Ty::List(..)
        ) {
            problems.push(Problem {
                field: field.clone(),
                rule: shown.clone(),
                kind: ProblemKind::Invalid,
                detail: "compilation failed: cel expression must evaluate to a bool".into(),
            });
        }
        let cost = cost.max(1).saturating_mul(cardinality);
        if cost > RULE_COST_LIMIT {
            problems.push(Problem {
                field: field.clone(),
                rule: shown.clone(),
                kind: ProblemKind::Forbidden,
                detail: cost_message("estimated rule cost", cost, RULE_COST_LIMIT),
            });
        }
        *total = total.saturating_add(cost);
        if rule.uses_old_self && !correlatable {
            problems.push(Problem {
                field: field.clone(),
                rule: shown.clone(),
                kind: ProblemKind::Invalid,
                detail: format!(
                    "oldSelf cannot be used on the uncorrelatable portion of the schema within {}",
                    if path.is_empty() { "<root>" } else { path }
                ),
            });
        }
        if rule.optional_old_self && !rule.uses_old_self {
            problems.push(Problem {
                field: at(format!("x-kubernetes-validations[{i}].optionalOldSelf")),
                rule: shown.clone(),
                kind: ProblemKind::Invalid,
                detail: "may not be set if oldSelf is not used in rule".into(),
            });
        }
        if ![
            "",
            "FieldValueInvalid",
            "FieldValueForbidden",
            "FieldValueRequired",
            "FieldValueDuplicate",
        ]
        .contains(&rule.reason.as_str())
        {
            problems.push(Problem {
                field: at(format!("x-kubernetes-validations[{i}].reason")),
                rule: shown.clone(),
                kind: ProblemKind::UnsupportedReason,
                detail: rule.reason.clone(),
            });
        }
        if !rule.field_path.is_empty() && field_below(schema, &rule.field_path).is_none() {
            problems.push(Problem {
                field: at(format!("x-kubernetes-validations[{i}].fieldPath")),
                rule: shown.clone(),
                kind: ProblemKind::Invalid,
                detail: "fieldPath must be a valid path".into(),
            });
        }
        match &rule.message_program {
            Some(Err(detail)) => problems.push(Problem {
                field: at(format!("x-kubernetes-validations[{i}].messageExpression")),
                rule: shown.clone(),
                kind: ProblemKind::Invalid,
                detail: detail.clone(),
            }),
            Some(Ok(message)) => {
                let (cost, result, problem) = check::check(message, this, true);
                let field = at(format!("x-kubernetes-validations[{i}].messageExpression"));
                if let Some(problem) = problem {
                    problems.push(Problem {
                        field,
                        rule: shown.clone(),
                        kind: ProblemKind::Invalid,
                        detail: format!("compilation failed: {problem}"),
                    });
                } else if matches!(result, check::Ty::Bool | check::Ty::Int | check::Ty::Double) {
                    problems.push(Problem {
                        field,
                        rule: shown.clone(),
                        kind: ProblemKind::Invalid,
                        detail: "compilation failed: messageExpression must evaluate to a string"
                            .into(),
                    });
                }
                *total = total.saturating_add(cost.saturating_mul(cardinality));
            }
            None => {}
        }
    }
    let mut below = ancestors.to_vec();
    below.push(schema);
    for (name, property) in &schema.properties {
        check_node(
            property,
            &at(format!("properties[{name}]")),
            &below,
            false,
            correlatable,
            problems,
            total,
        );
    }
    if let Some(additional) = &schema.additional_properties {
        check_node(
            additional,
            &at("additionalProperties".into()),
            &below,
            false,
            correlatable,
            problems,
            total,
        );
    }
    if let Some(items) = &schema.items {
        // Only the items of a map list have an old value to compare with.
        let keyed = schema.list_type == "map";
        check_node(
            items,
            &at("items".into()),
            &below,
            false,
            correlatable && keyed,
            problems,
            total,
        );
    }
}

/// The schema node a rule's `fieldPath` (`.spec.x`, `['a.b']`) names.
fn field_below<'s>(schema: &'s Schema, path: &str) -> Option<(&'s Schema, String)> {
    let mut node = schema;
    let mut shown = String::new();
    let mut rest = path.trim();
    while !rest.is_empty() {
        let (name, after) = if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            (after[..end].to_string(), &after[end..])
        } else if let Some(after) = rest.strip_prefix("['") {
            let end = after.find("']")?;
            (after[..end].to_string(), &after[end + 2..])
        } else {
            return None;
        };
        if name.is_empty() {
            return None;
        }
        node = match node.properties.get(&name) {
            Some(property) => property,
            None => node.additional_properties.as_deref()?,
        };
        if !shown.is_empty() {
            shown.push('.');
        }
        shown.push_str(&name);
        rest = after;
    }
    Some((node, shown))
}

/// Runs every rule of `schema` over `object` (and, on update, its stored
/// version `old`); the failures as field errors.
pub fn validate(schema: &Schema, object: &Json, old: Option<&Json>) -> Vec<Violation> {
    if !schema.has_rules {
        return Vec::new();
    }
    on_stack(RUN_STACK_BYTES, || {
        let mut out = Vec::new();
        let mut budget = RUNTIME_BUDGET;
        validate_node(schema, object, old, "", true, &mut budget, &mut out);
        out
    })
    .unwrap_or_else(|| {
        vec![Violation::Invalid {
            field: "<nil>".into(),
            value: Json::String("object".into()),
            detail: "internal error evaluating validation rules".into(),
        }]
    })
}

/// What a rule at the root sees: the schema's fields, the type and the
/// object's name (the rest of its metadata is the server's, not the
/// rule's).
fn root_view(object: &Json) -> Json {
    let mut view = object.clone();
    if let Some(map) = view.as_object_mut() {
        let metadata = map.get("metadata").map(|metadata| {
            let mut kept = serde_json::Map::new();
            for key in ["name", "generateName"] {
                if let Some(value) = metadata.get(key) {
                    kept.insert(key.into(), value.clone());
                }
            }
            Json::Object(kept)
        });
        if let Some(metadata) = metadata {
            map.insert("metadata".into(), metadata);
        }
    }
    view
}

/// Runs the rules at and below one node; false once the budget is spent
/// (no further rules run).
fn validate_node(
    schema: &Schema,
    value: &Json,
    old: Option<&Json>,
    path: &str,
    root: bool,
    budget: &mut u64,
    out: &mut Vec<Violation>,
) -> bool {
    if value.is_null() || !schema.has_rules {
        return true;
    }
    if !schema.rules.is_empty() && !run_rules(schema, value, old, path, root, budget, out) {
        return false;
    }
    match value {
        Json::Object(map) => {
            for (name, item) in map {
                let Some(sub) = schema
                    .properties
                    .get(name)
                    .or(schema.additional_properties.as_deref())
                else {
                    continue;
                };
                let at = if path.is_empty() {
                    name.clone()
                } else if schema.properties.contains_key(name) {
                    format!("{path}.{name}")
                } else {
                    format!("{path}[{name}]")
                };
                let old_item = old.and_then(|o| o.get(name));
                if !validate_node(sub, item, old_item, &at, false, budget, out) {
                    return false;
                }
            }
        }
        Json::Array(items) => {
            let Some(sub) = schema.items.as_deref() else {
                return true;
            };
            for (i, item) in items.iter().enumerate() {
                let old_item = if schema.list_type == "map" {
                    old.and_then(Json::as_array).and_then(|olds| {
                        olds.iter().find(|o| {
                            schema
                                .list_map_keys
                                .iter()
                                .all(|key| o.get(key) == item.get(key))
                        })
                    })
                } else {
                    None
                };
                let at = format!("{path}[{i}]");
                if !validate_node(sub, item, old_item, &at, false, budget, out) {
                    return false;
                }
            }
        }
        _ => {}
    }
    true
}

/// Runs one node's rules; false once the budget is spent.
fn run_rules(
    schema: &Schema,
    value: &Json,
    old: Option<&Json>,
    path: &str,
    root: bool,
    budget: &mut u64,
    out: &mut Vec<Violation>,
) -> bool {
    let view = |v: &Json| if root { root_view(v) } else { v.clone() };
    let (seen, old_seen) = (view(value), old.map(view));
    let this = values::to_cel(&seen, Some(schema));
    let old_cel = old_seen.as_ref().map(|o| values::to_cel(o, Some(schema)));
    // An unchanged value keeps passing what it passed before (upstream's
    // ratcheting): only transition rules judge it again.
    let unchanged = old == Some(value);
    for rule in &schema.rules {
        let program = match &rule.program {
            Ok(program) => program,
            Err(detail) if detail.is_empty() => continue,
            Err(detail) => {
                out.push(invalid(
                    path,
                    schema,
                    value,
                    format!("rule compile error: {detail}"),
                ));
                continue;
            }
        };
        if rule.uses_old_self && old_cel.is_none() && !rule.optional_old_self {
            continue;
        }
        if unchanged && !rule.uses_old_self {
            continue;
        }
        // What the rule costs on these values, before it runs: more than
        // one call may cost, or than is left, and no further rule runs.
        let data = check::Ty::Data(&seen, Some(schema));
        let old_data = old_seen.as_ref().map(|o| check::Ty::Data(o, Some(schema)));
        let limit = CALL_COST_LIMIT.min(*budget).saturating_add(1);
        let cost = check::cost_on(program, data, old_data, limit);
        match cost {
            Some(cost) if cost <= *budget && cost <= CALL_COST_LIMIT => *budget -= cost,
            _ => {
                // Within one call's limit, or with less than a call left,
                // it is the object's budget that ran out.
                let within_call = cost.is_some_and(|c| c <= CALL_COST_LIMIT);
                let detail = if within_call || *budget < CALL_COST_LIMIT {
                    BUDGET_SPENT.to_string()
                } else {
                    format!(
                        "'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: {}",
                        rule.shown()
                    )
                };
                out.push(invalid(path, schema, value, detail));
                return false;
            }
        }
        let mut context = Context::with_env(library::ENV.clone());
        context.add_variable_from_value("self", this.clone());
        if rule.uses_old_self {
            let old_value = match (&old_cel, rule.optional_old_self) {
                (Some(old), false) => old.clone(),
                (Some(old), true) => Value::Opaque(Arc::new(OptionalValue::of(old.clone()))),
                (None, _) => Value::Opaque(Arc::new(OptionalValue::none())),
            };
            context.add_variable_from_value("oldSelf", old_value);
        }
        match program.execute(&context) {
            Ok(Value::Bool(true)) => {}
            Ok(Value::Bool(false)) => out.push(failure(rule, schema, value, path, &context)),
            Ok(_) => out.push(invalid(
                path,
                schema,
                value,
                format!("rule did not evaluate to a bool: {}", rule.shown()),
            )),
            Err(error) => out.push(evaluation_error(rule, schema, value, path, &error)),
        }
    }
    true
}

fn invalid(path: &str, schema: &Schema, value: &Json, detail: String) -> Violation {
    let shown = match value {
        Json::Object(_) | Json::Array(_) => Json::String(schema.kind.clone()),
        other => other.clone(),
    };
    Violation::Invalid {
        field: if path.is_empty() {
            "<nil>".into()
        } else {
            path.to_string()
        },
        value: shown,
        detail,
    }
}

fn evaluation_error(
    rule: &Rule,
    schema: &Schema,
    value: &Json,
    path: &str,
    error: &ExecutionError,
) -> Violation {
    let detail = match error {
        ExecutionError::NoSuchOverload(_) => format!(
            "'no such overload': call arguments did not match a supported operator, function or macro signature for rule: {}",
            rule.shown()
        ),
        ExecutionError::NoSuchKey(key) => {
            format!("no such key: {key} evaluating rule: {}", rule.shown())
        }
        ExecutionError::DivisionByZero(_) => {
            format!("division by zero evaluating rule: {}", rule.shown())
        }
        ExecutionError::IndexOutOfBounds(index) => format!(
            "index out of bounds: {} evaluating rule: {}",
            values::to_json(index),
            rule.shown()
        ),
        ExecutionError::Overflow(..) => {
            format!("integer overflow evaluating rule: {}", rule.shown())
        }
        other => format!("{other} evaluating rule: {}", rule.shown()),
    };
    invalid(path, schema, value, detail)
}

/// The field error of a rule that evaluated to false.
fn failure(rule: &Rule, schema: &Schema, value: &Json, path: &str, context: &Context) -> Violation {
    let mut field = if path.is_empty() {
        String::new()
    } else {
        path.to_string()
    };
    if let Some((_, below)) = (!rule.field_path.is_empty())
        .then(|| field_below(schema, &rule.field_path))
        .flatten()
    {
        field = if field.is_empty() {
            below
        } else {
            format!("{field}.{below}")
        };
    }
    let detail = rule
        .message_program
        .as_ref()
        .and_then(|program| program.as_ref().ok())
        .and_then(|program| match program.execute(context) {
            Ok(Value::String(text)) => {
                let text = text.trim();
                (!text.is_empty() && text.len() <= MAX_MESSAGE_BYTES && !text.contains('\n'))
                    .then(|| text.to_string())
            }
            _ => None,
        })
        .unwrap_or_else(|| {
            if rule.message.trim().is_empty() {
                format!("failed rule: {}", rule.rule.trim())
            } else {
                rule.message.trim().to_string()
            }
        });
    let field = if field.is_empty() {
        "<nil>".to_string()
    } else {
        field
    };
    match rule.reason.as_str() {
        "FieldValueForbidden" => Violation::Forbidden { field, detail },
        "FieldValueRequired" => Violation::Required { field, detail },
        "FieldValueDuplicate" => Violation::Duplicate {
            field,
            value: value.clone(),
        },
        _ => match invalid("", schema, value, detail) {
            Violation::Invalid { value, detail, .. } => Violation::Invalid {
                field,
                value,
                detail,
            },
            other => other,
        },
    }
}

#[cfg(test)]
mod tests;
