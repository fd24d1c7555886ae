//! Kubernetes' IP, CIDR, URL and quantity CEL libraries (`isIP(x)`,
//! `cidr(x).containsIP(y)`, `url(x).getHost()`, `quantity(x).isLessThan(y)`
//! and the rest). Their values are carried as their canonical text, so
//! `ip('::1') == ip('0:0::1')` and `quantity('1Gi') == quantity('1024Mi')`
//! hold, and the member functions read that text again.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use cel::common::functions::Function;
use cel::common::types::{INT_TYPE, STRING_TYPE};
use cel::common::value::CowVal;
use cel::objects::{Key, Map};
use cel::{Env, ExecutionError, Value};

use super::library::{out, text, values};
use crate::quantity::Quantity;

/// Every function these libraries declare, for the definition-time check.
pub(super) const FUNCTIONS: &[&str] = &[
    "ip",
    "isIP",
    "ip.isCanonical",
    "family",
    "isUnspecified",
    "isLoopback",
    "isLinkLocalMulticast",
    "isLinkLocalUnicast",
    "isGlobalUnicast",
    "cidr",
    "isCIDR",
    "containsIP",
    "containsCIDR",
    "masked",
    "prefixLength",
    "url",
    "isURL",
    "getScheme",
    "getHost",
    "getHostname",
    "getPort",
    "getEscapedPath",
    "getQuery",
    "quantity",
    "isQuantity",
    "isInteger",
    "asInteger",
    "asApproximateFloat",
    "sign",
    "add",
    "sub",
    "isGreaterThan",
    "isLessThan",
    "compareTo",
];

pub(super) fn register(env: &mut Env) {
    let globals: [(&str, Function); 8] = [
        ("ip", ip),
        ("isIP", is_ip),
        ("ip.isCanonical", is_canonical),
        ("cidr", cidr),
        ("isCIDR", is_cidr),
        ("url", url),
        ("isURL", is_url),
        ("quantity", quantity),
    ];
    for (name, function) in globals {
        let _ = env.add_overload(
            name,
            &format!("{name}(string)"),
            vec![STRING_TYPE],
            function,
        );
    }
    let _ = env.add_overload(
        "isQuantity",
        "isQuantity(string)",
        vec![STRING_TYPE],
        is_quantity,
    );
    let members: [(&str, Function); 21] = [
        ("family", family),
        ("isUnspecified", is_unspecified),
        ("isLoopback", is_loopback),
        ("isLinkLocalMulticast", is_link_local_multicast),
        ("isLinkLocalUnicast", is_link_local_unicast),
        ("isGlobalUnicast", is_global_unicast),
        ("masked", masked),
        ("prefixLength", prefix_length),
        ("getScheme", get_scheme),
        ("getHost", get_host),
        ("getHostname", get_hostname),
        ("getPort", get_port),
        ("getEscapedPath", get_escaped_path),
        ("getQuery", get_query),
        ("isInteger", is_integer),
        ("asInteger", as_integer),
        ("asApproximateFloat", as_approximate_float),
        ("sign", sign),
        // `cidr(x).ip()`: the address part.
        ("ip", cidr_ip),
        ("containsIP", contains_ip),
        ("containsCIDR", contains_cidr),
    ];
    for (name, function) in members {
        let arity = matches!(name, "containsIP" | "containsCIDR");
        let args = if arity { vec![STRING_TYPE] } else { vec![] };
        let _ = env.add_member_overload(
            name,
            &format!("string.{name}({})", if arity { "string" } else { "" }),
            STRING_TYPE,
            args,
            function,
        );
    }
    let comparisons: [(&str, Function); 5] = [
        ("add", add),
        ("sub", sub),
        ("isGreaterThan", is_greater_than),
        ("isLessThan", is_less_than),
        ("compareTo", compare_to),
    ];
    for (name, function) in comparisons {
        let _ = env.add_member_overload(
            name,
            &format!("quantity.{name}(quantity)"),
            STRING_TYPE,
            vec![STRING_TYPE],
            function,
        );
        if matches!(name, "add" | "sub") {
            let _ = env.add_member_overload(
                name,
                &format!("quantity.{name}(int)"),
                STRING_TYPE,
                vec![INT_TYPE],
                function,
            );
        }
    }
}

fn string_value(text: String) -> Value {
    Value::String(Arc::new(text))
}

fn error(function: &str, message: impl Into<String>) -> ExecutionError {
    ExecutionError::function_error(function, message.into())
}

// IP addresses.

/// An IP address as Kubernetes takes one: no zone, no IPv4 inside IPv6.
fn parse_ip(text: &str) -> Option<IpAddr> {
    let address: IpAddr = text.parse().ok()?;
    match address {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some() => None,
        other => Some(other),
    }
}

fn the_ip(args: &[Value], function: &str) -> Result<IpAddr, ExecutionError> {
    let given = text(&args[0], function)?;
    parse_ip(given).ok_or_else(|| {
        error(
            function,
            format!("IP Address {given:?} parse error during conversion from string"),
        )
    })
}

fn ip<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    out(string_value(the_ip(&args, "ip")?.to_string()))
}

fn is_ip<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    out(Value::Bool(parse_ip(text(&args[0], "isIP")?).is_some()))
}

fn is_canonical<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    let given = text(&args[0], "ip.isCanonical")?;
    let address = the_ip(&args, "ip.isCanonical")?;
    out(Value::Bool(address.to_string() == given))
}

fn family<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    out(Value::Int(match the_ip(&args, "family")? {
        IpAddr::V4(_) => 4,
        IpAddr::V6(_) => 6,
    }))
}

fn ip_test<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
    function: &str,
    test: fn(&IpAddr) -> bool,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    out(Value::Bool(test(&the_ip(&args, function)?)))
}

fn is_unspecified<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    ip_test(args, "isUnspecified", IpAddr::is_unspecified)
}

fn is_loopback<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    ip_test(args, "isLoopback", IpAddr::is_loopback)
}

fn link_local_multicast(address: &IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => v4.octets()[..3] == [224, 0, 0],
        IpAddr::V6(v6) => v6.segments()[0] & 0xff0f == 0xff02,
    }
}

fn link_local_unicast(address: &IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => v6.segments()[0] & 0xffc0 == 0xfe80,
    }
}

fn global_unicast(address: &IpAddr) -> bool {
    let broadcast = matches!(address, IpAddr::V4(v4) if v4.is_broadcast());
    !(address.is_unspecified()
        || address.is_loopback()
        || address.is_multicast()
        || link_local_unicast(address)
        || broadcast)
}

fn is_link_local_multicast<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    ip_test(args, "isLinkLocalMulticast", link_local_multicast)
}

fn is_link_local_unicast<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    ip_test(args, "isLinkLocalUnicast", link_local_unicast)
}

fn is_global_unicast<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    ip_test(args, "isGlobalUnicast", global_unicast)
}

// CIDRs.

fn parse_cidr(text: &str) -> Option<(IpAddr, u8)> {
    let (address, length) = text.split_once('/')?;
    let address = parse_ip(address)?;
    if length.is_empty() || length.len() > 3 || !length.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let length: u8 = length.parse().ok()?;
    let bits = if address.is_ipv4() { 32 } else { 128 };
    (length <= bits).then_some((address, length))
}

fn the_cidr(value: &Value, function: &str) -> Result<(IpAddr, u8), ExecutionError> {
    let given = text(value, function)?;
    parse_cidr(given).ok_or_else(|| {
        error(
            function,
            format!("network address {given:?} parse error during conversion from string"),
        )
    })
}

/// The address with only its first `length` bits kept.
fn mask(address: IpAddr, length: u8) -> IpAddr {
    match address {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let kept = if length == 0 {
                0
            } else {
                bits & (u32::MAX << (32 - u32::from(length)))
            };
            IpAddr::V4(kept.into())
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let kept = if length == 0 {
                0
            } else {
                bits & (u128::MAX << (128 - u32::from(length)))
            };
            IpAddr::V6(kept.into())
        }
    }
}

fn contains(network: (IpAddr, u8), address: IpAddr) -> bool {
    network.0.is_ipv4() == address.is_ipv4()
        && mask(network.0, network.1) == mask(address, network.1)
}

fn cidr<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    let (address, length) = the_cidr(&args[0], "cidr")?;
    out(string_value(format!("{address}/{length}")))
}

fn is_cidr<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    out(Value::Bool(parse_cidr(text(&args[0], "isCIDR")?).is_some()))
}

/// `cidr(x).ip()`; on an IP's text, the IP itself.
fn cidr_ip<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    let (address, _) = the_cidr(&args[0], "ip")?;
    out(string_value(address.to_string()))
}

fn masked<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    let (address, length) = the_cidr(&args[0], "masked")?;
    out(string_value(format!("{}/{length}", mask(address, length))))
}

fn prefix_length<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    let (_, length) = the_cidr(&args[0], "prefixLength")?;
    out(Value::Int(i64::from(length)))
}

fn contains_ip<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    let network = the_cidr(&args[0], "containsIP")?;
    let address = the_ip(&args[1..], "containsIP")?;
    out(Value::Bool(contains(network, address)))
}

fn contains_cidr<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    let network = the_cidr(&args[0], "containsCIDR")?;
    let (address, length) = the_cidr(&args[1], "containsCIDR")?;
    out(Value::Bool(
        length >= network.1 && contains(network, address),
    ))
}

// URLs.

/// The parts of a URL as Go's `url.Parse` splits an absolute one (or an
/// absolute path).
struct Url<'a> {
    scheme: &'a str,
    host: &'a str,
    path: &'a str,
    query: &'a str,
}

fn parse_url(text: &str) -> Option<Url<'_>> {
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let text = text.split('#').next().unwrap_or_default();
    let (rest, query) = text.split_once('?').unwrap_or((text, ""));
    if rest.starts_with('/') {
        return Some(Url {
            scheme: "",
            host: "",
            path: rest,
            query,
        });
    }
    let (scheme, rest) = rest.split_once("://")?;
    let valid_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !valid_scheme {
        return None;
    }
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let host = host.rsplit('@').next().unwrap_or_default();
    Some(Url {
        scheme,
        host,
        path,
        query,
    })
}

fn the_url<'a>(value: &'a Value, function: &str) -> Result<Url<'a>, ExecutionError> {
    let given = text(value, function)?;
    parse_url(given).ok_or_else(|| {
        error(
            function,
            format!("URL {given:?} is not an absolute URI or an absolute path"),
        )
    })
}

fn url<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    the_url(&args[0], "url")?;
    out(args[0].clone())
}

fn is_url<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    out(Value::Bool(parse_url(text(&args[0], "isURL")?).is_some()))
}

fn url_part<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
    function: &str,
    part: fn(&Url<'_>) -> String,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    let parsed = the_url(&args[0], function)?;
    out(string_value(part(&parsed)))
}

/// The host without its port (and an IPv6 address without brackets).
fn hostname(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default();
    }
    host.split(':').next().unwrap_or_default()
}

fn port(host: &str) -> &str {
    let after = match host.strip_prefix('[') {
        Some(rest) => rest.split_once(']').map_or("", |(_, after)| after),
        None => host,
    };
    after.split_once(':').map_or("", |(_, port)| port)
}

fn get_scheme<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    url_part(args, "getScheme", |u| u.scheme.to_string())
}

fn get_host<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    url_part(args, "getHost", |u| u.host.to_string())
}

fn get_hostname<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    url_part(args, "getHostname", |u| hostname(u.host).to_string())
}

fn get_port<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    url_part(args, "getPort", |u| port(u.host).to_string())
}

fn get_escaped_path<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    url_part(args, "getEscapedPath", |u| u.path.to_string())
}

fn get_query<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    let parsed = the_url(&args[0], "getQuery")?;
    let mut query: HashMap<String, Vec<Value>> = HashMap::new();
    for pair in parsed.query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        query
            .entry(key.to_string())
            .or_default()
            .push(string_value(value.to_string()));
    }
    let map = query
        .into_iter()
        .map(|(key, values)| (Key::String(Arc::new(key)), Value::List(Arc::new(values))))
        .collect();
    out(Value::Map(Map { map: Arc::new(map) }))
}

// Quantities.

fn the_quantity(value: &Value, function: &str) -> Result<Quantity, ExecutionError> {
    match value {
        Value::Int(n) => Ok(Quantity::count(*n)),
        other => {
            let given = text(other, function)?;
            Quantity::parse(given).ok_or_else(|| {
                error(
                    function,
                    format!("quantities must match the regular expression: {given:?}"),
                )
            })
        }
    }
}

fn quantity<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    out(string_value(
        the_quantity(&args[0], "quantity")?.to_string(),
    ))
}

fn is_quantity<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    out(Value::Bool(
        Quantity::parse(text(&args[0], "isQuantity")?).is_some(),
    ))
}

/// A whole quantity's value, when it has one that fits an int.
fn whole(quantity: &Quantity) -> Option<i64> {
    let milli = quantity.milli_value();
    (milli % 1000 == 0)
        .then(|| i64::try_from(milli / 1000).ok())
        .flatten()
}

fn is_integer<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    out(Value::Bool(
        whole(&the_quantity(&args[0], "isInteger")?).is_some(),
    ))
}

fn as_integer<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    let value = whole(&the_quantity(&args[0], "asInteger")?)
        .ok_or_else(|| error("asInteger", "cannot convert value to integer"))?;
    out(Value::Int(value))
}

fn as_approximate_float<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    out(Value::Float(
        the_quantity(&args[0], "asApproximateFloat")?.as_f64(),
    ))
}

fn sign<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let args = values(&args)?;
    let quantity = the_quantity(&args[0], "sign")?;
    out(Value::Int(quantity.milli_value().signum() as i64))
}

fn two_quantities(
    args: Vec<CowVal<'_, '_>>,
    function: &str,
) -> Result<(Quantity, Quantity), ExecutionError> {
    let args = values(&args)?;
    let first = the_quantity(&args[0], function)?;
    let second = the_quantity(args.get(1).unwrap_or(&Value::Null), function)?;
    Ok((first, second))
}

fn add<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (a, b) = two_quantities(args, "add")?;
    out(string_value(a.plus(b).to_string()))
}

fn sub<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (a, b) = two_quantities(args, "sub")?;
    out(string_value(a.minus(b).to_string()))
}

fn is_greater_than<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (a, b) = two_quantities(args, "isGreaterThan")?;
    out(Value::Bool(a > b))
}

fn is_less_than<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (a, b) = two_quantities(args, "isLessThan")?;
    out(Value::Bool(a < b))
}

fn compare_to<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let (a, b) = two_quantities(args, "compareTo")?;
    out(Value::Int(a.cmp(&b) as i64))
}
