#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The branch strategy walked through the reusable workflow itself
# (.github/workflows/ml-pipeline.yml), run job by job by
# tests/tools/run-workflow.py as a runner would, with the local actions and
# the programs under test, against the loopback MLflow tracking server
# (tests/servers/mlflow_server.py, which wants the bearer token the
# workflow is given as its tracking-token secret) that outlives the jobs.

load helpers

PIPELINE=$TOP/.github/workflows/ml-pipeline.yml

setup() {
	for v in $(env | sed -n 's/^\(GITHUB_[A-Z_]*\)=.*/\1/p'); do
		unset "$v"
	done
	unset MLFLOW_TRACKING_URI
	export MLCI_NOW=2026-01-02T03:04:05Z
	cd "$BATS_TEST_TMPDIR" || return 1
	mkdir repo && cd repo || return 1
	cp -r "$TOP/examples/banking/data" "$TOP/examples/banking/schema.yaml" \
		"$TOP/examples/banking/model.yaml" .
	"$PY" "$TOP/tests/servers/mlflow_server.py" --token walk-secret \
		--port-file ../mlflow-port >/dev/null 2>../mlflow.err &
	MLFLOW_PID=$!
	# The pull-request comment goes to a loopback GitHub API.
	"$PY" "$TOP/tests/servers/github_api.py" --port-file ../port --log ../requests.log \
		>/dev/null 2>../server.err &
	GITHUB_PID=$!
	local i
	for i in $(seq 100); do [ -s ../port ] && [ -s ../mlflow-port ] && break; sleep 0.05; done
	TRACKING=http://127.0.0.1:$(cat ../mlflow-port)
	export RUNNER_GITHUB_TOKEN=ghs_test_token GITHUB_API_URL=http://127.0.0.1:$(cat ../port) GITHUB_REPOSITORY=acme/bank \
		GITHUB_SERVER_URL=https://github.com GITHUB_RUN_ID=42 GITHUB_JOB=pipeline
}

teardown() {
	kill "$GITHUB_PID" "$MLFLOW_PID" 2>/dev/null || true
	wait "$GITHUB_PID" "$MLFLOW_PID" 2>/dev/null || true
}

push_to() {
	printf '{"ref":"refs/heads/%s","after":"3333333333333333333333333333333333333333"}' "$1" >../event.json
	export GITHUB_EVENT_NAME=push GITHUB_EVENT_PATH=$PWD/../event.json GITHUB_REF=refs/heads/$1 \
		GITHUB_REF_NAME=$1 GITHUB_REF_TYPE=branch GITHUB_SHA=3333333333333333333333333333333333333333
	unset GITHUB_HEAD_REF GITHUB_BASE_REF
}

merge_pull_request_from() {
	printf '{"action":"closed","number":7,"pull_request":{"number":7,"merged":true,"merge_commit_sha":"4444444444444444444444444444444444444444","head":{"ref":"%s","sha":"1111111111111111111111111111111111111111"},"base":{"ref":"main"}}}' "$1" >../event.json
	export GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH=$PWD/../event.json GITHUB_REF=refs/heads/main \
		GITHUB_REF_NAME=main GITHUB_HEAD_REF=$1 GITHUB_BASE_REF=main \
		GITHUB_SHA=4444444444444444444444444444444444444444
}

# pipeline GATE_RULES [TRACKING_URI]: run ml-pipeline.yml's job; $output its JSON.
pipeline() {
	local inputs
	inputs=$("$PY" -c 'import json,sys; print(json.dumps({"data": "data/credit_data.csv", "schema": "schema.yaml", "config": "model.yaml", "experiment": "Banking", "model": "BankingModel", "gate-rules": sys.argv[1], "tracking-uri": sys.argv[2]}))' "$1" "${2-$TRACKING}")
	run --separate-stderr "$PY" "$TOP/tests/tools/run-workflow.py" "$PIPELINE" pipeline "$inputs" '{"tracking-token": "walk-secret"}'
}

# What the tracking server holds, read through its test view (no token).
# alias MODEL ALIAS: the version it points at, empty when none.
alias_of() {
	curl -s "$TRACKING/__state" | "$PY" -c '
import json, sys
for m in json.load(sys.stdin)["registered_models"]:
    if m["name"] == sys.argv[1]:
        print(m["aliases"].get(sys.argv[2], ""))' "$1" "$2"
}

# state EXPRESSION: a Python expression over s, the server's whole state.
state() {
	curl -s "$TRACKING/__state" | "$PY" -c 'import json, sys; s = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

@test "a push to feature/x lands in Banking-feature-x with a candidate version" {
	push_to feature/x
	pipeline 'accuracy >= 0.70'
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	assert_json steps.mode.outputs.environment '"dev"'
	assert_json steps.register.outputs.experiment_name '"Banking-feature-x"'
	assert_json steps.register.outputs.model_name '"BankingModel-feature-x"'
	assert_json steps.champion.outcome '"skipped"'
	[ "$(state '[e["name"] for e in s["experiments"] if e["name"].startswith("Banking-")]')" = "['Banking-feature-x']" ]
	[ "$(alias_of BankingModel-feature-x candidate)" = 1 ]
	[ "$(state 'sum("champion" in m["aliases"] for m in s["registered_models"])')" = 0 ]
	[[ $stderr != *walk-secret* ]] || [[ $(printf '%s\n' "$stderr" | grep -c walk-secret) -eq $(printf '%s\n' "$stderr" | grep -c 'add-mask::walk-secret') ]]
}

@test "a merged model/y pull request lands in Banking-main, registers BankingModel-main and makes it champion; the next one is gated against it" {
	merge_pull_request_from model/y
	pipeline 'accuracy >= 0.70'
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	assert_json steps.mode.outputs.environment '"prod"'
	assert_json steps.register.outputs.experiment_name '"Banking-main"'
	assert_json steps.register.outputs.model_name '"BankingModel-main"'
	assert_json steps.gate.outputs.ok '"true"'
	assert_json steps.champion.outcome '"success"'
	[ "$(alias_of BankingModel-main champion)" = 1 ]
	grep -q "\"method\": \"POST\"" ../requests.log
	# A second merged pull request: gated against champion version 1.
	merge_pull_request_from model/z
	export GITHUB_RUN_ID=43
	pipeline 'accuracy >= baseline - 0.05'
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[[ $stderr == *"models:/BankingModel-main@champion"* ]]
	[ "$(alias_of BankingModel-main champion)" = 2 ]
}

@test "a gate failure stops the production pipeline before the alias: the version is registered, champion does not move" {
	merge_pull_request_from model/y
	pipeline 'accuracy >= 0.70'
	[ "$status" -eq 0 ]
	merge_pull_request_from model/bad
	export GITHUB_RUN_ID=44
	pipeline 'accuracy >= 0.99'
	[ "$status" -ne 0 ]
	assert_json steps.gate.outputs.ok '"false"'
	assert_json steps.champion.outcome '"skipped"'
	[ "$(state '[len(m["versions"]) for m in s["registered_models"] if m["name"] == "BankingModel-main"]')" = "[2]" ]
	[ "$(alias_of BankingModel-main champion)" = 1 ]
}

@test "production without a tracking server fails with the reason, before anything runs" {
	merge_pull_request_from model/y
	pipeline 'accuracy >= 0.70' ''
	[ "$status" -ne 0 ]
	[[ $stderr == *"production needs a tracking server"* ]]
	assert_json steps.mode.outcome '"failure"'
	assert_json steps.validate.outcome '"skipped"'
	[ "$(curl -s "$TRACKING/__requests" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["total"])')" = 0 ]
}

@test "the local runner refuses syntax it does not know instead of skipping it" {
	cat >wf.yml <<'YAML'
on:
  workflow_call:
    inputs:
      x: {type: string, required: false, default: ''}
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - if: contains(inputs.x, 'a')
        run: echo hi
YAML
	run --separate-stderr "$PY" "$TOP/tests/tools/run-workflow.py" wf.yml j '{}' '{}'
	[ "$status" -eq 2 ]
	[[ $stderr == *"unsupported: function contains()"* ]]
	sed -i 's/contains(inputs.x, .a.)/inputs.x == '"''"'/; s/echo hi/echo "v=1" >>"$GITHUB_OUTPUT"/' wf.yml
	sed -i 's/      - if:/      - id: s\n        if:/' wf.yml
	run --separate-stderr "$PY" "$TOP/tests/tools/run-workflow.py" wf.yml j '{}' '{}'
	[ "$status" -eq 0 ]
	assert_json steps.s.outputs.v '"1"'
	run --separate-stderr "$PY" "$TOP/tests/tools/run-workflow.py" wf.yml j '{"y": "1"}' '{}'
	[ "$status" -eq 2 ]
	[[ $stderr == *"no input y"* ]]
}

@test "canary.yml: the loop hands each next_weight to the deploy command and stops at promote" {
	cat >canary.yaml <<'YAML'
canary: v2
baseline: v1
metrics:
  - name: accuracy
    samples: {canary: [0.91, 0.90, 0.92, 0.91], baseline: [0.90, 0.91, 0.90, 0.92]}
    direction: decrease
schedule: {initial_weight: 10, step_weight: 20, max_weight: 50, interval: 1s}
YAML
	run --separate-stderr "$PY" "$TOP/tests/tools/run-workflow.py" "$TOP/.github/workflows/canary.yml" canary \
		'{"config": "canary.yaml", "deploy-command": "echo $WEIGHT >>weights.txt", "interval-seconds": 0}' '{}'
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	assert_json steps.loop.outputs.decision '"promote"'
	[ "$(tr '\n' ' ' <weights.txt)" = "30 50 100 " ]
}

@test "canary.yml: a regression runs the rollback command and fails the job" {
	cat >canary.yaml <<'YAML'
canary: v2
baseline: v1
metrics:
  - name: latency
    samples: {canary: [0.50, 0.52, 0.55, 0.51, 0.53, 0.54, 0.56, 0.52, 0.55, 0.53], baseline: [0.10, 0.11, 0.12, 0.10, 0.11, 0.13, 0.12, 0.11, 0.10, 0.12]}
    direction: increase
    critical: true
schedule: {initial_weight: 10, step_weight: 10, max_weight: 50}
YAML
	run --separate-stderr "$PY" "$TOP/tests/tools/run-workflow.py" "$TOP/.github/workflows/canary.yml" canary \
		'{"config": "canary.yaml", "deploy-command": "echo $WEIGHT >>weights.txt", "rollback-command": "echo rolled back >rollback.txt", "interval-seconds": 0}' '{}'
	[ "$status" -ne 0 ]
	assert_json steps.loop.outputs.decision '"rollback"'
	grep -qx 'rolled back' rollback.txt
	[ ! -e weights.txt ]
}
