# SPDX-License-Identifier: MIT
# Sourced by each program's action script (actions/<program>/run.sh): read
# the action's common inputs from the environment, run the program on the
# record file, and turn its exit status into the step's.
#
# The action.yml passes every input through env: as INPUT_<NAME>; nothing
# of the workflow is ever expanded inside a script. The program itself
# writes its outputs (ok, ...), step summary and annotations, since the
# runner sets GITHUB_ACTIONS=true; this file adds the outputs record and
# status.
# shellcheck shell=bash

# mlci_fail MESSAGE: an error annotation, then exit 2 (a usage error, as
# the programs say for a bad option).
mlci_fail() {
	printf '::error title=%s::%s\n' "${MLCI_TOOL:-mlci}" "$1" >&2
	exit 2
}

# mlci_bool NAME VALUE: check that the input NAME is true or false.
mlci_bool() {
	case $2 in
	true | false) ;;
	*) mlci_fail "input '$1' must be true or false, not '$2'" ;;
	esac
}

# mlci_lines VALUE: the non-empty lines of a multi-line input, without
# surrounding blanks and without # comments, into the array MLCI_LINES.
mlci_lines() {
	local line
	MLCI_LINES=()
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line#"${line%%[![:space:]]*}"}
		line=${line%"${line##*[![:space:]]}"}
		case $line in '' | '#'*) continue ;; esac
		MLCI_LINES+=("$line")
	done <<<"$1"
}

# mlci_output NAME VALUE: one line step output (VALUE has no newline).
mlci_output() {
	printf '%s=%s\n' "$1" "$2" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
}

# mlci_run ARGS...: run $MLCI_TOOL with ARGS on the record file named by
# INPUT_RECORD (default mlci-record.json, relative to INPUT_WORKING_DIRECTORY):
# the record is read from it when it exists (a new record otherwise) and
# replaced by the program's record when there is one (exit status 0 or 1).
# Exit status 1, a negative verdict, fails the step unless
# INPUT_FAIL_ON_VERDICT is false; 2 and up always fail it.
mlci_run() {
	local record=${INPUT_RECORD:-mlci-record.json}
	local fail=${INPUT_FAIL_ON_VERDICT:-true} status=0 tmp
	local -a input=()

	mlci_bool fail-on-verdict "$fail"
	if [ -n "${INPUT_WORKING_DIRECTORY:-}" ]; then
		cd -- "$INPUT_WORKING_DIRECTORY" ||
			mlci_fail "cannot enter the working directory '$INPUT_WORKING_DIRECTORY'"
	fi
	command -v "$MLCI_TOOL" >/dev/null ||
		mlci_fail "$MLCI_TOOL is not on PATH: run the mlci setup action (actions/setup) first"
	[ -f "$record" ] && input=(--input "$record")
	mkdir -p -- "$(dirname -- "$record")"
	tmp=$record.tmp.$$
	printf '%s' "$MLCI_TOOL" >&2
	printf ' %q' "${input[@]}" "$@" >&2
	printf '\n' >&2
	"$MLCI_TOOL" "${input[@]}" "$@" </dev/null >"$tmp" || status=$?
	if [ "$status" -le 1 ] && [ -s "$tmp" ]; then
		mv -f -- "$tmp" "$record"
	else
		rm -f -- "$tmp"
	fi
	mlci_output record "$record"
	mlci_output status "$status"
	case $status in
	0) return 0 ;;
	1)
		if [ "$fail" = false ]; then
			printf '::notice title=%s::negative verdict (exit status 1); the step passes because fail-on-verdict is false\n' "$MLCI_TOOL" >&2
			return 0
		fi
		exit 1
		;;
	*) exit "$status" ;;
	esac
}
