use serde_json::json;

use super::*;

fn schema(value: Json) -> Schema {
    Schema::parse(&value).expect("schema parses")
}

/// A kind whose spec has replicas, a bounded list of names, and a rule
/// per level.
fn crontab(rules: Json) -> Schema {
    schema(json!({
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "x-kubernetes-validations": rules,
                "properties": {
                    "replicas": {"type": "integer"},
                    "minReplicas": {"type": "integer"},
                    "image": {"type": "string", "maxLength": 64},
                    "names": {"type": "array", "maxItems": 10, "items": {"type": "string", "maxLength": 20}},
                }
            }
        }
    }))
}

fn messages(violations: &[Violation]) -> Vec<String> {
    violations
        .iter()
        .map(|v| match v {
            Violation::Invalid { field, detail, .. } => format!("{field}: {detail}"),
            Violation::Forbidden { field, detail } => format!("{field}: forbidden: {detail}"),
            Violation::Required { field, detail } => format!("{field}: required: {detail}"),
            other => format!("{other:?}"),
        })
        .collect()
}

#[test]
fn rules_pass_and_fail_with_their_messages() {
    let schema = crontab(json!([
        {"rule": "self.minReplicas <= self.replicas", "message": "minReplicas cannot be larger than replicas"},
        {"rule": "self.image.startsWith('registry.local/')"},
        {"rule": "self.names.all(n, n.size() > 1)", "messageExpression": "'names too short: ' + self.names.filter(n, n.size() <= 1).join(', ')"},
    ]));
    let good = json!({"spec": {"replicas": 3, "minReplicas": 1, "image": "registry.local/app", "names": ["ab"]}});
    assert!(validate(&schema, &good, None).is_empty());
    let bad = json!({"spec": {"replicas": 1, "minReplicas": 3, "image": "docker.io/app", "names": ["a", "bc", "d"]}});
    assert_eq!(
        messages(&validate(&schema, &bad, None)),
        [
            "spec: minReplicas cannot be larger than replicas",
            "spec: failed rule: self.image.startsWith('registry.local/')",
            "spec: names too short: a, d",
        ]
    );
    // The object shown in an Invalid error is its type.
    match &validate(&schema, &bad, None)[0] {
        Violation::Invalid { value, .. } => assert_eq!(value, &json!("object")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn missing_fields_are_errors_unless_guarded() {
    let schema = crontab(json!([
        {"rule": "self.replicas > 0"},
        {"rule": "!has(self.minReplicas) || self.minReplicas > 0"},
    ]));
    assert_eq!(
        messages(&validate(
            &schema,
            &json!({"spec": {"minReplicas": 1}}),
            None
        )),
        ["spec: no such key: replicas evaluating rule: self.replicas > 0"]
    );
}

#[test]
fn transition_rules_see_the_old_value_on_update_only() {
    let schema = crontab(json!([
        {"rule": "self.replicas >= oldSelf.replicas", "message": "replicas may not decrease"},
    ]));
    let old = json!({"spec": {"replicas": 5}});
    assert!(validate(&schema, &json!({"spec": {"replicas": 1}}), None).is_empty());
    assert!(validate(&schema, &json!({"spec": {"replicas": 6}}), Some(&old)).is_empty());
    assert_eq!(
        messages(&validate(
            &schema,
            &json!({"spec": {"replicas": 4}}),
            Some(&old)
        )),
        ["spec: replicas may not decrease"]
    );
}

#[test]
fn optional_old_self_is_an_optional() {
    let schema = crontab(json!([
        {"rule": "oldSelf.hasValue() ? self.replicas >= oldSelf.value().replicas : self.replicas == 1", "optionalOldSelf": true},
    ]));
    assert!(validate(&schema, &json!({"spec": {"replicas": 1}}), None).is_empty());
    assert_eq!(
        validate(&schema, &json!({"spec": {"replicas": 2}}), None).len(),
        1
    );
    let old = json!({"spec": {"replicas": 2}});
    assert!(validate(&schema, &json!({"spec": {"replicas": 3}}), Some(&old)).is_empty());
}

#[test]
fn unchanged_values_keep_passing_rules_they_failed() {
    let schema = crontab(json!([{"rule": "self.replicas < 10"}]));
    let old = json!({"spec": {"replicas": 20}});
    assert!(validate(&schema, &old, Some(&old)).is_empty());
    assert_eq!(
        validate(&schema, &json!({"spec": {"replicas": 21}}), Some(&old)).len(),
        1
    );
}

#[test]
fn reasons_and_field_paths_shape_the_error() {
    let schema = crontab(json!([
        {"rule": "has(self.image)", "reason": "FieldValueRequired", "fieldPath": ".image", "message": "an image is required"},
        {"rule": "self.replicas < 100", "reason": "FieldValueForbidden", "message": "too many"},
    ]));
    assert_eq!(
        messages(&validate(
            &schema,
            &json!({"spec": {"replicas": 200}}),
            None
        )),
        [
            "spec.image: required: an image is required",
            "spec: forbidden: too many"
        ]
    );
}

#[test]
fn root_rules_see_the_name_and_not_the_rest_of_metadata() {
    let schema = schema(json!({
        "type": "object",
        "x-kubernetes-validations": [
            {"rule": "self.metadata.name.startsWith('app-')"},
            {"rule": "!has(self.metadata.labels)"},
        ],
        "properties": {"spec": {"type": "object"}}
    }));
    let object = json!({"apiVersion": "x/v1", "kind": "K", "metadata": {"name": "web", "labels": {"a": "b"}}});
    assert_eq!(
        messages(&validate(&schema, &object, None)),
        ["<nil>: failed rule: self.metadata.name.startsWith('app-')"]
    );
}

#[test]
fn map_list_items_correlate_by_key_for_transition_rules() {
    let schema = schema(json!({
        "type": "object",
        "properties": {
            "ports": {
                "type": "array", "maxItems": 8,
                "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                "items": {
                    "type": "object",
                    "x-kubernetes-validations": [{"rule": "self.port == oldSelf.port", "message": "port is immutable"}],
                    "properties": {"name": {"type": "string", "maxLength": 10}, "port": {"type": "integer"}}
                }
            }
        }
    }));
    let old = json!({"ports": [{"name": "a", "port": 1}, {"name": "b", "port": 2}]});
    let new = json!({"ports": [{"name": "b", "port": 3}, {"name": "c", "port": 9}, {"name": "a", "port": 1}]});
    assert_eq!(
        messages(&validate(&schema, &new, Some(&old))),
        ["ports[0]: port is immutable"]
    );
}

#[test]
fn kubernetes_library_functions() {
    let schema = crontab(json!([
        {"rule": "self.names.isSorted() && self.names.indexOf('b') == 1 && [1, 2, 3].sum() == 6"},
        {"rule": "self.image.find('[0-9]+') == '42' && sets.contains(self.names, ['a'])"},
        {"rule": "self.names.max() == 'c' && self.image.lowerAscii().split(':').size() == 2"},
        {"rule": "math.greatest(1, 2) == 2 && sets.intersects(self.names, ['c', 'd'])"},
    ]));
    assert!(
        check_schema(&schema).is_empty(),
        "{:?}",
        check_schema(&schema)
    );
    let object = json!({"spec": {"names": ["a", "b", "c"], "image": "App:42"}});
    assert_eq!(
        messages(&validate(&schema, &object, None)),
        Vec::<String>::new()
    );
}

fn problems(rules: Json) -> Vec<String> {
    check_schema(&crontab(rules))
        .into_iter()
        .map(|p| format!("{} {:?}: {}", p.field, p.kind, p.detail))
        .collect()
}

#[test]
fn definitions_with_broken_rules_are_refused() {
    let found = problems(json!([
        {"rule": "self.replicas >"},
        {"rule": "self.nope == 1"},
        {"rule": "self.replicas + 1"},
        {"rule": "frobnicate(self)"},
        {"rule": ""},
        {"rule": "self.replicas > 0", "reason": "Bogus"},
        {"rule": "self.replicas > 0", "optionalOldSelf": true},
        {"rule": "self.replicas > 0", "fieldPath": ".nope"},
        {"rule": "self.replicas > 0", "messageExpression": "self.replicas +"},
    ]));
    let expected_starts = [
        "properties[spec].x-kubernetes-validations[0].rule Invalid: compilation failed: ERROR: <input>:1:",
        "properties[spec].x-kubernetes-validations[1].rule Invalid: compilation failed: ERROR: <input>:1:5: undefined field 'nope'",
        "properties[spec].x-kubernetes-validations[2].rule Invalid: compilation failed: cel expression must evaluate to a bool",
        "properties[spec].x-kubernetes-validations[3].rule Invalid: compilation failed: ERROR: <input>:1:11: undeclared reference to 'frobnicate'",
        "properties[spec].x-kubernetes-validations[4].rule Required: rule is not specified",
        "properties[spec].x-kubernetes-validations[5].reason UnsupportedReason: Bogus",
        "properties[spec].x-kubernetes-validations[6].optionalOldSelf Invalid: may not be set if oldSelf is not used in rule",
        "properties[spec].x-kubernetes-validations[7].fieldPath Invalid: fieldPath must be a valid path",
        "properties[spec].x-kubernetes-validations[8].messageExpression Invalid: compilation failed: ERROR",
    ];
    assert_eq!(found.len(), expected_starts.len(), "{found:#?}");
    for (found, expected) in found.iter().zip(expected_starts) {
        assert!(
            found.starts_with(expected),
            "{found} does not start with {expected}"
        );
    }
}

#[test]
fn unbounded_loops_cost_too_much() {
    let unbounded = schema(json!({
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "x-kubernetes-validations": [
                    {"rule": "self.names.all(a, self.names.all(b, a == b || a != b))"},
                    {"rule": "self.names.all(a, a.size() < 100)"},
                ],
                "properties": {"names": {"type": "array", "items": {"type": "string"}}}
            }
        }
    }));
    let found = check_schema(&unbounded);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(
        found[0].field,
        "properties[spec].x-kubernetes-validations[0].rule"
    );
    assert_eq!(found[0].kind, ProblemKind::Forbidden);
    assert!(
        found[0]
            .detail
            .starts_with("estimated rule cost exceeds budget by factor of more than 100x"),
        "{}",
        found[0].detail
    );
    assert_eq!(found[1].field, "");
    // Work on each key of a bounded map is within budget, however long a
    // key may be (as Gateway API's label rules are upstream).
    let labels = schema(json!({
        "type": "object",
        "properties": {
            "labels": {
                "type": "object", "maxProperties": 16,
                "additionalProperties": {"type": "string", "maxLength": 63},
                "x-kubernetes-validations": [
                    {"rule": "self.all(key, key.matches(r\"\"\"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$\"\"\"))"},
                    {"rule": "self.all(key, key.split('/')[0].size() < 253)"},
                ]
            }
        }
    }));
    assert!(
        check_schema(&labels).is_empty(),
        "{:?}",
        check_schema(&labels)
    );
    let object = json!({"labels": {"example.com/tier": "web", "Bad Key": "x"}});
    assert_eq!(validate(&labels, &object, None).len(), 1);
    // Bounded, the same rule is cheap enough.
    assert!(
        problems(json!([{"rule": "self.names.all(a, self.names.all(b, a == b || a != b))"}]))
            .is_empty()
    );
}

#[test]
fn old_self_is_refused_where_nothing_corresponds() {
    let set = schema(json!({
        "type": "object",
        "properties": {
            "tags": {
                "type": "array", "maxItems": 4, "x-kubernetes-list-type": "set",
                "items": {"type": "string", "maxLength": 8, "x-kubernetes-validations": [{"rule": "self == oldSelf"}]}
            }
        }
    }));
    let found = check_schema(&set);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].detail.contains("oldSelf cannot be used on the uncorrelatable portion of the schema within properties[tags].items"));
}

#[test]
fn hostile_expressions_are_refused_without_harm() {
    for source in [
        "(".repeat(5000) + "1" + &")".repeat(5000),
        "1".to_string() + &"+1".repeat(100_000),
        "self".to_string() + &".a".repeat(100_000),
        "[".repeat(3000) + &"]".repeat(3000),
        "!".repeat(100_000) + "true",
    ] {
        let rule = Rule::parse(&json!({"rule": source}));
        assert!(rule.program.is_err(), "{}", &rule.rule[..20]);
    }
    // Deep but allowed nesting compiles and runs.
    let deep = crontab(json!([
        {"rule": "(".repeat(60) + "self.replicas > 0" + &")".repeat(60)},
        {"rule": "self.replicas".to_string() + &" + 1".repeat(240) + " > 0"},
    ]));
    assert!(check_schema(&deep).is_empty(), "{:?}", check_schema(&deep));
    assert!(validate(&deep, &json!({"spec": {"replicas": 1}}), None).is_empty());
}

#[test]
fn ip_cidr_url_and_quantity_libraries() {
    let schema = schema(json!({
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "x-kubernetes-validations": [
                    {"rule": "isIP(self.address) && ip(self.address).family() == 4 && !ip(self.address).isLoopback()"},
                    {"rule": "cidr(self.network).containsIP(self.address) && cidr(self.network).prefixLength() == 8"},
                    {"rule": "cidr('10.1.2.3/8').masked() == cidr('10.0.0.0/8') && ip.isCanonical('10.1.2.3')"},
                    {"rule": "isURL(self.endpoint) && url(self.endpoint).getHostname() == 'example.com' && url(self.endpoint).getPort() == '8443'"},
                    {"rule": "url(self.endpoint).getScheme() == 'https' && url(self.endpoint).getQuery()['a'] == ['1']"},
                    {"rule": "quantity(self.memory).isLessThan(quantity('2Gi')) && quantity(self.memory) == quantity('1024Mi')"},
                    {"rule": "quantity(self.memory).add(quantity('1Gi')).compareTo(quantity('2Gi')) == 0 && isQuantity('1.5') && !isQuantity('1.5x')"},
                    {"rule": "!isIP('::ffff:1.2.3.4') && !isCIDR('10.0.0.0/33') && isCIDR('fd00::/64')"},
                ],
                "properties": {
                    "address": {"type": "string", "maxLength": 64},
                    "network": {"type": "string", "maxLength": 64},
                    "endpoint": {"type": "string", "maxLength": 256},
                    "memory": {"type": "string", "maxLength": 16},
                }
            }
        }
    }));
    assert!(
        check_schema(&schema).is_empty(),
        "{:?}",
        check_schema(&schema)
    );
    let good = json!({"spec": {"address": "10.1.2.3", "network": "10.0.0.0/8",
        "endpoint": "https://example.com:8443/hook?a=1", "memory": "1Gi"}});
    assert_eq!(
        messages(&validate(&schema, &good, None)),
        Vec::<String>::new()
    );
    let bad = json!({"spec": {"address": "127.0.0.1", "network": "192.168.0.0/16",
        "endpoint": "https://example.com:8443/hook?a=1", "memory": "1Gi"}});
    assert_eq!(validate(&schema, &bad, None).len(), 2);
    let garbage = json!({"spec": {"address": "not an ip", "network": "10.0.0.0/8",
        "endpoint": "https://example.com:8443/hook?a=1", "memory": "1Gi"}});
    let found = messages(&validate(&schema, &garbage, None));
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[1].contains("evaluating rule"), "{found:?}");
}

/// A list of up to `items` objects, each with up to `tags` short tags and
/// the rules given.
fn tagged(items: u64, tags: u64, rules: Json) -> Schema {
    schema(json!({
        "type": "object",
        "properties": {
            "items": {
                "type": "array", "maxItems": items,
                "items": {
                    "type": "object",
                    "x-kubernetes-validations": rules,
                    "properties": {"tags": {"type": "array", "maxItems": tags, "items": {"type": "string", "maxLength": 8}}}
                }
            }
        }
    }))
}

fn objects_with_tags(items: usize, tags: usize) -> Json {
    let tags: Vec<String> = (0..tags).map(|i| format!("t{i}")).collect();
    json!({"items": vec![json!({"tags": tags}); items]})
}

#[test]
fn rules_are_metered_on_the_values_at_hand() {
    // Allowed by the definition's bound, but one call on a large list costs
    // more than a call may.
    let quadratic = tagged(
        1,
        1000,
        json!([{"rule": "self.tags.all(a, self.tags.exists(b, a == b))"}]),
    );
    assert!(
        check_schema(&quadratic).is_empty(),
        "{:?}",
        check_schema(&quadratic)
    );
    assert!(validate(&quadratic, &objects_with_tags(1, 50), None).is_empty());
    let found = messages(&validate(&quadratic, &objects_with_tags(1, 1000), None));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("no further validation rules will be run due to call cost exceeds limit for rule: self.tags.all"),
        "{found:?}"
    );
    // Every call within its limit, but all of them together past the
    // object's budget: the rest are not run.
    let rules = json!([
        {"rule": "self.tags.all(a, self.tags.exists(b, a == b))"},
        {"rule": "self.tags.all(a, self.tags.exists_one(b, a == b))"},
    ]);
    let many = tagged(50, 140, rules);
    assert!(check_schema(&many).is_empty(), "{:?}", check_schema(&many));
    assert!(validate(&many, &objects_with_tags(50, 20), None).is_empty());
    let found = messages(&validate(&many, &objects_with_tags(50, 140), None));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].ends_with("validation failed due to running out of cost budget, no further validation rules will be run"),
        "{found:?}"
    );
}

#[test]
fn expressions_over_plain_values() {
    let condition = Expression::compile(
        "object.metadata.name.startsWith('web') && request.operation == 'CREATE'",
    )
    .unwrap();
    let object = json!({"metadata": {"name": "web-1"}});
    let request = json!({"operation": "CREATE"});
    assert_eq!(
        condition.evaluate(&[("object", &object), ("request", &request)]),
        Ok(json!(true))
    );
    let other = json!({"metadata": {"name": "db"}});
    assert_eq!(
        condition.evaluate(&[("object", &other), ("request", &request)]),
        Ok(json!(false))
    );
    assert!(
        Expression::compile("object.metadata.name ==")
            .unwrap_err()
            .starts_with("compilation failed: ERROR: <input>:1:")
    );
    let missing = Expression::compile("object.spec.replicas > 1").unwrap();
    assert_eq!(
        missing.evaluate(&[("object", &object)]),
        Err("no such key: spec".into())
    );
    // Metered on the values at hand.
    let big: Vec<i64> = (0..2000).collect();
    let list = json!({"items": big});
    let quadratic =
        Expression::compile("object.items.all(a, object.items.exists(b, a == b))").unwrap();
    assert_eq!(
        quadratic.evaluate(&[("object", &list)]),
        Err("operation cancelled: actual cost limit exceeded".into())
    );
}
