#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# ml-train's config: the JSON Schema for editors agrees with what ml-train
# accepts, and the shipped configs pass it.

load helpers

SCHEMA=$TOP/schemas/train-config.schema.json

# check_schema FILE...: each YAML or JSON config against the schema; prints
# "FILE: message" per failing file.
check_schema() {
	"$PY" - "$SCHEMA" "$@" <<'PY'
import json, sys, yaml, jsonschema
v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
bad = 0
for f in sys.argv[2:]:
    errs = list(v.iter_errors(yaml.safe_load(open(f))))
    if errs:
        bad = 1
        print(f"{f}: {errs[0].message}")
sys.exit(bad)
PY
}

@test "the schema is a valid draft 2020-12 schema" {
	"$PY" -c 'import json,sys,jsonschema; jsonschema.Draft202012Validator.check_schema(json.load(open(sys.argv[1])))' "$SCHEMA"
}

@test "every config shipped (example, tests, fuzz seeds) passes the schema" {
	run check_schema "$TOP/examples/banking/model.yaml" \
		$(ls "$TOP"/tests/data/ml-train/*.yaml "$TOP"/tests/fuzz/corpus/train-config/*.yaml | grep -v /bad-)
	assert_success
}

@test "the configs ml-train refuses for a type or a parameter fail the schema too" {
	for f in "$DATA"/ml-train/bad-type.yaml "$DATA"/ml-train/bad-param.yaml; do
		run check_schema "$f"
		assert_failure
		cp "$f" c.yaml
		run_ml 3 ml-train --config c.yaml </dev/null
	done
}

@test "each model type's parameters in the schema are exactly the ones ml-train knows" {
	local types t known schema
	types=$("$PY" -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["properties"]["models"]["items"]["properties"]["type"]["enum"]))' "$SCHEMA")
	# ml-train lists every type it knows when models is empty.
	printf 'data: {train: t.csv, test: u.csv, target: y}\nmodels: []\n' >c.yaml
	run_ml 3 ml-train --config c.yaml </dev/null
	[ "$(printf '%s' "$stderr" | sed -n 's/.*(types: \(.*\))$/\1/p' | tr -d ',')" = "$types" ]
	for t in $types; do
		printf 'data: {train: t.csv, test: u.csv, target: y}\nmodels: [{type: %s, params: {zzz: 1}}]\n' "$t" >c.yaml
		run_ml 3 ml-train --config c.yaml </dev/null
		known=$(printf '%s' "$stderr" | sed -n 's/.*(known: \(.*\))$/\1/p')
		schema=$("$PY" - "$SCHEMA" "$t" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for b in s["properties"]["models"]["items"]["allOf"]:
    if sys.argv[2] in b["if"]["properties"]["type"]["enum"]:
        print(", ".join(b["then"]["properties"]["params"]["propertyNames"]["enum"]))
PY
)
		[ -n "$known" ] && [ "$known" = "$schema" ] || { echo "$t: ml-train knows '$known', the schema '$schema'"; return 1; }
	done
}

@test "a fill_value without impute, and both test and split, fail the schema; steps may combine" {
	printf 'data: {train: t.csv, test: u.csv, target: y}\npreprocess: {numeric: [{fill_value: 0}]}\nmodels: [{type: ridge}]\n' >a.yaml
	printf 'data: {train: t.csv, test: u.csv, target: y}\npreprocess: {numeric: [{impute: mean, scale: standard}]}\nmodels: [{type: ridge}]\n' >b.yaml
	printf 'data: {train: t.csv, test: u.csv, split: {test_size: 0.2}, target: y}\nmodels: [{type: ridge}]\n' >c.yaml
	for f in a.yaml c.yaml; do
		run check_schema "$f"
		assert_failure
	done
	run check_schema b.yaml
	assert_success
}
