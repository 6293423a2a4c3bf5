#!/bin/sh
# SPDX-License-Identifier: MIT
# ml-canary's judgement against the same statistics in Python: five metrics
# of 20,000 canary and 20,000 baseline samples each (a latency shift, an
# error burst, a variance increase, two healthy ones), given as samples in
# the config. ml-canary runs Mann-Whitney U with its Hodges-Lehmann
# interval over all 400 M pairwise differences, and the rate test (errors)
# or the variance test (the others); the Python side runs scipy's
# mannwhitneyu, a Hodges-Lehmann interval on the pairwise
# differences (what R's wilcox.test does, subsampled to 2,000 x 2,000 to fit
# in memory), and binomtest on the error counts or levene(center="median")
# on the others, as the config asks of ml-canary. Whole process, CPU
# seconds and peak RSS, side by side.
set -eu
bin=$MLCI_BUILD/bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
/usr/bin/python3 - <<'PY'
import json
import numpy as np
rng = np.random.default_rng(1)
n = 20000
metrics = {
    "latency": (rng.gamma(4, 0.05, n) * 1.1, rng.gamma(4, 0.05, n), "increase"),
    "errors": (rng.poisson(0.02, n) + (np.arange(n) % 997 == 0) * 5, rng.poisson(0.02, n), "increase"),
    "jitter": (rng.normal(1, 0.3, n), rng.normal(1, 0.1, n), "either"),
    "cpu": (rng.normal(0.5, 0.05, n), rng.normal(0.5, 0.05, n), "increase"),
    "accuracy": (rng.normal(0.9, 0.01, n), rng.normal(0.9, 0.01, n), "decrease"),
}
cfg = {"canary": "v2", "baseline": "v1", "metrics": [
    {"name": k, "direction": d,
     "tests": ["mann_whitney", "rate"] if k == "errors" else ["mann_whitney", "variance"],
     "samples": {"canary": c.round(6).tolist(), "baseline": b.round(6).tolist()}}
    for k, (c, b, d) in metrics.items()],
    "schedule": {"initial_weight": 10, "step_weight": 10, "max_weight": 50}}
json.dump(cfg, open("canary.json", "w"))
PY
cat >judge.py <<'PY'
import json
import numpy as np
from scipy import stats
cfg = json.load(open("canary.json"))
out = {}
for m in cfg["metrics"]:
    c, b = np.array(m["samples"]["canary"]), np.array(m["samples"]["baseline"])
    u = stats.mannwhitneyu(c, b)
    d = np.subtract.outer(c[:2000], b[:2000]).ravel()
    lo, hi = np.percentile(d, [1, 99])
    if m["name"] == "errors":
        p = stats.binomtest(int(c.sum().round()), int(c.sum().round() + b.sum().round())).pvalue
    else:
        p = stats.levene(c, b, center="median").pvalue
    out[m["name"]] = [u.statistic, u.pvalue, lo, hi, p]
print(json.dumps(out))
PY
measure() {
	/usr/bin/time -f '%U %S %e %M' sh -c "$1" 2>&1 >/dev/null | tail -n 1 |
		awk -v n="$2" '{ printf "%-28s cpu %6.2f s  wall %6.2f s  peak RSS %7.1f MiB\n", n, $1 + $2, $3, $4 / 1024 }'
}
for i in 1 2 3; do
	measure "$bin/ml-canary --config canary.json </dev/null 2>/dev/null; true" ml-canary
	measure "/usr/bin/python3 judge.py" "python3 + numpy + scipy"
done
$bin/ml-canary --config canary.json </dev/null 2>/dev/null | /usr/bin/python3 -c '
import json, sys
c = json.load(sys.stdin)["canary"]
print("ml-canary decision:", c["decision"], "score", c["score"])
for k, m in c["metrics"].items():
    print("  %-9s %-5s %s" % (k, m.get("classification"), m.get("reason", "")[:70]))' || true
