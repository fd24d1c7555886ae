"""Runs inside a pod: the official client configured from what the pod is
given (its service account token, the cluster CA, the namespace file and
the KUBERNETES_SERVICE_* variables), listing what its Role allows and
being refused the rest. Prints one line per check."""

from kubernetes import client, config
from kubernetes.client.rest import ApiException

config.load_incluster_config()
with open("/var/run/secrets/kubernetes.io/serviceaccount/namespace") as f:
    namespace = f.read().strip()
print("namespace", namespace)
core = client.CoreV1Api()

pods = core.list_namespaced_pod(namespace)
print("pods", " ".join(sorted(p.metadata.name for p in pods.items)))


def refused(what, call):
    try:
        call()
        print(what, "allowed")
    except ApiException as e:
        print(what, e.status, e.reason)


refused("secrets", lambda: core.list_namespaced_secret(namespace))
refused("other-namespace-pods", lambda: core.list_namespaced_pod("default"))
print("in-cluster client ok")
