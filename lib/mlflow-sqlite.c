/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "mlflow-sqlite.h"
typedef int mlci_placeholder_mlflow_sqlite;
