#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Train scikit-learn's MLPClassifier and MLPRegressor for tests/unit/test-mlp.c
and print what they give, one JSON object per line.

Usage: mlp-reference.py DIR
       mlp-reference.py --bench DIR N P

Every case writes its training and test matrices, standardised by a
StandardScaler fitted on the training rows, to DIR as raw little-endian
float64: ID.X (n x p, row-major), ID.y, ID.Xt, ID.yt. y holds class indices
0..k-1 for a classifier. Three kinds of line follow, each with "id", "kind",
"task" ("classification" or "regression"), "params" (scikit-learn's names),
"n", "p", "nt" and "k" (0 for regression):

- "seeds": the model fitted with random_state 0..4; "scores" holds the
  test accuracy (classification) or test RMSE (regression) of each seed,
  "r2" the test R^2 of each (regression), "iterations" the n_iter_ of each.
- "forward": a model fitted with random_state 0; "coefs" and "intercepts"
  as scikit-learn holds them (per layer, rows of coefs_), and "output", the
  output layer on the test rows flattened row-major (predict_proba for a
  classifier, predict for a regressor).
- "step": Adam from given weights: the weights "w0" (every coefs_ row-major
  then every intercepts_, as the C model packs them) and the weights "w1"
  after max_iter more epochs of fit() with warm_start=True, shuffle=False
  and the given batch_size, which starts a new Adam, and "loss_curve", the
  mean loss of each of those epochs.

The last line is {"sklearn": VERSION}.

--bench reads DIR/bench.X (N x P) and DIR/bench.y and times
MLPClassifier(hidden_layer_sizes=(64,), max_iter=10, batch_size=200,
random_state=0).fit: {"fit_seconds": t, "accuracy": training accuracy}.
Exit status 2 when scikit-learn or numpy cannot be imported."""
import json
import sys
import time
import warnings

try:
    import numpy as np
    import sklearn
    from sklearn import datasets
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.preprocessing import StandardScaler
except ImportError as e:
    sys.stderr.write("mlp-reference.py: %s\n" % e)
    sys.exit(2)

SEEDS = [0, 1, 2, 3, 4]

# id, kind, data set, parameters (the same on both sides)
CASES = [
    ("iris", "seeds", "iris", {}),
    ("wine", "seeds", "wine", {}),
    ("cancer", "seeds", "breast_cancer", {}),
    ("cancer-es", "seeds", "breast_cancer", {"early_stopping": True}),
    ("digits", "seeds", "digits", {"hidden_layer_sizes": [50], "max_iter": 60}),
    ("diabetes", "seeds", "diabetes",
     {"hidden_layer_sizes": [50], "learning_rate_init": 0.01, "max_iter": 300}),
    ("wine-fwd", "forward", "wine", {"hidden_layer_sizes": [16, 8], "max_iter": 100}),
    ("cancer-fwd", "forward", "breast_cancer", {"hidden_layer_sizes": [12], "max_iter": 50}),
    ("diabetes-fwd", "forward", "diabetes",
     {"hidden_layer_sizes": [10, 5], "learning_rate_init": 0.01, "max_iter": 100}),
    ("wine-step", "step", "wine",
     {"hidden_layer_sizes": [8, 6], "max_iter": 1, "batch_size": 133, "alpha": 0.01}),
    ("wine-epochs", "step", "wine",
     {"hidden_layer_sizes": [8, 6], "max_iter": 3, "batch_size": 32, "alpha": 0.01}),
    ("cancer-step", "step", "breast_cancer",
     {"hidden_layer_sizes": [10], "max_iter": 1, "batch_size": 426}),
    ("cancer-epochs", "step", "breast_cancer",
     {"hidden_layer_sizes": [10], "max_iter": 2, "batch_size": 100}),
    ("diabetes-step", "step", "diabetes",
     {"hidden_layer_sizes": [10], "max_iter": 1, "batch_size": 331,
      "learning_rate_init": 0.01}),
    ("diabetes-epochs", "step", "diabetes",
     {"hidden_layer_sizes": [10], "max_iter": 2, "batch_size": 64,
      "learning_rate_init": 0.01}),
]


def write(path, a):
    np.ascontiguousarray(a, dtype="<f8").tofile(path)


def load(outdir, cid, name):
    X, y = getattr(datasets, "load_" + name)(return_X_y=True)
    classify = name != "diabetes"
    Xtr, Xte, ytr, yte = train_test_split(
        X, y, test_size=0.25, random_state=0,
        stratify=y if classify else None)
    scaler = StandardScaler().fit(Xtr)
    Xtr = scaler.transform(Xtr)
    Xte = scaler.transform(Xte)
    for ext, a in (("X", Xtr), ("y", ytr), ("Xt", Xte), ("yt", yte)):
        write("%s/%s.%s" % (outdir, cid, ext), a)
    k = len(np.unique(y)) if classify else 0
    return Xtr, ytr, Xte, yte, classify, k


def make(classify, params, seed, **extra):
    kw = dict(params)
    if "hidden_layer_sizes" in kw:
        kw["hidden_layer_sizes"] = tuple(kw["hidden_layer_sizes"])
    kw.update(extra)
    cls = MLPClassifier if classify else MLPRegressor
    return cls(random_state=seed, **kw)


def fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    return est


def packed(est):
    return [float(v) for c in est.coefs_ for v in c.ravel()] + \
        [float(v) for b in est.intercepts_ for v in b]


def case(outdir, cid, kind, data, params):
    Xtr, ytr, Xte, yte, classify, k = load(outdir, cid, data)
    out = {"id": cid, "kind": kind, "data": data,
           "task": "classification" if classify else "regression",
           "params": params, "n": int(Xtr.shape[0]), "p": int(Xtr.shape[1]),
           "nt": int(Xte.shape[0]), "k": k}
    if kind == "seeds":
        scores, r2, iters = [], [], []
        for seed in SEEDS:
            est = fit(make(classify, params, seed), Xtr, ytr)
            pred = est.predict(Xte)
            if classify:
                scores.append(float(np.mean(pred == yte)))
            else:
                scores.append(float(np.sqrt(np.mean((pred - yte) ** 2))))
                r2.append(float(est.score(Xte, yte)))
            iters.append(int(est.n_iter_))
        out.update(scores=scores, r2=r2, iterations=iters)
    elif kind == "forward":
        est = fit(make(classify, params, 0), Xtr, ytr)
        out["coefs"] = [c.tolist() for c in est.coefs_]
        out["intercepts"] = [b.tolist() for b in est.intercepts_]
        outp = est.predict_proba(Xte) if classify else est.predict(Xte)
        out["output"] = np.ravel(outp).tolist()
    else:
        # Weights from a first epoch, then fit() again from them.
        first = dict(params, max_iter=1)
        est = fit(make(classify, first, 7, shuffle=False), Xtr, ytr)
        out["w0"] = packed(est)
        done = len(est.loss_curve_)
        est.set_params(warm_start=True, max_iter=params["max_iter"])
        fit(est, Xtr, ytr)
        out["w1"] = packed(est)
        out["loss_curve"] = [float(v) for v in est.loss_curve_[done:]]
    print(json.dumps(out), flush=True)


def bench(outdir, n, p):
    X = np.fromfile(outdir + "/bench.X", dtype="<f8").reshape(n, p)
    y = np.fromfile(outdir + "/bench.y", dtype="<f8")
    est = MLPClassifier(hidden_layer_sizes=(64,), max_iter=10, batch_size=200,
                        random_state=0)
    t = time.perf_counter()
    fit(est, X, y)
    t = time.perf_counter() - t
    acc = float(np.mean(est.predict(X) == y))
    print(json.dumps({"fit_seconds": t, "accuracy": acc}))


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--bench":
        bench(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return
    if len(sys.argv) != 2:
        sys.stderr.write("usage: mlp-reference.py DIR\n")
        sys.exit(2)
    for c in CASES:
        case(sys.argv[1], *c)
    print(json.dumps({"sklearn": sklearn.__version__}))


main()
