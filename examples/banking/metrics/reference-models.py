#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Train the two reference models of the banking example with scikit-learn
and write their test-set metrics as JSON objects, the input ml-gate judges
until ml-train lands (and the figures ml-train must match after it does).

    /usr/bin/python3 examples/banking/metrics/reference-models.py

Data: examples/banking/data/credit_data.csv, target Status (good / bad),
split 80/20 stratified with seed 42. Preprocessing: numeric columns median
imputation and standard scaling, categorical columns most-frequent
imputation and one-hot encoding. champion.json: logistic regression on
the numeric columns only (C=1); candidate.json: logistic regression on all
columns (C=1, max_iter=1000).
"""
import json
import os

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (accuracy_score, balanced_accuracy_score,
                             f1_score, log_loss, roc_auc_score)
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

here = os.path.dirname(os.path.abspath(__file__))
df = pd.read_csv(os.path.join(here, "..", "data", "credit_data.csv"))
y = df.pop("Status")
X_train, X_test, y_train, y_test = train_test_split(
    df, y, test_size=0.2, random_state=42, stratify=y)
numeric = [c for c in df.columns if df[c].dtype.kind in "if"]
categorical = [c for c in df.columns if c not in numeric]


def model(columns):
    parts = [("num", make_pipeline(SimpleImputer(strategy="median"),
                                   StandardScaler()),
              [c for c in columns if c in numeric])]
    cats = [c for c in columns if c in categorical]
    if cats:
        parts.append(("cat", make_pipeline(
            SimpleImputer(strategy="most_frequent"),
            OneHotEncoder(handle_unknown="ignore")), cats))
    return make_pipeline(ColumnTransformer(parts),
                         LogisticRegression(C=1.0, max_iter=1000))


def metrics(m):
    m.fit(X_train, y_train)
    pred = m.predict(X_test)
    proba = m.predict_proba(X_test)
    pos = list(m.classes_).index("good")
    return {
        "accuracy": accuracy_score(y_test, pred),
        "balanced_accuracy": balanced_accuracy_score(y_test, pred),
        "f1_macro": f1_score(y_test, pred, average="macro"),
        "roc_auc": roc_auc_score(y_test == "good", proba[:, pos]),
        "log_loss": log_loss(y_test, proba, labels=m.classes_),
    }


for name, cols in (("champion", numeric), ("candidate", list(df.columns))):
    with open(os.path.join(here, name + ".json"), "w") as f:
        json.dump(metrics(model(cols)), f, indent=2)
        f.write("\n")
