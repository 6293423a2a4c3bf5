#!/bin/sh
# SPDX-License-Identifier: MIT
# Logistic regression fit time on 200,000 x 50 synthetic rows: lib/linear
# (through tests/unit/test-linear with MLCI_BENCH=1) against scikit-learn's
# LogisticRegression() on the same rows, both on one OpenBLAS thread. Fit
# time only; ml-train's whole-process figure comes with the program.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${MLCI_BUILD:=build/default}"
case $MLCI_BUILD in /*) ;; *) MLCI_BUILD=$here/../../$MLCI_BUILD ;; esac
test=$MLCI_BUILD/tests/unit/test-linear
if [ ! -x "$test" ]; then
	echo "linear-bench: build $test first (make $test)" >&2
	exit 1
fi
cd "$here/../.."
OPENBLAS_NUM_THREADS=1 MLCI_BENCH=1 "$test" | sed -n 's/^# bench: //p'
