#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# ml-register: the run and version it writes into MLflow's SQLite store and
# file store, read back with sqlite3 and the files themselves; idempotency,
# registry operations, fetch, dry runs and refusals.

load helpers

# A trained record (validate | train on the credit data, one logistic
# model), made once for the file in $BATS_FILE_TMPDIR/work.
setup_file() {
	local w=$BATS_FILE_TMPDIR/work
	mkdir -p "$w/data" && cd "$w" || return 1
	cp "$TOP/examples/banking/data/credit_data.csv" data/credit.csv
	awk 'NR == 1 { print > "data/train.csv"; print > "data/test.csv"; next }
	     { print > (NR % 5 == 0 ? "data/test.csv" : "data/train.csv") }' data/credit.csv
	cp "$DATA/ml-train/logistic.yaml" "$TOP/examples/banking/schema.yaml" .
	PATH=$MLCI_BUILD/bin:$PATH
	ml-validate --schema schema.yaml data/train.csv </dev/null 2>/dev/null |
		ml-train --config logistic.yaml --out model >trained.json 2>/dev/null
}

# Work on a copy of the trained record and its files.
setup() {
	for v in $(env | sed -n 's/^\(GITHUB_[A-Z_]*\)=.*/\1/p'); do
		unset "$v"
	done
	unset MLFLOW_TRACKING_URI
	export MLCI_NOW=2026-01-02T03:04:05Z
	cd "$BATS_TEST_TMPDIR" || return 1
	cp -r "$BATS_FILE_TMPDIR/work/." .
}

sql() {
	sqlite3 "${DB:-mlflow.db}" "$1"
}

@test "--help prints the usage; --version names the program" {
	run_ml 0 ml-register --help
	assert_line --index 0 "usage: ml-register [options] --experiment <base> [--model <base> [--alias <alias>]]"
	run_ml 0 ml-register --version
	assert_output --regexp '^ml-register \(mlci\) [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "the usage synopsis matches the man page" {
	run_ml 0 ml-register --help
	local help man
	help=$(printf '%s\n' "$output" | sed -n 's/^\(usage\|   or\): //p')
	man=$(sed -n '/^# SYNOPSIS/,/^# /p' "$TOP/man/ml-register.1.scd" |
		grep '^\*ml-register\*' | sed 's/\*//g; s/_//g')
	[ "$help" = "$man" ]
}

@test "usage errors: no experiment, two operations, --get without --out" {
	run_ml 2 ml-register </dev/null
	assert_equal "$output" ""
	[[ $stderr == *"no experiment"* ]]
	run_ml 2 ml-register --list-versions --get models:/m/1 --model m </dev/null
	[[ $stderr == *"give one of"* ]]
	run_ml 2 ml-register --get models:/m/1 </dev/null
	[[ $stderr == *"--get and --out go together"* ]]
}

@test "the trained record lands in ./mlflow.db by default: run, tags, params, histories, artifacts, version, alias" {
	run_ml 0 ml-register --experiment Banking --model BankingModel --alias candidate -i trained.json
	validate_record <(printf '%s' "$output")
	assert_json register.tracking_uri '"sqlite:///mlflow.db"'
	assert_json register.experiment_name '"Banking-local"'
	assert_json register.model.name '"BankingModel-local"'
	assert_json register.model.version '"1"'
	assert_json register.model.alias '"candidate"'
	assert_json register.model.uri '"models:/BankingModel-local/1"'
	local run exp
	run=$(json_get register.run_id | tr -d '"')
	exp=$(json_get register.experiment_id | tr -d '"')
	[ "$(sql "select name from experiments where experiment_id = $exp")" = Banking-local ]
	[ "$(sql "select status from runs where run_uuid = '$run'")" = FINISHED ]
	[ "$(sql "select value from tags where run_uuid = '$run' and key = 'mlflow.source.type'")" = LOCAL ]
	[ "$(sql "select value from tags where run_uuid = '$run' and key = 'mlci.model_type'")" = logistic_regression ]
	[ "$(sql "select value from params where run_uuid = '$run' and key = 'C'")" = 1 ]
	# The test metrics as the record has them, and the loss history step by step.
	local acc want
	acc=$(sql "select value from latest_metrics where run_uuid = '$run' and key = 'accuracy'")
	want=$("$PY" -c 'import json,sys; print(repr(json.load(open("trained.json"))["train"]["metrics"]["accuracy"]))')
	"$PY" -c "import sys; sys.exit(abs($acc - $want) > 1e-15)"
	local steps hist
	steps=$(sql "select count(*) || ':' || min(step) || ':' || max(step) from metrics where run_uuid = '$run' and key = 'train_loss'")
	hist=$("$PY" -c 'import json; h=json.load(open("trained.json"))["train"]["history"]["loss"]; print(f"{len(h)}:0:{len(h)-1}")')
	[ "$steps" = "$hist" ]
	# The model folder with its MLmodel, and the other artifacts.
	local art=mlruns/$exp/$run/artifacts
	cmp "$art/model/model.json" model/model.json
	grep -qx "run_id: $run" "$art/model/MLmodel"
	grep -qx "artifact_path: model" "$art/model/MLmodel"
	"$PY" -c 'import yaml,sys; d=yaml.safe_load(open(sys.argv[1])); assert d["flavors"]["mlci"]["model_file"] == "model.json"' "$art/model/MLmodel"
	cmp "$art/predictions/predictions.csv" model/predictions.csv
	cmp "$art/config/logistic.yaml" logistic.yaml
	[ "$(sql "select source from model_versions where name = 'BankingModel-local' and version = 1")" = "file://$PWD/$art/model" ]
	[ "$(sql "select version from registered_model_aliases where alias = 'candidate'")" = 1 ]
}

@test "the same idempotency key twice: one run, one version" {
	run_ml 0 ml-register --experiment Banking --model BankingModel --idempotency-key job-1 -i trained.json
	local first=$output
	run_ml 0 ml-register --experiment Banking --model BankingModel --idempotency-key job-1 -i trained.json
	[[ $stderr == *"taken again"* ]]
	assert_json register.run_created false
	assert_json register.version_created false
	[ "$(printf '%s' "$first" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["register"]["run_id"])')" = "$(json_get register.run_id | tr -d '"')" ]
	[ "$(sql 'select count(*) from runs')" = 1 ]
	[ "$(sql 'select count(*) from model_versions')" = 1 ]
	# Without the key a local run is another run.
	run_ml 0 ml-register --experiment Banking --model BankingModel -i trained.json
	[ "$(sql 'select count(*) from runs')" = 2 ]
}

@test "a re-run CI job (same GITHUB_RUN_ID and job, next attempt) finds its run and version" {
	export GITHUB_ACTIONS=true GITHUB_REPOSITORY=acme/bank GITHUB_RUN_ID=77 GITHUB_JOB=train
	export GITHUB_REF_NAME=feature/new-prep GITHUB_EVENT_NAME=push GITHUB_SHA=0123456789abcdef0123456789abcdef01234567
	export GITHUB_OUTPUT=$PWD/out.txt GITHUB_STEP_SUMMARY=$PWD/summary.md GITHUB_RUN_ATTEMPT=1
	"$PY" -c 'import json; r=json.load(open("trained.json")); r.pop("git", None); json.dump(r, open("nogit.json","w"))'
	run_ml 0 ml-register --experiment Banking --model BankingModel --alias candidate -i nogit.json
	assert_json register.experiment_name '"Banking-feature-new-prep"'
	assert_json register.model.name '"BankingModel-feature-new-prep"'
	assert_json register.idempotency_key '"acme/bank/77/train//Banking-feature-new-prep"'
	export GITHUB_RUN_ATTEMPT=2
	run_ml 0 ml-register --experiment Banking --model BankingModel --alias candidate -i nogit.json
	[ "$(sql 'select count(*) from runs')" = 1 ]
	[ "$(sql 'select count(*) from model_versions')" = 1 ]
	local run
	run=$(json_get register.run_id | tr -d '"')
	[ "$(sql "select value from tags where run_uuid = '$run' and key = 'mlflow.source.git.branch'")" = feature/new-prep ]
	[ "$(sql "select value from tags where run_uuid = '$run' and key = 'mlflow.source.git.repoURL'")" = https://github.com/acme/bank ]
	[ "$(sql "select value from tags where run_uuid = '$run' and key = 'mlflow.source.type'")" = JOB ]
	grep -q "^run_id=$run\$" out.txt
	grep -q '^model_version=1$' out.txt
	grep -qx '| experiment | Banking-feature-new-prep |' summary.md
	grep -qx '| alias | candidate |' summary.md
}

@test "the file store: run, metric history and version in MLflow's layout" {
	run_ml 0 ml-register --tracking-uri file:./fs --experiment-name Bank --model-name Credit --alias champion -i trained.json
	local run exp
	run=$(json_get register.run_id | tr -d '"')
	exp=$(json_get register.experiment_id | tr -d '"')
	grep -qx "name: Bank" "fs/$exp/meta.yaml"
	grep -qx "status: 3" "fs/$exp/$run/meta.yaml"
	[ "$(wc -l < "fs/$exp/$run/metrics/train_loss")" = "$("$PY" -c 'import json; print(len(json.load(open("trained.json"))["train"]["history"]["loss"]))')" ]
	[ -f "fs/$exp/$run/artifacts/model/MLmodel" ]
	grep -q "^run_id: $run" fs/models/Credit/version-1/meta.yaml
	[ -f fs/models/Credit/aliases/champion ]
}

@test "--get fetches by alias and by version into register.fetched; a missing one is exit 3" {
	run_ml 0 ml-register --experiment Banking --model BankingModel --alias champion -i trained.json
	run_ml 0 ml-register --get models:/BankingModel-local@champion --out got </dev/null
	validate_record <(printf '%s' "$output")
	assert_json register.fetched.version '"1"'
	assert_json register.fetched.alias '"champion"'
	assert_json register.fetched.model_path '"got/model.json"'
	cmp got/model.json model/model.json
	local acc
	acc=$(json_get register.fetched.metrics.accuracy)
	[ "$acc" = "$("$PY" -c 'import json; print(json.dumps(json.load(open("trained.json"))["train"]["metrics"]["accuracy"]))')" ]
	run_ml 0 ml-register --get models:/BankingModel-local/1 --out got2 </dev/null
	assert_json register.fetched.alias null
	run_ml 3 ml-register --get models:/BankingModel-local@nope --out x </dev/null
	[[ $stderr == *"no registered model version 'models:/BankingModel-local@nope'"* ]]
	[ ! -e x ]
	run_ml 3 ml-register --get models:/Nobody/1 --out x </dev/null
	run_ml 3 ml-register --get 'runs:/abc/model' --out x </dev/null
	[[ $stderr == *"not a model URI"* ]]
}

@test "--set-alias moves an alias, --tag-version tags, --dry-run changes nothing" {
	run_ml 0 ml-register --experiment Banking --model BankingModel -i trained.json
	run_ml 0 ml-register --experiment Banking --model BankingModel -i trained.json
	run_ml 0 ml-register --model BankingModel --set-alias champion --model-version 1 </dev/null
	[ "$(sql "select version from registered_model_aliases where alias = 'champion'")" = 1 ]
	run_ml 0 ml-register --model BankingModel --set-alias champion --model-version 2 --dry-run </dev/null
	[[ $stderr == *"would move alias 'champion' of 'BankingModel-local': version 1 -> version 2"* ]]
	[ "$(sql "select version from registered_model_aliases where alias = 'champion'")" = 1 ]
	run_ml 0 ml-register --model BankingModel --set-alias champion --model-version 2 </dev/null
	[ "$(sql "select version from registered_model_aliases where alias = 'champion'")" = 2 ]
	run_ml 0 ml-register --model BankingModel --tag-version mlci.rolled_back=true --model-version 1 </dev/null
	[ "$(sql "select value from model_version_tags where version = 1 and key = 'mlci.rolled_back'")" = true ]
	run_ml 3 ml-register --model BankingModel --set-alias latest --model-version 1 </dev/null
	run_ml 3 ml-register --model BankingModel --set-alias champion --model-version 9 </dev/null
	run_ml 2 ml-register --model BankingModel --tag-version novalue --model-version 1 </dev/null
}

@test "--set-alias without --model-version takes the version the record registered" {
	run_ml 0 ml-register --experiment Banking --model BankingModel -i trained.json
	printf '%s' "$output" >registered.json
	run_ml 0 ml-register --model BankingModel --set-alias champion -i registered.json
	assert_json register.model.alias '"champion"'
	[ "$(sql "select version from registered_model_aliases where alias = 'champion'")" = 1 ]
	run_ml 3 ml-register --model Other --set-alias champion -i registered.json
}

@test "--list-versions puts every version with aliases, tags and its run's metrics in register.versions" {
	run_ml 0 ml-register --experiment Banking --model BankingModel --alias candidate -i trained.json
	run_ml 0 ml-register --experiment Banking --model BankingModel -i trained.json
	run_ml 0 ml-register --model BankingModel --list-versions </dev/null
	validate_record <(printf '%s' "$output")
	assert_json register.versions.0.version '"1"'
	assert_json register.versions.0.aliases '["candidate"]'
	assert_json register.versions.1.aliases '[]'
	[ "$(json_get register.versions.1.metrics.accuracy)" = "$("$PY" -c 'import json; print(json.dumps(json.load(open("trained.json"))["train"]["metrics"]["accuracy"]))')" ]
}

@test "--dry-run logs nothing and creates no store" {
	run_ml 0 ml-register --experiment Banking --model BankingModel --alias candidate --dry-run -i trained.json
	assert_json register.dry_run true
	[[ $stderr == *"would log a run in experiment 'Banking-local'"* ]]
	[[ $stderr == *"would register a version of 'BankingModel-local' with alias candidate"* ]]
	[ ! -e mlflow.db ] && [ ! -e mlruns ]
}

@test "MLFLOW_TRACKING_URI chooses the store when no option does" {
	MLFLOW_TRACKING_URI=sqlite:///other.db run_ml 0 ml-register --experiment-name E -i trained.json
	assert_json register.tracking_uri '"sqlite:///other.db"'
	[ -f other.db ] && [ ! -e mlflow.db ]
}

@test "refusals: no train section is exit 3; a failed training is skipped with exit 1" {
	run_ml 3 ml-register --experiment Banking </dev/null
	[[ $stderr == *"no train section"* ]]
	"$PY" -c 'import json; r=json.load(open("trained.json")); r["train"]={"ok": False, "skipped": True, "reason": "x"}; json.dump(r, open("failed.json","w"))'
	run_ml 1 ml-register --experiment Banking -i failed.json
	assert_json register.skipped true
	[ ! -e mlflow.db ]
}

@test "a model file the record names but that is gone: exit 3, the run marked FAILED" {
	rm model/model.json
	run_ml 3 ml-register --experiment Banking --model BankingModel -i trained.json
	assert_equal "$output" ""
	[[ $stderr == *"model/model.json"* ]]
	[ "$(sql 'select status from runs')" = FAILED ]
	[ "$(sql 'select count(*) from model_versions')" = 0 ]
}

@test "a store at a revision we must not write is refused with exit 3" {
	sqlite3 mlflow.db "create table alembic_version (version_num varchar(32) not null); insert into alembic_version values ('451aebb31d03');"
	run_ml 3 ml-register --experiment Banking -i trained.json
	assert_equal "$output" ""
}

@test "--replay sends a spooled run with its histories, artifacts, version and alias, once" {
	# A spool as --spool leaves it: a file store and its manifest.
	run_ml 0 ml-register --tracking-uri file:sp/mlruns --idempotency-key job-9 --experiment Banking --model BankingModel --alias candidate -i trained.json
	local spooled exp
	spooled=$(json_get register.run_id | tr -d '"')
	exp=$(json_get register.experiment_id | tr -d '"')
	printf '{"runs": [{"experiment_name": "Banking-local", "run_id": "%s", "idempotency_key": "job-9", "model_name": "BankingModel-local", "alias": "candidate", "replayed_run_id": null}]}\n' "$spooled" >sp/spool.json
	run_ml 0 ml-register --replay sp </dev/null
	validate_record <(printf '%s' "$output")
	local run
	run=$(json_get register.replayed.0 | tr -d '"')
	[ "$(sql 'select count(*) from runs')" = 1 ]
	[ "$(sql "select status from runs where run_uuid = '$run'")" = FINISHED ]
	[ "$(sql "select value from tags where run_uuid = '$run' and key = 'mlci.idempotency_key'")" = job-9 ]
	[ "$(sql "select count(*) from metrics where run_uuid = '$run' and key = 'train_loss'")" = "$(wc -l < "sp/mlruns/$exp/$spooled/metrics/train_loss")" ]
	[ "$(sql "select version from registered_model_aliases where alias = 'candidate'")" = 1 ]
	[ -f "mlruns/1/$run/artifacts/model/model.json" ]
	grep -qx "run_id: $run" "mlruns/1/$run/artifacts/model/MLmodel"
	grep -qx "run_id: $spooled" "sp/mlruns/$exp/$spooled/artifacts/model/MLmodel"
	grep -q "\"replayed_run_id\": \"$run\"" sp/spool.json
	# Again: nothing left to send, and still one run and one version.
	run_ml 0 ml-register --replay sp </dev/null
	assert_json register.replayed '[]'
	# A manifest reset by hand is still one run: the idempotency key.
	sed -i 's/"replayed_run_id": "[0-9a-f]*"/"replayed_run_id": null/' sp/spool.json
	run_ml 0 ml-register --replay sp </dev/null
	[ "$(sql 'select count(*) from runs')" = 1 ]
	[ "$(sql 'select count(*) from model_versions')" = 1 ]
	echo '{"runs": 3}' >sp/spool.json
	run_ml 3 ml-register --replay sp </dev/null
	[[ $stderr == *"spool.json: 'runs' must be a list"* ]]
}
