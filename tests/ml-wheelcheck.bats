#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# ml-wheelcheck: real wheels, tampered copies, contents codes, a loopback
# index (JSON and HTML forms) and uploads to it.

load helpers

WC=$DATA/ml-wheelcheck
SAMPLE=mlci_sample-1.2.0-py3-none-any.whl

# The sample package, built once per file with Debian's python3-build.
setup_file() {
	local out=$BATS_FILE_TMPDIR/dist
	cp -r "$DATA/ml-wheelcheck/sample" "$BATS_FILE_TMPDIR/src"
	(cd "$BATS_FILE_TMPDIR/src" &&
		SOURCE_DATE_EPOCH=1577836800 /usr/bin/python3 -m build \
			--no-isolation --wheel -o "$out" . >"$BATS_FILE_TMPDIR/build.log" 2>&1)
	export BUILT=$out/$SAMPLE
}

teardown() {
	if [ -n "${INDEX_PID:-}" ]; then
		kill "$INDEX_PID" 2>/dev/null || true
		wait "$INDEX_PID" 2>/dev/null || true
	fi
}

# Golden cases: tests/data/ml-wheelcheck/<case>/ holds args, input.json,
# status, expected.json and the wheel; MLCI_REGEN=1 rewrites expected.json.
golden() {
	local dir=$WC/$1 args=()
	cp -r "$dir"/. .
	mapfile -t args <"$dir/args"
	run_ml "$(cat "$dir/status")" ml-wheelcheck "${args[@]}" <"$dir/input.json"
	if [ -n "${MLCI_REGEN:-}" ]; then
		printf '%s\n' "$output" >"$dir/expected.json"
	fi
	printf '%s\n' "$output" >got.json
	diff -u "$dir/expected.json" got.json
	validate_record got.json
}

# tampered MODE: a broken copy of the built sample wheel, named as it was.
tampered() {
	mkdir -p "$1"
	"$PY" "$WC/tamper.py" "$1" "$BUILT" "$1/$SAMPLE"
	echo "$1/$SAMPLE"
}

# codes: the finding codes of $output, space-separated, in order.
codes() {
	printf '%s' "$output" | "$PY" -c '
import json, sys
print(" ".join(c["code"] for c in json.load(sys.stdin)["wheel"]["checks"]))'
}

# start_index ROOT [OPTIONS]: serve ROOT on loopback; sets INDEX_URL, UPLOAD_URL.
start_index() {
	local root=$1
	shift
	rm -f port
	"$PY" "$TOP/tests/servers/pyindex.py" "$root" port requests.log "$@" &
	INDEX_PID=$!
	local i
	for i in $(seq 100); do
		[ -s port ] && break
		sleep 0.1
	done
	[ -s port ]
	INDEX_URL=http://127.0.0.1:$(cat port)/simple/
	UPLOAD_URL=http://127.0.0.1:$(cat port)/legacy/
}

# A project folder: mlci-sample with releases 1.0.0, 1.1.0, 1.3.0 (yanked).
make_index() {
	mkdir -p index/mlci-sample
	local v
	for v in 1.0.0 1.1.0 1.3.0; do
		: >"index/mlci-sample/mlci_sample-$v-py3-none-any.whl"
	done
	: >index/mlci-sample/mlci-sample-1.1.0.tar.gz
	echo mlci_sample-1.3.0-py3-none-any.whl >index/mlci-sample/yanked
}

@test "golden: the sample wheel passes" { golden pass; }
@test "golden: a changed byte fails its RECORD hash" { golden fail-hash; }
@test "golden: --strict makes a .pyc an error" { golden strict; }

@test "--help prints the usage on stdout and exits 0" {
	run_ml 0 ml-wheelcheck --help
	assert_line --index 0 "usage: ml-wheelcheck [options] <wheel>"
	assert_output --partial "--publish <url>"
	[ -z "$stderr" ]
}

@test "--version names the program and the version" {
	run_ml 0 ml-wheelcheck --version
	assert_output --regexp '^ml-wheelcheck \(mlci\) [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "the usage synopsis matches the man page" {
	run_ml 0 ml-wheelcheck --help
	local help man
	help=$(printf '%s\n' "$output" | sed -n 's/^\(usage\|   or\): //p')
	man=$(sed -n '/^# SYNOPSIS/,/^# /p' "$TOP/man/ml-wheelcheck.1.scd" |
		grep '^\*ml-wheelcheck\*' | sed 's/\*//g')
	[ "$help" = "$man" ]
}

@test "the man page lists every finding code" {
	local c
	for c in Z001 Z002 Z003 Z004 Z005 Z006 Z007 Z008 Z009 Z010 Z011 Z012 Z013 Z014 Z015 \
		F001 F002 F003 F004 F005 F006 F007 D001 D002 D003 D004 D005 D006 \
		H001 H002 H003 H004 H005 H006 M001 M002 M003 M004 M005 M006 M007 M008 M009 \
		R001 R002 R003 R004 R005 R006 R007 R008 R009 R010 \
		W001 W002 W003 W004 W005 W006 W007 W008 W009 W010 W101 W102 W201 W202 \
		I001 I002 P001; do
		grep -q "^\*$c\*" "$TOP/man/ml-wheelcheck.1.scd" || { echo "missing $c"; return 1; }
	done
}

@test "an unknown option is a usage error: exit 2, empty stdout" {
	run_ml 2 ml-wheelcheck --frobnicate x.whl </dev/null
	[ -z "$output" ]
	assert_equal "$(printf '%s\n' "$stderr" | head -n 1)" "ml-wheelcheck: unknown option '--frobnicate'"
}

@test "no wheel is a usage error" {
	run_ml 2 ml-wheelcheck </dev/null
	[ -z "$output" ]
	[[ "$stderr" == "ml-wheelcheck: no wheel given"* ]]
}

@test "--dry-run without --publish is a usage error" {
	run_ml 2 ml-wheelcheck --dry-run "$BUILT" </dev/null
	assert_equal "$stderr" "ml-wheelcheck: --dry-run needs --publish"
}

@test "a bad --max-size is a usage error" {
	run_ml 2 ml-wheelcheck --max-size 12X "$BUILT" </dev/null
	assert_equal "$stderr" "ml-wheelcheck: --max-size takes a size such as 512M, not '12X'"
}

@test "malformed stdin: exit 3, empty stdout" {
	run_ml 3 ml-wheelcheck "$BUILT" <<<'{"gate": '
	[ -z "$output" ]
	[[ "$stderr" == "ml-wheelcheck: malformed JSON in standard input"* ]]
}

@test "a missing wheel is bad input: exit 3 naming it" {
	run_ml 3 ml-wheelcheck nothere.whl </dev/null
	[ -z "$output" ]
	assert_equal "$(printf '%s\n' "$stderr" | tail -n 1)" "ml-wheelcheck: cannot open 'nothere.whl': No such file or directory"
}

@test "Debian's pip wheel passes, with check-wheel-contents' one warning" {
	local w
	w=$(ls /usr/share/python-wheels/pip-*.whl)
	run_ml 0 ml-wheelcheck "$w" </dev/null
	assert_json wheel.ok true
	assert_json wheel.name '"pip"'
	assert_json wheel.tags '["py3-none-any"]'
	assert_json wheel.errors 0
	assert_equal "$(codes)" "W004"
	assert_json wheel.checks.0.file '"pip/__pip-runner__.py"'
}

@test "Debian's setuptools wheel passes with duplicate-file and top-level warnings" {
	local w
	w=$(ls /usr/share/python-wheels/setuptools-*.whl)
	run_ml 0 ml-wheelcheck "$w" </dev/null
	assert_json wheel.ok true
	assert_json wheel.metadata.name '"setuptools"'
	assert_json wheel.errors 0
	[[ "$(codes)" == W002*W009 ]]
	run_ml 0 ml-wheelcheck --ignore W002,W009 "$w" </dev/null
	assert_json wheel.checks '[]'
}

@test "the wheel python3 -m build makes passes with no finding" {
	run_ml 0 ml-wheelcheck "$BUILT" </dev/null
	assert_json wheel.ok true
	assert_json wheel.checks '[]'
	assert_json wheel.files 6
	assert_json wheel.metadata.requires_python '">=3.8"'
	assert_json wheel.metadata.requires_dist.0 '"numpy (>=1.20)"'
	[ "$(json_get wheel.sha256)" = "\"$(sha256sum "$BUILT" | cut -d' ' -f1)\"" ]
	validate_record <(printf '%s\n' "$output")
}

tamper_case() {
	local mode=$1 want=$2 file=$3 w
	w=$(tampered "$mode")
	run_ml 1 ml-wheelcheck "$w" </dev/null
	assert_json wheel.ok false
	assert_equal "$(codes)" "$want"
	if [ -n "$file" ]; then
		assert_json wheel.checks.0.file "\"$file\""
	fi
	assert_json wheel.checks.0.severity '"error"'
}

@test "tampered: a byte changed inside a module fails R005" {
	tamper_case module-byte R005 mlci_sample/model.py
}
@test "tampered: a RECORD row missing fails R002" {
	tamper_case drop-row R002 mlci_sample/model.py
}
@test "tampered: an extra file fails R002" {
	tamper_case extra-file R002 mlci_sample/extra.py
}
@test "tampered: a renamed .dist-info fails D003" {
	tamper_case rename-dist-info D003 "$SAMPLE"
}
@test "tampered: a wrong Tag fails H005 both ways" {
	tamper_case wrong-tag "H005 H005" mlci_sample-1.2.0.dist-info/WHEEL
	assert_json wheel.checks.0.message '"Tag '"'"'py2-none-any'"'"' is not among the file name'"'"'s tags"'
}
@test "tampered: a ../ entry fails Z003" {
	tamper_case dotdot "Z003 W004" mlci_sample/../../evil.py
}
@test "tampered: a symbolic link fails Z006" {
	tamper_case symlink Z006 mlci_sample/link.py
}
@test "tampered: an absolute path fails Z002" {
	tamper_case absolute "Z002 W004 W009" /etc/evil.py
}
@test "tampered: a backslash fails Z004" {
	tamper_case backslash "Z004 W004 W009" 'mlci_sample\\evil.py'
}
@test "tampered: a zip bomb fails Z010 and is never inflated" {
	tamper_case bomb "Z010 Z010" mlci_sample/zeros.bin
}
@test "tampered: a truncated archive fails Z001" {
	tamper_case truncate Z001 "$SAMPLE"
}
@test "tampered: corrupt stored data fails its CRC, Z012" {
	tamper_case crc Z012 mlci_sample/model.py
}
@test "tampered: a local header that disagrees fails Z008" {
	tamper_case local-name Z008 mlci_sample/model.py
}
@test "tampered: an md5 RECORD hash fails R007" {
	tamper_case md5 R007 mlci_sample/model.py
}
@test "RECORD rows hashed with sha512 are checked, and pass" {
	local w
	w=$(tampered sha512)
	run_ml 0 ml-wheelcheck "$w" </dev/null
	assert_json wheel.ok true
	assert_equal "$(codes)" ""
}
@test "tampered: a wrong sha512 RECORD hash fails R005" {
	tamper_case sha512-wrong R005 mlci_sample/model.py
	local msg
	msg=$(json_get wheel.checks.0.message)
	[[ "$msg" == "\"'mlci_sample/model.py' has sha512="*", RECORD says "* ]]
}
@test "tampered: a sha224 RECORD hash is too weak, R010" {
	local w
	w=$(tampered sha224)
	run_ml 1 ml-wheelcheck "$w" </dev/null
	[[ "$(codes)" == R010* ]]
	assert_json wheel.checks.0.severity '"error"'
}
@test "tampered: METADATA naming another project fails M004" {
	tamper_case metadata-name M004 mlci_sample-1.2.0.dist-info/METADATA
}
@test "tampered: a malformed Requires-Dist fails M008" {
	tamper_case requires-dist M008 mlci_sample-1.2.0.dist-info/METADATA
}

@test "--max-size trips the total-size guard, Z009, before reading" {
	run_ml 1 ml-wheelcheck --max-size 1k "$BUILT" </dev/null
	assert_equal "$(codes)" "Z009"
	assert_json wheel.checks.0.message '"uncompressed size above the limit: 1219 bytes uncompressed, limit 1024"'
}

@test "a .pyc is a warning, an error with --strict, gone with --ignore" {
	local w
	w=$(tampered pyc)
	run_ml 0 ml-wheelcheck "$w" </dev/null
	assert_equal "$(codes)" "W001"
	assert_json wheel.checks.0.severity '"warning"'
	run_ml 1 ml-wheelcheck --strict "$w" </dev/null
	assert_json wheel.checks.0.severity '"error"'
	run_ml 0 ml-wheelcheck --strict --ignore W0 "$w" </dev/null
	assert_json wheel.checks '[]'
	run_ml 0 ml-wheelcheck --select W2 "$w" </dev/null
	assert_json wheel.checks '[]'
}

@test "--package compares the library with the source tree (W101, W102)" {
	cp -r "$WC/sample/mlci_sample" .
	run_ml 0 ml-wheelcheck --package mlci_sample/ "$BUILT" </dev/null
	assert_json wheel.checks '[]'
	echo 'x = 1' >mlci_sample/forgotten.py
	mkdir -p mlci_sample/__pycache__ && : >mlci_sample/__pycache__/model.cpython-311.pyc
	rm mlci_sample/model.py
	run_ml 1 ml-wheelcheck --strict --package mlci_sample "$BUILT" </dev/null
	assert_equal "$(codes)" "W102 W101"
	assert_json wheel.checks.0.file '"mlci_sample/model.py"'
	assert_json wheel.checks.1.file '"mlci_sample/forgotten.py"'
}

@test "--toplevel declares the top-level entries (W201, W202)" {
	run_ml 0 ml-wheelcheck --toplevel mlci_sample/ "$BUILT" </dev/null
	assert_json wheel.checks '[]'
	run_ml 0 ml-wheelcheck --toplevel other "$BUILT" </dev/null
	assert_equal "$(codes)" "W201 W202"
	assert_json wheel.checks.1.file '"mlci_sample"'
}

@test "index, JSON form: newer than the latest non-yanked release" {
	make_index
	start_index index
	run_ml 0 ml-wheelcheck --index "$INDEX_URL" "$BUILT" </dev/null
	assert_json wheel.index.form '"json"'
	assert_json wheel.index.latest '"1.1.0"'
	assert_json wheel.index.is_new true
	assert_json wheel.index.file_exists false
	assert_json wheel.index.yanked 1
	grep -q 'application/vnd.pypi.simple.v1+json' requests.log
	validate_record <(printf '%s\n' "$output")
}

@test "index, HTML form: the same answer from the fallback" {
	make_index
	start_index index --html-only
	run_ml 0 ml-wheelcheck --index "$INDEX_URL" "$BUILT" </dev/null
	assert_json wheel.index.form '"html"'
	assert_json wheel.index.latest '"1.1.0"'
	assert_json wheel.index.is_new true
	assert_json wheel.index.yanked 1
}

@test "index: a project that does not exist means a new version" {
	mkdir -p index
	start_index index
	run_ml 0 ml-wheelcheck --index "$INDEX_URL" "$BUILT" </dev/null
	assert_json wheel.index.project_exists false
	assert_json wheel.index.latest null
	assert_json wheel.index.is_new true
}

@test "index: an old version and a used file name are verdicts (I001, I002)" {
	make_index
	: >"index/mlci-sample/mlci_sample-1.2.0-py3-none-any.whl"
	: >"index/mlci-sample/mlci_sample-2.0.0-py3-none-any.whl"
	start_index index
	run_ml 1 ml-wheelcheck --index "$INDEX_URL" "$BUILT" </dev/null
	assert_equal "$(codes)" "I001 I002"
	assert_json wheel.index.latest '"2.0.0"'
}

@test "index: a yanked file name still cannot be reused (I002 only)" {
	make_index
	: >"index/mlci-sample/$SAMPLE"
	echo "$SAMPLE" >>index/mlci-sample/yanked
	start_index index --html-only
	run_ml 1 ml-wheelcheck --index "$INDEX_URL" "$BUILT" </dev/null
	assert_equal "$(codes)" "I002"
	assert_json wheel.index.is_new true
}

@test "index unreachable: exit 5, empty stdout" {
	run_ml 5 ml-wheelcheck --index http://127.0.0.1:9/simple/ "$BUILT" </dev/null
	[ -z "$output" ]
}

@test "publish --dry-run uploads nothing" {
	make_index
	start_index index
	run_ml 0 ml-wheelcheck --index "$INDEX_URL" --publish "$UPLOAD_URL" --dry-run "$BUILT" </dev/null
	assert_json wheel.published false
	assert_json wheel.publish.reason '"dry run"'
	[[ "$stderr" == *"would upload '$BUILT'"* ]]
	! grep -q POST requests.log
	[ ! -e "index/mlci-sample/$SAMPLE" ]
}

@test "publish uploads the wheel with twine's form, then 'already exists' is a verdict" {
	make_index
	start_index index --user ci --password s3cret
	export TWINE_USERNAME=ci TWINE_PASSWORD=s3cret
	run_ml 0 ml-wheelcheck --index "$INDEX_URL" --publish "$UPLOAD_URL" "$BUILT" </dev/null
	assert_json wheel.published true
	cmp "$BUILT" "index/mlci-sample/$SAMPLE"
	"$PY" - <<'PYEOF'
import json
post = [json.loads(l) for l in open("requests.log") if '"POST"' in l][0]
f = post["fields"]
assert f[":action"] == ["file_upload"], f
assert f["protocol_version"] == ["1"]
assert f["name"] == ["mlci-sample"] and f["version"] == ["1.2.0"]
assert f["filetype"] == ["bdist_wheel"] and f["pyversion"] == ["py3"]
assert f["requires_dist"] == ["numpy (>=1.20)", "scikit-learn (<2,>=1.0) ; python_version >= \"3.9\""], f["requires_dist"]
assert len(f["sha256_digest"][0]) == 64
PYEOF
	run_ml 1 ml-wheelcheck --publish "$UPLOAD_URL" "$BUILT" </dev/null
	assert_equal "$(codes)" "P001"
	assert_json wheel.published false
	assert_json wheel.publish.reason '"file already exists"'
}

@test "publish: pypiserver's 409 is 'already exists' too" {
	mkdir -p index/mlci-sample
	cp "$BUILT" index/mlci-sample/
	start_index index --conflict 409
	run_ml 1 ml-wheelcheck --publish "$UPLOAD_URL" "$BUILT" </dev/null
	assert_equal "$(codes)" "P001"
}

@test "publish with wrong credentials fails remotely: exit 5" {
	mkdir -p index
	start_index index --user ci --password s3cret
	TWINE_PASSWORD=wrong run_ml 5 ml-wheelcheck --publish "$UPLOAD_URL" "$BUILT" </dev/null
	[ -z "$output" ]
	[[ "$stderr" == *"failed with 403"* ]]
}

@test "publish: a rejected wheel is never uploaded" {
	mkdir -p index
	start_index index
	local w
	w=$(tampered module-byte)
	run_ml 1 ml-wheelcheck --publish "$UPLOAD_URL" "$w" </dev/null
	assert_json wheel.published false
	assert_json wheel.publish.reason '"the wheel failed its checks"'
	! grep -q POST requests.log
}

@test "publish: a failed gate upstream stops the upload" {
	mkdir -p index
	start_index index
	run_ml 1 ml-wheelcheck --publish "$UPLOAD_URL" "$BUILT" <<<'{"gate":{"ok":false,"baseline":null,"rules":[]}}'
	assert_json wheel.published false
	assert_json wheel.publish.reason '"the '"'"'gate'"'"' step failed or was skipped"'
	! grep -q POST requests.log
}

@test "under GitHub Actions: summary table, annotations, outputs" {
	local w
	w=$(tampered module-byte)
	export GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=$PWD/summary.md GITHUB_OUTPUT=$PWD/out.txt
	run_ml 1 ml-wheelcheck "$w" </dev/null
	grep -q '^| R005 | error | `mlci_sample/model.py` |' summary.md
	[[ "$stderr" == *"::error file=module-byte/$SAMPLE,title=R005::mlci_sample/model.py%3A"* ]] ||
		[[ "$stderr" == *"::error file=module-byte/$SAMPLE,title=R005::"* ]]
	grep -qx 'ok=false' out.txt
	grep -qx 'version=1.2.0' out.txt
}
