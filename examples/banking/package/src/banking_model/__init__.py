# SPDX-License-Identifier: MIT
"""Score one credit application with an ml-train logistic-regression model
file: the model file's own preprocessing (imputation, scaling, one-hot),
then the softmax of the linear scores."""
import json
import math

__all__ = ["load", "score"]


def load(path):
    """The model file at path, as a dict."""
    with open(path) as f:
        return json.load(f)


def score(model, row):
    """Probabilities of model["classes"] for row (column name -> value)."""
    x = model["preprocess"]
    features = []
    for col in x["columns"]:
        v = row.get(col["name"], "")
        if col["kind"] == "numeric":
            v = float(v) if v not in ("", None) else col.get("fill", 0.0)
            features.append((v - col.get("center", 0.0)) / (col.get("scale", 1.0) or 1.0))
        else:
            v = v if v not in ("", None) else col.get("fill", "")
            features.extend(1.0 if v == c else 0.0 for c in col.get("categories", []))
    m = model["model"]
    z = [sum(w * f for w, f in zip(coef, features)) + b
         for coef, b in zip(m["coef"], m["intercept"])]
    if len(z) == 1:  # two classes: one score, for the second class
        z = [0.0, z[0]]
    top = max(z)
    e = [math.exp(v - top) for v in z]
    s = sum(e)
    return {c: v / s for c, v in zip(model["classes"], e)}
