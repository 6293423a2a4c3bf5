#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A proxy in front of a real server that answers 503 to the first N requests.

usage: flaky_proxy.py UPSTREAM PORTFILE LOG N
Listens on a free loopback port (written to PORTFILE once listening),
answers the first N requests with 503 (N < 0: every request), forwards the
others to UPSTREAM (http://host:port) as they came, and appends one line
per request to LOG: "<status> <method> <path>".
"""
import http.server
import sys
import urllib.error
import urllib.request

UPSTREAM, PORTFILE, LOG, FAILS = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
seen = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def handle_one(self):
        global seen
        seen += 1
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        if FAILS < 0 or seen <= FAILS:
            status, data, ctype = 503, b"unavailable\n", "text/plain"
        else:
            req = urllib.request.Request(UPSTREAM + self.path, data=body, method=self.command)
            for k in ("Content-Type", "Accept", "Authorization"):
                if self.headers.get(k):
                    req.add_header(k, self.headers[k])
            try:
                with urllib.request.urlopen(req, timeout=30) as r:
                    status, data, ctype = r.status, r.read(), r.headers.get("Content-Type", "")
            except urllib.error.HTTPError as e:
                status, data, ctype = e.code, e.read(), e.headers.get("Content-Type", "")
        with open(LOG, "a") as f:
            f.write(f"{status} {self.command} {self.path} auth={self.headers.get('Authorization', '-')}\n")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = handle_one


def main():
    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    with open(PORTFILE + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(PORTFILE + ".tmp", PORTFILE)
    srv.serve_forever()


if __name__ == "__main__":
    main()
