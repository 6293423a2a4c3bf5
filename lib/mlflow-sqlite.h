/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_MLFLOW_SQLITE_H
#define MLCI_MLFLOW_SQLITE_H
#endif
