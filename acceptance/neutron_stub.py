"""A stand-in for Neutron, just enough for Nova servers that have no network.

Nova cannot run with no networking service at all, even for servers created with
"networks": "none". This answers every collection listing with an empty list, every delete
with 204, and the version document for discovery. Nova reaches it only through nova.conf's
[neutron] endpoint_override; it is not in the Keystone catalog.

Usage: python3 neutron_stub.py PORT
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def _send(self, status, body=None):
        data = b'' if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _parts(self):
        path = urlsplit(self.path).path.strip('/')
        return [p for p in path.split('/') if p]

    def do_GET(self):
        parts = self._parts()
        base = 'http://%s:%d' % self.server.server_address[:2]
        if not parts:
            self._send(200, {'versions': [{
                'id': 'v2.0', 'status': 'CURRENT',
                'links': [{'href': base + '/v2.0/', 'rel': 'self'}]}]})
            return
        if parts == ['v2.0']:
            self._send(200, {'resources': []})
            return
        name = parts[-1].removesuffix('.json')
        if len(parts) >= 3 and parts[1] not in ('extensions',):
            # A single resource, e.g. /v2.0/ports/<id>: none exists.
            self._send(404, {'NeutronError': {
                'type': 'NotFound', 'message': 'not found', 'detail': ''}})
            return
        key = name.replace('-', '_')
        self._send(200, {key: []})

    def do_DELETE(self):
        self._send(204)

    def do_POST(self):
        self._send(400, {'NeutronError': {
            'type': 'BadRequest', 'message': 'this stand-in creates nothing', 'detail': ''}})

    do_PUT = do_POST

    def log_message(self, fmt, *args):
        sys.stderr.write('neutron-stub: %s\n' % (fmt % args))


def main():
    port = int(sys.argv[1])
    server = ThreadingHTTPServer(('127.0.0.1', port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == '__main__':
    main()
