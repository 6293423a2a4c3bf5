#!/bin/sh
# SPDX-License-Identifier: MIT
# ml-gate's paired tests, whole process, against the same computation in
# Python with numpy and scipy, in one run: DeLong's test on 1,000,000 rows
# (roc_auc >= baseline) and 2,000 paired bootstrap resamples of 100,000 rows
# (accuracy >= baseline - 0.01: McNemar and the bootstrap interval). Each
# side reads the same two predictions files. CPU time (user + sys) and peak
# RSS by GNU time; not a test.
set -eu
bin=$MLCI_BUILD/bin
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

"$py" - <<'EOF'
import json
import numpy as np
rng = np.random.default_rng(1)
for n, tag in ((1000000, "big"), (100000, "mid")):
    y = rng.integers(0, 2, n)
    names = np.array(["no", "yes"])
    for m, p in (("cand", 0.80), ("base", 0.79)):
        right = rng.random(n) < p
        pred = np.where(right, y, 1 - y)
        s = np.clip(0.5 + (pred - 0.5) * rng.random(n) + rng.normal(0, 0.15, n), 0.001, 0.999)
        with open("%s-%s.csv" % (tag, m), "w") as f:
            f.write("row,truth,prediction,proba_no,proba_yes\n")
            rows = np.arange(1, n + 1)
            for i in range(n):
                f.write("%d,%s,%s,%.17g,%.17g\n" % (rows[i], names[y[i]], names[pred[i]], 1 - s[i], s[i]))
    json.dump({"mlci": 1, "train": {"ok": True, "task": "classification",
               "predictions_path": "%s-cand.csv" % tag,
               "metrics": {"accuracy": 0.8, "roc_auc": 0.8}}}, open("%s.json" % tag, "w"))
EOF

cat >delong.py <<'EOF'
import sys
import numpy as np, pandas as pd
from scipy.stats import rankdata, norm
c = pd.read_csv("big-cand.csv"); b = pd.read_csv("big-base.csv")
y = (c["truth"] == "yes").to_numpy()
m, n = y.sum(), (~y).sum()
V10, V01, auc = [], [], []
for s in (c["proba_yes"].to_numpy(), b["proba_yes"].to_numpy()):
    r = rankdata(s); rx = rankdata(s[y]); rz = rankdata(s[~y])
    v10 = (r[y] - rx) / n; v01 = 1 - (r[~y] - rz) / m
    V10.append(v10); V01.append(v01); auc.append(v10.mean())
S = np.cov(np.array(V10)) / m + np.cov(np.array(V01)) / n
d = auc[0] - auc[1]; se = np.sqrt(S[0, 0] + S[1, 1] - 2 * S[0, 1])
print("delong diff %.6f z %.4f p %.4g" % (d, d / se, 2 * norm.sf(abs(d / se))))
EOF

cat >boot.py <<'EOF'
import numpy as np, pandas as pd
from statsmodels.stats.contingency_tables import mcnemar
c = pd.read_csv("mid-cand.csv"); b = pd.read_csv("mid-base.csv")
oc = (c["truth"] == c["prediction"]).to_numpy(); ob = (b["truth"] == b["prediction"]).to_numpy()
t = [[np.sum(oc & ob), np.sum(oc & ~ob)], [np.sum(~oc & ob), np.sum(~oc & ~ob)]]
r = mcnemar(t, exact=False, correction=True)
rng = np.random.default_rng(0); n = len(oc); d = oc.astype(np.int8) - ob.astype(np.int8)
diffs = np.empty(2000)
for i in range(2000):
    diffs[i] = d[rng.integers(0, n, n)].mean()
lo, hi = np.percentile(diffs, [2.5, 97.5])
print("mcnemar p %.4g bootstrap [%.5f, %.5f]" % (r.pvalue, lo, hi))
EOF

measure() {
	name=$1
	shift
	/usr/bin/time -f "%U %S %M" -o time.txt "$@" >out.txt 2>err.txt || true
	read -r u s m <time.txt
	printf '%-34s cpu %6.2f s  peak RSS %7.1f MB\n' "$name" \
		"$(echo "$u + $s" | bc)" "$(echo "scale=1; $m / 1024" | bc)"
}

echo "DeLong, 1,000,000 rows:"
measure "ml-gate 'roc_auc >= baseline'" "$bin/ml-gate" -i big.json \
	--baseline-predictions big-base.csv 'roc_auc >= baseline'
"$py" -c 'import json; r = json.load(open("out.txt"))["gate"]["rules"][0]; print("  ml-gate diff %.6f z %.4f p %.4g" % (r["delta"], r["statistic"], r["p_value"]))'
measure "python3 numpy/scipy/pandas" "$py" delong.py
echo "  python $(cat out.txt)"

echo "paired bootstrap, 2,000 resamples of 100,000 rows (+ McNemar):"
measure "ml-gate 'accuracy >= baseline - 0.01'" "$bin/ml-gate" -i mid.json \
	--baseline-predictions mid-base.csv 'accuracy >= baseline - 0.01'
"$py" -c 'import json; r = json.load(open("out.txt"))["gate"]["rules"][0]; print("  ml-gate mcnemar p %.4g bootstrap [%.5f, %.5f]" % (r["p_value"], r["ci_low"], r["ci_high"]))'
measure "python3 numpy/statsmodels/pandas" "$py" boot.py
echo "  python $(cat out.txt)"
