#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The ml-validate action's step: check the data against the schema, test
# drift, and add the verdict to the record file. Inputs come from the
# environment only (action.yml maps each input to INPUT_<NAME>).
set -euo pipefail
MLCI_TOOL=ml-validate
# shellcheck source=../lib/tool.sh
. "$(dirname -- "$0")/../lib/tool.sh"

args=()
[ -n "${INPUT_SCHEMA:-}" ] && args+=(--schema "$INPUT_SCHEMA")
[ -n "${INPUT_INFER_SCHEMA:-}" ] && args+=(--infer-schema "$INPUT_INFER_SCHEMA")
[ -n "${INPUT_DELIMITER:-}" ] && args+=(--delimiter "$INPUT_DELIMITER")
[ -n "${INPUT_REFERENCE:-}" ] && args+=(--reference "$INPUT_REFERENCE")
[ -n "${INPUT_DRIFT_TEST:-}" ] && args+=(--drift-test "$INPUT_DRIFT_TEST")
[ -n "${INPUT_DRIFT_THRESHOLD:-}" ] && args+=(--drift-threshold "$INPUT_DRIFT_THRESHOLD")
[ -n "${INPUT_DRIFT_SHARE:-}" ] && args+=(--drift-share "$INPUT_DRIFT_SHARE")
mlci_bool exact-drift "${INPUT_EXACT_DRIFT:-false}"
[ "${INPUT_EXACT_DRIFT:-false}" = true ] && args+=(--exact-drift)
[ -n "${INPUT_OUTPUT_DATA:-}" ] && args+=(--output-data "$INPUT_OUTPUT_DATA")
mlci_lines "${INPUT_SELECT:-}"
for c in "${MLCI_LINES[@]}"; do args+=(--select "$c"); done
mlci_lines "${INPUT_RENAME:-}"
for c in "${MLCI_LINES[@]}"; do args+=(--rename "$c"); done
[ -n "${INPUT_WRITE_STATS:-}" ] && args+=(--write-stats "$INPUT_WRITE_STATS")
[ -n "${INPUT_MAX_EXAMPLES:-}" ] && args+=(--max-examples "$INPUT_MAX_EXAMPLES")

# data: one CSV file, or with merge-stats the statistics files to merge,
# one a line.
mlci_bool merge-stats "${INPUT_MERGE_STATS:-false}"
[ "${INPUT_MERGE_STATS:-false}" = true ] && args+=(--merge-stats)
mlci_lines "${INPUT_DATA:-}"
[ "${#MLCI_LINES[@]}" -gt 0 ] || mlci_fail "input 'data' is required"
mlci_run "${args[@]}" -- "${MLCI_LINES[@]}"
