//! What upstream's type checker and cost estimator find in a rule before
//! it ever runs: fields the schema does not have, names nothing declares,
//! results that are not a bool, and the rule's worst-case cost — computed
//! from the schema's `maxItems`, `maxProperties` and `maxLength`, or, where
//! a size is unbounded, from the most a 3 MiB request could hold, so that a
//! rule that could loop without bound over a large object is refused when
//! the definition is written, not when an object arrives.

use cel::Program;
use cel::common::ast::{Expr, IdedExpr, LiteralValue};
use serde_json::Value as Json;

use crate::schema::Schema;

/// The largest request the API server reads: every unbounded size is
/// bounded by what fits in it.
pub const MAX_REQUEST_BYTES: u64 = 3 * 1024 * 1024;
/// The characters a string operation is counted for, at most. Work on one
/// string is linear (the regex engine too), so what must be bounded is how
/// often it repeats: loops count their lists' and maps' full bounds, while
/// a string's own length is counted only up to here, so that rules like
/// `self.all(k, k.matches(...))` over a bounded map stay within budget as
/// they do upstream.
const STRING_COST_CAP: u64 = 1024;

/// What a CEL expression's value is, as far as the schema tells.
#[derive(Clone, Debug)]
pub(super) enum Ty<'s> {
    /// A value the schema node describes.
    Node(&'s Schema),
    /// The object at a resource's root: the schema's fields, plus
    /// `apiVersion`, `kind` and `metadata.name`/`generateName`.
    Root(&'s Schema),
    Bool,
    Int,
    Double,
    /// A string or bytes of at most this many characters.
    Text(u64),
    List(Box<Ty<'s>>, u64),
    Map(Box<Ty<'s>>, u64),
    /// A value at hand (when a rule is about to run on it), with the
    /// schema node that describes it: sizes are what it has.
    Data(&'s Json, Option<&'s Schema>),
    Dyn,
}

impl<'s> Ty<'s> {
    /// The node resolved one level: a schema node as the CEL type it is.
    fn resolved(&self) -> Ty<'s> {
        if let Ty::Data(value, schema) = self {
            return data_type(value, *schema);
        }
        let (Ty::Node(schema) | Ty::Root(schema)) = self else {
            return self.clone();
        };
        if schema.int_or_string {
            return Ty::Dyn;
        }
        match schema.kind.as_str() {
            "boolean" => Ty::Bool,
            "integer" => Ty::Int,
            "number" => Ty::Double,
            "string" => Ty::Text(schema.max_length.unwrap_or(MAX_REQUEST_BYTES - 2)),
            "array" => match schema.items.as_deref() {
                Some(items) => Ty::List(Box::new(Ty::Node(items)), max_items(schema)),
                None => Ty::List(Box::new(Ty::Dyn), max_items(schema)),
            },
            "object" if schema.properties.is_empty() => {
                let value = match schema.additional_properties.as_deref() {
                    Some(value) => Ty::Node(value),
                    None => Ty::Dyn,
                };
                Ty::Map(Box::new(value), max_properties(schema))
            }
            _ => self.clone(),
        }
    }

    /// The most elements a value of this type holds, or the characters a
    /// string's work is counted for (at most `STRING_COST_CAP`).
    fn size(&self) -> u64 {
        match self.resolved() {
            Ty::Text(n) => n.min(STRING_COST_CAP),
            Ty::List(_, n) | Ty::Map(_, n) => n,
            Ty::Node(schema) | Ty::Root(schema) => max_properties(schema),
            Ty::Data(Json::Object(map), _) => map.len() as u64,
            _ => 1,
        }
    }

    /// The most characters of a string (uncapped), else its size.
    fn length(&self) -> u64 {
        match self.resolved() {
            Ty::Text(n) => n,
            _ => self.size(),
        }
    }

    /// The type of an element of a list, or a value of a map.
    fn element(&self) -> Ty<'s> {
        match self.resolved() {
            Ty::List(item, _) | Ty::Map(item, _) => *item,
            _ => Ty::Dyn,
        }
    }

    fn is_text(&self) -> bool {
        matches!(self.resolved(), Ty::Text(_))
    }

    fn is_sized(&self) -> bool {
        matches!(self.resolved(), Ty::Text(_) | Ty::List(..) | Ty::Map(..))
    }
}

/// What a value at hand is: its own sizes, its schema's types below.
fn data_type<'s>(value: &'s Json, schema: Option<&'s Schema>) -> Ty<'s> {
    let below = |node: Option<&'s Schema>| node.map_or(Ty::Dyn, Ty::Node);
    match value {
        Json::Null => Ty::Dyn,
        Json::Bool(_) => Ty::Bool,
        Json::Number(_) if schema.is_some_and(|s| s.kind == "number") => Ty::Double,
        Json::Number(n) if n.is_f64() => Ty::Double,
        Json::Number(_) => Ty::Int,
        Json::String(text) => Ty::Text(text.chars().count() as u64),
        Json::Array(items) => Ty::List(
            Box::new(below(schema.and_then(|s| s.items.as_deref()))),
            items.len() as u64,
        ),
        Json::Object(map) if schema.is_none_or(|s| s.properties.is_empty()) => Ty::Map(
            Box::new(below(
                schema.and_then(|s| s.additional_properties.as_deref()),
            )),
            map.len() as u64,
        ),
        Json::Object(_) => Ty::Data(value, schema),
    }
}

/// The fewest bytes a value of `schema` takes in JSON.
fn min_size(schema: &Schema) -> u64 {
    match schema.kind.as_str() {
        "string" => 2 + schema.min_length.unwrap_or(0),
        "boolean" => 4,
        "object" | "array" => 2,
        _ => 1,
    }
}

fn max_items(schema: &Schema) -> u64 {
    schema.max_items.unwrap_or_else(|| {
        let item = schema.items.as_deref().map_or(1, min_size);
        (MAX_REQUEST_BYTES - 2) / (item + 1)
    })
}

fn max_properties(schema: &Schema) -> u64 {
    schema.max_properties.unwrap_or_else(|| {
        let value = schema.additional_properties.as_deref().map_or(1, min_size);
        // `"":` before each value and a comma after it.
        (MAX_REQUEST_BYTES - 2) / (value + 4)
    })
}

/// The most times a rule on a node can run in one object: the product of
/// the sizes of the lists and maps above it.
pub(super) fn cardinality(ancestors: &[&Schema]) -> u64 {
    ancestors.iter().fold(1u64, |total, schema| {
        let times = match schema.kind.as_str() {
            "array" => max_items(schema),
            "object" if schema.properties.is_empty() && schema.additional_properties.is_some() => {
                max_properties(schema)
            }
            _ => 1,
        };
        total.saturating_mul(times)
    })
}

struct Checker<'p, 's> {
    program: &'p Program,
    scope: Vec<(String, Ty<'s>)>,
    problem: Option<String>,
    /// Walking values at hand stops once a loop's cost passes this.
    limit: u64,
}

/// Checks `program` with `self` (and `oldSelf`) of type `this`.
pub(super) fn check<'s>(
    program: &Program,
    this: Ty<'s>,
    old_self: bool,
) -> (u64, Ty<'s>, Option<String>) {
    let mut scope = vec![("self".to_string(), this.clone())];
    if old_self {
        scope.push(("oldSelf".to_string(), this));
    }
    let mut checker = Checker {
        program,
        scope,
        problem: None,
        limit: u64::MAX,
    };
    let (cost, ty) = checker.expr(program.expression());
    (cost, ty, checker.problem)
}

/// What running `program` on the values at hand costs at most — loops
/// counted at the lengths they have — or none once that passes `limit`
/// (the walk stops there, so it is itself bounded).
pub(super) fn cost_on<'s>(
    program: &Program,
    this: Ty<'s>,
    old_self: Option<Ty<'s>>,
    limit: u64,
) -> Option<u64> {
    let mut scope = vec![("self".to_string(), this)];
    if let Some(old) = old_self {
        scope.push(("oldSelf".to_string(), old));
    }
    cost_with(program, scope, limit)
}

/// As `cost_on`, with these variables in scope.
pub(super) fn cost_with<'s>(
    program: &Program,
    scope: Vec<(String, Ty<'s>)>,
    limit: u64,
) -> Option<u64> {
    let mut checker = Checker {
        program,
        scope,
        problem: None,
        limit,
    };
    let (cost, _) = checker.expr(program.expression());
    (cost <= limit).then_some(cost)
}

impl<'s> Checker<'_, 's> {
    fn fail(&mut self, id: u64, message: String) {
        if self.problem.is_some() {
            return;
        }
        let info = self.program.source_info();
        let (line, column) = info
            .offset_for(id)
            .map(|(start, _)| {
                let before = &info.source[..(start as usize).min(info.source.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                (line, column)
            })
            .unwrap_or((1, 1));
        self.problem = Some(format!("ERROR: <input>:{line}:{column}: {message}"));
    }

    fn lookup(&self, name: &str) -> Option<Ty<'s>> {
        self.scope
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, ty)| ty.clone())
    }

    fn expr(&mut self, expr: &IdedExpr) -> (u64, Ty<'s>) {
        match &expr.expr {
            Expr::Literal(literal) => (
                0,
                match literal {
                    LiteralValue::Boolean(_) => Ty::Bool,
                    LiteralValue::Int(_) | LiteralValue::UInt(_) => Ty::Int,
                    LiteralValue::Double(_) => Ty::Double,
                    LiteralValue::String(s) => Ty::Text(s.inner().chars().count() as u64),
                    LiteralValue::Bytes(b) => Ty::Text(b.inner().len() as u64),
                    LiteralValue::Null => Ty::Dyn,
                },
            ),
            Expr::Ident(name) => match self.lookup(name) {
                Some(ty) => (1, ty),
                None => {
                    if !is_type_name(name) {
                        self.fail(
                            expr.id,
                            format!("undeclared reference to '{name}' (in container '')"),
                        );
                    }
                    (1, Ty::Dyn)
                }
            },
            Expr::Select(select) => {
                let (cost, operand) = self.expr(&select.operand);
                let ty = self.field(expr.id, &operand, &select.field);
                (
                    cost.saturating_add(1),
                    if select.test { Ty::Bool } else { ty },
                )
            }
            Expr::List(list) => {
                let mut cost = 10u64;
                let mut element = Ty::Dyn;
                for item in &list.elements {
                    let (c, ty) = self.expr(item);
                    cost = cost.saturating_add(c);
                    element = ty;
                }
                (
                    cost,
                    Ty::List(Box::new(element), list.elements.len() as u64),
                )
            }
            Expr::Map(map) => {
                let mut cost = 30u64;
                for entry in &map.entries {
                    if let cel::common::ast::EntryExpr::MapEntry(entry) = &entry.expr {
                        cost = cost
                            .saturating_add(self.expr(&entry.key).0)
                            .saturating_add(self.expr(&entry.value).0);
                    }
                }
                (cost, Ty::Map(Box::new(Ty::Dyn), map.entries.len() as u64))
            }
            Expr::Struct(_) | Expr::Unspecified => (40, Ty::Dyn),
            Expr::Comprehension(comprehension) => {
                let (range_cost, range) = self.expr(&comprehension.iter_range);
                if let Ty::Data(value, schema) = &range {
                    let (value, schema) = (*value, *schema);
                    if value.is_array() || value.is_object() {
                        let (init_cost, _) = self.expr(&comprehension.accu_init);
                        let cost = self.over_data(comprehension, value, schema);
                        return (
                            cost.saturating_add(range_cost).saturating_add(init_cost),
                            Ty::Dyn,
                        );
                    }
                }
                let (init_cost, init) = self.expr(&comprehension.accu_init);
                let size = range.size();
                let element = match range.resolved() {
                    // Iterating a map (or an object) goes over its keys.
                    Ty::Map(..) | Ty::Node(_) | Ty::Root(_) => Ty::Text(MAX_REQUEST_BYTES),
                    _ => range.element(),
                };
                self.scope
                    .push((comprehension.iter_var.clone(), element.clone()));
                if let Some(second) = &comprehension.iter_var2 {
                    self.scope.push((second.clone(), range.element()));
                }
                let accumulated = match init {
                    Ty::List(..) => Ty::List(
                        Box::new(
                            appended(&comprehension.loop_step, &comprehension.accu_var)
                                .map(|item| {
                                    self.scope.push((comprehension.accu_var.clone(), Ty::Dyn));
                                    let ty = self.expr(item).1;
                                    self.scope.pop();
                                    ty
                                })
                                .unwrap_or(Ty::Dyn),
                        ),
                        size,
                    ),
                    other => other,
                };
                self.scope
                    .push((comprehension.accu_var.clone(), accumulated));
                let (cond_cost, _) = self.expr(&comprehension.loop_cond);
                let (step_cost, _) = self.expr(&comprehension.loop_step);
                let (result_cost, result) = self.expr(&comprehension.result);
                self.scope.pop();
                if comprehension.iter_var2.is_some() {
                    self.scope.pop();
                }
                self.scope.pop();
                let per_item = cond_cost.saturating_add(step_cost);
                (
                    range_cost
                        .saturating_add(init_cost)
                        .saturating_add(size.saturating_mul(per_item))
                        .saturating_add(result_cost),
                    result,
                )
            }
            Expr::Call(call) => self.call(expr, call),
        }
    }

    /// A loop over a value at hand: each element's own cost, summed, until
    /// it passes the limit.
    fn over_data(
        &mut self,
        comprehension: &cel::common::ast::ComprehensionExpr,
        value: &'s Json,
        schema: Option<&'s Schema>,
    ) -> u64 {
        // One variable: the element (a map's key); two: index (key) and
        // element (value).
        let two = comprehension.iter_var2.is_some();
        let elements: Vec<(Ty<'s>, Ty<'s>)> = match value {
            Json::Array(items) => {
                let item = schema.and_then(|s| s.items.as_deref());
                items
                    .iter()
                    .map(|v| {
                        if two {
                            (Ty::Int, Ty::Data(v, item))
                        } else {
                            (Ty::Data(v, item), Ty::Dyn)
                        }
                    })
                    .collect()
            }
            Json::Object(map) => map
                .iter()
                .map(|(k, v)| {
                    let below = schema
                        .and_then(|s| s.properties.get(k).or(s.additional_properties.as_deref()));
                    (Ty::Text(k.chars().count() as u64), Ty::Data(v, below))
                })
                .collect(),
            _ => Vec::new(),
        };
        let mut total = 0u64;
        for (first, second) in elements {
            self.scope.push((comprehension.iter_var.clone(), first));
            if let Some(name) = &comprehension.iter_var2 {
                self.scope.push((name.clone(), second));
            }
            self.scope.push((comprehension.accu_var.clone(), Ty::Dyn));
            let (cond, _) = self.expr(&comprehension.loop_cond);
            let (step, _) = self.expr(&comprehension.loop_step);
            self.scope.pop();
            if two {
                self.scope.pop();
            }
            self.scope.pop();
            total = total.saturating_add(cond).saturating_add(step);
            if total > self.limit {
                return u64::MAX;
            }
        }
        self.scope.push((comprehension.accu_var.clone(), Ty::Dyn));
        let (result, _) = self.expr(&comprehension.result);
        self.scope.pop();
        total.saturating_add(result)
    }

    fn field(&mut self, id: u64, operand: &Ty<'s>, field: &str) -> Ty<'s> {
        match operand {
            Ty::Data(Json::Object(map), schema) => {
                let found = map
                    .iter()
                    .find(|(name, _)| super::values::escape(name).as_deref() == Some(field))
                    .or_else(|| map.get_key_value(field));
                match found {
                    Some((name, value)) => {
                        let below = schema.and_then(|s| {
                            s.properties
                                .get(name)
                                .or(s.additional_properties.as_deref())
                        });
                        Ty::Data(value, below)
                    }
                    None => Ty::Dyn,
                }
            }
            Ty::Data(..) => Ty::Dyn,
            Ty::Root(schema) => match field {
                "apiVersion" | "kind" => Ty::Text(MAX_REQUEST_BYTES),
                "metadata" => Ty::Dyn,
                _ => self.field(id, &Ty::Node(schema), field),
            },
            Ty::Node(schema) if !schema.properties.is_empty() => {
                let found = schema
                    .properties
                    .iter()
                    .find(|(name, _)| super::values::escape(name).as_deref() == Some(field));
                match found {
                    Some((_, property)) => Ty::Node(property),
                    None if schema.preserve_unknown_fields => Ty::Dyn,
                    None => {
                        self.fail(id, format!("undefined field '{field}'"));
                        Ty::Dyn
                    }
                }
            }
            Ty::Node(schema) if schema.embedded_resource => match field {
                "apiVersion" | "kind" => Ty::Text(MAX_REQUEST_BYTES),
                _ => Ty::Dyn,
            },
            other => other.element(),
        }
    }

    fn call(&mut self, expr: &IdedExpr, call: &cel::common::ast::CallExpr) -> (u64, Ty<'s>) {
        // `sets.contains(a, b)`, `ip.isCanonical(x)`: a function whose name
        // has a namespace, not a member of a variable.
        let qualified = call
            .target
            .as_deref()
            .and_then(|target| qualified_name(target, &self.scope))
            .map(|namespace| format!("{namespace}.{}", call.func_name))
            .filter(|name| known(name));
        if let Some(name) = qualified {
            let plain = cel::common::ast::CallExpr {
                func_name: name,
                target: None,
                args: call.args.clone(),
            };
            return self.call(expr, &plain);
        }
        let mut cost = 0u64;
        let target = call.target.as_deref().map(|target| {
            let (c, ty) = self.expr(target);
            cost = cost.saturating_add(c);
            ty
        });
        let mut args = Vec::with_capacity(call.args.len());
        let mut arg_costs = Vec::with_capacity(call.args.len());
        for arg in &call.args {
            let (c, ty) = self.expr(arg);
            arg_costs.push(c);
            args.push(ty);
        }
        let name = call.func_name.as_str();
        let traverse = |n: u64| n.div_ceil(10);
        let receiver = target.as_ref().or(args.first());
        let size = receiver.map_or(1, Ty::size);
        let arg_size = |i: usize| args.get(i).map_or(1, Ty::size);
        let (call_cost, ty) = match name {
            "_&&_" | "_||_" | "!_" | "@not_strictly_false" => (0, Ty::Bool),
            "_?_:_" => {
                // Only one branch runs: count the dearer.
                let branches = arg_costs.iter().skip(1).copied().max().unwrap_or(0);
                let sum: u64 = arg_costs.iter().skip(1).sum();
                cost = cost.saturating_sub(sum).saturating_add(branches);
                (0, args.get(1).cloned().unwrap_or(Ty::Dyn))
            }
            "_==_" | "_!=_" => {
                let n = args.iter().map(Ty::size).min().unwrap_or(1);
                let sized = args.iter().any(Ty::is_sized);
                (1 + if sized { traverse(n) } else { 0 }, Ty::Bool)
            }
            "_<_" | "_<=_" | "_>_" | "_>=_" => {
                let sized = args.iter().any(Ty::is_text);
                (1 + if sized { traverse(arg_size(0)) } else { 0 }, Ty::Bool)
            }
            "_+_" => {
                let accumulating = matches!(call.args.first().map(|a| &a.expr), Some(Expr::Ident(n)) if n.starts_with('@'));
                let first = args.first().cloned().unwrap_or(Ty::Dyn);
                let combined = arg_size(0).saturating_add(arg_size(1));
                let ty = match first.resolved() {
                    Ty::Text(_) => Ty::Text(combined),
                    Ty::List(item, _) => Ty::List(item, combined),
                    other => other,
                };
                let concat = if first.is_sized() && !accumulating {
                    traverse(combined)
                } else {
                    0
                };
                (1 + concat, ty)
            }
            "_-_" | "_*_" | "_/_" | "_%_" | "-_" => (1, args.first().cloned().unwrap_or(Ty::Dyn)),
            "_[_]" | "_[?_]" => (1, args.first().map_or(Ty::Dyn, Ty::element)),
            "@in" => {
                let container = args.get(1).map(Ty::resolved);
                let cost = match container {
                    Some(Ty::List(..)) => arg_size(1),
                    _ => 1,
                };
                (cost, Ty::Bool)
            }
            "size" => (1, Ty::Int),
            "has" => (1, Ty::Bool),
            "contains" => (1 + traverse(size.saturating_mul(arg_size(0))), Ty::Bool),
            "startsWith" | "endsWith" => (1 + traverse(arg_size(0)), Ty::Bool),
            "matches" => {
                let pattern = if target.is_some() {
                    arg_size(0)
                } else {
                    arg_size(1)
                };
                (1 + traverse(size.saturating_mul(pattern.max(1))), Ty::Bool)
            }
            "find" => (
                1 + traverse(size.saturating_mul(arg_size(0).max(1))),
                Ty::Text(size),
            ),
            "findAll" => {
                let length = receiver.map_or(1, Ty::length);
                (
                    1 + traverse(size.saturating_mul(arg_size(0).max(1))),
                    Ty::List(Box::new(Ty::Text(length)), length),
                )
            }
            "lowerAscii" | "upperAscii" | "trim" | "reverse" | "quote" | "substring" | "charAt"
            | "replace" | "format" => (1 + traverse(size), Ty::Text(size)),
            "split" => {
                let length = receiver.map_or(1, Ty::length);
                (
                    1 + traverse(size),
                    Ty::List(Box::new(Ty::Text(length)), length),
                )
            }
            "join" => (
                1 + traverse(size.saturating_mul(receiver.map_or(1, |r| r.element().size()))),
                Ty::Text(MAX_REQUEST_BYTES),
            ),
            "indexOf" | "lastIndexOf" => (1 + size, Ty::Int),
            "isSorted" => (1 + size, Ty::Bool),
            "sum" | "min" | "max" => (1 + size, receiver.map_or(Ty::Dyn, Ty::element)),
            "sort" | "distinct" => (
                1 + size.saturating_mul(64 - size.leading_zeros() as u64),
                receiver.cloned().unwrap_or(Ty::Dyn),
            ),
            "slice" | "flatten" => (1 + size, receiver.cloned().unwrap_or(Ty::Dyn)),
            "sets.contains" | "sets.intersects" | "sets.equivalent" => {
                (1 + arg_size(0).saturating_mul(arg_size(1)), Ty::Bool)
            }
            "int" | "uint" => (1 + traverse(size), Ty::Int),
            "double" => (1 + traverse(size), Ty::Double),
            "string" | "bytes" => (1 + traverse(size), Ty::Text(size.max(32))),
            "bool" => (1, Ty::Bool),
            "type"
            | "dyn"
            | "duration"
            | "timestamp"
            | "optional.of"
            | "optional.none"
            | "optional.ofNonZeroValue"
            | "orValue"
            | "value"
            | "hasValue"
            | "or" => (1, receiver.map_or(Ty::Dyn, |r| r.clone())),
            other if target.is_none() && !known(other) => {
                self.fail(
                    expr.id,
                    format!("undeclared reference to '{other}' (in container '')"),
                );
                (1, Ty::Dyn)
            }
            other if !known(other) => {
                self.fail(expr.id, format!("found no matching overload for '{other}'"));
                (1, Ty::Dyn)
            }
            _ => (1 + traverse(size), Ty::Dyn),
        };
        (
            cost.saturating_add(arg_costs.iter().sum())
                .saturating_add(call_cost),
            ty,
        )
    }
}

/// The dotted name an expression spells (`sets`, `a.b`), unless its
/// first part is a variable in scope.
fn qualified_name(expr: &IdedExpr, scope: &[(String, Ty<'_>)]) -> Option<String> {
    match &expr.expr {
        Expr::Ident(name) if !scope.iter().any(|(n, _)| n == name) => Some(name.clone()),
        Expr::Select(select) if !select.test => {
            qualified_name(&select.operand, scope).map(|base| format!("{base}.{}", select.field))
        }
        _ => None,
    }
}

fn known(name: &str) -> bool {
    super::library::known_function(name)
}

/// Names CEL resolves to types (`int`, `string`, ...), which may appear
/// as identifiers: `type(self.x) == string`.
fn is_type_name(name: &str) -> bool {
    matches!(
        name,
        "int"
            | "uint"
            | "double"
            | "bool"
            | "string"
            | "bytes"
            | "list"
            | "map"
            | "null_type"
            | "type"
    )
}

/// The element a comprehension's step appends to its accumulator
/// (`@result + [f(x)]`), found wherever the step's conditions put it.
fn appended<'e>(step: &'e IdedExpr, accumulator: &str) -> Option<&'e IdedExpr> {
    match &step.expr {
        Expr::Call(call) if call.func_name == "_+_" => {
            match (call.args.first().map(|a| &a.expr), call.args.get(1)) {
                (Some(Expr::Ident(name)), Some(list)) if name == accumulator => match &list.expr {
                    Expr::List(list) => list.elements.first(),
                    _ => None,
                },
                _ => None,
            }
        }
        Expr::Call(call) => call.args.iter().find_map(|a| appended(a, accumulator)),
        _ => None,
    }
}

/// How deep the expression's tree goes (evaluation recurses that deep).
pub(super) fn depth(expr: &IdedExpr) -> usize {
    let children: Vec<&IdedExpr> = match &expr.expr {
        Expr::Call(call) => call
            .target
            .as_deref()
            .into_iter()
            .chain(&call.args)
            .collect(),
        Expr::Select(select) => vec![&*select.operand],
        Expr::List(list) => list.elements.iter().collect(),
        Expr::Map(map) => map
            .entries
            .iter()
            .filter_map(|e| match &e.expr {
                cel::common::ast::EntryExpr::MapEntry(entry) => Some([&entry.key, &entry.value]),
                _ => None,
            })
            .flatten()
            .collect(),
        Expr::Comprehension(c) => vec![
            &c.iter_range,
            &c.accu_init,
            &c.loop_cond,
            &c.loop_step,
            &c.result,
        ],
        _ => Vec::new(),
    };
    1 + children.into_iter().map(depth).max().unwrap_or(0)
}

/// Whether the expression names `oldSelf` anywhere.
pub(super) fn uses(expr: &IdedExpr, variable: &str) -> bool {
    match &expr.expr {
        Expr::Ident(name) => name == variable,
        Expr::Call(call) => {
            call.target.as_deref().is_some_and(|t| uses(t, variable))
                || call.args.iter().any(|a| uses(a, variable))
        }
        Expr::Select(select) => uses(&select.operand, variable),
        Expr::List(list) => list.elements.iter().any(|e| uses(e, variable)),
        Expr::Map(map) => map.entries.iter().any(|e| match &e.expr {
            cel::common::ast::EntryExpr::MapEntry(entry) => {
                uses(&entry.key, variable) || uses(&entry.value, variable)
            }
            cel::common::ast::EntryExpr::StructField(field) => uses(&field.value, variable),
        }),
        Expr::Comprehension(c) => [
            &c.iter_range,
            &c.accu_init,
            &c.loop_cond,
            &c.loop_step,
            &c.result,
        ]
        .into_iter()
        .any(|e| uses(e, variable)),
        _ => false,
    }
}
