//! Custom resources: CustomResourceDefinitions add kinds while the server
//! runs, served and printed like built-in ones, and deleted with their
//! objects.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::TestCluster;

/// ArgoCD's Application definition (argoproj.io), as its install manifest
/// declares it, with the schema cut to the fields the test writes.
const APPLICATION_CRD: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: applications.argoproj.io
  labels:
    app.kubernetes.io/name: applications.argoproj.io
    app.kubernetes.io/part-of: argocd
spec:
  group: argoproj.io
  names:
    kind: Application
    listKind: ApplicationList
    plural: applications
    shortNames:
    - app
    - apps
    singular: application
  scope: Namespaced
  versions:
  - additionalPrinterColumns:
    - jsonPath: .status.sync.status
      name: Sync Status
      type: string
    - jsonPath: .status.health.status
      name: Health Status
      type: string
    - jsonPath: .status.sync.revision
      name: Revision
      priority: 10
      type: string
    - jsonPath: .spec.project
      name: Project
      priority: 10
      type: string
    name: v1alpha1
    schema:
      openAPIV3Schema:
        type: object
        required:
        - metadata
        - spec
        properties:
          apiVersion:
            type: string
          kind:
            type: string
          metadata:
            type: object
          operation:
            type: object
            x-kubernetes-preserve-unknown-fields: true
          spec:
            type: object
            required:
            - destination
            - project
            properties:
              destination:
                type: object
                properties:
                  name:
                    type: string
                  namespace:
                    type: string
                  server:
                    type: string
              project:
                type: string
              source:
                type: object
                x-kubernetes-preserve-unknown-fields: true
              syncPolicy:
                type: object
                x-kubernetes-preserve-unknown-fields: true
          status:
            type: object
            x-kubernetes-preserve-unknown-fields: true
    served: true
    storage: true
    subresources: {}
"#;

const APPLICATIONS: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: hashfoundry-react
  namespace: argocd
spec:
  project: default
  destination:
    server: https://kubernetes.default.svc
    namespace: hashfoundry-react-dev
  source:
    path: ha/k8s/apps/hashfoundry-react
  syncPolicy:
    automated: {}
status:
  sync:
    status: Synced
    revision: 5f3c2e1
  health:
    status: Healthy
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: nginx-ingress
  namespace: argocd
spec:
  project: default
  destination:
    server: https://kubernetes.default.svc
    namespace: ingress-nginx
  syncPolicy:
    syncOptions:
    - CreateNamespace=true
"#;

/// Waits until the definition `name` is Established.
async fn established(cluster: &TestCluster, name: &str) {
    cluster
        .kubectl(&[
            "wait",
            "--for=condition=Established",
            &format!("crd/{name}"),
            "--timeout=30s",
        ])
        .await
        .ok();
}

/// An object's conditions as `type=status:reason:message;` each.
fn conditions(object: &serde_json::Value) -> String {
    object["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let field = |name: &str| c[name].as_str().unwrap_or_default().to_string();
            format!(
                "{}={}:{}:{};",
                field("type"),
                field("status"),
                field("reason"),
                field("message")
            )
        })
        .collect()
}

/// The words of each line of kubectl's table output.
fn rows(output: &str) -> Vec<Vec<String>> {
    output
        .lines()
        .map(|line| {
            line.split("  ")
                .map(str::trim)
                .filter(|cell| !cell.is_empty())
                .map(str::to_string)
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn argocd_applications_are_served_printed_and_deleted_with_their_definition() {
    let cluster = TestCluster::start().await;
    let created = cluster
        .apply("application-crd.yaml", APPLICATION_CRD)
        .await
        .ok();
    assert_eq!(
        created.trim(),
        "customresourcedefinition.apiextensions.k8s.io/applications.argoproj.io created"
    );
    established(&cluster, "applications.argoproj.io").await;
    let definition = cluster
        .kubectl(&["get", "crd", "applications.argoproj.io", "-o", "json"])
        .await
        .json();
    let status = &definition["status"];
    assert_eq!(status["storedVersions"], serde_json::json!(["v1alpha1"]));
    assert_eq!(
        status["acceptedNames"]["shortNames"],
        serde_json::json!(["app", "apps"])
    );
    let reasons: Vec<(&str, &str, &str)> = status["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["type"].as_str().unwrap(),
                c["status"].as_str().unwrap(),
                c["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        [
            ("NamesAccepted", "True", "NoConflicts"),
            ("Established", "True", "InitialNamesAccepted")
        ]
    );
    let resources = cluster
        .kubectl(&["api-resources", "--api-group=argoproj.io", "--no-headers"])
        .await
        .ok();
    assert_eq!(
        rows(&resources),
        [[
            "applications",
            "app,apps",
            "argoproj.io/v1alpha1",
            "true",
            "Application"
        ]]
    );

    cluster
        .kubectl(&["create", "namespace", "argocd"])
        .await
        .ok();
    let created = cluster.apply("applications.yaml", APPLICATIONS).await.ok();
    assert_eq!(
        created.trim(),
        "application.argoproj.io/hashfoundry-react created\napplication.argoproj.io/nginx-ingress created"
    );
    let listed = cluster
        .kubectl(&["get", "applications", "-n", "argocd"])
        .await
        .ok();
    assert_eq!(
        rows(&listed),
        [
            vec!["NAME", "SYNC STATUS", "HEALTH STATUS"],
            vec!["hashfoundry-react", "Synced", "Healthy"],
            vec!["nginx-ingress"],
        ],
        "{listed}"
    );
    let wide = cluster
        .kubectl(&["get", "app", "-n", "argocd", "-o", "wide"])
        .await
        .ok();
    assert_eq!(
        rows(&wide)[..2],
        [
            vec![
                "NAME",
                "SYNC STATUS",
                "HEALTH STATUS",
                "REVISION",
                "PROJECT"
            ],
            vec![
                "hashfoundry-react",
                "Synced",
                "Healthy",
                "5f3c2e1",
                "default"
            ],
        ],
        "{wide}"
    );
    let project = cluster
        .kubectl(&[
            "get",
            "application",
            "nginx-ingress",
            "-n",
            "argocd",
            "-o",
            "jsonpath={.spec.project} {.metadata.generation}",
        ])
        .await
        .ok();
    assert_eq!(project, "default 1");
    // A change of spec is a new generation; the stored object is at the
    // path kube-apiserver would use.
    cluster
        .kubectl(&[
            "patch",
            "application",
            "nginx-ingress",
            "-n",
            "argocd",
            "--type=merge",
            "-p",
            r#"{"spec":{"project":"infra"}}"#,
        ])
        .await
        .ok();
    let patched = cluster
        .kubectl(&["get", "app", "nginx-ingress", "-n", "argocd", "-o", "json"])
        .await
        .json();
    assert_eq!(patched["spec"]["project"], "infra");
    assert_eq!(patched["metadata"]["generation"], 2);

    // Another definition of the group asking for a name already held is
    // refused that name and not established.
    let rival = APPLICATION_CRD
        .replace("applications.argoproj.io", "appprojects.argoproj.io")
        .replace("kind: Application", "kind: AppProject")
        .replace("listKind: ApplicationList", "listKind: AppProjectList")
        .replace("plural: applications", "plural: appprojects")
        .replace("singular: application", "singular: appproject");
    cluster.apply("rival-crd.yaml", &rival).await.ok();
    let rival = cluster
        .eventually(
            &["get", "crd", "appprojects.argoproj.io"],
            "the rival definition's conditions",
            |crd| conditions(crd).contains("NamesAccepted"),
        )
        .await;
    assert_eq!(
        conditions(&rival),
        "NamesAccepted=False:ShortNamesConflict:\"app\" is already in use;Established=False:NotAccepted:not all names are accepted;"
    );
    let refused = cluster
        .kubectl(&["get", "appprojects", "-n", "argocd"])
        .await
        .err();
    assert!(
        refused.contains("the server doesn't have a resource type \"appprojects\""),
        "{refused}"
    );

    // A restarted server serves the kinds at once.
    let cluster = cluster.restart().await;
    let listed = cluster
        .kubectl(&["get", "applications", "-n", "argocd", "-o", "name"])
        .await
        .ok();
    assert_eq!(
        listed,
        "application.argoproj.io/hashfoundry-react\napplication.argoproj.io/nginx-ingress\n"
    );

    // Deleting the definition deletes its objects, then the definition.
    let deleted = cluster
        .kubectl(&["delete", "crd", "applications.argoproj.io", "--wait=true"])
        .await
        .ok();
    assert_eq!(
        deleted.trim(),
        "customresourcedefinition.apiextensions.k8s.io \"applications.argoproj.io\" deleted"
    );
    let gone = cluster
        .kubectl(&["get", "crd", "applications.argoproj.io"])
        .await
        .err();
    assert!(gone.contains("NotFound"), "{gone}");
    // The names it held are free: the rival definition gets them now.
    established(&cluster, "appprojects.argoproj.io").await;
    let served = cluster
        .kubectl(&["get", "--raw", "/apis/argoproj.io/v1alpha1"])
        .await
        .json();
    let names: Vec<&str> = served["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["appprojects"]);
    // kubectl may still know the kind from its discovery cache; the
    // server no longer serves it.
    let refused = cluster
        .kubectl(&["get", "applications", "-n", "argocd"])
        .await
        .err();
    assert!(
        refused.contains("the server doesn't have a resource type \"applications\"")
            || refused.contains("the server could not find the requested resource"),
        "{refused}"
    );
    // Defined again (once the rival has gone and freed the short names),
    // the kind starts empty: the old objects were deleted.
    cluster
        .kubectl(&["delete", "crd", "appprojects.argoproj.io"])
        .await
        .ok();
    cluster
        .apply("application-crd.yaml", APPLICATION_CRD)
        .await
        .ok();
    established(&cluster, "applications.argoproj.io").await;
    let listed = cluster
        .kubectl(&["get", "applications", "-n", "argocd", "-o", "name"])
        .await
        .ok();
    assert_eq!(listed, "");
}

const WIDGET_CRD: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names:
    kind: Widget
    plural: widgets
    categories: [all]
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    selectableFields:
    - jsonPath: .spec.color
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
        labelSelectorPath: .status.selector
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              replicas:
                type: integer
              size:
                type: integer
                minimum: 1
                maximum: 10
              color:
                type: string
                enum: [red, green]
                default: red
              name:
                type: string
                pattern: '^[a-z]+$'
              tags:
                type: array
                x-kubernetes-list-type: set
                items:
                  type: string
          status:
            type: object
            properties:
              ready:
                type: boolean
              replicas:
                type: integer
              selector:
                type: string
"#;

/// An `example.com/v1` object's manifest.
fn example(kind: &str, name: &str, spec: &str) -> String {
    format!("apiVersion: example.com/v1\nkind: {kind}\nmetadata:\n  name: {name}\nspec:\n{spec}\n")
}

fn widget(name: &str, spec: &str) -> String {
    example("Widget", name, spec)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_objects_are_defaulted_pruned_and_validated_by_their_schema() {
    let cluster = TestCluster::start().await;
    // Definitions that are not whole are refused with upstream's words.
    let two_storage = WIDGET_CRD.replace(
        "  versions:\n  - name: v1\n",
        "  versions:\n  - name: v2\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n  - name: v1\n",
    );
    let refused = cluster.apply("two-storage.yaml", &two_storage).await.err();
    assert!(
        refused.contains("must have exactly one version marked as storage version"),
        "{refused}"
    );
    let misnamed = WIDGET_CRD.replace("name: widgets.example.com", "name: gadgets.example.com");
    let refused = cluster.apply("misnamed.yaml", &misnamed).await.err();
    assert!(
        refused.contains(
            "metadata.name: Invalid value: \"gadgets.example.com\": must be spec.names.plural+\".\"+spec.group"
        ),
        "{refused}"
    );
    let untyped = WIDGET_CRD.replace(
        "              ready:\n                type: boolean\n",
        "              ready: {}\n",
    );
    let refused = cluster.apply("untyped.yaml", &untyped).await.err();
    assert!(
        refused.contains(
            "spec.versions[0].schema.openAPIV3Schema.properties[status].properties[ready].type: Required value: must not be empty for specified object fields"
        ),
        "{refused}"
    );
    let no_dot = WIDGET_CRD
        .replace("group: example.com", "group: example")
        .replace("name: widgets.example.com", "name: widgets.example");
    let refused = cluster.apply("no-dot.yaml", &no_dot).await.err();
    assert!(
        refused.contains(
            "spec.group: Invalid value: \"example\": should be a domain with at least one dot"
        ),
        "{refused}"
    );

    cluster.apply("widget-crd.yaml", WIDGET_CRD).await.ok();
    established(&cluster, "widgets.example.com").await;
    let definition = cluster
        .kubectl(&["get", "crd", "widgets.example.com", "-o", "json"])
        .await
        .json();
    assert_eq!(definition["spec"]["names"]["singular"], "widget");
    assert_eq!(definition["spec"]["names"]["listKind"], "WidgetList");
    assert_eq!(definition["spec"]["conversion"]["strategy"], "None");

    // kubectl explain reads the kind's schema.
    let explained = cluster.kubectl(&["explain", "widgets.spec"]).await.ok();
    assert!(explained.contains("KIND:       Widget"), "{explained}");
    assert!(
        explained.contains("size\t<integer> -required-"),
        "{explained}"
    );
    assert!(explained.contains("color\t<string>"), "{explained}");
    // The OpenAPI v2 document has the kind too (older clients read it).
    let explained = cluster
        .kubectl(&["explain", "widgets.spec", "--output=plaintext-openapiv2"])
        .await
        .ok();
    assert!(explained.contains("KIND:     Widget"), "{explained}");
    assert!(
        explained.contains("size\t<integer> -required-"),
        "{explained}"
    );
    let swagger = cluster
        .kubectl(&["get", "--raw", "/openapi/v2"])
        .await
        .json();
    assert_eq!(
        swagger["definitions"]["com.example.v1.Widget"]["x-kubernetes-group-version-kind"][0]["kind"],
        "Widget"
    );
    assert!(
        swagger["paths"]["/apis/example.com/v1/namespaces/{namespace}/widgets"]["post"].is_object()
    );

    // Defaults fill what is missing; a status written on create is
    // dropped (it has its own subresource).
    cluster
        .apply(
            "w1.yaml",
            &format!("{}status:\n  ready: true\n", widget("w1", "  size: 3")),
        )
        .await
        .ok();
    let w1 = cluster
        .kubectl(&["get", "widget", "w1", "-o", "json"])
        .await
        .json();
    assert_eq!(w1["spec"], serde_json::json!({"size": 3, "color": "red"}));
    assert!(w1.get("status").is_none(), "{w1}");

    // Unknown fields: refused by kubectl's strict validation, dropped
    // without it.
    let bogus = widget("w2", "  size: 2\n  bogus: true");
    let refused = cluster.apply("w2.yaml", &bogus).await.err();
    assert!(
        refused.contains("unknown field \"spec.bogus\""),
        "{refused}"
    );
    let file = cluster.file("w2-lax.yaml", &bogus);
    cluster
        .kubectl(&["apply", "--validate=false", "-f", &file.to_string_lossy()])
        .await
        .ok();
    let w2 = cluster
        .kubectl(&["get", "widget", "w2", "-o", "json"])
        .await
        .json();
    assert_eq!(w2["spec"], serde_json::json!({"size": 2, "color": "red"}));
    cluster
        .apply("w3.yaml", &widget("w3", "  size: 2\n  color: green"))
        .await
        .ok();
    // In the `all` category, as the definition says.
    let all = cluster.kubectl(&["get", "all", "-o", "name"]).await.ok();
    assert!(all.contains("widget.example.com/w3\n"), "{all}");
    // The definition's selectable fields select, others are refused.
    let green = cluster
        .kubectl(&[
            "get",
            "widgets",
            "--field-selector",
            "spec.color=green",
            "-o",
            "name",
        ])
        .await
        .ok();
    assert_eq!(green, "widget.example.com/w3\n");
    let refused = cluster
        .kubectl(&["get", "widgets", "--field-selector", "spec.size=2"])
        .await
        .err();
    assert!(
        refused.contains("field label not supported: spec.size"),
        "{refused}"
    );

    // Values the schema refuses, each in upstream's words.
    let cases = [
        (
            "  size: big",
            "spec.size: Invalid value: \"string\": spec.size in body must be of type integer: \"string\"",
        ),
        (
            "  size: 0",
            "spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1",
        ),
        (
            "  size: 2\n  color: blue",
            "spec.color: Unsupported value: \"blue\": supported values: \"red\", \"green\"",
        ),
        (
            "  size: 2\n  name: ABC",
            "spec.name: Invalid value: \"ABC\": spec.name in body should match '^[a-z]+$'",
        ),
        (
            "  size: 2\n  tags: [a, b, a]",
            "spec.tags[2]: Duplicate value: \"a\"",
        ),
        ("  color: red", "spec.size: Required value"),
    ];
    for (i, (spec, message)) in cases.iter().enumerate() {
        let name = format!("bad{i}");
        let refused = cluster
            .apply(&format!("{name}.yaml"), &widget(&name, spec))
            .await
            .err();
        assert!(
            refused.contains(&format!("Widget.example.com \"{name}\" is invalid"))
                || refused.contains(&format!("The Widget \"{name}\" is invalid")),
            "{refused}"
        );
        assert!(refused.contains(message), "{spec}: {refused}");
    }

    // A default added to the definition later is given to stored objects
    // as they are read.
    let shaped = WIDGET_CRD.replace(
        "              color:\n",
        "              shape:\n                type: string\n                default: round\n              color:\n",
    );
    cluster.apply("widget-crd.yaml", &shaped).await.ok();
    cluster
        .eventually(
            &["get", "widgets"],
            "the new default on every widget",
            |list| {
                let items = list["items"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                items.len() == 3 && items.iter().all(|w| w["spec"]["shape"] == "round")
            },
        )
        .await;
    let one = cluster
        .kubectl(&["get", "widget", "w1", "-o", "jsonpath={.spec.shape}"])
        .await
        .ok();
    assert_eq!(one, "round");

    // The status has its own subresource: the main resource leaves it
    // alone, the status subresource writes only it.
    cluster
        .kubectl(&[
            "patch",
            "widget",
            "w1",
            "--subresource=status",
            "--type=merge",
            "-p",
            r#"{"status":{"ready":true},"spec":{"size":9}}"#,
        ])
        .await
        .ok();
    cluster
        .kubectl(&[
            "patch",
            "widget",
            "w1",
            "--type=merge",
            "-p",
            r#"{"status":{"ready":false},"spec":{"size":4}}"#,
        ])
        .await
        .ok();
    let w1 = cluster
        .kubectl(&["get", "widget", "w1", "-o", "json"])
        .await
        .json();
    assert_eq!(w1["status"], serde_json::json!({"ready": true}));
    assert_eq!(w1["spec"]["size"], 4);
    assert_eq!(w1["metadata"]["generation"], 2);
    let refused = cluster
        .kubectl(&[
            "patch",
            "widget",
            "w1",
            "--subresource=status",
            "--type=merge",
            "-p",
            r#"{"status":{"ready":"yes"}}"#,
        ])
        .await
        .err();
    assert!(
        refused.contains("status.ready: Invalid value: \"string\": status.ready in body must be of type boolean: \"string\""),
        "{refused}"
    );

    // Custom kinds have no strategic merge patch.
    let refused = cluster
        .kubectl(&["patch", "widget", "w1", "-p", r#"{"spec":{"size":5}}"#])
        .await
        .err();
    assert!(
        refused.contains("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"),
        "{refused}"
    );

    // The scale subresource reads and writes the paths the definition names.
    cluster
        .kubectl(&[
            "patch",
            "widget",
            "w1",
            "--subresource=status",
            "--type=merge",
            "-p",
            r#"{"status":{"replicas":2,"selector":"app=w1"}}"#,
        ])
        .await
        .ok();
    let scaled = cluster
        .kubectl(&["scale", "widget", "w1", "--replicas=5"])
        .await
        .ok();
    assert_eq!(scaled.trim(), "widget.example.com/w1 scaled");
    let scale = cluster
        .kubectl(&[
            "get",
            "--raw",
            "/apis/example.com/v1/namespaces/default/widgets/w1/scale",
        ])
        .await
        .json();
    assert_eq!(scale["kind"], "Scale");
    assert_eq!(scale["apiVersion"], "autoscaling/v1");
    assert_eq!(scale["spec"]["replicas"], 5);
    assert_eq!(
        scale["status"],
        serde_json::json!({"replicas": 2, "selector": "app=w1"})
    );
    let replicas = cluster
        .kubectl(&["get", "widget", "w1", "-o", "jsonpath={.spec.replicas}"])
        .await
        .ok();
    assert_eq!(replicas, "5");

    // An object with a finalizer holds its definition's deletion; until it
    // goes, the definition is terminating and refuses new objects.
    cluster
        .kubectl(&[
            "patch",
            "widget",
            "w2",
            "--type=merge",
            "-p",
            r#"{"metadata":{"finalizers":["example.com/hold"]}}"#,
        ])
        .await
        .ok();
    cluster
        .kubectl(&["delete", "crd", "widgets.example.com", "--wait=false"])
        .await
        .ok();
    cluster
        .eventually(
            &["get", "crd", "widgets.example.com"],
            "Terminating because of the widgets left",
            |crd| conditions(crd).contains("Terminating=True:InstanceDeletionCheck:"),
        )
        .await;
    let held = cluster
        .kubectl(&["get", "widgets", "-o", "name"])
        .await
        .ok();
    assert_eq!(held, "widget.example.com/w2\n");
    let refused = cluster
        .apply("w9.yaml", &widget("w9", "  size: 1"))
        .await
        .err();
    assert!(
        refused.contains("create not allowed while custom resource definition is terminating"),
        "{refused}"
    );
    cluster
        .kubectl(&[
            "patch",
            "widget",
            "w2",
            "--type=merge",
            "-p",
            r#"{"metadata":{"finalizers":null}}"#,
        ])
        .await
        .ok();
    cluster
        .kubectl(&[
            "wait",
            "--for=delete",
            "crd/widgets.example.com",
            "--timeout=30s",
        ])
        .await
        .ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_objects_own_dependents_and_go_with_their_namespace() {
    let cluster = TestCluster::start().await;
    // The controllers start before the kind exists: they find it later.
    let _controllers = cluster.start_controllers().await;
    cluster.apply("widget-crd.yaml", WIDGET_CRD).await.ok();
    established(&cluster, "widgets.example.com").await;
    cluster.kubectl(&["create", "namespace", "shop"]).await.ok();
    let file = cluster.file(
        "owner.yaml",
        &widget("owner", "  size: 1").replace("metadata:\n", "metadata:\n  namespace: shop\n"),
    );
    cluster
        .kubectl(&["apply", "-f", &file.to_string_lossy()])
        .await
        .ok();
    let uid = cluster
        .kubectl(&[
            "get",
            "widget",
            "owner",
            "-n",
            "shop",
            "-o",
            "jsonpath={.metadata.uid}",
        ])
        .await
        .ok();
    let dependent = format!(
        r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"owned","namespace":"shop",
        "ownerReferences":[{{"apiVersion":"example.com/v1","kind":"Widget","name":"owner","uid":"{uid}"}}]}}}}"#
    );
    let file = cluster.file("owned.json", &dependent);
    cluster
        .kubectl(&["apply", "-f", &file.to_string_lossy()])
        .await
        .ok();

    // Deleting the custom owner collects its dependent.
    cluster
        .kubectl(&["delete", "widget", "owner", "-n", "shop"])
        .await
        .ok();
    cluster
        .kubectl(&[
            "wait",
            "--for=delete",
            "configmap/owned",
            "-n",
            "shop",
            "--timeout=60s",
        ])
        .await
        .ok();

    // A quota counts custom objects as `count/<plural>.<group>`.
    cluster
        .kubectl(&[
            "create",
            "quota",
            "widgets",
            "-n",
            "shop",
            "--hard=count/widgets.example.com=1",
        ])
        .await
        .ok();
    cluster
        .eventually(
            &["get", "quota", "widgets", "-n", "shop"],
            "the quota counting widgets",
            |quota| {
                quota["status"]["used"] == serde_json::json!({"count/widgets.example.com": "0"})
            },
        )
        .await;

    // Deleting the namespace deletes the custom objects in it.
    let file = cluster.file(
        "left.yaml",
        &widget("left", "  size: 2").replace("metadata:\n", "metadata:\n  namespace: shop\n"),
    );
    cluster
        .kubectl(&["apply", "-f", &file.to_string_lossy()])
        .await
        .ok();
    let refused = cluster
        .apply(
            "over.yaml",
            &widget("over", "  size: 3").replace("metadata:\n", "metadata:\n  namespace: shop\n"),
        )
        .await
        .err();
    assert!(
        refused.contains(
            r#"widgets.example.com "over" is forbidden: exceeded quota: widgets, requested: count/widgets.example.com=1, used: count/widgets.example.com=1, limited: count/widgets.example.com=1"#
        ),
        "{refused}"
    );
    cluster
        .kubectl(&["delete", "namespace", "shop", "--timeout=60s"])
        .await
        .ok();
    let left = cluster
        .kubectl(&["get", "widgets", "--all-namespaces", "-o", "name"])
        .await
        .ok();
    assert_eq!(left, "");
}

/// Each widget's name and status replicas.
/// Each widget's name and status replicas: `a=1;b=2;`.
fn widget_statuses(list: &serde_json::Value) -> String {
    list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|w| {
            let replicas = w["status"]["replicas"]
                .as_i64()
                .map_or(String::new(), |r| r.to_string());
            format!(
                "{}={replicas};",
                w["metadata"]["name"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

/// An operator as kube-rs's controller runtime builds one: each Widget's
/// status follows its spec.
async fn reconcile(
    widget: std::sync::Arc<kube::api::DynamicObject>,
    api: std::sync::Arc<kube::Api<kube::api::DynamicObject>>,
) -> Result<kube::runtime::controller::Action, kube::Error> {
    let size = widget.data["spec"]["size"].as_i64().unwrap_or(0);
    let name = widget.metadata.name.clone().unwrap_or_default();
    let status = serde_json::json!({"status": {"replicas": size, "ready": true}});
    api.patch_status(
        &name,
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Merge(&status),
    )
    .await?;
    Ok(kube::runtime::controller::Action::await_change())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kube_rs_controller_reconciles_a_custom_kind() {
    use futures::StreamExt;
    let cluster = TestCluster::start().await;
    cluster.apply("widget-crd.yaml", WIDGET_CRD).await.ok();
    established(&cluster, "widgets.example.com").await;
    let client = cluster.admin_client().await;
    // The kind as the client discovers it.
    let discovery = kube::Discovery::new(client.clone())
        .filter(&["example.com"])
        .run()
        .await
        .unwrap();
    let (resource, _) = discovery
        .resolve_gvk(&kube::api::GroupVersionKind::gvk(
            "example.com",
            "v1",
            "Widget",
        ))
        .unwrap();
    let api = kube::Api::<kube::api::DynamicObject>::namespaced_with(client, "default", &resource);
    let controller = kube::runtime::Controller::new_with(
        api.clone(),
        kube::runtime::watcher::Config::default(),
        resource,
    )
    .run(
        reconcile,
        |_, _, _| kube::runtime::controller::Action::requeue(std::time::Duration::from_secs(1)),
        std::sync::Arc::new(api),
    )
    .for_each(|_| async {});
    let operator = tokio::spawn(controller);

    for (name, size) in [("a", 1), ("b", 2), ("c", 3)] {
        cluster
            .apply(
                &format!("{name}.yaml"),
                &widget(name, &format!("  size: {size}")),
            )
            .await
            .ok();
    }
    cluster
        .eventually(&["get", "widgets"], "every widget reconciled", |list| {
            widget_statuses(list) == "a=1;b=2;c=3;"
        })
        .await;
    // A change of spec is reconciled again.
    cluster
        .kubectl(&[
            "patch",
            "widget",
            "b",
            "--type=merge",
            "-p",
            r#"{"spec":{"size":7}}"#,
        ])
        .await
        .ok();
    cluster
        .eventually(
            &["get", "widgets"],
            "the changed widget reconciled",
            |list| widget_statuses(list) == "a=1;b=7;c=3;",
        )
        .await;
    operator.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kind_served_at_two_versions_is_stored_at_one() {
    let cluster = TestCluster::start().await;
    let two_versions = WIDGET_CRD.replace(
        "  versions:\n  - name: v1\n",
        "  versions:\n  - name: v1beta1\n    served: true\n    storage: false\n    deprecated: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        x-kubernetes-preserve-unknown-fields: true\n  - name: v1\n",
    );
    cluster.apply("two-versions.yaml", &two_versions).await.ok();
    established(&cluster, "widgets.example.com").await;
    let group = cluster
        .kubectl(&["get", "--raw", "/apis/example.com"])
        .await
        .json();
    assert_eq!(group["preferredVersion"]["version"], "v1");
    // Written at v1beta1 (with its deprecation warning), read at both.
    let old = widget("old", "  size: 2").replace("example.com/v1\n", "example.com/v1beta1\n");
    let file = cluster.file("old.yaml", &old);
    let created = cluster
        .kubectl(&["create", "-f", &file.to_string_lossy()])
        .await;
    assert!(
        created
            .stderr
            .contains("Warning: example.com/v1beta1 Widget is deprecated"),
        "{}",
        created.stderr
    );
    let at_v1 = cluster
        .kubectl(&["get", "widgets.v1.example.com", "old", "-o", "json"])
        .await
        .json();
    assert_eq!(at_v1["apiVersion"], "example.com/v1");
    assert_eq!(at_v1["spec"]["size"], 2);
    let at_beta = cluster
        .kubectl(&["get", "widgets.v1beta1.example.com", "old", "-o", "json"])
        .await
        .json();
    assert_eq!(at_beta["apiVersion"], "example.com/v1beta1");
    assert_eq!(at_beta["metadata"]["uid"], at_v1["metadata"]["uid"]);
    // Moving the storage version records both as stored.
    let moved = two_versions
        .replace(
            "    storage: false\n    deprecated: true\n",
            "    storage: true\n    deprecated: true\n",
        )
        .replace(
            "  - name: v1\n    served: true\n    storage: true\n",
            "  - name: v1\n    served: true\n    storage: false\n",
        );
    cluster.apply("moved.yaml", &moved).await.ok();
    let stored = cluster
        .kubectl(&[
            "get",
            "crd",
            "widgets.example.com",
            "-o",
            "jsonpath={.status.storedVersions}",
        ])
        .await
        .ok();
    assert_eq!(stored, r#"["v1","v1beta1"]"#);
    // A version no longer in the spec while objects may be stored at it is refused.
    let dropped = WIDGET_CRD.replace("  - name: v1\n", "  - name: v2\n");
    let refused = cluster.apply("dropped.yaml", &dropped).await.err();
    assert!(
        refused.contains(
            "status.storedVersions[0]: Invalid value: \"v1\": must appear in spec.versions"
        ),
        "{refused}"
    );
}

const GADGET_CRD: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.com
spec:
  group: example.com
  names:
    kind: Gadget
    plural: gadgets
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size:
                type: integer
          status:
            type: object
            x-kubernetes-preserve-unknown-fields: true
"#;

/// The gadget g1's phase and replicas.
async fn gadget_status(cluster: &TestCluster) -> String {
    cluster
        .kubectl(&[
            "get",
            "gadget",
            "g1",
            "-o",
            "jsonpath={.status.phase}={.status.replicas}",
        ])
        .await
        .stdout
}

/// The `kopf` operator framework (from the package index, in the Python
/// client's virtualenv) handles the create, update and delete of a custom
/// object served by rudder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kopf_operator_handles_a_custom_kinds_lifecycle() {
    let cluster = TestCluster::start().await;
    cluster.apply("gadget-crd.yaml", GADGET_CRD).await.ok();
    established(&cluster, "gadgets.example.com").await;
    let python = tokio::task::spawn_blocking(testkit::python_with_kubernetes)
        .await
        .unwrap();
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/kopf_operator.py");
    let records = tempfile::tempdir().unwrap();
    let log = std::fs::File::create(records.path().join("operator.log")).unwrap();
    let mut operator = tokio::process::Command::new(python)
        .args([
            "-m",
            "kopf",
            "run",
            "--standalone",
            "--namespace",
            "default",
        ])
        .arg(&script)
        .env("KUBECONFIG", &cluster.kubeconfig)
        .env("RECORD_DIR", records.path())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let log = || std::fs::read_to_string(records.path().join("operator.log")).unwrap_or_default();
    let gadget =
        "apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g1\nspec:\n  size: 3\n";
    cluster.apply("g1.yaml", gadget).await.ok();
    let mut seen = String::new();
    for _ in 0..300 {
        seen = gadget_status(&cluster).await;
        if seen == "Created=3" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(seen, "Created=3", "{}", log());
    cluster
        .kubectl(&[
            "patch",
            "gadget",
            "g1",
            "--type=merge",
            "-p",
            r#"{"spec":{"size":5}}"#,
        ])
        .await
        .ok();
    for _ in 0..300 {
        seen = gadget_status(&cluster).await;
        if seen == "Updated=5" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(seen, "Updated=5", "{}", log());
    // kopf holds the object with its finalizer until its delete handler ran.
    cluster
        .kubectl(&["delete", "gadget", "g1", "--timeout=60s"])
        .await
        .ok();
    assert!(records.path().join("deleted-g1").exists(), "{}", log());
    let _ = operator.kill().await;
}

/// A kind whose schema carries CEL validation rules at its root, on its
/// spec and on a keyed list's items.
const SCALER_CRD: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: scalers.example.com
spec:
  group: example.com
  names: {kind: Scaler, plural: scalers, singular: scaler, listKind: ScalerList}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-validations:
        - rule: "self.metadata.name.startsWith('scaler-')"
          message: "name must start with scaler-"
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - rule: "self.minReplicas <= self.replicas"
              message: "minReplicas cannot be larger than replicas"
            - rule: "self.replicas >= oldSelf.replicas"
              message: "replicas may not decrease"
            - rule: "has(self.image)"
              reason: FieldValueRequired
              fieldPath: ".image"
              message: "an image is required"
            - rule: "!has(self.image) || self.image.startsWith('registry.local/')"
              messageExpression: "'image ' + self.image + ' is not from registry.local'"
            properties:
              replicas: {type: integer}
              minReplicas: {type: integer}
              image: {type: string, maxLength: 128}
              ports:
                type: array
                maxItems: 16
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items:
                  type: object
                  required: [name]
                  x-kubernetes-validations:
                  - rule: "self.port == oldSelf.port"
                    message: "a port's number is immutable"
                  properties:
                    name: {type: string, maxLength: 15}
                    port: {type: integer}
"#;

fn scaler(name: &str, spec: &str) -> String {
    example("Scaler", name, spec)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_rules_judge_custom_objects_as_upstream() {
    let cluster = TestCluster::start().await;
    // Rules that do not compile, name missing fields or could loop without
    // bound are refused with the definition.
    let broken = SCALER_CRD
        .replace(
            "rule: \"self.minReplicas <= self.replicas\"",
            "rule: \"self.minReplicas <=\"",
        )
        .replace("rule: \"has(self.image)\"", "rule: \"has(self.imag)\"");
    let refused = cluster.apply("broken.yaml", &broken).await.err();
    assert!(
        refused.contains(
            "spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Invalid value: apiextensions.ValidationRule{Rule:\"self.minReplicas <=\""
        ) && refused.contains("compilation failed: ERROR: <input>:1:"),
        "{refused}"
    );
    assert!(
        refused.contains("x-kubernetes-validations[2].rule: Invalid value: apiextensions.ValidationRule{Rule:\"has(self.imag)\"")
            && refused.contains("undefined field 'imag'"),
        "{refused}"
    );
    let quadratic = SCALER_CRD
        .replace("                maxItems: 16\n", "")
        .replace(
            "rule: \"self.port == oldSelf.port\"",
            "rule: \"self.port == oldSelf.port && self.name.size() < 16\"",
        )
        .replace(
            "rule: \"has(self.image)\"",
            "rule: \"!has(self.ports) || self.ports.all(a, self.ports.all(b, a.name != b.name || a.port == b.port))\"",
        );
    let refused = cluster.apply("quadratic.yaml", &quadratic).await.err();
    assert!(
        refused.contains(
            "properties[spec].x-kubernetes-validations[2].rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x"
        ),
        "{refused}"
    );
    assert!(
        cluster
            .kubectl(&["get", "crd", "scalers.example.com"])
            .await
            .err()
            .contains("NotFound"),
    );

    cluster.apply("scaler-crd.yaml", SCALER_CRD).await.ok();
    established(&cluster, "scalers.example.com").await;

    // Objects that break a rule are refused with the rule's message at the
    // rule's node (or the field its fieldPath names, as its reason says).
    let refused = cluster
        .apply(
            "s1.yaml",
            &scaler(
                "scaler-one",
                "  replicas: 1\n  minReplicas: 3\n  image: registry.local/app",
            ),
        )
        .await
        .err();
    assert!(
        refused.contains(
            "The Scaler \"scaler-one\" is invalid: spec: Invalid value: \"object\": minReplicas cannot be larger than replicas"
        ),
        "{refused}"
    );
    let refused = cluster
        .apply(
            "s1.yaml",
            &scaler("scaler-one", "  replicas: 1\n  minReplicas: 1"),
        )
        .await
        .err();
    assert!(
        refused.contains("spec.image: Required value: an image is required"),
        "{refused}"
    );
    let refused = cluster
        .apply(
            "s1.yaml",
            &scaler(
                "scaler-one",
                "  replicas: 1\n  minReplicas: 1\n  image: docker.io/app",
            ),
        )
        .await
        .err();
    assert!(
        refused.contains("image docker.io/app is not from registry.local"),
        "{refused}"
    );
    let refused = cluster
        .apply(
            "s1.yaml",
            &scaler(
                "one",
                "  replicas: 1\n  minReplicas: 1\n  image: registry.local/app",
            ),
        )
        .await
        .err();
    assert!(
        refused.contains("<nil>: Invalid value: \"object\": name must start with scaler-"),
        "{refused}"
    );

    // A valid object is created; transition rules judge its updates.
    let spec = "  replicas: 3\n  minReplicas: 1\n  image: registry.local/app\n  ports:\n  - name: http\n    port: 80";
    cluster
        .apply("s1.yaml", &scaler("scaler-one", spec))
        .await
        .ok();
    let refused = cluster
        .kubectl(&[
            "patch",
            "scaler",
            "scaler-one",
            "--type=merge",
            "-p",
            r#"{"spec":{"replicas":2}}"#,
        ])
        .await
        .err();
    assert!(
        refused.contains("spec: Invalid value: \"object\": replicas may not decrease"),
        "{refused}"
    );
    let refused = cluster
        .apply(
            "s1.yaml",
            &scaler("scaler-one", &spec.replace("port: 80", "port: 8080")),
        )
        .await
        .err();
    assert!(
        refused.contains("spec.ports[0]: Invalid value: \"object\": a port's number is immutable"),
        "{refused}"
    );
    // A new port has no old value to compare with; growing is allowed.
    cluster
        .apply(
            "s1.yaml",
            &scaler(
                "scaler-one",
                &format!(
                    "{}\n  - name: https\n    port: 443",
                    spec.replace("replicas: 3", "replicas: 5")
                ),
            ),
        )
        .await
        .ok();
    let stored = cluster
        .kubectl(&[
            "get",
            "scaler",
            "scaler-one",
            "-o",
            "jsonpath={.spec.replicas} {.spec.ports[*].port}",
        ])
        .await
        .ok();
    assert_eq!(stored.trim(), "5 80 443");
}

/// What the test's conversion webhook answers.
const CONVERT: u8 = 0;
const REFUSE: u8 = 1;
const GARBAGE: u8 = 2;
const HANG: u8 = 3;

/// A Thermostat's spec at each version: v1 `celsius: N`, v2
/// `temperature: {value: N, unit: C}`.
fn convert_thermostat(mut object: serde_json::Value, desired: &str) -> serde_json::Value {
    let spec = object["spec"].take();
    object["spec"] = if desired.ends_with("/v2") {
        match spec.get("celsius") {
            Some(c) => serde_json::json!({"temperature": {"value": c, "unit": "C"}}),
            None => spec,
        }
    } else {
        match spec.pointer("/temperature/value") {
            Some(v) => serde_json::json!({"celsius": v}),
            None => spec,
        }
    };
    object["apiVersion"] = serde_json::json!(desired);
    object
}

/// The test's conversion webhook: converts, refuses, answers garbage or
/// never answers, as `mode` says.
async fn conversion_webhook(
    mode: std::sync::Arc<std::sync::atomic::AtomicU8>,
) -> testkit::webhook::WebhookServer {
    use testkit::webhook::Reply;
    testkit::webhook::serve(
        &["127.0.0.1", "thermostat-converter.default.svc"],
        move |received| {
            let request = &received.body["request"];
            let desired = request["desiredAPIVersion"].as_str().unwrap_or_default();
            match mode.load(std::sync::atomic::Ordering::SeqCst) {
                CONVERT => Reply::Json(serde_json::json!({
                    "apiVersion": "apiextensions.k8s.io/v1", "kind": "ConversionReview",
                    "response": {
                        "uid": request["uid"],
                        "result": {"status": "Success"},
                        "convertedObjects": request["objects"].as_array().into_iter().flatten()
                            .map(|o| convert_thermostat(o.clone(), desired)).collect::<Vec<_>>(),
                    }
                })),
                REFUSE => Reply::Json(serde_json::json!({
                    "apiVersion": "apiextensions.k8s.io/v1", "kind": "ConversionReview",
                    "response": {"uid": request["uid"], "result": {"status": "Failure", "message": "thermostats are broken today"}}
                })),
                // Longer than the server waits for a webhook.
                HANG => Reply::Hang(std::time::Duration::from_secs(40)),
                _ => Reply::Raw("this is not JSON".into()),
            }
        },
    )
    .await
}

/// The Thermostat definition, its webhook reached at `client` (a
/// `clientConfig` without `caBundle`).
fn thermostat_crd(bundle: &str, url: &str) -> String {
    thermostat_crd_at(bundle, &format!("url: {url}"))
}

fn thermostat_crd_at(bundle: &str, client: &str) -> String {
    format!(
        r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: thermostats.example.com
spec:
  group: example.com
  names: {{kind: Thermostat, plural: thermostats, singular: thermostat}}
  scope: Namespaced
  conversion:
    strategy: Webhook
    webhook:
      conversionReviewVersions: [v1]
      clientConfig:
        {client}
        caBundle: {bundle}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              celsius: {{type: integer}}
  - name: v2
    served: true
    storage: false
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              temperature:
                type: object
                properties:
                  value: {{type: integer}}
                  unit: {{type: string}}
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversion_webhook_converts_between_versions() {
    let cluster = TestCluster::start().await;
    let mode = std::sync::Arc::new(std::sync::atomic::AtomicU8::new(CONVERT));
    let webhook = conversion_webhook(mode.clone()).await;
    let (bundle, port) = (webhook.ca_bundle.clone(), webhook.port);
    let url = format!("https://127.0.0.1:{port}/convert");

    // A webhook must be reached over https, named by one URL or service.
    let refused = cluster
        .apply(
            "plain.yaml",
            &thermostat_crd(&bundle, "http://127.0.0.1:1/convert"),
        )
        .await
        .err();
    assert!(
        refused.contains(
            "spec.conversion.webhook.clientConfig.url: Invalid value: \"http://127.0.0.1:1/convert\": 'https' is the only allowed URL scheme"
        ),
        "{refused}"
    );

    cluster
        .apply("thermostat-crd.yaml", &thermostat_crd(&bundle, &url))
        .await
        .ok();
    established(&cluster, "thermostats.example.com").await;

    // Written at v2, stored at v1, read at either.
    cluster
        .apply(
            "hall.yaml",
            "apiVersion: example.com/v2\nkind: Thermostat\nmetadata:\n  name: hall\nspec:\n  temperature:\n    value: 21\n    unit: C\n",
        )
        .await
        .ok();
    let at_v1 = cluster
        .kubectl(&["get", "thermostats.v1.example.com", "hall", "-o", "json"])
        .await
        .json();
    assert_eq!(at_v1["apiVersion"], "example.com/v1");
    assert_eq!(at_v1["spec"], serde_json::json!({"celsius": 21}));
    let at_v2 = cluster
        .kubectl(&["get", "thermostats.v2.example.com", "-o", "json"])
        .await
        .json();
    assert_eq!(at_v2["items"][0]["apiVersion"], "example.com/v2");
    assert_eq!(
        at_v2["items"][0]["spec"],
        serde_json::json!({"temperature": {"value": 21, "unit": "C"}})
    );
    assert_eq!(
        at_v2["items"][0]["metadata"]["uid"],
        at_v1["metadata"]["uid"]
    );
    // A patch at v2 applies to the object as v2 shows it.
    cluster
        .kubectl(&[
            "patch",
            "thermostats.v2.example.com",
            "hall",
            "--type=merge",
            "-p",
            r#"{"spec":{"temperature":{"value":23}}}"#,
        ])
        .await
        .ok();
    let celsius = cluster
        .kubectl(&[
            "get",
            "thermostats.v1.example.com",
            "hall",
            "-o",
            "jsonpath={.spec.celsius}",
        ])
        .await
        .ok();
    assert_eq!(celsius, "23");
    // Watches at v2 see v2 objects.
    let watched = cluster
        .kubectl(&[
            "get",
            "--raw",
            "/apis/example.com/v2/namespaces/default/thermostats?watch=true&timeoutSeconds=1",
        ])
        .await
        .ok();
    let event: serde_json::Value =
        serde_json::from_str(watched.lines().next().unwrap_or_default()).unwrap();
    assert_eq!(event["type"], "ADDED");
    assert_eq!(event["object"]["spec"]["temperature"]["value"], 23);

    // A webhook behind a service is reached at one of its endpoints, its
    // certificate verified for the service's name.
    cluster
        .apply(
            "converter.yaml",
            &format!(
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: thermostat-converter\nspec:\n  ports:\n  - name: https\n    port: 443\n    targetPort: {port}\n---\napiVersion: v1\nkind: Endpoints\nmetadata:\n  name: thermostat-converter\nsubsets:\n- addresses:\n  - ip: 127.0.0.1\n  ports:\n  - name: https\n    port: {port}\n"
            ),
        )
        .await
        .ok();
    cluster
        .apply(
            "thermostat-crd.yaml",
            &thermostat_crd_at(
                &bundle,
                "service: {namespace: default, name: thermostat-converter, path: /convert}",
            ),
        )
        .await
        .ok();
    cluster
        .eventually(
            &["get", "thermostats.v2.example.com", "hall"],
            "the object read through the service's webhook",
            |hall| {
                hall["spec"]["temperature"]["value"] == 23
                    && webhook
                        .received
                        .lock()
                        .unwrap()
                        .last()
                        .map(|r| r.host.as_str())
                        == Some("thermostat-converter.default.svc")
            },
        )
        .await;

    // A webhook that refuses, or answers nonsense, fails the request with
    // a 500 naming it, and nothing is written.
    mode.store(REFUSE, std::sync::atomic::Ordering::SeqCst);
    let refused = cluster
        .kubectl(&["get", "thermostats.v2.example.com", "hall"])
        .await
        .err();
    assert!(
        refused.contains(
            "conversion webhook for example.com/v1, Kind=Thermostat failed: thermostats are broken today"
        ),
        "{refused}"
    );
    let refused = cluster
        .apply(
            "porch.yaml",
            "apiVersion: example.com/v2\nkind: Thermostat\nmetadata:\n  name: porch\nspec:\n  temperature:\n    value: 5\n",
        )
        .await
        .err();
    assert!(
        refused.contains("conversion webhook for example.com/v2, Kind=Thermostat failed"),
        "{refused}"
    );
    for (answer, why) in [(GARBAGE, "unmarshal"), (HANG, "context deadline exceeded")] {
        mode.store(answer, std::sync::atomic::Ordering::SeqCst);
        let refused = cluster
            .kubectl(&["get", "thermostats.v2.example.com", "hall"])
            .await
            .err();
        assert!(
            refused.contains("conversion webhook for example.com/v1, Kind=Thermostat failed")
                && refused.contains(why),
            "{refused}"
        );
    }
    let names = cluster
        .kubectl(&["get", "thermostats.v1.example.com", "-o", "name"])
        .await
        .ok();
    assert_eq!(names.trim(), "thermostat.example.com/hall");
}
