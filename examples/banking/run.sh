#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The banking example's main job, run locally: validate the credit data,
# train the candidate models of model.yaml, log the run and register the
# model in MLflow's SQLite store (out/mlflow.db, artifacts in out/mlruns,
# experiment Banking-local), and gate the chosen one's test metrics against
# the production model's.
# Prints the verdicts and where the run landed on stderr and writes the
# final record to examples/banking/out/record.json (or the file named by
# MLCI_OUT).
#
# The production model's metrics come from metrics/champion.json (trained
# with scikit-learn by metrics/reference-models.py on the same data): a
# laptop has no production registry to fetch a champion from.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${MLCI_BIN:-$here/../../build/default/bin}
PATH=$bin:$PATH
cd "$here"

out=${MLCI_OUT:-$here/out/record.json}
dir=$(dirname "$out")
mkdir -p "$dir"

set -o pipefail
status=0
ml-validate --schema schema.yaml data/credit_data.csv </dev/null |
	ml-train --config model.yaml --out "$dir/model" |
	ml-register --tracking-uri "sqlite:///$dir/mlflow.db" \
		--artifact-root "$dir/mlruns" \
		--experiment Banking --model BankingModel --alias candidate |
	ml-gate --config gate.yaml --baseline metrics/champion.json \
		>"$out.tmp" || status=$?
if [ -s "$out.tmp" ]; then
	mv "$out.tmp" "$out"
	echo "record: $out" >&2
else
	rm -f "$out.tmp"
fi
exit "$status"
