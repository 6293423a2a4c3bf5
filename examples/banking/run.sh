#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The banking example's main job, run locally: validate the credit data,
# train the candidate models of model.yaml, and gate the chosen one's test
# metrics against the production model's.
# Prints the verdicts on stderr and writes the final record to
# examples/banking/out/record.json (or the file named by MLCI_OUT).
#
# Until ml-register lands, the production model's metrics come from
# metrics/champion.json (trained with scikit-learn by
# metrics/reference-models.py on the same data).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${MLCI_BIN:-$here/../../build/default/bin}
PATH=$bin:$PATH
cd "$here"

out=${MLCI_OUT:-$here/out/record.json}
mkdir -p "$(dirname "$out")"

set -o pipefail
status=0
ml-validate --schema schema.yaml data/credit_data.csv </dev/null |
	ml-train --config model.yaml --out "$(dirname "$out")/model" |
	ml-gate --config gate.yaml --baseline metrics/champion.json \
		>"$out.tmp" || status=$?
if [ -s "$out.tmp" ]; then
	mv "$out.tmp" "$out"
	echo "record: $out" >&2
else
	rm -f "$out.tmp"
fi
exit "$status"
