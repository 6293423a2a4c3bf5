#!/bin/sh
# SPDX-License-Identifier: MIT
# ml-validate against what a user would run instead, side by side on one
# numeric-heavy CSV of at least 1 GB: pandas (read_csv + describe + the same
# checks) and scipy (the same drift tests). Prints wall time, CPU time
# (user + system, all threads: ml-validate hashes and sketches in threads
# of their own), MB/s of each, the ratios and peak RSS (/usr/bin/time -v),
# then the peak RSS of ml-validate refusing a single 1 GB line. ml-validate
# runs twice: free to use every core, then held to one (taskset). Not a
# test: nothing fails on time.
# BENCH_ROWS (default 16000000, about 1.04 GB) and BENCH_DIR (default /tmp)
# change the size and the place; the data is deleted at the end.
set -eu
: "${MLCI_BUILD:=build/default}"
: "${BENCH_ROWS:=16000000}"
: "${BENCH_DIR:=/tmp}"
PY=/usr/bin/python3
bin=$MLCI_BUILD/bin/ml-validate
dir=$(mktemp -d "$BENCH_DIR/mlci-validate-bench.XXXXXX")
trap '[ -n "${BENCH_KEEP:-}" ] || rm -rf "$dir"' EXIT INT TERM

gen() {	# gen ROWS SEED SHIFT > file: 9 numeric columns and one category
	awk -v n="$1" -v seed="$2" -v shift="$3" 'BEGIN {
		srand(seed)
		print "id,amount,delta,age,ratio,income,count,score,temp,cat"
		for (i = 1; i <= n; i++)
			printf "%d,%.4f,%.3f,%d,%.6f,%.2f,%d,%.5f,%.1f,%s\n", i,
				rand() * 1000 + shift, rand() * 10 - 5,
				18 + int(rand() * 60), rand(), rand() * 1e5,
				int(rand() * 1e6), rand() * 3, rand() * 50,
				(rand() < 0.5 ? "x" : "y")
	}'
}

echo "generating $BENCH_ROWS rows in $dir ..."
gen "$BENCH_ROWS" 1 0 >"$dir/data.csv"
gen $((BENCH_ROWS / 16)) 2 50 >"$dir/ref.csv"
cat >"$dir/schema.yaml" <<'EOF'
columns:
  id: {type: integer, min: 1}
  amount: {type: number, min: 0, max: 1000}
  delta: {type: number, min: -5, max: 5}
  age: {type: integer, min: 18, max: 100}
  ratio: {type: number, min: 0, max: 1}
  income: {type: number, min: 0, max_missing_fraction: 0.1}
  count: {type: integer, min: 0}
  score: {type: number, min: 0, max: 3}
  temp: {type: number, min: 0, max: 50}
  cat: {type: category, values: [x, y], nullable: false}
table:
  rows: {min: 1000}
EOF
cat >"$dir/bench_pandas.py" <<'EOF'
import sys
import pandas as pd
d = pd.read_csv(sys.argv[1])
desc = d.describe(percentiles=[.01, .05, .25, .5, .75, .95, .99])
bad = 0
for c, lo, hi in [("id", 1, None), ("amount", 0, 1000), ("delta", -5, 5),
                  ("age", 18, 100), ("ratio", 0, 1), ("income", 0, None),
                  ("count", 0, None), ("score", 0, 3), ("temp", 0, 50)]:
    x = d[c]
    bad += int((x < lo).sum()) + (int((x > hi).sum()) if hi is not None else 0)
    bad += int(x.isna().sum())
bad += int((~d["cat"].isin(["x", "y"])).sum()) + int(d["cat"].isna().sum())
nunique = d.nunique()
top = d["cat"].value_counts()
print("pandas violations:", bad, file=sys.stderr)
EOF
cat >"$dir/bench_scipy.py" <<'EOF'
import sys
import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance
cur, ref = pd.read_csv(sys.argv[1]), pd.read_csv(sys.argv[2])
for c in ["id", "amount", "delta", "age", "ratio", "income", "count", "score", "temp"]:
    x, y = ref[c].dropna().values, cur[c].dropna().values
    if len(np.unique(np.concatenate([x[:100000], y[:100000]]))) > 5:
        w = stats.wasserstein_distance(x, y) / max(np.std(x), 0.001)
    else:
        w = 0
p = ref["cat"].value_counts().sort_index().values
q = cur["cat"].value_counts().sort_index().values
js = distance.jensenshannon(p / p.sum(), q / q.sum())
EOF

size=$(wc -c <"$dir/data.csv")
mb=$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1e6 }')
echo "data: $mb MB, $BENCH_ROWS rows, 10 columns (9 numeric)"

# run NAME CMD...: time one command, keep wall seconds and peak RSS.
run() {
	name=$1
	shift
	/usr/bin/time -v "$@" >/dev/null 2>"$dir/time.$name" </dev/null || true
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$dir/time.$name" |
		awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir/time.$name")
	cpu=$(sed -n 's/.*\(User\|System\) time (seconds): //p' "$dir/time.$name" |
		awk '{ s += $1 } END { print s }')
	eval "wall_$name=$wall rss_$name=$rss cpu_$name=$cpu"
	awk -v n="$name" -v w="$wall" -v c="$cpu" -v r="$rss" -v mb="$mb" \
		'BEGIN { printf "%-26s %8.2f s wall %9.1f MB/s %8.2f s CPU %9.1f MB/s/CPU %9.1f MiB peak RSS\n", n, w, mb / w, c, mb / c, r / 1024 }'
}

run ml_validate "$bin" --schema "$dir/schema.yaml" "$dir/data.csv"
# The same on one core: its threads share it (the issue's "on one core").
run ml_validate_one_core taskset -c 0 "$bin" --schema "$dir/schema.yaml" "$dir/data.csv"
run pandas "$PY" "$dir/bench_pandas.py" "$dir/data.csv"
run ml_validate_drift "$bin" --schema "$dir/schema.yaml" --reference "$dir/ref.csv" "$dir/data.csv"
run scipy_drift "$PY" "$dir/bench_scipy.py" "$dir/data.csv" "$dir/ref.csv"
awk -v a="$wall_pandas" -v b="$wall_ml_validate" -v c="$wall_scipy_drift" -v d="$wall_ml_validate_drift" 'BEGIN {
	printf "ratio (wall): pandas / ml-validate = %.1fx; scipy drift / ml-validate --reference = %.1fx\n", a / b, c / d }'
awk -v a="$cpu_pandas" -v b="$cpu_ml_validate" -v c="$cpu_scipy_drift" -v d="$cpu_ml_validate_drift" 'BEGIN {
	printf "ratio (CPU):  pandas / ml-validate = %.1fx; scipy drift / ml-validate --reference = %.1fx\n", a / b, c / d }'

# A single 1 GB line: refused at --max-record-bytes, memory bounded.
{ echo a; head -c 1000000000 /dev/zero | tr '\0' 'x'; echo; } >"$dir/line.csv"
rm -f "$dir/data.csv"
run one_gb_line "$bin" "$dir/line.csv"
tail -1 "$dir/time.one_gb_line" >/dev/null
grep -o 'record longer than [0-9]* bytes' "$dir/time.one_gb_line" || true
