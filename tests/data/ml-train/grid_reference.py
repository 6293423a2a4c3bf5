#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""scikit-learn's GridSearchCV for grid.yaml: TRAIN TEST -> JSON of the
candidates' mean and std cross-validated roc_auc (ParameterGrid's order),
the best index, and the refitted winner's test roc_auc and accuracy."""
import json
import sys

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import LinearSVC

kw = dict(keep_default_na=False, na_values=[""])
tr = pd.read_csv(sys.argv[1], **kw)
te = pd.read_csv(sys.argv[2], **kw)
y, yt = tr.pop("Status"), te.pop("Status")
cat = [c for c in tr.columns if tr[c].dtype == object]
num = [c for c in tr.columns if c not in cat]
pre = ColumnTransformer([
    ("num", Pipeline([("impute", SimpleImputer(strategy="median")),
                      ("scale", StandardScaler())]), num),
    ("cat", Pipeline([("impute", SimpleImputer(strategy="most_frequent")),
                      ("one_hot", OneHotEncoder(handle_unknown="ignore"))]), cat)])
pipe = Pipeline([("pre", pre), ("model", LogisticRegression())])
grid = [{"model": [LinearSVC()],
         "model__C": [0.01, 1.0],
         "model__class_weight": ["balanced", {"bad": 2.0}]},
        {"model": [LogisticRegression(max_iter=1000)],
         "model__C": [0.001, 0.01, 1.0],
         "model__class_weight": [None, "balanced"]}]
gs = GridSearchCV(pipe, grid, scoring="roc_auc", cv=StratifiedKFold(5))
gs.fit(tr, y)
score = gs.decision_function(te)
print(json.dumps({
    "mean": list(gs.cv_results_["mean_test_score"]),
    "std": list(gs.cv_results_["std_test_score"]),
    "best": int(gs.best_index_),
    "roc_auc": roc_auc_score(yt, score),
    "accuracy": accuracy_score(yt, gs.predict(te)),
}))
