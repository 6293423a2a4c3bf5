#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# ml-register against an MLflow server over REST: the loopback fake of
# tests/servers/mlflow_server.py (MLflow 2.12.2's answers), read back
# through its API. Re-runs, lost answers, an unreachable server and the
# spool, the deadline, credentials, TLS, the registry operations, and
# ml-gate's baseline fetched from the server.

load helpers

setup_file() {
	local w=$BATS_FILE_TMPDIR/work
	mkdir -p "$w/data" && cd "$w" || return 1
	awk 'NR == 1 { print > "data/train.csv"; print > "data/test.csv"; next }
	     { print > (NR % 5 == 0 ? "data/test.csv" : "data/train.csv") }' \
		"$TOP/examples/banking/data/credit_data.csv"
	cp "$DATA/ml-train/logistic.yaml" "$TOP/examples/banking/schema.yaml" .
	sed 's/C: 1.0/C: 0.01/' logistic.yaml >weak.yaml
	PATH=$MLCI_BUILD/bin:$PATH
	ml-validate --schema schema.yaml data/train.csv </dev/null 2>/dev/null |
		ml-train --config logistic.yaml --out model >trained.json 2>/dev/null
	ml-train --config weak.yaml --out weak </dev/null >weak.json 2>/dev/null
}

setup() {
	for v in $(env | sed -n 's/^\(GITHUB_[A-Z_]*\)=.*/\1/p' |
		grep -v '^$'); do
		unset "$v"
	done
	unset MLFLOW_TRACKING_URI MLFLOW_TRACKING_USERNAME MLFLOW_TRACKING_PASSWORD \
		MLFLOW_TRACKING_TOKEN MLFLOW_TRACKING_INSECURE_TLS \
		MLFLOW_TRACKING_SERVER_CERT_PATH MLFLOW_TRACKING_CLIENT_CERT_PATH
	export MLCI_NOW=2026-01-02T03:04:05Z
	# Quick retries: the tests count them, they do not wait for them.
	export MLFLOW_HTTP_REQUEST_MAX_RETRIES=2 MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR=0.01 \
		MLFLOW_HTTP_REQUEST_BACKOFF_JITTER=0
	cd "$BATS_TEST_TMPDIR" || return 1
	cp -r "$BATS_FILE_TMPDIR/work/." .
}

teardown() {
	if [ -n "${MLFLOW_PID:-}" ]; then
		kill "$MLFLOW_PID" 2>/dev/null || true
		wait "$MLFLOW_PID" 2>/dev/null || true
	fi
}

# start_mlflow [OPTIONS]: the loopback server; sets MLFLOW_URL (http) and
# MLFLOW_PORT.
start_mlflow() {
	rm -f port
	"$PY" "$TOP/tests/servers/mlflow_server.py" --port-file port \
		--log requests.log "$@" >/dev/null 2>server.err &
	MLFLOW_PID=$!
	local i
	for i in $(seq 200); do
		[ -s port ] && break
		sleep 0.05
	done
	[ -s port ] || { cat server.err >&2; return 1; }
	MLFLOW_PORT=$(cat port)
	MLFLOW_URL=http://127.0.0.1:$MLFLOW_PORT
}

# api METHOD PATH [JSON]: the server's answer, for checks (no credentials
# needed on /__ paths; others use $AUTH when set).
api() {
	local url=${API_URL:-$MLFLOW_URL}
	curl -sS ${CURL_OPTS:-} ${AUTH:+-u "$AUTH"} -X "$1" -H 'Content-Type: application/json' \
		${3:+--data "$3"} "$url$2"
}

# runs_with KEY VALUE: how many runs (any experiment) carry tag KEY = VALUE.
runs_with() {
	api GET /__state | "$PY" -c '
import json, sys
s = json.load(sys.stdin)
n = 0
for r in s["runs"]:
    tags = {t["key"]: t["value"] for t in r["run"]["data"].get("tags", [])}
    n += tags.get(sys.argv[1]) == sys.argv[2]
print(n)' "$1" "$2"
}

# count "METHOD /path": requests the server answered.
count() {
	api GET /__requests | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["counts"].get(sys.argv[1], 0))' "$1"
}

faults() {
	api POST /__faults "$1" >/dev/null
}

@test "the banking pipeline lands a complete run and a READY version with its alias on the server" {
	start_mlflow
	export MLFLOW_TRACKING_URI=$MLFLOW_URL
	run_ml 0 ml-register --experiment Banking --model BankingModel --alias candidate -i trained.json
	validate_record <(printf '%s' "$output")
	assert_json register.tracking_uri "\"$MLFLOW_URL\""
	assert_json register.experiment_name '"Banking-local"'
	assert_json register.model.version '"1"'
	assert_json register.model.alias '"candidate"'
	local run exp
	run=$(json_get register.run_id | tr -d '"')
	exp=$(json_get register.experiment_id | tr -d '"')
	assert_json register.artifact_uri "\"mlflow-artifacts:/$exp/$run/artifacts\""
	assert_json register.run_url "\"$MLFLOW_URL/#/experiments/$exp/runs/$run\""
	api GET "/api/2.0/mlflow/runs/get?run_id=$run" >run.json
	"$PY" - "$run" <<'EOF'
import json, sys
r = json.load(open("run.json"))["run"]
t = json.load(open("trained.json"))["train"]
tags = {x["key"]: x["value"] for x in r["data"]["tags"]}
params = {x["key"]: x["value"] for x in r["data"]["params"]}
metrics = {x["key"]: x["value"] for x in r["data"]["metrics"]}
assert r["info"]["status"] == "FINISHED", r["info"]
assert tags["mlflow.source.type"] == "LOCAL" and tags["mlci.model_type"] == "logistic_regression", tags
assert params["C"] == "1", params
assert metrics["accuracy"] == t["metrics"]["accuracy"], (metrics, t["metrics"])
EOF
	# The loss history, point by point, and the artifacts through the proxy.
	api GET "/api/2.0/mlflow/metrics/get-history?run_id=$run&metric_key=train_loss" |
		"$PY" -c 'import json,sys; h = json.load(sys.stdin)["metrics"]; t = json.load(open("trained.json"))["train"]["history"]["loss"]; assert len(h) > 1 and [p["value"] for p in h] == t, (len(h), len(t))'
	api GET "/api/2.0/mlflow-artifacts/artifacts/$exp/$run/artifacts/model/model.json" | cmp - model/model.json
	api GET "/api/2.0/mlflow-artifacts/artifacts/$exp/$run/artifacts/model/MLmodel" | grep -qx "run_id: $run"
	api GET "/api/2.0/mlflow/model-versions/get?name=BankingModel-local&version=1" |
		"$PY" -c 'import json,sys; v = json.load(sys.stdin)["model_version"]; assert v["status"] == "READY" and v["run_id"] == sys.argv[1] and v["source"] == "mlflow-artifacts:/%s/%s/artifacts/model" % (sys.argv[2], sys.argv[1]), v' "$run" "$exp"
	api GET "/api/2.0/mlflow/registered-models/alias?name=BankingModel-local&alias=candidate" | grep -q '"version": "1"'
}

@test "the same job twice, and a re-run attempt: one run, one version" {
	start_mlflow
	export GITHUB_ACTIONS=true GITHUB_REPOSITORY=acme/bank GITHUB_RUN_ID=77 GITHUB_JOB=train \
		GITHUB_REF_NAME=feature/new-prep GITHUB_EVENT_NAME=push \
		GITHUB_SHA=0123456789abcdef0123456789abcdef01234567 GITHUB_RUN_ATTEMPT=1 \
		GITHUB_OUTPUT=$PWD/out.txt GITHUB_STEP_SUMMARY=$PWD/summary.md
	"$PY" -c 'import json; r=json.load(open("trained.json")); r.pop("git", None); json.dump(r, open("nogit.json","w"))'
	run_ml 0 ml-register --tracking-uri "$MLFLOW_URL" --experiment Banking --model BankingModel --alias candidate -i nogit.json
	local first
	first=$(json_get register.run_id)
	export GITHUB_RUN_ATTEMPT=2
	run_ml 0 ml-register --tracking-uri "$MLFLOW_URL" --experiment Banking --model BankingModel --alias candidate -i nogit.json
	[[ $stderr == *"taken again"* ]]
	assert_json register.run_id "$first"
	assert_json register.run_created false
	assert_json register.version_created false
	[ "$(runs_with mlci.idempotency_key acme/bank/77/train//Banking-feature-new-prep)" = 1 ]
	[ "$(count "POST /api/2.0/mlflow/model-versions/create")" = 1 ]
	grep -qx '| alias | candidate |' summary.md
}

@test "answers lost after the server acted, and 503s: still one run and one version" {
	start_mlflow
	faults '[{"match": "runs/create", "action": "drop_after"},
		{"match": "model-versions/create", "action": "drop_after"},
		{"match": "runs/log-batch", "action": "status", "code": 503, "retry_after": "0", "count": 2},
		{"match": "mlflow-artifacts", "action": "drop_after", "count": 1}]'
	run_ml 0 ml-register --tracking-uri "$MLFLOW_URL" --experiment Banking --model BankingModel --idempotency-key job-1 -i trained.json
	assert_json register.model.version '"1"'
	[ "$(runs_with mlci.idempotency_key job-1)" = 1 ]
	[ "$(count "POST /api/2.0/mlflow/runs/create")" = 1 ]
	[ "$(count "POST /api/2.0/mlflow/model-versions/create")" = 1 ]
	api GET '/api/2.0/mlflow/model-versions/search?filter=name%3D%27BankingModel-local%27' |
		"$PY" -c 'import json,sys; assert len(json.load(sys.stdin)["model_versions"]) == 1'
}

@test "an unreachable server: exit 5 after the retries, nothing written" {
	start_mlflow
	kill "$MLFLOW_PID"
	wait "$MLFLOW_PID" 2>/dev/null || true
	MLFLOW_PID=
	run_ml 5 ml-register --tracking-uri "$MLFLOW_URL" --experiment Banking -i trained.json
	assert_equal "$output" ""
	[[ $stderr == *"127.0.0.1:$MLFLOW_PORT"* ]]
	[ ! -e mlflow.db ] && [ ! -e mlruns ]
}

@test "--spool keeps the run while the server is unreachable; --replay sends it once" {
	start_mlflow
	local url=$MLFLOW_URL
	kill "$MLFLOW_PID"
	wait "$MLFLOW_PID" 2>/dev/null || true
	run_ml 0 ml-register --tracking-uri "$url" --spool sp --experiment Banking \
		--model BankingModel --alias candidate --idempotency-key job-9 -i trained.json
	assert_json register.spooled '"sp"'
	[[ $stderr == *"ml-register --replay sp"* ]]
	start_mlflow --port "${url##*:}"
	run_ml 0 ml-register --tracking-uri "$url" --replay sp </dev/null
	local run
	run=$(json_get register.replayed.0 | tr -d '"')
	[ "$(runs_with mlci.idempotency_key job-9)" = 1 ]
	api GET "/api/2.0/mlflow/runs/get?run_id=$run" | grep -q '"status": "FINISHED"'
	api GET "/api/2.0/mlflow/registered-models/alias?name=BankingModel-local&alias=candidate" | grep -q '"version": "1"'
	api GET "/api/2.0/mlflow-artifacts/artifacts/1/$run/artifacts/model/model.json" | cmp - model/model.json
	api GET "/api/2.0/mlflow-artifacts/artifacts/1/$run/artifacts/model/MLmodel" | grep -qx "run_id: $run"
	# A manifest reset by hand is still one run and one version.
	sed -i 's/"replayed_run_id": "[0-9a-f]*"/"replayed_run_id": null/' sp/spool.json
	run_ml 0 ml-register --tracking-uri "$url" --replay sp </dev/null
	[ "$(runs_with mlci.idempotency_key job-9)" = 1 ]
	[ "$(count "POST /api/2.0/mlflow/model-versions/create")" = 1 ]
}

@test "--deadline gives up on a server that keeps answering 503: exit 5" {
	start_mlflow
	faults '[{"match": "experiments/get-by-name", "action": "status", "code": 503, "count": -1}]'
	MLFLOW_HTTP_REQUEST_MAX_RETRIES=100 MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR=0.3 \
		run_ml 5 ml-register --tracking-uri "$MLFLOW_URL" --deadline 1 --experiment Banking -i trained.json
	assert_equal "$output" ""
	[ "$(count "GET /api/2.0/mlflow/experiments/get-by-name")" -lt 20 ]
	run_ml 2 ml-register --deadline soon --experiment Banking -i trained.json
	[[ $stderr == *"--deadline 'soon'"* ]]
}

@test "credentials from MLflow's variables; a wrong password is exit 3 and is never printed" {
	start_mlflow --basic alice:s3cret-pw --token tok-s3cret
	export GITHUB_ACTIONS=true GITHUB_OUTPUT=$PWD/out.txt GITHUB_STEP_SUMMARY=$PWD/summary.md
	MLFLOW_TRACKING_USERNAME=alice MLFLOW_TRACKING_PASSWORD=wrong-s3cret \
		run_ml 3 ml-register --tracking-uri "$MLFLOW_URL" --experiment Banking -i trained.json
	[[ $stderr == *"401"*"MLFLOW_TRACKING_USERNAME"* ]]
	[[ $stderr != *wrong-s3cret* ]]
	MLFLOW_TRACKING_USERNAME=alice MLFLOW_TRACKING_PASSWORD=s3cret-pw \
		run_ml 0 ml-register --tracking-uri "$MLFLOW_URL" --experiment Banking --model M -i trained.json
	MLFLOW_TRACKING_TOKEN=tok-s3cret \
		run_ml 0 ml-register --tracking-uri "$MLFLOW_URL" --get models:/M-local/1 --out got </dev/null
	cmp got/model.json model/model.json
	! grep -rq 's3cret' out.txt summary.md
	# A URL with credentials in it is shown without them.
	MLFLOW_TRACKING_TOKEN=tok-s3cret run_ml 0 ml-register \
		--tracking-uri "http://bob:s3cret-in-url@127.0.0.1:$MLFLOW_PORT" --experiment Banking -i trained.json
	[[ $output != *s3cret* && $stderr != *s3cret* ]]
}

@test "TLS: the server's certificate from MLFLOW_TRACKING_SERVER_CERT_PATH, INSECURE_TLS, a client certificate" {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
		-subj /CN=test-ca 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\n' >san.ext
	openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem \
		-days 2 -extfile san.ext 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout cli.key -out cli.csr -subj /CN=ci 2>/dev/null
	openssl x509 -req -in cli.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out cli.crt \
		-days 2 2>/dev/null
	cat cli.crt cli.key >client.pem
	start_mlflow --tls srv.pem srv.key --client-ca ca.pem
	local url=https://127.0.0.1:$MLFLOW_PORT
	# An unknown issuer is not retried and is not "unreachable".
	run_ml 5 ml-register --tracking-uri "$url" --experiment Banking -i trained.json
	[[ $stderr == *"certificate"* ]]
	MLFLOW_TRACKING_SERVER_CERT_PATH=$PWD/ca.pem run_ml 5 ml-register --tracking-uri "$url" --experiment Banking -i trained.json
	MLFLOW_TRACKING_SERVER_CERT_PATH=$PWD/ca.pem MLFLOW_TRACKING_CLIENT_CERT_PATH=$PWD/client.pem \
		run_ml 0 ml-register --tracking-uri "$url" --experiment Banking -i trained.json
	MLFLOW_TRACKING_INSECURE_TLS=true MLFLOW_TRACKING_CLIENT_CERT_PATH=$PWD/client.pem \
		run_ml 0 ml-register --tracking-uri "$url" --experiment Banking -i trained.json
	MLFLOW_TRACKING_INSECURE_TLS=maybe run_ml 3 ml-register --tracking-uri "$url" --experiment Banking -i trained.json
	[[ $stderr == *"MLFLOW_TRACKING_INSECURE_TLS='maybe'"* ]]
}

@test "registry operations on the server: --set-alias, --tag-version, --list-versions, --get, --stage" {
	start_mlflow
	export MLFLOW_TRACKING_URI=$MLFLOW_URL
	ml-register --experiment Banking --model BankingModel --alias champion -i weak.json >/dev/null 2>&1
	run_ml 0 ml-register --experiment Banking --model BankingModel --alias candidate --stage Production -i trained.json
	assert_json register.model.version '"2"'
	api GET "/api/2.0/mlflow/model-versions/get?name=BankingModel-local&version=2" | grep -q '"current_stage": "Production"'
	run_ml 0 ml-register --set-alias champion --model-version 2 --model BankingModel </dev/null
	run_ml 0 ml-register --tag-version validation_status=approved --model-version 2 --model BankingModel </dev/null
	run_ml 0 ml-register --set-alias champion --model-version 1 --model BankingModel --dry-run </dev/null
	run_ml 0 ml-register --list-versions --model BankingModel </dev/null
	assert_json register.versions.0.version '"1"'
	assert_json register.versions.1.aliases '["candidate","champion"]'
	assert_json register.versions.1.tags.validation_status '"approved"'
	run_ml 0 ml-register --get models:/BankingModel-local@champion --out got </dev/null
	assert_json register.fetched.version '"2"'
	cmp got/model.json model/model.json
	run_ml 3 ml-register --get models:/BankingModel-local@nobody --out got2 </dev/null
	[ ! -e got2/model.json ]
	# SQLite keeps no stages: the flag is refused there, with a reason.
	run_ml 3 ml-register --tracking-uri sqlite:///local.db --experiment Banking --model B --stage Production -i trained.json
	[[ $stderr == *"use an alias"* ]]
	[ "$(sqlite3 local.db 'select count(*) from runs')" = 0 ]
	run_ml 3 ml-register --experiment Banking --model B --stage Live -i trained.json
	[[ $stderr == *"Invalid Model Version stage: Live"* ]]
	[ "$(count "POST /api/2.0/mlflow/runs/create")" = 2 ]
}

@test "a param changed under the same key is refused by the server with MLflow's words: exit 3" {
	start_mlflow
	run_ml 0 ml-register --tracking-uri "$MLFLOW_URL" --experiment Banking --idempotency-key k -i trained.json
	"$PY" -c 'import json; r=json.load(open("trained.json")); r["train"]["params"]["C"] = "5"; json.dump(r, open("changed.json","w"))'
	run_ml 3 ml-register --tracking-uri "$MLFLOW_URL" --experiment Banking --idempotency-key k -i changed.json
	[[ $stderr == *"Changing param values is not allowed"*"INVALID_PARAMETER_VALUE"* ]]
	api GET /__state | "$PY" -c 'import json,sys; s = json.load(sys.stdin); assert [r["run"]["info"]["status"] for r in s["runs"]] == ["FAILED"], s["runs"]'
}

@test "ml-gate takes its baseline from the server (models:/name@alias); a missing one passes with a note" {
	start_mlflow
	export MLFLOW_TRACKING_URI=$MLFLOW_URL
	run_ml 0 ml-gate --baseline models:/BankingModel-local@champion 'accuracy >= baseline' <trained.json
	assert_json gate.baseline null
	[[ "$(json_get gate.note)" == *"does not exist yet in $MLFLOW_URL"* ]]
	ml-register --experiment Banking --model BankingModel --alias champion -i weak.json >/dev/null 2>&1
	run_ml 0 ml-gate --baseline models:/BankingModel-local@champion 'accuracy >= baseline' \
		'roc_auc >= baseline - 0.01' <trained.json
	assert_json gate.baseline.version '"1"'
	assert_json gate.rules.0.test '"mcnemar"'
	assert_json gate.rules.1.test '"delong"'
	"$PY" -c 'import json,sys; g = json.loads(sys.argv[1])["gate"]; m = json.load(open("weak.json"))["train"]["metrics"]; assert abs(g["baseline"]["metrics"]["accuracy"] - m["accuracy"]) < 1e-12' "$output"
}
