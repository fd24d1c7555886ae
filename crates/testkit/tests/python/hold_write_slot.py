"""A client that holds one of the API server's write slots with a request
that takes a while to serve: deleting a large collection.

usage: hold_write_slot.py HOST PORT PKI_DIR PATH
Prints "holding" once the request is in, then the status line it got.
"""

import socket
import ssl
import sys
import time

host, port, pki, path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
context = ssl.create_default_context(cafile=f"{pki}/ca.crt")
context.load_cert_chain(f"{pki}/admin.crt", f"{pki}/admin.key")
context.set_alpn_protocols(["http/1.1"])
connection = context.wrap_socket(socket.create_connection((host, port)), server_hostname=host)
head = f"DELETE {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\n\r\n"
connection.sendall(head.encode())
time.sleep(0.2)
print("holding", flush=True)
response = b""
while b"\r\n" not in response:
    chunk = connection.recv(65536)
    if not chunk:
        break
    response += chunk
print(response.decode(errors="replace").split("\r\n")[0], flush=True)
