#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The ml-register action's step: log the run and register the model, or one
# registry operation, on the record file. Inputs come from the environment
# only (action.yml maps each input to INPUT_<NAME>); credentials reach
# ml-register as MLflow's own variables and are masked in the log.
set -euo pipefail
MLCI_TOOL=ml-register
# shellcheck source=../lib/tool.sh
. "$(dirname -- "$0")/../lib/tool.sh"

for v in USERNAME PASSWORD TOKEN; do
	value=$(printenv "INPUT_TRACKING_$v" || true)
	if [ -n "$value" ]; then
		printf '::add-mask::%s\n' "$value"
		export "MLFLOW_TRACKING_$v=$value"
	fi
done
args=()
opt() {
	[ -n "$2" ] && args+=("$1" "$2")
	return 0
}
opt --tracking-uri "${INPUT_TRACKING_URI:-}"
opt --experiment "${INPUT_EXPERIMENT:-}"
opt --experiment-name "${INPUT_EXPERIMENT_NAME:-}"
opt --model "${INPUT_MODEL:-}"
opt --model-name "${INPUT_MODEL_NAME:-}"
opt --alias "${INPUT_ALIAS:-}"
opt --idempotency-key "${INPUT_IDEMPOTENCY_KEY:-}"
opt --set-alias "${INPUT_SET_ALIAS:-}"
opt --tag-version "${INPUT_TAG_VERSION:-}"
opt --model-version "${INPUT_MODEL_VERSION:-}"
opt --get "${INPUT_GET:-}"
opt --out "${INPUT_OUT:-}"
opt --spool "${INPUT_SPOOL:-}"
opt --replay "${INPUT_REPLAY:-}"
mlci_bool dry-run "${INPUT_DRY_RUN:-false}"
[ "${INPUT_DRY_RUN:-false}" = true ] && args+=(--dry-run)
mlci_bool force "${INPUT_FORCE:-false}"
[ "${INPUT_FORCE:-false}" = true ] && args+=(--force)
mlci_run "${args[@]}"
