#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Print scipy 1.10's results for the cases that tests/unit/test-ranktest.c
writes, one tab-separated line per case.

Usage: ranktest-reference.py DIR

DIR/manifest has one case a line: "ID<TAB>KIND<TAB>ARGS". KIND is
  mwu      ARGS the method (auto, exact, asymptotic); DIR/ID.x, DIR/ID.y
           hold one number a line; prints "ID statistic p_value"
  levene   DIR/ID.x, DIR/ID.y; prints "ID statistic p_value" of
           levene(x, y, center='median')
  rate     ARGS "cc ec bc eb alternative"; prints "ID p_value" of
           binomtest(cc, cc + bc, ec / (ec + eb), alternative)
  fsf      ARGS "f df1 df2"; prints "ID f.sf(f, df1, df2)"
  ppf      ARGS "p"; prints "ID norm.ppf(p)"
Other kinds are skipped (the R script answers them). The last line is
"scipy VERSION". Exit status 2 when numpy or scipy cannot be imported."""
import sys

try:
    import numpy as np
    import scipy
    from scipy import stats
except ImportError as e:
    sys.stderr.write("ranktest-reference.py: %s\n" % e)
    sys.exit(2)


def num(x):
    return "%.17g" % float(x)


def read(path):
    return np.loadtxt(path, dtype=np.float64, ndmin=1)


def main():
    d = sys.argv[1]
    with open(d + "/manifest", encoding="utf-8") as f:
        lines = [l.rstrip("\n").split("\t") for l in f if l.strip()]
    for case_id, kind, args in lines:
        if kind == "mwu":
            x, y = read("%s/%s.x" % (d, case_id)), read("%s/%s.y" % (d, case_id))
            r = stats.mannwhitneyu(x, y, use_continuity=True,
                                   alternative="two-sided", method=args)
            out = [r.statistic, r.pvalue]
        elif kind == "levene":
            x, y = read("%s/%s.x" % (d, case_id)), read("%s/%s.y" % (d, case_id))
            with np.errstate(divide="ignore", invalid="ignore"):
                r = stats.levene(x, y, center="median")
            out = [r.statistic, r.pvalue]
        elif kind == "rate":
            cc, ec, bc, eb, alt = args.split()
            cc, bc, ec, eb = int(cc), int(bc), float(ec), float(eb)
            if cc + bc == 0:
                out = [1.0]  # binomtest needs n >= 1; no events, no evidence
            else:
                r = stats.binomtest(cc, cc + bc, ec / (ec + eb),
                                    alternative=alt)
                out = [r.pvalue]
        elif kind == "fsf":
            fv, d1, d2 = (float(v) for v in args.split())
            out = [stats.f.sf(fv, d1, d2)]
        elif kind == "ppf":
            out = [stats.norm.ppf(float(args))]
        else:
            continue
        print("\t".join([case_id] + [num(v) for v in out]))
    print("scipy\t%s" % scipy.__version__)


if __name__ == "__main__":
    main()
