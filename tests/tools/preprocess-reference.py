#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Fit scikit-learn's preprocessing for the cases that
tests/unit/test-preprocess.c writes and transform the held-out rows.

Usage: preprocess-reference.py DIR

DIR/manifest has one case a line, fields separated by tabs:
  ID CSV TARGET NTRAIN NUM_IMPUTE NUM_FILL SCALE CAT_IMPUTE CAT_FILL UNKNOWN
(impute: none, mean, median, most_frequent, constant; scale: none,
standard, minmax; unknown: error or ignore). The CSV is read with only the
empty field as missing; object columns are categorical. The pipeline is

  ColumnTransformer([("num", SimpleImputer -> scaler, numeric columns),
                     ("cat", SimpleImputer -> OneHotEncoder, object columns)],
                    verbose_feature_names_out=False)

fitted on the first NTRAIN rows (the target dropped) and applied to the
others. For each case it writes DIR/ID.names (one name a line) and DIR/ID.X
(one row a line, repr() of every value, space-separated), and prints
{"id": ID, "ok": true}, or {"id": ID, "ok": false, "error": "..."} when
sklearn refuses; at the end {"sklearn": VERSION}. Exit status 2 when
sklearn, numpy or pandas cannot be imported."""
import json
import sys

try:
    import numpy as np
    import pandas as pd
    import sklearn
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, StandardScaler
except ImportError as e:
    sys.stderr.write("preprocess-reference.py: %s\n" % e)
    sys.exit(2)


def imputer(strategy, fill):
    if strategy == "none":
        return None
    if strategy == "constant":
        return SimpleImputer(strategy="constant", fill_value=fill)
    return SimpleImputer(strategy=strategy)


def run(d, line):
    (cid, csv, target, ntrain, num_impute, num_fill, scale, cat_impute,
     cat_fill, unknown) = line.rstrip("\n").split("\t")
    df = pd.read_csv(csv, keep_default_na=False, na_values=[""])
    X = df.drop(columns=[target])
    num_cols = [c for c in X.columns if X[c].dtype != object]
    cat_cols = [c for c in X.columns if X[c].dtype == object]
    for c in num_cols:
        X[c] = X[c].astype(float)
    num_steps = []
    imp = imputer(num_impute, float(num_fill))
    if imp is not None:
        num_steps.append(("impute", imp))
    if scale == "standard":
        num_steps.append(("scale", StandardScaler()))
    elif scale == "minmax":
        num_steps.append(("scale", MinMaxScaler()))
    cat_steps = []
    imp = imputer(cat_impute, cat_fill)
    if imp is not None:
        cat_steps.append(("impute", imp))
    cat_steps.append(("onehot", OneHotEncoder(handle_unknown=unknown,
                                              sparse_output=False)))
    ct = ColumnTransformer(
        [("num", Pipeline(num_steps) if num_steps else "passthrough", num_cols),
         ("cat", Pipeline(cat_steps), cat_cols)],
        verbose_feature_names_out=False)
    n = int(ntrain)
    try:
        ct.fit(X.iloc[:n])
        out = ct.transform(X.iloc[n:])
    except ValueError as e:
        return {"id": int(cid), "ok": False, "error": str(e)}
    with open("%s/%s.names" % (d, cid), "w") as f:
        for name in ct.get_feature_names_out():
            f.write("%s\n" % name)
    with open("%s/%s.X" % (d, cid), "w") as f:
        for row in np.asarray(out, dtype=float):
            f.write(" ".join(repr(float(v)) for v in row) + "\n")
    return {"id": int(cid), "ok": True}


def main():
    d = sys.argv[1]
    with open(d + "/manifest") as f:
        for line in f:
            print(json.dumps(run(d, line)), flush=True)
    print(json.dumps({"sklearn": sklearn.__version__}))


main()
