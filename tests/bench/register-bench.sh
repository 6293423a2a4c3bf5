#!/bin/sh
# SPDX-License-Identifier: MIT
# ml-register against MLflow's own Python client doing the same work: log
# one run with 10 metrics x 1,000 steps, 50 params and 3 artifacts, then
# register a version with an alias, into a fresh SQLite store (MLflow's
# schema), then over REST to a tracking server. Whole-process CPU time,
# wall time and peak RSS side by side, and for REST the HTTP requests sent.
# MLflow is not a Debian package: point MLFLOW_SRC at an extracted MLflow
# 2.12 source tree (/work/shared/tools/start-mlflow.sh leaves one in
# $HARNESS_DIR/src/mlflow-2.12.2 and querystring_parser in .../deps);
# without it the MLflow client rows are left out. The REST rows talk to
# MLFLOW_URL (a real server, for example start-mlflow.sh's) or else to
# the loopback fake of tests/servers/mlflow_server.py, which counts the
# requests; a plain Python urllib script doing the same calls is the
# baseline that needs nothing but Debian.
set -eu
bin=$MLCI_BUILD/bin
MLCI_TOP=${MLCI_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
/usr/bin/python3 - <<'PY'
import json, os
os.makedirs("model", exist_ok=True)
json.dump({"format": 1, "weights": [0.5] * 20000}, open("model/model.json", "w"))
open("model/predictions.csv", "w").write("row,truth,prediction\n" + "".join(f"{i},a,a\n" for i in range(1, 20001)))
open("model.yaml", "w").write("models: [{type: logistic_regression}]\n" * 200)
hist = {f"m{k}": [1.0 / (s + 1 + k) for s in range(1000)] for k in range(10)}
params = {f"p{k}": str(k) for k in range(49)}
params["model_type"] = "logistic_regression"
rec = {"mlci": 1, "git": {"sha": None, "environment": "local"},
       "train": {"ok": True, "model_path": "model/model.json",
                 "predictions_path": "model/predictions.csv",
                 "config_path": "model.yaml", "task": "classification",
                 "model_type": "logistic_regression", "params": params,
                 "metrics": {}, "history": hist}}
json.dump(rec, open("rec.json", "w"))
PY
cat >client.py <<'PY'
import json, sys, os, time
from mlflow import MlflowClient
rec = json.load(open("rec.json"))
uri = os.environ.get("TRACKING", "sqlite:///py.db")
sfx = os.environ.get("SFX", "")
c = MlflowClient(uri)
e = c.get_experiment_by_name("Bench" + sfx)
if not e:
    kw = {} if uri.startswith("http") else {"artifact_location": os.path.abspath("pyruns")}
    e = c.get_experiment(c.create_experiment("Bench" + sfx, **kw))
exp = e.experiment_id
run = c.create_run(exp)
rid = run.info.run_id
from mlflow.entities import Metric, Param
now = int(time.time() * 1000)
ms = [Metric(k, v, now, s) for k, h in rec["train"]["history"].items() for s, v in enumerate(h)]
ps = [Param(k, v) for k, v in rec["train"]["params"].items()]
for i in range(0, len(ms), 1000):
    c.log_batch(rid, metrics=ms[i:i + 1000], params=ps if i == 0 else [])
c.log_artifact(rid, "model/model.json", "model")
c.log_artifact(rid, "model/predictions.csv", "predictions")
c.log_artifact(rid, "model.yaml", "config")
c.set_terminated(rid)
c.create_registered_model("BenchModel" + sfx)
v = c.create_model_version("BenchModel" + sfx, f"{run.info.artifact_uri}/model", rid)
c.set_registered_model_alias("BenchModel" + sfx, "candidate", v.version)
PY
# The same calls as plain REST requests (what a hand-written script does).
cat >rest.py <<'PY'
import json, os, time, urllib.request
base = os.environ["TRACKING"] + "/api/2.0/mlflow/"
sfx = os.environ.get("SFX", "")
rec = json.load(open("rec.json"))
def call(method, ep, body=None, raw=None, url=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url or base + ep, data=data, method=method,
                                 headers={"Content-Type": "application/octet-stream" if raw is not None else "application/json"})
    with urllib.request.urlopen(req) as r:
        out = r.read()
    return json.loads(out) if out and raw is None else {}
exp = call("POST", "experiments/create", {"name": "Bench" + sfx})["experiment_id"]
run = call("POST", "runs/create", {"experiment_id": exp, "start_time": int(time.time() * 1000)})["run"]["info"]
rid, now = run["run_id"], int(time.time() * 1000)
ms = [{"key": k, "value": v, "timestamp": now, "step": s} for k, h in rec["train"]["history"].items() for s, v in enumerate(h)]
ps = [{"key": k, "value": v} for k, v in rec["train"]["params"].items()]
call("POST", "runs/log-batch", {"run_id": rid, "params": ps})
for i in range(0, len(ms), 1000):
    call("POST", "runs/log-batch", {"run_id": rid, "metrics": ms[i:i + 1000]})
art = os.environ["TRACKING"] + "/api/2.0/mlflow-artifacts/artifacts/" + run["artifact_uri"].split(":", 1)[1].lstrip("/")
for path, sub in [("model/model.json", "model"), ("model/predictions.csv", "predictions"), ("model.yaml", "config")]:
    call("PUT", None, raw=open(path, "rb").read(), url=f"{art}/{sub}/{os.path.basename(path)}")
call("POST", "runs/update", {"run_id": rid, "status": "FINISHED", "end_time": int(time.time() * 1000)})
call("POST", "registered-models/create", {"name": "BenchModel" + sfx})
v = call("POST", "model-versions/create", {"name": "BenchModel" + sfx, "source": run["artifact_uri"] + "/model", "run_id": rid})["model_version"]
call("POST", "registered-models/alias", {"name": "BenchModel" + sfx, "alias": "candidate", "version": v["version"]})
PY
reg="$bin/ml-register --tracking-uri sqlite:///ml.db --experiment-name Bench --model-name BenchModel --alias candidate -i rec.json"
measure() {
	rm -rf ml.db mlruns py.db pyruns
	/usr/bin/time -f '%U %S %e %M' sh -c "$1" 2>&1 >/dev/null | tail -n 1 |
		awk -v n="$2" '{ printf "%-22s cpu %6.2f s  wall %6.2f s  peak RSS %6.1f MiB\n", n, $1 + $2, $3, $4 / 1024 }'
}
for i in 1 2 3; do
	measure "$reg 2>/dev/null" ml-register
	if [ -n "${MLFLOW_SRC:-}" ]; then
		measure "PYTHONPATH=$MLFLOW_SRC${MLFLOW_DEPS:+:$MLFLOW_DEPS} /usr/bin/python3 -W ignore client.py 2>/dev/null" "MLflow 2.12 client"
	fi
done
[ -n "${MLFLOW_SRC:-}" ] || echo "MLFLOW_SRC is not set: MLflow's client not measured"

# Over REST.
url=${MLFLOW_URL:-}
if [ -z "$url" ]; then
	/usr/bin/python3 "$MLCI_TOP/tests/servers/mlflow_server.py" --port-file port \
		>/dev/null 2>&1 &
	server=$!
	trap 'kill $server 2>/dev/null; rm -rf "$tmp"' EXIT
	for i in $(seq 100); do [ -s port ] && break; sleep 0.1; done
	url=http://127.0.0.1:$(cat port)
	counted=1
fi
requests() {
	[ -n "${counted:-}" ] || return 0
	curl -s "$url/__requests" | /usr/bin/python3 -c 'import json,sys; print("  %d HTTP requests" % json.load(sys.stdin)["total"])'
	curl -s -X DELETE "$url/__requests" >/dev/null
}
echo "REST: $url"
n=0
for i in 1 2 3; do
	n=$((n + 1))
	measure "$bin/ml-register --tracking-uri $url --experiment-name Bench-c$n --model-name BenchModel-c$n --alias candidate -i rec.json 2>/dev/null" ml-register
	requests
	if [ -n "${MLFLOW_SRC:-}" ]; then
		measure "SFX=-p$n TRACKING=$url MLFLOW_TRACKING_URI=$url PYTHONPATH=$MLFLOW_SRC${MLFLOW_DEPS:+:$MLFLOW_DEPS} /usr/bin/python3 -W ignore client.py 2>/dev/null" "MLflow 2.12 client"
		requests
	fi
	measure "SFX=-u$n TRACKING=$url /usr/bin/python3 rest.py" "Python urllib script"
	requests
done
rm -rf ml.db mlruns
$reg >/dev/null 2>&1
echo "ml-register wrote $(sqlite3 ml.db 'select count(*) from metrics') metric points, $(sqlite3 ml.db 'select count(*) from params') params"
