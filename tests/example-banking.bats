#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The banking example's main job, as the README runs it.

load helpers

@test "the banking example validates, trains and passes its gate" {
	MLCI_BIN=$MLCI_BUILD/bin MLCI_OUT=$PWD/out/record.json run_ml 0 "$TOP/examples/banking/run.sh"
	[[ "$stderr" == *"ml-validate: data/credit_data.csv: 4454 rows, 14 columns: ok"* ]]
	[[ "$stderr" == *"ml-gate: passed: 4 rules"* ]]
	output=$(cat out/record.json)
	assert_json validate.ok true
	assert_json data.rows 4454
	assert_json train.model_type '"logistic_regression"'
	assert_json register.experiment_name '"Banking-local"'
	assert_json register.model.name '"BankingModel-local"'
	assert_json register.model.alias '"candidate"'
	[[ "$stderr" == *"ml-register: run "*" in experiment 'Banking-local' (sqlite:///$PWD/out/mlflow.db)"* ]]
	[ "$(sqlite3 out/mlflow.db "select status from runs")" = FINISHED ]
	assert_json gate.ok true
	assert_json gate.rules.0.rule '"accuracy >= 0.70"'
	[ -s out/model/model.json ]
	[ -s out/model/predictions.csv ]
	validate_record out/record.json
}

@test "the banking example's reference metrics are scikit-learn's, reproducibly" {
	mkdir metrics data
	cp "$TOP/examples/banking/metrics/reference-models.py" metrics/
	cp "$TOP/examples/banking/data/credit_data.csv" data/
	run_ml 0 "$PY" metrics/reference-models.py
	"$PY" - "$TOP/examples/banking/metrics" <<'PY'
import json, sys
for name in ("champion", "candidate"):
    want = json.load(open(f"{sys.argv[1]}/{name}.json"))
    got = json.load(open(f"metrics/{name}.json"))
    assert want.keys() == got.keys(), name
    for k in want:
        assert abs(want[k] - got[k]) <= 1e-12, (name, k, want[k], got[k])
PY
}

@test "the example's package scores the held-out rows as ml-train did, and its wheel passes ml-wheelcheck" {
	MLCI_BIN=$MLCI_BUILD/bin MLCI_OUT=$PWD/out/record.json run_ml 0 "$TOP/examples/banking/run.sh"
	PYTHONPATH=$TOP/examples/banking/package/src "$PY" - out/model <<'PY'
import csv, sys, banking_model as b
m = b.load(f"{sys.argv[1]}/model.json")
rows = list(csv.DictReader(open(f"{sys.argv[1]}/test.csv")))
preds = list(csv.DictReader(open(f"{sys.argv[1]}/predictions.csv")))
assert len(rows) == len(preds) == 891
for r, p in zip(rows, preds):
    got = b.score(m, r)
    for c in m["classes"]:
        assert abs(got[c] - float(p[f"proba_{c}"])) <= 1e-12, (r, c, got[c], p)
PY
	cp -r "$TOP/examples/banking/package" pkg
	(cd pkg && SOURCE_DATE_EPOCH=1577836800 "$PY" -m build --no-isolation --wheel -o ../dist . >../build.log 2>&1)
	run_ml 0 ml-wheelcheck --strict dist/banking_model-0.1.0-py3-none-any.whl </dev/null
	assert_json wheel.ok true
	assert_json wheel.version '"0.1.0"'
}
