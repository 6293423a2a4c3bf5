/* SPDX-License-Identifier: MIT */
/* The tracking backend on a SQLite database in MLflow 2.12's own schema (alembic revision acf3f17fdcc7). */
#ifndef MLCI_MLFLOW_SQLITE_H
#define MLCI_MLFLOW_SQLITE_H

#include <stddef.h>

struct mlci_tracking;

/* The alembic revision our tables match: the head of MLflow 2.12. */
#define MLCI_MLFLOW_SQLITE_REVISION "acf3f17fdcc7"

/*
 * Open (creating it when missing or empty) the database at path and make
 * t use it: sets t->ops and t->priv. A new database gets the tables,
 * constraints and indexes exactly as MLflow 2.12.2 creates them, the
 * alembic stamp MLCI_MLFLOW_SQLITE_REVISION and the Default experiment
 * "0" at artifact_root_uri/0, in one transaction, so processes racing to
 * create it are safe. An existing database must be stamped with our
 * revision or with one of the later revisions that leave what we write
 * unchanged (MLflow 2.13-2.17: trace tables, a MySQL-only change, longer
 * run tags); any other is refused with -MLCI_EXIT_INPUT and a message
 * saying why. artifact_root_uri (an absolute file:// URI, borrowed) is
 * where new experiments' artifacts go. Connections wait up to 60 s for
 * the database lock, and every write is one BEGIN IMMEDIATE transaction.
 * Returns 0, -MLCI_EXIT_INPUT or -MLCI_EXIT_SYSTEM.
 */
int mlci_mlflow_sqlite_open(struct mlci_tracking *t, const char *path,
			    const char *artifact_root_uri);

/*
 * The DDL of MLflow 2.12.2's schema: the CREATE statements exactly as
 * sqlite_master holds them in a database MLflow created, in its order.
 * *stmts points at a static array; returns its length.
 */
size_t mlci_mlflow_sqlite_schema(const char *const **stmts);

#endif
