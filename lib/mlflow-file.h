/* SPDX-License-Identifier: MIT */
/* The tracking backend on MLflow's file store: the mlruns/ directory layout, written atomically. */
#ifndef MLCI_MLFLOW_FILE_H
#define MLCI_MLFLOW_FILE_H

struct mlci_tracking;

/*
 * Open the file store rooted at path (relative paths are resolved against
 * the current directory; the directory is created when missing, with the
 * Default experiment "0" and .trash/ as MLflow makes them) and make t use
 * it: sets t->ops and t->priv. Every file is written to a temporary name
 * and renamed into place, and every change runs under an exclusive flock()
 * on the root directory, so concurrent writers neither corrupt the store
 * nor hand out a version number twice; readers never see half a file.
 * Experiment ids are random 18-digit integers and run ids 32 hex digits,
 * as MLflow's file store makes them. Returns 0 or -MLCI_EXIT_SYSTEM.
 */
int mlci_mlflow_file_open(struct mlci_tracking *t, const char *path);

#endif
