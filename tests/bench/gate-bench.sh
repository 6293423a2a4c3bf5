#!/bin/sh
# SPDX-License-Identifier: MIT
# ml-gate's whole-process time against a python3 one-liner doing the same
# check (read the record, compare two metrics, write the record), in one
# hyperfine run; then peak memory of each with GNU time.
set -eu
bin=$MLCI_BUILD/bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
printf '{"mlci":1,"git":{"sha":null},"train":{"metrics":{"accuracy":0.82,"f1_macro":0.75}}}\n' >rec.json
printf '{"accuracy":0.80,"f1_macro":0.76}\n' >base.json
py='import json,sys
r=json.load(open("rec.json")); b=json.load(open("base.json")); m=r["train"]["metrics"]
ok=m["accuracy"]>=0.70 and m["f1_macro"]>=b["f1_macro"]-0.01
r["gate"]={"ok":ok}; sys.stdout.write(json.dumps(r)+"\n"); sys.exit(0 if ok else 1)'
gate="$bin/ml-gate -i rec.json --baseline base.json 'accuracy >= 0.70' 'f1_macro >= baseline - 0.01'"
if command -v hyperfine >/dev/null; then
	hyperfine -N --warmup 20 --runs 300 --export-markdown gate.md \
		-n ml-gate "$gate" \
		-n python3 "/usr/bin/python3 -c '$py'" >/dev/null 2>&1 ||
		hyperfine --warmup 20 --runs 300 --export-markdown gate.md \
			-n ml-gate "$gate 2>/dev/null" \
			-n python3 "/usr/bin/python3 -c '$py'" >/dev/null
	cat gate.md
else
	echo "hyperfine is not installed (apt-get install hyperfine)"
fi
for cmd in "$gate" "/usr/bin/python3 -c '$py'"; do
	rss=$(sh -c "/usr/bin/time -f %M $cmd" 2>&1 >/dev/null | tail -n 1)
	echo "peak RSS $(echo "$cmd" | cut -c1-40)...: ${rss} KiB"
done
