//! ClusterIPs and NodePorts as the API server hands them out, with the
//! real kubectl: allocated from the ranges, held by IPAddress objects and
//! the node port bitmap, refused twice, released with the Service or its
//! type, kept across updates that leave them out and across a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use testkit::TestCluster;

fn cluster_ip(service: &Value) -> String {
    service["spec"]["clusterIP"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn in_default_range(ip: &str) -> bool {
    ip.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| {
        u32::from(ip) >> 20 == u32::from(std::net::Ipv4Addr::new(10, 96, 0, 0)) >> 20
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn services_get_cluster_ips_and_node_ports_and_give_them_back() {
    let cluster = TestCluster::start().await;
    // The kubernetes Service's address is held too.
    let held = cluster
        .kubectl(&["get", "ipaddress", "10.96.0.1", "-o", "json"])
        .await
        .json();
    assert_eq!(held["spec"]["parentRef"]["name"], "kubernetes");

    let web = cluster
        .kubectl(&[
            "create",
            "service",
            "clusterip",
            "web",
            "--tcp=80:8080",
            "-o",
            "json",
        ])
        .await
        .json();
    let ip = cluster_ip(&web);
    assert!(in_default_range(&ip) && ip != "10.96.0.1", "{ip}");
    assert_eq!(web["spec"]["clusterIPs"][0], ip.as_str());
    assert_eq!(web["spec"]["ipFamilies"][0], "IPv4");
    assert_eq!(web["spec"]["ipFamilyPolicy"], "SingleStack");
    let record = cluster
        .kubectl(&["get", "ipaddress", &ip, "-o", "json"])
        .await
        .json();
    assert_eq!(record["spec"]["parentRef"]["resource"], "services");
    assert_eq!(record["spec"]["parentRef"]["namespace"], "default");
    assert_eq!(record["spec"]["parentRef"]["name"], "web");
    let printed = cluster.kubectl(&["get", "ipaddress", &ip]).await.ok();
    assert!(
        printed.contains("PARENTREF") && printed.contains("services/default/web"),
        "{printed}"
    );
    let table = cluster.kubectl(&["get", "svc", "web"]).await.ok();
    assert!(table.contains(&ip), "{table}");

    // Asking for an address: granted once, then refused; out of range refused.
    let fixed = |name: &str, ip: &str| {
        format!(
            "apiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\n\
             spec: {{clusterIP: \"{ip}\", ports: [{{port: 53, protocol: UDP}}]}}\n"
        )
    };
    cluster
        .apply("dns.yaml", &fixed("dns", "10.96.0.10"))
        .await
        .ok();
    let twice = cluster
        .apply("dns2.yaml", &fixed("dns2", "10.96.0.10"))
        .await
        .err();
    assert!(
        twice.contains("failed to allocate IP 10.96.0.10: provided IP is already allocated"),
        "{twice}"
    );
    let outside = cluster
        .apply("far.yaml", &fixed("far", "192.168.0.10"))
        .await
        .err();
    assert!(
        outside.contains("the provided IP (192.168.0.10) is not in the valid range. The range of valid IPs is 10.96.0.0/12"),
        "{outside}"
    );

    // A replace that leaves the address out keeps it.
    cluster
        .apply(
            "web.yaml",
            "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80, targetPort: 8081}]}\n",
        )
        .await
        .ok();
    let file = cluster.data_dir().join("web.yaml");
    cluster
        .kubectl(&["replace", "-f", &file.to_string_lossy()])
        .await
        .ok();
    let replaced = cluster
        .kubectl(&["get", "svc", "web", "-o", "json"])
        .await
        .json();
    assert_eq!(cluster_ip(&replaced), ip);
    assert_eq!(replaced["spec"]["ports"][0]["targetPort"], 8081);

    // Headless Services hold no address.
    let headless = cluster
        .kubectl(&[
            "create",
            "service",
            "clusterip",
            "db",
            "--clusterip=None",
            "-o",
            "json",
        ])
        .await
        .json();
    assert_eq!(cluster_ip(&headless), "None");

    // NodePorts.
    let node_port = cluster
        .kubectl(&[
            "create",
            "service",
            "nodeport",
            "np",
            "--tcp=80:80",
            "-o",
            "json",
        ])
        .await
        .json();
    let port = node_port["spec"]["ports"][0]["nodePort"]
        .as_u64()
        .unwrap_or(0);
    assert!((30000..=32767).contains(&port), "{port}");
    let taken = cluster
        .kubectl(&[
            "create",
            "service",
            "nodeport",
            "np2",
            "--tcp=81:81",
            &format!("--node-port={port}"),
        ])
        .await
        .err();
    assert!(
        taken.contains(&format!(
            "spec.ports[0].nodePort: Invalid value: {port}: provided port is already allocated"
        )),
        "{taken}"
    );
    let outside = cluster
        .kubectl(&[
            "create",
            "service",
            "nodeport",
            "np3",
            "--tcp=82:82",
            "--node-port=8080",
        ])
        .await
        .err();
    assert!(
        outside.contains(
            "provided port is not in the valid range. The range of valid ports is 30000-32767"
        ),
        "{outside}"
    );
    // Back to ClusterIP: the node port goes, and is free for another.
    cluster
        .kubectl(&[
            "patch",
            "svc",
            "np",
            "--type=merge",
            "-p",
            r#"{"spec": {"type": "ClusterIP"}}"#,
        ])
        .await
        .ok();
    let patched = cluster
        .kubectl(&["get", "svc", "np", "-o", "json"])
        .await
        .json();
    assert!(
        patched["spec"]["ports"][0].get("nodePort").is_none(),
        "{patched}"
    );
    cluster
        .kubectl(&[
            "create",
            "service",
            "nodeport",
            "np2",
            "--tcp=81:81",
            &format!("--node-port={port}"),
        ])
        .await
        .ok();

    // Deleting a Service frees its address.
    cluster.kubectl(&["delete", "svc", "dns"]).await.ok();
    let gone = cluster.kubectl(&["get", "ipaddress", "10.96.0.10"]).await;
    assert!(!gone.success, "{}", gone.stdout);
    cluster
        .apply("dns2.yaml", &fixed("dns2", "10.96.0.10"))
        .await
        .ok();

    // A restart keeps every allocation.
    let cluster = cluster.restart().await;
    let again = cluster
        .apply("dns3.yaml", &fixed("dns3", "10.96.0.10"))
        .await
        .err();
    assert!(
        again.contains("provided IP is already allocated"),
        "{again}"
    );
    let np3 = cluster
        .kubectl(&[
            "create",
            "service",
            "nodeport",
            "np3",
            "--tcp=83:83",
            &format!("--node-port={port}"),
        ])
        .await
        .err();
    assert!(np3.contains("provided port is already allocated"), "{np3}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_exhausted_range_is_a_clear_error() {
    // 10.0.0.0/29: six addresses, the first the kubernetes Service's.
    let cluster =
        TestCluster::start_with(|config| config.service_cluster_ip_range = "10.0.0.0/29".into())
            .await;
    let mut ips = Vec::new();
    for i in 0..5 {
        let service = cluster
            .kubectl(&[
                "create",
                "service",
                "clusterip",
                &format!("s{i}"),
                "--tcp=80",
                "-o",
                "json",
            ])
            .await
            .json();
        ips.push(cluster_ip(&service));
    }
    ips.sort();
    assert_eq!(
        ips,
        ["10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"]
    );
    let full = cluster
        .kubectl(&["create", "service", "clusterip", "s5", "--tcp=80"])
        .await
        .err();
    assert!(
        full.contains("failed to allocate a serviceIP: range is full"),
        "{full}"
    );
    // One freed is one to take.
    cluster.kubectl(&["delete", "svc", "s2"]).await.ok();
    cluster
        .kubectl(&["create", "service", "clusterip", "s5", "--tcp=80"])
        .await
        .ok();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_health_check_port_outside_the_range_is_refused() {
    let cluster = TestCluster::start().await;
    let refused = cluster
        .apply(
            "lb.yaml",
            "apiVersion: v1\nkind: Service\nmetadata: {name: lb}\n\
             spec: {type: LoadBalancer, externalTrafficPolicy: Local, healthCheckNodePort: 80, ports: [{port: 80}]}\n",
        )
        .await
        .err();
    assert!(
        refused.contains(
            "spec.healthCheckNodePort: Invalid value: 80: provided port is not in the valid range"
        ),
        "{refused}"
    );
    let lb = cluster
        .apply(
            "lb2.yaml",
            "apiVersion: v1\nkind: Service\nmetadata: {name: lb2}\n\
             spec: {type: LoadBalancer, externalTrafficPolicy: Local, ports: [{port: 80}]}\n",
        )
        .await;
    assert!(lb.success, "{}", lb.stderr);
    let lb2 = cluster
        .kubectl(&["get", "svc", "lb2", "-o", "json"])
        .await
        .json();
    let health = lb2["spec"]["healthCheckNodePort"].as_u64().unwrap_or(0);
    assert!((30000..=32767).contains(&health), "{lb2}");
    assert_ne!(Some(health), lb2["spec"]["ports"][0]["nodePort"].as_u64());
}
