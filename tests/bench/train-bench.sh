#!/bin/sh
# SPDX-License-Identifier: MIT
# ml-train's whole process against a python3 script doing the same with
# scikit-learn (read the CSV files, standard-scale, fit, predict the test
# rows, write the predictions), side by side in one run, both on one
# OpenBLAS thread: logistic regression, then an MLP, on 200,000 x 50
# synthetic rows (20,000 test rows). CPU seconds (user + sys) and peak RSS
# from GNU time, and each side's test accuracy, so that the speed is at the
# same accuracy. MLCI_BENCH_ROWS changes the training rows.
set -eu
: "${MLCI_BUILD:=build/default}"
bin=$MLCI_BUILD/bin
rows=${MLCI_BENCH_ROWS:-200000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
/usr/bin/python3 - "$rows" <<'PY'
import sys
import numpy as np
n, p = int(sys.argv[1]), 50
rng = np.random.default_rng(0)
w = rng.normal(size=p)
for name, m in (("train.csv", n), ("test.csv", n // 10)):
    X = rng.normal(size=(m, p))
    y = (X @ w + rng.normal(scale=2.0, size=m) > 0).astype(int)
    with open(name, "w") as f:
        f.write(",".join("x%d" % j for j in range(p)) + ",y\n")
        np.savetxt(f, np.column_stack([X, y]), fmt=["%.6f"] * p + ["%d"], delimiter=",")
PY
cat >sk.py <<'PY'
import sys
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
tr, te = pd.read_csv("train.csv"), pd.read_csv("test.csv")
y, yt = tr.pop("y"), te.pop("y")
if sys.argv[1] == "logistic":
    est = LogisticRegression()
else:
    est = MLPClassifier(hidden_layer_sizes=(64,), max_iter=10, random_state=0)
m = make_pipeline(StandardScaler(), est).fit(tr, y)
proba = m.predict_proba(te)
pred = m.predict(te)
pd.DataFrame({"row": range(1, len(te) + 1), "truth": yt, "prediction": pred,
              "proba_0": proba[:, 0], "proba_1": proba[:, 1]}).to_csv(
    "sk-predictions.csv", index=False)
print(accuracy_score(yt, pred))
PY
printf 'data: {train: train.csv, test: test.csv, target: y}\npreprocess: {numeric: [{scale: standard}]}\nmodels: [{type: logistic_regression}]\n' >logistic.yaml
printf 'data: {train: train.csv, test: test.csv, target: y}\npreprocess: {numeric: [{scale: standard}]}\nmodels: [{type: mlp, params: {hidden_layer_sizes: [64], max_iter: 10, random_state: 0}}]\n' >mlp.yaml
export OPENBLAS_NUM_THREADS=1
printf '%-10s %-9s %8s %10s %9s\n' model program cpu_s peak_MiB accuracy
for model in logistic mlp; do
	/usr/bin/time -f '%U %S %M' -o t1 "$bin/ml-train" --config "$model.yaml" \
		--out out </dev/null >rec.json 2>/dev/null
	acc1=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open("rec.json"))["train"]["metrics"]["accuracy"])')
	/usr/bin/time -f '%U %S %M' -o t2 /usr/bin/python3 -W ignore sk.py "$model" >acc2 2>/dev/null
	set -- $(tail -n 1 t1) $(tail -n 1 t2)
	c1=$(echo "$1 + $2" | bc -l)
	c2=$(echo "$4 + $5" | bc -l)
	printf '%-10s %-9s %8.2f %10.1f %9.4f\n' "$model" ml-train "$c1" "$(echo "$3 / 1024" | bc -l)" "$acc1"
	printf '%-10s %-9s %8.2f %10.1f %9.4f\n' "$model" sklearn "$c2" "$(echo "$6 / 1024" | bc -l)" "$(cat acc2)"
	printf '%-10s ratio     %8.1fx\n' "$model" "$(echo "$c2 / $c1" | bc -l)"
done
