#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Print scipy's (and Evidently's formulas') drift results for the cases that
tests/unit/test-drift.c writes, one JSON object per line.

Usage: drift-reference.py DIR

DIR/manifest has one case a line: "ID<TAB>TEST". TEST is ks, wasserstein or
psi_numeric (DIR/ID.ref and DIR/ID.cur hold one number a line), or
chisquare, ztest, jensenshannon or psi_counts (one "value<TAB>count" a
line). The output line for a case is
  {"id": ID, "statistic": x, "p_value": p, "drifted": b, ...}
with null for a missing or non-finite value ("statistic_inf": true when the
statistic is infinite). Evidently's own steps (legacy stattests) are
rewritten here on pandas Series, so they need no Evidently install.
Exit status 2 when scipy, numpy or pandas cannot be imported."""
import json
import math
import sys

try:
    import numpy as np
    import pandas as pd
    import scipy
    from scipy import stats
    from scipy.spatial import distance
except ImportError as e:
    sys.stderr.write("drift-reference.py: %s\n" % e)
    sys.exit(2)


def num(x):
    x = float(x)
    return x if math.isfinite(x) else None


def read_numbers(path):
    return np.loadtxt(path, dtype=np.float64, ndmin=1)


def read_counts(path):
    values, counts = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            v, c = line.rstrip("\n").split("\t")
            values.append(v)
            counts.append(int(c))
    # The raw column, as Evidently receives it.
    return pd.Series(np.repeat(np.array(values, dtype=object), counts))


def union_keys(ref, cur):
    return list(set(ref.dropna().unique()) | set(cur.dropna().unique()))


def shares(ref, cur, keys):
    rc, cc = ref.value_counts(), cur.value_counts()
    r = np.array([rc.get(k, 0) / len(ref) for k in keys])
    c = np.array([cc.get(k, 0) / len(cur) for k in keys])
    return r, c


def fill_zeroes(p):
    nz = p[p != 0]
    fill = nz.min() / 10**6 if nz.min() <= 0.0001 else 0.0001
    p = p.copy()
    np.place(p, p == 0, fill)
    return p


def binned(ref, cur, numeric):
    # Evidently's get_binned_data(..., feel_zeroes=True)
    if numeric and ref.nunique() > 20:
        both = np.asarray(pd.concat([ref, cur], axis=0).values)
        bins = np.histogram_bin_edges(both, bins="sturges")
        r = np.histogram(ref, bins)[0] / len(ref)
        c = np.histogram(cur, bins)[0] / len(cur)
    else:
        r, c = shares(ref, cur, union_keys(ref, cur))
    return fill_zeroes(r), fill_zeroes(c)


def run(test, ref, cur):
    out = {}
    if test == "ks":
        res = stats.ks_2samp(ref, cur)
        out["statistic"] = num(res.statistic)
        out["p_value"] = num(res.pvalue)
        out["approximate"] = max(len(ref), len(cur)) > 10000
        out["drifted"] = bool(res.pvalue <= 0.05)
    elif test == "wasserstein":
        norm = max(float(np.std(ref)), 0.001)
        w = stats.wasserstein_distance(ref, cur) / norm
        out["statistic"] = num(w)
        out["drifted"] = bool(w >= 0.1)
    elif test in ("psi_numeric", "psi_counts"):
        r, c = binned(pd.Series(ref) if test == "psi_numeric" else ref,
                      pd.Series(cur) if test == "psi_numeric" else cur,
                      test == "psi_numeric")
        psi = float(np.sum((r - c) * np.log(r / c)))
        out["statistic"] = num(psi)
        out["drifted"] = bool(psi >= 0.1)
    elif test == "chisquare":
        keys = union_keys(ref, cur)
        rc, cc = ref.value_counts(), cur.value_counts()
        k_norm = cur.shape[0] / ref.shape[0]
        f_exp = [rc.get(k, 0) * k_norm for k in keys]
        f_obs = [cc.get(k, 0) for k in keys]
        with np.errstate(divide="ignore", invalid="ignore"):
            res = stats.chisquare(f_obs, f_exp)
        out["statistic"] = num(res.statistic)
        out["statistic_inf"] = bool(np.isinf(res.statistic))
        out["p_value"] = num(res.pvalue)
        out["drifted"] = bool(res.pvalue < 0.05)
        out["min_expected"] = float(min(f_exp))
    elif test == "ztest":
        if (ref.nunique() == 1 and cur.nunique() == 1
                and ref.unique()[0] == cur.unique()[0]):
            z, p, p_sm = 0.0, 1.0, 1.0
        else:
            key = sorted(union_keys(ref, cur))[0]
            a = ref.apply(lambda x: 0 if x == key else 1)
            b = cur.apply(lambda x: 0 if x == key else 1)
            n1, n2 = len(a), len(b)
            p1, p2 = float(sum(a)) / n1, float(sum(b)) / n2
            P = float(p1 * n1 + p2 * n2) / (n1 + n2)
            z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
            p = 2 * (1 - stats.norm.cdf(np.abs(z)))
            try:
                from statsmodels.stats.proportion import proportions_ztest
                zs, p_sm = proportions_ztest([int(sum(a)), int(sum(b))],
                                             [n1, n2])
                out["z_statsmodels"] = num(zs)
            except ImportError:
                p_sm = None
        out["statistic"] = num(z)
        out["p_value_evidently"] = num(p)
        out["p_value"] = num(p_sm) if p_sm is not None else None
        out["drifted"] = bool(p < 0.05)
    elif test == "jensenshannon":
        # get_binned_data(..., feel_zeroes=False) for categories
        r, c = shares(ref, cur, union_keys(ref, cur))
        js = distance.jensenshannon(r, c)
        out["statistic"] = num(js)
        out["drifted"] = bool(js >= 0.1)
    else:
        raise ValueError("unknown test " + test)
    return out


def main():
    d = sys.argv[1]
    with open(d + "/manifest", encoding="utf-8") as f:
        for line in f:
            cid, test = line.rstrip("\n").split("\t")
            if test in ("ks", "wasserstein", "psi_numeric"):
                ref = read_numbers("%s/%s.ref" % (d, cid))
                cur = read_numbers("%s/%s.cur" % (d, cid))
            else:
                ref = read_counts("%s/%s.ref" % (d, cid))
                cur = read_counts("%s/%s.cur" % (d, cid))
            out = {"id": int(cid), "test": test}
            out.update(run(test, ref, cur))
            print(json.dumps(out), flush=True)
    print(json.dumps({"scipy": scipy.__version__}))


if __name__ == "__main__":
    main()
