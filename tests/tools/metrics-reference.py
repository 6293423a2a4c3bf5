#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Print scikit-learn's metrics for the cases that tests/unit/test-metrics.c
writes, one JSON object per line, then {"sklearn": VERSION}.

Usage: metrics-reference.py DIR

DIR/manifest has one case a line:
  "ID<TAB>KIND<TAB>K<TAB>ALL_LABELS<TAB>PROBA<TAB>WEIGHTS<TAB>IDX"
KIND is clf or reg; the last four are 0 or 1. DIR/ID.y and DIR/ID.p hold
y_true and y_pred one a line (class numbers, or numbers for reg);
DIR/ID.proba K probabilities a line; DIR/ID.w one weight per data row;
DIR/ID.idx the selected rows (the data is y[idx], weights w[idx]). Values
that sklearn leaves undefined or refuses are null, with the message of the
exception under "<metric>_error". Exit status 2 when sklearn or numpy
cannot be imported."""
import json
import math
import sys
import warnings

try:
    import numpy as np
    import sklearn
    from sklearn import metrics
    from sklearn.metrics._regression import _assemble_r2_explained_variance
    from sklearn.utils.multiclass import unique_labels
    from sklearn.exceptions import UndefinedMetricWarning
except ImportError as e:
    sys.stderr.write("metrics-reference.py: %s\n" % e)
    sys.exit(2)


def num(x):
    x = float(x)
    return x if math.isfinite(x) else None


def load(path, dtype, ndmin=1):
    with open(path) as f:
        text = f.read()
    if not text.strip():
        return np.zeros((0,) if ndmin == 1 else (0, 0), dtype=dtype)
    return np.loadtxt(path, dtype=dtype, ndmin=ndmin)


def call(out, key, fn):
    """out[key] = fn(), or null with the exception's message."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out[key] = num(fn())
        except (ValueError, ZeroDivisionError) as e:
            out[key] = None
            out[key + "_error"] = str(e)


def warned(fn):
    """Whether fn() raises an UndefinedMetricWarning."""
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        fn()
    return any(issubclass(w.category, UndefinedMetricWarning) for w in ws)


def classification(out, k, all_labels, y, p, proba, w):
    labels = list(range(k)) if all_labels else None
    call(out, "accuracy", lambda: metrics.accuracy_score(y, p, sample_weight=w))
    call(out, "balanced_accuracy",
         lambda: metrics.balanced_accuracy_score(y, p, sample_weight=w))
    for avg in ("macro", "weighted"):
        for name, fn in (("precision", metrics.precision_score),
                         ("recall", metrics.recall_score),
                         ("f1", metrics.f1_score)):
            call(out, "%s_%s" % (name, avg),
                 lambda: fn(y, p, average=avg, labels=labels,
                            sample_weight=w))
    out["warn_precision"] = warned(lambda: metrics.precision_score(
        y, p, average="macro", labels=labels, sample_weight=w))
    out["warn_recall"] = warned(lambda: metrics.recall_score(
        y, p, average="macro", labels=labels, sample_weight=w))
    out["warn_f1"] = warned(lambda: metrics.f1_score(
        y, p, average="macro", labels=labels, sample_weight=w))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        used = labels if labels is not None else \
            unique_labels(y, p)
        pr, rc, f1, sup = metrics.precision_recall_fscore_support(
            y, p, labels=used, average=None, sample_weight=w)
    out["labels"] = [int(c) for c in used]
    out["precision"] = [num(v) for v in pr]
    out["recall"] = [num(v) for v in rc]
    out["f1"] = [num(v) for v in f1]
    out["support"] = [num(v) for v in sup]
    cm = metrics.confusion_matrix(y, p, labels=list(range(k)),
                                  sample_weight=w)
    out["confusion"] = [[num(v) for v in row] for row in cm]
    if proba is not None:
        if k == 2:
            call(out, "roc_auc",
                 lambda: metrics.roc_auc_score(y, proba[:, 1],
                                               sample_weight=w))
        else:
            call(out, "roc_auc",
                 lambda: metrics.roc_auc_score(y, proba, multi_class="ovr",
                                               average="macro",
                                               sample_weight=w))
        call(out, "log_loss",
             lambda: metrics.log_loss(y, proba, labels=list(range(k)),
                                      sample_weight=w))


def r2(y, p, w):
    """sklearn's r2_score, but with its constant-y_true rule (denominator 0:
    1.0 if perfect, else 0.0) applied whenever y_true is exactly constant
    over the rows that weigh: r2_score itself computes the denominator
    around np.average(y_true), which for a constant such as 0.1 or under
    weights can be off by an ulp and turn 0.0 into -1e31."""
    keep = y if w is None else y[w != 0]
    if len(y) >= 2 and len(keep) and np.all(keep == keep[0]):
        wt = 1.0 if w is None else w
        num_ = np.array([np.sum(wt * (y - p) ** 2)])
        return _assemble_r2_explained_variance(
            numerator=num_, denominator=np.array([0.0]), n_outputs=1,
            multioutput="uniform_average", force_finite=True)
    return metrics.r2_score(y, p, sample_weight=w)


def regression(out, y, p, w):
    call(out, "rmse", lambda: metrics.mean_squared_error(
        y, p, sample_weight=w, squared=False))
    call(out, "mae", lambda: metrics.mean_absolute_error(
        y, p, sample_weight=w))
    call(out, "r2", lambda: r2(y, p, w))
    call(out, "r2_sklearn_raw", lambda: metrics.r2_score(y, p, sample_weight=w))


def main():
    d = sys.argv[1]
    with open(d + "/manifest") as f:
        lines = [ln.rstrip("\n").split("\t") for ln in f if ln.strip()]
    for cid, kind, k, all_labels, has_proba, has_w, has_idx in lines:
        k = int(k)
        base = "%s/%s" % (d, cid)
        dtype = np.int64 if kind == "clf" else np.float64
        y = load(base + ".y", dtype)
        p = load(base + ".p", dtype)
        proba = load(base + ".proba", np.float64, 2) if has_proba == "1" \
            else None
        w = load(base + ".w", np.float64) if has_w == "1" else None
        if has_idx == "1":
            idx = load(base + ".idx", np.int64)
            y, p = y[idx], p[idx]
            if proba is not None:
                proba = proba[idx]
            if w is not None:
                w = w[idx]
        out = {"id": int(cid)}
        if kind == "clf":
            classification(out, k, all_labels == "1", y, p, proba, w)
        else:
            regression(out, y, p, w)
        print(json.dumps(out, allow_nan=False))
        sys.stdout.flush()
    print(json.dumps({"sklearn": sklearn.__version__}))


if __name__ == "__main__":
    main()
