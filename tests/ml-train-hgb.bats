#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# ml-train's gradient_boosting through the program, against scikit-learn's HistGradientBoosting on the same files.

bats_require_minimum_version 1.5.0
load helpers

CREDIT=$TOP/examples/banking/data/credit_data.csv

# The credit data split as in ml-train.bats (every fifth row held out),
# and a config for MODEL with PARAMS (a YAML flow mapping): numbers raw
# (missing ones stay missing), categories imputed and one-hot.
credit_config() {
	mkdir -p data
	awk 'NR == 1 { print > "data/train.csv"; print > "data/test.csv"; next }
	     { print > (NR % 5 == 0 ? "data/test.csv" : "data/train.csv") }' "$CREDIT"
	cat >"$1" <<EOF
data:
  train: data/train.csv
  test: data/test.csv
  target: Status
preprocess:
  categorical: [{impute: most_frequent}, {one_hot: {handle_unknown: ignore}}]
models:
  - type: $2
    params: $3
EOF
}

# scikit-learn's HistGradientBoostingClassifier with PARAMS (JSON) on the
# same preprocessing: one test prediction (class label) per line.
sklearn_predictions() {
	"$PY" - "$1" <<'EOF'
import json, sys
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
tr, te = pd.read_csv("data/train.csv"), pd.read_csv("data/test.csv")
y = tr.pop("Status"); te.pop("Status")
cat = [c for c in tr.columns if tr[c].dtype == object]
for c in cat:
    mode = tr[c].mode()[0]
    tr[c] = tr[c].fillna(mode); te[c] = te[c].fillna(mode)
X = pd.get_dummies(tr, columns=cat, dtype=float)
Xt = pd.get_dummies(te, columns=cat, dtype=float).reindex(columns=X.columns, fill_value=0.0)
m = HistGradientBoostingClassifier(**json.loads(sys.argv[1])).fit(X, y)
print("\n".join(m.predict(Xt)))
EOF
}

@test "gradient_boosting: scikit-learn's predictions on the credit data, history, importances, --predict exact" {
	credit_config gb.yaml gradient_boosting '{max_iter: 40, n_jobs: 2}'
	run_ml 0 ml-train --config gb.yaml --out out </dev/null
	printf '%s\n' "$output" >rec.json
	validate_record rec.json
	assert_json train.model_type '"gradient_boosting"'
	assert_json train.params.learning_rate '"0.1"'
	assert_json train.params.max_leaf_nodes '"31"'
	assert_json train.params.max_depth '"null"'
	assert_json train.params.early_stopping '"auto"'
	assert_json train.convergence.iterations 40
	assert_json train.convergence.early_stopping false
	"$PY" - <<'EOF'
import json
t = json.load(open("rec.json"))["train"]
assert t["params"]["preprocess.numeric.impute"] == "none", t["params"]
loss = t["history"]["loss"]
assert len(loss) == 40 and all(a > b for a, b in zip(loss, loss[1:])), loss
assert "validation_loss" not in t["history"]
fi = t["feature_importances"]
assert abs(sum(fi.values()) - 1) < 1e-9 and min(fi.values()) >= 0, fi
m = json.load(open("out/model.json"))["model"]
assert m["model"] == "gradient_boosting" and m["loss"] == "log_loss"
assert len(m["trees"]) == 40 and set(m["trees"][0]) == {"feature", "value", "missing_left"}
EOF
	sklearn_predictions '{"max_iter": 40}' >sklearn.txt
	tail -n +2 out/predictions.csv | cut -d, -f3 >ours.txt
	[ "$(wc -l <ours.txt)" -eq 891 ]
	# The same trees: every prediction equal, up to a rare tie between two splits.
	"$PY" -c 'import sys; a, b = (open(f).read().split() for f in sys.argv[1:]); d = sum(x != y for x, y in zip(a, b)); print(d); sys.exit(d > 3)' ours.txt sklearn.txt
	run_ml 0 ml-train --predict out/model.json --data data/test.csv --output again.csv
	cmp out/predictions.csv again.csv
}

@test "gradient_boosting: the same model on 1 or 3 threads" {
	credit_config gb1.yaml gradient_boosting '{max_iter: 20, n_jobs: 1, early_stopping: true}'
	sed -e 's/n_jobs: 1/n_jobs: 3/' gb1.yaml >gb3.yaml
	run_ml 0 ml-train --config gb1.yaml --out one </dev/null
	run_ml 0 ml-train --config gb3.yaml --out three </dev/null
	"$PY" -c 'import json,sys; a, b = (json.load(open(f))["model"] for f in sys.argv[1:]); sys.exit(a != b)' one/model.json three/model.json
	cmp one/predictions.csv three/predictions.csv
}

@test "gradient_boosting: early stopping keeps the validation loss per iteration" {
	credit_config gb.yaml gradient_boosting '{early_stopping: true, n_iter_no_change: 3, learning_rate: 0.5, seed: 4}'
	run_ml 0 ml-train --config gb.yaml --out out </dev/null
	printf '%s\n' "$output" >rec.json
	validate_record rec.json
	assert_json train.params.random_state '"4"'
	assert_json train.convergence.early_stopping true
	assert_json train.convergence.converged true
	"$PY" - <<'EOF'
import json
t = json.load(open("rec.json"))["train"]
h, n = t["history"], t["convergence"]["iterations"]
assert 3 < n < 100 and len(h["loss"]) == n and len(h["validation_loss"]) == n, (n, h)
v = h["validation_loss"]
# Stopped: none of the last 3 improved on the loss 4 iterations back by more than tol.
assert min(v[-3:]) >= v[-4] - 1e-7, v
EOF
}

@test "gradient_boosting: multiclass and regression on scikit-learn's datasets, accuracy and RMSE as scikit-learn's" {
	"$PY" - <<'EOF'
from sklearn.datasets import load_diabetes, load_wine
for name, loader in (("wine", load_wine), ("diabetes", load_diabetes)):
    d = loader(as_frame=True).frame
    d.iloc[::4].to_csv(name + "-test.csv", index=False)
    d.drop(d.index[::4]).to_csv(name + "-train.csv", index=False)
EOF
	cat >wine.yaml <<EOF
data: {train: wine-train.csv, test: wine-test.csv, target: target}
models: [{type: gradient_boosting_classifier}]
EOF
	cat >diabetes.yaml <<EOF
data: {train: diabetes-train.csv, test: diabetes-test.csv, target: target}
models: [{type: gradient_boosting_regressor, params: {max_depth: 4}}]
EOF
	run_ml 0 ml-train --config wine.yaml --out wine </dev/null
	json_get train.metrics.accuracy >wine.txt
	run_ml 0 ml-train --config diabetes.yaml --out diabetes </dev/null
	assert_json train.task '"regression"'
	json_get train.metrics.rmse >diabetes.txt
	"$PY" - <<'EOF'
import numpy as np, pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
def load(name):
    tr, te = pd.read_csv(name + "-train.csv"), pd.read_csv(name + "-test.csv")
    return tr.drop(columns="target"), tr["target"], te.drop(columns="target"), te["target"]
X, y, Xt, yt = load("wine")
acc = np.mean(HistGradientBoostingClassifier().fit(X, y).predict(Xt) == yt)
ours = float(open("wine.txt").read())
print("wine", ours, acc)
assert ours >= acc - 0.01, (ours, acc)
X, y, Xt, yt = load("diabetes")
rmse = np.sqrt(np.mean((HistGradientBoostingRegressor(max_depth=4).fit(X, y).predict(Xt) - yt) ** 2))
ours = float(open("diabetes.txt").read())
print("diabetes", ours, rmse)
assert ours <= 1.02 * rmse, (ours, rmse)
EOF
	run_ml 0 ml-train --predict diabetes/model.json --data diabetes-test.csv --output again.csv
	cmp diabetes/predictions.csv again.csv
}

@test "gradient_boosting parameters: bad values exit 3 at file:line" {
	credit_config bad.yaml gradient_boosting '{max_bins: 256}'
	run_ml 3 ml-train --config bad.yaml </dev/null
	[ -z "$output" ]
	[[ "$(printf '%s\n' "$stderr" | tail -n 1)" == "ml-train: bad.yaml:9: 'max_bins' must be a whole number between 2 and 255" ]]
	credit_config bad.yaml gradient_boosting '{early_stopping: maybe}'
	run_ml 3 ml-train --config bad.yaml </dev/null
	[[ "$(printf '%s\n' "$stderr" | tail -n 1)" == "ml-train: bad.yaml:9: 'early_stopping' must be 'auto', true or false" ]]
	credit_config bad.yaml gradient_boosting '{seed: 1, random_state: 2}'
	run_ml 3 ml-train --config bad.yaml </dev/null
	credit_config bad.yaml gradient_boosting '{n_jobs: 0}'
	run_ml 3 ml-train --config bad.yaml --out out </dev/null
	[[ "$stderr" == *"bad.yaml:9: 'n_jobs' must be -1 (every CPU) or a number of threads"* ]]
	[ ! -e out/model.json ]
}

@test "gradient_boosting: a tampered model file exits 3 naming the file" {
	credit_config gb.yaml gradient_boosting '{max_iter: 3}'
	run_ml 0 ml-train --config gb.yaml --out out </dev/null
	"$PY" -c '
import json
m = json.load(open("out/model.json"))
m["model"]["trees"][1]["feature"] = m["model"]["trees"][1]["feature"][:-6]
json.dump(m, open("bad.json", "w"))'
	run_ml 3 ml-train --predict bad.json --data data/test.csv --output p.csv
	[[ "$stderr" == *"bad.json: gradient_boosting model: malformed tree 2 in 'trees'"* ]]
	[ ! -e p.csv ]
}
