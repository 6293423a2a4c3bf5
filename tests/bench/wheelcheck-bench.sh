#!/bin/sh
# SPDX-License-Identifier: MIT
# ml-wheelcheck on a wheel of about 60 MB (model weights that barely
# compress, Python sources that do), every RECORD hash verified, against
# sha256sum over the same uncompressed bytes and against twine check, in one
# hyperfine run. Prints the table and the throughput ratio.
set -eu
bin=$MLCI_BUILD/bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
/usr/bin/python3 - <<'PY'
import base64, hashlib, os, random, struct, zipfile
random.seed(42)
name = "bench_model-1.0.0"
files = {}
# 48 MiB of float32 weights: gaussian values, about 1.1x compressible.
for i in range(6):
    files[f"bench_model/weights/layer{i}.bin"] = b"".join(
        struct.pack("<1024f", *[random.gauss(0, 1) for _ in range(1024)])
        for _ in range(2048))
# 24 MiB of Python source, about 4x compressible.
words = "def class return import self model weight layer tensor float data".split()
for i in range(400):
    lines = [f"def f{j}(x):\n    return x * {random.random():.6f} + {' + '.join(random.choices(words, k=6))}\n" for j in range(800)]
    files[f"bench_model/gen/mod{i}.py"] = "".join(lines).encode()
files["bench_model/__init__.py"] = b""
di = name + ".dist-info"
files[di + "/METADATA"] = b"Metadata-Version: 2.1\nName: bench-model\nVersion: 1.0.0\nSummary: bench\n\nbench\n"
files[di + "/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
rows = [f"{p},sha256={base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode()},{len(d)}" for p, d in files.items()]
rows.append(di + "/RECORD,,")
files[di + "/RECORD"] = ("\n".join(rows) + "\n").encode()
with zipfile.ZipFile(name + "-py3-none-any.whl", "w", zipfile.ZIP_DEFLATED) as z:
    for p, d in files.items():
        z.writestr(p, d)
os.makedirs("unpacked")
with zipfile.ZipFile(name + "-py3-none-any.whl") as z:
    z.extractall("unpacked")
PY
whl=bench_model-1.0.0-py3-none-any.whl
wsize=$(stat -c %s "$whl")
usize=$(find unpacked -type f -exec cat {} + | wc -c)
echo "wheel: $wsize bytes; uncompressed: $usize bytes in $(find unpacked -type f | wc -l) files"
"$bin/ml-wheelcheck" "$whl" </dev/null >rec.json 2>/dev/null
/usr/bin/python3 -c 'import json; w=json.load(open("rec.json"))["wheel"]; assert w["ok"] and not w["checks"], w["checks"]; print("ml-wheelcheck: ok, every hash verified")'
files=$(find unpacked -type f | sort)
echo "$files" >files.txt
twine=""
if command -v twine >/dev/null; then
	twine="twine check $whl"
fi
if command -v hyperfine >/dev/null; then
	# shellcheck disable=SC2086
	hyperfine -N --warmup 1 --runs 5 --export-json bench.json --export-markdown bench.md \
		-n ml-wheelcheck "$bin/ml-wheelcheck -i /dev/null $whl" \
		-n sha256sum "xargs -a files.txt sha256sum" \
		${twine:+-n "twine check" "$twine"} >/dev/null 2>&1
	cat bench.md
	/usr/bin/python3 - "$usize" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open("bench.json"))["results"]}
u = int(sys.argv[1]) / 2**20
wc, ss = r["ml-wheelcheck"], r["sha256sum"]
print(f"ml-wheelcheck: {u / wc:.0f} MiB/s of uncompressed content, "
      f"{100 * ss / wc:.0f}% of sha256sum's speed ({u / ss:.0f} MiB/s)")
if "twine check" in r:
    print(f"twine check: {r['twine check']:.2f} s, {r['twine check'] / wc:.1f}x ml-wheelcheck's time "
          "(and it verifies no hash)")
PY
else
	echo "hyperfine is not installed (apt-get install hyperfine)"
fi
