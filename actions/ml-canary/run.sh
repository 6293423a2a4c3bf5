#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The ml-canary action's step: one interval of the canary analysis on the
# record file. Inputs come from the environment only (action.yml maps each
# input to INPUT_<NAME>); Prometheus credentials reach ml-canary through its
# own variables and are masked in the log.
set -euo pipefail
MLCI_TOOL=ml-canary
# shellcheck source=../lib/tool.sh
. "$(dirname -- "$0")/../lib/tool.sh"

[ -n "${INPUT_CONFIG:-}" ] || mlci_fail "input 'config' is required"
for v in TOKEN USER PASSWORD; do
	value=$(printenv "INPUT_PROMETHEUS_$v" || true)
	if [ -n "$value" ]; then
		[ "$v" = USER ] || printf '::add-mask::%s\n' "$value"
		export "MLCI_PROMETHEUS_$v=$value"
	fi
done
args=(--config "$INPUT_CONFIG")
[ -n "${INPUT_TRACKING_URI:-}" ] && args+=(--tracking-uri "$INPUT_TRACKING_URI")
mlci_run "${args[@]}"
