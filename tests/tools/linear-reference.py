#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Fit scikit-learn's linear models on its bundled data sets for
tests/unit/test-linear.c and print what they give, one JSON object per line.

Usage: linear-reference.py DIR
       linear-reference.py --bench DIR N P

For each case below the training and test matrices, already standardised
(StandardScaler fitted on the training rows), are written to DIR as raw
little-endian float64: ID.X (n x p, row-major), ID.y, ID.Xt, ID.yt and,
for weighted cases, ID.w. The output line of a case is
  {"id": ID, "data": NAME, "model": KIND, "params": {...}, "n": n, "p": p,
   "nt": nt, "weighted": b, "coef": [[...]], "intercept": [...],
   "n_iter": i, "converged": b, "decision": [...], "proba": [...],
   "score": accuracy or RMSE on the test rows, "compare": "all" | "score"}
with decision (nt x rows) and proba (nt x k) flattened row-major. The last
line is {"sklearn": VERSION}.

--bench reads DIR/bench.X (N x P) and DIR/bench.y, fits
LogisticRegression() and prints {"fit_seconds": t, "n_iter": i}.
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
    from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import LinearSVC
except ImportError as e:
    sys.stderr.write("linear-reference.py: %s\n" % e)
    sys.exit(2)

# id, data set, model, parameters, weighted, what to compare
CASES = [
    ("diabetes-ols", "diabetes", "linear_regression", {}, False, "all"),
    ("diabetes-ols-w", "diabetes", "linear_regression", {}, True, "all"),
    ("diabetes-ridge", "diabetes", "ridge", {"alpha": 1.0}, False, "all"),
    ("diabetes-ridge-w", "diabetes", "ridge", {"alpha": 10.0}, True, "all"),
    ("wide-ols", "wide", "linear_regression", {}, False, "all"),
    ("wide-ridge", "wide", "ridge", {"alpha": 0.5}, False, "all"),
    ("cancer-logit", "breast_cancer", "logistic_regression", {"C": 1.0}, False, "all"),
    ("cancer-logit-w", "breast_cancer", "logistic_regression", {"C": 0.1}, True, "all"),
    ("iris-logit", "iris", "logistic_regression", {"C": 1.0}, False, "all"),
    ("wine-logit", "wine", "logistic_regression", {"C": 1.0}, False, "all"),
    ("wine-logit-c10", "wine", "logistic_regression", {"C": 10.0}, True, "all"),
    ("digits-logit", "digits", "logistic_regression", {"C": 1.0}, False, "all"),
    ("cancer-svm", "breast_cancer", "linear_svm", {"C": 1.0}, False, "all"),
    ("iris-svm", "iris", "linear_svm", {"C": 1.0}, False, "all"),
    ("wine-svm-w", "wine", "linear_svm", {"C": 0.5}, True, "all"),
    ("digits-svm-c01", "digits", "linear_svm", {"C": 0.1}, False, "all"),
    # LinearSVC() stops at max_iter on digits: only accuracy is comparable.
    ("digits-svm", "digits", "linear_svm", {"C": 1.0}, False, "score"),
]


def load(name):
    if name == "wide":
        # More features than rows: the minimum-norm and dual paths.
        X, y = datasets.load_diabetes(return_X_y=True)
        X = np.hstack([X, X[:, :4] * X[:, 4:8]])
        return X[:40], y[:40], False
    loader = getattr(datasets, "load_" + name)
    X, y = loader(return_X_y=True)
    return X, y, name != "diabetes"


def estimator(model, params):
    if model == "linear_regression":
        return LinearRegression()
    if model == "ridge":
        return Ridge(alpha=params["alpha"])
    if model == "logistic_regression":
        return LogisticRegression(C=params["C"])
    return LinearSVC(C=params["C"])


def write(path, a):
    np.ascontiguousarray(a, dtype="<f8").tofile(path)


def case(outdir, cid, data, model, params, weighted, compare):
    X, y, classifier = load(data)
    if data == "wide":
        Xtr, Xte, ytr, yte = X[:30], X[30:], y[:30], y[30:]
    else:
        Xtr, Xte, ytr, yte = train_test_split(
            X, y, test_size=0.25, random_state=0,
            stratify=y if classifier else None)
    scaler = StandardScaler().fit(Xtr)
    Xtr = scaler.transform(Xtr)
    Xte = scaler.transform(Xte)
    w = None
    if weighted:
        w = 1.0 + (np.arange(len(ytr)) % 3)
    est = estimator(model, params)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(Xtr, ytr, sample_weight=w)
    converged = not any(issubclass(c.category, ConvergenceWarning)
                        for c in caught)
    for name, a in (("X", Xtr), ("y", ytr), ("Xt", Xte), ("yt", yte)):
        write("%s/%s.%s" % (outdir, cid, name), a)
    if w is not None:
        write("%s/%s.w" % (outdir, cid), w)
    coef = np.atleast_2d(est.coef_)
    intercept = np.atleast_1d(est.intercept_)
    out = {
        "id": cid, "data": data, "model": model, "params": params,
        "n": int(Xtr.shape[0]), "p": int(Xtr.shape[1]),
        "nt": int(Xte.shape[0]), "weighted": weighted,
        "coef": coef.tolist(), "intercept": intercept.tolist(),
        "converged": converged, "compare": compare,
    }
    if classifier:
        out["decision"] = np.ravel(est.decision_function(Xte)).tolist()
        out["score"] = float(np.mean(est.predict(Xte) == yte))
        out["n_iter"] = int(np.max(est.n_iter_))
        if model == "logistic_regression":
            out["proba"] = np.ravel(est.predict_proba(Xte)).tolist()
    else:
        pred = est.predict(Xte)
        out["decision"] = pred.tolist()
        out["score"] = float(np.sqrt(np.mean((pred - yte) ** 2)))
        out["n_iter"] = 0
    print(json.dumps(out), flush=True)


def bench(outdir, n, p):
    X = np.fromfile(outdir + "/bench.X", dtype="<f8").reshape(n, p)
    y = np.fromfile(outdir + "/bench.y", dtype="<f8")
    t = time.perf_counter()
    est = LogisticRegression().fit(X, y)
    t = time.perf_counter() - t
    acc = float(np.mean(est.predict(X) == y))
    print(json.dumps({"fit_seconds": t, "n_iter": int(est.n_iter_[0]),
                      "accuracy": acc}))


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--bench":
        bench(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return
    if len(sys.argv) != 2:
        sys.stderr.write("usage: linear-reference.py DIR\n")
        sys.exit(2)
    for c in CASES:
        case(sys.argv[1], *c)
    print(json.dumps({"sklearn": sklearn.__version__}))


main()
