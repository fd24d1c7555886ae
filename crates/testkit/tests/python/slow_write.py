"""A client that starts a write and sends its body slowly, holding one of
the API server's in-flight slots meanwhile.

usage: slow_write.py HOST PORT PKI_DIR SECONDS
Prints "holding" once the request is in, then the status line it got.
"""

import socket
import ssl
import sys
import time

host, port, pki, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
context = ssl.create_default_context(cafile=f"{pki}/ca.crt")
context.load_cert_chain(f"{pki}/admin.crt", f"{pki}/admin.key")
context.set_alpn_protocols(["http/1.1"])
connection = context.wrap_socket(socket.create_connection((host, port)), server_hostname=host)
body = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"slow"}}'
head = (
    "POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\n"
    f"Host: {host}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
)
connection.sendall(head.encode() + body[:10])
time.sleep(0.5)
print("holding", flush=True)
time.sleep(seconds)
connection.sendall(body[10:])
print(connection.recv(65536).decode().split("\r\n")[0], flush=True)
