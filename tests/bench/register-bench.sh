#!/bin/sh
# SPDX-License-Identifier: MIT
# ml-register against MLflow's own Python client doing the same work: log
# one run with 10 metrics x 1,000 steps, 50 params and 3 artifacts, then
# register a version with an alias, into a fresh SQLite store (MLflow's
# schema). Whole-process CPU time, wall time and peak RSS, side by side.
# MLflow is not a Debian package: point MLFLOW_SRC at an extracted MLflow
# 2.12 source tree (/work/shared/tools/start-mlflow.sh leaves one in
# $HARNESS_DIR/src/mlflow-2.12.2 and querystring_parser in .../deps);
# without it only ml-register is measured.
set -eu
bin=$MLCI_BUILD/bin
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
c = MlflowClient("sqlite:///py.db")
e = c.get_experiment_by_name("Bench") or c.get_experiment(c.create_experiment("Bench", artifact_location=os.path.abspath("pyruns")))
exp = e.experiment_id if hasattr(e, "experiment_id") else e
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
c.create_registered_model("BenchModel")
v = c.create_model_version("BenchModel", f"{run.info.artifact_uri}/model", rid)
c.set_registered_model_alias("BenchModel", "candidate", v.version)
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
rm -rf ml.db mlruns
$reg >/dev/null 2>&1
echo "ml-register wrote $(sqlite3 ml.db 'select count(*) from metrics') metric points, $(sqlite3 ml.db 'select count(*) from params') params"
