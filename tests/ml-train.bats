#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# ml-train: configs, training on the credit data, the model file, predictions, refusals.

load helpers

CREDIT=$TOP/examples/banking/data/credit_data.csv

# The credit data in data/: credit.csv whole, and train.csv / test.csv
# with every fifth row held out.
credit_data() {
	mkdir -p data
	cp "$CREDIT" data/credit.csv
	awk 'NR == 1 { print > "data/train.csv"; print > "data/test.csv"; next }
	     { print > (NR % 5 == 0 ? "data/test.csv" : "data/train.csv") }' "$CREDIT"
	cp "$DATA"/ml-train/*.yaml .
}

@test "--help prints the usage on stdout and exits 0" {
	run_ml 0 ml-train --help
	assert_line --index 0 "usage: ml-train [options] --config <file>"
	assert_output --partial "--predict <model.json>"
	[ -z "$stderr" ]
}

@test "--version names the program and the version" {
	run_ml 0 ml-train --version
	assert_output --regexp '^ml-train \(mlci\) [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "the usage synopsis matches the man page" {
	run_ml 0 ml-train --help
	local help man
	help=$(printf '%s\n' "$output" | sed -n 's/^\(usage\|   or\): //p')
	man=$(sed -n '/^# SYNOPSIS/,/^# /p' "$TOP/man/ml-train.1.scd" |
		grep '^\*ml-train\*' | sed 's/\*//g')
	[ "$help" = "$man" ]
}

@test "an unknown option is a usage error: exit 2, empty stdout" {
	run_ml 2 ml-train --frobnicate </dev/null
	[ -z "$output" ]
	assert_equal "$(printf '%s\n' "$stderr" | head -n 1)" "ml-train: unknown option '--frobnicate'"
}

@test "no --config is a usage error" {
	run_ml 2 ml-train </dev/null
	[ -z "$output" ]
	[[ "$stderr" == "ml-train: no --config given"* ]]
}

@test "malformed stdin: exit 3, empty stdout" {
	credit_data
	run_ml 3 ml-train --config logistic.yaml <<<'{"data": '
	[ -z "$output" ]
	[[ "$stderr" == "ml-train: malformed JSON in standard input"* ]]
	[ ! -e model ]
}

@test "logistic regression on the credit data: as scikit-learn, and ml-gate passes" {
	credit_data
	run_ml 0 ml-train --config logistic.yaml --out out </dev/null
	printf '%s\n' "$output" >rec.json
	validate_record rec.json
	assert_json train.ok true
	assert_json train.task '"classification"'
	assert_json train.model_type '"logistic_regression"'
	assert_json train.model_path '"out/model.json"'
	assert_json train.predictions_path '"out/predictions.csv"'
	assert_json train.train_rows 3563
	assert_json train.test_rows 891
	assert_json train.params.C '"1"'
	assert_json train.params.max_iter '"1000"'
	assert_json train.convergence.converged true
	assert_json train.system.openblas_threads 1
	assert_json train.reports.confusion_matrix.labels '["bad","good"]'
	assert_json train.model_sha256 "\"$(sha256sum out/model.json | cut -d' ' -f1)\""
	local ours theirs
	ours=$(json_get train.metrics.accuracy)
	theirs=$("$PY" "$DATA/ml-train/reference.py" data/train.csv data/test.csv)
	"$PY" -c "import sys; a, b = map(float, sys.argv[1:]); sys.exit(abs(a - b) > 0.01)" "$ours" "$theirs"
	head -n 1 out/predictions.csv | grep -qx 'row,truth,prediction,proba_bad,proba_good'
	[ "$(wc -l <out/predictions.csv)" -eq 892 ]
	run_ml 0 ml-gate 'accuracy >= 0.70' <rec.json
	assert_json gate.ok true
}

@test "the model file is versioned and holds the schema, classes and lineage" {
	credit_data
	run_ml 0 ml-train --config logistic.yaml --out out </dev/null
	output=$(cat out/model.json)
	assert_json format 1
	assert_json classes '["bad","good"]'
	assert_json target '"Status"'
	assert_json features.0 '{"name":"Seniority","kind":"numeric"}'
	assert_json features.12 '{"name":"Job","kind":"categorical"}'
	assert_json training.train_sha256 "\"$(sha256sum data/train.csv | cut -d' ' -f1)\""
	assert_json training.config_sha256 "\"$(sha256sum logistic.yaml | cut -d' ' -f1)\""
	! grep -v '"git_sha": null' out/model.json | grep -q null
}

@test "--predict reproduces the test-set predictions exactly" {
	credit_data
	run_ml 0 ml-train --config logistic.yaml --out out </dev/null
	run_ml 0 ml-train --predict out/model.json --data data/test.csv --output again.csv
	cmp out/predictions.csv again.csv
}

@test "--predict without the target column leaves the truth empty" {
	credit_data
	run_ml 0 ml-train --config logistic.yaml --out out </dev/null
	cut -d, -f2- data/test.csv >features.csv
	run_ml 0 ml-train --predict out/model.json --data features.csv --output -
	assert_line --index 1 --regexp '^1,,good,0\.[0-9]+,0\.[0-9]+$'
}

@test "--predict on data missing a column: exit 3 naming it" {
	credit_data
	run_ml 0 ml-train --config logistic.yaml --out out </dev/null
	cut -d, -f1-4,6- data/test.csv >no-age.csv
	run_ml 3 ml-train --predict out/model.json --data no-age.csv --output p.csv
	[[ "$stderr" == *"no column 'Age'"* ]]
	[ ! -e p.csv ]
}

@test "the issue's example config: logistic regression against an MLP, ml-gate passes" {
	credit_data
	run_ml 0 ml-train --config example.yaml --out out </dev/null
	printf '%s\n' "$output" >rec.json
	validate_record rec.json
	assert_json train.candidates.1.model_type '"mlp"'
	assert_json train.candidates.1.params.hidden_layer_sizes '"[64]"'
	assert_json train.candidates.1.params.max_iter '"200"'
	run_ml 0 ml-gate 'accuracy >= 0.70' <rec.json
	run_ml 0 ml-train --predict out/model.json --data data/test.csv --output again.csv
	cmp out/predictions.csv again.csv
}

@test "an MLP alone: its loss curve, and --predict reproduces it exactly" {
	credit_data
	sed -e '/logistic_regression/,+1d' example.yaml >mlp.yaml
	run_ml 0 ml-train --config mlp.yaml --out out </dev/null
	assert_json train.model_type '"mlp"'
	[ "$(json_get train.convergence.iterations)" -eq "$(json_get train.history.loss | tr ',' '\n' | wc -l)" ]
	run_ml 0 ml-train --predict out/model.json --data data/test.csv --output again.csv
	cmp out/predictions.csv again.csv
}

@test "regression: ridge against least squares by rmse" {
	credit_data
	run_ml 0 ml-train --config ridge.yaml --out out </dev/null
	printf '%s\n' "$output" >rec.json
	validate_record rec.json
	assert_json train.task '"regression"'
	assert_json train.reports.confusion_matrix null
	"$PY" -c 'import json; m=json.load(open("rec.json"))["train"]["metrics"]; assert set(m) == {"rmse", "mae", "r2", "cv.rmse.mean", "cv.rmse.std"}, m; assert m["r2"] > 0.3'
	head -n 1 out/predictions.csv | grep -qx 'row,truth,prediction'
	run_ml 0 ml-train --predict out/model.json --data data/test.csv --output again.csv
	cmp out/predictions.csv again.csv
}

@test "two candidates on a split: stratified cross-validation picks one, refitted" {
	credit_data
	run_ml 0 ml-train --config two-models.yaml --out out </dev/null
	printf '%s\n' "$output" >rec.json
	validate_record rec.json
	assert_json train.test_path '"out/test.csv"'
	assert_json train.train_rows 3563
	assert_json train.test_rows 891
	assert_json train.select_by '"f1_macro"'
	assert_json train.candidates.0.model_type '"logistic_regression"'
	assert_json train.candidates.1.model_type '"linear_svm"'
	local sel
	sel=$(json_get train.candidates.0.selected)$(json_get train.candidates.1.selected)
	[ "$sel" = truefalse ] || [ "$sel" = falsetrue ]
	json_get train.metrics.cv.f1_macro.mean >/dev/null 2>&1 ||
		"$PY" -c 'import json,sys; m=json.load(open("rec.json"))["train"]["metrics"]; assert 0.6 < m["cv.f1_macro.mean"] < 0.9 and m["cv.f1_macro.std"] >= 0'
	# The held-out rows keep the class shares (stratified): 251 bad of 1254.
	[ "$(grep -c '^"bad"' out/test.csv)" -eq 251 ]
	run_ml 0 ml-train --predict out/model.json --data out/test.csv --output again.csv
	cmp out/predictions.csv again.csv
}

@test "linear_svm writes decision columns and no log_loss" {
	credit_data
	sed -e '/logistic_regression/,+1d' two-models.yaml >svm.yaml
	run_ml 0 ml-train --config svm.yaml --out out </dev/null
	assert_json train.model_type '"linear_svm"'
	run "$PY" -c 'import json,sys; m=json.load(sys.stdin)["train"]["metrics"]; print("log_loss" in m, "accuracy" in m)' <<<"$output"
	[ "$output" = "False True" ]
	head -n 1 out/predictions.csv | grep -qx 'row,truth,prediction,decision_bad,decision_good'
}

@test "an unknown parameter: exit 3 at file:line, the valid ones listed" {
	credit_data
	run_ml 3 ml-train --config bad-param.yaml </dev/null
	[ -z "$output" ]
	assert_equal "$(printf '%s\n' "$stderr" | tail -n 1)" "ml-train: bad-param.yaml:7: unknown key 'max_iters' in 'params' (known: C, max_iter, tol, fit_intercept, class_weight)"
}

@test "an unknown model type: exit 3 at file:line, the valid ones listed" {
	credit_data
	run_ml 3 ml-train --config bad-type.yaml </dev/null
	[ -z "$output" ]
	# Every family of the table is listed; other families may follow.
	[[ "$(printf '%s\n' "$stderr" | tail -n 1)" == "ml-train: bad-type.yaml:6: unknown model type 'random_jungle' (valid: linear_regression, ridge, logistic_regression, linear_svm, mlp, mlp_classifier, mlp_regressor"[,\)]* ]]
}

@test "a config that does not parse: exit 3 with file:line" {
	printf 'data: [\n' >broken.yaml
	run_ml 3 ml-train --config broken.yaml </dev/null
	[ -z "$output" ]
	[[ "$(printf '%s\n' "$stderr" | tail -n 1)" == "ml-train: broken.yaml:"* ]]
}

@test "a single class: exit 3, no model file" {
	credit_data
	grep -v '^"bad"' data/train.csv >one.csv && mv one.csv data/train.csv
	run_ml 3 ml-train --config logistic.yaml --out out </dev/null
	[[ "$stderr" == *"single class ('good')"* ]]
	[ ! -e out/model.json ]
}

@test "NaN in a numeric column: exit 3, no model file" {
	credit_data
	sed -i '5s/^"good",[0-9]*,/"good",nan,/' data/train.csv
	run_ml 3 ml-train --config logistic.yaml --out out </dev/null
	[[ "$stderr" == *"data/train.csv"* ]]
	[ ! -e out/model.json ]
}

@test "Inf in a numeric column: exit 3" {
	credit_data
	sed -i '5s/^"good",[0-9]*,/"good",-Inf,/' data/train.csv
	run_ml 3 ml-train --config logistic.yaml --out out </dev/null
	[ ! -e out/model.json ]
}

@test "relative paths in the config resolve against its folder" {
	credit_data
	mkdir conf && mv logistic.yaml conf/ && mv data conf/
	run_ml 0 ml-train --config conf/logistic.yaml --out out </dev/null
	assert_json train.train_path '"conf/data/train.csv"'
}

@test "data that failed validation: exit 1, train skipped; --force trains" {
	credit_data
	local sha
	sha=$(sha256sum data/train.csv | cut -d' ' -f1)
	printf '{"mlci":1,"data":{"path":"data/train.csv","sha256":"%s"},"validate":{"ok":false}}\n' "$sha" >in.json
	run_ml 1 ml-train --config logistic.yaml --out out <in.json
	assert_json train '{"ok":false,"skipped":true,"reason":"the training data '"'"'data/train.csv'"'"' failed validation; not training (--force trains anyway)"}'
	assert_json validate.ok false
	[ ! -e out/model.json ]
	run_ml 0 ml-train --force --config logistic.yaml --out out <in.json
	assert_json train.ok true
}

@test "validation of another file only warns" {
	credit_data
	printf '{"mlci":1,"data":{"path":"other.csv","sha256":"%064d"},"validate":{"ok":false}}\n' 0 >in.json
	run_ml 0 ml-train --config logistic.yaml --out out <in.json
	[[ "$stderr" == *"warning: the record's data section describes another file ('other.csv')"* ]]
}

@test "search: grids as GridSearchCV, class weights, roc_auc from an svm's decisions, checked against scikit-learn" {
	credit_data
	run_ml 0 ml-train --config grid.yaml --out out </dev/null
	printf '%s\n' "$output" >ours.json
	validate_record ours.json
	"$PY" "$DATA/ml-train/grid_reference.py" data/train.csv data/test.csv >theirs.json 2>/dev/null
	"$PY" - ours.json theirs.json <<'PYEOF'
import json, sys
ours = json.load(open(sys.argv[1]))["train"]
ref = json.load(open(sys.argv[2]))
c = ours["candidates"]
assert len(c) == len(ref["mean"]) == 10, len(c)
# ParameterGrid's order: the svm's grid then the logistic's, C outer.
assert [x["model_type"] for x in c] == ["linear_svm"] * 4 + ["logistic_regression"] * 6
assert [x["params"]["C"] for x in c] == ["0.01"] * 2 + ["1"] * 2 + ["0.001"] * 2 + ["0.01"] * 2 + ["1"] * 2
assert c[0]["params"]["class_weight"] == "balanced" and c[1]["params"]["class_weight"] == '{"bad":2}'
assert "class_weight" not in c[4]["params"] and c[5]["params"]["class_weight"] == "balanced"
for i, x in enumerate(c):
    # The logistic path is scikit-learn's; the svm's coordinate order is another RNG's.
    tol = 1e-3 if i < 4 else 1e-5
    assert abs(x["cv_mean"] - ref["mean"][i]) < tol, (i, x["cv_mean"], ref["mean"][i])
    assert abs(x["cv_std"] - ref["std"][i]) < 10 * tol, (i, x["cv_std"], ref["std"][i])
assert [x["selected"] for x in c].index(True) == ref["best"], ref["best"]
assert ours["model_type"] == c[ref["best"]]["model_type"]
assert ours["params"]["C"] == c[ref["best"]]["params"]["C"]
assert abs(ours["metrics"]["roc_auc"] - ref["roc_auc"]) < 1e-3, (ours["metrics"]["roc_auc"], ref["roc_auc"])
assert abs(ours["metrics"]["accuracy"] - ref["accuracy"]) < 0.005
assert abs(ours["metrics"]["cv.roc_auc.mean"] - ref["mean"][ref["best"]]) < 1e-3
PYEOF
	assert_output --partial '"roc_auc"'
	grep -q 'linear_svm C=0.01 class_weight="balanced": cv roc_auc' <<<"$stderr"
}

@test "search: errors name the file and line" {
	credit_data
	sed -e 's/search: {C: \[0.01, 1.0\]/search: {Cee: [0.01, 1.0]/' grid.yaml >bad1.yaml
	run_ml 3 ml-train --config bad1.yaml </dev/null
	assert_equal "$(printf '%s\n' "$stderr" | tail -n 1)" "ml-train: bad1.yaml:12: unknown key 'Cee' in 'params' (known: C, max_iter, tol, fit_intercept, intercept_scaling, loss, seed, class_weight)"
	sed -e 's/search: {C: \[0.001, 0.01, 1.0\]/search: {C: 0.5/' grid.yaml >bad2.yaml
	run_ml 3 ml-train --config bad2.yaml </dev/null
	assert_equal "$(printf '%s\n' "$stderr" | tail -n 1)" "ml-train: bad2.yaml:15: 'search.C' must be a non-empty list of values"
	sed -e 's/params: {max_iter: 1000}/params: {max_iter: 1000, C: 2}/' grid.yaml >bad3.yaml
	run_ml 3 ml-train --config bad3.yaml </dev/null
	assert_equal "$(printf '%s\n' "$stderr" | tail -n 1)" "ml-train: bad3.yaml:15: 'C' is in both 'params' and 'search'"
	sed -e 's/{bad: 2.0}/{bad: -1}/' grid.yaml >bad4.yaml
	run_ml 3 ml-train --config bad4.yaml </dev/null
	assert_equal "$(printf '%s\n' "$stderr" | tail -n 1)" "ml-train: bad4.yaml:12: the weight of class 'bad' must be a number > 0"
	sed -e 's/{bad: 2.0}/{awful: 2.0}/' grid.yaml >bad5.yaml
	run_ml 3 ml-train --config bad5.yaml </dev/null
	assert_equal "$(printf '%s\n' "$stderr" | tail -n 1)" "ml-train: class_weight: 'awful' is not a class of the target"
	[ ! -e out/model.json ]
}

@test "rename: the model uses the new names, prediction reads the original header" {
	credit_data
	sed -e 's/^  target: Status$/  target: Status\n  rename: {Status: outcome, Age: age_years, Home: home}/' logistic.yaml >ren.yaml
	run_ml 0 ml-train --config ren.yaml --out ren </dev/null
	run_ml 0 ml-train --config logistic.yaml --out out </dev/null
	output=$(cat ren/model.json)
	assert_json target '"outcome"'
	assert_json target_source '"Status"'
	assert_json features.2 '{"name":"age_years","kind":"numeric","source":"Age"}'
	[ "$(json_get preprocess.features.2)" = '"age_years"' ]
	printf '%s\n' "$output" | grep -q '"home_owner"'
	# Same numbers as without the renaming.
	cmp ren/predictions.csv out/predictions.csv
	run_ml 0 ml-train --predict ren/model.json --data data/test.csv --output p.csv
	cmp p.csv ren/predictions.csv
	sed -e 's/home}/""}/' ren.yaml >bad.yaml
	run_ml 3 ml-train --config bad.yaml </dev/null
	assert_equal "$(printf '%s\n' "$stderr" | tail -n 1)" "ml-train: bad.yaml:6: 'rename': the new name of 'Home' must be a non-empty string"
}

@test "a progress bar on a terminal, none otherwise" {
	credit_data
	command -v script >/dev/null
	script -qec "'$MLCI_BUILD/bin/ml-train' -i /dev/null --config two-models.yaml --out tty >/dev/null" typescript >/dev/null
	grep -aq '\[##############################\] 11/11 fits logistic_regression' typescript
	grep -aq '\] 5/11 fits linear_svm' typescript
	# The MLP's epochs within a fit.
	sed -e '/logistic_regression/,+1d' example.yaml >mlp.yaml
	script -qec "'$MLCI_BUILD/bin/ml-train' -i /dev/null --config mlp.yaml --out tty >/dev/null" typescript >/dev/null
	grep -aq '\] 0/1 fits mlp (epoch 1/200)' typescript
	grep -aq '\] 1/1 fits mlp$' <(tr '\r' '\n' <typescript | sed 's/\x1b\[K//g')
	run_ml 0 ml-train --config two-models.yaml --out out </dev/null
	! grep -q 'fits' <<<"$stderr"
	! grep -q $'\r' <<<"$stderr"
}

@test "under GitHub Actions: outputs and a step summary with the metrics and candidates" {
	credit_data
	export GITHUB_ACTIONS=true GITHUB_OUTPUT=$PWD/ghout GITHUB_STEP_SUMMARY=$PWD/summary
	run_ml 0 ml-train --config two-models.yaml --out out </dev/null
	local model acc
	model=$(json_get train.model_type | tr -d '"')
	acc=$(json_get train.metrics.accuracy)
	grep -qx "model_type=$model" ghout
	grep -qx "model_path=out/model.json" ghout
	grep -qx "### ml-train: $model on 3563 rows, tested on 891" summary
	grep -qx "| accuracy | $(printf '%.4f' "$acc") |" summary
	[ "$(grep -c '^| \(logistic_regression\|linear_svm\) | C=' summary)" -eq 2 ]
	[ "$(grep -c '| \*\*selected\*\* |$' summary)" -eq 1 ]
	grep -q "^| $model | .* | \*\*selected\*\* |\$" summary
}

@test "--predict writes JSON lines: the same predictions as the CSV, numbers exact" {
	credit_data
	run_ml 0 ml-train --config two-models.yaml --out out </dev/null
	run_ml 0 ml-train --predict out/model.json --data out/test.csv --output p.jsonl
	run_ml 0 ml-train --predict out/model.json --data out/test.csv --output - --format jsonl
	printf '%s\n' "$output" | cmp - p.jsonl
	cut -d, -f2- out/test.csv >notarget.csv
	run_ml 0 ml-train --predict out/model.json --data notarget.csv --output q.ndjson
	"$PY" - out/predictions.csv p.jsonl q.ndjson <<'PYEOF'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
lines = [json.loads(l) for l in open(sys.argv[2])]
bare = [json.loads(l) for l in open(sys.argv[3])]
assert len(rows) == len(lines) == len(bare) > 0
for r, j, b in zip(rows, lines, bare):
    assert j["row"] == int(r["row"]) and j["truth"] == r["truth"] and j["prediction"] == r["prediction"]
    kind = "proba" if "proba" in j else "decision"
    assert set(j) == {"row", "truth", "prediction", kind}
    for c, v in j[kind].items():
        assert v == float(r["%s_%s" % (kind, c)]), (c, v)
    assert b["truth"] is None and b["prediction"] == j["prediction"] and b[kind] == j[kind]
PYEOF
	run_ml 2 ml-train --predict out/model.json --data out/test.csv --output - --format xml
	assert_equal "$stderr" "ml-train: unknown predictions format 'xml' (valid: csv, jsonl)"
	run_ml 2 ml-train --config two-models.yaml --format jsonl </dev/null
}
