# SPDX-License-Identifier: MIT
# Shared set-up for the bats suites: the programs under test come first on
# PATH, every run states its expected status, and each test gets a clean,
# reproducible environment in its own temporary folder.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
: "${MLCI_BUILD:=$TOP/build/default}"
case $MLCI_BUILD in /*) ;; *) MLCI_BUILD=$TOP/$MLCI_BUILD ;; esac
PATH=$MLCI_BUILD/bin:$PATH
DATA=$TOP/tests/data
PY=/usr/bin/python3
export TOP MLCI_BUILD PATH DATA PY

setup() {
	# Nothing of the runner's own CI context may leak into a test.
	for v in $(env | sed -n 's/^\(GITHUB_[A-Z_]*\)=.*/\1/p'); do
		unset "$v"
	done
	unset MLFLOW_TRACKING_URI MLCI_NOW MLCI_SEED
	export MLCI_NOW=2026-01-02T03:04:05Z MLCI_SEED=42
	cd "$BATS_TEST_TMPDIR" || return 1
}

# run_ml STATUS PROGRAM ARGS...: run a program of ours, split stdout from
# stderr ($output / $stderr), and fail unless it exits with STATUS. A crash
# (status 128+) never passes as "non-zero".
run_ml() {
	local want=$1
	shift
	run --separate-stderr "$@"
	if [ "$status" -ne "$want" ]; then
		echo "expected status $want, got $status from: $*" >&2
		echo "stdout: $output" >&2
		echo "stderr: $stderr" >&2
		return 1
	fi
}

# json_get PATH: print the value at a dotted path of $output as JSON.
json_get() {
	printf '%s' "$output" | "$PY" -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split(".") if sys.argv[1] else []:
    v = v[int(k)] if isinstance(v, list) else v[k]
print(json.dumps(v, sort_keys=False, separators=(",", ":")))' "$1"
}

# assert_json PATH EXPECTED: the value at PATH of $output is EXPECTED (JSON).
assert_json() {
	local got
	got=$(json_get "$1") || { echo "no value at $1 in: $output" >&2; return 1; }
	local want
	want=$(printf '%s' "$2" | "$PY" -c 'import json,sys; print(json.dumps(json.load(sys.stdin), separators=(",", ":")))')
	if [ "$got" != "$want" ]; then
		echo "at $1: got $got, want $want" >&2
		return 1
	fi
}

# validate_record FILE: the record in FILE passes every section's schema.
validate_record() {
	"$PY" "$TOP/tests/tools/validate-record.py" "$TOP/schemas" "$1"
}
