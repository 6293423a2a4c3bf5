#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Print the C tables of tests/unit/test-distrib.c from scipy (Debian 12: 1.10).
#
#   /usr/bin/python3 tests/tools/gen-distrib-cases.py > /tmp/cases.inc
#
# then paste each table into the test. The KS two-sample p-values follow
# ks_2samp's own steps after the statistic (method choice, rounding of d to
# h/lcm, exact path or kstwo.sf at round(m*n/(m+n))), through scipy's own
# private functions, so the table is scipy's answer for a given (m, n, d).
import math
import sys

import numpy as np
import scipy
from scipy import special, stats
from scipy.stats import _stats_py

if not scipy.__version__.startswith("1.10."):
    sys.stderr.write("warning: scipy %s, the tables are for 1.10\n"
                     % scipy.__version__)


def f(x):
    if math.isnan(x):
        return "NAN"
    if math.isinf(x):
        return "INFINITY" if x > 0 else "-INFINITY"
    return repr(float(x))


print("/* norm: x, cdf, sf */")
for x in [-40, -37.5, -10, -5, -1.5, -0.7, -1e-3, 0, 1e-8, 0.5, 0.70710678,
          1, 1.959963984540054, 3, 5, 8.3, 10, 20, 30, 37, 38.4]:
    print("\t{ %s, %s, %s }," % (f(x), f(stats.norm.cdf(x)),
                                 f(stats.norm.sf(x))))

print("/* chi2: x, df, sf */")
for df in [1, 2, 3, 4, 5, 9, 10, 29, 30, 99, 100, 999, 1000, 9999, 100000]:
    s = math.sqrt(2 * df)
    xs = [1e-6, 0.01, 0.5, df * 0.5, df - 1, df, df + 1, df + 3 * s,
          df + 10 * s, df + 40 * s, 3 * df + 100, 10 * df + 1000, 1300]
    for x in sorted(set(xs)):
        if x <= 0:
            continue
        p = stats.chi2.sf(x, df)
        if p == 0:
            continue
        print("\t{ %s, %d, %s }," % (f(x), df, f(p)))

print("/* gamma: a, x, P, Q */")
for a in [0.5, 1.5, 7.25, 50, 1234.5]:
    for x in [0.001, 0.4, 1.2, a, a + 2, 2 * a + 5, 5 * a + 60]:
        print("\t{ %s, %s, %s, %s }," % (f(a), f(x), f(special.gammainc(a, x)),
                                         f(special.gammaincc(a, x))))

print("/* smirnov: n, d, sf */")
for n in [1, 2, 5, 10, 33, 100, 1000, 20000, 2000000]:
    for d in [0.01, 0.05, 0.1, 0.3, 0.5, 0.75, 0.99]:
        p = special.smirnov(n, d)
        if p == 0:
            continue
        print("\t{ %d, %s, %s }," % (n, f(d), f(p)))

print("/* kstwo: n, d, sf, cdf */")
cases = []
for n in [1, 2, 3, 5, 10, 20, 50, 100, 139, 140, 141, 200, 500, 1000, 5000,
          20000, 100000, 100001, 300000, 2000000]:
    ds = [0.4 / n, 0.6 / n, 0.9 / n, 1.0 / n, 0.5, 0.6, 0.95,
          1 - 1.5 / n if n > 2 else 0.7]
    for nx2 in [0.05, 0.2, 0.5, 0.75, 0.76, 1.0, 2.0, 2.1, 2.3, 3.0, 3.9, 4.1,
                8, 17, 19, 40, 100, 300, 369, 371]:
        ds.append(math.sqrt(nx2 / n))
    for d in ds:
        if not (0 < d < 1):
            continue
        cases.append((n, d))
for n, d in cases:
    sf = stats.kstwo.sf(d, n)
    cdf = stats.kstwo.cdf(d, n)
    print("\t{ %d, %s, %s, %s }," % (n, f(d), f(sf), f(cdf)))


def ks2(m, n, d, method):
    g = math.gcd(m, n)
    mode = method
    if mode == "auto":
        mode = "exact" if max(m, n) <= 10000 else "asymp"
    elif mode == "exact":
        if (m // g) >= np.iinfo(np.int32).max / (n // g):
            mode = "asymp"
    exact = 0
    if mode == "exact":
        ok, d, prob = _stats_py._attempt_exact_2kssamp(m, n, g, d,
                                                        "two-sided")
        if ok:
            exact = 1
        else:
            mode = "asymp"
    if mode == "asymp":
        mm, nn = sorted([float(m), float(n)], reverse=True)
        en = mm * nn / (mm + nn)
        prob = stats.kstwo.sf(d, np.round(en))
    return d, float(np.clip(prob, 0, 1)), exact


print("/* ks2: m, n, d, method, p, d_out, exact */")
methods = {"auto": "MLCI_KS2_AUTO", "exact": "MLCI_KS2_EXACT",
           "asymp": "MLCI_KS2_ASYMP"}
sizes = [(1, 1), (1, 5), (3, 3), (5, 7), (10, 10), (20, 20), (20, 30),
         (25, 40), (50, 45), (100, 100), (100, 150), (300, 700), (1000, 1000),
         (1000, 999), (2000, 3000), (5000, 5000), (10000, 9000),
         (10000, 10000), (10001, 10001), (12000, 9000), (12000, 5),
         (20000, 40000), (3, 10001), (100003, 100019)]
fracs = [0.0, 0.03, 0.05, 0.1, 0.2, 0.35, 0.5, 0.8, 1.0]
for m, n in sizes:
    lcm = m * n // math.gcd(m, n)
    for fr in fracs:
        if m != n and m * n > 1e7 and max(m, n) <= 10000 and fr > 0.2:
            # The exact path costs m*n steps there; the tails below cover it.
            continue
        d = round(fr * lcm) / lcm
        methods_here = ["auto", "asymp"]
        if m * n <= 1e7 or (max(m, n) > 10000 and fr <= 0.05):
            methods_here.insert(1, "exact")
        for method in methods_here:
            dout, p, exact = ks2(m, n, d, method)
            print("\t{ %d, %d, %s, %s, %s, %s, %d }," % (
                m, n, f(d), methods[method], f(p), f(dout), exact))
# Tails down to 1e-300: equal sizes (square method) and unequal (Viehmann).
for m, n, d in [(1000, 1000, 0.5), (1000, 1000, 0.6), (1000, 1000, 0.7),
                (700, 900, 0.6), (700, 900, 0.72), (2000, 1500, 0.5),
                (500, 520, 0.8), (1000, 1000, 0.775), (700, 900, 0.8),
                (5000, 4000, 0.37), (9000, 10000, 0.3), (1000, 1000, 0.9)]:
    dout, p, exact = ks2(m, n, d, "auto")
    print("\t{ %d, %d, %s, %s, %s, %s, %d }," % (
        m, n, f(d), methods["auto"], f(p), f(dout), exact))
