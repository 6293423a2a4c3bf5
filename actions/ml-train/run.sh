#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The ml-train action's step: train as the config says and add the train
# section to the record file. Inputs come from the environment only
# (action.yml maps each input to INPUT_<NAME>).
set -euo pipefail
MLCI_TOOL=ml-train
# shellcheck source=../lib/tool.sh
. "$(dirname -- "$0")/../lib/tool.sh"

[ -n "${INPUT_CONFIG:-}" ] || mlci_fail "input 'config' is required"
args=(--config "$INPUT_CONFIG" --out "${INPUT_OUT:-model}")
mlci_bool force "${INPUT_FORCE:-false}"
[ "${INPUT_FORCE:-false}" = true ] && args+=(--force)
mlci_run "${args[@]}"
