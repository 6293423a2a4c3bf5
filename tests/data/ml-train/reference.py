#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""scikit-learn's accuracy for logistic.yaml's pipeline: TRAIN TEST -> accuracy."""
import sys

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

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
model = Pipeline([("pre", pre),
                  ("model", LogisticRegression(C=1.0, max_iter=1000))]).fit(tr, y)
print(accuracy_score(yt, model.predict(te)))
