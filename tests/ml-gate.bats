#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# ml-gate: rules on metrics, baselines, config files, GitHub output.

load helpers

# Golden cases: tests/data/ml-gate/<case>/ holds args (one per line),
# input.json, status and expected.json (the byte-exact record);
# MLCI_REGEN=1 rewrites expected.json for a reviewer to read in the diff.
golden() {
	local dir=$DATA/ml-gate/$1 args=()
	cp -r "$dir"/. .
	mapfile -t args <"$dir/args"
	run_ml "$(cat "$dir/status")" ml-gate "${args[@]}" <"$dir/input.json"
	if [ -n "${MLCI_REGEN:-}" ]; then
		printf '%s\n' "$output" >"$dir/expected.json"
	fi
	printf '%s\n' "$output" >got.json
	diff -u "$dir/expected.json" got.json
	validate_record got.json
}

@test "golden: a passing rule" { golden pass; }
@test "golden: a failing rule" { golden fail; }
@test "golden: rules relative to a baseline" { golden baseline-relative; }
@test "golden: --missing skip" { golden missing-skip; }
@test "golden: a missing metric fails its rule" { golden missing-fail; }
@test "golden: a failed upstream step is not judged" { golden upstream-failed; }
@test "golden: rules from a config file and the command line" { golden config; }
@test "golden: empty input starts a new record" { golden new-record; }

@test "--help prints the usage on stdout and exits 0" {
	run_ml 0 ml-gate --help
	assert_line --index 0 "usage: ml-gate [options] <rule>..."
	assert_output --partial "--baseline <file>"
	[ -z "$stderr" ]
}

@test "--version names the program and the version" {
	run_ml 0 ml-gate --version
	assert_output --regexp '^ml-gate \(mlci\) [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "the usage synopsis matches the man page" {
	run_ml 0 ml-gate --help
	local help man
	help=$(printf '%s\n' "$output" | sed -n 's/^\(usage\|   or\): //p')
	man=$(sed -n '/^# SYNOPSIS/,/^# /p' "$TOP/man/ml-gate.1.scd" |
		grep '^\*ml-gate\*' | sed 's/\*//g')
	[ "$help" = "$man" ]
}

@test "an unknown option is a usage error: exit 2, empty stdout" {
	run_ml 2 ml-gate --frobnicate 'accuracy >= 0.7' </dev/null
	[ -z "$output" ]
	assert_equal "$(printf '%s\n' "$stderr" | head -n 1)" "ml-gate: unknown option '--frobnicate'"
}

@test "no rules is a usage error" {
	run_ml 2 ml-gate </dev/null
	[ -z "$output" ]
	[[ "$stderr" == "ml-gate: no rules given"* ]]
}

@test "a malformed rule on the command line is a usage error naming it" {
	run_ml 2 ml-gate 'accuracy => 0.7' </dev/null
	[ -z "$output" ]
	assert_equal "$stderr" "ml-gate: invalid rule 'accuracy => 0.7': expected one of >= > <= < == after 'accuracy'"
}

@test "a rule on 'baseline' without --baseline is a usage error" {
	run_ml 2 ml-gate 'accuracy >= baseline' <<<'{"train":{"metrics":{"accuracy":1}}}'
	[ -z "$output" ]
	assert_equal "$stderr" "ml-gate: a rule compares with 'baseline' but no --baseline was given"
}

@test "malformed stdin: exit 3, empty stdout, one line naming the position" {
	run_ml 3 ml-gate 'accuracy >= 0.7' <<<'{"train": {"metrics": '
	[ -z "$output" ]
	assert_equal "$stderr" "ml-gate: malformed JSON in standard input at byte 24 (line 2, column 1)"
}

@test "a record from a newer mlci is refused" {
	run_ml 3 ml-gate 'accuracy >= 0.7' <<<'{"mlci":2,"train":{"metrics":{"accuracy":1}}}'
	[ -z "$output" ]
	assert_equal "$stderr" "ml-gate: record on standard input has format version 2; this program reads version 1"
}

@test "a record without train and no --metrics is bad input" {
	run_ml 3 ml-gate 'accuracy >= 0.7' <<<'{"data":{}}'
	[ -z "$output" ]
	[[ "$stderr" == *"the record has no 'train' section (give the metrics with --metrics)" ]]
}

@test "a missing metrics file is bad input naming it" {
	run_ml 3 ml-gate --metrics nope.json 'accuracy >= 0.7' </dev/null
	[ -z "$output" ]
	[[ "$stderr" == *"ml-gate: cannot open 'nope.json': No such file or directory" ]]
}

@test "issue example: 0.68 fails with gate.ok false, 0.71 passes" {
	run_ml 1 ml-gate 'accuracy >= 0.70' <<<'{"train":{"metrics":{"accuracy":0.68}}}'
	assert_json gate.ok false
	run_ml 0 ml-gate 'accuracy >= 0.70' <<<'{"train":{"metrics":{"accuracy":0.71}}}'
	assert_json gate.ok true
}

@test "sections ml-gate does not own come out unchanged" {
	local in='{"mlci":1,"git":{"sha":null,"head_sha":null,"short_sha":null,"branch":"x","kind":"other","slug":"x","dirty":null,"environment":"local","merged_from":null},"data":{"path":"a.csv","rows":12345678901,"columns":[{"name":"a","type":"number"}]},"train":{"metrics":{"accuracy":0.71,"tiny":1e-300,"big":1.7976931348623157e308},"params":{"C":"1.0"}},"register":{"run_id":"516919575679466760"},"custom":{"k":[1,"2",null,true]}}'
	run_ml 0 ml-gate 'accuracy >= 0.70' <<<"$in"
	printf '%s' "$in" >in.json
	printf '%s' "$output" >out.json
	"$PY" - <<'PY'
import json
a = json.load(open("in.json")); b = json.load(open("out.json"))
assert set(b) == set(a) | {"gate"}, (set(a), set(b))
for k in a:
    assert a[k] == b[k], k
PY
}

@test "the rule table goes to stderr, the record alone to stdout" {
	run_ml 1 ml-gate 'accuracy >= 0.70' 'f1 >= 0.1' <<<'{"train":{"metrics":{"accuracy":0.68,"f1":0.5}}}'
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
	[[ "$stderr" == *"ml-gate: failed: 1 of 2 rules"* ]]
	[[ "$stderr" == *"FAIL   accuracy >= 0.70"* ]]
	[[ "$stderr" == *"pass   f1 >= 0.1"* ]]
}

@test "--force judges despite a failed upstream step" {
	run_ml 0 ml-gate --force 'accuracy >= 0.70' <<<'{"train":{"ok":false,"metrics":{"accuracy":0.9}}}'
	assert_json gate.ok true
}

@test "a config file error names the file and line" {
	printf 'rules:\n  - accuracy >= 0.7\n  - accuracy => 0.7\n' >gate.yaml
	run_ml 3 ml-gate -c gate.yaml </dev/null
	[ -z "$output" ]
	assert_equal "$stderr" "ml-gate: gate.yaml:3: invalid rule 'accuracy => 0.7': expected one of >= > <= < == after 'accuracy'"
	printf 'rules:\n  - accuracy >= 0.7\nmising: skip\n' >gate.yaml
	run_ml 3 ml-gate -c gate.yaml </dev/null
	assert_equal "$stderr" "ml-gate: gate.yaml:3: unknown key 'mising' (known: rules, missing)"
}

@test "-i reads the record from a file; --pretty indents it" {
	printf '{"train":{"metrics":{"accuracy":0.9}}}' >rec.json
	run_ml 0 ml-gate -i rec.json --pretty 'accuracy >= 0.7' </dev/null
	[ "$(printf '%s\n' "$output" | wc -l)" -gt 10 ]
	assert_json gate.rules.0.value 0.9
}

@test "a write error on stdout is exit 4, not success" {
	run_ml 4 bash -c "echo '{\"train\":{\"metrics\":{\"accuracy\":0.9}}}' | ml-gate 'accuracy >= 0.7' >/dev/full"
	[[ "$stderr" == *"ml-gate: write error on standard output: No space left on device" ]]
}

@test "outside a repository the git section is null with a warning" {
	run_ml 0 ml-gate 'accuracy >= 0.7' <<<'{"train":{"metrics":{"accuracy":0.9}}}'
	assert_json git.sha null
	assert_json git.environment null
	[[ "$stderr" == *"warning: not in a git repository"* ]]
}

@test "under GitHub Actions: outputs, step summary and one annotation per failed rule" {
	export GITHUB_ACTIONS=true GITHUB_OUTPUT=$PWD/out GITHUB_STEP_SUMMARY=$PWD/summary
	printf 'rules:\n  - accuracy >= 0.70\n  - f1_macro >= 0.80\n' >gate.yaml
	run_ml 1 ml-gate -c gate.yaml 'auc >= 0.5' <<<'{"train":{"metrics":{"accuracy":0.68,"f1_macro":0.7,"auc":0.9}}}'
	grep -qx 'ok=false' out
	# The failed rules, one per line, through a heredoc delimiter.
	"$PY" - <<'PY'
import re
text = open("out").read()
m = re.search(r"^failed_rules<<(\S+)\n(.*?)\n\1\n", text, re.S | re.M)
assert m, text
assert m.group(2) == "accuracy >= 0.70\nf1_macro >= 0.80", m.group(2)
PY
	grep -q '| ❌ fail | `accuracy >= 0.70` | 0.68 | - | - | 0.7 |' summary
	grep -q '| ✅ pass | `auc >= 0.5` | 0.9 | - | - | 0.5 |' summary
	[[ "$stderr" == *"::error file=gate.yaml,line=2,title=ml-gate::rule 'accuracy >= 0.70' failed: 0.68 is not >= 0.7"* ]]
	[[ "$stderr" == *"::error file=gate.yaml,line=3,title=ml-gate::rule 'f1_macro >= 0.80' failed: 0.7 is not >= 0.8"* ]]
	[ "$(printf '%s\n' "$stderr" | grep -c '^::error')" -eq 2 ]
}

@test "in a pull request workflow the git section follows GITHUB_HEAD_REF" {
	printf '{"action":"synchronize","pull_request":{"number":7,"head":{"ref":"feature/new-preprocessing","sha":"1111111111111111111111111111111111111111"},"base":{"ref":"main"}}}' >event.json
	export GITHUB_ACTIONS=true GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH=$PWD/event.json \
		GITHUB_HEAD_REF=feature/new-preprocessing GITHUB_REF_NAME=7/merge \
		GITHUB_SHA=2222222222222222222222222222222222222222 GITHUB_REPOSITORY=acme/bank
	run_ml 0 ml-gate 'accuracy >= 0.7' <<<'{"train":{"metrics":{"accuracy":0.9}}}'
	assert_json git.branch '"feature/new-preprocessing"'
	assert_json git.slug '"feature-new-preprocessing"'
	assert_json git.kind '"feature"'
	assert_json git.environment '"dev"'
	assert_json git.sha '"2222222222222222222222222222222222222222"'
	assert_json git.head_sha '"1111111111111111111111111111111111111111"'
	printf '%s\n' "$output" >rec.json
	validate_record rec.json
}

# The pull-request comment, against the loopback fake of GitHub's API.
start_github() {
	"$PY" "$TOP/tests/servers/github_api.py" --port-file port --log requests.log "$@" \
		>/dev/null 2>server.err &
	GITHUB_PID=$!
	local i
	for i in $(seq 100); do
		[ -s port ] && break
		sleep 0.05
	done
	[ -s port ] || { cat server.err >&2; return 1; }
	printf '{"action":"synchronize","number":7,"pull_request":{"number":7,"head":{"ref":"model/x","sha":"1111111111111111111111111111111111111111"},"base":{"ref":"main"}}}' >event.json
	export GITHUB_ACTIONS=true GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH=$PWD/event.json \
		GITHUB_HEAD_REF=model/x GITHUB_SHA=2222222222222222222222222222222222222222 \
		GITHUB_REPOSITORY=acme/bank GITHUB_TOKEN=ghs_test_token \
		GITHUB_API_URL=http://127.0.0.1:$(cat port) \
		GITHUB_OUTPUT=$PWD/out GITHUB_STEP_SUMMARY=$PWD/summary
}

teardown() {
	if [ -n "${GITHUB_PID:-}" ]; then
		kill "$GITHUB_PID" 2>/dev/null || true
		wait "$GITHUB_PID" 2>/dev/null || true
	fi
}

# The comments on issue 7 whose body holds ml-gate's marker, one body a line.
gate_comments() {
	local page
	for page in 1 2 3; do
		curl -s -H "Authorization: Bearer ghs_test_token" \
			"$GITHUB_API_URL/repos/acme/bank/issues/7/comments?per_page=100&page=$page"
		echo
	done | "$PY" -c 'import json,sys
for line in sys.stdin:
    for c in json.loads(line) if line.strip() else []:
        if "<!-- mlci:ml-gate -->" in c["body"]:
            print(c["id"], c["body"].splitlines()[1])'
}

@test "--comment creates one comment, then updates it instead of adding another" {
	start_github --seed 7:120
	run_ml 1 ml-gate --comment 'accuracy >= 0.70' <<<'{"train":{"metrics":{"accuracy":0.68}}}'
	run gate_comments
	[ "${#lines[@]}" -eq 1 ]
	local first=${lines[0]%% *}
	run_ml 0 ml-gate --comment 'accuracy >= 0.70' <<<'{"train":{"metrics":{"accuracy":0.75}}}'
	run gate_comments
	[ "${#lines[@]}" -eq 1 ]
	[ "${lines[0]%% *}" = "$first" ]
	curl -s -H "Authorization: Bearer ghs_test_token" "$GITHUB_API_URL/repos/acme/bank/issues/comments/$first" |
		grep -q 'ml-gate: passed'
	# The seeded 120 comments span two pages: the first run had to look
	# at both before creating; the second found its comment and patched it.
	[ "$(grep -c '"method": "POST"' requests.log)" -eq 1 ]
	[ "$(grep -c '"method": "PATCH"' requests.log)" -eq 1 ]
}

@test "--comment with a read-only token warns and keeps the verdict" {
	start_github --read-only
	run_ml 1 ml-gate --comment 'accuracy >= 0.70' <<<'{"train":{"metrics":{"accuracy":0.68}}}'
	assert_json gate.ok false
	[[ "$stderr" == *"warning:"* ]]
	run gate_comments
	[ "${#lines[@]}" -eq 0 ]
}

@test "--comment outside a pull request warns and posts nothing" {
	start_github
	export GITHUB_EVENT_NAME=push
	printf '{"ref":"refs/heads/main"}' >event.json
	run_ml 0 ml-gate --comment 'accuracy >= 0.70' <<<'{"train":{"metrics":{"accuracy":0.8}}}'
	[[ "$stderr" == *"warning:"*"pull request"* ]]
	! grep -q '"method": "POST"' requests.log
}

@test "--comment: an API failing after retries is exit 5; the token is only masked" {
	start_github --fail 503:100
	run_ml 5 ml-gate --comment 'accuracy >= 0.70' <<<'{"train":{"metrics":{"accuracy":0.8}}}'
	[ -z "$output" ]
	# The one place the token may appear is the runner's mask command.
	[ "$(printf '%s\n' "$stderr" | grep -c ghs_test_token)" -eq 1 ]
	printf '%s\n' "$stderr" | grep -qx '::add-mask::ghs_test_token'
}

@test "--comment with a registered baseline: the interval columns and the chart of the versions" {
	mkdir -p data
	awk 'NR == 1 { print > "data/train.csv"; print > "data/test.csv"; next }
	     { print > (NR % 5 == 0 ? "data/test.csv" : "data/train.csv") }' \
		"$TOP/examples/banking/data/credit_data.csv"
	cp "$DATA/ml-train/logistic.yaml" .
	sed 's/C: 1.0/C: 0.01/' logistic.yaml >weak.yaml
	ml-train --config logistic.yaml -o cand </dev/null >cand.json 2>/dev/null
	ml-train --config weak.yaml -o base </dev/null >base.json 2>/dev/null
	ml-register --experiment Bank --model Bank --alias champion <base.json >/dev/null 2>&1
	start_github
	run_ml 0 ml-gate --comment --baseline models:/Bank-local@champion \
		'roc_auc >= baseline - 0.01' <cand.json
	local id body
	id=$(gate_comments | cut -d' ' -f1)
	body=$(curl -s -H "Authorization: Bearer ghs_test_token" \
		"$GITHUB_API_URL/repos/acme/bank/issues/comments/$id" |
		"$PY" -c 'import json,sys; print(json.load(sys.stdin)["body"])')
	[[ "$body" == *"| status | rule | value | baseline | delta | threshold | test | n | p | CI low | CI high |"* ]]
	[[ "$body" == *"| delong | 891 | "* ]]
	[[ "$body" == *'```mermaid'*'xychart-beta'*'title "roc_auc by version of Bank-local"'*'x-axis ["v1", "candidate"]'* ]]
	# The step summary holds the same.
	grep -q '^xychart-beta$' summary
}
