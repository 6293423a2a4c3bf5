#!/bin/sh
# SPDX-License-Identifier: MIT
# Random forest fit on 200,000 x 50 synthetic rows (make_classification,
# 10 informative features; 50,000 more rows to test): lib/forest (through
# tests/unit/test-forest --bench, 100 trees, scikit-learn's defaults,
# histogram splits) against scikit-learn's RandomForestClassifier(100) on
# the same rows, with the same number of threads (1, then 2). Each line:
# the in-process fit seconds and test accuracy, then the whole process's
# wall, user and system seconds and peak RSS (/usr/bin/time).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${MLCI_BUILD:=build/default}"
case $MLCI_BUILD in /*) ;; *) MLCI_BUILD=$here/../../$MLCI_BUILD ;; esac
test=$MLCI_BUILD/tests/unit/test-forest
if [ ! -x "$test" ]; then
	echo "forest-bench: build $test first (make $test)" >&2
	exit 1
fi
: "${N:=200000}" "${P:=50}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$here/../.."
/usr/bin/python3 - "$dir" "$N" "$P" <<'PY'
import sys
import numpy as np
from sklearn.datasets import make_classification
d, n, p = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
X, y = make_classification(n_samples=n + n // 4, n_features=p, n_informative=10,
                           n_redundant=10, flip_y=0.05, random_state=0)
for ext, a in (("X", X[:n]), ("y", y[:n]), ("Xt", X[n:]), ("yt", y[n:])):
    np.ascontiguousarray(a, dtype="<f8").tofile("%s/bench.%s" % (d, ext))
PY
for jobs in ${JOBS:-1 2}; do
	printf 'threads %s\n' "$jobs"
	printf '  mlci:         '
	/usr/bin/time -f '  wall %e s, user %U s, sys %S s, peak RSS %M KiB' \
		"$test" --bench "$dir" "$N" "$P" "$jobs"
	printf '  scikit-learn: '
	/usr/bin/time -f '  wall %e s, user %U s, sys %S s, peak RSS %M KiB' \
		/usr/bin/python3 tests/tools/tree-reference.py --bench "$dir" "$N" "$P" "$jobs"
done
