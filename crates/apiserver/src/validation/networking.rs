//! networking.k8s.io/v1 (Ingress, IngressClass, NetworkPolicy) and
//! discovery.k8s.io/v1 EndpointSlices.

use serde_json::Value;

use super::pod::port_name;
use super::{array_at, immutable, int_at, label_selector, one_of, port_number, str_at};
use crate::error::Cause;

const PROTOCOLS: &[&str] = &["SCTP", "TCP", "UDP"];

/// A host name as an Ingress rule or TLS entry names it: a DNS subdomain,
/// optionally with a leading `*.`, never an IP address.
fn ingress_host(host: &str, path: &str, causes: &mut Vec<Cause>) {
    if host.parse::<std::net::IpAddr>().is_ok() {
        causes.push(Cause::invalid(
            path,
            host,
            "must be a DNS name, not an IP address",
        ));
        return;
    }
    let name = host.strip_prefix("*.").unwrap_or(host);
    if let Err(detail) = api::meta::validate_dns_subdomain(name) {
        let detail = if host.starts_with('*') {
            "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')".to_string()
        } else {
            detail
        };
        causes.push(Cause::invalid(path, host, &detail));
    }
}

fn ingress_backend(backend: &Value, path: &str, causes: &mut Vec<Cause>) {
    let service = backend.get("service").filter(|s| !s.is_null());
    let resource = backend.get("resource").filter(|r| !r.is_null());
    match (service, resource) {
        (Some(_), Some(_)) => causes.push(Cause::invalid(
            path,
            "",
            "cannot set both resource and service backends",
        )),
        (None, None) => causes.push(Cause::invalid(
            path,
            "",
            "must specify a resource or service",
        )),
        (None, Some(resource)) => {
            if str_at(resource, "kind").is_none_or(str::is_empty) {
                causes.push(Cause::required(format!("{path}.resource.kind"), ""));
            }
            if str_at(resource, "name").is_none_or(str::is_empty) {
                causes.push(Cause::required(format!("{path}.resource.name"), ""));
            }
        }
        (Some(service), None) => {
            match str_at(service, "name").filter(|n| !n.is_empty()) {
                None => causes.push(Cause::required(format!("{path}.service.name"), "")),
                Some(name) => {
                    if let Err(detail) = api::meta::validate_dns_label(name) {
                        causes.push(Cause::invalid(
                            format!("{path}.service.name"),
                            name,
                            &detail,
                        ));
                    }
                }
            }
            let port = service.get("port").unwrap_or(&Value::Null);
            let name = str_at(port, "name").filter(|n| !n.is_empty());
            let number = int_at(port, "number").filter(|n| *n != 0);
            let at = format!("{path}.service.port");
            match (name, number) {
                (Some(_), Some(_)) => causes.push(Cause::invalid(
                    at,
                    "",
                    "cannot set both port name & port number",
                )),
                (None, None) => causes.push(Cause::required(at, "port name or number is required")),
                (Some(name), None) => {
                    if let Err(detail) = port_name(name) {
                        causes.push(Cause::invalid(format!("{at}.name"), name, &detail));
                    }
                }
                (None, Some(_)) => port_number(port, "number", &format!("{at}.number"), causes),
            }
        }
    }
}

pub fn ingress(object: &Value, causes: &mut Vec<Cause>) {
    let spec = object.get("spec").unwrap_or(&Value::Null);
    let rules = array_at(spec, "rules");
    let default_backend = spec.get("defaultBackend").filter(|b| !b.is_null());
    if rules.is_empty() && default_backend.is_none() {
        causes.push(Cause {
            reason: "FieldValueInvalid",
            field: "spec".into(),
            message: "Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified".into(),
        });
    }
    if let Some(backend) = default_backend {
        ingress_backend(backend, "spec.defaultBackend", causes);
    }
    if let Some(class) = str_at(spec, "ingressClassName")
        && let Err(detail) = api::meta::validate_dns_subdomain(class)
    {
        causes.push(Cause::invalid("spec.ingressClassName", class, &detail));
    }
    for (i, rule) in rules.iter().enumerate() {
        let path = format!("spec.rules[{i}]");
        if let Some(host) = str_at(rule, "host").filter(|h| !h.is_empty()) {
            ingress_host(host, &format!("{path}.host"), causes);
        }
        let Some(http) = rule.get("http").filter(|h| !h.is_null()) else {
            continue;
        };
        let paths = array_at(http, "paths");
        if paths.is_empty() {
            causes.push(Cause::required(format!("{path}.http.paths"), ""));
        }
        for (j, entry) in paths.iter().enumerate() {
            let at = format!("{path}.http.paths[{j}]");
            let text = str_at(entry, "path").unwrap_or_default();
            match str_at(entry, "pathType") {
                None | Some("") => causes.push(Cause::required(
                    format!("{at}.pathType"),
                    "pathType must be specified",
                )),
                Some("Exact" | "Prefix") => {
                    if !text.starts_with('/') {
                        causes.push(Cause::invalid(
                            format!("{at}.path"),
                            text,
                            "must be an absolute path",
                        ));
                    } else if text.contains("//") {
                        causes.push(Cause::invalid(
                            format!("{at}.path"),
                            text,
                            "must not contain '//'",
                        ));
                    }
                }
                Some("ImplementationSpecific") => {
                    if !text.is_empty() && !text.starts_with('/') {
                        causes.push(Cause::invalid(
                            format!("{at}.path"),
                            text,
                            "must be an absolute path",
                        ));
                    }
                }
                Some(other) => causes.push(Cause::not_supported(
                    format!("{at}.pathType"),
                    other,
                    &["Exact", "ImplementationSpecific", "Prefix"],
                )),
            }
            ingress_backend(
                entry.get("backend").unwrap_or(&Value::Null),
                &format!("{at}.backend"),
                causes,
            );
        }
    }
    for (i, tls) in array_at(spec, "tls").iter().enumerate() {
        for (j, host) in array_at(tls, "hosts").iter().enumerate() {
            if let Some(host) = host.as_str() {
                ingress_host(host, &format!("spec.tls[{i}].hosts[{j}]"), causes);
            }
        }
    }
}

pub fn ingress_class(object: &Value, old: Option<&Value>, causes: &mut Vec<Cause>) {
    let spec = object.get("spec").unwrap_or(&Value::Null);
    match str_at(spec, "controller").filter(|c| !c.is_empty()) {
        None => causes.push(Cause::required("spec.controller", "")),
        Some(controller) => {
            let valid = controller.split_once('/').is_some_and(|(domain, path)| {
                api::meta::validate_dns_subdomain(domain).is_ok() && !path.is_empty()
            });
            if controller.len() > 250 {
                causes.push(Cause::too_long("spec.controller", 250));
            } else if !valid {
                causes.push(Cause::invalid(
                    "spec.controller",
                    controller,
                    "must be a domain-prefixed path (such as \"acme.io/foo\")",
                ));
            }
        }
    }
    if let Some(old) = old {
        immutable(object, old, "/spec/controller", "spec.controller", causes);
    }
}

pub fn network_policy(object: &Value, causes: &mut Vec<Cause>) {
    let spec = object.get("spec").unwrap_or(&Value::Null);
    label_selector(spec.get("podSelector"), "spec.podSelector", causes);
    let types = array_at(spec, "policyTypes");
    if types.len() > 2 {
        causes.push(Cause::invalid_value(
            "spec.policyTypes",
            spec.get("policyTypes").unwrap_or(&Value::Null),
            "may not specify more than two policyTypes",
        ));
    }
    for (i, kind) in types.iter().enumerate() {
        let kind = kind.as_str().unwrap_or_default();
        if kind != "Ingress" && kind != "Egress" {
            causes.push(Cause::not_supported(
                format!("spec.policyTypes[{i}]"),
                kind,
                &["Ingress", "Egress"],
            ));
        }
    }
    for (direction, peers) in [("ingress", "from"), ("egress", "to")] {
        for (i, rule) in array_at(spec, direction).iter().enumerate() {
            let path = format!("spec.{direction}[{i}]");
            for (j, port) in array_at(rule, "ports").iter().enumerate() {
                let at = format!("{path}.ports[{j}]");
                one_of(
                    port,
                    "protocol",
                    &format!("{at}.protocol"),
                    PROTOCOLS,
                    causes,
                );
                if let (Some(start), Some(end)) = (int_at(port, "port"), int_at(port, "endPort"))
                    && end < start
                {
                    causes.push(Cause::invalid_value(
                        format!("{at}.endPort"),
                        &Value::from(end),
                        "must be greater than or equal to `port`",
                    ));
                }
            }
            for (j, peer) in array_at(rule, peers).iter().enumerate() {
                let at = format!("{path}.{peers}[{j}]");
                label_selector(
                    peer.get("podSelector"),
                    &format!("{at}.podSelector"),
                    causes,
                );
                label_selector(
                    peer.get("namespaceSelector"),
                    &format!("{at}.namespaceSelector"),
                    causes,
                );
                if let Some(block) = peer.get("ipBlock").filter(|b| !b.is_null()) {
                    let cidr = str_at(block, "cidr").unwrap_or_default();
                    if cidr.is_empty() {
                        causes.push(Cause::required(format!("{at}.ipBlock.cidr"), ""));
                    } else if !is_cidr(cidr) {
                        causes.push(Cause::invalid(
                            format!("{at}.ipBlock.cidr"),
                            cidr,
                            "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
                        ));
                    }
                    for (k, except) in array_at(block, "except").iter().enumerate() {
                        let except = except.as_str().unwrap_or_default();
                        if !is_cidr(except) {
                            causes.push(Cause::invalid(
                                format!("{at}.ipBlock.except[{k}]"),
                                except,
                                "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
                            ));
                        }
                    }
                }
            }
        }
    }
}

fn is_cidr(text: &str) -> bool {
    let Some((ip, bits)) = text.split_once('/') else {
        return false;
    };
    match (ip.parse::<std::net::IpAddr>(), bits.parse::<u8>()) {
        (Ok(std::net::IpAddr::V4(_)), Ok(bits)) => bits <= 32,
        (Ok(std::net::IpAddr::V6(_)), Ok(bits)) => bits <= 128,
        _ => false,
    }
}

pub fn endpoint_slice(object: &Value, old: Option<&Value>, causes: &mut Vec<Cause>) {
    let types = ["FQDN", "IPv4", "IPv6"];
    let address_type = str_at(object, "addressType").unwrap_or_default();
    if address_type.is_empty() {
        causes.push(Cause::required("addressType", ""));
    } else if !types.contains(&address_type) {
        causes.push(Cause::not_supported("addressType", address_type, &types));
    }
    let endpoints = array_at(object, "endpoints");
    if endpoints.len() > 1000 {
        causes.push(Cause::too_many("endpoints", endpoints.len(), 1000));
    }
    for (i, endpoint) in endpoints.iter().enumerate() {
        let path = format!("endpoints[{i}].addresses");
        let addresses = array_at(endpoint, "addresses");
        if addresses.is_empty() {
            causes.push(Cause::required(
                path.clone(),
                "must contain at least 1 address",
            ));
        } else if addresses.len() > 100 {
            causes.push(Cause::too_many(path.clone(), addresses.len(), 100));
        }
        for (j, address) in addresses.iter().enumerate() {
            let address = address.as_str().unwrap_or_default();
            let valid = match address_type {
                "IPv4" => address.parse::<std::net::Ipv4Addr>().is_ok(),
                "IPv6" => address.parse::<std::net::Ipv6Addr>().is_ok(),
                "FQDN" => api::meta::validate_dns_subdomain(address).is_ok(),
                _ => true,
            };
            if !valid {
                let detail = match address_type {
                    "IPv4" => "must be a valid IPv4 address",
                    "IPv6" => "must be a valid IPv6 address",
                    _ => "must be a valid DNS subdomain",
                };
                causes.push(Cause::invalid(format!("{path}[{j}]"), address, detail));
            }
        }
    }
    let ports = array_at(object, "ports");
    if ports.len() > 100 {
        causes.push(Cause::too_many("ports", ports.len(), 100));
    }
    for (i, port) in ports.iter().enumerate() {
        let path = format!("ports[{i}]");
        if let Some(name) = str_at(port, "name").filter(|n| !n.is_empty())
            && let Err(detail) = api::meta::validate_dns_label(name)
        {
            causes.push(Cause::invalid(format!("{path}.name"), name, &detail));
        }
        port_number(port, "port", &format!("{path}.port"), causes);
        one_of(
            port,
            "protocol",
            &format!("{path}.protocol"),
            PROTOCOLS,
            causes,
        );
    }
    if let Some(old) = old {
        immutable(object, old, "/addressType", "addressType", causes);
    }
}
