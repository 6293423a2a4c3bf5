#!/bin/sh
# SPDX-License-Identifier: MIT
# Gradient boosting on 200,000 x 50 synthetic rows (make_classification,
# 20 informative features; 20,000 test rows): ml-train with
# gradient_boosting against scikit-learn's HistGradientBoostingClassifier
# (defaults: 100 iterations, early stopping on above 10,000 rows), each a
# whole process reading the same CSV files, fitting, predicting the test
# rows and writing them out; one and two threads (n_jobs for us,
# OMP_NUM_THREADS for scikit-learn). CPU time (user + sys), wall time and
# peak RSS from /usr/bin/time, side by side in one run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${MLCI_BUILD:=build/default}"
case $MLCI_BUILD in /*) ;; *) MLCI_BUILD=$here/../../$MLCI_BUILD ;; esac
PY=/usr/bin/python3
train=$MLCI_BUILD/bin/ml-train
if [ ! -x "$train" ]; then
	echo "hgb-bench: build $train first" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
"$PY" - <<'EOF'
import numpy as np, pandas as pd
from sklearn.datasets import make_classification
X, y = make_classification(n_samples=220000, n_features=50, n_informative=20,
                           random_state=0)
d = pd.DataFrame(X, columns=["f%d" % i for i in range(50)])
d["label"] = np.where(y == 1, "yes", "no")
d.iloc[:200000].to_csv("train.csv", index=False)
d.iloc[200000:].to_csv("test.csv", index=False)
EOF
cat >sk.py <<'EOF'
import sys
import numpy as np, pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
tr, te = pd.read_csv("train.csv"), pd.read_csv("test.csv")
y, yt = tr.pop("label"), te.pop("label")
m = HistGradientBoostingClassifier(random_state=0).fit(tr, y)
p = m.predict(te)
pd.DataFrame({"prediction": p}).to_csv("sk-pred.csv", index=False)
print("%.4f %d" % (np.mean(p == yt), m.n_iter_))
EOF
printf '%-28s %8s %8s %8s %9s %s\n' what cpu_s wall_s rss_MB accuracy iterations
for t in 1 2; do
	cat >gb$t.yaml <<EOF
data: {train: train.csv, test: test.csv, target: label}
models: [{type: gradient_boosting, params: {n_jobs: $t}}]
EOF
	/usr/bin/time -f '%U %S %e %M' -o ours.time "$train" --config gb$t.yaml \
		--out out$t </dev/null >rec.json 2>/dev/null
	acc=$("$PY" -c 'import json; t = json.load(open("rec.json"))["train"]; print("%.4f %d" % (t["metrics"]["accuracy"], t["convergence"]["iterations"]))')
	read -r u s e m <ours.time
	ours=$(echo "$u $s" | awk '{ print $1 + $2 }')
	printf '%-28s %8.2f %8.2f %8.0f %9s %s\n' "ml-train, $t thread(s)" "$ours" "$e" \
		"$(echo "$m" | awk '{ print $1 / 1024 }')" $acc
	OMP_NUM_THREADS=$t /usr/bin/time -f '%U %S %e %M' -o sk.time "$PY" sk.py >sk.out
	read -r u s e m <sk.time
	theirs=$(echo "$u $s" | awk '{ print $1 + $2 }')
	printf '%-28s %8.2f %8.2f %8.0f %9s %s\n' "scikit-learn, $t thread(s)" "$theirs" "$e" \
		"$(echo "$m" | awk '{ print $1 / 1024 }')" "$(cat sk.out)"
	echo "$ours $theirs" | awk -v t="$t" '{ printf "CPU-time ratio, %d thread(s): scikit-learn / ml-train = %.2f\n", t, $2 / $1 }'
done
