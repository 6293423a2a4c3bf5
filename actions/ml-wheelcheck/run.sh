#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The ml-wheelcheck action's step: check the wheel, check that its version
# is new on the index, publish it when asked and everything passed, and add
# the verdict to the record file. Inputs come from the environment only
# (action.yml maps each input to INPUT_<NAME>).
set -euo pipefail
MLCI_TOOL=ml-wheelcheck
# shellcheck source=../lib/tool.sh
. "$(dirname -- "$0")/../lib/tool.sh"

args=()
mlci_bool strict "${INPUT_STRICT:-false}"
[ "${INPUT_STRICT:-false}" = true ] && args+=(--strict)
[ -n "${INPUT_SELECT:-}" ] && args+=(--select "$INPUT_SELECT")
[ -n "${INPUT_IGNORE:-}" ] && args+=(--ignore "$INPUT_IGNORE")
[ -n "${INPUT_PACKAGE:-}" ] && args+=(--package "$INPUT_PACKAGE")
[ -n "${INPUT_TOPLEVEL:-}" ] && args+=(--toplevel "$INPUT_TOPLEVEL")
[ -n "${INPUT_MAX_SIZE:-}" ] && args+=(--max-size "$INPUT_MAX_SIZE")
[ -n "${INPUT_MAX_RATIO:-}" ] && args+=(--max-ratio "$INPUT_MAX_RATIO")
[ -n "${INPUT_INDEX:-}" ] && args+=(--index "$INPUT_INDEX")
[ -n "${INPUT_PUBLISH:-}" ] && args+=(--publish "$INPUT_PUBLISH")
mlci_bool dry-run "${INPUT_DRY_RUN:-false}"
[ "${INPUT_DRY_RUN:-false}" = true ] && args+=(--dry-run)
mlci_bool force "${INPUT_FORCE:-false}"
[ "${INPUT_FORCE:-false}" = true ] && args+=(--force)
# The upload's credentials, as twine reads them; the program masks them.
if [ -n "${INPUT_PASSWORD:-}" ]; then
	export TWINE_USERNAME=${INPUT_USERNAME:-__token__}
	export TWINE_PASSWORD=$INPUT_PASSWORD
fi

# wheel: a path or a pattern such as dist/*.whl that names exactly one
# file (relative to the working directory, where mlci_run goes first).
[ -n "${INPUT_WORKING_DIRECTORY:-}" ] && cd -- "$INPUT_WORKING_DIRECTORY"
INPUT_WORKING_DIRECTORY=
[ -n "${INPUT_WHEEL:-}" ] || mlci_fail "input 'wheel' is required"
shopt -s nullglob
# shellcheck disable=SC2206 # the pattern is meant to expand
wheels=($INPUT_WHEEL)
shopt -u nullglob
case ${#wheels[@]} in
0) mlci_fail "no wheel matches '$INPUT_WHEEL'" ;;
1) ;;
*) mlci_fail "'$INPUT_WHEEL' matches ${#wheels[@]} files, not one: ${wheels[*]}" ;;
esac
mlci_run "${args[@]}" -- "${wheels[0]}"
