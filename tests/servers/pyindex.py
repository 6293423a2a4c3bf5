#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# A loopback Python package index for the tests: serves a folder as a simple
# repository (PEP 691 JSON or PEP 503 HTML, by the Accept header), accepts
# twine-style uploads, answers "already exists" as PyPI (400) or pypiserver
# (409) do, and logs every request as one JSON line.
#
# Folder layout: ROOT/<normalised-name>/<files>; ROOT/<name>/yanked lists the
# yanked file names, one per line.
#
# usage: pyindex.py ROOT PORTFILE LOG [--html-only] [--conflict 400|409]
#                   [--user U --password P]
import base64
import email.parser
import email.policy
import hashlib
import html
import http.server
import json
import os
import re
import sys

ROOT, PORTFILE, LOG = sys.argv[1:4]
OPTS = sys.argv[4:]
HTML_ONLY = "--html-only" in OPTS
CONFLICT = int(OPTS[OPTS.index("--conflict") + 1]) if "--conflict" in OPTS else 400
USER = OPTS[OPTS.index("--user") + 1] if "--user" in OPTS else None
PASSWORD = OPTS[OPTS.index("--password") + 1] if "--password" in OPTS else None


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def log(entry):
    with open(LOG, "a") as f:
        f.write(json.dumps(entry, sort_keys=True) + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, ctype="text/plain"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def authorised(self):
        if USER is None:
            return True
        want = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        return self.headers.get("Authorization") == want

    def do_GET(self):
        accept = self.headers.get("Accept", "")
        log({"method": "GET", "path": self.path, "accept": accept,
             "auth": self.headers.get("Authorization") is not None})
        if not self.authorised():
            return self.reply(401, "unauthorised")
        m = re.fullmatch(r"/simple/([^/]+)/", self.path)
        if not m:
            return self.reply(404, "not found")
        name = norm(m.group(1))
        d = os.path.join(ROOT, name)
        if not os.path.isdir(d):
            return self.reply(404, "not found")
        yanked = set()
        if os.path.exists(os.path.join(d, "yanked")):
            yanked = set(open(os.path.join(d, "yanked")).read().split())
        files = sorted(f for f in os.listdir(d) if f != "yanked")
        if "application/vnd.pypi.simple.v1+json" in accept and not HTML_ONLY:
            doc = {"meta": {"api-version": "1.1"}, "name": name, "files": [
                {"filename": f, "url": f"/files/{name}/{f}",
                 "hashes": {"sha256": hashlib.sha256(open(os.path.join(d, f), "rb").read()).hexdigest()},
                 "yanked": ("broken" if f in yanked else False)} for f in files]}
            return self.reply(200, json.dumps(doc), "application/vnd.pypi.simple.v1+json")
        body = "<!DOCTYPE html>\n<html><body>\n"
        for f in files:
            y = ' data-yanked="broken build"' if f in yanked else ""
            body += f'<a href="/files/{name}/{html.escape(f)}"{y}>{html.escape(f)}</a><br/>\n'
        body += "</body></html>\n"
        return self.reply(200, body, "text/html")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        if not self.authorised():
            log({"method": "POST", "path": self.path, "status": 403})
            return self.reply(403, "Invalid or non-existent authentication information.")
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + self.headers.get("Content-Type", "").encode() + b"\r\n\r\n" + raw)
        fields, content, filename = {}, None, None
        for part in msg.iter_parts():
            key = part.get_param("name", header="content-disposition")
            if key == "content":
                content = part.get_payload(decode=True)
                filename = part.get_filename()
            else:
                fields.setdefault(key, []).append(part.get_payload(decode=True).decode())
        entry = {"method": "POST", "path": self.path, "fields": fields,
                 "filename": filename, "size": len(content or b"")}
        if fields.get(":action") != ["file_upload"] or content is None:
            entry["status"] = 400
            log(entry)
            return self.reply(400, "Invalid upload")
        if hashlib.sha256(content).hexdigest() != fields.get("sha256_digest", [""])[0]:
            entry["status"] = 400
            log(entry)
            return self.reply(400, "The digest supplied does not match a digest calculated from the uploaded file.")
        d = os.path.join(ROOT, norm(fields["name"][0]))
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, filename)
        if os.path.exists(path):
            entry["status"] = CONFLICT
            log(entry)
            if CONFLICT == 409:
                return self.reply(409, "Conflict: file already exists")
            return self.reply(400, "File already exists. See https://pypi.org/help/#file-name-reuse for more information.")
        with open(path, "wb") as f:
            f.write(content)
        entry["status"] = 200
        log(entry)
        return self.reply(200, "OK")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
server.serve_forever()
