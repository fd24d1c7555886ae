"""One HTTPS request to the API server with the admin certificate, for
what kubectl cannot send (other body formats, slow bodies).

usage: raw_request.py HOST PORT PKI_DIR METHOD PATH CONTENT_TYPE [BODY_FILE]
Prints the status code on the first line, then the response body.
"""

import http.client
import ssl
import sys

host, port, pki, method, path, content_type = sys.argv[1:7]
body = open(sys.argv[7], "rb").read() if len(sys.argv) > 7 else None
context = ssl.create_default_context(cafile=f"{pki}/ca.crt")
context.load_cert_chain(f"{pki}/admin.crt", f"{pki}/admin.key")
connection = http.client.HTTPSConnection(host, int(port), context=context)
headers = {"Content-Type": content_type, "Accept": "application/json"}
connection.request(method, path, body=body, headers=headers)
response = connection.getresponse()
print(response.status)
print(response.read().decode())
