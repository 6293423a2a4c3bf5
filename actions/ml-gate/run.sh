#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The ml-gate action's step: judge the run's metrics by the rules and add
# the verdict to the record file. Inputs come from the environment only
# (action.yml maps each input to INPUT_<NAME>).
set -euo pipefail
MLCI_TOOL=ml-gate
# shellcheck source=../lib/tool.sh
. "$(dirname -- "$0")/../lib/tool.sh"

args=()
[ -n "${INPUT_CONFIG:-}" ] && args+=(--config "$INPUT_CONFIG")
[ -n "${INPUT_METRICS:-}" ] && args+=(--metrics "$INPUT_METRICS")
[ -n "${INPUT_BASELINE:-}" ] && args+=(--baseline "$INPUT_BASELINE")
[ -n "${INPUT_MISSING:-}" ] && args+=(--missing "$INPUT_MISSING")
mlci_bool force "${INPUT_FORCE:-false}"
[ "${INPUT_FORCE:-false}" = true ] && args+=(--force)
mlci_bool comment "${INPUT_COMMENT:-false}"
if [ "${INPUT_COMMENT:-false}" = true ]; then
	[ -n "${INPUT_GITHUB_TOKEN:-}" ] ||
		mlci_fail "input 'comment' needs a token in 'github-token'"
	export GITHUB_TOKEN=$INPUT_GITHUB_TOKEN
	args+=(--comment)
fi
mlci_lines "${INPUT_RULES:-}"
[ -n "${INPUT_CONFIG:-}" ] || [ "${#MLCI_LINES[@]}" -gt 0 ] ||
	mlci_fail "give the rules in 'rules' or a rules file in 'config'"
# "--" keeps a rule such as '-loss < 1' from reading as an option.
mlci_run "${args[@]}" -- "${MLCI_LINES[@]}"
