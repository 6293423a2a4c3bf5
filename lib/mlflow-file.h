/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#ifndef MLCI_MLFLOW_FILE_H
#define MLCI_MLFLOW_FILE_H
#endif
