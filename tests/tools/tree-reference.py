#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Fit scikit-learn's DecisionTree* and RandomForest* for tests/unit/test-tree.c
and tests/unit/test-forest.c and print what they give, one JSON object per line.

Usage: tree-reference.py DIR tree|forest
       tree-reference.py --bench DIR N P JOBS

Every case writes its training and test rows to DIR as raw little-endian
float64: ID.X (n x p, row-major), ID.y, ID.Xt, ID.yt; y holds class indices
0..k-1 for a classifier. The credit and churn files are one-hot encoded
(pandas.get_dummies) and their missing numbers set to the training median.
Each line has "id", "kind", "task", "params" (scikit-learn's names), "n",
"p", "nt", "k" (0 for regression):

- "exact" (tree): DecisionTree* fitted with random_state 0: "feature" and
  "threshold" per node in scikit-learn's order (depth-first, left child
  next; -1 for a leaf), "pred" (test predictions), "proba" (test
  predict_proba flattened, classification), "importances",
  "splitter_seed" (the seed scikit-learn's splitter draws for the
  random_state, params' or 0), and
  "tie_free": whether random_state 1..9 give the same tree (else a tie
  between two splits was broken by scikit-learn's generator).
- "seeds": the model fitted with random_state 0..4; "scores" holds the
  test accuracy, or the test RMSE for regression, of each seed.

The last line is {"sklearn": VERSION}.

--bench writes nothing but times RandomForestClassifier(n_estimators=100,
n_jobs=JOBS, random_state=0).fit on DIR/bench.X (N x P) and DIR/bench.y and
predict on DIR/bench.Xt: {"fit_seconds", "accuracy"} (on bench.yt). Exit
status 2 when scikit-learn, numpy or pandas cannot be imported."""
import json
import os
import sys
import time

try:
    import numpy as np
    import pandas as pd
    import sklearn
    from sklearn import datasets
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.model_selection import train_test_split
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
except ImportError as e:
    sys.stderr.write("tree-reference.py: %s\n" % e)
    sys.exit(2)

HERE = os.path.dirname(os.path.abspath(__file__))
CSV = {
    "credit": (os.path.join(HERE, "..", "..", "examples", "banking", "data", "credit_data.csv"), "Status"),
    "churn": (os.path.join(HERE, "..", "data", "mlc_churn.csv"), "churn"),
}
SEEDS = [0, 1, 2, 3, 4]

TREE_CASES = [
    ("cancer-full", "exact", "breast_cancer", {}),
    ("cancer-d3", "exact", "breast_cancer", {"max_depth": 3}),
    ("cancer-sqrt", "exact", "breast_cancer", {"max_features": "sqrt", "random_state": 7}),
    ("cancer-entropy-leaf5", "exact", "breast_cancer", {"criterion": "entropy", "min_samples_leaf": 5}),
    ("cancer-balanced-d3", "exact", "breast_cancer", {"class_weight": "balanced", "max_depth": 3}),
    ("wine-leaf", "exact", "wine", {"min_samples_leaf": 3, "min_samples_split": 7}),
    ("diabetes-leaf10", "exact", "diabetes", {"min_samples_leaf": 10}),
    ("synth-leaf5", "exact", "synth_reg", {"min_samples_leaf": 5}),
    ("digits-full", "exact", "digits", {}),
    ("credit-tree", "seeds", "credit", {}),
    ("churn-tree", "seeds", "churn", {}),
    ("digits-tree", "seeds", "digits", {}),
]

FOREST_CASES = [
    ("iris-rf", "seeds", "iris", {}),
    ("wine-rf", "seeds", "wine", {}),
    ("cancer-rf", "seeds", "breast_cancer", {}),
    ("digits-rf", "seeds", "digits", {}),
    ("credit-rf", "seeds", "credit", {}),
    ("churn-rf", "seeds", "churn", {}),
    ("churn-rf-entropy", "seeds", "churn", {"criterion": "entropy", "max_features": 0.3, "min_samples_leaf": 2}),
    ("diabetes-rf", "seeds", "diabetes", {}),
    ("synth-rf", "seeds", "synth_reg", {"max_features": 0.5}),
]


def load(name):
    """X, y, task of a data set."""
    if name in CSV:
        path, target = CSV[name]
        df = pd.read_csv(path)
        y = df.pop(target)
        X = pd.get_dummies(df, dtype=float)
        classes = sorted(y.unique())
        y = np.array([classes.index(v) for v in y], dtype=float)
        return X.to_numpy(dtype=float), y, "classification"
    if name == "synth_reg":
        X, y = datasets.make_regression(n_samples=600, n_features=8, noise=10.0, random_state=3)
        return X, y, "regression"
    X, y = getattr(datasets, "load_" + name)(return_X_y=True)
    task = "regression" if name == "diabetes" else "classification"
    return X.astype(float), y.astype(float), task


def write(d, cid, X, y, Xt, yt):
    for ext, a in (("X", X), ("y", y), ("Xt", Xt), ("yt", yt)):
        np.ascontiguousarray(a, dtype="<f8").tofile(os.path.join(d, "%s.%s" % (cid, ext)))


def split(X, y, task):
    strat = y if task == "classification" else None
    X, Xt, y, yt = train_test_split(X, y, test_size=0.25, random_state=0, stratify=strat)
    # The missing numbers of the CSV files: the training median, as an imputer would.
    med = np.nanmedian(X, axis=0)
    for a in (X, Xt):
        idx = np.where(np.isnan(a))
        a[idx] = np.take(med, idx[1])
    return X, y, Xt, yt


def model(family, task, params, seed):
    if family == "tree":
        cls = DecisionTreeClassifier if task == "classification" else DecisionTreeRegressor
        return cls(random_state=seed, **params)
    cls = RandomForestClassifier if task == "classification" else RandomForestRegressor
    return cls(random_state=seed, n_jobs=2, **params)


def score(m, Xt, yt, task):
    p = m.predict(Xt)
    if task == "classification":
        return float(np.mean(p == yt))
    return float(np.sqrt(np.mean((p - yt) ** 2)))


def run(d, family):
    for cid, kind, data, params in (TREE_CASES if family == "tree" else FOREST_CASES):
        X, y, task = load(data)
        X, y, Xt, yt = split(X, y, task)
        write(d, cid, X, y, Xt, yt)
        out = {"id": cid, "kind": kind, "task": task, "params": params,
               "n": X.shape[0], "p": X.shape[1], "nt": Xt.shape[0],
               "k": int(y.max()) + 1 if task == "classification" else 0}
        if kind == "exact":
            m = model(family, task, {k: v for k, v in params.items() if k != "random_state"},
                      params.get("random_state", 0)).fit(X, y)
            t = m.tree_
            out["feature"] = [int(f) if f >= 0 else -1 for f in t.feature]
            out["threshold"] = [float(v) if f >= 0 else 0.0 for f, v in zip(t.feature, t.threshold)]
            out["pred"] = [float(v) for v in m.predict(Xt)]
            if task == "classification":
                out["proba"] = [float(v) for v in m.predict_proba(Xt).ravel()]
            out["importances"] = [float(v) for v in m.feature_importances_]
            out["splitter_seed"] = int(np.random.RandomState(params.get("random_state", 0)).randint(0, 2**31 - 1))
            # Ties between candidate splits are broken by scikit-learn's
            # feature order, drawn from its generator: the same tree for
            # every random_state says there were none.
            out["tie_free"] = all(
                np.array_equal(o.tree_.feature, t.feature) and np.array_equal(o.tree_.threshold, t.threshold)
                for o in (model(family, task, {k: v for k, v in params.items() if k != "random_state"}, s).fit(X, y)
                          for s in range(1, 10)))
        else:
            out["scores"] = [score(model(family, task, params, s).fit(X, y), Xt, yt, task)
                             for s in SEEDS]
        print(json.dumps(out), flush=True)
    print(json.dumps({"sklearn": sklearn.__version__}), flush=True)


def bench(d, n, p, jobs):
    X = np.fromfile(os.path.join(d, "bench.X"), dtype="<f8").reshape(n, p)
    y = np.fromfile(os.path.join(d, "bench.y"), dtype="<f8")
    Xt = np.fromfile(os.path.join(d, "bench.Xt"), dtype="<f8").reshape(-1, p)
    yt = np.fromfile(os.path.join(d, "bench.yt"), dtype="<f8")
    t0 = time.perf_counter()
    m = RandomForestClassifier(n_estimators=100, n_jobs=jobs, random_state=0).fit(X, y)
    t1 = time.perf_counter()
    print(json.dumps({"fit_seconds": t1 - t0, "accuracy": float(np.mean(m.predict(Xt) == yt))}))


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--bench":
        bench(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif len(sys.argv) == 3 and sys.argv[2] in ("tree", "forest"):
        run(sys.argv[1], sys.argv[2])
    else:
        sys.stderr.write("usage: tree-reference.py DIR tree|forest\n")
        sys.exit(2)
