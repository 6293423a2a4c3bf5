#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Print what statsmodels, numpy, scipy and scikit-learn give for the cases
that tests/unit/test-pairtest.c writes, one tab-separated line per case.

Usage: pairtest-reference.py DIR

DIR/manifest has one case a line: "ID<TAB>KIND<TAB>ARGS". Arrays are raw
native-endian files: int32 labels, float64 scores, int64 row indices.
KIND is
  mcnemar     ARGS "a b c d exact" (the table [[a, b], [c, d]], exact 0/1);
              prints "ID statistic p_value" of statsmodels'
              mcnemar(table, exact=..., correction=True)
  delong      ARGS "positive alpha"; DIR/ID.y, DIR/ID.s1, DIR/ID.s2; prints
              "ID auc1 auc2 var1 var2 cov var_diff z p lower upper
              sk_auc1 sk_auc2": the reference DeLong below, then sklearn's
              roc_auc_score of each model
  percentile  ARGS "alpha"; DIR/ID.d; prints "ID lower upper", numpy's
              percentile at 100 alpha/2 and 100 (1 - alpha/2)
  bootacc     ARGS "B n alpha"; DIR/ID.y, DIR/ID.p1, DIR/ID.p2 (int32) and
              DIR/ID.idx (B*n int64, the C side's draws); prints
              "ID point lower upper": accuracy_score(p1) - accuracy_score(p2)
              on all rows and the percentile interval of the same
              difference over the given resamples
The last line is "versions<TAB>...". Exit status 2 when a module is missing.
"""
import sys

try:
    import numpy as np
    import scipy
    import sklearn
    import statsmodels
    from scipy import stats
    from sklearn.metrics import accuracy_score, roc_auc_score
    from statsmodels.stats.contingency_tables import mcnemar
except ImportError as e:
    sys.stderr.write("pairtest-reference.py: %s\n" % e)
    sys.exit(2)


def num(x):
    return "%.17g" % float(x)


def delong(y, s1, s2, positive, alpha):
    """DeLong, DeLong and Clarke-Pearson (1988) through midranks: the
    structural components V10 of the positives and V01 of the negatives
    (Sun and Xu 2014), their sample covariances, and the normal test."""
    pos = y == positive
    m = int(pos.sum())
    n = len(y) - m
    aucs, v10, v01 = [], [], []
    for s in (s1, s2):
        x, z = s[pos], s[~pos]
        tx = stats.rankdata(x)
        ty = stats.rankdata(z)
        tz = stats.rankdata(np.concatenate([x, z]))
        aucs.append(tz[:m].sum() / m / n - (m + 1.0) / (2.0 * n))
        v10.append((tz[:m] - tx) / n)
        v01.append(1.0 - (tz[m:] - ty) / m)
    s = np.cov(np.vstack(v10)) / m + np.cov(np.vstack(v01)) / n
    var = s[0, 0] + s[1, 1] - 2 * s[0, 1]
    diff = aucs[0] - aucs[1]
    se = np.sqrt(var)
    zstat = diff / se
    p = 2 * stats.norm.sf(abs(zstat))
    half = stats.norm.ppf(1 - alpha / 2) * se
    return [aucs[0], aucs[1], s[0, 0], s[1, 1], s[0, 1], var, zstat, p,
            diff - half, diff + half]


def main():
    d = sys.argv[1]
    with open(d + "/manifest", encoding="utf-8") as f:
        cases = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    for cid, kind, args in cases:
        a = args.split()
        base = "%s/%s" % (d, cid)
        if kind == "mcnemar":
            t = np.array([[int(a[0]), int(a[1])], [int(a[2]), int(a[3])]])
            r = mcnemar(t, exact=a[4] == "1", correction=True)
            out = [r.statistic, r.pvalue]
        elif kind == "delong":
            y = np.fromfile(base + ".y", dtype=np.int32)
            s1 = np.fromfile(base + ".s1", dtype=np.float64)
            s2 = np.fromfile(base + ".s2", dtype=np.float64)
            positive = int(a[0])
            out = delong(y, s1, s2, positive, float(a[1]))
            yb = (y == positive).astype(int)
            out += [roc_auc_score(yb, s1), roc_auc_score(yb, s2)]
        elif kind == "percentile":
            v = np.fromfile(base + ".d", dtype=np.float64)
            alpha = float(a[0])
            out = list(np.percentile(v, [100 * (alpha / 2),
                                         100 * (1 - alpha / 2)]))
        elif kind == "bootacc":
            nb, n, alpha = int(a[0]), int(a[1]), float(a[2])
            y = np.fromfile(base + ".y", dtype=np.int32)
            p1 = np.fromfile(base + ".p1", dtype=np.int32)
            p2 = np.fromfile(base + ".p2", dtype=np.int32)
            idx = np.fromfile(base + ".idx", dtype=np.int64).reshape(nb, n)
            diffs = [accuracy_score(y[i], p1[i]) - accuracy_score(y[i], p2[i])
                     for i in idx]
            out = [accuracy_score(y, p1) - accuracy_score(y, p2)]
            out += list(np.percentile(diffs, [100 * (alpha / 2),
                                              100 * (1 - alpha / 2)]))
        else:
            continue
        print("\t".join([cid] + [num(x) for x in out]))
    print("versions\tstatsmodels %s numpy %s scipy %s sklearn %s" % (
        statsmodels.__version__, np.__version__, scipy.__version__,
        sklearn.__version__))


if __name__ == "__main__":
    main()
