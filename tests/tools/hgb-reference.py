#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Fit scikit-learn's HistGradientBoostingClassifier/Regressor and _BinMapper
for tests/unit/test-hgb.c and print what they give, one JSON object per line.

Usage: hgb-reference.py DIR
       hgb-reference.py --bench DIR THREADS

Every case writes its matrices to DIR as raw little-endian float64: ID.X
(n x p, row-major, NaN for a missing value), ID.y, ID.Xt, ID.yt; y holds
class indices 0..k-1 for a classifier. The credit and churn files are
one-hot encoded (pandas.get_dummies); their missing numbers stay NaN.
Each line has "id", "kind", "n", "p":

- "bins": _BinMapper(n_bins=max_bins + 1) fitted on ID.X: "max_bins",
  "thresholds" (one list per feature).
- "first": the model with early_stopping=False and "params" (sklearn's
  names) fitted on ID.X, ID.y: "task", "nt", "k", "raw" (the raw
  predictions of the test rows, n_trees_per_iteration per row,
  flattened), "train_loss" (the mean loss of the training rows'
  raw predictions: half squared error, binary or multinomial log-loss),
  "n_leaves" (leaves of each tree).
- "seeds": five train/test splits (train_test_split, test_size 0.25,
  random_state 0..4, stratified for classifiers) written as ID-S.X ...;
  the model with "params" fitted on each: "scores" holds the test
  accuracy (classification) or RMSE (regression) of each split.

The last line is {"sklearn": VERSION}.

--bench reads DIR/bench.X (float64, N x P), DIR/bench.y and
DIR/bench.shape ("N P"), fits HistGradientBoostingClassifier(random_state=0)
with OMP_NUM_THREADS=THREADS (set by the caller) and prints
{"fit_seconds", "n_iter"}. Exit status 2 when scikit-learn, numpy or
pandas cannot be imported."""
import json
import os
import sys
import time

try:
    import numpy as np
    import pandas as pd
    import sklearn
    from sklearn import datasets
    from sklearn.ensemble import (HistGradientBoostingClassifier,
                                  HistGradientBoostingRegressor)
    from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper
    from sklearn.model_selection import train_test_split
except ImportError as e:
    sys.stderr.write("hgb-reference.py: %s\n" % e)
    sys.exit(2)

HERE = os.path.dirname(os.path.abspath(__file__))
CSV = {
    "credit": (os.path.join(HERE, "..", "..", "examples", "banking", "data", "credit_data.csv"), "Status"),
    "churn": (os.path.join(HERE, "..", "data", "mlc_churn.csv"), "churn"),
}
SEEDS = [0, 1, 2, 3, 4]


def load(name):
    if name in CSV:
        path, target = CSV[name]
        df = pd.read_csv(path)
        y = pd.factorize(df[target], sort=True)[0].astype(float)
        X = pd.get_dummies(df.drop(columns=[target]), dtype=float)
        return X.to_numpy(dtype=float), y, "classification"
    if name == "diabetes":
        X, y = datasets.load_diabetes(return_X_y=True)
        return X, y.astype(float), "regression"
    loader = {"breast_cancer": datasets.load_breast_cancer,
              "iris": datasets.load_iris, "wine": datasets.load_wine,
              "digits": datasets.load_digits}[name]
    X, y = loader(return_X_y=True)
    return X.astype(float), y.astype(float), "classification"


def write(d, ident, X, y, Xt, yt):
    for ext, a in (("X", X), ("y", y), ("Xt", Xt), ("yt", yt)):
        np.ascontiguousarray(a, dtype="<f8").tofile(os.path.join(d, "%s.%s" % (ident, ext)))


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")


def bins_cases(d):
    rng = np.random.RandomState(0)
    n = 3000
    X = np.column_stack([
        rng.normal(size=n),                          # many distinct values
        rng.randint(0, 7, size=n).astype(float),     # few distinct values
        np.round(rng.exponential(size=n), 1),        # ties, skewed
        rng.normal(size=n),                          # with NaN
        np.full(n, 3.5),                             # constant
        np.r_[np.arange(300, dtype=float), np.full(n - 300, 1e301)],  # huge
    ])
    X[rng.rand(n) < 0.2, 3] = np.nan
    Xc, _, _ = load("credit")
    for ident, M, mb in (("bins-synth", X, 255), ("bins-synth16", X, 16),
                         ("bins-synth3", X, 3), ("bins-credit", Xc, 255),
                         ("bins-credit32", Xc, 32)):
        bm = _BinMapper(n_bins=mb + 1, random_state=0).fit(M)
        write(d, ident, M, np.zeros(M.shape[0]), M[:1], np.zeros(1))
        emit({"id": ident, "kind": "bins", "n": M.shape[0], "p": M.shape[1],
              "max_bins": mb,
              "thresholds": [[float(v) for v in t] for t in bm.bin_thresholds_]})


def loss_of(task, k, y, raw):
    if task == "regression":
        return float(np.mean(0.5 * (raw[:, 0] - y) ** 2))
    if k == 1:
        r = raw[:, 0]
        return float(np.mean(np.logaddexp(0, r) - y * r))
    m = raw.max(axis=1)
    lse = m + np.log(np.exp(raw - m[:, None]).sum(axis=1))
    return float(np.mean(lse - raw[np.arange(len(y)), y.astype(int)]))


def first_cases(d):
    cases = [
        ("first-cancer", "breast_cancer", {"max_iter": 1}),
        ("first-cancer3", "breast_cancer", {"max_iter": 3, "max_leaf_nodes": 8}),
        ("first-iris", "iris", {"max_iter": 2}),
        ("first-wine-l2", "wine", {"max_iter": 2, "l2_regularization": 1.0}),
        ("first-diabetes", "diabetes", {"max_iter": 1}),
        ("first-diabetes5", "diabetes", {"max_iter": 5, "max_depth": 3,
                                        "min_samples_leaf": 5}),
        ("first-credit", "credit", {"max_iter": 1}),
        ("first-credit-bins", "credit", {"max_iter": 2, "max_bins": 32}),
    ]
    for ident, name, params in cases:
        X, y, task = load(name)
        Xtr, Xt, ytr, yt = train_test_split(X, y, test_size=0.25, random_state=0)
        cls = HistGradientBoostingClassifier if task == "classification" else HistGradientBoostingRegressor
        m = cls(early_stopping=False, random_state=0, **params).fit(Xtr, ytr)
        raw = m._raw_predict(Xt)
        rawtr = m._raw_predict(Xtr)
        k = rawtr.shape[1]
        write(d, ident, Xtr, ytr, Xt, yt)
        emit({"id": ident, "kind": "first", "task": task, "params": params,
              "n": Xtr.shape[0], "p": Xtr.shape[1], "nt": Xt.shape[0],
              "k": int(len(np.unique(y))) if task == "classification" else 0,
              "raw": [float(v) for v in np.ravel(raw)],
              "train_loss": loss_of(task, k, ytr, rawtr),
              "n_leaves": [int(p.get_n_leaf_nodes()) for it in m._predictors for p in it]})


def seeds_cases(d):
    for name in ("breast_cancer", "iris", "wine", "digits", "diabetes",
                 "credit", "churn"):
        X, y, task = load(name)
        cls = HistGradientBoostingClassifier if task == "classification" else HistGradientBoostingRegressor
        ident = "seeds-" + name
        scores = []
        for s in SEEDS:
            Xtr, Xt, ytr, yt = train_test_split(
                X, y, test_size=0.25, random_state=s,
                stratify=y if task == "classification" else None)
            write(d, "%s-%d" % (ident, s), Xtr, ytr, Xt, yt)
            m = cls(random_state=s).fit(Xtr, ytr)
            pred = m.predict(Xt)
            if task == "classification":
                scores.append(float(np.mean(pred == yt)))
            else:
                scores.append(float(np.sqrt(np.mean((pred - yt) ** 2))))
        emit({"id": ident, "kind": "seeds", "task": task, "params": {},
              "n": Xtr.shape[0], "p": X.shape[1], "nt": Xt.shape[0],
              "k": int(len(np.unique(y))) if task == "classification" else 0,
              "scores": scores})


def bench(d):
    n, p = (int(v) for v in open(os.path.join(d, "bench.shape")).read().split())
    X = np.fromfile(os.path.join(d, "bench.X"), dtype="<f8").reshape(n, p)
    y = np.fromfile(os.path.join(d, "bench.y"), dtype="<f8")
    t = time.perf_counter()
    m = HistGradientBoostingClassifier(random_state=0).fit(X, y)
    emit({"fit_seconds": time.perf_counter() - t, "n_iter": int(m.n_iter_)})


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--bench":
        bench(sys.argv[2])
        return 0
    if len(sys.argv) == 2:
        d = sys.argv[1]
        bins_cases(d)
        first_cases(d)
        seeds_cases(d)
        emit({"sklearn": sklearn.__version__})
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
