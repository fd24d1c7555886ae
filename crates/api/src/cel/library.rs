//! The CEL environment validation rules compile in: the standard library,
//! the strings and lists extensions, and the Kubernetes libraries a rule
//! most often reaches for (list `isSorted`/`sum`/`min`/`max`/`indexOf`/
//! `lastIndexOf`, regex `find`/`findAll`, `sets.contains`/`intersects`/
//! `equivalent`; IP, CIDR, URL and quantity in `network.rs`).

use std::cmp::Ordering;
use std::sync::{Arc, LazyLock};

use cel::common::types::{LIST_TYPE, STRING_TYPE};
use cel::common::value::{CowVal, Val};
use cel::{Env, ExecutionError, Value};

/// The environment every rule compiles and runs in.
pub(super) static ENV: LazyLock<Arc<Env>> = LazyLock::new(|| Arc::new(environment()));

fn environment() -> Env {
    let mut env = Env::stdlib();
    // A name declared twice is a programming error here, found by the
    // tests; an environment missing a library still compiles the others.
    let _ = cel::extensions::strings(&mut env);
    let _ = cel::extensions::lists(&mut env);
    let _ = cel::extensions::math(&mut env);
    let list_members: [(&str, &str, cel::common::functions::Function); 4] = [
        ("isSorted", "list.isSorted()", is_sorted),
        ("sum", "list.sum()", sum),
        ("min", "list.min()", min),
        ("max", "list.max()", max),
    ];
    for (name, id, function) in list_members {
        let _ = env.add_member_overload(name, id, LIST_TYPE, vec![], function);
    }
    let _ = env.add_member_overload(
        "indexOf",
        "list.indexOf(T)",
        LIST_TYPE,
        vec![cel::common::types::DYN_TYPE],
        index_of,
    );
    let _ = env.add_member_overload(
        "lastIndexOf",
        "list.lastIndexOf(T)",
        LIST_TYPE,
        vec![cel::common::types::DYN_TYPE],
        last_index_of,
    );
    let _ = env.add_member_overload(
        "find",
        "string.find(string)",
        STRING_TYPE,
        vec![STRING_TYPE],
        find,
    );
    let _ = env.add_member_overload(
        "findAll",
        "string.findAll(string)",
        STRING_TYPE,
        vec![STRING_TYPE],
        find_all,
    );
    let _ = env.add_member_overload(
        "findAll",
        "string.findAll(string,int)",
        STRING_TYPE,
        vec![STRING_TYPE, cel::common::types::INT_TYPE],
        find_all,
    );
    for (name, function) in [
        (
            "sets.contains",
            sets_contains as cel::common::functions::Function,
        ),
        ("sets.intersects", sets_intersects),
        ("sets.equivalent", sets_equivalent),
    ] {
        let _ = env.add_overload(
            name,
            &format!("{name}(list,list)"),
            vec![LIST_TYPE, LIST_TYPE],
            function,
        );
    }
    super::network::register(&mut env);
    env
}

/// Functions (global or member) the environment declares, beside the
/// operators.
const FUNCTIONS: &[&str] = &[
    // The standard library.
    "size",
    "contains",
    "startsWith",
    "endsWith",
    "matches",
    "int",
    "uint",
    "double",
    "string",
    "bytes",
    "bool",
    "type",
    "dyn",
    "duration",
    "timestamp",
    "getDate",
    "getDayOfMonth",
    "getDayOfWeek",
    "getDayOfYear",
    "getFullYear",
    "getHours",
    "getMilliseconds",
    "getMinutes",
    "getMonth",
    "getSeconds",
    "has",
    "optional.of",
    "optional.none",
    "optional.ofNonZeroValue",
    "value",
    "hasValue",
    "or",
    "orValue",
    // The strings extension.
    "charAt",
    "indexOf",
    "lastIndexOf",
    "join",
    "lowerAscii",
    "upperAscii",
    "replace",
    "split",
    "substring",
    "trim",
    "format",
    "quote",
    "strings.quote",
    "reverse",
    // The lists extension.
    "slice",
    "flatten",
    "distinct",
    "sort",
    "lists.range",
    // The Kubernetes libraries here.
    "isSorted",
    "sum",
    "min",
    "max",
    "find",
    "findAll",
    "sets.contains",
    "sets.intersects",
    "sets.equivalent",
];

/// Whether `name` is a function (global or member) the environment knows.
pub(super) fn known_function(name: &str) -> bool {
    FUNCTIONS.contains(&name)
        || super::network::FUNCTIONS.contains(&name)
        || name.starts_with("math.")
        || name.starts_with(['_', '@', '!', '-'])
}

/// The call's arguments as plain values.
pub(super) fn values(args: &[CowVal<'_, '_>]) -> Result<Vec<Value>, ExecutionError> {
    args.iter().map(|a| Value::try_from(a.as_ref())).collect()
}

pub(super) fn out<'b, 'v>(value: Value) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let boxed: Box<dyn Val> = Box::<dyn Val>::try_from(value)?;
    Ok(CowVal::Owned(boxed))
}

/// A CEL list's elements, shared.
type List = Arc<Vec<Value>>;

fn list(value: &Value, function: &str) -> Result<List, ExecutionError> {
    match value {
        Value::List(items) => Ok(items.clone()),
        _ => Err(ExecutionError::function_error(function, "expected a list")),
    }
}

pub(super) fn text<'a>(value: &'a Value, function: &str) -> Result<&'a str, ExecutionError> {
    match value {
        Value::String(s) => Ok(s.as_str()),
        _ => Err(ExecutionError::function_error(
            function,
            "expected a string",
        )),
    }
}

fn compare(a: &Value, b: &Value) -> Result<Ordering, ExecutionError> {
    a.partial_cmp(b)
        .ok_or_else(|| ExecutionError::ValuesNotComparable(a.clone(), b.clone()))
}

fn is_sorted<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    let items = list(&args[0], "isSorted")?;
    for pair in items.windows(2) {
        if compare(&pair[0], &pair[1])? == Ordering::Greater {
            return out(Value::Bool(false));
        }
    }
    out(Value::Bool(true))
}

fn sum<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    let items = list(&args[0], "sum")?;
    let mut total = match items.first() {
        Some(Value::Float(_)) => Value::Float(0.0),
        Some(Value::UInt(_)) => Value::UInt(0),
        _ => Value::Int(0),
    };
    for item in items.iter() {
        total = match (&total, item) {
            (Value::Int(a), Value::Int(b)) => Value::Int(
                a.checked_add(*b)
                    .ok_or_else(|| ExecutionError::function_error("sum", "integer overflow"))?,
            ),
            (Value::UInt(a), Value::UInt(b)) => Value::UInt(
                a.checked_add(*b)
                    .ok_or_else(|| ExecutionError::function_error("sum", "integer overflow"))?,
            ),
            (Value::Float(a), Value::Float(b)) => Value::Float(a + b),
            _ => return Err(ExecutionError::function_error("sum", "mixed element types")),
        };
    }
    out(total)
}

fn extreme<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
    function: &str,
    keep: Ordering,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    let items = list(&args[0], function)?;
    let mut best = items
        .first()
        .ok_or_else(|| ExecutionError::function_error(function, "list is empty"))?;
    for item in items.iter().skip(1) {
        if compare(item, best)? == keep {
            best = item;
        }
    }
    out(best.clone())
}

fn min<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    extreme(args, "min", Ordering::Less)
}

fn max<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    extreme(args, "max", Ordering::Greater)
}

fn position<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
    last: bool,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    let items = list(&args[0], "indexOf")?;
    let wanted = args.get(1).unwrap_or(&Value::Null);
    let found = if last {
        items.iter().rposition(|item| item == wanted)
    } else {
        items.iter().position(|item| item == wanted)
    };
    out(Value::Int(found.map_or(-1, |i| i as i64)))
}

fn index_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    position(args, false)
}

fn last_index_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    position(args, true)
}

fn pattern(value: &Value, function: &str) -> Result<regex::Regex, ExecutionError> {
    regex::Regex::new(text(value, function)?)
        .map_err(|e| ExecutionError::function_error(function, e.to_string()))
}

fn find<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    let haystack = text(&args[0], "find")?;
    let found = pattern(args.get(1).unwrap_or(&Value::Null), "find")?
        .find(haystack)
        .map_or("", |m| m.as_str());
    out(Value::String(Arc::new(found.to_string())))
}

fn find_all<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    let haystack = text(&args[0], "findAll")?;
    let regex = pattern(args.get(1).unwrap_or(&Value::Null), "findAll")?;
    let limit = match args.get(2) {
        Some(Value::Int(n)) if *n >= 0 => *n as usize,
        _ => usize::MAX,
    };
    let found = regex
        .find_iter(haystack)
        .take(limit)
        .map(|m| Value::String(Arc::new(m.as_str().to_string())))
        .collect();
    out(Value::List(Arc::new(found)))
}

fn two_lists(args: Vec<CowVal<'_, '_>>, function: &str) -> Result<[List; 2], ExecutionError> {
    let args = values(&args)?;
    let first = list(&args[0], function)?;
    let second = list(args.get(1).unwrap_or(&Value::Null), function)?;
    Ok([first, second])
}

fn sets_contains<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [set, sub] = two_lists(args, "sets.contains")?;
    out(Value::Bool(sub.iter().all(|item| set.contains(item))))
}

fn sets_intersects<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [a, b] = two_lists(args, "sets.intersects")?;
    out(Value::Bool(a.iter().any(|item| b.contains(item))))
}

fn sets_equivalent<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [a, b] = two_lists(args, "sets.equivalent")?;
    out(Value::Bool(
        a.iter().all(|item| b.contains(item)) && b.iter().all(|item| a.contains(item)),
    ))
}
