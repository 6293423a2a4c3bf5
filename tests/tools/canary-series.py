#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Write the OpenMetrics series of ml-canary's tests (tests/ml-canary.bats).

usage: canary-series.py END_EPOCH OUT.om
One sample a minute for 40 minutes up to END_EPOCH, seeded:
  req_latency_seconds{version=v1|v2}  the same distribution (a healthy canary)
  lat_bad{version=v1|v2}              v2 30% slower (a regression)
  errors{version=v1|v2}               v1: 1 error in 3 minutes; v2: one burst of 30
  lat_nan{version=v1|v2}              v2 has NaN and +Inf among its values
  requests, errors_w{version=v1|v2}   v2: 10x fewer requests, 3x the error rate
"""
import random
import sys

end, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(8)
N = 41
times = [end - 60 * (N - 1 - k) for k in range(N)]


def family(f, name, series):
    f.write(f"# TYPE {name} gauge\n")
    for version, values in series:
        for t, v in zip(times, values):
            f.write(f'{name}{{version="{version}"}} {v} {t}\n')


def gauss(mu, sd):
    return [round(rng.gauss(mu, sd), 6) for _ in range(N)]


with open(out, "w") as f:
    family(f, "req_latency_seconds", [("v1", gauss(0.2, 0.02)), ("v2", gauss(0.2, 0.02))])
    family(f, "lat_bad", [("v1", gauss(0.2, 0.02)), ("v2", gauss(0.26, 0.02))])
    family(f, "errors", [("v1", [1 if k in (12, 24, 36) else 0 for k in range(N)]),
                         ("v2", [30 if k == 25 else 0 for k in range(N)])])
    nan = gauss(0.2, 0.02)
    nan[20], nan[30], nan[35] = "NaN", "NaN", "+Inf"
    family(f, "lat_nan", [("v1", gauss(0.2, 0.02)), ("v2", nan)])
    # The canary takes 10% of the requests and fails 3% of them, the
    # baseline 1%: fewer errors per minute, a higher rate per request.
    family(f, "requests", [("v1", [1000] * N), ("v2", [100] * N)])
    family(f, "errors_w", [("v1", [10] * N), ("v2", [3] * N)])
    f.write("# EOF\n")
