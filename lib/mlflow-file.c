/* SPDX-License-Identifier: MIT */
/* Placeholder until the module lands. */
#include "mlflow-file.h"
typedef int mlci_placeholder_mlflow_file;
