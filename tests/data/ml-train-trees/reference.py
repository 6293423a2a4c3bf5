#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""scikit-learn's trees on the pipeline of the configs here (median imputer
for numbers, most frequent and one-hot for categories, no scaling).

Usage: reference.py TRAIN TEST TARGET tree|forest|forest-regressor PARAMS_JSON
- tree: DecisionTreeClassifier(random_state=0, **PARAMS) -> one test
  prediction per line (the class label);
- forest: RandomForestClassifier(random_state=s, **PARAMS) for s in 0..4 ->
  one test accuracy per line;
- forest-regressor: RandomForestRegressor, one test RMSE per line."""
import json
import sys

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.tree import DecisionTreeClassifier

train, test, target, kind, params = sys.argv[1:6]
params = json.loads(params)
kw = dict(keep_default_na=False, na_values=[""])
tr = pd.read_csv(train, **kw)
te = pd.read_csv(test, **kw)
y, yt = tr.pop(target), te.pop(target)
cat = [c for c in tr.columns if tr[c].dtype == object]
num = [c for c in tr.columns if c not in cat]
pre = ColumnTransformer([
    ("num", SimpleImputer(strategy="median"), num),
    ("cat", Pipeline([("impute", SimpleImputer(strategy="most_frequent")),
                      ("one_hot", OneHotEncoder(handle_unknown="ignore"))]), cat)])


def fit(model):
    return Pipeline([("pre", pre), ("model", model)]).fit(tr, y)


if kind == "tree":
    for p in fit(DecisionTreeClassifier(random_state=0, **params)).predict(te):
        print(p)
elif kind == "forest":
    for s in range(5):
        print(np.mean(fit(RandomForestClassifier(random_state=s, **params)).predict(te) == yt))
else:
    for s in range(5):
        p = fit(RandomForestRegressor(random_state=s, **params)).predict(te)
        print(np.sqrt(np.mean((p - yt) ** 2)))
