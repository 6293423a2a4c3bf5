#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A loopback fake of the GitHub REST endpoints for issue comments, for tests.

It serves, as GitHub documents them (REST API version 2022-11-28):

  GET    /repos/{owner}/{repo}/issues/{n}/comments   (per_page, page, Link)
  POST   /repos/{owner}/{repo}/issues/{n}/comments   -> 201
  GET    /repos/{owner}/{repo}/issues/comments/{id}
  PATCH  /repos/{owner}/{repo}/issues/comments/{id}  -> 200
  DELETE /repos/{owner}/{repo}/issues/comments/{id}  -> 204

and the same under /repositories/{repo_id}/..., the form GitHub uses in its
Link headers. Every request must carry "Authorization: Bearer TOKEN" (or
"token TOKEN"): none gives 401 "Requires authentication", another token 401
"Bad credentials". With --read-only, writes get 403 "Resource not accessible
by integration", as a fork's pull request token does.

For tests: GET /_state returns every comment; --log FILE appends one JSON
line per request (method, path, query, auth ok/bad/missing, headers that
matter, the JSON body, the status answered); --state-out FILE is rewritten
after each change; --fail STATUS:COUNT answers the first COUNT API requests
with STATUS (and "Retry-After: 0"); --seed ISSUE:COUNT pre-creates COUNT
comments on issue ISSUE of --repo; --state FILE loads comments from
{"owner/repo": {"7": [{"body": "...", "user": "login"}, ...]}}.

It binds 127.0.0.1 on a port the kernel picks and prints the port on the
first line of standard output (and writes it to --port-file if given).
"""

import argparse
import json
import os
import re
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_VERSION = "2022-11-28"
BODY_MAX = 65536
REPO_ID = 1296269
DOCS = "https://docs.github.com/rest/issues/comments"


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.args = args
        self.next_id = 1000000001
        self.comments = {}  # (repo, issue) -> [comment]
        self.fail_left = 0
        self.fail_status = 0
        if args.fail:
            status, count = args.fail.split(":")
            self.fail_status, self.fail_left = int(status), int(count)
        if args.state:
            with open(args.state, encoding="utf-8") as f:
                for repo, issues in json.load(f).items():
                    for issue, items in issues.items():
                        for c in items:
                            self.create(repo, int(issue), c["body"],
                                        c.get("user", "someone"))
        for spec in args.seed or []:
            issue, count = spec.split(":")
            for i in range(int(count)):
                self.create(args.repo, int(issue), f"filler comment {i + 1}",
                            "someone")

    def create(self, repo, issue, body, login):
        cid = self.next_id
        self.next_id += 1
        stamp = "2026-01-02T03:04:05Z"
        c = {
            "id": cid,
            "node_id": f"IC_kwDO{cid}",
            "url": f"https://api.github.com/repos/{repo}/issues/comments/{cid}",
            "html_url": f"https://github.com/{repo}/pull/{issue}#issuecomment-{cid}",
            "issue_url": f"https://api.github.com/repos/{repo}/issues/{issue}",
            "body": body,
            "user": {"login": login, "id": 41898282 if login.endswith("[bot]") else 1,
                     "type": "Bot" if login.endswith("[bot]") else "User"},
            "created_at": stamp,
            "updated_at": stamp,
            "author_association": "NONE",
        }
        self.comments.setdefault((repo, issue), []).append(c)
        return c

    def find(self, repo, cid):
        for (r, _), items in self.comments.items():
            if r != repo:
                continue
            for c in items:
                if c["id"] == cid:
                    return c
        return None

    def delete(self, repo, cid):
        for (r, _), items in self.comments.items():
            if r != repo:
                continue
            for i, c in enumerate(items):
                if c["id"] == cid:
                    del items[i]
                    return True
        return False

    def dump(self):
        out = {}
        for (repo, issue), items in sorted(self.comments.items()):
            out.setdefault(repo, {})[str(issue)] = items
        return out

    def save(self):
        if not self.args.state_out:
            return
        tmp = self.args.state_out + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self.dump(), f, indent=1, sort_keys=True)
            f.write("\n")
        os.replace(tmp, self.args.state_out)


PATH_RE = re.compile(
    r"^/(?:repos/(?P<owner>[^/]+)/(?P<name>[^/]+)|repositories/(?P<rid>\d+))"
    r"/issues/(?:(?P<issue>\d+)/comments|comments/(?P<cid>\d+))$")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "GitHub.com"
    sys_version = ""

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):  # quiet: the JSON log says it all
        pass

    def do_GET(self):
        self.handle_api("GET")

    def do_POST(self):
        self.handle_api("POST")

    def do_PATCH(self):
        self.handle_api("PATCH")

    def do_DELETE(self):
        self.handle_api("DELETE")

    def do_PUT(self):
        self.handle_api("PUT")

    def send_json(self, status, obj, headers=()):
        data = b"" if obj is None else json.dumps(obj).encode()
        # Logged before the answer leaves, so a client that has its answer
        # always finds its request in the log.
        self.status_sent = status
        self.log()
        self.send_response(status)
        if obj is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-GitHub-Api-Version-Selected", API_VERSION)
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, message, extra=None):
        obj = {"message": message, "documentation_url": DOCS,
               "status": str(status)}
        if extra:
            obj.update(extra)
        self.send_json(status, obj)

    def auth_state(self):
        h = self.headers.get("Authorization")
        if h is None:
            return "missing"
        parts = h.split(None, 1)
        if len(parts) == 2 and parts[0].lower() in ("bearer", "token") \
                and parts[1] == self.server.args.token:
            return "ok"
        return "bad"

    def handle_api(self, method):
        st = self.server.state
        self.status_sent = 0
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        auth = self.auth_state()
        self.entry = {"method": method, "path": url.path, "query": query,
                      "auth": auth, "body": body}
        self.route(st, method, url.path, query, raw, body, auth)

    def log(self):
        entry = getattr(self, "entry", None)
        if not self.server.args.log or entry is None or entry["path"] == "/_state":
            return
        entry = dict(entry)
        entry.update({
            "accept": self.headers.get("Accept"),
            "api_version": self.headers.get("X-GitHub-Api-Version"),
            "user_agent": self.headers.get("User-Agent"),
            "content_type": self.headers.get("Content-Type"),
            "status": self.status_sent,
        })
        with self.server.log_lock:
            with open(self.server.args.log, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry, sort_keys=True) + "\n")

    def route(self, st, method, path, query, raw, body, auth):
        args = self.server.args
        if path == "/_state" and method == "GET":
            with st.lock:
                self.send_json(200, st.dump())
            return
        with st.lock:
            if st.fail_left > 0:
                st.fail_left -= 1
                self.send_json(st.fail_status, {"message": "Server Error"},
                               [("Retry-After", "0")])
                return
        m = PATH_RE.match(path)
        if not m:
            self.error(404, "Not Found")
            return
        if auth == "missing":
            self.error(401, "Requires authentication")
            return
        if auth == "bad":
            self.error(401, "Bad credentials")
            return
        version = self.headers.get("X-GitHub-Api-Version")
        if version is not None and version != API_VERSION:
            self.error(400, f"API version {version} is not supported.")
            return
        if m.group("rid"):
            if int(m.group("rid")) != REPO_ID:
                self.error(404, "Not Found")
                return
            repo = args.repo
        else:
            repo = f"{m.group('owner')}/{m.group('name')}"
        if method != "GET" and args.read_only:
            self.error(403, "Resource not accessible by integration")
            return
        with st.lock:
            if m.group("issue"):
                self.issue_comments(st, method, repo, int(m.group("issue")),
                                    query, body)
            else:
                self.one_comment(st, method, repo, int(m.group("cid")), body)

    def check_body(self, body):
        if not isinstance(body, dict) or not isinstance(body.get("body"), str):
            self.error(422, "Invalid request.\n\n\"body\" wasn't supplied.")
            return False
        if len(body["body"]) > BODY_MAX:
            self.error(422, "Validation Failed", {"errors": [{
                "resource": "IssueComment", "code": "custom", "field": "body",
                "message": f"body is too long (maximum is {BODY_MAX} characters)"}]})
            return False
        return True

    def issue_comments(self, st, method, repo, issue, query, body):
        if method == "POST":
            if not self.check_body(body):
                return
            c = st.create(repo, issue, body["body"], self.server.args.login)
            st.save()
            self.send_json(201, c, [("Location", c["url"])])
            return
        if method != "GET":
            self.error(404, "Not Found")
            return
        try:
            per_page = min(max(int(query.get("per_page", 30)), 1), 100)
            page = max(int(query.get("page", 1)), 1)
        except ValueError:
            self.error(422, "Invalid request.")
            return
        items = st.comments.get((repo, issue), [])
        pages = max((len(items) + per_page - 1) // per_page, 1)
        chunk = items[(page - 1) * per_page:page * per_page]
        host = self.headers.get("Host", "127.0.0.1")
        base = f"http://{host}/repositories/{REPO_ID}/issues/{issue}/comments"

        def link(p, rel):
            return f'<{base}?per_page={per_page}&page={p}>; rel="{rel}"'
        links = []
        if page > 1:
            links.append(link(page - 1, "prev"))
        if page < pages:
            links.append(link(page + 1, "next"))
            links.append(link(pages, "last"))
        if page > 1:
            links.append(link(1, "first"))
        headers = [("Link", ", ".join(links))] if links else []
        self.send_json(200, chunk, headers)

    def one_comment(self, st, method, repo, cid, body):
        c = st.find(repo, cid)
        if c is None:
            self.error(404, "Not Found")
            return
        if method == "GET":
            self.send_json(200, c)
        elif method == "PATCH":
            if not self.check_body(body):
                return
            c["body"] = body["body"]
            c["updated_at"] = "2026-01-02T03:04:06Z"
            st.save()
            self.send_json(200, c)
        elif method == "DELETE":
            st.delete(repo, cid)
            st.save()
            self.send_json(204, None)
        else:
            self.error(404, "Not Found")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--token", default="ghs_test_token")
    p.add_argument("--repo", default="acme/bank",
                   help="the repository of --seed and of /repositories/ids")
    p.add_argument("--login", default="github-actions[bot]",
                   help="the author of comments the API creates")
    p.add_argument("--read-only", action="store_true")
    p.add_argument("--log")
    p.add_argument("--state")
    p.add_argument("--state-out")
    p.add_argument("--seed", action="append")
    p.add_argument("--fail")
    p.add_argument("--port-file")
    args = p.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.args = args
    server.state = State(args)
    server.log_lock = threading.Lock()
    server.state.save()
    port = server.server_address[1]
    print(port, flush=True)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(f"{port}\n")
        os.replace(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
