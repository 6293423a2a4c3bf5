#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Read a file store written by mlci the way MLflow 2.12's FileStore does, and check the scenario's data.

usage: check-mlflow-file.py ROOT RUN_ID
Prints every problem and exits 1 when there is one.
"""
import os
import sys

import yaml

problems = []


def check(cond, what):
    if not cond:
        problems.append(what)


def meta(path):
    with open(os.path.join(path, "meta.yaml")) as f:
        return yaml.safe_load(f)


def read(path):
    with open(path) as f:
        return f.read()


def files(top):
    out = {}
    for d, _, names in os.walk(top):
        for n in names:
            p = os.path.join(d, n)
            out[os.path.relpath(p, top)] = read(p)
    return out


def main():
    root, run_id = sys.argv[1:3]
    root = os.path.abspath(root)
    runs = {}
    names = {}
    for exp in os.listdir(root):
        if not exp.isdigit():
            continue
        m = meta(os.path.join(root, exp))
        # MLflow skips an experiment whose directory is not its id.
        check(m["experiment_id"] == exp and isinstance(m["experiment_id"], str), f"experiment {exp} id")
        check(m["artifact_location"] == "file://" + os.path.join(root, exp), f"experiment {exp} location")
        check(m["lifecycle_stage"] == "active" and isinstance(m["creation_time"], int), f"experiment {exp}")
        names[m["name"]] = exp
        for r in os.listdir(os.path.join(root, exp)):
            rdir = os.path.join(root, exp, r)
            if not os.path.isdir(rdir) or len(r) != 32:
                continue
            rm = meta(rdir)
            check(rm["experiment_id"] == exp, f"run {r}: experiment_id != parent (INVALID_STATE)")
            check(rm["run_id"] == r == rm["run_uuid"], f"run {r}: ids")
            check(rm["artifact_uri"] == f"file://{rdir}/artifacts", f"run {r}: artifact_uri")
            for key, text in files(os.path.join(rdir, "metrics")).items():
                for line in text.splitlines():
                    ts, val, step = line.split(" ")
                    int(ts), float(val), int(step)
            runs[r] = rm
    check("Default" in names and names["Default"] == "0", "Default experiment 0")
    check("Banking-main" in names, "the experiment")
    rm = runs.get(run_id)
    check(rm is not None, "the run")
    if rm:
        want = {"end_time": 1700000009999, "entry_point_name": "", "lifecycle_stage": "active", "run_name": "train",
                "source_name": "", "source_type": 4, "source_version": "", "start_time": 1700000000000,
                "status": 3, "tags": [], "user_id": "alice"}
        for k, v in want.items():
            check(rm.get(k) == v, f"run meta {k}: {rm.get(k)!r}")
        rdir = os.path.join(root, rm["experiment_id"], run_id)
        check(files(os.path.join(rdir, "params")) == {"learning_rate": "0.1", "model/depth": "3"}, "params")
        tags = files(os.path.join(rdir, "tags"))
        check(tags.get("mlflow.runName") == "train" and tags.get("mlci.idempotency_key") == "acme/bank:run-42:1",
              "tags")
        hist = [tuple(line.split(" ")) for line in read(os.path.join(rdir, "metrics", "accuracy")).splitlines()]
        check([(int(t), float(v), int(s)) for t, v, s in hist] ==
              [(1700000000001, 0.5, 0), (1700000000002, 0.75, 1), (1700000000003, 0.875, 2)], f"history {hist}")
        check(read(os.path.join(rdir, "artifacts", "model", "model.bin")) == "weights\n", "artifact")
    mdir = os.path.join(root, "models", "BankingModel-main")
    mm = meta(mdir)
    check(mm["name"] == "BankingModel-main" and mm["description"] is None, f"model meta {mm}")
    for v in (1, 2):
        vm = meta(os.path.join(mdir, f"version-{v}"))
        check(vm["version"] == v and vm["current_stage"] == "None" and vm["status"] == "READY"
              and vm["source"] == vm["storage_location"] and vm["user_id"] is None and vm["run_link"] is None,
              f"version {v} meta {vm}")
    check(meta(os.path.join(mdir, "version-1"))["run_id"] == run_id, "version 1's run")
    check(files(os.path.join(mdir, "aliases")) == {"champion": "2", "challenger": "1"}, "aliases")
    check(files(os.path.join(mdir, "version-1", "tags")) == {"validation_status": "approved"}, "version tags")
    for p in problems:
        print("check-mlflow-file:", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
