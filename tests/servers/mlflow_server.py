#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A loopback fake of MLflow's tracking and model-registry REST API, for tests.

It answers as a real MLflow 2.12.2 server does (`mlflow server` with a sqlite
store and `--serve-artifacts`): the same JSON field names and field order,
status codes, error_code values and message wording. Served, under
/api/2.0/mlflow/ (and /ajax-api/2.0/mlflow/):

  POST   experiments/create          {name, artifact_location?, tags?}
  GET    experiments/get             ?experiment_id=       ("0" is Default)
  GET    experiments/get-by-name     ?experiment_name=
  POST   runs/create                 {experiment_id, run_name, start_time, tags, user_id}
  GET    runs/get                    ?run_id=
  POST   runs/update                 {run_id, status, end_time, run_name}
  POST   runs/log-batch              {run_id, metrics, params, tags}
  POST   runs/search                 {experiment_ids, filter, run_view_type,
                                      max_results, order_by, page_token}
  GET    metrics/get-history         ?run_id=&metric_key=&max_results=&page_token=
  POST   registered-models/create    {name, tags?, description?}
  GET    registered-models/get       ?name=
  POST   model-versions/create       {name, source, run_id, tags?, description?}
  GET    model-versions/get          ?name=&version=
  GET    model-versions/search       ?filter=&max_results=&order_by=&page_token=
  POST   model-versions/set-tag      {name, version, key, value}
  POST   model-versions/transition-stage {name, version, stage,
                                      archive_existing_versions}
  POST   registered-models/alias     {name, alias, version}
  GET    registered-models/alias     ?name=&alias=
  DELETE registered-models/alias     JSON body {name, alias}

and the proxied artifact store under /api/2.0/mlflow-artifacts/artifacts:
PUT <path> stores the raw body, GET <path> downloads it, GET ?path=<dir>
lists {files: [{path, is_dir, file_size}]}. GET / answers a small HTML page,
GET /health "OK". Any other path answers Flask's HTML 404, a known path with
a wrong method Flask's HTML 405.

Request handling as the real server does it. A JSON body goes through the
same steps as in MLflow's handlers: experiment_id values are turned into
strings with Python's str() (so "experiment_ids": "12", a string where a
list belongs, becomes ["1", "2"]), then the JSON is parsed into the request message the way
protobuf's json_format does it (unknown fields are ignored; at the first
field that does not convert -- a string where a number belongs, an unknown
enum name -- parsing stops and the fields before it stay set), then the
handler's schema checks run ("Missing value for required parameter 'x'. See
the API docs ..."; type checks only when parsing failed). So a malformed JSON
body is an empty request, an unknown run status in runs/update is silently
ignored (with the fields after it), and a non-numeric metric value in
log-batch is stored as 0.0 (a malformed log-batch body answers 500, as
there). POST and PUT need Content-Type application/json. GET parameters come
from the query string, split the way MLflow's querystring_parser does: a
value holding a raw "=" (an unencoded base64 page token) answers 500 with
Flask's HTML, as the real server does; a GET without a query string reads a
JSON body instead. Page tokens are base64 of {"offset": N}, so they end in
"=". Run data lists metrics, params and tags in the order their keys were
first logged; searches sort as MLflow's SQL does (start_time DESC, run_id;
NULLs last); model-version search defaults to last_updated_timestamp DESC,
name, version DESC; the latest-version list holds one version per stage.

Deliberate differences from a real 2.12.2 server (tests/tools/mlflow-compare.py
finds no others; it lists these as "known"):
  * runs/log-batch: a body over 1,048,576 bytes answers 400
    INVALID_PARAMETER_VALUE "Batched logging API requests must be at most
    1048576 bytes, got a request of size N." (2.12.2 counts only the keys of
    the JSON object and accepts it; stricter servers enforce the size).
  * Over-long param/tag values always answer 400, as 2.12.2 does with
    MLFLOW_TRUNCATE_LONG_VALUES=false (its default truncates silently).
  * metrics/get-history honours max_results and page_token and answers a
    next_page_token while more points remain (2.12.2's sqlalchemy store
    ignores both and answers the whole history); the order is MLflow's
    (timestamp, step, value).
  * model-versions/create answers PENDING_REGISTRATION with --pending N and
    FAILED_REGISTRATION with --fail-registration; 2.12.2 always says READY.
  * GET of a missing artifact answers 404 RESOURCE_DOES_NOT_EXIST; 2.12.2
    answers 500 INTERNAL_ERROR "The following failures occurred while
    downloading ..." (--missing-artifact-500 answers that way).
  * Messages quoting a Python set (the valid keys of a search filter) list
    it sorted; the real server's order varies from process to process. The
    wording of filter clauses sqlparse cannot parse is approximated ("Invalid
    clause(s) in filter string: ..." quotes the rest of the filter).
  * Messages quoting a sqlite error (RESOURCE_ALREADY_EXISTS on a duplicate
    experiment or registered model, BAD_REQUEST for runs/create without
    experiment_id) end after "(sqlite3.IntegrityError) <constraint>", without
    the SQL statement and parameters the real server appends.
  * Run names generated when none is given are "<adjective>-<animal>-<n>"
    from shorter word lists.
  * GET / answers a small HTML page (an installed MLflow serves its UI there;
    one run from a source tree answers a text/plain notice).
  * With --basic/--token every request but /__*, /health, /static and
    /favicon.ico needs credentials, as with MLflow's basic-auth app (`mlflow
    server --app-name basic-auth`), whose 401 text and WWW-Authenticate header
    are used; a bearer token (what a proxy in front of MLflow checks) is
    accepted too. Without them no request needs credentials, as 2.12.2.
  * HTTP/1.1 keep-alive (gunicorn closes every connection); Server: gunicorn.
  * Endpoints not listed above (experiments/delete, runs/log-metric, ...)
    answer Flask's 404 page.

For tests:
  --port-file FILE   the port, also printed on stdout's first line
  --log FILE         one JSON line per request: method, path, query, status,
                     auth ("ok"/"bad"/"missing"; without --basic/--token any
                     Authorization header counts as "ok"), fault if any
  --basic USER:PASS, --token TOKEN   require credentials (401 otherwise)
  --tls CERT KEY [--client-ca CA]    serve HTTPS, optionally demand a client
                     certificate signed by CA
  --pending N        new model versions answer PENDING_REGISTRATION to their
                     first N model-versions/get calls, then READY
  --fail-registration  ... then FAILED_REGISTRATION with a status_message
  --persist FILE     state loaded from FILE at start, saved after each change
  --missing-artifact-500   see above
  --port N           listen on N instead of a port the kernel picks
  --fault JSON       (repeatable) a fault rule; POST /__faults with a JSON list
                     replaces the list at run time, GET /__faults shows it.
                     A rule: {"match": "runs/create" (matched against the end
                     of the path after /api/2.0/mlflow/, or the start of
                     "mlflow-artifacts/artifacts/..."), "method": "POST"
                     (optional), "action": "status" | "drop_before" |
                     "drop_after" | "slow", "code": 503 and "retry_after": "1"
                     (status), "seconds": 2 (slow), "count": 1 (requests it
                     applies to; -1 for all), "skip": 0 (matching requests let
                     through first)}.  "status" answers {"error_code":
                     "TEMPORARILY_UNAVAILABLE"}; "drop_before" closes the
                     connection without reading or acting; "drop_after" acts
                     (commits) and then closes without answering.
  GET /__state       everything stored, as JSON: experiments, runs (each with
                     "run" as runs/get answers it, params, tags, latest
                     metrics and full metric "history"), registered_models
                     (with versions and aliases), artifacts (path, size, base64)
  GET /__requests    {"counts": {"POST /api/2.0/mlflow/runs/create": 1, ...},
                     "total": N}; DELETE /__requests resets the counts.
  The /__ paths never need credentials and are neither counted nor logged.

Start: /usr/bin/python3 tests/servers/mlflow_server.py --port-file port --log requests.log
"""

import argparse
import base64
import binascii
import copy
import json
import math
import mimetypes
import os
import posixpath
import random
import re
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API = "/api/2.0/mlflow/"
AJAX = "/ajax-api/2.0/mlflow/"
ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts"

HTML_404 = (
    "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n"
    "<h1>Not Found</h1>\n<p>The requested URL was not found on the server. "
    "If you entered the URL manually please check your spelling and try again.</p>\n")
HTML_405 = (
    "<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n"
    "<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n")
HTML_500 = (
    "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
    "<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and "
    "was unable to complete your request. Either the server is overloaded or there "
    "is an error in the application.</p>\n")
HTML_INDEX = (
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<title>MLflow</title></head><body><noscript>You need to enable JavaScript "
    "to run this app.</noscript><div id=\"root\"></div></body></html>")
AUTH_401 = (
    "You are not authenticated. Please see "
    "https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow "
    "on how to authenticate.")

HTTP_STATUS = {
    "INTERNAL_ERROR": 500, "INVALID_STATE": 500, "DATA_LOSS": 500,
    "NOT_IMPLEMENTED": 501, "TEMPORARILY_UNAVAILABLE": 503,
    "DEADLINE_EXCEEDED": 504, "REQUEST_LIMIT_EXCEEDED": 429,
    "CANCELLED": 499, "RESOURCE_EXHAUSTED": 429, "ABORTED": 409,
    "RESOURCE_CONFLICT": 409, "ALREADY_EXISTS": 409, "NOT_FOUND": 404,
    "ENDPOINT_NOT_FOUND": 404, "RESOURCE_DOES_NOT_EXIST": 404,
    "PERMISSION_DENIED": 403, "CUSTOMER_UNAUTHORIZED": 401,
    "UNAUTHENTICATED": 401, "BAD_REQUEST": 400,
    "RESOURCE_ALREADY_EXISTS": 400, "INVALID_PARAMETER_VALUE": 400,
}

SEE_DOCS = " See the API docs for more information about request parameters."
MAX_BATCH_BYTES = 1048576
MAX_PARAMS_TAGS_PER_BATCH = 100
MAX_METRICS_PER_BATCH = 1000
MAX_ENTITIES_PER_BATCH = 1000
MAX_PARAM_VAL_LENGTH = 6000
MAX_TAG_VAL_LENGTH = 5000
MAX_ENTITY_KEY_LENGTH = 250
MAX_REGISTRY_TAG_KEY_LENGTH = 250
MAX_REGISTRY_TAG_VALUE_LENGTH = 5000
MAX_ALIAS_LENGTH = 255
SEARCH_MAX_RESULTS_THRESHOLD = 50000
SEARCH_MV_MAX_RESULTS_THRESHOLD = 200000

RUN_STATUSES = {"RUNNING": 1, "SCHEDULED": 2, "FINISHED": 3, "FAILED": 4, "KILLED": 5}
VIEW_TYPES = {"ACTIVE_ONLY": 1, "DELETED_ONLY": 2, "ALL": 3}
ALL_STAGES = ["None", "Staging", "Production", "Archived"]
ACTIVE_STAGES = ["Staging", "Production"]

_VALID_NAME = re.compile(r"^[/\w.\- ]*$")
_RUN_ID_RE = re.compile(r"^[a-zA-Z0-9][\w\-]{0,255}$")
_ALIAS_RE = re.compile(r"^[\w\-]*$")
_ALIAS_VERSION_RE = re.compile(r"^[vV]\d+$")
_BAD_CHARACTERS = ("Names may only contain alphanumerics, underscores (_), dashes (-), "
                   "periods (.), spaces ( ), and slashes (/).")
_BAD_ALIAS_CHARACTERS = ("Names may only contain alphanumerics, underscores (_), "
                         "and dashes (-).")

ADJECTIVES = ["able", "bright", "calm", "clever", "crisp", "eager", "gentle",
              "honest", "jolly", "keen", "lucky", "merry", "nimble", "polite",
              "quiet", "sassy", "shy", "sincere", "tasteful", "wise"]
ANIMALS = ["ant", "bass", "cat", "crow", "deer", "doe", "eel", "fox", "gnu",
           "hawk", "koi", "lark", "mole", "newt", "owl", "perch", "ram",
           "seal", "toad", "wolf"]


class MlflowError(Exception):
    def __init__(self, message, code="INTERNAL_ERROR"):
        super().__init__(message)
        self.message = message
        self.code = code

    @property
    def status(self):
        return HTTP_STATUS.get(self.code, 500)


def invalid(message):
    return MlflowError(message, "INVALID_PARAMETER_VALUE")


class InternalServerError(Exception):
    """What the real server answers with Flask's HTML 500 (an uncaught error)."""


def now_ms():
    return int(time.time() * 1000)


# ---------------------------------------------------------------------------
# Request messages, parsed like protobuf's json_format.ParseDict


STR, INT32, INT64, DOUBLE, BOOL = "str", "int32", "int64", "double", "bool"


def enum(values):
    return ("enum", values)


def rep(elem):
    return ("rep", elem)


def msg(fields):
    return ("msg", fields)


KV = {"key": STR, "value": STR}
METRIC = {"key": STR, "value": DOUBLE, "timestamp": INT64, "step": INT64}

REQUESTS = {
    "CreateExperiment": {"name": STR, "artifact_location": STR, "tags": rep(msg(KV))},
    "GetExperiment": {"experiment_id": STR},
    "GetExperimentByName": {"experiment_name": STR},
    "CreateRun": {"experiment_id": STR, "user_id": STR, "start_time": INT64,
                  "tags": rep(msg(KV)), "run_name": STR},
    "UpdateRun": {"run_id": STR, "run_uuid": STR, "status": enum(RUN_STATUSES),
                  "end_time": INT64, "run_name": STR},
    "GetRun": {"run_id": STR, "run_uuid": STR},
    "LogBatch": {"run_id": STR, "metrics": rep(msg(METRIC)), "params": rep(msg(KV)),
                 "tags": rep(msg(KV))},
    "SearchRuns": {"experiment_ids": rep(STR), "filter": STR,
                   "run_view_type": enum(VIEW_TYPES), "max_results": INT32,
                   "order_by": rep(STR), "page_token": STR},
    "GetMetricHistory": {"run_id": STR, "run_uuid": STR, "metric_key": STR,
                         "page_token": STR, "max_results": INT32},
    "CreateRegisteredModel": {"name": STR, "tags": rep(msg(KV)), "description": STR},
    "GetRegisteredModel": {"name": STR},
    "CreateModelVersion": {"name": STR, "source": STR, "run_id": STR,
                           "tags": rep(msg(KV)), "run_link": STR, "description": STR},
    "GetModelVersion": {"name": STR, "version": STR},
    "SearchModelVersions": {"filter": STR, "max_results": INT64, "order_by": rep(STR),
                            "page_token": STR},
    "SetModelVersionTag": {"name": STR, "version": STR, "key": STR, "value": STR},
    "TransitionModelVersionStage": {"name": STR, "version": STR, "stage": STR,
                                    "archive_existing_versions": BOOL},
    "SetRegisteredModelAlias": {"name": STR, "alias": STR, "version": STR},
    "DeleteRegisteredModelAlias": {"name": STR, "alias": STR},
    "GetModelVersionByAlias": {"name": STR, "alias": STR},
    "ListArtifactsMlflowArtifacts": {"path": STR},
}


class ParseFailed(Exception):
    pass


def _convert_int(value, bits):
    if isinstance(value, bool):
        raise ParseFailed()
    if isinstance(value, float) and not value.is_integer():
        raise ParseFailed()
    if isinstance(value, str) and " " in value:
        raise ParseFailed()
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise ParseFailed()
    if not -(1 << (bits - 1)) <= n < (1 << (bits - 1)):
        raise ParseFailed()
    return n


def _convert_double(value):
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ParseFailed()
        return value
    if isinstance(value, (dict, list)) or value is None:
        raise ParseFailed()
    if value == "nan":
        raise ParseFailed()
    try:
        return float(value)       # also "NaN", "Infinity", "1e3" and true
    except (TypeError, ValueError):
        raise ParseFailed()


def _convert_scalar(value, spec):
    if spec == STR:
        if not isinstance(value, str):
            raise ParseFailed()
        return value
    if spec == INT32:
        return _convert_int(value, 32)
    if spec == INT64:
        return _convert_int(value, 64)
    if spec == DOUBLE:
        return _convert_double(value)
    if spec == BOOL:
        if not isinstance(value, bool):
            raise ParseFailed()
        return value
    if spec[0] == "enum":
        if isinstance(value, str) and value in spec[1]:
            return value
        try:
            n = int(value)
        except (TypeError, ValueError):
            raise ParseFailed()
        for name, number in spec[1].items():
            if number == n:
                return name
        raise ParseFailed()
    raise ParseFailed()


def stringify_experiment_ids(x):
    """MLflow's _stringify_all_experiment_ids: done in place on the request JSON
    before it is parsed, so the schema checks see its result too."""
    if isinstance(x, dict):
        for k, v in list(x.items()):
            if k == "experiment_id":
                x[k] = pystr(v)
            elif k == "experiment_ids":
                if not isinstance(v, (list, str, dict)):
                    raise InternalServerError()     # [str(w) for w in 5]
                x[k] = [pystr(w) for w in v]
            elif k == "info" and isinstance(v, dict) and "experiment_id" in v \
                    and "run_uuid" in v:
                v["experiment_id"] = pystr(v["experiment_id"])
            elif k not in ("params", "tags", "metrics"):
                stringify_experiment_ids(v)
    elif isinstance(x, list):
        for y in x:
            stringify_experiment_ids(y)


def pystr(v):
    """str() of a JSON value as Python prints it."""
    if v is None:
        return "None"
    if isinstance(v, bool):
        return "True" if v else "False"
    return str(v)


def parse_message(data, fields, out):
    """Fill `out` from `data` as ParseDict(ignore_unknown_fields=True) does;
    raise ParseFailed where it stops (the fields before stay set)."""
    if isinstance(data, (str, list)):
        # json_format iterates it as if it held field names: all unknown
        return
    if not isinstance(data, dict):
        raise ParseFailed()
    for name, value in data.items():
        spec = fields.get(name)
        if spec is None:
            continue
        if value is None:
            out.pop(name, None)
            continue
        if isinstance(spec, tuple) and spec[0] == "rep":
            if not isinstance(value, list):
                raise ParseFailed()
            items = out[name] = []
            for item in value:
                if isinstance(spec[1], tuple) and spec[1][0] == "msg":
                    sub = {}
                    items.append(sub)
                    parse_message(item, spec[1][1], sub)
                else:
                    if item is None:
                        raise ParseFailed()
                    items.append(_convert_scalar(item, spec[1]))
        elif isinstance(spec, tuple) and spec[0] == "msg":
            sub = out.setdefault(name, {})
            parse_message(value, spec[1], sub)
        else:
            out[name] = _convert_scalar(value, spec)


class Request:
    """A parsed request message: `fields` holds what protobuf would have set."""

    def __init__(self, fields, raw, parsed_ok):
        self.fields = fields
        self.raw = raw
        self.parsed_ok = parsed_ok

    def has(self, name):
        return name in self.fields

    def get(self, name, default=""):
        return self.fields.get(name, default)


# Schema checks as the handlers declare them (mlflow/server/handlers.py)
def _type_ok(check, value):
    if check == "string":
        return isinstance(value, str)
    if check == "intlike":
        try:
            value = int(value)
        except (TypeError, ValueError):
            return False
        return isinstance(value, int)
    if check == "bool":
        return isinstance(value, bool)
    if check == "array":
        return isinstance(value, list)
    if check == "item_strings":
        return all(isinstance(x, str) for x in value)
    return True


TYPE_CHECKS = {"string", "intlike", "bool", "array", "item_strings", "floatlike"}


def pyrepr(value):
    return repr(value)


def check_schema(req, schema):
    raw = req.raw
    for key, checks in schema:
        if not (key in raw or "required" in checks):
            continue
        value = raw.get(key)
        if key == "run_id" and value is None and "run_uuid" in raw:
            value = raw.get("run_uuid")
        for check in checks:
            if check in TYPE_CHECKS and req.parsed_ok:
                continue
            message = None
            if check == "required":
                if value is None or value == "":
                    message = f"Missing value for required parameter '{key}'."
            elif callable(check):
                ok = check(value)
                if ok is not True:
                    message = ok if isinstance(ok, str) else (
                        f"Invalid value {pyrepr_value(value)} for parameter '{key}' supplied."
                        f" Hint: Value was of type '{type(value).__name__}'.")
            elif not _type_ok(check, value):
                message = (f"Invalid value {pyrepr_value(value)} for parameter '{key}' "
                           f"supplied. Hint: Value was of type '{type(value).__name__}'.")
            if message is not None:
                raise invalid(message + SEE_DOCS)


def pyrepr_value(value):
    # f"{value}" of a Python object: str() -- lists/dicts show reprs inside
    return str(value)


def at_most(limit):
    def check(value):
        try:
            n = int(value)
        except (TypeError, ValueError):
            raise InternalServerError()
        return n <= limit
    return check


def metrics_fields_present(value):
    for m in value:
        if not isinstance(m, dict):
            raise InternalServerError()
        for k in ("key", "value", "timestamp"):
            if m.get(k) is None or m.get(k) == "":
                return False
    return True


def keys_present(value):
    for m in value:
        if not isinstance(m, dict):
            raise InternalServerError()
        if m.get("key") is None or m.get("key") == "":
            return False
    return True


# ---------------------------------------------------------------------------
# Validation, with MLflow's wording (mlflow/utils/validation.py)


def bad_path_message(name):
    return ("Names may be treated as files in certain cases, and must not resolve to "
            "other names when treated as such. This name would resolve to '%s'"
            % posixpath.normpath(name))


def path_not_unique(name):
    norm = posixpath.normpath(name)
    return norm != name or norm == "." or norm.startswith("..") or norm.startswith("/")


def validate_name(kind, name):
    if not _VALID_NAME.match(name):
        raise invalid(f"Invalid {kind} name: '{name}'. {_BAD_CHARACTERS}")
    if path_not_unique(name):
        raise invalid(f"Invalid {kind} name: '{name}'. {bad_path_message(name)}")


def validate_length(entity, limit, value):
    if value is not None and len(value) > limit:
        raise invalid(f"{entity} '{value[:250]}' had length {len(value)}, "
                      f"which exceeded length limit of {limit}")


def fmt_float(v):
    return repr(float(v))


def validate_metric(key, value, timestamp, step):
    validate_name("metric", key)
    if timestamp < 0:
        raise invalid(f"Got invalid timestamp {timestamp} for metric '{key}' "
                      f"(value={fmt_float(value)}). Timestamp must be a nonnegative long "
                      "(64-bit integer) ")
    validate_length("Metric name", MAX_ENTITY_KEY_LENGTH, key)


def validate_batch_limit(entity, limit, length):
    if length > limit:
        raise invalid(f"A batch logging request can contain at most {limit} {entity}. "
                      f"Got {length} {entity}. Please split up {entity} across multiple"
                      " requests and try again.")


def validate_model_name(name):
    if name is None or name == "":
        raise invalid("Registered model name cannot be empty.")


def validate_model_version(version):
    try:
        int(version)
    except (TypeError, ValueError):
        raise invalid(f"Model version must be an integer, got '{version}'")


def validate_alias(alias):
    if alias is None or alias == "":
        raise invalid("Registered model alias name cannot be empty.")
    if not _ALIAS_RE.match(alias):
        raise invalid(f"Invalid alias name: '{alias}'. {_BAD_ALIAS_CHARACTERS}")
    validate_length("Registered model alias name", MAX_ALIAS_LENGTH, alias)
    if alias.lower() == "latest":
        raise invalid("'latest' alias name (case insensitive) is reserved.")
    if _ALIAS_VERSION_RE.match(alias):
        raise invalid(f"Version alias name '{alias}' is reserved.")


def validate_registry_tag(kind, key, value):
    validate_name("tag", key)
    validate_length(f"{kind} key", MAX_REGISTRY_TAG_KEY_LENGTH, key)
    validate_length(f"{kind} value", MAX_REGISTRY_TAG_VALUE_LENGTH, value)


def canonical_stage(stage):
    for s in ALL_STAGES:
        if s.lower() == stage.lower():
            return s
    raise invalid(f"Invalid Model Version stage: {stage}. Value must be one of "
                  f"{', '.join(ALL_STAGES)}.")


# ---------------------------------------------------------------------------
# Page tokens (base64 of {"offset": N}, as MLflow's SearchUtils)


def make_page_token(offset):
    return base64.b64encode(json.dumps({"offset": offset}).encode()).decode()


def parse_page_token(token):
    if not token:
        return 0
    try:
        decoded = base64.b64decode(token)
    except (TypeError, binascii.Error):
        raise invalid("Invalid page token, could not base64-decode")
    try:
        parsed = json.loads(decoded)
    except ValueError:
        raise invalid(f"Invalid page token, decoded value={decoded}")
    if not isinstance(parsed, dict):
        raise InternalServerError()
    offset = parsed.get("offset")
    if not offset:
        raise invalid(f"Invalid page token, parsed value={parsed}")
    try:
        return int(offset)
    except (TypeError, ValueError):
        raise invalid(f"Invalid page token, not stringable {offset}")


# ---------------------------------------------------------------------------
# Search filters and order_by clauses (the subset of MLflow's SQL-like grammar
# that its sqlparse-based parser accepts, parsed here by hand)

_TOKEN_RE = re.compile(r"""
    (?P<ws>\s+)
  | (?P<string>'(?:[^'\\]|\\.|'')*')
  | (?P<number>-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w`"]))
  | (?P<op>!=|<>|>=|<=|=|>|<)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<comma>,)
  | (?P<ident>(?:[A-Za-z_][\w]*|`[^`]*`|"[^"]*")(?:\.(?:[A-Za-z_\d][\w]*|`[^`]*`|"[^"]*"))*)
""", re.VERBOSE)

RUN_ATTRS = {"artifact_uri", "end_time", "run_id", "run_name", "start_time",
             "status", "user_id", "created", "Created", "run name", "Run name",
             "Run Name"}
RUN_ORDER_ATTRS = RUN_ATTRS - {"run name", "Run name", "Run Name"}
NUMERIC_RUN_ATTRS = {"start_time", "end_time", "created", "Created"}
IDENTIFIERS = ["metric", "parameter", "tag", "attribute", "dataset"]
ENTITY_ALIASES = {"metric": "metric", "metrics": "metric", "parameter": "parameter",
                  "parameters": "parameter", "param": "parameter", "params": "parameter",
                  "tag": "tag", "tags": "tag", "attribute": "attribute", "attr": "attribute",
                  "attributes": "attribute", "run": "attribute", "dataset": "dataset",
                  "datasets": "dataset"}
METRIC_COMPARATORS = {">", ">=", "!=", "=", "<", "<="}
STRING_COMPARATORS = {"!=", "=", "LIKE", "ILIKE"}
STRING_ATTR_COMPARATORS = {"!=", "=", "LIKE", "ILIKE", "IN", "NOT IN"}


def set_repr(s):
    return "{" + ", ".join(repr(x) for x in sorted(s)) + "}"


def _unquote(text):
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"`":
        return text[1:-1]
    return text


def split_ident(ident):
    """(entity, key) of `entity.key`, splitting at the first dot outside quotes."""
    quote = None
    for i, c in enumerate(ident):
        if quote:
            if c == quote:
                quote = None
        elif c in "`\"'":
            quote = c
        elif c == ".":
            return ident[:i], ident[i + 1:]
    return None, ident


def tokenize(text):
    tokens = []
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m:
            raise invalid(f"Invalid clause(s) in filter string: '{text[pos:]}'")
        kind = m.lastgroup
        if kind != "ws":
            value = m.group(kind)
            if kind == "ident":
                word = value.upper()
                if word in ("AND", "OR", "LIKE", "ILIKE", "IN", "NOT", "IS", "NULL"):
                    kind = "kw"
                    value = word
            tokens.append((kind, value))
        pos = m.end()
    return tokens


def split_clauses(text):
    """[(identifier, comparator, value_token)] of an AND-ed filter."""
    tokens = tokenize(text)
    clauses = []
    i = 0
    while i < len(tokens):
        if clauses:
            if tokens[i] != ("kw", "AND"):
                rest = " ".join(t[1] for t in tokens[i:])
                raise invalid(f"Invalid clause(s) in filter string: '{rest}'")
            i += 1
        if i >= len(tokens) or tokens[i][0] != "ident":
            rest = " ".join(t[1] for t in tokens[i:]) or text
            raise invalid(f"Invalid clause(s) in filter string: '{rest}'")
        ident = tokens[i][1]
        i += 1
        if i < len(tokens) and tokens[i] == ("kw", "NOT") and i + 1 < len(tokens) \
                and tokens[i + 1] == ("kw", "IN"):
            comp = "NOT IN"
            i += 2
        elif i < len(tokens) and (tokens[i][0] == "op" or tokens[i] in (
                ("kw", "LIKE"), ("kw", "ILIKE"), ("kw", "IN"))):
            comp = tokens[i][1]
            i += 1
        else:
            raise invalid(f"Invalid clause(s) in filter string: '{ident}'")
        if comp == "<>":
            comp = "!="
        if i >= len(tokens):
            raise invalid(f"Invalid clause(s) in filter string: '{ident} {comp}'")
        if tokens[i][0] == "lparen":
            items = []
            i += 1
            while i < len(tokens) and tokens[i][0] != "rparen":
                if tokens[i][0] not in ("comma",):
                    items.append(tokens[i])
                i += 1
            if i >= len(tokens):
                raise invalid(f"Invalid filter '{text}'. Could not be parsed.")
            i += 1
            value = ("list", items)
        else:
            value = tokens[i]
            i += 1
        clauses.append((ident, comp, value))
    return clauses


def _parse_list(value):
    items = value[1]
    if not items or any(k not in ("string", "ident") for k, _ in items):
        raise invalid("While parsing a list in the query, expected string value, "
                      "punctuation, or whitespace, but got different type in list: "
                      + "(" + ", ".join(v for _, v in items) + ")")
    return [_unquote(v) for _, v in items]


def _string_value(kind, v, what):
    if kind in ("string", "ident"):
        if v[:1] in "'\"" and len(v) >= 2 and v[-1] == v[0]:
            return v[1:-1].replace("''", "'") if v[0] == "'" else v[1:-1]
        raise invalid("Parameter value is either not quoted or unidentified quote types "
                      f"used for string value {v}. Use either single or double quotes.")
    raise invalid(f"Expected a quoted string value for {what} (e.g. 'my-value'). "
                  f"Got value {v}")


def parse_run_filter(text):
    out = []
    if not text:
        return out
    for ident, comp, value in split_clauses(text):
        etype, key = split_ident(ident)
        etype = _unquote(etype or "attribute")
        if etype not in ENTITY_ALIASES:
            raise invalid(f"Invalid entity type '{etype}'. Valid values are {IDENTIFIERS}")
        etype = ENTITY_ALIASES[etype]
        key = _unquote(key)
        if etype == "attribute" and key not in RUN_ATTRS:
            raise invalid(f"Invalid attribute key '{key}' specified. Valid keys are "
                          f"'{set_repr(RUN_ATTRS)}'")
        if etype == "dataset":
            raise invalid("Dataset filters are not supported by this fake server")
        kind, v = value if value[0] != "list" else ("list", None)
        if etype == "metric":
            if kind != "number":
                raise invalid(f"Expected numeric value type for metric. Found {v}")
            if comp not in METRIC_COMPARATORS:
                raise MlflowError(f"Invalid comparator '{comp}' not one of "
                                  f"'{set_repr(METRIC_COMPARATORS)}")
            val = float(v)
        elif etype in ("parameter", "tag"):
            val = _string_value(kind, v if v is not None else "(...)", etype)
            if comp.upper() not in STRING_COMPARATORS:
                raise MlflowError(f"Invalid comparator '{comp}' not one of "
                                  f"'{set_repr(STRING_COMPARATORS)}'")
        else:
            key = {"created": "start_time", "Created": "start_time", "run name": "run_name",
                   "Run name": "run_name", "Run Name": "run_name"}.get(key, key)
            if key in NUMERIC_RUN_ATTRS:
                if kind != "number":
                    raise invalid(f"Expected numeric value type for numeric attribute: {key}. "
                                  f"Found {v}")
                if comp not in METRIC_COMPARATORS:
                    raise MlflowError(f"Invalid comparator '{comp}' not one of "
                                      f"'{set_repr(STRING_ATTR_COMPARATORS)}")
                val = float(v)
            elif kind == "list":
                if key != "run_id":
                    raise invalid("Only the 'run_id' attribute supports comparison with a "
                                  "list of quoted string values.")
                val = _parse_list(value)
            elif kind in ("string", "ident"):
                val = _string_value(kind, v, "attributes")
                if comp.upper() not in STRING_ATTR_COMPARATORS:
                    raise MlflowError(f"Invalid comparator '{comp}' not one of "
                                      f"'{set_repr(STRING_ATTR_COMPARATORS)}'")
            else:
                raise invalid(f"Expected a quoted string value for attributes. Got value {v}")
        out.append({"type": etype, "key": key, "comparator": comp.upper(), "value": val})
    return out


def like_match(value, pattern, ignore_case=False):
    rx = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(rx, value, re.S | (re.I if ignore_case else 0)) is not None


def compare(lhs, comp, rhs):
    if lhs is None:
        return False
    if comp == "=":
        return lhs == rhs
    if comp == "!=":
        return lhs != rhs
    if comp == ">":
        return lhs > rhs
    if comp == ">=":
        return lhs >= rhs
    if comp == "<":
        return lhs < rhs
    if comp == "<=":
        return lhs <= rhs
    if comp == "LIKE":
        return like_match(lhs, rhs)
    if comp == "ILIKE":
        return like_match(lhs, rhs, True)
    if comp == "IN":
        return lhs in rhs
    if comp == "NOT IN":
        return lhs not in rhs
    return False


def parse_order_by(clause, valid_attrs, entities=None):
    text = clause.strip()
    ascending = True
    m = re.match(r"^(\S+)\s+(\S+)$", text)
    if m and not _TOKEN_RE.fullmatch(text):
        if m.group(2).lower() not in ("asc", "desc"):
            raise invalid(f"Invalid ordering key in order_by clause '{clause}'.")
        text, ascending = m.group(1), m.group(2).lower() == "asc"
    m = _TOKEN_RE.fullmatch(text)
    if not text or not m or m.lastgroup != "ident":
        raise invalid(f"Invalid order_by clause '{clause}'. Could not be parsed.")
    etype, key = split_ident(text)
    etype = _unquote(etype or "attribute")
    key = _unquote(key)
    if entities is None:
        if etype not in ENTITY_ALIASES:
            raise invalid(f"Invalid entity type '{etype}'. Valid values are {IDENTIFIERS}")
        etype = ENTITY_ALIASES[etype]
    elif etype not in entities:
        raise invalid(f"Invalid entity type '{etype}'. Valid entity types are "
                      f"{tuple(entities)}")
    else:
        etype = "attribute"
    if etype == "attribute" and key not in valid_attrs:
        raise invalid(f"Invalid attribute key '{key}' specified. Valid keys are "
                      f"'{set_repr(valid_attrs)}'")
    return etype, key, ascending


def parse_mv_filter(text):
    out = []
    if not text:
        return out
    valid = {"name", "version_number", "run_id", "source_path"}
    for ident, comp, value in split_clauses(text):
        etype, key = split_ident(ident)
        if etype is None:
            etype = "attribute"
        else:
            if etype not in ("attribute", "tag", "tags"):
                raise invalid(f"Invalid entity type '{etype}'. Valid entity types are "
                              "('attribute', 'tag', 'tags')")
            etype = "tag" if etype in ("tag", "tags") else "attribute"
        if etype == "attribute" and key not in valid:
            raise invalid(f"Invalid attribute key '{key}' specified. Valid keys are "
                          f"'{set_repr(valid)}'")
        key = _unquote(key)
        comp = comp.upper()
        kind, v = value if value[0] != "list" else ("list", None)
        if etype == "tag":
            val = _string_value(kind, v if v is not None else "(...)", "tag")
        elif kind in ("string", "ident"):
            val = _string_value(kind, v, "attributes")
        elif kind == "list":
            if key != "run_id":
                raise invalid("Only the 'run_id' attribute supports comparison with a list "
                              "of quoted string values.")
            val = _parse_list(value)
        elif kind == "number":
            numeric = {"version_number", "creation_timestamp", "last_updated_timestamp"}
            if key not in numeric:
                raise invalid(f"Only the '{set_repr(numeric)}' attributes support "
                              "comparison with numeric values.")
            val = float(v) if re.search(r"[.eE]", v) else int(v)
        else:
            raise invalid("Expected a quoted string value or a list of quoted string values "
                          f"for attributes. Got value {v}")
        if etype == "attribute":
            if key == "version_number":
                if comp not in METRIC_COMPARATORS:
                    raise invalid(f"Invalid comparator for attribute {key}: {comp}")
            elif key == "run_id":
                if comp not in ("=", "!=", "LIKE", "ILIKE", "IN"):
                    raise invalid(f"Invalid comparator for attribute: {comp}")
            elif comp not in ("=", "!=", "LIKE", "ILIKE", "IN"):
                raise invalid(f"Invalid comparator for attribute: {comp}")
        elif comp not in STRING_COMPARATORS:
            raise invalid(f"Invalid comparator for tag: {comp}")
        out.append({"type": etype, "key": key, "comparator": comp, "value": val})
    return out


# ---------------------------------------------------------------------------
# The store


def random_run_name():
    return f"{random.choice(ADJECTIVES)}-{random.choice(ANIMALS)}-{random.randint(0, 999)}"


class Store:
    def __init__(self, args):
        self.lock = threading.RLock()
        self.args = args
        self.experiments = {}     # id -> dict
        self.next_experiment = 1
        self.runs = {}            # run_id -> dict
        self.points = {}          # (run_id, key) -> set of stored points
        self.models = {}          # name -> dict
        self.artifacts = {}       # path -> bytes
        t = now_ms()
        self.experiments["0"] = {
            "experiment_id": "0", "name": "Default",
            "artifact_location": "mlflow-artifacts:/0", "lifecycle_stage": "active",
            "last_update_time": t, "creation_time": t, "tags": []}
        if args.persist and os.path.exists(args.persist):
            self.load(args.persist)

    # -- persistence
    def dump(self):
        return {
            "experiments": list(self.experiments.values()),
            "next_experiment": self.next_experiment,
            "runs": list(self.runs.values()),
            "registered_models": list(self.models.values()),
            "artifacts": [{"path": p, "size": len(b),
                           "base64": base64.b64encode(b).decode()}
                          for p, b in sorted(self.artifacts.items())],
        }

    def load(self, path):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        self.experiments = {e["experiment_id"]: e for e in data["experiments"]}
        self.next_experiment = data["next_experiment"]
        self.runs = {r["info"]["run_id"]: r for r in data["runs"]}
        self.models = {m["name"]: m for m in data["registered_models"]}
        for m in self.models.values():
            m["versions"] = {str(k): v for k, v in m["versions"].items()}
        self.artifacts = {a["path"]: base64.b64decode(a["base64"])
                          for a in data["artifacts"]}

    def save(self):
        if not self.args.persist:
            return
        tmp = self.args.persist + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self.dump(), f, indent=1, sort_keys=True)
            f.write("\n")
        os.replace(tmp, self.args.persist)

    # -- experiments
    def experiment_json(self, e):
        out = {"experiment_id": e["experiment_id"], "name": e["name"],
               "artifact_location": e["artifact_location"],
               "lifecycle_stage": e["lifecycle_stage"],
               "last_update_time": e["last_update_time"],
               "creation_time": e["creation_time"]}
        if e["tags"]:
            out["tags"] = [dict(t) for t in e["tags"]]
        return out

    def get_experiment(self, experiment_id):
        e = self.experiments.get(experiment_id or "0")
        if e is None:
            raise MlflowError(f"No Experiment with id={experiment_id or '0'} exists",
                              "RESOURCE_DOES_NOT_EXIST")
        return e

    # -- runs
    def get_run(self, run_id):
        r = self.runs.get(run_id)
        if r is None:
            raise MlflowError(f"Run with id={run_id} not found", "RESOURCE_DOES_NOT_EXIST")
        return r

    @staticmethod
    def check_active(run):
        if run["info"]["lifecycle_stage"] != "active":
            raise invalid(f"The run {run['info']['run_id']} must be in the 'active' state. "
                          f"Current state is {run['info']['lifecycle_stage']}.")

    @staticmethod
    def run_info_json(r):
        i = r["info"]
        out = {"run_uuid": i["run_id"], "experiment_id": i["experiment_id"],
               "run_name": i["run_name"], "user_id": i["user_id"],
               "status": i["status"], "start_time": i["start_time"]}
        if i.get("end_time") is not None:
            out["end_time"] = i["end_time"]
        out["artifact_uri"] = i["artifact_uri"]
        out["lifecycle_stage"] = i["lifecycle_stage"]
        out["run_id"] = i["run_id"]
        return out

    @staticmethod
    def metric_json(m):
        v = m["value"]
        if m.get("is_nan"):
            v = "NaN"
        return {"key": m["key"], "value": v, "timestamp": m["timestamp"], "step": m["step"]}

    def run_json(self, r, inputs=True):
        # metrics, params and tags in the order their keys were first logged
        # (sqlite's rowid order, which the real server answers in)
        data = {}
        if r["latest"]:
            data["metrics"] = [self.metric_json(m) for m in r["latest"].values()]
        if r["params"]:
            data["params"] = [{"key": k, "value": v} for k, v in r["params"].items()]
        if r["tags"]:
            data["tags"] = [{"key": k, "value": v} for k, v in r["tags"].items()]
        out = {"info": self.run_info_json(r), "data": data}
        if inputs:
            out["inputs"] = {}
        return out

    # -- registry
    def get_model(self, name):
        validate_model_name(name)
        m = self.models.get(name)
        if m is None:
            raise MlflowError(f"Registered Model with name={name} not found",
                              "RESOURCE_DOES_NOT_EXIST")
        return m

    def get_version(self, name, version):
        validate_model_name(name)
        validate_model_version(version)
        m = self.models.get(name)
        v = None
        if m is not None:
            v = m["versions"].get(str(int(version)))
        if v is None:
            raise MlflowError(f"Model Version (name={name}, version={version}) not found",
                              "RESOURCE_DOES_NOT_EXIST")
        return m, v

    @staticmethod
    def version_json(m, v, with_aliases=True):
        out = {"name": v["name"], "version": v["version"],
               "creation_timestamp": v["creation_timestamp"],
               "last_updated_timestamp": v["last_updated_timestamp"],
               "current_stage": v["current_stage"], "description": v["description"],
               "source": v["source"], "run_id": v["run_id"], "status": v["status"]}
        if v.get("status_message"):
            out["status_message"] = v["status_message"]
        if v["tags"]:
            out["tags"] = [{"key": k, "value": v["tags"][k]} for k in sorted(v["tags"])]
        out["run_link"] = v["run_link"]
        if with_aliases:
            aliases = [a for a in sorted(m["aliases"]) if m["aliases"][a] == v["version"]]
            if aliases:
                out["aliases"] = aliases
        return out

    def model_json(self, m):
        out = {"name": m["name"], "creation_timestamp": m["creation_timestamp"],
               "last_updated_timestamp": m["last_updated_timestamp"]}
        if m["description"]:
            out["description"] = m["description"]
        latest = {}
        for key in sorted(m["versions"], key=int):
            v = m["versions"][key]
            latest[v["current_stage"]] = v
        if latest:
            out["latest_versions"] = [self.version_json(m, v, False) for v in latest.values()]
        if m["tags"]:
            out["tags"] = [{"key": k, "value": m["tags"][k]} for k in sorted(m["tags"])]
        if m["aliases"]:
            out["aliases"] = [{"alias": a, "version": m["aliases"][a]}
                              for a in sorted(m["aliases"])]
        return out


# ---------------------------------------------------------------------------
# Endpoint implementations. Each takes (server, req) and returns a JSON object
# or raises MlflowError; `req` is the parsed Request.


def ep_create_experiment(srv, req):
    check_schema(req, [("name", ["required", "string"]),
                       ("artifact_location", ["string"]), ("tags", ["array"])])
    st = srv.store
    name = req.get("name")
    loc = req.get("artifact_location")
    parsed = urllib.parse.urlparse(loc)
    if parsed.fragment or parsed.params:
        raise invalid("'artifact_location' URL can't include fragments or params.")
    if parsed.query:
        for _, qv in urllib.parse.parse_qsl(parsed.query, keep_blank_values=True):
            if ".." in qv or "/" in qv:
                raise invalid("Invalid query string")
    if name == "":
        raise invalid(f"Invalid experiment name: '{name}'")
    for e in st.experiments.values():
        if e["name"] == name:
            raise MlflowError(
                f"Experiment(name={name}) already exists. Error: (sqlite3.IntegrityError) "
                "UNIQUE constraint failed: experiments.name", "RESOURCE_ALREADY_EXISTS")
    eid = str(st.next_experiment)
    st.next_experiment += 1
    t = now_ms()
    tags = [{"key": t_.get("key", ""), "value": t_.get("value", "")}
            for t_ in req.get("tags", [])]
    st.experiments[eid] = {
        "experiment_id": eid, "name": name,
        "artifact_location": loc or f"mlflow-artifacts:/{eid}",
        "lifecycle_stage": "active", "last_update_time": t, "creation_time": t,
        "tags": tags}
    st.save()
    return {"experiment_id": eid}


def ep_get_experiment(srv, req):
    check_schema(req, [("experiment_id", ["required", "string"])])
    e = srv.store.get_experiment(req.get("experiment_id"))
    return {"experiment": srv.store.experiment_json(e)}


def ep_get_experiment_by_name(srv, req):
    check_schema(req, [("experiment_name", ["required", "string"])])
    name = req.get("experiment_name")
    for e in srv.store.experiments.values():
        if e["name"] == name:
            return {"experiment": srv.store.experiment_json(e)}
    raise MlflowError(f"Could not find experiment with name '{name}'",
                      "RESOURCE_DOES_NOT_EXIST")


def ep_create_run(srv, req):
    check_schema(req, [("experiment_id", ["string"]), ("start_time", ["intlike"]),
                       ("run_name", ["string"])])
    st = srv.store
    e = st.get_experiment(req.get("experiment_id"))
    if e["lifecycle_stage"] != "active":
        raise invalid(f"The experiment {e['experiment_id']} must be in the 'active' state. "
                      f"Current state is {e['lifecycle_stage']}.")
    run_id = uuid.uuid4().hex
    tags = {}
    for t in req.get("tags", []):
        tags[t.get("key", "")] = t.get("value", "")
    run_name = req.get("run_name")
    tag_name = tags.get("mlflow.runName")
    if run_name and tag_name and run_name != tag_name:
        raise invalid("Both 'run_name' argument and 'mlflow.runName' tag are specified, but "
                      f"with different values (run_name='{run_name}', "
                      f"mlflow.runName='{tag_name}').")
    if req.get("experiment_id") == "":
        # the real store looks up experiment "0" but inserts the run with
        # experiment_id '' and sqlite's foreign key check refuses it
        raise MlflowError("(sqlite3.IntegrityError) FOREIGN KEY constraint failed",
                          "BAD_REQUEST")
    run_name = run_name or tag_name or random_run_name()
    if not tag_name:
        tags["mlflow.runName"] = run_name
    r = {"info": {"run_id": run_id, "experiment_id": e["experiment_id"],
                  "run_name": run_name, "user_id": req.get("user_id"),
                  "status": "RUNNING", "start_time": req.get("start_time", 0),
                  "end_time": None,
                  "artifact_uri": f"{e['artifact_location']}/{run_id}/artifacts",
                  "lifecycle_stage": "active"},
         "params": {}, "tags": tags, "latest": {}, "history": {}}
    st.runs[run_id] = r
    st.save()
    return {"run": st.run_json(r, inputs=False)}


def ep_get_run(srv, req):
    check_schema(req, [("run_id", ["required", "string"])])
    st = srv.store
    return {"run": st.run_json(st.get_run(req.get("run_id") or req.get("run_uuid")))}


def ep_update_run(srv, req):
    check_schema(req, [("run_id", ["required", "string"]), ("end_time", ["intlike"]),
                       ("status", ["string"]), ("run_name", ["string"])])
    st = srv.store
    r = st.get_run(req.get("run_id") or req.get("run_uuid"))
    st.check_active(r)
    if req.has("status"):
        r["info"]["status"] = req.get("status")
    if req.has("end_time"):
        r["info"]["end_time"] = req.get("end_time")
    if req.get("run_name"):
        r["info"]["run_name"] = req.get("run_name")
        r["tags"]["mlflow.runName"] = req.get("run_name")
    st.save()
    return {"run_info": st.run_info_json(r)}


def ep_log_batch(srv, req):
    if req.body_len > MAX_BATCH_BYTES:
        raise invalid(f"Batched logging API requests must be at most {MAX_BATCH_BYTES} "
                      f"bytes, got a request of size {req.body_len}.")
    if req.json_body is None:
        raise InternalServerError()    # len(None) in _validate_batch_log_api_req
    check_schema(req, [("run_id", ["string", "required"]),
                       ("metrics", ["array", metrics_fields_present]),
                       ("params", ["array", keys_present]),
                       ("tags", ["array", keys_present])])
    st = srv.store
    run_id = req.get("run_id")
    if not _RUN_ID_RE.match(run_id):
        raise invalid(f"Invalid run ID: '{run_id}'")
    metrics = [{"key": m.get("key", ""), "value": m.get("value", 0.0),
                "timestamp": m.get("timestamp", 0), "step": m.get("step", 0)}
               for m in req.get("metrics", [])]
    params = [(p.get("key", ""), p.get("value", "")) for p in req.get("params", [])]
    tags = [(t.get("key", ""), t.get("value", "")) for t in req.get("tags", [])]
    for m in metrics:
        validate_metric(m["key"], m["value"], m["timestamp"], m["step"])
    for k, v in params:
        validate_name("parameter", k)
        validate_length("Param key", MAX_ENTITY_KEY_LENGTH, k)
        validate_length("Param value", MAX_PARAM_VAL_LENGTH, v)
    for k, v in tags:
        validate_name("tag", k)
        validate_length("Tag key", MAX_ENTITY_KEY_LENGTH, k)
        validate_length("Tag value", MAX_TAG_VAL_LENGTH, v)
    validate_batch_limit("metrics", MAX_METRICS_PER_BATCH, len(metrics))
    validate_batch_limit("params", MAX_PARAMS_TAGS_PER_BATCH, len(params))
    validate_batch_limit("tags", MAX_PARAMS_TAGS_PER_BATCH, len(tags))
    validate_batch_limit("metrics, params, and tags", MAX_ENTITIES_PER_BATCH,
                         len(metrics) + len(params) + len(tags))
    seen, dupes = [], []
    for k, _ in params:
        (dupes if k in seen else seen).append(k)
    if dupes:
        raise invalid(f"Duplicate parameter keys have been submitted: {dupes}. Please ensure "
                      "the request contains only one param value per param key.")
    r = st.get_run(run_id)
    st.check_active(r)
    # params (the real store commits them on their own, before the metrics)
    changed = [{"key": k, "old_value": r["params"][k], "new_value": v}
               for k, v in params if k in r["params"] and r["params"][k] != v]
    if changed:
        raise invalid("Changing param values is not allowed. Params were already"
                      f" logged='{changed}' for run ID='{run_id}'.")
    for k, v in params:
        r["params"].setdefault(k, v)
    for m in metrics:
        is_nan = math.isnan(m["value"])
        value = m["value"]
        if is_nan:
            value = 0.0
        elif math.isinf(value):
            value = 1.7976931348623157e308 if value > 0 else -1.7976931348623157e308
        point = {"key": m["key"], "value": value, "timestamp": m["timestamp"],
                 "step": m["step"], "is_nan": is_nan}
        hist = r["history"].setdefault(m["key"], [])
        ident = (value, m["timestamp"], m["step"], is_nan)
        stored = st.points.get((run_id, m["key"]))
        if stored is None:
            stored = {(p["value"], p["timestamp"], p["step"], p["is_nan"]) for p in hist}
            st.points[(run_id, m["key"])] = stored
        if ident in stored:
            continue
        stored.add(ident)
        hist.append(point)
        cur = r["latest"].get(m["key"])
        if cur is None or (point["step"], point["timestamp"], point["value"]) > (
                cur["step"], cur["timestamp"], cur["value"]):
            r["latest"][m["key"]] = dict(point)
    for k, v in tags:
        r["tags"][k] = v
        if k == "mlflow.runName":
            r["info"]["run_name"] = v
    st.save()
    return {}


def _sort_key_runs(runs, order_by):
    parsed = []
    seen = set()
    for clause in order_by:
        etype, key, asc = parse_order_by(clause, RUN_ORDER_ATTRS)
        key = {"created": "start_time", "Created": "start_time"}.get(key, key)
        if (etype, key) in seen:
            raise MlflowError(f"`order_by` contains duplicate fields: {order_by}")
        seen.add((etype, key))
        parsed.append((etype, key, asc))
    if ("attribute", "start_time") not in seen:
        parsed.append(("attribute", "start_time", False))
    result = list(runs)
    result.sort(key=lambda r: r["info"]["run_id"])
    for etype, key, asc in reversed(parsed):
        def value(r, etype=etype, key=key):
            if etype == "attribute":
                if key == "run_name":
                    return 0, r["info"]["run_name"]
                if key == "run_uuid":
                    key = "run_id"
                v = r["info"].get(key)
                return (1 if v is None else 0), v
            if etype == "metric":
                m = r["latest"].get(key)
                if m is None:
                    return 2, None
                if m.get("is_nan"):
                    return 1, m["value"]
                return 0, m["value"]
            src = r["params"] if etype == "parameter" else r["tags"]
            v = src.get(key)
            return (1 if v is None else 0), v
        # group (NULLs last), then value ascending/descending within the group
        groups = {}
        for r in result:
            g, v = value(r)
            groups.setdefault(g, []).append((v, r))
        result = []
        for g in sorted(groups):
            items = groups[g]
            if g == 0 or (etype == "metric" and g == 1):
                items.sort(key=lambda x: x[0], reverse=not asc)
            result.extend(r for _, r in items)
    return result


def run_matches(r, clauses):
    for c in clauses:
        etype, key, comp, val = c["type"], c["key"], c["comparator"], c["value"]
        if etype == "metric":
            m = r["latest"].get(key)
            lhs = None if m is None else m["value"]
        elif etype == "parameter":
            lhs = r["params"].get(key)
        elif etype == "tag":
            lhs = r["tags"].get(key)
        elif key == "run_name":
            lhs = r["tags"].get("mlflow.runName")
        else:
            lhs = r["info"].get(key)
        if not compare(lhs, comp, val):
            return False
    return True


def ep_search_runs(srv, req):
    check_schema(req, [("experiment_ids", ["array"]), ("filter", ["string"]),
                       ("max_results", ["intlike", at_most(50000)]),
                       ("order_by", ["array", "item_strings"])])
    st = srv.store
    view = req.get("run_view_type", "ACTIVE_ONLY")
    max_results = req.get("max_results", 1000)
    if max_results > SEARCH_MAX_RESULTS_THRESHOLD:
        raise invalid("Invalid value for request parameter max_results. It must be at "
                      f"most {SEARCH_MAX_RESULTS_THRESHOLD}, but got value {max_results}")
    stages = {"ACTIVE_ONLY": {"active"}, "DELETED_ONLY": {"deleted"},
              "ALL": {"active", "deleted"}}[view]
    clauses = parse_run_filter(req.get("filter"))
    exp_ids = set(req.get("experiment_ids", []))
    runs = [r for r in st.runs.values()
            if r["info"]["experiment_id"] in exp_ids
            and r["info"]["lifecycle_stage"] in stages and run_matches(r, clauses)]
    runs = _sort_key_runs(runs, req.get("order_by", []))
    offset = parse_page_token(req.get("page_token"))
    page = runs[offset:offset + max_results] if max_results >= 0 else runs[offset:]
    out = {}
    if page:
        out["runs"] = [st.run_json(r) for r in page]
    if max_results == len(page):
        out["next_page_token"] = make_page_token(offset + max_results)
    return out


def ep_get_metric_history(srv, req):
    check_schema(req, [("run_id", ["string", "required"]),
                       ("metric_key", ["string", "required"])])
    st = srv.store
    run_id = req.get("run_id") or req.get("run_uuid")
    r = st.runs.get(run_id)
    hist = [] if r is None else r["history"].get(req.get("metric_key"), [])
    hist = sorted(hist, key=lambda p: (p["timestamp"], p["step"], p["value"], p["is_nan"]))
    out = {}
    if req.has("max_results") or req.get("page_token"):
        offset = parse_page_token(req.get("page_token"))
        limit = req.get("max_results", 25000)
        if limit <= 0:
            limit = 25000
        page = hist[offset:offset + limit]
        if offset + limit < len(hist):
            out["next_page_token"] = make_page_token(offset + limit)
    else:
        page = hist
    if page:
        out = dict({"metrics": [st.metric_json(p) for p in page]}, **out)
    return out


def ep_create_registered_model(srv, req):
    check_schema(req, [("name", ["string", "required"]), ("tags", ["array"]),
                       ("description", ["string"])])
    st = srv.store
    name = req.get("name")
    validate_model_name(name)
    tags = {}
    for t in req.get("tags", []):
        validate_registry_tag("Registered model", t.get("key", ""), t.get("value", ""))
        tags[t.get("key", "")] = t.get("value", "")
    if name in st.models:
        raise MlflowError(f"Registered Model (name={name}) already exists. Error: "
                          "(sqlite3.IntegrityError) UNIQUE constraint failed: "
                          "registered_models.name", "RESOURCE_ALREADY_EXISTS")
    t = now_ms()
    m = {"name": name, "creation_timestamp": t, "last_updated_timestamp": t,
         "description": req.get("description"), "tags": tags, "aliases": {},
         "versions": {}}
    st.models[name] = m
    st.save()
    return {"registered_model": st.model_json(m)}


def ep_get_registered_model(srv, req):
    check_schema(req, [("name", ["string", "required"])])
    st = srv.store
    return {"registered_model": st.model_json(st.get_model(req.get("name")))}


def _is_local_uri(uri):
    parsed = urllib.parse.urlparse(uri)
    if parsed.scheme == "":
        return True
    return parsed.scheme == "file"


def validate_source(st, source, run_id):
    if _is_local_uri(source):
        if run_id:
            st.get_run(run_id)
            path = urllib.parse.urlparse(source).path if source.startswith("file:") else source
            source = os.path.realpath(path or ".")
        raise invalid(
            f"Invalid model version source: '{source}'. To use a local path as a model "
            "version source, the run_id request parameter has to be specified and the local "
            "path has to be contained within the artifact directory of the run specified by "
            "the run_id.")
    message = (f"Invalid model version source: '{source}'. If supplying a source as an "
               "http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an "
               "absolute path must be provided without relative path references present. "
               "Please provide an absolute path.")
    s = source
    while True:
        u = urllib.parse.unquote_plus(s)
        if u == s:
            break
        s = u
    path = re.sub(r"/+", "/", urllib.parse.urlparse(s).path.rstrip("/"))
    if "\x00" in path:
        raise invalid(message)
    if path.startswith("/"):
        resolved = posixpath.normpath(path)
    else:
        resolved = posixpath.normpath(posixpath.join(os.getcwd(), path))
    if resolved != path:
        raise invalid(message)


def ep_create_model_version(srv, req):
    check_schema(req, [("name", ["string", "required"]), ("source", ["string", "required"]),
                       ("run_id", ["string"]), ("tags", ["array"]), ("run_link", ["string"]),
                       ("description", ["string"])])
    st = srv.store
    name, source, run_id = req.get("name"), req.get("source"), req.get("run_id")
    validate_source(st, source, run_id)
    validate_model_name(name)
    tags = {}
    for t in req.get("tags", []):
        validate_registry_tag("Model version", t.get("key", ""), t.get("value", ""))
        tags[t.get("key", "")] = t.get("value", "")
    m = st.get_model(name)
    t = now_ms()
    number = max([int(k) for k in m["versions"]] or [0]) + 1
    status, pending, message = "READY", 0, None
    if srv.args.pending > 0:
        status, pending = "PENDING_REGISTRATION", srv.args.pending
    elif srv.args.fail_registration:
        status = "FAILED_REGISTRATION"
        message = "Model registration failed (injected by --fail-registration)."
    v = {"name": name, "version": str(number), "creation_timestamp": t,
         "last_updated_timestamp": t, "current_stage": "None",
         "description": req.get("description"), "source": source, "run_id": run_id,
         "status": status, "status_message": message, "tags": tags,
         "run_link": req.get("run_link"), "pending_left": pending}
    m["versions"][str(number)] = v
    m["last_updated_timestamp"] = t
    st.save()
    return {"model_version": st.version_json(m, v)}


def ep_get_model_version(srv, req):
    check_schema(req, [("name", ["string", "required"]), ("version", ["string", "required"])])
    st = srv.store
    m, v = st.get_version(req.get("name"), req.get("version"))
    out = st.version_json(m, v)
    if v["status"] == "PENDING_REGISTRATION":
        v["pending_left"] -= 1
        if v["pending_left"] <= 0:
            if srv.args.fail_registration:
                v["status"] = "FAILED_REGISTRATION"
                v["status_message"] = ("Model registration failed "
                                       "(injected by --fail-registration).")
            else:
                v["status"] = "READY"
        st.save()
    return {"model_version": out}


def ep_search_model_versions(srv, req):
    check_schema(req, [("filter", ["string"]),
                       ("max_results", ["intlike", at_most(200000)]),
                       ("order_by", ["array", "item_strings"]),
                       ("page_token", ["string"])])
    st = srv.store
    max_results = req.get("max_results", 200000)
    if max_results < 1:
        raise invalid("Invalid value for max_results. It must be a positive integer,"
                      f" but got {max_results}")
    if max_results > SEARCH_MV_MAX_RESULTS_THRESHOLD:
        raise invalid("Invalid value for request parameter max_results. It must be at most "
                      f"{SEARCH_MV_MAX_RESULTS_THRESHOLD}, but got value {max_results}")
    clauses = parse_mv_filter(req.get("filter"))
    order_by = req.get("order_by", []) or ["last_updated_timestamp DESC", "name ASC",
                                           "version_number DESC"]
    keys = []
    seen = set()
    valid = {"name", "version_number", "creation_timestamp", "last_updated_timestamp"}
    for clause in order_by:
        _, key, asc = parse_order_by(clause, valid, entities=("attribute",))
        if key in seen:
            raise MlflowError(f"`order_by` contains duplicate fields: {order_by}")
        seen.add(key)
        keys.append((key, asc))
    if "name" not in seen:
        keys.append(("name", True))
    if "version_number" not in seen:
        keys.append(("version_number", False))
    offset = parse_page_token(req.get("page_token"))
    found = []
    for m in st.models.values():
        for v in m["versions"].values():
            ok = True
            for c in clauses:
                key, comp, val = c["key"], c["comparator"], c["value"]
                if c["type"] == "tag":
                    lhs = v["tags"].get(key)
                elif key == "version_number":
                    lhs = int(v["version"])
                elif key == "source_path":
                    lhs = v["source"]
                else:
                    lhs = v.get(key)
                if not compare(lhs, comp, val):
                    ok = False
                    break
            if ok:
                found.append((m, v))
    field = {"name": "name", "version_number": "version",
             "creation_timestamp": "creation_timestamp",
             "last_updated_timestamp": "last_updated_timestamp"}
    for key, asc in reversed(keys):
        f = field[key]
        found.sort(key=lambda mv, f=f: int(mv[1][f]) if f == "version" else mv[1][f],
                   reverse=not asc)
    page = found[offset:offset + max_results + 1]
    out = {}
    if page[:max_results]:
        out["model_versions"] = [st.version_json(m, v, False) for m, v in page[:max_results]]
    if len(page) == max_results + 1:
        out["next_page_token"] = make_page_token(offset + max_results)
    return out


def ep_set_model_version_tag(srv, req):
    check_schema(req, [("name", ["string", "required"]), ("version", ["string", "required"]),
                       ("key", ["string", "required"]), ("value", ["string"])])
    st = srv.store
    name, version = req.get("name"), req.get("version")
    validate_model_name(name)
    validate_model_version(version)
    validate_registry_tag("Model version", req.get("key"), req.get("value"))
    m, v = st.get_version(name, version)
    v["tags"][req.get("key")] = req.get("value")
    st.save()
    return {}


def ep_transition_stage(srv, req):
    check_schema(req, [("name", ["string", "required"]), ("version", ["string", "required"]),
                       ("stage", ["string", "required"]),
                       ("archive_existing_versions", ["bool"])])
    st = srv.store
    stage = req.get("stage")
    canon = canonical_stage(stage)
    archive = req.get("archive_existing_versions", False)
    if archive and canon not in ACTIVE_STAGES:
        raise MlflowError("Model version transition cannot archive existing model versions "
                          f"because '{stage}' is not an Active stage. Valid stages are "
                          f"{ACTIVE_STAGES}")
    m, v = st.get_version(req.get("name"), req.get("version"))
    t = now_ms()
    if archive:
        for other in m["versions"].values():
            if other is not v and other["current_stage"] == canon:
                other["current_stage"] = "Archived"
                other["last_updated_timestamp"] = t
    v["current_stage"] = canon
    v["last_updated_timestamp"] = t
    m["last_updated_timestamp"] = t
    st.save()
    return {"model_version": st.version_json(m, v)}


def ep_set_alias(srv, req):
    check_schema(req, [("name", ["string", "required"]), ("alias", ["string", "required"]),
                       ("version", ["string", "required"])])
    st = srv.store
    name, alias, version = req.get("name"), req.get("alias"), req.get("version")
    validate_model_name(name)
    validate_alias(alias)
    validate_model_version(version)
    m, v = st.get_version(name, version)
    m["aliases"][alias] = v["version"]
    st.save()
    return {}


def ep_delete_alias(srv, req):
    check_schema(req, [("name", ["string", "required"]), ("alias", ["string", "required"])])
    st = srv.store
    name, alias = req.get("name"), req.get("alias")
    validate_model_name(name)
    validate_alias(alias)
    m = st.get_model(name)
    if m["aliases"].pop(alias, None) is not None:
        st.save()
    return {}


def ep_get_by_alias(srv, req):
    check_schema(req, [("name", ["string", "required"]), ("alias", ["string", "required"])])
    st = srv.store
    name, alias = req.get("name"), req.get("alias")
    validate_model_name(name)
    validate_alias(alias)
    m = st.models.get(name)
    if m is None or alias not in m["aliases"]:
        raise invalid(f"Registered model alias {alias} not found.")
    m, v = st.get_version(name, m["aliases"][alias])
    return {"model_version": st.version_json(m, v)}


ROUTES = {
    "experiments/create": {"POST": ("CreateExperiment", ep_create_experiment)},
    "experiments/get": {"GET": ("GetExperiment", ep_get_experiment)},
    "experiments/get-by-name": {"GET": ("GetExperimentByName", ep_get_experiment_by_name)},
    "runs/create": {"POST": ("CreateRun", ep_create_run)},
    "runs/get": {"GET": ("GetRun", ep_get_run)},
    "runs/update": {"POST": ("UpdateRun", ep_update_run)},
    "runs/log-batch": {"POST": ("LogBatch", ep_log_batch)},
    "runs/search": {"POST": ("SearchRuns", ep_search_runs)},
    "metrics/get-history": {"GET": ("GetMetricHistory", ep_get_metric_history)},
    "registered-models/create": {"POST": ("CreateRegisteredModel",
                                          ep_create_registered_model)},
    "registered-models/get": {"GET": ("GetRegisteredModel", ep_get_registered_model)},
    "model-versions/create": {"POST": ("CreateModelVersion", ep_create_model_version)},
    "model-versions/get": {"GET": ("GetModelVersion", ep_get_model_version)},
    "model-versions/search": {"GET": ("SearchModelVersions", ep_search_model_versions)},
    "model-versions/set-tag": {"POST": ("SetModelVersionTag", ep_set_model_version_tag)},
    "model-versions/transition-stage": {"POST": ("TransitionModelVersionStage",
                                                 ep_transition_stage)},
    "registered-models/alias": {
        "POST": ("SetRegisteredModelAlias", ep_set_alias),
        "DELETE": ("DeleteRegisteredModelAlias", ep_delete_alias),
        "GET": ("GetModelVersionByAlias", ep_get_by_alias)},
}

# Routes the real server has that this fake does not implement: answered 404 JSON
# "not implemented" would be wrong, so they answer Flask's 404 like unknown paths.


# ---------------------------------------------------------------------------
# Query strings, as querystring_parser.parser.parse(normalized=True)


def parse_query(qs):
    out = {}
    if qs == "":
        return out
    qs = qs.replace("%5B%5D", "%5B0%5D")
    for element in qs.split("&"):
        parts = element.split("=")
        if len(parts) != 2:
            raise InternalServerError()   # MalformedQueryStringError
        var = urllib.parse.unquote_plus(parts[0])
        val = urllib.parse.unquote_plus(parts[1])
        if "[" in var[1:] and var.endswith("]"):
            var = var[:var.index("[")]
            out.setdefault(var, [])
        if var in out:
            out[var] = (out[var] if isinstance(out[var], list) else [out[var]]) + [val]
        else:
            out[var] = val
    return out


# ---------------------------------------------------------------------------
# Faults


class Faults:
    ACTIONS = ("status", "drop_before", "drop_after", "slow")

    def __init__(self, rules):
        self.lock = threading.Lock()
        self.rules = []
        self.set(rules)

    def set(self, rules):
        if isinstance(rules, dict):
            rules = [rules]
        if not isinstance(rules, list):
            raise ValueError("a JSON list of fault rules is expected")
        clean = []
        for r in rules:
            if not isinstance(r, dict) or r.get("action") not in self.ACTIONS \
                    or not isinstance(r.get("match"), str):
                raise ValueError(f"bad fault rule: {r!r}")
            r = dict(r)
            r.setdefault("count", 1)
            r.setdefault("skip", 0)
            clean.append(r)
        with self.lock:
            self.rules = clean

    def show(self):
        with self.lock:
            return copy.deepcopy(self.rules)

    def take(self, method, name):
        """The rule to apply to this request, if any (counts it down)."""
        with self.lock:
            for r in self.rules:
                if r.get("method") and r["method"].upper() != method:
                    continue
                pat = r["match"].strip("/")
                if pat.startswith("mlflow-artifacts"):
                    hit = name.startswith(pat)
                else:
                    hit = name == pat or name.endswith("/" + pat)
                if not hit:
                    continue
                if r["count"] == 0:
                    continue
                if r["skip"] > 0:
                    r["skip"] -= 1
                    continue
                if r["count"] > 0:
                    r["count"] -= 1
                return dict(r)
        return None


# ---------------------------------------------------------------------------
# HTTP


class DropConnection(Exception):
    pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "gunicorn"
    sys_version = ""

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):  # quiet: the JSON log says it all
        pass

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_HEAD(self):
        self.dispatch("HEAD")

    def do_OPTIONS(self):
        self.dispatch("OPTIONS")

    # -- body
    def read_body(self):
        if self.body_read:
            return self.body
        self.body_read = True
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            self.body = b"".join(chunks)
        else:
            length = int(self.headers.get("Content-Length") or 0)
            self.body = self.rfile.read(length) if length > 0 else b""
        return self.body

    # -- answers
    def send(self, status, body, ctype, headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.status_sent = status
        self.log_request_line()
        if self.drop_after:
            raise DropConnection()
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, obj, status=200):
        self.send(status, json.dumps(obj, indent=2), "application/json")

    def send_error_json(self, err):
        self.send(err.status, json.dumps({"error_code": err.code, "message": err.message}),
                  "application/json")

    def send_html(self, status, html, headers=()):
        self.send(status, html, "text/html; charset=utf-8", headers)

    # -- logging and auth
    def auth_state(self):
        args = self.server.args
        h = self.headers.get("Authorization")
        if h is None:
            return "missing"
        if not args.basic and not args.token:
            return "ok"
        parts = h.split(None, 1)
        if len(parts) != 2:
            return "bad"
        scheme, cred = parts[0].lower(), parts[1].strip()
        if scheme == "basic" and args.basic:
            try:
                decoded = base64.b64decode(cred, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return "bad"
            return "ok" if decoded == args.basic else "bad"
        if scheme == "bearer" and args.token:
            return "ok" if cred == args.token else "bad"
        return "bad"

    def log_request_line(self):
        if self.logged or self.internal:
            return
        self.logged = True
        args = self.server.args
        if not args.log:
            return
        entry = {"method": self.command, "path": self.url.path,
                 "query": dict(urllib.parse.parse_qsl(self.url.query,
                                                      keep_blank_values=True)),
                 "status": self.status_sent, "auth": self.auth}
        if self.fault:
            entry["fault"] = self.fault["action"]
        with self.server.log_lock:
            with open(args.log, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry, sort_keys=True) + "\n")

    def count(self):
        with self.server.count_lock:
            key = f"{self.command} {self.url.path}"
            counts = self.server.counts
            counts[key] = counts.get(key, 0) + 1
            self.server.total += 1

    # -- dispatch
    def dispatch(self, method):
        self.body_read = False
        self.body = b""
        self.status_sent = 0
        self.logged = False
        self.drop_after = False
        self.fault = None
        self.url = urllib.parse.urlsplit(self.path)
        self.internal = self.url.path.startswith("/__")
        self.auth = self.auth_state()
        try:
            if self.internal:
                self.route_internal(method)
                return
            self.count()
            name = self.fault_name()
            if name is not None:
                self.fault = self.server.faults.take(method, name)
            if self.fault:
                action = self.fault["action"]
                if action == "drop_before":
                    self.status_sent = None
                    self.log_request_line()
                    raise DropConnection()
                if action == "slow":
                    time.sleep(float(self.fault.get("seconds", 1)))
                elif action == "status":
                    self.read_body()
                    code = int(self.fault.get("code", 503))
                    headers = []
                    if self.fault.get("retry_after") is not None:
                        headers.append(("Retry-After", str(self.fault["retry_after"])))
                    self.send(code, json.dumps({
                        "error_code": "TEMPORARILY_UNAVAILABLE",
                        "message": f"Injected fault: HTTP {code}"}),
                        "application/json", headers)
                    return
                elif action == "drop_after":
                    self.drop_after = True
            if not self.check_auth():
                return
            self.route(method)
        except DropConnection:
            if self.drop_after and not self.logged:
                self.status_sent = None
                self.log_request_line()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        except InternalServerError:
            self.read_body()
            self.send_html(500, HTML_500)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:  # a bug here: answer as Flask would, and say why
            import traceback
            traceback.print_exc()
            if not self.status_sent:
                self.close_connection = True
                try:
                    self.send_html(500, HTML_500)
                except Exception:
                    pass

    def fault_name(self):
        path = self.url.path
        for prefix in (API, AJAX):
            if path.startswith(prefix):
                return path[len(prefix):]
        if path.startswith("/api/2.0/mlflow-artifacts/"):
            return path[len("/api/2.0/"):]
        return None

    def check_auth(self):
        args = self.server.args
        if not args.basic and not args.token:
            return True
        if self.auth == "ok" or self.url.path.startswith(("/static", "/favicon.ico",
                                                          "/health")):
            return True
        self.read_body()
        headers = []
        if args.basic:
            headers.append(("WWW-Authenticate", 'Basic realm="mlflow"'))
        else:
            headers.append(("WWW-Authenticate", 'Bearer realm="mlflow"'))
        self.send_html(401, AUTH_401, headers)
        return False

    def route_internal(self, method):
        srv = self.server
        path = self.url.path
        self.read_body()
        if path == "/__state" and method == "GET":
            with srv.store.lock:
                state = copy.deepcopy(srv.store.dump())
            for r in state["runs"]:
                r["run"] = srv.store.run_json(r)
            self.send_json(state)
        elif path == "/__requests" and method == "GET":
            with srv.count_lock:
                self.send_json({"counts": dict(srv.counts), "total": srv.total})
        elif path == "/__requests" and method == "DELETE":
            with srv.count_lock:
                srv.counts.clear()
                srv.total = 0
            self.send_json({})
        elif path == "/__faults" and method == "GET":
            self.send_json(srv.faults.show())
        elif path == "/__faults" and method in ("POST", "PUT"):
            try:
                srv.faults.set(json.loads(self.body or b"[]"))
            except ValueError as e:
                self.send_json({"error": str(e)}, 400)
                return
            self.send_json(srv.faults.show())
        else:
            self.send_html(404, HTML_404)

    def route(self, method):
        path = self.url.path
        if path == "/" and method in ("GET", "HEAD"):
            self.read_body()
            self.send_html(200, HTML_INDEX)
            return
        if path == "/health" and method in ("GET", "HEAD"):
            self.read_body()
            self.send(200, "OK", "text/html; charset=utf-8")
            return
        if path == ARTIFACTS or path.startswith(ARTIFACTS + "/"):
            self.route_artifacts(method, path[len(ARTIFACTS):].lstrip("/"),
                                 path == ARTIFACTS)
            return
        name = None
        for prefix in (API, AJAX):
            if path.startswith(prefix):
                name = path[len(prefix):]
        methods = ROUTES.get(name) if name is not None else None
        if methods is None:
            self.read_body()
            self.send_html(404, HTML_404)
            return
        if method == "HEAD" and "GET" in methods:
            method = "GET"
        if method == "OPTIONS":
            self.read_body()
            allow = ", ".join(sorted(set(methods) | {"OPTIONS"} |
                                     ({"HEAD"} if "GET" in methods else set())))
            self.send(200, b"", "text/html; charset=utf-8", [("Allow", allow)])
            return
        if method not in methods:
            self.read_body()
            allow = ", ".join(sorted(set(methods) | {"OPTIONS"} |
                                     ({"HEAD"} if "GET" in methods else set())))
            self.send_html(405, HTML_405, [("Allow", allow)])
            return
        message, func = methods[method]
        try:
            req = self.request_message(method, message, name)
            with self.server.store.lock:
                result = func(self.server, req)
        except MlflowError as e:
            self.send_error_json(e)
            return
        self.send_json(result)

    def request_message(self, method, message, name):
        body = self.read_body()
        if method in ("POST", "PUT"):
            ctype = self.headers.get("Content-Type")
            if ctype is None:
                raise invalid("Bad Request. Content-Type header is missing.")
            if ctype.split(";")[0].strip() != "application/json":
                raise invalid("Bad Request. Content-Type must be one of "
                              "['application/json'].")
        json_body = None
        if method == "GET" and self.url.query:
            raw = parse_query(self.url.query)
            fields = REQUESTS[message]
            for k, spec in fields.items():
                if isinstance(spec, tuple) and spec[0] == "rep" and k in raw \
                        and not isinstance(raw[k], list):
                    raw[k] = [raw[k]]
        else:
            try:
                json_body = json.loads(body.decode("utf-8")) if body else None
            except (ValueError, UnicodeDecodeError):
                json_body = None
            if isinstance(json_body, str):
                try:
                    json_body = json.loads(json_body)
                except ValueError:
                    raise InternalServerError()
            raw = json_body if json_body is not None else {}
            if not isinstance(raw, dict):
                raise InternalServerError()
        stringify_experiment_ids(raw)
        fields = {}
        ok = True
        try:
            parse_message(raw, REQUESTS[message], fields)
        except ParseFailed:
            ok = False
        req = Request(fields, raw, ok)
        req.body_len = len(body)
        req.json_body = json_body if not (method == "GET" and self.url.query) else raw
        return req

    def route_artifacts(self, method, rel, is_root):
        st = self.server.store
        rel = urllib.parse.unquote(rel)
        if is_root:
            if method not in ("GET", "HEAD"):
                self.read_body()
                self.send_html(405, HTML_405, [("Allow", "GET, HEAD, OPTIONS")])
                return
            try:
                req = self.request_message("GET", "ListArtifactsMlflowArtifacts", None)
                path = req.get("path") if req.has("path") else None
                if path is not None:
                    path = safe_path(path)
            except MlflowError as e:
                self.send_error_json(e)
                return
            prefix = (path.strip("/") + "/") if path else ""
            entries = {}
            with st.lock:
                for p, data in st.artifacts.items():
                    if not p.startswith(prefix):
                        continue
                    rest = p[len(prefix):]
                    head, sep, _ = rest.partition("/")
                    if sep:
                        entries[head] = {"path": head, "is_dir": True}
                    else:
                        entries[head] = {"path": head, "is_dir": False,
                                         "file_size": len(data)}
            out = {}
            if entries:
                out["files"] = [entries[k] for k in sorted(entries)]
            self.send_json(out)
            return
        if method not in ("GET", "HEAD", "PUT", "DELETE"):
            self.read_body()
            self.send_html(405, HTML_405, [("Allow", "DELETE, GET, HEAD, OPTIONS, PUT")])
            return
        try:
            rel = safe_path(rel)
        except MlflowError as e:
            self.read_body()
            self.send_error_json(e)
            return
        if method == "PUT":
            data = self.read_body()
            with st.lock:
                st.artifacts[rel] = data
                st.save()
            self.send_json({})
        elif method == "DELETE":
            self.read_body()
            with st.lock:
                gone = [p for p in st.artifacts if p == rel or p.startswith(rel + "/")]
                for p in gone:
                    del st.artifacts[p]
                st.save()
            self.send_json({})
        else:
            self.read_body()
            with st.lock:
                data = st.artifacts.get(rel)
            if data is None:
                if self.server.args.missing_artifact_500:
                    root = "/srv/mlflow/artifacts"
                    self.send_error_json(MlflowError(
                        "The following failures occurred while downloading one or more "
                        f"artifacts from {root}:\n##### File {rel} #####\n[Errno 2] No such "
                        f"file or directory: '{root}/{rel}'"))
                else:
                    self.send_error_json(MlflowError(
                        f"No such file or directory: '{rel}'", "RESOURCE_DOES_NOT_EXIST"))
                return
            base = posixpath.basename(rel)
            mime = guess_mime_type(base)
            self.send(200, data, mime, [
                ("Content-Disposition", f"attachment; filename={base}"),
                ("X-Content-Type-Options", "nosniff")])


TEXT_EXTENSIONS = {"txt", "log", "err", "cfg", "conf", "cnf", "cf", "ini", "properties",
                   "prop", "hocon", "toml", "yaml", "yml", "xml", "json", "js", "py",
                   "py3", "csv", "tsv", "md", "rst", "MLmodel", "MLproject"}


def guess_mime_type(filename):
    """The Content-Type MLflow sends an artifact download with."""
    ext = os.path.splitext(filename)[1].replace(".", "") or filename
    if ext in TEXT_EXTENSIONS:
        return "text/plain"
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def safe_path(path):
    """MLflow's validate_path_is_safe (as on a POSIX server)."""
    for _ in range(10):
        decoded = urllib.parse.urlunparse(urllib.parse.urlparse(urllib.parse.unquote(path)))
        if decoded == path:
            break
        path = decoded
    else:
        raise InternalServerError()
    if "#" in path:
        raise invalid("Invalid path")
    if path.startswith("file:"):
        path = urllib.parse.unquote(urllib.parse.urlparse(path).path)
    if ".." in path.split("/") or path.startswith("/") or path.startswith("\\") \
            or re.match(r"^[a-zA-Z]:[\\/]", path):
        raise invalid("Invalid path")
    return path


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128     # socketserver's 5 resets bursts of clients
    ssl_context = None

    def finish_request(self, request, client_address):
        if self.ssl_context is not None:
            try:
                request.settimeout(30)
                request = self.ssl_context.wrap_socket(request, server_side=True)
                request.settimeout(None)
            except (ssl.SSLError, OSError):
                try:
                    request.close()
                except OSError:
                    pass
                return
        self.RequestHandlerClass(request, client_address, self)

    def handle_error(self, request, client_address):
        pass   # a client that hangs up is not news


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port-file")
    p.add_argument("--log")
    p.add_argument("--basic", metavar="USER:PASS")
    p.add_argument("--token")
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--client-ca", metavar="CA")
    p.add_argument("--pending", type=int, default=0, metavar="N")
    p.add_argument("--fail-registration", action="store_true")
    p.add_argument("--persist", metavar="FILE")
    p.add_argument("--missing-artifact-500", action="store_true",
                   help="answer a download of a missing artifact as 2.12.2 does "
                        "(500 INTERNAL_ERROR) instead of 404 RESOURCE_DOES_NOT_EXIST")
    p.add_argument("--fault", action="append", default=[], metavar="JSON")
    p.add_argument("--port", type=int, default=0, help="default: the kernel picks one")
    args = p.parse_args()
    if args.client_ca and not args.tls:
        p.error("--client-ca needs --tls")
    try:
        rules = [json.loads(f) for f in args.fault]
        faults = Faults([r for f in rules for r in (f if isinstance(f, list) else [f])])
    except ValueError as e:
        p.error(f"--fault: {e}")

    server = Server(("127.0.0.1", args.port), Handler)
    server.args = args
    server.store = Store(args)
    server.faults = faults
    server.log_lock = threading.Lock()
    server.count_lock = threading.Lock()
    server.counts = {}
    server.total = 0
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls[0], args.tls[1])
        if args.client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(args.client_ca)
        server.ssl_context = ctx
    server.store.save()
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(f"{port}\n")
        os.replace(tmp, args.port_file)
    print(port, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
