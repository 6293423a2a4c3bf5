#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# ml-validate: the banking example, injected faults, bad input, profiles, drift against scipy.

load helpers

CREDIT=$TOP/examples/banking/data/credit_data.csv
SCHEMA=$TOP/examples/banking/schema.yaml
VD=$DATA/ml-validate

# py ARGS...: run Debian's python3 on a script given on stdin.
py() { "$PY" - "$@"; }

# The last line of stderr: the error, after the git warning (the tests do
# not run inside a repository).
last_err() { printf '%s\n' "${stderr##*$'\n'}"; }

@test "--help prints the usage on stdout and exits 0" {
	run_ml 0 ml-validate --help
	assert_line --index 0 "usage: ml-validate [options] <data.csv>"
	assert_output --partial "--reference <file>"
	[ -z "$stderr" ]
}

@test "the usage synopsis matches the man page" {
	run_ml 0 ml-validate --help
	local help man
	help=$(printf '%s\n' "$output" | sed -n 's/^\(usage\|   or\): //p')
	man=$(sed -n '/^# SYNOPSIS/,/^# /p' "$TOP/man/ml-validate.1.scd" |
		grep '^\*ml-validate\*' | sed 's/\*//g')
	[ "$help" = "$man" ]
}

@test "an unknown option is a usage error: exit 2, empty stdout" {
	run_ml 2 ml-validate --frobnicate "$CREDIT" </dev/null
	[ -z "$output" ]
	assert_equal "$(printf '%s\n' "$stderr" | head -1)" "ml-validate: unknown option '--frobnicate'"
}

@test "no data file is a usage error" {
	run_ml 2 ml-validate </dev/null
	[ -z "$output" ]
	[[ $stderr == *"no data file given"* ]]
}

@test "an unknown --drift-test is a usage error" {
	run_ml 2 ml-validate --drift-test tt "$CREDIT" </dev/null
	[[ $stderr == *"unknown --drift-test 'tt'"* ]]
}

@test "a malformed record on stdin: exit 3, empty stdout" {
	run_ml 3 ml-validate "$CREDIT" <<<'{"mlci": 1,'
	[ -z "$output" ]
}

@test "empty stdin starts a new record; without a schema only well-formedness is checked" {
	run_ml 0 ml-validate "$CREDIT" </dev/null
	assert_json mlci 1
	assert_json data.rows 4454
	assert_json data.schema_path null
	assert_json validate.ok true
	assert_json validate.violations '[]'
	assert_json validate.drift null
	sha=$(sha256sum "$CREDIT" | cut -d' ' -f1)
	assert_json data.sha256 "\"$sha\""
	printf '%s\n' "$output" >rec.json
	validate_record rec.json
}

@test "other sections of the record pass through unchanged" {
	run_ml 0 ml-validate "$CREDIT" <<<'{"mlci": 1, "train": {"x": [1, 2]}, "zzz": "kept"}'
	assert_json train '{"x": [1, 2]}'
	assert_json zzz '"kept"'
}

@test "the banking data passes the schema of the issue, as written" {
	run_ml 0 ml-validate --schema "$SCHEMA" "$CREDIT" </dev/null
	assert_json validate.ok true
	assert_json validate.violations '[]'
	assert_json data.rows 4454
	assert_json data.schema_path "\"$SCHEMA\""
	assert_json data.columns '[{"name":"Status","type":"category"},{"name":"Seniority","type":"integer"},{"name":"Home","type":"category"},{"name":"Time","type":"integer"},{"name":"Age","type":"integer"},{"name":"Marital","type":"category"},{"name":"Records","type":"category"},{"name":"Job","type":"category"},{"name":"Expenses","type":"integer"},{"name":"Income","type":"number"},{"name":"Assets","type":"integer"},{"name":"Debt","type":"integer"},{"name":"Amount","type":"integer"},{"name":"Price","type":"integer"}]'
	[[ $stderr == *"4454 rows, 14 columns: ok"* ]]
	printf '%s\n' "$output" >rec.json
	validate_record rec.json
}

@test "statistics agree with pandas (describe, quantiles, value counts)" {
	run_ml 0 ml-validate "$CREDIT" </dev/null
	printf '%s\n' "$output" >rec.json
	py "$CREDIT" rec.json <<'EOF'
import json, sys, math
import pandas as pd
d = pd.read_csv(sys.argv[1])
s = json.load(open(sys.argv[2]))["validate"]["stats"]
for c in ["Age", "Income", "Assets", "Price"]:
    x = d[c].dropna()
    st = s[c]
    assert st["count"] == len(x), (c, st["count"], len(x))
    assert st["missing"] == int(d[c].isna().sum()), c
    assert st["distinct"] == x.nunique(), c
    for k, v in [("mean", x.mean()), ("std", x.std()), ("min", x.min()), ("max", x.max())]:
        assert math.isclose(st[k], v, rel_tol=1e-12), (c, k, st[k], v)
    for name, q in [("p1", .01), ("p5", .05), ("p25", .25), ("p50", .5), ("p75", .75), ("p95", .95), ("p99", .99)]:
        assert math.isclose(st["quantiles"][name], x.quantile(q), rel_tol=1e-12), (c, name)
top = {t["value"]: t["count"] for t in s["Home"]["top"]}
assert top == d["Home"].value_counts().to_dict(), top
assert s["Home"]["missing"] == 6
EOF
}

@test "injected faults: exactly those violations, with their rows and values" {
	run_ml 1 ml-validate --schema "$SCHEMA" "$VD/credit-faults.csv" </dev/null
	assert_json validate.ok false
	assert_json validate.violations.0 '{"column":"Seniority","check":"type","count":1,"rows":[13],"values":["ten"],"message":"1 value is not an integer"}'
	assert_json validate.violations.1 '{"column":"Home","check":"domain","count":1,"rows":[42],"values":["castle"],"message":"1 value not in the domain (rent, owner, priv, ignore, parents, other)"}'
	assert_json validate.violations.2 '{"column":"Age","check":"range","count":2,"rows":[7,250],"values":["15","130"],"message":"2 values outside [18, 100]"}'
	assert_json validate.violations.3.check '"max_missing_fraction"'
	assert_json validate.violations.3.column '"Income"'
	assert_json validate.violations.3.rows '[1,4,7,11,14]'
	assert_json validate.violations.3.values '[null,null,null,null,null]'
	run_ml 1 ml-validate --schema "$SCHEMA" "$VD/credit-faults.csv" </dev/null
	# The count of missing incomes, as pandas sees it.
	want=$(py "$VD/credit-faults.csv" <<<'import pandas as pd, sys; print(int(pd.read_csv(sys.argv[1])["Income"].isna().sum()))')
	assert_json validate.violations.3.count "$want"
	n=$(json_get validate.violations | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')
	[ "$n" -eq 4 ]
	[[ $stderr == *"Age range: 2 values outside [18, 100] (rows 7, 250)"* ]]
	printf '%s\n' "$output" >rec.json
	validate_record rec.json
}

@test "--max-examples bounds the rows shown" {
	run_ml 1 ml-validate --max-examples 2 --schema "$SCHEMA" "$VD/credit-faults.csv" </dev/null
	assert_json validate.violations.3.rows '[1,4]'
}

@test "GitHub Actions: step summary tables and annotations at file lines, not rows" {
	export GITHUB_ACTIONS=true GITHUB_OUTPUT=$PWD/out GITHUB_STEP_SUMMARY=$PWD/summary
	cp "$VD/credit-faults.csv" faults.csv
	run_ml 1 ml-validate --schema "$SCHEMA" faults.csv </dev/null
	grep -q '^| column | check | count | first rows | message |$' summary
	grep -q '^| Age | range | 2 | 7, 250 | 2 values outside \[18, 100\] |$' summary
	# Row 2 holds a quoted line break: row 7 starts on file line 9.
	[[ $stderr == *"::error file=faults.csv,line=9,title=ml-validate::column 'Age': 2 values outside [18, 100] (row 7)"* ]]
	[[ $stderr == *"::error file=faults.csv,line=15,title=ml-validate::column 'Seniority'"* ]]
	grep -qx 'ok=false' out
	grep -qx 'violations=4' out
}

@test "a sensitive column shows row numbers only" {
	cat >s.yaml <<'EOF'
columns:
  Age: {type: integer, min: 18, max: 100, sensitive: true}
EOF
	run_ml 1 ml-validate --schema s.yaml "$VD/credit-faults.csv" </dev/null
	assert_json validate.violations.0.rows '[7,250]'
	run json_get validate.violations.0.values
	[ "$status" -ne 0 ]
	run_ml 1 ml-validate --schema s.yaml "$VD/credit-faults.csv" </dev/null
	assert_json validate.stats.Age.sensitive true
	! printf '%s' "$output" | grep -q '"130"'
	run json_get validate.stats.Age.max
	[ "$status" -ne 0 ]
}

@test "the data passes its own inferred schema; the faults do not" {
	run_ml 0 ml-validate --infer-schema inferred.yaml "$CREDIT" </dev/null
	grep -q '^  "Home": {type: category, values: \["owner", "rent", "parents", "other", "priv", "ignore"\]}$' inferred.yaml
	grep -q '^  "Age": {type: integer, nullable: false, min: 18, max: 68}$' inferred.yaml
	run_ml 0 ml-validate --schema inferred.yaml "$CREDIT" </dev/null
	assert_json validate.ok true
	run_ml 0 ml-validate --infer-schema inferred.json "$CREDIT" </dev/null
	run_ml 0 ml-validate --schema inferred.json "$CREDIT" </dev/null
	run_ml 1 ml-validate --schema inferred.yaml "$VD/credit-faults.csv" </dev/null
}

@test "every check of the schema, and mostly" {
	cat >d.csv <<'EOF'
id,code,flag,score,extra
1,AB-1,true,0.5,x
2,AB-2,no,0.7,y
2,zz,maybe,1.5,
4,AB-4,false,,z
EOF
	cat >s.yaml <<'EOF'
columns:
  id: {type: integer, unique: true}
  code: {type: string, pattern: "[A-Z]{2}-[0-9]+"}
  flag: {type: boolean}
  score: {type: number, max: 1, nullable: false}
  missing_col: {type: string}
  optional_col: {type: string, required: false}
table:
  rows: {min: 5}
  strict: true
EOF
	run_ml 1 ml-validate --schema s.yaml d.csv </dev/null
	assert_json validate.violations '[{"column":"missing_col","check":"required","count":1,"rows":[],"values":[],"message":"column '"'"'missing_col'"'"' is missing from the data"},{"column":"extra","check":"strict","count":1,"rows":[],"values":[],"message":"column '"'"'extra'"'"' is not in the schema (strict)"},{"column":null,"check":"rows","count":4,"rows":[],"values":[],"message":"4 rows, fewer than the 5 required"},{"column":"id","check":"unique","count":1,"rows":[3],"values":["2"],"message":"1 duplicate value in a column that must be unique"},{"column":"code","check":"pattern","count":1,"rows":[3],"values":["zz"],"message":"1 value do not match the pattern '"'"'[A-Z]{2}-[0-9]+'"'"'"},{"column":"flag","check":"type","count":1,"rows":[3],"values":["maybe"],"message":"1 value is not a boolean"},{"column":"score","check":"not_null","count":1,"rows":[4],"values":[null],"message":"1 missing value in a column that is not nullable"},{"column":"score","check":"range","count":1,"rows":[3],"values":["1.5"],"message":"1 value outside (-inf, 1]"}]'
	cat >m.yaml <<'EOF'
columns:
  code: {type: string, pattern: "[A-Z]{2}-[0-9]+", mostly: 0.7}
  score: {type: number, max: 1, mostly: 0.6}
EOF
	run_ml 0 ml-validate --schema m.yaml d.csv </dev/null
}

@test "a header-only file is a table of 0 rows; the row bounds decide" {
	head -1 "$CREDIT" >h.csv
	run_ml 0 ml-validate h.csv </dev/null
	assert_json data.rows 0
	run_ml 1 ml-validate --schema "$SCHEMA" h.csv </dev/null
	assert_json validate.violations.0.check '"rows"'
	assert_json validate.violations.0.message '"0 rows, fewer than the 1000 required"'
}

@test "bad input: exit 3 with file:line, empty stdout" {
	printf 'a,b\n1,2\n3\n' >ragged.csv
	run_ml 3 ml-validate ragged.csv </dev/null
	[ -z "$output" ]
	assert_equal "$(last_err)" "ml-validate: ragged.csv:3: row 2 has 1 field, the header has 2"

	printf 'a,b\n1,"x\n\n2,3\n' >quote.csv
	run_ml 3 ml-validate quote.csv </dev/null
	assert_equal "$(last_err)" "ml-validate: quote.csv:2: unterminated quoted field (the quote opens here)"

	printf 'a\nok\n\xff\n' >utf8.csv
	run_ml 3 ml-validate utf8.csv </dev/null
	assert_equal "$(last_err)" "ml-validate: utf8.csv:3: invalid UTF-8 (byte 0xff)"

	printf 'a\nx\0y\n' >nul.csv
	run_ml 3 ml-validate nul.csv </dev/null
	assert_equal "$(last_err)" "ml-validate: nul.csv:2: NUL byte in the data"

	: >empty.csv
	run_ml 3 ml-validate empty.csv </dev/null
	assert_equal "$(last_err)" "ml-validate: empty.csv:1: empty file: no header row"

	printf 'a,b,a\n1,2,3\n' >dup.csv
	run_ml 3 ml-validate dup.csv </dev/null
	assert_equal "$(last_err)" "ml-validate: dup.csv:1: duplicate column name 'a' in the header"

	run_ml 3 ml-validate nonexistent.csv </dev/null
	assert_equal "$(last_err)" "ml-validate: cannot open 'nonexistent.csv': No such file or directory"
	[ -z "$output" ]

	mkfifo pipe.csv	# refused before it is opened: no writer needed
	run_ml 3 ml-validate pipe.csv </dev/null
	assert_equal "$(last_err)" "ml-validate: cannot read 'pipe.csv': a pipe, and ml-validate reads its first rows twice (write the data to a file first)"
	[ -z "$output" ]
}

@test "a record longer than --max-record-bytes is refused without reading it all" {
	{ echo a; echo 1; head -c 3000000 /dev/zero | tr '\0' x; echo; } >long.csv
	run_ml 3 ml-validate --max-record-bytes 1048576 long.csv </dev/null
	assert_equal "$(last_err)" "ml-validate: long.csv:3: record longer than 1048576 bytes (raise it with --max-record-bytes)"
	run_ml 0 ml-validate --max-record-bytes 8000000 long.csv </dev/null
}

@test "a schema that does not parse, or names an unknown type: exit 3 at its line" {
	printf 'columns:\n  a: {type: integer\n' >broken.yaml
	run_ml 3 ml-validate --schema broken.yaml "$CREDIT" </dev/null
	[ -z "$output" ]
	[[ $(last_err) == "ml-validate: broken.yaml:"* ]]

	printf 'columns:\n  Age: {type: integer}\n  Home: {type: strnig}\n' >type.yaml
	run_ml 3 ml-validate --schema type.yaml "$CREDIT" </dev/null
	assert_equal "$(last_err)" "ml-validate: type.yaml:3: unknown type 'strnig' for column 'Home' (known: integer, number, string, boolean, category)"

	printf 'columns:\n  Age: {type: integer, nulable: false}\n' >key.yaml
	run_ml 3 ml-validate --schema key.yaml "$CREDIT" </dev/null
	[[ $(last_err) == "ml-validate: key.yaml:2: unknown key 'nulable' in a column"* ]]

	printf 'columns:\n  Home: {type: string, pattern: "a(b"}\n' >re.yaml
	run_ml 3 ml-validate --schema re.yaml "$CREDIT" </dev/null
	[[ $(last_err) == "ml-validate: re.yaml:2: invalid pattern 'a(b'"* ]]
}

@test "CRLF, a BOM, a delimiter and gzip read the same" {
	run_ml 0 ml-validate "$CREDIT" </dev/null
	want=$(json_get validate.stats)
	sed 's/$/\r/' "$CREDIT" | sed '1s/^/\xef\xbb\xbf/' | tr ',' ';' >semi.csv
	run_ml 0 ml-validate --delimiter ';' semi.csv </dev/null
	[ "$(json_get validate.stats)" = "$want" ]
	gzip -c "$CREDIT" >credit.csv.gz
	run_ml 0 ml-validate credit.csv.gz </dev/null
	[ "$(json_get validate.stats)" = "$want" ]
	assert_json data.sha256 "\"$(sha256sum credit.csv.gz | cut -d' ' -f1)\""
}

@test "--select and --rename write the processed CSV atomically" {
	run_ml 0 ml-validate --select Status --select Age --select Home \
		--rename Status=target --output-data out.csv "$CREDIT" </dev/null
	assert_json data.processed_path '"out.csv"'
	assert_json data.columns '[{"name":"target","type":"category"},{"name":"Age","type":"integer"},{"name":"Home","type":"category"}]'
	assert_equal "$(head -3 out.csv)" "$(printf 'target,Age,Home\ngood,30,rent\ngood,58,rent')"
	[ "$(wc -l <out.csv)" -eq 4455 ]
	py "$CREDIT" out.csv <<'EOF'
import sys
import pandas as pd
a = pd.read_csv(sys.argv[1])[["Status", "Age", "Home"]].rename(columns={"Status": "target"})
b = pd.read_csv(sys.argv[2])
assert a.equals(b)
EOF
	# Bad input leaves no output file behind.
	printf 'a,b\n1,2\n3\n' >ragged.csv
	run_ml 3 ml-validate --output-data out2.csv ragged.csv </dev/null
	[ ! -e out2.csv ]
	[ -z "$(ls -A . | grep '^\.out2')" ]
	run_ml 3 ml-validate --select Nope "$CREDIT" </dev/null
	[[ $stderr == *"no column 'Nope' to select"* ]]
}

@test "the schema's parser section selects and renames; the checks use the new names" {
	cat >p.yaml <<'EOF'
parser:
  select: [Status, Age]
  rename: {Status: target}
columns:
  target: {type: category, values: [good, bad]}
  Age: {type: integer, min: 18}
table:
  strict: true
EOF
	run_ml 0 ml-validate --schema p.yaml "$CREDIT" </dev/null
	assert_json data.columns '[{"name":"target","type":"category"},{"name":"Age","type":"integer"}]'
}

@test "drift on a shifted copy matches scipy (Evidently's defaults)" {
	run_ml 0 ml-validate --reference "$CREDIT" "$VD/credit-shifted.csv" </dev/null
	printf '%s\n' "$output" >rec.json
	validate_record rec.json
	assert_json validate.drift.columns.Age.test '"wasserstein"'
	assert_json validate.drift.columns.Home.test '"jensenshannon"'
	assert_json validate.drift.columns.Age.drifted true
	assert_json validate.drift.columns.Amount.drifted true
	assert_json validate.drift.columns.Home.drifted true
	assert_json validate.drift.columns.Home.top_value '"owner"'
	assert_json validate.drift.columns.Price.drifted false
	assert_json validate.drift.share 0.21428571428571427
	assert_json validate.drift.ok true
	py "$CREDIT" "$VD/credit-shifted.csv" rec.json <<'EOF'
import json, sys, math
import numpy as np, pandas as pd
from scipy import stats
from scipy.spatial import distance
r, c = pd.read_csv(sys.argv[1]), pd.read_csv(sys.argv[2])
d = json.load(open(sys.argv[3]))["validate"]["drift"]["columns"]
for col in ["Age", "Amount", "Price"]:
    x, y = r[col].dropna().values, c[col].dropna().values
    w = stats.wasserstein_distance(x, y) / max(np.std(x), 0.001)
    assert math.isclose(d[col]["statistic"], w, rel_tol=1e-6, abs_tol=1e-12), (col, d[col], w)
keys = sorted(set(r["Home"].dropna()) | set(c["Home"].dropna()))
p = r["Home"].value_counts().reindex(keys, fill_value=0).values
q = c["Home"].value_counts().reindex(keys, fill_value=0).values
js = distance.jensenshannon(p / p.sum(), q / q.sum())
assert math.isclose(d["Home"]["statistic"], js, rel_tol=1e-6), (d["Home"], js)
EOF
}

@test "--drift-test ks on numeric columns matches scipy's ks_2samp; dataset drift exits 1" {
	run_ml 1 ml-validate --drift-test ks --drift-share 0.2 --reference "$CREDIT" "$VD/credit-shifted.csv" </dev/null
	assert_json validate.ok false
	assert_json validate.drift.ok false
	assert_json validate.drift.columns.Age.test '"ks"'
	assert_json validate.drift.columns.Home.test '"jensenshannon"'
	printf '%s\n' "$output" >rec.json
	py "$CREDIT" "$VD/credit-shifted.csv" rec.json <<'EOF'
import json, sys, math
import pandas as pd
from scipy import stats
r, c = pd.read_csv(sys.argv[1]), pd.read_csv(sys.argv[2])
d = json.load(open(sys.argv[3]))["validate"]["drift"]["columns"]
for col in ["Age", "Amount", "Income", "Price"]:
    res = stats.ks_2samp(r[col].dropna().values, c[col].dropna().values)
    assert math.isclose(d[col]["statistic"], res.statistic, rel_tol=1e-6), (col, d[col], res)
    assert math.isclose(d[col]["p_value"], res.pvalue, rel_tol=1e-6, abs_tol=1e-300), (col, d[col], res)
EOF
}

@test "a per-column drift test and threshold in the schema" {
	cat >d.yaml <<'EOF'
columns:
  Home: {type: category, drift: {test: chisquare, threshold: 0.01}}
  Price: {type: integer, drift: false}
EOF
	run_ml 0 ml-validate --schema d.yaml --reference "$CREDIT" "$VD/credit-shifted.csv" </dev/null
	assert_json validate.drift.columns.Home.test '"chisquare"'
	assert_json validate.drift.columns.Home.threshold 0.01
	run json_get validate.drift.columns.Price
	[ "$status" -ne 0 ]
	run_ml 0 ml-validate --schema d.yaml --reference "$CREDIT" "$VD/credit-shifted.csv" </dev/null
	printf '%s\n' "$output" >rec.json
	py "$CREDIT" "$VD/credit-shifted.csv" rec.json <<'EOF'
import json, sys, math
import pandas as pd
from scipy import stats
r, c = pd.read_csv(sys.argv[1]), pd.read_csv(sys.argv[2])
d = json.load(open(sys.argv[3]))["validate"]["drift"]["columns"]["Home"]
keys = sorted(set(r["Home"].dropna()) | set(c["Home"].dropna()))
p = r["Home"].value_counts().reindex(keys, fill_value=0).values
q = c["Home"].value_counts().reindex(keys, fill_value=0).values
res = stats.chisquare(q, p * q.sum() / p.sum())
assert math.isclose(d["statistic"], res.statistic, rel_tol=1e-6), (d, res)
assert math.isclose(d["p_value"], res.pvalue, rel_tol=1e-6, abs_tol=1e-300), (d, res)
EOF
}

@test "--write-stats then --reference stats.json gives the drift of the CSV reference" {
	run_ml 0 ml-validate --write-stats ref.json "$CREDIT" </dev/null
	run_ml 0 ml-validate --reference "$CREDIT" "$VD/credit-shifted.csv" </dev/null
	want=$(json_get validate.drift.columns)
	run_ml 0 ml-validate --reference ref.json "$VD/credit-shifted.csv" </dev/null
	[ "$(json_get validate.drift.columns)" = "$want" ]
}

@test "--merge-stats of two shards equals one pass over all the data" {
	head -2000 "$CREDIT" >a.csv
	{ head -1 "$CREDIT"; tail -n +2001 "$CREDIT"; } >b.csv
	run_ml 0 ml-validate --write-stats a.json a.csv </dev/null
	run_ml 0 ml-validate --write-stats b.json b.csv </dev/null
	run_ml 0 ml-validate "$CREDIT" </dev/null
	want=$(json_get validate.stats)
	run_ml 0 ml-validate --merge-stats a.json b.json </dev/null
	assert_json data.rows 4454
	[ "$(json_get validate.stats)" = "$want" ]
	run_ml 2 ml-validate --merge-stats </dev/null
}

@test "a column without a declared type that is not numeric after all is read again as strings" {
	{ echo x; seq 1 200000; echo abc; } >mixed.csv
	run_ml 0 ml-validate mixed.csv </dev/null
	assert_json data.columns '[{"name":"x","type":"string"}]'
	assert_json validate.stats.x.count 200001
	assert_json validate.stats.x.distinct_approximate true
	d=$(json_get validate.stats.x.distinct)
	[ "$d" -gt 194000 ] && [ "$d" -lt 206000 ]
}

@test "the example schema and inferred schemas follow the schema file's JSON Schema" {
	run_ml 0 ml-validate --infer-schema inferred.yaml "$CREDIT" </dev/null
	for f in "$SCHEMA" inferred.yaml; do
		"$PY" - "$TOP/schemas/validate-schema.schema.json" "$f" <<'PYEOF'
import json, sys, yaml, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(open(sys.argv[2])))
PYEOF
	done
}
