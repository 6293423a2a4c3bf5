#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# ml-canary against a real Prometheus (Debian's), fed with series backfilled
# by promtool from OpenMetrics files; statistics checked live with scipy and
# statsmodels; the registry on a SQLite store made from MLflow's schema.

load helpers

END=1767323040	# 2026-01-02T03:04:00Z: the end of the series

setup_file() {
	local dir=$BATS_FILE_TMPDIR i
	"$PY" "$TOP/tests/tools/canary-series.py" "$END" "$dir/series.om"
	promtool tsdb create-blocks-from openmetrics "$dir/series.om" \
		"$dir/tsdb" >/dev/null
	printf 'global:\n  scrape_interval: 1h\n' >"$dir/prometheus.yml"
	PROM_PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	prometheus --config.file="$dir/prometheus.yml" \
		--storage.tsdb.path="$dir/tsdb" \
		--storage.tsdb.retention.time=100y \
		--web.listen-address="127.0.0.1:$PROM_PORT" \
		>"$dir/prometheus.log" 2>&1 3>&- &
	echo $! >"$dir/prometheus.pid"
	for i in $(seq 150); do
		curl -sf "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null && break
		sleep 0.2
	done
	curl -sf "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null
	export PROM_PORT PROM=http://127.0.0.1:$PROM_PORT
}

teardown_file() {
	[ -s "$BATS_FILE_TMPDIR/prometheus.pid" ] &&
		kill "$(cat "$BATS_FILE_TMPDIR/prometheus.pid")" 2>/dev/null
	return 0
}

teardown() {
	[ -s "$BATS_TEST_TMPDIR/proxy.pid" ] &&
		kill "$(cat "$BATS_TEST_TMPDIR/proxy.pid")" 2>/dev/null
	return 0
}

# The issue's example, as written, but for the port.
example_config() {
	cat >"${1:-analysis.yaml}" <<EOF2
prometheus: ${2:-$PROM}
window: 30m          # the analysis window, ending now
resolution: 60s      # the query_range step
canary: v2
baseline: v1
metrics:
  - name: latency
    query: 'req_latency_seconds{version="{{version}}"}'
    direction: increase
    critical: true
  - name: accuracy
    samples: {canary: [0.91, 0.90, 0.92, 0.91], baseline: [0.90, 0.91, 0.90, 0.92]}
    direction: decrease
schedule: {initial_weight: 10, step_weight: 10, max_weight: 50, failure_threshold: 2, interval: 5m}
model: {name: BankingModel-main, canary_version: "7", baseline_alias: champion}
thresholds: {pass: 95, marginal: 75}
EOF2
}

# A SQLite store made by MLflow 2.12.2's schema, with versions 6 and 7 of
# BankingModel-main and champion on 6.
make_store() {
	sqlite3 mlflow.db <"$TOP/tests/tools/mlflow-2.12.2.schema"
	sqlite3 mlflow.db "
INSERT INTO alembic_version VALUES ('acf3f17fdcc7');
INSERT INTO experiments VALUES (0, 'Default', 'file:///tmp/mlruns/0', 'active', 0, 0);
INSERT INTO registered_models VALUES ('BankingModel-main', 1, 1, NULL);
INSERT INTO model_versions (name, version, creation_time, last_updated_time, current_stage, source, status)
  VALUES ('BankingModel-main', 6, 1, 1, 'None', 'models:/m/6', 'READY'),
         ('BankingModel-main', 7, 2, 2, 'None', 'models:/m/7', 'READY');
INSERT INTO registered_model_aliases VALUES ('champion', 6, 'BankingModel-main');"
	export MLFLOW_TRACKING_URI=sqlite:///$PWD/mlflow.db
}

# The values Prometheus gives for a query over the analysis window.
prom_values() {
	curl -sf "$PROM/api/v1/query_range" --data-urlencode "query=$1" \
		-d start=$((END - 1800)) -d end=$END -d step=60 |
		"$PY" -c '
import json, math, sys
d = json.load(sys.stdin)
print(json.dumps([float(v) for s in d["data"]["result"] for _, v in s["values"]
                  if math.isfinite(float(v))]))'
}

# check_mwu METRIC CANARY_JSON BASELINE_JSON: the record's statistic and
# p-value are scipy's mannwhitneyu to 1e-9.
check_mwu() {
	printf '%s' "$output" | "$PY" -c '
import json, sys
from scipy.stats import mannwhitneyu
m = json.load(sys.stdin)["canary"]["metrics"][sys.argv[1]]
r = mannwhitneyu(json.loads(sys.argv[2]), json.loads(sys.argv[3]))
for got, want in ((m["statistic"], r.statistic), (m["p_value"], r.pvalue)):
    if abs(got - want) > 1e-9 * max(1, abs(want)):
        sys.exit(f"{sys.argv[1]}: got {got}, scipy {want}")' "$@"
}

@test "a healthy canary promotes through every step, and the alias moves" {
	export MLCI_NOW=$END
	make_store
	example_config
	echo '{"mlci": 1}' >rec.json
	weights=
	for i in 1 2 3 4 5 6 7 8; do
		run --separate-stderr ml-canary -c analysis.yaml -i rec.json
		[ "$status" -eq 0 ] || { echo "$stderr" >&2; false; }
		printf '%s\n' "$output" >rec.json
		weights="$weights $(json_get canary.weight)"
		[ "$(json_get canary.decision)" = '"continue"' ] || break
	done
	assert_json canary.decision '"promote"'
	[ "$weights" = " 10 20 30 40 50" ]
	assert_json canary.iteration 5
	assert_json canary.next_weight 100
	assert_json canary.score 100
	assert_json canary.failed_checks 0
	assert_json canary.metrics.latency.classification '"Pass"'
	assert_json canary.metrics.latency.n_canary 31
	assert_json canary.metrics.latency.query.canary '"req_latency_seconds{version=\"v2\"}"'
	assert_json canary.metrics.latency.query.baseline '"req_latency_seconds{version=\"v1\"}"'
	assert_json canary.model.action '"alias_moved"'
	[ "$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["canary"]["history"]))' rec.json)" = 5 ]
	check_mwu latency "$(prom_values 'req_latency_seconds{version="v2"}')" \
		"$(prom_values 'req_latency_seconds{version="v1"}')"
	check_mwu accuracy '[0.91, 0.90, 0.92, 0.91]' '[0.90, 0.91, 0.90, 0.92]'
	validate_record rec.json
	[ "$(sqlite3 mlflow.db "SELECT version FROM registered_model_aliases WHERE name = 'BankingModel-main' AND alias = 'champion'")" = 7 ]
	[ "$(sqlite3 mlflow.db "SELECT value FROM model_version_tags WHERE name = 'BankingModel-main' AND version = 7 AND key = 'mlci.canary'")" = promoted ]
}

@test "the first steps leave the registry alone" {
	export MLCI_NOW=$END
	make_store
	example_config
	run_ml 0 ml-canary -c analysis.yaml </dev/null
	assert_json canary.decision '"continue"'
	assert_json canary.weight 10
	assert_json canary.next_weight 20
	assert_json canary.model.action '"none"'
	[ "$(sqlite3 mlflow.db "SELECT version FROM registered_model_aliases WHERE alias = 'champion'")" = 6 ]
	[ -z "$(sqlite3 mlflow.db "SELECT * FROM model_version_tags")" ]
}

@test "a latency regression rolls back: the alias stays, the canary is tagged" {
	export MLCI_NOW=$END
	make_store
	example_config
	sed -i 's/req_latency_seconds/lat_bad/' analysis.yaml
	run_ml 1 ml-canary -c analysis.yaml </dev/null
	assert_json canary.decision '"rollback"'
	assert_json canary.next_weight 0
	assert_json canary.score 0
	assert_json canary.metrics.latency.classification '"High"'
	assert_output --partial 'a critical metric failed'
	[[ "$(json_get canary.metrics.latency.reason)" == *"Mann-Whitney: the canary is higher"* ]]
	check_mwu latency "$(prom_values 'lat_bad{version="v2"}')" \
		"$(prom_values 'lat_bad{version="v1"}')"
	# The interval is R's wilcox.test(conf.int = TRUE) at Kayenta's 0.98.
	c=$(prom_values 'lat_bad{version="v2"}' | tr -d '[]')
	b=$(prom_values 'lat_bad{version="v1"}' | tr -d '[]')
	ci=$(Rscript -e "r <- wilcox.test(c($c), c($b), conf.int = TRUE, conf.level = 0.98)\$conf.int; cat(sprintf('%.17g %.17g', r[1], r[2]))")
	"$PY" -c '
import json, sys
m = json.loads(sys.argv[1])
lo, hi = map(float, sys.argv[2].split())
assert 0 < lo < hi
assert abs(m["ci_low"] - lo) <= 1e-6 and abs(m["ci_high"] - hi) <= 1e-6, (m, lo, hi)' \
		"$(json_get canary.metrics.latency)" "$ci"
	printf '%s\n' "$output" >rec.json
	validate_record rec.json
	[ "$(sqlite3 mlflow.db "SELECT version FROM registered_model_aliases WHERE alias = 'champion'")" = 6 ]
	[ "$(sqlite3 mlflow.db "SELECT value FROM model_version_tags WHERE version = 7 AND key = 'mlci.canary'")" = rolled_back ]
}

@test "without a critical flag, a regression scores under marginal and rolls back" {
	export MLCI_NOW=$END
	cat >a.yaml <<EOF
prometheus: $PROM
canary: v2
baseline: v1
metrics:
  - {name: ok, query: 'req_latency_seconds{version="{{version}}"}', direction: increase}
  - {name: bad, query: 'lat_bad{version="{{version}}"}', direction: increase}
EOF
	run_ml 1 ml-canary -c a.yaml </dev/null
	assert_json canary.score 50
	assert_json canary.model null
	[[ "$(json_get canary.reason)" == *"below marginal 75"* ]]
}

@test "a sparse error burst passes Mann-Whitney alone but the rate test rolls it back" {
	export MLCI_NOW=$END
	cat >a.yaml <<EOF
prometheus: $PROM
canary: v2
baseline: v1
metrics:
  - {name: errors, query: 'errors{version="{{version}}"}', direction: increase, tests: [mann_whitney]}
EOF
	run_ml 0 ml-canary -c a.yaml </dev/null
	assert_json canary.metrics.errors.classification '"Pass"'
	c=$(prom_values 'errors{version="v2"}')
	b=$(prom_values 'errors{version="v1"}')
	check_mwu errors "$c" "$b"
	# Independently: scipy's Mann-Whitney sees nothing at 98%, the
	# binomial test of the counts does.
	"$PY" -c '
import json, sys
from scipy.stats import mannwhitneyu, binomtest
c, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert mannwhitneyu(c, b).pvalue > 0.02
p = binomtest(int(sum(c)), int(sum(c) + sum(b)), len(c) / (len(c) + len(b)), alternative="greater").pvalue
assert p < 0.02, p
print(repr(p))' "$c" "$b" >binom.txt
	sed -i 's/tests: \[mann_whitney\]/tests: [mann_whitney, rate]/' a.yaml
	run_ml 1 ml-canary -c a.yaml </dev/null
	assert_json canary.decision '"rollback"'
	assert_json canary.metrics.errors.classification '"High"'
	[[ "$(json_get canary.metrics.errors.reason)" == *"rate test"* ]]
	"$PY" -c 'import json,sys; got=json.loads(sys.argv[1])["p_value"]; want=float(open("binom.txt").read()); assert abs(got-want) <= 1e-9*want, (got, want)' \
		"$(json_get canary.metrics.errors.rate_test)"
}

@test "a metric with no data follows its policy" {
	export MLCI_NOW=$END
	cat >a.yaml <<EOF
prometheus: $PROM
canary: v2
baseline: v1
metrics:
  - {name: latency, query: 'req_latency_seconds{version="{{version}}"}'}
  - {name: missing, query: 'no_such_metric{version="{{version}}"}'}
EOF
	run_ml 0 ml-canary -c a.yaml </dev/null
	assert_json canary.metrics.missing.classification '"NoData"'
	assert_json canary.metrics.missing.n_canary 0
	assert_json canary.metrics.missing.statistic null
	assert_json canary.score 100
	assert_json canary.decision '"continue"'
	# must_have_data: a no-data failure counts against the score.
	sed -i 's/no_such_metric{version="{{version}}"}'"'"'}/no_such_metric{version="{{version}}"}'"'"', must_have_data: true}/' a.yaml
	run_ml 1 ml-canary -c a.yaml </dev/null
	assert_json canary.score 50
	assert_json canary.metrics.missing.failed true
	# Nothing at all with data: a failed check, the weight held, then rollback.
	cat >b.yaml <<EOF
prometheus: $PROM
canary: v2
baseline: v1
metrics:
  - {name: missing, query: 'no_such_metric{version="{{version}}"}'}
EOF
	run_ml 0 ml-canary -c b.yaml </dev/null
	assert_json canary.failed_checks 1
	assert_json canary.next_weight 10
	printf '%s\n' "$output" >rec.json
	run_ml 1 ml-canary -c b.yaml -i rec.json
	assert_json canary.failed_checks 2
	assert_json canary.iteration 2
}

@test "NaN and +Inf values: removed, counted as zero, or failing" {
	export MLCI_NOW=$END
	cat >a.yaml <<EOF
prometheus: $PROM
canary: v2
baseline: v1
metrics:
  - {name: lat, query: 'lat_nan{version="{{version}}"}'}
EOF
	run_ml 0 ml-canary -c a.yaml </dev/null
	assert_json canary.metrics.lat.n_canary 28
	assert_json canary.metrics.lat.nonfinite_canary 3
	check_mwu lat "$(prom_values 'lat_nan{version="v2"}')" \
		"$(prom_values 'lat_nan{version="v1"}')"
	sed -i 's/lat_nan{version="{{version}}"}'"'"'}/lat_nan{version="{{version}}"}'"'"', nan: zero}/' a.yaml
	run_ml 0 ml-canary -c a.yaml </dev/null
	assert_json canary.metrics.lat.n_canary 31
	c=$(prom_values 'lat_nan{version="v2"}' | "$PY" -c 'import json,sys; print(json.dumps(json.load(sys.stdin) + [0, 0, 0]))')
	check_mwu lat "$c" "$(prom_values 'lat_nan{version="v1"}')"
	sed -i 's/nan: zero/nan: fail/' a.yaml
	run_ml 1 ml-canary -c a.yaml </dev/null
	assert_json canary.metrics.lat.failed true
}

@test "a Prometheus that answers 503 then recovers is retried" {
	export MLCI_NOW=$END
	"$PY" "$TOP/tests/servers/flaky_proxy.py" "$PROM" port proxy.log 2 3>&- &
	echo $! >proxy.pid
	for i in $(seq 100); do [ -s port ] && break; sleep 0.1; done
	example_config analysis.yaml "http://127.0.0.1:$(cat port)"
	export MLCI_PROMETHEUS_TOKEN=t0ps3cret
	run_ml 0 ml-canary -c analysis.yaml </dev/null
	assert_json canary.metrics.latency.n_canary 31
	[ "$(grep -c '^503 POST /api/v1/query_range' proxy.log)" = 2 ]
	[ "$(grep -c '^200 POST /api/v1/query_range auth=Bearer t0ps3cret' proxy.log)" = 2 ]
	[[ "$output$stderr" != *t0ps3cret* ]]
}

@test "a Prometheus that keeps answering 503 is exit 5 with nothing on stdout" {
	export MLCI_NOW=$END
	"$PY" "$TOP/tests/servers/flaky_proxy.py" "$PROM" port proxy.log -1 3>&- &
	echo $! >proxy.pid
	for i in $(seq 100); do [ -s port ] && break; sleep 0.1; done
	example_config analysis.yaml "http://127.0.0.1:$(cat port)"
	export MLCI_PROMETHEUS_USER=ci MLCI_PROMETHEUS_PASSWORD=pw-s3cret
	echo 'timeout: 2s' >>analysis.yaml
	run_ml 5 ml-canary -c analysis.yaml </dev/null
	[ -z "$output" ]
	[[ "$stderr" == *"HTTP 503"* ]]
	[[ "$stderr" != *pw-s3cret* ]]
	grep -q 'auth=Basic ' proxy.log
}

@test "a bad query is Prometheus's error, exit 3" {
	export MLCI_NOW=$END
	cat >a.yaml <<EOF
prometheus: $PROM
canary: v2
baseline: v1
metrics:
  - {name: x, query: 'rate(foo{version="{{version}}"}'}
EOF
	run_ml 3 ml-canary -c a.yaml </dev/null
	[[ "$stderr" == *"bad_data"* ]]
	[ -z "$output" ]
}

@test "bad configs are exit 3 with file:line" {
	printf 'metrics:\n  - name: a\n    samples: {canary: [1], baseline: [2]}\n    direction: up\n' >a.yaml
	run_ml 3 ml-canary -c a.yaml </dev/null
	[[ "$stderr" == *"a.yaml:4: 'direction' must be increase, decrease or either, not 'up'"* ]]
	printf 'canary: a\nbaseline: b\nprometheus: http://x\nmetrics:\n  - name: a\n    query: "m{v=\\"{{versoin}}\\"}"\n' >b.yaml
	run_ml 3 ml-canary -c b.yaml </dev/null
	[[ "$stderr" == *"b.yaml:6: "*"unknown variable '{{versoin}}'"* ]]
	printf 'metrics:\n  - name: a\n    samples: {canary: [1], baseline: [2]}\nschedule: {initial_weight: 60, max_weight: 50}\n' >c.yaml
	run_ml 3 ml-canary -c c.yaml </dev/null
	[[ "$stderr" == *"c.yaml:4: 'initial_weight' (60) is above 'max_weight' (50)"* ]]
	printf '{"metrics": [{"name": "a", "samples": {"canary": [1]}}]}\n' >d.json
	run_ml 3 ml-canary -c d.json </dev/null
	[[ "$stderr" == *"d.json:1: 'samples' needs 'baseline'"* ]]
	run_ml 2 ml-canary </dev/null
}

@test "step_weights, marginal at the maximum weight, and max_iterations" {
	cat >a.yaml <<EOF
metrics:
  - {name: a, samples: {canary: [1, 2, 3, 4, 5, 6], baseline: [1, 2, 3, 4, 5, 6]}}
  - {name: b, samples: {canary: [1, 2, 3, 4, 5, 6], baseline: [1, 2, 3, 4, 5, 6]}}
  - {name: c, samples: {canary: [1, 2, 3, 4, 5, 6], baseline: [1, 2, 3, 4, 5, 6]}}
  - {name: d, samples: {canary: [11, 12, 13, 14, 15, 16], baseline: [1, 2, 3, 4, 5, 6]}}
thresholds: {pass: 95, marginal: 70}
schedule: {step_weights: [5, 25, 100], failure_threshold: 5}
EOF
	echo '{}' >rec.json
	for w in 5 25 100; do
		run_ml 0 ml-canary -c a.yaml -i rec.json
		assert_json canary.weight "$w"
		assert_json canary.score 75
		printf '%s\n' "$output" >rec.json
	done
	assert_json canary.decision '"continue"'
	assert_json canary.next_weight 100
	assert_json canary.failed_checks 3
	sed -i 's/failure_threshold: 5}/failure_threshold: 5, marginal_at_max: rollback}/' a.yaml
	run_ml 1 ml-canary -c a.yaml -i rec.json
	[[ "$(json_get canary.reason)" == *"marginal_at_max"* ]]
	printf 'metrics:\n  - {name: a, samples: {canary: [1, 2], baseline: [1, 2]}}\nschedule: {max_iterations: 1}\n' >b.yaml
	run_ml 1 ml-canary -c b.yaml </dev/null
	[[ "$(json_get canary.reason)" == *"max_iterations"* ]]
}

@test "A/B mode: the two-proportion test is statsmodels' proportions_ztest" {
	for counts in "120 1000 150 1000" "500 5000 520 5000" "30 80 50 90" "200 1000 150 1000"; do
		set -- $counts
		printf 'ab:\n  a: {name: champion, successes: %s, trials: %s}\n  b: {name: challenger, successes: %s, trials: %s}\n  min_samples: 100\n' \
			"$1" "$2" "$3" "$4" >ab.yaml
		run --separate-stderr ml-canary -c ab.yaml </dev/null
		"$PY" -c '
import json, sys
from statsmodels.stats.proportion import proportions_ztest
sa, na, sb, nb = map(int, sys.argv[2:6])
rec = json.loads(sys.argv[1])["canary"]
z, p = proportions_ztest([sa, sb], [na, nb])
ab = rec["ab"]
assert abs(ab["z"] - z) <= 1e-9 * abs(z) and abs(ab["p_value"] - p) <= 1e-9 * max(p, 1e-300), (ab, z, p)
enough = na >= 100 and nb >= 100
win = None if not enough or p >= 0.05 else ("challenger" if sb / nb > sa / na else "champion")
assert rec["winner"] == win, (rec, win)
want = {None: "continue", "challenger": "promote", "champion": "rollback"}[win]
assert rec["decision"] == want
exit_want = 1 if want == "rollback" else 0
assert int(sys.argv[6]) == exit_want
if not enough:
    assert rec["reason"].startswith("not enough data yet")' "$output" "$@" "$status"
		printf '%s\n' "$output" >rec.json
		validate_record rec.json
	done
}

@test "GitHub Actions: decision and next_weight outputs, the per-metric table" {
	export GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=$PWD/summary.md GITHUB_OUTPUT=$PWD/out.txt
	printf 'metrics:\n  - {name: acc, samples: {canary: [1, 2, 3], baseline: [1, 2, 4]}}\n' >a.yaml
	run_ml 0 ml-canary -c a.yaml </dev/null
	grep -qx 'decision=continue' out.txt
	grep -qx 'next_weight=20' out.txt
	grep -q '^| acc | Pass | 3 | 3 |' summary.md
}

@test "a Prometheus that cannot be reached is exit 5 after the retries" {
	port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	example_config analysis.yaml "http://127.0.0.1:$port"
	echo 'timeout: 3s' >>analysis.yaml
	run_ml 5 ml-canary -c analysis.yaml </dev/null
	[ -z "$output" ]
	[[ "$stderr" == *"127.0.0.1:$port/api/v1/query_range"* ]]
}

@test "the rate test per request: an exposure query" {
	export MLCI_NOW=$END
	cat >a.yaml <<EOF
prometheus: $PROM
canary: v2
baseline: v1
metrics:
  - {name: errors, query: 'errors_w{version="{{version}}"}', direction: increase, tests: [rate]}
EOF
	# Per minute the canary has fewer errors: it passes.
	run_ml 0 ml-canary -c a.yaml </dev/null
	assert_json canary.metrics.errors.classification '"Pass"'
	cat >a.yaml <<EOF
prometheus: $PROM
canary: v2
baseline: v1
metrics:
  - name: errors
    query: 'errors_w{version="{{version}}"}'
    exposure: 'requests{version="{{version}}"}'
    direction: increase
    tests: [rate]
EOF
	run_ml 1 ml-canary -c a.yaml </dev/null
	assert_json canary.metrics.errors.classification '"High"'
	assert_json canary.metrics.errors.rate_test.canary_exposure 3100
	assert_json canary.metrics.errors.rate_test.baseline_exposure 31000
	"$PY" -c '
import json, sys
from scipy.stats import binomtest
t = json.loads(sys.argv[1])
want = binomtest(93, 93 + 310, 3100 / (3100 + 31000), alternative="greater").pvalue
assert t["canary_count"] == 93 and t["baseline_count"] == 310, t
assert abs(t["p_value"] - want) <= 1e-9 * want, (t, want)' "$(json_get canary.metrics.errors.rate_test)"
	printf '%s\n' "$output" >rec.json
	validate_record rec.json
}
