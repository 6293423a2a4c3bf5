#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# ml-gate's paired tests: McNemar against statsmodels, DeLong against a
# reference written here in numpy, the seeded bootstrap, margins, the strict
# non-inferiority form, baselines as model files, refusals.

load helpers

# pairs N SEED CAND_ACC BASE_ACC: a candidate record whose predictions file
# (cand.csv) and a baseline predictions file (base.csv) hold N binary rows;
# each model is right on a random share of the rows and scores them with a
# noisy probability. The record's metrics are computed by scikit-learn.
pairs() {
	"$PY" - "$@" <<'EOF'
import json, sys
import numpy as np
from sklearn.metrics import accuracy_score, roc_auc_score, f1_score
n, seed, pc, pb = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
rng = np.random.default_rng(seed)
y = rng.integers(0, 2, n)
names = np.array(["no", "yes"])
def model(p, path):
    right = rng.random(n) < p
    pred = np.where(right, y, 1 - y)
    s = np.clip(0.5 + (pred - 0.5) * rng.random(n) + rng.normal(0, 0.15, n), 0.001, 0.999)
    with open(path, "w") as f:
        f.write("row,truth,prediction,proba_no,proba_yes\n")
        for i in range(n):
            f.write("%d,%s,%s,%r,%r\n" % (i + 1, names[y[i]], names[pred[i]], float(1 - s[i]), float(s[i])))
    return pred, s
pc_, sc = model(pc, "cand.csv")
pb_, sb = model(pb, "base.csv")
rec = {"mlci": 1, "train": {"ok": True, "task": "classification",
       "predictions_path": "cand.csv",
       "metrics": {"accuracy": accuracy_score(y, pc_), "roc_auc": roc_auc_score(y, sc),
                   "f1_macro": f1_score(y, pc_, average="macro")}}}
json.dump(rec, open("rec.json", "w"))
EOF
}

# statsmodels' McNemar of cand.csv against base.csv: "statistic pvalue".
mcnemar_ref() {
	"$PY" - "$@" <<'EOF'
import csv, sys
from statsmodels.stats.contingency_tables import mcnemar
c = list(csv.DictReader(open("cand.csv"))); b = list(csv.DictReader(open("base.csv")))
t = [[0, 0], [0, 0]]
for rc, rb in zip(c, b):
    t[rc["truth"] != rc["prediction"]][rb["truth"] != rb["prediction"]] += 1
exact = t[0][1] + t[1][0] < 25
r = mcnemar(t, exact=exact, correction=True)
print(repr(float(r.statistic)), repr(float(r.pvalue)), "exact" if exact else "chi2")
EOF
}

# near A B TOL: |A - B| <= TOL * max(1, |B|).
near() {
	"$PY" -c 'import sys; a, b, t = map(float, sys.argv[1:]); sys.exit(0 if abs(a - b) <= t * max(1, abs(b)) else 1)' "$1" "$2" "$3" ||
		{ echo "$1 is not within $3 of $2" >&2; return 1; }
}

@test "accuracy >= baseline is judged by McNemar's test, as statsmodels (chi-square)" {
	pairs 500 1 0.80 0.78
	run_ml 0 ml-gate --baseline-predictions base.csv 'accuracy >= baseline' <rec.json
	printf '%s\n' "$output" >out.json
	validate_record out.json
	read -r stat p kind < <(mcnemar_ref)
	[ "$kind" = chi2 ]
	assert_json gate.rules.0.test '"mcnemar"'
	near "$(json_get gate.rules.0.statistic)" "$stat" 1e-9
	near "$(json_get gate.rules.0.p_value)" "$p" 1e-9
	assert_json gate.rules.0.n 500
	assert_json gate.stats.rows 500
}

@test "few discordant pairs: McNemar's exact binomial test, as statsmodels" {
	pairs 60 7 0.90 0.88
	run_ml 0 ml-gate --baseline-predictions base.csv 'accuracy >= baseline' <rec.json
	read -r stat p kind < <(mcnemar_ref)
	[ "$kind" = exact ]
	assert_json gate.rules.0.test '"mcnemar-exact"'
	near "$(json_get gate.rules.0.statistic)" "$stat" 1e-9
	near "$(json_get gate.rules.0.p_value)" "$p" 1e-9
}

@test "roc_auc >= baseline is judged by DeLong's test, as a numpy reference" {
	pairs 700 3 0.75 0.72
	run_ml 0 ml-gate --baseline-predictions base.csv 'roc_auc >= baseline' <rec.json
	printf '%s\n' "$output" >out.json
	"$PY" - <<'EOF'
import csv, json
import numpy as np
from scipy.stats import norm
from sklearn.metrics import roc_auc_score
# DeLong, DeLong and Clarke-Pearson (1988) by its definition: the placement
# of each positive among the negatives and of each negative among the
# positives, with the kernel psi (1, 1/2 for ties, 0).
c = list(csv.DictReader(open("cand.csv"))); b = list(csv.DictReader(open("base.csv")))
y = np.array([r["truth"] == "yes" for r in c])
S = [np.array([float(r["proba_yes"]) for r in f]) for f in (c, b)]
V10, V01 = [], []
for s in S:
    x, z = s[y], s[~y]
    psi = (x[:, None] > z[None, :]) + 0.5 * (x[:, None] == z[None, :])
    V10.append(psi.mean(axis=1)); V01.append(psi.mean(axis=0))
auc = [v.mean() for v in V10]
S10, S01 = np.cov(np.array(V10)), np.cov(np.array(V01))
Sm = S10 / y.sum() + S01 / (~y).sum()
var = Sm[0, 0] + Sm[1, 1] - 2 * Sm[0, 1]
d = auc[0] - auc[1]
z = d / np.sqrt(var)
p = 2 * norm.sf(abs(z))
h = norm.ppf(0.975) * np.sqrt(var)
r = json.load(open("out.json"))["gate"]["rules"][0]
assert r["test"] == "delong", r
assert abs(auc[0] - roc_auc_score(y, S[0])) < 1e-12
for k, want in (("value", auc[0]), ("baseline", auc[1]), ("statistic", z),
                ("p_value", p), ("ci_low", d - h), ("ci_high", d + h)):
    assert abs(r[k] - want) <= 1e-9 * max(1, abs(want)), (k, r[k], want)
EOF
}

@test "the bootstrap interval is reproducible by seed and moves with it" {
	pairs 400 5 0.8 0.8
	run_ml 0 ml-gate --baseline-predictions base.csv 'f1_macro >= baseline - 0.05' <rec.json
	local a b c
	a=$(json_get gate.rules.0)
	run_ml 0 ml-gate --baseline-predictions base.csv 'f1_macro >= baseline - 0.05' <rec.json
	b=$(json_get gate.rules.0)
	[ "$a" = "$b" ]
	assert_json gate.rules.0.test '"bootstrap"'
	assert_json gate.stats.resamples 2000
	run_ml 0 ml-gate --seed 7 --baseline-predictions base.csv 'f1_macro >= baseline - 0.05' <rec.json
	c=$(json_get gate.rules.0.ci_low)
	[ "$c" != "$(printf '%s' "$a" | "$PY" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["ci_low"]))')" ]
	# The interval holds the point estimate, which is f1_macro as sklearn.
	"$PY" - "$a" <<'EOF'
import csv, json, sys
from sklearn.metrics import f1_score
r = json.loads(sys.argv[1])
c = list(csv.DictReader(open("cand.csv"))); b = list(csv.DictReader(open("base.csv")))
fc = f1_score([x["truth"] for x in c], [x["prediction"] for x in c], average="macro")
fb = f1_score([x["truth"] for x in b], [x["prediction"] for x in b], average="macro")
assert abs(r["value"] - fc) < 1e-12 and abs(r["baseline"] - fb) < 1e-12, r
assert r["ci_low"] <= fc - fb <= r["ci_high"], r
assert r["p_value"] is None and r["statistic"] is None
EOF
}

# Two prediction files of 500 rows with given counts of (cand right, base right) rows.
table() {
	"$PY" - "$@" <<'EOF'
import json, sys
both, conly, bonly, neither = map(int, sys.argv[1:5])
rows = [(1, 1)] * both + [(1, 0)] * conly + [(0, 1)] * bonly + [(0, 0)] * neither
n = len(rows)
acc = sum(r[0] for r in rows) / n
for path, k in (("cand.csv", 0), ("base.csv", 1)):
    with open(path, "w") as f:
        f.write("row,truth,prediction\n")
        for i, r in enumerate(rows):
            f.write("%d,a,%s\n" % (i + 1, "a" if r[k] else "b"))
json.dump({"mlci": 1, "train": {"ok": True, "task": "classification",
           "predictions_path": "cand.csv", "metrics": {"accuracy": acc}}}, open("rec.json", "w"))
EOF
}

@test "a candidate 0.4 points worse on 500 rows passes accuracy >= baseline; without statistics it fails" {
	# 0.800 against 0.804: 2 fewer right rows out of 500.
	table 380 20 22 78
	run_ml 0 ml-gate --baseline-predictions base.csv 'accuracy >= baseline' <rec.json
	assert_json gate.ok true
	assert_json gate.rules.0.value 0.8
	assert_json gate.rules.0.baseline 0.804
	[[ "$(json_get gate.rules.0.reason)" == '"not significantly worse: McNemar p = '* ]]
	# A warning says 500 rows cannot see a difference of one point.
	[[ "$(json_get gate.rules.0.warning)" == '"500 test rows are too few to detect a difference of 0.01 in accuracy'* ]]
	[[ "$stderr" == *"warning: rule 'accuracy >= baseline': 500 test rows are too few"* ]]
	run_ml 1 ml-gate --no-stats --baseline-predictions base.csv 'accuracy >= baseline' <rec.json
	assert_json gate.stats null
	assert_json gate.rules.0.ok false
	printf '%s' "$output" | "$PY" -c 'import json,sys; r = json.load(sys.stdin)["gate"]["rules"][0]; assert "test" not in r and "p_value" not in r, r'
}

@test "a clearly worse candidate fails accuracy >= baseline" {
	# 0.74 against 0.80: 40 rows only the baseline gets right, 10 only the candidate.
	table 360 10 40 90
	run_ml 1 ml-gate --baseline-predictions base.csv 'accuracy >= baseline' <rec.json
	printf '%s\n' "$output" >out.json
	validate_record out.json
	assert_json gate.ok false
	[[ "$(json_get gate.rules.0.reason)" == '"significantly worse: McNemar p = '* ]]
	[[ "$stderr" == *"failed: 1 of 1 rules"* ]]
}

@test "margins: within the margin by the paired interval; non-inferior needs the whole interval above it" {
	# 0.78 against 0.80 on 500 rows: the interval of the difference reaches -0.01
	# (the margin form passes) but does not lie above -0.01 (non-inferiority fails).
	table 380 10 20 90
	run_ml 1 ml-gate --baseline-predictions base.csv 'accuracy >= baseline - 0.05' \
		'accuracy >= baseline - 0.01 non-inferior' <rec.json
	printf '%s\n' "$output" >out.json
	validate_record out.json
	assert_json gate.rules.0.ok true
	assert_json gate.rules.1.ok false
	"$PY" - <<'EOF'
import json
g = json.load(open("out.json"))["gate"]
a, b = g["rules"]
assert a["interval"] == "bootstrap" and a["ci_low"] < -0.02 < a["ci_high"] and a["ci_high"] > -0.05, a
assert b["ci_low"] < -0.01, b
assert abs(a["threshold"] - 0.75) < 1e-12 and abs(b["threshold"] - 0.79) < 1e-12
assert b["reason"].startswith("not shown non-inferior"), b
EOF
	# Far worse than the margin: the interval lies wholly below it.
	table 300 5 100 95
	run_ml 1 ml-gate --baseline-predictions base.csv 'accuracy >= baseline - 0.05' <rec.json
	[[ "$(json_get gate.rules.0.reason)" == '"significantly worse than the margin'* ]]
	# A clearly better candidate is non-inferior.
	table 380 60 5 55
	run_ml 0 ml-gate --baseline-predictions base.csv 'accuracy >= baseline - 0.01 non-inferior' <rec.json
	[[ "$(json_get gate.rules.0.reason)" == '"non-inferior: '* ]]
}

@test "non-inferior needs an order and a baseline" {
	run_ml 2 ml-gate --baseline-predictions x.csv 'accuracy == baseline non-inferior' </dev/null
	[[ "$stderr" == *"'non-inferior' needs >=, >, <= or <"* ]]
	run_ml 2 ml-gate 'accuracy >= 0.7 non-inferior' </dev/null
	[[ "$stderr" == *"unexpected 'non-inferior' at the end"* ]]
}

@test "predictions on other rows are refused: exit 3, the file and line named, stdout empty" {
	table 380 20 22 78
	sed -i '3s/^2,a/9,a/' base.csv
	run_ml 3 ml-gate --baseline-predictions base.csv 'accuracy >= baseline' <rec.json
	[ -z "$output" ]
	[[ "$stderr" == *"ml-gate: base.csv:3: row 9 with truth 'a' where 'cand.csv' has row 2 with truth 'a': the predictions are not on the same rows"* ]]
	table 380 20 22 78
	sed -i '$d' base.csv
	run_ml 3 ml-gate --baseline-predictions base.csv 'accuracy >= baseline' <rec.json
	[[ "$stderr" == *"hold different numbers of rows"* ]]
}

@test "a bad --alpha is a usage error" {
	run_ml 2 ml-gate --alpha 1.5 'accuracy >= 0.7' </dev/null
	[ -z "$output" ]
}

credit_models() {
	mkdir -p data
	awk 'NR == 1 { print > "data/train.csv"; print > "data/test.csv"; next }
	     { print > (NR % 5 == 0 ? "data/test.csv" : "data/train.csv") }' \
		"$TOP/examples/banking/data/credit_data.csv"
	cp "$DATA/ml-train/logistic.yaml" .
	sed 's/C: 1.0/C: 0.01/' logistic.yaml >weak.yaml
	ml-train --config logistic.yaml -o cand </dev/null >cand.json 2>/dev/null
	ml-train --config weak.yaml -o base </dev/null >base.json 2>/dev/null
}

@test "a model file as the baseline is scored on the candidate's test rows" {
	credit_models
	run_ml 0 ml-gate --baseline base/model.json 'accuracy >= baseline' \
		'roc_auc >= baseline - 0.01' 'f1_macro >= baseline' <cand.json
	printf '%s\n' "$output" >out.json
	validate_record out.json
	assert_json gate.baseline.path '"base/model.json"'
	# The baseline's values on the same rows are those ml-train measured on its own test set.
	"$PY" - <<'EOF'
import json
g = json.load(open("out.json"))["gate"]
m = json.load(open("base.json"))["train"]["metrics"]
for r in g["rules"]:
    assert abs(r["baseline"] - m[r["metric"]]) < 1e-12, (r, m[r["metric"]])
    assert abs(g["baseline"]["metrics"][r["metric"]] - m[r["metric"]]) < 1e-12
assert [r["test"] for r in g["rules"]] == ["mcnemar", "delong", "bootstrap"], g
assert g["stats"]["rows"] == 891
EOF
	# The baseline's scored rows went to a temporary file, removed again.
	mkdir tmp
	TMPDIR=$PWD/tmp run_ml 0 ml-gate --baseline base/model.json 'accuracy >= baseline' <cand.json
	[ -z "$(ls tmp)" ]
	# A baseline record tested on the same data brings its own predictions.
	run_ml 0 ml-gate --baseline base.json 'accuracy >= baseline' <cand.json
	assert_json gate.stats.baseline_predictions '"base/predictions.csv"'
}

@test "a registered baseline (models:/name@alias): fetched, scored on the candidate's rows, charted over its versions" {
	credit_models
	ml-register --experiment Bank --model Bank --alias champion <base.json >/dev/null 2>&1
	touch summary.md
	GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=$PWD/summary.md GITHUB_OUTPUT=$PWD/out.txt \
		run_ml 0 ml-gate --baseline models:/Bank-local@champion 'accuracy >= baseline' \
		'roc_auc >= baseline - 0.01' <cand.json
	printf '%s\n' "$output" >out.json
	validate_record out.json
	assert_json gate.baseline.name '"Bank-local"'
	assert_json gate.baseline.version '"1"'
	assert_json gate.baseline.alias '"champion"'
	assert_json gate.baseline.uri '"models:/Bank-local@champion"'
	"$PY" - <<'EOF2'
import json
g = json.load(open("out.json"))["gate"]
m = json.load(open("base.json"))["train"]["metrics"]
assert [r["test"] for r in g["rules"]] == ["mcnemar", "delong"], g
for r in g["rules"]:
    assert abs(r["baseline"] - m[r["metric"]]) < 1e-12, r
assert abs(g["baseline"]["metrics"]["accuracy"] - m["accuracy"]) < 1e-12
EOF2
	# The summary: the interval columns and the chart of accuracy over the
	# versions (version 1, then the candidate).
	grep -q '^| status | rule | value | baseline | delta | threshold | test | n | p | CI low | CI high |$' summary.md
	grep -q '^| ✅ pass | `accuracy >= baseline` | 0.8047 | [0-9.]* | [-+][0-9.e-]* | [0-9.]* | mcnemar | 891 | [0-9.e-]* | [-+][0-9.e-]* | [-+][0-9.e-]* |$' summary.md
	grep -q '^```mermaid$' summary.md
	grep -q '^xychart-beta$' summary.md
	grep -q '^    x-axis \["v1", "candidate"\]$' summary.md
	acc=$("$PY" -c 'import json; m = json.load(open("base.json"))["train"]["metrics"]; c = json.load(open("cand.json"))["train"]["metrics"]; print("%.6g, %.6g" % (m["accuracy"], c["accuracy"]))')
	grep -qF "    line [$acc]" summary.md
	# The download went to a temporary folder, removed again.
	mkdir tmp
	TMPDIR=$PWD/tmp run_ml 0 ml-gate --baseline models:/Bank-local@champion 'accuracy >= baseline' <cand.json
	[ -z "$(ls tmp)" ]
}

@test "a registered baseline that does not exist yet passes with a note; --require-baseline fails" {
	credit_models
	run_ml 0 ml-gate --baseline models:/Bank-local@champion 'accuracy >= baseline' 'accuracy >= 0.5' <cand.json
	printf '%s\n' "$output" >out.json
	validate_record out.json
	assert_json gate.ok true
	assert_json gate.baseline null
	assert_json gate.rules.0.skipped true
	assert_json gate.rules.1.ok true
	[[ "$(json_get gate.note)" == "\"the baseline 'models:/Bank-local@champion' does not exist yet in sqlite:///mlflow.db"* ]]
	[[ "$stderr" == *"warning: the baseline 'models:/Bank-local@champion' does not exist yet"* ]]
	run_ml 1 ml-gate --require-baseline --baseline models:/Bank-local@champion 'accuracy >= baseline' <cand.json
	assert_json gate.ok false
	assert_json gate.baseline null
	[[ "$(json_get gate.rules.0.reason)" == *"--require-baseline was given"* ]]
	# A model that exists without the alias is missing too.
	ml-register --experiment Bank --model Bank --alias candidate <base.json >/dev/null 2>&1
	run_ml 0 ml-gate --baseline models:/Bank-local@champion 'accuracy >= baseline' <cand.json
	assert_json gate.baseline null
}

@test "regression: rmse <= baseline * 1.05 by the bootstrap, lower is better" {
	"$PY" - <<'EOF2'
import json
import numpy as np
from sklearn.metrics import mean_squared_error
rng = np.random.default_rng(11)
n = 300
y = rng.normal(10, 3, n)
c = y + rng.normal(0, 1.0, n)
b = y + rng.normal(0, 1.0, n)
for path, p in (("cand.csv", c), ("base.csv", b)):
    with open(path, "w") as f:
        f.write("row,truth,prediction\n")
        for i in range(n):
            f.write("%d,%r,%r\n" % (i + 1, float(y[i]), float(p[i])))
json.dump({"mlci": 1, "train": {"ok": True, "task": "regression", "predictions_path": "cand.csv",
           "metrics": {"rmse": mean_squared_error(y, c) ** 0.5}}}, open("rec.json", "w"))
json.dump({"rc": mean_squared_error(y, c) ** 0.5, "rb": mean_squared_error(y, b) ** 0.5}, open("ref.json", "w"))
EOF2
	run_ml 1 ml-gate --baseline-predictions base.csv 'rmse <= baseline * 1.05' 'mae <= baseline non-inferior' <rec.json
	printf '%s\n' "$output" >out.json
	validate_record out.json
	"$PY" - <<'EOF2'
import json
g = json.load(open("out.json"))["gate"]; ref = json.load(open("ref.json"))
a, m = g["rules"]
assert a["test"] == "bootstrap" and a["ok"], a
assert abs(a["value"] - ref["rc"]) < 1e-12 and abs(a["baseline"] - ref["rb"]) < 1e-12, a
assert abs(a["threshold"] - 1.05 * ref["rb"]) < 1e-12
assert a["ci_low"] <= a["delta"] <= a["ci_high"], a
# Two equally good models: neither is shown better, so the strict form fails.
assert not m["ok"] and m["reason"].startswith("not shown non-inferior"), m
EOF2
}
