#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The banking example's main job, run locally: validate the credit data,
# then gate the candidate model's metrics against the production model's.
# Prints the verdict on stderr and the final record on stdout.
#
# Until ml-train and ml-register land, the metrics come from the reference
# models in metrics/ (trained with scikit-learn by
# metrics/reference-models.py on the same data).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${MLCI_BIN:-$here/../../build/default/bin}
PATH=$bin:$PATH
cd "$here"

set -o pipefail
ml-validate --schema schema.yaml data/credit_data.csv </dev/null |
	ml-gate --config gate.yaml \
		--metrics metrics/candidate.json \
		--baseline metrics/champion.json
