#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Compare two MLflow tracking servers request by request (a by-hand tool).

    mlflow-compare.py [-v] BASE_A BASE_B
    e.g. mlflow-compare.py http://127.0.0.1:5077 http://127.0.0.1:$(cat port)

It sends the same scripted sequence of requests to both base URLs -- every
endpoint tests/servers/mlflow_server.py serves, their error cases, pagination,
alias set/get/move/delete, search filters, artifacts -- and prints, per step,
the differences in status code, Content-Type, error_code, message and
response structure (key names, key order, list lengths, value types and
values). It is meant for checking the fake against a real MLflow 2.12.2
server (see /work/shared/MLFLOW.md and start-mlflow.sh for starting one,
with MLFLOW_TRUNCATE_LONG_VALUES=false); it is not run by CI.

What is ignored, by design:
  * ids: every experiment id, run id and generated name the script learns is
    replaced by a placeholder (<exp1>, <run2>, ...) in both answers, also
    inside artifact URIs and messages;
  * server timestamps (creation_time, last_update_time, creation_timestamp,
    last_updated_timestamp); start_time/end_time the script sets are compared;
  * run names MLflow generates when none is given (step lists "ignore");
  * the bodies of GET / (the UI page).
Differences the fake has on purpose are listed in KNOWN below (and in the
fake's docstring); they are printed as "known" and do not count.

Both servers keep state, so every name carries a random suffix; run it
against a fresh fake and a real server that may already hold other data.
Exit status: 0 when the only differences are known ones, 1 otherwise.
"""

import argparse
import http.client
import json
import random
import re
import string
import sys
import urllib.parse

TIMESTAMP_KEYS = {"creation_time", "last_update_time", "creation_timestamp",
                  "last_updated_timestamp"}

# step name -> why the fake differs on purpose
KNOWN = {
    "experiments/create duplicate":
        "message: the fake quotes a shortened sqlite error, not the SQL statement",
    "registered-models/create duplicate":
        "message: the fake quotes a shortened sqlite error, not the SQL statement",
    "runs/create no experiment_id":
        "message: the fake quotes a shortened sqlite error, not the SQL statement",
    "metrics/get-history max_results=2":
        "2.12.2 ignores max_results/page_token and answers the whole history; "
        "the fake paginates",
    "metrics/get-history page 2":
        "2.12.2 ignores max_results/page_token; the fake answers the second page",
    "runs/log-batch over 1 MB":
        "2.12.2 does not enforce the 1 MB request limit; the fake answers 400 "
        "as stricter servers do",
    "GET / (UI page)":
        "the real server started from a source tree has no built UI and answers "
        "text/plain; an installed one answers its HTML page, as the fake does",
    "artifact GET missing":
        "2.12.2 answers 500 INTERNAL_ERROR (the fake does with --missing-artifact-500); "
        "the fake answers 404 RESOURCE_DOES_NOT_EXIST by default",
    "model-versions/search bad attribute":
        "message quotes a Python set: random order on the real server, sorted in the fake",
    "runs/search bad attribute":
        "message quotes a Python set: random order on the real server, sorted in the fake",
    "runs/search bad filter":
        "message: sqlparse's wording of an unparsable clause is approximated",
}


class Target:
    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.https = u.scheme == "https"
        self.host = u.hostname
        self.port = u.port or (443 if self.https else 80)
        self.prefix = u.path.rstrip("/")
        self.ids = []        # (value, placeholder), longest first when used
        self.log = []        # (step, normalised answer)

    def conn(self):
        cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        return cls(self.host, self.port, timeout=60)

    def learn(self, value, label):
        if value and all(v != value for v, _ in self.ids):
            self.ids.append((value, label))

    def subst(self, text):
        """`text` with the learnt ids replaced by their placeholders: long ids
        (run ids, names) wherever they stand as a word, short ones (experiment
        ids like "1") only where an id stands: mlflow-artifacts:/1/..., id=1."""
        for v, label in sorted(self.ids, key=lambda x: -len(x[0])):
            e = re.escape(v)
            if len(v) >= 8:
                text = re.sub(r"(?<![\w-])" + e + r"(?![\w-])", label, text)
            else:
                text = re.sub(r"(?<=:/)" + e + r"(?=/|$)|(?<=id=)" + e + r"\b", label, text)
        return text

    def subst_json(self, v, key=None):
        if isinstance(v, str):
            if key == "experiment_id":
                for value, label in self.ids:
                    if v == value:
                        return label
            return self.subst(v)
        if isinstance(v, list):
            return [self.subst_json(x, key) for x in v]
        if isinstance(v, dict):
            return {k: self.subst_json(x, k) for k, x in v.items()}
        return v


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        self.json = None
        ctype = headers.get("content-type", "")
        if ctype.startswith("application/json"):
            try:
                self.json = json.loads(body.decode("utf-8"))
            except ValueError:
                pass

    def get(self, *path, default=None):
        v = self.json
        for p in path:
            try:
                v = v[p]
            except (KeyError, IndexError, TypeError):
                return default
        return v


def call(t, step, method, path, query=None, body=None, raw_query=None, raw=None,
         ctype="application/json", ignore=(), keep_body=False):
    """One request; `path` is under /api/2.0/mlflow/ unless it starts with /."""
    full = t.prefix + (path if path.startswith("/") else "/api/2.0/mlflow/" + path)
    if raw_query is not None:
        full += "?" + raw_query
    elif query:
        full += "?" + urllib.parse.urlencode(query, doseq=True)
    headers = {}
    data = None
    if raw is not None:
        data = raw
    elif body is not None:
        data = json.dumps(body).encode()
    if data is not None or method in ("POST", "PUT"):
        if ctype:
            headers["Content-Type"] = ctype
        data = data or b""
    c = t.conn()
    try:
        c.request(method, full, body=data, headers=headers)
        r = c.getresponse()
        ans = Answer(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    except (OSError, http.client.HTTPException) as e:
        ans = Answer(0, {}, str(e).encode())
    finally:
        c.close()
    t.log.append((step, ans, set(ignore), keep_body))
    return ans


def script(t, sfx):
    """The request sequence; `t` is one target. Returns nothing: see t.log."""
    E = f"cmp-{sfx}-exp"
    M = f"cmp-{sfx}-model"
    call(t, "GET / (UI page)", "GET", "/")
    call(t, "unknown route", "GET", "nope/nothing")
    call(t, "wrong method", "POST", "experiments/get", body={})
    call(t, "runs/search via GET", "GET", "runs/search")
    call(t, "model-versions/search via POST", "POST", "model-versions/search", body={})

    # experiments
    call(t, "experiments/get Default", "GET", "experiments/get",
         {"experiment_id": "0"}, ignore={"artifact_location"})
    a = call(t, "experiments/create", "POST", "experiments/create", body={"name": E})
    exp = a.get("experiment_id")
    t.learn(exp, "<exp1>")
    call(t, "experiments/create duplicate", "POST", "experiments/create", body={"name": E})
    call(t, "experiments/create no name", "POST", "experiments/create", body={})
    call(t, "experiments/create name not a string", "POST", "experiments/create",
         body={"name": 5})
    call(t, "experiments/create no Content-Type", "POST", "experiments/create",
         body={"name": E + "x"}, ctype=None)
    call(t, "experiments/create text/plain", "POST", "experiments/create",
         body={"name": E + "x"}, ctype="text/plain")
    call(t, "experiments/create malformed JSON", "POST", "experiments/create",
         raw=b'{"name": "oops",')
    call(t, "experiments/get-by-name", "GET", "experiments/get-by-name",
         {"experiment_name": E})
    call(t, "experiments/get-by-name unknown", "GET", "experiments/get-by-name",
         {"experiment_name": E + "-nope"})
    call(t, "experiments/get-by-name no param", "GET", "experiments/get-by-name")
    call(t, "experiments/get", "GET", "experiments/get", {"experiment_id": exp})
    call(t, "experiments/get unknown", "GET", "experiments/get",
         {"experiment_id": "987654321"})
    call(t, "experiments/get no param", "GET", "experiments/get")

    # runs
    runs = []
    for i, (name, start, team) in enumerate([("r1", 1000, "a"), ("r2", 2000, "b"),
                                             (None, 3000, "b")]):
        body = {"experiment_id": exp, "start_time": start, "user_id": "alice",
                "tags": [{"key": "mlci.idempotency_key", "value": f"k{i + 1}"},
                         {"key": "team", "value": team}]}
        if name:
            body["run_name"] = name
        a = call(t, f"runs/create #{i + 1}", "POST", "runs/create", body=body,
                 ignore={"run_name", "value"} if not name else ())
        rid = a.get("run", "info", "run_id")
        t.learn(rid, f"<run{i + 1}>")
        if not name:
            t.learn(a.get("run", "info", "run_name"), "<generated-name>")
        runs.append(rid)
    r1, r2, r3 = runs
    a = call(t, "runs/create minimal", "POST", "runs/create", body={"experiment_id": exp},
             ignore={"run_name", "value", "start_time"})
    t.learn(a.get("run", "info", "run_id"), "<run4>")
    t.learn(a.get("run", "info", "run_name"), "<generated-name4>")
    a = call(t, "runs/create no experiment_id", "POST", "runs/create",
             body={"run_name": "in-default"})
    t.learn(a.get("run", "info", "run_id"), "<run-default>")
    call(t, "runs/create name vs tag conflict", "POST", "runs/create",
         body={"experiment_id": exp, "run_name": "x",
               "tags": [{"key": "mlflow.runName", "value": "y"}]})
    call(t, "runs/create unknown experiment", "POST", "runs/create",
         body={"experiment_id": "987654321"})
    call(t, "runs/create start_time string", "POST", "runs/create",
         body={"experiment_id": exp, "start_time": "soon"})
    call(t, "runs/get", "GET", "runs/get", {"run_id": r1})
    call(t, "runs/get unknown", "GET", "runs/get", {"run_id": "0123456789abcdef0123456789abcdef"})
    call(t, "runs/get no param", "GET", "runs/get")
    call(t, "runs/update FINISHED", "POST", "runs/update",
         body={"run_id": r1, "status": "FINISHED", "end_time": 3000})
    call(t, "runs/update unknown status first", "POST", "runs/update",
         body={"run_id": r2, "status": "BOGUS", "end_time": 4000})
    call(t, "runs/update unknown status last", "POST", "runs/update",
         body={"run_id": r3, "end_time": 4000, "status": "BOGUS"})
    call(t, "runs/update KILLED as number", "POST", "runs/update",
         body={"run_id": r3, "status": 5})
    call(t, "runs/update unknown run", "POST", "runs/update",
         body={"run_id": "0123456789abcdef0123456789abcdef", "status": "FINISHED"})
    call(t, "runs/update no run_id", "POST", "runs/update", body={"status": "FINISHED"})
    call(t, "runs/get after updates", "GET", "runs/get", {"run_id": r3},
         ignore={"run_name", "value"})

    # log-batch
    metrics = [{"key": "m", "value": 0.5, "timestamp": 10, "step": 2},
               {"key": "m", "value": 0.7, "timestamp": 5, "step": 1},
               {"key": "m", "value": 0.9, "timestamp": 5, "step": 0},
               {"key": "m", "value": 0.7, "timestamp": 5, "step": 1},
               {"key": "loss", "value": 1.25, "timestamp": 1, "step": 0},
               {"key": "weird", "value": "NaN", "timestamp": 1, "step": 0}]
    call(t, "runs/log-batch", "POST", "runs/log-batch", body={
        "run_id": r1, "metrics": metrics,
        "params": [{"key": "p", "value": "v"}, {"key": "lr", "value": "0.1"}],
        "tags": [{"key": "team", "value": "a2"}, {"key": "mlflow.note.content", "value": "x"}]})
    call(t, "runs/log-batch same again", "POST", "runs/log-batch", body={
        "run_id": r1, "metrics": metrics[:2], "params": [{"key": "p", "value": "v"}]})
    call(t, "runs/log-batch param changed", "POST", "runs/log-batch", body={
        "run_id": r1, "params": [{"key": "p", "value": "w"}]})
    call(t, "runs/log-batch run2", "POST", "runs/log-batch", body={
        "run_id": r2, "metrics": [{"key": "m", "value": 0.3, "timestamp": 1, "step": 0}],
        "params": [{"key": "p", "value": "v"}]})
    call(t, "runs/log-batch run3", "POST", "runs/log-batch", body={
        "run_id": r3, "metrics": [{"key": "m", "value": 0.8, "timestamp": 1, "step": 0}],
        "params": [{"key": "p", "value": "other"}]})
    call(t, "runs/log-batch 1001 metrics", "POST", "runs/log-batch", body={
        "run_id": r1, "metrics": [{"key": "n", "value": 1, "timestamp": i, "step": 0}
                                  for i in range(1001)]})
    call(t, "runs/log-batch 101 params", "POST", "runs/log-batch", body={
        "run_id": r1, "params": [{"key": f"q{i}", "value": "1"} for i in range(101)]})
    call(t, "runs/log-batch 101 tags", "POST", "runs/log-batch", body={
        "run_id": r1, "tags": [{"key": f"t{i}", "value": "1"} for i in range(101)]})
    call(t, "runs/log-batch 1001 in all", "POST", "runs/log-batch", body={
        "run_id": r1,
        "metrics": [{"key": "n", "value": 1, "timestamp": i, "step": 0} for i in range(900)],
        "params": [{"key": f"q{i}", "value": "1"} for i in range(100)],
        "tags": [{"key": "t", "value": "1"}]})
    call(t, "runs/log-batch bad param key", "POST", "runs/log-batch", body={
        "run_id": r1, "params": [{"key": "a*b", "value": "1"}]})
    call(t, "runs/log-batch bad metric key", "POST", "runs/log-batch", body={
        "run_id": r1, "metrics": [{"key": "../m", "value": 1, "timestamp": 1, "step": 0}]})
    call(t, "runs/log-batch bad tag key", "POST", "runs/log-batch", body={
        "run_id": r1, "tags": [{"key": "a:b", "value": "1"}]})
    call(t, "runs/log-batch key 251", "POST", "runs/log-batch", body={
        "run_id": r1, "params": [{"key": "k" * 251, "value": "1"}]})
    call(t, "runs/log-batch key 250", "POST", "runs/log-batch", body={
        "run_id": r1, "params": [{"key": "k" * 250, "value": "1"}]})
    call(t, "runs/log-batch param value 6001", "POST", "runs/log-batch", body={
        "run_id": r1, "params": [{"key": "long", "value": "v" * 6001}]})
    call(t, "runs/log-batch param value 6000", "POST", "runs/log-batch", body={
        "run_id": r1, "params": [{"key": "long", "value": "v" * 6000}]})
    call(t, "runs/log-batch tag value 5001", "POST", "runs/log-batch", body={
        "run_id": r1, "tags": [{"key": "long", "value": "v" * 5001}]})
    call(t, "runs/log-batch tag value 5000", "POST", "runs/log-batch", body={
        "run_id": r1, "tags": [{"key": "long", "value": "v" * 5000}]})
    call(t, "runs/log-batch non-numeric metric", "POST", "runs/log-batch", body={
        "run_id": r2, "metrics": [{"key": "nn", "value": "abc", "timestamp": 7, "step": 3}]})
    call(t, "runs/log-batch metric without timestamp", "POST", "runs/log-batch", body={
        "run_id": r1, "metrics": [{"key": "m", "value": 1}]})
    call(t, "runs/log-batch negative timestamp", "POST", "runs/log-batch", body={
        "run_id": r1, "metrics": [{"key": "m", "value": 1, "timestamp": -1}]})
    call(t, "runs/log-batch param without key", "POST", "runs/log-batch", body={
        "run_id": r1, "params": [{"value": "1"}]})
    call(t, "runs/log-batch duplicate param keys", "POST", "runs/log-batch", body={
        "run_id": r1, "params": [{"key": "d", "value": "1"}, {"key": "d", "value": "2"}]})
    call(t, "runs/log-batch malformed JSON", "POST", "runs/log-batch", raw=b"{nope")
    call(t, "runs/log-batch no run_id", "POST", "runs/log-batch", body={"params": []})
    call(t, "runs/log-batch unknown run", "POST", "runs/log-batch", body={
        "run_id": "0123456789abcdef0123456789abcdef", "params": [{"key": "a", "value": "1"}]})
    call(t, "runs/log-batch invalid run id", "POST", "runs/log-batch", body={
        "run_id": "!!", "params": [{"key": "a", "value": "1"}]})
    call(t, "runs/get after log-batch", "GET", "runs/get", {"run_id": r1})
    call(t, "runs/get non-numeric metric", "GET", "runs/get", {"run_id": r2},
         ignore={"value"} if False else ())

    # metric history
    call(t, "metrics/get-history", "GET", "metrics/get-history",
         {"run_id": r1, "metric_key": "m"})
    call(t, "metrics/get-history NaN", "GET", "metrics/get-history",
         {"run_id": r1, "metric_key": "weird"})
    a = call(t, "metrics/get-history max_results=2", "GET", "metrics/get-history",
             {"run_id": r1, "metric_key": "m", "max_results": "2"})
    tok = a.get("next_page_token")
    if tok:
        call(t, "metrics/get-history page 2", "GET", "metrics/get-history",
             {"run_id": r1, "metric_key": "m", "max_results": "2", "page_token": tok})
    else:
        call(t, "metrics/get-history page 2", "GET", "metrics/get-history",
             {"run_id": r1, "metric_key": "m", "max_results": "2"})
    call(t, "metrics/get-history unknown key", "GET", "metrics/get-history",
         {"run_id": r1, "metric_key": "nope"})
    call(t, "metrics/get-history unknown run", "GET", "metrics/get-history",
         {"run_id": "0123456789abcdef0123456789abcdef", "metric_key": "m"})
    call(t, "metrics/get-history no metric_key", "GET", "metrics/get-history",
         {"run_id": r1})

    # search
    def search(step, **body):
        body.setdefault("experiment_ids", [exp])
        return call(t, step, "POST", "runs/search", body=body,
                    ignore={"run_name", "value"})
    search("runs/search all")
    search("runs/search tag dotted key", filter="tags.mlci.idempotency_key = 'k1'")
    search("runs/search tag backticks double quotes",
           filter='tags.`mlci.idempotency_key` = "k2"')
    search("runs/search status", filter="attributes.status = 'FINISHED'")
    search("runs/search status no prefix", filter="status = 'RUNNING'")
    search("runs/search run_name", filter="attributes.run_name = 'r1'")
    search("runs/search param and metric", filter="params.p = 'v' and metrics.m > 0.5")
    search("runs/search metric <=", filter="metrics.m <= 0.5")
    search("runs/search three ANDs",
           filter="tags.team = 'b' AND params.p = 'v' AND metrics.m >= 0.3")
    search("runs/search param !=", filter="params.p != 'v'")
    search("runs/search tag LIKE", filter="tags.team LIKE 'a%'")
    search("runs/search tag ILIKE", filter="tags.team ILIKE 'B'")
    search("runs/search start_time", filter="attributes.start_time > 1500")
    search("runs/search run_id IN", filter=f"attributes.run_id IN ('{r1}', '{r2}')")
    search("runs/search order start_time DESC", order_by=["attributes.start_time DESC"])
    search("runs/search order start_time ASC", order_by=["attributes.start_time ASC"])
    search("runs/search order metric", order_by=["metrics.m DESC"])
    search("runs/search order param", order_by=["params.p"])
    search("runs/search view ALL", run_view_type="ALL")
    search("runs/search view DELETED_ONLY", run_view_type="DELETED_ONLY")
    search("runs/search no experiments", experiment_ids=[])
    search("runs/search bad attribute", filter="attributes.nope = 'x'")
    search("runs/search bad filter", filter="tags.team = 'a' OR tags.team = 'b'")
    search("runs/search metric vs string", filter="metrics.m > 'x'")
    search("runs/search tag unquoted", filter="tags.team = 5")
    search("runs/search max_results 50001", max_results=50001)
    search("runs/search bad page token", page_token="notatoken")
    search("runs/search bad order_by", order_by=["attributes.start_time sideways"])
    page = 1
    token = None
    while True:
        body = {"max_results": 1}
        if token:
            body["page_token"] = token
        a = search(f"runs/search page {page}", **body)
        token = a.get("next_page_token")
        page += 1
        if not token or page > 6:
            break

    # model registry
    call(t, "registered-models/create", "POST", "registered-models/create", body={"name": M})
    call(t, "registered-models/create duplicate", "POST", "registered-models/create",
         body={"name": M})
    call(t, "registered-models/create no name", "POST", "registered-models/create", body={})
    call(t, "registered-models/create with tags", "POST", "registered-models/create",
         body={"name": M + "-t", "description": "d",
               "tags": [{"key": "owner", "value": "me"}]})
    call(t, "registered-models/get empty", "GET", "registered-models/get", {"name": M})
    call(t, "registered-models/get unknown", "GET", "registered-models/get",
         {"name": M + "-nope"})
    art = f"mlflow-artifacts:/{exp}/{r1}/artifacts/model"
    call(t, "model-versions/create v1", "POST", "model-versions/create",
         body={"name": M, "source": art, "run_id": r1})
    call(t, "model-versions/create v2", "POST", "model-versions/create",
         body={"name": M, "source": art, "run_id": r2, "description": "second",
               "tags": [{"key": "k", "value": "v"}]})
    call(t, "model-versions/create v3", "POST", "model-versions/create",
         body={"name": M, "source": art + "3", "run_id": r3})
    call(t, "model-versions/create unknown model", "POST", "model-versions/create",
         body={"name": M + "-nope", "source": art, "run_id": r1})
    call(t, "model-versions/create relative source", "POST", "model-versions/create",
         body={"name": M, "source": "mlflow-artifacts:/a/../../b", "run_id": r1})
    call(t, "model-versions/create local source", "POST", "model-versions/create",
         body={"name": M, "source": "/tmp/model"})
    call(t, "model-versions/create no source", "POST", "model-versions/create",
         body={"name": M})
    call(t, "model-versions/get", "GET", "model-versions/get", {"name": M, "version": "1"})
    call(t, "model-versions/get unknown", "GET", "model-versions/get",
         {"name": M, "version": "99"})
    call(t, "model-versions/get not a number", "GET", "model-versions/get",
         {"name": M, "version": "abc"})
    call(t, "model-versions/get no version", "GET", "model-versions/get", {"name": M})
    call(t, "model-versions/set-tag", "POST", "model-versions/set-tag",
         body={"name": M, "version": "1", "key": "validated", "value": "yes"})
    call(t, "model-versions/set-tag unknown version", "POST", "model-versions/set-tag",
         body={"name": M, "version": "42", "key": "validated", "value": "yes"})
    call(t, "model-versions/set-tag bad key", "POST", "model-versions/set-tag",
         body={"name": M, "version": "1", "key": "a*b", "value": "yes"})
    call(t, "model-versions/search by name", "GET", "model-versions/search",
         {"filter": f"name='{M}'"})
    call(t, "model-versions/search by run_id", "GET", "model-versions/search",
         {"filter": f"run_id='{r2}'"})
    call(t, "model-versions/search name AND source_path", "GET", "model-versions/search",
         {"filter": f"name='{M}' AND source_path='{art}3'"})
    call(t, "model-versions/search bad attribute", "GET", "model-versions/search",
         {"filter": "nope='x'"})
    a = call(t, "model-versions/search page 1", "GET", "model-versions/search",
             {"filter": f"name='{M}'", "max_results": "2"})
    tok = a.get("next_page_token") or "eyJvZmZzZXQiOiAyfQ=="
    call(t, "model-versions/search page 2", "GET", "model-versions/search",
         {"filter": f"name='{M}'", "max_results": "2", "page_token": tok})
    call(t, "model-versions/search raw = in token", "GET", "model-versions/search",
         raw_query="filter=" + urllib.parse.quote(f"name='{M}'") +
         "&max_results=2&page_token=" + tok)
    call(t, "model-versions/search order_by", "GET", "model-versions/search",
         {"filter": f"name='{M}'", "order_by": "version_number ASC"})
    call(t, "model-versions/search max_results 0", "GET", "model-versions/search",
         {"filter": f"name='{M}'", "max_results": "0"})

    # stages
    call(t, "transition-stage staging lowercase", "POST", "model-versions/transition-stage",
         body={"name": M, "version": "1", "stage": "staging",
               "archive_existing_versions": False})
    call(t, "transition-stage v2 Production", "POST", "model-versions/transition-stage",
         body={"name": M, "version": "2", "stage": "Production",
               "archive_existing_versions": False})
    call(t, "transition-stage v3 Production archive", "POST",
         "model-versions/transition-stage",
         body={"name": M, "version": "3", "stage": "production",
               "archive_existing_versions": True})
    call(t, "transition-stage bad stage", "POST", "model-versions/transition-stage",
         body={"name": M, "version": "1", "stage": "Prod",
               "archive_existing_versions": False})
    call(t, "transition-stage archive to None", "POST", "model-versions/transition-stage",
         body={"name": M, "version": "1", "stage": "None",
               "archive_existing_versions": True})
    call(t, "transition-stage unknown version", "POST", "model-versions/transition-stage",
         body={"name": M, "version": "9", "stage": "Staging",
               "archive_existing_versions": False})
    call(t, "model-versions/get v2 archived", "GET", "model-versions/get",
         {"name": M, "version": "2"})

    # aliases
    call(t, "alias set champion v1", "POST", "registered-models/alias",
         body={"name": M, "alias": "champion", "version": "1"})
    call(t, "alias set other v1", "POST", "registered-models/alias",
         body={"name": M, "alias": "blessed", "version": "1"})
    call(t, "alias get champion", "GET", "registered-models/alias",
         {"name": M, "alias": "champion"})
    call(t, "alias move champion v2", "POST", "registered-models/alias",
         body={"name": M, "alias": "champion", "version": "2"})
    call(t, "alias get champion moved", "GET", "registered-models/alias",
         {"name": M, "alias": "champion"})
    call(t, "registered-models/get with versions and aliases", "GET",
         "registered-models/get", {"name": M})
    call(t, "model-versions/get v1 aliases", "GET", "model-versions/get",
         {"name": M, "version": "1"})
    call(t, "alias reserved latest", "POST", "registered-models/alias",
         body={"name": M, "alias": "Latest", "version": "1"})
    call(t, "alias reserved v7", "POST", "registered-models/alias",
         body={"name": M, "alias": "v7", "version": "1"})
    call(t, "alias bad characters", "POST", "registered-models/alias",
         body={"name": M, "alias": "a.b", "version": "1"})
    call(t, "alias too long", "POST", "registered-models/alias",
         body={"name": M, "alias": "a" * 256, "version": "1"})
    call(t, "alias unknown version", "POST", "registered-models/alias",
         body={"name": M, "alias": "x", "version": "99"})
    call(t, "alias unknown model", "POST", "registered-models/alias",
         body={"name": M + "-nope", "alias": "x", "version": "1"})
    call(t, "alias get missing", "GET", "registered-models/alias",
         {"name": M, "alias": "nope"})
    call(t, "alias get no alias", "GET", "registered-models/alias", {"name": M})
    call(t, "alias delete with query", "DELETE", "registered-models/alias",
         {"name": M, "alias": "champion"})
    call(t, "alias delete JSON body", "DELETE", "registered-models/alias",
         body={"name": M, "alias": "champion"})
    call(t, "alias delete again", "DELETE", "registered-models/alias",
         body={"name": M, "alias": "champion"})
    call(t, "alias delete unknown model", "DELETE", "registered-models/alias",
         body={"name": M + "-nope", "alias": "champion"})
    call(t, "alias get after delete", "GET", "registered-models/alias",
         {"name": M, "alias": "champion"})
    call(t, "registered-models/get after delete", "GET", "registered-models/get", {"name": M})

    # odds and ends a client may run into
    call(t, "experiments/create with tags and location", "POST", "experiments/create",
         body={"name": E + "-tagged", "artifact_location": "s3://bucket/prefix",
               "tags": [{"key": "owner", "value": "me"}]})
    a = call(t, "experiments/get-by-name tagged", "GET", "experiments/get-by-name",
             {"experiment_name": E + "-tagged"})
    t.learn(a.get("experiment", "experiment_id"), "<exp-tagged>")
    call(t, "experiments/create location with fragment", "POST", "experiments/create",
         body={"name": E + "-frag", "artifact_location": "s3://bucket/x#frag"})
    call(t, "experiments/get-by-name odd name", "GET", "experiments/get-by-name",
         {"experiment_name": "a b/c&d=e"})
    call(t, "runs/get with JSON body, no query", "GET", "runs/get", body={"run_id": r1})
    call(t, "runs/get repeated run_id", "GET", "runs/get", raw_query=f"run_id={r1}&run_id={r2}")
    call(t, "runs/get empty run_id", "GET", "runs/get", raw_query="run_id=")
    call(t, "ajax-api runs/get", "GET", "/ajax-api/2.0/mlflow/runs/get", {"run_id": r1})
    call(t, "runs/update run_name", "POST", "runs/update",
         body={"run_id": r2, "run_name": "r2-renamed"})
    call(t, "runs/update end_time as string", "POST", "runs/update",
         body={"run_id": r2, "end_time": "5000"})
    call(t, "runs/update end_time not a number", "POST", "runs/update",
         body={"run_id": r2, "end_time": "later"})
    a = call(t, "runs/create runName tag only", "POST", "runs/create",
             body={"experiment_id": exp, "start_time": "500",
                   "tags": [{"key": "mlflow.runName", "value": "from-tag"}]})
    r5 = a.get("run", "info", "run_id")
    t.learn(r5, "<run5>")
    call(t, "runs/log-batch odd metric values", "POST", "runs/log-batch", body={
        "run_id": r5, "metrics": [
            {"key": "s", "value": "1.5", "timestamp": 1, "step": 0},
            {"key": "i", "value": 2, "timestamp": "2", "step": "1"},
            {"key": "inf", "value": "Infinity", "timestamp": 3},
            {"key": "b", "value": True, "timestamp": 4}]})
    call(t, "runs/log-batch rename by tag", "POST", "runs/log-batch", body={
        "run_id": r5, "tags": [{"key": "mlflow.runName", "value": "renamed"}]})
    call(t, "runs/get odd metrics, renamed", "GET", "runs/get", {"run_id": r5})
    call(t, "metrics/get-history Infinity", "GET", "metrics/get-history",
         {"run_id": r5, "metric_key": "inf"})
    call(t, "runs/log-batch metric step float", "POST", "runs/log-batch", body={
        "run_id": r5, "metrics": [{"key": "f", "value": 1, "timestamp": 1, "step": 1.5}]})
    call(t, "runs/log-batch unknown field", "POST", "runs/log-batch", body={
        "run_id": r5, "bogus": 1, "params": [{"key": "after", "value": "1"}]})
    call(t, "runs/get after unknown field", "GET", "runs/get", {"run_id": r5})
    search("runs/search run_name LIKE", filter="attributes.run_name LIKE '%renamed'")
    search("runs/search metric =", filter="metrics.m = 0.5")
    search("runs/search tag !=", filter="tags.team != 'a'")
    search("runs/search end_time", filter="attributes.end_time < 5000")
    search("runs/search created alias", filter="created >= 1000")
    search("runs/search experiment_ids a string", experiment_ids="xyz")
    search("runs/search experiment_ids numbers", experiment_ids=[int(exp)])
    call(t, "runs/create experiment_id a number", "POST", "runs/create",
         body={"experiment_id": 987654321})
    search("runs/search max_results as string", max_results="2")
    search("runs/search max_results 0", max_results=0)
    search("runs/search order tag and run_name",
           order_by=["tags.team ASC", "attributes.start_time ASC"])
    search("runs/search order duplicate",
           order_by=["attributes.start_time ASC", "attributes.start_time DESC"])
    search("runs/search params ILIKE", filter="params.p ILIKE 'V'")
    call(t, "model-versions/search run_id IN", "GET", "model-versions/search",
         {"filter": f"run_id IN ('{r1}', '{r3}')"})
    call(t, "model-versions/search tag", "GET", "model-versions/search",
         {"filter": f"name = '{M}' and tags.k = 'v'"})
    call(t, "model-versions/search name LIKE", "GET", "model-versions/search",
         {"filter": f"name LIKE '{M}%'", "order_by": ["name ASC", "version_number ASC"]})
    call(t, "model-versions/search max_results not a number", "GET",
         "model-versions/search", {"filter": f"name='{M}'", "max_results": "many"})
    call(t, "model-versions/create unknown run", "POST", "model-versions/create",
         body={"name": M + "-t", "source": "s3://bucket/model",
               "run_id": "0123456789abcdef0123456789abcdef"})
    call(t, "model-versions/create no run_id", "POST", "model-versions/create",
         body={"name": M + "-t", "source": "s3://bucket/model2"})
    call(t, "registered-models/get tagged", "GET", "registered-models/get", {"name": M + "-t"})
    call(t, "transition-stage archive flag as string", "POST",
         "model-versions/transition-stage",
         body={"name": M, "version": "1", "stage": "Staging",
               "archive_existing_versions": "true"})
    call(t, "alias delete without Content-Type", "DELETE", "registered-models/alias",
         body={"name": M, "alias": "blessed"}, ctype=None)
    call(t, "registered-models/get after alias deletes", "GET", "registered-models/get",
         {"name": M})

    # artifacts
    base = f"/api/2.0/mlflow-artifacts/artifacts/{exp}/{r1}/artifacts"
    call(t, "artifact PUT MLmodel", "PUT", base + "/model/MLmodel",
         raw=b"flavors: {}\n", ctype="application/octet-stream")
    call(t, "artifact PUT nested", "PUT", base + "/model/data/weights.bin",
         raw=bytes(range(256)), ctype="application/octet-stream")
    call(t, "artifact PUT report.json", "PUT", base + "/report.json",
         raw=b'{"ok": true}', ctype="application/json")
    call(t, "artifact GET", "GET", base + "/model/MLmodel", keep_body=True)
    call(t, "artifact GET binary", "GET", base + "/model/data/weights.bin", keep_body=True)
    call(t, "artifact GET json", "GET", base + "/report.json", keep_body=True)
    call(t, "artifact GET missing", "GET", base + "/model/nope.txt")
    call(t, "artifact list run root", "GET", "/api/2.0/mlflow-artifacts/artifacts",
         {"path": f"{exp}/{r1}/artifacts"})
    call(t, "artifact list model dir", "GET", "/api/2.0/mlflow-artifacts/artifacts",
         {"path": f"{exp}/{r1}/artifacts/model"})
    call(t, "artifact list missing dir", "GET", "/api/2.0/mlflow-artifacts/artifacts",
         {"path": f"{exp}/{r1}/artifacts/nope"})
    call(t, "artifact list traversal", "GET", "/api/2.0/mlflow-artifacts/artifacts",
         {"path": "../etc"})
    call(t, "artifact POST", "POST", base + "/model/MLmodel", raw=b"x")

    # last, in an experiment of its own: what the servers disagree on keeps
    # its effects away from the steps above
    a = call(t, "experiments/create big", "POST", "experiments/create", body={"name": E + "-big"})
    t.learn(a.get("experiment_id"), "<exp2>")
    a = call(t, "runs/create big", "POST", "runs/create",
             body={"experiment_id": a.get("experiment_id"), "run_name": "big"})
    rb = a.get("run", "info", "run_id")
    t.learn(rb, "<run-big>")
    call(t, "runs/log-batch over 1 MB", "POST", "runs/log-batch", body={
        "run_id": rb,
        "params": [{"key": f"big{i}", "value": "p" * 6000} for i in range(100)],
        "tags": [{"key": f"big{i}", "value": "t" * 5000} for i in range(100)]})


def shape_diff(a, b, path, out, ignore):
    key = path.rsplit(".", 1)[-1].split("[")[0]
    if key in TIMESTAMP_KEYS:
        if type(a) is not type(b):
            out.append(f"{path}: type {type(a).__name__} vs {type(b).__name__}")
        return
    if isinstance(a, dict) and isinstance(b, dict):
        ka, kb = list(a), list(b)
        if set(ka) != set(kb):
            only_a = [k for k in ka if k not in b]
            only_b = [k for k in kb if k not in a]
            if only_a:
                out.append(f"{path}: only in A: {only_a}")
            if only_b:
                out.append(f"{path}: only in B: {only_b}")
        elif ka != kb:
            out.append(f"{path}: key order {ka} vs {kb}")
        for k in ka:
            if k in b:
                shape_diff(a[k], b[k], f"{path}.{k}", out, ignore)
        return
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items vs {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            shape_diff(x, y, f"{path}[{i}]", out, ignore)
        return
    if type(a) is not type(b):
        out.append(f"{path}: {a!r} ({type(a).__name__}) vs {b!r} ({type(b).__name__})")
        return
    if key in ignore:
        return
    if a != b:
        sa, sb = repr(a), repr(b)
        if len(sa) > 120:
            sa = sa[:117] + "..."
        if len(sb) > 120:
            sb = sb[:117] + "..."
        out.append(f"{path}: {sa} vs {sb}")


def normalise(t, ans):
    if ans.json is not None:
        return t.subst_json(ans.json)
    return None


def compare_step(ta, tb, ea, eb):
    step, a, ignore, keep_body = ea
    _, b, _, _ = eb
    out = []
    if a.status != b.status:
        out.append(f"status {a.status} vs {b.status}")
    ca = a.headers.get("content-type", "")
    cb = b.headers.get("content-type", "")
    if ca != cb:
        out.append(f"Content-Type {ca!r} vs {cb!r}")
    for h in ("content-disposition", "www-authenticate"):
        if a.headers.get(h) != b.headers.get(h):
            out.append(f"{h} {a.headers.get(h)!r} vs {b.headers.get(h)!r}")
    ja, jb = normalise(ta, a), normalise(tb, b)
    if ja is not None or jb is not None:
        if isinstance(ja, dict) and isinstance(jb, dict) and \
                ("error_code" in ja or "error_code" in jb):
            if ja.get("error_code") != jb.get("error_code"):
                out.append(f"error_code {ja.get('error_code')} vs {jb.get('error_code')}")
            if ja.get("message") != jb.get("message"):
                out.append(f"message:\n      A: {ja.get('message')!r}\n"
                           f"      B: {jb.get('message')!r}")
        else:
            shape_diff(ja, jb, "$", out, ignore)
    elif step != "GET / (UI page)" or keep_body:
        ba, bb = ta.subst(a.body.decode("latin-1")), tb.subst(b.body.decode("latin-1"))
        if ba != bb:
            out.append(f"body {ba[:200]!r} vs {bb[:200]!r}")
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("base_a")
    p.add_argument("base_b")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="print every step, and the answers of differing ones")
    args = p.parse_args()
    sfx = "".join(random.choice(string.ascii_lowercase) for _ in range(6))
    ta, tb = Target(args.base_a), Target(args.base_b)
    script(ta, sfx)
    script(tb, sfx)
    if len(ta.log) != len(tb.log):
        print(f"the scripts diverged: {len(ta.log)} vs {len(tb.log)} steps")
    same = known = differ = 0
    for ea, eb in zip(ta.log, tb.log):
        step = ea[0]
        diffs = compare_step(ta, tb, ea, eb)
        if not diffs:
            same += 1
            if args.verbose:
                print(f"same   {step}  [{ea[1].status}]")
            continue
        if step in KNOWN:
            known += 1
            print(f"known  {step}: {KNOWN[step]}")
        else:
            differ += 1
            print(f"DIFF   {step}")
        for d in diffs:
            print(f"    {d}")
        if args.verbose:
            print(f"    A: {ea[1].status} {ea[1].body[:600]!r}")
            print(f"    B: {eb[1].status} {eb[1].body[:600]!r}")
    print(f"{same + known + differ} steps: {same} same, {known} known differences, "
          f"{differ} unexplained differences")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
