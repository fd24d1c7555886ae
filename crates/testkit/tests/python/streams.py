"""Drives a rudder cluster that has a node with the official Kubernetes
Python client's informer and streams: SharedInformer, exec with stdin (the
client writes text frames), closing stdin on v5.channel.k8s.io,
port-forward, and the exact bytes of Status bodies. Exits non-zero on any
failure.

Arguments: kubeconfig, busybox's path, a directory to serve over HTTP."""

import sys
import threading
import time

from kubernetes import client, config
from kubernetes.informer import SharedInformer, ADDED, MODIFIED, DELETED
from kubernetes.stream import portforward, stream

kubeconfig, busybox, www = sys.argv[1:4]
config.load_kube_config(config_file=kubeconfig)
core = client.CoreV1Api()
core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="streams")))


def status_body(call):
    try:
        call()
    except client.exceptions.ApiException as e:
        return e.status, e.body
    raise AssertionError("no error")


# Status bodies, byte for byte as upstream writes them.
code, body = status_body(lambda: core.read_namespaced_config_map("nope", "streams"))
assert code == 404, code
assert body == (
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
    '"message":"configmaps \\"nope\\" not found","reason":"NotFound",'
    '"details":{"name":"nope","kind":"configmaps"},"code":404}\n'
), repr(body)
cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="dup"))
core.create_namespaced_config_map("streams", cm)
code, body = status_body(lambda: core.create_namespaced_config_map("streams", cm))
assert code == 409, code
assert body == (
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
    '"message":"configmaps \\"dup\\" already exists","reason":"AlreadyExists",'
    '"details":{"name":"dup","kind":"configmaps"},"code":409}\n'
), repr(body)

# A SharedInformer lists, then watches: its cache and handlers follow.
seen = []
changed = threading.Condition()


def record(kind):
    def handler(obj):
        with changed:
            seen.append((kind, obj.metadata.name))
            changed.notify_all()

    return handler


informer = SharedInformer(core.list_namespaced_config_map, namespace="streams")
for kind in (ADDED, MODIFIED, DELETED):
    informer.add_event_handler(kind, record(kind))
informer.start()


def wait_for(what, timeout=20):
    deadline = time.monotonic() + timeout
    with changed:
        while what not in seen:
            left = deadline - time.monotonic()
            assert left > 0, (what, seen)
            changed.wait(left)


wait_for((ADDED, "dup"))
made = core.create_namespaced_config_map(
    "streams", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="watched"), data={"a": "1"})
)
wait_for((ADDED, "watched"))
made.data["a"] = "2"
core.replace_namespaced_config_map("watched", "streams", made)
wait_for((MODIFIED, "watched"))
assert informer.cache.get_by_key("streams/watched").data == {"a": "2"}
core.delete_namespaced_config_map("watched", "streams")
wait_for((DELETED, "watched"))
assert informer.cache.get_by_key("streams/watched") is None
informer.stop()

# A pod to exec into and forward to.
pod = client.V1Pod(
    metadata=client.V1ObjectMeta(name="shell"),
    spec=client.V1PodSpec(
        containers=[
            client.V1Container(
                name="main",
                image="busybox",
                command=[busybox, "httpd", "-f", "-p", "8080", "-h", www],
            )
        ]
    ),
)
core.create_namespaced_pod("streams", pod)
deadline = time.monotonic() + 60
while core.read_namespaced_pod("shell", "streams").status.phase != "Running":
    assert time.monotonic() < deadline, "the pod never ran"
    time.sleep(0.2)

# exec with stdin: a shell reads the client's writes.
resp = stream(
    core.connect_get_namespaced_pod_exec,
    "shell",
    "streams",
    command=[busybox, "sh"],
    stdin=True,
    stdout=True,
    stderr=True,
    tty=False,
    _preload_content=False,
)
resp.write_stdin("echo test string 1\n")
line = resp.readline_stdout(timeout=5)
assert line == "test string 1", repr(line)
resp.write_stdin("echo test string 2 >&2\n")
line = resp.readline_stderr(timeout=5)
assert line == "test string 2", repr(line)
resp.write_stdin("exit 3\n")
resp.run_forever(timeout=10)
assert not resp.is_open()
assert resp.returncode == 3, resp.returncode
resp.close()

# v5: closing stdin ends `cat`, which has echoed what it read.
resp = stream(
    core.connect_post_namespaced_pod_exec,
    "shell",
    "streams",
    command=[busybox, "cat"],
    stdin=True,
    stdout=True,
    stderr=True,
    tty=False,
    _preload_content=False,
)
assert resp.subprotocol == "v5.channel.k8s.io", resp.subprotocol
resp.write_stdin("test string 4\n")
resp.close_channel(0)
resp.run_forever(timeout=10)
assert resp.read_stdout() == "test string 4\n"
assert resp.returncode == 0, resp.returncode
resp.close()

# port-forward: an HTTP request through the pod's port.
forward = portforward(core.connect_get_namespaced_pod_portforward, "shell", "streams", ports="8080")
sock = forward.socket(8080)
sock.setblocking(True)
sock.sendall(b"GET /index.html HTTP/1.0\r\n\r\n")
reply = b""
while True:
    data = sock.recv(1024)
    if not data:
        break
    reply += data
sock.close()
assert reply.split(b"\r\n")[0].endswith(b" 200 OK"), reply
assert b"hello from the pod" in reply, reply
assert forward.error(8080) is None, forward.error(8080)
forward.close()

core.delete_namespace("streams")
print("python streams ok")
