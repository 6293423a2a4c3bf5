#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Print what pandas reads from a CSV file, for tests/unit/test-dataset.c:
one JSON object {"rows", "columns": {NAME: {"kind", "missing"}},
"classes": [...], "pandas": VERSION} where kind is "numeric" or
"categorical" (object dtype) and classes are np.unique of the TARGET
column.

Usage: dataset-reference.py CSV TARGET

Missing values are the empty field only (keep_default_na=False), as
lib/dataset.c reads them. Exit status 2 when pandas or numpy cannot be
imported."""
import json
import sys

try:
    import numpy as np
    import pandas as pd
except ImportError as e:
    sys.stderr.write("dataset-reference.py: %s\n" % e)
    sys.exit(2)


def main():
    path, target = sys.argv[1], sys.argv[2]
    df = pd.read_csv(path, keep_default_na=False, na_values=[""])
    cols = {}
    for name in df.columns:
        kind = "categorical" if df[name].dtype == object else "numeric"
        cols[name] = {"kind": kind, "missing": int(df[name].isna().sum())}
    classes = [str(c) for c in np.unique(df[target].astype(str))]
    print(json.dumps({"rows": len(df), "columns": cols, "classes": classes,
                      "pandas": pd.__version__}))


main()
