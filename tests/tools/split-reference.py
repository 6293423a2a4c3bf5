#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Print scikit-learn's split sizes for the cases that
tests/unit/test-split.c writes, one JSON object a line, then
{"sklearn": VERSION}.

Usage: split-reference.py DIR

DIR/manifest has one case a line: "ID<TAB>KIND<TAB>PARAM<TAB>K", and
DIR/ID.y the class of every row (integers, one a line). KIND is
  tts:    train_test_split(stratify=y, test_size=PARAM) for random_state
          0..4: {"id", "train": [[per-class counts] per seed], "test": ...}
          or {"id", "error": "..."} when sklearn refuses;
  plain:  train_test_split without stratify: {"id", "n_train", "n_test"};
  skfold: StratifiedKFold(K) (no shuffle): {"id", "fold": [fold of each row]};
  kfold:  KFold(K): {"id", "fold": [...]}.
A PARAM holding "." is a fraction, else a count. Exit status 2 when
sklearn or numpy cannot be imported."""
import json
import sys
import warnings

try:
    import numpy as np
    import sklearn
    from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
except ImportError as e:
    sys.stderr.write("split-reference.py: %s\n" % e)
    sys.exit(2)


def run(d, line):
    cid, kind, param, k = line.rstrip("\n").split("\t")
    y = np.loadtxt("%s/%s.y" % (d, cid), dtype=int, ndmin=1)
    n = len(y)
    test_size = float(param) if "." in param else int(param)
    nc = int(y.max()) + 1
    idx = np.arange(n)
    if kind == "tts":
        train, test = [], []
        for seed in range(5):
            try:
                a, b = train_test_split(idx, test_size=test_size,
                                        stratify=y, random_state=seed)
            except ValueError as e:
                return {"id": int(cid), "error": str(e)}
            train.append(np.bincount(y[a], minlength=nc).tolist())
            test.append(np.bincount(y[b], minlength=nc).tolist())
        return {"id": int(cid), "train": train, "test": test}
    if kind == "plain":
        try:
            a, b = train_test_split(idx, test_size=test_size, random_state=0)
        except ValueError as e:
            return {"id": int(cid), "error": str(e)}
        return {"id": int(cid), "n_train": len(a), "n_test": len(b)}
    cv = StratifiedKFold(int(k)) if kind == "skfold" else KFold(int(k))
    fold = np.full(n, -1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for f, (_, t) in enumerate(cv.split(np.zeros(n), y)):
                fold[t] = f
        except ValueError as e:
            return {"id": int(cid), "error": str(e)}
    return {"id": int(cid), "fold": fold.tolist()}


def main():
    d = sys.argv[1]
    with open(d + "/manifest") as f:
        for line in f:
            print(json.dumps(run(d, line)), flush=True)
    print(json.dumps({"sklearn": sklearn.__version__}))


main()
