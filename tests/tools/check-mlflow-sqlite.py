#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Check a SQLite tracking store written by mlci against MLflow 2.12.2's schema and the scenario's data.

usage: check-mlflow-sqlite.py DB GOLDEN_SCHEMA RUN_ID
GOLDEN_SCHEMA is `sqlite3 mlflow.db .schema` of a database MLflow 2.12.2
created. Prints every problem and exits 1 when there is one.
"""
import math
import sqlite3
import sys

# MLFLOW.md: table -> [(column, type, primary key, not null)]
COLUMNS = {
    "alembic_version": [("version_num", "VARCHAR(32)", 1, 1)],
    "experiments": [("experiment_id", "INTEGER", 1, 1), ("name", "VARCHAR(256)", 0, 1),
                    ("artifact_location", "VARCHAR(256)", 0, 0), ("lifecycle_stage", "VARCHAR(32)", 0, 0),
                    ("creation_time", "BIGINT", 0, 0), ("last_update_time", "BIGINT", 0, 0)],
    "experiment_tags": [("key", "VARCHAR(250)", 1, 1), ("value", "VARCHAR(5000)", 0, 0),
                        ("experiment_id", "INTEGER", 2, 1)],
    "runs": [("run_uuid", "VARCHAR(32)", 1, 1), ("name", "VARCHAR(250)", 0, 0),
             ("source_type", "VARCHAR(20)", 0, 0), ("source_name", "VARCHAR(500)", 0, 0),
             ("entry_point_name", "VARCHAR(50)", 0, 0), ("user_id", "VARCHAR(256)", 0, 0),
             ("status", "VARCHAR(9)", 0, 0), ("start_time", "BIGINT", 0, 0), ("end_time", "BIGINT", 0, 0),
             ("source_version", "VARCHAR(50)", 0, 0), ("lifecycle_stage", "VARCHAR(20)", 0, 0),
             ("artifact_uri", "VARCHAR(200)", 0, 0), ("experiment_id", "INTEGER", 0, 0),
             ("deleted_time", "BIGINT", 0, 0)],
    "tags": [("key", "VARCHAR(250)", 1, 1), ("value", "VARCHAR(5000)", 0, 0), ("run_uuid", "VARCHAR(32)", 2, 1)],
    "params": [("key", "VARCHAR(250)", 1, 1), ("value", "VARCHAR(8000)", 0, 1), ("run_uuid", "VARCHAR(32)", 2, 1)],
    "metrics": [("key", "VARCHAR(250)", 1, 1), ("value", "FLOAT", 5, 1), ("timestamp", "BIGINT", 2, 1),
                ("run_uuid", "VARCHAR(32)", 4, 1), ("step", "BIGINT", 3, 1), ("is_nan", "BOOLEAN", 6, 1)],
    "latest_metrics": [("key", "VARCHAR(250)", 1, 1), ("value", "FLOAT", 0, 1), ("timestamp", "BIGINT", 0, 0),
                       ("step", "BIGINT", 0, 1), ("is_nan", "BOOLEAN", 0, 1), ("run_uuid", "VARCHAR(32)", 2, 1)],
    "datasets": [("dataset_uuid", "VARCHAR(36)", 0, 1), ("experiment_id", "INTEGER", 1, 1),
                 ("name", "VARCHAR(500)", 2, 1), ("digest", "VARCHAR(36)", 3, 1),
                 ("dataset_source_type", "VARCHAR(36)", 0, 1), ("dataset_source", "TEXT", 0, 1),
                 ("dataset_schema", "TEXT", 0, 0), ("dataset_profile", "TEXT", 0, 0)],
    "inputs": [("input_uuid", "VARCHAR(36)", 0, 1), ("source_type", "VARCHAR(36)", 1, 1),
               ("source_id", "VARCHAR(36)", 2, 1), ("destination_type", "VARCHAR(36)", 3, 1),
               ("destination_id", "VARCHAR(36)", 4, 1)],
    "input_tags": [("input_uuid", "VARCHAR(36)", 1, 1), ("name", "VARCHAR(255)", 2, 1),
                   ("value", "VARCHAR(500)", 0, 1)],
    "registered_models": [("name", "VARCHAR(256)", 1, 1), ("creation_time", "BIGINT", 0, 0),
                          ("last_updated_time", "BIGINT", 0, 0), ("description", "VARCHAR(5000)", 0, 0)],
    "registered_model_tags": [("key", "VARCHAR(250)", 1, 1), ("value", "VARCHAR(5000)", 0, 0),
                              ("name", "VARCHAR(256)", 2, 1)],
    "registered_model_aliases": [("alias", "VARCHAR(256)", 2, 1), ("version", "INTEGER", 0, 1),
                                 ("name", "VARCHAR(256)", 1, 1)],
    "model_versions": [("name", "VARCHAR(256)", 1, 1), ("version", "INTEGER", 2, 1),
                       ("creation_time", "BIGINT", 0, 0), ("last_updated_time", "BIGINT", 0, 0),
                       ("description", "VARCHAR(5000)", 0, 0), ("user_id", "VARCHAR(256)", 0, 0),
                       ("current_stage", "VARCHAR(20)", 0, 0), ("source", "VARCHAR(500)", 0, 0),
                       ("run_id", "VARCHAR(32)", 0, 0), ("status", "VARCHAR(20)", 0, 0),
                       ("status_message", "VARCHAR(500)", 0, 0), ("run_link", "VARCHAR(500)", 0, 0),
                       ("storage_location", "VARCHAR(500)", 0, 0)],
    "model_version_tags": [("key", "VARCHAR(250)", 1, 1), ("value", "VARCHAR(5000)", 0, 0),
                           ("name", "VARCHAR(256)", 2, 1), ("version", "INTEGER", 3, 1)],
}

problems = []


def check(cond, what):
    if not cond:
        problems.append(what)


def golden_statements(path):
    """The CREATE statements of `.schema` output, as sqlite_master holds them."""
    text = open(path).read()
    out = []
    for stmt in text.split(";\n"):
        stmt = stmt.strip("\n")
        if stmt:
            out.append(stmt.replace("CREATE TABLE IF NOT EXISTS ", "CREATE TABLE ", 1))
    return out


def main():
    db, golden, run_id = sys.argv[1:4]
    c = sqlite3.connect(db)
    ours = [r[0] for r in c.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")]
    check(ours == golden_statements(golden), "sqlite_master differs from MLflow 2.12.2's")
    tables = sorted(r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
    check(tables == sorted(COLUMNS), f"tables {tables}")
    for table, cols in COLUMNS.items():
        got = [(r[1], r[2], r[5], r[3]) for r in c.execute(f"PRAGMA table_info({table})")]
        check(got == cols, f"{table}: columns {got}")
    indexes = sorted(r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'index'"))
    check(len(indexes) == 24 and "index_metrics_run_uuid" in indexes, f"indexes {indexes}")
    check(c.execute("SELECT version_num FROM alembic_version").fetchall() == [("acf3f17fdcc7",)], "revision")
    check(c.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity")
    check(c.execute("PRAGMA foreign_key_check").fetchall() == [], "foreign keys")

    # The data, as MLflow's SqlAlchemyStore reads it.
    run = c.execute("SELECT name, source_type, user_id, status, start_time, end_time, lifecycle_stage, "
                    "artifact_uri, experiment_id FROM runs WHERE run_uuid = ?", (run_id,)).fetchone()
    check(run is not None, "the run is missing")
    if run:
        name, stype, user, status, start, end, stage, uri, exp = run
        check((name, stype, user, status, start, end, stage) ==
              ("train", "UNKNOWN", "alice", "FINISHED", 1700000000000, 1700000009999, "active"), f"run {run}")
        loc = c.execute("SELECT artifact_location FROM experiments WHERE experiment_id = ?", (exp,)).fetchone()[0]
        check(uri == f"{loc}/{run_id}/artifacts" and uri.startswith("file:///"), f"artifact uri {uri}")
    tags = dict(c.execute("SELECT key, value FROM tags WHERE run_uuid = ?", (run_id,)))
    check(tags.get("mlflow.runName") == "train", "mlflow.runName")
    check(tags.get("mlci.idempotency_key") == "acme/bank:run-42:1", "idempotency tag")
    params = dict(c.execute("SELECT key, value FROM params WHERE run_uuid = ?", (run_id,)))
    check(params == {"learning_rate": "0.1", "model/depth": "3"}, f"params {params}")
    hist = c.execute("SELECT value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? AND key = 'accuracy' "
                     "ORDER BY step", (run_id,)).fetchall()
    check(hist == [(0.5, 1700000000001, 0, 0), (0.75, 1700000000002, 1, 0), (0.875, 1700000000003, 2, 0)],
          f"history {hist}")
    latest = dict((r[0], r[1:]) for r in c.execute(
        "SELECT key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid = ?", (run_id,)))
    check(latest.get("accuracy") == (0.875, 1700000000003, 2, 0), f"latest {latest}")
    check(latest.get("loss") == (0.0, 1700000000003, 2, 1), "NaN stored as 0 with is_nan")
    for (key,) in c.execute("SELECT DISTINCT key FROM metrics WHERE run_uuid = ?", (run_id,)):
        best = max(c.execute("SELECT step, timestamp, value FROM metrics WHERE run_uuid = ? AND key = ?",
                             (run_id, key)))
        got = c.execute("SELECT step, timestamp, value FROM latest_metrics WHERE run_uuid = ? AND key = ?",
                        (run_id, key)).fetchone()
        check(got == best, f"latest_metrics mirrors the newest {key}")
    versions = c.execute("SELECT version, current_stage, status, source, storage_location, run_id "
                         "FROM model_versions WHERE name = 'BankingModel-main' ORDER BY version").fetchall()
    check([v[0] for v in versions] == [1, 2], f"versions {versions}")
    check(all(v[1] == "None" and v[2] == "READY" and v[3] == v[4] for v in versions), "version fields")
    check(versions and versions[0][5] == run_id, "version 1's run")
    aliases = sorted(c.execute("SELECT alias, version FROM registered_model_aliases WHERE name = 'BankingModel-main'"))
    check(aliases == [("challenger", 1), ("champion", 2)], f"aliases {aliases}")
    vt = c.execute("SELECT key, value FROM model_version_tags WHERE name = 'BankingModel-main' AND version = 1").fetchall()
    check(vt == [("validation_status", "approved")], f"version tags {vt}")
    for p in problems:
        print("check-mlflow-sqlite:", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
