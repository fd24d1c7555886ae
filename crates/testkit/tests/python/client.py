"""Drives a rudder cluster with the official Kubernetes Python client:
the generated API and the dynamic client. Exits non-zero on any failure."""

import sys
import threading

from kubernetes import client, config, dynamic, watch

config.load_kube_config(config_file=sys.argv[1])
api = client.ApiClient()
core = client.CoreV1Api(api)

ns = client.V1Namespace(metadata=client.V1ObjectMeta(name="py"))
core.create_namespace(ns)

# A watch from a version read before the writes sees them all, however
# late its request reaches the server.
seen = []
ready = threading.Event()
since = core.list_namespaced_config_map("py").metadata.resource_version


def watch_configmaps():
    w = watch.Watch()
    ready.set()
    # Only this test's config map: the namespace's root CA bundle arrives
    # at its own time.
    for event in w.stream(
        core.list_namespaced_config_map,
        "py",
        resource_version=since,
        field_selector="metadata.name=settings",
        timeout_seconds=10,
    ):
        seen.append((event["type"], event["object"].metadata.name))
        if len(seen) >= 3:
            w.stop()


watcher = threading.Thread(target=watch_configmaps)
watcher.start()
ready.wait()

cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="settings", labels={"app": "py"}), data={"a": "1"})
created = core.create_namespaced_config_map("py", cm)
assert created.metadata.uid, "the server assigns a uid"
created.data["a"] = "2"
core.replace_namespaced_config_map("settings", "py", created)
listed = core.list_namespaced_config_map("py", label_selector="app=py")
assert [c.metadata.name for c in listed.items] == ["settings"], listed.items
assert listed.items[0].data == {"a": "2"}
core.delete_namespaced_config_map("settings", "py")
try:
    core.read_namespaced_config_map("settings", "py")
    raise AssertionError("deleted config map still readable")
except client.exceptions.ApiException as e:
    assert e.status == 404, e.status

watcher.join(timeout=15)
assert seen == [("ADDED", "settings"), ("MODIFIED", "settings"), ("DELETED", "settings")], seen

# The dynamic client, through discovery.
dyn = dynamic.DynamicClient(api)
deployments = dyn.resources.get(api_version="apps/v1", kind="Deployment")
deployments.create(
    namespace="py",
    body={
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}},
        },
    },
)
got = deployments.get(name="web", namespace="py")
assert got.spec.replicas == 2
assert got.spec.strategy.type == "RollingUpdate"

# Server-side apply through the dynamic client: the creator's update owns
# the replicas, so another manager's apply conflicts until it forces.
scale_to_three = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 3}}
try:
    deployments.server_side_apply(namespace="py", body=scale_to_three, field_manager="python-apply")
    raise AssertionError("an apply over another manager's field must conflict")
except client.exceptions.ApiException as e:
    assert e.status == 409, e.status
    assert ".spec.replicas" in e.body, e.body
applied = deployments.server_side_apply(namespace="py", body=scale_to_three, field_manager="python-apply", force_conflicts=True)
assert applied.spec.replicas == 3
owners = {entry.manager: entry.operation for entry in applied.metadata.managedFields}
assert owners.get("python-apply") == "Apply", owners
# An apply of an object that does not exist creates it.
config_maps = dyn.resources.get(api_version="v1", kind="ConfigMap")
made = config_maps.server_side_apply(
    namespace="py",
    body={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "applied"}, "data": {"k": "v"}},
    field_manager="python-apply",
)
assert made.data.k == "v"
deployments.delete(name="web", namespace="py")
print("python client ok")
